/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ui.h - the text UI's one entry point.
 */
#ifndef QNM_UI_UI_H
#define QNM_UI_UI_H

struct qnm_ctx;

/**
 * qnm_ui_main() - run the text UI until the user quits.
 * @ctx:  the process context (paths set by qnm_ctx_init(); the model is
 *        loaded here if it is not yet).
 * @argc: number of UI options in @argv.
 * @argv: UI options, argv[0] being the program or first option:
 *        "--theme NAME" (or "--theme=NAME") and "--help".
 *
 * Needs stdin and stdout to be a terminal. The terminal is restored on
 * every way out (quit, error, SIGTERM, SIGHUP); running guests are left
 * running.
 *
 * Return: process exit status (0 ok, 1 failure, 2 usage error).
 */
int qnm_ui_main(struct qnm_ctx *ctx, int argc, char **argv);

#endif
