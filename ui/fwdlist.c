// SPDX-License-Identifier: GPL-2.0-or-later
/* fwdlist.c - forwards of NICs and networks in words (see fwdlist.h). */
#include "build-config.h"

#include "fwdlist.h"

#include <stdio.h>

const char *qnm_fwd_ref_owner(const struct qnm_api_fwd_ref *r, char *buf, size_t size)
{
	if (r->vm[0])
		snprintf(buf, size, "VM %s NIC %s", r->vm, r->nic);
	else
		snprintf(buf, size, "network %s", r->net);
	return buf;
}

const char *qnm_fwd_guest_text(const struct qnm_fwd *f, char *buf, size_t size)
{
	char ports[16];

	qnm_ports_text(f->guest_port, f->span, ports, sizeof(ports));
	if (f->target[0])
		snprintf(buf, size, "%s (%s):%s", f->target,
			 f->guest_addr[0] ? f->guest_addr : "no address", ports);
	else
		snprintf(buf, size, "%s:%s", f->guest_addr[0] ? f->guest_addr : "(guest)", ports);
	return buf;
}

void qnm_fwd_report(struct qnm_ui *ui, const struct qnm_api_fwd_result *res, bool removed)
{
	const struct qnm_api_fwd_ref *r = &res->ref;
	char text[QNM_FWD_TEXT_LEN], owner[96];

	qnm_fwd_format(&res->fwd, text, sizeof(text));
	qnm_fwd_ref_owner(r, owner, sizeof(owner));
	if (res->kind == QNM_API_FWD_DNAT && res->table_missing)
		qnm_ui_log(ui, QNM_MSG_WARN,
			   "network %s is up but table inet qnm is missing (deleted outside qnm?): "
			   "bring it up again (u on Networks) to re-create it",
			   r->net);
	switch (res->live) {
	case QNM_API_FWD_LIVE:
		if (res->kind == QNM_API_FWD_DNAT) {
			qnm_ui_log(
				ui, QNM_MSG_OK,
				"forward %s saved and %s the live table of network %s (it is up)",
				text, removed ? "removed from" : "applied to", r->net);
		} else {
			qnm_ui_log(ui, QNM_MSG_OK, "forward %s saved and %s live on %s NIC %s",
				   text, removed ? "removed" : "applied", r->vm, r->nic);
		}
		break;
	case QNM_API_FWD_NET_UP:
		qnm_ui_log(ui, QNM_MSG_OK,
			   "forward %s saved on ovn network %s: bring it up again (u on Networks) "
			   "to give its OVN router the change",
			   text, r->net);
		break;
	case QNM_API_FWD_REFUSED:
		qnm_ui_log(ui, QNM_MSG_ERROR,
			   "forward %s saved, but the running guest's helper refused it: %s", text,
			   res->why);
		break;
	default:
		if (removed)
			qnm_ui_log(ui, QNM_MSG_OK, "forward of %s deleted", owner);
		else
			qnm_ui_log(ui, QNM_MSG_OK,
				   "forward saved on %s (applies at the next start)", owner);
		break;
	}
	if (!removed && qnm_fwd_reach(&res->fwd) == QNM_REACH_ALL) {
		char note[192];

		qnm_fwd_exposure(&res->fwd, res->kind == QNM_API_FWD_DNAT, note, sizeof(note));
		qnm_ui_log(ui, QNM_MSG_WARN, "%s", note);
	}
}
