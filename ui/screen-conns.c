// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-conns.c - the live TCP/UDP connections of a running VM's user-mode
 * NICs: the host sockets that SLIRP (QEMU's user backend or qnm's slirp
 * helper) holds open on the guest's behalf. The engine's
 * qnm_api_conns_query() is asked in a background job once per refresh
 * interval, so a slow QMP answer never blocks the keyboard.
 */
#include "build-config.h"

#include "api/conns.h"
#include "api/ctx.h"
#include "guests.h"
#include "uipriv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/**
 * struct conn_nic - the table of one NIC, as the last query found it.
 * @id:      the NIC.
 * @backend: its backend (only user and slirp NICs are asked).
 * @result:  0, or what qnm_api_conns_query() returned.
 * @err:     its message when @result is not 0.
 * @v:       the connections, @n of them (sorted for display).
 */
struct conn_nic {
	char id[QNM_NAME_MAX + 1];
	enum qnm_backend_kind backend;
	int result;
	char err[256];
	struct qnm_conn *v;
	size_t n;
};

struct conns_st;

/**
 * struct conns_job - one query in a worker thread.
 * @s:     the screen that asked, NULL once it was closed (then the result is
 *         dropped).
 * @ctx:   a copy of the context (the model may change meanwhile).
 * @vm:    the VM, in @ctx.
 * @nics:  the results, one per NIC of @vm, @n of them.
 * @ms:    how long the query took.
 */
struct conns_job {
	struct conns_st *s;
	struct qnm_ctx *ctx;
	const struct qnm_vm *vm;
	struct conn_nic *nics;
	size_t n;
	double ms;
};

/* Orders of the rows ('o' cycles). */
enum conn_sort { SORT_GUEST, SORT_REMOTE, SORT_STATE, SORT_QUEUED, SORT__COUNT };

static const char *const sort_names[SORT__COUNT] = { "guest port", "remote end", "state",
						     "queued bytes" };

/** enum line_kind - what one line of the list shows. */
enum line_kind { L_NIC, L_CONN, L_NOTE, L_ERROR };

/**
 * struct line - one line of the list.
 * @kind: see enum line_kind.
 * @nic:  index into the NICs.
 * @conn: index into that NIC's connections (L_CONN).
 */
struct line {
	enum line_kind kind;
	size_t nic, conn;
};

/**
 * struct conns_st - state of the Connections screen.
 * @name:   the VM shown.
 * @nics:   the last results, @nnics of them; @have: there are results.
 * @job:    the query running, or NULL.
 * @asked:  the guests' refresh stamp of the last query (one per interval).
 * @ms:     how long the last query took.
 * @sort:   the order.
 * @list:   cursor, scroll and filter; @page lines fit.
 * @lines:  what is shown, @nlines of them (rebuilt at each draw).
 */
struct conns_st {
	char name[QNM_NAME_MAX + 1];
	struct conn_nic *nics;
	size_t nnics;
	bool have;
	struct conns_job *job;
	long asked;
	double ms;
	enum conn_sort sort;
	struct qnm_list list;
	int page;
	struct line *lines;
	size_t nlines;
};

static bool user_mode_backend(enum qnm_backend_kind b)
{
	return b == QNM_BACKEND_USER || b == QNM_BACKEND_SLIRP;
}

static bool user_mode(const struct qnm_nic *n)
{
	return user_mode_backend(n->backend);
}

static void nics_free(struct conn_nic *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].v);
	free(v);
}

static void job_free(struct conns_job *j)
{
	qnm_api_ctx_free(j->ctx);
	nics_free(j->nics, j->n);
	free(j);
}

static int query_work(void *data, struct qnm_err *err)
{
	struct conns_job *j = data;
	double t0 = qnm_mono_ms();
	size_t i;

	j->n = j->vm->nnics;
	j->nics = xcalloc(j->n + 1, sizeof(*j->nics));
	for (i = 0; i < j->n; i++) {
		const struct qnm_nic *nic = &j->vm->nics[i];
		struct conn_nic *cn = &j->nics[i];
		struct qnm_err e;

		qnm_strlcpy(cn->id, nic->id, sizeof(cn->id));
		cn->backend = nic->backend;
		if (!user_mode(nic))
			continue;
		qnm_err_clear(&e);
		cn->result = qnm_api_conns_query(j->ctx, j->vm, nic, &cn->v, &cn->n, &e);
		if (cn->result)
			qnm_strlcpy(cn->err, e.msg, sizeof(cn->err));
	}
	j->ms = qnm_mono_ms() - t0;
	(void)err;
	return 0;
}

static int cmp_uint(unsigned long a, unsigned long b)
{
	return a < b ? -1 : a > b;
}

/* The tie-breakers after the chosen column: a stable, total order. */
static int cmp_rest(const struct qnm_conn *a, const struct qnm_conn *b)
{
	int r;

	if ((r = strcmp(a->proto, b->proto)) || (r = cmp_uint(a->dir, b->dir)) ||
	    (r = cmp_uint(a->guest_port, b->guest_port)) ||
	    (r = strcmp(a->remote_addr, b->remote_addr)) ||
	    (r = cmp_uint(a->remote_port, b->remote_port)) || (r = strcmp(a->state, b->state)))
		return r;
	return cmp_uint((unsigned long)a->fd, (unsigned long)b->fd);
}

static int cmp_conn(const void *pa, const void *pb, void *arg)
{
	const struct qnm_conn *a = pa, *b = pb;
	int r = 0;

	switch (*(const enum conn_sort *)arg) {
	case SORT_REMOTE:
		if (!(r = strcmp(a->remote_addr, b->remote_addr)))
			r = cmp_uint(a->remote_port, b->remote_port);
		break;
	case SORT_STATE:
		r = strcmp(a->state, b->state);
		break;
	case SORT_QUEUED:
		r = -cmp_uint(a->recvq + a->sendq, b->recvq + b->sendq);
		break;
	default:
		break;
	}
	return r ? r : cmp_rest(a, b);
}

static void sort_all(struct conns_st *s)
{
	size_t i;

	for (i = 0; i < s->nnics; i++)
		if (s->nics[i].n > 1)
			qsort_r(s->nics[i].v, s->nics[i].n, sizeof(*s->nics[i].v), cmp_conn,
				&s->sort);
}

static void query_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err)
{
	struct conns_job *j = data;
	struct conns_st *s = j->s;

	(void)result;
	(void)err;
	if (s) {
		s->job = NULL;
		nics_free(s->nics, s->nnics);
		s->nics = j->nics;
		s->nnics = j->n;
		j->nics = NULL;
		j->n = 0;
		s->have = true;
		s->ms = j->ms;
		sort_all(s);
		ui->redraw = true;
	}
	job_free(j);
}

static const struct qnm_vm *shown_vm(struct qnm_ui *ui, const struct conns_st *s)
{
	return qnm_model_find_vm(&ui->ctx->model, s->name);
}

static bool vm_running(struct qnm_ui *ui, const struct qnm_vm *vm)
{
	return qnm_guest_find(ui, vm->name)->info.status == QNM_RUN_RUNNING;
}

static bool any_user_mode(const struct qnm_vm *vm)
{
	size_t i;

	for (i = 0; i < vm->nnics; i++)
		if (user_mode(&vm->nics[i]))
			return true;
	return false;
}

/* Ask again (in the background) unless a query is running or nothing can answer. */
static void query(struct qnm_ui *ui, struct conns_st *s)
{
	const struct qnm_vm *vm = shown_vm(ui, s);
	struct conns_job *j;

	if (s->job)
		return;
	s->asked = ui->guests ? ui->guests->last_ms : 0;
	if (!vm || !vm_running(ui, vm) || !any_user_mode(vm)) {
		nics_free(s->nics, s->nnics);
		s->nics = NULL;
		s->nnics = 0;
		s->have = false;
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->s = s;
	j->ctx = qnm_api_ctx_copy(ui->ctx);
	j->vm = qnm_model_find_vm(&j->ctx->model, vm->name);
	if (qnm_ui_job(ui, query_work, query_done, j)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "connections: cannot start a worker thread");
		job_free(j);
		return;
	}
	s->job = j;
}

static void *conns_init(struct qnm_ui *ui, void *arg)
{
	struct conns_st *s;

	if (!arg || !qnm_model_find_vm(&ui->ctx->model, arg)) {
		qnm_ui_log(ui, QNM_MSG_WARN, "connections: select a VM first");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	qnm_strlcpy(s->name, arg, sizeof(s->name));
	query(ui, s);
	return s;
}

static void conns_free(void *st)
{
	struct conns_st *s = st;

	if (s->job)
		s->job->s = NULL; /* its result is dropped when it returns */
	nics_free(s->nics, s->nnics);
	free(s->lines);
	free(s);
}

static bool conns_tick(struct qnm_ui *ui, void *st)
{
	struct conns_st *s = st;

	/* once per refresh interval: when the guests' states were refreshed */
	if (ui->guests && ui->guests->last_ms != s->asked)
		query(ui, s);
	return false;
}

static void endpoint(char *buf, size_t size, const char *addr, unsigned port)
{
	snprintf(buf, size, "%s:%u", addr, port);
}

/* The text of a connection row, for the filter and for drawing. */
static void conn_fields(const struct qnm_conn *c, char g[32], char rm[32])
{
	endpoint(g, 32, c->guest_addr, c->guest_port);
	endpoint(rm, 32, c->remote_addr, c->remote_port);
}

static bool conn_matches(const struct conns_st *s, const struct conn_nic *cn,
			 const struct qnm_conn *c)
{
	char g[32], rm[32], all[160];

	conn_fields(c, g, rm);
	snprintf(all, sizeof(all), "%s %s %s %s %s %s", cn->id, c->proto, qnm_conn_dir_name(c->dir),
		 c->state, g, rm);
	return qnm_list_match(&s->list, all);
}

static void add_line(struct conns_st *s, enum line_kind k, size_t nic, size_t conn)
{
	s->lines = xreallocarray(s->lines, s->nlines + 1, sizeof(*s->lines));
	s->lines[s->nlines++] = (struct line){ k, nic, conn };
}

static void build_lines(struct conns_st *s)
{
	size_t i, k;

	s->nlines = 0;
	for (i = 0; s->have && i < s->nnics; i++) {
		const struct conn_nic *cn = &s->nics[i];
		size_t shown = 0;

		add_line(s, L_NIC, i, 0);
		if (!user_mode_backend(cn->backend)) {
			add_line(s, L_NOTE, i, 0);
			continue;
		}
		if (cn->result) {
			add_line(s, L_ERROR, i, 0);
			continue;
		}
		for (k = 0; k < cn->n; k++) {
			if (!conn_matches(s, cn, &cn->v[k]))
				continue;
			add_line(s, L_CONN, i, k);
			shown++;
		}
		if (!shown)
			add_line(s, L_NOTE, i, 0);
	}
	s->list.n = (int)s->nlines;
	qnm_list_fix(&s->list, s->page);
}

/** struct cols - column widths of the table. */
struct cols {
	int state, guest, remote;
	bool queues;
};

static void measure(const struct conns_st *s, int w, struct cols *c)
{
	size_t i, k;

	c->state = 5;
	c->guest = 5;
	c->remote = 6;
	for (i = 0; i < s->nnics; i++) {
		for (k = 0; k < s->nics[i].n; k++) {
			const struct qnm_conn *q = &s->nics[i].v[k];
			char g[32], rm[32];

			conn_fields(q, g, rm);
			if ((int)strlen(q->state) > c->state)
				c->state = (int)strlen(q->state);
			if ((int)strlen(g) > c->guest)
				c->guest = (int)strlen(g);
			if ((int)strlen(rm) > c->remote)
				c->remote = (int)strlen(rm);
		}
	}
	/* " PROTO DIR    STATE GUEST REMOTE RECVQ  SENDQ" */
	c->queues = 3 + 6 + 7 + c->state + 1 + c->guest + 1 + c->remote + 14 <= w;
}

static const char *backend_words(enum qnm_backend_kind b)
{
	switch (b) {
	case QNM_BACKEND_USER:
		return "user: QEMU's built-in SLIRP (info usernet)";
	case QNM_BACKEND_SLIRP:
		return "slirp: qnm's slirp helper";
	case QNM_BACKEND_TAP:
		return "tap";
	case QNM_BACKEND_BRIDGE:
		return "bridge helper";
	default:
		return "?";
	}
}

static void draw_line(struct qnm_ui *ui, struct conns_st *s, const struct line *l, int y,
		      const struct qnm_rect *r, const struct cols *c, bool sel)
{
	const struct conn_nic *cn = &s->nics[l->nic];
	const struct qnm_conn *q;
	char g[32], rm[32];
	int x = r->x + 1, w = r->w - 2;

	qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
	qnm_fill(stdscr, y, r->x, r->w);
	switch (l->kind) {
	case L_NIC:
		if (!sel)
			qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
		if (user_mode_backend(cn->backend) && !cn->result)
			qnm_putf(stdscr, y, x, w, "NIC %s (%s): %zu connection(s)", cn->id,
				 backend_words(cn->backend), cn->n);
		else
			qnm_putf(stdscr, y, x, w, "NIC %s (%s)", cn->id,
				 backend_words(cn->backend));
		break;
	case L_NOTE:
		if (!sel)
			qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_put(stdscr, y, x + 2, w - 2,
			!user_mode_backend(cn->backend)
				? "no table here: a TAP NIC's traffic goes through the host kernel "
				  "(see ss or conntrack on the host)"
			: cn->n ? "(no connection matches the filter)"
				: "(no connections right now)");
		break;
	case L_ERROR:
		if (!sel)
			qnm_set_role(ui, stdscr, QNM_ROLE_ERROR);
		qnm_put(stdscr, y, x + 2, w - 2, cn->err);
		break;
	case L_CONN:
		q = &cn->v[l->conn];
		conn_fields(q, g, rm);
		if (c->queues)
			qnm_putf(stdscr, y, x, w, "  %-5s %-6s %-*s %-*s %-*s %6lu %6lu", q->proto,
				 qnm_conn_dir_name(q->dir), c->state, q->state, c->guest, g,
				 c->remote, rm, q->recvq, q->sendq);
		else
			qnm_putf(stdscr, y, x, w, "  %-5s %-6s %-*s %-*s %s", q->proto,
				 qnm_conn_dir_name(q->dir), c->state, q->state, c->guest, g, rm);
		break;
	}
}

static void conns_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct conns_st *s = st;
	const struct qnm_vm *vm = shown_vm(ui, s);
	const struct qnm_guest *g = vm ? qnm_guest_find(ui, vm->name) : NULL;
	struct qnm_rect t = { r->y + 1, r->x + 1, 2, r->w - 2 };
	struct cols c;
	const char *why = NULL;
	int y, i, head;

	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	if (s->have)
		qnm_putf(stdscr, r->y, r->x + 1, r->w - 2,
			 "Connections of %s (running), sorted by %s; asked in %.0f ms", s->name,
			 sort_names[s->sort], s->ms);
	else
		qnm_putf(stdscr, r->y, r->x + 1, r->w - 2, "Connections of %s (%s)", s->name,
			 !vm				    ? "deleted"
			 : g->info.status == QNM_RUN_ABSENT ? "stopped"
							    : qnm_run_status_name(g->info.status));
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_wrap(stdscr, &t, 0,
		 "Host sockets that user-mode networking (SLIRP) opens on the guest's behalf: "
		 "each row is one TCP/UDP flow the host carries for it. TAP NICs have none here.");
	y = r->y + 3;
	if (!vm)
		why = "This VM no longer exists.";
	else if (!any_user_mode(vm))
		why = "This VM has no user-mode NIC (backend user or slirp). Its NICs use TAP "
		      "devices or the bridge helper: their connections are the host kernel's, "
		      "not SLIRP's, so there is nothing to list here (use ss or conntrack on "
		      "the host).";
	else if (g->info.status == QNM_RUN_STARTING || g->busy)
		why = "The VM is starting or stopping; its table shows here once it runs.";
	else if (g->info.status != QNM_RUN_RUNNING)
		why = "The VM is not running: the table exists only while the guest runs. "
		      "Start it (s on the VMs screen); this screen then fills in by itself.";
	else if (!s->have)
		why = "Asking the user-mode network stack...";
	if (why) {
		struct qnm_rect m = { y + 1, r->x + 2, r->h - 5, r->w - 4 };

		qnm_set_role(ui, stdscr,
			     s->have || !vm || g->info.status != QNM_RUN_RUNNING ? QNM_ROLE_WARNING
										 : QNM_ROLE_NORMAL);
		qnm_wrap(stdscr, &m, 0, why);
		s->nlines = 0;
		s->list.n = 0;
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		return;
	}
	measure(s, r->w - 2, &c);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	if (c.queues)
		qnm_putf(stdscr, y, r->x + 1, r->w - 2, "  %-5s %-6s %-*s %-*s %-*s %6s %6s",
			 "PROTO", "DIR", c.state, "STATE", c.guest, "GUEST", c.remote, "REMOTE",
			 "RECVQ", "SENDQ");
	else
		qnm_putf(stdscr, y, r->x + 1, r->w - 2, "  %-5s %-6s %-*s %-*s %s", "PROTO", "DIR",
			 c.state, "STATE", c.guest, "GUEST", "REMOTE");
	head = y + 1;
	s->page = r->y + r->h - 3 - head;
	build_lines(s);
	for (i = 0; i < s->page && s->list.top + i < (int)s->nlines; i++)
		draw_line(ui, s, &s->lines[s->list.top + i], head + i, r, &c,
			  s->list.top + i == s->list.sel);
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
		 "out: guest connected out; in: via a host forward; listen: the forward itself.%s "
		 "Query: %.0f ms.",
		 c.queues ? " RECVQ/SENDQ: bytes queued toward the guest / the host." : "", s->ms);
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static unsigned conns_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct conns_st *s = st;
	const struct qnm_model *m = &ui->ctx->model;
	unsigned r = qnm_list_key(&s->list, act, key, s->page);
	size_t i;

	if (r)
		return r;
	switch (act) {
	case QNM_ACT_SORT:
		s->sort = (s->sort + 1) % SORT__COUNT;
		sort_all(s);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_NEXT_CHOICE:
		for (i = 0; i < m->nvms; i++)
			if (strcmp(m->vms[i]->name, s->name) == 0)
				break;
		if (!m->nvms)
			return QNM_H_HANDLED;
		qnm_strlcpy(s->name, m->vms[(i + 1) % m->nvms]->name, sizeof(s->name));
		if (s->job)
			s->job->s = NULL; /* the other VM's answer: drop it */
		s->job = NULL;
		memset(&s->list, 0, sizeof(s->list));
		query(ui, s);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	default:
		return QNM_H_IGNORED;
	}
}

const struct qnm_screen_ops qnm_screen_conns = {
	.id = QNM_SCR_CONNS,
	.init = conns_init,
	.free = conns_free,
	.draw = conns_draw,
	.key = conns_key,
	.tick = conns_tick,
};
