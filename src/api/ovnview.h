/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ovnview.h - the topology of a NIC on an ovn network, read-only: its
 * port and the tunnels on this host's integration bridge with their OVS
 * statistics, the other guests on its logical switch and their hosts.
 */
#ifndef QNM_API_OVNVIEW_H
#define QNM_API_OVNVIEW_H

#include "core/context.h"
/* re-exported: the read-only view (struct qnm_ovn_view, qnm_ovs_stats) */
#include "host/ovnview.h"

/* The bound of each OVSDB request of a view (the UI reads one per tick). */
#define QNM_API_OVN_VIEW_TIMEOUT_MS 300

/**
 * qnm_api_vm_ovn_view() - the view of NIC @nic_idx of VM @vm (as it runs
 * or as saved) when that NIC is on an ovn network.
 * @timeout_ms: the bound of each request (three databases at most).
 * @v:   filled; what did not answer is marked there.
 * Return: 0; -ENOENT when the NIC is not on an ovn network (@err names
 * "nic"); -errno of the local Open vSwitch (@v->why says why).
 */
int qnm_api_vm_ovn_view(const struct qnm_ctx *ctx, const struct qnm_vm *vm, size_t nic_idx,
			int timeout_ms, struct qnm_ovn_view *v, struct qnm_err *err);

#endif
