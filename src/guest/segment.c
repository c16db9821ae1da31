// SPDX-License-Identifier: GPL-2.0-or-later
/* segment.c - private segments, one VDE switch each (segment.h). */
#include "build-config.h"

#include "guest/segment.h"

#include "core/addr.h"
#include "core/config.h"
#include "guest/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

const char *qnm_segment_binary(void)
{
	const char *p = getenv("QNM_VDE_SWITCH");

	return qnm_str_empty(p) ? "vde_switch" : p;
}

bool qnm_segment_find(char **found)
{
	return qnm_which_found(qnm_segment_binary(), found);
}

char *qnm_segment_dir(const char *root, const char *seg)
{
	return xasprintf("%s/.private/%s", root, seg);
}

char *qnm_segment_ctl_path(const char *root, const char *seg)
{
	return xasprintf("%s/.private/%s/ctl", root, seg);
}

static char *seg_file(const char *root, const char *seg, const char *name)
{
	return xasprintf("%s/.private/%s/%s", root, seg, name);
}

pid_t qnm_segment_pid(const char *root, const char *seg)
{
	char *pidpath = seg_file(root, seg, "pid");
	char *ctl = qnm_segment_ctl_path(root, seg);
	pid_t pid = qnm_pid_file_read(pidpath);

	if (pid && (!qnm_pid_alive(pid) ||
		    !qnm_pid_runs(pid, "vde_switch", NULL, qnm_segment_binary(), ctl)))
		pid = 0;
	free(pidpath);
	free(ctl);
	return pid;
}

/* A unix stream connection to @path, non-blocking; -errno when none. */
static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Remove @dir's files and its subdirectories' files (two levels: the segment's layout). */
static void remove_tree(const char *dir, int depth)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d) {
		while ((de = readdir(d))) {
			char *p;
			struct stat st;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", dir, de->d_name);
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0)
				remove_tree(p, depth - 1);
			else
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* The segment's lock (created), held until the returned fd is closed; -errno. */
static int seg_lock(const char *root, const char *seg)
{
	char *top = xasprintf("%s/.private", root);
	char *path = xasprintf("%s/.private/%s.lock", root, seg);
	int fd = -1;

	if (mkdir(top, 0700) < 0 && errno != EEXIST) {
		fd = -errno;
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		fd = -errno;
		goto out;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = -errno;

			close(fd);
			fd = e;
			goto out;
		}
	}
out:
	free(top);
	free(path);
	return fd;
}

/*
 * Forget the joins of VMs without a runtime dir (a VM whose supervisor was
 * killed and whose dir was removed since); with @vm, that VM's joins too.
 * Return: how many joins remain.
 */
static size_t prune_joins(const char *root, const char *seg, const char *vm)
{
	char *dir = qnm_segment_dir(root, seg);
	struct dirent *de;
	size_t left = 0;
	DIR *d = opendir(dir);

	if (!d) {
		free(dir);
		return 0;
	}
	while ((de = readdir(d))) {
		const char *eq = strchr(de->d_name, '=');
		char name[QNM_NAME_MAX + 1], *p;
		size_t len = eq ? (size_t)(eq - de->d_name) : 0;
		bool drop;

		if (!eq || len == 0 || len > QNM_NAME_MAX)
			continue;
		memcpy(name, de->d_name, len);
		name[len] = '\0';
		p = xasprintf("%s/%s", root, name);
		drop = (vm && strcmp(vm, name) == 0) || access(p, F_OK) < 0;
		free(p);
		if (drop) {
			p = xasprintf("%s/%s", dir, de->d_name);
			unlink(p);
			free(p);
		} else {
			left++;
		}
	}
	closedir(d);
	free(dir);
	return left;
}

/* Stop the switch of @seg (SIGTERM, then SIGKILL) and remove its dir; its pid or 0. */
static pid_t seg_stop(const char *root, const char *seg)
{
	char *dir = qnm_segment_dir(root, seg);
	pid_t pid = qnm_segment_pid(root, seg);
	int64_t deadline;

	if (pid > 0) {
		kill(pid, SIGTERM);
		deadline = qnm_mono_ms_int() + 2000;
		while (qnm_pid_alive(pid) && qnm_mono_ms_int() < deadline)
			usleep(5000);
		if (qnm_pid_alive(pid))
			kill(pid, SIGKILL);
	}
	remove_tree(dir, 1);
	free(dir);
	return pid;
}

/* The last line of the switch's own words in @path, terminal-safe ("" when none). */
static void last_words(const char *path, char *buf, size_t size)
{
	char line[256];
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			qnm_strlcpy(buf, line, size);
	}
	fclose(f);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

void qnm_segment_argv(const char *root, const char *seg, struct qnm_strv *argv)
{
	qnm_strv_add(argv, qnm_segment_binary());
	qnm_strv_add(argv, "--sock");
	qnm_strv_take(argv, qnm_segment_ctl_path(root, seg));
	qnm_strv_add(argv, "--dirmode");
	qnm_strv_add(argv, "0700");
	qnm_strv_add(argv, "--mode");
	qnm_strv_add(argv, "0600");
	qnm_strv_add(argv, "--mgmt");
	qnm_strv_take(argv, seg_file(root, seg, "mgmt"));
	qnm_strv_add(argv, "--mgmtmode");
	qnm_strv_add(argv, "0600");
	/* no /etc/vde2/vde_switch.rc nor ~/.vderc: the same switch everywhere */
	qnm_strv_add(argv, "--rcfile");
	qnm_strv_add(argv, "/dev/null");
	/* a daemon: it serves the other guests when this one's supervisor is gone */
	qnm_strv_add(argv, "--daemon");
	qnm_strv_add(argv, "--pidfile");
	qnm_strv_take(argv, seg_file(root, seg, "pid"));
}

/* Start the switch of @seg (none runs) and wait until it answers; 0 or -errno. */
static int seg_start(const char *root, const char *seg, pid_t *pid, struct qnm_err *err)
{
	char *dir = qnm_segment_dir(root, seg), *ctl = qnm_segment_ctl_path(root, seg);
	char *mgmt = seg_file(root, seg, "mgmt"), *pidpath = seg_file(root, seg, "pid");
	char *errpath = seg_file(root, seg, "err"), *prog = NULL, words[200];
	struct qnm_strv argv;
	int64_t deadline;
	pid_t child = 0;
	int r, fd, st;

	if (!qnm_segment_find(&prog)) {
		r = qnm_err_set(err, -ENOENT, "segment",
				"segment %s: %s is not installed (apt-get install vde-switch)", seg,
				qnm_segment_binary());
		goto out;
	}
	/* what a switch that is gone left: its sockets would be taken as in use */
	remove_tree(ctl, 0);
	unlink(mgmt);
	unlink(pidpath);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	qnm_strv_init(&argv);
	qnm_segment_argv(root, seg, &argv);
	r = qnm_spawn(prog, argv.v, fd, fd, &child);
	qnm_strv_free(&argv);
	if (fd >= 0)
		close(fd);
	if (r) {
		qnm_err_set(err, r, "segment", "segment %s: cannot run %s: %s", seg,
			    qnm_segment_binary(), strerror(-r));
		goto out;
	}
	/* the first process exits once the daemon is forked */
	deadline = qnm_mono_ms_int() + QNM_SEGMENT_READY_MS;
	while ((r = waitpid(child, &st, WNOHANG)) == 0 && qnm_mono_ms_int() < deadline)
		usleep(5000);
	if (r == 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	/* it exits 0 once its daemon runs; anything else is a failure */
	while (r == child && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		*pid = qnm_segment_pid(root, seg);
		fd = *pid ? connect_unix(mgmt) : -ENOENT;
		if (fd >= 0) {
			close(fd);
			r = 0;
			goto out;
		}
		if (qnm_mono_ms_int() >= deadline)
			break;
		usleep(5000);
	}
	last_words(errpath, words, sizeof(words));
	seg_stop(root, seg);
	r = qnm_err_set(err, -EIO, "segment",
			"segment %s: %s did not start (%s); the guest would have no network", seg,
			qnm_segment_binary(), words[0] ? words : "no message");
out:
	free(dir);
	free(ctl);
	free(mgmt);
	free(pidpath);
	free(errpath);
	free(prog);
	return r;
}

int qnm_segment_join(const char *root, const char *seg, const char *vm, const char *nic, pid_t *pid,
		     struct qnm_err *err)
{
	char *dir = qnm_segment_dir(root, seg), *mark;
	int lock = seg_lock(root, seg), r = 0, fd;

	*pid = 0;
	if (lock < 0) {
		r = qnm_err_set(err, lock, "segment", "segment %s: cannot lock %s/.private: %s",
				seg, root, strerror(-lock));
		free(dir);
		return r;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = qnm_err_set(err, -errno, "segment", "segment %s: cannot create %s: %s", seg,
				dir, strerror(errno));
		goto out;
	}
	prune_joins(root, seg, NULL);
	*pid = qnm_segment_pid(root, seg);
	if (!*pid)
		r = seg_start(root, seg, pid, err);
	if (r)
		goto out;
	mark = xasprintf("%s/%s=%s", dir, vm, nic);
	fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	free(mark);
out:
	if (r && prune_joins(root, seg, NULL) == 0)
		seg_stop(root, seg);
	close(lock);
	free(dir);
	return r;
}

pid_t qnm_segment_leave(const char *root, const char *seg, const char *vm, const char *nic)
{
	char *mark = xasprintf("%s/.private/%s/%s=%s", root, seg, vm, nic);
	int lock = seg_lock(root, seg);
	pid_t pid = 0;

	unlink(mark);
	free(mark);
	if (prune_joins(root, seg, NULL) == 0)
		pid = seg_stop(root, seg);
	if (lock >= 0)
		close(lock);
	return pid;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void qnm_segment_list(const char *root, struct qnm_strv *out)
{
	char *top = xasprintf("%s/.private", root);
	struct dirent *de;
	DIR *d = opendir(top);

	if (d) {
		while ((de = readdir(d))) {
			struct stat st;
			char *p = xasprintf("%s/%s", top, de->d_name);

			if (qnm_valid_name(de->d_name) && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				qnm_strv_add(out, de->d_name);
			free(p);
		}
		closedir(d);
	}
	free(top);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

int qnm_segment_reclaim(const char *root, const char *vm, struct qnm_strbuf *report)
{
	struct qnm_strv segs;
	size_t i;
	int n = 0;

	qnm_strv_init(&segs);
	qnm_segment_list(root, &segs);
	for (i = 0; i < segs.n; i++) {
		int lock = seg_lock(root, segs.v[i]);
		pid_t pid = 0;

		if (prune_joins(root, segs.v[i], vm) == 0)
			pid = seg_stop(root, segs.v[i]);
		if (lock >= 0)
			close(lock);
		if (pid > 0) {
			n++;
			qnm_sb_addf(report,
				    "%sstopped the switch of private segment %s, pid %ld (no guest "
				    "left on it)",
				    report->len ? "; " : "", segs.v[i], (long)pid);
		}
	}
	qnm_strv_free(&segs);
	return n;
}

/* Parse "port/allprint"'s answer in @text into @v/@n (active ports only). */
static void parse_ports(char *text, struct qnm_segment_port **v, size_t *n)
{
	struct qnm_segment_port *cur = NULL;
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned port;
		unsigned long long pk, by;
		const char *p;

		if (sscanf(line, "Port %u", &port) == 1) {
			cur = NULL;
			if (!strstr(line, " ACTIVE"))
				continue;
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			cur = &(*v)[(*n)++];
			memset(cur, 0, sizeof(*cur));
			cur->port = port;
		} else if (!cur) {
			continue;
		} else if (sscanf(line, " IN: pkts %llu bytes %llu", &pk, &by) == 2) {
			cur->in_pkts = pk;
			cur->in_bytes = by;
		} else if (sscanf(line, " OUT: pkts %llu bytes %llu", &pk, &by) == 2) {
			cur->out_pkts = pk;
			cur->out_bytes = by;
		} else if (strstr(line, "endpoint") &&
			   ((p = strstr(line, "pid=")) || (p = strstr(line, "PID=")))) {
			cur->pid = (pid_t)strtol(p + 4, NULL, 10);
		}
	}
}

int qnm_segment_ports(const char *root, const char *seg, int timeout_ms,
		      struct qnm_segment_port **ports, size_t *n, struct qnm_err *err)
{
	static const char cmd[] = "port/allprint\n";
	char *mgmt = seg_file(root, seg, "mgmt");
	struct qnm_strbuf sb;
	int64_t deadline = qnm_mono_ms_int() + timeout_ms;
	int fd, r = 0;

	*ports = NULL;
	*n = 0;
	qnm_sb_init(&sb);
	fd = qnm_segment_pid(root, seg) ? connect_unix(mgmt) : -ENOENT;
	if (fd < 0) {
		r = qnm_err_set(err, fd == -ECONNREFUSED ? -ENOENT : fd, "segment",
				"segment %s: no switch runs", seg);
		goto out;
	}
	if (write(fd, cmd, sizeof(cmd) - 1) != (ssize_t)(sizeof(cmd) - 1)) {
		r = qnm_err_set(err, -EIO, "segment", "segment %s: the switch does not listen",
				seg);
		goto out;
	}
	/* the banner, the prompt, then the answer, ending in a "1000 Success" line */
	while (!strstr(sb.s, "\n1000 ")) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - qnm_mono_ms_int();
		char buf[4096];
		ssize_t got;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			r = qnm_err_set(err, -ETIMEDOUT, "segment",
					"segment %s: the switch did not answer within %d ms", seg,
					timeout_ms);
			goto out;
		}
		got = read(fd, buf, sizeof(buf));
		if (got <= 0 || sb.len > (1u << 20)) {
			r = qnm_err_set(err, -EPROTO, "segment",
					"segment %s: the switch closed its management socket", seg);
			goto out;
		}
		qnm_sb_addn(&sb, buf, (size_t)got);
	}
	parse_ports(sb.s, ports, n);
out:
	if (fd >= 0)
		close(fd);
	qnm_sb_free(&sb);
	free(mgmt);
	return r;
}
