// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/capture.c - "qnm capture": record a running guest NIC's packets to a pcap file. */
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
	const char *vm, *nic, *file, *stop;
	unsigned long seconds, maxlen; /* 0: not given */
	bool force, list;
};

static const struct qnm_opt capture_opts[] = {
	{ .name = "--seconds",
	  .type = QNM_OPT_UINT,
	  .arg = "N",
	  .min = 1,
	  .max = 86400,
	  .what = "a number of seconds",
	  .help = "stop after N seconds (default: until Ctrl-C)" },
	{ .name = "--maxlen",
	  .type = QNM_OPT_UINT,
	  .arg = "BYTES",
	  .min = 64,
	  .max = 65536,
	  .what = "a number of bytes",
	  .help = "keep at most BYTES of each packet (default 65536)" },
	{ .name = "--force", .help = "overwrite an existing file" },
	{ .name = "--json", .help = "print JSON" },
	{ .name = "--list",
	  .help = "the captures in place (a capture whose qnm died shows 'owner gone'; the next "
		  "capture of that VM removes it)" },
	{ .name = "--stop", .type = QNM_OPT_STRING, .arg = "ID", .help = "remove capture ID now" },
	{ .name = NULL },
};

static const struct qnm_args_spec capture_spec = {
	.opts = capture_opts,
	.min = 1,
	.max = 3,
	.say = { .few = "give the VM's name",
		 .many = "too many arguments" }, /* tests/sh/bad-input.sh greps it */
};

static int parse(struct qnm_ctx *ctx, const struct qnm_args *args, struct capture_args *a)
{
	int npos = args->npos;

	a->vm = args->pos[0];
	a->nic = npos > 1 ? args->pos[1] : NULL;
	a->file = npos > 2 ? args->pos[2] : NULL;
	a->seconds = qnm_args_uint(args, "--seconds", 0);
	a->maxlen = qnm_args_uint(args, "--maxlen", 0);
	a->stop = qnm_args_get(args, "--stop");
	a->force = qnm_args_has(args, "--force");
	a->list = qnm_args_has(args, "--list");
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
 * Block the signals that end a capture (Ctrl-C, TERM, HUP) into @set, before
 * the capture starts: one that comes while it starts then ends it once it
 * runs (wait_end()), instead of killing qnm with the filter left in QEMU or
 * being lost.
 */
static void block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigprocmask(SIG_BLOCK, set, NULL);
}

/*
 * Wait for the end: the time is up, a signal of @set (blocked by
 * block_stop_signals()), or @pfd (the guest's QEMU, -1: unknown) says it
 * exited. Says which in @why; closes @pfd.
 */
static void wait_end(const sigset_t *set, int pfd, int seconds, char *why, size_t len)
{
	int64_t t0;
	int sfd;

	sfd = signalfd(-1, set, SFD_CLOEXEC);
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
	unsigned long seconds = a->seconds;
	struct qnm_capture c;
	struct qnm_err err;
	char why[128], *file;
	size_t swept = 0;
	sigset_t stop;
	int r;

	o.maxlen = (unsigned)a->maxlen;
	qnm_err_clear(&err);
	if (qnm_ctx_load(ctx, &err))
		return qnm_cli_error(ctx, "capture", &err);
	file = absolute(a->file);
	if (!file) {
		qnm_err_set(&err, -errno, "file", "cannot find the current directory: %s",
			    strerror(errno));
		return qnm_cli_error(ctx, "capture", &err);
	}
	block_stop_signals(&stop);
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
	wait_end(&stop, qnm_api_capture_guest_fd(ctx, a->vm), (int)seconds, why, sizeof(why));
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

static int cmd_capture(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct capture_args a = { 0 };
	int r = parse(ctx, args, &a);

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
		"the guest stops. qnm creates the file (mode 0600; a relative path is taken\n"
		"from the current directory; no symbolic link is followed, in its name or on\n"
		"the way to it) and QEMU writes through that descriptor. An existing file is\n"
		"kept unless --force, which overwrites only a regular file of yours.\n",
	.args = &capture_spec,
	.run = cmd_capture,
};
