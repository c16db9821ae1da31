// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-tap.c - a TAP device on the host:
 * -netdev tap,id=ID,ifname=TAP,script=no,downscript=no[,vhost=on]
 * qnm creates the TAP (unless told it exists) and puts it on the bridge of
 * a qnm network or an existing host bridge; QEMU never runs scripts.
 * Needs CAP_NET_ADMIN to create the TAP (QEMU itself only opens it).
 */
#include "build-config.h"

#include "core/backend.h"
#include "core/ipv6net.h"
#include "core/config.h"
#include "guest/backend-ovn.h"
#include "guest/cmdline.h"
#include "guest/leftover.h"
#include "guest/rundir.h"
#include "guest/runner.h"
#include "host/links.h"
#include "host/tuntap.h"
#include "core/validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tap_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];

	if (nic->tap.ifname[0] && !qnm_valid_ifname(nic->tap.ifname)) {
		snprintf(field, sizeof(field), "nic[%s].ifname", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: '%s' is not a valid interface name (" QNM_IFNAME_RULE ")",
				   field, nic->tap.ifname);
	}
	if (!nic->tap.create && !nic->tap.ifname[0]) {
		snprintf(field, sizeof(field), "nic[%s].ifname", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: an existing TAP (create = no) must be named", field);
	}
	if (nic->tap.network[0] && !qnm_valid_name(nic->tap.network)) {
		snprintf(field, sizeof(field), "nic[%s].network", nic->id);
		return qnm_err_set(err, -EINVAL, field, "%s: '%s' is not a network name", field,
				   nic->tap.network);
	}
	if (nic->tap.bridge[0] && !qnm_valid_ifname(nic->tap.bridge)) {
		snprintf(field, sizeof(field), "nic[%s].bridge", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: '%s' is not a valid interface name (" QNM_IFNAME_RULE ")",
				   field, nic->tap.bridge);
	}
	if (nic->tap.ip[0] && !qnm_valid_ipv4(nic->tap.ip)) {
		snprintf(field, sizeof(field), "nic[%s].ip", nic->id);
		return qnm_err_set(err, -EINVAL, field, "%s: '%s' is not an IPv4 address", field,
				   nic->tap.ip);
	}
	if (nic->tap.ip[0] && !nic->tap.network[0]) {
		snprintf(field, sizeof(field), "nic[%s].ip", nic->id);
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: a reserved address needs a qnm network (network=NAME); on a "
			"host bridge the LAN's DHCP decides",
			field);
	}
	if (nic->tap.bridge[0] && nic->tap.network[0]) {
		snprintf(field, sizeof(field), "nic[%s].bridge", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: give either a qnm network or a host bridge, not both",
				   field);
	}
	return 0;
}

static int tap_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			   const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			   struct qnm_err *err)
{
	char ifname[QNM_IFNAME_MAX + 1];

	if (nic->tap.ifname[0]) {
		qnm_strlcpy(ifname, nic->tap.ifname, sizeof(ifname));
	} else {
		size_t idx = (size_t)(nic - vm->nics);

		qnm_tap_default_ifname(vm, idx, ifname);
	}
	qnm_sb_add(sb, ",ifname=");
	qnm_qemu_escape(sb, ifname);
	qnm_sb_add(sb, ",script=no,downscript=no");
	if (qnm_ovn_nic_net(o ? o->model : NULL, nic))
		qnm_sb_add(sb, ",vnet_hdr=off"); /* see backend-ovn.c */
	else if (nic->tap.vhost)
		qnm_sb_add(sb, ",vhost=on");
	return 0;
}

static bool tap_nic_form_ok(const struct qnm_nic *nic)
{
	return true;
}

static void tap_label(const struct qnm_nic *nic, char *buf, size_t size)
{
	snprintf(buf, size, "tap%s%s", nic->tap.network[0] ? ":" : "",
		 nic->tap.network[0] ? nic->tap.network : nic->tap.bridge);
}

static bool tap_host_ifname(const struct qnm_vm *vm, size_t idx, char *buf)
{
	qnm_tap_ifname(vm, idx, buf);
	return true;
}

static const char *tap_network(const struct qnm_nic *nic)
{
	return nic->tap.network[0] ? nic->tap.network : NULL;
}

/* a TAP on a qnm network gets the network's bridge from "net up" */
static const char *tap_own_bridge(const struct qnm_nic *nic)
{
	return nic->tap.network[0] ? NULL : nic->tap.bridge;
}

static const char *tap_live_bridge(const struct qnm_model *model, const struct qnm_nic *nic)
{
	const struct qnm_network *net;

	if (nic->tap.network[0]) {
		net = model ? qnm_model_find_net(model, nic->tap.network) : NULL;
		return net ? net->bridge : NULL;
	}
	return nic->tap.bridge[0] ? nic->tap.bridge : NULL;
}

/* ---- the host side ---- */

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* CAP_NET_ADMIN (bit 12) in our effective set. */
static bool have_net_admin(void)
{
	char *buf = NULL, *p;
	size_t len;
	bool yes = false;

	if (qnm_read_file("/proc/self/status", 1u << 16, &buf, &len))
		return geteuid() == 0;
	p = strstr(buf, "\nCapEff:");
	if (p)
		yes = (strtoull(p + 8, NULL, 16) >> 12) & 1;
	free(buf);
	return yes;
}

static int tap_host_check(const struct qnm_vm *vm, const struct qnm_nic *nic,
			  const struct qnm_runner_opts *o, struct qnm_err *err)
{
	char ifname[QNM_IFNAME_MAX + 1], field[64], *p;
	bool exists, is_tap;
	int fd;

	snprintf(field, sizeof(field), "nic[%s].ifname", nic->id);
	if (nic->tap.ifname[0])
		qnm_strlcpy(ifname, nic->tap.ifname, sizeof(ifname));
	else
		qnm_tap_default_ifname(vm, (size_t)(nic - vm->nics), ifname);
	p = xasprintf("/sys/class/net/%s", ifname);
	exists = is_dir(p);
	free(p);
	p = xasprintf("/sys/class/net/%s/tun_flags", ifname);
	is_tap = access(p, F_OK) == 0;
	free(p);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return qnm_err_set(err, -errno, field,
				   "%s: /dev/net/tun cannot be opened (%s): QEMU needs it for TAP "
				   "NICs (modprobe tun, or run qnm as a user allowed to open it)",
				   field, strerror(errno));
	close(fd);
	if (!nic->tap.create) {
		if (!exists)
			return qnm_err_set(err, -ENODEV, field,
					   "%s: TAP '%s' does not exist (create = no says an admin "
					   "made it: create it, or set create = yes)",
					   field, ifname);
		if (!is_tap)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: '%s' exists but is not a TAP device", field,
					   ifname);
		return 0;
	}
	if (exists && !is_tap)
		return qnm_err_set(err, -EEXIST, field,
				   "%s: '%s' already exists and is not a TAP device", field,
				   ifname);
	if (nic->tap.network[0]) {
		const struct qnm_network *net =
			o && o->model ? qnm_model_find_net(o->model, nic->tap.network) : NULL;
		char nf[64];

		snprintf(nf, sizeof(nf), "nic[%s].network", nic->id);
		if (!net)
			return qnm_err_set(err, -ENOENT, nf, "%s: there is no qnm network '%s'", nf,
					   nic->tap.network);
		if (qnm_ovn_nic_net(o ? o->model : NULL, nic)) {
			int r = qnm_ovn_nic_check(vm, nic, net, err);

			if (r)
				return r;
			goto admin;
		}
		p = xasprintf("/sys/class/net/%s/bridge", net->bridge);
		exists = is_dir(p);
		free(p);
		if (!exists)
			return qnm_err_set(err, -ENETDOWN, nf,
					   "%s: network '%s' is not up (its bridge %s does not "
					   "exist): run 'qnm net up %s' first",
					   nf, net->name, net->bridge, net->name);
	}
admin:
	if (!have_net_admin())
		return qnm_err_set(err, -EPERM, field,
				   "%s: creating TAP '%s' needs CAP_NET_ADMIN (run qnm as root, or "
				   "let an admin create it and set create = no)",
				   field, ifname);
	return 0;
}

/*
 * Create the TAP (create = yes) and put it on its bridge, via tuntap.c and
 * links.c. Its ownership record is written first (leftover.h): a supervisor
 * killed at any moment leaves a record for whatever TAP exists.
 */
static int tap_host_prepare(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			    struct qnm_nic_host *h, struct qnm_err *err)
{
	struct qnm_tap_params tp = { .owner = geteuid(), .group = (gid_t)-1 };
	char ifname[QNM_IFNAME_MAX + 1];
	struct qnm_links *l = NULL;
	int r;

	qnm_tap_ifname(vm, idx, ifname);
	if (vm->nics[idx].tap.create) {
		r = qnm_tap_claim(rd, ifname, err);
		if (r)
			return r;
		r = qnm_tap_create(ifname, &tp, err);
		if (r) {
			qnm_tap_unclaim(rd, ifname);
			return r;
		}
		h->made_tap = true;
	}
	if (h->ovn_nb[0]) {
		r = qnm_ovn_nic_attach(vm, idx, rd, h, ifname, err);
		goto out;
	}
	if (!h->bridge[0])
		return 0;
	r = qnm_links_open(&l, err);
	if (!r)
		r = qnm_links_enslave(l, ifname, h->bridge, err);
	if (!r)
		r = qnm_links_set_up(l, ifname, true, err);
	qnm_links_free(l);
out:
	if (r && h->made_tap) {
		qnm_tap_delete(ifname, NULL);
		qnm_tap_unclaim(rd, ifname);
		h->made_tap = false;
	}
	return r;
}

/* After QEMU: remove the TAP qnm made for it (an admin's TAP stays). */
static void tap_host_release(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			     struct qnm_nic_host *h)
{
	char ifname[QNM_IFNAME_MAX + 1];

	qnm_tap_ifname(vm, idx, ifname);
	qnm_ovn_nic_detach(rd, h, ifname);
	if (!h->made_tap)
		return;
	qnm_tap_delete(ifname, NULL);
	qnm_tap_unclaim(rd, ifname);
	h->made_tap = false;
}

/* ---- explaining it ---- */

/* what reaches the outside of NAT network @net: a ULA is masqueraded, a global prefix routed */
static const char *nat_outside(const struct qnm_network *net)
{
	struct in6_addr p;

	if (qnm_net_ipv6_prefix(net, &p) < 0)
		return "masqueraded";
	return (p.s6_addr[0] & 0xfe) == 0xfc ? "masq. IPv4+IPv6" : "IPv4 masq, v6 routed";
}

size_t qnm_net_hops(const struct qnm_network *net, struct qnm_hop *h)
{
	size_t k = 0;

	snprintf(h[k].title, sizeof(h[k].title), "bridge %s", net->bridge);
	h[k].live = QNM_HOP_LIVE_LINK;
	qnm_strlcpy(h[k].link, net->bridge, sizeof(h->link));
	if (net->address[0])
		snprintf(h[k++].detail, sizeof(h->detail), "%s/%u%s", net->address, net->prefix,
			 qnm_net_has_ipv6(net) ? " +IPv6" : "");
	else
		snprintf(h[k++].detail, sizeof(h->detail), "network %s", net->name);
	/* after the bridge: what the network's mode does with the traffic */
	switch (net->mode) {
	case QNM_NET_NAT:
		snprintf(h[k].title, sizeof(h[k].title), "NAT");
		snprintf(h[k++].detail, sizeof(h->detail), "%s%s",
			 net->uplink[0] ? "out of " : "via default route", net->uplink);
		snprintf(h[k].title, sizeof(h[k].title), "outside");
		snprintf(h[k++].detail, sizeof(h->detail), "%s", nat_outside(net));
		break;
	case QNM_NET_BRIDGED:
		snprintf(h[k].title, sizeof(h[k].title), "port %s", net->port);
		h[k].live = QNM_HOP_LIVE_LINK;
		qnm_strlcpy(h[k].link, net->port, sizeof(h->link));
		snprintf(h[k++].detail, sizeof(h->detail), "enslaved NIC");
		snprintf(h[k].title, sizeof(h[k].title), "LAN");
		snprintf(h[k++].detail, sizeof(h->detail), "guest has own IP");
		break;
	case QNM_NET_ISOLATED:
		snprintf(h[k].title, sizeof(h[k].title), "no outside");
		snprintf(h[k++].detail, sizeof(h->detail), "isolated network");
		break;
	case QNM_NET_OVN:
		snprintf(h[0].title, sizeof(h[0].title), "OVS %s", net->bridge);
		snprintf(h[k].title, sizeof(h[k].title), "switch %s", net->name);
		snprintf(h[k++].detail, sizeof(h->detail), "OVN, Geneve to other hosts");
		snprintf(h[k].title, sizeof(h[k].title), "%s",
			 net->gateway_host[0] ? "router + NAT" : "no outside");
		snprintf(h[k++].detail, sizeof(h->detail), "%s%s",
			 net->gateway_host[0] ? "gateway " : "guests only", net->gateway_host);
		break;
	}
	return k;
}

static size_t tap_hops(const struct qnm_model *model, const struct qnm_vm *vm, size_t idx,
		       struct qnm_hop *h)
{
	const struct qnm_nic *n = &vm->nics[idx];
	const struct qnm_network *net;
	size_t k = 0;

	qnm_tap_ifname(vm, idx, h[k].link);
	snprintf(h[k].title, sizeof(h[k].title), "TAP %s", h[k].link);
	h[k].live = QNM_HOP_LIVE_LINK;
	snprintf(h[k++].detail, sizeof(h->detail), "%s",
		 n->tap.create ? "made by qnm" : "made by admin");
	net = n->tap.network[0] ? qnm_model_find_net(model, n->tap.network) : NULL;
	if (net) {
		k += qnm_net_hops(net, h + k);
	} else if (n->tap.bridge[0] || n->tap.network[0]) {
		snprintf(h[k].title, sizeof(h[k].title), "bridge %s",
			 n->tap.bridge[0] ? n->tap.bridge : n->tap.network);
		snprintf(h[k++].detail, sizeof(h->detail), "%s",
			 n->tap.bridge[0] ? "host bridge" : "network missing!");
	} else {
		snprintf(h[k].title, sizeof(h[k].title), "no bridge");
		snprintf(h[k++].detail, sizeof(h->detail), "host<->guest only");
	}
	return k;
}

static const struct qnm_backend_check tap_checks[] = {
	{ "ovn_chassis", "Open vSwitch and ovn-controller (ovn networks)", qnm_ovn_doctor },
};

const struct qnm_backend_ops qnm_backend_tap = {
	.kind = QNM_BACKEND_TAP,
	.name = "tap",
	.netdev_type = "tap",
	.summary =
		"a TAP device on the host, usually on a bridge (NAT or bridged network): full L2, needs CAP_NET_ADMIN to set up",
	.mode_title = "TAP device on a bridge (NAT or bridged)",
	.mode_text =
		"qnm creates a TAP interface for the guest and plugs it into a Linux bridge: the "
		"guest is a real machine on that layer-2 segment. With a NAT network the bridge "
		"has an address (e.g. 10.77.0.1/24), dnsmasq hands out leases, and nftables "
		"masquerades traffic out of the uplink; port forwards are DNAT rules. With a "
		"bridged network a physical NIC is enslaved to the bridge and the guest appears "
		"on your LAN with its own address. Isolated: guests and host only. IPv6 (a nat "
		"or isolated network's ipv6 key: auto is a ULA /64 derived from its name, or "
		"give a /64): the bridge is also PREFIX::1, dnsmasq sends router advertisements "
		"(SLAAC) and answers DHCPv6, and a guest's address is the prefix plus the EUI-64 "
		"of its MAC (qnm show names it); NAT masquerades a ULA out of the uplink and "
		"routes a global prefix; from outside only forwards reach guests, on IPv4 and "
		"IPv6 alike. Needs "
		"CAP_NET_ADMIN (root) to create TAPs, bridges and firewall rules; fastest mode, "
		"guests see each other. OVN (mode ovn, across hosts): the TAP joins Open "
		"vSwitch's br-int as a port of an OVN logical switch that spans hosts; guests on "
		"other hosts share its L2 through Geneve tunnels, OVN's DHCP gives each NIC a "
		"stable address, a router on a gateway host does SNAT and forwards. Needs "
		"openvswitch-switch and ovn-host on every host (qnm doctor checks them).",
	.conns_label = "tap",
	.needs_net_admin = true,
	.opens_tun = true,
	.on_bridge = true,
	.validate = tap_validate,
	.netdev_opts = tap_netdev_opts,
	.nic_form_ok = tap_nic_form_ok,
	.label = tap_label,
	.host_ifname = tap_host_ifname,
	.network = tap_network,
	.own_bridge = tap_own_bridge,
	.live_bridge = tap_live_bridge,
	.host_plan = qnm_ovn_nic_plan,
	.host_check = tap_host_check,
	.host_prepare = tap_host_prepare,
	.host_release = tap_host_release,
	.reclaim = qnm_ovn_reclaim,
	.hops = tap_hops,
	.checks = tap_checks,
	.nchecks = QNM_ARRAY_SIZE(tap_checks),
};
