// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-qmp.c - the QMP client's framing and parsing: greeting, return,
 * error, events before the greeting (QEMU 7.2 may send one) and between a
 * command and its reply, lines split across reads, garbage, EOF.
 *
 * Two ways to play QEMU: a socketpair written by the test itself
 * (qnm_qmp_new_fd()), and for the handshake a forked fake server on a unix
 * socket that follows a script.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "guest/qmp.h"

#define GREETING                                                                                   \
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "         \
	"\"package\": \"Debian\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define EVENT(name)                                                                                \
	"{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 42}, \"event\": \"" name      \
	"\", \"data\": {\"guest\": false}}\r\n"

static void put(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t w = write(fd, s + off, len - off);

		assert_true(w > 0);
		off += (size_t)w;
	}
}

/* ---- socketpair: the test writes QEMU's side ---- */

struct pair {
	struct qnm_qmp *q;
	int peer;
};

static int pair_setup(void **state)
{
	struct pair *p = xcalloc(1, sizeof(*p));
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	p->q = qnm_qmp_new_fd(sv[0]);
	p->peer = sv[1];
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	struct pair *p = *state;

	qnm_qmp_free(p->q);
	if (p->peer >= 0)
		close(p->peer);
	free(p);
	return 0;
}

/* Read one command line the client sent; returns its id, and its name in @cmd. */
static unsigned read_command(int fd, char *cmd, size_t len)
{
	char buf[4096];
	size_t n = 0;
	json_object *o, *v;
	unsigned id = 0;

	while (n < sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + n, 1);

		assert_true(r == 1);
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "execute", &v));
	if (cmd)
		qnm_strlcpy(cmd, json_object_get_string(v), len);
	assert_true(json_object_object_get_ex(o, "id", &v));
	id = (unsigned)json_object_get_int64(v);
	json_object_put(o);
	return id;
}

static void test_return_and_events_between(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	struct qnm_qmp_event ev;
	json_object *ret = NULL, *v;
	char buf[512];

	/* The reply to command 1 arrives after two events. */
	snprintf(buf, sizeof(buf),
		 EVENT("STOP") EVENT("RESUME") "{\"return\": {\"status\": \"running\", "
					       "\"running\": true}, \"id\": 1}\r\n");
	put(p->peer, buf);
	assert_int_equal(qnm_qmp_execute(p->q, "query-status", NULL, &ret, 2000, &err), 0);
	assert_non_null(ret);
	assert_true(json_object_object_get_ex(ret, "status", &v));
	assert_string_equal(json_object_get_string(v), "running");
	json_object_put(ret);
	/* The events were kept, in order, with their timestamps and data. */
	assert_true(qnm_qmp_next_event(p->q, &ev));
	assert_string_equal(ev.name, "STOP");
	assert_int_equal(ev.sec, 1700000000);
	assert_int_equal(ev.usec, 42);
	assert_non_null(ev.data);
	qnm_qmp_event_clear(&ev);
	assert_true(qnm_qmp_next_event(p->q, &ev));
	assert_string_equal(ev.name, "RESUME");
	qnm_qmp_event_clear(&ev);
	assert_false(qnm_qmp_next_event(p->q, &ev));
	/* The command really was sent, with id 1. */
	assert_int_equal(read_command(p->peer, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "query-status");
}

static void test_error_reply(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	json_object *ret = (json_object *)1;

	put(p->peer, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Property "
		     "'filter-dump.netdev' can't find value 'n9'\"}, \"id\": 1}\n");
	assert_int_equal(qnm_qmp_execute(p->q, "object-add", NULL, &ret, 2000, &err), -EREMOTEIO);
	assert_non_null(strstr(err.msg, "can't find value 'n9'"));
	assert_non_null(strstr(err.msg, "GenericError"));
	/* A reply with neither return nor error. */
	put(p->peer, "{\"id\": 2}\n");
	assert_int_equal(qnm_qmp_execute(p->q, "x", NULL, NULL, 2000, &err), -EPROTO);
}

static void test_replies_out_of_order(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	json_object *ret = NULL;
	unsigned a, b;

	assert_int_equal(qnm_qmp_send(p->q, "a", NULL, &a, &err), 0);
	assert_int_equal(qnm_qmp_send(p->q, "b", NULL, &b, &err), 0);
	assert_int_not_equal(a, b);
	assert_int_equal(qnm_qmp_take_reply(p->q, a, NULL, &err), -EAGAIN);
	snprintf(err.msg, sizeof(err.msg),
		 "{\"return\": \"B\", \"id\": %u}\n"
		 "{\"return\": \"A\", \"id\": %u}\n",
		 b, a);
	put(p->peer, err.msg);
	while (qnm_qmp_read(p->q, &err) == 0)
		usleep(1000);
	usleep(10000);
	qnm_qmp_read(p->q, &err);
	assert_int_equal(qnm_qmp_take_reply(p->q, a, &ret, &err), 0);
	assert_string_equal(json_object_get_string(ret), "A");
	json_object_put(ret);
	assert_int_equal(qnm_qmp_take_reply(p->q, b, &ret, &err), 0);
	assert_string_equal(json_object_get_string(ret), "B");
	json_object_put(ret);
	assert_int_equal(qnm_qmp_take_reply(p->q, b, &ret, &err), -EAGAIN);
}

static void test_split_lines_and_garbage(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	struct qnm_qmp_event ev;

	/* Half an event: nothing yet. */
	put(p->peer, "{\"event\": \"SHUT");
	assert_int_equal(qnm_qmp_read(p->q, &err), 0);
	assert_false(qnm_qmp_next_event(p->q, &ev));
	/* The rest, plus a blank line, garbage, a non-object and a second event. */
	put(p->peer, "DOWN\", \"data\": {\"reason\": \"guest-shutdown\"}}\n"
		     "\n"
		     "not json at all\n"
		     "[1, 2, 3]\n"
		     "42\n"
		     "{\"event\": \"NIC_RX_FILTER_CHANGED\"}\n");
	assert_int_equal(qnm_qmp_read(p->q, &err), 2);
	assert_true(qnm_qmp_next_event(p->q, &ev));
	assert_string_equal(ev.name, "SHUTDOWN");
	qnm_qmp_event_clear(&ev);
	assert_true(qnm_qmp_next_event(p->q, &ev));
	assert_string_equal(ev.name, "NIC_RX_FILTER_CHANGED");
	assert_null(ev.data);
	qnm_qmp_event_clear(&ev);
	/* wait_event finds a later event and leaves the others queued. */
	put(p->peer, EVENT("STOP") EVENT("POWERDOWN"));
	assert_int_equal(qnm_qmp_wait_event(p->q, "POWERDOWN", 2000, NULL, &err), 0);
	assert_true(qnm_qmp_next_event(p->q, &ev));
	assert_string_equal(ev.name, "STOP");
	qnm_qmp_event_clear(&ev);
	assert_int_equal(qnm_qmp_wait_event(p->q, "NEVER", 50, NULL, &err), -ETIMEDOUT);
}

static void test_eof(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	struct qnm_qmp_event ev;

	/* QEMU's last words before it closes are still delivered. */
	put(p->peer, EVENT("SHUTDOWN"));
	close(p->peer);
	p->peer = -1;
	assert_int_equal(qnm_qmp_read(p->q, &err), 1);
	assert_true(qnm_qmp_next_event(p->q, &ev));
	qnm_qmp_event_clear(&ev);
	assert_int_equal(qnm_qmp_read(p->q, &err), -EPIPE);
	assert_int_equal(qnm_qmp_execute(p->q, "query-status", NULL, NULL, 500, &err), -EPIPE);
	/* quit on a closed connection counts as done. */
	assert_int_equal(qnm_qmp_quit(p->q, &err), 0);
}

static void test_hmp(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	char *out = NULL;

	put(p->peer, "{\"return\": \"Hub -1 (n0):\\r\\n  Protocol[State]\\r\\n\", \"id\": 1}\n");
	assert_int_equal(qnm_qmp_hmp(p->q, "info usernet", &out, &err), 0);
	assert_string_equal(out, "Hub -1 (n0):\r\n  Protocol[State]\r\n");
	free(out);
}

/* add-fd: the descriptor rides with the command's bytes (SCM_RIGHTS); remove-fd names its set. */
static void test_add_fd(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	char buf[CMSG_SPACE(sizeof(int))], line[512];
	struct iovec iov = { .iov_base = line, .iov_len = sizeof(line) - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)
	};
	struct stat mine, got;
	struct cmsghdr *cm;
	long long set = -1;
	int fd, qfd = -1, passed;
	ssize_t n;

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	put(p->peer, "{\"return\": {\"fdset-id\": 3, \"fd\": 12}, \"id\": 1}\n");
	assert_int_equal(qnm_qmp_add_fd(p->q, fd, "qnm-cap-x", &set, &qfd, &err), 0);
	assert_int_equal(set, 3);
	assert_int_equal(qfd, 12);
	n = recvmsg(p->peer, &mh, 0);
	assert_true(n > 0);
	line[n] = '\0';
	assert_non_null(strstr(line, "\"execute\":\"add-fd\""));
	assert_non_null(strstr(line, "\"opaque\":\"qnm-cap-x\""));
	cm = CMSG_FIRSTHDR(&mh);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	memcpy(&passed, CMSG_DATA(cm), sizeof(int));
	assert_int_equal(fstat(fd, &mine), 0);
	assert_int_equal(fstat(passed, &got), 0);
	assert_true(mine.st_dev == got.st_dev && mine.st_ino == got.st_ino);
	close(passed);
	close(fd);
	/* a reply without the set's id */
	put(p->peer, "{\"return\": {}, \"id\": 2}\n");
	assert_int_equal(qnm_qmp_add_fd(p->q, -1, NULL, &set, &qfd, &err), -EPROTO);
	put(p->peer, "{\"return\": {}, \"id\": 3}\n");
	assert_int_equal(qnm_qmp_remove_fd(p->q, 3, &err), 0);
}

static void test_too_long(void **state)
{
	struct pair *p = *state;
	struct qnm_err err = { 0 };
	char chunk[65536];
	size_t total = 0;
	int r = 0;

	/* A line that never ends is refused at 16 MiB instead of eating memory. */
	memset(chunk, 'x', sizeof(chunk));
	fcntl(p->peer, F_SETFL, fcntl(p->peer, F_GETFL) | O_NONBLOCK);
	while (total <= (17u << 20) && r >= 0) {
		ssize_t w = write(p->peer, chunk, sizeof(chunk));

		if (w > 0)
			total += (size_t)w;
		else
			assert_true(errno == EAGAIN);
		r = qnm_qmp_read(p->q, &err);
	}
	assert_int_equal(r, -EPROTO);
	assert_non_null(strstr(err.msg, "larger than"));
}

/* ---- a fake QEMU on a unix socket, for the handshake ---- */

enum step_op { SEND, REPLY, CLOSE, SLEEP };
struct step {
	enum step_op op;
	const char *text; /* SEND: the text; REPLY: the reply, "@ID" standing for the id */
};

/* Send @text with "@ID" replaced by @id. */
static void reply(int fd, const char *text, unsigned id)
{
	const char *at = strstr(text, "@ID");
	char buf[1024];

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%u%s", (int)(at - text), text, id, at + 3);
	put(fd, buf);
}

struct server {
	char dir[64];
	char path[128];
	pid_t pid;
};

static void server_start(struct server *s, const struct step *steps, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;

	snprintf(s->dir, sizeof(s->dir), "/tmp/qnm-test-qmp.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/qmp.sock", s->dir);
	qnm_strlcpy(sa.sun_path, s->path, sizeof(sa.sun_path));
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int fd = accept(lfd, NULL, NULL);
		char buf[1024];
		size_t i;

		for (i = 0; fd >= 0 && i < n; i++) {
			switch (steps[i].op) {
			case SEND:
				put(fd, steps[i].text);
				break;
			case REPLY:
				reply(fd, steps[i].text, read_command(fd, NULL, 0));
				break;
			case SLEEP:
				usleep(100000);
				break;
			case CLOSE:
				_exit(0);
			}
		}
		/* Stay until the client goes. */
		while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(lfd);
}

static void server_stop(struct server *s)
{
	int st;

	kill(s->pid, SIGTERM);
	waitpid(s->pid, &st, 0);
	unlink(s->path);
	rmdir(s->dir);
}

static void test_connect_handshake(void **state)
{
	static const struct step steps[] = {
		{ SEND, GREETING },
		{ REPLY, "{\"return\": {}, \"id\": @ID}\r\n" },
	};
	struct qnm_err err = { 0 };
	struct qnm_qmp *q = NULL;
	struct server s;

	(void)state;
	server_start(&s, steps, QNM_ARRAY_SIZE(steps));
	assert_int_equal(qnm_qmp_connect(s.path, 3000, &q, &err), 0);
	assert_string_equal(qnm_qmp_version(q), "7.2.22");
	assert_true(qnm_qmp_fd(q) >= 0);
	qnm_qmp_free(q);
	server_stop(&s);
}

static void test_connect_event_before_greeting(void **state)
{
	static const struct step steps[] = {
		{ SEND, EVENT("RESUME") },
		{ SLEEP, NULL },
		{ SEND, GREETING },
		{ REPLY, EVENT("NIC_RX_FILTER_CHANGED") "{\"return\": {}, \"id\": @ID}\r\n" },
	};
	struct qnm_err err = { 0 };
	struct qnm_qmp_event ev;
	struct qnm_qmp *q = NULL;
	struct server s;

	(void)state;
	server_start(&s, steps, QNM_ARRAY_SIZE(steps));
	assert_int_equal(qnm_qmp_connect(s.path, 3000, &q, &err), 0);
	assert_string_equal(qnm_qmp_version(q), "7.2.22");
	assert_true(qnm_qmp_next_event(q, &ev));
	assert_string_equal(ev.name, "RESUME");
	qnm_qmp_event_clear(&ev);
	assert_true(qnm_qmp_next_event(q, &ev));
	assert_string_equal(ev.name, "NIC_RX_FILTER_CHANGED");
	qnm_qmp_event_clear(&ev);
	qnm_qmp_free(q);
	server_stop(&s);
}

static void test_connect_failures(void **state)
{
	static const struct step silent[] = { { SLEEP, NULL } };
	static const struct step refuse[] = {
		{ SEND, GREETING },
		{ REPLY, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no\"}, "
			 "\"id\": @ID}\n" },
	};
	static const struct step hangup[] = { { SEND, GREETING }, { CLOSE, NULL } };
	struct qnm_err err = { 0 };
	struct qnm_qmp *q = (struct qnm_qmp *)1;
	struct server s;

	(void)state;
	/* Nobody there at all (after the retry time). */
	assert_int_equal(qnm_qmp_connect("/nonexistent/qmp.sock", 50, &q, &err), -ETIMEDOUT);
	assert_null(q);
	assert_non_null(strstr(err.msg, "/nonexistent/qmp.sock"));
	/* Something that never greets. */
	server_start(&s, silent, QNM_ARRAY_SIZE(silent));
	assert_int_equal(qnm_qmp_connect(s.path, 300, &q, &err), -ETIMEDOUT);
	assert_non_null(strstr(err.msg, "no QMP greeting"));
	server_stop(&s);
	/* The handshake refused. */
	server_start(&s, refuse, QNM_ARRAY_SIZE(refuse));
	assert_int_equal(qnm_qmp_connect(s.path, 2000, &q, &err), -EREMOTEIO);
	assert_non_null(strstr(err.msg, "QMP handshake"));
	server_stop(&s);
	/* Greets, then hangs up before answering. */
	server_start(&s, hangup, QNM_ARRAY_SIZE(hangup));
	assert_int_equal(qnm_qmp_connect(s.path, 2000, &q, &err), -EPIPE);
	server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_return_and_events_between, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_error_reply, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_replies_out_of_order, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_split_lines_and_garbage, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_eof, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_hmp, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_add_fd, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_too_long, pair_setup, pair_teardown),
		cmocka_unit_test(test_connect_handshake),
		cmocka_unit_test(test_connect_event_before_greeting),
		cmocka_unit_test(test_connect_failures),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
