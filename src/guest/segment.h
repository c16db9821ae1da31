/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment.h - private segments: an L2 between the user's own guests, no
 * root and nothing in the host's network (the "private" backend; like
 * VirtualBox's internal network). One VDE switch (vde_switch, Debian
 * package vde-switch) per segment name, run as the user, its sockets in the
 * user's runtime dir; QEMU joins it with -netdev vde,sock=DIR.
 *
 * Files, per segment SEG, under qnm's runtime dir ROOT (the parent of the
 * VMs' runtime dirs; '.' keeps it out of the list of VMs):
 *   ROOT/.private/SEG.lock   flock held while a join or leave decides
 *   ROOT/.private/SEG/ctl/   the switch's control dir (0700; QEMU's sock=)
 *   ROOT/.private/SEG/mgmt   its management socket (0600; counters)
 *   ROOT/.private/SEG/pid    its pid (written by vde_switch --pidfile)
 *   ROOT/.private/SEG/err    what it printed
 *   ROOT/.private/SEG/VM=NIC one empty file per NIC that joined: the
 *                            switch runs while one names a VM whose
 *                            runtime dir exists; the last leave stops it.
 *
 * Why VDE (measured, tests/guest/private-*.sh and the report of issue 16):
 * QEMU's -netdev dgram/socket multicast on 127.0.0.1 works without root,
 * but every local user who joins the group sees and can inject every
 * frame, and nothing counts per guest; -netdev stream and dgram over unix
 * sockets join two guests, not a segment. A switch whose sockets sit in a
 * 0700 directory of the user is reachable by that user only, two segments
 * are two switches, and its management socket counts each port.
 */
#ifndef QNM_SEGMENT_H
#define QNM_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/util.h"

/* How long qnm waits for a new switch to answer on its management socket, in ms. */
#define QNM_SEGMENT_READY_MS 5000

/**
 * qnm_segment_binary() - the switch program: $QNM_VDE_SWITCH when set
 * (tests), else "vde_switch" (looked up in $PATH).
 */
const char *qnm_segment_binary(void);

/**
 * qnm_segment_find() - whether qnm_segment_binary() can be run.
 * @path: when not NULL, set to the file found (caller frees), or NULL.
 */
bool qnm_segment_find(char **path);

/**
 * qnm_segment_dir() - ROOT/.private/SEG, the segment's directory.
 * @root: qnm's runtime dir (the parent of the VMs' runtime dirs).
 * @seg:  the segment name (a valid qnm name).
 * Return: new string, caller frees.
 */
char *qnm_segment_dir(const char *root, const char *seg);

/**
 * qnm_segment_ctl_path() - the switch's control dir, QEMU's sock= value:
 * ROOT/.private/SEG/ctl. Return: new string, caller frees.
 */
char *qnm_segment_ctl_path(const char *root, const char *seg);

/**
 * qnm_segment_argv() - the command that runs the switch of @seg as a daemon:
 * vde_switch --sock CTL --dirmode 0700 --mode 0600 --mgmt MGMT --mgmtmode
 * 0600 --rcfile /dev/null --daemon --pidfile PID (appended to @argv).
 */
void qnm_segment_argv(const char *root, const char *seg, struct qnm_strv *argv);

/**
 * qnm_segment_join() - record that NIC @nic of VM @vm joins segment @seg,
 * starting its switch when none runs (under the segment's lock), and wait
 * until it answers.
 * @root: qnm's runtime dir.
 * @pid:  the switch's pid (a daemon: not the caller's child).
 * @err:  why not: no vde_switch, it exited (its words), it never answered.
 * Return: 0, -ENOENT (no vde_switch), -EIO, -ETIMEDOUT, another -errno.
 */
int qnm_segment_join(const char *root, const char *seg, const char *vm, const char *nic, pid_t *pid,
		     struct qnm_err *err);

/**
 * qnm_segment_leave() - NIC @nic of VM @vm leaves segment @seg (its QEMU is
 * gone); the switch is stopped and the segment's directory removed when no
 * NIC of a VM that still has a runtime dir is left on it.
 * Return: the pid of the switch stopped, 0 when it runs on (or none ran).
 */
pid_t qnm_segment_leave(const char *root, const char *seg, const char *vm, const char *nic);

/**
 * qnm_segment_reclaim() - VM @vm's supervisor and QEMU are gone (it may have
 * been killed): every segment forgets its NICs, and a switch left with none
 * is stopped.
 * @report: a sentence per switch stopped is appended.
 * Return: how many switches were stopped.
 */
int qnm_segment_reclaim(const char *root, const char *vm, struct qnm_strbuf *report);

/**
 * qnm_segment_pid() - the pid of the switch of @seg while it runs (its pid
 * file names a vde_switch serving this segment's control dir), else 0.
 */
pid_t qnm_segment_pid(const char *root, const char *seg);

/**
 * struct qnm_segment_port - one port of a switch, from its management socket.
 * @port:      the port number.
 * @pid:       the pid of the program on it (QEMU), 0 when not told.
 * @in_pkts, @in_bytes:   what the switch received on it (the guest sent).
 * @out_pkts, @out_bytes: what it sent on it (the guest received).
 */
struct qnm_segment_port {
	unsigned port;
	pid_t pid;
	uint64_t in_pkts, in_bytes, out_pkts, out_bytes;
};

/**
 * qnm_segment_ports() - the active ports of @seg's switch with their
 * counters, in port order ("port/allprint" on its management socket).
 * @ports:      set to a new array (caller frees), @n entries.
 * @timeout_ms: the longest wait for the answer.
 * Return: 0, -ENOENT (no switch runs), -ETIMEDOUT, -EPROTO, another -errno
 * (@err says which).
 */
int qnm_segment_ports(const char *root, const char *seg, int timeout_ms,
		      struct qnm_segment_port **ports, size_t *n, struct qnm_err *err);

/**
 * qnm_segment_list() - the names of the segments that have a directory
 * under @root (sorted), appended to @out.
 */
void qnm_segment_list(const char *root, struct qnm_strv *out);

#endif
