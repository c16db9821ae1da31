// SPDX-License-Identifier: GPL-2.0-or-later
/* list.c - cursor, scrolling and filtering shared by the list screens. */
#include "build-config.h"

#include "uipriv.h"

#include <limits.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

static void filter_del(char *s)
{
	size_t n = strlen(s);

	/* drop the last UTF-8 character */
	while (n > 0) {
		n--;
		if (((unsigned char)s[n] & 0xc0) != 0x80)
			break;
	}
	s[n] = '\0';
}

unsigned qnm_list_key(struct qnm_list *l, enum qnm_action act, int key, int page)
{
	if (l->editing) {
		if (key == '\n' || key == '\r' || key == QNM_KEY_FN + KEY_ENTER) {
			l->editing = false;
			return QNM_H_HANDLED | QNM_H_REDRAW;
		}
		if (key == 27) {
			l->editing = false;
			l->filter[0] = '\0';
			return QNM_H_HANDLED | QNM_H_REDRAW;
		}
		if (key == 127 || key == 8 || key == QNM_KEY_FN + KEY_BACKSPACE) {
			filter_del(l->filter);
			l->sel = 0;
			return QNM_H_HANDLED | QNM_H_REDRAW;
		}
		if (qnm_key_is_text(key)) {
			char mb[MB_LEN_MAX + 1];
			mbstate_t ps;
			size_t k;

			memset(&ps, 0, sizeof(ps));
			k = wcrtomb(mb, (wchar_t)key, &ps);
			if (k != (size_t)-1 && strlen(l->filter) + k < sizeof(l->filter)) {
				size_t len = strlen(l->filter);

				memcpy(l->filter + len, mb, k);
				l->filter[len + k] = '\0';
				l->sel = 0;
			}
			return QNM_H_HANDLED | QNM_H_REDRAW;
		}
		if (act != QNM_ACT_UP && act != QNM_ACT_DOWN && act != QNM_ACT_PAGE_UP &&
		    act != QNM_ACT_PAGE_DOWN)
			return QNM_H_HANDLED;
	}
	if (page < 1)
		page = 1;
	switch (act) {
	case QNM_ACT_UP:
		l->sel--;
		break;
	case QNM_ACT_DOWN:
		l->sel++;
		break;
	case QNM_ACT_PAGE_UP:
		l->sel -= page;
		break;
	case QNM_ACT_PAGE_DOWN:
		l->sel += page;
		break;
	case QNM_ACT_HOME:
		l->sel = 0;
		break;
	case QNM_ACT_END:
		l->sel = l->n - 1;
		break;
	case QNM_ACT_FILTER:
		l->editing = true;
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_BACK:
		if (!l->filter[0])
			return QNM_H_IGNORED;
		l->filter[0] = '\0';
		return QNM_H_HANDLED | QNM_H_REDRAW;
	default:
		return QNM_H_IGNORED;
	}
	qnm_list_fix(l, page);
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

void qnm_list_fix(struct qnm_list *l, int page)
{
	if (page < 1)
		page = 1;
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	if (l->top > l->n - page)
		l->top = l->n - page;
	if (l->top < 0)
		l->top = 0;
}

bool qnm_list_match(const struct qnm_list *l, const char *s)
{
	size_t n = strlen(l->filter), i;

	if (!n)
		return true;
	for (i = 0; s[i]; i++)
		if (strncasecmp(s + i, l->filter, n) == 0)
			return true;
	return false;
}

int qnm_list_draw_scroll(struct qnm_ui *ui, const struct qnm_list *l, int page, int y, int x, int w)
{
	bool above = l->top > 0, below = l->top + page < l->n;
	char text[64];
	int tw;

	if (!above && !below)
		return 0;
	snprintf(text, sizeof(text), " %d-%d of %d %s%s ", l->top + 1,
		 l->top + page < l->n ? l->top + page : l->n, l->n,
		 above ? (ui->utf8 ? "\u2191" : "^") : "",
		 below ? (ui->utf8 ? "\u2193" : "v") : "");
	tw = qnm_text_width(text);
	if (tw > w)
		return 0;
	qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
	qnm_put(stdscr, y, x + w - tw, tw, text);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
	return tw;
}

void qnm_list_draw_filter(struct qnm_ui *ui, const struct qnm_list *l, int y, int x, int w)
{
	if (!l->editing && !l->filter[0])
		return;
	qnm_set_role(ui, stdscr, l->editing ? QNM_ROLE_FIELD_ACTIVE : QNM_ROLE_ACCENT);
	qnm_fill(stdscr, y, x, w);
	qnm_putf(stdscr, y, x, w, "Filter: %s%s", l->filter,
		 l->editing ? "_  (Enter: keep, Esc: clear)" : "  (/ to change, Esc to clear)");
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}
