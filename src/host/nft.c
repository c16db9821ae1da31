// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft.c - qnm's nftables table "inet qnm" through libnftnl + libmnl.
 *
 * Every change is one netlink batch (one nf_tables transaction): the kernel
 * applies all of it or none of it. Each message asks for an ack, so the
 * outcome of every message is known before we return.
 */
#include "build-config.h"

#include "host/nft.h"
#include "core/ipv6net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#define TABLE	      QNM_NFT_TABLE
#define FAMILY	      NFPROTO_INET
#define SET_ANY	      "fwd_any"
#define SET_ADDR      "fwd_addr"
#define SET_ID_ANY    1
#define SET_ID_ADDR   2
#define SET_ANY6      "fwd_any6"
#define SET_ID_ANY6   3
#define LOOPBACK_NET  0x7f000000u /* 127.0.0.0/8 */
#define LOOPBACK_MASK 0xff000000u
#define LOCALNET_TAG  "localnet " /* comment of a bridge's localnet masquerade: TAG BRIDGE */
#define ELEMS_PER_MSG 256	  /* keeps each NEWSETELEM well below the 64 KiB attribute limit */
#define MSG_ROOM      (128 * 1024)

/* nftables datatype ids (nft's src/datatype.h), used to describe map keys so
 * that "nft list" can print them; concatenations put the first field in the
 * highest bits, 6 bits per field. */
#define NFT_TYPE_IPADDR	       7
#define NFT_TYPE_IP6ADDR       8
#define NFT_TYPE_INET_PROTOCOL 12
#define NFT_TYPE_INET_SERVICE  13
#define NFT_TYPE_BITS	       6

static const char *const EPERM_FMT = "%s needs CAP_NET_ADMIN (run as root or grant the capability)";
static const char *const ACTION_APPLY = "writing nftables table inet qnm";

/* ------------------------------------------------------------------ */
/* batch: a growable buffer of netlink messages plus a label per message */

struct qnm_nft_batch {
	char *buf;
	size_t len;
	size_t cap;
	uint32_t seq0; /* sequence number of BATCH_BEGIN */
	uint32_t seq;  /* next sequence number */
	char **labels; /* labels[i]: what message seq0 + 1 + i does */
	size_t nlabels;
	size_t last; /* offset of the last labelled message, the one acked */
	bool ended;
};

struct qnm_nft_batch *qnm_nft_batch_new(void)
{
	struct qnm_nft_batch *b = xcalloc(1, sizeof(*b));

	b->seq0 = (uint32_t)time(NULL);
	b->seq = b->seq0;
	b->cap = 2 * MSG_ROOM;
	b->buf = xmalloc(b->cap);
	nftnl_batch_begin(b->buf, b->seq++);
	b->len = NLMSG_ALIGN(((struct nlmsghdr *)b->buf)->nlmsg_len);
	return b;
}

void qnm_nft_batch_free(struct qnm_nft_batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nlabels; i++)
		free(b->labels[i]);
	free(b->labels);
	free(b->buf);
	free(b);
}

/* room for one more message of at most MSG_ROOM bytes */
static char *batch_room(struct qnm_nft_batch *b)
{
	if (b->cap - b->len < MSG_ROOM) {
		while (b->cap - b->len < MSG_ROOM)
			b->cap *= 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	/*
	 * Not cleared: the header and every attribute (with its padding) are
	 * written whole by libmnl; clearing 128 KiB per message cost more
	 * than building the message.
	 */
	return b->buf + b->len;
}

static struct nlmsghdr *batch_msg(struct qnm_nft_batch *b, uint16_t type, uint16_t flags,
				  char *label)
{
	struct nlmsghdr *nlh;

	/* no NLM_F_ACK: an error is answered anyway; batch_end() asks one ack of the last */
	b->last = b->len;
	nlh = nftnl_nlmsg_build_hdr(batch_room(b), type, FAMILY, flags, b->seq++);
	b->labels = xreallocarray(b->labels, b->nlabels + 1, sizeof(*b->labels));
	b->labels[b->nlabels++] = label;
	return nlh;
}

static void batch_done(struct qnm_nft_batch *b, struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void batch_table(struct qnm_nft_batch *b, uint16_t type, uint16_t flags, const char *comment)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_udata_buf *ud = NULL;
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, FAMILY);
	if (comment) {
		ud = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 8);
		if (!ud)
			qnm_oom();
		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, comment);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
				     nftnl_udata_buf_len(ud));
	}
	nlh = batch_msg(
		b, type, flags,
		xstrdup(type == NFT_MSG_DELTABLE ? "deleting the table" : "creating the table"));
	nftnl_table_nlmsg_build_payload(nlh, t);
	batch_done(b, nlh);
	nftnl_table_free(t);
	nftnl_udata_buf_free(ud);
}

void qnm_nft_batch_rule(struct qnm_nft_batch *b, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh;
	const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);

	nlh = batch_msg(b, NFT_MSG_NEWRULE, NLM_F_APPEND | NLM_F_CREATE,
			xasprintf("adding rule %zu (chain %s)", b->nlabels, chain ? chain : "?"));
	nftnl_rule_nlmsg_build_payload(nlh, r);
	batch_done(b, nlh);
}

static void batch_end(struct qnm_nft_batch *b)
{
	struct nlmsghdr *nlh;

	if (b->ended)
		return;
	if (b->nlabels)
		((struct nlmsghdr *)(b->buf + b->last))->nlmsg_flags |= NLM_F_ACK;
	nlh = nftnl_batch_end(batch_room(b), b->seq++);
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->ended = true;
}

/* ------------------------------------------------------------------ */
/* talking to the kernel */

/* "ACTION: strerror (while WHERE) [kernel: KMSG]", or the CAP_NET_ADMIN sentence for EPERM */
static int kernel_err(struct qnm_err *err, int code, const char *action, const char *where,
		      const char *kmsg)
{
	if (code == -EPERM || code == -EACCES)
		return qnm_err_set(err, -EPERM, "", EPERM_FMT, action);
	return qnm_err_set(err, code, "", "%s: %s%s%s%s%s%s%s", action, strerror(-code),
			   where ? " (while " : "", where ? where : "", where ? ")" : "",
			   kmsg ? " [kernel: " : "", kmsg ? kmsg : "", kmsg ? "]" : "");
}

static struct mnl_socket *open_nl(const char *action, struct qnm_err *err)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = -errno;

		mnl_socket_close(nl);
		kernel_err(err, e, action, "binding a netlink socket", NULL);
		errno = -e;
		return NULL;
	}
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	return nl;
}

/* the text of an extended ack, if the kernel sent one */
static const char *ext_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(attr, nlh, off)
	{
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

struct qnm_nft_conn {
	struct mnl_socket *nl;
	char *rbuf;
};

#define RBUF_SIZE (MNL_SOCKET_BUFFER_SIZE * 4)

struct qnm_nft_conn *qnm_nft_conn_new(struct qnm_err *err)
{
	static const char action[] = "opening a netfilter netlink socket";
	struct qnm_nft_conn *c;
	struct mnl_socket *nl;

	qnm_err_clear(err);
	nl = open_nl(action, err);
	if (!nl) {
		if (!err || !err->code)
			kernel_err(err, -errno, action, NULL, NULL);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->nl = nl;
	c->rbuf = xmalloc(RBUF_SIZE);
	return c;
}

void qnm_nft_conn_free(struct qnm_nft_conn *c)
{
	if (!c)
		return;
	mnl_socket_close(c->nl);
	free(c->rbuf);
	free(c);
}

/*
 * The kernel answers the whole batch within sendto(), in order: an error
 * for the batch (its commit failed: on BATCH_BEGIN's sequence number) comes
 * first, then one per message that failed, then the one ack batch_end()
 * asked of the last message. So reading until that ack or the first error
 * costs one recv, not one per message, and leaves no acks to overflow the
 * socket's buffer in a batch of thousands.
 */
int qnm_nft_conn_commit(struct qnm_nft_conn *c, struct qnm_nft_batch *b, const char *action,
			struct qnm_err *err)
{
	uint32_t last_seq = b->seq0 + (uint32_t)b->nlabels;
	bool acked = b->nlabels == 0;
	int ret = 0;

	batch_end(b);
	if (b->len > 200 * 1024) {
		int sz = (int)(b->len + 64 * 1024);
		int fd = mnl_socket_get_fd(c->nl);

		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	if (mnl_socket_sendto(c->nl, b->buf, b->len) < 0)
		return kernel_err(err, -errno, action, "sending the batch", NULL);
	while (!acked && ret == 0) {
		ssize_t n = mnl_socket_recvfrom(c->nl, c->rbuf, RBUF_SIZE);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0)
			return kernel_err(err, -errno, action, "reading the kernel's answer", NULL);
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)c->rbuf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;
			uint32_t idx;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			idx = nlh->nlmsg_seq - b->seq0 - 1;
			if (idx >= b->nlabels && nlh->nlmsg_seq != b->seq0)
				continue; /* not ours */
			if (e->error == 0) {
				if (nlh->nlmsg_seq == last_seq)
					acked = true;
				continue;
			}
			ret = kernel_err(err, e->error, action,
					 idx < b->nlabels ? b->labels[idx] : NULL,
					 ext_ack_msg(nlh));
			break;
		}
	}
	if (ret) {
		/*
		 * The kernel answered the whole batch during sendto(); drop the
		 * answers we did not read so that a kept connection starts clean.
		 */
		while (recv(mnl_socket_get_fd(c->nl), c->rbuf, RBUF_SIZE, MSG_DONTWAIT) > 0)
			;
	}
	return ret;
}

int qnm_nft_batch_commit(struct qnm_nft_batch *b, const char *action, struct qnm_err *err)
{
	struct qnm_nft_conn *c = qnm_nft_conn_new(err);
	int ret;

	if (!c)
		return err ? err->code : -EIO;
	ret = qnm_nft_conn_commit(c, b, action, err);
	qnm_nft_conn_free(c);
	return ret;
}

/* ------------------------------------------------------------------ */
/* expression helpers */

static void add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static struct nftnl_expr *expr(const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e)
		qnm_oom();
	return e;
}

static void e_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	add_expr(r, e);
}

static void e_cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add_expr(r, e);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len,
		      uint32_t dreg)
{
	struct nftnl_expr *e = expr("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	add_expr(r, e);
}

static void e_bitwise(struct nftnl_rule *r, uint32_t reg, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = expr("bitwise");
	static const uint8_t zero[16];

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	add_expr(r, e);
}

static void e_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = expr("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	add_expr(r, e);
}

static void e_counter(struct nftnl_rule *r)
{
	add_expr(r, expr("counter"));
}

/* meta iifname/oifname ==/!= NAME */
static void m_ifname(struct nftnl_rule *r, uint32_t key, uint32_t op, const char *name)
{
	char buf[IFNAMSIZ] = { 0 };

	qnm_strlcpy(buf, name, sizeof(buf));
	e_meta(r, key, NFT_REG32_00);
	e_cmp(r, NFT_REG32_00, op, buf, sizeof(buf));
}

/* meta nfproto @proto (NFPROTO_IPV4, NFPROTO_IPV6) */
static void m_nfproto(struct nftnl_rule *r, uint8_t proto)
{
	e_meta(r, NFT_META_NFPROTO, NFT_REG32_00);
	e_cmp(r, NFT_REG32_00, NFT_CMP_EQ, &proto, 1);
}

static void m_nfproto_ipv4(struct nftnl_rule *r)
{
	m_nfproto(r, NFPROTO_IPV4);
}

/* ip6 daddr != ::1 */
static void m_ip6_daddr_not_loopback(struct nftnl_rule *r)
{
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, NFT_REG32_00);
	e_cmp(r, NFT_REG32_00, NFT_CMP_NEQ, &in6addr_loopback, 16);
}

/* ct KEY & MASK != 0 (ct status, ct state: 32-bit fields) */
static void m_ct_any(struct nftnl_rule *r, uint32_t key, uint32_t mask)
{
	struct nftnl_expr *e = expr("ct");
	uint32_t zero = 0;

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG32_00);
	add_expr(r, e);
	e_bitwise(r, NFT_REG32_00, &mask, sizeof(mask));
	e_cmp(r, NFT_REG32_00, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/* ip saddr (@off 12) / daddr (@off 16) & MASK ==/!= NET (both in host byte order) */
static void m_addr_in(struct nftnl_rule *r, uint32_t off, uint32_t op, uint32_t net, uint32_t mask)
{
	uint32_t n = htonl(net), m = htonl(mask);

	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, 4, NFT_REG32_00);
	e_bitwise(r, NFT_REG32_00, &m, 4);
	e_cmp(r, NFT_REG32_00, op, &n, 4);
}

/* fib daddr type local */
static void m_fib_daddr_local(struct nftnl_rule *r)
{
	struct nftnl_expr *e = expr("fib");
	uint32_t local = RTN_LOCAL;

	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG32_00);
	add_expr(r, e);
	e_cmp(r, NFT_REG32_00, NFT_CMP_EQ, &local, sizeof(local));
}

static struct nftnl_rule *rule_new(const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		qnm_oom();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, FAMILY);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

static void emit_rule(struct qnm_nft_batch *b, struct nftnl_rule *r)
{
	qnm_nft_batch_rule(b, r);
	nftnl_rule_free(r);
}

/* ------------------------------------------------------------------ */
/* the table's objects */

/**
 * struct chain_def - one base chain of the table.
 * @name: chain name.
 * @type: "filter" or "nat".
 * @hook: netfilter hook.
 * @prio: priority.
 */
struct chain_def {
	const char *name;
	const char *type;
	uint32_t hook;
	int32_t prio;
};

static const struct chain_def chains[] = {
	{ "forward", "filter", NF_INET_FORWARD, 0 },
	{ "localnet", "filter", NF_INET_PRE_ROUTING, -300 },
	{ "prerouting", "nat", NF_INET_PRE_ROUTING, -100 },
	{ "output", "nat", NF_INET_LOCAL_OUT, -100 },
	{ "postrouting", "nat", NF_INET_POST_ROUTING, 100 },
};

static void batch_chain(struct qnm_nft_batch *b, const struct chain_def *d)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, FAMILY);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, d->name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, d->type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, d->hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, d->prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = batch_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, xasprintf("creating chain %s", d->name));
	nftnl_chain_nlmsg_build_payload(nlh, c);
	batch_done(b, nlh);
	nftnl_chain_free(c);
}

/**
 * struct map_def - one of the two forward maps.
 * @name:    set name.
 * @id:      set id inside the batch.
 * @keytype: nftables type id of the (concatenated) key.
 * @keylen:  key length, each field padded to 4 bytes.
 * @byaddr:  key starts with the host address.
 * @v6:      the data is an IPv6 address . port (else IPv4 address . port).
 */
struct map_def {
	const char *name;
	uint32_t id;
	uint32_t keytype;
	uint32_t keylen;
	bool byaddr;
	bool v6;
};

static const struct map_def maps[] = {
	{ SET_ANY, SET_ID_ANY, (NFT_TYPE_INET_PROTOCOL << NFT_TYPE_BITS) | NFT_TYPE_INET_SERVICE, 8,
	  false, false },
	{ SET_ADDR, SET_ID_ADDR,
	  (((NFT_TYPE_IPADDR << NFT_TYPE_BITS) | NFT_TYPE_INET_PROTOCOL) << NFT_TYPE_BITS) |
		  NFT_TYPE_INET_SERVICE,
	  12, true, false },
};

/*
 * IPv6: forwards on any host address to a NIC (a target) on a network with
 * IPv6 also answer on the host's IPv6 addresses, DNAT'ed to the NIC's
 * address there (model.h: qnm_fwd.guest_addr6). Written only while a
 * network with IPv6 is up.
 */
static const struct map_def map_any6 = {
	SET_ANY6, SET_ID_ANY6, (NFT_TYPE_INET_PROTOCOL << NFT_TYPE_BITS) | NFT_TYPE_INET_SERVICE,
	8,	  false,       true
};

/* the single forward @f has an IPv6 side (an element of map_any6) */
static bool fwd_has_v6(const struct qnm_fwd *f)
{
	return qnm_str_empty(f->host_addr) && !qnm_str_empty(f->guest_addr6);
}

static const struct map_def *map_for(const struct qnm_fwd *f)
{
	return &maps[qnm_str_empty(f->host_addr) ? 0 : 1];
}

static struct nftnl_set *set_new(const struct map_def *m)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		qnm_oom();
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, FAMILY);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, m->name);
	nftnl_set_set_u32(s, NFTNL_SET_ID, m->id);
	return s;
}

static void batch_map(struct qnm_nft_batch *b, const struct map_def *m)
{
	struct nftnl_set *s = set_new(m);
	struct nlmsghdr *nlh;

	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, m->keytype);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, m->keylen);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE,
			  ((m->v6 ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR) << NFT_TYPE_BITS) |
				  NFT_TYPE_INET_SERVICE);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, m->v6 ? 20 : 8);
	nlh = batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE, xasprintf("creating map %s", m->name));
	nftnl_set_nlmsg_build_payload(nlh, s);
	batch_done(b, nlh);
	nftnl_set_free(s);
}

/*
 * One map element: port @k of forward @f (qnm_fwd_nth()'s numbering: a
 * range, and tcp then udp for tcp+udp), without copying the forward.
 */
struct elem_ref {
	const struct qnm_fwd *f;
	uint32_t k;
	uint32_t guest; /* @f's guest address (host order), as check_fwd() parsed it */
};

/*
 * The attributes of a map element at the end of @nlh, written as libmnl
 * writes them (mnl_attr_nest_start(), mnl_attr_put(), mnl_attr_nest_end()),
 * without a call into it for each of the eight of every element.
 */
static struct nlattr *attr_tail(struct nlmsghdr *nlh)
{
	return (struct nlattr *)((char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
}

static struct nlattr *attr_open(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *a = attr_tail(nlh);

	a->nla_type = NLA_F_NESTED | type;
	nlh->nlmsg_len += MNL_ATTR_HDRLEN;
	return a;
}

static void attr_close(struct nlmsghdr *nlh, struct nlattr *a)
{
	a->nla_len = (uint16_t)((char *)attr_tail(nlh) - (char *)a);
}

/* NFTA_DATA_VALUE of @len bytes */
static void attr_value(struct nlmsghdr *nlh, size_t len, const void *data)
{
	struct nlattr *a = attr_tail(nlh);

	a->nla_type = NFTA_DATA_VALUE;
	a->nla_len = (uint16_t)(MNL_ATTR_HDRLEN + len);
	memcpy((char *)a + MNL_ATTR_HDRLEN, data, len);
	memset((char *)a + MNL_ATTR_HDRLEN + len, 0, MNL_ALIGN(len) - len);
	nlh->nlmsg_len += MNL_ALIGN(MNL_ATTR_HDRLEN + len);
}

/*
 * Element @r (its forward already checked by check_fwd()) as nest @idx of
 * the element list at the end of @nlh: the attributes
 * nftnl_set_elems_nlmsg_build_payload() writes for it, written in place
 * (an nftnl_set_elem per element cost more than all the rest of the
 * element).
 */
static void put_elem(struct nlmsghdr *nlh, const struct elem_ref *r, bool with_data, bool v6,
		     uint16_t idx)
{
	const struct qnm_fwd *f = r->f;
	uint8_t key[12] = { 0 }, data[20] = { 0 };
	uint32_t ports = (uint32_t)f->span + 1, i = r->k % ports, a;
	enum qnm_proto proto = f->proto;
	struct nlattr *elem, *nest;
	uint16_t port;
	size_t o = 0;

	if (proto == QNM_PROTO_BOTH)
		proto = r->k < ports ? QNM_PROTO_TCP : QNM_PROTO_UDP;
	if (!qnm_str_empty(f->host_addr)) {
		if (qnm_parse_ipv4(f->host_addr, &a) == 0) {
			a = htonl(a);
			memcpy(key, &a, 4);
		}
		o = 4;
	}
	key[o] = proto == QNM_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	port = htons((uint16_t)(f->host_port + i));
	memcpy(key + o + 4, &port, 2);
	elem = attr_open(nlh, idx);
	nest = attr_open(nlh, NFTA_SET_ELEM_KEY);
	attr_value(nlh, o + 8, key);
	attr_close(nlh, nest);
	if (with_data) {
		size_t alen = v6 ? 16 : 4;

		if (v6) {
			inet_pton(AF_INET6, f->guest_addr6, data);
		} else {
			a = htonl(r->guest);
			memcpy(data, &a, 4);
		}
		port = htons((uint16_t)(f->guest_port + i));
		memcpy(data + alen, &port, 2);
		nest = attr_open(nlh, NFTA_SET_ELEM_DATA);
		attr_value(nlh, alen + 4, data);
		attr_close(nlh, nest);
	}
	attr_close(nlh, elem);
}

/* append NEW/DELSETELEM messages for the elements @ev of map @m */
static void batch_elems(struct qnm_nft_batch *b, uint16_t type, const struct map_def *m,
			const struct elem_ref *ev, size_t n)
{
	size_t i = 0;

	while (i < n) {
		struct nlmsghdr *nlh;
		struct nlattr *list;
		size_t k;

		nlh = batch_msg(b, type, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0,
				xasprintf("%s %zu element(s) of map %s",
					  type == NFT_MSG_NEWSETELEM ? "adding" : "deleting",
					  n - i < ELEMS_PER_MSG ? n - i : ELEMS_PER_MSG, m->name));
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, m->name);
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID, htonl(m->id));
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, TABLE);
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		for (k = 0; k < ELEMS_PER_MSG && i < n; k++, i++)
			put_elem(nlh, &ev[i], type == NFT_MSG_NEWSETELEM, m->v6, (uint16_t)(k + 1));
		mnl_attr_nest_end(nlh, list);
		batch_done(b, nlh);
	}
}

/*
 * [meta nfproto ipv4] [fib daddr type local | ip daddr -> key] meta l4proto . th dport
 * lookup @map -> guest addr . port; dnat ip to that
 * (map_any6: meta nfproto ipv6 [ip6 daddr != ::1 in output] fib daddr type
 * local ... dnat ip6 to that)
 */
static void batch_dnat_rule(struct qnm_nft_batch *b, const char *chain, const struct map_def *m)
{
	struct nftnl_rule *r = rule_new(chain);
	struct nftnl_expr *e;
	uint32_t reg = NFT_REG32_00;

	if (m->v6)
		m_nfproto(r, NFPROTO_IPV6);
	else
		m_nfproto_ipv4(r);
	if (m->v6 && strcmp(chain, "output") == 0)
		/* ::1 cannot leave this host: the host's own connections to it stay local */
		m_ip6_daddr_not_loopback(r);
	if (m->byaddr && strcmp(chain, "prerouting") == 0)
		/* 127.0.0.0/8 comes only from this host (output hook), never from outside */
		m_addr_in(r, 16, NFT_CMP_NEQ, LOOPBACK_NET, LOOPBACK_MASK);
	if (m->byaddr) {
		e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, reg++);
	} else {
		m_fib_daddr_local(r);
	}
	e_meta(r, NFT_META_L4PROTO, reg++);
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg);

	e = expr("lookup");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG32_08);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, m->name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, m->id);
	add_expr(r, e);
	e_counter(r);

	e = expr("nat");
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, m->v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG32_08);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, m->v6 ? NFT_REG32_12 : NFT_REG32_09);
	add_expr(r, e);
	emit_rule(b, r);
}

/*
 * The forward chain, per network mode. Each network's rules come in two
 * groups: those for traffic INTO its bridge (oifname BRIDGE) and those for
 * traffic OUT of it (iifname BRIDGE). Every network's "into" rules are
 * written before any network's "out of" rules, so that a guest of one
 * network reaching another network's bridge meets that network's rules
 * first, in whatever order the networks are listed.
 */

/* what a forward rule matches on */
enum fw_if {
	FW_INTO = 1,	/* oifname BRIDGE */
	FW_OUT = 2,	/* iifname BRIDGE */
	FW_NOT_OUT = 4, /* iifname != BRIDGE: from elsewhere */
};

enum fw_ct {
	FW_CT_ANY,   /* no condition */
	FW_CT_REPLY, /* ct state established,related */
	FW_CT_DNAT,  /* ct status dnat: one of the forwards (maps) rewrote it */
};

/* each condition as "ct KEY & MASK != 0" (MASK 0: no condition) */
static const struct {
	uint32_t key;
	uint32_t mask;
} fw_ct_match[] = {
	[FW_CT_ANY] = { 0, 0 },
	[FW_CT_REPLY] = { NFT_CT_STATE,
			  NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED) },
	[FW_CT_DNAT] = { NFT_CT_STATUS, IPS_DST_NAT },
};

/**
 * struct fw_rule - one forward-chain rule of a network.
 * @ifs:     FW_INTO, FW_OUT or both (FW_INTO | FW_OUT: within the bridge), or
 *           FW_INTO | FW_NOT_OUT (into the bridge from elsewhere).
 * @ct:      connection-tracking condition.
 * @verdict: NF_ACCEPT or NF_DROP.
 */
struct fw_rule {
	unsigned ifs;
	enum fw_ct ct;
	int verdict;
};

/*
 * NAT: like libvirt's. Into the bridge from elsewhere only replies (the
 * chain's first rule, fw_replies, written when a NAT network is up) and
 * connections DNAT'ed by a forward; the rest is dropped. Guests reach out
 * and each other: traffic within the bridge (routed back into it, or every
 * bridged frame when br_netfilter hands it to this hook) is not dropped
 * and meets the "out of" rule.
 */
static const struct fw_rule fw_replies = { 0, FW_CT_REPLY, NF_ACCEPT };
static const struct fw_rule fw_nat_into[] = {
	{ FW_INTO, FW_CT_DNAT, NF_ACCEPT },
	{ FW_INTO | FW_NOT_OUT, FW_CT_ANY, NF_DROP },
};
static const struct fw_rule fw_nat_out[] = {
	{ FW_OUT, FW_CT_ANY, NF_ACCEPT },
};

/*
 * isolated: nothing forwarded in or out but the forwards' (DNAT'ed)
 * connections; guests still reach each other (br_netfilter, routed back)
 */
static const struct fw_rule fw_isolated_into[] = {
	{ FW_INTO | FW_OUT, FW_CT_ANY, NF_ACCEPT },
	{ FW_INTO, FW_CT_DNAT, NF_ACCEPT },
	{ FW_INTO, FW_CT_ANY, NF_DROP },
};
static const struct fw_rule fw_isolated_out[] = {
	{ FW_OUT, FW_CT_DNAT, NF_ACCEPT },
	{ FW_OUT, FW_CT_ANY, NF_DROP },
};

/* bridged: the LAN's own business, everything passes */
static const struct fw_rule fw_bridged_into[] = {
	{ FW_INTO, FW_CT_ANY, NF_ACCEPT },
};
static const struct fw_rule fw_bridged_out[] = {
	{ FW_OUT, FW_CT_ANY, NF_ACCEPT },
};

/**
 * struct fw_mode - the forward rules of one network mode.
 * @mode:  the mode.
 * @into:  rules for traffic into the bridge, @ninto of them.
 * @out:   rules for traffic out of the bridge, @nout of them.
 */
struct fw_mode {
	enum qnm_net_mode mode;
	const struct fw_rule *into;
	size_t ninto;
	const struct fw_rule *out;
	size_t nout;
};

static const struct fw_mode fw_modes[] = {
	{ QNM_NET_NAT, fw_nat_into, QNM_ARRAY_SIZE(fw_nat_into), fw_nat_out,
	  QNM_ARRAY_SIZE(fw_nat_out) },
	{ QNM_NET_ISOLATED, fw_isolated_into, QNM_ARRAY_SIZE(fw_isolated_into), fw_isolated_out,
	  QNM_ARRAY_SIZE(fw_isolated_out) },
	{ QNM_NET_BRIDGED, fw_bridged_into, QNM_ARRAY_SIZE(fw_bridged_into), fw_bridged_out,
	  QNM_ARRAY_SIZE(fw_bridged_out) },
};

static const struct fw_mode *fw_mode_of(const struct qnm_network *net)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(fw_modes); i++)
		if (fw_modes[i].mode == net->mode)
			return &fw_modes[i];
	return NULL;
}

static void batch_fw_rule(struct qnm_nft_batch *b, const struct qnm_network *net,
			  const struct fw_rule *d)
{
	struct nftnl_rule *r = rule_new("forward");

	if (d->ifs & FW_OUT)
		m_ifname(r, NFT_META_IIFNAME, NFT_CMP_EQ, net->bridge);
	if (d->ifs & FW_NOT_OUT)
		m_ifname(r, NFT_META_IIFNAME, NFT_CMP_NEQ, net->bridge);
	if (d->ifs & FW_INTO)
		m_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, net->bridge);
	if (fw_ct_match[d->ct].mask)
		m_ct_any(r, fw_ct_match[d->ct].key, fw_ct_match[d->ct].mask);
	e_counter(r);
	e_verdict(r, d->verdict);
	emit_rule(b, r);
}

/*
 * the forward chain: replies (when a NAT network is up), every network's
 * "into" rules, then every network's "out of" rules
 */
static void batch_forward_rules(struct qnm_nft_batch *b, struct qnm_network *const *nets, size_t n)
{
	size_t i, k;

	for (i = 0; i < n && nets[i]->mode != QNM_NET_NAT; i++)
		;
	if (i < n)
		batch_fw_rule(b, nets[i], &fw_replies);
	for (i = 0; i < n; i++) {
		const struct fw_mode *m = fw_mode_of(nets[i]);

		for (k = 0; m && k < m->ninto; k++)
			batch_fw_rule(b, nets[i], &m->into[k]);
	}
	for (i = 0; i < n; i++) {
		const struct fw_mode *m = fw_mode_of(nets[i]);

		for (k = 0; m && k < m->nout; k++)
			batch_fw_rule(b, nets[i], &m->out[k]);
	}
}

/*
 * Forwards on 127.0.0.1 into a nat or isolated network: the host's own
 * connections, DNAT'ed in the output hook, leave through the bridge with
 * source 127.0.0.1 (the kernel allows it with the bridge's route_localnet,
 * netctl.c); they are masqueraded to the bridge's address so the guest can
 * answer. route_localnet would also let 127.0.0.0/8 in through the bridge:
 * chain localnet (before conntrack) drops that, so guests never reach the
 * host's loopback services.
 *
 *   localnet:    iifname BRIDGE ip saddr 127.0.0.0/8 drop
 *                iifname BRIDGE ip daddr 127.0.0.0/8 drop
 *   postrouting: ip saddr 127.0.0.0/8 oifname BRIDGE masquerade  comment "localnet BRIDGE"
 */
static void batch_localnet_rules(struct qnm_nft_batch *b, const struct qnm_network *net)
{
	static const uint32_t offs[] = { 12, 16 };
	struct nftnl_udata_buf *ud;
	struct nftnl_rule *r;
	char tag[64];
	size_t i;

	if (net->mode == QNM_NET_BRIDGED || qnm_str_empty(net->address))
		return; /* no forwards there */
	for (i = 0; i < QNM_ARRAY_SIZE(offs); i++) {
		r = rule_new("localnet");
		m_ifname(r, NFT_META_IIFNAME, NFT_CMP_EQ, net->bridge);
		m_nfproto_ipv4(r);
		m_addr_in(r, offs[i], NFT_CMP_EQ, LOOPBACK_NET, LOOPBACK_MASK);
		e_counter(r);
		e_verdict(r, NF_DROP);
		emit_rule(b, r);
	}
	r = rule_new("postrouting");
	m_nfproto_ipv4(r);
	m_addr_in(r, 12, NFT_CMP_EQ, LOOPBACK_NET, LOOPBACK_MASK);
	m_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, net->bridge);
	e_counter(r);
	add_expr(r, expr("masq"));
	ud = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 8);
	if (!ud)
		qnm_oom();
	snprintf(tag, sizeof(tag), "%s%s", LOCALNET_TAG, net->bridge);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, tag);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	emit_rule(b, r);
}

/* the end of a masquerade rule @r: oifname UPLINK (or != BRIDGE) counter masquerade */
static void masq_out(struct qnm_nft_batch *b, struct nftnl_rule *r, const struct qnm_network *net,
		     const char *uplink)
{
	if (qnm_str_empty(uplink))
		m_ifname(r, NFT_META_OIFNAME, NFT_CMP_NEQ, net->bridge);
	else
		m_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, uplink);
	e_counter(r);
	add_expr(r, expr("masq"));
	emit_rule(b, r);
}

/* ip saddr NET/PREFIX oifname UPLINK (or != BRIDGE) masquerade */
static void batch_masq_rule(struct qnm_nft_batch *b, const struct qnm_network *net,
			    const char *uplink)
{
	struct nftnl_rule *r = rule_new("postrouting");
	struct in_addr a;
	uint32_t mask;

	inet_pton(AF_INET, net->address, &a);
	mask = htonl(net->prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> net->prefix));
	a.s_addr &= mask;
	m_nfproto_ipv4(r);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG32_00);
	e_bitwise(r, NFT_REG32_00, &mask, 4);
	e_cmp(r, NFT_REG32_00, NFT_CMP_EQ, &a.s_addr, 4);
	masq_out(b, r, net, uplink);
}

/*
 * IPv6 out of a NAT network with a ULA prefix (fc00::/7, not routed on the
 * Internet): ip6 saddr PREFIX/64 oifname UPLINK (or != BRIDGE) masquerade.
 * A global prefix is routed as it is (the admin routes it to this host);
 * either way only replies and forwards come in (the forward chain).
 */
static void batch_masq6_rule(struct qnm_nft_batch *b, const struct qnm_network *net,
			     const char *uplink)
{
	struct nftnl_rule *r;
	struct in6_addr a;

	if (qnm_net_ipv6_prefix(net, &a) < 0 || (a.s6_addr[0] & 0xfe) != 0xfc)
		return;
	r = rule_new("postrouting");
	m_nfproto(r, NFPROTO_IPV6);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 8, NFT_REG32_00);
	e_cmp(r, NFT_REG32_00, NFT_CMP_EQ, a.s6_addr, 8);
	masq_out(b, r, net, uplink);
}

/* ------------------------------------------------------------------ */
/* input checks: everything the kernel would refuse, refused before sending */

static int check_ifname(const char *name, bool may_be_empty, const char *field, const char *net,
			struct qnm_err *err)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 && may_be_empty)
		return 0;
	if (len == 0 || len > QNM_IFNAME_MAX)
		return qnm_err_set(err, -EINVAL, field,
				   "network %s: %s '%s' must be 1 to %d characters", net, field,
				   name ? name : "", QNM_IFNAME_MAX);
	return 0;
}

/* @s is an IPv4 address: into *@out (host order) */
static int check_ipv4(const char *s, const char *field, const char *what, uint32_t *out,
		      struct qnm_err *err)
{
	if (qnm_parse_ipv4(s, out))
		return qnm_err_set(err, -EINVAL, field, "%s: %s '%s' is not an IPv4 address", what,
				   field, s);
	return 0;
}

/* @f can be written; its guest address into *@guest */
static int check_fwd(const struct qnm_fwd *f, const char *what, uint32_t *guest,
		     struct qnm_err *err)
{
	uint32_t a;

	if (f->proto != QNM_PROTO_TCP && f->proto != QNM_PROTO_UDP && f->proto != QNM_PROTO_BOTH)
		return qnm_err_set(err, -EINVAL, "proto",
				   "%s: protocol must be tcp or udp, or tcp+udp for both", what);
	if (f->host_port == 0 || f->guest_port == 0 || f->span >= QNM_FWD_PORTS_MAX ||
	    (unsigned)f->host_port + f->span > 65535 || (unsigned)f->guest_port + f->span > 65535)
		return qnm_err_set(err, -EINVAL, "port",
				   "%s: ports must be 1-65535, a range at most %d of them", what,
				   QNM_FWD_PORTS_MAX);
	if (!qnm_str_empty(f->host_addr) && check_ipv4(f->host_addr, "host_addr", what, &a, err))
		return -EINVAL;
	if (qnm_str_empty(f->guest_addr) && f->target[0])
		return qnm_err_set(err, -EINVAL, "guest_addr",
				   "%s: its target %s has no reserved address on the network (give "
				   "one: qnm nic set VM NIC ip=ADDRESS)",
				   what, f->target);
	if (qnm_str_empty(f->guest_addr))
		return qnm_err_set(err, -EINVAL, "guest_addr",
				   "%s: a network forward needs a guest address", what);
	return check_ipv4(f->guest_addr, "guest_addr", what, guest, err);
}

/*
 * One map element of a network: a single forward (one port, tcp or udp).
 * A range and tcp+udp are one element per port and protocol: an interval
 * element cannot shift ports (8000-8010 to 9000-9010), and one lookup keeps
 * the rule the same for all. @key orders them by host side (address, a bit
 * for "any", protocol, port), so that one sort finds a host side forwarded
 * twice without comparing strings.
 */
struct fwd_ref {
	uint64_t key;
	struct elem_ref e;
	const char *net;
};

static int cmp_fwd_ref(const void *pa, const void *pb)
{
	uint64_t a = ((const struct fwd_ref *)pa)->key, b = ((const struct fwd_ref *)pb)->key;

	return a < b ? -1 : a > b;
}

/* @r's key: its forward's host address (checked, so it parses) with its port @k */
static uint64_t fwd_key(const struct elem_ref *r)
{
	const struct qnm_fwd *f = r->f;
	uint32_t ports = (uint32_t)f->span + 1;
	enum qnm_proto proto = f->proto;
	uint64_t addr = 0;
	uint32_t a;

	if (proto == QNM_PROTO_BOTH)
		proto = r->k < ports ? QNM_PROTO_TCP : QNM_PROTO_UDP;
	if (!qnm_str_empty(f->host_addr) && qnm_parse_ipv4(f->host_addr, &a) == 0)
		addr = (1ULL << 32) | a;
	return (addr << 24) | ((uint64_t)proto << 16) | (uint16_t)(f->host_port + r->k % ports);
}

static void fwd_desc(const struct qnm_fwd *f, char *buf, size_t size)
{
	qnm_fwd_host_text(f, buf, size);
}

static int check_input(struct qnm_network *const *nets, size_t n, const char *const *uplinks,
		       struct fwd_ref **refs_out, size_t *nrefs_out, struct qnm_err *err)
{
	struct fwd_ref *refs = NULL;
	size_t i, j, g, nrefs = 0;
	uint32_t *guests, a;
	int ret = 0;

	/* each forward's guest address, as check_fwd() parses it: not parsed again */
	for (i = 0, g = 0; i < n; i++)
		g += nets[i]->nfwd;
	guests = xreallocarray(NULL, g ? g : 1, sizeof(*guests));
	for (i = 0, g = 0; i < n && ret == 0; i++) {
		const struct qnm_network *net = nets[i];
		const char *up = uplinks ? uplinks[i] : net->uplink;

		if ((ret = check_ifname(net->bridge, false, "bridge", net->name, err)))
			break;
		if (net->mode == QNM_NET_NAT) {
			if ((ret = check_ifname(up, true, "uplink", net->name, err)))
				break;
			if (check_ipv4(net->address, "address", net->name, &a, err)) {
				ret = -EINVAL;
				break;
			}
			if (net->prefix < 1 || net->prefix > 32) {
				ret = qnm_err_set(err, -EINVAL, "prefix",
						  "network %s: prefix must be 1-32", net->name);
				break;
			}
		}
		for (j = 0; j < n && ret == 0; j++)
			if (j != i && strcmp(nets[j]->bridge, net->bridge) == 0)
				ret = qnm_err_set(err, -EINVAL, "bridge",
						  "networks %s and %s use the same bridge %s",
						  nets[j]->name, net->name, net->bridge);
		for (j = 0; j < net->nfwd && ret == 0; j++) {
			char what[128];

			if (check_fwd(&net->fwd[j], "", &guests[g++], err) == 0)
				continue;
			/* the message names the forward: made only when it is needed */
			qnm_err_clear(err);
			snprintf(what, sizeof(what), "network %s forward %zu", net->name, j);
			ret = check_fwd(&net->fwd[j], what, &a, err);
		}
	}
	if (ret) {
		free(guests);
		return ret;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < nets[i]->nfwd; j++)
			nrefs += qnm_fwd_count(&nets[i]->fwd[j]);
	refs = xreallocarray(NULL, nrefs ? nrefs : 1, sizeof(*refs)); /* each one filled below */
	for (i = 0, g = 0, nrefs = 0; i < n; i++)
		for (j = 0; j < nets[i]->nfwd; j++, g++) {
			size_t k, nk = qnm_fwd_count(&nets[i]->fwd[j]);

			for (k = 0; k < nk; k++, nrefs++) {
				refs[nrefs].e.f = &nets[i]->fwd[j];
				refs[nrefs].e.k = (uint32_t)k;
				refs[nrefs].e.guest = guests[g];
				refs[nrefs].key = fwd_key(&refs[nrefs].e);
				refs[nrefs].net = nets[i]->name;
			}
		}
	free(guests);
	/* forwards are mostly written in order: then they are sorted already, without a twin */
	for (i = 1; i < nrefs && refs[i - 1].key < refs[i].key; i++)
		;
	if (i < nrefs) {
		qsort(refs, nrefs, sizeof(*refs), cmp_fwd_ref);
		for (i = 1; i < nrefs; i++)
			if (refs[i - 1].key == refs[i].key) {
				struct qnm_fwd one;
				char d[64];

				qnm_fwd_nth(refs[i].e.f, refs[i].e.k, &one);
				fwd_desc(&one, d, sizeof(d));
				ret = qnm_err_set(
					err, -EINVAL, "host_port",
					"host side %s is forwarded twice (networks %s and %s)", d,
					refs[i - 1].net, refs[i].net);
				break;
			}
	}
	if (ret) {
		free(refs);
		return ret;
	}
	*refs_out = refs;
	*nrefs_out = nrefs;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the public API */

/*
 * The batch of the whole table. @fresh: the table is believed absent, so
 * it is only created, with NLM_F_EXCL (the batch fails with -EEXIST when
 * it exists after all); otherwise it is created if missing, deleted and
 * recreated. A deletion makes the kernel's cleanup (an RCU grace period)
 * wait when the socket closes: a network brought up on a host without
 * the table does not pay it.
 */
static int batch_whole(struct qnm_nft_batch *b, struct qnm_network *const *nets, size_t n,
		       const char *const *uplinks_resolved, bool fresh, struct qnm_err *err)
{
	struct fwd_ref *refs = NULL;
	struct elem_ref *ev;
	size_t nrefs = 0, i, k, nv;
	bool v6;
	int ret;

	ret = check_input(nets, n, uplinks_resolved, &refs, &nrefs, err);
	if (ret)
		return ret;

	if (!fresh) {
		/* make sure it exists so that DELTABLE cannot fail, then start afresh */
		batch_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, NULL);
		batch_table(b, NFT_MSG_DELTABLE, 0, NULL);
	}
	if (n == 0) {
		free(refs);
		return 0;
	}
	batch_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE | (fresh ? NLM_F_EXCL : 0),
		    "managed by qnm: rewritten whole on every change, do not edit");
	for (i = 0; i < QNM_ARRAY_SIZE(chains); i++)
		batch_chain(b, &chains[i]);
	for (i = 0; i < QNM_ARRAY_SIZE(maps); i++)
		batch_map(b, &maps[i]);
	for (i = 0; i < n && !qnm_net_has_ipv6(nets[i]); i++)
		;
	v6 = i < n;
	if (v6)
		batch_map(b, &map_any6);

	ev = xreallocarray(NULL, nrefs ? nrefs : 1, sizeof(*ev)); /* filled before it is read */
	for (k = 0; k < QNM_ARRAY_SIZE(maps); k++) {
		for (i = 0, nv = 0; i < nrefs; i++)
			if (map_for(refs[i].e.f) == &maps[k])
				ev[nv++] = refs[i].e;
		batch_elems(b, NFT_MSG_NEWSETELEM, &maps[k], ev, nv);
	}
	for (i = 0, nv = 0; v6 && i < nrefs; i++)
		if (fwd_has_v6(refs[i].e.f))
			ev[nv++] = refs[i].e;
	if (nv)
		batch_elems(b, NFT_MSG_NEWSETELEM, &map_any6, ev, nv);
	free(ev);
	free(refs);

	batch_forward_rules(b, nets, n);
	/* specific host address first, then any local address */
	batch_dnat_rule(b, "prerouting", &maps[1]);
	batch_dnat_rule(b, "prerouting", &maps[0]);
	batch_dnat_rule(b, "output", &maps[1]);
	batch_dnat_rule(b, "output", &maps[0]);
	if (v6) {
		batch_dnat_rule(b, "prerouting", &map_any6);
		batch_dnat_rule(b, "output", &map_any6);
	}
	for (i = 0; i < n; i++)
		batch_localnet_rules(b, nets[i]);
	for (i = 0; i < n; i++)
		if (nets[i]->mode == QNM_NET_NAT)
			batch_masq_rule(b, nets[i],
					uplinks_resolved ? uplinks_resolved[i] : nets[i]->uplink);
	for (i = 0; i < n; i++)
		if (nets[i]->mode == QNM_NET_NAT)
			batch_masq6_rule(b, nets[i],
					 uplinks_resolved ? uplinks_resolved[i] : nets[i]->uplink);
	return 0;
}

int qnm_nft_batch_table(struct qnm_nft_batch *b, struct qnm_network *const *nets, size_t n,
			const char *const *uplinks_resolved, struct qnm_err *err)
{
	return batch_whole(b, nets, n, uplinks_resolved, false, err);
}

int qnm_nft_apply(struct qnm_network *const *nets, size_t n, const char *const *uplinks_resolved,
		  struct qnm_err *err)
{
	bool fresh = n && qnm_nft_table_exists(NULL) == 0;
	struct qnm_nft_batch *b;
	int ret;

	for (;;) {
		b = qnm_nft_batch_new();
		ret = batch_whole(b, nets, n, uplinks_resolved, fresh, err);
		if (ret == 0)
			ret = qnm_nft_batch_commit(
				b, n ? ACTION_APPLY : "removing nftables table inet qnm", err);
		qnm_nft_batch_free(b);
		if (!(fresh && ret == -EEXIST))
			return ret;
		/* created meanwhile by someone else: replace it as usual */
		qnm_err_clear(err);
		fresh = false;
	}
}

int qnm_nft_remove(struct qnm_err *err)
{
	return qnm_nft_apply(NULL, 0, NULL, err);
}

static int one_fwd(struct qnm_nft_conn *c, uint16_t type, const struct qnm_fwd *f,
		   struct qnm_err *err)
{
	struct qnm_nft_batch *b;
	struct elem_ref *fv;
	char action[128], d[64];
	uint32_t guest = 0, a;
	size_t k, nk;
	int ret;

	fwd_desc(f, d, sizeof(d));
	snprintf(action, sizeof(action), "%s forward %s in nftables table inet qnm",
		 type == NFT_MSG_NEWSETELEM ? "adding" : "removing", d);
	if (type == NFT_MSG_NEWSETELEM) {
		ret = check_fwd(f, action, &guest, err);
	} else {
		ret = f->host_port ? 0 : qnm_err_set(err, -EINVAL, "port", "%s: no port", action);
		if (!ret && !qnm_str_empty(f->host_addr))
			ret = check_ipv4(f->host_addr, "host_addr", action, &a, err);
	}
	if (ret)
		return ret;
	/* a range, tcp+udp: all its elements in one transaction */
	nk = qnm_fwd_count(f);
	fv = xcalloc(nk, sizeof(*fv));
	for (k = 0; k < nk; k++)
		fv[k] = (struct elem_ref){ .f = f, .k = (uint32_t)k, .guest = guest };
	b = qnm_nft_batch_new();
	batch_elems(b, type, map_for(f), fv, nk);
	if (fwd_has_v6(f))
		batch_elems(b, type, &map_any6, fv, nk);
	ret = c ? qnm_nft_conn_commit(c, b, action, err) : qnm_nft_batch_commit(b, action, err);
	qnm_nft_batch_free(b);
	if (ret == -ENOENT && fwd_has_v6(f)) {
		/* the table was written while no network with IPv6 was up: no map_any6 */
		qnm_err_clear(err);
		b = qnm_nft_batch_new();
		batch_elems(b, type, map_for(f), fv, nk);
		ret = c ? qnm_nft_conn_commit(c, b, action, err)
			: qnm_nft_batch_commit(b, action, err);
		qnm_nft_batch_free(b);
	}
	free(fv);
	if (ret == -ENOENT)
		qnm_err_set(err, ret, "", "%s: %s", action,
			    type == NFT_MSG_NEWSETELEM
				    ? "table inet qnm does not exist (bring a network up first)"
				    : "no such forward in the table (or no table)");
	else if (ret == -EEXIST || ret == -EBUSY)
		ret = qnm_err_set(err, -EEXIST, "host_port",
				  "%s: that host port is already forwarded elsewhere", action);
	return ret;
}

int qnm_nft_add_forward(const struct qnm_fwd *f, struct qnm_err *err)
{
	return one_fwd(NULL, NFT_MSG_NEWSETELEM, f, err);
}

int qnm_nft_del_forward(const struct qnm_fwd *f, struct qnm_err *err)
{
	return one_fwd(NULL, NFT_MSG_DELSETELEM, f, err);
}

int qnm_nft_conn_add_forward(struct qnm_nft_conn *c, const struct qnm_fwd *f, struct qnm_err *err)
{
	return one_fwd(c, NFT_MSG_NEWSETELEM, f, err);
}

int qnm_nft_conn_del_forward(struct qnm_nft_conn *c, const struct qnm_fwd *f, struct qnm_err *err)
{
	return one_fwd(c, NFT_MSG_DELSETELEM, f, err);
}

int qnm_nft_conn_apply(struct qnm_nft_conn *c, struct qnm_network *const *nets, size_t n,
		       const char *const *uplinks_resolved, struct qnm_err *err)
{
	struct qnm_nft_batch *b = qnm_nft_batch_new();
	int ret;

	ret = qnm_nft_batch_table(b, nets, n, uplinks_resolved, err);
	if (ret == 0)
		ret = qnm_nft_conn_commit(
			c, b, n ? ACTION_APPLY : "removing nftables table inet qnm", err);
	qnm_nft_batch_free(b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* reading: dumps */

/* one GET request (@flags NLM_F_DUMP or 0), answers passed to @cb */
static int nl_get(uint16_t type, uint16_t family, uint16_t flags,
		  void (*fill)(struct nlmsghdr *, const void *), const void *fill_arg, mnl_cb_t cb,
		  void *data, const char *action, struct qnm_err *err)
{
	/* requests go out whole; not zeroed: headers are, and pages untouched cost nothing */
	char *buf = xmalloc(MNL_SOCKET_BUFFER_SIZE * 4);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int ret;

	nl = open_nl(action, err);
	if (!nl) {
		free(buf);
		return err && err->code ? err->code : kernel_err(err, -errno, action, NULL, NULL);
	}
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_nlmsg_build_hdr(buf, type, family, flags | NLM_F_ACK, seq);
	if (fill)
		fill(nlh, fill_arg);
	ret = (int)mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	if (ret < 0) {
		ret = kernel_err(err, -errno, action, NULL, NULL);
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE * 4);

		if (n < 0) {
			ret = kernel_err(err, -errno, action, NULL, NULL);
			break;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (ret < 0) {
			ret = -errno;
			if (ret != -ENOENT)
				kernel_err(err, ret, action, NULL, NULL);
			break;
		}
		if (ret == MNL_CB_STOP) {
			ret = 0;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	free(buf);
	return ret;
}

static void fill_table_get(struct nlmsghdr *nlh, const void *arg)
{
	struct nftnl_table *t = nftnl_table_alloc();

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
}

static int ok_cb(const struct nlmsghdr *nlh, void *data)
{
	*(int *)data = 1;
	return MNL_CB_OK;
}

int qnm_nft_table_exists(struct qnm_err *err)
{
	int found = 0, ret;

	ret = nl_get(NFT_MSG_GETTABLE, FAMILY, 0, fill_table_get, NULL, ok_cb, &found,
		     "reading nftables table inet qnm", err);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	return found;
}

struct fwd_read {
	bool byaddr;
	struct qnm_fwd *v;
	size_t n;
};

static int elem_read_cb(struct nftnl_set_elem *e, void *data)
{
	struct fwd_read *fr = data;
	const uint8_t *key, *val;
	uint32_t klen = 0, dlen = 0;
	struct qnm_fwd f;
	uint16_t port;
	size_t o = fr->byaddr ? 4 : 0;

	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
	val = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &dlen);
	if (!key || !val || klen < o + 8 || dlen < 8)
		return 0;
	memset(&f, 0, sizeof(f));
	if (fr->byaddr)
		inet_ntop(AF_INET, key, f.host_addr, sizeof(f.host_addr));
	f.proto = key[o] == IPPROTO_UDP ? QNM_PROTO_UDP : QNM_PROTO_TCP;
	memcpy(&port, key + o + 4, 2);
	f.host_port = ntohs(port);
	inet_ntop(AF_INET, val, f.guest_addr, sizeof(f.guest_addr));
	memcpy(&port, val + 4, 2);
	f.guest_port = ntohs(port);
	qnm_fwd_add(&fr->v, &fr->n, &f);
	return 0;
}

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		qnm_oom();
	if (nftnl_set_elems_nlmsg_parse(nlh, s) >= 0)
		nftnl_set_elem_foreach(s, elem_read_cb, data);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static void fill_elems_get(struct nlmsghdr *nlh, const void *map)
{
	struct nftnl_set *s = set_new(map);

	nftnl_set_unset(s, NFTNL_SET_ID);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
}

int qnm_nft_read_forwards(struct qnm_fwd **out, size_t *n, struct qnm_err *err)
{
	struct fwd_read fr = { 0 };
	size_t k;
	int ret = 0;

	*out = NULL;
	*n = 0;
	for (k = 0; k < QNM_ARRAY_SIZE(maps) && ret == 0; k++) {
		fr.byaddr = maps[k].byaddr;
		ret = nl_get(NFT_MSG_GETSETELEM, FAMILY, NLM_F_DUMP, fill_elems_get, &maps[k],
			     elems_cb, &fr, "reading nftables table inet qnm", err);
	}
	if (ret < 0) {
		free(fr.v);
		if (ret == -ENOENT)
			qnm_err_set(err, ret, "", "nftables table inet qnm does not exist");
		return ret;
	}
	*out = fr.v;
	*n = fr.n;
	return 0;
}

static int localnet_udata_cb(const struct nftnl_udata *attr, void *data)
{
	struct qnm_strv *bridges = data;
	const char *c = nftnl_udata_get(attr);
	size_t len = nftnl_udata_len(attr), tl = strlen(LOCALNET_TAG);

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT && len > tl && !c[len - 1] &&
	    strncmp(c, LOCALNET_TAG, tl) == 0)
		qnm_strv_add(bridges, c + tl);
	return 0;
}

static int localnet_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const void *ud;
	uint32_t len = 0;

	if (!r)
		qnm_oom();
	if (nftnl_rule_nlmsg_parse(nlh, r) >= 0 && nftnl_rule_is_set(r, NFTNL_RULE_USERDATA) &&
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), TABLE) == 0 &&
	    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) == FAMILY) {
		ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
		if (ud)
			nftnl_udata_parse(ud, len, localnet_udata_cb, data);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static void fill_rules_get(struct nlmsghdr *nlh, const void *chain)
{
	struct nftnl_rule *r = rule_new(chain);

	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
}

int qnm_nft_read_localnet(struct qnm_strv *bridges, struct qnm_err *err)
{
	int ret = nl_get(NFT_MSG_GETRULE, FAMILY, NLM_F_DUMP, fill_rules_get, "postrouting",
			 localnet_rule_cb, bridges, "reading nftables table inet qnm", err);

	if (ret == -ENOENT)
		qnm_err_set(err, ret, "", "nftables table inet qnm does not exist");
	return ret < 0 ? ret : 0;
}

/* an expression walk over one rule: the cmp after a meta iifname/oifname holds a name */
struct ifname_scan {
	struct qnm_strv *out;
	bool want;
};

static int ifname_expr_cb(struct nftnl_expr *e, void *data)
{
	struct ifname_scan *sc = data;
	const char *kind = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char name[IFNAMSIZ + 1];
	const void *d;
	uint32_t len = 0;
	size_t i;

	if (strcmp(kind, "meta") == 0) {
		uint32_t k = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);

		sc->want = k == NFT_META_IIFNAME || k == NFT_META_OIFNAME;
		return 0;
	}
	if (sc->want && strcmp(kind, "cmp") == 0 &&
	    (d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len))) {
		memcpy(name, d, len < IFNAMSIZ ? len : IFNAMSIZ);
		name[len < IFNAMSIZ ? len : IFNAMSIZ] = '\0';
		for (i = 0; i < sc->out->n && strcmp(sc->out->v[i], name) != 0; i++)
			;
		if (name[0] && i == sc->out->n)
			qnm_strv_add(sc->out, name);
	}
	sc->want = false;
	return 0;
}

static int ifname_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct ifname_scan *sc = data;

	if (!r)
		qnm_oom();
	if (nftnl_rule_nlmsg_parse(nlh, r) >= 0 &&
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), TABLE) == 0) {
		sc->want = false;
		nftnl_expr_foreach(r, ifname_expr_cb, sc);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

int qnm_nft_read_ifnames(struct qnm_strv *out, struct qnm_err *err)
{
	struct ifname_scan sc = { .out = out };
	int ret;

	ret = nl_get(NFT_MSG_GETRULE, FAMILY, NLM_F_DUMP, NULL, NULL, ifname_rule_cb, &sc,
		     "reading nftables table inet qnm", err);
	if (ret == -ENOENT) {
		qnm_err_clear(err);
		return 0;
	}
	return ret;
}

/* a foreign base chain on the forward hook */
struct fchain {
	char *family_table; /* "ip filter" */
	char *table;
	char *name;
	uint32_t family;
	bool policy_drop;
	struct nftnl_rule **rules;
	size_t nrules;
};

struct fscan {
	struct fchain *v;
	size_t n;
};

static const char *family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_BRIDGE:
		return "bridge";
	default:
		return "?";
	}
}

static bool forward_family(uint32_t f)
{
	return f == NFPROTO_INET || f == NFPROTO_IPV4 || f == NFPROTO_BRIDGE;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fscan *fs = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	uint32_t fam;
	const char *table;

	if (!c)
		qnm_oom();
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
		goto out;
	fam = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	if (!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) || !forward_family(fam) ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_FORWARD)
		goto out;
	if (fam == FAMILY && strcmp(table, TABLE) == 0)
		goto out;
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof(*fs->v));
	memset(&fs->v[fs->n], 0, sizeof(fs->v[fs->n]));
	fs->v[fs->n].family = fam;
	fs->v[fs->n].table = xstrdup(table);
	fs->v[fs->n].name = xstrdup(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	fs->v[fs->n].family_table = xasprintf("%s %s", family_name(fam), table);
	fs->v[fs->n].policy_drop = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
				   nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
	fs->n++;
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fscan *fs = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	size_t i;

	if (!r)
		qnm_oom();
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto drop;
	for (i = 0; i < fs->n; i++) {
		struct fchain *c = &fs->v[i];

		if (c->family == nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) &&
		    strcmp(c->table, nftnl_rule_get_str(r, NFTNL_RULE_TABLE)) == 0 &&
		    strcmp(c->name, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN)) == 0) {
			c->rules = xreallocarray(c->rules, c->nrules + 1, sizeof(*c->rules));
			c->rules[c->nrules++] = r;
			return MNL_CB_OK;
		}
	}
drop:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/**
 * struct rule_facts - what matters in one rule for the drop check.
 * @names_bridge: a cmp compares with the bridge's name.
 * @matches_all:  no expression that could make the rule not match.
 * @verdict:      NF_ACCEPT, NF_DROP (also for reject), or -1 for none/other.
 */
struct rule_facts {
	const char *bridge;
	bool names_bridge;
	bool matches_all;
	int verdict;
};

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct rule_facts *rf = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	static const char *const neutral[] = { "counter", "immediate", "log", "reject", "notrack" };
	size_t i;
	bool is_neutral = false;

	for (i = 0; i < QNM_ARRAY_SIZE(neutral); i++)
		if (strcmp(name, neutral[i]) == 0)
			is_neutral = true;
	if (!is_neutral)
		rf->matches_all = false;
	if (strcmp(name, "cmp") == 0) {
		uint32_t len = 0;
		const char *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
		size_t bl = strlen(rf->bridge);

		/* exact name (zero padded) or a wildcard prefix ("qnmbr*") */
		if (d && len >= bl && memcmp(d, rf->bridge, bl) == 0 &&
		    (len == bl || d[bl] == '\0'))
			rf->names_bridge = true;
		else if (d && len > 0 && len < bl && memchr(d, '\0', len) == NULL &&
			 memcmp(d, rf->bridge, len) == 0)
			rf->names_bridge = true;
	} else if (strcmp(name, "immediate") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT)) {
		int v = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

		if (v == NF_ACCEPT || v == NF_DROP)
			rf->verdict = v;
	} else if (strcmp(name, "reject") == 0) {
		rf->verdict = NF_DROP;
	}
	return 0;
}

static void fscan_clear(struct fscan *fs)
{
	size_t i, j;

	for (i = 0; i < fs->n; i++) {
		for (j = 0; j < fs->v[i].nrules; j++)
			nftnl_rule_free(fs->v[i].rules[j]);
		free(fs->v[i].rules);
		free(fs->v[i].table);
		free(fs->v[i].name);
		free(fs->v[i].family_table);
	}
	free(fs->v);
}

static int check_chain(const struct fchain *c, const struct qnm_network *net,
		       struct qnm_strv *warnings)
{
	size_t i;

	for (i = 0; i < c->nrules; i++) {
		struct rule_facts rf = { .bridge = net->bridge,
					 .matches_all = true,
					 .verdict = -1 };
		uint64_t handle = nftnl_rule_get_u64(c->rules[i], NFTNL_RULE_HANDLE);

		nftnl_expr_foreach(c->rules[i], expr_cb, &rf);
		if (rf.names_bridge && rf.verdict == NF_ACCEPT)
			return 0; /* accepted there before anything drops it */
		if (rf.names_bridge && rf.verdict == NF_DROP) {
			qnm_strv_addf(warnings,
				      "table %s, chain %s (hook forward): rule handle %llu drops "
				      "traffic of bridge %s (network %s)",
				      c->family_table, c->name, (unsigned long long)handle,
				      net->bridge, net->name);
			return 1;
		}
		if (rf.matches_all && rf.verdict == NF_DROP) {
			qnm_strv_addf(
				warnings,
				"table %s, chain %s (hook forward): rule handle %llu drops all "
				"forwarded traffic, so network %s (bridge %s) cannot reach "
				"outside",
				c->family_table, c->name, (unsigned long long)handle, net->name,
				net->bridge);
			return 1;
		}
	}
	if (c->policy_drop) {
		qnm_strv_addf(warnings,
			      "table %s, chain %s (hook forward) has policy drop and no rule "
			      "accepting bridge %s: forwarded traffic of network %s is dropped "
			      "(add e.g. 'iifname %s accept' and 'oifname %s accept' there)",
			      c->family_table, c->name, net->bridge, net->name, net->bridge,
			      net->bridge);
		return 1;
	}
	return 0;
}

int qnm_nft_check_foreign_drop(struct qnm_network *const *nets, size_t n, struct qnm_strv *warnings,
			       struct qnm_err *err)
{
	static const char action[] = "reading the nftables ruleset";
	struct fscan fs = { 0 };
	size_t i, j;
	int ret, count = 0;

	ret = nl_get(NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, NULL, NULL, chain_cb, &fs,
		     action, err);
	if (ret == 0 && fs.n)
		ret = nl_get(NFT_MSG_GETRULE, NFPROTO_UNSPEC, NLM_F_DUMP, NULL, NULL, rule_cb, &fs,
			     action, err);
	if (ret < 0) {
		fscan_clear(&fs);
		return ret;
	}
	for (i = 0; i < fs.n; i++)
		for (j = 0; j < n; j++)
			if (nets[j]->mode != QNM_NET_ISOLATED)
				count += check_chain(&fs.v[i], nets[j], warnings);
	fscan_clear(&fs);
	return count;
}
