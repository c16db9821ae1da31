/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qform.h - data-entry forms: a list of rows bound to the fields of a
 * model object copy, with the error of each field shown under it.
 *
 * A form screen builds the rows from its copy, lets the user edit them,
 * then on save parses the rows back into the copy, validates it with the
 * engine's qnm_check_*() and puts each error at the row whose @key matches
 * qnm_err.field. Nothing touches the model until the whole copy is valid.
 */
#ifndef QNM_UI_QFORM_H
#define QNM_UI_QFORM_H

#include "core/schema.h"
#include "edit.h"
#include "uipriv.h"

/** enum qnm_row_kind - what a form row holds. */
enum qnm_row_kind {
	QNM_ROW_TEXT,	 /* one line of text */
	QNM_ROW_CHOICE,	 /* one of @choices (Left/Right, Enter picks from a list) */
	QNM_ROW_BOOL,	 /* yes/no (Space toggles) */
	QNM_ROW_BUTTON,	 /* an action (Enter presses it) */
	QNM_ROW_SECTION, /* a heading, not focusable */
	QNM_ROW_INFO,	 /* read-only text, not focusable */
};

/**
 * struct qnm_row - one row.
 * @kind:     what it is.
 * @id:       the screen's own number for the row.
 * @key:      the field name errors use ("memory", "nic[n0].mac"), or NULL.
 * @label:    left column text.
 * @hint:     help for the row, shown at the bottom while it is active.
 * @text:     TEXT/INFO/BUTTON: the value (owned).
 * @maxlen:   TEXT: longest value in characters.
 * @pick:     TEXT: Enter calls the form's @on_activate (a list to pick from).
 * @choices:  CHOICE: the values; @nchoices of them; @choice the current one.
 * @on:       BOOL: the value.
 * @field:    the schema key the row edits (qnm_form_add_keys()), or NULL.
 * @hidden:   not shown (e.g. options of another backend).
 * @error:    error to show under the row (owned), or NULL.
 * @warning:  warning to show under the row (owned), or NULL.
 */
struct qnm_row {
	enum qnm_row_kind kind;
	int id;
	const char *key;
	const char *label;
	const char *hint;
	char *text;
	int maxlen;
	bool pick;
	const char *const *choices;
	size_t nchoices;
	int choice;
	bool on;
	const struct qnm_key *field;
	bool hidden;
	char *error;
	char *warning;
};

struct qnm_form;

/**
 * struct qnm_form - a form.
 * @rows:        the rows, @n of them.
 * @cur:         index of the active row.
 * @top:         first screen line shown (scrolling).
 * @ed:          the text editor, open on @rows[@ed_row] while it is active.
 * @ed_cursor:   cursor to restore when the editor is reopened.
 * @error:       an error that belongs to no row (owned), or NULL.
 * @on_change:   called after a CHOICE/BOOL row changed value.
 * @on_activate: called for Enter on a BUTTON or a @pick TEXT row.
 * @on_save:     a form screen's Save key (F2): check and keep the copy,
 *               setting @close when done (see qnm_form_screen_key()).
 * @close:       a form screen closes after this key (saved, or Cancel).
 * @data:        for the callbacks.
 * @ed_y, @ed_x, @ed_w: where @ed was opened.
 */
struct qnm_form {
	struct qnm_row *rows;
	size_t n, cap;
	int cur;
	int top;
	struct qnm_edit *ed;
	int ed_row;
	int ed_cursor;
	int ed_y, ed_x, ed_w;
	char *error;
	void (*on_change)(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row);
	void (*on_activate)(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row);
	void (*on_save)(struct qnm_ui *ui, struct qnm_form *f);
	bool close;
	void *data;
};

void qnm_form_init(struct qnm_form *f);
void qnm_form_clear(struct qnm_form *f);

/** qnm_form_add() - append a row (strings copied except key/label/hint/choices). */
struct qnm_row *qnm_form_add(struct qnm_form *f, enum qnm_row_kind kind, int id, const char *key,
			     const char *label, const char *text);

/** qnm_form_row() - the row with @id, or NULL. */
struct qnm_row *qnm_form_row(struct qnm_form *f, int id);
/** qnm_form_text() - the text of row @id ("" when none). */
const char *qnm_form_text(struct qnm_form *f, int id);
/** qnm_form_set_text() - replace the text of row @id. */
void qnm_form_set_text(struct qnm_form *f, int id, const char *text);

/** qnm_form_sync() - store what the editor holds into its row. */
void qnm_form_sync(struct qnm_form *f);

/** qnm_form_clear_errors() - remove every error and the form error. */
void qnm_form_clear_errors(struct qnm_form *f);

/**
 * qnm_form_set_error() - show @err at the row whose key is @err->field
 * (and make it active); errors that match no row go to the form error.
 */
void qnm_form_set_error(struct qnm_form *f, const struct qnm_err *err);

/** qnm_form_set_warning() - a warning under row @id (NULL clears). */
void qnm_form_set_warning(struct qnm_form *f, int id, const char *msg);

/** qnm_form_focus() - make row @id active. */
void qnm_form_focus(struct qnm_form *f, int id);

/** qnm_form_draw() - draw the form into @r of stdscr. */
void qnm_form_draw(struct qnm_ui *ui, struct qnm_form *f, const struct qnm_rect *r);

/** qnm_form_key() - editing and moving; QNM_H_* bits (ignored keys: 0). */
unsigned qnm_form_key(struct qnm_ui *ui, struct qnm_form *f, enum qnm_action act, int key);

/** qnm_form_resize() - the terminal size changed (the editor is reopened). */
void qnm_form_resize(struct qnm_form *f);

/**
 * qnm_form_copy_text() - store the text of a row into a fixed-size field.
 * @dst:  the field; @size its size in bytes, the terminating NUL included.
 * @text: the row's text.
 * @key:  the field name, for the error.
 * @err:  filled when @text does not fit ("KEY: at most N characters").
 *
 * Return: 0, or -EINVAL (@dst unchanged).
 */
int qnm_form_copy_text(char *dst, size_t size, const char *text, const char *key,
		       struct qnm_err *err);

/*
 * Rows bound to schema keys (core/schema.h): the label, the hint, the kind
 * of row and how its text goes into the object all come from the key. A
 * key's row has the id QNM_ROW_KEY + its index in the schema.
 */
#define QNM_ROW_KEY 0x10000

/**
 * qnm_form_add_keys() - append a row for each key of @s from @first to
 * @last (by name, in schema order; @last NULL: to the end), showing their
 * values in @obj, then hide those that do not apply (qnm_form_show_keys()).
 */
void qnm_form_add_keys(struct qnm_form *f, const struct qnm_schema *s, const void *obj,
		       const char *first, const char *last);

/** qnm_form_key_row() - the row of key @name, or NULL. */
struct qnm_row *qnm_form_key_row(struct qnm_form *f, const char *name);

/** qnm_row_is_key() - true when @row edits the key @name. */
bool qnm_row_is_key(const struct qnm_row *row, const char *name);

/**
 * qnm_form_show_keys() - hide the rows of keys that do not apply to the
 * choice in the row of @s's selector (a NIC's backend, a VM's boot source).
 */
void qnm_form_show_keys(struct qnm_form *f, const struct qnm_schema *s);

/**
 * qnm_form_read_keys() - write the key rows into @obj. A key that does not
 * apply to the selector's choice is cleared when @s says so (or its option
 * group is the chosen one's), otherwise written as shown.
 * @only: the id of the one row whose errors count (errors of the others
 *        leave their fields as they were), or 0 for all rows: then every
 *        row whose value is refused gets its error under it, all at once.
 * Return: 0, or -EINVAL with @err naming the first refused key
 *         (qnm_key_set_text()).
 */
int qnm_form_read_keys(struct qnm_form *f, const struct qnm_schema *s, void *obj, int only,
		       struct qnm_err *err);

/*
 * Form screens: the glue between a screen and its form. The screen's state
 * must begin with its struct qnm_form (so @st is also the form); a screen
 * without keys of its own uses these three as its draw, key and resize.
 */

/** qnm_form_screen_draw() - draw the form that begins @st into @r. */
void qnm_form_screen_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r);

/**
 * qnm_form_screen_key() - the keys every form screen shares.
 * @ui:  the UI.
 * @st:  the screen's state, beginning with its struct qnm_form.
 * @act: the action bound to @key.
 * @key: the key pressed.
 *
 * Save (F2) calls the form's @on_save, Cancel (Esc) closes the screen, any
 * other key goes to qnm_form_key(); a form whose @close got set closes.
 *
 * Return: QNM_H_* bits.
 */
unsigned qnm_form_screen_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key);

/** qnm_form_screen_resize() - the terminal size changed (see qnm_form_resize()). */
void qnm_form_screen_resize(struct qnm_ui *ui, void *st, const struct qnm_rect *r);

#endif
