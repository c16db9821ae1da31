// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvmprobe.c - does KVM run a guest here (see kvmprobe.h).
 */
#include "build-config.h"

#include "guest/kvmprobe.h"

#include "core/config.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>

#define CACHE_FILE  "kvm-probe"
#define CACHE_MAGIC "qnm kvm probe 1"
#define CACHE_MAX_S 86400
#define OUTPUT_MAX  (64 * 1024)
/* SeaBIOS on the debug console: it started, and it got through to the end */
#define BIOS_START "SeaBIOS"
#define BIOS_END_1 "No bootable device"
#define BIOS_END_2 "Booting from"

static const char *const verdict_names[] = {
	[QNM_KVM_NO_DEVICE] = "no device", [QNM_KVM_RUNS] = "runs",
	[QNM_KVM_HANGS] = "hangs",	   [QNM_KVM_FAILS] = "fails",
	[QNM_KVM_UNTESTED] = "untested",
};

const char *qnm_kvm_verdict_name(enum qnm_kvm_verdict v)
{
	return (unsigned)v < QNM_ARRAY_SIZE(verdict_names) ? verdict_names[v] : "?";
}

const char *qnm_kvm_device(void)
{
	const char *p = getenv("QNM_DEV_KVM");

	return qnm_str_empty(p) ? "/dev/kvm" : p;
}

/* The device opens and is KVM; @st filled. False with @out's detail set otherwise. */
static bool device_ok(struct stat *st, struct qnm_kvm_probe *out)
{
	const char *dev = qnm_kvm_device();
	int fd = open(dev, O_RDWR | O_CLOEXEC), v;

	if (fd < 0) {
		snprintf(out->detail, sizeof(out->detail), "%s cannot be opened: %s", dev,
			 strerror(errno));
		return false;
	}
	if (fstat(fd, st) < 0) {
		close(fd);
		return false;
	}
	/* a regular file as QNM_DEV_KVM stands in for a KVM (tests) */
	v = S_ISREG(st->st_mode) ? KVM_API_VERSION : ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (v != KVM_API_VERSION) {
		snprintf(out->detail, sizeof(out->detail),
			 "%s answers KVM_GET_API_VERSION with %d, not %d: not a KVM", dev, v,
			 KVM_API_VERSION);
		return false;
	}
	return true;
}

/* What the answer depends on: the QEMU binary, the host kernel, the device. */
static char *cache_key(const char *qemu, const struct stat *dev)
{
	struct stat st;
	struct utsname u;

	if (stat(qemu, &st) < 0 || uname(&u) < 0)
		return NULL;
	return xasprintf("%s|%lld.%09ld|%lld|%s %s|%llx:%llu", qemu, (long long)st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec, (long long)st.st_size, u.release, u.version,
			 (unsigned long long)dev->st_rdev, (unsigned long long)dev->st_ino);
}

/* A line "NAME value" of @text: the value (new string) or NULL. */
static char *field(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			const char *e = strchr(p + n + 1, '\n');

			size_t len = e ? (size_t)(e - p) - n - 1 : strlen(p + n + 1);

			return xasprintf("%.*s", (int)len, p + n + 1);
		}
	}
	return NULL;
}

static bool cache_read(const char *cache_dir, const char *key, struct qnm_kvm_probe *out)
{
	char *path = xasprintf("%s/" CACHE_FILE, cache_dir), *text = NULL, *k, *v, *w, *d;
	size_t len;
	bool ok = false;
	unsigned i;

	if (qnm_read_file(path, 4096, &text, &len) == 0 &&
	    strncmp(text, CACHE_MAGIC "\n", 16) == 0) {
		k = field(text, "key");
		v = field(text, "verdict");
		w = field(text, "when");
		d = field(text, "detail");
		if (k && v && w && d && strcmp(k, key) == 0) {
			long long when = atoll(w), now = (long long)time(NULL);

			for (i = 0; i < QNM_ARRAY_SIZE(verdict_names); i++) {
				if (strcmp(v, verdict_names[i]) == 0 && when <= now &&
				    now - when < CACHE_MAX_S && i != QNM_KVM_NO_DEVICE &&
				    i != QNM_KVM_UNTESTED) {
					out->verdict = (enum qnm_kvm_verdict)i;
					out->when = (time_t)when;
					qnm_strlcpy(out->detail, d, sizeof(out->detail));
					out->cached = ok = true;
				}
			}
		}
		free(k);
		free(v);
		free(w);
		free(d);
	}
	free(text);
	free(path);
	return ok;
}

static void cache_write(const char *cache_dir, const char *key, const struct qnm_kvm_probe *p)
{
	char *path = xasprintf("%s/" CACHE_FILE, cache_dir);
	char *text = xasprintf(CACHE_MAGIC "\nkey %s\nverdict %s\nwhen %lld\ndetail %s\n", key,
			       qnm_kvm_verdict_name(p->verdict), (long long)p->when, p->detail);

	/* a cache: when it cannot be written, the next start probes again */
	if (qnm_mkdir_p(cache_dir, 0700) == 0)
		qnm_atomic_write(path, text, strlen(text), 0600, NULL);
	free(text);
	free(path);
}

static int spawn(const char *qemu, int out_fd, pid_t *pid)
{
	char *const argv[] = {
		(char *)qemu,
		(char *)"-accel",
		(char *)"kvm",
		(char *)"-nodefaults",
		(char *)"-display",
		(char *)"none",
		(char *)"-m",
		(char *)"16",
		(char *)"-no-reboot",
		(char *)"-monitor",
		(char *)"none",
		(char *)"-serial",
		(char *)"none",
		(char *)"-parallel",
		(char *)"none",
		(char *)"-debugcon",
		(char *)"stdio",
		(char *)"-global",
		(char *)"isa-debugcon.iobase=0x402",
		NULL,
	};

	return qnm_spawn(qemu, argv, out_fd, out_fd, pid);
}

/* The first line of QEMU's own words in @out (its errors), into @buf. */
static void qemu_error(const char *out, char *buf, size_t len)
{
	const char *p = strstr(out, "qemu-system");
	const char *e;

	if (!p)
		p = out;
	e = strchr(p, '\n');
	snprintf(buf, len, "%.*s", (int)(e ? (size_t)(e - p) : strlen(p)), p);
}

/* Run QEMU with -accel kvm until its BIOS ends, it exits, or @timeout_ms. */
static void run_probe(const char *qemu, int timeout_ms, struct qnm_kvm_probe *out)
{
	long long t0 = qnm_mono_ms_int(), deadline = t0 + timeout_ms;
	struct qnm_strbuf sb;
	int fds[2], status = 0, r;
	bool ended = false, exited = false;
	char msg[200];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		out->verdict = QNM_KVM_UNTESTED;
		snprintf(out->detail, sizeof(out->detail), "cannot make a pipe: %s",
			 strerror(errno));
		return;
	}
	r = spawn(qemu, fds[1], &pid);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		out->verdict = QNM_KVM_UNTESTED;
		snprintf(out->detail, sizeof(out->detail), "cannot run %s: %s", qemu, strerror(-r));
		return;
	}
	qnm_sb_init(&sb);
	while (!ended) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		long long left = deadline - qnm_mono_ms_int();
		char buf[4096];
		ssize_t n;

		if (left <= 0)
			break;
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			exited = true; /* QEMU closed its output: it ended */
			break;
		}
		if (sb.len < OUTPUT_MAX)
			qnm_sb_addn(&sb, buf, (size_t)n);
		ended = strstr(sb.s, BIOS_END_1) || strstr(sb.s, BIOS_END_2);
	}
	close(fds[0]);
	if (!exited)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out->ms = (double)(qnm_mono_ms_int() - t0);
	out->when = time(NULL);
	if (ended) {
		out->verdict = QNM_KVM_RUNS;
		snprintf(out->detail, sizeof(out->detail), "a test guest ran its BIOS in %.0f ms",
			 out->ms);
	} else if (exited) {
		qemu_error(sb.len ? sb.s : "", msg, sizeof(msg));
		out->verdict = QNM_KVM_FAILS;
		snprintf(out->detail, sizeof(out->detail),
			 "QEMU with -accel kvm ended (%s%s%d): %s",
			 WIFSIGNALED(status) ? "signal " : "status ", "",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
			 msg[0] ? msg : "no message");
	} else {
		out->verdict = QNM_KVM_HANGS;
		snprintf(out->detail, sizeof(out->detail), "QEMU ran, but its guest %s in %d s",
			 strstr(sb.s, BIOS_START) ? "did not get through its BIOS"
						  : "ran no instruction of its BIOS",
			 timeout_ms / 1000);
	}
	qnm_sb_free(&sb);
}

bool qnm_kvm_probe_cached(const char *qemu, const char *cache_dir, struct qnm_kvm_probe *out)
{
	char *path, *key;
	struct stat dev;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	out->verdict = QNM_KVM_UNTESTED;
	if (!device_ok(&dev, out)) {
		out->verdict = QNM_KVM_NO_DEVICE;
		return true;
	}
	path = qnm_which(qemu);
	if (!path || !cache_dir)
		goto out;
	key = cache_key(path, &dev);
	ok = key && cache_read(cache_dir, key, out);
	free(key);
out:
	free(path);
	return ok;
}

void qnm_kvm_probe(const char *qemu, const char *cache_dir, int timeout_ms, bool fresh,
		   struct qnm_kvm_probe *out)
{
	char *path, *key = NULL;
	struct stat dev;

	memset(out, 0, sizeof(*out));
	if (!device_ok(&dev, out)) {
		out->verdict = QNM_KVM_NO_DEVICE;
		return;
	}
	path = qnm_which(qemu);
	if (!path) {
		out->verdict = QNM_KVM_UNTESTED;
		snprintf(out->detail, sizeof(out->detail), "no %s to probe with", qemu);
		return;
	}
	if (cache_dir)
		key = cache_key(path, &dev);
	if (!fresh && key && cache_read(cache_dir, key, out))
		goto out;
	run_probe(path, timeout_ms, out);
	if (key && out->verdict != QNM_KVM_UNTESTED)
		cache_write(cache_dir, key, out);
out:
	free(key);
	free(path);
}
