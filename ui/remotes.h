/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remotes.h - the registered hosts as the UI sees them (issue 18.1): each
 * host's VMs, networks and guests' counters, asked over its own
 * connection (api/remote.h) in a background job once a second, so a host
 * that does not answer costs the UI nothing; it is marked unreachable when
 * its deadline passes (its last answers are kept, greyed) and asked again
 * until it answers. Start and stop of its VMs run as jobs over a
 * connection of their own.
 */
#ifndef QNM_UI_REMOTES_H
#define QNM_UI_REMOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/context.h"
#include "core/util.h"

struct qnm_ui;
struct qnm_remote;
struct qnm_rect;
struct json_object;

/**
 * struct qnm_rhost - one registered host.
 * @name:       its name.
 * @dest:       its ssh destination.
 * @qnm:        the qnm command there.
 * @answered:   it answered at least once (@vms, @nets, @stats hold it).
 * @up:         its last round answered.
 * @down_since: when it stopped answering (qnm_mono_ms_int()), 0 while up.
 * @why:        why it did not answer.
 * @version:    the qnm version it announced.
 * @ms:         how long its last round took.
 * @ping_ms:    how long its last "ping" took to come back (the latency).
 * @running:    its running guests, as its last "ping" counted them.
 * @vms:        its last "vm.list" (a JSON array).
 * @nets:       its last "net.list".
 * @stats:      its last "stats" (guest interfaces' counters and rates).
 * @polling:    a round runs (it owns @conn meanwhile).
 * @last:       when the last round started.
 * @conn:       the open connection between rounds, or NULL.
 * @busy:       its VMs being started or stopped from here.
 * @gone:       no longer in the hosts file: freed when its round ends.
 */
struct qnm_rhost {
	char name[QNM_NAME_MAX + 1];
	char *dest;
	char *qnm;
	bool answered;
	bool up;
	int64_t down_since;
	char why[512];
	char version[32];
	double ms;
	double ping_ms;
	long long running;
	struct json_object *vms;
	struct json_object *nets;
	struct json_object *stats;
	bool polling;
	int64_t last;
	struct qnm_remote *conn;
	struct qnm_strv busy;
	bool gone;
};

/**
 * struct qnm_remotes - every registered host, by name.
 * @v:      the hosts, @n of them.
 * @n:      see @v.
 * @listed: when the hosts file was last read.
 */
struct qnm_remotes {
	struct qnm_rhost **v;
	size_t n;
	int64_t listed;
};

/**
 * qnm_remotes_tick() - read the hosts file again now and then, and start
 * the rounds that are due. Return: true when something shown changed.
 */
bool qnm_remotes_tick(struct qnm_ui *ui);

/**
 * qnm_remotes_ask_now() - start every host's next round at the next tick
 * (the Hosts screen's r). Return: true when a round is under way or due.
 */
bool qnm_remotes_ask_now(struct qnm_ui *ui);

/** qnm_remotes_polling() - a round of some host is under way. */
bool qnm_remotes_polling(struct qnm_ui *ui);

/** qnm_remotes_free() - close the connections (at exit, after the jobs). */
void qnm_remotes_free(struct qnm_ui *ui);

/** qnm_remote_find() - the host @name, or NULL. */
struct qnm_rhost *qnm_remote_find(struct qnm_ui *ui, const char *name);

/** qnm_remote_busy() - VM @vm of @h is being started or stopped from here. */
bool qnm_remote_busy(const struct qnm_rhost *h, const char *vm);

/**
 * qnm_remote_vm_action() - start ("vm.start"), stop ("vm.stop") VM @vm of
 * host @h, or add ("fwd.add") or remove ("fwd.del") its forward @fwd, in a
 * background job over a connection of its own; the outcome goes to the
 * messages and the host is asked again.
 */
void qnm_remote_vm_action(struct qnm_ui *ui, struct qnm_rhost *h, const char *op, const char *vm,
			  const char *fwd);

/**
 * typedef qnm_remote_done_fn - the outcome of qnm_remote_call(), in the UI
 * thread: @result 0 and the op's @res (owned by the caller of this, valid
 * during the call), or -errno and @err (the host's field and message).
 */
typedef void (*qnm_remote_done_fn)(struct qnm_ui *ui, void *data, int result,
				   const struct qnm_err *err, struct json_object *res);

/**
 * qnm_remote_call() - send @op with @args (taken over) to host @h in a
 * background job over a connection of its own; @done gets the outcome.
 * Return: 0, or -errno when no job could start (@done is not called).
 */
int qnm_remote_call(struct qnm_ui *ui, const struct qnm_rhost *h, const char *op,
		    struct json_object *args, int timeout_ms, qnm_remote_done_fn done, void *data);

/**
 * struct qnm_vmform_remote - what the VM form edits on a registered host.
 * @host:    the host's name.
 * @vm:      the VM as the host's "vm.get" said (the form takes it over).
 * @base:    that text (the form takes it over): the host refuses a save
 *           when its VM is no longer this.
 * @running: the VM runs there.
 * @nets:    the host's networks (the form takes a reference).
 */
struct qnm_vmform_remote {
	const char *host;
	struct qnm_vm *vm;
	char *base;
	bool running;
	struct json_object *nets;
};

/* the VM form on a registered host's VM (arg: struct qnm_vmform_remote) */
extern const struct qnm_screen_ops qnm_screen_vmform_remote;

/**
 * struct qnm_modes_remote - the topology of VM @vm of registered host
 * @host, as that host computes it ("vm.topology", asked once a second).
 */
struct qnm_modes_remote {
	const char *host;
	const char *vm;
};

/* the Modes screen on a registered host's VM (arg: struct qnm_modes_remote) */
extern const struct qnm_screen_ops qnm_screen_modes_remote;

/**
 * qnm_remote_edit_vm() - open the VM form on VM @vm of host @h: its file as
 * that host has it now ("vm.get", in a background job), then the form,
 * whose save goes to that host ("vm.save").
 */
void qnm_remote_edit_vm(struct qnm_ui *ui, struct qnm_rhost *h, const char *vm);

/**
 * qnm_remote_host_line() - the line over a host's rows (VMs, Traffic):
 * " NAME DEST: @up " while it answers, "UNREACHABLE since N s, @kept" when
 * it stopped ("@none" when it never answered), "asking..." before its first
 * answer; this host's line (@h NULL) says @local.
 * @ui:    the UI.
 * @h:     the host, or NULL for this host.
 * @local: this host's line's text.
 * @up:    what follows "NAME DEST: " while @h answers.
 * @kept:  what its rows are when it does not answer ("its last rows kept").
 * @none:  the same when it never answered.
 * @sel:   the line is selected.
 * @y:     the line.
 * @r:     the screen's rectangle (columns).
 */
void qnm_remote_host_line(struct qnm_ui *ui, const struct qnm_rhost *h, const char *local,
			  const char *up, const char *kept, const char *none, bool sel, int y,
			  const struct qnm_rect *r);

/** qnm_remote_str() - the string member @key of @o, or "". */
const char *qnm_remote_str(struct json_object *o, const char *key);

/** qnm_remote_num() - the number member @key of @o, or 0. */
double qnm_remote_num(struct json_object *o, const char *key);

#endif
