// SPDX-License-Identifier: GPL-2.0-or-later
/* guestaddr.c - the guests' addresses as the host side saw them (see guestaddr.h). */
#include "build-config.h"

#include "watch/guestaddr.h"

#include "core/backend.h"
#include "guest/conns.h"
#include "guest/qmp.h"
#include "guest/rundir.h"
#include "guest/runner.h"
#include "guest/slirp-helper.h"
#include "guest/slirpctl.h"
#include "host/dnsmasq.h"
#include "host/ovn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Timeout of one slirp helper request during a refresh, in ms. */
#define SLIRP_TIMEOUT_MS 250

/* The last "info usernet" of one VM (private to this file). */
struct qnm_guestaddr_qmp {
	char vm[QNM_NAME_MAX + 1];
	pid_t qemu_pid;
	int64_t at_ms;
	char *hmp;  /* NULL when QEMU did not answer */
	bool fresh; /* seen in the current refresh */
};

/* What one refresh reads once and every source may use. */
struct refresh {
	struct qnm_guestaddr *g;
	const struct qnm_model *model;
	struct qnm_neigh *nv;
	size_t nn;
	int64_t now_ms;
	const char *rundir; /* the VM's runtime dir */
	pid_t qemu_pid;
};

/* Append the source @one (once) to @a's list. */
static void add_source(struct qnm_nic_addrs *a, const char *one)
{
	size_t len = strlen(a->source);

	if (strstr(a->source, one))
		return;
	snprintf(a->source + len, sizeof(a->source) - len, "%s%s", len ? ", " : "", one);
}

/* Add @addr once to the list @v of @stride-byte strings (*@n of them, at most QNM_GUESTADDR_MAX). */
static bool add_once(char *v, size_t stride, size_t *n, const char *addr)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(v + i * stride, addr) == 0)
			return false;
	if (*n == QNM_GUESTADDR_MAX)
		return false;
	qnm_strlcpy(v + (*n)++ * stride, addr, stride);
	return true;
}

/* Add @addr (IPv4 or IPv6 text) once; true when it was new. */
static bool add_addr(struct qnm_nic_addrs *a, const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return a4.s_addr != 0 && add_once(a->v4[0], sizeof(a->v4[0]), &a->n4, addr);
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return add_once(a->v6[0], sizeof(a->v6[0]), &a->n6, addr);
	return false;
}

size_t qnm_slirp_neigh_parse(const char *text, const char *mac, struct qnm_nic_addrs *a)
{
	const char *p = text;
	size_t added = 0;

	while (p && *p) {
		char table[8], m[32], ip[64];
		const char *eol = strchr(p, '\n');
		char line[160];
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (sscanf(line, "%7s %31s %63s", table, m, ip) == 3 &&
			    (strcmp(table, "ARP") == 0 || strcmp(table, "NDP") == 0) &&
			    strcasecmp(m, mac) == 0 && add_addr(a, ip))
				added++;
		}
		p = eol ? eol + 1 : NULL;
	}
	return added;
}

/* ---- the sources: each says whether it applies to a NIC, then reads ---- */

/* qnm's dnsmasq on the NIC's network: its lease of the NIC's MAC. */
static bool lease_applies(const struct qnm_backend_ops *b, const struct qnm_nic *nic)
{
	return qnm_nic_network(nic) != NULL;
}

static void lease_read(struct refresh *r, const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	const char *name = qnm_nic_network(nic);
	const struct qnm_network *net = r->model ? qnm_model_find_net(r->model, name) : NULL;
	const struct qnm_lease *l;
	struct qnm_lease *v;
	struct qnm_err err;
	size_t n;

	/*
	 * no dnsmasq of qnm's there: a bridged network (the LAN's DHCP server
	 * leases) or an ovn one (OVN's DHCP: ovn_read())
	 */
	if (net && (!net->dhcp_start[0] || net->mode == QNM_NET_OVN))
		return;
	if (qnm_leases_read(r->g->runtime_dir, name, &v, &n, &err) < 0) {
		snprintf(a->why, sizeof(a->why), "network %s's leases: %.100s", name, err.msg);
		return;
	}
	l = qnm_leases_find_mac(v, n, a->mac);
	if (l && add_addr(a, l->ip)) {
		char one[64];

		snprintf(one, sizeof(one), "dnsmasq lease on %s", name);
		add_source(a, one);
	} else if (!l && !a->why[0])
		snprintf(a->why, sizeof(a->why), "no DHCP lease on network %s yet", name);
	free(v);
}

/*
 * An ovn network: the addresses of the NIC's logical port CHASSIS/VM/NIC in
 * OVN's northbound database (its reservation, or what OVN picked for it),
 * which OVN's DHCP gives the guest.
 */
static void ovn_read(struct refresh *r, const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	const char *name = qnm_nic_network(nic);
	const struct qnm_network *net = r->model ? qnm_model_find_net(r->model, name) : NULL;
	char db[QNM_OVSDB_REMOTE_MAX + 16], chassis[QNM_NAME_MAX + 1], lsp[QNM_OVN_LSP_MAX];
	char addrs[256], *tok, *save = NULL;
	struct qnm_err err;
	int added = 0;

	if (!net || net->mode != QNM_NET_OVN)
		return;
	qnm_ovs_local_db(db, sizeof(db));
	if (qnm_ovs_system_id(db, chassis, sizeof(chassis), &err)) {
		snprintf(a->why, sizeof(a->why), "Open vSwitch does not answer: %.100s", err.msg);
		return;
	}
	snprintf(lsp, sizeof(lsp), "%s/%s/%s", chassis, a->vm, a->nic);
	if (qnm_ovn_port_addresses(net->ovn_nb, lsp, addrs, sizeof(addrs), &err)) {
		snprintf(a->why, sizeof(a->why), "OVN: %.120s", err.msg);
		return;
	}
	/* "MAC IP [IP...]": the words after the MAC */
	tok = strtok_r(addrs, " ", &save);
	while (tok && (tok = strtok_r(NULL, " ", &save)))
		added += add_addr(a, tok);
	if (added)
		add_source(a, "OVN port address");
	else if (!a->why[0])
		snprintf(a->why, sizeof(a->why), "OVN has no address for port %s yet", lsp);
}

/* The slirp helper's ARP/NDP table. */
static bool slirp_applies(const struct qnm_backend_ops *b, const struct qnm_nic *nic)
{
	return b->slirp_helper;
}

static void slirp_read(struct refresh *r, const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	char *path = qnm_slirp_control_path(r->rundir, nic), *text = NULL;
	struct qnm_slirpctl *c;
	struct qnm_err err;

	if (qnm_slirpctl_open(path, SLIRP_TIMEOUT_MS, &c, &err) == 0) {
		if (qnm_slirpctl_neigh(c, &text, &err) == 0) {
			if (qnm_slirp_neigh_parse(text, a->mac, a))
				add_source(a, "slirp helper ARP/NDP");
			else
				snprintf(
					a->why, sizeof(a->why),
					"the slirp helper has not seen the guest use an address yet");
		}
		qnm_slirpctl_free(c);
	}
	if (!text && !a->why[0])
		snprintf(a->why, sizeof(a->why), "slirp helper does not answer: %.100s", err.msg);
	free(text);
	free(path);
}

/* QEMU's "info usernet": the guest's end of the connections it made. */
static bool usernet_applies(const struct qnm_backend_ops *b, const struct qnm_nic *nic)
{
	return b->conns && !b->slirp_helper;
}

static struct qnm_guestaddr_qmp *usernet_of(struct refresh *r, const char *vm)
{
	struct qnm_guestaddr *g = r->g;
	struct qnm_guestaddr_qmp *q = NULL;
	struct qnm_qmp *conn;
	struct qnm_err err;
	size_t i;

	for (i = 0; i < g->nqmp; i++)
		if (strcmp(g->qmp[i].vm, vm) == 0)
			q = &g->qmp[i];
	if (!q) {
		g->qmp = xreallocarray(g->qmp, g->nqmp + 1, sizeof(*g->qmp));
		q = &g->qmp[g->nqmp++];
		memset(q, 0, sizeof(*q));
		qnm_strlcpy(q->vm, vm, sizeof(q->vm));
	}
	q->fresh = true;
	if (q->at_ms && q->qemu_pid == r->qemu_pid && r->now_ms - q->at_ms < QNM_GUESTADDR_QMP_MS)
		return q;
	free(q->hmp);
	q->hmp = NULL;
	q->qemu_pid = r->qemu_pid;
	q->at_ms = r->now_ms;
	g->qmp_calls++;
	if (qnm_runner_qmp(g->runtime_dir, vm, &conn, &err) == 0) {
		if (qnm_qmp_hmp(conn, "info usernet", &q->hmp, &err) < 0)
			q->hmp = NULL;
		qnm_qmp_free(conn);
	}
	return q;
}

static void usernet_read(struct refresh *r, const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	struct qnm_guestaddr_qmp *q = usernet_of(r, a->vm);
	struct qnm_conn *v = NULL;
	struct qnm_err err;
	char *table;
	size_t n = 0, i;
	bool any = false;

	if (!q->hmp) {
		snprintf(a->why, sizeof(a->why), "QEMU did not answer info usernet");
		return;
	}
	table = qnm_conns_usernet_table(q->hmp, nic->id);
	if (table && qnm_conns_parse(table, nic->user.net, &v, &n, &err) == 0)
		for (i = 0; i < n; i++)
			/* a listening forward names the configured address, not the guest's */
			if (v[i].dir != QNM_CONN_LISTEN && add_addr(a, v[i].guest_addr))
				any = true;
	if (any)
		add_source(a, "QEMU info usernet");
	else
		snprintf(
			a->why, sizeof(a->why),
			"QEMU's info usernet shows no connection of the guest yet (it lists no DHCP leases)");
	free(v);
	free(table);
}

/* The kernel's neighbour table: the NIC's MAC on a host link (TAP, bridge). */
static bool neigh_applies(const struct qnm_backend_ops *b, const struct qnm_nic *nic)
{
	return b->host_ifname || b->on_bridge;
}

static void neigh_read(struct refresh *r, const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	char ifname[IF_NAMESIZE];
	size_t i;

	for (i = 0; i < r->nn; i++) {
		const struct qnm_neigh *e = &r->nv[i];

		if (e->family == AF_BRIDGE || strcasecmp(e->mac, a->mac) != 0 || !e->addr[0])
			continue;
		if (add_addr(a, e->addr)) {
			char one[64];

			snprintf(one, sizeof(one), "neighbours on %s",
				 if_indextoname((unsigned)e->ifindex, ifname) ? ifname : "?");
			add_source(a, one);
		}
	}
	if (!a->n4 && !a->n6 && !a->why[0])
		snprintf(a->why, sizeof(a->why),
			 "the host has not exchanged packets with the guest (no neighbour entry "
			 "for %s)",
			 a->mac);
}

/* The bridge's FDB: the port (TAP) where a bridge-helper NIC's MAC was learned. */
static bool fdb_applies(const struct qnm_backend_ops *b, const struct qnm_nic *nic)
{
	return b->on_bridge && !b->host_ifname && b->live_bridge;
}

static void fdb_read(struct refresh *r, const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	const char *br = qnm_nic_backend(nic)->live_bridge(r->model, nic);
	unsigned master = br ? if_nametoindex(br) : 0;
	char ifname[IF_NAMESIZE];
	int port;

	if (!master)
		return;
	port = qnm_neigh_fdb_port(r->nv, r->nn, (int)master, a->mac);
	if (port > 0 && if_indextoname((unsigned)port, ifname))
		qnm_strlcpy(a->tap, ifname, sizeof(a->tap));
}

struct source {
	bool (*applies)(const struct qnm_backend_ops *b, const struct qnm_nic *nic);
	void (*read)(struct refresh *r, const struct qnm_nic *nic, struct qnm_nic_addrs *a);
};

/* In order: the first that knows an address gives the first one shown. */
static const struct source sources[] = {
	{ lease_applies, lease_read }, { lease_applies, ovn_read },
	{ slirp_applies, slirp_read }, { usernet_applies, usernet_read },
	{ neigh_applies, neigh_read }, { fdb_applies, fdb_read },
};

/* ---- the gateway the guest is given ---- */

/* libslirp's host address: @host, else the network's .2 (10.0.2.2). */
static void user_gateway(const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	char net[QNM_CIDR_LEN], *slash;
	struct in_addr in;
	unsigned prefix = 24;

	qnm_strlcpy(net, nic->user.net[0] ? nic->user.net : "10.0.2.0/24", sizeof(net));
	slash = strchr(net, '/');
	if (slash) {
		prefix = (unsigned)atoi(slash + 1);
		*slash = '\0';
	}
	snprintf(a->gw_source, sizeof(a->gw_source), "user net %s/%u (libslirp)", net, prefix);
	if (nic->user.host[0]) {
		qnm_strlcpy(a->gateway, nic->user.host, sizeof(a->gateway));
		return;
	}
	if (inet_pton(AF_INET, net, &in) != 1 || prefix > 30)
		return;
	in.s_addr = htonl((ntohl(in.s_addr) & (prefix ? ~0u << (32 - prefix) : 0)) + 2);
	inet_ntop(AF_INET, &in, a->gateway, sizeof(a->gateway));
}

static void gateway(const struct qnm_model *m, const struct qnm_nic *nic, struct qnm_nic_addrs *a)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(nic);
	const char *name = qnm_nic_network(nic);
	const struct qnm_network *net = name ? qnm_model_find_net(m, name) : NULL;

	if (b->has_hostfwd) {
		user_gateway(nic, a);
	} else if (net && net->mode != QNM_NET_BRIDGED && net->address[0]) {
		qnm_strlcpy(a->gateway, net->address, sizeof(a->gateway));
		snprintf(a->gw_source, sizeof(a->gw_source), "network %s (dnsmasq)", net->name);
	}
}

/* ---- the cache ---- */

struct qnm_guestaddr *qnm_guestaddr_new(const char *runtime_dir)
{
	struct qnm_guestaddr *g = xcalloc(1, sizeof(*g));

	g->runtime_dir = xstrdup(runtime_dir);
	return g;
}

void qnm_guestaddr_free(struct qnm_guestaddr *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nqmp; i++)
		free(g->qmp[i].hmp);
	free(g->qmp);
	free(g->v);
	free(g->runtime_dir);
	free(g);
}

/* Forget the "info usernet" of VMs no longer running. */
static void qmp_prune(struct qnm_guestaddr *g)
{
	size_t i, k = 0;

	for (i = 0; i < g->nqmp; i++) {
		if (g->qmp[i].fresh) {
			g->qmp[i].fresh = false;
			g->qmp[k++] = g->qmp[i];
		} else {
			free(g->qmp[i].hmp);
		}
	}
	g->nqmp = k;
}

static void refresh_vm(struct refresh *r, const struct qnm_vm *vm, size_t *cap)
{
	struct qnm_guestaddr *g = r->g;
	size_t j, k;

	for (j = 0; j < vm->nnics; j++) {
		const struct qnm_nic *nic = &vm->nics[j];
		const struct qnm_backend_ops *b = qnm_nic_backend(nic);
		struct qnm_nic_addrs *a;

		if (g->n == *cap) {
			*cap = *cap ? 2 * *cap : 8;
			g->v = xreallocarray(g->v, *cap, sizeof(*g->v));
		}
		a = &g->v[g->n++];
		memset(a, 0, sizeof(*a));
		qnm_strlcpy(a->vm, vm->name, sizeof(a->vm));
		qnm_strlcpy(a->nic, nic->id, sizeof(a->nic));
		qnm_strlcpy(a->mac, nic->mac, sizeof(a->mac));
		gateway(r->model, nic, a);
		if (!a->mac[0]) {
			snprintf(a->why, sizeof(a->why), "the NIC has no MAC address");
			continue;
		}
		for (k = 0; k < sizeof(sources) / sizeof(sources[0]); k++)
			if (sources[k].applies(b, nic))
				sources[k].read(r, nic, a);
		if (a->n4 || a->n6)
			a->why[0] = '\0';
		else if (!a->why[0])
			snprintf(a->why, sizeof(a->why), "no source knows this NIC's address");
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int qnm_guestaddr_refresh(struct qnm_guestaddr *g, const struct qnm_model *model, bool force,
			  struct qnm_err *err)
{
	struct refresh r = { .g = g, .model = model, .now_ms = qnm_mono_ms_int() };
	struct qnm_strv dirs;
	size_t i, cap = g->n;
	int ret;

	if (g->have && !force && r.now_ms - g->at_ms < QNM_GUESTADDR_TTL_MS)
		return 0;
	g->have = true;
	g->at_ms = r.now_ms;
	g->refreshes++;
	g->n = 0;
	ret = qnm_neigh_dump(&r.nv, &r.nn, err);
	qnm_strv_init(&dirs);
	qnm_rundir_list(g->runtime_dir, &dirs);
	for (i = 0; model && i < model->nvms && dirs.n; i++) {
		const struct qnm_vm *vm = model->vms[i];
		const char *key = vm->name;
		struct qnm_run_info info;
		struct qnm_rundir rd;

		if (!bsearch(&key, dirs.v, dirs.n, sizeof(*dirs.v), cmp_str))
			continue;
		qnm_rundir_init(&rd, g->runtime_dir, vm->name);
		qnm_rundir_probe(&rd, &info);
		if (info.status == QNM_RUN_RUNNING) {
			r.rundir = rd.path;
			r.qemu_pid = info.qemu_pid;
			refresh_vm(&r, vm, &cap);
		}
		qnm_rundir_clear(&rd);
	}
	qnm_strv_free(&dirs);
	qmp_prune(g);
	free(r.nv);
	return ret;
}

const struct qnm_nic_addrs *qnm_guestaddr_find(const struct qnm_guestaddr *g, const char *vm,
					       const char *nic)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].vm, vm) == 0 && strcmp(g->v[i].nic, nic) == 0)
			return &g->v[i];
	return NULL;
}

const char *qnm_nic_addrs_text(const struct qnm_nic_addrs *a, char *buf, size_t size)
{
	if (!a || (!a->n4 && !a->n6))
		snprintf(buf, size, "unknown");
	else if (a->n4 > 1)
		snprintf(buf, size, "%s+%zu", a->v4[0], a->n4 - 1);
	else if (a->n4)
		snprintf(buf, size, "%s", a->v4[0]);
	else
		snprintf(buf, size, "%s", a->v6[0]);
	return buf;
}
