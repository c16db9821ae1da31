// SPDX-License-Identifier: GPL-2.0-or-later
/* stats.c - the stats subscription (see stats.h). */
#include "build-config.h"

#include "api/stats.h"

int qnm_api_stats_open(const struct qnm_ctx *ctx, struct qnm_sampler **out, struct qnm_err *err)
{
	struct qnm_sampler_opts o = { .model = &ctx->model, .runtime_dir = ctx->paths.runtime_dir };

	return qnm_sampler_new(&o, out, err);
}
