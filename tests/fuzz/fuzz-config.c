// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-config.c - libFuzzer harness for the VM and network keyfile
 * parsers and the assignment API: whatever qnm accepts it must write and
 * read back as the same model.
 *
 * Each input is used three ways:
 *   1. as a VM file and as a network file: it must either parse (and then
 *      survive a serialise -> parse round trip unchanged) or fail with a
 *      "FILE:LINE:" message;
 *   2. as assignments, one per line, to a new VM and a new network: "[nic]"
 *      adds a NIC that the next lines set (as qnm nic add/set), "[vm]" goes
 *      back to the VM, "KEY=VALUE" (also += and -=) is qnm set/net set and
 *      "~KEY=TEXT" is a form row's text (qnm_key_set_text()); a byte 0x01
 *      stands for a newline inside a value. An assignment that fails leaves
 *      the object as it was (the front ends drop the whole edit). When the
 *      result passes validation (what saving checks), its file must read
 *      back equal.
 * Any mismatch aborts.
 */
#include "build-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/model.h"
#include "core/schema.h"
#include "core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void vm_round_trip(const struct qnm_vm *vm)
{
	struct qnm_vm *back;
	struct qnm_err err;
	char *text = qnm_vm_serialize(vm);
	char *file = xasprintf("%s.conf", vm->name); /* name= renames */

	if (qnm_vm_parse(text, strlen(text), file, &back, &err) != 0)
		abort(); /* what we write must read back */
	if (!qnm_vm_equal(vm, back))
		abort();
	qnm_vm_free(back);
	free(file);
	free(text);
}

static void net_round_trip(const struct qnm_network *net)
{
	struct qnm_network *back;
	struct qnm_err err;
	char *text = qnm_network_serialize(net);

	if (qnm_network_parse(text, strlen(text), "n.conf", &back, &err) != 0)
		abort();
	if (!qnm_network_equal(net, back))
		abort();
	qnm_network_free(back);
	free(text);
}

/* "~KEY=TEXT": a form row of schema @s. */
static int form_text(const struct qnm_schema *s, void *obj, const char *line, struct qnm_err *err)
{
	const char *eq = strchr(line, '=');
	const struct qnm_key *k;
	char key[48];

	if (!eq || (size_t)(eq - line) >= sizeof(key))
		return -1;
	memcpy(key, line, (size_t)(eq - line));
	key[eq - line] = '\0';
	k = qnm_schema_find(s, key);
	if (!k || !qnm_schema_key_in_use(s, k, obj))
		return -1;
	return qnm_key_set_text(k, obj, eq + 1, err);
}

/* One line to the VM (@nic < 0) or its NIC @nic; on failure @*vm is unchanged. */
static void vm_line(struct qnm_vm **vm, long nic, const char *line)
{
	struct qnm_vm *c = qnm_vm_copy(*vm);
	struct qnm_err err;
	int r;

	if (nic < 0)
		r = line[0] == '~' ? form_text(&qnm_vm_schema, c, line + 1, &err)
				   : qnm_vm_assign(c, line, &err);
	else
		r = line[0] == '~' ? form_text(&qnm_nic_schema, &c->nics[nic], line + 1, &err)
				   : qnm_nic_assign(&c->nics[nic], line, &err);
	if (r) {
		qnm_vm_free(c);
		return;
	}
	qnm_vm_free(*vm);
	*vm = c;
}

static void net_line(struct qnm_network **net, const char *line)
{
	struct qnm_network *c = qnm_network_copy(*net);
	struct qnm_err err;
	int r;

	r = line[0] == '~' ? form_text(&qnm_net_schema, c, line + 1, &err)
			   : qnm_network_assign(c, line, &err);
	if (r) {
		qnm_network_free(c);
		return;
	}
	qnm_network_free(*net);
	*net = c;
}

static void assignments(const uint8_t *data, size_t size)
{
	struct qnm_vm *vm = qnm_vm_new("f");
	struct qnm_network *net = qnm_network_new("n");
	char *text = malloc(size + 1), *line, *save = NULL, *p;
	struct qnm_err err;
	long nic = -1;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (p = line; *p; p++)
			if (*p == '\x01')
				*p = '\n';
		if (strcmp(line, "[vm]") == 0) {
			nic = -1;
		} else if (strcmp(line, "[nic]") == 0) {
			if (vm->nnics < QNM_NICS_MAX) {
				qnm_vm_add_nic(vm);
				nic = (long)vm->nnics - 1;
			}
		} else {
			vm_line(&vm, nic, line);
			net_line(&net, line);
		}
	}
	if (qnm_check_vm(vm, &err) == 0)
		vm_round_trip(vm);
	if (qnm_check_network(net, &err) == 0)
		net_round_trip(net);
	free(text);
	qnm_vm_free(vm);
	qnm_network_free(net);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qnm_vm *vm;
	struct qnm_network *net;
	struct qnm_err err;

	if (qnm_vm_parse((const char *)data, size, "f.conf", &vm, &err) == 0) {
		vm_round_trip(vm);
		qnm_vm_free(vm);
	} else if (strncmp(err.msg, "f.conf:", 7) != 0) {
		abort(); /* every error names the file */
	}
	if (qnm_network_parse((const char *)data, size, "n.conf", &net, &err) == 0) {
		net_round_trip(net);
		qnm_network_free(net);
	}
	assignments(data, size);
	return 0;
}
