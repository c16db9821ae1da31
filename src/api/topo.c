// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * api/topo.c - a VM's NICs as chains of boxes with live counters (topo.h),
 * for the Modes screen here and "vm.topology" for other hosts.
 */
#include "build-config.h"

#include "api/topo.h"

#include <stdio.h>
#include <string.h>

const struct qnm_sample *qnm_api_stats_nic_sample(const struct qnm_sampler *sp,
						  const struct qnm_vm *vm, size_t i)
{
	const struct qnm_nic *n;
	const struct qnm_backend_ops *b;
	char name[QNM_SAMPLE_NAME_MAX + 1];
	const struct qnm_sample *e;

	if (!sp || i >= vm->nnics)
		return NULL;
	n = &vm->nics[i];
	b = qnm_nic_backend(n);
	/* the sampler names a NIC's entry after its host interface, or "VM/NIC" for the helper's */
	if (b->slirp_helper) {
		snprintf(name, sizeof(name), "%s/%s", vm->name, n->id);
	} else if (!b->host_ifname && b->on_bridge) {
		size_t k;

		/* the TAP a bridge helper made: the sampler maps it to the NIC */
		for (k = 0; k < sp->n; k++) {
			e = sp->v[k];
			if (e->role == QNM_IFROLE_TAP && strcmp(e->vm, vm->name) == 0 &&
			    strcmp(e->nic, n->id) == 0)
				return e;
		}
		return NULL;
	} else if (!b->host_ifname || !b->host_ifname(vm, i, name)) {
		return NULL;
	}
	e = qnm_sampler_find(sp, name);
	/* a TAP of that name that the sampler does not map to this NIC is not its */
	if (e && (strcmp(e->vm, vm->name) != 0 || strcmp(e->nic, n->id) != 0))
		return NULL;
	return e;
}

/*
 * "rx 1.20 MiB\ntx 3.00 KiB" (two lines) of host link @name, "absent" when
 * there is no such link, "" when there is no sampler yet.
 */
static void link_counters(const struct qnm_sampler *sp, const char *name, char *buf, size_t size)
{
	const struct qnm_sample *e = sp ? qnm_sampler_find(sp, name) : NULL;
	char a[16], b[16];

	if (!e || !e->available) {
		snprintf(buf, size, "%s", sp ? "absent" : "");
		return;
	}
	snprintf(buf, size, "rx %s\ntx %s",
		 qnm_fmt_bytes(e->stats[QNM_STAT_RX_BYTES], a, sizeof(a)),
		 qnm_fmt_bytes(e->stats[QNM_STAT_TX_BYTES], b, sizeof(b)));
}

/*
 * A box that is a host link of a bridged network (its bridge or its port):
 * "host ADDR" as its detail when the host's address lives there now (on
 * the bridge once qnm moved it, on the port before).
 */
static void host_address(struct qnm_ctx *ctx, struct qnm_api_topo_cache *c, const char *link,
			 char *detail, size_t size)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < ctx->model.nnets; i++) {
		const struct qnm_network *net = ctx->model.nets[i];

		if (strcmp(net->bridge, link) != 0 && strcmp(net->port, link) != 0)
			continue;
		if (strcmp(c->net, net->name) != 0 || c->at != now) {
			qnm_strlcpy(c->net, net->name, sizeof(c->net));
			c->at = now;
			/* -ENOENT for a network that is not bridged: nothing moves there */
			c->ok = qnm_api_net_port(ctx, net->name, &c->port, NULL) == 0;
		}
		if (c->ok && c->port.address[0] && strcmp(c->port.where, link) == 0)
			snprintf(detail, size, "host %.42s", c->port.address);
		return;
	}
}

/* "sent 1.2 MiB\ngot 3 KiB": the guest's own view of its NIC's entry. */
static void guest_live(const struct qnm_sample *e, char *buf, size_t size)
{
	char a[16], b[16];

	if (!e || !e->available)
		return;
	snprintf(buf, size, "sent %s\ngot %s",
		 qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_TX_BYTES, true), a, sizeof(a)),
		 qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_RX_BYTES, true), b, sizeof(b)));
}

size_t qnm_api_topo_nic(struct qnm_ctx *ctx, const struct qnm_sampler *sp, const struct qnm_vm *vm,
			size_t i, struct qnm_api_topo_cache *cache, struct qnm_api_hop *h)
{
	const struct qnm_nic *n = &vm->nics[i];
	const struct qnm_backend_ops *b = qnm_nic_backend(n);
	const struct qnm_sample *e = qnm_api_stats_nic_sample(sp, vm, i);
	struct qnm_hop bh[QNM_HOPS_MAX];
	size_t k = 0, j, nb;
	char a[16], c[16];

	memset(h, 0, (QNM_HOPS_MAX + 1) * sizeof(*h));
	guest_live(e, h[0].live, sizeof(h->live));
	snprintf(h[k].title, sizeof(h[k].title), "guest %s", n->id);
	snprintf(h[k++].detail, sizeof(h->detail), "%s", n->model);
	/* the backend's boxes, with their live numbers */
	memset(bh, 0, sizeof(bh));
	nb = b && b->hops ? b->hops(&ctx->model, vm, i, bh) : 0;
	for (j = 0; j < nb; j++, k++) {
		qnm_strlcpy(h[k].title, bh[j].title, sizeof(h[k].title));
		qnm_strlcpy(h[k].detail, bh[j].detail, sizeof(h[k].detail));
		switch (bh[j].live) {
		case QNM_HOP_LIVE_LINK:
			link_counters(sp, bh[j].link, h[k].live, sizeof(h->live));
			host_address(ctx, cache, bh[j].link, h[k].detail, sizeof(h->detail));
			break;
		case QNM_HOP_LIVE_NIC_LINK:
			if (e && e->available)
				link_counters(sp, e->name, h[k].live, sizeof(h->live));
			break;
		case QNM_HOP_LIVE_NIC:
			if (e && e->available)
				snprintf(h[k].live, sizeof(h->live), "out %s\nin %s",
					 qnm_fmt_rate(qnm_sample_rate(e, QNM_STAT_TX_BYTES, true),
						      a, sizeof(a)),
					 qnm_fmt_rate(qnm_sample_rate(e, QNM_STAT_RX_BYTES, true),
						      c, sizeof(c)));
			else if (!qnm_backend_has_counters(b))
				snprintf(h[k].live, sizeof(h->live), "counters\nnot available");
			break;
		case QNM_HOP_LIVE_NONE:
			break;
		}
	}
	return k;
}
