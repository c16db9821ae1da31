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

bool qnm_net_has_ipv6(const struct qnm_network *net)
{
	return net->ipv6[0] && strcmp(net->ipv6, "none") != 0;
}

void qnm_ula_from_name(const char *name, struct in6_addr *out)
{
	static const char salt[] = "qnm-ula:";
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 offset basis */
	const char *p;
	int i;

	for (p = salt; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	for (p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	/*
	 * FNV-1a alone mixes a name's last bytes only into the hash's low
	 * bits: "lab" and "lan" shared 24 of their 40 bits. MurmurHash3's
	 * 64-bit finaliser makes every input bit move every output bit.
	 */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xfd;
	for (i = 0; i < 5; i++) /* the global ID: the mixed hash's top 40 bits */
		out->s6_addr[1 + i] = (unsigned char)(h >> (56 - 8 * i));
}

int qnm_net_ipv6_prefix(const struct qnm_network *net, struct in6_addr *out)
{
	unsigned prefix;

	if (!qnm_net_has_ipv6(net))
		return -ENOENT;
	if (strcmp(net->ipv6, "auto") == 0) {
		qnm_ula_from_name(net->name, out);
		return 0;
	}
	if (qnm_parse_ipv6_net(net->ipv6, out, &prefix) || prefix != 64)
		return -ENOENT;
	memset(out->s6_addr + 8, 0, 8);
	return 0;
}

void qnm_net_ipv6_text(const struct qnm_network *net, char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a;

	buf[0] = '\0';
	if (qnm_net_ipv6_prefix(net, &a) == 0 && inet_ntop(AF_INET6, &a, text, sizeof(text)))
		snprintf(buf, size, "%s/64", text);
}

void qnm_net_ipv6_host(const struct qnm_network *net, char *buf, size_t size)
{
	struct in6_addr a;

	buf[0] = '\0';
	if (qnm_net_ipv6_prefix(net, &a) < 0)
		return;
	a.s6_addr[15] = 1;
	if (!inet_ntop(AF_INET6, &a, buf, (socklen_t)size))
		buf[0] = '\0';
}

int qnm_net_ipv6_guest(const struct qnm_network *net, const char *mac, char *buf, size_t size)
{
	unsigned m[6];
	struct in6_addr a;
	char tail;
	int i;

	buf[0] = '\0';
	if (qnm_net_ipv6_prefix(net, &a) < 0)
		return -ENOENT;
	if (sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &tail) != 6)
		return -EINVAL;
	/* modified EUI-64: the universal/local bit flipped, ff:fe in the middle */
	a.s6_addr[8] = (unsigned char)(m[0] ^ 0x02);
	a.s6_addr[9] = (unsigned char)m[1];
	a.s6_addr[10] = (unsigned char)m[2];
	a.s6_addr[11] = 0xff;
	a.s6_addr[12] = 0xfe;
	for (i = 3; i < 6; i++)
		a.s6_addr[10 + i] = (unsigned char)m[i];
	if (!inet_ntop(AF_INET6, &a, buf, (socklen_t)size)) {
		buf[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

int qnm_check_net_ipv6(const struct qnm_network *net, struct qnm_err *err)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a;
	unsigned prefix;

	if (!qnm_net_has_ipv6(net))
		return 0;
	if (net->mode == QNM_NET_BRIDGED)
		return qnm_err_set(err, -EINVAL, "ipv6",
				   "ipv6: only nat and isolated networks get IPv6 from qnm (a "
				   "bridged network's guests use the LAN's router advertisements)");
	if (strcmp(net->ipv6, "auto") != 0) {
		if (qnm_parse_ipv6_net(net->ipv6, &a, &prefix))
			return qnm_err_set(err, -EINVAL, "ipv6",
					   "ipv6: '%s' is none, auto or an IPv6 prefix with its "
					   "length /64 (e.g. fd12:3456:789a:1::/64)",
					   net->ipv6);
		if (prefix != 64) {
			memset(a.s6_addr + 8, 0, 8); /* its first 64 bits */
			inet_ntop(AF_INET6, &a, text, sizeof(text));
			return qnm_err_set(err, -EINVAL, "ipv6",
					   "ipv6: '%s' must be a /64: guests form SLAAC addresses "
					   "from router advertisements only in a /64 (did you mean "
					   "%s/64?)",
					   net->ipv6, text);
		}
		if (qnm_check_ipv6_net(net->ipv6, "ipv6", err))
			return -EINVAL;
	}
	if (!net->dhcp_start[0])
		return qnm_err_set(err, -EINVAL, "ipv6",
				   "ipv6: needs DHCP on the network (dhcp-start and dhcp-end): "
				   "qnm's dnsmasq for it sends the router advertisements");
	return 0;
}
