// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sampler.c - live counters, rates and histories of host links and of the
 * interfaces of guests (see sampler.h for the views, the rate rules and
 * the totals rule).
 */
#include "build-config.h"

#include "watch/sampler.h"

#include "core/backend.h"
#include "guest/rundir.h"
#include "guest/slirp-helper.h"
#include "guest/slirpctl.h"
#include "host/neigh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- roles ---- */

static const struct {
	const char *name;
	const char *label;
	bool guest_facing;
} roles[QNM_IFROLE__COUNT] = {
	[QNM_IFROLE_HOST] = { "host", "host link", false },
	[QNM_IFROLE_TAP] = { "tap", "guest TAP", true },
	[QNM_IFROLE_SLIRP] = { "slirp", "slirp NIC", true },
	[QNM_IFROLE_BRIDGE] = { "bridge", "network bridge", false },
	[QNM_IFROLE_UPLINK] = { "uplink", "NAT uplink", false },
	[QNM_IFROLE_PORT] = { "port", "bridged port", false },
	[QNM_IFROLE_SEGMENT] = { "private", "private NIC", true },
};

const char *qnm_if_role_name(enum qnm_if_role r)
{
	return (unsigned)r < QNM_IFROLE__COUNT ? roles[r].name : "?";
}

const char *qnm_if_role_label(enum qnm_if_role r)
{
	return (unsigned)r < QNM_IFROLE__COUNT ? roles[r].label : "?";
}

bool qnm_if_role_guest_facing(enum qnm_if_role r)
{
	return (unsigned)r < QNM_IFROLE__COUNT && roles[r].guest_facing;
}

static const enum qnm_link_stat flipped[QNM_STAT__COUNT] = {
	[QNM_STAT_RX_BYTES] = QNM_STAT_TX_BYTES,     [QNM_STAT_TX_BYTES] = QNM_STAT_RX_BYTES,
	[QNM_STAT_RX_PACKETS] = QNM_STAT_TX_PACKETS, [QNM_STAT_TX_PACKETS] = QNM_STAT_RX_PACKETS,
	[QNM_STAT_RX_ERRORS] = QNM_STAT_TX_ERRORS,   [QNM_STAT_TX_ERRORS] = QNM_STAT_RX_ERRORS,
	[QNM_STAT_RX_DROPPED] = QNM_STAT_TX_DROPPED, [QNM_STAT_TX_DROPPED] = QNM_STAT_RX_DROPPED,
};

enum qnm_link_stat qnm_stat_flip(enum qnm_link_stat s)
{
	return (unsigned)s < QNM_STAT__COUNT ? flipped[s] : s;
}

static const enum qnm_hist_series hist_flipped[QNM_HIST__COUNT] = {
	[QNM_HIST_RX_BYTES] = QNM_HIST_TX_BYTES,
	[QNM_HIST_TX_BYTES] = QNM_HIST_RX_BYTES,
	[QNM_HIST_RX_PACKETS] = QNM_HIST_TX_PACKETS,
	[QNM_HIST_TX_PACKETS] = QNM_HIST_RX_PACKETS,
};

/* The counter behind each history series. */
static const enum qnm_link_stat hist_stat[QNM_HIST__COUNT] = {
	[QNM_HIST_RX_BYTES] = QNM_STAT_RX_BYTES,
	[QNM_HIST_TX_BYTES] = QNM_STAT_TX_BYTES,
	[QNM_HIST_RX_PACKETS] = QNM_STAT_RX_PACKETS,
	[QNM_HIST_TX_PACKETS] = QNM_STAT_TX_PACKETS,
};

/* ---- one entry: rates, resets, history ---- */

static void hist_push(struct qnm_sample *e)
{
	float v[QNM_HIST__COUNT];
	bool any = false;
	int k;

	for (k = 0; k < QNM_HIST__COUNT; k++) {
		v[k] = e->rate_valid ? (float)e->rate[hist_stat[k]] : 0.0f;
		any |= v[k] != 0.0f;
	}
	/* a ring of zeros is not stored: no ring yet stands for one */
	if (any && !e->hist)
		e->hist = xcalloc(QNM_SAMPLER_HISTORY, sizeof(*e->hist));
	if (e->hist)
		memcpy(e->hist[e->hist_head], v, sizeof(v));
	e->hist_head = (e->hist_head + 1) % QNM_SAMPLER_HISTORY;
	if (e->hist_n < QNM_SAMPLER_HISTORY)
		e->hist_n++;
}

void qnm_sample_update(struct qnm_sample *e, const uint64_t *stats, int ifindex, double now)
{
	bool reset = false;
	double dt = now - e->prev_t;
	int k;

	if (e->have_prev) {
		if (ifindex != e->ifindex)
			reset = true;
		for (k = 0; k < QNM_STAT__COUNT; k++)
			if (stats[k] < e->stats[k])
				reset = true;
	}
	if (e->have_prev && !reset && dt > 0) {
		for (k = 0; k < QNM_STAT__COUNT; k++)
			e->rate[k] = (double)(stats[k] - e->stats[k]) / dt;
		e->rate_valid = true;
		e->interval = dt;
	} else {
		memset(e->rate, 0, sizeof(e->rate));
		e->rate_valid = false;
		e->interval = 0;
		if (reset)
			e->resets++;
	}
	if (e->started)
		hist_push(e);
	e->started = true;
	memcpy(e->stats, stats, sizeof(e->stats));
	e->ifindex = ifindex;
	e->prev_t = now;
	e->have_prev = true;
	if (!e->available) /* why is a cache line of its own: written only when it changes */
		e->why[0] = '\0';
	e->available = true;
}

void qnm_sample_unavailable(struct qnm_sample *e, const char *why)
{
	memset(e->rate, 0, sizeof(e->rate));
	e->rate_valid = false;
	e->interval = 0;
	if (e->started)
		hist_push(e);
	e->started = true;
	e->have_prev = false;
	e->available = false;
	qnm_strlcpy(e->why, why, sizeof(e->why));
}

uint64_t qnm_sample_stat(const struct qnm_sample *e, enum qnm_link_stat s, bool guest)
{
	if ((unsigned)s >= QNM_STAT__COUNT)
		return 0;
	return e->stats[guest ? flipped[s] : s];
}

double qnm_sample_rate(const struct qnm_sample *e, enum qnm_link_stat s, bool guest)
{
	if ((unsigned)s >= QNM_STAT__COUNT)
		return 0;
	return e->rate[guest ? flipped[s] : s];
}

size_t qnm_sample_history_len(const struct qnm_sample *e)
{
	return e->hist_n;
}

size_t qnm_sample_history(const struct qnm_sample *e, enum qnm_hist_series which, bool guest,
			  double *out, size_t max)
{
	size_t n = e->hist_n < max ? e->hist_n : max, i;
	unsigned start;

	if ((unsigned)which >= QNM_HIST__COUNT)
		return 0;
	if (guest)
		which = hist_flipped[which];
	/* the newest n values end just before hist_head */
	start = (e->hist_head + QNM_SAMPLER_HISTORY - (unsigned)n) % QNM_SAMPLER_HISTORY;
	for (i = 0; i < n; i++)
		out[i] = e->hist ? e->hist[(start + i) % QNM_SAMPLER_HISTORY][which] : 0.0;
	return n;
}

void qnm_sample_release(struct qnm_sample *e)
{
	free(e->hist);
	e->hist = NULL;
}

/* ---- totals ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void qnm_sample_total(const struct qnm_sample *const *sel, size_t n, struct qnm_sample_total *out,
		      bool *counted)
{
	const char **masters = xcalloc(n + 1, sizeof(*masters));
	size_t nm = 0, i;
	int k;

	memset(out, 0, sizeof(*out));
	out->rate_valid = true;
	/* the masters named by the available links of the selection */
	for (i = 0; i < n; i++)
		if (sel[i]->available && !sel[i]->is_slirp && sel[i]->master[0])
			masters[nm++] = sel[i]->master;
	qsort(masters, nm, sizeof(*masters), cmp_str);
	for (i = 0; i < n; i++) {
		const struct qnm_sample *e = sel[i];
		const char *key = e->name;
		bool in = false;

		if (!e->available) {
			out->unavailable++;
		} else if (!e->is_slirp && nm &&
			   bsearch(&key, masters, nm, sizeof(*masters), cmp_str)) {
			out->skipped++;
		} else {
			in = true;
			out->counted++;
			if (!e->rate_valid)
				out->rate_valid = false;
			for (k = 0; k < QNM_STAT__COUNT; k++) {
				out->stats[k] += e->stats[k];
				out->rate[k] += e->rate[k];
			}
			if (qnm_if_role_guest_facing(e->role)) {
				out->guest_counted++;
				for (k = 0; k < QNM_STAT__COUNT; k++) {
					out->guest_stats[k] += e->stats[flipped[k]];
					out->guest_rate[k] += e->rate[flipped[k]];
				}
			}
		}
		if (counted)
			counted[i] = in;
	}
	if (!out->counted)
		out->rate_valid = false;
	free(masters);
}

/* ---- human units ---- */

static const char *const units_b[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
static const char *const units_r[] = { "B/s", "KB/s", "MB/s", "GB/s", "TB/s", "PB/s" };

const char *qnm_fmt_bytes(uint64_t v, char *buf, size_t size)
{
	double d = (double)v;
	size_t u = 0;

	while (d >= 1024 && u < QNM_ARRAY_SIZE(units_b) - 1) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, size,
			 d < 10	   ? "%.2f %s"
			 : d < 100 ? "%.1f %s"
				   : "%.0f %s",
			 d, units_b[u]);
	return buf;
}

const char *qnm_fmt_rate(double bps, char *buf, size_t size)
{
	size_t u = 0;

	if (!(bps > 0)) /* also NaN */
		bps = 0;
	while (bps >= 1000 && u < QNM_ARRAY_SIZE(units_r) - 1) {
		bps /= 1000;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : bps < 10 ? "%.2f %s" : "%.1f %s", bps, units_r[u]);
	return buf;
}

/* ---- the model's interfaces ---- */

/**
 * struct want - an interface the model names, in priority order.
 * @ifname:  the link name.
 * @role:    its role.
 * @vm, @nic, @network: what it belongs to ("" when nothing).
 * @running: for a TAP: its VM runs, so a missing link is shown as missing.
 */
struct want {
	char ifname[QNM_IFNAME_MAX + 1];
	enum qnm_if_role role;
	const char *vm;
	const char *nic;
	const char *network;
	bool running;
};

/*
 * struct slirp_want - a NIC of a running VM counted beside QEMU, named
 * "VM/NIC": a slirp NIC and its helper's control socket (@ctl_path), or a
 * NIC whose backend has @nic_stats (@stats_vm's NIC @idx, @rundir).
 */
struct slirp_want {
	const char *vm;
	const char *nic;
	char *ctl_path;
	const struct qnm_vm *stats_vm;
	size_t idx;
	char *rundir;
};

/*
 * struct plan - what to read. @live holds the running configurations of
 * the running VMs (@nlive of them; the NICs QEMU runs, not the saved ones
 * a restart would bring), which @w and @sw point into.
 */
struct plan {
	struct want *w;
	size_t nw, capw;
	struct slirp_want *sw;
	size_t nsw, capsw;
	struct qnm_vm **live;
	size_t nlive;
};

static void plan_add(struct plan *p, const char *ifname, enum qnm_if_role role, const char *vm,
		     const char *nic, const char *network, bool running)
{
	struct want *w;

	if (qnm_str_empty(ifname))
		return;
	if (p->nw == p->capw) {
		p->capw = p->capw ? 2 * p->capw : 16;
		p->w = xreallocarray(p->w, p->capw, sizeof(*p->w));
	}
	w = &p->w[p->nw++];
	qnm_strlcpy(w->ifname, ifname, sizeof(w->ifname));
	w->role = role;
	w->vm = vm ? vm : "";
	w->nic = nic ? nic : "";
	w->network = network ? network : "";
	w->running = running;
}

static void plan_clear(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nsw; i++) {
		free(p->sw[i].ctl_path);
		free(p->sw[i].rundir);
	}
	free(p->w);
	free(p->sw);
	for (i = 0; i < p->nlive; i++)
		qnm_vm_free(p->live[i]);
	free(p->live);
	memset(p, 0, sizeof(*p));
}

/* @name runs: its runtime dir in *@rundir_path, what it runs in *@live (NULL: no record) */
static bool vm_running(const char *runtime_dir, const char *name, char **rundir_path,
		       struct qnm_vm **live)
{
	struct qnm_rundir rd;
	struct qnm_run_info ri;
	bool up;

	qnm_rundir_init(&rd, runtime_dir, name);
	qnm_rundir_probe(&rd, &ri);
	up = ri.status == QNM_RUN_RUNNING || ri.status == QNM_RUN_STARTING;
	if (up && rundir_path)
		*rundir_path = xstrdup(rd.path);
	if (up && live && qnm_rundir_read_running(&rd, live))
		*live = NULL;
	qnm_rundir_clear(&rd);
	return up;
}

/* The default route's interface, asked again when links changed or every 5 s. */
static const char *default_uplink(struct qnm_sampler *s)
{
	struct qnm_err err;

	if (s->uplink_fills != s->links->fills || s->now - s->uplink_t >= 5.0 || s->ticks == 0) {
		s->uplink_fills = s->links->fills;
		s->uplink_t = s->now;
		if (qnm_links_default_uplink(s->links, s->default_uplink, &err) < 0)
			s->default_uplink[0] = '\0';
	}
	return s->default_uplink;
}

/*
 * The TAP qemu-bridge-helper made for a NIC qnm does not name: the port of
 * the NIC's bridge where the bridge's FDB learned the NIC's MAC (at most one
 * neighbour dump per tick, only while such NICs run). The port found is
 * kept while it stays on that bridge, since an FDB entry ages out after a
 * few idle minutes; the FDB is read again only when a NIC has no TAP known
 * and every 10 s.
 */
static bool helper_tap(struct qnm_sampler *s, const struct qnm_vm *vm, const struct qnm_nic *nic,
		       struct qnm_neigh **nv, size_t *nn, bool *dumped, char *tap)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(nic);
	const char *br = b->live_bridge ? b->live_bridge(s->model, nic) : NULL;
	const struct qnm_link_info *bl = br ? qnm_links_find(s->links, br) : NULL;
	const struct qnm_link_info *port = NULL;
	struct qnm_err err;
	char key[2 * QNM_NAME_MAX + 2];
	size_t i;
	int idx;

	if (!bl || !nic->mac[0])
		return false;
	snprintf(key, sizeof(key), "%s/%s", vm->name, nic->id);
	for (i = 0; i < s->helper_taps.n; i += 2)
		if (strcmp(s->helper_taps.v[i], key) == 0)
			break;
	if (i < s->helper_taps.n) {
		port = qnm_links_find(s->links, s->helper_taps.v[i + 1]);
		if (port && port->master != bl->ifindex)
			port = NULL;
	}
	/* the FDB again when nothing is known, and every 10 s (a TAP name may
	 * pass to another guest after restarts) */
	if (!port || s->now - s->helper_t >= 10.0) {
		if (!*dumped) {
			*dumped = true;
			s->helper_t = s->now;
			if (qnm_neigh_dump(nv, nn, &err) < 0)
				*nn = 0;
		}
		idx = qnm_neigh_fdb_port(*nv, *nn, bl->ifindex, nic->mac);
		if (idx && qnm_links_find_index(s->links, idx))
			port = qnm_links_find_index(s->links, idx);
	}
	if (!port)
		return false;
	if (i == s->helper_taps.n) {
		qnm_strv_add(&s->helper_taps, key);
		qnm_strv_add(&s->helper_taps, port->name);
	} else if (strcmp(s->helper_taps.v[i + 1], port->name) != 0) {
		free(s->helper_taps.v[i + 1]);
		s->helper_taps.v[i + 1] = xstrdup(port->name);
	}
	qnm_strlcpy(tap, port->name, QNM_IFNAME_MAX + 1);
	return true;
}

/* What the model names, in role priority order: TAPs, bridges, uplinks, ports. */
static void plan_build(struct qnm_sampler *s, struct plan *p)
{
	const struct qnm_model *m = s->model;
	struct qnm_strv dirs;
	bool *running, dumped = false;
	struct qnm_neigh *nv = NULL;
	char tap[QNM_IFNAME_MAX + 1];
	size_t i, j, nn = 0;

	memset(p, 0, sizeof(*p));
	if (!m)
		return;
	running = xcalloc(m->nvms + 1, sizeof(*running));
	/* one readdir, then a probe only for the VMs that have a runtime dir */
	qnm_strv_init(&dirs);
	if (s->runtime_dir)
		qnm_rundir_list(s->runtime_dir, &dirs);
	for (i = 0; i < m->nvms; i++) {
		const struct qnm_vm *vm = m->vms[i];
		const char *key = vm->name;
		struct qnm_vm *live = NULL;
		char *rundir = NULL;

		if (dirs.n && bsearch(&key, dirs.v, dirs.n, sizeof(*dirs.v), cmp_str))
			running[i] = vm_running(s->runtime_dir, vm->name, &rundir, &live);
		if (live) {
			/* a running VM's NICs as QEMU runs them, not as a restart would */
			p->live = xreallocarray(p->live, p->nlive + 1, sizeof(*p->live));
			p->live[p->nlive++] = live;
			vm = live;
		}
		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_nic *nic = &vm->nics[j];
			const struct qnm_backend_ops *b = qnm_nic_backend(nic);

			if ((b->host_ifname && b->host_ifname(vm, j, tap)) ||
			    (!b->host_ifname && b->on_bridge && running[i] &&
			     helper_tap(s, vm, nic, &nv, &nn, &dumped, tap))) {
				plan_add(p, tap, QNM_IFROLE_TAP, vm->name, nic->id,
					 qnm_nic_network(nic), running[i]);
			} else if ((b->slirp_helper || b->nic_stats) && rundir) {
				if (p->nsw == p->capsw) {
					p->capsw = p->capsw ? 2 * p->capsw : 8;
					p->sw = xreallocarray(p->sw, p->capsw, sizeof(*p->sw));
				}
				memset(&p->sw[p->nsw], 0, sizeof(*p->sw));
				p->sw[p->nsw].vm = vm->name;
				p->sw[p->nsw].nic = nic->id;
				if (b->slirp_helper) {
					p->sw[p->nsw].ctl_path =
						qnm_slirp_control_path(rundir, nic);
				} else {
					p->sw[p->nsw].stats_vm = vm;
					p->sw[p->nsw].idx = j;
					p->sw[p->nsw].rundir = xstrdup(rundir);
				}
				p->nsw++;
			}
		}
		free(rundir);
	}
	for (i = 0; i < m->nnets; i++)
		plan_add(p, m->nets[i]->bridge, QNM_IFROLE_BRIDGE, NULL, NULL, m->nets[i]->name,
			 false);
	for (i = 0; i < m->nvms; i++) {
		for (j = 0; j < m->vms[i]->nnics; j++) {
			const struct qnm_nic *nic = &m->vms[i]->nics[j];
			const struct qnm_backend_ops *b = qnm_nic_backend(nic);

			/* the host bridges NICs name themselves (a network's is above) */
			if (b->own_bridge)
				plan_add(p, b->own_bridge(nic), QNM_IFROLE_BRIDGE, NULL, NULL, NULL,
					 false);
		}
	}
	for (i = 0; i < m->nnets; i++) {
		const struct qnm_network *net = m->nets[i];

		if (net->mode == QNM_NET_NAT)
			plan_add(p, net->uplink[0] ? net->uplink : default_uplink(s),
				 QNM_IFROLE_UPLINK, NULL, NULL, net->name, false);
		else if (net->mode == QNM_NET_BRIDGED)
			plan_add(p, net->port, QNM_IFROLE_PORT, NULL, NULL, net->name, false);
	}
	free(running);
	free(nv);
	qnm_strv_free(&dirs);
}

/* Everything of @p that maps links to roles, as one comparable string (owned). */
static char *plan_key(const struct plan *p)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	for (i = 0; i < p->nw; i++)
		qnm_sb_addf(&sb, "%s/%d/%s/%s/%s/%d\n", p->w[i].ifname, (int)p->w[i].role,
			    p->w[i].vm, p->w[i].nic, p->w[i].network, (int)p->w[i].running);
	return qnm_sb_steal(&sb);
}

static const struct want *plan_find(const struct plan *p, const char *ifname)
{
	size_t i;

	for (i = 0; i < p->nw; i++)
		if (strcmp(p->w[i].ifname, ifname) == 0)
			return &p->w[i];
	return NULL;
}

/* ---- the entries ---- */

static int cmp_key(bool slirp_a, const char *a, bool slirp_b, const char *b)
{
	if (slirp_a != slirp_b)
		return slirp_a ? 1 : -1;
	return strcmp(a, b);
}

static int cmp_entry(const void *x, const void *y)
{
	const struct qnm_sample *a = *(struct qnm_sample *const *)x;
	const struct qnm_sample *b = *(struct qnm_sample *const *)y;

	return cmp_key(a->is_slirp, a->name, b->is_slirp, b->name);
}

/* Binary search in the sorted entries v[0..n). */
static struct qnm_sample *lookup(struct qnm_sample *const *v, size_t n, bool slirp,
				 const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_key(v[mid]->is_slirp, v[mid]->name, slirp, name);

		if (c == 0)
			return v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The entry of @name: from the sorted part v[0..@nsorted), or (@scan_new)
 * among those appended since, or a new one appended.
 */
static struct qnm_sample *get_entry(struct qnm_sampler *s, size_t nsorted, bool scan_new,
				    bool slirp, const char *name)
{
	struct qnm_sample *e = lookup(s->v, nsorted, slirp, name);
	size_t i;

	if (e)
		return e;
	for (i = nsorted; scan_new && i < s->n; i++)
		if (cmp_key(s->v[i]->is_slirp, s->v[i]->name, slirp, name) == 0)
			return s->v[i];
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	e = xcalloc(1, sizeof(*e));
	e->is_slirp = slirp;
	qnm_strlcpy(e->name, name, sizeof(e->name));
	s->v[s->n++] = e;
	return e;
}

static void entry_free(struct qnm_sample *e)
{
	if (!e)
		return;
	qnm_slirpctl_free(e->ctl);
	qnm_sample_release(e);
	free(e);
}

static void map_entry(struct qnm_sample *e, const struct want *w)
{
	e->role = w ? w->role : QNM_IFROLE_HOST;
	qnm_strlcpy(e->vm, w ? w->vm : "", sizeof(e->vm));
	qnm_strlcpy(e->nic, w ? w->nic : "", sizeof(e->nic));
	qnm_strlcpy(e->network, w ? w->network : "", sizeof(e->network));
}

/* Read one slirp helper; keeps the control connection open between ticks. */
static void read_slirp(struct qnm_sampler *s, struct qnm_sample *e, const struct slirp_want *sw)
{
	struct qnm_slirp_stats st;
	uint64_t v[QNM_STAT__COUNT] = { 0 };
	struct qnm_err err;
	char why[sizeof(err.msg) + 64];
	int r;

	e->role = QNM_IFROLE_SLIRP;
	qnm_strlcpy(e->type, "slirp", sizeof(e->type));
	qnm_strlcpy(e->vm, sw->vm, sizeof(e->vm));
	qnm_strlcpy(e->nic, sw->nic, sizeof(e->nic));
	e->network[0] = e->master[0] = '\0';
	e->ifindex = 0;
	if (!e->ctl && e->retry_at > (qnm_mono_ms() / 1000.0)) {
		qnm_sample_unavailable(e, e->why[0] ? e->why : "slirp helper does not answer");
		return;
	}
	qnm_err_clear(&err);
	if (!e->ctl) {
		r = qnm_slirpctl_open(sw->ctl_path, s->slirp_timeout_ms, &e->ctl, &err);
		if (r < 0) {
			e->ctl = NULL;
			goto fail;
		}
	}
	r = qnm_slirpctl_stats(e->ctl, &st, &err);
	if (r < 0) {
		qnm_slirpctl_free(e->ctl);
		e->ctl = NULL;
		goto fail;
	}
	/* the helper counts from the guest's side; the host view is the other end */
	v[QNM_STAT_RX_BYTES] = st.tx_bytes;
	v[QNM_STAT_RX_PACKETS] = st.tx_packets;
	v[QNM_STAT_TX_BYTES] = st.rx_bytes;
	v[QNM_STAT_TX_PACKETS] = st.rx_packets;
	v[QNM_STAT_TX_DROPPED] = st.rx_dropped;
	e->up = st.connected;
	e->retry_at = 0;
	qnm_sample_update(e, v, 0, (qnm_mono_ms() / 1000.0));
	return;
fail:
	if (r == -ETIMEDOUT)
		e->retry_at = (qnm_mono_ms() / 1000.0) + QNM_SAMPLER_SLIRP_BACKOFF_MS / 1000.0;
	snprintf(why, sizeof(why), "slirp helper does not answer: %s", err.msg);
	e->up = false;
	qnm_sample_unavailable(e, why);
}

/* Read a NIC through its backend's @nic_stats (the private segment's switch). */
static void read_nic_stats(struct qnm_sampler *s, struct qnm_sample *e, const struct slirp_want *sw)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(&sw->stats_vm->nics[sw->idx]);
	struct qnm_nic_counters c = { 0 };
	uint64_t v[QNM_STAT__COUNT] = { 0 };
	struct qnm_err err;

	e->role = QNM_IFROLE_SEGMENT;
	qnm_strlcpy(e->type, b->name, sizeof(e->type));
	qnm_strlcpy(e->vm, sw->vm, sizeof(e->vm));
	qnm_strlcpy(e->nic, sw->nic, sizeof(e->nic));
	e->network[0] = e->master[0] = '\0';
	e->ifindex = 0;
	qnm_err_clear(&err);
	if (b->nic_stats(sw->rundir, sw->stats_vm, sw->idx, s->slirp_timeout_ms, &c, &err) < 0) {
		e->up = false;
		qnm_sample_unavailable(e, err.msg);
		return;
	}
	v[QNM_STAT_RX_BYTES] = c.rx_bytes;
	v[QNM_STAT_RX_PACKETS] = c.rx_packets;
	v[QNM_STAT_TX_BYTES] = c.tx_bytes;
	v[QNM_STAT_TX_PACKETS] = c.tx_packets;
	e->up = true;
	qnm_sample_update(e, v, 0, (qnm_mono_ms() / 1000.0));
}

int qnm_sampler_new(const struct qnm_sampler_opts *o, struct qnm_sampler **out, struct qnm_err *err)
{
	struct qnm_sampler *s = xcalloc(1, sizeof(*s));
	int r;

	r = qnm_links_new(false, &s->links, err);
	if (r < 0) {
		free(s);
		*out = NULL;
		return r;
	}
	qnm_strv_init(&s->helper_taps);
	s->model = o ? o->model : NULL;
	s->runtime_dir = o ? xstrdup_or_null(o->runtime_dir) : NULL;
	s->slirp_timeout_ms =
		o && o->slirp_timeout_ms > 0 ? o->slirp_timeout_ms : QNM_SAMPLER_SLIRP_TIMEOUT_MS;
	*out = s;
	return 0;
}

void qnm_sampler_free(struct qnm_sampler *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		entry_free(s->v[i]);
	free(s->v);
	free(s->bylink);
	free(s->plan_key);
	qnm_links_free(s->links);
	qnm_strv_free(&s->helper_taps);
	free(s->runtime_dir);
	free(s);
}

void qnm_sampler_set_model(struct qnm_sampler *s, const struct qnm_model *model)
{
	s->model = model;
}

/*
 * Every link, with the role the model gives it. When neither the set of
 * links (links->fills) nor the plan changed since the last tick, the
 * entries of the links are those of the last tick, in the same order
 * (@bylink): only the counters are new, and no name is looked up.
 */
static void tick_links(struct qnm_sampler *s, const struct plan *p, double now)
{
	const struct qnm_links *l = s->links;
	char *key = plan_key(p);
	size_t nsorted = s->n, i;
	bool same = s->bylink && s->nbylink == l->n && s->bylink_fills == l->fills &&
		    strcmp(key, s->plan_key) == 0;

	if (same) {
		free(key);
		for (i = 0; i < l->n; i++) {
			s->bylink[i]->seen = true;
			qnm_sample_update(s->bylink[i], l->v[i].stats, l->v[i].ifindex, now);
		}
		return;
	}
	free(s->plan_key);
	s->plan_key = key;
	s->bylink = xreallocarray(s->bylink, l->n + 1, sizeof(*s->bylink));
	s->nbylink = l->n;
	s->bylink_fills = l->fills;
	for (i = 0; i < l->n; i++) {
		const struct qnm_link_info *li = &l->v[i];
		struct qnm_sample *e = get_entry(s, nsorted, false, false, li->name);

		map_entry(e, plan_find(p, li->name));
		qnm_strlcpy(e->type, li->type, sizeof(e->type));
		qnm_strlcpy(e->master, li->master_name, sizeof(e->master));
		e->up = li->up;
		e->seen = true;
		qnm_sample_update(e, li->stats, li->ifindex, now);
		s->bylink[i] = e;
	}
}

/* Sort the entries again when some were appended after v[0..@nsorted). */
static void resort(struct qnm_sampler *s, size_t nsorted)
{
	if (s->n != nsorted)
		qsort(s->v, s->n, sizeof(*s->v), cmp_entry);
}

int qnm_sampler_tick(struct qnm_sampler *s, struct qnm_err *err)
{
	struct plan p;
	size_t nsorted = s->n, i, n;
	double now;
	int r;

	r = qnm_links_refill(s->links, err);
	if (r < 0)
		return r;
	now = (qnm_mono_ms() / 1000.0);
	s->now = now;
	plan_build(s, &p);
	for (i = 0; i < s->n; i++)
		s->v[i]->seen = false;

	tick_links(s, &p, now);
	resort(s, nsorted);
	nsorted = s->n;

	/* TAPs of running VMs that do not exist (yet, or any more) */
	for (i = 0; i < p.nw; i++) {
		const struct want *w = &p.w[i];
		struct qnm_sample *e;
		char why[sizeof(e->why)];

		if (w->role != QNM_IFROLE_TAP || !w->running || qnm_links_find(s->links, w->ifname))
			continue;
		e = get_entry(s, nsorted, true, false, w->ifname);
		if (e->seen) /* two NICs naming one TAP: the first one keeps it */
			continue;
		map_entry(e, w);
		qnm_strlcpy(e->type, "tap", sizeof(e->type));
		e->master[0] = '\0';
		e->up = false;
		e->ifindex = 0;
		e->seen = true;
		snprintf(why, sizeof(why), "TAP %s of %s/%s does not exist", w->ifname, w->vm,
			 w->nic);
		qnm_sample_unavailable(e, why);
	}
	resort(s, nsorted);
	nsorted = s->n;

	/* slirp NICs of running VMs, through their helpers */
	for (i = 0; i < p.nsw; i++) {
		char name[QNM_SAMPLE_NAME_MAX + 1];
		struct qnm_sample *e;

		snprintf(name, sizeof(name), "%s/%s", p.sw[i].vm, p.sw[i].nic);
		e = get_entry(s, nsorted, true, true, name);
		if (e->seen)
			continue;
		e->seen = true;
		if (p.sw[i].stats_vm)
			read_nic_stats(s, e, &p.sw[i]);
		else
			read_slirp(s, e, &p.sw[i]);
	}
	resort(s, nsorted);

	/* drop what went away (the order stays sorted) */
	for (i = n = 0; i < s->n; i++) {
		if (s->v[i]->seen)
			s->v[n++] = s->v[i];
		else
			entry_free(s->v[i]);
	}
	s->n = n;
	plan_clear(&p);
	s->ticks++;
	return 0;
}

struct qnm_sample *qnm_sampler_find(const struct qnm_sampler *s, const char *name)
{
	struct qnm_sample *e = lookup(s->v, s->n, false, name);

	return e ? e : lookup(s->v, s->n, true, name);
}
