/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guests.h - what the UI knows of running guests: each VM's run status
 * (from its runtime directory) and the live counters of its slirp NICs
 * (from their helpers' control sockets), with short rate histories.
 * Refreshed on the UI's timer; read by the VMs, Traffic and Modes screens.
 */
#ifndef QNM_UI_GUESTS_H
#define QNM_UI_GUESTS_H

#include "capture.h"
#include "rundir.h"
#include "slirpctl.h"
#include "uipriv.h"

#define QNM_GUEST_HIST 240

/**
 * struct qnm_guest_nic - counters of one slirp NIC of a running guest.
 * @vm, @nic: whose.
 * @st:       the helper's latest counters (guest's view: rx = to the guest).
 * @have:     @st is valid (the helper answered).
 * @rate:     bytes/s received and sent by the guest since the last refresh.
 * @hist:     rx/tx rates, oldest first, @nh of them.
 */
struct qnm_guest_nic {
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	struct qnm_slirp_stats st;
	bool have;
	double rate[2];
	double hist[2][QNM_GUEST_HIST];
	size_t nh;
};

/**
 * struct qnm_guest - one VM's run state.
 * @name:   the VM.
 * @info:   what its runtime directory says.
 * @busy:   a start or stop job is running for it.
 * @cap_busy: a capture is being started or stopped for it.
 */
struct qnm_guest {
	char name[QNM_NAME_MAX + 1];
	struct qnm_run_info info;
	bool busy;
	bool cap_busy;
};

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

/** struct qnm_guests - all of it; @vms, @nics and @caps arrays. */
struct qnm_guests {
	struct qnm_guest *vms;
	size_t nvms;
	struct qnm_guest_nic *nics;
	size_t nnics;
	struct qnm_guest_cap *caps;
	size_t ncaps;
	long last_ms;
};

/** qnm_guests_refresh() - probe runtime dirs and slirp helpers now. */
void qnm_guests_refresh(struct qnm_ui *ui);
void qnm_guests_free(struct qnm_guests *g);
/** qnm_guest_find() - run state of VM @name (status ABSENT when unknown). */
const struct qnm_guest *qnm_guest_find(struct qnm_ui *ui, const char *name);
/** qnm_guest_nic_find() - counters of NIC @nic of @vm, or NULL. */
const struct qnm_guest_nic *qnm_guest_nic_find(struct qnm_ui *ui, const char *vm, const char *nic);
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

#endif
