// SPDX-License-Identifier: GPL-2.0-or-later
/* test-mac.c - MAC generation (random, LA unicast, unique across the model) and clash reports. */
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

#include "core/mac.h"
#include "core/model.h"
#include "core/validate.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_la_unicast(const char *mac)
{
	uint8_t m[6];

	assert_int_equal(strlen(mac), 17);
	assert_int_equal(qnm_parse_mac(mac, m), 0);
	assert_true(qnm_mac_is_unicast(m));
	assert_true(m[0] & 2); /* locally administered */
	assert_int_equal(qnm_check_mac(mac, "mac", NULL), 0);
	for (const char *p = mac; *p; p++)
		assert_true(*p == ':' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
}

/* 10,000 NICs over 100 VMs, all given MACs: all LA unicast, all different. */
static void test_ten_thousand(void **state)
{
	struct qnm_model model;
	char **all = malloc(10000 * sizeof(*all));
	size_t i, j, n = 0, assigned, total = 0;

	qnm_model_init(&model);
	for (i = 0; i < 100; i++) {
		char name[16];
		struct qnm_vm *vm;

		snprintf(name, sizeof(name), "vm%03zu", i);
		vm = qnm_vm_new(name);
		for (j = 0; j < 100; j++)
			qnm_vm_add_nic(vm);
		/* Each VM is assigned while already in the model, like the UI does. */
		qnm_model_add_vm(&model, vm);
		assert_int_equal(qnm_model_assign_macs(&model, vm, NULL, &assigned, NULL), 0);
		assert_int_equal(assigned, 100);
		total += assigned;
	}
	assert_int_equal(total, 10000);
	for (i = 0; i < model.nvms; i++)
		for (j = 0; j < model.vms[i]->nnics; j++) {
			check_la_unicast(model.vms[i]->nics[j].mac);
			all[n++] = model.vms[i]->nics[j].mac;
		}
	assert_int_equal(n, 10000);
	qsort(all, n, sizeof(*all), cmp_str);
	for (i = 1; i < n; i++)
		assert_string_not_equal(all[i - 1], all[i]);
	{
		struct qnm_mac_clash *c;
		size_t nc;

		qnm_mac_clashes(&model, &c, &nc);
		assert_int_equal(nc, 0);
		assert_null(c);
	}
	/* A second call assigns nothing: every NIC has a MAC now. */
	assert_int_equal(qnm_model_assign_macs(&model, model.vms[0], NULL, &assigned, NULL), 0);
	assert_int_equal(assigned, 0);
	free(all);
	qnm_model_clear(&model);
}

static void test_random_bits(void **state)
{
	unsigned seen_first[4] = { 0 };
	int i;

	for (i = 0; i < 2000; i++) {
		uint8_t m[6];
		char buf[QNM_MAC_LEN];

		assert_int_equal(qnm_mac_random(NULL, m), 0);
		assert_int_equal(m[0] & 3, 2);
		qnm_mac_format(m, buf);
		check_la_unicast(buf);
		seen_first[(m[0] >> 2) & 3]++;
	}
	/* Not a constant: the other bits of the first octet vary. */
	for (i = 0; i < 4; i++)
		assert_true(seen_first[i] > 300);
}

/* A scripted random source: hands out the byte strings in @data in turn. */
struct script {
	const uint8_t (*macs)[6];
	size_t n, next;
	int fail;
};

static int script_fill(void *buf, size_t n, void *data)
{
	struct script *s = data;

	assert_int_equal(n, 6);
	if (s->fail)
		return s->fail;
	memcpy(buf, s->macs[s->next % s->n], 6);
	s->next++;
	return 0;
}

/* A MAC that is taken (in another VM, in this VM, in QEMU's default block) is drawn again. */
static void test_avoids_used(void **state)
{
	static const uint8_t draws[][6] = {
		{ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }, /* used by vm "a" (upper case there) */
		{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, /* QEMU's default */
		{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 }, /* QEMU's default for a second NIC */
		{ 0x03, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 }, /* used by b's own n1 once forced LA */
		{ 0xfd, 0x00, 0x00, 0x00, 0x00, 0x07 }, /* free: becomes fe:00:00:00:00:07 */
		{ 0xfe, 0x00, 0x00, 0x00, 0x00, 0x07 }, /* the same MAC again: just assigned */
		{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, /* free: 02:00:00:00:00:00 */
	};
	struct script s = { draws, sizeof(draws) / sizeof(draws[0]), 0, 0 };
	struct qnm_mac_rng rng = { script_fill, &s };
	struct qnm_model model;
	struct qnm_vm *a, *b;
	size_t assigned;

	qnm_model_init(&model);
	a = qnm_vm_new("a");
	qnm_strlcpy(qnm_vm_add_nic(a)->mac, "02:11:22:33:44:55", QNM_MAC_LEN);
	qnm_strlcpy(a->nics[0].mac, "02:11:22:33:44:55", QNM_MAC_LEN);
	qnm_model_add_vm(&model, a);
	/* b is not in the model yet (a new VM being created). */
	b = qnm_vm_new("b");
	qnm_vm_add_nic(b);
	qnm_strlcpy(qnm_vm_add_nic(b)->mac, "02:AA:BB:CC:DD:01", QNM_MAC_LEN);
	qnm_vm_add_nic(b);

	assert_int_equal(qnm_model_assign_macs(&model, b, &rng, &assigned, NULL), 0);
	assert_int_equal(assigned, 2);
	assert_string_equal(b->nics[0].mac, "fe:00:00:00:00:07");
	assert_string_equal(b->nics[1].mac, "02:AA:BB:CC:DD:01"); /* kept as it was */
	assert_string_equal(b->nics[2].mac, "02:00:00:00:00:00");
	assert_int_equal(s.next, 7);
	qnm_vm_free(b);
	qnm_model_clear(&model);
}

/* A random source that never yields a free MAC fails after a bounded number of draws. */
static void test_broken_rng(void **state)
{
	static const uint8_t same[][6] = { { 0x02, 1, 2, 3, 4, 5 } };
	struct script s = { same, 1, 0, 0 };
	struct qnm_mac_rng rng = { script_fill, &s };
	struct qnm_vm *vm = qnm_vm_new("v");
	struct qnm_err err;
	size_t assigned = 99;

	qnm_vm_add_nic(vm);
	qnm_vm_add_nic(vm);
	assert_int_equal(qnm_model_assign_macs(NULL, vm, &rng, &assigned, &err), -EAGAIN);
	assert_string_equal(err.field, "nic[n1].mac");
	assert_non_null(strstr(err.msg, "random"));
	/* On failure no NIC changed, not even the first one that got a MAC. */
	assert_string_equal(vm->nics[0].mac, "");
	assert_string_equal(vm->nics[1].mac, "");
	assert_int_equal(assigned, 0);
	assert_true(s.next <= 1 + 64);

	s.fail = -EIO;
	assert_int_equal(qnm_model_assign_macs(NULL, vm, &rng, NULL, &err), -EIO);
	assert_string_equal(vm->nics[0].mac, "");
	qnm_vm_free(vm);
}

static struct qnm_vm *vm_with_macs(const char *name, const char *const *macs, size_t n)
{
	struct qnm_vm *vm = qnm_vm_new(name);
	size_t i;

	for (i = 0; i < n; i++)
		qnm_strlcpy(qnm_vm_add_nic(vm)->mac, macs[i], QNM_MAC_LEN);
	return vm;
}

static void test_clashes(void **state)
{
	static const char *const a[] = { "52:54:00:12:34:56", "02:00:00:00:00:01", "" };
	static const char *const b[] = { "52:54:00:12:34:56", "02:00:00:00:00:02", "bogus" };
	static const char *const c[] = { "52:54:00:12:34:56", "02:00:00:00:00:02" };
	static const char *const d[] = { "0A:00:00:00:00:09", "0a:00:00:00:00:09", "" };
	struct qnm_mac_clash *v;
	struct qnm_model model;
	size_t n;
	char *t;

	qnm_model_init(&model);
	qnm_model_add_vm(&model, vm_with_macs("alpha", a, 3));
	qnm_model_add_vm(&model, vm_with_macs("bravo", b, 3));
	qnm_model_add_vm(&model, vm_with_macs("charlie", c, 2));
	qnm_model_add_vm(&model, vm_with_macs("delta", d, 3));
	qnm_mac_clashes(&model, &v, &n);
	/* 52:54:00:12:34:56 three times: 3 pairs; 02:..:02 twice: 1; 0a:..:09 in delta: 1. */
	assert_int_equal(n, 5);
	assert_string_equal(v[0].mac, "02:00:00:00:00:02");
	assert_string_equal(v[0].vm_a, "bravo");
	assert_string_equal(v[0].nic_a, "n1");
	assert_string_equal(v[0].vm_b, "charlie");
	assert_string_equal(v[0].nic_b, "n1");
	assert_string_equal(v[1].mac, "0a:00:00:00:00:09");
	assert_string_equal(v[1].vm_a, "delta");
	assert_string_equal(v[1].nic_a, "n0");
	assert_string_equal(v[1].vm_b, "delta");
	assert_string_equal(v[1].nic_b, "n1");
	assert_string_equal(v[2].mac, "52:54:00:12:34:56");
	assert_string_equal(v[2].vm_a, "alpha");
	assert_string_equal(v[2].vm_b, "bravo");
	assert_string_equal(v[3].vm_a, "alpha");
	assert_string_equal(v[3].vm_b, "charlie");
	assert_string_equal(v[4].vm_a, "bravo");
	assert_string_equal(v[4].vm_b, "charlie");
	assert_string_equal(v[4].nic_a, "n0");
	assert_string_equal(v[4].nic_b, "n0");

	t = qnm_mac_clash_text(&v[4]);
	assert_string_equal(t, "MAC 52:54:00:12:34:56 is used by both VM 'bravo' NIC 'n0' and "
			       "VM 'charlie' NIC 'n0'");
	free(t);
	t = qnm_mac_clash_text(&v[1]);
	assert_string_equal(
		t, "MAC 0a:00:00:00:00:09 is used by both NIC 'n0' and NIC 'n1' of VM 'delta'");
	free(t);
	free(v);

	/* The validator agrees that this model is not acceptable. */
	assert_int_equal(qnm_check_model(&model, NULL), -EINVAL);
	qnm_model_clear(&model);

	/* An empty model has no clashes. */
	qnm_model_init(&model);
	qnm_mac_clashes(&model, &v, &n);
	assert_int_equal(n, 0);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_thousand), cmocka_unit_test(test_random_bits),
		cmocka_unit_test(test_avoids_used),  cmocka_unit_test(test_broken_rng),
		cmocka_unit_test(test_clashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
