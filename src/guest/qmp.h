/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.h - a QMP client (QEMU Machine Protocol) over json-c.
 *
 * One connection per VM on its unix socket. The socket is non-blocking:
 * a UI polls qnm_qmp_fd() for POLLIN, calls qnm_qmp_read() and then drains
 * events with qnm_qmp_next_event() and replies with qnm_qmp_take_reply().
 * Scripts and the CLI use qnm_qmp_execute(), which waits (with a timeout)
 * for the reply to its own command and queues any events seen meanwhile.
 *
 * Commands carry an "id" so replies are matched to their command even when
 * events arrive in between.
 */
#ifndef QNM_QMP_H
#define QNM_QMP_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/util.h"

struct qnm_qmp;

/**
 * struct qnm_qmp_event - one asynchronous event.
 * @name: event name ("SHUTDOWN", "STOP", "RESUME", "NIC_RX_FILTER_CHANGED", ...).
 * @data: its "data" member (a reference the event owns), or NULL.
 * @sec:  timestamp seconds (QEMU's clock).
 * @usec: timestamp microseconds.
 */
struct qnm_qmp_event {
	char name[64];
	json_object *data;
	long long sec;
	long long usec;
};

/** qnm_qmp_event_clear() - drop the reference held by @ev. */
void qnm_qmp_event_clear(struct qnm_qmp_event *ev);

/**
 * qnm_qmp_connect() - connect to the QMP socket @path and negotiate
 * capabilities.
 * @timeout_ms: how long to keep retrying while the socket does not exist
 *              or refuses (QEMU still starting), and to wait for the
 *              greeting and the handshake.
 * @out:        the connection; free with qnm_qmp_free().
 * Return: 0, -ETIMEDOUT, -ECONNREFUSED, -EPROTO (not QMP) or -errno.
 */
int qnm_qmp_connect(const char *path, int timeout_ms, struct qnm_qmp **out, struct qnm_err *err);

/**
 * qnm_qmp_new_fd() - wrap an already connected stream socket @fd (taken over,
 * made non-blocking) without waiting for a greeting or negotiating: for
 * tests and fuzzing, which feed QMP text through a socketpair.
 * Return: the connection; free with qnm_qmp_free().
 */
struct qnm_qmp *qnm_qmp_new_fd(int fd);

/** qnm_qmp_free() - close and free (NULL is fine). */
void qnm_qmp_free(struct qnm_qmp *q);

/** qnm_qmp_fd() - the socket, to poll for POLLIN. */
int qnm_qmp_fd(const struct qnm_qmp *q);

/** qnm_qmp_version() - QEMU's version from the greeting ("7.2.22"). */
const char *qnm_qmp_version(const struct qnm_qmp *q);

/**
 * qnm_qmp_send() - send a command without waiting.
 * @cmd:  command name.
 * @args: arguments object (ownership taken) or NULL.
 * @id:   the id given to the command (for qnm_qmp_take_reply()).
 * Return: 0, -EPIPE when QEMU closed the connection, or -errno.
 */
int qnm_qmp_send(struct qnm_qmp *q, const char *cmd, json_object *args, unsigned *id,
		 struct qnm_err *err);

/**
 * qnm_qmp_send_fd() - qnm_qmp_send() with descriptor @fd (-1: none) passed
 * along as SCM_RIGHTS (for "add-fd" and "getfd"). @fd stays the caller's.
 */
int qnm_qmp_send_fd(struct qnm_qmp *q, const char *cmd, json_object *args, int fd, unsigned *id,
		    struct qnm_err *err);

/**
 * qnm_qmp_read() - read what is available (never blocks) and sort it into
 * the event and reply queues.
 * Return: number of messages read (>= 0), or -EPIPE when QEMU closed the
 * connection (everything received before is still queued).
 */
int qnm_qmp_read(struct qnm_qmp *q, struct qnm_err *err);

/**
 * qnm_qmp_next_event() - pop the oldest queued event.
 * Return: true and @ev filled (clear it with qnm_qmp_event_clear()), or
 * false when the queue is empty.
 */
bool qnm_qmp_next_event(struct qnm_qmp *q, struct qnm_qmp_event *ev);

/**
 * qnm_qmp_take_reply() - the reply to command @id, if it has arrived.
 * @ret: on success, the "return" member (caller puts it), may be NULL to ignore.
 * Return: 0, -EAGAIN (not yet), or -EREMOTEIO when QEMU answered with an
 * error (its class and description are in @err).
 */
int qnm_qmp_take_reply(struct qnm_qmp *q, unsigned id, json_object **ret, struct qnm_err *err);

/**
 * qnm_qmp_execute() - send @cmd and wait up to @timeout_ms for its reply.
 * @args: arguments (ownership taken) or NULL.
 * @ret:  the "return" member (caller puts it), or NULL to ignore.
 * Return: 0, -ETIMEDOUT, -EPIPE (QEMU went away), -EREMOTEIO (QEMU said no).
 */
int qnm_qmp_execute(struct qnm_qmp *q, const char *cmd, json_object *args, json_object **ret,
		    int timeout_ms, struct qnm_err *err);

/**
 * qnm_qmp_execute_fd() - qnm_qmp_execute() with descriptor @fd (-1: none)
 * passed along as SCM_RIGHTS. @fd stays the caller's (QEMU gets a copy).
 */
int qnm_qmp_execute_fd(struct qnm_qmp *q, const char *cmd, json_object *args, int fd,
		       json_object **ret, int timeout_ms, struct qnm_err *err);

/**
 * qnm_qmp_add_fd() - "add-fd": hand QEMU a copy of @fd in a new fd set.
 * @fd:       the descriptor (stays the caller's).
 * @opaque:   a note stored with it (shown by "query-fdsets"), or NULL.
 * @fdset_id: set to the new fd set's id (for qnm_qmp_remove_fd()).
 * @qemu_fd:  set to the descriptor's number inside QEMU.
 * Return: 0, -EREMOTEIO (QEMU said no), -EPROTO (a reply without them) or
 * another -errno.
 */
int qnm_qmp_add_fd(struct qnm_qmp *q, int fd, const char *opaque, long long *fdset_id, int *qemu_fd,
		   struct qnm_err *err);

/**
 * qnm_qmp_remove_fd() - "remove-fd": drop fd set @fdset_id; QEMU closes its
 * descriptors once nothing it opened from the set still uses them.
 * Return: 0, -EREMOTEIO (no such fd set) or another -errno.
 */
int qnm_qmp_remove_fd(struct qnm_qmp *q, long long fdset_id, struct qnm_err *err);

/**
 * qnm_qmp_wait_event() - wait up to @timeout_ms for event @name (other
 * events stay queued).
 * Return: 0 (@ev filled when non-NULL), -ETIMEDOUT or -EPIPE.
 */
int qnm_qmp_wait_event(struct qnm_qmp *q, const char *name, int timeout_ms,
		       struct qnm_qmp_event *ev, struct qnm_err *err);

/**
 * qnm_qmp_query_status() - "query-status".
 * @status: QEMU's run state ("running", "paused", "prelaunch", "shutdown", ...).
 * @running: true when the guest's CPUs run.
 * Return: 0 or -errno.
 */
int qnm_qmp_query_status(struct qnm_qmp *q, char *status, size_t len, bool *running,
			 struct qnm_err *err);

/**
 * qnm_qmp_chardev_pty() - the pty QEMU made for chardev @id (a "pty"
 * backend: query-chardev's filename "pty:/dev/pts/N") into @path.
 * Return: 0, -ENOENT (no such chardev, or not a pty), or -errno (@err).
 */
int qnm_qmp_chardev_pty(struct qnm_qmp *q, const char *id, char *path, size_t len,
			struct qnm_err *err);

/** qnm_qmp_cont() - "cont": start a guest created with -S. */
int qnm_qmp_cont(struct qnm_qmp *q, struct qnm_err *err);

/** qnm_qmp_powerdown() - "system_powerdown": press the ACPI power button. */
int qnm_qmp_powerdown(struct qnm_qmp *q, struct qnm_err *err);

/**
 * qnm_qmp_quit() - "quit": QEMU exits at once. A connection closed before
 * the reply also counts as success.
 */
int qnm_qmp_quit(struct qnm_qmp *q, struct qnm_err *err);

/**
 * qnm_qmp_set_link() - "set_link": plug (@up) or unplug a NIC's cable.
 * @name: the netdev id (qnm's NIC id).
 */
int qnm_qmp_set_link(struct qnm_qmp *q, const char *name, bool up, struct qnm_err *err);

/**
 * qnm_qmp_hmp() - "human-monitor-command".
 * @out: the monitor's text output (caller frees), or NULL to ignore.
 */
int qnm_qmp_hmp(struct qnm_qmp *q, const char *cmdline, char **out, struct qnm_err *err);

#endif
