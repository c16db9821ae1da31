/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft.h - qnm's nftables table "inet qnm", written through libnftnl + libmnl.
 *
 * Everything qnm adds to the packet filter lives in one table, written in
 * one atomic netlink batch per change and removed whole. Tables of others
 * are read (to warn when they would drop qnm's traffic) but never changed.
 *
 *   table inet qnm {
 *     map fwd_any  { type inet_proto . inet_service : ipv4_addr . inet_service }
 *     map fwd_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service }
 *     chain forward     { filter, hook forward, prio 0:     ct state established,related
 *                         accept (when a NAT network is up), then every bridge's rules
 *                         for traffic into it (oifname), then those out of it (iifname):
 *                         nat:      into it only ct status dnat (a forward), the rest
 *                                   from elsewhere dropped; out of it (and within) accept
 *                         isolated: within accept; in or out only ct status dnat,
 *                                   else drop
 *                         bridged:  in and out accept }
 *     chain localnet    { filter, hook prerouting, prio -300: for each nat/isolated
 *                         bridge, 127.0.0.0/8 (source or destination) coming in
 *                         through it dropped }
 *     chain prerouting  { nat, hook prerouting, prio -100:  dnat via @fwd_addr (never
 *                         for ip daddr 127.0.0.0/8: only this host reaches those),
 *                         then fib daddr type local -> dnat via @fwd_any }
 *     chain output      { nat, hook output, prio -100:      same, for connections made
 *                         on the host itself }
 *     chain postrouting { nat, hook postrouting, prio 100:  for each nat/isolated
 *                         bridge, ip saddr 127.0.0.0/8 oifname BRIDGE masquerade
 *                         (comment "localnet BRIDGE": forwards on 127.0.0.1, with
 *                         the bridge's route_localnet); masquerade each NAT
 *                         network's subnet out of its uplink (any interface but
 *                         the bridge when "") }
 *   }
 *
 * Port forwards (DNAT) are elements of the two maps, so adding or removing
 * one forward among thousands is a single small batch (qnm_nft_add_forward()).
 *
 * All functions need CAP_NET_ADMIN in the current network namespace; without
 * it they return -EPERM with a message saying so, and nothing is changed.
 */
#ifndef QNM_NFT_H
#define QNM_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

#define QNM_NFT_TABLE "qnm" /* family inet */

/**
 * qnm_nft_apply() - write the whole "inet qnm" table for these networks in
 * one atomic batch: NEWTABLE (create if missing), DELTABLE, then the table
 * recreated with all chains, rules, maps and forwards. When the table does
 * not exist, the batch only creates it (NLM_F_EXCL; should it appear
 * meanwhile, the usual batch follows), which spares the wait for the
 * kernel's cleanup of a deleted table when the socket closes.
 * @nets:             the networks that are up, @n of them.
 * @n:                how many; 0 removes the table (same as qnm_nft_remove()).
 * @uplinks_resolved: uplinks_resolved[i] is the uplink interface of @nets[i]
 *                    for masquerade ("" = any interface but the bridge); may
 *                    be NULL to use each network's own @uplink.
 * @err:              filled on failure.
 *
 * Re-applying the same input yields the same ruleset (idempotent); a batch
 * the kernel refuses leaves the previous table exactly as it was.
 * Bad input (two forwards on the same host port, an interface name too
 * long, an address that does not parse) is refused before anything is sent.
 *
 * Return: 0, or -errno (-EPERM without CAP_NET_ADMIN, -EINVAL for bad input,
 * the kernel's error otherwise), with @err naming the action.
 */
int qnm_nft_apply(struct qnm_network *const *nets, size_t n, const char *const *uplinks_resolved,
		  struct qnm_err *err);

/**
 * qnm_nft_remove() - delete table "inet qnm" if it exists; tables of others
 * are untouched.
 * @err: filled on failure.
 * Return: 0 (also when there was no table), or -errno.
 */
int qnm_nft_remove(struct qnm_err *err);

/**
 * qnm_nft_table_exists() - whether table "inet qnm" exists.
 * @err: filled on failure.
 * Return: 1 (exists), 0 (does not), or -errno (e.g. -EPERM).
 */
int qnm_nft_table_exists(struct qnm_err *err);

/**
 * qnm_nft_add_forward() - add one DNAT forward to the live table, in one
 * atomic batch, without rewriting the rest (one map element).
 * @f:   the forward; @f->guest_addr is required, @f->host_addr "" = any local
 *       address.
 * @err: filled on failure.
 *
 * The table must exist (qnm_nft_apply() first). Adding a forward whose
 * host side (address, protocol, port) is already forwarded elsewhere fails
 * with -EEXIST; adding the identical forward again succeeds.
 * Return: 0 or -errno.
 */
int qnm_nft_add_forward(const struct qnm_fwd *f, struct qnm_err *err);

/**
 * qnm_nft_del_forward() - remove one DNAT forward from the live table, in
 * one atomic batch. Only the host side of @f (address, protocol, port) is used.
 * @f:   the forward.
 * @err: filled on failure.
 * Return: 0, -ENOENT when no such forward is in the table, or -errno.
 */
int qnm_nft_del_forward(const struct qnm_fwd *f, struct qnm_err *err);

/**
 * qnm_nft_read_ifnames() - the interface names the rules of table
 * "inet qnm" match on (iifname/oifname: the bridges of the networks it was
 * written for, and their uplinks), read from the kernel.
 * @out: each name added once.
 * @err: filled on failure.
 * Return: 0 (also when there is no table: nothing added), or -errno.
 */
int qnm_nft_read_ifnames(struct qnm_strv *out, struct qnm_err *err);

/**
 * qnm_nft_read_forwards() - the DNAT forwards currently in table "inet qnm"
 * (the elements of its two maps), read from the kernel.
 * @out: set to a new array (caller frees with free()), NULL when empty.
 * @n:   set to its length.
 * @err: filled on failure.
 * Return: 0, -ENOENT when there is no table, or -errno (-EPERM without
 * CAP_NET_ADMIN).
 */
int qnm_nft_read_forwards(struct qnm_fwd **out, size_t *n, struct qnm_err *err);

/**
 * qnm_nft_read_localnet() - the bridges whose localnet masquerade (what a
 * forward on 127.0.0.1 into their network needs) is in table inet qnm.
 * @bridges: each bridge name is appended (caller owns it, initialised with
 *           qnm_strv_init()).
 * @err:     filled on failure.
 * Return: 0, -ENOENT when there is no table, or -errno.
 */
int qnm_nft_read_localnet(struct qnm_strv *bridges, struct qnm_err *err);

/**
 * qnm_nft_check_foreign_drop() - read the other tables (never changing them)
 * and warn about what would drop the forwarded traffic of these bridges: a
 * forward-hook chain with policy drop that has no rule naming the bridge, or
 * a drop rule in such a chain that names the bridge or matches everything.
 * @nets:     the networks whose bridges matter, @n of them.
 * @n:        how many.
 * @warnings: each warning is appended as one sentence (caller owns @warnings,
 *            initialised with qnm_strv_init()).
 * @err:      filled on failure.
 *
 * Isolated networks are skipped (their traffic is not meant to be forwarded).
 * Only nftables is visible here (iptables-nft included); rules of the legacy
 * x_tables backend are not, nor interface names held in sets/maps.
 * Return: the number of warnings added (>= 0), or -errno.
 */
int qnm_nft_check_foreign_drop(struct qnm_network *const *nets, size_t n, struct qnm_strv *warnings,
			       struct qnm_err *err);

/* ---- a kept connection, for long-running callers (UI, helpers) ---- */

/*
 * Why keep one: when a netlink socket is closed right after a change that
 * deleted something (a map element, the old table), the kernel makes the
 * closing process wait for its deferred cleanup (an RCU grace period,
 * ~10-16 ms here). The change itself is committed long before; a caller
 * that keeps the connection open does not pay that wait per change.
 */
struct qnm_nft_conn;

/**
 * qnm_nft_conn_new() - open a netfilter netlink socket for repeated changes.
 * @err: filled on failure.
 * Return: the connection (free with qnm_nft_conn_free()), or NULL.
 */
struct qnm_nft_conn *qnm_nft_conn_new(struct qnm_err *err);
/** qnm_nft_conn_free() - close @c (NULL is fine). */
void qnm_nft_conn_free(struct qnm_nft_conn *c);

/** qnm_nft_conn_apply() - qnm_nft_apply() over the kept connection @c. */
int qnm_nft_conn_apply(struct qnm_nft_conn *c, struct qnm_network *const *nets, size_t n,
		       const char *const *uplinks_resolved, struct qnm_err *err);
/** qnm_nft_conn_add_forward() - qnm_nft_add_forward() over the kept connection @c. */
int qnm_nft_conn_add_forward(struct qnm_nft_conn *c, const struct qnm_fwd *f, struct qnm_err *err);
/** qnm_nft_conn_del_forward() - qnm_nft_del_forward() over the kept connection @c. */
int qnm_nft_conn_del_forward(struct qnm_nft_conn *c, const struct qnm_fwd *f, struct qnm_err *err);

/* ---- lower level: for tests and tools that build a batch step by step ---- */

struct nftnl_rule;
struct qnm_nft_batch;

/** qnm_nft_batch_new() - an empty batch; free with qnm_nft_batch_free(). */
struct qnm_nft_batch *qnm_nft_batch_new(void);
void qnm_nft_batch_free(struct qnm_nft_batch *b);

/**
 * qnm_nft_batch_table() - append what qnm_nft_apply() sends (create, delete
 * and recreate the table) to @b. Same parameters as qnm_nft_apply().
 * Return: 0, or -EINVAL with @err set (bad input; @b is then unchanged).
 */
int qnm_nft_batch_table(struct qnm_nft_batch *b, struct qnm_network *const *nets, size_t n,
			const char *const *uplinks_resolved, struct qnm_err *err);

/**
 * qnm_nft_batch_rule() - append a NEWRULE for @r (family, table and chain
 * set by the caller) to @b; @r stays owned by the caller.
 */
void qnm_nft_batch_rule(struct qnm_nft_batch *b, struct nftnl_rule *r);

/**
 * qnm_nft_batch_commit() - send @b to the kernel as one transaction and
 * wait until every message is answered.
 * @action: what the batch does, for messages ("writing nftables table inet qnm").
 * Return: 0, or the first error the kernel reported (nothing is applied then).
 */
int qnm_nft_batch_commit(struct qnm_nft_batch *b, const char *action, struct qnm_err *err);

/** qnm_nft_conn_commit() - qnm_nft_batch_commit() over the kept connection @c. */
int qnm_nft_conn_commit(struct qnm_nft_conn *c, struct qnm_nft_batch *b, const char *action,
			struct qnm_err *err);

#endif
