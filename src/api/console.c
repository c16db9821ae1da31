// SPDX-License-Identifier: GPL-2.0-or-later
/* console.c - the engine API for a running VM's serial console (see console.h). */
#include "build-config.h"

#include "api/console.h"

#include "core/addr.h"
#include "guest/rundir.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/**
 * struct qnm_console - an attached console.
 * @fd:      the connected socket (non-blocking).
 * @lock_fd: the held console lock.
 */
struct qnm_console {
	int fd;
	int lock_fd;
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
			*out = xmalloc(sizeof(**out));
			(*out)->fd = fd;
			(*out)->lock_fd = lock_fd;
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

		/* MSG_NOSIGNAL: a VM gone away is an error here, not a SIGPIPE */
		n = send(con->fd, p, size, MSG_NOSIGNAL);
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

void qnm_api_console_detach(struct qnm_console *con)
{
	if (!con)
		return;
	close(con->fd);
	close(con->lock_fd);
	free(con);
}
