// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slirp-main.c - qnm-slirp-helper's entry point: the one program that links
 * libslirp (and glib). The runner starts it, and "qnm slirp-helper ..."
 * execs it, with the argv "qnm slirp-helper OPTIONS" (core/progs.h); it runs
 * that command with the helper's loop at hand.
 */
#include "build-config.h"

#include "api/slirp.h"
#include "cli/cli.h"
#include "core/context.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct qnm_ctx ctx;
	struct qnm_err err;
	int r;

	if (argc < 2 || strcmp(argv[1], "slirp-helper") != 0) {
		fprintf(stderr, "qnm-slirp-helper: qnm runs it as \"qnm slirp-helper ...\" "
				"(see qnm slirp-helper --help)\n");
		return 2;
	}
	qnm_api_slirp_set_runner(qnm_slirp_helper_run);
	qnm_err_clear(&err);
	if (qnm_ctx_init(&ctx, &err)) {
		fprintf(stderr, "qnm: %s\n", err.msg);
		return 1;
	}
	r = qnm_cli_main(&ctx, argc - 1, argv + 1);
	qnm_ctx_clear(&ctx);
	return r;
}
