// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-private.c - a private segment between the user's own guests (like
 * VirtualBox's internal network), no root: the NICs naming segment SEG join
 * one VDE switch of the user, started by the first supervisor that needs it
 * and stopped by the last one to leave (guest/segment.h):
 * -netdev vde,id=ID,sock=RUNTIME/.private/SEG/ctl
 */
#include "build-config.h"

#include "core/backend.h"
#include "core/docresult.h"
#include "guest/cmdline.h"
#include "guest/rundir.h"
#include "guest/segment.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* qnm's runtime dir: the parent of a VM's runtime dir @rundir (new string). */
static char *root_of(const char *rundir)
{
	const char *slash = strrchr(rundir, '/');

	return slash && slash != rundir ? xasprintf("%.*s", (int)(slash - rundir), rundir)
					: xasprintf("%s", "/");
}

static char *root_for(const struct qnm_cmdline_opts *o)
{
	if (o && (o->rundir || o->slirp_dir))
		return root_of(o->rundir ? o->rundir : o->slirp_dir);
	return xasprintf("/run/user/%u/qnm", (unsigned)getuid());
}

static int private_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];

	snprintf(field, sizeof(field), "nic[%s].segment", nic->id);
	if (!nic->priv.segment[0])
		return qnm_err_set(err, -EINVAL, field,
				   "%s: a private NIC needs the name of its segment (segment=NAME; "
				   "the guests naming the same one share it)",
				   field);
	if (!qnm_valid_name(nic->priv.segment))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: '%s' is not a valid segment name (1-32 of A-Z a-z 0-9 _ . "
				   "-, first a letter or digit)",
				   field, nic->priv.segment);
	return 0;
}

static int private_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			       const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			       struct qnm_err *err)
{
	char *root = root_for(o), *ctl = qnm_segment_ctl_path(root, nic->priv.segment);

	qnm_sb_add(sb, ",sock=");
	qnm_qemu_escape(sb, ctl);
	free(ctl);
	free(root);
	return 0;
}

static bool private_nic_form_ok(const struct qnm_nic *nic)
{
	return true; /* -nic vde,sock=... */
}

static void private_label(const struct qnm_nic *nic, char *buf, size_t size)
{
	snprintf(buf, size, "private:%s", nic->priv.segment);
}

static int private_host_check(const struct qnm_vm *vm, const struct qnm_nic *nic,
			      const struct qnm_runner_opts *o, struct qnm_err *err)
{
	if (qnm_segment_find(NULL))
		return 0;
	return qnm_err_set(err, -ENOENT, "backend",
			   "nic[%s].backend: a private segment needs the program %s, which is "
			   "not installed (apt-get install vde-switch)",
			   nic->id, qnm_segment_binary());
}

/* The segment's switch must listen before QEMU connects to it. */
static int private_host_prepare(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
				struct qnm_nic_host *h, struct qnm_err *err)
{
	char *root = root_of(rd->path);
	pid_t pid = 0;
	int r = qnm_segment_join(root, vm->nics[idx].priv.segment, vm->name, vm->nics[idx].id, &pid,
				 err);

	free(root);
	/* not @h->helper: the switch is the segment's, not this NIC's child */
	return r;
}

static void private_host_release(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
				 struct qnm_nic_host *h)
{
	char *root = root_of(rd->path);

	qnm_segment_leave(root, vm->nics[idx].priv.segment, vm->name, vm->nics[idx].id);
	free(root);
}

static int private_reclaim(const struct qnm_rundir *rd, struct qnm_strbuf *report)
{
	char *root = root_of(rd->path);
	int n = qnm_segment_reclaim(root, rd->name, report);

	free(root);
	return n;
}

static char *private_helper_argv(const char *exe, const struct qnm_vm *vm,
				 const struct qnm_nic *nic, const char *rundir,
				 struct qnm_strv *argv)
{
	char *root = root_of(rundir), *ctl = qnm_segment_ctl_path(root, nic->priv.segment);
	char *sock = xasprintf("%s/ctl", ctl);

	qnm_segment_argv(root, nic->priv.segment, argv);
	free(ctl);
	free(root);
	return sock;
}

static pid_t private_helper_pid(const char *rundir, const struct qnm_nic *nic)
{
	char *root = root_of(rundir);
	pid_t pid = qnm_segment_pid(root, nic->priv.segment);

	free(root);
	return pid;
}

/*
 * The switch's port of NIC @idx: the k-th port of this VM's QEMU, k the
 * number of its NICs before @idx on the same segment (QEMU joins them in
 * order, each on the next free port).
 */
static int private_nic_stats(const char *rundir, const struct qnm_vm *vm, size_t idx,
			     int timeout_ms, struct qnm_nic_counters *c, struct qnm_err *err)
{
	const char *seg = vm->nics[idx].priv.segment;
	char *root = root_of(rundir);
	struct qnm_segment_port *v = NULL;
	char *pidpath = xasprintf("%s/qemu.pid", rundir);
	pid_t pid = qnm_pid_file_read(pidpath);
	size_t i, n = 0, k = 0;
	int r;

	for (i = 0; i < idx; i++)
		k += vm->nics[i].backend == QNM_BACKEND_PRIVATE &&
		     strcmp(vm->nics[i].priv.segment, seg) == 0;
	r = qnm_segment_ports(root, seg, timeout_ms, &v, &n, err);
	free(root);
	free(pidpath);
	if (r)
		return r;
	r = -ENOENT;
	for (i = 0; pid && i < n; i++) {
		if (v[i].pid != pid || k--)
			continue;
		c->rx_bytes = v[i].in_bytes;
		c->rx_packets = v[i].in_pkts;
		c->tx_bytes = v[i].out_bytes;
		c->tx_packets = v[i].out_pkts;
		r = 0;
		break;
	}
	free(v);
	if (r)
		qnm_err_set(err, r, "segment",
			    "segment %s: QEMU (pid %ld) has no port on its switch", seg, (long)pid);
	return r;
}

static size_t private_hops(const struct qnm_model *model, const struct qnm_vm *vm, size_t idx,
			   struct qnm_hop *h)
{
	const struct qnm_nic *nic = &vm->nics[idx];
	size_t i, j, k = 0, others = 0;

	for (i = 0; i < model->nvms; i++)
		for (j = 0; j < model->vms[i]->nnics; j++)
			others +=
				model->vms[i]->nics[j].backend == QNM_BACKEND_PRIVATE &&
				strcmp(model->vms[i]->name, vm->name) != 0 &&
				strcmp(model->vms[i]->nics[j].priv.segment, nic->priv.segment) == 0;
	snprintf(h[k].title, sizeof(h[k].title), "switch %s", nic->priv.segment);
	h[k].live = QNM_HOP_LIVE_NIC;
	snprintf(h[k++].detail, sizeof(h->detail), "vde_switch, yours only");
	snprintf(h[k].title, sizeof(h[k].title), "%zu other NIC%s", others, others == 1 ? "" : "s");
	snprintf(h[k++].detail, sizeof(h->detail), "on segment %s", nic->priv.segment);
	snprintf(h[k].title, sizeof(h[k].title), "no way out");
	snprintf(h[k++].detail, sizeof(h->detail), "no host, no outside");
	return k;
}

static void check_switch(const struct qnm_model *model, struct qnm_doc_result *r)
{
	bool used = qnm_model_uses_backend(model, QNM_BACKEND_PRIVATE);
	char *path = NULL;

	if (!qnm_segment_find(&path)) {
		qnm_doc_finding(r, used ? QNM_DOC_FAIL : QNM_DOC_SKIP, "%s is not installed%s",
				qnm_segment_binary(),
				used ? ": NICs with backend=private cannot start"
				     : " (no NIC uses backend=private)");
		qnm_doc_fix(r, "apt-get install vde-switch");
		return;
	}
	qnm_doc_finding(r, used ? QNM_DOC_OK : QNM_DOC_SKIP,
			"%s is installed%s; qnm runs one switch per private segment as you, its "
			"sockets in your runtime dir (0700)",
			path, used ? "" : " (no NIC uses backend=private)");
	free(path);
}

static const struct qnm_backend_check private_checks[] = {
	{ "private_switch", "vde_switch installed (private segments)", check_switch },
};

const struct qnm_backend_ops qnm_backend_private = {
	.kind = QNM_BACKEND_PRIVATE,
	.name = "private",
	.netdev_type = "vde",
	.summary = "a private network between your own guests (segment=NAME): no root, no host "
		   "side, nothing else reaches it",
	.mode_title = "Private segment (between your guests)",
	.mode_text =
		"An L2 network between your own guests only, like VirtualBox's internal network: "
		"no root, no bridge, nothing in the host's network. The NICs naming the same "
		"segment=NAME join one VDE switch (Debian package vde-switch) that qnm runs as "
		"you while a guest uses it, its sockets in your runtime dir (mode 0700: other "
		"users cannot join or listen); two segments are two switches. The guests reach "
		"each other and nothing else: no host address, no outside, no port forwards. No "
		"DHCP on it: give the guests static addresses (one subnet, e.g. 10.10.0.1/24 and "
		"10.10.0.2/24). Counters per NIC come from the switch's ports.",
	.conns_label = "private (no connection table)",
	.needs_net_admin = false,
	.validate = private_validate,
	.netdev_opts = private_netdev_opts,
	.nic_form_ok = private_nic_form_ok,
	.label = private_label,
	.host_check = private_host_check,
	.host_prepare = private_host_prepare,
	.host_release = private_host_release,
	.reclaim = private_reclaim,
	.helper_name = "VDE switch",
	.helper_argv = private_helper_argv,
	.helper_pid = private_helper_pid,
	.nic_stats = private_nic_stats,
	.hops = private_hops,
	.checks = private_checks,
	.nchecks = QNM_ARRAY_SIZE(private_checks),
};
