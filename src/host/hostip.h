/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostip.h - the host's addresses of a bridged network's port: what the
 * port carries (its static IPv4 and global IPv6 addresses with flags and
 * lifetimes, its routes in the main table with gateway, metric and source,
 * its MAC), recorded in RUNDIR/hostip-PORT before anything changes, moved
 * onto the bridge and back through rtnetlink.
 *
 * The move keeps a connection over the port alive: the bridge takes the
 * port's MAC and addresses and is set up first (the same address on two
 * interfaces is fine), then the port is enslaved (its frames now reach the
 * bridge, which has the addresses), then each route is replaced by the same
 * route on the bridge (NLM_F_REPLACE: never a moment without it), and only
 * then do the addresses leave the port. The way back mirrors it: addresses
 * on the port, port released, routes replaced onto the port, addresses off
 * the bridge. Every step is idempotent, so a move cut short is finished
 * (or undone) by running it again from the record.
 *
 * A port whose configuration another program owns (an address without
 * IFA_F_PERMANENT: a DHCP lease or SLAAC; a route from DHCP or router
 * advertisements; a link NetworkManager or systemd-networkd manages, or a
 * DHCP client running for it) is refused with which manager and what to
 * change there: qnm does not fight another manager.
 */
#ifndef QNM_HOSTIP_H
#define QNM_HOSTIP_H

#include <stdint.h>

#include "host/links.h"
#include "core/util.h"

#define QNM_HOSTIP_MAX 32

/**
 * struct qnm_hostip_addr - one address of the port.
 * @family:    AF_INET or AF_INET6.
 * @local:     "ADDR/PREFIX".
 * @brd:       IPv4 broadcast address, "" when none.
 * @flags:     IFA_F_* as read.
 * @scope:     RT_SCOPE_*.
 * @valid:     valid lifetime in seconds (0xffffffff: forever).
 * @preferred: preferred lifetime in seconds.
 */
struct qnm_hostip_addr {
	int family;
	char local[64];
	char brd[16];
	uint32_t flags;
	int scope;
	uint32_t valid;
	uint32_t preferred;
};

/**
 * struct qnm_hostip_route - one route of the main table through the port.
 * @family:   AF_INET or AF_INET6.
 * @dst:      "ADDR/PREFIX" ("0.0.0.0/0", "::/0" for the default route).
 * @gw:       gateway address, "" for a link route.
 * @src:      preferred source, "" when none.
 * @metric:   priority.
 * @protocol: RTPROT_*.
 * @scope:    RT_SCOPE_*.
 * @type:     RTN_*.
 */
struct qnm_hostip_route {
	int family;
	char dst[64];
	char gw[64];
	char src[64];
	uint32_t metric;
	int protocol;
	int scope;
	int type;
};

/**
 * struct qnm_hostip - what the port carried before it was enslaved.
 * @port:    the port.
 * @bridge:  the bridge its addresses move to.
 * @mac:     the port's MAC.
 * @addrs:   its addresses, @naddrs of them.
 * @routes:  its routes, @nroutes of them.
 */
struct qnm_hostip {
	char port[QNM_IFNAME_MAX + 1];
	char bridge[QNM_IFNAME_MAX + 1];
	char mac[QNM_MAC_LEN];
	struct qnm_hostip_addr addrs[QNM_HOSTIP_MAX];
	unsigned naddrs;
	struct qnm_hostip_route routes[QNM_HOSTIP_MAX];
	unsigned nroutes;
};

/**
 * qnm_hostip_read() - read what @port carries now into @h.
 * @bridge: the bridge the addresses are to move to (kept in @h).
 * Return: 0 or -errno.
 */
int qnm_hostip_read(struct qnm_links *l, const char *port, const char *bridge, struct qnm_hostip *h,
		    struct qnm_err *err);

/**
 * qnm_hostip_managed() - whether another program owns @h's configuration.
 * @why: filled with which manager and what to change there (a sentence).
 * Return: 1 when managed, 0 when not.
 */
int qnm_hostip_managed(const struct qnm_hostip *h, char *why, size_t size);

/**
 * qnm_hostip_save() - write @h to RUNDIR/hostip-PORT (atomically).
 * Return: 0 or -errno.
 */
int qnm_hostip_save(const char *runtime_dir, const struct qnm_hostip *h, struct qnm_err *err);

/**
 * qnm_hostip_load() - read RUNDIR/hostip-@port into @h.
 * Return: 0, -ENOENT when there is no record, or -errno.
 */
int qnm_hostip_load(const char *runtime_dir, const char *port, struct qnm_hostip *h,
		    struct qnm_err *err);

/** qnm_hostip_forget() - remove RUNDIR/hostip-@port (none is fine). */
void qnm_hostip_forget(const char *runtime_dir, const char *port);

/**
 * qnm_hostip_to_bridge() - move @h's MAC, addresses and routes from the
 * port onto the bridge and enslave the port (see the top of this file).
 * Both links must exist. Idempotent.
 * Return: 0 or -errno.
 */
int qnm_hostip_to_bridge(struct qnm_links *l, const struct qnm_hostip *h, struct qnm_err *err);

/**
 * qnm_hostip_to_port() - move @h's addresses and routes back onto the port
 * and release it from the bridge (the bridge may be gone). Idempotent.
 * Return: 0 or -errno.
 */
int qnm_hostip_to_port(struct qnm_links *l, const struct qnm_hostip *h, struct qnm_err *err);

/**
 * qnm_hostip_where() - where @h's first address lives now: the bridge,
 * the port, or "" when on neither.
 * @out: at least QNM_IFNAME_MAX + 1 bytes.
 */
void qnm_hostip_where(struct qnm_links *l, const struct qnm_hostip *h, char *out);

#endif
