// SPDX-License-Identifier: GPL-2.0-or-later
/* maclive.c - a VM's MACs against the neighbour table and fdb of its bridges. */
#include "build-config.h"

#include "host/maclive.h"
#include "core/backend.h"
#include "core/validate.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const char *qnm_nic_live_bridge(const struct qnm_model *model, const struct qnm_nic *nic)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(nic);

	return b && b->live_bridge ? b->live_bridge(model, nic) : NULL;
}

struct scan {
	const struct qnm_vm *vm;
	const struct qnm_nic *nic;
	uint8_t mac[6];
	const char *bridge;
	int br_index;
	struct nl_cache *links;
	const char *const *ignore;
	size_t nignore;
	struct qnm_mac_live_clash *out;
	size_t n;
};

static bool ignored(const struct scan *s, const char *port)
{
	size_t i;

	for (i = 0; i < s->nignore; i++)
		if (s->ignore[i] && strcmp(s->ignore[i], port) == 0)
			return true;
	return false;
}

/* fdb entries use the NUD bits differently: say it the way "bridge fdb" does */
static void fdb_state(int nud, char *buf, size_t size)
{
	static const struct {
		int bit;
		const char *name;
	} states[] = {
		{ NUD_PERMANENT, "permanent" },
		{ NUD_NOARP, "static" },
	};
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(states); i++)
		if (nud & states[i].bit) {
			snprintf(buf, size, "%s", states[i].name);
			return;
		}
	snprintf(buf, size, "learned");
}

static void neigh_cb(struct nl_object *obj, void *data)
{
	struct rtnl_neigh *ne = (struct rtnl_neigh *)obj;
	struct scan *s = data;
	struct nl_addr *ll = rtnl_neigh_get_lladdr(ne), *dst;
	struct qnm_mac_live_clash *c;
	int fam = rtnl_neigh_get_family(ne), ifi = rtnl_neigh_get_ifindex(ne);
	char port[QNM_IFNAME_MAX + 1] = "";
	char st[64];

	if (!ll || nl_addr_get_len(ll) != 6 || memcmp(nl_addr_get_binary_addr(ll), s->mac, 6))
		return;
	if (fam == AF_BRIDGE) {
		/* on a port of this bridge (master), or on the bridge device itself */
		if (ifi != s->br_index && rtnl_neigh_get_master(ne) != s->br_index)
			return;
		if (ifi != s->br_index && !rtnl_link_i2name(s->links, ifi, port, sizeof(port)))
			snprintf(port, sizeof(port), "#%d", ifi);
		if (port[0] && ignored(s, port))
			return;
	} else if (ifi != s->br_index) {
		return;
	}
	s->out = xreallocarray(s->out, s->n + 1, sizeof(*s->out));
	c = &s->out[s->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->mac, sizeof(c->mac), "%02x:%02x:%02x:%02x:%02x:%02x", s->mac[0], s->mac[1],
		 s->mac[2], s->mac[3], s->mac[4], s->mac[5]);
	qnm_strlcpy(c->vm, s->vm->name, sizeof(c->vm));
	qnm_strlcpy(c->nic, s->nic->id, sizeof(c->nic));
	qnm_strlcpy(c->bridge, s->bridge, sizeof(c->bridge));
	qnm_strlcpy(c->table, fam == AF_BRIDGE ? "fdb" : "neighbour", sizeof(c->table));
	qnm_strlcpy(c->port, port, sizeof(c->port));
	dst = rtnl_neigh_get_dst(ne);
	if (fam != AF_BRIDGE && dst)
		nl_addr2str(dst, c->ip, sizeof(c->ip));
	if (c->ip[0] && strchr(c->ip, '/'))
		*strchr(c->ip, '/') = '\0';
	st[0] = '\0';
	if (fam == AF_BRIDGE)
		fdb_state(rtnl_neigh_get_state(ne), st, sizeof(st));
	else
		rtnl_neigh_state2str(rtnl_neigh_get_state(ne), st, sizeof(st));
	qnm_strlcpy(c->state, st, sizeof(c->state));
}

int qnm_mac_live_clashes(const struct qnm_model *model, const struct qnm_vm *vm,
			 const char *const *ignore_ports, size_t nignore,
			 struct qnm_mac_live_clash **out, size_t *n, struct qnm_err *err)
{
	struct scan s = { .vm = vm, .ignore = ignore_ports, .nignore = nignore };
	struct nl_cache *neigh = NULL;
	struct nl_sock *sk;
	size_t i;
	int r;

	*out = NULL;
	*n = 0;
	for (i = 0; i < vm->nnics; i++)
		if (qnm_nic_live_bridge(model, &vm->nics[i]))
			break;
	if (i == vm->nnics)
		return 0; /* joins no bridge: nothing to read */
	sk = nl_socket_alloc();
	if (!sk)
		qnm_oom();
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r == 0)
		r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &s.links);
	if (r == 0)
		r = rtnl_neigh_alloc_cache_flags(sk, &neigh, NL_CACHE_AF_ITER);
	if (r < 0) {
		qnm_err_set(err, -EIO, "", "reading the neighbour table and bridge fdb: %s",
			    nl_geterror(r));
		goto out;
	}
	for (i = 0; i < vm->nnics; i++) {
		s.nic = &vm->nics[i];
		s.bridge = qnm_nic_live_bridge(model, s.nic);
		if (!s.bridge || qnm_parse_mac(s.nic->mac, s.mac) < 0)
			continue;
		s.br_index = rtnl_link_name2i(s.links, s.bridge);
		if (s.br_index <= 0)
			continue; /* bridge absent: the network is down */
		nl_cache_foreach(neigh, neigh_cb, &s);
	}
	*out = s.out;
	*n = s.n;
	s.out = NULL;
	r = 0;
out:
	free(s.out);
	if (neigh)
		nl_cache_free(neigh);
	if (s.links)
		nl_cache_free(s.links);
	nl_socket_free(sk);
	return r < 0 ? -EIO : 0;
}

char *qnm_mac_live_clash_text(const struct qnm_mac_live_clash *c)
{
	char where[128];

	if (strcmp(c->table, "fdb") == 0)
		snprintf(where, sizeof(where), "bridge fdb entry%s%s%s%s%s",
			 c->port[0] ? " on port " : "", c->port, c->state[0] ? " (" : "", c->state,
			 c->state[0] ? ")" : "");
	else
		snprintf(where, sizeof(where), "neighbour %s%s%s%s",
			 c->ip[0] ? c->ip : "(no address)", c->state[0] ? " (" : "", c->state,
			 c->state[0] ? ")" : "");
	return xasprintf("MAC %s of VM '%s' NIC '%s' is already on bridge %s: %s", c->mac, c->vm,
			 c->nic, c->bridge, where);
}
