// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stack.c - the stack of open screens: push, pop, switch, find. Screens and
 * dialogs open each other through it; the main loop (ui.c) draws its top.
 */
#include "build-config.h"

#include "uipriv.h"

struct qnm_rect qnm_ui_body(const struct qnm_ui *ui)
{
	struct qnm_rect r = { 1, 0, ui->rows - 3, ui->cols };

	return r;
}

int qnm_ui_push(struct qnm_ui *ui, const struct qnm_screen_ops *ops, void *arg)
{
	void *st;

	if (ui->depth >= QNM_STACK_MAX) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "too many screens open; press Esc to go back first");
		return -1;
	}
	st = ops->init(ui, arg);
	if (!st)
		return -1;
	ui->stack[ui->depth].ops = ops;
	ui->stack[ui->depth].st = st;
	ui->depth++;
	ui->redraw = true;
	return 0;
}

void qnm_ui_pop(struct qnm_ui *ui)
{
	struct qnm_stack_entry *e;

	if (ui->depth <= 1)
		return;
	e = &ui->stack[--ui->depth];
	e->ops->free(e->st);
	e->ops = NULL;
	e->st = NULL;
	ui->redraw = true;
}

void qnm_ui_pop_all(struct qnm_ui *ui)
{
	while (ui->depth > 0) {
		struct qnm_stack_entry *e = &ui->stack[--ui->depth];

		e->ops->free(e->st);
	}
}

void qnm_ui_switch(struct qnm_ui *ui, const struct qnm_screen_ops *ops)
{
	void *st;

	if (ui->depth == 1 && ui->stack[0].ops == ops)
		return;
	st = ops->init(ui, NULL);
	if (!st)
		return;
	qnm_ui_pop_all(ui);
	ui->stack[0].ops = ops;
	ui->stack[0].st = st;
	ui->depth = 1;
	ui->redraw = true;
}

void *qnm_ui_find(struct qnm_ui *ui, const struct qnm_screen_ops *ops)
{
	int i;

	for (i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i].ops == ops)
			return ui->stack[i].st;
	return NULL;
}
