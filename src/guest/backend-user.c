// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-user.c - QEMU's built-in user-mode network (SLIRP):
 * -netdev user,id=ID[,net=..][,host=..][,dhcpstart=..][,dns=..]
 *              [,restrict=on][,ipv6=off][,hostfwd=..]...[,smb=DIR]
 * No root needed; the guest sits behind a NAT inside the QEMU process and
 * is reachable from the host only through hostfwd.
 */
#include "build-config.h"

#include "core/backend.h"
#include "guest/cmdline.h"
#include "core/validate.h"

#include <errno.h>
#include <stdio.h>
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
	snprintf(field, sizeof(field), "nic[%s].hostfwd", nic->id);
	if (qnm_check_fwds(u->fwd, u->nfwd, field, err))
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
	for (i = 0; i < u->nfwd; i++) {
		char buf[96];

		qnm_fwd_format(&u->fwd[i], buf, sizeof(buf));
		add_opt(sb, "hostfwd", buf);
	}
	if (u->smb)
		add_opt(sb, "smb", u->smb);
	return 0;
}

static bool user_nic_form_ok(const struct qnm_nic *nic)
{
	return true;
}

const struct qnm_backend_ops qnm_backend_user = {
	.kind = QNM_BACKEND_USER,
	.name = "user",
	.netdev_type = "user",
	.summary =
		"QEMU's built-in NAT (SLIRP): no root needed; the guest reaches out, the host reaches in only via port forwards",
	.needs_net_admin = false,
	.validate = user_validate,
	.netdev_opts = user_netdev_opts,
	.nic_form_ok = user_nic_form_ok,
};
