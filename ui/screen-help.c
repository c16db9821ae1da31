// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-help.c - every key, written from the key table (keys.c), the
 * keys of the screen help was opened from first.
 */
#include "build-config.h"

#include "uipriv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/**
 * struct help - state of the help screen.
 * @from:  the screen help was opened from.
 * @lines: the text, one line each (owned), @n of them.
 * @top:   first line shown.
 * @page:  lines that fit.
 */
struct help {
	enum qnm_screen_id from;
	struct qnm_strv lines;
	int top, page;
};

static void add_screen(struct help *s, unsigned mask, const char *title)
{
	const struct qnm_binding *t;
	size_t n, i, k;

	qnm_strv_addf(&s->lines, "\x01%s", title);
	t = qnm_keys_table(&n);
	for (i = 0; i < n; i++) {
		char keys[64] = "", kn[16];

		if ((t[i].screens & mask) != mask)
			continue;
		/* global lines are listed once, in their own section */
		if (mask != QNM_SCR_ALL && t[i].screens == QNM_SCR_ALL)
			continue;
		for (k = 0; k < 4 && t[i].keys[k]; k++) {
			char probe[20];

			qnm_key_name(t[i].keys[k], kn, sizeof(kn));
			snprintf(probe, sizeof(probe), "%s,", kn);
			/* "Enter" stands for \n, \r and KEY_ENTER: list it once */
			if (strstr(keys, probe) ||
			    (strlen(keys) >= strlen(kn) &&
			     strcmp(keys + strlen(keys) - strlen(kn), kn) == 0))
				continue;
			if (strlen(keys) + strlen(kn) + 3 < sizeof(keys))
				snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s",
					 keys[0] ? ", " : "", kn);
		}
		/* keys, then \x02 and what they do (wrapped to the width at drawing) */
		qnm_strv_addf(&s->lines, "  %-16s\x02%s", keys, t[i].help);
	}
	qnm_strv_add(&s->lines, "");
}

static void *help_init(struct qnm_ui *ui, void *arg)
{
	struct help *s = xcalloc(1, sizeof(*s));
	int i;

	s->from = *(const enum qnm_screen_id *)arg;
	qnm_strv_init(&s->lines);
	qnm_strv_add(&s->lines,
		     "qnm manages QEMU guests and their networks. Screens: 1 VMs, 2 Networks,");
	qnm_strv_add(&s->lines,
		     "3 Forwards, 4 Traffic, 5 Modes, 6 Messages, 7 Diagnostics, 8 Ports,");
	qnm_strv_add(&s->lines,
		     "9 Hosts (Tab cycles). The footer shows the main keys of each screen; all");
	qnm_strv_add(&s->lines, "of them are listed here. Esc closes help.");
	qnm_strv_add(&s->lines,
		     "New here? On the VMs screen press D (demo guest), then s to start it,");
	qnm_strv_add(&s->lines,
		     "t to type into its shell (Ctrl-] back), 4 to watch its traffic, m (on");
	qnm_strv_add(&s->lines, "the VM) for its topology, x to stop it.");
	qnm_strv_add(&s->lines,
		     "Something does not work? 7 Diagnostics checks this host against your VMs");
	qnm_strv_add(&s->lines,
		     "and networks and gives each fix; 8 Ports shows who holds a forwarded port.");
	qnm_strv_add(&s->lines, "");
	add_screen(s, QNM_SCR_BIT(s->from), qnm_screen_name(s->from));
	for (i = 0; i < QNM_SCR__COUNT; i++)
		if (i != (int)s->from && i != QNM_SCR_HELP)
			add_screen(s, QNM_SCR_BIT(i), qnm_screen_name((enum qnm_screen_id)i));
	add_screen(s, QNM_SCR_ALL, "Everywhere");
	qnm_strv_add(&s->lines, "\x01Themes");
	qnm_strv_addf(
		&s->lines,
		"  Current: %s. Start with --theme NAME (default, dark, light, high-contrast, "
		"mono) or press T on a list to choose one. Your own themes go in "
		"$XDG_CONFIG_HOME/qnm/themes/NAME.theme. NO_COLOR=1 turns colours off.",
		ui->theme.name);
	return s;
}

static void help_free(void *st)
{
	struct help *s = st;

	qnm_strv_free(&s->lines);
	free(s);
}

/* Column of a key's description, and what the text of line @l is. */
#define DESC_X 19

static const char *desc_of(const char *l)
{
	const char *d = strchr(l, '\x02');

	return d ? d + 1 : NULL;
}

/*
 * The text of a line without a key: a heading's after its \x01 mark; a plain
 * line's after its leading spaces, which become the indent of all its
 * screen lines (@indent).
 */
static const char *text_of(const char *l, int *indent)
{
	*indent = l[0] == '\x01' ? 0 : (int)strspn(l, " ");
	return l[0] == '\x01' ? l + 1 : l + *indent;
}

/* Screen lines of one line of help in @w columns: descriptions wrap. */
static int help_lines(const char *l, int w)
{
	const char *d = desc_of(l);
	int in = DESC_X, n;
	const char *text = d ? d : text_of(l, &in);
	struct qnm_rect t = { 0, 0, 1000, w - in };

	n = qnm_wrap(NULL, &t, 0, text);
	return n > 0 ? n : 1;
}

static void help_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct help *s = st;
	int w = r->w - 2, total = 0, y;
	size_t i;

	for (i = 0; i < s->lines.n; i++)
		total += help_lines(s->lines.v[i], w);
	s->page = r->h;
	if (s->top > total - s->page)
		s->top = total - s->page;
	if (s->top < 0)
		s->top = 0;
	y = r->y - s->top;
	for (i = 0; i < s->lines.n && y < r->y + r->h; i++) {
		const char *l = s->lines.v[i], *d = desc_of(l);
		int n = help_lines(l, w), skip = y < r->y ? r->y - y : 0;
		struct qnm_rect t = { y + skip, r->x + 1, n - skip, w };

		if (t.y + t.h > r->y + r->h)
			t.h = r->y + r->h - t.y;
		if (t.h > 0) {
			qnm_set_role(ui, stdscr,
				     l[0] == '\x01' ? QNM_ROLE_HEADER : QNM_ROLE_NORMAL);
			if (d) {
				if (!skip)
					qnm_put(stdscr, y, r->x + 1, (int)(d - 1 - l), l);
				t.x += DESC_X;
				t.w -= DESC_X;
				qnm_wrap(stdscr, &t, skip, d);
			} else {
				int in;
				const char *text = text_of(l, &in);

				t.x += in;
				t.w -= in;
				qnm_wrap(stdscr, &t, skip, text);
			}
		}
		y += n;
	}
	qnm_draw_more(ui, r, s->top, total);
}

static unsigned help_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct help *s = st;

	switch (act) {
	case QNM_ACT_UP:
		s->top--;
		break;
	case QNM_ACT_DOWN:
		s->top++;
		break;
	case QNM_ACT_PAGE_UP:
		s->top -= s->page;
		break;
	case QNM_ACT_PAGE_DOWN:
		s->top += s->page;
		break;
	case QNM_ACT_HOME:
		s->top = 0;
		break;
	case QNM_ACT_END:
		s->top = 1 << 20; /* the next draw stops it at the end */
		break;
	case QNM_ACT_HELP:
	case QNM_ACT_BACK:
		return QNM_H_HANDLED | QNM_H_CLOSE;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_help = {
	.id = QNM_SCR_HELP,
	.init = help_init,
	.free = help_free,
	.draw = help_draw,
	.key = help_key,
};
