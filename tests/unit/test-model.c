// SPDX-License-Identifier: GPL-2.0-or-later
/* test-model.c - model lifecycle (copies, equality, sorted lists) and util helpers. */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model.h"
#include "core/progs.h"
#include "core/util.h"

static void test_copy_equal(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("a"), *c;
	struct qnm_nic *n;
	struct qnm_fwd f = { .proto = QNM_PROTO_UDP, .host_port = 53, .guest_port = 53 };

	vm->kernel = xstrdup("/k");
	qnm_vm_add_extra(vm, "-S");
	n = qnm_vm_add_nic(vm);
	qnm_fwd_add(&n->user.fwd, &n->user.nfwd, &f);
	n->user.smb = xstrdup("/srv");
	n = qnm_vm_add_nic(vm);
	assert_string_equal(n->id, "n1");
	c = qnm_vm_copy(vm);
	assert_true(qnm_vm_equal(vm, c));
	/* Deep: changing the copy leaves the original alone. */
	c->nics[0].user.fwd[0].host_port = 54;
	assert_false(qnm_vm_equal(vm, c));
	assert_int_equal(vm->nics[0].user.fwd[0].host_port, 53);
	c->nics[0].user.fwd[0].host_port = 53;
	assert_true(qnm_vm_equal(vm, c));
	free(c->extra[0]);
	c->extra[0] = xstrdup("-s");
	assert_false(qnm_vm_equal(vm, c));
	qnm_vm_free(c);
	/* Deleting the first NIC keeps the second, and ids stay. */
	assert_int_equal(qnm_vm_del_nic(vm, 0), 0);
	assert_int_equal(vm->nnics, 1);
	assert_string_equal(vm->nics[0].id, "n1");
	assert_int_equal(qnm_vm_del_nic(vm, 5), -ENOENT);
	/* A new NIC takes the first free id. */
	assert_string_equal(qnm_vm_add_nic(vm)->id, "n0");
	qnm_vm_free(vm);
}

static void test_model_sorted(void **state)
{
	struct qnm_model m;
	const char *names[] = { "m", "a", "z", "b" };
	size_t i;

	qnm_model_init(&m);
	for (i = 0; i < 4; i++)
		qnm_model_add_vm(&m, qnm_vm_new(names[i]));
	assert_string_equal(m.vms[0]->name, "a");
	assert_string_equal(m.vms[1]->name, "b");
	assert_string_equal(m.vms[3]->name, "z");
	qnm_vm_free(qnm_model_remove_vm(&m, "b"));
	assert_null(qnm_model_remove_vm(&m, "b"));
	assert_int_equal(m.nvms, 3);
	assert_non_null(qnm_model_find_vm(&m, "m"));
	qnm_model_add_net(&m, qnm_network_new("lab"));
	qnm_model_add_net(&m, qnm_network_new("dmz"));
	assert_string_equal(m.nets[0]->name, "dmz");
	qnm_model_clear(&m);
}

static void test_enum_names(void **state)
{
	enum qnm_backend_kind k;
	enum qnm_net_mode mode;

	assert_int_equal(qnm_backend_parse("slirp", &k), 0);
	assert_int_equal(k, QNM_BACKEND_SLIRP);
	assert_string_equal(qnm_backend_name(QNM_BACKEND_BRIDGE), "bridge");
	assert_int_equal(qnm_backend_parse("SLIRP", &k), -EINVAL);
	assert_int_equal(qnm_net_mode_parse("isolated", &mode), 0);
	assert_string_equal(qnm_net_mode_name((enum qnm_net_mode)42), "?");
}

static void test_shell_quote(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22",
		  "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22" },
		{ "", "''" },
		{ "a b", "'a b'" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME", "'$HOME'" },
		{ "console=ttyS0 quiet", "'console=ttyS0 quiet'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = qnm_shell_quote(cases[i].in);

		assert_string_equal(q, cases[i].out);
		free(q);
	}
	{
		char *argv[] = { "qemu", "-append", "a b", NULL };
		char *s = qnm_argv_to_shell(argv);

		assert_string_equal(s, "qemu -append 'a b'");
		free(s);
	}
}

static void test_parse_uint(void **state)
{
	unsigned long v;

	assert_int_equal(qnm_parse_uint("65535", 1, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(qnm_parse_uint("65536", 1, 65535, &v), -ERANGE);
	assert_int_equal(qnm_parse_uint("0", 1, 65535, &v), -ERANGE);
	assert_int_equal(qnm_parse_uint("", 0, 1, &v), -EINVAL);
	assert_int_equal(qnm_parse_uint("-1", 0, 1, &v), -EINVAL);
	assert_int_equal(qnm_parse_uint("12a", 0, 100, &v), -EINVAL);
	assert_int_equal(qnm_parse_uint("99999999999999999999999", 0, 100, &v), -ERANGE);
}

/* qnm_room(): 8, or the power of two at or above n, as doubling from 8 finds it */
static void room_as_doubling(void)
{
	size_t n, cap = 8;

	for (n = 0; n <= 70000; n++) {
		if (cap < n)
			cap *= 2;
		assert_int_equal(qnm_room(n), cap);
	}
	assert_int_equal(qnm_room((size_t)1 << 40), (size_t)1 << 40);
	assert_int_equal(qnm_room(((size_t)1 << 40) + 1), (size_t)1 << 41);
}

static void test_strbuf_strv(void **state)
{
	struct qnm_strbuf sb;
	struct qnm_strv sv;
	int i;

	qnm_sb_init(&sb);
	for (i = 0; i < 1000; i++)
		qnm_sb_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.s));
	free(qnm_sb_steal(&sb));
	qnm_strv_init(&sv);
	for (i = 0; i < 100; i++)
		qnm_strv_addf(&sv, "a%d", i);
	assert_int_equal(sv.n, 100);
	assert_null(sv.v[100]);
	assert_string_equal(sv.v[99], "a99");
	qnm_strv_free(&sv);
	room_as_doubling();
}

static void test_err(void **state)
{
	struct qnm_err e;

	assert_int_equal(qnm_err_set(&e, -EINVAL, "f", "bad %d", 1), -EINVAL);
	qnm_err_prefix(&e, "ctx");
	assert_string_equal(e.msg, "ctx: bad 1");
	assert_string_equal(e.field, "f");
	assert_int_equal(qnm_err_set(NULL, -EIO, NULL, "x"), -EIO);
}

/* the stack below the caller full of '/' (where the next call's buffers will be) */
static void __attribute__((noinline)) dirty_stack(void)
{
	volatile char junk[4 * PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = '/';
}

/*
 * qnm_prog_path() looks for a program next to the running one (here this
 * test, in tests/unit, with no "qnm" beside it): the message names that
 * directory whatever the stack held. It once looked for the last '/' in
 * readlink()'s text before ending it, so a '/' left on the stack made it
 * name a wrong directory and miss a program that was there (CI's
 * script-paste got a bare "qnm").
 */
static void test_prog_path_self_dir(void **state)
{
	char self[PATH_MAX], want[PATH_MAX + 16];
	struct qnm_err err;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *path;

	(void)state;
	assert_true(n > 0);
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(want, sizeof(want), "not in %s nor in", self);
	dirty_stack();
	path = qnm_prog_path(QNM_PROG_CLI, &err);
	if (path) /* a qnm installed in QNM_BINDIR: found there, as it should be */
		skip();
	if (!strstr(err.msg, want))
		fail_msg("expected '%s' in: %s", want, err.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_equal), cmocka_unit_test(test_model_sorted),
		cmocka_unit_test(test_enum_names), cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_parse_uint), cmocka_unit_test(test_strbuf_strv),
		cmocka_unit_test(test_err),	   cmocka_unit_test(test_prog_path_self_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
