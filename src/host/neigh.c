// SPDX-License-Identifier: GPL-2.0-or-later
/* neigh.c - neighbour tables and bridge FDBs (see neigh.h). */
#include "build-config.h"

#include "host/neigh.h"
#include "host/links.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

struct fill {
	struct qnm_neigh *v;
	size_t n, cap;
};

static void mac_text(struct nl_addr *a, char *out, size_t size)
{
	const unsigned char *b;

	out[0] = '\0';
	if (!a || nl_addr_get_len(a) != 6)
		return;
	b = nl_addr_get_binary_addr(a);
	snprintf(out, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static void one(struct nl_object *obj, void *arg)
{
	struct rtnl_neigh *ne = (struct rtnl_neigh *)obj;
	struct fill *f = arg;
	struct qnm_neigh *e;
	struct nl_addr *dst;
	int family = rtnl_neigh_get_family(ne), state = rtnl_neigh_get_state(ne);
	char mac[18];

	mac_text(rtnl_neigh_get_lladdr(ne), mac, sizeof(mac));
	if (!mac[0])
		return;
	if (family != AF_BRIDGE &&
	    ((family != AF_INET && family != AF_INET6) ||
	     (state >= 0 && (state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP)))))
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 32;
		f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
	}
	e = &f->v[f->n++];
	memset(e, 0, sizeof(*e));
	e->family = family;
	e->ifindex = rtnl_neigh_get_ifindex(ne);
	e->state = state;
	qnm_strlcpy(e->mac, mac, sizeof(e->mac));
	if (family == AF_BRIDGE) {
		e->master = rtnl_neigh_get_master(ne);
		if (e->master < 0)
			e->master = 0;
		e->local = state >= 0 && (state & NUD_PERMANENT);
		return;
	}
	dst = rtnl_neigh_get_dst(ne);
	if (dst)
		nl_addr2str(dst, e->addr, sizeof(e->addr));
	/* nl_addr2str() writes "none" or a prefix for odd addresses: keep plain ones */
	if (strchr(e->addr, '/'))
		*strchr(e->addr, '/') = '\0';
}

int qnm_neigh_dump(struct qnm_neigh **out, size_t *n, struct qnm_err *err)
{
	struct fill f = { 0 };
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	int r;

	*out = NULL;
	*n = 0;
	if (!sk)
		return qnm_err_set(err, -ENOMEM, "", "neighbours: no memory for a netlink socket");
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r >= 0)
		r = rtnl_neigh_alloc_cache_flags(sk, &cache, NL_CACHE_AF_ITER); /* with AF_BRIDGE */
	if (r < 0) {
		r = qnm_nl_errno(r);
		nl_socket_free(sk);
		return qnm_err_set(err, r, "", "neighbours: cannot read the neighbour table: %s",
				   strerror(-r));
	}
	nl_cache_foreach(cache, one, &f);
	nl_cache_free(cache);
	nl_socket_free(sk);
	*out = f.v;
	*n = f.n;
	return 0;
}

int qnm_neigh_fdb_port(const struct qnm_neigh *v, size_t n, int master, const char *mac)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].family == AF_BRIDGE && !v[i].local && v[i].ifindex != master &&
		    (v[i].master == master || !v[i].master) && strcasecmp(v[i].mac, mac) == 0)
			return v[i].ifindex;
	return 0;
}
