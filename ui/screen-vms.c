// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-vms.c - the VMs list: name, state, memory, CPUs, NICs; new, edit,
 * clone, delete, start/stop, command line, topology.
 */
#include "build-config.h"

#include "cmdline.h"
#include "config.h"
#include "uipriv.h"
#include "validate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/**
 * struct vms - state of the VMs screen.
 * @list: cursor, scroll and filter.
 * @idx:  model index of each shown row (after the filter), @list.n of them.
 * @page: rows that fit.
 */
struct vms {
	struct qnm_list list;
	size_t *idx;
	int page;
};

static void *vms_init(struct qnm_ui *ui, void *arg)
{
	return xcalloc(1, sizeof(struct vms));
}

static void vms_free(void *st)
{
	struct vms *s = st;

	free(s->idx);
	free(s);
}

static void nic_summary(const struct qnm_vm *vm, char *buf, size_t size)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	for (i = 0; i < vm->nnics; i++)
		qnm_sb_addf(&sb, "%s%s/%s", i ? ", " : "", vm->nics[i].model,
			    qnm_backend_name(vm->nics[i].backend));
	if (!vm->nnics)
		qnm_sb_add(&sb, "(no NIC)");
	qnm_strlcpy(buf, sb.s, size);
	qnm_sb_free(&sb);
}

static void refilter(struct qnm_ui *ui, struct vms *s)
{
	const struct qnm_model *m = &ui->ctx->model;
	size_t i;

	free(s->idx);
	s->idx = xcalloc(m->nvms + 1, sizeof(*s->idx));
	s->list.n = 0;
	for (i = 0; i < m->nvms; i++) {
		char nics[256];

		nic_summary(m->vms[i], nics, sizeof(nics));
		if (qnm_list_match(&s->list, m->vms[i]->name) || qnm_list_match(&s->list, nics))
			s->idx[s->list.n++] = i;
	}
	qnm_list_fix(&s->list, s->page);
}

/** The selected VM, or NULL. */
static struct qnm_vm *selected(struct qnm_ui *ui, struct vms *s)
{
	if (s->list.n <= 0 || s->list.sel >= s->list.n)
		return NULL;
	if (s->idx[s->list.sel] >= ui->ctx->model.nvms)
		return NULL;
	return ui->ctx->model.vms[s->idx[s->list.sel]];
}

static void vms_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct vms *s = st;
	const struct qnm_model *m = &ui->ctx->model;
	int y = r->y, namew = 18, i;
	int nicw = r->w - namew - 9 - 8 - 5 - 2;

	s->page = r->h - 4;
	refilter(ui, s);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, y, r->x, r->w);
	qnm_putf(stdscr, y, r->x, r->w, " %-*s %-8s %7s %4s  %s", namew - 1, "NAME", "STATE",
		 "MEMORY", "CPUS", "NICS (model/backend)");
	y++;
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
	if (m->nvms == 0) {
		struct qnm_rect t = { y + 1, r->x + 2, r->h - 4, r->w - 4 };

		qnm_wrap(stdscr, &t, 0,
			 "No VMs yet. Press n to create one: give it a name, then add a network card "
			 "(F4 in the form), pick its model and backend, and save with F2. "
			 "Press p on a VM to see its QEMU command line, m for its network topology, "
			 "F1 for all keys.");
	}
	for (i = 0; i < s->page && s->list.top + i < s->list.n; i++) {
		const struct qnm_vm *vm = m->vms[s->idx[s->list.top + i]];
		bool sel = s->list.top + i == s->list.sel;
		char nics[256];
		int x = r->x;

		nic_summary(vm, nics, sizeof(nics));
		qnm_set_role(ui, stdscr, sel ? QNM_ROLE_SELECTION : QNM_ROLE_NORMAL);
		qnm_fill(stdscr, y + i, r->x, r->w);
		x += qnm_putf(stdscr, y + i, x, namew, " %s", vm->name);
		x = r->x + namew;
		if (!sel)
			qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
		/* The guest runner (src/runner.h) has not landed: no state to show. */
		qnm_put(stdscr, y + i, x, 8, "n/a");
		x += 9;
		if (!sel)
			qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		qnm_putf(stdscr, y + i, x, 8, "%4u MiB", vm->memory_mb);
		x += 8;
		qnm_putf(stdscr, y + i, x, 5, "%4u", vm->cpus);
		x += 6;
		qnm_put(stdscr, y + i, x, nicw, nics);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	qnm_putf(stdscr, r->y + r->h - 2, r->x + 1, r->w - 2,
		 "%zu VM(s). State/start/stop: the guest runner is not in this build yet.",
		 m->nvms);
	qnm_list_draw_filter(ui, &s->list, r->y + r->h - 1, r->x, r->w);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

struct del_ctx {
	char name[QNM_NAME_MAX + 1];
};

static void delete_answer(struct qnm_ui *ui, void *data, bool yes)
{
	struct del_ctx *d = data;
	struct qnm_err err;
	struct qnm_vm *vm;

	if (yes) {
		qnm_err_clear(&err);
		if (qnm_config_delete_vm(&ui->ctx->paths, d->name, &err)) {
			qnm_ui_log(ui, QNM_MSG_ERROR, "delete %s: %s", d->name, err.msg);
		} else {
			vm = qnm_model_remove_vm(&ui->ctx->model, d->name);
			qnm_vm_free(vm);
			qnm_ui_log(ui, QNM_MSG_OK, "VM %s deleted", d->name);
		}
	}
	free(d);
}

static void clone_answer(struct qnm_ui *ui, void *data, const char *name)
{
	struct del_ctx *d = data;
	struct qnm_vm *src = qnm_model_find_vm(&ui->ctx->model, d->name), *vm;
	struct qnm_err err;
	size_t i;

	if (!name || !src) {
		free(d);
		return;
	}
	qnm_err_clear(&err);
	vm = qnm_vm_copy(src);
	qnm_strlcpy(vm->name, name, sizeof(vm->name));
	if (!qnm_valid_name(name) || strlen(name) > QNM_NAME_MAX) {
		qnm_ui_log(ui, QNM_MSG_ERROR,
			   "clone: '%s' is not a valid VM name (1-%d letters, digits, '_', '-', '.')",
			   name, QNM_NAME_MAX);
	} else if (qnm_model_find_vm(&ui->ctx->model, name)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "clone: a VM named '%s' already exists", name);
	} else {
		/* a clone must not share its MACs: clear them (generated at start) */
		for (i = 0; i < vm->nnics; i++)
			vm->nics[i].mac[0] = '\0';
		if (qnm_ui_save_vm(ui, vm, NULL, &err) == 0) {
			qnm_ui_log(ui, QNM_MSG_OK, "VM %s cloned as %s (MACs cleared)", d->name,
				   name);
			vm = NULL;
		} else {
			qnm_ui_log(ui, QNM_MSG_ERROR, "clone: %s", err.msg);
		}
	}
	qnm_vm_free(vm);
	free(d);
}

static unsigned vms_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct vms *s = st;
	struct qnm_vm *vm;
	struct del_ctx *d;
	char q[256];
	unsigned r;

	/* keys may come before the first draw: the rows must exist */
	refilter(ui, s);
	r = qnm_list_key(&s->list, act, key, s->page);

	if (r)
		return r;
	vm = selected(ui, s);
	switch (act) {
	case QNM_ACT_NEW:
		qnm_ui_push(ui, &qnm_screen_vmform, NULL);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_EDIT:
		if (vm)
			qnm_ui_push(ui, &qnm_screen_vmform, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_PREVIEW:
		if (vm)
			qnm_ui_push(ui, &qnm_screen_preview, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_MODES:
		if (vm)
			qnm_ui_push(ui, &qnm_screen_modes, vm->name);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_DELETE:
		if (!vm)
			return QNM_H_HANDLED;
		d = xcalloc(1, sizeof(*d));
		qnm_strlcpy(d->name, vm->name, sizeof(d->name));
		snprintf(q, sizeof(q), "Delete VM '%s'? Its configuration file is removed.",
			 vm->name);
		qnm_confirm(ui, "Delete VM", q, delete_answer, d);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_CLONE:
		if (!vm)
			return QNM_H_HANDLED;
		d = xcalloc(1, sizeof(*d));
		qnm_strlcpy(d->name, vm->name, sizeof(d->name));
		snprintf(q, sizeof(q), "%s-copy", vm->name);
		qnm_ask(ui, "Clone VM", "Name of the new VM:", q, clone_answer, d);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_START:
	case QNM_ACT_STOP:
	case QNM_ACT_CONSOLE:
		qnm_ui_log(ui, QNM_MSG_WARN,
			   "start/stop/console: the guest runner is not part of this build yet");
		return QNM_H_HANDLED | QNM_H_REDRAW;
	default:
		return QNM_H_IGNORED;
	}
}

static bool vms_tick(struct qnm_ui *ui, void *st)
{
	return false;
}

const struct qnm_screen_ops qnm_screen_vms = {
	.id = QNM_SCR_VMS,
	.init = vms_init,
	.free = vms_free,
	.draw = vms_draw,
	.key = vms_key,
	.tick = vms_tick,
};
