/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * owner.h - what qnm created on this host, so it never deletes or
 * enslaves anything it did not make.
 *
 * The records live in RUNDIR/owned (one "KIND NAME NETNS EXTRA" line
 * each, written atomically under an flock on RUNDIR/owned.lock so that
 * two qnm processes do not lose each other's records). NETNS is the inode
 * of the network namespace the object lives in: a bridge "qnm0" made in
 * one namespace gives no right over a "qnm0" in another. Lookups only see
 * the records of the caller's current namespace.
 *
 * Intents (crash safety): before qnm creates something it records it as
 * pending ("KIND NAME NETNS EXTRA pending=PID:START", qnm_owner_intend()),
 * and turns the record into a plain one once it exists
 * (qnm_owner_add()). A pending record whose writer is gone
 * (qnm_own_rec_abandoned()) is a change a killed qnm left half done: the
 * object may or may not exist, and if it does it is qnm's own. Lookups
 * with qnm_owner_find() see plain records only.
 */
#ifndef QNM_OWNER_H
#define QNM_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/util.h"

/** enum qnm_own_kind - what a record stands for. */
enum qnm_own_kind {
	QNM_OWN_BRIDGE,	 /* name: bridge qnm created */
	QNM_OWN_TAP,	 /* name: TAP qnm created */
	QNM_OWN_PORT,	 /* name: port qnm enslaved; extra: its bridge */
	QNM_OWN_DNSMASQ, /* name: network; extra: pid of its dnsmasq */
	QNM_OWN_NFT,	 /* name: "inet qnm", qnm's nftables table */
	QNM_OWN_NET,	 /* name: network that is up; extra: its bridge */
	QNM_OWN_SYSCTL,	 /* name: sysctl qnm changed; extra: value before */
	QNM_OWN_ADDR,	 /* name: bridge qnm did not create; extra: address/prefix qnm put on it */
	QNM_OWN_HOSTIP,	 /* name: port whose addresses live on the bridge; extra: the bridge
			  * (what was on the port: RUNDIR/hostip-PORT, host/hostip.h) */
	QNM_OWN__COUNT
};

/**
 * struct qnm_own_rec - one record.
 * @kind:  what it is.
 * @name:  its name (see enum qnm_own_kind).
 * @netns: inode of its network namespace.
 * @extra: kind-specific detail, "" when none.
 * @pending:       0 when done; else the pid of the qnm that recorded the
 *                 intent to create it and may not have finished.
 * @pending_start: that process's start time (clock ticks since boot).
 * @pid_start:     for a record whose @extra is a pid (dnsmasq): that
 *                 process's start time, 0 when unknown.
 */
struct qnm_own_rec {
	unsigned long long netns;
	unsigned long long pending_start;
	unsigned long long pid_start;
	enum qnm_own_kind kind;
	int pending;
	char name[64];
	char extra[128];
};

/**
 * struct qnm_owner - the records as last read.
 * @path:  RUNDIR/owned.
 * @lock:  RUNDIR/owned.lock.
 * @netns: inode of the caller's network namespace.
 * @v:     every record (all namespaces), @n of them.
 */
struct qnm_owner {
	char *path;
	char *lock;
	unsigned long long netns;
	struct qnm_own_rec *v;
	size_t n;
};

/** qnm_own_kind_name() - the word used in the file ("bridge", "tap", ...). */
const char *qnm_own_kind_name(enum qnm_own_kind k);

/**
 * qnm_owner_dir() - create @runtime_dir (0700, with its parents) when
 * missing and check that qnm may trust what it holds (qnm_dir_trusted()),
 * without reading the records: what a caller needs before taking a lock there.
 * Return: 0 or -errno (@err says which path and why).
 */
int qnm_owner_dir(const char *runtime_dir, struct qnm_err *err);

/**
 * qnm_owner_open() - read the records of @runtime_dir (creating the
 * directory 0700 when missing; a missing file means "nothing").
 * @o: filled; release with qnm_owner_clear().
 * Return: 0 or -errno (a malformed line is reported with its number).
 */
int qnm_owner_open(struct qnm_owner *o, const char *runtime_dir, struct qnm_err *err);

/** qnm_owner_clear() - free what @o holds. */
void qnm_owner_clear(struct qnm_owner *o);

/**
 * qnm_owner_find() - the record of @kind and @name in the current namespace.
 * Return: pointer into @o (valid until the next change), or NULL.
 */
const struct qnm_own_rec *qnm_owner_find(const struct qnm_owner *o, enum qnm_own_kind kind,
					 const char *name);

/**
 * qnm_owner_recorded() - whether @runtime_dir records @kind @name in the
 * current namespace (opens the records, looks, closes them again).
 * @runtime_dir: qnm's runtime directory.
 * @kind:        what kind of thing.
 * @name:        its name.
 * Return: true when recorded; false when not, or when the records cannot be read.
 */
bool qnm_owner_recorded(const char *runtime_dir, enum qnm_own_kind kind, const char *name);

/**
 * qnm_owner_add() - record (or update the extra of) @kind @name in the
 * current namespace; re-reads the file under the lock, writes atomically.
 * @extra: detail or NULL.
 * Return: 0 or -errno.
 */
int qnm_owner_add(struct qnm_owner *o, enum qnm_own_kind kind, const char *name, const char *extra,
		  struct qnm_err *err);

/**
 * qnm_owner_remove() - forget @kind @name in the current namespace (no
 * record is fine). Same locking as qnm_owner_add().
 * Return: 0 or -errno.
 */
int qnm_owner_remove(struct qnm_owner *o, enum qnm_own_kind kind, const char *name,
		     struct qnm_err *err);

/**
 * qnm_owner_may() - may qnm @action the object @kind @name?
 * @force:  the user said to go ahead anyway.
 * @action: e.g. "delete bridge br0", for the message.
 * Return: 0 when qnm created it or @force is set, else -EPERM with "refusing
 * to ACTION: qnm did not create NAME (add --force to do it anyway)".
 */
int qnm_owner_may(const struct qnm_owner *o, enum qnm_own_kind kind, const char *name, bool force,
		  const char *action, struct qnm_err *err);

/**
 * qnm_owner_parse() - parse the text of an ownership file into *@v.
 * @text: NUL-terminated file contents.
 * @v:    new array (caller frees), @n entries.
 * Return: 0, or -EINVAL with @err naming the line.
 */
int qnm_owner_parse(const char *text, struct qnm_own_rec **v, size_t *n, struct qnm_err *err);

/**
 * qnm_owner_intend() - record that @kind @name is about to be created in
 * the current namespace, by this process (a pending record); call before
 * creating it. Same locking and atomic write as qnm_owner_add(); replaces a
 * plain record of the same kind and name.
 * @extra: detail or NULL.
 * Return: 0 or -errno.
 */
int qnm_owner_intend(struct qnm_owner *o, enum qnm_own_kind kind, const char *name,
		     const char *extra, struct qnm_err *err);

/**
 * qnm_owner_intend_many() - qnm_owner_intend() of each of @v (kind, name,
 * extra) in one locked, atomic write.
 * Return: 0 or -errno.
 */
int qnm_owner_intend_many(struct qnm_owner *o, const struct qnm_own_rec *v, size_t n,
			  struct qnm_err *err);

/**
 * qnm_owner_done_mine() - every record this process recorded pending (in the
 * current namespace) becomes plain, in one locked, atomic write.
 * Return: 0 or -errno.
 */
int qnm_owner_done_mine(struct qnm_owner *o, struct qnm_err *err);

/**
 * qnm_owner_add_proc() - qnm_owner_add() of a record whose extra is the
 * process @pid, with its start time (so that a recycled pid is never
 * taken for it: qnm_own_rec_proc_alive()).
 * Return: 0 or -errno.
 */
int qnm_owner_add_proc(struct qnm_owner *o, enum qnm_own_kind kind, const char *name, pid_t pid,
		       struct qnm_err *err);

/**
 * qnm_owner_find_pending() - the pending record of @kind and @name in the
 * current namespace (any writer).
 * Return: pointer into @o (valid until the next change), or NULL.
 */
const struct qnm_own_rec *qnm_owner_find_pending(const struct qnm_owner *o, enum qnm_own_kind kind,
						 const char *name);

/**
 * qnm_own_rec_abandoned() - whether @r is pending and the process that
 * recorded it no longer runs (pid gone, or reused: another start time).
 */
bool qnm_own_rec_abandoned(const struct qnm_own_rec *r);

/**
 * qnm_own_rec_proc_alive() - whether the pid in @r's extra still runs and
 * is the process recorded (same start time when one was recorded).
 */
bool qnm_own_rec_proc_alive(const struct qnm_own_rec *r);

/**
 * qnm_proc_start_time() - start time of process @pid (field 22 of
 * /proc/PID/stat, clock ticks since boot), 0 when it does not run.
 */
unsigned long long qnm_proc_start_time(pid_t pid);

/**
 * qnm_netns_id() - inode of the caller's network namespace, 0 when unknown.
 */
unsigned long long qnm_netns_id(void);

#endif
