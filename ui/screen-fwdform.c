// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-fwdform.c - one port forward: where it goes (a user/slirp NIC or
 * a network), protocol, host address/port, guest address/port or a guest
 * NIC (a TAP NIC on a network: the forward then goes on that network, to
 * the NIC's DHCP reservation). Saved (and applied live) by the engine's
 * one forward flow (api/forward.h), or nothing changes.
 */
#include "build-config.h"

#include "core/validate.h"
#include "fwdlist.h"
#include "qform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { F_TARGET = 1, F_TO, F_PROTO, F_HADDR, F_HPORT, F_GADDR, F_GPORT, F_DESC, F_SAVE, F_CANCEL };

/* in enum qnm_proto's order */
static const char *const proto_choices[] = { "tcp", "udp", "tcp+udp" };

/**
 * struct fwdform - state of the forward form.
 * @form:    the rows.
 * @targets: every possible owner, @ntargets; @names their labels.
 * @nics:    the NICs a network forward can go to, @nnics; @nic_names
 *           their labels after "the address below" (choice 0).
 * @orig:    the forward being edited (index -1: new).
 */
struct fwdform {
	struct qnm_form form;
	struct qnm_api_fwd_ref *targets;
	size_t ntargets;
	char **names;
	struct qnm_api_fwd_nic *nics;
	size_t nnics;
	char **nic_names;
	struct qnm_api_fwd_ref orig;
	struct qnm_fwd old;
};

_Static_assert(offsetof(struct fwdform, form) == 0, "qnm_form_screen_*() take the form first");

static struct fwdform *of_form(struct qnm_form *f)
{
	return (struct fwdform *)((char *)f - offsetof(struct fwdform, form));
}

/* a port or a range FIRST-LAST: *@out the first, *@span the ports after it */
static int port_of(const char *t, const char *key, uint16_t *out, unsigned *span,
		   struct qnm_err *err)
{
	const char *dash = strchr(t, '-');
	unsigned long v, last;
	char first[8];
	size_t n = dash ? (size_t)(dash - t) : strlen(t);

	if (n >= sizeof(first))
		n = sizeof(first) - 1;
	memcpy(first, t, n);
	first[n] = '\0';
	if (qnm_parse_uint(first, 1, 65535, &v) ||
	    (dash && qnm_parse_uint(dash + 1, 1, 65535, &last)))
		return qnm_err_set(err, -EINVAL, key,
				   "%s: '%s' is not a port (1 to 65535) or a range FIRST-LAST", key,
				   t);
	if (!dash)
		last = v;
	if (last < v)
		return qnm_err_set(err, -EINVAL, key, "%s: range '%s' ends before it starts", key,
				   t);
	if (last - v + 1 > QNM_FWD_PORTS_MAX)
		return qnm_err_set(err, -EINVAL, key, "%s: range '%s' holds %lu ports; at most %d",
				   key, t, last - v + 1, QNM_FWD_PORTS_MAX);
	*out = (uint16_t)v;
	*span = (unsigned)(last - v);
	return 0;
}

static int addr_of(const char *t, const char *key, char *out, struct qnm_err *err)
{
	if (t[0] && !qnm_valid_ipv4(t))
		return qnm_err_set(err, -EINVAL, key, "%s: '%s' is not an IPv4 address", key, t);
	qnm_strlcpy(out, t, QNM_IPV4_LEN);
	return 0;
}

static void save(struct qnm_ui *ui, struct qnm_form *f)
{
	struct fwdform *s = of_form(f);
	const struct qnm_api_fwd_ref *to;
	struct qnm_api_fwd_result res;
	struct qnm_api_fwd_owner o_to;
	struct qnm_fwd fw;
	struct qnm_err err;
	unsigned hspan = 0, gspan = 0;
	int r, to_nic;

	memset(&fw, 0, sizeof(fw));
	qnm_form_clear_errors(f);
	qnm_err_clear(&err);
	qnm_form_sync(f);
	if (!s->ntargets) {
		qnm_err_set(
			&err, -EINVAL, "target",
			"target: no user/slirp NIC and no network exists yet; create one first");
		qnm_form_set_error(f, &err);
		return;
	}
	to = &s->targets[qnm_form_row(f, F_TARGET)->choice];
	fw.proto = (enum qnm_proto)qnm_form_row(f, F_PROTO)->choice;
	if (addr_of(qnm_form_text(f, F_HADDR), "host-addr", fw.host_addr, &err) ||
	    port_of(qnm_form_text(f, F_HPORT), "host-port", &fw.host_port, &hspan, &err) ||
	    addr_of(qnm_form_text(f, F_GADDR), "guest-addr", fw.guest_addr, &err) ||
	    port_of(qnm_form_text(f, F_GPORT), "guest-port", &fw.guest_port, &gspan, &err) ||
	    qnm_fwd_check_desc(qnm_form_text(f, F_DESC), "desc", &err)) {
		qnm_form_set_error(f, &err);
		return;
	}
	if (hspan != gspan) {
		qnm_err_set(&err, -EINVAL, "guest-port",
			    "guest-port: %u port(s) here but %u on the host: a range needs as many "
			    "ports on both sides",
			    gspan + 1, hspan + 1);
		qnm_form_set_error(f, &err);
		return;
	}
	fw.span = (uint16_t)hspan;
	qnm_strlcpy(fw.desc, qnm_form_text(f, F_DESC), sizeof(fw.desc));
	to_nic = qnm_form_row(f, F_TO)->choice;
	if (to_nic > 0 && (size_t)to_nic <= s->nnics) {
		const struct qnm_api_fwd_nic *n = &s->nics[to_nic - 1];
		size_t i;

		if (fw.guest_addr[0]) {
			qnm_err_set(&err, -EINVAL, "guest-addr",
				    "guest-addr: leave it empty with a guest NIC (the NIC's "
				    "reservation is the address)");
			qnm_form_set_error(f, &err);
			return;
		}
		qnm_strlcpy(fw.target, n->target, sizeof(fw.target));
		/* the forward goes on the NIC's network */
		for (i = 0; i < s->ntargets; i++)
			if (strcmp(s->targets[i].net, n->net) == 0)
				to = &s->targets[i];
	} else if (to->net[0] && !fw.guest_addr[0]) {
		qnm_err_set(
			&err, -EINVAL, "guest-addr",
			"guest-addr: a network forward needs the guest's address (e.g. 10.77.0.10) "
			"or a guest NIC");
		qnm_form_set_error(f, &err);
		return;
	}
	/* a new one is added; an edited one is replaced, on its owner or moved to another */
	o_to = qnm_api_fwd_owner_of(to);
	if (s->orig.index >= 0) {
		struct qnm_api_fwd_owner o_from = qnm_api_fwd_owner_of(&s->orig);

		r = qnm_api_forward_replace(ui->ctx, &o_from, &s->old, &o_to, &fw, &res, &err);
	} else {
		r = qnm_api_forward_add(ui->ctx, &o_to, &fw, &res, &err);
	}
	if (r) {
		/* duplicate ports and the like: show them at the host port */
		if (strstr(err.field, "hostfwd") || strstr(err.field, "forward"))
			qnm_strlcpy(err.field, "host-port", sizeof(err.field));
		qnm_form_set_error(f, &err);
		qnm_ui_log(ui, QNM_MSG_ERROR, "forward not saved: %s", err.msg);
		if (res.undo_err[0])
			qnm_ui_log(ui, QNM_MSG_ERROR, "undoing the live change failed too: %s",
				   res.undo_err);
		return;
	}
	qnm_fwd_report(ui, &res, false);
	f->close = true;
}

static void on_activate(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	if (row->id == F_SAVE)
		save(ui, f);
	else if (row->id == F_CANCEL)
		f->close = true;
}

static struct qnm_row *add_text(struct fwdform *s, int id, const char *key, const char *label,
				const char *text, int maxlen, const char *hint)
{
	struct qnm_row *r = qnm_form_add(&s->form, QNM_ROW_TEXT, id, key, label, text);

	r->maxlen = maxlen;
	r->hint = hint;
	return r;
}

static void *fwdform_init(struct qnm_ui *ui, void *arg)
{
	const struct qnm_api_fwd_ref *ref = arg;
	struct fwdform *s = xcalloc(1, sizeof(*s));
	const struct qnm_fwd *f = ref ? qnm_api_forward_get(ui->ctx, ref) : NULL;
	struct qnm_row *r;
	char buf[16], owner[96];
	size_t i;

	s->orig.index = -1;
	if (f) {
		s->orig = *ref;
		s->old = *f;
	}
	s->targets = qnm_api_forward_targets(ui->ctx, &s->ntargets);
	s->names = xcalloc(s->ntargets + 1, sizeof(char *));
	qnm_form_init(&s->form);
	s->form.on_activate = on_activate;
	s->form.on_save = save;
	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL,
		     f ? "Edit port forward" : "New port forward", NULL);
	r = qnm_form_add(&s->form, QNM_ROW_CHOICE, F_TARGET, "target", "Forward to", NULL);
	for (i = 0; i < s->ntargets; i++) {
		s->names[i] = xstrdup(qnm_fwd_ref_owner(&s->targets[i], owner, sizeof(owner)));
		if (f && strcmp(s->targets[i].vm, ref->vm) == 0 &&
		    strcmp(s->targets[i].nic, ref->nic) == 0 &&
		    strcmp(s->targets[i].net, ref->net) == 0)
			r->choice = (int)i;
	}
	r->choices = (const char *const *)s->names;
	r->nchoices = s->ntargets;
	r->hint = "A user/slirp NIC (QEMU hostfwd) or a qnm network (nftables DNAT). Enter: list.";
	s->nics = qnm_api_forward_nics(ui->ctx, &s->nnics);
	s->nic_names = xcalloc(s->nnics + 2, sizeof(char *));
	s->nic_names[0] = xstrdup("the guest address below");
	r = qnm_form_add(&s->form, QNM_ROW_CHOICE, F_TO, "to", "Guest NIC", NULL);
	for (i = 0; i < s->nnics; i++) {
		s->nic_names[i + 1] = xasprintf("%s on %s (%s)", s->nics[i].target, s->nics[i].net,
						s->nics[i].ip[0] ? s->nics[i].ip : "no address");
		if (f && strcmp(f->target, s->nics[i].target) == 0)
			r->choice = (int)i + 1;
	}
	r->choices = (const char *const *)s->nic_names;
	r->nchoices = s->nnics + 1;
	r->hint = "A VM's TAP NIC on a qnm network: the forward goes there, to the NIC's DHCP "
		  "reservation, and follows the NIC. Enter: list.";
	r = qnm_form_add(&s->form, QNM_ROW_CHOICE, F_PROTO, "proto", "Protocol", NULL);
	r->choices = proto_choices;
	r->nchoices = QNM_ARRAY_SIZE(proto_choices);
	r->choice = f ? (int)f->proto : 0;
	r->hint = "tcp+udp: one entry forwards both protocols.";
	add_text(s, F_HADDR, "host-addr", "Host address", f ? f->host_addr : "127.0.0.1", 20,
		 "127.0.0.1: reachable from this host only. Empty: every host address answers, "
		 "reachable from all networks.");
	qnm_ports_text(f ? f->host_port : 0, f ? f->span : 0, buf, sizeof(buf));
	add_text(s, F_HPORT, "host-port", "Host port", f ? buf : "", 11,
		 "Port on the host, 1 to 65535, or a range FIRST-LAST (at most 1024 ports).");
	add_text(
		s, F_GADDR, "guest-addr", "Guest address", f && !f->target[0] ? f->guest_addr : "",
		20,
		"User-mode NICs: empty means the guest's DHCP address. Networks: the guest's address.");
	qnm_ports_text(f ? f->guest_port : 0, f ? f->span : 0, buf, sizeof(buf));
	add_text(s, F_GPORT, "guest-port", "Guest port", f ? buf : "", 11,
		 "Port in the guest, 1 to 65535; a range as long as the host's.");
	add_text(s, F_DESC, "desc", "Description", f ? f->desc : "", QNM_FWD_DESC_MAX,
		 "What it is for, shown in Forwards and Ports (optional; printable ASCII, no \" "
		 "or \\).");
	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL, "", NULL);
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_SAVE, NULL, NULL, "Save (F2)");
	r->hint = "Check and write the owner's file; nothing is written if a field is wrong.";
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_CANCEL, NULL, NULL, "Cancel (Esc)");
	r->hint = "Leave without changing anything.";
	qnm_form_focus(&s->form, F_TARGET);
	return s;
}

static void fwdform_free(void *st)
{
	struct fwdform *s = st;
	size_t i;

	qnm_form_clear(&s->form);
	for (i = 0; i < s->ntargets; i++)
		free(s->names[i]);
	free(s->names);
	free(s->targets);
	for (i = 0; i < s->nnics + 1; i++)
		free(s->nic_names[i]);
	free(s->nic_names);
	free(s->nics);
	free(s);
}

const struct qnm_screen_ops qnm_screen_fwdform = {
	.id = QNM_SCR_FWDFORM,
	.init = fwdform_init,
	.free = fwdform_free,
	.draw = qnm_form_screen_draw,
	.key = qnm_form_screen_key,
	.resize = qnm_form_screen_resize,
};
