// SPDX-License-Identifier: GPL-2.0-or-later
/* keyfile.c - tokeniser for qnm's keyfiles (see keyfile.h for the format). */
#include "build-config.h"

#include "core/keyfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void qnm_keyfile_free(struct qnm_keyfile *kf)
{
	free(kf->pool);
	free(kf->sections);
	free(kf->entries);
	memset(kf, 0, sizeof(*kf));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* letters and digits (of the locale beyond ASCII), '-', '_' and '.' */
static inline bool is_word_char(char c)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x80)
		return isalnum(u);
	return (unsigned)((u | 0x20) - 'a') < 26 || (unsigned)(u - '0') < 10 || c == '-' ||
	       c == '_' || c == '.';
}

/* a copy of @s..@e (exclusive) in @kf's pool */
static char *dup_range(struct qnm_keyfile *kf, const char *s, const char *e)
{
	char *p = kf->pool + kf->used;

	memcpy(p, s, (size_t)(e - s));
	p[e - s] = '\0';
	kf->used += (size_t)(e - s) + 1;
	return p;
}

/* Parse a "[type name]" header between @s and @e (exclusive, trimmed). */
static int parse_section(const char *s, const char *e, unsigned line, const char *fn,
			 struct qnm_keyfile *kf, struct qnm_err *err)
{
	const char *p, *t0, *t1, *n0 = NULL, *n1 = NULL;
	struct qnm_kf_section *sec;

	if (e - s < 2 || e[-1] != ']')
		return qnm_err_set(err, -EINVAL, "", "%s:%u: section header must end with ']'", fn,
				   line);
	p = s + 1;
	e--;
	while (p < e && is_blank(*p))
		p++;
	t0 = p;
	while (p < e && is_word_char(*p))
		p++;
	t1 = p;
	if (t0 == t1)
		return qnm_err_set(err, -EINVAL, "", "%s:%u: empty section name", fn, line);
	while (p < e && is_blank(*p))
		p++;
	if (p < e) {
		n0 = p;
		while (p < e && is_word_char(*p))
			p++;
		n1 = p;
		while (p < e && is_blank(*p))
			p++;
		if (p < e || n0 == n1)
			return qnm_err_set(
				err, -EINVAL, "",
				"%s:%u: section header must be [TYPE] or [TYPE NAME] with letters, digits, '-', '_' or '.'",
				fn, line);
	}
	kf->sections = xreallocarray(kf->sections, kf->nsections + 1, sizeof(*kf->sections));
	sec = &kf->sections[kf->nsections++];
	sec->type = dup_range(kf, t0, t1);
	sec->name = n0 ? dup_range(kf, n0, n1) : NULL;
	sec->line = line;
	return 0;
}

/* Unquote a "..." value into @kf's pool; @s points at the opening quote. */
static int unquote(const char *s, const char *e, unsigned line, const char *fn,
		   struct qnm_keyfile *kf, char **out, struct qnm_err *err)
{
	char *start = kf->pool + kf->used, *o = start;
	const char *p = s + 1;

	for (; p < e && *p != '"'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		if (++p >= e)
			break;
		switch (*p) {
		case '\\':
			*o++ = '\\';
			break;
		case '"':
			*o++ = '"';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		default:
			return qnm_err_set(
				err, -EINVAL, "",
				"%s:%u: unknown escape '\\%c' in quoted value (use \\\\ \\\" \\n or \\t)",
				fn, line, isprint((unsigned char)*p) ? *p : '?');
		}
	}
	if (p >= e)
		return qnm_err_set(err, -EINVAL, "", "%s:%u: quoted value has no closing '\"'", fn,
				   line);
	for (p++; p < e; p++) {
		if (!is_blank(*p))
			return qnm_err_set(err, -EINVAL, "", "%s:%u: text after the closing '\"'",
					   fn, line);
	}
	*o++ = '\0';
	kf->used += (size_t)(o - start);
	*out = start;
	return 0;
}

static int parse_line(const char *s, const char *e, unsigned line, const char *fn,
		      struct qnm_keyfile *kf, struct qnm_err *err)
{
	const char *k0, *k1, *v0, *v1;
	struct qnm_kf_entry *ent;
	char *value = NULL;
	int r;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if (s == e || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_section(s, e, line, fn, kf, err);
	k0 = s;
	while (s < e && is_word_char(*s))
		s++;
	k1 = s;
	while (s < e && is_blank(*s))
		s++;
	if (k0 == k1 || s >= e || *s != '=')
		return qnm_err_set(err, -EINVAL, "",
				   "%s:%u: expected 'key = value', a [section] or a # comment", fn,
				   line);
	if (!kf->nsections)
		return qnm_err_set(err, -EINVAL, "", "%s:%u: '%.*s' comes before any [section]", fn,
				   line, (int)(k1 - k0), k0);
	s++;
	while (s < e && is_blank(*s))
		s++;
	v0 = s;
	v1 = e;
	if (v0 < v1 && *v0 == '"') {
		r = unquote(v0, v1, line, fn, kf, &value, err);
		if (r)
			return r;
	} else {
		value = dup_range(kf, v0, v1);
	}
	kf->entries = qnm_grow(kf->entries, kf->nentries, sizeof(*kf->entries));
	ent = &kf->entries[kf->nentries++];
	ent->section = kf->nsections - 1;
	ent->key = dup_range(kf, k0, k1);
	ent->value = value;
	ent->line = line;
	return 0;
}

int qnm_keyfile_parse(const char *text, size_t len, const char *filename, struct qnm_keyfile *kf,
		      struct qnm_err *err)
{
	const char *p = text, *end = text + len;
	/* the first NUL, looked for once: only its line is refused for it */
	const char *nul = memchr(text, '\0', len);
	unsigned line = 0;
	int r;

	memset(kf, 0, sizeof(*kf));
	kf->pool = xmalloc(len + 1); /* see struct qnm_keyfile */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		line++;
		if ((size_t)(le - p) > QNM_KF_LINE_MAX)
			return qnm_err_set(err, -EINVAL, "", "%s:%u: line longer than %zu bytes",
					   filename, line, (size_t)QNM_KF_LINE_MAX);
		if (nul && nul < le)
			return qnm_err_set(err, -EINVAL, "", "%s:%u: NUL byte (not a text file?)",
					   filename, line);
		r = parse_line(p, le, line, filename, kf, err);
		if (r)
			return r;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

void qnm_kf_write_value(struct qnm_strbuf *sb, const char *key, const char *value)
{
	size_t n = strlen(value);
	bool quote = false;
	const char *p;

	if (n && (is_blank(value[0]) || is_blank(value[n - 1]) || value[0] == '"'))
		quote = true;
	for (p = value; *p && !quote; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			quote = true;
	if (n && value[n - 1] == '\t')
		quote = true;
	qnm_sb_add(sb, key);
	qnm_sb_add(sb, " = ");
	if (!quote) {
		qnm_sb_add(sb, value);
		qnm_sb_addc(sb, '\n');
		return;
	}
	qnm_sb_addc(sb, '"');
	for (p = value; *p; p++) {
		switch (*p) {
		case '"':
			qnm_sb_add(sb, "\\\"");
			break;
		case '\\':
			qnm_sb_add(sb, "\\\\");
			break;
		case '\n':
			qnm_sb_add(sb, "\\n");
			break;
		case '\t':
			qnm_sb_add(sb, "\\t");
			break;
		default:
			qnm_sb_addc(sb, *p);
		}
	}
	qnm_sb_add(sb, "\"\n");
}
