// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - qnm's entry point: one CLI command, or the program that serves
 * the command. The text UI (without a command, on a terminal) and the
 * libslirp helper are programs of their own (core/progs.h): qnm execs them
 * with its own argv, the way git runs its helpers, so that qnm links neither
 * curses nor libslirp and a one-shot command starts cheaply.
 */
#include "build-config.h"

#include "cli/cli.h"
#include "core/context.h"
#include "core/progs.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The text UI: no command on a terminal, or a theme (without a terminal the UI says it needs one). */
static bool wants_ui(int argc, char **argv)
{
	if (argc < 2)
		return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	return strncmp(argv[1], "--theme", 7) == 0;
}

/* The helper itself; its "ctl" client is a command of qnm's. */
static bool wants_slirp_helper(int argc, char **argv)
{
	return argc >= 2 && strcmp(argv[1], "slirp-helper") == 0 &&
	       !(argc >= 3 && strcmp(argv[2], "ctl") == 0);
}

/**
 * struct served_elsewhere - a command another program serves.
 * @wants: whether @argv asks for it.
 * @prog:  the program qnm execs with the same argv.
 */
struct served_elsewhere {
	bool (*wants)(int argc, char **argv);
	enum qnm_prog prog;
};

static const struct served_elsewhere elsewhere[] = {
	{ wants_ui, QNM_PROG_UI },
	{ wants_slirp_helper, QNM_PROG_SLIRP_HELPER },
};

int main(int argc, char **argv)
{
	struct qnm_ctx ctx;
	struct qnm_err err;
	size_t i;
	int r;

	qnm_err_clear(&err);
	for (i = 0; i < QNM_ARRAY_SIZE(elsewhere); i++) {
		if (elsewhere[i].wants(argc, argv)) {
			qnm_prog_exec(elsewhere[i].prog, argv, &err);
			fprintf(stderr, "qnm: %s\n", err.msg);
			return 1;
		}
	}
	if (qnm_ctx_init(&ctx, &err)) {
		fprintf(stderr, "qnm: %s\n", err.msg);
		return 1;
	}
	r = qnm_cli_main(&ctx, argc < 2 ? 0 : argc - 1, argc < 2 ? NULL : argv + 1);
	qnm_ctx_clear(&ctx);
	return r;
}
