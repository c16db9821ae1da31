// SPDX-License-Identifier: GPL-2.0-or-later
/* models.c - the device catalog (see models.h). */
#include "build-config.h"

#include "api/models.h"

int qnm_api_models_load(const struct qnm_ctx *ctx, const char *arch, int timeout_ms,
			struct qnm_catalog **out, struct qnm_err *err)
{
	return qnm_catalog_load(arch, NULL, ctx->paths.cache_dir, timeout_ms, out, err);
}
