// SPDX-License-Identifier: GPL-2.0-or-later
/* addr.c - the syntax of names, interface names, IPv4 addresses, prefixes and MACs. */
#include "build-config.h"

#include "core/addr.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool qnm_valid_name(const char *s)
{
	size_t n = 0;

	if (!s || !isalnum((unsigned char)s[0]))
		return false;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
		if (c >= 0x80)
			return false;
	}
	return n <= QNM_NAME_MAX;
}

/*
 * Interface names reach the kernel (dev_valid_name(): 1-15 bytes, not "."
 * or "..", no '/', ':' or whitespace) and, as text, other programs:
 * dnsmasq's --interface= (',' separates a list, a trailing '*' is a
 * wildcard: "up0,gv1" or "*" made it listen on every interface), QEMU's
 * option strings (',' separates options), qemu-bridge-helper's --br= and
 * its ACL file ('#' starts a comment), nft's text syntax ('*' is a
 * wildcard there too). Of what the kernel allows, only letters, digits and
 * '_', '.', '-', '@' mean nothing to any of them; a leading '-' would read
 * as an option where a name is a separate argument.
 */
static bool ifname_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '@';
}

bool qnm_valid_ifname(const char *s)
{
	size_t n;

	if (!s || !*s || *s == '-' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	n = strlen(s);
	if (n > QNM_IFNAME_MAX)
		return false;
	for (; *s; s++)
		if (!ifname_char_ok((unsigned char)*s))
			return false;
	return true;
}

/* the value of digit @c, or more than 9 */
static unsigned digit(char c)
{
	return (unsigned)(unsigned char)c - '0';
}

/*
 * @p is a dotted quad and nothing more: four octets "0" or 1-255 without a
 * leading zero, the strings glibc's inet_pton(AF_INET) takes, in one pass.
 */
static bool scan_ipv4(const char *p, uint32_t *out)
{
	uint32_t a = 0;
	int k;

	for (k = 0; k < 4; k++) {
		unsigned v = digit(*p++), d;

		if (v > 9)
			return false;
		if ((d = digit(*p)) <= 9) {
			if (!v)
				return false; /* leading zero: ambiguous (octal in inet_aton) */
			v = v * 10 + d;
			if ((d = digit(*++p)) <= 9) {
				v = v * 10 + d;
				if (v > 255)
					return false;
				p++;
			}
		}
		a = a << 8 | v;
		if (*p++ != (k < 3 ? '.' : '\0')) /* a fourth digit fails here too */
			return false;
	}
	*out = a;
	return true;
}

int qnm_parse_ipv4(const char *s, uint32_t *out)
{
	return s && scan_ipv4(s, out) ? 0 : -EINVAL;
}

bool qnm_valid_ovsdb_remote(const char *s)
{
	const char *colon;
	char host[QNM_IPV4_LEN];
	char *end;
	long port;

	if (!s)
		return false;
	if (strncmp(s, "tcp:", 4) == 0) {
		s += 4;
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return false;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		return qnm_valid_ipv4(host) && !errno && !*end && end != colon + 1 &&
		       colon[1] != '-' && colon[1] != '+' && port >= 1 && port <= 65535;
	}
	if (strncmp(s, "unix:", 5) == 0)
		s += 5;
	return s[0] == '/' && strlen(s) < 108;
}

bool qnm_valid_ipv4(const char *s)
{
	uint32_t a;

	return qnm_parse_ipv4(s, &a) == 0;
}

void qnm_format_ipv4(uint32_t a, char *buf)
{
	snprintf(buf, QNM_IPV4_LEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		 a & 255);
}

int qnm_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix)
{
	char buf[QNM_IPV4_LEN];
	const char *slash;
	unsigned long p;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (qnm_parse_ipv4(buf, addr) || qnm_parse_uint(slash + 1, 0, 32, &p))
		return -EINVAL;
	*prefix = (unsigned)p;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int qnm_parse_mac(const char *s, uint8_t out[6])
{
	int i;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

bool qnm_valid_mac(const char *s)
{
	uint8_t m[6];

	return qnm_parse_mac(s, m) == 0;
}

bool qnm_mac_is_unicast(const uint8_t mac[6])
{
	return !(mac[0] & 1);
}

bool qnm_ipv4_in_subnet(uint32_t a, uint32_t net, unsigned prefix)
{
	uint32_t mask = prefix ? ~(uint32_t)0 << (32 - prefix) : 0;

	return (a & mask) == (net & mask);
}
