// SPDX-License-Identifier: GPL-2.0-or-later
/* owner.c - records of what qnm created, in RUNDIR/owned. */
#include "build-config.h"

#include "host/owner.h"
#include "core/config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define OWNED_MAX (1024 * 1024)

static const char *const kind_names[QNM_OWN__COUNT] = {
	[QNM_OWN_BRIDGE] = "bridge",   [QNM_OWN_TAP] = "tap",	[QNM_OWN_PORT] = "port",
	[QNM_OWN_DNSMASQ] = "dnsmasq", [QNM_OWN_NFT] = "nft",	[QNM_OWN_NET] = "net",
	[QNM_OWN_SYSCTL] = "sysctl",   [QNM_OWN_ADDR] = "addr", [QNM_OWN_HOSTIP] = "hostip",
};

const char *qnm_own_kind_name(enum qnm_own_kind k)
{
	return (unsigned)k < QNM_OWN__COUNT ? kind_names[k] : "?";
}

unsigned long long qnm_netns_id(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return (unsigned long long)st.st_ino;
}

static bool word_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n >= max)
		return false;
	return strcspn(s, " \t\n") == n;
}

/* "pending=PID:START" or "start=TICKS" after the extra, into @rec; false when neither */
static bool parse_attr(const char *w, struct qnm_own_rec *rec)
{
	int pid;
	unsigned long long t;
	char end;

	if (sscanf(w, "pending=%d:%llu%c", &pid, &t, &end) == 2 && pid > 0) {
		rec->pending = pid;
		rec->pending_start = t;
		return true;
	}
	if (sscanf(w, "start=%llu%c", &t, &end) == 1) {
		rec->pid_start = t;
		return true;
	}
	return false;
}

int qnm_owner_parse(const char *text, struct qnm_own_rec **v, size_t *n, struct qnm_err *err)
{
	struct qnm_own_rec *out = NULL;
	size_t cnt = 0, cap = 0;
	unsigned line = 0;
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[512], kind[32], name[64], extra[128], a1[64], a2[64];
		struct qnm_own_rec rec;
		unsigned long long ns;
		int k, got;

		line++;
		if (len >= sizeof(buf))
			goto bad;
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (eol ? 1 : 0);
		if (!buf[0] || buf[0] == '#')
			continue;
		extra[0] = '\0';
		got = sscanf(buf, "%31s %63s %llu %127s %63s %63s", kind, name, &ns, extra, a1, a2);
		if (got < 3)
			goto bad;
		for (k = 0; k < QNM_OWN__COUNT; k++)
			if (strcmp(kind, kind_names[k]) == 0)
				break;
		if (k == QNM_OWN__COUNT)
			goto bad;
		memset(&rec, 0, sizeof(rec));
		if ((got > 4 && !parse_attr(a1, &rec)) || (got > 5 && !parse_attr(a2, &rec)))
			goto bad;
		if (got > 4 && strcmp(extra, "-") == 0)
			extra[0] = '\0'; /* no extra, attributes follow */
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			out = xreallocarray(out, cap, sizeof(*out));
		}
		rec.kind = (enum qnm_own_kind)k;
		qnm_strlcpy(rec.name, name, sizeof(rec.name));
		rec.netns = ns;
		qnm_strlcpy(rec.extra, extra, sizeof(rec.extra));
		out[cnt++] = rec;
		continue;
bad:
		free(out);
		return qnm_err_set(err, -EINVAL, "",
				   "ownership records, line %u: not \"KIND NAME NETNS [EXTRA "
				   "[pending=PID:START] [start=TICKS]]\"",
				   line);
	}
	*v = out;
	*n = cnt;
	return 0;
}

static int load(struct qnm_owner *o, struct qnm_err *err)
{
	struct qnm_own_rec *v = NULL;
	size_t n = 0;
	char *text;
	struct stat st;
	ssize_t got;
	int fd, r;

	/* the records say what qnm may delete: only a regular file of ours */
	fd = qnm_open_owned(o->path, O_RDONLY, err);
	if (fd == -ENOENT) {
		free(o->v);
		o->v = NULL;
		o->n = 0;
		return 0;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || st.st_size > OWNED_MAX) {
		close(fd);
		return qnm_err_set(err, -EFBIG, "", "read %s: unreadable or too large", o->path);
	}
	text = xmalloc((size_t)st.st_size + 1);
	got = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (got < 0) {
		r = -errno;
		free(text);
		return qnm_err_set(err, r, "", "read %s: %s", o->path, strerror(-r));
	}
	text[got] = '\0';
	r = qnm_owner_parse(text, &v, &n, err);
	free(text);
	if (r < 0) {
		qnm_err_prefix(err, "%s", o->path);
		return r;
	}
	free(o->v);
	o->v = v;
	o->n = n;
	return 0;
}

/* Atomically (config.h): readers see the old records or the new ones. */
static int save(struct qnm_owner *o, struct qnm_err *err)
{
	struct qnm_strbuf sb;
	size_t i;
	int r;

	qnm_sb_init(&sb);
	qnm_sb_add(
		&sb,
		"# qnm ownership records: KIND NAME NETNS [EXTRA [pending=PID:START] [start=TICKS]] "
		"(do not edit while qnm runs)\n");
	for (i = 0; i < o->n; i++) {
		const struct qnm_own_rec *x = &o->v[i];
		bool attrs = x->pending || x->pid_start;

		qnm_sb_addf(&sb, "%s %s %llu%s%s", kind_names[x->kind], x->name, x->netns,
			    x->extra[0] || attrs ? " " : "",
			    x->extra[0] ? x->extra
			    : attrs	? "-"
					: "");
		if (x->pending)
			qnm_sb_addf(&sb, " pending=%d:%llu", x->pending, x->pending_start);
		if (x->pid_start)
			qnm_sb_addf(&sb, " start=%llu", x->pid_start);
		qnm_sb_add(&sb, "\n");
	}
	r = qnm_atomic_write(o->path, sb.s, sb.len, 0600, err);
	qnm_sb_free(&sb);
	return r;
}

static int lock_file(struct qnm_owner *o, struct qnm_err *err)
{
	int fd = qnm_open_owned(o->lock, O_RDWR | O_CREAT, err);

	if (fd < 0)
		return fd;
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;

		close(fd);
		return qnm_err_set(err, r, "", "lock %s: %s", o->lock, strerror(-r));
	}
	return fd;
}

int qnm_owner_dir(const char *runtime_dir, struct qnm_err *err)
{
	int r = qnm_mkdir_p(runtime_dir, 0700);

	if (r < 0)
		return qnm_err_set(err, r, "", "create %s: %s", runtime_dir, strerror(-r));
	return qnm_dir_trusted(runtime_dir, err);
}

int qnm_owner_open(struct qnm_owner *o, const char *runtime_dir, struct qnm_err *err)
{
	int r;

	memset(o, 0, sizeof(*o));
	r = qnm_owner_dir(runtime_dir, err);
	if (r < 0)
		return r;
	o->path = xasprintf("%s/owned", runtime_dir);
	o->lock = xasprintf("%s/owned.lock", runtime_dir);
	o->netns = qnm_netns_id();
	r = load(o, err);
	if (r < 0)
		qnm_owner_clear(o);
	return r;
}

void qnm_owner_clear(struct qnm_owner *o)
{
	free(o->path);
	free(o->lock);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

static ssize_t find_idx(const struct qnm_owner *o, enum qnm_own_kind kind, const char *name)
{
	size_t i;

	if (!o->v)
		return -1;
	for (i = 0; i < o->n; i++)
		if (o->v[i].kind == kind && o->v[i].netns == o->netns &&
		    strcmp(o->v[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

const struct qnm_own_rec *qnm_owner_find(const struct qnm_owner *o, enum qnm_own_kind kind,
					 const char *name)
{
	ssize_t i = find_idx(o, kind, name);

	return i < 0 || o->v[i].pending ? NULL : &o->v[i];
}

const struct qnm_own_rec *qnm_owner_find_pending(const struct qnm_owner *o, enum qnm_own_kind kind,
						 const char *name)
{
	ssize_t i = find_idx(o, kind, name);

	return i < 0 || !o->v[i].pending ? NULL : &o->v[i];
}

unsigned long long qnm_proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	ssize_t got;
	int fd, field;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

bool qnm_own_rec_abandoned(const struct qnm_own_rec *r)
{
	unsigned long long t;

	if (!r->pending)
		return false;
	t = qnm_proc_start_time(r->pending);
	return !t || (r->pending_start && t != r->pending_start);
}

bool qnm_own_rec_proc_alive(const struct qnm_own_rec *r)
{
	unsigned long v;
	unsigned long long t;

	if (qnm_parse_uint(r->extra, 2, 4194304, &v) < 0)
		return false;
	t = qnm_proc_start_time((pid_t)v);
	return t && (!r->pid_start || t == r->pid_start);
}

bool qnm_owner_recorded(const char *runtime_dir, enum qnm_own_kind kind, const char *name)
{
	struct qnm_owner own;
	struct qnm_err err;
	bool found;

	if (qnm_owner_open(&own, runtime_dir, &err) < 0)
		return false;
	found = qnm_owner_find(&own, kind, name) != NULL;
	qnm_owner_clear(&own);
	return found;
}

/* the one writer: @kind @name with @extra, pending by @pending (0: done), @pid_start */
static int put(struct qnm_owner *o, enum qnm_own_kind kind, const char *name, const char *extra,
	       pid_t pending, unsigned long long pid_start, struct qnm_err *err)
{
	ssize_t i;
	int fd, r;

	if (!word_ok(name, sizeof(o->v[0].name)) ||
	    (!qnm_str_empty(extra) && !word_ok(extra, sizeof(o->v[0].extra))))
		return qnm_err_set(err, -EINVAL, "", "cannot record %s '%s': bad name",
				   qnm_own_kind_name(kind), name);
	fd = lock_file(o, err);
	if (fd < 0)
		return fd;
	r = load(o, err);
	if (r < 0)
		goto out;
	i = find_idx(o, kind, name);
	if (i < 0) {
		o->v = xreallocarray(o->v, o->n + 1, sizeof(*o->v));
		i = (ssize_t)o->n++;
		memset(&o->v[i], 0, sizeof(o->v[i]));
		o->v[i].kind = kind;
		qnm_strlcpy(o->v[i].name, name, sizeof(o->v[i].name));
		o->v[i].netns = o->netns;
	}
	assert(o->v); /* found, or just grown (xreallocarray never returns NULL) */
	qnm_strlcpy(o->v[i].extra, extra ? extra : "", sizeof(o->v[i].extra));
	o->v[i].pending = pending;
	o->v[i].pending_start = pending ? qnm_proc_start_time(pending) : 0;
	o->v[i].pid_start = pid_start;
	r = save(o, err);
out:
	close(fd);
	return r;
}

int qnm_owner_add(struct qnm_owner *o, enum qnm_own_kind kind, const char *name, const char *extra,
		  struct qnm_err *err)
{
	return put(o, kind, name, extra, 0, 0, err);
}

int qnm_owner_intend(struct qnm_owner *o, enum qnm_own_kind kind, const char *name,
		     const char *extra, struct qnm_err *err)
{
	return put(o, kind, name, extra, getpid(), 0, err);
}

int qnm_owner_intend_many(struct qnm_owner *o, const struct qnm_own_rec *v, size_t n,
			  struct qnm_err *err)
{
	unsigned long long start = qnm_proc_start_time(getpid());
	size_t k;
	ssize_t i;
	int fd, r;

	for (k = 0; k < n; k++)
		if (!word_ok(v[k].name, sizeof(v[k].name)) ||
		    (v[k].extra[0] && !word_ok(v[k].extra, sizeof(v[k].extra))))
			return qnm_err_set(err, -EINVAL, "", "cannot record %s '%s': bad name",
					   qnm_own_kind_name(v[k].kind), v[k].name);
	fd = lock_file(o, err);
	if (fd < 0)
		return fd;
	r = load(o, err);
	for (k = 0; r == 0 && k < n; k++) {
		i = find_idx(o, v[k].kind, v[k].name);
		if (i < 0) {
			o->v = xreallocarray(o->v, o->n + 1, sizeof(*o->v));
			i = (ssize_t)o->n++;
		}
		assert(o->v); /* found, or just grown */
		o->v[i] = v[k];
		o->v[i].netns = o->netns;
		o->v[i].pending = getpid();
		o->v[i].pending_start = start;
		o->v[i].pid_start = 0;
	}
	if (r == 0)
		r = save(o, err);
	close(fd);
	return r;
}

int qnm_owner_done_mine(struct qnm_owner *o, struct qnm_err *err)
{
	size_t i, n = 0;
	int fd, r;

	fd = lock_file(o, err);
	if (fd < 0)
		return fd;
	r = load(o, err);
	for (i = 0; r == 0 && i < o->n; i++)
		if (o->v[i].netns == o->netns && o->v[i].pending == getpid()) {
			o->v[i].pending = 0;
			o->v[i].pending_start = 0;
			n++;
		}
	if (r == 0 && n)
		r = save(o, err);
	close(fd);
	return r;
}

int qnm_owner_add_proc(struct qnm_owner *o, enum qnm_own_kind kind, const char *name, pid_t pid,
		       struct qnm_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return put(o, kind, name, buf, 0, qnm_proc_start_time(pid), err);
}

int qnm_owner_remove(struct qnm_owner *o, enum qnm_own_kind kind, const char *name,
		     struct qnm_err *err)
{
	ssize_t i;
	int fd, r;

	fd = lock_file(o, err);
	if (fd < 0)
		return fd;
	r = load(o, err);
	if (r < 0)
		goto out;
	i = find_idx(o, kind, name);
	if (i >= 0) {
		/* i >= 0: o->v holds o->n > i records (the analyzer cannot see it) */
		// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
		memmove(&o->v[i], &o->v[i + 1], (o->n - (size_t)i - 1) * sizeof(*o->v));
		o->n--;
		r = save(o, err);
	}
out:
	close(fd);
	return r;
}

int qnm_owner_may(const struct qnm_owner *o, enum qnm_own_kind kind, const char *name, bool force,
		  const char *action, struct qnm_err *err)
{
	if (force || qnm_owner_find(o, kind, name))
		return 0;
	return qnm_err_set(err, -EPERM, "",
			   "refusing to %s: qnm did not create %s (add --force to do it anyway)",
			   action, name);
}
