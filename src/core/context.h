/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * context.h - the one process-wide context, passed explicitly (no globals).
 */
#ifndef QNM_CONTEXT_H
#define QNM_CONTEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/model.h"

/**
 * struct qnm_ctx - state shared by the CLI commands and the UI.
 * @paths:    qnm's directories.
 * @model:    every VM and network loaded from @paths.
 * @problems: files that failed to load (shown, never overwritten).
 * @loaded:   @model has been loaded.
 * @json:     --json given: commands print JSON on stdout.
 * @out:      where commands print results (stdout).
 * @errout:   where commands print errors (stderr).
 */
struct qnm_ctx {
	struct qnm_paths paths;
	struct qnm_model model;
	struct qnm_problems problems;
	bool loaded;
	bool json;
	FILE *out;
	FILE *errout;
};

/**
 * qnm_ctx_init() - compute paths; does not load the model.
 * Return: 0 or -errno (@err set).
 */
int qnm_ctx_init(struct qnm_ctx *ctx, struct qnm_err *err);

/**
 * qnm_ctx_load() - load the model once (later calls do nothing); problems
 * are kept in @ctx->problems.
 * Return: 0 or -errno.
 */
int qnm_ctx_load(struct qnm_ctx *ctx, struct qnm_err *err);

void qnm_ctx_clear(struct qnm_ctx *ctx);

/**
 * qnm_ctx_check_vm() - validate @vm on its own and against every other VM
 * and network of the loaded model (MAC clashes, host ports, networks), as
 * if it replaced the VM named @old_name (NULL: a new VM).
 * Return: 0 or -EINVAL with @err naming the field.
 */
int qnm_ctx_check_vm(const struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		     struct qnm_err *err);

/** qnm_ctx_check_network() - like qnm_ctx_check_vm() for a network. */
int qnm_ctx_check_network(const struct qnm_ctx *ctx, const struct qnm_network *net,
			  const char *old_name, struct qnm_err *err);

/**
 * qnm_ctx_save_vm() - check @vm (qnm_ctx_check_vm()), write its file
 * atomically, and put a copy of it in @ctx->model in place of @old_name.
 * On any error nothing is written and the model is unchanged.
 * Return: 0 or -errno with @err set.
 */
int qnm_ctx_save_vm(struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		    struct qnm_err *err);

/** qnm_ctx_save_network() - like qnm_ctx_save_vm() for a network. */
int qnm_ctx_save_network(struct qnm_ctx *ctx, const struct qnm_network *net, const char *old_name,
			 struct qnm_err *err);

#endif
