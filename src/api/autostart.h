/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * autostart.h - the host's boot and shutdown: "qnm autostart" brings up the
 * networks and then starts the VMs marked autostart=yes; "qnm shutdown-all"
 * powers off every running guest at once and then takes down the networks
 * qnm brought up, restoring what they changed. Each step's outcome is
 * reported on its own: one failure does not stop the others.
 */
#ifndef QNM_API_AUTOSTART_H
#define QNM_API_AUTOSTART_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"

/** enum qnm_api_step_kind - what a step acted on. */
enum qnm_api_step_kind {
	QNM_STEP_NET,
	QNM_STEP_VM,
};

/** enum qnm_api_step_outcome - how a step went. */
enum qnm_api_step_outcome {
	QNM_STEP_DONE,	  /* brought up / started / stopped / taken down */
	QNM_STEP_ALREADY, /* nothing to do: it was so already */
	QNM_STEP_FAILED,  /* tried and failed, or could not be tried: @msg says why */
	QNM_STEP__COUNT
};

/**
 * struct qnm_api_step - one network or VM acted on.
 * @kind:    network or VM.
 * @name:    its name.
 * @outcome: how it went.
 * @msg:     what happened, in a sentence (the error, or notes).
 */
struct qnm_api_step {
	enum qnm_api_step_kind kind;
	char name[QNM_NAME_MAX + 1];
	enum qnm_api_step_outcome outcome;
	char msg[512];
};

/**
 * struct qnm_api_steps - what autostart or shutdown-all did, in order.
 * @v:     the steps, @n of them.
 * @count: how many of each outcome.
 */
struct qnm_api_steps {
	struct qnm_api_step *v;
	size_t n;
	size_t count[QNM_STEP__COUNT];
};

/** qnm_api_step_kind_name() - "network" or "vm". */
const char *qnm_api_step_kind_name(enum qnm_api_step_kind k);

/** qnm_api_step_outcome_name() - "done", "already" or "failed". */
const char *qnm_api_step_outcome_name(enum qnm_api_step_outcome o);

/**
 * qnm_api_autostart() - bring up every network with autostart=yes that is
 * down, then start every VM with autostart=yes that does not run, a VM
 * only once every network its NICs join is up (else it fails, naming the
 * network and why it is down). Networks come up in the model's order and
 * VMs start one after the other; each failure is a step, not a stop.
 * @ctx:        the context (model loaded).
 * @timeout_ms: how long each QEMU may take to answer (0: 10 s).
 * @steps:      filled; free with qnm_api_steps_clear().
 */
void qnm_api_autostart(struct qnm_ctx *ctx, int timeout_ms, struct qnm_api_steps *steps);

/**
 * qnm_api_shutdown_all() - power off every guest that runs (or left a
 * runtime directory), all at once: the power button, QEMU's quit when
 * @timeout_ms passes, then a kill, as qnm_api_vm_stop(); then take down
 * every network of the model that qnm brought up (qnm_api_net_down():
 * bridge, nftables rules, dnsmasq, ip_forward as recorded).
 * @ctx:        the context (model loaded).
 * @timeout_ms: how long the guests may take to power off (0: 15 s).
 * @steps:      filled; free with qnm_api_steps_clear().
 */
void qnm_api_shutdown_all(struct qnm_ctx *ctx, int timeout_ms, struct qnm_api_steps *steps);

/** qnm_api_steps_clear() - free what @steps holds. */
void qnm_api_steps_clear(struct qnm_api_steps *steps);

#endif
