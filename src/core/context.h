/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * context.h - the one process-wide context, passed explicitly (no globals).
 */
#ifndef QNM_CONTEXT_H
#define QNM_CONTEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/model.h"

struct qnm_index; /* core/index.h */

/**
 * struct qnm_ctx - state shared by the CLI commands and the UI.
 * @paths:    qnm's directories.
 * @model:    every VM and network loaded from @paths.
 * @problems: files that failed to load (shown, never overwritten).
 * @loaded:   @model has been loaded.
 * @json:     --json given: commands print JSON on stdout.
 * @out:      where commands print results (stdout).
 * @errout:   where commands print errors (stderr).
 * @lock_fd:    the configuration lock's file while @lock_depth > 0.
 * @lock_depth: how many qnm_ctx_lock() calls are not yet unlocked.
 * @fresh:      @model was re-read from disk while the lock is held (so it
 *              is what is on disk: only this process writes meanwhile).
 * @one:        @model holds just the VM qnm_ctx_load_vm() read, not loaded.
 * @part:       with the lock held, @model holds every network and the VMs
 *              qnm_ctx_begin_vm() read, as on disk, and @idx the current
 *              index of the others (core/index.h); not @fresh.
 * @indexed:    @problems came from the index: every file a whole read
 *              skips (what a front end warns about after a save).
 * @idx:        the index while @part, else NULL.
 * @copied:     @model is a copy of another context's (a front end's, read
 *              earlier): not known to be what is on disk now.
 */
struct qnm_ctx {
	struct qnm_paths paths;
	struct qnm_model model;
	struct qnm_problems problems;
	bool loaded;
	bool json;
	FILE *out;
	FILE *errout;
	int lock_fd;
	unsigned lock_depth;
	bool fresh;
	bool one;
	bool part;
	bool indexed;
	struct qnm_index *idx;
	bool copied;
};

/**
 * qnm_ctx_init() - compute paths; does not load the model.
 * Return: 0 or -errno (@err set).
 */
int qnm_ctx_init(struct qnm_ctx *ctx, struct qnm_err *err);

/**
 * qnm_ctx_load() - load the model once (later calls do nothing); problems
 * are kept in @ctx->problems.
 * Return: 0 or -errno.
 */
int qnm_ctx_load(struct qnm_ctx *ctx, struct qnm_err *err);

/**
 * qnm_ctx_load_vm() - for a command that reads one VM: put the VM @name in
 * @ctx->model from its own file only, unless the model is loaded already.
 * A later qnm_ctx_load() or qnm_ctx_refresh() replaces it with the whole
 * model.
 * Return: 0 (the VM is in @ctx->model) or -errno (@err set; -ENOENT when it
 * has no file): the caller then loads the whole model for the usual advice.
 */
int qnm_ctx_load_vm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

void qnm_ctx_clear(struct qnm_ctx *ctx);

/**
 * qnm_ctx_lock() - take the configuration lock (flock on
 * $XDG_CONFIG_HOME/qnm/.lock), which every read-modify-write of the
 * configuration holds from reading the model to writing its file. Calls
 * nest (only the outermost locks); a lock held by another process is
 * waited for, up to 10 s ($QNM_LOCK_TIMEOUT_MS).
 * @ctx: the context (paths set).
 * @err: when the lock does not come: "the configuration is locked by
 *       pid N (COMMAND LINE) ..." naming the holder.
 * Return: 0, -EBUSY (timed out) or another -errno.
 */
int qnm_ctx_lock(struct qnm_ctx *ctx, struct qnm_err *err);

/** qnm_ctx_unlock() - undo one qnm_ctx_lock(); the outermost releases the lock. */
void qnm_ctx_unlock(struct qnm_ctx *ctx);

/**
 * qnm_ctx_refresh() - with the lock held, re-read the model from disk (and
 * the problems), so that a change applies to what is on disk now and the
 * checks across objects (ports, MACs, names) see other processes' saves.
 * Objects that did not change keep their address; a changed one keeps its
 * address with the new contents; deleted ones are freed.
 * Return: 0 or -errno (the lock is not held, a directory cannot be read).
 */
int qnm_ctx_refresh(struct qnm_ctx *ctx, struct qnm_err *err);

/**
 * qnm_ctx_begin() - qnm_ctx_lock() then qnm_ctx_refresh(): the start of
 * every use case that changes the configuration; end it with
 * qnm_ctx_unlock() (also after a failure of the refresh; not after a
 * failure of the lock).
 * Return: 0 or -errno with @err set; on failure nothing is held.
 */
int qnm_ctx_begin(struct qnm_ctx *ctx, struct qnm_err *err);

/**
 * qnm_ctx_begin_vm() - qnm_ctx_begin() for a use case that changes the VM
 * @name only (its settings, not its name): when the index of the other
 * VMs is current (core/index.h) and the whole model is not loaded, the
 * lock is taken and only the networks and @name's file are read (@part);
 * its save (qnm_ctx_save_vm()) then checks the clashes through the index
 * and reads the whole model only when it cannot prove there is none.
 * Otherwise as qnm_ctx_begin(). A VM with a NIC on a qnm network gets the
 * whole model (its reservation is picked among every VM's).
 * Return: 0 or -errno with @err set; end it with qnm_ctx_unlock().
 */
int qnm_ctx_begin_vm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

/**
 * qnm_ctx_delete_vm() - with the lock held, remove VM @name's file and
 * the VM from @ctx->model, keeping the index current when it was.
 * Return: 0 or -errno with @err set (-ENOENT: no such file).
 */
int qnm_ctx_delete_vm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

/**
 * qnm_ctx_fwd_add_begin() - for the add of forward @f (a guest address,
 * not a target) to network @net_name by a process that has not loaded the
 * whole model: take the lock and prove through the index (core/index.h)
 * that the add holds without reading every file: the index is current and
 * held with the whole model, the network's file has only its [network]
 * section, the network with @f passes qnm_check_network(), and the
 * index's port map marks none of @f's host ports. Only the network file's
 * settings are read (the bytes the index says hold them), not its forward
 * lines.
 * @net: on 0, the network as its file has it without its forwards (the
 *       caller frees it), for the live table's checks.
 * Return: 0 (proved: the lock is held; qnm_ctx_fwd_add_commit() or
 * qnm_ctx_unlock()), 1 (not proved: nothing held; read and check the whole
 * model) or -errno with @err set (the lock did not come).
 */
int qnm_ctx_fwd_add_begin(struct qnm_ctx *ctx, const char *net_name, const struct qnm_fwd *f,
			  struct qnm_network **net, struct qnm_err *err);

/**
 * qnm_ctx_fwd_add_commit() - after qnm_ctx_fwd_add_begin(): append @f's
 * line to the network's file (one write of one line, synced; @f's ports
 * are marked in the index's port map first and the index re-stamped
 * after, both in place: killed in between, its stamps differ from the
 * disk's and it is rebuilt), as the whole save would list it last. The
 * lock stays held.
 * Return: 0 or -errno with @err set (the file is as it was).
 */
int qnm_ctx_fwd_add_commit(struct qnm_ctx *ctx, const char *net_name, const struct qnm_fwd *f,
			   struct qnm_err *err);

/**
 * qnm_ctx_check_vm() - validate @vm on its own and against every other VM
 * and network of the loaded model (MAC clashes, host ports, networks), as
 * if it replaced the VM named @old_name (NULL: a new VM).
 * Return: 0 or -EINVAL with @err naming the field.
 */
int qnm_ctx_check_vm(const struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		     struct qnm_err *err);

/** qnm_ctx_check_network() - like qnm_ctx_check_vm() for a network. */
int qnm_ctx_check_network(const struct qnm_ctx *ctx, const struct qnm_network *net,
			  const char *old_name, struct qnm_err *err);

/**
 * qnm_ctx_save_vm() - check @vm (qnm_ctx_check_vm()), write its file
 * atomically, and put a copy of it in @ctx->model in place of @old_name.
 * On any error nothing is written and the model is unchanged.
 *
 * All of it holds the configuration lock. When the model was not re-read
 * under that lock (a form's copy, edited from @ctx->model), the model is
 * re-read first, and the VM @old_name must be on disk as @ctx->model had
 * it: if another process changed or deleted it meanwhile, nothing is
 * written (-ESTALE, "VM web was changed by another qnm since you opened
 * this form: reopen it") and @ctx->model then holds what is on disk.
 * A new or renamed VM must not take the name of one on disk (-EEXIST).
 * A rename retargets the network forwards to its NICs ("old/n0" becomes
 * "new/n0"): those networks are checked with it and written after it.
 * Return: 0 or -errno with @err set.
 */
int qnm_ctx_save_vm(struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		    struct qnm_err *err);

/** qnm_ctx_save_network() - like qnm_ctx_save_vm() for a network. */
int qnm_ctx_save_network(struct qnm_ctx *ctx, const struct qnm_network *net, const char *old_name,
			 struct qnm_err *err);

#endif
