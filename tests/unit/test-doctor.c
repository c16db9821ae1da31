// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-doctor.c - the pure parts of doctor and port ownership: the
 * bridge.conf parser and its allow/deny decision (like qemu-bridge-helper),
 * the inet_diag reply parser (netlink messages built here byte by byte), the
 * bind-conflict rule, "-netdev help" parsing, file capability decoding, and
 * the check table itself.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/bridgeconf.h"
#include "watch/doctor.h"
#include "watch/portowner.h"

/* ---- bridge.conf ---- */

static int parse(struct qnm_bridge_acl *acl, const char *text, struct qnm_err *err)
{
	qnm_bridge_acl_init(acl);
	acl->follow_includes = false;
	qnm_err_clear(err);
	return qnm_bridge_acl_parse(acl, "bridge.conf", text, strlen(text), 0, err);
}

static void test_acl_basic(void **state)
{
	struct qnm_bridge_acl acl;
	struct qnm_err err;
	char why[256];

	assert_int_equal(parse(&acl,
			       "# comment\n"
			       "\n"
			       "   \t\n"
			       "allow br0\n"
			       "  allow\tbr1\n" /* tab separator when there is no space */
			       "deny br2\n"
			       "allow br2\n",
			       &err),
			 0);
	assert_int_equal(acl.n, 4);
	assert_int_equal(acl.rules[0].type, QNM_ACL_ALLOW);
	assert_string_equal(acl.rules[0].iface, "br0");
	assert_int_equal(acl.rules[0].line, 4);
	assert_string_equal(acl.rules[1].iface, "br1");
	assert_int_equal(acl.rules[1].line, 5);
	assert_true(qnm_bridge_acl_allows(&acl, "br0", why, sizeof(why)));
	assert_string_equal(why, "bridge.conf:4: 'allow br0'");
	assert_true(qnm_bridge_acl_allows(&acl, "br1", NULL, 0));
	/* deny wins over allow, whatever the order */
	assert_false(qnm_bridge_acl_allows(&acl, "br2", why, sizeof(why)));
	assert_string_equal(why, "bridge.conf:6: 'deny br2' refuses it (deny wins over allow)");
	assert_false(qnm_bridge_acl_allows(&acl, "br3", why, sizeof(why)));
	assert_string_equal(why, "no 'allow br3' or 'allow all' line");
	qnm_bridge_acl_clear(&acl);
}

static void test_acl_all(void **state)
{
	struct qnm_bridge_acl acl;
	struct qnm_err err;
	char why[256];

	assert_int_equal(parse(&acl, "allow all\ndeny virbr0", &err), 0); /* no final newline */
	assert_int_equal(acl.rules[0].type, QNM_ACL_ALLOW_ALL);
	assert_int_equal(acl.rules[1].type, QNM_ACL_DENY);
	assert_true(qnm_bridge_acl_allows(&acl, "anything", why, sizeof(why)));
	assert_string_equal(why, "bridge.conf:1: 'allow all'");
	assert_false(qnm_bridge_acl_allows(&acl, "virbr0", NULL, 0));
	qnm_bridge_acl_clear(&acl);

	assert_int_equal(parse(&acl, "allow br0\ndeny all\n", &err), 0);
	assert_false(qnm_bridge_acl_allows(&acl, "br0", why, sizeof(why)));
	assert_string_equal(why, "bridge.conf:2: 'deny all' refuses it (deny wins over allow)");
	qnm_bridge_acl_clear(&acl);

	/* the helper compares at most IFNAMSIZ-1 bytes of the rule */
	assert_int_equal(parse(&acl, "allow abcdefghijklmnopqrst\n", &err), 0);
	assert_string_equal(acl.rules[0].iface, "abcdefghijklmno");
	assert_true(qnm_bridge_acl_allows(&acl, "abcdefghijklmno", NULL, 0));
	qnm_bridge_acl_clear(&acl);
}

static void test_acl_errors(void **state)
{
	struct qnm_bridge_acl acl;
	struct qnm_err err;
	char why[256];

	assert_int_equal(parse(&acl, "allow br0\n\n  allw br1\nallow br2\n", &err), -EINVAL);
	assert_string_equal(err.msg, "bridge.conf:3: unknown command 'allw' (the bridge helper "
				     "knows allow, deny and include, and stops at this line)");
	assert_int_equal(acl.n, 1); /* rules before the bad line are kept, none after */
	assert_int_equal(acl.problems.n, 1);
	assert_string_equal(acl.problems.v[0], err.msg);
	qnm_bridge_acl_clear(&acl);

	assert_int_equal(parse(&acl, "allow\n", &err), -EINVAL);
	assert_string_equal(err.msg, "bridge.conf:1: 'allow' has no argument (write e.g. 'allow "
				     "br0'); the bridge helper stops at this line");
	qnm_bridge_acl_clear(&acl);

	/* commands are case sensitive in the helper */
	assert_int_equal(parse(&acl, "ALLOW br0\n", &err), -EINVAL);
	qnm_bridge_acl_clear(&acl);

	/* a space anywhere is taken before a tab: "allow\tbr0 x" is command "allow\tbr0",
	 * and so is "allow\tbr0 " with a trailing blank (the helper's own quirk) */
	assert_int_equal(parse(&acl, "allow\tbr0 x\n", &err), -EINVAL);
	qnm_bridge_acl_clear(&acl);
	assert_int_equal(parse(&acl, "allow\tbr0 \n", &err), -EINVAL);
	assert_string_equal(err.msg, "bridge.conf:1: unknown command 'allow\\tbr0': the line has "
				     "a tab and then a space, and the bridge helper splits at the "
				     "space; separate command and argument with one space (the "
				     "helper stops at this line)");
	qnm_bridge_acl_clear(&acl);
	/* trailing blanks after a space-separated argument are trimmed */
	assert_int_equal(parse(&acl, "allow   br0 \t \n", &err), 0);
	assert_string_equal(acl.rules[0].iface, "br0");
	qnm_bridge_acl_clear(&acl);

	assert_int_equal(parse(&acl, "allow br0\nallow b\0r1\n", &err), 0); /* strlen stops */
	qnm_bridge_acl_clear(&acl);
	qnm_bridge_acl_init(&acl);
	assert_int_equal(qnm_bridge_acl_parse(&acl, "f", "allow b\0r\n", 10, 0, &err), -EINVAL);
	assert_string_equal(err.msg, "f:1: contains a NUL byte");
	qnm_bridge_acl_clear(&acl);

	/* a main file that failed refuses everything */
	qnm_bridge_acl_init(&acl);
	assert_int_equal(qnm_bridge_acl_load(&acl, "/nonexistent/bridge.conf", &err), -ENOENT);
	assert_true(acl.main_failed);
	assert_string_equal(err.msg, "/nonexistent/bridge.conf: cannot be read: No such file or "
				     "directory");
	assert_false(qnm_bridge_acl_allows(&acl, "br0", why, sizeof(why)));
	qnm_bridge_acl_clear(&acl);
}

static void test_acl_include(void **state)
{
	char dir[] = "/tmp/qnm-test-doctor.XXXXXX", main_path[128], inc[128], self[128];
	struct qnm_bridge_acl acl;
	struct qnm_err err;
	char why[256];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(main_path, sizeof(main_path), "%s/bridge.conf", dir);
	snprintf(inc, sizeof(inc), "%s/inc.conf", dir);
	snprintf(self, sizeof(self), "%s/self.conf", dir);
	f = fopen(inc, "w");
	fprintf(f, "allow br1\nbogus line\nallow br9\n");
	fclose(f);
	f = fopen(self, "w");
	fprintf(f, "include %s\n", self); /* a loop */
	fclose(f);
	f = fopen(main_path, "w");
	fprintf(f, "allow br0\ninclude %s\ninclude %s/missing\ninclude %s\n", inc, dir, self);
	fclose(f);

	qnm_bridge_acl_init(&acl);
	assert_int_equal(qnm_bridge_acl_load(&acl, main_path, &err), 0);
	assert_false(acl.main_failed);
	/* the include's rules before its bad line count; the bad line does not fail the main file
	 */
	assert_true(qnm_bridge_acl_allows(&acl, "br1", why, sizeof(why)));
	assert_non_null(strstr(why, "inc.conf:1: 'allow br1'"));
	assert_false(qnm_bridge_acl_allows(&acl, "br9", NULL, 0));
	assert_true(qnm_bridge_acl_allows(&acl, "br0", NULL, 0));
	/* problems: the bad include line, the missing file, the loop cut at the depth limit */
	assert_int_equal(acl.problems.n, 3);
	assert_non_null(strstr(acl.problems.v[0], "inc.conf:2: unknown command 'bogus'"));
	assert_non_null(strstr(acl.problems.v[1], "missing: cannot be read"));
	assert_non_null(strstr(acl.problems.v[2], "nested more than 8 deep"));
	qnm_bridge_acl_clear(&acl);

	unlink(inc);
	unlink(self);
	unlink(main_path);
	rmdir(dir);
}

static void test_conf_path(void **state)
{
	unsetenv("QNM_BRIDGE_CONF");
	assert_string_equal(qnm_bridge_conf_path(), "/etc/qemu/bridge.conf");
	setenv("QNM_BRIDGE_CONF", "/tmp/x.conf", 1);
	assert_string_equal(qnm_bridge_conf_path(), "/tmp/x.conf");
	unsetenv("QNM_BRIDGE_CONF");
}

/* ---- sock_diag replies ---- */

static void put_diag(char *buf, size_t *off, int family, const char *addr, uint16_t port,
		     uint8_t state, uint32_t inode, int v6only)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);
	struct inet_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = (uint8_t)family;
	m->idiag_state = state;
	m->id.idiag_sport = htons(port);
	m->idiag_uid = 1000;
	m->idiag_inode = inode;
	assert_int_equal(inet_pton(family, addr, m->id.idiag_src), 1);
	if (v6only >= 0)
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, (uint8_t)v6only);
	*off += nlh->nlmsg_len;
}

static void put_done(char *buf, size_t *off)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*off += nlh->nlmsg_len;
}

static void test_sockdiag_parse(void **state)
{
	char *buf = calloc(1, 8192);
	struct qnm_sock_list l = { 0 };
	size_t off = 0;

	put_diag(buf, &off, AF_INET, "127.0.0.1", 8080, 10, 111, -1);
	put_diag(buf, &off, AF_INET6, "::", 8443, 10, 222, 0);
	put_diag(buf, &off, AF_INET, "10.0.0.1", 40000, 1, 333, -1); /* established: skipped */
	put_diag(buf, &off, AF_INET6, "::1", 9000, 10, 444, 1);
	assert_int_equal(qnm_sockdiag_parse(buf, off, QNM_PROTO_TCP, &l), 0); /* more to come */
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].addr, "127.0.0.1");
	assert_int_equal(l.v[0].port, 8080);
	assert_int_equal(l.v[0].inode, 111);
	assert_int_equal(l.v[0].uid, 1000);
	assert_int_equal(l.v[0].proto, QNM_PROTO_TCP);
	assert_string_equal(l.v[1].addr, "::");
	assert_false(l.v[1].v6only);
	assert_true(l.v[2].v6only);
	assert_int_equal(l.v[2].inode, 444);

	/* UDP: every state counts; then the end of the dump */
	off = 0;
	put_diag(buf, &off, AF_INET, "0.0.0.0", 5353, 7, 555, -1);
	put_diag(buf, &off, AF_INET, "10.0.0.1", 5000, 1, 666, -1);
	put_done(buf, &off);
	assert_int_equal(qnm_sockdiag_parse(buf, off, QNM_PROTO_UDP, &l), 1);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[3].proto, QNM_PROTO_UDP);
	assert_int_equal(l.v[4].port, 5000);

	/* a message too short for inet_diag_msg is skipped */
	off = 0;
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		mnl_nlmsg_put_extra_header(nlh, 8);
		off = nlh->nlmsg_len;
	}
	put_done(buf, &off);
	assert_int_equal(qnm_sockdiag_parse(buf, off, QNM_PROTO_TCP, &l), 1);
	assert_int_equal(l.n, 5);

	/* an error reply */
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct nlmsgerr *e;

		nlh->nlmsg_type = NLMSG_ERROR;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = -EPERM;
		assert_int_equal(qnm_sockdiag_parse(buf, nlh->nlmsg_len, QNM_PROTO_TCP, &l),
				 -EPERM);
	}
	/* a truncated buffer: nothing is read past it */
	off = 0;
	put_diag(buf, &off, AF_INET, "127.0.0.1", 1, 10, 1, -1);
	assert_true(qnm_sockdiag_parse(buf, off - 4, QNM_PROTO_TCP, &l) <= 0);
	qnm_sock_list_clear(&l);
	assert_int_equal(l.n, 0);
	free(buf);
}

static void test_conflicts(void **state)
{
	struct qnm_sock s = { .proto = QNM_PROTO_TCP, .family = AF_INET, .port = 80 };

	strcpy(s.addr, "127.0.0.1");
	assert_true(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "", 80));
	assert_true(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "127.0.0.1", 80));
	assert_false(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "127.0.0.2", 80));
	assert_false(qnm_sock_conflicts(&s, QNM_PROTO_UDP, "", 80));
	assert_false(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "", 81));
	strcpy(s.addr, "0.0.0.0");
	assert_true(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "10.1.1.1", 80));
	s.family = AF_INET6;
	strcpy(s.addr, "::");
	assert_true(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "10.1.1.1", 80));
	s.v6only = true;
	assert_false(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "", 80));
	s.v6only = false;
	strcpy(s.addr, "::1");
	assert_false(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "", 80));
	strcpy(s.addr, "::ffff:127.0.0.1");
	assert_true(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "127.0.0.1", 80));
	assert_false(qnm_sock_conflicts(&s, QNM_PROTO_TCP, "127.0.0.2", 80));
}

static void test_holder_text(void **state)
{
	struct qnm_port_holder h = { 0 };
	char buf[160];

	qnm_port_holder_text(&h, buf, sizeof(buf));
	assert_string_equal(buf, "");
	h.found = true;
	h.sock.uid = 1000;
	qnm_port_holder_text(&h, buf, sizeof(buf));
	assert_string_equal(buf,
			    "a process of uid 1000 that qnm cannot see (run as root to name it)");
	h.pid = 1234;
	strcpy(h.comm, "nginx");
	h.nprocs = 3;
	qnm_port_holder_text(&h, buf, sizeof(buf));
	assert_string_equal(buf, "nginx (pid 1234, and 2 more)");
	h.nprocs = 1;
	qnm_port_holder_text(&h, buf, sizeof(buf));
	assert_string_equal(buf, "nginx (pid 1234)");
}

/* ---- doctor helpers ---- */

static void test_netdev_help(void **state)
{
	const char *text = "Available netdev backend types:\nsocket\nstream\r\ntap\nuser\n"
			   "vhost-user\nbridge";

	assert_true(qnm_doc_netdev_has(text, "user"));
	assert_true(qnm_doc_netdev_has(text, "stream"));
	assert_true(qnm_doc_netdev_has(text, "bridge"));
	assert_true(qnm_doc_netdev_has(text, "vhost-user"));
	assert_false(qnm_doc_netdev_has(text, "vde"));
	assert_false(qnm_doc_netdev_has("socket\nvhost-user\n", "user"));
	assert_false(qnm_doc_netdev_has("", "user"));
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void test_fcaps(void **state)
{
	unsigned char v[24] = { 0 };

	put_le32(v, VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE);
	put_le32(v + 4, 1u << CAP_NET_ADMIN);
	assert_true(qnm_fcaps_net_admin(v, 20));
	put_le32(v, VFS_CAP_REVISION_3 | VFS_CAP_FLAGS_EFFECTIVE);
	assert_true(qnm_fcaps_net_admin(v, 24));
	put_le32(v, VFS_CAP_REVISION_2); /* permitted but not effective (+p only) */
	assert_false(qnm_fcaps_net_admin(v, 20));
	put_le32(v, VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE);
	put_le32(v + 4, 1u << CAP_NET_RAW);
	assert_false(qnm_fcaps_net_admin(v, 20));
	put_le32(v, 0x07000000 | VFS_CAP_FLAGS_EFFECTIVE); /* unknown revision */
	put_le32(v + 4, 1u << CAP_NET_ADMIN);
	assert_false(qnm_fcaps_net_admin(v, 20));
	assert_false(qnm_fcaps_net_admin(v, 4));
}

static void test_table(void **state)
{
	const struct qnm_doc_check *t;
	size_t n, i, j;

	t = qnm_doctor_checks(&n);
	assert_int_equal(n, 22); /* 17 own (guest_leftovers the last) + 5 of the backends */
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].run);
		assert_true(strlen(t[i].id) > 0 && strlen(t[i].title) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(t[i].id, t[j].id);
	}
	assert_string_equal(qnm_doc_status_name(QNM_DOC_FAIL), "fail");
	assert_string_equal(qnm_doc_status_name(QNM_DOC_SKIP), "skip");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_basic),   cmocka_unit_test(test_acl_all),
		cmocka_unit_test(test_acl_errors),  cmocka_unit_test(test_acl_include),
		cmocka_unit_test(test_conf_path),   cmocka_unit_test(test_sockdiag_parse),
		cmocka_unit_test(test_conflicts),   cmocka_unit_test(test_holder_text),
		cmocka_unit_test(test_netdev_help), cmocka_unit_test(test_fcaps),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
