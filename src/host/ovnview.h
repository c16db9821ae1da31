/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ovnview.h - what an ovn network looks like from this host, read-only:
 * the guest's port on the integration bridge and the tunnels to the other
 * chassis (their OVS statistics), the other guests on the same logical
 * switch (northbound) and where they are bound (southbound Port_Binding,
 * Chassis, Encap). Every read is one "select" bounded by a timeout; a
 * database that does not answer leaves its part marked not available.
 */
#ifndef QNM_HOST_OVNVIEW_H
#define QNM_HOST_OVNVIEW_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"
#include "core/util.h"
#include "host/ovn.h"

/* The most tunnels and peer ports a view holds. */
#define QNM_OVN_VIEW_TUNNELS 8
#define QNM_OVN_VIEW_PEERS   16

/**
 * struct qnm_ovs_stats - an OVS Interface's "statistics" column.
 * @ok: the column was read and had rx_bytes and tx_bytes; when false the
 *      numbers are unknown ("not available"), never zero traffic.
 */
struct qnm_ovs_stats {
	bool ok;
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
};

/**
 * struct qnm_ovn_tunnel - one tunnel interface of the local OVS.
 * @name:      its interface name ("ovn-b-0").
 * @type:      "geneve", "vxlan" or "stt".
 * @remote_ip: options:remote_ip (the other chassis' encap address).
 * @chassis:   the chassis behind it (southbound Encap), "" when unknown.
 * @st:        its statistics.
 */
struct qnm_ovn_tunnel {
	char name[QNM_IFNAME_MAX + 1];
	char type[16];
	char remote_ip[64];
	char chassis[QNM_NAME_MAX + 1];
	struct qnm_ovs_stats st;
};

/**
 * struct qnm_ovn_peer - another logical port of the same switch.
 * @lsp:     its name (CHASSIS/VM/NIC for qnm's guests, or OVN's router port).
 * @chassis: the chassis it is bound on (southbound), "" when not bound or unknown.
 * @router:  a router port (type "router"): the way to the gateway.
 */
struct qnm_ovn_peer {
	char lsp[QNM_OVN_LSP_MAX];
	char chassis[QNM_NAME_MAX + 1];
	bool router;
};

/**
 * struct qnm_ovn_view - one NIC's view of its ovn network.
 * @ovs_ok, @nb_ok, @sb_ok: which database answered.
 * @port:    the TAP's Interface statistics on the integration bridge.
 * @chassis: this host's chassis (system-id).
 * @tunnels, @ntunnels: the tunnels of the local OVS.
 * @peers, @npeers: the other ports of the switch.
 * @why:     what did not answer, for people ("" when all did).
 */
struct qnm_ovn_view {
	bool ovs_ok, nb_ok, sb_ok;
	struct qnm_ovs_stats port;
	char chassis[QNM_NAME_MAX + 1];
	struct qnm_ovn_tunnel tunnels[QNM_OVN_VIEW_TUNNELS];
	size_t ntunnels;
	struct qnm_ovn_peer peers[QNM_OVN_VIEW_PEERS];
	size_t npeers;
	char why[160];
};

/**
 * qnm_ovs_stats_parse() - read an Interface "statistics" column value
 * (["map", [["rx_bytes", N], ...]]) into @st.
 * Return: 0; -EINVAL when @map is not a map of integers; -ENOENT when it
 * lacks rx_bytes or tx_bytes (@st->ok false in both cases).
 */
int qnm_ovs_stats_parse(json_object *map, struct qnm_ovs_stats *st);

/**
 * qnm_ovn_view_read() - read the view of the NIC whose TAP is @ifname on
 * the logical switch @lswitch of northbound database @nb, each request
 * bounded by @timeout_ms (the southbound database is the local OVS's
 * external_ids:ovn-remote). Touches nothing but its arguments: safe in a
 * worker thread.
 * Return: 0 when the local OVS answered, else -errno (@v->why says which
 * database did not answer; what did answer is filled in).
 */
int qnm_ovn_view_read(const char *nb, const char *lswitch, const char *ifname, int timeout_ms,
		      struct qnm_ovn_view *v);

#endif
