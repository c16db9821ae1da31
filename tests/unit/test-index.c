// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-index.c - the index's port map (a bit a host port and protocol:
 * ranges, tcp+udp, the ends of the port space), its in-place changes
 * (qnm_index_mark_fwd(), qnm_index_restamp()) against a reload, and the
 * networks' records (where a network file's settings are).
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

#include "core/config.h"
#include "core/index.h"
#include "core/model.h"
#include "scratch-ctx.h"

/* forward @spec ("tcp:127.0.0.1:8080-10.0.0.2:80") parsed */
static struct qnm_fwd fwd(const char *spec)
{
	struct qnm_fwd f;
	struct qnm_err e;

	memset(&f, 0, sizeof(f));
	assert_int_equal(qnm_fwd_parse(spec, &f, "forward", &e), 0);
	return f;
}

static bool may_clash(const struct qnm_index *idx, const char *spec)
{
	struct qnm_fwd f = fwd(spec);

	return qnm_index_fwd_may_clash(idx, &f);
}

/* a VM with host port tcp 8080, a network with udp 5000-5010 and tcp+udp 7000 and 65535 */
static void make_model(struct qnm_ctx *ctx)
{
	struct qnm_vm *vm = qnm_vm_new("a");
	struct qnm_network *net = qnm_network_new("nw");
	struct qnm_err e;
	const char *fwds[] = { "udp:127.0.0.1:5000-5010-10.9.0.2:5000-5010",
			       "tcp+udp:127.0.0.1:7000-10.9.0.3:70", "tcp::65535-10.9.0.4:80" };
	struct qnm_nic *nic;
	size_t i;

	nic = qnm_vm_add_nic(vm);
	assert_int_equal(qnm_nic_assign(nic, "hostfwd=tcp:127.0.0.1:8080-:22", &e), 0);
	assert_int_equal(qnm_config_save_vm(&ctx->paths, vm, NULL, &e), 0);
	qnm_vm_free(vm);
	qnm_strlcpy(net->bridge, "qbtidx0", sizeof(net->bridge));
	assert_int_equal(qnm_network_assign(net, "address=10.9.0.1/24", &e), 0);
	for (i = 0; i < 3; i++) {
		struct qnm_fwd f = fwd(fwds[i]);

		qnm_fwd_add(&net->fwd, &net->nfwd, &f);
	}
	assert_int_equal(qnm_config_save_network(&ctx->paths, net, NULL, &e), 0);
	qnm_network_free(net);
	assert_int_equal(qnm_ctx_lock(ctx, &e), 0);
	assert_int_equal(qnm_ctx_refresh(ctx, &e), 0);
	qnm_ctx_unlock(ctx);
}

/* the index of @ctx's model written to its file */
static void save_built(struct qnm_ctx *ctx)
{
	struct qnm_index built;

	qnm_index_from_model(&built, &ctx->paths, &ctx->model, &ctx->problems, true);
	assert_int_equal(qnm_index_save(&ctx->paths, &built), 0);
	qnm_index_clear(&built);
}

static void check_ports(const struct qnm_index *idx)
{
	assert_true(may_clash(idx, "tcp:127.0.0.1:8080-10.9.0.9:1"));
	assert_true(may_clash(idx, "tcp:127.0.0.2:8080-10.9.0.9:1")); /* any address */
	assert_false(may_clash(idx, "tcp:127.0.0.1:8079-10.9.0.9:1"));
	assert_false(may_clash(idx, "tcp:127.0.0.1:8081-10.9.0.9:1"));
	assert_false(may_clash(idx, "udp:127.0.0.1:8080-10.9.0.9:1"));
	assert_false(may_clash(idx, "tcp::8075-8079-10.9.0.9:1-5"));
	assert_true(may_clash(idx, "tcp::8076-8080-10.9.0.9:1-5"));
	assert_true(may_clash(idx, "tcp::8080-8084-10.9.0.9:1-5"));
	assert_false(may_clash(idx, "tcp::8081-8090-10.9.0.9:1-10"));
	assert_true(may_clash(idx, "udp::5010-10.9.0.9:1"));
	assert_true(may_clash(idx, "udp::4990-5000-10.9.0.9:1-11"));
	assert_false(may_clash(idx, "udp::5011-10.9.0.9:1"));
	assert_false(may_clash(idx, "udp::4999-10.9.0.9:1"));
	assert_false(may_clash(idx, "tcp::5005-10.9.0.9:1"));
	assert_true(may_clash(idx, "tcp::7000-10.9.0.9:1"));
	assert_true(may_clash(idx, "udp::7000-10.9.0.9:1"));
	assert_true(may_clash(idx, "tcp+udp::6999-7000-10.9.0.9:1-2"));
	assert_true(may_clash(idx, "tcp::65535-10.9.0.9:1"));
	assert_false(may_clash(idx, "tcp::65534-10.9.0.9:1"));
	assert_false(may_clash(idx, "udp::65535-10.9.0.9:1"));
}

/* the port map as built, as saved and loaded, and marked in place */
static void test_port_map(void **state)
{
	struct qnm_ctx *ctx = scratch_ctx_new("index-ports");
	struct qnm_index built, idx, again;
	struct qnm_fwd f = fwd("udp::40001-40003-10.9.0.9:1-3");

	(void)state;
	make_model(ctx);
	qnm_index_from_model(&built, &ctx->paths, &ctx->model, &ctx->problems, true);
	check_ports(&built);
	assert_int_equal(qnm_index_save(&ctx->paths, &built), 0);
	qnm_index_clear(&built);
	assert_int_equal(qnm_index_load(&ctx->paths, &idx), 0);
	check_ports(&idx);
	assert_false(may_clash(&idx, "udp::40000-10.9.0.9:1"));
	assert_false(may_clash(&idx, "udp::40002-10.9.0.9:1"));
	/* marked in place, and still so after a reload */
	assert_int_equal(qnm_index_mark_fwd(&ctx->paths, &idx, &f), 0);
	assert_true(may_clash(&idx, "udp::40002-10.9.0.9:1"));
	assert_int_equal(qnm_index_load(&ctx->paths, &again), 0);
	assert_true(may_clash(&again, "udp::40001-10.9.0.9:1"));
	assert_true(may_clash(&again, "udp::40003-10.9.0.9:1"));
	assert_false(may_clash(&again, "udp::40000-10.9.0.9:1"));
	assert_false(may_clash(&again, "udp::40004-10.9.0.9:1"));
	assert_false(may_clash(&again, "tcp::40002-10.9.0.9:1"));
	check_ports(&again);
	qnm_index_clear(&again);
	qnm_index_clear(&idx);
	scratch_ctx_free(ctx);
}

/* a file made in the VM directory makes the index stale; a re-stamp makes it current */
static void test_restamp(void **state)
{
	struct qnm_ctx *ctx = scratch_ctx_new("index-stamp");
	struct qnm_index idx, again;
	char *path;
	FILE *f;

	(void)state;
	make_model(ctx);
	save_built(ctx);
	assert_int_equal(qnm_index_load(&ctx->paths, &idx), 0);
	path = xasprintf("%s/b.conf", ctx->paths.vms_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[vm]\n", f);
	fclose(f);
	assert_int_equal(qnm_index_load(&ctx->paths, &again), -ESTALE);
	assert_int_equal(qnm_index_restamp(&ctx->paths, &idx), 0);
	assert_int_equal(qnm_index_load(&ctx->paths, &again), 0);
	assert_true(qnm_index_has(&again, "a"));
	assert_false(qnm_index_has(&again, "b")); /* re-stamped, not re-read */
	qnm_index_clear(&again);
	/* a save of the index replaces the file: the old mapping is not re-stamped */
	assert_int_equal(qnm_index_load(&ctx->paths, &again), 0);
	assert_int_equal(qnm_index_save(&ctx->paths, &again), 0);
	qnm_index_clear(&again);
	assert_int_equal(qnm_index_restamp(&ctx->paths, &idx), -ESTALE);
	assert_int_equal(qnm_index_load(&ctx->paths, &again), -ENOENT); /* removed */
	unlink(path);
	free(path);
	qnm_index_clear(&idx);
	scratch_ctx_free(ctx);
}

/* a network's record: its settings are the bytes around its run of forward lines */
static void test_net_record(void **state)
{
	struct qnm_ctx *ctx = scratch_ctx_new("index-net");
	struct qnm_index idx;
	size_t at[3], len = 0;
	char *path, *text = NULL;
	const char *l;

	(void)state;
	make_model(ctx);
	qnm_index_from_model(&idx, &ctx->paths, &ctx->model, &ctx->problems, true);
	assert_false(qnm_index_net_settings(&idx, "other", at));
	assert_true(qnm_index_net_settings(&idx, "nw", at));
	path = xasprintf("%s/nw.conf", ctx->paths.nets_dir);
	assert_int_equal(qnm_read_file(path, 1 << 20, &text, &len), 0);
	assert_int_equal(at[2], len);
	assert_true(at[0] < at[1]);
	/* forward lines in the run, none outside it */
	for (l = text; l < text + len; l = strchr(l, '\n') + 1) {
		bool in = (size_t)(l - text) >= at[0] && (size_t)(l - text) < at[1];

		assert_int_equal(strncmp(l, "forward = ", 10) == 0, in);
	}
	free(text);
	free(path);
	qnm_index_clear(&idx);
	scratch_ctx_free(ctx);
}

/* qnm_index_record_is(): the same name, MACs and ports only */
static void test_record_is(void **state)
{
	struct qnm_ctx *ctx = scratch_ctx_new("index-record");
	struct qnm_index idx;
	struct qnm_vm *vm;
	struct qnm_err e;

	(void)state;
	make_model(ctx);
	qnm_index_from_model(&idx, &ctx->paths, &ctx->model, &ctx->problems, true);
	vm = qnm_vm_copy(qnm_model_find_vm(&ctx->model, "a"));
	assert_true(qnm_index_record_is(&idx, vm));
	assert_int_equal(qnm_vm_assign(vm, "memory=512", &e), 0);
	assert_true(qnm_index_record_is(&idx, vm));
	assert_int_equal(qnm_nic_assign(&vm->nics[0], "hostfwd+=tcp::9000-:80", &e), 0);
	assert_false(qnm_index_record_is(&idx, vm));
	qnm_vm_free(vm);
	qnm_index_clear(&idx);
	scratch_ctx_free(ctx);
}

/* a VM put into or removed from a loaded index (a change pending until saved), then reloaded */
static void test_put_del_loaded(void **state)
{
	struct qnm_ctx *ctx = scratch_ctx_new("index-put");
	struct qnm_index idx;
	struct qnm_vm *vm = qnm_vm_new("b"), *z = qnm_vm_new("0z");
	char *path, *text = NULL;
	struct qnm_err e;
	size_t len = 0;

	(void)state;
	make_model(ctx);
	save_built(ctx);
	/* a new VM "b" after "a", with a port */
	assert_int_equal(qnm_nic_assign(qnm_vm_add_nic(vm), "hostfwd=udp::9100-:53", &e), 0);
	assert_int_equal(qnm_index_load(&ctx->paths, &idx), 0);
	qnm_index_put_vm(&idx, vm, NULL);
	assert_int_equal(qnm_index_save(&ctx->paths, &idx), 0);
	qnm_index_clear(&idx);
	assert_int_equal(qnm_index_load(&ctx->paths, &idx), 0); /* pending on the mapping, saved */
	assert_true(qnm_index_has(&idx, "a") && qnm_index_has(&idx, "b"));
	assert_int_equal(idx.n, 2);
	qnm_index_clear(&idx);
	assert_int_equal(qnm_config_save_vm(&ctx->paths, vm, NULL, &e), 0);
	qnm_index_from_model(&idx, &ctx->paths, &ctx->model, &ctx->problems, true);
	qnm_index_put_vm(&idx, vm, NULL); /* owned records: changed in place */
	assert_int_equal(qnm_index_save(&ctx->paths, &idx), 0);
	qnm_index_clear(&idx);
	assert_int_equal(qnm_index_load(&ctx->paths, &idx), 0);
	assert_true(qnm_index_has(&idx, "a"));
	assert_true(qnm_index_has(&idx, "b"));
	assert_int_equal(idx.n, 2);
	assert_true(may_clash(&idx, "udp::9100-10.9.0.9:1"));
	/* a VM before every other, then one replaced: each pending on the mapping, then saved */
	qnm_index_put_vm(&idx, z, NULL);
	assert_int_equal(qnm_config_save_vm(&ctx->paths, z, NULL, &e), 0);
	assert_int_equal(qnm_index_save(&ctx->paths, &idx), 0);
	qnm_index_clear(&idx);
	assert_int_equal(qnm_index_load(&ctx->paths, &idx), 0);
	assert_int_equal(idx.n, 3);
	assert_true(qnm_index_has(&idx, "0z") && qnm_index_has(&idx, "a") &&
		    qnm_index_has(&idx, "b"));
	assert_memory_equal(idx.text, "v 0z\nv a ", 9);
	qnm_index_del_vm(&idx, "a");
	qnm_index_del_vm(&idx, "b"); /* a second change: the first applied in memory */
	assert_int_equal(qnm_index_save(&ctx->paths, &idx), 0);
	qnm_index_clear(&idx);
	path = xasprintf("%s/.index", ctx->paths.config_dir);
	assert_int_equal(qnm_read_file(path, 1 << 20, &text, &len), 0);
	assert_true(len > 12 && strcmp(text + len - 12, "\nv 0z\nend 1\n") == 0);
	assert_null(strstr(text, "\nv a"));
	free(text);
	free(path);
	qnm_vm_free(vm);
	qnm_vm_free(z);
	scratch_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_map),       cmocka_unit_test(test_restamp),
		cmocka_unit_test(test_net_record),     cmocka_unit_test(test_record_is),
		cmocka_unit_test(test_put_del_loaded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
