// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-api-net.c - the engine API's network and forward use cases
 * (src/api/net.h, src/api/forward.h) where they need no privilege: every
 * change is checked against the whole model and saved through one path, a
 * refused change writes nothing, a forward keeps its place when edited and
 * moves between owners in one step. The networks are down and no VM runs,
 * so nothing live is touched (the live paths: tests/sh/cli-forward.sh,
 * ui-network.sh, slirp-start.sh, ui-demo.sh).
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

#include "api/forward.h"
#include "api/net.h"
#include "scratch-ctx.h"

/* the text of @dir/@name.conf below the config dir, or NULL */
static char *conf(const char *dir, const char *name)
{
	char *p = xasprintf("%s/config/qnm/%s/%s.conf", scratch_dir, dir, name), *text = NULL;
	FILE *f = fopen(p, "r");
	size_t n;

	free(p);
	if (!f)
		return NULL;
	text = xcalloc(1, 65536);
	n = fread(text, 1, 65535, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static bool conf_has(const char *dir, const char *name, const char *needle)
{
	char *t = conf(dir, name);
	bool r = t && strstr(t, needle);

	free(t);
	return r;
}

static void save_net(struct qnm_ctx *ctx, const char *name, const char *bridge, const char *addr)
{
	struct qnm_network *net;
	struct qnm_err err;
	char *a;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_net_new(ctx, name, &net, &err), 0);
	a = xasprintf("bridge=%s", bridge);
	assert_int_equal(qnm_network_assign(net, a, &err), 0);
	free(a);
	a = xasprintf("address=%s", addr);
	assert_int_equal(qnm_network_assign(net, a, &err), 0);
	free(a);
	assert_int_equal(qnm_network_assign(net, "mode=isolated", &err), 0);
	assert_int_equal(qnm_api_net_save(ctx, net, NULL, NULL, &err), 0);
	qnm_network_free(net);
}

/* VM @name with NICs n0 (user) and n1 (tap on network @tapnet, "" for none) */
static void save_vm(struct qnm_ctx *ctx, const char *name, const char *tapnet)
{
	struct qnm_vm *vm = qnm_vm_new(name);
	struct qnm_nic *n1;
	struct qnm_err err;
	char *a;

	qnm_err_clear(&err);
	qnm_vm_add_nic(vm);
	n1 = qnm_vm_add_nic(vm);
	assert_int_equal(qnm_nic_assign(n1, "backend=tap", &err), 0);
	if (tapnet[0]) {
		a = xasprintf("network=%s", tapnet);
		assert_int_equal(qnm_nic_assign(n1, a, &err), 0);
		free(a);
	}
	assert_int_equal(qnm_ctx_save_vm(ctx, vm, NULL, &err), 0);
	qnm_vm_free(vm);
}

static struct qnm_fwd fwd(const char *s)
{
	struct qnm_fwd f;

	assert_int_equal(qnm_fwd_parse(s, &f, "forward", NULL), 0);
	return f;
}

/* A context on empty directories (scratch-ctx.h) with two networks and a VM. */
static int setup(void **state)
{
	struct qnm_ctx *ctx = scratch_ctx_new("test-api-net");

	/* bridge names no host has, so that the networks are down */
	save_net(ctx, "lan", "qnmtst-lan0", "10.251.0.1/24");
	save_net(ctx, "dmz", "qnmtst-dmz0", "10.252.0.1/24");
	save_vm(ctx, "web", "lan");
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	scratch_ctx_free(*state);
	return 0;
}

static void test_net_new(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_network *net;
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_net_new(ctx, "lan", &net, &err), -EEXIST);
	assert_null(net);
	assert_string_equal(err.msg, "name: a network named 'lan' already exists");
	assert_int_equal(qnm_api_net_new(ctx, "bad/name", &net, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "name: 'bad/name' must be"));
	assert_int_equal(qnm_api_net_new(ctx, "new", &net, &err), 0);
	assert_string_equal(net->name, "new");
	qnm_network_free(net);
}

static void test_net_save_checks_model(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_network *net = qnm_network_copy(qnm_model_find_net(&ctx->model, "dmz"));
	char *before = conf("networks", "dmz"), *after;
	struct qnm_err err;
	bool up = true;

	/* another network's bridge: refused by the whole-model check, nothing written */
	qnm_err_clear(&err);
	assert_int_equal(qnm_network_assign(net, "bridge=qnmtst-lan0", &err), 0);
	assert_int_equal(qnm_api_net_save(ctx, net, "dmz", &up, &err), -EINVAL);
	assert_false(up);
	assert_non_null(strstr(err.msg, "both use bridge qnmtst-lan0"));
	after = conf("networks", "dmz");
	assert_string_equal(after, before);
	free(after);
	assert_int_equal(qnm_network_assign(net, "bridge=qnmtst-dmz1", &err), 0);
	assert_int_equal(qnm_api_net_save(ctx, net, "dmz", &up, &err), 0);
	assert_false(up); /* not up: nothing to re-apply */
	assert_string_equal(qnm_model_find_net(&ctx->model, "dmz")->bridge, "qnmtst-dmz1");
	assert_true(conf_has("networks", "dmz", "qnmtst-dmz1"));
	qnm_network_free(net);
	free(before);
}

static void test_net_delete(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_vm *vm;
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_net_delete(ctx, "nosuch", &err), -ENOENT);
	/* a TAP NIC names it: the model would not hold */
	assert_int_equal(qnm_api_net_delete(ctx, "lan", &err), -EBUSY);
	assert_string_equal(err.msg, "network lan is used by VM web NIC n1: change that NIC first");
	assert_true(conf_has("networks", "lan", "qnmtst-lan0"));
	vm = qnm_vm_copy(qnm_model_find_vm(&ctx->model, "web"));
	assert_int_equal(qnm_nic_assign(&vm->nics[1], "network=dmz", &err), 0);
	assert_int_equal(qnm_ctx_save_vm(ctx, vm, "web", &err), 0);
	qnm_vm_free(vm);
	assert_int_equal(qnm_api_net_delete(ctx, "lan", &err), 0);
	assert_null(qnm_model_find_net(&ctx->model, "lan"));
	assert_null(conf("networks", "lan"));
	assert_false(qnm_api_net_is_up(ctx, "lan"));
}

static void test_forward_add_net(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_api_fwd_owner to = { .net = "lan" };
	struct qnm_api_fwd_result res;
	struct qnm_fwd f = fwd("tcp::8080-10.251.0.5:80");
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), 0);
	assert_int_equal(res.kind, QNM_API_FWD_DNAT);
	assert_string_equal(res.ref.net, "lan");
	assert_int_equal(res.live, QNM_API_FWD_LATER); /* down: applied when it comes up */
	assert_false(res.table_missing);
	assert_true(conf_has("networks", "lan", "tcp::8080-10.251.0.5:80"));
	assert_int_equal(qnm_model_find_net(&ctx->model, "lan")->nfwd, 1);

	/* the same host port on another network: the whole-model check refuses */
	to.net = "dmz";
	f = fwd("tcp::8080-10.252.0.5:80");
	assert_int_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "host port tcp/8080 is forwarded by both"));
	assert_false(conf_has("networks", "dmz", "forward"));
	assert_int_equal(qnm_model_find_net(&ctx->model, "dmz")->nfwd, 0);

	/* DNAT without a guest address: the network's own check refuses */
	f = fwd("tcp::9090-:90");
	assert_int_not_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), 0);
	assert_false(conf_has("networks", "dmz", "forward"));

	to.net = "nosuch";
	assert_int_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), -ENOENT);
	assert_string_equal(err.msg, "no network named 'nosuch'");
}

static void test_forward_add_vm(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_api_fwd_owner to = { .vm = "web" };
	struct qnm_api_fwd_result res;
	struct qnm_fwd f = fwd("tcp:127.0.0.1:47913-:22");
	struct qnm_err err;

	qnm_err_clear(&err);
	/* no NIC named: the first user/slirp NIC */
	assert_int_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), 0);
	assert_int_equal(res.kind, QNM_API_FWD_HOSTFWD);
	assert_string_equal(res.ref.vm, "web");
	assert_string_equal(res.ref.nic, "n0");
	assert_int_equal(res.live, QNM_API_FWD_LATER); /* not running: at the next start */
	assert_true(conf_has("vms", "web", "tcp:127.0.0.1:47913-:22"));

	to.nic = "n1";
	f = fwd("tcp:127.0.0.1:47914-:22");
	assert_int_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "host forwards need a user or slirp NIC"));
	to.nic = "n9";
	assert_int_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), -ENOENT);
	assert_string_equal(err.msg, "nic: VM 'web' has no NIC 'n9'");
	to.vm = "nosuch";
	assert_int_equal(qnm_api_forward_add(ctx, &to, &f, &res, &err), -ENOENT);
	assert_string_equal(err.msg, "no VM named 'nosuch' (qnm list shows them)");
	assert_false(conf_has("vms", "web", "47914"));
}

static void test_forward_replace_keeps_place(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_api_fwd_owner lan = { .net = "lan" };
	struct qnm_api_fwd_result res;
	struct qnm_fwd a = fwd("tcp::8081-10.251.0.5:81"), b = fwd("tcp::8082-10.251.0.5:82");
	struct qnm_fwd c = fwd("tcp::8081-10.251.0.9:91");
	const struct qnm_network *net;
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_forward_add(ctx, &lan, &a, &res, &err), 0);
	assert_int_equal(qnm_api_forward_add(ctx, &lan, &b, &res, &err), 0);
	assert_int_equal(qnm_api_forward_replace(ctx, &lan, &a, &lan, &c, &res, &err), 0);
	net = qnm_model_find_net(&ctx->model, "lan");
	assert_int_equal(net->nfwd, 2);
	assert_string_equal(net->fwd[0].guest_addr, "10.251.0.9"); /* edited in place */
	assert_int_equal(net->fwd[1].host_port, 8082);
	assert_true(conf_has("networks", "lan", "tcp::8081-10.251.0.9:91"));
	assert_false(conf_has("networks", "lan", "10.251.0.5:81"));
}

static void test_forward_move(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_api_fwd_owner lan = { .net = "lan" }, dmz = { .net = "dmz" };
	struct qnm_api_fwd_result res;
	struct qnm_fwd a = fwd("udp::5353-10.251.0.5:53"), b = fwd("udp::5353-10.252.0.5:53");
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_forward_add(ctx, &lan, &a, &res, &err), 0);
	/* the same host side to another owner: checked as one change, not a clash */
	assert_int_equal(qnm_api_forward_replace(ctx, &lan, &a, &dmz, &b, &res, &err), 0);
	assert_string_equal(res.ref.net, "dmz");
	assert_int_equal(qnm_model_find_net(&ctx->model, "lan")->nfwd, 0);
	assert_int_equal(qnm_model_find_net(&ctx->model, "dmz")->nfwd, 1);
	assert_false(conf_has("networks", "lan", "5353"));
	assert_true(conf_has("networks", "dmz", "udp::5353-10.252.0.5:53"));
}

static void test_forward_remove(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_api_fwd_owner lan = { .net = "lan" };
	struct qnm_api_fwd_result res;
	struct qnm_fwd a = fwd("tcp::8080-10.251.0.5:80"), hs;
	struct qnm_err err;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_forward_add(ctx, &lan, &a, &res, &err), 0);
	/* by host side only, no owner named: its one owner is found */
	assert_int_equal(qnm_fwd_parse("tcp::8080-:1", &hs, "forward", NULL), 0);
	assert_int_equal(qnm_api_forward_remove(ctx, NULL, &hs, &res, &err), 0);
	assert_string_equal(res.ref.net, "lan");
	assert_string_equal(res.fwd.guest_addr, "10.251.0.5"); /* the one removed, whole */
	assert_int_equal(qnm_model_find_net(&ctx->model, "lan")->nfwd, 0);
	assert_false(conf_has("networks", "lan", "8080"));
	assert_int_equal(qnm_api_forward_remove(ctx, NULL, &hs, &res, &err), -ENOENT);
	assert_string_equal(err.msg,
			    "no forward has host side tcp :8080 (qnm forward list shows them)");
	assert_int_equal(qnm_api_forward_remove(ctx, &lan, &hs, &res, &err), -ENOENT);
	assert_string_equal(err.msg, "network lan has no forward for host side tcp :8080");
}

static void test_forward_list_targets(void **state)
{
	struct qnm_ctx *ctx = *state;
	struct qnm_api_fwd_owner lan = { .net = "lan" }, web = { .vm = "web" };
	struct qnm_api_fwd_result res;
	struct qnm_fwd a = fwd("tcp::8080-10.251.0.5:80"), b = fwd("tcp:127.0.0.1:47915-:22");
	struct qnm_api_fwd_ref *t;
	struct qnm_api_fwd_list l;
	struct qnm_err err;
	size_t n;

	qnm_err_clear(&err);
	assert_int_equal(qnm_api_forward_add(ctx, &lan, &a, &res, &err), 0);
	assert_int_equal(qnm_api_forward_add(ctx, &web, &b, &res, &err), 0);
	/* NICs first, then networks */
	qnm_api_forward_list(ctx, false, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].kind, QNM_API_FWD_HOSTFWD);
	assert_string_equal(l.v[0].ref.nic, "n0");
	assert_string_equal(l.v[0].backend, "user");
	assert_string_equal(l.v[0].state, "at VM start");
	assert_int_equal(l.v[1].kind, QNM_API_FWD_DNAT);
	assert_string_equal(l.v[1].bridge, "qnmtst-lan0");
	assert_int_equal(l.live_ret, -ENOENT);
	assert_ptr_equal(qnm_api_forward_get(ctx, &l.v[1].ref),
			 &qnm_model_find_net(&ctx->model, "lan")->fwd[0]);
	qnm_api_forward_list_clear(&l);
	/* where a forward can go: the user NIC (not the tap one), then each network */
	t = qnm_api_forward_targets(ctx, &n);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].nic, "n0");
	assert_string_equal(t[1].net, "dmz");
	assert_string_equal(t[2].net, "lan");
	assert_int_equal(t[2].index, -1);
	assert_null(qnm_api_forward_get(ctx, &t[2]));
	free(t);
}

static int set_dhcp(struct qnm_network *net, void *data, struct qnm_err *err)
{
	return qnm_network_assign(net, data, err);
}

/*
 * A network form's copy is refused when another qnm saved the network since
 * (the model then holds the disk's); an edit applies to the disk's network,
 * a forward added by another qnm is seen by the next change's checks.
 */
static void test_net_stale_copy_refused(void **state)
{
	struct qnm_ctx *ctx = *state, *other = xcalloc(1, sizeof(*other));
	struct qnm_api_fwd_owner lan = { .net = "lan" };
	struct qnm_api_fwd_result res;
	struct qnm_network *form;
	struct qnm_fwd f = fwd("tcp::8080-10.251.0.5:80");
	struct qnm_err err;

	assert_int_equal(qnm_ctx_init(other, NULL), 0);
	assert_int_equal(qnm_ctx_load(other, NULL), 0);
	form = qnm_network_copy(qnm_model_find_net(&ctx->model, "lan"));
	qnm_err_clear(&err);
	assert_int_equal(
		qnm_api_net_edit(other, "lan", set_dhcp, "dhcp_start=10.251.0.100", NULL, &err),
		-EINVAL); /* a start without an end: refused, nothing written */
	assert_int_equal(qnm_api_forward_add(other, &lan, &f, &res, &err), 0);
	assert_int_equal(qnm_api_net_save(ctx, form, "lan", NULL, &err), -ESTALE);
	assert_string_equal(
		err.msg,
		"network lan was changed by another qnm since you opened this form: reopen it");
	assert_int_equal(qnm_model_find_net(&ctx->model, "lan")->nfwd, 1);
	/* a port another qnm claimed since this model was read is seen: refused */
	f = fwd("tcp::9090-10.251.0.5:80");
	assert_int_equal(qnm_api_forward_add(ctx, &lan, &f, &res, &err), 0);
	assert_int_equal(qnm_model_find_net(&other->model, "lan")->nfwd, 1); /* stale */
	f = fwd("tcp::9090-10.252.0.5:80");
	lan.net = "dmz";
	assert_int_equal(qnm_api_forward_add(other, &lan, &f, &res, &err), -EINVAL);
	assert_string_equal(
		err.msg, "host port tcp/9090 is forwarded by both network 'lan' and network 'dmz'");
	qnm_network_free(form);
	qnm_ctx_clear(other);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_net_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_save_checks_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_stale_copy_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_add_net, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_add_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_replace_keeps_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_list_targets, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
