/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirpctl.h - the control protocol of "qnm slirp-helper", and the client
 * the engine and the UI use to talk to a running helper.
 *
 * Transport: a unix stream socket (0600) next to the helper's QEMU socket,
 * "RUNDIR/slirp-NICID.ctl" (qnm_slirp_control_path()). Any number of
 * requests per connection; requests are answered in order.
 *
 * Request: one line of text (at most QNM_SLIRPCTL_LINE_MAX bytes, '\n'
 * terminated, an optional '\r' before it is ignored), words separated by
 * blanks:
 *
 *   stats                   traffic counters (see struct qnm_slirp_stats)
 *   info                    the helper's configuration and pid
 *   conns                   libslirp's connection table, as text
 *   neigh                   libslirp's ARP and NDP tables (the guest's addresses), as text
 *   hostfwd-list            the port forwards in place
 *   hostfwd-add SPEC        add a forward now;   SPEC = [tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT
 *   hostfwd-remove SPEC     remove a forward;    SPEC = [tcp|udp]:[HADDR]:HPORT[-[GADDR]:GPORT]
 *
 * Reply: exactly one line holding one JSON object. Always an "ok" member:
 *
 *   {"ok":true, ...}                          success; members per request:
 *       stats:        "rx_bytes", "rx_packets", "tx_bytes", "tx_packets",
 *                     "rx_dropped", "connected" (bool), "connections"
 *       info:         "pid", "net", "host", "dhcpstart", "dns", "restrict",
 *                     "ipv6", "slirp_version"
 *       conns:        "text" (libslirp's table, lines separated by '\n')
 *       neigh:        "text" (libslirp's neighbour table: a header line, then
 *                     "  ARP  MAC  IPV4" / "  NDP  MAC  IPV6" rows)
 *       hostfwd-list: "hostfwd": ["tcp:127.0.0.1:2222-:22", ...]
 *   {"ok":false,"error":"one sentence"}       failure; nothing was changed
 *
 * A line longer than QNM_SLIRPCTL_LINE_MAX ends the connection.
 */
#ifndef QNM_SLIRPCTL_H
#define QNM_SLIRPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/util.h"

struct json_object;

/* Longest request line, without the '\n'. */
#define QNM_SLIRPCTL_LINE_MAX 256
/* Default timeout of a client request, in milliseconds. */
#define QNM_SLIRPCTL_TIMEOUT_MS 2000

/** enum qnm_slirpctl_op - the requests a helper understands. */
enum qnm_slirpctl_op {
	QNM_SLIRPCTL_STATS,
	QNM_SLIRPCTL_INFO,
	QNM_SLIRPCTL_CONNS,
	QNM_SLIRPCTL_NEIGH,
	QNM_SLIRPCTL_HOSTFWD_LIST,
	QNM_SLIRPCTL_HOSTFWD_ADD,
	QNM_SLIRPCTL_HOSTFWD_REMOVE,
};

/**
 * struct qnm_slirpctl_req - one parsed request.
 * @op:        what is asked.
 * @fwd:       the forward of hostfwd-add / hostfwd-remove (for remove, the
 *             guest side is zero when the request did not give it).
 */
struct qnm_slirpctl_req {
	enum qnm_slirpctl_op op;
	struct qnm_fwd fwd;
};

/**
 * qnm_slirpctl_parse() - parse one request line (without its '\n').
 * @line: the text.
 * @req:  filled on success.
 * @err:  on failure names the problem ("unknown request 'x'", ...).
 *
 * Return: 0, or -EINVAL (unknown word, missing or extra argument, bad
 * forward specification).
 */
int qnm_slirpctl_parse(const char *line, struct qnm_slirpctl_req *req, struct qnm_err *err);

/**
 * qnm_slirpctl_format() - the request line (without '\n') for @req, the
 * inverse of qnm_slirpctl_parse().
 * Return: a new string, caller frees.
 */
char *qnm_slirpctl_format(const struct qnm_slirpctl_req *req);

/**
 * qnm_slirp_fwd_parse_remove() - parse the SPEC of hostfwd-remove:
 * "[tcp|udp]:[HADDR]:HPORT", optionally followed by "-[GADDR]:GPORT".
 * @s:     the text.
 * @out:   filled on success (guest side zero when absent).
 * @field: field name used in @err.
 * Return: 0 or -EINVAL.
 */
int qnm_slirp_fwd_parse_remove(const char *s, struct qnm_fwd *out, const char *field,
			       struct qnm_err *err);

/**
 * struct qnm_slirp_stats - counters of one slirp NIC, from the guest's
 * point of view (like the guest's own "ip -s link"):
 * @rx_bytes:    bytes of Ethernet frames delivered to the guest (headers
 *               included, no FCS, without the 4-byte stream length prefix).
 * @rx_packets:  frames delivered to the guest.
 * @tx_bytes:    bytes of Ethernet frames the guest sent (same rules).
 * @tx_packets:  frames the guest sent.
 * @rx_dropped:  frames for the guest dropped because QEMU was not
 *               connected or its socket stayed full (the queue limit).
 * @connected:   QEMU is connected right now.
 * @connections: how many times QEMU has connected.
 */
struct qnm_slirp_stats {
	uint64_t rx_bytes;
	uint64_t rx_packets;
	uint64_t tx_bytes;
	uint64_t tx_packets;
	uint64_t rx_dropped;
	bool connected;
	uint64_t connections;
};

/**
 * qnm_slirp_stats_to_json() - the stats reply object ({"ok":true,...}).
 * Return: a new json-c object; caller drops it with json_object_put().
 */
struct json_object *qnm_slirp_stats_to_json(const struct qnm_slirp_stats *st);

/**
 * qnm_slirp_stats_from_json() - read a stats reply.
 * @obj: the reply object.
 * @st:  filled on success.
 * Return: 0 or -EPROTO (@err says which member is missing or wrong).
 */
int qnm_slirp_stats_from_json(struct json_object *obj, struct qnm_slirp_stats *st,
			      struct qnm_err *err);

/**
 * qnm_slirpctl_reply_error() - a failure reply ({"ok":false,"error":@msg}).
 * Return: a new json-c object; caller drops it with json_object_put().
 */
struct json_object *qnm_slirpctl_reply_error(const char *msg);

/**
 * qnm_slirpctl_reply_ok() - an empty success reply ({"ok":true}), to which
 * the caller adds members.
 * Return: a new json-c object; caller drops it with json_object_put().
 */
struct json_object *qnm_slirpctl_reply_ok(void);

/* ---- client ---- */

/** struct qnm_slirpctl - a connection to one helper's control socket (opaque). */
struct qnm_slirpctl;

/**
 * qnm_slirpctl_open() - connect to a helper's control socket.
 * @path:       the control socket.
 * @timeout_ms: timeout of this connect and of every later request
 *              (<= 0: QNM_SLIRPCTL_TIMEOUT_MS).
 * @out:        the new connection on success; free with qnm_slirpctl_free().
 * @err:        on failure names the socket and the reason.
 * Return: 0 or -errno (-ENOENT no socket, -ECONNREFUSED nobody listening,
 * -ETIMEDOUT).
 */
int qnm_slirpctl_open(const char *path, int timeout_ms, struct qnm_slirpctl **out,
		      struct qnm_err *err);

/** qnm_slirpctl_free() - close and free @c (NULL is fine). */
void qnm_slirpctl_free(struct qnm_slirpctl *c);

/**
 * qnm_slirpctl_request() - send one request line and read its reply.
 * @c:     the connection.
 * @line:  request without '\n'.
 * @reply: on success the reply object (its "ok" is true); caller drops it
 *         with json_object_put().
 * @err:   on failure the helper's own error text, or the transport error.
 * Return: 0; -EREMOTEIO when the helper answered {"ok":false} (@err holds
 * its message); -ETIMEDOUT, -EPIPE, -EPROTO or another -errno when the
 * connection failed (the connection is then unusable).
 */
int qnm_slirpctl_request(struct qnm_slirpctl *c, const char *line, struct json_object **reply,
			 struct qnm_err *err);

/** qnm_slirpctl_stats() - read the counters into @st; Return: as qnm_slirpctl_request(). */
int qnm_slirpctl_stats(struct qnm_slirpctl *c, struct qnm_slirp_stats *st, struct qnm_err *err);

/**
 * qnm_slirpctl_hostfwd_add() - add forward @f while the guest runs.
 * Return: 0, or -EREMOTEIO with the reason in @err (e.g. "host port 2222
 * on 127.0.0.1 is already in use"), or a transport -errno.
 */
int qnm_slirpctl_hostfwd_add(struct qnm_slirpctl *c, const struct qnm_fwd *f, struct qnm_err *err);

/**
 * qnm_slirpctl_hostfwd_remove() - remove the forward with @f's protocol,
 * host address and host port (its guest side is ignored).
 * Return: 0, -EREMOTEIO when there is no such forward, or a transport -errno.
 */
int qnm_slirpctl_hostfwd_remove(struct qnm_slirpctl *c, const struct qnm_fwd *f,
				struct qnm_err *err);

/**
 * qnm_slirpctl_hostfwd_list() - the forwards in place.
 * @v: set to a new array (caller frees with free()), @n entries.
 * Return: as qnm_slirpctl_request().
 */
int qnm_slirpctl_hostfwd_list(struct qnm_slirpctl *c, struct qnm_fwd **v, size_t *n,
			      struct qnm_err *err);

/**
 * qnm_slirpctl_conns() - libslirp's connection table as text.
 * @text: set to a new string, caller frees.
 * Return: as qnm_slirpctl_request().
 */
int qnm_slirpctl_conns(struct qnm_slirpctl *c, char **text, struct qnm_err *err);

/**
 * qnm_slirpctl_neigh() - libslirp's ARP and NDP tables as text (the
 * addresses the guest used or was given by libslirp's DHCP).
 * @text: set to a new string, caller frees.
 * Return: as qnm_slirpctl_request().
 */
int qnm_slirpctl_neigh(struct qnm_slirpctl *c, char **text, struct qnm_err *err);

#endif
