// SPDX-License-Identifier: GPL-2.0-or-later
/* fwdlist.c - forwards of NICs and networks as one list (see fwdlist.h). */
#include "build-config.h"

#include "fwdlist.h"
#include "guests.h"
#include "host/netctl.h"
#include "core/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *qnm_fwd_ref_owner(const struct qnm_fwd_ref *r, char *buf, size_t size)
{
	if (r->vm[0])
		snprintf(buf, size, "VM %s NIC %s", r->vm, r->nic);
	else
		snprintf(buf, size, "network %s", r->net);
	return buf;
}

struct qnm_fwd_ref *qnm_fwd_targets(const struct qnm_model *m, size_t *n)
{
	struct qnm_fwd_ref *v = NULL;
	size_t i, j;

	*n = 0;
	for (i = 0; i < m->nvms; i++) {
		for (j = 0; j < m->vms[i]->nnics; j++) {
			const struct qnm_nic *nic = &m->vms[i]->nics[j];

			if (!qnm_nic_backend(nic)->has_hostfwd)
				continue;
			v = xreallocarray(v, *n + 1, sizeof(*v));
			memset(&v[*n], 0, sizeof(*v));
			qnm_strlcpy(v[*n].vm, m->vms[i]->name, sizeof(v->vm));
			qnm_strlcpy(v[*n].nic, nic->id, sizeof(v->nic));
			v[(*n)++].index = -1;
		}
	}
	for (i = 0; i < m->nnets; i++) {
		v = xreallocarray(v, *n + 1, sizeof(*v));
		memset(&v[*n], 0, sizeof(*v));
		qnm_strlcpy(v[*n].net, m->nets[i]->name, sizeof(v->net));
		v[(*n)++].index = -1;
	}
	return v;
}

struct qnm_fwd *qnm_fwd_lookup(const struct qnm_model *m, const struct qnm_fwd_ref *r)
{
	if (r->vm[0]) {
		struct qnm_vm *vm = qnm_model_find_vm(m, r->vm);
		struct qnm_nic *nic = vm ? qnm_vm_find_nic(vm, r->nic) : NULL;

		if (!nic || r->index < 0 || (size_t)r->index >= nic->user.nfwd)
			return NULL;
		return &nic->user.fwd[r->index];
	} else {
		struct qnm_network *net = qnm_model_find_net(m, r->net);

		if (!net || r->index < 0 || (size_t)r->index >= net->nfwd)
			return NULL;
		return &net->fwd[r->index];
	}
}

bool qnm_fwd_live(struct qnm_ui *ui, const struct qnm_fwd_ref *r, const struct qnm_fwd *f,
		  const struct qnm_fwd *old)
{
	struct qnm_vm *vm = r->vm[0] ? qnm_model_find_vm(&ui->ctx->model, r->vm) : NULL;
	struct qnm_nic *nic = vm ? qnm_vm_find_nic(vm, r->nic) : NULL;
	struct qnm_rundir rd;
	struct qnm_err err;
	char text[80];
	int rc;

	if (r->net[0]) {
		struct qnm_netctl nc;
		bool up;

		/* a network that is up gets its rules rewritten with the new forwards */
		if (qnm_netctl_open(&nc, ui->ctx->paths.runtime_dir, NULL))
			return false;
		up = qnm_net_is_up(&nc, r->net);
		qnm_netctl_close(&nc);
		if (!up)
			return false;
		qnm_ui_log(ui, QNM_MSG_INFO, "forward saved; network %s is up: applying it now",
			   r->net);
		qnm_ui_net_updown(ui, r->net, true, false);
		return true;
	}
	if (!nic || !qnm_nic_backend(nic)->hostfwd_live ||
	    qnm_guest_find(ui, vm->name)->info.status != QNM_RUN_RUNNING)
		return false;
	qnm_err_clear(&err);
	qnm_rundir_init(&rd, ui->ctx->paths.runtime_dir, vm->name);
	rc = qnm_nic_backend(nic)->hostfwd_live(rd.path, nic, old, f, 500, &err);
	qnm_rundir_clear(&rd);
	qnm_fwd_format(f ? f : old, text, sizeof(text));
	if (rc)
		qnm_ui_log(ui, QNM_MSG_ERROR,
			   "forward %s saved, but the running guest's helper refused it: %s", text,
			   err.msg);
	else
		qnm_ui_log(ui, QNM_MSG_OK, "forward %s saved and %s live on %s NIC %s", text,
			   f ? "applied" : "removed", vm->name, nic->id);
	return true;
}
