// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/slirp.c - "qnm slirp-helper": the internal command that hosts one
 * slirp NIC (started by the runner, see slirp-helper.h), and its "ctl"
 * sub-command, a small client for the control socket (slirpctl.h) used by
 * tests and for debugging.
 */
#include "build-config.h"

#include "api/slirp.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "slirp-helper"

static int usage_error(struct qnm_ctx *ctx, int ready_fd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int usage_error(struct qnm_ctx *ctx, int ready_fd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(ctx->errout, "qnm: %s: %s\n", CMD, msg);
	if (ready_fd >= 0) {
		dprintf(ready_fd, "error: %s\n", msg);
		close(ready_fd);
	}
	return 2;
}

/* unknown options and missing values: the wording is kept (tests/sh/slirp-helper.sh greps it) */
#define INCOMPLETE "unknown or incomplete option '%s'"

static const struct qnm_opt helper_opts[] = {
	{ .name = "--socket",
	  .type = QNM_OPT_STRING,
	  .arg = "PATH",
	  .help = "unix socket QEMU connects to (created, mode 0600)" },
	{ .name = "--control",
	  .type = QNM_OPT_STRING,
	  .arg = "PATH",
	  .help = "control socket for counters and forwards (mode 0600)" },
	{ .name = "--id",
	  .type = QNM_OPT_STRING,
	  .arg = "ID",
	  .help = "NIC id used in messages (default n0)" },
	{ .name = "--net",
	  .type = QNM_OPT_STRING,
	  .arg = "CIDR",
	  .help = "guest network (default 10.0.2.0/24)" },
	{ .name = "--host",
	  .type = QNM_OPT_STRING,
	  .arg = "ADDR",
	  .help = "the host as seen by the guest (default .2)" },
	{ .name = "--dhcpstart",
	  .type = QNM_OPT_STRING,
	  .arg = "ADDR",
	  .help = "first DHCP address (default .15)" },
	{ .name = "--dns",
	  .type = QNM_OPT_STRING,
	  .arg = "ADDR",
	  .help = "DNS address seen by the guest (default .3)" },
	{ .name = "--restrict",
	  .help = "the guest cannot open connections out (forwards still work)" },
	{ .name = "--ipv6",
	  .type = QNM_OPT_STRING,
	  .arg = "on|off",
	  .help = "IPv6 inside the guest network (default on)" },
	{ .name = "--ipv6-net",
	  .type = QNM_OPT_STRING,
	  .arg = "PREFIX/LEN",
	  .help = "IPv6 prefix of the guest network (default fec0::/64)" },
	{ .name = "--hostfwd",
	  .type = QNM_OPT_STRING,
	  .arg = "SPEC",
	  .flags = QNM_OPT_REPEAT,
	  .help = "[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" },
	{ .name = "--keep-listening",
	  .help = "wait for a new QEMU connection when QEMU disconnects (default: exit)" },
	{ .name = "--connect-timeout",
	  .type = QNM_OPT_UINT,
	  .arg = "SEC",
	  .min = 0,
	  .max = 86400,
	  .what = "a number of seconds",
	  .help = "exit with an error when QEMU has not connected (0: wait)" },
	{ .name = "--ready-fd",
	  .type = QNM_OPT_UINT,
	  .arg = "N",
	  .min = 0,
	  .max = INT32_MAX,
	  .what = "a descriptor number",
	  .help = "write \"ok\" (or \"error: ...\") to descriptor N once listening" },
	{ .name = NULL },
};

static const struct qnm_opt ctl_opts[] = {
	{ .name = "--json", .help = "print the reply as JSON" },
	{ .name = "--timeout",
	  .type = QNM_OPT_UINT,
	  .arg = "MS",
	  .min = 1,
	  .max = 600000,
	  .what = "a number of milliseconds",
	  .help = "how long to wait for the reply (default 2000)" },
	{ .name = NULL },
};

static const struct qnm_args_spec ctl_args = {
	.opts = ctl_opts,
	.min = 2,
	.max = -1,
	.say = { .unknown = "ctl: " INCOMPLETE,
		 .missing = "ctl: " INCOMPLETE,
		 .few = "ctl needs a control socket and a request" },
};

static const struct qnm_args_sub helper_subs[] = {
	{ "ctl", &ctl_args },
	{ NULL, NULL },
};

static const struct qnm_args_spec helper_args = {
	.opts = helper_opts,
	.max = 0,
	.subs = helper_subs,
	.sub_optional = true,
	.say = { .unknown = INCOMPLETE, .missing = INCOMPLETE },
};

/**
 * struct addr_opt - an option that fills one fixed-size address field.
 * @name: the option.
 * @off:  offset of the field in struct qnm_user_opts.
 * @size: size of the field.
 */
struct addr_opt {
	const char *name;
	size_t off;
	size_t size;
};

static const struct addr_opt addr_opts[] = {
	{ "--net", offsetof(struct qnm_user_opts, net), QNM_CIDR_LEN },
	{ "--host", offsetof(struct qnm_user_opts, host), QNM_IPV4_LEN },
	{ "--dhcpstart", offsetof(struct qnm_user_opts, dhcpstart), QNM_IPV4_LEN },
	{ "--dns", offsetof(struct qnm_user_opts, dns), QNM_IPV4_LEN },
	{ "--ipv6-net", offsetof(struct qnm_user_opts, ipv6_net), QNM_IPV6_NET_LEN },
};

static int run_helper(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_slirp_helper_cfg cfg = { .nic_id = "n0", .ready_fd = -1 };
	const char *ipv6 = qnm_args_get(args, "--ipv6"), *v;
	struct qnm_user_opts u;
	struct qnm_err err = { 0 };
	int r = 0;
	size_t i;

	memset(&u, 0, sizeof(u));
	u.ipv6 = true;
	cfg.opts = &u;
	/* first, so that the errors below reach the descriptor too */
	if (qnm_args_has(args, "--ready-fd")) {
		cfg.ready_fd = (int)qnm_args_uint(args, "--ready-fd", 0);
		if (fcntl(cfg.ready_fd, F_GETFD) < 0)
			return usage_error(ctx, -1, "--ready-fd: '%d' is not an open descriptor",
					   cfg.ready_fd);
		fcntl(cfg.ready_fd, F_SETFD, FD_CLOEXEC);
	}
	cfg.socket_path = qnm_args_get(args, "--socket");
	cfg.control_path = qnm_args_get(args, "--control");
	if (qnm_args_has(args, "--id"))
		cfg.nic_id = qnm_args_get(args, "--id");
	for (i = 0; i < QNM_ARRAY_SIZE(addr_opts); i++) {
		const struct addr_opt *ao = &addr_opts[i];

		v = qnm_args_get(args, ao->name);
		if (v && qnm_strlcpy((char *)&u + ao->off, v, ao->size) >= ao->size) {
			r = usage_error(ctx, cfg.ready_fd, "%s: '%s' is too long", ao->name, v);
			goto out;
		}
	}
	u.restrict_ = qnm_args_has(args, "--restrict");
	if (ipv6 && strcmp(ipv6, "on") != 0 && strcmp(ipv6, "off") != 0) {
		r = usage_error(ctx, cfg.ready_fd, "--ipv6: '%s' must be on or off", ipv6);
		goto out;
	}
	if (ipv6)
		u.ipv6 = strcmp(ipv6, "on") == 0;
	for (i = 0; (v = qnm_args_nth(args, "--hostfwd", i)); i++) {
		struct qnm_fwd f;

		if (qnm_fwd_parse(v, &f, "--hostfwd", &err)) {
			r = usage_error(ctx, cfg.ready_fd, "%s", err.msg);
			goto out;
		}
		qnm_fwd_add(&u.fwd, &u.nfwd, &f);
	}
	cfg.keep_listening = qnm_args_has(args, "--keep-listening");
	cfg.connect_timeout = (unsigned)qnm_args_uint(args, "--connect-timeout", 0);
	if (!cfg.socket_path || !cfg.control_path) {
		r = usage_error(ctx, cfg.ready_fd, "--socket and --control are required");
		goto out;
	}
	r = qnm_api_slirp_helper_run(&cfg, &err);
	if (r) {
		fprintf(ctx->errout, "qnm: %s: %s\n", CMD, err.msg);
		r = r == -EINVAL ? 2 : 1; /* a bad option value is a usage error */
	}
out:
	free(u.fwd);
	return r;
}

/* Print a reply object as "key value" lines ("text" verbatim, arrays one per line). */
static void print_reply(FILE *f, struct json_object *o)
{
	json_object_object_foreach(o, key, val)
	{
		size_t i, n;

		if (strcmp(key, "ok") == 0)
			continue;
		if (strcmp(key, "text") == 0) {
			fputs(json_object_get_string(val), f);
			continue;
		}
		if (json_object_is_type(val, json_type_array)) {
			n = json_object_array_length(val);
			for (i = 0; i < n; i++)
				fprintf(f, "%s\n",
					json_object_get_string(json_object_array_get_idx(val, i)));
			continue;
		}
		fprintf(f, "%s %s\n", key, json_object_get_string(val));
	}
}

static int run_ctl(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct json_object *reply;
	struct qnm_err err = { 0 };
	struct qnm_strbuf line;
	unsigned long timeout = qnm_args_uint(args, "--timeout", 0); /* 0: the helper's default */
	bool json = ctx->json;
	int i, r;

	qnm_sb_init(&line);
	for (i = 1; i < args->npos; i++) {
		if (i > 1)
			qnm_sb_addc(&line, ' ');
		qnm_sb_add(&line, args->pos[i]);
	}
	if (qnm_api_slirp_ctl_check(line.s, &err)) {
		qnm_sb_free(&line);
		return usage_error(ctx, -1, "%s", err.msg);
	}
	r = qnm_api_slirp_ctl(args->pos[0], line.s, (int)timeout, &reply, &err);
	qnm_sb_free(&line);
	if (r) {
		fprintf(ctx->errout, "qnm: %s: %s\n", CMD, err.msg);
		return 1;
	}
	if (json)
		fprintf(ctx->out, "%s\n",
			json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
								      JSON_C_TO_STRING_SPACED));
	else
		print_reply(ctx->out, reply);
	json_object_put(reply);
	return 0;
}

static int cmd_slirp_helper(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	if (args->sub)
		return run_ctl(ctx, args);
	return run_helper(ctx, args);
}

const struct qnm_cli_cmd qnm_cmd_slirp_helper = {
	.name = "slirp-helper",
	.usage = "slirp-helper --socket PATH --control PATH [OPTIONS]\n"
		 "       qnm slirp-helper ctl CONTROL REQUEST [SPEC] [--json] [--timeout MS]",
	.summary = "internal: user-mode network (libslirp) for one slirp NIC, started by qnm",
	.help = "Hosts one libslirp user-mode network for one guest NIC and serves it to QEMU\n"
		"over a unix stream socket (-netdev stream,server=off,addr.type=unix,addr.path=PATH).\n"
		"qnm starts it by itself for NICs with the slirp backend; run it by hand only to debug.\n"
		"\n"
		"ctl requests (see src/slirpctl.h): stats, info, conns, hostfwd-list,\n"
		"  hostfwd-add SPEC, hostfwd-remove [tcp|udp]:[HOSTADDR]:HOSTPORT\n"
		"Counters are from the guest's point of view: rx = to the guest, tx = from it.\n"
		"Exit status: 0 when QEMU disconnected or on SIGTERM, 1 on failure, 2 on usage errors\n"
		"(including bad option values).\n",
	.args = &helper_args,
	.run = cmd_slirp_helper,
};
