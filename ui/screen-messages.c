// SPDX-License-Identifier: GPL-2.0-or-later
/* screen-messages.c - the log of every action and error, newest last. */
#include "build-config.h"

#include "uipriv.h"

#include <stdlib.h>

struct messages {
	struct qnm_list list;
	int page;
	bool follow; /* keep the newest line selected */
};

static void *msg_init(struct qnm_ui *ui, void *arg)
{
	struct messages *s = xcalloc(1, sizeof(*s));

	s->follow = true;
	return s;
}

static void msg_free(void *st)
{
	free(st);
}

static void msg_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	static const char *const lvl[] = { "info", "ok", "warn", "ERROR" };
	static const enum qnm_role roles[] = { QNM_ROLE_NORMAL, QNM_ROLE_OK, QNM_ROLE_WARNING,
					       QNM_ROLE_ERROR };
	struct messages *s = st;
	size_t *idx = xcalloc(ui->nlog + 1, sizeof(*idx)), i;
	int y = r->y + 1, k;

	s->page = r->h - 5;
	s->list.n = 0;
	for (i = 0; i < ui->nlog; i++)
		if (qnm_list_match(&s->list, ui->log[i].text))
			idx[s->list.n++] = i;
	if (s->follow)
		s->list.sel = s->list.n - 1;
	qnm_list_fix(&s->list, s->page);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	qnm_putf(stdscr, r->y, r->x, r->w, " %-8s %-5s %s", "TIME", "LEVEL", "MESSAGE");
	if (!s->list.n) {
		qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		qnm_put(stdscr, y + 1, r->x + 2, r->w - 4, "No messages.");
	}
	for (k = 0; k < s->page && s->list.top + k < s->list.n; k++) {
		const struct qnm_msg *m = &ui->log[idx[s->list.top + k]];
		bool sel = s->list.top + k == s->list.sel;
		char t[16];

		strftime(t, sizeof(t), "%H:%M:%S", localtime(&m->when));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : roles[m->level]);
		qnm_fill(stdscr, y + k, r->x, r->w);
		qnm_putf(stdscr, y + k, r->x, r->w, " %-8s %-5s %s", t, lvl[m->level], m->text);
	}
	/* the selected message in full */
	if (s->list.n > 0 && s->list.sel < s->list.n) {
		struct qnm_rect t = { r->y + r->h - 4, r->x + 1, 3, r->w - 2 };

		qnm_set_role(ui, stdscr, QNM_ROLE_BORDER);
		qnm_hline(ui, stdscr, t.y - 1, r->x, r->w);
		qnm_set_role(ui, stdscr, roles[ui->log[idx[s->list.sel]].level]);
		qnm_wrap(stdscr, &t, 0, ui->log[idx[s->list.sel]].text);
	}
	ui->log_seen = ui->nlog;
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	free(idx);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static unsigned msg_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct messages *s = st;
	unsigned r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		s->follow = s->list.sel >= s->list.n - 1;
	return r;
}

const struct qnm_screen_ops qnm_screen_messages = {
	.id = QNM_SCR_MESSAGES,
	.init = msg_init,
	.free = msg_free,
	.draw = msg_draw,
	.key = msg_key,
};
