/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * termsafe.h - guest output made safe to print on a terminal.
 *
 * A guest's serial console is text someone else wrote: escape sequences in
 * it can move the cursor, retitle the window, redefine keys or hide lines
 * when printed raw. The filter keeps printable ASCII, well-formed UTF-8
 * (U+00A0 and up), newlines and tabs; it drops the CR of a CR LF (serial
 * consoles end lines so) and shows every other byte visibly: C0 controls
 * and DEL in caret notation ("^[" for ESC, "^M" for a lone CR, "^?"), C1
 * controls and bytes that are not UTF-8 as "\xNN". Output is cut into
 * chunks at any byte: a state carries an unfinished sequence over.
 */
#ifndef QNM_TERMSAFE_H
#define QNM_TERMSAFE_H

#include <stddef.h>

#include "core/util.h"

/**
 * struct qnm_term_filter - bytes of an unfinished sequence (a CR that may
 * start a CR LF, the start of a UTF-8 character) held for the next chunk.
 * @pend:  the bytes.
 * @npend: how many.
 */
struct qnm_term_filter {
	unsigned char pend[4];
	size_t npend;
};

/** qnm_term_filter_init() - an empty state. */
void qnm_term_filter_init(struct qnm_term_filter *f);

/**
 * qnm_term_filter_add() - append @n bytes of guest output at @buf, made safe,
 * to @out; an unfinished sequence at the end is kept in @f.
 */
void qnm_term_filter_add(struct qnm_term_filter *f, const char *buf, size_t n,
			 struct qnm_strbuf *out);

/** qnm_term_filter_flush() - the output ended: append what @f still holds, made visible. */
void qnm_term_filter_flush(struct qnm_term_filter *f, struct qnm_strbuf *out);

/**
 * qnm_term_safe() - @n bytes of guest output at @buf as safe text.
 * Return: new string, caller frees.
 */
char *qnm_term_safe(const char *buf, size_t n);

/**
 * qnm_utf8_len() - length (2-4) of the well-formed UTF-8 character of code
 * point U+00A0 or above at @p, @n bytes available; 0 when it is not one (or
 * would end after @n bytes).
 */
int qnm_utf8_len(const char *p, size_t n);

/**
 * qnm_utf8_copy() - @s with every byte that is not printable ASCII, tab,
 * newline or part of a character qnm_utf8_len() accepts replaced by U+FFFD:
 * text any JSON reader takes. Return: new string, caller frees.
 */
char *qnm_utf8_copy(const char *s);

#endif
