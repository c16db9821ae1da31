// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/run.c - running guests from the command line: start, stop, status,
 * link, console, demo.
 */
#include "build-config.h"

#include "api/demo.h"
#include "api/guestaddr.h"
#include "api/run.h"
#include "cli/cli.h"
#include "core/termsafe.h"
#include "core/validate.h"

#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_VM	   QNM_DEMO_VM
#define TAIL_LINES 10

/* the options of status and link (args.h) */
static const struct qnm_opt json_opts[] = {
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

/* ---- start ---- */

/* the runner's warnings as a JSON array of sentences */
static json_object *warnings_json(const struct qnm_start_info *info)
{
	json_object *a = json_object_new_array();
	const char *p = info->warnings;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		json_object_array_add(a, json_object_new_string_len(p, (int)len));
		p += len + (nl ? 1 : 0);
	}
	return a;
}

/* the runner's warnings (live MAC clashes), one "qnm: start: warning:" line each */
static void print_warnings(struct qnm_ctx *ctx, const char *cmd, const struct qnm_start_info *info)
{
	const char *p = info->warnings;
	unsigned shown = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(ctx->errout, "qnm: %s: warning: %.*s\n", cmd, len, p);
		p += len + (nl ? 1 : 0);
		shown++;
	}
	if (info->nwarnings > shown)
		fprintf(ctx->errout,
			"qnm: %s: warning: %u more (qnm doctor --check mac_live lists them all)\n",
			cmd, info->nwarnings - shown);
}

static int do_start(struct qnm_ctx *ctx, const char *cmd, const char *name, int timeout_ms)
{
	const struct qnm_start_info *info;
	const struct qnm_vm_job_result *res;
	struct qnm_vm_job *job;
	struct qnm_err err;
	size_t n = 0;
	int r;

	qnm_err_clear(&err);
	if (qnm_api_vm_start(ctx, name, timeout_ms, &job, &n, &err))
		return qnm_cli_error(ctx, cmd, &err);
	if (n && !ctx->json)
		fprintf(ctx->out, "gave %zu NIC(s) of '%s' a MAC (saved in its file)\n", n, name);
	r = qnm_api_vm_job_run(job, &err);
	res = qnm_api_vm_job_result(job);
	info = &res->start;
	print_warnings(ctx, cmd, info);
	if (r) {
		qnm_api_vm_job_free(job);
		return qnm_cli_error(ctx, cmd, &err);
	}
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(name));
		json_object_object_add(j, "status", json_object_new_string(info->status));
		json_object_object_add(j, "qemu_pid", json_object_new_int64(info->qemu_pid));
		json_object_object_add(j, "supervisor_pid",
				       json_object_new_int64(info->supervisor_pid));
		json_object_object_add(j, "elapsed_ms", json_object_new_double(info->elapsed_ms));
		json_object_object_add(j, "rundir", json_object_new_string(res->rundir));
		json_object_object_add(j, "serial_log", json_object_new_string(res->serial_log));
		json_object_object_add(j, "cleaned", json_object_new_string(info->cleaned));
		json_object_object_add(j, "warnings", warnings_json(info));
		qnm_cli_print_json(ctx, j);
	} else {
		if (info->cleaned[0])
			fprintf(ctx->out, "%s\n", info->cleaned);
		fprintf(ctx->out, "started '%s': QEMU pid %ld, %s (%.0f ms)\n", name,
			(long)info->qemu_pid, info->status, info->elapsed_ms);
		fprintf(ctx->out, "serial console: qnm console %s   (its log: %s)\n", name,
			res->serial_log);
	}
	qnm_api_vm_job_free(job);
	return 0;
}

static const struct qnm_opt start_opts[] = {
	{ .name = "--timeout",
	  .type = QNM_OPT_UINT,
	  .arg = "SEC",
	  .min = 1,
	  .max = 3600,
	  .what = "a number of seconds",
	  .help = "how long QEMU may take to answer (default 10 s)" },
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

static const struct qnm_args_spec start_args = {
	.opts = start_opts,
	.min = 1,
	.max = 1,
	.say.few = "give one VM name",
};

static int cmd_start(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	int ms = (int)qnm_args_uint(args, "--timeout", 0) * 1000;

	if (qnm_cli_load(ctx, "start"))
		return 1;
	return do_start(ctx, "start", args->pos[0], ms);
}

const struct qnm_cli_cmd qnm_cmd_start = {
	.name = "start",
	.usage = "start VM [--timeout SEC] [--json]",
	.summary = "start a VM's QEMU in the background (it outlives qnm)",
	.help = "Checks the host first (bridge ACL, TAPs, free hostfwd ports), then starts QEMU\n"
		"in its own session with its runtime files in $XDG_RUNTIME_DIR/qnm/VM/ (QMP\n"
		"socket, pid, serial log). NICs with link=down start with the cable unplugged.\n"
		"A NIC whose MAC is already in the neighbour table or fdb of the live bridge it\n"
		"joins gets a warning on stderr (and in \"warnings\" with --json); the VM starts\n"
		"anyway (the entry may be its own from its last run).\n",
	.args = &start_args,
	.run = cmd_start,
};

/* ---- stop ---- */

static const struct qnm_opt stop_opts[] = {
	{ .name = "--force", .help = "skip the power button: ask QEMU to quit at once" },
	{ .name = "--timeout",
	  .type = QNM_OPT_UINT,
	  .arg = "SEC",
	  .min = 1,
	  .max = 3600,
	  .what = "a number of seconds",
	  .help = "how long the guest may take to power off (default 15 s)" },
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

static const struct qnm_args_spec stop_args = {
	.opts = stop_opts,
	.min = 1,
	.max = 1,
	.say.few = "give one VM name",
};

static int cmd_stop(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_vm_job *job = NULL;
	struct qnm_err err;
	char **pos = args->pos;
	struct qnm_strv dead;
	int r;
	size_t i;

	if (!qnm_valid_name(pos[0]))
		return qnm_cli_usage_error(ctx, &qnm_cmd_stop, "not a VM name");
	qnm_strv_init(&dead);
	qnm_err_clear(&err);
	if (qnm_ctx_load(ctx, &err) == 0) /* only for the note: stop works without it */
		qnm_api_vm_problems(ctx, pos[0], &dead);
	for (i = 0; i < dead.n; i++)
		fprintf(ctx->errout, "qnm: stop: note: %s\n", dead.v[i]);
	qnm_strv_free(&dead);
	qnm_err_clear(&err);
	r = qnm_api_vm_stop(ctx, pos[0], qnm_args_has(args, "--force"),
			    (int)qnm_args_uint(args, "--timeout", 0) * 1000, &job, &err);
	if (!r)
		r = qnm_api_vm_job_run(job, &err);
	if (r) {
		qnm_api_vm_job_free(job);
		return qnm_cli_error(ctx, "stop", &err);
	}
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(pos[0]));
		json_object_object_add(j, "result",
				       json_object_new_string(qnm_api_vm_job_result(job)->how));
		qnm_cli_print_json(ctx, j);
	} else {
		fprintf(ctx->out, "stopped '%s': %s\n", pos[0], qnm_api_vm_job_result(job)->how);
	}
	qnm_api_vm_job_free(job);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_stop = {
	.name = "stop",
	.usage = "stop VM [--force] [--timeout SEC] [--json]",
	.summary = "stop a running VM (ACPI power button, then quit, then kill)",
	.help = "Presses the guest's power button and waits (--timeout, default 15 s), then asks\n"
		"QEMU to quit, then kills it. --force skips the power button. A VM that crashed\n"
		"has its leftover runtime files removed.\n",
	.args = &stop_args,
	.run = cmd_stop,
};

/* ---- status ---- */

static json_object *str_array(const char (*v)[QNM_NEIGH_ADDR_LEN], size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

json_object *qnm_cli_addrs_json(const struct qnm_guestaddr *g, const char *vm)
{
	json_object *arr = json_object_new_array();
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		const struct qnm_nic_addrs *a = &g->v[i];
		json_object *o, *v4;

		if (strcmp(a->vm, vm) != 0)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "nic", json_object_new_string(a->nic));
		json_object_object_add(o, "mac", json_object_new_string(a->mac));
		v4 = json_object_new_array();
		for (k = 0; k < a->n4; k++)
			json_object_array_add(v4, json_object_new_string(a->v4[k]));
		json_object_object_add(o, "ipv4", v4);
		json_object_object_add(o, "ipv6", str_array(a->v6, a->n6));
		json_object_object_add(o, "gateway", json_object_new_string(a->gateway));
		json_object_object_add(o, "gateway_source", json_object_new_string(a->gw_source));
		json_object_object_add(o, "source", json_object_new_string(a->source));
		json_object_object_add(o, "why", json_object_new_string(a->why));
		json_object_object_add(o, "tap", json_object_new_string(a->tap));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The addresses of VM @vm's running NICs, one line each. */
static void addrs_text(struct qnm_ctx *ctx, const struct qnm_guestaddr *g, const char *vm)
{
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		const struct qnm_nic_addrs *a = &g->v[i];

		if (strcmp(a->vm, vm) != 0)
			continue;
		fprintf(ctx->out, "  %s: ", a->nic);
		if (!a->n4 && !a->n6)
			fprintf(ctx->out, "address unknown (%s)", a->why);
		for (k = 0; k < a->n4; k++)
			fprintf(ctx->out, "%s%s", k ? " " : "", a->v4[k]);
		for (k = 0; k < a->n6; k++)
			fprintf(ctx->out, "%s%s", k || a->n4 ? " " : "", a->v6[k]);
		if (a->source[0])
			fprintf(ctx->out, " (from %s)", a->source);
		fprintf(ctx->out, ", gateway %s", a->gateway[0] ? a->gateway : "unknown");
		if (a->gw_source[0])
			fprintf(ctx->out, " (%s)", a->gw_source);
		if (a->tap[0])
			fprintf(ctx->out, ", TAP %s", a->tap);
		fputc('\n', ctx->out);
	}
}

static json_object *status_json(struct qnm_ctx *ctx, const struct qnm_vm_status *st,
				bool configured, const struct qnm_guestaddr *g)
{
	const struct qnm_run_info *ri = &st->run;
	const struct qnm_strv *problems = &st->problems;
	const char *qstate = st->qemu_state[0] ? st->qemu_state : NULL;
	json_object *j = json_object_new_object(), *a;
	size_t i;

	json_object_object_add(j, "name", json_object_new_string(st->name));
	json_object_object_add(j, "status",
			       json_object_new_string(qnm_run_status_name(ri->status)));
	json_object_object_add(j, "configured", json_object_new_boolean(configured));
	if (ri->status != QNM_RUN_ABSENT) {
		json_object_object_add(j, "qemu_pid", json_object_new_int64(ri->qemu_pid));
		json_object_object_add(j, "supervisor_pid",
				       json_object_new_int64(ri->supervisor_pid));
		json_object_object_add(j, "since", json_object_new_int64(ri->started));
		json_object_object_add(j, "rundir", json_object_new_string(st->rundir));
	}
	if (qstate)
		json_object_object_add(j, "qemu_state", json_object_new_string(qstate));
	if (ri->status == QNM_RUN_RUNNING)
		json_object_object_add(j, "addresses", qnm_cli_addrs_json(g, st->name));
	if (problems->n) {
		a = json_object_new_array();
		for (i = 0; i < problems->n; i++)
			json_object_array_add(a, json_object_new_string(problems->v[i]));
		json_object_object_add(j, "problems", a);
	}
	if (ri->status == QNM_RUN_STOPPED || ri->status == QNM_RUN_CRASHED) {
		char *tail = qnm_api_vm_console_tail(ctx, st->name, TAIL_LINES);

		json_object_object_add(j, "reason", json_object_new_string(ri->reason));
		json_object_object_add(j, "serial_tail", json_object_new_string(tail));
		free(tail);
	}
	return j;
}

static void status_text(struct qnm_ctx *ctx, const struct qnm_vm_status *st, bool verbose,
			const struct qnm_guestaddr *g)
{
	const struct qnm_run_info *ri = &st->run;
	const struct qnm_strv *problems = &st->problems;
	const char *name = st->name, *qstate = st->qemu_state[0] ? st->qemu_state : NULL;
	char extra[160] = "";
	size_t i;

	if (ri->status == QNM_RUN_RUNNING || ri->status == QNM_RUN_STARTING) {
		long long up = ri->started ? (long long)time(NULL) - ri->started : 0;

		snprintf(extra, sizeof(extra), "pid %ld, up %llds%s%s", (long)ri->qemu_pid, up,
			 qstate ? ", guest " : "", qstate ? qstate : "");
	} else if (ri->status != QNM_RUN_ABSENT) {
		snprintf(extra, sizeof(extra), "%s", ri->reason);
	}
	fprintf(ctx->out, "%-16s %-9s %s\n", name, qnm_run_status_name(ri->status), extra);
	if (ri->status == QNM_RUN_RUNNING)
		addrs_text(ctx, g, name);
	for (i = 0; i < problems->n; i++)
		fprintf(ctx->out, "  problem: %s\n", problems->v[i]);
	if (verbose && (ri->status == QNM_RUN_CRASHED || ri->status == QNM_RUN_STOPPED)) {
		char *tail = qnm_api_vm_console_tail(ctx, name, TAIL_LINES);

		fprintf(ctx->out, "  last serial console lines (%s):\n", st->serial_log);
		for (char *line = strtok(tail, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(ctx->out, "  | %s\n", line);
		fprintf(ctx->out, "  (qnm stop %s removes the leftover runtime files)\n", name);
		free(tail);
	}
}

static void status_one(struct qnm_ctx *ctx, const char *name, bool configured, bool verbose,
		       json_object *arr, const struct qnm_guestaddr *g)
{
	struct qnm_vm_status st;

	qnm_api_vm_status(ctx, name, &st);
	if (arr)
		json_object_array_add(arr, status_json(ctx, &st, configured, g));
	else
		status_text(ctx, &st, verbose, g);
	qnm_api_vm_status_clear(&st);
}

static const struct qnm_args_spec status_args = {
	.opts = json_opts,
	.max = 1,
	.say.many = "too many arguments", /* tests/sh/bad-input.sh greps it */
};

static int cmd_status(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_strv running;
	json_object *arr = NULL;
	char **pos = args->pos;
	int npos = args->npos;
	size_t i;

	if (npos == 1 && !qnm_valid_name(pos[0]))
		return qnm_cli_usage_error(ctx, &qnm_cmd_status, "not a VM name");
	struct qnm_guestaddr *g;
	struct qnm_err err;

	if (qnm_cli_load(ctx, "status"))
		return 1;
	g = qnm_api_guestaddr_open(ctx);
	if (qnm_api_guestaddr_refresh(ctx, g, true, &err) < 0)
		fprintf(ctx->errout, "qnm: status: %s\n", err.msg);
	if (npos == 1) {
		if (ctx->json) {
			arr = json_object_new_array();
			status_one(ctx, pos[0], qnm_model_find_vm(&ctx->model, pos[0]), true, arr,
				   g);
			qnm_cli_print_json(ctx, json_object_get(json_object_array_get_idx(arr, 0)));
			json_object_put(arr);
		} else {
			status_one(ctx, pos[0], qnm_model_find_vm(&ctx->model, pos[0]), true, NULL,
				   g);
		}
		qnm_guestaddr_free(g);
		return 0;
	}
	qnm_strv_init(&running);
	qnm_api_vm_running(ctx, &running);
	if (ctx->json)
		arr = json_object_new_array();
	/* Configured VMs in order, then runtime dirs of VMs no longer configured. */
	for (i = 0; i < ctx->model.nvms; i++)
		status_one(ctx, ctx->model.vms[i]->name, true, false, arr, g);
	for (i = 0; i < running.n; i++)
		if (!qnm_model_find_vm(&ctx->model, running.v[i]) && qnm_valid_name(running.v[i]))
			status_one(ctx, running.v[i], false, false, arr, g);
	qnm_strv_free(&running);
	qnm_guestaddr_free(g);
	if (arr)
		qnm_cli_print_json(ctx, arr);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_status = {
	.name = "status",
	.usage = "status [VM] [--json]",
	.summary = "which VMs run; crashed ones with their last console lines",
	.help = "Without VM: every configured VM and every runtime dir found. A VM whose QEMU\n"
		"died is shown as crashed, with how it ended and (qnm status VM) the last\n"
		"lines of its serial console.\n",
	.args = &status_args,
	.run = cmd_status,
};

/* ---- link ---- */

static const struct qnm_args_spec link_args = {
	.opts = json_opts,
	.min = 3,
	.max = 3,
	.say.few = "give VM, NIC and up or down",
};

static int cmd_link(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_err err;
	char **pos = args->pos;
	int r;
	bool up;

	if (strcmp(pos[2], "up") == 0)
		up = true;
	else if (strcmp(pos[2], "down") == 0)
		up = false;
	else
		return qnm_cli_usage_error(ctx, &qnm_cmd_link, "the state must be 'up' or 'down'");
	if (qnm_cli_load(ctx, "link"))
		return 1;
	qnm_err_clear(&err);
	r = qnm_api_vm_link(ctx, pos[0], pos[1], up, &err);
	if (r)
		return qnm_cli_error(ctx, "link", &err);
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(pos[0]));
		json_object_object_add(j, "nic", json_object_new_string(pos[1]));
		json_object_object_add(j, "link", json_object_new_string(up ? "up" : "down"));
		qnm_cli_print_json(ctx, j);
	} else {
		fprintf(ctx->out, "%s %s: cable %s (live; the VM file's link= is unchanged)\n",
			pos[0], pos[1], up ? "plugged in" : "unplugged");
	}
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_link = {
	.name = "link",
	.usage = "link VM NIC up|down [--json]",
	.summary = "plug or unplug a running VM's network cable",
	.args = &link_args,
	.run = cmd_link,
};

/* ---- console ---- */

static volatile sig_atomic_t console_stop;

static void on_sigint(int sig)
{
	console_stop = 1;
}

static const struct qnm_opt console_opts[] = {
	{ .name = "--follow", .alias = 'f', .help = "keep printing until the VM ends or Ctrl-C" },
	{ .name = "--lines",
	  .type = QNM_OPT_UINT,
	  .arg = "N",
	  .min = 1,
	  .max = 100000,
	  .help = "only the last N lines logged so far" },
	{ .name = NULL },
};

static const struct qnm_args_spec console_args = {
	.opts = console_opts,
	.min = 1,
	.max = 1,
	.say.few = "give one VM name",
};

/*
 * Guest output goes to a terminal made safe (core/termsafe.h); to a pipe or
 * a file as the guest wrote it.
 */
static void console_write(struct qnm_ctx *ctx, struct qnm_term_filter *tf, const char *buf,
			  size_t n)
{
	struct qnm_strbuf sb;

	if (!tf) {
		fwrite(buf, 1, n, ctx->out);
		return;
	}
	qnm_sb_init(&sb);
	qnm_term_filter_add(tf, buf, n, &sb);
	fwrite(sb.s ? sb.s : "", 1, sb.len, ctx->out);
	qnm_sb_free(&sb);
}

/* The log ended: what the filter still holds (an unfinished sequence), made visible. */
static void console_flush(struct qnm_ctx *ctx, struct qnm_term_filter *tf)
{
	struct qnm_strbuf sb;

	if (!tf)
		return;
	qnm_sb_init(&sb);
	qnm_term_filter_flush(tf, &sb);
	fwrite(sb.s ? sb.s : "", 1, sb.len, ctx->out);
	qnm_sb_free(&sb);
}

static int cmd_console(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	bool follow = qnm_args_has(args, "--follow");
	struct qnm_console_log *log;
	struct qnm_run_info ri;
	struct qnm_err err;
	unsigned long n = qnm_args_uint(args, "--lines", 0);
	char buf[4096], **pos = args->pos;
	struct qnm_term_filter tfs, *tf = NULL;
	unsigned gaps = 0, told = 0;
	ssize_t got;

	if (!qnm_valid_name(pos[0]))
		return qnm_cli_usage_error(ctx, &qnm_cmd_console, "give one VM name");
	/* a person at a terminal who asked for no log options: the console itself */
	if (!follow && !n && isatty(STDIN_FILENO) && isatty(fileno(ctx->out)))
		return qnm_cli_console_attach(ctx, pos[0]);
	qnm_term_filter_init(&tfs);
	if (isatty(fileno(ctx->out)))
		tf = &tfs; /* guest output to a terminal: control characters made visible */
	qnm_err_clear(&err);
	/* with --lines, the tail is printed first and following starts at the end */
	if (qnm_api_vm_console_follow(ctx, pos[0], n > 0, &log, &err))
		return qnm_cli_error(ctx, "console", &err);
	fflush(ctx->out);
	if (n) {
		char *tail = qnm_api_vm_console_tail(ctx, pos[0], (unsigned)n);

		fputs(tail, ctx->out);
		fflush(ctx->out);
		free(tail);
	}
	signal(SIGINT, on_sigint);
	for (;;) {
		got = qnm_api_console_log_read(log, buf, sizeof(buf), &gaps);
		if (gaps != told) {
			console_flush(ctx, tf);
			fprintf(ctx->out,
				"\n[qnm: some output was rotated away (log-max) before it "
				"could be shown]\n");
			told = gaps;
		}
		if (got > 0) {
			console_write(ctx, tf, buf, (size_t)got);
			continue;
		}
		if (!follow || console_stop)
			break;
		fflush(ctx->out);
		qnm_api_vm_state(ctx, pos[0], &ri);
		if (ri.status != QNM_RUN_RUNNING && ri.status != QNM_RUN_STARTING) {
			while ((got = qnm_api_console_log_read(log, buf, sizeof(buf), NULL)) > 0)
				console_write(ctx, tf, buf, (size_t)got);
			console_flush(ctx, tf);
			fprintf(ctx->out, "\n[qnm: %s %s%s%s]\n", pos[0],
				ri.status == QNM_RUN_ABSENT ? "was stopped"
							    : qnm_run_status_name(ri.status),
				ri.reason[0] ? ": " : "", ri.reason);
			break;
		}
		usleep(100000);
	}
	console_flush(ctx, tf);
	fflush(ctx->out);
	qnm_api_console_log_close(log);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_console = {
	.name = "console",
	.usage = "console VM [--follow|-f] [--lines N]",
	.summary = "attach to a running VM's serial console, or print its log",
	.help = "On a terminal (stdin and stdout), without --follow or --lines: attaches to the\n"
		"guest's serial console, virsh style: what you type goes to the guest, Ctrl-]\n"
		"leaves (the VM keeps running). One client at a time: a second one is refused,\n"
		"naming the pid of the first. A serial line carries no window size: in the\n"
		"guest, `stty rows R cols C` tells programs the size of your terminal.\n"
		"Otherwise (a pipe, a file, --follow, --lines): prints the guest's serial\n"
		"console as logged so far (the log is kept whether or not a client is attached).\n",
	.args = &console_args,
	.run = cmd_console,
};

/* ---- demo ---- */

static const struct qnm_opt demo_opts[] = {
	{ .name = "--start", .help = "start the demo VM right away" },
	{ .name = "--build-only", .help = "only build the image and print its paths" },
	{ .name = "--dir",
	  .arg = "DIR",
	  .type = QNM_OPT_STRING,
	  .help = "(--build-only) build into DIR" },
	{ .name = "--json", .help = "(--build-only) print JSON" },
	{ .name = NULL },
};

static const struct qnm_args_spec demo_args = {
	.opts = demo_opts,
	.max = 0,
	.say.many = "too many arguments", /* tests/sh/bad-input.sh greps it */
};

static int cmd_demo(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	bool build_only = qnm_args_has(args, "--build-only"), start = qnm_args_has(args, "--start");
	const char *dir = qnm_args_get(args, "--dir");
	struct qnm_api_demo img;
	struct qnm_err err;
	struct qnm_vm *vm;
	unsigned port;
	int r;

	if (dir && !build_only)
		return qnm_cli_usage_error(ctx, &qnm_cmd_demo, "--dir only goes with --build-only");
	qnm_api_demo_init(ctx, dir, &img);
	qnm_err_clear(&err);
	if (!ctx->json && !build_only)
		fprintf(ctx->out, "building the demo guest in %s (once) ...\n", img.dir);
	fflush(ctx->out);
	r = qnm_api_demo_build(&img, &err);
	if (r) {
		qnm_api_demo_clear(&img);
		return qnm_cli_error(ctx, "demo", &err);
	}
	if (build_only) {
		if (ctx->json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "kernel", json_object_new_string(img.kernel));
			json_object_object_add(j, "initrd", json_object_new_string(img.initrd));
			json_object_object_add(j, "append",
					       json_object_new_string(qnm_api_demo_append()));
			json_object_object_add(j, "kver", json_object_new_string(img.kver));
			json_object_object_add(j, "built", json_object_new_boolean(img.built));
			qnm_cli_print_json(ctx, j);
		} else {
			fprintf(ctx->out, "kernel=%s\ninitrd=%s\nappend=%s\n", img.kernel,
				img.initrd, qnm_api_demo_append());
		}
		qnm_api_demo_clear(&img);
		return 0;
	}
	if (qnm_cli_load(ctx, "demo")) {
		qnm_api_demo_clear(&img);
		return 1;
	}
	r = qnm_api_demo_define(ctx, &img, &port, &err);
	if (r == -EEXIST) {
		fprintf(ctx->out, "the VM '%s' already exists; left as it is (qnm show %s)\n",
			DEMO_VM, DEMO_VM);
	} else if (r) {
		qnm_api_demo_clear(&img);
		return qnm_cli_error(ctx, "demo", &err);
	} else {
		fprintf(ctx->out,
			"defined the VM '%s': Linux %s + busybox, 256 MiB, one virtio NIC on qnm's\n"
			"user-mode network (slirp helper: no root, live traffic counters); host port\n"
			"127.0.0.1:%u is forwarded to the guest's web server on port 80.\n",
			DEMO_VM, img.kver, port);
	}
	qnm_api_demo_clear(&img);
	if (start) {
		r = do_start(ctx, "demo", DEMO_VM, 0);
		if (r)
			return r;
	}
	vm = qnm_model_find_vm(&ctx->model, DEMO_VM);
	fprintf(ctx->out,
		"\nnext steps:\n"
		"%s"
		"  qnm console %s                its shell on the serial console (Ctrl-] leaves)\n"
		"  wget -qO- http://127.0.0.1:%u/  fetch its web page through the port forward\n"
		"  qnm link %s n0 down           unplug its cable (and 'up' to plug it back)\n"
		"  qnm stop %s                   power it off\n",
		start ? "" : "  qnm start demo                 boot it (about 3 s without KVM)\n",
		DEMO_VM,
		vm->nnics && vm->nics[0].user.nfwd ? (unsigned)vm->nics[0].user.fwd[0].host_port
						   : 0u,
		DEMO_VM, DEMO_VM);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_demo = {
	.name = "demo",
	.usage = "demo [--start] | demo --build-only [--dir DIR] [--json]",
	.summary = "make a tiny demo guest from this host's kernel and busybox",
	.help = "Builds, once, a tiny Linux guest from the host's Debian packages\n"
		"(linux-image-amd64, busybox-static) into $XDG_DATA_HOME/qnm/demo/ and defines\n"
		"the VM 'demo': it gets an address by DHCP, serves a web page on port 80\n"
		"(forwarded from a host port on 127.0.0.1) and gives a shell on its serial\n"
		"console (qnm console demo).\n",
	.args = &demo_args,
	.run = cmd_demo,
};
