// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-ovnview.c - the parsing of Open vSwitch Interface "statistics"
 * maps (qnm_ovs_stats_parse(), src/host/ovnview.c): the counters the
 * topology of an ovn NIC shows; a map without rx/tx bytes, or not a map
 * of integers, is "not available", never zero traffic.
 */
#include "build-config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "host/ovnview.h"

static int parse(const char *text, struct qnm_ovs_stats *st)
{
	json_object *o = json_tokener_parse(text);
	int r;

	st->ok = true;
	r = qnm_ovs_stats_parse(o, st);
	json_object_put(o);
	return r;
}

/* a tunnel's map as ovs-vswitchd writes it, with keys qnm does not use */
static void test_full_map(void **state)
{
	struct qnm_ovs_stats st;

	(void)state;
	assert_int_equal(parse("[\"map\",[[\"collisions\",0],[\"rx_bytes\",4398046511104],"
			       "[\"rx_crc_err\",0],[\"rx_dropped\",0],[\"rx_packets\",17],"
			       "[\"tx_bytes\",2048],[\"tx_packets\",9]]]",
			       &st),
			 0);
	assert_true(st.ok);
	assert_int_equal(st.rx_bytes, 4398046511104ULL);
	assert_int_equal(st.rx_packets, 17);
	assert_int_equal(st.tx_bytes, 2048);
	assert_int_equal(st.tx_packets, 9);
}

/* an interface OVS has not counted yet: an empty map, or only packets */
static void test_missing(void **state)
{
	struct qnm_ovs_stats st;

	(void)state;
	assert_int_equal(parse("[\"map\",[]]", &st), -ENOENT);
	assert_false(st.ok);
	assert_int_equal(parse("[\"map\",[[\"rx_packets\",3],[\"tx_bytes\",10]]]", &st), -ENOENT);
	assert_false(st.ok);
	assert_int_equal(st.tx_bytes, 0);
	assert_int_equal(qnm_ovs_stats_parse(NULL, &st), -EINVAL);
	assert_false(st.ok);
}

/* not a map of integers: refused whole */
static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"[\"set\",[]]",
		"[\"map\",{}]",
		"[\"map\",[[\"rx_bytes\",\"12\"],[\"tx_bytes\",1]]]",
		"[\"map\",[[\"rx_bytes\",-1],[\"tx_bytes\",1]]]",
		"[\"map\",[[\"rx_bytes\"],[\"tx_bytes\",1]]]",
		"{\"rx_bytes\":1}",
		"[\"map\"]",
	};
	struct qnm_ovs_stats st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &st), -EINVAL);
		assert_false(st.ok);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_map),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
