/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysctl.h - the kernel settings qnm cares about, read (and for
 * ip_forward and route_localnet written) through /proc/sys of the caller's
 * network namespace:
 *
 *   net.ipv4.ip_forward        must be 1 for a NAT network to route;
 *   net.ipv6.conf.all.forwarding
 *                              the same for a NAT network with IPv6 (1 also
 *                              turns every interface into a router: those
 *                              with accept_ra=1 stop taking router
 *                              advertisements; accept_ra=2 keeps them);
 *   net.ipv4.conf.BRIDGE.route_localnet
 *                              must be 1 on a network's bridge for a forward
 *                              on 127.0.0.1 to reach its guest (the host's
 *                              own connections leave with source 127.0.0.1);
 *   net.ipv4.ping_group_range  groups allowed unprivileged ICMP sockets,
 *                              which user-mode networking (SLIRP) needs to
 *                              let a guest ping the outside.
 */
#ifndef QNM_SYSCTL_H
#define QNM_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/util.h"

/**
 * qnm_sysctl_dir() - the /proc/sys directory used (tests may point
 * $QNM_PROC_SYS elsewhere to feed canned values to the readers; writers
 * always use it too).
 */
const char *qnm_sysctl_dir(void);

/**
 * qnm_ip_forward_get() - read net.ipv4.ip_forward.
 * @on: set to its value.
 * Return: 0 or -errno.
 */
int qnm_ip_forward_get(bool *on, struct qnm_err *err);

/**
 * qnm_ip_forward_set() - write net.ipv4.ip_forward (in this namespace only).
 * @on:   the new value.
 * @prev: when not NULL, the value before (read first).
 * EPERM/EACCES/EROFS read "set net.ipv4.ip_forward=N needs CAP_NET_ADMIN ...".
 * Return: 0 or -errno.
 */
int qnm_ip_forward_set(bool on, bool *prev, struct qnm_err *err);

/**
 * qnm_ip6_forward_get() - read net.ipv6.conf.all.forwarding.
 * @on: set to its value.
 * Return: 0 or -errno (-ENOENT when the kernel has no IPv6).
 */
int qnm_ip6_forward_get(bool *on, struct qnm_err *err);

/**
 * qnm_ip6_forward_set() - write net.ipv6.conf.all.forwarding (in this
 * namespace only).
 * @on:   the new value.
 * @prev: when not NULL, the value before (read first).
 * Return: 0 or -errno.
 */
int qnm_ip6_forward_set(bool on, bool *prev, struct qnm_err *err);

/**
 * qnm_route_localnet_name() - "net.ipv4.conf.IFNAME.route_localnet", the
 * name of the setting (for messages and ownership records).
 * @buf: at least 48 bytes.
 */
void qnm_route_localnet_name(const char *ifname, char *buf, size_t size);

/**
 * qnm_route_localnet_get() - read net.ipv4.conf.@ifname.route_localnet.
 * @on: set to its value.
 * Return: 0, -ENOENT when there is no such interface, or -errno.
 */
int qnm_route_localnet_get(const char *ifname, bool *on, struct qnm_err *err);

/**
 * qnm_route_localnet_set() - write net.ipv4.conf.@ifname.route_localnet
 * (that one interface, in this namespace only).
 * @on:   the new value.
 * @prev: when not NULL, the value before (read first).
 * Return: 0 or -errno (-EPERM without CAP_NET_ADMIN).
 */
int qnm_route_localnet_set(const char *ifname, bool on, bool *prev, struct qnm_err *err);

/**
 * qnm_if_ipv6_enable() - net.ipv6.conf.@ifname.disable_ipv6 to 0 (a bridge
 * qnm made, which took 1 from net.ipv6.conf.default: the setting goes with
 * the bridge, nothing to restore).
 * Return: 0 or -errno.
 */
int qnm_if_ipv6_enable(const char *ifname, struct qnm_err *err);

/**
 * qnm_accept_ra_ifaces() - the interfaces whose accept_ra is 1: they take
 * router advertisements only while the host does not forward IPv6, so
 * turning net.ipv6.conf.all.forwarding on stops their autoconfiguration
 * (their routes and addresses then expire); accept_ra=2 keeps it.
 * @out: initialised; the names are appended in directory order.
 */
void qnm_accept_ra_ifaces(struct qnm_strv *out);

/**
 * qnm_ping_range_parse() - parse the text of ping_group_range ("LO\tHI\n").
 * Return: 0 or -EINVAL.
 */
int qnm_ping_range_parse(const char *text, unsigned long *lo, unsigned long *hi);

/**
 * qnm_ping_range_allows() - whether any of @gids lies in [@lo, @hi]
 * (the kernel's rule; lo > hi means nobody).
 */
bool qnm_ping_range_allows(unsigned long lo, unsigned long hi, const gid_t *gids, size_t n);

/**
 * qnm_ping_check() - can this process open unprivileged ICMP sockets?
 * @ok:  set to the answer.
 * @why: at least 256 bytes: the explanation, in either case, naming the
 *       range, the process's groups and the fix
 *       (sysctl -w net.ipv4.ping_group_range="GID GID").
 * Return: 0, or -errno when the setting cannot be read.
 */
int qnm_ping_check(bool *ok, char *why, size_t size, struct qnm_err *err);

#endif
