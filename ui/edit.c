// SPDX-License-Identifier: GPL-2.0-or-later
/* edit.c - one-line text editing through the curses form library. */
#include "build-config.h"

#include "edit.h"

#include <form.h>
#include <stdlib.h>
#include <string.h>

/**
 * struct qnm_edit - the editor.
 * @form:  a form with the single field @field[0].
 * @field: NULL-terminated field array the form points to.
 * @sub:   the 1-row subwindow the form draws in.
 * @win:   the window @sub belongs to.
 */
struct qnm_edit {
	FORM *form;
	FIELD *field[2];
	WINDOW *sub;
	WINDOW *win;
};

void qnm_edit_free(struct qnm_edit *e)
{
	if (!e)
		return;
	if (e->form) {
		unpost_form(e->form);
		free_form(e->form);
	}
	if (e->field[0])
		free_field(e->field[0]);
	if (e->sub)
		delwin(e->sub);
	free(e);
}

struct qnm_edit *qnm_edit_new(WINDOW *win, int y, int x, int w, const char *text, int maxlen,
			      int cursor)
{
	struct qnm_edit *e = xcalloc(1, sizeof(*e));
	int i;

	if (w < 2)
		goto fail;
	e->win = win;
	e->field[0] = new_field(1, w, 0, 0, 0, 0);
	if (!e->field[0])
		goto fail;
	field_opts_off(e->field[0], O_STATIC | O_AUTOSKIP | O_BLANK | O_WRAP);
	set_max_field(e->field[0], maxlen);
	set_field_buffer(e->field[0], 0, text ? text : "");
	e->form = new_form(e->field);
	e->sub = derwin(win, 1, w, y, x);
	if (!e->form || !e->sub)
		goto fail;
	set_form_win(e->form, win);
	set_form_sub(e->form, e->sub);
	if (post_form(e->form) != E_OK)
		goto fail;
	form_driver(e->form, REQ_END_LINE);
	if (cursor >= 0) {
		form_driver(e->form, REQ_BEG_LINE);
		for (i = 0; i < cursor; i++)
			if (form_driver(e->form, REQ_NEXT_CHAR) != E_OK)
				break;
	}
	return e;
fail:
	qnm_edit_free(e);
	return NULL;
}

void qnm_edit_draw(struct qnm_edit *e, attr_t attr)
{
	int col = qnm_edit_cursor(e), i;

	set_field_back(e->field[0], attr);
	set_field_fore(e->field[0], attr);

	/* the screen was erased: post again so the field is drawn again */
	unpost_form(e->form);
	post_form(e->form);
	form_driver(e->form, REQ_BEG_LINE);
	for (i = 0; i < col; i++)
		if (form_driver(e->form, REQ_NEXT_CHAR) != E_OK)
			break;
	pos_form_cursor(e->form);
	curs_set(1);
}

static int request_of(int key)
{
	switch (key) {
	case QNM_KEY_FN + KEY_LEFT:
		return REQ_LEFT_CHAR;
	case QNM_KEY_FN + KEY_RIGHT:
		return REQ_RIGHT_CHAR;
	case QNM_KEY_FN + KEY_HOME:
	case 1: /* ^A */
		return REQ_BEG_LINE;
	case QNM_KEY_FN + KEY_END:
	case 5: /* ^E */
		return REQ_END_LINE;
	case QNM_KEY_FN + KEY_BACKSPACE:
	case 127:
	case 8:
		return REQ_DEL_PREV;
	case QNM_KEY_FN + KEY_DC:
		return REQ_DEL_CHAR;
	case 11: /* ^K */
		return REQ_CLR_EOL;
	case 21: /* ^U */
		return REQ_CLR_FIELD;
	default:
		return 0;
	}
}

bool qnm_edit_key(struct qnm_edit *e, int key)
{
	int req = request_of(key);

	if (req) {
		if (req == REQ_DEL_PREV && qnm_edit_cursor(e) == 0)
			return true; /* nothing before the cursor (libform would beep) */
		form_driver(e->form, req);
		form_driver(e->form, REQ_VALIDATION); /* window -> buffer, kept across redraws */
		return true;
	}
	if (qnm_key_is_text(key)) {
		form_driver_w(e->form, OK, (wchar_t)key);
		form_driver(e->form, REQ_VALIDATION);
		return true;
	}
	return false;
}

char *qnm_edit_text(struct qnm_edit *e)
{
	char *s, *end;

	form_driver(e->form, REQ_VALIDATION);
	s = xstrdup(field_buffer(e->field[0], 0));
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

int qnm_edit_cursor(struct qnm_edit *e)
{
	return e->form->curcol;
}
