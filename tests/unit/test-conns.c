// SPDX-License-Identifier: GPL-2.0-or-later
/* test-conns.c - libslirp connection tables ("conns" of the helper, QEMU's "info usernet"). */
#include "build-config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/conns.h"

/* Verbatim from QEMU 7.2 (libslirp 4.7): HMP output uses "\r\n". */
static const char usernet[] =
	"Hub -1 (n0):\r\n"
	"  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\r\n"
	"  TCP[ESTABLISHED]   15       10.0.2.15 43760        10.0.2.2  9000     0     0\r\n"
	"  TCP[ESTABLISHED]   16       127.0.0.1  8001       10.0.2.15  5000    12     3\r\n"
	"  TCP[HOST_FORWARD]   8       127.0.0.1  8001       10.0.2.15  5000     0     0\r\n"
	"  UDP[236 sec]       14       10.0.2.15 51000        10.0.2.3    53     0     0\r\n"
	"  UDP[HOST_FORWARD]   3       127.0.0.1  8002       10.0.2.15    53     0     0\r\n"
	"Hub -1 (n1):\r\n"
	"  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\r\n"
	"  TCP[SYN_SENT]      20     192.168.7.9 40000        10.9.9.9    80     0     0\r\n";

static void test_usernet_sections(void **state)
{
	char *t0 = qnm_conns_usernet_table(usernet, "n0");
	char *t1 = qnm_conns_usernet_table(usernet, "n1");

	(void)state;
	assert_non_null(t0);
	assert_non_null(t1);
	assert_non_null(strstr(t0, "10.0.2.3"));
	assert_null(strstr(t0, "SYN_SENT"));
	assert_non_null(strstr(t1, "SYN_SENT"));
	assert_null(strstr(t1, "ESTABLISHED"));
	/* "n" is a prefix of both: no match; "n00" no match. */
	assert_null(qnm_conns_usernet_table(usernet, "n"));
	assert_null(qnm_conns_usernet_table(usernet, "n00"));
	assert_null(qnm_conns_usernet_table("", "n0"));
	free(t0);
	free(t1);
}

static void test_parse_rows(void **state)
{
	struct qnm_err err = { 0 };
	struct qnm_conn *v;
	char *t = qnm_conns_usernet_table(usernet, "n0");
	size_t n;

	(void)state;
	assert_int_equal(qnm_conns_parse(t, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 5);
	/* guest -> 10.0.2.2:9000 */
	assert_string_equal(v[0].proto, "tcp");
	assert_int_equal(v[0].dir, QNM_CONN_OUT);
	assert_string_equal(v[0].state, "ESTABLISHED");
	assert_string_equal(v[0].guest_addr, "10.0.2.15");
	assert_int_equal(v[0].guest_port, 43760);
	assert_string_equal(v[0].remote_addr, "10.0.2.2");
	assert_int_equal(v[0].remote_port, 9000);
	assert_int_equal(v[0].fd, 15);
	/* accepted through the forward: source is the host side */
	assert_int_equal(v[1].dir, QNM_CONN_IN);
	assert_string_equal(v[1].guest_addr, "10.0.2.15");
	assert_int_equal(v[1].guest_port, 5000);
	assert_string_equal(v[1].remote_addr, "127.0.0.1");
	assert_int_equal(v[1].remote_port, 8001);
	assert_int_equal(v[1].recvq, 12);
	assert_int_equal(v[1].sendq, 3);
	assert_int_equal(v[2].dir, QNM_CONN_LISTEN);
	assert_string_equal(v[2].state, "HOST_FORWARD");
	/* UDP state with a blank inside the brackets */
	assert_string_equal(v[3].proto, "udp");
	assert_string_equal(v[3].state, "236 sec");
	assert_int_equal(v[3].dir, QNM_CONN_OUT);
	assert_int_equal(v[3].remote_port, 53);
	assert_int_equal(v[4].dir, QNM_CONN_LISTEN);
	assert_string_equal(qnm_conn_dir_name(v[4].dir), "listen");
	free(v);
	free(t);
}

static void test_other_network(void **state)
{
	struct qnm_err err = { 0 };
	struct qnm_conn *v;
	char *t = qnm_conns_usernet_table(usernet, "n1");
	size_t n;

	(void)state;
	/* With the default 10.0.2.0/24, 192.168.7.9 is not the guest ... */
	assert_int_equal(qnm_conns_parse(t, "", &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].dir, QNM_CONN_IN);
	free(v);
	/* ... with net=192.168.7.0/24 it is. */
	assert_int_equal(qnm_conns_parse(t, "192.168.7.0/24", &v, &n, &err), 0);
	assert_int_equal(v[0].dir, QNM_CONN_OUT);
	assert_string_equal(v[0].guest_addr, "192.168.7.9");
	assert_string_equal(v[0].state, "SYN_SENT");
	free(v);
	free(t);
	assert_int_equal(qnm_conns_parse("", "nonsense", &v, &n, &err), -EINVAL);
}

static void test_empty_and_bad(void **state)
{
	static const char *const bad[] = {
		"  FOO[x] 1 10.0.2.15 1 10.0.2.2 2 0 0",
		"  TCP[ESTABLISHED 1 10.0.2.15 1 10.0.2.2 2 0 0",
		"  TCP[] 1 10.0.2.15 1 10.0.2.2 2 0 0",
		"  TCP[ESTABLISHED] 1 10.0.2.15 1 10.0.2.2 2 0",
		"  TCP[ESTABLISHED] 1 10.0.2.15 1 10.0.2.2 2 0 0 extra",
		"  TCP[ESTABLISHED] 1 10.0.2.300 1 10.0.2.2 2 0 0",
		"  TCP[ESTABLISHED] 1 10.0.2.15 70000 10.0.2.2 2 0 0",
		"  TCP[ESTABLISHED-AND-A-VERY-LONG-STATE-NAME] 1 10.0.2.15 1 10.0.2.2 2 0 0",
	};
	struct qnm_err err = { 0 };
	struct qnm_conn *v;
	size_t n, i;

	(void)state;
	assert_int_equal(qnm_conns_parse("  Protocol[State]    FD  Source\n\n", NULL, &v, &n, &err),
			 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(qnm_conns_parse(NULL, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	/* "*" for an unbound source */
	assert_int_equal(qnm_conns_parse("  UDP[HOST_FORWARD] 3 * 8002 10.0.2.15 53 0 0\n", NULL,
					 &v, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].remote_addr, "*");
	free(v);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (qnm_conns_parse(bad[i], NULL, &v, &n, &err) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(err.msg, "line 1"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usernet_sections),
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_other_network),
		cmocka_unit_test(test_empty_and_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
