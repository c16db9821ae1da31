// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-net.c - host networking from the command line:
 *   qnm net list|show|up|down|add|set|del   qnm networks (bridge, NAT, DHCP)
 *   qnm links [--json]                       every host link with counters
 *   qnm check [--json]                       what this user can do here, and why
 */
#include "build-config.h"

#include "host/bridgeconf.h"
#include "cli/cli.h"
#include "host/dnsmasq.h"
#include "watch/doctor.h"
#include "host/links.h"
#include "host/netctl.h"
#include "host/nft.h"
#include "host/sysctl.h"
#include "host/tuntap.h"
#include "core/schema.h"
#include "core/validate.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- shared helpers ---- */

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* Flags of the net subcommands, parsed out of argv (positional args are kept). */
struct net_flags {
	bool json;
	bool force;
	bool confirm_port;
};

static const struct {
	const char *opt;
	size_t off;
} net_flag_table[] = {
	{ "--json", offsetof(struct net_flags, json) },
	{ "--force", offsetof(struct net_flags, force) },
	{ "--confirm-port", offsetof(struct net_flags, confirm_port) },
};

/* Move positional args to argv[0..n); Return: n, or -1 on an unknown option (*@bad). */
static int parse_flags(int argc, char **argv, struct net_flags *f, const char **bad)
{
	int i, n = 0;
	size_t k;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1]) {
			argv[n++] = argv[i];
			continue;
		}
		for (k = 0; k < QNM_ARRAY_SIZE(net_flag_table); k++)
			if (strcmp(argv[i], net_flag_table[k].opt) == 0)
				break;
		if (k == QNM_ARRAY_SIZE(net_flag_table)) {
			*bad = argv[i];
			return -1;
		}
		*(bool *)((char *)f + net_flag_table[k].off) = true;
	}
	return n;
}

static void print_notes(struct qnm_ctx *ctx, const struct qnm_strv *notes)
{
	size_t i;

	for (i = 0; i < notes->n; i++)
		fprintf(ctx->errout, "qnm: note: %s\n", notes->v[i]);
}

/* ---- qnm net ---- */

struct net_sub {
	const char *name;
	int nargs; /* positional arguments after the subcommand; -1 = NAME KEY=VALUE... */
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

static const char *net_state(const struct qnm_links *l, const struct qnm_owner *own,
			     const struct qnm_network *net)
{
	const struct qnm_link_info *li = l ? qnm_links_find(l, net->bridge) : NULL;
	bool rec = own && qnm_owner_find(own, QNM_OWN_NET, net->name);

	if (rec && li)
		return li->up ? "up" : "bridge-down";
	if (rec)
		return "broken"; /* recorded up, bridge gone */
	return li ? "bridge-exists" : "down";
}

static json_object *net_json(const struct qnm_network *net, const char *state)
{
	json_object *o = json_object_new_object();

	add_str(o, "name", net->name);
	qnm_schema_json(&qnm_net_schema, net, o);
	add_str(o, "state", state);
	return o;
}

/* Links and ownership records for the state column; either may fail (NULL). */
static void open_state(struct qnm_ctx *ctx, struct qnm_links **l, struct qnm_owner *own,
		       bool *have_own)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_links_new(true, l, &err) < 0)
		*l = NULL;
	*have_own = qnm_owner_open(own, ctx->paths.runtime_dir, &err) == 0;
}

static int net_list(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_links *l;
	struct qnm_owner own;
	bool have_own;
	size_t i;

	open_state(ctx, &l, &own, &have_own);
	if (f->json) {
		json_object *a = json_object_new_array();

		for (i = 0; i < ctx->model.nnets; i++)
			json_object_array_add(
				a, net_json(ctx->model.nets[i], net_state(l, have_own ? &own : NULL,
									  ctx->model.nets[i])));
		qnm_cli_print_json(ctx, a);
	} else if (!ctx->model.nnets) {
		fprintf(ctx->out, "No networks yet. Create one with 'qnm net add NAME bridge=BR "
				  "address=10.77.0.1/24 mode=nat'.\n");
	} else {
		fprintf(ctx->out, "%-16s %-15s %-9s %-18s %-14s %s\n", "NAME", "BRIDGE", "MODE",
			"ADDRESS", "STATE", "DHCP");
		for (i = 0; i < ctx->model.nnets; i++) {
			const struct qnm_network *n = ctx->model.nets[i];
			char cidr[QNM_CIDR_LEN + 4] = "-", dhcp[40] = "-";

			if (n->address[0])
				snprintf(cidr, sizeof(cidr), "%s/%u", n->address, n->prefix);
			if (n->dhcp_start[0])
				snprintf(dhcp, sizeof(dhcp), "%s-%s", n->dhcp_start, n->dhcp_end);
			fprintf(ctx->out, "%-16s %-15s %-9s %-18s %-14s %s\n", n->name, n->bridge,
				qnm_net_mode_name(n->mode), cidr,
				net_state(l, have_own ? &own : NULL, n), dhcp);
		}
	}
	qnm_links_free(l);
	if (have_own)
		qnm_owner_clear(&own);
	return 0;
}

static int net_show(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	const struct qnm_network *net = find_net(ctx, argv[0]);
	const struct qnm_link_info *li;
	struct qnm_lease *leases = NULL;
	struct qnm_links *l;
	struct qnm_owner own;
	struct qnm_err err;
	size_t nleases = 0, i;
	bool have_own;

	if (!net)
		return 1;
	open_state(ctx, &l, &own, &have_own);
	qnm_err_clear(&err);
	if (qnm_leases_read(ctx->paths.runtime_dir, net->name, &leases, &nleases, &err) < 0)
		fprintf(ctx->errout, "qnm: net: warning: %s\n", err.msg);
	li = l ? qnm_links_find(l, net->bridge) : NULL;
	if (f->json) {
		json_object *o = net_json(net, net_state(l, have_own ? &own : NULL, net));
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
		qnm_cli_print_json(ctx, o);
	} else {
		char *text = qnm_network_serialize(net);

		fputs(text, ctx->out);
		free(text);
		const char *st = net_state(l, have_own ? &own : NULL, net);

		fprintf(ctx->out, "\n# state: %s\n", st);
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
	free(leases);
	qnm_links_free(l);
	if (have_own)
		qnm_owner_clear(&own);
	return 0;
}

static int net_up(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_net_up_opts o = { .force = f->force, .confirm_port = f->confirm_port };
	struct qnm_network *net = find_net(ctx, argv[0]);
	struct qnm_netctl nc;
	struct qnm_strv notes;
	struct qnm_err err;
	int r;

	if (!net)
		return 1;
	qnm_err_clear(&err);
	r = qnm_netctl_open(&nc, ctx->paths.runtime_dir, &err);
	if (r < 0)
		return qnm_cli_error(ctx, "net up", &err);
	qnm_strv_init(&notes);
	r = qnm_net_up(&nc, &ctx->model, net, &o, &notes, &err);
	print_notes(ctx, &notes);
	qnm_strv_free(&notes);
	qnm_netctl_close(&nc);
	if (r < 0)
		return qnm_cli_error(ctx, "net up", &err);
	fprintf(ctx->out, "network %s is up (bridge %s)\n", net->name, net->bridge);
	return 0;
}

static int net_down(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_netctl nc;
	struct qnm_strv notes;
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	r = qnm_netctl_open(&nc, ctx->paths.runtime_dir, &err);
	if (r < 0)
		return qnm_cli_error(ctx, "net down", &err);
	qnm_strv_init(&notes);
	r = qnm_net_down(&nc, &ctx->model, argv[0], &notes, &err);
	print_notes(ctx, &notes);
	qnm_strv_free(&notes);
	qnm_netctl_close(&nc);
	if (r < 0)
		return qnm_cli_error(ctx, "net down", &err);
	fprintf(ctx->out, "network %s is down\n", argv[0]);
	return 0;
}

/* Apply KEY=VALUE args to @net, check it with the rest of the model, save. */
static int edit_and_save(struct qnm_ctx *ctx, const char *cmd, struct qnm_network *net,
			 const char *old_name, int argc, char **argv)
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
	r = qnm_ctx_save_network(ctx, net, old_name, &err);
	return r ? qnm_cli_error(ctx, cmd, &err) : 0;
}

static int net_add(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_network *net;
	int r;

	if (!qnm_valid_name(argv[0])) {
		fprintf(ctx->errout,
			"qnm: net add: name: '%s' must be 1-%d letters, digits, '_', "
			"'-' or '.', starting with a letter or digit\n",
			argv[0], QNM_NAME_MAX);
		return 1;
	}
	if (qnm_model_find_net(&ctx->model, argv[0])) {
		fprintf(ctx->errout, "qnm: net add: name: a network named '%s' already exists\n",
			argv[0]);
		return 1;
	}
	net = qnm_network_new(argv[0]);
	r = edit_and_save(ctx, "net add", net, NULL, argc - 1, argv + 1);
	if (!r)
		fprintf(ctx->out, "created network '%s' (%s/%s.conf)\n", net->name,
			ctx->paths.nets_dir, net->name);
	qnm_network_free(net);
	return r;
}

static int net_set(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_network *orig = find_net(ctx, argv[0]), *net;
	int r;

	if (!orig)
		return 1;
	net = qnm_network_copy(orig);
	/* On success @orig is replaced in the model (and freed): use @net after. */
	r = edit_and_save(ctx, "net set", net, orig->name, argc - 1, argv + 1);
	if (!r && qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_NET, net->name))
		fprintf(ctx->errout,
			"qnm: note: network %s is up: the change applies at the next "
			"'qnm net down %s; qnm net up %s'\n",
			net->name, net->name, net->name);
	qnm_network_free(net);
	return r;
}

static int net_del(struct qnm_ctx *ctx, const struct net_flags *f, int argc, char **argv)
{
	struct qnm_err err;

	if (!find_net(ctx, argv[0]))
		return 1;
	if (qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_NET, argv[0])) {
		fprintf(ctx->errout,
			"qnm: net del: network %s is up: take it down first (qnm net "
			"down %s)\n",
			argv[0], argv[0]);
		return 1;
	}
	qnm_err_clear(&err);
	if (qnm_config_delete_network(&ctx->paths, argv[0], &err))
		return qnm_cli_error(ctx, "net del", &err);
	fprintf(ctx->out, "deleted network '%s'\n", argv[0]);
	return 0;
}

static const struct net_sub net_subs[] = {
	{ "add", -1, net_add },	 { "del", 1, net_del },	 { "down", 1, net_down },
	{ "list", 0, net_list }, { "set", -2, net_set }, { "show", 1, net_show },
	{ "up", 1, net_up },
};

static int cmd_net(struct qnm_ctx *ctx, int argc, char **argv)
{
	const struct net_sub *sub = NULL;
	const char *bad = NULL;
	struct net_flags f;
	size_t i;
	int n;

	if (argc < 2)
		return qnm_cli_usage_error(ctx, &qnm_cmd_net, "give a subcommand");
	for (i = 0; i < QNM_ARRAY_SIZE(net_subs); i++)
		if (strcmp(argv[1], net_subs[i].name) == 0)
			sub = &net_subs[i];
	if (!sub) {
		fprintf(ctx->errout, "qnm: net: unknown subcommand '%s'\n", argv[1]);
		qnm_cli_usage(ctx->errout, &qnm_cmd_net);
		return 2;
	}
	n = parse_flags(argc - 2, argv + 2, &f, &bad);
	if (n < 0) {
		fprintf(ctx->errout, "qnm: net %s: unknown option '%s'\n", sub->name, bad);
		qnm_cli_usage(ctx->errout, &qnm_cmd_net);
		return 2;
	}
	if ((sub->nargs >= 0 && n != sub->nargs) || (sub->nargs == -1 && n < 1) ||
	    (sub->nargs == -2 && n < 2)) {
		fprintf(ctx->errout, "qnm: net %s: wrong number of arguments\n", sub->name);
		qnm_cli_usage(ctx->errout, &qnm_cmd_net);
		return 2;
	}
	ctx->json = f.json;
	if (qnm_cli_load(ctx, "net"))
		return 1;
	return sub->run(ctx, &f, n, argv + 2);
}

const struct qnm_cli_cmd qnm_cmd_net = {
	.name = "net",
	.usage = "net list|show|up|down|add|set|del ...",
	.summary = "host networks: bridge, address, NAT or bridged port, DHCP, port forwards",
	.help = "  net list [--json]                 networks and whether they are up\n"
		"  net show NET [--json]             settings, bridge counters, DHCP leases\n"
		"  net up NET [--force] [--confirm-port]\n"
		"                                    create the bridge, address, NAT rules, DHCP\n"
		"  net down NET                      remove what 'up' made\n"
		"  net add NET KEY=VALUE...          create a network file\n"
		"  net set NET KEY=VALUE...          change it (forward+=..., forward-=...)\n"
		"  net del NET                       delete its file (must be down)\n"
		"--force: use a bridge qnm did not create (never deleted then), move a port out\n"
		"         of another bridge.\n"
		"--confirm-port: bridged mode: take the physical port over; the host's address\n"
		"         on that port stops working until it is moved to the bridge.\n"
		"Up/down change the host: they need CAP_NET_ADMIN (root).\n",
	.keys = &qnm_net_schema,
	.run = cmd_net,
};

/* ---- qnm links ---- */

static int cmd_links(struct qnm_ctx *ctx, int argc, char **argv)
{
	struct qnm_links *l;
	struct qnm_err err;
	bool json = false;
	size_t i, k;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = true;
		else
			return qnm_cli_usage_error(ctx, &qnm_cmd_links, "unexpected argument");
	}
	qnm_err_clear(&err);
	if (qnm_links_new(true, &l, &err) < 0)
		return qnm_cli_error(ctx, "links", &err);
	if (json) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < l->n; i++) {
			const struct qnm_link_info *li = &l->v[i];
			json_object *o = json_object_new_object(), *ad = json_object_new_array(),
				    *st = json_object_new_object();

			json_object_object_add(o, "ifindex", json_object_new_int(li->ifindex));
			add_str(o, "name", li->name);
			add_str(o, "type", li->type);
			add_bool(o, "up", li->up);
			add_bool(o, "carrier", li->carrier);
			add_str(o, "operstate", li->operstate);
			json_object_object_add(o, "mtu", json_object_new_int((int)li->mtu));
			add_str(o, "master", li->master_name);
			add_str(o, "mac", li->mac);
			for (k = 0; k < li->naddrs; k++)
				json_object_array_add(ad, json_object_new_string(li->addrs[k]));
			json_object_object_add(o, "addresses", ad);
			for (k = 0; k < QNM_STAT__COUNT; k++)
				json_object_object_add(
					st, qnm_links_stat_name(k),
					json_object_new_int64((int64_t)li->stats[k]));
			json_object_object_add(o, "stats", st);
			json_object_array_add(arr, o);
		}
		qnm_cli_print_json(ctx, arr);
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
	.run = cmd_links,
};

/* ---- qnm check ---- */

struct check_item {
	const char *name;
	bool (*probe)(struct qnm_ctx *ctx, char *why, size_t size);
};

static bool probe_cap(struct qnm_ctx *ctx, char *why, size_t size)
{
	bool ok = qnm_have_cap_net_admin();

	snprintf(why, size, "%s",
		 ok ? "CAP_NET_ADMIN: qnm can create bridges and TAPs, NAT rules, DHCP"
		    : "no CAP_NET_ADMIN: qnm net up/down and TAP NICs are unavailable; user-mode "
		      "(user, slirp) NICs work, bridge NICs work through QEMU's bridge helper "
		      "when it is set up (run as root or grant the capability for the rest)");
	return ok;
}

static bool probe_tun(struct qnm_ctx *ctx, char *why, size_t size)
{
	if (!qnm_tun_available(why, size))
		return false;
	snprintf(why, size, "/dev/net/tun can be opened%s",
		 qnm_have_cap_net_admin() ? ""
					  : " (creating TAPs still needs CAP_NET_ADMIN; opening an "
					    "existing TAP you own does not)");
	return true;
}

static bool probe_forward(struct qnm_ctx *ctx, char *why, size_t size)
{
	struct qnm_err err;
	bool on;

	qnm_err_clear(&err);
	if (qnm_ip_forward_get(&on, &err) < 0) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	snprintf(why, size, "net.ipv4.ip_forward = %d%s", on ? 1 : 0,
		 on ? ""
		    : ": NAT networks need 1; 'qnm net up' sets it (and restores it when the "
		      "last NAT network goes down)");
	return on;
}

static bool probe_ping(struct qnm_ctx *ctx, char *why, size_t size)
{
	struct qnm_err err;
	bool ok;

	qnm_err_clear(&err);
	if (qnm_ping_check(&ok, why, size, &err) < 0) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	return ok;
}

static bool probe_dnsmasq(struct qnm_ctx *ctx, char *why, size_t size)
{
	char path[4096];
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_dnsmasq_find(path, sizeof(path), &err) < 0) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	snprintf(why, size, "%s: DHCP on nat/isolated networks is available", path);
	return true;
}

/* doctor's bridge_helper check on the helper QEMU runs by default, and the ACL file it reads */
static bool probe_helper(struct qnm_ctx *ctx, char *why, size_t size)
{
	const char *conf = qnm_bridge_conf_path();
	bool ok, conf_ok = access(conf, R_OK) == 0;
	struct qnm_doc_result res;

	qnm_doc_result_init(&res);
	qnm_doctor_bridge_helper(NULL, &res);
	ok = res.status == QNM_DOC_OK;
	if (!ok)
		snprintf(why, size, "%s; fix: %s", res.finding.s, res.fix.s);
	else if (!conf_ok)
		snprintf(why, size,
			 "%s; but %s is missing or unreadable: it must say 'allow BRIDGE' for each "
			 "bridge QEMU may join",
			 res.finding.s, conf);
	else
		snprintf(why, size, "%s; bridges must be allowed in %s", res.finding.s, conf);
	qnm_doc_result_clear(&res);
	return ok && conf_ok;
}

static bool probe_nft(struct qnm_ctx *ctx, char *why, size_t size)
{
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	r = qnm_nft_table_exists(&err);
	if (r < 0) {
		snprintf(why, size, "cannot read nftables: %s", err.msg);
		return false;
	}
	snprintf(why, size, "nftables readable; table inet qnm %s", r ? "present" : "absent");
	return true;
}

static const struct check_item check_items[] = {
	{ "cap_net_admin", probe_cap },	 { "dev_net_tun", probe_tun },
	{ "ip_forward", probe_forward }, { "ping_group_range", probe_ping },
	{ "dnsmasq", probe_dnsmasq },	 { "bridge_helper", probe_helper },
	{ "nftables", probe_nft },
};

static int cmd_check(struct qnm_ctx *ctx, int argc, char **argv)
{
	json_object *arr = NULL;
	bool json = false;
	char why[512];
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = true;
		else
			return qnm_cli_usage_error(ctx, &qnm_cmd_check, "unexpected argument");
	}
	if (json)
		arr = json_object_new_array();
	for (i = 0; i < QNM_ARRAY_SIZE(check_items); i++) {
		bool ok;

		why[0] = '\0';
		ok = check_items[i].probe(ctx, why, sizeof(why));
		if (json) {
			json_object *o = json_object_new_object();

			add_str(o, "name", check_items[i].name);
			add_bool(o, "ok", ok);
			add_str(o, "detail", why);
			json_object_array_add(arr, o);
		} else {
			fprintf(ctx->out, "%-4s %-17s %s\n", ok ? "ok" : "NO", check_items[i].name,
				why);
		}
	}
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
	.run = cmd_check,
};
