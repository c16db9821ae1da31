// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-tap.c - a TAP device on the host:
 * -netdev tap,id=ID,ifname=TAP,script=no,downscript=no[,vhost=on]
 * qnm creates the TAP (unless told it exists) and puts it on the bridge of
 * a qnm network or an existing host bridge; QEMU never runs scripts.
 * Needs CAP_NET_ADMIN to create the TAP (QEMU itself only opens it).
 */
#include "build-config.h"

#include "core/backend.h"
#include "guest/cmdline.h"
#include "core/validate.h"

#include <errno.h>
#include <stdio.h>

static int tap_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];

	if (nic->tap.ifname[0] && !qnm_valid_ifname(nic->tap.ifname)) {
		snprintf(field, sizeof(field), "nic[%s].ifname", nic->id);
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' is not a valid interface name (1-15 bytes, no '/', ':' or spaces)",
			field, nic->tap.ifname);
	}
	if (!nic->tap.create && !nic->tap.ifname[0]) {
		snprintf(field, sizeof(field), "nic[%s].ifname", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: an existing TAP (create = no) must be named", field);
	}
	if (nic->tap.network[0] && !qnm_valid_name(nic->tap.network)) {
		snprintf(field, sizeof(field), "nic[%s].network", nic->id);
		return qnm_err_set(err, -EINVAL, field, "%s: '%s' is not a network name", field,
				   nic->tap.network);
	}
	if (nic->tap.bridge[0] && !qnm_valid_ifname(nic->tap.bridge)) {
		snprintf(field, sizeof(field), "nic[%s].bridge", nic->id);
		return qnm_err_set(err, -EINVAL, field, "%s: '%s' is not a valid interface name",
				   field, nic->tap.bridge);
	}
	if (nic->tap.bridge[0] && nic->tap.network[0]) {
		snprintf(field, sizeof(field), "nic[%s].bridge", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: give either a qnm network or a host bridge, not both",
				   field);
	}
	return 0;
}

static int tap_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			   const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			   struct qnm_err *err)
{
	char ifname[QNM_IFNAME_MAX + 1];

	if (nic->tap.ifname[0]) {
		qnm_strlcpy(ifname, nic->tap.ifname, sizeof(ifname));
	} else {
		size_t idx = (size_t)(nic - vm->nics);

		qnm_tap_default_ifname(vm, idx, ifname);
	}
	qnm_sb_add(sb, ",ifname=");
	qnm_qemu_escape(sb, ifname);
	qnm_sb_add(sb, ",script=no,downscript=no");
	if (nic->tap.vhost)
		qnm_sb_add(sb, ",vhost=on");
	return 0;
}

static bool tap_nic_form_ok(const struct qnm_nic *nic)
{
	return true;
}

const struct qnm_backend_ops qnm_backend_tap = {
	.kind = QNM_BACKEND_TAP,
	.name = "tap",
	.netdev_type = "tap",
	.summary =
		"a TAP device on the host, usually on a bridge (NAT or bridged network): full L2, needs CAP_NET_ADMIN to set up",
	.needs_net_admin = true,
	.validate = tap_validate,
	.netdev_opts = tap_netdev_opts,
	.nic_form_ok = tap_nic_form_ok,
};
