/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend.h - the table of netdev backends (user, slirp, tap, bridge).
 *
 * Each backend lives in its own file (backend-user.c, ...) and exports one
 * const struct qnm_backend_ops; qnm_backend_get() indexes the static table.
 * Adding a backend is adding a file and a table entry.
 */
#ifndef QNM_BACKEND_H
#define QNM_BACKEND_H

#include <stdbool.h>

#include "core/model.h"
#include "core/util.h"

struct qnm_cmdline_opts;

/**
 * struct qnm_backend_ops - what a backend knows how to do.
 * @kind:            its enum value.
 * @name:            config/CLI name ("user", ...).
 * @netdev_type:     QEMU -netdev type it produces ("user", "stream", ...).
 * @summary:         one line for a beginner: what it is, what it needs.
 * @needs_net_admin: true when the host side needs CAP_NET_ADMIN.
 * @validate:        check the backend's options in @nic; 0 or -EINVAL
 *                   with @err naming the field ("nic[n0].net").
 * @netdev_opts:     append the options after "TYPE,id=ID" (each starting
 *                   with ',', values escaped with qnm_qemu_escape()), as
 *                   used by both -netdev and -nic.
 * @nic_form_ok:     true when the -nic short form can express @nic.
 */
struct qnm_backend_ops {
	enum qnm_backend_kind kind;
	const char *name;
	const char *netdev_type;
	const char *summary;
	bool needs_net_admin;
	int (*validate)(const struct qnm_nic *nic, struct qnm_err *err);
	int (*netdev_opts)(const struct qnm_vm *vm, const struct qnm_nic *nic,
			   const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			   struct qnm_err *err);
	bool (*nic_form_ok)(const struct qnm_nic *nic);
};

/** qnm_backend_get() - the ops of @kind (never NULL for a valid kind). */
const struct qnm_backend_ops *qnm_backend_get(enum qnm_backend_kind kind);

extern const struct qnm_backend_ops qnm_backend_user;
extern const struct qnm_backend_ops qnm_backend_slirp;
extern const struct qnm_backend_ops qnm_backend_tap;
extern const struct qnm_backend_ops qnm_backend_bridge;

/* Shared by the user and slirp backends (backend-user.c). */
int qnm_user_opts_validate(const struct qnm_nic *nic, bool slirp, struct qnm_err *err);

/**
 * qnm_tap_default_ifname() - the TAP name qnm uses when a tap NIC has none:
 * "qt-" + up to 8 chars of the VM name + "-" + NIC index (<= 15 bytes).
 * @buf: at least QNM_IFNAME_MAX + 1 bytes.
 */
void qnm_tap_default_ifname(const struct qnm_vm *vm, size_t nic_index, char *buf);

/**
 * qnm_tap_ifname() - the TAP a tap NIC uses: its ifname, or
 * qnm_tap_default_ifname() when it names none.
 * @buf: at least QNM_IFNAME_MAX + 1 bytes.
 */
void qnm_tap_ifname(const struct qnm_vm *vm, size_t nic_index, char *buf);

#endif
