/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scratch-ctx.h - a qnm context on fresh, empty directories, for the unit
 * tests of the engine API (test-api-vm.c, test-api-net.c). Static functions:
 * each test program includes it once, after <cmocka.h>.
 */
#ifndef QNM_TEST_SCRATCH_CTX_H
#define QNM_TEST_SCRATCH_CTX_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/context.h"

/* the scratch directory of the running test ("" before the first) */
static char scratch_dir[256];

/**
 * scratch_ctx_new() - a context whose config, data and runtime directories
 * are below a new scratch_dir ("/tmp/qnm-@name.XXXXXX"), model loaded.
 * Return: the context; free it with scratch_ctx_free().
 */
static struct qnm_ctx *scratch_ctx_new(const char *name)
{
	struct qnm_ctx *ctx = xcalloc(1, sizeof(*ctx));
	char *p;

	snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/qnm-%s.XXXXXX", name);
	assert_non_null(mkdtemp(scratch_dir));
	p = xasprintf("%s/config", scratch_dir);
	setenv("XDG_CONFIG_HOME", p, 1);
	free(p);
	p = xasprintf("%s/data", scratch_dir);
	setenv("XDG_DATA_HOME", p, 1);
	free(p);
	setenv("XDG_RUNTIME_DIR", scratch_dir, 1);
	assert_int_equal(qnm_ctx_init(ctx, NULL), 0);
	assert_int_equal(qnm_ctx_load(ctx, NULL), 0);
	return ctx;
}

/* nftw() callback: remove one entry of the scratch directory */
static int scratch_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/** scratch_ctx_free() - free @ctx and remove scratch_dir with all it holds. */
static void scratch_ctx_free(struct qnm_ctx *ctx)
{
	qnm_ctx_clear(ctx);
	free(ctx);
	nftw(scratch_dir, scratch_rm_one, 16,
	     FTW_DEPTH | FTW_PHYS); /* the test-made directory only */
}

#endif
