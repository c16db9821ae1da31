// SPDX-License-Identifier: GPL-2.0-or-later
/* dnsmasq.c - DHCP on a qnm network through dnsmasq, and its lease file. */
#include "build-config.h"

#include "host/dnsmasq.h"

#include "core/config.h"
#include "core/ipv6net.h"
#include "core/validate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int qnm_leases_parse(const char *text, struct qnm_lease **out, size_t *n)
{
	struct qnm_lease *v = NULL;
	size_t cnt = 0, cap = 0;
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[512], mac[32], ip[64], host[128];
		long long exp;
		size_t i;

		if (len < sizeof(buf)) {
			memcpy(buf, p, len);
			buf[len] = '\0';
		} else {
			buf[0] = '\0';
		}
		p += len + (eol ? 1 : 0);
		host[0] = '\0';
		if (sscanf(buf, "%lld %31s %63s %127s", &exp, mac, ip, host) < 3)
			continue; /* also "duid ..." lines */
		for (i = 0; mac[i]; i++)
			mac[i] = (char)tolower((unsigned char)mac[i]);
		if (!qnm_valid_mac(mac) || !qnm_valid_ipv4(ip))
			continue; /* IPv6 leases, non-Ethernet hardware */
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[cnt].expiry = exp;
		qnm_strlcpy(v[cnt].mac, mac, sizeof(v[cnt].mac));
		qnm_strlcpy(v[cnt].ip, ip, sizeof(v[cnt].ip));
		qnm_strlcpy(v[cnt].hostname, strcmp(host, "*") ? host : "",
			    sizeof(v[cnt].hostname));
		cnt++;
	}
	*out = v;
	*n = cnt;
	return 0;
}

char *qnm_dnsmasq_path(const char *runtime_dir, const char *network, const char *what)
{
	return xasprintf("%s/dnsmasq-%s.%s", runtime_dir, network, what);
}

static int read_text(const char *path, size_t max, char **out)
{
	struct stat st;
	char *dir, *slash;
	ssize_t got;
	char *text;
	int fd, r;

	/* dnsmasq's own files (its user may own them) in a directory only qnm writes to */
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	r = slash ? qnm_dir_trusted(dir, NULL) : -EPERM;
	free(dir);
	if (r)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	/* a plain file: not a FIFO or device */
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EPERM;
	}
	text = xmalloc((size_t)st.st_size + 1);
	got = read(fd, text, (size_t)st.st_size);
	r = got < 0 ? -errno : 0;
	close(fd);
	if (r < 0) {
		free(text);
		return r;
	}
	text[got] = '\0';
	*out = text;
	return 0;
}

int qnm_leases_read(const char *runtime_dir, const char *network, struct qnm_lease **out, size_t *n,
		    struct qnm_err *err)
{
	char *path = qnm_dnsmasq_path(runtime_dir, network, "leases"), *text;
	struct stat st;
	int r;

	/* the runtime dir first: qnm's, not a symlink, writable by nobody else */
	if (lstat(runtime_dir, &st) == 0 &&
	    (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))))
		r = -EPERM;
	else
		r = read_text(path, 4 * 1024 * 1024, &text);

	*out = NULL;
	*n = 0;
	if (r == -ENOENT) {
		free(path);
		return 0;
	}
	if (r < 0) {
		qnm_err_set(err, r, "", "read %s: %s", path, strerror(-r));
		free(path);
		return r;
	}
	/* read_text() sets text whenever it returns 0 (the analyzer assumes errno may be 0) */
	qnm_leases_parse(text, out, n); /* NOLINT(clang-analyzer-core.CallAndMessage) */
	free(text);
	free(path);
	return 0;
}

const struct qnm_lease *qnm_leases_find_mac(const struct qnm_lease *v, size_t n, const char *mac)
{
	const struct qnm_lease *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(v[i].mac, mac) != 0)
			continue;
		if (!best || v[i].expiry == 0 || (best->expiry != 0 && v[i].expiry > best->expiry))
			best = &v[i];
	}
	return best;
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int qnm_dnsmasq_find(char *out, size_t size, struct qnm_err *err)
{
	const char *env = getenv("QNM_DNSMASQ");
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL;
	bool found = false;

	if (!qnm_str_empty(env)) {
		if (executable(env)) {
			qnm_strlcpy(out, env, size);
			return 0;
		}
		return qnm_err_set(err, -ENOENT, "",
				   "dnsmasq not found at $QNM_DNSMASQ=%s (install the Debian "
				   "package dnsmasq-base for DHCP on qnm networks)",
				   env);
	}
	dirs = xasprintf("%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/dnsmasq", dir);
		found = dir[0] == '/' && executable(out);
	}
	free(dirs);
	if (found)
		return 0;
	out[0] = '\0';
	return qnm_err_set(err, -ENOENT, "",
			   "dnsmasq is not installed: DHCP on qnm networks needs it (install the "
			   "Debian package dnsmasq-base), or remove the network's DHCP range");
}

/*
 * IPv6 (core/ipv6net.h): router advertisements of the /64 with both the A
 * flag (SLAAC: guests without a DHCPv6 client, such as busybox, form
 * PREFIX + EUI-64 of their MAC) and the M flag (stateful DHCPv6: clients
 * that use privacy or stable-privacy SLAAC addresses still get one known
 * address, the same PREFIX + EUI-64 reserved by MAC in the dhcp-host lines;
 * others get one of PREFIX::1000-PREFIX::1fff). dnsmasq advertises a router
 * lifetime of 0 where the host does not forward IPv6 (an isolated network:
 * no default route, only the on-link prefix).
 */
static void add_ipv6(const struct qnm_network *net, struct qnm_strv *argv)
{
	char host[QNM_IPV6_ADDR_LEN];
	size_t len;

	qnm_net_ipv6_host(net, host, sizeof(host)); /* PREFIX::1 */
	len = strlen(host);
	if (len < 2)
		return;
	host[len - 1] = '\0'; /* "PREFIX::" */
	qnm_strv_add(argv, "--enable-ra");
	qnm_strv_addf(argv, "--dhcp-range=%s1000,%s1fff,slaac,64,1h", host, host);
}

int qnm_dnsmasq_argv(const char *bin, const struct qnm_network *net, const struct qnm_strv *hosts,
		     const char *runtime_dir, struct qnm_strv *argv, struct qnm_err *err)
{
	char mask[QNM_IPV4_LEN];
	size_t i;
	char *p;

	if (qnm_str_empty(net->dhcp_start) || qnm_str_empty(net->dhcp_end))
		return qnm_err_set(err, -EINVAL, "network.dhcp",
				   "network %s: no DHCP range (dhcp_start/dhcp_end)", net->name);
	if (qnm_str_empty(net->address) || net->prefix < 1 || net->prefix > 30)
		return qnm_err_set(err, -EINVAL, "network.address",
				   "network %s: DHCP needs an address with a prefix of 1-30 on "
				   "the bridge",
				   net->name);
	/* The name goes into --interface=: a ',' or '*' there widens what dnsmasq serves. */
	if (!qnm_valid_ifname(net->bridge))
		return qnm_err_set(err, -EINVAL, "bridge",
				   "bridge: '%s' is not a valid interface name (" QNM_IFNAME_RULE
				   ")",
				   net->bridge);
	qnm_format_ipv4(0xffffffffu << (32 - net->prefix), mask);
	qnm_strv_add(argv, bin);
	qnm_strv_add(argv, "--conf-file=/dev/null"); /* ignore /etc/dnsmasq.conf */
	qnm_strv_add(argv, "--port=0");		     /* no DNS */
	qnm_strv_addf(argv, "--interface=%s", net->bridge);
	qnm_strv_add(argv, "--bind-interfaces");
	qnm_strv_add(argv, "--except-interface=lo");
	qnm_strv_addf(argv, "--dhcp-range=%s,%s,%s,1h", net->dhcp_start, net->dhcp_end, mask);
	add_ipv6(net, argv);
	for (i = 0; hosts && i < hosts->n; i++) {
		/* "MAC,IP[,[IPV6]]" only: anything else would be another dnsmasq option */
		if (strspn(hosts->v[i], "0123456789abcdefABCDEF:.,[]") != strlen(hosts->v[i]))
			return qnm_err_set(err, -EINVAL, "ip",
					   "network %s: reservation '%s' is not MAC,IP", net->name,
					   hosts->v[i]);
		qnm_strv_addf(argv, "--dhcp-host=%s", hosts->v[i]);
	}
	qnm_strv_add(argv, "--dhcp-authoritative");
	p = qnm_dnsmasq_path(runtime_dir, net->name, "leases");
	qnm_strv_take(argv, xasprintf("--dhcp-leasefile=%s", p));
	free(p);
	p = qnm_dnsmasq_path(runtime_dir, net->name, "pid");
	qnm_strv_take(argv, xasprintf("--pid-file=%s", p));
	free(p);
	return 0;
}

static int read_pid(const char *path, pid_t *pid)
{
	unsigned long v;
	char *text, *nl;
	int r = read_text(path, 64, &text);

	if (r < 0)
		return r;
	nl = strchr(text, '\n'); /* NOLINT(clang-analyzer-core.CallAndMessage): as above */
	if (nl)
		*nl = '\0';
	r = qnm_parse_uint(text, 2, 4194304, &v);
	free(text);
	if (r < 0)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

int qnm_dnsmasq_start(const struct qnm_network *net, const struct qnm_strv *hosts,
		      const char *runtime_dir, pid_t *pid, struct qnm_err *err)
{
	posix_spawn_file_actions_t fa;
	char bin[4096], msg[400] = "";
	struct qnm_strv argv;
	int pfd[2], r, status;
	char *pidfile;
	pid_t child;
	ssize_t got;

	*pid = 0;
	r = qnm_dnsmasq_find(bin, sizeof(bin), err);
	if (r < 0)
		return r;
	qnm_strv_init(&argv);
	r = qnm_dnsmasq_argv(bin, net, hosts, runtime_dir, &argv, err);
	if (r < 0) {
		qnm_strv_free(&argv);
		return r;
	}
	pidfile = qnm_dnsmasq_path(runtime_dir, net->name, "pid");
	unlink(pidfile);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	r = -posix_spawn(&child, bin, &fa, NULL, argv.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (r < 0) {
		close(pfd[0]);
		qnm_err_set(err, r, "", "start dnsmasq for network %s: %s", net->name,
			    strerror(-r));
		goto out;
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	/* The daemon reopens stderr on /dev/null: whatever is there is all. */
	{
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		size_t len = 0;

		while (len < sizeof(msg) - 1 && poll(&p, 1, 100) > 0) {
			got = read(pfd[0], msg + len, sizeof(msg) - 1 - len);
			if (got <= 0)
				break;
			len += (size_t)got;
		}
		msg[len] = '\0';
		while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			msg[--len] = '\0';
	}
	close(pfd[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = qnm_err_set(err, -EIO, "", "start dnsmasq for network %s: %s%s", net->name,
				msg[0] ? msg : "it failed",
				strstr(msg, "ermission") ? " (DHCP needs root or CAP_NET_ADMIN "
							   "and CAP_NET_BIND_SERVICE)"
							 : "");
		goto out;
	}
	r = read_pid(pidfile, pid);
	if (r < 0)
		qnm_err_set(err, r, "", "dnsmasq for network %s started but wrote no pid to %s",
			    net->name, pidfile);
out:
	free(pidfile);
	qnm_strv_free(&argv);
	return r;
}

/* The command line of @pid (NUL-separated, @len bytes), or NULL. */
static char *proc_cmdline(pid_t pid, ssize_t *len)
{
	char path[64], *cmd;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	cmd = xmalloc(65536);
	*len = read(fd, cmd, 65535);
	close(fd);
	if (*len <= 0) {
		free(cmd);
		return NULL;
	}
	cmd[*len] = '\0';
	return cmd;
}

bool qnm_dnsmasq_is_ours(pid_t pid, const char *runtime_dir, const char *network)
{
	char *cmd, *p, *pidfile;
	bool name_ok = false, pidfile_ok = false;
	ssize_t got;

	if (pid <= 1 || !(cmd = proc_cmdline(pid, &got)))
		return false;
	pidfile = qnm_dnsmasq_path(runtime_dir, network, "pid");
	for (p = cmd; p < cmd + got; p += strlen(p) + 1) {
		const char *base = strrchr(p, '/');

		if (p == cmd)
			name_ok = strcmp(base ? base + 1 : p, "dnsmasq") == 0;
		if (strncmp(p, "--pid-file=", 11) == 0 && strcmp(p + 11, pidfile) == 0)
			pidfile_ok = true;
	}
	free(pidfile);
	free(cmd);
	return name_ok && pidfile_ok;
}

bool qnm_dnsmasq_serves(pid_t pid, const struct qnm_network *net, const struct qnm_strv *hosts,
			const char *runtime_dir)
{
	struct qnm_strv argv;
	bool same = false;
	ssize_t got;
	char *cmd, *p;
	size_t i;

	if (pid <= 1 || !(cmd = proc_cmdline(pid, &got)))
		return false;
	qnm_strv_init(&argv);
	if (qnm_dnsmasq_argv("dnsmasq", net, hosts, runtime_dir, &argv, NULL) == 0) {
		/* argument by argument after argv[0] (the binary's path may differ) */
		p = cmd + strlen(cmd) + 1;
		for (i = 1, same = true; i < argv.n && same; i++) {
			same = p < cmd + got && strcmp(p, argv.v[i]) == 0;
			p += strlen(p) + 1;
		}
		same = same && p >= cmd + got;
	}
	qnm_strv_free(&argv);
	free(cmd);
	return same;
}

size_t qnm_dnsmasq_scan(const char *runtime_dir, const char *network, pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		unsigned long v;

		if (qnm_parse_uint(e->d_name, 2, 4194304, &v) < 0 ||
		    !qnm_dnsmasq_is_ours((pid_t)v, runtime_dir, network))
			continue;
		if (n < max)
			out[n] = (pid_t)v;
		n++;
	}
	closedir(d);
	return n;
}

int qnm_dnsmasq_stop(const char *runtime_dir, const char *network, pid_t pid, struct qnm_err *err)
{
	char *pidfile = qnm_dnsmasq_path(runtime_dir, network, "pid");
	int i, r = 0;

	if (pid <= 0 && read_pid(pidfile, &pid) < 0)
		pid = 0;
	if (pid > 0 && qnm_dnsmasq_is_ours(pid, runtime_dir, network)) {
		if (kill(pid, SIGTERM) < 0 && errno != ESRCH) {
			r = -errno;
			qnm_err_set(err, r, "", "stop dnsmasq (pid %d) of network %s: %s", (int)pid,
				    network, strerror(-r));
			goto out;
		}
		for (i = 0; i < 200 && qnm_dnsmasq_is_ours(pid, runtime_dir, network); i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		if (qnm_dnsmasq_is_ours(pid, runtime_dir, network)) {
			r = qnm_err_set(err, -ETIMEDOUT, "",
					"dnsmasq (pid %d) of network %s did not stop within 2 s",
					(int)pid, network);
			goto out;
		}
	}
	unlink(pidfile);
out:
	free(pidfile);
	return r;
}
