// SPDX-License-Identifier: GPL-2.0-or-later
/* mac.c - random locally administered MACs, unique across the model; clash reports. */
#include "build-config.h"

#include "core/mac.h"

#include "core/validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MAC_DRAWS 64

static int getrandom_fill(void *buf, size_t n, void *data)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom((char *)buf + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		got += (size_t)r;
	}
	return 0;
}

static const struct qnm_mac_rng default_rng = { .fill = getrandom_fill, .data = NULL };

int qnm_mac_random(const struct qnm_mac_rng *rng, uint8_t out[6])
{
	int r;

	if (!rng)
		rng = &default_rng;
	r = rng->fill(out, 6, rng->data);
	if (r)
		return r;
	out[0] = (uint8_t)((out[0] & 0xfc) | 0x02); /* unicast, locally administered */
	return 0;
}

void qnm_mac_format(const uint8_t m[6], char *buf)
{
	snprintf(buf, QNM_MAC_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
}

static uint64_t mac_key(const uint8_t m[6])
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 6; i++)
		k = k << 8 | m[i];
	return k;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A sorted set of MACs as 48-bit keys. */
struct mac_set {
	uint64_t *v;
	size_t n;
};

static void set_add_unsorted(struct mac_set *s, const char *mac)
{
	uint8_t m[6];

	if (!mac[0] || qnm_parse_mac(mac, m))
		return;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = mac_key(m);
}

static bool set_has(const struct mac_set *s, uint64_t k)
{
	return s->n && bsearch(&k, s->v, s->n, sizeof(*s->v), cmp_u64);
}

static void set_insert(struct mac_set *s, uint64_t k)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo) * sizeof(*s->v));
	s->v[lo] = k;
	s->n++;
}

/* QEMU's own defaults, 52:54:00:12:34:56 and the next ones, are never handed out. */
static bool qemu_default(const uint8_t m[6])
{
	return m[0] == 0x52 && m[1] == 0x54 && m[2] == 0x00 && m[3] == 0x12 && m[4] == 0x34;
}

int qnm_model_assign_macs(const struct qnm_model *model, struct qnm_vm *vm,
			  const struct qnm_mac_rng *rng, size_t *nassigned, struct qnm_err *err)
{
	struct mac_set used = { NULL, 0 };
	uint64_t *fresh;
	size_t i, j, count = 0;
	int r = 0;

	if (nassigned)
		*nassigned = 0;
	for (i = 0; model && i < model->nvms; i++)
		for (j = 0; j < model->vms[i]->nnics; j++)
			set_add_unsorted(&used, model->vms[i]->nics[j].mac);
	for (j = 0; j < vm->nnics; j++)
		set_add_unsorted(&used, vm->nics[j].mac);
	if (used.n)
		qsort(used.v, used.n, sizeof(*used.v), cmp_u64);
	fresh = xcalloc(vm->nnics ? vm->nnics : 1, sizeof(*fresh));
	for (j = 0; j < vm->nnics && !r; j++) {
		uint8_t m[6];
		int tries;

		if (vm->nics[j].mac[0])
			continue;
		for (tries = 0; tries < MAC_DRAWS; tries++) {
			r = qnm_mac_random(rng, m);
			if (r) {
				qnm_err_set(err, r, "mac", "mac: no random bytes for a MAC: %s",
					    strerror(-r));
				break;
			}
			if (!qemu_default(m) && !set_has(&used, mac_key(m)))
				break;
		}
		if (r)
			break;
		if (tries == MAC_DRAWS) {
			char field[64];

			snprintf(field, sizeof(field), "nic[%s].mac", vm->nics[j].id);
			r = qnm_err_set(
				err, -EAGAIN, field,
				"%s: %d random MACs in a row were already in use; the random source looks broken",
				field, MAC_DRAWS);
			break;
		}
		fresh[j] = mac_key(m) | (uint64_t)1 << 48; /* bit 48 marks "assigned" */
		set_insert(&used, mac_key(m));
		count++;
	}
	if (!r) {
		for (j = 0; j < vm->nnics; j++) {
			uint8_t m[6];
			int b;

			if (!(fresh[j] >> 48))
				continue;
			for (b = 0; b < 6; b++)
				m[b] = (uint8_t)(fresh[j] >> (40 - 8 * b));
			qnm_mac_format(m, vm->nics[j].mac);
		}
		if (nassigned)
			*nassigned = count;
	}
	free(fresh);
	free(used.v);
	return r;
}

/* One NIC's MAC, with where it lives (indices keep model order). */
struct mac_use {
	uint64_t key;
	size_t vm;
	size_t nic;
};

static int cmp_use(const void *a, const void *b)
{
	const struct mac_use *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	return x->nic < y->nic ? -1 : x->nic > y->nic;
}

void qnm_mac_clashes(const struct qnm_model *model, struct qnm_mac_clash **out, size_t *n)
{
	struct mac_use *uses = NULL;
	struct qnm_mac_clash *v = NULL;
	size_t nuses = 0, nv = 0, i, j, k;

	for (i = 0; i < model->nvms; i++) {
		for (j = 0; j < model->vms[i]->nnics; j++) {
			uint8_t m[6];

			if (qnm_parse_mac(model->vms[i]->nics[j].mac, m))
				continue;
			uses = xreallocarray(uses, nuses + 1, sizeof(*uses));
			uses[nuses++] = (struct mac_use){ mac_key(m), i, j };
		}
	}
	if (nuses)
		qsort(uses, nuses, sizeof(*uses), cmp_use);
	for (i = 0; i < nuses; i = j) {
		for (j = i + 1; j < nuses && uses[j].key == uses[i].key; j++)
			;
		for (k = i; k < j; k++) {
			for (size_t l = k + 1; l < j; l++) {
				const struct qnm_vm *va = model->vms[uses[k].vm];
				const struct qnm_vm *vb = model->vms[uses[l].vm];
				struct qnm_mac_clash *c;
				uint8_t m[6];

				v = xreallocarray(v, nv + 1, sizeof(*v));
				c = &v[nv++];
				qnm_parse_mac(va->nics[uses[k].nic].mac, m);
				qnm_mac_format(m, c->mac);
				qnm_strlcpy(c->vm_a, va->name, sizeof(c->vm_a));
				qnm_strlcpy(c->nic_a, va->nics[uses[k].nic].id, sizeof(c->nic_a));
				qnm_strlcpy(c->vm_b, vb->name, sizeof(c->vm_b));
				qnm_strlcpy(c->nic_b, vb->nics[uses[l].nic].id, sizeof(c->nic_b));
			}
		}
	}
	free(uses);
	*out = v;
	*n = nv;
}

char *qnm_mac_clash_text(const struct qnm_mac_clash *c)
{
	if (strcmp(c->vm_a, c->vm_b) == 0)
		return xasprintf("MAC %s is used by both NIC '%s' and NIC '%s' of VM '%s'", c->mac,
				 c->nic_a, c->nic_b, c->vm_a);
	return xasprintf("MAC %s is used by both VM '%s' NIC '%s' and VM '%s' NIC '%s'", c->mac,
			 c->vm_a, c->nic_a, c->vm_b, c->nic_b);
}
