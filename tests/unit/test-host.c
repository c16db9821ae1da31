// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-host.c - the pure parts of the host facilities: dnsmasq lease file
 * parser and lookup by MAC, dnsmasq argv, ownership record parser,
 * ping_group_range parser and rule, libnl error mapping and the
 * CAP_NET_ADMIN message.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <netlink/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/dnsmasq.h"
#include "host/links.h"
#include "host/owner.h"
#include "host/sysctl.h"

static void test_leases(void **state)
{
	const char *text = "1700000000 52:54:00:12:34:56 10.77.0.50 web 01:52:54:00:12:34:56\n"
			   "0 52:54:00:AB:CD:EF 10.77.0.51 * *\n"
			   "duid 00:01:00:01:2c:00:00:00:52:54:00:00:00:01\n"
			   "1700000100 1234 fd00::5 host6 00:01:00:01\n" /* IPv6 lease: skipped */
			   "garbage line\n"
			   "1700000200 52:54:00:12:34:56 10.77.0.52 web2 *\n" /* same MAC, later */
			   "1700000300 zz:54:00:12:34:56 10.77.0.53 bad *\n"  /* bad MAC */
			   "1700000400 52:54:00:00:00:09 10.77.0.999 bad *" /* bad IP, no newline */
		;
	struct qnm_lease *v;
	const struct qnm_lease *l;
	size_t n;

	assert_int_equal(qnm_leases_parse(text, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].mac, "52:54:00:12:34:56");
	assert_string_equal(v[0].ip, "10.77.0.50");
	assert_string_equal(v[0].hostname, "web");
	assert_true(v[0].expiry == 1700000000LL);
	assert_string_equal(v[1].mac, "52:54:00:ab:cd:ef"); /* lower-cased */
	assert_string_equal(v[1].hostname, "");		    /* "*" = none */
	l = qnm_leases_find_mac(v, n, "52:54:00:AB:CD:EF");
	assert_non_null(l);
	assert_string_equal(l->ip, "10.77.0.51");
	l = qnm_leases_find_mac(v, n, "52:54:00:12:34:56");
	assert_non_null(l);
	assert_string_equal(l->ip, "10.77.0.52"); /* the later lease wins */
	assert_null(qnm_leases_find_mac(v, n, "52:54:00:00:00:01"));
	free(v);

	assert_int_equal(qnm_leases_parse("", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void test_dnsmasq_argv(void **state)
{
	struct qnm_network *net = qnm_network_new("lan");
	struct qnm_strv argv, hosts;
	struct qnm_err err;
	char *line;

	strcpy(net->bridge, "qnmbr0");
	strcpy(net->address, "10.77.0.1");
	net->prefix = 24;
	qnm_strv_init(&argv);
	assert_int_equal(qnm_dnsmasq_argv("/usr/sbin/dnsmasq", net, NULL, "/run/qnm", &argv, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "no DHCP range"));
	strcpy(net->dhcp_start, "10.77.0.50");
	strcpy(net->dhcp_end, "10.77.0.99");
	assert_int_equal(qnm_dnsmasq_argv("/usr/sbin/dnsmasq", net, NULL, "/run/qnm", &argv, &err),
			 0);
	line = qnm_argv_to_shell(argv.v);
	assert_string_equal(
		line, "/usr/sbin/dnsmasq --conf-file=/dev/null --port=0 --interface=qnmbr0 "
		      "--bind-interfaces --except-interface=lo "
		      "--dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,1h --dhcp-authoritative "
		      "--dhcp-leasefile=/run/qnm/dnsmasq-lan.leases "
		      "--pid-file=/run/qnm/dnsmasq-lan.pid");
	free(line);
	qnm_strv_free(&argv);
	/* reservations: one --dhcp-host each; only "MAC,IP" */
	qnm_strv_init(&hosts);
	qnm_strv_add(&hosts, "52:54:00:aa:bb:01,10.77.0.50");
	qnm_strv_init(&argv);
	assert_int_equal(qnm_dnsmasq_argv("dnsmasq", net, &hosts, "/run/qnm", &argv, &err), 0);
	line = qnm_argv_to_shell(argv.v);
	assert_non_null(strstr(line, " --dhcp-host=52:54:00:aa:bb:01,10.77.0.50 "));
	free(line);
	qnm_strv_free(&argv);
	/* IPv6: RA with SLAAC and stateful DHCPv6, the reservation's IPv6 in brackets */
	strcpy(net->ipv6, "2001:db8:1:2::/64");
	qnm_strv_add(&hosts, "52:54:00:aa:bb:03,10.77.0.52,[2001:db8:1:2:5054:ff:feaa:bb03]");
	qnm_strv_init(&argv);
	assert_int_equal(qnm_dnsmasq_argv("dnsmasq", net, &hosts, "/run/qnm", &argv, &err), 0);
	line = qnm_argv_to_shell(argv.v);
	assert_non_null(strstr(line, " --enable-ra --dhcp-range=2001:db8:1:2::1000,"
				     "2001:db8:1:2::1fff,slaac,64,1h "));
	assert_string_equal(argv.v[argv.n - 4], "--dhcp-host=52:54:00:aa:bb:03,10.77.0.52,"
						"[2001:db8:1:2:5054:ff:feaa:bb03]");
	free(line);
	qnm_strv_free(&argv);
	net->ipv6[0] = '\0';
	qnm_strv_add(&hosts, "52:54:00:aa:bb:02,10.77.0.51 --dhcp-script=/x");
	qnm_strv_init(&argv);
	assert_int_equal(qnm_dnsmasq_argv("dnsmasq", net, &hosts, "/run/qnm", &argv, &err),
			 -EINVAL);
	qnm_strv_free(&argv);
	qnm_strv_free(&hosts);
	qnm_network_free(net);
}

static void test_owner_parse(void **state)
{
	struct qnm_own_rec *v;
	struct qnm_err err;
	size_t n;

	assert_int_equal(qnm_owner_parse("# comment\n\nbridge qnmbr0 4026531840 lan\n"
					 "dnsmasq lan 4026531840 1234\nnft inet-qnm 7\n",
					 &v, &n, &err),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].kind, QNM_OWN_BRIDGE);
	assert_string_equal(v[0].name, "qnmbr0");
	assert_true(v[0].netns == 4026531840ULL);
	assert_string_equal(v[0].extra, "lan");
	assert_int_equal(v[1].kind, QNM_OWN_DNSMASQ);
	assert_string_equal(v[1].extra, "1234");
	assert_int_equal(v[2].kind, QNM_OWN_NFT);
	assert_string_equal(v[2].extra, "");
	free(v);

	assert_int_equal(qnm_owner_parse("bridge a 1\nwhat b 2\n", &v, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_int_equal(qnm_owner_parse("bridge a\n", &v, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 1"));

	/* intents: pending=PID:START after the extra ("-" when none), start=TICKS of a pid */
	assert_int_equal(qnm_owner_parse("bridge qbr1 7 lan pending=123:456\n"
					 "nft inet-qnm 7 - pending=9:10\n"
					 "dnsmasq lan 7 4321 start=99\n",
					 &v, &n, &err),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].extra, "lan");
	assert_int_equal(v[0].pending, 123);
	assert_true(v[0].pending_start == 456);
	assert_string_equal(v[1].extra, "");
	assert_int_equal(v[1].pending, 9);
	assert_int_equal(v[2].pending, 0);
	assert_true(v[2].pid_start == 99);
	free(v);
	assert_int_equal(qnm_owner_parse("bridge a 1 x frob=1\n", &v, &n, &err), -EINVAL);
}

/* intend, then add: the record goes from pending to plain; find sees plain records only */
static void test_owner_intend(void **state)
{
	char dir[] = "/tmp/qnm-test-owner.XXXXXX";
	struct qnm_owner o, o2;
	struct qnm_err err;
	char *path;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(qnm_owner_open(&o, dir, &err), 0);
	assert_int_equal(qnm_owner_intend(&o, QNM_OWN_BRIDGE, "qbr1", "lan", &err), 0);
	assert_null(qnm_owner_find(&o, QNM_OWN_BRIDGE, "qbr1"));
	assert_non_null(qnm_owner_find_pending(&o, QNM_OWN_BRIDGE, "qbr1"));
	assert_false(qnm_own_rec_abandoned(qnm_owner_find_pending(&o, QNM_OWN_BRIDGE, "qbr1")));
	assert_int_equal(qnm_owner_open(&o2, dir, &err), 0); /* read back from the file */
	assert_int_equal(qnm_owner_find_pending(&o2, QNM_OWN_BRIDGE, "qbr1")->pending, getpid());
	qnm_owner_clear(&o2);
	assert_int_equal(qnm_owner_add(&o, QNM_OWN_BRIDGE, "qbr1", "lan", &err), 0);
	assert_non_null(qnm_owner_find(&o, QNM_OWN_BRIDGE, "qbr1"));
	assert_null(qnm_owner_find_pending(&o, QNM_OWN_BRIDGE, "qbr1"));
	assert_int_equal(qnm_owner_add_proc(&o, QNM_OWN_DNSMASQ, "lan", getpid(), &err), 0);
	assert_true(qnm_own_rec_proc_alive(qnm_owner_find(&o, QNM_OWN_DNSMASQ, "lan")));
	o.v[1].pid_start++; /* a recycled pid: another start time */
	assert_false(qnm_own_rec_proc_alive(&o.v[1]));
	o.v[0].pending = 1 << 22; /* beyond pid_max: gone */
	assert_true(qnm_own_rec_abandoned(&o.v[0]));
	path = xasprintf("%s/owned", dir);
	unlink(path);
	free(path);
	path = xasprintf("%s/owned.lock", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	qnm_owner_clear(&o);
}

static void test_owner_may(void **state)
{
	struct qnm_own_rec rec = { .kind = QNM_OWN_BRIDGE, .name = "qnmbr0", .netns = 42 };
	struct qnm_owner o = { .netns = 42, .v = &rec, .n = 1 };
	struct qnm_err err;

	assert_int_equal(
		qnm_owner_may(&o, QNM_OWN_BRIDGE, "qnmbr0", false, "delete bridge qnmbr0", &err),
		0);
	assert_int_equal(qnm_owner_may(&o, QNM_OWN_BRIDGE, "br0", false, "delete bridge br0", &err),
			 -EPERM);
	assert_string_equal(err.msg, "refusing to delete bridge br0: qnm did not create br0 (add "
				     "--force to do it anyway)");
	assert_int_equal(qnm_owner_may(&o, QNM_OWN_BRIDGE, "br0", true, "x", &err), 0);
	assert_int_equal(qnm_owner_may(&o, QNM_OWN_TAP, "qnmbr0", false, "x", &err), -EPERM);
	o.netns = 43; /* another namespace: the record does not count */
	assert_null(qnm_owner_find(&o, QNM_OWN_BRIDGE, "qnmbr0"));
}

static void test_ping_range(void **state)
{
	gid_t g[] = { 1000, 27 };
	unsigned long lo, hi;

	assert_int_equal(qnm_ping_range_parse("1\t0\n", &lo, &hi), 0);
	assert_true(lo == 1 && hi == 0);
	assert_false(qnm_ping_range_allows(lo, hi, g, 2));
	assert_false(qnm_ping_range_allows(1, 0, (gid_t[]){ 0 }, 1)); /* nobody, not even 0 */
	assert_int_equal(qnm_ping_range_parse("0 2147483647", &lo, &hi), 0);
	assert_true(qnm_ping_range_allows(lo, hi, g, 2));
	assert_true(qnm_ping_range_allows(27, 27, g, 2)); /* a supplementary group */
	assert_false(qnm_ping_range_allows(100, 999, g, 2));
	assert_true(qnm_ping_range_allows(1000, 1000, g, 1));
	assert_int_equal(qnm_ping_range_parse("", &lo, &hi), -EINVAL);
	assert_int_equal(qnm_ping_range_parse("1", &lo, &hi), -EINVAL);
	assert_int_equal(qnm_ping_range_parse("1 2 3", &lo, &hi), -EINVAL);
	assert_int_equal(qnm_ping_range_parse("a b", &lo, &hi), -EINVAL);
}

static void test_errors(void **state)
{
	struct qnm_err err;

	assert_int_equal(qnm_nl_errno(-NLE_PERM), -EPERM);
	assert_int_equal(qnm_nl_errno(NLE_EXIST), -EEXIST);
	assert_int_equal(qnm_nl_errno(-NLE_NODEV), -ENODEV);
	assert_int_equal(qnm_nl_errno(-NLE_OBJ_NOTFOUND), -ENOENT);
	assert_int_equal(qnm_nl_errno(-NLE_PKTLOC_FILE), -EIO);
	assert_int_equal(qnm_host_err(&err, -EPERM, "create bridge qnmbr0"), -EPERM);
	assert_string_equal(err.msg, "create bridge qnmbr0 needs CAP_NET_ADMIN (run as root or "
				     "grant the capability)");
	qnm_host_err(&err, -EBUSY, "delete tap t0");
	assert_string_equal(err.msg, "delete tap t0: Device or resource busy");
	assert_string_equal(qnm_links_stat_name(QNM_STAT_TX_DROPPED), "tx_dropped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leases),	    cmocka_unit_test(test_dnsmasq_argv),
		cmocka_unit_test(test_owner_parse), cmocka_unit_test(test_owner_intend),
		cmocka_unit_test(test_owner_may),   cmocka_unit_test(test_ping_range),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
