// SPDX-License-Identifier: GPL-2.0-or-later
/* model.c - VMs, NICs, networks, forwards: lifecycle, copies, names. */
#include "build-config.h"

#include "core/model.h"
#include "core/addr.h"
#include "core/schema.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- enum names ---- */

static const char *const proto_names[] = { "tcp", "udp", "tcp+udp" };
static const char *const backend_names[] = { "user", "slirp", "tap", "bridge", "passt", "private" };
static const char *const accel_names[] = { "auto", "kvm", "tcg" };
static const char *const boot_names[] = { "none", "disk", "cdrom", "kernel" };
static const char *const net_mode_names[] = { "nat", "bridged", "isolated", "ovn" };

static int parse_name(const char *s, const char *const *names, size_t n, int *out)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *name_of(unsigned v, const char *const *names, size_t n)
{
	return v < n ? names[v] : "?";
}

#define ENUM_FUNCS(fn, type, table)                                                                \
	const char *qnm_##fn##_name(type v)                                                        \
	{                                                                                          \
		return name_of((unsigned)v, table, QNM_ARRAY_SIZE(table));                         \
	}                                                                                          \
	/* NOLINTNEXTLINE(bugprone-macro-parentheses): type is a type */                           \
	int qnm_##fn##_parse(const char *s, type *out)                                             \
	{                                                                                          \
		int v, r = parse_name(s, table, QNM_ARRAY_SIZE(table), &v);                        \
		if (r == 0)                                                                        \
			*out = (type)v;                                                            \
		return r;                                                                          \
	}

ENUM_FUNCS(proto, enum qnm_proto, proto_names)
ENUM_FUNCS(backend, enum qnm_backend_kind, backend_names)
ENUM_FUNCS(accel, enum qnm_accel, accel_names)
ENUM_FUNCS(boot, enum qnm_boot, boot_names)
ENUM_FUNCS(net_mode, enum qnm_net_mode, net_mode_names)

const struct qnm_enum qnm_backend_enum = { backend_names, QNM_ARRAY_SIZE(backend_names) };
const struct qnm_enum qnm_accel_enum = { accel_names, QNM_ARRAY_SIZE(accel_names) };
const struct qnm_enum qnm_boot_enum = { boot_names, QNM_ARRAY_SIZE(boot_names) };
const struct qnm_enum qnm_net_mode_enum = { net_mode_names, QNM_ARRAY_SIZE(net_mode_names) };

/* ---- forwards ---- */

void qnm_fwd_add(struct qnm_fwd **v, size_t *n, const struct qnm_fwd *f)
{
	/* a network may hold 10,000: grown in powers of two, see qnm_grow() */
	*v = qnm_grow(*v, *n, sizeof(**v));
	(*v)[(*n)++] = *f;
}

int qnm_fwd_del(struct qnm_fwd **v, size_t *n, size_t index)
{
	if (index >= *n)
		return -ENOENT;
	memmove(&(*v)[index], &(*v)[index + 1], (*n - index - 1) * sizeof(**v));
	(*n)--;
	if (*n == 0) {
		free(*v);
		*v = NULL;
	}
	return 0;
}

/*
 * Text into @buf of @size bytes as snprintf() puts it there: what fits,
 * always terminated, while @len counts all of it. A forward's text is made
 * for every forward each time a network is written or shown, and snprintf()
 * cost more than the rest of the forward.
 */
struct fwd_text {
	char *buf;
	size_t size;
	size_t len;
};

static void text_add(struct fwd_text *t, const char *s, size_t n)
{
	if (t->len + 1 < t->size)
		memcpy(t->buf + t->len, s, n < t->size - 1 - t->len ? n : t->size - 1 - t->len);
	t->len += n;
	if (t->size)
		t->buf[t->len < t->size ? t->len : t->size - 1] = '\0';
}

static void text_str(struct fwd_text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* "%u" */
static void text_uint(struct fwd_text *t, unsigned v)
{
	char d[12];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	text_add(t, d + i, sizeof(d) - i);
}

static void text_ports(struct fwd_text *t, unsigned first, unsigned span)
{
	text_uint(t, first);
	if (span) {
		text_add(t, "-", 1);
		text_uint(t, first + span);
	}
}

void qnm_ports_text(unsigned first, unsigned span, char *buf, size_t size)
{
	struct fwd_text t = { buf, size, 0 };

	text_ports(&t, first, span);
}

/* "%s:%s:%s-%s:%s" of the protocol, host address and ports, guest or target and ports */
static void text_spec(struct fwd_text *t, const struct qnm_fwd *f)
{
	text_str(t, qnm_proto_name(f->proto));
	text_add(t, ":", 1);
	text_str(t, f->host_addr);
	text_add(t, ":", 1);
	text_ports(t, f->host_port, f->span);
	text_add(t, "-", 1);
	text_str(t, f->target[0] ? f->target : f->guest_addr);
	text_add(t, ":", 1);
	text_ports(t, f->guest_port, f->span);
}

void qnm_fwd_format_spec(const struct qnm_fwd *f, char *buf, size_t size)
{
	struct fwd_text t = { buf, size, 0 };

	text_spec(&t, f);
}

void qnm_fwd_format(const struct qnm_fwd *f, char *buf, size_t size)
{
	struct fwd_text t = { buf, size, 0 };

	text_spec(&t, f);
	if (f->desc[0] && t.len < size) {
		text_add(&t, " desc=\"", 7);
		text_str(&t, f->desc);
		text_add(&t, "\"", 1);
	}
}

void qnm_fwd_host_text(const struct qnm_fwd *f, char *buf, size_t size)
{
	char hp[16];

	qnm_ports_text(f->host_port, f->span, hp, sizeof(hp));
	snprintf(buf, size, "%s %s:%s", qnm_proto_name(f->proto),
		 qnm_str_empty(f->host_addr) ? "*" : f->host_addr, hp);
}

size_t qnm_fwd_count(const struct qnm_fwd *f)
{
	return ((size_t)f->span + 1) * (f->proto == QNM_PROTO_BOTH ? 2 : 1);
}

void qnm_fwd_nth(const struct qnm_fwd *f, size_t i, struct qnm_fwd *one)
{
	size_t ports = (size_t)f->span + 1;

	*one = *f;
	if (f->proto == QNM_PROTO_BOTH)
		one->proto = i < ports ? QNM_PROTO_TCP : QNM_PROTO_UDP;
	i %= ports;
	one->host_port = (uint16_t)(f->host_port + i);
	one->guest_port = (uint16_t)(f->guest_port + i);
	one->span = 0;
	one->desc[0] = '\0';
}

bool qnm_fwd_has_proto(const struct qnm_fwd *f, enum qnm_proto p)
{
	return f->proto == p || f->proto == QNM_PROTO_BOTH;
}

bool qnm_fwd_covers(const struct qnm_fwd *f, enum qnm_proto p, uint16_t port)
{
	return qnm_fwd_has_proto(f, p) && port >= f->host_port &&
	       (unsigned)port <= (unsigned)f->host_port + f->span;
}

bool qnm_fwd_overlap(const struct qnm_fwd *a, const struct qnm_fwd *b, enum qnm_proto *proto,
		     uint16_t *port)
{
	unsigned lo = a->host_port > b->host_port ? a->host_port : b->host_port;
	unsigned ha = (unsigned)a->host_port + a->span, hb = (unsigned)b->host_port + b->span;
	enum qnm_proto p;

	if (lo > (ha < hb ? ha : hb))
		return false;
	if (!(qnm_str_empty(a->host_addr) || qnm_str_empty(b->host_addr) ||
	      strcmp(a->host_addr, b->host_addr) == 0))
		return false;
	if (qnm_fwd_has_proto(a, QNM_PROTO_TCP) && qnm_fwd_has_proto(b, QNM_PROTO_TCP))
		p = QNM_PROTO_TCP;
	else if (qnm_fwd_has_proto(a, QNM_PROTO_UDP) && qnm_fwd_has_proto(b, QNM_PROTO_UDP))
		p = QNM_PROTO_UDP;
	else
		return false;
	if (proto)
		*proto = p;
	if (port)
		*port = (uint16_t)lo;
	return true;
}

int qnm_fwd_check_desc(const char *s, const char *field, struct qnm_err *err)
{
	const char *p;

	if (strlen(s) > QNM_FWD_DESC_MAX)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: description is %zu characters long; at most %d", field,
				   strlen(s), QNM_FWD_DESC_MAX);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || *p == '"' || *p == '\\')
			return qnm_err_set(err, -EINVAL, field,
					   "%s: description may hold printable ASCII characters "
					   "but not '\"' or '\\' (character %zu is not one)",
					   field, (size_t)(p - s) + 1);
	return 0;
}

/*
 * The decimal digits at @s as a number (any above 65535 read as 65536, so
 * that it never overflows); Return: the first byte after them.
 */
static const char *port_digits(const char *s, unsigned long *out)
{
	unsigned v = 0, d;

	for (; (d = (unsigned)(unsigned char)*s - '0') <= 9; s++) {
		v = v * 10 + d;
		if (v > 65535)
			v = 65536;
	}
	*out = v;
	return s;
}

/*
 * "PORT" or "FIRST-LAST" into *@first and *@span. Each port is what
 * qnm_parse_uint(1, 65535) takes: decimal digits (leading zeros too), at
 * most 7 for the first one (more is not a port either) and 20 for the last.
 */
static int parse_ports(const char *s, uint16_t *first, unsigned *span, const char *what,
		       const char *field, struct qnm_err *err)
{
	unsigned long a, b;
	const char *e = port_digits(s, &a), *e2;

	if ((*e && *e != '-') || e == s || e - s > 7 || a < 1 || a > 65535)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: %s port '%s' must be a number from 1 to 65535, or a "
				   "range FIRST-LAST",
				   field, what, s);
	b = a;
	if (*e == '-') {
		e2 = port_digits(e + 1, &b);
		if (*e2 || e2 == e + 1 || e2 - (e + 1) > 20 || b < 1 || b > 65535)
			return qnm_err_set(
				err, -EINVAL, field,
				"%s: %s port range '%s' must be FIRST-LAST, each from 1 to 65535",
				field, what, s);
	}
	if (b < a)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: %s port range '%s' ends before it starts", field, what, s);
	if (b - a + 1 > QNM_FWD_PORTS_MAX)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: %s port range '%s' holds %lu ports; at most %d", field,
				   what, s, b - a + 1, QNM_FWD_PORTS_MAX);
	*first = (uint16_t)a;
	*span = (unsigned)(b - a);
	return 0;
}

enum qnm_fwd_reach qnm_fwd_reach(const struct qnm_fwd *f)
{
	if (!f->host_addr[0] || strcmp(f->host_addr, "0.0.0.0") == 0)
		return QNM_REACH_ALL;
	if (strncmp(f->host_addr, "127.", 4) == 0)
		return QNM_REACH_HOST;
	return QNM_REACH_ADDR;
}

void qnm_fwd_reach_text(const struct qnm_fwd *f, char *buf, size_t size)
{
	static const char *const words[] = {
		[QNM_REACH_ALL] = "all networks",
		[QNM_REACH_HOST] = "this host only",
		[QNM_REACH_ADDR] = "'s network",
	};
	enum qnm_fwd_reach r = qnm_fwd_reach(f);

	snprintf(buf, size, "%s%s", r == QNM_REACH_ADDR ? f->host_addr : "", words[r]);
}

void qnm_fwd_exposure(const struct qnm_fwd *f, bool dnat, char *buf, size_t size)
{
	const char *proto = qnm_proto_name(f->proto);
	char port[16];

	qnm_ports_text(f->host_port, f->span, port, sizeof(port));
	switch (qnm_fwd_reach(f)) {
	case QNM_REACH_ALL:
		snprintf(buf, size,
			 "%s::%s %s every host address (reachable from all networks); give "
			 "127.0.0.1 (%s:127.0.0.1:%s) to keep it on this host",
			 proto, port, dnat ? "answers on" : "listens on", proto, port);
		break;
	case QNM_REACH_HOST:
		snprintf(buf, size, "%s:%s:%s is reachable from this host only", proto,
			 f->host_addr, port);
		break;
	case QNM_REACH_ADDR:
		snprintf(buf, size, "%s:%s:%s is reachable from the networks that reach %s", proto,
			 f->host_addr, port, f->host_addr);
		break;
	}
}

void qnm_ovn_fwd_exposure(const struct qnm_network *net, const struct qnm_fwd *f, char *buf,
			  size_t size)
{
	char port[16];

	qnm_ports_text(f->host_port, f->span, port, sizeof(port));
	snprintf(buf, size,
		 "%s:%s:%s answers on the gateway address %s only (OVN's router on host %s, "
		 "uplink %s), not on this host's addresses",
		 qnm_proto_name(f->proto), net->gw_address, port, net->gw_address,
		 net->gateway_host, net->uplink);
}

/* after "is not an IPv4 address" for an address with a ':' */
#define V6_ADVICE                                                                                  \
	" (forwards take IPv4 addresses; one with no host address on a network with ipv6= "        \
	"also answers on the host's IPv6 addresses when it goes to a VM/NIC)"

/* Split "addr:ports" (addr may be empty) into its parts. */
static int split_addr_port(const char *s, char *addr, uint16_t *port, unsigned *span,
			   const char *what, const char *field, struct qnm_err *err)
{
	const char *colon = strrchr(s, ':');
	uint32_t a;
	size_t alen;

	if (!colon)
		return qnm_err_set(err, -EINVAL, field, "%s: %s '%s' must be ADDRESS:PORT or :PORT",
				   field, what, s);
	alen = (size_t)(colon - s);
	if (alen < QNM_IPV4_LEN) { /* read where it is kept */
		memcpy(addr, s, alen);
		addr[alen] = '\0';
	}
	if (alen >= QNM_IPV4_LEN || (alen && qnm_parse_ipv4(addr, &a)))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: %s address '%.*s' is not an IPv4 address%s", field, what,
				   (int)alen, s, memchr(s, ':', alen) ? V6_ADVICE : "");
	return parse_ports(colon + 1, port, span, what, field, err);
}

/* ' desc="TEXT"' or ' desc=TEXT' after the spec (@s: what follows it) */
static int parse_desc(const char *s, char *desc, const char *field, struct qnm_err *err)
{
	char buf[QNM_FWD_DESC_MAX + 2];
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return 0;
	if (strncmp(s, "desc=", 5) != 0)
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: after the forward only desc=\"TEXT\" may follow, not '%.20s'", field,
			s);
	s += 5;
	n = strlen(s);
	if (*s == '"') {
		if (n < 2 || s[n - 1] != '"')
			return qnm_err_set(err, -EINVAL, field,
					   "%s: description %s has no closing '\"'", field, s);
		s++;
		n -= 2;
	}
	if (n > QNM_FWD_DESC_MAX)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: description is %zu characters long; at most %d", field, n,
				   QNM_FWD_DESC_MAX);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (qnm_fwd_check_desc(buf, field, err))
		return -EINVAL;
	memcpy(desc, buf, n + 1);
	return 0;
}

/*
 * A guest side that is a target "VM/NIC" (a '/' in @spec; VM names hold no
 * ':' but may hold '-'): the separator is the '-' after the host ports,
 * which are one port, or a range when the guest's ports are one. Return: it,
 * or NULL.
 */
static const char *target_sep(const char *spec, const char *gcolon)
{
	const char *slash = strchr(spec, '/'), *c = NULL, *p;

	for (p = spec; p < slash; p++)
		if (*p == ':')
			c = p;
	if (!c)
		return NULL;
	p = c + 1 + strspn(c + 1, "0123456789");
	if (strchr(gcolon + 1, '-') && *p == '-')
		p += 1 + strspn(p + 1, "0123456789");
	return *p == '-' ? p : NULL;
}

/* the guest side "VM/NIC:PORTS" (@s up to @gcolon) of a forward to a NIC into @f */
static int parse_target(const char *s, const char *gcolon, struct qnm_fwd *f, unsigned *span,
			const char *field, struct qnm_err *err)
{
	const char *slash = strchr(s, '/');
	char vm[QNM_NAME_MAX + 1], nic[QNM_NAME_MAX + 1];
	size_t vlen = (size_t)(slash - s), nlen = (size_t)(gcolon - slash - 1);

	if (slash > gcolon || vlen >= sizeof(vm) || nlen >= sizeof(nic))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: target '%.*s' must be VM/NIC (a VM name and a NIC id)",
				   field, (int)(gcolon - s), s);
	memcpy(vm, s, vlen);
	vm[vlen] = '\0';
	memcpy(nic, slash + 1, nlen);
	nic[nlen] = '\0';
	if (!qnm_valid_name(vm) || !qnm_valid_name(nic))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: target '%.*s' must be VM/NIC (a VM name and a NIC id)",
				   field, (int)(gcolon - s), s);
	memcpy(f->target, s, vlen + 1 + nlen); /* "VM/NIC": both checked, fits */
	f->target[vlen + 1 + nlen] = '\0';
	f->guest_addr[0] = '\0';
	return parse_ports(gcolon + 1, &f->guest_port, span, "guest", field, err);
}

int qnm_fwd_parse(const char *s, struct qnm_fwd *out, const char *field, struct qnm_err *err)
{
	struct qnm_fwd f;
	const char *rest, *gcolon, *sep, *c1, *c2;
	char spec[160], host[64], hp[16], gp[16];
	unsigned hspan = 1, gspan = 1;
	size_t n = strcspn(s, " \t");
	int r;

	memset(&f, 0, sizeof(f));
	f.proto = QNM_PROTO_TCP;
	if (n >= sizeof(spec))
		return qnm_err_set(err, -EINVAL, field, "%s: '%.40s...' is too long", field, s);
	memcpy(spec, s, n);
	spec[n] = '\0';
	r = parse_desc(s + n, f.desc, field, err);
	if (r)
		return r;
	/* the guest side is the last ':' and what follows; the separator the last '-' before */
	gcolon = strrchr(spec, ':');
	sep = gcolon ? memrchr(spec, '-', (size_t)(gcolon - spec)) : NULL;
	if (gcolon && strchr(spec, '/')) /* to a NIC, "VM/NIC" (names may hold '-') */
		sep = target_sep(spec, gcolon);
	if (!sep)
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' must look like tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT "
			"(a range: tcp::8000-8010-:8000-8010)",
			field, spec);
	n = (size_t)(sep - spec);
	if (n >= sizeof(host))
		return qnm_err_set(err, -EINVAL, field, "%s: host part of '%s' is too long", field,
				   spec);
	memcpy(host, spec, n);
	host[n] = '\0';
	/* two colons in the host part: the first field is the protocol */
	rest = host;
	c1 = strchr(host, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2) {
		size_t plen = (size_t)(c1 - host);
		char pname[16];

		if (plen >= sizeof(pname))
			plen = sizeof(pname) - 1;
		memcpy(pname, host, plen);
		pname[plen] = '\0';
		if (strcmp(pname, "both") == 0)
			f.proto = QNM_PROTO_BOTH;
		else if (plen && qnm_proto_parse(pname, &f.proto))
			return qnm_err_set(
				err, -EINVAL, field,
				"%s: protocol '%s' must be tcp or udp, or tcp+udp for both", field,
				pname);
		rest = c1 + 1;
	}
	r = split_addr_port(rest, f.host_addr, &f.host_port, &hspan, "host", field, err);
	if (r)
		return r;
	if (strchr(sep + 1, '/'))
		r = parse_target(sep + 1, gcolon, &f, &gspan, field, err);
	else
		r = split_addr_port(sep + 1, f.guest_addr, &f.guest_port, &gspan, "guest", field,
				    err);
	if (r)
		return r;
	if (hspan != gspan) {
		snprintf(hp, sizeof(hp), "%s", strrchr(rest, ':') + 1);
		snprintf(gp, sizeof(gp), "%s", strrchr(sep + 1, ':') + 1);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: host ports %s (%u) and guest ports %s (%u) must be as many "
				   "(give a range on both sides: tcp::8000-8010-:9000-9010)",
				   field, hp, hspan + 1, gp, gspan + 1);
	}
	f.span = (uint16_t)hspan;
	*out = f;
	return 0;
}

/* ---- NICs ---- */

void qnm_nic_init(struct qnm_nic *nic, const char *id)
{
	memset(nic, 0, sizeof(*nic));
	qnm_strlcpy(nic->id, id, sizeof(nic->id));
	qnm_strlcpy(nic->model, "virtio-net-pci", sizeof(nic->model));
	nic->link_up = true;
	nic->backend = QNM_NIC_DEFAULT_BACKEND;
	nic->user.ipv6 = true;
	nic->tap.create = true;
}

/* The keys of the schema are every field but the id: it says what they own. */
void qnm_nic_clear(struct qnm_nic *nic)
{
	qnm_schema_clear(&qnm_nic_schema, nic);
}

void qnm_nic_copy(struct qnm_nic *dst, const struct qnm_nic *src)
{
	*dst = *src;
	qnm_schema_copy(&qnm_nic_schema, dst, src);
}

bool qnm_nic_equal(const struct qnm_nic *a, const struct qnm_nic *b)
{
	return strcmp(a->id, b->id) == 0 && qnm_schema_equal(&qnm_nic_schema, a, b);
}

/* ---- VMs ---- */

struct qnm_vm *qnm_vm_new(const char *name)
{
	struct qnm_vm *vm = xcalloc(1, sizeof(*vm));

	qnm_strlcpy(vm->name, name, sizeof(vm->name));
	qnm_strlcpy(vm->arch, QNM_QEMU_DEFAULT_ARCH, sizeof(vm->arch));
	vm->memory_mb = 512;
	vm->cpus = 1;
	vm->log_max_kib = QNM_LOG_MAX_KIB;
	qnm_strlcpy(vm->machine, "q35", sizeof(vm->machine));
	vm->accel = QNM_ACCEL_AUTO;
	vm->boot = QNM_BOOT_NONE;
	return vm;
}

void qnm_vm_free(struct qnm_vm *vm)
{
	size_t i;

	if (!vm)
		return;
	qnm_schema_clear(&qnm_vm_schema, vm);
	for (i = 0; i < vm->nnics; i++)
		qnm_nic_clear(&vm->nics[i]);
	free(vm->nics);
	free(vm);
}

struct qnm_vm *qnm_vm_copy(const struct qnm_vm *vm)
{
	struct qnm_vm *c = xcalloc(1, sizeof(*c));
	size_t i;

	*c = *vm;
	qnm_schema_copy(&qnm_vm_schema, c, vm);
	c->nics = NULL;
	if (vm->nnics) {
		c->nics = xreallocarray(NULL, vm->nnics, sizeof(*c->nics));
		for (i = 0; i < vm->nnics; i++)
			qnm_nic_copy(&c->nics[i], &vm->nics[i]);
	}
	return c;
}

bool qnm_vm_equal(const struct qnm_vm *a, const struct qnm_vm *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || !qnm_schema_equal(&qnm_vm_schema, a, b) ||
	    a->nnics != b->nnics)
		return false;
	for (i = 0; i < a->nnics; i++)
		if (!qnm_nic_equal(&a->nics[i], &b->nics[i]))
			return false;
	return true;
}

void qnm_vm_add_extra(struct qnm_vm *vm, const char *arg)
{
	vm->extra = xreallocarray(vm->extra, vm->nextra + 1, sizeof(char *));
	vm->extra[vm->nextra++] = xstrdup(arg);
}

struct qnm_nic *qnm_vm_find_nic(const struct qnm_vm *vm, const char *id)
{
	size_t i;

	for (i = 0; i < vm->nnics; i++)
		if (strcmp(vm->nics[i].id, id) == 0)
			return &vm->nics[i];
	return NULL;
}

struct qnm_nic *qnm_vm_add_nic(struct qnm_vm *vm)
{
	char id[QNM_NAME_MAX + 1];
	unsigned n = 0;

	do
		snprintf(id, sizeof(id), "n%u", n++);
	while (qnm_vm_find_nic(vm, id));
	vm->nics = xreallocarray(vm->nics, vm->nnics + 1, sizeof(*vm->nics));
	qnm_nic_init(&vm->nics[vm->nnics], id);
	return &vm->nics[vm->nnics++];
}

int qnm_vm_del_nic(struct qnm_vm *vm, size_t index)
{
	if (index >= vm->nnics)
		return -ENOENT;
	qnm_nic_clear(&vm->nics[index]);
	memmove(&vm->nics[index], &vm->nics[index + 1],
		(vm->nnics - index - 1) * sizeof(*vm->nics));
	vm->nnics--;
	if (!vm->nnics) {
		free(vm->nics);
		vm->nics = NULL;
	}
	return 0;
}

/* ---- networks ---- */

struct qnm_network *qnm_network_new(const char *name)
{
	struct qnm_network *n = xcalloc(1, sizeof(*n));

	qnm_strlcpy(n->name, name, sizeof(n->name));
	n->mode = QNM_NET_NAT;
	n->prefix = 24;
	return n;
}

void qnm_network_free(struct qnm_network *net)
{
	if (!net)
		return;
	qnm_schema_clear(&qnm_net_schema, net);
	free(net);
}

struct qnm_network *qnm_network_copy(const struct qnm_network *net)
{
	struct qnm_network *c = xmalloc(sizeof(*c));

	*c = *net;
	qnm_schema_copy(&qnm_net_schema, c, net);
	return c;
}

bool qnm_network_equal(const struct qnm_network *a, const struct qnm_network *b)
{
	return strcmp(a->name, b->name) == 0 && qnm_schema_equal(&qnm_net_schema, a, b);
}

/* ---- the whole model ---- */

void qnm_model_init(struct qnm_model *m)
{
	memset(m, 0, sizeof(*m));
}

void qnm_model_clear(struct qnm_model *m)
{
	size_t i;

	for (i = 0; i < m->nvms; i++)
		qnm_vm_free(m->vms[i]);
	for (i = 0; i < m->nnets; i++)
		qnm_network_free(m->nets[i]);
	free(m->vms);
	free(m->nets);
	memset(m, 0, sizeof(*m));
}

/*
 * The index in @m->vms (sorted by name) where @name is or would go; *@found
 * says whether it is there. O(log n): a model may hold 10,000 VMs.
 */
static size_t vm_slot(const struct qnm_model *m, const char *name, bool *found)
{
	size_t lo = 0, hi = m->nvms;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->vms[mid]->name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Where the VM @name is in @m->vms, or (size_t)-1. A binary search first;
 * on a miss a linear one, as a shallow view of a model (qnm_ctx_check_vm())
 * holds its changed VM at the end, out of order.
 */
static size_t vm_index(const struct qnm_model *m, const char *name)
{
	bool found;
	size_t i = vm_slot(m, name, &found);

	if (found)
		return i;
	for (i = 0; i < m->nvms; i++)
		if (strcmp(m->vms[i]->name, name) == 0)
			return i;
	return (size_t)-1;
}

struct qnm_vm *qnm_model_find_vm(const struct qnm_model *m, const char *name)
{
	size_t i = vm_index(m, name);

	return i == (size_t)-1 ? NULL : m->vms[i];
}

struct qnm_network *qnm_model_find_net(const struct qnm_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nnets; i++)
		if (strcmp(m->nets[i]->name, name) == 0)
			return m->nets[i];
	return NULL;
}

void qnm_model_add_vm(struct qnm_model *m, struct qnm_vm *vm)
{
	size_t i, cap = 8;
	bool found;

	/* room in powers of two: realloc() to the size it has is free */
	while (cap < m->nvms + 1)
		cap *= 2;
	m->vms = xreallocarray(m->vms, cap, sizeof(*m->vms));
	/* files load in name order: appending is the common case */
	if (!m->nvms || strcmp(m->vms[m->nvms - 1]->name, vm->name) < 0)
		i = m->nvms;
	else
		i = vm_slot(m, vm->name, &found);
	memmove(&m->vms[i + 1], &m->vms[i], (m->nvms - i) * sizeof(*m->vms));
	m->vms[i] = vm;
	m->nvms++;
}

struct qnm_vm *qnm_model_remove_vm(struct qnm_model *m, const char *name)
{
	size_t i = vm_index(m, name);
	struct qnm_vm *vm;

	if (i == (size_t)-1)
		return NULL;
	vm = m->vms[i];
	memmove(&m->vms[i], &m->vms[i + 1], (m->nvms - i - 1) * sizeof(*m->vms));
	m->nvms--;
	return vm;
}

void qnm_model_add_net(struct qnm_model *m, struct qnm_network *net)
{
	size_t i = 0;

	m->nets = xreallocarray(m->nets, m->nnets + 1, sizeof(*m->nets));
	while (i < m->nnets && strcmp(m->nets[i]->name, net->name) < 0)
		i++;
	memmove(&m->nets[i + 1], &m->nets[i], (m->nnets - i) * sizeof(*m->nets));
	m->nets[i] = net;
	m->nnets++;
}

struct qnm_network *qnm_model_remove_net(struct qnm_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nnets; i++) {
		struct qnm_network *n = m->nets[i];

		if (strcmp(n->name, name) == 0) {
			memmove(&m->nets[i], &m->nets[i + 1],
				(m->nnets - i - 1) * sizeof(*m->nets));
			m->nnets--;
			return n;
		}
	}
	return NULL;
}
