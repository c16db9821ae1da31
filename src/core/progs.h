/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progs.h - qnm's programs and where each one is.
 *
 * qnm is three programs, the way git is one command and its helpers: "qnm"
 * (the CLI, in $(bindir)) links only what the engine's commands need, so a
 * one-shot command starts cheaply; the text UI ("qnm-ui": ncurses, libvterm)
 * and the libslirp helper ("qnm-slirp-helper": libslirp, glib) are programs
 * of their own in $(pkglibexecdir), which "qnm" execs with its own argv when
 * it is asked for them. Each program is looked for next to the running one
 * first (the build tree, where the tests run them), then in the directory it
 * is installed in.
 */
#ifndef QNM_PROGS_H
#define QNM_PROGS_H

#include "core/util.h"

/**
 * enum qnm_prog - one of qnm's programs.
 * @QNM_PROG_CLI:          "qnm", the command line (and "qnm serve").
 * @QNM_PROG_UI:           "qnm-ui", the text UI ("qnm" on a terminal).
 * @QNM_PROG_SLIRP_HELPER: "qnm-slirp-helper", one slirp NIC's user-mode
 *                         network ("qnm slirp-helper").
 * @QNM_PROG__COUNT:       number of programs.
 */
enum qnm_prog { QNM_PROG_CLI, QNM_PROG_UI, QNM_PROG_SLIRP_HELPER, QNM_PROG__COUNT };

/**
 * qnm_prog_name() - the file name of program @p ("qnm-ui").
 * @p: the program.
 *
 * Return: a static string.
 */
const char *qnm_prog_name(enum qnm_prog p);

/**
 * qnm_prog_path() - where program @p is.
 * @p:   the program.
 * @err: filled when it is found nowhere.
 *
 * The running program itself when its file is named like @p; else the file
 * of that name in the running program's directory (/proc/self/exe's), when
 * it is executable; else the one in the directory @p is installed in
 * ($(bindir) for qnm, $(pkglibexecdir) for the others).
 *
 * Return: a newly allocated path (the caller frees it), or NULL with @err
 * naming both places looked in.
 */
char *qnm_prog_path(enum qnm_prog p, struct qnm_err *err);

/**
 * qnm_prog_exec() - replace this process by program @p with @argv.
 * @p:    the program.
 * @argv: its argument vector, NULL-terminated; argv[0] is passed as is
 *        (callers keep "qnm", so the process reads as the command it serves).
 * @err:  filled when @p is missing or cannot be run.
 *
 * execv(), never a shell. Returns only on failure.
 *
 * Return: a negative errno, with @err set.
 */
int qnm_prog_exec(enum qnm_prog p, char *const *argv, struct qnm_err *err);

#endif
