// SPDX-License-Identifier: GPL-2.0-or-later
/* qmp.c - QMP client: handshake, commands with ids, event queue. */
#include "build-config.h"

#include "guest/qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_DEFAULT_TIMEOUT 5000
#define QMP_LINE_MAX	    (16u << 20)

/* A reply waiting to be taken: its id and the whole message. */
struct qmp_reply {
	unsigned id;
	json_object *msg;
};

struct qnm_qmp {
	int fd;
	unsigned next_id;
	bool eof;
	char version[32];
	struct qnm_strbuf in; /* bytes read, not yet a whole line */
	json_tokener *tok;    /* one parser for every line, reset between lines */
	struct qnm_qmp_event *ev;
	size_t nev, capev;
	struct qmp_reply *rep;
	size_t nrep, caprep;
};

void qnm_qmp_event_clear(struct qnm_qmp_event *ev)
{
	if (ev->data)
		json_object_put(ev->data);
	memset(ev, 0, sizeof(*ev));
}

int qnm_qmp_fd(const struct qnm_qmp *q)
{
	return q->fd;
}

const char *qnm_qmp_version(const struct qnm_qmp *q)
{
	return q->version;
}

void qnm_qmp_free(struct qnm_qmp *q)
{
	size_t i;

	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	for (i = 0; i < q->nev; i++)
		qnm_qmp_event_clear(&q->ev[i]);
	for (i = 0; i < q->nrep; i++)
		json_object_put(q->rep[i].msg);
	free(q->ev);
	free(q->rep);
	qnm_sb_free(&q->in);
	if (q->tok)
		json_tokener_free(q->tok);
	free(q);
}

static void queue_event(struct qnm_qmp *q, json_object *msg)
{
	struct qnm_qmp_event *ev;
	json_object *v, *ts;

	if (q->nev == q->capev) {
		q->capev = q->capev ? q->capev * 2 : 8;
		q->ev = xreallocarray(q->ev, q->capev, sizeof(*q->ev));
	}
	ev = &q->ev[q->nev++];
	memset(ev, 0, sizeof(*ev));
	if (json_object_object_get_ex(msg, "event", &v))
		qnm_strlcpy(ev->name, json_object_get_string(v), sizeof(ev->name));
	if (json_object_object_get_ex(msg, "data", &v))
		ev->data = json_object_get(v);
	if (json_object_object_get_ex(msg, "timestamp", &ts)) {
		if (json_object_object_get_ex(ts, "seconds", &v))
			ev->sec = json_object_get_int64(v);
		if (json_object_object_get_ex(ts, "microseconds", &v))
			ev->usec = json_object_get_int64(v);
	}
}

static void queue_reply(struct qnm_qmp *q, json_object *msg)
{
	json_object *v;

	if (q->nrep == q->caprep) {
		q->caprep = q->caprep ? q->caprep * 2 : 8;
		q->rep = xreallocarray(q->rep, q->caprep, sizeof(*q->rep));
	}
	q->rep[q->nrep].id = 0;
	if (json_object_object_get_ex(msg, "id", &v))
		q->rep[q->nrep].id = (unsigned)json_object_get_int64(v);
	q->rep[q->nrep].msg = msg;
	q->nrep++;
}

/* Sort one complete line: greeting, event or reply. Takes @msg. */
static void dispatch(struct qnm_qmp *q, json_object *msg)
{
	json_object *v;

	if (json_object_object_get_ex(msg, "event", &v)) {
		queue_event(q, msg);
		json_object_put(msg);
	} else if (json_object_object_get_ex(msg, "QMP", &v)) {
		json_object *ver, *qemu, *x;

		if (json_object_object_get_ex(v, "version", &ver) &&
		    json_object_object_get_ex(ver, "qemu", &qemu)) {
			long long maj = 0, min = 0, mic = 0;

			if (json_object_object_get_ex(qemu, "major", &x))
				maj = json_object_get_int64(x);
			if (json_object_object_get_ex(qemu, "minor", &x))
				min = json_object_get_int64(x);
			if (json_object_object_get_ex(qemu, "micro", &x))
				mic = json_object_get_int64(x);
			snprintf(q->version, sizeof(q->version), "%lld.%lld.%lld", maj, min, mic);
		} else {
			qnm_strlcpy(q->version, "?", sizeof(q->version));
		}
		json_object_put(msg);
	} else {
		queue_reply(q, msg);
	}
}

int qnm_qmp_read(struct qnm_qmp *q, struct qnm_err *err)
{
	char buf[8192];
	int count = 0;
	size_t off;
	ssize_t n;

	for (;;) {
		n = read(q->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno != ECONNRESET)
			return qnm_err_set(err, -errno, "", "reading QMP: %s", strerror(errno));
		if (n <= 0) {
			q->eof = true;
			break;
		}
		qnm_sb_addn(&q->in, buf, (size_t)n);
		if (q->in.len > QMP_LINE_MAX)
			return qnm_err_set(err, -EPROTO, "", "QMP: message larger than %u bytes",
					   QMP_LINE_MAX);
	}
	/*
	 * One JSON object per line, parsed in place; what follows the last
	 * newline moves to the front once, however many lines came.
	 */
	if (!q->tok && !(q->tok = json_tokener_new()))
		return qnm_err_set(err, -ENOMEM, "", "QMP: out of memory");
	for (off = 0;;) {
		char *line = q->in.s + off, *nl = memchr(line, '\n', q->in.len - off);
		json_object *msg;

		if (!nl)
			break;
		*nl = '\0';
		off = (size_t)(nl - q->in.s) + 1;
		json_tokener_reset(q->tok);
		msg = json_tokener_parse_ex(q->tok, line, -1);
		if (msg && json_tokener_get_error(q->tok) != json_tokener_success) {
			json_object_put(msg);
			msg = NULL;
		}
		if (!msg)
			continue; /* blank line or garbage: skip */
		if (!json_object_is_type(msg, json_type_object)) {
			json_object_put(msg);
			continue;
		}
		dispatch(q, msg);
		count++;
	}
	if (off) {
		memmove(q->in.s, q->in.s + off, q->in.len - off);
		q->in.len -= off;
		q->in.s[q->in.len] = '\0';
	}
	if (q->eof && !count)
		return qnm_err_set(err, -EPIPE, "", "QEMU closed the QMP connection");
	return count;
}

/*
 * Send @n bytes at @p; @fd (>= 0) rides along as SCM_RIGHTS ancillary data
 * (QEMU takes the descriptors that come with a command's bytes).
 */
static ssize_t send_bytes(int sock, const char *p, size_t n, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)p, .iov_len = n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL);
}

int qnm_qmp_send(struct qnm_qmp *q, const char *cmd, json_object *args, unsigned *id,
		 struct qnm_err *err)
{
	return qnm_qmp_send_fd(q, cmd, args, -1, id, err);
}

int qnm_qmp_send_fd(struct qnm_qmp *q, const char *cmd, json_object *args, int fd, unsigned *id,
		    struct qnm_err *err)
{
	json_object *msg = json_object_new_object();
	const char *text;
	size_t len, off = 0;
	int r = 0;

	*id = 0;
	if (q->eof) {
		if (args)
			json_object_put(args);
		json_object_put(msg);
		return qnm_err_set(err, -EPIPE, "", "QEMU closed the QMP connection");
	}
	json_object_object_add(msg, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(msg, "arguments", args);
	*id = ++q->next_id;
	json_object_object_add(msg, "id", json_object_new_int64(*id));
	text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	while (off < len + 1) {
		const char *p = off < len ? text + off : "\n";
		size_t n = off < len ? len - off : 1;
		ssize_t w = send_bytes(q->fd, p, n, off == 0 ? fd : -1);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };

			poll(&pfd, 1, 1000);
			continue;
		}
		if (w < 0) {
			r = errno == EPIPE || errno == ECONNRESET
				    ? qnm_err_set(err, -EPIPE, "", "QEMU closed the QMP connection")
				    : qnm_err_set(err, -errno, "", "QMP %s: %s", cmd,
						  strerror(errno));
			if (r == -EPIPE)
				q->eof = true;
			break;
		}
		off += (size_t)w;
	}
	json_object_put(msg);
	return r;
}

int qnm_qmp_take_reply(struct qnm_qmp *q, unsigned id, json_object **ret, struct qnm_err *err)
{
	json_object *msg, *v, *x;
	size_t i;
	int r = 0;

	for (i = 0; i < q->nrep; i++)
		if (q->rep[i].id == id)
			break;
	if (i == q->nrep)
		return -EAGAIN;
	msg = q->rep[i].msg;
	memmove(&q->rep[i], &q->rep[i + 1], (q->nrep - i - 1) * sizeof(*q->rep));
	q->nrep--;
	if (ret)
		*ret = NULL;
	if (json_object_object_get_ex(msg, "return", &v)) {
		if (ret)
			*ret = json_object_get(v);
	} else if (json_object_object_get_ex(msg, "error", &v)) {
		const char *cls = "?", *desc = "";

		if (json_object_object_get_ex(v, "class", &x))
			cls = json_object_get_string(x);
		if (json_object_object_get_ex(v, "desc", &x))
			desc = json_object_get_string(x);
		r = qnm_err_set(err, -EREMOTEIO, "", "QEMU: %s (%s)", desc, cls);
	} else {
		r = qnm_err_set(err, -EPROTO, "", "QMP: reply without return or error");
	}
	json_object_put(msg);
	return r;
}

static int wait_readable(struct qnm_qmp *q, long long deadline, struct qnm_err *err)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	long long left = deadline - qnm_mono_ms_int();
	int r;

	if (left <= 0)
		return -ETIMEDOUT;
	r = poll(&pfd, 1, (int)left);
	if (r < 0 && errno != EINTR)
		return qnm_err_set(err, -errno, "", "poll: %s", strerror(errno));
	if (r == 0)
		return -ETIMEDOUT;
	return 0;
}

int qnm_qmp_execute(struct qnm_qmp *q, const char *cmd, json_object *args, json_object **ret,
		    int timeout_ms, struct qnm_err *err)
{
	return qnm_qmp_execute_fd(q, cmd, args, -1, ret, timeout_ms, err);
}

int qnm_qmp_execute_fd(struct qnm_qmp *q, const char *cmd, json_object *args, int fd,
		       json_object **ret, int timeout_ms, struct qnm_err *err)
{
	long long deadline =
		qnm_mono_ms_int() + (timeout_ms > 0 ? timeout_ms : QMP_DEFAULT_TIMEOUT);
	unsigned id;
	int r;

	r = qnm_qmp_send_fd(q, cmd, args, fd, &id, err);
	if (r)
		return r;
	for (;;) {
		r = qnm_qmp_take_reply(q, id, ret, err);
		if (r != -EAGAIN)
			return r;
		if (q->eof)
			return qnm_err_set(err, -EPIPE, "",
					   "QEMU closed the QMP connection before answering %s",
					   cmd);
		r = wait_readable(q, deadline, err);
		if (r == -ETIMEDOUT)
			return qnm_err_set(err, r, "", "QMP: no answer to %s within %d ms", cmd,
					   timeout_ms);
		if (r)
			return r;
		r = qnm_qmp_read(q, err);
		if (r < 0 && r != -EPIPE)
			return r;
	}
}

bool qnm_qmp_next_event(struct qnm_qmp *q, struct qnm_qmp_event *ev)
{
	if (!q->nev)
		return false;
	*ev = q->ev[0];
	memmove(&q->ev[0], &q->ev[1], (q->nev - 1) * sizeof(*q->ev));
	q->nev--;
	return true;
}

int qnm_qmp_wait_event(struct qnm_qmp *q, const char *name, int timeout_ms,
		       struct qnm_qmp_event *ev, struct qnm_err *err)
{
	long long deadline = qnm_mono_ms_int() + timeout_ms;
	size_t i;
	int r;

	for (;;) {
		for (i = 0; i < q->nev; i++) {
			if (strcmp(q->ev[i].name, name) != 0)
				continue;
			if (ev)
				*ev = q->ev[i];
			else
				qnm_qmp_event_clear(&q->ev[i]);
			memmove(&q->ev[i], &q->ev[i + 1], (q->nev - i - 1) * sizeof(*q->ev));
			q->nev--;
			return 0;
		}
		if (q->eof)
			return qnm_err_set(err, -EPIPE, "", "QEMU closed the QMP connection");
		r = wait_readable(q, deadline, err);
		if (r == -ETIMEDOUT)
			return qnm_err_set(err, r, "", "no %s event within %d ms", name,
					   timeout_ms);
		if (r)
			return r;
		r = qnm_qmp_read(q, err);
		if (r < 0 && r != -EPIPE)
			return r;
	}
}

static int try_connect(const char *path, int *fdp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	*fdp = fd;
	return 0;
}

struct qnm_qmp *qnm_qmp_new_fd(int fd)
{
	struct qnm_qmp *q = xcalloc(1, sizeof(*q));

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	q->fd = fd;
	qnm_sb_init(&q->in);
	return q;
}

int qnm_qmp_connect(const char *path, int timeout_ms, struct qnm_qmp **out, struct qnm_err *err)
{
	long long deadline = qnm_mono_ms_int() + timeout_ms;
	struct qnm_qmp *q;
	int fd = -1, r;

	*out = NULL;
	for (;;) {
		r = try_connect(path, &fd);
		if (r == 0)
			break;
		if ((r != -ENOENT && r != -ECONNREFUSED) || qnm_mono_ms_int() >= deadline)
			return qnm_err_set(err, r == -ENOENT || r == -ECONNREFUSED ? -ETIMEDOUT : r,
					   "", "cannot connect to QMP socket %s: %s", path,
					   strerror(-r));
		usleep(5000);
	}
	q = qnm_qmp_new_fd(fd);
	/* Greeting first, then qmp_capabilities. */
	while (!q->version[0]) {
		r = wait_readable(q, deadline, err);
		if (!r) {
			r = qnm_qmp_read(q, err);
			r = r < 0 ? r : 0;
		}
		if (r) {
			if (r == -ETIMEDOUT)
				qnm_err_set(err, r, "", "%s: no QMP greeting within %d ms", path,
					    timeout_ms);
			qnm_qmp_free(q);
			return r;
		}
	}
	r = qnm_qmp_execute(
		q, "qmp_capabilities", NULL, NULL,
		(int)(deadline - qnm_mono_ms_int() > 100 ? deadline - qnm_mono_ms_int() : 100),
		err);
	if (r) {
		qnm_err_prefix(err, "%s: QMP handshake", path);
		qnm_qmp_free(q);
		return r;
	}
	*out = q;
	return 0;
}

int qnm_qmp_query_status(struct qnm_qmp *q, char *status, size_t len, bool *running,
			 struct qnm_err *err)
{
	json_object *ret = NULL, *v;
	int r;

	r = qnm_qmp_execute(q, "query-status", NULL, &ret, QMP_DEFAULT_TIMEOUT, err);
	if (r)
		return r;
	if (status && len)
		status[0] = '\0';
	if (json_object_object_get_ex(ret, "status", &v) && status)
		qnm_strlcpy(status, json_object_get_string(v), len);
	if (running)
		*running =
			json_object_object_get_ex(ret, "running", &v) && json_object_get_boolean(v);
	json_object_put(ret);
	return 0;
}

int qnm_qmp_chardev_pty(struct qnm_qmp *q, const char *id, char *path, size_t len,
			struct qnm_err *err)
{
	json_object *ret = NULL, *e, *v;
	size_t i;
	int r;

	r = qnm_qmp_execute(q, "query-chardev", NULL, &ret, QMP_DEFAULT_TIMEOUT, err);
	if (r)
		return r;
	r = -ENOENT;
	for (i = 0; json_object_is_type(ret, json_type_array) && i < json_object_array_length(ret);
	     i++) {
		e = json_object_array_get_idx(ret, i);
		if (!json_object_object_get_ex(e, "label", &v) ||
		    strcmp(json_object_get_string(v), id) != 0 ||
		    !json_object_object_get_ex(e, "filename", &v) ||
		    strncmp(json_object_get_string(v), "pty:", 4) != 0)
			continue;
		qnm_strlcpy(path, json_object_get_string(v) + 4, len);
		r = 0;
		break;
	}
	json_object_put(ret);
	if (r)
		qnm_err_set(err, r, "", "QEMU has no pty chardev '%s'", id);
	return r;
}

int qnm_qmp_cont(struct qnm_qmp *q, struct qnm_err *err)
{
	return qnm_qmp_execute(q, "cont", NULL, NULL, QMP_DEFAULT_TIMEOUT, err);
}

int qnm_qmp_powerdown(struct qnm_qmp *q, struct qnm_err *err)
{
	return qnm_qmp_execute(q, "system_powerdown", NULL, NULL, QMP_DEFAULT_TIMEOUT, err);
}

int qnm_qmp_quit(struct qnm_qmp *q, struct qnm_err *err)
{
	int r = qnm_qmp_execute(q, "quit", NULL, NULL, QMP_DEFAULT_TIMEOUT, err);

	if (r == -EPIPE) {
		qnm_err_clear(err);
		return 0;
	}
	return r;
}

int qnm_qmp_set_link(struct qnm_qmp *q, const char *name, bool up, struct qnm_err *err)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "name", json_object_new_string(name));
	json_object_object_add(args, "up", json_object_new_boolean(up));
	return qnm_qmp_execute(q, "set_link", args, NULL, QMP_DEFAULT_TIMEOUT, err);
}

int qnm_qmp_hmp(struct qnm_qmp *q, const char *cmdline, char **out, struct qnm_err *err)
{
	json_object *args = json_object_new_object(), *ret = NULL;
	int r;

	json_object_object_add(args, "command-line", json_object_new_string(cmdline));
	r = qnm_qmp_execute(q, "human-monitor-command", args, &ret, QMP_DEFAULT_TIMEOUT, err);
	if (r)
		return r;
	if (out)
		*out = xstrdup(json_object_is_type(ret, json_type_string)
				       ? json_object_get_string(ret)
				       : "");
	json_object_put(ret);
	return 0;
}

int qnm_qmp_add_fd(struct qnm_qmp *q, int fd, const char *opaque, long long *fdset_id, int *qemu_fd,
		   struct qnm_err *err)
{
	json_object *args = json_object_new_object(), *ret = NULL, *v;
	int r;

	if (opaque)
		json_object_object_add(args, "opaque", json_object_new_string(opaque));
	r = qnm_qmp_execute_fd(q, "add-fd", args, fd, &ret, QMP_DEFAULT_TIMEOUT, err);
	if (r)
		return r;
	if (!json_object_object_get_ex(ret, "fdset-id", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		json_object_put(ret);
		return qnm_err_set(err, -EPROTO, "", "QMP: add-fd returned no fdset-id");
	}
	*fdset_id = json_object_get_int64(v);
	*qemu_fd = json_object_object_get_ex(ret, "fd", &v) && json_object_is_type(v, json_type_int)
			   ? (int)json_object_get_int64(v)
			   : -1;
	json_object_put(ret);
	if (*qemu_fd < 0)
		return qnm_err_set(err, -EPROTO, "", "QMP: add-fd returned no fd");
	return 0;
}

int qnm_qmp_remove_fd(struct qnm_qmp *q, long long fdset_id, struct qnm_err *err)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "fdset-id", json_object_new_int64(fdset_id));
	return qnm_qmp_execute(q, "remove-fd", args, NULL, QMP_DEFAULT_TIMEOUT, err);
}
