/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * validate.h - every rule qnm enforces on user input, one function each.
 *
 * The syntax of single values (names, addresses, MACs) is in core/addr.h,
 * included here. The qnm_check_*() functions check a whole object and, on the first broken
 * rule, return -EINVAL with a struct qnm_err naming the field (e.g.
 * "nic[n0].mac") and the rule in plain words.
 */
#ifndef QNM_VALIDATE_H
#define QNM_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/model.h"
#include "core/util.h"

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
 * qnm_check_fwd_sockets() - the forwards of a user-mode NIC (user, slirp,
 * passt) need at most QNM_FWD_SOCKETS_MAX listening sockets in all: one per
 * port and protocol (model.h says why).
 * @field: field name, e.g. "nic[n0].hostfwd".
 * Return: 0 or -EINVAL with @err naming @field and the limit.
 */
int qnm_check_fwd_sockets(const struct qnm_fwd *fwd, size_t n, const char *field,
			  struct qnm_err *err);

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
 * qnm_vm_boot_warning() - what to say before @vm starts when it has nothing
 * to boot from: boot=none and no extra QEMU arguments (which may boot it).
 * Return: a static sentence, or NULL when @vm boots something.
 */
const char *qnm_vm_boot_warning(const struct qnm_vm *vm);

/**
 * qnm_check_network() - a network: name, bridge ifname, address/prefix,
 * mode-specific interfaces, DHCP range inside the subnet and ordered,
 * forwards.
 */
int qnm_check_network(const struct qnm_network *net, struct qnm_err *err);

/**
 * qnm_check_model() - cross-object rules: MACs unique across all VMs,
 * host ports not forwarded twice (across VMs and networks), bridge names
 * unique across networks, tap NICs naming existing networks, forwards to a
 * NIC naming a TAP NIC on their network (core/reserve.h).
 */
int qnm_check_model(const struct qnm_model *m, struct qnm_err *err);

#endif
