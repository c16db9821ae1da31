// SPDX-License-Identifier: GPL-2.0-or-later
/* portowner.c - forwarded host ports, and who holds a port (sock_diag + /proc). */
#include "build-config.h"

#include "watch/portowner.h"
#include "watch/fwdpath.h"
#include "core/backend.h"
#include "host/nft.h"
#include "guest/rundir.h"
#include "host/sysctl.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TCP_STATE_LISTEN 10

void qnm_sock_list_clear(struct qnm_sock_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void list_add(struct qnm_sock_list *l, const struct qnm_sock *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = *s;
}

/* ---- sock_diag ---- */

struct parse_ctx {
	enum qnm_proto proto;
	struct qnm_sock_list *out;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, INET_DIAG_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int diag_cb(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *pc = data;
	const struct nlattr *tb[INET_DIAG_MAX + 1] = { 0 };
	const struct inet_diag_msg *m;
	struct qnm_sock s;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
		return MNL_CB_OK;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return MNL_CB_OK;
	if (pc->proto == QNM_PROTO_TCP && m->idiag_state != TCP_STATE_LISTEN)
		return MNL_CB_OK;
	memset(&s, 0, sizeof(s));
	s.proto = pc->proto;
	s.family = m->idiag_family;
	s.port = ntohs(m->id.idiag_sport);
	s.state = m->idiag_state;
	s.uid = m->idiag_uid;
	s.inode = m->idiag_inode;
	if (!inet_ntop(s.family, m->id.idiag_src, s.addr, sizeof(s.addr)))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*m), attr_cb, tb);
	if (s.family == AF_INET6 && tb[INET_DIAG_SKV6ONLY] &&
	    mnl_attr_get_payload_len(tb[INET_DIAG_SKV6ONLY]) >= 1)
		s.v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) != 0;
	list_add(pc->out, &s);
	return MNL_CB_OK;
}

int qnm_sockdiag_parse(const void *buf, size_t len, enum qnm_proto proto, struct qnm_sock_list *out)
{
	struct parse_ctx pc = { .proto = proto, .out = out };
	int r;

	errno = 0;
	r = mnl_cb_run(buf, len, 0, 0, diag_cb, &pc);
	if (r == MNL_CB_STOP)
		return 1;
	if (r < 0)
		return errno ? -errno : -EBADMSG;
	return 0;
}

static int dump_one(struct mnl_socket *nl, int family, enum qnm_proto proto,
		    struct qnm_sock_list *out)
{
	char *buf = xmalloc(MNL_SOCKET_BUFFER_SIZE);
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	ssize_t n;
	int r = 0;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = proto == QNM_PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	req->idiag_states = proto == QNM_PROTO_TCP ? 1u << TCP_STATE_LISTEN : ~0u;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	while (r == 0) {
		n = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0) {
			r = -errno;
			break;
		}
		r = qnm_sockdiag_parse(buf, (size_t)n, proto, out);
	}
	if (r == 1)
		r = 0;
out:
	free(buf);
	return r;
}

int qnm_sock_dump(struct qnm_sock_list *out, struct qnm_err *err)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static const enum qnm_proto protos[] = { QNM_PROTO_TCP, QNM_PROTO_UDP };
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	size_t i, j;
	int r = 0;

	if (!nl)
		return qnm_err_set(err, -errno, "", "listing sockets (NETLINK_SOCK_DIAG): %s",
				   strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		mnl_socket_close(nl);
		return qnm_err_set(err, r, "", "listing sockets (NETLINK_SOCK_DIAG): %s",
				   strerror(-r));
	}
	for (i = 0; i < QNM_ARRAY_SIZE(protos) && !r; i++)
		for (j = 0; j < QNM_ARRAY_SIZE(families) && !r; j++) {
			r = dump_one(nl, families[j], protos[i], out);
			/* no IPv6 in this kernel: nothing to list there */
			if (r == -ENOENT || r == -EAFNOSUPPORT)
				r = 0;
		}
	mnl_socket_close(nl);
	if (r < 0)
		return qnm_err_set(err, r, "", "listing %s sockets (NETLINK_SOCK_DIAG): %s",
				   qnm_proto_name(protos[i - 1]), strerror(-r));
	return 0;
}

/* ---- who conflicts with whom ---- */

static bool v4_any(const char *a)
{
	return qnm_str_empty(a) || strcmp(a, "0.0.0.0") == 0;
}

bool qnm_sock_conflicts(const struct qnm_sock *s, enum qnm_proto proto, const char *addr,
			uint16_t port)
{
	const char *sa = s->addr;

	if (s->proto != proto || s->port != port)
		return false;
	if (s->family == AF_INET6) {
		if (strcmp(sa, "::") == 0)
			return !s->v6only; /* dual-stack wildcard holds the IPv4 port too */
		if (strncmp(sa, "::ffff:", 7) != 0)
			return false; /* a plain IPv6 address: the IPv4 port is free */
		sa += 7;
	}
	return v4_any(sa) || v4_any(addr) || strcmp(sa, addr) == 0;
}

void qnm_sock_owners(const uint64_t *inodes, size_t n, struct qnm_port_holder *out)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	size_t i;

	for (i = 0; i < n; i++) {
		out[i].pid = 0;
		out[i].comm[0] = '\0';
		out[i].nprocs = 0;
	}
	if (!proc || !n) {
		if (proc)
			closedir(proc);
		return;
	}
	while ((de = readdir(proc))) {
		char path[64], link[64];
		struct dirent *fe;
		DIR *fds;
		pid_t pid;
		unsigned long v;
		bool *seen;

		if (qnm_parse_uint(de->d_name, 1, 0x7fffffff, &v))
			continue;
		pid = (pid_t)v;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		fds = opendir(path);
		if (!fds)
			continue; /* gone, or not ours to see */
		seen = xcalloc(n, sizeof(*seen));
		while ((fe = readdir(fds))) {
			unsigned long long ino;
			ssize_t len;

			if (fe->d_name[0] == '.')
				continue;
			len = readlinkat(dirfd(fds), fe->d_name, link, sizeof(link) - 1);
			if (len <= 8)
				continue;
			link[len] = '\0';
			if (sscanf(link, "socket:[%llu]", &ino) != 1)
				continue;
			for (i = 0; i < n; i++) {
				if (inodes[i] != ino || seen[i])
					continue;
				seen[i] = true;
				out[i].nprocs++;
				if (!out[i].pid || pid < out[i].pid) {
					out[i].pid = pid;
					if (qnm_proc_comm(pid, out[i].comm, sizeof(out[i].comm)) <
					    0)
						qnm_strlcpy(out[i].comm, "?", sizeof(out[i].comm));
				}
			}
		}
		free(seen);
		closedir(fds);
	}
	closedir(proc);
}

void qnm_port_holder_find(const struct qnm_sock_list *socks, enum qnm_proto proto, const char *addr,
			  uint16_t port, struct qnm_port_holder *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < socks->n; i++) {
		if (!qnm_sock_conflicts(&socks->v[i], proto, addr, port))
			continue;
		out->found = true;
		out->sock = socks->v[i];
		if (out->sock.inode)
			qnm_sock_owners(&out->sock.inode, 1, out);
		return;
	}
}

void qnm_port_holder_text(const struct qnm_port_holder *h, char *buf, size_t size)
{
	if (!h->found)
		snprintf(buf, size, "%s", "");
	else if (!h->pid)
		snprintf(buf, size,
			 "a process of uid %u that qnm cannot see (run as root to name it)",
			 (unsigned)h->sock.uid);
	else if (h->nprocs > 1)
		snprintf(buf, size, "%s (pid %d, and %zu more)", h->comm, (int)h->pid,
			 h->nprocs - 1);
	else
		snprintf(buf, size, "%s (pid %d)", h->comm, (int)h->pid);
}

/* ---- may we bind it? ---- */

static bool have_cap(unsigned cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* net.ipv4.ip_unprivileged_port_start, 1024 when it cannot be read */
static unsigned long unpriv_start(void)
{
	char path[512], buf[32];
	unsigned long v;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/net/ipv4/ip_unprivileged_port_start", qnm_sysctl_dir());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1024;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1024;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return qnm_parse_uint(buf, 0, 65536, &v) ? 1024 : v;
}

/* qnm_port_check() with the sockets listed (@socks), the sysctl read (@start) */
static int check_one(const struct qnm_sock_list *socks, unsigned long start, enum qnm_proto proto,
		     const char *addr, uint16_t port, struct qnm_err *err)
{
	struct qnm_port_holder h;
	char who[192], where[64];

	snprintf(where, sizeof(where), "%s/%s%s%u", qnm_proto_name(proto),
		 qnm_str_empty(addr) ? "" : addr, qnm_str_empty(addr) ? "" : ":", port);
	if (port < start && !have_cap(CAP_NET_BIND_SERVICE))
		return qnm_err_set(err, -EACCES, "hostfwd",
				   "host port %s is a privileged port: ports below %lu "
				   "(net.ipv4.ip_unprivileged_port_start) need root or "
				   "CAP_NET_BIND_SERVICE; choose a port >= %lu, or let users bind "
				   "it with: sysctl -w net.ipv4.ip_unprivileged_port_start=%u",
				   where, start, start, port);
	if (!socks)
		return 0;
	qnm_port_holder_find(socks, proto, addr, port, &h);
	if (!h.found)
		return 0;
	qnm_port_holder_text(&h, who, sizeof(who));
	/* say where it listens when that is not simply "everywhere" */
	if (strcmp(h.sock.addr, "0.0.0.0") && strcmp(h.sock.addr, "::"))
		snprintf(who + strlen(who), sizeof(who) - strlen(who), " on %s", h.sock.addr);
	return qnm_err_set(err, -EADDRINUSE, "hostfwd",
			   "host port %s is already in use by %s; choose another port", where, who);
}

int qnm_port_check(enum qnm_proto proto, const char *addr, uint16_t port, struct qnm_err *err)
{
	struct qnm_sock_list socks = { 0 };
	unsigned long start = unpriv_start();
	int r;

	r = check_one(NULL, start, proto, addr, port, err);
	if (r)
		return r;
	r = qnm_sock_dump(&socks, err);
	if (r < 0)
		return r;
	r = check_one(&socks, start, proto, addr, port, err);
	qnm_sock_list_clear(&socks);
	return r;
}

/* single forward @one (one port, tcp or udp) is a host side of one of @v */
static bool covered(const struct qnm_fwd *v, size_t n, const struct qnm_fwd *one)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (qnm_fwd_covers(&v[j], one->proto, one->host_port) &&
		    strcmp(v[j].host_addr, one->host_addr) == 0)
			return true;
	return false;
}

int qnm_port_check_fwds(const struct qnm_fwd *before, size_t nbefore, const struct qnm_fwd *now,
			size_t nnow, const char *field, struct qnm_err *err)
{
	struct qnm_sock_list socks = { 0 };
	unsigned long start = unpriv_start();
	bool listed = false;
	size_t i, k;
	int r = 0;

	/* every port of a range and each protocol of tcp+udp; the sockets listed once */
	for (i = 0; i < nnow && !r; i++) {
		size_t nk = qnm_fwd_count(&now[i]);

		for (k = 0; k < nk && !r; k++) {
			struct qnm_fwd one;

			qnm_fwd_nth(&now[i], k, &one);
			if (covered(before, nbefore, &one))
				continue;
			r = check_one(NULL, start, one.proto, one.host_addr, one.host_port, err);
			if (!r && !listed) {
				r = qnm_sock_dump(&socks, err);
				listed = true;
			}
			if (!r)
				r = check_one(&socks, start, one.proto, one.host_addr,
					      one.host_port, err);
		}
	}
	qnm_sock_list_clear(&socks);
	if (r < 0 && err && field)
		qnm_strlcpy(err->field, field, sizeof(err->field));
	return r < 0 ? r : 0;
}

static bool forwards_ports(const struct qnm_nic *n)
{
	return n && qnm_nic_backend(n)->has_hostfwd;
}

int qnm_port_check_nic(const struct qnm_nic *before, const struct qnm_nic *nic, const char *field,
		       struct qnm_err *err)
{
	if (!forwards_ports(nic))
		return 0;
	if (!forwards_ports(before))
		before = NULL;
	return qnm_port_check_fwds(before ? before->user.fwd : NULL, before ? before->user.nfwd : 0,
				   nic->user.fwd, nic->user.nfwd, field, err);
}

/* ---- the table ---- */

const char *qnm_port_kind_name(enum qnm_port_kind k)
{
	static const char *const names[] = {
		[QNM_PORT_HOSTFWD] = "hostfwd",
		[QNM_PORT_SLIRP] = "slirp",
		[QNM_PORT_DNAT] = "dnat",
	};

	return (unsigned)k < QNM_ARRAY_SIZE(names) ? names[k] : "?";
}

static struct qnm_port_entry *table_add(struct qnm_port_table *t, enum qnm_port_kind kind,
					const struct qnm_fwd *f)
{
	struct qnm_port_entry *e;

	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->fwd = *f;
	return e;
}

static void add_model(const struct qnm_model *model, struct qnm_port_table *t)
{
	size_t i, j, k;

	for (i = 0; i < model->nvms; i++) {
		const struct qnm_vm *vm = model->vms[i];

		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_nic *nic = &vm->nics[j];
			const struct qnm_backend_ops *b = qnm_nic_backend(nic);
			enum qnm_port_kind kind;

			if (!b->has_hostfwd)
				continue;
			/* the slirp helper's forwards, or QEMU's hostfwd */
			kind = b->slirp_helper ? QNM_PORT_SLIRP : QNM_PORT_HOSTFWD;
			for (k = 0; k < nic->user.nfwd; k++) {
				struct qnm_port_entry *e = table_add(t, kind, &nic->user.fwd[k]);

				qnm_strlcpy(e->vm, vm->name, sizeof(e->vm));
				qnm_strlcpy(e->nic, nic->id, sizeof(e->nic));
				e->configured = true;
			}
		}
	}
	for (i = 0; i < model->nnets; i++) {
		const struct qnm_network *net = model->nets[i];

		for (k = 0; k < net->nfwd; k++) {
			struct qnm_port_entry *e = table_add(t, QNM_PORT_DNAT, &net->fwd[k]);

			qnm_strlcpy(e->net, net->name, sizeof(e->net));
			e->configured = true;
		}
	}
}

static void add_live(struct qnm_port_table *t)
{
	struct qnm_fwd *live = NULL;
	struct qnm_err err;
	size_t n = 0, i, j, nconf = t->n, *seen;

	qnm_err_clear(&err);
	t->live_ret = qnm_nft_read_forwards(&live, &n, &err);
	if (t->live_ret < 0) {
		qnm_strlcpy(t->live_err, err.msg, sizeof(t->live_err));
		return;
	}
	/* the table holds one element per port and protocol: a range is live when all are */
	seen = xcalloc(nconf + 1, sizeof(*seen));
	for (i = 0; i < n; i++) {
		bool found = false;

		for (j = 0; j < nconf; j++) {
			const struct qnm_fwd *f = &t->v[j].fwd;

			if (t->v[j].kind == QNM_PORT_DNAT &&
			    qnm_fwd_covers(f, live[i].proto, live[i].host_port) &&
			    strcmp(f->host_addr, live[i].host_addr) == 0 &&
			    strcmp(f->guest_addr, live[i].guest_addr) == 0 &&
			    live[i].guest_port - f->guest_port ==
				    live[i].host_port - f->host_port) {
				seen[j]++;
				found = true;
			}
		}
		if (!found)
			table_add(t, QNM_PORT_DNAT, &live[i])->live = true;
	}
	for (j = 0; j < nconf; j++)
		if (seen[j] && seen[j] == qnm_fwd_count(&t->v[j].fwd))
			t->v[j].live = true;
	free(seen);
	free(live);
}

/* live forwards of configured networks that cannot carry traffic, and why */
static void mark_blocked(const struct qnm_model *model, struct qnm_port_table *t)
{
	struct qnm_fwdpath p;
	size_t i;

	qnm_fwdpath_init(&p);
	for (i = 0; i < t->n; i++) {
		struct qnm_port_entry *e = &t->v[i];
		const struct qnm_network *net;

		if (e->kind != QNM_PORT_DNAT || !e->live || !e->net[0])
			continue;
		net = qnm_model_find_net(model, e->net);
		if (net)
			qnm_fwdpath_check(&p, net, &e->fwd, e->blocked, sizeof(e->blocked));
	}
	qnm_fwdpath_clear(&p);
}

static void add_holders(struct qnm_port_table *t)
{
	struct qnm_sock_list socks = { 0 };
	struct qnm_err err;
	uint64_t *inodes;
	struct qnm_port_holder *who;
	size_t i, j, n = 0;

	qnm_err_clear(&err);
	t->socks_ret = qnm_sock_dump(&socks, &err);
	if (t->socks_ret < 0) {
		qnm_strlcpy(t->socks_err, err.msg, sizeof(t->socks_err));
		return;
	}
	inodes = xcalloc(t->n + 1, sizeof(*inodes));
	for (i = 0; i < t->n; i++) {
		struct qnm_port_holder *h = &t->v[i].holder;

		memset(h, 0, sizeof(*h));
		/* a socket on any port of a range (either protocol of tcp+udp) holds it */
		for (j = 0; j < socks.n && !h->found; j++) {
			const struct qnm_sock *so = &socks.v[j];

			if (qnm_fwd_covers(&t->v[i].fwd, so->proto, so->port) &&
			    qnm_sock_conflicts(so, so->proto, t->v[i].fwd.host_addr, so->port)) {
				h->found = true;
				h->sock = socks.v[j];
				inodes[n++] = socks.v[j].inode;
			}
		}
	}
	/* one scan of /proc for all of them */
	who = xcalloc(n + 1, sizeof(*who));
	qnm_sock_owners(inodes, n, who);
	for (i = 0, j = 0; i < t->n; i++) {
		struct qnm_port_holder *h = &t->v[i].holder;

		if (!h->found)
			continue;
		h->pid = who[j].pid;
		h->nprocs = who[j].nprocs;
		memcpy(h->comm, who[j].comm, sizeof(h->comm));
		j++;
	}
	free(who);
	free(inodes);
	qnm_sock_list_clear(&socks);
}

pid_t qnm_vm_running_pid(const char *runtime_dir, const char *name)
{
	struct qnm_run_info info;
	struct qnm_rundir rd;
	pid_t pid = 0;

	if (qnm_str_empty(runtime_dir))
		return 0;
	memset(&info, 0, sizeof(info));
	qnm_rundir_init(&rd, runtime_dir, name);
	if (qnm_rundir_probe(&rd, &info) == 0 &&
	    (info.status == QNM_RUN_RUNNING || info.status == QNM_RUN_STARTING))
		pid = info.qemu_pid;
	qnm_rundir_clear(&rd);
	return pid;
}

static void mark_holder(struct qnm_port_table *t, pid_t pid, const char *vm, const char *helper)
{
	size_t j;

	for (j = 0; pid && j < t->n; j++) {
		if (t->v[j].holder.found && t->v[j].holder.pid == pid) {
			qnm_strlcpy(t->v[j].holder_vm, vm, sizeof(t->v[j].holder_vm));
			t->v[j].holder_helper = helper != NULL;
			t->v[j].holder_what = helper ? helper : "QEMU";
		}
	}
}

/* name the running VMs whose QEMU (or a NIC's helper: slirp helper, passt) holds a port */
static void mark_vm_holders(const struct qnm_model *model, const char *runtime_dir,
			    struct qnm_port_table *t)
{
	size_t i, k;

	for (i = 0; i < model->nvms; i++) {
		const struct qnm_vm *vm = model->vms[i];
		pid_t pid = qnm_vm_running_pid(runtime_dir, vm->name);
		struct qnm_rundir rd;

		if (!pid)
			continue;
		mark_holder(t, pid, vm->name, NULL);
		qnm_rundir_init(&rd, runtime_dir, vm->name);
		for (k = 0; k < vm->nnics; k++) {
			const struct qnm_backend_ops *b = qnm_nic_backend(&vm->nics[k]);

			if (b->helper_pid && vm->nics[k].user.nfwd)
				mark_holder(t, b->helper_pid(rd.path, &vm->nics[k]), vm->name,
					    b->helper_name);
		}
		qnm_rundir_clear(&rd);
	}
}

void qnm_port_table_build(const struct qnm_model *model, const char *runtime_dir, bool read_live,
			  struct qnm_port_table *t)
{
	memset(t, 0, sizeof(*t));
	t->live_ret = -ENOENT;
	t->unpriv_start = unpriv_start();
	t->can_bind_low = have_cap(CAP_NET_BIND_SERVICE);
	add_model(model, t);
	if (read_live) {
		add_live(t);
		mark_blocked(model, t);
	}
	add_holders(t);
	if (t->socks_ret == 0)
		mark_vm_holders(model, runtime_dir, t);
}

void qnm_port_table_clear(struct qnm_port_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
