// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - qnm-ui's entry point: the text UI. "qnm" execs it with its own
 * argv when it is started without a command on a terminal, or with
 * --theme (core/progs.h); without a terminal the UI says it needs one.
 */
#include "build-config.h"

#include "core/context.h"
#include "ui.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct qnm_ctx ctx;
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	if (qnm_ctx_init(&ctx, &err)) {
		fprintf(stderr, "qnm: %s\n", err.msg);
		return 1;
	}
	r = qnm_ui_main(&ctx, argc, argv);
	qnm_ctx_clear(&ctx);
	return r;
}
