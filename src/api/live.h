/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * live.h - the engine API for what a running VM runs beside what is saved.
 *
 * QEMU runs the VM as it was when it started: qnm records that in the VM's
 * runtime directory (running.conf) and keeps it up to date when something
 * changes live. Screens and "qnm show" show what runs and mark what differs
 * from the saved VM. The rule, the same for the CLI and the UI: an edit is
 * saved first; then what can change in a running guest is applied to it at
 * once (a NIC's cable, the forwards of a slirp NIC; a network's forwards
 * apply through forward.h), and everything else (model, backend, MAC,
 * memory...) waits for the next start: "restart to apply: ...".
 */
#ifndef QNM_API_LIVE_H
#define QNM_API_LIVE_H

#include "core/context.h"

/* The rule, in the words forms and help show. */
#define QNM_LIVE_RULE                                                                              \
	"Saving applies the cable and slirp forwards to a running guest at once; "                 \
	"other changes wait for its restart."

/**
 * qnm_api_vm_running_config() - the VM @name as its QEMU runs it.
 * Return: a new VM (free with qnm_vm_free()), or NULL when it does not run
 * or was started by a qnm that kept no record.
 */
struct qnm_vm *qnm_api_vm_running_config(const struct qnm_ctx *ctx, const char *name);

/**
 * qnm_api_vm_pending() - what differs between @running and @saved and
 * waits for a restart, one item each ("n0 model virtio-net-pci -> e1000",
 * "memory 256 -> 512", "n1 added", "n1 removed"); what applies live (a
 * cable, a slirp NIC's forwards) is not listed.
 * @out: initialised; items are appended.
 */
void qnm_api_vm_pending(const struct qnm_vm *running, const struct qnm_vm *saved,
			struct qnm_strv *out);

/**
 * qnm_api_vm_pending_line() - "restart to apply: ITEM; ITEM" for @pending.
 * Return: a new string (caller frees), or NULL when @pending is empty.
 */
char *qnm_api_vm_pending_line(const struct qnm_strv *pending);

/**
 * qnm_api_vm_apply_live() - after a save of the VM @name: when it runs,
 * apply what may change live (cables by QMP set_link, forwards of slirp
 * NICs through their helper), record it as running, and say what waits.
 * @applied: initialised; gets one sentence per change applied
 *           ("n0: cable unplugged", "n0: forward tcp::8080-:80 added").
 * @pending: initialised; gets qnm_api_vm_pending() after the live changes.
 * @err:     the first live change that failed (the others are still tried).
 * Return: 0 (also when the VM does not run), or -errno of that failure.
 */
int qnm_api_vm_apply_live(struct qnm_ctx *ctx, const char *name, struct qnm_strv *applied,
			  struct qnm_strv *pending, struct qnm_err *err);

/**
 * qnm_api_vm_apply_note() - one sentence for a status line or the CLI:
 * "applied to the running guest: A; B. restart to apply: C" (NULL when
 * both lists are empty). Caller frees.
 */
char *qnm_api_vm_apply_note(const struct qnm_strv *applied, const struct qnm_strv *pending);

#endif
