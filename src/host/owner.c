// SPDX-License-Identifier: GPL-2.0-or-later
/* owner.c - records of what qnm created, in RUNDIR/owned. */
#include "build-config.h"

#include "host/owner.h"
#include "core/config.h"

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
	[QNM_OWN_SYSCTL] = "sysctl",   [QNM_OWN_ADDR] = "addr",
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

int qnm_owner_parse(const char *text, struct qnm_own_rec **v, size_t *n, struct qnm_err *err)
{
	struct qnm_own_rec *out = NULL;
	size_t cnt = 0, cap = 0;
	unsigned line = 0;
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[512], kind[32], name[64], extra[128];
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
		got = sscanf(buf, "%31s %63s %llu %127s", kind, name, &ns, extra);
		if (got < 3)
			goto bad;
		for (k = 0; k < QNM_OWN__COUNT; k++)
			if (strcmp(kind, kind_names[k]) == 0)
				break;
		if (k == QNM_OWN__COUNT)
			goto bad;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			out = xreallocarray(out, cap, sizeof(*out));
		}
		out[cnt].kind = (enum qnm_own_kind)k;
		qnm_strlcpy(out[cnt].name, name, sizeof(out[cnt].name));
		out[cnt].netns = ns;
		qnm_strlcpy(out[cnt].extra, extra, sizeof(out[cnt].extra));
		cnt++;
		continue;
bad:
		free(out);
		return qnm_err_set(err, -EINVAL, "",
				   "ownership records, line %u: not \"KIND NAME NETNS [EXTRA]\"",
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

	fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			free(o->v);
			o->v = NULL;
			o->n = 0;
			return 0;
		}
		r = -errno;
		return qnm_err_set(err, r, "", "read %s: %s", o->path, strerror(-r));
	}
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
		"# qnm ownership records: KIND NAME NETNS [EXTRA] (do not edit while qnm runs)\n");
	for (i = 0; i < o->n; i++)
		qnm_sb_addf(&sb, "%s %s %llu%s%s\n", kind_names[o->v[i].kind], o->v[i].name,
			    o->v[i].netns, o->v[i].extra[0] ? " " : "", o->v[i].extra);
	r = qnm_atomic_write(o->path, sb.s, sb.len, 0600, err);
	qnm_sb_free(&sb);
	return r;
}

static int lock_file(struct qnm_owner *o, struct qnm_err *err)
{
	int fd = open(o->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int r = -errno;

		if (fd >= 0)
			close(fd);
		return qnm_err_set(err, r, "", "lock %s: %s", o->lock, strerror(-r));
	}
	return fd;
}

int qnm_owner_open(struct qnm_owner *o, const char *runtime_dir, struct qnm_err *err)
{
	int r;

	memset(o, 0, sizeof(*o));
	r = qnm_mkdir_p(runtime_dir, 0700);
	if (r < 0)
		return qnm_err_set(err, r, "", "create %s: %s", runtime_dir, strerror(-r));
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

	return i < 0 ? NULL : &o->v[i];
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

int qnm_owner_add(struct qnm_owner *o, enum qnm_own_kind kind, const char *name, const char *extra,
		  struct qnm_err *err)
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
		o->v[i].kind = kind;
		qnm_strlcpy(o->v[i].name, name, sizeof(o->v[i].name));
		o->v[i].netns = o->netns;
	}
	qnm_strlcpy(o->v[i].extra, extra ? extra : "", sizeof(o->v[i].extra));
	r = save(o, err);
out:
	close(fd);
	return r;
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
