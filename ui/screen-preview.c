// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-preview.c - what runs for a VM, as a script to paste into a shell:
 * the slirp helpers' commands, then QEMU's exact argv, in lines of the
 * screen's width with backslash continuations (qnm_api_vm_script()), in
 * either NIC style (-netdev/-device or -nic), with a key to write it to a
 * file. Lines start at the screen's first column: a terminal's copy of
 * them pastes back as the same commands.
 */
#include "build-config.h"

#include "api/vm.h"
#include "core/config.h"
#include "uipriv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/**
 * struct preview - state of the command preview.
 * @name:  the VM.
 * @text:  the script of the style shown (owned), or the error.
 * @ok:    the script could be made.
 * @style: 0: -netdev/-device, 1: -nic; 'y' switches, 'w' writes it.
 * @width: the width @text was made for.
 * @top:   first line shown; @page lines fit.
 */
struct preview {
	char name[QNM_NAME_MAX + 1];
	char *text;
	bool ok;
	int style;
	int width;
	int top, page;
};

static void render(struct qnm_ui *ui, struct preview *s, int width)
{
	struct qnm_vm *vm = qnm_model_find_vm(&ui->ctx->model, s->name);
	struct qnm_err err;

	free(s->text);
	s->text = NULL;
	s->ok = false;
	s->width = width;
	if (!vm) {
		s->text = xasprintf("VM %s no longer exists", s->name);
		return;
	}
	qnm_err_clear(&err);
	s->text = qnm_api_vm_script(ui->ctx, vm, s->style != 0, (size_t)width, &err);
	if (s->text)
		s->ok = true;
	else
		s->text = xasprintf("Cannot make the command line: %s", err.msg);
}

static void *preview_init(struct qnm_ui *ui, void *arg)
{
	struct preview *s = xcalloc(1, sizeof(*s));

	qnm_strlcpy(s->name, arg, sizeof(s->name));
	render(ui, s, 80);
	return s;
}

static void preview_free(void *st)
{
	struct preview *s = st;

	free(s->text);
	free(s);
}

static const char *const style_names[] = { "-netdev/-device style", "-nic style" };

/* How many lines @text has. */
static int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void preview_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct preview *s = st;
	const char *p;
	int y, n, line = 0;

	/* made for the width shown, so that no line is cut or wrapped by the screen */
	render(ui, s, r->w < 20 ? 20 : r->w);
	s->page = r->h - 2;
	n = count_lines(s->text);
	if (s->top > n - s->page)
		s->top = n - s->page > 0 ? n - s->page : 0;
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	qnm_putf(stdscr, r->y, r->x + 1, r->w - 2, "%s, %s: y switches, w writes it to a file",
		 s->name, style_names[s->style]);
	qnm_set_role(ui, stdscr, s->ok ? QNM_ROLE_NORMAL : QNM_ROLE_ERROR);
	y = r->y + 1;
	for (p = s->text; *p && y < r->y + 1 + s->page; line++) {
		size_t len = strcspn(p, "\n");

		if (line >= s->top) {
			/* at the first column: a copy of the screen is the script */
			mvwaddnstr(stdscr, y, r->x, p,
				   (int)(len < (size_t)r->w ? len : (size_t)r->w));
			y++;
		}
		p += len + (p[len] == '\n');
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(
		stdscr, r->y + r->h - 1, r->x + 1, r->w - 2, "%s",
		n > s->page
			? (s->top + s->page < n
				   ? "(more: Down/PgDn) Paste the lines into a shell to run the guest by hand."
				   : "(end; Up/PgUp) Paste the lines into a shell to run the guest by hand.")
			: "Paste the lines into a shell to run the guest by hand.");
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

struct write_ctx {
	char *text;
};

static void write_answer(struct qnm_ui *ui, void *data, const char *path)
{
	struct write_ctx *w = data;
	struct qnm_err err;

	if (path && *path) {
		char *content =
			xasprintf("#!/bin/sh\n# written by qnm: runs the VM by hand\n%s", w->text);

		qnm_err_clear(&err);
		if (qnm_atomic_write(path, content, strlen(content), 0755, &err))
			qnm_ui_log(ui, QNM_MSG_ERROR, "write %s: %s", path, err.msg);
		else
			qnm_ui_log(ui, QNM_MSG_OK, "command line written to %s", path);
		free(content);
	}
	free(w->text);
	free(w);
}

static unsigned preview_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct preview *s = st;
	struct write_ctx *w;
	char cwd[1024], def[1200];

	switch (act) {
	case QNM_ACT_STYLE:
		s->style = 1 - s->style;
		s->top = 0;
		break;
	case QNM_ACT_UP:
		if (s->top > 0)
			s->top--;
		break;
	case QNM_ACT_DOWN:
		s->top++;
		break;
	case QNM_ACT_PAGE_UP:
		s->top = s->top > s->page ? s->top - s->page : 0;
		break;
	case QNM_ACT_PAGE_DOWN:
		s->top += s->page;
		break;
	case QNM_ACT_HOME:
		s->top = 0;
		break;
	case QNM_ACT_END:
		s->top = count_lines(s->text);
		break;
	case QNM_ACT_WRITE:
		if (!s->ok) {
			qnm_ui_log(ui, QNM_MSG_ERROR, "nothing to write: %s", s->text);
			break;
		}
		w = xcalloc(1, sizeof(*w));
		w->text = xstrdup(s->text);
		if (!getcwd(cwd, sizeof(cwd)))
			qnm_strlcpy(cwd, "/tmp", sizeof(cwd));
		snprintf(def, sizeof(def), "%s/%s-qemu.sh", cwd, s->name);
		qnm_ask(ui, "Write command line", "File to write (a shell script):", def,
			write_answer, w);
		break;
	default:
		return QNM_H_IGNORED;
	}
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_preview = {
	.id = QNM_SCR_PREVIEW,
	.init = preview_init,
	.free = preview_free,
	.draw = preview_draw,
	.key = preview_key,
};
