/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipv6net.h - the IPv6 prefix of a user/slirp NIC's network ("ipv6-net"
 * key: "2001:db8::/64"), instead of QEMU's and libslirp's default fec0::/64.
 */
#ifndef QNM_IPV6NET_H
#define QNM_IPV6NET_H

#include <netinet/in.h>

#include "core/model.h"
#include "core/util.h"

/**
 * qnm_parse_ipv6_net() - split "ADDR/LEN" into the address and its length.
 * @s:      the text.
 * @addr:   the address.
 * @prefix: the length, 0-128.
 * Return: 0, or -EINVAL when @s is not an IPv6 address with a /LEN.
 */
int qnm_parse_ipv6_net(const char *s, struct in6_addr *addr, unsigned *prefix);

/**
 * qnm_check_ipv6_net() - a prefix a user-mode network can use: an IPv6
 * network with a length from 1 to 126 (QEMU refuses 127 and 128: the
 * gateway and DNS addresses are ::2 and ::3 of it), no host bits set
 * (advice: the network they belong to), and a unique local (fc00::/7) or
 * global unicast (2000::/3) prefix; anything else (link-local, multicast,
 * the deprecated site-local fec0::/10, ...) is refused with advice.
 * @s:     the text ("" is fine: the backend's default).
 * @field: the field named in messages ("nic[n0].ipv6-net").
 * @err:   why not.
 * Return: 0 or -EINVAL.
 */
int qnm_check_ipv6_net(const char *s, const char *field, struct qnm_err *err);

/* ---- IPv6 on a qnm network (its "ipv6" key) ---- */

/**
 * qnm_net_has_ipv6() - @net has IPv6: its ipv6 key is neither "" nor "none".
 */
bool qnm_net_has_ipv6(const struct qnm_network *net);

/**
 * qnm_ula_from_name() - the ULA /64 "auto" stands for: fd, then a 40-bit
 * global ID, the top 40 bits of the FNV-1a 64-bit hash of "qnm-ula:" and
 * @name, mixed by MurmurHash3's 64-bit finaliser (RFC 4193 section 3.2 asks for 40 pseudo-random bits; these are
 * stable for a name, so the prefix survives restarts and edits of anything
 * else), then subnet ID 0. The same name on two hosts gives the same
 * prefix: give a prefix (ipv6=PREFIX/64) where such networks are routed to
 * each other.
 * @name: the network's name.
 * @out:  the prefix (host bits zero).
 */
void qnm_ula_from_name(const char *name, struct in6_addr *out);

/**
 * qnm_net_ipv6_prefix() - the /64 of @net: "auto" resolved, a given prefix
 * parsed.
 * @out: the prefix (host bits zero).
 * Return: 0, or -ENOENT when @net has no IPv6 (or an invalid value:
 *         qnm_check_net_ipv6() says why).
 */
int qnm_net_ipv6_prefix(const struct qnm_network *net, struct in6_addr *out);

/**
 * qnm_net_ipv6_text() - the /64 of @net as text, "fd12:3456:789a::/64".
 * @buf: at least QNM_IPV6_NET_LEN bytes; "" when @net has no IPv6.
 */
void qnm_net_ipv6_text(const struct qnm_network *net, char *buf, size_t size);

/**
 * qnm_net_ipv6_host() - the host's address on @net's bridge, PREFIX::1.
 * @buf: at least QNM_IPV6_ADDR_LEN bytes; "" when @net has no IPv6.
 */
void qnm_net_ipv6_host(const struct qnm_network *net, char *buf, size_t size);

/**
 * qnm_net_ipv6_guest() - the address a NIC with MAC @mac has on @net: the
 * prefix and the modified EUI-64 interface ID of @mac (RFC 4291 appendix
 * A), what the guest forms by SLAAC from qnm's router advertisements and
 * what dnsmasq's DHCPv6 reserves for that MAC.
 * @buf: at least QNM_IPV6_ADDR_LEN bytes.
 * Return: 0, or -ENOENT (no IPv6 on @net) or -EINVAL (@mac is no MAC):
 *         @buf is "" then.
 */
int qnm_net_ipv6_guest(const struct qnm_network *net, const char *mac, char *buf, size_t size);

/**
 * qnm_check_net_ipv6() - @net's ipv6 key: "", "none", "auto" or a /64 that
 * qnm_check_ipv6_net() accepts (no host bits: advice names the network
 * meant), on a nat or isolated network with DHCP (its dnsmasq sends the
 * router advertisements).
 * @err: why not, field "ipv6".
 * Return: 0 or -EINVAL.
 */
int qnm_check_net_ipv6(const struct qnm_network *net, struct qnm_err *err);

#endif
