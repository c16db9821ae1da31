// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/ports.c - "qnm ports [--json]": every host port qnm forwards (hostfwd
 * of user NICs, forwards of slirp NICs, DNAT into networks - configured and
 * live in table inet qnm) and which process holds each port right now.
 */
#include "build-config.h"

#include "cli/cli.h"
#include "api/ports.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static void owner_text(const struct qnm_port_entry *e, char *buf, size_t size)
{
	if (e->kind == QNM_PORT_DNAT)
		snprintf(buf, size, "net %s", e->net[0] ? e->net : "(not configured)");
	else
		snprintf(buf, size, "%s/%s", e->vm, e->nic);
}

static const char *state_text(const struct qnm_port_table *t, const struct qnm_port_entry *e)
{
	if (e->kind != QNM_PORT_DNAT)
		return "at VM start";
	if (e->live && !e->configured)
		return "live only";
	if (e->live && e->blocked[0])
		return "blocked";
	if (e->live)
		return "live";
	return t->live_ret == 0 || t->live_ret == -ENOENT ? "not applied" : "unknown";
}

static void holder_text(const struct qnm_port_table *t, const struct qnm_port_entry *e, char *buf,
			size_t size)
{
	if (t->socks_ret < 0)
		snprintf(buf, size, "?");
	else if (!e->holder.found)
		snprintf(buf, size, "free");
	else if (e->holder_vm[0])
		snprintf(buf, size, "VM %s (its %s, pid %d)", e->holder_vm, e->holder_what,
			 (int)e->holder.pid);
	else
		qnm_port_holder_text(&e->holder, buf, size);
}

static void print_table(struct qnm_ctx *ctx, const struct qnm_port_table *t)
{
	size_t i;

	if (!t->n) {
		fprintf(ctx->out, "(no forwarded host ports; add one with 'qnm forward add')\n");
	} else {
		fprintf(ctx->out, "%-8s %-20s %-7s %-21s %-20s %-21s %-12s %s\n", "KIND", "OWNER",
			"PROTO", "HOST", "REACHABLE FROM", "GUEST", "STATE", "HELD BY");
		for (i = 0; i < t->n; i++) {
			const struct qnm_port_entry *e = &t->v[i];
			char owner[80], host[48], guest[48], who[160], reach[48];

			owner_text(e, owner, sizeof(owner));
			char hp[16], gp[16];

			qnm_ports_text(e->fwd.host_port, e->fwd.span, hp, sizeof(hp));
			qnm_ports_text(e->fwd.guest_port, e->fwd.span, gp, sizeof(gp));
			snprintf(host, sizeof(host), "%s:%s",
				 e->fwd.host_addr[0] ? e->fwd.host_addr : "*", hp);
			snprintf(guest, sizeof(guest), "%s:%s",
				 e->fwd.guest_addr[0] ? e->fwd.guest_addr : "(guest)", gp);
			holder_text(t, e, who, sizeof(who));
			qnm_fwd_reach_text(&e->fwd, reach, sizeof(reach));
			fprintf(ctx->out, "%-8s %-20s %-7s %-21s %-20s %-21s %-12s %s\n",
				qnm_port_kind_name(e->kind), owner, qnm_proto_name(e->fwd.proto),
				host, reach, guest, state_text(t, e), who);
			if (e->live && e->blocked[0])
				fprintf(ctx->out, "         blocked: %s\n", e->blocked);
			if (e->fwd.desc[0])
				fprintf(ctx->out, "         desc: %s\n", e->fwd.desc);
		}
	}
	if (t->live_ret < 0 && t->live_ret != -ENOENT)
		fprintf(ctx->out, "live DNAT table not read: %s\n", t->live_err);
	if (t->socks_ret < 0)
		fprintf(ctx->out, "holders unknown: %s\n", t->socks_err);
}

static void print_json(struct qnm_ctx *ctx, const struct qnm_port_table *t)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct qnm_port_entry *e = &t->v[i];
		json_object *o = json_object_new_object(), *h;
		char reach[48];

		json_object_object_add(o, "kind",
				       json_object_new_string(qnm_port_kind_name(e->kind)));
		json_object_object_add(o, "vm", json_object_new_string(e->vm));
		json_object_object_add(o, "nic", json_object_new_string(e->nic));
		json_object_object_add(o, "network", json_object_new_string(e->net));
		json_object_object_add(o, "proto",
				       json_object_new_string(qnm_proto_name(e->fwd.proto)));
		json_object_object_add(o, "host_addr", json_object_new_string(e->fwd.host_addr));
		json_object_object_add(o, "host_port", json_object_new_int(e->fwd.host_port));
		json_object_object_add(o, "guest_addr", json_object_new_string(e->fwd.guest_addr));
		json_object_object_add(o, "guest_port", json_object_new_int(e->fwd.guest_port));
		json_object_object_add(o, "host_port_last",
				       json_object_new_int(e->fwd.host_port + e->fwd.span));
		json_object_object_add(o, "guest_port_last",
				       json_object_new_int(e->fwd.guest_port + e->fwd.span));
		json_object_object_add(o, "desc", json_object_new_string(e->fwd.desc));
		json_object_object_add(o, "configured", json_object_new_boolean(e->configured));
		json_object_object_add(o, "live", json_object_new_boolean(e->live));
		json_object_object_add(o, "state", json_object_new_string(state_text(t, e)));
		qnm_fwd_reach_text(&e->fwd, reach, sizeof(reach));
		json_object_object_add(o, "reachable_from", json_object_new_string(reach));
		json_object_object_add(o, "blocked", json_object_new_string(e->blocked));
		if (t->socks_ret < 0 || !e->holder.found) {
			h = NULL;
		} else {
			h = json_object_new_object();
			json_object_object_add(h, "pid", json_object_new_int((int)e->holder.pid));
			json_object_object_add(h, "comm", json_object_new_string(e->holder.comm));
			json_object_object_add(h, "uid", json_object_new_int64(e->holder.sock.uid));
			json_object_object_add(h, "addr",
					       json_object_new_string(e->holder.sock.addr));
			/* the port held: one of a range's */
			json_object_object_add(h, "port", json_object_new_int(e->holder.sock.port));
			json_object_object_add(h, "processes",
					       json_object_new_int((int)e->holder.nprocs));
			json_object_object_add(h, "vm", json_object_new_string(e->holder_vm));
			json_object_object_add(h, "slirp_helper",
					       json_object_new_boolean(e->holder_helper));
		}
		json_object_object_add(o, "held_by", h);
		json_object_array_add(a, o);
	}
	qnm_cli_print_json(ctx, a);
}

static const struct qnm_opt ports_opts[] = {
	{ .name = "--json", .help = "print JSON (held_by is null for a free port)" },
	{ .name = NULL },
};

static const struct qnm_args_spec ports_args = {
	.opts = ports_opts,
	.max = 0,
};

static int cmd_ports(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_port_table t;

	if (qnm_cli_load(ctx, "ports"))
		return 1;
	qnm_api_ports_table(ctx, true, &t);
	if (ctx->json)
		print_json(ctx, &t);
	else
		print_table(ctx, &t);
	qnm_port_table_clear(&t);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_ports = {
	.name = "ports",
	.usage = "ports [--json]",
	.summary = "every host port qnm forwards, and which process holds each now",
	.help = "Rows: hostfwd (user NICs; QEMU binds the port at VM start), slirp (slirp NICs;\n"
		"qnm's helper binds it), dnat (network forwards; 'live' when in table inet qnm and\n"
		"able to carry traffic, 'blocked' when something it needs is missing - the line\n"
		"under it says what and how to put it back,\n"
		"'live only' when the table has a forward the configuration lacks - reading it\n"
		"needs CAP_NET_ADMIN). HELD BY names the process holding the host port now\n"
		"(NETLINK_SOCK_DIAG + /proc, like 'ss -ltnup'); processes of other users are only\n"
		"named for root. REACHABLE FROM: 'all networks' for a port without an address\n"
		"(every host address answers), 'this host only' on 127.0.0.1, else that address's\n"
		"network.\n",
	.args = &ports_args,
	.run = cmd_ports,
};
