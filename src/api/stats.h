/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - the stats subscription: live counters, rates and histories of
 * every host link and of every guest interface (TAPs, slirp NICs), as one
 * sampler a front end ticks at its own pace (watch/sampler.h).
 */
#ifndef QNM_API_STATS_H
#define QNM_API_STATS_H

#include "core/context.h"
/* re-exported: the sampler and its entries (struct qnm_sampler,
 * qnm_sample_*(), qnm_fmt_bytes()/qnm_fmt_rate()), the stats observer
 * interface */
#include "watch/sampler.h"

/**
 * qnm_api_stats_open() - a sampler of this host mapped against @ctx's
 * model (VMs, NICs, networks; edits are picked up at each tick) and its
 * runtime directory (running VMs' slirp helpers). No reading yet: call
 * qnm_sampler_tick() once per interval.
 * @ctx: the context; its model must outlive the sampler.
 * @out: the sampler on success; free with qnm_sampler_free().
 * @err: why the host's links could not be read.
 * Needs no privilege. Return: 0 or -errno.
 */
int qnm_api_stats_open(const struct qnm_ctx *ctx, struct qnm_sampler **out, struct qnm_err *err);

#endif
