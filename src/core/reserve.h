/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reserve.h - DHCP reservations of TAP NICs on qnm networks, and forwards
 * that target a NIC ("VM/NIC") rather than an address.
 *
 * A TAP NIC on a nat or isolated qnm network with a DHCP range gets an
 * address of its own (qnm_tap_opts.ip), picked once from the range when
 * the NIC is saved on the network (or at its VM's start, or the network's
 * up, for NICs saved before) and kept in the NIC's file. The network's
 * dnsmasq hands it to the NIC's MAC (--dhcp-host=MAC,IP), so the guest
 * always gets it; a network forward "tcp::8080-web/n0:80" then DNATs to
 * it, whatever the guest's lease history.
 *
 * A reservation that no longer fits (the network's address changed, or
 * another NIC took it) is not served and is picked again at the next
 * save, start or up; one the user gives is checked at once, naming the
 * field (qnm_check_reservations()).
 */
#ifndef QNM_RESERVE_H
#define QNM_RESERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

/**
 * qnm_reserve_fits() - whether @ip can be reserved on @net: an IPv4
 * address inside the network's subnet, not the bridge's address, not the
 * subnet's network or broadcast address.
 */
bool qnm_reserve_fits(const struct qnm_network *net, const char *ip);

/**
 * qnm_model_find_target() - the NIC a forward target "VM/NIC" names.
 * @vm: when not NULL, set to the NIC's VM (NULL when none).
 * Return: the NIC, or NULL when the VM or the NIC does not exist.
 */
const struct qnm_nic *qnm_model_find_target(const struct qnm_model *m, const char *target,
					    const struct qnm_vm **vm);

/**
 * qnm_model_assign_ips() - give every TAP NIC of @vm on a network of @m
 * with a DHCP range a reservation when it has none, or one that does not
 * fit or clashes (the network's address changed, the NIC moved to another
 * network): the first free address of the range, else of the rest of the
 * subnet (dnsmasq serves a reservation outside its range; free: no other
 * NIC on that network holds it, nor the bridge). An address that differs from
 * the NIC's in @m (the user gives it now) is kept as it is, for
 * qnm_check_reservations() to judge.
 * @m:        the model; VMs named @vm->name or @old_name in it are @vm.
 * @old_name: the name @vm had in @m (as saved), or NULL for a new VM.
 * @n:        when not NULL, how many NICs got an address.
 * Return: 0, or -ENOSPC with @err naming the NIC's ip field.
 */
int qnm_model_assign_ips(const struct qnm_model *m, struct qnm_vm *vm, const char *old_name,
			 size_t *n, struct qnm_err *err);

/**
 * qnm_check_reservations() - the reservations of @vm's NICs, as set:
 * each fits its network (qnm_reserve_fits()) and no other NIC of @m (which
 * holds @vm) on that network has it.
 * Return: 0, or -EINVAL with @err naming the field (nic[ID].ip) and the rule.
 */
int qnm_check_reservations(const struct qnm_model *m, const struct qnm_vm *vm, struct qnm_err *err);

/**
 * qnm_check_targets() - every network forward with a target names a NIC
 * of @m that is a TAP NIC on that network.
 * Return: 0, or -EINVAL with @err (field "forward") naming the forward,
 * its network and what is wrong.
 */
int qnm_check_targets(const struct qnm_model *m, struct qnm_err *err);

/**
 * qnm_model_resolve_targets() - set the guest address of every network
 * forward with a target to the target NIC's reservation ("" when it has
 * none that fits), and on a network with IPv6 its guest_addr6 to the NIC's
 * address there (qnm_net_ipv6_guest()). Called whenever the model is read
 * or saved.
 */
void qnm_model_resolve_targets(struct qnm_model *m);

/**
 * qnm_model_dhcp_hosts() - the reservations dnsmasq serves on @net:
 * "MAC,IP" for each TAP NIC on it with a MAC and a fitting reservation
 * ("MAC,IP,[IPV6]" on a network with IPv6: qnm_net_ipv6_guest()), in model
 * order (the same model gives the same list).
 * @out: initialised strv to append to.
 */
void qnm_model_dhcp_hosts(const struct qnm_model *m, const struct qnm_network *net,
			  struct qnm_strv *out);

/**
 * qnm_model_targets_of() - the network forwards whose target is NIC @nic
 * of VM @vm (any NIC of it when @nic is NULL), as text for a refusal:
 * "tcp::8080-web/n0:80 of network lan, ..." appended to @sb.
 * Return: how many.
 */
size_t qnm_model_targets_of(const struct qnm_model *m, const char *vm, const char *nic,
			    struct qnm_strbuf *sb);

/**
 * qnm_network_rename_targets() - make @net's forwards that target a NIC of
 * VM @old target the same NIC of VM @new.
 * Return: how many changed.
 */
size_t qnm_network_rename_targets(struct qnm_network *net, const char *old, const char *new);

#endif
