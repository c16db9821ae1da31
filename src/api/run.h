/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.h - the engine API for running VMs: start, stop, the cable of a NIC,
 * what runs and how it is, and the serial console.
 *
 * Starting and stopping take seconds, so each is two steps: the use case
 * (qnm_api_vm_start(), qnm_api_vm_stop()) checks and saves in the caller's
 * thread, which owns the context, and returns a job holding copies of what
 * it needs; qnm_api_vm_job_run() then does the slow part and touches only
 * the job, so a UI may run it in a worker thread while its main loop goes
 * on. The CLI runs both steps in a row. Neither front end sees runtime
 * directories, QMP or the runner.
 */
#ifndef QNM_API_RUN_H
#define QNM_API_RUN_H

#include <limits.h>
#include <stdbool.h>

#include "core/context.h"
/* re-exported, types only: a guest's run state (struct qnm_run_info, enum
 * qnm_run_status, qnm_run_status_name()) and what a start did (struct
 * qnm_start_info) */
#include "guest/runstate.h"

/** struct qnm_vm_job - a start or stop prepared by the API (opaque). */
struct qnm_vm_job;

/**
 * struct qnm_vm_job_result - what a start or stop did.
 * @name:       the VM.
 * @start:      a start: what the runner did; @start.warnings (live MAC
 *              clashes) is filled also when the start failed.
 * @how:        a stop: a sentence saying how the guest ended, or why
 *              nothing was done.
 * @rundir:     the VM's runtime directory.
 * @serial_log: its serial console log.
 */
struct qnm_vm_job_result {
	char name[QNM_NAME_MAX + 1];
	struct qnm_start_info start;
	char how[256];
	char rundir[PATH_MAX];
	char serial_log[PATH_MAX];
};

/**
 * qnm_api_vm_start() - start the VM @name, step one: NICs without a MAC
 * get a unique one, saved in the VM's file (qnm_api_vm_save()), and a job
 * is made with copies of the VM and the networks. qnm_api_vm_job_run() then
 * checks the host (who holds a forwarded port, whether the bridge helper
 * may attach TAPs, TAPs, the bridge ACL, the QEMU binary), warns of MACs
 * already on a live bridge, and starts QEMU.
 * @ctx:        the context (model loaded).
 * @name:       the VM.
 * @timeout_ms: how long QEMU may take to answer (0: 10 s).
 * @out:        the job (free with qnm_api_vm_job_free()).
 * @nmacs:      how many NICs got a MAC now (may be NULL).
 * @err:        on failure, why ("no VM named ...", the save's error).
 * Return: 0 or -errno; on failure no job is made.
 */
int qnm_api_vm_start(struct qnm_ctx *ctx, const char *name, int timeout_ms, struct qnm_vm_job **out,
		     size_t *nmacs, struct qnm_err *err);

/**
 * qnm_api_vm_stop() - stop the VM @name, step one: a job for
 * qnm_api_vm_job_run(), which presses the guest's power button and waits,
 * then asks QEMU to quit, then kills it, and removes the runtime directory
 * (also the leftover one of a VM that crashed).
 * @ctx:          the context (the model need not be loaded).
 * @name:         the VM.
 * @force:        skip the power button.
 * @powerdown_ms: how long the guest may take to power off (0: 15 s).
 * @out:          the job (free with qnm_api_vm_job_free()).
 * Return: 0.
 */
int qnm_api_vm_stop(struct qnm_ctx *ctx, const char *name, bool force, int powerdown_ms,
		    struct qnm_vm_job **out, struct qnm_err *err);

/**
 * qnm_api_vm_job_run() - step two of a start or stop: the slow part. Uses
 * only @job (safe in a worker thread).
 * Return: 0, or -errno with @err set: for a start, -EALREADY when the VM
 * runs, or QEMU's own words on failure (nothing is left running); for a
 * stop, -ENOENT when it is not running and nothing is left to clean.
 */
int qnm_api_vm_job_run(struct qnm_vm_job *job, struct qnm_err *err);

/** qnm_api_vm_job_result() - what @job did (valid until it is freed). */
const struct qnm_vm_job_result *qnm_api_vm_job_result(const struct qnm_vm_job *job);

/** qnm_api_vm_job_free() - free @job (NULL: nothing). */
void qnm_api_vm_job_free(struct qnm_vm_job *job);

/**
 * qnm_api_vm_link() - plug (@up) or unplug the cable of the NIC @nic_id of
 * the running VM @name, live; the VM's file is unchanged.
 * Return: 0 or -errno (-ENOENT: the configured VM has no such NIC, or the
 * VM is not running).
 */
int qnm_api_vm_link(struct qnm_ctx *ctx, const char *name, const char *nic_id, bool up,
		    struct qnm_err *err);

/**
 * qnm_api_vm_state() - what the runtime directory of the VM @name says now
 * (@info->status is QNM_RUN_ABSENT when there is none). Cheap: no QMP.
 */
void qnm_api_vm_state(const struct qnm_ctx *ctx, const char *name, struct qnm_run_info *info);

/**
 * qnm_api_vm_running() - the names of the VMs that have a runtime
 * directory (running, or stopped/crashed and not yet cleaned), configured
 * or not.
 * @names: initialised; filled, sorted (free with qnm_strv_free()).
 */
void qnm_api_vm_running(const struct qnm_ctx *ctx, struct qnm_strv *names);

/**
 * struct qnm_vm_status - how a VM is, in full.
 * @name:       the VM.
 * @run:        what its runtime directory says.
 * @rundir:     that directory.
 * @serial_log: its serial console log.
 * @qemu_state: QEMU's own run state over QMP ("running", "paused", ...)
 *              when it runs and answered within 1 s, else "".
 * @problems:   sentences about what is broken while it runs (a slirp
 *              helper that died: that NIC has no network).
 */
struct qnm_vm_status {
	char name[QNM_NAME_MAX + 1];
	struct qnm_run_info run;
	char rundir[PATH_MAX];
	char serial_log[PATH_MAX];
	char qemu_state[32];
	struct qnm_strv problems;
};

/**
 * qnm_api_vm_status() - how the VM @name is (see struct qnm_vm_status).
 * @st: filled; release with qnm_api_vm_status_clear().
 */
void qnm_api_vm_status(const struct qnm_ctx *ctx, const char *name, struct qnm_vm_status *st);

/** qnm_api_vm_status_clear() - free what @st holds. */
void qnm_api_vm_status_clear(struct qnm_vm_status *st);

/**
 * qnm_api_vm_problems() - the sentences of qnm_vm_status.problems for the
 * VM @name (configured in the loaded model), appended to @out.
 */
void qnm_api_vm_problems(const struct qnm_ctx *ctx, const char *name, struct qnm_strv *out);

/**
 * qnm_api_vm_console_tail() - the last @lines lines of the VM @name's
 * serial console, without the control characters a console may print.
 * Return: new string ("" when nothing is logged), caller frees.
 */
char *qnm_api_vm_console_tail(const struct qnm_ctx *ctx, const char *name, unsigned lines);

/**
 * qnm_api_vm_console_open() - open the serial console log of the VM @name
 * for reading (to follow it while qnm_api_vm_state() says it runs).
 * @fd: the descriptor (close it after).
 * Return: 0, -ENOENT when the VM is not running (no serial log), or -errno.
 */
int qnm_api_vm_console_open(const struct qnm_ctx *ctx, const char *name, int *fd,
			    struct qnm_err *err);

/** struct qnm_console_log - the serial log of a VM, followed (opaque). */
struct qnm_console_log;

/**
 * qnm_api_vm_console_follow() - follow the serial console log of the VM
 * @name from its start (@from_end false) or its end, across the rotations
 * log-max makes (what was not read yet is read from serial.log.1 first).
 * @out: set to the reader; release with qnm_api_console_log_close().
 * Return: 0, -ENOENT when the VM is not running (no serial log), or -errno.
 */
int qnm_api_vm_console_follow(const struct qnm_ctx *ctx, const char *name, bool from_end,
			      struct qnm_console_log **out, struct qnm_err *err);

/**
 * qnm_api_console_log_read() - the next bytes of @log, up to @len.
 * @gaps: set to how often output was rotated away before it could be read.
 * Return: how many (0: nothing new yet), or -errno.
 */
ssize_t qnm_api_console_log_read(struct qnm_console_log *log, char *buf, size_t len,
				 unsigned *gaps);

/** qnm_api_console_log_close() - release @log (NULL is fine). */
void qnm_api_console_log_close(struct qnm_console_log *log);

#endif
