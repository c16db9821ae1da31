// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-slirp.c - user-mode networking served by qnm's own libslirp
 * helper ("qnm slirp-helper"), joined to QEMU over a unix stream socket:
 * -netdev stream,id=ID,server=off,addr.type=unix,addr.path=SOCK
 * The helper counts traffic and takes port forwards while the guest runs.
 */
#include "build-config.h"

#include "core/backend.h"
#include "guest/cmdline.h"
#include "guest/rundir.h"
#include "guest/slirp-helper.h"
#include "guest/slirpctl.h"

#include <stdlib.h>

static int slirp_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	return qnm_user_opts_validate(nic, true, err);
}

static int slirp_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			     const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			     struct qnm_err *err)
{
	char *path = qnm_slirp_socket_path(vm, nic, o);

	qnm_sb_add(sb, ",server=off,addr.type=unix,addr.path=");
	qnm_qemu_escape(sb, path);
	free(path);
	return 0;
}

static bool slirp_nic_form_ok(const struct qnm_nic *nic)
{
	return false; /* -nic cannot carry the nested addr.* options */
}

/* The helper (slirp-helper.c) must listen before QEMU connects to it. */
static int slirp_host_prepare(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			      struct qnm_nic_host *h, struct qnm_err *err)
{
	return qnm_slirp_helper_spawn(vm, &vm->nics[idx], rd->path, &h->helper, err);
}

/* It exits by itself when QEMU disconnects; this reaps it (or stops it if QEMU never came). */
static void slirp_host_release(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			       struct qnm_nic_host *h)
{
	if (h->helper <= 0)
		return;
	qnm_slirp_helper_stop(rd->path, &vm->nics[idx], 2000, NULL);
	h->helper = 0;
}

/* Forwards change live through the helper's control socket. */
static int slirp_hostfwd_live(const char *rundir, const struct qnm_nic *nic,
			      const struct qnm_fwd *del, const struct qnm_fwd *add, int timeout_ms,
			      struct qnm_err *err)
{
	char *path = qnm_slirp_control_path(rundir, nic);
	struct qnm_slirpctl *c = NULL;
	int r;

	r = qnm_slirpctl_open(path, timeout_ms, &c, err);
	if (!r && del)
		r = qnm_slirpctl_hostfwd_remove(c, del, err);
	if (!r && add)
		r = qnm_slirpctl_hostfwd_add(c, add, err);
	qnm_slirpctl_free(c);
	free(path);
	return r;
}

static char *slirp_helper_argv(const char *exe, const struct qnm_vm *vm, const struct qnm_nic *nic,
			       const char *rundir, struct qnm_strv *argv)
{
	const struct qnm_cmdline_opts o = { .rundir = rundir };

	qnm_slirp_helper_argv(exe, vm, nic, rundir, -1, argv);
	return qnm_slirp_socket_path(vm, nic, &o);
}

/* Its connections: the helper's own table, over the control socket. */
static int slirp_conns(const char *runtime_dir, const struct qnm_vm *vm, const struct qnm_nic *nic,
		       char **text, struct qnm_err *err)
{
	struct qnm_slirpctl *c;
	struct qnm_rundir rd;
	char *path;
	int r;

	qnm_rundir_init(&rd, runtime_dir, vm->name);
	path = qnm_slirp_control_path(rd.path, nic);
	qnm_rundir_clear(&rd);
	r = qnm_slirpctl_open(path, 0, &c, err);
	free(path);
	if (r)
		return r;
	r = qnm_slirpctl_conns(c, text, err);
	qnm_slirpctl_free(c);
	return r;
}

static size_t slirp_hops(const struct qnm_model *model, const struct qnm_vm *vm, size_t idx,
			 struct qnm_hop *h)
{
	return qnm_user_hops(&vm->nics[idx], "slirp helper", h);
}

const struct qnm_backend_ops qnm_backend_slirp = {
	.kind = QNM_BACKEND_SLIRP,
	.name = "slirp",
	.netdev_type = "stream",
	.summary =
		"user-mode NAT hosted by qnm's libslirp helper: no root, live traffic counters, port forwards added while running",
	.mode_title = "User mode through qnm's slirp helper",
	.mode_text =
		"The same NAT as user mode, but run by qnm's own helper process (libslirp) that "
		"QEMU talks to over a unix socket. Still no root. What it adds: live traffic "
		"counters for the guest and port forwards added or removed while the guest "
		"runs. Same limits: no inbound without a forward, ping needs "
		"ping_group_range.",
	.conns_label = "slirp: qnm's slirp helper",
	.needs_net_admin = false,
	.needs_ping_group = true,
	.has_hostfwd = true,
	.slirp_helper = true,
	.validate = slirp_validate,
	.netdev_opts = slirp_netdev_opts,
	.nic_form_ok = slirp_nic_form_ok,
	.host_prepare = slirp_host_prepare,
	.host_release = slirp_host_release,
	.hostfwd_live = slirp_hostfwd_live,
	.helper_name = "slirp helper",
	.helper_argv = slirp_helper_argv,
	.helper_pid = qnm_slirp_helper_pid,
	.conns = slirp_conns,
	.hops = slirp_hops,
};
