// SPDX-License-Identifier: GPL-2.0-or-later
/* ipv6net.c - the IPv6 prefix of a user-mode network (see ipv6net.h). */
#include "build-config.h"

#include "core/ipv6net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qnm_parse_ipv6_net(const char *s, struct in6_addr *addr, unsigned *prefix)
{
	char buf[QNM_IPV6_NET_LEN];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long n;

	if (!slash || (size_t)(slash - s) >= sizeof(buf) || !slash[1] || slash[1] == '-' ||
	    slash[1] == '+')
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -EINVAL;
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (errno || *end || n > 128)
		return -EINVAL;
	*prefix = (unsigned)n;
	return 0;
}

/* Whether the first @bits bits of @a are those of @net. */
static bool in_prefix(const struct in6_addr *a, const unsigned char *net, unsigned bits)
{
	unsigned i;

	for (i = 0; i < bits; i++) {
		unsigned char m = (unsigned char)(0x80 >> (i % 8));

		if ((a->s6_addr[i / 8] & m) != (net[i / 8] & m))
			return false;
	}
	return true;
}

int qnm_check_ipv6_net(const char *s, const char *field, struct qnm_err *err)
{
	static const unsigned char ula[16] = { 0xfc }, global[16] = { 0x20 };
	static const unsigned char site_local[16] = { 0xfe, 0xc0 };
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a, net;
	unsigned prefix, i;

	if (!s[0])
		return 0;
	if (qnm_parse_ipv6_net(s, &a, &prefix))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' is not an IPv6 prefix with its length (e.g. fd00:1234:5678::/64)",
			field, s);
	if (prefix < 1 || prefix > 126)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: the prefix length of '%s' must be from 1 to 126 (QEMU puts "
				   "the host at ::2 and DNS at ::3 of it; guests form SLAAC "
				   "addresses only in a /64)",
				   field, s);
	net = a;
	for (i = prefix; i < 128; i++)
		net.s6_addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	if (memcmp(&net, &a, sizeof(a)) != 0) {
		inet_ntop(AF_INET6, &net, text, sizeof(text));
		return qnm_err_set(err, -EINVAL, field,
				   "%s: '%s' has host bits set beyond /%u: did you mean %s/%u?",
				   field, s, prefix, text, prefix);
	}
	if (in_prefix(&a, site_local, 10))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' is site-local (fec0::/10, deprecated by RFC 3879: what "
			"QEMU uses when ipv6-net is empty); use a ULA, fd followed by 40 "
			"random bits (RFC 4193, e.g. fd12:3456:789a::/64), or a global "
			"prefix routed to you",
			field, s);
	if (!in_prefix(&a, ula, 7) && !in_prefix(&a, global, 3))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' is neither a unique local (fc00::/7) nor a global "
			"(2000::/3) prefix; use a ULA, fd followed by 40 random bits (RFC "
			"4193, e.g. fd12:3456:789a::/64), or a global prefix routed to you",
			field, s);
	return 0;
}
