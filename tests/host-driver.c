// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * host-driver.c - calls src/host/links.h, src/host/tuntap.h, src/host/owner.h and
 * src/host/sysctl.h one operation at a time, so shell tests can run it inside a
 * network namespace and read the kernel state back independently (ip -j).
 * Also the driver of the links refresh benchmark.
 *
 * usage: host-driver COMMAND ARGS...
 *   bridge-add BR | delete IF | up IF | down IF
 *   addr-add IF A.B.C.D PREFIX | addr-del IF A.B.C.D PREFIX
 *   enslave PORT BR | release PORT
 *   tap-add TAP [UID [GID [vnet]]] | tap-del TAP
 *   tap-attach TAP            open /dev/net/tun and attach to TAP (as its owner)
 *   links                     one line per link: name type up master mac addrs rx_bytes tx_packets
 *   follow IF                 for each line read on stdin: refill, print
 *                             "rx_bytes tx_packets up full_refills stats_only_refills" of IF
 *   uplink                    the default-route interface
 *   forward-get | forward-set 0|1
 *   own-add RUNDIR KIND NAME [EXTRA] | own-del RUNDIR KIND NAME
 *   own-may RUNDIR KIND NAME [force]   (exit 0 may, 1 refused)
 *   bench N SECONDS           refresh N times as fast as possible, then once a
 *                             second for SECONDS; prints ms per refresh and the
 *                             CPU seconds used by the 1 Hz part
 *
 * Exit: 0 ok, 1 the call failed (message on stderr, "errno=N" on the last line), 2 usage.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "host/links.h"
#include "host/owner.h"
#include "host/sysctl.h"
#include "host/tuntap.h"

static int fail(const struct qnm_err *err, int ret)
{
	fprintf(stderr, "%s\nerrno=%d\n", err->msg, -ret);
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int bench(struct qnm_links *l, int n, int seconds, struct qnm_err *err)
{
	double t0, t1, c0, best = 1e9, ms;
	uint64_t sum = 0;
	int i, r;
	size_t k;

	t0 = now_ms();
	for (i = 0; i < n; i++) {
		double a = now_ms();

		r = qnm_links_refill(l, err);
		if (r < 0)
			return r;
		for (k = 0; k < l->n; k++)
			sum += l->v[k].stats[QNM_STAT_RX_BYTES];
		ms = now_ms() - a;
		if (ms < best)
			best = ms;
	}
	t1 = now_ms();
	printf("links %zu\nrefreshes %d\nms_per_refresh %.2f\nms_best %.2f\n", l->n, n,
	       (t1 - t0) / n, best);
	/* the same, each a full refill (as after a link change) */
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		qnm_links_invalidate(l);
		r = qnm_links_refill(l, err);
		if (r < 0)
			return r;
	}
	t1 = now_ms();
	printf("ms_per_full_refill %.2f\nfull_refills %lu\nstats_only_refills %lu\n", (t1 - t0) / n,
	       l->fills, l->stats_only);
	fflush(stdout);
	if (seconds <= 0)
		return 0;
	c0 = cpu_s();
	for (i = 0; i < seconds; i++) {
		r = qnm_links_refill(l, err);
		if (r < 0)
			return r;
		for (k = 0; k < l->n; k++)
			sum += l->v[k].stats[QNM_STAT_RX_BYTES];
		sleep(1);
	}
	printf("cpu_seconds_1hz %.3f\nwall_seconds %d\nchecksum %llu\n", cpu_s() - c0, seconds,
	       (unsigned long long)(sum & 1));
	return 0;
}

static int own_kind(const char *s, enum qnm_own_kind *k)
{
	int i;

	for (i = 0; i < QNM_OWN__COUNT; i++)
		if (strcmp(s, qnm_own_kind_name(i)) == 0) {
			*k = i;
			return 0;
		}
	return -1;
}

int main(int argc, char **argv)
{
	struct qnm_links *l = NULL;
	struct qnm_err err;
	const char *cmd = argc > 1 ? argv[1] : "";
	int r = 0, nargs = argc - 2;
	char **a = argv + 2;

	qnm_err_clear(&err);
	if (argc < 2)
		goto usage;
	if (strncmp(cmd, "own-", 4) == 0) {
		struct qnm_owner o;
		enum qnm_own_kind k;

		if (nargs < 3 || own_kind(a[1], &k) < 0)
			goto usage;
		r = qnm_owner_open(&o, a[0], &err);
		if (r == 0 && strcmp(cmd, "own-add") == 0)
			r = qnm_owner_add(&o, k, a[2], nargs > 3 ? a[3] : NULL, &err);
		else if (r == 0 && strcmp(cmd, "own-del") == 0)
			r = qnm_owner_remove(&o, k, a[2], &err);
		else if (r == 0 && strcmp(cmd, "own-may") == 0)
			r = qnm_owner_may(&o, k, a[2], nargs > 3 && !strcmp(a[3], "force"), a[2],
					  &err);
		else if (r == 0)
			r = -EINVAL;
		qnm_owner_clear(&o);
		return r < 0 ? fail(&err, r) : 0;
	}
	if (strcmp(cmd, "forward-get") == 0) {
		bool on;

		r = qnm_ip_forward_get(&on, &err);
		if (r == 0)
			printf("%d\n", on);
		return r < 0 ? fail(&err, r) : 0;
	}
	if (strcmp(cmd, "forward-set") == 0 && nargs == 1) {
		r = qnm_ip_forward_set(strcmp(a[0], "1") == 0, NULL, &err);
		return r < 0 ? fail(&err, r) : 0;
	}
	if (strcmp(cmd, "tap-add") == 0 && nargs >= 1) {
		struct qnm_tap_params p = { (uid_t)-1, (gid_t)-1, false };

		if (nargs > 1)
			p.owner = (uid_t)atol(a[1]);
		if (nargs > 2)
			p.group = (gid_t)atol(a[2]);
		p.vnet_hdr = nargs > 3 && strcmp(a[3], "vnet") == 0;
		r = qnm_tap_create(a[0], &p, &err);
		return r < 0 ? fail(&err, r) : 0;
	}
	if (strcmp(cmd, "tap-attach") == 0 && nargs == 1) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		memset(&ifr, 0, sizeof(ifr));
		qnm_strlcpy(ifr.ifr_name, a[0], sizeof(ifr.ifr_name));
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
		if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
			fprintf(stderr, "attach %s: %s\nerrno=%d\n", a[0], strerror(errno), errno);
			return 1;
		}
		close(fd);
		return 0;
	}
	if (strcmp(cmd, "tap-del") == 0 && nargs == 1) {
		r = qnm_tap_delete(a[0], &err);
		return r < 0 ? fail(&err, r) : 0;
	}

	r = qnm_links_new(true, &l, &err);
	if (r < 0)
		return fail(&err, r);
	if (strcmp(cmd, "bridge-add") == 0 && nargs == 1) {
		r = qnm_links_bridge_add(l, a[0], &err);
	} else if (strcmp(cmd, "delete") == 0 && nargs == 1) {
		r = qnm_links_delete(l, a[0], &err);
	} else if ((strcmp(cmd, "up") == 0 || strcmp(cmd, "down") == 0) && nargs == 1) {
		r = qnm_links_set_up(l, a[0], cmd[0] == 'u', &err);
	} else if (strcmp(cmd, "addr-add") == 0 && nargs == 3) {
		bool added;

		r = qnm_links_addr_add(l, a[0], a[1], (unsigned)atoi(a[2]), &added, &err);
		if (r == 0)
			printf("%s\n", added ? "added" : "present");
	} else if (strcmp(cmd, "addr-del") == 0 && nargs == 3) {
		r = qnm_links_addr_del(l, a[0], a[1], (unsigned)atoi(a[2]), &err);
	} else if (strcmp(cmd, "enslave") == 0 && nargs == 2) {
		r = qnm_links_enslave(l, a[0], a[1], &err);
	} else if (strcmp(cmd, "release") == 0 && nargs == 1) {
		r = qnm_links_release(l, a[0], &err);
	} else if (strcmp(cmd, "uplink") == 0 && nargs == 0) {
		char ifn[QNM_IFNAME_MAX + 1];

		r = qnm_links_default_uplink(l, ifn, &err);
		if (r == 0)
			printf("%s\n", ifn);
	} else if (strcmp(cmd, "links") == 0 && nargs == 0) {
		size_t i;

		for (i = 0; i < l->n; i++) {
			const struct qnm_link_info *li = &l->v[i];

			printf("%s %s %d %s %s %s %llu %llu\n", li->name, li->type, li->up,
			       li->master_name[0] ? li->master_name : "-",
			       li->mac[0] ? li->mac : "-", li->naddrs ? li->addrs[0] : "-",
			       (unsigned long long)li->stats[QNM_STAT_RX_BYTES],
			       (unsigned long long)li->stats[QNM_STAT_TX_PACKETS]);
		}
	} else if (strcmp(cmd, "follow") == 0 && nargs == 1) {
		char line[64];

		while (r == 0 && fgets(line, sizeof(line), stdin)) {
			const struct qnm_link_info *li;

			r = qnm_links_refill(l, &err);
			li = qnm_links_find(l, a[0]);
			if (li)
				printf("%llu %llu %d %lu %lu\n",
				       (unsigned long long)li->stats[QNM_STAT_RX_BYTES],
				       (unsigned long long)li->stats[QNM_STAT_TX_PACKETS], li->up,
				       l->fills, l->stats_only);
			else
				printf("gone %lu %lu\n", l->fills, l->stats_only);
			fflush(stdout);
		}
	} else if (strcmp(cmd, "bench") == 0 && nargs == 2) {
		r = bench(l, atoi(a[0]), atoi(a[1]), &err);
	} else {
		qnm_links_free(l);
		goto usage;
	}
	qnm_links_free(l);
	return r < 0 ? fail(&err, r) : 0;
usage:
	fprintf(stderr, "usage: host-driver COMMAND ARGS... (see tests/host-driver.c)\n");
	return 2;
}
