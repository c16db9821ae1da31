/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - small helpers shared by the whole engine: memory, strings,
 * user-facing errors.
 *
 * Conventions (see ../shared/STYLE.md):
 *  - engine functions return 0 or a negative errno;
 *  - the user-facing text goes into a caller-supplied struct qnm_err, which
 *    also names the field (config key / form field / CLI option) at fault;
 *  - nothing here calls exit(), except qnm_oom(), which is the one place an
 *    out-of-memory condition is allowed to end the process.
 */
#ifndef QNM_UTIL_H
#define QNM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QNM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**
 * struct qnm_err - a user-facing error.
 * @code:  the negative errno that was returned alongside this message.
 * @field: the field, key or option at fault ("" when none applies), e.g.
 *         "nic[0].mac" or "network.address".
 * @msg:   one sentence naming the field and the rule that was broken.
 */
struct qnm_err {
	int code;
	char field[64];
	char msg[512];
};

/**
 * qnm_err_set() - fill @e (which may be NULL) and return @code.
 * @e:     error to fill, or NULL to only return @code.
 * @code:  negative errno to return.
 * @field: field at fault, or NULL.
 * @fmt:   printf format of the message.
 *
 * Return: @code, so callers can write ``return qnm_err_set(e, -EINVAL, ...)``.
 */
int qnm_err_set(struct qnm_err *e, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * qnm_err_prefix() - prepend "@fmt: " to an already-set message.
 * @e:   error to change, or NULL.
 * @fmt: printf format of the prefix.
 */
void qnm_err_prefix(struct qnm_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** qnm_err_clear() - reset @e to "no error". */
void qnm_err_clear(struct qnm_err *e);

/**
 * qnm_oom() - report an allocation failure and abort.
 *
 * A UI registers a hook with qnm_set_oom_hook() (e.g. endwin()) so the
 * terminal is restored first.
 */
void qnm_oom(void) __attribute__((noreturn));

/** qnm_set_oom_hook() - set a function run by qnm_oom() before aborting. */
void qnm_set_oom_hook(void (*hook)(void));

/* Allocation helpers: never return NULL (they call qnm_oom()); said to the compiler
 * and the static analysers with returns_nonnull. */
void *xmalloc(size_t n) __attribute__((returns_nonnull));
void *xcalloc(size_t nmemb, size_t size) __attribute__((returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
/** xreallocarray() - grow an array, checking nmemb * size for overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size) __attribute__((returns_nonnull));
/**
 * qnm_room() - the entries an array of @n has room for when it only ever
 * grows by qnm_grow(): 8, or the power of two at or above @n. An array
 * made elsewhere and then grown by qnm_grow() needs this many.
 */
size_t qnm_room(size_t n);
/**
 * qnm_grow() - room for entry @n of array @p (NULL, or of qnm_room(@n)
 * entries of @size bytes): reallocated only when full, to twice the size,
 * so that appending 10,000 entries one by one costs 11 realloc() calls.
 * Return: the array (moved, maybe).
 */
void *qnm_grow(void *p, size_t n, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((returns_nonnull));
/** xstrdup_or_null() - xstrdup(), but NULL stays NULL. */
char *xstrdup_or_null(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** xvasprintf() - vasprintf() that aborts through qnm_oom() on failure; caller frees. */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/**
 * qnm_strlcpy() - copy @src into @dst of size @size, always terminating.
 * Return: strlen(@src); a value >= @size means the copy was truncated.
 */
size_t qnm_strlcpy(char *dst, const char *src, size_t size);

/** qnm_streq() - true when both strings are equal (NULL equals NULL). */
bool qnm_streq(const char *a, const char *b);

/**
 * qnm_mono_ns() - CLOCK_MONOTONIC in nanoseconds: the one clock qnm measures
 * durations, deadlines and rates with (qnm_mono_ms() and qnm_mono_ms_int()
 * are views of it).
 */
int64_t qnm_mono_ns(void);

/** qnm_mono_ms() - qnm_mono_ns() in milliseconds, with fractions (for timings). */
static inline double qnm_mono_ms(void)
{
	return (double)qnm_mono_ns() / 1e6;
}

/** qnm_mono_ms_int() - qnm_mono_ns() in whole milliseconds (for deadlines). */
static inline int64_t qnm_mono_ms_int(void)
{
	return qnm_mono_ns() / 1000000;
}

/** qnm_str_empty() - true for NULL or "". */
static inline bool qnm_str_empty(const char *s)
{
	return !s || !*s;
}

/**
 * qnm_parse_uint() - parse a decimal unsigned number in [@min, @max].
 * @s:   the text (no sign, no leading/trailing garbage, no empty string).
 * @min: smallest accepted value.
 * @max: largest accepted value.
 * @out: where the value goes on success.
 *
 * Return: 0, -EINVAL (not a number) or -ERANGE (outside [@min, @max]).
 */
int qnm_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/**
 * struct qnm_strbuf - a growable, always NUL-terminated string.
 * @s:   the text (never NULL after qnm_sb_init()).
 * @len: its length.
 * @cap: allocated size.
 */
struct qnm_strbuf {
	char *s;
	size_t len;
	size_t cap;
};

void qnm_sb_init(struct qnm_strbuf *sb);
void qnm_sb_free(struct qnm_strbuf *sb);
void qnm_sb_add(struct qnm_strbuf *sb, const char *s);
void qnm_sb_addn(struct qnm_strbuf *sb, const char *s, size_t n);
void qnm_sb_addc(struct qnm_strbuf *sb, char c);
void qnm_sb_addf(struct qnm_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** qnm_sb_steal() - return the text (caller frees) and reset @sb. */
char *qnm_sb_steal(struct qnm_strbuf *sb);

/**
 * struct qnm_strv - a growable NULL-terminated array of owned strings,
 * used for argv arrays.
 * @v: the strings, v[n] == NULL.
 * @n: how many.
 */
struct qnm_strv {
	char **v;
	size_t n;
	size_t cap;
};

void qnm_strv_init(struct qnm_strv *sv);
void qnm_strv_free(struct qnm_strv *sv);
void qnm_strv_add(struct qnm_strv *sv, const char *s);
void qnm_strv_addf(struct qnm_strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** qnm_strv_take() - append @s, taking ownership of it. */
void qnm_strv_take(struct qnm_strv *sv, char *s);

/**
 * qnm_shell_quote() - quote @s for a POSIX shell, only when needed.
 * Return: a new string the caller frees.
 */
char *qnm_shell_quote(const char *s);

/**
 * qnm_argv_to_shell() - join an argv as one copy-pasteable shell line.
 * Return: a new string the caller frees.
 */
char *qnm_argv_to_shell(char *const *argv);

/**
 * qnm_argv_to_shell_lines() - @argv as shell text in lines of at most
 * @width - 1 columns that paste back into a shell as the same argv: each
 * option (an argument starting with '-') begins a line indented by two
 * spaces with its value (when @options), and every line but the last ends
 * in a backslash; other words go on a line while they fit.
 * A word longer than a line is cut inside with a backslash-newline (inside
 * single quotes: closed, continued, reopened), its rest starting at column
 * 0, since an indent there would become part of the word.
 * @argv:  the arguments (NULL-terminated).
 * @width: the screen width (at least 20).
 * @options: start a line at each option.
 * Return: a new string (lines end in '\n'), the caller frees.
 */
char *qnm_argv_to_shell_lines(char *const *argv, size_t width, bool options);

/**
 * qnm_spawn() - run @prog (a path) with @argv, no shell: its stdin is
 * /dev/null, its stdout @out_fd and its stderr @err_fd (-1: /dev/null); no
 * signal blocked, SIGPIPE, SIGINT and SIGTERM at their default action
 * whatever the caller ignores.
 * @pid: set to the child's pid (reap it).
 * Return: 0 or -errno.
 */
int qnm_spawn(const char *prog, char *const argv[], int out_fd, int err_fd, pid_t *pid);

/**
 * qnm_spawn_io() - qnm_spawn() with its stdin @in_fd (-1: /dev/null).
 * Return: 0 or -errno.
 */
int qnm_spawn_io(const char *prog, char *const argv[], int in_fd, int out_fd, int err_fd,
		 pid_t *pid);

/**
 * qnm_proc_comm() - the name of process @pid (/proc/PID/comm, without its
 * newline) into @comm of @size bytes.
 * Return: 0, or -errno (-ENOENT: no such process).
 */
int qnm_proc_comm(pid_t pid, char *comm, size_t size);

/**
 * qnm_which() - @prog as an executable path: itself when it has a '/', else
 * the first in $PATH (only its absolute entries: nothing depends on the
 * current directory). Return: new string, or NULL when there is none.
 */
char *qnm_which(const char *prog);

/**
 * qnm_which_found() - whether qnm_which(@prog) finds it.
 * @found: when not NULL, set to the path found (caller frees), or NULL.
 */
bool qnm_which_found(const char *prog, char **found);

#endif
