// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-hosts.c - Hosts: this host and every host of "qnm host add", each
 * with whether it answers, its qnm version, its latency (one request's
 * round trip on its open connection), its running guests, and the
 * selected host's VMs and networks below. The other hosts' figures are
 * the UI's own rounds over their kept connections (remotes.h, once a
 * second in background jobs): a host that does not answer is marked when
 * its deadline passes, keeps its last answers, and is asked again until it
 * answers; the screen never waits for it.
 */
#include "build-config.h"

#include "api/remote.h"
#include "api/serve.h"
#include "remotes.h"
#include "uipriv.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* this host's own row is asked again this often (ms) */
#define LOCAL_EVERY_MS 1000
/* the rows of the selected host's details */
#define DETAIL_H 5

/**
 * struct hosts - state of the Hosts screen.
 * @local:    this host's last "ping" (NULL until the first).
 * @local_r:  0, or why this host's "ping" failed (@local_err).
 * @local_err: see @local_r.
 * @local_ms: how long it took.
 * @last:     when it was asked (qnm_mono_ms_int()).
 * @list:     cursor and scrolling (row 0 is this host).
 * @page:     rows that fit.
 */
struct hosts {
	json_object *local;
	int local_r;
	struct qnm_err local_err;
	double local_ms;
	int64_t last;
	struct qnm_list list;
	int page;
};

/* this host answers "ping" itself, without ssh */
static void ask_local(struct qnm_ui *ui, struct hosts *s)
{
	double t0 = qnm_mono_ms();

	json_object_put(s->local);
	s->local = NULL;
	qnm_err_clear(&s->local_err);
	s->local_r = qnm_api_serve_call(ui->ctx, "ping", NULL, &s->local, &s->local_err);
	s->local_ms = qnm_mono_ms() - t0;
	s->last = qnm_mono_ms_int();
}

static void *hosts_init(struct qnm_ui *ui, void *arg)
{
	struct hosts *s = xcalloc(1, sizeof(*s));

	(void)arg;
	ask_local(ui, s);
	return s;
}

static void hosts_free(void *st)
{
	struct hosts *s = st;

	json_object_put(s->local);
	free(s);
}

static bool hosts_tick(struct qnm_ui *ui, void *st)
{
	struct hosts *s = st;

	if (qnm_mono_ms_int() - s->last >= LOCAL_EVERY_MS) {
		ask_local(ui, s);
		return true;
	}
	return false;
}

static size_t nhosts(const struct qnm_ui *ui)
{
	return ui->remotes ? ui->remotes->n : 0;
}

/* the line of host @h (NULL: this host) */
static void draw_row(struct qnm_ui *ui, const struct hosts *s, const struct qnm_rhost *h, bool sel,
		     int y, const struct qnm_rect *r)
{
	char lat[16], since[48];
	bool bad = h ? h->answered && !h->up : s->local_r != 0;

	qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : bad ? QNM_ROLE_ERROR : QNM_ROLE_NORMAL);
	qnm_fill(stdscr, y, r->x, r->w);
	if (!h) {
		snprintf(lat, sizeof(lat), "%.0f ms", s->local_ms);
		if (s->local_r)
			qnm_putf(stdscr, y, r->x, r->w, " %-16s %-11s %s", "local", "unreachable",
				 s->local_err.msg);
		else
			qnm_putf(stdscr, y, r->x, r->w, " %-16s %-11s %-10s %8s %7.0f", "local",
				 "reachable", qnm_remote_str(s->local, "version"), lat,
				 qnm_remote_num(s->local, "running"));
		return;
	}
	snprintf(lat, sizeof(lat), "%.0f ms", h->ping_ms);
	if (h->up) {
		qnm_putf(stdscr, y, r->x, r->w, " %-16s %-11s %-10s %8s %7lld", h->name,
			 "reachable", h->version, lat, h->running);
	} else if (h->down_since) {
		snprintf(since, sizeof(since), "%llds",
			 (long long)(qnm_mono_ms_int() - h->down_since) / 1000);
		qnm_putf(stdscr, y, r->x, r->w, " %-16s %-11s %s (%s)", h->name, "unreachable",
			 h->why, since);
	} else {
		qnm_putf(stdscr, y, r->x, r->w, " %-16s %-11s %s", h->name, "connecting", h->dest);
	}
}

/* the names of @vms (a "vm.list") whose state is "running", comma separated */
static void running_names(json_object *vms, char *buf, size_t size, size_t *nvms)
{
	size_t i, n = vms ? json_object_array_length(vms) : 0, len = 0;

	buf[0] = '\0';
	*nvms = n;
	for (i = 0; i < n && len + 1 < size; i++) {
		json_object *o = json_object_array_get_idx(vms, i);

		if (strcmp(qnm_remote_str(o, "state"), "running") != 0)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
					qnm_remote_str(o, "name"));
	}
	/* a cut list ends where snprintf cut it, terminated */
}

/* the selected host's details, @DETAIL_H rows from @y */
static void draw_detail(struct qnm_ui *ui, const struct hosts *s, const struct qnm_rhost *h, int y,
			const struct qnm_rect *r)
{
	struct qnm_rect t = { y + 3, r->x + 2, DETAIL_H - 3, r->w - 4 };
	char names[512];
	size_t nvms, nnets;

	qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
	qnm_hline(ui, stdscr, y, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
	if (!h) {
		qnm_putf(stdscr, y + 1, r->x + 2, r->w - 4,
			 "local: this host, %zu VM(s) and %zu network(s) defined",
			 ui->ctx->model.nvms, ui->ctx->model.nnets);
		qnm_putf(stdscr, y + 2, r->x + 2, r->w - 4,
			 "Add another: qnm host add NAME [user@]host[:port] (ssh, your own keys)");
		(void)s;
		return;
	}
	qnm_putf(stdscr, y + 1, r->x + 2, r->w - 4, "%s: ssh %s, runs %s there", h->name, h->dest,
		 h->qnm);
	if (!h->answered) {
		qnm_putf(stdscr, y + 2, r->x + 2, r->w - 4, "%s",
			 h->down_since ? h->why : "connecting...");
		return;
	}
	running_names(h->vms, names, sizeof(names), &nvms);
	nnets = h->nets ? json_object_array_length(h->nets) : 0;
	qnm_putf(stdscr, y + 2, r->x + 2, r->w - 4,
		 "%zu VM(s), %lld running, %zu network(s); last round %.0f ms%s", nvms, h->running,
		 nnets, h->ms, h->up ? "" : " (its last answers)");
	qnm_set_role(ui, stdscr, h->up ? QNM_ROLE_NORMAL : QNM_ROLE_ERROR);
	if (!h->up)
		qnm_wrap(stdscr, &t, 0, h->why);
	else if (names[0])
		qnm_putf(stdscr, t.y, t.x, t.w, "running: %s", names);
}

static void hosts_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct hosts *s = st;
	int y = r->y + 2, i;
	struct qnm_rhost *cur = NULL;

	s->page = r->h - 3 - DETAIL_H;
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(stdscr, r->y, r->x + 1, r->w - 2,
		 "This host and the hosts of 'qnm host add NAME [user@]host[:port]', over ssh%s",
		 qnm_remotes_polling(ui) ? " - asking..." : ".");
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y + 1, r->x, r->w);
	qnm_putf(stdscr, r->y + 1, r->x, r->w, " %-16s %-11s %-10s %8s %7s  %s", "HOST", "STATE",
		 "VERSION", "LATENCY", "RUNNING", "");
	s->list.n = 1 + (int)nhosts(ui);
	qnm_list_fix(&s->list, s->page);
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		int k = s->list.top + i;

		draw_row(ui, s, k ? ui->remotes->v[k - 1] : NULL, k == s->list.sel, y + i, r);
	}
	if (s->list.sel > 0)
		cur = ui->remotes->v[s->list.sel - 1];
	draw_detail(ui, s, cur, r->y + r->h - DETAIL_H, r);
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
	ask_local(ui, s);
	qnm_remotes_ask_now(ui);
	qnm_remotes_tick(ui);
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
