// SPDX-License-Identifier: GPL-2.0-or-later
/* conns.c - the live connections of a guest's user-mode NICs (see conns.h). */
#include "build-config.h"

#include "api/conns.h"

/* the front ends' backend test, moved here; the backend op "conns" replaces it */
bool qnm_api_conns_has_table(const struct qnm_nic *nic)
{
	return nic->backend == QNM_BACKEND_USER || nic->backend == QNM_BACKEND_SLIRP;
}

int qnm_api_conns_query(const struct qnm_ctx *ctx, const struct qnm_vm *vm,
			const struct qnm_nic *nic, struct qnm_conn **v, size_t *n,
			struct qnm_err *err)
{
	return qnm_conns_query(ctx->paths.runtime_dir, vm, nic, v, n, err);
}
