// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dialog.c - modal boxes over the current screen: yes/no confirmation,
 * pick-from-a-list (curses menu library), one line of text (form library
 * through edit.c) and plain messages. Each is a panel on top of stdscr and
 * an overlay screen on the stack, so the main loop stays the only loop.
 */
#include "build-config.h"

#include "edit.h"
#include "uipriv.h"

#include <menu.h>
#include <panel.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum dlg_kind { DLG_CONFIRM, DLG_PICK, DLG_ASK, DLG_MESSAGE, DLG_KEEP };

/**
 * struct dlg - a dialog.
 * @kind:    which one.
 * @title:   box title.
 * @text:    question / prompt / message.
 * @items:   DLG_PICK entries (+ @descr), @nitems of them; @menu_items for
 *           the menu library.
 * @cur:     initially selected entry.
 * @win:     the box; @panel shows it above stdscr; @sub the menu's area.
 * @ed:      DLG_ASK text field; @answer its text kept across resizes.
 * @cb_*:    callbacks, @data their argument.
 * @deadline: DLG_KEEP: when the change reverts by itself; @text is then
 *           re-made from @base at each draw (the countdown).
 * @base:    DLG_KEEP: what changed.
 * @timed_out: DLG_KEEP: the deadline passed, @cb_yes ran with false.
 * @answered: a callback already ran (free() then stays quiet).
 */
struct dlg {
	enum dlg_kind kind;
	char *title;
	char *text;
	char **items;
	char **descr;
	size_t nitems;
	ITEM **menu_items;
	MENU *menu;
	int cur;
	WINDOW *win;
	WINDOW *sub;
	PANEL *panel;
	struct qnm_edit *ed;
	char *answer;
	int ed_cursor;
	void (*cb_yes)(struct qnm_ui *ui, void *data, bool yes);
	void (*cb_pick)(struct qnm_ui *ui, void *data, int index);
	void (*cb_ask)(struct qnm_ui *ui, void *data, const char *text);
	void *data;
	time_t deadline;
	char *base;
	bool timed_out;
};

static void dlg_close_windows(struct dlg *d)
{
	if (d->ed) {
		free(d->answer);
		d->answer = qnm_edit_text(d->ed);
		d->ed_cursor = qnm_edit_cursor(d->ed);
		qnm_edit_free(d->ed);
		d->ed = NULL;
	}
	if (d->menu) {
		d->cur = item_index(current_item(d->menu));
		unpost_menu(d->menu);
		free_menu(d->menu);
		d->menu = NULL;
	}
	if (d->panel) {
		del_panel(d->panel);
		d->panel = NULL;
	}
	if (d->sub) {
		delwin(d->sub);
		d->sub = NULL;
	}
	if (d->win) {
		delwin(d->win);
		d->win = NULL;
	}
}

static void dlg_free(void *st)
{
	struct dlg *d = st;
	size_t i;

	dlg_close_windows(d);
	for (i = 0; d->menu_items && i < d->nitems; i++)
		free_item(d->menu_items[i]);
	free(d->menu_items);
	for (i = 0; i < d->nitems; i++) {
		free(d->items[i]);
		if (d->descr)
			free(d->descr[i]);
	}
	free(d->items);
	free(d->descr);
	free(d->title);
	free(d->text);
	free(d->base);
	free(d->answer);
	free(d);
}

static void *dlg_init(struct qnm_ui *ui, void *arg)
{
	return arg;
}

static void dlg_resize(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	dlg_close_windows(st);
}

static void dlg_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct dlg *d = st;
	struct qnm_rect in, box;
	int w = r->w - 8, h, text_lines, list_h = 0;
	size_t i;

	if (w > 72)
		w = 72;
	if (d->kind == DLG_KEEP) {
		long long left = (long long)(d->deadline - time(NULL));

		free(d->text);
		d->text = d->timed_out ? xasprintf("%s\n\nNot confirmed in time: qnm reverts "
						   "these network settings (see Messages).",
						   d->base)
				       : xasprintf("%s\n\nKeep these network settings? Reverting "
						   "in %lld s",
						   d->base, left > 0 ? left : 0);
	}
	in = (struct qnm_rect){ 0, 2, 1000, w - 4 };
	text_lines = d->text ? qnm_wrap(NULL, &in, 0, d->text) : 0;
	if (d->kind == DLG_PICK) {
		list_h = (int)d->nitems;
		if (list_h > r->h - 6 - text_lines)
			list_h = r->h - 6 - text_lines;
		if (list_h < 1)
			list_h = 1;
	}
	h = text_lines + 4 + list_h + (d->kind == DLG_ASK ? 2 : 0);
	if (h > r->h)
		h = r->h;
	if (text_lines > h - 4 - list_h)
		text_lines = h - 4 - list_h;
	if (!d->win) {
		d->win = newwin(h, w, r->y + (r->h - h) / 2, r->x + (r->w - w) / 2);
		if (!d->win)
			return;
		d->panel = new_panel(d->win);
	}
	wbkgdset(d->win, ' ' | qnm_attr(ui, QNM_ROLE_POPUP));
	werase(d->win);
	box = (struct qnm_rect){ 0, 0, h, w };
	wattrset(d->win, qnm_attr(ui, QNM_ROLE_POPUP_BORDER));
	qnm_box(ui, d->win, &box, d->title);
	wattrset(d->win, qnm_attr(ui, QNM_ROLE_POPUP));
	if (d->text) {
		in = (struct qnm_rect){ 1, 2, text_lines, w - 4 };
		qnm_wrap(d->win, &in, 0, d->text);
	}
	wattrset(d->win, qnm_attr(ui, QNM_ROLE_DIM) | qnm_attr(ui, QNM_ROLE_POPUP));
	switch (d->kind) {
	case DLG_CONFIRM:
		qnm_put(d->win, h - 2, 2, w - 4, "y: yes    n or Esc: no");
		break;
	case DLG_MESSAGE:
		qnm_put(d->win, h - 2, 2, w - 4, "Enter or Esc: close");
		break;
	case DLG_KEEP:
		qnm_put(d->win, h - 2, 2, w - 4,
			d->timed_out ? "Enter or Esc: close"
				     : "K: keep them    Esc: let them revert at the deadline");
		break;
	case DLG_ASK:
		qnm_put(d->win, h - 2, 2, w - 4, "Enter: OK    Esc: cancel");
		if (!d->ed)
			d->ed = qnm_edit_new(d->win, h - 4, 2, w - 4, d->answer ? d->answer : "",
					     255, d->ed_cursor);
		if (d->ed)
			qnm_edit_draw(d->ed, qnm_attr(ui, QNM_ROLE_FIELD_ACTIVE));
		break;
	case DLG_PICK:
		qnm_put(d->win, h - 2, 2, w - 4,
			"Enter: choose    Esc: cancel    type a name to jump to it");
		if (!d->menu) {
			if (!d->menu_items) {
				d->menu_items = xcalloc(d->nitems + 1, sizeof(ITEM *));
				for (i = 0; i < d->nitems; i++)
					d->menu_items[i] =
						new_item(d->items[i], d->descr ? d->descr[i] : "");
			}
			d->menu = new_menu(d->menu_items);
			d->sub = derwin(d->win, list_h, w - 4, 1 + text_lines + 1, 2);
			set_menu_win(d->menu, d->win);
			set_menu_sub(d->menu, d->sub);
			set_menu_format(d->menu, list_h, 1);
			set_menu_mark(d->menu, ui->utf8 ? "▸" : ">");
			menu_opts_off(d->menu, O_SHOWDESC);
			if (d->descr)
				menu_opts_on(d->menu, O_SHOWDESC);
			post_menu(d->menu);
			if (d->cur >= 0 && (size_t)d->cur < d->nitems)
				set_current_item(d->menu, d->menu_items[d->cur]);
		}
		set_menu_fore(d->menu, qnm_attr(ui, QNM_ROLE_SELECTION));
		set_menu_back(d->menu, qnm_attr(ui, QNM_ROLE_POPUP));
		unpost_menu(d->menu);
		post_menu(d->menu);
		curs_set(0);
		break;
	}
	/* update_panels() puts the box above stdscr when the frame is shown */
	touchwin(d->win);
}

static unsigned dlg_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct dlg *d = st;
	unsigned close = QNM_H_HANDLED | QNM_H_REDRAW | QNM_H_CLOSE;

	switch (d->kind) {
	case DLG_CONFIRM:
		if (act == QNM_ACT_YES || act == QNM_ACT_NO) {
			if (d->cb_yes)
				d->cb_yes(ui, d->data, act == QNM_ACT_YES);
			return close;
		}
		return QNM_H_HANDLED;
	case DLG_MESSAGE:
		if (act == QNM_ACT_ENTER || act == QNM_ACT_NO)
			return close;
		return QNM_H_HANDLED;
	case DLG_KEEP:
		/* only K keeps: Enter or a key typed ahead must not */
		if (!d->timed_out && (key == 'K' || key == 'k')) {
			d->cb_yes(ui, d->data, true);
			return close;
		}
		if (key == 27 || (d->timed_out && act == QNM_ACT_ENTER)) {
			if (!d->timed_out)
				d->cb_yes(ui, d->data, false);
			return close;
		}
		return QNM_H_HANDLED;
	case DLG_ASK:
		if (act == QNM_ACT_ENTER && d->ed) {
			char *t = qnm_edit_text(d->ed);

			if (d->cb_ask)
				d->cb_ask(ui, d->data, t);
			free(t);
			return close;
		}
		if (key == 27) {
			if (d->cb_ask)
				d->cb_ask(ui, d->data, NULL);
			return close;
		}
		if (d->ed)
			qnm_edit_key(d->ed, key);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case DLG_PICK:
		if (!d->menu)
			return QNM_H_HANDLED;
		/* typing a name jumps to it (the menu library's pattern match) */
		if (qnm_key_is_text(key) && key != ' ' && key < 128) {
			if (menu_driver(d->menu, key) != E_OK)
				menu_driver(d->menu, REQ_CLEAR_PATTERN);
			return QNM_H_HANDLED | QNM_H_REDRAW;
		}
		if (key == 127 || key == 8 || key == QNM_KEY_FN + KEY_BACKSPACE) {
			menu_driver(d->menu, REQ_BACK_PATTERN);
			return QNM_H_HANDLED | QNM_H_REDRAW;
		}
		switch (act) {
		case QNM_ACT_UP:
			menu_driver(d->menu, REQ_UP_ITEM);
			return QNM_H_HANDLED | QNM_H_REDRAW;
		case QNM_ACT_DOWN:
			menu_driver(d->menu, REQ_DOWN_ITEM);
			return QNM_H_HANDLED | QNM_H_REDRAW;
		case QNM_ACT_PAGE_UP:
			menu_driver(d->menu, REQ_SCR_UPAGE);
			return QNM_H_HANDLED | QNM_H_REDRAW;
		case QNM_ACT_PAGE_DOWN:
			menu_driver(d->menu, REQ_SCR_DPAGE);
			return QNM_H_HANDLED | QNM_H_REDRAW;
		case QNM_ACT_ENTER:
			if (d->cb_pick)
				d->cb_pick(ui, d->data, item_index(current_item(d->menu)));
			return close;
		case QNM_ACT_NO:
			if (key == 27) {
				if (d->cb_pick)
					d->cb_pick(ui, d->data, -1);
				return close;
			}
			break;
		default:
			break;
		}
		return QNM_H_HANDLED | QNM_H_REDRAW;
	}
	return QNM_H_HANDLED;
}

/* DLG_KEEP: the countdown moves; at the deadline the answer is "not kept" */
static bool dlg_tick(struct qnm_ui *ui, void *st)
{
	struct dlg *d = st;

	if (d->kind != DLG_KEEP || d->timed_out)
		return false;
	if (time(NULL) >= d->deadline) {
		d->timed_out = true;
		d->cb_yes(ui, d->data, false);
	}
	return true;
}

const struct qnm_screen_ops qnm_screen_dialog = {
	.id = QNM_SCR_DIALOG,
	.overlay = true,
	.init = dlg_init,
	.free = dlg_free,
	.draw = dlg_draw,
	.key = dlg_key,
	.resize = dlg_resize,
	.tick = dlg_tick,
};

static struct dlg *dlg_new(enum dlg_kind kind, const char *title, const char *text)
{
	struct dlg *d = xcalloc(1, sizeof(*d));

	d->kind = kind;
	d->title = xstrdup(title ? title : "");
	d->text = xstrdup_or_null(text);
	d->ed_cursor = -1;
	return d;
}

static void dlg_push(struct qnm_ui *ui, struct dlg *d)
{
	if (qnm_ui_push(ui, &qnm_screen_dialog, d))
		dlg_free(d);
}

void qnm_confirm(struct qnm_ui *ui, const char *title, const char *text,
		 void (*cb)(struct qnm_ui *ui, void *data, bool yes), void *data)
{
	struct dlg *d = dlg_new(DLG_CONFIRM, title, text);

	d->cb_yes = cb;
	d->data = data;
	dlg_push(ui, d);
}

void qnm_pick(struct qnm_ui *ui, const char *title, const char *const *items,
	      const char *const *descr, size_t n, int cur,
	      void (*cb)(struct qnm_ui *ui, void *data, int index), void *data)
{
	struct dlg *d = dlg_new(DLG_PICK, title, NULL);
	size_t i;

	if (!n) {
		free(d->title);
		free(d);
		qnm_message_box(ui, title, "There is nothing to choose from.");
		return;
	}
	d->items = xcalloc(n, sizeof(char *));
	if (descr)
		d->descr = xcalloc(n, sizeof(char *));
	for (i = 0; i < n; i++) {
		d->items[i] = xstrdup(items[i]);
		if (descr)
			d->descr[i] = xstrdup(descr[i] ? descr[i] : "");
	}
	d->nitems = n;
	d->cur = cur;
	d->cb_pick = cb;
	d->data = data;
	dlg_push(ui, d);
}

void qnm_ask(struct qnm_ui *ui, const char *title, const char *prompt, const char *initial,
	     void (*cb)(struct qnm_ui *ui, void *data, const char *text), void *data)
{
	struct dlg *d = dlg_new(DLG_ASK, title, prompt);

	d->answer = xstrdup(initial ? initial : "");
	d->cb_ask = cb;
	d->data = data;
	dlg_push(ui, d);
}

void qnm_message_box(struct qnm_ui *ui, const char *title, const char *text)
{
	dlg_push(ui, dlg_new(DLG_MESSAGE, title, text));
}

void qnm_keep_or_revert(struct qnm_ui *ui, const char *title, const char *text, time_t deadline,
			void (*cb)(struct qnm_ui *ui, void *data, bool keep), void *data)
{
	struct dlg *d = dlg_new(DLG_KEEP, title, NULL);

	d->base = xstrdup(text);
	d->deadline = deadline;
	d->cb_yes = cb;
	d->data = data;
	dlg_push(ui, d);
}
