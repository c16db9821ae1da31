// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovnview.c - the topology of a NIC on an ovn network (ovnview.h).
 */
#include "build-config.h"

#include "api/ovnview.h"
#include "core/backend.h"
#include "core/config.h"

#include <errno.h>
#include <string.h>

int qnm_api_vm_ovn_req(const struct qnm_ctx *ctx, const struct qnm_vm *vm, size_t nic_idx,
		       struct qnm_api_ovn_req *req, struct qnm_err *err)
{
	const char *on = nic_idx < vm->nnics ? qnm_nic_network(&vm->nics[nic_idx]) : NULL;
	const struct qnm_network *net = on ? qnm_model_find_net(&ctx->model, on) : NULL;
	struct qnm_problems problems = { 0 };
	struct qnm_model nets;
	int r = 0;

	memset(req, 0, sizeof(*req));
	qnm_model_init(&nets);
	if (on && !net && ctx->one && /* a command about one VM: its network from the files */
	    qnm_config_load_networks(&ctx->paths, &nets, &problems, NULL) == 0)
		net = qnm_model_find_net(&nets, on);
	if (!net || net->mode != QNM_NET_OVN) {
		r = qnm_err_set(err, -ENOENT, "nic", "NIC %zu of VM %s is not on an ovn network",
				nic_idx, vm->name);
	} else {
		qnm_strlcpy(req->nb, net->ovn_nb, sizeof(req->nb));
		qnm_strlcpy(req->lswitch, net->name, sizeof(req->lswitch));
		qnm_strlcpy(req->bridge, net->bridge, sizeof(req->bridge));
		qnm_tap_ifname(vm, nic_idx, req->ifname);
	}
	qnm_model_clear(&nets);
	qnm_problems_clear(&problems);
	return r;
}

int qnm_api_ovn_view_read(const struct qnm_api_ovn_req *req, int timeout_ms, struct qnm_ovn_view *v)
{
	return qnm_ovn_view_read(req->nb, req->lswitch, req->ifname, timeout_ms, v);
}
