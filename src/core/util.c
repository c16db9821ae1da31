// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - memory, strings and user-facing errors. */
#include "build-config.h"

#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void (*oom_hook)(void);

int qnm_err_set(struct qnm_err *e, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	qnm_strlcpy(e->field, field ? field : "", sizeof(e->field));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void qnm_err_prefix(struct qnm_err *e, const char *fmt, ...)
{
	struct qnm_strbuf sb;
	va_list ap;
	char *pre;

	if (!e)
		return;
	va_start(ap, fmt);
	pre = xvasprintf(fmt, ap);
	va_end(ap);
	qnm_sb_init(&sb);
	qnm_sb_add(&sb, pre);
	qnm_sb_add(&sb, ": ");
	qnm_sb_add(&sb, e->msg);
	qnm_strlcpy(e->msg, sb.s, sizeof(e->msg));
	qnm_sb_free(&sb);
	free(pre);
}

void qnm_err_clear(struct qnm_err *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

void qnm_set_oom_hook(void (*hook)(void))
{
	oom_hook = hook;
}

void qnm_oom(void)
{
	if (oom_hook)
		oom_hook();
	fputs("qnm: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		qnm_oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		qnm_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		qnm_oom();
	return q;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		qnm_oom();
	return xrealloc(p, nmemb * size);
}

size_t qnm_room(size_t n)
{
	/* the power of two at or above n, from the highest bit of n - 1 */
	if (n <= 8)
		return 8;
	return (size_t)1 << (sizeof(size_t) * CHAR_BIT - (size_t)__builtin_clzl(n - 1));
}

void *qnm_grow(void *p, size_t n, size_t size)
{
	if (!p || n == qnm_room(n))
		p = xreallocarray(p, qnm_room(n + 1), size);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		qnm_oom();
	return p;
}

char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		qnm_oom();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

size_t qnm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

bool qnm_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int qnm_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (ULONG_MAX - (unsigned long)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	/* "007" is accepted as 7 only when it is not absurdly long. */
	if (p - s > 20)
		return -ERANGE;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

void qnm_sb_init(struct qnm_strbuf *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->s = xmalloc(sb->cap);
	sb->s[0] = '\0';
}

void qnm_sb_free(struct qnm_strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

void qnm_sb_addn(struct qnm_strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		while (sb->len + n + 1 > sb->cap)
			sb->cap *= 2;
		sb->s = xrealloc(sb->s, sb->cap);
	}
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void qnm_sb_add(struct qnm_strbuf *sb, const char *s)
{
	qnm_sb_addn(sb, s, strlen(s));
}

void qnm_sb_addc(struct qnm_strbuf *sb, char c)
{
	qnm_sb_addn(sb, &c, 1);
}

void qnm_sb_addf(struct qnm_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	qnm_sb_add(sb, s);
	free(s);
}

char *qnm_sb_steal(struct qnm_strbuf *sb)
{
	char *s = sb->s;

	sb->s = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void qnm_strv_init(struct qnm_strv *sv)
{
	sv->cap = 16;
	sv->n = 0;
	sv->v = xcalloc(sv->cap, sizeof(char *));
}

void qnm_strv_free(struct qnm_strv *sv)
{
	size_t i;

	if (!sv->v)
		return;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void qnm_strv_take(struct qnm_strv *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		/* a zeroed strv (never initialised) grows like a new one */
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(char *));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void qnm_strv_add(struct qnm_strv *sv, const char *s)
{
	qnm_strv_take(sv, xstrdup(s));
}

void qnm_strv_addf(struct qnm_strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	qnm_strv_take(sv, s);
}

static bool shell_safe(const char *s)
{
	const char *p;

	if (!*s)
		return false;
	for (p = s; *p; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (strchr("-_./:,=+@%", c))
			continue;
		return false;
	}
	return true;
}

char *qnm_shell_quote(const char *s)
{
	struct qnm_strbuf sb;
	const char *p;

	if (shell_safe(s))
		return xstrdup(s);
	qnm_sb_init(&sb);
	qnm_sb_addc(&sb, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			qnm_sb_add(&sb, "'\\''");
		else
			qnm_sb_addc(&sb, *p);
	}
	qnm_sb_addc(&sb, '\'');
	return qnm_sb_steal(&sb);
}

char *qnm_argv_to_shell(char *const *argv)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	for (i = 0; argv[i]; i++) {
		char *q = qnm_shell_quote(argv[i]);

		if (i)
			qnm_sb_addc(&sb, ' ');
		qnm_sb_add(&sb, q);
		free(q);
	}
	return qnm_sb_steal(&sb);
}

/*
 * Where @line (shell text, inside single quotes at its start when @q is
 * true) may be cut at or before @max so that a backslash-newline there
 * continues the word: not between a backslash and what it escapes. Sets
 * *@quoted when the cut is inside single quotes.
 */
static size_t cut_point(const char *line, size_t max, bool q, bool *quoted)
{
	size_t i, cut = 0, len = strlen(line);
	bool esc = false;

	*quoted = q;
	for (i = 0; i < max && i < len; i++) {
		/* a cut before line[i] is fine unless line[i] is escaped */
		if (!esc) {
			cut = i;
			*quoted = q;
		}
		if (esc)
			esc = false;
		/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): i < strlen(line) */
		else if (line[i] == '\\' && !q)
			esc = true;
		else if (line[i] == '\'')
			q = !q;
	}
	if (!esc && i == max) {
		cut = i;
		*quoted = q;
	}
	return cut;
}

/*
 * Append @line to @sb in pieces of at most @max columns: a piece cut inside
 * single quotes ends with "'\\" and the next line reopens them with "'".
 */
static void add_cut(struct qnm_strbuf *sb, const char *line, size_t max, bool last)
{
	bool q = false, quoted;

	while (strlen(line) + q > max) {
		/* room for the reopened quote and for "'\\" or "\\" */
		size_t cut = cut_point(line, max - 2 - q, q, &quoted);

		if (cut == 0)
			cut = max - 2 - q; /* a lone escape at the start: cannot happen */
		qnm_sb_addn(sb, line, cut);
		qnm_sb_add(sb, quoted ? "'\\\n'" : "\\\n");
		line += cut;
		q = quoted;
	}
	qnm_sb_add(sb, line);
	qnm_sb_add(sb, last ? "\n" : " \\\n");
}

char *qnm_argv_to_shell_lines(char *const *argv, size_t width, bool options)
{
	struct qnm_strbuf sb, line;
	size_t i, words = 0, max = (width < 20 ? 20 : width) - 1;

	qnm_sb_init(&sb);
	qnm_sb_init(&line);
	for (i = 0; argv[i]; i++, words++) {
		char *q = qnm_shell_quote(argv[i]);
		bool opt = options && argv[i][0] == '-';

		/* a new line for an option, or when the word does not fit after " \\"
		 * (unless the line holds only the option it is the value of: then
		 * it stays with it and is cut) */
		if (line.len && (opt || (words > 1 && line.len + 1 + strlen(q) + 2 > max))) {
			words = 0;
			add_cut(&sb, line.s, max - 2, false);
			qnm_sb_free(&line);
			qnm_sb_init(&line);
			qnm_sb_add(&line, "  ");
		} else if (line.len) {
			qnm_sb_addc(&line, ' ');
		}
		qnm_sb_add(&line, q);
		free(q);
	}
	add_cut(&sb, line.s, max, true);
	qnm_sb_free(&line);
	return qnm_sb_steal(&sb);
}

int64_t qnm_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

extern char **environ;

int qnm_spawn(const char *prog, char *const argv[], int out_fd, int err_fd, pid_t *pid)
{
	return qnm_spawn_io(prog, argv, -1, out_fd, err_fd, pid);
}

int qnm_spawn_io(const char *prog, char *const argv[], int in_fd, int out_fd, int err_fd,
		 pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, def;
	pid_t child;
	int r;

	posix_spawn_file_actions_init(&fa);
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(&child, prog, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (!r)
		*pid = child;
	return -r;
}

bool qnm_which_found(const char *prog, char **found)
{
	char *hit = qnm_which(prog);
	bool yes = hit != NULL;

	if (found)
		*found = hit;
	else
		free(hit);
	return yes;
}

int qnm_proc_comm(pid_t pid, char *comm, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, comm, size - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return 0;
}

char *qnm_which(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = colon + 1) {
		size_t n;

		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		if (n && p[0] == '/') {
			char *cand = xasprintf("%.*s/%s", (int)n, p, prog);

			if (access(cand, X_OK) == 0)
				return cand;
			free(cand);
		}
		if (!colon)
			return NULL;
	}
}
