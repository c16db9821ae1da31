/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runner.h - start, watch and stop QEMU guests.
 *
 * qnm_runner_start() checks the host first (bridge ACL, TAPs, hostfwd
 * ports, MACs), then forks a small supervisor in its own session (setsid:
 * it and QEMU outlive qnm and an SSH hangup). The supervisor prepares the
 * per-backend host side (slirp helpers, TAPs), spawns QEMU with
 * posix_spawn from qnm_vm_argv() (stdin /dev/null, stdout/stderr to
 * RUNDIR/qemu.log, never a shell), records its pid in RUNDIR/state, and
 * waits for it: when QEMU exits, however it dies (SIGKILL included), the
 * supervisor records "stopped" or "crashed" with the reason within
 * milliseconds and releases what was prepared for it (TAPs it created).
 * Each TAP is recorded as the supervisor's before it is created
 * (leftover.h): when the supervisor itself is killed, the next start, the
 * stop and "qnm doctor" find what it left and start and stop remove it.
 *
 * The caller then connects QMP, unplugs the cables of link-down NICs while
 * the guest is still paused (-S), and continues it.
 *
 * Stopping: system_powerdown, wait; quit, wait; SIGKILL of the recorded pid
 * (checked to be the QEMU of that runtime dir).
 */
#ifndef QNM_RUNNER_H
#define QNM_RUNNER_H

#include <stdbool.h>
#include <sys/types.h>

#include "guest/cmdline.h"
#include "core/model.h"
#include "guest/rundir.h"
#include "core/util.h"

/**
 * struct qnm_runner_opts - how to start a guest.
 * @runtime_dir:  qnm's runtime dir (paths.runtime_dir); the VM's dir is below.
 * @qemu:         QEMU binary, or NULL for "qemu-system-ARCH" from $PATH.
 * @kvm:          how accel=auto resolves (QNM_KVM_PROBE normally: an x86
 *                guest with accel=auto asks qnm_kvm_probe() whether KVM
 *                runs guests here, cached in @cache_dir; when it opens but
 *                does not, the guest runs under TCG and @info->warnings says
 *                so).
 * @timeout_ms:   how long QEMU may take to answer on QMP (0 = 10 s).
 * @bridge_conf:  the bridge helper's ACL file (NULL = /etc/qemu/bridge.conf).
 * @cache_dir:    qnm's cache directory (the KVM probe's answer), or NULL.
 * @model:        the configured networks, to find the bridge of a tap NIC's
 *                network (may be NULL when no NIC names a network).
 * @check_nic:    checks of a layer above for each NIC (the engine API's: who
 *                holds a forwarded host port), run by qnm_runner_check()
 *                after the NIC's MAC check and before its backend's own
 *                checks; NULL = none.
 *                Returns 0 or -errno with @err naming the NIC field.
 */
struct qnm_runner_opts {
	const char *runtime_dir;
	const char *qemu;
	enum qnm_kvm kvm;
	int timeout_ms;
	const char *bridge_conf;
	const char *cache_dir;
	const struct qnm_model *model;
	int (*check_nic)(const struct qnm_vm *vm, const struct qnm_nic *nic, struct qnm_err *err);
};

/**
 * qnm_runner_check() - the host-side checks done before a start, for every
 * NIC: a MAC assigned, @o->check_nic, TAP availability, the bridge helper
 * and its ACL, hostfwd ports bindable on the host; and the QEMU binary present.
 * @o: runner options (for the bridge.conf path, QEMU binary and @check_nic).
 * Return: 0 or -errno; @err names the NIC field and exactly what is wrong
 * (e.g. "/etc/qemu/bridge.conf has no line 'allow br0'").
 */
int qnm_runner_check(const struct qnm_vm *vm, const struct qnm_runner_opts *o, struct qnm_err *err);

/**
 * qnm_runner_start() - start @vm (see the file comment).
 *
 * Before QEMU is spawned, the MACs of @vm's NICs that join a live bridge are
 * looked up in that bridge's neighbour table and fdb: a MAC already there is
 * reported in @info->warnings and the start goes on. It is a warning, not a
 * refusal, like libvirt (which starts a guest whatever its LAN holds): the
 * entry may be this VM's own from its last run (a neighbour entry stays
 * "stale" for minutes), and only the admin knows whether the other machine
 * is still there. Two machines with one MAC lose each other's traffic.
 *
 * TAPs a killed supervisor of @vm left (qnm_tap_reclaim()) are removed
 * first, and said in @info->cleaned.
 *
 * @info: filled on success (may be NULL); @info->warnings also on failure.
 * Return: 0, -EALREADY (already running), or -errno; on failure QEMU's
 * own message (from qemu.log) is in @err and nothing is left running.
 */
int qnm_runner_start(const struct qnm_vm *vm, const struct qnm_runner_opts *o,
		     struct qnm_start_info *info, struct qnm_err *err);

/**
 * struct qnm_stop_opts - how to stop a guest.
 * @force:        skip the ACPI power button: quit, then SIGKILL.
 * @powerdown_ms: how long the guest may take to power off (0 = 15 s).
 * @quit_ms:      how long QEMU may take to quit (0 = 3 s).
 */
struct qnm_stop_opts {
	bool force;
	int powerdown_ms;
	int quit_ms;
};

/**
 * qnm_runner_stop() - stop the VM @name and remove its runtime dir, and
 * the TAPs a killed supervisor of @name left (qnm_tap_reclaim(); also when
 * the VM is not running).
 * @how: a sentence saying how it ended ("the guest powered off in 1.2 s",
 *       "QEMU did not quit; killed pid N"), or why nothing was done.
 * Return: 0, -ENOENT (not running and nothing to clean) or -errno.
 */
int qnm_runner_stop(const char *runtime_dir, const char *name, const struct qnm_stop_opts *so,
		    char *how, size_t len, struct qnm_err *err);

/**
 * qnm_runner_set_link() - plug (@up) or unplug the cable of NIC @nic_id of
 * the running VM @name (QMP set_link).
 * Return: 0 or -errno (-ENOENT: not running).
 */
int qnm_runner_set_link(const char *runtime_dir, const char *name, const char *nic_id, bool up,
			struct qnm_err *err);

/**
 * qnm_runner_qmp() - connect to the QMP socket of the running VM @name.
 * @out: the connection (free with qnm_qmp_free()).
 * Return: 0 or -errno (-ENOENT: not running).
 */
struct qnm_qmp;
int qnm_runner_qmp(const char *runtime_dir, const char *name, struct qnm_qmp **out,
		   struct qnm_err *err);

/**
 * qnm_runner_watch_fd() - a file descriptor that becomes readable (POLLIN)
 * when process @pid exits (a pidfd), for a UI's poll loop; close it after.
 * Return: the fd or -errno (e.g. -ESRCH: already gone).
 */
int qnm_runner_watch_fd(pid_t pid);

/**
 * qnm_runner_wait_exit() - wait up to @timeout_ms for @pid to exit.
 * Return: true when it is gone.
 */
bool qnm_runner_wait_exit(pid_t pid, int timeout_ms);

#endif
