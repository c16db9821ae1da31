/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * theme.h - colour themes: semantic roles mapped to colours and attributes.
 *
 * Pure C, no curses: the parser can be unit-tested and fuzzed on its own.
 * ui/colors.c turns a parsed theme into curses colour pairs. The file
 * format is documented in themes/README.md.
 */
#ifndef QNM_UI_THEME_H
#define QNM_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/*
 * X-macro of the roles: enum name, name in theme files, attributes used on
 * a monochrome terminal (or with NO_COLOR) so selection, errors and titles
 * stay visible without colour.
 */
#define QNM_ROLES(X)                                                                               \
	X(NORMAL, "normal", 0)                                                                     \
	X(TITLE, "title", QNM_ATTR_BOLD | QNM_ATTR_REVERSE)                                        \
	X(HEADER, "header", QNM_ATTR_UNDERLINE)                                                    \
	X(SELECTION, "selection", QNM_ATTR_REVERSE)                                                \
	X(FOOTER, "footer", QNM_ATTR_REVERSE)                                                      \
	X(FOOTER_KEY, "footer-key", QNM_ATTR_BOLD | QNM_ATTR_REVERSE)                              \
	X(BORDER, "border", 0)                                                                     \
	X(LABEL, "label", 0)                                                                       \
	X(FIELD, "field", QNM_ATTR_UNDERLINE)                                                      \
	X(FIELD_ACTIVE, "field-active", QNM_ATTR_REVERSE)                                          \
	X(ERROR, "error", QNM_ATTR_BOLD)                                                           \
	X(WARNING, "warning", QNM_ATTR_BOLD)                                                       \
	X(OK, "ok", 0)                                                                             \
	X(DIM, "dim", QNM_ATTR_DIM)                                                                \
	X(ACCENT, "accent", QNM_ATTR_BOLD)                                                         \
	X(GRAPH_RX, "graph-rx", 0)                                                                 \
	X(GRAPH_TX, "graph-tx", QNM_ATTR_BOLD)                                                     \
	X(RUNNING, "running", QNM_ATTR_BOLD)                                                       \
	X(STOPPED, "stopped", 0)                                                                   \
	X(CRASHED, "crashed", QNM_ATTR_BOLD | QNM_ATTR_UNDERLINE)                                  \
	X(POPUP, "popup", 0)                                                                       \
	X(POPUP_BORDER, "popup-border", QNM_ATTR_BOLD)

/* Attributes, independent of curses' A_* values. */
#define QNM_ATTR_BOLD	   0x01u
#define QNM_ATTR_DIM	   0x02u
#define QNM_ATTR_UNDERLINE 0x04u
#define QNM_ATTR_REVERSE   0x08u
#define QNM_ATTR_STANDOUT  0x10u
#define QNM_ATTR_ITALIC	   0x20u
#define QNM_ATTR_BLINK	   0x40u

#define QNM_ROLE_ENUM(id, name, mono) QNM_ROLE_##id,
/** enum qnm_role - what a piece of the screen is, not how it looks. */
enum qnm_role { QNM_ROLES(QNM_ROLE_ENUM) QNM_ROLE__COUNT };
#undef QNM_ROLE_ENUM

/** QNM_COLOR_DEFAULT - the terminal's own foreground/background. */
#define QNM_COLOR_DEFAULT (-1)

/**
 * struct qnm_style - how one role looks.
 * @fg:    colour 0-255 or QNM_COLOR_DEFAULT.
 * @bg:    colour 0-255 or QNM_COLOR_DEFAULT.
 * @attrs: QNM_ATTR_* bits.
 * @set:   the theme file gave this role (otherwise the mono fallback applies).
 */
struct qnm_style {
	int16_t fg;
	int16_t bg;
	unsigned attrs;
	bool set;
};

/**
 * struct qnm_theme - a parsed theme.
 * @name:   the theme's name (file base name, or "built-in").
 * @path:   the file it came from (owned), or NULL.
 * @styles: one per role.
 */
struct qnm_theme {
	char name[64];
	char *path;
	struct qnm_style styles[QNM_ROLE__COUNT];
};

/** qnm_role_name() - the role's name in theme files ("graph-rx"), or "?". */
const char *qnm_role_name(enum qnm_role r);

/**
 * qnm_role_mono_attrs() - the attributes a role gets on a terminal without
 * colours (QNM_ATTR_* bits).
 */
unsigned qnm_role_mono_attrs(enum qnm_role r);

/**
 * qnm_theme_init_builtin() - a theme with no file: every role unset, so the
 * monochrome fallback attributes apply.
 * @t: the theme to fill (previous contents are not freed).
 */
void qnm_theme_init_builtin(struct qnm_theme *t);

/** qnm_theme_clear() - free what @t owns (its path) and reset it to built-in. */
void qnm_theme_clear(struct qnm_theme *t);

/**
 * qnm_theme_parse() - parse the text of a theme file.
 * @text:     the bytes (need not be NUL-terminated; a NUL byte is an error).
 * @len:      their length.
 * @filename: used in messages.
 * @t:        filled on success (start from qnm_theme_init_builtin()); on
 *            error it is left as the built-in theme.
 * @err:      on error, msg is "FILE:LINE: what is wrong".
 *
 * Return: 0 or -EINVAL.
 */
int qnm_theme_parse(const char *text, size_t len, const char *filename, struct qnm_theme *t,
		    struct qnm_err *err);

/**
 * qnm_theme_find() - the path of theme @name: @name itself when it holds a
 * '/', else the first existing DIR/@name.theme of @dirs.
 * @dirs: NULL-terminated list of directories, searched in order.
 * Return: new string (caller frees), or NULL when not found.
 */
char *qnm_theme_find(const char *name, const char *const *dirs);

/**
 * qnm_theme_dirs() - the directories themes are searched in, in order:
 * $XDG_CONFIG_HOME/qnm/themes (or ~/.config/qnm/themes), the installed
 * $(pkgdatadir)/themes, and the source tree's themes/ (uninstalled runs).
 * Return: NULL-terminated array; free with qnm_theme_dirs_free().
 */
char **qnm_theme_dirs(void);
void qnm_theme_dirs_free(char **dirs);

/**
 * qnm_theme_load() - find and parse theme @name.
 * @t:   filled on success (its path set); built-in on error.
 * @err: "theme 'x' not found in DIR, DIR" or the parse error.
 * Return: 0, -ENOENT (not found), -EINVAL (parse error) or -errno (read).
 */
int qnm_theme_load(const char *name, struct qnm_theme *t, struct qnm_err *err);

/**
 * qnm_theme_list() - names of the themes found in @dirs (each name once,
 * sorted; the first directory wins).
 * Return: NULL-terminated array; free with qnm_theme_dirs_free().
 */
char **qnm_theme_list(const char *const *dirs);

#endif
