/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - packet capture of a running guest's NIC into a pcap file, for
 * both front ends: start (after removing captures whose qnm died), stop,
 * list, and a way to wait for the guest to stop. QEMU does the capturing
 * (guest/capture.h: a filter-dump object over QMP); every capture is
 * recorded in the VM's runtime directory with its owner.
 */
#ifndef QNM_API_CAPTURE_H
#define QNM_API_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"
/* re-exported: struct qnm_capture(_opts), the capture records as read-only
 * data, and the pure helpers on them (qnm_capture_check_path(),
 * qnm_capture_owner_alive(), qnm_pcap_count()) */
#include "guest/capture.h"

/**
 * qnm_api_capture_start() - start capturing NIC @nic of the running VM @vm
 * into @file. Captures of @vm whose owning qnm process is gone are removed
 * first (they would write until the guest stops).
 * @ctx:   the context (its model must be loaded).
 * @vm:    the VM's name.
 * @nic:   the NIC's id.
 * @file:  absolute path of the new pcap file (qnm_capture_check_path()).
 * @o:     options, or NULL for the defaults.
 * @out:   filled with the capture on success (owner: this process).
 * @swept: set to how many orphaned captures were removed (may be NULL).
 * @err:   why not: no such VM or NIC (naming it), QEMU's reason, the file.
 * Return: 0; -ENOENT (no such VM or NIC, or the VM is not running),
 * -EEXIST/-EINVAL/-EISDIR (the file), -EREMOTEIO (QEMU refused) or another
 * -errno. Nothing is left in place on failure.
 */
int qnm_api_capture_start(const struct qnm_ctx *ctx, const char *vm, const char *nic,
			  const char *file, const struct qnm_capture_opts *o,
			  struct qnm_capture *out, size_t *swept, struct qnm_err *err);

/**
 * qnm_api_capture_stop() - stop capture @id of VM @vm (QEMU closes the
 * file) and remove its record.
 * Return: 0 (also when the VM has stopped meanwhile), -ENOENT (no such
 * record and the VM is not running), -EREMOTEIO or another -errno.
 */
int qnm_api_capture_stop(const struct qnm_ctx *ctx, const char *vm, const char *id,
			 struct qnm_err *err);

/**
 * qnm_api_capture_list() - the captures recorded for VM @vm.
 * @v: set to a new array (caller frees with free()), @n entries (by id).
 * Return: 0 (none: *@n = 0) or -errno.
 */
int qnm_api_capture_list(const struct qnm_ctx *ctx, const char *vm, struct qnm_capture **v,
			 size_t *n, struct qnm_err *err);

/**
 * qnm_api_capture_guest_fd() - a descriptor that becomes readable (POLLIN)
 * when the QEMU of VM @vm exits, to end a capture with its guest.
 * Return: the descriptor (the caller closes it), or -1 when the VM's QEMU
 * is not known (not running).
 */
int qnm_api_capture_guest_fd(const struct qnm_ctx *ctx, const char *vm);

#endif
