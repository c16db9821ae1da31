/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * passt.h - one passt process (Debian package "passt") per guest NIC of the
 * passt backend, joined to QEMU over a unix stream socket:
 * -netdev stream,id=ID,server=off,addr.type=unix,addr.path=RUNDIR/passt-ID.sock
 *
 * Files in the VM's runtime dir, per NIC: passt-ID.sock (passt listens),
 * passt-ID.pid (written by qnm: the pid qnm started), passt-ID.log (passt's
 * log, --log-file), passt-ID.err (its stderr: what it says before its log
 * is open, and its errors again).
 *
 * What this passt (Debian 12: 0.0~git20230309) does that qnm works around:
 * - started as root it switches to user "nobody" *before* it binds its
 *   socket, and logs "UNIX domain socket bound" even when bind() failed
 *   with EACCES (a 0700 runtime dir): QEMU then has no network and says
 *   nothing. qnm runs it with --runas of its own uid:gid (passt still drops
 *   every capability, sets no_new_privs and a seccomp filter, and lives in
 *   its own user and mount namespaces), and waits until the socket is
 *   listed as listening in /proc/net/unix before QEMU starts; a passt that
 *   never listens is stopped and the start fails with its log.
 * - it is started with --one-off: it serves one QEMU connection and exits
 *   when QEMU goes away. (So readiness is not probed by connecting: a probe
 *   would be its one client.)
 * - it has no control interface: forwards are fixed at start (a change
 *   applies at the next start) and there are no traffic counters.
 */
#ifndef QNM_PASST_H
#define QNM_PASST_H

#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"

struct qnm_cmdline_opts;

/* How long qnm waits for passt to listen on its socket, in ms. */
#define QNM_PASST_READY_MS 5000

/**
 * qnm_passt_binary() - the passt program qnm runs: $QNM_PASST when set
 * (tests), else "passt" (looked up in $PATH).
 */
const char *qnm_passt_binary(void);

/**
 * qnm_passt_find() - whether qnm_passt_binary() can be run (an executable
 * file, directly or in $PATH).
 * @path: when not NULL, set to the file found (caller frees), or NULL.
 */
bool qnm_passt_find(char **path);

/**
 * qnm_passt_socket_path() - where the passt of @nic listens:
 * "RUNDIR/passt-ID.sock" (RUNDIR from @o as for qnm_slirp_socket_path()).
 * Return: new string, caller frees.
 */
char *qnm_passt_socket_path(const struct qnm_vm *vm, const struct qnm_nic *nic,
			    const struct qnm_cmdline_opts *o);

/**
 * qnm_passt_fwd_spec() - the passt port spec of forward @f, the value of
 * -t (tcp) or -u (udp): "[HOSTADDR/]HOSTPORT:GUESTPORT", with a range
 * "[HOSTADDR/]FIRST-LAST:FIRST-LAST" (passt's own range syntax).
 * @buf: filled, @size bytes (64 are enough).
 * Return: "-t" or "-u"; for tcp+udp "-t", and the same spec goes with -u too.
 */
const char *qnm_passt_fwd_spec(const struct qnm_fwd *f, char *buf, size_t size);

/**
 * qnm_passt_argv() - the command that runs the passt of @nic in the
 * foreground: passt --foreground --log-file LOG --runas UID:GID --one-off
 * --socket SOCK [--ipv4-only] [-t|-u SPEC]...
 * @vm:     the VM (for the socket path).
 * @nic:    a NIC of the passt backend.
 * @rundir: the VM's runtime directory.
 * @argv:   initialised strv; the arguments are appended.
 */
void qnm_passt_argv(const struct qnm_vm *vm, const struct qnm_nic *nic, const char *rundir,
		    struct qnm_strv *argv);

/**
 * qnm_passt_spawn() - start the passt of @nic and wait until its socket
 * listens.
 * @vm:     the VM.
 * @nic:    the NIC (passt backend).
 * @rundir: the VM's runtime directory (exists, 0700, ours).
 * @pid:    passt's pid on success (a child of the caller, in its own
 *          session; also written to RUNDIR/passt-ID.pid).
 * @err:    why not: passt not installed, it exited (its last log line),
 *          or it did not listen within QNM_PASST_READY_MS.
 * Return: 0, -ENOENT (no passt), -EIO (it exited), -ETIMEDOUT (it never
 * listened; it is stopped), another -errno.
 */
int qnm_passt_spawn(const struct qnm_vm *vm, const struct qnm_nic *nic, const char *rundir,
		    pid_t *pid, struct qnm_err *err);

/**
 * qnm_passt_pid() - the pid of the running passt of NIC @nic_id of the VM
 * whose runtime dir is @rundir: read from RUNDIR/passt-ID.pid, and only when
 * /proc/PID/cmdline is passt's with this NIC's socket (a recycled pid is
 * not taken for it).
 * Return: the pid, or 0 when none runs.
 */
pid_t qnm_passt_pid(const char *rundir, const char *nic_id);

/**
 * qnm_passt_stop() - stop the passt of NIC @nic_id (SIGTERM, after
 * @timeout_ms SIGKILL), reap it when it is the caller's child, remove its
 * pid file and socket. One that already exited is fine.
 * @child: the pid of passt when it is the caller's own child (the
 *         supervisor's), else 0: a child not yet reaped is stopped (and
 *         reaped) even when its pid file is gone already.
 * Return: the pid stopped, 0 when none ran, -ETIMEDOUT when it survived
 * SIGKILL.
 */
pid_t qnm_passt_stop(const char *rundir, const char *nic_id, pid_t child, int timeout_ms);

/**
 * qnm_passt_reclaim() - stop every passt recorded in @rundir (a VM whose
 * QEMU and supervisor are gone: what a killed supervisor left running).
 * @report: a sentence per passt stopped is appended.
 * Return: how many were stopped.
 */
int qnm_passt_reclaim(const char *rundir, struct qnm_strbuf *report);

#endif
