/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console.h - the engine API for a running VM's interactive serial console.
 *
 * QEMU serves the guest's serial port on a socket in the VM's runtime
 * directory and logs everything it prints to serial.log (read with
 * qnm_api_vm_console_open()/_tail() in run.h, whether or not a client is
 * attached). One client at a time attaches: the attach takes a lock that
 * the holder keeps until it detaches or exits (even by SIGKILL); a second
 * attach is refused with -EBUSY and a message naming the holder's pid. The
 * front end polls qnm_api_console_fd(), reads what the guest printed and
 * writes what the user types; a serial line carries bytes only (no window
 * size: the guest learns one only from `stty rows R cols C`).
 */
#ifndef QNM_API_CONSOLE_H
#define QNM_API_CONSOLE_H

#include <stddef.h>
#include <sys/types.h>

#include "core/context.h"

/** struct qnm_console - an attached console (opaque). */
struct qnm_console;

/**
 * qnm_api_console_attach() - attach to the serial console of the running VM
 * @name.
 * @ctx:  the process context (its runtime directory).
 * @name: the VM.
 * @out:  set to the console on success (release with
 *        qnm_api_console_detach()), else NULL.
 * @err:  why not: not running, another client attached (-EBUSY, with its
 *        pid), a runtime directory qnm does not trust, no socket.
 * Return: 0 or -errno.
 */
int qnm_api_console_attach(const struct qnm_ctx *ctx, const char *name, struct qnm_console **out,
			   struct qnm_err *err);

/**
 * qnm_api_console_attach_remote() - attach to the serial console of VM
 * @name on registered host @host: that host's own "qnm console NAME" runs
 * there on a terminal (ssh -tt, remote.h), so its lock and checks hold
 * there; its words (why it could not attach) arrive as console output. The
 * same read/write/detach calls apply; a read of 0 means the session ended.
 * @ctx:  the context (hosts file, runtime dir).
 * @host: the host's name.
 * @name: the VM there.
 * @out:  set to the console on success, else NULL.
 * @err:  an unknown host, or ssh could not be run.
 * Return: 0 or -errno.
 */
int qnm_api_console_attach_remote(const struct qnm_ctx *ctx, const char *host, const char *name,
				  struct qnm_console **out, struct qnm_err *err);

/**
 * qnm_api_console_fd() - the descriptor to poll for reading (POLLIN: the
 * guest printed something or the VM went away). Owned by @con.
 */
int qnm_api_console_fd(const struct qnm_console *con);

/**
 * qnm_api_console_read() - what the guest printed, without waiting.
 * @buf: receives up to @size bytes, exactly as the guest sent them (escape
 *       sequences included: the caller renders or filters them).
 * Return: bytes read (> 0), 0 when the console closed (the VM stopped),
 * -EAGAIN when there is nothing now, or -errno.
 */
ssize_t qnm_api_console_read(struct qnm_console *con, void *buf, size_t size);

/**
 * qnm_api_console_write() - send @size bytes of @buf to the guest (keys
 * typed), waiting up to a second for room when the guest reads slowly.
 * Return: 0, -ETIMEDOUT when the guest did not take them, or -errno.
 */
int qnm_api_console_write(struct qnm_console *con, const void *buf, size_t size);

/** qnm_api_console_detach() - close the connection and release the lock; NULL is fine. */
void qnm_api_console_detach(struct qnm_console *con);

#endif
