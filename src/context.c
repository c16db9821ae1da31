// SPDX-License-Identifier: GPL-2.0-or-later
/* context.c - the process-wide context. */
#include "build-config.h"

#include "context.h"

#include <string.h>

int qnm_ctx_init(struct qnm_ctx *ctx, struct qnm_err *err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out = stdout;
	ctx->errout = stderr;
	qnm_model_init(&ctx->model);
	return qnm_paths_init(&ctx->paths, err);
}

int qnm_ctx_load(struct qnm_ctx *ctx, struct qnm_err *err)
{
	int r;

	if (ctx->loaded)
		return 0;
	r = qnm_config_load(&ctx->paths, &ctx->model, &ctx->problems, err);
	if (r == 0)
		ctx->loaded = true;
	return r;
}

void qnm_ctx_clear(struct qnm_ctx *ctx)
{
	qnm_model_clear(&ctx->model);
	qnm_problems_clear(&ctx->problems);
	qnm_paths_clear(&ctx->paths);
}
