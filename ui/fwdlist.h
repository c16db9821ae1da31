/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwdlist.h - what the Forwards screen and its form share: the owner of a
 * forward in words, and the messages that tell what a change did. The
 * forwards themselves (listing, targets, add/remove/replace saved and live)
 * are the engine's (api/forward.h).
 */
#ifndef QNM_UI_FWDLIST_H
#define QNM_UI_FWDLIST_H

#include "api/forward.h"
#include "uipriv.h"

/** qnm_fwd_ref_owner() - "VM web NIC n0" / "network lab"; @buf >= 96 bytes. */
const char *qnm_fwd_ref_owner(const struct qnm_api_fwd_ref *r, char *buf, size_t size);

/**
 * qnm_fwd_guest_text() - a forward's guest side in words: "web/n0
 * (10.77.0.51):80" for a forward to a NIC, "10.77.0.51:80", or
 * "(guest):80" for a user NIC's guest (ports as a range "8000-8010" for a
 * range). @buf >= 112 bytes.
 */
const char *qnm_fwd_guest_text(const struct qnm_fwd *f, char *buf, size_t size);

/**
 * qnm_fwd_report() - log what a saved forward change did: applied live on
 * a running guest's slirp helper or an up network's table, refused by the
 * helper, or waiting for the next start.
 * @res:     what qnm_api_forward_*() returned.
 * @removed: the change removed a forward (else it added or replaced one).
 */
void qnm_fwd_report(struct qnm_ui *ui, const struct qnm_api_fwd_result *res, bool removed);

#endif
