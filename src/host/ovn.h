/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ovn.h - qnm's ovn networks in OVN's northbound database, and the guests'
 * TAPs on the host's integration bridge, through host/ovsdb.h.
 *
 * What qnm writes into the northbound database carries
 * external_ids:qnm-network=NAME (it never touches rows without it):
 *   - the logical switch NAME, other_config:subnet (dynamic addresses) and
 *     exclude_ips (the gateway, and what lies outside dhcp-start..dhcp-end);
 *   - with a DHCP range, one DHCP_Options row (OVN's native DHCP: lease,
 *     router, server_id, server_mac, mtu 1442 for Geneve's overhead);
 *   - a logical switch port per guest NIC, named CHASSIS/VM/NIC (stable:
 *     one per NIC of each host), addresses "MAC IP" (a reservation) or
 *     "MAC dynamic" (OVN picks one, kept while the port exists); the port
 *     stays when the guest stops, so its address does, and goes with the
 *     network's "net down".
 * On the host, the guest's TAP becomes a Port/Interface of the integration
 * bridge with external_ids:iface-id=the logical port (ovn-controller binds
 * it), in the local Open vSwitch database ($OVS_RUNDIR/db.sock, else
 * /var/run/openvswitch/db.sock, as the OVS tools find it).
 */
#ifndef QNM_HOST_OVN_H
#define QNM_HOST_OVN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"

/* The bound of every OVSDB request qnm makes. */
#define QNM_OVN_TIMEOUT_MS 5000
/*
 * How long a start waits for a NIC's port to be opened by ovs-vswitchd and
 * bound by ovn-controller before it starts QEMU anyway, with a warning
 * (in ovn-net.sh under busy loops the whole start, that wait included,
 * took 0.5 s).
 */
#define QNM_OVN_SETTLE_MS 10000

/* A logical port's name: CHASSIS/VM/NIC + NUL. */
#define QNM_OVN_LSP_MAX (3 * (QNM_NAME_MAX + 1))

/**
 * qnm_ovn_net_up() - create or update network @net (mode ovn) in its
 * northbound database: the logical switch and its DHCP options (one
 * transaction each way, so a kill leaves all or nothing of it).
 * @notes: what was done, for people (may be NULL).
 * Return: 0 or -errno; @err names "ovn-nb" when the database cannot be
 * reached, or the switch that exists and is not qnm's.
 */
int qnm_ovn_net_up(const struct qnm_network *net, struct qnm_strv *notes, struct qnm_err *err);

/**
 * qnm_ovn_net_down() - remove network @net from its northbound database:
 * the switch (with every guest port on it, on every host), its DHCP
 * options, its router. Nothing of qnm's there is not an error.
 * Return: 0 or -errno.
 */
int qnm_ovn_net_down(const struct qnm_network *net, struct qnm_strv *notes, struct qnm_err *err);

/**
 * qnm_ovn_net_exists() - whether the switch of @net exists in its database.
 * Return: 1, 0, or -errno (@err says why the database did not answer).
 */
int qnm_ovn_net_exists(const struct qnm_network *net, struct qnm_err *err);

/**
 * qnm_ovn_port_ensure() - create (or update) the logical port @lsp of
 * network @net_name in database @nb, MAC @mac and address @ip ("" or NULL:
 * OVN's dynamic address), with the network's DHCP options.
 * Return: 0 or -errno; -ENOENT when the network is not up there.
 */
int qnm_ovn_port_ensure(const char *nb, const char *net_name, const char *lsp, const char *mac,
			const char *ip, struct qnm_err *err);

/**
 * qnm_ovn_port_addresses() - what OVN gave logical port @lsp: its
 * dynamic_addresses, else its addresses ("MAC IP"), into @buf.
 * Return: 0 or -errno (-ENOENT: no such port).
 */
int qnm_ovn_port_addresses(const char *nb, const char *lsp, char *buf, size_t size,
			   struct qnm_err *err);

/**
 * qnm_ovs_local_db() - the local Open vSwitch database's remote into @buf
 * ("unix:$OVS_RUNDIR/db.sock", else unix:/var/run/openvswitch/db.sock).
 * Return: @buf.
 */
const char *qnm_ovs_local_db(char *buf, size_t size);

/**
 * qnm_ovn_controller_status() - whether this host's ovn-controller runs and
 * is connected to the southbound database: its pid from
 * $OVN_RUNDIR/ovn-controller.pid (/var/run/ovn when unset), then its
 * control socket's "connection-status".
 * @pid:    its pid, or 0 when none runs.
 * @status: its answer ("connected", "not connected") into @size bytes.
 * Return: 0 when it answered; -ESRCH when no ovn-controller runs (@err
 * names the pid file); -errno when its control socket does not answer.
 */
int qnm_ovn_controller_status(pid_t *pid, char *status, size_t size, struct qnm_err *err);

/**
 * qnm_ovs_system_id() - this host's chassis name (the local Open vSwitch's
 * external_ids:system-id) into @buf.
 * Return: 0 or -errno; -ENOENT when it is not set (@err says how to set it).
 */
int qnm_ovs_system_id(const char *db, char *buf, size_t size, struct qnm_err *err);

/**
 * qnm_ovs_port_add() - put interface @ifname on bridge @bridge of the
 * Open vSwitch database @db as a port of its own with
 * external_ids:iface-id=@iface_id (a port of that name left by a killed
 * qnm is replaced).
 * Return: 0 or -errno; -ENODEV when the bridge does not exist.
 */
int qnm_ovs_port_add(const char *db, const char *bridge, const char *ifname, const char *iface_id,
		     struct qnm_err *err);

/**
 * enum qnm_ovs_port_stage - how far Open vSwitch and ovn-controller got with
 * a port qnm_ovs_port_add() made (qnm_ovs_port_wait()).
 * @QNM_OVS_PORT_ADDED:     in the database only.
 * @QNM_OVS_PORT_OPENED:    ovs-vswitchd opened the interface (an ofport).
 * @QNM_OVS_PORT_INSTALLED: ovn-controller bound its logical port and
 *                          installed its flows (external_ids:ovn-installed).
 */
enum qnm_ovs_port_stage { QNM_OVS_PORT_ADDED, QNM_OVS_PORT_OPENED, QNM_OVS_PORT_INSTALLED };

/**
 * qnm_ovs_port_wait() - wait up to @timeout_ms until interface @ifname of
 * @db reaches @stage (or further), asking every 50 ms.
 * Return: the stage reached: @stage or more, or less when the time ran out;
 * -errno when the interface is gone or ovs-vswitchd could not open it (@err
 * gives its error column).
 */
int qnm_ovs_port_wait(const char *db, const char *ifname, enum qnm_ovs_port_stage stage,
		      int timeout_ms, struct qnm_err *err);

/**
 * qnm_ovs_port_del() - remove the port named @ifname from whatever bridge
 * of @db holds it (none is fine).
 * Return: 0 or -errno.
 */
int qnm_ovs_port_del(const char *db, const char *ifname, struct qnm_err *err);

/**
 * qnm_ovs_port_exists() - whether a port named @ifname is on a bridge of @db.
 * Return: 1, 0 or -errno.
 */
int qnm_ovs_port_exists(const char *db, const char *ifname, struct qnm_err *err);

#endif
