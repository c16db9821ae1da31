// SPDX-License-Identifier: GPL-2.0-or-later
/* backend.c - the backend table. */
#include "build-config.h"

#include "core/backend.h"

#include <stdio.h>
#include <string.h>

static const struct qnm_backend_ops *const backends[QNM_BACKEND__COUNT] = {
	[QNM_BACKEND_USER] = &qnm_backend_user,	  [QNM_BACKEND_SLIRP] = &qnm_backend_slirp,
	[QNM_BACKEND_TAP] = &qnm_backend_tap,	  [QNM_BACKEND_BRIDGE] = &qnm_backend_bridge,
	[QNM_BACKEND_PASST] = &qnm_backend_passt, [QNM_BACKEND_PRIVATE] = &qnm_backend_private,
};

const struct qnm_backend_ops *qnm_backend_get(enum qnm_backend_kind kind)
{
	if ((unsigned)kind >= QNM_BACKEND__COUNT)
		return NULL;
	return backends[kind];
}

const struct qnm_backend_ops *qnm_nic_backend(const struct qnm_nic *nic)
{
	return qnm_backend_get(nic->backend);
}

const char *qnm_nic_network(const struct qnm_nic *nic)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(nic);

	return b && b->network ? b->network(nic) : NULL;
}

const char *qnm_nic_label(const struct qnm_nic *nic, char *buf, size_t size)
{
	const struct qnm_backend_ops *b = qnm_nic_backend(nic);
	char where[64];

	if (b && b->label)
		b->label(nic, where, sizeof(where));
	else
		qnm_strlcpy(where, qnm_backend_name(nic->backend), sizeof(where));
	snprintf(buf, size, "%s/%s", nic->model, where);
	return buf;
}

bool qnm_model_uses_backend(const struct qnm_model *model, enum qnm_backend_kind kind)
{
	size_t i, j;

	for (i = 0; i < model->nvms; i++)
		for (j = 0; j < model->vms[i]->nnics; j++)
			if (model->vms[i]->nics[j].backend == kind)
				return true;
	return false;
}

bool qnm_backend_has_counters(const struct qnm_backend_ops *b)
{
	return b && (b->host_ifname || b->slirp_helper || b->nic_stats);
}

void qnm_tap_default_ifname(const struct qnm_vm *vm, size_t nic_index, char *buf)
{
	char name[9];
	size_t i;

	qnm_strlcpy(name, vm->name, sizeof(name));
	/* '.' is legal in ifnames but confusing next to the separators. */
	for (i = 0; name[i]; i++)
		if (name[i] == '.')
			name[i] = '_';
	snprintf(buf, QNM_IFNAME_MAX + 1, "qt-%s-%zu", name, nic_index);
}

void qnm_tap_ifname(const struct qnm_vm *vm, size_t nic_index, char *buf)
{
	if (vm->nics[nic_index].tap.ifname[0])
		qnm_strlcpy(buf, vm->nics[nic_index].tap.ifname, QNM_IFNAME_MAX + 1);
	else
		qnm_tap_default_ifname(vm, nic_index, buf);
}
