// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmutil.c - committing an edited copy through the engine's one save path
 * (qnm_api_vm_save()/qnm_ctx_save_network(): check against the whole
 * model, write atomically, then replace the model's object).
 */
#include "build-config.h"

#include "api/vm.h"
#include "uipriv.h"

#include <stdlib.h>

int qnm_ui_save_vm(struct qnm_ui *ui, struct qnm_vm *vm, const char *old_name, struct qnm_err *err)
{
	int r = qnm_api_vm_save(ui->ctx, vm, old_name, err);

	if (r == 0)
		qnm_vm_free(vm); /* the model keeps its own copy */
	return r;
}

int qnm_ui_save_net(struct qnm_ui *ui, struct qnm_network *net, const char *old_name,
		    struct qnm_err *err)
{
	int r = qnm_ctx_save_network(ui->ctx, net, old_name, err);

	if (r == 0)
		qnm_network_free(net);
	return r;
}
