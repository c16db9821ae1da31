/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portowner.h - which host ports qnm forwards, and who holds a host port now.
 *
 * QEMU reports a busy hostfwd port only as "Could not set up host
 * forwarding rule"; qnm looks first and names the process instead:
 *
 *   1. NETLINK_SOCK_DIAG (inet_diag) lists the sockets of this network
 *      namespace: TCP listeners and every bound UDP socket, IPv4 and IPv6,
 *      with their inode (like "ss -lntu");
 *   2. /proc/PID/fd/N links "socket:[INODE]" give the process (like "ss -p");
 *      a process of another user is only visible to root.
 *
 * Conflicts follow the kernel's bind rules: a socket on the same port
 * conflicts when either address is the wildcard or both are equal; an IPv6
 * wildcard socket without IPV6_V6ONLY also holds the IPv4 port.
 */
#ifndef QNM_PORTOWNER_H
#define QNM_PORTOWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"

/**
 * struct qnm_sock - one socket holding a local port.
 * @proto:  tcp or udp.
 * @family: AF_INET or AF_INET6.
 * @addr:   local address as text ("0.0.0.0", "::", "127.0.0.1", ...).
 * @port:   local port.
 * @state:  kernel socket state (10 = listen for TCP, 7 = unconnected UDP).
 * @v6only: IPV6_V6ONLY is set (AF_INET6 only).
 * @uid:    owner uid.
 * @inode:  socket inode (0: none, e.g. a socket being torn down).
 */
struct qnm_sock {
	enum qnm_proto proto;
	int family;
	char addr[46];
	uint16_t port;
	uint8_t state;
	bool v6only;
	uint32_t uid;
	uint64_t inode;
};

/** struct qnm_sock_list - sockets, @n of them. */
struct qnm_sock_list {
	struct qnm_sock *v;
	size_t n;
	size_t cap;
};

/** qnm_sock_list_clear() - free @l's array and reset it to empty. */
void qnm_sock_list_clear(struct qnm_sock_list *l);

/**
 * qnm_sockdiag_parse() - add the sockets of one buffer of inet_diag replies
 * (as read from a NETLINK_SOCK_DIAG socket) to @out.
 * @buf:   the netlink messages.
 * @len:   their total length.
 * @proto: the protocol that was asked for (replies do not repeat it).
 * @out:   list to extend.
 *
 * Messages too short for struct inet_diag_msg are skipped; TCP sockets are
 * kept only in state LISTEN (the only ones that stop QEMU's bind, which
 * uses SO_REUSEADDR); UDP sockets in any state.
 * Return: 1 when the dump ended (NLMSG_DONE), 0 when more is to come,
 * -errno from an NLMSG_ERROR, -EBADMSG for a malformed buffer.
 */
int qnm_sockdiag_parse(const void *buf, size_t len, enum qnm_proto proto,
		       struct qnm_sock_list *out);

/**
 * qnm_sock_dump() - every TCP listener and bound UDP socket of this
 * network namespace (IPv4 and IPv6), through NETLINK_SOCK_DIAG.
 * @out: initialised (zeroed) list to fill; free with qnm_sock_list_clear().
 * @err: filled on failure.
 * Return: 0 or -errno.
 */
int qnm_sock_dump(struct qnm_sock_list *out, struct qnm_err *err);

/**
 * qnm_sock_conflicts() - whether binding @addr:@port (@proto) would clash
 * with socket @s.
 * @addr: IPv4 address as text, "" or NULL for any.
 */
bool qnm_sock_conflicts(const struct qnm_sock *s, enum qnm_proto proto, const char *addr,
			uint16_t port);

/**
 * struct qnm_port_holder - who holds a port.
 * @found:  a socket holds it.
 * @sock:   that socket.
 * @pid:    a process that has it open (lowest pid), 0 when none is visible.
 * @comm:   that process's name (/proc/PID/comm).
 * @nprocs: how many processes have it open.
 */
struct qnm_port_holder {
	bool found;
	struct qnm_sock sock;
	pid_t pid;
	char comm[17];
	size_t nprocs;
};

/**
 * qnm_sock_owners() - find the processes of several socket inodes in one
 * scan of /proc/[pid]/fd.
 * @inodes: the inodes, @n of them.
 * @n:      how many.
 * @out:    @n holders; for each inode found, @pid, @comm and @nprocs are set
 *          (the other fields are left alone).
 */
void qnm_sock_owners(const uint64_t *inodes, size_t n, struct qnm_port_holder *out);

/**
 * qnm_port_holder_find() - the first socket of @socks holding @addr:@port,
 * with its process.
 * @socks: from qnm_sock_dump().
 * @out:   filled; @out->found tells whether the port is held.
 */
void qnm_port_holder_find(const struct qnm_sock_list *socks, enum qnm_proto proto, const char *addr,
			  uint16_t port, struct qnm_port_holder *out);

/**
 * qnm_port_holder_text() - "nginx (pid 1234)", "a process of uid 1000 that
 * qnm cannot see" or "" when @h is not found.
 * @buf: at least 96 bytes.
 */
void qnm_port_holder_text(const struct qnm_port_holder *h, char *buf, size_t size);

/**
 * qnm_port_check() - may a process like this one bind host port
 * @proto/@addr/@port now? For a hostfwd before QEMU starts, or a forward
 * added to a running guest.
 * @proto: tcp or udp.
 * @addr:  IPv4 host address, "" or NULL for any.
 * @port:  the port (1-65535).
 * @err:   filled when the answer is no: "host port tcp/8080 is already in
 *         use by nginx (pid 1234); choose another port", or for a port
 *         below net.ipv4.ip_unprivileged_port_start without
 *         CAP_NET_BIND_SERVICE, why and the two ways out.
 *
 * Return: 0 (free), -EADDRINUSE (held), -EACCES (privileged port), or
 * another -errno when the sockets cannot be listed.
 */
int qnm_port_check(enum qnm_proto proto, const char *addr, uint16_t port, struct qnm_err *err);

/**
 * qnm_port_check_fwds() - qnm_port_check() for each port of a range and
 * each protocol of tcp+udp of the forwards of @now, but those host sides
 * already in @before (so a running guest's own ports are not held against
 * it); the sockets are listed once.
 * @before: the forwards before the change, @nbefore of them (may be NULL).
 * @now:    after the change, @nnow of them.
 * @field:  field name for @err ("nic[n0].hostfwd").
 * Return: 0, or the first failure of qnm_port_check().
 */
int qnm_port_check_fwds(const struct qnm_fwd *before, size_t nbefore, const struct qnm_fwd *now,
			size_t nnow, const char *field, struct qnm_err *err);

/**
 * qnm_port_check_nic() - qnm_port_check_fwds() for a NIC being added or
 * changed: the host forwards @nic gains over @before (its saved state, or
 * NULL for a new NIC) must be free now. Only user and slirp NICs forward
 * host ports; anything else passes.
 * Return: 0, or the first failure of qnm_port_check().
 */
int qnm_port_check_nic(const struct qnm_nic *before, const struct qnm_nic *nic, const char *field,
		       struct qnm_err *err);

/* ---- the table of every host port qnm forwards ---- */

/** enum qnm_port_kind - how qnm forwards a host port. */
enum qnm_port_kind {
	QNM_PORT_HOSTFWD, /* hostfwd= of a user NIC (QEMU binds it) */
	QNM_PORT_SLIRP,	  /* forward of a slirp NIC (qnm's helper binds it) */
	QNM_PORT_DNAT,	  /* DNAT into a network (nftables; nothing binds it) */
};

/** qnm_port_kind_name() - "hostfwd", "slirp" or "dnat". */
const char *qnm_port_kind_name(enum qnm_port_kind k);

/**
 * struct qnm_port_entry - one forwarded host port.
 * @kind:       mechanism.
 * @fwd:        the forward.
 * @vm:         VM name (hostfwd/slirp), "" otherwise.
 * @nic:        NIC id (hostfwd/slirp), "" otherwise.
 * @net:        network name (dnat), "" otherwise.
 * @configured: it is in the configuration.
 * @live:       it is in the live table inet qnm (dnat only).
 * @blocked:    live but cannot carry traffic: what is missing and the fix
 *              (watch/fwdpath.h), "" otherwise (dnat only).
 * @holder:     who holds the host port now.
 * @holder_vm:  when the holder is the QEMU (or a NIC's helper) of a running
 *              VM, that VM's name (found through its runtime directory), else "".
 * @holder_helper: that holder is a helper of the VM's NIC, not its QEMU.
 * @holder_what: what that holder is: "QEMU", or the helper's name
 *              ("slirp helper", "passt").
 */
struct qnm_port_entry {
	enum qnm_port_kind kind;
	struct qnm_fwd fwd;
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	char net[QNM_NAME_MAX + 1];
	bool configured;
	bool live;
	char blocked[256];
	struct qnm_port_holder holder;
	char holder_vm[QNM_NAME_MAX + 1];
	bool holder_helper;
	const char *holder_what;
};

/**
 * struct qnm_port_table - every forwarded host port.
 * @v:          entries: configured hostfwd/slirp in model order, then
 *              network forwards, then live-only DNAT forwards.
 * @n:          how many.
 * @live_ret:   0 when table inet qnm was read, -ENOENT when it does not
 *              exist, else the -errno of reading it (e.g. -EPERM).
 * @live_err:   the message when @live_ret is another error.
 * @socks_ret:  0 when the sockets were listed, else -errno (holders unknown).
 * @socks_err:  the message then.
 * @unpriv_start: net.ipv4.ip_unprivileged_port_start (1024 when unreadable):
 *              host ports below it are privileged.
 * @can_bind_low: this process has CAP_NET_BIND_SERVICE (binds them anyway).
 */
struct qnm_port_table {
	struct qnm_port_entry *v;
	size_t n;
	int live_ret;
	char live_err[256];
	int socks_ret;
	char socks_err[256];
	unsigned long unpriv_start;
	bool can_bind_low;
};

/**
 * qnm_port_table_build() - collect every host port qnm forwards and who
 * holds each now.
 * @model:       the configuration.
 * @runtime_dir: qnm's runtime directory, to recognise the QEMU of a running
 *               VM among the holders; NULL to skip that.
 * @read_live:   also read table inet qnm (needs CAP_NET_ADMIN; failure is
 *               recorded in @t->live_ret, not returned).
 * @t:           filled; free with qnm_port_table_clear().
 */
void qnm_port_table_build(const struct qnm_model *model, const char *runtime_dir, bool read_live,
			  struct qnm_port_table *t);

/**
 * qnm_vm_running_pid() - the QEMU pid of VM @name when its runtime
 * directory says it is starting or running, else 0.
 * @runtime_dir: qnm's runtime directory (NULL: 0).
 */
pid_t qnm_vm_running_pid(const char *runtime_dir, const char *name);

/** qnm_port_table_clear() - free what @t holds. */
void qnm_port_table_clear(struct qnm_port_table *t);

#endif
