// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-theme.c - the theme parser and lookup (ui/theme.c): colours,
 * backgrounds, attributes, every error with its FILE:LINE, the shipped
 * themes, and the user-first search order.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "theme.h"

static int parse(const char *text, struct qnm_theme *t, struct qnm_err *err)
{
	qnm_theme_init_builtin(t);
	qnm_err_clear(err);
	return qnm_theme_parse(text, strlen(text), "t.theme", t, err);
}

static void test_colours(void **state)
{
	struct qnm_theme t;
	struct qnm_err err;

	assert_int_equal(parse("# comment\n\n  title = white on blue bold\r\n"
			       "selection=black on bright-cyan reverse underline\n"
			       "error = color196\nok = default on color22\ndim = grey\n",
			       &t, &err),
			 0);
	assert_true(t.styles[QNM_ROLE_TITLE].set);
	assert_int_equal(t.styles[QNM_ROLE_TITLE].fg, 7);
	assert_int_equal(t.styles[QNM_ROLE_TITLE].bg, 4);
	assert_int_equal(t.styles[QNM_ROLE_TITLE].attrs, QNM_ATTR_BOLD);
	assert_int_equal(t.styles[QNM_ROLE_SELECTION].fg, 0);
	assert_int_equal(t.styles[QNM_ROLE_SELECTION].bg, 14);
	assert_int_equal(t.styles[QNM_ROLE_SELECTION].attrs, QNM_ATTR_REVERSE | QNM_ATTR_UNDERLINE);
	assert_int_equal(t.styles[QNM_ROLE_ERROR].fg, 196);
	assert_int_equal(t.styles[QNM_ROLE_ERROR].bg, QNM_COLOR_DEFAULT);
	assert_int_equal(t.styles[QNM_ROLE_OK].fg, QNM_COLOR_DEFAULT);
	assert_int_equal(t.styles[QNM_ROLE_OK].bg, 22);
	assert_int_equal(t.styles[QNM_ROLE_DIM].fg, 8);
	/* roles the file leaves out keep the monochrome fallback */
	assert_false(t.styles[QNM_ROLE_BORDER].set);
	assert_int_equal(qnm_role_mono_attrs(QNM_ROLE_SELECTION), QNM_ATTR_REVERSE);
	assert_string_equal(qnm_role_name(QNM_ROLE_GRAPH_RX), "graph-rx");
}

static void expect_error(const char *text, const char *where, const char *what)
{
	struct qnm_theme t, builtin;
	struct qnm_err err;

	qnm_theme_init_builtin(&builtin);
	if (parse(text, &t, &err) != -EINVAL)
		fail_msg("accepted: %s", text);
	if (strncmp(err.msg, where, strlen(where)) != 0 || !strstr(err.msg, what))
		fail_msg("for %s: got '%s', want '%s ... %s'", text, err.msg, where, what);
	/* nothing of a broken file is kept */
	assert_memory_equal(t.styles, builtin.styles, sizeof(t.styles));
}

static void test_errors(void **state)
{
	char big[700];

	expect_error("titel = red\n", "t.theme:1:", "unknown role 'titel' (roles: normal, title");
	expect_error("\n\ntitle = red\ntitle = blue\n", "t.theme:4:", "role 'title' is set twice");
	expect_error("title = purple\n",
		     "t.theme:1:", "'purple' is neither a colour nor an attribute");
	expect_error("title = color256\n", "t.theme:1:", "color0 to color255");
	expect_error("title = red blue\n", "t.theme:1:", "foreground is given twice");
	expect_error("title = red on\n", "t.theme:1:", "'on' must be followed by a background");
	expect_error("title = on pink\n", "t.theme:1:", "background 'pink' is not a colour");
	expect_error("title = on red on blue\n", "t.theme:1:", "background is given twice");
	expect_error("ok\ntitle red\n", "t.theme:1:", "expected 'ROLE = COLOUR");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_error(big, "t.theme:1:", "longer than");
	{
		struct qnm_theme t;
		struct qnm_err err;

		qnm_theme_init_builtin(&t);
		assert_int_equal(qnm_theme_parse("title = red\n\0x", 14, "t.theme", &t, &err),
				 -EINVAL);
		assert_non_null(strstr(err.msg, "t.theme:2: NUL byte"));
	}
}

/* Every shipped theme parses and gives every role a look. */
static void test_shipped(void **state)
{
	static const char *const names[] = { "default", "dark", "light", "high-contrast", "mono" };
	size_t i, r;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = xasprintf("%s/themes/%s.theme", QNM_SRCDIR, names[i]);
		struct qnm_theme t;
		struct qnm_err err;

		qnm_theme_init_builtin(&t);
		if (qnm_theme_load(path, &t, &err))
			fail_msg("%s: %s", path, err.msg);
		assert_string_equal(t.name, names[i]);
		for (r = 0; r < QNM_ROLE__COUNT; r++)
			if (!t.styles[r].set)
				fail_msg("%s leaves role %s out", names[i], qnm_role_name(r));
		if (strcmp(names[i], "mono") == 0)
			for (r = 0; r < QNM_ROLE__COUNT; r++)
				assert_true(t.styles[r].fg == -1 && t.styles[r].bg == -1);
		qnm_theme_clear(&t);
		free(path);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* $XDG_CONFIG_HOME/qnm/themes is searched before the installed themes. */
static void test_search_order(void **state)
{
	char tmpl[] = "/tmp/qnm-test-theme.XXXXXX";
	char *dir = mkdtemp(tmpl), *user, *found, **dirs, **list;
	struct qnm_theme t;
	struct qnm_err err;
	size_t n;

	assert_non_null(dir);
	setenv("XDG_CONFIG_HOME", dir, 1);
	user = xasprintf("%s/qnm", dir);
	mkdir(user, 0700);
	free(user);
	user = xasprintf("%s/qnm/themes", dir);
	mkdir(user, 0700);
	dirs = qnm_theme_dirs();
	assert_string_equal(dirs[0], user);
	/* not in the user dir: the shipped one (source tree for uninstalled runs) */
	found = qnm_theme_find("dark", (const char *const *)dirs);
	assert_non_null(found);
	assert_non_null(strstr(found, "/themes/dark.theme"));
	assert_null(strstr(found, dir));
	free(found);
	/* the user's own file of the same name wins */
	found = xasprintf("%s/dark.theme", user);
	write_file(found, "title = red\n");
	free(found);
	found = qnm_theme_find("dark", (const char *const *)dirs);
	assert_non_null(strstr(found, dir));
	free(found);
	write_file(found = xasprintf("%s/zz-mine.theme", user), "bogus = x\n");
	free(found);
	list = qnm_theme_list((const char *const *)dirs);
	for (n = 0; list[n]; n++)
		;
	assert_true(n >= 6);
	assert_string_equal(list[n - 1], "zz-mine");
	qnm_theme_dirs_free(list);
	qnm_theme_init_builtin(&t);
	assert_int_equal(qnm_theme_load("zz-mine", &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "zz-mine.theme:1: unknown role 'bogus'"));
	assert_int_equal(qnm_theme_load("nope", &t, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "theme 'nope' not found"));
	assert_int_equal(qnm_theme_load("dark", &t, &err), 0);
	assert_int_equal(t.styles[QNM_ROLE_TITLE].fg, 1);
	qnm_theme_clear(&t);
	qnm_theme_dirs_free(dirs);
	found = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(found), 0);
	free(found);
	free(user);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_search_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
