/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyfile.h - a small, careful parser for qnm's human-edited files.
 *
 * Format:
 *   # comment            (also ';'; whole lines only, so values may hold '#')
 *   [section]            or [section name]  e.g. [vm], [nic n0]
 *   key = value          value is the rest of the line, trimmed; or a
 *   key = "value"        quoted string with \" \\ \n \t escapes (used
 *                        when a value has leading/trailing blanks)
 * Keys may repeat where the reader allows it (e.g. hostfwd, extra).
 *
 * The parser only tokenises; the meaning of sections and keys is in
 * config.c. Every entry carries its line number for "FILE:LINE: ..."
 * messages.
 */
#ifndef QNM_KEYFILE_H
#define QNM_KEYFILE_H

#include <stddef.h>

#include "core/util.h"

/*
 * QNM_KF_VALUE_MAX - the longest value (bytes, NUL excluded) a caller may
 * give qnm_kf_write_value() and still read it back: written with every byte
 * escaped and a key of up to QNM_KF_KEY_MAX bytes, its line is within
 * QNM_KF_LINE_MAX, the longest line qnm_keyfile_parse() takes. The schema's
 * text keys stop at this length when they are set (schema.h, QNM_TEXT_MAX).
 */
#define QNM_KF_VALUE_MAX 4096
#define QNM_KF_KEY_MAX	 48
#define QNM_KF_LINE_MAX	 (QNM_KF_KEY_MAX + sizeof(" = \"\"") - 1 + 2 * QNM_KF_VALUE_MAX)

/**
 * struct qnm_kf_entry - one "key = value" line.
 * @section: index into qnm_keyfile.sections.
 * @key:     the key (in qnm_keyfile.pool).
 * @value:   the value, unquoted (in qnm_keyfile.pool).
 * @line:    1-based line number.
 */
struct qnm_kf_entry {
	size_t section;
	char *key;
	char *value;
	unsigned line;
};

/**
 * struct qnm_kf_section - one "[type name]" header.
 * @type: first word ("vm", "nic", "network"), in qnm_keyfile.pool.
 * @name: second word (in qnm_keyfile.pool) or NULL.
 * @line: line of the header.
 */
struct qnm_kf_section {
	char *type;
	char *name;
	unsigned line;
};

/**
 * struct qnm_keyfile - a parsed file: sections and entries in file order.
 * @pool:  the text of every key, value, section type and name, one after
 *         the other (each ends in a NUL): one allocation for the file, not
 *         two per line. No string takes more room than the line it came
 *         from, so the file's length (+ 1) is room for them all.
 * @used:  bytes of @pool taken.
 */
struct qnm_keyfile {
	struct qnm_kf_section *sections;
	size_t nsections;
	struct qnm_kf_entry *entries;
	size_t nentries;
	char *pool;
	size_t used;
};

/**
 * qnm_keyfile_parse() - tokenise @len bytes of @text.
 * @kf:       output, freed with qnm_keyfile_free() (also on error).
 * @filename: for messages.
 * @err:      on error, msg is "FILENAME:LINE: what is wrong".
 * Return: 0 or -EINVAL.
 */
int qnm_keyfile_parse(const char *text, size_t len, const char *filename, struct qnm_keyfile *kf,
		      struct qnm_err *err);
void qnm_keyfile_free(struct qnm_keyfile *kf);

/**
 * qnm_kf_write_value() - append "key = value\n" to @sb, quoting @value
 * when it would not read back unchanged. It reads back as it was when @key
 * has at most QNM_KF_KEY_MAX bytes and @value at most QNM_KF_VALUE_MAX.
 */
void qnm_kf_write_value(struct qnm_strbuf *sb, const char *key, const char *value);

#endif
