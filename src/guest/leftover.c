// SPDX-License-Identifier: GPL-2.0-or-later
/* leftover.c - TAP records made before the TAP, and the leftovers of killed guests (leftover.h). */
#include "build-config.h"

#include "guest/leftover.h"

#include "core/validate.h"
#include "host/owner.h"
#include "host/tuntap.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (o->sup && qnm_pid_alive(o->sup) && qnm_pid_start_time(o->sup) == o->start)
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

/* qnm_owner_claim()'s question: may this record be taken over? */
static bool record_gone(const struct qnm_own_rec *r, void *runtime_dir)
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

int qnm_tap_claim(const struct qnm_rundir *rd, const char *ifname, struct qnm_err *err)
{
	char *dir = records_dir(rd), extra[128];
	struct qnm_own_rec prev;
	struct qnm_owner own;
	int r;

	r = qnm_owner_open(&own, dir, err);
	if (r)
		goto out;
	if (!qnm_owner_find(&own, QNM_OWN_TAP, ifname) && if_nametoindex(ifname)) {
		r = qnm_err_set(err, -EEXIST, "",
				"create tap %s: an interface named %s already exists (qnm has no "
				"record of making it, so it leaves it alone)",
				ifname, ifname);
		goto out_own;
	}
	snprintf(extra, sizeof(extra), "vm=%s,sup=%ld.%llu", rd->name, (long)getpid(),
		 qnm_pid_start_time(getpid()));
	r = qnm_owner_claim(&own, QNM_OWN_TAP, ifname, extra, record_gone, dir, &prev, err);
	if (r == -EBUSY) {
		struct owner o;

		owner_parse(prev.extra, &o);
		r = qnm_err_set(
			err, -EBUSY, "",
			"create tap %s: it is in use by VM '%s' (qnm supervisor pid %ld, or "
			"its QEMU)",
			ifname, o.vm[0] ? o.vm : "?", (long)o.sup);
		goto out_own;
	}
	if (r || prev.kind == QNM_OWN__COUNT || !if_nametoindex(ifname))
		goto out_own;
	/* taken over from an owner that is gone: its TAP goes first */
	if (!is_tap(ifname)) {
		qnm_owner_remove(&own, QNM_OWN_TAP, ifname, NULL);
		r = qnm_err_set(err, -EEXIST, "",
				"create tap %s: an interface named %s already exists and is not "
				"the TAP qnm made (left alone)",
				ifname, ifname);
		goto out_own;
	}
	r = qnm_tap_delete(ifname, err);
out_own:
	qnm_owner_clear(&own);
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
	int r;

	*v = NULL;
	*n = 0;
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
	int r, done = 0;

	r = qnm_tap_records(runtime_dir, &v, &n);
	if (r)
		return r;
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
	return done;
}
