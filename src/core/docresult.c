// SPDX-License-Identifier: GPL-2.0-or-later
/* docresult.c - building the result of a readiness check. See docresult.h. */
#include "build-config.h"

#include "core/docresult.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
	[QNM_DOC_OK] = "ok",
	[QNM_DOC_SKIP] = "skip",
	[QNM_DOC_WARN] = "warn",
	[QNM_DOC_FAIL] = "fail",
};

const char *qnm_doc_status_name(enum qnm_doc_status s)
{
	return (unsigned)s < QNM_ARRAY_SIZE(status_names) ? status_names[s] : "?";
}

void qnm_doc_result_init(struct qnm_doc_result *r)
{
	r->status = QNM_DOC_OK;
	qnm_sb_init(&r->finding);
	qnm_sb_init(&r->fix);
}

void qnm_doc_result_clear(struct qnm_doc_result *r)
{
	qnm_sb_free(&r->finding);
	qnm_sb_free(&r->fix);
}

void qnm_doc_vfinding(struct qnm_doc_result *r, enum qnm_doc_status st, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);

	if (st > r->status)
		r->status = st;
	if (r->finding.len)
		qnm_sb_addc(&r->finding, '\n');
	qnm_sb_add(&r->finding, s);
	free(s);
}

void qnm_doc_finding(struct qnm_doc_result *r, enum qnm_doc_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qnm_doc_vfinding(r, st, fmt, ap);
	va_end(ap);
}

void qnm_doc_vfix(struct qnm_doc_result *r, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);
	const char *p;
	size_t n = strlen(s);

	for (p = r->fix.s; (p = strstr(p, s)); p++)
		if ((p == r->fix.s || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) {
			free(s);
			return;
		}
	if (r->fix.len)
		qnm_sb_addc(&r->fix, '\n');
	qnm_sb_add(&r->fix, s);
	free(s);
}

void qnm_doc_fix(struct qnm_doc_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qnm_doc_vfix(r, fmt, ap);
	va_end(ap);
}
