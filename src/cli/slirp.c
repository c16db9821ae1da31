// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-slirp.c - "qnm slirp-helper": the internal command that hosts one
 * slirp NIC (started by the runner, see slirp-helper.h), and its "ctl"
 * sub-command, a small client for the control socket (slirpctl.h) used by
 * tests and for debugging.
 */
#include "build-config.h"

#include "api/slirp.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

enum {
	OPT_SOCKET = 256,
	OPT_CONTROL,
	OPT_ID,
	OPT_NET,
	OPT_HOST,
	OPT_DHCPSTART,
	OPT_DNS,
	OPT_RESTRICT,
	OPT_IPV6,
	OPT_HOSTFWD,
	OPT_KEEP,
	OPT_CONNECT_TIMEOUT,
	OPT_READY_FD,
	OPT_JSON,
	OPT_TIMEOUT,
};

static const struct option helper_opts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "id", required_argument, NULL, OPT_ID },
	{ "net", required_argument, NULL, OPT_NET },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "dhcpstart", required_argument, NULL, OPT_DHCPSTART },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "restrict", no_argument, NULL, OPT_RESTRICT },
	{ "ipv6", required_argument, NULL, OPT_IPV6 },
	{ "hostfwd", required_argument, NULL, OPT_HOSTFWD },
	{ "keep-listening", no_argument, NULL, OPT_KEEP },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "ready-fd", required_argument, NULL, OPT_READY_FD },
	{ NULL, 0, NULL, 0 },
};

/**
 * struct addr_opt - an option that fills one fixed-size address field.
 * @opt:  its getopt value.
 * @name: its name, for messages.
 * @off:  offset of the field in struct qnm_user_opts.
 * @size: size of the field.
 */
struct addr_opt {
	int opt;
	const char *name;
	size_t off;
	size_t size;
};

static const struct addr_opt addr_opts[] = {
	{ OPT_NET, "--net", offsetof(struct qnm_user_opts, net), QNM_CIDR_LEN },
	{ OPT_HOST, "--host", offsetof(struct qnm_user_opts, host), QNM_IPV4_LEN },
	{ OPT_DHCPSTART, "--dhcpstart", offsetof(struct qnm_user_opts, dhcpstart), QNM_IPV4_LEN },
	{ OPT_DNS, "--dns", offsetof(struct qnm_user_opts, dns), QNM_IPV4_LEN },
};

static int run_helper(struct qnm_ctx *ctx, int argc, char **argv)
{
	struct qnm_slirp_helper_cfg cfg = { .nic_id = "n0", .ready_fd = -1 };
	struct qnm_user_opts u;
	struct qnm_err err = { 0 };
	unsigned long v;
	int c, r = 0;
	size_t i;

	memset(&u, 0, sizeof(u));
	u.ipv6 = true;
	cfg.opts = &u;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", helper_opts, NULL)) != -1) {
		const struct addr_opt *ao = NULL;

		for (i = 0; i < QNM_ARRAY_SIZE(addr_opts); i++)
			if (addr_opts[i].opt == c)
				ao = &addr_opts[i];
		if (ao) {
			if (qnm_strlcpy((char *)&u + ao->off, optarg, ao->size) >= ao->size) {
				r = usage_error(ctx, cfg.ready_fd, "%s: '%s' is too long", ao->name,
						optarg);
				goto out;
			}
			continue;
		}
		switch (c) {
		case OPT_SOCKET:
			cfg.socket_path = optarg;
			break;
		case OPT_CONTROL:
			cfg.control_path = optarg;
			break;
		case OPT_ID:
			cfg.nic_id = optarg;
			break;
		case OPT_RESTRICT:
			u.restrict_ = true;
			break;
		case OPT_IPV6:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0) {
				r = usage_error(ctx, cfg.ready_fd, "--ipv6: '%s' must be on or off",
						optarg);
				goto out;
			}
			u.ipv6 = strcmp(optarg, "on") == 0;
			break;
		case OPT_HOSTFWD: {
			struct qnm_fwd f;

			if (qnm_fwd_parse(optarg, &f, "--hostfwd", &err)) {
				r = usage_error(ctx, cfg.ready_fd, "%s", err.msg);
				goto out;
			}
			qnm_fwd_add(&u.fwd, &u.nfwd, &f);
			break;
		}
		case OPT_KEEP:
			cfg.keep_listening = true;
			break;
		case OPT_CONNECT_TIMEOUT:
			if (qnm_parse_uint(optarg, 0, 86400, &v)) {
				r = usage_error(
					ctx, cfg.ready_fd,
					"--connect-timeout: '%s' must be seconds from 0 to 86400",
					optarg);
				goto out;
			}
			cfg.connect_timeout = (unsigned)v;
			break;
		case OPT_READY_FD:
			if (qnm_parse_uint(optarg, 0, INT32_MAX, &v) ||
			    fcntl((int)v, F_GETFD) < 0) {
				r = usage_error(ctx, -1,
						"--ready-fd: '%s' is not an open descriptor",
						optarg);
				goto out;
			}
			cfg.ready_fd = (int)v;
			fcntl(cfg.ready_fd, F_SETFD, FD_CLOEXEC);
			break;
		default:
			r = usage_error(ctx, cfg.ready_fd, "unknown or incomplete option '%s'",
					argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		r = usage_error(ctx, cfg.ready_fd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
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

static const struct option ctl_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

static int run_ctl(struct qnm_ctx *ctx, int argc, char **argv)
{
	struct json_object *reply;
	struct qnm_err err = { 0 };
	struct qnm_strbuf line;
	unsigned long timeout = 0; /* the helper's default */
	bool json = ctx->json;
	int o, i, r;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", ctl_opts, NULL)) != -1) {
		if (o == OPT_JSON) {
			json = true;
		} else if (o == OPT_TIMEOUT) {
			if (qnm_parse_uint(optarg, 1, 600000, &timeout))
				return usage_error(
					ctx, -1,
					"--timeout: '%s' must be milliseconds from 1 to 600000",
					optarg);
		} else {
			return usage_error(ctx, -1, "ctl: unknown or incomplete option '%s'",
					   argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return usage_error(ctx, -1, "ctl needs a control socket and a request");
	qnm_sb_init(&line);
	for (i = optind + 1; i < argc; i++) {
		if (i > optind + 1)
			qnm_sb_addc(&line, ' ');
		qnm_sb_add(&line, argv[i]);
	}
	if (qnm_api_slirp_ctl_check(line.s, &err)) {
		qnm_sb_free(&line);
		return usage_error(ctx, -1, "%s", err.msg);
	}
	r = qnm_api_slirp_ctl(argv[optind], line.s, (int)timeout, &reply, &err);
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

static int cmd_slirp_helper(struct qnm_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return run_ctl(ctx, argc - 1, argv + 1);
	return run_helper(ctx, argc, argv);
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
		"options:\n"
		"  --socket PATH          unix socket QEMU connects to (created, mode 0600)\n"
		"  --control PATH         control socket for counters and forwards (mode 0600)\n"
		"  --id ID                NIC id used in messages (default n0)\n"
		"  --net CIDR             guest network (default 10.0.2.0/24)\n"
		"  --host ADDR            the host as seen by the guest (default .2)\n"
		"  --dhcpstart ADDR       first DHCP address (default .15)\n"
		"  --dns ADDR             DNS address seen by the guest (default .3)\n"
		"  --restrict             the guest cannot open connections out (forwards still work)\n"
		"  --ipv6 on|off          IPv6 inside the guest network (default on)\n"
		"  --hostfwd SPEC         [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, repeatable\n"
		"  --keep-listening       wait for a new QEMU connection when QEMU disconnects\n"
		"                         (default: exit)\n"
		"  --connect-timeout SEC  exit with an error when QEMU has not connected (0 = wait)\n"
		"  --ready-fd N           write \"ok\" (or \"error: ...\") to descriptor N once listening\n"
		"\n"
		"ctl requests (see src/slirpctl.h): stats, info, conns, hostfwd-list,\n"
		"  hostfwd-add SPEC, hostfwd-remove [tcp|udp]:[HOSTADDR]:HOSTPORT\n"
		"Counters are from the guest's point of view: rx = to the guest, tx = from it.\n"
		"Exit status: 0 when QEMU disconnected or on SIGTERM, 1 on failure, 2 on usage errors\n"
		"(including bad option values).\n",
	.run = cmd_slirp_helper,
};
