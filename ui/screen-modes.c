// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-modes.c - network modes: the topology of a VM's NICs (guest NIC
 * -> backend -> bridge -> uplink/NAT -> outside) and what each mode means,
 * what it needs and why.
 */
#include "build-config.h"

#include "backend.h"
#include "guests.h"
#include "links.h"
#include "uipriv.h"

#include <stdlib.h>
#include <string.h>

/* One explanation per mode: a beginner's text, in a table. */
static const struct mode_text {
	const char *title;
	const char *text;
} modes[] = {
	[QNM_BACKEND_USER] = {
		"User mode (SLIRP, QEMU built-in)",
		"QEMU itself plays a small router with NAT: the guest gets 10.0.2.15 by DHCP, "
		"the host is 10.0.2.2, DNS is 10.0.2.3. Needs no root and no host setup. "
		"The guest can open connections out; nobody can connect in unless you add a "
		"port forward (hostfwd, e.g. host 127.0.0.1:2222 to guest port 22). Ping from "
		"the guest works only when the host allows unprivileged ICMP sockets "
		"(sysctl net.ipv4.ping_group_range includes your group). Slower than TAP; "
		"guests on user mode cannot see each other.",
	},
	[QNM_BACKEND_SLIRP] = {
		"User mode through qnm's slirp helper",
		"The same NAT as user mode, but run by qnm's own helper process (libslirp) that "
		"QEMU talks to over a unix socket. Still no root. What it adds: live traffic "
		"counters for the guest and port forwards added or removed while the guest "
		"runs. Same limits: no inbound without a forward, ping needs "
		"ping_group_range.",
	},
	[QNM_BACKEND_TAP] = {
		"TAP device on a bridge (NAT or bridged)",
		"qnm creates a TAP interface for the guest and plugs it into a Linux bridge: the "
		"guest is a real machine on that layer-2 segment. With a NAT network the bridge "
		"has an address (e.g. 10.77.0.1/24), dnsmasq hands out leases, and nftables "
		"masquerades traffic out of the uplink; port forwards are DNAT rules. With a "
		"bridged network a physical NIC is enslaved to the bridge and the guest appears "
		"on your LAN with its own address. Isolated: guests and host only. Needs "
		"CAP_NET_ADMIN (root) to create TAPs, bridges and firewall rules; fastest mode, "
		"guests see each other.",
	},
	[QNM_BACKEND_BRIDGE] = {
		"QEMU bridge helper",
		"qemu-bridge-helper (a small privileged program shipped with QEMU) creates the "
		"TAP and attaches it to an existing bridge for you, so QEMU itself runs without "
		"root. The admin must allow the bridge in /etc/qemu/bridge.conf ('allow br0') "
		"and make the helper setuid or give it CAP_NET_ADMIN. The bridge and whatever "
		"connects it to the outside are set up beforehand (e.g. a qnm network).",
	},
};

/**
 * struct modes_st - state of the modes screen.
 * @name: the VM shown ("" = the first VM).
 * @top:  scroll.
 */
struct modes_st {
	char name[QNM_NAME_MAX + 1];
	int top, page;
	struct qnm_links *links;
};

static void *modes_init(struct qnm_ui *ui, void *arg)
{
	struct modes_st *s = xcalloc(1, sizeof(*s));

	if (arg)
		qnm_strlcpy(s->name, arg, sizeof(s->name));
	/* host links' counters for TAPs and bridges (NULL: shown as unknown) */
	if (qnm_links_new(false, &s->links, NULL))
		s->links = NULL;
	return s;
}

static void modes_free(void *st)
{
	struct modes_st *s = st;

	qnm_links_free(s->links);
	free(s);
}

static bool modes_tick(struct qnm_ui *ui, void *st)
{
	struct modes_st *s = st;

	if (s->links)
		qnm_links_refill(s->links, NULL);
	return true;
}

/* "rx 1.2 MiB tx 3 KiB" of host link @name, or "" when unknown. */
static void link_counters(const struct modes_st *s, const char *name, char *buf, size_t size)
{
	const struct qnm_link_info *li = s->links ? qnm_links_find(s->links, name) : NULL;
	char a[16], b[16];

	if (!li) {
		snprintf(buf, size, "%s", s->links ? "(not present)" : "");
		return;
	}
	snprintf(buf, size, "rx %s tx %s",
		 qnm_fmt_bytes(li->stats[QNM_STAT_RX_BYTES], a, sizeof(a)),
		 qnm_fmt_bytes(li->stats[QNM_STAT_TX_BYTES], b, sizeof(b)));
}

/** struct hop - one box of the diagram. */
struct hop {
	char title[40];
	char detail[48];
	char live[48];
};

static size_t nic_hops(struct qnm_ui *ui, const struct modes_st *s, const struct qnm_vm *vm,
		       size_t i, struct hop *h)
{
	const struct qnm_nic *n = &vm->nics[i];
	const struct qnm_network *net;
	const struct qnm_guest_nic *gn = qnm_guest_nic_find(ui, vm->name, n->id);
	size_t k = 0;
	char tap[QNM_IFNAME_MAX + 1], a[16], b[16];

	memset(h, 0, 8 * sizeof(*h));
	if (gn && gn->have)
		snprintf(h[0].live, sizeof(h->live), "sent %s got %s",
			 qnm_fmt_bytes(gn->st.tx_bytes, a, sizeof(a)),
			 qnm_fmt_bytes(gn->st.rx_bytes, b, sizeof(b)));

	snprintf(h[k].title, sizeof(h[k].title), "guest %s", n->id);
	snprintf(h[k++].detail, sizeof(h->detail), "%s", n->model);
	switch (n->backend) {
	case QNM_BACKEND_USER:
	case QNM_BACKEND_SLIRP:
		snprintf(h[k].title, sizeof(h[k].title), "%s",
			 n->backend == QNM_BACKEND_USER ? "QEMU SLIRP" : "qnm slirp helper");
		if (gn && gn->have)
			snprintf(h[k].live, sizeof(h->live), "%s/%s",
				 qnm_fmt_rate(gn->rate[1], a, sizeof(a)),
				 qnm_fmt_rate(gn->rate[0], b, sizeof(b)));
		else if (n->backend == QNM_BACKEND_USER)
			snprintf(h[k].live, sizeof(h->live), "no counters in QEMU");
		snprintf(h[k++].detail, sizeof(h->detail), "NAT %s",
			 n->user.net[0] ? n->user.net : "10.0.2.0/24");
		snprintf(h[k].title, sizeof(h[k].title), "host sockets");
		snprintf(h[k++].detail, sizeof(h->detail), "%zu forward(s) in", n->user.nfwd);
		snprintf(h[k].title, sizeof(h[k].title), "outside");
		snprintf(h[k++].detail, sizeof(h->detail), "%s",
			 n->user.restrict_ ? "blocked (restrict)" : "via host's routes");
		break;
	case QNM_BACKEND_TAP:
		if (n->tap.ifname[0])
			qnm_strlcpy(tap, n->tap.ifname, sizeof(tap));
		else
			qnm_tap_default_ifname(vm, i, tap);
		snprintf(h[k].title, sizeof(h[k].title), "TAP %s", tap);
		link_counters(s, tap, h[k].live, sizeof(h->live));
		snprintf(h[k++].detail, sizeof(h->detail), "%s",
			 n->tap.create ? "made by qnm" : "made by admin");
		net = n->tap.network[0] ? qnm_model_find_net(&ui->ctx->model, n->tap.network)
					: NULL;
		if (net) {
			snprintf(h[k].title, sizeof(h[k].title), "bridge %s", net->bridge);
			link_counters(s, net->bridge, h[k].live, sizeof(h->live));
			snprintf(h[k++].detail, sizeof(h->detail), "%s/%u", net->address,
				 net->prefix);
			switch (net->mode) {
			case QNM_NET_NAT:
				snprintf(h[k].title, sizeof(h[k].title), "NAT");
				snprintf(h[k++].detail, sizeof(h->detail), "uplink %s",
					 net->uplink[0] ? net->uplink : "default route");
				snprintf(h[k].title, sizeof(h[k].title), "outside");
				snprintf(h[k++].detail, sizeof(h->detail), "masqueraded");
				break;
			case QNM_NET_BRIDGED:
				snprintf(h[k].title, sizeof(h[k].title), "port %s", net->port);
				snprintf(h[k++].detail, sizeof(h->detail), "enslaved NIC");
				snprintf(h[k].title, sizeof(h[k].title), "LAN");
				snprintf(h[k++].detail, sizeof(h->detail), "guest has own IP");
				break;
			case QNM_NET_ISOLATED:
				snprintf(h[k].title, sizeof(h[k].title), "no outside");
				snprintf(h[k++].detail, sizeof(h->detail), "isolated network");
				break;
			}
		} else if (n->tap.bridge[0] || n->tap.network[0]) {
			snprintf(h[k].title, sizeof(h[k].title), "bridge %s",
				 n->tap.bridge[0] ? n->tap.bridge : n->tap.network);
			snprintf(h[k++].detail, sizeof(h->detail), "%s",
				 n->tap.bridge[0] ? "host bridge" : "network missing!");
		} else {
			snprintf(h[k].title, sizeof(h[k].title), "no bridge");
			snprintf(h[k++].detail, sizeof(h->detail), "host <-> guest only");
		}
		break;
	case QNM_BACKEND_BRIDGE:
		snprintf(h[k].title, sizeof(h[k].title), "TAP by helper");
		snprintf(h[k++].detail, sizeof(h->detail), "qemu-bridge-helper");
		snprintf(h[k].title, sizeof(h[k].title), "bridge %s", n->bridge.br);
		link_counters(s, n->bridge.br, h[k].live, sizeof(h->live));
		snprintf(h[k++].detail, sizeof(h->detail), "set up beforehand");
		snprintf(h[k].title, sizeof(h[k].title), "outside");
		snprintf(h[k++].detail, sizeof(h->detail), "as the bridge is");
		break;
	default:
		break;
	}
	return k;
}

/* Draw one NIC's chain of boxes at @y; returns lines used. */
static int draw_chain(struct qnm_ui *ui, int y, const struct qnm_rect *r, const struct hop *h,
		      size_t n)
{
	int aw = ui->utf8 ? 3 : 4;
	int bw = n ? (r->w - 2 - (int)(n - 1) * aw) / (int)n : 0;
	size_t i;

	if (bw > 24)
		bw = 24;
	for (i = 0; i < n; i++) {
		int x = r->x + 1 + (int)i * (bw + aw);
		struct qnm_rect b = { y, x, 5, bw };

		if (y < r->y || y + 5 > r->y + r->h)
			return 5;
		qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
		qnm_box(ui, stdscr, &b, NULL);
		qnm_set_role(ui, stdscr, i == 0 ? QNM_ROLE_ACCENT : QNM_ROLE_NORMAL);
		qnm_put(stdscr, y + 1, x + 1, bw - 2, h[i].title);
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_put(stdscr, y + 2, x + 1, bw - 2, h[i].detail);
		qnm_set_role(ui, stdscr, QNM_ROLE_GRAPH_RX);
		qnm_put(stdscr, y + 3, x + 1, bw - 2, h[i].live);
		if (i + 1 < n) {
			qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
			qnm_putf(stdscr, y + 1, x + bw, aw, "%s%s", ui->g->hline, ui->g->arrow);
		}
	}
	return 5;
}

static struct qnm_vm *current_vm(struct qnm_ui *ui, struct modes_st *s)
{
	struct qnm_vm *vm = s->name[0] ? qnm_model_find_vm(&ui->ctx->model, s->name) : NULL;

	if (!vm && ui->ctx->model.nvms)
		vm = ui->ctx->model.vms[0];
	return vm;
}

static void modes_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct modes_st *s = st;
	struct qnm_vm *vm = current_vm(ui, s);
	bool used[QNM_BACKEND__COUNT] = { false };
	struct qnm_rect t;
	int y = r->y - s->top;
	size_t i, k;

	s->page = r->h;
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	if (y >= r->y)
		qnm_putf(stdscr, y, r->x + 1, r->w - 2, "Topology of %s",
			 vm ? vm->name : "(no VM: create one on the VMs screen)");
	y++;
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	if (y >= r->y)
		qnm_put(stdscr, y, r->x + 1, r->w - 2,
			"Live counters: slirp NICs (guest sent/got, rates out/in), TAPs and bridges (host links).");
	y++;
	for (i = 0; vm && i < vm->nnics; i++) {
		struct hop h[8];
		size_t n = nic_hops(ui, s, vm, i, h);

		used[vm->nics[i].backend] = true;
		y += draw_chain(ui, y, r, h, n);
	}
	if (vm && !vm->nnics) {
		qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
		if (y >= r->y)
			qnm_put(stdscr, y, r->x + 1, r->w - 2,
				"This VM has no network card: edit it (VMs screen, e) and press F4.");
		y++;
	}
	y++;
	/* the modes in use first, then the alternatives */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < QNM_BACKEND__COUNT; i++) {
			int n;

			if (used[i] != (k == 0))
				continue;
			qnm_set_role(ui, stdscr, k == 0 ? QNM_ROLE_HEADER : QNM_ROLE_ACCENT);
			if (y >= r->y && y < r->y + r->h)
				qnm_putf(stdscr, y, r->x + 1, r->w - 2, "%s%s",
					 k == 0 ? "In use: " : "Alternative: ", modes[i].title);
			y++;
			qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
			t = (struct qnm_rect){ y, r->x + 3, 0, r->w - 5 };
			n = qnm_wrap(NULL, &t, 0, modes[i].text);
			if (y >= r->y) {
				t.h = r->y + r->h - y;
				if (t.h > 0)
					qnm_wrap(stdscr, &t, 0, modes[i].text);
			} else if (y + n > r->y) {
				t.y = r->y;
				t.h = r->h;
				qnm_wrap(stdscr, &t, r->y - y, modes[i].text);
			}
			y += n + 1;
		}
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static unsigned modes_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct modes_st *s = st;
	struct qnm_vm *vm;
	size_t i;

	switch (act) {
	case QNM_ACT_UP:
		if (s->top > 0)
			s->top--;
		break;
	case QNM_ACT_DOWN:
		s->top++;
		break;
	case QNM_ACT_PAGE_UP:
		s->top = s->top > s->page ? s->top - s->page : 0;
		break;
	case QNM_ACT_PAGE_DOWN:
		s->top += s->page;
		break;
	case QNM_ACT_HOME:
		s->top = 0;
		break;
	case QNM_ACT_NEXT_CHOICE:
		vm = current_vm(ui, s);
		for (i = 0; vm && i < ui->ctx->model.nvms; i++)
			if (ui->ctx->model.vms[i] == vm)
				break;
		if (ui->ctx->model.nvms)
			qnm_strlcpy(s->name,
				    ui->ctx->model.vms[(i + 1) % ui->ctx->model.nvms]->name,
				    sizeof(s->name));
		s->top = 0;
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_modes = {
	.id = QNM_SCR_MODES,
	.init = modes_init,
	.free = modes_free,
	.draw = modes_draw,
	.key = modes_key,
	.tick = modes_tick,
};
