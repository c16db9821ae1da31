/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runstate.h - what qnm knows of a guest's QEMU: the run state its runtime
 * directory records (rundir.h) and what a start did (runner.h). Types
 * only, so that the engine API (src/api/run.h) can hand them to the front
 * ends without handing them the runtime directory or the runner.
 */
#ifndef QNM_RUNSTATE_H
#define QNM_RUNSTATE_H

#include <stdbool.h>
#include <sys/types.h>

/** enum qnm_run_status - what a runtime directory says about its VM. */
enum qnm_run_status {
	QNM_RUN_ABSENT,	  /* no runtime directory: the VM is not running */
	QNM_RUN_STARTING, /* QEMU spawned, not yet confirmed running */
	QNM_RUN_RUNNING,  /* QEMU alive (guest may be paused) */
	QNM_RUN_STOPPED,  /* QEMU exited normally; directory left behind */
	QNM_RUN_CRASHED,  /* QEMU died (signal, error exit, or vanished) */
};

/** qnm_run_status_name() - "absent", "starting", "running", "stopped", "crashed". */
const char *qnm_run_status_name(enum qnm_run_status s);

/**
 * struct qnm_run_info - what qnm_rundir_probe() found.
 * @status:         see enum qnm_run_status.
 * @qemu_pid:       QEMU's pid (0 when unknown).
 * @supervisor_pid: pid of qnm's supervisor process (0 when unknown).
 * @supervisor_alive: the supervisor still runs (it records the exit).
 * @started:        start time (seconds since the epoch), 0 when unknown.
 * @reason:         for stopped/crashed: how QEMU ended ("killed by signal 9").
 */
struct qnm_run_info {
	enum qnm_run_status status;
	pid_t qemu_pid;
	pid_t supervisor_pid;
	bool supervisor_alive;
	long long started;
	char reason[128];
};

/**
 * struct qnm_start_info - what qnm_runner_start() did.
 * @qemu_pid:       QEMU's pid.
 * @supervisor_pid: the supervisor's pid.
 * @status:         QEMU's run state after start ("running").
 * @cleaned:        when a stale runtime dir was removed first, what it
 *                  said ("" otherwise).
 * @elapsed_ms:     from the call to QEMU confirmed running.
 * @warnings:       sentences, one per line, about things that may go wrong
 *                  but do not stop the start ("" when none): a NIC's MAC
 *                  already seen on the live bridge it joins (qnm_mac_live_clashes()).
 *                  Filled before QEMU is spawned, so also when the start fails.
 * @nwarnings:      how many sentences (more than fit in @warnings are counted).
 */
struct qnm_start_info {
	pid_t qemu_pid;
	pid_t supervisor_pid;
	char status[32];
	char cleaned[512];
	double elapsed_ms;
	char warnings[2048];
	unsigned nwarnings;
};

#endif
