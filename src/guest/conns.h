/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conns.h - the live TCP/UDP connections of a guest's user-mode NIC.
 *
 * Both user-mode backends keep a libslirp connection table:
 *   slirp  qnm's helper answers the control request "conns" (slirpctl.h)
 *          with slirp_connection_info()'s text;
 *   user   QEMU prints the same table for each user netdev in the HMP
 *          command "info usernet", under a "Hub N (NETDEV):" heading.
 *
 * The table (libslirp 4.x, IPv4 only):
 *
 *     Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ
 *     TCP[ESTABLISHED]   12       10.0.2.15 40312        10.0.2.2  8000     0     0
 *     TCP[HOST_FORWARD]   8       127.0.0.1  8001       10.0.2.15    80     0     0
 *     UDP[236 sec]       14       10.0.2.15 51000        10.0.2.3    53     0     0
 *
 * For a connection the guest opened, "Source" is the guest and "Dest." the
 * remote end. For a host forward (state HOST_FORWARD) and for connections
 * accepted through one, "Source" is the host side of the forward (the
 * address:port the host socket is bound to) and "Dest." the guest. The
 * parser tells them apart by whether the source lies in the guest's network,
 * and reports every row as guest side / remote side.
 */
#ifndef QNM_CONNS_H
#define QNM_CONNS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

/** enum qnm_conn_dir - who opened a connection. */
enum qnm_conn_dir {
	QNM_CONN_OUT,	 /* the guest connected out (remote = where to) */
	QNM_CONN_IN,	 /* accepted through a host forward (remote = host side of the forward) */
	QNM_CONN_LISTEN, /* a host forward itself (remote = the host address:port it listens on) */
};

/** qnm_conn_dir_name() - "out", "in", "listen". */
const char *qnm_conn_dir_name(enum qnm_conn_dir d);

/**
 * struct qnm_conn - one row of the table.
 * @proto:       "tcp", "udp" or "icmp".
 * @state:       TCP state ("ESTABLISHED", "SYN_SENT", ...), "HOST_FORWARD",
 *               or for UDP/ICMP the time left ("236 sec").
 * @dir:         see enum qnm_conn_dir.
 * @fd:          libslirp's host socket.
 * @guest_addr:  the guest's address ("*" when unbound).
 * @guest_port:  the guest's port.
 * @remote_addr: the other end ("*" for any).
 * @remote_port: its port.
 * @recvq:       bytes queued from the host socket toward the guest.
 * @sendq:       bytes queued from the guest toward the host socket.
 */
struct qnm_conn {
	char proto[8];
	char state[24];
	enum qnm_conn_dir dir;
	int fd;
	char guest_addr[16];
	unsigned guest_port;
	char remote_addr[16];
	unsigned remote_port;
	unsigned long recvq;
	unsigned long sendq;
};

/**
 * qnm_conns_parse() - parse libslirp's connection table.
 * @text: the table ('\n' or "\r\n" lines; the header line and blank lines
 *        are skipped).
 * @net:  the guest network in CIDR ("10.0.2.0/24"; NULL or "" = that default).
 * @v:    set to a new array (caller frees with free()), @n rows.
 * @err:  on failure, the line that could not be read.
 * Return: 0 or -EINVAL (a line that is not a row of the table; nothing is
 * returned then).
 */
int qnm_conns_parse(const char *text, const char *net, struct qnm_conn **v, size_t *n,
		    struct qnm_err *err);

/**
 * qnm_conns_usernet_table() - the table of netdev @netdev in the output of
 * HMP "info usernet" (the lines after its "Hub N (NETDEV):" heading, up to
 * the next heading).
 * Return: a new string (caller frees), or NULL when @netdev is not listed.
 */
char *qnm_conns_usernet_table(const char *hmp, const char *netdev);

/**
 * qnm_conns_query() - the live connections of NIC @nic of the running VM
 * @vm: from the slirp helper (backend slirp) or QEMU's "info usernet"
 * (backend user).
 * @runtime_dir: qnm's runtime directory.
 * @v, @n:       as qnm_conns_parse().
 * Return: 0; -EOPNOTSUPP for a NIC of another backend; -ENOENT when the VM
 * is not running or QEMU does not list the netdev; another -errno.
 */
int qnm_conns_query(const char *runtime_dir, const struct qnm_vm *vm, const struct qnm_nic *nic,
		    struct qnm_conn **v, size_t *n, struct qnm_err *err);

#endif
