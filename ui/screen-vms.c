// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-vms.c - the VMs list: name, state, memory, CPUs, NICs; new, edit,
 * clone, delete, start/stop, command line, topology. This host's VMs come
 * first, then each registered host's under a line that names it and says
 * whether it answers (remotes.h): its VMs' rows, their counters, start,
 * stop and console over ssh; a host that stopped answering keeps its last
 * rows, greyed.
 */
#include "build-config.h"

#include "api/demo.h"
#include "api/run.h"
#include "api/vm.h"
#include "core/backend.h"
#include "core/validate.h"
#include "guests.h"
#include "remotes.h"
#include "uipriv.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* the row of a host's own line */
#define HOST_LINE SIZE_MAX

/**
 * struct vrow - one row of the list.
 * @h: the registered host it is on, NULL for this host.
 * @i: the model index (this host), the index in @h's VM list, or HOST_LINE.
 */
struct vrow {
	struct qnm_rhost *h;
	size_t i;
};

/**
 * struct vms - state of the VMs screen.
 * @list:  cursor, scroll and filter.
 * @rows:  each shown row (after the filter), @list.n of them.
 * @page:  rows that fit.
 * @width: the body's width.
 * @asked: the VM of an open question (s, x).
 * @asked_host: its host ("": this one).
 * @fwds:  the forwards of e's menu on a host's VM (remove item k+1: @fwds.v[k]).
 */
struct vms {
	struct qnm_list list;
	struct vrow *rows;
	int page;
	int width;
	char asked[QNM_NAME_MAX + 1];
	char asked_host[QNM_NAME_MAX + 1];
	struct qnm_strv fwds;
};

static void *vms_init(struct qnm_ui *ui, void *arg)
{
	return xcalloc(1, sizeof(struct vms));
}

static void vms_free(void *st)
{
	struct vms *s = st;

	free(s->rows);
	qnm_strv_free(&s->fwds);
	free(s);
}

static void nic_summary(const struct qnm_vm *vm, char *buf, size_t size)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	for (i = 0; i < vm->nnics; i++)
		qnm_sb_addf(&sb, "%s%s/%s", i ? ", " : "", vm->nics[i].model,
			    qnm_backend_name(vm->nics[i].backend));
	if (!vm->nnics)
		qnm_sb_add(&sb, "(no NIC)");
	qnm_strlcpy(buf, sb.s, size);
	qnm_sb_free(&sb);
}

/* host @h's VM @i (its "vm.list" entry), or NULL */
static json_object *rvm(const struct qnm_rhost *h, size_t i)
{
	if (!h->vms || i >= json_object_array_length(h->vms))
		return NULL;
	return json_object_array_get_idx(h->vms, i);
}

static void add_row(struct vms *s, size_t *cap, struct qnm_rhost *h, size_t i)
{
	if ((size_t)s->list.n >= *cap) {
		*cap = *cap * 2 + 16;
		s->rows = xrealloc(s->rows, *cap * sizeof(*s->rows));
	}
	s->rows[s->list.n++] = (struct vrow){ h, i };
}

static void refilter(struct qnm_ui *ui, struct vms *s)
{
	const struct qnm_model *m = &ui->ctx->model;
	size_t i, j, cap = m->nvms + 1;

	free(s->rows);
	s->rows = xcalloc(cap, sizeof(*s->rows));
	s->list.n = 0;
	/* with other hosts, this host's VMs come under a line of their own too */
	if (ui->remotes && ui->remotes->n)
		add_row(s, &cap, NULL, HOST_LINE);
	for (i = 0; i < m->nvms; i++) {
		char nics[256];

		/* no filter: every VM, without formatting 10,000 NIC summaries per frame */
		if (qnm_list_match(&s->list, m->vms[i]->name)) {
			add_row(s, &cap, NULL, i);
			continue;
		}
		nic_summary(m->vms[i], nics, sizeof(nics));
		if (qnm_list_match(&s->list, nics))
			add_row(s, &cap, NULL, i);
	}
	/* then each registered host: its line, its VMs */
	for (j = 0; ui->remotes && j < ui->remotes->n; j++) {
		struct qnm_rhost *h = ui->remotes->v[j];

		if (h->gone)
			continue;
		add_row(s, &cap, h, HOST_LINE);
		for (i = 0; rvm(h, i); i++)
			if (qnm_list_match(&s->list, qnm_remote_str(rvm(h, i), "name")))
				add_row(s, &cap, h, i);
	}
	qnm_list_fix(&s->list, s->page);
}

/* the selected row, or NULL */
static const struct vrow *selected_row(struct vms *s)
{
	if (s->list.n <= 0 || s->list.sel >= s->list.n)
		return NULL;
	return &s->rows[s->list.sel];
}

/** The selected VM of this host, or NULL. */
static struct qnm_vm *selected(struct qnm_ui *ui, struct vms *s)
{
	const struct vrow *row = selected_row(s);

	if (!row || row->h || row->i >= ui->ctx->model.nvms)
		return NULL;
	return ui->ctx->model.vms[row->i];
}

/* The captures in place, @shown of @n lines from @y: ours, other qnm's, orphaned. */
static void draw_caps(struct qnm_ui *ui, const struct qnm_guest_cap *caps, size_t n, size_t shown,
		      int y, const struct qnm_rect *r)
{
	char line[4200];
	size_t i;

	for (i = 0; i < shown; i++) {
		const char *after = caps[i].mine    ? " (r stops)"
				    : caps[i].alive ? ""
						    : " (r removes)";

		/* "REC " before it, what r does after it */
		qnm_ui_cap_describe(&caps[i], true, r->w - 2 - 4 - (int)strlen(after), line,
				    sizeof(line));
		qnm_set_role(ui, stdscr, caps[i].alive ? QNM_ROLE_ACCENT : QNM_ROLE_WARNING);
		if (i + 1 == shown && n > shown)
			qnm_putf(stdscr, y + (int)i, r->x + 1, r->w - 2,
				 "... and %zu more capture(s): r on their VM lists them", n - i);
		else
			qnm_putf(stdscr, y + (int)i, r->x + 1, r->w - 2, "%s%s%s",
				 caps[i].alive ? "REC " : "", line, after);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

/*
 * Lines VM @vm takes: its row, and when it runs one per NIC it runs and
 * one for what waits for a restart.
 */
static int vm_lines(struct qnm_ui *ui, const struct qnm_vm *vm, int width)
{
	struct qnm_rect t = { 0, 0, 0, width > 13 ? width - 3 : 10 };
	char *pending;
	int n;

	if (qnm_guest_find(ui, vm->name)->info.status != QNM_RUN_RUNNING)
		return 1;
	pending = qnm_guest_pending(ui, vm);
	n = 1 + (int)qnm_guest_shown(ui, vm)->nnics +
	    (pending ? qnm_wrap(NULL, &t, 0, pending) : 0);
	free(pending);
	return n;
}

/* host @h's counters of its VM @name: the "stats" entries, @n of them, into @out (up to @max) */
static size_t rvm_nics(const struct qnm_rhost *h, const char *name, json_object **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; h->stats && i < json_object_array_length(h->stats); i++) {
		json_object *e = json_object_array_get_idx(h->stats, i);

		if (strcmp(qnm_remote_str(e, "vm"), name) == 0 && n < max)
			out[n++] = e;
	}
	return n;
}

/* Lines row @k takes: a host's running VM has one per NIC with counters. */
static int row_lines(struct qnm_ui *ui, struct vms *s, int k)
{
	const struct vrow *row = &s->rows[k];
	json_object *o, *nics[8];

	if (row->i == HOST_LINE)
		return 1;
	if (!row->h)
		return vm_lines(ui, ui->ctx->model.vms[row->i], s->width);
	o = rvm(row->h, row->i);
	if (!o || strcmp(qnm_remote_str(o, "state"), "running") != 0)
		return 1;
	return 1 + (int)rvm_nics(row->h, qnm_remote_str(o, "name"), nics, QNM_ARRAY_SIZE(nics));
}

/* Scroll so that the selected VM and its NIC rows fit in @lines lines. */
static void fit_selection(struct qnm_ui *ui, struct vms *s, int lines)
{
	while (s->list.top < s->list.sel) {
		int used = 0, i;

		for (i = s->list.top; i <= s->list.sel; i++)
			used += row_lines(ui, s, i);
		if (used <= lines)
			break;
		s->list.top++;
	}
}

/* A sparkline of @e's history of series @which (guest view), @w columns. */
static void nic_spark(struct qnm_ui *ui, int y, int x, int w, const struct qnm_sample *e,
		      enum qnm_hist_series which)
{
	double v[QNM_SAMPLER_HISTORY], max = 0;
	size_t n = qnm_sample_history(e, which, true, v, (size_t)w), i;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	qnm_sparkline(ui, stdscr, y, x, w, v, n, max);
}

/* "rx SPARK RATE" (or "  tx ..." when @tx) of @e at (@y, @x); returns the next column. */
static int nic_dir(struct qnm_ui *ui, int y, int x, int sw, const struct qnm_sample *e, bool tx)
{
	char a[16];

	qnm_set_role(ui, stdscr, tx ? QNM_ROLE_GRAPH_TX : QNM_ROLE_GRAPH_RX);
	x += qnm_put(stdscr, y, x, 5, tx ? "  tx " : "rx ");
	nic_spark(ui, y, x, sw, e, tx ? QNM_HIST_TX_BYTES : QNM_HIST_RX_BYTES);
	x += sw;
	x += qnm_putf(
		stdscr, y, x, 10, " %9s",
		qnm_fmt_rate(qnm_sample_rate(e, tx ? QNM_STAT_TX_BYTES : QNM_STAT_RX_BYTES, true),
			     a, sizeof(a)));
	return x;
}

/* the totals, "  1.38 KiB rx, 1.15 KiB tx" at its longest (no "/s": not rates) */
/* a running VM's rates on its row: "rx 999.9 KB/s tx 999.9 KB/s" at its longest */
#define SUM_W	 27
#define TOTALS_W 26

/*
 * One NIC of a running VM, under its VM's row: what the guest received
 * and sent (its own view), as a sparkline of the last samples, the rate
 * now and the totals, from the UI's sampler (the Traffic screen's numbers).
 */
static void draw_nic_row(struct qnm_ui *ui, const struct qnm_vm *vm, size_t k, int y,
			 const struct qnm_rect *r)
{
	const struct qnm_nic *n = &vm->nics[k];
	const struct qnm_sample *e = qnm_guest_nic_sample(ui, vm, k);
	const struct qnm_nic_addrs *ad = qnm_guest_nic_addrs(ui, vm, k);
	/* the guest's address (16), "rx " SPARK " " RATE(9) twice, then the
	 * totals when they fit: the sparklines get the rest */
	int x = r->x + 18 + 16, sw = (r->w - 18 - 16 - 2 * (3 + 1 + 9) - 2 - TOTALS_W) / 2;
	bool totals = sw >= 4;
	char a[16], b[16], addr[QNM_IPV4_LEN + 8];

	if (!totals)
		sw = (r->w - 18 - 16 - 2 * (3 + 1 + 9) - 2) / 2;
	if (sw > 30)
		sw = 30;
	if (sw < 4)
		sw = 4;
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(stdscr, y, r->x, 18, "   %s %.8s %s", ui->g->bl, n->id,
		 qnm_backend_name(n->backend));
	/* what the host saw the guest use on this NIC, "unknown" when nothing did */
	qnm_set_role(ui, stdscr, ad && (ad->n4 || ad->n6) ? QNM_ROLE_NORMAL : QNM_ROLE_DIM);
	qnm_put(stdscr, y, r->x + 18, 15, qnm_nic_addrs_text(ad, addr, sizeof(addr)));
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	if (!e) {
		qnm_put(stdscr, y, x, r->x + r->w - x,
			!qnm_backend_has_counters(qnm_nic_backend(n)) &&
					!qnm_nic_backend(n)->on_bridge
				? "live counters not available (backends slirp and tap have them)"
				: "no counters yet");
		return;
	}
	if (!e->available) {
		qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
		qnm_put(stdscr, y, x, r->x + r->w - x, e->why);
		return;
	}
	x = nic_dir(ui, y, x, sw, e, false);
	x = nic_dir(ui, y, x, sw, e, true);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
	if (totals)
		qnm_putf(stdscr, y, x, r->x + r->w - x, "  %s rx, %s tx",
			 qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_RX_BYTES, true), a, sizeof(a)),
			 qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_TX_BYTES, true), b, sizeof(b)));
}

/* host @h's line (NULL: this host's): its name and destination, then how it answers */
static void draw_host_line(struct qnm_ui *ui, const struct qnm_rhost *h, bool sel, int y,
			   const struct qnm_rect *r)
{
	char local[64], up[160];

	snprintf(local, sizeof(local), "local (this host): %zu VM(s)", ui->ctx->model.nvms);
	if (h)
		snprintf(up, sizeof(up), "qnm %s, %.0f ms, %zu VM(s)", h->version, h->ms,
			 h->vms ? json_object_array_length(h->vms) : 0);
	qnm_remote_host_line(ui, h, local, up, "its last rows kept", "no rows yet", sel, y, r);
}

/* one row of @h's VM @o at @y; Return: the columns' widths as the local rows have them */
static void draw_remote_vm(struct qnm_ui *ui, const struct qnm_rhost *h, json_object *o, bool sel,
			   int y, const struct qnm_rect *r)
{
	const char *name = qnm_remote_str(o, "name"), *state = qnm_remote_str(o, "state");
	bool busy = qnm_remote_busy(h, name), running = strcmp(state, "running") == 0, sum;
	int namew = 18, nicw = r->w - namew - 9 - 8 - 5 - 2, x = r->x;
	json_object *nics = NULL, *e[8];
	struct qnm_strbuf sb;
	double rx = 0, tx = 0;
	char a[16], b[16];
	size_t k, n = rvm_nics(h, name, e, QNM_ARRAY_SIZE(e));

	qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : h->up ? QNM_ROLE_NORMAL : QNM_ROLE_DIM);
	qnm_fill(stdscr, y, r->x, r->w);
	qnm_putf(stdscr, y, x, namew, "%c%s", qnm_remote_num(o, "autostart") ? '*' : ' ', name);
	x += namew;
	if (!sel && h->up)
		qnm_set_role(ui, stdscr,
			     busy			     ? QNM_ROLE_WARNING
			     : running			     ? QNM_ROLE_RUNNING
			     : strcmp(state, "crashed") == 0 ? QNM_ROLE_CRASHED
							     : QNM_ROLE_STOPPED);
	qnm_put(stdscr, y, x, 8, busy ? "busy" : strcmp(state, "absent") == 0 ? "stopped" : state);
	x += 9;
	if (!sel)
		qnm_set_role(ui, stdscr, h->up ? QNM_ROLE_NORMAL : QNM_ROLE_DIM);
	qnm_putf(stdscr, y, x, 8, "%4.0f MiB", qnm_remote_num(o, "memory_mb"));
	x += 8;
	qnm_putf(stdscr, y, x, 5, "%4.0f", qnm_remote_num(o, "cpus"));
	x += 6;
	qnm_sb_init(&sb);
	json_object_object_get_ex(o, "nics", &nics);
	for (k = 0; nics && k < json_object_array_length(nics); k++)
		qnm_sb_addf(&sb, "%s%s", k ? ", " : "",
			    json_object_get_string(json_object_array_get_idx(nics, k)));
	if (!k)
		qnm_sb_add(&sb, "(no NIC)");
	/* as a local VM's row: the sum of the rates only where it has a column */
	sum = running && nicw >= 50;
	qnm_put_cut(stdscr, y, x, sum ? nicw - SUM_W - 1 : nicw, sb.s);
	qnm_sb_free(&sb);
	for (k = 0; k < n; k++) {
		rx += qnm_remote_num(e[k], "rx_rate");
		tx += qnm_remote_num(e[k], "tx_rate");
	}
	if (sum)
		qnm_putf(stdscr, y, x + nicw - SUM_W, SUM_W, "rx %s tx %s",
			 qnm_fmt_rate(rx, a, sizeof(a)), qnm_fmt_rate(tx, b, sizeof(b)));
}

/*
 * A registered host's row at @y with up to @room lines: its own line, or
 * one of its VMs with, when it runs, a line per NIC with the counters its
 * qnm sampled (rate and total each way, the guest's view). Return: lines used.
 */
static int draw_remote(struct qnm_ui *ui, const struct vrow *row, bool sel, int y, int room,
		       const struct qnm_rect *r)
{
	json_object *o = row->h ? rvm(row->h, row->i) : NULL, *e[8];
	size_t k, n;
	int used = 1;

	if (row->i == HOST_LINE || !o) {
		draw_host_line(ui, row->h, sel, y, r);
		return 1;
	}
	draw_remote_vm(ui, row->h, o, sel, y, r);
	if (strcmp(qnm_remote_str(o, "state"), "running") != 0)
		return 1;
	n = rvm_nics(row->h, qnm_remote_str(o, "name"), e, QNM_ARRAY_SIZE(e));
	for (k = 0; k < n && used < room; k++, used++) {
		char a[16], b[16], c[16], d[16];

		qnm_set_role(ui, stdscr, row->h->up ? QNM_ROLE_NORMAL : QNM_ROLE_DIM);
		qnm_putf(stdscr, y + used, r->x, r->w,
			 "   %s %-8.8s %-12.12s rx %9s %10s   tx %9s %10s", ui->g->bl,
			 qnm_remote_str(e[k], "nic"), qnm_remote_str(e[k], "network"),
			 qnm_fmt_rate(qnm_remote_num(e[k], "rx_rate"), a, sizeof(a)),
			 qnm_fmt_bytes((uint64_t)qnm_remote_num(e[k], "rx_bytes"), b, sizeof(b)),
			 qnm_fmt_rate(qnm_remote_num(e[k], "tx_rate"), c, sizeof(c)),
			 qnm_fmt_bytes((uint64_t)qnm_remote_num(e[k], "tx_bytes"), d, sizeof(d)));
	}
	return used;
}

static void vms_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct vms *s = st;
	const struct qnm_model *m = &ui->ctx->model;
	int y = r->y, namew = 18, i, line = 0;
	int nicw = r->w - namew - 9 - 8 - 5 - 2;
	bool sumcol;
	size_t ncaps, shown;
	const struct qnm_guest_cap *caps = qnm_guest_caps(ui, NULL, &ncaps);

	/* captures in place get up to 4 lines above the bottom line */
	shown = ncaps > 4 ? 4 : ncaps;
	s->page = r->h - 4 - (int)shown;
	s->width = r->w;
	refilter(ui, s);
	fit_selection(ui, s, s->page);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, y, r->x, r->w);
	/* the sum of a running VM's rates beside its NICs where both fit whole
	 * ("rx 1.18 KB/s tx 773 B/s"); else its NICs' rows below carry them */
	sumcol = nicw >= 50;
	if (sumcol)
		qnm_putf(stdscr, y, r->x, r->w, " %-*s %-8s %7s %4s  %-*s %s", namew - 1,
			 "NAME (*auto)", "STATE", "MEMORY", "CPUS", nicw - SUM_W - 1,
			 "NICS (model/backend)", "RX/TX (guest's view)");
	else
		qnm_putf(stdscr, y, r->x, r->w, " %-*s %-8s %7s %4s  %s", namew - 1, "NAME (*auto)",
			 "STATE", "MEMORY", "CPUS",
			 nicw >= 36 ? "NICS (model/backend), guest's rx/tx"
				    : "NICS (model/backend)");
	y++;
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
	if (m->nvms == 0 && s->list.n == 0) {
		struct qnm_rect t = { y + 1, r->x + 2, r->h - 4, r->w - 4 };

		qnm_wrap(
			stdscr, &t, 0,
			"No VMs yet. Press D to define the demo guest (a tiny Linux built from "
			"this host's kernel; then s starts it), or n to create a VM: give it a name, "
			"add a network card (F4 in the form), pick its model and backend, and save "
			"with F2. On a VM: p shows its QEMU command line, m its network topology. "
			"F1 lists every key.");
	}
	for (i = 0; line < s->page && s->list.top + i < s->list.n; i++) {
		/* a running VM as it runs; what a restart would change below it */
		const struct vrow *row = &s->rows[s->list.top + i];
		const struct qnm_vm *saved = row->h || row->i == HOST_LINE ? NULL : m->vms[row->i];
		const struct qnm_vm *vm = saved ? qnm_guest_shown(ui, saved) : NULL;
		const struct qnm_guest *g = vm ? qnm_guest_find(ui, vm->name) : NULL;
		char *pending = saved ? qnm_guest_pending(ui, saved) : NULL;
		bool sel = s->list.top + i == s->list.sel;
		static const enum qnm_role state_roles[] = {
			[QNM_RUN_ABSENT] = QNM_ROLE_STOPPED,  [QNM_RUN_STARTING] = QNM_ROLE_WARNING,
			[QNM_RUN_RUNNING] = QNM_ROLE_RUNNING, [QNM_RUN_STOPPED] = QNM_ROLE_STOPPED,
			[QNM_RUN_CRASHED] = QNM_ROLE_CRASHED,
		};
		double rx = 0, tx = 0;
		bool counted = false, sum;
		char nics[256], a[16], b[16];
		size_t k;
		int x = r->x, ry = y + line;

		if (!saved || !vm || !g) {
			line += draw_remote(ui, row, sel, ry, s->page - line, r);
			continue;
		}
		nic_summary(vm, nics, sizeof(nics));
		qnm_guest_caps(ui, vm->name, &k);
		if (k) {
			/* a capture in place: say so first on the row */
			char tmp[sizeof(nics) + 8];

			snprintf(tmp, sizeof(tmp), "[REC] %s", nics);
			qnm_strlcpy(nics, tmp, sizeof(nics));
		}
		for (k = 0; k < vm->nnics; k++) {
			const struct qnm_sample *e = qnm_guest_nic_sample(ui, vm, k);

			if (e && e->available) {
				rx += qnm_sample_rate(e, QNM_STAT_RX_BYTES, true);
				tx += qnm_sample_rate(e, QNM_STAT_TX_BYTES, true);
				counted = true;
			}
		}
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, ry, r->x, r->w);
		/* '*': "qnm autostart" starts it at host boot (the header says so) */
		qnm_putf(stdscr, ry, x, namew, "%c%s", saved->autostart ? '*' : ' ', vm->name);
		x = r->x + namew;
		if (!sel)
			qnm_set_role(ui, stdscr, state_roles[g->info.status]);
		qnm_put(stdscr, ry, x, 8,
			g->busy				   ? "busy"
			: g->info.status == QNM_RUN_ABSENT ? "stopped"
							   : qnm_run_status_name(g->info.status));
		x += 9;
		if (!sel)
			qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_putf(stdscr, ry, x, 8, "%4u MiB", vm->memory_mb);
		x += 8;
		qnm_putf(stdscr, ry, x, 5, "%4u", vm->cpus);
		x += 6;
		/* NICs whole where the sum has no column (a stopped VM has no rates) */
		sum = sumcol && (counted || g->info.status == QNM_RUN_RUNNING);
		qnm_put_cut(stdscr, ry, x, sum ? nicw - SUM_W - 1 : nicw, nics);
		if (sum && counted)
			qnm_putf(stdscr, ry, x + nicw - SUM_W, SUM_W, "rx %s tx %s",
				 qnm_fmt_rate(rx, a, sizeof(a)), qnm_fmt_rate(tx, b, sizeof(b)));
		else if (sum)
			qnm_put(stdscr, ry, x + nicw - SUM_W, SUM_W, "-");
		line++;
		if (pending && line < s->page) {
			/* whole, wrapped: it says what the screen does not show */
			struct qnm_rect t = { y + line, r->x + 3, s->page - line, r->w - 3 };

			qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
			line += qnm_wrap(stdscr, &t, 0, pending);
		}
		free(pending);
		/* a running VM: one row per NIC with its traffic */
		for (k = 0; g->info.status == QNM_RUN_RUNNING && k < vm->nnics && line < s->page;
		     k++)
			draw_nic_row(ui, vm, k, y + line++, r);
	}
	draw_caps(ui, caps, ncaps, shown, r->y + r->h - 2 - (int)shown, r);
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	if (selected_row(s) && selected_row(s)->h && selected_row(s)->i == HOST_LINE)
		qnm_putf(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
			 "Host %s: its VMs below, asked over ssh every second; 9 Hosts.",
			 selected_row(s)->h->name);
	else if (selected_row(s) && selected_row(s)->h)
		qnm_putf(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
			 "On host %s (over ssh): s start, x stop, t console, e edit or forwards.",
			 selected_row(s)->h->name);
	else if (selected(ui, s) &&
		 qnm_guest_find(ui, selected(ui, s)->name)->info.status == QNM_RUN_RUNNING)
		qnm_putf(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
			 "%s runs: t console, C its connections, r capture packets, l log, x stop.",
			 selected(ui, s)->name);
	else
		qnm_putf(
			stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
			"%zu VM(s); guests keep running when qnm quits. RX/TX: as the guest sees it.",
			m->nvms);
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

struct del_ctx {
	char name[QNM_NAME_MAX + 1];
};

static void delete_answer(struct qnm_ui *ui, void *data, bool yes)
{
	struct del_ctx *d = data;
	struct qnm_err err;

	if (yes) {
		qnm_err_clear(&err);
		if (qnm_api_vm_delete(ui->ctx, d->name, &err))
			qnm_ui_log(ui, QNM_MSG_ERROR, "delete %s: %s", d->name, err.msg);
		else
			qnm_ui_log(ui, QNM_MSG_OK, "VM %s deleted", d->name);
	}
	free(d);
}

static void clone_answer(struct qnm_ui *ui, void *data, const char *name)
{
	struct del_ctx *d = data;
	struct qnm_err err;

	if (!name || !qnm_model_find_vm(&ui->ctx->model, d->name)) {
		free(d);
		return;
	}
	qnm_err_clear(&err);
	if (qnm_api_vm_clone(ui->ctx, d->name, name, &err) == 0)
		qnm_ui_log(ui, QNM_MSG_OK, "VM %s cloned as %s (MACs cleared)", d->name, name);
	else
		qnm_ui_log(ui, QNM_MSG_ERROR, "clone: %s", err.msg);
	free(d);
}

/* ---- start, stop, console, demo: the slow parts run in worker threads ---- */

/* The job of qnm_api_vm_start()/qnm_api_vm_stop(), in the worker thread. */
static int vm_job_work(void *data, struct qnm_err *err)
{
	return qnm_api_vm_job_run(data, err);
}

static void start_done(struct qnm_ui *ui, void *data, int r, const struct qnm_err *err)
{
	const struct qnm_vm_job_result *j = qnm_api_vm_job_result(data);
	const struct qnm_vm *vm;
	const char *boot;
	char *warnings, *cut;

	qnm_guest_set_busy(ui, j->name, false);
	if (r)
		qnm_ui_log(ui, QNM_MSG_ERROR, "start %s: %s", j->name, err->msg);
	else
		qnm_ui_log(ui, QNM_MSG_OK,
			   "%s started: QEMU pid %ld, %s in %.0f ms (l shows its console)", j->name,
			   (long)j->start.qemu_pid, j->start.status, j->start.elapsed_ms);
	/* after the outcome, so the status line shows the warning; boot=none was asked already */
	warnings = xstrdup(j->start.warnings);
	vm = qnm_model_find_vm(&ui->ctx->model, j->name);
	boot = vm ? qnm_vm_boot_warning(vm) : NULL;
	if (boot && (cut = strstr(warnings, boot))) {
		size_t len = strlen(boot);

		if (cut[len] == '\n')
			len++;
		memmove(cut, cut + len, strlen(cut + len) + 1);
	}
	qnm_ui_log_lines(ui, QNM_MSG_WARN, j->name, warnings);
	free(warnings);
	qnm_guests_refresh(ui);
	qnm_api_vm_job_free(data);
}

static void start_vm(struct qnm_ui *ui, struct qnm_vm *vm)
{
	const struct qnm_guest *g = qnm_guest_find(ui, vm->name);
	char name[QNM_NAME_MAX + 1];
	struct qnm_vm_job *j;
	struct qnm_err err;
	size_t n = 0;

	if (g->busy || g->info.status == QNM_RUN_RUNNING || g->info.status == QNM_RUN_STARTING) {
		qnm_ui_log(ui, QNM_MSG_WARN, "%s is already %s", vm->name,
			   g->busy ? "being started or stopped" : "running");
		return;
	}
	/* NICs without a MAC get a unique one first, saved in the VM's file (@vm is replaced) */
	qnm_strlcpy(name, vm->name, sizeof(name));
	qnm_err_clear(&err);
	if (qnm_api_vm_start(ui->ctx, name, 0, &j, &n, &err)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "start %s: %s", name, err.msg);
		return;
	}
	if (n)
		qnm_ui_log(ui, QNM_MSG_INFO, "gave %zu NIC(s) of %s a MAC (saved)", n, name);
	if (qnm_ui_job(ui, vm_job_work, start_done, j)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "start %s: cannot start a worker thread", name);
		qnm_api_vm_job_free(j);
		return;
	}
	qnm_guest_set_busy(ui, name, true);
	qnm_ui_log(ui, QNM_MSG_INFO, "starting %s ...", name);
}

static void stop_done(struct qnm_ui *ui, void *data, int r, const struct qnm_err *err)
{
	const struct qnm_vm_job_result *j = qnm_api_vm_job_result(data);

	qnm_guest_set_busy(ui, j->name, false);
	if (r)
		qnm_ui_log(ui, QNM_MSG_ERROR, "stop %s: %s", j->name,
			   err->msg[0] ? err->msg : j->how);
	else
		qnm_ui_log(ui, QNM_MSG_OK, "%s stopped: %s", j->name, j->how);
	qnm_guests_refresh(ui);
	qnm_api_vm_job_free(data);
}

static void stop_vm(struct qnm_ui *ui, struct qnm_vm *vm)
{
	const struct qnm_guest *g = qnm_guest_find(ui, vm->name);
	struct qnm_vm_job *j = NULL;
	struct qnm_err err;

	if (g->busy) {
		qnm_ui_log(ui, QNM_MSG_WARN, "%s is being started or stopped already", vm->name);
		return;
	}
	if (g->info.status == QNM_RUN_ABSENT) {
		qnm_ui_log(ui, QNM_MSG_WARN, "%s is not running", vm->name);
		return;
	}
	qnm_err_clear(&err);
	if (qnm_api_vm_stop(ui->ctx, vm->name, false, 0, &j, &err) ||
	    qnm_ui_job(ui, vm_job_work, stop_done, j)) {
		qnm_api_vm_job_free(j);
		return;
	}
	qnm_guest_set_busy(ui, vm->name, true);
	qnm_ui_log(ui, QNM_MSG_INFO, "stopping %s (ACPI power-down, then quit) ...", vm->name);
}

/* the answers to s and x's questions: @data is the screen, asked[] the VM */
static void start_answer(struct qnm_ui *ui, void *data, bool yes)
{
	const struct vms *s = data;
	struct qnm_vm *vm = yes ? qnm_model_find_vm(&ui->ctx->model, s->asked) : NULL;

	if (vm)
		start_vm(ui, vm);
}

static void stop_answer(struct qnm_ui *ui, void *data, bool yes)
{
	const struct vms *s = data;
	struct qnm_vm *vm = yes ? qnm_model_find_vm(&ui->ctx->model, s->asked) : NULL;

	if (vm)
		stop_vm(ui, vm);
}

static void console(struct qnm_ui *ui, struct qnm_vm *vm)
{
	char *tail = qnm_api_vm_console_tail(ui->ctx, vm->name, 14), *title;

	title = xasprintf("Serial console of %s (last lines)", vm->name);
	qnm_message_box(ui, title,
			tail && *tail
				? tail
				: "Nothing logged: the VM is not running, or has not printed yet.");
	free(title);
	free(tail);
}

/* The interactive console of @vm (screen-console.c), when it runs. */
static void attach(struct qnm_ui *ui, struct qnm_vm *vm)
{
	const struct qnm_guest *g = qnm_guest_find(ui, vm->name);
	struct qnm_console_arg arg = { .host = NULL, .vm = vm->name };

	if (g->info.status != QNM_RUN_RUNNING && g->info.status != QNM_RUN_STARTING) {
		qnm_ui_log(ui, QNM_MSG_WARN, "%s is not running: start it (s) to use its console",
			   vm->name);
		return;
	}
	qnm_ui_push(ui, &qnm_screen_console, &arg); /* it logs why when it cannot */
}

/* Building the demo image (qnm_api_demo_build()), in the worker thread. */
static int demo_work(void *data, struct qnm_err *err)
{
	return qnm_api_demo_build(data, err);
}

static void demo_done(struct qnm_ui *ui, void *data, int r, const struct qnm_err *err)
{
	struct qnm_api_demo *d = data;
	struct qnm_err e2;
	unsigned port;

	qnm_err_clear(&e2);
	if (r) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "demo guest: %s", err->msg);
	} else if ((r = qnm_api_demo_define(ui->ctx, d, &port, &e2)) == -EEXIST) {
		qnm_ui_log(ui, QNM_MSG_WARN, "a VM named 'demo' exists already; left as it is");
	} else if (r) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "demo guest: %s", e2.msg);
	} else {
		qnm_ui_log(
			ui, QNM_MSG_OK,
			"VM 'demo' defined: press s to start it (Linux %s, slirp NIC, 127.0.0.1:%u -> guest port 80)",
			d->kver, port);
	}
	qnm_api_demo_clear(d);
	free(d);
}

static void demo(struct qnm_ui *ui)
{
	struct qnm_api_demo *d;

	if (qnm_model_find_vm(&ui->ctx->model, QNM_DEMO_VM)) {
		qnm_ui_log(ui, QNM_MSG_WARN, "the demo VM exists already: select it and press s");
		return;
	}
	d = xcalloc(1, sizeof(*d));
	qnm_api_demo_init(ui->ctx, NULL, d);
	if (qnm_ui_job(ui, demo_work, demo_done, d)) {
		qnm_api_demo_clear(d);
		free(d);
		return;
	}
	qnm_ui_log(ui, QNM_MSG_INFO, "building the demo guest in %s (once, a few seconds) ...",
		   d->dir);
}

/* the answer to x's question on a registered host's VM */
static void remote_stop_answer(struct qnm_ui *ui, void *data, bool yes)
{
	const struct vms *s = data;
	struct qnm_rhost *h = yes ? qnm_remote_find(ui, s->asked_host) : NULL;

	if (h)
		qnm_remote_vm_action(ui, h, "vm.stop", s->asked, NULL);
}

/* the forward typed for e's "Add" on a host's VM */
static void remote_fwd_add_answer(struct qnm_ui *ui, void *data, const char *text)
{
	const struct vms *s = data;
	struct qnm_rhost *h = text && *text ? qnm_remote_find(ui, s->asked_host) : NULL;

	if (h)
		qnm_remote_vm_action(ui, h, "fwd.add", s->asked, text);
}

/* e's menu on a host's VM: 0 opens the VM form, 1 adds a forward, k removes forward k-2 */
static void remote_fwd_pick(struct qnm_ui *ui, void *data, int index)
{
	struct vms *s = data;
	struct qnm_rhost *h = index >= 0 ? qnm_remote_find(ui, s->asked_host) : NULL;
	char title[128];

	if (!h)
		return;
	if (index == 0) {
		qnm_remote_edit_vm(ui, h, s->asked);
	} else if (index == 1) {
		snprintf(title, sizeof(title), "Forward to %s on %s", s->asked, h->name);
		qnm_ask(ui, title,
			"[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (a port of that host):",
			"tcp:127.0.0.1:8081-:80", remote_fwd_add_answer, s);
	} else if ((size_t)index - 2 < s->fwds.n) {
		qnm_remote_vm_action(ui, h, "fwd.del", s->asked, s->fwds.v[index - 2]);
	}
}

/* e on a host's VM: its VM form there, or its forwards (hostfwd on its user/slirp NIC) */
static void remote_forwards(struct qnm_ui *ui, struct vms *s, struct qnm_rhost *h, json_object *o)
{
	json_object *fw = NULL;
	struct qnm_strv items;
	char title[128];
	size_t k;

	qnm_strlcpy(s->asked, qnm_remote_str(o, "name"), sizeof(s->asked));
	qnm_strlcpy(s->asked_host, h->name, sizeof(s->asked_host));
	qnm_strv_free(&s->fwds);
	qnm_strv_init(&s->fwds);
	qnm_strv_init(&items);
	qnm_strv_add(&items, "Edit the VM and its network cards (form)...");
	qnm_strv_add(&items, "Add a forward...");
	json_object_object_get_ex(o, "forwards", &fw);
	for (k = 0; fw && k < json_object_array_length(fw); k++) {
		const char *f = json_object_get_string(json_object_array_get_idx(fw, k));

		qnm_strv_add(&s->fwds, f);
		qnm_strv_addf(&items, "Remove %s", f);
	}
	snprintf(title, sizeof(title), "%s on %s: edit, forwards (Enter: do; Esc: leave)", s->asked,
		 h->name);
	qnm_pick(ui, title, (const char *const *)items.v, NULL, items.n, 0, remote_fwd_pick, s);
	qnm_strv_free(&items);
}

/**
 * struct not_here - a key on a VM that this UI does not do for another
 * host's VM (it would read or change this host's side), and what does it
 * there instead: "qnm -H HOST @cmd VM@args".
 * @act:  the key's action.
 * @what: what the key does, for the message.
 * @cmd:  the command that does it on that host.
 * @args: its arguments after the VM's name.
 */
struct not_here {
	enum qnm_action act;
	const char *what;
	const char *cmd;
	const char *args;
};

static const struct not_here not_here[] = {
	{ QNM_ACT_CAPTURE, "a packet capture", "capture",
	  " NIC FILE.pcap (the file is on that host)" },
	{ QNM_ACT_PREVIEW, "the QEMU command line", "cmdline", "" },
	{ QNM_ACT_CONNS, "the connections", "conns", "" },
	{ QNM_ACT_CONSOLE, "the console log", "console", " (t here attaches to it)" },
	{ QNM_ACT_DELETE, "delete", "del", "" },
	{ QNM_ACT_CLONE, "clone", "show", " then qnm -H ... new there" },
};

/* The keys that act on a VM, on registered host @row->h's VM: start, stop, console there. */
static unsigned remote_key(struct qnm_ui *ui, struct vms *s, const struct vrow *row,
			   enum qnm_action act)
{
	static const enum qnm_action on_vm[] = {
		QNM_ACT_EDIT,	QNM_ACT_PREVIEW, QNM_ACT_MODES,	  QNM_ACT_DELETE,
		QNM_ACT_CLONE,	QNM_ACT_START,	 QNM_ACT_STOP,	  QNM_ACT_CONSOLE,
		QNM_ACT_ATTACH, QNM_ACT_CONNS,	 QNM_ACT_CAPTURE,
	};
	json_object *o = rvm(row->h, row->i);
	const char *name = qnm_remote_str(o, "name"), *state = qnm_remote_str(o, "state");
	struct qnm_console_arg arg = { .host = row->h->name, .vm = name };
	struct qnm_modes_remote topo = { .host = row->h->name, .vm = name };
	char q[400];
	size_t k;

	for (k = 0; k < QNM_ARRAY_SIZE(on_vm) && on_vm[k] != act; k++)
		;
	if (k == QNM_ARRAY_SIZE(on_vm))
		return QNM_H_IGNORED;
	if (!o) {
		qnm_ui_log(ui, QNM_MSG_WARN, "host %s: select one of its VMs", row->h->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	}
	if (!row->h->up) {
		qnm_ui_log(ui, QNM_MSG_WARN, "host %s does not answer: %s", row->h->name,
			   row->h->why);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	}
	switch (act) {
	case QNM_ACT_START:
		if (strcmp(state, "running") == 0 || strcmp(state, "starting") == 0)
			qnm_ui_log(ui, QNM_MSG_WARN, "%s on %s is already running", name,
				   row->h->name);
		else
			qnm_remote_vm_action(ui, row->h, "vm.start", name, NULL);
		break;
	case QNM_ACT_STOP:
		snprintf(q, sizeof(q),
			 "Stop VM '%s' on host %s? Its guest is asked to power off (ACPI), then "
			 "QEMU quits: what the guest has not saved is lost.",
			 name, row->h->name);
		qnm_strlcpy(s->asked, name, sizeof(s->asked));
		qnm_strlcpy(s->asked_host, row->h->name, sizeof(s->asked_host));
		qnm_confirm(ui, "Stop VM", q, remote_stop_answer, s);
		break;
	case QNM_ACT_EDIT:
		remote_forwards(ui, s, row->h, o);
		break;
	case QNM_ACT_MODES:
		qnm_ui_push(ui, &qnm_screen_modes_remote, &topo);
		break;
	case QNM_ACT_ATTACH:
		if (strcmp(state, "running") != 0)
			qnm_ui_log(ui, QNM_MSG_WARN,
				   "%s on %s is not running: start it (s) to use its console", name,
				   row->h->name);
		else
			qnm_ui_push(ui, &qnm_screen_console, &arg);
		break;
	default:
		for (k = 0; k < QNM_ARRAY_SIZE(not_here) && not_here[k].act != act; k++)
			;
		if (k < QNM_ARRAY_SIZE(not_here))
			qnm_ui_log(ui, QNM_MSG_WARN,
				   "%s is on host %s: %s is not done from here for another host's "
				   "VM (nothing acts on this host); there: qnm -H %s %s %s%s",
				   name, row->h->name, not_here[k].what, row->h->name,
				   not_here[k].cmd, name, not_here[k].args);
		break;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

static unsigned vms_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct vms *s = st;
	const struct qnm_guest *g;
	struct qnm_vm *vm;
	struct del_ctx *d;
	char q[400];
	unsigned r;

	/* keys may come before the first draw: the rows must exist */
	refilter(ui, s);
	r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		return r;
	if (selected_row(s) && selected_row(s)->h) {
		r = remote_key(ui, s, selected_row(s), act);
		if (r)
			return r;
	}
	vm = selected(ui, s);
	switch (act) {
	case QNM_ACT_NEW:
		qnm_ui_push(ui, &qnm_screen_vmform, NULL);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_EDIT:
		if (vm)
			qnm_ui_push(ui, &qnm_screen_vmform, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_PREVIEW:
		if (vm)
			qnm_ui_push(ui, &qnm_screen_preview, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_MODES:
		if (vm)
			qnm_ui_push(ui, &qnm_screen_modes, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_DELETE:
		if (!vm)
			return QNM_H_HANDLED;
		d = xcalloc(1, sizeof(*d));
		qnm_strlcpy(d->name, vm->name, sizeof(d->name));
		snprintf(q, sizeof(q), "Delete VM '%s'? Its configuration file is removed.",
			 vm->name);
		qnm_confirm(ui, "Delete VM", q, delete_answer, d);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_CLONE:
		if (!vm)
			return QNM_H_HANDLED;
		d = xcalloc(1, sizeof(*d));
		qnm_strlcpy(d->name, vm->name, sizeof(d->name));
		snprintf(q, sizeof(q), "%s-copy", vm->name);
		qnm_ask(ui, "Clone VM", "Name of the new VM:", q, clone_answer, d);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_START:
		g = vm ? qnm_guest_find(ui, vm->name) : NULL;
		if (g && qnm_vm_boot_warning(vm) && !g->busy && g->info.status != QNM_RUN_RUNNING &&
		    g->info.status != QNM_RUN_STARTING) {
			/*
			 * it boots nothing: asked before a new QEMU starts, also when the
			 * last one's directory is still there (stopped or crashed, as the
			 * list shows it for a moment after a stop from elsewhere)
			 */
			snprintf(q, sizeof(q), "Start VM '%s'? %s.", vm->name,
				 qnm_vm_boot_warning(vm));
			qnm_strlcpy(s->asked, vm->name, sizeof(s->asked));
			qnm_confirm(ui, "Start VM", q, start_answer, s);
		} else if (vm) {
			start_vm(ui, vm);
		}
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_STOP:
		g = vm ? qnm_guest_find(ui, vm->name) : NULL;
		if (g && !g->busy && g->info.status == QNM_RUN_RUNNING) {
			/* a running guest: asked first (what it has not saved is lost) */
			snprintf(q, sizeof(q),
				 "Stop VM '%s'? Its guest is asked to power off (ACPI), then QEMU "
				 "quits: what the guest has not saved is lost.",
				 vm->name);
			qnm_strlcpy(s->asked, vm->name, sizeof(s->asked));
			qnm_confirm(ui, "Stop VM", q, stop_answer, s);
		} else if (vm) {
			stop_vm(ui, vm);
		}
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_CONSOLE:
		if (vm)
			console(ui, vm);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_ATTACH:
		if (vm)
			attach(ui, vm);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_DEMO:
		demo(ui);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_CONNS:
		if (vm)
			qnm_ui_push(ui, &qnm_screen_conns, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_CAPTURE:
		if (vm)
			qnm_ui_capture(ui, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	default:
		return QNM_H_IGNORED;
	}
}

static bool vms_tick(struct qnm_ui *ui, void *st)
{
	return false;
}

const struct qnm_screen_ops qnm_screen_vms = {
	.id = QNM_SCR_VMS,
	.init = vms_init,
	.free = vms_free,
	.draw = vms_draw,
	.key = vms_key,
	.tick = vms_tick,
};
