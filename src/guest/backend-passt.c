// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-passt.c - user-mode networking by passt (Debian package "passt"),
 * one passt process per NIC, started by the VM's supervisor before QEMU:
 * -netdev stream,id=ID,server=off,addr.type=unix,addr.path=RUNDIR/passt-ID.sock
 * Forwards are passt's -t/-u port specs, fixed at start. See guest/passt.h.
 */
#include "build-config.h"

#include "core/backend.h"
#include "core/docresult.h"
#include "core/validate.h"
#include "guest/cmdline.h"
#include "guest/passt.h"
#include "guest/rundir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passt_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];
	size_t i;

	snprintf(field, sizeof(field), "nic[%s].hostfwd", nic->id);
	if (qnm_check_fwds(nic->user.fwd, nic->user.nfwd, field, err) ||
	    qnm_check_fwd_sockets(nic->user.fwd, nic->user.nfwd, field, err))
		return -EINVAL;
	for (i = 0; i < nic->user.nfwd; i++)
		if (nic->user.fwd[i].guest_addr[0])
			return qnm_err_set(err, -EINVAL, field,
					   "%s: passt forwards to the guest's own address: leave "
					   "the guest address empty (%s:%s:%u-:%u)",
					   field, qnm_proto_name(nic->user.fwd[i].proto),
					   nic->user.fwd[i].host_addr, nic->user.fwd[i].host_port,
					   nic->user.fwd[i].guest_port);
	/* (passt takes ranges itself: -t 8000-8010:9000-9010) */
	return 0;
}

static int passt_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			     const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			     struct qnm_err *err)
{
	char *path = qnm_passt_socket_path(vm, nic, o);

	qnm_sb_add(sb, ",server=off,addr.type=unix,addr.path=");
	qnm_qemu_escape(sb, path);
	free(path);
	return 0;
}

static bool passt_nic_form_ok(const struct qnm_nic *nic)
{
	return false; /* -nic cannot carry the nested addr.* options */
}

static int passt_host_check(const struct qnm_vm *vm, const struct qnm_nic *nic,
			    const struct qnm_runner_opts *o, struct qnm_err *err)
{
	if (qnm_passt_find(NULL))
		return 0;
	return qnm_err_set(err, -ENOENT, "backend",
			   "nic[%s].backend: passt needs the program %s, which is not installed "
			   "(apt-get install passt)",
			   nic->id, qnm_passt_binary());
}

/* passt must listen before QEMU connects (QEMU 7.2's stream netdev connects once). */
static int passt_host_prepare(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			      struct qnm_nic_host *h, struct qnm_err *err)
{
	return qnm_passt_spawn(vm, &vm->nics[idx], rd->path, &h->helper, err);
}

/* It exits by itself when QEMU disconnects (--one-off); this reaps it, or stops it. */
static void passt_host_release(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			       struct qnm_nic_host *h)
{
	if (h->helper <= 0)
		return;
	qnm_passt_stop(rd->path, vm->nics[idx].id, h->helper, 2000);
	h->helper = 0;
}

static int passt_reclaim(const struct qnm_rundir *rd, struct qnm_strbuf *report)
{
	return qnm_passt_reclaim(rd->path, report);
}

static char *passt_helper_argv(const char *exe, const struct qnm_vm *vm, const struct qnm_nic *nic,
			       const char *rundir, struct qnm_strv *argv)
{
	const struct qnm_cmdline_opts o = { .rundir = rundir };

	qnm_passt_argv(vm, nic, rundir, argv);
	return qnm_passt_socket_path(vm, nic, &o);
}

static pid_t passt_helper_pid(const char *rundir, const struct qnm_nic *nic)
{
	return qnm_passt_pid(rundir, nic->id);
}

static size_t passt_hops(const struct qnm_model *model, const struct qnm_vm *vm, size_t idx,
			 struct qnm_hop *h)
{
	const struct qnm_user_opts *u = &vm->nics[idx].user;
	size_t k = 0;

	snprintf(h[k].title, sizeof(h[k].title), "passt");
	h[k].live = QNM_HOP_LIVE_NIC;
	snprintf(h[k++].detail, sizeof(h->detail), "host's addresses%s",
		 u->ipv6 ? ", IPv4+IPv6" : ", IPv4 only");
	snprintf(h[k].title, sizeof(h[k].title), "host sockets");
	snprintf(h[k++].detail, sizeof(h->detail), "%zu forward%s in", u->nfwd,
		 u->nfwd == 1 ? "" : "s");
	snprintf(h[k].title, sizeof(h[k].title), "outside");
	snprintf(h[k++].detail, sizeof(h->detail), "via host routes");
	return k;
}

/* A default route in /proc/net/route (IPv4) or /proc/net/ipv6_route. */
static bool default_route(bool v6)
{
	char line[512];
	bool yes = false;
	FILE *f = fopen(v6 ? "/proc/net/ipv6_route" : "/proc/net/route", "re");

	if (!f)
		return false;
	while (!yes && fgets(line, sizeof(line), f)) {
		char dst[40], plen[8], ifname[32];
		unsigned long flags;

		if (v6) {
			/* dst plen src splen nexthop metric ref use flags dev */
			if (sscanf(line, "%39s %7s %*s %*s %*s %*s %*s %*s %lx %31s", dst, plen,
				   &flags, ifname) == 4)
				yes = strspn(dst, "0") == 32 && strcmp(plen, "00") == 0 &&
				      (flags & 0x1) && (flags & 0x2) && strcmp(ifname, "lo") != 0;
		} else if (sscanf(line, "%31s %39s %*s %lx", ifname, dst, &flags) == 3) {
			yes = strcmp(dst, "00000000") == 0 && (flags & 0x1);
		}
	}
	fclose(f);
	return yes;
}

static void check_passt(const struct qnm_model *model, struct qnm_doc_result *r)
{
	bool used = qnm_model_uses_backend(model, QNM_BACKEND_PASST), v4 = default_route(false),
	     v6 = default_route(true);
	char *path = NULL;

	if (!qnm_passt_find(&path)) {
		qnm_doc_finding(r, used ? QNM_DOC_FAIL : QNM_DOC_SKIP, "%s is not installed%s",
				qnm_passt_binary(),
				used ? ": NICs with backend=passt cannot start"
				     : " (no NIC uses backend=passt)");
		qnm_doc_fix(r, "apt-get install passt");
		return;
	}
	if (!used) {
		qnm_doc_finding(r, QNM_DOC_SKIP, "no NIC uses backend=passt (%s is installed)",
				path);
		free(path);
		return;
	}
	qnm_doc_finding(r, QNM_DOC_OK,
			"%s is installed; qnm runs it with --runas of its own user (as root this "
			"passt would bind its socket as 'nobody' and fail silently)",
			path);
	free(path);
	if (!v4 && !v6) {
		qnm_doc_finding(r, QNM_DOC_FAIL,
				"no default route (IPv4 or IPv6) here: passt copies the host's "
				"addresses and routes and exits ('External interface not usable')");
		qnm_doc_fix(r, "give the host a default route, or use backend=slirp or user");
		return;
	}
	if (!v6)
		qnm_doc_finding(r, QNM_DOC_OK, "no IPv6 default route: passt guests get IPv4 only");
	else if (!v4)
		qnm_doc_finding(r, QNM_DOC_OK, "no IPv4 default route: passt guests get IPv6 only");
	else
		qnm_doc_finding(r, QNM_DOC_OK,
				"IPv4 and IPv6 default routes: passt guests get both");
}

static const struct qnm_backend_check passt_checks[] = {
	{ "passt", "passt installed and usable (a default route to copy)", check_passt },
};

const struct qnm_backend_ops qnm_backend_passt = {
	.kind = QNM_BACKEND_PASST,
	.name = "passt",
	.netdev_type = "stream",
	.summary =
		"user-mode networking by passt (one process per NIC): no root, IPv4 and IPv6, the guest gets the host's addresses",
	.mode_title = "User mode through passt",
	.mode_text = "Like SLIRP/user mode, no root and no host setup, but run by passt (Debian "
		     "package passt), one process per NIC, that QEMU talks to over a unix socket. "
		     "The guest gets the host's own IPv4 and IPv6 addresses and routes by DHCP, "
		     "DHCPv6 and NDP; connections to its gateway address reach the host's "
		     "loopback; real IPv6 instead of SLIRP's fec0::. Port forwards are passt "
		     "-t/-u specs (host address optional, the guest's own address). Limits of "
		     "this passt: forwards are fixed at start (a change applies after a "
		     "restart), traffic counters are not available, it needs a default route.",
	.conns_label = "passt (no connection table)",
	.needs_net_admin = false,
	.needs_ping_group = true,
	.has_hostfwd = true,
	.validate = passt_validate,
	.netdev_opts = passt_netdev_opts,
	.nic_form_ok = passt_nic_form_ok,
	.host_check = passt_host_check,
	.host_prepare = passt_host_prepare,
	.host_release = passt_host_release,
	.reclaim = passt_reclaim,
	.helper_name = "passt",
	.helper_argv = passt_helper_argv,
	.helper_pid = passt_helper_pid,
	.hops = passt_hops,
	.checks = passt_checks,
	.nchecks = QNM_ARRAY_SIZE(passt_checks),
};
