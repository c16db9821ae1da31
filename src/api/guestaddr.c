// SPDX-License-Identifier: GPL-2.0-or-later
/* guestaddr.c - the guests' addresses (see guestaddr.h). */
#include "build-config.h"

#include "api/guestaddr.h"

struct qnm_guestaddr *qnm_api_guestaddr_open(const struct qnm_ctx *ctx)
{
	return qnm_guestaddr_new(ctx->paths.runtime_dir);
}

int qnm_api_guestaddr_refresh(const struct qnm_ctx *ctx, struct qnm_guestaddr *g, bool force,
			      struct qnm_err *err)
{
	return qnm_guestaddr_refresh(g, &ctx->model, force, err);
}
