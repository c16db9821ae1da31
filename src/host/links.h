/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * links.h - host network interfaces: a list of all links with their
 * counters (read with libmnl dumps parsed in place: the link and IPv4
 * address dumps after a change, a counters-only dump per tick), and the few
 * changes qnm makes to links through libnl-route-3: create and delete
 * bridges, set addresses, up/down, enslave/release.
 *
 * Everything here acts on the network namespace of the calling process.
 * Operations return 0 or -errno and fill a struct qnm_err; a missing
 * privilege reads "ACTION needs CAP_NET_ADMIN (run as root or grant the
 * capability)" with ACTION naming what was attempted and on which
 * interface.
 */
#ifndef QNM_LINKS_H
#define QNM_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/util.h"

struct mnl_socket;

#define QNM_LINK_MAX_ADDRS 4

/** enum qnm_link_stat - counters kept for every link. */
enum qnm_link_stat {
	QNM_STAT_RX_BYTES,
	QNM_STAT_TX_BYTES,
	QNM_STAT_RX_PACKETS,
	QNM_STAT_TX_PACKETS,
	QNM_STAT_RX_ERRORS,
	QNM_STAT_TX_ERRORS,
	QNM_STAT_RX_DROPPED,
	QNM_STAT_TX_DROPPED,
	QNM_STAT__COUNT
};

/**
 * struct qnm_link_info - one link as of the last refill.
 * @ifindex:     kernel interface index.
 * @name:        interface name.
 * @type:        "bridge", "veth", "tap", "tun", "loopback", "ether" (a
 *               device without a link kind, usually a physical NIC),
 *               "vlan", ... (the rtnetlink link kind otherwise).
 * @up:          administratively up (IFF_UP).
 * @carrier:     lower layer up (IFF_LOWER_UP).
 * @operstate:   RFC 2863 state as a word ("up", "down", "unknown", ...).
 * @mtu:         MTU in bytes.
 * @master:      ifindex of the master (bridge) or 0.
 * @master_name: name of the master, "" when none.
 * @mac:         link-layer address "xx:xx:xx:xx:xx:xx", "" when none.
 * @addrs:       IPv4 addresses in CIDR form, @naddrs of them (at most
 *               QNM_LINK_MAX_ADDRS are kept; @naddrs_total counts all).
 * @stats:       counters indexed by enum qnm_link_stat.
 */
struct qnm_link_info {
	int ifindex;
	char name[QNM_IFNAME_MAX + 1];
	char type[16];
	bool up;
	bool carrier;
	char operstate[16];
	unsigned mtu;
	int master;
	char master_name[QNM_IFNAME_MAX + 1];
	char mac[QNM_MAC_LEN];
	char addrs[QNM_LINK_MAX_ADDRS][QNM_CIDR_LEN];
	unsigned naddrs;
	unsigned naddrs_total;
	uint64_t stats[QNM_STAT__COUNT];
};

/**
 * struct qnm_links - netlink sockets and the flat view of the last refill.
 * @v:     the links sorted by ifindex, @n of them; valid until the next
 *         qnm_links_refill() or qnm_links_free().
 * @fills: how many full refills (link and address dumps) were done.
 * @stats_only: how many refills only read the counters.
 *
 * Other members are private to links.c.
 */
struct qnm_links {
	struct qnm_link_info *v;
	size_t n;
	size_t cap;
	unsigned long fills;
	unsigned long stats_only;
	struct nl_sock *sk;
	struct nl_sock *events;
	bool want_addrs;
	bool stale;
	struct mnl_socket *stats_sk;
	unsigned stats_seq;
	size_t stats_next;
	char *stats_buf;
};

/* Receive buffer of the counters dump (the kernel's largest dump datagram). */
#define QNM_LINKS_STATS_BUF 32768

/**
 * qnm_links_new() - open a rtnetlink socket and fill the caches once.
 * @want_addrs: also keep an IPv4 address cache (refilled with the links).
 * @out:        the new object on success; free with qnm_links_free().
 * @err:        what went wrong.
 *
 * Needs no privilege.
 * Return: 0 or -errno.
 */
int qnm_links_new(bool want_addrs, struct qnm_links **out, struct qnm_err *err);

/**
 * qnm_links_open() - a handle for changes and questions asked of the kernel
 * now (qnm_links_exists(), _bridge_add(), _addr_add(), ...), with no view:
 * no notification socket and no dump, so a one-shot command (net up, a
 * VM's TAP) pays for what it asks only. @l->v stays empty until a
 * qnm_links_refill(), which then reads it whole every time.
 * Return: 0 or -errno.
 */
int qnm_links_open(struct qnm_links **out, struct qnm_err *err);

/** qnm_links_free() - close the socket and free everything (NULL is fine). */
void qnm_links_free(struct qnm_links *l);

/**
 * qnm_links_refill() - bring @l->v up to date; one call per UI tick.
 *
 * When the kernel announced a change of links or addresses since the last
 * call (qnm listens to RTNLGRP_LINK and RTNLGRP_IPV4_IFADDR), or when
 * qnm_links_invalidate() was called, @l->v is rebuilt from a RTM_GETLINK
 * dump (and an IPv4 RTM_GETADDR dump), parsed in place with no allocation
 * per link. Otherwise only
 * the counters change, and they are read with one RTM_GETSTATS dump
 * limited to the 64-bit link counters, which costs a fraction of a full
 * link dump (see tests/bench/links-refresh.sh); when few links are up, only
 * those are asked (a link that is down counts nothing, and coming up is a
 * link event).
 * Return: 0 or -errno (@l->v keeps the previous view on error).
 */
int qnm_links_refill(struct qnm_links *l, struct qnm_err *err);

/** qnm_links_invalidate() - make the next qnm_links_refill() a full one. */
void qnm_links_invalidate(struct qnm_links *l);

/**
 * qnm_links_find() - a link of the last refill by name.
 * Return: pointer into @l->v (valid until the next refill), or NULL.
 */
const struct qnm_link_info *qnm_links_find(const struct qnm_links *l, const char *name);

/**
 * qnm_links_find_index() - a link of the last refill by ifindex.
 * Return: pointer into @l->v (valid until the next refill), or NULL.
 */
const struct qnm_link_info *qnm_links_find_index(const struct qnm_links *l, int ifindex);

/**
 * qnm_links_stat_name() - the JSON/CLI name of a counter ("rx_bytes", ...).
 */
const char *qnm_links_stat_name(enum qnm_link_stat s);

/**
 * qnm_links_exists() - ask the kernel now (not the cache) whether @name exists.
 * @info: when not NULL and the link exists, its current state (addresses
 *        are not filled).
 * Return: 1 when it exists, 0 when not, -errno on failure.
 */
int qnm_links_exists(struct qnm_links *l, const char *name, struct qnm_link_info *info,
		     struct qnm_err *err);

/**
 * qnm_links_bridge_add() - create bridge @name (fails with -EEXIST when any
 * link of that name exists). The bridge is left down.
 * Return: 0 or -errno.
 */
int qnm_links_bridge_add(struct qnm_links *l, const char *name, struct qnm_err *err);

/**
 * qnm_links_delete() - delete link @name (bridge, veth, tap, ...).
 * Ownership is the caller's business (see owner.h).
 * Return: 0 or -errno (-ENODEV when there is no such link).
 */
int qnm_links_delete(struct qnm_links *l, const char *name, struct qnm_err *err);

/**
 * qnm_links_set_up() - set link @name administratively up or down.
 * Return: 0 or -errno.
 */
int qnm_links_set_up(struct qnm_links *l, const char *name, bool up, struct qnm_err *err);

/**
 * qnm_links_addr_add() - put IPv4 or IPv6 @addr/@prefix on link @name (an
 * IPv6 one without duplicate address detection: usable at once), idempotently:
 * the same address with the same prefix already there is success.
 * @added: when not NULL, set to true when this call added the address,
 *         false when it was already there (so an undo knows what to do).
 * Return: 0 or -errno.
 */
int qnm_links_addr_add(struct qnm_links *l, const char *name, const char *addr, unsigned prefix,
		       bool *added, struct qnm_err *err);

/**
 * qnm_links_addr_del() - remove IPv4 or IPv6 @addr/@prefix from link @name; an
 * address that is not there is success.
 * Return: 0 or -errno.
 */
int qnm_links_addr_del(struct qnm_links *l, const char *name, const char *addr, unsigned prefix,
		       struct qnm_err *err);

/**
 * qnm_links_ipv4_addrs() - the IPv4 addresses of link @name, asked of the
 * kernel now.
 * @out: room for @max addresses in CIDR form (may be NULL when @max is 0).
 * Return: how many addresses the link has (may exceed @max), or -errno.
 */
int qnm_links_ipv4_addrs(struct qnm_links *l, const char *name, char (*out)[QNM_CIDR_LEN],
			 size_t max, struct qnm_err *err);

/**
 * qnm_links_ipv6_addrs() - the IPv6 addresses of link @name other than
 * link-local ones, asked of the kernel now.
 * @out: room for @max addresses "ADDR/LEN" (may be NULL when @max is 0).
 * Return: how many addresses the link has (may exceed @max), or -errno.
 */
int qnm_links_ipv6_addrs(struct qnm_links *l, const char *name, char (*out)[QNM_IPV6_NET_LEN],
			 size_t max, struct qnm_err *err);

/**
 * qnm_links_enslave() - make @port a port of bridge @bridge.
 * Ownership and confirmation are the caller's business (see netctl.h).
 * Return: 0 or -errno.
 */
int qnm_links_enslave(struct qnm_links *l, const char *port, const char *bridge,
		      struct qnm_err *err);

/**
 * qnm_links_release() - take @port out of whatever bridge it is in.
 * Return: 0 or -errno.
 */
int qnm_links_release(struct qnm_links *l, const char *port, struct qnm_err *err);

/**
 * qnm_links_default_uplink() - the interface of the IPv4 default route in
 * the main table (lowest metric), as "where NAT goes out" when a network
 * names no uplink.
 * @out: at least QNM_IFNAME_MAX + 1 bytes.
 * Return: 0, -ENOENT when there is no default route, or -errno.
 */
int qnm_links_default_uplink(struct qnm_links *l, char *out, struct qnm_err *err);

/**
 * qnm_host_err() - fill @err for a failed host change.
 * @err:    error to fill (may be NULL).
 * @code:   negative errno.
 * @action: what was attempted, naming the object, e.g. "create bridge qnm0".
 *
 * -EPERM and -EACCES give "ACTION needs CAP_NET_ADMIN (run as root or grant
 * the capability)"; anything else "ACTION: strerror".
 * Return: @code.
 */
int qnm_host_err(struct qnm_err *err, int code, const char *action);

/**
 * qnm_nl_errno() - a libnl error (NLE_*, negative or positive) as -errno.
 */
int qnm_nl_errno(int nlerr);

#endif
