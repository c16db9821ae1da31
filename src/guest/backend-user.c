// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-user.c - QEMU's built-in user-mode network (SLIRP):
 * -netdev user,id=ID[,net=..][,host=..][,dhcpstart=..][,dns=..]
 *              [,restrict=on][,ipv6=off|,ipv6-net=P/L][,hostfwd=..]...[,smb=DIR]
 * No root needed; the guest sits behind a NAT inside the QEMU process and
 * is reachable from the host only through hostfwd.
 */
#include "build-config.h"

#include "core/backend.h"
#include "guest/cmdline.h"
#include "guest/conns.h"
#include "guest/qmp.h"
#include "guest/runner.h"
#include "core/ipv6net.h"
#include "core/validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qnm_user_opts_validate(const struct qnm_nic *nic, bool slirp, struct qnm_err *err)
{
	const struct qnm_user_opts *u = &nic->user;
	uint32_t net = 0, a;
	unsigned prefix = 24;
	char field[64];

	if (u->net[0]) {
		snprintf(field, sizeof(field), "nic[%s].net", nic->id);
		if (qnm_parse_cidr(u->net, &net, &prefix) || prefix < 8 || prefix > 30)
			return qnm_err_set(
				err, -EINVAL, field,
				"%s: '%s' must be an IPv4 network like 10.0.2.0/24 (prefix 8 to 30)",
				field, u->net);
	} else {
		net = 0x0a000200; /* QEMU's default 10.0.2.0/24 */
	}
	{
		const char *const names[] = { "host", "dhcpstart", "dns" };
		const char *const vals[] = { u->host, u->dhcpstart, u->dns };

		for (size_t i = 0; i < 3; i++) {
			if (!vals[i][0])
				continue;
			snprintf(field, sizeof(field), "nic[%s].%s", nic->id, names[i]);
			if (qnm_parse_ipv4(vals[i], &a))
				return qnm_err_set(err, -EINVAL, field,
						   "%s: '%s' is not an IPv4 address", field,
						   vals[i]);
			if (!qnm_ipv4_in_subnet(a, net, prefix))
				return qnm_err_set(err, -EINVAL, field,
						   "%s: %s is outside the guest network %s", field,
						   vals[i], u->net[0] ? u->net : "10.0.2.0/24");
		}
	}
	snprintf(field, sizeof(field), "nic[%s].ipv6-net", nic->id);
	if (qnm_check_ipv6_net(u->ipv6_net, field, err))
		return -EINVAL;
	if (u->ipv6_net[0] && !u->ipv6)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: an IPv6 prefix needs ipv6=yes (or leave ipv6-net empty)",
				   field);
	snprintf(field, sizeof(field), "nic[%s].hostfwd", nic->id);
	if (qnm_check_fwds(u->fwd, u->nfwd, field, err) ||
	    qnm_check_fwd_sockets(u->fwd, u->nfwd, field, err))
		return -EINVAL;
	if (u->smb) {
		snprintf(field, sizeof(field), "nic[%s].smb", nic->id);
		if (slirp)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: SMB sharing is only available on the user backend",
					   field);
		if (u->smb[0] != '/')
			return qnm_err_set(err, -EINVAL, field,
					   "%s: '%s' must be an absolute directory path", field,
					   u->smb);
	}
	return 0;
}

static int user_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	return qnm_user_opts_validate(nic, false, err);
}

static void add_opt(struct qnm_strbuf *sb, const char *key, const char *val)
{
	qnm_sb_addc(sb, ',');
	qnm_sb_add(sb, key);
	qnm_sb_addc(sb, '=');
	qnm_qemu_escape(sb, val);
}

static int user_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			    const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			    struct qnm_err *err)
{
	const struct qnm_user_opts *u = &nic->user;
	size_t i;

	if (u->net[0])
		add_opt(sb, "net", u->net);
	if (u->host[0])
		add_opt(sb, "host", u->host);
	if (u->dhcpstart[0])
		add_opt(sb, "dhcpstart", u->dhcpstart);
	if (u->dns[0])
		add_opt(sb, "dns", u->dns);
	if (u->restrict_)
		qnm_sb_add(sb, ",restrict=on");
	if (!u->ipv6)
		qnm_sb_add(sb, ",ipv6=off");
	else if (u->ipv6_net[0])
		add_opt(sb, "ipv6-net", u->ipv6_net);
	/* QEMU takes one port per hostfwd: a range or tcp+udp is one rule per port */
	for (i = 0; i < u->nfwd; i++) {
		size_t k, nk = qnm_fwd_count(&u->fwd[i]);

		for (k = 0; k < nk; k++) {
			struct qnm_fwd one;
			char buf[QNM_FWD_TEXT_LEN];

			qnm_fwd_nth(&u->fwd[i], k, &one);
			qnm_fwd_format_spec(&one, buf, sizeof(buf));
			add_opt(sb, "hostfwd", buf);
		}
	}
	if (u->smb)
		add_opt(sb, "smb", u->smb);
	return 0;
}

static bool user_nic_form_ok(const struct qnm_nic *nic)
{
	return true;
}

/* Its connections: QEMU's "info usernet" over QMP, the part of this netdev. */
static int user_conns(const char *runtime_dir, const struct qnm_vm *vm, const struct qnm_nic *nic,
		      char **text, struct qnm_err *err)
{
	struct qnm_qmp *q;
	char *hmp = NULL;
	int r;

	r = qnm_runner_qmp(runtime_dir, vm->name, &q, err);
	if (r)
		return r;
	r = qnm_qmp_hmp(q, "info usernet", &hmp, err);
	qnm_qmp_free(q);
	if (r)
		return r;
	*text = qnm_conns_usernet_table(hmp, nic->id);
	free(hmp);
	if (!*text)
		return qnm_err_set(err, -ENOENT, "", "QEMU lists no user netdev '%s'", nic->id);
	return 0;
}

size_t qnm_user_hops(const struct qnm_nic *nic, const char *nat_title, struct qnm_hop *h)
{
	const struct qnm_user_opts *u = &nic->user;
	size_t k = 0;

	snprintf(h[k].title, sizeof(h[k].title), "%s", nat_title);
	h[k].live = QNM_HOP_LIVE_NIC;
	snprintf(h[k++].detail, sizeof(h->detail), "NAT %s", u->net[0] ? u->net : "10.0.2.0/24");
	snprintf(h[k].title, sizeof(h[k].title), "host sockets");
	snprintf(h[k++].detail, sizeof(h->detail), "%zu forward%s in", u->nfwd,
		 u->nfwd == 1 ? "" : "s");
	snprintf(h[k].title, sizeof(h[k].title), "outside");
	snprintf(h[k++].detail, sizeof(h->detail), "%s",
		 u->restrict_ ? "none (restrict)" : "via host routes");
	return k;
}

static size_t user_hops(const struct qnm_model *model, const struct qnm_vm *vm, size_t idx,
			struct qnm_hop *h)
{
	return qnm_user_hops(&vm->nics[idx], "QEMU SLIRP", h);
}

const struct qnm_backend_ops qnm_backend_user = {
	.kind = QNM_BACKEND_USER,
	.name = "user",
	.netdev_type = "user",
	.summary =
		"QEMU's built-in NAT (SLIRP): no root needed; the guest reaches out, the host reaches in only via port forwards",
	.mode_title = "User mode (SLIRP, QEMU built-in)",
	.mode_text = "QEMU itself plays a small router with NAT: the guest gets 10.0.2.15 by DHCP, "
		     "the host is 10.0.2.2, DNS is 10.0.2.3. Needs no root and no host setup. "
		     "The guest can open connections out; nobody can connect in unless you add a "
		     "port forward (hostfwd, e.g. host 127.0.0.1:2222 to guest port 22). Ping from "
		     "the guest works only when the host allows unprivileged ICMP sockets "
		     "(sysctl net.ipv4.ping_group_range includes your group). Slower than TAP; "
		     "guests on user mode cannot see each other.",
	.conns_label = "user: QEMU's built-in SLIRP (info usernet)",
	.needs_net_admin = false,
	.needs_qemu_slirp = true,
	.needs_ping_group = true,
	.has_hostfwd = true,
	.validate = user_validate,
	.netdev_opts = user_netdev_opts,
	.nic_form_ok = user_nic_form_ok,
	.conns = user_conns,
	.hops = user_hops,
};
