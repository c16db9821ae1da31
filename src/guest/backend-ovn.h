/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend-ovn.h - a TAP NIC on an ovn network (backend-ovn.c), for the TAP
 * backend's ops.
 */
#ifndef QNM_GUEST_OVN_NIC_H
#define QNM_GUEST_OVN_NIC_H

#include <stddef.h>

#include "core/backend.h"
#include "core/model.h"
#include "core/util.h"
#include "guest/rundir.h"

struct qnm_doc_result;

/**
 * qnm_ovn_nic_net() - the ovn network TAP NIC @nic joins in @model, or
 * NULL (no network, not an ovn one, or no @model).
 */
const struct qnm_network *qnm_ovn_nic_net(const struct qnm_model *model, const struct qnm_nic *nic);

/**
 * qnm_ovn_nic_plan() - for a NIC on an ovn network: its database, network
 * and integration bridge into @h (the TAP backend's @host_plan).
 */
void qnm_ovn_nic_plan(const struct qnm_model *model, const struct qnm_nic *nic,
		      struct qnm_nic_host *h);

/**
 * qnm_ovn_nic_check() - before start: this host's Open vSwitch answers and
 * is an OVN chassis (its system-id), and @net is up in its database.
 * Return: 0 or -errno with @err naming "nic[ID].network".
 */
int qnm_ovn_nic_check(const struct qnm_vm *vm, const struct qnm_nic *nic,
		      const struct qnm_network *net, struct qnm_err *err);

/**
 * qnm_ovn_nic_attach() - in the supervisor, after TAP @ifname of NIC @idx
 * exists: its logical port, the intent record, the port on the integration
 * bridge, the TAP up. Return: 0 or -errno (nothing left on the bridge).
 */
int qnm_ovn_nic_attach(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
		       struct qnm_nic_host *h, const char *ifname, struct qnm_err *err);

/**
 * qnm_ovn_nic_detach() - after QEMU: TAP @ifname off the integration bridge
 * and its record gone (the logical port stays).
 */
void qnm_ovn_nic_detach(const struct qnm_rundir *rd, struct qnm_nic_host *h, const char *ifname);

/**
 * qnm_ovn_reclaim() - what a killed supervisor of the VM of @rd left on the
 * integration bridge, by its records; a sentence per port is added to
 * @report. Return: how many ports.
 */
int qnm_ovn_reclaim(const struct qnm_rundir *rd, struct qnm_strbuf *report);

/**
 * qnm_ovn_doctor() - the ovn check of "qnm doctor" (the TAP backend's):
 * when @model has an ovn network, this host's Open vSwitch answers, it is
 * a chassis (system-id, ovn-remote, encapsulation type and address), the
 * integration bridge exists, the chassis is registered in the southbound
 * database with an encapsulation, each network's northbound database
 * answers; a fix line for each failure.
 */
void qnm_ovn_doctor(const struct qnm_model *model, struct qnm_doc_result *r);

#endif
