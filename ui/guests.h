/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guests.h - what the UI knows of running guests: each VM's run status
 * (qnm_api_vm_state()), the packet captures in place, and the UI's one engine sampler
 * (api/stats.h): the counters, rates and histories of every host link
 * and of every guest NIC (slirp helpers, TAPs). The sampler lives as long
 * as the UI and is ticked once per refresh interval whatever screen is
 * shown, so the VMs, Traffic and Modes screens show the same numbers and
 * a screen entered again still has its history. Read by the VMs, Traffic,
 * Modes, NIC form and Forwards screens.
 */
#ifndef QNM_UI_GUESTS_H
#define QNM_UI_GUESTS_H

#include "api/capture.h"
#include "api/guestaddr.h"
#include "api/run.h"
#include "api/stats.h"
#include "uipriv.h"

#include <stdint.h>

/**
 * struct qnm_guest - one VM's run state.
 * @name:   the VM.
 * @info:   what its runtime directory says.
 * @busy:   a start or stop job is running for it.
 * @cap_busy: a capture is being started or stopped for it.
 * @live:   while it runs, the VM as its QEMU runs it (qnm_api_vm_running_config(),
 *          owned), NULL when not running or unknown: screens show it, not
 *          the saved VM, and mark what a restart would change.
 */
struct qnm_guest {
	char name[QNM_NAME_MAX + 1];
	struct qnm_run_info info;
	bool busy;
	bool cap_busy;
	struct qnm_vm *live;
};

/**
 * qnm_guest_shown() - the VM @vm as the screens show it: what runs when it
 * runs (and qnm recorded it), else @vm as saved.
 */
const struct qnm_vm *qnm_guest_shown(struct qnm_ui *ui, const struct qnm_vm *vm);

/**
 * qnm_guest_pending() - "restart to apply: ..." for the running VM @vm
 * (saved @vm against what runs), or NULL when nothing waits. Caller frees.
 */
char *qnm_guest_pending(struct qnm_ui *ui, const struct qnm_vm *vm);

/**
 * struct qnm_guest_cap - a packet capture in place on a running guest (as the
 * engine records it, capture.h).
 * @vm:    the VM.
 * @c:     the record (NIC, file, owner).
 * @size:  the pcap file's size now (bytes; 0 when it cannot be read).
 * @mine:  this qnm process owns it (and stops it when asked or at quit).
 * @alive: its owner runs (another qnm: "qnm capture"); false: orphaned.
 */
struct qnm_guest_cap {
	char vm[QNM_NAME_MAX + 1];
	struct qnm_capture c;
	unsigned long long size;
	bool mine;
	bool alive;
};

/**
 * struct qnm_guests - all of it.
 * @vms:        run states of the VMs that have a runtime dir or a job under
 *              way, @nvms of them (a VM without an entry is absent: 10,000
 *              stopped VMs cost nothing per tick).
 * @caps:       captures found at the last refresh, @ncaps of them.
 * @last_ms:    monotonic ms of the last run-state refresh.
 * @sampler:    the UI's sampler, NULL until first needed or when it could
 *              not be opened (@sampler_error says why, owned).
 * @sampled_ms: monotonic ms of the sampler's last tick.
 * @sampler_sig: fingerprint of the sampler's entries (which, and their
 *              state) at its last tick (see qnm_guests_tick()).
 * @still_ticks: sampler ticks in a row in which no counter moved.
 * @addrs:      the guests' addresses (api/guestaddr.h), NULL until a screen
 *              first asks (qnm_guest_nic_addrs()); then refreshed at each
 *              tick while some VM has a runtime dir (the engine reads its
 *              sources at most once a second).
 * @addrs_sig:  fingerprint of @addrs at its last refresh.
 */
struct qnm_guests {
	struct qnm_guest *vms;
	size_t nvms;
	struct qnm_guest_cap *caps;
	size_t ncaps;
	long last_ms;
	struct qnm_sampler *sampler;
	char *sampler_error;
	long sampled_ms;
	uint64_t sampler_sig;
	unsigned long still_ticks;
	struct qnm_guestaddr *addrs;
	uint64_t addrs_sig;
};

/**
 * qnm_guests_refresh() - probe the runtime dirs now (run states only).
 * Costs one directory listing, plus, when some VM has a runtime dir, a
 * walk of the VM names and the state of each such VM: VMs that are not
 * running cost nothing.
 * Return: true when a run state or a capture changed since the last refresh.
 */
bool qnm_guests_refresh(struct qnm_ui *ui);

/**
 * qnm_guests_tick() - the refresh timer fired: refresh run states and tick
 * the sampler, each when a refresh interval (@ui->interval_ms) has passed
 * since its last refresh. The sampler is started at the first tick (not
 * before the first frame).
 * Return: true when what screens show changed (a run state, a capture, a
 * counter, a history that still moves, the sampler's error): the screen
 * needs a redraw. An idle screen whose data did not change is not redrawn.
 */
bool qnm_guests_tick(struct qnm_ui *ui);

void qnm_guests_free(struct qnm_guests *g);

/**
 * qnm_guest_find() - run state of VM @name (status ABSENT when unknown).
 * Return: valid until the next refresh or qnm_guest_set_busy() /
 * qnm_guest_set_cap_busy() call.
 */
const struct qnm_guest *qnm_guest_find(struct qnm_ui *ui, const char *name);

/** qnm_guest_set_busy() - mark a start/stop job for @name. */
void qnm_guest_set_busy(struct qnm_ui *ui, const char *name, bool busy);
/** qnm_guest_set_cap_busy() - mark a capture start/stop job for @name. */
void qnm_guest_set_cap_busy(struct qnm_ui *ui, const char *name, bool busy);
/**
 * qnm_guest_caps() - the captures of VM @vm (NULL: of every VM) found at the
 * last refresh; *@n gets how many. The array stays valid until the next
 * refresh; entries of one VM are contiguous, sorted by capture id.
 */
const struct qnm_guest_cap *qnm_guest_caps(struct qnm_ui *ui, const char *vm, size_t *n);

/**
 * qnm_ui_sampler() - the UI's sampler, started (and ticked once) if it was
 * not yet.
 * @error: set to why there is none (NULL when there is one), or to the
 *         last tick's error; may be NULL.
 * Return: the sampler (owned by the UI, valid until it exits) or NULL.
 */
struct qnm_sampler *qnm_ui_sampler(struct qnm_ui *ui, const char **error);

/**
 * qnm_guest_nic_sample() - the sampler's entry of NIC @i of @vm: "VM/NIC"
 * for a slirp NIC, the TAP for a tap NIC.
 * Return: the entry (valid until the next sampler tick), or NULL when the
 * NIC has no counters (user and bridge-helper backends, slirp NIC of a VM
 * not running, no sampler yet).
 */
const struct qnm_sample *qnm_guest_nic_sample(struct qnm_ui *ui, const struct qnm_vm *vm, size_t i);

/**
 * qnm_guest_nic_addrs() - what the host knows of the guest's addresses on
 * NIC @i of the running VM @vm (addresses, gateway, sources), from the
 * UI's address cache (started at the first call).
 * Return: the entry (valid until the next tick), or NULL when the VM does
 * not run (or did not at the last refresh).
 */
const struct qnm_nic_addrs *qnm_guest_nic_addrs(struct qnm_ui *ui, const struct qnm_vm *vm,
						size_t i);

#endif
