/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * validate.h - every rule qnm enforces on user input, one function each.
 *
 * The qnm_valid_*() predicates answer yes/no for a single value. The
 * qnm_check_*() functions check a whole object and, on the first broken
 * rule, return -EINVAL with a struct qnm_err naming the field (e.g.
 * "nic[n0].mac") and the rule in plain words.
 */
#ifndef QNM_VALIDATE_H
#define QNM_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"
#include "core/util.h"

/** qnm_valid_name() - 1-32 of [A-Za-z0-9_.-], first is a letter or digit. */
bool qnm_valid_name(const char *s);
/** qnm_valid_ifname() - 1-15 bytes, no '/', ':', whitespace, not "." or "..". */
bool qnm_valid_ifname(const char *s);
/** qnm_valid_ipv4() - dotted quad, four decimal octets 0-255, no leading zeros. */
bool qnm_valid_ipv4(const char *s);
/**
 * qnm_parse_ipv4() - dotted quad to a host-order number.
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

/**
 * qnm_check_mac() - a MAC a guest NIC may use: valid syntax, unicast,
 * not all zeros.
 * @field: field name for @err.
 */
int qnm_check_mac(const char *mac, const char *field, struct qnm_err *err);

/**
 * qnm_check_fwds() - every forward valid (ports 1-65535, addresses IPv4)
 * and no two forwards share a protocol + host address + host port.
 * @field: prefix for field names, e.g. "nic[n0].hostfwd".
 */
int qnm_check_fwds(const struct qnm_fwd *fwd, size_t n, const char *field, struct qnm_err *err);

/**
 * qnm_check_nic() - one NIC: id, model name, MAC (when set) and the
 * options of its backend (delegated to the backend's validate callback).
 */
int qnm_check_nic(const struct qnm_nic *nic, struct qnm_err *err);

/**
 * qnm_check_vm() - a whole VM: name, memory, cpus, machine, boot source
 * and its paths, NIC ids unique, MACs unique within the VM, every NIC.
 */
int qnm_check_vm(const struct qnm_vm *vm, struct qnm_err *err);

/**
 * qnm_check_network() - a network: name, bridge ifname, address/prefix,
 * mode-specific interfaces, DHCP range inside the subnet and ordered,
 * forwards.
 */
int qnm_check_network(const struct qnm_network *net, struct qnm_err *err);

/**
 * qnm_check_model() - cross-object rules: MACs unique across all VMs,
 * host ports not forwarded twice (across VMs and networks), bridge names
 * unique across networks, tap NICs naming existing networks.
 */
int qnm_check_model(const struct qnm_model *m, struct qnm_err *err);

#endif
