// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovnview.c - the topology of a NIC on an ovn network (ovnview.h).
 */
#include "build-config.h"

#include "api/ovnview.h"
#include "core/backend.h"

#include <errno.h>
#include <string.h>

int qnm_api_vm_ovn_req(const struct qnm_ctx *ctx, const struct qnm_vm *vm, size_t nic_idx,
		       struct qnm_api_ovn_req *req, struct qnm_err *err)
{
	const struct qnm_network *net = NULL;

	memset(req, 0, sizeof(*req));
	if (nic_idx < vm->nnics && vm->nics[nic_idx].tap.network[0])
		net = qnm_model_find_net(&ctx->model, vm->nics[nic_idx].tap.network);
	if (!net || net->mode != QNM_NET_OVN)
		return qnm_err_set(err, -ENOENT, "nic",
				   "NIC %zu of VM %s is not on an ovn network", nic_idx, vm->name);
	qnm_strlcpy(req->nb, net->ovn_nb, sizeof(req->nb));
	qnm_strlcpy(req->lswitch, net->name, sizeof(req->lswitch));
	qnm_tap_ifname(vm, nic_idx, req->ifname);
	return 0;
}

int qnm_api_ovn_view_read(const struct qnm_api_ovn_req *req, int timeout_ms,
			  struct qnm_ovn_view *v)
{
	return qnm_ovn_view_read(req->nb, req->lswitch, req->ifname, timeout_ms, v);
}
