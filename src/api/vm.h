/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm.h - the engine API for VMs and their NICs: the configuration use cases
 * (save, delete, clone, NIC add/change/remove) and the QEMU command line.
 *
 * Every change goes through one save path, qnm_api_vm_save(): the VM is
 * checked on its own and against every other VM and network of the model
 * (MAC clashes, host ports, networks), its file is written atomically, and
 * only then does the model hold the new VM. On any error nothing is written
 * and the model is unchanged. Each use case holds the configuration lock
 * and works on the model as on disk (core/context.h, qnm_ctx_begin()).
 * The CLI (qnm new/set/del/nic/cmdline) and the
 * UI (VMs screen, VM and NIC forms, command preview) call these; running
 * VMs are in run.h.
 */
#ifndef QNM_API_VM_H
#define QNM_API_VM_H

#include <stdbool.h>

#include "core/context.h"

/**
 * qnm_api_vm_check_name() - may a new VM be called @name? It must be a
 * valid name and no VM of the model may have it.
 * @ctx:  the context (model loaded).
 * @name: the name asked for.
 * @err:  "name: 'x y' must be 1-32 letters, ..." or "name: a VM named 'web'
 *        already exists".
 * Return: 0, -EINVAL or -EEXIST.
 */
int qnm_api_vm_check_name(const struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

/**
 * qnm_api_vm_save() - create, change or rename a VM: the one save path.
 * @ctx:      the context (model loaded); its model gets a copy of @vm.
 * @vm:       the VM as it should be (the caller keeps it): a copy of
 *            @ctx->model's VM @old_name, edited (a form).
 * @old_name: the VM it replaces (its name before a rename), NULL for a new VM.
 * @err:      names the field and the rule on failure.
 *
 * Under the configuration lock; if another process changed the VM's file
 * since @ctx->model read it, nothing is written: -ESTALE, "VM web was
 * changed by another qnm since you opened this form: reopen it" (the model
 * then holds the VM as it is on disk). To apply a change to the VM as it
 * is on disk now, use qnm_api_vm_edit().
 * Return: 0 or -errno; on failure nothing is written.
 */
int qnm_api_vm_save(struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		    struct qnm_err *err);

/**
 * typedef qnm_api_vm_edit_fn - a change to a VM (e.g. KEY=VALUE assignments).
 * @vm:   a copy of the VM as it is on disk now, to change.
 * @data: the caller's.
 * @err:  names the field on failure.
 * Return: 0 or -errno (nothing is saved).
 */
typedef int (*qnm_api_vm_edit_fn)(struct qnm_vm *vm, void *data, struct qnm_err *err);

/**
 * qnm_api_vm_edit() - change the VM @name: under the configuration lock,
 * the model is re-read from disk, @fn changes a copy of the VM as it is
 * there now (so "extra+=" appends to what another process saved a moment
 * ago), and the copy goes through qnm_api_vm_save().
 * Return: 0, -ENOENT (no such VM), or -errno from @fn or the save.
 */
int qnm_api_vm_edit(struct qnm_ctx *ctx, const char *name, qnm_api_vm_edit_fn fn, void *data,
		    struct qnm_err *err);

/**
 * qnm_api_vm_delete() - remove the VM @name's file and take it out of the model.
 * Return: 0 or -errno (-ENOENT: no such VM).
 */
int qnm_api_vm_delete(struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

/**
 * qnm_api_vm_clone() - save a copy of the VM @name as @new_name, its NICs'
 * MACs cleared (a clone must not share them; they are generated at start).
 * Return: 0 or -errno (@err as qnm_api_vm_check_name() or qnm_api_vm_save()).
 */
int qnm_api_vm_clone(struct qnm_ctx *ctx, const char *name, const char *new_name,
		     struct qnm_err *err);

/**
 * qnm_api_nic_init() - a new NIC for @vm: defaults and an id no NIC of @vm
 * has ("n0", "n1", ...), for a front end to fill in before qnm_api_nic_add()
 * or the NIC form.
 * @nic: uninitialised; release with qnm_nic_clear().
 */
void qnm_api_nic_init(const struct qnm_vm *vm, struct qnm_nic *nic);

/**
 * qnm_api_nic_add() - add @nic to the VM @vm_name (as on disk now: the
 * model is re-read under the configuration lock) and save it: NICs without
 * a MAC get a unique one, the VM is checked in the model, the host ports
 * @nic forwards must be free now (the process holding one is named), then
 * qnm_api_vm_save().
 * @nic: the new NIC; its mac is filled when one was generated.
 * Return: 0 or -errno with @err set; on failure nothing is written.
 */
int qnm_api_nic_add(struct qnm_ctx *ctx, const char *vm_name, struct qnm_nic *nic,
		    struct qnm_err *err);

/**
 * qnm_api_nic_set() - replace the NIC @nic_id of the VM @vm_name by @nic
 * (which may have another id) and save, as qnm_api_nic_add(); only the host
 * ports @nic gains over the saved NIC must be free (the VM's running QEMU
 * may hold its own).
 * @nic: the changed NIC; its mac is filled when one was generated.
 * Return: 0 or -errno (-ENOENT: no such VM or NIC).
 */
int qnm_api_nic_set(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
		    struct qnm_nic *nic, struct qnm_err *err);

/**
 * qnm_api_nic_del() - remove the NIC @nic_id of the VM @vm_name and save.
 * Return: 0 or -errno (-ENOENT: no such VM or NIC).
 */
int qnm_api_nic_del(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
		    struct qnm_err *err);

/** typedef qnm_api_nic_edit_fn - like qnm_api_vm_edit_fn, for a NIC. */
typedef int (*qnm_api_nic_edit_fn)(struct qnm_nic *nic, void *data, struct qnm_err *err);

/**
 * qnm_api_nic_edit() - add a NIC to the VM @vm_name or change its NIC
 * @nic_id, the change applied to the VM as it is on disk now (see
 * qnm_api_vm_edit()): @fn fills a new NIC (qnm_api_nic_init() of that VM)
 * or changes a copy of the NIC @nic_id, then qnm_api_nic_add() or
 * qnm_api_nic_set() saves it, all under the configuration lock.
 * @nic_id: the NIC to change, or NULL for a new one.
 * @out:    the NIC as saved (or as far as it got); release with qnm_nic_clear().
 * Return: 0, -ENOENT (no such VM or NIC), or -errno from @fn or the save.
 */
int qnm_api_nic_edit(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
		     qnm_api_nic_edit_fn fn, void *data, struct qnm_nic *out, struct qnm_err *err);

/**
 * qnm_api_nic_check() - check @nic before it goes into @vm, a VM being
 * edited (not saved: the VM's save checks the whole model): the NIC's own
 * rules, its id and MAC unique in @vm, and the host ports it gains over
 * @vm's NIC @index free now.
 * @ctx:   the context.
 * @vm:    the VM being edited.
 * @index: the NIC of @vm that @nic replaces, or -1 for a new NIC.
 * @nic:   the NIC.
 * @err:   field "id", "mac", "hostfwd" or "nic[ID].KEY" and the rule.
 * Return: 0 or -errno.
 */
int qnm_api_nic_check(const struct qnm_ctx *ctx, const struct qnm_vm *vm, int index,
		      const struct qnm_nic *nic, struct qnm_err *err);

/**
 * qnm_api_vm_cmdline() - the exact QEMU argv of @vm, as the runner would
 * start it (accel=auto resolved by looking at /dev/kvm).
 * @ctx:      the context.
 * @vm:       the VM.
 * @nic_form: NICs as the short -nic form where it can express them, instead
 *            of -netdev/-device pairs.
 * @argv:     initialised; filled (free with qnm_strv_free()).
 * Return: 0 or -errno with @err naming the field.
 */
int qnm_api_vm_cmdline(const struct qnm_ctx *ctx, const struct qnm_vm *vm, bool nic_form,
		       struct qnm_strv *argv, struct qnm_err *err);

/**
 * qnm_api_vm_script() - what to paste into a shell to run @vm by hand, as
 * qnm start runs it: for each slirp NIC its helper's command (with the
 * runtime directory it needs), then QEMU's argv with the guest's console on
 * the terminal (-serial mon:stdio, unless the VM's extra arguments place the
 * serial), with comments saying what each is and what qnm start adds; each command in lines of at most
 * @width - 1 columns with backslash continuations
 * (qnm_argv_to_shell_lines()).
 * @ctx:      the context (its runtime directory).
 * @vm:       the VM.
 * @nic_form: NICs as -nic instead of -netdev/-device.
 * @width:    the line width, 0 for one line per command.
 * @err:      why not (the VM's command line cannot be made).
 * Return: the text (caller frees), or NULL.
 */
char *qnm_api_vm_script(const struct qnm_ctx *ctx, const struct qnm_vm *vm, bool nic_form,
			size_t width, struct qnm_err *err);

#endif
