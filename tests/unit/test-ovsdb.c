// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-ovsdb.c - the OVSDB client (src/host/ovsdb.c) against a real
 * ovsdb-server with Open vSwitch's own schema, in a temporary directory:
 * unix: and tcp: remotes, insert with named uuids, update, mutate, wait,
 * select, delete, a failing transaction's message, bad remotes, an answer
 * that never comes (a listener that says nothing), a server that is gone.
 * Skips (77) without ovsdb-server (Debian package openvswitch-switch).
 * Prints the mean connect + transact time over 200 rounds (the figure in
 * the commit that chose JSON-RPC over the IDL).
 */
#include "build-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "host/ovsdb.h"

#define SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

static char dir[] = "/tmp/qnm-ovsdb-XXXXXX";
static char sock[256], tcp[64];
static pid_t server;

static int run(const char *const argv[])
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return waitpid(p, &st, 0) == p && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t l = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || getsockname(fd, (void *)&sin, &l))
		return -1;
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int setup(void **state)
{
	char db[300], ptcp[64], unixr[300];
	int i, port;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/conf.db", dir);
	snprintf(sock, sizeof(sock), "%s/db.sock", dir);
	const char *create[] = { "ovsdb-tool", "create", db, SCHEMA, NULL };
	if (run(create))
		return -1;
	port = free_port();
	snprintf(ptcp, sizeof(ptcp), "--remote=ptcp:%d:127.0.0.1", port);
	snprintf(tcp, sizeof(tcp), "tcp:127.0.0.1:%d", port);
	snprintf(unixr, sizeof(unixr), "--remote=punix:%s", sock);
	server = fork();
	if (server == 0) {
		char ctl[300];

		snprintf(ctl, sizeof(ctl), "--unixctl=%s/ctl", dir);
		const char *argv[] = { "ovsdb-server",	db,  unixr, ptcp, "--no-chdir",
				       "-vconsole:off", ctl, NULL };
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 200 && access(sock, F_OK); i++)
		usleep(10000);
	usleep(50000); /* the tcp listener too */
	return access(sock, F_OK);
}

static int teardown(void **state)
{
	char cmd[400];

	(void)state;
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* the Bridge rows' names, sorted by the server as it likes, joined by ' ' */
static void bridge_names(struct qnm_ovsdb *db, char *out, size_t size)
{
	json_object *rows = NULL, *v;
	struct qnm_err err = { 0 };
	size_t i;

	out[0] = 0;
	assert_int_equal(qnm_ovsdb_select1(db, "Open_vSwitch", "Bridge", NULL, &rows, &err), 0);
	for (i = 0; i < json_object_array_length(rows); i++) {
		json_object_object_get_ex(json_object_array_get_idx(rows, i), "name", &v);
		snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? " " : "",
			 json_object_get_string(v));
	}
	json_object_put(rows);
}

static void test_transact_unix(void **state)
{
	struct qnm_err err = { 0 };
	struct qnm_ovsdb *db = NULL;
	json_object *ops, *row, *res = NULL, *rows = NULL, *v;
	char remote[300], names[256], uuid[64];

	(void)state;
	snprintf(remote, sizeof(remote), "unix:%s", sock);
	assert_int_equal(qnm_ovsdb_connect(remote, 2000, &db, &err), 0);
	/* the root row, then a bridge, a port and an interface by named uuids */
	ops = json_object_new_array();
	json_object_array_add(ops,
			      qnm_ovsdb_op_insert("Open_vSwitch", json_object_new_object(), NULL));
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), 0);

	ops = json_object_new_array();
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string("tap0"));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1("iface-id", "vm/n0"));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Interface", row, "i0"));
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string("tap0"));
	json_object_object_add(row, "interfaces", qnm_ovsdb_named("i0"));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Port", row, "p0"));
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string("br-int"));
	json_object_object_add(row, "ports", qnm_ovsdb_named("p0"));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Bridge", row, "b0"));
	json_object_array_add(ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "bridges", "insert",
						       qnm_ovsdb_named("b0")));
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, &res, &err), 0);
	assert_non_null(qnm_ovsdb_result_uuid(res, 2));
	snprintf(uuid, sizeof(uuid), "%s", qnm_ovsdb_result_uuid(res, 2));
	json_object_put(res);
	bridge_names(db, names, sizeof(names));
	assert_string_equal(names, "br-int");

	/* update by uuid, then read the map back */
	ops = json_object_new_array();
	row = json_object_new_object();
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1("owner", "qnm"));
	json_object_array_add(ops, qnm_ovsdb_op_update("Bridge", qnm_ovsdb_where_uuid(uuid), row));
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), 0);
	assert_int_equal(
		qnm_ovsdb_select1(db, "Open_vSwitch", "Bridge",
				  qnm_ovsdb_where("name", "==", json_object_new_string("br-int")),
				  &rows, &err),
		0);
	assert_int_equal(json_object_array_length(rows), 1);
	json_object_object_get_ex(json_object_array_get_idx(rows, 0), "external_ids", &v);
	assert_string_equal(qnm_ovsdb_map_get(v, "owner"), "qnm");
	assert_null(qnm_ovsdb_map_get(v, "nothing"));
	assert_string_equal(qnm_ovsdb_row_uuid(json_object_array_get_idx(rows, 0)), uuid);
	json_object_put(rows);

	/* a wait that holds passes; one that does not fails with the server's words */
	ops = json_object_new_array();
	rows = json_object_new_array();
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string("br-int"));
	json_object_array_add(rows, row);
	v = json_object_new_array();
	json_object_array_add(v, json_object_new_string("name"));
	json_object_array_add(
		ops, qnm_ovsdb_op_wait("Bridge", qnm_ovsdb_where_uuid(uuid), v, "==", rows, 0));
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), 0);
	ops = json_object_new_array();
	rows = json_object_new_array();
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string("br-other"));
	json_object_array_add(rows, row);
	v = json_object_new_array();
	json_object_array_add(v, json_object_new_string("name"));
	json_object_array_add(
		ops, qnm_ovsdb_op_wait("Bridge", qnm_ovsdb_where_uuid(uuid), v, "==", rows, 0));
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), -EIO);
	assert_non_null(strstr(err.msg, "timed out"));

	/* a constraint the server enforces: its error reaches the message */
	ops = json_object_new_array();
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string("br-int"));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Bridge", row, NULL));
	json_object_array_add(ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "bridges", "insert",
						       qnm_ovsdb_set(json_object_new_array())));
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string("br-int"));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Bridge", row, "dup"));
	json_object_array_add(ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "bridges", "insert",
						       qnm_ovsdb_named("dup")));
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), -EIO);
	assert_non_null(strstr(err.msg, "constraint violation"));

	/* delete: the port off the bridge, then the bridge off the root */
	ops = json_object_new_array();
	json_object_array_add(ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "bridges", "delete",
						       qnm_ovsdb_uuid(uuid)));
	json_object_array_add(ops, qnm_ovsdb_op_delete("Bridge", qnm_ovsdb_where_uuid(uuid)));
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), 0);
	bridge_names(db, names, sizeof(names));
	assert_string_equal(names, "");
	qnm_ovsdb_close(db);
}

static void test_tcp_and_timing(void **state)
{
	struct qnm_err err = { 0 };
	struct qnm_ovsdb *db = NULL;
	struct timespec a, b;
	json_object *ops;
	int i;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 200; i++) {
		assert_int_equal(qnm_ovsdb_connect(tcp, 2000, &db, &err), 0);
		ops = json_object_new_array();
		json_object_array_add(ops, qnm_ovsdb_op_select("Bridge", NULL));
		assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), 0);
		qnm_ovsdb_close(db);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("# connect + transact over %s: %.3f ms each (200 rounds)\n", tcp,
	       ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / 200);
	/* an unknown database is the server's error, not a hang */
	assert_int_equal(qnm_ovsdb_connect(tcp, 2000, &db, &err), 0);
	ops = json_object_new_array();
	json_object_array_add(ops, qnm_ovsdb_op_select("Bridge", NULL));
	assert_int_equal(qnm_ovsdb_transact(db, "OVN_Northbound", ops, NULL, &err), -EIO);
	assert_non_null(strstr(err.msg, "unknown database"));
	qnm_ovsdb_close(db);
}

static void test_bad_remotes(void **state)
{
	static const char *const bad[] = { "",
					   "tcp:1.2.3.4",
					   "tcp:1.2.3.4:0",
					   "tcp:host:6641",
					   "tcp:1.2.3.4:70000",
					   "relative/db.sock",
					   "ssl:1.2.3.4:6641",
					   "unix:db.sock" };
	struct qnm_err err = { 0 };
	struct qnm_ovsdb *db = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(qnm_ovsdb_remote_check(bad[i], "ovn-nb", &err), -EINVAL);
		assert_string_equal(err.field, "ovn-nb");
		assert_non_null(strstr(err.msg, "ovn-nb:"));
	}
	assert_int_equal(qnm_ovsdb_remote_check("unix:/run/ovn/ovnnb_db.sock", "f", &err), 0);
	assert_int_equal(qnm_ovsdb_remote_check("/run/openvswitch/db.sock", "f", &err), 0);
	assert_int_equal(qnm_ovsdb_remote_check("tcp:10.0.0.1:6641", "f", &err), 0);
	/* nobody there */
	assert_int_equal(qnm_ovsdb_connect("unix:/nonexistent/db.sock", 500, &db, &err), -ENOENT);
	assert_null(db);
	assert_non_null(strstr(err.msg, "cannot connect"));
}

/* a listener that accepts and never answers: the request ends at its bound */
static void test_timeout(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct qnm_err err = { 0 };
	struct qnm_ovsdb *db = NULL;
	socklen_t l = sizeof(sin);
	char remote[64];
	json_object *ops;
	struct timespec a, b;
	double ms;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 1), 0);
	getsockname(fd, (void *)&sin, &l);
	snprintf(remote, sizeof(remote), "tcp:127.0.0.1:%d", ntohs(sin.sin_port));
	assert_int_equal(qnm_ovsdb_connect(remote, 300, &db, &err), 0);
	ops = json_object_new_array();
	json_object_array_add(ops, qnm_ovsdb_op_select("Bridge", NULL));
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(qnm_ovsdb_transact(db, "Open_vSwitch", ops, NULL, &err), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	assert_true(ms >= 250 && ms < 2000);
	qnm_ovsdb_close(db);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transact_unix),
		cmocka_unit_test(test_tcp_and_timing),
		cmocka_unit_test(test_bad_remotes),
		cmocka_unit_test(test_timeout),
	};

	if (access(SCHEMA, R_OK) || system("command -v ovsdb-server >/dev/null 2>&1")) {
		printf("SKIP: needs ovsdb-server and %s (Debian package openvswitch-switch)\n",
		       SCHEMA);
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
