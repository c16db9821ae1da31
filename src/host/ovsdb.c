// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovsdb.c - an RFC 7047 JSON-RPC client over json-c (see ovsdb.h).
 *
 * Messages on the stream are JSON objects back to back with no framing:
 * json_tokener parses them incrementally from what was read.
 */
#include "build-config.h"

#include "host/ovsdb.h"

#include "core/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/**
 * struct qnm_ovsdb - one connection.
 * @fd:         the stream socket (non-blocking).
 * @timeout_ms: the bound of each request.
 * @tok:        the incremental parser of what the server sends.
 * @next_id:    the id of the next request.
 * @buf:        bytes read and not yet parsed, @len of them from @off.
 */
struct qnm_ovsdb {
	int fd;
	int timeout_ms;
	json_tokener *tok;
	long next_id;
	char buf[65536];
	size_t off, len;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* tcp:A.B.C.D:PORT into @sin; 0 or -EINVAL */
static int parse_tcp(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 1 || port > 65535)
		return -EINVAL;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -EINVAL;
}

/* the socket path of a unix remote, or NULL */
static const char *unix_path(const char *remote)
{
	if (strncmp(remote, "unix:", 5) == 0)
		remote += 5;
	return remote[0] == '/' ? remote : NULL;
}

int qnm_ovsdb_remote_check(const char *remote, const char *field, struct qnm_err *err)
{
	if (!remote || !remote[0])
		return qnm_err_set(err, -EINVAL, field, "%s: empty: give " QNM_OVSDB_REMOTE_RULE,
				   field);
	if (!qnm_valid_ovsdb_remote(remote))
		return qnm_err_set(err, -EINVAL, field, "%s: '%s' is not " QNM_OVSDB_REMOTE_RULE,
				   field, remote);
	return 0;
}

/* wait for @events on @fd until @deadline; 0, -ETIMEDOUT or -errno */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int qnm_ovsdb_connect(const char *remote, int timeout_ms, struct qnm_ovsdb **out,
		      struct qnm_err *err)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	socklen_t sl;
	long long deadline = now_ms() + timeout_ms;
	struct qnm_ovsdb *db;
	int fd, r, soerr;
	socklen_t el = sizeof(soerr);

	*out = NULL;
	r = qnm_ovsdb_remote_check(remote, "remote", err);
	if (r)
		return r;
	memset(&ss, 0, sizeof(ss));
	if (strncmp(remote, "tcp:", 4) == 0) {
		parse_tcp(remote + 4, (struct sockaddr_in *)&ss);
		sl = sizeof(struct sockaddr_in);
	} else {
		sun->sun_family = AF_UNIX;
		qnm_strlcpy(sun->sun_path, unix_path(remote), sizeof(sun->sun_path));
		sl = sizeof(*sun);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return qnm_err_set(err, -errno, "remote", "remote %s: socket: %s", remote,
				   strerror(errno));
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (errno != EINPROGRESS) {
			r = -errno;
			goto fail;
		}
		r = wait_fd(fd, POLLOUT, deadline);
		if (r)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) < 0)
			soerr = errno;
		if (soerr) {
			r = -soerr;
			goto fail;
		}
	}
	db = xcalloc(1, sizeof(*db));
	db->fd = fd;
	db->timeout_ms = timeout_ms;
	db->tok = json_tokener_new();
	db->next_id = 1;
	*out = db;
	return 0;
fail:
	close(fd);
	return qnm_err_set(err, r, "remote", "remote %s: cannot connect: %s", remote, strerror(-r));
}

void qnm_ovsdb_close(struct qnm_ovsdb *db)
{
	if (!db)
		return;
	close(db->fd);
	json_tokener_free(db->tok);
	free(db);
}

static int send_all(struct qnm_ovsdb *db, const char *s, size_t n, long long deadline)
{
	ssize_t w;
	int r;

	while (n) {
		w = send(db->fd, s, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			r = wait_fd(db->fd, POLLOUT, deadline);
			if (r)
				return r;
			continue;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_json(struct qnm_ovsdb *db, json_object *msg, long long deadline)
{
	const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);

	return send_all(db, s, strlen(s), deadline);
}

/* the next whole message from the server; 0 or -errno */
static int read_msg(struct qnm_ovsdb *db, json_object **msg, long long deadline)
{
	enum json_tokener_error e;
	json_object *o;
	ssize_t n;
	int r;

	for (;;) {
		if (db->off < db->len) {
			o = json_tokener_parse_ex(db->tok, db->buf + db->off,
						  (int)(db->len - db->off));
			e = json_tokener_get_error(db->tok);
			if (o) {
				db->off += json_tokener_get_parse_end(db->tok);
				json_tokener_reset(db->tok);
				*msg = o;
				return 0;
			}
			if (e != json_tokener_continue)
				return -EPROTO;
			db->off = db->len = 0; /* all consumed into the tokener */
		}
		db->off = db->len = 0;
		n = recv(db->fd, db->buf, sizeof(db->buf), 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			r = wait_fd(db->fd, POLLIN, deadline);
			if (r)
				return r;
			continue;
		}
		db->len = (size_t)n;
	}
}

/* answer the server's echo request @msg (RFC 7047 4.1.11) */
static int answer_echo(struct qnm_ovsdb *db, json_object *msg, long long deadline)
{
	json_object *rep = json_object_new_object(), *params, *id;
	int r;

	json_object_object_get_ex(msg, "params", &params);
	json_object_object_get_ex(msg, "id", &id);
	json_object_object_add(rep, "result", json_object_get(params));
	json_object_object_add(rep, "error", NULL);
	json_object_object_add(rep, "id", json_object_get(id));
	r = send_json(db, rep, deadline);
	json_object_put(rep);
	return r;
}

/* send @method(@params) (taken over) and wait for its result */
static int call(struct qnm_ovsdb *db, const char *method, json_object *params, json_object **result,
		struct qnm_err *err)
{
	long long deadline = now_ms() + db->timeout_ms;
	json_object *req = json_object_new_object(), *msg = NULL, *v;
	long id = db->next_id++;
	int r;

	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int64(id));
	r = send_json(db, req, deadline);
	json_object_put(req);
	while (r == 0) {
		r = read_msg(db, &msg, deadline);
		if (r)
			break;
		if (json_object_object_get_ex(msg, "method", &v) &&
		    strcmp(json_object_get_string(v), "echo") == 0) {
			r = answer_echo(db, msg, deadline);
		} else if (json_object_object_get_ex(msg, "id", &v) &&
			   json_object_is_type(v, json_type_int) &&
			   json_object_get_int64(v) == id) {
			if (json_object_object_get_ex(msg, "error", &v) && v) {
				r = qnm_err_set(err, -EIO, "ovsdb", "ovsdb %s: %s", method,
						json_object_get_string(v));
			} else {
				json_object_object_get_ex(msg, "result", &v);
				if (result)
					*result = json_object_get(v);
			}
			json_object_put(msg);
			return r;
		}
		json_object_put(msg); /* an update or an answer to nothing we wait for */
		msg = NULL;
	}
	return qnm_err_set(err, r, "ovsdb", "ovsdb %s: %s", method,
			   r == -EPROTO ? "the server's answer is not JSON" : strerror(-r));
}

int qnm_ovsdb_call(struct qnm_ovsdb *db, const char *method, json_object *params,
		   json_object **result, struct qnm_err *err)
{
	return call(db, method, params, result, err);
}

int qnm_ovsdb_transact(struct qnm_ovsdb *db, const char *dbname, json_object *ops,
		       json_object **result, struct qnm_err *err)
{
	json_object *params = json_object_new_array(), *res = NULL, *o, *e, *d;
	size_t i, n;
	int r;

	json_object_array_add(params, json_object_new_string(dbname));
	n = json_object_array_length(ops);
	for (i = 0; i < n; i++)
		json_object_array_add(params, json_object_get(json_object_array_get_idx(ops, i)));
	json_object_put(ops);
	r = call(db, "transact", params, &res, err);
	if (r)
		return r;
	n = json_object_is_type(res, json_type_array) ? json_object_array_length(res) : 0;
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(res, i);
		if (o && json_object_object_get_ex(o, "error", &e) && e) {
			if (!json_object_object_get_ex(o, "details", &d))
				d = NULL;
			r = qnm_err_set(err, -EIO, "ovsdb", "ovsdb transaction on %s: %s%s%s",
					dbname, json_object_get_string(e), d ? ": " : "",
					d ? json_object_get_string(d) : "");
			json_object_put(res);
			return r;
		}
	}
	if (result)
		*result = res;
	else
		json_object_put(res);
	return 0;
}

int qnm_ovsdb_select1(struct qnm_ovsdb *db, const char *dbname, const char *table,
		      json_object *where, json_object **rows, struct qnm_err *err)
{
	json_object *ops = json_object_new_array(), *res = NULL, *o;
	int r;

	json_object_array_add(ops, qnm_ovsdb_op_select(table, where));
	r = qnm_ovsdb_transact(db, dbname, ops, &res, err);
	if (r)
		return r;
	o = json_object_array_get_idx(res, 0);
	if (!o || !json_object_object_get_ex(o, "rows", rows)) {
		json_object_put(res);
		return qnm_err_set(err, -EPROTO, "ovsdb",
				   "ovsdb select on %s: no rows in the answer", table);
	}
	json_object_get(*rows);
	json_object_put(res);
	return 0;
}

/* ---- operations ---- */

static json_object *op_new(const char *op, const char *table)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "op", json_object_new_string(op));
	json_object_object_add(o, "table", json_object_new_string(table));
	return o;
}

json_object *qnm_ovsdb_op_insert(const char *table, json_object *row, const char *uuid_name)
{
	json_object *o = op_new("insert", table);

	json_object_object_add(o, "row", row);
	if (uuid_name)
		json_object_object_add(o, "uuid-name", json_object_new_string(uuid_name));
	return o;
}

json_object *qnm_ovsdb_op_update(const char *table, json_object *where, json_object *row)
{
	json_object *o = op_new("update", table);

	json_object_object_add(o, "where", where ? where : json_object_new_array());
	json_object_object_add(o, "row", row);
	return o;
}

json_object *qnm_ovsdb_op_delete(const char *table, json_object *where)
{
	json_object *o = op_new("delete", table);

	json_object_object_add(o, "where", where ? where : json_object_new_array());
	return o;
}

json_object *qnm_ovsdb_op_mutate(const char *table, json_object *where, const char *column,
				 const char *mutator, json_object *value)
{
	json_object *o = op_new("mutate", table), *m = json_object_new_array(),
		    *ms = json_object_new_array();

	json_object_object_add(o, "where", where ? where : json_object_new_array());
	json_object_array_add(m, json_object_new_string(column));
	json_object_array_add(m, json_object_new_string(mutator));
	json_object_array_add(m, value);
	json_object_array_add(ms, m);
	json_object_object_add(o, "mutations", ms);
	return o;
}

json_object *qnm_ovsdb_op_wait(const char *table, json_object *where, json_object *columns,
			       const char *until, json_object *rows, int timeout_ms)
{
	json_object *o = op_new("wait", table);

	json_object_object_add(o, "where", where ? where : json_object_new_array());
	json_object_object_add(o, "columns", columns);
	json_object_object_add(o, "until", json_object_new_string(until));
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "timeout", json_object_new_int(timeout_ms));
	return o;
}

json_object *qnm_ovsdb_op_select(const char *table, json_object *where)
{
	json_object *o = op_new("select", table);

	json_object_object_add(o, "where", where ? where : json_object_new_array());
	return o;
}

/* ---- conditions and values ---- */

static json_object *pair(const char *tag, json_object *v)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_string(tag));
	json_object_array_add(a, v);
	return a;
}

json_object *qnm_ovsdb_where(const char *column, const char *fn, json_object *value)
{
	json_object *c = json_object_new_array(), *w = json_object_new_array();

	json_object_array_add(c, json_object_new_string(column));
	json_object_array_add(c, json_object_new_string(fn));
	json_object_array_add(c, value);
	json_object_array_add(w, c);
	return w;
}

json_object *qnm_ovsdb_where_uuid(const char *uuid)
{
	return qnm_ovsdb_where("_uuid", "==", qnm_ovsdb_uuid(uuid));
}

json_object *qnm_ovsdb_uuid(const char *uuid)
{
	return pair("uuid", json_object_new_string(uuid));
}

json_object *qnm_ovsdb_named(const char *name)
{
	return pair("named-uuid", json_object_new_string(name));
}

json_object *qnm_ovsdb_set(json_object *items)
{
	return pair("set", items);
}

json_object *qnm_ovsdb_map(const char *const *kv, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_object *p = json_object_new_array();

		json_object_array_add(p, json_object_new_string(kv[2 * i]));
		json_object_array_add(p, json_object_new_string(kv[2 * i + 1]));
		json_object_array_add(a, p);
	}
	return pair("map", a);
}

json_object *qnm_ovsdb_map1(const char *k, const char *v)
{
	const char *kv[2] = { k, v };

	return qnm_ovsdb_map(kv, 1);
}

const char *qnm_ovsdb_map_get(json_object *map, const char *key)
{
	json_object *a, *p;
	size_t i, n;

	if (!json_object_is_type(map, json_type_array) || json_object_array_length(map) != 2)
		return NULL;
	a = json_object_array_get_idx(map, 1);
	n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(a, i);
		if (json_object_is_type(p, json_type_array) && json_object_array_length(p) == 2 &&
		    strcmp(json_object_get_string(json_object_array_get_idx(p, 0)), key) == 0)
			return json_object_get_string(json_object_array_get_idx(p, 1));
	}
	return NULL;
}

/* the uuid string of ["uuid", S], or NULL */
static const char *uuid_of(json_object *v)
{
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2)
		return NULL;
	return json_object_get_string(json_object_array_get_idx(v, 1));
}

const char *qnm_ovsdb_row_uuid(json_object *row)
{
	json_object *v;

	return json_object_object_get_ex(row, "_uuid", &v) ? uuid_of(v) : NULL;
}

const char *qnm_ovsdb_result_uuid(json_object *result, size_t i)
{
	json_object *o = json_object_array_get_idx(result, i), *v;

	return o && json_object_object_get_ex(o, "uuid", &v) ? uuid_of(v) : NULL;
}
