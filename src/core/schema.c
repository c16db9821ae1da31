// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * schema.c - the key tables of VMs, NICs and networks, and what is done
 * with a key by its type: set from text, written, assigned, put in JSON,
 * listed in help, edited as a form row (see schema.h).
 */
#include "build-config.h"

#include "core/schema.h"

#include "core/keyfile.h"
#include "core/termsafe.h"
#include "core/validate.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the tables ---- */

_Static_assert(QNM_TEXT_MAX <= QNM_KF_VALUE_MAX, "a text value must fit a keyfile line");

#define VMF(f)	      offsetof(struct qnm_vm, f)
#define NICF(f)	      offsetof(struct qnm_nic, f)
#define NETF(f)	      offsetof(struct qnm_network, f)
#define SIZE(type, f) sizeof(((struct type *)0)->f)

/* Where a NIC key applies: the backends using its option group. */
#define BE(k)	   QNM_WHEN(k)
#define USER_SLIRP (BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP))
#define USER_LIKE  (USER_SLIRP | BE(QNM_BACKEND_PASST))
#define BOOT(b)	   QNM_WHEN(b)
#define MODE(m)	   QNM_WHEN(m)

static const struct qnm_key vm_keys[] = {
	{ .name = "arch",
	  .type = QNM_KEY_STR,
	  .offset = VMF(arch),
	  .size = SIZE(qnm_vm, arch),
	  .label = "Architecture",
	  .help = "QEMU target: qemu-system-ARCH is run (x86_64, aarch64, ...)." },
	{ .name = "memory",
	  .type = QNM_KEY_UINT,
	  .offset = VMF(memory_mb),
	  .min = 16,
	  .max = 4194304,
	  .unit = "MiB",
	  .label = "Memory (MiB)",
	  .help = "Guest memory in MiB, 16 or more." },
	{ .name = "cpus",
	  .type = QNM_KEY_UINT,
	  .offset = VMF(cpus),
	  .min = 1,
	  .max = 1024,
	  .label = "CPUs",
	  .help = "Virtual CPUs, 1 to 1024." },
	{ .name = "machine",
	  .type = QNM_KEY_STR,
	  .offset = VMF(machine),
	  .size = QNM_MACHINE_MAX,
	  .write_empty = true,
	  .label = "Machine",
	  .help = "Machine type (q35, pc, virt, ...); empty for QEMU's default." },
	{ .name = "accel",
	  .type = QNM_KEY_ENUM,
	  .offset = VMF(accel),
	  .choices = &qnm_accel_enum,
	  .label = "Accelerator",
	  .help = "auto (KVM when /dev/kvm is usable, else TCG: software, slower), kvm or tcg." },
	{ .name = "boot",
	  .type = QNM_KEY_ENUM,
	  .offset = VMF(boot),
	  .choices = &qnm_boot_enum,
	  .label = "Boot from",
	  .help = "What the guest boots from: none, disk (an image), cdrom (an ISO) or kernel "
		  "(a kernel and initrd)." },
	{ .name = "disk",
	  .type = QNM_KEY_PATH,
	  .offset = VMF(disk),
	  .when = BOOT(QNM_BOOT_DISK) | BOOT(QNM_BOOT_CDROM),
	  .label = "Disk image",
	  .help = "Path of the disk image (boot = disk or cdrom)." },
	{ .name = "cdrom",
	  .type = QNM_KEY_PATH,
	  .offset = VMF(cdrom),
	  .when = BOOT(QNM_BOOT_CDROM),
	  .label = "CD-ROM ISO",
	  .help = "Path of the ISO to boot (boot = cdrom)." },
	{ .name = "kernel",
	  .type = QNM_KEY_PATH,
	  .offset = VMF(kernel),
	  .when = BOOT(QNM_BOOT_KERNEL),
	  .label = "Kernel",
	  .help = "Path of the kernel, bzImage or vmlinux (boot = kernel)." },
	{ .name = "initrd",
	  .type = QNM_KEY_PATH,
	  .offset = VMF(initrd),
	  .when = BOOT(QNM_BOOT_KERNEL),
	  .label = "Initrd",
	  .help = "Path of the initrd, optional (boot = kernel)." },
	{ .name = "append",
	  .type = QNM_KEY_PATH,
	  .offset = VMF(append),
	  .text = true,
	  .when = BOOT(QNM_BOOT_KERNEL),
	  .label = "Kernel args",
	  .help = "Kernel command line, e.g. console=ttyS0 (boot = kernel)." },
	{ .name = "extra",
	  .type = QNM_KEY_ARGV,
	  .offset = VMF(extra),
	  .count_off = VMF(nextra),
	  .max = 256,
	  .label = "Extra QEMU args",
	  .help = "More QEMU arguments in order, one argv element each: one per line in the file, "
		  "separated by spaces in the form." },
	{ .name = "log-max",
	  .type = QNM_KEY_UINT,
	  .offset = VMF(log_max_kib),
	  .min = 16,
	  .max = 1048576,
	  .unit = "KiB",
	  .json = "log_max_kib",
	  .label = "Log max (KiB)",
	  .help = "Cap of the serial console log in KiB: beyond it the oldest part moves to "
		  "serial.log.1, so at most twice this is kept on disk." },
	{ .name = "autostart",
	  .type = QNM_KEY_BOOL,
	  .offset = VMF(autostart),
	  .label = "Autostart",
	  .help = "Yes: 'qnm autostart' starts it when the host boots (after its networks)." },
};

const struct qnm_schema qnm_vm_schema = {
	.noun = "VM",
	.keys = vm_keys,
	.n = QNM_ARRAY_SIZE(vm_keys),
	.selector = "boot",
	.clear_hidden = true,
};

static const struct qnm_key nic_keys[] = {
	{ .name = "model",
	  .type = QNM_KEY_STR,
	  .offset = NICF(model),
	  .size = QNM_MODEL_MAX,
	  .label = "Device model",
	  .help = "The emulated card (qnm models lists them): virtio-net-pci is fastest for Linux "
		  "guests; e1000 and rtl8139 work everywhere." },
	{ .name = "mac",
	  .type = QNM_KEY_STR,
	  .offset = NICF(mac),
	  .size = QNM_MAC_LEN,
	  .label = "MAC address",
	  .help = "Six hex octets, e.g. 52:54:00:12:34:56. Empty: qnm generates a unique one." },
	{ .name = "props",
	  .type = QNM_KEY_STR,
	  .offset = NICF(props),
	  .size = QNM_PROPS_MAX,
	  .label = "Device props",
	  .help = "More QEMU properties of the card, NAME=VALUE,... as '-device MODEL,help' lists "
		  "them, e.g. rx_queue_size=1024,mrg_rxbuf=off; empty: QEMU's defaults." },
	{ .name = "link",
	  .type = QNM_KEY_LINK,
	  .offset = NICF(link_up),
	  .label = "Link up",
	  .help = "Cable plugged in at start: up or down. In the form, Space toggles it, at once "
		  "on a running guest." },
	{ .name = "backend",
	  .type = QNM_KEY_ENUM,
	  .offset = NICF(backend),
	  .choices = &qnm_backend_enum,
	  .label = "Backend",
	  .help = "How the card reaches the world: user, slirp, passt, private, tap or bridge. The "
		  "keys below depend on it." },
	{ .name = "net",
	  .type = QNM_KEY_STR,
	  .offset = NICF(user.net),
	  .size = QNM_CIDR_LEN,
	  .when = USER_SLIRP,
	  .label = "Guest network",
	  .help = "CIDR of the private network the guest sees; empty: 10.0.2.0/24." },
	{ .name = "host",
	  .type = QNM_KEY_STR,
	  .offset = NICF(user.host),
	  QNM_IPV4_LEN,
	  .when = USER_SLIRP,
	  .label = "Host address",
	  .help = "The address the guest reaches the host at; empty: .2 of the network (10.0.2.2)." },
	{ .name = "dhcpstart",
	  .type = QNM_KEY_STR,
	  .offset = NICF(user.dhcpstart),
	  QNM_IPV4_LEN,
	  .when = USER_SLIRP,
	  .label = "DHCP start",
	  .help = "First address handed out by DHCP; empty: .15." },
	{ .name = "dns",
	  .type = QNM_KEY_STR,
	  .offset = NICF(user.dns),
	  QNM_IPV4_LEN,
	  .when = USER_SLIRP,
	  .label = "DNS address",
	  .help = "The DNS server address the guest sees; empty: .3." },
	{ .name = "restrict",
	  .type = QNM_KEY_BOOL,
	  .offset = NICF(user.restrict_),
	  .when = USER_SLIRP,
	  .label = "Restrict",
	  .help = "Yes: the guest cannot reach outside (only forwards reach it)." },
	{ .name = "ipv6",
	  .type = QNM_KEY_BOOL,
	  .offset = NICF(user.ipv6),
	  .when = USER_LIKE,
	  .label = "IPv6",
	  .help = "IPv6 inside the user network (passt: off gives it -4, IPv4 only)." },
	{ .name = "ipv6-net",
	  .type = QNM_KEY_STR,
	  .offset = NICF(user.ipv6_net),
	  .size = QNM_IPV6_NET_LEN,
	  .when = USER_SLIRP,
	  .json = "ipv6_net",
	  .label = "IPv6 prefix",
	  .help = "The guest network's IPv6 prefix, e.g. fd12:3456:789a::/64 (a ULA) or a global "
		  "one; the host is ::2 of it, DNS ::3; guests form SLAAC addresses only in a /64. "
		  "Empty: fec0::/64." },
	{ .name = "hostfwd",
	  .type = QNM_KEY_FWD,
	  .offset = NICF(user.fwd),
	  .count_off = NICF(user.nfwd),
	  .max = 256,
	  .when = USER_LIKE,
	  .label = "Port forwards",
	  .help = "Host to guest, tcp|udp|tcp+udp:[HOSTADDR]:PORTS-[GUESTADDR]:PORTS "
		  "[desc=\"TEXT\"], space-separated in the form: tcp:127.0.0.1:2222-:22 is host "
		  "port 2222 to guest port 22; PORTS may be a range (8000-8010-:9000-9010)." },
	/* the user option group is the slirp backend's too: slirp refuses smb */
	{ .name = "smb",
	  .type = QNM_KEY_PATH,
	  .offset = NICF(user.smb),
	  .when = BE(QNM_BACKEND_USER),
	  .group = USER_SLIRP,
	  .label = "SMB share",
	  .help = "A host directory the guest sees over SMB at \\\\10.0.2.4\\qemu (needs smbd); "
		  "empty: none." },
	{ .name = "ifname",
	  .type = QNM_KEY_STR,
	  .offset = NICF(tap.ifname),
	  .size = QNM_IFNAME_MAX + 1,
	  .when = BE(QNM_BACKEND_TAP),
	  .label = "TAP name",
	  .help = "The TAP interface; empty: qnm picks qt-VM-N." },
	{ .name = "create",
	  .type = QNM_KEY_BOOL,
	  .offset = NICF(tap.create),
	  .when = BE(QNM_BACKEND_TAP),
	  .label = "qnm creates it",
	  .help = "Yes: qnm creates and removes the TAP (needs CAP_NET_ADMIN). No: use a TAP made "
		  "by the admin." },
	{ .name = "network",
	  .type = QNM_KEY_STR,
	  .offset = NICF(tap.network),
	  .size = QNM_NAME_MAX + 1,
	  .when = BE(QNM_BACKEND_TAP),
	  .label = "qnm network",
	  .help = "A qnm network whose bridge the TAP joins (Enter in the form lists them); or leave "
		  "it empty and give a bridge." },
	{ .name = "bridge",
	  .type = QNM_KEY_STR,
	  .offset = NICF(tap.bridge),
	  .size = QNM_IFNAME_MAX + 1,
	  .when = BE(QNM_BACKEND_TAP),
	  .label = "Host bridge",
	  .help = "An existing host bridge to join when no qnm network is given." },
	{ .name = "vhost",
	  .type = QNM_KEY_BOOL,
	  .offset = NICF(tap.vhost),
	  .when = BE(QNM_BACKEND_TAP),
	  .label = "vhost-net",
	  .help = "Kernel-side acceleration (needs /dev/vhost-net)." },
	{ .name = "ip",
	  .type = QNM_KEY_STR,
	  .offset = NICF(tap.ip),
	  .size = QNM_IPV4_LEN,
	  .when = BE(QNM_BACKEND_TAP),
	  .label = "Reserved IP",
	  .help = "On a qnm network with DHCP: the address dnsmasq keeps for this NIC; empty: "
		  "qnm picks a free one once. Forwards to the NIC follow it." },
	{ .name = "segment",
	  .type = QNM_KEY_STR,
	  .offset = NICF(priv.segment),
	  .size = QNM_NAME_MAX + 1,
	  .when = BE(QNM_BACKEND_PRIVATE),
	  .label = "Private segment",
	  .help = "The name of a private network between your own guests (no root): the NICs "
		  "naming the same segment share one switch; nothing else reaches it." },
	{ .name = "br",
	  .type = QNM_KEY_STR,
	  .offset = NICF(bridge.br),
	  .size = QNM_IFNAME_MAX + 1,
	  .when = BE(QNM_BACKEND_BRIDGE),
	  .label = "Bridge",
	  .help = "The host bridge qemu-bridge-helper attaches the TAP to; /etc/qemu/bridge.conf "
		  "must allow it." },
	{ .name = "helper",
	  .type = QNM_KEY_PATH,
	  .offset = NICF(bridge.helper),
	  .when = BE(QNM_BACKEND_BRIDGE),
	  .label = "Helper path",
	  .help = "The bridge helper; empty: QEMU's default /usr/lib/qemu/qemu-bridge-helper." },
};

const struct qnm_schema qnm_nic_schema = {
	.noun = "NIC",
	.keys = nic_keys,
	.n = QNM_ARRAY_SIZE(nic_keys),
	.selector = "backend",
	.strict = true,
};

static const struct qnm_key net_keys[] = {
	{ .name = "bridge",
	  .type = QNM_KEY_STR,
	  .offset = NETF(bridge),
	  .size = QNM_IFNAME_MAX + 1,
	  .label = "Bridge",
	  .help = "Name of the Linux bridge qnm creates for this network (e.g. qnmbr0)." },
	{ .name = "address",
	  .type = QNM_KEY_CIDR,
	  .offset = NETF(address),
	  .count_off = NETF(prefix),
	  .label = "Host address",
	  .help = "The host's address on the bridge with its prefix, the guests' gateway, e.g. "
		  "10.77.0.1/24." },
	{ .name = "mode",
	  .type = QNM_KEY_ENUM,
	  .offset = NETF(mode),
	  .choices = &qnm_net_mode_enum,
	  .label = "Mode",
	  .help = "nat: routed + masquerade out of the uplink; bridged: a physical NIC joins the "
		  "bridge; isolated: guests and host only; ovn: an OVN logical switch that spans "
		  "hosts (bridge = the integration bridge, br-int)." },
	{ .name = "uplink",
	  .type = QNM_KEY_STR,
	  .offset = NETF(uplink),
	  .size = QNM_IFNAME_MAX + 1,
	  .when = MODE(QNM_NET_NAT) | MODE(QNM_NET_OVN),
	  .label = "Uplink",
	  .help = "nat: the interface NAT goes out of; empty: whatever the default route uses. "
		  "ovn: the gateway host's interface that NAT goes out of." },
	{ .name = "port",
	  .type = QNM_KEY_STR,
	  .offset = NETF(port),
	  .size = QNM_IFNAME_MAX + 1,
	  .when = MODE(QNM_NET_BRIDGED),
	  .label = "Physical port",
	  .help = "bridged: the host NIC to enslave to the bridge. Careful: its address moves to the "
		  "bridge; remote sessions over it may drop." },
	{ .name = "ovn-nb",
	  .type = QNM_KEY_STR,
	  .offset = NETF(ovn_nb),
	  .size = QNM_OVSDB_REMOTE_MAX,
	  .when = MODE(QNM_NET_OVN),
	  .json = "ovn_nb",
	  .label = "OVN northbound",
	  .help = "ovn: the OVN northbound database qnm writes the network into, tcp:IP:6641 or "
		  "unix:/run/ovn/ovnnb_db.sock (the same on every host)." },
	{ .name = "gateway-host",
	  .type = QNM_KEY_STR,
	  .offset = NETF(gateway_host),
	  .size = QNM_NAME_MAX + 1,
	  .when = MODE(QNM_NET_OVN),
	  .json = "gateway_host",
	  .label = "Gateway host",
	  .help = "ovn: the chassis (Open vSwitch system-id) whose uplink carries NAT and the "
		  "forwards; empty: no router, the guests only reach each other." },
	{ .name = "gateway-address",
	  .type = QNM_KEY_CIDR,
	  .offset = NETF(gw_address),
	  .count_off = NETF(gw_prefix),
	  .when = MODE(QNM_NET_OVN),
	  .json = "gateway_address",
	  .label = "Gateway address",
	  .help = "ovn with a gateway host: the router's own address on the uplink's LAN, e.g. "
		  "10.99.0.5/24 (guests go out from it; forwards listen on it)." },
	{ .name = "dhcp-start",
	  .type = QNM_KEY_STR,
	  .offset = NETF(dhcp_start),
	  QNM_IPV4_LEN,
	  .json = "dhcp_start",
	  .label = "DHCP first",
	  .help = "First address dnsmasq hands out; empty: no DHCP." },
	{ .name = "dhcp-end",
	  .type = QNM_KEY_STR,
	  .offset = NETF(dhcp_end),
	  QNM_IPV4_LEN,
	  .json = "dhcp_end",
	  .label = "DHCP last",
	  .help = "Last address dnsmasq hands out." },
	{ .name = "ipv6",
	  .type = QNM_KEY_STR,
	  .offset = NETF(ipv6),
	  .size = QNM_IPV6_NET_LEN,
	  .when = MODE(QNM_NET_NAT) | MODE(QNM_NET_ISOLATED),
	  .label = "IPv6",
	  .help = "none, auto (a ULA /64 from the name) or a /64, e.g. fd12:3456:789a:1::/64: host "
		  "::1, dnsmasq RA (SLAAC) + DHCPv6; a ULA is masqueraded. Needs DHCP." },
	{ .name = "forward",
	  .type = QNM_KEY_FWD,
	  .offset = NETF(fwd),
	  .count_off = NETF(nfwd),
	  .max = 16384,
	  .json = "forwards",
	  .json_text = true,
	  .label = "Port forwards",
	  .help = "DNAT into the network, tcp|udp|tcp+udp:[HOSTADDR]:PORTS-GUESTADDR:PORTS "
		  "[desc=\"TEXT\"], space-separated in the form: tcp::8080-10.77.0.10:80 is host "
		  "8080 to 10.77.0.10 port 80; PORTS may be a range (8000-8010-...:9000-9010); "
		  "tcp::8080-web/n0:80 goes to NIC n0 of VM web (its reserved IP)." },
	{ .name = "autostart",
	  .type = QNM_KEY_BOOL,
	  .offset = NETF(autostart),
	  .label = "Autostart",
	  .help = "Yes: 'qnm autostart' brings it up when the host boots." },
};

const struct qnm_schema qnm_net_schema = {
	.noun = "network",
	.keys = net_keys,
	.n = QNM_ARRAY_SIZE(net_keys),
	.selector = "mode",
	.clear_hidden = true,
};

/* ---- lookups ---- */

const struct qnm_key *qnm_schema_find(const struct qnm_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++) /* the first letter before the call */
		if (s->keys[i].name[0] == name[0] && strcmp(s->keys[i].name, name) == 0)
			return &s->keys[i];
	return NULL;
}

void qnm_schema_list(const struct qnm_schema *s, struct qnm_strbuf *sb)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (i)
			qnm_sb_add(sb, ", ");
		qnm_sb_add(sb, s->keys[i].name);
	}
}

/* Typed access to a key's storage in @obj. */
static void *at(const void *obj, size_t off)
{
	return (char *)obj + off;
}

int qnm_schema_selected(const struct qnm_schema *s, const void *obj)
{
	const struct qnm_key *sel = s->selector ? qnm_schema_find(s, s->selector) : NULL;

	return sel ? qnm_key_get_int(sel, obj) : -1;
}

bool qnm_key_applies(const struct qnm_key *k, int sel)
{
	return !k->when || sel < 0 || (k->when & QNM_WHEN(sel));
}

/* A strict schema's key in @obj: does it apply (@group: or is it in the option group)? */
static bool key_in_use(const struct qnm_schema *s, const struct qnm_key *k, const void *obj,
		       bool group)
{
	int sel;

	if (!s->strict)
		return true;
	sel = qnm_schema_selected(s, obj);
	return qnm_key_applies(k, sel) || (group && sel >= 0 && (k->group & QNM_WHEN(sel)));
}

bool qnm_schema_key_in_use(const struct qnm_schema *s, const struct qnm_key *k, const void *obj)
{
	return key_in_use(s, k, obj, false);
}

bool qnm_key_is_list(const struct qnm_key *k)
{
	return k->type == QNM_KEY_FWD || k->type == QNM_KEY_ARGV;
}

static size_t *count_of(const struct qnm_key *k, const void *obj)
{
	return at(obj, k->count_off);
}

/* ---- lifecycle: what keys own ---- */

static bool owns_memory(const struct qnm_key *k)
{
	return k->type == QNM_KEY_PATH || qnm_key_is_list(k);
}

void qnm_schema_clear(const struct qnm_schema *s, void *obj)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (owns_memory(&s->keys[i]))
			qnm_key_clear(&s->keys[i], obj);
}

void qnm_schema_copy(const struct qnm_schema *s, void *dst, const void *src)
{
	size_t i, j, n;

	for (i = 0; i < s->n; i++) {
		const struct qnm_key *k = &s->keys[i];
		void **d;
		const void *v;

		if (!owns_memory(k))
			continue; /* plain values came with the struct copy */
		d = at(dst, k->offset);
		v = *(void *const *)at(src, k->offset);
		if (k->type == QNM_KEY_PATH) {
			*d = xstrdup_or_null(v);
		} else if (k->type == QNM_KEY_FWD) {
			n = *count_of(k, src);
			/* with room to append, as qnm_fwd_add() expects */
			*d = n ? xreallocarray(NULL, qnm_room(n), sizeof(struct qnm_fwd)) : NULL;
			if (n)
				memcpy(*d, v, n * sizeof(struct qnm_fwd));
		} else if (k->type == QNM_KEY_ARGV) {
			n = *count_of(k, src);
			*d = n ? xreallocarray(NULL, n, sizeof(char *)) : NULL;
			for (j = 0; j < n; j++)
				((char **)*d)[j] = xstrdup(((char *const *)v)[j]);
		}
	}
}

static bool fwd_equal(const struct qnm_fwd *a, const struct qnm_fwd *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       a->guest_port == b->guest_port && a->span == b->span &&
	       strcmp(a->host_addr, b->host_addr) == 0 &&
	       strcmp(a->guest_addr, b->guest_addr) == 0 && strcmp(a->desc, b->desc) == 0 &&
	       strcmp(a->target, b->target) == 0;
}

static bool key_equal(const struct qnm_key *k, const void *a, const void *b)
{
	const void *pa = at(a, k->offset), *pb = at(b, k->offset);
	size_t i;

	switch (k->type) {
	case QNM_KEY_STR:
		return strcmp(pa, pb) == 0;
	case QNM_KEY_CIDR:
		/* no address: the prefix left from an earlier one means nothing */
		return strcmp(pa, pb) == 0 &&
		       (!*(const char *)pa || *(const unsigned *)at(a, k->count_off) ==
						      *(const unsigned *)at(b, k->count_off));
	case QNM_KEY_PATH:
		return qnm_streq(*(char *const *)pa, *(char *const *)pb);
	case QNM_KEY_UINT:
		return *(const unsigned *)pa == *(const unsigned *)pb;
	case QNM_KEY_BOOL:
	case QNM_KEY_LINK:
	case QNM_KEY_ENUM:
		return qnm_key_get_int(k, a) == qnm_key_get_int(k, b);
	case QNM_KEY_FWD:
	case QNM_KEY_ARGV:
		if (*count_of(k, a) != *count_of(k, b))
			return false;
		for (i = 0; i < *count_of(k, a); i++) {
			if (k->type == QNM_KEY_FWD
				    ? !fwd_equal(&(*(struct qnm_fwd *const *)pa)[i],
						 &(*(struct qnm_fwd *const *)pb)[i])
				    : strcmp((*(char **const *)pa)[i], (*(char **const *)pb)[i]))
				return false;
		}
		return true;
	}
	return false;
}

bool qnm_schema_equal(const struct qnm_schema *s, const void *a, const void *b)
{
	size_t i;

	/* a strict schema's keys that do not apply are not part of the object (nor of its file) */
	for (i = 0; i < s->n; i++)
		if (key_in_use(s, &s->keys[i], a, false) && !key_equal(&s->keys[i], a, b))
			return false;
	return true;
}

/* ---- values from text ---- */

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static int parse_choice(const struct qnm_enum *e, const char *s)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(s, e->names[i]) == 0)
			return (int)i;
	return -1;
}

static void set_path(char **dst, const char *text)
{
	free(*dst);
	*dst = text[0] ? xstrdup(text) : NULL;
}

/* The longest text of one value of @k (of one entry, for a list). */
static size_t entry_maxlen(const struct qnm_key *k)
{
	switch (k->type) {
	case QNM_KEY_STR:
		return k->size - 1;
	case QNM_KEY_UINT:
		return 10; /* UINT_MAX's digits */
	case QNM_KEY_FWD:  /* the longest forward, with a range and a description */
		return sizeof("tcp+udp:255.255.255.255:65535-65535-255.255.255.255:65535-65535 "
			      "desc=\"\"") -
		       1 + QNM_FWD_DESC_MAX;
	case QNM_KEY_CIDR:
		return QNM_CIDR_LEN - 1;
	default:
		return QNM_TEXT_MAX;
	}
}

void qnm_key_reserve(const struct qnm_key *k, void *obj, size_t n)
{
	struct qnm_fwd **v;

	if (k->type != QNM_KEY_FWD)
		return;
	v = (struct qnm_fwd **)at(obj, k->offset);
	if (n > k->max) /* qnm_key_set() refuses the ones after that */
		n = k->max;
	/* qnm_grow()'s arrays have qnm_room() entries: so has this one */
	if (n > 1 && !*v && !*count_of(k, obj))
		*v = xreallocarray(NULL, qnm_room(n), sizeof(**v));
}

int qnm_key_set(const struct qnm_key *k, void *obj, const char *value, const char *fn,
		unsigned line, const char *field, struct qnm_err *err)
{
	char *p = at(obj, k->offset);

	if ((k->type == QNM_KEY_PATH || k->type == QNM_KEY_ARGV) && strlen(value) > entry_maxlen(k))
		return qnm_err_set(err, -EINVAL, field,
				   "%s:%u: %s: at most %zu characters (this value has %zu)", fn,
				   line, field, entry_maxlen(k), strlen(value));
	if (qnm_key_is_list(k) && *count_of(k, obj) >= k->max)
		return qnm_err_set(err, -EINVAL, field, "%s:%u: %s: at most %lu entries", fn, line,
				   field, k->max);
	switch (k->type) {
	case QNM_KEY_STR:
		if (strlen(value) >= k->size)
			return qnm_err_set(err, -EINVAL, field,
					   "%s:%u: %s: '%s' is too long (at most %zu characters)",
					   fn, line, field, value, k->size - 1);
		qnm_strlcpy(p, value, k->size);
		return 0;
	case QNM_KEY_PATH:
		set_path((char **)(void *)p, value);
		return 0;
	case QNM_KEY_UINT: {
		unsigned long v;

		if (qnm_parse_uint(value, k->min, k->max, &v))
			return qnm_err_set(
				err, -EINVAL, field,
				"%s:%u: %s: '%s' must be a whole number from %lu to %lu%s%s", fn,
				line, field, value, k->min, k->max, k->unit ? " " : "",
				k->unit ? k->unit : "");
		*(unsigned *)(void *)p = (unsigned)v;
		return 0;
	}
	case QNM_KEY_BOOL:
		if (!parse_bool(value, (bool *)(void *)p))
			return qnm_err_set(err, -EINVAL, field, "%s:%u: %s: '%s' must be yes or no",
					   fn, line, field, value);
		return 0;
	case QNM_KEY_LINK:
		if (strcmp(value, "up") == 0)
			*(bool *)(void *)p = true;
		else if (strcmp(value, "down") == 0)
			*(bool *)(void *)p = false;
		else
			return qnm_err_set(err, -EINVAL, field,
					   "%s:%u: %s: '%s' must be up or down", fn, line, field,
					   value);
		return 0;
	case QNM_KEY_ENUM: {
		int v = parse_choice(k->choices, value);

		if (v < 0) {
			struct qnm_strbuf sb;
			size_t i;

			qnm_sb_init(&sb);
			for (i = 0; i < k->choices->n; i++)
				qnm_sb_addf(&sb, "%s%s", i ? ", " : "", k->choices->names[i]);
			qnm_err_set(err, -EINVAL, field, "%s:%u: %s: '%s' must be one of: %s", fn,
				    line, field, value, sb.s);
			qnm_sb_free(&sb);
			return -EINVAL;
		}
		/* All qnm enums are int-sized. */
		*(int *)(void *)p = v;
		return 0;
	}
	case QNM_KEY_FWD: {
		struct qnm_fwd **v = (struct qnm_fwd **)(void *)p;
		size_t *n = count_of(k, obj);
		struct qnm_err e2;

		/* parsed into its place at the end (qnm_fwd_add() without a copy) */
		*v = qnm_grow(*v, *n, sizeof(**v));
		if (qnm_fwd_parse(value, &(*v)[*n], field, &e2)) {
			if (!*n) { /* as it was */
				free(*v);
				*v = NULL;
			}
			return qnm_err_set(err, -EINVAL, field, "%s:%u: %s", fn, line, e2.msg);
		}
		(*n)++;
		return 0;
	}
	case QNM_KEY_ARGV: {
		char ***v = (char ***)(void *)p;
		size_t *n = count_of(k, obj);

		if (!value[0])
			return qnm_err_set(err, -EINVAL, field, "%s:%u: %s: empty argument", fn,
					   line, field);
		*v = xreallocarray(*v, *n + 1, sizeof(char *));
		(*v)[(*n)++] = xstrdup(value);
		return 0;
	}
	case QNM_KEY_CIDR: {
		uint32_t a;
		unsigned prefix;

		if (!value[0]) {
			p[0] = '\0';
			return 0;
		}
		if (qnm_parse_cidr(value, &a, &prefix))
			return qnm_err_set(
				err, -EINVAL, field,
				"%s:%u: %s: '%s' must be an IPv4 address with prefix, like 10.77.0.1/24",
				fn, line, field, value);
		qnm_format_ipv4(a, p);
		*(unsigned *)at(obj, k->count_off) = prefix;
		return 0;
	}
	}
	return -EINVAL;
}

/* ---- writing ---- */

/* Is @k set in @obj (worth a line in the file)? */
static bool key_written(const struct qnm_key *k, const void *obj)
{
	const char *p = at(obj, k->offset);

	switch (k->type) {
	case QNM_KEY_STR:
		return p[0] || k->write_empty;
	case QNM_KEY_PATH:
		return *(char *const *)(const void *)p != NULL;
	case QNM_KEY_FWD:
	case QNM_KEY_ARGV:
		return *count_of(k, obj) != 0;
	case QNM_KEY_CIDR:
		return p[0] != '\0';
	default:
		return true;
	}
}

/* The text of a one-value key as written in files. */
static void value_text(const struct qnm_key *k, const void *obj, struct qnm_strbuf *sb)
{
	const char *p = at(obj, k->offset);

	switch (k->type) {
	case QNM_KEY_STR:
		qnm_sb_add(sb, p);
		break;
	case QNM_KEY_PATH:
		if (*(char *const *)(const void *)p)
			qnm_sb_add(sb, *(char *const *)(const void *)p);
		break;
	case QNM_KEY_UINT:
		qnm_sb_addf(sb, "%u", *(const unsigned *)(const void *)p);
		break;
	case QNM_KEY_BOOL:
		qnm_sb_add(sb, *(const bool *)(const void *)p ? "yes" : "no");
		break;
	case QNM_KEY_LINK:
		qnm_sb_add(sb, *(const bool *)(const void *)p ? "up" : "down");
		break;
	case QNM_KEY_ENUM: {
		int v = *(const int *)(const void *)p;

		qnm_sb_add(sb, v >= 0 && (size_t)v < k->choices->n ? k->choices->names[v] : "?");
		break;
	}
	case QNM_KEY_CIDR:
		if (p[0])
			qnm_sb_addf(sb, "%s/%u", p, *(const unsigned *)at(obj, k->count_off));
		break;
	case QNM_KEY_FWD:
	case QNM_KEY_ARGV:
		break;
	}
}

/* The text of entry @i of a list key. */
static void entry_text(const struct qnm_key *k, const void *obj, size_t i, struct qnm_strbuf *sb)
{
	const void *v = *(void *const *)at(obj, k->offset);
	char buf[QNM_FWD_TEXT_LEN];

	if (k->type == QNM_KEY_FWD) {
		qnm_fwd_format(&((const struct qnm_fwd *)v)[i], buf, sizeof(buf));
		qnm_sb_add(sb, buf);
	} else {
		qnm_sb_add(sb, ((char *const *)v)[i]);
	}
}

void qnm_schema_write(const struct qnm_schema *s, const void *obj, struct qnm_strbuf *sb,
		      bool comments)
{
	struct qnm_strbuf v;
	size_t i, j;

	qnm_sb_init(&v);
	for (i = 0; i < s->n; i++) {
		const struct qnm_key *k = &s->keys[i];

		if (!key_in_use(s, k, obj, false) || !key_written(k, obj))
			continue;
		if (comments && k->help)
			qnm_sb_addf(sb, "# %s\n", k->help);
		if (qnm_key_is_list(k)) {
			for (j = 0; j < *count_of(k, obj); j++) {
				v.len = 0;
				v.s[0] = '\0';
				entry_text(k, obj, j, &v);
				qnm_kf_write_value(sb, k->name, v.s);
			}
		} else {
			v.len = 0;
			v.s[0] = '\0';
			value_text(k, obj, &v);
			if (k->type == QNM_KEY_STR || k->type == QNM_KEY_PATH)
				qnm_kf_write_value(sb, k->name, v.s);
			else
				qnm_sb_addf(sb, "%s = %s\n", k->name, v.s);
		}
	}
	qnm_sb_free(&v);
}

/* ---- KEY=VALUE ---- */

/*
 * A text value a user gives (KEY=VALUE, a form) must be text: it reaches
 * --json, terminals and QEMU's command line. Tabs and newlines are kept where
 * text may hold them (append, extra arguments); a path may hold bytes of
 * another character set (a Latin-1 file name is a file name). Files keep
 * what they hold (an older qnm may have written such a value; refusing it
 * there would lose the VM).
 */
static int check_text(const struct qnm_key *k, const char *value, const char *field,
		      struct qnm_err *err)
{
	size_t n = strlen(value), i = 0;
	bool path = k->type == QNM_KEY_PATH && !k->text;

	if (k->type != QNM_KEY_STR && k->type != QNM_KEY_PATH && k->type != QNM_KEY_ARGV)
		return 0;
	while (i < n) {
		unsigned char c = (unsigned char)value[i];
		int len;

		if ((c >= 0x20 && c < 0x7f) || (!path && (c == '\t' || c == '\n'))) {
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: byte 0x%02x at position %zu is a control character "
					   "(not allowed here)",
					   field, c, i + 1);
		len = qnm_utf8_len(value + i, n - i);
		if (len > 0)
			i += (size_t)len;
		else if (path)
			i++;
		else
			return qnm_err_set(err, -EINVAL, field,
					   "%s: byte 0x%02x at position %zu is not UTF-8 text",
					   field, c, i + 1);
	}
	return 0;
}

/* qnm_key_set() for an assignment or a form: the message without its "FILE:LINE: ". */
static int key_assign(const struct qnm_key *k, void *obj, const char *value, const char *field,
		      struct qnm_err *err)
{
	struct qnm_err e2;
	int r = check_text(k, value, field, err);

	if (r)
		return r;
	r = qnm_key_set(k, obj, value, "", 0, field, &e2);

	if (r)
		return qnm_err_set(err, r, field, "%s",
				   strncmp(e2.msg, ":0: ", 4) == 0 ? e2.msg + 4 : e2.msg);
	return 0;
}

static int remove_entry(const struct qnm_key *k, void *obj, const char *value, const char *field,
			struct qnm_err *err)
{
	size_t *n = count_of(k, obj);
	size_t i;

	if (k->type == QNM_KEY_FWD) {
		struct qnm_fwd **v = at(obj, k->offset);
		struct qnm_fwd f;

		if (qnm_fwd_parse(value, &f, field, err))
			return -EINVAL;
		for (i = 0; i < *n; i++) {
			const struct qnm_fwd *g = &(*v)[i];

			if (g->proto == f.proto &&
			    qnm_fwd_covers(g, f.proto == QNM_PROTO_BOTH ? QNM_PROTO_TCP : f.proto,
					   f.host_port) &&
			    (!f.host_addr[0] || strcmp(g->host_addr, f.host_addr) == 0))
				return qnm_fwd_del(v, n, i);
		}
	} else {
		char ***v = at(obj, k->offset);

		for (i = 0; i < *n; i++) {
			if (strcmp((*v)[i], value) == 0) {
				free((*v)[i]);
				memmove(&(*v)[i], &(*v)[i + 1], (*n - i - 1) * sizeof(char *));
				(*n)--;
				return 0;
			}
		}
	}
	return qnm_err_set(err, -ENOENT, field, "%s: '%s' is not in the list", field, value);
}

int qnm_schema_assign(const struct qnm_schema *s, void *obj, const char *assignment,
		      const char *prefix, struct qnm_err *err)
{
	const char *eq = strchr(assignment, '=');
	const struct qnm_key *k;
	char key[48], field[96];
	char op = '=';
	size_t klen;

	if (!eq || eq == assignment)
		return qnm_err_set(err, -EINVAL, "",
				   "'%s' must be KEY=VALUE (or KEY+=VALUE, KEY-=VALUE for lists)",
				   assignment);
	klen = (size_t)(eq - assignment);
	if (eq[-1] == '+' || eq[-1] == '-') {
		op = eq[-1];
		klen--;
	}
	if (klen >= sizeof(key))
		return qnm_err_set(err, -EINVAL, "", "unknown key in '%s'", assignment);
	memcpy(key, assignment, klen);
	key[klen] = '\0';
	snprintf(field, sizeof(field), "%s%s", prefix, key);
	k = qnm_schema_find(s, key);
	if (!k) {
		struct qnm_strbuf sb;

		qnm_sb_init(&sb);
		qnm_schema_list(s, &sb);
		qnm_err_set(err, -EINVAL, field, "%s: unknown key (known: %s)", field, sb.s);
		qnm_sb_free(&sb);
		return -EINVAL;
	}
	if (!key_in_use(s, k, obj, false))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: does not apply to this %s's %s (set %s= first)", field,
				   s->noun, s->selector, s->selector);
	if (op != '=' && !qnm_key_is_list(k))
		return qnm_err_set(err, -EINVAL, field, "%s: '%c=' only works on list keys", field,
				   op);
	if (op == '-')
		return remove_entry(k, obj, eq + 1, field, err);
	if (qnm_key_is_list(k) && op == '=')
		qnm_key_clear(k, obj);
	if (qnm_key_is_list(k) && !eq[1])
		return 0;
	return key_assign(k, obj, eq + 1, field, err);
}

/* ---- JSON ---- */

json_object *qnm_fwd_json(const char *kind, const struct qnm_fwd *f)
{
	json_object *o = json_object_new_object();

	if (kind)
		json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "proto", json_object_new_string(qnm_proto_name(f->proto)));
	json_object_object_add(o, "host_addr", json_object_new_string(f->host_addr));
	json_object_object_add(o, "host_port", json_object_new_int(f->host_port));
	json_object_object_add(o, "guest_addr", json_object_new_string(f->guest_addr));
	json_object_object_add(o, "guest_port", json_object_new_int(f->guest_port));
	/* a range: its last ports; one port: the same as the first */
	json_object_object_add(o, "host_port_last", json_object_new_int(f->host_port + f->span));
	json_object_object_add(o, "guest_port_last", json_object_new_int(f->guest_port + f->span));
	json_object_object_add(o, "desc", json_object_new_string(f->desc));
	if (f->target[0])
		json_object_object_add(o, "target", json_object_new_string(f->target));
	return o;
}

/* A JSON string of @s: bytes that are not UTF-8 (a path from an older file) become U+FFFD. */
static json_object *json_text(const char *s)
{
	char *t = qnm_utf8_copy(s);
	json_object *j = json_object_new_string(t);

	free(t);
	return j;
}

static json_object *key_json(const struct qnm_key *k, const void *obj)
{
	const void *p = at(obj, k->offset);
	struct qnm_strbuf sb;
	json_object *j;
	size_t i;

	switch (k->type) {
	case QNM_KEY_PATH:
		if (!*(char *const *)p)
			return NULL;
		return json_text(*(char *const *)p);
	case QNM_KEY_UINT:
		return json_object_new_int((int)*(const unsigned *)p);
	case QNM_KEY_BOOL:
		return json_object_new_boolean(*(const bool *)p);
	case QNM_KEY_FWD:
	case QNM_KEY_ARGV:
		j = json_object_new_array();
		qnm_sb_init(&sb);
		for (i = 0; i < *count_of(k, obj); i++) {
			if (k->type == QNM_KEY_FWD && !k->json_text) {
				json_object_array_add(
					j, qnm_fwd_json(NULL, &(*(struct qnm_fwd *const *)p)[i]));
				continue;
			}
			sb.len = 0;
			sb.s[0] = '\0';
			entry_text(k, obj, i, &sb);
			json_object_array_add(j, json_text(sb.s));
		}
		qnm_sb_free(&sb);
		return j;
	default:
		qnm_sb_init(&sb);
		value_text(k, obj, &sb);
		j = json_text(sb.s);
		qnm_sb_free(&sb);
		return j;
	}
}

void qnm_schema_json(const struct qnm_schema *s, const void *obj, json_object *o)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct qnm_key *k = &s->keys[i];

		if (key_in_use(s, k, obj, true))
			json_object_object_add(o, k->json ? k->json : k->name, key_json(k, obj));
	}
}

/* ---- help ---- */

/* Append @text to @sb wrapped at 80 columns, lines after the first indented by @indent. */
static void add_wrapped(struct qnm_strbuf *sb, const char *text, size_t col, size_t indent)
{
	const char *w = text;

	while (*w) {
		size_t n = strcspn(w, " ");

		if (col > indent && col + 1 + n > 79) {
			qnm_sb_addf(sb, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			qnm_sb_addc(sb, ' ');
			col++;
		}
		qnm_sb_addn(sb, w, n);
		col += n;
		w += n;
		w += strspn(w, " ");
	}
	qnm_sb_addc(sb, '\n');
}

void qnm_schema_help(const struct qnm_schema *s, struct qnm_strbuf *sb)
{
	const struct qnm_key *sel = s->strict ? qnm_schema_find(s, s->selector) : NULL;
	const size_t indent = 14;
	struct qnm_strbuf tags, line;
	size_t i, v;

	qnm_sb_init(&tags);
	qnm_sb_init(&line);
	for (i = 0; i < s->n; i++) {
		const struct qnm_key *k = &s->keys[i];

		tags.len = line.len = 0;
		tags.s[0] = line.s[0] = '\0';
		/* "(user, slirp; list)": where a NIC key applies, and whether it repeats */
		for (v = 0; sel && k->when && v < sel->choices->n; v++)
			if (k->when & QNM_WHEN(v))
				qnm_sb_addf(&tags, "%s%s", tags.len ? ", " : "",
					    sel->choices->names[v]);
		if (qnm_key_is_list(k))
			qnm_sb_addf(&tags, "%slist", tags.len ? "; " : "");
		if (tags.len)
			qnm_sb_addf(&line, "(%s) ", tags.s);
		qnm_sb_add(&line, k->help);
		qnm_sb_addf(sb, "  %-*s", (int)indent - 2, k->name);
		add_wrapped(sb, line.s, indent, indent);
	}
	qnm_sb_free(&tags);
	qnm_sb_free(&line);
}

/* ---- form rows ---- */

char *qnm_key_text(const struct qnm_key *k, const void *obj)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	if (qnm_key_is_list(k)) {
		for (i = 0; i < *count_of(k, obj); i++) {
			if (i)
				qnm_sb_addc(&sb, ' ');
			entry_text(k, obj, i, &sb);
		}
	} else {
		value_text(k, obj, &sb);
	}
	return qnm_sb_steal(&sb);
}

int qnm_key_maxlen(const struct qnm_key *k)
{
	/* a list's row: every entry, one blank between them */
	if (qnm_key_is_list(k))
		return (int)(k->max * (entry_maxlen(k) + 1) - 1);
	return (int)entry_maxlen(k);
}

/*
 * A form's list of forwards: separated by blanks or commas, each maybe
 * followed by its desc="TEXT" (blanks inside the quotes belong to it).
 */
static int fwd_set_text(const struct qnm_key *k, void *obj, const char *text, struct qnm_err *err)
{
	struct qnm_strbuf one;
	const char *p = text;
	int r = 0;

	qnm_key_clear(k, obj);
	qnm_sb_init(&one);
	while (!r) {
		size_t n;

		p += strspn(p, " \t,");
		if (!*p)
			break;
		n = strcspn(p, " \t,");
		one.len = 0;
		one.s[0] = '\0';
		qnm_sb_addf(&one, "%.*s", (int)n, p);
		p += n;
		n = strspn(p, " \t,");
		if (strncmp(p + n, "desc=", 5) == 0) {
			const char *d = p + n + 5, *e;

			e = *d == '"' ? strchr(d + 1, '"') : NULL;
			e = e ? e + 1 : d + strcspn(d, " \t,");
			qnm_sb_addf(&one, " %.*s", (int)(e - (p + n)), p + n);
			p = e;
		}
		r = key_assign(k, obj, one.s, k->name, err);
	}
	qnm_sb_free(&one);
	return r ? -EINVAL : 0;
}

int qnm_key_set_text(const struct qnm_key *k, void *obj, const char *text, struct qnm_err *err)
{
	char *copy, *save = NULL, *w;
	int r = 0;

	/* one rule, one message: a form's text is judged as a file's or KEY=VALUE's value */
	switch (k->type) {
	case QNM_KEY_FWD:
		return fwd_set_text(k, obj, text, err);
	case QNM_KEY_ARGV:
		/* QEMU arguments hold commas */
		qnm_key_clear(k, obj);
		copy = xstrdup(text);
		for (w = strtok_r(copy, " \t", &save); w && !r; w = strtok_r(NULL, " \t", &save))
			r = key_assign(k, obj, w, k->name, err);
		free(copy);
		return r ? -EINVAL : 0;
	default:
		if (check_text(k, text, k->name, err))
			return -EINVAL;
		return qnm_key_set(k, obj, text, "", 0, k->name, err);
	}
}

int qnm_key_get_int(const struct qnm_key *k, const void *obj)
{
	if (k->type == QNM_KEY_BOOL || k->type == QNM_KEY_LINK)
		return *(const bool *)at(obj, k->offset);
	return *(const int *)at(obj, k->offset);
}

void qnm_key_set_int(const struct qnm_key *k, void *obj, int v)
{
	if (k->type == QNM_KEY_BOOL || k->type == QNM_KEY_LINK)
		*(bool *)at(obj, k->offset) = v != 0;
	else
		*(int *)at(obj, k->offset) = v;
}

void qnm_key_clear(const struct qnm_key *k, void *obj)
{
	void *p = at(obj, k->offset);
	size_t i, *n;

	switch (k->type) {
	case QNM_KEY_STR:
	case QNM_KEY_CIDR:
		*(char *)p = '\0';
		break;
	case QNM_KEY_PATH:
		set_path(p, "");
		break;
	case QNM_KEY_UINT:
		*(unsigned *)p = 0;
		break;
	case QNM_KEY_BOOL:
	case QNM_KEY_LINK:
	case QNM_KEY_ENUM:
		qnm_key_set_int(k, obj, 0);
		break;
	case QNM_KEY_FWD:
	case QNM_KEY_ARGV:
		n = count_of(k, obj);
		if (k->type == QNM_KEY_ARGV)
			for (i = 0; i < *n; i++)
				free((*(char ***)p)[i]);
		free(*(void **)p);
		*(void **)p = NULL;
		*n = 0;
		break;
	}
}
