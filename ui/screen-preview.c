// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-preview.c - the exact QEMU command line of a VM, shell-quoted, in
 * both NIC styles (-netdev/-device and -nic), with a key to write it to a
 * file.
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
 * @text:  the command line per style (owned), or the error.
 * @ok:    the command line could be made, per style.
 * @style: the style shown first and written by 'w'.
 * @top:   scroll.
 */
struct preview {
	char name[QNM_NAME_MAX + 1];
	char *text[2];
	bool ok[2];
	int style;
	int top, page;
};

static void render(struct qnm_ui *ui, struct preview *s)
{
	struct qnm_vm *vm = qnm_model_find_vm(&ui->ctx->model, s->name);
	int k;

	for (k = 0; k < 2; k++) {
		struct qnm_strv argv;
		struct qnm_err err;

		free(s->text[k]);
		s->text[k] = NULL;
		s->ok[k] = false;
		if (!vm) {
			s->text[k] = xasprintf("VM %s no longer exists", s->name);
			continue;
		}
		qnm_strv_init(&argv);
		qnm_err_clear(&err);
		if (qnm_api_vm_cmdline(ui->ctx, vm, k != 0, &argv, &err)) {
			s->text[k] = xasprintf("Cannot make the command line: %s", err.msg);
		} else {
			s->text[k] = qnm_argv_to_shell(argv.v);
			s->ok[k] = true;
		}
		qnm_strv_free(&argv);
	}
}

static void *preview_init(struct qnm_ui *ui, void *arg)
{
	struct preview *s = xcalloc(1, sizeof(*s));

	qnm_strlcpy(s->name, arg, sizeof(s->name));
	render(ui, s);
	return s;
}

static void preview_free(void *st)
{
	struct preview *s = st;

	free(s->text[0]);
	free(s->text[1]);
	free(s);
}

static const char *const style_names[] = { "-netdev/-device style", "-nic style" };

static void preview_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct preview *s = st;
	struct qnm_rect t;
	int y = r->y - s->top, k, n;

	s->page = r->h;
	render(ui, s);
	for (k = 0; k < 2; k++) {
		int style = k ? 1 - s->style : s->style;

		qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
		if (y >= r->y && y < r->y + r->h)
			qnm_putf(stdscr, y, r->x + 1, r->w - 2, "%s %s%s", s->name,
				 style_names[style], k ? "" : "  (w writes this one, y switches)");
		y++;
		qnm_set_role(ui, stdscr, s->ok[style] ? QNM_ROLE_NORMAL : QNM_ROLE_ERROR);
		t = (struct qnm_rect){ y, r->x + 2, 0, r->w - 4 };
		n = qnm_wrap(NULL, &t, 0, s->text[style]);
		if (y < r->y) {
			int skip = r->y - y;

			t.y = r->y;
			t.h = n - skip;
			if (t.h > r->h)
				t.h = r->h;
			if (t.h > 0)
				qnm_wrap(stdscr, &t, skip, s->text[style]);
		} else {
			t.h = r->y + r->h - y;
			if (t.h > 0)
				qnm_wrap(stdscr, &t, 0, s->text[style]);
		}
		y += n + 1;
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	if (y < r->y + r->h)
		qnm_put(stdscr, y, r->x + 1, r->w - 2,
			"Copy and paste it into a shell to run the guest by hand.");
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
		char *content = xasprintf(
			"#!/bin/sh\n# QEMU command line written by qnm\nexec %s\n", w->text);

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
		break;
	case QNM_ACT_UP:
		if (s->top > 0)
			s->top--;
		break;
	case QNM_ACT_DOWN:
		s->top++;
		break;
	case QNM_ACT_HOME:
		s->top = 0;
		break;
	case QNM_ACT_WRITE:
		if (!s->ok[s->style]) {
			qnm_ui_log(ui, QNM_MSG_ERROR, "nothing to write: %s", s->text[s->style]);
			break;
		}
		w = xcalloc(1, sizeof(*w));
		w->text = xstrdup(s->text[s->style]);
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
