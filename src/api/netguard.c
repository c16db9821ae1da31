// SPDX-License-Identifier: GPL-2.0-or-later
/* netguard.c - confirm a change that can cut the admin off, or roll it back (see netguard.h). */
#include "build-config.h"

#include "api/netguard.h"

#include "core/config.h"
#include "host/netctl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct rec {
	char state[20];
	pid_t pid;
	long long deadline;
	char undo[8];
	char reason[256];
};

static char *rec_path(const struct qnm_ctx *ctx, const char *name)
{
	return xasprintf("%s/guard-%s", ctx->paths.runtime_dir, name);
}

/* RUNDIR/guard.lock, held until closed */
static int guard_lock(const struct qnm_ctx *ctx)
{
	char *path = xasprintf("%s/guard.lock", ctx->paths.runtime_dir);
	int fd;

	if (mkdir(ctx->paths.runtime_dir, 0700) < 0 && errno != EEXIST) {
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	free(path);
	while (fd >= 0 && flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	return fd;
}

static int rec_read(const struct qnm_ctx *ctx, const char *name, struct rec *x)
{
	char *path = rec_path(ctx, name), *text = NULL;
	size_t len;
	int r, n = 0;

	memset(x, 0, sizeof(*x));
	r = qnm_read_file(path, 4096, &text, &len);
	free(path);
	if (r < 0)
		return r;
	if (sscanf(text, "%19s %d %lld %7s %n", x->state, &x->pid, &x->deadline, x->undo, &n) < 4) {
		free(text);
		return -EINVAL;
	}
	qnm_strlcpy(x->reason, text + n, sizeof(x->reason));
	x->reason[strcspn(x->reason, "\n")] = '\0';
	free(text);
	return 0;
}

static int rec_write(const struct qnm_ctx *ctx, const char *name, const struct rec *x)
{
	char *path = rec_path(ctx, name),
	     *line = xasprintf("%s %d %lld %s %s\n", x->state, (int)x->pid, x->deadline, x->undo,
			       x->reason);
	int r = qnm_atomic_write(path, line, strlen(line), 0600, NULL);

	free(line);
	free(path);
	return r;
}

int qnm_api_net_guard_get(const struct qnm_ctx *ctx, const char *name, struct qnm_api_net_guard *g)
{
	struct rec x;
	int r;

	memset(g, 0, sizeof(*g));
	r = rec_read(ctx, name, &x);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	qnm_strlcpy(g->state, x.state, sizeof(g->state));
	g->pid = x.pid;
	g->deadline = x.deadline;
	qnm_strlcpy(g->undo, x.undo, sizeof(g->undo));
	qnm_strlcpy(g->reason, x.reason, sizeof(g->reason));
	if (strcmp(x.state, "armed") == 0 && x.deadline > (long long)time(NULL))
		g->remaining = x.deadline - (long long)time(NULL);
	return 0;
}

int qnm_api_net_confirm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	int fd = guard_lock(ctx), r;
	struct rec x;

	if (fd < 0)
		return qnm_err_set(err, -errno, "", "lock %s/guard.lock: %s",
				   ctx->paths.runtime_dir, strerror(errno));
	r = rec_read(ctx, name, &x);
	if (r < 0 || strcmp(x.state, "kept") == 0 || strcmp(x.state, "cancelled") == 0 ||
	    strcmp(x.state, "superseded") == 0) {
		close(fd);
		if (r == 0 && strcmp(x.state, "kept") == 0)
			return 0; /* confirmed twice: still kept */
		return qnm_err_set(err, -ENOENT, "",
				   "network %s has no change waiting for confirmation", name);
	}
	if (strcmp(x.state, "armed") != 0) {
		close(fd);
		return qnm_err_set(err, -ETIME, "", "too late: network %s's change was %s (%s)",
				   name, x.state, x.reason);
	}
	qnm_strlcpy(x.state, "kept", sizeof(x.state));
	qnm_strlcpy(x.reason, "confirmed (qnm net confirm)", sizeof(x.reason));
	r = rec_write(ctx, name, &x);
	close(fd);
	if (r < 0)
		return qnm_err_set(err, r, "", "record the confirmation of network %s: %s", name,
				   strerror(-r));
	return 0;
}

void qnm_net_guard_end(struct qnm_ctx *ctx, const char *name, const char *state, const char *reason)
{
	int fd = guard_lock(ctx);
	struct rec x;

	if (rec_read(ctx, name, &x) == 0 && strcmp(x.state, "armed") == 0) {
		qnm_strlcpy(x.state, state, sizeof(x.state));
		qnm_strlcpy(x.reason, reason, sizeof(x.reason));
		rec_write(ctx, name, &x);
	}
	if (fd >= 0)
		close(fd);
}

/* ---- the guard process ---- */

/* the rollback: the opposite command, straight through netctl (no second guard) */
static int roll_back(struct qnm_ctx *ctx, const char *name, const char *undo, struct qnm_err *err)
{
	struct qnm_net_up_opts o = { .force = true, .confirm_port = true };
	struct qnm_network *net = qnm_model_find_net(&ctx->model, name);
	struct qnm_strv notes;
	struct qnm_netctl nc;
	int r = qnm_netctl_open(&nc, ctx->paths.runtime_dir, err);

	if (r < 0)
		return r;
	qnm_strv_init(&notes);
	if (strcmp(undo, "down") == 0)
		r = qnm_net_down(&nc, &ctx->model, name, &notes, err);
	else if (net)
		r = qnm_net_up(&nc, &ctx->model, net, &o, &notes, err);
	else
		r = qnm_err_set(err, -ENOENT, "", "network %s is no longer configured", name);
	qnm_netctl_close(&nc);
	qnm_strv_free(&notes);
	return r;
}

/* armed and still this process's: keep waiting */
static bool still_mine(const struct qnm_ctx *ctx, const char *name, struct rec *x)
{
	return rec_read(ctx, name, x) == 0 && x->pid == getpid() && strcmp(x->state, "armed") == 0;
}

/* seconds on the monotonic clock */
static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* @end: when to act on the monotonic clock (the record's deadline is rounded up to a second) */
static void __attribute__((noreturn)) guard_main(struct qnm_ctx *ctx, const char *name, double end)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	struct qnm_err err;
	struct rec x;
	int fd, r;

	while (still_mine(ctx, name, &x) && mono_now() < end)
		nanosleep(&tick, NULL);
	fd = guard_lock(ctx);
	if (!still_mine(ctx, name, &x))
		_exit(0);
	qnm_strlcpy(x.state, "rolling-back", sizeof(x.state));
	rec_write(ctx, name, &x);
	close(fd);
	qnm_err_clear(&err);
	r = roll_back(ctx, name, x.undo, &err);
	fd = guard_lock(ctx);
	if (r == 0) {
		qnm_strlcpy(x.state, "rolled-back", sizeof(x.state));
		snprintf(x.reason, sizeof(x.reason),
			 "not confirmed by the deadline: rolled back (net %s)", x.undo);
	} else {
		qnm_strlcpy(x.state, "rollback-failed", sizeof(x.state));
		snprintf(x.reason, sizeof(x.reason), "not confirmed in time; net %s failed: %.200s",
			 x.undo, err.msg);
	}
	rec_write(ctx, name, &x);
	if (fd >= 0)
		close(fd);
	_exit(r == 0 ? 0 : 1);
}

/* the detached child: no terminal, no session, no inherited file */
static void detach(void)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);

	for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		close(fd);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (chdir("/") < 0)
		_exit(1);
}

int qnm_net_guard_start(struct qnm_ctx *ctx, const char *name, bool undo_up, unsigned secs,
			struct qnm_err *err)
{
	int p[2], status, r;
	pid_t child;
	char ok = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return qnm_err_set(err, -errno, "", "start the guard: pipe: %s", strerror(errno));
	fflush(NULL);
	child = fork();
	if (child < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return qnm_err_set(err, r, "", "start the guard: fork: %s", strerror(-r));
	}
	if (child == 0) {
		struct timespec now;
		struct rec x;
		double end;
		int lk;

		setsid();
		if (fork() != 0)
			_exit(0);
		close(p[0]);
		memset(&x, 0, sizeof(x));
		qnm_strlcpy(x.state, "armed", sizeof(x.state));
		x.pid = getpid();
		/* the record counts whole seconds, rounded up; the guard acts at @secs exactly */
		end = mono_now() + secs;
		clock_gettime(CLOCK_REALTIME, &now);
		x.deadline = (long long)now.tv_sec + secs + (now.tv_nsec > 0);
		qnm_strlcpy(x.undo, undo_up ? "down" : "up", sizeof(x.undo));
		lk = guard_lock(ctx);
		r = rec_write(ctx, name, &x);
		if (lk >= 0)
			close(lk);
		if (r == 0)
			ok = 1;
		if (write(p[1], &ok, 1) < 0 || !ok)
			_exit(1);
		detach();
		guard_main(ctx, name, end);
	}
	close(p[1]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	r = (int)read(p[0], &ok, 1);
	close(p[0]);
	if (r != 1 || !ok)
		return qnm_err_set(err, -EIO, "", "start the guard of network %s: it did not start",
				   name);
	return 0;
}
