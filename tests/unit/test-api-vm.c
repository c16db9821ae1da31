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
	/* the clone gets new MACs, saved: its command line shows the ones it runs with */
	assert_int_equal(strlen(vm->nics[0].mac), 17);
	assert_int_equal(strlen(vm->nics[1].mac), 17);
	assert_string_not_equal(vm->nics[0].mac, vm->nics[1].mac);
	assert_string_not_equal(vm->nics[0].mac,
				qnm_model_find_vm(&ctx->model, "web")->nics[0].mac[0]
					? qnm_model_find_vm(&ctx->model, "web")->nics[0].mac
					: "-");
	assert_string_not_equal(vm->nics[1].mac,
				qnm_model_find_vm(&ctx->model, "web")->nics[1].mac);
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

/* a second context on the same directories: another qnm process */
static struct qnm_ctx *other_ctx(void)
{
	struct qnm_ctx *o = xcalloc(1, sizeof(*o));

	assert_int_equal(qnm_ctx_init(o, NULL), 0);
	assert_int_equal(qnm_ctx_load(o, NULL), 0);
	return o;
}

static int add_extra(struct qnm_vm *vm, void *data, struct qnm_err *err)
{
	return qnm_vm_assign(vm, data, err);
}

/*
 * A form's copy edited from a model another process saved over since is
 * refused with the VM named, and nothing written; the model then holds what
 * is on disk, so the form reopened saves. An edit applies to the disk's VM.
 */
static void test_stale_copy_refused(void **state)
{
	struct qnm_ctx *ctx = *state, *other;
	struct qnm_vm *form;
	struct qnm_err err;

	make_vm(ctx, "web");
	other = other_ctx();
	form = qnm_vm_copy(qnm_model_find_vm(&ctx->model, "web")); /* the form opens */
	form->memory_mb = 2048;
	qnm_err_clear(&err);
	assert_int_equal(qnm_api_vm_edit(other, "web", add_extra, "extra+=-other", &err), 0);
	assert_int_equal(qnm_api_vm_save(ctx, form, "web", &err), -ESTALE);
	assert_string_equal(
		err.msg, "VM web was changed by another qnm since you opened this form: reopen it");
	/* nothing written; the model is what is on disk */
	assert_int_equal(qnm_model_find_vm(&ctx->model, "web")->memory_mb, 512);
	assert_int_equal(qnm_model_find_vm(&ctx->model, "web")->nextra, 1);
	qnm_vm_free(form);
	form = qnm_vm_copy(qnm_model_find_vm(&ctx->model, "web")); /* reopened */
	form->memory_mb = 2048;
	assert_int_equal(qnm_api_vm_save(ctx, form, "web", &err), 0);
	qnm_vm_free(form);

	/* an edit through the stale other context applies to the disk's VM */
	assert_int_equal(qnm_model_find_vm(&other->model, "web")->memory_mb, 512);
	assert_int_equal(qnm_api_vm_edit(other, "web", add_extra, "extra+=-again", &err), 0);
	assert_int_equal(qnm_model_find_vm(&other->model, "web")->memory_mb, 2048);
	assert_int_equal(qnm_model_find_vm(&other->model, "web")->nextra, 2);

	/* deleted meanwhile: said so; a new VM may not take a name on disk */
	form = qnm_vm_copy(qnm_model_find_vm(&ctx->model, "web"));
	assert_int_equal(qnm_api_vm_delete(other, "web", &err), 0);
	assert_int_equal(qnm_api_vm_save(ctx, form, "web", &err), -ESTALE);
	assert_non_null(strstr(err.msg, "VM web was deleted by another qnm"));
	assert_false(vm_file(ctx, "web"));
	make_vm(other, "db");
	qnm_strlcpy(form->name, "db", sizeof(form->name));
	assert_int_equal(qnm_api_vm_save(ctx, form, NULL, &err), -EEXIST);
	assert_string_equal(err.msg, "name: a VM named 'db' already exists");
	qnm_vm_free(form);
	qnm_ctx_clear(other);
	free(other);
}

/* The lock nests; a second holder waits, then is told who holds it. */
static void test_lock(void **state)
{
	struct qnm_ctx *ctx = *state, *other = other_ctx();
	struct qnm_vm *vm;
	struct qnm_err err;
	char pid[32];

	qnm_err_clear(&err);
	assert_int_equal(qnm_ctx_lock(ctx, &err), 0);
	assert_int_equal(qnm_ctx_begin(ctx, &err), 0); /* nested */
	qnm_ctx_unlock(ctx);
	setenv("QNM_LOCK_TIMEOUT_MS", "50", 1);
	assert_int_equal(qnm_ctx_lock(other, &err), -EBUSY);
	snprintf(pid, sizeof(pid), "locked by pid %d", (int)getpid());
	assert_non_null(strstr(err.msg, pid));
	assert_non_null(strstr(err.msg, "test-api-vm"));
	vm = qnm_vm_new("web"); /* a save waits for the lock too */
	assert_int_equal(qnm_api_vm_save(other, vm, NULL, &err), -EBUSY);
	qnm_vm_free(vm);
	assert_false(vm_file(ctx, "web"));
	qnm_ctx_unlock(ctx);
	unsetenv("QNM_LOCK_TIMEOUT_MS");
	make_vm(other, "web");
	assert_true(vm_file(ctx, "web"));
	qnm_ctx_clear(other);
	free(other);
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
		cmocka_unit_test_setup_teardown(test_stale_copy_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
