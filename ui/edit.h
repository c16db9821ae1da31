/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * edit.h - a one-line text editor on top of the curses form library: one
 * FORM with one FIELD, placed on the row being edited. Forms keep the
 * values themselves; the editor is opened on the active field only, so a
 * resize or a relayout never loses typed text (qnm_edit_text() first).
 */
#ifndef QNM_UI_EDIT_H
#define QNM_UI_EDIT_H

#include "uipriv.h"

struct qnm_edit;

/**
 * qnm_edit_new() - an editor of @w columns at (@y, @x) of @win.
 * @text:   initial text (UTF-8).
 * @maxlen: most characters accepted.
 * @cursor: initial cursor column, or -1 for the end of the text.
 * Return: the editor, or NULL when curses refused (too narrow); free with
 * qnm_edit_free().
 */
struct qnm_edit *qnm_edit_new(WINDOW *win, int y, int x, int w, const char *text, int maxlen,
			      int cursor);
void qnm_edit_free(struct qnm_edit *e);

/** qnm_edit_draw() - draw the field in @attr and put the cursor in it. */
void qnm_edit_draw(struct qnm_edit *e, attr_t attr);

/**
 * qnm_edit_key() - feed a key: characters, Left/Right, Home/End,
 * Backspace, Delete, ^U (clear), ^K (kill to end).
 * Return: true when the key was an editing key.
 */
bool qnm_edit_key(struct qnm_edit *e, int key);

/** qnm_edit_text() - the current text, trailing blanks removed (caller frees). */
char *qnm_edit_text(struct qnm_edit *e);

/** qnm_edit_cursor() - the cursor's character offset in the text. */
int qnm_edit_cursor(struct qnm_edit *e);

#endif
