// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-config.c - libFuzzer harness for the VM and network keyfile
 * parsers: any bytes must either parse (and then survive a serialise ->
 * parse round trip unchanged) or fail with a "FILE:LINE:" message.
 */
#include "build-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qnm_vm *vm, *back;
	struct qnm_network *net, *nback;
	struct qnm_err err;
	char *text;

	if (qnm_vm_parse((const char *)data, size, "f.conf", &vm, &err) == 0) {
		text = qnm_vm_serialize(vm);
		if (qnm_vm_parse(text, strlen(text), "f.conf", &back, &err) != 0)
			abort(); /* what we write must read back */
		if (!qnm_vm_equal(vm, back))
			abort();
		qnm_vm_free(back);
		free(text);
		qnm_vm_free(vm);
	} else if (strncmp(err.msg, "f.conf:", 7) != 0) {
		abort(); /* every error names the file */
	}
	if (qnm_network_parse((const char *)data, size, "n.conf", &net, &err) == 0) {
		text = qnm_network_serialize(net);
		if (qnm_network_parse(text, strlen(text), "n.conf", &nback, &err) != 0)
			abort();
		if (!qnm_network_equal(net, nback))
			abort();
		qnm_network_free(nback);
		free(text);
		qnm_network_free(net);
	}
	return 0;
}
