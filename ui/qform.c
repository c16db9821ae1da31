// SPDX-License-Identifier: GPL-2.0-or-later
/* qform.c - data-entry forms (see qform.h). */
#include "build-config.h"

#include "qform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 22

void qnm_form_init(struct qnm_form *f)
{
	memset(f, 0, sizeof(*f));
	f->ed_row = -1;
	f->ed_cursor = -1;
}

static void close_editor(struct qnm_form *f)
{
	if (f->ed) {
		qnm_form_sync(f);
		qnm_edit_free(f->ed);
		f->ed = NULL;
	}
	f->ed_row = -1;
}

void qnm_form_clear(struct qnm_form *f)
{
	size_t i;

	qnm_edit_free(f->ed);
	f->ed = NULL;
	for (i = 0; i < f->n; i++) {
		free(f->rows[i].text);
		free(f->rows[i].error);
		free(f->rows[i].warning);
	}
	free(f->rows);
	free(f->error);
	qnm_form_init(f);
}

struct qnm_row *qnm_form_add(struct qnm_form *f, enum qnm_row_kind kind, int id, const char *key,
			     const char *label, const char *text)
{
	struct qnm_row *r;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->rows = xreallocarray(f->rows, f->cap, sizeof(*f->rows));
	}
	r = &f->rows[f->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->id = id;
	r->key = key;
	r->label = label;
	r->text = xstrdup(text ? text : "");
	r->maxlen = 255;
	return r;
}

struct qnm_row *qnm_form_row(struct qnm_form *f, int id)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->rows[i].id == id)
			return &f->rows[i];
	return NULL;
}

const char *qnm_form_text(struct qnm_form *f, int id)
{
	struct qnm_row *r = qnm_form_row(f, id);

	if (r && f->ed && f->ed_row == (int)(r - f->rows))
		qnm_form_sync(f);
	return r && r->text ? r->text : "";
}

void qnm_form_set_text(struct qnm_form *f, int id, const char *text)
{
	struct qnm_row *r = qnm_form_row(f, id);

	if (!r)
		return;
	if (f->ed && f->ed_row == (int)(r - f->rows)) {
		qnm_edit_free(f->ed);
		f->ed = NULL;
		f->ed_row = -1;
		f->ed_cursor = -1;
	}
	free(r->text);
	r->text = xstrdup(text ? text : "");
}

void qnm_form_sync(struct qnm_form *f)
{
	if (!f->ed || f->ed_row < 0)
		return;
	free(f->rows[f->ed_row].text);
	f->rows[f->ed_row].text = qnm_edit_text(f->ed);
	f->ed_cursor = qnm_edit_cursor(f->ed);
}

void qnm_form_clear_errors(struct qnm_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->rows[i].error);
		f->rows[i].error = NULL;
	}
	free(f->error);
	f->error = NULL;
}

static bool focusable(const struct qnm_row *r)
{
	return !r->hidden && r->kind != QNM_ROW_SECTION && r->kind != QNM_ROW_INFO;
}

static void set_cur(struct qnm_form *f, int i)
{
	if (i == f->cur)
		return;
	close_editor(f);
	f->ed_cursor = -1;
	f->cur = i;
}

void qnm_form_focus(struct qnm_form *f, int id)
{
	struct qnm_row *r = qnm_form_row(f, id);

	if (r && focusable(r))
		set_cur(f, (int)(r - f->rows));
}

void qnm_form_set_error(struct qnm_form *f, const struct qnm_err *err)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct qnm_row *r = &f->rows[i];

		if (r->key && err->field[0] && strcmp(r->key, err->field) == 0) {
			free(r->error);
			r->error = xstrdup(err->msg);
			if (r->hidden)
				break;
			set_cur(f, (int)i);
			return;
		}
	}
	free(f->error);
	f->error = xstrdup(err->msg);
}

void qnm_form_set_warning(struct qnm_form *f, int id, const char *msg)
{
	struct qnm_row *r = qnm_form_row(f, id);

	if (!r)
		return;
	free(r->warning);
	r->warning = msg ? xstrdup(msg) : NULL;
}

void qnm_form_resize(struct qnm_form *f)
{
	close_editor(f);
}

int qnm_form_copy_text(char *dst, size_t size, const char *text, const char *key,
		       struct qnm_err *err)
{
	if (strlen(text) >= size)
		return qnm_err_set(err, -EINVAL, key, "%s: at most %zu characters", key, size - 1);
	qnm_strlcpy(dst, text, size);
	return 0;
}

/* ---- rows bound to schema keys ---- */

void qnm_form_add_keys(struct qnm_form *f, const struct qnm_schema *s, const void *obj,
		       const char *first, const char *last)
{
	const struct qnm_key *k = qnm_schema_find(s, first);
	const struct qnm_key *end = last ? qnm_schema_find(s, last) : &s->keys[s->n - 1];

	for (; k && end && k <= end; k++) {
		int id = QNM_ROW_KEY + (int)(k - s->keys);
		struct qnm_row *r;
		char *text;

		switch (k->type) {
		case QNM_KEY_BOOL:
		case QNM_KEY_LINK:
			r = qnm_form_add(f, QNM_ROW_BOOL, id, k->name, k->label, NULL);
			r->on = qnm_key_get_int(k, obj) != 0;
			break;
		case QNM_KEY_ENUM:
			r = qnm_form_add(f, QNM_ROW_CHOICE, id, k->name, k->label, NULL);
			r->choices = k->choices->names;
			r->nchoices = k->choices->n;
			r->choice = qnm_key_get_int(k, obj);
			break;
		default:
			text = qnm_key_text(k, obj);
			r = qnm_form_add(f, QNM_ROW_TEXT, id, k->name, k->label, text);
			free(text);
			r->maxlen = qnm_key_maxlen(k);
			break;
		}
		r->hint = k->help;
		r->field = k;
	}
	qnm_form_show_keys(f, s);
}

struct qnm_row *qnm_form_key_row(struct qnm_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (qnm_row_is_key(&f->rows[i], name))
			return &f->rows[i];
	return NULL;
}

bool qnm_row_is_key(const struct qnm_row *row, const char *name)
{
	return row && row->field && strcmp(row->field->name, name) == 0;
}

/* The selector's choice in the form, or -1 when @s has none (or no row for it yet). */
static int selected(struct qnm_form *f, const struct qnm_schema *s)
{
	struct qnm_row *r = s->selector ? qnm_form_key_row(f, s->selector) : NULL;

	return r ? r->choice : -1;
}

void qnm_form_show_keys(struct qnm_form *f, const struct qnm_schema *s)
{
	int sel = selected(f, s);
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->rows[i].field)
			f->rows[i].hidden = !qnm_key_applies(f->rows[i].field, sel);
}

int qnm_form_read_keys(struct qnm_form *f, const struct qnm_schema *s, void *obj, int only,
		       struct qnm_err *err)
{
	int sel = selected(f, s), ret = 0;
	struct qnm_err e;
	size_t i;

	qnm_form_sync(f);
	for (i = 0; i < f->n; i++) {
		struct qnm_row *r = &f->rows[i];
		const struct qnm_key *k = r->field;

		if (!k)
			continue;
		if (!qnm_key_applies(k, sel) &&
		    (s->clear_hidden || (sel >= 0 && (k->group & QNM_WHEN(sel))))) {
			qnm_key_clear(k, obj);
			continue;
		}
		switch (r->kind) {
		case QNM_ROW_BOOL:
			qnm_key_set_int(k, obj, r->on);
			break;
		case QNM_ROW_CHOICE:
			qnm_key_set_int(k, obj, r->choice);
			break;
		default:
			if (only && only != r->id) {
				qnm_key_set_text(k, obj, r->text, NULL);
				break;
			}
			qnm_err_clear(&e);
			if (qnm_key_set_text(k, obj, r->text, &e) == 0)
				break;
			/* every field's error at once, each under its field; the first in @err */
			if (!only && !r->hidden) {
				free(r->error);
				r->error = xstrdup(e.msg);
			}
			if (!ret && err)
				*err = e;
			ret = -EINVAL;
			break;
		}
	}
	return ret;
}

void qnm_form_screen_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	qnm_form_draw(ui, st, r);
}

unsigned qnm_form_screen_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct qnm_form *f = st;
	unsigned r = QNM_H_HANDLED | QNM_H_REDRAW;

	if (act == QNM_ACT_SAVE)
		f->on_save(ui, f);
	else if (act == QNM_ACT_CANCEL)
		return QNM_H_HANDLED | QNM_H_CLOSE;
	else
		r = qnm_form_key(ui, f, act, key);
	return f->close ? QNM_H_HANDLED | QNM_H_CLOSE : r;
}

void qnm_form_screen_resize(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	qnm_form_resize(st);
}

static int label_width(const struct qnm_form *f)
{
	int w = 8;
	size_t i;

	for (i = 0; i < f->n; i++) {
		int lw;

		if (f->rows[i].hidden || f->rows[i].kind == QNM_ROW_SECTION || !f->rows[i].label)
			continue;
		lw = qnm_text_width(f->rows[i].label);
		if (lw > w)
			w = lw;
	}
	return (w > LABEL_MAX ? LABEL_MAX : w) + 3;
}

/* Lines a message takes when wrapped into @w columns. */
static int msg_lines(const char *msg, int w)
{
	struct qnm_rect r = { 0, 0, 1000, w };

	return msg ? qnm_wrap(NULL, &r, 0, msg) : 0;
}

/* Lines of a row's own text: read-only notes wrap, the others take one. */
static int text_lines(const struct qnm_row *r, int msgw)
{
	int n = r->kind == QNM_ROW_INFO ? msg_lines(r->text, msgw) : 1;

	return n > 0 ? n : 1;
}

static int row_lines(const struct qnm_row *r, int msgw)
{
	if (r->hidden)
		return 0;
	return text_lines(r, msgw) + msg_lines(r->error, msgw) + msg_lines(r->warning, msgw) +
	       (r->kind == QNM_ROW_SECTION ? 1 : 0);
}

static void draw_value(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *r, bool active, int y,
		       int x, int w)
{
	enum qnm_role role = active ? QNM_ROLE_FIELD_ACTIVE : QNM_ROLE_FIELD;
	char buf[512];

	switch (r->kind) {
	case QNM_ROW_TEXT:
		if (active)
			return; /* the editor draws it */
		qnm_set_role(ui, stdscr, role);
		qnm_fill(stdscr, y, x, w);
		qnm_put(stdscr, y, x, w, r->text);
		if (r->pick) {
			qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
			qnm_put(stdscr, y, x + w + 1, 3, "...");
		}
		break;
	case QNM_ROW_CHOICE:
		qnm_set_role(ui, stdscr, role);
		snprintf(buf, sizeof(buf), "< %s >",
			 r->choice >= 0 && (size_t)r->choice < r->nchoices ? r->choices[r->choice]
									   : "?");
		qnm_put(stdscr, y, x, w, buf);
		break;
	case QNM_ROW_BOOL:
		qnm_set_role(ui, stdscr, role);
		qnm_put(stdscr, y, x, w, r->on ? "[x] yes" : "[ ] no");
		break;
	case QNM_ROW_BUTTON:
		qnm_set_role(ui, stdscr, active ? QNM_ROLE_SELECTION : QNM_ROLE_ACCENT);
		snprintf(buf, sizeof(buf), "[ %s ]", r->text);
		qnm_put(stdscr, y, x, w, buf);
		break;
	case QNM_ROW_INFO: /* drawn wrapped by qnm_form_draw() */
	case QNM_ROW_SECTION:
		break;
	}
	(void)f;
}

void qnm_form_draw(struct qnm_ui *ui, struct qnm_form *f, const struct qnm_rect *r)
{
	int lw = label_width(f), vx = r->x + 1 + lw, vw = r->w - lw - 6, msgw = r->w - lw - 3;
	int h = r->h - 2; /* last lines: hint and form error */
	int line = 0, cur_first = 0, cur_last = 0, i;
	int ey = -1;

	if (vw > 60)
		vw = 60;
	if (f->cur < 0 || (size_t)f->cur >= f->n || !focusable(&f->rows[f->cur])) {
		for (i = 0; i < (int)f->n && !focusable(&f->rows[i]); i++)
			;
		set_cur(f, i < (int)f->n ? i : 0);
	}
	/* scroll so the active row and its messages are visible */
	for (i = 0; i < (int)f->n; i++) {
		int n = row_lines(&f->rows[i], msgw);

		if (i == f->cur) {
			cur_first = line;
			cur_last = line + n - 1;
		}
		line += n;
	}
	/* keep the heading right above the active row in view when possible */
	if (f->cur > 0 && f->rows[f->cur - 1].kind == QNM_ROW_SECTION &&
	    !f->rows[f->cur - 1].hidden)
		cur_first -= 2;
	if (cur_first < f->top)
		f->top = cur_first < 0 ? 0 : cur_first;
	if (cur_last >= f->top + h)
		f->top = cur_last - h + 1;
	if (f->top > 0 && line - f->top < h)
		f->top = line - h > 0 ? line - h : 0;

	line = 0;
	for (i = 0; i < (int)f->n; i++) {
		struct qnm_row *row = &f->rows[i];
		int y = r->y + line - f->top;
		bool active = i == f->cur;
		struct qnm_rect mr;

		if (row->hidden)
			continue;
		line += row_lines(row, msgw);
		if (row->kind == QNM_ROW_SECTION) {
			y++;
			if (y >= r->y && y < r->y + h) {
				qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
				qnm_putf(stdscr, y, r->x + 1, r->w - 2, "%s", row->label);
				if (row->text && *row->text) {
					qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
					qnm_putf(stdscr, y, r->x + 2 + qnm_text_width(row->label),
						 r->w - 3 - qnm_text_width(row->label), "%s",
						 row->text);
				}
			}
			continue;
		}
		if (y >= r->y && y < r->y + h) {
			qnm_set_role(ui, stdscr,
				     row->error ? QNM_ROLE_ERROR
				     : active	? QNM_ROLE_ACCENT
						: QNM_ROLE_LABEL);
			if (row->label || active)
				qnm_putf(stdscr, y, r->x + 1, lw, "%s%s", active ? ">" : " ",
					 row->label ? row->label : "");
			draw_value(ui, f, row, active, y, vx, vw);
			if (active && row->kind == QNM_ROW_TEXT)
				ey = y;
		}
		if (row->kind == QNM_ROW_INFO) {
			/* a note (what a backend does, an ACL's state) wraps to the right edge */
			int skip = y < r->y ? r->y - y : 0;

			mr = (struct qnm_rect){ y, vx, text_lines(row, msgw), msgw };
			mr.y += skip;
			mr.h -= skip;
			if (mr.y + mr.h > r->y + h)
				mr.h = r->y + h - mr.y;
			qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
			if (mr.h > 0 && row->text)
				qnm_wrap(stdscr, &mr, skip, row->text);
			y += text_lines(row, msgw) - 1;
		}
		y++;
		qnm_set_role(ui, stdscr, QNM_ROLE_ERROR);
		if (row->error) {
			mr = (struct qnm_rect){ y, vx, 0, msgw };
			mr.h = msg_lines(row->error, msgw);
			if (mr.y < r->y) {
				int skip = r->y - mr.y;

				mr.y = r->y;
				mr.h -= skip;
				if (mr.h > 0)
					qnm_wrap(stdscr, &mr, skip, row->error);
			} else {
				if (mr.y + mr.h > r->y + h)
					mr.h = r->y + h - mr.y;
				if (mr.h > 0)
					qnm_wrap(stdscr, &mr, 0, row->error);
			}
			y += msg_lines(row->error, msgw);
		}
		if (row->warning) {
			qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
			mr = (struct qnm_rect){ y, vx, msg_lines(row->warning, msgw), msgw };
			if (mr.y >= r->y && mr.y + mr.h <= r->y + h)
				qnm_wrap(stdscr, &mr, 0, row->warning);
		}
	}
	/* scroll marks */
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	if (f->top > 0)
		qnm_put(stdscr, r->y, r->x + r->w - 8, 7, "(more)");
	if (line - f->top > h)
		qnm_put(stdscr, r->y + h - 1, r->x + r->w - 8, 7, "(more)");
	/* bottom: form error or the active row's hint */
	qnm_set_role(ui, stdscr, f->error ? QNM_ROLE_ERROR : QNM_ROLE_DIM);
	qnm_fill(stdscr, r->y + r->h - 2, r->x, r->w);
	qnm_fill(stdscr, r->y + r->h - 1, r->x, r->w);
	if (f->error) {
		struct qnm_rect er = { r->y + r->h - 2, r->x + 1, 2, r->w - 2 };

		qnm_wrap(stdscr, &er, 0, f->error);
	} else if (f->cur >= 0 && (size_t)f->cur < f->n && f->rows[f->cur].hint) {
		struct qnm_rect er = { r->y + r->h - 2, r->x + 1, 2, r->w - 2 };

		qnm_wrap(stdscr, &er, 0, f->rows[f->cur].hint);
	}
	/* the text editor sits on the active text row */
	if (ey >= 0) {
		struct qnm_row *row = &f->rows[f->cur];

		if (f->ed &&
		    (f->ed_row != f->cur || f->ed_y != ey || f->ed_x != vx || f->ed_w != vw))
			close_editor(f);
		if (!f->ed) {
			f->ed = qnm_edit_new(stdscr, ey, vx, vw, row->text, row->maxlen,
					     f->ed_cursor);
			f->ed_row = f->cur;
			f->ed_y = ey;
			f->ed_x = vx;
			f->ed_w = vw;
		}
		if (f->ed)
			qnm_edit_draw(f->ed, qnm_attr(ui, QNM_ROLE_FIELD_ACTIVE));
	} else if (f->ed) {
		close_editor(f);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

/* The next focusable row in direction @dir; Tab wraps around when @wrap. */
static int step_wrap(struct qnm_form *f, int from, int dir, bool wrap)
{
	int i, n = (int)f->n, k;

	for (k = 1; k < n; k++) {
		i = from + dir * k;
		if (!wrap && (i < 0 || i >= n))
			break;
		i = ((i % n) + n) % n;
		if (focusable(&f->rows[i]))
			return i;
	}
	return from;
}

static int step(struct qnm_form *f, int from, int dir)
{
	return step_wrap(f, from, dir, false);
}

static void choice_step(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *r, int dir)
{
	if (!r->nchoices)
		return;
	r->choice = (int)((r->choice + dir + (int)r->nchoices) % (int)r->nchoices);
	if (f->on_change)
		f->on_change(ui, f, r);
}

static void picked(struct qnm_ui *ui, void *data, int index)
{
	struct qnm_form *f = data;
	struct qnm_row *r;

	if (index < 0 || f->cur < 0 || (size_t)f->cur >= f->n)
		return;
	r = &f->rows[f->cur];
	if (r->kind != QNM_ROW_CHOICE || (size_t)index >= r->nchoices)
		return;
	r->choice = index;
	if (f->on_change)
		f->on_change(ui, f, r);
}

static void drop_error(struct qnm_row *r)
{
	free(r->error);
	r->error = NULL;
}

unsigned qnm_form_key(struct qnm_ui *ui, struct qnm_form *f, enum qnm_action act, int key)
{
	struct qnm_row *r = f->n ? &f->rows[f->cur] : NULL;
	unsigned done = QNM_H_HANDLED | QNM_H_REDRAW;

	if (!r)
		return QNM_H_IGNORED;
	/* the editor gets its keys first; Tab, Enter, Esc, F-keys stay actions */
	if (r->kind == QNM_ROW_TEXT && f->ed && f->ed_row == f->cur) {
		char *was = xstrdup(r->text ? r->text : "");
		bool used = qnm_edit_key(f->ed, key);

		if (used) {
			qnm_form_sync(f);
			/* an error is about the value it was shown for: edited, it goes */
			if (strcmp(was, r->text ? r->text : "") != 0)
				drop_error(r);
		}
		free(was);
		if (used)
			return done;
	}
	switch (act) {
	case QNM_ACT_NEXT_FIELD:
		set_cur(f, step_wrap(f, f->cur, 1, key == '\t'));
		return done;
	case QNM_ACT_PREV_FIELD:
		set_cur(f, step_wrap(f, f->cur, -1, key == QNM_KEY_FN + KEY_BTAB));
		return done;
	case QNM_ACT_PAGE_DOWN:
	case QNM_ACT_PAGE_UP: {
		int i, k = f->cur;

		for (i = 0; i < 8; i++)
			k = step(f, k, act == QNM_ACT_PAGE_DOWN ? 1 : -1);
		set_cur(f, k);
		return done;
	}
	case QNM_ACT_PREV_CHOICE:
	case QNM_ACT_NEXT_CHOICE:
		if (r->kind == QNM_ROW_CHOICE || r->kind == QNM_ROW_BOOL)
			drop_error(r);
		if (r->kind == QNM_ROW_CHOICE)
			choice_step(ui, f, r, act == QNM_ACT_NEXT_CHOICE ? 1 : -1);
		else if (r->kind == QNM_ROW_BOOL) {
			r->on = !r->on;
			if (f->on_change)
				f->on_change(ui, f, r);
		} else if (r->kind == QNM_ROW_BUTTON && key == ' ' && f->on_activate)
			f->on_activate(ui, f, r);
		return done;
	case QNM_ACT_ENTER:
		switch (r->kind) {
		case QNM_ROW_CHOICE:
			qnm_pick(ui, r->label, r->choices, NULL, r->nchoices, r->choice, picked, f);
			return done;
		case QNM_ROW_BOOL:
			drop_error(r);
			r->on = !r->on;
			if (f->on_change)
				f->on_change(ui, f, r);
			return done;
		case QNM_ROW_BUTTON:
			if (f->on_activate)
				f->on_activate(ui, f, r);
			return done;
		case QNM_ROW_TEXT:
			if (r->pick && f->on_activate) {
				qnm_form_sync(f);
				f->on_activate(ui, f, r);
			} else {
				set_cur(f, step(f, f->cur, 1));
			}
			return done;
		default:
			return done;
		}
	default:
		break;
	}
	/* 'q' and '?' are text inside a text field, and also ignored on others */
	if (qnm_key_is_text(key) && key != 'q' && key != '?')
		return QNM_H_HANDLED;
	return QNM_H_IGNORED;
}
