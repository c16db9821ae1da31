// SPDX-License-Identifier: GPL-2.0-or-later
/* reserve.c - DHCP reservations of NICs on qnm networks, forwards to a NIC (see reserve.h). */
#include "build-config.h"

#include "core/reserve.h"

#include "core/backend.h"
#include "core/ipv6net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool qnm_reserve_fits(const struct qnm_network *net, const char *ip)
{
	uint32_t a, base, mask;

	if (!net->address[0] || net->prefix < 1 || net->prefix > 30 ||
	    qnm_parse_ipv4(net->address, &base) || qnm_parse_ipv4(ip, &a))
		return false;
	mask = 0xffffffffu << (32 - net->prefix);
	return qnm_ipv4_in_subnet(a, base, net->prefix) && a != base && (a & ~mask) != 0 &&
	       (a & ~mask) != ~mask;
}

/* the network @nic is on in @m, or NULL */
static const struct qnm_network *nic_net(const struct qnm_model *m, const struct qnm_nic *nic)
{
	const char *name = qnm_nic_network(nic);

	return name ? qnm_model_find_net(m, name) : NULL;
}

const struct qnm_nic *qnm_model_find_target(const struct qnm_model *m, const char *target,
					    const struct qnm_vm **vm)
{
	const char *slash = strchr(target, '/');
	char name[QNM_NAME_MAX + 1];
	const struct qnm_vm *v;

	if (vm)
		*vm = NULL;
	if (!slash || (size_t)(slash - target) >= sizeof(name))
		return NULL;
	memcpy(name, target, (size_t)(slash - target));
	name[slash - target] = '\0';
	v = qnm_model_find_vm(m, name);
	if (vm)
		*vm = v;
	return v ? qnm_vm_find_nic(v, slash + 1) : NULL;
}

/*
 * Another NIC than @self on network @net holds @ip: in @m (skipping VMs
 * named @skip1 or @skip2) or in @vm. Return: it, or NULL.
 */
static const struct qnm_nic *holder(const struct qnm_model *m, const char *skip1, const char *skip2,
				    const struct qnm_vm *vm, const struct qnm_nic *self,
				    const char *net, const char *ip, const struct qnm_vm **owner)
{
	size_t i, j;

	for (i = 0; i <= m->nvms; i++) {
		const struct qnm_vm *v = i < m->nvms ? m->vms[i] : vm;

		if (!v || (i < m->nvms && (v == vm || (skip1 && strcmp(v->name, skip1) == 0) ||
					   (skip2 && strcmp(v->name, skip2) == 0))))
			continue;
		for (j = 0; j < v->nnics; j++) {
			const struct qnm_nic *n = &v->nics[j];
			const char *nn = qnm_nic_network(n);

			if (n != self && nn && strcmp(nn, net) == 0 && strcmp(n->tap.ip, ip) == 0) {
				*owner = v;
				return n;
			}
		}
	}
	return NULL;
}

/*
 * The first address from @s to @e in @net's subnet free for @nic, into @ip:
 * a guest address of the network no other NIC holds. dnsmasq gives a
 * reservation outside the DHCP range too (same subnet): a full range does
 * not stop one.
 */
static bool free_ip(const struct qnm_model *m, const struct qnm_vm *vm, const char *old_name,
		    const struct qnm_nic *nic, const struct qnm_network *net, uint32_t s,
		    uint32_t e, char *ip)
{
	const struct qnm_vm *owner;
	uint32_t base, mask, a;

	if (qnm_parse_ipv4(net->address, &base) || net->prefix < 1 || net->prefix > 30)
		return false;
	mask = 0xffffffffu << (32 - net->prefix);
	if (s < (base & mask))
		s = base & mask;
	if (e > (base | ~mask))
		e = base | ~mask;
	for (a = s; a <= e && a >= s; a++) {
		qnm_format_ipv4(a, ip);
		if (qnm_reserve_fits(net, ip) &&
		    !holder(m, vm->name, old_name, vm, nic, net->name, ip, &owner))
			return true;
	}
	return false;
}

int qnm_model_assign_ips(const struct qnm_model *m, struct qnm_vm *vm, const char *old_name,
			 size_t *n, struct qnm_err *err)
{
	const struct qnm_vm *orig = old_name ? qnm_model_find_vm(m, old_name) : NULL;
	const struct qnm_vm *owner;
	size_t i;

	if (n)
		*n = 0;
	for (i = 0; i < vm->nnics; i++) {
		struct qnm_nic *nic = &vm->nics[i];
		const struct qnm_network *net = nic_net(m, nic);
		const struct qnm_nic *was = orig ? qnm_vm_find_nic(orig, nic->id) : NULL;
		uint32_t s, e;
		char ip[QNM_IPV4_LEN], field[64];

		if (!net || net->mode == QNM_NET_BRIDGED || qnm_parse_ipv4(net->dhcp_start, &s) ||
		    qnm_parse_ipv4(net->dhcp_end, &e))
			continue;
		/* one the user gives now is kept: qnm_check_reservations() judges it */
		if (nic->tap.ip[0] && (!was || strcmp(was->tap.ip, nic->tap.ip) != 0))
			continue;
		if (nic->tap.ip[0] && qnm_reserve_fits(net, nic->tap.ip) &&
		    !holder(m, vm->name, old_name, vm, nic, net->name, nic->tap.ip, &owner))
			continue;
		if (!free_ip(m, vm, old_name, nic, net, s, e, ip) &&
		    !free_ip(m, vm, old_name, nic, net, 0, 0xffffffffu, ip)) {
			snprintf(field, sizeof(field), "nic[%s].ip", nic->id);
			return qnm_err_set(err, -ENOSPC, field,
					   "%s: no free address left on network %s (%s/%u) for a "
					   "reservation",
					   field, net->name, net->address, net->prefix);
		}
		qnm_strlcpy(nic->tap.ip, ip, sizeof(nic->tap.ip));
		if (n)
			(*n)++;
	}
	return 0;
}

int qnm_check_reservations(const struct qnm_model *m, const struct qnm_vm *vm, struct qnm_err *err)
{
	const struct qnm_vm *owner;
	const struct qnm_nic *other;
	size_t i;

	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *nic = &vm->nics[i];
		const struct qnm_network *net = nic_net(m, nic);
		char field[64];

		if (!net || !nic->tap.ip[0])
			continue;
		snprintf(field, sizeof(field), "nic[%s].ip", nic->id);
		if (net->mode == QNM_NET_BRIDGED)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: network %s is bridged: the LAN's DHCP gives the "
					   "address, qnm reserves none",
					   field, net->name);
		if (strcmp(nic->tap.ip, net->address) == 0)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: %s is the bridge's own address on network %s",
					   field, nic->tap.ip, net->name);
		if (!qnm_reserve_fits(net, nic->tap.ip))
			return qnm_err_set(err, -EINVAL, field,
					   "%s: %s is not a guest address of network %s (%s/%u)",
					   field, nic->tap.ip, net->name, net->address,
					   net->prefix);
		other = holder(m, NULL, NULL, vm, nic, net->name, nic->tap.ip, &owner);
		if (other)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: %s is already reserved for NIC %s/%s on network %s",
					   field, nic->tap.ip, owner->name, other->id, net->name);
	}
	return 0;
}

int qnm_check_targets(const struct qnm_model *m, struct qnm_err *err)
{
	size_t i, k;

	for (i = 0; i < m->nnets; i++) {
		const struct qnm_network *net = m->nets[i];

		for (k = 0; k < net->nfwd; k++) {
			const struct qnm_fwd *f = &net->fwd[k];
			const struct qnm_vm *vm;
			const struct qnm_nic *nic;
			const char *on;
			char text[QNM_FWD_TEXT_LEN];

			if (!f->target[0])
				continue;
			qnm_fwd_format(f, text, sizeof(text));
			nic = qnm_model_find_target(m, f->target, &vm);
			if (!nic)
				return qnm_err_set(err, -EINVAL, "forward",
						   "forward: %s of network %s targets %s: %s", text,
						   net->name, f->target,
						   vm ? "that VM has no such NIC" : "no such VM");
			on = qnm_nic_network(nic);
			if (!on || strcmp(on, net->name) != 0)
				return qnm_err_set(err, -EINVAL, "forward",
						   "forward: %s of network %s targets %s, which is "
						   "not a TAP NIC on network %s",
						   text, net->name, f->target, net->name);
		}
	}
	return 0;
}

void qnm_model_resolve_targets(struct qnm_model *m)
{
	size_t i, k;

	for (i = 0; i < m->nnets; i++) {
		struct qnm_network *net = m->nets[i];

		for (k = 0; k < net->nfwd; k++) {
			struct qnm_fwd *f = &net->fwd[k];
			const struct qnm_nic *nic;
			const char *on;

			if (!f->target[0])
				continue;
			f->guest_addr[0] = '\0';
			f->guest_addr6[0] = '\0';
			nic = qnm_model_find_target(m, f->target, NULL);
			on = nic ? qnm_nic_network(nic) : NULL;
			if (on && strcmp(on, net->name) == 0 &&
			    qnm_reserve_fits(net, nic->tap.ip)) {
				qnm_strlcpy(f->guest_addr, nic->tap.ip, sizeof(f->guest_addr));
				/* the same NIC over IPv6: its SLAAC (and DHCPv6) address */
				qnm_net_ipv6_guest(net, nic->mac, f->guest_addr6,
						   sizeof(f->guest_addr6));
			}
		}
	}
}

void qnm_model_dhcp_hosts(const struct qnm_model *m, const struct qnm_network *net,
			  struct qnm_strv *out)
{
	size_t i, j;

	for (i = 0; i < m->nvms; i++)
		for (j = 0; j < m->vms[i]->nnics; j++) {
			const struct qnm_nic *n = &m->vms[i]->nics[j];
			const char *on = qnm_nic_network(n);

			char v6[QNM_IPV6_ADDR_LEN];

			if (!on || strcmp(on, net->name) != 0 || !n->mac[0] ||
			    !qnm_reserve_fits(net, n->tap.ip))
				continue;
			if (qnm_net_ipv6_guest(net, n->mac, v6, sizeof(v6)) == 0)
				qnm_strv_addf(out, "%s,%s,[%s]", n->mac, n->tap.ip, v6);
			else
				qnm_strv_addf(out, "%s,%s", n->mac, n->tap.ip);
		}
}

/* @target names VM @vm (and NIC @nic when not NULL) */
static bool targets(const char *target, const char *vm, const char *nic)
{
	size_t len = strlen(vm);

	return strncmp(target, vm, len) == 0 && target[len] == '/' &&
	       (!nic || strcmp(target + len + 1, nic) == 0);
}

size_t qnm_model_targets_of(const struct qnm_model *m, const char *vm, const char *nic,
			    struct qnm_strbuf *sb)
{
	size_t i, k, n = 0;

	for (i = 0; i < m->nnets; i++)
		for (k = 0; k < m->nets[i]->nfwd; k++) {
			const struct qnm_fwd *f = &m->nets[i]->fwd[k];
			char text[QNM_FWD_TEXT_LEN];

			if (!f->target[0] || !targets(f->target, vm, nic))
				continue;
			qnm_fwd_format(f, text, sizeof(text));
			qnm_sb_addf(sb, "%s%s of network %s", n ? ", " : "", text,
				    m->nets[i]->name);
			n++;
		}
	return n;
}

size_t qnm_network_rename_targets(struct qnm_network *net, const char *old, const char *new)
{
	size_t k, n = 0;

	for (k = 0; k < net->nfwd; k++) {
		struct qnm_fwd *f = &net->fwd[k];
		char t[QNM_TARGET_LEN];

		if (!f->target[0] || !targets(f->target, old, NULL))
			continue;
		snprintf(t, sizeof(t), "%s%s", new, f->target + strlen(old));
		qnm_strlcpy(f->target, t, sizeof(f->target));
		n++;
	}
	return n;
}
