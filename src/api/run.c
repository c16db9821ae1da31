// SPDX-License-Identifier: GPL-2.0-or-later
/* run.c - the engine API for running VMs (see run.h). */
#include "build-config.h"

#include "api/run.h"

#include "api/vm.h"
#include "core/backend.h"
#include "core/mac.h"
#include "core/reserve.h"
#include "guest/qmp.h"
#include "guest/rundir.h"
#include "guest/runner.h"
#include "guest/slirp-helper.h"
#include "host/netctl.h"
#include "host/owner.h"
#include "watch/portowner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/**
 * struct qnm_vm_job - a start or stop, with copies of what it needs.
 * @vm:     the VM to start (with its MACs), NULL for a stop.
 * @nets:   copies of the networks, for the runner (start).
 * @rtdir:  qnm's runtime directory.
 * @cachedir: qnm's cache directory (the KVM probe's answer).
 * @qemu:   the QEMU binary ($QNM_QEMU), NULL for qemu-system-ARCH.
 * @timeout_ms: how long QEMU may take to answer (start).
 * @stop:   how to stop (stop).
 * @res:    what it did.
 */
struct qnm_vm_job {
	struct qnm_vm *vm;
	struct qnm_model nets;
	struct qnm_model dhcp;
	char *rtdir;
	char *cachedir;
	char *qemu;
	int timeout_ms;
	struct qnm_stop_opts stop;
	struct qnm_vm_job_result res;
};

static struct qnm_vm_job *job_new(const struct qnm_ctx *ctx, const char *name)
{
	struct qnm_vm_job *j = xcalloc(1, sizeof(*j));
	struct qnm_rundir rd;

	qnm_model_init(&j->nets);
	qnm_model_init(&j->dhcp);
	j->rtdir = xstrdup(ctx->paths.runtime_dir);
	j->cachedir = ctx->paths.cache_dir ? xstrdup(ctx->paths.cache_dir) : NULL;
	qnm_strlcpy(j->res.name, name, sizeof(j->res.name));
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	qnm_strlcpy(j->res.rundir, rd.path, sizeof(j->res.rundir));
	qnm_strlcpy(j->res.serial_log, rd.serial, sizeof(j->res.serial_log));
	qnm_rundir_clear(&rd);
	return j;
}

void qnm_api_vm_job_free(struct qnm_vm_job *job)
{
	if (!job)
		return;
	qnm_vm_free(job->vm);
	qnm_model_clear(&job->nets);
	qnm_model_clear(&job->dhcp);
	free(job->rtdir);
	free(job->cachedir);
	free(job->qemu);
	free(job);
}

const struct qnm_vm_job_result *qnm_api_vm_job_result(const struct qnm_vm_job *job)
{
	return &job->res;
}

/* ---- start ---- */

/*
 * The check of the start that needs more than the guest side knows, given
 * to the runner as its check_nic (runner.h): who holds a host port a
 * user/slirp NIC forwards. (Whether the bridge helper may attach TAPs is the
 * bridge backend's host_check.)
 */

/* A hostfwd port held by another process is named (the runner then tries the bind). */
static int check_ports(const struct qnm_vm *vm, const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];
	size_t i;
	int r;

	snprintf(field, sizeof(field), "nic[%s].hostfwd", nic->id);
	/* every port of a range, each protocol of tcp+udp */
	for (i = 0; i < nic->user.nfwd; i++) {
		r = qnm_port_check_fwds(NULL, 0, &nic->user.fwd[i], 1, field, err);
		if (r == -EADDRINUSE || r == -EACCES) {
			qnm_err_prefix(err, "%s", field);
			return r;
		}
		/* sockets that could not be listed: the runner's bind tells */
	}
	return 0;
}

/* what the runner cannot know itself: who holds a port a NIC's backend forwards */
static int check_nic(const struct qnm_vm *vm, const struct qnm_nic *nic, struct qnm_err *err)
{
	return qnm_nic_backend(nic)->has_hostfwd ? check_ports(vm, nic, err) : 0;
}

/*
 * What the start's dnsmasq check needs (dhcp_sync()): copies of the
 * networks with DHCP that @vm's NICs join and that are up, and of every VM
 * (their NICs' reservations), in @out; left empty when there are none.
 */
static void dhcp_plan(const struct qnm_ctx *ctx, const struct qnm_vm *vm, struct qnm_model *out)
{
	size_t i;

	for (i = 0; i < vm->nnics; i++) {
		const char *name = qnm_nic_network(&vm->nics[i]);
		const struct qnm_network *net = name ? qnm_model_find_net(&ctx->model, name) : NULL;

		if (!net || !vm->nics[i].tap.ip[0] || !net->dhcp_start[0] ||
		    qnm_model_find_net(out, name) ||
		    !qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_NET, name))
			continue;
		qnm_model_add_net(out, qnm_network_copy(net));
	}
	for (i = 0; out->nnets && i < ctx->model.nvms; i++)
		qnm_model_add_vm(out, qnm_vm_copy(ctx->model.vms[i]));
}

/* the up networks of dhcp_plan(): their dnsmasq serves the NICs' reservations (restarted if not) */
static int dhcp_sync(struct qnm_vm_job *j, struct qnm_err *err)
{
	struct qnm_netctl nc;
	size_t i;
	int r;

	if (!j->dhcp.nnets)
		return 0;
	r = qnm_netctl_open(&nc, j->rtdir, err);
	if (r)
		return r;
	for (i = 0; !r && i < j->dhcp.nnets; i++)
		r = qnm_net_dhcp_sync(&nc, &j->dhcp, j->dhcp.nets[i], err);
	qnm_netctl_close(&nc);
	return r;
}

int qnm_api_vm_start(struct qnm_ctx *ctx, const char *name, int timeout_ms, struct qnm_vm_job **out,
		     size_t *nmacs, struct qnm_err *err)
{
	const char *qemu = getenv("QNM_QEMU"); /* tests and unusual installs */
	const struct qnm_vm *vm;
	struct qnm_vm_job *j;
	struct qnm_vm *copy;
	size_t i, n = 0, nips = 0;
	int r;

	*out = NULL;
	if (nmacs)
		*nmacs = 0;
	/* the VM as on disk now, its new MACs saved under the lock (not held while it runs) */
	r = qnm_ctx_begin(ctx, err);
	if (r)
		return r;
	vm = qnm_model_find_vm(&ctx->model, name);
	if (!vm) {
		qnm_ctx_unlock(ctx);
		return qnm_err_set(err, -ENOENT, "", "no VM named '%s' (qnm list shows them)",
				   name);
	}
	/* NICs without a MAC get a unique one first, saved in the VM's file */
	copy = qnm_vm_copy(vm);
	r = qnm_model_assign_macs(&ctx->model, copy, NULL, &n, err);
	/* and NICs on a qnm network with DHCP a reservation (core/reserve.h) */
	if (!r)
		r = qnm_model_assign_ips(&ctx->model, copy, name, &nips, err);
	if (!r && (n || nips) && (r = qnm_api_vm_save(ctx, copy, name, err)))
		qnm_err_prefix(err, n ? "saving the new MACs" : "saving the new reservations");
	qnm_ctx_unlock(ctx);
	if (r) {
		qnm_vm_free(copy);
		return r;
	}
	j = job_new(ctx, name);
	j->vm = copy;
	for (i = 0; i < ctx->model.nnets; i++)
		qnm_model_add_net(&j->nets, qnm_network_copy(ctx->model.nets[i]));
	dhcp_plan(ctx, copy, &j->dhcp);
	j->qemu = qemu ? xstrdup(qemu) : NULL;
	j->timeout_ms = timeout_ms;
	if (nmacs)
		*nmacs = n;
	*out = j;
	return 0;
}

static int start_run(struct qnm_vm_job *j, struct qnm_err *err)
{
	struct qnm_runner_opts o = { .runtime_dir = j->rtdir,
				     .qemu = j->qemu,
				     .kvm = QNM_KVM_PROBE,
				     .cache_dir = j->cachedir,
				     .timeout_ms = j->timeout_ms,
				     .model = &j->nets,
				     .check_nic = check_nic };
	int r = dhcp_sync(j, err);

	return r ? r : qnm_runner_start(j->vm, &o, &j->res.start, err);
}

/* ---- stop ---- */

int qnm_api_vm_stop(struct qnm_ctx *ctx, const char *name, bool force, int powerdown_ms,
		    struct qnm_vm_job **out, struct qnm_err *err)
{
	struct qnm_vm_job *j = job_new(ctx, name);

	j->stop.force = force;
	j->stop.powerdown_ms = powerdown_ms;
	*out = j;
	return 0;
}

static int stop_run(struct qnm_vm_job *j, struct qnm_err *err)
{
	return qnm_runner_stop(j->rtdir, j->res.name, &j->stop, j->res.how, sizeof(j->res.how),
			       err);
}

int qnm_api_vm_job_run(struct qnm_vm_job *job, struct qnm_err *err)
{
	return job->vm ? start_run(job, err) : stop_run(job, err);
}

/* ---- link ---- */

int qnm_api_vm_link(struct qnm_ctx *ctx, const char *name, const char *nic_id, bool up,
		    struct qnm_err *err)
{
	const struct qnm_vm *vm = qnm_model_find_vm(&ctx->model, name);

	if (vm && !qnm_vm_find_nic(vm, nic_id))
		return qnm_err_set(err, -ENOENT, "", "VM '%s' has no NIC '%s' (qnm nic list %s)",
				   name, nic_id, name);
	return qnm_runner_set_link(ctx->paths.runtime_dir, name, nic_id, up, err);
}

/* ---- state ---- */

void qnm_api_vm_state(const struct qnm_ctx *ctx, const char *name, struct qnm_run_info *info)
{
	struct qnm_rundir rd;

	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	qnm_rundir_probe(&rd, info);
	qnm_rundir_clear(&rd);
}

void qnm_api_vm_running(const struct qnm_ctx *ctx, struct qnm_strv *names)
{
	qnm_rundir_list(ctx->paths.runtime_dir, names);
}

void qnm_api_vm_problems(const struct qnm_ctx *ctx, const char *name, struct qnm_strv *out)
{
	const struct qnm_vm *vm = qnm_model_find_vm(&ctx->model, name);
	struct qnm_rundir rd;
	size_t i;

	if (!vm)
		return;
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	for (i = 0; i < vm->nnics; i++) {
		char *path, *text = NULL;
		long pid;

		if (!qnm_nic_backend(&vm->nics[i])->slirp_helper)
			continue;
		path = qnm_slirp_pid_path(rd.path, &vm->nics[i]);
		if (qnm_rundir_read(&rd, path, 64, &text) == 0) {
			pid = strtol(text, NULL, 10);
			if (pid > 0 && !qnm_pid_alive((pid_t)pid))
				qnm_strv_addf(out,
					      "the slirp helper of NIC %s (pid %ld) is gone: that "
					      "NIC has no network until the VM is restarted "
					      "(see %s/slirp-%s.log)",
					      vm->nics[i].id, pid, rd.path, vm->nics[i].id);
		}
		free(text);
		free(path);
	}
	qnm_rundir_clear(&rd);
}

/* QEMU's own run state via QMP, when it answers quickly. */
static bool qemu_state(const struct qnm_rundir *rd, char *buf, size_t len)
{
	struct qnm_qmp *q;
	bool ok;

	if (qnm_qmp_connect(rd->qmp, 1000, &q, NULL))
		return false;
	ok = qnm_qmp_query_status(q, buf, len, NULL, NULL) == 0;
	qnm_qmp_free(q);
	return ok;
}

void qnm_api_vm_status(const struct qnm_ctx *ctx, const char *name, struct qnm_vm_status *st)
{
	struct qnm_rundir rd;

	memset(st, 0, sizeof(*st));
	qnm_strv_init(&st->problems);
	qnm_strlcpy(st->name, name, sizeof(st->name));
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	qnm_strlcpy(st->rundir, rd.path, sizeof(st->rundir));
	qnm_strlcpy(st->serial_log, rd.serial, sizeof(st->serial_log));
	qnm_rundir_probe(&rd, &st->run);
	if (st->run.status == QNM_RUN_RUNNING &&
	    !qemu_state(&rd, st->qemu_state, sizeof(st->qemu_state)))
		st->qemu_state[0] = '\0';
	if (st->run.status == QNM_RUN_RUNNING)
		qnm_api_vm_problems(ctx, name, &st->problems);
	if (st->run.status == QNM_RUN_ABSENT && access(rd.path, F_OK) == 0) {
		struct qnm_err err;

		qnm_err_clear(&err);
		if (qnm_rundir_check(&rd, &err))
			qnm_strv_add(&st->problems, err.msg);
	}
	qnm_rundir_clear(&rd);
}

void qnm_api_vm_status_clear(struct qnm_vm_status *st)
{
	qnm_strv_free(&st->problems);
}

/* ---- console ---- */

char *qnm_api_vm_console_tail(const struct qnm_ctx *ctx, const char *name, unsigned lines)
{
	struct qnm_rundir rd;
	char *tail;

	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	tail = qnm_rundir_serial_tail(&rd, lines);
	qnm_rundir_clear(&rd);
	return tail;
}

struct qnm_console_log {
	struct qnm_serial_follow f;
};

int qnm_api_vm_console_follow(const struct qnm_ctx *ctx, const char *name, bool from_end,
			      struct qnm_console_log **out, struct qnm_err *err)
{
	struct qnm_console_log *log = xmalloc(sizeof(*log));
	struct qnm_run_info ri;
	struct qnm_rundir rd;
	bool absent;
	int r;

	*out = NULL;
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	qnm_rundir_probe(&rd, &ri);
	absent = ri.status == QNM_RUN_ABSENT && access(rd.path, F_OK) < 0;
	qnm_rundir_clear(&rd);
	if (absent) {
		free(log);
		return qnm_err_set(err, -ENOENT, "", "'%s' is not running (no serial log)", name);
	}
	r = qnm_serial_follow_open(&log->f, ctx->paths.runtime_dir, name, from_end, err);
	if (r) {
		free(log);
		return r;
	}
	*out = log;
	return 0;
}

ssize_t qnm_api_console_log_read(struct qnm_console_log *log, char *buf, size_t len, unsigned *gaps)
{
	ssize_t n = qnm_serial_follow_read(&log->f, buf, len);

	if (gaps)
		*gaps = log->f.gaps;
	return n;
}

void qnm_api_console_log_close(struct qnm_console_log *log)
{
	if (!log)
		return;
	qnm_serial_follow_close(&log->f);
	free(log);
}

int qnm_api_vm_console_open(const struct qnm_ctx *ctx, const char *name, int *fd,
			    struct qnm_err *err)
{
	struct qnm_run_info ri;
	struct qnm_rundir rd;
	int r = 0;

	*fd = -1;
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	qnm_rundir_probe(&rd, &ri);
	if (ri.status == QNM_RUN_ABSENT && access(rd.path, F_OK) < 0) {
		r = qnm_err_set(err, -ENOENT, "", "'%s' is not running (no serial log)", name);
	} else {
		/* Only a log of ours in a directory no one else writes (a planted one is refused). */
		r = qnm_rundir_open(&rd, rd.serial, err);
		if (r >= 0) {
			*fd = r;
			r = 0;
		}
	}
	qnm_rundir_clear(&rd);
	return r;
}
