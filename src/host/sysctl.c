// SPDX-License-Identifier: GPL-2.0-or-later
/* sysctl.c - net.ipv4.ip_forward, net.ipv6.conf.all.forwarding, a bridge's route_localnet and net.ipv4.ping_group_range via /proc/sys. */
#include "build-config.h"

#include "host/sysctl.h"
#include "host/links.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IP_FORWARD  "net/ipv4/ip_forward"
#define IP6_FORWARD "net/ipv6/conf/all/forwarding"
#define PING_RANGE  "net/ipv4/ping_group_range"

const char *qnm_sysctl_dir(void)
{
	const char *d = getenv("QNM_PROC_SYS");

	return qnm_str_empty(d) ? "/proc/sys" : d;
}

static int read_small(const char *rel, char *buf, size_t size)
{
	char path[512];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", qnm_sysctl_dir(), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return 0;
}

/* a 0/1 setting at @rel of /proc/sys, named @label in messages */
static int bool_get(const char *rel, const char *label, bool *on, struct qnm_err *err)
{
	char buf[16];
	int r = read_small(rel, buf, sizeof(buf));

	*on = false;
	if (r < 0)
		return qnm_err_set(err, r, "", "read %s: %s", label, strerror(-r));
	if (buf[0] != '0' && buf[0] != '1')
		return qnm_err_set(err, -EINVAL, "", "%s reads '%s', not 0 or 1", label, buf);
	*on = buf[0] == '1';
	return 0;
}

static int bool_set(const char *rel, const char *label, bool on, bool *prev, struct qnm_err *err)
{
	char path[512], action[128];
	bool cur;
	int fd, r;

	snprintf(action, sizeof(action), "set %s=%d", label, on ? 1 : 0);
	r = bool_get(rel, label, &cur, err);
	if (r < 0)
		return r;
	if (prev)
		*prev = cur;
	if (cur == on)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", qnm_sysctl_dir(), rel);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return qnm_host_err(err, r == -EROFS ? -EPERM : r, action);
	}
	if (write(fd, on ? "1\n" : "0\n", 2) != 2) {
		r = -errno;
		close(fd);
		return qnm_host_err(err, r == -EROFS ? -EPERM : r, action);
	}
	close(fd);
	return 0;
}

int qnm_ip_forward_get(bool *on, struct qnm_err *err)
{
	return bool_get(IP_FORWARD, "net.ipv4.ip_forward", on, err);
}

int qnm_ip_forward_set(bool on, bool *prev, struct qnm_err *err)
{
	return bool_set(IP_FORWARD, "net.ipv4.ip_forward", on, prev, err);
}

int qnm_ip6_forward_get(bool *on, struct qnm_err *err)
{
	return bool_get(IP6_FORWARD, "net.ipv6.conf.all.forwarding", on, err);
}

int qnm_ip6_forward_set(bool on, bool *prev, struct qnm_err *err)
{
	return bool_set(IP6_FORWARD, "net.ipv6.conf.all.forwarding", on, prev, err);
}

void qnm_route_localnet_name(const char *ifname, char *buf, size_t size)
{
	snprintf(buf, size, "net.ipv4.conf.%s.route_localnet", ifname);
}

/* the path under /proc/sys, or -EINVAL for a name that is no interface's */
static int localnet_rel(const char *ifname, char *rel, size_t size, struct qnm_err *err)
{
	if (qnm_str_empty(ifname) || strchr(ifname, '/') || strcmp(ifname, ".") == 0 ||
	    strcmp(ifname, "..") == 0 || strlen(ifname) > 15)
		return qnm_err_set(err, -EINVAL, "bridge",
				   "route_localnet: '%s' is not an interface name", ifname);
	snprintf(rel, size, "net/ipv4/conf/%s/route_localnet", ifname);
	return 0;
}

int qnm_route_localnet_get(const char *ifname, bool *on, struct qnm_err *err)
{
	char rel[64], label[64];
	int r = localnet_rel(ifname, rel, sizeof(rel), err);

	*on = false;
	if (r < 0)
		return r;
	qnm_route_localnet_name(ifname, label, sizeof(label));
	return bool_get(rel, label, on, err);
}

int qnm_route_localnet_set(const char *ifname, bool on, bool *prev, struct qnm_err *err)
{
	char rel[64], label[64];
	int r = localnet_rel(ifname, rel, sizeof(rel), err);

	if (r < 0)
		return r;
	qnm_route_localnet_name(ifname, label, sizeof(label));
	return bool_set(rel, label, on, prev, err);
}

int qnm_if_ipv6_enable(const char *ifname, struct qnm_err *err)
{
	char rel[64], label[64];
	int r = localnet_rel(ifname, rel, sizeof(rel), err);

	if (r < 0)
		return r;
	snprintf(rel, sizeof(rel), "net/ipv6/conf/%s/disable_ipv6", ifname);
	snprintf(label, sizeof(label), "net.ipv6.conf.%s.disable_ipv6", ifname);
	return bool_set(rel, label, false, NULL, err);
}

void qnm_accept_ra_ifaces(struct qnm_strv *out)
{
	char path[512], buf[16];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/net/ipv6/conf", qnm_sysctl_dir());
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char rel[300];

		if (e->d_name[0] == '.' || strcmp(e->d_name, "all") == 0 ||
		    strcmp(e->d_name, "default") == 0 || strcmp(e->d_name, "lo") == 0)
			continue;
		snprintf(rel, sizeof(rel), "net/ipv6/conf/%s/accept_ra", e->d_name);
		if (read_small(rel, buf, sizeof(buf)) == 0 && buf[0] == '1')
			qnm_strv_add(out, e->d_name);
	}
	if (d)
		closedir(d);
}

int qnm_ping_range_parse(const char *text, unsigned long *lo, unsigned long *hi)
{
	char *end;

	errno = 0;
	*lo = strtoul(text, &end, 10);
	if (end == text || errno || (*end != ' ' && *end != '\t'))
		return -EINVAL;
	text = end;
	*hi = strtoul(text, &end, 10);
	if (end == text || errno)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

bool qnm_ping_range_allows(unsigned long lo, unsigned long hi, const gid_t *gids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned long)gids[i] >= lo && (unsigned long)gids[i] <= hi)
			return true;
	return false;
}

int qnm_ping_check(bool *ok, char *why, size_t size, struct qnm_err *err)
{
	unsigned long lo, hi;
	gid_t gids[256];
	char buf[64];
	int n, r;

	r = read_small(PING_RANGE, buf, sizeof(buf));
	if (r < 0)
		return qnm_err_set(err, r, "", "read net.ipv4.ping_group_range: %s", strerror(-r));
	if (qnm_ping_range_parse(buf, &lo, &hi) < 0)
		return qnm_err_set(err, -EINVAL, "", "net.ipv4.ping_group_range reads '%s'", buf);
	gids[0] = getegid();
	n = getgroups((int)QNM_ARRAY_SIZE(gids) - 1, gids + 1);
	if (n < 0)
		n = 0;
	*ok = qnm_ping_range_allows(lo, hi, gids, (size_t)n + 1);
	if (*ok)
		snprintf(why, size,
			 "net.ipv4.ping_group_range is %lu-%lu and includes group %u: "
			 "guests on user-mode networking can ping",
			 lo, hi, (unsigned)gids[0]);
	else
		snprintf(why, size,
			 "net.ipv4.ping_group_range is %lu-%lu%s and none of this process's groups "
			 "(gid %u) is in it: guests on user-mode networking cannot ping out "
			 "(TCP/UDP still work); to allow it: sysctl -w "
			 "net.ipv4.ping_group_range=\"%u %u\"",
			 lo, hi, lo > hi ? " (nobody)" : "", (unsigned)gids[0], (unsigned)gids[0],
			 (unsigned)gids[0]);
	return 0;
}
