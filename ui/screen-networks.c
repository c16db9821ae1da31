// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-networks.c - qnm's networks (bridge, mode, address, DHCP,
 * forwards) with their state on this host; new, edit, delete; bring up or
 * down in the background (src/netctl.h; needs CAP_NET_ADMIN); and the
 * host's other bridges with their ports (src/links.h).
 */
#include "build-config.h"

#include "core/backend.h"
#include "core/config.h"
#include "host/links.h"
#include "host/netctl.h"
#include "uipriv.h"

#include <stdlib.h>
#include <string.h>

/**
 * struct networks - state of the Networks screen.
 * @nc:     ownership records and netlink, for "is it up" (reopened after
 *          each up/down job); @nc_ok when it could be opened.
 * @links:  the host's links, for its other bridges and their ports.
 * @busy:   an up/down job is running.
 */
struct networks {
	struct qnm_list list;
	size_t *idx;
	int page;
	struct qnm_netctl nc;
	bool nc_ok;
	struct qnm_links *links;
	bool busy;
};

static void reopen(struct qnm_ui *ui, struct networks *s)
{
	if (s->nc_ok)
		qnm_netctl_close(&s->nc);
	s->nc_ok = qnm_netctl_open(&s->nc, ui->ctx->paths.runtime_dir, NULL) == 0;
}

static void *networks_init(struct qnm_ui *ui, void *arg)
{
	struct networks *s = xcalloc(1, sizeof(struct networks));

	reopen(ui, s);
	if (qnm_links_new(false, &s->links, NULL))
		s->links = NULL;
	return s;
}

static void networks_free(void *st)
{
	struct networks *s = st;

	if (s->nc_ok)
		qnm_netctl_close(&s->nc);
	qnm_links_free(s->links);
	free(s->idx);
	free(s);
}

static bool networks_tick(struct qnm_ui *ui, void *st)
{
	struct networks *s = st;

	if (s->links)
		qnm_links_refill(s->links, NULL);
	return true;
}

/* The host's bridges that are not qnm networks', with their ports. */
static void draw_host_bridges(struct qnm_ui *ui, struct networks *s, int y, int x, int w, int h)
{
	size_t i, j;
	int line = 0;

	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_put(stdscr, y, x + 1, w - 2, "Host bridges (not qnm networks) and their ports");
	if (!s->links) {
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_put(stdscr, y + 1, x + 2, w - 3, "cannot read the host's links");
		return;
	}
	for (i = 0; i < s->links->n && line < h - 1; i++) {
		const struct qnm_link_info *li = &s->links->v[i];
		struct qnm_strbuf ports;

		if (strcmp(li->type, "bridge") != 0)
			continue;
		for (j = 0; j < ui->ctx->model.nnets; j++)
			if (strcmp(ui->ctx->model.nets[j]->bridge, li->name) == 0)
				break;
		if (j < ui->ctx->model.nnets)
			continue;
		qnm_sb_init(&ports);
		for (j = 0; j < s->links->n; j++)
			if (s->links->v[j].master == li->ifindex)
				qnm_sb_addf(&ports, "%s%s", ports.len ? ", " : "",
					    s->links->v[j].name);
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_putf(stdscr, y + 1 + line, x + 2, w - 3, "%-15s %-4s %s%s", li->name,
			 li->up ? "up" : "down", ports.len ? "ports: " : "no ports", ports.s);
		qnm_sb_free(&ports);
		line++;
	}
	if (!line) {
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_put(stdscr, y + 1, x + 2, w - 3, "none");
	}
}

static void refilter(struct qnm_ui *ui, struct networks *s)
{
	const struct qnm_model *m = &ui->ctx->model;
	size_t i;

	free(s->idx);
	s->idx = xcalloc(m->nnets + 1, sizeof(*s->idx));
	s->list.n = 0;
	for (i = 0; i < m->nnets; i++)
		if (qnm_list_match(&s->list, m->nets[i]->name) ||
		    qnm_list_match(&s->list, m->nets[i]->bridge))
			s->idx[s->list.n++] = i;
	qnm_list_fix(&s->list, s->page);
}

static struct qnm_network *selected(struct qnm_ui *ui, struct networks *s)
{
	if (s->list.n <= 0 || s->list.sel >= s->list.n)
		return NULL;
	return ui->ctx->model.nets[s->idx[s->list.sel]];
}

static void networks_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct networks *s = st;
	const struct qnm_model *m = &ui->ctx->model;
	int y = r->y + 1, i;

	s->page = r->h - 10;
	refilter(ui, s);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	qnm_putf(stdscr, r->y, r->x, r->w, " %-12s %-5s %-10s %-8s %-18s %-12s %-4s %s", "NAME",
		 "STATE", "BRIDGE", "MODE", "ADDRESS", "UPLINK/PORT", "DHCP", "FWDS");
	if (!m->nnets) {
		struct qnm_rect t = { y + 1, r->x + 2, 4, r->w - 4 };

		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_wrap(stdscr, &t, 0,
			 "No qnm networks. Guests on user-mode networking need none. Press n to "
			 "define a bridge network (NAT, bridged or isolated) for TAP NICs.");
	}
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		const struct qnm_network *n = m->nets[s->idx[s->list.top + i]];
		bool sel = s->list.top + i == s->list.sel;
		char addr[40];

		snprintf(addr, sizeof(addr), "%s/%u", n->address[0] ? n->address : "-", n->prefix);
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		qnm_putf(stdscr, y + i, r->x, r->w, " %-12s %-5s %-10s %-8s %-18s %-12s %-4s %zu",
			 n->name,
			 s->busy			  ? "busy"
			 : !s->nc_ok			  ? "?"
			 : qnm_net_is_up(&s->nc, n->name) ? "up"
							  : "down",
			 n->bridge, qnm_net_mode_name(n->mode), addr,
			 n->mode == QNM_NET_NAT	      ? (n->uplink[0] ? n->uplink : "(default)")
			 : n->mode == QNM_NET_BRIDGED ? n->port
						      : "-",
			 n->dhcp_start[0] ? "yes" : "no", n->nfwd);
	}
	draw_host_bridges(ui, s, r->y + r->h - 8, r->x, r->w, 5);
	qnm_set_role(ui, stdscr, qnm_have_cap_net_admin() ? QNM_ROLE_DIM : QNM_ROLE_WARNING);
	qnm_put(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
		qnm_have_cap_net_admin()
			? "u brings the selected network up or down (host bridge, address, NAT, DHCP)."
			: "Up/down changes host networking: it needs CAP_NET_ADMIN (run qnm as root). Editing works.");
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static void delete_answer(struct qnm_ui *ui, void *data, bool yes)
{
	char *name = data;
	struct qnm_err err;
	size_t i, j;

	if (yes) {
		for (i = 0; i < ui->ctx->model.nvms; i++) {
			const struct qnm_vm *vm = ui->ctx->model.vms[i];

			for (j = 0; j < vm->nnics; j++) {
				const char *net = qnm_nic_network(&vm->nics[j]);

				if (net && strcmp(net, name) == 0) {
					qnm_ui_log(
						ui, QNM_MSG_ERROR,
						"network %s is used by VM %s NIC %s: change that NIC first",
						name, vm->name, vm->nics[j].id);
					free(name);
					return;
				}
			}
		}
		qnm_err_clear(&err);
		if (qnm_config_delete_network(&ui->ctx->paths, name, &err)) {
			qnm_ui_log(ui, QNM_MSG_ERROR, "delete network %s: %s", name, err.msg);
		} else {
			qnm_network_free(qnm_model_remove_net(&ui->ctx->model, name));
			qnm_ui_log(ui, QNM_MSG_OK, "network %s deleted", name);
		}
	}
	free(name);
}

/**
 * struct updown_job - a network going up or down in the background.
 * @m:       copies of all networks (the engine needs the others too).
 * @name:    the network.
 * @up:      up (else down).
 * @opts:    what the user confirmed.
 * @rtdir:   qnm's runtime dir.
 * @notes:   what the engine had to say.
 * @s:       the screen, told when done (NULL when it was closed).
 */
struct updown_job {
	struct qnm_model m;
	char name[QNM_NAME_MAX + 1];
	bool up;
	struct qnm_net_up_opts opts;
	char *rtdir;
	struct qnm_strv notes;
};

static int updown_work(void *data, struct qnm_err *err)
{
	struct updown_job *j = data;
	struct qnm_netctl nc;
	int r;

	r = qnm_netctl_open(&nc, j->rtdir, err);
	if (r)
		return r;
	if (j->up)
		r = qnm_net_up(&nc, &j->m, qnm_model_find_net(&j->m, j->name), &j->opts, &j->notes,
			       err);
	else
		r = qnm_net_down(&nc, &j->m, j->name, &j->notes, err);
	qnm_netctl_close(&nc);
	return r;
}

static void updown_done(struct qnm_ui *ui, void *data, int r, const struct qnm_err *err)
{
	struct updown_job *j = data;
	struct networks *s = qnm_ui_find(ui, &qnm_screen_networks);
	size_t i;

	for (i = 0; i < j->notes.n; i++)
		qnm_ui_log(ui, QNM_MSG_INFO, "%s: %s", j->name, j->notes.v[i]);
	if (r)
		qnm_ui_log(ui, QNM_MSG_ERROR, "network %s %s: %s", j->name, j->up ? "up" : "down",
			   err->msg);
	else
		qnm_ui_log(ui, QNM_MSG_OK, "network %s is %s", j->name, j->up ? "up" : "down");
	if (s) {
		s->busy = false;
		reopen(ui, s);
		if (s->links)
			qnm_links_invalidate(s->links);
	}
	qnm_model_clear(&j->m);
	qnm_strv_free(&j->notes);
	free(j->rtdir);
	free(j);
}

void qnm_ui_net_updown(struct qnm_ui *ui, const char *name, bool up, bool confirm_port)
{
	struct networks *s = qnm_ui_find(ui, &qnm_screen_networks);
	struct updown_job *j = xcalloc(1, sizeof(*j));
	size_t i;

	qnm_model_init(&j->m);
	for (i = 0; i < ui->ctx->model.nnets; i++)
		qnm_model_add_net(&j->m, qnm_network_copy(ui->ctx->model.nets[i]));
	qnm_strlcpy(j->name, name, sizeof(j->name));
	j->up = up;
	j->opts.confirm_port = confirm_port;
	j->rtdir = xstrdup(ui->ctx->paths.runtime_dir);
	qnm_strv_init(&j->notes);
	if (qnm_ui_job(ui, updown_work, updown_done, j)) {
		qnm_model_clear(&j->m);
		free(j->rtdir);
		free(j);
		return;
	}
	if (s)
		s->busy = true;
	qnm_ui_log(ui, QNM_MSG_INFO, "bringing network %s %s ...", name, up ? "up" : "down");
}

static void port_answer(struct qnm_ui *ui, void *data, bool yes)
{
	char *name = data;

	if (yes)
		qnm_ui_net_updown(ui, name, true, true);
	free(name);
}

static void updown(struct qnm_ui *ui, struct networks *s, struct qnm_network *n)
{
	bool up = !(s->nc_ok && qnm_net_is_up(&s->nc, n->name));
	char q[600];

	if (s->busy) {
		qnm_ui_log(ui, QNM_MSG_WARN, "a network is being changed already; wait for it");
		return;
	}
	if (!qnm_have_cap_net_admin()) {
		qnm_ui_log(
			ui, QNM_MSG_ERROR,
			"network %s: bringing it %s needs CAP_NET_ADMIN (run qnm as root): it changes host networking (bridges, addresses, nftables)",
			n->name, up ? "up" : "down");
		return;
	}
	if (up && n->mode == QNM_NET_BRIDGED && n->port[0]) {
		snprintf(
			q, sizeof(q),
			"Network %s enslaves the physical NIC %s to bridge %s. %s then stops "
			"carrying the host's own address: traffic (an SSH session too) over it drops "
			"until the address is moved to the bridge. Go ahead?",
			n->name, n->port, n->bridge, n->port);
		qnm_confirm(ui, "Enslave a physical NIC", q, port_answer, xstrdup(n->name));
		return;
	}
	qnm_ui_net_updown(ui, n->name, up, false);
}

static unsigned networks_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct networks *s = st;
	struct qnm_network *n;
	char q[256];
	unsigned r;

	/* keys may come before the first draw: the rows must exist */
	refilter(ui, s);
	r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		return r;
	n = selected(ui, s);
	switch (act) {
	case QNM_ACT_NEW:
		qnm_ui_push(ui, &qnm_screen_netform, NULL);
		break;
	case QNM_ACT_EDIT:
		if (n)
			qnm_ui_push(ui, &qnm_screen_netform, n->name);
		break;
	case QNM_ACT_DELETE:
		if (!n)
			break;
		snprintf(q, sizeof(q), "Delete network '%s'? Its configuration file is removed.",
			 n->name);
		qnm_confirm(ui, "Delete network", q, delete_answer, xstrdup(n->name));
		break;
	case QNM_ACT_UPDOWN:
		if (n)
			updown(ui, s, n);
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_networks = {
	.id = QNM_SCR_NETWORKS,
	.init = networks_init,
	.free = networks_free,
	.draw = networks_draw,
	.key = networks_key,
	.tick = networks_tick,
};
