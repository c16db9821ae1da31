// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/host.c - other hosts over SSH (issue 18.1):
 *   qnm host add NAME [user@]host[:port] [--qnm PATH]
 *   qnm host list [--json]
 *   qnm host del NAME
 *   qnm serve --stdio              the engine API as JSON lines (what ssh runs)
 * and "qnm -H NAME COMMAND ..." (cli.c), "qnm list --all-hosts" (vm.c).
 */
#include "build-config.h"

#include "api/hosts.h"
#include "api/remote.h"
#include "api/serve.h"
#include "cli/cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- host ---- */

static const struct qnm_opt add_opts[] = {
	{ .name = "--qnm",
	  .type = QNM_OPT_STRING,
	  .arg = "PATH",
	  .help = "the qnm command on that host (default: qnm, found in its PATH)" },
	{ .name = NULL },
};

static const struct qnm_opt json_opts[] = {
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

static const struct qnm_args_spec add_args = {
	.name = "host add",
	.opts = add_opts,
	.min = 2,
	.max = 2,
	.say.few = "give a NAME and a destination [user@]host[:port]",
};

static const struct qnm_args_spec list_args = {
	.name = "host list",
	.opts = json_opts,
	.max = 0,
};

static const struct qnm_args_spec del_args = {
	.name = "host del",
	.min = 1,
	.max = 1,
	.say.few = "give one host name",
};

static const struct qnm_args_sub host_subs[] = {
	{ "add", &add_args },
	{ "del", &del_args },
	{ "list", &list_args },
	{ NULL, NULL },
};

static const struct qnm_args_spec host_args = {
	.subs = host_subs,
};

static int host_add(struct qnm_ctx *ctx, const struct qnm_args *a)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_api_host_add(ctx, a->pos[0], a->pos[1], qnm_args_get(a, "--qnm"), &err))
		return qnm_cli_error(ctx, "host add", &err);
	fprintf(ctx->out, "added host '%s' (%s): try 'qnm -H %s list'\n", a->pos[0], a->pos[1],
		a->pos[0]);
	return 0;
}

static int host_del(struct qnm_ctx *ctx, const struct qnm_args *a)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_api_host_del(ctx, a->pos[0], &err))
		return qnm_cli_error(ctx, "host del", &err);
	fprintf(ctx->out, "removed host '%s'\n", a->pos[0]);
	return 0;
}

static int host_list(struct qnm_ctx *ctx, const struct qnm_args *a)
{
	struct qnm_hosts h;
	struct qnm_err err;
	size_t i;

	(void)a;
	qnm_err_clear(&err);
	if (qnm_api_host_list(ctx, &h, &err))
		return qnm_cli_error(ctx, "host list", &err);
	if (ctx->json) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < h.n; i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "name", json_object_new_string(h.v[i].name));
			json_object_object_add(o, "destination",
					       json_object_new_string(h.v[i].destination));
			json_object_object_add(o, "qnm", json_object_new_string(h.v[i].qnm));
			json_object_array_add(arr, o);
		}
		qnm_cli_print_json(ctx, arr);
	} else if (!h.n) {
		fprintf(ctx->out, "No other hosts yet. Add one with 'qnm host add NAME "
				  "[user@]host[:port]'.\n");
	} else {
		fprintf(ctx->out, "%-20s %-32s %s\n", "NAME", "DESTINATION", "QNM");
		for (i = 0; i < h.n; i++)
			fprintf(ctx->out, "%-20s %-32s %s\n", h.v[i].name, h.v[i].destination,
				h.v[i].qnm);
	}
	qnm_api_hosts_free(&h);
	return 0;
}

/**
 * struct host_sub - one subcommand of "host".
 * @name: its word.
 * @run:  does it.
 */
struct host_sub {
	const char *name;
	int (*run)(struct qnm_ctx *ctx, const struct qnm_args *a);
};

static const struct host_sub subs[] = {
	{ "add", host_add },
	{ "del", host_del },
	{ "list", host_list },
};

static int cmd_host(struct qnm_ctx *ctx, const struct qnm_args *a)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(subs); i++)
		if (strcmp(subs[i].name, a->sub) == 0)
			return subs[i].run(ctx, a);
	return 2;
}

const struct qnm_cli_cmd qnm_cmd_host = {
	.name = "host",
	.usage = "host add NAME [user@]host[:port] [--qnm PATH] | host list [--json] | host del "
		 "NAME",
	.summary = "the other hosts qnm manages over SSH (qnm -H NAME COMMAND ...)",
	.help = "Registers hosts by an ssh destination, saved in $XDG_CONFIG_HOME/qnm/hosts.conf.\n"
		"'qnm -H NAME COMMAND ...' runs a command there; 'qnm list' lists every host's\n"
		"VMs with its all-hosts option. The system's ssh connects (BatchMode: your own\n"
		"keys, agent and known_hosts, no passwords asked; one multiplexed connection per\n"
		"host in $XDG_RUNTIME_DIR/qnm/.ssh/, closed by 'host del') and runs 'qnm serve'\n"
		"there (on stdio); qnm stores no secrets. Both hosts must speak the same qnm\n"
		"protocol (checked at connect). A host that does not answer within 3 s is\n"
		"reported as such. What streams (a console, a command's follow or watch\n"
		"option) runs there with this terminal (ssh -t; without a terminal, its\n"
		"output as it comes).\n",
	.args = &host_args,
	.run = cmd_host,
};

/* ---- serve ---- */

static const struct qnm_opt serve_opts[] = {
	{ .name = "--stdio", .help = "requests on stdin, replies on stdout (the only transport)" },
	{ .name = NULL },
};

static const struct qnm_args_spec serve_args = {
	.opts = serve_opts,
	.max = 0,
};

static int cmd_serve(struct qnm_ctx *ctx, const struct qnm_args *a)
{
	struct qnm_err err;
	int out;

	if (!qnm_args_has(a, "--stdio"))
		return qnm_cli_usage_error(ctx, &qnm_cmd_serve, "give --stdio");
	/* the protocol owns stdout: anything else printed goes to stderr */
	out = dup(STDOUT_FILENO);
	if (out < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		fprintf(ctx->errout, "qnm: serve: cannot set up stdout\n");
		return 1;
	}
	qnm_err_clear(&err);
	if (qnm_api_serve(ctx, STDIN_FILENO, out, &err)) {
		close(out);
		return qnm_cli_error(ctx, "serve", &err);
	}
	close(out);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_serve = {
	.name = "serve",
	.usage = "serve --stdio",
	.summary = "speak the engine API as JSON lines on stdin/stdout (what qnm -H runs over ssh)",
	.help = "First line out: {\"qnm\": VERSION, \"protocol\": N}. Then one request a line in\n"
		"({\"id\": N, \"op\": \"vm.list\", \"args\": {...}}), one reply a line out\n"
		"({\"id\": N, \"ok\": true, \"result\": ...} or {\"id\": N, \"ok\": false, \"error\":\n"
		"MESSAGE, \"errno\": E, \"field\": F}). Ops: ping, vm.list, vm.start, vm.stop,\n"
		"fwd.add, fwd.del, net.list, stats, cli. Ends at end of input.\n",
	.args = &serve_args,
	.run = cmd_serve,
};

/* ---- -H NAME ---- */

/*
 * A command line that streams until interrupted, or talks with the user:
 * console (interactive on a terminal, else its log), --follow, --watch.
 * Those run there with this terminal (ssh -tt) or these streams; the rest
 * returns its output at its end through "serve" (the "cli" op).
 */
static bool streams(int argc, char **argv)
{
	static const char *const words[] = { "--follow", "-f", "--watch" };
	size_t k;
	int i;

	if (strcmp(argv[0], "console") == 0)
		return true;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		for (k = 0; k < QNM_ARRAY_SIZE(words); k++)
			if (strcmp(argv[i], words[k]) == 0 ||
			    (strncmp(argv[i], words[k], strlen(words[k])) == 0 &&
			     argv[i][strlen(words[k])] == '='))
				return true;
	return false;
}

int qnm_cli_on_host(struct qnm_ctx *ctx, const char *name, int argc, char **argv)
{
	struct qnm_remote_cmd c;
	struct qnm_err err;
	int status = 0, r;

	qnm_err_clear(&err);
	if (streams(argc, argv)) {
		r = qnm_api_remote_command(ctx, name, argc, argv,
					   isatty(STDIN_FILENO) && isatty(STDOUT_FILENO), &c, &err);
		if (!r) {
			/* ssh in place of this qnm: a signal to it ends the command there too */
			fflush(ctx->out);
			fflush(ctx->errout);
			execv(c.ssh, c.argv.v);
			r = qnm_err_set(&err, -errno, "", "cannot run %s: %s", c.ssh,
					strerror(errno));
			qnm_api_remote_command_free(&c);
		}
	} else {
		r = qnm_api_remote_cli(ctx, name, argc, argv, ctx->out, ctx->errout, &status, &err);
	}
	if (r) {
		fprintf(ctx->errout, "qnm: -H %s: %s\n", name, err.msg);
		return 1;
	}
	return status;
}
