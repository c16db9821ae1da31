/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwdlist.h - every port forward of the model in one list: hostfwd on
 * user/slirp NICs and DNAT on networks (shared by the Forwards screen and
 * its form).
 */
#ifndef QNM_UI_FWDLIST_H
#define QNM_UI_FWDLIST_H

#include "uipriv.h"

/**
 * struct qnm_fwd_ref - where a forward lives.
 * @vm:    VM name ("" for a network forward).
 * @nic:   NIC id within @vm.
 * @net:   network name ("" for a NIC forward).
 * @index: index in that NIC's or network's list (-1: a new one).
 */
struct qnm_fwd_ref {
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	char net[QNM_NAME_MAX + 1];
	int index;
};

/** qnm_fwd_ref_owner() - "VM web NIC n0" / "network lab"; @buf >= 96 bytes. */
const char *qnm_fwd_ref_owner(const struct qnm_fwd_ref *r, char *buf, size_t size);

/**
 * qnm_fwd_targets() - every place a forward can go: user/slirp NICs, then
 * networks (index -1). Return: array (caller frees), *@n entries.
 */
struct qnm_fwd_ref *qnm_fwd_targets(const struct qnm_model *m, size_t *n);

/** qnm_fwd_lookup() - the forward @r points to, or NULL. */
struct qnm_fwd *qnm_fwd_lookup(const struct qnm_model *m, const struct qnm_fwd_ref *r);

/**
 * qnm_fwd_live() - apply a saved forward at once: on a running guest's
 * slirp helper remove @old (when not NULL) and add @f; on a network that is
 * up, rewrite its rules (in the background). Logs what happened.
 * Return: true when it was applied or is being applied, false otherwise
 * (the forward applies at the next start / when the network comes up).
 */
bool qnm_fwd_live(struct qnm_ui *ui, const struct qnm_fwd_ref *r, const struct qnm_fwd *f,
		  const struct qnm_fwd *old);

#endif
