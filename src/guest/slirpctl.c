// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slirpctl.c - the slirp helper's control protocol: request parser, reply
 * objects, and the client used by the engine and the UI.
 */
#include "build-config.h"

#include "guest/slirpctl.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- requests ---- */

/**
 * struct req_kind - one request word.
 * @word:   as written on the wire.
 * @op:     its operation.
 * @arg:    takes one SPEC argument.
 */
struct req_kind {
	const char *word;
	enum qnm_slirpctl_op op;
	bool arg;
};

static const struct req_kind req_kinds[] = {
	{ "stats", QNM_SLIRPCTL_STATS, false },
	{ "info", QNM_SLIRPCTL_INFO, false },
	{ "conns", QNM_SLIRPCTL_CONNS, false },
	{ "neigh", QNM_SLIRPCTL_NEIGH, false },
	{ "hostfwd-list", QNM_SLIRPCTL_HOSTFWD_LIST, false },
	{ "hostfwd-add", QNM_SLIRPCTL_HOSTFWD_ADD, true },
	{ "hostfwd-remove", QNM_SLIRPCTL_HOSTFWD_REMOVE, true },
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Next blank-separated word of *p into buf; Return: its length (0 = none). */
static size_t next_word(const char **p, char *buf, size_t size)
{
	const char *s = *p, *start;
	size_t n;

	while (is_blank(*s))
		s++;
	start = s;
	while (*s && !is_blank(*s))
		s++;
	n = (size_t)(s - start);
	*p = s;
	if (n >= size)
		return n; /* caller rejects: too long */
	memcpy(buf, start, n);
	buf[n] = '\0';
	return n;
}

int qnm_slirp_fwd_parse_remove(const char *s, struct qnm_fwd *out, const char *field,
			       struct qnm_err *err)
{
	char buf[QNM_SLIRPCTL_LINE_MAX + 8];
	struct qnm_fwd f;

	if (strchr(s, '-'))
		return qnm_fwd_parse(s, out, field, err);
	/* No guest side: borrow a placeholder so one parser checks the host side. */
	if (strlen(s) > QNM_SLIRPCTL_LINE_MAX)
		return qnm_err_set(err, -EINVAL, field, "%s: '%.40s...' is too long", field, s);
	snprintf(buf, sizeof(buf), "%s-:1", s);
	if (qnm_fwd_parse(buf, &f, field, err))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: '%s' must look like tcp:[HOSTADDR]:HOSTPORT", field, s);
	f.guest_addr[0] = '\0';
	f.guest_port = 0;
	*out = f;
	return 0;
}

int qnm_slirpctl_parse(const char *line, struct qnm_slirpctl_req *req, struct qnm_err *err)
{
	char word[32], arg[QNM_SLIRPCTL_LINE_MAX + 1], extra[8];
	const struct req_kind *k = NULL;
	const char *p = line;
	size_t i, n;
	int r;

	n = next_word(&p, word, sizeof(word));
	if (n == 0)
		return qnm_err_set(err, -EINVAL, "request", "empty request");
	if (n >= sizeof(word))
		return qnm_err_set(err, -EINVAL, "request", "unknown request '%.20s...'", line);
	for (i = 0; i < QNM_ARRAY_SIZE(req_kinds); i++)
		if (strcmp(req_kinds[i].word, word) == 0)
			k = &req_kinds[i];
	if (!k)
		return qnm_err_set(
			err, -EINVAL, "request",
			"unknown request '%s' (known: stats, info, conns, neigh, hostfwd-list, hostfwd-add, hostfwd-remove)",
			word);
	memset(req, 0, sizeof(*req));
	req->op = k->op;
	if (k->arg) {
		n = next_word(&p, arg, sizeof(arg));
		if (n == 0)
			return qnm_err_set(err, -EINVAL, "request",
					   "%s needs a forward like tcp:127.0.0.1:2222-:22", word);
		if (n >= sizeof(arg))
			return qnm_err_set(err, -EINVAL, "request", "%s: argument too long", word);
		if (k->op == QNM_SLIRPCTL_HOSTFWD_ADD)
			r = qnm_fwd_parse(arg, &req->fwd, "hostfwd", err);
		else
			r = qnm_slirp_fwd_parse_remove(arg, &req->fwd, "hostfwd", err);
		if (r)
			return r;
	}
	if (next_word(&p, extra, sizeof(extra)) != 0)
		return qnm_err_set(err, -EINVAL, "request", "%s: unexpected extra argument", word);
	return 0;
}

char *qnm_slirpctl_format(const struct qnm_slirpctl_req *req)
{
	const struct req_kind *k = NULL;
	char buf[96];
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(req_kinds); i++)
		if (req_kinds[i].op == req->op)
			k = &req_kinds[i];
	if (!k)
		return xstrdup("");
	if (!k->arg)
		return xstrdup(k->word);
	if (req->op == QNM_SLIRPCTL_HOSTFWD_REMOVE && req->fwd.guest_port == 0)
		snprintf(buf, sizeof(buf), "%s:%s:%u", qnm_proto_name(req->fwd.proto),
			 req->fwd.host_addr, req->fwd.host_port);
	else
		qnm_fwd_format_spec(&req->fwd, buf, sizeof(buf));
	return xasprintf("%s %s", k->word, buf);
}

/* ---- replies ---- */

struct json_object *qnm_slirpctl_reply_ok(void)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		qnm_oom();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

struct json_object *qnm_slirpctl_reply_error(const char *msg)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		qnm_oom();
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

/**
 * struct stat_field - one counter and its JSON member name.
 * @name: the member.
 * @off:  offset of the uint64_t in struct qnm_slirp_stats.
 */
struct stat_field {
	const char *name;
	size_t off;
};

static const struct stat_field stat_fields[] = {
	{ "rx_bytes", offsetof(struct qnm_slirp_stats, rx_bytes) },
	{ "rx_packets", offsetof(struct qnm_slirp_stats, rx_packets) },
	{ "tx_bytes", offsetof(struct qnm_slirp_stats, tx_bytes) },
	{ "tx_packets", offsetof(struct qnm_slirp_stats, tx_packets) },
	{ "rx_dropped", offsetof(struct qnm_slirp_stats, rx_dropped) },
	{ "connections", offsetof(struct qnm_slirp_stats, connections) },
};

struct json_object *qnm_slirp_stats_to_json(const struct qnm_slirp_stats *st)
{
	struct json_object *o = qnm_slirpctl_reply_ok();
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(stat_fields); i++) {
		const uint64_t *v = (const uint64_t *)((const char *)st + stat_fields[i].off);

		json_object_object_add(o, stat_fields[i].name, json_object_new_uint64(*v));
	}
	json_object_object_add(o, "connected", json_object_new_boolean(st->connected));
	return o;
}

int qnm_slirp_stats_from_json(struct json_object *obj, struct qnm_slirp_stats *st,
			      struct qnm_err *err)
{
	struct qnm_slirp_stats s;
	struct json_object *v;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < QNM_ARRAY_SIZE(stat_fields); i++) {
		if (!json_object_object_get_ex(obj, stat_fields[i].name, &v) ||
		    !json_object_is_type(v, json_type_int))
			return qnm_err_set(err, -EPROTO, "stats",
					   "slirp helper: stats reply lacks the number '%s'",
					   stat_fields[i].name);
		*(uint64_t *)((char *)&s + stat_fields[i].off) = json_object_get_uint64(v);
	}
	if (!json_object_object_get_ex(obj, "connected", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return qnm_err_set(err, -EPROTO, "stats",
				   "slirp helper: stats reply lacks the boolean 'connected'");
	s.connected = json_object_get_boolean(v);
	*st = s;
	return 0;
}

/* ---- client ---- */

/**
 * struct qnm_slirpctl - a client connection.
 * @fd:         the socket, or -1 once the connection failed.
 * @timeout_ms: per-request timeout.
 * @path:       the socket path (for messages).
 * @in:         bytes received but not yet consumed (part of the next line).
 */
struct qnm_slirpctl {
	int fd;
	int timeout_ms;
	char *path;
	struct qnm_strbuf in;
};

/* Wait for @events on @fd until @deadline; Return: 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int r;

	for (;;) {
		left = deadline - qnm_mono_ms_int();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int qnm_slirpctl_open(const char *path, int timeout_ms, struct qnm_slirpctl **out,
		      struct qnm_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct qnm_slirpctl *c;
	socklen_t len = sizeof(int);
	int fd, r, soerr = 0;

	if (timeout_ms <= 0)
		timeout_ms = QNM_SLIRPCTL_TIMEOUT_MS;
	if (strlen(path) >= sizeof(sa.sun_path))
		return qnm_err_set(
			err, -ENAMETOOLONG, "control",
			"slirp helper control socket path '%s' is too long for a unix socket",
			path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return qnm_err_set(err, -errno, "control", "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		if (r == -EINPROGRESS || r == -EAGAIN) {
			r = wait_fd(fd, POLLOUT, qnm_mono_ms_int() + timeout_ms);
			if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0)
				r = -soerr;
		}
		if (r) {
			close(fd);
			return qnm_err_set(err, r, "control",
					   "cannot reach the slirp helper at %s: %s", path,
					   strerror(-r));
		}
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	c->path = xstrdup(path);
	qnm_sb_init(&c->in);
	*out = c;
	return 0;
}

void qnm_slirpctl_free(struct qnm_slirpctl *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	qnm_sb_free(&c->in);
	free(c);
}

static int fail_conn(struct qnm_slirpctl *c, int code, struct qnm_err *err, const char *what)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return qnm_err_set(err, code, "control", "slirp helper at %s: %s: %s", c->path, what,
			   strerror(-code));
}

/* Read one '\n'-terminated line (returned without it, caller frees). */
static int read_line(struct qnm_slirpctl *c, long long deadline, char **line, struct qnm_err *err)
{
	char buf[4096];
	char *nl;
	ssize_t n;
	int r;

	*line = NULL;
	while (!(nl = memchr(c->in.s, '\n', c->in.len))) {
		if (c->in.len > (1u << 24))
			return fail_conn(c, -EPROTO, err, "reply too long");
		n = read(c->fd, buf, sizeof(buf));
		if (n > 0) {
			qnm_sb_addn(&c->in, buf, (size_t)n);
			continue;
		}
		if (n == 0)
			return fail_conn(c, -EPIPE, err, "reading the reply");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return fail_conn(c, -errno, err, "reading the reply");
		r = wait_fd(c->fd, POLLIN, deadline);
		if (r)
			return fail_conn(c, r, err, "waiting for the reply");
	}
	*line = xmalloc((size_t)(nl - c->in.s) + 1);
	memcpy(*line, c->in.s, (size_t)(nl - c->in.s));
	(*line)[nl - c->in.s] = '\0';
	c->in.len -= (size_t)(nl + 1 - c->in.s);
	memmove(c->in.s, nl + 1, c->in.len + 1);
	return 0;
}

int qnm_slirpctl_request(struct qnm_slirpctl *c, const char *line, struct json_object **reply,
			 struct qnm_err *err)
{
	long long deadline = qnm_mono_ms_int() + c->timeout_ms;
	struct json_object *o, *ok, *msg;
	char *out, *rl;
	size_t len, off = 0;
	ssize_t n;
	int r;

	*reply = NULL;
	if (c->fd < 0)
		return qnm_err_set(err, -ENOTCONN, "control",
				   "slirp helper at %s: connection already failed", c->path);
	if (strchr(line, '\n') || strlen(line) > QNM_SLIRPCTL_LINE_MAX)
		return qnm_err_set(err, -EINVAL, "request",
				   "request must be one line of at most %d bytes",
				   QNM_SLIRPCTL_LINE_MAX);
	out = xasprintf("%s\n", line);
	len = strlen(out);
	while (off < len) {
		n = send(c->fd, out + off, len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			free(out);
			return fail_conn(c, -errno, err, "sending the request");
		}
		r = wait_fd(c->fd, POLLOUT, deadline);
		if (r) {
			free(out);
			return fail_conn(c, r, err, "sending the request");
		}
	}
	free(out);
	r = read_line(c, deadline, &rl, err);
	if (r)
		return r;
	o = json_tokener_parse(rl);
	free(rl);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		json_object_put(o);
		return fail_conn(c, -EPROTO, err, "reply is not a JSON object with \"ok\"");
	}
	if (!json_object_get_boolean(ok)) {
		r = qnm_err_set(err, -EREMOTEIO, "control", "%s",
				json_object_object_get_ex(o, "error", &msg)
					? json_object_get_string(msg)
					: "the slirp helper refused the request");
		json_object_put(o);
		return r;
	}
	*reply = o;
	return 0;
}

int qnm_slirpctl_stats(struct qnm_slirpctl *c, struct qnm_slirp_stats *st, struct qnm_err *err)
{
	struct json_object *o;
	int r = qnm_slirpctl_request(c, "stats", &o, err);

	if (r)
		return r;
	r = qnm_slirp_stats_from_json(o, st, err);
	json_object_put(o);
	return r;
}

static int fwd_request(struct qnm_slirpctl *c, enum qnm_slirpctl_op op, const struct qnm_fwd *f,
		       struct qnm_err *err)
{
	struct qnm_slirpctl_req req = { .op = op, .fwd = *f };
	struct json_object *o;
	char *line;
	int r;

	if (op == QNM_SLIRPCTL_HOSTFWD_REMOVE) {
		req.fwd.guest_addr[0] = '\0';
		req.fwd.guest_port = 0;
	}
	line = qnm_slirpctl_format(&req);
	r = qnm_slirpctl_request(c, line, &o, err);
	free(line);
	if (r == 0)
		json_object_put(o);
	return r;
}

int qnm_slirpctl_hostfwd_add(struct qnm_slirpctl *c, const struct qnm_fwd *f, struct qnm_err *err)
{
	return fwd_request(c, QNM_SLIRPCTL_HOSTFWD_ADD, f, err);
}

int qnm_slirpctl_hostfwd_remove(struct qnm_slirpctl *c, const struct qnm_fwd *f,
				struct qnm_err *err)
{
	return fwd_request(c, QNM_SLIRPCTL_HOSTFWD_REMOVE, f, err);
}

int qnm_slirpctl_hostfwd_list(struct qnm_slirpctl *c, struct qnm_fwd **v, size_t *n,
			      struct qnm_err *err)
{
	struct json_object *o, *arr;
	struct qnm_fwd *fv = NULL;
	size_t i, len, nf = 0;
	int r = qnm_slirpctl_request(c, "hostfwd-list", &o, err);

	if (r)
		return r;
	if (!json_object_object_get_ex(o, "hostfwd", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(o);
		return qnm_err_set(err, -EPROTO, "hostfwd",
				   "slirp helper: hostfwd-list reply lacks the array 'hostfwd'");
	}
	len = json_object_array_length(arr);
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct qnm_fwd f;

		if (!json_object_is_type(e, json_type_string) ||
		    qnm_fwd_parse(json_object_get_string(e), &f, "hostfwd", err)) {
			free(fv);
			json_object_put(o);
			return qnm_err_set(err, -EPROTO, "hostfwd",
					   "slirp helper: bad entry %zu in hostfwd-list reply", i);
		}
		qnm_fwd_add(&fv, &nf, &f);
	}
	json_object_put(o);
	*v = fv;
	*n = nf;
	return 0;
}

/* A request whose reply is {"ok":true,"text":"..."}. */
static int text_request(struct qnm_slirpctl *c, const char *what, char **text, struct qnm_err *err)
{
	struct json_object *o, *t;
	int r = qnm_slirpctl_request(c, what, &o, err);

	if (r)
		return r;
	if (!json_object_object_get_ex(o, "text", &t) ||
	    !json_object_is_type(t, json_type_string)) {
		json_object_put(o);
		return qnm_err_set(err, -EPROTO, what,
				   "slirp helper: %s reply lacks the string 'text'", what);
	}
	*text = xstrdup(json_object_get_string(t));
	json_object_put(o);
	return 0;
}

int qnm_slirpctl_conns(struct qnm_slirpctl *c, char **text, struct qnm_err *err)
{
	return text_request(c, "conns", text, err);
}

int qnm_slirpctl_neigh(struct qnm_slirpctl *c, char **text, struct qnm_err *err)
{
	return text_request(c, "neigh", text, err);
}
