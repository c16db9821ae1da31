// SPDX-License-Identifier: GPL-2.0-or-later
/* fwdpath.c - what a DNAT forward needs to carry traffic (see fwdpath.h). */
#include "build-config.h"

#include "watch/fwdpath.h"
#include "host/links.h"
#include "host/nft.h"
#include "host/sysctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void qnm_fwdpath_init(struct qnm_fwdpath *p)
{
	memset(p, 0, sizeof(*p));
	p->localnet_ret = 1;
	qnm_strv_init(&p->localnet);
}

void qnm_fwdpath_clear(struct qnm_fwdpath *p)
{
	qnm_links_free(p->links);
	qnm_strv_free(&p->localnet);
	memset(p, 0, sizeof(*p));
}

static bool has_localnet(struct qnm_fwdpath *p, const char *bridge)
{
	size_t i;

	if (p->localnet_ret == 1)
		p->localnet_ret = qnm_nft_read_localnet(&p->localnet, NULL);
	if (p->localnet_ret < 0)
		return true; /* cannot tell */
	for (i = 0; i < p->localnet.n; i++)
		if (strcmp(p->localnet.v[i], bridge) == 0)
			return true;
	return false;
}

/* the bridge: 1 up, 0 down, -ENODEV missing, other -errno: cannot tell */
static int bridge_up(struct qnm_fwdpath *p, const char *bridge)
{
	struct qnm_link_info li;
	int r;

	if (!p->links && !p->links_ret)
		p->links_ret = qnm_links_new(false, &p->links, NULL);
	if (p->links_ret < 0)
		return p->links_ret;
	r = qnm_links_exists(p->links, bridge, &li, NULL);
	if (r < 0)
		return r;
	return r == 0 ? -ENODEV : li.up;
}

bool qnm_fwdpath_check(struct qnm_fwdpath *p, const struct qnm_network *net,
		       const struct qnm_fwd *f, char *why, size_t size)
{
	const char *br = net->bridge;
	bool on;
	int r;

	why[0] = '\0';
	r = bridge_up(p, br);
	if (r == -ENODEV)
		snprintf(why, size, "bridge %s does not exist: 'qnm net up %s' makes it", br,
			 net->name);
	else if (r == 0)
		snprintf(why, size,
			 "bridge %s is down: 'qnm net up %s' (or 'ip link set %s up') brings it up",
			 br, net->name, br);
	if (why[0] || qnm_fwd_reach(f) != QNM_REACH_HOST)
		return !why[0];
	/* (forwards are only on nat/isolated networks, which have an address) */
	if (qnm_route_localnet_get(br, &on, NULL) == 0 && !on)
		snprintf(why, size,
			 "net.ipv4.conf.%s.route_localnet is 0, so this host's connections to "
			 "%s:%u cannot leave through %s: 'qnm net up %s' sets it to 1 again",
			 br, f->host_addr, (unsigned)f->host_port, br, net->name);
	else if (!has_localnet(p, br))
		snprintf(why, size,
			 "table inet qnm lacks the masquerade of 127.0.0.0/8 out of %s, so the "
			 "guest cannot answer: 'qnm net up %s' writes it again",
			 br, net->name);
	return !why[0];
}
