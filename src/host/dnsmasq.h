/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dnsmasq.h - DHCP for a qnm network: one dnsmasq per network, bound only
 * to the network's bridge, DNS off (--port=0), with its lease file and pid
 * file in qnm's runtime directory; and the lease file read back to tell
 * which address a guest (by MAC) was given.
 *
 * dnsmasq is started with posix_spawn and an argv array (no shell); it
 * daemonizes itself, so it outlives the qnm process that started it, and
 * is stopped by the pid it wrote, after checking that the process really
 * is that dnsmasq.
 */
#ifndef QNM_DNSMASQ_H
#define QNM_DNSMASQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"

/**
 * struct qnm_lease - one DHCP lease.
 * @expiry:   end of the lease, seconds since the epoch (0 = never).
 * @mac:      the guest's MAC, lower case "xx:xx:xx:xx:xx:xx".
 * @ip:       the address it was given.
 * @hostname: the name it sent, "" when none.
 */
struct qnm_lease {
	long long expiry;
	char mac[QNM_MAC_LEN];
	char ip[QNM_IPV4_LEN];
	char hostname[64];
};

/**
 * qnm_leases_parse() - parse the text of a dnsmasq lease file
 * ("EXPIRY MAC IP HOSTNAME CLIENTID" lines; DUID and IPv6 lines skipped,
 * malformed lines skipped).
 * @text: NUL-terminated contents.
 * @out:  new array, caller frees; @n entries.
 * Return: 0 (never fails on content).
 */
int qnm_leases_parse(const char *text, struct qnm_lease **out, size_t *n);

/**
 * qnm_leases_read() - read and parse the lease file of network @network.
 * A missing file is no leases.
 * Return: 0 or -errno.
 */
int qnm_leases_read(const char *runtime_dir, const char *network, struct qnm_lease **out, size_t *n,
		    struct qnm_err *err);

/**
 * qnm_leases_find_mac() - the lease of @mac (any case) in @v, or NULL. When
 * a MAC has several leases, the one that expires last wins.
 */
const struct qnm_lease *qnm_leases_find_mac(const struct qnm_lease *v, size_t n, const char *mac);

/**
 * qnm_dnsmasq_path() - where the lease (@what = "leases") or pid (@what =
 * "pid") file of @network lives. Return: new string, caller frees.
 */
char *qnm_dnsmasq_path(const char *runtime_dir, const char *network, const char *what);

/**
 * qnm_dnsmasq_find() - locate the dnsmasq binary: $QNM_DNSMASQ when set,
 * else $PATH, /usr/sbin, /sbin.
 * @out: at least 4096 bytes.
 * Return: 0, or -ENOENT with @err saying to install the Debian package
 * dnsmasq-base.
 */
int qnm_dnsmasq_find(char *out, size_t size, struct qnm_err *err);

/**
 * qnm_dnsmasq_argv() - the argv qnm runs for @net (pure: no I/O).
 * @bin:         the binary (argv[0]).
 * @net:         the network; needs @bridge, @address, @prefix, @dhcp_start, @dhcp_end.
 * @hosts:       reservations "MAC,IP" (core/reserve.h: qnm_model_dhcp_hosts()),
 *               one --dhcp-host each, or NULL.
 * @runtime_dir: where lease and pid files go.
 * @argv:        initialised strv to append to.
 * Return: 0, or -EINVAL when the network has no DHCP range or address.
 */
int qnm_dnsmasq_argv(const char *bin, const struct qnm_network *net, const struct qnm_strv *hosts,
		     const char *runtime_dir, struct qnm_strv *argv, struct qnm_err *err);

/**
 * qnm_dnsmasq_start() - start dnsmasq for @net and wait until it is
 * serving (dnsmasq's parent exits once the daemon is ready, with an error
 * status and message when it is not).
 * @hosts: its reservations, as qnm_dnsmasq_argv().
 * @pid: the daemon's pid (from its pid file).
 * Return: 0 or -errno; dnsmasq's own message is quoted in @err.
 */
int qnm_dnsmasq_start(const struct qnm_network *net, const struct qnm_strv *hosts,
		      const char *runtime_dir, pid_t *pid, struct qnm_err *err);

/**
 * qnm_dnsmasq_is_ours() - whether @pid is alive and is the dnsmasq qnm
 * started for @network (its command line names our pid file).
 */
bool qnm_dnsmasq_is_ours(pid_t pid, const char *runtime_dir, const char *network);

/**
 * qnm_dnsmasq_serves() - whether the dnsmasq @pid runs with the options
 * qnm would give it for @net and @hosts now (qnm_dnsmasq_argv(): same range,
 * address, bridge, reservations): false after the network's DHCP settings
 * or a NIC's reservation changed.
 */
bool qnm_dnsmasq_serves(pid_t pid, const struct qnm_network *net, const struct qnm_strv *hosts,
			const char *runtime_dir);

/**
 * qnm_dnsmasq_scan() - the running dnsmasq processes that are qnm's for
 * @network (qnm_dnsmasq_is_ours(): named dnsmasq, our pid file on the
 * command line), whatever the records say: one a killed qnm started
 * before it could record the pid is found too.
 * @out: room for @max pids.
 * Return: how many were found (may exceed @max).
 */
size_t qnm_dnsmasq_scan(const char *runtime_dir, const char *network, pid_t *out, size_t max);

/**
 * qnm_dnsmasq_stop() - stop the dnsmasq of @network: SIGTERM to @pid (or
 * the pid in its pid file when @pid is 0) only when qnm_dnsmasq_is_ours(),
 * then wait up to 2 s for it to go. Removes the pid file; keeps the lease file.
 * Return: 0 (also when it was not running) or -errno.
 */
int qnm_dnsmasq_stop(const char *runtime_dir, const char *network, pid_t pid, struct qnm_err *err);

#endif
