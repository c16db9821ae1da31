// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/autostart.c - the host's boot and shutdown from the command line:
 *   qnm autostart [--timeout SEC] [--json]     networks, then VMs, marked autostart=yes
 *   qnm shutdown-all [--timeout SEC] [--json]  every guest off, then qnm's networks down
 * (the systemd unit qnm-autostart.service runs both).
 */
#include "build-config.h"

#include "api/autostart.h"
#include "cli/cli.h"

#include <json-c/json.h>
#include <stdio.h>

static void print_steps(struct qnm_ctx *ctx, const char *what, const struct qnm_api_steps *steps)
{
	size_t i;

	if (ctx->json) {
		json_object *o = json_object_new_object(), *a = json_object_new_array(), *c;

		for (i = 0; i < steps->n; i++) {
			const struct qnm_api_step *s = &steps->v[i];
			json_object *e = json_object_new_object();

			json_object_object_add(
				e, "kind", json_object_new_string(qnm_api_step_kind_name(s->kind)));
			json_object_object_add(e, "name", json_object_new_string(s->name));
			json_object_object_add(
				e, "outcome",
				json_object_new_string(qnm_api_step_outcome_name(s->outcome)));
			json_object_object_add(e, "message", json_object_new_string(s->msg));
			json_object_array_add(a, e);
		}
		json_object_object_add(o, "steps", a);
		c = json_object_new_object();
		for (i = 0; i < QNM_STEP__COUNT; i++)
			json_object_object_add(
				c, qnm_api_step_outcome_name((enum qnm_api_step_outcome)i),
				json_object_new_int((int)steps->count[i]));
		json_object_object_add(o, "counts", c);
		qnm_cli_print_json(ctx, o);
		return;
	}
	for (i = 0; i < steps->n; i++) {
		const struct qnm_api_step *s = &steps->v[i];

		/* one list in order on stdout (the exit status says whether one failed) */
		fprintf(ctx->out, "%-8s %-8s %-16s %s\n",
			s->outcome == QNM_STEP_FAILED ? "FAILED"
						      : qnm_api_step_outcome_name(s->outcome),
			qnm_api_step_kind_name(s->kind), s->name, s->msg);
	}
	fprintf(ctx->out, "%s: %zu done, %zu already so, %zu failed\n", what,
		steps->count[QNM_STEP_DONE], steps->count[QNM_STEP_ALREADY],
		steps->count[QNM_STEP_FAILED]);
}

/* Both commands take the same options; only what the timeout bounds differs (their --help says). */
static const struct qnm_opt steps_opts[] = {
	{ .name = "--timeout",
	  .type = QNM_OPT_UINT,
	  .arg = "SEC",
	  .min = 1,
	  .max = 3600,
	  .what = "a number of seconds",
	  .help = "autostart: how long each QEMU may take to answer (default 10 s); shutdown-all: "
		  "how long the guests may take to power off (default 15 s)" },
	{ .name = "--json",
	  .help = "print JSON {steps: [{kind, name, outcome, message}], counts}" },
	{ .name = NULL },
};

static const struct qnm_args_spec steps_args = {
	.opts = steps_opts,
	.max = 0,
};

/* Load the model, run @fn (qnm_api_autostart() or qnm_api_shutdown_all()), print its steps. */
static int run_steps(struct qnm_ctx *ctx, const struct qnm_args *args, const char *cmd,
		     void (*fn)(struct qnm_ctx *ctx, int timeout_ms, struct qnm_api_steps *steps))
{
	struct qnm_api_steps steps;
	int r;

	if (qnm_cli_load(ctx, cmd))
		return 1;
	fn(ctx, (int)qnm_args_uint(args, "--timeout", 0) * 1000, &steps);
	print_steps(ctx, cmd, &steps);
	r = steps.count[QNM_STEP_FAILED] ? 1 : 0;
	qnm_api_steps_clear(&steps);
	return r;
}

static int cmd_autostart(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	return run_steps(ctx, args, "autostart", qnm_api_autostart);
}

static int cmd_shutdown_all(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	return run_steps(ctx, args, "shutdown-all", qnm_api_shutdown_all);
}

const struct qnm_cli_cmd qnm_cmd_autostart = {
	.name = "autostart",
	.usage = "autostart [--timeout SEC] [--json]",
	.summary = "bring up the autostart networks, then start the autostart VMs (host boot)",
	.help = "Brings up every network with autostart=yes that is down, then starts every VM\n"
		"with autostart=yes that does not run. A VM starts only once the networks its\n"
		"NICs join are up; one that cannot start is reported and the others still do.\n"
		"Mark them with 'qnm set VM autostart=yes' and 'qnm net set NET autostart=yes'\n"
		"(or the Autostart box in the forms). qnm-autostart.service runs this at boot.\n"
		"--timeout: how long each QEMU may take to answer (default 10 s).\n"
		"Exit status: 0 when nothing failed, 1 when something did.\n",
	.args = &steps_args,
	.run = cmd_autostart,
};

const struct qnm_cli_cmd qnm_cmd_shutdown_all = {
	.name = "shutdown-all",
	.usage = "shutdown-all [--timeout SEC] [--json]",
	.summary = "power off every running guest at once, then take qnm's networks down",
	.help = "Presses every running guest's power button at once and waits (--timeout,\n"
		"default 15 s), then asks QEMU to quit, then kills it, as 'qnm stop' does; then\n"
		"takes down every network qnm brought up, restoring what it changed (bridge,\n"
		"nftables rules, dnsmasq, ip_forward). qnm-autostart.service runs this when the\n"
		"host shuts down. Exit status: 0 when nothing failed, 1 when something did.\n",
	.args = &steps_args,
	.run = cmd_shutdown_all,
};
