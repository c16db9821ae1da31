// SPDX-License-Identifier: GPL-2.0-or-later
/* netctl.c - bring a qnm network up and down, undoing on failure. */
#include "build-config.h"

#include "host/netctl.h"
#include "host/dnsmasq.h"
#include "host/hostip.h"
#include "host/nft.h"
#include "host/ovn.h"
#include "host/sysctl.h"
#include "core/ipv6net.h"
#include "core/reserve.h"
#include "core/validate.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NFT_REC	 "inet-qnm"
#define FWD_REC	 "net.ipv4.ip_forward"
#define FWD6_REC "net.ipv6.conf.all.forwarding"
#define OVN_REC	 "ovn" /* the extra of an ovn network's record: it has no bridge */

static bool needs_fwd4(const struct qnm_network *net)
{
	return net->mode == QNM_NET_NAT;
}

static bool needs_fwd6(const struct qnm_network *net)
{
	return net->mode == QNM_NET_NAT && qnm_net_has_ipv6(net);
}

/**
 * struct fwd_sysctl - a forwarding switch a NAT network turns on: the value
 * before is recorded (QNM_OWN_SYSCTL @rec) before it changes, and put back
 * when the last network that @needs it goes down. @ra: turning it on stops
 * router advertisements on interfaces with accept_ra=1 (a note names them).
 */
static const struct fwd_sysctl {
	const char *rec;
	int (*get)(bool *on, struct qnm_err *err);
	int (*set)(bool on, bool *prev, struct qnm_err *err);
	bool (*needs)(const struct qnm_network *net);
	bool ra;
} fwd_sysctls[] = {
	{ FWD_REC, qnm_ip_forward_get, qnm_ip_forward_set, needs_fwd4, false },
	{ FWD6_REC, qnm_ip6_forward_get, qnm_ip6_forward_set, needs_fwd6, true },
};

static const struct fwd_sysctl *fwd_sysctl_of(const char *rec)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(fwd_sysctls); i++)
		if (strcmp(fwd_sysctls[i].rec, rec) == 0)
			return &fwd_sysctls[i];
	return NULL;
}

bool qnm_have_cap_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

/* RUNDIR/net.lock, held until close: one network change at a time */
static int net_lock(const char *runtime_dir, struct qnm_err *err)
{
	char *path = xasprintf("%s/net.lock", runtime_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), r;

	while (fd >= 0 && flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	if (fd < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "lock %s: %s", path, strerror(-r));
		free(path);
		return r;
	}
	free(path);
	return fd;
}

int qnm_netctl_open(struct qnm_netctl *nc, const char *runtime_dir, struct qnm_err *err)
{
	int r;

	memset(nc, 0, sizeof(*nc));
	nc->lock_fd = -1;
	/* the directory the lock lives in (the records are read under the lock) */
	r = qnm_owner_dir(runtime_dir, err);
	if (r < 0)
		return r;
	nc->lock_fd = net_lock(runtime_dir, err);
	if (nc->lock_fd < 0)
		return nc->lock_fd;
	r = qnm_owner_open(&nc->owner, runtime_dir, err); /* as the lock holder sees them */
	if (r < 0) {
		close(nc->lock_fd);
		return r;
	}
	r = qnm_links_open(&nc->links, err);
	if (r < 0) {
		qnm_owner_clear(&nc->owner);
		close(nc->lock_fd);
		return r;
	}
	nc->runtime_dir = xstrdup(runtime_dir);
	return 0;
}

void qnm_netctl_close(struct qnm_netctl *nc)
{
	if (nc->lock_fd >= 0)
		close(nc->lock_fd);
	qnm_links_free(nc->links);
	qnm_owner_clear(&nc->owner);
	free(nc->runtime_dir);
	memset(nc, 0, sizeof(*nc));
}

bool qnm_net_is_up(const struct qnm_netctl *nc, const char *name)
{
	return qnm_owner_find(&nc->owner, QNM_OWN_NET, name) != NULL;
}

/* ---- settling what a killed qnm left half done ---- */

enum settle { SETTLE_FORGET, SETTLE_KEEP, SETTLE_LEAVE };

/* a bridge of that name exists: the one qnm was creating (or deleting) */
static enum settle settle_bridge(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	struct qnm_link_info li;

	return qnm_links_exists(nc->links, r->name, &li, NULL) == 1 &&
			       strcmp(li.type, "bridge") == 0
		       ? SETTLE_KEEP
		       : SETTLE_FORGET;
}

/* the port is in the bridge of the record */
static enum settle settle_port(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	struct qnm_link_info li;

	return qnm_links_exists(nc->links, r->name, &li, NULL) == 1 &&
			       strcmp(li.master_name, r->extra) == 0
		       ? SETTLE_KEEP
		       : SETTLE_FORGET;
}

/* the address of the record is on the (adopted) bridge */
static enum settle settle_addr(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	char addrs[16][QNM_CIDR_LEN];
	int i, n = qnm_links_ipv4_addrs(nc->links, r->name, addrs, 16, NULL);

	for (i = 0; i < n && i < 16; i++)
		if (strcmp(addrs[i], r->extra) == 0)
			return SETTLE_KEEP;
	return SETTLE_FORGET;
}

/*
 * The sysctl (ip_forward, IPv6 forwarding, or a bridge's route_localnet) no longer what it
 * was before qnm wrote it: qnm changed it. A bridge that is gone took its
 * route_localnet with it.
 */
static enum settle settle_sysctl(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	static const char pre[] = "net.ipv4.conf.", post[] = ".route_localnet";
	size_t n = strlen(r->name), lp = strlen(pre), ls = strlen(post);
	const struct fwd_sysctl *fs = fwd_sysctl_of(r->name);
	char ifname[64];
	bool on;
	int e;

	if (fs) {
		e = fs->get(&on, NULL);
	} else if (n > lp + ls && strncmp(r->name, pre, lp) == 0 &&
		   strcmp(r->name + n - ls, post) == 0 && n - lp - ls < sizeof(ifname)) {
		memcpy(ifname, r->name + lp, n - lp - ls);
		ifname[n - lp - ls] = '\0';
		e = qnm_route_localnet_get(ifname, &on, NULL);
		if (e == -ENOENT)
			return SETTLE_FORGET;
	} else {
		return SETTLE_LEAVE; /* not one qnm writes */
	}
	if (e < 0)
		return SETTLE_LEAVE;
	return on != (strcmp(r->extra, "1") == 0) ? SETTLE_KEEP : SETTLE_FORGET;
}

static enum settle settle_nft(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	return qnm_nft_table_exists(NULL) == 1 ? SETTLE_KEEP : SETTLE_FORGET;
}

/* the pid was never recorded: stop every dnsmasq of ours for the network */
static enum settle settle_dnsmasq(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	pid_t pids[8];
	size_t i, n = qnm_dnsmasq_scan(nc->runtime_dir, r->name, pids, QNM_ARRAY_SIZE(pids));

	for (i = 0; i < n && i < QNM_ARRAY_SIZE(pids); i++)
		if (qnm_dnsmasq_stop(nc->runtime_dir, r->name, pids[i], NULL) < 0)
			return SETTLE_LEAVE;
	return n > QNM_ARRAY_SIZE(pids) ? SETTLE_LEAVE : SETTLE_FORGET;
}

/* a network's own record stays pending until its next up or down; a TAP is the guest's */
static enum settle settle_leave(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	return SETTLE_LEAVE;
}

/*
 * A move of the host's addresses cut short (up or down): back to the port as
 * recorded before anything changed, the port released: fully before.
 */
static enum settle settle_hostip(struct qnm_netctl *nc, const struct qnm_own_rec *r)
{
	struct qnm_hostip h;
	int e = qnm_hostip_load(nc->runtime_dir, r->name, &h, NULL);

	if (e == -ENOENT)
		return SETTLE_FORGET;
	if (e < 0 || qnm_hostip_to_port(nc->links, &h, NULL) < 0)
		return SETTLE_LEAVE;
	if (qnm_owner_remove(&nc->owner, QNM_OWN_PORT, r->name, NULL) < 0)
		return SETTLE_LEAVE;
	qnm_hostip_forget(nc->runtime_dir, r->name);
	return SETTLE_FORGET;
}

static enum settle (*const settle_ops[QNM_OWN__COUNT])(struct qnm_netctl *,
						       const struct qnm_own_rec *) = {
	[QNM_OWN_BRIDGE] = settle_bridge, [QNM_OWN_TAP] = settle_leave,
	[QNM_OWN_PORT] = settle_port,	  [QNM_OWN_DNSMASQ] = settle_dnsmasq,
	[QNM_OWN_NFT] = settle_nft,	  [QNM_OWN_NET] = settle_leave,
	[QNM_OWN_SYSCTL] = settle_sysctl, [QNM_OWN_ADDR] = settle_addr,
	[QNM_OWN_HOSTIP] = settle_hostip,
};

/* settle the pending records of dead writers, or (@mine) this process's own */
static int settle_recs(struct qnm_netctl *nc, bool mine, struct qnm_strv *notes,
		       struct qnm_err *err)
{
	struct qnm_own_rec *todo;
	size_t i, n = 0;
	int r = 0;

	todo = xcalloc(nc->owner.n + 1, sizeof(*todo));
	for (i = 0; i < nc->owner.n; i++)
		if (nc->owner.v[i].netns == nc->owner.netns &&
		    (mine ? nc->owner.v[i].pending == getpid()
			  : qnm_own_rec_abandoned(&nc->owner.v[i])))
			todo[n++] = nc->owner.v[i];
	for (i = 0; i < n && r == 0; i++) {
		const struct qnm_own_rec *x = &todo[i];
		enum settle st = settle_ops[x->kind](nc, x);

		if (st == SETTLE_LEAVE)
			continue;
		if (st == SETTLE_KEEP)
			r = qnm_owner_add(&nc->owner, x->kind, x->name, x->extra, err);
		else
			r = qnm_owner_remove(&nc->owner, x->kind, x->name, err);
		if (r == 0 && notes)
			qnm_strv_addf(
				notes, "a qnm that was killed (pid %d) left %s %s half done: %s",
				x->pending, qnm_own_kind_name(x->kind), x->name,
				st == SETTLE_KEEP ? "it exists and is qnm's (kept as recorded)"
				: x->kind == QNM_OWN_DNSMASQ ? "stopped"
				: x->kind == QNM_OWN_HOSTIP
					? "the host's addresses and routes are back "
					  "on it as recorded, the port released"
					: "it was not made (forgotten)");
	}
	free(todo);
	return r;
}

int qnm_net_settle(struct qnm_netctl *nc, struct qnm_strv *notes, struct qnm_err *err)
{
	return settle_recs(nc, false, notes, err);
}

/* @kind @name is recorded pending by this process (an intent of this call) */
static bool mine(const struct qnm_netctl *nc, enum qnm_own_kind kind, const char *name)
{
	const struct qnm_own_rec *r = qnm_owner_find_pending(&nc->owner, kind, name);

	return r && r->pending == getpid();
}

/* qnm's own: recorded plain, or being created by this call */
static bool own(const struct qnm_netctl *nc, enum qnm_own_kind kind, const char *name)
{
	return qnm_owner_find(&nc->owner, kind, name) || mine(nc, kind, name);
}

const struct qnm_own_rec *qnm_net_interrupted(const struct qnm_owner *o, const char *name)
{
	const struct qnm_own_rec *r = qnm_owner_find_pending(o, QNM_OWN_NET, name);

	return r && qnm_own_rec_abandoned(r) ? r : NULL;
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
		if (!qnm_net_is_up(nc, net->name) || net->mode == QNM_NET_OVN)
			continue; /* an ovn network has no bridge and no rules of the host's */
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

/* a network of @s needs forwarding switch @fs */
static bool upset_needs(const struct upset *s, const struct fwd_sysctl *fs)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (fs->needs(s->nets[i]))
			return true;
	return false;
}

/*
 * Write the table for @s, or remove it when @s is empty. The record turns
 * pending first: a kill during the (atomic) write leaves a pending record
 * that qnm_net_settle() resolves by whether the table exists.
 */
static int nft_sync(struct qnm_netctl *nc, const struct upset *s, struct qnm_err *err)
{
	bool had = qnm_owner_find(&nc->owner, QNM_OWN_NFT, NFT_REC) != NULL;
	bool batched = mine(nc, QNM_OWN_NFT, NFT_REC); /* net up's intents: plain at its end */
	int r;

	r = batched ? 0 : qnm_owner_intend(&nc->owner, QNM_OWN_NFT, NFT_REC, NULL, err);
	if (r < 0)
		return r;
	r = s->n ? qnm_nft_apply(s->nets, s->n, s->uplinks, err) : qnm_nft_remove(err);
	if (batched && (r < 0 || s->n))
		return r; /* settled at the end of net up (done, or by the table's presence) */
	if (r < 0) {	  /* the table is as it was */
		if (had)
			qnm_owner_add(&nc->owner, QNM_OWN_NFT, NFT_REC, NULL, NULL);
		else
			qnm_owner_remove(&nc->owner, QNM_OWN_NFT, NFT_REC, NULL);
		return r;
	}
	return s->n ? qnm_owner_add(&nc->owner, QNM_OWN_NFT, NFT_REC, NULL, err)
		    : qnm_owner_remove(&nc->owner, QNM_OWN_NFT, NFT_REC, err);
}

/* ---- undo log of qnm_net_up() ---- */

enum undo_kind {
	UNDO_BRIDGE,   /* delete bridge @a, forget it */
	UNDO_ADDR,     /* remove address @b/@n from @a */
	UNDO_PORT,     /* release port @a, forget it */
	UNDO_FORWARD,  /* forwarding switch @a (its record) back to 0, forget the record */
	UNDO_NFT,      /* rewrite the table without network @a */
	UNDO_LINKDOWN, /* set @a down */
	UNDO_DNSMASQ,  /* stop dnsmasq of network @a (pid @n), forget it */
	UNDO_NETREC,   /* forget that network @a is up */
	UNDO_LOCALNET, /* route_localnet of bridge @a back to 0, forget the record */
	UNDO_HOSTIP,   /* the host's addresses back on port @a, forget the record */
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
	const struct fwd_sysctl *fs = fwd_sysctl_of(x->a);

	if (fs && fs->set(false, NULL, NULL) == 0)
		qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, fs->rec, NULL);
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

static void undo_hostip(struct qnm_netctl *nc, struct undo_log *u, const struct undo *x)
{
	struct qnm_hostip h;

	if (qnm_hostip_load(nc->runtime_dir, x->a, &h, NULL) == 0 &&
	    qnm_hostip_to_port(nc->links, &h, NULL) == 0) {
		qnm_owner_remove(&nc->owner, QNM_OWN_HOSTIP, x->a, NULL);
		qnm_hostip_forget(nc->runtime_dir, x->a);
	}
}

static void (*const undo_ops[])(struct qnm_netctl *, struct undo_log *, const struct undo *) = {
	[UNDO_BRIDGE] = undo_bridge,   [UNDO_ADDR] = undo_addr,	    [UNDO_PORT] = undo_port,
	[UNDO_FORWARD] = undo_forward, [UNDO_NFT] = undo_nft,	    [UNDO_LINKDOWN] = undo_linkdown,
	[UNDO_DNSMASQ] = undo_dnsmasq, [UNDO_NETREC] = undo_netrec, [UNDO_LOCALNET] = undo_localnet,
	[UNDO_HOSTIP] = undo_hostip,
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
		/* up_intents() recorded it; plain at the end of net up */
		r = mine(nc, QNM_OWN_BRIDGE, net->bridge)
			    ? 0
			    : qnm_owner_intend(&nc->owner, QNM_OWN_BRIDGE, net->bridge, net->name,
					       err);
		if (r < 0)
			return r;
		r = qnm_links_bridge_add(nc->links, net->bridge, err);
		if (r < 0) {
			qnm_owner_remove(&nc->owner, QNM_OWN_BRIDGE, net->bridge, NULL);
			return r;
		}
		undo_push(u, UNDO_BRIDGE, net->bridge, NULL, 0);
		return 0;
	}
	if (strcmp(li.type, "bridge") != 0)
		return qnm_err_set(err, -EEXIST, "network.bridge",
				   "%s exists and is a %s, not a bridge", net->bridge, li.type);
	if (qnm_owner_find(&nc->owner, QNM_OWN_BRIDGE, net->bridge))
		return 0;
	if (!o->force)
		return qnm_err_set(err, -EEXIST, "network.bridge",
				   "bridge %s exists and qnm did not create it (add "
				   "--force to use it; qnm will then never delete it)",
				   net->bridge);
	qnm_strv_addf(notes,
		      "using existing bridge %s, which qnm did not create: it stays when "
		      "the network goes down",
		      net->bridge);
	return 0;
}

/* "the host's address on PORT (A)" or "any address the host puts on PORT", and the rest */
static void port_what(const struct qnm_hostip *h, char *what, size_t size)
{
	if (h->naddrs)
		snprintf(what, size, "the host's address on %s (%s)", h->port, h->addrs[0].local);
	else
		snprintf(what, size, "any address the host puts on %s", h->port);
}

/*
 * The port already a port of another network qnm brought up: that network's
 * bridge holds the host's addresses now, and taking its port (even with
 * --force, which is for bridges qnm did not make) would strand them there.
 */
static int port_of_other(struct qnm_netctl *nc, const struct qnm_network *net, struct qnm_err *err)
{
	const struct qnm_own_rec *p = qnm_owner_find(&nc->owner, QNM_OWN_PORT, net->port);
	const char *other = "";
	size_t i;

	if (!p || strcmp(p->extra, net->bridge) == 0)
		return 0;
	for (i = 0; i < nc->owner.n; i++)
		if (nc->owner.v[i].kind == QNM_OWN_NET && nc->owner.v[i].netns == nc->owner.netns &&
		    strcmp(nc->owner.v[i].extra, p->extra) == 0)
			other = nc->owner.v[i].name;
	if (!other[0])
		return 0; /* a port record without its network: settled like any leftover */
	return qnm_err_set(err, -EBUSY, "network.port",
			   "%s is the port of network %s (up, bridge %s), whose bridge carries "
			   "what was on %s: take %s down first (qnm net down %s)",
			   net->port, other, p->extra, net->port, other, other);
}

/*
 * Bridged mode: what the port carries is recorded (RUNDIR/hostip-PORT and a
 * pending hostip record, both before any change), then moved onto the
 * bridge with the port enslaved (host/hostip.h). A kill in between is
 * undone by settle_hostip(); the record turns plain at the end of net up.
 */
static int up_port(struct qnm_netctl *nc, struct qnm_network *net, const struct qnm_net_up_opts *o,
		   struct undo_log *u, struct qnm_strv *notes, struct qnm_err *err)
{
	struct qnm_hostip h;
	char what[160], why[512];
	struct qnm_link_info li;
	int r;

	if (net->mode != QNM_NET_BRIDGED || !net->port[0])
		return 0;
	r = qnm_links_exists(nc->links, net->port, &li, err);
	if (r < 0)
		return r;
	if (r == 0)
		return qnm_err_set(err, -ENODEV, "network.port", "no interface named %s",
				   net->port);
	if (strcmp(li.master_name, net->bridge) == 0)
		return 0;
	/* already moved (the port left the bridge by other means): what was recorded holds */
	if (!qnm_owner_find(&nc->owner, QNM_OWN_HOSTIP, net->port) ||
	    qnm_hostip_load(nc->runtime_dir, net->port, &h, NULL) < 0)
		r = qnm_hostip_read(nc->links, net->port, net->bridge, &h, err);
	if (r < 0)
		return r;
	port_what(&h, what, sizeof(what));
	r = port_of_other(nc, net, err);
	if (r < 0)
		return r;
	if (!o->confirm_port)
		return qnm_err_set(err, -EPERM, "network.port",
				   "adding %s to bridge %s takes %s over: %s moves to %s with its "
				   "routes (%u) and MAC; add --confirm-port to go ahead",
				   net->port, net->bridge, net->port, what, net->bridge, h.nroutes);
	if (li.master && !o->force)
		return qnm_err_set(err, -EBUSY, "network.port",
				   "%s is already a port of %s (add --force to move it)", net->port,
				   li.master_name);
	if (qnm_hostip_managed(&h, why, sizeof(why)))
		return qnm_err_set(err, -EBUSY, "network.port", "%s", why);
	r = qnm_hostip_save(nc->runtime_dir, &h, err);
	if (r == 0)
		r = qnm_owner_intend(&nc->owner, QNM_OWN_PORT, net->port, net->bridge, err);
	if (r == 0)
		r = qnm_owner_intend(&nc->owner, QNM_OWN_HOSTIP, net->port, net->bridge, err);
	if (r < 0) {
		qnm_owner_remove(&nc->owner, QNM_OWN_PORT, net->port, NULL);
		qnm_hostip_forget(nc->runtime_dir, net->port);
		return r;
	}
	/* the records: plain at the end of net up */
	undo_push(u, UNDO_PORT, net->port, NULL, 0);
	undo_push(u, UNDO_HOSTIP, net->port, NULL, 0);
	if (!li.up)
		undo_push(u, UNDO_LINKDOWN, net->port, NULL, 0);
	r = qnm_hostip_to_bridge(nc->links, &h, err);
	if (r < 0)
		return r;
	qnm_strv_addf(notes,
		      "%s is now a port of %s: %s moved to %s with %u route%s and its MAC %s",
		      net->port, net->bridge, what, net->bridge, h.nroutes,
		      h.nroutes == 1 ? "" : "s", h.mac);
	return 0;
}

/* down: the host's addresses back on @port as recorded, then the record goes */
static int down_hostip(struct qnm_netctl *nc, const char *port, struct qnm_strv *notes,
		       struct qnm_err *err)
{
	const struct qnm_own_rec *rec = qnm_owner_find(&nc->owner, QNM_OWN_HOSTIP, port);
	struct qnm_hostip h;
	char bridge[64];
	int r;

	if (!rec)
		return 0;
	qnm_strlcpy(bridge, rec->extra, sizeof(bridge));
	r = qnm_hostip_load(nc->runtime_dir, port, &h, err);
	if (r == -ENOENT) {
		qnm_err_clear(err);
		return qnm_owner_remove(&nc->owner, QNM_OWN_HOSTIP, port, err);
	}
	/* pending while it moves: a kill in between is finished by settle_hostip() */
	if (r == 0)
		r = qnm_owner_intend(&nc->owner, QNM_OWN_HOSTIP, port, bridge, err);
	if (r == 0)
		r = qnm_hostip_to_port(nc->links, &h, err);
	if (r == 0)
		r = qnm_owner_remove(&nc->owner, QNM_OWN_HOSTIP, port, err);
	if (r < 0)
		return r;
	qnm_hostip_forget(nc->runtime_dir, port);
	if (h.naddrs)
		qnm_strv_addf(notes, "the host's address %s is back on %s with %u route%s",
			      h.addrs[0].local, port, h.nroutes, h.nroutes == 1 ? "" : "s");
	return 0;
}

/* turn @fs on for @net when it needs it, the value before recorded first */
static int up_fwd_sysctl(struct qnm_netctl *nc, struct qnm_network *net,
			 const struct fwd_sysctl *fs, struct undo_log *u, struct qnm_strv *notes,
			 struct qnm_err *err)
{
	struct qnm_strv ra;
	bool prev;
	int r;

	if (!fs->needs(net))
		return 0;
	r = fs->get(&prev, err);
	if (r < 0 || prev)
		return r;
	qnm_strv_init(&ra);
	if (fs->ra && notes)
		qnm_accept_ra_ifaces(&ra);
	if (ra.n) {
		struct qnm_strbuf sb;
		char *list;
		size_t k;

		qnm_sb_init(&sb);
		for (k = 0; k < ra.n; k++) /* the bridge is the router here */
			if (strcmp(ra.v[k], net->bridge) != 0)
				qnm_sb_addf(&sb, "%s%s", sb.len ? ", " : "", ra.v[k]);
		list = qnm_sb_steal(&sb);
		if (list[0])
			qnm_strv_addf(notes,
				      "%s=1 now: %s (accept_ra=1) stop taking router "
				      "advertisements while the host forwards IPv6, their SLAAC "
				      "routes expire; set net.ipv6.conf.IFACE.accept_ra=2 where "
				      "the host's own IPv6 comes from them",
				      fs->rec, list);
		free(list);
	}
	qnm_strv_free(&ra);
	/* the value before, recorded before it changes (up_intents()); plain at the end */
	r = mine(nc, QNM_OWN_SYSCTL, fs->rec)
		    ? 0
		    : qnm_owner_intend(&nc->owner, QNM_OWN_SYSCTL, fs->rec, "0", err);
	if (r < 0)
		return r;
	r = fs->set(true, NULL, err);
	if (r < 0) {
		qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, fs->rec, NULL);
		return r;
	}
	undo_push(u, UNDO_FORWARD, fs->rec, NULL, 0);
	return 0;
}

static int up_forward(struct qnm_netctl *nc, struct qnm_network *net, struct undo_log *u,
		      struct qnm_strv *notes, struct qnm_err *err)
{
	size_t i;
	int r;

	if (net->mode != QNM_NET_NAT)
		return 0;
	if (net->uplink[0]) {
		r = qnm_links_exists(nc->links, net->uplink, NULL, err);
		if (r < 0)
			return r;
		if (r == 0)
			return qnm_err_set(err, -ENODEV, "network.uplink",
					   "uplink %s does not exist", net->uplink);
	}
	for (i = 0; i < QNM_ARRAY_SIZE(fwd_sysctls); i++) {
		r = up_fwd_sysctl(nc, net, &fwd_sysctls[i], u, notes, err);
		if (r < 0)
			return r;
	}
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
	r = qnm_route_localnet_get(net->bridge, &prev, err);
	if (r < 0 || prev)
		return r;
	/* the value before, recorded before it changes (up_intents()); plain at the end */
	qnm_route_localnet_name(net->bridge, rec, sizeof(rec));
	r = mine(nc, QNM_OWN_SYSCTL, rec)
		    ? 0
		    : qnm_owner_intend(&nc->owner, QNM_OWN_SYSCTL, rec, "0", err);
	if (r < 0)
		return r;
	r = qnm_route_localnet_set(net->bridge, true, NULL, err);
	if (r < 0) {
		qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, rec, NULL);
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

static int up_dhcp_hosts(struct qnm_netctl *nc, struct qnm_network *net,
			 const struct qnm_strv *hosts, struct undo_log *u, struct qnm_err *err);

/* dnsmasq serving @net's range and the reservations of its NICs in @u->m */
static int up_dhcp(struct qnm_netctl *nc, struct qnm_network *net, struct undo_log *u,
		   struct qnm_err *err)
{
	struct qnm_strv hosts;
	int r;

	if (net->mode == QNM_NET_BRIDGED || !net->dhcp_start[0])
		return 0;
	qnm_strv_init(&hosts); /* the NICs' reservations (core/reserve.h) */
	qnm_model_dhcp_hosts(u->m, net, &hosts);
	r = up_dhcp_hosts(nc, net, &hosts, u, err);
	qnm_strv_free(&hosts);
	return r;
}

static int up_dhcp_hosts(struct qnm_netctl *nc, struct qnm_network *net,
			 const struct qnm_strv *hosts, struct undo_log *u, struct qnm_err *err)
{
	const struct qnm_own_rec *rec;
	struct qnm_own_rec stale = { .kind = QNM_OWN_DNSMASQ };
	pid_t pid;
	int r;

	rec = qnm_owner_find(&nc->owner, QNM_OWN_DNSMASQ, net->name);
	/* up again: the one running stays when it serves what is configured now */
	if (rec && qnm_own_rec_proc_alive(rec) &&
	    qnm_dnsmasq_is_ours((pid_t)atoi(rec->extra), nc->runtime_dir, net->name) &&
	    qnm_dnsmasq_serves((pid_t)atoi(rec->extra), net, hosts, nc->runtime_dir))
		return 0;
	/* recorded before it starts; one of ours still serving the network is stopped first */
	r = mine(nc, QNM_OWN_DNSMASQ, net->name)
		    ? 0
		    : qnm_owner_intend(&nc->owner, QNM_OWN_DNSMASQ, net->name, NULL, err);
	if (r < 0)
		return r;
	qnm_strlcpy(stale.name, net->name, sizeof(stale.name));
	if (settle_dnsmasq(nc, &stale) != SETTLE_FORGET) {
		r = qnm_err_set(err, -EBUSY, "",
				"a dnsmasq of qnm's for network %s still runs and does not stop",
				net->name);
		qnm_owner_remove(&nc->owner, QNM_OWN_DNSMASQ, net->name, NULL);
		return r;
	}
	r = qnm_dnsmasq_start(net, hosts, nc->runtime_dir, &pid, err);
	if (r < 0) {
		if (settle_dnsmasq(nc, &stale) == SETTLE_FORGET)
			qnm_owner_remove(&nc->owner, QNM_OWN_DNSMASQ, net->name, NULL);
		return r;
	}
	r = qnm_owner_add_proc(&nc->owner, QNM_OWN_DNSMASQ, net->name, pid, err);
	if (r < 0) {
		qnm_dnsmasq_stop(nc->runtime_dir, net->name, pid, NULL);
		return r;
	}
	undo_push(u, UNDO_DNSMASQ, net->name, NULL, (unsigned)pid);
	return 0;
}

/*
 * One write before any change: what this net up may create, pending by this
 * process (the network's record, its bridge when missing, the values before
 * of ip_forward and IPv6 forwarding when 0, the table, dnsmasq). Each step then only acts, and
 * qnm_owner_done_mine() makes them plain at the end (or settle_recs() on
 * failure). Steps not planned here (port, address on an adopted bridge)
 * record their own intent.
 */
static int up_intents(struct qnm_netctl *nc, const struct qnm_network *net, bool was_up,
		      struct qnm_err *err)
{
	const struct qnm_own_rec *d = qnm_owner_find(&nc->owner, QNM_OWN_DNSMASQ, net->name);
	struct qnm_own_rec v[7];
	bool fwd, exists, localnet = false;
	size_t n = 0, i;

	memset(v, 0, sizeof(v));
	if (!was_up) {
		v[n].kind = QNM_OWN_NET;
		qnm_strlcpy(v[n].name, net->name, sizeof(v[n].name));
		qnm_strlcpy(v[n++].extra, net->bridge, sizeof(v[0].extra));
	}
	exists = qnm_links_exists(nc->links, net->bridge, NULL, NULL) != 0;
	if (net->mode != QNM_NET_BRIDGED && net->address[0] &&
	    (!exists || (qnm_route_localnet_get(net->bridge, &localnet, NULL) == 0 && !localnet))) {
		v[n].kind = QNM_OWN_SYSCTL; /* a new bridge's route_localnet is 0 */
		qnm_route_localnet_name(net->bridge, v[n].name, sizeof(v[n].name));
		qnm_strlcpy(v[n++].extra, "0", sizeof(v[0].extra));
	}
	if (!exists) {
		v[n].kind = QNM_OWN_BRIDGE;
		qnm_strlcpy(v[n].name, net->bridge, sizeof(v[n].name));
		qnm_strlcpy(v[n++].extra, net->name, sizeof(v[0].extra));
	}
	for (i = 0; i < QNM_ARRAY_SIZE(fwd_sysctls); i++) {
		const struct fwd_sysctl *fs = &fwd_sysctls[i];

		if (fs->needs(net) && fs->get(&fwd, NULL) == 0 && !fwd) {
			v[n].kind = QNM_OWN_SYSCTL;
			qnm_strlcpy(v[n].name, fs->rec, sizeof(v[n].name));
			qnm_strlcpy(v[n++].extra, "0", sizeof(v[0].extra));
		}
	}
	v[n].kind = QNM_OWN_NFT; /* rewritten by every up */
	qnm_strlcpy(v[n++].name, NFT_REC, sizeof(v[0].name));
	if (net->mode != QNM_NET_BRIDGED && net->dhcp_start[0] &&
	    !(d && qnm_own_rec_proc_alive(d) &&
	      qnm_dnsmasq_is_ours((pid_t)atoi(d->extra), nc->runtime_dir, net->name))) {
		v[n].kind = QNM_OWN_DNSMASQ;
		qnm_strlcpy(v[n++].name, net->name, sizeof(v[0].name));
	}
	return n ? qnm_owner_intend_many(&nc->owner, v, n, err) : 0;
}

/*
 * The IPv4 addresses on @net's bridge (one qnm made, not bridged: only qnm
 * put addresses there) other than the configured one: left by an "up"
 * before the address changed. Each removal is a note.
 */
/*
 * Remove from @net's bridge each of the @n addresses "ADDR/LEN" at @addrs
 * (@size bytes apart) but @keep ("" keeps none); a note for each, naming
 * @now.
 */
static void drop_addrs_but(struct qnm_netctl *nc, const struct qnm_network *net, char *addrs,
			   size_t size, int n, const char *keep, const char *now,
			   struct qnm_strv *notes)
{
	int i;

	for (i = 0; i < n && i < 16; i++) {
		char *a = addrs + (size_t)i * size, *slash = strchr(a, '/');
		unsigned long prefix;

		if (!slash || strcmp(a, keep) == 0)
			continue;
		*slash = '\0';
		if (qnm_parse_uint(slash + 1, 0, 128, &prefix) < 0)
			continue;
		if (qnm_links_addr_del(nc->links, net->bridge, a, (unsigned)prefix, NULL) == 0 &&
		    notes)
			qnm_strv_addf(notes, "removed the old address %s/%lu from %s (now %s)", a,
				      prefix, net->bridge, now);
	}
}

static void drop_old_addrs(struct qnm_netctl *nc, const struct qnm_network *net,
			   struct qnm_strv *notes)
{
	char addrs[16][QNM_CIDR_LEN], cidr[QNM_CIDR_LEN + 4] = "";
	int n = qnm_links_ipv4_addrs(nc->links, net->bridge, addrs, 16, NULL);

	if (net->address[0])
		snprintf(cidr, sizeof(cidr), "%s/%u", net->address, net->prefix);
	drop_addrs_but(nc, net, addrs[0], sizeof(addrs[0]), n, cidr, cidr[0] ? cidr : "no address",
		       notes);
}

/*
 * IPv6: PREFIX::1/64 on the bridge, for the router advertisements and
 * DHCPv6 of the network's dnsmasq and as the guests' gateway. Only on a
 * bridge qnm made (it goes with the bridge; one qnm adopted would keep it,
 * unrecorded).
 */
static int up_addr6(struct qnm_netctl *nc, struct qnm_network *net, struct undo_log *u,
		    struct qnm_err *err)
{
	char host6[QNM_IPV6_ADDR_LEN];
	bool added = false;
	int r;

	if (!qnm_net_has_ipv6(net))
		return 0;
	if (!own(nc, QNM_OWN_BRIDGE, net->bridge))
		return qnm_err_set(
			err, -EBUSY, "ipv6",
			"ipv6: bridge %s was not created by qnm: IPv6 (ipv6=%s) needs a "
			"bridge qnm makes and removes (delete %s or name another bridge, "
			"or set ipv6=none)",
			net->bridge, net->ipv6, net->bridge);
	qnm_net_ipv6_host(net, host6, sizeof(host6));
	r = qnm_if_ipv6_enable(net->bridge, err);
	if (r == 0)
		r = qnm_links_addr_add(nc->links, net->bridge, host6, 64, &added, err);
	if (r < 0)
		return r;
	if (added)
		undo_push(u, UNDO_ADDR, net->bridge, host6, 64);
	return 0;
}

/* the same for IPv6: a prefix changed (or ipv6=none) since the last up */
static void drop_old_addrs6(struct qnm_netctl *nc, const struct qnm_network *net,
			    struct qnm_strv *notes)
{
	char addrs[16][QNM_IPV6_NET_LEN], host6[QNM_IPV6_ADDR_LEN], cidr[QNM_IPV6_NET_LEN] = "";
	int n = qnm_links_ipv6_addrs(nc->links, net->bridge, addrs, 16, NULL);

	qnm_net_ipv6_host(net, host6, sizeof(host6));
	if (host6[0])
		snprintf(cidr, sizeof(cidr), "%s/64", host6);
	drop_addrs_but(nc, net, addrs[0], sizeof(addrs[0]), n, cidr, cidr[0] ? cidr : "no IPv6",
		       notes);
}

/*
 * An ovn network: nothing on this host but its record; the switch is in the
 * northbound database (one transaction). A first up is recorded pending
 * first, plain once the database has it: a kill in between shows it
 * interrupted, and the next up or down settles it.
 */
static int ovn_up(struct qnm_netctl *nc, struct qnm_network *net, bool was_up,
		  struct qnm_strv *notes, struct qnm_err *err)
{
	int r;

	if (!was_up) {
		r = qnm_owner_intend(&nc->owner, QNM_OWN_NET, net->name, OVN_REC, err);
		if (r < 0)
			return r;
	}
	r = qnm_ovn_net_up(net, notes, err);
	if (r == 0)
		return qnm_owner_done_mine(&nc->owner, err);
	if (!was_up)
		qnm_owner_remove(&nc->owner, QNM_OWN_NET, net->name, NULL);
	return r;
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
	r = qnm_net_settle(nc, notes, err);
	if (r < 0)
		return r;
	was_up = qnm_net_is_up(nc, net->name);
	if (net->mode == QNM_NET_OVN)
		return ovn_up(nc, net, was_up, notes, err);
	r = up_intents(nc, net, was_up, err);
	if (r < 0)
		return r;
	if (!was_up) /* pending until the last step: a kill in between shows as interrupted */
		undo_push(&u, UNDO_NETREC, net->name, NULL, 0);
	r = up_bridge(nc, net, o, &u, notes, err);
	if (r < 0)
		goto fail;
	if (net->address[0]) {
		char cidr[QNM_CIDR_LEN + 4];
		bool added, intended = false;

		snprintf(cidr, sizeof(cidr), "%s/%u", net->address, net->prefix);
		if (!own(nc, QNM_OWN_BRIDGE, net->bridge) &&
		    !qnm_owner_find(&nc->owner, QNM_OWN_ADDR, net->bridge)) {
			/* An adopted bridge stays on down: the address qnm adds is recorded first. */
			r = qnm_owner_intend(&nc->owner, QNM_OWN_ADDR, net->bridge, cidr, err);
			if (r < 0)
				goto fail;
			intended = true;
		}
		r = qnm_links_addr_add(nc->links, net->bridge, net->address, net->prefix, &added,
				       err);
		if (r < 0) {
			if (intended)
				qnm_owner_remove(&nc->owner, QNM_OWN_ADDR, net->bridge, NULL);
			goto fail;
		}
		if (added)
			undo_push(&u, UNDO_ADDR, net->bridge, net->address, net->prefix);
		if (intended && !added)
			qnm_owner_remove(&nc->owner, QNM_OWN_ADDR, net->bridge, NULL);
		/* an address qnm put on an adopted bridge: its record is plain at the end */
	}
	r = up_addr6(nc, net, &u, err);
	if (r < 0)
		goto fail;
	/* up again after the address changed: the old one (on a bridge of qnm's) goes */
	if (was_up && net->mode != QNM_NET_BRIDGED && own(nc, QNM_OWN_BRIDGE, net->bridge)) {
		drop_old_addrs(nc, net, notes);
		drop_old_addrs6(nc, net, notes);
	}
	r = up_port(nc, net, o, &u, notes, err);
	if (r < 0)
		goto fail;
	r = up_localnet(nc, net, &u, err);
	if (r < 0)
		goto fail;
	r = up_forward(nc, net, &u, notes, err);
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
	/* every intent of this call (the network's own record too) becomes plain at once */
	r = qnm_owner_done_mine(&nc->owner, err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	qnm_err_prefix(err, "network %s", net->name);
	undo_run(nc, &u);
	settle_recs(nc, true, NULL, NULL); /* intents of steps that never ran, or were undone */
	return r;
}

int qnm_net_dhcp_sync(struct qnm_netctl *nc, struct qnm_model *m, struct qnm_network *net,
		      struct qnm_err *err)
{
	struct undo_log u = { .n = 0, .m = m };
	int r;

	/* no dnsmasq of qnm's: the LAN's DHCP (bridged), OVN's own (ovn: the ports' addresses) */
	if (net->mode == QNM_NET_BRIDGED || net->mode == QNM_NET_OVN || !net->dhcp_start[0] ||
	    !qnm_net_is_up(nc, net->name))
		return 0;
	r = qnm_net_settle(nc, NULL, err);
	if (r < 0)
		return r;
	r = up_dhcp(nc, net, &u, err);
	if (!r)
		r = qnm_owner_done_mine(&nc->owner, err);
	if (r < 0) {
		qnm_err_prefix(err, "network %s", net->name);
		undo_run(nc, &u);
		settle_recs(nc, true, NULL, NULL);
	}
	return r;
}

/* ---- down ---- */

/*
 * Network @name of @m in mode ovn: out of its northbound database, then its
 * record. Return: 1 when it is no ovn network (the caller goes on), else
 * 0 or -errno.
 */
static int ovn_down(struct qnm_netctl *nc, struct qnm_model *m, const char *name,
		    struct qnm_strv *notes, struct qnm_err *err)
{
	const struct qnm_network *net = qnm_model_find_net(m, name);
	int r;

	if (!net || net->mode != QNM_NET_OVN)
		return 1;
	r = qnm_ovn_net_down(net, notes, err);
	if (r == 0 && (qnm_owner_find(&nc->owner, QNM_OWN_NET, name) ||
		       qnm_owner_find_pending(&nc->owner, QNM_OWN_NET, name)))
		r = qnm_owner_remove(&nc->owner, QNM_OWN_NET, name, err);
	return r;
}

int qnm_net_down(struct qnm_netctl *nc, struct qnm_model *m, const char *name,
		 struct qnm_strv *notes, struct qnm_err *err)
{
	const struct qnm_own_rec *rec;
	char bridge[64] = "";
	bool nothing;
	struct upset s;
	size_t i;
	int r;

	r = qnm_net_settle(nc, notes, err);
	if (r < 0)
		goto fail;
	r = ovn_down(nc, m, name, notes, err);
	if (r != 1)
		return r;
	rec = qnm_owner_find(&nc->owner, QNM_OWN_NET, name);
	if (!rec)
		rec = qnm_owner_find_pending(&nc->owner, QNM_OWN_NET, name);
	if (rec)
		qnm_strlcpy(bridge, rec->extra, sizeof(bridge));
	for (i = 0; !bridge[0] && i < nc->owner.n; i++)
		if (nc->owner.v[i].kind == QNM_OWN_BRIDGE &&
		    nc->owner.v[i].netns == nc->owner.netns &&
		    strcmp(nc->owner.v[i].extra, name) == 0)
			qnm_strlcpy(bridge, nc->owner.v[i].name, sizeof(bridge));
	nothing = !rec && !bridge[0] && !qnm_owner_find(&nc->owner, QNM_OWN_DNSMASQ, name);
	if (rec) {
		/* pending until gone: a kill in between shows as interrupted */
		r = qnm_owner_intend(&nc->owner, QNM_OWN_NET, name, bridge, err);
		if (r < 0)
			goto fail;
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

	/*
	 * 2. ip_forward back to what it was when the last NAT network goes, IPv6
	 * forwarding when the last NAT network with IPv6 goes.
	 */
	for (i = 0; r == 0 && i < QNM_ARRAY_SIZE(fwd_sysctls); i++) {
		const struct fwd_sysctl *fs = &fwd_sysctls[i];

		rec = qnm_owner_find(&nc->owner, QNM_OWN_SYSCTL, fs->rec);
		if (!rec || upset_needs(&s, fs))
			continue;
		r = fs->set(strcmp(rec->extra, "1") == 0, NULL, err);
		if (r == 0)
			r = qnm_owner_remove(&nc->owner, QNM_OWN_SYSCTL, fs->rec, err);
	}
	upset_free(&s);
	if (r < 0)
		goto fail;
	if (nothing) { /* the table and forwarding were still set right above */
		qnm_strv_addf(notes, "network %s is not up", name);
		return 0;
	}

	/* 3. dnsmasq (a recycled pid is not taken for it: then its pid file tells). */
	rec = qnm_owner_find(&nc->owner, QNM_OWN_DNSMASQ, name);
	if (rec) {
		r = qnm_dnsmasq_stop(nc->runtime_dir, name,
				     qnm_own_rec_proc_alive(rec) ? (pid_t)atoi(rec->extra) : 0,
				     err);
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
		r = down_hostip(nc, p.name, notes, err);
		if (r == 0)
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
		/* pending while it goes: a kill after the delete is not "removed outside qnm" */
		r = qnm_owner_intend(&nc->owner, QNM_OWN_BRIDGE, bridge, name, err);
		if (r == 0)
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
