// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-rundir.c - runtime directories: running, stale (dead/recycled/zombie pid), clean; the
 * TAP records of leftover.h.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "guest/leftover.h"
#include "guest/rundir.h"
#include "host/owner.h"

struct fixture {
	char root[64];
	struct qnm_rundir rd;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->root, sizeof(f->root), "/tmp/qnm-test-rundir.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	qnm_rundir_init(&f->rd, f->root, "vm1");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *p;

	/* Whatever a test left: its files, the VM dir, the root. */
	qnm_rundir_clean(&f->rd, NULL, 0, NULL);
	p = xasprintf("%s/other", f->root);
	rmdir(p);
	free(p);
	p = xasprintf("%s/afile", f->root);
	unlink(p);
	free(p);
	rmdir(f->root);
	qnm_rundir_clear(&f->rd);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A pid that certainly belongs to no process: a child that exited and was reaped. */
static pid_t dead_pid(void)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

/*
 * A live process whose command line names @rd's QMP socket, like its QEMU
 * would: as the argument @arg (NULL: the socket's path as it is).
 */
static pid_t fake_qemu_arg(const struct qnm_rundir *rd, const char *arg)
{
	pid_t p;

	write_file(rd->qmp, ""); /* tail -f needs the file to exist */
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 1);
		dup2(devnull, 2);
		execl("/usr/bin/tail", "tail", "-f", "/dev/null", arg ? arg : rd->qmp,
		      (char *)NULL);
		_exit(127);
	}
	/* Wait until exec happened (the command line shows the path). */
	for (int i = 0; i < 200 && !qnm_pid_is_qemu_of(p, rd); i++)
		usleep(5000);
	assert_true(qnm_pid_is_qemu_of(p, rd));
	return p;
}

static pid_t fake_qemu(const struct qnm_rundir *rd)
{
	return fake_qemu_arg(rd, NULL);
}

static void test_absent(void **state)
{
	struct fixture *f = *state;
	struct qnm_run_info info;
	char report[256] = "x";

	assert_int_equal(qnm_rundir_probe(&f->rd, &info), 0);
	assert_int_equal(info.status, QNM_RUN_ABSENT);
	assert_string_equal(qnm_run_status_name(info.status), "absent");
	assert_int_equal(qnm_rundir_clean(&f->rd, report, sizeof(report), NULL), 0);
	assert_string_equal(report, "");
}

static void test_create_private(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct stat st;
	char *p;

	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	assert_int_equal(stat(f->rd.path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	/* An existing dir with a loose mode is tightened. */
	chmod(f->rd.path, 0755);
	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	assert_int_equal(stat(f->rd.path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* A file where the directory should be is refused. */
	rmdir(f->rd.path);
	write_file(f->rd.path, "");
	assert_int_equal(qnm_rundir_create(&f->rd, &err), -ENOTDIR);
	assert_non_null(strstr(err.msg, "not a directory"));
	unlink(f->rd.path);
	/* Listing: directories only, sorted. */
	p = xasprintf("%s/other", f->root);
	mkdir(p, 0700);
	free(p);
	p = xasprintf("%s/afile", f->root);
	write_file(p, "");
	free(p);
	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	{
		struct qnm_strv v;

		qnm_strv_init(&v);
		assert_int_equal(qnm_rundir_list(f->root, &v), 0);
		assert_int_equal(v.n, 2);
		assert_string_equal(v.v[0], "other");
		assert_string_equal(v.v[1], "vm1");
		qnm_strv_free(&v);
	}
}

static void test_running_then_crashed(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct qnm_run_info info;
	char report[512];
	pid_t q;

	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	q = fake_qemu(&f->rd);
	assert_int_equal(qnm_rundir_write_state(&f->rd, QNM_RUN_RUNNING, q, 0, NULL), 0);
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.status, QNM_RUN_RUNNING);
	assert_int_equal(info.qemu_pid, q);
	assert_true(info.started > 0);
	/* Never removed while its QEMU lives. */
	assert_int_equal(qnm_rundir_clean(&f->rd, report, sizeof(report), &err), -EBUSY);
	assert_non_null(strstr(err.msg, "still running"));
	/* Killed, not yet reaped (a zombie): no longer running. */
	kill(q, SIGKILL);
	for (int i = 0; i < 200 && qnm_pid_alive(q); i++)
		usleep(5000);
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.status, QNM_RUN_CRASHED);
	assert_non_null(strstr(info.reason, "nobody recorded"));
	assert_true(info.reason[0] != '?');
	waitpid(q, NULL, 0);
	assert_int_equal(qnm_rundir_clean(&f->rd, report, sizeof(report), &err), 0);
	assert_non_null(strstr(report, "removed the runtime dir"));
	assert_non_null(strstr(report, "crashed"));
	assert_int_equal(access(f->rd.path, F_OK), -1);
}

static void test_recycled_pid(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct qnm_run_info info;

	/* The recorded pid is alive but is someone else (this test): stale. */
	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	assert_int_equal(qnm_rundir_write_state(&f->rd, QNM_RUN_RUNNING, getpid(), 0, NULL), 0);
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.status, QNM_RUN_CRASHED);
	assert_false(qnm_pid_is_qemu_of(getpid(), &f->rd));
	assert_int_equal(qnm_rundir_clean(&f->rd, NULL, 0, &err), 0);
}

static void test_recorded_end(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct qnm_run_info info;
	char report[512];

	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	assert_int_equal(qnm_rundir_write_state(&f->rd, QNM_RUN_STOPPED, dead_pid(), 0,
						"QEMU exited with status 0\nsecond line"),
			 0);
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.status, QNM_RUN_STOPPED);
	/* The reason stays one line. */
	assert_string_equal(info.reason, "QEMU exited with status 0 second line");
	assert_int_equal(qnm_rundir_clean(&f->rd, report, sizeof(report), &err), 0);
	assert_non_null(strstr(report, "stopped: QEMU exited with status 0"));
	assert_int_equal(qnm_rundir_write_state(&f->rd, QNM_RUN_CRASHED, 0, 0, "x"), -ENOENT);
}

static void test_no_state_file(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct qnm_run_info info;
	char buf[32];

	/* Only QEMU's own pid file, naming a dead process. */
	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	snprintf(buf, sizeof(buf), "%ld\n", (long)dead_pid());
	write_file(f->rd.pidfile, buf);
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.status, QNM_RUN_CRASHED);
	assert_int_equal((long)info.qemu_pid, strtol(buf, NULL, 10));
	assert_non_null(strstr(info.reason, "no state file"));
	/* A garbage pid file means no pid at all. */
	write_file(f->rd.pidfile, "12abc\n");
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.qemu_pid, 0);
	assert_int_equal(info.status, QNM_RUN_CRASHED);
}

static void test_starting(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct qnm_run_info info;

	/* The supervisor (here: this process) lives, QEMU's pid not recorded yet. */
	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	assert_int_equal(qnm_rundir_write_state(&f->rd, QNM_RUN_STARTING, 0, getpid(), NULL), 0);
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.status, QNM_RUN_STARTING);
	assert_true(info.supervisor_alive);
	assert_int_equal(qnm_rundir_clean(&f->rd, NULL, 0, &err), -EBUSY);
	/* Supervisor gone too: stale. */
	assert_int_equal(qnm_rundir_write_state(&f->rd, QNM_RUN_STARTING, 0, dead_pid(), NULL), 0);
	qnm_rundir_probe(&f->rd, &info);
	assert_int_equal(info.status, QNM_RUN_CRASHED);
	assert_false(info.supervisor_alive);
}

static void test_tail(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	char *t;

	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	write_file(f->rd.serial, "one\ntwo\x1b[0m\nthree\n");
	/* issue 13: control characters are shown, not sent to the terminal */
	t = qnm_rundir_tail(&f->rd, f->rd.serial, 2);
	assert_string_equal(t, "two^[[0m\nthree\n");
	free(t);
	t = qnm_rundir_tail(&f->rd, f->rd.serial, 10);
	assert_string_equal(t, "one\ntwo^[[0m\nthree\n");
	free(t);
	t = qnm_rundir_tail(&f->rd, "/nonexistent/x", 3);
	assert_string_equal(t, "");
	free(t);
}

/* Append @text to the serial log as QEMU does (O_APPEND: after a truncation, at 0). */
static void append_log(const struct qnm_rundir *rd, const char *text)
{
	int fd = open(rd->serial, O_WRONLY | O_APPEND | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Everything @f has to read now, appended to @sb. */
static void drain(struct qnm_serial_follow *f, struct qnm_strbuf *sb)
{
	char buf[7]; /* small: reads end mid-line and mid-file */
	ssize_t n;

	while ((n = qnm_serial_follow_read(f, buf, sizeof(buf))) > 0)
		qnm_sb_addn(sb, buf, (size_t)n);
	assert_true(n == 0);
}

/* issue 17: --follow reads what was rotated away into serial.log.1 since its last read. */
static void test_follow_rotation(void **state)
{
	struct fixture *f = *state;
	struct qnm_serial_follow fo;
	struct qnm_err err = { 0 };
	struct qnm_strbuf sb;
	char *old = xasprintf("%s.1", f->rd.serial);

	qnm_sb_init(&sb);
	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	append_log(&f->rd, "before a rotation that came before the reader\n");
	assert_true(qnm_rundir_serial_rotate(&f->rd, 10));
	append_log(&f->rd, "line 1\n");
	assert_int_equal(qnm_serial_follow_open(&fo, f->root, "vm1", false, &err), 0);
	drain(&fo, &sb);
	assert_string_equal(sb.s, "line 1\n");
	/* written, rotated and written again between two reads: nothing lost */
	append_log(&f->rd, "line 2 is longer than the cap\n");
	assert_true(qnm_rundir_serial_rotate(&f->rd, 10));
	append_log(&f->rd, "line 3\n");
	drain(&fo, &sb);
	assert_string_equal(sb.s, "line 1\nline 2 is longer than the cap\nline 3\n");
	assert_int_equal(fo.gaps, 0);
	/* rotated, regrown beyond the reader's offset, rotated again... */
	append_log(&f->rd, "line 4 is long enough\n");
	assert_true(qnm_rundir_serial_rotate(&f->rd, 10));
	append_log(&f->rd, "line 5\n");
	drain(&fo, &sb);
	append_log(&f->rd, "line 6 also long enough\n");
	assert_true(qnm_rundir_serial_rotate(&f->rd, 10));
	append_log(&f->rd, "line 7 also long enough, too\n");
	assert_true(qnm_rundir_serial_rotate(&f->rd, 10));
	append_log(&f->rd, "line 8\n");
	/* ... twice between reads: the gap is counted, the newest is read */
	drain(&fo, &sb);
	assert_int_equal(fo.gaps, 1);
	assert_non_null(strstr(sb.s, "line 5\nline 7 also long enough, too\nline 8\n"));
	/* emptied without a rotation (a restart): read from the start again */
	assert_int_equal(truncate(f->rd.serial, 0), 0);
	append_log(&f->rd, "new\n");
	drain(&fo, &sb);
	assert_non_null(strstr(sb.s, "line 8\nnew\n"));
	qnm_serial_follow_close(&fo);
	qnm_sb_free(&sb);
	unlink(old);
	free(old);
}

/* issue 13: what another user could write is not read. */
static void test_untrusted(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct qnm_run_info info;
	struct qnm_strv v;
	char *t;
	int fd;

	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	write_file(f->rd.state, "status=crashed\nreason=planted\n");
	write_file(f->rd.serial, "\x1b]0;owned\x07hello\n");
	assert_int_equal(qnm_rundir_probe(&f->rd, &info), 0);
	assert_int_equal(info.status, QNM_RUN_CRASHED);
	assert_string_equal(info.reason, "planted");

	/* The runtime dir writable by others: nothing in it is believed. */
	assert_int_equal(chmod(f->root, 0777), 0);
	assert_int_equal(qnm_rundir_check(&f->rd, &err), -EPERM);
	assert_non_null(strstr(err.msg, "can be written by other users (mode 0777)"));
	assert_int_equal(qnm_rundir_probe(&f->rd, &info), -EPERM);
	assert_int_equal(info.status, QNM_RUN_ABSENT);
	qnm_strv_init(&v);
	assert_int_equal(qnm_rundir_list(f->root, &v), -EPERM);
	assert_int_equal(v.n, 0);
	qnm_strv_free(&v);
	assert_int_equal(qnm_rundir_open(&f->rd, f->rd.serial, &err), -EPERM);
	t = qnm_rundir_tail(&f->rd, f->rd.serial, 5);
	assert_string_equal(t, "");
	free(t);
	assert_int_equal(chmod(f->root, 0700), 0);

	/* The VM's directory too. */
	assert_int_equal(chmod(f->rd.path, 0733), 0);
	assert_int_equal(qnm_rundir_probe(&f->rd, &info), -EPERM);
	assert_int_equal(chmod(f->rd.path, 0700), 0);

	/* A symlink or a FIFO in place of the serial log is not read. */
	unlink(f->rd.serial);
	assert_int_equal(symlink("/etc/passwd", f->rd.serial), 0);
	assert_int_equal(qnm_rundir_open(&f->rd, f->rd.serial, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "it is a symlink"));
	unlink(f->rd.serial);
	assert_int_equal(mkfifo(f->rd.serial, 0600), 0);
	assert_int_equal(qnm_rundir_open(&f->rd, f->rd.serial, &err), -EPERM);
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(f->rd.serial);
	write_file(f->rd.serial, "ok\n");
	fd = qnm_rundir_open(&f->rd, f->rd.serial, &err);
	assert_true(fd >= 0);
	close(fd);

	if (geteuid() != 0)
		return; /* giving files away needs root */
	/* A file of another user, and a directory of another user. */
	assert_int_equal(chown(f->rd.serial, 65534, 65534), 0);
	assert_int_equal(qnm_rundir_open(&f->rd, f->rd.serial, &err), -EPERM);
	assert_non_null(strstr(err.msg, "belongs to uid 65534"));
	assert_int_equal(chown(f->rd.state, 65534, 65534), 0);
	assert_int_equal(qnm_rundir_probe(&f->rd, &info), 0);
	assert_string_not_equal(info.reason, "planted");
	assert_int_equal(chown(f->root, 65534, 65534), 0);
	assert_int_equal(qnm_rundir_probe(&f->rd, &info), -EPERM);
	assert_int_equal(qnm_rundir_check(&f->rd, &err), -EPERM);
	assert_non_null(strstr(err.msg, "belongs to uid 65534, not to you (uid 0)"));
	assert_int_equal(chown(f->root, 0, 0), 0);
}

/* A ',' in the runtime dir: QEMU's command line has it doubled, and the VM is still found. */
static void test_comma_path(void **state)
{
	char root[64], *arg;
	struct qnm_rundir rd;
	struct qnm_err err = { 0 };
	pid_t p;

	snprintf(root, sizeof(root), "/tmp/qnm-test,rundir.XXXXXX");
	assert_non_null(mkdtemp(root));
	qnm_rundir_init(&rd, root, "vm1");
	assert_int_equal(qnm_rundir_create(&rd, &err), 0);
	arg = xasprintf("unix:%s/vm1/qmp.sock,server=on,wait=off", root);
	*strchr(arg, ',') = '\0';
	{
		char *esc = xasprintf("%s,,%s", arg, arg + strlen(arg) + 1);

		free(arg);
		arg = esc;
	}
	p = fake_qemu_arg(&rd, arg);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	free(arg);
	qnm_rundir_clean(&rd, NULL, 0, NULL);
	rmdir(root);
	qnm_rundir_clear(&rd);
}

static void remove_records(const char *root)
{
	static const char *const files[] = { "owned", "owned.lock", "tap.lock" };
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/%s", root, files[i]);

		unlink(p);
		free(p);
	}
}

/* TAP records (leftover.h): claimed before the TAP exists; a gone owner's taken over or reclaimed */
static void test_tap_claim(void **state)
{
	struct fixture *f = *state;
	struct qnm_err err = { 0 };
	struct qnm_tap_record *v;
	struct qnm_strbuf report;
	struct qnm_owner own;
	char *extra, *dead;
	size_t n;

	assert_int_equal(qnm_rundir_create(&f->rd, &err), 0);
	/* nothing recorded: no records file is made by looking */
	assert_int_equal(qnm_tap_records(f->root, &v, &n), 0);
	assert_int_equal(n, 0);
	/* an interface qnm has no record of is not claimed */
	assert_int_equal(qnm_tap_claim(&f->rd, "lo", &err), -EEXIST);
	assert_non_null(strstr(err.msg, "an interface named lo already exists"));
	assert_false(qnm_owner_recorded(f->root, QNM_OWN_TAP, "lo"));

	assert_int_equal(qnm_tap_claim(&f->rd, "qt-unit-x0", &err), 0);
	assert_int_equal(qnm_owner_open(&own, f->root, &err), 0);
	extra = xasprintf("vm=vm1,sup=%ld.", (long)getpid());
	assert_true(strncmp(qnm_owner_find(&own, QNM_OWN_TAP, "qt-unit-x0")->extra, extra,
			    strlen(extra)) == 0);
	free(extra);
	/* its owner (this process) lives: another claim and a reclaim leave it */
	assert_int_equal(qnm_tap_claim(&f->rd, "qt-unit-x0", &err), -EBUSY);
	assert_non_null(strstr(err.msg, "in use by VM 'vm1'"));
	qnm_sb_init(&report);
	assert_int_equal(qnm_tap_reclaim(f->root, "vm1", &report), 0);
	assert_int_equal(qnm_tap_records(f->root, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].state, QNM_TAP_OWNER_ALIVE);
	assert_string_equal(v[0].vm, "vm1");
	assert_false(v[0].link);
	free(v);

	/* its owner gone (no QEMU of vm1 either): a claim takes it over */
	dead = xasprintf("vm=vm1,sup=%ld.1", (long)dead_pid());
	assert_int_equal(qnm_owner_add(&own, QNM_OWN_TAP, "qt-unit-x0", dead, &err), 0);
	assert_int_equal(qnm_tap_claim(&f->rd, "qt-unit-x0", &err), 0);
	/* ... and a reclaim removes it (only for its VM) */
	assert_int_equal(qnm_owner_add(&own, QNM_OWN_TAP, "qt-unit-x0", dead, &err), 0);
	assert_int_equal(qnm_tap_records(f->root, &v, &n), 0);
	assert_int_equal(v[0].state, QNM_TAP_OWNER_GONE);
	free(v);
	assert_int_equal(qnm_tap_reclaim(f->root, "vm2", &report), 0);
	assert_int_equal(qnm_tap_reclaim(f->root, "vm1", &report), 1);
	assert_non_null(strstr(report.s, "removed qnm's record of TAP qt-unit-x0 (VM 'vm1')"));
	assert_false(qnm_owner_recorded(f->root, QNM_OWN_TAP, "qt-unit-x0"));
	qnm_sb_free(&report);
	free(dead);
	qnm_owner_clear(&own);
	remove_records(f->root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running_then_crashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recycled_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recorded_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_state_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted, setup, teardown),
		cmocka_unit_test(test_comma_path),
		cmocka_unit_test_setup_teardown(test_tap_claim, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
