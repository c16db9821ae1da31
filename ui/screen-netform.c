// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-netform.c - a qnm network: bridge, mode (nat/bridged/isolated),
 * address, uplink or port, DHCP range, port forwards. Edits a copy; save
 * checks it and writes the network's file, or changes nothing. Enslaving a
 * physical NIC (bridged mode) asks first and explains the risk.
 */
#include "build-config.h"

#include "api/net.h"
#include "core/validate.h"
#include "qform.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*
 * The rows of the screen's own; the network's other keys have rows from the
 * schema. The address key ("A.B.C.D/N") is two rows here: address and prefix.
 */
enum {
	F_NAME = 1,
	F_ADDRESS,
	F_PREFIX,
	F_SAVE,
	F_CANCEL,
};

struct netform {
	struct qnm_form form;
	struct qnm_network *net;
	char old_name[QNM_NAME_MAX + 1];
	char old_port[QNM_IFNAME_MAX + 1];
};

_Static_assert(offsetof(struct netform, form) == 0, "qnm_form_screen_*() take the form first");

static struct netform *of_form(struct qnm_form *f)
{
	return (struct netform *)((char *)f - offsetof(struct netform, form));
}

static struct qnm_row *add_text(struct netform *s, int id, const char *key, const char *label,
				const char *text, int maxlen, const char *hint)
{
	struct qnm_row *r = qnm_form_add(&s->form, QNM_ROW_TEXT, id, key, label, text);

	r->maxlen = maxlen;
	r->hint = hint;
	return r;
}

static void build(struct netform *s)
{
	struct qnm_network *n = s->net;
	struct qnm_row *r;
	char buf[16];

	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL,
		     s->old_name[0] ? "Edit network" : "New network",
		     s->old_name[0] ? s->old_name : NULL);
	add_text(s, F_NAME, "name", "Name", n->name, QNM_NAME_MAX + 8,
		 "Letters, digits, '_', '-', '.'; TAP NICs refer to the network by this name.");
	qnm_form_add_keys(&s->form, &qnm_net_schema, n, "bridge", "bridge");
	qnm_form_add_keys(&s->form, &qnm_net_schema, n, "mode", "mode");
	add_text(s, F_ADDRESS, "address", "Host address", n->address, QNM_IPV4_LEN + 4,
		 "The host's address on the bridge, the guests' gateway (e.g. 10.77.0.1).");
	snprintf(buf, sizeof(buf), "%u", n->prefix);
	add_text(s, F_PREFIX, "prefix", "Prefix length", buf, 3,
		 "Network size: 24 means 255.255.255.0.");
	qnm_form_add_keys(&s->form, &qnm_net_schema, n, "uplink", NULL);
	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL, "", NULL);
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_SAVE, NULL, NULL, "Save (F2)");
	r->hint =
		"Check every field and write the network's file; nothing is written if a field is wrong.";
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_CANCEL, NULL, NULL, "Cancel (Esc)");
	r->hint = "Leave without changing anything.";
}

static int apply(struct netform *s, struct qnm_err *err)
{
	struct qnm_form *f = &s->form;
	struct qnm_network *n = s->net;
	unsigned long v;
	const char *t;

	qnm_form_sync(f);
	if (qnm_form_copy_text(n->name, sizeof(n->name), qnm_form_text(f, F_NAME), "name", err) ||
	    qnm_form_copy_text(n->address, sizeof(n->address), qnm_form_text(f, F_ADDRESS),
			       "address", err))
		return -EINVAL;
	t = qnm_form_text(f, F_PREFIX);
	if (qnm_parse_uint(t, 0, UINT_MAX, &v))
		return qnm_err_set(err, -EINVAL, "prefix", "prefix: '%s' is not a whole number", t);
	n->prefix = (unsigned)v;
	/* uplink (nat) and port (bridged) are cleared in the other modes */
	return qnm_form_read_keys(f, &qnm_net_schema, n, 0, err);
}

static void do_save(struct qnm_ui *ui, struct netform *s)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_api_net_save(ui->ctx, s->net, s->old_name[0] ? s->old_name : NULL, NULL, &err)) {
		qnm_form_set_error(&s->form, &err);
		qnm_ui_log(ui, QNM_MSG_ERROR, "network not saved: %s", err.msg);
		return;
	}
	if (qnm_api_net_is_up(ui->ctx, s->net->name))
		qnm_ui_log(ui, QNM_MSG_OK,
			   "network %s saved; it is up: u applies the change now (its guests stay "
			   "connected)",
			   s->net->name);
	else
		qnm_ui_log(ui, QNM_MSG_OK, "network %s saved", s->net->name);
	s->form.close = true;
}

static void enslave_answer(struct qnm_ui *ui, void *data, bool yes)
{
	struct netform *s = data;

	if (yes)
		do_save(ui, s);
	else
		qnm_ui_log(ui, QNM_MSG_INFO, "not saved: the physical port was not confirmed");
}

static void save(struct qnm_ui *ui, struct qnm_form *f)
{
	struct netform *s = of_form(f);
	struct qnm_err err;
	char q[600];

	qnm_form_clear_errors(&s->form);
	qnm_err_clear(&err);
	if (apply(s, &err) || qnm_check_network(s->net, &err)) {
		qnm_form_set_error(&s->form, &err);
		return;
	}
	if (s->net->mode == QNM_NET_BRIDGED && s->net->port[0] &&
	    strcmp(s->net->port, s->old_port) != 0) {
		snprintf(q, sizeof(q),
			 "Enslave the physical NIC %s to bridge %s? When the network comes up, qnm "
			 "moves %s's addresses, routes and MAC to %s, and reverts it unless you "
			 "keep it within the deadline (an SSH session over %s should survive). "
			 "Save?",
			 s->net->port, s->net->bridge, s->net->port, s->net->bridge, s->net->port);
		qnm_confirm(ui, "Enslave a physical NIC", q, enslave_answer, s);
		return;
	}
	do_save(ui, s);
}

static void on_change(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	if (qnm_row_is_key(row, "mode"))
		qnm_form_show_keys(f, &qnm_net_schema);
}

static void on_activate(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	if (row->id == F_SAVE)
		save(ui, f);
	else if (row->id == F_CANCEL)
		f->close = true;
}

static void *netform_init(struct qnm_ui *ui, void *arg)
{
	const char *name = arg;
	struct qnm_network *n = name ? qnm_model_find_net(&ui->ctx->model, name) : NULL;
	struct netform *s;

	if (name && !n) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "network %s no longer exists", name);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	qnm_form_init(&s->form);
	s->form.on_change = on_change;
	s->form.on_activate = on_activate;
	s->form.on_save = save;
	if (n) {
		s->net = qnm_network_copy(n);
		qnm_strlcpy(s->old_name, n->name, sizeof(s->old_name));
		qnm_strlcpy(s->old_port, n->port, sizeof(s->old_port));
	} else {
		s->net = qnm_network_new("");
	}
	build(s);
	qnm_form_focus(&s->form, F_NAME);
	return s;
}

static void netform_free(void *st)
{
	struct netform *s = st;

	qnm_form_clear(&s->form);
	qnm_network_free(s->net);
	free(s);
}

const struct qnm_screen_ops qnm_screen_netform = {
	.id = QNM_SCR_NETFORM,
	.init = netform_init,
	.free = netform_free,
	.draw = qnm_form_screen_draw,
	.key = qnm_form_screen_key,
	.resize = qnm_form_screen_resize,
};
