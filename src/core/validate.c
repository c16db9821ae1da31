// SPDX-License-Identifier: GPL-2.0-or-later
/* validate.c - the rules on MACs, forwards and whole objects (NICs, VMs, networks, the model). */
#include "build-config.h"

#include "core/validate.h"

#include "core/backend.h"
#include "core/ipv6net.h"
#include "core/props.h"
#include "core/reserve.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qnm_check_mac(const char *mac, const char *field, struct qnm_err *err)
{
	uint8_t m[6];

	if (qnm_parse_mac(mac, m))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' is not a MAC address (six hex octets like 52:54:00:12:34:56)",
			field, mac);
	if (!qnm_mac_is_unicast(m))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' is a multicast MAC (lowest bit of the first octet set); a NIC needs a unicast MAC",
			field, mac);
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return qnm_err_set(err, -EINVAL, field, "%s: the all-zero MAC cannot be used",
				   field);
	return 0;
}

static int fwd_ptr_cmp(const void *a, const void *b)
{
	const struct qnm_fwd *const *x = a, *const *y = b;
	unsigned p = (*x)->host_port, q = (*y)->host_port;

	return p < q ? -1 : p > q;
}

/*
 * Whether two of the @n forwards @v overlap (qnm_fwd_overlap()): a sweep over
 * them sorted by first port (@v is sorted in place), each compared only with
 * those whose range reaches it, so O(n log n) when few ranges overlap (a
 * model may hold 10,000 forwards). Only then do the callers look for the
 * pair to name, in the order they always reported it.
 */
static bool fwds_clash(const struct qnm_fwd **v, size_t n)
{
	const struct qnm_fwd **live = xreallocarray(NULL, n + 1, sizeof(*live));
	size_t i, j, nlive = 0, keep;
	bool clash = false;

	for (i = 1; i < n && v[i - 1]->host_port <= v[i]->host_port; i++)
		;
	if (i < n) /* not in order already, as forwards mostly are */
		qsort(v, n, sizeof(*v), fwd_ptr_cmp);
	for (i = 0; i < n && !clash; i++) {
		unsigned lo = v[i]->host_port;

		for (j = keep = 0; j < nlive && !clash; j++) {
			if ((unsigned)live[j]->host_port + live[j]->span < lo)
				continue; /* ends before this one and every later one starts */
			clash = qnm_fwd_overlap(live[j], v[i], NULL, NULL);
			live[keep++] = live[j];
		}
		nlive = keep;
		live[nlive++] = v[i];
	}
	free(live);
	return clash;
}

/* qnm_check_fwds(); @guests_valid: every guest address is known to be "" or IPv4 */
static int check_fwds(const struct qnm_fwd *fwd, size_t n, const char *field, bool guests_valid,
		      struct qnm_err *err)
{
	const struct qnm_fwd **v = xreallocarray(NULL, n + 1, sizeof(*v));
	size_t i, j;
	bool clash;

	for (i = 0; i < n; i++)
		v[i] = &fwd[i];
	clash = fwds_clash(v, n);
	free(v);
	for (i = 0; i < n; i++) {
		const struct qnm_fwd *f = &fwd[i];
		enum qnm_proto p;
		uint16_t port;

		if (f->proto != QNM_PROTO_TCP && f->proto != QNM_PROTO_UDP &&
		    f->proto != QNM_PROTO_BOTH)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: protocol must be tcp or udp, or tcp+udp for both",
					   field);
		if (!f->host_port || !f->guest_port)
			return qnm_err_set(err, -EINVAL, field, "%s: ports must be from 1 to 65535",
					   field);
		if ((unsigned)f->span + 1 > QNM_FWD_PORTS_MAX ||
		    (unsigned)f->host_port + f->span > 65535 ||
		    (unsigned)f->guest_port + f->span > 65535)
			return qnm_err_set(
				err, -EINVAL, field,
				"%s: a port range holds at most %d ports, each from 1 to "
				"65535",
				field, QNM_FWD_PORTS_MAX);
		if (qnm_fwd_check_desc(f->desc, field, err))
			return -EINVAL;
		if (f->host_addr[0] && !qnm_valid_ipv4(f->host_addr))
			return qnm_err_set(err, -EINVAL, field,
					   "%s: host address '%s' is not an IPv4 address", field,
					   f->host_addr);
		if (!guests_valid && f->guest_addr[0] && !qnm_valid_ipv4(f->guest_addr))
			return qnm_err_set(err, -EINVAL, field,
					   "%s: guest address '%s' is not an IPv4 address", field,
					   f->guest_addr);
		for (j = 0; clash && j < i; j++)
			if (qnm_fwd_overlap(&fwd[j], f, &p, &port))
				return qnm_err_set(err, -EINVAL, field,
						   "%s: host port %s/%u is forwarded twice", field,
						   qnm_proto_name(p), (unsigned)port);
	}
	return 0;
}

int qnm_check_fwds(const struct qnm_fwd *fwd, size_t n, const char *field, struct qnm_err *err)
{
	return check_fwds(fwd, n, field, false, err);
}

int qnm_check_fwd_sockets(const struct qnm_fwd *fwd, size_t n, const char *field,
			  struct qnm_err *err)
{
	size_t i, total = 0;

	for (i = 0; i < n; i++)
		total += qnm_fwd_count(&fwd[i]);
	if (total > QNM_FWD_SOCKETS_MAX)
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: these forwards need %zu listening sockets (one per port and "
			"protocol); a user-mode NIC holds at most %d (QEMU and its helpers "
			"keep them under the usual limit of 1024 open files)",
			field, total, QNM_FWD_SOCKETS_MAX);
	return 0;
}

int qnm_check_nic(const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];
	const char *m;

	snprintf(field, sizeof(field), "nic[%s].id", nic->id);
	if (!qnm_valid_name(nic->id))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: NIC id '%s' must be 1-%d letters, digits, '_', '-' or '.', starting with a letter or digit",
			field, nic->id, QNM_NAME_MAX);
	snprintf(field, sizeof(field), "nic[%s].model", nic->id);
	if (!nic->model[0])
		return qnm_err_set(err, -EINVAL, field,
				   "%s: a device model is required (e.g. virtio-net-pci)", field);
	for (m = nic->model; *m; m++)
		if (!isalnum((unsigned char)*m) && *m != '-' && *m != '_' && *m != '.')
			return qnm_err_set(
				err, -EINVAL, field,
				"%s: device model '%s' may only hold letters, digits, '-', '_' and '.'",
				field, nic->model);
	if (nic->mac[0]) {
		snprintf(field, sizeof(field), "nic[%s].mac", nic->id);
		if (qnm_check_mac(nic->mac, field, err))
			return -EINVAL;
	}
	if (nic->props[0]) {
		snprintf(field, sizeof(field), "nic[%s].props", nic->id);
		if (qnm_check_props(nic->props, field, err))
			return -EINVAL;
	}
	if (!qnm_backend_get(nic->backend)) {
		snprintf(field, sizeof(field), "nic[%s].backend", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: backend must be user, slirp, passt, private, tap or bridge",
				   field);
	}
	for (size_t i = 0; qnm_backend_get(nic->backend)->has_hostfwd && i < nic->user.nfwd; i++)
		if (nic->user.fwd[i].target[0]) {
			snprintf(field, sizeof(field), "nic[%s].hostfwd", nic->id);
			return qnm_err_set(err, -EINVAL, field,
					   "%s: a target VM/NIC (%s) is for network forwards; a "
					   "hostfwd goes to its own guest",
					   field, nic->user.fwd[i].target);
		}
	return qnm_backend_get(nic->backend)->validate(nic, err);
}

static int check_path(const char *path, const char *field, const char *what, struct qnm_err *err)
{
	if (qnm_str_empty(path))
		return qnm_err_set(err, -EINVAL, field, "%s: boot = %s needs a %s path", field,
				   what, field);
	return 0;
}

int qnm_check_vm(const struct qnm_vm *vm, struct qnm_err *err)
{
	size_t i, j;
	int r;

	if (!qnm_valid_name(vm->name))
		return qnm_err_set(
			err, -EINVAL, "name",
			"name: '%s' must be 1-%d letters, digits, '_', '-' or '.', starting with a letter or digit",
			vm->name, QNM_NAME_MAX);
	if (!qnm_valid_name(vm->arch))
		return qnm_err_set(err, -EINVAL, "arch",
				   "arch: '%s' is not a QEMU target name (e.g. x86_64, aarch64)",
				   vm->arch);
	if (vm->memory_mb < 16 || vm->memory_mb > 4194304)
		return qnm_err_set(err, -EINVAL, "memory",
				   "memory: %u MiB is out of range (16 to 4194304 MiB)",
				   vm->memory_mb);
	if (vm->cpus < 1 || vm->cpus > 1024)
		return qnm_err_set(err, -EINVAL, "cpus", "cpus: %u is out of range (1 to 1024)",
				   vm->cpus);
	for (i = 0; vm->machine[i]; i++) {
		unsigned char c = (unsigned char)vm->machine[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return qnm_err_set(
				err, -EINVAL, "machine",
				"machine: '%s' may only hold letters, digits, '-', '_' and '.'",
				vm->machine);
	}
	switch (vm->boot) {
	case QNM_BOOT_NONE:
		break;
	case QNM_BOOT_DISK:
		if ((r = check_path(vm->disk, "disk", "disk", err)))
			return r;
		break;
	case QNM_BOOT_CDROM:
		if ((r = check_path(vm->cdrom, "cdrom", "cdrom", err)))
			return r;
		break;
	case QNM_BOOT_KERNEL:
		if ((r = check_path(vm->kernel, "kernel", "kernel", err)))
			return r;
		break;
	default:
		return qnm_err_set(err, -EINVAL, "boot",
				   "boot: must be none, disk, cdrom or kernel");
	}
	if (vm->boot != QNM_BOOT_KERNEL &&
	    (!qnm_str_empty(vm->initrd) || !qnm_str_empty(vm->append))) {
		const char *f = !qnm_str_empty(vm->initrd) ? "initrd" : "append";

		return qnm_err_set(err, -EINVAL, f, "%s: only used with boot = kernel", f);
	}
	if (vm->nnics > QNM_NICS_MAX)
		return qnm_err_set(err, -EINVAL, "nics", "nics: a VM has at most %d NICs",
				   QNM_NICS_MAX);
	for (i = 0; i < vm->nextra; i++)
		if (!vm->extra[i][0])
			return qnm_err_set(err, -EINVAL, "extra", "extra: argument %zu is empty",
					   i + 1);
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *a = &vm->nics[i];

		if ((r = qnm_check_nic(a, err)))
			return r;
		for (j = 0; j < i; j++) {
			const struct qnm_nic *b = &vm->nics[j];
			char field[64];

			if (strcmp(a->id, b->id) == 0) {
				snprintf(field, sizeof(field), "nic[%s].id", a->id);
				return qnm_err_set(
					err, -EINVAL, field,
					"%s: two NICs are named '%s'; NIC ids must be unique",
					field, a->id);
			}
			if (a->mac[0] && strcasecmp(a->mac, b->mac) == 0) {
				snprintf(field, sizeof(field), "nic[%s].mac", a->id);
				return qnm_err_set(err, -EINVAL, field,
						   "%s: MAC %s is also used by NIC '%s' of this VM",
						   field, a->mac, b->id);
			}
		}
	}
	return 0;
}

/* the keys of an ovn network (the rest are checked as for any network) */
static int check_ovn(const struct qnm_network *net, struct qnm_err *err)
{
	if (!net->ovn_nb[0])
		return qnm_err_set(
			err, -EINVAL, "ovn-nb",
			"ovn-nb: an ovn network needs the OVN northbound database (" QNM_OVSDB_REMOTE_RULE
			")");
	if (!qnm_valid_ovsdb_remote(net->ovn_nb))
		return qnm_err_set(err, -EINVAL, "ovn-nb",
				   "ovn-nb: '%s' is not " QNM_OVSDB_REMOTE_RULE, net->ovn_nb);
	if (net->gateway_host[0] && !qnm_valid_name(net->gateway_host))
		return qnm_err_set(
			err, -EINVAL, "gateway-host",
			"gateway-host: '%s' is not a chassis name (1-%d letters, digits, '_', '-' or '.')",
			net->gateway_host, QNM_NAME_MAX);
	if (net->gateway_host[0] && !net->uplink[0])
		return qnm_err_set(
			err, -EINVAL, "uplink",
			"uplink: a gateway host needs the interface NAT goes out of there");
	if (net->gateway_host[0] && !qnm_valid_ipv4(net->gw_address))
		return qnm_err_set(
			err, -EINVAL, "gateway-address",
			"gateway-address: a gateway host needs the router's address on the uplink's LAN (IP/PREFIX, e.g. 10.99.0.5/24)");
	if (net->gw_address[0] && (net->gw_prefix < 1 || net->gw_prefix > 30))
		return qnm_err_set(err, -EINVAL, "gateway-address",
				   "gateway-address: /%u is out of range (1 to 30)",
				   net->gw_prefix);
	for (size_t i = 0; i < net->nfwd; i++)
		if (net->fwd[i].host_addr[0] && strcmp(net->fwd[i].host_addr, net->gw_address))
			return qnm_err_set(
				err, -EINVAL, "forward",
				"forward: %s is not the gateway address %s (forwards into an ovn network listen on it: leave the host address empty)",
				net->fwd[i].host_addr, net->gw_address);
	if (net->nfwd && !net->gateway_host[0])
		return qnm_err_set(
			err, -EINVAL, "forward",
			"forward: forwards into an ovn network need a gateway host (gateway-host=CHASSIS)");
	return 0;
}

int qnm_check_network(const struct qnm_network *net, struct qnm_err *err)
{
	uint32_t addr = 0, s, e;

	if (!qnm_valid_name(net->name))
		return qnm_err_set(
			err, -EINVAL, "name",
			"name: '%s' must be 1-%d letters, digits, '_', '-' or '.', starting with a letter or digit",
			net->name, QNM_NAME_MAX);
	if (!net->bridge[0] && net->mode == QNM_NET_OVN)
		return qnm_err_set(
			err, -EINVAL, "bridge",
			"bridge: an ovn network needs the integration bridge ovn-controller uses on each host (usually bridge=br-int)");
	if (!net->bridge[0])
		return qnm_err_set(
			err, -EINVAL, "bridge",
			"bridge: a network needs the name of the bridge qnm makes for it (e.g. bridge=qnmbr0)");
	if (!qnm_valid_ifname(net->bridge))
		return qnm_err_set(err, -EINVAL, "bridge",
				   "bridge: '%s' is not a valid interface name (" QNM_IFNAME_RULE
				   ")",
				   net->bridge);
	if ((unsigned)net->mode > QNM_NET_OVN)
		return qnm_err_set(err, -EINVAL, "mode",
				   "mode: must be nat, bridged, isolated or ovn");
	if (net->mode == QNM_NET_OVN) {
		int r = check_ovn(net, err);

		if (r)
			return r;
	}
	if (net->address[0] || net->mode != QNM_NET_BRIDGED) {
		if (qnm_parse_ipv4(net->address, &addr))
			return qnm_err_set(
				err, -EINVAL, "address",
				"address: '%s' is not an IPv4 address (%s networks need the host's address on the bridge)",
				net->address, qnm_net_mode_name(net->mode));
		if (net->prefix < 1 || net->prefix > 30)
			return qnm_err_set(err, -EINVAL, "prefix",
					   "prefix: /%u is out of range (1 to 30)", net->prefix);
	}
	if ((net->mode == QNM_NET_NAT || net->mode == QNM_NET_OVN) && net->uplink[0] &&
	    !qnm_valid_ifname(net->uplink))
		return qnm_err_set(err, -EINVAL, "uplink",
				   "uplink: '%s' is not a valid interface name (" QNM_IFNAME_RULE
				   ")",
				   net->uplink);
	if (net->mode == QNM_NET_BRIDGED) {
		if (!qnm_valid_ifname(net->port))
			return qnm_err_set(
				err, -EINVAL, "port",
				"port: a bridged network needs the physical interface to enslave ('%s' is not a valid interface name: " QNM_IFNAME_RULE
				")",
				net->port);
		if (strcmp(net->port, net->bridge) == 0)
			return qnm_err_set(err, -EINVAL, "port",
					   "port: the port cannot be the bridge itself");
	}
	if (net->dhcp_start[0] || net->dhcp_end[0]) {
		if (net->mode == QNM_NET_BRIDGED)
			return qnm_err_set(
				err, -EINVAL, "dhcp-start",
				"dhcp-start: DHCP is only served on nat and isolated networks (a bridged network uses the LAN's DHCP)");
		if (qnm_parse_ipv4(net->dhcp_start, &s))
			return qnm_err_set(err, -EINVAL, "dhcp-start",
					   "dhcp-start: '%s' is not an IPv4 address",
					   net->dhcp_start);
		if (qnm_parse_ipv4(net->dhcp_end, &e))
			return qnm_err_set(err, -EINVAL, "dhcp-end",
					   "dhcp-end: '%s' is not an IPv4 address", net->dhcp_end);
		if (!qnm_ipv4_in_subnet(s, addr, net->prefix))
			return qnm_err_set(err, -EINVAL, "dhcp-start",
					   "dhcp-start: %s is outside the network %s/%u",
					   net->dhcp_start, net->address, net->prefix);
		if (!qnm_ipv4_in_subnet(e, addr, net->prefix))
			return qnm_err_set(err, -EINVAL, "dhcp-end",
					   "dhcp-end: %s is outside the network %s/%u",
					   net->dhcp_end, net->address, net->prefix);
		if (s > e)
			return qnm_err_set(err, -EINVAL, "dhcp-end",
					   "dhcp-end: %s comes before dhcp-start %s", net->dhcp_end,
					   net->dhcp_start);
		if (addr >= s && addr <= e)
			return qnm_err_set(
				err, -EINVAL, "dhcp-start",
				"dhcp-start: the range %s-%s contains the host address %s",
				net->dhcp_start, net->dhcp_end, net->address);
	}
	if (qnm_check_net_ipv6(net, err))
		return -EINVAL;
	if (net->nfwd && net->mode == QNM_NET_BRIDGED)
		return qnm_err_set(
			err, -EINVAL, "forward",
			"forward: port forwards need a nat or isolated network (bridged guests are reachable directly)");
	for (size_t i = 0; i < net->nfwd; i++) {
		uint32_t g;

		if (net->fwd[i].target[0] && !net->fwd[i].guest_addr[0])
			continue; /* a NIC without a reservation yet: qnm_check_targets() */
		if (!net->fwd[i].guest_addr[0] || qnm_parse_ipv4(net->fwd[i].guest_addr, &g))
			return qnm_err_set(err, -EINVAL, "forward",
					   "forward: forward %zu needs the guest's IPv4 address",
					   i + 1);
		if (!qnm_ipv4_in_subnet(g, addr, net->prefix))
			return qnm_err_set(err, -EINVAL, "forward",
					   "forward: guest address %s is outside the network %s/%u",
					   net->fwd[i].guest_addr, net->address, net->prefix);
	}
	/* the loop above parsed every guest address there is */
	return check_fwds(net->fwd, net->nfwd, "forward", true, err);
}

/* A forward of the model, remembered with who forwards it. */
struct port_use {
	const struct qnm_fwd *f;
	char owner[80];
};

/* A NIC's MAC with the index of its VM, to sort. */
struct mac_use {
	const char *mac;
	size_t vm;
};

static int mac_use_cmp(const void *a, const void *b)
{
	const struct mac_use *x = a, *y = b;
	int c = strcasecmp(x->mac, y->mac);

	if (c)
		return c;
	return x->vm < y->vm ? -1 : x->vm > y->vm;
}

/*
 * Whether two VMs of @m share a MAC, in O(n log n) (a model may hold 10,000
 * VMs); only then does qnm_check_model() look for the pair to name, in the
 * order it always reported it.
 */
static bool macs_clash(const struct qnm_model *m)
{
	struct mac_use *u = NULL;
	size_t n = 0, cap = 0, i, j;
	bool clash = false;

	for (i = 0; i < m->nvms; i++)
		for (j = 0; j < m->vms[i]->nnics; j++) {
			if (!m->vms[i]->nics[j].mac[0])
				continue;
			if (n == cap)
				u = xreallocarray(u, cap = cap ? 2 * cap : 64, sizeof(*u));
			u[n].mac = m->vms[i]->nics[j].mac;
			u[n++].vm = i;
		}
	if (n > 1)
		qsort(u, n, sizeof(*u), mac_use_cmp);
	for (i = 1; i < n && !clash; i++)
		clash = u[i].vm != u[i - 1].vm && strcasecmp(u[i].mac, u[i - 1].mac) == 0;
	free(u);
	return clash;
}

int qnm_check_model(const struct qnm_model *m, struct qnm_err *err)
{
	struct port_use *uses = NULL;
	size_t nuses = 0, cap = 0, i, j, k;
	bool clash;
	int r = 0;

	/* MACs unique across every VM (the pair named as it always was). */
	for (i = 0, clash = macs_clash(m); clash && i < m->nvms && !r; i++) {
		const struct qnm_vm *a = m->vms[i];

		for (j = 0; j < a->nnics && !r; j++) {
			const struct qnm_nic *na = &a->nics[j];

			if (!na->mac[0])
				continue;
			for (k = i + 1; k < m->nvms && !r; k++) {
				const struct qnm_vm *b = m->vms[k];

				for (size_t l = 0; l < b->nnics; l++) {
					if (strcasecmp(na->mac, b->nics[l].mac) == 0) {
						char field[64];

						snprintf(field, sizeof(field), "nic[%s].mac",
							 b->nics[l].id);
						r = qnm_err_set(
							err, -EINVAL, field,
							"MAC clash: %s is used by VM '%s' NIC '%s' and VM '%s' NIC '%s'; guests on one network need different MACs",
							na->mac, a->name, na->id, b->name,
							b->nics[l].id);
						break;
					}
				}
			}
		}
	}
	/* Host ports forwarded once across user NICs and networks. */
	for (i = 0; i < m->nvms && !r; i++) {
		const struct qnm_vm *vm = m->vms[i];

		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_nic *n = &vm->nics[j];

			const struct qnm_backend_ops *b = qnm_nic_backend(n);

			if (!b || !b->has_hostfwd)
				continue;
			for (k = 0; k < n->user.nfwd; k++) {
				if (nuses == cap)
					uses = xreallocarray(uses, cap = cap ? 2 * cap : 64,
							     sizeof(*uses));
				uses[nuses].f = &n->user.fwd[k];
				snprintf(uses[nuses].owner, sizeof(uses[nuses].owner),
					 "VM '%s' NIC '%s'", vm->name, n->id);
				nuses++;
			}
		}
	}
	for (i = 0; i < m->nnets && !r; i++) {
		for (k = 0; k < m->nets[i]->nfwd; k++) {
			const struct qnm_fwd *f = &m->nets[i]->fwd[k];

			if (nuses == cap)
				uses = xreallocarray(uses, cap = cap ? 2 * cap : 64, sizeof(*uses));
			uses[nuses].f = f;
			snprintf(uses[nuses].owner, sizeof(uses[nuses].owner), "network '%s'",
				 m->nets[i]->name);
			nuses++;
		}
	}
	if (!r) {
		const struct qnm_fwd **v = xreallocarray(NULL, nuses + 1, sizeof(*v));

		for (i = 0; i < nuses; i++)
			v[i] = uses[i].f;
		clash = fwds_clash(v, nuses);
		free(v);
	}
	for (i = 0; clash && i < nuses && !r; i++) {
		for (j = 0; j < i; j++) {
			enum qnm_proto p;
			uint16_t port;

			if (qnm_fwd_overlap(uses[j].f, uses[i].f, &p, &port)) {
				r = qnm_err_set(err, -EINVAL, "hostfwd",
						"host port %s/%u is forwarded by both %s and %s",
						qnm_proto_name(p), (unsigned)port, uses[j].owner,
						uses[i].owner);
				break;
			}
		}
	}
	free(uses);
	/* Bridges unique across networks. */
	for (i = 0; i < m->nnets && !r; i++)
		for (j = 0; j < i && !r; j++)
			if (strcmp(m->nets[i]->bridge, m->nets[j]->bridge) == 0)
				r = qnm_err_set(err, -EINVAL, "bridge",
						"bridge: networks '%s' and '%s' both use bridge %s",
						m->nets[j]->name, m->nets[i]->name,
						m->nets[i]->bridge);
	/* tap NICs name existing networks. */
	for (i = 0; i < m->nvms && !r; i++) {
		const struct qnm_vm *vm = m->vms[i];

		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_nic *n = &vm->nics[j];

			const char *net = qnm_nic_network(n);

			if (net && !qnm_model_find_net(m, net)) {
				char field[64];

				snprintf(field, sizeof(field), "nic[%s].network", n->id);
				r = qnm_err_set(
					err, -EINVAL, field,
					"%s: VM '%s' uses network '%s', which does not exist",
					field, vm->name, net);
				break;
			}
		}
	}
	/* forwards to a NIC name a TAP NIC on their network */
	return r ? r : qnm_check_targets(m, err);
}

const char *qnm_vm_boot_warning(const struct qnm_vm *vm)
{
	if (vm->boot != QNM_BOOT_NONE || vm->nextra)
		return NULL;
	return "boot=none: it has nothing to boot from (no disk, CD-ROM or kernel); its firmware "
	       "only tries a network boot (PXE) and stops there without a boot server";
}
