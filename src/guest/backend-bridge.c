// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-bridge.c - QEMU's setuid/capable bridge helper:
 * -netdev bridge,id=ID,br=BRIDGE[,helper=PATH]
 * The helper creates a TAP on BRIDGE for an unprivileged QEMU, when
 * /etc/qemu/bridge.conf has "allow BRIDGE".
 */
#include "build-config.h"

#include "core/backend.h"
#include "guest/cmdline.h"
#include "core/validate.h"

#include <errno.h>
#include <stdio.h>

static int bridge_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];

	snprintf(field, sizeof(field), "nic[%s].br", nic->id);
	if (!qnm_valid_ifname(nic->bridge.br))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: the bridge helper needs a bridge name ('%s' is not a valid interface name)",
			field, nic->bridge.br);
	if (nic->bridge.helper && nic->bridge.helper[0] != '/') {
		snprintf(field, sizeof(field), "nic[%s].helper", nic->id);
		return qnm_err_set(err, -EINVAL, field, "%s: '%s' must be an absolute path", field,
				   nic->bridge.helper);
	}
	return 0;
}

static int bridge_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			      const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			      struct qnm_err *err)
{
	qnm_sb_add(sb, ",br=");
	qnm_qemu_escape(sb, nic->bridge.br);
	if (nic->bridge.helper) {
		qnm_sb_add(sb, ",helper=");
		qnm_qemu_escape(sb, nic->bridge.helper);
	}
	return 0;
}

static bool bridge_nic_form_ok(const struct qnm_nic *nic)
{
	return true;
}

const struct qnm_backend_ops qnm_backend_bridge = {
	.kind = QNM_BACKEND_BRIDGE,
	.name = "bridge",
	.netdev_type = "bridge",
	.summary =
		"QEMU's bridge helper puts a TAP on an existing bridge for you: no root for QEMU, but /etc/qemu/bridge.conf must allow the bridge",
	.needs_net_admin = false,
	.validate = bridge_validate,
	.netdev_opts = bridge_netdev_opts,
	.nic_form_ok = bridge_nic_form_ok,
};
