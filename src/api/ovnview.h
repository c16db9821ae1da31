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

/*
 * The bound of each OVSDB request of a view (three databases at most): as a
 * remote host's (QNM_HOST_TIMEOUT_MS). 1 s left little room on a machine
 * busy with TCG guests and the OVN daemons: a round that timed out made the
 * screen say "not available" until the next.
 */
#define QNM_API_OVN_VIEW_TIMEOUT_MS 3000

/**
 * struct qnm_api_ovn_req - what reading a NIC's view needs, copied out of
 * the model (so a worker thread can read while the model changes).
 */
struct qnm_api_ovn_req {
	char nb[QNM_OVSDB_REMOTE_MAX];
	char lswitch[QNM_NAME_MAX + 1];
	char bridge[QNM_IFNAME_MAX + 1];
	char ifname[QNM_IFNAME_MAX + 1];
};

/**
 * qnm_api_vm_ovn_req() - the request for NIC @nic_idx of VM @vm (as it runs
 * or as saved) into @req, without any I/O.
 * Return: 0; -ENOENT when the NIC is not on an ovn network (@err names "nic").
 */
int qnm_api_vm_ovn_req(const struct qnm_ctx *ctx, const struct qnm_vm *vm, size_t nic_idx,
		       struct qnm_api_ovn_req *req, struct qnm_err *err);

/**
 * qnm_api_ovn_view_read() - read the view @req asks for; each request is
 * bounded by @timeout_ms. Touches no context: safe in a worker thread.
 * @v:   filled; what did not answer is marked there.
 * Return: 0, or -errno of the local Open vSwitch (@v->why says why).
 */
int qnm_api_ovn_view_read(const struct qnm_api_ovn_req *req, int timeout_ms,
			  struct qnm_ovn_view *v);

#endif
