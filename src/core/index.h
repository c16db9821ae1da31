/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * index.h - the index of what VMs share across files: their names, MACs
 * and host ports, kept in $XDG_CONFIG_HOME/qnm/.index so that a save of
 * one VM checks its clashes without reading every VM file (issue 16
 * item 6: with 10,000 VMs, qnm set and qnm new read a few files).
 *
 * The files are the truth; the index is a cache of them that is trusted
 * only when it is provably current:
 * - it is written only under the configuration lock, right after a save
 *   of the files, with stamps of what it was made from: the VM directory's
 *   inode, ctime and mtime (any file made, renamed or removed in it moves
 *   them, qnm's own atomic saves included) and a hash of every network
 *   file's name, inode, size, ctime and mtime;
 * - every write of a VM or network file removes the index first
 *   (qnm_index_drop(), from config.c), so a process killed between the
 *   file and the index leaves no index, and the next locked command
 *   rebuilds it from the files (one whole read, as before the index);
 *   two changes keep it, as they leave every record true whenever they
 *   are killed, and then re-stamp it in place (qnm_index_restamp()): a
 *   VM saved with the same name, MACs and host ports, and a forward
 *   appended to a network's file after its ports were marked in the port
 *   map (qnm_index_mark_fwd(); the map only ever gains ports between
 *   rebuilds, so it is a superset of the ports in use);
 * - an index whose stamps differ from the disk's, that does not parse or
 *   that lacks its end line is not used (and is rebuilt).
 * It only ever proves that a save has no clash: a save it cannot prove
 * so (a possible MAC or port clash, a rename, a TAP NIC on a network, a
 * forward to the VM, a model that did not hold when it was indexed)
 * reads and checks the whole model as before, with the same messages.
 * Not seen: a VM file rewritten in place by hand (not by an editor that
 * renames) until the next command that reads every file rebuilds it.
 */
#ifndef QNM_INDEX_H
#define QNM_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/model.h"

/**
 * struct qnm_index - the index in memory: its records as they are in the
 * file, one line a VM, "v NAME[ mMAC]...[ fPROTO,PORT,SPAN,ADDRESS]...",
 * sorted by name (a record is found by bisection, the clash scan reads
 * the text once: nothing is parsed into objects).
 * @text:     the records, @len bytes; NULL when none. A loaded index's
 *            point into its mapping of the file until a change copies them.
 * @n:        how many records.
 * @nets:     the networks, one line each, "n NAME FROM TO SIZE" (see
 *            qnm_index_net_settings()), @nets_len bytes.
 * @problems: the files the whole read skipped (their warnings).
 * @ok:       the whole model passed qnm_check_model() when indexed.
 * @ports:    when decoded or built, the host ports any indexed VM or network
 *            forward may use, a bit a port: TCP's 8 KiB then UDP's (the file
 *            holds them in hex at fixed offsets). Never cleared by a change,
 *            only by a whole rebuild: a superset of the ports in use.
 * @map:      the file's mapping (@map_len bytes) and @fd its descriptor,
 *            open for the in-place changes; NULL / unused when built.
 * @text_owned: @text is malloc()ed (else in @map).
 * @ov:       a change of the mapped records is pending (qnm_index_put_vm(),
 *            qnm_index_del_vm() on a loaded index copy nothing): bytes
 *            [@ov_at, @ov_at + @ov_del) of @text are @ov_ins (@ov_len bytes)
 *            in what qnm_index_save() writes. The lookups do not see it:
 *            save, then load the index again (or clear it).
 */
struct qnm_index {
	char *text;
	size_t len, n;
	char *nets;
	size_t nets_len;
	struct qnm_problems problems;
	bool ok;
	uint8_t *ports;
	char *map;
	size_t map_len;
	int fd;
	bool text_owned;
	bool ov;
	size_t ov_at, ov_del, ov_len;
	char *ov_ins;
};

/** qnm_index_clear() - free what @idx holds and empty it. */
void qnm_index_clear(struct qnm_index *idx);

/**
 * qnm_index_load() - map the index of @p into @idx (empty on entry) when
 * it is current: its stamps are those of the disk now. Only its header,
 * port map, network lines and last line are read here; a record is read
 * when looked up (the file is qnm's own, only ever written whole by a
 * rename or changed in place by qnm_index_mark_fwd()/qnm_index_restamp()).
 * Return: 0, or -ENOENT (none), -ESTALE (stamps differ) or -EINVAL (does
 * not parse): @idx is then empty.
 */
int qnm_index_load(const struct qnm_paths *p, struct qnm_index *idx);

/**
 * qnm_index_save() - write @idx with the disk's stamps now (under the
 * configuration lock, right after the files it describes were written).
 * Return: 0 or -errno (the index is then absent: rebuilt later).
 */
int qnm_index_save(const struct qnm_paths *p, const struct qnm_index *idx);

/** qnm_index_drop() - remove the index of @p (before a file of the model is written). */
void qnm_index_drop(const struct qnm_paths *p);

/**
 * qnm_index_from_model() - make @idx (empty on entry) the index of model
 * @m read as a whole from @p, whose skipped files are @problems (copied);
 * @ok: @m passed qnm_check_model(). Each network's file is read again for
 * where its settings end (qnm_index_net_settings_end()).
 */
void qnm_index_from_model(struct qnm_index *idx, const struct qnm_paths *p,
			  const struct qnm_model *m, const struct qnm_problems *problems, bool ok);

/** qnm_index_has() - whether VM @name has a record. */
bool qnm_index_has(const struct qnm_index *idx, const char *name);

/** qnm_index_put_vm() - @vm's record in place of @old_name's (NULL: a new VM). */
void qnm_index_put_vm(struct qnm_index *idx, const struct qnm_vm *vm, const char *old_name);

/** qnm_index_record_is() - whether @vm's record is as indexed under its name (same MACs and ports). */
bool qnm_index_record_is(const struct qnm_index *idx, const struct qnm_vm *vm);

/** qnm_index_del_vm() - remove VM @name's record, if any. */
void qnm_index_del_vm(struct qnm_index *idx, const char *name);

/**
 * qnm_index_may_clash() - whether @vm (replacing VM @old_name, NULL: new)
 * shares a MAC with another indexed VM, or a host port of its forwards
 * may overlap one of another indexed VM's (the other VMs' forwards are
 * read only when the port map marks one of @vm's ports).
 */
bool qnm_index_may_clash(const struct qnm_index *idx, const struct qnm_vm *vm,
			 const char *old_name);

/**
 * qnm_index_fwd_may_clash() - whether host side @f may overlap one of an
 * indexed VM's or network's forwards: one of its ports is marked in
 * @idx->ports for one of its protocols (a lookup of its ports, whatever
 * the number of forwards).
 */
bool qnm_index_fwd_may_clash(const struct qnm_index *idx, const struct qnm_fwd *f);

/**
 * qnm_index_net_settings() - network @name's record: its file's longest
 * run of forward lines when indexed, bytes [@at[0], @at[1]), and its size
 * then, @at[2]: its settings are the bytes before and after that run up
 * to that size (the file ends with a line end; every line qnm appends
 * after it is a forward line).
 * Return: false when @name has no record or its file had no line end last.
 */
bool qnm_index_net_settings(const struct qnm_index *idx, const char *name, size_t at[3]);

/**
 * qnm_index_mark_fwd() - mark @f's host ports in loaded index @idx's port
 * map, in its file (the index of @p) in place too (before the forward is written: the map stays
 * a superset of the ports on disk whenever the process is killed).
 * Return: 0 or -errno (the file unchanged or partly marked: still a
 * superset; -ESTALE: @idx is not of the index file @p has now).
 */
int qnm_index_mark_fwd(const struct qnm_paths *p, struct qnm_index *idx, const struct qnm_fwd *f);

/**
 * qnm_index_restamp() - write the disk's stamps now into the loaded index
 * @idx's file in place (one write of its stamp line), after a change of
 * the files that leaves every record true: a VM saved with the same name,
 * MACs and host ports, or a forward appended whose ports qnm_index_mark_fwd()
 * marked. Killed before it, the stamps differ from the disk's and the index
 * is rebuilt.
 * Return: 0 or -errno (then the index is removed: rebuilt later).
 */
int qnm_index_restamp(const struct qnm_paths *p, const struct qnm_index *idx);

#endif
