// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * remotes.c - the registered hosts' VMs, networks and counters for the UI
 * (remotes.h): one round a second per host in a quiet background job over
 * a connection kept between rounds; start and stop in jobs of their own.
 */
#include "build-config.h"

#include "api/ctx.h"
#include "api/hosts.h"
#include "api/remote.h"
#include "core/config.h"
#include "guests.h"
#include "remotes.h"
#include "uipriv.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* a round a second while a host answers, every other second while it does not */
#define ROUND_UP_MS   1000
#define ROUND_DOWN_MS 2000
/* how long one round's requests may take, all together */
#define ROUND_MS 2500
/* the hosts file is read again this often (qnm host add/del meanwhile) */
#define LIST_EVERY_MS 5000
/* a start or stop may take this long */
#define ACTION_MS 180000

const char *qnm_remote_str(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

double qnm_remote_num(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && v ? json_object_get_double(v) : 0;
}

void qnm_remote_host_line(struct qnm_ui *ui, const struct qnm_rhost *h, const char *local,
			  const char *up, const char *kept, const char *none, bool sel, int y,
			  const struct qnm_rect *r)
{
	char say[700];

	if (!h)
		snprintf(say, sizeof(say), " %s ", local);
	else if (!h->answered && !h->down_since)
		snprintf(say, sizeof(say), " %s %s: asking... ", h->name, h->dest);
	else if (!h->up)
		snprintf(say, sizeof(say), " %s %s: UNREACHABLE since %lld s, %s ", h->name,
			 h->dest, (long long)((qnm_mono_ms_int() - h->down_since) / 1000),
			 h->answered ? kept : none);
	else
		snprintf(say, sizeof(say), " %s %s: %s ", h->name, h->dest, up);
	qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_DIM);
	qnm_fill(stdscr, y, r->x, r->w);
	qnm_hline(ui, stdscr, y, r->x, r->w);
	qnm_set_role(ui, stdscr,
		     sel			    ? QNM_ROLE_SELECTION
		     : !h || h->up		    ? QNM_ROLE_ACCENT
		     : h->answered || h->down_since ? QNM_ROLE_ERROR
						    : QNM_ROLE_DIM);
	qnm_put_cut(stdscr, y, r->x + 2, r->w - 4, say);
}

static struct qnm_remotes *remotes(struct qnm_ui *ui)
{
	if (!ui->remotes)
		ui->remotes = xcalloc(1, sizeof(*ui->remotes));
	return ui->remotes;
}

struct qnm_rhost *qnm_remote_find(struct qnm_ui *ui, const char *name)
{
	struct qnm_remotes *rs = remotes(ui);
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!rs->v[i]->gone && strcmp(rs->v[i]->name, name) == 0)
			return rs->v[i];
	return NULL;
}

bool qnm_remote_busy(const struct qnm_rhost *h, const char *vm)
{
	size_t i;

	for (i = 0; i < h->busy.n; i++)
		if (strcmp(h->busy.v[i], vm) == 0)
			return true;
	return false;
}

static void rhost_free(struct qnm_rhost *h)
{
	qnm_api_remote_close(h->conn);
	json_object_put(h->vms);
	json_object_put(h->nets);
	json_object_put(h->stats);
	qnm_strv_free(&h->busy);
	free(h->dest);
	free(h->qnm);
	free(h);
}

/* the hosts file again: new hosts join (in name order), deleted ones leave */
static void relist(struct qnm_ui *ui, struct qnm_remotes *rs)
{
	struct qnm_hosts hosts;
	struct qnm_rhost **v;
	struct qnm_err err;
	size_t i, j, n = 0;

	rs->listed = qnm_mono_ms_int();
	qnm_err_clear(&err);
	if (qnm_api_host_list(ui->ctx, &hosts, &err))
		return; /* the Hosts screen says why */
	v = xcalloc(hosts.n + rs->n + 1, sizeof(*v));
	for (i = 0; i < hosts.n; i++) {
		struct qnm_rhost *h = NULL;

		for (j = 0; j < rs->n; j++)
			if (rs->v[j] && strcmp(rs->v[j]->name, hosts.v[i].name) == 0 &&
			    strcmp(rs->v[j]->dest, hosts.v[i].destination) == 0 &&
			    strcmp(rs->v[j]->qnm, hosts.v[i].qnm) == 0) {
				h = rs->v[j];
				rs->v[j] = NULL;
			}
		if (!h) {
			h = xcalloc(1, sizeof(*h));
			qnm_strlcpy(h->name, hosts.v[i].name, sizeof(h->name));
			h->dest = xstrdup(hosts.v[i].destination);
			h->qnm = xstrdup(hosts.v[i].qnm);
			qnm_strv_init(&h->busy);
		}
		v[n++] = h;
	}
	/* gone: freed now, or by its round's end */
	for (j = 0; j < rs->n; j++) {
		if (!rs->v[j])
			continue;
		if (rs->v[j]->polling) {
			rs->v[j]->gone = true;
			v[n++] = rs->v[j];
		} else {
			rhost_free(rs->v[j]);
		}
	}
	free(rs->v);
	rs->v = v;
	rs->n = n;
	qnm_api_hosts_free(&hosts);
}

/**
 * struct round - one host's round in a worker.
 * @ctx:   a copy of the context (paths).
 * @host:  the host (its own copy).
 * @conn:  the connection (taken from the host, given back).
 * @vms:   the answers, or NULL.
 * @nets:  see @vms.
 * @stats: see @vms.
 * @ms:    how long it took.
 * @ping_ms: how long its "ping" took.
 * @running: the running guests its "ping" counted.
 * @version: what the host announced.
 */
struct round {
	struct qnm_ctx *ctx;
	struct qnm_host host;
	struct qnm_remote *conn;
	json_object *vms, *nets, *stats;
	double ms;
	double ping_ms;
	long long running;
	char version[32];
};

static int round_work(void *data, struct qnm_err *err)
{
	struct round *j = data;
	static const char *const ops[] = { "vm.list", "stats", "net.list" };
	json_object **out[] = { &j->vms, &j->stats, &j->nets };
	json_object *ping = NULL;
	double t0 = qnm_mono_ms(), tp;
	int64_t end = qnm_mono_ms_int() + ROUND_MS;
	size_t k;
	int r = 0;

	if (!j->conn)
		r = qnm_api_remote_open(j->ctx, &j->host, QNM_HOST_TIMEOUT_MS, &j->conn, err);
	/* the latency: one request's round trip on the open connection */
	tp = qnm_mono_ms();
	if (!r)
		r = qnm_api_remote_call(j->conn, "ping", NULL, QNM_HOST_TIMEOUT_MS, &ping, err);
	j->ping_ms = qnm_mono_ms() - tp;
	j->running = (long long)qnm_remote_num(ping, "running");
	json_object_put(ping);
	for (k = 0; !r && k < QNM_ARRAY_SIZE(ops); k++) {
		int64_t left = end - qnm_mono_ms_int();

		r = qnm_api_remote_call(j->conn, ops[k], NULL, left > 0 ? (int)left : 1, out[k],
					err);
	}
	if (j->conn)
		snprintf(j->version, sizeof(j->version), "%s", qnm_api_remote_version(j->conn));
	if (r && r != -ENOENT && r != -EOPNOTSUPP) {
		/* a lost connection is not used again: the next round connects anew */
		qnm_api_remote_close(j->conn);
		j->conn = NULL;
	}
	j->ms = qnm_mono_ms() - t0;
	return r;
}

static void round_free(struct round *j)
{
	qnm_api_remote_close(j->conn);
	json_object_put(j->vms);
	json_object_put(j->nets);
	json_object_put(j->stats);
	free(j->host.destination);
	free(j->host.qnm);
	qnm_api_ctx_free(j->ctx);
	free(j);
}

/* keep @src in *@dst (taking it over) when it came */
static void keep(json_object **dst, json_object **src)
{
	if (!*src)
		return;
	json_object_put(*dst);
	*dst = *src;
	*src = NULL;
}

static void round_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err)
{
	struct round *j = data;
	struct qnm_remotes *rs = remotes(ui);
	struct qnm_rhost *h = NULL;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i]->polling && strcmp(rs->v[i]->name, j->host.name) == 0)
			h = rs->v[i];
	if (!h) {
		round_free(j);
		return;
	}
	h->polling = false;
	h->conn = j->conn;
	j->conn = NULL;
	if (h->gone) {
		for (i = 0; i < rs->n && rs->v[i] != h; i++)
			;
		memmove(&rs->v[i], &rs->v[i + 1], (rs->n - i - 1) * sizeof(*rs->v));
		rs->n--;
		rhost_free(h);
		round_free(j);
		return;
	}
	if (!result) {
		if (!h->up && h->answered)
			qnm_ui_log(ui, QNM_MSG_OK, "host %s answers again", h->name);
		h->up = h->answered = true;
		h->down_since = 0;
		h->ms = j->ms;
		h->ping_ms = j->ping_ms;
		h->running = j->running;
		qnm_strlcpy(h->version, j->version, sizeof(h->version));
		keep(&h->vms, &j->vms);
		keep(&h->nets, &j->nets);
		keep(&h->stats, &j->stats);
	} else {
		if (h->up || !h->down_since) {
			h->down_since = h->last ? h->last : qnm_mono_ms_int();
			qnm_ui_log(ui, QNM_MSG_WARN, "host %s: %s", h->name, err->msg);
		}
		h->up = false;
		qnm_strlcpy(h->why, err->msg, sizeof(h->why));
	}
	ui->redraw = true;
	round_free(j);
}

static void start_round(struct qnm_ui *ui, struct qnm_rhost *h)
{
	struct round *j = xcalloc(1, sizeof(*j));

	j->ctx = qnm_api_ctx_copy(ui->ctx);
	qnm_strlcpy(j->host.name, h->name, sizeof(j->host.name));
	j->host.destination = xstrdup(h->dest);
	j->host.qnm = xstrdup(h->qnm);
	j->conn = h->conn;
	h->conn = NULL;
	h->last = qnm_mono_ms_int();
	if (qnm_ui_job_quiet(ui, round_work, round_done, j)) {
		h->conn = j->conn;
		j->conn = NULL;
		round_free(j);
		return;
	}
	h->polling = true;
}

bool qnm_remotes_tick(struct qnm_ui *ui)
{
	struct qnm_remotes *rs = remotes(ui);
	int64_t now = qnm_mono_ms_int();
	bool changed = false;
	size_t i;

	if (!rs->listed || now - rs->listed >= LIST_EVERY_MS) {
		size_t before = rs->n;

		relist(ui, rs);
		changed = rs->n != before;
	}
	for (i = 0; i < rs->n; i++) {
		struct qnm_rhost *h = rs->v[i];

		if (h->polling || h->gone)
			continue;
		if (!h->last ||
		    now - h->last >= (h->up || !h->answered ? ROUND_UP_MS : ROUND_DOWN_MS))
			start_round(ui, h);
		/* "unreachable since N s" counts */
		if (h->down_since)
			changed = true;
	}
	return changed;
}

bool qnm_remotes_ask_now(struct qnm_ui *ui)
{
	struct qnm_remotes *rs = remotes(ui);
	size_t i;

	rs->listed = 0; /* the hosts file too */
	for (i = 0; i < rs->n; i++)
		if (!rs->v[i]->polling)
			rs->v[i]->last = 0;
	return rs->n > 0 || qnm_remotes_polling(ui);
}

bool qnm_remotes_polling(struct qnm_ui *ui)
{
	struct qnm_remotes *rs = remotes(ui);
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i]->polling)
			return true;
	return false;
}

void qnm_remotes_free(struct qnm_ui *ui)
{
	size_t i;

	if (!ui->remotes)
		return;
	for (i = 0; i < ui->remotes->n; i++)
		rhost_free(ui->remotes->v[i]);
	free(ui->remotes->v);
	free(ui->remotes);
	ui->remotes = NULL;
}

/* ---- start, stop, forwards ---- */

/**
 * struct action_op - what an action does, for its messages.
 * @op:    the protocol's op.
 * @doing: said when it starts ("starting").
 * @what:  names it in an error ("start").
 * @busy:  the VM shows "busy" meanwhile.
 */
struct action_op {
	const char *op;
	const char *doing;
	const char *what;
	bool busy;
};

static const struct action_op action_ops[] = {
	{ "vm.start", "starting", "start", true },
	{ "vm.stop", "stopping", "stop", true },
	{ "fwd.add", "adding a forward to", "forward add", false },
	{ "fwd.del", "removing a forward of", "forward del", false },
};

/**
 * struct action - an action under way (qnm_remote_call()).
 * @host: the host's name.
 * @op:   what it does.
 * @vm:   the VM there.
 * @fwd:  the forward (fwd.add, fwd.del), else NULL.
 */
struct action {
	char host[QNM_NAME_MAX + 1];
	const struct action_op *op;
	char vm[QNM_NAME_MAX + 1];
	char *fwd;
};

static void action_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err,
			json_object *res)
{
	struct action *a = data;
	struct qnm_rhost *h = qnm_remote_find(ui, a->host);
	bool start = a->op == &action_ops[0], fwd = a->fwd != NULL;
	size_t i;

	for (i = 0; h && a->op->busy && i < h->busy.n; i++)
		if (strcmp(h->busy.v[i], a->vm) == 0) {
			free(h->busy.v[i]);
			h->busy.v[i] = h->busy.v[--h->busy.n];
			break;
		}
	if (result)
		qnm_ui_log(ui, QNM_MSG_ERROR, "%s %s on %s: %s", a->op->what, a->vm, a->host,
			   err->msg);
	else if (fwd)
		qnm_ui_log(ui, QNM_MSG_OK, "%s on %s: forward %s %s (%s)", a->vm, a->host,
			   qnm_remote_str(res, "fwd"),
			   a->op == &action_ops[2] ? "added" : "removed",
			   strcmp(qnm_remote_str(res, "live"), "live") == 0
				   ? "applied to the running guest"
			   : strcmp(qnm_remote_str(res, "live"), "refused") == 0
				   ? qnm_remote_str(res, "why")
				   : "applies at its next start");
	else if (start)
		qnm_ui_log(ui, QNM_MSG_OK, "%s started on %s: QEMU pid %.0f, %s in %.0f ms", a->vm,
			   a->host, qnm_remote_num(res, "qemu_pid"), qnm_remote_str(res, "status"),
			   qnm_remote_num(res, "elapsed_ms"));
	else
		qnm_ui_log(ui, QNM_MSG_OK, "%s stopped on %s: %s", a->vm, a->host,
			   qnm_remote_str(res, "how"));
	if (!result && start && *qnm_remote_str(res, "warnings"))
		qnm_ui_log_lines(ui, QNM_MSG_WARN, a->vm, qnm_remote_str(res, "warnings"));
	if (h && !h->polling)
		h->last = 0; /* its VMs now: at the next tick */
	free(a->fwd);
	free(a);
}

void qnm_remote_vm_action(struct qnm_ui *ui, struct qnm_rhost *h, const char *op, const char *vm,
			  const char *fwd)
{
	const struct action_op *aop = NULL;
	json_object *args;
	struct action *a;
	size_t k;

	for (k = 0; k < QNM_ARRAY_SIZE(action_ops); k++)
		if (strcmp(action_ops[k].op, op) == 0)
			aop = &action_ops[k];
	if (!aop)
		return;
	if (aop->busy && qnm_remote_busy(h, vm)) {
		qnm_ui_log(ui, QNM_MSG_WARN, "%s on %s is being started or stopped already", vm,
			   h->name);
		return;
	}
	a = xcalloc(1, sizeof(*a));
	qnm_strlcpy(a->host, h->name, sizeof(a->host));
	a->op = aop;
	a->fwd = fwd ? xstrdup(fwd) : NULL;
	qnm_strlcpy(a->vm, vm, sizeof(a->vm));
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(vm));
	if (fwd)
		json_object_object_add(args, "fwd", json_object_new_string(fwd));
	if (qnm_remote_call(ui, h, aop->op, args, ACTION_MS, action_done, a)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "%s: cannot start a worker thread", vm);
		free(a->fwd);
		free(a);
		return;
	}
	if (aop->busy)
		qnm_strv_add(&h->busy, vm);
	qnm_ui_log(ui, QNM_MSG_INFO, "%s %s on %s ...", aop->doing, vm, h->name);
}

/* ---- one request in a job, and the VM form's opening ---- */

/**
 * struct rcall - qnm_remote_call() in a worker.
 * @ctx:     a copy of the context.
 * @host:    the host (its own copy).
 * @op:      the op.
 * @args:    its arguments (given to the call).
 * @timeout: its deadline (ms).
 * @res:     its result.
 * @done:    the caller's outcome callback, with @data.
 * @data:    see @done.
 */
struct rcall {
	struct qnm_ctx *ctx;
	struct qnm_host host;
	char op[32];
	json_object *args;
	int timeout;
	json_object *res;
	qnm_remote_done_fn done;
	void *data;
};

static int rcall_work(void *data, struct qnm_err *err)
{
	struct rcall *c = data;
	struct qnm_remote *r = NULL;
	int rc = qnm_api_remote_open(c->ctx, &c->host, QNM_HOST_TIMEOUT_MS, &r, err);

	if (!rc) {
		rc = qnm_api_remote_call(r, c->op, c->args, c->timeout, &c->res, err);
		c->args = NULL;
	}
	qnm_api_remote_close(r);
	return rc;
}

static void rcall_free(struct rcall *c)
{
	json_object_put(c->args);
	json_object_put(c->res);
	free(c->host.destination);
	free(c->host.qnm);
	qnm_api_ctx_free(c->ctx);
	free(c);
}

static void rcall_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err)
{
	struct rcall *c = data;

	c->done(ui, c->data, result, err, c->res);
	rcall_free(c);
}

int qnm_remote_call(struct qnm_ui *ui, const struct qnm_rhost *h, const char *op, json_object *args,
		    int timeout_ms, qnm_remote_done_fn done, void *data)
{
	struct rcall *c = xcalloc(1, sizeof(*c));

	c->ctx = qnm_api_ctx_copy(ui->ctx);
	qnm_strlcpy(c->host.name, h->name, sizeof(c->host.name));
	c->host.destination = xstrdup(h->dest);
	c->host.qnm = xstrdup(h->qnm);
	qnm_strlcpy(c->op, op, sizeof(c->op));
	c->args = args;
	c->timeout = timeout_ms;
	c->done = done;
	c->data = data;
	if (qnm_ui_job(ui, rcall_work, rcall_done, c)) {
		rcall_free(c);
		return -EAGAIN;
	}
	return 0;
}

/** struct edit_open - the VM form being opened: host @host's VM @vm. */
struct edit_open {
	char host[QNM_NAME_MAX + 1];
	char vm[QNM_NAME_MAX + 1];
};

static void edit_got(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err,
		     json_object *res)
{
	struct edit_open *e = data;
	struct qnm_rhost *h = qnm_remote_find(ui, e->host);
	struct qnm_vmform_remote arg = { .host = e->host };
	const char *text = qnm_remote_str(res, "text");
	struct qnm_err perr;
	char *file;

	qnm_err_clear(&perr);
	file = xasprintf("%s.conf", e->vm);
	if (result)
		qnm_ui_log(ui, QNM_MSG_ERROR, "edit %s on %s: %s", e->vm, e->host, err->msg);
	else if (qnm_vm_parse(text, strlen(text), file, &arg.vm, &perr))
		qnm_ui_log(ui, QNM_MSG_ERROR, "edit %s on %s: its file does not read here: %s",
			   e->vm, e->host, perr.msg);
	else if (!h)
		qnm_ui_log(ui, QNM_MSG_WARN, "host %s is no longer registered", e->host);
	else {
		arg.base = xstrdup(text);
		arg.running = qnm_remote_num(res, "running") != 0;
		arg.nets = h->nets;
		qnm_ui_push(ui, &qnm_screen_vmform_remote, &arg);
		arg.vm = NULL;
	}
	qnm_vm_free(arg.vm);
	free(file);
	free(e);
}

void qnm_remote_edit_vm(struct qnm_ui *ui, struct qnm_rhost *h, const char *vm)
{
	struct edit_open *e = xcalloc(1, sizeof(*e));
	json_object *args = json_object_new_object();

	qnm_strlcpy(e->host, h->name, sizeof(e->host));
	qnm_strlcpy(e->vm, vm, sizeof(e->vm));
	json_object_object_add(args, "name", json_object_new_string(vm));
	if (qnm_remote_call(ui, h, "vm.get", args, QNM_HOST_TIMEOUT_MS, edit_got, e)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "%s: cannot start a worker thread", vm);
		free(e);
		return;
	}
	qnm_ui_log(ui, QNM_MSG_INFO, "reading VM %s on %s ...", vm, h->name);
}
