/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuntap.h - persistent TAP devices through /dev/net/tun.
 *
 * TAPs cannot be created over rtnetlink; qnm opens /dev/net/tun, attaches
 * with TUNSETIFF (IFF_TAP | IFF_NO_PI, optionally IFF_VNET_HDR), makes the
 * device persistent (TUNSETPERSIST) and, for a guest run by another user,
 * hands it over with TUNSETOWNER/TUNSETGROUP so that user's QEMU can open
 * it without privileges. Acts on the caller's network namespace.
 */
#ifndef QNM_TUNTAP_H
#define QNM_TUNTAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/util.h"

/**
 * struct qnm_tap_params - how to create a TAP.
 * @owner:     user allowed to attach without CAP_NET_ADMIN; (uid_t)-1 means
 *             the caller's effective uid. (A TAP with neither owner nor
 *             group may be attached by ANY user, so qnm always sets one.)
 * @group:     group allowed to attach, or (gid_t)-1 for none.
 * @vnet_hdr:  attach with IFF_VNET_HDR while creating (the flag belongs to
 *             the open file, not the device: QEMU sets its own).
 */
struct qnm_tap_params {
	uid_t owner;
	gid_t group;
	bool vnet_hdr;
};

/**
 * qnm_tap_create() - create persistent TAP @name.
 * @name: interface name (1-15 bytes).
 * @p:    owner, group and flags; NULL for root-only, no vnet header.
 * @err:  what went wrong; EPERM reads "create tap NAME needs CAP_NET_ADMIN ...".
 *
 * Fails with -EEXIST when an interface of that name already exists (an
 * existing TAP is never silently adopted). On failure nothing is left
 * behind.
 * Return: 0 or -errno.
 */
int qnm_tap_create(const char *name, const struct qnm_tap_params *p, struct qnm_err *err);

/**
 * qnm_tap_delete() - remove persistent TAP @name (clears TUNSETPERSIST;
 * the device goes away when the last user, e.g. QEMU, closes it).
 * Return: 0, -ENODEV when no TAP of that name exists, or -errno.
 */
int qnm_tap_delete(const char *name, struct qnm_err *err);

/**
 * qnm_tun_available() - whether /dev/net/tun can be opened read-write.
 * @why: at least 128 bytes; on false, the reason in words.
 */
bool qnm_tun_available(char *why, size_t size);

#endif
