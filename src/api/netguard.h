/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netguard.h - confirm or roll back: a change that can cut the admin off
 * (bridged net up or down: the host's addresses move between the port and
 * the bridge) is applied with a guard, a detached process (double fork,
 * setsid, no terminal, no file of its parent's open; it never runs a shell)
 * that undoes the change unless it is confirmed within N seconds. It
 * survives the terminal, the SSH session and the qnm that applied the change
 * being killed (it is started, and has recorded itself, before anything
 * changes).
 *
 * Its state is RUNDIR/guard-NET, one line "STATE PID DEADLINE UNDO REASON"
 * (STATE: armed, kept, rolled-back, rollback-failed, cancelled, superseded;
 * DEADLINE: seconds since the epoch; UNDO: the command that rolls back, "up"
 * or "down"), changed under RUNDIR/guard.lock; the outcome stays there for
 * net show.
 */
#ifndef QNM_API_NETGUARD_H
#define QNM_API_NETGUARD_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/context.h"
#include "core/util.h"

/** QNM_NET_GUARD_SECS - how long a change waits for confirmation by default. */
#define QNM_NET_GUARD_SECS 30

/**
 * qnm_api_net_guard_secs() - the default time to confirm in: $QNM_CONFIRM_SECS
 * (1-3600, for tests and slow links) or QNM_NET_GUARD_SECS.
 */
unsigned qnm_api_net_guard_secs(void);

/**
 * struct qnm_api_net_guard - a network's guard as last recorded.
 * @state:     "armed", "kept", "rolled-back", "rollback-failed", "cancelled",
 *             "superseded", or "" when the network never had one.
 * @pid:       the guard process.
 * @deadline:  when it rolls back (seconds since the epoch).
 * @remaining: seconds left while armed (0 otherwise).
 * @undo:      what rolling back runs: "down" (after an up) or "up".
 * @reason:    the outcome in words ("" while armed).
 */
struct qnm_api_net_guard {
	char state[20];
	pid_t pid;
	long long deadline;
	long long remaining;
	char undo[8];
	char reason[256];
};

/**
 * qnm_api_net_guard_get() - the guard of network @name.
 * @g: filled; @g->state is "" when there is none.
 * Return: 0 or -errno (a record that cannot be read).
 */
int qnm_api_net_guard_get(const struct qnm_ctx *ctx, const char *name, struct qnm_api_net_guard *g);

/**
 * qnm_api_net_confirm() - keep the change network @name's guard waits for.
 * @err: "nothing to confirm" or "too late: rolled back ..." when not armed.
 * Return: 0, -ENOENT (no change waits) or -ETIME (rolled back already).
 */
int qnm_api_net_confirm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

/**
 * qnm_net_guard_start() - start the guard of a change to network @name
 * before it is applied (net.c).
 * @undo_up: the change is a net up (rolled back by a net down); else a
 *           net down (rolled back by a net up that takes the port again).
 * @secs:    the deadline, seconds from now.
 * Return: 0 once the guard runs and recorded itself, or -errno.
 */
int qnm_net_guard_start(struct qnm_ctx *ctx, const char *name, bool undo_up, unsigned secs,
			struct qnm_err *err);

/**
 * qnm_net_guard_end() - an armed guard of network @name stops without
 * acting: @state ("cancelled": the change failed and undid itself;
 * "superseded": another up or down followed) and @reason.
 */
void qnm_net_guard_end(struct qnm_ctx *ctx, const char *name, const char *state,
		       const char *reason);

#endif
