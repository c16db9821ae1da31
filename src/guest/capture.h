/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - packet capture of a running guest's NIC into a pcap file.
 *
 * QEMU does the work: qnm adds a "filter-dump" object on the NIC's netdev
 * over QMP (object-add) and removes it again (object-del). This works for
 * every backend (user, slirp, tap, bridge), since the filter sits between
 * the guest's device and its netdev. qnm opens the file itself
 * (qnm_capture_file_open(): no symlink followed, created 0600) and hands
 * QEMU the descriptor over QMP ("add-fd", SCM_RIGHTS); the filter's file is
 * then "/proc/self/fd/N", QEMU's own copy (QEMU 7.2's filter-dump opens its
 * file with open(2), not qemu_open(), so "/dev/fdset/N" is refused), and
 * the fd set is removed at once (QEMU keeps what the filter opened).
 *
 * The QMP connection is only held while adding and removing (qmp.sock is for
 * short commands; "qnm link" etc. keep working during a capture). Every
 * capture is recorded in the VM's runtime directory as
 * "RUNDIR/capture-ID" (owner pid, NIC, file), so a capture whose qnm process
 * died is found and removed (qnm_capture_sweep()) instead of growing its
 * file until the guest stops.
 */
#ifndef QNM_CAPTURE_H
#define QNM_CAPTURE_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/util.h"

/* Longest capture id ("qnm-cap-NIC-PID-N"). */
#define QNM_CAPTURE_ID_MAX 80

/**
 * struct qnm_capture_opts - how to capture.
 * @maxlen: bytes kept of each packet (0 = QEMU's default, 65536).
 * @force:  overwrite an existing file (otherwise -EEXIST).
 */
struct qnm_capture_opts {
	unsigned maxlen;
	bool force;
};

/**
 * struct qnm_capture - one capture in place (plain data, no resources).
 * @id:    the filter-dump object's id in QEMU.
 * @nic:   the NIC (netdev id) captured.
 * @file:  the pcap file QEMU writes (absolute).
 * @owner: pid of the qnm process that removes it when done (0 = none).
 * @owner_start: the owner's start time (clock ticks since boot, field 22 of
 *         /proc/PID/stat), so a recycled pid is told apart (0 = not recorded).
 * @started: seconds since the epoch.
 */
struct qnm_capture {
	char id[QNM_CAPTURE_ID_MAX + 1];
	char nic[64];
	char file[4096];
	pid_t owner;
	unsigned long long owner_start;
	long long started;
};

/**
 * qnm_capture_check_path() - check that @file may be used for a capture: an
 * absolute path whose directories are reached without a symbolic link, not
 * an existing file unless @force (and then only a regular file of this user
 * with one name; never a directory, a symlink or a special file). A check
 * before asking; qnm_capture_file_open() applies the same rules when it
 * opens the file.
 * Return: 0, -EINVAL (not absolute), -ENOENT (no such directory), -ELOOP (a
 * symlink on the way), -EEXIST, -EISDIR, -EPERM (--force on a file of
 * another user or with several names); @err names the file and the rule.
 */
int qnm_capture_check_path(const char *file, bool force, struct qnm_err *err);

/**
 * struct qnm_capture_file - a capture file opened by qnm, whose descriptor
 * QEMU gets (QEMU never opens the path itself, so no symlink planted in a
 * shared directory can redirect it).
 * @dir:     its directory (an O_PATH descriptor), -1 when closed.
 * @fd:      the file, open for writing, -1 when closed.
 * @name:    its last component (points into the path given to open).
 * @created: qnm created it (so it is removed when the capture cannot start).
 */
struct qnm_capture_file {
	int dir;
	int fd;
	const char *name;
	bool created;
};

/** qnm_capture_file_init() - an empty @cf (nothing open). */
void qnm_capture_file_init(struct qnm_capture_file *cf);

/**
 * qnm_capture_file_open() - open the capture file @file safely: its
 * directories are opened one by one from "/" with O_NOFOLLOW (a symlink on
 * the way is refused), then the file is created relative to its directory
 * with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600. With @force an existing file is
 * opened with O_NOFOLLOW instead, and only a regular file owned by this user
 * with a single name is accepted (checked on the open descriptor), then
 * truncated. The file ends up mode 0600 either way.
 * @cf:    filled; close with qnm_capture_file_close().
 * @file:  absolute path (qnm_capture_check_path()'s rules).
 * @force: overwrite an existing file.
 * Return: 0 or the -errno of qnm_capture_check_path() (-EAGAIN when the name
 * keeps being replaced); @err names the file and the rule. Nothing is left
 * open or created on failure.
 */
int qnm_capture_file_open(struct qnm_capture_file *cf, const char *file, bool force,
			  struct qnm_err *err);

/**
 * qnm_capture_file_close() - close @cf's descriptors; with @discard, also
 * remove the file if qnm created it and the name still is that file.
 */
void qnm_capture_file_close(struct qnm_capture_file *cf, bool discard);

/**
 * qnm_capture_start() - start capturing NIC @nic of the running VM @vm.
 * @runtime_dir: qnm's runtime directory.
 * @vm:          the VM's name.
 * @nic:         the NIC's id (its netdev id in QEMU).
 * @file:        absolute path of the pcap file (see qnm_capture_check_path()).
 * @o:           options, or NULL for the defaults.
 * @out:         filled with the capture on success (owner = this process).
 * @err:         on failure, QEMU's reason or what is wrong with the file.
 *
 * Return: 0; -ENOENT (VM not running), -EEXIST/-EINVAL/-EISDIR (file),
 * -EREMOTEIO (QEMU refused, e.g. no such netdev), or another -errno.
 * Nothing is left in place on failure.
 */
int qnm_capture_start(const char *runtime_dir, const char *vm, const char *nic, const char *file,
		      const struct qnm_capture_opts *o, struct qnm_capture *out,
		      struct qnm_err *err);

/**
 * qnm_capture_stop() - remove the capture @id of VM @vm (QEMU closes the
 * file) and its record.
 * Return: 0 (also when the VM has stopped meanwhile: its captures ended with
 * it), -ENOENT when there is no such record and the VM is not running,
 * -EREMOTEIO when QEMU has no such object, or another -errno.
 */
int qnm_capture_stop(const char *runtime_dir, const char *vm, const char *id, struct qnm_err *err);

/**
 * qnm_capture_list() - the captures recorded for VM @vm.
 * @v: set to a new array (caller frees with free()), @n entries (sorted by id).
 * Return: 0 (no captures: *@n = 0) or -errno.
 */
int qnm_capture_list(const char *runtime_dir, const char *vm, struct qnm_capture **v, size_t *n,
		     struct qnm_err *err);

/**
 * qnm_capture_owner_alive() - whether the qnm process that owns @c still runs:
 * its pid is alive and started when the record says (records without a start
 * time: its command line is a capture), so a recycled pid does not keep an
 * orphaned capture alive. The owner may be "qnm capture" or the text UI.
 */
bool qnm_capture_owner_alive(const struct qnm_capture *c);

/**
 * qnm_capture_sweep() - remove the captures of VM @vm whose owning qnm
 * process is gone (qnm_capture_owner_alive()); a record whose filter QEMU
 * does not have (its qnm died before adding it) is dropped.
 * @removed: how many were removed (may be NULL).
 * Return: 0 or -errno (the first failure; the others are still tried).
 */
int qnm_capture_sweep(const char *runtime_dir, const char *vm, size_t *removed,
		      struct qnm_err *err);

/**
 * qnm_pcap_count() - count the packets of a pcap file (as QEMU writes it:
 * classic pcap, either byte order).
 * @packets: number of complete packet records.
 * @bytes:   the file's size.
 * Return: 0, -EPROTO (not a pcap file, or a record runs past the end after
 * the first complete ones: @packets counts those) or -errno.
 */
int qnm_pcap_count(const char *file, unsigned long long *packets, unsigned long long *bytes);

#endif
