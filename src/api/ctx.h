/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctx.h - a private copy of the context for a use case a front end runs in
 * the background (the UI's worker threads): the use case gets the same
 * struct qnm_ctx argument as anywhere else, while the front end's own
 * context may change meanwhile on the main thread.
 */
#ifndef QNM_API_CTX_H
#define QNM_API_CTX_H

#include "core/context.h"

/**
 * qnm_api_ctx_copy() - a deep copy of @ctx's paths and model (problems are
 * not copied; the streams are shared), marked loaded.
 * @ctx: the context to copy (only read).
 * Return: the copy; free it with qnm_api_ctx_free(). Never NULL.
 */
struct qnm_ctx *qnm_api_ctx_copy(const struct qnm_ctx *ctx);

/** qnm_api_ctx_free() - free a copy made by qnm_api_ctx_copy() (NULL is fine). */
void qnm_api_ctx_free(struct qnm_ctx *copy);

#endif
