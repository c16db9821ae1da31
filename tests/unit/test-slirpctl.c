// SPDX-License-Identifier: GPL-2.0-or-later
/* test-slirpctl.c - the slirp helper's control protocol: requests, replies, helper argv. */
#include "build-config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "guest/cmdline.h"
#include "guest/slirp-helper.h"
#include "guest/slirpctl.h"

static void parse_ok(const char *line, enum qnm_slirpctl_op op, struct qnm_slirpctl_req *req)
{
	struct qnm_err err = { 0 };

	if (qnm_slirpctl_parse(line, req, &err) != 0)
		fail_msg("'%s' rejected: %s", line, err.msg);
	assert_int_equal(req->op, op);
}

static void parse_bad(const char *line, const char *needle)
{
	struct qnm_slirpctl_req req;
	struct qnm_err err = { 0 };

	assert_int_equal(qnm_slirpctl_parse(line, &req, &err), -EINVAL);
	if (!strstr(err.msg, needle))
		fail_msg("'%s': message '%s' lacks '%s'", line, err.msg, needle);
}

static void test_simple_requests(void **state)
{
	struct qnm_slirpctl_req r;

	parse_ok("stats", QNM_SLIRPCTL_STATS, &r);
	parse_ok("  stats\t", QNM_SLIRPCTL_STATS, &r);
	parse_ok("info", QNM_SLIRPCTL_INFO, &r);
	parse_ok("conns", QNM_SLIRPCTL_CONNS, &r);
	parse_ok("hostfwd-list", QNM_SLIRPCTL_HOSTFWD_LIST, &r);
}

static void test_hostfwd_add(void **state)
{
	struct qnm_slirpctl_req r;

	parse_ok("hostfwd-add tcp:127.0.0.1:2222-:22", QNM_SLIRPCTL_HOSTFWD_ADD, &r);
	assert_int_equal(r.fwd.proto, QNM_PROTO_TCP);
	assert_string_equal(r.fwd.host_addr, "127.0.0.1");
	assert_int_equal(r.fwd.host_port, 2222);
	assert_string_equal(r.fwd.guest_addr, "");
	assert_int_equal(r.fwd.guest_port, 22);

	parse_ok("hostfwd-add udp::5353-10.0.2.15:53", QNM_SLIRPCTL_HOSTFWD_ADD, &r);
	assert_int_equal(r.fwd.proto, QNM_PROTO_UDP);
	assert_string_equal(r.fwd.host_addr, "");
	assert_int_equal(r.fwd.host_port, 5353);
	assert_string_equal(r.fwd.guest_addr, "10.0.2.15");
	assert_int_equal(r.fwd.guest_port, 53);
}

static void test_hostfwd_remove(void **state)
{
	struct qnm_slirpctl_req r;

	parse_ok("hostfwd-remove tcp:127.0.0.1:2222", QNM_SLIRPCTL_HOSTFWD_REMOVE, &r);
	assert_int_equal(r.fwd.host_port, 2222);
	assert_string_equal(r.fwd.host_addr, "127.0.0.1");
	assert_int_equal(r.fwd.guest_port, 0);
	parse_ok("hostfwd-remove udp::53", QNM_SLIRPCTL_HOSTFWD_REMOVE, &r);
	assert_int_equal(r.fwd.proto, QNM_PROTO_UDP);
	assert_int_equal(r.fwd.host_port, 53);
	/* the full form is accepted too */
	parse_ok("hostfwd-remove tcp::8080-:80", QNM_SLIRPCTL_HOSTFWD_REMOVE, &r);
	assert_int_equal(r.fwd.host_port, 8080);
	assert_int_equal(r.fwd.guest_port, 80);
}

static void test_bad_requests(void **state)
{
	parse_bad("", "empty request");
	parse_bad("   ", "empty request");
	parse_bad("stat", "unknown request 'stat'");
	parse_bad("STATS", "unknown request");
	parse_bad("averyveryveryverylongwordthatisnotarequest", "unknown request");
	parse_bad("stats now", "unexpected extra argument");
	parse_bad("hostfwd-add", "needs a forward");
	parse_bad("hostfwd-add tcp:127.0.0.1:2222-:22 extra", "unexpected extra argument");
	parse_bad("hostfwd-add tcp:127.0.0.1:99999-:22", "port");
	parse_bad("hostfwd-add sctp::1-:2", "protocol 'sctp'");
	parse_bad("hostfwd-add tcp:1.2.3:22-:22", "not an IPv4 address");
	parse_bad("hostfwd-add tcp::2222", "must look like");
	parse_bad("hostfwd-remove", "needs a forward");
	parse_bad("hostfwd-remove tcp::0", "must look like");
	parse_bad("hostfwd-remove tcp:x:22", "must look like");
}

static void test_long_argument(void **state)
{
	char line[QNM_SLIRPCTL_LINE_MAX * 2];

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "hostfwd-add ", 12);
	parse_bad(line, "too long");
	memcpy(line, "hostfwd-rem ", 12);
	parse_bad(line, "unknown request");
}

static void test_format_roundtrip(void **state)
{
	const char *const lines[] = {
		"stats",
		"info",
		"conns",
		"hostfwd-list",
		"hostfwd-add tcp:127.0.0.1:2222-:22",
		"hostfwd-add udp::5353-10.0.2.15:53",
		"hostfwd-remove tcp:127.0.0.1:2222",
		"hostfwd-remove udp::5353",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct qnm_slirpctl_req r;
		struct qnm_err err = { 0 };
		char *s;

		assert_int_equal(qnm_slirpctl_parse(lines[i], &r, &err), 0);
		s = qnm_slirpctl_format(&r);
		assert_string_equal(s, lines[i]);
		free(s);
	}
}

static void test_stats_json(void **state)
{
	struct qnm_slirp_stats in = {
		.rx_bytes = 5000000000ull, /* beyond 32 bits */
		.rx_packets = 7,
		.tx_bytes = 1234,
		.tx_packets = 8,
		.rx_dropped = 2,
		.connected = true,
		.connections = 1,
	}, out;
	struct qnm_err err = { 0 };
	struct json_object *o = qnm_slirp_stats_to_json(&in), *back, *ok;
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	assert_null(strchr(text, '\n')); /* one reply = one line */
	back = json_tokener_parse(text);
	assert_non_null(back);
	assert_true(json_object_object_get_ex(back, "ok", &ok) && json_object_get_boolean(ok));
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(qnm_slirp_stats_from_json(back, &out, &err), 0);
	assert_true(out.rx_bytes == in.rx_bytes);
	assert_int_equal(out.rx_packets, 7);
	assert_int_equal(out.tx_bytes, 1234);
	assert_int_equal(out.tx_packets, 8);
	assert_int_equal(out.rx_dropped, 2);
	assert_true(out.connected);
	assert_int_equal(out.connections, 1);
	json_object_put(back);

	/* a member missing: named in the error */
	json_object_object_del(o, "tx_packets");
	assert_int_equal(qnm_slirp_stats_from_json(o, &out, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "tx_packets"));
	json_object_put(o);
}

static void test_reply_error_is_one_line(void **state)
{
	struct json_object *o = qnm_slirpctl_reply_error("line one\nline two \"quoted\"");
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct json_object *back = json_tokener_parse(text), *v;

	assert_null(strchr(text, '\n'));
	assert_true(json_object_object_get_ex(back, "ok", &v) && !json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(back, "error", &v));
	assert_string_equal(json_object_get_string(v), "line one\nline two \"quoted\"");
	json_object_put(back);
	json_object_put(o);
}

static void test_helper_argv(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("web");
	struct qnm_nic *nic = qnm_vm_add_nic(vm);
	struct qnm_cmdline_opts o = { .rundir = "/run/qnm/web" };
	struct qnm_fwd f;
	struct qnm_err err = { 0 };
	struct qnm_strv argv;
	char *sock, *joined;

	nic->backend = QNM_BACKEND_SLIRP;
	qnm_strlcpy(nic->user.net, "10.9.0.0/24", sizeof(nic->user.net));
	nic->user.restrict_ = true;
	nic->user.ipv6 = false;
	assert_int_equal(qnm_fwd_parse("tcp:127.0.0.1:2222-:22", &f, "f", &err), 0);
	qnm_fwd_add(&nic->user.fwd, &nic->user.nfwd, &f);

	qnm_strv_init(&argv);
	qnm_slirp_helper_argv("qnm", vm, nic, "/run/qnm/web", 3, &argv);
	joined = qnm_argv_to_shell(argv.v);
	assert_string_equal(joined,
			    "qnm slirp-helper --socket /run/qnm/web/slirp-n0.sock"
			    " --control /run/qnm/web/slirp-n0.ctl --id n0 --connect-timeout 60"
			    " --ready-fd 3 --net 10.9.0.0/24 --restrict --ipv6 off"
			    " --hostfwd tcp:127.0.0.1:2222-:22");
	/* the socket is exactly where the QEMU command line points */
	sock = qnm_slirp_socket_path(vm, nic, &o);
	assert_string_equal(argv.v[3], sock);
	free(sock);
	free(joined);
	qnm_strv_free(&argv);

	sock = qnm_slirp_control_path("/r", nic);
	assert_string_equal(sock, "/r/slirp-n0.ctl");
	free(sock);
	qnm_vm_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_requests),
		cmocka_unit_test(test_hostfwd_add),
		cmocka_unit_test(test_hostfwd_remove),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_long_argument),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_reply_error_is_one_line),
		cmocka_unit_test(test_helper_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
