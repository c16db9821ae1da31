// SPDX-License-Identifier: GPL-2.0-or-later
/* cli-capture.c - "qnm capture": record a running guest NIC's packets to a pcap file. */
#include "build-config.h"

#include "api/capture.h"
#include "cli/cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/* The options of "qnm capture", filled by parse(). */
struct capture_args {
	const char *vm, *nic, *file, *seconds, *maxlen, *stop;
	bool force, list;
};

struct opt {
	const char *name;
	const char **value; /* NULL: a flag */
	bool *flag;
};

static int parse(struct qnm_ctx *ctx, int argc, char **argv, struct capture_args *a)
{
	const struct opt opts[] = {
		{ "--seconds", &a->seconds, NULL }, { "--maxlen", &a->maxlen, NULL },
		{ "--stop", &a->stop, NULL },	    { "--force", NULL, &a->force },
		{ "--list", NULL, &a->list },
	};
	const char **pos[] = { &a->vm, &a->nic, &a->file };
	size_t npos = 0, k;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			ctx->json = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			char msg[128];

			for (k = 0; k < QNM_ARRAY_SIZE(opts); k++)
				if (strcmp(argv[i], opts[k].name) == 0)
					break;
			if (k == QNM_ARRAY_SIZE(opts)) {
				snprintf(msg, sizeof(msg), "unknown option '%s'", argv[i]);
				return qnm_cli_usage_error(ctx, &qnm_cmd_capture, msg);
			}
			if (!opts[k].value) {
				*opts[k].flag = true;
				continue;
			}
			if (i + 1 >= argc) {
				snprintf(msg, sizeof(msg), "%s needs a value", argv[i]);
				return qnm_cli_usage_error(ctx, &qnm_cmd_capture, msg);
			}
			*opts[k].value = argv[++i];
			continue;
		}
		if (npos == QNM_ARRAY_SIZE(pos))
			return qnm_cli_usage_error(ctx, &qnm_cmd_capture, "too many arguments");
		*pos[npos++] = argv[i];
	}
	if (!a->vm)
		return qnm_cli_usage_error(ctx, &qnm_cmd_capture, "give the VM's name");
	if ((a->list || a->stop) && npos != 1)
		return qnm_cli_usage_error(ctx, &qnm_cmd_capture,
					   "--list and --stop take only the VM's name");
	if (a->list && a->stop)
		return qnm_cli_usage_error(ctx, &qnm_cmd_capture,
					   "give --list or --stop, not both");
	if (!a->list && !a->stop && npos != 3)
		return qnm_cli_usage_error(ctx, &qnm_cmd_capture, "give VM, NIC and FILE.pcap");
	return 0;
}

/* Make FILE absolute against the current directory (QEMU's cwd is "/"). */
static char *absolute(const char *file)
{
	char cwd[4096];

	if (file[0] == '/')
		return xstrdup(file);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, file);
}

static int do_list(struct qnm_ctx *ctx, const struct capture_args *a)
{
	struct qnm_capture *v;
	struct qnm_err err;
	size_t n, i;

	qnm_err_clear(&err);
	if (qnm_api_capture_list(ctx, a->vm, &v, &n, &err))
		return qnm_cli_error(ctx, "capture", &err);
	if (ctx->json) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_string(v[i].id));
			json_object_object_add(o, "nic", json_object_new_string(v[i].nic));
			json_object_object_add(o, "file", json_object_new_string(v[i].file));
			json_object_object_add(o, "owner_pid", json_object_new_int64(v[i].owner));
			json_object_object_add(
				o, "owner_alive",
				json_object_new_boolean(qnm_capture_owner_alive(&v[i])));
			json_object_object_add(o, "started", json_object_new_int64(v[i].started));
			json_object_array_add(arr, o);
		}
		qnm_cli_print_json(ctx, arr);
	} else if (!n) {
		fprintf(ctx->out, "no captures on %s\n", a->vm);
	} else {
		fprintf(ctx->out, "%-28s %-8s %-8s %s\n", "ID", "NIC", "OWNER", "FILE");
		for (i = 0; i < n; i++)
			fprintf(ctx->out, "%-28s %-8s %-8ld %s%s\n", v[i].id, v[i].nic,
				(long)v[i].owner, v[i].file,
				qnm_capture_owner_alive(&v[i]) ? "" : "  (owner gone)");
	}
	free(v);
	return 0;
}

static int do_stop(struct qnm_ctx *ctx, const struct capture_args *a)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_api_capture_stop(ctx, a->vm, a->stop, &err))
		return qnm_cli_error(ctx, "capture", &err);
	if (!ctx->json)
		fprintf(ctx->out, "capture %s of %s removed\n", a->stop, a->vm);
	return 0;
}

/*
 * Wait for the end: the time is up, a signal (Ctrl-C, TERM, HUP), or @pfd
 * (the guest's QEMU, -1: unknown) says it exited. Says which in @why;
 * closes @pfd.
 */
static void wait_end(int pfd, int seconds, char *why, size_t len)
{
	int64_t t0;
	sigset_t set;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	t0 = qnm_mono_ms_int();
	snprintf(why, len, "time is up");
	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
				       { .fd = pfd, .events = POLLIN } };
		long long left = -1;

		if (seconds > 0) {
			left = (long long)seconds * 1000 - (qnm_mono_ms_int() - t0);
			if (left <= 0)
				break;
		}
		if (poll(p, 2, left < 0 ? -1 : (int)left) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) > 0)
				snprintf(why, len, "stopped by %s", strsignal((int)si.ssi_signo));
			break;
		}
		if (p[1].revents & POLLIN) {
			snprintf(why, len, "the guest stopped");
			break;
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (sfd >= 0)
		close(sfd);
}

static int do_capture(struct qnm_ctx *ctx, const struct capture_args *a)
{
	struct qnm_capture_opts o = { .force = a->force };
	unsigned long long packets = 0, bytes = 0;
	unsigned long v, seconds = 0;
	struct qnm_capture c;
	struct qnm_err err;
	char why[128], *file;
	size_t swept = 0;
	int r;

	if (a->seconds) {
		if (qnm_parse_uint(a->seconds, 1, 86400, &seconds))
			return qnm_cli_usage_error(
				ctx, &qnm_cmd_capture,
				"--seconds must be a number of seconds, 1 to 86400");
	}
	if (a->maxlen) {
		if (qnm_parse_uint(a->maxlen, 64, 65536, &v))
			return qnm_cli_usage_error(
				ctx, &qnm_cmd_capture,
				"--maxlen must be a number of bytes, 64 to 65536");
		o.maxlen = (unsigned)v;
	}
	qnm_err_clear(&err);
	if (qnm_ctx_load(ctx, &err))
		return qnm_cli_error(ctx, "capture", &err);
	file = absolute(a->file);
	if (!file) {
		qnm_err_set(&err, -errno, "file", "cannot find the current directory: %s",
			    strerror(errno));
		return qnm_cli_error(ctx, "capture", &err);
	}
	/* captures left by a qnm that died are removed first (they would write on) */
	r = qnm_api_capture_start(ctx, a->vm, a->nic, file, &o, &c, &swept, &err);
	if (swept)
		fprintf(ctx->errout,
			"qnm: capture: removed %zu capture(s) left by a qnm that "
			"is gone\n",
			swept);
	if (r) {
		free(file);
		return qnm_cli_error(ctx, "capture", &err);
	}
	if (!ctx->json) {
		fprintf(ctx->out, "capturing %s %s into %s (id %s); %s\n", a->vm, a->nic, file,
			c.id, seconds ? "stops after --seconds" : "Ctrl-C stops");
		fflush(ctx->out);
	}
	wait_end(qnm_api_capture_guest_fd(ctx, a->vm), (int)seconds, why, sizeof(why));
	r = qnm_api_capture_stop(ctx, a->vm, c.id, &err);
	qnm_pcap_count(file, &packets, &bytes);
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "vm", json_object_new_string(a->vm));
		json_object_object_add(j, "nic", json_object_new_string(a->nic));
		json_object_object_add(j, "file", json_object_new_string(file));
		json_object_object_add(j, "id", json_object_new_string(c.id));
		json_object_object_add(j, "packets", json_object_new_int64((int64_t)packets));
		json_object_object_add(j, "bytes", json_object_new_int64((int64_t)bytes));
		json_object_object_add(j, "ended", json_object_new_string(why));
		qnm_cli_print_json(ctx, j);
	} else {
		fprintf(ctx->out, "%s: %llu packet(s), %llu bytes in %s\n", why, packets, bytes,
			file);
	}
	free(file);
	if (r)
		return qnm_cli_error(ctx, "capture", &err);
	return 0;
}

static int cmd_capture(struct qnm_ctx *ctx, int argc, char **argv)
{
	struct capture_args a = { 0 };
	int r = parse(ctx, argc, argv, &a);

	if (r)
		return r;
	if (a.list)
		return do_list(ctx, &a);
	if (a.stop)
		return do_stop(ctx, &a);
	return do_capture(ctx, &a);
}

const struct qnm_cli_cmd qnm_cmd_capture = {
	.name = "capture",
	.usage = "capture VM NIC FILE.pcap [--seconds N] [--maxlen BYTES] [--force] [--json] | "
		 "capture VM --list|--stop ID",
	.summary = "record a running guest NIC's packets into a pcap file",
	.help = "Adds QEMU's filter-dump on the NIC's netdev (works for every backend, user\n"
		"and slirp included) and removes it when the time is up, on Ctrl-C, or when\n"
		"the guest stops. QEMU writes the file (a relative path is taken from the\n"
		"current directory); an existing file is kept unless --force.\n"
		"--seconds N: stop after N seconds (default: until Ctrl-C).\n"
		"--maxlen BYTES: keep at most BYTES of each packet (default 65536).\n"
		"--list: the captures in place (a capture whose qnm died shows 'owner gone';\n"
		"the next capture of that VM removes it). --stop ID: remove one now.\n",
	.run = cmd_capture,
};
