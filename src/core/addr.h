/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * addr.h - the syntax of single values: VM/NIC/network names, interface
 * names, IPv4 addresses and prefixes, MAC addresses. Pure string rules with
 * no knowledge of the model (core/validate.h checks whole objects with them).
 */
#ifndef QNM_ADDR_H
#define QNM_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#define QNM_NAME_MAX   32 /* VM, NIC id and network names, without NUL */
#define QNM_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
#define QNM_IPV4_LEN   16 /* "255.255.255.255" + NUL */

/** qnm_valid_name() - 1-32 of [A-Za-z0-9_.-], first is a letter or digit. */
bool qnm_valid_name(const char *s);
/*
 * QNM_IFNAME_RULE - what qnm_valid_ifname() accepts, for error messages:
 * "'x,y' is not a valid interface name (" QNM_IFNAME_RULE ")".
 */
#define QNM_IFNAME_RULE "1-15 letters, digits, '_', '.', '-' or '@'; not '.', '..' or a leading '-'"
/**
 * qnm_valid_ifname() - @s is a name the kernel accepts for an interface
 * (1-15 bytes, not "." or "..", no '/', ':' or whitespace) made only of
 * letters, digits, '_', '.', '-' and '@' and not starting with '-': the
 * characters that mean nothing to the programs the name is passed to
 * (dnsmasq, QEMU and its bridge helper, nft). See QNM_IFNAME_RULE.
 */
bool qnm_valid_ifname(const char *s);
/* What qnm_valid_ovsdb_remote() accepts, for error messages. */
#define QNM_OVSDB_REMOTE_RULE                                                                      \
	"unix:PATH (absolute, under 108 bytes), tcp:IPV4:PORT (port 1-65535) or an absolute path"
/**
 * qnm_valid_ovsdb_remote() - @s is an OVSDB remote qnm connects to:
 * QNM_OVSDB_REMOTE_RULE.
 */
bool qnm_valid_ovsdb_remote(const char *s);
/** qnm_valid_ipv4() - dotted quad, four decimal octets 0-255, no leading zeros. */
bool qnm_valid_ipv4(const char *s);
/**
 * qnm_parse_ipv4() - dotted quad to a host-order number: the strings
 * inet_pton(AF_INET) takes (four decimal octets 0-255, "0" or without a
 * leading zero, nothing before or after), without its cost.
 * Return: 0 or -EINVAL.
 */
int qnm_parse_ipv4(const char *s, uint32_t *out);
/** qnm_format_ipv4() - host-order number to dotted quad (@buf >= 16 bytes). */
void qnm_format_ipv4(uint32_t a, char *buf);
/**
 * qnm_parse_cidr() - "A.B.C.D/N" with N in 0..32.
 * Return: 0 or -EINVAL.
 */
int qnm_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix);
/** qnm_valid_mac() - six hex octets separated by ':'; any unicast/multicast. */
bool qnm_valid_mac(const char *s);
/** qnm_parse_mac() - six octets out of "xx:xx:xx:xx:xx:xx"; Return: 0 or -EINVAL. */
int qnm_parse_mac(const char *s, uint8_t out[6]);
/** qnm_mac_is_unicast() - the I/G bit (bit 0 of the first octet) is clear. */
bool qnm_mac_is_unicast(const uint8_t mac[6]);
/** qnm_ipv4_in_subnet() - @a lies inside @net/@prefix (all host order). */
bool qnm_ipv4_in_subnet(uint32_t a, uint32_t net, unsigned prefix);

#endif
