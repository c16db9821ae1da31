// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-catalog.c - the device-model catalog: parsing real "-device help"
 * output and garbage, the built-in list, running QEMU (real and fake
 * binaries) and the cache keyed by the binary.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest/catalog.h"

/* Captured from QEMU 7.2 (Debian 12) "qemu-system-x86_64 -device help", lines 90-134. */
static const char capture[] =
	"name \"virtio-blk-pci-transitional\", bus PCI\n"
	"name \"virtio-pmem\", bus virtio-bus\n"
	"name \"virtio-scsi-device\", bus virtio-bus\n"
	"name \"virtio-scsi-pci\", bus PCI, alias \"virtio-scsi\"\n"
	"name \"virtio-scsi-pci-non-transitional\", bus PCI\n"
	"name \"virtio-scsi-pci-transitional\", bus PCI\n"
	"\n"
	"Network devices:\n"
	"name \"e1000\", bus PCI, alias \"e1000-82540em\", desc \"Intel Gigabit Ethernet\"\n"
	"name \"e1000-82544gc\", bus PCI, desc \"Intel Gigabit Ethernet\"\n"
	"name \"e1000-82545em\", bus PCI, desc \"Intel Gigabit Ethernet\"\n"
	"name \"e1000e\", bus PCI, desc \"Intel 82574L GbE Controller\"\n"
	"name \"i82550\", bus PCI, desc \"Intel i82550 Ethernet\"\n"
	"name \"i82551\", bus PCI, desc \"Intel i82551 Ethernet\"\n"
	"name \"i82557a\", bus PCI, desc \"Intel i82557A Ethernet\"\n"
	"name \"i82557b\", bus PCI, desc \"Intel i82557B Ethernet\"\n"
	"name \"i82557c\", bus PCI, desc \"Intel i82557C Ethernet\"\n"
	"name \"i82558a\", bus PCI, desc \"Intel i82558A Ethernet\"\n"
	"name \"i82558b\", bus PCI, desc \"Intel i82558B Ethernet\"\n"
	"name \"i82559a\", bus PCI, desc \"Intel i82559A Ethernet\"\n"
	"name \"i82559b\", bus PCI, desc \"Intel i82559B Ethernet\"\n"
	"name \"i82559c\", bus PCI, desc \"Intel i82559C Ethernet\"\n"
	"name \"i82559er\", bus PCI, desc \"Intel i82559ER Ethernet\"\n"
	"name \"i82562\", bus PCI, desc \"Intel i82562 Ethernet\"\n"
	"name \"i82801\", bus PCI, desc \"Intel i82801 Ethernet\"\n"
	"name \"ne2k_isa\", bus ISA\n"
	"name \"ne2k_pci\", bus PCI\n"
	"name \"pcnet\", bus PCI\n"
	"name \"pvrdma\", bus PCI, desc \"RDMA Device\"\n"
	"name \"rocker\", bus PCI, desc \"Rocker Switch\"\n"
	"name \"rtl8139\", bus PCI\n"
	"name \"tulip\", bus PCI\n"
	"name \"usb-net\", bus usb-bus\n"
	"name \"virtio-net-device\", bus virtio-bus\n"
	"name \"virtio-net-pci\", bus PCI, alias \"virtio-net\"\n"
	"name \"virtio-net-pci-non-transitional\", bus PCI\n"
	"name \"virtio-net-pci-transitional\", bus PCI\n"
	"name \"vmxnet3\", bus PCI, desc \"VMWare Paravirtualized Ethernet v3\"\n"
	"\n"
	"Input devices:\n"
	"name \"ccid-card-emulated\", bus ccid-bus, desc \"emulated smartcard\"\n"
	"name \"ccid-card-passthru\", bus ccid-bus, desc \"passthrough smartcard\"\n"
	"name \"i8042\", bus ISA\n"
	"name \"ipoctal232\", bus IndustryPack, desc \"GE IP-Octal 232 8-channel RS-232 IndustryPack\"\n"
	"name \"isa-parallel\", bus ISA\n";

static struct qnm_catalog *parse(const char *text, size_t len, int *r)
{
	struct qnm_catalog *c = qnm_catalog_new("x86_64");
	struct qnm_err err;

	*r = qnm_catalog_parse(c, text, len, &err);
	return c;
}

static void test_parse_capture(void **state)
{
	const struct qnm_nic_model *m;
	struct qnm_catalog *c;
	int r;

	c = parse(capture, strlen(capture), &r);
	assert_int_equal(r, 0);
	assert_int_equal(c->n, 30);
	/* QEMU's order is kept. */
	assert_string_equal(c->models[0].name, "e1000");
	assert_string_equal(c->models[29].name, "vmxnet3");

	m = qnm_catalog_find(c, "e1000");
	assert_non_null(m);
	assert_string_equal(m->bus, "PCI");
	assert_string_equal(m->alias, "e1000-82540em");
	assert_string_equal(m->desc, "Intel Gigabit Ethernet");
	assert_false(m->no_user);
	assert_non_null(m->hint);

	m = qnm_catalog_find(c, "rtl8139");
	assert_non_null(m);
	assert_string_equal(m->bus, "PCI");
	assert_null(m->alias);
	assert_null(m->desc);
	assert_non_null(m->hint);

	/* Found by alias too. */
	m = qnm_catalog_find(c, "virtio-net");
	assert_non_null(m);
	assert_string_equal(m->name, "virtio-net-pci");

	m = qnm_catalog_find(c, "usb-net");
	assert_non_null(m);
	assert_string_equal(m->bus, "usb-bus");
	m = qnm_catalog_find(c, "ne2k_isa");
	assert_non_null(m);
	assert_string_equal(m->bus, "ISA");
	m = qnm_catalog_find(c, "vmxnet3");
	assert_string_equal(m->desc, "VMWare Paravirtualized Ethernet v3");

	/* Neighbouring sections are not network devices. */
	assert_null(qnm_catalog_find(c, "virtio-scsi-pci"));
	assert_null(qnm_catalog_find(c, "virtio-scsi"));
	assert_null(qnm_catalog_find(c, "virtio-keyboard-pci"));
	assert_null(qnm_catalog_find(c, "no-such-nic"));

	assert_string_equal(qnm_catalog_recommended(c, QNM_GUEST_LINUX), "virtio-net-pci");
	assert_string_equal(qnm_catalog_recommended(c, QNM_GUEST_WINDOWS), "e1000");
	qnm_catalog_free(c);
}

static void test_parse_no_section(void **state)
{
	static const char text[] = "Storage devices:\nname \"ide-hd\", bus IDE\n\n"
				   "network devices:\nname \"e1000\", bus PCI\n";
	struct qnm_catalog *c;
	struct qnm_err err;

	c = qnm_catalog_new("x86_64");
	assert_int_equal(qnm_catalog_parse(c, text, strlen(text), &err), -ENOENT);
	assert_int_equal(c->n, 0);
	assert_non_null(strstr(err.msg, "Network devices"));
	assert_int_equal(qnm_catalog_parse(c, "", 0, &err), -ENOENT);
	assert_int_equal(qnm_catalog_parse(c, NULL, 0, NULL), -ENOENT);
	qnm_catalog_free(c);
}

/* Malformed lines are skipped one by one; the good ones around them stay. */
static void test_parse_malformed(void **state)
{
	static const char text[] =
		"junk before\n"
		"Network devices:\r\n"
		"name \"good1\", bus PCI, desc \"Fine\"\r\n"
		"name \"unterminated, bus PCI\n"
		"name \"has space\", bus PCI\n"
		"name \"semi;colon\", bus PCI\n"
		"name \"\", bus PCI\n"
		"name \"abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh\", bus PCI\n" /* 48 */
		"name \"abcdefghijabcdefghijabcdefghijabcdefghijabcdefg\", bus PCI\n"  /* 47 */
		"  name \"indented\", bus PCI\n"
		"name\"nospace\", bus PCI\n"
		"name \"good1\", bus ISA, desc \"duplicate: the first one wins\"\n"
		"name \"ctl\", bus PCI, desc \"bell\a here\"\n"
		"name \"quoted\", bus PCI, desc \"a \"quoted\", word, ok\"\n"
		"name \"nouser\", bus XenBus, no-user\n"
		"name \"future\", bus PCI, colour \"blue\", alias \"fut\", desc \"x\"\n"
		"name \"badalias\", alias \"a b\", bus PCI\n"
		"name \"nobus\"\n"
		"Input devices:\n"
		"name \"kbd\", bus PCI\n";
	const struct qnm_nic_model *m;
	struct qnm_catalog *c;
	int r;

	c = parse(text, sizeof(text) - 1, &r);
	assert_int_equal(r, 0);
	m = qnm_catalog_find(c, "good1");
	assert_non_null(m);
	assert_string_equal(m->bus, "PCI");
	assert_string_equal(m->desc, "Fine");
	assert_null(qnm_catalog_find(c, "unterminated"));
	assert_null(qnm_catalog_find(c, "has space"));
	assert_null(qnm_catalog_find(c, "semi;colon"));
	assert_null(qnm_catalog_find(c, ""));
	assert_null(qnm_catalog_find(c, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh"));
	assert_non_null(qnm_catalog_find(c, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefg"));
	assert_null(qnm_catalog_find(c, "indented"));
	assert_null(qnm_catalog_find(c, "nospace"));
	m = qnm_catalog_find(c, "ctl");
	assert_non_null(m);
	assert_null(m->desc); /* control characters never reach a terminal */
	m = qnm_catalog_find(c, "quoted");
	assert_string_equal(m->desc, "a \"quoted\", word, ok");
	m = qnm_catalog_find(c, "nouser");
	assert_true(m->no_user);
	assert_string_equal(m->bus, "XenBus");
	m = qnm_catalog_find(c, "future");
	assert_string_equal(m->alias, "fut");
	assert_string_equal(m->desc, "x");
	m = qnm_catalog_find(c, "badalias");
	assert_null(m->alias);
	assert_string_equal(m->bus, "PCI");
	m = qnm_catalog_find(c, "nobus");
	assert_string_equal(m->bus, "");
	assert_null(qnm_catalog_find(c, "kbd"));
	assert_int_equal(c->n, 8);
	/* Nothing recommendable in this list. */
	assert_null(qnm_catalog_recommended(c, QNM_GUEST_LINUX));
	qnm_catalog_free(c);
}

/* Bytes after the text's length are never read; NUL bytes inside are just bytes. */
static void test_parse_bounds(void **state)
{
	static const char text[] = "Network devices:\nname \"e1000\", bus PCI, desc \"Intel\"\n"
				   "name \"rtl\0x\", bus PCI\nname \"pcnet\", bus PCI";
	struct qnm_catalog *c;
	char *copy;
	size_t cut;
	int r;

	c = parse(text, sizeof(text) - 1, &r);
	assert_int_equal(r, 0);
	assert_non_null(qnm_catalog_find(c, "e1000"));
	assert_null(qnm_catalog_find(c, "rtl"));
	assert_non_null(qnm_catalog_find(c, "pcnet")); /* last line without '\n' */
	qnm_catalog_free(c);

	/* Every prefix of the capture, copied to a heap buffer of exactly that size
	 * (ASan catches a read past it). */
	for (cut = 0; cut <= strlen(capture); cut += 7) {
		copy = malloc(cut ? cut : 1);
		memcpy(copy, capture, cut);
		c = parse(copy, cut, &r);
		assert_true(c->n <= 30);
		qnm_catalog_free(c);
		free(copy);
	}
}

/*
 * Many models: the first of a name or of an alias wins, at most 1024 are kept
 * (the fuzz harness runs with inputs of at most 4 KiB, too short to reach the
 * limit), and a second parse into the same catalog keeps what it holds.
 */
static void test_parse_many(void **state)
{
	struct qnm_strbuf sb;
	struct qnm_catalog *c;
	struct qnm_err err;
	int i;

	qnm_sb_init(&sb);
	qnm_sb_add(&sb, "Network devices:\n");
	qnm_sb_add(&sb, "name \"nic-0\", bus PCI, alias \"first\", desc \"kept\"\n");
	qnm_sb_add(&sb, "name \"first\", bus ISA\n");			/* an alias taken */
	qnm_sb_add(&sb, "name \"nic-0\", bus ISA, desc \"dropped\"\n"); /* a name taken */
	for (i = 1; i < 1100; i++)
		qnm_sb_addf(&sb, "name \"nic-%d\", bus PCI\nname \"nic-%d\", bus ISA\n", i, i / 2);
	c = qnm_catalog_new("x86_64");
	assert_int_equal(qnm_catalog_parse(c, sb.s, sb.len, &err), 0);
	assert_int_equal(c->n, 1024);
	assert_string_equal(qnm_catalog_find(c, "nic-0")->desc, "kept");
	assert_ptr_equal(qnm_catalog_find(c, "first"), &c->models[0]);
	for (i = 0; i < 1024; i++) {
		char name[16];

		snprintf(name, sizeof(name), "nic-%d", i);
		assert_ptr_equal(qnm_catalog_find(c, name), &c->models[i]);
		assert_string_equal(c->models[i].bus, "PCI");
	}
	assert_null(qnm_catalog_find(c, "nic-1024"));
	qnm_catalog_free(c);

	c = qnm_catalog_new("x86_64");
	assert_int_equal(qnm_catalog_parse(c, sb.s, 120, &err), 0);
	assert_int_equal(c->n, 1);
	assert_int_equal(qnm_catalog_parse(c, sb.s, sb.len, &err), 0);
	assert_int_equal(c->n, 1024);
	assert_string_equal(c->models[0].desc, "kept");
	qnm_catalog_free(c);
	qnm_sb_free(&sb);
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 47)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

/* Random mutations of the capture: no crash, and every model kept is sane. */
static void test_parse_garbage(void **state)
{
	uint32_t seed = 12345;
	size_t len = strlen(capture);
	int round;

	for (round = 0; round < 3000; round++) {
		char *buf = malloc(len);
		struct qnm_catalog *c;
		int flips = 1 + round % 40, i, r;
		size_t k;

		memcpy(buf, capture, len);
		for (i = 0; i < flips; i++) {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			buf[k] = (char)(seed >> 16);
		}
		c = parse(buf, len, &r);
		for (k = 0; k < c->n; k++) {
			const struct qnm_nic_model *m = &c->models[k];

			assert_true(name_ok(m->name));
			assert_true(!m->alias || name_ok(m->alias));
			for (const char *p = m->bus; *p; p++)
				assert_true(*p >= 0x20 && *p < 0x7f);
			for (const char *p = m->desc ? m->desc : ""; *p; p++)
				assert_true(*p >= 0x20 && *p < 0x7f);
		}
		qnm_catalog_free(c);
		free(buf);
	}
}

static void test_builtin(void **state)
{
	static const char *const expect[] = { "e1000",		"e1000e",   "rtl8139",
					      "virtio-net-pci", "i82559er", "ne2k_pci",
					      "pcnet",		"vmxnet3",  "usb-net" };
	struct qnm_catalog *c = qnm_catalog_builtin("x86_64", "qemu-system-x86_64 was not found");
	size_t i;

	assert_int_equal(c->source, QNM_CATALOG_BUILTIN);
	assert_string_equal(qnm_catalog_source_name(c->source), "builtin");
	assert_string_equal(c->note, "qemu-system-x86_64 was not found");
	assert_null(c->qemu);
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const struct qnm_nic_model *m = qnm_catalog_find(c, expect[i]);

		assert_non_null(m);
		assert_non_null(m->desc);
		assert_non_null(m->hint);
		assert_false(m->no_user);
	}
	assert_string_equal(qnm_catalog_recommended(c, QNM_GUEST_LINUX), "virtio-net-pci");
	assert_string_equal(qnm_catalog_recommended(c, QNM_GUEST_WINDOWS), "e1000");
	assert_string_equal(qnm_catalog_recommended(NULL, QNM_GUEST_LINUX), "virtio-net-pci");
	qnm_catalog_free(c);
}

/* qnm_catalog_resolve(): names, QEMU aliases, any case, libvirt's names; advice for typos */
static void test_resolve(void **state)
{
	static const char *const same[][2] = {
		{ "e1000", "e1000" },
		{ "E1000", "e1000" },
		{ "e1000-82540em", "e1000" },
		{ "virtio", "virtio-net-pci" },
		{ "VirtIO", "virtio-net-pci" },
		{ "virtio-net", "virtio-net-pci" },
		{ "RTL8139", "rtl8139" },
		{ "virtio-transitional", "virtio-net-pci-transitional" },
		{ "Ne2k_PCI", "ne2k_pci" },
	};
	static const char *const bad[][2] = {
		{ "e1001", "did you mean e1000? " },
		{ "rtl8193", "did you mean rtl8139? " },
		{ "virtio-ne", "did you mean virtio-net-pci" },
		{ "vmxnet", "did you mean vmxnet3? " },
		{ "floppy", "('qnm models' lists them)" },
		{ "", "('qnm models' lists them)" },
	};
	struct qnm_catalog *c = qnm_catalog_builtin("x86_64", NULL);
	struct qnm_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		const struct qnm_nic_model *m = qnm_catalog_resolve(c, same[i][0], &err);

		assert_non_null(m);
		assert_string_equal(m->name, same[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		qnm_err_clear(&err);
		assert_null(qnm_catalog_resolve(c, bad[i][0], &err));
		assert_int_equal(err.code, -EINVAL);
		assert_string_equal(err.field, "model");
		assert_non_null(strstr(err.msg, "is not a NIC model of qnm's built-in list"));
		assert_non_null(strstr(err.msg, bad[i][1]));
	}
	assert_string_equal(qnm_catalog_closest(c, "e1001")->name, "e1000");
	assert_null(qnm_catalog_closest(c, "floppy"));
	qnm_catalog_free(c);
}

/* ---- running QEMU: the real one and fake ones ---- */

static char tmpdir[] = "/tmp/qnm-test-catalog.XXXXXX";

static char *write_script(const char *name, const char *body)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_run_real_qemu(void **state)
{
	char *qemu = qnm_catalog_find_qemu("x86_64"), *out;
	struct qnm_catalog *c;
	struct qnm_err err;
	size_t len;

	if (!qemu)
		skip();
	assert_int_equal(qnm_catalog_run_qemu(qemu, 20000, &out, &len, &err), 0);
	assert_int_equal(strlen(out), len);
	c = qnm_catalog_new("x86_64");
	assert_int_equal(qnm_catalog_parse(c, out, len, &err), 0);
	assert_non_null(qnm_catalog_find(c, "e1000"));
	assert_non_null(qnm_catalog_find(c, "rtl8139"));
	assert_non_null(qnm_catalog_find(c, "virtio-net-pci"));
	qnm_catalog_free(c);
	free(out);
	free(qemu);
}

static void test_run_failures(void **state)
{
	char *missing, *fails, *slow, *out = (char *)"x", *noisy;
	struct qnm_err err;
	long long t0;
	size_t len;

	assert_true(asprintf(&missing, "%s/qemu-system-none", tmpdir) > 0);
	assert_int_equal(qnm_catalog_run_qemu(missing, 1000, &out, &len, &err), -ENOENT);
	assert_null(out);
	assert_non_null(strstr(err.msg, missing));

	fails = write_script("fails", "echo 'Network devices:'; exit 3\n");
	assert_int_equal(qnm_catalog_run_qemu(fails, 5000, &out, &len, &err), -EIO);
	assert_non_null(strstr(err.msg, "exit status 3"));

	/* exec keeps the pid, so the kill reaches the sleeper and the pipe closes. */
	slow = write_script("slow", "exec sleep 30\n");
	t0 = ms_now();
	assert_int_equal(qnm_catalog_run_qemu(slow, 300, &out, &len, &err), -ETIMEDOUT);
	assert_true(ms_now() - t0 < 3000);
	assert_non_null(strstr(err.msg, "300 ms"));

	noisy = write_script("noisy", "exec cat /dev/zero\n");
	assert_int_equal(qnm_catalog_run_qemu(noisy, 10000, &out, &len, &err), -EFBIG);

	free(missing);
	free(fails);
	free(slow);
	free(noisy);
}

static const char fake_body[] =
	"echo run >> \"${0%%/*}/runs\"\n"
	"[ \"$1 $2\" = \"-device help\" ] || exit 1\n"
	"read x && exit 5\n" /* stdin must be /dev/null */
	"echo 'Network devices:'\n"
	"echo 'name \"e1000\", bus PCI, alias \"e1000-82540em\", desc \"Intel Gigabit Ethernet\"'\n"
	"echo 'name \"fakenic\", bus PCI, desc \"%s\"'\n"
	"echo\n"
	"echo 'Input devices:' ; echo 'name \"kbd\", bus PCI'\n"
	"echo noise >&2\n";

static int count_runs(void)
{
	char *path, line[64];
	int n = 0;
	FILE *f;

	assert_true(asprintf(&path, "%s/runs", tmpdir) > 0);
	f = fopen(path, "r");
	free(path);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static void test_load_and_cache(void **state)
{
	char body[1024], *qemu, *cache, *file;
	struct qnm_catalog *c;
	struct qnm_err err;
	struct timespec ts[2];
	FILE *f;

	snprintf(body, sizeof(body), fake_body, "first version");
	qemu = write_script("qemu-system-x86_64", body);
	assert_true(asprintf(&cache, "%s/cache/qnm", tmpdir) > 0);
	assert_true(asprintf(&file, "%s/models-x86_64", cache) > 0);

	/* First load runs QEMU and writes the cache (creating its directory). */
	assert_int_equal(qnm_catalog_load("x86_64", qemu, cache, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_QEMU);
	assert_string_equal(c->qemu, qemu);
	assert_int_equal(c->n, 2);
	assert_string_equal(qnm_catalog_find(c, "fakenic")->desc, "first version");
	assert_int_equal(count_runs(), 1);
	assert_int_equal(access(file, R_OK), 0);
	qnm_catalog_free(c);

	/* Second load: the cache, QEMU not run. */
	assert_int_equal(qnm_catalog_load("x86_64", qemu, cache, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_CACHE);
	assert_int_equal(c->n, 2);
	assert_string_equal(qnm_catalog_find(c, "e1000")->alias, "e1000-82540em");
	assert_string_equal(qnm_catalog_find(c, "fakenic")->desc, "first version");
	assert_int_equal(count_runs(), 1);
	qnm_catalog_free(c);

	/* Same size, new mtime: QEMU "upgraded", run again. */
	snprintf(body, sizeof(body), fake_body, "second versio");
	free(write_script("qemu-system-x86_64", body));
	ts[0].tv_sec = ts[1].tv_sec = 1000000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, qemu, ts, 0), 0);
	assert_int_equal(qnm_catalog_load("x86_64", qemu, cache, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_QEMU);
	assert_string_equal(qnm_catalog_find(c, "fakenic")->desc, "second versio");
	assert_int_equal(count_runs(), 2);
	qnm_catalog_free(c);

	/* Same mtime, new size: run again. */
	snprintf(body, sizeof(body), fake_body, "third version, longer");
	free(write_script("qemu-system-x86_64", body));
	assert_int_equal(utimensat(AT_FDCWD, qemu, ts, 0), 0);
	assert_int_equal(qnm_catalog_load("x86_64", qemu, cache, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_QEMU);
	assert_string_equal(qnm_catalog_find(c, "fakenic")->desc, "third version, longer");
	assert_int_equal(count_runs(), 3);
	qnm_catalog_free(c);

	/* A damaged cache file is ignored and rewritten. */
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	fclose(f);
	assert_int_equal(qnm_catalog_load("x86_64", qemu, cache, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_QEMU);
	assert_int_equal(count_runs(), 4);
	qnm_catalog_free(c);
	assert_int_equal(qnm_catalog_load("x86_64", qemu, cache, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_CACHE);
	assert_int_equal(count_runs(), 4);
	qnm_catalog_free(c);

	/* Found through $PATH when no binary is given; no cache dir: no cache. */
	{
		char *old = strdup(getenv("PATH") ? getenv("PATH") : ""), *path;

		assert_true(asprintf(&path, "relative:%s:/nonexistent", tmpdir) > 0);
		setenv("PATH", path, 1);
		assert_int_equal(qnm_catalog_load("x86_64", NULL, NULL, 5000, &c, &err), 0);
		assert_int_equal(c->source, QNM_CATALOG_QEMU);
		assert_string_equal(c->qemu, qemu);
		assert_int_equal(count_runs(), 5);
		qnm_catalog_free(c);

		/* Not in PATH: the built-in list, saying why. */
		setenv("PATH", "/nonexistent", 1);
		assert_int_equal(qnm_catalog_load("aarch64", NULL, cache, 5000, &c, &err), 0);
		assert_int_equal(c->source, QNM_CATALOG_BUILTIN);
		assert_null(c->qemu);
		assert_string_equal(c->arch, "aarch64");
		assert_non_null(strstr(c->note, "qemu-system-aarch64 was not found"));
		assert_non_null(qnm_catalog_find(c, "e1000"));
		qnm_catalog_free(c);
		setenv("PATH", old, 1);
		free(old);
		free(path);
	}
	free(qemu);
	free(cache);
	free(file);
}

static void test_load_fallbacks(void **state)
{
	char *qemu, *notqemu;
	struct qnm_catalog *c = NULL;
	struct qnm_err err;

	/* A binary that fails: built-in list, note names the failure. */
	qemu = write_script("broken", "exit 1\n");
	assert_int_equal(qnm_catalog_load("x86_64", qemu, NULL, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_BUILTIN);
	assert_non_null(strstr(c->note, "failed"));
	qnm_catalog_free(c);
	free(qemu);

	/* A binary whose output has no network section. */
	notqemu = write_script("notqemu", "echo hello\n");
	assert_int_equal(qnm_catalog_load("x86_64", notqemu, NULL, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_BUILTIN);
	assert_non_null(strstr(c->note, "network devices"));
	qnm_catalog_free(c);
	free(notqemu);

	/* A missing binary. */
	assert_int_equal(qnm_catalog_load("x86_64", "/nonexistent/qemu", NULL, 5000, &c, &err), 0);
	assert_int_equal(c->source, QNM_CATALOG_BUILTIN);
	assert_non_null(strstr(c->note, "/nonexistent/qemu"));
	qnm_catalog_free(c);

	/* Arch names that would escape the cache directory or PATH. */
	c = (struct qnm_catalog *)&err;
	assert_int_equal(qnm_catalog_load("../x", NULL, NULL, 5000, &c, &err), -EINVAL);
	assert_null(c);
	assert_string_equal(err.field, "arch");
	assert_int_equal(qnm_catalog_load("", NULL, NULL, 5000, &c, &err), -EINVAL);
	assert_int_equal(qnm_catalog_load("x86_64_and_far_too_long", NULL, NULL, 5000, &c, &err),
			 -EINVAL);
	assert_null(qnm_catalog_find_qemu("a/b"));
}

/* "-device MODEL,help" text: property names and types; the checks of props strings. */
static void test_dev_props(void **state)
{
	static const char text[] =
		"virtio-net-pci options:\n"
		"  acpi-index=<uint32>    -  (default: 0)\n"
		"  csum=<bool>            - on/off (default: true)\n"
		"  disable-legacy=<OnOffAuto> - on/off/auto (default: \"auto\")\n"
		"  rx_queue_size=<uint16> -  (default: 256)\n"
		"  tx_queue_size=<uint16> -  (default: 256)\n"
		"  virtio-backend=<child<virtio-net-device>>\n"
		"garbage line\n  no-type=\n  speed=<int32>\n";
	struct qnm_dev_props *p = xcalloc(1, sizeof(*p)), *b;
	struct qnm_err err;

	(void)state;
	qnm_strlcpy(p->model, "virtio-net-pci", sizeof(p->model));
	assert_int_equal(qnm_dev_props_parse(p, text, sizeof(text) - 1), 0);
	assert_int_equal(p->n, 7);
	assert_string_equal(qnm_dev_props_find(p, "csum")->type, "bool");
	assert_string_equal(qnm_dev_props_find(p, "disable-legacy")->type, "OnOffAuto");
	assert_string_equal(qnm_dev_props_find(p, "speed")->type, "int32");
	assert_null(qnm_dev_props_find(p, "no-type"));
	assert_int_equal(qnm_dev_props_check(p, "rx_queue_size=1024,csum=off,speed=-1", "f", &err),
			 0);
	assert_int_equal(
		qnm_dev_props_check(p, "disable-legacy=auto,acpi-index=4294967295", "f", &err), 0);
	assert_int_equal(qnm_dev_props_check(p, "acpi-index=4294967296", "f", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "from 0 to 4294967295"));
	assert_int_equal(qnm_dev_props_check(p, "csum=1", "f", &err), -EINVAL);
	assert_int_equal(qnm_dev_props_check(p, "disable-legacy=yes", "f", &err), -EINVAL);
	assert_int_equal(qnm_dev_props_check(p, "rx_queue_size=128", "f", &err), -EINVAL);
	assert_int_equal(qnm_dev_props_check(p, "tx_queue_size=512", "f", &err), -EINVAL);
	assert_int_equal(qnm_dev_props_check(p, "cusm=on", "f", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "did you mean csum?"));
	assert_int_equal(qnm_dev_props_parse(p, "nothing\n", 8), -ENOENT);
	qnm_dev_props_free(p);
	/* the built-in lists, and none for other models */
	b = qnm_dev_props_builtin("e1000");
	assert_non_null(b);
	assert_int_equal(b->source, QNM_CATALOG_BUILTIN);
	assert_string_equal(qnm_dev_props_find(b, "mitigation")->type, "bool");
	assert_null(qnm_dev_props_find(b, "rx_queue_size"));
	qnm_dev_props_free(b);
	assert_null(qnm_dev_props_builtin("pcnet"));
	/* QEMU-independent rules */
	assert_int_equal(qnm_check_props("", "f", &err), 0);
	assert_int_equal(qnm_check_props("a=1,b=on", "f", &err), 0);
	assert_int_equal(qnm_check_props("a=1,a=2", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_props("a=1,", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_props(",a=1", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_props("a", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_props("1a=2", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_props("bus=pcie.0", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_props("mq=on", "f", &err), -EINVAL);
	assert_int_equal(qnm_check_props("mq=off", "f", &err), 0);
	assert_int_equal(qnm_check_props("romfile=a;b", "f", &err), -EINVAL);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	/* The test-made scratch directory only. */
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_capture),	cmocka_unit_test(test_parse_no_section),
		cmocka_unit_test(test_parse_malformed), cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_parse_garbage),	cmocka_unit_test(test_parse_many),
		cmocka_unit_test(test_builtin),		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_run_real_qemu),	cmocka_unit_test(test_run_failures),
		cmocka_unit_test(test_load_and_cache),	cmocka_unit_test(test_load_fallbacks),
		cmocka_unit_test(test_dev_props),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
