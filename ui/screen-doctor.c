// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-doctor.c - Diagnostics: the checks of "qnm doctor" (src/watch/doctor.c),
 * run in a background job on a copy of the configuration, one line per
 * check with its status as a word ([ok], [WARN], [FAIL], [skip]: readable
 * without colour), and the selected check's findings and fix in full below.
 */
#include "build-config.h"

#include "api/ctx.h"
#include "api/doctor.h"
#include "uipriv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/**
 * struct doctor - state of the Diagnostics screen.
 * @rep:     the last report (empty before the first run ends).
 * @have:    @rep holds a finished run.
 * @running: a run is in progress (its job will hand the report over).
 * @job:     that run's job (only compared: a job started by an earlier
 *           Diagnostics screen that was closed meanwhile is not ours).
 * @ms:      how long the last run took.
 * @when:    when it ended.
 * @order:   indexes of @rep.v shown (filtered), @list.n of them.
 * @list:    cursor, scrolling, filter.
 * @page:    list rows that fit.
 */
struct doctor {
	struct qnm_doctor_report rep;
	bool have;
	bool running;
	const void *job;
	double ms;
	time_t when;
	size_t *order;
	struct qnm_list list;
	int page;
};

/**
 * struct doctor_job - one run in a worker thread.
 * @ctx:   a copy of the context (the UI may change its own meanwhile).
 * @rep:   the result.
 * @ms:    how long it took.
 */
struct doctor_job {
	struct qnm_ctx *ctx;
	struct qnm_doctor_report rep;
	double ms;
};

static int doctor_work(void *data, struct qnm_err *err)
{
	struct doctor_job *j = data;
	double t0 = qnm_mono_ms();

	qnm_api_doctor_run(j->ctx, NULL, &j->rep);
	j->ms = qnm_mono_ms() - t0;
	return 0;
}

static void doctor_job_free(struct doctor_job *j)
{
	qnm_doctor_report_clear(&j->rep);
	qnm_api_ctx_free(j->ctx);
	free(j);
}

static void doctor_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err)
{
	struct doctor_job *j = data;
	struct doctor *s = qnm_ui_find(ui, &qnm_screen_doctor);

	if (s && s->job == j) {
		qnm_doctor_report_clear(&s->rep);
		s->rep = j->rep;
		memset(&j->rep, 0, sizeof(j->rep));
		s->have = true;
		s->running = false;
		s->job = NULL;
		s->ms = j->ms;
		s->when = time(NULL);
		free(s->order);
		s->order = xcalloc(s->rep.n + 1, sizeof(*s->order));
		qnm_ui_log(ui,
			   s->rep.count[QNM_DOC_FAIL]	? QNM_MSG_ERROR
			   : s->rep.count[QNM_DOC_WARN] ? QNM_MSG_WARN
							: QNM_MSG_OK,
			   "diagnostics: %zu ok, %zu skipped, %zu warning(s), %zu failed (%.0f ms)",
			   s->rep.count[QNM_DOC_OK], s->rep.count[QNM_DOC_SKIP],
			   s->rep.count[QNM_DOC_WARN], s->rep.count[QNM_DOC_FAIL], j->ms);
	}
	doctor_job_free(j);
}

static void run_checks(struct qnm_ui *ui, struct doctor *s)
{
	struct doctor_job *j;

	if (s->running)
		return;
	j = xcalloc(1, sizeof(*j));
	j->ctx = qnm_api_ctx_copy(ui->ctx);
	if (qnm_ui_job(ui, doctor_work, doctor_done, j)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "diagnostics: cannot start a worker thread");
		doctor_job_free(j);
		return;
	}
	s->running = true;
	s->job = j;
}

static void *doctor_init(struct qnm_ui *ui, void *arg)
{
	struct doctor *s = xcalloc(1, sizeof(*s));

	run_checks(ui, s);
	return s;
}

static void doctor_free(void *st)
{
	struct doctor *s = st;

	qnm_doctor_report_clear(&s->rep);
	free(s->order);
	free(s);
}

/* the status as a word in brackets, so it reads without colour too */
static const char *status_mark(enum qnm_doc_status st)
{
	static const char *const marks[] = {
		[QNM_DOC_OK] = "[ok]",
		[QNM_DOC_SKIP] = "[skip]",
		[QNM_DOC_WARN] = "[WARN]",
		[QNM_DOC_FAIL] = "[FAIL]",
	};

	return (unsigned)st < QNM_DOC__COUNT ? marks[st] : "[?]";
}

static enum qnm_role status_role(enum qnm_doc_status st)
{
	static const enum qnm_role roles[] = {
		[QNM_DOC_OK] = QNM_ROLE_OK,
		[QNM_DOC_SKIP] = QNM_ROLE_DIM,
		[QNM_DOC_WARN] = QNM_ROLE_WARNING,
		[QNM_DOC_FAIL] = QNM_ROLE_ERROR,
	};

	return (unsigned)st < QNM_DOC__COUNT ? roles[st] : QNM_ROLE_NORMAL;
}

static void apply_filter(struct doctor *s)
{
	size_t i;

	s->list.n = 0;
	for (i = 0; i < s->rep.n; i++) {
		const struct qnm_doctor_item *it = &s->rep.v[i];

		if (qnm_list_match(&s->list, it->check->title) ||
		    qnm_list_match(&s->list, it->check->id) ||
		    qnm_list_match(&s->list, qnm_doc_status_name(it->res.status)) ||
		    qnm_list_match(&s->list, it->res.finding.s))
			s->order[s->list.n++] = i;
	}
	qnm_list_fix(&s->list, s->page);
}

static const struct qnm_doctor_item *selected(const struct doctor *s)
{
	if (!s->have || s->list.sel < 0 || s->list.sel >= s->list.n)
		return NULL;
	return &s->rep.v[s->order[s->list.sel]];
}

/* the findings, then "Fix:" and the fix lines: the text of the detail pane */
static char *detail_text(const struct qnm_doctor_item *it)
{
	struct qnm_strbuf sb;
	const char *p;

	qnm_sb_init(&sb);
	qnm_sb_addf(&sb, "%s %s (%s)\n", status_mark(it->res.status), it->check->title,
		    it->check->id);
	qnm_sb_add(&sb, it->res.finding.s);
	if (it->res.fix.len) {
		qnm_sb_add(&sb, "\nFix:");
		for (p = it->res.fix.s; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			qnm_sb_addf(&sb, "\n  %.*s", (int)len, p);
			p += len + (nl ? 1 : 0);
		}
	}
	return qnm_sb_steal(&sb);
}

/* first line of @s, at most @size - 1 bytes */
static void first_line(const char *s, char *buf, size_t size)
{
	size_t n = strcspn(s, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void draw_detail(struct qnm_ui *ui, struct doctor *s, const struct qnm_rect *d)
{
	const struct qnm_doctor_item *it = selected(s);
	char *text;
	int used;

	if (!it)
		return;
	text = detail_text(it);
	qnm_set_role(ui, stdscr, status_role(it->res.status));
	used = qnm_wrap(stdscr, d, 0, text);
	free(text);
	if (used > d->h) {
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_put(stdscr, d->y + d->h - 1, d->x + d->w - 22, 22, " ... Enter: all of it ");
	}
}

static void doctor_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct doctor *s = st;
	int detail_h = r->h / 3 > 5 ? r->h / 3 : 5;
	int y = r->y + 2, tw = 5, i;
	size_t k;
	struct qnm_rect d;
	char sum[160];

	s->page = r->h - 4 - detail_h;
	/* the titles in full (plain language); the finding gets what is left */
	for (k = 0; k < s->rep.n; k++)
		if (qnm_text_width(s->rep.v[k].check->title) > tw)
			tw = qnm_text_width(s->rep.v[k].check->title);
	/* at 80 columns the finding keeps half the line; a cut title ends in '~' */
	if (tw > (r->w - 8) / 2)
		tw = (r->w - 8) / 2;
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_put(stdscr, r->y, r->x + 1, r->w - 2,
		"Is this host ready for your VMs? Checks only look; each says how to fix it.");
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y + 1, r->x, r->w);
	qnm_putf(stdscr, r->y + 1, r->x, r->w, " %-6s %-*s %s", "STATUS", tw, "CHECK", "FINDING");
	if (!s->have) {
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_putf(stdscr, y + 1, r->x + 2, r->w - 4, "%s Running the checks...",
			 ui->g->spinner[ui->spin % 4]);
		return;
	}
	apply_filter(s);
	if (!s->list.n) {
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_put(stdscr, y + 1, r->x + 2, r->w - 4, "No check matches the filter.");
	}
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		const struct qnm_doctor_item *it = &s->rep.v[s->order[s->list.top + i]];
		bool sel = s->list.top + i == s->list.sel;
		char line[256];
		int x = r->x;

		first_line(it->res.finding.s, line, sizeof(line));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		if (!sel)
			qnm_set_role(ui, stdscr, status_role(it->res.status));
		x += qnm_putf(stdscr, y + i, x, r->w, " %-6s ", status_mark(it->res.status));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_put_cut(stdscr, y + i, x, tw, it->check->title);
		qnm_put_cut(stdscr, y + i, x + tw + 1, r->x + r->w - x - tw - 2, line);
	}
	/* summary on the separator, then the selected check in full */
	snprintf(sum, sizeof(sum), " %zu ok, %zu skipped, %zu warning(s), %zu failed (%.0f ms)%s ",
		 s->rep.count[QNM_DOC_OK], s->rep.count[QNM_DOC_SKIP], s->rep.count[QNM_DOC_WARN],
		 s->rep.count[QNM_DOC_FAIL], s->ms, s->running ? ", re-running..." : "");
	qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
	qnm_hline(ui, stdscr, r->y + r->h - detail_h - 2, r->x, r->w);
	qnm_set_role(ui, stdscr,
		     s->rep.count[QNM_DOC_FAIL]	  ? QNM_ROLE_ERROR
		     : s->rep.count[QNM_DOC_WARN] ? QNM_ROLE_WARNING
						  : QNM_ROLE_OK);
	qnm_put(stdscr, r->y + r->h - detail_h - 2, r->x + 2, r->w - 4, sum);
	qnm_list_draw_scroll(ui, &s->list, s->page, r->y + r->h - detail_h - 2, r->x, r->w - 2);
	d.y = r->y + r->h - detail_h - 1;
	d.x = r->x + 1;
	d.h = detail_h;
	d.w = r->w - 2;
	draw_detail(ui, s, &d);
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static unsigned doctor_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct doctor *s = st;
	const struct qnm_doctor_item *it;
	unsigned r;

	if (s->have)
		apply_filter(s); /* keys may come before the first draw */
	r = qnm_list_key(&s->list, act, key, s->page);
	if (r)
		return r;
	switch (act) {
	case QNM_ACT_REFRESH:
		run_checks(ui, s);
		break;
	case QNM_ACT_ENTER:
		it = selected(s);
		if (it) {
			char *text = detail_text(it);

			qnm_message_box(ui, it->check->title, text);
			free(text);
		}
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_doctor = {
	.id = QNM_SCR_DOCTOR,
	.init = doctor_init,
	.free = doctor_free,
	.draw = doctor_draw,
	.key = doctor_key,
};
