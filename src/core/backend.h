/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend.h - the table of netdev backends (user, slirp, tap, bridge, passt).
 *
 * Each backend lives in its own file (backend-user.c, ...) and exports one
 * const struct qnm_backend_ops; qnm_backend_get() indexes the static table
 * (src/guest/backend.c). Everything that differs per backend is in its ops:
 * validation, QEMU options, the host side before/after QEMU, its doctor
 * checks, its texts, and what it has (forwards, counters, a host interface,
 * a bridge, a network). Adding a backend is adding a file and a table entry
 * (plus its NIC keys in the field schema).
 *
 * QNM_BACKEND_* names appear only in the backend files, this interface, the
 * enum (model.h) and the field schema (which keys apply to which backend);
 * everything else asks the ops.
 */
#ifndef QNM_BACKEND_H
#define QNM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"

struct qnm_cmdline_opts;
struct qnm_doc_result;
struct qnm_rundir;
struct qnm_runner_opts;

/**
 * struct qnm_nic_host - what the supervisor set up on the host for one NIC,
 * from the backend's @host_prepare to its @host_release.
 * @helper:   pid of the NIC's helper process (slirp helper, passt), or 0.
 * @made_tap: qnm created the NIC's TAP (and removes it after QEMU).
 * @bridge:   the bridge the NIC's host side joins ("" for none), resolved
 *            with @live_bridge before the supervisor forks.
 * @ovn_nb:   the NIC's network is an ovn one (@host_plan): its northbound
 *            database, and @bridge the integration bridge; "" otherwise.
 * @ovn_net:  that network's name.
 * @ovn_port: the TAP is on the integration bridge (@host_release takes it off).
 * @warning:  what @host_prepare found may go wrong without failing ("" when
 *            nothing): the supervisor passes it on to the start's warnings.
 */
struct qnm_nic_host {
	pid_t helper;
	bool made_tap;
	char bridge[QNM_IFNAME_MAX + 1];
	char ovn_nb[QNM_OVSDB_REMOTE_MAX];
	char ovn_net[QNM_NAME_MAX + 1];
	bool ovn_port;
	char warning[256];
};

/**
 * enum qnm_hop_live - what live numbers a box of the Modes screen's diagram
 * shows under its text.
 * @QNM_HOP_LIVE_NONE: none.
 * @QNM_HOP_LIVE_LINK: the rx/tx counters of the host link named in @link.
 * @QNM_HOP_LIVE_NIC:  the NIC's own out/in rates (its sampler entry), or
 *                     "counters not available" when its backend has none.
 * @QNM_HOP_LIVE_NIC_LINK: the rx/tx counters of the host link the sampler
 *                     found to be the NIC's (a TAP qemu-bridge-helper made:
 *                     its name is known only once it runs).
 */
enum qnm_hop_live { QNM_HOP_LIVE_NONE, QNM_HOP_LIVE_LINK, QNM_HOP_LIVE_NIC, QNM_HOP_LIVE_NIC_LINK };

/**
 * struct qnm_nic_counters - a NIC's traffic as counted beside it, host view:
 * rx is what the guest sent, tx what it received (for @nic_stats).
 */
struct qnm_nic_counters {
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
};

/* The most boxes a backend's @hops gives. */
#define QNM_HOPS_MAX 6

/**
 * struct qnm_hop - one box of a NIC's way out, after the guest's own box
 * (the Modes screen draws them as a chain: guest -> backend -> bridge -> ...).
 * @title:  what the box is ("TAP qt-web-0"), short.
 * @detail: one more fact ("made by qnm").
 * @live:   what live numbers it shows.
 * @link:   the host link of QNM_HOP_LIVE_LINK.
 */
struct qnm_hop {
	char title[40];
	char detail[48];
	enum qnm_hop_live live;
	char link[QNM_IFNAME_MAX + 1];
};

/**
 * struct qnm_backend_check - a host-readiness check that only one backend
 * needs; "qnm doctor" runs the checks of every backend, in table order,
 * after its own general ones about privileges.
 * @id:    short stable name ("bridge_conf"), for scripts and --json.
 * @title: what it checks, for people.
 * @run:   looks at the host for the NICs of its backend in @model and fills
 *         @res (initialised: status ok, empty).
 */
struct qnm_backend_check {
	const char *id;
	const char *title;
	void (*run)(const struct qnm_model *model, struct qnm_doc_result *res);
};

/**
 * struct qnm_backend_ops - what a backend knows how to do, and what it has.
 * Callers ask these fields instead of testing the backend's kind; a NULL
 * callback means the backend has no such thing.
 *
 * What it is:
 * @kind:            its enum value.
 * @name:            config/CLI name ("user", ...).
 * @netdev_type:     QEMU -netdev type it produces ("user", "stream", ...).
 * @summary:         one line for a beginner: what it is, what it needs.
 * @mode_title:      heading of its explanation on the Modes screen.
 * @mode_text:       that explanation: how it works, what it needs, its limits.
 * @conns_label:     how the Connections screen names its NICs (and, for a
 *                   backend with @conns, where the table comes from).
 *
 * What it needs and has:
 * @needs_net_admin: the host side needs CAP_NET_ADMIN.
 * @needs_qemu_slirp: QEMU itself must be built with libslirp (-netdev user).
 * @needs_ping_group: the guest's ping leaves through the host's unprivileged
 *                   ICMP sockets (net.ipv4.ping_group_range decides).
 * @opens_tun:       QEMU opens /dev/net/tun itself for the NIC.
 * @on_bridge:       the NIC's host side may sit on a Linux bridge.
 * @has_hostfwd:     the NIC forwards host ports to the guest (its
 *                   user.fwd list: QEMU hostfwd or the slirp helper's).
 * @slirp_helper:    qnm's slirp helper process serves the NIC: live
 *                   counters, forwards added while running, connections,
 *                   all through its control socket.
 *
 * Configuration and QEMU's command line:
 * @validate:        check the backend's options in @nic; 0 or -EINVAL
 *                   with @err naming the field ("nic[n0].net").
 * @netdev_opts:     append the options after "TYPE,id=ID" (each starting
 *                   with ',', values escaped with qnm_qemu_escape()), as
 *                   used by both -netdev and -nic.
 * @nic_form_ok:     true when the -nic short form can express @nic.
 * @label:           where the NIC attaches, in a few characters for lists
 *                   ("tap:net0", "bridge:br0"); NULL: the backend's @name.
 *
 * Host interfaces, bridges and networks:
 * @host_ifname:     the host interface of the NIC that qnm names (its
 *                   TAP): fills @buf (QNM_IFNAME_MAX + 1 bytes), true.
 * @network:         the qnm network the NIC joins, or NULL.
 * @own_bridge:      the host bridge the NIC names itself (not through a qnm
 *                   network), which must exist before it starts; NULL when
 *                   it names none ("" when it may but does not).
 * @live_bridge:     the bridge the NIC's host side joins while it runs
 *                   (its network's or its own), or NULL.
 *
 * Running it (guest/runner.c):
 * @host_plan:       before the supervisor forks, with the model: what of
 *                   the NIC's network @host_prepare needs, into @h (which
 *                   already holds @live_bridge).
 * @host_check:      before start, in the caller: is the host ready for
 *                   @nic? 0 or -errno with @err naming the field.
 * @host_prepare:    in the supervisor, before QEMU: set up the host side of
 *                   NIC @idx (recorded in @h).
 * @host_release:    in the supervisor, after QEMU exited: undo
 *                   @host_prepare as recorded in @h.
 * @reclaim:         after the VM's QEMU and supervisor are gone, before its
 *                   runtime dir @rd is removed: stop what @host_prepare
 *                   left running there (a killed supervisor released
 *                   nothing); a sentence per thing stopped is appended to
 *                   @report. Returns how many.
 * @hostfwd_live:    change the forwards of the running NIC @nic of the VM
 *                   whose runtime dir is @rundir: remove @del, then add
 *                   @add (either may be NULL), waiting at most @timeout_ms
 *                   for the answer; 0 or -errno.
 * @helper_name:     what serves the NIC beside QEMU ("passt"), for people;
 *                   NULL when nothing does.
 * @helper_argv:     the command that runs that helper by hand, before QEMU
 *                   (the pasted script): appended to @argv (@exe is qnm's
 *                   own binary, @rundir the VM's runtime dir); returns the
 *                   socket QEMU connects to (caller frees).
 * @helper_pid:      the pid of that helper while it runs for NIC @nic of the
 *                   VM whose runtime dir is @rundir (it holds the NIC's
 *                   forwarded host ports), 0 when none runs.
 * @nic_stats:       the live counters of NIC @idx of the running VM @vm
 *                   (runtime dir @rundir) from what serves it beside QEMU
 *                   (the private segment's switch), waiting at most
 *                   @timeout_ms; 0 or -errno with @err saying why not.
 * @conns:           the NIC's connection table as text, from the running
 *                   VM (*@text owned by the caller); 0 or -errno.
 *
 * Explaining it:
 * @hops:            the boxes of NIC @idx's way out after the guest's own
 *                   (@h holds QNM_HOPS_MAX, zeroed); returns how many.
 * @checks:          its own host-readiness checks for "qnm doctor",
 *                   @nchecks of them.
 */
struct qnm_backend_ops {
	enum qnm_backend_kind kind;
	const char *name;
	const char *netdev_type;
	const char *summary;
	const char *mode_title;
	const char *mode_text;
	const char *conns_label;

	bool needs_net_admin;
	bool needs_qemu_slirp;
	bool needs_ping_group;
	bool opens_tun;
	bool on_bridge;
	bool has_hostfwd;
	bool slirp_helper;

	int (*validate)(const struct qnm_nic *nic, struct qnm_err *err);
	int (*netdev_opts)(const struct qnm_vm *vm, const struct qnm_nic *nic,
			   const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			   struct qnm_err *err);
	bool (*nic_form_ok)(const struct qnm_nic *nic);
	void (*label)(const struct qnm_nic *nic, char *buf, size_t size);

	bool (*host_ifname)(const struct qnm_vm *vm, size_t idx, char *buf);
	const char *(*network)(const struct qnm_nic *nic);
	const char *(*own_bridge)(const struct qnm_nic *nic);
	const char *(*live_bridge)(const struct qnm_model *model, const struct qnm_nic *nic);

	void (*host_plan)(const struct qnm_model *model, const struct qnm_nic *nic,
			  struct qnm_nic_host *h);
	int (*host_check)(const struct qnm_vm *vm, const struct qnm_nic *nic,
			  const struct qnm_runner_opts *o, struct qnm_err *err);
	int (*host_prepare)(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			    struct qnm_nic_host *h, struct qnm_err *err);
	void (*host_release)(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
			     struct qnm_nic_host *h);
	int (*reclaim)(const struct qnm_rundir *rd, struct qnm_strbuf *report);
	int (*hostfwd_live)(const char *rundir, const struct qnm_nic *nic,
			    const struct qnm_fwd *del, const struct qnm_fwd *add, int timeout_ms,
			    struct qnm_err *err);
	const char *helper_name;
	char *(*helper_argv)(const char *exe, const struct qnm_vm *vm, const struct qnm_nic *nic,
			     const char *rundir, struct qnm_strv *argv);
	pid_t (*helper_pid)(const char *rundir, const struct qnm_nic *nic);
	int (*nic_stats)(const char *rundir, const struct qnm_vm *vm, size_t idx, int timeout_ms,
			 struct qnm_nic_counters *c, struct qnm_err *err);
	int (*conns)(const char *runtime_dir, const struct qnm_vm *vm, const struct qnm_nic *nic,
		     char **text, struct qnm_err *err);

	size_t (*hops)(const struct qnm_model *model, const struct qnm_vm *vm, size_t idx,
		       struct qnm_hop *h);
	const struct qnm_backend_check *checks;
	size_t nchecks;
};

/**
 * qnm_backend_get() - the ops of @kind.
 * Return: the static ops, or NULL when @kind is not a backend (so
 * "for (i = 0; qnm_backend_get(i); i++)" walks the table).
 */
const struct qnm_backend_ops *qnm_backend_get(enum qnm_backend_kind kind);

/**
 * qnm_nic_backend() - the ops of @nic's backend (of a validated NIC: never
 * NULL).
 */
const struct qnm_backend_ops *qnm_nic_backend(const struct qnm_nic *nic);

/** qnm_nic_network() - the qnm network @nic joins, or NULL (see @network). */
const char *qnm_nic_network(const struct qnm_nic *nic);

/**
 * qnm_nic_label() - @nic's device model and where it attaches, for lists:
 * "virtio-net-pci/tap:net0", "e1000/slirp".
 * @buf: filled, @size bytes. Return: @buf.
 */
const char *qnm_nic_label(const struct qnm_nic *nic, char *buf, size_t size);

/**
 * qnm_model_uses_backend() - whether a NIC of some VM of @model has
 * backend @kind (for the backends' doctor checks).
 */
bool qnm_model_uses_backend(const struct qnm_model *model, enum qnm_backend_kind kind);

/**
 * qnm_backend_has_counters() - whether NICs of @b have live traffic
 * counters (a host interface qnm names, the slirp helper's, or @nic_stats).
 */
bool qnm_backend_has_counters(const struct qnm_backend_ops *b);

extern const struct qnm_backend_ops qnm_backend_user;
extern const struct qnm_backend_ops qnm_backend_slirp;
extern const struct qnm_backend_ops qnm_backend_tap;
extern const struct qnm_backend_ops qnm_backend_bridge;
extern const struct qnm_backend_ops qnm_backend_passt;
extern const struct qnm_backend_ops qnm_backend_private;

/* Shared by the user and slirp backends (backend-user.c). */
int qnm_user_opts_validate(const struct qnm_nic *nic, bool slirp, struct qnm_err *err);

/**
 * qnm_user_hops() - the boxes of a user-mode NIC's way out (for @hops): its
 * NAT, titled @nat_title, the host sockets of its forwards, the outside.
 * Return: how many (3).
 */
size_t qnm_user_hops(const struct qnm_nic *nic, const char *nat_title, struct qnm_hop *h);

/**
 * qnm_net_hops() - the boxes of qnm network @net from its bridge on (for
 * the @hops of a backend whose NIC joins it): the bridge, then what the
 * network's mode does with the traffic (NAT and the outside; the enslaved
 * port and the LAN; nothing beyond an isolated network). The bridge and a
 * bridged network's port show their host link's counters (backend-tap.c).
 * Return: how many (at most 3).
 */
size_t qnm_net_hops(const struct qnm_network *net, struct qnm_hop *h);

/**
 * qnm_doctor_bridge_helper() - the bridge backend's bridge_helper check
 * for one binary (backend-bridge.c): it exists, and it can create TAPs
 * (setuid root, a cap_net_admin file capability, or qnm runs as root).
 * @path: the helper, or NULL for the one QEMU runs for a NIC without
 *        helper= ($QNM_BRIDGE_HELPER, else the first of the default paths
 *        that exists).
 * @r:    findings and fixes are added to it (qnm_doc_result_init() first);
 *        its status becomes the worst seen.
 */
void qnm_doctor_bridge_helper(const char *path, struct qnm_doc_result *r);

/**
 * qnm_tap_default_ifname() - the TAP name qnm uses when a tap NIC has none:
 * "qt-" + up to 8 chars of the VM name + "-" + NIC index (<= 15 bytes).
 * @buf: at least QNM_IFNAME_MAX + 1 bytes.
 */
void qnm_tap_default_ifname(const struct qnm_vm *vm, size_t nic_index, char *buf);

/**
 * qnm_tap_ifname() - the TAP a tap NIC uses: its ifname, or
 * qnm_tap_default_ifname() when it names none.
 * @buf: at least QNM_IFNAME_MAX + 1 bytes.
 */
void qnm_tap_ifname(const struct qnm_vm *vm, size_t nic_index, char *buf);

#endif
