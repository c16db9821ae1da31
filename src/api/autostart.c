// SPDX-License-Identifier: GPL-2.0-or-later
/* autostart.c - the host's boot and shutdown (see autostart.h). */
#include "build-config.h"

#include "api/autostart.h"

#include "api/net.h"
#include "api/run.h"
#include "core/backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Guests powered off at once by shutdown-all: one thread each, this many at a time. */
#define STOP_BATCH 64

static const char *const kind_names[] = { [QNM_STEP_NET] = "network", [QNM_STEP_VM] = "vm" };
static const char *const outcome_names[] = {
	[QNM_STEP_DONE] = "done",
	[QNM_STEP_ALREADY] = "already",
	[QNM_STEP_FAILED] = "failed",
};

const char *qnm_api_step_kind_name(enum qnm_api_step_kind k)
{
	return (unsigned)k < QNM_ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

const char *qnm_api_step_outcome_name(enum qnm_api_step_outcome o)
{
	return (unsigned)o < QNM_ARRAY_SIZE(outcome_names) ? outcome_names[o] : "?";
}

/* A new step at the end of @steps; its outcome is counted by step_end(). */
static struct qnm_api_step *step_add(struct qnm_api_steps *steps, enum qnm_api_step_kind kind,
				     const char *name)
{
	struct qnm_api_step *s;

	steps->v = xreallocarray(steps->v, steps->n + 1, sizeof(*steps->v));
	s = &steps->v[steps->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	qnm_strlcpy(s->name, name, sizeof(s->name));
	return s;
}

static void step_end(struct qnm_api_steps *steps, struct qnm_api_step *s,
		     enum qnm_api_step_outcome o)
{
	s->outcome = o;
	steps->count[o]++;
}

/* @notes joined into @s's message after @lead. */
static void step_notes(struct qnm_api_step *s, const char *lead, const struct qnm_strv *notes)
{
	size_t i, len;

	snprintf(s->msg, sizeof(s->msg), "%s", lead);
	for (i = 0; i < notes->n; i++) {
		len = strlen(s->msg);
		snprintf(s->msg + len, sizeof(s->msg) - len, "%s%s", len ? "; " : "", notes->v[i]);
	}
}

/* The step of network @name in @steps, or NULL. */
static const struct qnm_api_step *net_step(const struct qnm_api_steps *steps, const char *name)
{
	size_t i;

	for (i = 0; i < steps->n; i++)
		if (steps->v[i].kind == QNM_STEP_NET && strcmp(steps->v[i].name, name) == 0)
			return &steps->v[i];
	return NULL;
}

static void autostart_net(struct qnm_ctx *ctx, const struct qnm_network *net,
			  struct qnm_api_steps *steps)
{
	struct qnm_api_step *s = step_add(steps, QNM_STEP_NET, net->name);
	struct qnm_strv notes;
	struct qnm_err err;

	if (qnm_api_net_is_up(ctx, net->name)) {
		snprintf(s->msg, sizeof(s->msg), "already up");
		step_end(steps, s, QNM_STEP_ALREADY);
		return;
	}
	qnm_strv_init(&notes);
	qnm_err_clear(&err);
	if (qnm_api_net_up(ctx, net->name, NULL, &notes, &err)) {
		snprintf(s->msg, sizeof(s->msg), "%s", err.msg);
		step_end(steps, s, QNM_STEP_FAILED);
	} else {
		step_notes(s, "up", &notes);
		step_end(steps, s, QNM_STEP_DONE);
	}
	qnm_strv_free(&notes);
}

/*
 * Why VM @vm cannot start now: the first network its NICs join that is not
 * up, with the reason, written to @why. Return: true when every one is up.
 */
static bool vm_nets_up(struct qnm_ctx *ctx, const struct qnm_vm *vm,
		       const struct qnm_api_steps *steps, char *why, size_t size)
{
	size_t i;

	for (i = 0; i < vm->nnics; i++) {
		const char *name = qnm_nic_network(&vm->nics[i]);
		const struct qnm_network *net = name ? qnm_model_find_net(&ctx->model, name) : NULL;
		const struct qnm_api_step *s;

		if (!name || qnm_api_net_is_up(ctx, name))
			continue;
		s = net_step(steps, name);
		if (s && s->outcome == QNM_STEP_FAILED)
			snprintf(why, size, "NIC %s: network %s did not come up: %.300s",
				 vm->nics[i].id, name, s->msg);
		else if (net && !net->autostart)
			snprintf(why, size,
				 "NIC %s: network %s is down and not autostarted (qnm net set %s "
				 "autostart=yes)",
				 vm->nics[i].id, name, name);
		else
			snprintf(why, size, "NIC %s: network %s is down", vm->nics[i].id, name);
		return false;
	}
	return true;
}

static void autostart_vm(struct qnm_ctx *ctx, const char *name, int timeout_ms,
			 struct qnm_api_steps *steps)
{
	struct qnm_api_step *s = step_add(steps, QNM_STEP_VM, name);
	const struct qnm_vm *vm = qnm_model_find_vm(&ctx->model, name);
	struct qnm_vm_job *job = NULL;
	struct qnm_run_info info;
	struct qnm_err err;
	int r;

	qnm_api_vm_state(ctx, name, &info);
	if (info.status == QNM_RUN_RUNNING) {
		snprintf(s->msg, sizeof(s->msg), "already running");
		step_end(steps, s, QNM_STEP_ALREADY);
		return;
	}
	if (!vm || !vm_nets_up(ctx, vm, steps, s->msg, sizeof(s->msg))) {
		if (!vm)
			snprintf(s->msg, sizeof(s->msg), "no VM named '%s'", name);
		step_end(steps, s, QNM_STEP_FAILED);
		return;
	}
	qnm_err_clear(&err);
	r = qnm_api_vm_start(ctx, name, timeout_ms, &job, NULL, &err);
	if (!r)
		r = qnm_api_vm_job_run(job, &err);
	if (r == -EALREADY) {
		snprintf(s->msg, sizeof(s->msg), "already running");
		step_end(steps, s, QNM_STEP_ALREADY);
	} else if (r) {
		snprintf(s->msg, sizeof(s->msg), "%s", err.msg);
		step_end(steps, s, QNM_STEP_FAILED);
	} else {
		snprintf(s->msg, sizeof(s->msg), "started (QEMU pid %ld)",
			 (long)qnm_api_vm_job_result(job)->start.qemu_pid);
		step_end(steps, s, QNM_STEP_DONE);
	}
	qnm_api_vm_job_free(job);
}

void qnm_api_autostart(struct qnm_ctx *ctx, int timeout_ms, struct qnm_api_steps *steps)
{
	struct qnm_strv vms;
	size_t i;

	memset(steps, 0, sizeof(*steps));
	for (i = 0; i < ctx->model.nnets; i++)
		if (ctx->model.nets[i]->autostart)
			autostart_net(ctx, ctx->model.nets[i], steps);
	/* names first: a start saves the VM (new MACs), which replaces the model's copy */
	qnm_strv_init(&vms);
	for (i = 0; i < ctx->model.nvms; i++)
		if (ctx->model.vms[i]->autostart)
			qnm_strv_add(&vms, ctx->model.vms[i]->name);
	for (i = 0; i < vms.n; i++)
		autostart_vm(ctx, vms.v[i], timeout_ms, steps);
	qnm_strv_free(&vms);
}

/* One guest powered off by shutdown-all, in its own thread. */
struct stop_one {
	pthread_t thread;
	bool started;
	struct qnm_vm_job *job;
	int r;
	struct qnm_err err;
};

static void *stop_thread(void *data)
{
	struct stop_one *o = data;

	o->r = qnm_api_vm_job_run(o->job, &o->err);
	return NULL;
}

/* Power off the guests @names[0..@n) at once, a step each. */
static void stop_batch(struct qnm_ctx *ctx, char *const *names, size_t n, int timeout_ms,
		       struct qnm_api_steps *steps)
{
	struct stop_one *o = xcalloc(n, sizeof(*o));
	size_t i;

	for (i = 0; i < n; i++) {
		qnm_err_clear(&o[i].err);
		o[i].r = qnm_api_vm_stop(ctx, names[i], false, timeout_ms, &o[i].job, &o[i].err);
		if (!o[i].r)
			o[i].started = pthread_create(&o[i].thread, NULL, stop_thread, &o[i]) == 0;
		if (!o[i].r && !o[i].started) /* no thread: stop it here */
			stop_thread(&o[i]);
	}
	for (i = 0; i < n; i++) {
		struct qnm_api_step *s = step_add(steps, QNM_STEP_VM, names[i]);

		if (o[i].started)
			pthread_join(o[i].thread, NULL);
		if (o[i].r == -ENOENT) {
			snprintf(s->msg, sizeof(s->msg), "not running");
			step_end(steps, s, QNM_STEP_ALREADY);
		} else if (o[i].r) {
			snprintf(s->msg, sizeof(s->msg), "%s", o[i].err.msg);
			step_end(steps, s, QNM_STEP_FAILED);
		} else {
			snprintf(s->msg, sizeof(s->msg), "%s",
				 qnm_api_vm_job_result(o[i].job)->how);
			step_end(steps, s, QNM_STEP_DONE);
		}
		qnm_api_vm_job_free(o[i].job);
	}
	free(o);
}

void qnm_api_shutdown_all(struct qnm_ctx *ctx, int timeout_ms, struct qnm_api_steps *steps)
{
	struct qnm_strv names;
	size_t i, n;

	memset(steps, 0, sizeof(*steps));
	qnm_strv_init(&names);
	qnm_api_vm_running(ctx, &names);
	for (i = 0; i < names.n; i += n) {
		n = names.n - i < STOP_BATCH ? names.n - i : STOP_BATCH;
		stop_batch(ctx, names.v + i, n, timeout_ms, steps);
	}
	qnm_strv_free(&names);
	for (i = 0; i < ctx->model.nnets; i++) {
		const char *name = ctx->model.nets[i]->name;
		struct qnm_api_step *s;
		struct qnm_strv notes;
		struct qnm_err err;

		if (!qnm_api_net_is_up(ctx, name))
			continue;
		s = step_add(steps, QNM_STEP_NET, name);
		qnm_strv_init(&notes);
		qnm_err_clear(&err);
		if (qnm_api_net_down(ctx, name, &notes, &err)) {
			snprintf(s->msg, sizeof(s->msg), "%s", err.msg);
			step_end(steps, s, QNM_STEP_FAILED);
		} else {
			step_notes(s, "down", &notes);
			step_end(steps, s, QNM_STEP_DONE);
		}
		qnm_strv_free(&notes);
	}
}

void qnm_api_steps_clear(struct qnm_api_steps *steps)
{
	free(steps->v);
	memset(steps, 0, sizeof(*steps));
}
