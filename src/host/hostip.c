// SPDX-License-Identifier: GPL-2.0-or-later
/* hostip.c - move a bridged port's addresses, routes and MAC onto its bridge and back. */
#include "build-config.h"

#include "host/hostip.h"
#include "core/config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#define FOREVER 0xffffffffu

static int ifindex_of(struct qnm_links *l, const char *name)
{
	struct rtnl_link *link;
	int idx;

	if (rtnl_link_get_kernel(l->sk, 0, name, &link) < 0)
		return 0;
	idx = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return idx;
}

/* "ADDR/PREFIX" of @a (prefix from @plen), "" for none */
static void addr_str(struct nl_addr *a, int family, int plen, char *out, size_t size)
{
	char buf[INET6_ADDRSTRLEN];

	out[0] = '\0';
	if (!a)
		return;
	if (nl_addr_get_len(a) == 0) {
		snprintf(out, size, "%s/0", family == AF_INET ? "0.0.0.0" : "::");
		return;
	}
	if (!inet_ntop(family, nl_addr_get_binary_addr(a), buf, sizeof(buf)))
		return;
	if (plen >= 0)
		snprintf(out, size, "%s/%d", buf, plen);
	else
		snprintf(out, size, "%s", buf);
}

static void read_addrs(struct nl_cache *cache, int idx, struct qnm_hostip *h)
{
	struct nl_object *o;

	for (o = nl_cache_get_first(cache); o && h->naddrs < QNM_HOSTIP_MAX;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct qnm_hostip_addr *a = &h->addrs[h->naddrs];
		int fam = rtnl_addr_get_family(ra);

		if (rtnl_addr_get_ifindex(ra) != idx || (fam != AF_INET && fam != AF_INET6))
			continue;
		if (fam == AF_INET6 && rtnl_addr_get_scope(ra) != RT_SCOPE_UNIVERSE)
			continue; /* link-local: each link makes its own */
		memset(a, 0, sizeof(*a));
		a->family = fam;
		addr_str(rtnl_addr_get_local(ra), fam, rtnl_addr_get_prefixlen(ra), a->local,
			 sizeof(a->local));
		if (fam == AF_INET)
			addr_str(rtnl_addr_get_broadcast(ra), fam, -1, a->brd, sizeof(a->brd));
		a->flags = rtnl_addr_get_flags(ra);
		a->scope = rtnl_addr_get_scope(ra);
		a->valid = rtnl_addr_get_valid_lifetime(ra);
		a->preferred = rtnl_addr_get_preferred_lifetime(ra);
		h->naddrs++;
	}
}

static void read_routes(struct nl_cache *cache, int idx, struct qnm_hostip *h)
{
	struct nl_object *o;

	for (o = nl_cache_get_first(cache); o && h->nroutes < QNM_HOSTIP_MAX;
	     o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct qnm_hostip_route *x = &h->routes[h->nroutes];
		struct rtnl_nexthop *nh;
		int fam = rtnl_route_get_family(rt);

		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    rtnl_route_get_nnexthops(rt) != 1 || (fam != AF_INET && fam != AF_INET6) ||
		    rtnl_route_get_protocol(rt) == RTPROT_KERNEL)
			continue;
		nh = rtnl_route_nexthop_n(rt, 0);
		if (!nh || rtnl_route_nh_get_ifindex(nh) != idx)
			continue;
		memset(x, 0, sizeof(*x));
		x->family = fam;
		addr_str(rtnl_route_get_dst(rt), fam, nl_addr_get_prefixlen(rtnl_route_get_dst(rt)),
			 x->dst, sizeof(x->dst));
		addr_str(rtnl_route_nh_get_gateway(nh), fam, -1, x->gw, sizeof(x->gw));
		addr_str(rtnl_route_get_pref_src(rt), fam, -1, x->src, sizeof(x->src));
		x->metric = rtnl_route_get_priority(rt);
		x->protocol = rtnl_route_get_protocol(rt);
		x->scope = rtnl_route_get_scope(rt);
		x->type = rtnl_route_get_type(rt);
		h->nroutes++;
	}
}

int qnm_hostip_read(struct qnm_links *l, const char *port, const char *bridge, struct qnm_hostip *h,
		    struct qnm_err *err)
{
	struct rtnl_link *link;
	struct nl_cache *ac = NULL, *rc = NULL;
	char action[64];
	int r, idx;

	memset(h, 0, sizeof(*h));
	qnm_strlcpy(h->port, port, sizeof(h->port));
	qnm_strlcpy(h->bridge, bridge, sizeof(h->bridge));
	snprintf(action, sizeof(action), "read the addresses and routes of %s", port);
	r = rtnl_link_get_kernel(l->sk, 0, port, &link);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	idx = rtnl_link_get_ifindex(link);
	if (rtnl_link_get_addr(link))
		nl_addr2str(rtnl_link_get_addr(link), h->mac, sizeof(h->mac));
	rtnl_link_put(link);
	r = rtnl_addr_alloc_cache(l->sk, &ac);
	if (r == 0)
		r = rtnl_route_alloc_cache(l->sk, AF_UNSPEC, 0, &rc);
	if (r < 0) {
		if (ac)
			nl_cache_free(ac);
		return qnm_host_err(err, qnm_nl_errno(r), action);
	}
	read_addrs(ac, idx, h);
	read_routes(rc, idx, h);
	nl_cache_free(ac);
	nl_cache_free(rc);
	return 0;
}

/* ---- who else configures the port ---- */

/* the caller shares PID 1's network namespace (where NetworkManager and networkd run) */
static bool in_init_netns(void)
{
	struct stat a, b;

	return stat("/proc/self/ns/net", &a) == 0 && stat("/proc/1/ns/net", &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static bool is_dhcp_client(const char *name)
{
	static const char *const clients[] = { "dhclient", "dhcpcd", "udhcpc", "dhcpcd5" };
	const char *base = strrchr(name, '/');
	size_t k;

	base = base ? base + 1 : name;
	for (k = 0; k < QNM_ARRAY_SIZE(clients); k++)
		if (strcmp(base, clients[k]) == 0)
			return true;
	return false;
}

/*
 * A DHCP client process in this namespace whose command line names @port:
 * dhclient, dhcpcd or udhcpc by name, or busybox run as udhcpc ("busybox
 * udhcpc -i PORT", or a link named udhcpc).
 */
static bool dhcp_client(const char *port, char *name, size_t size)
{
	struct stat self, ns;
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	if (stat("/proc/self/ns/net", &self) < 0) {
		closedir(d);
		return false;
	}
	while (!found && (e = readdir(d))) {
		char path[300], comm[32] = "", args[4096];
		const char *client;
		FILE *f;
		size_t n, i;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		if (!is_dhcp_client(comm) && strcmp(comm, "busybox") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", e->d_name);
		if (stat(path, &ns) < 0 || ns.st_ino != self.st_ino || ns.st_dev != self.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(args, 1, sizeof(args) - 1, f);
		fclose(f);
		args[n] = '\0';
		client = comm;
		if (!is_dhcp_client(comm)) { /* busybox: the applet is argv[0] or argv[1] */
			i = strlen(args) + 1;
			if (is_dhcp_client(args))
				client = strrchr(args, '/') ? strrchr(args, '/') + 1 : args;
			else if (i < n && is_dhcp_client(args + i))
				client = args + i;
			else
				continue;
		}
		for (i = 0; i < n && !found; i += strlen(args + i) + 1)
			if (strcmp(args + i, port) == 0) {
				found = true;
				snprintf(name, size, "%.16s (pid %.16s)", client, e->d_name);
			}
	}
	closedir(d);
	return found;
}

int qnm_hostip_managed(const struct qnm_hostip *h, char *why, size_t size)
{
	char path[96], client[64];
	unsigned i;
	int idx = 0;

	if (dhcp_client(h->port, client, sizeof(client))) {
		snprintf(why, size,
			 "%s is configured by the DHCP client %s: qnm does not move a leased "
			 "address; run the DHCP client on %s instead (or give %s a static "
			 "address) and bring the network up again",
			 h->port, client, h->bridge, h->port);
		return 1;
	}
	if (in_init_netns()) {
		char idxs[16] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", h->port);
		f = fopen(path, "re");
		if (f) {
			if (fgets(idxs, sizeof(idxs), f))
				idx = atoi(idxs);
			fclose(f);
		}
		snprintf(path, sizeof(path), "/run/NetworkManager/devices/%d", idx);
		if (idx && access(path, F_OK) == 0) {
			snprintf(why, size,
				 "NetworkManager manages %s: make the bridge there instead "
				 "(nmcli connection add type bridge ifname %s, and %s as its "
				 "port), or 'nmcli device set %s managed no' before qnm takes it",
				 h->port, h->bridge, h->port, h->port);
			return 1;
		}
		snprintf(path, sizeof(path), "/run/systemd/netif/links/%d", idx);
		f = idx ? fopen(path, "re") : NULL;
		if (f) {
			char line[128];
			bool managed = false;

			while (fgets(line, sizeof(line), f))
				if (strncmp(line, "NETWORK_FILE=", 13) == 0 && line[13] != '\n')
					managed = true;
			fclose(f);
			if (managed) {
				snprintf(
					why, size,
					"systemd-networkd manages %s: declare bridge %s in a "
					".netdev file and make %s its port in the .network file "
					"that matches %s (or remove that file) before qnm takes it",
					h->port, h->bridge, h->port, h->port);
				return 1;
			}
		}
	}
	for (i = 0; i < h->naddrs; i++)
		if (!(h->addrs[i].flags & IFA_F_PERMANENT)) {
			snprintf(why, size,
				 "address %s on %s is dynamic (%s): qnm does not move what "
				 "another program gave; %s",
				 h->addrs[i].local, h->port,
				 h->addrs[i].family == AF_INET6 ? "SLAAC or DHCPv6" : "a lease",
				 h->addrs[i].family == AF_INET6
					 ? "set net.ipv6.conf.PORT.autoconf=0 or stop the DHCPv6 "
					   "client, then bring the network up again"
					 : "stop the program that leased it on the port and run it "
					   "on the bridge instead");
			return 1;
		}
	for (i = 0; i < h->nroutes; i++)
		if (h->routes[i].protocol == RTPROT_DHCP || h->routes[i].protocol == RTPROT_RA) {
			snprintf(why, size,
				 "route %s on %s comes from %s: qnm does not move what another "
				 "program set; configure it on %s there instead",
				 h->routes[i].dst, h->port,
				 h->routes[i].protocol == RTPROT_RA ? "router advertisements"
								    : "a DHCP client",
				 h->bridge);
			return 1;
		}
	return 0;
}

/* ---- the record ---- */

static char *rec_path(const char *runtime_dir, const char *port)
{
	return xasprintf("%s/hostip-%s", runtime_dir, port);
}

static const char *dash(const char *s)
{
	return s[0] ? s : "-";
}

static void undash(char *s)
{
	if (strcmp(s, "-") == 0)
		s[0] = '\0';
}

int qnm_hostip_save(const char *runtime_dir, const struct qnm_hostip *h, struct qnm_err *err)
{
	struct qnm_strbuf sb;
	char *path = rec_path(runtime_dir, h->port);
	unsigned i;
	int r;

	qnm_sb_init(&sb);
	qnm_sb_addf(&sb, "port %s %s %s\n", h->port, h->bridge, dash(h->mac));
	for (i = 0; i < h->naddrs; i++) {
		const struct qnm_hostip_addr *a = &h->addrs[i];

		qnm_sb_addf(&sb, "addr %d %s %s %u %d %u %u\n", a->family, a->local, dash(a->brd),
			    a->flags, a->scope, a->valid, a->preferred);
	}
	for (i = 0; i < h->nroutes; i++) {
		const struct qnm_hostip_route *x = &h->routes[i];

		qnm_sb_addf(&sb, "route %d %s %s %s %u %d %d %d\n", x->family, x->dst, dash(x->gw),
			    dash(x->src), x->metric, x->protocol, x->scope, x->type);
	}
	r = qnm_atomic_write(path, sb.s ? sb.s : "", sb.len, 0600, err);
	qnm_sb_free(&sb);
	free(path);
	return r;
}

int qnm_hostip_load(const char *runtime_dir, const char *port, struct qnm_hostip *h,
		    struct qnm_err *err)
{
	char *path = rec_path(runtime_dir, port), *text = NULL, *line, *save = NULL;
	size_t len;
	int r, lineno = 0;

	memset(h, 0, sizeof(*h));
	r = qnm_read_file(path, 1 << 16, &text, &len);
	if (r < 0) {
		if (r != -ENOENT)
			qnm_err_set(err, r, "", "read %s: %s", path, strerror(-r));
		free(path);
		return r;
	}
	for (line = strtok_r(text, "\n", &save); line && r == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		struct qnm_hostip_addr *a = &h->addrs[h->naddrs];
		struct qnm_hostip_route *x = &h->routes[h->nroutes];

		lineno++;
		if (sscanf(line, "port %16s %16s %17s", h->port, h->bridge, h->mac) == 3) {
			undash(h->mac);
		} else if (h->naddrs < QNM_HOSTIP_MAX &&
			   sscanf(line, "addr %d %63s %15s %u %d %u %u", &a->family, a->local,
				  a->brd, &a->flags, &a->scope, &a->valid, &a->preferred) == 7) {
			undash(a->brd);
			h->naddrs++;
		} else if (h->nroutes < QNM_HOSTIP_MAX &&
			   sscanf(line, "route %d %63s %63s %63s %u %d %d %d", &x->family, x->dst,
				  x->gw, x->src, &x->metric, &x->protocol, &x->scope,
				  &x->type) == 8) {
			undash(x->gw);
			undash(x->src);
			h->nroutes++;
		} else {
			r = qnm_err_set(err, -EINVAL, "", "%s line %d: not a record of qnm's", path,
					lineno);
		}
	}
	free(text);
	free(path);
	return r;
}

void qnm_hostip_forget(const char *runtime_dir, const char *port)
{
	char *path = rec_path(runtime_dir, port);

	unlink(path);
	free(path);
}

/* ---- moving ---- */

static struct nl_addr *parse(const char *s, int family)
{
	struct nl_addr *a = NULL;

	if (!s[0] || nl_addr_parse(s, family, &a) < 0)
		return NULL;
	return a;
}

static int addr_op(struct qnm_links *l, const struct qnm_hostip_addr *a, int idx, bool add,
		   uint32_t extra_flags, const char *dev, struct qnm_err *err)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = parse(a->local, a->family);
	char action[128];
	int r;

	if (!ra)
		qnm_oom();
	snprintf(action, sizeof(action), "%s address %s %s %s", add ? "add" : "remove", a->local,
		 add ? "to" : "from", dev);
	if (!local) {
		rtnl_addr_put(ra);
		return qnm_err_set(err, -EINVAL, "", "%s: not an address", action);
	}
	rtnl_addr_set_ifindex(ra, idx);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_local(ra, local);
	rtnl_addr_set_prefixlen(ra, nl_addr_get_prefixlen(local));
	if (add) {
		rtnl_addr_set_flags(ra,
				    (a->flags | extra_flags) &
					    ~(IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED |
					      IFA_F_PERMANENT | IFA_F_SECONDARY));
		rtnl_addr_set_scope(ra, a->scope);
		if (a->valid != FOREVER || a->preferred != FOREVER) {
			rtnl_addr_set_valid_lifetime(ra, a->valid);
			rtnl_addr_set_preferred_lifetime(ra, a->preferred);
		}
		if (a->brd[0]) {
			struct nl_addr *bc = parse(a->brd, AF_INET);

			if (bc) {
				rtnl_addr_set_broadcast(ra, bc);
				nl_addr_put(bc);
			}
		}
		r = rtnl_addr_add(l->sk, ra, NLM_F_CREATE | NLM_F_REPLACE);
	} else {
		r = rtnl_addr_delete(l->sk, ra, 0);
	}
	rtnl_addr_put(ra);
	nl_addr_put(local);
	if (r < 0) {
		r = qnm_nl_errno(r);
		if (!add && (r == -EADDRNOTAVAIL || r == -ENOENT || r == -ENODEV))
			return 0;
		return qnm_host_err(err, r, action);
	}
	return 0;
}

static int route_op(struct qnm_links *l, const struct qnm_hostip_route *x, int idx, bool add,
		    const char *dev, struct qnm_err *err)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = parse(x->dst, x->family), *gw = parse(x->gw, x->family),
		       *src = parse(x->src, x->family);
	char action[192];
	int r;

	if (!rt || !nh)
		qnm_oom();
	snprintf(action, sizeof(action), "%s route %s%s%s %s %s", add ? "move" : "remove", x->dst,
		 gw ? " via " : "", x->gw, add ? "to" : "from", dev);
	if (!dst) {
		rtnl_route_put(rt);
		rtnl_route_nh_free(nh);
		return qnm_err_set(err, -EINVAL, "", "%s: not a destination", action);
	}
	rtnl_route_set_family(rt, (uint8_t)x->family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_dst(rt, dst);
	rtnl_route_set_priority(rt, x->metric);
	rtnl_route_set_protocol(rt, (uint8_t)x->protocol);
	rtnl_route_set_scope(rt, (uint8_t)x->scope);
	rtnl_route_set_type(rt, (uint8_t)x->type);
	if (src)
		rtnl_route_set_pref_src(rt, src);
	rtnl_route_nh_set_ifindex(nh, idx);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(rt, nh);
	/* replace: the same destination and metric changes its device at once */
	r = add ? rtnl_route_add(l->sk, rt, NLM_F_CREATE | NLM_F_REPLACE)
		: rtnl_route_delete(l->sk, rt, 0);
	rtnl_route_put(rt);
	nl_addr_put(dst);
	if (gw)
		nl_addr_put(gw);
	if (src)
		nl_addr_put(src);
	if (r < 0) {
		r = qnm_nl_errno(r);
		if (!add && (r == -ESRCH || r == -ENOENT || r == -ENODEV || r == -EINVAL))
			return 0;
		return qnm_host_err(err, r, action);
	}
	return 0;
}

static int set_mac(struct qnm_links *l, const char *dev, const char *mac, struct qnm_err *err)
{
	struct rtnl_link *link, *change;
	struct nl_addr *a = NULL;
	char now[QNM_MAC_LEN] = "", action[96];
	int r;

	if (!mac[0])
		return 0;
	snprintf(action, sizeof(action), "give %s the MAC %s", dev, mac);
	r = rtnl_link_get_kernel(l->sk, 0, dev, &link);
	if (r < 0)
		return qnm_host_err(err, qnm_nl_errno(r), action);
	if (rtnl_link_get_addr(link))
		nl_addr2str(rtnl_link_get_addr(link), now, sizeof(now));
	if (strcmp(now, mac) == 0) {
		rtnl_link_put(link);
		return 0;
	}
	change = rtnl_link_alloc();
	if (!change || nl_addr_parse(mac, AF_LLC, &a) < 0)
		qnm_oom();
	rtnl_link_set_addr(change, a);
	r = rtnl_link_change(l->sk, link, change, 0);
	nl_addr_put(a);
	rtnl_link_put(change);
	rtnl_link_put(link);
	return r < 0 ? qnm_host_err(err, qnm_nl_errno(r), action) : 0;
}

/* wait (at most 3 s) until no IPv6 address of @h on @idx is tentative (DAD) */
static void wait_dad(struct qnm_links *l, const struct qnm_hostip *h, int idx)
{
	unsigned i, v6 = 0, tries;

	for (i = 0; i < h->naddrs; i++)
		v6 += h->addrs[i].family == AF_INET6 && !(h->addrs[i].flags & IFA_F_NODAD);
	for (tries = 0; v6 && tries < 60; tries++) {
		struct nl_cache *c;
		struct nl_object *o;
		bool tentative = false;
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (rtnl_addr_alloc_cache(l->sk, &c) < 0)
			return;
		for (o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *ra = (struct rtnl_addr *)o;

			if (rtnl_addr_get_ifindex(ra) == idx &&
			    rtnl_addr_get_family(ra) == AF_INET6 &&
			    (rtnl_addr_get_flags(ra) & IFA_F_TENTATIVE))
				tentative = true;
		}
		nl_cache_free(c);
		if (!tentative)
			return;
		nanosleep(&ts, NULL);
	}
}

int qnm_hostip_to_bridge(struct qnm_links *l, const struct qnm_hostip *h, struct qnm_err *err)
{
	int port = ifindex_of(l, h->port), br = ifindex_of(l, h->bridge);
	struct qnm_link_info li = { 0 };
	unsigned i;
	int r;

	if (!port || !br)
		return qnm_err_set(err, -ENODEV, "",
				   "move the host's addresses from %s to %s: %s is gone", h->port,
				   h->bridge, port ? h->bridge : h->port);
	/* 1. the bridge answers for the port's MAC and addresses, and is up */
	r = set_mac(l, h->bridge, h->mac, err);
	for (i = 0; r == 0 && i < h->naddrs; i++)
		r = addr_op(l, &h->addrs[i], br, true, IFA_F_NODAD, h->bridge, err);
	if (r == 0)
		r = qnm_links_set_up(l, h->bridge, true, err);
	/* 2. the port's frames reach the bridge */
	if (r == 0)
		r = qnm_links_exists(l, h->port, &li, err);
	if (r >= 0 && strcmp(li.master_name, h->bridge) != 0)
		r = qnm_links_enslave(l, h->port, h->bridge, err);
	if (r >= 0 && !li.up)
		r = qnm_links_set_up(l, h->port, true, err);
	/* 3. each route changes device in one step, 4. the port lets its addresses go */
	for (i = 0; r >= 0 && i < h->nroutes; i++) {
		r = route_op(l, &h->routes[i], br, true, h->bridge, err);
		if (r == 0)
			r = route_op(l, &h->routes[i], port, false, h->port, err);
	}
	for (i = h->naddrs; r >= 0 && i-- > 0;)
		r = addr_op(l, &h->addrs[i], port, false, 0, h->port, err);
	return r < 0 ? r : 0;
}

int qnm_hostip_to_port(struct qnm_links *l, const struct qnm_hostip *h, struct qnm_err *err)
{
	int port = ifindex_of(l, h->port), br = ifindex_of(l, h->bridge);
	struct qnm_link_info li = { 0 };
	unsigned i;
	int r = 0;

	if (!port)
		return qnm_err_set(err, -ENODEV, "",
				   "move the host's addresses back to %s: it is gone", h->port);
	for (i = 0; r == 0 && i < h->naddrs; i++)
		r = addr_op(l, &h->addrs[i], port, true, 0, h->port, err);
	if (r == 0)
		r = qnm_links_exists(l, h->port, &li, err);
	if (r >= 0 && li.master)
		r = qnm_links_release(l, h->port, err);
	if (r >= 0)
		wait_dad(l, h, port);
	for (i = 0; r >= 0 && i < h->nroutes; i++) {
		r = route_op(l, &h->routes[i], port, true, h->port, err);
		if (r == 0 && br)
			r = route_op(l, &h->routes[i], br, false, h->bridge, err);
	}
	for (i = h->naddrs; br && r >= 0 && i-- > 0;)
		r = addr_op(l, &h->addrs[i], br, false, 0, h->bridge, err);
	return r < 0 ? r : 0;
}

void qnm_hostip_where(struct qnm_links *l, const struct qnm_hostip *h, char *out)
{
	struct qnm_hostip now;
	const char *devs[2] = { h->bridge, h->port };
	unsigned i, k;

	out[0] = '\0';
	if (!h->naddrs)
		return;
	for (k = 0; k < 2; k++) {
		if (qnm_hostip_read(l, devs[k], h->bridge, &now, NULL) < 0)
			continue;
		for (i = 0; i < now.naddrs; i++)
			if (strcmp(now.addrs[i].local, h->addrs[0].local) == 0) {
				qnm_strlcpy(out, devs[k], QNM_IFNAME_MAX + 1);
				return;
			}
	}
}
