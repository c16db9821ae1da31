/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maclive.h - MAC clashes between a VM's NICs and what is already on the
 * live bridges they join.
 *
 * mac.h finds two configured NICs with one MAC. A guest can also clash with
 * something qnm does not configure: another hypervisor's guest, a container
 * veth or a physical machine behind a bridged port. Those show up in the
 * host's tables for the bridge:
 *
 *   - the neighbour table (ARP/NDP, RTM_GETNEIGH) on the bridge device:
 *     "10.77.0.9 lladdr 52:54:00:.. dev qnm0";
 *   - the bridge forwarding database (AF_BRIDGE neighbours): which port a
 *     MAC was learned on, or a static entry someone added.
 *
 * Both are read through libnl-route-3, in the caller's network namespace,
 * and need no privilege.
 */
#ifndef QNM_MACLIVE_H
#define QNM_MACLIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

/**
 * struct qnm_mac_live_clash - a NIC's MAC already seen on its bridge.
 * @mac:    the MAC, lower case.
 * @vm:     the VM.
 * @nic:    its NIC id.
 * @bridge: the bridge the NIC joins.
 * @table:  "neighbour" (ARP/NDP entry on the bridge) or "fdb" (bridge
 *          forwarding database).
 * @ip:     the neighbour's address ("" for fdb).
 * @port:   the bridge port the fdb entry points at ("" for neighbour, or
 *          when the entry is on the bridge itself).
 * @state:  "permanent", "static", "reachable", "stale", ... ("" unknown).
 */
struct qnm_mac_live_clash {
	char mac[QNM_MAC_LEN];
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	char bridge[QNM_IFNAME_MAX + 1];
	char table[12];
	char ip[46];
	char port[QNM_IFNAME_MAX + 1];
	char state[16];
};

/**
 * qnm_nic_live_bridge() - the bridge a NIC joins on the host.
 * @model: for a tap NIC's network.
 * @nic:   the NIC.
 * Return: the bridge name (pointer into @model or @nic), or NULL for NICs
 * that join no bridge (user, slirp, a tap without bridge/network, or a tap
 * whose network is not configured).
 */
const char *qnm_nic_live_bridge(const struct qnm_model *model, const struct qnm_nic *nic);

/**
 * qnm_mac_live_clashes() - compare @vm's MACs with the neighbour table and
 * the forwarding database of each bridge its NICs join.
 * @model:        the configuration (for networks).
 * @vm:           the VM (before start; when it runs, pass its ports in
 *                @ignore_ports so that its own entries are not reported).
 * @ignore_ports: interface names whose fdb entries are skipped, @nignore
 *                of them (may be NULL).
 * @nignore:      how many.
 * @out:          the clashes (caller frees with free()), NULL when none.
 * @n:            how many.
 * @err:          filled on failure.
 *
 * A bridge that does not exist (its network is down) has no live entries
 * and is skipped.
 * Return: 0 or -errno (netlink failed).
 */
int qnm_mac_live_clashes(const struct qnm_model *model, const struct qnm_vm *vm,
			 const char *const *ignore_ports, size_t nignore,
			 struct qnm_mac_live_clash **out, size_t *n, struct qnm_err *err);

/**
 * qnm_mac_live_clash_text() - one sentence: "MAC 52:54:00:aa:bb:cc of VM
 * 'web' NIC 'n0' is already on bridge qnm0: neighbour 10.77.0.9 (reachable)".
 * Return: new string, caller frees.
 */
char *qnm_mac_live_clash_text(const struct qnm_mac_live_clash *c);

#endif
