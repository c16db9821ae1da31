/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp-helper.h - "qnm slirp-helper": one user-mode network (libslirp) for
 * one guest NIC, served to QEMU over a unix stream socket.
 *
 * QEMU side:  -netdev stream,id=ID,server=off,addr.type=unix,addr.path=SOCK
 *             Every Ethernet frame on the socket is preceded by its length
 *             as a 4-byte big-endian number (QEMU's stream netdev format).
 * Control:    a second unix socket, see slirpctl.h for the protocol.
 *
 * Life cycle: the helper creates both sockets (mode 0600, a stale socket
 * file nobody listens on is replaced), adds the configured forwards, then
 * reports "ready" (--ready-fd) and waits for QEMU. It serves one QEMU
 * connection at a time. It exits with status 0 when QEMU disconnects
 * (unless told to keep listening), on SIGTERM/SIGINT/SIGHUP, or when QEMU
 * has not connected within the connect timeout; it removes its sockets on
 * the way out. Its messages go to stderr.
 *
 * Counters are kept from the guest's point of view (struct qnm_slirp_stats
 * in slirpctl.h): rx = frames libslirp delivers to the guest, tx = frames
 * the guest sends; bytes are Ethernet frame bytes without the 4-byte
 * length prefix.
 *
 * restrict: libslirp's "restricted" mode, as QEMU's restrict=on: the guest
 * gets DHCP and can answer connections made through host forwards, but
 * cannot open connections to the host (10.0.2.2) or anywhere else; DHCP
 * offers no router.
 */
#ifndef QNM_SLIRP_HELPER_H
#define QNM_SLIRP_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"

/* Largest frame accepted from QEMU (its stream netdev sends at most 69632). */
#define QNM_SLIRP_FRAME_MAX (64 * 1024 + 4096)
/* Bytes queued for QEMU before frames for the guest are dropped. */
#define QNM_SLIRP_TXQ_LIMIT (4u << 20)
/* Default time the spawned helper waits for QEMU to connect, in seconds. */
#define QNM_SLIRP_CONNECT_TIMEOUT 60

/**
 * struct qnm_slirp_helper_cfg - how to run one helper.
 * @socket_path:     the socket QEMU connects to.
 * @control_path:    the control socket (slirpctl.h).
 * @nic_id:          NIC id used in messages ("n0").
 * @opts:            net, host, dhcpstart, dns, restrict, ipv6, hostfwd as for
 *                   the user backend (@opts.smb must be NULL). Not owned.
 * @keep_listening:  after QEMU disconnects, wait for a new connection
 *                   instead of exiting.
 * @connect_timeout: seconds to wait for the first QEMU connection (0 =
 *                   forever); the helper exits with status 1 after it.
 * @ready_fd:        when >= 0, the helper writes "ok\n" there once both
 *                   sockets listen, or "error: MESSAGE\n" when it cannot
 *                   start, then closes it.
 */
struct qnm_slirp_helper_cfg {
	const char *socket_path;
	const char *control_path;
	const char *nic_id;
	const struct qnm_user_opts *opts;
	bool keep_listening;
	unsigned connect_timeout;
	int ready_fd;
};

/**
 * qnm_slirp_helper_run() - run a helper in this process until it is done.
 * @cfg: the configuration (validated here: addresses, forwards).
 * @err: why it could not start, or why it stopped with an error.
 *
 * Blocks SIGTERM, SIGINT and SIGHUP (reads them from a signalfd) and
 * ignores SIGPIPE for the rest of the process: call it from the helper
 * process only (cli/slirp.c), never from the UI.
 *
 * Return: 0 after a clean end (QEMU disconnected, or a signal), -EINVAL
 * for a bad configuration, -EADDRINUSE when a socket or forward port is
 * taken, -ETIMEDOUT when QEMU never connected, another -errno otherwise.
 */
int qnm_slirp_helper_run(const struct qnm_slirp_helper_cfg *cfg, struct qnm_err *err);

/**
 * qnm_slirp_control_path() - the control socket of the helper of @nic:
 * "RUNDIR/slirp-NICID.ctl", next to qnm_slirp_socket_path().
 * Return: new string, caller frees.
 */
char *qnm_slirp_control_path(const char *rundir, const struct qnm_nic *nic);

/**
 * qnm_slirp_helper_argv() - the argv that starts the helper of @nic.
 * @exe:      the qnm binary to run (argv[0]).
 * @vm:       the VM (for the socket path).
 * @nic:      a NIC with the slirp backend (its user options are used).
 * @rundir:   the VM's runtime directory.
 * @ready_fd: value of --ready-fd, or -1 for none.
 * @argv:     initialised strv; the arguments are appended.
 */
void qnm_slirp_helper_argv(const char *exe, const struct qnm_vm *vm, const struct qnm_nic *nic,
			   const char *rundir, int ready_fd, struct qnm_strv *argv);

/**
 * qnm_slirp_helper_spawn() - start "qnm slirp-helper" for @nic and wait
 * until it listens.
 * @vm:     the VM the NIC belongs to.
 * @nic:    the NIC (backend slirp; validated here).
 * @rundir: the VM's runtime directory (exists, 0700). The QEMU socket is
 *          qnm_slirp_socket_path() with .rundir = @rundir, the control
 *          socket qnm_slirp_control_path(), the helper's stderr is
 *          appended to "RUNDIR/slirp-NICID.log".
 * @pid:    the helper's pid on success.
 * @err:    on failure the helper's own message (e.g. "hostfwd
 *          tcp:127.0.0.1:2222-:22: host port 2222 on 127.0.0.1 is already
 *          in use") or why it could not be run.
 *
 * Runs the program qnm-slirp-helper (qnm_prog_path(); or $QNM_HELPER_EXE
 * when set: a qnm, for tests and tools that link the engine into another
 * program or compare builds) with the argv "qnm slirp-helper ...", in a new
 * session (it outlives the UI like the guest does), stdin/stdout on
 * /dev/null, no inherited descriptors, default signal dispositions. Waits
 * up to 5 s for it to report ready. The helper exits on its own when QEMU
 * disconnects, or when QEMU has not connected within
 * QNM_SLIRP_CONNECT_TIMEOUT seconds; the caller stops it earlier with
 * SIGTERM. The caller reaps it (waitpid) or lets init do so.
 *
 * The pid is also written to qnm_slirp_pid_path() (for qnm_slirp_helper_stop()
 * from another process, e.g. after qnm restarted).
 *
 * Return: 0, -EINVAL for a bad NIC, -ETIMEDOUT when the helper did not
 * report in time (it is then killed and reaped), -EIO when it reported an
 * error (it has exited and is reaped), another -errno when it could not be
 * started.
 */
int qnm_slirp_helper_spawn(const struct qnm_vm *vm, const struct qnm_nic *nic, const char *rundir,
			   pid_t *pid, struct qnm_err *err);

/**
 * qnm_slirp_pid_path() - where qnm_slirp_helper_spawn() records the helper's
 * pid: "RUNDIR/slirp-NICID.pid".
 * Return: new string, caller frees.
 */
char *qnm_slirp_pid_path(const char *rundir, const struct qnm_nic *nic);

/**
 * qnm_slirp_helper_pid() - the pid of the running helper of @nic, read from
 * qnm_slirp_pid_path() and checked like qnm_slirp_helper_stop() does
 * (/proc/PID/cmdline is "qnm slirp-helper" with this NIC's control socket).
 * @rundir: the VM's runtime directory.
 * @nic:    the NIC.
 * Return: the pid, or 0 when no such helper runs.
 */
pid_t qnm_slirp_helper_pid(const char *rundir, const struct qnm_nic *nic);

/**
 * qnm_slirp_helper_stop() - stop the helper of @nic (after QEMU is gone, or
 * when starting QEMU failed).
 * @rundir:     the VM's runtime directory given to qnm_slirp_helper_spawn().
 * @nic:        the NIC.
 * @timeout_ms: how long to wait after SIGTERM before SIGKILL.
 * @err:        on failure, why (may be NULL).
 *
 * Reads the pid file, and only when /proc/PID/cmdline is "qnm slirp-helper"
 * with this NIC's control socket (a recycled pid is left alone) sends SIGTERM,
 * waits, then SIGKILL. Reaps the helper when it is the caller's child. A
 * helper that already exited (it does when QEMU disconnects) is fine. Removes
 * the pid file.
 *
 * Return: 0 (stopped or already gone), -ETIMEDOUT when it survived SIGKILL.
 */
int qnm_slirp_helper_stop(const char *rundir, const struct qnm_nic *nic, int timeout_ms,
			  struct qnm_err *err);

/* ---- frame reassembly (exported for unit tests) ---- */

/**
 * struct qnm_frame_rx - reassembles length-prefixed frames from a byte
 * stream.
 * @buf: storage, @cap bytes.
 * @off: start of unconsumed bytes.
 * @len: end of received bytes.
 */
struct qnm_frame_rx {
	uint8_t *buf;
	size_t cap;
	size_t off;
	size_t len;
};

/** qnm_frame_rx_init() - empty reassembler; free with qnm_frame_rx_free(). */
void qnm_frame_rx_init(struct qnm_frame_rx *rx);
void qnm_frame_rx_free(struct qnm_frame_rx *rx);

/**
 * qnm_frame_rx_space() - room to read more bytes into (at least one
 * largest frame plus its prefix). Invalidates frames returned before.
 * @avail: set to the number of bytes that may be written.
 * Return: where to write them; then call qnm_frame_rx_commit().
 */
uint8_t *qnm_frame_rx_space(struct qnm_frame_rx *rx, size_t *avail);

/** qnm_frame_rx_commit() - @n bytes were written at qnm_frame_rx_space(). */
void qnm_frame_rx_commit(struct qnm_frame_rx *rx, size_t n);

/**
 * qnm_frame_rx_feed() - copy @n bytes in (space + memcpy + commit, in steps).
 *
 * Copies at most what fits: feeding more than four largest frames without
 * taking them out with qnm_frame_rx_next() in between loses the excess.
 * (The helper itself reads straight into qnm_frame_rx_space().)
 */
void qnm_frame_rx_feed(struct qnm_frame_rx *rx, const void *data, size_t n);

/**
 * qnm_frame_rx_next() - take the next complete frame.
 * @frame: set to its first byte (valid until the next space/feed call).
 * @len:   set to its length (zero-length frames are skipped).
 * Return: 1 when a frame was taken, 0 when more bytes are needed,
 * -EPROTO when the prefix announces more than QNM_SLIRP_FRAME_MAX (the
 * stream cannot be resynchronised; drop the connection).
 */
int qnm_frame_rx_next(struct qnm_frame_rx *rx, const uint8_t **frame, size_t *len);

#endif
