// SPDX-License-Identifier: GPL-2.0-or-later
/* termsafe.c - guest output made safe to print on a terminal (see termsafe.h). */
#include "build-config.h"

#include "core/termsafe.h"

#include <stdlib.h>
#include <string.h>

void qnm_term_filter_init(struct qnm_term_filter *f)
{
	memset(f, 0, sizeof(*f));
}

static void add_hex(struct qnm_strbuf *out, unsigned char c)
{
	qnm_sb_addf(out, "\\x%02x", c);
}

/*
 * Length of the well-formed UTF-8 character at @p (@n bytes available) of
 * code point U+00A0 or above: 2-4; 0 when it is not one; -1 when @n ends
 * before the character could be complete.
 */
static int utf8_len(const unsigned char *p, size_t n)
{
	unsigned cp, min;
	int len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2, cp = p[0] & 0x1f, min = 0xa0;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3, cp = p[0] & 0x0f, min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Filter @n bytes at @p; with @final false, an unfinished tail goes to @f. */
static void filter(struct qnm_term_filter *f, const unsigned char *p, size_t n, bool final,
		   struct qnm_strbuf *out)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		int len;

		if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
			qnm_sb_addc(out, (char)c);
		} else if (c == '\r') {
			if (i + 1 == n && !final)
				break; /* a CR LF may be cut here */
			if (i + 1 < n && p[i + 1] == '\n') {
				i++;
				continue;
			}
			qnm_sb_add(out, "^M");
		} else if (c < 0x20 || c == 0x7f) {
			qnm_sb_addc(out, '^');
			qnm_sb_addc(out, (char)(c ^ 0x40));
		} else {
			len = utf8_len(p + i, n - i);
			if (len < 0 && !final)
				break;
			if (len > 0) {
				qnm_sb_addn(out, (const char *)p + i, (size_t)len);
				i += (size_t)len;
				continue;
			}
			add_hex(out, c);
		}
		i++;
	}
	f->npend = n - i;
	memcpy(f->pend, p + i, f->npend);
}

void qnm_term_filter_add(struct qnm_term_filter *f, const char *buf, size_t n,
			 struct qnm_strbuf *out)
{
	unsigned char *tmp;

	if (!f->npend) {
		filter(f, (const unsigned char *)buf, n, false, out);
		return;
	}
	tmp = xmalloc(f->npend + n);
	memcpy(tmp, f->pend, f->npend);
	memcpy(tmp + f->npend, buf, n);
	filter(f, tmp, f->npend + n, false, out);
	free(tmp);
}

void qnm_term_filter_flush(struct qnm_term_filter *f, struct qnm_strbuf *out)
{
	unsigned char tmp[sizeof(f->pend)];
	size_t n = f->npend;

	memcpy(tmp, f->pend, n);
	f->npend = 0;
	filter(f, tmp, n, true, out);
}

char *qnm_term_safe(const char *buf, size_t n)
{
	struct qnm_term_filter f;
	struct qnm_strbuf sb;

	qnm_term_filter_init(&f);
	qnm_sb_init(&sb);
	qnm_term_filter_add(&f, buf, n, &sb);
	qnm_term_filter_flush(&f, &sb);
	return qnm_sb_steal(&sb);
}

int qnm_utf8_len(const char *p, size_t n)
{
	int len = n ? utf8_len((const unsigned char *)p, n) : 0;

	return len > 0 ? len : 0;
}

char *qnm_utf8_copy(const char *s)
{
	struct qnm_strbuf sb;
	size_t n = strlen(s), i = 0;

	qnm_sb_init(&sb);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int len;

		if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n') {
			qnm_sb_addn(&sb, s + i, 1);
			i++;
		} else if ((len = qnm_utf8_len(s + i, n - i)) > 0) {
			qnm_sb_addn(&sb, s + i, (size_t)len);
			i += (size_t)len;
		} else {
			qnm_sb_add(&sb, "\xef\xbf\xbd");
			i++;
		}
	}
	return sb.s;
}
