/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - the command-line face of qnm: one struct per command, in a
 * table (cli.c), each implemented in its own cli-*.c file.
 */
#ifndef QNM_CLI_H
#define QNM_CLI_H

#include "cli/args.h"
#include "core/context.h"

struct json_object;
struct qnm_schema;

/**
 * struct qnm_cli_cmd - one top-level command.
 * @name:    the word after "qnm".
 * @usage:   synopsis shown by --help, e.g. "list [--json]".
 * @summary: one line for "qnm --help".
 * @help:    longer text for "qnm CMD --help" (may be NULL); the "options:"
 *           part that follows it is printed from @args.
 * @args:    its options and arguments (args.h); qnm_cli_main() parses the
 *           command line with it before @run, and --json, where @args has
 *           it, sets ctx->json.
 * @keys:    the keys its KEY=VALUE arguments take, listed after the
 *           options (may be NULL).
 * @run:     does the work with the parsed command line (@a->argv[0] is
 *           @name). Returns the exit status (0 ok, 1 failure, 2 usage
 *           error), printing errors itself.
 */
struct qnm_cli_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	const char *help;
	const struct qnm_args_spec *args;
	const struct qnm_schema *keys;
	int (*run)(struct qnm_ctx *ctx, const struct qnm_args *a);
};

/** qnm_cli_main() - dispatch "qnm CMD ARGS..."; Return: exit status. */
int qnm_cli_main(struct qnm_ctx *ctx, int argc, char **argv);

/** qnm_cli_find() - command by name, or NULL. */
const struct qnm_cli_cmd *qnm_cli_find(const char *name);

/** qnm_cli_commands() - every command, alphabetical; *@n of them (static, not to be freed). */
const struct qnm_cli_cmd *const *qnm_cli_commands(size_t *n);

/** qnm_cli_usage() - print "usage: qnm USAGE" to @f. */
void qnm_cli_usage(FILE *f, const struct qnm_cli_cmd *cmd);

/**
 * qnm_cli_wants_help() - true when argv holds -h/--help (then the caller
 * prints its help and returns 0).
 */
bool qnm_cli_wants_help(int argc, char **argv);

/**
 * qnm_cli_console_attach() - attach the terminal (stdin and stdout) to the
 * serial console of the running VM @name until Ctrl-] (attach.c). The
 * terminal is in raw mode meanwhile and restored on every way out.
 * Return: exit status (0 detached or the VM stopped; 1 error, printed;
 * 128 + N when signal N ended it).
 */
int qnm_cli_console_attach(struct qnm_ctx *ctx, const char *name);

/**
 * qnm_cli_note_exposure() - for each forward of @v without a host address,
 * print "qnm: CMD: note: tcp::8080 listens on every host address (reachable
 * from all networks); give 127.0.0.1 ... to keep it on this host" to stderr.
 * @dnat: the forwards are a network's (DNAT: "answers on").
 */
void qnm_cli_note_exposure(struct qnm_ctx *ctx, const char *cmd, const struct qnm_fwd *v, size_t n,
			   bool dnat);

/**
 * qnm_cli_note_net_exposure() - the notes of qnm_cli_note_exposure() for
 * the forwards @v (@n of them) of network @net; on an ovn network one note
 * per forward naming the gateway address where it answers instead.
 */
void qnm_cli_note_net_exposure(struct qnm_ctx *ctx, const char *cmd, const struct qnm_network *net,
			       const struct qnm_fwd *v, size_t n);

/** qnm_cli_error() - print "qnm: CMD: message" (and the field) to stderr; Return: 1. */
int qnm_cli_error(struct qnm_ctx *ctx, const char *cmd, const struct qnm_err *err);

/**
 * qnm_cli_usage_error() - print "qnm: CMD: @msg" and the usage of @cmd to stderr.
 * @ctx: the context (its error stream).
 * @cmd: the command whose usage is wrong.
 * @msg: what is wrong.
 * Return: 2, the exit status of a usage error. (Inline, so that static
 * analysis sees a command's parser never returns 0 after it.)
 */
static inline int qnm_cli_usage_error(struct qnm_ctx *ctx, const struct qnm_cli_cmd *cmd,
				      const char *msg)
{
	fprintf(ctx->errout, "qnm: %s: %s\n", cmd->name, msg);
	qnm_cli_usage(ctx->errout, cmd);
	return 2;
}

/**
 * qnm_cli_print_json() - print @o, pretty and with unescaped slashes, on
 * stdout, then drop it.
 * @ctx: the context (its output stream).
 * @o:   the object (its reference is taken over).
 */
void qnm_cli_print_json(struct qnm_ctx *ctx, struct json_object *o);

struct qnm_guestaddr;

/**
 * qnm_cli_addrs_json() - the guest addresses of VM @vm's running NICs as a
 * JSON array of {"nic", "mac", "ipv4": [], "ipv6": [], "gateway",
 * "gateway_source", "source", "why", "tap"} (cli/run.c; status and show).
 * @g: a refreshed address cache (api/guestaddr.h).
 * Return: a new array (empty when @vm does not run).
 */
struct json_object *qnm_cli_addrs_json(const struct qnm_guestaddr *g, const char *vm);

/**
 * qnm_cli_load() - load the model for command @cmd, printing files that
 * failed to load as warnings (they are skipped and left untouched).
 * Return: 0, or 1 after printing the error.
 */
int qnm_cli_load(struct qnm_ctx *ctx, const char *cmd);

/**
 * qnm_cli_load_vm() - for command @cmd about the one VM @name: read its file
 * only (10,000 VMs cost nothing); when it has none or it does not load, the
 * whole model as qnm_cli_load(), for the usual warnings and advice.
 * Return: 0, or 1 after printing the error.
 */
int qnm_cli_load_vm(struct qnm_ctx *ctx, const char *cmd, const char *name);

/**
 * qnm_cli_warn_problems() - print the files the last load of the model
 * skipped as warnings (qnm_cli_load() does; a command that began with
 * qnm_cli_load_vm() calls it after its use case read the whole model).
 */
void qnm_cli_warn_problems(const struct qnm_ctx *ctx);

/**
 * qnm_cli_on_host() - "qnm -H NAME COMMAND ...": run the command line
 * @argv on the registered host @name (host.c); what it prints is printed
 * here.
 * Return: its exit status, or 1 after printing why it could not run there.
 */
int qnm_cli_on_host(struct qnm_ctx *ctx, const char *name, int argc, char **argv);

/* The commands, one per cli-*.c file (table in cli.c). */
extern const struct qnm_cli_cmd qnm_cmd_capture;
extern const struct qnm_cli_cmd qnm_cmd_check;
extern const struct qnm_cli_cmd qnm_cmd_cmdline;
extern const struct qnm_cli_cmd qnm_cmd_conns;
extern const struct qnm_cli_cmd qnm_cmd_console;
extern const struct qnm_cli_cmd qnm_cmd_del;
extern const struct qnm_cli_cmd qnm_cmd_demo;
extern const struct qnm_cli_cmd qnm_cmd_autostart;
extern const struct qnm_cli_cmd qnm_cmd_doctor;
extern const struct qnm_cli_cmd qnm_cmd_forward;
extern const struct qnm_cli_cmd qnm_cmd_host;
extern const struct qnm_cli_cmd qnm_cmd_link;
extern const struct qnm_cli_cmd qnm_cmd_links;
extern const struct qnm_cli_cmd qnm_cmd_list;
extern const struct qnm_cli_cmd qnm_cmd_models;
extern const struct qnm_cli_cmd qnm_cmd_net;
extern const struct qnm_cli_cmd qnm_cmd_new;
extern const struct qnm_cli_cmd qnm_cmd_nic;
extern const struct qnm_cli_cmd qnm_cmd_ports;
extern const struct qnm_cli_cmd qnm_cmd_serve;
extern const struct qnm_cli_cmd qnm_cmd_set;
extern const struct qnm_cli_cmd qnm_cmd_show;
extern const struct qnm_cli_cmd qnm_cmd_slirp_helper;
extern const struct qnm_cli_cmd qnm_cmd_start;
extern const struct qnm_cli_cmd qnm_cmd_stats;
extern const struct qnm_cli_cmd qnm_cmd_status;
extern const struct qnm_cli_cmd qnm_cmd_stop;
extern const struct qnm_cli_cmd qnm_cmd_shutdown_all;

#endif
