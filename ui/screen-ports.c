// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-ports.c - Ports: every host port qnm forwards (hostfwd of user
 * NICs, forwards of slirp NICs, DNAT into networks, configured or live in
 * table inet qnm) with who holds it now, as "qnm ports" lists them
 * (src/watch/portowner.h: NETLINK_SOCK_DIAG and one scan of /proc), and whether
 * that is fine (free, or the VM's own QEMU / slirp helper) or a conflict.
 *
 * The table is built on the main loop, at each refresh tick and on r: it
 * costs one sock_diag dump, one nft read and, when a port is held, one scan
 * of /proc/PID/fd (0.5 ms without holders, ~9 ms with one on a host with ~100
 * processes and 750 fds; the time is shown). A host where it takes longer gets fewer
 * automatic refreshes, so they never take more than 2% of the time.
 */
#include "build-config.h"

#include "api/ports.h"
#include "fwdlist.h"
#include "uipriv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/**
 * struct ports - state of the Ports screen.
 * @t:     the last table.
 * @ms:    how long building it took.
 * @last:  when it was built (qnm_mono_ms()).
 * @order: indexes of @t.v shown (filtered), @list.n of them.
 * @list:  cursor, scrolling, filter.
 * @page:  list rows that fit.
 */
struct ports {
	struct qnm_port_table t;
	double ms;
	double last;
	size_t *order;
	struct qnm_list list;
	int page;
};

/** enum port_state - what the holder of a port means for its forward. */
enum port_state {
	PS_FREE,     /* nothing holds it */
	PS_FINE,     /* the forward's own VM (QEMU or slirp helper) */
	PS_CONFLICT, /* another process, or another VM */
	PS_UNKNOWN,  /* sockets could not be listed */
	PS_BLOCKED,  /* a live DNAT forward missing something it needs (e->blocked) */
};

static void rebuild(struct qnm_ui *ui, struct ports *s)
{
	double t0 = qnm_mono_ms();

	qnm_port_table_clear(&s->t);
	qnm_api_ports_table(ui->ctx, true, &s->t);
	s->last = qnm_mono_ms();
	s->ms = s->last - t0;
	free(s->order);
	s->order = xcalloc(s->t.n + 1, sizeof(*s->order));
}

static enum port_state state_of(const struct qnm_port_table *t, const struct qnm_port_entry *e)
{
	if (e->kind == QNM_PORT_DNAT && e->live && e->blocked[0])
		return PS_BLOCKED;
	if (t->socks_ret < 0)
		return PS_UNKNOWN;
	if (!e->holder.found)
		return PS_FREE;
	/* a DNAT port is not bound by anyone: whoever holds it never gets its traffic */
	if (e->kind != QNM_PORT_DNAT && e->holder_vm[0] && strcmp(e->holder_vm, e->vm) == 0)
		return PS_FINE;
	return PS_CONFLICT;
}

static const char *state_mark(enum port_state st)
{
	static const char *const marks[] = { "[free]", "[fine]", "[CONFLICT]", "[?]", "[BLOCKED]" };

	return marks[st];
}

static enum qnm_role state_role(enum port_state st)
{
	static const enum qnm_role roles[] = { QNM_ROLE_NORMAL, QNM_ROLE_OK, QNM_ROLE_ERROR,
					       QNM_ROLE_WARNING, QNM_ROLE_ERROR };

	return roles[st];
}

static void holder_text(const struct qnm_port_entry *e, char *buf, size_t size)
{
	if (e->holder_vm[0])
		snprintf(buf, size, "VM %s's %s (pid %d)", e->holder_vm, e->holder_what,
			 (int)e->holder.pid);
	else
		qnm_port_holder_text(&e->holder, buf, size);
}

static void host_text(const struct qnm_port_entry *e, char *buf, size_t size)
{
	qnm_fwd_host_text(&e->fwd, buf, size);
}

/* who can reach the host side: "all networks", "this host only", "ADDR's network",
 * or for a narrow column "all nets", "this host", "addr's net" */
static void reach_text(const struct qnm_port_entry *e, bool narrow, char *buf, size_t size)
{
	static const char *const narrow_words[] = {
		[QNM_REACH_ALL] = "all nets",
		[QNM_REACH_HOST] = "this host",
		[QNM_REACH_ADDR] = "addr's net",
	};

	if (narrow)
		qnm_strlcpy(buf, narrow_words[qnm_fwd_reach(&e->fwd)], size);
	else
		qnm_fwd_reach_text(&e->fwd, buf, size);
}

static void target_text(const struct qnm_port_entry *e, char *buf, size_t size)
{
	char ports[16], guest[112];

	qnm_ports_text(e->fwd.guest_port, e->fwd.span, ports, sizeof(ports));
	if (e->kind == QNM_PORT_DNAT)
		snprintf(buf, size, "%s %s", e->net[0] ? e->net : "(live)",
			 qnm_fwd_guest_text(&e->fwd, guest, sizeof(guest)));
	else
		snprintf(buf, size, "%s/%s :%s", e->vm, e->nic, ports);
}

static void apply_filter(struct ports *s)
{
	size_t i;

	s->list.n = 0;
	for (i = 0; i < s->t.n; i++) {
		const struct qnm_port_entry *e = &s->t.v[i];
		char host[80], target[160], who[160], reach[48];

		host_text(e, host, sizeof(host));
		target_text(e, target, sizeof(target));
		holder_text(e, who, sizeof(who));
		reach_text(e, false, reach, sizeof(reach));
		if (qnm_list_match(&s->list, host) || qnm_list_match(&s->list, target) ||
		    qnm_list_match(&s->list, e->fwd.desc) || qnm_list_match(&s->list, reach) ||
		    qnm_list_match(&s->list, who) ||
		    qnm_list_match(&s->list, state_mark(state_of(&s->t, e))) ||
		    qnm_list_match(&s->list, qnm_port_kind_name(e->kind)))
			s->order[s->list.n++] = i;
	}
	qnm_list_fix(&s->list, s->page);
}

static const struct qnm_port_entry *selected(const struct ports *s)
{
	if (s->list.sel < 0 || s->list.sel >= s->list.n)
		return NULL;
	return &s->t.v[s->order[s->list.sel]];
}

/* the selected forward in plain sentences: what it is, who holds it, what to do */
static char *detail_text(const struct qnm_port_table *t, const struct qnm_port_entry *e)
{
	enum port_state st = state_of(t, e);
	struct qnm_strbuf sb;
	char who[160], reach[48], hp[16], gp[16], guest[112];

	qnm_sb_init(&sb);
	/* first what stops it, so that the detail lines under the list show it */
	if (st == PS_BLOCKED)
		qnm_sb_addf(&sb, "BLOCKED: %s. ", e->blocked);
	/* then what it is for: the description, whole (at most 48 characters) */
	if (e->fwd.desc[0])
		qnm_sb_addf(&sb, "\"%s\": ", e->fwd.desc);
	reach_text(e, false, reach, sizeof(reach));
	qnm_ports_text(e->fwd.host_port, e->fwd.span, hp, sizeof(hp));
	qnm_ports_text(e->fwd.guest_port, e->fwd.span, gp, sizeof(gp));
	qnm_sb_addf(&sb, "%s port%s %s on %s (reachable from %s)", qnm_proto_name(e->fwd.proto),
		    e->fwd.span ? "s" : "", hp,
		    e->fwd.host_addr[0] ? e->fwd.host_addr : "every host address", reach);
	if (e->holder.found && e->fwd.span)
		qnm_sb_addf(&sb, "; port %u is held", (unsigned)e->holder.sock.port);
	if (e->kind == QNM_PORT_DNAT)
		qnm_sb_addf(&sb, " goes to %s in network %s (nftables DNAT, nothing binds it; %s).",
			    qnm_fwd_guest_text(&e->fwd, guest, sizeof(guest)),
			    e->net[0] ? e->net : "(not configured)",
			    e->live && !e->configured ? "in the live table only"
			    : e->live && e->blocked[0]
				    ? "the rule is in the table but cannot carry traffic"
			    : e->live ? "the rule is live"
			    : t->live_ret == 0 || t->live_ret == -ENOENT
				    ? "not applied: the network is down"
				    : "live rules unknown");
	else
		qnm_sb_addf(
			&sb,
			" goes to port %s of VM %s (NIC %s, %s: %s binds it while the VM runs).",
			gp, e->vm, e->nic, qnm_port_kind_name(e->kind),
			e->kind == QNM_PORT_SLIRP ? "qnm's slirp helper" : "QEMU");
	holder_text(e, who, sizeof(who));
	switch (st) {
	case PS_FREE:
		qnm_sb_add(
			&sb,
			e->kind == QNM_PORT_DNAT
				? " Free: no process on this host holds it."
				: " Free now: nothing holds it, so the VM can bind it when it starts.");
		break;
	case PS_FINE:
		qnm_sb_addf(&sb, " Held by %s: the forward is in place.", who);
		break;
	case PS_CONFLICT:
		if (e->kind == QNM_PORT_DNAT)
			qnm_sb_addf(
				&sb,
				" CONFLICT: %s holds it, but nftables sends the port's traffic "
				"to the guest, so it never sees any. Stop it or forward another "
				"port (Forwards screen, 3).",
				who);
		else
			qnm_sb_addf(
				&sb,
				" CONFLICT: %s holds it, so VM %s cannot %s (QEMU says only "
				"'Could not set up host forwarding rule'). Stop that process or "
				"choose another host port (Forwards screen, 3).",
				who, e->vm,
				e->holder_vm[0] ? "get it while the other VM runs" : "start");
		break;
	case PS_UNKNOWN:
		qnm_sb_addf(&sb, " Who holds it is unknown: %s", t->socks_err);
		break;
	case PS_BLOCKED:
		if (e->holder.found) {
			holder_text(e, who, sizeof(who));
			qnm_sb_addf(&sb, " %s also holds the port.", who);
		}
		break;
	}
	return qnm_sb_steal(&sb);
}

static void *ports_init(struct qnm_ui *ui, void *arg)
{
	struct ports *s = xcalloc(1, sizeof(*s));

	rebuild(ui, s);
	return s;
}

static void ports_free(void *st)
{
	struct ports *s = st;

	qnm_port_table_clear(&s->t);
	free(s->order);
	free(s);
}

static bool any_privileged(const struct qnm_port_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].fwd.host_port < t->unpriv_start)
			return true;
	return false;
}

/* notes under the list: privileged ports, tables that could not be read */
static int draw_notes(struct qnm_ui *ui, const struct ports *s, int y, const struct qnm_rect *r)
{
	struct qnm_strbuf sb;
	struct qnm_rect t = { y, r->x + 1, 3, r->w - 2 };
	int n;

	qnm_sb_init(&sb);
	if (any_privileged(&s->t))
		qnm_sb_addf(&sb,
			    "Ports below %lu are privileged: binding one needs root or "
			    "CAP_NET_BIND_SERVICE (qnm %s it), or a lower "
			    "net.ipv4.ip_unprivileged_port_start. DNAT ports need no bind. ",
			    s->t.unpriv_start, s->t.can_bind_low ? "has" : "does not have");
	if (s->t.live_ret < 0 && s->t.live_ret != -ENOENT)
		qnm_sb_addf(&sb, "Live DNAT rules not read: %s. ", s->t.live_err);
	if (s->t.socks_ret < 0)
		qnm_sb_addf(&sb, "Holders unknown: %s. ", s->t.socks_err);
	if (!sb.len) {
		qnm_sb_free(&sb);
		return 0;
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
	n = qnm_wrap(stdscr, &t, 0, sb.s);
	qnm_sb_free(&sb);
	return n < 3 ? n : 3;
}

/**
 * struct cols - the list's columns at one width: STATE, HOST PORT, REACH,
 * TO and VIA as wide as their widest entry (addresses and ports whole where
 * the width allows), HELD BY the rest; each at its x.
 */
struct cols {
	int sw, hw, rw, tw, vw, ww;
	int xs, xh, xr, xt, xv, xw;
};

static void layout(const struct ports *s, const struct qnm_rect *r, bool narrow, struct cols *c)
{
	char buf[160];
	int i, room;

	c->sw = 5, c->hw = 9, c->rw = narrow ? 10 : 14, c->tw = 2;
	c->vw = narrow ? 0 : 7;
	for (i = 0; i < s->list.n; i++) {
		const struct qnm_port_entry *e = &s->t.v[s->order[i]];
		int w;

		w = qnm_text_width(state_mark(state_of(&s->t, e)));
		c->sw = w > c->sw ? w : c->sw;
		host_text(e, buf, sizeof(buf));
		w = qnm_text_width(buf);
		c->hw = w > c->hw ? w : c->hw;
		reach_text(e, narrow, buf, sizeof(buf));
		w = qnm_text_width(buf);
		c->rw = w > c->rw ? w : c->rw;
		target_text(e, buf, sizeof(buf));
		w = qnm_text_width(buf);
		c->tw = w > c->tw ? w : c->tw;
	}
	/* HELD BY keeps 12 columns ("-", "QEMU (pid N)" and the start of a name) */
	room = r->w - 1 - (c->sw + 1) - (c->hw + 1) - (c->rw + 1) - (c->vw ? c->vw + 1 : 0) - 12;
	if (c->tw > room)
		c->tw = room > 8 ? room : 8; /* then TO is cut, with its mark */
	c->xs = r->x + 1;
	c->xh = c->xs + c->sw + 1;
	c->xr = c->xh + c->hw + 1;
	c->xt = c->xr + c->rw + 1;
	c->xv = c->xt + c->tw + 1;
	c->xw = c->xv + (c->vw ? c->vw + 1 : 0);
	c->ww = r->x + r->w - c->xw;
}

static void ports_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct ports *s = st;
	const struct qnm_port_entry *sel_e;
	int detail_h = r->w >= 120 ? 3 : 4, notes_h = 0, y = r->y + 2, i;
	/* narrow: "REACH FROM" in short words, and no VIA (the detail says it) */
	bool narrow = r->w < 100;
	struct qnm_rect d;
	struct cols c;
	char sum[96];

	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_put(stdscr, r->y, r->x + 1, r->w - 2,
		"Host ports forwarded to guests, and which process holds each one now.");
	/* notes first (their height shapes the list) */
	if (any_privileged(&s->t) || (s->t.live_ret < 0 && s->t.live_ret != -ENOENT) ||
	    s->t.socks_ret < 0)
		notes_h = 3;
	s->page = r->h - 4 - detail_h - notes_h;
	apply_filter(s);
	layout(s, r, narrow, &c);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y + 1, r->x, r->w);
	qnm_put(stdscr, r->y + 1, c.xs, c.sw, "STATE");
	qnm_put(stdscr, r->y + 1, c.xh, c.hw, "HOST PORT");
	qnm_put(stdscr, r->y + 1, c.xr, c.rw, narrow ? "REACH FROM" : "REACHABLE FROM");
	qnm_put(stdscr, r->y + 1, c.xt, c.tw, "TO");
	if (c.vw)
		qnm_put(stdscr, r->y + 1, c.xv, c.vw, "VIA");
	qnm_put(stdscr, r->y + 1, c.xw, c.ww, "HELD BY");
	if (!s->t.n) {
		struct qnm_rect t = { y + 1, r->x + 2, 3, r->w - 4 };

		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_wrap(stdscr, &t, 0,
			 "No forwarded host ports. Add one on the Forwards screen (3, then n): a "
			 "host port that leads to a guest's port.");
	} else if (!s->list.n) {
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_put(stdscr, y + 1, r->x + 2, r->w - 4, "No port matches the filter.");
	}
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		const struct qnm_port_entry *e = &s->t.v[s->order[s->list.top + i]];
		enum port_state ps = state_of(&s->t, e);
		bool sel = s->list.top + i == s->list.sel;
		char host[80], target[160], who[160], reach[48];

		host_text(e, host, sizeof(host));
		target_text(e, target, sizeof(target));
		reach_text(e, narrow, reach, sizeof(reach));
		if (!e->holder.found || s->t.socks_ret < 0)
			snprintf(who, sizeof(who), "%s", s->t.socks_ret < 0 ? "?" : "-");
		else
			holder_text(e, who, sizeof(who));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		if (!sel)
			qnm_set_role(ui, stdscr, state_role(ps));
		qnm_put(stdscr, y + i, c.xs, c.sw, state_mark(ps));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_put_cut(stdscr, y + i, c.xh, c.hw, host);
		qnm_put_cut(stdscr, y + i, c.xr, c.rw, reach);
		qnm_put_cut(stdscr, y + i, c.xt, c.tw, target);
		if (c.vw)
			qnm_put(stdscr, y + i, c.xv, c.vw, qnm_port_kind_name(e->kind));
		qnm_put_cut(stdscr, y + i, c.xw, c.ww, who);
	}
	if (notes_h)
		draw_notes(ui, s, r->y + r->h - detail_h - notes_h - 1, r);
	snprintf(sum, sizeof(sum), " %zu port(s), looked up in %.1f ms ", s->t.n, s->ms);
	qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
	qnm_hline(ui, stdscr, r->y + r->h - detail_h - 2 - notes_h, r->x, r->w);
	qnm_put(stdscr, r->y + r->h - detail_h - 2 - notes_h, r->x + 2, r->w - 4, sum);
	sel_e = selected(s);
	if (sel_e) {
		char *text = detail_text(&s->t, sel_e);

		d.y = r->y + r->h - detail_h - 1;
		d.x = r->x + 1;
		d.h = detail_h;
		d.w = r->w - 2;
		qnm_set_role(ui, stdscr, state_role(state_of(&s->t, sel_e)));
		qnm_wrap(stdscr, &d, 0, text);
		free(text);
	}
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static bool ports_tick(struct qnm_ui *ui, void *st)
{
	/* only the screen on top refreshes: under a dialog it waits */
	struct ports *s = st;

	if (ui->stack[ui->depth - 1].st != st)
		return false;
	/*
	 * ticks come faster while a job's spinner turns: once per refresh
	 * interval, and at most 2% of the time when a lookup is slow
	 */
	if (qnm_mono_ms() - s->last < ui->interval_ms - 50 || qnm_mono_ms() - s->last < 50 * s->ms)
		return false;
	rebuild(ui, s);
	return true;
}

static unsigned ports_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct ports *s = st;
	const struct qnm_port_entry *e;
	unsigned r;

	apply_filter(s); /* keys may come before the first draw */
	r = qnm_list_key(&s->list, act, key, s->page);
	if (r)
		return r;
	switch (act) {
	case QNM_ACT_REFRESH:
		rebuild(ui, s);
		qnm_ui_log(ui, QNM_MSG_INFO,
			   "ports: %zu forwarded host port(s), looked up in %.1f ms", s->t.n,
			   s->ms);
		break;
	case QNM_ACT_ENTER:
		e = selected(s);
		if (e) {
			char *text = detail_text(&s->t, e), title[64];

			char hp[16];

			qnm_ports_text(e->fwd.host_port, e->fwd.span, hp, sizeof(hp));
			snprintf(title, sizeof(title), "Host port %s/%s",
				 qnm_proto_name(e->fwd.proto), hp);
			qnm_message_box(ui, title, text);
			free(text);
		}
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_ports = {
	.id = QNM_SCR_PORTS,
	.init = ports_init,
	.free = ports_free,
	.draw = ports_draw,
	.key = ports_key,
	.tick = ports_tick,
};
