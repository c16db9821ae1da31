/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guestaddr.h - the guest's own addresses on each running NIC (IPv4, IPv6,
 * gateway) and where each fact came from: dnsmasq leases, the slirp
 * helper, QEMU's info usernet, the host's neighbour tables and bridge FDBs
 * (watch/guestaddr.h). One cache per front end, refreshed at most once a
 * second however often it is asked.
 */
#ifndef QNM_API_GUESTADDR_H
#define QNM_API_GUESTADDR_H

#include "core/context.h"
/* re-exported: struct qnm_guestaddr and struct qnm_nic_addrs as read-only
 * data, qnm_guestaddr_find(), qnm_nic_addrs_text() */
#include "watch/guestaddr.h"

/**
 * qnm_api_guestaddr_open() - an empty address cache for @ctx's runtime
 * directory; nothing is read until qnm_api_guestaddr_refresh().
 * Return: the cache; free with qnm_guestaddr_free().
 */
struct qnm_guestaddr *qnm_api_guestaddr_open(const struct qnm_ctx *ctx);

/**
 * qnm_api_guestaddr_refresh() - bring @g up to date for the running VMs of
 * @ctx's model: reads the sources when the last reading is older than a
 * second (or @force), else returns at once.
 * @err: why the neighbour table could not be read (the other sources
 *       still filled the entries).
 * Needs no privilege. Return: 0 or -errno.
 */
int qnm_api_guestaddr_refresh(const struct qnm_ctx *ctx, struct qnm_guestaddr *g, bool force,
			      struct qnm_err *err);

#endif
