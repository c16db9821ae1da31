// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-validate.c - every rule of src/core/validate.c (and the backends'
 * validate callbacks it delegates to), and the hostfwd parser/formatter
 * of src/core/model.c.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ipv6net.h"
#include "core/model.h"
#include "core/util.h"
#include "core/validate.h"

/* ---- single values ---- */

static void test_names(void **state)
{
	static const char *const good[] = { "a",
					    "Z",
					    "0",
					    "vm-1",
					    "web.server_2",
					    "9lives",
					    "abcdefghijabcdefghijabcdefghij12" /* 32 */ };
	static const char *const bad[] = { "",
					   "-a",
					   "_a",
					   ".a",
					   "a b",
					   "a/b",
					   "a,b",
					   "a:b",
					   "caf\xc3\xa9",
					   "a\n",
					   "abcdefghijabcdefghijabcdefghij123" /* 33 */ };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(qnm_valid_name(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qnm_valid_name(bad[i]))
			fail_msg("name '%s' accepted", bad[i]);
	assert_false(qnm_valid_name(NULL));
}

static void test_ifnames(void **state)
{
	static const char *const good[] = { "eth0", "br-lan",	 "qt-vm-0",	   "a",
					    "...",  "tap_0.1@x", "abcdefghijklmno" /* 15 */ };
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a:0", "a b", "a\tb", "a\x01", "a\x7f", "caf\xc3\xa9",
		"abcdefghijklmnop" /* 16 */,
		/* the kernel takes these; dnsmasq or QEMU read them as syntax */
		"up0,gv1", "eth*", "*", "br#0", "br=0", "-br0", "br\\0", "br\"0", "br'0"
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(qnm_valid_ifname(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qnm_valid_ifname(bad[i]))
			fail_msg("ifname '%s' accepted", bad[i]);
	assert_false(qnm_valid_ifname(NULL));
}

/* qnm_parse_ipv4() takes a string exactly when inet_pton(AF_INET) does, with its value */
static void expect_as_inet_pton(const char *s)
{
	struct in_addr in;
	bool want = inet_pton(AF_INET, s, &in) == 1;
	uint32_t v = 0;

	if ((qnm_parse_ipv4(s, &v) == 0) != want)
		fail_msg("'%s': qnm_parse_ipv4 %s, inet_pton %s", s, want ? "refuses" : "takes",
			 want ? "takes" : "refuses");
	if (want)
		assert_int_equal(v, ntohl(in.s_addr));
}

/* the edge cases, then random strings of digits and dots: every octet rule */
static void ipv4_as_inet_pton(void)
{
	static const char *const cases[] = {
		"1.2.3.4",
		"255.255.255.255",
		"256.1.1.1",
		"1.2.3",
		"1.2.3.4.5",
		"01.2.3.4",
		"",
		"+1.2.3.4",
		" 1.2.3.4",
		"1.2.3.4 ",
		"1..3.4",
		"0.0.0.0",
		"00.0.0.0",
		"1.2.3.04",
		"1.2.3.256",
		"1.2.3.",
		".1.2.3",
		"1.2.3.4.",
		"-1.2.3.4",
		"1.2.3.4\n",
		"127.1",
		"4294967295",
		"0x7f.0.0.1",
		"1.2.3.4a",
		"009.1.1.1",
		"1.2.3.000",
		"9.99.199.249",
		"300.300.300.300",
		"1.2.3.2555",
		"10.0.2.15",
	};
	static const char alphabet[] = "0123456789.0125.";
	char s[24];
	uint32_t seed = 12345;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_as_inet_pton(cases[i]);
	for (i = 0; i < 200000; i++) {
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = 7 + (seed >> 16) % 11;
		for (j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			s[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		s[len] = '\0';
		expect_as_inet_pton(s);
	}
}

static void test_ipv4(void **state)
{
	static const struct {
		const char *s;
		uint32_t v;
	} good[] = {
		{ "0.0.0.0", 0 },
		{ "10.0.2.15", 0x0a00020f },
		{ "255.255.255.255", 0xffffffff },
		{ "192.168.100.1", 0xc0a86401 },
	};
	static const char *const bad[] = { "",		 "1.2.3",      "1.2.3.4.5", "256.0.0.1",
					   "1.2.3.256",	 "01.2.3.4",   "1.02.3.4",  "1..2.3",
					   "1.2.3.4 ",	 " 1.2.3.4",   "1.2.3.-4",  "a.b.c.d",
					   "1234.1.1.1", "1.2.3.4/24", "0x1.2.3.4", "1.2.3." };
	char buf[QNM_IPV4_LEN];
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(qnm_parse_ipv4(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
		assert_true(qnm_valid_ipv4(good[i].s));
		qnm_format_ipv4(v, buf);
		assert_string_equal(buf, good[i].s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qnm_valid_ipv4(bad[i]))
			fail_msg("IPv4 '%s' accepted", bad[i]);
	assert_int_equal(qnm_parse_ipv4(NULL, &v), -EINVAL);
	ipv4_as_inet_pton();
}

static void test_cidr(void **state)
{
	uint32_t a;
	unsigned p;

	assert_int_equal(qnm_parse_cidr("10.0.2.0/24", &a, &p), 0);
	assert_int_equal(a, 0x0a000200);
	assert_int_equal(p, 24);
	assert_int_equal(qnm_parse_cidr("0.0.0.0/0", &a, &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(qnm_parse_cidr("1.2.3.4/32", &a, &p), 0);
	assert_int_equal(p, 32);
	assert_int_equal(qnm_parse_cidr("1.2.3.4/33", &a, &p), -EINVAL);
	assert_int_equal(qnm_parse_cidr("1.2.3.4/", &a, &p), -EINVAL);
	assert_int_equal(qnm_parse_cidr("1.2.3.4/-1", &a, &p), -EINVAL);
	assert_int_equal(qnm_parse_cidr("1.2.3.4/24x", &a, &p), -EINVAL);
	assert_int_equal(qnm_parse_cidr("1.2.3.4", &a, &p), -EINVAL);
	assert_int_equal(qnm_parse_cidr("1.2.3/24", &a, &p), -EINVAL);
	assert_int_equal(qnm_parse_cidr("1.2.3.4.5.6.7.8.9/24", &a, &p), -EINVAL);
	assert_int_equal(qnm_parse_cidr(NULL, &a, &p), -EINVAL);

	assert_true(qnm_ipv4_in_subnet(0x0a0002ff, 0x0a000200, 24));
	assert_false(qnm_ipv4_in_subnet(0x0a000300, 0x0a000200, 24));
	assert_true(qnm_ipv4_in_subnet(0xdeadbeef, 0, 0));
	assert_true(qnm_ipv4_in_subnet(0x01020304, 0x01020304, 32));
	assert_false(qnm_ipv4_in_subnet(0x01020305, 0x01020304, 32));
	assert_true(qnm_ipv4_in_subnet(0x7fffffff, 0, 1));
	assert_false(qnm_ipv4_in_subnet(0x80000000, 0, 1));
}

static void test_mac_values(void **state)
{
	static const char *const bad[] = { "",
					   "52:54:00:12:34",
					   "52:54:00:12:34:56:78",
					   "52-54-00-12-34-56",
					   "5254.0012.3456",
					   "52:54:00:12:34:5g",
					   "52:54:00:12:34:5",
					   "52:54:00:12:34:567",
					   ":52:54:00:12:34:5",
					   "52:54:00:12:34:56 " };
	struct qnm_err err;
	uint8_t m[6];
	size_t i;

	assert_int_equal(qnm_parse_mac("52:54:00:Ab:cD:ef", m), 0);
	assert_int_equal(m[0], 0x52);
	assert_int_equal(m[3], 0xab);
	assert_int_equal(m[5], 0xef);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qnm_valid_mac(bad[i]))
			fail_msg("MAC '%s' accepted", bad[i]);
	assert_false(qnm_valid_mac(NULL));

	m[0] = 0x52;
	assert_true(qnm_mac_is_unicast(m));
	m[0] = 0x01;
	assert_false(qnm_mac_is_unicast(m));

	assert_int_equal(qnm_check_mac("52:54:00:12:34:56", "nic[n0].mac", &err), 0);
	assert_int_equal(qnm_check_mac("00:00:00:00:00:01", "f", &err), 0);
	assert_int_equal(qnm_check_mac("nonsense", "nic[n0].mac", &err), -EINVAL);
	assert_string_equal(err.field, "nic[n0].mac");
	assert_non_null(strstr(err.msg, "nic[n0].mac"));
	assert_non_null(strstr(err.msg, "not a MAC"));
	assert_int_equal(qnm_check_mac("01:00:5e:00:00:01", "m", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "multicast"));
	assert_int_equal(qnm_check_mac("ff:ff:ff:ff:ff:ff", "m", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "multicast"));
	assert_int_equal(qnm_check_mac("00:00:00:00:00:00", "m", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "all-zero"));
}

/* ---- forwards ---- */

static struct qnm_fwd fwd(enum qnm_proto proto, const char *haddr, unsigned hport,
			  const char *gaddr, unsigned gport)
{
	struct qnm_fwd f;

	memset(&f, 0, sizeof(f));
	f.proto = proto;
	qnm_strlcpy(f.host_addr, haddr, sizeof(f.host_addr));
	f.host_port = (uint16_t)hport;
	qnm_strlcpy(f.guest_addr, gaddr, sizeof(f.guest_addr));
	f.guest_port = (uint16_t)gport;
	return f;
}

static void expect_fwds(const struct qnm_fwd *v, size_t n, int want, const char *msg_part)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_check_fwds(v, n, "nic[n0].hostfwd", &err), want);
	if (want) {
		assert_string_equal(err.field, "nic[n0].hostfwd");
		if (!strstr(err.msg, msg_part))
			fail_msg("'%s' not in '%s'", msg_part, err.msg);
	}
}

static void test_fwd_rules(void **state)
{
	struct qnm_fwd v[3];

	v[0] = fwd(QNM_PROTO_TCP, "127.0.0.1", 2222, "", 22);
	v[1] = fwd(QNM_PROTO_UDP, "127.0.0.1", 2222, "", 22);	       /* other protocol: fine */
	v[2] = fwd(QNM_PROTO_TCP, "127.0.0.2", 2222, "10.0.2.15", 22); /* other address: fine */
	expect_fwds(v, 3, 0, NULL);
	expect_fwds(v, 0, 0, NULL);

	v[1] = fwd(QNM_PROTO_TCP, "127.0.0.1", 2222, "", 23);
	expect_fwds(v, 2, -EINVAL, "tcp/2222 is forwarded twice");
	v[1] = fwd(QNM_PROTO_TCP, "", 2222, "", 23); /* any address overlaps 127.0.0.1 */
	expect_fwds(v, 2, -EINVAL, "forwarded twice");
	v[1] = fwd(QNM_PROTO_TCP, "", 0, "", 22);
	expect_fwds(v, 2, -EINVAL, "1 to 65535");
	v[1] = fwd(QNM_PROTO_TCP, "", 22, "", 0);
	expect_fwds(v, 2, -EINVAL, "1 to 65535");
	v[1] = fwd(QNM_PROTO_TCP, "localhost", 22, "", 22);
	expect_fwds(v, 2, -EINVAL, "host address 'localhost'");
	v[1] = fwd(QNM_PROTO_TCP, "", 22, "10.0.2.300", 22);
	expect_fwds(v, 2, -EINVAL, "guest address '10.0.2.300'");
	v[1] = fwd(QNM_PROTO_TCP, "", 22, "", 22);
	v[1].proto = (enum qnm_proto)7;
	expect_fwds(v, 2, -EINVAL, "tcp or udp");
}

/* issue 16.5: port ranges, tcp+udp in one entry, a description */
static void test_fwd_ranges(void **state)
{
	static const struct {
		const char *in, *canon;
		unsigned span;
	} good[] = {
		{ "tcp::8000-8010-:8000-8010", "tcp::8000-8010-:8000-8010", 10 },
		{ "tcp:127.0.0.1:8000-8010-10.0.2.15:9000-9010",
		  "tcp:127.0.0.1:8000-8010-10.0.2.15:9000-9010", 10 },
		{ "both::5353-:53", "tcp+udp::5353-:53", 0 },
		{ "tcp+udp::7000-7001-:7000-7001 desc=\"two ports\"",
		  "tcp+udp::7000-7001-:7000-7001 desc=\"two ports\"", 1 },
		{ "udp::1-1024-:1-1024 desc=dns", "udp::1-1024-:1-1024 desc=\"dns\"", 1023 },
		{ "tcp::65535-65535-:1-1", "tcp::65535-:1", 0 },
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "tcp::8000-8010-:9000-9005", "must be as many" },
		{ "tcp::8000-8010-:9000", "must be as many" },
		{ "tcp::8000-:9000-9010", "must be as many" },
		{ "tcp::8010-8000-:8010-8000", "ends before it starts" },
		{ "tcp::1-1025-:1-1025", "at most 1024" },
		{ "tcp::8000-8010", "must look like" },
		{ "tcp::8000-70000-:8000-70000", "from 1 to 65535" },
		{ "sctp+udp::1-:1", "tcp or udp, or tcp+udp" },
		{ "tcp::1-:1 desc=\"open", "no closing" },
		{ "tcp::1-:1 desc=a\\b", "printable ASCII" },
		{ "tcp::1-:1 name=x", "only desc=" },
		{ "tcp::1-:1 desc=\"0123456789012345678901234567890123456789012345678\"",
		  "at most 48" },
	};
	struct qnm_fwd v[3], g, one;
	struct qnm_err err;
	char buf[QNM_FWD_TEXT_LEN];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (qnm_fwd_parse(good[i].in, &v[0], "hostfwd", &err))
			fail_msg("'%s' rejected: %s", good[i].in, err.msg);
		assert_int_equal(v[0].span, good[i].span);
		qnm_fwd_format(&v[0], buf, sizeof(buf));
		assert_string_equal(buf, good[i].canon);
		assert_int_equal(qnm_fwd_parse(buf, &g, "hostfwd", &err), 0);
		assert_memory_equal(&v[0], &g, sizeof(g));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		qnm_err_clear(&err);
		if (qnm_fwd_parse(bad[i].in, &g, "nic[n0].hostfwd", &err) != -EINVAL)
			fail_msg("'%s' accepted", bad[i].in);
		assert_string_equal(err.field, "nic[n0].hostfwd");
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("'%s': '%s' not in '%s'", bad[i].in, bad[i].msg, err.msg);
	}

	/* the singles: tcp ports first, then udp, each shifted by its offset */
	assert_int_equal(qnm_fwd_parse("tcp+udp::8000-8002-:9000-9002", &g, "f", &err), 0);
	assert_int_equal(qnm_fwd_count(&g), 6);
	qnm_fwd_nth(&g, 4, &one);
	assert_int_equal(one.proto, QNM_PROTO_UDP);
	assert_int_equal(one.host_port, 8001);
	assert_int_equal(one.guest_port, 9001);
	assert_int_equal(one.span, 0);

	/* overlaps: a port inside another forward's range, either protocol of tcp+udp */
	v[0] = fwd(QNM_PROTO_TCP, "", 8000, "", 8000);
	v[0].span = 10;
	v[1] = fwd(QNM_PROTO_TCP, "127.0.0.1", 8011, "", 80); /* just after: fine */
	v[2] = fwd(QNM_PROTO_UDP, "", 8005, "", 80);	      /* other protocol: fine */
	expect_fwds(v, 3, 0, NULL);
	v[1] = fwd(QNM_PROTO_TCP, "127.0.0.1", 8010, "", 80);
	expect_fwds(v, 2, -EINVAL, "tcp/8010 is forwarded twice");
	v[1] = fwd(QNM_PROTO_BOTH, "", 7990, "", 7990);
	v[1].span = 20;
	expect_fwds(v, 2, -EINVAL, "tcp/8000 is forwarded twice");
	v[2].proto = QNM_PROTO_BOTH;
	v[1] = fwd(QNM_PROTO_UDP, "", 8005, "", 1);
	expect_fwds(v, 3, -EINVAL, "tcp/8005 is forwarded twice"); /* v[2] meets v[0] */
	v[0].proto = QNM_PROTO_UDP;
	v[1] = fwd(QNM_PROTO_TCP, "", 1, "", 1);
	expect_fwds(v, 3, -EINVAL, "udp/8005 is forwarded twice");
	v[1] = fwd(QNM_PROTO_TCP, "", 65530, "", 1);
	v[1].span = 10; /* past 65535 */
	expect_fwds(v, 2, -EINVAL, "at most 1024 ports");
	v[1] = fwd(QNM_PROTO_TCP, "", 9000, "", 1);
	qnm_strlcpy(v[1].desc, "tab\there", sizeof(v[1].desc));
	expect_fwds(v, 2, -EINVAL, "printable ASCII");

	/* a user-mode NIC: at most 512 sockets in all */
	v[0] = fwd(QNM_PROTO_BOTH, "", 10000, "", 10000);
	v[0].span = 255; /* 512 sockets */
	assert_int_equal(qnm_check_fwd_sockets(v, 1, "nic[n0].hostfwd", &err), 0);
	v[1] = fwd(QNM_PROTO_TCP, "", 22, "", 22);
	qnm_err_clear(&err);
	assert_int_equal(qnm_check_fwd_sockets(v, 2, "nic[n0].hostfwd", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "need 513 listening sockets"));
}

/* qnm_fwd_format() of @in into every buffer size: what snprintf() of the whole text leaves */
static void expect_format_cut(const char *in)
{
	struct qnm_fwd f;
	char want[QNM_FWD_TEXT_LEN], got[QNM_FWD_TEXT_LEN + 1], ports[16], sp[16];
	size_t size;

	assert_int_equal(qnm_fwd_parse(in, &f, "t", NULL), 0);
	qnm_fwd_format(&f, want, sizeof(want));
	for (size = 1; size <= sizeof(want); size++) {
		memset(got, 'x', sizeof(got));
		qnm_fwd_format(&f, got, size);
		assert_int_equal(got[size], 'x');
		assert_int_equal(strlen(got), strlen(want) < size ? strlen(want) : size - 1);
		assert_memory_equal(got, want, strlen(got));
	}
	qnm_ports_text(f.host_port, f.span, ports, sizeof(ports));
	if (f.span)
		snprintf(sp, sizeof(sp), "%u-%u", f.host_port, (unsigned)f.host_port + f.span);
	else
		snprintf(sp, sizeof(sp), "%u", f.host_port);
	assert_string_equal(ports, sp);
}

static void test_fwd_parse_format(void **state)
{
	static const struct {
		const char *in, *canon;
	} good[] = {
		{ "tcp:127.0.0.1:2222-:22", "tcp:127.0.0.1:2222-:22" },
		{ "udp::5353-10.0.2.15:53", "udp::5353-10.0.2.15:53" },
		{ ":8080-:80", "tcp::8080-:80" },
		{ "::8080-:80", "tcp::8080-:80" },
		{ "tcp::1-:65535", "tcp::1-:65535" },
		{ "127.0.0.1:2222-10.0.2.15:22", "tcp:127.0.0.1:2222-10.0.2.15:22" },
	};
	static const char *const bad[] = { "",
					   "2222",
					   "tcp:127.0.0.1:2222",
					   "sctp::1-:2",
					   "tcp::0-:22",
					   "tcp::22-:0",
					   "tcp::65536-:22",
					   "tcp::22-:x",
					   "tcp:1.2.3.256:22-:22",
					   "tcp::22-1.2.3:22",
					   "tcp::22-22",
					   "tcp:a:b:22-:22",
					   "tcp:255.255.255.255255255255255255255:1-:2" };
	struct qnm_fwd f, g;
	struct qnm_err err;
	char buf[96];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (qnm_fwd_parse(good[i].in, &f, "hostfwd", &err))
			fail_msg("'%s' rejected: %s", good[i].in, err.msg);
		qnm_fwd_format(&f, buf, sizeof(buf));
		assert_string_equal(buf, good[i].canon);
		assert_int_equal(qnm_fwd_parse(buf, &g, "hostfwd", &err), 0);
		assert_memory_equal(&f, &g, sizeof(f));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		qnm_err_clear(&err);
		if (qnm_fwd_parse(bad[i], &f, "nic[n0].hostfwd", &err) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_string_equal(err.field, "nic[n0].hostfwd");
		assert_true(strncmp(err.msg, "nic[n0].hostfwd: ", 17) == 0);
	}

	/* Round trip of many generated forwards: format, parse, same struct. */
	{
		uint32_t seed = 7;

		for (i = 0; i < 5000; i++) {
			char ha[QNM_IPV4_LEN] = "", ga[QNM_IPV4_LEN] = "";

			seed = seed * 1103515245u + 12345u;
			if (seed & 0x100)
				qnm_format_ipv4(seed * 2654435761u, ha);
			if (seed & 0x200)
				qnm_format_ipv4(seed * 40503u, ga);
			f = fwd(seed & 0x400 ? QNM_PROTO_UDP : QNM_PROTO_TCP, ha,
				1 + (seed >> 8) % 65535, ga, 1 + (seed >> 3) % 65535);
			qnm_fwd_format(&f, buf, sizeof(buf));
			assert_int_equal(qnm_fwd_parse(buf, &g, "hostfwd", &err), 0);
			assert_int_equal(f.proto, g.proto);
			assert_int_equal(f.host_port, g.host_port);
			assert_int_equal(f.guest_port, g.guest_port);
			assert_string_equal(f.host_addr, g.host_addr);
			assert_string_equal(f.guest_addr, g.guest_addr);
		}
	}
	expect_format_cut("tcp:127.0.0.1:2222-10.0.2.15:22 desc=\"ssh to the build box\"");
	expect_format_cut("udp::65000-65535-10.0.2.15:1000-1535");
	expect_format_cut("tcp+udp::1-web-server-01/nic-0:65535 desc=\"x\"");
	expect_format_cut("tcp::8080-:80");
}

/* ---- NICs and their backends ---- */

static void expect_nic_err(const struct qnm_nic *n, const char *field, const char *msg_part)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_check_nic(n, &err), -EINVAL);
	assert_string_equal(err.field, field);
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("'%s' not in '%s'", msg_part, err.msg);
	/* Every message names its field. */
	if (!strstr(err.msg, field))
		fail_msg("field '%s' not named in '%s'", field, err.msg);
}

/* forwards to a NIC: "VM/NIC" in the guest side, names with '-', ranges; read back the same */
static void test_fwd_targets(void **state)
{
	static const struct {
		const char *in, *target;
		unsigned host, guest, span;
	} good[] = {
		{ "tcp::8080-web/n0:80", "web/n0", 8080, 80, 0 },
		{ "tcp::8000-8010-x/n0:80", "8010-x/n0", 8000, 80, 0 },
		{ "tcp::7000-7001-8010-x/n0:70-71", "8010-x/n0", 7000, 70, 1 },
		{ "tcp+udp:127.0.0.1:9000-9005-my-vm/n-1:9000-9005", "my-vm/n-1", 9000, 9000, 5 },
	};
	static const char *const bad[] = { "tcp::80-we b/n0:80", "tcp::80-/n0:80",
					   "tcp::80-web/:80", "tcp::80-web/n0:0",
					   "tcp::80-a/b/c:80" };
	struct qnm_fwd f, g;
	struct qnm_err err;
	char buf[QNM_FWD_TEXT_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < QNM_ARRAY_SIZE(good); i++) {
		if (qnm_fwd_parse(good[i].in, &f, "forward", &err))
			fail_msg("%s: %s", good[i].in, err.msg);
		assert_string_equal(f.target, good[i].target);
		assert_string_equal(f.guest_addr, "");
		assert_int_equal(f.host_port, good[i].host);
		assert_int_equal(f.guest_port, good[i].guest);
		assert_int_equal(f.span, good[i].span);
		qnm_fwd_format(&f, buf, sizeof(buf));
		assert_string_equal(buf + strspn(buf, "tcpud+"),
				    good[i].in + strspn(good[i].in, "tcpud+"));
		assert_int_equal(qnm_fwd_parse(buf, &g, "forward", &err), 0);
		assert_string_equal(g.target, f.target);
	}
	for (i = 0; i < QNM_ARRAY_SIZE(bad); i++)
		if (qnm_fwd_parse(bad[i], &f, "forward", &err) != -EINVAL)
			fail_msg("%s was taken", bad[i]);
}

static void test_nic_common(void **state)
{
	struct qnm_nic n;

	qnm_nic_init(&n, "n0");
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	qnm_strlcpy(n.id, "-x", sizeof(n.id));
	expect_nic_err(&n, "nic[-x].id", "letters, digits");
	qnm_strlcpy(n.id, "n0", sizeof(n.id));
	n.model[0] = '\0';
	expect_nic_err(&n, "nic[n0].model", "required");
	qnm_strlcpy(n.model, "e1000,mac=01:00:00:00:00:00", sizeof(n.model));
	expect_nic_err(&n, "nic[n0].model", "may only hold");
	qnm_strlcpy(n.model, "virtio-net-pci", sizeof(n.model));
	qnm_strlcpy(n.mac, "01:00:00:00:00:01", sizeof(n.mac));
	expect_nic_err(&n, "nic[n0].mac", "multicast");
	qnm_strlcpy(n.mac, "02:00:00:00:00:01", sizeof(n.mac));
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	n.backend = QNM_BACKEND__COUNT;
	expect_nic_err(&n, "nic[n0].backend", "user, slirp, passt, private, tap or bridge");
	qnm_nic_clear(&n);
}

static void test_nic_user(void **state)
{
	struct qnm_nic n;
	struct qnm_fwd f = fwd(QNM_PROTO_TCP, "", 2222, "", 22);

	qnm_nic_init(&n, "n0");
	qnm_strlcpy(n.user.net, "10.0.2.0", sizeof(n.user.net));
	expect_nic_err(&n, "nic[n0].net", "prefix 8 to 30");
	qnm_strlcpy(n.user.net, "10.0.0.0/7", sizeof(n.user.net));
	expect_nic_err(&n, "nic[n0].net", "prefix 8 to 30");
	qnm_strlcpy(n.user.net, "10.0.0.0/31", sizeof(n.user.net));
	expect_nic_err(&n, "nic[n0].net", "prefix 8 to 30");
	qnm_strlcpy(n.user.net, "192.168.76.0/24", sizeof(n.user.net));
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	qnm_strlcpy(n.user.host, "192.168.77.2", sizeof(n.user.host));
	expect_nic_err(&n, "nic[n0].host", "outside the guest network 192.168.76.0/24");
	qnm_strlcpy(n.user.host, "192.168.76.2", sizeof(n.user.host));
	qnm_strlcpy(n.user.dhcpstart, "192.168.76.", sizeof(n.user.dhcpstart));
	expect_nic_err(&n, "nic[n0].dhcpstart", "not an IPv4 address");
	qnm_strlcpy(n.user.dhcpstart, "192.168.76.9", sizeof(n.user.dhcpstart));
	qnm_strlcpy(n.user.dns, "8.8.8.8", sizeof(n.user.dns));
	expect_nic_err(&n, "nic[n0].dns", "outside");
	qnm_strlcpy(n.user.dns, "192.168.76.3", sizeof(n.user.dns));
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	/* Without net=, QEMU's 10.0.2.0/24 is the reference. */
	n.user.net[0] = n.user.host[0] = n.user.dns[0] = '\0';
	expect_nic_err(&n, "nic[n0].dhcpstart", "outside the guest network 10.0.2.0/24");
	qnm_strlcpy(n.user.dhcpstart, "10.0.2.15", sizeof(n.user.dhcpstart));
	qnm_fwd_add(&n.user.fwd, &n.user.nfwd, &f);
	qnm_fwd_add(&n.user.fwd, &n.user.nfwd, &f);
	expect_nic_err(&n, "nic[n0].hostfwd", "forwarded twice");
	qnm_fwd_del(&n.user.fwd, &n.user.nfwd, 1);
	n.user.smb = xstrdup("relative/dir");
	expect_nic_err(&n, "nic[n0].smb", "absolute");
	free(n.user.smb);
	n.user.smb = xstrdup("/srv/share");
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	/* The slirp backend shares the options but has no SMB. */
	n.backend = QNM_BACKEND_SLIRP;
	expect_nic_err(&n, "nic[n0].smb", "only available on the user backend");
	free(n.user.smb);
	n.user.smb = NULL;
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	qnm_nic_clear(&n);
}

static void test_nic_tap_bridge(void **state)
{
	struct qnm_nic n;

	qnm_nic_init(&n, "n0");
	n.backend = QNM_BACKEND_TAP;
	assert_int_equal(qnm_check_nic(&n, NULL), 0); /* qnm creates and names it */
	qnm_strlcpy(n.tap.ifname, "tap:0", sizeof(n.tap.ifname));
	expect_nic_err(&n, "nic[n0].ifname", "not a valid interface name");
	qnm_strlcpy(n.tap.ifname, "tap0,vhost=on", sizeof(n.tap.ifname));
	expect_nic_err(&n, "nic[n0].ifname", "not a valid interface name (1-15 letters");
	n.tap.ifname[0] = '\0';
	n.tap.create = false;
	expect_nic_err(&n, "nic[n0].ifname", "must be named");
	qnm_strlcpy(n.tap.ifname, "tap0", sizeof(n.tap.ifname));
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	qnm_strlcpy(n.tap.network, "-lan", sizeof(n.tap.network));
	expect_nic_err(&n, "nic[n0].network", "not a network name");
	qnm_strlcpy(n.tap.network, "lan", sizeof(n.tap.network));
	qnm_strlcpy(n.tap.bridge, "br 0", sizeof(n.tap.bridge));
	expect_nic_err(&n, "nic[n0].bridge", "not a valid interface name");
	qnm_strlcpy(n.tap.bridge, "br*", sizeof(n.tap.bridge));
	expect_nic_err(&n, "nic[n0].bridge", "'br*' is not a valid interface name (1-15 letters");
	qnm_strlcpy(n.tap.bridge, "br0", sizeof(n.tap.bridge));
	expect_nic_err(&n, "nic[n0].bridge", "not both");
	n.tap.network[0] = '\0';
	assert_int_equal(qnm_check_nic(&n, NULL), 0);

	n.backend = QNM_BACKEND_BRIDGE;
	expect_nic_err(&n, "nic[n0].br", "needs a bridge name");
	qnm_strlcpy(n.bridge.br, "br0,helper=", sizeof(n.bridge.br));
	expect_nic_err(&n, "nic[n0].br", "valid interface name: 1-15 letters");
	qnm_strlcpy(n.bridge.br, "br0", sizeof(n.bridge.br));
	assert_int_equal(qnm_check_nic(&n, NULL), 0);
	n.bridge.helper = xstrdup("qemu-bridge-helper");
	expect_nic_err(&n, "nic[n0].helper", "absolute path");
	qnm_nic_clear(&n);
}

/* ---- VMs ---- */

static void expect_vm_err(const struct qnm_vm *vm, const char *field, const char *msg_part)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_check_vm(vm, &err), -EINVAL);
	if (strcmp(err.field, field))
		fail_msg("field '%s', expected '%s' (%s)", err.field, field, err.msg);
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("'%s' not in '%s'", msg_part, err.msg);
}

static void test_vm(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("vm1");
	struct qnm_nic *a, *b;

	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	qnm_strlcpy(vm->name, ".hidden", sizeof(vm->name));
	expect_vm_err(vm, "name", "letters, digits");
	qnm_strlcpy(vm->name, "vm1", sizeof(vm->name));
	qnm_strlcpy(vm->arch, "../x86", sizeof(vm->arch));
	expect_vm_err(vm, "arch", "QEMU target");
	qnm_strlcpy(vm->arch, "x86_64", sizeof(vm->arch));

	vm->memory_mb = 15;
	expect_vm_err(vm, "memory", "16 to 4194304");
	vm->memory_mb = 16;
	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	vm->memory_mb = 4194304;
	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	vm->memory_mb = 4194305;
	expect_vm_err(vm, "memory", "out of range");
	vm->memory_mb = 512;

	vm->cpus = 0;
	expect_vm_err(vm, "cpus", "1 to 1024");
	vm->cpus = 1025;
	expect_vm_err(vm, "cpus", "1 to 1024");
	vm->cpus = 1024;
	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	vm->cpus = 1;

	qnm_strlcpy(vm->machine, "pc,accel=kvm", sizeof(vm->machine));
	expect_vm_err(vm, "machine", "may only hold");
	qnm_strlcpy(vm->machine, "pc-q35-7.2", sizeof(vm->machine));
	assert_int_equal(qnm_check_vm(vm, NULL), 0);

	vm->boot = QNM_BOOT_DISK;
	expect_vm_err(vm, "disk", "needs a disk path");
	vm->disk = xstrdup("");
	expect_vm_err(vm, "disk", "needs a disk path");
	free(vm->disk);
	vm->disk = xstrdup("/img/a.qcow2");
	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	vm->boot = QNM_BOOT_CDROM;
	expect_vm_err(vm, "cdrom", "needs a cdrom path");
	vm->cdrom = xstrdup("/iso/a.iso");
	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	vm->boot = QNM_BOOT_KERNEL;
	expect_vm_err(vm, "kernel", "needs a kernel path");
	vm->kernel = xstrdup("/boot/vmlinuz");
	vm->initrd = xstrdup("/boot/initrd");
	vm->append = xstrdup("console=ttyS0");
	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	vm->boot = (enum qnm_boot)9;
	expect_vm_err(vm, "boot", "none, disk, cdrom or kernel");
	vm->boot = QNM_BOOT_DISK;
	expect_vm_err(vm, "initrd", "only used with boot = kernel");
	free(vm->initrd);
	vm->initrd = NULL;
	expect_vm_err(vm, "append", "only used with boot = kernel");
	/* An empty initrd is no initrd: the append line is the one at fault. */
	vm->initrd = xstrdup("");
	expect_vm_err(vm, "append", "append: only used with boot = kernel");
	free(vm->append);
	vm->append = NULL;
	assert_int_equal(qnm_check_vm(vm, NULL), 0);

	qnm_vm_add_extra(vm, "-usb");
	qnm_vm_add_extra(vm, "");
	expect_vm_err(vm, "extra", "argument 2 is empty");
	free(vm->extra[1]);
	vm->nextra = 1;
	assert_int_equal(qnm_check_vm(vm, NULL), 0);

	a = qnm_vm_add_nic(vm);
	qnm_strlcpy(a->mac, "02:aa:00:00:00:01", sizeof(a->mac));
	b = qnm_vm_add_nic(vm);
	assert_int_equal(qnm_check_vm(vm, NULL), 0);
	qnm_strlcpy(b->mac, "02:AA:00:00:00:01", sizeof(b->mac));
	expect_vm_err(vm, "nic[n1].mac", "also used by NIC 'n0'");
	b->mac[0] = '\0';
	qnm_strlcpy(b->id, "n0", sizeof(b->id));
	expect_vm_err(vm, "nic[n0].id", "unique");
	qnm_strlcpy(b->id, "n1", sizeof(b->id));
	b->backend = QNM_BACKEND_BRIDGE;
	expect_vm_err(vm, "nic[n1].br", NULL); /* NIC rules apply inside the VM check */
	qnm_vm_free(vm);
}

/* ---- networks ---- */

static void expect_net_err(const struct qnm_network *net, const char *field, const char *msg_part)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_check_network(net, &err), -EINVAL);
	if (strcmp(err.field, field))
		fail_msg("field '%s', expected '%s' (%s)", err.field, field, err.msg);
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("'%s' not in '%s'", msg_part, err.msg);
}

static struct qnm_network *nat_net(void)
{
	struct qnm_network *n = qnm_network_new("lan");

	qnm_strlcpy(n->bridge, "qnmbr0", sizeof(n->bridge));
	qnm_strlcpy(n->address, "10.77.0.1", sizeof(n->address));
	n->prefix = 24;
	qnm_strlcpy(n->dhcp_start, "10.77.0.100", sizeof(n->dhcp_start));
	qnm_strlcpy(n->dhcp_end, "10.77.0.200", sizeof(n->dhcp_end));
	return n;
}

static void test_network(void **state)
{
	struct qnm_network *n = nat_net();
	struct qnm_fwd f = fwd(QNM_PROTO_TCP, "", 8080, "10.77.0.100", 80);

	assert_int_equal(qnm_check_network(n, NULL), 0);
	qnm_strlcpy(n->name, "", sizeof(n->name));
	expect_net_err(n, "name", "letters, digits");
	qnm_strlcpy(n->name, "lan", sizeof(n->name));
	qnm_strlcpy(n->bridge, "br/0", sizeof(n->bridge));
	expect_net_err(n, "bridge", "not a valid interface name");
	/* issue 13: became dnsmasq's --interface=up0,gv1 (it then served the uplink too) */
	qnm_strlcpy(n->bridge, "up0,gv1", sizeof(n->bridge));
	expect_net_err(n, "bridge",
		       "'up0,gv1' is not a valid interface name (1-15 letters, digits");
	/* none given: say what the bridge is for (br-int for an ovn network) */
	qnm_strlcpy(n->bridge, "", sizeof(n->bridge));
	expect_net_err(n, "bridge",
		       "needs the name of the bridge qnm makes for it (e.g. bridge=qnmbr0)");
	n->mode = QNM_NET_OVN;
	expect_net_err(
		n, "bridge",
		"the integration bridge ovn-controller uses on each host (usually bridge=br-int)");
	n->mode = QNM_NET_NAT;
	qnm_strlcpy(n->bridge, "qnmbr0", sizeof(n->bridge));
	n->mode = (enum qnm_net_mode)5;
	expect_net_err(n, "mode", "nat, bridged, isolated or ovn");
	n->mode = QNM_NET_NAT;

	qnm_strlcpy(n->address, "10.77.0", sizeof(n->address));
	expect_net_err(n, "address", "nat networks need");
	n->mode = QNM_NET_ISOLATED;
	expect_net_err(n, "address", "isolated networks need");
	n->mode = QNM_NET_NAT;
	qnm_strlcpy(n->address, "10.77.0.1", sizeof(n->address));
	n->prefix = 0;
	expect_net_err(n, "prefix", "1 to 30");
	n->prefix = 31;
	expect_net_err(n, "prefix", "1 to 30");
	n->prefix = 24;

	qnm_strlcpy(n->uplink, "eth 0", sizeof(n->uplink));
	expect_net_err(n, "uplink", "not a valid interface name");
	qnm_strlcpy(n->uplink, "eth*", sizeof(n->uplink));
	expect_net_err(n, "uplink", "'eth*' is not a valid interface name (1-15 letters");
	qnm_strlcpy(n->uplink, "eth0", sizeof(n->uplink));
	assert_int_equal(qnm_check_network(n, NULL), 0);

	/* DHCP range. */
	qnm_strlcpy(n->dhcp_start, "10.77.0.x", sizeof(n->dhcp_start));
	expect_net_err(n, "dhcp-start", "not an IPv4 address");
	qnm_strlcpy(n->dhcp_start, "10.77.0.100", sizeof(n->dhcp_start));
	n->dhcp_end[0] = '\0';
	expect_net_err(n, "dhcp-end", "not an IPv4 address");
	qnm_strlcpy(n->dhcp_end, "10.77.0.200", sizeof(n->dhcp_end));
	qnm_strlcpy(n->dhcp_start, "10.78.0.100", sizeof(n->dhcp_start));
	expect_net_err(n, "dhcp-start", "outside the network 10.77.0.1/24");
	qnm_strlcpy(n->dhcp_start, "10.77.0.100", sizeof(n->dhcp_start));
	qnm_strlcpy(n->dhcp_end, "10.77.1.200", sizeof(n->dhcp_end));
	expect_net_err(n, "dhcp-end", "outside the network");
	qnm_strlcpy(n->dhcp_end, "10.77.0.99", sizeof(n->dhcp_end));
	expect_net_err(n, "dhcp-end", "comes before dhcp-start");
	qnm_strlcpy(n->dhcp_start, "10.77.0.1", sizeof(n->dhcp_start));
	qnm_strlcpy(n->dhcp_end, "10.77.0.50", sizeof(n->dhcp_end));
	expect_net_err(n, "dhcp-start", "contains the host address 10.77.0.1");
	qnm_strlcpy(n->dhcp_start, "10.77.0.2", sizeof(n->dhcp_start));
	assert_int_equal(qnm_check_network(n, NULL), 0);
	n->dhcp_start[0] = n->dhcp_end[0] = '\0';
	assert_int_equal(qnm_check_network(n, NULL), 0); /* no DHCP is fine */

	/* Forwards. */
	qnm_fwd_add(&n->fwd, &n->nfwd, &f);
	assert_int_equal(qnm_check_network(n, NULL), 0);
	n->fwd[0].guest_addr[0] = '\0';
	expect_net_err(n, "forward", "needs the guest's IPv4 address");
	qnm_strlcpy(n->fwd[0].guest_addr, "10.99.0.5", sizeof(n->fwd[0].guest_addr));
	expect_net_err(n, "forward", "outside the network");
	qnm_strlcpy(n->fwd[0].guest_addr, "10.77.0.5", sizeof(n->fwd[0].guest_addr));
	qnm_fwd_add(&n->fwd, &n->nfwd, &f);
	expect_net_err(n, "forward", "forwarded twice");
	qnm_fwd_del(&n->fwd, &n->nfwd, 1);
	n->fwd[0].host_port = 0;
	expect_net_err(n, "forward", "1 to 65535");
	n->fwd[0].host_port = 8080;

	/* Bridged: a port, no address needed, no DHCP, no forwards. */
	n->mode = QNM_NET_BRIDGED;
	n->address[0] = '\0';
	expect_net_err(n, "port", "physical interface");
	qnm_strlcpy(n->port, "eth0,eth1", sizeof(n->port));
	expect_net_err(n, "port", "'eth0,eth1' is not a valid interface name: 1-15 letters");
	qnm_strlcpy(n->port, "qnmbr0", sizeof(n->port));
	expect_net_err(n, "port", "cannot be the bridge itself");
	qnm_strlcpy(n->port, "eth1", sizeof(n->port));
	expect_net_err(n, "forward", "nat or isolated");
	qnm_fwd_del(&n->fwd, &n->nfwd, 0);
	assert_int_equal(qnm_check_network(n, NULL), 0);
	qnm_strlcpy(n->dhcp_start, "10.77.0.100", sizeof(n->dhcp_start));
	qnm_strlcpy(n->dhcp_end, "10.77.0.200", sizeof(n->dhcp_end));
	expect_net_err(n, "dhcp-start", "only served on nat and isolated");
	n->dhcp_start[0] = n->dhcp_end[0] = '\0';
	/* A bridged network may still give the host an address on the bridge. */
	qnm_strlcpy(n->address, "192.168.1.5", sizeof(n->address));
	n->prefix = 33;
	expect_net_err(n, "prefix", "1 to 30");
	n->prefix = 24;
	assert_int_equal(qnm_check_network(n, NULL), 0);
	qnm_network_free(n);
}

/* ---- the whole model ---- */

static void expect_model_err(const struct qnm_model *m, const char *field, const char *msg_part)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_check_model(m, &err), -EINVAL);
	if (strcmp(err.field, field))
		fail_msg("field '%s', expected '%s' (%s)", err.field, field, err.msg);
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("'%s' not in '%s'", msg_part, err.msg);
}

static void test_model(void **state)
{
	struct qnm_fwd f = fwd(QNM_PROTO_TCP, "127.0.0.1", 2222, "", 22);
	struct qnm_fwd g = fwd(QNM_PROTO_TCP, "", 2222, "10.77.0.5", 22);
	struct qnm_network *lan = nat_net(), *lan2;
	struct qnm_vm *a = qnm_vm_new("a"), *b = qnm_vm_new("b");
	struct qnm_model m;
	struct qnm_nic *na, *nb;

	qnm_model_init(&m);
	na = qnm_vm_add_nic(a);
	nb = qnm_vm_add_nic(b);
	qnm_strlcpy(na->mac, "02:00:00:00:00:01", sizeof(na->mac));
	qnm_strlcpy(nb->mac, "02:00:00:00:00:01", sizeof(nb->mac));
	qnm_model_add_vm(&m, a);
	qnm_model_add_vm(&m, b);
	qnm_model_add_net(&m, lan);
	expect_model_err(&m, "nic[n0].mac", "used by VM 'a' NIC 'n0' and VM 'b' NIC 'n0'");
	qnm_strlcpy(nb->mac, "02:00:00:00:00:02", sizeof(nb->mac));
	assert_int_equal(qnm_check_model(&m, NULL), 0);

	/* One host port forwarded by two VMs. */
	qnm_fwd_add(&na->user.fwd, &na->user.nfwd, &f);
	qnm_fwd_add(&nb->user.fwd, &nb->user.nfwd, &f);
	expect_model_err(&m, "hostfwd",
			 "tcp/2222 is forwarded by both VM 'a' NIC 'n0' and VM 'b' NIC 'n0'");
	nb->user.fwd[0].host_port = 2223;
	assert_int_equal(qnm_check_model(&m, NULL), 0);
	/* ... by a VM and a network (any address overlaps 127.0.0.1). */
	qnm_fwd_add(&lan->fwd, &lan->nfwd, &g);
	expect_model_err(&m, "hostfwd", "by both VM 'a' NIC 'n0' and network 'lan'");
	/* A tap NIC's forwards are not hostfwd: they do not count. */
	na->backend = QNM_BACKEND_TAP;
	assert_int_equal(qnm_check_model(&m, NULL), 0);
	/* ... but the slirp backend's do. */
	na->backend = QNM_BACKEND_SLIRP;
	expect_model_err(&m, "hostfwd", "network 'lan'");
	na->backend = QNM_BACKEND_USER;
	qnm_fwd_del(&lan->fwd, &lan->nfwd, 0);

	/* Two networks on one bridge. */
	lan2 = nat_net();
	qnm_strlcpy(lan2->name, "lan2", sizeof(lan2->name));
	qnm_model_add_net(&m, lan2);
	expect_model_err(&m, "bridge", "networks 'lan' and 'lan2' both use bridge qnmbr0");
	qnm_strlcpy(lan2->bridge, "qnmbr1", sizeof(lan2->bridge));
	assert_int_equal(qnm_check_model(&m, NULL), 0);

	/* A tap NIC on a network that does not exist. */
	nb->backend = QNM_BACKEND_TAP;
	qnm_strlcpy(nb->tap.network, "nowhere", sizeof(nb->tap.network));
	expect_model_err(&m, "nic[n0].network", "VM 'b' uses network 'nowhere'");
	qnm_strlcpy(nb->tap.network, "lan2", sizeof(nb->tap.network));
	assert_int_equal(qnm_check_model(&m, NULL), 0);
	qnm_model_clear(&m);
}

/* ipv6-net: ULA or global, length 1-126, no host bits; the helper's parser. */
static void test_ipv6_net(void **state)
{
	struct qnm_err err;
	struct in6_addr a;
	unsigned len;

	(void)state;
	assert_int_equal(qnm_check_ipv6_net("", "f", &err), 0);
	assert_int_equal(qnm_check_ipv6_net("2000::/3", "f", &err), 0);
	assert_int_equal(qnm_check_ipv6_net("3fff:ffff::/32", "f", &err), 0);
	assert_int_equal(qnm_check_ipv6_net("fc00::/7", "f", &err), 0);
	assert_int_equal(qnm_check_ipv6_net("fdff:1::/126", "f", &err), 0);
	assert_int_equal(qnm_check_ipv6_net("8000::/1", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_ipv6_net("4000::/64", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_ipv6_net("fe00::/64", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_ipv6_net("ff02::/64", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_ipv6_net("::/64", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_ipv6_net("fd00::4/126", "f", &err), 0);
	assert_int_equal(qnm_check_ipv6_net("fd00::5/126", "f", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "did you mean fd00::4/126?"));
	assert_int_equal(qnm_check_ipv6_net("fd00::/+64", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_ipv6_net("fd00::/", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_ipv6_net("fd00::/129", "f", &err), -EINVAL);
	assert_int_equal(qnm_parse_ipv6_net("2001:db8:1::/48", &a, &len), 0);
	assert_int_equal(len, 48);
	assert_int_equal(a.s6_addr[0], 0x20);
	assert_int_equal(a.s6_addr[5], 0x01);
}

/* a network's ipv6 key (issue 16.4): none, auto (a ULA from the name) or a /64 */
static void test_net_ipv6(void **state)
{
	static const struct {
		const char *value, *msg;
	} bad[] = {
		{ "fd12:3456:789a:1::/48", "must be a /64" },
		{ "fd12:3456:789a:1::/48", "did you mean fd12:3456:789a:1::/64?" },
		{ "fd12:3456:789a:1::/80", "did you mean fd12:3456:789a:1::/64?" },
		{ "fd12:3456:789a:1::5/64",
		  "host bits set beyond /64: did you mean fd12:3456:789a:1::/64?" },
		{ "fec0::/64", "site-local" },
		{ "fe80::/64", "neither a unique local" },
		{ "yes", "'yes' is none, auto or an IPv6 prefix" },
		{ "fd12:3456:789a:1::", "with its length /64" },
	};
	struct qnm_network *n = nat_net();
	char buf[QNM_IPV6_NET_LEN];
	struct in6_addr a, b;
	size_t i;

	(void)state;
	assert_int_equal(qnm_check_network(n, NULL), 0);
	assert_false(qnm_net_has_ipv6(n));
	qnm_strlcpy(n->ipv6, "none", sizeof(n->ipv6));
	assert_false(qnm_net_has_ipv6(n));
	assert_int_equal(qnm_check_network(n, NULL), 0);
	qnm_net_ipv6_text(n, buf, sizeof(buf));
	assert_string_equal(buf, "");

	/* auto: fd + the top 40 bits of FNV-1a-64("qnm-ula:" NAME), mixed; subnet 0; stable */
	qnm_strlcpy(n->ipv6, "auto", sizeof(n->ipv6));
	assert_int_equal(qnm_check_network(n, NULL), 0);
	qnm_net_ipv6_text(n, buf, sizeof(buf));
	assert_string_equal(buf, "fd67:d36c:ce5f::/64");
	qnm_net_ipv6_host(n, buf, sizeof(buf));
	assert_string_equal(buf, "fd67:d36c:ce5f::1");
	qnm_ula_from_name("lan", &a);
	qnm_ula_from_name("lan2", &b);
	assert_int_equal(a.s6_addr[0], 0xfd);
	assert_memory_not_equal(&a, &b, sizeof(a));
	assert_int_equal(b.s6_addr[0], 0xfd);
	/* names one letter apart differ from the first byte of the global ID on
	 * (plain FNV-1a had "lab" and "lan" share 24 of the 40 bits) */
	qnm_ula_from_name("lab", &b);
	assert_int_not_equal(a.s6_addr[1], b.s6_addr[1]);
	assert_int_not_equal(a.s6_addr[2], b.s6_addr[2]);

	/* the guest: PREFIX + modified EUI-64 of the MAC (what SLAAC forms) */
	qnm_strlcpy(n->ipv6, "2001:db8:1:2::/64", sizeof(n->ipv6));
	assert_int_equal(qnm_check_network(n, NULL), 0);
	assert_int_equal(qnm_net_ipv6_guest(n, "52:54:00:12:34:56", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8:1:2:5054:ff:fe12:3456");
	assert_int_equal(qnm_net_ipv6_guest(n, "52:54:00:12:34", buf, sizeof(buf)), -EINVAL);

	/* given prefixes: a /64 only, no host bits, a ULA or global unicast one */
	for (i = 0; i < QNM_ARRAY_SIZE(bad); i++) {
		qnm_strlcpy(n->ipv6, bad[i].value, sizeof(n->ipv6));
		expect_net_err(n, "ipv6", bad[i].msg);
	}

	/* where: nat and isolated networks with DHCP (dnsmasq sends the RAs) */
	qnm_strlcpy(n->ipv6, "auto", sizeof(n->ipv6));
	n->mode = QNM_NET_ISOLATED;
	assert_int_equal(qnm_check_network(n, NULL), 0);
	n->dhcp_start[0] = n->dhcp_end[0] = '\0';
	expect_net_err(n, "ipv6", "needs DHCP on the network");
	n->mode = QNM_NET_BRIDGED;
	qnm_strlcpy(n->port, "eth0", sizeof(n->port));
	expect_net_err(n, "ipv6", "only nat and isolated networks");
	qnm_network_free(n);
}

/*
 * Thousands of VMs: the clash checks find MAC and host-port clashes wherever
 * they are (they sort and sweep instead of comparing every pair) and name
 * the pair as the pairwise search always did.
 */
static void test_model_many(void **state)
{
	enum { N = 3000 };
	struct qnm_nic *nic[N];
	struct qnm_fwd f;
	struct qnm_model m;
	size_t i;

	(void)state;
	qnm_model_init(&m);
	for (i = 0; i < N; i++) {
		char name[16];
		struct qnm_vm *vm;

		snprintf(name, sizeof(name), "v%04zu", i);
		vm = qnm_vm_new(name);
		nic[i] = qnm_vm_add_nic(vm);
		snprintf(nic[i]->mac, sizeof(nic[i]->mac), "52:54:00:%02zx:%02zx:01", i >> 8,
			 i & 255);
		f = fwd(QNM_PROTO_TCP, "127.0.0.1", 20000 + (unsigned)i, "", 22);
		qnm_fwd_add(&nic[i]->user.fwd, &nic[i]->user.nfwd, &f);
		qnm_model_add_vm(&m, vm);
	}
	assert_int_equal(qnm_check_model(&m, NULL), 0);
	assert_ptr_equal(qnm_model_find_vm(&m, "v1234"), m.vms[1234]);

	/* a MAC clash between the first and the last VM; a VM's own MAC in capitals is none */
	qnm_strlcpy(nic[N - 1]->mac, "52:54:00:00:00:01", sizeof(nic[0]->mac));
	expect_model_err(&m, "nic[n0].mac", "used by VM 'v0000' NIC 'n0' and VM 'v2999' NIC 'n0'");
	qnm_strlcpy(nic[N - 1]->mac, "52:54:00:0B:B7:01", sizeof(nic[0]->mac));
	assert_int_equal(qnm_check_model(&m, NULL), 0);
	qnm_strlcpy(nic[N - 1]->mac, "52:54:00:0B:B6:01", sizeof(nic[0]->mac)); /* v2998's */
	expect_model_err(&m, "nic[n0].mac", "VM 'v2998' NIC 'n0' and VM 'v2999' NIC 'n0'");
	qnm_strlcpy(nic[N - 1]->mac, "52:54:00:0b:b7:01", sizeof(nic[0]->mac));

	/* a wide range on another address overlaps no one; on any address, the first it meets */
	f = fwd(QNM_PROTO_TCP, "127.0.0.9", 10000, "", 22);
	f.span = 40000;
	qnm_fwd_add(&nic[5]->user.fwd, &nic[5]->user.nfwd, &f);
	assert_int_equal(qnm_check_model(&m, NULL), 0);
	nic[5]->user.fwd[1].host_addr[0] = '\0';
	expect_model_err(
		&m, "hostfwd",
		"tcp/20000 is forwarded by both VM 'v0000' NIC 'n0' and VM 'v0005' NIC 'n0'");
	/* udp beside tcp on the same ports does not clash; udp on udp does */
	nic[5]->user.fwd[1].proto = QNM_PROTO_UDP;
	assert_int_equal(qnm_check_model(&m, NULL), 0);
	nic[N - 1]->user.fwd[0].proto = QNM_PROTO_UDP;
	expect_model_err(
		&m, "hostfwd",
		"udp/22999 is forwarded by both VM 'v0005' NIC 'n0' and VM 'v2999' NIC 'n0'");
	nic[N - 1]->user.fwd[0].proto = QNM_PROTO_TCP;
	/* one port inside a long-lived range further on, past ranges that ended */
	nic[5]->user.fwd[1].proto = QNM_PROTO_TCP;
	qnm_strlcpy(nic[5]->user.fwd[1].host_addr, "127.0.0.9", sizeof(f.host_addr));
	nic[2000]->user.fwd[0].host_port = 49000;
	qnm_strlcpy(nic[2000]->user.fwd[0].host_addr, "127.0.0.9", sizeof(f.host_addr));
	expect_model_err(
		&m, "hostfwd",
		"tcp/49000 is forwarded by both VM 'v0005' NIC 'n0' and VM 'v2000' NIC 'n0'");
	qnm_model_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ifnames),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_mac_values),
		cmocka_unit_test(test_fwd_rules),
		cmocka_unit_test(test_fwd_parse_format),
		cmocka_unit_test(test_fwd_ranges),
		cmocka_unit_test(test_fwd_targets),
		cmocka_unit_test(test_nic_common),
		cmocka_unit_test(test_nic_user),
		cmocka_unit_test(test_nic_tap_bridge),
		cmocka_unit_test(test_vm),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_ipv6_net),
		cmocka_unit_test(test_net_ipv6),
		cmocka_unit_test(test_model_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
