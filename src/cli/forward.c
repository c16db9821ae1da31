// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/forward.c - "qnm forward list|add|del": one list of every port
 * forward, whatever the mechanism underneath:
 *   hostfwd  on a user/slirp NIC of a VM (QEMU's hostfwd=, at VM start);
 *   dnat     on a host network (an element of table inet qnm's maps).
 *
 * add/del parse the forward and its owner and call the engine's one flow
 * (api/forward.h: checked as a whole, saved, and applied to an up network's
 * live table or a running guest's slirp helper); this file prints what it
 * did.
 */
#include "build-config.h"

#include "api/forward.h"
#include "cli/cli.h"
#include "core/schema.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void addr_port(char *buf, size_t size, const char *addr, unsigned port, unsigned span,
		      const char *any)
{
	char ports[16];

	qnm_ports_text(port, span, ports, sizeof(ports));
	snprintf(buf, size, "%s:%s", addr[0] ? addr : any, ports);
}

/* ---- list ---- */

static json_object *reach_json(const struct qnm_fwd *f)
{
	char r[48];

	qnm_fwd_reach_text(f, r, sizeof(r));
	return json_object_new_string(r);
}

static json_object *entry_json(const struct qnm_api_fwd_entry *e)
{
	json_object *o;

	if (e->kind == QNM_API_FWD_DNAT) {
		o = qnm_fwd_json("dnat", &e->fwd);
		json_object_object_add(o, "network", json_object_new_string(e->ref.net));
		json_object_object_add(o, "bridge", json_object_new_string(e->bridge));
	} else {
		o = qnm_fwd_json("hostfwd", &e->fwd);
		json_object_object_add(o, "vm", json_object_new_string(e->ref.vm));
		json_object_object_add(o, "nic", json_object_new_string(e->ref.nic));
		json_object_object_add(o, "backend", json_object_new_string(e->backend));
	}
	json_object_object_add(o, "state", json_object_new_string(e->state));
	json_object_object_add(o, "blocked", json_object_new_string(e->blocked));
	json_object_object_add(o, "reachable_from", reach_json(&e->fwd));
	return o;
}

static void print_row(struct qnm_ctx *ctx, const char *kind, const char *owner,
		      const struct qnm_fwd *f, const char *any, const char *state)
{
	char h[48], g[128];

	addr_port(h, sizeof(h), f->host_addr, f->host_port, f->span, any);
	if (f->target[0]) { /* to a NIC: "web/n0 (10.77.0.5):80" */
		char ports[16];

		qnm_ports_text(f->guest_port, f->span, ports, sizeof(ports));
		snprintf(g, sizeof(g), "%s (%s):%s", f->target,
			 f->guest_addr[0] ? f->guest_addr : "no address", ports);
	} else {
		addr_port(g, sizeof(g), f->guest_addr, f->guest_port, f->span, "(guest)");
	}
	fprintf(ctx->out, "%-8s %-20s %-7s %-21s %-21s %s\n", kind, owner, qnm_proto_name(f->proto),
		h, g, state);
	if (f->desc[0])
		fprintf(ctx->out, "         desc: %s\n", f->desc);
}

static int cmd_list(struct qnm_ctx *ctx)
{
	struct qnm_api_fwd_list l;
	json_object *arr = NULL;
	size_t i;

	qnm_api_forward_list(ctx, true, &l);
	if (ctx->json)
		arr = json_object_new_array();
	else
		fprintf(ctx->out, "%-8s %-20s %-7s %-21s %-21s %s\n", "KIND", "OWNER", "PROTO",
			"HOST", "GUEST", "STATE");
	for (i = 0; i < l.n; i++) {
		const struct qnm_api_fwd_entry *e = &l.v[i];
		bool dnat = e->kind == QNM_API_FWD_DNAT;
		char owner[80];

		if (arr) {
			json_object_array_add(arr, entry_json(e));
			continue;
		}
		if (dnat)
			snprintf(owner, sizeof(owner), "net %s", e->ref.net);
		else
			snprintf(owner, sizeof(owner), "%s/%s", e->ref.vm, e->ref.nic);
		print_row(ctx, dnat ? "dnat" : "hostfwd", owner, &e->fwd, "*", e->state);
		if (e->blocked[0])
			fprintf(ctx->out, "         blocked: %s\n", e->blocked);
	}
	if (arr) {
		qnm_cli_print_json(ctx, arr);
	} else {
		if (!l.n)
			fprintf(ctx->out, "(no forwards; add one with 'qnm forward add')\n");
		if (l.live_ret < 0 && l.live_ret != -ENOENT)
			fprintf(ctx->out, "state unknown: %s\n", l.live_err);
	}
	qnm_api_forward_list_clear(&l);
	return 0;
}

/* ---- add / del ---- */

/*
 * "tcp:[ADDR]:PORTS-[GADDR]:GPORTS", or for del only the host side
 * "[tcp|udp|tcp+udp]:[ADDR]:PORTS" (PORTS: a port or FIRST-LAST)
 */
static int parse_fwd_arg(const char *s, bool host_side_ok, struct qnm_fwd *f, struct qnm_err *err)
{
	const char *ports = strrchr(s, ':');
	char *full;
	int r;

	if (!host_side_ok || !ports || qnm_fwd_parse(s, f, "forward", NULL) == 0)
		return qnm_fwd_parse(s, f, "forward", err);
	/* the host side alone: its ports stand in for the guest side's */
	full = xasprintf("%s-:%s", s, ports + 1);
	r = qnm_fwd_parse(full, f, "forward", err);
	free(full);
	if (r)
		qnm_err_set(
			err, r, "forward",
			"forward: '%s' must look like tcp:[HOSTADDR]:HOSTPORT (or a whole forward)",
			s);
	return r;
}

/* what qnm_api_forward_add/remove() did, for the user */
static void print_change(struct qnm_ctx *ctx, bool add, const struct qnm_api_fwd_result *res)
{
	char d[QNM_FWD_TEXT_LEN];

	qnm_fwd_format(&res->fwd, d, sizeof(d));
	if (res->kind == QNM_API_FWD_HOSTFWD) {
		if (res->live == QNM_API_FWD_REFUSED)
			fprintf(ctx->errout,
				"qnm: forward: saved, but the running guest's slirp helper refused "
				"it: %s (it applies at the next start)\n",
				res->why);
		fprintf(ctx->out, "%s hostfwd %s %s NIC %s/%s (%s)\n", add ? "added" : "removed", d,
			add ? "to" : "from", res->ref.vm, res->ref.nic,
			res->live == QNM_API_FWD_LIVE ? "applied live to the running guest"
						      : "takes effect at the next VM start");
		return;
	}
	if (res->table_missing)
		fprintf(ctx->errout,
			"qnm: forward: note: network %s is up but table inet qnm is "
			"missing (deleted outside qnm?): 'qnm net up %s' re-creates it\n",
			res->ref.net, res->ref.net);
	fprintf(ctx->out, "%s forward %s %s network %s (%s)\n", add ? "added" : "removed", d,
		add ? "to" : "from", res->ref.net,
		res->live == QNM_API_FWD_LIVE ? "applied to the live table"
					      : "network is down: applied when it comes up");
	if (add && res->fwd.target[0])
		fprintf(ctx->out, "  to NIC %s at its reserved address %s\n", res->fwd.target,
			res->fwd.guest_addr);
}

/* --to VM/NIC: the forward's guest side is that NIC (its reservation), @f gives only :PORT */
static int set_target(struct qnm_fwd *f, const char *to, struct qnm_err *err)
{
	const char *slash = strchr(to, '/');
	char vm[QNM_NAME_MAX + 1];

	if (f->guest_addr[0] || f->target[0])
		return qnm_err_set(err, -EINVAL, "forward",
				   "forward: with --to give the guest side as :PORT (the address "
				   "is %s's reservation)",
				   to);
	if (!slash || (size_t)(slash - to) >= sizeof(vm) || strlen(to) >= sizeof(f->target))
		return qnm_err_set(err, -EINVAL, "to", "to: '%s' must be VM/NIC (e.g. web/n0)", to);
	memcpy(vm, to, (size_t)(slash - to));
	vm[slash - to] = '\0';
	if (!qnm_valid_name(vm) || !qnm_valid_name(slash + 1))
		return qnm_err_set(err, -EINVAL, "to", "to: '%s' must be VM/NIC (e.g. web/n0)", to);
	qnm_strlcpy(f->target, to, sizeof(f->target));
	return 0;
}

/* the wording of unknown options is kept: tests/sh/bad-input.sh greps it */
#define UNKNOWN "unknown option or missing value: '%s'"

static const struct qnm_opt list_opts[] = {
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

static const struct qnm_opt change_opts[] = {
	{ .name = "--vm",
	  .type = QNM_OPT_STRING,
	  .arg = "VM",
	  .help = "a hostfwd on the VM's user/slirp NIC (first one when no --nic): applied live "
		  "on a running slirp NIC, else at the next VM start" },
	{ .name = "--nic", .type = QNM_OPT_STRING, .arg = "ID", .help = "the NIC of --vm to use" },
	{ .name = "--desc",
	  .type = QNM_OPT_STRING,
	  .arg = "TEXT",
	  .help = "add only: what the forward is for, shown in forward list, ports and the "
		  "Forwards and Ports screens (at most 48 printable ASCII characters, no '\"' or "
		  "'\\')" },
	{ .name = "--net",
	  .type = QNM_OPT_STRING,
	  .arg = "NETWORK",
	  .help = "a DNAT forward into a host network (GUESTADDR or --to required): applied to "
		  "the live nftables table inet qnm when the network is up (needs CAP_NET_ADMIN)" },
	{ .name = "--to",
	  .type = QNM_OPT_STRING,
	  .arg = "VM/NIC",
	  .help = "with --net: forward to that TAP NIC on the network, at its DHCP reservation "
		  "(FWD's guest side is then :PORT); it follows the NIC" },
	{ .name = NULL },
};

static const struct qnm_args_spec list_args = {
	.opts = list_opts,
	.max = 0,
	.say = { .unknown = UNKNOWN, .many = "list takes only --json" },
};

static const struct qnm_args_spec change_args = {
	.opts = change_opts,
	.min = 1,
	.max = 1,
	.say = { .unknown = UNKNOWN, .few = "give exactly one forward" },
};

static const struct qnm_args_sub forward_subs[] = {
	{ "list", &list_args },
	{ "add", &change_args },
	{ "del", &change_args },
	{ NULL, NULL },
};

static const struct qnm_args_spec forward_args = {
	.subs = forward_subs,
	.say = { .no_sub = "give a subcommand: list, add or del",
		 .bad_sub = "the subcommand must be list, add or del" },
};

static int cmd_forward(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_api_fwd_owner t = { 0 };
	struct qnm_api_fwd_result res;
	struct qnm_fwd f;
	struct qnm_err err;
	const char *to;
	bool add = strcmp(args->sub, "add") == 0;
	int r;

	if (strcmp(args->sub, "list") == 0)
		return qnm_cli_load(ctx, "forward") ? 1 : cmd_list(ctx);
	t.vm = qnm_args_get(args, "--vm");
	t.nic = qnm_args_get(args, "--nic");
	t.net = qnm_args_get(args, "--net");
	if (t.vm && t.net)
		return qnm_cli_usage_error(ctx, &qnm_cmd_forward,
					   "give either --vm or --net, not both");
	if (t.nic && !t.vm)
		return qnm_cli_usage_error(ctx, &qnm_cmd_forward, "--nic needs --vm");
	to = qnm_args_get(args, "--to");
	if (to && (!add || !t.net))
		return qnm_cli_usage_error(ctx, &qnm_cmd_forward,
					   "--to goes with add --net NETWORK");
	if (add && !t.vm && !t.net)
		return qnm_cli_usage_error(ctx, &qnm_cmd_forward,
					   "add needs --vm VM [--nic ID] or --net NETWORK");
	qnm_err_clear(&err);
	if (parse_fwd_arg(args->pos[0], !add, &f, &err) || (to && set_target(&f, to, &err))) {
		fprintf(ctx->errout, "qnm: forward: %s\n", err.msg);
		return 2;
	}
	if (!add && qnm_args_get(args, "--desc"))
		return qnm_cli_usage_error(
			ctx, &qnm_cmd_forward,
			"--desc goes with add (del finds the forward by its host side)");
	if (qnm_args_get(args, "--desc")) {
		if (qnm_fwd_check_desc(qnm_args_get(args, "--desc"), "desc", &err)) {
			fprintf(ctx->errout, "qnm: forward: %s\n", err.msg);
			return 2;
		}
		qnm_strlcpy(f.desc, qnm_args_get(args, "--desc"), sizeof(f.desc));
	}
	/* the use case reads the whole model under the lock: once, not twice (its skipped files after) */
	qnm_err_clear(&err);
	r = add ? qnm_api_forward_add(ctx, &t, &f, &res, &err)
		: qnm_api_forward_remove(ctx, &t, &f, &res, &err);
	if (ctx->loaded || ctx->indexed)
		qnm_cli_warn_problems(ctx);
	if (r) {
		if (res.undo_err[0])
			fprintf(ctx->errout,
				"qnm: forward: undoing the live change failed too: %s\n",
				res.undo_err);
		return qnm_cli_error(ctx, "forward", &err);
	}
	print_change(ctx, add, &res);
	if (add)
		qnm_cli_note_exposure(ctx, "forward", &res.fwd, 1, res.kind != QNM_API_FWD_HOSTFWD);
	return 0;
}

void qnm_cli_note_exposure(struct qnm_ctx *ctx, const char *cmd, const struct qnm_fwd *v, size_t n,
			   bool dnat)
{
	char note[192];
	size_t i;

	for (i = 0; i < n; i++) {
		if (qnm_fwd_reach(&v[i]) != QNM_REACH_ALL)
			continue;
		qnm_fwd_exposure(&v[i], dnat, note, sizeof(note));
		fprintf(ctx->errout, "qnm: %s: note: %s\n", cmd, note);
	}
}

void qnm_cli_note_net_exposure(struct qnm_ctx *ctx, const char *cmd, const struct qnm_network *net,
			       const struct qnm_fwd *v, size_t n)
{
	char note[256];
	size_t i;

	if (net->mode != QNM_NET_OVN) {
		qnm_cli_note_exposure(ctx, cmd, v, n, true);
		return;
	}
	for (i = 0; i < n; i++) {
		qnm_ovn_fwd_exposure(net, &v[i], note, sizeof(note));
		fprintf(ctx->errout, "qnm: %s: note: %s\n", cmd, note);
	}
}

const struct qnm_cli_cmd qnm_cmd_forward = {
	.name = "forward",
	.usage = "forward list [--json] | add (--vm VM [--nic ID] | --net NETWORK [--to VM/NIC]) "
		 "[--desc TEXT] "
		 "FWD | del [--vm VM [--nic ID] | --net NETWORK] HOSTSIDE",
	.summary = "list, add or remove port forwards (hostfwd on user NICs, DNAT on networks)",
	.help = "FWD is [PROTO]:[HOSTADDR]:HOSTPORTS-[GUESTADDR]:GUESTPORTS (QEMU hostfwd syntax);\n"
		"PROTO is tcp (default), udp or tcp+udp (also 'both'): one entry for both.\n"
		"PORTS is a port or a range FIRST-LAST of at most 1024 ports, as many on both\n"
		"sides: tcp::8000-8010-:9000-9010 (the separator is the last '-' before the\n"
		"guest side's ':'). A user-mode NIC binds one socket per port and protocol, at\n"
		"most 512 in all; a network's DNAT map holds one element per port.\n"
		"HOSTSIDE is [PROTO]:[HOSTADDR]:HOSTPORT (a port of the range; or a whole FWD).\n"
		"del without --vm/--net finds the one forward with that host side.\n"
		"Examples: qnm forward add --vm web tcp:127.0.0.1:2222-:22\n"
		"          qnm forward add --net lan --desc 'web farm' \\\n"
		"                          tcp::8000-8010-10.77.0.5:8000-8010\n"
		"          qnm forward add --net lan --to web/n0 tcp::8081-:80\n"
		"          qnm forward add --vm web tcp+udp::5353-:53\n"
		"          qnm forward del tcp::8080\n",
	.args = &forward_args,
	.run = cmd_forward,
};
