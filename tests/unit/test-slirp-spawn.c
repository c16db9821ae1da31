// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-slirp-spawn.c - qnm_slirp_helper_spawn() and the slirpctl client against a real
 * helper process ($QNM slirp-helper; no guest). Host ports are free ports on 127.0.0.1.
 */
#include "build-config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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

#include "guest/cmdline.h"
#include "guest/slirp-helper.h"
#include "guest/slirpctl.h"

static char rundir[] = "/tmp/qnm-test-slirp-spawn.XXXXXX";

/* A free TCP port on 127.0.0.1, or a listening socket on it when @keep is non-NULL. */
static uint16_t free_port(int *keep)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	if (keep) {
		assert_int_equal(listen(fd, 1), 0);
		*keep = fd;
	} else {
		close(fd);
	}
	return ntohs(sa.sin_port);
}

static bool tcp_connects(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				  .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

static struct qnm_vm *slirp_vm(uint16_t fwd_port)
{
	struct qnm_vm *vm = qnm_vm_new("spawn");
	struct qnm_nic *nic = qnm_vm_add_nic(vm);
	struct qnm_err err = { 0 };
	struct qnm_fwd f;
	char spec[64];

	nic->backend = QNM_BACKEND_SLIRP;
	nic->user.ipv6 = false;
	if (fwd_port) {
		snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u-:22", fwd_port);
		assert_int_equal(qnm_fwd_parse(spec, &f, "f", &err), 0);
		qnm_fwd_add(&nic->user.fwd, &nic->user.nfwd, &f);
	}
	return vm;
}

static int wait_exit(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_spawn_and_control(void **state)
{
	uint16_t p1 = free_port(NULL), p2 = free_port(NULL), p3;
	struct qnm_vm *vm = slirp_vm(p1);
	struct qnm_cmdline_opts o = { .rundir = rundir };
	struct qnm_err err = { 0 };
	struct qnm_slirp_stats st;
	struct qnm_slirpctl *c;
	struct qnm_fwd f, *v;
	struct json_object *reply;
	struct stat sb;
	char spec[64], *sock, *ctl, *text;
	size_t n;
	pid_t pid;
	int held;

	if (qnm_slirp_helper_spawn(vm, &vm->nics[0], rundir, &pid, &err))
		fail_msg("spawn: %s", err.msg);
	sock = qnm_slirp_socket_path(vm, &vm->nics[0], &o);
	ctl = qnm_slirp_control_path(rundir, &vm->nics[0]);
	/* both sockets listen as soon as spawn returns, owner-only */
	assert_int_equal(stat(sock, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(ctl, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_true(tcp_connects(p1));

	assert_int_equal(qnm_slirpctl_open(ctl, 2000, &c, &err), 0);
	assert_int_equal(qnm_slirpctl_stats(c, &st, &err), 0);
	assert_false(st.connected);
	assert_int_equal(st.connections, 0);
	assert_int_equal(st.rx_bytes + st.tx_bytes, 0);

	/* add a forward live: its port listens; the same port again is refused */
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u-:80", p2);
	assert_int_equal(qnm_fwd_parse(spec, &f, "f", &err), 0);
	if (qnm_slirpctl_hostfwd_add(c, &f, &err))
		fail_msg("hostfwd add: %s", err.msg);
	assert_true(tcp_connects(p2));
	assert_int_equal(qnm_slirpctl_hostfwd_add(c, &f, &err), -EREMOTEIO);
	assert_non_null(strstr(err.msg, "already forwarded"));
	assert_int_equal(qnm_slirpctl_hostfwd_list(c, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].host_port, p1);
	assert_int_equal(v[1].host_port, p2);
	assert_int_equal(v[1].guest_port, 80);
	free(v);

	/* a port another process holds: the error names it */
	p3 = free_port(&held);
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u-:81", p3);
	assert_int_equal(qnm_fwd_parse(spec, &f, "f", &err), 0);
	assert_int_equal(qnm_slirpctl_hostfwd_add(c, &f, &err), -EREMOTEIO);
	snprintf(spec, sizeof(spec), "host port %u (tcp) on 127.0.0.1 is already in use", p3);
	if (!strstr(err.msg, spec))
		fail_msg("message '%s' lacks '%s'", err.msg, spec);
	close(held);

	assert_int_equal(qnm_slirpctl_conns(c, &text, &err), 0);
	assert_non_null(strstr(text, "HOST_FORWARD"));
	free(text);

	/* remove: the port closes; removing again says there is no such forward */
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", p2);
	assert_int_equal(qnm_slirp_fwd_parse_remove(spec, &f, "f", &err), 0);
	assert_int_equal(qnm_slirpctl_hostfwd_remove(c, &f, &err), 0);
	assert_false(tcp_connects(p2));
	assert_int_equal(qnm_slirpctl_hostfwd_remove(c, &f, &err), -EREMOTEIO);
	assert_non_null(strstr(err.msg, "no forward"));

	/* unknown requests are answered, and the connection stays usable */
	assert_int_equal(qnm_slirpctl_request(c, "frobnicate", &reply, &err), -EREMOTEIO);
	assert_non_null(strstr(err.msg, "unknown request"));
	assert_int_equal(qnm_slirpctl_request(c, "info", &reply, &err), 0);
	json_object_put(reply);
	/* the client refuses multi-line requests itself */
	assert_int_equal(qnm_slirpctl_request(c, "stats\nstats", &reply, &err), -EINVAL);
	qnm_slirpctl_free(c);

	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_exit(pid), 0);
	assert_int_not_equal(access(sock, F_OK), 0);
	assert_int_not_equal(access(ctl, F_OK), 0);
	assert_false(tcp_connects(p1));
	/* stop of a helper that is already gone: fine, and the pid file goes */
	text = qnm_slirp_pid_path(rundir, &vm->nics[0]);
	assert_int_equal(access(text, F_OK), 0);
	assert_int_equal(qnm_slirp_helper_stop(rundir, &vm->nics[0], 1000, &err), 0);
	assert_int_not_equal(access(text, F_OK), 0);
	free(text);
	/* nobody listens any more */
	assert_int_equal(qnm_slirpctl_open(ctl, 500, &c, &err), -ENOENT);
	free(sock);
	free(ctl);
	qnm_vm_free(vm);
}

/* A line longer than the limit gets an error reply, then the helper hangs up. */
static void test_overlong_line(void **state)
{
	struct qnm_vm *vm = slirp_vm(0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct qnm_err err = { 0 };
	char line[QNM_SLIRPCTL_LINE_MAX + 100], reply[512], *ctl;
	size_t got = 0;
	ssize_t r;
	pid_t pid;
	int fd;

	if (qnm_slirp_helper_spawn(vm, &vm->nics[0], rundir, &pid, &err))
		fail_msg("spawn: %s", err.msg);
	ctl = qnm_slirp_control_path(rundir, &vm->nics[0]);
	strcpy(sa.sun_path, ctl);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	memset(line, 'x', sizeof(line));
	assert_int_equal(write(fd, line, sizeof(line)), (ssize_t)sizeof(line));
	while ((r = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)r;
	reply[got] = '\0';
	assert_non_null(strstr(reply, "\"ok\":false"));
	assert_non_null(strstr(reply, "too long"));
	close(fd);
	/* the real stop path: SIGTERM via the pid file, reaped here */
	assert_int_equal(qnm_slirp_helper_stop(rundir, &vm->nics[0], 2000, &err), 0);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_not_equal(access(ctl, F_OK), 0);
	free(ctl);
	qnm_vm_free(vm);
}

/* Connect to the helper's QEMU socket as QEMU would. */
static int fake_qemu(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void read_full(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		assert_int_equal(poll(&p, 1, 3000), 1);
		r = read(fd, buf + got, n - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* ARP "who has 10.0.2.2, tell 10.0.2.15" from the guest: 42 bytes. */
static void arp_request(uint8_t f[42])
{
	static const uint8_t head[] = { 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1 };

	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	memcpy(f + 12, head, sizeof(head));
	memcpy(f + 22, guest_mac, 6);
	memcpy(f + 28, (uint8_t[]){ 10, 0, 2, 15 }, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, (uint8_t[]){ 10, 0, 2, 2 }, 4);
}

/* Frames in both directions through the stream socket, and the counters that match. */
static void test_fake_qemu_frames(void **state)
{
	struct qnm_vm *vm = slirp_vm(0);
	struct qnm_cmdline_opts o = { .rundir = rundir };
	struct qnm_err err = { 0 };
	struct qnm_slirp_stats st;
	struct qnm_slirpctl *c;
	uint8_t req[42], hdr[4] = { 0, 0, 0, 42 }, reply[128];
	const uint8_t bad[4] = { 0xff, 0xff, 0xff, 0xff };
	uint32_t len;
	char *sock, *ctl;
	pid_t pid;
	int fd;

	if (qnm_slirp_helper_spawn(vm, &vm->nics[0], rundir, &pid, &err))
		fail_msg("spawn: %s", err.msg);
	sock = qnm_slirp_socket_path(vm, &vm->nics[0], &o);
	ctl = qnm_slirp_control_path(rundir, &vm->nics[0]);
	fd = fake_qemu(sock);
	arp_request(req);
	/* the prefix and the frame in three pieces: the helper must reassemble */
	assert_int_equal(write(fd, hdr, 4), 4);
	usleep(50000);
	assert_int_equal(write(fd, req, 20), 20);
	usleep(50000);
	assert_int_equal(write(fd, req + 20, 22), 22);

	read_full(fd, hdr, 4);
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	assert_true(len >= 42 && len <= sizeof(reply));
	read_full(fd, reply, len);
	assert_memory_equal(reply, guest_mac, 6);	      /* to the guest */
	assert_int_equal(reply[12] << 8 | reply[13], 0x0806); /* ARP */
	assert_int_equal(reply[20] << 8 | reply[21], 2);      /* reply */
	assert_memory_equal(reply + 28, ((uint8_t[]){ 10, 0, 2, 2 }), 4);

	assert_int_equal(qnm_slirpctl_open(ctl, 2000, &c, &err), 0);
	assert_int_equal(qnm_slirpctl_stats(c, &st, &err), 0);
	assert_true(st.connected);
	assert_int_equal(st.connections, 1);
	assert_int_equal(st.tx_packets, 1);
	assert_int_equal(st.tx_bytes, 42);
	assert_int_equal(st.rx_packets, 1);
	assert_int_equal(st.rx_bytes, len);
	qnm_slirpctl_free(c);

	/* a length over the limit: the helper hangs up, and (default) exits cleanly */
	assert_int_equal(write(fd, bad, 4), 4);
	assert_int_equal(read(fd, reply, sizeof(reply)), 0);
	close(fd);
	assert_int_equal(wait_exit(pid), 0);
	assert_int_not_equal(access(sock, F_OK), 0);
	assert_int_equal(qnm_slirp_helper_stop(rundir, &vm->nics[0], 1000, &err), 0);
	free(sock);
	free(ctl);
	qnm_vm_free(vm);
}

/* --keep-listening: QEMU may go and come back; counted, then SIGTERM ends it. */
static void test_keep_listening(void **state)
{
	char sock[256], ctl[256];
	struct qnm_err err = { 0 };
	struct qnm_slirp_stats st;
	struct qnm_slirpctl *c = NULL;
	pid_t pid;
	int i, fd;

	snprintf(sock, sizeof(sock), "%s/keep.sock", rundir);
	snprintf(ctl, sizeof(ctl), "%s/keep.ctl", rundir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(getenv("QNM"), "qnm", "slirp-helper", "--socket", sock, "--control", ctl,
		      "--keep-listening", "--ipv6", "off", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && qnm_slirpctl_open(ctl, 500, &c, &err); i++)
		usleep(50000);
	assert_non_null(c);
	for (i = 0; i < 2; i++) {
		fd = fake_qemu(sock);
		usleep(100000);
		close(fd);
		usleep(100000);
	}
	assert_int_equal(qnm_slirpctl_stats(c, &st, &err), 0);
	assert_int_equal(st.connections, 2);
	assert_false(st.connected);
	qnm_slirpctl_free(c);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_exit(pid), 0);
	assert_int_not_equal(access(sock, F_OK), 0);
	assert_int_not_equal(access(ctl, F_OK), 0);
}

static void test_spawn_port_in_use(void **state)
{
	int held;
	uint16_t p = free_port(&held);
	struct qnm_vm *vm = slirp_vm(p);
	struct qnm_err err = { 0 };
	char want[96], *ctl;
	pid_t pid = 0;

	assert_int_equal(qnm_slirp_helper_spawn(vm, &vm->nics[0], rundir, &pid, &err), -EIO);
	snprintf(want, sizeof(want), "host port %u (tcp) on 127.0.0.1 is already in use", p);
	if (!strstr(err.msg, want))
		fail_msg("message '%s' lacks '%s'", err.msg, want);
	assert_int_equal(pid, 0);
	/* it cleaned up after itself */
	ctl = qnm_slirp_control_path(rundir, &vm->nics[0]);
	assert_int_not_equal(access(ctl, F_OK), 0);
	free(ctl);
	close(held);
	qnm_vm_free(vm);
}

static void test_spawn_bad_exe(void **state)
{
	struct qnm_vm *vm = slirp_vm(0);
	struct qnm_err err = { 0 };
	char *saved = strdup(getenv("QNM_HELPER_EXE"));
	pid_t pid = 0;

	setenv("QNM_HELPER_EXE", "/nonexistent/qnm", 1);
	assert_int_equal(qnm_slirp_helper_spawn(vm, &vm->nics[0], rundir, &pid, &err), -EIO);
	assert_non_null(strstr(err.msg, "cannot run /nonexistent/qnm"));
	assert_non_null(strstr(err.msg, "No such file"));
	setenv("QNM_HELPER_EXE", saved, 1);
	free(saved);
	qnm_vm_free(vm);
}

/* A pid file naming some other process (a recycled pid): stop must leave it alone. */
static void test_stop_ignores_other_process(void **state)
{
	struct qnm_vm *vm = slirp_vm(0);
	struct qnm_err err = { 0 };
	char *pidpath = qnm_slirp_pid_path(rundir, &vm->nics[0]);
	pid_t other = fork();
	FILE *f;

	assert_true(other >= 0);
	if (other == 0) {
		pause();
		_exit(0);
	}
	f = fopen(pidpath, "w");
	assert_non_null(f);
	fprintf(f, "%ld\n", (long)other);
	fclose(f);
	assert_int_equal(qnm_slirp_helper_stop(rundir, &vm->nics[0], 500, &err), 0);
	assert_int_equal(kill(other, 0), 0); /* still alive */
	assert_int_not_equal(access(pidpath, F_OK), 0);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	free(pidpath);
	qnm_vm_free(vm);
}

static void test_spawn_wrong_backend(void **state)
{
	struct qnm_vm *vm = slirp_vm(0);
	struct qnm_err err = { 0 };
	pid_t pid;

	vm->nics[0].backend = QNM_BACKEND_USER;
	assert_int_equal(qnm_slirp_helper_spawn(vm, &vm->nics[0], rundir, &pid, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "slirp backend"));
	vm->nics[0].backend = QNM_BACKEND_SLIRP;
	qnm_strlcpy(vm->nics[0].user.dns, "192.168.1.1", sizeof(vm->nics[0].user.dns));
	assert_int_equal(qnm_slirp_helper_spawn(vm, &vm->nics[0], rundir, &pid, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "outside the guest network"));
	qnm_vm_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_and_control),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_fake_qemu_frames),
		cmocka_unit_test(test_keep_listening),
		cmocka_unit_test(test_spawn_port_in_use),
		cmocka_unit_test(test_spawn_bad_exe),
		cmocka_unit_test(test_spawn_wrong_backend),
		cmocka_unit_test(test_stop_ignores_other_process),
	};
	const char *qnm = getenv("QNM");
	char probe[4096];
	int r;

	if (!qnm || access(qnm, X_OK) != 0) {
		printf("SKIP: $QNM (the qnm binary) is not set\n");
		return 77;
	}
	snprintf(probe, sizeof(probe), "'%s' slirp-helper --help 2>/dev/null | grep -q -- --socket",
		 qnm);
	if (system(probe) != 0) {
		printf("SKIP: %s does not dispatch the slirp-helper command\n", qnm);
		return 77;
	}
	setenv("QNM_HELPER_EXE", qnm, 1);
	if (!mkdtemp(rundir))
		return 99;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	/* only the helper's log is left behind */
	snprintf(probe, sizeof(probe), "%s/slirp-n0.log", rundir);
	unlink(probe);
	if (rmdir(rundir) != 0) {
		printf("rundir %s not empty after the tests\n", rundir);
		r = r ? r : 1;
	}
	return r;
}
