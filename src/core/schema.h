/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * schema.h - every key of a VM, a NIC and a network, described once.
 *
 * One row per key (struct qnm_key): its name, type, where it lives in the
 * model, its limits, the backends it applies to (NIC keys), its label and
 * its help text. From these rows come:
 *   - reading and writing the config files (config.c),
 *   - KEY=VALUE assignments (qnm set, qnm nic add/set, qnm net add/set),
 *   - the --json objects (qnm show/list --json, qnm nic list --json, qnm net),
 *   - the list of keys in the CLI's help,
 *   - the rows of the UI's VM, NIC and network forms: which rows a form
 *     shows, their labels and hints, and how a row's text is read from and
 *     written into the model copy the form edits.
 *
 * A new key is its field in model.h and one row in a table of schema.c
 * (and, for a NIC key, the code of the backend that uses it); model.c's
 * copy, compare and free follow from the row.
 */
#ifndef QNM_SCHEMA_H
#define QNM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

struct json_object;

/*
 * QNM_TEXT_MAX - the longest path (disk, kernel, smb, ...), kernel command
 * line or extra QEMU argument, in bytes: longer ones are refused when set
 * (file, KEY=VALUE or form), so every file qnm writes reads back (a line of
 * the keyfile holds any such value, escaped).
 */
#define QNM_TEXT_MAX 4096

/** enum qnm_key_type - the kind of value a key holds, and how it is stored. */
enum qnm_key_type {
	QNM_KEY_STR,  /* fixed char array of @size bytes */
	QNM_KEY_PATH, /* heap char *, NULL when empty */
	QNM_KEY_UINT, /* unsigned, @min..@max */
	QNM_KEY_BOOL, /* bool written yes/no */
	QNM_KEY_LINK, /* bool written up/down */
	QNM_KEY_ENUM, /* int-sized enum named by @choices */
	QNM_KEY_FWD,  /* list: struct qnm_fwd * at @offset, size_t count at @count_off */
	QNM_KEY_ARGV, /* list: char ** at @offset, size_t count at @count_off */
	QNM_KEY_CIDR, /* "A.B.C.D/N": char[QNM_IPV4_LEN] at @offset, unsigned prefix at @count_off */
};

/**
 * struct qnm_key - one key.
 * @name:        the key in files and KEY=VALUE, and the field errors name.
 * @type:        what it holds.
 * @offset:      where it lives in the object (struct qnm_vm, qnm_nic, ...).
 * @size:        QNM_KEY_STR: size of the array, NUL included.
 * @count_off:   lists: where the count lives; QNM_KEY_CIDR: the prefix.
 * @min:         QNM_KEY_UINT: smallest value a file or KEY=VALUE may give.
 * @max:         QNM_KEY_UINT: largest. Lists: most entries (so that a
 *               file with every list full stays under the size the
 *               reader takes, see qnm_read_file()'s callers).
 * @unit:        QNM_KEY_UINT: unit named after the range of a refused value.
 * @choices:     QNM_KEY_ENUM: the names of the values.
 * @write_empty: QNM_KEY_STR: written as "key =" when empty (else left out).
 * @when:        the values of the schema's selector for which the key
 *               applies (QNM_WHEN() bits); 0: always. For NIC keys these
 *               are the backends.
 * @group:       NIC keys of an option group shared by more backends than
 *               @when: those backends' JSON lists it too, and a form that
 *               switches to one of them clears it.
 * @json:        member name in --json output when not @name.
 * @json_text:   lists: --json gives each entry as its file text.
 * @text:        QNM_KEY_PATH: free text, not a file name (UTF-8; tabs and
 *               newlines allowed, as in QNM_KEY_STR and QNM_KEY_ARGV).
 * @label:       the label of its row in a form.
 * @help:        what it means: comment above the key in files, CLI help,
 *               and the hint of its form row (at most two 78-column lines).
 */
struct qnm_key {
	const char *name;
	size_t offset;
	size_t size;
	size_t count_off;
	unsigned long min, max;
	const char *unit;
	const struct qnm_enum *choices;
	const char *json;
	const char *label;
	const char *help;
	enum qnm_key_type type;
	unsigned when;
	unsigned group;
	bool write_empty;
	bool json_text;
	bool text;
};

/** QNM_WHEN() - the bit of selector value @v in qnm_key.when. */
#define QNM_WHEN(v) (1u << (v))

/**
 * struct qnm_schema - the keys of one kind of object.
 * @noun:         what the object is called in messages ("VM", "NIC", "network").
 * @keys:         the keys, in file order; @n of them.
 * @selector:     the enum key whose value decides which keys apply (see
 *                qnm_key.when), or NULL.
 * @strict:       keys that do not apply are refused in files and KEY=VALUE,
 *                and are neither written nor listed in --json (NIC keys).
 * @clear_hidden: a form clears the fields of keys that do not apply (VM
 *                boot paths, a network's uplink/port); otherwise their
 *                values are kept for when the selector comes back.
 */
struct qnm_schema {
	const char *noun;
	const struct qnm_key *keys;
	size_t n;
	const char *selector;
	bool strict;
	bool clear_hidden;
};

extern const struct qnm_schema qnm_vm_schema;
extern const struct qnm_schema qnm_nic_schema;
extern const struct qnm_schema qnm_net_schema;

/**
 * qnm_schema_clear() - free what the keys of @obj own (paths, lists); the
 * other fields are left as they are.
 */
void qnm_schema_clear(const struct qnm_schema *s, void *obj);

/**
 * qnm_schema_copy() - after "*dst = *src", give @dst its own copies of what
 * the keys of @src own (paths, lists).
 */
void qnm_schema_copy(const struct qnm_schema *s, void *dst, const void *src);

/**
 * qnm_schema_equal() - true when every key has the same value in @a and @b;
 * for a strict schema, every key that applies (the selector is one of them).
 */
bool qnm_schema_equal(const struct qnm_schema *s, const void *a, const void *b);

/** qnm_schema_find() - the key named @name, or NULL. */
const struct qnm_key *qnm_schema_find(const struct qnm_schema *s, const char *name);

/** qnm_schema_list() - append "key, key, ..." (every key of @s) to @sb. */
void qnm_schema_list(const struct qnm_schema *s, struct qnm_strbuf *sb);

/**
 * qnm_schema_selected() - the value of @s's selector in @obj (-1 when @s
 * has no selector).
 */
int qnm_schema_selected(const struct qnm_schema *s, const void *obj);

/**
 * qnm_key_applies() - true when @k applies to selector value @sel (a value
 * from qnm_schema_selected(), or a form's choice).
 */
bool qnm_key_applies(const struct qnm_key *k, int sel);

/**
 * qnm_schema_key_in_use() - true when @k applies to @obj: always, unless @s
 * is strict and @obj's selector (a NIC's backend) excludes it.
 */
bool qnm_schema_key_in_use(const struct qnm_schema *s, const struct qnm_key *k, const void *obj);

/** qnm_key_is_list() - true for keys that repeat (KEY+=, KEY-=). */
bool qnm_key_is_list(const struct qnm_key *k);

/**
 * qnm_key_reserve() - room for @n entries of list key @k of @obj, made at
 * once when the list is empty (a file's run of @n lines of that key), so
 * that qnm_key_set() appends them without growing the array step by step:
 * each step copied the entries so far into fresh pages (net up of 1,000
 * forwards: 26 page faults more). Nothing for other keys or a list already
 * holding entries.
 */
void qnm_key_reserve(const struct qnm_key *k, void *obj, size_t n);

/**
 * qnm_key_set() - store the text @value of key @k into @obj, as a file line
 * or KEY=VALUE gives it (lists: append one entry).
 * @fn:    file name for messages ("" for an assignment).
 * @line:  its line (0 for an assignment).
 * @field: the field name for @err ("memory", "nic[n0].mac").
 * @err:   "FN:LINE: FIELD: 'VALUE' must ..." on a bad value; a text
 *         longer than qnm_key_maxlen() or a list already holding @k->max
 *         entries: "FN:LINE: FIELD: at most N characters|entries".
 * Return: 0 or -EINVAL.
 */
int qnm_key_set(const struct qnm_key *k, void *obj, const char *value, const char *fn,
		unsigned line, const char *field, struct qnm_err *err);

/**
 * qnm_schema_write() - append "key = value" lines for the keys of @obj
 * that are set (and apply, for a strict schema), each after "# help" when
 * @comments.
 */
void qnm_schema_write(const struct qnm_schema *s, const void *obj, struct qnm_strbuf *sb,
		      bool comments);

/**
 * qnm_schema_assign() - apply one "KEY=VALUE" (lists also "KEY+=V" to
 * append, "KEY-=V" to remove, "KEY=" to empty) to @obj.
 * @prefix: put before the key in the error's field ("nic[n0].").
 * Return: 0 or -EINVAL/-ENOENT with @err naming the key.
 */
int qnm_schema_assign(const struct qnm_schema *s, void *obj, const char *assignment,
		      const char *prefix, struct qnm_err *err);

/**
 * qnm_schema_json() - add a member per key of @obj to the JSON object @o,
 * in key order (a strict schema: only the keys of the selected backend's
 * option group).
 */
void qnm_schema_json(const struct qnm_schema *s, const void *obj, struct json_object *o);

/**
 * qnm_fwd_json() - a forward as the JSON object --json outputs use:
 * {"kind" (when @kind is not NULL), "proto", "host_addr", "host_port",
 * "guest_addr", "guest_port"}.
 * Return: a new object (the caller owns its reference).
 */
struct json_object *qnm_fwd_json(const char *kind, const struct qnm_fwd *f);

/**
 * qnm_schema_help() - the keys of @s for a command's --help: one per line,
 * "  KEY  [SELECTOR: values] (list) help", wrapped to 80 columns.
 */
void qnm_schema_help(const struct qnm_schema *s, struct qnm_strbuf *sb);

/* ---- a form's rows (the UI binds one row to a key) ---- */

/** qnm_key_text() - the text of @k in @obj for a text row (lists: space-separated); caller frees. */
char *qnm_key_text(const struct qnm_key *k, const void *obj);

/**
 * qnm_key_maxlen() - the longest text @k holds: what a text row for @k
 * takes, and for a list the longest entry (a form row of a list takes
 * entries separated by blanks, so more).
 */
int qnm_key_maxlen(const struct qnm_key *k);

/**
 * qnm_key_set_text() - store a text row's @text into @obj, judged as
 * qnm_key_set() judges a file's or KEY=VALUE's value (one rule, one
 * message: a form and the CLI say the same). Lists are separated by blanks
 * (forwards also by commas).
 * Return: 0 or -EINVAL ("KEY: 'x' must be a whole number from 16 to 4194304
 * MiB", "KEY: 'x' is too long (at most N characters)", a forward's parse
 * error).
 */
int qnm_key_set_text(const struct qnm_key *k, void *obj, const char *text, struct qnm_err *err);

/** qnm_key_get_int() - a yes/no, up/down or enum key's value (yes/up: 1). */
int qnm_key_get_int(const struct qnm_key *k, const void *obj);
/** qnm_key_set_int() - set a yes/no, up/down or enum key's value. */
void qnm_key_set_int(const struct qnm_key *k, void *obj, int v);

/** qnm_key_clear() - empty @k in @obj (text "", path NULL, lists emptied, 0/no). */
void qnm_key_clear(const struct qnm_key *k, void *obj);

#endif
