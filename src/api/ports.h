/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ports.h - every host port qnm forwards (hostfwd of user NICs, slirp
 * NICs, DNAT of networks) and which process holds each now.
 */
#ifndef QNM_API_PORTS_H
#define QNM_API_PORTS_H

#include <stdbool.h>

#include "core/context.h"
/* re-exported: the port table (struct qnm_port_table, its entries and
 * holders, qnm_port_kind_name(), qnm_port_holder_text()), as read-only data */
#include "watch/portowner.h"

/**
 * qnm_api_ports_table() - collect every host port the model of @ctx
 * forwards and who holds each now; the QEMU or slirp helper of a running VM
 * is recognised as that VM's.
 * @ctx:       the context (its model must be loaded).
 * @read_live: also read table inet qnm (needs CAP_NET_ADMIN; a failure is
 *             recorded in @t->live_ret, not returned).
 * @t:         filled; free with qnm_port_table_clear().
 */
void qnm_api_ports_table(const struct qnm_ctx *ctx, bool read_live, struct qnm_port_table *t);

#endif
