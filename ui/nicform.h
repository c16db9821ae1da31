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
 * @host:  the registered host whose VM it is (remotes.h), NULL for this
 *         host's: then nothing of this host's (its model, its VMs' states,
 *         its networks, bridge ACL or capabilities) is taken for that VM's;
 *         the host checks the NIC against its own model when the VM is saved.
 * @running: with @host, that host's VM runs (this host's state is asked
 *         otherwise).
 * @nets:  with @host, that host's networks ("net.list"; the form takes a
 *         reference), for the network picker.
 */
struct qnm_nicform_arg {
	struct qnm_vm *vm;
	int index;
	void (*done)(struct qnm_ui *ui, void *data);
	void *data;
	const char *host;
	bool running;
	struct json_object *nets;
};

#endif
