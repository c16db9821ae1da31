// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-nicform.c - one network card: device model, MAC, link, and a
 * backend whose fields change with the backend chosen.
 *
 * Edits a copy of the NIC; OK checks it inside a copy of the VM and only
 * then writes it back into the VM form's copy (the VM form saves the file).
 */
#include "build-config.h"

#include "api/models.h"
#include "api/net.h"
#include "api/live.h"
#include "api/run.h"
#include "api/vm.h"
#include "core/backend.h"
#include "guests.h"
#include "core/mac.h"
#include "nicform.h"
#include "remotes.h"
#include "qform.h"
#include "core/validate.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rows of the screen's own; the NIC's keys have rows from the schema. */
enum {
	F_ID = 1,
	F_GENMAC,
	F_SUMMARY,
	F_ACL,
	F_LIVE,
	F_OK,
	F_CANCEL,
};

/**
 * struct nicform - state of the NIC form.
 * @form:  the rows.
 * @arg:   what to edit (see nicform.h).
 * @nic:   the copy being edited (owned, qnm_nic_clear() at the end).
 * @running: the VM runs: the form says what a save applies to it at once.
 * @host:  the registered host of the VM (@arg.host copied), "" for this one.
 */
struct nicform {
	struct qnm_form form;
	struct qnm_nicform_arg arg;
	struct qnm_nic nic;
	bool running;
	char host[QNM_NAME_MAX + 1];
};

_Static_assert(offsetof(struct nicform, form) == 0, "qnm_form_screen_*() take the form first");

static struct nicform *of_form(struct qnm_form *f)
{
	return (struct nicform *)((char *)f - offsetof(struct nicform, form));
}

/* /etc/qemu/bridge.conf: does it allow @br? (what qemu-bridge-helper checks) */
static const char *bridge_acl(const char *br, char *buf, size_t size)
{
	FILE *fp = fopen("/etc/qemu/bridge.conf", "re");
	char line[256];
	bool allowed = false;

	if (!fp) {
		snprintf(
			buf, size,
			"/etc/qemu/bridge.conf is missing: the helper refuses every bridge until it says 'allow %s'",
			br[0] ? br : "BRIDGE");
		return buf;
	}
	while (fgets(line, sizeof(line), fp)) {
		char w1[32], w2[64];

		if (sscanf(line, "%31s %63s", w1, w2) == 2 && strcmp(w1, "allow") == 0 &&
		    (strcmp(w2, "all") == 0 || strcmp(w2, br) == 0))
			allowed = true;
	}
	fclose(fp);
	if (allowed)
		snprintf(buf, size, "ACL: /etc/qemu/bridge.conf allows %s", br);
	else
		snprintf(
			buf, size,
			"ACL: /etc/qemu/bridge.conf has no 'allow %s' line: the helper will refuse it",
			br[0] ? br : "BRIDGE");
	return buf;
}

/* The id of the row of NIC key @name. */
static int key_id(struct nicform *s, const char *name)
{
	const struct qnm_row *r = qnm_form_key_row(&s->form, name);

	return r ? r->id : 0;
}

static void show_backend_rows(struct nicform *s)
{
	struct qnm_form *f = &s->form;
	int b = qnm_form_key_row(f, "backend")->choice;
	const struct qnm_backend_ops *ops = qnm_backend_get((enum qnm_backend_kind)b);
	char buf[512];

	qnm_form_show_keys(f, &qnm_nic_schema);
	/* the ACL note is about the bridge the helper attaches to */
	qnm_form_row(f, F_ACL)->hidden = qnm_form_key_row(f, "br")->hidden;
	if (s->host[0]) {
		/* this host's capabilities and bridge ACL say nothing about another's */
		qnm_form_set_text(f, F_SUMMARY, ops->summary);
		snprintf(buf, sizeof(buf), "host %s checks its /etc/qemu/bridge.conf at start",
			 s->host);
		qnm_form_set_text(f, F_ACL, buf);
		return;
	}
	/* the summary says what the backend needs; say too when this user lacks it */
	snprintf(buf, sizeof(buf), "%s.%s", ops->summary,
		 ops->needs_net_admin && !qnm_api_net_have_cap_net_admin()
			 ? " You run qnm without CAP_NET_ADMIN: start it as root, or use a TAP "
			   "an admin made for you (qnm creates it: no, TAP name)."
			 : "");
	qnm_form_set_text(f, F_SUMMARY, buf);
	qnm_form_set_text(f, F_ACL,
			  bridge_acl(qnm_form_text(f, key_id(s, "br")), buf, sizeof(buf)));
}

/* A MAC used by a NIC of another VM: warn now (saving the VM refuses it). */
static void check_mac_clash(struct qnm_ui *ui, struct nicform *s)
{
	const char *mac = qnm_form_text(&s->form, key_id(s, "mac"));
	const struct qnm_model *m = &ui->ctx->model;
	char buf[256];
	size_t i, j;

	qnm_form_set_warning(&s->form, key_id(s, "mac"), NULL);
	if (!mac[0])
		return;
	/* this host's VMs only for this host's VM (another host checks its own at save) */
	for (i = 0; !s->host[0] && i < m->nvms; i++) {
		const struct qnm_vm *vm = m->vms[i];

		if (strcmp(vm->name, s->arg.vm->name) == 0)
			continue;
		for (j = 0; j < vm->nnics; j++) {
			if (strcasecmp(vm->nics[j].mac, mac) == 0) {
				snprintf(
					buf, sizeof(buf),
					"MAC clash: VM '%s' NIC '%s' already uses %s; two guests with one MAC break each other's traffic",
					vm->name, vm->nics[j].id, mac);
				qnm_form_set_warning(&s->form, key_id(s, "mac"), buf);
				return;
			}
		}
	}
	for (j = 0; j < s->arg.vm->nnics; j++) {
		if ((int)j != s->arg.index && strcasecmp(s->arg.vm->nics[j].mac, mac) == 0) {
			snprintf(buf, sizeof(buf), "MAC clash: NIC '%s' of this VM already uses %s",
				 s->arg.vm->nics[j].id, mac);
			qnm_form_set_warning(&s->form, key_id(s, "mac"), buf);
			return;
		}
	}
}

static void build(struct nicform *s)
{
	struct qnm_nic *n = &s->nic;
	struct qnm_form *f = &s->form;
	struct qnm_row *r;

	char where[QNM_NAME_MAX * 2 + 16];

	snprintf(where, sizeof(where), "%s on host %s", s->arg.vm->name, s->host);
	qnm_form_add(f, QNM_ROW_SECTION, 0, NULL, "Network card of VM",
		     s->host[0]		  ? where
		     : s->arg.vm->name[0] ? s->arg.vm->name
					  : "(new VM)");
	/* what a save does to the running guest, first: seen before any edit */
	r = qnm_form_add(f, QNM_ROW_INFO, F_LIVE, NULL, "", QNM_LIVE_RULE);
	r->hidden = !s->running;
	r = qnm_form_add(f, QNM_ROW_TEXT, F_ID, "id", "NIC id", n->id);
	r->maxlen = QNM_NAME_MAX + 8;
	r->hint = "The netdev id, unique in this VM (n0, n1, lan, ...).";
	qnm_form_add_keys(f, &qnm_nic_schema, n, "model", "mac");
	r = qnm_form_add(f, QNM_ROW_BUTTON, F_GENMAC, NULL, NULL, "Generate MAC (F3)");
	r->hint = "Pick a new random, locally administered, unique MAC.";
	qnm_form_add_keys(f, &qnm_nic_schema, n, "props", "backend");
	qnm_form_key_row(f, "link")->hint = "Cable plugged in. " QNM_LIVE_RULE;
	qnm_form_add(f, QNM_ROW_INFO, F_SUMMARY, NULL, "", NULL);
	qnm_form_add_keys(f, &qnm_nic_schema, n, "net", NULL);
	qnm_form_add(f, QNM_ROW_INFO, F_ACL, NULL, "", NULL);
	/* Enter on these opens a list to pick from */
	qnm_form_key_row(f, "model")->pick = true;
	qnm_form_key_row(f, "network")->pick = true;

	qnm_form_add(f, QNM_ROW_SECTION, 0, NULL, "", NULL);
	r = qnm_form_add(f, QNM_ROW_BUTTON, F_OK, NULL, NULL, "OK (F2)");
	r->hint = "Check the card and put it in the VM form (save the VM there to write it).";
	r = qnm_form_add(f, QNM_ROW_BUTTON, F_CANCEL, NULL, NULL, "Cancel (Esc)");
	r->hint = "Leave without changing the card.";
	show_backend_rows(s);
}

/* The rows into s->nic; errors of values that cannot be stored use row keys. */
static int apply(struct nicform *s, struct qnm_err *err)
{
	struct qnm_form *f = &s->form;

	qnm_form_sync(f);
	if (qnm_form_copy_text(s->nic.id, sizeof(s->nic.id), qnm_form_text(f, F_ID), "id", err))
		return -EINVAL;
	return qnm_form_read_keys(f, &qnm_nic_schema, &s->nic, 0, err);
}

/* "nic[ID].mac" -> "mac" when ID is this NIC, so the row keys match. */
static void strip_nic(struct qnm_err *err, const char *id)
{
	size_t n = strlen(id);

	if (strncmp(err->field, "nic[", 4) == 0 && strncmp(err->field + 4, id, n) == 0 &&
	    strncmp(err->field + 4 + n, "].", 2) == 0)
		memmove(err->field, err->field + 6 + n, strlen(err->field + 6 + n) + 1);
}

/*
 * The NIC in the VM form's VM, checked: on this host by the engine (ids and
 * MACs unique, new ports free here); on another host by the VM's own rules
 * only (qnm_check_vm()): that host checks the rest against its own model
 * when the VM is saved there, and the VM form shows what it refuses.
 */
static int nic_check(struct nicform *s, struct qnm_ui *ui, struct qnm_err *err)
{
	struct qnm_vm *tmp;
	struct qnm_nic *n;
	int r;

	if (!s->host[0]) {
		r = qnm_api_nic_check(ui->ctx, s->arg.vm, s->arg.index, &s->nic, err);
	} else {
		tmp = qnm_vm_copy(s->arg.vm);
		n = s->arg.index >= 0 ? &tmp->nics[s->arg.index] : qnm_vm_add_nic(tmp);
		qnm_nic_clear(n);
		qnm_nic_copy(n, &s->nic);
		r = qnm_check_vm(tmp, err);
		qnm_vm_free(tmp);
	}
	strip_nic(err, s->nic.id);
	return r;
}

/* Check the NIC for the VM form's VM (nic_check()). */
static int check(struct nicform *s, struct qnm_ui *ui, struct qnm_err *err)
{
	if (apply(s, err))
		return -EINVAL;
	return nic_check(s, ui, err);
}

static void ok(struct qnm_ui *ui, struct qnm_form *f)
{
	struct nicform *s = of_form(f);
	struct qnm_err err;
	struct qnm_vm *vm = s->arg.vm;

	qnm_form_clear_errors(&s->form);
	qnm_err_clear(&err);
	if (check(s, ui, &err)) {
		struct qnm_err more;
		const struct qnm_row *r;

		/* every error at once: the NIC's own rules too, on the fields not refused yet */
		qnm_err_clear(&more);
		if (err.field[0] && qnm_form_key_row(&s->form, err.field) &&
		    qnm_form_key_row(&s->form, err.field)->error && nic_check(s, ui, &more)) {
			if (!(r = qnm_form_key_row(&s->form, more.field)) || !r->error)
				qnm_form_set_error(&s->form, &more);
		}
		qnm_form_set_error(&s->form, &err);
		return;
	}
	if (s->arg.index >= 0) {
		qnm_nic_clear(&vm->nics[s->arg.index]);
		qnm_nic_copy(&vm->nics[s->arg.index], &s->nic);
	} else {
		struct qnm_nic *added = qnm_vm_add_nic(vm);

		qnm_nic_clear(added);
		qnm_nic_copy(added, &s->nic);
	}
	qnm_ui_log(ui, QNM_MSG_INFO, "NIC %s set; save the VM (F2) to write it", s->nic.id);
	if (s->arg.done)
		s->arg.done(ui, s->arg.data);
	f->close = true;
}

static void gen_mac(struct qnm_ui *ui, struct nicform *s)
{
	struct qnm_vm *tmp = qnm_vm_copy(s->arg.vm);
	struct qnm_model none = { 0 };
	struct qnm_nic *n;
	struct qnm_err err;

	/* the engine picks a MAC no NIC of any VM (nor this form's VM) uses */
	if (s->arg.index >= 0) {
		n = &tmp->nics[s->arg.index];
	} else {
		n = qnm_vm_add_nic(tmp);
	}
	n->mac[0] = '\0';
	qnm_err_clear(&err);
	/* another host's VM: unique in the VM here, that host checks its own at save */
	if (qnm_model_assign_macs(s->host[0] ? &none : &ui->ctx->model, tmp, NULL, NULL, &err)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "generate MAC: %s", err.msg);
	} else {
		qnm_form_set_text(&s->form, key_id(s, "mac"), n->mac);
		check_mac_clash(ui, s);
		qnm_ui_log(ui, QNM_MSG_INFO, "new MAC %s", n->mac);
	}
	qnm_vm_free(tmp);
}

static void picked_model(struct qnm_ui *ui, void *data, int index)
{
	struct nicform *s = data;

	if (index >= 0 && ui->catalog && (size_t)index < ui->catalog->n)
		qnm_form_set_text(&s->form, key_id(s, "model"), ui->catalog->models[index].name);
}

static void pick_model(struct qnm_ui *ui, struct nicform *s)
{
	struct qnm_catalog *c =
		qnm_ui_catalog(ui, s->arg.vm->arch[0] ? s->arg.vm->arch : "x86_64", NULL);
	const char *linux_m, *win_m;
	const char **names, **descr;
	char **owned;
	size_t i;
	int cur = 0;

	if (!c) {
		qnm_ui_log(
			ui, QNM_MSG_INFO,
			"the device catalog is loading; press Enter on the model again in a moment");
		return;
	}
	linux_m = qnm_catalog_recommended(c, QNM_GUEST_LINUX);
	win_m = qnm_catalog_recommended(c, QNM_GUEST_WINDOWS);
	names = xcalloc(c->n + 1, sizeof(*names));
	descr = xcalloc(c->n + 1, sizeof(*descr));
	owned = xcalloc(c->n + 1, sizeof(*owned));
	for (i = 0; i < c->n; i++) {
		const struct qnm_nic_model *m = &c->models[i];
		const char *tag = qnm_streq(m->name, linux_m) ? "[suggested: Linux] "
				  : qnm_streq(m->name, win_m) ? "[suggested: Windows/old] "
							      : "";

		names[i] = m->name;
		owned[i] = xasprintf("%-4s %s%s", m->bus ? m->bus : "", tag,
				     m->desc ? m->desc : (m->hint ? m->hint : ""));
		descr[i] = owned[i];
		if (strcmp(m->name, qnm_form_text(&s->form, key_id(s, "model"))) == 0)
			cur = (int)i;
	}
	qnm_pick(ui, "Device model (from QEMU's catalog)", names, descr, c->n, cur, picked_model,
		 s);
	for (i = 0; i < c->n; i++)
		free(owned[i]);
	free(owned);
	free(names);
	free(descr);
}

/* the networks to pick from: this host's, or those of the VM's host */
static size_t net_names(struct qnm_ui *ui, const struct nicform *s, const char **names)
{
	const struct qnm_model *m = &ui->ctx->model;
	size_t i, n = s->host[0] ? (s->arg.nets ? json_object_array_length(s->arg.nets) : 0)
				 : m->nnets;

	for (i = 0; names && i < n; i++)
		names[i] = s->host[0] ? qnm_remote_str(json_object_array_get_idx(s->arg.nets, i),
						       "name")
				      : m->nets[i]->name;
	return n;
}

static void picked_network(struct qnm_ui *ui, void *data, int index)
{
	struct nicform *s = data;
	size_t n = net_names(ui, s, NULL);
	const char **names = xcalloc(n + 1, sizeof(*names));

	net_names(ui, s, names);
	if (index >= 0 && (size_t)index < n)
		qnm_form_set_text(&s->form, key_id(s, "network"), names[index]);
	free(names);
}

static void pick_network(struct qnm_ui *ui, struct nicform *s)
{
	size_t n = net_names(ui, s, NULL);
	const char **names = xcalloc(n + 1, sizeof(*names));
	char title[96];

	net_names(ui, s, names);
	if (s->host[0])
		snprintf(title, sizeof(title), "qnm network on host %s", s->host);
	qnm_pick(ui, s->host[0] ? title : "qnm network", names, NULL, n, 0, picked_network, s);
	free(names);
}

static void on_activate(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	struct nicform *s = of_form(f);

	if (row->id == F_OK)
		ok(ui, f);
	else if (row->id == F_CANCEL)
		f->close = true;
	else if (row->id == F_GENMAC)
		gen_mac(ui, s);
	else if (qnm_row_is_key(row, "model"))
		pick_model(ui, s);
	else if (qnm_row_is_key(row, "network"))
		pick_network(ui, s);
}

/*
 * The cable, like every field, is a saved setting: a save of the VM applies
 * it to a running guest at once (QNM_LIVE_RULE, the form says so).
 */
static void on_change(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	if (qnm_row_is_key(row, "backend"))
		show_backend_rows(of_form(f));
}

static void *nicform_init(struct qnm_ui *ui, void *arg)
{
	const struct qnm_nicform_arg *a = arg;
	struct nicform *s = xcalloc(1, sizeof(*s));

	s->arg = *a;
	if (a->host) {
		/* never this host's VM of the same name */
		qnm_strlcpy(s->host, a->host, sizeof(s->host));
		s->arg.host = s->host;
		s->running = a->running;
		json_object_get(a->nets);
	} else {
		s->arg.nets = NULL;
		s->running = qnm_guest_find(ui, a->vm->name)->info.status == QNM_RUN_RUNNING;
	}
	if (a->index >= 0)
		qnm_nic_copy(&s->nic, &a->vm->nics[a->index]);
	else
		qnm_api_nic_init(a->vm, &s->nic); /* defaults and a free id */
	qnm_form_init(&s->form);
	s->form.on_activate = on_activate;
	s->form.on_change = on_change;
	s->form.on_save = ok;
	build(s);
	check_mac_clash(ui, s);
	/* start loading the model list now, so it is there when asked for */
	qnm_ui_catalog(ui, a->vm->arch[0] ? a->vm->arch : "x86_64", NULL);
	qnm_form_focus(&s->form, key_id(s, "model"));
	return s;
}

static void nicform_free(void *st)
{
	struct nicform *s = st;

	qnm_form_clear(&s->form);
	qnm_nic_clear(&s->nic);
	json_object_put(s->arg.nets);
	free(s);
}

static unsigned nicform_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct nicform *s = st;
	struct qnm_row *row = s->form.n ? &s->form.rows[s->form.cur] : NULL;
	unsigned r;

	if (act == QNM_ACT_GEN_MAC) {
		gen_mac(ui, s);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	}
	r = qnm_form_screen_key(ui, st, act, key);
	/* an edit of these rows updates what depends on them */
	if (act != QNM_ACT_SAVE && act != QNM_ACT_CANCEL && qnm_row_is_key(row, "mac"))
		check_mac_clash(ui, s);
	if (act != QNM_ACT_SAVE && act != QNM_ACT_CANCEL && qnm_row_is_key(row, "br"))
		show_backend_rows(s);
	return r;
}

const struct qnm_screen_ops qnm_screen_nicform = {
	.id = QNM_SCR_NICFORM,
	.init = nicform_init,
	.free = nicform_free,
	.draw = qnm_form_screen_draw,
	.key = nicform_key,
	.resize = qnm_form_screen_resize,
};
