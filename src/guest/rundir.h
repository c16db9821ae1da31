/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rundir.h - the runtime directory of one running VM.
 *
 *   RUNTIME/VM/            0700, owner only
 *     qmp.sock             QMP socket (0600)
 *     qemu.pid             written by QEMU (-pidfile)
 *     console.pty          the path of the pty QEMU made for the guest's
 *                          serial port (chardev pty, recorded by the start
 *                          after it made the pty 0600; one client at a time:
 *                          qnm console). A pty, not a socket: QEMU's 16550
 *                          writes a byte at a time, which a socket turns
 *                          into a buffer per byte for the reader (7x the
 *                          reader's CPU, 10x slower output, measured)
 *     console.sock         the same as a chardev socket, for a guest an
 *                          older qnm started
 *     console.lock         held (fcntl lock) by the client attached to it
 *     serial.log           all the serial port printed (chardev logfile=)
 *     qemu.log             QEMU's stdout/stderr
 *     slirp-NIC.sock       slirp helper sockets (0600)
 *     running.conf         the VM as QEMU was started with it (its config
 *                          file's text), then as changed live (link,
 *                          forwards): what runs, beside what is saved
 *     state                key=value lines written by the supervisor:
 *                          status=starting|running|stopped|crashed,
 *                          qemu_pid=, supervisor_pid=, started=, reason=
 *
 * The directory outlives qnm: a new qnm finds running guests by scanning
 * RUNTIME, checking that the recorded QEMU pid is alive and really is the
 * QEMU of that directory (its command line names the directory's QMP
 * socket). A directory whose QEMU is gone is "stale": its state tells
 * whether it stopped or crashed, and qnm_rundir_clean() removes it.
 */
#ifndef QNM_RUNDIR_H
#define QNM_RUNDIR_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/util.h"
#include "guest/runstate.h"

struct qnm_fwd;
struct qnm_vm;

/**
 * struct qnm_rundir - paths of one VM's runtime directory (owned strings).
 * @name:   the VM's name.
 * @path:   RUNTIME/VM.
 * @qmp:    @path/qmp.sock.
 * @pidfile: @path/qemu.pid.
 * @serial: @path/serial.log.
 * @console: @path/console.sock (guests started by an older qnm).
 * @console_pty: @path/console.pty.
 * @console_lock: @path/console.lock.
 * @log:    @path/qemu.log.
 * @state:  @path/state.
 * @running: @path/running.conf, the running configuration.
 */
struct qnm_rundir {
	char *name;
	char *path;
	char *qmp;
	char *pidfile;
	char *serial;
	char *console;
	char *console_pty;
	char *console_lock;
	char *log;
	char *state;
	char *running;
};

/**
 * qnm_rundir_init() - compute the paths of VM @name under @runtime_dir;
 * creates nothing.
 * Release with qnm_rundir_clear().
 */
void qnm_rundir_init(struct qnm_rundir *rd, const char *runtime_dir, const char *name);
void qnm_rundir_clear(struct qnm_rundir *rd);

/**
 * qnm_rundir_create() - create the directory (and the runtime dir) 0700,
 * fixing the mode of an existing one; refuses a path owned by another user
 * or that is not a directory.
 * Return: 0 or -errno (@err says which path and why).
 */
int qnm_rundir_create(const struct qnm_rundir *rd, struct qnm_err *err);

/**
 * qnm_rundir_check() - may qnm believe what @rd holds? The runtime dir and
 * the VM's directory must be real directories (not symlinks) owned by the
 * effective user and writable by no one else: the fallback /tmp/qnm-UID
 * could have been made by another user, who could then plant a state file
 * or a serial log.
 * Return: 0, or -EPERM/-ENOTDIR/-errno (@err says which path and why).
 */
int qnm_rundir_check(const struct qnm_rundir *rd, struct qnm_err *err);

/**
 * qnm_rundir_open() - open @path, a file of @rd, for reading: only when
 * qnm_rundir_check() passes and @path is a regular file (not a symlink,
 * FIFO or device) owned by the effective user.
 * Return: a file descriptor (caller closes) or -errno (@err says why).
 */
int qnm_rundir_open(const struct qnm_rundir *rd, const char *path, struct qnm_err *err);

/* QNM_SERIAL_CHARDEV - the id of the guest's serial port chardev. */
#define QNM_SERIAL_CHARDEV "qnm-serial0"

/**
 * qnm_rundir_console_record() - record @pty, the pty QEMU made for the
 * serial port, as @rd's console: it must be /dev/pts/N, a character device
 * of the effective user; it is made 0600 (openpty leaves it writable by
 * group tty: wall and write could type into the guest) and its path written
 * to console.pty.
 * Return: 0 or -errno (@err says why).
 */
int qnm_rundir_console_record(const struct qnm_rundir *rd, const char *pty, struct qnm_err *err);

/**
 * qnm_rundir_console_connect() - attach to the serial console of @rd: take
 * the lock console.lock (one client at a time: a POSIX lock, released when
 * the holder exits, even by SIGKILL), then open the pty console.pty names
 * (raw mode) or, for a guest an older qnm started, connect to console.sock.
 * Only when qnm_rundir_check() passes, the lock and console.pty are regular
 * files, the pty a character device only its owner may use, the socket a
 * socket, all owned by the effective user.
 * @lock_fd: set to the lock's descriptor (close it to release), else -1.
 * Return: the open pty or connected socket (non-blocking, close-on-exec),
 * -EBUSY when another client holds the console (@err names its pid),
 * -ENOENT when there is neither (a VM started by an older qnm logs with
 * -serial file:), or -errno (@err says why).
 */
int qnm_rundir_console_connect(const struct qnm_rundir *rd, int *lock_fd, struct qnm_err *err);

/**
 * qnm_rundir_read() - the first @max bytes of @path, a file of @rd, read
 * through qnm_rundir_open().
 * @out: set to a new NUL-terminated string on success (caller frees), else NULL.
 * Return: 0 or -errno.
 */
int qnm_rundir_read(const struct qnm_rundir *rd, const char *path, size_t max, char **out);

/**
 * qnm_rundir_write_state() - atomically replace the state file.
 * @status: the status to record.
 * @qemu_pid, @supervisor_pid: pids to record (0 = leave out).
 * @reason: free text or NULL.
 * Return: 0 or -errno.
 */
int qnm_rundir_write_state(const struct qnm_rundir *rd, enum qnm_run_status status, pid_t qemu_pid,
			   pid_t supervisor_pid, const char *reason);

/**
 * qnm_rundir_write_running() - record @vm as what runs now in @rd
 * (running.conf, written atomically, 0600): at start, the VM QEMU is
 * started with; after a live change, the VM as changed.
 * Return: 0 or -errno (@err says why).
 */
int qnm_rundir_write_running(const struct qnm_rundir *rd, const struct qnm_vm *vm,
			     struct qnm_err *err);

/**
 * qnm_rundir_read_running() - what runs in @rd: running.conf, read through
 * qnm_rundir_open() (so only a file of ours in a directory no one else
 * writes) and parsed as a VM file.
 * @out: set to the VM (named @rd->name; free with qnm_vm_free()), else NULL.
 * Return: 0, -ENOENT when there is no record (a VM started by an older
 * qnm), or -errno (-EINVAL: the record does not parse).
 */
int qnm_rundir_read_running(const struct qnm_rundir *rd, struct qnm_vm **out);

/**
 * qnm_rundir_running_fwd() - a forward of NIC @nic_id changed live: in the
 * running record, the forward with @del's host side is removed (when @del
 * is not NULL), then @add appended (when not NULL). Nothing when there is
 * no record.
 * Return: 0 or -errno.
 */
int qnm_rundir_running_fwd(const struct qnm_rundir *rd, const char *nic_id,
			   const struct qnm_fwd *del, const struct qnm_fwd *add);

/**
 * qnm_pid_is_qemu_of() - true when @pid is alive and its command line
 * contains the QMP socket path of @rd (so a recycled pid is not mistaken
 * for the VM).
 */
bool qnm_pid_is_qemu_of(pid_t pid, const struct qnm_rundir *rd);

/** qnm_pid_alive() - @pid exists and is not a zombie. */
bool qnm_pid_alive(pid_t pid);

/**
 * qnm_pid_file_read() - the pid written in the file @path: 0 when the file
 * is missing or holds no plausible pid (2 to 2^31-1).
 */
pid_t qnm_pid_file_read(const char *path);

/**
 * qnm_pid_runs() - whether @pid runs a helper qnm started: the basename of
 * its argv[0] is @base or @alt (NULL: none), or argv[0] is @prog, and one of
 * its arguments is @arg (so a recycled pid is not taken for it; a zombie's
 * empty command line never matches).
 */
bool qnm_pid_runs(pid_t pid, const char *base, const char *alt, const char *prog, const char *arg);

/**
 * qnm_rundir_find_qemu() - look through /proc for a live QEMU of @rd (a
 * process qnm_pid_is_qemu_of() @rd): one a killed supervisor spawned before
 * anything recorded its pid.
 * Return: its pid, or 0 when there is none.
 */
pid_t qnm_rundir_find_qemu(const struct qnm_rundir *rd);

/**
 * qnm_rundir_probe() - look at @rd on disk and decide the VM's status.
 * Files are read only through qnm_rundir_open(). When no end is recorded
 * and no QEMU runs under the recorded pid, /proc is searched for a QEMU of
 * @rd (qnm_rundir_find_qemu()): one a killed supervisor spawned before its
 * pid was recorded still runs the VM.
 * Return: 0 (@info filled; QNM_RUN_ABSENT when there is no directory), or
 * -errno when qnm_rundir_check() refuses the directory (then QNM_RUN_ABSENT,
 * with the start of the reason in @info->reason).
 */
int qnm_rundir_probe(const struct qnm_rundir *rd, struct qnm_run_info *info);

/**
 * qnm_rundir_clean() - remove a runtime directory whose QEMU is gone.
 * @report: when non-NULL, a sentence for the user is written here
 *          ("removed stale runtime dir X (QEMU pid N crashed: ...)").
 * @len:    size of @report.
 * Refuses (-EBUSY) while the QEMU of the directory is alive.
 * Return: 0 or -errno.
 */
int qnm_rundir_clean(const struct qnm_rundir *rd, char *report, size_t len, struct qnm_err *err);

/**
 * qnm_rundir_list() - names of the VM directories under @runtime_dir.
 * @out: filled with the names (sorted); free with qnm_strv_free().
 * Return: 0 (also when @runtime_dir does not exist) or -errno (also when
 * @runtime_dir is not a directory of ours that no one else can write:
 * nothing listed).
 */
int qnm_rundir_list(const char *runtime_dir, struct qnm_strv *out);

/**
 * qnm_rundir_tail() - the last @lines lines of @path, a file of @rd (e.g.
 * the serial log) opened with qnm_rundir_open(), safe for a terminal
 * (qnm_term_safe(): control characters shown visibly, not sent).
 * Return: new string ("" when there is nothing or it may not be read),
 * caller frees.
 */
char *qnm_rundir_tail(const struct qnm_rundir *rd, const char *path, unsigned lines);

/**
 * qnm_rundir_serial_tail() - the last @lines lines the guest printed: from
 * serial.log, and from serial.log.1 before it when the log was rotated
 * since (terminal-safe, as qnm_rundir_tail()). Return: a new string.
 */
char *qnm_rundir_serial_tail(const struct qnm_rundir *rd, unsigned lines);

/**
 * qnm_rundir_serial_reset() - make @rd's serial log empty (a new start):
 * QEMU appends to it (logappend=on), so the supervisor empties it, and
 * removes the rotated serial.log.1. Never follows a symlink.
 */
void qnm_rundir_serial_reset(const struct qnm_rundir *rd);

/**
 * qnm_rundir_serial_rotate() - keep @rd's serial log under @max bytes:
 * beyond it, its content replaces serial.log.1 (written aside and renamed)
 * and the log is truncated in place (QEMU keeps appending to it). At most
 * 2 * @max bytes stay on disk; lines QEMU writes between the copy and the
 * truncation are lost (as logrotate's copytruncate).
 * Return: true when it rotated.
 */
bool qnm_rundir_serial_rotate(const struct qnm_rundir *rd, off_t max);

/**
 * struct qnm_serial_follow - a reader of a VM's serial log that follows it
 * across rotations (qnm_rundir_serial_rotate()): when serial.log was
 * rotated since the last read, what it had not read yet is read from
 * serial.log.1 first, then serial.log again from its start.
 * @fd: serial.log (through qnm_rundir_open()).
 * @old_fd: serial.log.1 while its unread end is being read, else -1.
 * @old_ino: the inode of the serial.log.1 seen last (0: none) and
 * @old_ctime: its change time, so a new rotation is told from one already
 *             followed (inode numbers are reused).
 * @head: the first bytes of serial.log as read (@head_len of them): a
 *        serial.log.1 that does not start with them was rotated after
 *        another rotation this reader missed.
 * @gaps: how often output was lost to the reader: the log was rotated
 *        twice between two reads (the end of the first rotation is gone).
 */
struct qnm_serial_follow {
	struct qnm_rundir rd;
	int fd;
	int old_fd;
	ino_t old_ino;
	struct timespec old_ctime;
	char head[64];
	size_t head_len;
	unsigned gaps;
};

/**
 * qnm_serial_follow_open() - start following the serial log of VM @name
 * under @runtime_dir, from its start (@from_end false) or its end.
 * Return: 0, or -errno (@err says why; -ENOENT: no log).
 */
int qnm_serial_follow_open(struct qnm_serial_follow *f, const char *runtime_dir, const char *name,
			   bool from_end, struct qnm_err *err);

/**
 * qnm_serial_follow_read() - the next bytes the guest printed, up to @len.
 * Return: how many (0: nothing new yet), or -errno.
 */
ssize_t qnm_serial_follow_read(struct qnm_serial_follow *f, char *buf, size_t len);

/** qnm_serial_follow_close() - release what @f holds. */
void qnm_serial_follow_close(struct qnm_serial_follow *f);

#endif
