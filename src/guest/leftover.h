/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * leftover.h - the TAPs qnm makes for guests, recorded before they exist,
 * and what a killed supervisor or QEMU left of them.
 *
 * A guest's supervisor records each TAP it is about to create in the
 * ownership records (host/owner.h, kind "tap") before creating it, with its
 * owner in the record's extra: "vm=NAME,sup=PID.START" (the supervisor's
 * pid and start time, so a recycled pid is not taken for it). It removes
 * the record after deleting the TAP. Whatever moment the supervisor dies
 * at, the record exists while the TAP may: a TAP recorded for an owner that
 * is gone (its supervisor dead and no QEMU of its VM alive) is a leftover
 * qnm may delete; a TAP of that name with no record is not qnm's and is
 * never touched.
 */
#ifndef QNM_LEFTOVER_H
#define QNM_LEFTOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/addr.h"
#include "core/util.h"
#include "guest/rundir.h"

/**
 * enum qnm_tap_owner_state - how the owner a TAP record names is doing.
 * @QNM_TAP_OWNER_ALIVE:    its supervisor runs (it removes the TAP).
 * @QNM_TAP_OWNER_ORPHAN:   its supervisor is gone but its VM's QEMU runs:
 *                          nothing will remove the TAP when QEMU ends.
 * @QNM_TAP_OWNER_GONE:     supervisor and QEMU are gone: a leftover.
 */
enum qnm_tap_owner_state { QNM_TAP_OWNER_ALIVE, QNM_TAP_OWNER_ORPHAN, QNM_TAP_OWNER_GONE };

/**
 * struct qnm_tap_record - one TAP record of the current network namespace,
 * and its owner's state.
 * @ifname:    the TAP.
 * @vm:        the VM it was made for ("" when the record names none).
 * @sup:       its supervisor's pid (0 when unknown).
 * @qemu:      the VM's QEMU pid as its runtime dir says (0 when unknown).
 * @state:     how the owner is doing.
 * @link:      an interface of that name exists.
 * @is_tap:    and it is a TAP.
 * @bridge:    the bridge it is on ("" for none).
 */
struct qnm_tap_record {
	char ifname[QNM_IFNAME_MAX + 1];
	char vm[QNM_NAME_MAX + 1];
	pid_t sup;
	pid_t qemu;
	enum qnm_tap_owner_state state;
	bool link, is_tap;
	char bridge[QNM_IFNAME_MAX + 1];
};

/**
 * qnm_tap_claim() - in the supervisor of the VM of @rd, before creating TAP
 * @ifname: record it (durably) as this process's. A record whose owner is
 * gone is taken over, and the TAP it left is deleted first. Claims and
 * qnm_tap_reclaim() hold RUNDIR/tap.lock from looking at a record to
 * writing or removing it.
 * @rd:     the VM's runtime dir (the records are in its parent).
 * @ifname: the TAP about to be created.
 * @err:    what went wrong.
 * Return: 0 (recorded; the name is free), -EEXIST (an interface of that name
 * exists that qnm has no record of making: left alone, nothing recorded),
 * -EBUSY (a live guest of qnm holds it; @err names it), or -errno.
 */
int qnm_tap_claim(const struct qnm_rundir *rd, const char *ifname, struct qnm_err *err);

/**
 * qnm_tap_unclaim() - forget the record of TAP @ifname (after deleting it,
 * or when creating it failed). Errors are ignored: a record left behind is
 * a leftover the next start, stop or doctor deals with.
 */
void qnm_tap_unclaim(const struct qnm_rundir *rd, const char *ifname);

/**
 * qnm_tap_records() - the TAP records of the current network namespace in
 * the runtime dir @runtime_dir, each with its owner's state.
 * Reads only: a runtime dir without records is not created.
 * @v: new array of *@n (caller frees); NULL when none.
 * Return: 0 or -errno (records unreadable).
 */
int qnm_tap_records(const char *runtime_dir, struct qnm_tap_record **v, size_t *n);

/**
 * qnm_tap_reclaim() - delete the TAPs of VM @vm (every VM when NULL) whose
 * owner is gone, and their records (a TAP a process still holds, or an
 * interface of that name that is no TAP, is left alone).
 * @runtime_dir: qnm's runtime dir.
 * @vm:          the VM, or NULL.
 * @report:      one sentence per TAP removed is added ("removed TAP X that
 *               qnm made for VM 'V' (its supervisor, pid N, is gone)").
 * Return: how many TAPs (or stale records) were removed, or -errno.
 */
int qnm_tap_reclaim(const char *runtime_dir, const char *vm, struct qnm_strbuf *report);

#endif
