// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-traffic.c - live counters of every interface (or only guests'):
 * rates, totals, packets, errors, drops, a sparkline per row and a larger
 * graph of the selected one. The numbers come from the UI's one engine
 * sampler (guests.h, src/watch/sampler.h: host links over one netlink stats dump
 * per tick, and guests' slirp NICs from their helpers, with rates and
 * histories), which keeps sampling while other screens are shown.
 *
 * The registered hosts' guests' interfaces follow this host's, under a
 * line naming each host (remotes.h): their counters and rates come from
 * each host's own sampler ("stats" over the UI's kept connection, once a
 * second, in a background round), shown in the host's view as this host's
 * are. A host that stops answering is marked on its line, its rows keep
 * their last totals and show no rate ("-"), never a frozen or zero one.
 */
#include "build-config.h"

#include "guests.h"
#include "api/stats.h"
#include "remotes.h"
#include "uipriv.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define HIST QNM_SAMPLER_HISTORY

enum sort_key { SORT_NAME, SORT_RX, SORT_TX, SORT_RXTOT, SORT_TXTOT, SORT__COUNT };
static const char *const sort_names[] = { "name", "rx rate", "tx rate", "rx total", "tx total" };

/**
 * struct trow - one row of the list after this host's interfaces: a host's
 * line (@o NULL; @h NULL for this host's own, shown only when there are
 * other hosts) or one guest interface of host @h (@o: its "stats" entry).
 */
struct trow {
	struct qnm_rhost *h;
	json_object *o;
};

/**
 * struct traffic - state of the Traffic screen. The rows are the entries
 * of the UI's sampler (guests.h), which lives and ticks whether this
 * screen is shown or not: nothing is copied, and histories are read only
 * for the rows on screen; then the other hosts' rows (@rows).
 * @order:  this host's rows shown, filtered and sorted (valid until the next
 *          sampler tick: rebuilt at every draw), @nlocal of them.
 * @cap:    room in @order.
 * @nlocal: see @order.
 * @rows:   the rows after them (host lines, other hosts' interfaces;
 *          rebuilt at every draw), @nrows of them.
 * @nrows:  see @rows.
 * @rcap:   room in @rows.
 * @guests: show only guests' interfaces.
 * @sort:   sort key.
 */
struct traffic {
	const struct qnm_sample **order;
	size_t cap;
	size_t nlocal;
	struct trow *rows;
	size_t nrows, rcap;
	struct qnm_list list;
	int page;
	bool guests;
	enum sort_key sort;
};

static enum sort_key sort_by;

static int cmp(const void *a, const void *b)
{
	const struct qnm_sample *x = *(const struct qnm_sample *const *)a;
	const struct qnm_sample *y = *(const struct qnm_sample *const *)b;
	double d = 0;

	switch (sort_by) {
	case SORT_RX:
		d = y->rate[QNM_STAT_RX_BYTES] - x->rate[QNM_STAT_RX_BYTES];
		break;
	case SORT_TX:
		d = y->rate[QNM_STAT_TX_BYTES] - x->rate[QNM_STAT_TX_BYTES];
		break;
	case SORT_RXTOT:
		d = (double)y->stats[QNM_STAT_RX_BYTES] - (double)x->stats[QNM_STAT_RX_BYTES];
		break;
	case SORT_TXTOT:
		d = (double)y->stats[QNM_STAT_TX_BYTES] - (double)x->stats[QNM_STAT_TX_BYTES];
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

static bool shown(const struct traffic *s, const struct qnm_sample *e)
{
	return (!s->guests || e->role != QNM_IFROLE_HOST) &&
	       (!s->list.filter[0] || qnm_list_match(&s->list, e->name));
}

/*
 * The rows in name order without sorting: the sampler keeps its links and
 * its slirp NICs each sorted by name, so one merge of the two runs does it.
 */
static void reorder(struct qnm_sampler *sp, struct traffic *s)
{
	size_t nl = 0, i, j, n = 0;

	if (sp->n + 1 > s->cap) {
		s->cap = sp->n + 1;
		s->order = xreallocarray(s->order, s->cap, sizeof(*s->order));
	}
	while (nl < sp->n && !sp->v[nl]->is_slirp)
		nl++;
	for (i = 0, j = nl; i < nl || j < sp->n;) {
		const struct qnm_sample *e;

		if (j >= sp->n || (i < nl && strcmp(sp->v[i]->name, sp->v[j]->name) <= 0))
			e = sp->v[i++];
		else
			e = sp->v[j++];
		if (shown(s, e))
			s->order[n++] = e;
	}
	s->nlocal = n;
	if (s->sort != SORT_NAME) {
		sort_by = s->sort;
		qsort(s->order, n, sizeof(*s->order), cmp);
	}
}

/*
 * Another host's entry in the host's view, as this host's rows are: its
 * "stats" are the guest's view (every entry there faces a guest), so rx
 * here is the guest's tx.
 */
static double rnum(json_object *o, const char *host_view)
{
	static const char *const guest_view[][2] = { { "rx_rate", "tx_rate" },
						     { "tx_rate", "rx_rate" },
						     { "rx_bytes", "tx_bytes" },
						     { "tx_bytes", "rx_bytes" } };
	size_t k;

	for (k = 0; k < QNM_ARRAY_SIZE(guest_view); k++)
		if (strcmp(guest_view[k][0], host_view) == 0)
			return qnm_remote_num(o, guest_view[k][1]);
	return 0;
}

/* the member of an entry each sort key compares (none: by name) */
static const char *const rsort_member[SORT__COUNT] = {
	[SORT_RX] = "rx_rate",
	[SORT_TX] = "tx_rate",
	[SORT_RXTOT] = "rx_bytes",
	[SORT_TXTOT] = "tx_bytes",
};

static int rcmp(const void *a, const void *b)
{
	json_object *x = ((const struct trow *)a)->o, *y = ((const struct trow *)b)->o;
	double d = rsort_member[sort_by]
			   ? rnum(y, rsort_member[sort_by]) - rnum(x, rsort_member[sort_by])
			   : 0;

	if (d < 0)
		return -1;
	if (d > 0)
		return 1;
	return strcmp(qnm_remote_str(x, "name"), qnm_remote_str(y, "name"));
}

static void add_trow(struct traffic *s, struct qnm_rhost *h, json_object *o)
{
	if (s->nrows == s->rcap) {
		s->rcap = s->rcap ? 2 * s->rcap : 16;
		s->rows = xreallocarray(s->rows, s->rcap, sizeof(*s->rows));
	}
	s->rows[s->nrows].h = h;
	s->rows[s->nrows++].o = o;
}

/* the other hosts' rows: each host's line, then its guests' interfaces shown */
static void reorder_remote(struct qnm_ui *ui, struct traffic *s)
{
	size_t i, k, from;

	s->nrows = 0;
	if (!ui->remotes || !ui->remotes->n)
		return;
	add_trow(s, NULL, NULL); /* this host's line, before its rows */
	for (i = 0; i < ui->remotes->n; i++) {
		struct qnm_rhost *h = ui->remotes->v[i];
		size_t n = h->stats ? json_object_array_length(h->stats) : 0;

		if (h->gone)
			continue;
		add_trow(s, h, NULL);
		from = s->nrows;
		for (k = 0; k < n; k++) {
			json_object *o = json_object_array_get_idx(h->stats, k);

			if (!s->list.filter[0] ||
			    qnm_list_match(&s->list, qnm_remote_str(o, "name")) ||
			    qnm_list_match(&s->list, qnm_remote_str(o, "vm")))
				add_trow(s, h, o);
		}
		sort_by = s->sort;
		qsort(s->rows + from, s->nrows - from, sizeof(*s->rows), rcmp);
	}
}

/*
 * Row @k of the whole list: this host's line (when there are others), this
 * host's interfaces, then the others'. Return: this host's sample, or NULL
 * with *@t set to the row after them.
 */
static const struct qnm_sample *row_at(const struct traffic *s, int k, const struct trow **t)
{
	size_t lead = s->nrows ? 1 : 0;

	*t = NULL;
	if (lead && k == 0) {
		*t = &s->rows[0];
		return NULL;
	}
	if ((size_t)k - lead < s->nlocal)
		return s->order[(size_t)k - lead];
	*t = &s->rows[(size_t)k - s->nlocal];
	return NULL;
}

static void *traffic_init(struct qnm_ui *ui, void *arg)
{
	(void)ui;
	(void)arg;
	return xcalloc(1, sizeof(struct traffic));
}

static void traffic_free(void *st)
{
	struct traffic *s = st;

	free(s->order);
	free(s->rows);
	free(s);
}

/** struct hist - an entry's rx/tx byte rates, oldest first, @nh of them. */
struct hist {
	double hist[2][HIST];
	size_t nh;
};

static void hist_of(const struct qnm_sample *e, struct hist *h)
{
	/* cppcheck-suppress uninitvar ; h->hist is the output qnm_sample_history fills */
	h->nh = qnm_sample_history(e, QNM_HIST_RX_BYTES, false, h->hist[0], HIST);
	qnm_sample_history(e, QNM_HIST_TX_BYTES, false, h->hist[1], HIST);
}

static double hist_max(const struct hist *f, int w)
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
static void big_graph(struct qnm_ui *ui, const struct hist *f, int y, int x, int w, int h)
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

/* a host's line: this host's (@h NULL) or another's, with how it answers */
static void draw_host_line(struct qnm_ui *ui, const struct traffic *s, const struct qnm_rhost *h,
			   bool sel, int y, const struct qnm_rect *r)
{
	char local[64], up[64];

	snprintf(local, sizeof(local), "local (this host): %zu interface(s)", s->nlocal);
	snprintf(up, sizeof(up), "%zu guest interface(s), over ssh",
		 h && h->stats ? json_object_array_length(h->stats) : 0);
	qnm_remote_host_line(ui, h, local, up, "last totals kept, no rates", "no counters yet", sel,
			     y, r);
}

/* "VM/NIC" of another host's entry @o when its name is not that already (a TAP's), else "" */
static const char *vm_nic(json_object *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", qnm_remote_str(o, "vm"), qnm_remote_str(o, "nic"));
	if (strcmp(buf, qnm_remote_str(o, "name")) == 0)
		buf[0] = '\0';
	return buf;
}

/* another host's guest interface: rates only while its host answers */
static void draw_remote_row(struct qnm_ui *ui, const struct trow *t, bool sel, bool wide, int y,
			    const struct qnm_rect *r)
{
	char a[16] = "-", b[16] = "-", c[16], d[16], vn[2 * QNM_NAME_MAX + 2];

	if (t->h->up) {
		qnm_fmt_rate(rnum(t->o, "rx_rate"), a, sizeof(a));
		qnm_fmt_rate(rnum(t->o, "tx_rate"), b, sizeof(b));
	}
	qnm_fmt_bytes((uint64_t)rnum(t->o, "rx_bytes"), c, sizeof(c));
	qnm_fmt_bytes((uint64_t)rnum(t->o, "tx_bytes"), d, sizeof(d));
	qnm_set_role(ui, stdscr,
		     sel	? QNM_ROLE_SELECTION
		     : t->h->up ? QNM_ROLE_NORMAL
				: QNM_ROLE_DIM);
	qnm_fill(stdscr, y, r->x, r->w);
	qnm_putf(stdscr, y, r->x, r->w,
		 wide ? " %-15s %10s %10s %9s %9s  %s on host %s" : " %-12s %10s %10s %9s %9s  %s",
		 qnm_remote_str(t->o, "name"), a, b, c, d, vm_nic(t->o, vn, sizeof(vn)),
		 t->h->name);
}

/* the selected interface of another host, in the detail area at @y */
static void draw_remote_detail(struct qnm_ui *ui, const struct trow *t, int y,
			       const struct qnm_rect *r)
{
	char a[16] = "-", b[16] = "-", c[16], d[16], vn[2 * QNM_NAME_MAX + 2];
	const char *net = qnm_remote_str(t->o, "network");

	if (t->h->up) {
		qnm_fmt_rate(rnum(t->o, "rx_rate"), a, sizeof(a));
		qnm_fmt_rate(rnum(t->o, "tx_rate"), b, sizeof(b));
	}
	qnm_fmt_bytes((uint64_t)rnum(t->o, "rx_bytes"), c, sizeof(c));
	qnm_fmt_bytes((uint64_t)rnum(t->o, "tx_bytes"), d, sizeof(d));
	qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
	qnm_putf(stdscr, y, r->x + 2, r->w - 4, " %s%s%s on host %s%s%s ",
		 qnm_remote_str(t->o, "name"), *vm_nic(t->o, vn, sizeof(vn)) ? " " : "", vn,
		 t->h->name, *net ? ", network " : "", net);
	qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
	qnm_putf(stdscr, y + 1, r->x + 1, r->w - 2, "rx %s  total %s", a, c);
	qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_TX);
	qnm_putf(stdscr, y + 2, r->x + 1, r->w - 2, "tx %s  total %s", b, d);
	qnm_set_role(ui, stdscr, t->h->up ? QNM_ROLE_DIM : QNM_ROLE_ERROR);
	if (t->h->up)
		qnm_putf(stdscr, y + 3, r->x + 1, r->w - 2,
			 "from %s's qnm over ssh, once a second (its last round %.0f ms)",
			 t->h->name, t->h->ms);
	else
		qnm_putf(stdscr, y + 3, r->x + 1, r->w - 2,
			 "host %s does not answer (since %lld s): totals as it last said",
			 t->h->name, (long long)((qnm_mono_ms_int() - t->h->down_since) / 1000));
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(stdscr, y + 4, r->x + 1, r->w - 2, "host's view: rx = guest's tx");
}

static void traffic_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct traffic *s = st;
	const char *error = NULL;
	struct qnm_sampler *sp = qnm_ui_sampler(ui, &error);
	bool wide = r->w >= 120;
	int detail_h = r->h >= 30 ? 12 : 8;
	int y = r->y + 1, i, sparkw;
	char a[16], b[16], c[16], d[16];
	const struct trow *t;
	size_t k, nrem = 0;
	struct hist h;

	s->page = r->h - 1 - detail_h - 1;
	s->nlocal = 0;
	if (sp)
		reorder(sp, s);
	reorder_remote(ui, s);
	s->list.n = (int)(s->nlocal + s->nrows);
	qnm_list_fix(&s->list, s->page);
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
	if (error) {
		struct qnm_rect e = { y + 1, r->x + 2, 3, r->w - 4 };

		qnm_set_role(ui, stdscr, QNM_ROLE_ERROR);
		qnm_wrap(stdscr, &e, 0, error);
	}
	/* only the rows on screen are formatted and have their history read */
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		const struct qnm_sample *f = row_at(s, s->list.top + i, &t);
		bool sel = s->list.top + i == s->list.sel;
		int x;

		if (t && !t->o) {
			draw_host_line(ui, s, t->h, sel, y + i, r);
			continue;
		}
		if (t) {
			draw_remote_row(ui, t, sel, wide, y + i, r);
			continue;
		}
		qnm_fmt_rate(f->rate[QNM_STAT_RX_BYTES], a, sizeof(a));
		qnm_fmt_rate(f->rate[QNM_STAT_TX_BYTES], b, sizeof(b));
		qnm_fmt_bytes(f->stats[QNM_STAT_RX_BYTES], c, sizeof(c));
		qnm_fmt_bytes(f->stats[QNM_STAT_TX_BYTES], d, sizeof(d));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		if (wide)
			x = qnm_putf(stdscr, y + i, r->x, r->w,
				     " %-15s %10s %10s %9s %9s %8.0f %8.0f %6llu %6llu  ", f->name,
				     a, b, c, d, f->rate[QNM_STAT_RX_PACKETS],
				     f->rate[QNM_STAT_TX_PACKETS],
				     (unsigned long long)f->stats[QNM_STAT_RX_ERRORS] +
					     (unsigned long long)f->stats[QNM_STAT_TX_ERRORS],
				     (unsigned long long)f->stats[QNM_STAT_RX_DROPPED] +
					     (unsigned long long)f->stats[QNM_STAT_TX_DROPPED]);
		else
			x = qnm_putf(stdscr, y + i, r->x, r->w, " %-12s %10s %10s %9s %9s  ",
				     f->name, a, b, c, d);
		if (sparkw > 4) {
			if (!sel)
				qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
			hist_of(f, &h);
			qnm_sparkline(ui, stdscr, y + i, r->x + x, sparkw, h.hist[0], h.nh,
				      hist_max(&h, sparkw));
		}
	}
	/* the selected interface, larger */
	y = r->y + r->h - detail_h - 1;
	qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
	qnm_hline(ui, stdscr, y, r->x, r->w);
	if (s->list.n > 0 && s->list.sel < s->list.n) {
		const struct qnm_sample *f = row_at(s, s->list.sel, &t);

		if (t && t->o)
			draw_remote_detail(ui, t, y, r);
		if (f) {
			qnm_fmt_rate(f->rate[QNM_STAT_RX_BYTES], a, sizeof(a));
			qnm_fmt_rate(f->rate[QNM_STAT_TX_BYTES], b, sizeof(b));
			qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
			qnm_putf(stdscr, y, r->x + 2, r->w - 4, " %s (%s) ", f->name,
				 qnm_if_role_label(f->role));
			qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
			qnm_putf(stdscr, y + 1, r->x + 1, 30, "rx %s  %.0f pk/s", a,
				 f->rate[QNM_STAT_RX_PACKETS]);
			qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_TX);
			qnm_putf(stdscr, y + 2, r->x + 1, 30, "tx %s  %.0f pk/s", b,
				 f->rate[QNM_STAT_TX_PACKETS]);
			qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
			qnm_putf(stdscr, y + 3, r->x + 1, 30, "rx err %llu drop %llu",
				 (unsigned long long)f->stats[QNM_STAT_RX_ERRORS],
				 (unsigned long long)f->stats[QNM_STAT_RX_DROPPED]);
			qnm_putf(stdscr, y + 4, r->x + 1, 30, "tx err %llu drop %llu",
				 (unsigned long long)f->stats[QNM_STAT_TX_ERRORS],
				 (unsigned long long)f->stats[QNM_STAT_TX_DROPPED]);
			qnm_putf(stdscr, y + 5, r->x + 1, 30, "packets %llu / %llu",
				 (unsigned long long)f->stats[QNM_STAT_RX_PACKETS],
				 (unsigned long long)f->stats[QNM_STAT_TX_PACKETS]);
			hist_of(f, &h);
			qnm_fmt_rate(hist_max(&h, r->w - 33), c, sizeof(c));
			qnm_putf(stdscr, y + 6, r->x + 1, 30, "peak %s, %zu samples", c, h.nh);
			/* the VMs screen shows a guest's NIC the other way round */
			if (qnm_if_role_guest_facing(f->role))
				qnm_put(stdscr, y + 7, r->x + 1, 30,
					"host's view: rx = guest's tx");
			big_graph(ui, &h, y + 1, r->x + 32, r->w - 33, detail_h);
		}
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	for (k = 0; s->rows && k < s->nrows; k++)
		nrem += s->rows[k].o != NULL; /* a guest interface of another host */
	if (nrem) /* at 80 columns: the slirp note gives way to the other hosts' count */
		qnm_putf(stdscr, r->y + r->h - 1, r->x + 1, r->w - 2,
			 "%zu of %zu here, %zu on other hosts (%s)  sort: %s  every %.2g s",
			 s->nlocal, sp ? sp->n : 0, nrem, s->guests ? "guests' only" : "all",
			 sort_names[s->sort], ui->interval_ms / 1000.0);
	else
		qnm_putf(
			stdscr, r->y + r->h - 1, r->x + 1, r->w - 2,
			"%zu of %zu interfaces (%s)  sort: %s  every %.2g s  VM/NIC rows: slirp NICs",
			s->nlocal, sp ? sp->n : 0, s->guests ? "guests' only" : "all",
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

const struct qnm_screen_ops qnm_screen_traffic = {
	.id = QNM_SCR_TRAFFIC,
	.init = traffic_init,
	.free = traffic_free,
	.draw = traffic_draw,
	.key = traffic_key,
};
