// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-config.c - keyfile parsing, VM/network files, round trips, atomic
 * saves (with a child killed mid-save), never overwriting broken files,
 * and KEY=VALUE assignments.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/keyfile.h"
#include "core/model.h"
#include "core/schema.h"
#include "core/validate.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/qnm-test-config.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static void rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_rf(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static int teardown_dir(void **state)
{
	rm_rf(tmpdir);
	return 0;
}

static void paths_for(struct qnm_paths *p)
{
	memset(p, 0, sizeof(*p));
	p->config_dir = xasprintf("%s/config", tmpdir);
	p->vms_dir = xasprintf("%s/config/vms", tmpdir);
	p->nets_dir = xasprintf("%s/config/networks", tmpdir);
	p->runtime_dir = xasprintf("%s/run", tmpdir);
	p->data_dir = xasprintf("%s/data", tmpdir);
	p->cache_dir = xasprintf("%s/cache", tmpdir);
}

static struct qnm_vm *sample_vm(void)
{
	struct qnm_vm *vm = qnm_vm_new("web-1");
	struct qnm_nic *n;
	struct qnm_fwd f;
	struct qnm_err err;

	vm->memory_mb = 1024;
	vm->cpus = 2;
	vm->accel = QNM_ACCEL_TCG;
	vm->boot = QNM_BOOT_KERNEL;
	vm->kernel = xstrdup("/boot/vmlinuz,odd name");
	vm->initrd = xstrdup("/boot/initrd.img");
	vm->append = xstrdup("  console=ttyS0 quiet \"x\" ");
	qnm_vm_add_extra(vm, "-rtc");
	qnm_vm_add_extra(vm, "base=utc");
	n = qnm_vm_add_nic(vm);
	qnm_strlcpy(n->model, "e1000", sizeof(n->model));
	qnm_strlcpy(n->mac, "52:54:98:76:54:32", sizeof(n->mac));
	n->user.ipv6 = false;
	n->user.restrict_ = true;
	qnm_strlcpy(n->user.net, "10.0.3.0/24", sizeof(n->user.net));
	assert_int_equal(qnm_fwd_parse("tcp:127.0.0.1:2222-:22", &f, "hostfwd", &err), 0);
	qnm_fwd_add(&n->user.fwd, &n->user.nfwd, &f);
	assert_int_equal(qnm_fwd_parse("udp::5353-10.0.3.15:53", &f, "hostfwd", &err), 0);
	qnm_fwd_add(&n->user.fwd, &n->user.nfwd, &f);
	n->user.smb = xstrdup("/srv/share");
	n = qnm_vm_add_nic(vm);
	n->backend = QNM_BACKEND_TAP;
	qnm_strlcpy(n->tap.network, "lab", sizeof(n->tap.network));
	qnm_strlcpy(n->mac, "02:76:7d:d7:1e:3f", sizeof(n->mac));
	n->link_up = false;
	n = qnm_vm_add_nic(vm);
	n->backend = QNM_BACKEND_BRIDGE;
	qnm_strlcpy(n->bridge.br, "br0", sizeof(n->bridge.br));
	qnm_strlcpy(n->mac, "02:76:7d:d7:1e:40", sizeof(n->mac));
	return vm;
}

static void test_vm_round_trip(void **state)
{
	struct qnm_vm *vm = sample_vm(), *back;
	struct qnm_err err;
	char *text;

	assert_int_equal(qnm_check_vm(vm, &err), 0);
	text = qnm_vm_serialize(vm);
	qnm_err_clear(&err);
	if (qnm_vm_parse(text, strlen(text), "/x/web-1.conf", &back, &err))
		fail_msg("parse failed: %s\n%s", err.msg, text);
	assert_true(qnm_vm_equal(vm, back));
	/* Serialising again gives the very same text. */
	{
		char *again = qnm_vm_serialize(back);

		assert_string_equal(text, again);
		free(again);
	}
	free(text);
	qnm_vm_free(back);
	qnm_vm_free(vm);
}

static void test_network_round_trip(void **state)
{
	struct qnm_network *n = qnm_network_new("lab"), *back;
	struct qnm_fwd f;
	struct qnm_err err;
	char *text;

	qnm_strlcpy(n->bridge, "qnmbr0", sizeof(n->bridge));
	qnm_strlcpy(n->address, "10.77.0.1", sizeof(n->address));
	n->prefix = 24;
	qnm_strlcpy(n->uplink, "eth0", sizeof(n->uplink));
	qnm_strlcpy(n->dhcp_start, "10.77.0.100", sizeof(n->dhcp_start));
	qnm_strlcpy(n->dhcp_end, "10.77.0.200", sizeof(n->dhcp_end));
	assert_int_equal(qnm_fwd_parse("tcp::8080-10.77.0.10:80", &f, "forward", &err), 0);
	qnm_fwd_add(&n->fwd, &n->nfwd, &f);
	text = qnm_network_serialize(n);
	if (qnm_network_parse(text, strlen(text), "lab.conf", &back, &err))
		fail_msg("parse failed: %s\n%s", err.msg, text);
	assert_true(qnm_network_equal(n, back));
	free(text);
	qnm_network_free(back);
	qnm_network_free(n);
}

/*
 * A file's run of forward lines is parsed into an array made at once
 * (qnm_key_reserve()): runs of 1 to 1,000 load whole and in order, and
 * forwards appended afterwards (qnm_fwd_add(), as "net set forward+=")
 * grow that array as any other (ASan checks the bounds).
 */
static void test_network_forward_runs(void **state)
{
	static const size_t counts[] = { 1, 3, 8, 9, 1000 };
	size_t c, i;

	(void)state;
	for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct qnm_network *n = qnm_network_new("lab"), *back;
		struct qnm_fwd f;
		struct qnm_err err;
		char *text, spec[64];

		qnm_strlcpy(n->bridge, "qnmbr0", sizeof(n->bridge));
		qnm_strlcpy(n->address, "10.77.0.1", sizeof(n->address));
		n->prefix = 16;
		for (i = 0; i < counts[c]; i++) {
			snprintf(spec, sizeof(spec), "tcp::%zu-10.77.%zu.%zu:80", 10000 + i,
				 i / 250, 2 + i % 250);
			assert_int_equal(qnm_fwd_parse(spec, &f, "forward", &err), 0);
			qnm_fwd_add(&n->fwd, &n->nfwd, &f);
		}
		text = qnm_network_serialize(n);
		if (qnm_network_parse(text, strlen(text), "lab.conf", &back, &err))
			fail_msg("parse failed: %s", err.msg);
		assert_int_equal(back->nfwd, counts[c]);
		assert_true(qnm_network_equal(n, back));
		for (i = 0; i < 20; i++) {
			snprintf(spec, sizeof(spec), "udp::%zu-10.77.0.2:53", 30000 + i);
			assert_int_equal(qnm_fwd_parse(spec, &f, "forward", &err), 0);
			qnm_fwd_add(&back->fwd, &back->nfwd, &f);
		}
		assert_int_equal(back->nfwd, counts[c] + 20);
		assert_int_equal(back->fwd[counts[c] + 19].host_port, 30019);
		assert_int_equal(back->fwd[counts[c] - 1].host_port, 10000 + counts[c] - 1);
		free(text);
		qnm_network_free(back);
		qnm_network_free(n);
	}
}

/* Each bad file: the exact line reported and words of the rule. */
static void test_vm_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{ "[vm]\nmemroy = 5\n", "t.conf:2: unknown key 'memroy' in [vm]" },
		{ "[vm]\nmemory = lots\n",
		  "t.conf:2: memory: 'lots' must be a whole number from 16 to 4194304" },
		{ "[vm]\nmemory = 8\n", "t.conf:2: memory: '8' must be a whole number from 16" },
		{ "[vm]\ncpus = 1\ncpus = 2\n",
		  "t.conf:3: 'cpus' is given twice (first on line 2)" },
		{ "memory = 5\n", "t.conf:1: 'memory' comes before any [section]" },
		{ "[vm\n", "t.conf:1: section header must end with ']'" },
		{ "[disk]\n", "t.conf:1: unknown section [disk]" },
		{ "[vm]\njust words\n", "t.conf:2: expected 'key = value'" },
		{ "[vm]\n[nic]\n", "t.conf:2: a NIC section needs an id" },
		{ "[vm]\n[nic n0]\nmac = 01:00:5e:00:00:01\n",
		  "t.conf:3: nic[n0].mac: '01:00:5e:00:00:01' is a multicast MAC" },
		{ "[vm]\n[nic n0]\nmac = 52:54:00:zz:00:01\n",
		  "t.conf:3: nic[n0].mac: '52:54:00:zz:00:01' is not a MAC address" },
		{ "[vm]\n[nic n0]\nhostfwd = tcp::99999-:22\n",
		  "t.conf:3: nic[n0].hostfwd: host port '99999' must be a number from 1 to 65535" },
		{ "[vm]\n[nic n0]\nhostfwd = tcp::2222-:22\nhostfwd = tcp::2222-:23\n",
		  "t.conf:4: nic[n0].hostfwd: host port tcp/2222 is forwarded twice" },
		{ "[vm]\n[nic n0]\nbackend = tap\nhostfwd = tcp::1-:2\n",
		  "t.conf:4: 'hostfwd' does not apply to backend tap" },
		{ "[vm]\n[nic n0]\nbackend = tap\nifname = this-name-is-too-long\n",
		  "t.conf:4: nic[n0].ifname: 'this-name-is-too-long' is too long (at most 15 characters)" },
		{ "[vm]\n[nic n0]\nbackend = bridge\n",
		  "t.conf:2: nic[n0].br: the bridge helper needs a bridge name" },
		{ "[vm]\n[nic n0]\nmac = 02:00:00:00:00:01\n[nic n1]\nmac = 02:00:00:00:00:01\n",
		  "t.conf:5: nic[n1].mac: MAC 02:00:00:00:00:01 is also used by NIC 'n0'" },
		{ "[vm]\nboot = kernel\n", "t.conf:2: kernel: boot = kernel needs a kernel path" },
		{ "[vm]\nappend = \"unterminated\n", "t.conf:2: quoted value has no closing '\"'" },
		{ "[vm]\nappend = \"a\\qb\"\n", "t.conf:2: unknown escape '\\q'" },
		{ "[vm]\n[nic n0]\nbackend = carrier-pigeon\n",
		  "t.conf:3: nic[n0].backend: 'carrier-pigeon' must be one of: user, slirp, tap, bridge, passt, private" },
		{ "[vm]\n[nic n0]\nnet = 10.0.2.0/33\n",
		  "t.conf:3: nic[n0].net: '10.0.2.0/33' must be an IPv4 network" },
		{ "[vm]\n[nic n0]\nhost = 192.168.1.2\n",
		  "t.conf:3: nic[n0].host: 192.168.1.2 is outside the guest network 10.0.2.0/24" },
		{ "[vm]\nmemory = 64\n\0x\n", "t.conf:3: NUL byte" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qnm_vm *vm = NULL;
		struct qnm_err err;
		size_t len = strlen(cases[i].text);

		if (strstr(cases[i].expect, "NUL"))
			len += 3;
		qnm_err_clear(&err);
		if (qnm_vm_parse(cases[i].text, len, "t.conf", &vm, &err) == 0)
			fail_msg("case %zu parsed but should fail: %s", i, cases[i].text);
		assert_null(vm);
		if (!strstr(err.msg, cases[i].expect))
			fail_msg("case %zu:\n  expected: %s\n  got:      %s", i, cases[i].expect,
				 err.msg);
	}
}

static void test_network_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{ "[network]\nbridge = br0\naddress = 10.0.0.1\n",
		  "t.conf:3: address: '10.0.0.1' must be an IPv4 address with prefix" },
		{ "[network]\nbridge = br0\naddress = 10.0.0.1/24\ndhcp-start = 10.0.1.5\ndhcp-end = 10.0.0.9\n",
		  "t.conf:4: dhcp-start: 10.0.1.5 is outside the network 10.0.0.1/24" },
		{ "[network]\nbridge = br0\naddress = 10.0.0.1/24\ndhcp-start = 10.0.0.50\ndhcp-end = 10.0.0.9\n",
		  "t.conf:5: dhcp-end: 10.0.0.9 comes before dhcp-start 10.0.0.50" },
		{ "[network]\nbridge = br0\naddress = 10.0.0.1/24\ndhcp-start = 10.0.0.1\ndhcp-end = 10.0.0.9\n",
		  "contains the host address" },
		{ "[network]\nbridge = br/0\naddress = 10.0.0.1/24\n",
		  "t.conf:2: bridge: 'br/0' is not a valid interface name" },
		{ "[network]\nbridge = br0\naddress = 10.0.0.1/24\nmode = bridged\n",
		  "port: a bridged network needs the physical interface" },
		{ "[network]\nbridge = br0\naddress = 10.0.0.1/24\nforward = tcp::80-10.0.0.5:80\nforward = tcp::80-10.0.0.6:80\n",
		  "t.conf:5: forward: host port tcp/80 is forwarded twice" },
		{ "[network]\nbridge = br0\naddress = 10.0.0.1/24\nforward = tcp::80-:80\n",
		  "needs the guest's IPv4 address" },
		{ "[vm]\n", "a network file has exactly one [network] section" },
		{ "", "no [network] section" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qnm_network *n = NULL;
		struct qnm_err err;

		qnm_err_clear(&err);
		if (qnm_network_parse(cases[i].text, strlen(cases[i].text), "t.conf", &n, &err) ==
		    0)
			fail_msg("case %zu parsed but should fail", i);
		if (!strstr(err.msg, cases[i].expect))
			fail_msg("case %zu:\n  expected: %s\n  got:      %s", i, cases[i].expect,
				 err.msg);
	}
}

static void test_bad_file_name(void **state)
{
	struct qnm_vm *vm;
	struct qnm_err err;

	assert_int_equal(qnm_vm_parse("[vm]\n", 5, "/x/bad name.conf", &vm, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "file name must be NAME.conf"));
}

static void test_load_skips_broken(void **state)
{
	struct qnm_paths p;
	struct qnm_model m;
	struct qnm_problems probs = { 0 };
	struct qnm_vm *vm = sample_vm();
	struct qnm_err err;
	char *bad;
	FILE *f;

	paths_for(&p);
	qnm_strlcpy(vm->nics[1].tap.network, "", sizeof(vm->nics[1].tap.network));
	assert_int_equal(qnm_config_save_vm(&p, vm, NULL, &err), 0);
	bad = xasprintf("%s/broken.conf", p.vms_dir);
	f = fopen(bad, "w");
	fputs("[vm]\nmemory = 1\n", f);
	fclose(f);
	qnm_model_init(&m);
	assert_int_equal(qnm_config_load(&p, &m, &probs, &err), 0);
	assert_int_equal(m.nvms, 1);
	assert_string_equal(m.vms[0]->name, "web-1");
	assert_int_equal(probs.n, 1);
	assert_int_equal(probs.v[0].line, 2);
	assert_true(qnm_problems_has_file(&probs, bad));
	/* A broken file is never overwritten by a save. */
	{
		struct qnm_vm *b = qnm_vm_new("broken");
		struct stat st1, st2;

		stat(bad, &st1);
		assert_int_equal(qnm_config_save_vm(&p, b, "broken", &err), -EEXIST);
		assert_non_null(strstr(err.msg, "never overwrites a file it cannot read"));
		stat(bad, &st2);
		assert_int_equal(st1.st_ino, st2.st_ino);
		assert_int_equal(st1.st_size, st2.st_size);
		qnm_vm_free(b);
	}
	/* Creating a VM whose name exists is refused. */
	assert_int_equal(qnm_config_save_vm(&p, vm, NULL, &err), -EEXIST);
	free(bad);
	qnm_problems_clear(&probs);
	qnm_model_clear(&m);
	qnm_vm_free(vm);
	qnm_paths_clear(&p);
}

static void test_rename(void **state)
{
	struct qnm_paths p;
	struct qnm_vm *vm = qnm_vm_new("old");
	struct qnm_err err;
	char *oldp, *newp;

	paths_for(&p);
	assert_int_equal(qnm_config_save_vm(&p, vm, NULL, &err), 0);
	qnm_strlcpy(vm->name, "new", sizeof(vm->name));
	assert_int_equal(qnm_config_save_vm(&p, vm, "old", &err), 0);
	oldp = xasprintf("%s/old.conf", p.vms_dir);
	newp = xasprintf("%s/new.conf", p.vms_dir);
	assert_int_equal(access(oldp, F_OK), -1);
	assert_int_equal(access(newp, F_OK), 0);
	{
		struct stat st;

		assert_int_equal(stat(newp, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	assert_int_equal(qnm_config_delete_vm(&p, "new", &err), 0);
	assert_int_equal(qnm_config_delete_vm(&p, "new", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no VM named 'new'"));
	free(oldp);
	free(newp);
	qnm_vm_free(vm);
	qnm_paths_clear(&p);
}

/*
 * A child saves a VM in a loop, alternating two versions; the parent kills
 * it with SIGKILL at a random moment. After every kill the file must parse
 * and be one of the two versions - never empty, never half written.
 */
static void test_atomic_save_sigkill(void **state)
{
	struct qnm_paths p;
	struct qnm_vm *a = sample_vm(), *b = sample_vm();
	struct qnm_err err;
	char *path;
	int trial, trials = 200, saw_a = 0, saw_b = 0;

	paths_for(&p);
	qnm_strlcpy(a->nics[1].tap.network, "", sizeof(a->nics[1].tap.network));
	qnm_strlcpy(b->nics[1].tap.network, "", sizeof(b->nics[1].tap.network));
	b->memory_mb = 2048;
	for (int i = 0; i < 200; i++)
		qnm_vm_add_extra(b, "-no-shutdown"); /* b's file is much larger */
	assert_int_equal(qnm_config_save_vm(&p, a, NULL, &err), 0);
	path = xasprintf("%s/web-1.conf", p.vms_dir);
	srand((unsigned)time(NULL));
	for (trial = 0; trial < trials; trial++) {
		pid_t pid = fork();
		struct qnm_vm *got;
		char *text;
		size_t len;
		int st;

		assert_true(pid >= 0);
		if (pid == 0) {
			for (unsigned k = 0;; k++)
				qnm_config_save_vm(&p, (k & 1) ? a : b, "web-1", NULL);
		}
		usleep((useconds_t)(rand() % 3000));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		assert_int_equal(qnm_read_file(path, 1 << 22, &text, &len), 0);
		assert_true(len > 0);
		qnm_err_clear(&err);
		if (qnm_vm_parse(text, len, path, &got, &err))
			fail_msg("trial %d: broken file after SIGKILL: %s", trial, err.msg);
		if (qnm_vm_equal(got, a))
			saw_a++;
		else if (qnm_vm_equal(got, b))
			saw_b++;
		else
			fail_msg("trial %d: file is neither version", trial);
		qnm_vm_free(got);
		free(text);
	}
	print_message("atomic save: %d trials, %d ended on version A, %d on B\n", trials, saw_a,
		      saw_b);
	/* No temp files left behind except possibly the one being written at the kill. */
	free(path);
	qnm_vm_free(a);
	qnm_vm_free(b);
	qnm_paths_clear(&p);
}

static void test_assign(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("x");
	struct qnm_nic *n = qnm_vm_add_nic(vm);
	struct qnm_err err;

	assert_int_equal(qnm_vm_assign(vm, "memory=2048", &err), 0);
	assert_int_equal(vm->memory_mb, 2048);
	assert_int_equal(qnm_vm_assign(vm, "memory=0", &err), -EINVAL);
	assert_string_equal(err.field, "memory");
	assert_non_null(strstr(err.msg, "memory: '0' must be a whole number from 16 to 4194304"));
	assert_int_equal(vm->memory_mb, 2048);
	assert_int_equal(qnm_vm_assign(vm, "memroy=1", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown key"));
	assert_int_equal(qnm_vm_assign(vm, "extra+=-rtc", &err), 0);
	assert_int_equal(qnm_vm_assign(vm, "extra+=base=utc", &err), 0);
	assert_int_equal(vm->nextra, 2);
	assert_string_equal(vm->extra[1], "base=utc");
	assert_int_equal(qnm_vm_assign(vm, "extra-=-rtc", &err), 0);
	assert_int_equal(vm->nextra, 1);
	assert_int_equal(qnm_vm_assign(vm, "extra=", &err), 0);
	assert_int_equal(vm->nextra, 0);
	assert_int_equal(qnm_vm_assign(vm, "memory+=1", &err), -EINVAL);
	assert_int_equal(qnm_nic_assign(n, "hostfwd+=tcp::2222-:22", &err), 0);
	assert_int_equal(qnm_nic_assign(n, "hostfwd+=tcp::8080-:80", &err), 0);
	assert_int_equal(n->user.nfwd, 2);
	assert_int_equal(qnm_nic_assign(n, "hostfwd-=tcp::2222-:22", &err), 0);
	assert_int_equal(n->user.nfwd, 1);
	assert_int_equal(n->user.fwd[0].host_port, 8080);
	assert_int_equal(qnm_nic_assign(n, "ifname=tap0", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "does not apply"));
	assert_int_equal(qnm_nic_assign(n, "backend=tap", &err), 0);
	assert_int_equal(qnm_nic_assign(n, "ifname=tap0", &err), 0);
	assert_int_equal(qnm_nic_assign(n, "link=sideways", &err), -EINVAL);
	assert_string_equal(err.field, "nic[n0].link");
	qnm_vm_free(vm);
}

static void test_keyfile_quoting(void **state)
{
	static const char *const values[] = { "plain",	 " lead", "trail ",
					      "\"q\"",	 "a\\b",  "multi\nline",
					      "tab\tin", "",	  "# not a comment" };
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct qnm_strbuf sb;
		struct qnm_keyfile kf;
		struct qnm_err err;

		qnm_sb_init(&sb);
		qnm_sb_add(&sb, "[s]\n");
		qnm_kf_write_value(&sb, "k", values[i]);
		assert_int_equal(qnm_keyfile_parse(sb.s, sb.len, "q", &kf, &err), 0);
		assert_int_equal(kf.nentries, 1);
		assert_string_equal(kf.entries[0].value, values[i]);
		qnm_keyfile_free(&kf);
		qnm_sb_free(&sb);
	}
}

/* A VM round trip through its file; fails the test when it does not come back equal. */
static void expect_round_trip(const struct qnm_vm *vm, const char *what)
{
	struct qnm_vm *back;
	struct qnm_err err;
	char *text = qnm_vm_serialize(vm);

	assert_true(strlen(text) <= (4u << 20));
	qnm_err_clear(&err);
	if (qnm_vm_parse(text, strlen(text), "/x/rt.conf", &back, &err))
		fail_msg("%s: written file does not parse: %s", what, err.msg);
	if (!qnm_vm_equal(vm, back))
		fail_msg("%s: read back differently", what);
	qnm_vm_free(back);
	free(text);
}

static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* issue 13 item 4: a value the file cannot hold is refused when it is set. */
static void test_text_limits(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("rt");
	char *big = repeat('a', 9000), *max = repeat('\\', 4096), *a;
	struct qnm_vm *back;
	struct qnm_err err;
	char *file;
	size_t i;

	assert_int_equal(qnm_vm_assign(vm, "boot=kernel", &err), 0);
	assert_int_equal(qnm_vm_assign(vm, "kernel=/k", &err), 0);
	a = xasprintf("append=%s", big);
	assert_int_equal(qnm_vm_assign(vm, a, &err), -EINVAL);
	assert_string_equal(err.field, "append");
	assert_non_null(strstr(err.msg, "append: at most 4096 characters"));
	assert_null(vm->append);
	free(a);
	/* the longest, every byte escaped in the file, reads back */
	a = xasprintf("append=%s", max);
	assert_int_equal(qnm_vm_assign(vm, a, &err), 0);
	free(a);
	a = xasprintf("extra+=%s", max);
	assert_int_equal(qnm_vm_assign(vm, a, &err), 0);
	free(a);
	assert_int_equal(qnm_check_vm(vm, &err), 0);
	expect_round_trip(vm, "4096 backslashes");
	/* a file giving more is refused at its line, with the same words */
	big[5000] = '\0';
	file = xasprintf("[vm]\nboot = kernel\nkernel = /k\nappend = %s\n", big);
	assert_int_equal(qnm_vm_parse(file, strlen(file), "t.conf", &back, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "t.conf:4: append: at most 4096 characters"));
	free(file);
	/* a form row takes what the key holds, no more: one text, or every entry of a list */
	assert_int_equal(qnm_key_maxlen(qnm_schema_find(&qnm_vm_schema, "append")), 4096);
	assert_int_equal(qnm_key_maxlen(qnm_schema_find(&qnm_vm_schema, "extra")), 256 * 4097 - 1);
	assert_int_equal(qnm_key_maxlen(qnm_schema_find(&qnm_nic_schema, "smb")), 4096);
	assert_int_equal(qnm_key_maxlen(qnm_schema_find(&qnm_nic_schema, "ifname")), 15);
	/* lists stop at their number of entries */
	assert_int_equal(qnm_vm_assign(vm, "extra=", &err), 0);
	for (i = 0; i < 256; i++)
		assert_int_equal(qnm_vm_assign(vm, "extra+=-x", &err), 0);
	assert_int_equal(qnm_vm_assign(vm, "extra+=-x", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "extra: at most 256 entries"));
	free(big);
	free(max);
	qnm_vm_free(vm);
}

/*
 * Set @key of @obj (schema @sc) to @value as KEY=VALUE does when @want says it
 * takes it (@is_path: the key is a file name); else check the refusal names
 * the key, and set it as a file of an older qnm would (files keep their bytes).
 */
static void set_special(const struct qnm_schema *sc, void *obj, bool is_vm, const char *key,
			const char *value, bool want)
{
	struct qnm_err err;
	char *a = xasprintf("%s=%s", key, value);
	int r = is_vm ? qnm_vm_assign(obj, a, &err) : qnm_nic_assign(obj, a, &err);

	if (want && r)
		fail_msg("%s refused: %s", a, err.msg);
	if (!want) {
		if (!r)
			fail_msg("%s accepted (not text)", a);
		if (!strstr(err.msg, key) || !strstr(err.msg, "byte 0x"))
			fail_msg("%s: error does not name the key and byte: %s", a, err.msg);
		assert_int_equal(
			qnm_key_set(qnm_schema_find(sc, key), obj, value, "old.conf", 1, key, &err),
			0);
	}
	free(a);
}

/*
 * Every text key, with the characters the file format treats specially: set,
 * written, read back equal. KEY=VALUE takes text only (control characters
 * never; tabs and newlines in free text; another character set's bytes in
 * file names); a file holding the rest still reads back equal.
 */
static void test_special_values(void **state)
{
	static const struct {
		const char *v;
		bool text, path; /* taken by KEY=VALUE for free text / a file name */
	} values[] = {
		{ "# not a comment", true, true }, { "; nor this", true, true },
		{ "a=b c==d", true, true },	   { "  lead", true, true },
		{ "trail  ", true, true },	   { "\"quoted", true, true },
		{ "ends\"", true, true },	   { "back\\slash", true, true },
		{ "two\nlines", true, false },	   { "tab\tin", true, false },
		{ "\r\x1b[31m", false, false },	   { "caf\xe9 \xff\xfe", false, true },
		{ "[nic n9]", true, true },	   { "\\n", true, true },
	};
	static const char *const path_keys[] = { "disk", "cdrom", "kernel", "initrd" };
	size_t i, j;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct qnm_vm *vm = qnm_vm_new("rt");
		struct qnm_nic *user, *br;
		struct qnm_err err;
		char *a;

		assert_int_equal(qnm_vm_assign(vm, "boot=kernel", &err), 0);
		for (j = 0; j < sizeof(path_keys) / sizeof(path_keys[0]); j++)
			set_special(&qnm_vm_schema, vm, true, path_keys[j], values[i].v,
				    values[i].path);
		set_special(&qnm_vm_schema, vm, true, "append", values[i].v, values[i].text);
		set_special(&qnm_vm_schema, vm, true, "extra", values[i].v, values[i].text);
		user = qnm_vm_add_nic(vm);
		a = xasprintf("/%s", values[i].v); /* absolute paths only */
		set_special(&qnm_nic_schema, user, false, "smb", a, values[i].path);
		br = qnm_vm_add_nic(vm);
		assert_int_equal(qnm_nic_assign(br, "backend=bridge", &err), 0);
		assert_int_equal(qnm_nic_assign(br, "br=br0", &err), 0);
		set_special(&qnm_nic_schema, br, false, "helper", a, values[i].path);
		free(a);
		if (qnm_check_vm(vm, &err))
			fail_msg("value %zu: %s", i, err.msg);
		expect_round_trip(vm, values[i].v);
		qnm_vm_free(vm);
	}
}

/* The biggest VM the limits allow (every text at its longest, every list full) still loads. */
static void test_largest_vm(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("rt");
	char *max = repeat('\\', QNM_TEXT_MAX);
	struct qnm_err err;
	size_t i, j;
	char *a;

	assert_int_equal(qnm_vm_assign(vm, "boot=kernel", &err), 0);
	for (i = 0; i < 5; i++) {
		static const char *const k[] = { "disk", "cdrom", "kernel", "initrd", "append" };

		a = xasprintf("%s=%s", k[i], max);
		assert_int_equal(qnm_vm_assign(vm, a, &err), 0);
		free(a);
	}
	a = xasprintf("extra+=%s", max);
	for (i = 0; i < 256; i++)
		assert_int_equal(qnm_vm_assign(vm, a, &err), 0);
	free(a);
	for (i = 0; i < QNM_NICS_MAX; i++) {
		struct qnm_nic *n = qnm_vm_add_nic(vm);

		a = xasprintf("smb=/%s", max + 1); /* absolute */
		assert_int_equal(qnm_nic_assign(n, a, &err), 0);
		free(a);
		for (j = 0; j < 256; j++) {
			a = xasprintf("hostfwd+=udp:255.255.255.255:%zu-255.255.255.255:65535",
				      10000 + j);
			assert_int_equal(qnm_nic_assign(n, a, &err), 0);
			free(a);
		}
	}
	if (qnm_check_vm(vm, &err))
		fail_msg("%s", err.msg);
	expect_round_trip(vm, "largest VM");
	/* one NIC more is refused before it is written */
	qnm_vm_add_nic(vm);
	assert_int_equal(qnm_check_vm(vm, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "at most 64 NICs"));
	free(max);
	qnm_vm_free(vm);
}

/* a form's list of forwards: descriptions with blanks and commas stay with their forward */
static void test_fwd_form_text(void **state)
{
	const struct qnm_key *k = qnm_schema_find(&qnm_nic_schema, "hostfwd");
	struct qnm_nic nic, back;
	struct qnm_err err;
	char *text;

	qnm_nic_init(&nic, "n0");
	qnm_nic_init(&back, "n0");
	assert_non_null(k);
	assert_int_equal(qnm_key_set_text(k, &nic,
					  "tcp::8000-8010-:8000-8010 desc=\"web, farm\","
					  "udp::53-:53  tcp+udp::7000-:7000 desc=x",
					  &err),
			 0);
	assert_int_equal(nic.user.nfwd, 3);
	assert_string_equal(nic.user.fwd[0].desc, "web, farm");
	assert_int_equal(nic.user.fwd[0].span, 10);
	assert_string_equal(nic.user.fwd[1].desc, "");
	assert_int_equal(nic.user.fwd[2].proto, QNM_PROTO_BOTH);
	assert_string_equal(nic.user.fwd[2].desc, "x");
	/* what the form shows reads back the same */
	text = qnm_key_text(k, &nic);
	assert_int_equal(qnm_key_set_text(k, &back, text, &err), 0);
	assert_true(qnm_nic_equal(&nic, &back));
	free(text);
	/* a bad entry names the field; the rule is the parser's */
	assert_int_equal(qnm_key_set_text(k, &back, "tcp::1-2-:1", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "must be as many"));
	qnm_nic_clear(&nic);
	qnm_nic_clear(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_round_trip),
		cmocka_unit_test(test_network_round_trip),
		cmocka_unit_test(test_network_forward_runs),
		cmocka_unit_test(test_vm_parse_errors),
		cmocka_unit_test(test_network_parse_errors),
		cmocka_unit_test(test_bad_file_name),
		cmocka_unit_test_setup_teardown(test_load_skips_broken, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_rename, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_atomic_save_sigkill, setup_dir, teardown_dir),
		cmocka_unit_test(test_assign),
		cmocka_unit_test(test_keyfile_quoting),
		cmocka_unit_test(test_text_limits),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_largest_vm),
		cmocka_unit_test(test_fwd_form_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
