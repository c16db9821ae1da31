// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/conns.c - "qnm conns": the live connections of a guest's user-mode NICs. */
#include "build-config.h"

#include "api/conns.h"
#include "cli/cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *conn_json(const struct qnm_nic *nic, const struct qnm_conn *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "nic", json_object_new_string(nic->id));
	json_object_object_add(o, "backend",
			       json_object_new_string(qnm_backend_name(nic->backend)));
	json_object_object_add(o, "proto", json_object_new_string(c->proto));
	json_object_object_add(o, "dir", json_object_new_string(qnm_conn_dir_name(c->dir)));
	json_object_object_add(o, "state", json_object_new_string(c->state));
	json_object_object_add(o, "guest_addr", json_object_new_string(c->guest_addr));
	json_object_object_add(o, "guest_port", json_object_new_int(c->guest_port));
	json_object_object_add(o, "remote_addr", json_object_new_string(c->remote_addr));
	json_object_object_add(o, "remote_port", json_object_new_int(c->remote_port));
	json_object_object_add(o, "recvq", json_object_new_int64((int64_t)c->recvq));
	json_object_object_add(o, "sendq", json_object_new_int64((int64_t)c->sendq));
	json_object_object_add(o, "fd", json_object_new_int(c->fd));
	return o;
}

static void print_row(struct qnm_ctx *ctx, const struct qnm_nic *nic, const struct qnm_conn *c)
{
	char g[40], rm[40];

	snprintf(g, sizeof(g), "%s:%u", c->guest_addr, c->guest_port);
	snprintf(rm, sizeof(rm), "%s:%u", c->remote_addr, c->remote_port);
	fprintf(ctx->out, "%-6s %-5s %-6s %-13s %-21s %-21s %6lu %6lu\n", nic->id, c->proto,
		qnm_conn_dir_name(c->dir), c->state, g, rm, c->recvq, c->sendq);
}

static const struct qnm_opt conns_opts[] = {
	{ .name = "--nic", .type = QNM_OPT_STRING, .arg = "ID", .help = "only the NIC ID" },
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

static const struct qnm_args_spec conns_args = {
	.opts = conns_opts,
	.min = 1,
	.max = 1,
	.say = { .few = "give the VM's name",
		 .many = "too many arguments" }, /* tests/sh/bad-input.sh greps it */
};

static int cmd_conns(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	const char *name = args->pos[0], *only = qnm_args_get(args, "--nic");
	const struct qnm_vm *vm;
	json_object *arr = NULL;
	struct qnm_err err;
	size_t i, j, asked = 0;
	int rc = 0;

	qnm_err_clear(&err);
	if (qnm_ctx_load(ctx, &err))
		return qnm_cli_error(ctx, "conns", &err);
	vm = qnm_model_find_vm(&ctx->model, name);
	if (!vm) {
		fprintf(ctx->errout, "qnm: conns: no VM named '%s' (qnm list shows them)\n", name);
		return 1;
	}
	if (only && !qnm_vm_find_nic(vm, only)) {
		fprintf(ctx->errout, "qnm: conns: VM '%s' has no NIC '%s' (qnm nic list %s)\n",
			name, only, name);
		return 1;
	}
	if (ctx->json)
		arr = json_object_new_array();
	else
		fprintf(ctx->out, "%-6s %-5s %-6s %-13s %-21s %-21s %6s %6s\n", "NIC", "PROTO",
			"DIR", "STATE", "GUEST", "REMOTE", "RECVQ", "SENDQ");
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *nic = &vm->nics[i];
		struct qnm_conn *v;
		size_t n;

		if (only && strcmp(nic->id, only) != 0)
			continue;
		if (!qnm_api_conns_has_table(nic)) {
			if (only) {
				fprintf(ctx->errout,
					"qnm: conns: nic[%s] is a %s NIC: only user and "
					"slirp NICs have a connection table\n",
					nic->id, qnm_backend_name(nic->backend));
				rc = 1;
			}
			continue;
		}
		asked++;
		qnm_err_clear(&err);
		if (qnm_api_conns_query(ctx, vm, nic, &v, &n, &err)) {
			rc = qnm_cli_error(ctx, "conns", &err);
			if (err.code == -ENOENT)
				break; /* not running: the other NICs would say the same */
			continue;
		}
		for (j = 0; j < n; j++) {
			if (arr)
				json_object_array_add(arr, conn_json(nic, &v[j]));
			else
				print_row(ctx, nic, &v[j]);
		}
		free(v);
	}
	if (arr)
		fprintf(ctx->out, "%s\n",
			json_object_to_json_string_ext(
				arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	if (!asked && !only) {
		fprintf(ctx->errout, "qnm: conns: %s has no user or slirp NIC\n", name);
		rc = 1;
	}
	return rc;
}

const struct qnm_cli_cmd qnm_cmd_conns = {
	.name = "conns",
	.usage = "conns VM [--nic ID] [--json]",
	.summary = "list the live TCP/UDP connections of a running VM's user-mode NICs",
	.help = "For each user or slirp NIC (or only --nic ID), the connection table of its\n"
		"user-mode network stack: from qnm's slirp helper, or from QEMU's\n"
		"'info usernet' for user NICs. Columns: NIC, PROTO (tcp/udp/icmp), DIR (out:\n"
		"the guest connected out; in: accepted through a host forward; listen: the host\n"
		"forward itself), STATE (TCP state, or seconds left for UDP), GUEST and REMOTE\n"
		"address:port (for in/listen rows REMOTE is the host side of the forward),\n"
		"RECVQ/SENDQ (bytes queued toward the guest / toward the host).\n",
	.args = &conns_args,
	.run = cmd_conns,
};
