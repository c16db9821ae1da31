// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * links.c - host links: the view through libmnl dumps, changes through
 * libnl-route-3.
 *
 * The view is an array of struct qnm_link_info sorted by ifindex, filled
 * from a RTM_GETLINK dump (and an IPv4 RTM_GETADDR dump) parsed in place
 * after a change, and from a counters-only RTM_GETSTATS dump per tick; no
 * libnl cache is kept (2,001 links: "qnm links --json" 1.9x -> 0.64x
 * "ip -s -j link", and the UI's heap 1.5 MB smaller).
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

static int refill_full(struct qnm_links *l, struct qnm_err *err);

int qnm_links_open(struct qnm_links **out, struct qnm_err *err)
{
	struct qnm_links *l = xcalloc(1, sizeof(*l));
	int r;

	*out = NULL;
	l->sk = nl_socket_alloc();
	if (!l->sk)
		qnm_oom();
	r = nl_connect(l->sk, NETLINK_ROUTE);
	if (r < 0) {
		r = qnm_host_err(err, qnm_nl_errno(r), "open rtnetlink socket");
		qnm_links_free(l);
		return r;
	}
	l->stale = true; /* no view yet: a qnm_links_refill() reads it whole */
	*out = l;
	return 0;
}

int qnm_links_new(bool want_addrs, struct qnm_links **out, struct qnm_err *err)
{
	struct qnm_links *l;
	int r = qnm_links_open(&l, err);

	*out = NULL;
	if (r < 0 || !l)
		return r < 0 ? r : -EIO;
	l->want_addrs = want_addrs;
	/* Subscribe before the first dump, so that no change falls in between. */
	l->events = nl_socket_alloc();
	if (!l->events)
		qnm_oom();
	nl_socket_disable_seq_check(l->events);
	r = nl_connect(l->events, NETLINK_ROUTE);
	if (r == 0)
		r = nl_socket_add_memberships(l->events, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, 0);
	if (r == 0)
		r = nl_socket_set_nonblocking(l->events);
	if (r < 0) {
		r = qnm_host_err(err, qnm_nl_errno(r), "open rtnetlink socket");
		goto fail;
	}
	r = refill_full(l, err);
	if (r < 0)
		goto fail;
	l->stale = false;
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
	bool changed = false;
	char buf[8192];
	ssize_t n;
	int fd;

	if (!l->events) /* qnm_links_open(): nothing tells, so always read afresh */
		return true;
	fd = nl_socket_get_fd(l->events);
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
		const char *c;
		uint64_t v;
		size_t i;

		if (mnl_attr_get_type(a) != IFLA_STATS_LINK_64 ||
		    mnl_attr_get_payload_len(a) < QNM_STAT__COUNT * sizeof(uint64_t))
			continue;
		/*
		 * struct rtnl_link_stats64 starts with rx/tx packets, bytes,
		 * errors, dropped; attributes are only 4-byte aligned: copied
		 */
		c = mnl_attr_get_payload(a);
		for (i = 0; i < QNM_STAT__COUNT; i++) {
			memcpy(&v, c + i * sizeof(v), sizeof(v));
			li->stats[stats64_map[i]] = v;
		}
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

/* ---- full refill: link and address dumps parsed in place ---- */

/* Kernel dumps read into @l->stats_buf on the counters socket; see refill_full(). */
struct dump_state {
	struct qnm_links *l;
	struct qnm_link_info *v; /* the new view, @n of @cap */
	size_t n, cap;
};

static void info_kind(const struct nlattr *linkinfo, char *out, size_t size)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, linkinfo)
	{
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			qnm_strlcpy(out, mnl_attr_get_str(a), size);
	}
}

/* The link type as described at struct qnm_link_info from the kind and the ARP type. */
static void link_type(const char *kind, unsigned arp, char *out, size_t size)
{
	size_t i;

	if (strcmp(kind, "tun") == 0) {
		/* tun and tap share the kind; a TAP carries Ethernet frames. */
		qnm_strlcpy(out, arp == ARPHRD_ETHER ? "tap" : "tun", size);
		return;
	}
	if (kind[0]) {
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

/* The 64-bit counters of IFLA_STATS64, or the 32-bit ones of IFLA_STATS. */
static void link_stats(const struct nlattr *a, struct qnm_link_info *li)
{
	size_t i;

	if (mnl_attr_get_type(a) == IFLA_STATS64 &&
	    mnl_attr_get_payload_len(a) >= QNM_STAT__COUNT * sizeof(uint64_t)) {
		/* netlink aligns attributes to 4 bytes only: copy, do not load in place */
		const char *c = mnl_attr_get_payload(a);
		uint64_t v;

		for (i = 0; i < QNM_STAT__COUNT; i++) {
			memcpy(&v, c + i * sizeof(v), sizeof(v));
			li->stats[stats64_map[i]] = v;
		}
	} else if (mnl_attr_get_type(a) == IFLA_STATS &&
		   mnl_attr_get_payload_len(a) >= QNM_STAT__COUNT * sizeof(uint32_t)) {
		const uint32_t *c = mnl_attr_get_payload(a);

		for (i = 0; i < QNM_STAT__COUNT; i++)
			li->stats[stats64_map[i]] = c[i];
	}
}

/* One RTM_NEWLINK message: a struct qnm_link_info, with no allocation. */
static int link_msg_info(const struct nlmsghdr *nlh, struct qnm_link_info *li)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *a;
	char kind[16] = "";
	bool stats64 = false;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->up = ifi->ifi_flags & IFF_UP;
	li->carrier = ifi->ifi_flags & IFF_LOWER_UP;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
	{
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				qnm_strlcpy(li->name, mnl_attr_get_str(a), sizeof(li->name));
			break;
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_MASTER:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->master = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_OPERSTATE:
			if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
				rtnl_link_operstate2str(mnl_attr_get_u8(a), li->operstate,
							sizeof(li->operstate));
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6) {
				const unsigned char *m = mnl_attr_get_payload(a);

				snprintf(li->mac, sizeof(li->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
					 m[0], m[1], m[2], m[3], m[4], m[5]);
			}
			break;
		case IFLA_LINKINFO:
			info_kind(a, kind, sizeof(kind));
			break;
		case IFLA_STATS64:
			stats64 = true;
			link_stats(a, li);
			break;
		case IFLA_STATS:
			if (!stats64)
				link_stats(a, li);
			break;
		default:
			break;
		}
	}
	if (!li->operstate[0])
		rtnl_link_operstate2str(0, li->operstate, sizeof(li->operstate));
	link_type(kind, ifi->ifi_type, li->type, sizeof(li->type));
	return 0;
}

static int link_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_state *d = arg;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	if (link_msg_info(nlh, &d->v[d->n]) == 0)
		d->n++;
	return MNL_CB_OK;
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

/* One RTM_NEWADDR message of the IPv4 dump: an address of a link of @d's view. */
static int addr_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_state *d = arg;
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	const void *local = NULL, *address = NULL;
	struct qnm_link_info *li, key;
	char ip[INET_ADDRSTRLEN], cidr[INET_ADDRSTRLEN + 4];

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
	{
		if (mnl_attr_get_payload_len(a) != 4)
			continue;
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = mnl_attr_get_payload(a);
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			address = mnl_attr_get_payload(a);
	}
	if (!local) /* as libnl: the address is the local one when there is no IFA_LOCAL */
		local = address;
	key.ifindex = (int)ifa->ifa_index;
	li = local && d->n ? bsearch(&key, d->v, d->n, sizeof(*d->v), cmp_ifindex) : NULL;
	if (!li)
		return MNL_CB_OK;
	li->naddrs_total++;
	if (li->naddrs >= QNM_LINK_MAX_ADDRS)
		return MNL_CB_OK;
	inet_ntop(AF_INET, local, ip, sizeof(ip));
	snprintf(cidr, sizeof(cidr), "%s/%u", ip, ifa->ifa_prefixlen);
	qnm_strlcpy(li->addrs[li->naddrs++], cidr, QNM_CIDR_LEN);
	return MNL_CB_OK;
}

/* Dump @type (RTM_GETLINK or RTM_GETADDR) of @family through @cb; 0 or -errno. */
static int dump(struct qnm_links *l, int type, unsigned char family, mnl_cb_t cb,
		struct dump_state *d)
{
	struct nlmsghdr *nlh;
	unsigned portid;
	int r = stats_socket(l);

	if (r < 0)
		return r;
	portid = mnl_socket_get_portid(l->stats_sk);
	nlh = mnl_nlmsg_put_header(l->stats_buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++l->stats_seq;
	if (type == RTM_GETLINK) {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		ifi->ifi_family = family;
	} else {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

		ifa->ifa_family = family;
	}
	if (mnl_socket_sendto(l->stats_sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(l->stats_sk, l->stats_buf, QNM_LINKS_STATS_BUF);

		if (n < 0)
			return -errno;
		r = mnl_cb_run(l->stats_buf, (size_t)n, l->stats_seq, portid, cb, d);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

/*
 * Dump the links (and their IPv4 addresses) into a new view and make it
 * @l->v; on failure @l->v is left as it was. A dump that the kernel
 * marks interrupted (a change during it) is retried.
 */
static int refill_full(struct qnm_links *l, struct qnm_err *err)
{
	struct dump_state d = { .l = l };
	size_t i, tries;
	int r = 0;

	for (tries = 0; tries < 5; tries++) {
		d.n = 0;
		r = dump(l, RTM_GETLINK, AF_UNSPEC, link_msg, &d);
		if (r == 0) {
			if (d.n)
				qsort(d.v, d.n, sizeof(*d.v), cmp_ifindex);
			if (l->want_addrs)
				r = dump(l, RTM_GETADDR, AF_INET, addr_msg, &d);
			if (r < 0 && r != -EINTR)
				r = qnm_host_err(err, r, "list addresses");
		} else if (r != -EINTR) {
			r = qnm_host_err(err, r, "list links");
		}
		if (r < 0 && l->stats_sk) {
			/* the socket may hold the rest of an answer: start afresh */
			mnl_socket_close(l->stats_sk);
			l->stats_sk = NULL;
		}
		if (r != -EINTR)
			break;
	}
	if (r == -EINTR)
		r = qnm_host_err(err, r, "list links");
	if (r < 0) {
		free(d.v);
		return r;
	}
	for (i = 0; i < d.n; i++) {
		struct qnm_link_info key = { .ifindex = d.v[i].master }, *m;

		if (!d.v[i].master)
			continue;
		m = bsearch(&key, d.v, d.n, sizeof(*d.v), cmp_ifindex);
		if (m)
			qnm_strlcpy(d.v[i].master_name, m->name, sizeof(d.v[i].master_name));
	}
	free(l->v);
	l->v = d.v;
	l->n = d.n;
	l->cap = d.cap;
	l->fills++;
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
	r = refill_full(l, err);
	if (r == 0)
		l->stale = false;
	return r;
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

/* The answer to a request for one link: its info in @arg. */
static int one_link_msg(const struct nlmsghdr *nlh, void *arg)
{
	return link_msg_info(nlh, arg) == 0 ? MNL_CB_STOP : MNL_CB_OK;
}

int qnm_links_exists(struct qnm_links *l, const char *name, struct qnm_link_info *info,
		     struct qnm_err *err)
{
	struct qnm_link_info li;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	char action[64];
	ssize_t n;
	int r;

	snprintf(action, sizeof(action), "look up %s", name);
	if (!qnm_valid_ifname(name))
		return qnm_err_set(err, -EINVAL, "", "%s: '%s' is not a valid interface name",
				   action, name);
	r = stats_socket(l);
	if (r < 0)
		return qnm_host_err(err, r, action);
	nlh = mnl_nlmsg_put_header(l->stats_buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++l->stats_seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	memset(&li, 0, sizeof(li));
	li.ifindex = -1;
	if (mnl_socket_sendto(l->stats_sk, nlh, nlh->nlmsg_len) < 0)
		r = -errno;
	n = r ? -1 : mnl_socket_recvfrom(l->stats_sk, l->stats_buf, QNM_LINKS_STATS_BUF);
	if (!r && n < 0)
		r = -errno;
	if (!r && mnl_cb_run(l->stats_buf, (size_t)n, l->stats_seq,
			     mnl_socket_get_portid(l->stats_sk), one_link_msg, &li) < 0)
		r = -errno;
	if (r == -ENODEV || r == -ENOENT)
		return 0;
	if (r == 0 && li.ifindex < 0)
		r = -EIO;
	if (r < 0) {
		mnl_socket_close(l->stats_sk); /* start afresh next time */
		l->stats_sk = NULL;
		return qnm_host_err(err, r, action);
	}
	if (info) {
		const struct qnm_link_info *m =
			li.master ? qnm_links_find_index(l, li.master) : NULL;
		char mn[IF_NAMESIZE];

		*info = li;
		if (m)
			qnm_strlcpy(info->master_name, m->name, sizeof(info->master_name));
		else if (li.master && if_indextoname((unsigned)li.master, mn))
			qnm_strlcpy(info->master_name, mn, sizeof(info->master_name));
	}
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
	/*
	 * No look first (a dump of every address on the host): with
	 * NLM_F_EXCL the kernel answers EEXIST when the link carries it
	 * already (IPv4: that address and prefix; IPv6: that address), which
	 * is the same end state; *@added says whether this call made it.
	 */
	r = make_addr(ifindex, addr, prefix, action, &ra, err);
	if (r < 0)
		return r;
	r = rtnl_addr_add(l->sk, ra, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_addr_put(ra);
	if (r < 0) {
		r = qnm_nl_errno(r);
		if (r == -EEXIST)
			return 0;
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
