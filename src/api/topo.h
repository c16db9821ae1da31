/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topo.h - a VM's network topology as the Modes screen draws it: for each
 * NIC the chain of boxes guest -> backend -> bridge -> uplink/NAT ->
 * outside, with this host's live counters in them. The same boxes for
 * this host's VMs (the UI) and for a registered host's ("vm.topology",
 * serve.h), computed on the host whose VM it is.
 */
#ifndef QNM_API_TOPO_H
#define QNM_API_TOPO_H

#include <time.h>

#include "api/net.h"
/* re-exported: struct qnm_sampler, struct qnm_sample (read-only data) */
#include "api/stats.h"
/* re-exported: QNM_HOPS_MAX (read-only data) */
#include "core/backend.h"
#include "core/context.h"

/**
 * struct qnm_api_hop - one box: @title, @detail and @live lines, each
 * short enough for the narrowest box; @live may hold a '\n' (two counters
 * on two lines).
 */
struct qnm_api_hop {
	char title[40];
	char detail[48];
	char live[64];
};

/**
 * struct qnm_api_topo_cache - where a bridged network's host address
 * lives, as read at @at (read again once a second: its bridge's and its
 * port's boxes share one reading). Zero it before the first use.
 * @net:  the network read.
 * @at:   when.
 * @ok:   @port holds it.
 * @port: what was read.
 */
struct qnm_api_topo_cache {
	char net[QNM_NAME_MAX + 1];
	time_t at;
	bool ok;
	struct qnm_api_net_port port;
};

/**
 * qnm_api_stats_nic_sample() - the sampler's entry of NIC @i of @vm: "VM/NIC"
 * of a slirp helper, else its host interface when the sampler maps it to
 * that NIC; NULL when there is none.
 * @sp: the sampler (NULL: none).
 * @vm: the VM.
 * @i:  its NIC.
 */
const struct qnm_sample *qnm_api_stats_nic_sample(const struct qnm_sampler *sp,
						  const struct qnm_vm *vm, size_t i);

/**
 * qnm_api_topo_nic() - the boxes of NIC @i of @vm, the guest's own first.
 * @ctx:   the context (its networks: where a bridged one's address lives).
 * @sp:    this host's sampler, ticked by the caller (NULL: no counters yet).
 * @vm:    the VM (as it runs, or as saved).
 * @i:     the NIC.
 * @cache: the bridged network's address reading, kept by the caller.
 * @h:     QNM_HOPS_MAX + 1 boxes (out).
 * Return: how many boxes.
 */
size_t qnm_api_topo_nic(struct qnm_ctx *ctx, const struct qnm_sampler *sp, const struct qnm_vm *vm,
			size_t i, struct qnm_api_topo_cache *cache, struct qnm_api_hop *h);

#endif
