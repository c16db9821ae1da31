/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * doctor.h - diagnostics, for both front ends: the doctor (this host
 * against the VMs and networks of the model, each problem with its fix;
 * watch/doctor.h) and the host check (what this user can and cannot do
 * here, and why: "qnm check").
 */
#ifndef QNM_API_DOCTOR_H
#define QNM_API_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"
/* re-exported: the doctor's report (struct qnm_doctor_report, its items and
 * statuses) and its table of checks, as read-only data */
#include "watch/doctor.h"

/**
 * qnm_api_doctor_run() - run every check (or only @only) against the model
 * of @ctx and this host; looks, never changes anything.
 * @ctx:  the context (its model must be loaded).
 * @only: the id of the one check to run, or NULL for all.
 * @rep:  filled; free with qnm_doctor_report_clear().
 * Return: 0, or -ENOENT when @only names no check (qnm_doctor_checks()
 * lists them).
 */
int qnm_api_doctor_run(const struct qnm_ctx *ctx, const char *only, struct qnm_doctor_report *rep);

/**
 * struct qnm_api_host_check - one item of the host check.
 * @name:   its id ("cap_net_admin", "dev_net_tun", ...).
 * @ok:     this user can do it here.
 * @detail: what was found, and why it matters.
 */
struct qnm_api_host_check {
	const char *name;
	bool ok;
	char detail[512];
};

/**
 * qnm_api_doctor_host() - check what this user can do on this host, in
 * this network namespace: CAP_NET_ADMIN, /dev/net/tun, ip_forward,
 * ping_group_range, dnsmasq, QEMU's bridge helper, nftables.
 * @n: set to how many items.
 * Return: a new array of *@n items, in a fixed order (caller frees with
 * free()).
 */
struct qnm_api_host_check *qnm_api_doctor_host(const struct qnm_ctx *ctx, size_t *n);

#endif
