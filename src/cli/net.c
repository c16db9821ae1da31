// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/net.c - host networking from the command line:
 *   qnm net list|show|up|down|add|set|del   qnm networks (bridge, NAT, DHCP)
 *   qnm links [--json]                       every host link with counters
 *   qnm check [--json]                       what this user can do here, and why
 */
#include "build-config.h"

#include "api/doctor.h"
#include "api/net.h"
#include "api/netguard.h"
#include "cli/cli.h"
#include "core/schema.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* Flags of the net subcommands (from the tables below). */
struct net_flags {
	bool json;
	bool force;
	bool confirm_port;
	struct qnm_api_net_guard_opts guard;
};

static void print_notes(struct qnm_ctx *ctx, const struct qnm_strv *notes)
{
	size_t i;

	for (i = 0; i < notes->n; i++)
		fprintf(ctx->errout, "qnm: note: %s\n", notes->v[i]);
}

/* ---- qnm net ---- */

/* what each subcommand runs; its name, options and arguments are in net_args below */
struct net_sub {
	const struct qnm_args_spec *args;
	int (*run)(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv);
};

extern const struct qnm_cli_cmd qnm_cmd_net;

static struct qnm_network *find_net(struct qnm_ctx *ctx, const char *name)
{
	struct qnm_network *net = qnm_model_find_net(&ctx->model, name);

	if (!net)
		fprintf(ctx->errout, "qnm: net: no network named '%s' (qnm net list shows them)\n",
			name);
	return net;
}

static json_object *net_json(const struct qnm_network *net, const char *state)
{
	json_object *o = json_object_new_object();

	char v6[QNM_IPV6_NET_LEN];

	add_str(o, "name", net->name);
	qnm_schema_json(&qnm_net_schema, net, o);
	qnm_api_net_ipv6(net, v6, sizeof(v6));
	add_str(o, "ipv6_prefix", v6); /* "auto" resolved; "" without IPv6 */
	add_str(o, "state", state);
	return o;
}

static int net_list(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_api_net_view *view = qnm_api_net_view_new(ctx);
	size_t i;

	if (f->json) {
		json_object *a = json_object_new_array();

		for (i = 0; i < ctx->model.nnets; i++)
			json_object_array_add(
				a, net_json(ctx->model.nets[i],
					    qnm_api_net_view_state(view, ctx->model.nets[i])));
		qnm_cli_print_json(ctx, a);
	} else if (!ctx->model.nnets) {
		fprintf(ctx->out, "No networks yet. Create one with 'qnm net add NAME bridge=BR "
				  "address=10.77.0.1/24 mode=nat'.\n");
	} else {
		fprintf(ctx->out, "%-16s %-15s %-9s %-18s %-14s %-4s %s\n", "NAME", "BRIDGE",
			"MODE", "ADDRESS", "STATE", "AUTO", "DHCP");
		for (i = 0; i < ctx->model.nnets; i++) {
			const struct qnm_network *n = ctx->model.nets[i];
			char cidr[QNM_CIDR_LEN + 4] = "-", dhcp[40] = "-";

			if (n->address[0])
				snprintf(cidr, sizeof(cidr), "%s/%u", n->address, n->prefix);
			if (n->dhcp_start[0])
				snprintf(dhcp, sizeof(dhcp), "%s-%s", n->dhcp_start, n->dhcp_end);
			fprintf(ctx->out, "%-16s %-15s %-9s %-18s %-14s %-4s %s\n", n->name,
				n->bridge, qnm_net_mode_name(n->mode), cidr,
				qnm_api_net_view_state(view, n), n->autostart ? "yes" : "no", dhcp);
		}
	}
	qnm_api_net_view_free(view);
	return 0;
}

static int net_confirm(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_api_net_confirm(ctx, argv[0], &err) < 0)
		return qnm_cli_error(ctx, "net confirm", &err);
	fprintf(ctx->out, "network %s: the change is kept\n", argv[0]);
	return 0;
}

/* the guard and the host's address of a bridged network, for net show */
static void show_bridged(struct qnm_ctx *ctx, const struct qnm_network *net, json_object *o)
{
	struct qnm_api_net_guard g;
	struct qnm_api_net_port p;

	if (qnm_api_net_port(ctx, net->name, &p, NULL) == 0) {
		if (o) {
			json_object *j = json_object_new_object();

			add_str(j, "port", p.port);
			add_str(j, "port_master", p.master);
			add_str(j, "address", p.address);
			add_str(j, "address_on", p.where);
			add_bool(j, "moved", p.moved);
			json_object_object_add(j, "routes", json_object_new_int64(p.nroutes));
			json_object_object_add(o, "host_address", j);
		} else {
			fprintf(ctx->out, "# port %s: %s\n", p.port,
				p.master[0] ? p.master : "in no bridge");
			if (p.address[0])
				fprintf(ctx->out, "# the host's address %s is on %s%s\n", p.address,
					p.where[0] ? p.where : "no link",
					p.moved ? " (moved there by qnm with its routes)" : "");
		}
	}
	if (qnm_api_net_guard_get(ctx, net->name, &g) < 0 || !g.state[0])
		return;
	if (o) {
		json_object *j = json_object_new_object();

		add_str(j, "state", g.state);
		add_str(j, "undo", g.undo);
		add_str(j, "reason", g.reason);
		json_object_object_add(j, "deadline", json_object_new_int64(g.deadline));
		json_object_object_add(j, "remaining", json_object_new_int64(g.remaining));
		json_object_object_add(o, "guard", j);
	} else if (strcmp(g.state, "armed") == 0) {
		fprintf(ctx->out,
			"# guard: reverting (net %s) in %lld s unless 'qnm net confirm %s'\n",
			g.undo, g.remaining, net->name);
	} else {
		fprintf(ctx->out, "# guard: %s: %s\n", g.state, g.reason);
	}
}

static int net_show(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	const struct qnm_network *net = find_net(ctx, argv[0]);
	const struct qnm_link_info *li;
	struct qnm_api_net_view *view;
	struct qnm_lease *leases = NULL;
	struct qnm_err err;
	size_t nleases = 0, i;

	if (!net)
		return 1;
	view = qnm_api_net_view_new(ctx);
	qnm_err_clear(&err);
	if (qnm_api_net_leases(ctx, net->name, &leases, &nleases, &err) < 0)
		fprintf(ctx->errout, "qnm: net: warning: %s\n", err.msg);
	li = qnm_api_net_view_bridge(view, net);
	if (f->json) {
		json_object *o = net_json(net, qnm_api_net_view_state(view, net));
		json_object *a = json_object_new_array(), *b;

		for (i = 0; i < nleases; i++) {
			json_object *e = json_object_new_object();

			add_str(e, "mac", leases[i].mac);
			add_str(e, "ip", leases[i].ip);
			add_str(e, "hostname", leases[i].hostname);
			json_object_object_add(e, "expiry",
					       json_object_new_int64(leases[i].expiry));
			json_object_array_add(a, e);
		}
		json_object_object_add(o, "leases", a);
		if (li) {
			b = json_object_new_object();
			add_bool(b, "up", li->up);
			for (i = 0; i < QNM_STAT__COUNT; i++)
				json_object_object_add(
					b, qnm_links_stat_name(i),
					json_object_new_int64((int64_t)li->stats[i]));
			json_object_object_add(o, "bridge_link", b);
		}
		show_bridged(ctx, net, o);
		qnm_cli_print_json(ctx, o);
	} else {
		char *text = qnm_network_serialize(net);

		fputs(text, ctx->out);
		free(text);
		const char *st = qnm_api_net_view_state(view, net);
		char v6[QNM_IPV6_NET_LEN];

		fprintf(ctx->out, "\n# state: %s\n", st);
		qnm_api_net_ipv6(net, v6, sizeof(v6));
		if (v6[0])
			fprintf(ctx->out,
				"# ipv6: %s, the host ::1 of it; guests: SLAAC (EUI-64 of "
				"their MAC) and DHCPv6\n",
				v6);
		if (strcmp(st, "interrupted") == 0)
			fprintf(ctx->out,
				"# a qnm bringing it up or down was killed midway: 'qnm net up "
				"%s' finishes it, 'qnm net down %s' undoes it\n",
				net->name, net->name);
		if (strcmp(st, "broken") == 0)
			fprintf(ctx->out,
				"# qnm brought it up but bridge %s is gone (removed outside "
				"qnm?); 'qnm net down %s' cleans up\n",
				net->bridge, net->name);
		if (li)
			fprintf(ctx->out,
				"# bridge %s: %s, rx %llu bytes / %llu packets, tx %llu "
				"bytes / %llu packets\n",
				li->name, li->up ? "up" : "down",
				(unsigned long long)li->stats[QNM_STAT_RX_BYTES],
				(unsigned long long)li->stats[QNM_STAT_RX_PACKETS],
				(unsigned long long)li->stats[QNM_STAT_TX_BYTES],
				(unsigned long long)li->stats[QNM_STAT_TX_PACKETS]);
		for (i = 0; i < nleases; i++)
			fprintf(ctx->out, "# lease: %s %s %s\n", leases[i].mac, leases[i].ip,
				leases[i].hostname);
	}
	if (!f->json)
		show_bridged(ctx, net, NULL);
	free(leases);
	qnm_api_net_view_free(view);
	return 0;
}

static int net_up(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_api_net_up_opts o = { .force = f->force,
					 .confirm_port = f->confirm_port,
					 .guard = f->guard };
	struct qnm_network *net = find_net(ctx, argv[0]);
	struct qnm_strv notes;
	struct qnm_err err;
	int r;

	if (!net)
		return 1;
	qnm_err_clear(&err);
	qnm_strv_init(&notes);
	r = qnm_api_net_up(ctx, net->name, &o, &notes, &err);
	print_notes(ctx, &notes);
	qnm_strv_free(&notes);
	if (r < 0)
		return qnm_cli_error(ctx, "net up", &err);
	fprintf(ctx->out, "network %s is up (bridge %s)\n", net->name, net->bridge);
	return 0;
}

static int net_down(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_strv notes;
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	qnm_strv_init(&notes);
	r = qnm_api_net_down_guarded(ctx, argv[0], &f->guard, &notes, &err);
	print_notes(ctx, &notes);
	qnm_strv_free(&notes);
	if (r < 0)
		return qnm_cli_error(ctx, "net down", &err);
	fprintf(ctx->out, "network %s is down\n", argv[0]);
	return 0;
}

/* Apply KEY=VALUE args to @net, check it with the rest of the model, save. */
static int edit_and_save(struct qnm_ctx *ctx, const char *cmd, struct qnm_network *net,
			 const char *old_name, int argc, char **argv, bool *is_up)
{
	struct qnm_err err;
	size_t i;
	int r = 0;

	for (i = 0; i < (size_t)argc && !r; i++) {
		qnm_err_clear(&err);
		r = qnm_network_assign(net, argv[i], &err);
	}
	if (r)
		return qnm_cli_error(ctx, cmd, &err);
	qnm_err_clear(&err);
	r = qnm_api_net_save(ctx, net, old_name, is_up, &err);
	if (r)
		return qnm_cli_error(ctx, cmd, &err);
	for (i = 0; i < (size_t)argc; i++)
		if (strncmp(argv[i], "forward=", 8) == 0 || strncmp(argv[i], "forward+=", 9) == 0)
			break;
	if (i < (size_t)argc)
		qnm_cli_note_net_exposure(ctx, cmd, net, net->fwd, net->nfwd);
	return 0;
}

static int net_add(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_network *net;
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	if (qnm_api_net_new(ctx, argv[0], &net, &err))
		return qnm_cli_error(ctx, "net add", &err);
	r = edit_and_save(ctx, "net add", net, NULL, argc - 1, argv + 1, NULL);
	if (!r)
		fprintf(ctx->out, "created network '%s' (%s/%s.conf)\n", net->name,
			ctx->paths.nets_dir, net->name);
	qnm_network_free(net);
	return r;
}

/**
 * struct set_words - net set's KEY=VALUE words and the name the network
 * ends up with (name= renames it).
 */
struct set_words {
	int argc;
	char **argv;
	char name[QNM_NAME_MAX + 1];
};

static int set_words(struct qnm_network *net, void *data, struct qnm_err *err)
{
	struct set_words *w = data;
	int i, r = 0;

	for (i = 0; i < w->argc && !r; i++)
		r = qnm_network_assign(net, w->argv[i], err);
	qnm_strlcpy(w->name, net->name, sizeof(w->name));
	return r;
}

static int net_set(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct set_words w = { argc - 1, argv + 1, "" };
	struct qnm_err err;
	bool up = false;

	if (!find_net(ctx, argv[0]))
		return 1;
	/* applied to the network as it is on disk now, under the configuration lock */
	qnm_err_clear(&err);
	if (qnm_api_net_edit(ctx, argv[0], set_words, &w, &up, &err))
		return qnm_cli_error(ctx, "net set", &err);
	if (up)
		fprintf(ctx->errout,
			"qnm: note: network %s is up: 'qnm net up %s' applies the change now "
			"(its guests stay connected)\n",
			w.name, w.name);
	return 0;
}

static int net_del(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_err err;

	if (!find_net(ctx, argv[0]))
		return 1;
	qnm_err_clear(&err);
	if (qnm_api_net_delete(ctx, argv[0], &err))
		return qnm_cli_error(ctx, "net del", &err);
	fprintf(ctx->out, "deleted network '%s'\n", argv[0]);
	return 0;
}

/* options and arguments of each subcommand (errors name it: "qnm: net up: ...") */
static const struct qnm_opt net_json_opts[] = {
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

/* the guard of a bridged up or down (api/netguard.h) */
#define GUARD_OPTS                                                                                 \
	{ .name = "--confirm-in",                                                                  \
	  .type = QNM_OPT_UINT,                                                                    \
	  .arg = "SEC",                                                                            \
	  .min = 1,                                                                                \
	  .max = 3600,                                                                             \
	  .what = "a number of seconds",                                                           \
	  .help = "bridged mode: seconds to confirm the change in (default 30)" },                 \
	{                                                                                          \
		.name = "--no-guard",                                                              \
		.help = "bridged mode: no rollback unless confirmed (scripts)"                     \
	}

static const struct qnm_opt net_up_opts[] = {
	{ .name = "--force",
	  .help = "use a bridge qnm did not create (never deleted then), move a port out of "
		  "another bridge" },
	{ .name = "--confirm-port",
	  .help = "bridged mode: take the physical port over; the host's addresses and routes "
		  "move from it to the bridge (rolled back unless confirmed: qnm net confirm)" },
	GUARD_OPTS,
	{ .name = NULL },
};

static const struct qnm_opt net_down_opts[] = {
	GUARD_OPTS,
	{ .name = NULL },
};

#define WRONG_COUNT "wrong number of arguments"

static const struct qnm_args_spec net_list_args = {
	.name = "net list",
	.opts = net_json_opts,
	.min = 0,
	.max = 0,
	.say.few = WRONG_COUNT,
};
static const struct qnm_args_spec net_show_args = {
	.name = "net show",
	.opts = net_json_opts,
	.min = 1,
	.max = 1,
	.say.few = WRONG_COUNT,
};
static const struct qnm_args_spec net_up_args = {
	.name = "net up",
	.opts = net_up_opts,
	.min = 1,
	.max = 1,
	.say.few = WRONG_COUNT,
};
static const struct qnm_args_spec net_down_args = {
	.name = "net down",
	.opts = net_down_opts,
	.min = 1,
	.max = 1,
	.say.few = WRONG_COUNT,
};
static const struct qnm_args_spec net_confirm_args = {
	.name = "net confirm",
	.min = 1,
	.max = 1,
	.say.few = WRONG_COUNT,
};
static const struct qnm_args_spec net_add_args = {
	.name = "net add",
	.min = 1,
	.max = -1,
	.say.few = WRONG_COUNT,
};
static const struct qnm_args_spec net_set_args = {
	.name = "net set",
	.min = 2,
	.max = -1,
	.say.few = WRONG_COUNT,
};
static const struct qnm_args_spec net_del_args = {
	.name = "net del",
	.min = 1,
	.max = 1,
	.say.few = WRONG_COUNT,
};

static const struct qnm_args_sub net_args_subs[] = {
	{ "list", &net_list_args }, { "show", &net_show_args },	      { "up", &net_up_args },
	{ "down", &net_down_args }, { "add", &net_add_args },	      { "set", &net_set_args },
	{ "del", &net_del_args },   { "confirm", &net_confirm_args }, { NULL, NULL },
};

static const struct qnm_args_spec net_args = {
	.subs = net_args_subs,
};

static const struct net_sub net_subs[] = {
	{ &net_add_args, net_add },   { &net_del_args, net_del },
	{ &net_down_args, net_down }, { &net_list_args, net_list },
	{ &net_set_args, net_set },   { &net_show_args, net_show },
	{ &net_up_args, net_up },     { &net_confirm_args, net_confirm },
};

static int cmd_net(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	const struct net_sub *sub = NULL;
	struct net_flags f = { .json = ctx->json };
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(net_subs); i++)
		if (net_subs[i].args == args->spec)
			sub = &net_subs[i];
	if (args->spec == &net_up_args) {
		f.force = qnm_args_has(args, "--force");
		f.confirm_port = qnm_args_has(args, "--confirm-port");
	}
	if (args->spec == &net_up_args || args->spec == &net_down_args) {
		f.guard.no_guard = qnm_args_has(args, "--no-guard");
		f.guard.confirm_in = (unsigned)qnm_args_uint(args, "--confirm-in", 0);
	}
	if (qnm_cli_load(ctx, "net"))
		return 1;
	return sub->run(ctx, &f, args->npos, args->pos);
}

const struct qnm_cli_cmd qnm_cmd_net = {
	.name = "net",
	.usage = "net list|show|up|down|confirm|add|set|del ...",
	.summary = "host networks: bridge, address, NAT or bridged port, DHCP, port forwards",
	.help = "  net list [--json]                 networks and whether they are up\n"
		"  net show NET [--json]             settings, bridge counters, DHCP leases\n"
		"  net up NET [--force] [--confirm-port] [--confirm-in SEC] [--no-guard]\n"
		"                                    create the bridge, address, NAT rules, DHCP\n"
		"  net down NET [--confirm-in SEC] [--no-guard]\n"
		"                                    remove what 'up' made\n"
		"  net confirm NET                   keep a bridged up/down (else rolled back)\n"
		"  net add NET KEY=VALUE...          create a network file\n"
		"  net set NET KEY=VALUE...          change it (forward+=..., forward-=...)\n"
		"  net del NET                       delete its file (down, no TAP NIC on it)\n"
		"Up/down change the host: they need CAP_NET_ADMIN (root).\n",
	.args = &net_args,
	.keys = &qnm_net_schema,
	.run = cmd_net,
};

/* ---- qnm links ---- */

/* links and check: every usage error says "unexpected argument" (tests/sh/bad-input.sh greps it) */
static const struct qnm_args_spec json_only_args = {
	.opts = net_json_opts,
	.max = 0,
	.say.unknown = "unexpected argument '%s'",
};

/*
 * Print @s as a JSON string, escaped as json-c does with
 * JSON_C_TO_STRING_NOSLASHESCAPE.
 */
static void put_json_str(FILE *f, const char *s)
{
	static const char esc[] = {
		['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r'
	};
	const unsigned char *p;

	putc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < sizeof(esc) && esc[*p])
			fprintf(f, "\\%c", esc[*p]);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			putc(*p, f);
	}
	putc('"', f);
}

/*
 * "qnm links --json": printed as it goes, in the layout of
 * qnm_cli_print_json() (json-c's pretty form), without building a json-c
 * tree of ~25 objects per link (2,001 links: half of the command's time).
 */
static void print_links_json(FILE *f, const struct qnm_links *l)
{
	size_t i, k;

	fputs("[\n", f);
	for (i = 0; i < l->n; i++) {
		const struct qnm_link_info *li = &l->v[i];

		fprintf(f, "  {\n    \"ifindex\":%d,\n    \"name\":", li->ifindex);
		put_json_str(f, li->name);
		fputs(",\n    \"type\":", f);
		put_json_str(f, li->type);
		fprintf(f, ",\n    \"up\":%s,\n    \"carrier\":%s,\n    \"operstate\":",
			li->up ? "true" : "false", li->carrier ? "true" : "false");
		put_json_str(f, li->operstate);
		fprintf(f, ",\n    \"mtu\":%d,\n    \"master\":", (int)li->mtu);
		put_json_str(f, li->master_name);
		fputs(",\n    \"mac\":", f);
		put_json_str(f, li->mac);
		fputs(",\n    \"addresses\":[\n", f);
		for (k = 0; k < li->naddrs; k++) {
			fputs("      ", f);
			put_json_str(f, li->addrs[k]);
			fputs(k + 1 < li->naddrs ? ",\n" : "\n", f);
		}
		fputs("    ],\n    \"stats\":{\n", f);
		for (k = 0; k < QNM_STAT__COUNT; k++)
			fprintf(f, "      \"%s\":%" PRId64 "%s\n", qnm_links_stat_name(k),
				(int64_t)li->stats[k], k + 1 < QNM_STAT__COUNT ? "," : "");
		fprintf(f, "    }\n  }%s\n", i + 1 < l->n ? "," : "");
	}
	fputs("]\n", f);
}

static int cmd_links(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_links *l;
	struct qnm_err err;
	bool json = ctx->json;
	size_t i;

	qnm_err_clear(&err);
	if (qnm_api_net_links(true, &l, &err) < 0)
		return qnm_cli_error(ctx, "links", &err);
	if (json) {
		print_links_json(ctx->out, l);
	} else {
		fprintf(ctx->out,
			"%-4s %-15s %-8s %-5s %-12s %-18s %14s %10s %14s %10s %6s %6s  %s\n", "IDX",
			"NAME", "TYPE", "STATE", "MASTER", "ADDRESS", "RX_BYTES", "RX_PKTS",
			"TX_BYTES", "TX_PKTS", "ERRS", "DROPS", "MAC");
		for (i = 0; i < l->n; i++) {
			const struct qnm_link_info *li = &l->v[i];

			fprintf(ctx->out,
				"%-4d %-15s %-8s %-5s %-12s %-18s %14llu %10llu %14llu %10llu %6llu "
				"%6llu  %s\n",
				li->ifindex, li->name, li->type, li->up ? "up" : "down",
				li->master_name[0] ? li->master_name : "-",
				li->naddrs ? li->addrs[0] : "-",
				(unsigned long long)li->stats[QNM_STAT_RX_BYTES],
				(unsigned long long)li->stats[QNM_STAT_RX_PACKETS],
				(unsigned long long)li->stats[QNM_STAT_TX_BYTES],
				(unsigned long long)li->stats[QNM_STAT_TX_PACKETS],
				(unsigned long long)li->stats[QNM_STAT_RX_ERRORS] +
					li->stats[QNM_STAT_TX_ERRORS],
				(unsigned long long)li->stats[QNM_STAT_RX_DROPPED] +
					li->stats[QNM_STAT_TX_DROPPED],
				li->mac[0] ? li->mac : "-");
		}
	}
	qnm_links_free(l);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_links = {
	.name = "links",
	.usage = "links [--json]",
	.summary = "list host network links with type, state, master, addresses and counters",
	.help = "Read through rtnetlink (no privilege needed), in this network namespace.\n",
	.args = &json_only_args,
	.run = cmd_links,
};

/* ---- qnm check ---- */

static int cmd_check(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_api_host_check *v;
	json_object *arr = NULL;
	bool json = ctx->json;
	size_t i, n;

	if (json)
		arr = json_object_new_array();
	v = qnm_api_doctor_host(ctx, &n);
	for (i = 0; i < n; i++) {
		if (json) {
			json_object *o = json_object_new_object();

			add_str(o, "name", v[i].name);
			add_bool(o, "ok", v[i].ok);
			add_str(o, "detail", v[i].detail);
			json_object_array_add(arr, o);
		} else {
			fprintf(ctx->out, "%-4s %-17s %s\n", v[i].ok ? "ok" : "NO", v[i].name,
				v[i].detail);
		}
	}
	free(v);
	if (json)
		qnm_cli_print_json(ctx, arr);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_check = {
	.name = "check",
	.usage = "check [--json]",
	.summary = "what this user can and cannot do on this host, and why",
	.help = "Checks CAP_NET_ADMIN, /dev/net/tun, net.ipv4.ip_forward,\n"
		"net.ipv4.ping_group_range (guest ping on user-mode networking), dnsmasq (DHCP),\n"
		"QEMU's bridge helper and nftables, in this network namespace. Exit status 0.\n",
	.args = &json_only_args,
	.run = cmd_check,
};
