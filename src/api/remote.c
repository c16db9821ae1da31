// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * api/remote.c - the client side of "qnm serve --stdio" over the system's
 * ssh (remote.h): the ssh argv, the handshake, requests with deadlines, and
 * a request sent to every host at once (one thread per host).
 */
#include "build-config.h"

#include "api/remote.h"
#include "api/serve.h"
#include "core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* the longest ssh error kept */
#define STDERR_MAX 2048
/* a control socket's path: ssh adds ".XXXXXXXXXXXXXXXX" while making it */
#define SUN_PATH_ROOM  (sizeof(((struct sockaddr_un *)0)->sun_path) - 18)
#define CLI_TIMEOUT_MS (24 * 3600 * 1000)
/* seconds a multiplexed connection stays after its last use */
#define CONTROL_PERSIST "60"

/**
 * struct qnm_remote - one connection.
 * @name:    the host's name, for messages.
 * @dest:    its destination, for messages.
 * @pid:     the ssh process (0 once reaped).
 * @in:      ssh's stdin (requests), -1 when closed.
 * @out:     ssh's stdout (replies).
 * @errfd:   ssh's stderr (its errors and the remote's).
 * @buf:     what was read from @out and not yet taken as lines.
 * @errbuf:  what @errfd said.
 * @next_id: the next request's id.
 * @broken:  a timeout or a broken stream: no more requests.
 * @version: the qnm version of the handshake.
 */
struct qnm_remote {
	char name[QNM_NAME_MAX + 1];
	char *dest;
	pid_t pid;
	int in;
	int out;
	int errfd;
	struct qnm_strbuf buf;
	struct qnm_strbuf errbuf;
	long next_id;
	bool broken;
	char version[32];
};

/* the path of @h's control socket (caller frees): in a dot directory, which no VM's name can be */
static char *control_path(const struct qnm_ctx *ctx, const char *name)
{
	return xasprintf("%s/.ssh/%s", ctx->paths.runtime_dir, name);
}

/*
 * the ssh command line for @h up to the remote command ("ssh ... -- HOST");
 * @tty: -tt; @own: a connection of its own, not the multiplexed one (whose
 * master keeps a session's descriptors while the command there runs).
 */
static void ssh_argv(const struct qnm_ctx *ctx, const struct qnm_host *h,
		     const struct qnm_ssh_dest *d, int timeout_ms, bool tty, bool own,
		     struct qnm_strv *av)
{
	char *dir = xasprintf("%s/.ssh", ctx->paths.runtime_dir);
	char *sock = control_path(ctx, h->name);
	bool mux = !own && strlen(sock) <= SUN_PATH_ROOM && qnm_mkdir_p(dir, 0700) == 0;

	qnm_strv_add(av, "ssh");
	qnm_strv_add(av, tty ? "-tt" : "-T");
	qnm_strv_add(av, "-e");
	qnm_strv_add(av, "none");
	qnm_strv_add(av, "-o");
	qnm_strv_add(av, "BatchMode=yes");
	qnm_strv_add(av, "-o");
	qnm_strv_addf(av, "ConnectTimeout=%d", timeout_ms > 2000 ? timeout_ms / 1000 : 2);
	qnm_strv_add(av, "-o");
	qnm_strv_add(av, "ServerAliveInterval=2");
	qnm_strv_add(av, "-o");
	qnm_strv_add(av, "ServerAliveCountMax=2");
	qnm_strv_add(av, "-o");
	qnm_strv_add(av, mux ? "ControlMaster=auto" : "ControlMaster=no");
	if (!mux) {
		/* nor a master of the user's own ssh configuration */
		qnm_strv_add(av, "-o");
		qnm_strv_add(av, "ControlPath=none");
	}
	if (mux) {
		qnm_strv_add(av, "-o");
		qnm_strv_addf(av, "ControlPath=%s", sock);
		qnm_strv_add(av, "-o");
		qnm_strv_add(av, "ControlPersist=" CONTROL_PERSIST);
	}
	if (d->port) {
		qnm_strv_add(av, "-p");
		qnm_strv_addf(av, "%u", d->port);
	}
	if (d->user[0]) {
		qnm_strv_add(av, "-l");
		qnm_strv_add(av, d->user);
	}
	qnm_strv_add(av, "--");
	qnm_strv_add(av, d->host);
	free(sock);
	free(dir);
}

/*
 * write(2) to ssh's stdin without SIGPIPE when ssh is gone (EPIPE instead):
 * SIGPIPE blocked in this thread meanwhile and one it raised taken, so the
 * process (a UI asking hosts in worker threads) is not killed by it.
 */
static ssize_t write_nopipe(int fd, const void *buf, size_t n)
{
	struct timespec zero = { 0, 0 };
	sigset_t set, old;
	ssize_t w;
	int e;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	w = write(fd, buf, n);
	e = errno;
	if (w < 0 && e == EPIPE && !sigismember(&old, SIGPIPE))
		while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return w;
}

/* kill (when still running) and reap ssh */
static void reap(struct qnm_remote *r, int grace_ms)
{
	int64_t end = qnm_mono_ms_int() + grace_ms;
	int st;

	while (r->pid > 0) {
		pid_t w = waitpid(r->pid, &st, WNOHANG);

		if (w == r->pid || (w < 0 && errno != EINTR)) {
			r->pid = 0;
			break;
		}
		if (qnm_mono_ms_int() >= end) {
			kill(r->pid, SIGKILL);
			while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
				;
			r->pid = 0;
			break;
		}
		usleep(10000);
	}
}

/* read what @fd has into @sb (up to @max bytes kept); Return: bytes read, 0 at end, -1 none */
static ssize_t take(int fd, struct qnm_strbuf *sb, size_t max)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0 && sb->len < max)
		qnm_sb_addn(sb, buf, (size_t)n);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	return n < 0 ? 0 : n;
}

/* ssh's last words (stderr), one line, for messages */
static const char *ssh_said(struct qnm_remote *r)
{
	char *s = r->errbuf.s, *e;

	while (r->errfd >= 0 && take(r->errfd, &r->errbuf, STDERR_MAX) > 0)
		s = r->errbuf.s;
	while (*s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	for (e = s; *e; e++)
		if (*e == '\n' || *e == '\r')
			*e = ' ';
	return *s ? s : "(ssh said nothing)";
}

/*
 * the next line of @r's output into *@line (owned by the caller), waiting
 * until @deadline (ms, qnm_mono_ms_int(); <0: none). Return: 0,
 * -ETIMEDOUT, or -EPIPE (the stream ended).
 */
static int read_line(struct qnm_remote *r, int64_t deadline, char **line)
{
	for (;;) {
		char *nl = memchr(r->buf.s, '\n', r->buf.len);
		struct pollfd p[2] = { { .fd = r->out, .events = POLLIN },
				       { .fd = r->errfd, .events = POLLIN } };
		int wait = -1;
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - r->buf.s);

			*line = xmalloc(len + 1);
			memcpy(*line, r->buf.s, len);
			(*line)[len] = '\0';
			memmove(r->buf.s, nl + 1, r->buf.len - len - 1);
			r->buf.len -= len + 1;
			r->buf.s[r->buf.len] = '\0';
			return 0;
		}
		if (deadline >= 0) {
			int64_t left = deadline - qnm_mono_ms_int();

			if (left <= 0)
				return -ETIMEDOUT;
			wait = (int)left;
		}
		if (poll(p, r->errfd >= 0 ? 2 : 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			return -EPIPE;
		}
		if (p[1].revents && r->errfd >= 0 && take(r->errfd, &r->errbuf, STDERR_MAX) == 0) {
			close(r->errfd);
			r->errfd = -1;
		}
		if (!p[0].revents)
			continue;
		n = take(r->out, &r->buf, SIZE_MAX);
		if (n == 0)
			return -EPIPE;
	}
}

/* the error of a stream that ended or timed out, after ssh is reaped */
static int lost(struct qnm_remote *r, int code, const char *when, int timeout_ms,
		struct qnm_err *err)
{
	r->broken = true;
	if (code == -ETIMEDOUT) {
		reap(r, 0);
		return qnm_err_set(err, -ETIMEDOUT, "host",
				   "host %s (%s): no answer %s within %.1f s", r->name, r->dest,
				   when, timeout_ms / 1000.0);
	}
	reap(r, 1000);
	return qnm_err_set(err, -EHOSTUNREACH, "host", "host %s (%s): unreachable %s: %s", r->name,
			   r->dest, when, ssh_said(r));
}

/* check the handshake line @line */
static int handshake(struct qnm_remote *r, const char *line, struct qnm_err *err)
{
	json_object *o = json_tokener_parse(line), *v = NULL, *p = NULL;
	int r2 = 0;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "qnm", &v) ||
	    !json_object_object_get_ex(o, "protocol", &p))
		r2 = qnm_err_set(err, -EPROTO, "host",
				 "host %s (%s): what answered is not qnm serve: '%.80s'", r->name,
				 r->dest, line);
	else if (json_object_get_int(p) != QNM_PROTOCOL)
		r2 = qnm_err_set(
			err, -EPROTO, "host",
			"host %s (%s) runs qnm %s (protocol %d); this qnm %s speaks protocol "
			"%d: install the same qnm version on both",
			r->name, r->dest, json_object_get_string(v), json_object_get_int(p),
			PACKAGE_VERSION, QNM_PROTOCOL);
	else
		snprintf(r->version, sizeof(r->version), "%s", json_object_get_string(v));
	json_object_put(o);
	return r2;
}

int qnm_api_remote_open(const struct qnm_ctx *ctx, const struct qnm_host *h, int timeout_ms,
			struct qnm_remote **out, struct qnm_err *err)
{
	int64_t deadline = qnm_mono_ms_int() + timeout_ms;
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	struct qnm_ssh_dest d;
	struct qnm_remote *r;
	struct qnm_strv av;
	char *line = NULL, *last, *ssh;
	int rc;

	*out = NULL;
	rc = qnm_api_host_parse_dest(h->destination, &d, err);
	if (rc)
		return rc;
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		rc = qnm_err_set(err, -errno, "", "pipe: %s", strerror(errno));
		for (int k = 0; k < 2; k++) {
			if (pin[k] >= 0)
				close(pin[k]);
			if (pout[k] >= 0)
				close(pout[k]);
		}
		return rc;
	}
	qnm_strv_init(&av);
	ssh_argv(ctx, h, &d, timeout_ms, false, false, &av);
	qnm_strv_add(&av, h->qnm);
	qnm_strv_add(&av, "serve");
	qnm_strv_add(&av, "--stdio");
	qnm_strv_add(&av, ""); /* room for the NULL */
	last = av.v[av.n - 1];
	av.v[av.n - 1] = NULL;
	r = xcalloc(1, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", h->name);
	r->dest = xstrdup(h->destination);
	qnm_sb_init(&r->buf);
	qnm_sb_init(&r->errbuf);
	ssh = qnm_which("ssh");
	rc = ssh ? qnm_spawn_io(ssh, av.v, pin[0], pout[1], perr[1], &r->pid) : -ENOENT;
	free(ssh);
	av.v[av.n - 1] = last;
	qnm_strv_free(&av);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	r->in = pin[1];
	r->out = pout[0];
	r->errfd = perr[0];
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	fcntl(r->errfd, F_SETFL, O_NONBLOCK);
	if (rc) {
		r->pid = 0;
		rc = qnm_err_set(err, rc, "", "cannot run ssh: %s (Debian package openssh-client)",
				 strerror(-rc));
		qnm_api_remote_close(r);
		return rc;
	}
	rc = read_line(r, deadline, &line);
	if (rc == -EPIPE) {
		reap(r, 1000);
		rc = qnm_err_set(
			err, -EHOSTUNREACH, "host",
			"host %s (%s): unreachable, or its qnm (%s) does not answer 'serve "
			"--stdio' (this qnm is %s): %s",
			h->name, h->destination, h->qnm, PACKAGE_VERSION, ssh_said(r));
	} else if (rc) {
		rc = lost(r, rc, "at connect", timeout_ms, err);
	} else {
		rc = handshake(r, line, err);
	}
	free(line);
	if (rc) {
		qnm_api_remote_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

const char *qnm_api_remote_version(const struct qnm_remote *r)
{
	return r->version;
}

int qnm_api_remote_call(struct qnm_remote *r, const char *op, json_object *args, int timeout_ms,
			json_object **result, struct qnm_err *err)
{
	int64_t deadline = timeout_ms < 0 ? -1 : qnm_mono_ms_int() + timeout_ms;
	json_object *req, *rep = NULL, *v;
	long id;
	const char *s;
	char *line = NULL;
	size_t len, off = 0;
	int rc = 0;

	*result = NULL;
	if (!r) {
		json_object_put(args);
		return qnm_err_set(err, -ENOTCONN, "", "%s: no connection to the host", op);
	}
	id = ++r->next_id;
	req = json_object_new_object();
	if (r->broken) {
		json_object_put(args);
		json_object_put(req);
		return qnm_err_set(err, -ENOTCONN, "host", "host %s: the connection is lost",
				   r->name);
	}
	json_object_object_add(req, "id", json_object_new_int64(id));
	json_object_object_add(req, "op", json_object_new_string(op));
	if (args)
		json_object_object_add(req, "args", args);
	s = json_object_to_json_string_ext(req,
					   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	while (off <= len && !rc) {
		ssize_t n = off < len ? write_nopipe(r->in, s + off, len - off)
				      : write_nopipe(r->in, "\n", 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -EPIPE;
		else
			off += off < len ? (size_t)n : 1;
	}
	json_object_put(req);
	while (!rc) {
		rc = read_line(r, deadline, &line);
		if (rc)
			break;
		rep = json_tokener_parse(line);
		free(line);
		line = NULL;
		if (rep && json_object_object_get_ex(rep, "id", &v) &&
		    json_object_get_int64(v) == id)
			break;
		json_object_put(rep); /* a late reply to a request that timed out */
		rep = NULL;
	}
	if (rc)
		return lost(r, rc, op, timeout_ms, err);
	if (json_object_object_get_ex(rep, "ok", &v) && json_object_get_boolean(v)) {
		if (json_object_object_get_ex(rep, "result", &v))
			*result = json_object_get(v);
	} else {
		json_object *e = NULL, *f = NULL, *m = NULL;

		json_object_object_get_ex(rep, "errno", &e);
		json_object_object_get_ex(rep, "field", &f);
		json_object_object_get_ex(rep, "error", &m);
		rc = e && json_object_get_int(e) > 0 ? -json_object_get_int(e) : -EIO;
		qnm_err_set(err, rc, f ? json_object_get_string(f) : "", "%s",
			    m ? json_object_get_string(m) : "the host gave no reason");
	}
	json_object_put(rep);
	return rc;
}

void qnm_api_remote_close(struct qnm_remote *r)
{
	if (!r)
		return;
	if (r->in >= 0)
		close(r->in); /* end of input: the remote qnm ends, then ssh */
	r->in = -1;
	reap(r, r->broken ? 0 : 1000);
	if (r->out >= 0)
		close(r->out);
	if (r->errfd >= 0)
		close(r->errfd);
	qnm_sb_free(&r->buf);
	qnm_sb_free(&r->errbuf);
	free(r->dest);
	free(r);
}

void qnm_api_remote_disconnect(const struct qnm_ctx *ctx, const struct qnm_host *h)
{
	char *sock = control_path(ctx, h->name), *opt = xasprintf("ControlPath=%s", sock);
	char *argv[] = { "ssh", "-o", opt, "-O", "exit", "--", NULL, NULL };
	char *ssh = qnm_which("ssh");
	struct qnm_ssh_dest d;
	struct qnm_remote r = { .pid = 0 };

	if (ssh && access(sock, F_OK) == 0 &&
	    qnm_api_host_parse_dest(h->destination, &d, NULL) == 0) {
		argv[6] = d.host;
		if (qnm_spawn(ssh, argv, -1, -1, &r.pid) == 0)
			reap(&r, 2000);
	}
	free(ssh);
	free(opt);
	free(sock);
}

/* the registered host @name (into @hosts, which the caller frees) */
static const struct qnm_host *find_host(const struct qnm_ctx *ctx, const char *name,
					struct qnm_hosts *hosts, struct qnm_err *err)
{
	const struct qnm_host *h;

	if (qnm_api_host_list(ctx, hosts, err))
		return NULL;
	h = qnm_api_host_find(hosts, name);
	if (!h)
		qnm_err_set(err, -ENOENT, "host", "no host named '%s' (qnm host list shows them)",
			    name);
	return h;
}

/* copy the string member @key of @o to @f */
static void copy_out(json_object *o, const char *key, FILE *f)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v)) {
		fwrite(json_object_get_string(v), 1, (size_t)json_object_get_string_len(v), f);
		fflush(f);
	}
}

int qnm_api_remote_cli(const struct qnm_ctx *ctx, const char *name, int argc, char **argv,
		       FILE *out, FILE *errout, int *status, struct qnm_err *err)
{
	json_object *args = json_object_new_object(), *av = json_object_new_array(), *res = NULL;
	struct qnm_remote *r = NULL;
	struct qnm_hosts hosts;
	const struct qnm_host *h = find_host(ctx, name, &hosts, err);
	int i, rc;

	*status = 1;
	for (i = 0; i < argc; i++)
		json_object_array_add(av, json_object_new_string(argv[i]));
	json_object_object_add(args, "argv", av);
	rc = h ? qnm_api_remote_open(ctx, h, QNM_HOST_TIMEOUT_MS, &r, err) : err->code;
	if (rc) {
		json_object_put(args);
		qnm_api_hosts_free(&hosts);
		return rc;
	}
	rc = qnm_api_remote_call(r, "cli", args, CLI_TIMEOUT_MS, &res, err);
	if (!rc) {
		json_object *v;

		copy_out(res, "stdout", out);
		copy_out(res, "stderr", errout);
		if (json_object_object_get_ex(res, "status", &v))
			*status = json_object_get_int(v);
	}
	json_object_put(res);
	qnm_api_remote_close(r);
	qnm_api_hosts_free(&hosts);
	return rc;
}

/* the ssh command line running "QNM ARGV..." on @h into @av (NULL-terminated), ssh's path into *@ssh */
static int remote_argv(const struct qnm_ctx *ctx, const struct qnm_host *h, int argc,
		       char *const *argv, bool tty, struct qnm_strv *av, char **ssh,
		       struct qnm_err *err)
{
	struct qnm_ssh_dest d;
	int i, rc = qnm_api_host_parse_dest(h->destination, &d, err);

	if (rc)
		return rc;
	*ssh = qnm_which("ssh");
	if (!*ssh)
		return qnm_err_set(
			err, -ENOENT, "",
			"cannot run ssh: no ssh in PATH (Debian package openssh-client)");
	qnm_strv_init(av);
	/*
	 * Without a terminal there, nothing tells the command its reader left:
	 * over the multiplexed connection ssh's master would keep this end's
	 * streams until it ends (a --follow that waits for a quiet guest);
	 * over a connection of its own they close when ssh does.
	 */
	ssh_argv(ctx, h, &d, QNM_HOST_TIMEOUT_MS, tty, !tty, av);
	qnm_strv_add(av, h->qnm);
	for (i = 0; i < argc; i++)
		qnm_strv_take(av, qnm_shell_quote(argv[i])); /* a word of the shell there */
	qnm_strv_add(av, "");				     /* room for the NULL */
	free(av->v[av->n - 1]);
	av->v[av->n - 1] = NULL;
	return 0;
}

/* free what remote_argv() made (its last slot is the NULL) */
static void remote_argv_free(struct qnm_strv *av, char *ssh)
{
	qnm_strv_free(av);
	free(ssh);
}

int qnm_api_remote_spawn(const struct qnm_ctx *ctx, const struct qnm_host *h, int argc,
			 char *const *argv, bool tty, int in_fd, int out_fd, int err_fd, pid_t *pid,
			 struct qnm_err *err)
{
	struct qnm_strv av;
	char *ssh = NULL;
	int rc = remote_argv(ctx, h, argc, argv, tty, &av, &ssh, err);

	if (rc)
		return rc;
	rc = qnm_spawn_io(ssh, av.v, in_fd, out_fd, err_fd, pid);
	remote_argv_free(&av, ssh);
	if (rc)
		return qnm_err_set(err, rc, "",
				   "cannot run ssh: %s (Debian package openssh-client)",
				   strerror(-rc));
	return 0;
}

int qnm_api_remote_command(const struct qnm_ctx *ctx, const char *name, int argc, char **argv,
			   bool tty, struct qnm_remote_cmd *out, struct qnm_err *err)
{
	struct qnm_remote *r = NULL;
	struct qnm_hosts hosts;
	const struct qnm_host *h = find_host(ctx, name, &hosts, err);
	int rc;

	memset(out, 0, sizeof(*out));
	/* the versions are checked first; the command then shares that connection */
	rc = h ? qnm_api_remote_open(ctx, h, QNM_HOST_TIMEOUT_MS, &r, err) : err->code;
	qnm_api_remote_close(r);
	if (!rc)
		rc = remote_argv(ctx, h, argc, argv, tty, &out->argv, &out->ssh, err);
	qnm_api_hosts_free(&hosts);
	return rc;
}

void qnm_api_remote_command_free(struct qnm_remote_cmd *c)
{
	if (c->ssh)
		remote_argv_free(&c->argv, c->ssh);
	memset(c, 0, sizeof(*c));
}

/**
 * struct call_all - one host's thread of qnm_api_hosts_call_all().
 * @ctx:        the context (read only: paths).
 * @host:       the host.
 * @op:         the request.
 * @timeout_ms: its deadline.
 * @ans:        where its answer goes.
 * @thread:     the thread.
 * @started:    @thread runs (join it).
 */
struct call_all {
	const struct qnm_ctx *ctx;
	const struct qnm_host *host;
	const char *op;
	int timeout_ms;
	struct qnm_host_answer *ans;
	pthread_t thread;
	bool started;
};

static void *call_one(void *arg)
{
	struct call_all *c = arg;
	double t0 = qnm_mono_ms();
	int64_t end = qnm_mono_ms_int() + c->timeout_ms;
	struct qnm_remote *r = NULL;

	c->ans->r = qnm_api_remote_open(c->ctx, c->host, c->timeout_ms, &r, &c->ans->err);
	if (!c->ans->r) {
		int left = (int)(end - qnm_mono_ms_int());

		snprintf(c->ans->version, sizeof(c->ans->version), "%s", r->version);
		c->ans->r = qnm_api_remote_call(r, c->op, NULL, left > 0 ? left : 1,
						&c->ans->result, &c->ans->err);
	}
	qnm_api_remote_close(r);
	c->ans->ms = qnm_mono_ms() - t0;
	return NULL;
}

int qnm_api_hosts_call_all(struct qnm_ctx *ctx, const char *op, int timeout_ms,
			   struct qnm_host_answer **out, size_t *n, struct qnm_err *err)
{
	struct qnm_host_answer *v;
	struct call_all *calls;
	struct qnm_hosts hosts;
	double t0 = qnm_mono_ms();
	size_t i;
	int r = qnm_api_host_list(ctx, &hosts, err);

	*out = NULL;
	*n = 0;
	if (r)
		return r;
	v = xcalloc(hosts.n + 1, sizeof(*v));
	calls = xcalloc(hosts.n + 1, sizeof(*calls));
	for (i = 0; i < hosts.n; i++) {
		calls[i] = (struct call_all){ .ctx = ctx,
					      .host = &hosts.v[i],
					      .op = op,
					      .timeout_ms = timeout_ms,
					      .ans = &v[i + 1] };
		snprintf(v[i + 1].host, sizeof(v[i + 1].host), "%s", hosts.v[i].name);
		calls[i].started = pthread_create(&calls[i].thread, NULL, call_one, &calls[i]) == 0;
		if (!calls[i].started)
			v[i + 1].r =
				qnm_err_set(&v[i + 1].err, -EAGAIN, "", "cannot start a thread");
	}
	snprintf(v[0].host, sizeof(v[0].host), "local");
	snprintf(v[0].version, sizeof(v[0].version), "%s", PACKAGE_VERSION);
	v[0].r = qnm_api_serve_call(ctx, op, NULL, &v[0].result, &v[0].err);
	v[0].ms = qnm_mono_ms() - t0;
	for (i = 0; i < hosts.n; i++)
		if (calls[i].started)
			pthread_join(calls[i].thread, NULL);
	free(calls);
	qnm_api_hosts_free(&hosts);
	*out = v;
	*n = i + 1;
	return 0;
}

void qnm_api_host_answers_free(struct qnm_host_answer *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_object_put(v[i].result);
	free(v);
}
