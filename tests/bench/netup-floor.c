// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netup-floor.c - the least any program can spend doing what "qnm net up"
 * did: it replays qnm's own kernel writes, captured by tests/bench/nlwrites.py
 * from strace (the bridge's RTM_NEWLINK, RTM_NEWADDR and RTM_NEWLINK "up", the
 * /proc/sys writes, the nftables batch), and does nothing else: no
 * configuration, no checks of what is there, no lock, no ownership records.
 * It reads every reply and fails on an error, as any honest tool must.
 * Linked as qnm is (glibc shared), so that the difference is qnm's own work.
 *
 * Usage: netup-floor BLOB IFNAME   (IFNAME: the bridge the first record creates;
 * later requests about a link get its new index)
 */
#include <fcntl.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SYSCTL_KIND	 0xffffffffu
#define RTM_NEWLINK_TYPE 16
#define RTM_NEWADDR_TYPE 20
#define NL_PROTOS	 32

static char blob[1 << 24];

static int nl_open(int proto)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("netup-floor: netlink socket");
		return -1;
	}
	return fd;
}

/* the replies queued on @fd (the kernel answered within send): errors found */
static int nl_errors(int fd)
{
	static char buf[1 << 16];
	int bad = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *h;
		size_t left = (size_t)n;

		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_ERROR && e->error) {
				fprintf(stderr, "netup-floor: request type %u: %s\n",
					e->msg.nlmsg_type, strerror(-e->error));
				bad++;
			}
		}
	}
	return bad;
}

static int sysctl_write(const char *rec, uint32_t len)
{
	size_t plen = strnlen(rec, len);
	int fd;

	if (plen >= len)
		return -1;
	fd = open(rec, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, rec + plen + 1, len - plen - 1) != (ssize_t)(len - plen - 1)) {
		perror(rec);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int socks[NL_PROTOS], fd, bad = 0, i;
	uint32_t ifindex = 0;
	ssize_t n;
	size_t o = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: netup-floor BLOB IFNAME\n");
		return 2;
	}
	for (i = 0; i < NL_PROTOS; i++)
		socks[i] = -1;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, blob, sizeof(blob))) <= 0) {
		perror(argv[1]);
		return 2;
	}
	close(fd);
	while (o + 8 <= (size_t)n) {
		uint32_t kind, len;
		uint16_t type, flags;
		char *m = blob + o + 8;

		memcpy(&kind, blob + o, 4);
		memcpy(&len, blob + o + 4, 4);
		if (len > (size_t)n - o - 8)
			break;
		o += 8 + len;
		if (kind == SYSCTL_KIND) {
			bad += sysctl_write(m, len) != 0;
			continue;
		}
		if (kind >= NL_PROTOS || len < sizeof(struct nlmsghdr) + 8)
			return 2;
		memcpy(&type, m + 4, 2);
		memcpy(&flags, m + 6, 2);
		/* ifinfomsg.ifi_index and ifaddrmsg.ifa_index sit at the same offset */
		if (kind == 0 && ifindex &&
		    (type == RTM_NEWADDR_TYPE ||
		     (type == RTM_NEWLINK_TYPE && !(flags & NLM_F_CREATE))))
			memcpy(m + sizeof(struct nlmsghdr) + 4, &ifindex, 4);
		if (socks[kind] < 0 && (socks[kind] = nl_open((int)kind)) < 0)
			return 2;
		if (len > 200 * 1024) { /* as qnm does for a large batch (nft.c) */
			int sz = (int)len + 64 * 1024;

			if (setsockopt(socks[kind], SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) <
			    0)
				setsockopt(socks[kind], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		}
		if (send(socks[kind], m, len, 0) != (ssize_t)len) {
			perror("netup-floor: send");
			return 2;
		}
		if (kind == 0 && type == RTM_NEWLINK_TYPE && (flags & NLM_F_CREATE))
			ifindex = if_nametoindex(argv[2]);
	}
	for (i = 0; i < NL_PROTOS; i++)
		if (socks[i] >= 0)
			bad += nl_errors(socks[i]);
	return bad ? 1 : 0;
}
