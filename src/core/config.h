/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h - qnm's files on disk: where they are, how they are read and
 * how they are written.
 *
 *   $XDG_CONFIG_HOME/qnm/vms/NAME.conf       one keyfile per VM
 *   $XDG_CONFIG_HOME/qnm/networks/NAME.conf  one keyfile per network
 *   $XDG_CONFIG_HOME/qnm/.lock               the configuration lock (core/context.h)
 *   $XDG_RUNTIME_DIR/qnm/ (root: /run/qnm)   runtime state, 0700
 *   $XDG_DATA_HOME/qnm/                       demo guest and other data
 *   $XDG_CACHE_HOME/qnm/                      device catalog cache
 *
 * Files are written atomically (temp file in the same directory, fsync,
 * rename, fsync of the directory). A file that fails to parse is reported
 * as "FILE:LINE: what is wrong", skipped, and never overwritten.
 */
#ifndef QNM_CONFIG_H
#define QNM_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"

/**
 * struct qnm_paths - qnm's directories (all owned strings).
 * @config_dir:  $XDG_CONFIG_HOME/qnm
 * @vms_dir:     @config_dir/vms
 * @nets_dir:    @config_dir/networks
 * @runtime_dir: $XDG_RUNTIME_DIR/qnm, or /run/qnm for root, or
 *               /tmp/qnm-UID when neither exists.
 * @data_dir:    $XDG_DATA_HOME/qnm (~/.local/share/qnm)
 * @cache_dir:   $XDG_CACHE_HOME/qnm (~/.cache/qnm)
 */
struct qnm_paths {
	char *config_dir;
	char *vms_dir;
	char *nets_dir;
	char *runtime_dir;
	char *data_dir;
	char *cache_dir;
};

/**
 * qnm_paths_init() - compute the directories from the environment; creates
 * nothing.
 * Return: 0 or -ENOENT when neither $HOME nor the XDG variables are set.
 */
int qnm_paths_init(struct qnm_paths *p, struct qnm_err *err);
void qnm_paths_clear(struct qnm_paths *p);

/**
 * qnm_mkdir_p() - create @path and its parents with @mode (existing
 * directories are left as they are).
 * Return: 0 or -errno.
 */
int qnm_mkdir_p(const char *path, mode_t mode);

/**
 * qnm_dir_trusted() - may qnm believe what directory @path holds? Only when
 * it is a real directory (not a symlink), owned by the effective user and
 * writable by no one else: the fallback runtime dir /tmp/qnm-UID could have
 * been made by another user first, who could then plant a state file, a
 * serial log or ownership records (which say what qnm may delete).
 * Return: 0, or -ENOTDIR/-EPERM/-errno (@err, field "runtime_dir", says
 * which path, why and what to do).
 */
int qnm_dir_trusted(const char *path, struct qnm_err *err);

/**
 * qnm_open_owned() - open @path with @flags (O_CREAT takes 0600) as a
 * regular file of the effective user: never through a symlink (O_NOFOLLOW),
 * never a FIFO or device (opened O_NONBLOCK, checked, then blocking again).
 * Return: a file descriptor (close-on-exec; caller closes), -ENOENT, -ELOOP
 * (a symlink), -EPERM (not a regular file, or another user's), or -errno;
 * @err says which (not for -ENOENT).
 */
int qnm_open_owned(const char *path, int flags, struct qnm_err *err);

/**
 * struct qnm_problem - one file that could not be loaded.
 * @file: its path.
 * @line: line number of the problem (0 = the file as a whole).
 * @msg:  "FILE:LINE: what is wrong".
 */
struct qnm_problem {
	char *file;
	unsigned line;
	char *msg;
};

/** struct qnm_problems - the problems found while loading, @n of them. */
struct qnm_problems {
	struct qnm_problem *v;
	size_t n;
};

void qnm_problems_clear(struct qnm_problems *p);
/** qnm_problems_copy() - make @to (empty) a copy of @from. */
void qnm_problems_copy(struct qnm_problems *to, const struct qnm_problems *from);
/** qnm_problems_has_file() - true when @file is in the list (never overwrite it). */
bool qnm_problems_has_file(const struct qnm_problems *p, const char *file);

/**
 * qnm_vm_parse() - parse the text of a VM keyfile.
 * @text:     the file's bytes (need not be NUL-terminated).
 * @len:      their length.
 * @filename: used in messages ("FILE:LINE: ...") and, when @name is NULL,
 *            to derive the VM's name (base name without ".conf").
 * @out:      the VM on success (caller frees with qnm_vm_free()).
 * @err:      on failure, msg is "FILE:LINE: what is wrong".
 *
 * The result is also validated with qnm_check_vm().
 * Return: 0 or -EINVAL.
 */
int qnm_vm_parse(const char *text, size_t len, const char *filename, struct qnm_vm **out,
		 struct qnm_err *err);

/**
 * qnm_vm_serialize() - the keyfile text of @vm, with comments that explain
 * each key to someone editing the file by hand.
 * Return: new string, caller frees.
 */
char *qnm_vm_serialize(const struct qnm_vm *vm);

/** qnm_network_parse() - like qnm_vm_parse(), for a network keyfile. */
int qnm_network_parse(const char *text, size_t len, const char *filename, struct qnm_network **out,
		      struct qnm_err *err);
/** qnm_network_serialize() - like qnm_vm_serialize(), for a network. */
char *qnm_network_serialize(const struct qnm_network *net);

/**
 * qnm_config_load() - load every VM and network into @m (which must be
 * empty). Files that fail to parse go to @problems; the rest still load.
 * A VM whose name repeats another's is reported too.
 * Return: 0, or -errno when a directory exists but cannot be read.
 */
int qnm_config_load(const struct qnm_paths *p, struct qnm_model *m, struct qnm_problems *problems,
		    struct qnm_err *err);

/**
 * qnm_config_load_networks() - load only the networks into @m (which must
 * have none), as qnm_config_load() does: for a check that needs them and
 * not the VMs (a VM's delete: is it a forward's target?).
 * Return: 0, or -errno when the directory exists but cannot be read.
 */
int qnm_config_load_networks(const struct qnm_paths *p, struct qnm_model *m,
			     struct qnm_problems *problems, struct qnm_err *err);

/**
 * qnm_config_load_vm() - read the one file of the VM @name (a command about
 * one VM need not read 10,000 others).
 * @p:    the paths.
 * @name: a valid VM name.
 * @out:  the VM, which the caller frees.
 * @err:  why not.
 * Return: 0; -ENOENT when there is no such file; another -errno when it
 * cannot be read or does not parse.
 */
int qnm_config_load_vm(const struct qnm_paths *p, const char *name, struct qnm_vm **out,
		       struct qnm_err *err);
/**
 * qnm_config_save_vm() - validate and atomically write @vm's file.
 * @old_name: the name the VM had before (rename: the old file is removed
 *            after the new one is in place), or NULL.
 *
 * Refuses (-EEXIST) to overwrite an existing file that does not parse.
 * Return: 0 or -errno; nothing is written on error.
 */
int qnm_config_save_vm(const struct qnm_paths *p, const struct qnm_vm *vm, const char *old_name,
		       struct qnm_err *err);

/**
 * qnm_config_save_vm_same_index() - qnm_config_save_vm() of VM @vm under
 * its own name when its index record (core/index.h: its name, MACs and
 * host ports) stays as it is: the index is not removed first, as it stays
 * true of the files whenever the save is killed; the caller re-stamps it
 * (qnm_index_restamp()).
 * Return: 0 or -errno; nothing is written on error.
 */
int qnm_config_save_vm_same_index(const struct qnm_paths *p, const struct qnm_vm *vm,
				  struct qnm_err *err);
/** qnm_config_delete_vm() - remove @name's file. Return: 0 or -errno. */
int qnm_config_delete_vm(const struct qnm_paths *p, const char *name, struct qnm_err *err);
int qnm_config_save_network(const struct qnm_paths *p, const struct qnm_network *net,
			    const char *old_name, struct qnm_err *err);
int qnm_config_delete_network(const struct qnm_paths *p, const char *name, struct qnm_err *err);

/**
 * qnm_atomic_write() - write @len bytes to @path atomically: temp file in
 * the same directory, fsync, rename over @path, fsync the directory.
 * On any error the temp file is removed and @path is unchanged.
 * Return: 0 or -errno (@err says which step failed, e.g. disk full).
 */
int qnm_atomic_write(const char *path, const char *data, size_t len, mode_t mode,
		     struct qnm_err *err);

/**
 * qnm_read_file() - read a whole (small) file.
 * @max: refuse files larger than this (-EFBIG).
 * Return: 0 or -errno; *@out is NUL-terminated, caller frees.
 */
int qnm_read_file(const char *path, size_t max, char **out, size_t *len);

/**
 * qnm_vm_assign() - apply one "KEY=VALUE" to @vm, with the same keys and
 * rules as the VM file ("name=" renames). For list keys (extra):
 * "KEY=V" replaces the list, "KEY+=V" appends, "KEY-=V" removes, "KEY="
 * empties it. Only the one value is checked; run qnm_check_vm() before
 * saving.
 * Return: 0 or -EINVAL/-ENOENT with @err naming the key.
 */
int qnm_vm_assign(struct qnm_vm *vm, const char *assignment, struct qnm_err *err);
/** qnm_nic_assign() - like qnm_vm_assign() for a NIC's keys (hostfwd is a list). */
int qnm_nic_assign(struct qnm_nic *nic, const char *assignment, struct qnm_err *err);
/** qnm_network_assign() - like qnm_vm_assign() for a network's keys (forward is a list). */
int qnm_network_assign(struct qnm_network *net, const char *assignment, struct qnm_err *err);

#endif
