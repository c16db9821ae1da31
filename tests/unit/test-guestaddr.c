// SPDX-License-Identifier: GPL-2.0-or-later
/* test-guestaddr.c - the guests' addresses: libslirp's neighbour table, FDB ports, the cache. */
#include "build-config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "host/neigh.h"
#include "watch/guestaddr.h"

/* As libslirp 4.7's slirp_neighbor_info() prints it. */
static const char neigh[] = "  Table  MacAddr            IP Address\n"
			    "    ARP  52:54:00:12:34:56  10.0.2.15\n"
			    "    ARP  52:54:00:aa:bb:cc  10.0.2.16\n"
			    "    NDP  52:54:00:12:34:56  fec0::5054:ff:fe12:3456\n"
			    "    ARP  52:54:00:12:34:56  10.0.2.15\n";

static void test_slirp_neigh(void **state)
{
	struct qnm_nic_addrs a;
	char buf[64];

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(qnm_slirp_neigh_parse(neigh, "52:54:00:12:34:56", &a), 2);
	assert_int_equal(a.n4, 1);
	assert_string_equal(a.v4[0], "10.0.2.15");
	assert_int_equal(a.n6, 1);
	assert_string_equal(a.v6[0], "fec0::5054:ff:fe12:3456");
	assert_string_equal(qnm_nic_addrs_text(&a, buf, sizeof(buf)), "10.0.2.15");
	/* any case; another MAC's rows are not ours */
	memset(&a, 0, sizeof(a));
	assert_int_equal(qnm_slirp_neigh_parse(neigh, "52:54:00:AA:BB:CC", &a), 1);
	assert_string_equal(a.v4[0], "10.0.2.16");
	memset(&a, 0, sizeof(a));
	assert_int_equal(qnm_slirp_neigh_parse(neigh, "52:54:00:00:00:01", &a), 0);
	assert_string_equal(qnm_nic_addrs_text(&a, buf, sizeof(buf)), "unknown");
	assert_string_equal(qnm_nic_addrs_text(NULL, buf, sizeof(buf)), "unknown");
	assert_int_equal(qnm_slirp_neigh_parse("", "52:54:00:12:34:56", &a), 0);
	assert_int_equal(
		qnm_slirp_neigh_parse("garbage\nARP x\n  ARP 52:54:00:00:00:01 999.1.1.1\n",
				      "52:54:00:00:00:01", &a),
		0);
}

static void test_fdb_port(void **state)
{
	const struct qnm_neigh v[] = {
		/* the TAP's own address: not a guest's */
		{ .family = AF_BRIDGE,
		  .ifindex = 7,
		  .master = 3,
		  .mac = "52:54:00:00:00:01",
		  .local = true },
		/* a neighbour, not an FDB entry */
		{ .family = AF_INET,
		  .ifindex = 3,
		  .mac = "52:54:00:00:00:02",
		  .addr = "10.0.5.11" },
		/* on another bridge */
		{ .family = AF_BRIDGE, .ifindex = 9, .master = 4, .mac = "52:54:00:00:00:02" },
		{ .family = AF_BRIDGE, .ifindex = 8, .master = 3, .mac = "52:54:00:00:00:02" },
	};

	(void)state;
	assert_int_equal(qnm_neigh_fdb_port(v, 4, 3, "52:54:00:00:00:02"), 8);
	assert_int_equal(qnm_neigh_fdb_port(v, 4, 4, "52:54:00:00:00:02"), 9);
	assert_int_equal(qnm_neigh_fdb_port(v, 4, 3, "52:54:00:00:00:01"), 0);
	assert_int_equal(qnm_neigh_fdb_port(v, 4, 5, "52:54:00:00:00:02"), 0);
}

/* The cache reads its sources at most once per QNM_GUESTADDR_TTL_MS: a UI may ask every frame. */
static void test_cache(void **state)
{
	char dir[] = "/tmp/qnm-guestaddr-XXXXXX";
	struct qnm_guestaddr *g;
	struct qnm_model m;
	struct qnm_err err;
	int64_t t0;
	double per;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&m, 0, sizeof(m));
	g = qnm_guestaddr_new(dir);
	assert_int_equal(qnm_guestaddr_refresh(g, &m, false, &err), 0);
	assert_int_equal(g->refreshes, 1);
	t0 = qnm_mono_ns();
	for (i = 0; i < 10000; i++)
		qnm_guestaddr_refresh(g, &m, false, &err);
	per = (double)(qnm_mono_ns() - t0) / 10000;
	if (qnm_mono_ns() - t0 < (int64_t)QNM_GUESTADDR_TTL_MS * 1000000)
		assert_int_equal(g->refreshes, 1);
	printf("# a cached refresh: %.0f ns\n", per);
	assert_int_equal(qnm_guestaddr_refresh(g, &m, true, &err), 0);
	assert_int_equal(g->refreshes, 2);
	assert_int_equal(g->n, 0);
	assert_int_equal(g->qmp_calls, 0);
	assert_null(qnm_guestaddr_find(g, "vm", "n0"));
	qnm_guestaddr_free(g);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slirp_neigh),
		cmocka_unit_test(test_fdb_port),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
