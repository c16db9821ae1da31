/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.h - the use cases of qnm's host networks, for both front ends:
 * create, save (add/edit, checked against the whole model), delete, bring
 * up and down, and what a network's state is on this host.
 *
 * Up and down change host networking (bridge, address, nftables, dnsmasq;
 * host/netctl.h does the work, in the caller's network namespace) and need
 * CAP_NET_ADMIN. Saving never touches the host: a change to a network that
 * is up applies at its next down and up.
 */
#ifndef QNM_API_NET_H
#define QNM_API_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"
#include "core/util.h"
/* re-exported: struct qnm_lease, a network's DHCP leases as read-only data */
#include "host/dnsmasq.h"
/* re-exported: struct qnm_links / qnm_link_info, the read-only view of host
 * links (state, counters) that the listings show */
#include "host/links.h"

/**
 * struct qnm_api_net_guard_opts - how a change that can cut the admin off
 * (bridged up or down: the host's addresses move) is guarded (netguard.h).
 * @no_guard:   apply it without a guard (scripts that accept the risk).
 * @confirm_in: seconds to confirm it in, 0 for QNM_NET_GUARD_SECS.
 */
struct qnm_api_net_guard_opts {
	bool no_guard;
	unsigned confirm_in;
};

/**
 * struct qnm_api_net_up_opts - what the user agreed to for "up".
 * @force:        use an existing bridge qnm did not create (never deleted by
 *                qnm then); move a port out of another bridge.
 * @confirm_port: bridged mode: yes, take the physical port over (the change
 *                is then guarded as @guard says).
 * @guard:        the guard of a bridged up.
 */
struct qnm_api_net_up_opts {
	bool force;
	bool confirm_port;
	struct qnm_api_net_guard_opts guard;
};

/**
 * qnm_api_net_have_cap_net_admin() - whether this process may change host
 * networking: CAP_NET_ADMIN in its effective set (in its own user
 * namespace). Up, down, TAP NICs and live network forwards need it.
 */
bool qnm_api_net_have_cap_net_admin(void);

/**
 * qnm_api_net_new() - a new network named @name, to be filled in and saved
 * with qnm_api_net_save().
 * @ctx:  the context (its model must be loaded).
 * @name: the new network's name.
 * @out:  set to the new network on success; the caller frees it with
 *        qnm_network_free().
 * @err:  "name: ..." when the name is not valid or already taken.
 * Return: 0, -EINVAL (not a valid name) or -EEXIST.
 */
int qnm_api_net_new(const struct qnm_ctx *ctx, const char *name, struct qnm_network **out,
		    struct qnm_err *err);

/**
 * qnm_api_net_save() - add or edit a network: check @net on its own and
 * against every other VM and network of the model (as if it replaced
 * @old_name), write its file atomically, and put a copy into @ctx->model.
 * On error nothing is written and the model is unchanged.
 * @ctx:      the context.
 * @net:      the network (still the caller's).
 * @old_name: its name before editing, NULL for a new network.
 * @is_up:    when not NULL, set to whether the network is up (recorded by
 *            qnm): the change then applies at its next down and up.
 * @err:      the field and rule on a check failure, or the write error.
 *
 * Under the configuration lock; a network another process changed since
 * @ctx->model read it is not overwritten (-ESTALE, see qnm_ctx_save_network()).
 * Return: 0 or -errno.
 */
int qnm_api_net_save(struct qnm_ctx *ctx, const struct qnm_network *net, const char *old_name,
		     bool *is_up, struct qnm_err *err);

/** typedef qnm_api_net_edit_fn - a change to @net, a copy of the network as on disk now. */
typedef int (*qnm_api_net_edit_fn)(struct qnm_network *net, void *data, struct qnm_err *err);

/**
 * qnm_api_net_edit() - change the network @name as it is on disk now:
 * under the configuration lock the model is re-read, @fn changes a copy,
 * and qnm_api_net_save() saves it (@is_up as there).
 * Return: 0, -ENOENT (no such network), or -errno from @fn or the save.
 */
int qnm_api_net_edit(struct qnm_ctx *ctx, const char *name, qnm_api_net_edit_fn fn, void *data,
		     bool *is_up, struct qnm_err *err);

/**
 * qnm_api_net_delete() - delete network @name: its file and its place in
 * the model. Refused while it is up (its host state would be left without
 * an owner) and while a TAP NIC names it (the model would no longer hold).
 * @ctx:  the context.
 * @name: the network.
 * @err:  why not.
 * Return: 0, -ENOENT (no such network), -EBUSY (up, or used by a NIC) or
 * another -errno (the file could not be removed).
 */
int qnm_api_net_delete(struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

/**
 * qnm_api_net_up() - bring network @name up on this host (host/netctl.h:
 * bridge, address, port, ip_forward, nftables, dnsmasq; each step skipped
 * when already in place). On error nothing this call did remains.
 * @ctx:   the context (the other networks that are up share the nftables
 *         table).
 * @name:  the network.
 * @o:     what the user agreed to, NULL for nothing.
 * @notes: sentences for the user (warnings, what was reused), appended.
 * @err:   why not.
 * Return: 0, -ENOENT (no such network) or another -errno.
 */
int qnm_api_net_up(struct qnm_ctx *ctx, const char *name, const struct qnm_api_net_up_opts *o,
		   struct qnm_strv *notes, struct qnm_err *err);

/**
 * qnm_api_net_down() - take network @name down: remove what up made, as
 * recorded. @name need not be in the model any more.
 * @ctx:   the context.
 * @name:  the network.
 * @notes: sentences for the user, appended.
 * @err:   why not.
 * Return: 0 (also when it was not up) or -errno.
 */
int qnm_api_net_down(struct qnm_ctx *ctx, const char *name, struct qnm_strv *notes,
		     struct qnm_err *err);

/**
 * qnm_api_net_down_guarded() - qnm_api_net_down(), and when it moves the
 * host's addresses back from a bridged network's bridge to its port, with
 * a guard as @g says (NULL: the default guard) that brings the network up
 * again unless confirmed (qnm_api_net_confirm()).
 * Return: 0 or -errno.
 */
int qnm_api_net_down_guarded(struct qnm_ctx *ctx, const char *name,
			     const struct qnm_api_net_guard_opts *g, struct qnm_strv *notes,
			     struct qnm_err *err);

/**
 * qnm_api_net_is_up() - whether qnm recorded network @name as up (in the
 * caller's network namespace). For many networks at once, use a view.
 */
bool qnm_api_net_is_up(const struct qnm_ctx *ctx, const char *name);

/**
 * qnm_api_nic_ipv6() - the IPv6 address NIC @nic has on its qnm network
 * when that network has IPv6 (its ipv6 key): the prefix and the EUI-64 of
 * the NIC's MAC, what the guest forms by SLAAC from qnm's router
 * advertisements and what DHCPv6 reserves for it (a guest that uses
 * privacy addresses and no DHCPv6 client has others).
 * @buf: at least QNM_IPV6_ADDR_LEN bytes; "" when none.
 * @net: set to the network's name when not NULL (at least QNM_NAME_MAX + 1
 *       bytes), "" when none.
 */
void qnm_api_nic_ipv6(const struct qnm_ctx *ctx, const struct qnm_nic *nic, char *buf, size_t size,
		      char *net);

/**
 * qnm_api_net_ipv6() - the IPv6 /64 of network @net ("fd12:3456:789a::/64",
 * "auto" resolved), "" when it has none.
 * @buf: at least QNM_IPV6_NET_LEN bytes.
 */
void qnm_api_net_ipv6(const struct qnm_network *net, char *buf, size_t size);

/**
 * qnm_api_net_leases() - the DHCP leases dnsmasq gave out on network @name
 * (none when it has no lease file).
 * @v: set to a new array (caller frees with free()), @n entries.
 * Return: 0 or -errno.
 */
int qnm_api_net_leases(const struct qnm_ctx *ctx, const char *name, struct qnm_lease **v, size_t *n,
		       struct qnm_err *err);

/**
 * qnm_api_net_links() - every host link of this network namespace, with
 * counters (rtnetlink; no privilege needed).
 * @want_addrs: also read their addresses.
 * @out:        set to the view on success; free with qnm_links_free().
 * Return: 0 or -errno.
 */
int qnm_api_net_links(bool want_addrs, struct qnm_links **out, struct qnm_err *err);

/**
 * struct qnm_api_net_port - where a bridged network's host address lives.
 * @port:    the port of the network's configuration.
 * @master:  the bridge the port is in now, "" when none (or no such link).
 * @address: the host's (first) address that qnm moves, "" when none.
 * @where:   the link that carries @address now, "" when none.
 * @naddrs:  addresses qnm moves (recorded when moved, else on the port now).
 * @nroutes: routes qnm moves with them.
 * @moved:   qnm moved them to the bridge and records what was on the port.
 */
struct qnm_api_net_port {
	char port[QNM_IFNAME_MAX + 1];
	char master[QNM_IFNAME_MAX + 1];
	char address[64];
	char where[QNM_IFNAME_MAX + 1];
	unsigned naddrs;
	unsigned nroutes;
	bool moved;
};

/**
 * qnm_api_net_port() - where the host's address of bridged network @name
 * lives now, which port is enslaved (no privilege needed).
 * Return: 0, -ENOENT (no such network, or not a bridged one with a port) or
 * -errno (the links could not be read).
 */
int qnm_api_net_port(const struct qnm_ctx *ctx, const char *name, struct qnm_api_net_port *p,
		     struct qnm_err *err);

/* ---- the state of networks on this host, for listings ---- */

/**
 * struct qnm_api_net_view - what the host holds of qnm's networks: the
 * ownership records (which networks qnm brought up) and the host's links.
 * Either may be unreadable; the view says so instead of failing.
 */
struct qnm_api_net_view;

/**
 * qnm_api_net_view_new() - read the records and the links now.
 * Return: the view (never NULL); free with qnm_api_net_view_free().
 */
struct qnm_api_net_view *qnm_api_net_view_new(const struct qnm_ctx *ctx);

/** qnm_api_net_view_free() - free @v (NULL is fine). */
void qnm_api_net_view_free(struct qnm_api_net_view *v);

/**
 * qnm_api_net_view_reload() - read the records again and have the links
 * read in full at the next refill (after an up or down).
 */
void qnm_api_net_view_reload(struct qnm_api_net_view *v);

/** qnm_api_net_view_refill() - bring the links up to date (once per UI tick). */
void qnm_api_net_view_refill(struct qnm_api_net_view *v);

/** qnm_api_net_view_known() - the ownership records could be read. */
bool qnm_api_net_view_known(const struct qnm_api_net_view *v);

/** qnm_api_net_view_is_up() - qnm recorded network @name as up. */
bool qnm_api_net_view_is_up(const struct qnm_api_net_view *v, const char *name);

/**
 * qnm_api_net_view_interrupted() - a qnm bringing network @name up or down
 * was killed before it finished (its host state is half done until the
 * next net up or down of it).
 */
bool qnm_api_net_view_interrupted(const struct qnm_api_net_view *v, const char *name);

/**
 * qnm_api_net_view_state() - a network's state as the listings name it:
 * "up", "bridge-down" (recorded up, bridge set down), "broken" (recorded
 * up, bridge gone), "interrupted" (a qnm bringing it up or down was
 * killed midway: 'qnm net up' finishes it, 'qnm net down' undoes it),
 * "bridge-exists" (not up, but a link has its bridge's name) or "down".
 * Return: a static string.
 */
const char *qnm_api_net_view_state(const struct qnm_api_net_view *v, const struct qnm_network *net);

/**
 * qnm_api_net_view_bridge() - the link of @net's bridge as of the last
 * refill, or NULL (no such link, or the links could not be read).
 */
const struct qnm_link_info *qnm_api_net_view_bridge(const struct qnm_api_net_view *v,
						    const struct qnm_network *net);

/**
 * qnm_api_net_view_links() - every host link as of the last refill, or NULL
 * when they could not be read. Valid until the next refill.
 */
const struct qnm_links *qnm_api_net_view_links(const struct qnm_api_net_view *v);

#endif
