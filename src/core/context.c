// SPDX-License-Identifier: GPL-2.0-or-later
/* context.c - the process-wide context. */
#include "build-config.h"

#include "core/context.h"

#include <stdlib.h>
#include <string.h>

#include "core/validate.h"

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

int qnm_ctx_check_vm(const struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		     struct qnm_err *err)
{
	struct qnm_model view = ctx->model;
	size_t i;
	int r;

	r = qnm_check_vm(vm, err);
	if (r)
		return r;
	/* A shallow view of the model with @vm in place of @old_name. */
	view.vms = xreallocarray(NULL, ctx->model.nvms + 1, sizeof(*view.vms));
	view.nvms = 0;
	for (i = 0; i < ctx->model.nvms; i++)
		if (!old_name || strcmp(ctx->model.vms[i]->name, old_name) != 0)
			view.vms[view.nvms++] = ctx->model.vms[i];
	view.vms[view.nvms++] = (struct qnm_vm *)vm;
	r = qnm_check_model(&view, err);
	free(view.vms);
	return r;
}

int qnm_ctx_check_network(const struct qnm_ctx *ctx, const struct qnm_network *net,
			  const char *old_name, struct qnm_err *err)
{
	struct qnm_model view = ctx->model;
	size_t i;
	int r;

	r = qnm_check_network(net, err);
	if (r)
		return r;
	view.nets = xreallocarray(NULL, ctx->model.nnets + 1, sizeof(*view.nets));
	view.nnets = 0;
	for (i = 0; i < ctx->model.nnets; i++)
		if (!old_name || strcmp(ctx->model.nets[i]->name, old_name) != 0)
			view.nets[view.nnets++] = ctx->model.nets[i];
	view.nets[view.nnets++] = (struct qnm_network *)net;
	r = qnm_check_model(&view, err);
	free(view.nets);
	return r;
}

int qnm_ctx_save_vm(struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		    struct qnm_err *err)
{
	int r = qnm_ctx_check_vm(ctx, vm, old_name, err);

	if (!r)
		r = qnm_config_save_vm(&ctx->paths, vm, old_name, err);
	if (r)
		return r;
	if (old_name)
		qnm_vm_free(qnm_model_remove_vm(&ctx->model, old_name));
	qnm_model_add_vm(&ctx->model, qnm_vm_copy(vm));
	return 0;
}

int qnm_ctx_save_network(struct qnm_ctx *ctx, const struct qnm_network *net, const char *old_name,
			 struct qnm_err *err)
{
	int r = qnm_ctx_check_network(ctx, net, old_name, err);

	if (!r)
		r = qnm_config_save_network(&ctx->paths, net, old_name, err);
	if (r)
		return r;
	if (old_name)
		qnm_network_free(qnm_model_remove_net(&ctx->model, old_name));
	qnm_model_add_net(&ctx->model, qnm_network_copy(net));
	return 0;
}
