// SPDX-License-Identifier: GPL-2.0-or-later
/* passt.c - one passt process per NIC of the passt backend (passt.h). */
#include "build-config.h"

#include "guest/passt.h"

#include "core/config.h"
#include "guest/cmdline.h"
#include "guest/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* __SO_ACCEPTCON in /proc/net/unix's Flags column: the socket listens. */
#define UNIX_LISTENING 0x10000

const char *qnm_passt_binary(void)
{
	const char *p = getenv("QNM_PASST");

	return qnm_str_empty(p) ? "passt" : p;
}

bool qnm_passt_find(char **found)
{
	return qnm_which_found(qnm_passt_binary(), found);
}

char *qnm_passt_socket_path(const struct qnm_vm *vm, const struct qnm_nic *nic,
			    const struct qnm_cmdline_opts *o)
{
	if (o && o->rundir)
		return xasprintf("%s/passt-%s.sock", o->rundir, nic->id);
	if (o && o->slirp_dir)
		return xasprintf("%s/passt-%s.sock", o->slirp_dir, nic->id);
	return xasprintf("/run/user/%u/qnm/%s/passt-%s.sock", (unsigned)getuid(), vm->name,
			 nic->id);
}

static char *file_path(const char *rundir, const char *nic_id, const char *ext)
{
	return xasprintf("%s/passt-%s.%s", rundir, nic_id, ext);
}

const char *qnm_passt_fwd_spec(const struct qnm_fwd *f, char *buf, size_t size)
{
	if (f->span)
		snprintf(buf, size, "%s%s%u-%u:%u-%u", f->host_addr, f->host_addr[0] ? "/" : "",
			 f->host_port, (unsigned)(f->host_port + f->span), f->guest_port,
			 (unsigned)(f->guest_port + f->span));
	else
		snprintf(buf, size, "%s%s%u:%u", f->host_addr, f->host_addr[0] ? "/" : "",
			 f->host_port, f->guest_port);
	return f->proto == QNM_PROTO_UDP ? "-u" : "-t";
}

void qnm_passt_argv(const struct qnm_vm *vm, const struct qnm_nic *nic, const char *rundir,
		    struct qnm_strv *argv)
{
	const struct qnm_cmdline_opts o = { .rundir = rundir };
	char spec[64];
	size_t i;

	qnm_strv_add(argv, qnm_passt_binary());
	qnm_strv_add(argv, "--foreground");
	/* its own log (else it tries syslog); stderr gets what comes before */
	qnm_strv_add(argv, "--log-file");
	qnm_strv_take(argv, file_path(rundir, nic->id, "log"));
	/* as root it would bind its socket as "nobody", in a dir nobody cannot write */
	qnm_strv_add(argv, "--runas");
	qnm_strv_addf(argv, "%u:%u", (unsigned)geteuid(), (unsigned)getegid());
	qnm_strv_add(argv, "--one-off");
	qnm_strv_add(argv, "--socket");
	qnm_strv_take(argv, qnm_passt_socket_path(vm, nic, &o));
	if (!nic->user.ipv6)
		qnm_strv_add(argv, "--ipv4-only");
	for (i = 0; i < nic->user.nfwd; i++) {
		qnm_strv_add(argv, qnm_passt_fwd_spec(&nic->user.fwd[i], spec, sizeof(spec)));
		qnm_strv_add(argv, spec);
		if (nic->user.fwd[i].proto == QNM_PROTO_BOTH) {
			qnm_strv_add(argv, "-u"); /* the same spec for udp */
			qnm_strv_add(argv, spec);
		}
	}
}

/* Is @path a unix socket that listens, in this network namespace? */
static bool listening(const char *path)
{
	char line[4096];
	bool yes = false;
	size_t plen = strlen(path);
	FILE *f = fopen("/proc/net/unix", "re");

	if (!f)
		return false;
	while (!yes && fgets(line, sizeof(line), f)) {
		unsigned long flags;
		size_t len = strcspn(line, "\n");

		line[len] = '\0';
		if (len <= plen || strcmp(line + len - plen, path) != 0 ||
		    line[len - plen - 1] != ' ')
			continue;
		/* "Num: RefCount Protocol Flags Type St Inode Path" */
		if (sscanf(line, "%*s %*s %*s %lx", &flags) == 1 && (flags & UNIX_LISTENING))
			yes = true;
	}
	fclose(f);
	return yes;
}

/*
 * What passt said last that explains a failure (for messages), from its
 * stderr: the last line naming an error, else the last line; terminal-safe.
 */
static void log_last_line(const char *logpath, char *buf, size_t size)
{
	static const char *const words[] = { "rror",   "ailed",	 "annot", "usable",
					     "nobody", "xiting", "nvalid" };
	char line[512], any[512] = "";
	FILE *f = fopen(logpath, "re");
	size_t i;

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || strstr(line, "to syslog"))
			continue;
		qnm_strlcpy(any, line, sizeof(any));
		for (i = 0; i < QNM_ARRAY_SIZE(words); i++)
			if (strstr(line, words[i]))
				qnm_strlcpy(buf, line, size);
	}
	fclose(f);
	if (!buf[0])
		qnm_strlcpy(buf, any, size);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static void write_pid(const char *path, pid_t pid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd >= 0) {
		dprintf(fd, "%ld\n", (long)pid);
		close(fd);
	}
}

/* run passt: stdin/stdout /dev/null, stderr appended to @errpath */
static int run_passt(const char *prog, char **argv, const char *errpath, pid_t *pid)
{
	int fd = open(errpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600), r;

	if (fd < 0)
		return -errno;
	r = qnm_spawn(prog, argv, -1, fd, pid);
	close(fd);
	return r;
}

int qnm_passt_spawn(const struct qnm_vm *vm, const struct qnm_nic *nic, const char *rundir,
		    pid_t *pid, struct qnm_err *err)
{
	const struct qnm_cmdline_opts o = { .rundir = rundir };
	char *sock = qnm_passt_socket_path(vm, nic, &o);
	char *errpath = file_path(rundir, nic->id, "err");
	char *logpath = file_path(rundir, nic->id, "log");
	char *pidpath = file_path(rundir, nic->id, "pid");
	char last[256], how[32], *prog = NULL;
	int64_t deadline;
	struct qnm_strv argv;
	pid_t child = 0;
	int r, st;

	if (!qnm_passt_find(&prog)) {
		r = qnm_err_set(err, -ENOENT, "backend",
				"nic[%s]: %s is not installed (Debian package 'passt')", nic->id,
				qnm_passt_binary());
		goto out;
	}
	unlink(sock); /* a socket left by an earlier run nobody listens on */
	qnm_strv_init(&argv);
	qnm_passt_argv(vm, nic, rundir, &argv);
	r = run_passt(prog, argv.v, errpath, &child);
	qnm_strv_free(&argv);
	if (r) {
		qnm_err_set(err, r, "backend", "nic[%s]: cannot run %s: %s", nic->id,
			    qnm_passt_binary(), strerror(-r));
		goto out;
	}
	write_pid(pidpath, child);
	deadline = qnm_mono_ms_int() + QNM_PASST_READY_MS;
	for (;;) {
		if (listening(sock)) {
			*pid = child;
			r = 0;
			goto out;
		}
		if (waitpid(child, &st, WNOHANG) == child) {
			log_last_line(errpath, last, sizeof(last));
			unlink(pidpath);
			if (WIFEXITED(st))
				snprintf(how, sizeof(how), "with status %d", WEXITSTATUS(st));
			else
				snprintf(how, sizeof(how), "on signal %d",
					 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
			r = qnm_err_set(err, -EIO, "backend",
					"nic[%s]: passt did not listen on %s: it exited %s (%s); "
					"QEMU would have no network (see %s)",
					nic->id, sock, how, last[0] ? last : "no message", logpath);
			goto out;
		}
		if (qnm_mono_ms_int() >= deadline)
			break;
		usleep(5000);
	}
	qnm_passt_stop(rundir, nic->id, child, 1000);
	r = qnm_err_set(err, -ETIMEDOUT, "backend",
			"nic[%s]: passt did not listen on %s within %d ms, although it may log "
			"'bound' (it cannot create its socket there); QEMU would have no network "
			"(see %s)",
			nic->id, sock, QNM_PASST_READY_MS, logpath);
out:
	free(sock);
	free(prog);
	free(errpath);
	free(logpath);
	free(pidpath);
	return r;
}

pid_t qnm_passt_pid(const char *rundir, const char *nic_id)
{
	char *pidpath = file_path(rundir, nic_id, "pid");
	char *sock = file_path(rundir, nic_id, "sock");
	pid_t pid = qnm_pid_file_read(pidpath);

	if (pid && !qnm_pid_runs(pid, "passt", "passt.avx2", qnm_passt_binary(), sock))
		pid = 0;
	free(pidpath);
	free(sock);
	return pid;
}

/* gone: reaped here, or no such process (a zombie of another parent counts as gone) */
static bool gone(pid_t pid)
{
	if (waitpid(pid, NULL, WNOHANG) == pid)
		return true;
	return !qnm_pid_alive(pid);
}

pid_t qnm_passt_stop(const char *rundir, const char *nic_id, pid_t child, int timeout_ms)
{
	char *pidpath = file_path(rundir, nic_id, "pid");
	char *sock = file_path(rundir, nic_id, "sock");
	pid_t pid = qnm_passt_pid(rundir, nic_id);
	int64_t deadline;

	/* a child not yet reaped keeps its pid: safe to signal without the pid file */
	if (!pid && child > 1 && waitpid(child, NULL, WNOHANG) == 0)
		pid = child;

	if (pid > 1 && !gone(pid)) {
		kill(pid, SIGTERM);
		deadline = qnm_mono_ms_int() + timeout_ms;
		while (!gone(pid) && qnm_mono_ms_int() < deadline)
			usleep(5000);
		if (!gone(pid)) {
			kill(pid, SIGKILL);
			deadline = qnm_mono_ms_int() + 2000;
			while (!gone(pid) && qnm_mono_ms_int() < deadline)
				usleep(5000);
			if (!gone(pid)) {
				free(pidpath);
				free(sock);
				return -ETIMEDOUT;
			}
		}
	}
	unlink(pidpath);
	unlink(sock);
	free(pidpath);
	free(sock);
	return pid;
}

int qnm_passt_reclaim(const char *rundir, struct qnm_strbuf *report)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(rundir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char id[QNM_NAME_MAX + 1];
		pid_t pid;

		if (strncmp(de->d_name, "passt-", 6) != 0 || len < 10 ||
		    strcmp(de->d_name + len - 4, ".pid") != 0 || len - 10 >= sizeof(id))
			continue;
		memcpy(id, de->d_name + 6, len - 10);
		id[len - 10] = '\0';
		pid = qnm_passt_stop(rundir, id, 0, 1000);
		if (pid <= 0)
			continue;
		n++;
		qnm_sb_addf(report, "%sstopped passt pid %ld of NIC %s (its supervisor is gone)",
			    report->len ? "; " : "", (long)pid, id);
	}
	closedir(d);
	return n;
}
