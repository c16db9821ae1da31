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

static const char *const proto_names[] = { "tcp", "udp" };
static const char *const backend_names[] = { "user", "slirp", "tap", "bridge", "passt", "private" };
static const char *const accel_names[] = { "auto", "kvm", "tcg" };
static const char *const boot_names[] = { "none", "disk", "cdrom", "kernel" };
static const char *const net_mode_names[] = { "nat", "bridged", "isolated" };

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
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
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

void qnm_fwd_format(const struct qnm_fwd *f, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s:%u-%s:%u", qnm_proto_name(f->proto), f->host_addr,
		 (unsigned)f->host_port, f->guest_addr, (unsigned)f->guest_port);
}

/* Split "addr:port" (addr may be empty) into its parts. */
static int split_addr_port(const char *s, char *addr, uint16_t *port, const char *what,
			   const char *field, struct qnm_err *err)
{
	const char *colon = strrchr(s, ':');
	unsigned long p;
	size_t alen;
	int r;

	if (!colon)
		return qnm_err_set(err, -EINVAL, field, "%s: %s '%s' must be ADDRESS:PORT or :PORT",
				   field, what, s);
	alen = (size_t)(colon - s);
	if (alen >= QNM_IPV4_LEN)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: %s address '%.*s' is not an IPv4 address", field, what,
				   (int)alen, s);
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (alen && !qnm_valid_ipv4(addr))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: %s address '%s' is not an IPv4 address", field, what, addr);
	r = qnm_parse_uint(colon + 1, 1, 65535, &p);
	if (r)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: %s port '%s' must be a number from 1 to 65535", field, what,
				   colon + 1);
	*port = (uint16_t)p;
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
	unsigned port = f->host_port;

	switch (qnm_fwd_reach(f)) {
	case QNM_REACH_ALL:
		snprintf(buf, size,
			 "%s::%u %s every host address (reachable from all networks); give "
			 "127.0.0.1 (%s:127.0.0.1:%u) to keep it on this host",
			 proto, port, dnat ? "answers on" : "listens on", proto, port);
		break;
	case QNM_REACH_HOST:
		snprintf(buf, size, "%s:%s:%u is reachable from this host only", proto,
			 f->host_addr, port);
		break;
	case QNM_REACH_ADDR:
		snprintf(buf, size, "%s:%s:%u is reachable from the networks that reach %s", proto,
			 f->host_addr, port, f->host_addr);
		break;
	}
}

int qnm_fwd_parse(const char *s, struct qnm_fwd *out, const char *field, struct qnm_err *err)
{
	struct qnm_fwd f;
	const char *rest = s, *dash;
	char host[64];
	size_t hlen;
	int r;

	memset(&f, 0, sizeof(f));
	f.proto = QNM_PROTO_TCP;
	dash = strchr(s, '-');
	if (dash) {
		/* Two colons before '-': the first field is the protocol. */
		const char *c1 = strchr(s, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (c2 && c2 < dash) {
			size_t plen = (size_t)(c1 - s);

			if (plen == 3 && strncmp(s, "udp", 3) == 0)
				f.proto = QNM_PROTO_UDP;
			else if (plen != 0 && !(plen == 3 && strncmp(s, "tcp", 3) == 0))
				return qnm_err_set(err, -EINVAL, field,
						   "%s: protocol '%.*s' must be tcp or udp", field,
						   (int)plen, s);
			rest = c1 + 1;
		}
	}
	dash = strchr(rest, '-');
	if (!dash)
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%s' must look like tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
			field, s);
	hlen = (size_t)(dash - rest);
	if (hlen >= sizeof(host))
		return qnm_err_set(err, -EINVAL, field, "%s: host part of '%s' is too long", field,
				   s);
	memcpy(host, rest, hlen);
	host[hlen] = '\0';
	r = split_addr_port(host, f.host_addr, &f.host_port, "host", field, err);
	if (r)
		return r;
	r = split_addr_port(dash + 1, f.guest_addr, &f.guest_port, "guest", field, err);
	if (r)
		return r;
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

struct qnm_vm *qnm_model_find_vm(const struct qnm_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nvms; i++)
		if (strcmp(m->vms[i]->name, name) == 0)
			return m->vms[i];
	return NULL;
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
	size_t i = 0;

	m->vms = xreallocarray(m->vms, m->nvms + 1, sizeof(*m->vms));
	while (i < m->nvms && strcmp(m->vms[i]->name, vm->name) < 0)
		i++;
	memmove(&m->vms[i + 1], &m->vms[i], (m->nvms - i) * sizeof(*m->vms));
	m->vms[i] = vm;
	m->nvms++;
}

struct qnm_vm *qnm_model_remove_vm(struct qnm_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nvms; i++) {
		struct qnm_vm *vm = m->vms[i];

		if (strcmp(vm->name, name) == 0) {
			memmove(&m->vms[i], &m->vms[i + 1], (m->nvms - i - 1) * sizeof(*m->vms));
			m->nvms--;
			return vm;
		}
	}
	return NULL;
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
