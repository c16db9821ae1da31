// SPDX-License-Identifier: GPL-2.0-or-later
/* cli.c - "qnm COMMAND ...": the command table and dispatch. */
#include "build-config.h"

#include "cli/cli.h"
#include "core/schema.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* One line per command, alphabetical. Each lives in its own cli-*.c file. */
static const struct qnm_cli_cmd *const commands[] = {
	&qnm_cmd_autostart, &qnm_cmd_capture, &qnm_cmd_check,	     &qnm_cmd_cmdline,
	&qnm_cmd_conns,	    &qnm_cmd_console, &qnm_cmd_del,	     &qnm_cmd_demo,
	&qnm_cmd_doctor,    &qnm_cmd_forward, &qnm_cmd_host,	     &qnm_cmd_link,
	&qnm_cmd_links,	    &qnm_cmd_list,    &qnm_cmd_models,	     &qnm_cmd_net,
	&qnm_cmd_new,	    &qnm_cmd_nic,     &qnm_cmd_ports,	     &qnm_cmd_serve,
	&qnm_cmd_set,	    &qnm_cmd_show,    &qnm_cmd_shutdown_all, &qnm_cmd_slirp_helper,
	&qnm_cmd_start,	    &qnm_cmd_stats,   &qnm_cmd_status,	     &qnm_cmd_stop,
};

const struct qnm_cli_cmd *qnm_cli_find(const char *name)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

const struct qnm_cli_cmd *const *qnm_cli_commands(size_t *n)
{
	*n = QNM_ARRAY_SIZE(commands);
	return commands;
}

void qnm_cli_usage(FILE *f, const struct qnm_cli_cmd *cmd)
{
	fprintf(f, "usage: qnm %s\n", cmd->usage);
}

bool qnm_cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

int qnm_cli_error(struct qnm_ctx *ctx, const char *cmd, const struct qnm_err *err)
{
	fprintf(ctx->errout, "qnm: %s: %s\n", cmd, err->msg[0] ? err->msg : strerror(-err->code));
	return 1;
}

void qnm_cli_print_json(struct qnm_ctx *ctx, json_object *o)
{
	fprintf(ctx->out, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int qnm_cli_load(struct qnm_ctx *ctx, const char *cmd)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_ctx_load(ctx, &err))
		return qnm_cli_error(ctx, cmd, &err);
	qnm_cli_warn_problems(ctx);
	return 0;
}

void qnm_cli_warn_problems(const struct qnm_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->problems.n; i++)
		fprintf(ctx->errout, "qnm: warning: %s (file skipped, left untouched)\n",
			ctx->problems.v[i].msg);
}

int qnm_cli_load_vm(struct qnm_ctx *ctx, const char *cmd, const char *name)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_ctx_load_vm(ctx, name, &err) == 0)
		return 0;
	return qnm_cli_load(ctx, cmd); /* its usual warnings and advice */
}

static void print_help(FILE *f)
{
	size_t i;

	fputs("qnm - QEMU network manager\n\n"
	      "usage: qnm                 start the text UI (on a terminal)\n"
	      "       qnm COMMAND [ARGS]  run one command (qnm COMMAND --help for its options)\n"
	      "       qnm -H HOST COMMAND [ARGS]  run it on another host (qnm host --help)\n\n"
	      "commands:\n",
	      f);
	for (i = 0; i < QNM_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\nfiles: $XDG_CONFIG_HOME/qnm/vms/NAME.conf, $XDG_CONFIG_HOME/qnm/networks/NAME.conf\n",
	      f);
}

/* "usage: ...", the summary (@summary), the help text, the options and the keys of @cmd */
static void print_cmd_help(FILE *f, const struct qnm_cli_cmd *cmd, bool summary)
{
	struct qnm_strbuf sb;

	qnm_cli_usage(f, cmd);
	if (summary)
		fprintf(f, "%s\n", cmd->summary);
	if (cmd->help)
		fprintf(f, "\n%s", cmd->help);
	qnm_args_print_options(f, cmd->args);
	if (!cmd->keys)
		return;
	qnm_sb_init(&sb);
	qnm_schema_help(cmd->keys, &sb);
	fprintf(f, "\nKeys:\n%s", sb.s);
	qnm_sb_free(&sb);
}

/* true when the command line has --json (a command that takes it prints JSON) */
static bool json_given(const struct qnm_args *a)
{
	size_t k;

	for (k = 0; k < a->nhits; k++)
		if (strcmp(a->hits[k].opt->name, "--json") == 0)
			return true;
	return false;
}

/* parse argv with @cmd's table and run it; a usage error is named after the (sub)command */
static int run_cmd(struct qnm_ctx *ctx, const struct qnm_cli_cmd *cmd, int argc, char **argv)
{
	struct qnm_args a;
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	if (qnm_args_parse(cmd->args, argc, argv, &a, &err)) {
		fprintf(ctx->errout, "qnm: %s: %s\n", a.spec->name ? a.spec->name : cmd->name,
			err.msg);
		qnm_cli_usage(ctx->errout, cmd);
		qnm_args_free(&a);
		return 2;
	}
	if (json_given(&a))
		ctx->json = true;
	r = cmd->run(ctx, &a);
	qnm_args_free(&a);
	return r;
}

int qnm_cli_main(struct qnm_ctx *ctx, int argc, char **argv)
{
	const struct qnm_cli_cmd *cmd;

	if (argc < 1 || strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		if (argc >= 2 && (cmd = qnm_cli_find(argv[1]))) {
			print_cmd_help(ctx->out, cmd, false);
			return 0;
		}
		print_help(ctx->out);
		return 0;
	}
	if (strcmp(argv[0], "-H") == 0) {
		if (argc < 3) {
			fprintf(ctx->errout, "qnm: -H: give a host and a command: qnm -H NAME "
					     "COMMAND ... (qnm host list shows the hosts)\n");
			return 2;
		}
		return qnm_cli_on_host(ctx, argv[1], argc - 2, argv + 2);
	}
	if (strcmp(argv[0], "--version") == 0) {
		fprintf(ctx->out, "qnm %s\n", PACKAGE_VERSION);
		return 0;
	}
	cmd = qnm_cli_find(argv[0]);
	if (!cmd) {
		fprintf(ctx->errout, "qnm: unknown command '%s' (see qnm --help)\n", argv[0]);
		return 2;
	}
	if (qnm_cli_wants_help(argc, argv)) {
		print_cmd_help(ctx->out, cmd, true);
		return 0;
	}
	return run_cmd(ctx, cmd, argc, argv);
}
