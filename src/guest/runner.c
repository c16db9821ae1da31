// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runner.c - start, supervise and stop QEMU guests. See runner.h.
 *
 * Process layout after qnm_runner_start():
 *
 *   qnm (CLI/UI, may exit)
 *   supervisor (forked qnm, own session, parent of QEMU, records the exit)
 *     qemu-system-ARCH (stdin /dev/null, stdout/stderr RUNDIR/qemu.log)
 *     qnm slirp-helper, one per slirp NIC (own session; started before QEMU)
 *     passt, one per passt NIC (own session; started before QEMU)
 */
#include "build-config.h"

#include "guest/runner.h"

#include "core/backend.h"
#include "core/config.h"
#include "core/validate.h"
#include "host/maclive.h"
#include "host/ovn.h"
#include "guest/kvmprobe.h"
#include "guest/leftover.h"
#include "guest/qmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often the supervisor looks at the serial log's size (log-max). */
#define LOG_CHECK_MS 250
/* ... and how often while the guest prints. */
#define LOG_BUSY_MS 50

extern char **environ;

#define START_TIMEOUT_MS  10000
#define NOTIFY_TIMEOUT_MS 15000
#define POWERDOWN_MS	  15000
#define QUIT_MS		  3000
#define SUPERVISOR_MS	  3000
#define EVENTS_SOCK	  "events.sock"

/* ---- the host side of the NICs: the backends' host_check/prepare/release (backend.h) ---- */

/**
 * struct run_state - what the supervisor prepared, per NIC (@n of them).
 * @host: the host side of each NIC (struct qnm_nic_host).
 */
struct run_state {
	size_t n;
	struct qnm_nic_host *host;
};

/* A hostfwd port must be free on the host: try to bind it like QEMU does. */
static int check_fwd_ports(const struct qnm_vm *vm, const struct qnm_nic *nic,
			   const struct qnm_runner_opts *o, struct qnm_err *err)
{
	size_t i, k;

	/* each port of a range, each protocol of tcp+udp */
	for (i = 0; i < nic->user.nfwd; i++) {
		size_t nk = qnm_fwd_count(&nic->user.fwd[i]);

		for (k = 0; k < nk; k++) {
			struct qnm_fwd single;
			const struct qnm_fwd *f = &single;
			struct sockaddr_in sa = { .sin_family = AF_INET };
			int fd, one = 1, e = 0;
			char field[64];

			qnm_fwd_nth(&nic->user.fwd[i], k, &single);
			sa.sin_port = htons(f->host_port);

			/* Who holds a port is named by o->check_nic (the engine API); this binds. */
			if (f->host_addr[0] && inet_pton(AF_INET, f->host_addr, &sa.sin_addr) != 1)
				continue; /* the validator reports bad addresses */
			fd = socket(AF_INET,
				    (f->proto == QNM_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) |
					    SOCK_CLOEXEC,
				    0);
			if (fd < 0)
				continue;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
				e = errno;
			close(fd);
			if (!e)
				continue;
			snprintf(field, sizeof(field), "nic[%s].hostfwd", nic->id);
			if (e == EADDRINUSE)
				return qnm_err_set(
					err, -EADDRINUSE, field,
					"%s: host port %s %s:%u is already in use on this host "
					"(pick another host port or stop what listens there)",
					field, qnm_proto_name(f->proto),
					f->host_addr[0] ? f->host_addr : "0.0.0.0", f->host_port);
			if (e == EACCES)
				return qnm_err_set(
					err, -EACCES, field,
					"%s: host port %u needs privileges (ports below 1024 are "
					"for root); pick a port of 1024 or more",
					field, f->host_port);
			if (e == EADDRNOTAVAIL)
				return qnm_err_set(err, -EADDRNOTAVAIL, field,
						   "%s: %s is not an address of this host", field,
						   f->host_addr);
			return qnm_err_set(err, -e, field, "%s: cannot bind %s port %u: %s", field,
					   qnm_proto_name(f->proto), f->host_port, strerror(e));
		}
	}
	return 0;
}

/* ---- checks ---- */

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", dir, prog);

		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

int qnm_runner_check(const struct qnm_vm *vm, const struct qnm_runner_opts *o, struct qnm_err *err)
{
	char *qemu = o && o->qemu ? xstrdup(o->qemu) : xasprintf("qemu-system-%s", vm->arch);
	size_t i;
	int r;

	if (!in_path(qemu)) {
		r = qnm_err_set(err, -ENOENT, "arch",
				"%s is not installed (Debian package 'qemu-system-x86' for x86_64)",
				qemu);
		free(qemu);
		return r;
	}
	free(qemu);
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *nic = &vm->nics[i];
		const struct qnm_backend_ops *b = qnm_nic_backend(nic);
		char field[64];

		if (!nic->mac[0]) {
			snprintf(field, sizeof(field), "nic[%s].mac", nic->id);
			return qnm_err_set(err, -EINVAL, field,
					   "%s: no MAC assigned (QEMU would give every guest "
					   "52:54:00:12:34:56)",
					   field);
		}
		if (o && o->check_nic) {
			r = o->check_nic(vm, nic, err);
			if (r)
				return r;
		}
		r = b && b->has_hostfwd ? check_fwd_ports(vm, nic, o, err) : 0;
		if (!r && b && b->host_check)
			r = b->host_check(vm, nic, o, err);
		if (r)
			return r;
	}
	return 0;
}

/* ---- live MAC clashes: warned, not refused (runner.h) ---- */

static void add_warning(struct qnm_start_info *info, const char *text)
{
	size_t len = strlen(info->warnings);

	info->nwarnings++;
	if (len + strlen(text) + 2 > sizeof(info->warnings))
		return;
	snprintf(info->warnings + len, sizeof(info->warnings) - len, "%s%s", len ? "\n" : "", text);
}

/* ---- accel=auto: KVM only when it runs guests here ---- */

static enum qnm_kvm resolve_kvm(const struct qnm_vm *vm, const struct qnm_runner_opts *o,
				struct qnm_start_info *info)
{
	struct qnm_kvm_probe p;
	char *qemu, text[400];

	/* the probe boots the PC firmware: x86 guests (a host's KVM runs its own arch) */
	if (o->kvm != QNM_KVM_PROBE || vm->accel != QNM_ACCEL_AUTO ||
	    (strcmp(vm->arch, "x86_64") != 0 && strcmp(vm->arch, "i386") != 0))
		return o->kvm;
	qemu = o->qemu ? xstrdup(o->qemu) : xasprintf("qemu-system-%s", vm->arch);
	qnm_kvm_probe(qemu, o->cache_dir, QNM_KVM_PROBE_MS, false, &p);
	free(qemu);
	switch (p.verdict) {
	case QNM_KVM_RUNS:
		return QNM_KVM_YES;
	case QNM_KVM_HANGS:
	case QNM_KVM_FAILS:
		snprintf(text, sizeof(text),
			 "accel=auto: %s opens but does not run guests (%s): this guest runs "
			 "under TCG, many times slower; qnm doctor explains",
			 qnm_kvm_device(), p.detail);
		add_warning(info, text);
		return QNM_KVM_NO;
	case QNM_KVM_NO_DEVICE:
		return QNM_KVM_NO;
	default:
		return QNM_KVM_PROBE; /* no probe possible: the device decides */
	}
}

/* neighbour states in which the entry may be a leftover, not a live machine */
static bool neigh_maybe_old(const char *state)
{
	static const char *const old[] = { "stale", "delay", "probe", "failed", "incomplete" };
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(old); i++)
		if (strstr(state, old[i]))
			return true;
	return false;
}

static void mac_live_warnings(const struct qnm_vm *vm, const struct qnm_runner_opts *o,
			      struct qnm_start_info *info)
{
	static const struct qnm_model none;
	const struct qnm_model *model = o && o->model ? o->model : &none;
	char(*taps)[QNM_IFNAME_MAX + 1] = xcalloc(vm->nnics + 1, sizeof(*taps));
	const char **ignore = xcalloc(vm->nnics + 1, sizeof(*ignore));
	struct qnm_mac_live_clash *c = NULL;
	struct qnm_err err;
	size_t i, n = 0, nign = 0;
	int r;

	/* the VM's own TAPs (an existing one may still be on the bridge) are not a clash */
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_backend_ops *b = qnm_nic_backend(&vm->nics[i]);

		if (!b || !b->host_ifname || !b->host_ifname(vm, i, taps[nign]))
			continue;
		ignore[nign] = taps[nign];
		nign++;
	}
	qnm_err_clear(&err);
	r = qnm_mac_live_clashes(model, vm, ignore, nign, &c, &n, &err);
	free(ignore);
	free(taps);
	if (r) {
		char *t = xasprintf("could not look for MAC clashes on the bridges: %s", err.msg);

		add_warning(info, t);
		free(t);
		return;
	}
	for (i = 0; i < n; i++) {
		char *what = qnm_mac_live_clash_text(&c[i]);
		char *t = xasprintf(
			"%s; two machines with one MAC lose each other's traffic: if another "
			"machine uses it, give NIC %s a new MAC%s",
			what, c[i].nic,
			strcmp(c[i].table, "neighbour") == 0 && neigh_maybe_old(c[i].state)
				? " (an old entry, e.g. from this VM's last run, is harmless)"
				: "");

		add_warning(info, t);
		free(t);
		free(what);
	}
	free(c);
}

/* ---- supervisor ---- */

static void release_all(const struct qnm_vm *vm, size_t upto, const struct qnm_rundir *rd,
			struct run_state *st)
{
	size_t i;

	for (i = upto; i-- > 0;) {
		const struct qnm_backend_ops *b = qnm_nic_backend(&vm->nics[i]);

		if (b && b->host_release)
			b->host_release(vm, i, rd, &st->host[i]);
	}
}

static void notify(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notify(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (write(fd, buf, (size_t)n) < 0) {
		/* the starter went away; the state file still tells */
	}
}

static void describe_exit(int st, char *buf, size_t len, bool *crashed)
{
	if (WIFEXITED(st)) {
		snprintf(buf, len, "QEMU exited with status %d", WEXITSTATUS(st));
		*crashed = WEXITSTATUS(st) != 0;
	} else if (WIFSIGNALED(st)) {
		snprintf(buf, len, "QEMU was killed by signal %d (%s)%s", WTERMSIG(st),
			 strsignal(WTERMSIG(st)), WCOREDUMP(st) ? ", core dumped" : "");
		*crashed = true;
	} else {
		snprintf(buf, len, "QEMU ended (wait status 0x%x)", st);
		*crashed = true;
	}
}

/*
 * Wait for QEMU (@pid) to end, its wait status in *@wst; meanwhile keep
 * the serial log under the VM's log-max: looked at every LOG_CHECK_MS, or
 * every LOG_BUSY_MS while it grows (the supervisor sleeps in poll() on a
 * pidfd that wakes it when QEMU ends).
 */
static void wait_qemu(const struct qnm_vm *vm, const struct qnm_rundir *rd, pid_t pid, int *wst)
{
	off_t max = (off_t)(vm->log_max_kib ? vm->log_max_kib : QNM_LOG_MAX_KIB) * 1024;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), ms;
	off_t last = 0;
	struct stat st;
	pid_t w;

	for (;;) {
		w = waitpid(pid, wst, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			*wst = 0xff00;
			break;
		}
		ms = LOG_CHECK_MS;
		if (stat(rd->serial, &st) == 0) {
			if (st.st_size != last)
				ms = LOG_BUSY_MS; /* the guest prints: look again soon */
			last = st.st_size;
			if (st.st_size > max && qnm_rundir_serial_rotate(rd, max))
				last = 0;
		}
		if (pidfd >= 0) {
			struct pollfd p = { .fd = pidfd, .events = POLLIN };

			poll(&p, 1, ms);
		} else {
			usleep((useconds_t)ms * 1000);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
}

/* Runs in the supervisor (own session); never returns. fd 3 is the notify pipe. */
static void __attribute__((noreturn))
supervise(const struct qnm_vm *vm, char **argv, const struct qnm_rundir *rd, struct run_state *st)
{
	posix_spawnattr_t attr;
	sigset_t none, def;
	char reason[256];
	size_t i;
	pid_t pid;
	int wst, r;
	bool crashed;
	struct qnm_err err = { 0 };

	/* From now on a probe knows who prepares the VM (and whether it died at it). */
	qnm_rundir_write_state(rd, QNM_RUN_STARTING, 0, getpid(), NULL);
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_backend_ops *b = qnm_nic_backend(&vm->nics[i]);

		if (b && b->host_prepare && b->host_prepare(vm, i, rd, &st->host[i], &err)) {
			release_all(vm, i, rd, st);
			notify(3, "ERR %d %s\n", err.code, err.msg);
			_exit(1);
		}
		if (st->host[i].warning[0])
			notify(3, "WARN nic[%s]: %s\n", vm->nics[i].id, st->host[i].warning);
	}
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGCHLD);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	qnm_rundir_serial_reset(rd); /* QEMU appends to it (logappend=on) */
	r = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (r) {
		release_all(vm, vm->nnics, rd, st);
		notify(3, "ERR %d cannot run %s: %s\n", -r, argv[0], strerror(r));
		_exit(1);
	}
	qnm_rundir_write_state(rd, QNM_RUN_RUNNING, pid, getpid(), NULL);
	notify(3, "OK %ld\n", (long)pid);
	close(3);
	wait_qemu(vm, rd, pid, &wst);
	describe_exit(wst, reason, sizeof(reason), &crashed);
	qnm_rundir_write_state(rd, crashed ? QNM_RUN_CRASHED : QNM_RUN_STOPPED, pid, getpid(),
			       reason);
	fprintf(stderr, "qnm: %s\n", reason);
	release_all(vm, vm->nnics, rd, st);
	_exit(0);
}

static void run_state_init(struct run_state *st, const struct qnm_vm *vm,
			   const struct qnm_runner_opts *o)
{
	size_t i;

	st->n = vm->nnics;
	st->host = xcalloc(st->n + 1, sizeof(*st->host));
	for (i = 0; i < st->n; i++) {
		const struct qnm_backend_ops *b = qnm_nic_backend(&vm->nics[i]);
		const char *br =
			b && b->live_bridge ? b->live_bridge(o->model, &vm->nics[i]) : NULL;

		if (br)
			qnm_strlcpy(st->host[i].bridge, br, sizeof(st->host[i].bridge));
		if (b && b->host_plan)
			b->host_plan(o->model, &vm->nics[i], &st->host[i]);
	}
}

static void run_state_clear(struct run_state *st)
{
	free(st->host);
}

/*
 * Fork twice: the grandchild (supervisor) is in its own session, reparented
 * away from qnm so a long-running UI collects no zombies.
 */
static int spawn_supervisor(const struct qnm_vm *vm, char **argv, const struct qnm_rundir *rd,
			    struct run_state *st, int notify_w, struct qnm_err *err)
{
	pid_t a;
	int wst;

	a = fork();
	if (a < 0)
		return qnm_err_set(err, -errno, "", "fork: %s", strerror(errno));
	if (a == 0) {
		int devnull, logfd;
		pid_t b;

		setsid();
		b = fork();
		if (b != 0)
			_exit(b < 0 ? 1 : 0);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		if (chdir("/") < 0)
			_exit(1);
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		logfd = open(rd->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (devnull < 0 || logfd < 0) {
			notify(notify_w, "ERR %d cannot open %s: %s\n", -errno, rd->log,
			       strerror(errno));
			_exit(1);
		}
		if (dup2(devnull, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 ||
		    dup2(notify_w, 3) < 0)
			_exit(1);
		fcntl(3, F_SETFD, FD_CLOEXEC);
		/* Nothing else of qnm's (terminal, pipes of a $(...) caller) stays open. */
		syscall(SYS_close_range, 4u, ~0u, 0u);
		supervise(vm, argv, rd, st);
	}
	while (waitpid(a, &wst, 0) < 0)
		if (errno != EINTR)
			break;
	return 0;
}

/*
 * Read the supervisor's answer within @timeout_ms: "WARN TEXT" lines (into
 * @info's warnings), then "OK PID" or "ERR CODE MESSAGE".
 */
static int read_notify(int fd, int timeout_ms, struct qnm_start_info *info, struct qnm_err *err)
{
	char buf[2200] = { 0 }, *line, *nl;
	size_t len = 0;
	double deadline = qnm_mono_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = (int)(deadline - qnm_mono_ms());
		ssize_t n;

		/* the complete lines first: warnings go on, the answer ends it */
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			line = buf;
			if (strncmp(line, "WARN ", 5) == 0) {
				add_warning(info, line + 5);
				len -= (size_t)(nl + 1 - buf);
				memmove(buf, nl + 1, len);
				continue;
			}
			goto answer;
		}
		if (len == sizeof(buf) - 1)
			break;
		if (left <= 0)
			return qnm_err_set(err, -ETIMEDOUT, "", "the supervisor did not answer");
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return qnm_err_set(err, -errno, "", "poll: %s", strerror(errno));
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	line = buf;
answer:
	if (strncmp(line, "OK ", 3) == 0) {
		info->qemu_pid = (pid_t)strtol(line + 3, NULL, 10);
		return 0;
	}
	if (strncmp(line, "ERR ", 4) == 0) {
		char *end;
		long code = strtol(line + 4, &end, 10);

		return qnm_err_set(err, code < 0 ? (int)code : -EIO, "", "%s",
				   *end ? end + 1 : "failed");
	}
	return qnm_err_set(err, -EIO, "", "the supervisor ended without starting QEMU");
}

static bool any_link_down(const struct qnm_vm *vm)
{
	size_t i;

	for (i = 0; i < vm->nnics; i++)
		if (!vm->nics[i].link_up)
			return true;
	return false;
}

/*
 * Remove @rd (qnm_rundir_clean()), first stopping what the NICs' helpers
 * left running when QEMU is gone (the backends' @reclaim: a killed
 * supervisor released nothing); what was stopped is added to @report.
 */
static int clean_dir(const struct qnm_rundir *rd, char *report, size_t len, struct qnm_err *err)
{
	struct qnm_run_info info;
	struct qnm_strbuf sb;
	size_t k, have;
	int r;

	qnm_sb_init(&sb);
	qnm_rundir_probe(rd, &info);
	for (k = 0; (info.status == QNM_RUN_STOPPED || info.status == QNM_RUN_CRASHED) &&
		    qnm_backend_get((enum qnm_backend_kind)k);
	     k++) {
		const struct qnm_backend_ops *b = qnm_backend_get((enum qnm_backend_kind)k);

		if (b->reclaim)
			b->reclaim(rd, &sb);
	}
	r = qnm_rundir_clean(rd, report, len, err);
	have = report && len ? strnlen(report, len) : 0;
	if (sb.len && have + 3 < len)
		snprintf(report + have, len - have, "%s%s", have ? "; " : "", sb.s);
	qnm_sb_free(&sb);
	return r;
}

/* QEMU ended during start: wait for the supervisor's record, report QEMU's words. */
static int start_failed(const struct qnm_rundir *rd, pid_t qemu_pid, const char *what,
			struct qnm_err *err)
{
	struct qnm_run_info info;
	char *tail;
	int i;

	for (i = 0; i < 100; i++) {
		qnm_rundir_probe(rd, &info);
		if (info.status == QNM_RUN_STOPPED || info.status == QNM_RUN_CRASHED)
			break;
		usleep(10000);
	}
	tail = qnm_rundir_tail(rd, rd->log, 4);
	for (char *p = tail; *p; p++)
		if (*p == '\n')
			*p = ' ';
	qnm_err_set(err, -EIO, "", "%s: %s%s%s", what, info.reason[0] ? info.reason : "QEMU ended",
		    *tail ? ": " : "", tail);
	free(tail);
	clean_dir(rd, NULL, 0, NULL);
	return -EIO;
}

static int connect_started(const struct qnm_rundir *rd, pid_t qemu_pid, int timeout_ms,
			   struct qnm_qmp **q, struct qnm_err *err)
{
	double deadline = qnm_mono_ms() + timeout_ms;
	int r;

	for (;;) {
		if (!qnm_pid_alive(qemu_pid))
			return start_failed(rd, qemu_pid, "QEMU did not start", err);
		r = qnm_qmp_connect(rd->qmp, 100, q, err);
		if (r == 0)
			return 0;
		if (r != -ETIMEDOUT || qnm_mono_ms() > deadline) {
			/* QEMU closing the socket usually means it is exiting: say why. */
			if (!qnm_runner_wait_exit(qemu_pid, 500))
				return r;
			return start_failed(rd, qemu_pid, "QEMU did not start", err);
		}
	}
}

/*
 * What a killed supervisor (or a supervisor and its QEMU) of VM @name left:
 * its TAPs (leftover.h). Appends what was removed to @report (@len bytes).
 * Return: how many things were removed.
 */
static int reclaim(const char *runtime_dir, const char *name, char *report, size_t len)
{
	struct qnm_strbuf sb;
	size_t have = len ? strnlen(report, len) : 0;
	int n;

	qnm_sb_init(&sb);
	n = qnm_tap_reclaim(runtime_dir, name, &sb);
	if (n > 0 && have + 3 < len)
		snprintf(report + have, len - have, "%s%s", have ? "; " : "", sb.s);
	qnm_sb_free(&sb);
	return n > 0 ? n : 0;
}

/* A supervisor that answered ERR (no QEMU) is on its way out: let it go before cleaning up. */
static void wait_failed_supervisor(const struct qnm_rundir *rd)
{
	struct qnm_run_info now;

	qnm_rundir_probe(rd, &now);
	if (now.supervisor_pid > 0 && !now.qemu_pid)
		qnm_runner_wait_exit(now.supervisor_pid, SUPERVISOR_MS);
}

int qnm_runner_start(const struct qnm_vm *vm, const struct qnm_runner_opts *o,
		     struct qnm_start_info *info, struct qnm_err *err)
{
	struct qnm_cmdline_opts co = { 0 };
	struct qnm_start_info local;
	struct qnm_run_info ri;
	struct qnm_rundir rd;
	struct qnm_strv argv;
	struct qnm_qmp *q = NULL;
	struct run_state st;
	double t0 = qnm_mono_ms();
	int pfd[2], r, notify_ms;
	size_t i;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	r = qnm_runner_check(vm, o, err);
	if (r)
		return r;
	qnm_rundir_init(&rd, o->runtime_dir, vm->name);
	qnm_strv_init(&argv);
	qnm_rundir_probe(&rd, &ri);
	if (ri.status == QNM_RUN_RUNNING || ri.status == QNM_RUN_STARTING) {
		r = qnm_err_set(err, -EALREADY, "", "%s is already running (QEMU pid %ld)",
				vm->name, (long)ri.qemu_pid);
		goto out;
	}
	mac_live_warnings(vm, o, info);
	if (qnm_vm_boot_warning(vm))
		add_warning(info, qnm_vm_boot_warning(vm));
	if (ri.status != QNM_RUN_ABSENT) {
		r = clean_dir(&rd, info->cleaned, sizeof(info->cleaned), err);
		if (r)
			goto out;
	}
	reclaim(o->runtime_dir, vm->name, info->cleaned, sizeof(info->cleaned));
	r = qnm_rundir_create(&rd, err);
	if (r)
		goto out;
	co.style = QNM_STYLE_NETDEV;
	co.kvm = resolve_kvm(vm, o, info);
	co.cache_dir = o->cache_dir;
	co.qemu = o->qemu;
	co.rundir = rd.path;
	co.model = o->model;
	co.start_paused = any_link_down(vm);
	r = qnm_vm_argv(vm, &co, &argv, err);
	if (r)
		goto fail_dir;
	/* A second QMP monitor for a long-lived watcher (UI), so qmp.sock stays free. */
	qnm_strv_add(&argv, "-chardev");
	{
		struct qnm_strbuf sb;

		/* The path is an option value: a ',' in the runtime dir is doubled. */
		qnm_sb_init(&sb);
		qnm_sb_add(&sb, "socket,id=qnm-events,path=");
		qnm_qemu_escape(&sb, rd.path);
		qnm_sb_add(&sb, "/" EVENTS_SOCK ",server=on,wait=off");
		qnm_strv_take(&argv, qnm_sb_steal(&sb));
	}
	qnm_strv_add(&argv, "-mon");
	qnm_strv_add(&argv, "chardev=qnm-events,mode=control");
	qnm_rundir_write_state(&rd, QNM_RUN_STARTING, 0, 0, NULL);
	/* what runs, beside what is saved (screens show it, a save diffs against it) */
	r = qnm_rundir_write_running(&rd, vm, err);
	if (r)
		goto fail_dir;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		r = qnm_err_set(err, -errno, "", "pipe: %s", strerror(errno));
		goto fail_dir;
	}
	fflush(NULL);
	run_state_init(&st, vm, o);
	/* each NIC on an ovn network may wait for its port (backend-ovn.c) */
	notify_ms = NOTIFY_TIMEOUT_MS;
	for (i = 0; i < st.n; i++)
		if (st.host[i].ovn_nb[0])
			notify_ms += QNM_OVN_SETTLE_MS;
	r = spawn_supervisor(vm, argv.v, &rd, &st, pfd[1], err);
	run_state_clear(&st);
	close(pfd[1]);
	if (!r)
		r = read_notify(pfd[0], notify_ms, info, err);
	close(pfd[0]);
	if (r)
		goto fail_dir;
	{
		struct qnm_run_info now;

		qnm_rundir_probe(&rd, &now);
		info->supervisor_pid = now.supervisor_pid;
	}
	r = connect_started(&rd, info->qemu_pid,
			    o->timeout_ms > 0 ? o->timeout_ms : START_TIMEOUT_MS, &q, err);
	if (r == -EIO)
		goto out; /* start_failed() cleaned up */
	if (r)
		goto fail_kill;
	if (co.start_paused) {
		for (i = 0; i < vm->nnics; i++) {
			if (vm->nics[i].link_up)
				continue;
			r = qnm_qmp_set_link(q, vm->nics[i].id, false, err);
			if (r) {
				qnm_err_prefix(err, "nic[%s]: unplugging the cable",
					       vm->nics[i].id);
				goto fail_kill;
			}
		}
		r = qnm_qmp_cont(q, err);
		if (r)
			goto fail_kill;
	}
	r = qnm_qmp_query_status(q, info->status, sizeof(info->status), NULL, err);
	if (r)
		goto fail_kill;
	{
		/* the serial port's pty: made private, then named for qnm console */
		char pty[64];

		r = qnm_qmp_chardev_pty(q, QNM_SERIAL_CHARDEV, pty, sizeof(pty), err);
		if (!r)
			r = qnm_rundir_console_record(&rd, pty, err);
		if (r) {
			qnm_err_prefix(err, "the serial console");
			goto fail_kill;
		}
	}
	info->elapsed_ms = qnm_mono_ms() - t0;
	goto out;

fail_kill:
	if (info->qemu_pid > 0 && qnm_pid_is_qemu_of(info->qemu_pid, &rd)) {
		kill(info->qemu_pid, SIGKILL);
		qnm_runner_wait_exit(info->qemu_pid, 2000);
	}
	if (info->supervisor_pid > 0)
		qnm_runner_wait_exit(info->supervisor_pid, SUPERVISOR_MS);
fail_dir:
	wait_failed_supervisor(&rd);
	clean_dir(&rd, NULL, 0, NULL);
out:
	qnm_qmp_free(q);
	qnm_strv_free(&argv);
	qnm_rundir_clear(&rd);
	return r;
}

/* ---- watching and stopping ---- */

int qnm_runner_watch_fd(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

bool qnm_runner_wait_exit(pid_t pid, int timeout_ms)
{
	double deadline = qnm_mono_ms() + timeout_ms;
	int fd = qnm_runner_watch_fd(pid);

	if (fd == -ESRCH)
		return true;
	while (qnm_pid_alive(pid)) {
		int left = (int)(deadline - qnm_mono_ms());

		if (left <= 0)
			break;
		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			/* Readable at exit; a zombie child of ours is caught by qnm_pid_alive(). */
			poll(&p, 1, left < 50 ? left : 50);
		} else {
			usleep(10000);
		}
	}
	if (fd >= 0)
		close(fd);
	return !qnm_pid_alive(pid);
}

int qnm_runner_qmp(const char *runtime_dir, const char *name, struct qnm_qmp **out,
		   struct qnm_err *err)
{
	struct qnm_run_info info;
	struct qnm_rundir rd;
	int r;

	*out = NULL;
	qnm_rundir_init(&rd, runtime_dir, name);
	qnm_rundir_probe(&rd, &info);
	if (info.status != QNM_RUN_RUNNING && info.status != QNM_RUN_STARTING)
		r = qnm_err_set(err, -ENOENT, "", "%s is not running (%s)", name,
				qnm_run_status_name(info.status));
	else
		r = qnm_qmp_connect(rd.qmp, 3000, out, err);
	qnm_rundir_clear(&rd);
	return r;
}

/* the cable as set live, in the running record (a VM started by an older qnm has none) */
static void record_link(const char *runtime_dir, const char *name, const char *nic_id, bool up)
{
	struct qnm_rundir rd;
	struct qnm_vm *vm;
	struct qnm_nic *nic;

	qnm_rundir_init(&rd, runtime_dir, name);
	if (qnm_rundir_read_running(&rd, &vm) == 0) {
		nic = qnm_vm_find_nic(vm, nic_id);
		if (nic && nic->link_up != up) {
			nic->link_up = up;
			qnm_rundir_write_running(&rd, vm, NULL);
		}
		qnm_vm_free(vm);
	}
	qnm_rundir_clear(&rd);
}

int qnm_runner_set_link(const char *runtime_dir, const char *name, const char *nic_id, bool up,
			struct qnm_err *err)
{
	struct qnm_qmp *q;
	int r;

	r = qnm_runner_qmp(runtime_dir, name, &q, err);
	if (r)
		return r;
	r = qnm_qmp_set_link(q, nic_id, up, err);
	if (r)
		qnm_err_prefix(err, "nic[%s]", nic_id);
	qnm_qmp_free(q);
	if (!r)
		record_link(runtime_dir, name, nic_id, up);
	return r;
}

int qnm_runner_stop(const char *runtime_dir, const char *name, const struct qnm_stop_opts *so,
		    char *how, size_t len, struct qnm_err *err)
{
	int powerdown_ms = so && so->powerdown_ms > 0 ? so->powerdown_ms : POWERDOWN_MS;
	int quit_ms = so && so->quit_ms > 0 ? so->quit_ms : QUIT_MS;
	struct qnm_run_info info;
	struct qnm_rundir rd;
	struct qnm_qmp *q = NULL;
	double t0 = qnm_mono_ms();
	pid_t pid;
	int r = 0;

	qnm_rundir_init(&rd, runtime_dir, name);
	qnm_rundir_probe(&rd, &info);
	if (len)
		how[0] = '\0';
	if (info.status == QNM_RUN_ABSENT) {
		if (!reclaim(runtime_dir, name, how, len))
			r = qnm_err_set(err, -ENOENT, "", "%s is not running", name);
		goto out;
	}
	if (info.status == QNM_RUN_STOPPED || info.status == QNM_RUN_CRASHED) {
		r = clean_dir(&rd, how, len, err);
		if (!r)
			reclaim(runtime_dir, name, how, len);
		goto out;
	}
	pid = info.qemu_pid;
	if (pid <= 0 || !qnm_pid_is_qemu_of(pid, &rd)) {
		/* Starting and not yet recorded: give it a moment. */
		usleep(200000);
		qnm_rundir_probe(&rd, &info);
		pid = info.qemu_pid;
		if (pid <= 0 || !qnm_pid_is_qemu_of(pid, &rd)) {
			r = qnm_err_set(err, -ESRCH, "", "%s: cannot find its QEMU process", name);
			goto out;
		}
	}
	if (qnm_qmp_connect(rd.qmp, 2000, &q, NULL) < 0)
		q = NULL;
	if (!(so && so->force) && q) {
		/*
		 * Press the power button again every few seconds: a guest that
		 * was busy (or not yet listening) when the first ACPI event came
		 * may have missed it, as a person would press twice.
		 */
		double until = t0 + powerdown_ms;
		bool off = false;

		while (!off && qnm_mono_ms() < until) {
			int slice = (int)(until - qnm_mono_ms());

			if (slice > 5000)
				slice = 5000;
			if (qnm_qmp_powerdown(q, NULL) != 0) {
				/*
				 * QMP refused or closed: most often QEMU is on its
				 * way out because the guest powered off just as
				 * the next press was due (its teardown closes the
				 * monitor first). Give it the rest of the time.
				 */
				off = qnm_runner_wait_exit(pid, slice > 0 ? slice : 1);
				break;
			}
			off = qnm_runner_wait_exit(pid, slice > 0 ? slice : 1);
		}
		if (off) {
			snprintf(how, len, "the guest powered off in %.1f s",
				 (qnm_mono_ms() - t0) / 1000.0);
			goto gone;
		}
	}
	if (q && qnm_qmp_quit(q, NULL) == 0 && qnm_runner_wait_exit(pid, quit_ms)) {
		snprintf(how, len, "%s; QEMU quit",
			 so && so->force ? "forced stop" : "the guest did not power off in time");
		goto gone;
	}
	if (!q && kill(pid, SIGTERM) == 0 && qnm_runner_wait_exit(pid, quit_ms)) {
		snprintf(how, len, "QMP unavailable; QEMU ended on SIGTERM");
		goto gone;
	}
	if (qnm_pid_is_qemu_of(pid, &rd)) {
		kill(pid, SIGKILL);
		if (!qnm_runner_wait_exit(pid, 2000)) {
			r = qnm_err_set(err, -ETIMEDOUT, "", "%s: QEMU pid %ld survived SIGKILL",
					name, (long)pid);
			goto out;
		}
	}
	snprintf(how, len, "QEMU did not quit; killed pid %ld", (long)pid);
gone:
	/* The supervisor releases TAPs and records the end; let it finish. */
	if (info.supervisor_pid > 0)
		qnm_runner_wait_exit(info.supervisor_pid, SUPERVISOR_MS);
	qnm_rundir_write_state(&rd, QNM_RUN_STOPPED, pid, 0, how);
	r = clean_dir(&rd, NULL, 0, err);
	/* a killed supervisor released nothing: what it made goes now */
	if (!r)
		reclaim(runtime_dir, name, how, len);
out:
	qnm_qmp_free(q);
	qnm_rundir_clear(&rd);
	return r;
}
