// SPDX-License-Identifier: GPL-2.0-or-later
/* test-backend.c - the backend table: every backend fills its ops, and the questions callers ask it. */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/docresult.h"
#include "core/model.h"

/* Every backend says what it is, validates, writes QEMU options, explains itself. */
static void test_table(void **state)
{
	const struct qnm_backend_ops *b;
	size_t i, j, n = 0;

	for (i = 0; (b = qnm_backend_get((enum qnm_backend_kind)i)); i++, n++) {
		assert_int_equal(b->kind, i);
		assert_string_equal(b->name, qnm_backend_name(b->kind));
		assert_non_null(b->netdev_type);
		assert_true(b->summary && b->summary[0]);
		assert_true(b->mode_title && b->mode_title[0]);
		assert_true(b->mode_text && b->mode_text[0]);
		assert_true(b->conns_label && b->conns_label[0]);
		assert_non_null(b->validate);
		assert_non_null(b->netdev_opts);
		assert_non_null(b->nic_form_ok);
		assert_non_null(b->hops);
		/* what comes in pairs */
		assert_true(!b->host_prepare == !b->host_release);
		assert_true(!b->hostfwd_live || b->has_hostfwd);
		assert_true(!b->slirp_helper || b->hostfwd_live);
		assert_true(!b->helper_argv == !b->helper_name);
		assert_true(!b->helper_argv == !b->helper_pid);
		assert_true(!b->helper_argv || b->host_prepare);
		for (j = 0; j < b->nchecks; j++)
			assert_true(b->checks[j].id && b->checks[j].title && b->checks[j].run);
	}
	assert_int_equal(n, 6);
	assert_null(qnm_backend_get((enum qnm_backend_kind)n));
	assert_null(qnm_backend_get((enum qnm_backend_kind) - 1));
}

static struct qnm_vm *vm_with(const char *backend)
{
	struct qnm_vm *vm = qnm_vm_new("web");
	struct qnm_nic *n = qnm_vm_add_nic(vm);

	assert_int_equal(qnm_backend_parse(backend, &n->backend), 0);
	return vm;
}

/* Where a NIC attaches, asked of its backend. */
static void test_attach(void **state)
{
	struct qnm_model m;
	struct qnm_network *net = qnm_network_new("lan");
	struct qnm_vm *vm;
	const struct qnm_backend_ops *b;
	char buf[64];

	qnm_model_init(&m);
	qnm_strlcpy(net->bridge, "qnmbr0", sizeof(net->bridge));
	qnm_model_add_net(&m, net);

	vm = vm_with("tap");
	b = qnm_nic_backend(&vm->nics[0]);
	qnm_strlcpy(vm->nics[0].tap.network, "lan", sizeof(vm->nics[0].tap.network));
	assert_string_equal(qnm_nic_network(&vm->nics[0]), "lan");
	assert_null(b->own_bridge(&vm->nics[0]));
	assert_string_equal(b->live_bridge(&m, &vm->nics[0]), "qnmbr0");
	assert_true(b->host_ifname(vm, 0, buf));
	assert_string_equal(buf, "qt-web-0");
	assert_string_equal(qnm_nic_label(&vm->nics[0], buf, sizeof(buf)),
			    "virtio-net-pci/tap:lan");
	assert_true(qnm_backend_has_counters(b));
	assert_false(b->has_hostfwd);
	vm->nics[0].tap.network[0] = '\0';
	qnm_strlcpy(vm->nics[0].tap.bridge, "br9", sizeof(vm->nics[0].tap.bridge));
	assert_null(qnm_nic_network(&vm->nics[0]));
	assert_string_equal(b->own_bridge(&vm->nics[0]), "br9");
	assert_string_equal(b->live_bridge(&m, &vm->nics[0]), "br9");
	qnm_vm_free(vm);

	vm = vm_with("bridge");
	b = qnm_nic_backend(&vm->nics[0]);
	qnm_strlcpy(vm->nics[0].bridge.br, "br0", sizeof(vm->nics[0].bridge.br));
	assert_null(qnm_nic_network(&vm->nics[0]));
	assert_string_equal(b->own_bridge(&vm->nics[0]), "br0");
	assert_string_equal(b->live_bridge(&m, &vm->nics[0]), "br0");
	assert_null(b->host_ifname);
	assert_false(qnm_backend_has_counters(b));
	assert_string_equal(qnm_nic_label(&vm->nics[0], buf, sizeof(buf)),
			    "virtio-net-pci/bridge:br0");
	qnm_vm_free(vm);

	vm = vm_with("slirp");
	b = qnm_nic_backend(&vm->nics[0]);
	assert_true(b->has_hostfwd && b->slirp_helper && b->conns);
	assert_null(b->live_bridge);
	assert_true(qnm_backend_has_counters(b));
	assert_string_equal(qnm_nic_label(&vm->nics[0], buf, sizeof(buf)), "virtio-net-pci/slirp");
	qnm_vm_free(vm);

	vm = vm_with("user");
	b = qnm_nic_backend(&vm->nics[0]);
	assert_true(b->has_hostfwd && b->conns && b->needs_qemu_slirp);
	assert_false(b->slirp_helper || qnm_backend_has_counters(b));
	qnm_vm_free(vm);

	/* passt: a process per NIC, forwards fixed at start, no counters, no connection table */
	vm = vm_with("passt");
	b = qnm_nic_backend(&vm->nics[0]);
	assert_true(b->has_hostfwd && b->host_prepare && b->reclaim && b->nchecks == 1);
	assert_false(b->slirp_helper || b->hostfwd_live || b->conns || b->needs_qemu_slirp ||
		     b->needs_net_admin || qnm_backend_has_counters(b));
	assert_string_equal(b->checks[0].id, "passt");
	assert_string_equal(qnm_nic_label(&vm->nics[0], buf, sizeof(buf)), "virtio-net-pci/passt");
	assert_non_null(strstr(b->mode_text, "restart"));
	assert_non_null(strstr(b->mode_text, "counters are not available"));
	qnm_vm_free(vm);

	/* private: a segment's switch, no root, counters from its ports, nothing of the host */
	vm = vm_with("private");
	b = qnm_nic_backend(&vm->nics[0]);
	qnm_strlcpy(vm->nics[0].priv.segment, "lab", sizeof(vm->nics[0].priv.segment));
	assert_true(b->host_prepare && b->reclaim && b->nic_stats && b->nchecks == 1);
	assert_true(qnm_backend_has_counters(b));
	assert_false(b->has_hostfwd || b->slirp_helper || b->conns || b->needs_qemu_slirp ||
		     b->needs_net_admin || b->opens_tun || b->on_bridge || b->host_ifname);
	assert_null(qnm_nic_network(&vm->nics[0]));
	assert_string_equal(b->checks[0].id, "private_switch");
	assert_string_equal(qnm_nic_label(&vm->nics[0], buf, sizeof(buf)),
			    "virtio-net-pci/private:lab");
	assert_non_null(strstr(b->mode_text, "No DHCP"));
	qnm_vm_free(vm);
	qnm_model_clear(&m);
}

/* The Modes screen's boxes: each backend's chain fits and says something. */
static void test_hops(void **state)
{
	static const char *const names[] = { "user", "slirp", "tap", "bridge", "passt", "private" };
	struct qnm_model m;
	size_t i, k, n;

	qnm_model_init(&m);
	for (i = 0; i < QNM_ARRAY_SIZE(names); i++) {
		struct qnm_vm *vm = vm_with(names[i]);
		struct qnm_hop h[QNM_HOPS_MAX];

		qnm_strlcpy(vm->nics[0].priv.segment, "lab", sizeof(vm->nics[0].priv.segment));
		memset(h, 0, sizeof(h));
		n = qnm_nic_backend(&vm->nics[0])->hops(&m, vm, 0, h);
		assert_true(n > 0 && n <= QNM_HOPS_MAX);
		for (k = 0; k < n; k++)
			assert_true(h[k].title[0] && h[k].detail[0]);
		qnm_vm_free(vm);
	}
	qnm_model_clear(&m);
}

/*
 * A NIC on a bridged network (a TAP on it, or the bridge helper on its
 * bridge): guest -> TAP -> bridge -> port -> LAN, the TAP's, the bridge's
 * and the port's host counters live.
 */
static void test_hops_bridged(void **state)
{
	static const char *const names[] = { "tap", "bridge" };
	struct qnm_network *net = qnm_network_new("phys");
	struct qnm_model m;
	size_t i, n;

	qnm_model_init(&m);
	qnm_strlcpy(net->bridge, "qbr1", sizeof(net->bridge));
	qnm_strlcpy(net->port, "qeth0", sizeof(net->port));
	net->mode = QNM_NET_BRIDGED;
	qnm_model_add_net(&m, net);
	for (i = 0; i < QNM_ARRAY_SIZE(names); i++) {
		struct qnm_vm *vm = vm_with(names[i]);
		struct qnm_hop h[QNM_HOPS_MAX];

		qnm_strlcpy(vm->nics[0].tap.network, "phys", sizeof(vm->nics[0].tap.network));
		qnm_strlcpy(vm->nics[0].bridge.br, "qbr1", sizeof(vm->nics[0].bridge.br));
		memset(h, 0, sizeof(h));
		n = qnm_nic_backend(&vm->nics[0])->hops(&m, vm, 0, h);
		assert_int_equal(n, 4);
		assert_true(h[0].live == QNM_HOP_LIVE_LINK || h[0].live == QNM_HOP_LIVE_NIC_LINK);
		assert_string_equal(h[1].title, "bridge qbr1");
		assert_int_equal(h[1].live, QNM_HOP_LIVE_LINK);
		assert_string_equal(h[1].link, "qbr1");
		assert_string_equal(h[2].title, "port qeth0");
		assert_int_equal(h[2].live, QNM_HOP_LIVE_LINK);
		assert_string_equal(h[2].link, "qeth0");
		assert_string_equal(h[3].title, "LAN");
		qnm_vm_free(vm);
	}
	qnm_model_clear(&m);
}

/* The bridge backend brings the doctor's bridge_helper and bridge_conf checks. */
static void test_checks(void **state)
{
	const struct qnm_backend_ops *b = qnm_backend_get(qnm_backend_bridge.kind);
	struct qnm_doc_result r;
	struct qnm_model m;

	assert_int_equal(b->nchecks, 2);
	assert_string_equal(b->checks[0].id, "bridge_helper");
	assert_string_equal(b->checks[1].id, "bridge_conf");
	/* no bridge NIC: the helper check has nothing to look at */
	qnm_model_init(&m);
	qnm_doc_result_init(&r);
	b->checks[0].run(&m, &r);
	assert_int_equal(r.status, QNM_DOC_SKIP);
	qnm_doc_result_clear(&r);
	qnm_model_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_hops),
		cmocka_unit_test(test_hops_bridged),
		cmocka_unit_test(test_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
