// SPDX-License-Identifier: GPL-2.0-or-later
/* ctx.c - private copies of the context for background use cases (see ctx.h). */
#include "build-config.h"

#include "api/ctx.h"

#include <stdlib.h>

struct qnm_ctx *qnm_api_ctx_copy(const struct qnm_ctx *ctx)
{
	struct qnm_ctx *c = xcalloc(1, sizeof(*c));
	const struct qnm_paths *p = &ctx->paths;
	size_t i;

	c->paths.config_dir = xstrdup_or_null(p->config_dir);
	c->paths.vms_dir = xstrdup_or_null(p->vms_dir);
	c->paths.nets_dir = xstrdup_or_null(p->nets_dir);
	c->paths.runtime_dir = xstrdup_or_null(p->runtime_dir);
	c->paths.data_dir = xstrdup_or_null(p->data_dir);
	c->paths.cache_dir = xstrdup_or_null(p->cache_dir);
	qnm_model_init(&c->model);
	for (i = 0; i < ctx->model.nvms; i++)
		qnm_model_add_vm(&c->model, qnm_vm_copy(ctx->model.vms[i]));
	for (i = 0; i < ctx->model.nnets; i++)
		qnm_model_add_net(&c->model, qnm_network_copy(ctx->model.nets[i]));
	c->loaded = true;
	c->copied = true;
	c->json = ctx->json;
	c->out = ctx->out;
	c->errout = ctx->errout;
	return c;
}

void qnm_api_ctx_free(struct qnm_ctx *copy)
{
	if (!copy)
		return;
	qnm_ctx_clear(copy);
	free(copy);
}
