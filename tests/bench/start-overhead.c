// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * start-overhead.c - how much time "qnm start VM" adds to starting QEMU.
 *
 * Usage: start-overhead QNM VM ROUNDS  (XDG_* set as for qnm; VM defined)
 *
 * Interleaves ROUNDS of:
 *   direct: posix_spawn of the very argv qnm would run (qnm_vm_argv() with a
 *           runtime dir), then QMP connect + query-status until "running";
 *   qnm:    run "QNM start VM" (returns once QMP says "running"), then
 *           "QNM stop VM --force".
 * and prints the medians and their difference (the overhead).
 */
#include "build-config.h"

#include "guest/cmdline.h"
#include "core/config.h"
#include "core/context.h"
#include "guest/qmp.h"
#include "guest/rundir.h"

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run(char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ))
		return -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double direct_once(const struct qnm_vm *vm, const char *dir)
{
	struct qnm_cmdline_opts co = { .style = QNM_STYLE_NETDEV,
				       .kvm = QNM_KVM_PROBE,
				       .rundir = dir };
	struct qnm_strv argv;
	struct qnm_qmp *q = NULL;
	char st[32] = "";
	double t0, t;
	pid_t pid;

	qnm_strv_init(&argv);
	if (qnm_vm_argv(vm, &co, &argv, NULL))
		return -1;
	qnm_strv_add(&argv, "-chardev");
	qnm_strv_addf(&argv, "socket,id=qnm-events,path=%s/events.sock,server=on,wait=off", dir);
	qnm_strv_add(&argv, "-mon");
	qnm_strv_add(&argv, "chardev=qnm-events,mode=control");
	t0 = now_ms();
	if (posix_spawnp(&pid, argv.v[0], NULL, NULL, argv.v, environ)) {
		qnm_strv_free(&argv);
		return -1;
	}
	{
		char *sock = xasprintf("%s/qmp.sock", dir);

		if (qnm_qmp_connect(sock, 10000, &q, NULL) == 0)
			qnm_qmp_query_status(q, st, sizeof(st), NULL, NULL);
		free(sock);
	}
	t = now_ms() - t0;
	if (q) {
		qnm_qmp_quit(q, NULL);
		qnm_qmp_free(q);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	qnm_strv_free(&argv);
	return strcmp(st, "running") == 0 ? t : -1;
}

int main(int argc, char **argv)
{
	struct qnm_ctx ctx;
	struct qnm_err err = { 0 };
	const struct qnm_vm *vm;
	double *d, *q, t0;
	char dir[] = "/tmp/qnm-bench-XXXXXX";
	int n, i;

	if (argc != 4 || (n = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: %s QNM VM ROUNDS\n", argv[0]);
		return 2;
	}
	if (qnm_ctx_init(&ctx, &err) || qnm_ctx_load(&ctx, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	vm = qnm_model_find_vm(&ctx.model, argv[2]);
	if (!vm || !mkdtemp(dir)) {
		fprintf(stderr, "no VM %s\n", argv[2]);
		return 1;
	}
	d = calloc((size_t)n, sizeof(*d));
	q = calloc((size_t)n, sizeof(*q));
	for (i = 0; i < n; i++) {
		char *start[] = { argv[1], "start", argv[2], NULL };
		char *stop[] = { argv[1], "stop", argv[2], "--force", NULL };
		char *qmp = xasprintf("%s/qmp.sock", dir), *ev = xasprintf("%s/events.sock", dir);

		d[i] = direct_once(vm, dir);
		unlink(qmp);
		unlink(ev);
		free(qmp);
		free(ev);
		t0 = now_ms();
		if (run(start) != 0) {
			fprintf(stderr, "qnm start failed\n");
			return 1;
		}
		q[i] = now_ms() - t0;
		run(stop);
		if (d[i] < 0) {
			fprintf(stderr, "direct start failed\n");
			return 1;
		}
		printf("round %d: direct %.1f ms, qnm start %.1f ms\n", i + 1, d[i], q[i]);
	}
	qsort(d, (size_t)n, sizeof(*d), cmp_d);
	qsort(q, (size_t)n, sizeof(*q), cmp_d);
	printf("median over %d rounds: direct %.1f ms, qnm start %.1f ms, qnm adds %.1f ms "
	       "(target <= 50 ms)\n",
	       n, d[n / 2], q[n / 2], q[n / 2] - d[n / 2]);
	rmdir(dir);
	free(d);
	free(q);
	qnm_ctx_clear(&ctx);
	return 0;
}
