// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovnview.c - the topology of a NIC on an ovn network (ovnview.h).
 */
#include "build-config.h"

#include "api/ovnview.h"
#include "core/backend.h"

#include <errno.h>
#include <string.h>

int qnm_api_vm_ovn_view(const struct qnm_ctx *ctx, const struct qnm_vm *vm, size_t nic_idx,
			int timeout_ms, struct qnm_ovn_view *v, struct qnm_err *err)
{
	const struct qnm_network *net = NULL;
	char ifname[QNM_IFNAME_MAX + 1];
	int r;

	memset(v, 0, sizeof(*v));
	if (nic_idx < vm->nnics && vm->nics[nic_idx].tap.network[0])
		net = qnm_model_find_net(&ctx->model, vm->nics[nic_idx].tap.network);
	if (!net || net->mode != QNM_NET_OVN)
		return qnm_err_set(err, -ENOENT, "nic",
				   "NIC %zu of VM %s is not on an ovn network", nic_idx, vm->name);
	qnm_tap_ifname(vm, nic_idx, ifname);
	r = qnm_ovn_view_read(net, ifname, timeout_ms, v);
	if (r)
		qnm_err_set(err, r, "ovs", "%s", v->why);
	return r;
}
