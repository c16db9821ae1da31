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

enum {
	F_NAME = 1,
	F_BRIDGE,
	F_MODE,
	F_ADDRESS,
	F_PREFIX,
	F_UPLINK,
	F_PORT,
	F_DHCP_START,
	F_DHCP_END,
	F_FWD,
	F_SAVE,
	F_CANCEL,
};

static const char *const mode_choices[] = { "nat", "bridged", "isolated" };

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

static void show_mode_rows(struct netform *s)
{
	int mode = qnm_form_row(&s->form, F_MODE)->choice;

	qnm_form_row(&s->form, F_UPLINK)->hidden = mode != QNM_NET_NAT;
	qnm_form_row(&s->form, F_PORT)->hidden = mode != QNM_NET_BRIDGED;
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
	struct qnm_strbuf fwd;
	struct qnm_row *r;
	char buf[16];
	size_t i;

	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL,
		     s->old_name[0] ? "Edit network" : "New network",
		     s->old_name[0] ? s->old_name : NULL);
	add_text(s, F_NAME, "name", "Name", n->name, QNM_NAME_MAX + 8,
		 "Letters, digits, '_', '-', '.'; TAP NICs refer to the network by this name.");
	add_text(s, F_BRIDGE, "bridge", "Bridge", n->bridge, QNM_IFNAME_MAX + 4,
		 "Name of the Linux bridge qnm creates for this network (e.g. qnmbr0).");
	r = qnm_form_add(&s->form, QNM_ROW_CHOICE, F_MODE, "mode", "Mode", NULL);
	r->choices = mode_choices;
	r->nchoices = QNM_ARRAY_SIZE(mode_choices);
	r->choice = (int)n->mode;
	r->hint =
		"nat: routed + masquerade out of the uplink; bridged: a physical NIC joins the bridge; isolated: guests and host only.";
	add_text(s, F_ADDRESS, "address", "Host address", n->address, QNM_IPV4_LEN + 4,
		 "The host's address on the bridge, the guests' gateway (e.g. 10.77.0.1).");
	snprintf(buf, sizeof(buf), "%u", n->prefix);
	add_text(s, F_PREFIX, "prefix", "Prefix length", buf, 3,
		 "Network size: 24 means 255.255.255.0.");
	add_text(s, F_UPLINK, "uplink", "Uplink", n->uplink, QNM_IFNAME_MAX + 4,
		 "Interface NAT goes out of; empty: whatever the default route uses.");
	add_text(
		s, F_PORT, "port", "Physical port", n->port, QNM_IFNAME_MAX + 4,
		"The host NIC to enslave to the bridge. Careful: its address moves to the bridge; remote sessions over it may drop.");
	add_text(s, F_DHCP_START, "dhcp-start", "DHCP first", n->dhcp_start, QNM_IPV4_LEN + 4,
		 "First address dnsmasq hands out; empty: no DHCP.");
	add_text(s, F_DHCP_END, "dhcp-end", "DHCP last", n->dhcp_end, QNM_IPV4_LEN + 4,
		 "Last address dnsmasq hands out.");
	qnm_sb_init(&fwd);
	for (i = 0; i < n->nfwd; i++) {
		char b[80];

		qnm_fwd_format(&n->fwd[i], b, sizeof(b));
		qnm_sb_addf(&fwd, "%s%s", i ? " " : "", b);
	}
	add_text(
		s, F_FWD, "forward", "Port forwards", fwd.s, 1000,
		"DNAT into the network, space-separated: tcp::8080-10.77.0.10:80 (host port 8080 to guest 10.77.0.10 port 80).");
	qnm_sb_free(&fwd);
	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL, "", NULL);
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_SAVE, NULL, NULL, "Save (F2)");
	r->hint =
		"Check every field and write the network's file; nothing is written if a field is wrong.";
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_CANCEL, NULL, NULL, "Cancel (Esc)");
	r->hint = "Leave without changing anything.";
	show_mode_rows(s);
}

static int apply(struct netform *s, struct qnm_err *err)
{
	struct qnm_form *f = &s->form;
	struct qnm_network *n = s->net;
	char *fw, *save = NULL, *w;
	unsigned long v;
	const char *t;

	qnm_form_sync(f);
	if (qnm_form_copy_text(n->name, sizeof(n->name), qnm_form_text(f, F_NAME), "name", err) ||
	    qnm_form_copy_text(n->bridge, sizeof(n->bridge), qnm_form_text(f, F_BRIDGE), "bridge",
			       err) ||
	    qnm_form_copy_text(n->address, sizeof(n->address), qnm_form_text(f, F_ADDRESS),
			       "address", err) ||
	    qnm_form_copy_text(n->dhcp_start, sizeof(n->dhcp_start), qnm_form_text(f, F_DHCP_START),
			       "dhcp-start", err) ||
	    qnm_form_copy_text(n->dhcp_end, sizeof(n->dhcp_end), qnm_form_text(f, F_DHCP_END),
			       "dhcp-end", err))
		return -EINVAL;
	n->mode = (enum qnm_net_mode)qnm_form_row(f, F_MODE)->choice;
	if (qnm_form_copy_text(n->uplink, sizeof(n->uplink),
			       n->mode == QNM_NET_NAT ? qnm_form_text(f, F_UPLINK) : "", "uplink",
			       err) ||
	    qnm_form_copy_text(n->port, sizeof(n->port),
			       n->mode == QNM_NET_BRIDGED ? qnm_form_text(f, F_PORT) : "", "port",
			       err))
		return -EINVAL;
	t = qnm_form_text(f, F_PREFIX);
	if (qnm_parse_uint(t, 0, UINT_MAX, &v))
		return qnm_err_set(err, -EINVAL, "prefix", "prefix: '%s' is not a whole number", t);
	n->prefix = (unsigned)v;
	free(n->fwd);
	n->fwd = NULL;
	n->nfwd = 0;
	fw = xstrdup(qnm_form_text(f, F_FWD));
	for (w = strtok_r(fw, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		struct qnm_fwd one;

		if (qnm_fwd_parse(w, &one, "forward", err)) {
			free(fw);
			return -EINVAL;
		}
		qnm_fwd_add(&n->fwd, &n->nfwd, &one);
	}
	free(fw);
	return 0;
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
		snprintf(
			q, sizeof(q),
			"Enslave the physical NIC %s to bridge %s? When the network comes up, %s "
			"stops carrying its own address: the host's traffic over it moves to the "
			"bridge, and an SSH session over %s can drop if the address does not follow. "
			"Save anyway?",
			s->net->port, s->net->bridge, s->net->port, s->net->port);
		qnm_confirm(ui, "Enslave a physical NIC", q, enslave_answer, s);
		return;
	}
	do_save(ui, s);
}

static void on_change(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	if (row->id == F_MODE)
		show_mode_rows(of_form(f));
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
