// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * links.c - host links through libnl-route-3.
 *
 * One socket, one link cache (and optionally one IPv4 address cache),
 * refilled per tick with nl_cache_refill(); the caches are flattened into
 * an array of struct qnm_link_info sorted by ifindex so the UI and the CLI
 * never touch libnl objects.
 */
#include "build-config.h"

#include "host/links.h"
#include "core/validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>

/* libnl's NLE_* codes and the errno each stands for. */
static const struct {
	int nle;
	int err;
} nle_map[] = {
	{ NLE_INTR, EINTR },	       { NLE_BAD_SOCK, EBADF },
	{ NLE_AGAIN, EAGAIN },	       { NLE_NOMEM, ENOMEM },
	{ NLE_EXIST, EEXIST },	       { NLE_INVAL, EINVAL },
	{ NLE_RANGE, ERANGE },	       { NLE_MSGSIZE, EMSGSIZE },
	{ NLE_OPNOTSUPP, EOPNOTSUPP }, { NLE_AF_NOSUPPORT, EAFNOSUPPORT },
	{ NLE_OBJ_NOTFOUND, ENOENT },  { NLE_NOADDR, EADDRNOTAVAIL },
	{ NLE_BUSY, EBUSY },	       { NLE_NOACCESS, EACCES },
	{ NLE_PERM, EPERM },	       { NLE_NODEV, ENODEV },
	{ NLE_DUMP_INTR, EINTR },
};

int qnm_nl_errno(int nlerr)
{
	size_t i;

	if (nlerr < 0)
		nlerr = -nlerr;
	for (i = 0; i < QNM_ARRAY_SIZE(nle_map); i++)
		if (nle_map[i].nle == nlerr)
			return -nle_map[i].err;
	return -EIO;
}

int qnm_host_err(struct qnm_err *err, int code, const char *action)
{
	if (code == -EPERM || code == -EACCES)
		return qnm_err_set(err, code, "",
				   "%s needs CAP_NET_ADMIN (run as root or grant the capability)",
				   action);
	return qnm_err_set(err, code, "", "%s: %s", action, strerror(-code));
}

/* ---- the cached view ---- */

static const char *const stat_names[QNM_STAT__COUNT] = {
	[QNM_STAT_RX_BYTES] = "rx_bytes",     [QNM_STAT_TX_BYTES] = "tx_bytes",
	[QNM_STAT_RX_PACKETS] = "rx_packets", [QNM_STAT_TX_PACKETS] = "tx_packets",
	[QNM_STAT_RX_ERRORS] = "rx_errors",   [QNM_STAT_TX_ERRORS] = "tx_errors",
	[QNM_STAT_RX_DROPPED] = "rx_dropped", [QNM_STAT_TX_DROPPED] = "tx_dropped",
};

static const rtnl_link_stat_id_t stat_ids[QNM_STAT__COUNT] = {
	[QNM_STAT_RX_BYTES] = RTNL_LINK_RX_BYTES,     [QNM_STAT_TX_BYTES] = RTNL_LINK_TX_BYTES,
	[QNM_STAT_RX_PACKETS] = RTNL_LINK_RX_PACKETS, [QNM_STAT_TX_PACKETS] = RTNL_LINK_TX_PACKETS,
	[QNM_STAT_RX_ERRORS] = RTNL_LINK_RX_ERRORS,   [QNM_STAT_TX_ERRORS] = RTNL_LINK_TX_ERRORS,
	[QNM_STAT_RX_DROPPED] = RTNL_LINK_RX_DROPPED, [QNM_STAT_TX_DROPPED] = RTNL_LINK_TX_DROPPED,
};

const char *qnm_links_stat_name(enum qnm_link_stat s)
{
	return (unsigned)s < QNM_STAT__COUNT ? stat_names[s] : "?";
}

/* Link types for devices that carry no rtnetlink kind, by ARP hardware type. */
static const struct {
	unsigned arptype;
	const char *type;
} arp_types[] = {
	{ ARPHRD_LOOPBACK, "loopback" },
	{ ARPHRD_ETHER, "ether" },
	{ ARPHRD_NONE, "none" },
	{ ARPHRD_IEEE80211, "wlan" },
	{ ARPHRD_INFINIBAND, "infiniband" },
};

static void link_type(struct rtnl_link *link, char *out, size_t size)
{
	const char *kind = rtnl_link_get_type(link);
	unsigned arp = rtnl_link_get_arptype(link);
	size_t i;

	if (kind && strcmp(kind, "tun") == 0) {
		/* tun and tap share the kind; a TAP carries Ethernet frames. */
		qnm_strlcpy(out, arp == ARPHRD_ETHER ? "tap" : "tun", size);
		return;
	}
	if (kind) {
		qnm_strlcpy(out, kind, size);
		return;
	}
	for (i = 0; i < QNM_ARRAY_SIZE(arp_types); i++) {
		if (arp_types[i].arptype == arp) {
			qnm_strlcpy(out, arp_types[i].type, size);
			return;
		}
	}
	snprintf(out, size, "arp%u", arp);
}

static void fill_info(struct rtnl_link *link, struct qnm_link_info *li)
{
	struct nl_addr *a;
	unsigned flags;
	size_t i;

	memset(li, 0, sizeof(*li));
	li->ifindex = rtnl_link_get_ifindex(link);
	qnm_strlcpy(li->name, rtnl_link_get_name(link) ? rtnl_link_get_name(link) : "",
		    sizeof(li->name));
	link_type(link, li->type, sizeof(li->type));
	flags = rtnl_link_get_flags(link);
	li->up = flags & IFF_UP;
	li->carrier = flags & IFF_LOWER_UP;
	rtnl_link_operstate2str(rtnl_link_get_operstate(link), li->operstate,
				sizeof(li->operstate));
	li->mtu = rtnl_link_get_mtu(link);
	li->master = rtnl_link_get_master(link);
	a = rtnl_link_get_addr(link);
	if (a && nl_addr_get_len(a) == 6) {
		const unsigned char *m = nl_addr_get_binary_addr(a);

		snprintf(li->mac, sizeof(li->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
			 m[2], m[3], m[4], m[5]);
	}
	for (i = 0; i < QNM_STAT__COUNT; i++)
		li->stats[i] = rtnl_link_get_stat(link, stat_ids[i]);
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct qnm_link_info *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

const struct qnm_link_info *qnm_links_find_index(const struct qnm_links *l, int ifindex)
{
	struct qnm_link_info key = { .ifindex = ifindex };

	if (!l->n)
		return NULL;
	return bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_ifindex);
}

const struct qnm_link_info *qnm_links_find(const struct qnm_links *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static void add_addresses(struct qnm_links *l)
{
	struct nl_object *o;

	for (o = nl_cache_get_first(l->addr_cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct qnm_link_info *li;
		struct nl_addr *local;
		char ip[INET_ADDRSTRLEN];

		if (rtnl_addr_get_family(ra) != AF_INET)
			continue;
		local = rtnl_addr_get_local(ra);
		if (!local || nl_addr_get_len(local) != 4)
			continue;
		li = (struct qnm_link_info *)qnm_links_find_index(l, rtnl_addr_get_ifindex(ra));
		if (!li)
			continue;
		li->naddrs_total++;
		if (li->naddrs >= QNM_LINK_MAX_ADDRS)
			continue;
		inet_ntop(AF_INET, nl_addr_get_binary_addr(local), ip, sizeof(ip));
		snprintf(li->addrs[li->naddrs++], QNM_CIDR_LEN, "%s/%d", ip,
			 rtnl_addr_get_prefixlen(ra));
	}
}

static void rebuild(struct qnm_links *l)
{
	struct nl_object *o;
	size_t i, n = (size_t)nl_cache_nitems(l->link_cache);

	if (n > l->cap) {
		l->cap = n + n / 4 + 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->n = 0;
	for (o = nl_cache_get_first(l->link_cache); o && l->n < l->cap; o = nl_cache_get_next(o))
		fill_info((struct rtnl_link *)o, &l->v[l->n++]);
	qsort(l->v, l->n, sizeof(*l->v), cmp_ifindex);
	for (i = 0; i < l->n; i++) {
		const struct qnm_link_info *m;

		if (!l->v[i].master)
			continue;
		m = qnm_links_find_index(l, l->v[i].master);
		if (m)
			qnm_strlcpy(l->v[i].master_name, m->name, sizeof(l->v[i].master_name));
	}
	if (l->addr_cache)
		add_addresses(l);
}

int qnm_links_new(bool want_addrs, struct qnm_links **out, struct qnm_err *err)
{
	struct qnm_links *l = xcalloc(1, sizeof(*l));
	int r;

	*out = NULL;
	l->want_addrs = want_addrs;
	/* Subscribe before the first dump, so that no change falls in between. */
	l->events = nl_socket_alloc();
	l->sk = nl_socket_alloc();
	if (!l->sk || !l->events)
		qnm_oom();
	nl_socket_disable_seq_check(l->events);
	r = nl_connect(l->events, NETLINK_ROUTE);
	if (r == 0)
		r = nl_socket_add_memberships(l->events, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, 0);
	if (r == 0)
		r = nl_socket_set_nonblocking(l->events);
	if (r == 0)
		r = nl_connect(l->sk, NETLINK_ROUTE);
	if (r < 0) {
		r = qnm_host_err(err, qnm_nl_errno(r), "open rtnetlink socket");
		goto fail;
	}
	r = rtnl_link_alloc_cache(l->sk, AF_UNSPEC, &l->link_cache);
	if (r < 0) {
		r = qnm_host_err(err, qnm_nl_errno(r), "list links");
		goto fail;
	}
	if (want_addrs) {
		r = rtnl_addr_alloc_cache(l->sk, &l->addr_cache);
		if (r < 0) {
			r = qnm_host_err(err, qnm_nl_errno(r), "list addresses");
			goto fail;
		}
	}
	rebuild(l);
	l->fills = 1;
	*out = l;
	return 0;
fail:
	qnm_links_free(l);
	return r;
}

void qnm_links_free(struct qnm_links *l)
{
	if (!l)
		return;
	if (l->addr_cache)
		nl_cache_free(l->addr_cache);
	if (l->link_cache)
		nl_cache_free(l->link_cache);
	if (l->sk)
		nl_socket_free(l->sk);
	if (l->events)
		nl_socket_free(l->events);
	if (l->stats_sk)
		mnl_socket_close(l->stats_sk);
	free(l->stats_buf);
	free(l->v);
	free(l);
}

void qnm_links_invalidate(struct qnm_links *l)
{
	l->stale = true;
}

/* Drain the notification socket; true when anything (or an overflow) came. */
static bool links_changed(struct qnm_links *l)
{
	int fd = nl_socket_get_fd(l->events);
	bool changed = false;
	char buf[8192];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			changed = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) { /* lost events: assume anything changed */
			changed = true;
			continue;
		}
		break;
	}
	return changed;
}

static const enum qnm_link_stat stats64_map[QNM_STAT__COUNT] = {
	QNM_STAT_RX_PACKETS, QNM_STAT_TX_PACKETS, QNM_STAT_RX_BYTES,   QNM_STAT_TX_BYTES,
	QNM_STAT_RX_ERRORS,  QNM_STAT_TX_ERRORS,  QNM_STAT_RX_DROPPED, QNM_STAT_TX_DROPPED,
};

/* The link of @ifindex: the dump comes in ifindex order, so try the next one first. */
static struct qnm_link_info *stats_link(struct qnm_links *l, int ifindex)
{
	if (l->stats_next < l->n && l->v[l->stats_next].ifindex == ifindex)
		return &l->v[l->stats_next++];
	return (struct qnm_link_info *)qnm_links_find_index(l, ifindex);
}

/* One RTM_NEWSTATS message of the dump: copy the 64-bit counters. */
static int stats_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct qnm_links *l = arg;
	const struct if_stats_msg *ifsm;
	const struct nlattr *a;
	struct qnm_link_info *li;

	if (nlh->nlmsg_type != RTM_NEWSTATS || mnl_nlmsg_get_payload_len(nlh) < (int)sizeof(*ifsm))
		return MNL_CB_OK;
	ifsm = mnl_nlmsg_get_payload(nlh);
	li = stats_link(l, (int)ifsm->ifindex);
	if (!li) {
		l->stale = true; /* a link we have not seen: full refill next time */
		return MNL_CB_OK;
	}
	l->stats_next = (size_t)(li - l->v) + 1;
	mnl_attr_for_each(a, nlh, sizeof(*ifsm))
	{
		const uint64_t *c;
		size_t i;

		if (mnl_attr_get_type(a) != IFLA_STATS_LINK_64 ||
		    mnl_attr_get_payload_len(a) < QNM_STAT__COUNT * sizeof(uint64_t))
			continue;
		/* struct rtnl_link_stats64 starts with rx/tx packets, bytes, errors, dropped. */
		c = mnl_attr_get_payload(a);
		for (i = 0; i < QNM_STAT__COUNT; i++)
			li->stats[stats64_map[i]] = c[i];
	}
	return MNL_CB_OK;
}

/* The counters socket (libmnl), opened at first use. */
static int stats_socket(struct qnm_links *l)
{
	if (!l->stats_buf)
		l->stats_buf = xmalloc(QNM_LINKS_STATS_BUF);
	if (l->stats_sk)
		return 0;
	l->stats_sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (l->stats_sk && mnl_socket_bind(l->stats_sk, 0, MNL_SOCKET_AUTOPID) == 0)
		return 0;
	if (l->stats_sk)
		mnl_socket_close(l->stats_sk);
	l->stats_sk = NULL;
	return -errno;
}

/* Append a RTM_GETSTATS request (of link @ifindex, or a dump when 0) at @buf. */
static struct nlmsghdr *stats_request(struct qnm_links *l, void *buf, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct if_stats_msg *ifsm;

	nlh->nlmsg_type = RTM_GETSTATS;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ifindex ? 0 : NLM_F_DUMP);
	nlh->nlmsg_seq = ++l->stats_seq;
	ifsm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifsm));
	ifsm->family = AF_UNSPEC;
	ifsm->ifindex = (unsigned)ifindex;
	ifsm->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	return nlh;
}

/*
 * Send @len bytes of requests from the start of the buffer and read the
 * answers: until the dump's end (@answers 0), or until @answers single
 * answers came (a link that went away answers with an error: full refill
 * next time).
 */
static int stats_exchange(struct qnm_links *l, size_t len, size_t answers)
{
	unsigned portid = mnl_socket_get_portid(l->stats_sk);
	size_t got = 0;
	int r = 0;

	if (mnl_socket_sendto(l->stats_sk, l->stats_buf, len) < 0)
		return -errno;
	l->stats_next = 0;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(l->stats_sk, l->stats_buf, QNM_LINKS_STATS_BUF);

		if (n < 0)
			return -errno;
		/* single answers carry their own sequence numbers: checked by the count */
		r = mnl_cb_run(l->stats_buf, (size_t)n, answers ? 0 : l->stats_seq, portid,
			       stats_msg, l);
		if (r < 0 && answers && errno == ENODEV) {
			l->stale = true;
			r = MNL_CB_OK;
		}
		if (r < 0)
			return -errno;
		if (answers ? ++got == answers : r == MNL_CB_STOP)
			return 0;
	}
}

/* Requests per exchange when links are asked one by one (their answers queue up). */
#define STATS_BATCH 64

/*
 * The counters of the links, on a socket of their own (libmnl), read in
 * 32 KiB datagrams straight into one buffer and parsed in place, with no
 * allocation per message (through libnl, a tick of 2,001 links cost
 * ~0.4 ms more CPU, a fifth of what the kernel spends). A link that is
 * administratively down passes no traffic, so its counters stand still
 * until it comes up, which is a link event (a full refill): when few links
 * are up (at most a quarter, and 256), only they are asked, one request
 * each, STATS_BATCH requests per send; otherwise one dump asks all.
 */
static int refill_stats(struct qnm_links *l, struct qnm_err *err)
{
	size_t nup = 0, i, k, len;
	int r = stats_socket(l);

	for (i = 0; i < l->n; i++)
		nup += l->v[i].up;
	if (r == 0 && (nup * 4 > l->n || nup > 256)) {
		len = stats_request(l, l->stats_buf, 0)->nlmsg_len;
		r = stats_exchange(l, len, 0);
	}
	for (i = 0; r == 0 && nup * 4 <= l->n && nup <= 256 && i < l->n;) {
		/* the next batch of links that are up */
		for (k = len = 0; i < l->n && k < STATS_BATCH; i++) {
			if (!l->v[i].up)
				continue;
			len += stats_request(l, l->stats_buf + len, l->v[i].ifindex)->nlmsg_len;
			k++;
		}
		if (k)
			r = stats_exchange(l, len, k);
	}
	if (r < 0) {
		/* the socket may hold the rest of an answer: start afresh next time */
		if (l->stats_sk)
			mnl_socket_close(l->stats_sk);
		l->stats_sk = NULL;
		return qnm_host_err(err, r, "read link counters");
	}
	l->stats_only++;
	return 0;
}

int qnm_links_refill(struct qnm_links *l, struct qnm_err *err)
{
	int r;

	if (!links_changed(l) && !l->stale) {
		r = refill_stats(l, err);
		if (r != -EOPNOTSUPP && r != -EINVAL)
			return r;
		/* a kernel without RTM_GETSTATS (< 4.7): full dumps it is */
	}
	l->stale = false;
	r = nl_cache_refill(l->sk, l->link_cache);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), "list links");
	if (l->addr_cache) {
		r = nl_cache_refill(l->sk, l->addr_cache);
		if (r < 0)
			return qnm_host_err(err, qnm_nl_errno(r), "list addresses");
	}
	rebuild(l);
	l->fills++;
	return 0;
}

/* ---- changes ---- */

/* Fetch link @name from the kernel; *@out must be put with rtnl_link_put(). */
static int get_link(struct qnm_links *l, const char *name, const char *action,
		    struct rtnl_link **out, struct qnm_err *err)
{
	int r;

	*out = NULL;
	if (!qnm_valid_ifname(name))
		return qnm_err_set(err, -EINVAL, "", "%s: '%s' is not a valid interface name",
				   action, name);
	r = rtnl_link_get_kernel(l->sk, 0, name, out);
	if (r < 0) {
		r = qnm_nl_errno(r);
		if (r == -ENOENT || r == -ENODEV)
			return qnm_err_set(err, -ENODEV, "", "%s: no interface named %s", action,
					   name);
		return qnm_host_err(err, r, action);
	}
	return 0;
}

int qnm_links_exists(struct qnm_links *l, const char *name, struct qnm_link_info *info,
		     struct qnm_err *err)
{
	struct rtnl_link *link;
	char action[64];
	int r;

	snprintf(action, sizeof(action), "look up %s", name);
	r = get_link(l, name, action, &link, err);
	if (r == -ENODEV) {
		qnm_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	if (info) {
		fill_info(link, info);
		if (info->master) {
			char m[IF_NAMESIZE];

			if (rtnl_link_i2name(l->link_cache, info->master, m, sizeof(m)) ||
			    if_indextoname((unsigned)info->master, m))
				qnm_strlcpy(info->master_name, m, sizeof(info->master_name));
		}
	}
	rtnl_link_put(link);
	return 1;
}

int qnm_links_bridge_add(struct qnm_links *l, const char *name, struct qnm_err *err)
{
	struct rtnl_link *link;
	char action[64];
	int r;

	snprintf(action, sizeof(action), "create bridge %s", name);
	if (!qnm_valid_ifname(name))
		return qnm_err_set(err, -EINVAL, "", "%s: not a valid interface name", action);
	link = rtnl_link_bridge_alloc();
	if (!link)
		qnm_oom();
	rtnl_link_set_name(link, name);
	r = rtnl_link_add(l->sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (r < 0) {
		r = qnm_nl_errno(r);
		if (r == -EEXIST)
			return qnm_err_set(err, r, "", "%s: an interface named %s already exists",
					   action, name);
		return qnm_host_err(err, r, action);
	}
	return 0;
}

int qnm_links_delete(struct qnm_links *l, const char *name, struct qnm_err *err)
{
	struct rtnl_link *link;
	char action[64];
	int r;

	snprintf(action, sizeof(action), "delete interface %s", name);
	r = get_link(l, name, action, &link, err);
	if (r < 0)
		return r;
	r = rtnl_link_delete(l->sk, link);
	rtnl_link_put(link);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	return 0;
}

int qnm_links_set_up(struct qnm_links *l, const char *name, bool up, struct qnm_err *err)
{
	struct rtnl_link *link, *change;
	char action[64];
	int r;

	snprintf(action, sizeof(action), "set %s %s", name, up ? "up" : "down");
	r = get_link(l, name, action, &link, err);
	if (r < 0)
		return r;
	change = rtnl_link_alloc();
	if (!change)
		qnm_oom();
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	r = rtnl_link_change(l->sk, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	return 0;
}

static int make_addr(int ifindex, const char *addr, unsigned prefix, const char *action,
		     struct rtnl_addr **out, struct qnm_err *err)
{
	struct rtnl_addr *ra;
	struct nl_addr *local;
	struct in6_addr in6;
	struct in_addr in;
	int fam = AF_INET;

	*out = NULL;
	if (inet_pton(AF_INET, addr, &in) != 1 || prefix < 1 || prefix > 32) {
		fam = AF_INET6;
		if (inet_pton(AF_INET6, addr, &in6) != 1 || prefix < 1 || prefix > 128)
			return qnm_err_set(err, -EINVAL, "",
					   "%s: '%s/%u' is not an IP address/prefix", action, addr,
					   prefix);
	}
	local = fam == AF_INET ? nl_addr_build(AF_INET, &in, sizeof(in))
			       : nl_addr_build(AF_INET6, &in6, sizeof(in6));
	if (!local)
		qnm_oom();
	nl_addr_set_prefixlen(local, (int)prefix);
	ra = rtnl_addr_alloc();
	if (!ra)
		qnm_oom();
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, fam);
	rtnl_addr_set_local(ra, local);
	rtnl_addr_set_prefixlen(ra, (int)prefix);
	if (fam == AF_INET6)
		/* qnm's own bridge: no duplicate to detect, and dnsmasq binds it at once */
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	if (fam == AF_INET && prefix < 31) {
		/* Same broadcast as "ip addr add A/N brd +". */
		uint32_t b = ntohl(in.s_addr) | (0xffffffffu >> prefix);
		struct in_addr bin = { .s_addr = htonl(b) };
		struct nl_addr *bc = nl_addr_build(AF_INET, &bin, sizeof(bin));

		if (!bc)
			qnm_oom();
		rtnl_addr_set_broadcast(ra, bc);
		nl_addr_put(bc);
	}
	nl_addr_put(local);
	*out = ra;
	return 0;
}

/* Whether @ifindex carries exactly @addr/@prefix (IPv4 or IPv6), asked of the kernel now. */
static int has_addr(struct qnm_links *l, int ifindex, const char *addr, unsigned prefix,
		    const char *action, struct qnm_err *err)
{
	struct nl_cache *cache;
	struct nl_object *o;
	unsigned char bin[16];
	int r, found = 0, fam = AF_INET;
	unsigned len = 4;

	if (inet_pton(AF_INET, addr, bin) != 1) {
		fam = AF_INET6;
		len = 16;
		if (inet_pton(AF_INET6, addr, bin) != 1)
			return qnm_err_set(err, -EINVAL, "", "%s: '%s' is not an IP address",
					   action, addr);
	}
	r = rtnl_addr_alloc_cache(l->sk, &cache);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);

		if (rtnl_addr_get_ifindex(ra) != ifindex || rtnl_addr_get_family(ra) != fam ||
		    !local || nl_addr_get_len(local) != len)
			continue;
		if (memcmp(nl_addr_get_binary_addr(local), bin, len) == 0 &&
		    rtnl_addr_get_prefixlen(ra) == (int)prefix)
			found = 1;
	}
	nl_cache_free(cache);
	return found;
}

int qnm_links_addr_add(struct qnm_links *l, const char *name, const char *addr, unsigned prefix,
		       bool *added, struct qnm_err *err)
{
	struct rtnl_link *link;
	struct rtnl_addr *ra;
	char action[96];
	int r, ifindex;

	if (added)
		*added = false;
	snprintf(action, sizeof(action), "add address %s/%u to %s", addr, prefix, name);
	r = get_link(l, name, action, &link, err);
	if (r < 0)
		return r;
	ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	r = has_addr(l, ifindex, addr, prefix, action, err);
	if (r < 0)
		return r;
	if (r == 1)
		return 0;
	r = make_addr(ifindex, addr, prefix, action, &ra, err);
	if (r < 0)
		return r;
	r = rtnl_addr_add(l->sk, ra, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_addr_put(ra);
	if (r < 0) {
		r = qnm_nl_errno(r);
		if (r == -EEXIST)
			return 0; /* added by someone else meanwhile: same end state */
		return qnm_host_err(err, r, action);
	}
	if (added)
		*added = true;
	return 0;
}

int qnm_links_addr_del(struct qnm_links *l, const char *name, const char *addr, unsigned prefix,
		       struct qnm_err *err)
{
	struct rtnl_link *link;
	struct rtnl_addr *ra;
	char action[96];
	int r, ifindex;

	snprintf(action, sizeof(action), "remove address %s/%u from %s", addr, prefix, name);
	r = get_link(l, name, action, &link, err);
	if (r < 0)
		return r;
	ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	r = has_addr(l, ifindex, addr, prefix, action, err);
	if (r <= 0)
		return r;
	r = make_addr(ifindex, addr, prefix, action, &ra, err);
	if (r < 0)
		return r;
	r = rtnl_addr_delete(l->sk, ra, 0);
	rtnl_addr_put(ra);
	if (r < 0) {
		r = qnm_nl_errno(r);
		if (r == -EADDRNOTAVAIL || r == -ENOENT)
			return 0;
		return qnm_host_err(err, r, action);
	}
	return 0;
}

/*
 * The addresses of family @fam (4 or 16 bytes) of link @name, "ADDR/LEN"
 * in @out (@size bytes each, @max of them); IPv6 link-local ones skipped.
 */
static int addrs_of(struct qnm_links *l, const char *name, int fam, char *out, size_t size,
		    size_t max, struct qnm_err *err)
{
	unsigned len = fam == AF_INET ? 4 : 16;
	struct rtnl_link *link;
	struct nl_cache *cache;
	struct nl_object *o;
	char action[64];
	int r, ifindex, n = 0;

	snprintf(action, sizeof(action), "read the addresses of %s", name);
	r = get_link(l, name, action, &link, err);
	if (r < 0)
		return r;
	ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	r = rtnl_addr_alloc_cache(l->sk, &cache);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);
		const unsigned char *bin;
		char ip[INET6_ADDRSTRLEN];

		if (rtnl_addr_get_ifindex(ra) != ifindex || rtnl_addr_get_family(ra) != fam ||
		    !local || nl_addr_get_len(local) != len)
			continue;
		bin = nl_addr_get_binary_addr(local);
		if (fam == AF_INET6 && bin[0] == 0xfe && (bin[1] & 0xc0) == 0x80)
			continue; /* link-local: the kernel's */
		if ((size_t)n < max) {
			inet_ntop(fam, bin, ip, sizeof(ip));
			snprintf(out + (size_t)n * size, size, "%.39s/%d", ip,
				 rtnl_addr_get_prefixlen(ra));
		}
		n++;
	}
	nl_cache_free(cache);
	return n;
}

int qnm_links_ipv4_addrs(struct qnm_links *l, const char *name, char (*out)[QNM_CIDR_LEN],
			 size_t max, struct qnm_err *err)
{
	return addrs_of(l, name, AF_INET, max ? out[0] : NULL, QNM_CIDR_LEN, max, err);
}

int qnm_links_ipv6_addrs(struct qnm_links *l, const char *name, char (*out)[QNM_IPV6_NET_LEN],
			 size_t max, struct qnm_err *err)
{
	return addrs_of(l, name, AF_INET6, max ? out[0] : NULL, QNM_IPV6_NET_LEN, max, err);
}

int qnm_links_enslave(struct qnm_links *l, const char *port, const char *bridge,
		      struct qnm_err *err)
{
	struct rtnl_link *p, *b;
	char action[96];
	int r;

	snprintf(action, sizeof(action), "add %s to bridge %s", port, bridge);
	r = get_link(l, bridge, action, &b, err);
	if (r < 0)
		return r;
	r = get_link(l, port, action, &p, err);
	if (r < 0) {
		rtnl_link_put(b);
		return r;
	}
	r = rtnl_link_enslave_ifindex(l->sk, rtnl_link_get_ifindex(b), rtnl_link_get_ifindex(p));
	rtnl_link_put(p);
	rtnl_link_put(b);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	return 0;
}

int qnm_links_release(struct qnm_links *l, const char *port, struct qnm_err *err)
{
	struct rtnl_link *p;
	char action[96];
	int r;

	snprintf(action, sizeof(action), "release %s from its bridge", port);
	r = get_link(l, port, action, &p, err);
	if (r < 0)
		return r;
	r = rtnl_link_release_ifindex(l->sk, rtnl_link_get_ifindex(p));
	rtnl_link_put(p);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	return 0;
}

int qnm_links_default_uplink(struct qnm_links *l, char *out, struct qnm_err *err)
{
	struct nl_cache *cache;
	struct nl_object *o;
	uint32_t best = UINT32_MAX;
	int r, best_if = 0;

	out[0] = '\0';
	r = rtnl_route_alloc_cache(l->sk, AF_INET, 0, &cache);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), "read the routing table");
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(rt);
		struct rtnl_nexthop *nh;

		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    rtnl_route_get_type(rt) != RTN_UNICAST)
			continue;
		if (dst && nl_addr_get_prefixlen(dst) != 0)
			continue;
		if (rtnl_route_get_nnexthops(rt) < 1)
			continue;
		nh = rtnl_route_nexthop_n(rt, 0);
		if (!nh || rtnl_route_nh_get_ifindex(nh) <= 0)
			continue;
		if (rtnl_route_get_priority(rt) < best || !best_if) {
			best = rtnl_route_get_priority(rt);
			best_if = rtnl_route_nh_get_ifindex(nh);
		}
	}
	nl_cache_free(cache);
	if (!best_if)
		return qnm_err_set(err, -ENOENT, "",
				   "there is no IPv4 default route to use as uplink");
	if (!if_indextoname((unsigned)best_if, out))
		return qnm_err_set(err, -ENODEV, "", "default route interface %d has no name",
				   best_if);
	return 0;
}
