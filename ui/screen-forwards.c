// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-forwards.c - all port forwards in one list: hostfwd on user/slirp
 * NICs and DNAT rules on networks; add, edit, delete through the engine's
 * forward flow (api/forward.h): saved to the owner's file, and applied live
 * to a running guest's slirp helper or an up network's table.
 */
#include "build-config.h"

#include "fwdlist.h"
#include "uipriv.h"

#include <stdlib.h>
#include <string.h>

struct forwards {
	struct qnm_list list;
	struct qnm_api_fwd_ref *refs;
	size_t nrefs;
	int page;
};

static void collect(struct qnm_ui *ui, struct forwards *s)
{
	struct qnm_api_fwd_list l;
	size_t i;

	free(s->refs);
	s->refs = NULL;
	s->nrefs = 0;
	qnm_api_forward_list(ui->ctx, false, &l);
	for (i = 0; i < l.n; i++) {
		char owner[96], text[QNM_FWD_TEXT_LEN];

		qnm_fwd_format(&l.v[i].fwd, text, sizeof(text));
		qnm_fwd_ref_owner(&l.v[i].ref, owner, sizeof(owner));
		if (!qnm_list_match(&s->list, owner) && !qnm_list_match(&s->list, text))
			continue;
		s->refs = xreallocarray(s->refs, s->nrefs + 1, sizeof(*s->refs));
		s->refs[s->nrefs++] = l.v[i].ref;
	}
	qnm_api_forward_list_clear(&l);
	s->list.n = (int)s->nrefs;
	qnm_list_fix(&s->list, s->page);
}

static void *forwards_init(struct qnm_ui *ui, void *arg)
{
	return xcalloc(1, sizeof(struct forwards));
}

static void forwards_free(void *st)
{
	struct forwards *s = st;

	free(s->refs);
	free(s);
}

/*
 * the columns: OWNER gets what HOST (as wide as its longest, at most 21) and
 * GUEST (at least 21, wider for a target "web/n0 (10.77.0.51):80") leave
 */
#define COL_KIND  7
#define COL_PROTO 5 /* 7 when a listed forward is "tcp+udp" */
#define COL_ADDR  21

/* "*:8080" or "127.0.0.1:8000-8010" */
static void host_text(const struct qnm_fwd *f, char *buf, size_t size)
{
	char ports[16];

	qnm_ports_text(f->host_port, f->span, ports, sizeof(ports));
	snprintf(buf, size, "%s:%s", f->host_addr[0] ? f->host_addr : "*", ports);
}

/* the widths HOST and GUEST want for the forwards of @s */
static void addr_widths(struct qnm_ui *ui, const struct forwards *s, int *hw, int *gw)
{
	size_t i;

	*hw = 4; /* "HOST" */
	*gw = COL_ADDR;
	for (i = 0; i < s->nrefs; i++) {
		const struct qnm_fwd *f = qnm_api_forward_get(ui->ctx, &s->refs[i]);
		char host[40], guest[112];

		if (!f)
			continue;
		host_text(f, host, sizeof(host));
		qnm_fwd_guest_text(f, guest, sizeof(guest));
		if ((int)strlen(host) > *hw)
			*hw = (int)strlen(host);
		if ((int)strlen(guest) > *gw)
			*gw = (int)strlen(guest);
	}
	if (*hw > COL_ADDR)
		*hw = COL_ADDR;
}

static void forwards_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct forwards *s = st;
	int y = r->y + 1, i, pw = COL_PROTO, ow, hw, gw;
	int xk, xp, xh, xg;

	s->page = r->h - 6;
	collect(ui, s);
	for (i = 0; i < (int)s->nrefs; i++) {
		const struct qnm_fwd *f = qnm_api_forward_get(ui->ctx, &s->refs[i]);

		if (f && f->proto == QNM_PROTO_BOTH)
			pw = (int)strlen("tcp+udp");
	}
	addr_widths(ui, s, &hw, &gw);
	ow = r->w - 2 - (COL_KIND + 1 + pw + 1 + hw + 1 + gw + 1);
	if (ow < 8)
		ow = 8;
	if (ow > 32)
		ow = 32;
	xk = r->x + 1 + ow + 1;
	xp = xk + COL_KIND + 1;
	xh = xp + pw + 1;
	xg = xh + hw + 1;
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	qnm_put(stdscr, r->y, r->x + 1, ow, "OWNER");
	qnm_put(stdscr, r->y, xk, COL_KIND, "KIND");
	qnm_put(stdscr, r->y, xp, pw, "PROTO");
	qnm_put(stdscr, r->y, xh, hw, "HOST");
	qnm_put(stdscr, r->y, xg, r->x + r->w - xg, "GUEST");
	if (!s->nrefs) {
		struct qnm_rect t = { y + 1, r->x + 2, 4, r->w - 4 };

		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_wrap(stdscr, &t, 0,
			 s->list.filter[0]
				 ? "No forward matches the filter."
				 : "No port forwards. Press n to forward a host port to a guest "
				   "(user-mode NICs need one to be reachable from outside).");
	}
	for (i = 0; i < s->page && s->list.top + i < (int)s->nrefs; i++) {
		const struct qnm_api_fwd_ref *ref = &s->refs[s->list.top + i];
		const struct qnm_fwd *f = qnm_api_forward_get(ui->ctx, ref);
		bool sel = s->list.top + i == s->list.sel;
		char owner[96], host[40], guest[112];

		if (!f)
			continue;
		host_text(f, host, sizeof(host));
		qnm_fwd_guest_text(f, guest, sizeof(guest));
		if (ref->vm[0])
			snprintf(owner, sizeof(owner), "%s/%s", ref->vm, ref->nic);
		else
			snprintf(owner, sizeof(owner), "net %s", ref->net);
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		qnm_put_cut(stdscr, y + i, r->x + 1, ow, owner);
		qnm_put(stdscr, y + i, xk, COL_KIND, ref->vm[0] ? "hostfwd" : "DNAT");
		qnm_put(stdscr, y + i, xp, pw, qnm_proto_name(f->proto));
		qnm_put(stdscr, y + i, xh, hw, host);
		qnm_put_cut(stdscr, y + i, xg, r->x + r->w - xg, guest);
	}
	/* the selected forward in words, whole whatever the width */
	if (s->list.sel >= 0 && s->list.sel < (int)s->nrefs) {
		const struct qnm_api_fwd_ref *ref = &s->refs[s->list.sel];
		const struct qnm_fwd *f = qnm_api_forward_get(ui->ctx, ref);
		char owner[96], text[QNM_FWD_TEXT_LEN];

		if (f) {
			struct qnm_rect t = { r->y + r->h - 4, r->x + 1, 2, r->w - 2 };
			char line[400], tail[128];

			/* the description whole here: at most 48 characters */
			qnm_fwd_format_spec(f, text, sizeof(text));
			if (f->target[0]) /* to a NIC: where it goes now */
				snprintf(tail, sizeof(tail), "nftables DNAT to %s's reservation %s",
					 f->target, f->guest_addr[0] ? f->guest_addr : "none yet");
			else
				qnm_strlcpy(tail, ref->vm[0] ? "QEMU hostfwd" : "nftables DNAT",
					    sizeof(tail));
			snprintf(line, sizeof(line), "%s: %s (%s)%s%s",
				 qnm_fwd_ref_owner(ref, owner, sizeof(owner)), text, tail,
				 f->desc[0] ? " - " : "", f->desc);
			qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
			qnm_wrap(stdscr, &t, 0, line);
		}
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_put(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
		"Saved at once; live on running slirp NICs and up networks, else at next start.");
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static void delete_answer(struct qnm_ui *ui, void *data, bool yes)
{
	struct qnm_api_fwd_ref *ref = data;
	const struct qnm_fwd *cur = qnm_api_forward_get(ui->ctx, ref);
	struct qnm_api_fwd_owner from = qnm_api_fwd_owner_of(ref);
	struct qnm_api_fwd_result res;
	struct qnm_fwd gone;
	struct qnm_err err;

	qnm_err_clear(&err);
	if (!yes) {
		free(ref);
		return;
	}
	if (!cur) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "forward not deleted: it no longer exists");
		free(ref);
		return;
	}
	gone = *cur; /* the model changes under it */
	if (qnm_api_forward_remove(ui->ctx, &from, &gone, &res, &err))
		qnm_ui_log(ui, QNM_MSG_ERROR, "forward not deleted: %s",
			   err.msg[0] ? err.msg : "it no longer exists");
	else
		qnm_fwd_report(ui, &res, true);
	free(ref);
}

static unsigned forwards_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct forwards *s = st;
	struct qnm_api_fwd_ref *ref;
	unsigned r;

	collect(ui, s); /* keys may come before the first draw */
	ref = s->list.sel < (int)s->nrefs ? &s->refs[s->list.sel] : NULL;
	r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		return r;
	switch (act) {
	case QNM_ACT_NEW:
		qnm_ui_push(ui, &qnm_screen_fwdform, NULL);
		break;
	case QNM_ACT_EDIT:
		if (ref)
			qnm_ui_push(ui, &qnm_screen_fwdform, ref);
		break;
	case QNM_ACT_DELETE:
		if (!ref)
			break;
		{
			struct qnm_api_fwd_ref *copy = xmalloc(sizeof(*copy));

			*copy = *ref;
			qnm_confirm(ui, "Delete forward", "Delete this port forward?",
				    delete_answer, copy);
		}
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_forwards = {
	.id = QNM_SCR_FORWARDS,
	.init = forwards_init,
	.free = forwards_free,
	.draw = forwards_draw,
	.key = forwards_key,
};
