// SPDX-License-Identifier: GPL-2.0-or-later
/* console.c - the engine API for a running VM's serial console (see console.h). */
#include "build-config.h"

#include "api/console.h"
#include "api/remote.h"

#include "core/addr.h"
#include "guest/rundir.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/**
 * struct qnm_console - an attached console.
 * @fd:      the open pty or connected socket (non-blocking).
 * @lock_fd: the held console lock (-1 for another host's console: its qnm
 *           holds it there).
 * @pid:     another host's console: the ssh running "qnm console VM" there
 *           (0: none).
 * @tty:     @fd is the guest's serial pty (else a socket).
 */
struct qnm_console {
	int fd;
	int lock_fd;
	pid_t pid;
	bool tty;
};

int qnm_api_console_attach(const struct qnm_ctx *ctx, const char *name, struct qnm_console **out,
			   struct qnm_err *err)
{
	struct qnm_run_info ri;
	struct qnm_rundir rd;
	int fd, lock_fd, r = 0;

	*out = NULL;
	if (!qnm_valid_name(name))
		return qnm_err_set(err, -EINVAL, "name", "'%s' is not a valid VM name", name);
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	r = qnm_rundir_probe(&rd, &ri);
	if (r) {
		/* a directory qnm does not trust: say why */
		r = qnm_rundir_check(&rd, err);
	} else if (ri.status != QNM_RUN_RUNNING && ri.status != QNM_RUN_STARTING) {
		r = qnm_err_set(err, -ENOENT, "", "'%s' is not running (%s)", name,
				ri.status == QNM_RUN_ABSENT ? "no runtime directory"
							    : qnm_run_status_name(ri.status));
	} else {
		fd = qnm_rundir_console_connect(&rd, &lock_fd, err);
		if (fd < 0) {
			r = fd;
		} else {
			*out = xcalloc(1, sizeof(**out));
			(*out)->fd = fd;
			(*out)->lock_fd = lock_fd;
			(*out)->tty = isatty(fd);
		}
	}
	qnm_rundir_clear(&rd);
	return r;
}

int qnm_api_console_fd(const struct qnm_console *con)
{
	return con->fd;
}

ssize_t qnm_api_console_read(struct qnm_console *con, void *buf, size_t size)
{
	ssize_t n;

	do
		n = read(con->fd, buf, size);
	while (n < 0 && errno == EINTR);
	/* a pty whose other end (QEMU) closed says EIO: the end, as a socket's 0 */
	if (n < 0 && errno == EIO && con->tty)
		return 0;
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

int qnm_api_console_write(struct qnm_console *con, const void *buf, size_t size)
{
	const char *p = buf;
	ssize_t n;

	while (size) {
		struct pollfd pfd = { .fd = con->fd, .events = POLLOUT };

		/* MSG_NOSIGNAL: a VM gone away is an error here, not a SIGPIPE
		 * (a pty never raises SIGPIPE: EIO) */
		n = con->tty ? write(con->fd, p, size) : send(con->fd, p, size, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			size -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		n = poll(&pfd, 1, 1000);
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

int qnm_api_console_attach_remote(const struct qnm_ctx *ctx, const char *host, const char *name,
				  struct qnm_console **out, struct qnm_err *err)
{
	char *argv[] = { "console", (char *)name };
	const struct qnm_host *h;
	struct qnm_hosts hosts;
	int sv[2], r;
	pid_t pid;

	*out = NULL;
	if (!qnm_valid_name(name))
		return qnm_err_set(err, -EINVAL, "name", "'%s' is not a valid VM name", name);
	r = qnm_api_host_list(ctx, &hosts, err);
	if (r)
		return r;
	h = qnm_api_host_find(&hosts, host);
	if (!h) {
		qnm_api_hosts_free(&hosts);
		return qnm_err_set(err, -ENOENT, "host", "no host named '%s'", host);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		qnm_api_hosts_free(&hosts);
		return qnm_err_set(err, -errno, "", "socketpair: %s", strerror(errno));
	}
	/* a terminal there: its qnm attaches as on a terminal (raw), and both its streams come here */
	r = qnm_api_remote_spawn(ctx, h, 2, argv, true, sv[1], sv[1], sv[1], &pid, err);
	qnm_api_hosts_free(&hosts);
	close(sv[1]);
	if (r) {
		close(sv[0]);
		return r;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	*out = xcalloc(1, sizeof(**out));
	(*out)->fd = sv[0];
	(*out)->lock_fd = -1;
	(*out)->pid = pid;
	return 0;
}

void qnm_api_console_detach(struct qnm_console *con)
{
	int64_t end;
	int st;

	if (!con)
		return;
	close(con->fd);
	if (con->lock_fd >= 0)
		close(con->lock_fd);
	if (con->pid > 0) {
		/* ssh's session ends: the remote qnm console gets its hangup and lets go */
		kill(con->pid, SIGTERM);
		end = qnm_mono_ms_int() + 1000;
		while (waitpid(con->pid, &st, WNOHANG) == 0 && qnm_mono_ms_int() < end)
			usleep(5000);
		if (waitpid(con->pid, &st, WNOHANG) == 0) {
			kill(con->pid, SIGKILL);
			waitpid(con->pid, &st, 0);
		}
	}
	free(con);
}
