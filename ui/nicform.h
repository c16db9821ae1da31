/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nicform.h - how the VM form opens the NIC form. */
#ifndef QNM_UI_NICFORM_H
#define QNM_UI_NICFORM_H

#include "uipriv.h"

/**
 * struct qnm_nicform_arg - what the NIC form edits.
 * @vm:    the VM form's copy of the VM (the NIC form edits a copy of one
 *         of its NICs and writes it back on OK; the VM form saves).
 * @index: NIC index, or -1 for a new NIC.
 * @done:  called after the NIC was written back into @vm.
 * @data:  for @done.
 */
struct qnm_nicform_arg {
	struct qnm_vm *vm;
	int index;
	void (*done)(struct qnm_ui *ui, void *data);
	void *data;
};

#endif
