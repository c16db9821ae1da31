// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-modes.c - network modes: the topology of a VM's NICs (guest NIC
 * -> backend -> bridge -> uplink/NAT -> outside) and what each mode means,
 * what it needs and why.
 */
#include "build-config.h"

#include "api/ovnview.h"
#include "api/remote.h"
#include "api/topo.h"
#include "core/backend.h"
#include "guests.h"
#include "remotes.h"
#include "uipriv.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The NICs of a VM whose OVN view the screen reads. */
#define QNM_MODES_OVN_NICS 4

/**
 * struct modes_st - state of the modes screen.
 * @name: the VM shown ("" = the first VM).
 * @top:   scroll: the first line shown.
 * @page:  lines shown.
 * @lines: lines of the whole text (at the last draw).
 * @port:  where the host's address of a bridged network lives (topo.h).
 * @host:  the registered host whose VM @name is ("" = this host).
 * @topo:  @host's last "vm.topology" answer, NULL while none (or it failed).
 * @why:   why @host did not answer, "" when it did.
 * @ask:   the request under way, or NULL.
 * @asked: when it was sent (qnm_mono_ms_int()).
 */
struct modes_st {
	char name[QNM_NAME_MAX + 1];
	int top, page, lines;
	struct qnm_api_topo_cache port;
	char host[QNM_NAME_MAX + 1];
	struct json_object *topo;
	char why[512];
	struct topo_ask *ask;
	int64_t asked;
};

/**
 * struct topo_ask - a "vm.topology" under way for a screen: @s, NULL once
 * the screen is gone (the answer is then dropped).
 */
struct topo_ask {
	struct modes_st *s;
};

/**
 * struct ovn_views - the OVN views of the shown VM's NICs, read in a
 * background job (quiet: no spinner) at most once a second, so an Open
 * vSwitch or an OVN database that does not answer never blocks the UI.
 * One per UI (the job outlives the screen): the last answer for @vm.
 * @vm:   the VM the views are of.
 * @at:   when the last round started.
 * @busy: a round runs.
 * @any:  @vm has a NIC on an ovn network (the screen ticks once a second).
 * @on:   each NIC is on an ovn network and its view was read (at least once).
 * @v:    each NIC's view.
 * @req:  each NIC's request (the job's copy out of the model).
 */
struct ovn_views {
	char vm[QNM_NAME_MAX + 1];
	time_t at;
	bool busy, any;
	bool on[QNM_MODES_OVN_NICS];
	struct qnm_ovn_view v[QNM_MODES_OVN_NICS];
	struct qnm_api_ovn_req req[QNM_MODES_OVN_NICS];
};

static struct ovn_views ovn_views;

static void *modes_init(struct qnm_ui *ui, void *arg)
{
	struct modes_st *s = xcalloc(1, sizeof(*s));

	if (arg)
		qnm_strlcpy(s->name, arg, sizeof(s->name));
	return s;
}

static void *modes_remote_init(struct qnm_ui *ui, void *arg)
{
	const struct qnm_modes_remote *a = arg;
	struct modes_st *s = xcalloc(1, sizeof(*s));

	qnm_strlcpy(s->name, a->vm, sizeof(s->name));
	qnm_strlcpy(s->host, a->host, sizeof(s->host));
	return s;
}

static void modes_free(void *st)
{
	struct modes_st *s = st;

	if (s->ask)
		s->ask->s = NULL;
	json_object_put(s->topo);
	free(s);
}

/* The boxes of NIC @i of this host's @vm, with the UI's sampler's counters. */
/* "rx 1.20 MiB\ntx 3.00 KiB" of OVS statistics @st, or that OVS did not give them */
static void ovs_counters(const struct qnm_ovs_stats *st, char *buf, size_t size)
{
	char a[16], b[16];

	if (!st->ok) {
		snprintf(buf, size, "OVS counters\nnot available");
		return;
	}
	snprintf(buf, size, "rx %s\ntx %s", qnm_fmt_bytes(st->rx_bytes, a, sizeof(a)),
		 qnm_fmt_bytes(st->tx_bytes, b, sizeof(b)));
}

/* the OVN view of NIC @i of @vm, or NULL when it is not on an ovn network (or not read yet) */
static const struct qnm_ovn_view *ovn_view(const struct qnm_vm *vm, size_t i)
{
	if (i >= QNM_MODES_OVN_NICS || strcmp(ovn_views.vm, vm->name) != 0 || !ovn_views.on[i])
		return NULL;
	return &ovn_views.v[i];
}

/* the round's job (worker thread): only its own copy */
static int ovn_work(void *data, struct qnm_err *err)
{
	struct ovn_views *j = data;
	size_t i;

	(void)err;
	for (i = 0; i < QNM_MODES_OVN_NICS; i++)
		if (j->on[i])
			qnm_api_ovn_view_read(&j->req[i], QNM_API_OVN_VIEW_TIMEOUT_MS, &j->v[i]);
	return 0;
}

static void ovn_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err)
{
	struct ovn_views *j = data;

	(void)result;
	(void)err;
	if (strcmp(j->vm, ovn_views.vm) == 0) {
		memcpy(ovn_views.on, j->on, sizeof(j->on));
		memcpy(ovn_views.req, j->req, sizeof(j->req));
		memcpy(ovn_views.v, j->v, sizeof(j->v));
		ui->redraw = true;
	}
	ovn_views.busy = false;
	free(j);
}

/* start a round for @vm's ovn NICs once a second (none while one runs) */
static void ovn_refresh(struct qnm_ui *ui, const struct qnm_vm *vm)
{
	struct ovn_views *j;
	time_t now = time(NULL);
	bool any = false;
	size_t i;

	if (strcmp(ovn_views.vm, vm->name) != 0) { /* another VM: nothing of the last one */
		qnm_strlcpy(ovn_views.vm, vm->name, sizeof(ovn_views.vm));
		memset(ovn_views.on, 0, sizeof(ovn_views.on));
		ovn_views.at = 0;
	}
	if (ovn_views.busy || ovn_views.at == now)
		return;
	j = xcalloc(1, sizeof(*j));
	qnm_strlcpy(j->vm, vm->name, sizeof(j->vm));
	for (i = 0; i < QNM_MODES_OVN_NICS; i++) {
		j->on[i] = i < vm->nnics && !qnm_api_vm_ovn_req(ui->ctx, vm, i, &j->req[i], NULL);
		any |= j->on[i];
	}
	ovn_views.at = now;
	ovn_views.any = any;
	if (!any || qnm_ui_job_quiet(ui, ovn_work, ovn_done, j)) {
		free(j);
		return;
	}
	ovn_views.busy = true;
}

/* the guests (VM/NIC) of @v bound on @chassis, "" for this host's, into @buf */
static void ovn_guests(const struct qnm_ovn_view *v, const char *chassis, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < v->npeers; i++) {
		const struct qnm_ovn_peer *p = &v->peers[i];
		const char *slash = strchr(p->lsp, '/');

		if (p->router || strcmp(p->chassis, chassis) != 0)
			continue;
		snprintf(buf + len, size - len, "%s%s", len ? " " : "", slash ? slash + 1 : p->lsp);
		len = strlen(buf);
	}
}

/*
 * The boxes of tunnel @t of NIC view @v on network @net: the tunnel, the
 * host at its other end with its guests on the switch, and when that host
 * is the network's gateway, the router and the uplink.
 * Return: the boxes (0 when the tunnel leads to no host of this switch).
 */
static size_t tunnel_hops(const struct qnm_network *net, const struct qnm_ovn_view *v,
			  const struct qnm_ovn_tunnel *t, struct qnm_api_hop *h)
{
	char guests[sizeof(h->detail)];
	bool gw = t->chassis[0] && strcmp(t->chassis, net->gateway_host) == 0;
	size_t k = 0;

	ovn_guests(v, t->chassis, guests, sizeof(guests));
	if (v->sb_ok && !guests[0] && !gw)
		return 0;
	memset(h, 0, 4 * sizeof(*h));
	snprintf(h[k].title, sizeof(h->title), "tunnel %s", t->type);
	snprintf(h[k].detail, sizeof(h->detail), "to %s", t->remote_ip);
	ovs_counters(&t->st, h[k++].live, sizeof(h->live));
	snprintf(h[k].title, sizeof(h->title), "host %s", t->chassis[0] ? t->chassis : "?");
	snprintf(h[k++].detail, sizeof(h->detail), "%s",
		 guests[0] ? guests : (v->sb_ok ? "no guest here" : "southbound n/a"));
	if (gw) {
		snprintf(h[k].title, sizeof(h->title), "router + NAT");
		snprintf(h[k++].detail, sizeof(h->detail), "gateway %s", net->gateway_host);
		snprintf(h[k].title, sizeof(h->title), "uplink");
		snprintf(h[k++].detail, sizeof(h->detail), "%s",
			 net->uplink[0] ? net->uplink : "outside");
	}
	return k;
}

static size_t nic_hops(struct qnm_ui *ui, struct modes_st *s, const struct qnm_vm *vm, size_t i,
		       struct qnm_api_hop *h)
{
	size_t n = qnm_api_topo_nic(ui->ctx, qnm_ui_sampler(ui, NULL), vm, i, &s->port, h), k;
	const struct qnm_ovn_view *v = ovn_view(vm, i);
	char title[sizeof(h->title)];

	if (!v)
		return n;
	/* an ovn NIC: its port on the integration bridge counted by OVS, and
	 * the switch after it naming who of it is on this host (live, from OVN) */
	snprintf(title, sizeof(title), "OVS %s", ovn_views.req[i].bridge);
	for (k = 0; k < n; k++) {
		char here[sizeof(h->detail) - 6];

		if (strcmp(h[k].title, title) != 0)
			continue;
		ovs_counters(&v->port, h[k].live, sizeof(h->live));
		if (k + 1 < n && v->nb_ok) {
			ovn_guests(v, v->chassis, here, sizeof(here));
			snprintf(h[k + 1].detail, sizeof(h->detail), "here: %s", here);
		}
		break;
	}
	return n;
}

/*
 * Draw @s in @w columns from (@y, @x), at most @maxh lines (when @win is
 * not NULL): lines split at '\n', words wrapped, a word wider than @w cut
 * into pieces (so nothing is lost at any width).
 * Return: the lines @s takes (0 for "").
 */
static int box_text(WINDOW *win, int y, int x, int w, int maxh, const char *s)
{
	int line = 0, col = 0;

	while (*s) {
		char word[64];
		size_t n = strcspn(s, " \n");
		int ww;

		if (*s == '\n' || *s == ' ') {
			if (*s == '\n') {
				line++;
				col = 0;
			}
			s++;
			continue;
		}
		if (n >= sizeof(word))
			n = sizeof(word) - 1;
		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		ww = qnm_text_width(word);
		if (col > 0 && col + 1 + ww > w) {
			line++;
			col = 0;
		} else if (col > 0) {
			col++;
		}
		if (ww > w - col) { /* too wide for any line: cut it at the box's edge */
			n = (size_t)(w - col);
			word[n] = '\0';
			ww = qnm_text_width(word);
		}
		if (win && line < maxh)
			qnm_put(win, y + line, x + col, w - col, word);
		col += ww;
		s += n;
	}
	return col > 0 || line > 0 ? line + 1 : 0;
}

/* Columns of the widest line of @s (lines split at '\n'). */
static int widest(const char *s)
{
	char line[64];
	int w = 0;

	while (*s) {
		size_t n = strcspn(s, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, s);
		if (qnm_text_width(line) > w)
			w = qnm_text_width(line);
		s += n;
		if (*s)
			s++;
	}
	return w;
}

static int text_lines(const char *s, int w)
{
	return box_text(NULL, 0, 0, w, 0, s);
}

/* Box widths: at most this wide, and never narrower (columns, frame included). */
#define BOX_MAX 24
#define BOX_MIN 12
/* Columns of an arrow between two boxes ("─→ " or "-->"). */
#define ARROW_W 3

/* Columns of a row of @k boxes @bw wide; a row of a chain that wraps has an arrow at each end. */
static int row_width(int k, int bw, bool wraps)
{
	return k * bw + (k - 1) * ARROW_W + (wraps ? 2 * ARROW_W : 0);
}

/**
 * chain_layout() - how many boxes of a NIC's chain go in a row of @w
 * columns, and how wide they are: all in one row when every text fits
 * (wider boxes at wide terminals), else as many per row as fit at the
 * width the longest text needs, the rows linked by an arrow at the end of
 * one and at the start of the next (the chain reads like a line of text
 * that wraps). A text wider than BOX_MAX wraps inside its box.
 * @per_row: boxes per row (out); @bw: box width (out). Return: rows.
 */
static int chain_layout(int w, const struct qnm_api_hop *h, size_t n, int *per_row, int *bw)
{
	int need = BOX_MIN, avail = w - 2, k, rows;
	size_t i;

	for (i = 0; i < n; i++) {
		int t = 2 + widest(h[i].title), d = 2 + widest(h[i].detail),
		    l = 2 + widest(h[i].live);

		need = t > need ? t : need;
		need = d > need ? d : need;
		need = l > need ? l : need;
	}
	if (need > BOX_MAX)
		need = BOX_MAX;
	for (k = n ? (int)n : 1; k > 1; k--)
		if (row_width(k, need, k < (int)n) <= avail)
			break;
	rows = n ? ((int)n + k - 1) / k : 1;
	*per_row = k;
	*bw = (avail - row_width(k, 0, rows > 1)) / k;
	if (*bw > BOX_MAX)
		*bw = BOX_MAX;
	if (*bw < BOX_MIN)
		*bw = BOX_MIN;
	return rows;
}

/* Draw one NIC's chain of boxes from @y; returns the lines it takes. */
static int draw_chain(struct qnm_ui *ui, int y, const struct qnm_rect *r,
		      const struct qnm_api_hop *h, size_t n)
{
	int per_row, bw, rows = chain_layout(r->w, h, n, &per_row, &bw), row, used = 0;

	for (row = 0; row < rows; row++) {
		size_t first = (size_t)row * (size_t)per_row, last = first + (size_t)per_row, i;
		int inner = 2, x0 = r->x + 1 + (rows > 1 ? ARROW_W : 0);

		if (last > n)
			last = n;
		/* one height for the boxes of a row: the tallest text */
		for (i = first; i < last; i++) {
			int l = text_lines(h[i].title, bw - 2) + text_lines(h[i].detail, bw - 2) +
				text_lines(h[i].live, bw - 2);

			inner = l > inner ? l : inner;
		}
		for (i = first; i < last; i++) {
			int x = x0 + (int)(i - first) * (bw + ARROW_W), ty = y + used + 1;
			struct qnm_rect b = { y + used, x, inner + 2, bw };

			if (b.y < r->y || b.y + b.h > r->y + r->h)
				continue; /* scrolled out: nothing of it is drawn */
			qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
			qnm_box(ui, stdscr, &b, NULL);
			qnm_set_role(ui, stdscr, i == 0 ? QNM_ROLE_ACCENT : QNM_ROLE_NORMAL);
			ty += box_text(stdscr, ty, x + 1, bw - 2, inner, h[i].title);
			qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
			ty += box_text(stdscr, ty, x + 1, bw - 2, b.y + b.h - 1 - ty, h[i].detail);
			qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
			box_text(stdscr, ty, x + 1, bw - 2, b.y + b.h - 1 - ty, h[i].live);
			qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
			/* an arrow to the next box (also at the end of a row that goes on) */
			if (i + 1 < n)
				qnm_putf(stdscr, b.y + 1, x + bw, ARROW_W, "%s%s", ui->g->hline,
					 ui->g->arrow);
			if (i == first && row > 0) /* where a row goes on */
				qnm_putf(stdscr, b.y + 1, x - ARROW_W, ARROW_W, "%s%s",
					 ui->g->hline, ui->g->arrow);
		}
		used += inner + 2;
	}
	return used;
}

/*
 * Below an ovn NIC's chain: a chain per tunnel to a host with guests of the
 * same switch (or its gateway), and what did not answer.
 * Return: the lines drawn.
 */
static int draw_ovn(struct qnm_ui *ui, const struct qnm_vm *vm, size_t i, int y,
		    const struct qnm_rect *r)
{
	const struct qnm_ovn_view *v = ovn_view(vm, i);
	const struct qnm_network *net =
		v ? qnm_model_find_net(&ui->ctx->model, vm->nics[i].tap.network) : NULL;
	int y0 = y;
	size_t j;

	if (!net)
		return 0;
	for (j = 0; j < v->ntunnels; j++) {
		struct qnm_api_hop h[4];
		size_t n = tunnel_hops(net, v, &v->tunnels[j], h);

		if (n)
			y += draw_chain(ui, y, r, h, n);
	}
	if (v->ovs_ok && v->nb_ok && v->sb_ok)
		return y - y0;
	/* what did not answer (its counters say "not available") */
	qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
	if (y >= r->y && y < r->y + r->h)
		qnm_putf(stdscr, y, r->x + 1, r->w - 2, "OVN: not available: %s", v->why);
	return y + 1 - y0;
}

/* Whether a NIC of @vm (may be NULL) uses the backend @b. */
static bool vm_uses(const struct qnm_vm *vm, const struct qnm_backend_ops *b)
{
	size_t i;

	for (i = 0; vm && i < vm->nnics; i++)
		if (vm->nics[i].backend == b->kind)
			return true;
	return false;
}

static struct qnm_vm *current_vm(struct qnm_ui *ui, struct modes_st *s)
{
	struct qnm_vm *vm = s->name[0] ? qnm_model_find_vm(&ui->ctx->model, s->name) : NULL;

	if (!vm && ui->ctx->model.nvms)
		vm = ui->ctx->model.vms[0];
	return vm;
}

static void modes_draw_remote(struct qnm_ui *ui, struct modes_st *s, const struct qnm_rect *r);

static void modes_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct modes_st *s = st;
	struct qnm_vm *saved = s->host[0] ? NULL : current_vm(ui, s);
	/* a running VM as it runs: what a restart would change is said above it */
	const struct qnm_vm *vm = saved ? qnm_guest_shown(ui, saved) : NULL;
	char *pending = saved ? qnm_guest_pending(ui, saved) : NULL;
	const struct qnm_backend_ops *b;
	struct qnm_rect t;
	int y = r->y - s->top;
	size_t i, k;

	if (s->host[0]) {
		modes_draw_remote(ui, s, r);
		return;
	}
	s->page = r->h;
	if (vm)
		ovn_refresh(ui, vm);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	if (y >= r->y)
		qnm_putf(stdscr, y, r->x + 1, r->w - 2, "Topology of %s",
			 vm ? vm->name : "(no VM: create one on the VMs screen)");
	y++;
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	if (y >= r->y)
		qnm_put(stdscr, y, r->x + 1, r->w - 2,
			"Live: guest sent/got, slirp out/in, TAP, bridge and port rx/tx (host side).");
	y++;
	if (pending) {
		int n;

		qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
		t = (struct qnm_rect){ y, r->x + 1, 0, r->w - 2 };
		n = qnm_wrap(NULL, &t, 0, pending);
		if (y >= r->y) {
			t.h = r->y + r->h - y;
			if (t.h > 0)
				qnm_wrap(stdscr, &t, 0, pending);
		}
		y += n;
		free(pending);
	}
	for (i = 0; vm && i < vm->nnics; i++) {
		struct qnm_api_hop h[QNM_HOPS_MAX + 1];
		size_t n = nic_hops(ui, s, vm, i, h);
		const struct qnm_nic_addrs *ad = qnm_guest_nic_addrs(ui, vm, i);

		y += draw_chain(ui, y, r, h, n);
		y += draw_ovn(ui, vm, i, y, r);
		if (!ad)
			continue;
		/* a running NIC: the guest's address as the host saw it, and from where */
		qnm_set_role(ui, stdscr, ad->n4 || ad->n6 ? QNM_ROLE_NORMAL : QNM_ROLE_DIM);
		if (y >= r->y && y < r->y + r->h) {
			char addr[QNM_IPV4_LEN + 8];

			qnm_putf(stdscr, y, r->x + 1, r->w - 2, "%s: guest %s, gateway %s (%s)",
				 ad->nic, qnm_nic_addrs_text(ad, addr, sizeof(addr)),
				 ad->gateway[0] ? ad->gateway : "unknown",
				 ad->source[0] ? ad->source : ad->why);
		}
		y++;
	}
	if (vm && !vm->nnics) {
		qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
		if (y >= r->y)
			qnm_put(stdscr, y, r->x + 1, r->w - 2,
				"This VM has no network card: edit it (VMs screen, e) and press F4.");
		y++;
	}
	y++;
	/* the modes in use first, then the alternatives */
	for (k = 0; k < 2; k++) {
		for (i = 0; (b = qnm_backend_get(i)); i++) {
			int n;

			if (vm_uses(vm, b) != (k == 0))
				continue;
			qnm_set_role(ui, stdscr, k == 0 ? QNM_ROLE_HEADER : QNM_ROLE_ACCENT);
			if (y >= r->y && y < r->y + r->h)
				qnm_putf(stdscr, y, r->x + 1, r->w - 2, "%s%s",
					 k == 0 ? "In use: " : "Alternative: ", b->mode_title);
			y++;
			qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
			t = (struct qnm_rect){ y, r->x + 3, 0, r->w - 5 };
			n = qnm_wrap(NULL, &t, 0, b->mode_text);
			if (y >= r->y) {
				t.h = r->y + r->h - y;
				if (t.h > 0)
					qnm_wrap(stdscr, &t, 0, b->mode_text);
			} else if (y + n > r->y) {
				t.y = r->y;
				t.h = r->h;
				qnm_wrap(stdscr, &t, r->y - y, b->mode_text);
			}
			y += n + 1;
		}
	}
	s->lines = y - 1 - (r->y - s->top);
	qnm_draw_more(ui, r, s->top, s->lines);
}

/* "vm.topology" came back: the host's boxes, or why there are none (never older ones) */
static void topo_got(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err,
		     json_object *res)
{
	struct topo_ask *a = data;
	struct modes_st *s = a->s;

	(void)ui;
	free(a);
	if (!s)
		return;
	s->ask = NULL;
	json_object_put(s->topo);
	s->topo = result ? NULL : json_object_get(res);
	if (result)
		snprintf(s->why, sizeof(s->why), "%s", err->msg[0] ? err->msg : strerror(-result));
	else
		s->why[0] = '\0';
}

/* ask host @s->host for its VM's boxes once a second (one request at a time) */
static bool modes_tick(struct qnm_ui *ui, void *st)
{
	struct modes_st *s = st;
	struct qnm_rhost *h = s->host[0] ? qnm_remote_find(ui, s->host) : NULL;
	json_object *args;

	if (!s->host[0] || s->ask || qnm_mono_ms_int() - s->asked < 1000)
		return s->host[0] != '\0';
	s->asked = qnm_mono_ms_int();
	if (!h || !h->up) {
		/* a host that does not answer: say so, drop what it said before */
		json_object_put(s->topo);
		s->topo = NULL;
		snprintf(s->why, sizeof(s->why), "host %s does not answer: %.400s", s->host,
			 h ? h->why : "it is no longer registered");
		return true;
	}
	s->ask = xcalloc(1, sizeof(*s->ask));
	s->ask->s = s;
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(s->name));
	if (qnm_remote_call(ui, h, "vm.topology", args, QNM_HOST_TIMEOUT_MS, topo_got, s->ask)) {
		free(s->ask);
		s->ask = NULL;
	}
	return true;
}

/* The topology of host @s->host's VM, as that host computed it. */
static void modes_draw_remote(struct qnm_ui *ui, struct modes_st *s, const struct qnm_rect *r)
{
	struct qnm_rhost *h = qnm_remote_find(ui, s->host);
	json_object *nics = NULL;
	int y = r->y - s->top;
	size_t i, k;

	s->page = r->h;
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	if (y >= r->y)
		qnm_putf(stdscr, y, r->x + 1, r->w - 2, "Topology of %s on host %s (%s)", s->name,
			 s->host, h ? h->dest : "?");
	y++;
	qnm_set_role(ui, stdscr, s->why[0] ? QNM_ROLE_WARNING : QNM_ROLE_DIM);
	if (y >= r->y)
		qnm_put(stdscr, y, r->x + 1, r->w - 2,
			s->why[0] ? s->why
			: s->topo ? "Live, on that host: its TAPs, bridges and ports rx/tx."
				  : "asking that host...");
	y++;
	if (s->topo)
		json_object_object_get_ex(s->topo, "nics", &nics);
	for (i = 0; nics && i < json_object_array_length(nics); i++) {
		json_object *nic = json_object_array_get_idx(nics, i), *hops = NULL;
		struct qnm_api_hop h2[QNM_HOPS_MAX + 1];
		size_t n = 0;

		memset(h2, 0, sizeof(h2));
		json_object_object_get_ex(nic, "hops", &hops);
		for (k = 0; hops && k < json_object_array_length(hops) && n <= QNM_HOPS_MAX; k++) {
			json_object *b = json_object_array_get_idx(hops, k);

			qnm_strlcpy(h2[n].title, qnm_remote_str(b, "title"), sizeof(h2[n].title));
			qnm_strlcpy(h2[n].detail, qnm_remote_str(b, "detail"),
				    sizeof(h2[n].detail));
			qnm_strlcpy(h2[n].live, qnm_remote_str(b, "live"), sizeof(h2[n].live));
			n++;
		}
		y += draw_chain(ui, y, r, h2, n);
	}
	if (s->topo && nics && !json_object_array_length(nics)) {
		qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
		if (y >= r->y)
			qnm_put(stdscr, y, r->x + 1, r->w - 2, "This VM has no network card.");
		y++;
	}
	s->lines = y - (r->y - s->top);
	qnm_draw_more(ui, r, s->top, s->lines);
}

static unsigned modes_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct modes_st *s = st;
	struct qnm_vm *vm;
	size_t i;

	switch (act) {
	case QNM_ACT_UP:
		if (s->top > 0)
			s->top--;
		break;
	case QNM_ACT_DOWN:
		if (s->top + s->page < s->lines)
			s->top++;
		break;
	case QNM_ACT_PAGE_UP:
		s->top = s->top > s->page ? s->top - s->page : 0;
		break;
	case QNM_ACT_PAGE_DOWN:
		s->top += s->page;
		if (s->top > s->lines - s->page)
			s->top = s->lines > s->page ? s->lines - s->page : 0;
		break;
	case QNM_ACT_HOME:
		s->top = 0;
		break;
	case QNM_ACT_NEXT_CHOICE:
		if (s->host[0]) /* this host's VMs are not that host's */
			return QNM_H_IGNORED;
		vm = current_vm(ui, s);
		for (i = 0; vm && i < ui->ctx->model.nvms; i++)
			if (ui->ctx->model.vms[i] == vm)
				break;
		if (ui->ctx->model.nvms)
			qnm_strlcpy(s->name,
				    ui->ctx->model.vms[(i + 1) % ui->ctx->model.nvms]->name,
				    sizeof(s->name));
		s->top = 0;
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

/* a VM on an ovn network: draw (and so read its views) again once a second */
static bool modes_ovn_tick(struct qnm_ui *ui, void *st)
{
	(void)ui;
	(void)st;
	return ovn_views.any && !ovn_views.busy && ovn_views.at != time(NULL);
}

const struct qnm_screen_ops qnm_screen_modes = {
	.id = QNM_SCR_MODES,
	.init = modes_init,
	.free = modes_free,
	.draw = modes_draw,
	.key = modes_key,
	.tick = modes_ovn_tick,
};

const struct qnm_screen_ops qnm_screen_modes_remote = {
	.id = QNM_SCR_MODES,
	.init = modes_remote_init,
	.free = modes_free,
	.draw = modes_draw,
	.key = modes_key,
	.tick = modes_tick,
};
