// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slirp-spawn.c - starting, finding and stopping the slirp helper (the
 * program qnm-slirp-helper, run as "qnm slirp-helper ...": core/progs.h),
 * and the paths of its sockets and pid file. See slirp-helper.h. The helper
 * itself (libslirp) is slirp-helper.c, linked only into qnm-slirp-helper.
 */
#include "build-config.h"

#include "guest/slirp-helper.h"

#include "core/backend.h"
#include "core/progs.h"
#include "guest/cmdline.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 5000

/* ---- spawning ---- */

char *qnm_slirp_control_path(const char *rundir, const struct qnm_nic *nic)
{
	return xasprintf("%s/slirp-%s.ctl", rundir, nic->id);
}

void qnm_slirp_helper_argv(const char *argv0, const struct qnm_vm *vm, const struct qnm_nic *nic,
			   const char *rundir, int ready_fd, struct qnm_strv *argv)
{
	const struct qnm_cmdline_opts o = { .rundir = rundir };
	const struct qnm_user_opts *u = &nic->user;
	const char *const names[] = { "--net", "--host", "--dhcpstart", "--dns", "--ipv6-net" };
	const char *const vals[] = { u->net, u->host, u->dhcpstart, u->dns, u->ipv6_net };
	char buf[96];
	size_t i;

	qnm_strv_add(argv, argv0);
	qnm_strv_add(argv, "slirp-helper");
	qnm_strv_add(argv, "--socket");
	qnm_strv_take(argv, qnm_slirp_socket_path(vm, nic, &o));
	qnm_strv_add(argv, "--control");
	qnm_strv_take(argv, qnm_slirp_control_path(rundir, nic));
	qnm_strv_add(argv, "--id");
	qnm_strv_add(argv, nic->id);
	qnm_strv_add(argv, "--connect-timeout");
	qnm_strv_addf(argv, "%u", QNM_SLIRP_CONNECT_TIMEOUT);
	if (ready_fd >= 0) {
		qnm_strv_add(argv, "--ready-fd");
		qnm_strv_addf(argv, "%d", ready_fd);
	}
	for (i = 0; i < QNM_ARRAY_SIZE(names); i++) {
		if (!vals[i][0])
			continue;
		qnm_strv_add(argv, names[i]);
		qnm_strv_add(argv, vals[i]);
	}
	if (u->restrict_)
		qnm_strv_add(argv, "--restrict");
	qnm_strv_add(argv, "--ipv6");
	qnm_strv_add(argv, u->ipv6 ? "on" : "off");
	for (i = 0; i < u->nfwd; i++) {
		qnm_fwd_format_spec(&u->fwd[i], buf, sizeof(buf));
		qnm_strv_add(argv, "--hostfwd");
		qnm_strv_add(argv, buf);
	}
}

char *qnm_slirp_pid_path(const char *rundir, const struct qnm_nic *nic)
{
	return xasprintf("%s/slirp-%s.pid", rundir, nic->id);
}

static void write_pid_file(const char *rundir, const struct qnm_nic *nic, pid_t pid)
{
	char *path = qnm_slirp_pid_path(rundir, nic);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd >= 0) {
		dprintf(fd, "%ld\n", (long)pid);
		close(fd);
	}
	free(path);
}

/* Is @pid the helper serving control socket @ctl? (its argv names both) */
static bool is_helper_of(pid_t pid, const char *ctl)
{
	char path[64], buf[8192];
	bool cmd = false, sock = false;
	size_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (i = 0; i < n; i += strlen(buf + i) + 1) {
		cmd |= strcmp(buf + i, "slirp-helper") == 0;
		sock |= strcmp(buf + i, ctl) == 0;
	}
	return cmd && sock;
}

/* Gone: reaped here, no such process, or a zombie someone else must reap. */
static bool helper_gone(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	if (waitpid(pid, NULL, WNOHANG) == pid)
		return true;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 'Z' || state == 'X';
}

static bool wait_gone(pid_t pid, int timeout_ms)
{
	int64_t deadline = qnm_mono_ms_int() + timeout_ms;

	while (!helper_gone(pid)) {
		if (qnm_mono_ms_int() >= deadline)
			return false;
		usleep(10000);
	}
	return true;
}

pid_t qnm_slirp_helper_pid(const char *rundir, const struct qnm_nic *nic)
{
	char *pidpath = qnm_slirp_pid_path(rundir, nic);
	char *ctl = qnm_slirp_control_path(rundir, nic);
	long pid = 0;
	FILE *f;

	f = fopen(pidpath, "re");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid <= 1 || !is_helper_of((pid_t)pid, ctl))
		pid = 0;
	free(pidpath);
	free(ctl);
	return (pid_t)pid;
}

int qnm_slirp_helper_stop(const char *rundir, const struct qnm_nic *nic, int timeout_ms,
			  struct qnm_err *err)
{
	char *pidpath = qnm_slirp_pid_path(rundir, nic);
	pid_t pid = qnm_slirp_helper_pid(rundir, nic);
	int r = 0;

	if (pid > 1 && !helper_gone(pid)) {
		kill((pid_t)pid, SIGTERM);
		if (!wait_gone((pid_t)pid, timeout_ms)) {
			kill((pid_t)pid, SIGKILL);
			if (!wait_gone((pid_t)pid, 2000))
				r = qnm_err_set(err, -ETIMEDOUT, "",
						"nic[%s]: slirp helper pid %ld survived SIGKILL",
						nic->id, (long)pid);
		}
	}
	if (r == 0)
		unlink(pidpath);
	free(pidpath);
	return r;
}

/* async-signal-safe write of a few strings (used between fork and exec). */
static void write_all_str(int fd, const char *const *parts)
{
	for (; *parts; parts++) {
		const char *s = *parts;
		size_t len = strlen(s);

		while (len) {
			ssize_t n = write(fd, s, len);

			if (n <= 0)
				return;
			s += n;
			len -= (size_t)n;
		}
	}
}

/* Between fork and exec: only async-signal-safe calls. */
static void __attribute__((noreturn))
child_exec(const char *exe, char **argv, int devnull, int logfd, int ready_w)
{
	struct sigaction sa;
	char num[16], *q;
	sigset_t none;
	int sig, e;

	setsid();
	dup2(devnull, 0);
	dup2(devnull, 1);
	dup2(logfd, 2);
	if (ready_w == 3)
		fcntl(3, F_SETFD, 0);
	else
		dup2(ready_w, 3);
	if (close_range(4, ~0u, 0) < 0)
		for (sig = 4; sig < 1024; sig++)
			close(sig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(exe, argv);
	/* "exec-errno N": the parent turns N into text. */
	e = errno;
	q = num + sizeof(num) - 1;
	*q = '\0';
	do
		*--q = (char)('0' + e % 10);
	while ((e /= 10) && q > num);
	{
		const char *const parts[] = { "exec-errno ", q, "\n", NULL };

		write_all_str(3, parts);
	}
	_exit(127);
}

/* Read the helper's "ok" / "error: ..." line. Return: 1 ok, 0 error text in @buf, -ETIMEDOUT. */
static int read_ready(int fd, char *buf, size_t size)
{
	int64_t deadline = qnm_mono_ms_int() + READY_TIMEOUT_MS;
	size_t len = 0;

	buf[0] = '\0';
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - qnm_mono_ms_int();
		ssize_t n;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (len == size - 1)
			break;
	}
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return strcmp(buf, "ok") == 0 ? 1 : 0;
}

/* qnm_slirp_helper_spawn() with the program to run, @exe. */
static int spawn(const char *exe, const struct qnm_vm *vm, const struct qnm_nic *nic,
		 const char *rundir, pid_t *pid, struct qnm_err *err)
{
	char msg[sizeof(err->msg)], *logpath;
	struct qnm_strv argv;
	int p[2], devnull, logfd, status, r;
	pid_t child;

	logpath = xasprintf("%s/slirp-%s.log", rundir, nic->id);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (logfd < 0) {
		r = qnm_err_set(err, -errno, "rundir", "nic[%s]: cannot open %s: %s", nic->id,
				logpath, strerror(errno));
		free(logpath);
		return r;
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || pipe2(p, O_CLOEXEC) < 0) {
		r = qnm_err_set(err, -errno, "", "nic[%s]: cannot start the slirp helper: %s",
				nic->id, strerror(errno));
		if (devnull >= 0)
			close(devnull);
		close(logfd);
		free(logpath);
		return r;
	}
	qnm_strv_init(&argv);
	qnm_slirp_helper_argv("qnm", vm, nic, rundir, 3, &argv);
	child = fork();
	if (child == 0)
		child_exec(exe, argv.v, devnull, logfd, p[1]);
	r = child < 0 ? -errno : 0;
	close(p[1]);
	close(devnull);
	close(logfd);
	qnm_strv_free(&argv);
	if (r) {
		close(p[0]);
		free(logpath);
		return qnm_err_set(err, r, "", "nic[%s]: fork: %s", nic->id, strerror(-r));
	}
	r = read_ready(p[0], msg, sizeof(msg));
	close(p[0]);
	if (r == 1) {
		free(logpath);
		write_pid_file(rundir, nic, child);
		*pid = child;
		return 0;
	}
	if (r == -ETIMEDOUT) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		r = qnm_err_set(
			err, -ETIMEDOUT, "",
			"nic[%s]: the slirp helper did not report ready within %d ms (see %s)",
			nic->id, READY_TIMEOUT_MS, logpath);
		free(logpath);
		return r;
	}
	waitpid(child, &status, 0);
	if (strncmp(msg, "exec-errno ", 11) == 0)
		r = qnm_err_set(err, -EIO, "", "nic[%s]: cannot run %s for the slirp helper: %s",
				nic->id, exe, strerror(atoi(msg + 11)));
	else if (strncmp(msg, "error: ", 7) == 0)
		r = qnm_err_set(err, -EIO, "", "nic[%s]: %s", nic->id, msg + 7);
	else if (WIFEXITED(status))
		r = qnm_err_set(
			err, -EIO, "",
			"nic[%s]: the slirp helper exited with status %d before it was ready (see %s)",
			nic->id, WEXITSTATUS(status), logpath);
	else
		r = qnm_err_set(
			err, -EIO, "",
			"nic[%s]: the slirp helper died of signal %d before it was ready (see %s)",
			nic->id, WIFSIGNALED(status) ? WTERMSIG(status) : 0, logpath);
	free(logpath);
	return r;
}

int qnm_slirp_helper_spawn(const struct qnm_vm *vm, const struct qnm_nic *nic, const char *rundir,
			   pid_t *pid, struct qnm_err *err)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(nic);
	const char *env = getenv("QNM_HELPER_EXE");
	char *exe;
	int r;

	if (!b || !b->slirp_helper)
		return qnm_err_set(
			err, -EINVAL, "backend",
			"nic[%s]: the slirp helper serves only NICs with the slirp backend",
			nic->id);
	r = qnm_user_opts_validate(nic, true, err);
	if (r)
		return r;
	/* a qnm to run as "EXE slirp-helper ...", or the helper program itself */
	exe = qnm_str_empty(env) ? qnm_prog_path(QNM_PROG_SLIRP_HELPER, err) : xstrdup(env);
	if (!exe) {
		qnm_err_prefix(err, "nic[%s]", nic->id);
		return -ENOENT;
	}
	r = spawn(exe, vm, nic, rundir, pid, err);
	free(exe);
	return r;
}
