// SPDX-License-Identifier: GPL-2.0-or-later
/* capture.c - packet capture of a guest NIC (see capture.h). */
#include "build-config.h"

#include "api/capture.h"

#include "guest/rundir.h"
#include "guest/runner.h"

#include <errno.h>

int qnm_api_capture_start(const struct qnm_ctx *ctx, const char *vm, const char *nic,
			  const char *file, const struct qnm_capture_opts *o,
			  struct qnm_capture *out, size_t *swept, struct qnm_err *err)
{
	const struct qnm_vm *v = qnm_model_find_vm(&ctx->model, vm);
	struct qnm_err e2;
	size_t n = 0;

	if (swept)
		*swept = 0;
	if (!v)
		return qnm_err_set(err, -ENOENT, "vm", "no VM named '%s' (qnm list shows them)",
				   vm);
	if (!qnm_vm_find_nic(v, nic))
		return qnm_err_set(err, -ENOENT, "nic", "VM '%s' has no NIC '%s' (qnm nic list %s)",
				   vm, nic, vm);
	/* a capture left by a qnm that died would write until the guest stops */
	qnm_err_clear(&e2);
	if (qnm_capture_sweep(ctx->paths.runtime_dir, vm, &n, &e2) == 0 && swept)
		*swept = n;
	return qnm_capture_start(ctx->paths.runtime_dir, vm, nic, file, o, out, err);
}

int qnm_api_capture_stop(const struct qnm_ctx *ctx, const char *vm, const char *id,
			 struct qnm_err *err)
{
	return qnm_capture_stop(ctx->paths.runtime_dir, vm, id, err);
}

int qnm_api_capture_list(const struct qnm_ctx *ctx, const char *vm, struct qnm_capture **v,
			 size_t *n, struct qnm_err *err)
{
	return qnm_capture_list(ctx->paths.runtime_dir, vm, v, n, err);
}

int qnm_api_capture_guest_fd(const struct qnm_ctx *ctx, const char *vm)
{
	struct qnm_run_info info;
	struct qnm_rundir rd;
	int fd;

	qnm_rundir_init(&rd, ctx->paths.runtime_dir, vm);
	qnm_rundir_probe(&rd, &info);
	qnm_rundir_clear(&rd);
	if (info.qemu_pid <= 0)
		return -1;
	fd = qnm_runner_watch_fd(info.qemu_pid);
	return fd < 0 ? -1 : fd;
}
