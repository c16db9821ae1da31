// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-networks.c - qnm's networks (bridge, mode, address, DHCP,
 * forwards) with their state on this host; new, edit, delete; bring up or
 * down in the background (api/net.h; needs CAP_NET_ADMIN); and the
 * host's other bridges with their ports. Below this host's networks, each
 * registered host's (remotes.h), under a line naming it, greyed when it
 * does not answer (shown, not selected: qnm -H HOST net ... changes them).
 */
#include "build-config.h"

#include "api/ctx.h"
#include "api/net.h"
#include "api/netguard.h"
#include "core/backend.h"
#include "guests.h"
#include "remotes.h"
#include "uipriv.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/**
 * struct networks - state of the Networks screen.
 * @view:   the networks' state on this host: which are up (read again after
 *          each up/down job) and the host's links, for its other bridges
 *          and their ports (refilled at each tick).
 * @busy:   an up/down job is running.
 * @host:   the selected bridged network: its port, where the host's address
 *          lives, its guard (refreshed at each tick), "" for other modes.
 * @watch:  a network whose guard waits for confirmation: its outcome goes
 *          to Messages once known; "" when none.
 */
struct networks {
	struct qnm_list list;
	size_t *idx;
	int page;
	struct qnm_api_net_view *view;
	bool busy;
	char host[256];
	char watch[QNM_NAME_MAX + 1];
	char asked[QNM_NAME_MAX + 1]; /* the network u's question is about */
};

static void *networks_init(struct qnm_ui *ui, void *arg)
{
	struct networks *s = xcalloc(1, sizeof(struct networks));

	s->view = qnm_api_net_view_new(ui->ctx);
	return s;
}

static void networks_free(void *st)
{
	struct networks *s = st;

	qnm_api_net_view_free(s->view);
	free(s->idx);
	free(s);
}

static void host_line(struct qnm_ui *ui, struct networks *s);
static void guard_watch(struct qnm_ui *ui, struct networks *s);

static bool networks_tick(struct qnm_ui *ui, void *st)
{
	struct networks *s = st;

	qnm_api_net_view_refill(s->view);
	host_line(ui, s);
	guard_watch(ui, s);
	return true;
}

/* The host's bridges that are not qnm networks', with their ports. */
static void draw_host_bridges(struct qnm_ui *ui, struct networks *s, int y, int x, int w, int h)
{
	const struct qnm_links *links = qnm_api_net_view_links(s->view);
	size_t i, j;
	int line = 0;

	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_put(stdscr, y, x + 1, w - 2, "Host bridges (not qnm networks) and their ports");
	if (!links) {
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_put(stdscr, y + 1, x + 2, w - 3, "cannot read the host's links");
		return;
	}
	for (i = 0; i < links->n && line < h - 1; i++) {
		const struct qnm_link_info *li = &links->v[i];
		struct qnm_strbuf ports;

		if (strcmp(li->type, "bridge") != 0)
			continue;
		for (j = 0; j < ui->ctx->model.nnets; j++)
			if (strcmp(ui->ctx->model.nets[j]->bridge, li->name) == 0)
				break;
		if (j < ui->ctx->model.nnets)
			continue;
		qnm_sb_init(&ports);
		for (j = 0; j < links->n; j++)
			if (links->v[j].master == li->ifindex)
				qnm_sb_addf(&ports, "%s%s", ports.len ? ", " : "",
					    links->v[j].name);
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

/* the selected bridged network: port, where the host's address lives, the guard */
static void host_line(struct qnm_ui *ui, struct networks *s)
{
	const struct qnm_network *n = selected(ui, s);
	struct qnm_api_net_guard g;
	struct qnm_api_net_port p;
	char guard[96] = "";

	s->host[0] = '\0';
	if (!n || n->mode != QNM_NET_BRIDGED || qnm_api_net_port(ui->ctx, n->name, &p, NULL) < 0)
		return;
	if (qnm_api_net_guard_get(ui->ctx, n->name, &g) == 0 && strcmp(g.state, "armed") == 0)
		snprintf(guard, sizeof(guard), "; reverting (net %s) in %lld s unless kept", g.undo,
			 g.remaining);
	snprintf(s->host, sizeof(s->host), "%s: port %s %s%s; host address %s on %s%s", n->name,
		 p.port, p.master[0] ? "in " : "in no bridge", p.master,
		 p.address[0] ? p.address : "(none)", p.where[0] ? p.where : "no link", guard);
}

/* a guard's outcome (kept, rolled back and why) into Messages, once */
static void guard_watch(struct qnm_ui *ui, struct networks *s)
{
	struct qnm_api_net_guard g;

	if (!s->watch[0] || qnm_api_net_guard_get(ui->ctx, s->watch, &g) < 0)
		return;
	if (strcmp(g.state, "armed") == 0 || strcmp(g.state, "rolling-back") == 0)
		return;
	qnm_ui_log(ui,
		   strcmp(g.state, "kept") == 0		 ? QNM_MSG_OK
		   : strcmp(g.state, "rolled-back") == 0 ? QNM_MSG_WARN
							 : QNM_MSG_ERROR,
		   "network %s: %s: %s", s->watch, g.state, g.reason);
	s->watch[0] = '\0';
	qnm_api_net_view_reload(s->view);
}

/*
 * The registered hosts' networks from line @y on, @room lines at most:
 * each host's line (how it answers), then its networks. Return: lines used.
 */
static int draw_remote_nets(struct qnm_ui *ui, int y, int room, const struct qnm_rect *r)
{
	int line = 0;
	size_t i, j;

	for (i = 0; ui->remotes && i < ui->remotes->n && line < room; i++) {
		const struct qnm_rhost *h = ui->remotes->v[i];
		size_t n = h->nets ? json_object_array_length(h->nets) : 0;
		char say[700];

		if (h->gone)
			continue;
		if (h->up)
			snprintf(say, sizeof(say), " %s %s: %zu network(s) ", h->name, h->dest, n);
		else if (h->down_since)
			snprintf(say, sizeof(say), " %s %s: UNREACHABLE since %lld s ", h->name,
				 h->dest, (long long)((qnm_mono_ms_int() - h->down_since) / 1000));
		else
			snprintf(say, sizeof(say), " %s %s: asking... ", h->name, h->dest);
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_hline(ui, stdscr, y + line, r->x, r->w);
		qnm_set_role(ui, stdscr,
			     h->up	     ? QNM_ROLE_ACCENT
			     : h->down_since ? QNM_ROLE_ERROR
					     : QNM_ROLE_DIM);
		qnm_put_cut(stdscr, y + line++, r->x + 2, r->w - 4, say);
		for (j = 0; j < n && line < room; j++) {
			json_object *o = json_object_array_get_idx(h->nets, j), *up = NULL;
			char addr[64];

			json_object_object_get_ex(o, "up", &up);
			snprintf(addr, sizeof(addr), "%s/%.0f",
				 *qnm_remote_str(o, "address") ? qnm_remote_str(o, "address") : "-",
				 qnm_remote_num(o, "prefix"));
			qnm_set_role(ui, stdscr, h->up ? QNM_ROLE_NORMAL : QNM_ROLE_DIM);
			qnm_putf(stdscr, y + line++, r->x, r->w, " %-12s %-5s %-10s %-8s %-18s",
				 qnm_remote_str(o, "name"),
				 json_object_get_boolean(up) ? "up" : "down",
				 qnm_remote_str(o, "bridge"), qnm_remote_str(o, "mode"), addr);
		}
	}
	return line;
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
	qnm_putf(stdscr, r->y, r->x, r->w, " %-12s %-5s %-10s %-8s %-18s %-12s %-4s %s",
		 "NAME (*auto)", "STATE", "BRIDGE", "MODE", "ADDRESS", "UPLINK/PORT", "DHCP",
		 "FWDS");
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
		/* '*': "qnm autostart" brings it up at host boot (the header says so) */
		qnm_putf(stdscr, y + i, r->x, r->w, "%c%-12s %-5s %-10s %-8s %-18s %-12s %-4s %zu",
			 n->autostart ? '*' : ' ', n->name,
			 s->busy					  ? "busy"
			 : !qnm_api_net_view_known(s->view)		  ? "?"
			 : qnm_api_net_view_is_up(s->view, n->name)	  ? "up"
			 : qnm_api_net_view_interrupted(s->view, n->name) ? "half"
									  : "down",
			 n->bridge, qnm_net_mode_name(n->mode), addr,
			 n->mode == QNM_NET_NAT	      ? (n->uplink[0] ? n->uplink : "(default)")
			 : n->mode == QNM_NET_BRIDGED ? n->port
						      : "-",
			 n->dhcp_start[0] ? "yes" : "no", n->nfwd);
	}
	if (!m->nnets)
		i = 4; /* under the hint */
	draw_remote_nets(ui, y + i, s->page - i, r);
	draw_host_bridges(ui, s, r->y + r->h - 8, r->x, r->w, 5);
	if (s->host[0]) {
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_put(stdscr, r->y + r->h - 3, r->x + 1, r->w - 2, s->host);
	}
	qnm_set_role(ui, stdscr,
		     qnm_api_net_have_cap_net_admin() ? QNM_ROLE_DIM : QNM_ROLE_WARNING);
	qnm_put(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
		qnm_api_net_have_cap_net_admin()
			? "u brings the selected network up or down (host bridge, address, NAT, DHCP)."
			: "Up/down changes host networking: it needs CAP_NET_ADMIN (run qnm as root). Editing works.");
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static void delete_answer(struct qnm_ui *ui, void *data, bool yes)
{
	char *name = data;
	struct qnm_err err;
	int r;

	if (yes) {
		qnm_err_clear(&err);
		r = qnm_api_net_delete(ui->ctx, name, &err);
		if (r == -EBUSY) /* up, or used by a NIC: the message says what to do */
			qnm_ui_log(ui, QNM_MSG_ERROR, "%s", err.msg);
		else if (r)
			qnm_ui_log(ui, QNM_MSG_ERROR, "delete network %s: %s", name, err.msg);
		else
			qnm_ui_log(ui, QNM_MSG_OK, "network %s deleted", name);
	}
	free(name);
}

/**
 * struct updown_job - a network going up or down in the background.
 * @ctx:     a copy of the context (the engine needs the other networks too).
 * @name:    the network.
 * @up:      up (else down).
 * @opts:    what the user confirmed.
 * @notes:   what the engine had to say.
 */
struct updown_job {
	struct qnm_ctx *ctx;
	char name[QNM_NAME_MAX + 1];
	bool up;
	struct qnm_api_net_up_opts opts;
	struct qnm_strv notes;
};

static int updown_work(void *data, struct qnm_err *err)
{
	struct updown_job *j = data;

	if (j->up)
		return qnm_api_net_up(j->ctx, j->name, &j->opts, &j->notes, err);
	return qnm_api_net_down_guarded(j->ctx, j->name, NULL, &j->notes, err);
}

static void updown_job_free(struct updown_job *j)
{
	qnm_api_ctx_free(j->ctx);
	qnm_strv_free(&j->notes);
	free(j);
}

static void keep_answer(struct qnm_ui *ui, void *data, bool keep)
{
	char *name = data;
	struct qnm_err err;

	qnm_err_clear(&err);
	if (keep && qnm_api_net_confirm(ui->ctx, name, &err) < 0)
		qnm_ui_log(ui, QNM_MSG_ERROR, "network %s: %s", name, err.msg);
	else if (!keep)
		qnm_ui_log(ui, QNM_MSG_WARN,
			   "network %s: not kept: the change reverts at its deadline", name);
	free(name);
}

/* a change that waits for confirmation: the dialog, and its outcome into Messages */
static void ask_keep(struct qnm_ui *ui, struct networks *s, const char *name, bool up)
{
	struct qnm_api_net_guard g;
	char text[256];

	if (qnm_api_net_guard_get(ui->ctx, name, &g) < 0 || strcmp(g.state, "armed") != 0)
		return;
	if (s)
		qnm_strlcpy(s->watch, name, sizeof(s->watch));
	snprintf(text, sizeof(text),
		 "Network %s is %s: the host's addresses and routes moved %s. If this session "
		 "still works, keep the change; otherwise it is undone by itself.",
		 name, up ? "up" : "down", up ? "to its bridge" : "back to its port");
	qnm_keep_or_revert(ui, "Keep these network settings?", text, (time_t)g.deadline,
			   keep_answer, xstrdup(name));
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
		qnm_api_net_view_reload(s->view);
	}
	if (!r)
		ask_keep(ui, s, j->name, j->up);
	updown_job_free(j);
}

/*
 * Bring network @name up (again: re-applies its firewall rules and
 * forwards) or down in the background; @confirm_port: the user agreed to
 * enslave a bridged network's port.
 */
static void net_updown(struct qnm_ui *ui, const char *name, bool up, bool confirm_port)
{
	struct networks *s = qnm_ui_find(ui, &qnm_screen_networks);
	struct updown_job *j = xcalloc(1, sizeof(*j));

	j->ctx = qnm_api_ctx_copy(ui->ctx);
	qnm_strlcpy(j->name, name, sizeof(j->name));
	j->up = up;
	j->opts.confirm_port = confirm_port;
	qnm_strv_init(&j->notes);
	if (qnm_ui_job(ui, updown_work, updown_done, j)) {
		updown_job_free(j);
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
		net_updown(ui, name, true, true);
	free(name);
}

/* the answer to u's question: @data is the screen, asked[] the network */
static void down_answer(struct qnm_ui *ui, void *data, bool yes)
{
	struct networks *s = data;

	if (yes)
		net_updown(ui, s->asked, false, false);
}

/* The running guests with a NIC (as it runs) on network @net, "a, b", into @buf; how many. */
static size_t guests_on(struct qnm_ui *ui, const char *net, char *buf, size_t size)
{
	const struct qnm_model *m = &ui->ctx->model;
	size_t i, k, n = 0, len = 0;

	buf[0] = '\0';
	for (i = 0; i < m->nvms; i++) {
		const struct qnm_vm *vm = qnm_guest_shown(ui, m->vms[i]);

		if (qnm_guest_find(ui, vm->name)->info.status != QNM_RUN_RUNNING)
			continue;
		for (k = 0; k < vm->nnics; k++) {
			const char *on = qnm_nic_network(&vm->nics[k]);

			if (on && strcmp(on, net) == 0)
				break;
		}
		if (k == vm->nnics)
			continue;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", n ? ", " : "",
						vm->name);
		n++;
	}
	return n;
}

static void updown(struct qnm_ui *ui, struct networks *s, struct qnm_network *n)
{
	bool up = !qnm_api_net_view_is_up(s->view, n->name);
	char q[600];

	if (s->busy) {
		qnm_ui_log(ui, QNM_MSG_WARN, "a network is being changed already; wait for it");
		return;
	}
	if (!qnm_api_net_have_cap_net_admin()) {
		qnm_ui_log(
			ui, QNM_MSG_ERROR,
			"network %s: bringing it %s needs CAP_NET_ADMIN (run qnm as root): it changes host networking (bridges, addresses, nftables)",
			n->name, up ? "up" : "down");
		return;
	}
	if (up && n->mode == QNM_NET_BRIDGED && n->port[0]) {
		snprintf(
			q, sizeof(q),
			"Network %s enslaves the physical NIC %s to bridge %s: the host's addresses "
			"and routes on %s move to %s. You then have %u s to keep the change; "
			"otherwise it is undone by itself. Go ahead?",
			n->name, n->port, n->bridge, n->port, n->bridge, qnm_api_net_guard_secs());
		qnm_confirm(ui, "Enslave a physical NIC", q, port_answer, xstrdup(n->name));
		return;
	}
	if (!up) {
		char who[300];
		size_t k = guests_on(ui, n->name, who, sizeof(who));

		if (k) {
			snprintf(q, sizeof(q),
				 "Take network %s down? %zu running guest%s on it (%s) %s "
				 "network until it is up again.",
				 n->name, k, k == 1 ? "" : "s", who,
				 k == 1 ? "loses its" : "lose their");
			qnm_strlcpy(s->asked, n->name, sizeof(s->asked));
			qnm_confirm(ui, "Network down", q, down_answer, s);
			return;
		}
	}
	net_updown(ui, n->name, up, false);
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
