// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-networks.c - qnm's networks (bridge, mode, address, DHCP,
 * forwards); new, edit, delete. The host's own bridges and bringing a
 * network up or down need the host-networking engine (src/links.h,
 * src/netctl.h), not in this build yet: the screen says so.
 */
#include "build-config.h"

#include "config.h"
#include "uipriv.h"

#include <stdlib.h>
#include <string.h>

struct networks {
	struct qnm_list list;
	size_t *idx;
	int page;
};

static void *networks_init(struct qnm_ui *ui, void *arg)
{
	return xcalloc(1, sizeof(struct networks));
}

static void networks_free(void *st)
{
	struct networks *s = st;

	free(s->idx);
	free(s);
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

	s->page = r->h - 5;
	refilter(ui, s);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	qnm_putf(stdscr, r->y, r->x, r->w, " %-14s %-10s %-9s %-18s %-12s %-6s %s", "NAME",
		 "BRIDGE", "MODE", "ADDRESS", "UPLINK/PORT", "DHCP", "FWDS");
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
		qnm_putf(stdscr, y + i, r->x, r->w, " %-14s %-10s %-9s %-18s %-12s %-6s %zu",
			 n->name, n->bridge, qnm_net_mode_name(n->mode), addr,
			 n->mode == QNM_NET_NAT	   ? (n->uplink[0] ? n->uplink : "(default)")
			 : n->mode == QNM_NET_BRIDGED ? n->port
						       : "-",
			 n->dhcp_start[0] ? "yes" : "no", n->nfwd);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_put(stdscr, r->y + r->h - 3, r->x + 1, r->w - 2,
		"Host bridges, ports and up/down state need the host-networking engine (libnl),");
	qnm_put(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
		"which is not in this build yet. Creating/changing host links needs CAP_NET_ADMIN.");
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
				if (vm->nics[j].backend == QNM_BACKEND_TAP &&
				    strcmp(vm->nics[j].tap.network, name) == 0) {
					qnm_ui_log(ui, QNM_MSG_ERROR,
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
		qnm_ui_log(ui, QNM_MSG_WARN,
			   "up/down: the host-networking engine is not part of this build yet");
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
};
