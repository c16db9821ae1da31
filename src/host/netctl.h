/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netctl.h - bring a qnm network up and down on this host.
 *
 * Up, in this order, each step skipped when already in place (so "up" on a
 * network that is up re-checks it and changes nothing):
 *   1. the bridge (created and recorded as qnm's, or an existing one only
 *      with force), its address/prefix;
 *   2. bridged mode: the physical port enslaved, only with confirm_port;
 *   3. nat/isolated mode: net.ipv4.conf.BRIDGE.route_localnet = 1,
 *      so that forwards on 127.0.0.1 reach the guests (the previous value is
 *      recorded and restored on down);
 *      nat mode: net.ipv4.ip_forward = 1 (the previous value is recorded
 *      and restored when the last NAT network goes down);
 *   4. qnm's nftables table "inet qnm" rewritten for all networks that are
 *      up, this one included (one atomic batch, see nft.h); other tables are
 *      read (never changed) and a note is added when one of them would drop
 *      the network's forwarded traffic;
 *   5. the bridge set up;
 *   6. nat/isolated with a DHCP range: dnsmasq on the bridge.
 * A step that fails undoes every step this call did, in reverse order:
 * nothing is left half-applied.
 *
 * Down removes what up made, as recorded in owner.h: the network's part of
 * the nftables table (the table itself when no network is left), dnsmasq,
 * the bridge's route_localnet restored, the port (released), the bridge
 * (deleted only when qnm created it), and ip_forward restored when no NAT
 * network is left.
 *
 * Crash safety: up and down hold RUNDIR/net.lock (one network change at a
 * time) and record each creation as an intent before making it (owner.h:
 * a pending record, turned plain once the object exists; before a removal
 * the record turns pending again). A qnm killed at any moment leaves
 * pending records of a dead process; the next up or down settles them
 * first (qnm_net_settle()): an object that exists is qnm's own and kept
 * as recorded (then removed by down), a missing one is forgotten, a
 * dnsmasq of ours is stopped, ip_forward keeps the value recorded before
 * qnm wrote it. A network whose up or down was cut short stays recorded
 * pending ("interrupted", qnm_net_interrupted()) until the next up or down
 * of it; the nftables table is rewritten whole from the model by both.
 */
#ifndef QNM_NETCTL_H
#define QNM_NETCTL_H

#include <stdbool.h>

#include "host/links.h"
#include "core/model.h"
#include "host/owner.h"
#include "core/util.h"

/**
 * struct qnm_netctl - what bringing networks up and down needs.
 * @links:       rtnetlink access (no address cache).
 * @owner:       the ownership records.
 * @runtime_dir: qnm's runtime directory (owned copy).
 * @lock_fd:     RUNDIR/net.lock, held (flock) while open.
 */
struct qnm_netctl {
	struct qnm_links *links;
	struct qnm_owner owner;
	char *runtime_dir;
	int lock_fd;
};

/**
 * struct qnm_net_up_opts - what the user agreed to.
 * @force:        use an existing bridge qnm did not create (it is then never
 *                deleted by qnm), enslave a port that is in another bridge.
 * @confirm_port: bridged mode: yes, take the physical port over.
 */
struct qnm_net_up_opts {
	bool force;
	bool confirm_port;
};

/**
 * qnm_netctl_open() - open netlink and the ownership records, holding
 * RUNDIR/net.lock (waits for another qnm's network change to end).
 * Return: 0 or -errno; on success release with qnm_netctl_close().
 */
int qnm_netctl_open(struct qnm_netctl *nc, const char *runtime_dir, struct qnm_err *err);

/** qnm_netctl_close() - release what qnm_netctl_open() took. */
void qnm_netctl_close(struct qnm_netctl *nc);

/**
 * qnm_net_is_up() - whether qnm recorded network @name as up in the
 * caller's network namespace.
 */
bool qnm_net_is_up(const struct qnm_netctl *nc, const char *name);

/**
 * qnm_net_up() - bring @net up (see the top of this file).
 * @m:     the model, to find the other networks that are up (for nftables).
 * @net:   the network (normally an element of @m).
 * @o:     force/confirm flags, NULL for none.
 * @notes: sentences for the user (warnings, what was reused), appended.
 * Return: 0 or -errno; on error nothing this call did remains.
 */
int qnm_net_up(struct qnm_netctl *nc, struct qnm_model *m, struct qnm_network *net,
	       const struct qnm_net_up_opts *o, struct qnm_strv *notes, struct qnm_err *err);

/**
 * qnm_net_dhcp_sync() - when @net is up, make its dnsmasq serve what @m
 * says now (range and the NICs' reservations, core/reserve.h): the one
 * running stays when it does, else it is replaced (as qnm_net_up() does).
 * Return: 0 (also when @net is down or has no DHCP) or -errno.
 */
int qnm_net_dhcp_sync(struct qnm_netctl *nc, struct qnm_model *m, struct qnm_network *net,
		      struct qnm_err *err);

/**
 * qnm_net_down() - take network @name down (see the top of this file).
 * @m:     the model (for the networks that stay up).
 * @name:  the network's name; it need not be in @m any more.
 * @notes: sentences for the user, appended.
 * Return: 0 (also when it was not up) or -errno. The nftables step comes
 * first, so a missing privilege changes nothing; a later failure leaves the
 * records of what is still there, and running down again finishes it.
 */
int qnm_net_down(struct qnm_netctl *nc, struct qnm_model *m, const char *name,
		 struct qnm_strv *notes, struct qnm_err *err);

/**
 * qnm_have_cap_net_admin() - whether this process has CAP_NET_ADMIN in its
 * effective set (in its own user namespace).
 */
bool qnm_have_cap_net_admin(void);

/**
 * qnm_net_settle() - finish or undo what a killed qnm left half done in
 * this namespace: each pending record of a process that is gone is kept as
 * qnm's own when its object exists (bridge, port, address, table,
 * ip_forward changed), else forgotten; a pending dnsmasq is stopped (every
 * dnsmasq of ours for that network) and forgotten. Pending network records
 * stay (qnm_net_interrupted()). Called by qnm_net_up() and qnm_net_down().
 * @notes: a sentence per settled record.
 * Return: 0 or -errno.
 */
int qnm_net_settle(struct qnm_netctl *nc, struct qnm_strv *notes, struct qnm_err *err);

/**
 * qnm_net_interrupted() - the pending record of network @name when the qnm
 * that was bringing it up or down is gone, else NULL.
 * @o: the ownership records.
 */
const struct qnm_own_rec *qnm_net_interrupted(const struct qnm_owner *o, const char *name);

#endif
