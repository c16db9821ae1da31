// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - qnm's entry point: the text UI when started without a command
 * on a terminal, otherwise one CLI command.
 */
#include "build-config.h"

#include "cli/cli.h"
#include "core/context.h"
#include "ui.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
	if (argc < 2 || (strncmp(argv[1], "--theme", 7) == 0)) {
		/* No command: the text UI on a terminal, the help otherwise. */
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			r = qnm_ui_main(&ctx, argc, argv);
		else if (argc < 2)
			r = qnm_cli_main(&ctx, 0, NULL);
		else
			r = qnm_ui_main(&ctx, argc, argv); /* says it needs a terminal */
	} else {
		r = qnm_cli_main(&ctx, argc - 1, argv + 1);
	}
	qnm_ctx_clear(&ctx);
	return r;
}
