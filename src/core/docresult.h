/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docresult.h - what one host-readiness check ("qnm doctor") found: a
 * status, plain-language findings and the exact fixes.
 *
 * The doctor (watch/doctor.c) runs its own checks and those a backend
 * brings (core/backend.h, struct qnm_backend_check); both fill this type,
 * so it lives below them.
 */
#ifndef QNM_DOCRESULT_H
#define QNM_DOCRESULT_H

#include <stdarg.h>

#include "core/util.h"

/**
 * enum qnm_doc_status - outcome of one check, from best to worst (a check
 * that finds several things reports the worst).
 * @QNM_DOC_OK:   nothing to do.
 * @QNM_DOC_SKIP: does not apply to this configuration, or cannot be looked
 *                at (the finding says why).
 * @QNM_DOC_WARN: works, but something will not (or may not) work.
 * @QNM_DOC_FAIL: something configured cannot work until fixed.
 */
enum qnm_doc_status { QNM_DOC_OK, QNM_DOC_SKIP, QNM_DOC_WARN, QNM_DOC_FAIL, QNM_DOC__COUNT };

/** qnm_doc_status_name() - "ok", "skip", "warn" or "fail". */
const char *qnm_doc_status_name(enum qnm_doc_status s);

/**
 * struct qnm_doc_result - what one check found.
 * @status:  the worst of its findings.
 * @finding: plain-language sentences, one per line.
 * @fix:     the exact commands or edits that fix it, one per line ("" when
 *           nothing is to be done).
 */
struct qnm_doc_result {
	enum qnm_doc_status status;
	struct qnm_strbuf finding;
	struct qnm_strbuf fix;
};

/** qnm_doc_result_init() - an empty result: status ok, no finding, no fix. */
void qnm_doc_result_init(struct qnm_doc_result *r);

/** qnm_doc_result_clear() - free what @r holds. */
void qnm_doc_result_clear(struct qnm_doc_result *r);

/**
 * qnm_doc_vfinding() - add a sentence to @r; its status becomes the worse
 * of @st and what it was.
 * @r:   the result.
 * @st:  how bad this finding is.
 * @fmt: printf format of the sentence, with its arguments in @ap.
 */
void qnm_doc_vfinding(struct qnm_doc_result *r, enum qnm_doc_status st, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/** qnm_doc_finding() - qnm_doc_vfinding() with the arguments inline. */
void qnm_doc_finding(struct qnm_doc_result *r, enum qnm_doc_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * qnm_doc_vfix() - add one line of the fix to @r (a line it already has is
 * dropped).
 * @r:   the result.
 * @fmt: printf format of the line, with its arguments in @ap.
 */
void qnm_doc_vfix(struct qnm_doc_result *r, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/** qnm_doc_fix() - qnm_doc_vfix() with the arguments inline. */
void qnm_doc_fix(struct qnm_doc_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
