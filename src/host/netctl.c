// SPDX-License-Identifier: GPL-2.0-or-later
/* netctl.c - bring a qnm network up and down, undoing on failure. */
#include "build-config.h"

#include "host/netctl.h"
#include "host/dnsmasq.h"
#include "host/nft.h"
#include "host/sysctl.h"
#include "core/validate.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NFT_REC "inet-qnm"
#define FWD_REC "net.ipv4.ip_forward"

bool qnm_have_cap_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

int qnm_netctl_open(struct qnm_netctl *nc, const char *runtime_dir, struct qnm_err *err)
{
	int r;

	memset(nc, 0, sizeof(*nc));
	r = qnm_owner_open(&nc->owner, runtime_dir, err);
	if (r < 0)
		return r;
	r = qnm_links_new(false, &nc->links, err);
	if (r < 0) {
		qnm_owner_clear(&nc->owner);
		return r;
	}
	nc->runtime_dir = xstrdup(runtime_dir);
	return 0;
}

void qnm_netctl_close(struct qnm_netctl *nc)
{
	qnm_links_free(nc->links);
	qnm_owner_clear(&nc->owner);
	free(nc->runtime_dir);
	memset(nc, 0, sizeof(*nc));
}

bool qnm_net_is_up(const struct qnm_netctl *nc, const char *name)
{
	return qnm_owner_find(&nc->owner, QNM_OWN_NET, name) != NULL;
}

/* ---- the set of networks that are up, for nftables ---- */

struct upset {
	struct qnm_network **nets;
	const char **uplinks;
	size_t n;
};

/* Networks of @m recorded up, without @skip, plus @add (either may be NULL). */
static void upset_build(struct qnm_netctl *nc, struct qnm_model *m, const char *skip,
			struct qnm_network *add, struct upset *s)
{
	size_t i;

	s->nets = xcalloc(m->nnets + 1, sizeof(*s->nets));
	s->uplinks = xcalloc(m->nnets + 1, sizeof(*s->uplinks));
	s->n = 0;
	for (i = 0; i < m->nnets; i++) {
		struct qnm_network *net = m->nets[i];

		if (net == add || (skip && strcmp(net->name, skip) == 0))
			continue;
		if (add && strcmp(net->name, add->name) == 0)
			continue;
		if (!qnm_net_is_up(nc, net->name))
			continue;
		s->nets[s->n++] = net;
	}
	if (add)
		s->nets[s->n++] = add;
	for (i = 0; i < s->n; i++)
		s->uplinks[i] = s->nets[i]->mode == QNM_NET_NAT ? s->nets[i]->uplink : "";
}

static void upset_free(struct upset *s)
{
	free(s->nets);
	free(s->uplinks);
}

static bool upset_has_nat(const struct upset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->nets[i]->mode == QNM_NET_NAT)
			return true;
	return false;
}

/* Write the table for @s, or remove it when @s is empty. */
static int nft_sync(struct qnm_netctl *nc, const struct upset *s, struct qnm_err *err)
{
	int r;

	if (!s->n) {
		r = qnm_nft_remove(err);
		if (r == 0)
			r = qnm_owner_remove(&nc->owner, QNM_OWN_NFT, NFT_REC, err);
		return r;
	}
	r = qnm_nft_apply(s->nets, s->n, s->uplinks, err);
	if (r == 0)
		r = qnm_owner_add(&nc->owner, QNM_OWN_NFT, NFT_REC, NULL, err);
	return r;
}

/* ---- undo log of qnm_net_up() ---- */

enum undo_kind {
	UNDO_BRIDGE,   /* delete bridge @a, forget it */
	UNDO_ADDR,     /* remove address @b/@n from @a */
	UNDO_PORT,     /* release port @a, forget it */
	UNDO_FORWARD,  /* ip_forward back to 0, forget the record */
	UNDO_NFT,      /* rewrite the table without network @a */
	UNDO_LINKDOWN, /* set @a down */
	UNDO_DNSMASQ,  /* stop dnsmasq of network @a (pid @n), forget it */
	UNDO_NETREC,   /* forget that network @a is up */
	UNDO_LOCALNET, /* route_localnet of bridge @a back to 0, forget the record */
};

struct undo {
	enum undo_kind kind;
	char a[64];
	char b[64];
	unsigned n;
};

struct undo_log {
	struct undo v[16];
	size_t n;
	struct qnm_model *m;
};

static void undo_push(struct undo_log *u, enum undo_kind kind, const char *a, const char *b,
		      unsigned n)
{
	struct undo *x = &u->v[u->n++];

	x->kind = kind;
	qnm_strlcpy(x->a, a, sizeof(x->a));
	qnm_strlcpy(x->b, b ? b : "", sizeof(x->b));
	x->n = n;
}

static void undo_bridge(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	if (qnm_links_delete(nc->links, x->a, NULL) == 0 ||
	    !qnm_links_exists(nc->links, x->a, NULL, NULL))
		qnm_owner_remove(&nc->owner, QNM_OWN_BRIDGE, x->a, NULL);
}

static void undo_addr(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	if (qnm_links_addr_del(nc->links, x->a, x->b, x->n, NULL) == 0)
		qnm_owner_remove(&nc->owner, QNM_OWN_ADDR, x->a, NULL);
}

static void undo_port(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	if (qnm_links_release(nc->links, x->a, NULL) == 0)
		qnm_owner_remove(&nc->owner, QNM_OWN_PORT, x->a, NULL);
}

static void undo_forward(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	if (qnm_ip_forward_set(false, NULL, NULL) == 0)
		qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, FWD_REC, NULL);
}

static void undo_nft(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	struct upset s;

	upset_build(nc, u->m, x->a, NULL, &s);
	nft_sync(nc, &s, NULL);
	upset_free(&s);
}

static void undo_linkdown(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	qnm_links_set_up(nc->links, x->a, false, NULL);
}

static void undo_dnsmasq(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	if (qnm_dnsmasq_stop(nc->runtime_dir, x->a, (pid_t)x->n, NULL) == 0)
		qnm_owner_remove(&nc->owner, QNM_OWN_DNSMASQ, x->a, NULL);
}

static void undo_netrec(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	qnm_owner_remove(&nc->owner, QNM_OWN_NET, x->a, NULL);
}

static void undo_localnet(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	char rec[64];

	qnm_route_localnet_name(x->a, rec, sizeof(rec));
	if (qnm_route_localnet_set(x->a, false, NULL, NULL) == 0)
		qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, rec, NULL);
}

static void (*const undo_ops[])(struct qnm_netctl *, struct undo_log *, const struct undo *) = {
	[UNDO_BRIDGE] = undo_bridge,   [UNDO_ADDR] = undo_addr,	    [UNDO_PORT] = undo_port,
	[UNDO_FORWARD] = undo_forward, [UNDO_NFT] = undo_nft,	    [UNDO_LINKDOWN] = undo_linkdown,
	[UNDO_DNSMASQ] = undo_dnsmasq, [UNDO_NETREC] = undo_netrec, [UNDO_LOCALNET] = undo_localnet,
};

static void undo_run(struct qnm_netctl *nc, struct undo_log *u)
{
	while (u->n) {
		const struct undo *x = &u->v[--u->n];

		undo_ops[x->kind](nc, u, x);
	}
}

/* ---- up ---- */

static int up_bridge(struct qnm_netctl *nc, struct qnm_network *net,
		     const struct qnm_net_up_opts *o, struct undo_log *u, struct qnm_strv *notes,
		     struct qnm_err *err)
{
	struct qnm_link_info li;
	int r;

	r = qnm_links_exists(nc->links, net->bridge, &li, err);
	if (r < 0)
		return r;
	if (r == 0) {
		r = qnm_links_bridge_add(nc->links, net->bridge, err);
		if (r < 0)
			return r;
		r = qnm_owner_add(&nc->owner, QNM_OWN_BRIDGE, net->bridge, net->name, err);
		if (r < 0) {
			qnm_links_delete(nc->links, net->bridge, NULL);
			return r;
		}
		undo_push(u, UNDO_BRIDGE, net->bridge, NULL, 0);
		return 0;
	}
	if (strcmp(li.type, "bridge") != 0)
		return qnm_err_set(err, -EEXIST, "network.bridge",
				   "network %s: %s exists and is a %s, not a bridge", net->name,
				   net->bridge, li.type);
	if (qnm_owner_find(&nc->owner, QNM_OWN_BRIDGE, net->bridge))
		return 0;
	if (!o->force)
		return qnm_err_set(err, -EEXIST, "network.bridge",
				   "network %s: bridge %s exists and qnm did not create it (add "
				   "--force to use it; qnm will then never delete it)",
				   net->name, net->bridge);
	qnm_strv_addf(notes,
		      "using existing bridge %s, which qnm did not create: it stays when "
		      "the network goes down",
		      net->bridge);
	return 0;
}

static int up_port(struct qnm_netctl *nc, struct qnm_network *net, const struct qnm_net_up_opts *o,
		   struct undo_log *u, struct qnm_strv *notes, struct qnm_err *err)
{
	char addrs[1][QNM_CIDR_LEN], what[96];
	struct qnm_link_info li;
	int r, naddrs;

	if (net->mode != QNM_NET_BRIDGED || !net->port[0])
		return 0;
	r = qnm_links_exists(nc->links, net->port, &li, err);
	if (r < 0)
		return r;
	if (r == 0)
		return qnm_err_set(err, -ENODEV, "network.port",
				   "network %s: no interface named %s", net->name, net->port);
	if (strcmp(li.master_name, net->bridge) == 0)
		return 0;
	naddrs = qnm_links_ipv4_addrs(nc->links, net->port, addrs, 1, err);
	if (naddrs < 0)
		return naddrs;
	if (naddrs)
		snprintf(what, sizeof(what), "the host's address on %s (%s)", net->port, addrs[0]);
	else
		snprintf(what, sizeof(what), "any address the host puts on %s", net->port);
	if (!o->confirm_port)
		return qnm_err_set(
			err, -EPERM, "network.port",
			"network %s: adding %s to bridge %s takes %s over: %s stops "
			"working until it is moved to %s; add --confirm-port to go ahead",
			net->name, net->port, net->bridge, net->port, what, net->bridge);
	if (li.master && !o->force)
		return qnm_err_set(
			err, -EBUSY, "network.port",
			"network %s: %s is already a port of %s (add --force to move it)",
			net->name, net->port, li.master_name);
	r = qnm_links_enslave(nc->links, net->port, net->bridge, err);
	if (r < 0)
		return r;
	r = qnm_owner_add(&nc->owner, QNM_OWN_PORT, net->port, net->bridge, err);
	if (r < 0) {
		qnm_links_release(nc->links, net->port, NULL);
		return r;
	}
	undo_push(u, UNDO_PORT, net->port, NULL, 0);
	if (!li.up) {
		r = qnm_links_set_up(nc->links, net->port, true, err);
		if (r < 0)
			return r;
		undo_push(u, UNDO_LINKDOWN, net->port, NULL, 0);
	}
	qnm_strv_addf(notes, "%s is now a port of %s: %s no longer works until it is moved to %s",
		      net->port, net->bridge, what, net->bridge);
	return 0;
}

static int up_forward(struct qnm_netctl *nc, struct qnm_network *net, struct undo_log *u,
		      struct qnm_err *err)
{
	bool prev;
	int r;

	if (net->mode != QNM_NET_NAT)
		return 0;
	if (net->uplink[0]) {
		r = qnm_links_exists(nc->links, net->uplink, NULL, err);
		if (r < 0)
			return r;
		if (r == 0)
			return qnm_err_set(err, -ENODEV, "network.uplink",
					   "network %s: uplink %s does not exist", net->name,
					   net->uplink);
	}
	r = qnm_ip_forward_set(true, &prev, err);
	if (r < 0)
		return r;
	if (prev)
		return 0;
	r = qnm_owner_add(&nc->owner, QNM_OWN_SYSCTL, FWD_REC, "0", err);
	if (r < 0) {
		qnm_ip_forward_set(false, NULL, NULL);
		return r;
	}
	undo_push(u, UNDO_FORWARD, FWD_REC, NULL, 0);
	return 0;
}

/*
 * A forward on 127.0.0.1 into the network: the host's own connection is
 * DNAT'ed in the output hook and leaves through the bridge with source
 * 127.0.0.1, which the kernel routes out of an interface only with
 * route_localnet there (table inet qnm then masquerades it to the bridge's
 * address and keeps 127.0.0.0/8 from entering through the bridge). Set on
 * this bridge only, and only for the modes that have forwards (nat,
 * isolated: a bridged network's bridge holds the LAN's port).
 */
static int up_localnet(struct qnm_netctl *nc, struct qnm_network *net, struct undo_log *u,
		       struct qnm_err *err)
{
	char rec[64];
	bool prev;
	int r;

	if (net->mode == QNM_NET_BRIDGED || !net->address[0])
		return 0;
	r = qnm_route_localnet_set(net->bridge, true, &prev, err);
	if (r < 0 || prev)
		return r;
	qnm_route_localnet_name(net->bridge, rec, sizeof(rec));
	r = qnm_owner_add(&nc->owner, QNM_OWN_SYSCTL, rec, "0", err);
	if (r < 0) {
		qnm_route_localnet_set(net->bridge, false, NULL, NULL);
		return r;
	}
	undo_push(u, UNDO_LOCALNET, net->bridge, NULL, 0);
	return 0;
}

/* down: route_localnet of @bridge back to its recorded value (gone with the bridge is fine) */
static int down_localnet(struct qnm_netctl *nc, const char *bridge, struct qnm_err *err)
{
	const struct qnm_own_rec *rec;
	char name[64];
	int r;

	qnm_route_localnet_name(bridge, name, sizeof(name));
	rec = qnm_owner_find(&nc->owner, QNM_OWN_SYSCTL, name);
	if (!rec)
		return 0;
	r = qnm_route_localnet_set(bridge, strcmp(rec->extra, "1") == 0, NULL, err);
	if (r == -ENOENT)
		r = 0;
	return r ? r : qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, name, err);
}

static int up_dhcp(struct qnm_netctl *nc, struct qnm_network *net, struct undo_log *u,
		   struct qnm_err *err)
{
	const struct qnm_own_rec *rec;
	char buf[32];
	pid_t pid;
	int r;

	if (net->mode == QNM_NET_BRIDGED || !net->dhcp_start[0])
		return 0;
	rec = qnm_owner_find(&nc->owner, QNM_OWN_DNSMASQ, net->name);
	if (rec && qnm_dnsmasq_is_ours((pid_t)atoi(rec->extra), nc->runtime_dir, net->name))
		return 0;
	r = qnm_dnsmasq_start(net, nc->runtime_dir, &pid, err);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = qnm_owner_add(&nc->owner, QNM_OWN_DNSMASQ, net->name, buf, err);
	if (r < 0) {
		qnm_dnsmasq_stop(nc->runtime_dir, net->name, pid, NULL);
		return r;
	}
	undo_push(u, UNDO_DNSMASQ, net->name, NULL, (unsigned)pid);
	return 0;
}

int qnm_net_up(struct qnm_netctl *nc, struct qnm_model *m, struct qnm_network *net,
	       const struct qnm_net_up_opts *o, struct qnm_strv *notes, struct qnm_err *err)
{
	static const struct qnm_net_up_opts none;
	struct undo_log u = { .n = 0, .m = m };
	struct qnm_link_info li;
	struct upset s;
	bool was_up;
	int r;

	if (!o)
		o = &none;
	r = qnm_check_network(net, err);
	if (r < 0)
		return r;
	was_up = qnm_net_is_up(nc, net->name);
	r = up_bridge(nc, net, o, &u, notes, err);
	if (r < 0)
		goto fail;
	if (net->address[0]) {
		bool added;

		r = qnm_links_addr_add(nc->links, net->bridge, net->address, net->prefix, &added,
				       err);
		if (r < 0)
			goto fail;
		if (added)
			undo_push(&u, UNDO_ADDR, net->bridge, net->address, net->prefix);
		if (added && !qnm_owner_find(&nc->owner, QNM_OWN_BRIDGE, net->bridge)) {
			/* An adopted bridge stays on down: remember the address we added. */
			char cidr[QNM_CIDR_LEN + 4];

			snprintf(cidr, sizeof(cidr), "%s/%u", net->address, net->prefix);
			r = qnm_owner_add(&nc->owner, QNM_OWN_ADDR, net->bridge, cidr, err);
			if (r < 0)
				goto fail;
		}
	}
	r = up_port(nc, net, o, &u, notes, err);
	if (r < 0)
		goto fail;
	r = up_localnet(nc, net, &u, err);
	if (r < 0)
		goto fail;
	r = up_forward(nc, net, &u, err);
	if (r < 0)
		goto fail;
	upset_build(nc, m, NULL, net, &s);
	r = nft_sync(nc, &s, err);
	if (r == 0 && net->mode != QNM_NET_BRIDGED)
		/* read-only look at other tables; a failure there is no reason to stop */
		qnm_nft_check_foreign_drop(&s.nets[s.n - 1], 1, notes, NULL);
	upset_free(&s);
	if (r < 0)
		goto fail;
	if (!was_up)
		undo_push(&u, UNDO_NFT, net->name, NULL, 0);
	r = qnm_links_exists(nc->links, net->bridge, &li, err);
	if (r < 0)
		goto fail;
	if (!li.up) {
		r = qnm_links_set_up(nc->links, net->bridge, true, err);
		if (r < 0)
			goto fail;
		undo_push(&u, UNDO_LINKDOWN, net->bridge, NULL, 0);
	}
	r = up_dhcp(nc, net, &u, err);
	if (r < 0)
		goto fail;
	r = qnm_owner_add(&nc->owner, QNM_OWN_NET, net->name, net->bridge, err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	qnm_err_prefix(err, "network %s", net->name);
	undo_run(nc, &u);
	return r;
}

/* ---- down ---- */

int qnm_net_down(struct qnm_netctl *nc, struct qnm_model *m, const char *name,
		 struct qnm_strv *notes, struct qnm_err *err)
{
	const struct qnm_own_rec *rec;
	char bridge[64] = "";
	struct upset s;
	size_t i;
	int r;

	rec = qnm_owner_find(&nc->owner, QNM_OWN_NET, name);
	if (rec)
		qnm_strlcpy(bridge, rec->extra, sizeof(bridge));
	for (i = 0; !bridge[0] && i < nc->owner.n; i++)
		if (nc->owner.v[i].kind == QNM_OWN_BRIDGE &&
		    nc->owner.v[i].netns == nc->owner.netns &&
		    strcmp(nc->owner.v[i].extra, name) == 0)
			qnm_strlcpy(bridge, nc->owner.v[i].name, sizeof(bridge));
	if (!rec && !bridge[0] && !qnm_owner_find(&nc->owner, QNM_OWN_DNSMASQ, name)) {
		qnm_strv_addf(notes, "network %s is not up", name);
		return 0;
	}

	/* 1. nftables first: needs CAP_NET_ADMIN, all or nothing. */
	upset_build(nc, m, name, NULL, &s);
	if (s.n || qnm_owner_find(&nc->owner, QNM_OWN_NFT, NFT_REC)) {
		struct qnm_err e;

		qnm_err_clear(&e);
		if (qnm_nft_table_exists(&e) == 0)
			qnm_strv_addf(notes,
				      "table inet qnm was already gone (deleted outside qnm)%s",
				      s.n ? "; re-created for the networks still up" : "");
		r = nft_sync(nc, &s, err);
	} else {
		r = 0;
	}
	if (r < 0) {
		upset_free(&s);
		goto fail;
	}
	r = qnm_owner_remove(&nc->owner, QNM_OWN_NET, name, err);
	if (r < 0) {
		upset_free(&s);
		goto fail;
	}

	/* 2. ip_forward back to what it was when the last NAT network goes. */
	rec = qnm_owner_find(&nc->owner, QNM_OWN_SYSCTL, FWD_REC);
	if (rec && !upset_has_nat(&s)) {
		r = qnm_ip_forward_set(strcmp(rec->extra, "1") == 0, NULL, err);
		if (r == 0)
			r = qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, FWD_REC, err);
	}
	upset_free(&s);
	if (r < 0)
		goto fail;

	/* 3. dnsmasq. */
	rec = qnm_owner_find(&nc->owner, QNM_OWN_DNSMASQ, name);
	if (rec) {
		r = qnm_dnsmasq_stop(nc->runtime_dir, name, (pid_t)atoi(rec->extra), err);
		if (r == 0)
			r = qnm_owner_remove(&nc->owner, QNM_OWN_DNSMASQ, name, err);
		if (r < 0)
			goto fail;
	}
	if (!bridge[0])
		return 0;

	/* 4. the bridge's route_localnet back to what it was. */
	r = down_localnet(nc, bridge, err);
	if (r < 0)
		goto fail;

	/* 5. ports qnm enslaved to the bridge. */
	for (i = 0; i < nc->owner.n; i++) {
		struct qnm_own_rec p = nc->owner.v[i];

		if (p.kind != QNM_OWN_PORT || p.netns != nc->owner.netns ||
		    strcmp(p.extra, bridge) != 0)
			continue;
		r = qnm_links_release(nc->links, p.name, err);
		if (r == -ENODEV)
			r = 0;
		if (r == 0)
			r = qnm_owner_remove(&nc->owner, QNM_OWN_PORT, p.name, err);
		if (r < 0)
			goto fail;
		i = (size_t)-1; /* the list changed: start over */
	}

	/* 6. the bridge, only when qnm made it. */
	if (qnm_owner_find(&nc->owner, QNM_OWN_BRIDGE, bridge)) {
		r = qnm_links_delete(nc->links, bridge, err);
		if (r == -ENODEV) {
			qnm_strv_addf(notes, "bridge %s was already gone (removed outside qnm)",
				      bridge);
			r = 0;
		}
		if (r == 0)
			r = qnm_owner_remove(&nc->owner, QNM_OWN_BRIDGE, bridge, err);
		if (r < 0)
			goto fail;
	} else {
		rec = qnm_owner_find(&nc->owner, QNM_OWN_ADDR, bridge);
		if (rec) {
			char addr[QNM_CIDR_LEN + 4], *slash;

			qnm_strlcpy(addr, rec->extra, sizeof(addr));
			slash = strchr(addr, '/');
			if (slash)
				*slash++ = '\0';
			r = qnm_links_addr_del(nc->links, bridge, addr,
					       slash ? (unsigned)atoi(slash) : 32, err);
			if (r == -ENODEV)
				r = 0;
			if (r == 0)
				r = qnm_owner_remove(&nc->owner, QNM_OWN_ADDR, bridge, err);
			if (r < 0)
				goto fail;
		}
		qnm_strv_addf(notes,
			      "bridge %s was not created by qnm and stays (without the "
			      "address qnm put on it)",
			      bridge);
	}
	return 0;
fail:
	qnm_err_prefix(err, "network %s", name);
	return r;
}
