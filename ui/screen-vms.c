// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-vms.c - the VMs list: name, state, memory, CPUs, NICs; new, edit,
 * clone, delete, start/stop, command line, topology.
 */
#include "build-config.h"

#include "api/demo.h"
#include "api/run.h"
#include "api/vm.h"
#include "core/backend.h"
#include "core/validate.h"
#include "guests.h"
#include "uipriv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/**
 * struct vms - state of the VMs screen.
 * @list: cursor, scroll and filter.
 * @idx:  model index of each shown row (after the filter), @list.n of them.
 * @page: rows that fit.
 */
struct vms {
	struct qnm_list list;
	size_t *idx;
	int page;
	int width;
	char asked[QNM_NAME_MAX + 1];
};

static void *vms_init(struct qnm_ui *ui, void *arg)
{
	return xcalloc(1, sizeof(struct vms));
}

static void vms_free(void *st)
{
	struct vms *s = st;

	free(s->idx);
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

static void refilter(struct qnm_ui *ui, struct vms *s)
{
	const struct qnm_model *m = &ui->ctx->model;
	size_t i;

	free(s->idx);
	s->idx = xcalloc(m->nvms + 1, sizeof(*s->idx));
	s->list.n = 0;
	for (i = 0; i < m->nvms; i++) {
		char nics[256];

		/* no filter: every VM, without formatting 10,000 NIC summaries per frame */
		if (qnm_list_match(&s->list, m->vms[i]->name)) {
			s->idx[s->list.n++] = i;
			continue;
		}
		nic_summary(m->vms[i], nics, sizeof(nics));
		if (qnm_list_match(&s->list, nics))
			s->idx[s->list.n++] = i;
	}
	qnm_list_fix(&s->list, s->page);
}

/** The selected VM, or NULL. */
static struct qnm_vm *selected(struct qnm_ui *ui, struct vms *s)
{
	if (s->list.n <= 0 || s->list.sel >= s->list.n)
		return NULL;
	if (s->idx[s->list.sel] >= ui->ctx->model.nvms)
		return NULL;
	return ui->ctx->model.vms[s->idx[s->list.sel]];
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

/* Scroll so that the selected VM and its NIC rows fit in @lines lines. */
static void fit_selection(struct qnm_ui *ui, struct vms *s, int lines)
{
	const struct qnm_model *m = &ui->ctx->model;

	while (s->list.top < s->list.sel) {
		int used = 0, i;

		for (i = s->list.top; i <= s->list.sel; i++)
			used += vm_lines(ui, m->vms[s->idx[i]], s->width);
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
	if (m->nvms == 0) {
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
		const struct qnm_vm *saved = m->vms[s->idx[s->list.top + i]];
		const struct qnm_vm *vm = qnm_guest_shown(ui, saved);
		const struct qnm_guest *g = qnm_guest_find(ui, vm->name);
		char *pending = qnm_guest_pending(ui, saved);
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
		int x = r->x, row = y + line;

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
		qnm_fill(stdscr, row, r->x, r->w);
		/* '*': "qnm autostart" starts it at host boot (the header says so) */
		qnm_putf(stdscr, row, x, namew, "%c%s", saved->autostart ? '*' : ' ', vm->name);
		x = r->x + namew;
		if (!sel)
			qnm_set_role(ui, stdscr, state_roles[g->info.status]);
		qnm_put(stdscr, row, x, 8,
			g->busy				   ? "busy"
			: g->info.status == QNM_RUN_ABSENT ? "stopped"
							   : qnm_run_status_name(g->info.status));
		x += 9;
		if (!sel)
			qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_putf(stdscr, row, x, 8, "%4u MiB", vm->memory_mb);
		x += 8;
		qnm_putf(stdscr, row, x, 5, "%4u", vm->cpus);
		x += 6;
		/* NICs whole where the sum has no column (a stopped VM has no rates) */
		sum = sumcol && (counted || g->info.status == QNM_RUN_RUNNING);
		qnm_put_cut(stdscr, row, x, sum ? nicw - SUM_W - 1 : nicw, nics);
		if (sum && counted)
			qnm_putf(stdscr, row, x + nicw - SUM_W, SUM_W, "rx %s tx %s",
				 qnm_fmt_rate(rx, a, sizeof(a)), qnm_fmt_rate(tx, b, sizeof(b)));
		else if (sum)
			qnm_put(stdscr, row, x + nicw - SUM_W, SUM_W, "-");
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
	if (selected(ui, s) &&
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

	if (g->info.status != QNM_RUN_RUNNING && g->info.status != QNM_RUN_STARTING) {
		qnm_ui_log(ui, QNM_MSG_WARN, "%s is not running: start it (s) to use its console",
			   vm->name);
		return;
	}
	qnm_ui_push(ui, &qnm_screen_console, vm->name); /* it logs why when it cannot */
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

static unsigned vms_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct vms *s = st;
	struct qnm_vm *vm;
	struct del_ctx *d;
	char q[400];
	unsigned r;

	/* keys may come before the first draw: the rows must exist */
	refilter(ui, s);
	r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		return r;
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
		if (vm && qnm_vm_boot_warning(vm) && !qnm_guest_find(ui, vm->name)->busy &&
		    qnm_guest_find(ui, vm->name)->info.status == QNM_RUN_ABSENT) {
			/* it boots nothing: asked before it starts */
			snprintf(q, sizeof(q), "Start VM '%s'? %s.", vm->name,
				 qnm_vm_boot_warning(vm));
			qnm_strlcpy(s->asked, vm->name, sizeof(s->asked));
			qnm_confirm(ui, "Start VM", q, start_answer, s);
		} else if (vm) {
			start_vm(ui, vm);
		}
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_STOP:
		if (vm && !qnm_guest_find(ui, vm->name)->busy &&
		    qnm_guest_find(ui, vm->name)->info.status == QNM_RUN_RUNNING) {
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
