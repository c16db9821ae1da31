// SPDX-License-Identifier: GPL-2.0-or-later
/* rundir.c - per-VM runtime directories: create, probe, rediscover, clean. */
#include "build-config.h"

#include "guest/rundir.h"

#include "core/config.h"
#include "core/termsafe.h"
#include "guest/cmdline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

static const char *const status_names[] = {
	[QNM_RUN_ABSENT] = "absent",   [QNM_RUN_STARTING] = "starting",
	[QNM_RUN_RUNNING] = "running", [QNM_RUN_STOPPED] = "stopped",
	[QNM_RUN_CRASHED] = "crashed",
};

const char *qnm_run_status_name(enum qnm_run_status s)
{
	if ((size_t)s < QNM_ARRAY_SIZE(status_names))
		return status_names[s];
	return "unknown";
}

static int status_parse(const char *s, enum qnm_run_status *out)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(status_names); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum qnm_run_status)i;
			return 0;
		}
	}
	return -EINVAL;
}

void qnm_rundir_init(struct qnm_rundir *rd, const char *runtime_dir, const char *name)
{
	rd->name = xstrdup(name);
	rd->path = xasprintf("%s/%s", runtime_dir, name);
	rd->qmp = xasprintf("%s/qmp.sock", rd->path);
	rd->pidfile = xasprintf("%s/qemu.pid", rd->path);
	rd->serial = xasprintf("%s/serial.log", rd->path);
	rd->console = xasprintf("%s/console.sock", rd->path);
	rd->console_pty = xasprintf("%s/console.pty", rd->path);
	rd->console_lock = xasprintf("%s/console.lock", rd->path);
	rd->log = xasprintf("%s/qemu.log", rd->path);
	rd->state = xasprintf("%s/state", rd->path);
	rd->running = xasprintf("%s/running.conf", rd->path);
}

void qnm_rundir_clear(struct qnm_rundir *rd)
{
	free(rd->name);
	free(rd->path);
	free(rd->qmp);
	free(rd->pidfile);
	free(rd->serial);
	free(rd->console);
	free(rd->console_pty);
	free(rd->console_lock);
	free(rd->log);
	free(rd->state);
	free(rd->running);
	memset(rd, 0, sizeof(*rd));
}

/* Make @path a 0700 directory owned by us. */
static int private_dir(const char *path, struct qnm_err *err)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return qnm_err_set(err, -errno, "runtime_dir", "cannot create %s: %s", path,
				   strerror(errno));
	if (lstat(path, &st) < 0)
		return qnm_err_set(err, -errno, "runtime_dir", "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return qnm_err_set(err, -ENOTDIR, "runtime_dir", "%s exists but is not a directory",
				   path);
	if (st.st_uid != geteuid())
		return qnm_err_set(err, -EPERM, "runtime_dir",
				   "%s belongs to uid %u, not to you (uid %u)", path,
				   (unsigned)st.st_uid, (unsigned)geteuid());
	if ((st.st_mode & 07777) != 0700 && chmod(path, 0700) < 0)
		return qnm_err_set(err, -errno, "runtime_dir", "cannot chmod 0700 %s: %s", path,
				   strerror(errno));
	return 0;
}

int qnm_rundir_check(const struct qnm_rundir *rd, struct qnm_err *err)
{
	char *parent = xstrdup(rd->path);
	char *slash = strrchr(parent, '/');
	int r = 0;

	if (slash && slash != parent) {
		*slash = '\0';
		r = qnm_dir_trusted(parent, err);
	}
	free(parent);
	return r ? r : qnm_dir_trusted(rd->path, err);
}

int qnm_rundir_open(const struct qnm_rundir *rd, const char *path, struct qnm_err *err)
{
	int r = qnm_rundir_check(rd, err);

	if (r)
		return r;
	r = qnm_open_owned(path, O_RDONLY, err);
	if (r == -ENOENT)
		return qnm_err_set(err, r, "", "cannot read %s: %s", path, strerror(ENOENT));
	return r;
}

/* Open (create) the console lock of @rd and take it; 0 or -errno. */
static int console_lock(const struct qnm_rundir *rd, int *lock_fd, struct qnm_err *err)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd;

	fd = qnm_open_owned(rd->console_lock, O_RDWR | O_CREAT, err);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno;

		if (e != EACCES && e != EAGAIN) {
			close(fd);
			return qnm_err_set(err, -e, "", "cannot lock %s: %s", rd->console_lock,
					   strerror(e));
		}
		fl.l_type = F_WRLCK;
		fl.l_pid = 0;
		if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
			fl.l_pid = 0;
		close(fd);
		if (fl.l_pid > 0)
			return qnm_err_set(
				err, -EBUSY, "",
				"the console of '%s' is in use by another client (pid "
				"%ld); one client at a time: leave that one first (Ctrl-])",
				rd->name, (long)fl.l_pid);
		return qnm_err_set(err, -EBUSY, "",
				   "the console of '%s' is in use by another client; one client "
				   "at a time: leave that one first (Ctrl-])",
				   rd->name);
	}
	*lock_fd = fd;
	return 0;
}

/* Is @p "/dev/pts/N"? */
static bool pts_path(const char *p)
{
	const char *n = p + strlen("/dev/pts/");

	return strncmp(p, "/dev/pts/", strlen("/dev/pts/")) == 0 && *n &&
	       strspn(n, "0123456789") == strlen(n);
}

int qnm_rundir_console_record(const struct qnm_rundir *rd, const char *pty, struct qnm_err *err)
{
	struct stat st;
	char *text;
	int r;

	if (!pts_path(pty))
		return qnm_err_set(err, -EINVAL, "", "QEMU's serial pty '%s' is not /dev/pts/N",
				   pty);
	if (lstat(pty, &st) < 0)
		return qnm_err_set(err, -errno, "", "%s: %s", pty, strerror(errno));
	if (!S_ISCHR(st.st_mode) || st.st_uid != geteuid())
		return qnm_err_set(err, -EPERM, "", "%s is not a terminal of yours", pty);
	if (chmod(pty, 0600) < 0)
		return qnm_err_set(err, -errno, "", "chmod 0600 %s: %s", pty, strerror(errno));
	text = xasprintf("%s\n", pty);
	r = qnm_atomic_write(rd->console_pty, text, strlen(text), 0600, err);
	free(text);
	return r;
}

/* Open the pty console.pty names; -ENOENT when there is no console.pty. */
static int open_pty(const struct qnm_rundir *rd, struct qnm_err *err)
{
	struct termios t;
	struct stat st;
	char *text = NULL;
	int fd, r;

	r = qnm_rundir_read(rd, rd->console_pty, 64, &text);
	if (r)
		return r == -ENOENT ? r
				    : qnm_err_set(err, r, "", "cannot read %s: %s", rd->console_pty,
						  strerror(-r));
	text[strcspn(text, "\n")] = '\0';
	if (!pts_path(text) || lstat(text, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077)) {
		r = qnm_err_set(err, -EPERM, "",
				"%s names '%s', not a terminal only you may use: qnm does not "
				"open it",
				rd->console_pty, text);
		free(text);
		return r;
	}
	fd = open(text, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = qnm_err_set(err, -errno, "", "cannot open %s: %s", text, strerror(errno));
		free(text);
		return r;
	}
	free(text);
	/* bytes as they are, both ways (QEMU made it raw; a client may have changed it) */
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

int qnm_rundir_console_connect(const struct qnm_rundir *rd, int *lock_fd, struct qnm_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	*lock_fd = -1;
	r = qnm_rundir_check(rd, err);
	if (r)
		return r;
	if (access(rd->console_pty, F_OK) == 0) {
		r = console_lock(rd, lock_fd, err);
		if (r)
			return r;
		fd = open_pty(rd, err);
		if (fd < 0) {
			close(*lock_fd);
			*lock_fd = -1;
		}
		return fd;
	}
	if (lstat(rd->console, &st) < 0)
		return qnm_err_set(err, -errno, "", "'%s' has no console socket (%s): %s%s",
				   rd->name, rd->console, strerror(errno),
				   errno == ENOENT ? " (started by an older qnm? its serial log "
						     "is still shown by 'qnm console VM | cat')"
						   : "");
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		return qnm_err_set(err, -EPERM, "",
				   "%s is not a socket of yours: qnm does not connect to it",
				   rd->console);
	if (strlen(rd->console) >= sizeof(sa.sun_path))
		return qnm_err_set(err, -ENAMETOOLONG, "", "%s: path too long for a socket",
				   rd->console);
	memcpy(sa.sun_path, rd->console, strlen(rd->console) + 1);
	r = console_lock(rd, lock_fd, err);
	if (r)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = qnm_err_set(err, -errno, "", "cannot connect to %s: %s", rd->console,
				strerror(errno));
		if (fd >= 0)
			close(fd);
		close(*lock_fd);
		*lock_fd = -1;
		return r;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int qnm_rundir_read(const struct qnm_rundir *rd, const char *path, size_t max, char **out)
{
	struct qnm_strbuf sb;
	char chunk[4096];
	ssize_t n;
	int fd = qnm_rundir_open(rd, path, NULL);

	*out = NULL;
	if (fd < 0)
		return fd;
	qnm_sb_init(&sb);
	while (sb.len < max && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		qnm_sb_addn(&sb, chunk, (size_t)n < max - sb.len ? (size_t)n : max - sb.len);
	}
	close(fd);
	*out = qnm_sb_steal(&sb);
	return 0;
}

int qnm_rundir_write_running(const struct qnm_rundir *rd, const struct qnm_vm *vm,
			     struct qnm_err *err)
{
	char *text = qnm_vm_serialize(vm);
	int r = qnm_atomic_write(rd->running, text, strlen(text), 0600, err);

	free(text);
	return r;
}

int qnm_rundir_read_running(const struct qnm_rundir *rd, struct qnm_vm **out)
{
	struct qnm_vm *vm = NULL;
	char *text = NULL;
	int r;

	*out = NULL;
	r = qnm_rundir_read(rd, rd->running, 1 << 20, &text);
	if (r)
		return r;
	r = qnm_vm_parse(text, strlen(text), rd->running, &vm, NULL);
	free(text);
	if (r)
		return r;
	qnm_strlcpy(vm->name, rd->name, sizeof(vm->name));
	*out = vm;
	return 0;
}

int qnm_rundir_running_fwd(const struct qnm_rundir *rd, const char *nic_id,
			   const struct qnm_fwd *del, const struct qnm_fwd *add)
{
	struct qnm_vm *vm;
	struct qnm_nic *nic;
	size_t i;
	int r = qnm_rundir_read_running(rd, &vm);

	if (r)
		return r == -ENOENT ? 0 : r;
	nic = qnm_vm_find_nic(vm, nic_id);
	if (nic) {
		for (i = 0; del && i < nic->user.nfwd; i++) {
			const struct qnm_fwd *f = &nic->user.fwd[i];

			if (f->proto == del->proto && f->host_port == del->host_port &&
			    strcmp(f->host_addr, del->host_addr) == 0) {
				qnm_fwd_del(&nic->user.fwd, &nic->user.nfwd, i);
				break;
			}
		}
		if (add)
			qnm_fwd_add(&nic->user.fwd, &nic->user.nfwd, add);
		r = qnm_rundir_write_running(rd, vm, NULL);
	}
	qnm_vm_free(vm);
	return r;
}

int qnm_rundir_create(const struct qnm_rundir *rd, struct qnm_err *err)
{
	char *parent = xstrdup(rd->path);
	char *slash = strrchr(parent, '/');
	int r;

	if (slash && slash != parent) {
		*slash = '\0';
		r = qnm_mkdir_p(parent, 0700);
		if (r) {
			qnm_err_set(err, r, "runtime_dir", "cannot create %s: %s", parent,
				    strerror(-r));
			free(parent);
			return r;
		}
		r = private_dir(parent, err);
		if (r) {
			free(parent);
			return r;
		}
	}
	free(parent);
	return private_dir(rd->path, err);
}

int qnm_rundir_write_state(const struct qnm_rundir *rd, enum qnm_run_status status, pid_t qemu_pid,
			   pid_t supervisor_pid, const char *reason)
{
	struct qnm_strbuf sb;
	char *tmp;
	int fd, r = 0;
	size_t off = 0;
	ssize_t w;

	qnm_sb_init(&sb);
	qnm_sb_addf(&sb, "status=%s\n", qnm_run_status_name(status));
	if (qemu_pid > 0)
		qnm_sb_addf(&sb, "qemu_pid=%ld\n", (long)qemu_pid);
	if (supervisor_pid > 0)
		qnm_sb_addf(&sb, "supervisor_pid=%ld\n", (long)supervisor_pid);
	qnm_sb_addf(&sb, "time=%lld\n", (long long)time(NULL));
	if (reason && *reason) {
		qnm_sb_add(&sb, "reason=");
		for (; *reason; reason++)
			qnm_sb_addc(&sb, *reason == '\n' ? ' ' : *reason);
		qnm_sb_addc(&sb, '\n');
	}
	tmp = xasprintf("%s.%ld.tmp", rd->state, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	while (off < sb.len) {
		w = write(fd, sb.s + off, sb.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, rd->state) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
out:
	free(tmp);
	qnm_sb_free(&sb);
	return r;
}

bool qnm_pid_is_qemu_of(pid_t pid, const struct qnm_rundir *rd)
{
	char path[64], *buf = NULL;
	struct qnm_strbuf esc;
	size_t len, i, qlen;
	bool found = false;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if (qnm_read_file(path, 1u << 20, &buf, &len))
		return false;
	/*
	 * Look for the QMP path inside any argument ("unix:PATH,server=on,..."),
	 * as written there: with every ',' doubled (qnm_qemu_escape()).
	 */
	qnm_sb_init(&esc);
	qnm_qemu_escape(&esc, rd->qmp);
	qlen = esc.len;
	for (i = 0; i + qlen <= len; i++) {
		if (memcmp(buf + i, esc.s, qlen) == 0) {
			found = true;
			break;
		}
	}
	/* A zombie has an empty command line: it is not running any more. */
	qnm_sb_free(&esc);
	free(buf);
	return found;
}

static pid_t read_pidfile(const struct qnm_rundir *rd)
{
	unsigned long v;
	char *buf = NULL;
	pid_t pid = 0;

	if (qnm_rundir_read(rd, rd->pidfile, 64, &buf))
		return 0;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (qnm_parse_uint(buf, 1, 0x7fffffff, &v) == 0)
		pid = (pid_t)v;
	free(buf);
	return pid;
}

pid_t qnm_pid_file_read(const char *path)
{
	FILE *f = fopen(path, "re");
	long pid = 0;

	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid > 1 && pid <= 0x7fffffff ? (pid_t)pid : 0;
}

bool qnm_pid_runs(pid_t pid, const char *base, const char *alt, const char *prog, const char *arg)
{
	char path[64], *buf = NULL;
	const char *b;
	bool yes = false;
	size_t len, i;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if (qnm_read_file(path, 1u << 16, &buf, &len))
		return false;
	b = len ? strrchr(buf, '/') : NULL;
	b = b ? b + 1 : buf;
	if (len && (strcmp(b, base) == 0 || (alt && strcmp(b, alt) == 0) || strcmp(buf, prog) == 0))
		for (i = 0; i < len && !yes; i += strlen(buf + i) + 1)
			yes = strcmp(buf + i, arg) == 0;
	free(buf);
	return yes;
}

bool qnm_pid_alive(pid_t pid)
{
	char path[64], *buf = NULL, *p;
	size_t len;
	bool alive;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return false;
	/* A zombie (state Z) is dead for our purposes. */
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (qnm_read_file(path, 4096, &buf, &len))
		return false;
	p = strrchr(buf, ')');
	alive = !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
	free(buf);
	return alive;
}

pid_t qnm_rundir_find_qemu(const struct qnm_rundir *rd)
{
	struct dirent *de;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		unsigned long v;

		if (qnm_parse_uint(de->d_name, 1, 0x7fffffff, &v) == 0 && (pid_t)v != getpid() &&
		    qnm_pid_alive((pid_t)v) && qnm_pid_is_qemu_of((pid_t)v, rd))
			found = (pid_t)v;
	}
	closedir(d);
	return found;
}

static int probe_once(const struct qnm_rundir *rd, struct qnm_run_info *info);

int qnm_rundir_probe(const struct qnm_rundir *rd, struct qnm_run_info *info)
{
	int i, r;

	/*
	 * QEMU just died and its supervisor is writing down how: wait a moment
	 * (at most 0.2 s) for that record rather than report "nobody recorded".
	 */
	for (i = 0;; i++) {
		r = probe_once(rd, info);
		if (r || info->status != QNM_RUN_CRASHED || info->reason[0] != '?' ||
		    !info->supervisor_alive || i == 20)
			break;
		usleep(10000);
	}
	if (info->reason[0] == '?')
		memmove(info->reason, info->reason + 1, strlen(info->reason));
	return r;
}

static int probe_once(const struct qnm_rundir *rd, struct qnm_run_info *info)
{
	char *buf = NULL, *line, *save = NULL;
	enum qnm_run_status recorded = QNM_RUN_STARTING;
	bool have_state = false;
	struct qnm_err err;
	struct stat st;
	pid_t orphan;

	qnm_err_clear(&err);
	memset(info, 0, sizeof(*info));
	if (stat(rd->path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		info->status = QNM_RUN_ABSENT;
		return 0;
	}
	if (qnm_rundir_check(rd, &err)) {
		/* Not ours to read: nothing in it is believed (qnm_rundir_check() says why). */
		info->status = QNM_RUN_ABSENT;
		qnm_strlcpy(info->reason, err.msg, sizeof(info->reason));
		return err.code;
	}
	if (qnm_rundir_read(rd, rd->state, 1u << 16, &buf) == 0) {
		have_state = true;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *eq = strchr(line, '=');
			unsigned long v;

			if (!eq)
				continue;
			*eq++ = '\0';
			if (strcmp(line, "status") == 0)
				status_parse(eq, &recorded);
			else if (strcmp(line, "qemu_pid") == 0 &&
				 qnm_parse_uint(eq, 1, 0x7fffffff, &v) == 0)
				info->qemu_pid = (pid_t)v;
			else if (strcmp(line, "supervisor_pid") == 0 &&
				 qnm_parse_uint(eq, 1, 0x7fffffff, &v) == 0)
				info->supervisor_pid = (pid_t)v;
			else if (strcmp(line, "time") == 0 &&
				 qnm_parse_uint(eq, 0, ~0ul >> 1, &v) == 0)
				info->started = (long long)v;
			else if (strcmp(line, "reason") == 0)
				qnm_strlcpy(info->reason, eq, sizeof(info->reason));
		}
		free(buf);
	}
	if (!info->qemu_pid)
		info->qemu_pid = read_pidfile(rd);
	info->supervisor_alive = qnm_pid_alive(info->supervisor_pid);
	if (recorded == QNM_RUN_STOPPED || recorded == QNM_RUN_CRASHED) {
		info->status = recorded;
		return 0;
	}
	if (info->qemu_pid && qnm_pid_alive(info->qemu_pid) &&
	    qnm_pid_is_qemu_of(info->qemu_pid, rd)) {
		info->status = recorded == QNM_RUN_STARTING ? QNM_RUN_STARTING : QNM_RUN_RUNNING;
		return 0;
	}
	if (!info->qemu_pid && info->supervisor_alive) {
		/* Spawned a moment ago; the pid is not recorded yet. */
		info->status = QNM_RUN_STARTING;
		return 0;
	}
	/*
	 * Nobody recorded an end, and no QEMU under the recorded pid: a
	 * supervisor killed right after spawning QEMU left no pid anywhere yet
	 * (QEMU writes its pid file later). Such a QEMU still runs the VM.
	 */
	orphan = qnm_rundir_find_qemu(rd);
	if (orphan) {
		info->qemu_pid = orphan;
		info->status = recorded == QNM_RUN_STARTING ? QNM_RUN_STARTING : QNM_RUN_RUNNING;
		return 0;
	}
	info->status = QNM_RUN_CRASHED;
	if (!info->reason[0])
		snprintf(info->reason, sizeof(info->reason), "?%s",
			 have_state ? "QEMU is gone and nobody recorded how it ended"
				    : "no state file: QEMU is gone");
	return 0;
}

int qnm_rundir_clean(const struct qnm_rundir *rd, char *report, size_t len, struct qnm_err *err)
{
	struct qnm_run_info info;
	struct dirent *de;
	DIR *d;
	int r = 0;

	qnm_rundir_probe(rd, &info);
	if (info.status == QNM_RUN_ABSENT) {
		if (report && len)
			report[0] = '\0';
		return 0;
	}
	if (info.status == QNM_RUN_RUNNING || info.status == QNM_RUN_STARTING)
		return qnm_err_set(err, -EBUSY, "", "%s: QEMU (pid %ld) is still running", rd->name,
				   (long)info.qemu_pid);
	d = opendir(rd->path);
	if (!d)
		return qnm_err_set(err, -errno, "", "cannot read %s: %s", rd->path,
				   strerror(errno));
	while ((de = readdir(d))) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", rd->path, de->d_name);
		if (unlink(p) < 0 && errno != ENOENT && !r)
			r = qnm_err_set(err, -errno, "", "cannot remove %s: %s", p,
					strerror(errno));
		free(p);
	}
	closedir(d);
	if (!r && rmdir(rd->path) < 0 && errno != ENOENT)
		r = qnm_err_set(err, -errno, "", "cannot remove %s: %s", rd->path, strerror(errno));
	if (!r && report && len)
		snprintf(report, len, "removed the runtime dir %s (QEMU%s%.0ld %s%s%s)", rd->path,
			 info.qemu_pid ? " pid " : "", (long)info.qemu_pid,
			 qnm_run_status_name(info.status), info.reason[0] ? ": " : "", info.reason);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int qnm_rundir_list(const char *runtime_dir, struct qnm_strv *out)
{
	struct dirent *de;
	DIR *d;
	int r;

	if (access(runtime_dir, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	r = qnm_dir_trusted(runtime_dir, NULL);
	if (r)
		return r; /* another user's: its names are not our VMs */
	d = opendir(runtime_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		struct stat st;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", runtime_dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			qnm_strv_add(out, de->d_name);
		free(p);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}

/* write(2) all of @buf to @fd. Return: 0 or -1. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

void qnm_rundir_serial_reset(const struct qnm_rundir *rd)
{
	char *old = xasprintf("%s.1", rd->serial);
	int fd = open(rd->serial, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd >= 0)
		close(fd);
	unlink(old);
	free(old);
}

bool qnm_rundir_serial_rotate(const struct qnm_rundir *rd, off_t max)
{
	char *old, *tmp, buf[65536];
	struct stat st;
	int in, out;
	ssize_t n;
	bool ok = true;

	in = open(rd->serial, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return false;
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= max) {
		close(in);
		return false;
	}
	old = xasprintf("%s.1", rd->serial);
	tmp = xasprintf("%s.1.tmp", rd->serial);
	unlink(tmp);
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		ok = false;
	} else {
		while (ok && (n = read(in, buf, sizeof(buf))) > 0)
			ok = write_all(out, buf, (size_t)n) == 0;
		ok = close(out) == 0 && ok && rename(tmp, old) == 0;
	}
	/* truncated even when the copy failed: a full disk must not fill further */
	if (ftruncate(in, 0) < 0)
		ok = false;
	close(in);
	if (!ok)
		unlink(tmp);
	free(tmp);
	free(old);
	return true;
}

/* The inode and change time of @path when it is a regular file, else 0. */
static ino_t file_id(const char *path, struct timespec *ctime)
{
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		*ctime = (struct timespec){ 0 };
		return 0;
	}
	*ctime = st.st_ctim;
	return st.st_ino;
}

int qnm_serial_follow_open(struct qnm_serial_follow *f, const char *runtime_dir, const char *name,
			   bool from_end, struct qnm_err *err)
{
	char *old;
	int r;

	memset(f, 0, sizeof(*f));
	f->fd = f->old_fd = -1;
	qnm_rundir_init(&f->rd, runtime_dir, name);
	old = xasprintf("%s.1", f->rd.serial);
	/* a rotation before this start is history, not something to catch up on */
	f->old_ino = file_id(old, &f->old_ctime);
	free(old);
	r = qnm_rundir_open(&f->rd, f->rd.serial, err);
	if (r < 0) {
		qnm_rundir_clear(&f->rd);
		return r;
	}
	f->fd = r;
	if (from_end) {
		ssize_t n = pread(f->fd, f->head, sizeof(f->head), 0);

		f->head_len = n > 0 ? (size_t)n : 0;
		lseek(f->fd, 0, SEEK_END);
	}
	return 0;
}

/* Does serial.log.1 (@fd) start as serial.log did when this reader read it? */
static bool same_head(const struct qnm_serial_follow *f, int fd)
{
	char buf[sizeof(f->head)];

	return pread(fd, buf, f->head_len, 0) == (ssize_t)f->head_len &&
	       memcmp(buf, f->head, f->head_len) == 0;
}

/*
 * After serial.log ran dry: was it rotated since? Then what was not read
 * of it is in serial.log.1 from the same offset (the rotation copies the
 * whole log, renames the copy, then truncates the log). A rotation shows
 * as a new serial.log.1, or (inode numbers and coarse times repeat) as a
 * log shorter than what was read or no longer starting as it did.
 */
static void follow_rotation(struct qnm_serial_follow *f)
{
	char *old = xasprintf("%s.1", f->rd.serial);
	off_t pos = lseek(f->fd, 0, SEEK_CUR);
	struct timespec ctime;
	ino_t ino = file_id(old, &ctime);
	bool newer = ino && (ino != f->old_ino || ctime.tv_sec != f->old_ctime.tv_sec ||
			     ctime.tv_nsec != f->old_ctime.tv_nsec);
	struct stat st, ost;
	bool cut, ours;
	int i, fd = -1;

	cut = fstat(f->fd, &st) == 0 && (st.st_size < pos || !same_head(f, f->fd));
	if (!newer && !cut)
		goto out;
	if (ino)
		fd = qnm_rundir_open(&f->rd, old, NULL);
	if (fd >= 0) {
		/* renamed a moment before the truncation: let that happen */
		for (i = 0; !cut && i < 20 && fstat(fd, &ost) == 0 && fstat(f->fd, &st) == 0 &&
			    st.st_size >= ost.st_size && st.st_size >= pos;
		     i++)
			usleep(5000);
		f->old_ino = ino;
		f->old_ctime = ctime;
		/* ours: the rotation of what this reader read, to go on from pos */
		ours = fstat(fd, &ost) == 0 && ost.st_size >= pos && same_head(f, fd);
		if (!ours && newer) {
			/* rotated twice since the last read: the first one's end is gone */
			f->gaps++;
			pos = 0;
		} else if (!ours) {
			/* an old serial.log.1, already read; the log was emptied */
			close(fd);
			fd = -1;
		}
		if (fd >= 0 && lseek(fd, pos, SEEK_SET) == pos)
			f->old_fd = fd;
		else if (fd >= 0)
			close(fd);
	}
	/* else emptied without a rotation (a new start) */
	f->head_len = 0;
	lseek(f->fd, 0, SEEK_SET);
out:
	free(old);
}

ssize_t qnm_serial_follow_read(struct qnm_serial_follow *f, char *buf, size_t len)
{
	ssize_t n;
	off_t at;

	for (int pass = 0; pass < 2; pass++) {
		if (f->old_fd >= 0) {
			n = read(f->old_fd, buf, len);
			if (n > 0)
				return n;
			close(f->old_fd);
			f->old_fd = -1;
		}
		at = lseek(f->fd, 0, SEEK_CUR);
		n = read(f->fd, buf, len);
		if (n < 0)
			return -errno;
		if (n > 0) {
			/* remember how the log starts (see same_head()) */
			if (at >= 0 && (size_t)at == f->head_len && f->head_len < sizeof(f->head)) {
				size_t k = sizeof(f->head) - f->head_len;

				k = k < (size_t)n ? k : (size_t)n;
				memcpy(f->head + f->head_len, buf, k);
				f->head_len += k;
			}
			return n;
		}
		if (pass == 0)
			follow_rotation(f);
	}
	return 0;
}

void qnm_serial_follow_close(struct qnm_serial_follow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->old_fd >= 0)
		close(f->old_fd);
	f->fd = f->old_fd = -1;
	qnm_rundir_clear(&f->rd);
}

char *qnm_rundir_serial_tail(const struct qnm_rundir *rd, unsigned lines)
{
	char *cur = qnm_rundir_tail(rd, rd->serial, lines);
	unsigned have = 0;
	char *old, *prev, *joined, *p;

	for (p = cur; *p; p++)
		have += *p == '\n';
	if (have >= lines)
		return cur;
	old = xasprintf("%s.1", rd->serial);
	prev = qnm_rundir_tail(rd, old, lines - have);
	free(old);
	if (!*prev) {
		free(prev);
		return cur;
	}
	joined = xasprintf("%s%s%s", prev, prev[strlen(prev) - 1] == '\n' ? "" : "\n", cur);
	free(prev);
	free(cur);
	return joined;
}

char *qnm_rundir_tail(const struct qnm_rundir *rd, const char *path, unsigned lines)
{
	char buf[65536];
	ssize_t n;
	off_t size;
	int fd;
	unsigned seen = 0;
	ssize_t i, start = 0;

	fd = qnm_rundir_open(rd, path, NULL);
	if (fd < 0)
		return xstrdup("");
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof(buf))
		lseek(fd, size - (off_t)sizeof(buf), SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return xstrdup("");
	/* Skip one trailing newline, then count @lines newlines backwards. */
	i = n - 1;
	if (buf[i] == '\n')
		i--;
	for (; i >= 0; i--) {
		if (buf[i] == '\n' && ++seen == lines) {
			start = i + 1;
			break;
		}
	}
	return qnm_term_safe(buf + start, (size_t)(n - start));
}
