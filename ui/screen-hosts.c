// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-hosts.c - Hosts: this host and every host of "qnm host add", each
 * asked over ssh ("ping": its qnm version and running guests) in a
 * background job every few seconds, with how long it took to answer. A host
 * that does not answer is marked when its deadline (QNM_HOST_TIMEOUT_MS)
 * passes; the screen never waits for it.
 */
#include "build-config.h"

#include "api/ctx.h"
#include "api/remote.h"
#include "uipriv.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* how often the hosts are asked again (ms) */
#define HOSTS_EVERY_MS 5000

/**
 * struct hosts - state of the Hosts screen.
 * @v:       the last answers (this host first), @n of them.
 * @n:       see @v.
 * @have:    @v holds a finished round.
 * @running: a round is in progress.
 * @job:     that round's job (only compared).
 * @last:    when the last round started (qnm_mono_ms_int()).
 * @list:    cursor and scrolling.
 * @page:    rows that fit.
 */
struct hosts {
	struct qnm_host_answer *v;
	size_t n;
	bool have;
	bool running;
	const void *job;
	int64_t last;
	struct qnm_list list;
	int page;
};

/**
 * struct hosts_job - one round in a worker thread.
 * @ctx: a copy of the context.
 * @v:   the answers, @n of them.
 * @n:   see @v.
 */
struct hosts_job {
	struct qnm_ctx *ctx;
	struct qnm_host_answer *v;
	size_t n;
};

static int hosts_work(void *data, struct qnm_err *err)
{
	struct hosts_job *j = data;

	return qnm_api_hosts_call_all(j->ctx, "ping", QNM_HOST_TIMEOUT_MS, &j->v, &j->n, err);
}

static void hosts_job_free(struct hosts_job *j)
{
	qnm_api_host_answers_free(j->v, j->n);
	qnm_api_ctx_free(j->ctx);
	free(j);
}

static void hosts_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err)
{
	struct hosts_job *j = data;
	struct hosts *s = qnm_ui_find(ui, &qnm_screen_hosts);

	if (s && s->job == j) {
		s->running = false;
		s->job = NULL;
		if (result) {
			qnm_ui_log(ui, QNM_MSG_ERROR, "hosts: %s", err->msg);
		} else {
			qnm_api_host_answers_free(s->v, s->n);
			s->v = j->v;
			s->n = j->n;
			j->v = NULL;
			j->n = 0;
			s->have = true;
		}
	}
	hosts_job_free(j);
}

static void ask_hosts(struct qnm_ui *ui, struct hosts *s)
{
	struct hosts_job *j;

	if (s->running)
		return;
	j = xcalloc(1, sizeof(*j));
	j->ctx = qnm_api_ctx_copy(ui->ctx);
	s->last = qnm_mono_ms_int();
	if (qnm_ui_job(ui, hosts_work, hosts_done, j)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "hosts: cannot start a worker thread");
		hosts_job_free(j);
		return;
	}
	s->running = true;
	s->job = j;
}

static void *hosts_init(struct qnm_ui *ui, void *arg)
{
	struct hosts *s = xcalloc(1, sizeof(*s));

	(void)arg;
	ask_hosts(ui, s);
	return s;
}

static void hosts_free(void *st)
{
	struct hosts *s = st;

	qnm_api_host_answers_free(s->v, s->n);
	free(s);
}

static bool hosts_tick(struct qnm_ui *ui, void *st)
{
	struct hosts *s = st;

	if (!s->running && qnm_mono_ms_int() - s->last >= HOSTS_EVERY_MS)
		ask_hosts(ui, s);
	return s->running;
}

/* the integer member @key of @o, or -1 */
static long long member_int(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static void hosts_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct hosts *s = st;
	int y = r->y + 2, i;

	s->page = r->h - 3;
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(stdscr, r->y, r->x + 1, r->w - 2,
		 "This host and the hosts of 'qnm host add NAME [user@]host[:port]', over ssh%s",
		 s->running ? " - asking..." : ".");
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y + 1, r->x, r->w);
	qnm_putf(stdscr, r->y + 1, r->x, r->w, " %-16s %-11s %-10s %8s %7s  %s", "HOST", "STATE",
		 "VERSION", "LATENCY", "RUNNING", "");
	if (!s->have) {
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_putf(stdscr, y + 1, r->x + 2, r->w - 4, "%s Asking the hosts...",
			 ui->g->spinner[ui->spin % 4]);
		return;
	}
	s->list.n = (int)s->n;
	qnm_list_fix(&s->list, s->page);
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		const struct qnm_host_answer *a = &s->v[s->list.top + i];
		bool sel = s->list.top + i == s->list.sel;
		char lat[16];

		snprintf(lat, sizeof(lat), "%.0f ms", a->ms);
		qnm_set_role(ui, stdscr,
			     sel    ? QNM_ROLE_SELECTION
			     : a->r ? QNM_ROLE_ERROR
				    : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		if (a->r)
			qnm_putf(stdscr, y + i, r->x, r->w, " %-16s %-11s %s", a->host,
				 "unreachable", a->err.msg);
		else
			qnm_putf(stdscr, y + i, r->x, r->w, " %-16s %-11s %-10s %8s %7lld", a->host,
				 "reachable", a->version, lat, member_int(a->result, "running"));
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static unsigned hosts_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct hosts *s = st;
	unsigned r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		return r;
	if (act != QNM_ACT_REFRESH)
		return QNM_H_IGNORED;
	ask_hosts(ui, s);
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_hosts = {
	.id = QNM_SCR_HOSTS,
	.init = hosts_init,
	.free = hosts_free,
	.draw = hosts_draw,
	.key = hosts_key,
	.tick = hosts_tick,
};
