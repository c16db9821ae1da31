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

#endif
