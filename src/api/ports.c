// SPDX-License-Identifier: GPL-2.0-or-later
/* ports.c - the port table (see ports.h). */
#include "build-config.h"

#include "api/ports.h"

void qnm_api_ports_table(const struct qnm_ctx *ctx, bool read_live, struct qnm_port_table *t)
{
	qnm_port_table_build(&ctx->model, ctx->paths.runtime_dir, read_live, t);
}
