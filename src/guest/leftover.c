// SPDX-License-Identifier: GPL-2.0-or-later
/* leftover.c - TAP records made before the TAP, and the leftovers of killed guests (leftover.h). */
#include "build-config.h"

#include "guest/leftover.h"

#include "core/validate.h"
#include "host/owner.h"
#include "host/tuntap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* the owner named in a record's extra: "vm=NAME,sup=PID.START" */
struct owner {
	char vm[QNM_NAME_MAX + 1];
	pid_t sup;
	unsigned long long start;
};

static void owner_parse(const char *extra, struct owner *o)
{
	unsigned long long start = 0;
	long pid = 0;
	const char *p;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (strncmp(extra, "vm=", 3) == 0) {
		n = strcspn(extra + 3, ",");
		if (n < sizeof(o->vm)) {
			memcpy(o->vm, extra + 3, n);
			o->vm[n] = '\0';
		}
		if (!qnm_valid_name(o->vm))
			o->vm[0] = '\0';
	}
	p = strstr(extra, "sup=");
	if (p && sscanf(p + 4, "%ld.%llu", &pid, &start) == 2 && pid > 0 && pid < 0x7fffffff) {
		o->sup = (pid_t)pid;
		o->start = start;
	}
}

/* the runtime dir qnm's records are in: the parent of the VM's */
static char *records_dir(const struct qnm_rundir *rd)
{
	char *dir = xstrdup(rd->path), *slash = strrchr(dir, '/');

	if (slash && slash != dir)
		*slash = '\0';
	return dir;
}

/* how the owner of a record is doing; *@qemu: the VM's QEMU pid, when known */
static enum qnm_tap_owner_state owner_state(const char *runtime_dir, const struct owner *o,
					    pid_t *qemu)
{
	struct qnm_run_info info;
	struct qnm_rundir rd;
	bool qemu_alive;

	*qemu = 0;
	if (o->sup && qnm_pid_alive(o->sup) && qnm_proc_start_time(o->sup) == o->start)
		return QNM_TAP_OWNER_ALIVE;
	if (!o->vm[0])
		return QNM_TAP_OWNER_GONE;
	qnm_rundir_init(&rd, runtime_dir, o->vm);
	qnm_rundir_probe(&rd, &info);
	*qemu = info.qemu_pid;
	qemu_alive = info.qemu_pid > 0 && qnm_pid_is_qemu_of(info.qemu_pid, &rd);
	qnm_rundir_clear(&rd);
	return qemu_alive ? QNM_TAP_OWNER_ORPHAN : QNM_TAP_OWNER_GONE;
}

/* may this record be taken over? */
static bool record_gone(const struct qnm_own_rec *r, const char *runtime_dir)
{
	struct owner o;
	pid_t qemu;

	owner_parse(r->extra, &o);
	return owner_state(runtime_dir, &o, &qemu) == QNM_TAP_OWNER_GONE;
}

static bool is_tap(const char *ifname)
{
	char *p = xasprintf("/sys/class/net/%s/tun_flags", ifname);
	bool yes = access(p, F_OK) == 0;

	free(p);
	return yes;
}

static void bridge_of(const char *ifname, char *buf, size_t size)
{
	char *p = xasprintf("/sys/class/net/%s/master", ifname), link[256];
	ssize_t n = readlink(p, link, sizeof(link) - 1);
	const char *base;

	free(p);
	buf[0] = '\0';
	if (n <= 0)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	qnm_strlcpy(buf, base ? base + 1 : link, size);
}

/*
 * RUNDIR/tap.lock, held from looking at a TAP's record to writing ours: two
 * supervisors claiming one name cannot both win (the records' own lock is
 * taken per read or write, not across both).
 */
static int lock_claims(const char *dir, struct qnm_err *err)
{
	char *path = xasprintf("%s/tap.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int r = -errno;

		if (fd >= 0)
			close(fd);
		qnm_err_set(err, r, "", "lock %s: %s", path, strerror(-r));
		free(path);
		return r;
	}
	free(path);
	return fd;
}

int qnm_tap_claim(const struct qnm_rundir *rd, const char *ifname, struct qnm_err *err)
{
	char *dir = records_dir(rd), extra[128];
	const struct qnm_own_rec *rec;
	struct qnm_owner own;
	bool takeover = false;
	struct owner o;
	int r, lock;

	lock = lock_claims(dir, err);
	if (lock < 0) {
		r = lock;
		goto out;
	}
	/* the records as they are now, under the claims' lock */
	r = qnm_owner_open(&own, dir, err);
	if (r)
		goto out_lock;
	rec = qnm_owner_find(&own, QNM_OWN_TAP, ifname);
	if (!rec && if_nametoindex(ifname)) {
		r = qnm_err_set(err, -EEXIST, "",
				"create tap %s: an interface named %s already exists (qnm has no "
				"record of making it, so it leaves it alone)",
				ifname, ifname);
		goto out_lock;
	}
	if (rec) {
		if (!record_gone(rec, dir)) {
			owner_parse(rec->extra, &o);
			r = qnm_err_set(
				err, -EBUSY, "",
				"create tap %s: it is in use by VM '%s' (qnm supervisor pid "
				"%ld, or its QEMU)",
				ifname, o.vm[0] ? o.vm : "?", (long)o.sup);
			goto out_lock;
		}
		takeover = true;
	}
	snprintf(extra, sizeof(extra), "vm=%s,sup=%ld.%llu", rd->name, (long)getpid(),
		 qnm_proc_start_time(getpid()));
	r = qnm_owner_add(&own, QNM_OWN_TAP, ifname, extra, err);
	if (r || !takeover || !if_nametoindex(ifname))
		goto out_lock;
	/* taken over from an owner that is gone: its TAP goes first */
	if (!is_tap(ifname)) {
		qnm_owner_remove(&own, QNM_OWN_TAP, ifname, NULL);
		r = qnm_err_set(err, -EEXIST, "",
				"create tap %s: an interface named %s already exists and is not "
				"the TAP qnm made (left alone)",
				ifname, ifname);
		goto out_lock;
	}
	r = qnm_tap_delete(ifname, err);
out_lock:
	qnm_owner_clear(&own);
	close(lock);
out:
	free(dir);
	return r;
}

void qnm_tap_unclaim(const struct qnm_rundir *rd, const char *ifname)
{
	char *dir = records_dir(rd);
	struct qnm_owner own;

	if (qnm_owner_open(&own, dir, NULL) == 0) {
		qnm_owner_remove(&own, QNM_OWN_TAP, ifname, NULL);
		qnm_owner_clear(&own);
	}
	free(dir);
}

int qnm_tap_records(const char *runtime_dir, struct qnm_tap_record **v, size_t *n)
{
	struct qnm_tap_record *out = NULL;
	struct qnm_owner own;
	size_t i, cnt = 0;
	char *path;
	int r;

	*v = NULL;
	*n = 0;
	/* no records, nothing to read (and the runtime dir is not made for it) */
	path = xasprintf("%s/owned", runtime_dir);
	r = access(path, F_OK) < 0 && errno == ENOENT;
	free(path);
	if (r)
		return 0;
	r = qnm_owner_open(&own, runtime_dir, NULL);
	if (r)
		return r;
	for (i = 0; i < own.n; i++) {
		const struct qnm_own_rec *rec = &own.v[i];
		struct qnm_tap_record *t;
		struct owner o;

		if (rec->kind != QNM_OWN_TAP || rec->netns != own.netns)
			continue;
		out = xreallocarray(out, cnt + 1, sizeof(*out));
		t = &out[cnt++];
		memset(t, 0, sizeof(*t));
		owner_parse(rec->extra, &o);
		qnm_strlcpy(t->ifname, rec->name, sizeof(t->ifname));
		qnm_strlcpy(t->vm, o.vm, sizeof(t->vm));
		t->sup = o.sup;
		t->state = owner_state(runtime_dir, &o, &t->qemu);
		t->link = if_nametoindex(t->ifname) != 0;
		t->is_tap = t->link && is_tap(t->ifname);
		if (t->link)
			bridge_of(t->ifname, t->bridge, sizeof(t->bridge));
	}
	qnm_owner_clear(&own);
	*v = out;
	*n = cnt;
	return 0;
}

int qnm_tap_reclaim(const char *runtime_dir, const char *vm, struct qnm_strbuf *report)
{
	struct qnm_tap_record *v;
	struct qnm_owner own;
	size_t i, n;
	int r, done = 0, lock;
	bool any = false;

	/* a first look without the lock: nothing to reclaim makes no lock file */
	r = qnm_tap_records(runtime_dir, &v, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++)
		any = any ||
		      (v[i].state == QNM_TAP_OWNER_GONE && (!vm || strcmp(v[i].vm, vm) == 0));
	free(v);
	if (!any)
		return 0;
	/* no claim takes a name over between looking at its record and deleting its TAP */
	lock = lock_claims(runtime_dir, NULL);
	if (lock < 0)
		return lock;
	r = qnm_tap_records(runtime_dir, &v, &n);
	if (r) {
		close(lock);
		return r;
	}
	if (n && qnm_owner_open(&own, runtime_dir, NULL) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		struct qnm_tap_record *t = &v[i];

		if (t->state != QNM_TAP_OWNER_GONE || (vm && strcmp(t->vm, vm) != 0))
			continue;
		/* a TAP some process still holds stays (the kernel refuses anyway) */
		if (t->is_tap && qnm_tap_delete(t->ifname, NULL) < 0 && if_nametoindex(t->ifname))
			continue;
		if (qnm_owner_remove(&own, QNM_OWN_TAP, t->ifname, NULL) < 0)
			continue;
		done++;
		if (report->len)
			qnm_sb_add(report, "; ");
		if (t->is_tap)
			qnm_sb_addf(report, "removed TAP %s that qnm made for VM '%s'", t->ifname,
				    t->vm[0] ? t->vm : "?");
		else
			qnm_sb_addf(report, "removed qnm's record of TAP %s (VM '%s')", t->ifname,
				    t->vm[0] ? t->vm : "?");
		if (t->sup)
			qnm_sb_addf(report, " (its supervisor, pid %ld, is gone)", (long)t->sup);
	}
	if (n)
		qnm_owner_clear(&own);
	free(v);
	close(lock);
	return done;
}
