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

const struct qnm_backend_ops qnm_backend_slirp = {
	.kind = QNM_BACKEND_SLIRP,
	.name = "slirp",
	.netdev_type = "stream",
	.summary =
		"user-mode NAT hosted by qnm's libslirp helper: no root, live traffic counters, port forwards added while running",
	.needs_net_admin = false,
	.validate = slirp_validate,
	.netdev_opts = slirp_netdev_opts,
	.nic_form_ok = slirp_nic_form_ok,
};
