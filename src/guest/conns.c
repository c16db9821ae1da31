// SPDX-License-Identifier: GPL-2.0-or-later
/* conns.c - connection tables of user-mode NICs (libslirp). See conns.h. */
#include "build-config.h"

#include "guest/conns.h"

#include "core/backend.h"
#include "guest/rundir.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dir_names[] = {
	[QNM_CONN_OUT] = "out",
	[QNM_CONN_IN] = "in",
	[QNM_CONN_LISTEN] = "listen",
};

const char *qnm_conn_dir_name(enum qnm_conn_dir d)
{
	return (size_t)d < QNM_ARRAY_SIZE(dir_names) ? dir_names[d] : "?";
}

/* The protocols of the table, as printed and as reported. */
static const struct {
	const char *tag;
	const char *name;
} protos[] = {
	{ "TCP[", "tcp" },
	{ "UDP[", "udp" },
	{ "ICMP[", "icmp" },
};

static int parse_net(const char *net, uint32_t *addr, uint32_t *mask)
{
	char buf[32], *slash;
	unsigned long plen = 24;
	struct in_addr a;

	qnm_strlcpy(buf, qnm_str_empty(net) ? "10.0.2.0/24" : net, sizeof(buf));
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (qnm_parse_uint(slash + 1, 0, 32, &plen))
			return -EINVAL;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*mask = plen ? htonl(~0u << (32 - plen)) : 0;
	*addr = a.s_addr & *mask;
	return 0;
}

static bool in_net(const char *s, uint32_t net, uint32_t mask)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1 && (a.s_addr & mask) == net;
}

static bool valid_addr(const char *s)
{
	struct in_addr a;

	return strcmp(s, "*") == 0 || inet_pton(AF_INET, s, &a) == 1;
}

/* One row; @line has no line end. Return: 1 row, 0 skip (header/blank), -EINVAL. */
static int parse_row(const char *line, uint32_t net, uint32_t mask, struct qnm_conn *c)
{
	char src[32], dst[32], tail;
	unsigned sport, dport;
	unsigned long rq, sq;
	const char *p = line, *close;
	size_t i, len;
	int fd, k;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || strncmp(p, "Protocol[State]", 15) == 0)
		return 0;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < QNM_ARRAY_SIZE(protos); i++)
		if (strncmp(p, protos[i].tag, strlen(protos[i].tag)) == 0)
			break;
	if (i == QNM_ARRAY_SIZE(protos))
		return -EINVAL;
	qnm_strlcpy(c->proto, protos[i].name, sizeof(c->proto));
	p += strlen(protos[i].tag);
	close = strchr(p, ']');
	len = close ? (size_t)(close - p) : 0;
	if (!close || !len || len >= sizeof(c->state))
		return -EINVAL;
	memcpy(c->state, p, len);
	c->state[len] = '\0';
	for (i = 0; i < len; i++)
		if (!isprint((unsigned char)c->state[i]))
			return -EINVAL;
	k = sscanf(close + 1, "%d %31s %u %31s %u %lu %lu %c", &fd, src, &sport, dst, &dport, &rq,
		   &sq, &tail);
	if (k != 7 || sport > 65535 || dport > 65535 || !valid_addr(src) || !valid_addr(dst))
		return -EINVAL;
	c->fd = fd;
	c->recvq = rq;
	c->sendq = sq;
	if (strcmp(c->state, "HOST_FORWARD") == 0)
		c->dir = QNM_CONN_LISTEN;
	else if (in_net(src, net, mask))
		c->dir = QNM_CONN_OUT;
	else
		c->dir = QNM_CONN_IN;
	if (c->dir == QNM_CONN_OUT) {
		qnm_strlcpy(c->guest_addr, src, sizeof(c->guest_addr));
		c->guest_port = sport;
		qnm_strlcpy(c->remote_addr, dst, sizeof(c->remote_addr));
		c->remote_port = dport;
	} else {
		qnm_strlcpy(c->guest_addr, dst, sizeof(c->guest_addr));
		c->guest_port = dport;
		qnm_strlcpy(c->remote_addr, src, sizeof(c->remote_addr));
		c->remote_port = sport;
	}
	return 1;
}

int qnm_conns_parse(const char *text, const char *net, struct qnm_conn **v, size_t *n,
		    struct qnm_err *err)
{
	struct qnm_conn *out = NULL;
	size_t cnt = 0, cap = 0, lineno = 0;
	uint32_t netaddr, mask;
	const char *p = text ? text : "";

	*v = NULL;
	*n = 0;
	if (parse_net(net, &netaddr, &mask))
		return qnm_err_set(err, -EINVAL, "net", "net: '%s' is not an IPv4 network", net);
	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[512];
		struct qnm_conn c;
		int r;

		lineno++;
		qnm_strlcpy(line, p, len + 1 < sizeof(line) ? len + 1 : sizeof(line));
		if (len && len < sizeof(line) && line[len - 1] == '\r')
			line[len - 1] = '\0';
		r = len >= sizeof(line) ? -EINVAL : parse_row(line, netaddr, mask, &c);
		if (r < 0) {
			free(out);
			return qnm_err_set(err, -EINVAL, "",
					   "connection table, line %zu: cannot "
					   "read '%.80s'",
					   lineno, line);
		}
		if (r > 0) {
			if (cnt == cap) {
				cap = cap ? cap * 2 : 8;
				out = xreallocarray(out, cap, sizeof(*out));
			}
			out[cnt++] = c;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	*v = out;
	*n = cnt;
	return 0;
}

char *qnm_conns_usernet_table(const char *hmp, const char *netdev)
{
	struct qnm_strbuf sb;
	const char *p = hmp ? hmp : "";
	bool in = false, found = false;

	qnm_sb_init(&sb);
	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *open;

		/* A heading: "Hub N (NAME):" (QEMU 5+), "VLAN N (NAME):" (older). */
		if (len && (strncmp(p, "Hub ", 4) == 0 || strncmp(p, "VLAN ", 5) == 0) &&
		    (open = memchr(p, '(', len))) {
			size_t nl = strlen(netdev);

			in = (size_t)(p + len - open) >= nl + 2 &&
			     strncmp(open + 1, netdev, nl) == 0 && open[1 + nl] == ')' &&
			     open[2 + nl] == ':';
			found |= in;
		} else if (in) {
			qnm_sb_addn(&sb, p, len);
			qnm_sb_addc(&sb, '\n');
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!found) {
		qnm_sb_free(&sb);
		return NULL;
	}
	return qnm_sb_steal(&sb);
}

int qnm_conns_query(const char *runtime_dir, const struct qnm_vm *vm, const struct qnm_nic *nic,
		    struct qnm_conn **v, size_t *n, struct qnm_err *err)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(nic);
	struct qnm_run_info info;
	struct qnm_rundir rd;
	char *text = NULL;
	int r;

	*v = NULL;
	*n = 0;
	if (!b || !b->conns)
		return qnm_err_set(err, -EOPNOTSUPP, "",
				   "nic[%s]: only user and slirp NICs have a "
				   "connection table",
				   nic->id);
	qnm_rundir_init(&rd, runtime_dir, vm->name);
	qnm_rundir_probe(&rd, &info);
	if (info.status != QNM_RUN_RUNNING)
		r = qnm_err_set(err, -ENOENT, "", "%s is not running (%s)", vm->name,
				qnm_run_status_name(info.status));
	else
		r = b->conns(runtime_dir, vm, nic, &text, err);
	qnm_rundir_clear(&rd);
	if (r)
		return r;
	r = qnm_conns_parse(text, nic->user.net, v, n, err);
	if (r)
		qnm_err_prefix(err, "nic[%s]", nic->id);
	free(text);
	return r;
}
