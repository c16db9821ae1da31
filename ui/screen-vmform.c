// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-vmform.c - the VM form: every VM field, its network cards, and a
 * save that writes the VM's file atomically, or changes nothing.
 *
 * The form edits a copy of the VM; leaving a field checks it and shows the
 * error at the field; Save (F2) checks everything (this VM and the rules
 * across VMs), writes the file, and only then replaces the model's VM.
 *
 * On a registered host's VM (qnm_screen_vmform_remote, remotes.h) the form
 * edits the VM as that host's file has it; the VM's own rules are checked
 * here as the fields are left; Save sends it to that host ("vm.save" in a
 * background job), whose engine checks it against its own model and
 * writes it or nothing; what it refuses is shown at the field it names.
 * Nothing of this host (its model, a VM of the same name) takes part.
 */
#include "build-config.h"

#include "api/live.h"
#include "api/remote.h"
#include "api/vm.h"
#include "core/config.h"
#include "nicform.h"
#include "remotes.h"
#include "qform.h"
#include "core/validate.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* The rows of the screen's own; the VM's keys have rows from the schema. */
enum {
	F_NAME = 1,
	F_NICS, /* section heading; NIC rows follow */
	F_ADD_NIC,
	F_SAVE,
	F_CANCEL,
	F_NIC0 = 1000,
};

/**
 * struct vmform - state of the VM form.
 * @form:     the rows.
 * @vm:       the copy being edited (owned).
 * @old_name: name of the VM being edited, "" for a new one.
 * @nic_rows: index of the first row after the NICs heading.
 * @nics_changed: the NIC form changed @vm->nics: rebuild the NIC rows.
 * @host:     the registered host whose VM this is, "" for this host's.
 * @orig:     with @host, the VM as opened (what "edited" compares with).
 * @base:     with @host, its text as the host sent it.
 * @running:  with @host, the VM runs there.
 * @nets:     with @host, the host's networks (a reference).
 * @saving:   with @host, a save is under way there.
 * @serial:   this form among those opened (a save's outcome finds it by it).
 */
struct vmform {
	struct qnm_form form;
	struct qnm_vm *vm;
	char old_name[QNM_NAME_MAX + 1];
	size_t nic_rows;
	bool nics_changed;
	char host[QNM_NAME_MAX + 1];
	struct qnm_vm *orig;
	char *base;
	bool running;
	json_object *nets;
	bool saving;
	unsigned serial;
};

/* the serial of the last VM form opened */
static unsigned last_serial;

_Static_assert(offsetof(struct vmform, form) == 0, "qnm_form_screen_*() take the form first");

static struct vmform *of_form(struct qnm_form *f)
{
	return (struct vmform *)((char *)f - offsetof(struct vmform, form));
}

static void build_nic_rows(struct vmform *s)
{
	struct qnm_form *f = &s->form;
	struct qnm_row *row;
	size_t i;

	/* drop the NIC rows and the buttons after them, then add them again */
	while (f->n > s->nic_rows) {
		struct qnm_row *r = &f->rows[--f->n];

		free(r->text);
		free(r->error);
		free(r->warning);
	}
	if (f->cur >= (int)f->n)
		f->cur = (int)f->n - 1;
	for (i = 0; i < s->vm->nnics; i++) {
		const struct qnm_nic *n = &s->vm->nics[i];
		char buf[160];

		snprintf(buf, sizeof(buf), "%-16s %-6s %s", n->model, qnm_backend_name(n->backend),
			 n->mac[0] ? n->mac : "(MAC generated at start)");
		row = qnm_form_add(f, QNM_ROW_BUTTON, F_NIC0 + (int)i, NULL, NULL, buf);
		row->hint = "Enter: edit this network card.  Del or ^D: remove it.";
	}
	row = qnm_form_add(f, QNM_ROW_BUTTON, F_ADD_NIC, NULL, NULL, "Add a network card");
	row->hint = "A new NIC starts as virtio-net-pci on user-mode networking (no root needed).";
	qnm_form_add(f, QNM_ROW_SECTION, 0, NULL, "", NULL);
	row = qnm_form_add(f, QNM_ROW_BUTTON, F_SAVE, NULL, NULL, "Save (F2)");
	row->hint =
		"Check every field and write the VM's file; nothing is written if a field is wrong.";
	row = qnm_form_add(f, QNM_ROW_BUTTON, F_CANCEL, NULL, NULL, "Cancel (Esc)");
	row->hint = "Leave without changing anything.";
}

static void build(struct vmform *s)
{
	struct qnm_form *f = &s->form;
	struct qnm_row *r;

	char where[QNM_NAME_MAX * 2 + 16];

	snprintf(where, sizeof(where), "%s on host %s", s->old_name, s->host);
	qnm_form_add(f, QNM_ROW_SECTION, 0, NULL, s->old_name[0] ? "Edit VM" : "New VM",
		     s->host[0]	      ? where
		     : s->old_name[0] ? s->old_name
				      : NULL);
	r = qnm_form_add(f, QNM_ROW_TEXT, F_NAME, "name", "Name", s->vm->name);
	r->maxlen = QNM_NAME_MAX + 8;
	r->hint = "Letters, digits, '_', '-', '.'; also the name of the VM's file.";
	/* size first, then the machine: the keys in the form's order */
	qnm_form_add_keys(f, &qnm_vm_schema, s->vm, "memory", "cpus");
	qnm_form_add_keys(f, &qnm_vm_schema, s->vm, "arch", "arch");
	qnm_form_add_keys(f, &qnm_vm_schema, s->vm, "machine", NULL);
	qnm_form_add(f, QNM_ROW_SECTION, F_NICS, NULL, "Network cards",
		     "(Enter edits, F4 adds, Del removes)");
	s->nic_rows = f->n;
	build_nic_rows(s);
}

/*
 * Move the rows' values into the copy. Values that cannot even be stored
 * (text in a number field, too long a name) are errors at their rows.
 * @only: check only the row with this id (0 = all).
 */
static int apply(struct vmform *s, int only, struct qnm_err *err)
{
	struct qnm_form *f = &s->form;
	const char *t;

	qnm_form_sync(f);
	if (!only || only == F_NAME) {
		t = qnm_form_text(f, F_NAME);
		if (strlen(t) > QNM_NAME_MAX)
			return qnm_err_set(err, -EINVAL, "name", "name: at most %d characters",
					   QNM_NAME_MAX);
		qnm_strlcpy(s->vm->name, t, sizeof(s->vm->name));
	}
	/* the boot paths that do not apply are cleared */
	return qnm_form_read_keys(f, &qnm_vm_schema, s->vm, only, err);
}

/* Errors about a NIC ("nic[n0].mac") are shown on that NIC's row. */
static void show_error(struct vmform *s, const struct qnm_err *err)
{
	struct qnm_err e = *err;
	size_t i;

	if (strncmp(err->field, "nic[", 4) == 0) {
		for (i = 0; i < s->vm->nnics; i++) {
			size_t n = strlen(s->vm->nics[i].id);

			if (strncmp(err->field + 4, s->vm->nics[i].id, n) == 0 &&
			    err->field[4 + n] == ']') {
				struct qnm_row *r = qnm_form_row(&s->form, F_NIC0 + (int)i);

				free(r->error);
				r->error = xstrdup(err->msg);
				qnm_form_focus(&s->form, F_NIC0 + (int)i);
				return;
			}
		}
	}
	if (strcmp(err->field, "hostfwd") == 0)
		e.field[0] = '\0';
	qnm_form_set_error(&s->form, &e);
}

/* Leaving a field: check it alone and show its error (if any) under it. */
static void check_row(struct vmform *s, struct qnm_row *row)
{
	struct qnm_err err;

	if (!row || !row->key || row->kind == QNM_ROW_BUTTON)
		return;
	free(row->error);
	row->error = NULL;
	qnm_err_clear(&err);
	if (apply(s, row->id, &err) == 0)
		qnm_check_vm(s->vm, &err);
	if (err.field[0] && strcmp(err.field, row->key) == 0)
		row->error = xstrdup(err.msg);
}

/* After a save: what applies to a running guest at once, and what waits (live.h). */
static void apply_live(struct qnm_ui *ui, const char *name)
{
	struct qnm_strv applied, pending;
	struct qnm_err err;
	char *note;

	qnm_strv_init(&applied);
	qnm_strv_init(&pending);
	qnm_err_clear(&err);
	if (qnm_api_vm_apply_live(ui->ctx, name, &applied, &pending, &err))
		qnm_ui_log(ui, QNM_MSG_ERROR, "VM %s saved; not applied to the running guest: %s",
			   name, err.msg);
	note = qnm_api_vm_apply_note(&applied, &pending);
	if (note)
		qnm_ui_log(ui, QNM_MSG_OK, "VM %s saved; %s", name, note);
	else
		qnm_ui_log(ui, QNM_MSG_OK, "VM %s saved", name);
	free(note);
	qnm_strv_free(&applied);
	qnm_strv_free(&pending);
}

/** struct remote_save - a save on another host: the form's @serial and what it saved. */
struct remote_save {
	unsigned serial;
	char host[QNM_NAME_MAX + 1];
	char name[QNM_NAME_MAX + 1];
};

/* the host's answer to a save: the form closes, or shows what was refused where */
static void remote_saved(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err,
			 json_object *res)
{
	struct remote_save *rs = data;
	struct vmform *s = qnm_ui_find(ui, &qnm_screen_vmform_remote);
	struct qnm_rhost *h = qnm_remote_find(ui, rs->host);

	if (s && s->serial != rs->serial)
		s = NULL; /* that form was left; this is another */
	if (s)
		s->saving = false;
	if (result) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "VM %s not saved on %s: %s", rs->name, rs->host,
			   err->msg);
		if (s)
			show_error(s, err);
	} else {
		if (*qnm_remote_str(res, "live_error"))
			qnm_ui_log(ui, QNM_MSG_ERROR,
				   "VM %s saved on %s; not applied to the running guest: %s",
				   rs->name, rs->host, qnm_remote_str(res, "live_error"));
		qnm_ui_log(ui, QNM_MSG_OK, "VM %s saved on %s%s%s", rs->name, rs->host,
			   *qnm_remote_str(res, "note") ? "; " : "", qnm_remote_str(res, "note"));
		/* the form closes when it is in front (a dialog over it: when left) */
		if (s && ui->stack[ui->depth - 1].st == s)
			qnm_ui_pop(ui);
		else if (s)
			s->form.close = true;
		if (h && !h->polling)
			h->last = 0; /* its VMs now */
	}
	ui->redraw = true;
	free(rs);
}

/* Save on another host: its engine decides; the form stays until it answered. */
static void save_remote(struct qnm_ui *ui, struct vmform *s)
{
	struct qnm_rhost *h = qnm_remote_find(ui, s->host);
	json_object *args;
	struct remote_save *rs;
	char *text;

	if (s->saving) {
		qnm_ui_log(ui, QNM_MSG_WARN, "VM %s: saving on %s already", s->vm->name, s->host);
		return;
	}
	if (!h) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "host %s is no longer registered: not saved",
			   s->host);
		return;
	}
	args = json_object_new_object();
	text = qnm_vm_serialize(s->vm);
	json_object_object_add(args, "name", json_object_new_string(s->vm->name));
	json_object_object_add(args, "old_name", json_object_new_string(s->old_name));
	json_object_object_add(args, "text", json_object_new_string(text));
	json_object_object_add(args, "base", json_object_new_string(s->base));
	free(text);
	rs = xcalloc(1, sizeof(*rs));
	rs->serial = s->serial;
	qnm_strlcpy(rs->host, s->host, sizeof(rs->host));
	qnm_strlcpy(rs->name, s->vm->name, sizeof(rs->name));
	if (qnm_remote_call(ui, h, "vm.save", args, QNM_HOST_TIMEOUT_MS * 4, remote_saved, rs)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "VM %s: cannot start a worker thread", s->vm->name);
		free(rs);
		return;
	}
	s->saving = true;
	qnm_ui_log(ui, QNM_MSG_INFO, "saving VM %s on %s ...", s->vm->name, s->host);
}

static void save(struct qnm_ui *ui, struct qnm_form *f)
{
	struct vmform *s = of_form(f);
	struct qnm_err err;

	qnm_form_clear_errors(&s->form);
	qnm_err_clear(&err);
	if (apply(s, 0, &err)) {
		struct qnm_err more;
		const struct qnm_row *r;

		/* every error at once: the rules of the whole VM too, on the fields not refused yet */
		qnm_err_clear(&more);
		if (qnm_check_vm(s->vm, &more) &&
		    (!(r = qnm_form_key_row(&s->form, more.field)) || !r->error))
			show_error(s, &more);
		show_error(s, &err);
		return;
	}
	if (s->host[0]) {
		/* the VM's own rules here, at once; the host checks the rest */
		if (qnm_check_vm(s->vm, &err)) {
			show_error(s, &err);
			return;
		}
		save_remote(ui, s);
		return;
	}
	if (qnm_api_vm_save(ui->ctx, s->vm, s->old_name[0] ? s->old_name : NULL, &err)) {
		show_error(s, &err);
		qnm_ui_log(ui, QNM_MSG_ERROR, "VM not saved: %s", err.msg);
		return;
	}
	apply_live(ui, s->vm->name);
	qnm_strlcpy(s->old_name, s->vm->name, sizeof(s->old_name));
	s->nics_changed = false;
	f->close = true;
}

static void nic_done(struct qnm_ui *ui, void *data)
{
	struct vmform *s = data;

	s->nics_changed = true;
}

static void del_nic_answer(struct qnm_ui *ui, void *data, bool yes)
{
	struct vmform *s = data;
	int id = s->form.rows[s->form.cur].id;

	if (yes && id >= F_NIC0 && (size_t)(id - F_NIC0) < s->vm->nnics) {
		qnm_ui_log(ui, QNM_MSG_INFO, "NIC %s removed (not saved yet)",
			   s->vm->nics[id - F_NIC0].id);
		qnm_vm_del_nic(s->vm, (size_t)(id - F_NIC0));
		build_nic_rows(s);
	}
}

static void open_nic(struct qnm_ui *ui, struct vmform *s, int index)
{
	struct qnm_nicform_arg a = { .vm = s->vm,
				     .index = index,
				     .done = nic_done,
				     .data = s,
				     .host = s->host[0] ? s->host : NULL,
				     .running = s->running,
				     .nets = s->nets };

	qnm_ui_push(ui, &qnm_screen_nicform, &a);
}

static void on_change(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	if (qnm_row_is_key(row, "boot"))
		qnm_form_show_keys(f, &qnm_vm_schema);
}

static void on_activate(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	struct vmform *s = of_form(f);

	if (row->id == F_SAVE)
		save(ui, f);
	else if (row->id == F_CANCEL)
		f->close = true;
	else if (row->id == F_ADD_NIC)
		open_nic(ui, s, -1);
	else if (row->id >= F_NIC0)
		open_nic(ui, s, row->id - F_NIC0);
}

static void *vmform_init(struct qnm_ui *ui, void *arg)
{
	const char *name = arg;
	struct vmform *s = xcalloc(1, sizeof(*s));
	struct qnm_vm *vm = name ? qnm_model_find_vm(&ui->ctx->model, name) : NULL;

	if (name && !vm) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "VM %s no longer exists", name);
		free(s);
		return NULL;
	}
	qnm_form_init(&s->form);
	s->form.on_change = on_change;
	s->form.on_activate = on_activate;
	s->form.on_save = save;
	if (vm) {
		s->vm = qnm_vm_copy(vm);
		qnm_strlcpy(s->old_name, vm->name, sizeof(s->old_name));
	} else {
		s->vm = qnm_vm_new("");
	}
	s->serial = ++last_serial;
	build(s);
	qnm_form_focus(&s->form, F_NAME);
	return s;
}

/* the form on a registered host's VM: it takes over @arg's VM and text */
static void *vmform_remote_init(struct qnm_ui *ui, void *arg)
{
	struct qnm_vmform_remote *a = arg;
	struct vmform *s = xcalloc(1, sizeof(*s));

	(void)ui;
	qnm_form_init(&s->form);
	s->form.on_change = on_change;
	s->form.on_activate = on_activate;
	s->form.on_save = save;
	s->vm = a->vm;
	s->orig = qnm_vm_copy(a->vm);
	s->base = a->base;
	s->running = a->running;
	s->nets = json_object_get(a->nets);
	qnm_strlcpy(s->host, a->host, sizeof(s->host));
	qnm_strlcpy(s->old_name, a->vm->name, sizeof(s->old_name));
	s->serial = ++last_serial;
	build(s);
	qnm_form_focus(&s->form, F_NAME);
	return s;
}

static void vmform_free(void *st)
{
	struct vmform *s = st;

	qnm_form_clear(&s->form);
	qnm_vm_free(s->vm);
	qnm_vm_free(s->orig);
	free(s->base);
	json_object_put(s->nets);
	free(s);
}

static void vmform_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct vmform *s = st;

	if (s->nics_changed) {
		s->nics_changed = false;
		build_nic_rows(s);
	}
	qnm_form_screen_draw(ui, st, r);
}

/* Does the form hold anything the saved VM has not? */
static bool edited(struct qnm_ui *ui, struct vmform *s)
{
	const struct qnm_vm *was = s->host[0] ? s->orig
				   : s->old_name[0]
					   ? qnm_model_find_vm(&ui->ctx->model, s->old_name)
					   : NULL;
	struct qnm_err err;

	qnm_err_clear(&err);
	if (!was || apply(s, 0, &err))
		return true;
	return !qnm_vm_equal(was, s->vm);
}

static unsigned vmform_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct vmform *s = st;
	struct qnm_row *row = s->form.n ? &s->form.rows[s->form.cur] : NULL;

	/* leaving a field checks it */
	if (row && (act == QNM_ACT_NEXT_FIELD || act == QNM_ACT_PREV_FIELD ||
		    (act == QNM_ACT_ENTER && row->kind == QNM_ROW_TEXT)))
		check_row(s, row);
	if (act == QNM_ACT_CANCEL && s->host[0])
		qnm_ui_log(ui, QNM_MSG_INFO, "VM form of %s on %s closed; %s", s->old_name, s->host,
			   s->saving	   ? "its save there goes on"
			   : edited(ui, s) ? "your changes were not saved"
					   : "nothing changed");
	else if (act == QNM_ACT_CANCEL)
		qnm_ui_log(ui, QNM_MSG_INFO, "VM form closed; %s",
			   !s->old_name[0] ? "no VM created"
			   : edited(ui, s) ? "your changes were not saved"
					   : "nothing changed");
	if (act == QNM_ACT_ADD_NIC) {
		open_nic(ui, s, -1);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	}
	/* Del on a NIC row removes the card; inside a text field it deletes a character */
	if (act == QNM_ACT_DELETE && row && row->id >= F_NIC0) {
		qnm_confirm(
			ui, "Remove NIC",
			"Remove this network card from the VM? (Nothing is written until you save.)",
			del_nic_answer, s);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	}
	return qnm_form_screen_key(ui, st, act, key);
}

const struct qnm_screen_ops qnm_screen_vmform = {
	.id = QNM_SCR_VMFORM,
	.init = vmform_init,
	.free = vmform_free,
	.draw = vmform_draw,
	.key = vmform_key,
	.resize = qnm_form_screen_resize,
};

const struct qnm_screen_ops qnm_screen_vmform_remote = {
	.id = QNM_SCR_VMFORM,
	.init = vmform_remote_init,
	.free = vmform_free,
	.draw = vmform_draw,
	.key = vmform_key,
	.resize = qnm_form_screen_resize,
};
