// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * theme.c - theme files: parsing and lookup (no curses here; see colors.c).
 *
 * Grammar (themes/README.md has the user-facing version):
 *   line   = blank | "#" comment | ROLE "=" word*
 *   word   = COLOUR (foreground, once) | "on" COLOUR (background, once)
 *          | ATTRIBUTE
 */
#include "build-config.h"

#include "theme.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QNM_THEME_MAX_SIZE (64 * 1024)
#define QNM_THEME_LINE_MAX 512

#define ROLE_NAME(id, name, mono) name,
static const char *const role_names[] = { QNM_ROLES(ROLE_NAME) };
#undef ROLE_NAME
#define ROLE_MONO(id, name, mono) mono,
static const unsigned role_mono[] = { QNM_ROLES(ROLE_MONO) };
#undef ROLE_MONO

static const char *const colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", QNM_ATTR_BOLD },	     { "dim", QNM_ATTR_DIM },
	{ "underline", QNM_ATTR_UNDERLINE }, { "reverse", QNM_ATTR_REVERSE },
	{ "standout", QNM_ATTR_STANDOUT },   { "italic", QNM_ATTR_ITALIC },
	{ "blink", QNM_ATTR_BLINK },
};

const char *qnm_role_name(enum qnm_role r)
{
	return (unsigned)r < QNM_ROLE__COUNT ? role_names[r] : "?";
}

unsigned qnm_role_mono_attrs(enum qnm_role r)
{
	return (unsigned)r < QNM_ROLE__COUNT ? role_mono[r] : 0;
}

void qnm_theme_init_builtin(struct qnm_theme *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	qnm_strlcpy(t->name, "built-in", sizeof(t->name));
	for (i = 0; i < QNM_ROLE__COUNT; i++) {
		t->styles[i].fg = QNM_COLOR_DEFAULT;
		t->styles[i].bg = QNM_COLOR_DEFAULT;
	}
}

void qnm_theme_clear(struct qnm_theme *t)
{
	free(t->path);
	qnm_theme_init_builtin(t);
}

/* Colour word to 0-255 or QNM_COLOR_DEFAULT; -1000 when not a colour. */
#define NOT_A_COLOUR (-1000)
static int parse_colour(const char *w)
{
	unsigned long n;
	size_t i;

	if (strcmp(w, "default") == 0)
		return QNM_COLOR_DEFAULT;
	for (i = 0; i < QNM_ARRAY_SIZE(colour_names); i++) {
		if (strcmp(w, colour_names[i]) == 0)
			return (int)i;
		if (strncmp(w, "bright-", 7) == 0 && strcmp(w + 7, colour_names[i]) == 0)
			return (int)i + 8;
	}
	if (strcmp(w, "grey") == 0 || strcmp(w, "gray") == 0)
		return 8;
	if (strncmp(w, "color", 5) == 0 && w[5]) {
		if (qnm_parse_uint(w + 5, 0, 255, &n))
			return NOT_A_COLOUR - 1; /* "colorNNN" out of range */
		return (int)n;
	}
	return NOT_A_COLOUR;
}

static int parse_attr(const char *w, unsigned *bit)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(attr_names); i++) {
		if (strcmp(w, attr_names[i].name) == 0) {
			*bit = attr_names[i].bit;
			return 0;
		}
	}
	return -EINVAL;
}

static int find_role(const char *name)
{
	size_t i;

	for (i = 0; i < QNM_ROLE__COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return (int)i;
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Parse the words after '=' into @st; returns 0 or -EINVAL with @why set. */
static int parse_spec(char *spec, struct qnm_style *st, char *why, size_t whylen)
{
	bool have_fg = false, have_bg = false;
	char *save = NULL, *w;
	unsigned bit;
	int c;

	st->fg = st->bg = QNM_COLOR_DEFAULT;
	st->attrs = 0;
	for (w = strtok_r(spec, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (strcmp(w, "on") == 0) {
			w = strtok_r(NULL, " \t", &save);
			if (!w) {
				snprintf(why, whylen,
					 "'on' must be followed by a background colour");
				return -EINVAL;
			}
			c = parse_colour(w);
			if (c <= NOT_A_COLOUR) {
				snprintf(
					why, whylen,
					"background '%.40s' is not a colour (black, red, ..., bright-white, default, color0-color255)",
					w);
				return -EINVAL;
			}
			if (have_bg) {
				snprintf(why, whylen, "the background is given twice");
				return -EINVAL;
			}
			st->bg = (int16_t)c;
			have_bg = true;
			continue;
		}
		c = parse_colour(w);
		if (c == NOT_A_COLOUR - 1) {
			snprintf(why, whylen, "'%.40s': colour numbers go from color0 to color255",
				 w);
			return -EINVAL;
		}
		if (c > NOT_A_COLOUR) {
			if (have_fg) {
				snprintf(
					why, whylen,
					"the foreground is given twice ('%.40s'); write 'on %.40s' for a background",
					w, w);
				return -EINVAL;
			}
			st->fg = (int16_t)c;
			have_fg = true;
			continue;
		}
		if (parse_attr(w, &bit) == 0) {
			st->attrs |= bit;
			continue;
		}
		snprintf(
			why, whylen,
			"'%.40s' is neither a colour nor an attribute (bold, dim, underline, reverse, standout, italic, blink)",
			w);
		return -EINVAL;
	}
	st->set = true;
	return 0;
}

int qnm_theme_parse(const char *text, size_t len, const char *filename, struct qnm_theme *t,
		    struct qnm_err *err)
{
	struct qnm_style styles[QNM_ROLE__COUNT];
	char line[QNM_THEME_LINE_MAX + 2];
	char why[256];
	size_t pos = 0, i;
	unsigned lineno = 0;

	if (!filename)
		filename = "(theme)";
	for (i = 0; i < QNM_ROLE__COUNT; i++) {
		styles[i] = t->styles[i];
		styles[i].set = false;
	}
	if (len > QNM_THEME_MAX_SIZE)
		return qnm_err_set(err, -EINVAL, "theme", "%s: file is larger than %d bytes",
				   filename, QNM_THEME_MAX_SIZE);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *eq, *key;
		int role;

		lineno++;
		if (memchr(text + pos, '\0', n))
			return qnm_err_set(err, -EINVAL, "theme", "%s:%u: NUL byte in a text file",
					   filename, lineno);
		if (n > QNM_THEME_LINE_MAX)
			return qnm_err_set(err, -EINVAL, "theme",
					   "%s:%u: line is longer than %d bytes", filename, lineno,
					   QNM_THEME_LINE_MAX);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq)
			return qnm_err_set(
				err, -EINVAL, "theme",
				"%s:%u: expected 'ROLE = COLOUR [on COLOUR] [ATTRIBUTES]'",
				filename, lineno);
		*eq = '\0';
		key = trim(s);
		role = find_role(key);
		if (role < 0) {
			struct qnm_strbuf sb;

			qnm_sb_init(&sb);
			for (i = 0; i < QNM_ROLE__COUNT; i++)
				qnm_sb_addf(&sb, "%s%s", i ? ", " : "", role_names[i]);
			qnm_err_set(err, -EINVAL, "theme",
				    "%s:%u: unknown role '%.40s' (roles: %s)", filename, lineno,
				    key, sb.s);
			qnm_sb_free(&sb);
			return -EINVAL;
		}
		if (styles[role].set)
			return qnm_err_set(err, -EINVAL, "theme", "%s:%u: role '%s' is set twice",
					   filename, lineno, role_names[role]);
		if (parse_spec(trim(eq + 1), &styles[role], why, sizeof(why)))
			return qnm_err_set(err, -EINVAL, "theme", "%s:%u: %s: %s", filename, lineno,
					   role_names[role], why);
	}
	memcpy(t->styles, styles, sizeof(styles));
	return 0;
}

char *qnm_theme_find(const char *name, const char *const *dirs)
{
	struct stat st;
	size_t i;

	if (qnm_str_empty(name))
		return NULL;
	if (strchr(name, '/'))
		return stat(name, &st) == 0 ? xstrdup(name) : NULL;
	for (i = 0; dirs && dirs[i]; i++) {
		char *p = xasprintf("%s/%s.theme", dirs[i], name);

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return p;
		free(p);
	}
	return NULL;
}

char **qnm_theme_dirs(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char **v = xcalloc(4, sizeof(*v));
	size_t n = 0;

	if (!qnm_str_empty(xdg))
		v[n++] = xasprintf("%s/qnm/themes", xdg);
	else if (!qnm_str_empty(home))
		v[n++] = xasprintf("%s/.config/qnm/themes", home);
	v[n++] = xstrdup(QNM_PKGDATADIR "/themes");
	v[n++] = xstrdup(QNM_SRCDIR "/themes");
	return v;
}

void qnm_theme_dirs_free(char **dirs)
{
	size_t i;

	for (i = 0; dirs && dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
}

static int read_small(const char *path, char **out, size_t *len)
{
	char *buf = xmalloc(QNM_THEME_MAX_SIZE + 1);
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while (n <= QNM_THEME_MAX_SIZE) {
		r = read(fd, buf + n, QNM_THEME_MAX_SIZE + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			close(fd);
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

int qnm_theme_load(const char *name, struct qnm_theme *t, struct qnm_err *err)
{
	char **dirs = qnm_theme_dirs();
	char *path = qnm_theme_find(name, (const char *const *)dirs);
	const char *base;
	char *text = NULL;
	size_t len = 0;
	int r;

	qnm_theme_clear(t);
	if (!path) {
		if (strchr(name, '/'))
			r = qnm_err_set(err, -ENOENT, "theme", "theme file '%s' does not exist",
					name);
		else
			r = qnm_err_set(
				err, -ENOENT, "theme",
				"theme '%s' not found (looked for %s.theme in %s, %s and %s)", name,
				name, dirs[0], dirs[1], dirs[2] ? dirs[2] : "");
		qnm_theme_dirs_free(dirs);
		return r;
	}
	qnm_theme_dirs_free(dirs);
	r = read_small(path, &text, &len);
	if (r) {
		qnm_err_set(err, r, "theme", "%s: cannot read: %s", path, strerror(-r));
		free(path);
		return r;
	}
	r = qnm_theme_parse(text, len, path, t, err);
	free(text);
	if (r) {
		free(path);
		qnm_theme_init_builtin(t);
		return r;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	qnm_strlcpy(t->name, base, sizeof(t->name));
	if (strlen(t->name) > 6 && strcmp(t->name + strlen(t->name) - 6, ".theme") == 0)
		t->name[strlen(t->name) - 6] = '\0';
	t->path = path;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **qnm_theme_list(const char *const *dirs)
{
	struct qnm_strv sv;
	size_t i, j;

	qnm_strv_init(&sv);
	for (i = 0; dirs && dirs[i]; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			bool dup = false;
			char *name;

			if (n <= 6 || strcmp(de->d_name + n - 6, ".theme") != 0)
				continue;
			name = xstrdup(de->d_name);
			name[n - 6] = '\0';
			for (j = 0; j < sv.n; j++)
				dup = dup || strcmp(sv.v[j], name) == 0;
			if (dup)
				free(name);
			else
				qnm_strv_take(&sv, name);
		}
		closedir(d);
	}
	if (sv.n)
		qsort(sv.v, sv.n, sizeof(*sv.v), cmp_str);
	if (!sv.v)
		return xcalloc(1, sizeof(char *));
	return sv.v;
}
