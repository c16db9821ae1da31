// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-traffic.c - live counters of every interface (or only guests'):
 * rates, totals, packets, errors, drops, a sparkline per row and a larger
 * graph of the selected one. Counters come from the engine's link view
 * (src/links.h: one netlink stats dump per tick).
 */
#include "build-config.h"

#include "backend.h"
#include "guests.h"
#include "links.h"
#include "uipriv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HIST 240
#define HASH 8192 /* slots of the ifindex -> row table (power of two) */

/**
 * struct iface - what the screen remembers of one interface.
 * @ifindex: kernel index (0 = free slot).
 * @name:    its name.
 * @prev:    counters at the last tick.
 * @rate:    bytes/s rx and tx since the last tick.
 * @hist:    rx/tx rates, oldest first, @nh of them.
 * @guest:   belongs to a guest (TAP of a VM, bridge or uplink of a network).
 * @seen:    present at the last refill.
 */
struct iface {
	int ifindex;
	char name[QNM_IFNAME_MAX + 1];
	uint64_t prev[QNM_STAT__COUNT];
	uint64_t cur[QNM_STAT__COUNT];
	double rate[2];
	double pps[2];
	double hist[2][HIST];
	size_t nh;
	bool guest;
	bool seen;
};

enum sort_key { SORT_NAME, SORT_RX, SORT_TX, SORT_RXTOT, SORT_TXTOT, SORT__COUNT };
static const char *const sort_names[] = { "name", "rx rate", "tx rate", "rx total", "tx total" };

/**
 * struct traffic - state of the Traffic screen.
 * @links:     the engine's link view, or NULL when it could not be opened.
 * @error:     why not (owned), or NULL.
 * @ifs:       interfaces, @nifs of them (@cap allocated).
 * @slot:      ifindex hash -> index in @ifs + 1 (0: empty).
 * @order:     indexes of @ifs shown, filtered and sorted; @list.n of them.
 * @last_ms:   time of the last sample.
 * @guests:    show only guests' interfaces.
 * @sort:      sort key.
 */
struct traffic {
	struct qnm_links *links;
	char *error;
	struct iface *ifs;
	size_t nifs, cap;
	int slot[HASH];
	size_t *order;
	struct qnm_list list;
	int page;
	long last_ms;
	bool guests;
	enum sort_key sort;
};

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct iface *lookup(struct traffic *s, int ifindex, bool add)
{
	unsigned h = (unsigned)ifindex * 2654435761u;
	size_t i;

	for (i = 0; i < HASH; i++) {
		int *sl = &s->slot[(h + i) & (HASH - 1)];

		if (*sl && s->ifs[*sl - 1].ifindex == ifindex)
			return &s->ifs[*sl - 1];
		if (!*sl) {
			if (!add || s->nifs >= HASH / 2)
				return NULL;
			if (s->nifs == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 64;
				s->ifs = xreallocarray(s->ifs, s->cap, sizeof(*s->ifs));
			}
			memset(&s->ifs[s->nifs], 0, sizeof(*s->ifs));
			s->ifs[s->nifs].ifindex = ifindex;
			*sl = (int)++s->nifs;
			return &s->ifs[s->nifs - 1];
		}
	}
	return NULL;
}

/* Interfaces that belong to guests: VM TAPs, network bridges/uplinks/ports. */
static bool is_guest_if(const struct qnm_model *m, const char *name)
{
	char tap[QNM_IFNAME_MAX + 1];
	size_t i, j;

	for (i = 0; i < m->nnets; i++)
		if (strcmp(m->nets[i]->bridge, name) == 0 || strcmp(m->nets[i]->uplink, name) == 0 ||
		    strcmp(m->nets[i]->port, name) == 0)
			return true;
	for (i = 0; i < m->nvms; i++) {
		for (j = 0; j < m->vms[i]->nnics; j++) {
			const struct qnm_nic *n = &m->vms[i]->nics[j];

			if (n->backend == QNM_BACKEND_TAP) {
				if (n->tap.ifname[0])
					qnm_strlcpy(tap, n->tap.ifname, sizeof(tap));
				else
					qnm_tap_default_ifname(m->vms[i], j, tap);
				if (strcmp(tap, name) == 0 || strcmp(n->tap.bridge, name) == 0)
					return true;
			} else if (n->backend == QNM_BACKEND_BRIDGE && strcmp(n->bridge.br, name) == 0) {
				return true;
			}
		}
	}
	return false;
}

static void push(struct iface *f, double rx, double tx)
{
	if (f->nh == HIST) {
		memmove(f->hist[0], f->hist[0] + 1, (HIST - 1) * sizeof(double));
		memmove(f->hist[1], f->hist[1] + 1, (HIST - 1) * sizeof(double));
		f->nh--;
	}
	f->hist[0][f->nh] = rx;
	f->hist[1][f->nh] = tx;
	f->nh++;
}

static void sample(struct qnm_ui *ui, struct traffic *s)
{
	struct qnm_err err;
	long now = mono_ms();
	double dt = s->last_ms ? (now - s->last_ms) / 1000.0 : 0;
	size_t i;

	if (!s->links)
		return;
	qnm_err_clear(&err);
	if (qnm_links_refill(s->links, &err)) {
		free(s->error);
		s->error = xstrdup(err.msg);
		return;
	}
	free(s->error);
	s->error = NULL;
	for (i = 0; i < s->nifs; i++)
		s->ifs[i].seen = false;
	for (i = 0; i < s->links->n; i++) {
		const struct qnm_link_info *li = &s->links->v[i];
		struct iface *f = lookup(s, li->ifindex, true);
		bool fresh;
		int k;

		if (!f)
			continue;
		fresh = strcmp(f->name, li->name) != 0;
		if (fresh) {
			qnm_strlcpy(f->name, li->name, sizeof(f->name));
			f->nh = 0;
			f->guest = is_guest_if(&ui->ctx->model, f->name);
		}
		f->seen = true;
		memcpy(f->prev, f->cur, sizeof(f->cur));
		memcpy(f->cur, li->stats, sizeof(f->cur));
		if (fresh || dt <= 0) {
			f->rate[0] = f->rate[1] = f->pps[0] = f->pps[1] = 0;
			continue;
		}
		for (k = 0; k < 2; k++) {
			/* counters that went backwards (re-created link) count as 0 */
			f->rate[k] = f->cur[k] >= f->prev[k] ? (f->cur[k] - f->prev[k]) / dt : 0;
			f->pps[k] = f->cur[2 + k] >= f->prev[2 + k] ?
					    (f->cur[2 + k] - f->prev[2 + k]) / dt : 0;
		}
		push(f, f->rate[0], f->rate[1]);
	}
	/* guests' slirp NICs: counters from their helpers, as rows "VM/NIC" */
	for (i = 0; ui->guests && i < ui->guests->nnics; i++) {
		const struct qnm_guest_nic *gn = &ui->guests->nics[i];
		char name[2 * QNM_NAME_MAX + 2];
		unsigned h = 5381;
		const char *p;
		struct iface *f;

		if (!gn->have)
			continue;
		snprintf(name, sizeof(name), "%s/%s", gn->vm, gn->nic);
		for (p = name; *p; p++)
			h = h * 33 + (unsigned char)*p;
		f = lookup(s, -(int)(h & 0x3fffffff) - 1, true); /* negative: not a kernel link */
		if (!f)
			continue;
		qnm_strlcpy(f->name, name, sizeof(f->name));
		f->guest = true;
		f->seen = true;
		f->cur[QNM_STAT_RX_BYTES] = gn->st.rx_bytes;
		f->cur[QNM_STAT_TX_BYTES] = gn->st.tx_bytes;
		f->cur[QNM_STAT_RX_PACKETS] = gn->st.rx_packets;
		f->cur[QNM_STAT_TX_PACKETS] = gn->st.tx_packets;
		f->cur[QNM_STAT_RX_DROPPED] = gn->st.rx_dropped;
		f->rate[0] = gn->rate[0];
		f->rate[1] = gn->rate[1];
		f->nh = gn->nh < HIST ? gn->nh : HIST;
		memcpy(f->hist[0], gn->hist[0] + (gn->nh - f->nh), f->nh * sizeof(double));
		memcpy(f->hist[1], gn->hist[1] + (gn->nh - f->nh), f->nh * sizeof(double));
	}
	s->last_ms = now;
}

static struct traffic *sort_ctx;

static int cmp(const void *a, const void *b)
{
	const struct iface *x = &sort_ctx->ifs[*(const size_t *)a];
	const struct iface *y = &sort_ctx->ifs[*(const size_t *)b];
	double d = 0;

	switch (sort_ctx->sort) {
	case SORT_RX:
		d = y->rate[0] - x->rate[0];
		break;
	case SORT_TX:
		d = y->rate[1] - x->rate[1];
		break;
	case SORT_RXTOT:
		d = (double)y->cur[0] - (double)x->cur[0];
		break;
	case SORT_TXTOT:
		d = (double)y->cur[1] - (double)x->cur[1];
		break;
	default:
		break;
	}
	if (d < 0)
		return -1;
	if (d > 0)
		return 1;
	return strcmp(x->name, y->name);
}

static void reorder(struct traffic *s)
{
	size_t i;

	s->order = xreallocarray(s->order, s->nifs + 1, sizeof(*s->order));
	s->list.n = 0;
	for (i = 0; i < s->nifs; i++) {
		const struct iface *f = &s->ifs[i];

		if (!f->seen || (s->guests && !f->guest) || !qnm_list_match(&s->list, f->name))
			continue;
		s->order[s->list.n++] = i;
	}
	sort_ctx = s;
	qsort(s->order, (size_t)s->list.n, sizeof(*s->order), cmp);
	sort_ctx = NULL;
	qnm_list_fix(&s->list, s->page);
}

static void *traffic_init(struct qnm_ui *ui, void *arg)
{
	struct traffic *s = xcalloc(1, sizeof(*s));
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_links_new(false, &s->links, &err)) {
		s->error = xasprintf("cannot read the interfaces: %s", err.msg);
		s->links = NULL;
	}
	sample(ui, s);
	return s;
}

static void traffic_free(void *st)
{
	struct traffic *s = st;

	qnm_links_free(s->links);
	free(s->error);
	free(s->ifs);
	free(s->order);
	free(s);
}

static double hist_max(const struct iface *f, int w)
{
	double m = 0;
	size_t i, from = f->nh > (size_t)w ? f->nh - (size_t)w : 0;
	int k;

	for (k = 0; k < 2; k++)
		for (i = from; i < f->nh; i++)
			if (f->hist[k][i] > m)
				m = f->hist[k][i];
	return m;
}

/* The big graph: rx above the middle line, tx below, @h rows in all. */
static void big_graph(struct qnm_ui *ui, const struct iface *f, int y, int x, int w, int h)
{
	double max = hist_max(f, w);
	int half = h / 2, row, i;

	for (row = 0; row < half; row++) {
		for (i = 0; i < w; i++) {
			long idx = (long)f->nh - w + i;
			double v = idx >= 0 ? f->hist[0][idx] : 0, lo, fr;
			int level;

			/* rows fill bottom-up towards the middle line */
			lo = max * (half - 1 - row) / half;
			fr = max > 0 ? (v - lo) / (max / half) : 0;
			level = fr <= 0 ? 0 : fr >= 1 ? 8 : (int)(fr * 8 + 0.5);
			qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
			qnm_put(stdscr, y + row, x + i, 1, ui->g->spark[level]);
		}
	}
	for (row = 0; row < h - half; row++) {
		for (i = 0; i < w; i++) {
			long idx = (long)f->nh - w + i;
			double v = idx >= 0 ? f->hist[1][idx] : 0;
			bool on = max > 0 && v > max * row / (h - half);

			qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_TX);
			qnm_put(stdscr, y + half + row, x + i, 1, on ? ui->g->spark[8] : " ");
		}
	}
}

static void traffic_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct traffic *s = st;
	bool wide = r->w >= 120;
	int detail_h = r->h >= 30 ? 12 : 8;
	int y = r->y + 1, i, sparkw;
	char a[16], b[16], c[16], d[16];

	s->page = r->h - 1 - detail_h - 1;
	reorder(s);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	if (wide)
		qnm_putf(stdscr, r->y, r->x, r->w, " %-15s %10s %10s %9s %9s %8s %8s %6s %6s  %s",
			 "INTERFACE", "RX/s", "TX/s", "RX total", "TX total", "RX pk/s", "TX pk/s",
			 "errors", "drops", "HISTORY (rx)");
	else
		qnm_putf(stdscr, r->y, r->x, r->w, " %-12s %10s %10s %9s %9s  %s", "INTERFACE",
			 "RX/s", "TX/s", "RX total", "TX total", "HISTORY (rx)");
	sparkw = r->w - (wide ? 96 : 57);
	if (s->error) {
		struct qnm_rect t = { y + 1, r->x + 2, 3, r->w - 4 };

		qnm_set_role(ui, stdscr, QNM_ROLE_ERROR);
		qnm_wrap(stdscr, &t, 0, s->error);
	}
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		const struct iface *f = &s->ifs[s->order[s->list.top + i]];
		bool sel = s->list.top + i == s->list.sel;
		int x;

		qnm_human_rate(f->rate[0], a, sizeof(a));
		qnm_human_rate(f->rate[1], b, sizeof(b));
		qnm_human_bytes(f->cur[QNM_STAT_RX_BYTES], c, sizeof(c));
		qnm_human_bytes(f->cur[QNM_STAT_TX_BYTES], d, sizeof(d));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		if (wide)
			x = qnm_putf(stdscr, y + i, r->x, r->w,
				     " %-15s %10s %10s %9s %9s %8.0f %8.0f %6llu %6llu  ", f->name, a, b,
				     c, d, f->pps[0], f->pps[1],
				     (unsigned long long)f->cur[QNM_STAT_RX_ERRORS] +
					     (unsigned long long)f->cur[QNM_STAT_TX_ERRORS],
				     (unsigned long long)f->cur[QNM_STAT_RX_DROPPED] +
					     (unsigned long long)f->cur[QNM_STAT_TX_DROPPED]);
		else
			x = qnm_putf(stdscr, y + i, r->x, r->w, " %-12s %10s %10s %9s %9s  ", f->name,
				     a, b, c, d);
		if (sparkw > 4) {
			if (!sel)
				qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
			qnm_sparkline(ui, stdscr, y + i, r->x + x, sparkw, f->hist[0], f->nh,
				      hist_max(f, sparkw));
		}
	}
	/* the selected interface, larger */
	y = r->y + r->h - detail_h - 1;
	qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
	qnm_hline(ui, stdscr, y, r->x, r->w);
	if (s->list.n > 0 && s->list.sel < s->list.n) {
		const struct iface *f = &s->ifs[s->order[s->list.sel]];

		qnm_human_rate(f->rate[0], a, sizeof(a));
		qnm_human_rate(f->rate[1], b, sizeof(b));
		qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
		qnm_putf(stdscr, y, r->x + 2, r->w - 4, " %s ", f->name);
		qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
		qnm_putf(stdscr, y + 1, r->x + 1, 30, "rx %s  %.0f pk/s", a, f->pps[0]);
		qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_TX);
		qnm_putf(stdscr, y + 2, r->x + 1, 30, "tx %s  %.0f pk/s", b, f->pps[1]);
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_putf(stdscr, y + 3, r->x + 1, 30, "rx err %llu drop %llu",
			 (unsigned long long)f->cur[QNM_STAT_RX_ERRORS],
			 (unsigned long long)f->cur[QNM_STAT_RX_DROPPED]);
		qnm_putf(stdscr, y + 4, r->x + 1, 30, "tx err %llu drop %llu",
			 (unsigned long long)f->cur[QNM_STAT_TX_ERRORS],
			 (unsigned long long)f->cur[QNM_STAT_TX_DROPPED]);
		qnm_putf(stdscr, y + 5, r->x + 1, 30, "packets %llu / %llu",
			 (unsigned long long)f->cur[QNM_STAT_RX_PACKETS],
			 (unsigned long long)f->cur[QNM_STAT_TX_PACKETS]);
		qnm_human_rate(hist_max(f, r->w - 33), c, sizeof(c));
		qnm_putf(stdscr, y + 6, r->x + 1, 30, "peak %s", c);
		big_graph(ui, f, y + 1, r->x + 32, r->w - 33, detail_h);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(stdscr, r->y + r->h - 1, r->x + 1, r->w - 2,
		 "%d of %zu interfaces (%s)  sort: %s  every %.2g s  VM/NIC rows: slirp NICs, guest's view",
		 s->list.n, s->links ? s->links->n : 0, s->guests ? "guests' only" : "all",
		 sort_names[s->sort], ui->interval_ms / 1000.0);
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static unsigned traffic_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct traffic *s = st;
	unsigned r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		return r;
	switch (act) {
	case QNM_ACT_SORT:
		s->sort = (enum sort_key)((s->sort + 1) % SORT__COUNT);
		break;
	case QNM_ACT_GUESTS_ONLY:
		s->guests = !s->guests;
		s->list.sel = 0;
		break;
	case QNM_ACT_FASTER:
		if (ui->interval_ms > 250)
			ui->interval_ms /= 2;
		break;
	case QNM_ACT_SLOWER:
		if (ui->interval_ms < 8000)
			ui->interval_ms *= 2;
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

static bool traffic_tick(struct qnm_ui *ui, void *st)
{
	sample(ui, st);
	return true;
}

const struct qnm_screen_ops qnm_screen_traffic = {
	.id = QNM_SCR_TRAFFIC,
	.init = traffic_init,
	.free = traffic_free,
	.draw = traffic_draw,
	.key = traffic_key,
	.tick = traffic_tick,
};
