/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conns.h - the live TCP/UDP connections of a running guest's user-mode
 * NICs (the host sockets SLIRP holds on the guest's behalf), from qnm's
 * slirp helper or from QEMU's "info usernet" (guest/conns.h).
 */
#ifndef QNM_API_CONNS_H
#define QNM_API_CONNS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"
/* re-exported: struct qnm_conn and qnm_conn_dir_name(), the rows of the
 * connection listing as read-only data */
#include "guest/conns.h"

/**
 * qnm_api_conns_has_table() - whether NIC @nic keeps a connection table
 * (user and slirp NICs: their user-mode network stack).
 */
bool qnm_api_conns_has_table(const struct qnm_nic *nic);

/**
 * qnm_api_conns_query() - the live connections of NIC @nic of the running
 * VM @vm.
 * @ctx: the context.
 * @vm:  the VM (from the model, or a copy of it).
 * @nic: one of its NICs.
 * @v:   set to a new array (caller frees with free()), @n rows.
 * @err: why not.
 * Return: 0; -EOPNOTSUPP for a NIC without a table; -ENOENT when the VM is
 * not running or QEMU does not list the netdev; another -errno.
 */
int qnm_api_conns_query(const struct qnm_ctx *ctx, const struct qnm_vm *vm,
			const struct qnm_nic *nic, struct qnm_conn **v, size_t *n,
			struct qnm_err *err);

#endif
