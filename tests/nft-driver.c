// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft-driver.c - calls src/host/nft.h from tests and benchmarks, so that the shell
 * tests can run it inside a network namespace and read the result back with
 * "nft -j list ruleset" independently.
 *
 * usage: nft-driver COMMAND ARGS...
 *   apply SPECFILE [bogus|bogus-mid|uplink=NAME]
 *                            apply the networks of SPECFILE through the batch API
 *                            ("bogus" appends an invalid rule to the same batch,
 *                            "bogus-mid" an invalid rule and then a valid one:
 *                            nothing may change; uplink=NAME passes NAME as every
 *                            network's resolved uplink)
 *   apply-api SPECFILE       the same through qnm_nft_apply()
 *   remove | exists
 *   add-fwd FWD | del-fwd FWD        FWD in QEMU hostfwd syntax, e.g. tcp::8080-10.0.0.5:80
 *   check SPECFILE           print foreign-drop warnings, one per line
 *   bench N                  time: apply N forwards; add and remove one among N
 *
 * SPECFILE lines:
 *   net NAME BRIDGE MODE ADDRESS/PREFIX [UPLINK]
 *   fwd FWD                  (belongs to the last "net")
 *
 * Exit: 0 ok, 1 the call failed (message on stderr, "errno=N" on the last line), 2 usage.
 */
#include "build-config.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "core/model.h"
#include "host/nft.h"
#include "core/util.h"

static int fail(const struct qnm_err *err, int ret)
{
	fprintf(stderr, "%s\nerrno=%d\n", err->msg, -ret);
	return 1;
}

static int load_spec(const char *path, struct qnm_model *m, struct qnm_err *err)
{
	FILE *f = fopen(path, "r");
	char line[512];
	struct qnm_network *last = NULL;

	if (!f)
		return qnm_err_set(err, -errno, "", "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char a[5][128] = { { 0 } };
		int k = sscanf(line, "%127s %127s %127s %127s %127s", a[0], a[1], a[2], a[3], a[4]);

		if (k <= 0 || a[0][0] == '#')
			continue;
		if (strcmp(a[0], "net") == 0 && k >= 5) {
			char *slash = strchr(a[4], '/');

			last = qnm_network_new(a[1]);
			qnm_strlcpy(last->bridge, a[2], sizeof(last->bridge));
			if (qnm_net_mode_parse(a[3], &last->mode) < 0) {
				fclose(f);
				return qnm_err_set(err, -EINVAL, "", "bad mode %s", a[3]);
			}
			if (slash) {
				*slash = '\0';
				last->prefix = (unsigned)atoi(slash + 1);
			}
			qnm_strlcpy(last->address, a[4], sizeof(last->address));
			/* UPLINK is the 6th word: re-read the line for it */
			{
				char up[128] = "";

				if (sscanf(line, "%*s %*s %*s %*s %*s %127s", up) == 1)
					qnm_strlcpy(last->uplink, up, sizeof(last->uplink));
			}
			qnm_model_add_net(m, last);
		} else if (strcmp(a[0], "fwd") == 0 && k >= 2 && last) {
			struct qnm_fwd fw;

			if (qnm_fwd_parse(a[1], &fw, "fwd", err) < 0) {
				fclose(f);
				return -EINVAL;
			}
			qnm_fwd_add(&last->fwd, &last->nfwd, &fw);
		} else {
			fclose(f);
			return qnm_err_set(err, -EINVAL, "", "%s: bad line: %s", path, line);
		}
	}
	fclose(f);
	return 0;
}

/* a DNAT rule without NFTNL_EXPR_NAT_FAMILY: the kernel refuses it in an inet table */
static void add_bogus_rule(struct qnm_nft_batch *b)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, QNM_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "prerouting");
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_rule_add_expr(r, e);
	qnm_nft_batch_rule(b, r);
	nftnl_rule_free(r);
}

/* a valid rule (a counter in chain postrouting), to follow the invalid one */
static void add_counter_rule(struct qnm_nft_batch *b)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, QNM_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "postrouting");
	nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
	qnm_nft_batch_rule(b, r);
	nftnl_rule_free(r);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const char *name, double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_double);
	/* machine-readable: NAME median min max (ms) */
	printf("%s %.3f %.3f %.3f\n", name, v[n / 2], v[0], v[n - 1]);
}

#define REPS 21

/*
 * N forwards on one NAT network: tcp host port 10000+i -> 10.99.x.y:80.
 * Each figure twice: one connection per call (what the CLI does) and one
 * kept connection (what a long-running UI does; see nft.h).
 */
static int bench(unsigned n)
{
	struct qnm_network *net = qnm_network_new("bench");
	struct qnm_err err = { 0 };
	double t0, apply[REPS], applyk[REPS], add[REPS], del[REPS], addk[REPS], delk[REPS];
	struct qnm_nft_conn *c;
	struct qnm_fwd one;
	unsigned i;
	int ret;

	qnm_strlcpy(net->bridge, "qnmbr-bench", sizeof(net->bridge));
	qnm_strlcpy(net->address, "10.99.0.1", sizeof(net->address));
	net->prefix = 16;
	net->mode = QNM_NET_NAT;
	qnm_strlcpy(net->uplink, "veth-up", sizeof(net->uplink));
	for (i = 0; i < n; i++) {
		struct qnm_fwd f = { .proto = QNM_PROTO_TCP,
				     .host_port = (uint16_t)(10000 + i),
				     .guest_port = 80 };

		snprintf(f.guest_addr, sizeof(f.guest_addr), "10.99.%u.%u", (1 + i / 250) & 0xff,
			 2 + i % 250);
		qnm_fwd_add(&net->fwd, &net->nfwd, &f);
	}
	memset(&one, 0, sizeof(one));
	one.proto = QNM_PROTO_UDP;
	one.host_port = 5353;
	one.guest_port = 53;
	qnm_strlcpy(one.guest_addr, "10.99.9.9", sizeof(one.guest_addr));

	/* one connection per call first, as separate "qnm" processes would do */
	for (i = 0; i < REPS; i++) {
		t0 = now_ms();
		ret = qnm_nft_apply(&net, 1, NULL, &err);
		apply[i] = now_ms() - t0;
		if (ret)
			return fail(&err, ret);
	}
	for (i = 0; i < REPS; i++) {
		t0 = now_ms();
		ret = qnm_nft_add_forward(&one, &err);
		add[i] = now_ms() - t0;
		if (ret)
			return fail(&err, ret);
		t0 = now_ms();
		ret = qnm_nft_del_forward(&one, &err);
		del[i] = now_ms() - t0;
		if (ret)
			return fail(&err, ret);
	}
	c = qnm_nft_conn_new(&err);
	if (!c)
		return fail(&err, err.code);
	for (i = 0; i < REPS; i++) {
		t0 = now_ms();
		ret = qnm_nft_conn_apply(c, &net, 1, NULL, &err);
		applyk[i] = now_ms() - t0;
		if (ret)
			goto out;
	}
	for (i = 0; i < REPS; i++) {
		t0 = now_ms();
		ret = qnm_nft_conn_add_forward(c, &one, &err);
		addk[i] = now_ms() - t0;
		if (ret)
			goto out;
		t0 = now_ms();
		ret = qnm_nft_conn_del_forward(c, &one, &err);
		delk[i] = now_ms() - t0;
		if (ret)
			goto out;
	}
	stats("apply", apply, REPS);
	stats("apply_kept", applyk, REPS);
	stats("add1", add, REPS);
	stats("del1", del, REPS);
	stats("add1_kept", addk, REPS);
	stats("del1_kept", delk, REPS);
out:
	qnm_nft_conn_free(c);
	qnm_network_free(net);
	return ret ? fail(&err, ret) : 0;
}

int main(int argc, char **argv)
{
	struct qnm_err err = { 0 };
	struct qnm_model m;
	int ret = 0;

	if (argc < 2)
		goto usage;
	qnm_model_init(&m);
	if (strcmp(argv[1], "apply") == 0 && argc >= 3) {
		struct qnm_nft_batch *b;

		const char **up = NULL;
		size_t i;

		ret = load_spec(argv[2], &m, &err);
		if (ret == 0 && argc >= 4 && strncmp(argv[3], "uplink=", 7) == 0) {
			up = xcalloc(m.nnets ? m.nnets : 1, sizeof(*up));
			for (i = 0; i < m.nnets; i++)
				up[i] = argv[3] + 7;
		}
		if (ret == 0) {
			b = qnm_nft_batch_new();
			ret = qnm_nft_batch_table(b, m.nets, m.nnets, (const char *const *)up,
						  &err);
			if (ret == 0 && argc >= 4 && strcmp(argv[3], "bogus") == 0)
				add_bogus_rule(b);
			if (ret == 0 && argc >= 4 && strcmp(argv[3], "bogus-mid") == 0) {
				add_bogus_rule(b);
				add_counter_rule(b);
			}
			if (ret == 0)
				ret = qnm_nft_batch_commit(b, "writing nftables table inet qnm",
							   &err);
			qnm_nft_batch_free(b);
		}
		free(up);
	} else if (strcmp(argv[1], "apply-api") == 0 && argc >= 3) {
		ret = load_spec(argv[2], &m, &err);
		if (ret == 0)
			ret = qnm_nft_apply(m.nets, m.nnets, NULL, &err);
	} else if (strcmp(argv[1], "remove") == 0) {
		ret = qnm_nft_remove(&err);
	} else if (strcmp(argv[1], "exists") == 0) {
		ret = qnm_nft_table_exists(&err);
		if (ret >= 0) {
			printf("%s\n", ret ? "yes" : "no");
			ret = 0;
		}
	} else if ((strcmp(argv[1], "add-fwd") == 0 || strcmp(argv[1], "del-fwd") == 0) &&
		   argc >= 3) {
		struct qnm_fwd f;

		ret = qnm_fwd_parse(argv[2], &f, "fwd", &err);
		if (ret == 0)
			ret = argv[1][0] == 'a' ? qnm_nft_add_forward(&f, &err)
						: qnm_nft_del_forward(&f, &err);
	} else if (strcmp(argv[1], "check") == 0 && argc >= 3) {
		struct qnm_strv w;
		size_t i;

		qnm_strv_init(&w);
		ret = load_spec(argv[2], &m, &err);
		if (ret == 0)
			ret = qnm_nft_check_foreign_drop(m.nets, m.nnets, &w, &err);
		for (i = 0; i < w.n; i++)
			printf("%s\n", w.v[i]);
		qnm_strv_free(&w);
		if (ret > 0)
			ret = 0;
	} else if (strcmp(argv[1], "bench") == 0 && argc >= 3) {
		qnm_model_clear(&m);
		return bench((unsigned)atoi(argv[2]));
	} else {
		qnm_model_clear(&m);
		goto usage;
	}
	qnm_model_clear(&m);
	if (ret < 0)
		return fail(&err, ret);
	return 0;
usage:
	fputs("usage: nft-driver apply|apply-api|remove|exists|add-fwd|del-fwd|check|bench ...\n",
	      stderr);
	return 2;
}
