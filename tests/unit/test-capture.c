// SPDX-License-Identifier: GPL-2.0-or-later
/* test-capture.c - capture file checks, pcap counting, capture records. */
#include "build-config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/capture.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/qnm-test-capture.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd[] = { "rm", "-rf", dir, NULL };

	(void)state;
	if (fork() == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	return 0;
}

static char *path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void write_bytes(const char *p, const void *data, size_t n)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void write_text(const char *p, const char *text)
{
	write_bytes(p, text, strlen(text));
}

static void test_check_path(void **state)
{
	struct qnm_err err = { 0 };
	char *p = path("x.pcap"), *fifo = path("fifo"), *sub = path("nodir/x.pcap");

	(void)state;
	assert_int_equal(qnm_capture_check_path(p, false, &err), 0);
	assert_int_equal(qnm_capture_check_path("x.pcap", false, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not an absolute path"));
	assert_int_equal(qnm_capture_check_path("", false, &err), -EINVAL);
	assert_int_equal(qnm_capture_check_path(NULL, false, &err), -EINVAL);
	assert_int_equal(qnm_capture_check_path(sub, false, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_int_equal(qnm_capture_check_path(dir, true, &err), -EISDIR);
	assert_int_equal(qnm_capture_check_path("/tmp/a,b.pcap", false, &err), -EINVAL);
	write_text(p, "old");
	assert_int_equal(qnm_capture_check_path(p, false, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "--force"));
	assert_int_equal(qnm_capture_check_path(p, true, &err), 0);
	/* Never a special file, even with force. */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(qnm_capture_check_path(fifo, true, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "not a regular file"));
	/* The root directory is a directory that exists. */
	assert_int_equal(qnm_capture_check_path("/qnm-test-not-there.pcap", false, &err), 0);
	free(p);
	free(fifo);
	free(sub);
}

/* The file's mode, owner and size as lstat sees them. */
static struct stat lst(const char *p)
{
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	return st;
}

static void test_file_open(void **state)
{
	struct qnm_err err = { 0 };
	struct qnm_capture_file cf;
	char *p = path("o.pcap"), *target = path("target"), *slink = path("link.pcap");
	char *sub = path("sub"), *linkdir = path("linkdir"), *via = path("linkdir/x.pcap");
	char *hard = path("hard.pcap"), *fifo = path("o.fifo");
	mode_t old = umask(0);
	struct stat st;

	(void)state;
	/* created 0600 (whatever the umask), a regular file of this user */
	assert_int_equal(qnm_capture_file_open(&cf, p, false, &err), 0);
	assert_true(cf.fd >= 0 && cf.created);
	assert_int_equal(write(cf.fd, "abc", 3), 3);
	qnm_capture_file_close(&cf, false);
	st = lst(p);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 3);
	/* exists: refused without force, truncated (and made 0600) with it */
	assert_int_equal(qnm_capture_file_open(&cf, p, false, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "--force"));
	assert_int_equal(cf.fd, -1);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(qnm_capture_file_open(&cf, p, true, &err), 0);
	assert_false(cf.created);
	qnm_capture_file_close(&cf, true); /* not created here: kept */
	st = lst(p);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* a symlink as the file: never followed, even with force; the target stays */
	write_text(target, "secret");
	assert_int_equal(symlink(target, slink), 0);
	assert_int_equal(qnm_capture_file_open(&cf, slink, false, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(qnm_capture_file_open(&cf, slink, true, &err), -EEXIST);
	assert_int_equal(lst(target).st_size, 6);
	/* a symlink on the way: refused, naming it */
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(symlink(sub, linkdir), 0);
	assert_int_equal(qnm_capture_file_open(&cf, via, false, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "is a symbolic link"));
	assert_non_null(strstr(err.msg, linkdir));
	assert_string_equal(err.field, "file");
	assert_int_equal(qnm_capture_check_path(via, false, &err), -ELOOP);
	/* a file with two names: not overwritten */
	assert_int_equal(link(target, hard), 0);
	assert_int_equal(qnm_capture_file_open(&cf, hard, true, &err), -EPERM);
	assert_non_null(strstr(err.msg, "hard links"));
	assert_int_equal(lst(target).st_size, 6);
	/* a file of another user: not overwritten (root can make one) */
	if (geteuid() == 0) {
		char *other = path("other.pcap");

		write_text(other, "theirs");
		assert_int_equal(chown(other, 65534, 65534), 0);
		assert_int_equal(qnm_capture_file_open(&cf, other, true, &err), -EPERM);
		assert_non_null(strstr(err.msg, "belongs to uid 65534"));
		assert_int_equal(lst(other).st_size, 6);
		free(other);
	}
	/* a FIFO with force: refused without blocking */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(qnm_capture_file_open(&cf, fifo, true, &err), -EEXIST);
	/* a directory */
	assert_int_equal(qnm_capture_file_open(&cf, sub, true, &err), -EISDIR);
	/* discard removes what was created */
	unlink(p);
	assert_int_equal(qnm_capture_file_open(&cf, p, false, &err), 0);
	qnm_capture_file_close(&cf, true);
	assert_int_equal(access(p, F_OK), -1);
	umask(old);
	free(p);
	free(target);
	free(slink);
	free(sub);
	free(linkdir);
	free(via);
	free(hard);
	free(fifo);
}

/* A pcap with @n records of @len bytes, in little (or big) endian. */
static size_t make_pcap(uint8_t *buf, unsigned n, unsigned len, bool big)
{
	size_t off = 24;
	unsigned i;

	memset(buf, 0, 24);
	if (big)
		memcpy(buf, "\xa1\xb2\xc3\xd4", 4);
	else
		memcpy(buf, "\xd4\xc3\xb2\xa1", 4);
	buf[big ? 23 : 20] = 1; /* Ethernet */
	for (i = 0; i < n; i++) {
		uint8_t *r = buf + off;

		memset(r, 0, 16);
		r[big ? 11 : 8] = (uint8_t)len;
		r[big ? 15 : 12] = (uint8_t)len;
		memset(r + 16, 0xab, len);
		off += 16 + len;
	}
	return off;
}

static void test_pcap_count(void **state)
{
	unsigned long long packets, bytes;
	uint8_t buf[4096];
	char *p = path("c.pcap");
	size_t n;

	(void)state;
	n = make_pcap(buf, 3, 60, false);
	write_bytes(p, buf, n);
	assert_int_equal(qnm_pcap_count(p, &packets, &bytes), 0);
	assert_int_equal(packets, 3);
	assert_int_equal(bytes, n);
	n = make_pcap(buf, 5, 42, true);
	write_bytes(p, buf, n);
	assert_int_equal(qnm_pcap_count(p, &packets, &bytes), 0);
	assert_int_equal(packets, 5);
	/* Header only: a capture that saw nothing. */
	write_bytes(p, buf, 24);
	assert_int_equal(qnm_pcap_count(p, &packets, &bytes), 0);
	assert_int_equal(packets, 0);
	/* The last record cut short (QEMU writing it right now). */
	write_bytes(p, buf, n - 10);
	assert_int_equal(qnm_pcap_count(p, &packets, &bytes), -EPROTO);
	assert_int_equal(packets, 4);
	/* Not a pcap at all; too short; missing. */
	write_text(p, "this is not a pcap file at all");
	assert_int_equal(qnm_pcap_count(p, &packets, &bytes), -EPROTO);
	write_bytes(p, buf, 10);
	assert_int_equal(qnm_pcap_count(p, &packets, &bytes), -EPROTO);
	assert_int_equal(qnm_pcap_count("/nonexistent/x.pcap", &packets, &bytes), -ENOENT);
	free(p);
}

/* This process's start time, read the way the kernel documents it (proc(5)). */
static unsigned long long self_start(void)
{
	unsigned long long t = 0;
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n;
	int i;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')') + 2; /* field 3 */
	for (i = 3; i < 22; i++)
		p = strchr(p, ' ') + 1;
	sscanf(p, "%llu", &t);
	return t;
}

/* A live owner with a start time (the UI records one): alive only if it matches. */
static void owner_start_checks(void)
{
	struct qnm_capture c = { .owner = getpid() };

	c.owner_start = self_start();
	assert_true(c.owner_start > 0);
	assert_true(qnm_capture_owner_alive(&c)); /* no "capture" in our command line */
	c.owner_start++;
	assert_false(qnm_capture_owner_alive(&c)); /* the same pid, another process */
	c.owner = 1;
	c.owner_start = 0;
	assert_false(qnm_capture_owner_alive(&c)); /* old record: pid 1 is no capture */
}

static void test_records(void **state)
{
	struct qnm_err err = { 0 };
	struct qnm_capture *v;
	char *vmdir = path("vm"), *p;
	size_t n;

	(void)state;
	/* No runtime dir: no captures. */
	assert_int_equal(qnm_capture_list(dir, "vm", &v, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mkdir(vmdir, 0700), 0);
	p = xasprintf("%s/capture-qnm-cap-n1-7-1", vmdir);
	write_text(p, "owner=1\nnic=n1\nfile=/tmp/b.pcap\nstarted=5\n");
	free(p);
	p = xasprintf("%s/capture-qnm-cap-n0-7-1", vmdir);
	write_text(p, "owner=2147483000\nnic=n0\nfile=/tmp/a.pcap\nstarted=4\njunk\n");
	free(p);
	/* A temp file of an atomic write in progress, and other files: ignored. */
	p = xasprintf("%s/capture-x.123.tmp", vmdir);
	write_text(p, "owner=1\n");
	free(p);
	p = xasprintf("%s/state", vmdir);
	write_text(p, "status=running\n");
	free(p);
	assert_int_equal(qnm_capture_list(dir, "vm", &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].id, "qnm-cap-n0-7-1");
	assert_string_equal(v[0].nic, "n0");
	assert_string_equal(v[0].file, "/tmp/a.pcap");
	assert_int_equal(v[0].started, 4);
	assert_string_equal(v[1].nic, "n1");
	/* pid 1 is alive but is no capture; a pid that does not exist is gone. */
	assert_false(qnm_capture_owner_alive(&v[1]));
	assert_false(qnm_capture_owner_alive(&v[0]));
	free(v);
	owner_start_checks();
	/* Stopping a capture of a VM that is not running and has no such record. */
	assert_int_equal(qnm_capture_stop(dir, "vm", "nope", &err), -ENOENT);
	assert_int_equal(qnm_capture_stop(dir, "vm", "../x", &err), -EINVAL);
	/* A recorded capture of a VM that is gone is simply forgotten. */
	assert_int_equal(qnm_capture_stop(dir, "vm", "qnm-cap-n1-7-1", &err), 0);
	assert_int_equal(qnm_capture_list(dir, "vm", &v, &n, &err), 0);
	assert_int_equal(n, 1);
	free(v);
	/* Starting needs a running VM; the file is checked first. */
	assert_int_equal(qnm_capture_start(dir, "vm", "n0", "rel.pcap", NULL, NULL, &err), -EINVAL);
	p = path("s.pcap");
	assert_int_equal(qnm_capture_start(dir, "vm", "n0", p, NULL, NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "not running"));
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	free(vmdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_path),
		cmocka_unit_test(test_file_open),
		cmocka_unit_test(test_pcap_count),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
