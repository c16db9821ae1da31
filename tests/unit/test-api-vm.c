// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-api-vm.c - the engine API's VM and NIC use cases (src/api/vm.h) and
 * the parts of starting (src/api/run.h) that need no QEMU: every change
 * goes through the one save path (whole-model check, file, model), and a
 * refused change writes nothing.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/run.h"
#include "api/vm.h"
#include "scratch-ctx.h"

static int setup(void **state)
{
	*state = scratch_ctx_new("test-api-vm");
	return 0;
}

static int teardown(void **state)
{
	scratch_ctx_free(*state);
	return 0;
}

static bool vm_file(const struct qnm_ctx *ctx, const char *name)
{
	char *p = xasprintf("%s/%s.conf", ctx->paths.vms_dir, name);
	bool yes = access(p, F_OK) == 0;

	free(p);
	return yes;
}

/* A new VM @name with one user NIC (no MAC yet), saved. */
static void make_vm(struct qnm_ctx *ctx, const char *name)
{
	struct qnm_vm *vm = qnm_vm_new(name);
	struct qnm_err err;

	qnm_vm_add_nic(vm);
	qnm_err_clear(&err);
	assert_int_equal(qnm_api_vm_save(ctx, vm, NULL, &err), 0);
	qnm_vm_free(vm);
}

static void test_check_name(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_vm_check_name(ctx, "web", &err), 0);
	assert_int_equal(qnm_api_vm_check_name(ctx, "a b", &err), -EINVAL);
	assert_string_equal(err.field, "name");
	assert_non_null(strstr(err.msg, "name: 'a b' must be 1-32 letters"));
	make_vm(ctx, "web");
	assert_int_equal(qnm_api_vm_check_name(ctx, "web", &err), -EEXIST);
	assert_string_equal(err.msg, "name: a VM named 'web' already exists");
}

static void test_save_checks_model(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_vm *b;
	struct qnm_err err;

	make_vm(ctx, "a");
	assert_true(vm_file(ctx, "a"));
	/* a NIC with the MAC of a's NIC: the whole-model check refuses it */
	qnm_err_clear(&err);
	b = qnm_vm_new("b");
	qnm_vm_add_nic(b);
	qnm_strlcpy(b->nics[0].mac, "02:00:00:00:00:01", sizeof(b->nics[0].mac));
	assert_int_equal(qnm_api_vm_save(ctx, b, NULL, &err), 0);
	qnm_strlcpy(b->name, "c", sizeof(b->name));
	assert_int_equal(qnm_api_vm_save(ctx, b, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "02:00:00:00:00:01"));
	assert_false(vm_file(ctx, "c"));
	assert_null(qnm_model_find_vm(&ctx->model, "c"));
	qnm_vm_free(b);
}

static void test_nic_add_set_del(void **state)
{
	struct qnm_ctx *ctx = *state;
	const struct qnm_vm *vm;
	struct qnm_nic nic;
	struct qnm_err err;
	char mac[QNM_MAC_LEN];

	make_vm(ctx, "web");
	vm = qnm_model_find_vm(&ctx->model, "web");
	qnm_api_nic_init(vm, &nic);
	assert_string_equal(nic.id, "n1");
	qnm_err_clear(&err);
	assert_int_equal(qnm_api_nic_add(ctx, "web", &nic, &err), 0);
	assert_true(nic.mac[0]); /* generated, and told */
	vm = qnm_model_find_vm(&ctx->model, "web");
	assert_int_equal(vm->nnics, 2);
	assert_true(vm->nics[0].mac[0]); /* the other NIC got one too */
	assert_string_equal(vm->nics[1].mac, nic.mac);
	qnm_strlcpy(mac, nic.mac, sizeof(mac));
	qnm_nic_clear(&nic);

	/* a change: another model, MAC kept */
	qnm_nic_copy(&nic, &vm->nics[1]);
	qnm_strlcpy(nic.model, "e1000", sizeof(nic.model));
	assert_int_equal(qnm_api_nic_set(ctx, "web", "n1", &nic, &err), 0);
	vm = qnm_model_find_vm(&ctx->model, "web");
	assert_string_equal(vm->nics[1].model, "e1000");
	assert_string_equal(vm->nics[1].mac, mac);
	/* the MAC of the other NIC: refused, nothing changed */
	qnm_strlcpy(nic.mac, vm->nics[0].mac, sizeof(nic.mac));
	qnm_strlcpy(nic.model, "rtl8139", sizeof(nic.model));
	assert_int_equal(qnm_api_nic_set(ctx, "web", "n1", &nic, &err), -EINVAL);
	vm = qnm_model_find_vm(&ctx->model, "web");
	assert_string_equal(vm->nics[1].model, "e1000");
	qnm_nic_clear(&nic);

	qnm_nic_copy(&nic, &vm->nics[0]);
	assert_int_equal(qnm_api_nic_set(ctx, "web", "nope", &nic, &err), -ENOENT);
	assert_string_equal(err.msg, "VM 'web' has no NIC 'nope' (qnm nic list web)");
	qnm_nic_clear(&nic);
	assert_int_equal(qnm_api_nic_del(ctx, "nope", "n0", &err), -ENOENT);
	assert_int_equal(qnm_api_nic_del(ctx, "web", "n0", &err), 0);
	vm = qnm_model_find_vm(&ctx->model, "web");
	assert_int_equal(vm->nnics, 1);
	assert_string_equal(vm->nics[0].id, "n1");
}

static void test_nic_check(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_vm *vm = qnm_vm_new("web");
	struct qnm_nic nic;
	struct qnm_err err;

	qnm_vm_add_nic(vm);
	qnm_strlcpy(vm->nics[0].mac, "02:00:00:00:00:02", sizeof(vm->nics[0].mac));
	qnm_api_nic_init(vm, &nic);
	qnm_err_clear(&err);
	assert_int_equal(qnm_api_nic_check(ctx, vm, -1, &nic, &err), 0);
	qnm_strlcpy(nic.id, "n0", sizeof(nic.id));
	assert_int_equal(qnm_api_nic_check(ctx, vm, -1, &nic, &err), -EINVAL);
	assert_string_equal(err.field, "id");
	/* the NIC it replaces is not a clash */
	assert_int_equal(qnm_api_nic_check(ctx, vm, 0, &nic, &err), 0);
	qnm_strlcpy(nic.id, "n1", sizeof(nic.id));
	qnm_strlcpy(nic.mac, "02:00:00:00:00:02", sizeof(nic.mac));
	assert_int_equal(qnm_api_nic_check(ctx, vm, -1, &nic, &err), -EINVAL);
	assert_string_equal(err.field, "mac");
	qnm_nic_clear(&nic);
	qnm_vm_free(vm);
}

static void test_clone_delete(void **state)
{
	struct qnm_ctx *ctx = *state;
	const struct qnm_vm *vm;
	struct qnm_nic nic;
	struct qnm_err err;

	make_vm(ctx, "web");
	qnm_api_nic_init(qnm_model_find_vm(&ctx->model, "web"), &nic);
	qnm_err_clear(&err);
	assert_int_equal(qnm_api_nic_add(ctx, "web", &nic, &err), 0);
	qnm_nic_clear(&nic);
	assert_int_equal(qnm_api_vm_clone(ctx, "web", "web", &err), -EEXIST);
	assert_int_equal(qnm_api_vm_clone(ctx, "web", "a b", &err), -EINVAL);
	assert_int_equal(qnm_api_vm_clone(ctx, "nope", "web2", &err), -ENOENT);
	assert_int_equal(qnm_api_vm_clone(ctx, "web", "web2", &err), 0);
	assert_true(vm_file(ctx, "web2"));
	vm = qnm_model_find_vm(&ctx->model, "web2");
	assert_non_null(vm);
	assert_int_equal(vm->nnics, 2);
	assert_string_equal(vm->nics[0].mac, "");
	assert_string_equal(vm->nics[1].mac, "");
	assert_int_equal(qnm_api_vm_delete(ctx, "web2", &err), 0);
	assert_false(vm_file(ctx, "web2"));
	assert_null(qnm_model_find_vm(&ctx->model, "web2"));
	assert_int_equal(qnm_api_vm_delete(ctx, "web2", &err), -ENOENT);
}

/* Step one of a start gives MACs and saves them; nothing runs until step two. */
static void test_start_prepare(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_vm_job *job;
	struct qnm_run_info ri;
	struct qnm_strv names;
	struct qnm_err err;
	size_t n = 99;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_vm_start(ctx, "nope", 0, &job, &n, &err), -ENOENT);
	assert_null(job);
	assert_string_equal(err.msg, "no VM named 'nope' (qnm list shows them)");
	make_vm(ctx, "web");
	assert_int_equal(qnm_api_vm_start(ctx, "web", 0, &job, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_true(qnm_model_find_vm(&ctx->model, "web")->nics[0].mac[0]);
	assert_string_equal(qnm_api_vm_job_result(job)->name, "web");
	assert_non_null(strstr(qnm_api_vm_job_result(job)->serial_log, "/web/"));
	qnm_api_vm_job_free(job);
	/* the MAC is in the file: a second start gives none */
	assert_int_equal(qnm_api_vm_start(ctx, "web", 0, &job, &n, &err), 0);
	assert_int_equal(n, 0);
	qnm_api_vm_job_free(job);

	qnm_api_vm_state(ctx, "web", &ri);
	assert_int_equal(ri.status, QNM_RUN_ABSENT);
	qnm_strv_init(&names);
	qnm_api_vm_running(ctx, &names);
	assert_int_equal(names.n, 0);
	qnm_strv_free(&names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_checks_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nic_add_set_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nic_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_prepare, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
