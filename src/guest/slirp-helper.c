// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slirp-helper.c - one libslirp instance per guest NIC, served to QEMU
 * over a unix stream socket, with a control socket for counters and live
 * port forwards. See slirp-helper.h (life cycle) and slirpctl.h (control
 * protocol).
 *
 * One thread, one poll() loop: the fixed descriptors (signalfd, control
 * socket and its clients, the QEMU listener or connection) come first in
 * the pollfd array, libslirp's sockets after them (slirp_pollfds_fill).
 * libslirp's timers are a short list checked after every poll().
 */
#include "build-config.h"

#include "guest/slirp-helper.h"

#include "core/backend.h"
#include "core/ipv6net.h"
#include "guest/cmdline.h"
#include "guest/slirpctl.h"
#include "core/validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RX_CAP	    (4 * (QNM_SLIRP_FRAME_MAX + 4))
#define MAX_CLIENTS 16
#define TX_BATCH    (64 * 1024)

/* ---- frame reassembly ---- */

void qnm_frame_rx_init(struct qnm_frame_rx *rx)
{
	rx->buf = xmalloc(RX_CAP);
	rx->cap = RX_CAP;
	rx->off = 0;
	rx->len = 0;
}

void qnm_frame_rx_free(struct qnm_frame_rx *rx)
{
	free(rx->buf);
	rx->buf = NULL;
	rx->cap = rx->off = rx->len = 0;
}

uint8_t *qnm_frame_rx_space(struct qnm_frame_rx *rx, size_t *avail)
{
	if (rx->off == rx->len) {
		rx->off = rx->len = 0;
	} else if (rx->cap - rx->len < QNM_SLIRP_FRAME_MAX + 4) {
		memmove(rx->buf, rx->buf + rx->off, rx->len - rx->off);
		rx->len -= rx->off;
		rx->off = 0;
	}
	*avail = rx->cap - rx->len;
	return rx->buf + rx->len;
}

void qnm_frame_rx_commit(struct qnm_frame_rx *rx, size_t n)
{
	rx->len += n;
}

void qnm_frame_rx_feed(struct qnm_frame_rx *rx, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n) {
		size_t avail, k;
		uint8_t *dst = qnm_frame_rx_space(rx, &avail);

		k = n < avail ? n : avail;
		memcpy(dst, p, k);
		qnm_frame_rx_commit(rx, k);
		p += k;
		n -= k;
		if (n && avail == k && rx->off == 0)
			return; /* full of an unconsumed frame: caller must drain first */
	}
}

int qnm_frame_rx_next(struct qnm_frame_rx *rx, const uint8_t **frame, size_t *len)
{
	for (;;) {
		const uint8_t *p = rx->buf + rx->off;
		size_t have = rx->len - rx->off;
		uint32_t flen;

		if (have < 4)
			return 0;
		flen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if (flen > QNM_SLIRP_FRAME_MAX)
			return -EPROTO;
		if (have - 4 < flen)
			return 0;
		rx->off += 4 + flen;
		if (flen == 0)
			continue;
		*frame = p + 4;
		*len = flen;
		return 1;
	}
}

/* ---- the helper's state ---- */

/**
 * struct helper_timer - one libslirp timer.
 * @next:      list link.
 * @cb:        libslirp's callback.
 * @opaque:    its argument.
 * @expire_ms: absolute expiry on the CLOCK_MONOTONIC millisecond scale,
 *             or -1 when not armed.
 */
struct helper_timer {
	struct helper_timer *next;
	SlirpTimerCb cb;
	void *opaque;
	int64_t expire_ms;
};

/**
 * struct ctl_client - one control connection.
 * @fd:      its socket.
 * @in:      the partial request line.
 * @inlen:   bytes in @in.
 * @out:     replies not yet sent, from @outoff.
 * @outoff:  bytes of @out already sent.
 * @closing: close once @out is sent (after a protocol error).
 */
struct ctl_client {
	int fd;
	char in[QNM_SLIRPCTL_LINE_MAX + 2];
	size_t inlen;
	struct qnm_strbuf out;
	size_t outoff;
	bool closing;
};

/**
 * struct txq - bytes queued for QEMU when its socket is full.
 * @buf: storage of @cap bytes; bytes @off..@len are pending.
 */
struct txq {
	uint8_t *buf;
	size_t cap;
	size_t off;
	size_t len;
};

/**
 * struct helper - everything one helper process owns.
 * @cfg:         the configuration.
 * @slirp:       the libslirp instance.
 * @net, @mask, @host, @dhcp, @dns: the guest network, as configured.
 * @listen_fd:   QEMU listener.
 * @qemu_fd:     the QEMU connection, or -1.
 * @qemu_broken: a send to QEMU failed: drop the connection in the loop.
 * @ctl_fd:      control listener.
 * @sig_fd:      signalfd for SIGTERM, SIGINT, SIGHUP.
 * @made_socket, @made_control: we created those socket files (unlink them).
 * @clients:     control connections, @nclients of them.
 * @rx:          frames from QEMU being reassembled.
 * @tx:          bytes for QEMU that did not fit in its socket.
 * @timers:      libslirp's timers.
 * @pfd:         the pollfd array (@npfd used, @pfd_cap allocated).
 * @st:          counters.
 * @fwd:         forwards in place, @nfwd of them.
 * @start_ms:    when the helper started (for the connect timeout).
 * @quit:        leave the loop.
 * @status:      what run() returns after the loop.
 */
struct helper {
	const struct qnm_slirp_helper_cfg *cfg;
	Slirp *slirp;
	struct in_addr net, mask, host, dhcp, dns;
	int listen_fd;
	int qemu_fd;
	bool qemu_broken;
	int ctl_fd;
	int sig_fd;
	bool made_socket, made_control;
	struct ctl_client *clients[MAX_CLIENTS];
	size_t nclients;
	struct qnm_frame_rx rx;
	struct txq tx;
	struct helper_timer *timers;
	struct pollfd *pfd;
	size_t npfd, pfd_cap;
	struct qnm_slirp_stats st;
	struct qnm_fwd *fwd;
	size_t nfwd;
	int64_t start_ms;
	bool quit;
	int status;
	struct qnm_err *err;
};

static void logmsg(struct helper *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logmsg(struct helper *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "qnm slirp-helper[%s]: ", h->cfg->nic_id ? h->cfg->nic_id : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- output to QEMU ---- */

static size_t txq_pending(const struct txq *q)
{
	return q->len - q->off;
}

static void txq_push(struct txq *q, const void *data, size_t n)
{
	if (q->off && q->off == q->len)
		q->off = q->len = 0;
	if (q->cap - q->len < n) {
		if (q->off) {
			memmove(q->buf, q->buf + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		if (q->cap - q->len < n) {
			size_t cap = q->cap ? q->cap : 65536;

			while (cap - q->len < n)
				cap *= 2;
			q->buf = xrealloc(q->buf, cap);
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->len, data, n);
	q->len += n;
}

static void txq_reset(struct txq *q)
{
	q->off = q->len = 0;
}

/* Send what is queued; Return: 0, or -errno when the connection broke. */
static int txq_flush(struct helper *h)
{
	struct txq *q = &h->tx;

	while (txq_pending(q)) {
		ssize_t n = send(h->qemu_fd, q->buf + q->off, txq_pending(q),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		q->off += (size_t)n;
	}
	txq_reset(q);
	return 0;
}

/*
 * libslirp has a frame for the guest. Frames are queued and sent in batches:
 * once the queue holds TX_BATCH bytes, and at the end of every loop round
 * (before poll() sleeps), so a burst of segments costs one send(), not one
 * per frame.
 */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct helper *h = opaque;
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			   (uint8_t)len };

	if (h->qemu_fd < 0 || h->qemu_broken || len > QNM_SLIRP_FRAME_MAX ||
	    txq_pending(&h->tx) + len + 4 > QNM_SLIRP_TXQ_LIMIT) {
		h->st.rx_dropped++;
		return (ssize_t)len;
	}
	txq_push(&h->tx, hdr, 4);
	txq_push(&h->tx, buf, len);
	h->st.rx_packets++;
	h->st.rx_bytes += len;
	if (txq_pending(&h->tx) >= TX_BATCH && txq_flush(h) < 0)
		h->qemu_broken = true;
	return (ssize_t)len;
}

/* ---- libslirp callbacks ---- */

static void cb_guest_error(const char *msg, void *opaque)
{
	logmsg(opaque, "guest error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	return qnm_mono_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct helper *h = opaque;
	struct helper_timer *t = xcalloc(1, sizeof(*t));

	t->cb = cb;
	t->opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = h->timers;
	h->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct helper *h = opaque;
	struct helper_timer **pp;

	for (pp = &h->timers; *pp; pp = &(*pp)->next) {
		if (*pp == timer) {
			*pp = ((struct helper_timer *)timer)->next;
			free(timer);
			return;
		}
	}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	((struct helper_timer *)timer)->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
	/* One thread: the next loop iteration polls again anyway. */
}

static void cb_init_completed(Slirp *slirp, void *opaque)
{
}

static const SlirpCb slirp_callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
	.init_completed = cb_init_completed,
};

/* ---- poll array ---- */

static size_t pfd_add(struct helper *h, int fd, short events)
{
	if (h->npfd == h->pfd_cap) {
		h->pfd_cap = h->pfd_cap ? h->pfd_cap * 2 : 32;
		h->pfd = xreallocarray(h->pfd, h->pfd_cap, sizeof(*h->pfd));
	}
	h->pfd[h->npfd].fd = fd;
	h->pfd[h->npfd].events = events;
	h->pfd[h->npfd].revents = 0;
	return h->npfd++;
}

/**
 * struct poll_map - one libslirp poll flag and its poll(2) counterpart.
 * @slirp: SLIRP_POLL_*.
 * @sys:   POLL*.
 */
struct poll_map {
	int slirp;
	short sys;
};

static const struct poll_map poll_map[] = {
	{ SLIRP_POLL_IN, POLLIN },   { SLIRP_POLL_OUT, POLLOUT }, { SLIRP_POLL_PRI, POLLPRI },
	{ SLIRP_POLL_ERR, POLLERR }, { SLIRP_POLL_HUP, POLLHUP },
};

static int cb_add_poll(int fd, int events, void *opaque)
{
	short ev = 0;
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(poll_map); i++)
		if (events & poll_map[i].slirp)
			ev |= poll_map[i].sys;
	return (int)pfd_add(opaque, fd, ev);
}

static int cb_get_revents(int idx, void *opaque)
{
	struct helper *h = opaque;
	int ev = 0;
	size_t i;

	if (idx < 0 || (size_t)idx >= h->npfd)
		return 0;
	for (i = 0; i < QNM_ARRAY_SIZE(poll_map); i++)
		if (h->pfd[idx].revents & poll_map[i].sys)
			ev |= poll_map[i].slirp;
	return ev;
}

/* ---- sockets ---- */

/* Is some process listening on unix socket @path? (/proc/net/unix, flag __SO_ACCEPTCON) */
static bool unix_path_listening(const char *path)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[4096 + 128];
	bool found = false;

	if (!f)
		return true; /* cannot tell: never remove it */
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long flags;
		char p[4096 + 1];

		p[0] = '\0';
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %4096s", &flags, p) == 2 &&
		    strcmp(p, path) == 0 && (flags & 0x10000))
			found = true;
	}
	fclose(f);
	return found;
}

static int listen_unix(const char *path, const char *what, int *out, bool *made,
		       struct qnm_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat stt;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return qnm_err_set(err, -ENAMETOOLONG, what,
				   "%s socket path '%s' is longer than %zu bytes", what, path,
				   sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return qnm_err_set(err, -errno, what, "%s socket: %s", what, strerror(errno));
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	if (r == -EADDRINUSE) {
		/*
		 * Replace a stale socket file nobody listens on; never anything else.
		 * Not probed with connect(): a helper would take that for QEMU.
		 */
		if (unix_path_listening(path)) {
			close(fd);
			return qnm_err_set(err, -EADDRINUSE, what,
					   "%s socket %s: another process is listening there", what,
					   path);
		}
		if (lstat(path, &stt) == 0 && !S_ISSOCK(stt.st_mode)) {
			close(fd);
			return qnm_err_set(
				err, -EEXIST, what,
				"%s socket %s: a file that is not a socket is in the way", what,
				path);
		}
		unlink(path);
		r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	}
	if (r) {
		close(fd);
		return qnm_err_set(err, r, what, "%s socket %s: %s", what, path, strerror(-r));
	}
	*made = true;
	if (chmod(path, 0600) < 0 || listen(fd, 8) < 0) {
		r = -errno;
		close(fd);
		return qnm_err_set(err, r, what, "%s socket %s: %s", what, path, strerror(-r));
	}
	*out = fd;
	return 0;
}

/* ---- forwards ---- */

static const char *addr_or_any(const char *a)
{
	return a[0] ? a : "all addresses";
}

static void fwd_errno_msg(int e, const struct qnm_fwd *f, const char *spec, struct qnm_err *err)
{
	const char *proto = qnm_proto_name(f->proto);

	switch (e) {
	case EADDRINUSE:
		qnm_err_set(err, -e, "hostfwd",
			    "hostfwd %s: host port %u (%s) on %s is already in use", spec,
			    f->host_port, proto, addr_or_any(f->host_addr));
		break;
	case EACCES:
		qnm_err_set(
			err, -e, "hostfwd",
			"hostfwd %s: not allowed to use host port %u (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
			spec, f->host_port);
		break;
	case EADDRNOTAVAIL:
		qnm_err_set(err, -e, "hostfwd", "hostfwd %s: %s is not an address of this host",
			    spec, f->host_addr);
		break;
	default:
		qnm_err_set(err, -e, "hostfwd", "hostfwd %s: cannot listen on host port %u: %s",
			    spec, f->host_port, strerror(e));
		break;
	}
}

/* record @a is the forward a hostfwd-remove for host side @b means */
static bool fwd_same_host(const struct qnm_fwd *a, const struct qnm_fwd *b)
{
	return a->proto == b->proto && b->host_port >= a->host_port &&
	       (unsigned)b->host_port <= (unsigned)a->host_port + a->span &&
	       strcmp(a->host_addr, b->host_addr) == 0;
}

/* remove the listening sockets of the first @n single forwards of @f */
static void fwd_unlisten(struct helper *h, const struct qnm_fwd *f, size_t n)
{
	struct in_addr ha = { .s_addr = htonl(INADDR_ANY) };
	struct qnm_fwd one;
	size_t k;

	if (f->host_addr[0])
		inet_pton(AF_INET, f->host_addr, &ha);
	for (k = 0; k < n; k++) {
		qnm_fwd_nth(f, k, &one);
		slirp_remove_hostfwd(h->slirp, one.proto == QNM_PROTO_UDP, ha, one.host_port);
	}
}

/* a forward (a range and tcp+udp: one socket per port and protocol, all or none) */
static int fwd_add(struct helper *h, const struct qnm_fwd *f, struct qnm_err *err)
{
	struct in_addr ha = { .s_addr = htonl(INADDR_ANY) }, ga = { .s_addr = 0 };
	char spec[QNM_FWD_TEXT_LEN], other[QNM_FWD_TEXT_LEN];
	enum qnm_proto p;
	uint16_t port;
	size_t i, k, nk = qnm_fwd_count(f);

	qnm_fwd_format_spec(f, spec, sizeof(spec));
	for (i = 0; i < h->nfwd; i++) {
		const struct qnm_fwd *o = &h->fwd[i];

		if (qnm_fwd_overlap(o, f, &p, &port)) {
			qnm_fwd_format_spec(o, other, sizeof(other));
			return qnm_err_set(
				err, -EEXIST, "hostfwd",
				"hostfwd %s: host port %u (%s) is already forwarded by %s", spec,
				port, qnm_proto_name(p), other);
		}
	}
	if (f->host_addr[0] && inet_pton(AF_INET, f->host_addr, &ha) != 1)
		return qnm_err_set(err, -EINVAL, "hostfwd", "hostfwd %s: bad host address", spec);
	if (f->guest_addr[0]) {
		if (inet_pton(AF_INET, f->guest_addr, &ga) != 1)
			return qnm_err_set(err, -EINVAL, "hostfwd", "hostfwd %s: bad guest address",
					   spec);
		if ((ga.s_addr & h->mask.s_addr) != h->net.s_addr)
			return qnm_err_set(
				err, -EINVAL, "hostfwd",
				"hostfwd %s: guest address %s is outside the guest network", spec,
				f->guest_addr);
	}
	for (k = 0; k < nk; k++) {
		struct qnm_fwd one;

		qnm_fwd_nth(f, k, &one);
		errno = 0;
		if (slirp_add_hostfwd(h->slirp, one.proto == QNM_PROTO_UDP, ha, one.host_port, ga,
				      one.guest_port) < 0) {
			fwd_errno_msg(errno ? errno : EIO, &one, spec, err);
			fwd_unlisten(h, f, k);
			return err ? err->code : -EIO;
		}
	}
	qnm_fwd_add(&h->fwd, &h->nfwd, f);
	h->fwd[h->nfwd - 1].desc[0] = '\0';
	logmsg(h, "hostfwd added: %s", spec);
	return 0;
}

static int fwd_remove(struct helper *h, const struct qnm_fwd *f, struct qnm_err *err)
{
	char spec[QNM_FWD_TEXT_LEN];
	size_t i;

	for (i = 0; i < h->nfwd; i++)
		if (fwd_same_host(&h->fwd[i], f))
			break;
	if (i == h->nfwd)
		return qnm_err_set(err, -ENOENT, "hostfwd",
				   "hostfwd-remove: no forward from host port %u (%s) on %s",
				   f->host_port, qnm_proto_name(f->proto),
				   addr_or_any(f->host_addr));
	qnm_fwd_format_spec(&h->fwd[i], spec, sizeof(spec));
	fwd_unlisten(h, &h->fwd[i], qnm_fwd_count(&h->fwd[i]));
	qnm_fwd_del(&h->fwd, &h->nfwd, i);
	logmsg(h, "hostfwd removed: %s", spec);
	return 0;
}

/* ---- control requests ---- */

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_addr(struct json_object *o, const char *k, struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	add_str(o, k, buf);
}

static struct json_object *reply_info(struct helper *h)
{
	struct json_object *o = qnm_slirpctl_reply_ok();
	char net[QNM_CIDR_LEN + 4];
	int prefix = __builtin_popcount(h->mask.s_addr);

	inet_ntop(AF_INET, &h->net, net, sizeof(net));
	snprintf(net + strlen(net), sizeof(net) - strlen(net), "/%d", prefix);
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	add_str(o, "net", net);
	add_addr(o, "host", h->host);
	add_addr(o, "dhcpstart", h->dhcp);
	add_addr(o, "dns", h->dns);
	json_object_object_add(o, "restrict", json_object_new_boolean(h->cfg->opts->restrict_));
	json_object_object_add(o, "ipv6", json_object_new_boolean(h->cfg->opts->ipv6));
	add_str(o, "slirp_version", slirp_version_string());
	return o;
}

static struct json_object *handle_request(struct helper *h, const char *line)
{
	struct qnm_slirpctl_req req;
	struct json_object *o, *arr;
	struct qnm_err e = { 0 };
	char buf[96], *text;
	size_t i;

	if (qnm_slirpctl_parse(line, &req, &e))
		return qnm_slirpctl_reply_error(e.msg);
	switch (req.op) {
	case QNM_SLIRPCTL_STATS:
		h->st.connected = h->qemu_fd >= 0;
		return qnm_slirp_stats_to_json(&h->st);
	case QNM_SLIRPCTL_INFO:
		return reply_info(h);
	case QNM_SLIRPCTL_CONNS:
		o = qnm_slirpctl_reply_ok();
		text = slirp_connection_info(h->slirp);
		add_str(o, "text", text ? text : "");
		g_free(text);
		return o;
	case QNM_SLIRPCTL_NEIGH:
#if SLIRP_CHECK_VERSION(4, 7, 0)
		o = qnm_slirpctl_reply_ok();
		text = slirp_neighbor_info(h->slirp);
		add_str(o, "text", text ? text : "");
		g_free(text);
		return o;
#else
		return qnm_slirpctl_reply_error("neigh needs libslirp 4.7 or later");
#endif
	case QNM_SLIRPCTL_HOSTFWD_LIST:
		o = qnm_slirpctl_reply_ok();
		arr = json_object_new_array();
		for (i = 0; i < h->nfwd; i++) {
			qnm_fwd_format(&h->fwd[i], buf, sizeof(buf));
			json_object_array_add(arr, json_object_new_string(buf));
		}
		json_object_object_add(o, "hostfwd", arr);
		return o;
	case QNM_SLIRPCTL_HOSTFWD_ADD:
		if (fwd_add(h, &req.fwd, &e))
			return qnm_slirpctl_reply_error(e.msg);
		return qnm_slirpctl_reply_ok();
	case QNM_SLIRPCTL_HOSTFWD_REMOVE:
		if (fwd_remove(h, &req.fwd, &e))
			return qnm_slirpctl_reply_error(e.msg);
		return qnm_slirpctl_reply_ok();
	}
	return qnm_slirpctl_reply_error("unhandled request");
}

static void client_reply(struct ctl_client *c, struct json_object *o)
{
	qnm_sb_add(&c->out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	qnm_sb_addc(&c->out, '\n');
	json_object_put(o);
}

static void client_free(struct ctl_client *c)
{
	close(c->fd);
	qnm_sb_free(&c->out);
	free(c);
}

/* Return: false when the client must be closed now. */
static bool client_read(struct helper *h, struct ctl_client *c)
{
	char *nl;
	ssize_t n;

	for (;;) {
		n = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		c->inlen += (size_t)n;
		c->in[c->inlen] = '\0';
		while ((nl = memchr(c->in, '\n', c->inlen))) {
			*nl = '\0';
			if (nl > c->in && nl[-1] == '\r')
				nl[-1] = '\0';
			client_reply(c, handle_request(h, c->in));
			c->inlen -= (size_t)(nl + 1 - c->in);
			memmove(c->in, nl + 1, c->inlen + 1);
		}
		if (c->inlen >= sizeof(c->in) - 1) {
			client_reply(c, qnm_slirpctl_reply_error("request line too long"));
			c->closing = true;
			c->inlen = 0;
			return true;
		}
	}
}

/* Return: false when the client must be closed now. */
static bool client_write(struct ctl_client *c)
{
	while (c->outoff < c->out.len) {
		ssize_t n = send(c->fd, c->out.s + c->outoff, c->out.len - c->outoff,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n < 0)
			return false;
		c->outoff += (size_t)n;
	}
	c->out.len = 0;
	c->out.s[0] = '\0';
	c->outoff = 0;
	return !c->closing;
}

static void ctl_accept(struct helper *h)
{
	struct ctl_client *c;
	int fd = accept4(h->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (h->nclients == MAX_CLIENTS) {
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	qnm_sb_init(&c->out);
	h->clients[h->nclients++] = c;
}

/* ---- QEMU connection ---- */

static void qemu_accept(struct helper *h)
{
	int fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int sz = 1 << 20;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	h->qemu_fd = fd;
	h->qemu_broken = false;
	h->st.connections++;
	logmsg(h, "QEMU connected");
}

static void qemu_disconnect(struct helper *h, const char *why)
{
	close(h->qemu_fd);
	h->qemu_fd = -1;
	h->qemu_broken = false;
	h->rx.off = h->rx.len = 0;
	txq_reset(&h->tx);
	logmsg(h, "QEMU disconnected (%s)%s", why,
	       h->cfg->keep_listening ? ", waiting for a new connection" : ", exiting");
	if (!h->cfg->keep_listening)
		h->quit = true;
}

static void qemu_read(struct helper *h)
{
	size_t total = 0, avail, len;
	const uint8_t *frame;
	uint8_t *dst;
	ssize_t n;
	int r;

	/* Bounded per round so the control socket and slirp's sockets get turns. */
	while (total < (1u << 20)) {
		dst = qnm_frame_rx_space(&h->rx, &avail);
		n = read(h->qemu_fd, dst, avail);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			qemu_disconnect(h, n == 0 ? "end of stream" : strerror(errno));
			return;
		}
		qnm_frame_rx_commit(&h->rx, (size_t)n);
		total += (size_t)n;
		while ((r = qnm_frame_rx_next(&h->rx, &frame, &len)) == 1) {
			h->st.tx_packets++;
			h->st.tx_bytes += len;
			slirp_input(h->slirp, frame, (int)len);
			if (h->qemu_fd < 0)
				return;
		}
		if (r < 0) {
			qemu_disconnect(h, "frame length over the limit");
			return;
		}
		/*
		 * A stream read returns all that is queued up to @avail: a short one
		 * emptied the socket, so do not pay a read() that returns EAGAIN
		 * (poll() is level-triggered: later bytes wake the next round).
		 */
		if ((size_t)n < avail)
			return;
	}
}

/* ---- setup ---- */

static int setup_slirp(struct helper *h, struct qnm_err *err)
{
	const struct qnm_user_opts *u = h->cfg->opts;
	SlirpConfig c;
	uint32_t net = 0x0a000200, a;
	unsigned prefix = 24, prefix6;
	uint32_t mask;

	if (u->net[0] && qnm_parse_cidr(u->net, &net, &prefix))
		return qnm_err_set(err, -EINVAL, "net", "net: '%s' is not a network", u->net);
	mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
	net &= mask;
	h->net.s_addr = htonl(net);
	h->mask.s_addr = htonl(mask);
	h->host.s_addr = htonl(u->host[0] && !qnm_parse_ipv4(u->host, &a) ? a : net | 2);
	h->dhcp.s_addr = htonl(u->dhcpstart[0] && !qnm_parse_ipv4(u->dhcpstart, &a) ? a : net | 15);
	h->dns.s_addr = htonl(u->dns[0] && !qnm_parse_ipv4(u->dns, &a) ? a : net | 3);

	memset(&c, 0, sizeof(c));
	c.version = 4;
	c.restricted = u->restrict_;
	c.in_enabled = true;
	c.vnetwork = h->net;
	c.vnetmask = h->mask;
	c.vhost = h->host;
	c.in6_enabled = u->ipv6;
	/* QEMU's defaults: fec0::/64, the host at ::2, DNS at ::3 of the prefix */
	inet_pton(AF_INET6, "fec0::", &c.vprefix_addr6);
	c.vprefix_len = 64;
	if (u->ipv6_net[0] && qnm_parse_ipv6_net(u->ipv6_net, &c.vprefix_addr6, &prefix6))
		return qnm_err_set(err, -EINVAL, "ipv6-net", "ipv6-net: '%s' is not an IPv6 prefix",
				   u->ipv6_net);
	if (u->ipv6_net[0])
		c.vprefix_len = (uint8_t)prefix6;
	c.vhost6 = c.vprefix_addr6;
	c.vhost6.s6_addr[15] |= 2;
	c.vnameserver6 = c.vprefix_addr6;
	c.vnameserver6.s6_addr[15] |= 3;
	c.vdhcp_start = h->dhcp;
	c.vnameserver = h->dns;
	h->slirp = slirp_new(&c, &slirp_callbacks, h);
	if (!h->slirp)
		return qnm_err_set(err, -EINVAL, "net",
				   "libslirp refused the network configuration");
	return 0;
}

static int validate_cfg(const struct qnm_slirp_helper_cfg *cfg, struct qnm_err *err)
{
	struct qnm_nic nic;
	int r;

	if (qnm_str_empty(cfg->socket_path) || qnm_str_empty(cfg->control_path))
		return qnm_err_set(err, -EINVAL, "socket",
				   "both the QEMU socket and the control socket paths are needed");
	if (strcmp(cfg->socket_path, cfg->control_path) == 0)
		return qnm_err_set(err, -EINVAL, "control",
				   "the control socket must differ from the QEMU socket");
	/* Same rules as the slirp backend's NIC options. */
	qnm_nic_init(&nic, cfg->nic_id ? cfg->nic_id : "n0");
	nic.backend = qnm_backend_slirp.kind;
	nic.user = *cfg->opts;
	r = qnm_backend_slirp.validate(&nic, err);
	return r;
}

static void report_ready(const struct qnm_slirp_helper_cfg *cfg, const struct qnm_err *err)
{
	char buf[sizeof(struct qnm_err) + 16]; /* "error: " + the message + "\n" */
	size_t len, off = 0;
	ssize_t n;

	if (cfg->ready_fd < 0)
		return;
	if (err)
		snprintf(buf, sizeof(buf), "error: %s\n", err->msg);
	else
		snprintf(buf, sizeof(buf), "ok\n");
	len = strlen(buf);
	while (off < len) {
		n = write(cfg->ready_fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(cfg->ready_fd);
}

/* ---- the loop ---- */

/* Milliseconds until the next timer (or @cap, whichever is smaller; -1 = none). */
static int next_timeout(struct helper *h, uint32_t slirp_ms)
{
	int64_t now = qnm_mono_ms_int(), t = slirp_ms == UINT32_MAX ? -1 : (int64_t)slirp_ms;
	struct helper_timer *tm;

	for (tm = h->timers; tm; tm = tm->next) {
		if (tm->expire_ms < 0)
			continue;
		if (t < 0 || tm->expire_ms - now < t)
			t = tm->expire_ms - now < 0 ? 0 : tm->expire_ms - now;
	}
	if (h->cfg->connect_timeout && h->st.connections == 0) {
		int64_t left = h->start_ms + (int64_t)h->cfg->connect_timeout * 1000 - now;

		if (left < 0)
			left = 0;
		if (t < 0 || left < t)
			t = left;
	}
	return t > INT_MAX ? INT_MAX : (int)t;
}

static void run_timers(struct helper *h)
{
	int64_t now = qnm_mono_ms_int();
	struct helper_timer *t;
	int guard;

	for (guard = 0; guard < 64; guard++) {
		for (t = h->timers; t; t = t->next)
			if (t->expire_ms >= 0 && t->expire_ms <= now)
				break;
		if (!t)
			return;
		t->expire_ms = -1;
		t->cb(t->opaque);
	}
}

static void handle_signal(struct helper *h)
{
	struct signalfd_siginfo si;

	while (read(h->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		logmsg(h, "signal %u, exiting", si.ssi_signo);
		h->quit = true;
	}
}

static void loop_once(struct helper *h)
{
	size_t i_sig, i_ctl, i_listen = SIZE_MAX, i_qemu = SIZE_MAX, i_cl, i;
	uint32_t slirp_ms = UINT32_MAX;
	int r, timeout;

	h->npfd = 0;
	i_sig = pfd_add(h, h->sig_fd, POLLIN);
	i_ctl = pfd_add(h, h->ctl_fd, POLLIN);
	if (h->qemu_fd >= 0)
		i_qemu = pfd_add(h, h->qemu_fd, POLLIN | (txq_pending(&h->tx) ? POLLOUT : 0));
	else
		i_listen = pfd_add(h, h->listen_fd, POLLIN);
	i_cl = h->npfd;
	for (i = 0; i < h->nclients; i++)
		pfd_add(h, h->clients[i]->fd,
			POLLIN | (h->clients[i]->out.len > h->clients[i]->outoff ? POLLOUT : 0));
	slirp_pollfds_fill(h->slirp, &slirp_ms, cb_add_poll, h);
	timeout = next_timeout(h, slirp_ms);

	r = poll(h->pfd, h->npfd, timeout);
	/*
	 * The guest's frames first: the ACKs among them free room in libslirp's
	 * socket buffers, which its reads of the host sockets just below fill in
	 * this same round (the other order leaves that room for the next round,
	 * one more poll() and one more wakeup of QEMU per window). libslirp
	 * takes frames between fill and poll (QEMU's user netdev does the same).
	 */
	if (r > 0 && i_qemu != SIZE_MAX && h->qemu_fd >= 0) {
		short re = h->pfd[i_qemu].revents;

		if (re & POLLOUT && txq_flush(h) < 0)
			h->qemu_broken = true;
		if (re & (POLLIN | POLLHUP | POLLERR))
			qemu_read(h);
	}
	/* Always, even on timeout: libslirp runs its TCP timers here. */
	slirp_pollfds_poll(h->slirp, r < 0, cb_get_revents, h);
	if (r < 0)
		return;

	if (h->pfd[i_sig].revents)
		handle_signal(h);
	if (h->qemu_fd >= 0 && h->qemu_broken)
		qemu_disconnect(h, "send failed");
	if (i_listen != SIZE_MAX && h->pfd[i_listen].revents & POLLIN)
		qemu_accept(h);
	/* Clients: index i of h->clients matches pfd slot i_cl + i of this round. */
	for (i = h->nclients; i-- > 0;) {
		struct ctl_client *c = h->clients[i];
		short re = h->pfd[i_cl + i].revents;
		bool keep = true;

		if (re & (POLLIN | POLLHUP | POLLERR))
			keep = client_read(h, c);
		if (keep && c->out.len > c->outoff)
			keep = client_write(c);
		if (!keep) {
			client_free(c);
			h->clients[i] = h->clients[--h->nclients];
		}
	}
	if (h->pfd[i_ctl].revents & POLLIN)
		ctl_accept(h);
	run_timers(h);
	if (h->qemu_fd >= 0 && txq_pending(&h->tx) && txq_flush(h) < 0)
		h->qemu_broken = true;
	if (h->qemu_fd >= 0 && h->qemu_broken)
		qemu_disconnect(h, "send failed");
	if (h->cfg->connect_timeout && h->st.connections == 0 &&
	    qnm_mono_ms_int() - h->start_ms >= (int64_t)h->cfg->connect_timeout * 1000) {
		h->status = qnm_err_set(h->err, -ETIMEDOUT, "socket",
					"QEMU did not connect to %s within %u s",
					h->cfg->socket_path, h->cfg->connect_timeout);
		h->quit = true;
	}
}

static void helper_clear(struct helper *h)
{
	size_t i;

	if (h->slirp)
		slirp_cleanup(h->slirp);
	while (h->timers)
		cb_timer_free(h->timers, h);
	for (i = 0; i < h->nclients; i++)
		client_free(h->clients[i]);
	if (h->qemu_fd >= 0)
		close(h->qemu_fd);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->ctl_fd >= 0)
		close(h->ctl_fd);
	if (h->sig_fd >= 0)
		close(h->sig_fd);
	if (h->made_socket)
		unlink(h->cfg->socket_path);
	if (h->made_control)
		unlink(h->cfg->control_path);
	qnm_frame_rx_free(&h->rx);
	free(h->tx.buf);
	free(h->pfd);
	free(h->fwd);
}

int qnm_slirp_helper_run(const struct qnm_slirp_helper_cfg *cfg, struct qnm_err *err)
{
	struct helper h;
	sigset_t set, old;
	size_t i;
	int r;

	memset(&h, 0, sizeof(h));
	h.cfg = cfg;
	h.err = err;
	h.listen_fd = h.qemu_fd = h.ctl_fd = h.sig_fd = -1;
	h.start_ms = qnm_mono_ms_int();
	qnm_frame_rx_init(&h.rx);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	umask(077);

	r = validate_cfg(cfg, err);
	if (r)
		goto out;
	h.sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (h.sig_fd < 0) {
		r = qnm_err_set(err, -errno, "", "signalfd: %s", strerror(errno));
		goto out;
	}
	r = setup_slirp(&h, err);
	if (r)
		goto out;
	r = listen_unix(cfg->socket_path, "QEMU", &h.listen_fd, &h.made_socket, err);
	if (r)
		goto out;
	r = listen_unix(cfg->control_path, "control", &h.ctl_fd, &h.made_control, err);
	if (r)
		goto out;
	for (i = 0; i < cfg->opts->nfwd; i++) {
		r = fwd_add(&h, &cfg->opts->fwd[i], err);
		if (r)
			goto out;
	}
	report_ready(cfg, NULL);
	logmsg(&h, "listening on %s (control %s), libslirp %s%s", cfg->socket_path,
	       cfg->control_path, slirp_version_string(),
	       cfg->opts->restrict_ ? ", restricted" : "");
	while (!h.quit)
		loop_once(&h);
	r = h.status;
out:
	if (r)
		report_ready(cfg, err);
	helper_clear(&h);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
