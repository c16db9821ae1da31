/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forward.h - port forwards, one list whatever the mechanism underneath:
 *   hostfwd  on a user/slirp NIC of a VM (QEMU's hostfwd=, or qnm's slirp
 *            helper, bound at VM start);
 *   dnat     on a host network (an element of table inet qnm's maps), to an
 *            address or to a TAP NIC on the network ("VM/NIC", qnm_fwd.target:
 *            its DHCP reservation, core/reserve.h).
 *
 * Adding, removing and replacing a forward is one flow for both front ends:
 *   1. the owner's copy is changed; a new host port of a NIC must be free
 *      now (the process holding it is named, not QEMU's opaque error at the
 *      next start), and the copy is checked against the whole model;
 *   2. a network that is up (its bridge and table inet qnm exist) gets the
 *      change in its live table first, as one small atomic batch;
 *   3. the owner's file is written (and the model updated); if that fails
 *      the live change is undone, so that file and kernel agree;
 *   4. a slirp NIC of a running VM gets the change through its helper's
 *      control socket (a refusal there leaves the saved change, which then
 *      applies at the next start).
 * On an error before step 3 nothing is written and nothing live changes.
 * All of it holds the configuration lock, with the model re-read from disk
 * first (core/context.h): two processes claiming one host port at once
 * cannot both have it; the second is refused, naming the first.
 */
#ifndef QNM_API_FORWARD_H
#define QNM_API_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"

/** enum qnm_api_fwd_kind - the mechanism of a forward. */
enum qnm_api_fwd_kind {
	QNM_API_FWD_HOSTFWD, /* on a user/slirp NIC of a VM */
	QNM_API_FWD_DNAT,    /* on a network (nftables) */
};

/**
 * struct qnm_api_fwd_owner - where a forward goes or is, as the user names
 * it (borrowed strings; NULL or "" when not given).
 * @vm:  a VM; with @nic NULL its first user/slirp NIC.
 * @nic: a NIC id within @vm.
 * @net: a network (instead of @vm).
 */
struct qnm_api_fwd_owner {
	const char *vm;
	const char *nic;
	const char *net;
};

/**
 * struct qnm_api_fwd_ref - one owner of forwards, or one forward of it
 * (owned strings: stays valid while the model changes).
 * @vm:    VM name ("" for a network forward).
 * @nic:   NIC id within @vm.
 * @net:   network name ("" for a NIC forward).
 * @index: index in that NIC's or network's list; -1 for the owner itself.
 */
struct qnm_api_fwd_ref {
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	char net[QNM_NAME_MAX + 1];
	int index;
};

/** qnm_api_fwd_owner_of() - @r as an owner (pointing into @r). */
static inline struct qnm_api_fwd_owner qnm_api_fwd_owner_of(const struct qnm_api_fwd_ref *r)
{
	struct qnm_api_fwd_owner o = { r->vm, r->nic, r->net };

	return o;
}

/**
 * struct qnm_api_fwd_entry - one forward of the model.
 * @kind:    its mechanism.
 * @ref:     its owner and index there.
 * @backend: hostfwd: the NIC's backend ("user" or "slirp"); "" for dnat.
 * @bridge:  dnat: the network's bridge; "" for hostfwd.
 * @fwd:     the forward.
 * @state:   hostfwd: "at VM start"; dnat: "active", "blocked" (in the
 *           table, but something it needs is missing: @blocked), "differs in
 *           table", "not applied", or "unknown" (the table could not be read)
 *           when the live table was read, else "".
 * @blocked: dnat "blocked": what is missing and the fix (watch/fwdpath.h).
 */
struct qnm_api_fwd_entry {
	enum qnm_api_fwd_kind kind;
	struct qnm_api_fwd_ref ref;
	const char *backend;
	char bridge[QNM_IFNAME_MAX + 1];
	struct qnm_fwd fwd;
	const char *state;
	char blocked[256];
};

/**
 * struct qnm_api_fwd_list - every forward of the model: user/slirp NICs in
 * model order, then networks.
 * @v:        the entries, @n of them.
 * @live_ret: 0 when table inet qnm was read; -ENOENT when it does not
 *            exist, was not asked for, or no network has forwards; another
 *            -errno when it could not be read (e.g. -EPERM: @live_err).
 * @live_err: the message of that error.
 */
struct qnm_api_fwd_list {
	struct qnm_api_fwd_entry *v;
	size_t n;
	int live_ret;
	char live_err[256];
};

/**
 * qnm_api_forward_list() - list every forward of the model.
 * @ctx:       the context.
 * @read_live: also read table inet qnm for the dnat forwards' @state
 *             (needs CAP_NET_ADMIN; a failure is in @out->live_ret).
 * @out:       filled; free with qnm_api_forward_list_clear().
 */
void qnm_api_forward_list(const struct qnm_ctx *ctx, bool read_live, struct qnm_api_fwd_list *out);

/** qnm_api_forward_list_clear() - free what @l holds. */
void qnm_api_forward_list_clear(struct qnm_api_fwd_list *l);

/**
 * qnm_api_forward_targets() - every place a forward can go: the user/slirp
 * NICs of the VMs, then the networks (index -1).
 * Return: a new array (caller frees with free()), *@n entries.
 */
struct qnm_api_fwd_ref *qnm_api_forward_targets(const struct qnm_ctx *ctx, size_t *n);

/**
 * struct qnm_api_fwd_nic - a NIC a network forward can go to ("--to VM/NIC").
 * @target: "VM/NIC".
 * @net:    the qnm network the NIC is on (a forward to it goes there).
 * @ip:     its reservation, "" while it has none (core/reserve.h).
 */
struct qnm_api_fwd_nic {
	char target[QNM_TARGET_LEN];
	char net[QNM_NAME_MAX + 1];
	char ip[QNM_IPV4_LEN];
};

/**
 * qnm_api_forward_nics() - every TAP NIC on a qnm network, in model order:
 * what a network forward's target may name.
 * Return: a new array (caller frees with free()), *@n entries.
 */
struct qnm_api_fwd_nic *qnm_api_forward_nics(const struct qnm_ctx *ctx, size_t *n);

/** qnm_api_forward_get() - the forward @r points to in the model, or NULL. */
const struct qnm_fwd *qnm_api_forward_get(const struct qnm_ctx *ctx,
					  const struct qnm_api_fwd_ref *r);

/**
 * qnm_api_forward_follow() - after a save that may have moved a NIC's
 * reservation (the NIC's ip, its VM renamed): each forward to a NIC whose
 * guest address is not what it was in @before (qnm_api_forward_list()
 * taken before the save) gets its new address in the live table of its
 * network when that is up. What cannot be applied shows as "differs in
 * table" in the list ("qnm net up" applies it).
 * Return: how many forwards were moved live.
 */
size_t qnm_api_forward_follow(struct qnm_ctx *ctx, const struct qnm_api_fwd_list *before);

/** enum qnm_api_fwd_live - what became of a saved change on the host. */
enum qnm_api_fwd_live {
	QNM_API_FWD_LATER,   /* applies at the next VM start / when the network comes up */
	QNM_API_FWD_LIVE,    /* applied to the running guest / the live table too */
	QNM_API_FWD_REFUSED, /* the running guest's slirp helper refused it (@why) */
	QNM_API_FWD_NET_UP,  /* an ovn network's: its router takes it at the next net up */
};

/**
 * struct qnm_api_fwd_result - what a change did.
 * @kind:          the mechanism of the owner changed last (the target).
 * @ref:           that owner (the NIC picked when none was named; index -1).
 * @fwd:           the forward added, or for a removal the one removed (as
 *                 it was saved, guest side included).
 * @live:          see enum qnm_api_fwd_live.
 * @why:           @live REFUSED: the helper's reason; NET_UP after an add:
 *                 where the forward answers (qnm_ovn_fwd_exposure()).
 * @table_missing: the network is recorded up by qnm but table inet qnm is
 *                 missing (deleted outside qnm?): the change is saved only.
 * @undo_err:      on an error after a live change: undoing it failed too,
 *                 and why ("" otherwise).
 */
struct qnm_api_fwd_result {
	enum qnm_api_fwd_kind kind;
	struct qnm_api_fwd_ref ref;
	struct qnm_fwd fwd;
	enum qnm_api_fwd_live live;
	char why[256];
	bool table_missing;
	char undo_err[256];
};

/**
 * qnm_api_forward_add() - add forward @f to @to (see the top of this file).
 * @ctx: the context (its model is updated).
 * @to:  the owner: a VM (and NIC), or a network.
 * @f:   the forward.
 * @res: filled with what was done (also on some errors: @undo_err).
 * @err: the field and rule, or why the live change or the write failed.
 * Return: 0; -ENOENT (no such VM, NIC or network), -EINVAL (not a
 * user/slirp NIC, the model check failed), -EADDRINUSE / -EACCES (the host
 * port), or another -errno.
 */
int qnm_api_forward_add(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *to,
			const struct qnm_fwd *f, struct qnm_api_fwd_result *res,
			struct qnm_err *err);

/**
 * qnm_api_forward_remove() - remove the forward with @host_side's host side
 * (protocol, address, port) from @from.
 * @from: the owner, or NULL (or all of it empty): the one owner of that host
 *        side in the model.
 * Return: 0, -ENOENT (no such owner or forward), -EEXIST (no owner named
 * and several have that host side), or as qnm_api_forward_add().
 */
int qnm_api_forward_remove(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *from,
			   const struct qnm_fwd *host_side, struct qnm_api_fwd_result *res,
			   struct qnm_err *err);

/**
 * qnm_api_forward_replace() - replace the forward with @old's host side in
 * @from by @f in @to (the same owner, or another: it moves). The whole
 * change is checked before anything is written; a host port the forward
 * already had on the same owner is not checked again (its own guest may
 * hold it).
 * Return: as qnm_api_forward_add() and qnm_api_forward_remove().
 */
int qnm_api_forward_replace(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *from,
			    const struct qnm_fwd *old, const struct qnm_api_fwd_owner *to,
			    const struct qnm_fwd *f, struct qnm_api_fwd_result *res,
			    struct qnm_err *err);

#endif
