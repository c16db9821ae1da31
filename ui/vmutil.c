// SPDX-License-Identifier: GPL-2.0-or-later
/* vmutil.c - committing an edited VM copy: check, save, then swap in. */
#include "build-config.h"

#include "config.h"
#include "uipriv.h"
#include "validate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int qnm_ui_save_vm(struct qnm_ui *ui, struct qnm_vm *vm, const char *old_name,
		   struct qnm_err *err)
{
	struct qnm_model *m = &ui->ctx->model, tmp;
	const char *replace = old_name ? old_name : vm->name;
	struct qnm_vm *old;
	size_t i;
	int r;

	r = qnm_check_vm(vm, err);
	if (r)
		return r;
	if (!old_name && qnm_model_find_vm(m, vm->name))
		return qnm_err_set(err, -EEXIST, "name", "name: a VM named '%s' already exists",
				   vm->name);
	if (old_name && strcmp(old_name, vm->name) != 0 && qnm_model_find_vm(m, vm->name))
		return qnm_err_set(err, -EEXIST, "name", "name: a VM named '%s' already exists",
				   vm->name);
	/* the whole model as it would be after the change, for cross-VM rules */
	tmp = *m;
	tmp.vms = xcalloc(m->nvms + 1, sizeof(*tmp.vms));
	tmp.nvms = 0;
	for (i = 0; i < m->nvms; i++)
		if (strcmp(m->vms[i]->name, replace) != 0)
			tmp.vms[tmp.nvms++] = m->vms[i];
	tmp.vms[tmp.nvms++] = vm;
	r = qnm_check_model(&tmp, err);
	free(tmp.vms);
	if (r)
		return r;
	r = qnm_config_save_vm(&ui->ctx->paths, vm, old_name, err);
	if (r)
		return r;
	old = qnm_model_remove_vm(m, replace);
	qnm_vm_free(old);
	qnm_model_add_vm(m, vm);
	return 0;
}

int qnm_ui_save_net(struct qnm_ui *ui, struct qnm_network *net, const char *old_name,
		    struct qnm_err *err)
{
	struct qnm_model *m = &ui->ctx->model, tmp;
	const char *replace = old_name ? old_name : net->name;
	struct qnm_network *old;
	size_t i;
	int r;

	r = qnm_check_network(net, err);
	if (r)
		return r;
	if ((!old_name || strcmp(old_name, net->name) != 0) && qnm_model_find_net(m, net->name))
		return qnm_err_set(err, -EEXIST, "name",
				   "name: a network named '%s' already exists", net->name);
	tmp = *m;
	tmp.nets = xcalloc(m->nnets + 1, sizeof(*tmp.nets));
	tmp.nnets = 0;
	for (i = 0; i < m->nnets; i++)
		if (strcmp(m->nets[i]->name, replace) != 0)
			tmp.nets[tmp.nnets++] = m->nets[i];
	tmp.nets[tmp.nnets++] = net;
	r = qnm_check_model(&tmp, err);
	free(tmp.nets);
	if (r)
		return r;
	r = qnm_config_save_network(&ui->ctx->paths, net, old_name, err);
	if (r)
		return r;
	old = qnm_model_remove_net(m, replace);
	qnm_network_free(old);
	qnm_model_add_net(m, net);
	return 0;
}
