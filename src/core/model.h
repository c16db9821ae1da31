/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * model.h - what qnm manages: VMs, their NICs, host networks, forwards.
 *
 * The model is plain data. Fixed-size char arrays are used for short,
 * bounded values (names, interface names, addresses) so that copies are
 * cheap and a form can edit a copy and commit it in one step; heap strings
 * are used for paths and free text. Every object has a _new/_free (or
 * _init/_clear for embedded ones) and a deep _copy.
 *
 * The syntax of names and addresses lives in core/addr.h, validation of
 * whole objects in core/validate.h, files in core/config.h, QEMU argv in
 * guest/cmdline.h, per-backend behaviour behind core/backend.h.
 */
#ifndef QNM_MODEL_H
#define QNM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define QNM_CIDR_LEN	 19 /* "255.255.255.255/32" + NUL */
#define QNM_IPV6_NET_LEN 44 /* "ffff:...:ffff/128" + NUL */
#define QNM_MAC_LEN	 18 /* "52:54:00:12:34:56" + NUL */
#define QNM_MODEL_MAX	 48 /* device model name */
#define QNM_MACHINE_MAX	 48
#define QNM_PROPS_MAX	 256 /* a NIC's extra device properties "k=v,k=v" */
#define QNM_NICS_MAX	 64  /* NICs of a VM (files with more are refused) */

/* An IPv6 address "ffff:...:ffff" + NUL. */
#define QNM_IPV6_ADDR_LEN 40

/* A forward's target "VM/NIC" + NUL. */
#define QNM_TARGET_LEN (2 * (QNM_NAME_MAX + 1))

/** enum qnm_proto - transport protocol of a port forward. */
enum qnm_proto {
	QNM_PROTO_TCP,
	QNM_PROTO_UDP,
	QNM_PROTO_BOTH, /* "tcp+udp": one forward entry for both */
};

/*
 * A forward's ports may be a range ("8000-8010"): at most QNM_FWD_PORTS_MAX
 * ports. On a user/slirp NIC every port (and protocol) is a listening socket
 * of QEMU or the helper, so a NIC's forwards hold at most
 * QNM_FWD_SOCKETS_MAX of them: QEMU 7.2 does not raise its open-file limit,
 * and with the common limit of 1024 it failed at the 1,085th hostfwd rule.
 */
#define QNM_FWD_PORTS_MAX   1024
#define QNM_FWD_SOCKETS_MAX 512
#define QNM_FWD_DESC_MAX    48 /* description, printable ASCII without '"' and '\\' */

/**
 * struct qnm_fwd - one port forward: host side -> guest side.
 * @proto:      tcp, udp or both.
 * @host_addr:  host address to bind/match ("" = any).
 * @host_port:  host port, 1-65535 (the first of a range).
 * @guest_addr: guest address ("" = the guest's first DHCP address for
 *              user-mode NICs; required for network DNAT forwards).
 * @guest_port: guest port, 1-65535 (the first of a range).
 * @span:       ports after the first: host ports @host_port..@host_port+@span
 *              go to guest ports @guest_port..@guest_port+@span (0: one port).
 * @desc:       what it is for, shown beside it ("" = none).
 * @target:     network forwards only: "VM/NIC", a TAP NIC on the network
 *              whose reserved address (qnm_tap_opts.ip) is the guest side;
 *              "" when the forward names an address. In the model
 *              @guest_addr then holds the NIC's reservation as loaded
 *              (core/reserve.h: qnm_model_resolve_targets()); files keep
 *              the target ("tcp::8080-web/n0:80").
 * @guest_addr6: network forwards to a @target on a network with IPv6
 *              only: the NIC's IPv6 address there (core/ipv6net.h:
 *              qnm_net_ipv6_guest()), set with @guest_addr as loaded, ""
 *              otherwise; the same forward then also answers on the
 *              host's IPv6 addresses (never saved).
 *
 * Used both for QEMU hostfwd= on user/slirp NICs and for DNAT rules on a
 * host network: one list in the UI, two mechanisms underneath.
 */
struct qnm_fwd {
	enum qnm_proto proto;
	char host_addr[QNM_IPV4_LEN];
	uint16_t host_port;
	char guest_addr[QNM_IPV4_LEN];
	uint16_t guest_port;
	uint16_t span;
	char desc[QNM_FWD_DESC_MAX + 1];
	char target[QNM_TARGET_LEN];
	char guest_addr6[QNM_IPV6_ADDR_LEN];
};

/** enum qnm_backend_kind - how a NIC reaches the world; see backend.h. */
enum qnm_backend_kind {
	QNM_BACKEND_USER,    /* QEMU's built-in SLIRP, -netdev user */
	QNM_BACKEND_SLIRP,   /* qnm's libslirp helper, -netdev stream */
	QNM_BACKEND_TAP,     /* a TAP device, optionally on a bridge */
	QNM_BACKEND_BRIDGE,  /* qemu-bridge-helper, -netdev bridge */
	QNM_BACKEND_PASST,   /* Debian's passt, one process per NIC, -netdev stream */
	QNM_BACKEND_PRIVATE, /* a private segment: a VDE switch of the user, -netdev vde */
	QNM_BACKEND__COUNT
};

/* The backend of a new NIC: QEMU's user mode, which needs nothing of the host. */
#define QNM_NIC_DEFAULT_BACKEND QNM_BACKEND_USER

/**
 * struct qnm_user_opts - options of the user and slirp backends (passt uses
 * @ipv6 and @fwd).
 * @net:       guest network in CIDR ("" = QEMU's 10.0.2.0/24).
 * @host:      host alias address seen by the guest ("" = default .2).
 * @dhcpstart: first DHCP address ("" = default .15).
 * @dns:       DNS server address seen by the guest ("" = default .3).
 * @restrict_: when true the guest cannot reach outside (restrict=on).
 * @ipv6:      IPv6 on (QEMU default) or off.
 * @ipv6_net:  the IPv6 prefix of the guest network ("2001:db8::/64"; "" =
 *             the default fec0::/64), user and slirp only (core/ipv6net.h).
 * @fwd:       host forwards (hostfwd=), @nfwd of them.
 * @smb:       directory exported over SMB, or NULL (user backend only).
 */
struct qnm_user_opts {
	char net[QNM_CIDR_LEN];
	char host[QNM_IPV4_LEN];
	char dhcpstart[QNM_IPV4_LEN];
	char dns[QNM_IPV4_LEN];
	bool restrict_;
	bool ipv6;
	char ipv6_net[QNM_IPV6_NET_LEN];
	struct qnm_fwd *fwd;
	size_t nfwd;
	char *smb;
};

/**
 * struct qnm_tap_opts - options of the tap backend.
 * @ifname:  TAP interface name ("" = qnm picks "qnm-VM-N" style name).
 * @create:  true when qnm creates (and later removes) the TAP; false to use
 *           an existing one made by the admin.
 * @network: name of a qnm network whose bridge the TAP joins, or "".
 * @bridge:  name of an existing host bridge to join when @network is "".
 * @vhost:   ask QEMU for vhost-net acceleration.
 * @ip:      on a qnm network with DHCP: the address its dnsmasq reserves
 *           for this NIC's MAC (picked once when "", core/reserve.h);
 *           forwards to the NIC follow it.
 */
struct qnm_tap_opts {
	char ifname[QNM_IFNAME_MAX + 1];
	bool create;
	char network[QNM_NAME_MAX + 1];
	char bridge[QNM_IFNAME_MAX + 1];
	bool vhost;
	char ip[QNM_IPV4_LEN];
};

/**
 * struct qnm_bridge_opts - options of the bridge-helper backend.
 * @br:     host bridge the helper attaches the TAP to.
 * @helper: helper path, or NULL for QEMU's default.
 */
struct qnm_bridge_opts {
	char br[QNM_IFNAME_MAX + 1];
	char *helper;
};

/**
 * struct qnm_private_opts - options of the private backend.
 * @segment: the private segment's name: the NICs of the user's guests
 *           that name the same segment share one L2 (guest/segment.h).
 */
struct qnm_private_opts {
	char segment[QNM_NAME_MAX + 1];
};

/**
 * struct qnm_nic - one guest network card.
 * @id:      netdev id, unique in its VM (e.g. "n0", "mynic0").
 * @model:   QEMU device model (e1000, rtl8139, virtio-net-pci, ...).
 * @mac:     MAC address "xx:xx:xx:xx:xx:xx", or "" until generated.
 * @props:   more QEMU properties of the device, "name=value,name=value"
 *           ("rx_queue_size=1024,mrg_rxbuf=off"), or "" (see
 *           qnm_check_props()); appended to its -device.
 * @link_up: cable plugged at start (false: QEMU link down).
 * @backend: which of the option groups below is in use.
 * @user:    options of QNM_BACKEND_USER and QNM_BACKEND_SLIRP (and the
 *           forwards and IPv6 switch of QNM_BACKEND_PASST).
 * @tap:     options of QNM_BACKEND_TAP.
 * @bridge:  options of QNM_BACKEND_BRIDGE.
 * @priv:    options of QNM_BACKEND_PRIVATE.
 *
 * The inactive option groups are kept (a form that switches backend and
 * back loses nothing) but are neither validated nor saved.
 */
struct qnm_nic {
	char id[QNM_NAME_MAX + 1];
	char model[QNM_MODEL_MAX];
	char mac[QNM_MAC_LEN];
	char props[QNM_PROPS_MAX];
	bool link_up;
	enum qnm_backend_kind backend;
	struct qnm_user_opts user;
	struct qnm_tap_opts tap;
	struct qnm_bridge_opts bridge;
	struct qnm_private_opts priv;
};

/** enum qnm_accel - accelerator; AUTO = KVM when /dev/kvm is usable, else TCG. */
enum qnm_accel {
	QNM_ACCEL_AUTO,
	QNM_ACCEL_KVM,
	QNM_ACCEL_TCG,
};

/** enum qnm_boot - where the guest boots from. */
enum qnm_boot {
	QNM_BOOT_NONE,	 /* nothing (network boot, or extra args do it) */
	QNM_BOOT_DISK,	 /* @disk */
	QNM_BOOT_CDROM,	 /* @cdrom, with @disk attached if set */
	QNM_BOOT_KERNEL, /* @kernel + @initrd + @append */
};

/**
 * struct qnm_vm - one virtual machine.
 * @name:      unique name, also the config file's base name.
 * @arch:      QEMU target, qemu-system-@arch is run ("x86_64").
 * @memory_mb: memory in MiB.
 * @cpus:      virtual CPUs.
 * @machine:   machine type ("q35", "pc", ...; "" = QEMU default).
 * @accel:     accelerator.
 * @boot:      boot source kind.
 * @disk:      disk image path or NULL.
 * @cdrom:     ISO path or NULL.
 * @kernel:    kernel path or NULL.
 * @initrd:    initrd path or NULL.
 * @append:    kernel command line or NULL.
 * @extra:     extra QEMU arguments, one argv element each, @nextra of them.
 * @nics:      the NICs, @nnics of them.
 * @autostart: "qnm autostart" (at host boot) starts it.
 * @log_max_kib: the serial log's cap in KiB (the supervisor rotates it
 *             into serial.log.1 beyond it: at most twice this on disk).
 */
struct qnm_vm {
	char name[QNM_NAME_MAX + 1];
	char arch[16];
	unsigned memory_mb;
	unsigned cpus;
	char machine[QNM_MACHINE_MAX];
	enum qnm_accel accel;
	enum qnm_boot boot;
	char *disk;
	char *cdrom;
	char *kernel;
	char *initrd;
	char *append;
	char **extra;
	size_t nextra;
	struct qnm_nic *nics;
	size_t nnics;
	bool autostart;
	unsigned log_max_kib;
};

/* Default cap of a VM's serial log, in KiB (key log-max). */
#define QNM_LOG_MAX_KIB 1024

/** enum qnm_net_mode - how a host network reaches the outside. */
enum qnm_net_mode {
	QNM_NET_NAT,	  /* routed + masquerade out of @uplink */
	QNM_NET_BRIDGED,  /* physical @port enslaved to the bridge */
	QNM_NET_ISOLATED, /* guests and host only */
	QNM_NET_OVN,	  /* a logical switch of OVN, across hosts (host/ovn.h) */
};

/* An OVSDB remote: "unix:PATH" or "tcp:IPV4:PORT" (QNM_OVSDB_REMOTE_RULE). */
#define QNM_OVSDB_REMOTE_MAX 112

/**
 * struct qnm_network - a host network owned by qnm.
 * @name:       unique name, the config file's base name.
 * @bridge:     bridge interface name.
 * @address:    host address on the bridge ("" for bridged without address).
 * @prefix:     prefix length of @address, 1-32.
 * @mode:       nat, bridged or isolated.
 * @uplink:     NAT uplink interface ("" = any/default route) (nat only).
 * @port:       physical port to enslave (bridged only).
 * @dhcp_start: first DHCP address ("" = no DHCP).
 * @dhcp_end:   last DHCP address.
 * @ipv6:       IPv6 on the network (nat and isolated): "" or "none" for
 *              none, "auto" for a ULA /64 derived from @name, or a /64
 *              prefix "2001:db8:1:2::/64" (core/ipv6net.h).
 * @fwd:        port forwards (DNAT) into the network, @nfwd of them.
 * @autostart:  "qnm autostart" (at host boot) brings it up.
 * @ovn_nb:     ovn only: the OVN northbound database ("tcp:IP:6641", "unix:PATH").
 * @gateway_host: ovn only: the chassis (OVS system-id) of the host whose
 *              @uplink carries the network's NAT and forwards; "" for a
 *              network without a router (guests among themselves).
 * @gw_address: ovn with a gateway host: the router's own address on the
 *              uplink's LAN (SNAT source, where forwards listen), prefix
 *              @gw_prefix.
 *
 * On an ovn network @bridge is the host's integration bridge (br-int),
 * @address/@prefix the guests' gateway and subnet (the logical router's
 * port with a gateway host; DHCP's router option always).
 */
struct qnm_network {
	char name[QNM_NAME_MAX + 1];
	char bridge[QNM_IFNAME_MAX + 1];
	char address[QNM_IPV4_LEN];
	unsigned prefix;
	enum qnm_net_mode mode;
	char uplink[QNM_IFNAME_MAX + 1];
	char port[QNM_IFNAME_MAX + 1];
	char dhcp_start[QNM_IPV4_LEN];
	char dhcp_end[QNM_IPV4_LEN];
	char ipv6[QNM_IPV6_NET_LEN];
	struct qnm_fwd *fwd;
	size_t nfwd;
	bool autostart;
	char ovn_nb[QNM_OVSDB_REMOTE_MAX];
	char gateway_host[QNM_NAME_MAX + 1];
	char gw_address[QNM_IPV4_LEN];
	unsigned gw_prefix;
};

/* ---- names of enum values, as written in config files and the CLI ---- */

/**
 * struct qnm_enum - the names of an enum's values, in value order.
 * @names: the names, @n of them.
 */
struct qnm_enum {
	const char *const *names;
	size_t n;
};

extern const struct qnm_enum qnm_backend_enum;
extern const struct qnm_enum qnm_accel_enum;
extern const struct qnm_enum qnm_boot_enum;
extern const struct qnm_enum qnm_net_mode_enum;

const char *qnm_proto_name(enum qnm_proto p);
int qnm_proto_parse(const char *s, enum qnm_proto *out);
const char *qnm_backend_name(enum qnm_backend_kind k);
int qnm_backend_parse(const char *s, enum qnm_backend_kind *out);
const char *qnm_accel_name(enum qnm_accel a);
int qnm_accel_parse(const char *s, enum qnm_accel *out);
const char *qnm_boot_name(enum qnm_boot b);
int qnm_boot_parse(const char *s, enum qnm_boot *out);
const char *qnm_net_mode_name(enum qnm_net_mode m);
int qnm_net_mode_parse(const char *s, enum qnm_net_mode *out);

/* ---- lifecycle ---- */

/**
 * qnm_vm_new() - allocate a VM with defaults (x86_64, 512 MiB, 1 CPU,
 * q35, accel auto, no boot source, no NICs).
 * @name: the VM's name (copied, truncated to QNM_NAME_MAX; validate first).
 * Return: the VM; free with qnm_vm_free().
 */
struct qnm_vm *qnm_vm_new(const char *name);
void qnm_vm_free(struct qnm_vm *vm);
/** qnm_vm_copy() - deep copy; free with qnm_vm_free(). */
struct qnm_vm *qnm_vm_copy(const struct qnm_vm *vm);
/** qnm_vm_equal() - deep comparison of every field. */
bool qnm_vm_equal(const struct qnm_vm *a, const struct qnm_vm *b);
/** qnm_vm_add_extra() - append one extra QEMU argument (copied). */
void qnm_vm_add_extra(struct qnm_vm *vm, const char *arg);

/**
 * qnm_nic_init() - set @nic to defaults: model virtio-net-pci, no MAC,
 * link up, user backend with IPv6 on.
 * @id: netdev id (copied).
 */
void qnm_nic_init(struct qnm_nic *nic, const char *id);
/** qnm_nic_clear() - free what @nic owns (not @nic itself). */
void qnm_nic_clear(struct qnm_nic *nic);
/** qnm_nic_copy() - deep copy @src into uninitialised @dst. */
void qnm_nic_copy(struct qnm_nic *dst, const struct qnm_nic *src);
bool qnm_nic_equal(const struct qnm_nic *a, const struct qnm_nic *b);

/**
 * qnm_vm_add_nic() - append a NIC with defaults and a free id ("n0", "n1", ...).
 * Return: the new NIC, owned by @vm (pointer valid until the next add/del).
 */
struct qnm_nic *qnm_vm_add_nic(struct qnm_vm *vm);
/** qnm_vm_del_nic() - remove NIC @index; Return: 0 or -ENOENT. */
int qnm_vm_del_nic(struct qnm_vm *vm, size_t index);
/** qnm_vm_find_nic() - NIC by id, or NULL. */
struct qnm_nic *qnm_vm_find_nic(const struct qnm_vm *vm, const char *id);

/**
 * qnm_fwd_add() - append a copy of @f to the array *@v of *@n entries
 * (NULL, or grown by qnm_grow(): made elsewhere, it has room for
 * qnm_room(*@n) entries).
 */
void qnm_fwd_add(struct qnm_fwd **v, size_t *n, const struct qnm_fwd *f);
/** qnm_fwd_del() - remove entry @index; Return: 0 or -ENOENT. */
int qnm_fwd_del(struct qnm_fwd **v, size_t *n, size_t index);
/**
 * qnm_fwd_format() - "tcp:127.0.0.1:2222-:22" (QEMU hostfwd syntax), with a
 * range "tcp::8000-8010-:8000-8010" and a description
 * ' desc="web farm"' when @f has them (what qnm_fwd_parse() reads back).
 * @buf: at least QNM_FWD_TEXT_LEN bytes.
 */
void qnm_fwd_format(const struct qnm_fwd *f, char *buf, size_t size);
#define QNM_FWD_TEXT_LEN 192 /* a target "VM/NIC" is up to 65 characters */
/**
 * qnm_ports_text() - "8000", or "8000-8010" for @first and @span ports after it.
 * @buf: at least 12 bytes.
 */
void qnm_ports_text(unsigned first, unsigned span, char *buf, size_t size);
/** qnm_fwd_format_spec() - qnm_fwd_format() without the description. */
void qnm_fwd_format_spec(const struct qnm_fwd *f, char *buf, size_t size);
/**
 * qnm_fwd_host_text() - the host side as people read it: "tcp *:8000-8010",
 * "tcp+udp 127.0.0.1:53".
 * @buf: at least 48 bytes.
 */
void qnm_fwd_host_text(const struct qnm_fwd *f, char *buf, size_t size);
/**
 * qnm_fwd_count() - how many single forwards (one protocol, one port) @f
 * stands for: its ports, twice for tcp+udp.
 */
size_t qnm_fwd_count(const struct qnm_fwd *f);
/**
 * qnm_fwd_nth() - single forward @i (0 <= @i < qnm_fwd_count()) of @f: tcp
 * ports first, then udp; @one gets no range and no description.
 */
void qnm_fwd_nth(const struct qnm_fwd *f, size_t i, struct qnm_fwd *one);
/** qnm_fwd_has_proto() - @f forwards protocol @p (tcp or udp). */
bool qnm_fwd_has_proto(const struct qnm_fwd *f, enum qnm_proto p);
/** qnm_fwd_covers() - @f forwards host port @port of protocol @p (tcp or udp). */
bool qnm_fwd_covers(const struct qnm_fwd *f, enum qnm_proto p, uint16_t port);
/**
 * qnm_fwd_overlap() - the host sides of @a and @b share a protocol, an
 * address (none given is every address) and a port.
 * @proto: where not NULL, the first shared protocol (tcp or udp).
 * @port:  where not NULL, the first shared port.
 */
bool qnm_fwd_overlap(const struct qnm_fwd *a, const struct qnm_fwd *b, enum qnm_proto *proto,
		     uint16_t *port);
/**
 * qnm_fwd_check_desc() - is @s a valid description: at most
 * QNM_FWD_DESC_MAX characters of printable ASCII, without '"' and '\\'?
 * @field: field name used in @err.
 * Return: 0 or -EINVAL with @err naming @field and the rule.
 */
struct qnm_err;
int qnm_fwd_check_desc(const char *s, const char *field, struct qnm_err *err);
/** enum qnm_fwd_reach - from where a forward's host side can be reached. */
enum qnm_fwd_reach {
	QNM_REACH_ALL,	/* no address (or 0.0.0.0): every host address, from every network */
	QNM_REACH_HOST, /* 127.0.0.0/8: this host only */
	QNM_REACH_ADDR, /* another address: whatever network reaches that address */
};

/** qnm_fwd_reach() - from where @f's host side can be reached. */
enum qnm_fwd_reach qnm_fwd_reach(const struct qnm_fwd *f);

/**
 * qnm_fwd_reach_text() - "all networks", "this host only" or
 * "ADDRESS's network" (what the Ports screen and --json outputs say).
 * @buf: at least 32 bytes.
 */
void qnm_fwd_reach_text(const struct qnm_fwd *f, char *buf, size_t size);

/**
 * qnm_fwd_exposure() - one plain sentence on who can reach @f, for where a
 * forward is set: "tcp::8080 listens on every host address (reachable from
 * all networks); give 127.0.0.1 (tcp:127.0.0.1:8080) to keep it on this
 * host", or "tcp:127.0.0.1:8080 is reachable from this host only".
 * @dnat: a DNAT forward of a network ("answers on" rather than "listens on":
 *        nothing binds it).
 * @buf:  at least 160 bytes.
 */
void qnm_fwd_exposure(const struct qnm_fwd *f, bool dnat, char *buf, size_t size);

/**
 * qnm_ovn_fwd_exposure() - the sentence of qnm_fwd_exposure() for forward @f
 * of an ovn network @net (its router's DNAT on the gateway host's uplink):
 * "tcp:10.99.0.5:8080 answers on the gateway address 10.99.0.5 only (...)".
 * @net: the ovn network (gateway_host, gw_address and uplink set).
 * @f:   one of its forwards.
 * @buf: where the sentence goes, @size bytes.
 * @size: size of @buf.
 */
void qnm_ovn_fwd_exposure(const struct qnm_network *net, const struct qnm_fwd *f, char *buf,
			  size_t size);

/**
 * qnm_fwd_parse() - parse QEMU hostfwd syntax
 * "[tcp|udp|tcp+udp]:[hostaddr]:hostports-[guestaddr]:guestports[ desc="TEXT"]"
 * where ports are "PORT" or a range "FIRST-LAST" (host and guest ranges of
 * one length). The separator is the last '-' before the guest side's ':'
 * (addresses hold no '-'), so "tcp::8000-8010-:9000-9010" reads one way
 * only. "both" is taken for "tcp+udp".
 * The guest address may instead be a target "VM/NIC" (@target, network
 * forwards).
 * @field: field name used in @err.
 * Return: 0, or -EINVAL with @err naming @field and the rule.
 */
int qnm_fwd_parse(const char *s, struct qnm_fwd *out, const char *field, struct qnm_err *err);

struct qnm_network *qnm_network_new(const char *name);
void qnm_network_free(struct qnm_network *net);
struct qnm_network *qnm_network_copy(const struct qnm_network *net);
bool qnm_network_equal(const struct qnm_network *a, const struct qnm_network *b);

/**
 * struct qnm_model - everything configured: all VMs and networks.
 * @vms:  the VMs, sorted by name, @nvms of them.
 * @nets: the networks, sorted by name, @nnets of them.
 */
struct qnm_model {
	struct qnm_vm **vms;
	size_t nvms;
	struct qnm_network **nets;
	size_t nnets;
};

void qnm_model_init(struct qnm_model *m);
void qnm_model_clear(struct qnm_model *m);
struct qnm_vm *qnm_model_find_vm(const struct qnm_model *m, const char *name);
struct qnm_network *qnm_model_find_net(const struct qnm_model *m, const char *name);
/** qnm_model_add_vm() - take ownership of @vm, keeping the list sorted. */
void qnm_model_add_vm(struct qnm_model *m, struct qnm_vm *vm);
/** qnm_model_remove_vm() - detach (not free) the VM named @name; Return: it or NULL. */
struct qnm_vm *qnm_model_remove_vm(struct qnm_model *m, const char *name);
void qnm_model_add_net(struct qnm_model *m, struct qnm_network *net);
struct qnm_network *qnm_model_remove_net(struct qnm_model *m, const char *name);

#endif
