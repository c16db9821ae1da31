/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * models.h - the device catalog: the NIC models a QEMU target offers, with
 * advice (guest/catalog.h: asked of qemu-system-ARCH, cached until the
 * binary changes, a built-in list when QEMU is missing).
 */
#ifndef QNM_API_MODELS_H
#define QNM_API_MODELS_H

#include "core/context.h"
/* re-exported: the device catalog (struct qnm_catalog and its entries,
 * qnm_catalog_*() lookups), as read-only data */
#include "guest/catalog.h"

/**
 * qnm_api_models_load() - the catalog of target @arch, from the cache in
 * @ctx's cache directory or by asking QEMU (may take seconds: a UI loads it
 * in the background).
 * @ctx:        the context.
 * @arch:       the QEMU target, e.g. "x86_64".
 * @timeout_ms: how long QEMU may take to answer.
 * @out:        the catalog on success; free with qnm_catalog_free().
 * @err:        why not.
 * Return: 0, or -EINVAL for a malformed @arch (a QEMU that cannot be asked
 * gives the built-in list, not an error).
 */
int qnm_api_models_load(const struct qnm_ctx *ctx, const char *arch, int timeout_ms,
			struct qnm_catalog **out, struct qnm_err *err);

#endif
