// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-args.c - the command line's option parser (src/cli/args.c): its
 * syntax, its rules and their messages, subcommands, the generated
 * "options:" help; and that every option a command's usage line or help
 * text names is one its table accepts.
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

#include "cli/args.h"
#include "cli/cli.h"

static const struct qnm_opt opts[] = {
	{ .name = "--force", .alias = 'f', .help = "do it anyway" },
	{ .name = "--dir", .type = QNM_OPT_STRING, .arg = "DIR", .help = "where" },
	{ .name = "--timeout",
	  .type = QNM_OPT_UINT,
	  .arg = "SEC",
	  .min = 1,
	  .max = 3600,
	  .what = "a number of seconds",
	  .help = "how long" },
	{ .name = "--lines", .type = QNM_OPT_UINT, .arg = "N", .min = 1, .max = 10 },
	{ .name = "--add",
	  .type = QNM_OPT_STRING,
	  .arg = "X",
	  .flags = QNM_OPT_REPEAT,
	  .help = "one more" },
	{ .name = "--watch",
	  .type = QNM_OPT_STRING,
	  .arg = "SEC",
	  .flags = QNM_OPT_OPTIONAL,
	  .help = "again and again" },
	{ .name = NULL },
};

static const struct qnm_args_spec spec = {
	.opts = opts,
	.min = 1,
	.max = 2,
	.say.few = "give a name",
};

/* parse a NULL-terminated word list (the first is the command); Return: the result */
static int parse_v(const struct qnm_args_spec *s, struct qnm_args *a, struct qnm_err *err,
		   va_list ap)
{
	char *argv[32];
	int argc = 0;
	const char *w;

	while ((w = va_arg(ap, const char *)) && argc < 31)
		argv[argc++] = (char *)w;
	argv[argc] = NULL;
	qnm_err_clear(err);
	return qnm_args_parse(s, argc, argv, a, err);
}

static int parse(const struct qnm_args_spec *s, struct qnm_args *a, struct qnm_err *err, ...)
{
	va_list ap;
	int r;

	va_start(ap, err);
	r = parse_v(s, a, err, ap);
	va_end(ap);
	return r;
}

/* the words must be refused with exactly @msg (and @field) */
static void expect_usage(const struct qnm_args_spec *s, const char *field, const char *msg, ...)
{
	struct qnm_args a;
	struct qnm_err err;
	va_list ap;

	va_start(ap, msg);
	assert_int_equal(parse_v(s, &a, &err, ap), -EINVAL);
	va_end(ap);
	assert_string_equal(err.msg, msg);
	if (field)
		assert_string_equal(err.field, field);
	qnm_args_free(&a);
}

static void test_syntax(void **state)
{
	struct qnm_args a;
	struct qnm_err err;

	assert_int_equal(parse(&spec, &a, &err, "cmd", "-f", "one", "--dir=/x", "--timeout", "7",
			       "--add", "a", "--add=b", "-", NULL),
			 0);
	assert_int_equal(qnm_args_has(&a, "--force"), 1);
	assert_string_equal(qnm_args_get(&a, "--dir"), "/x");
	assert_int_equal(qnm_args_uint(&a, "--timeout", 0), 7);
	assert_int_equal(qnm_args_uint(&a, "--lines", 42), 42);
	assert_string_equal(qnm_args_nth(&a, "--add", 0), "a");
	assert_string_equal(qnm_args_nth(&a, "--add", 1), "b");
	assert_null(qnm_args_nth(&a, "--add", 2));
	assert_string_equal(qnm_args_get(&a, "--add"), "b");
	assert_int_equal(qnm_args_has(&a, "--watch"), 0);
	/* argv as main() gets it, options taken out; "-" is an argument */
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[0], "cmd");
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "one");
	assert_string_equal(a.pos[1], "-");
	assert_null(a.argv[3]);
	qnm_args_free(&a);

	/* a value is the next word whatever it looks like; -- ends the options */
	assert_int_equal(parse(&spec, &a, &err, "cmd", "--dir", "--force", "--", "--force", NULL),
			 0);
	assert_string_equal(qnm_args_get(&a, "--dir"), "--force");
	assert_int_equal(qnm_args_has(&a, "--force"), 0);
	assert_string_equal(a.pos[0], "--force");
	qnm_args_free(&a);

	/* an optional value only with '='; flags may repeat */
	assert_int_equal(parse(&spec, &a, &err, "cmd", "x", "--watch", "--force", "-f", NULL), 0);
	assert_int_equal(qnm_args_has(&a, "--watch"), 1);
	assert_null(qnm_args_get(&a, "--watch"));
	assert_int_equal(qnm_args_has(&a, "--force"), 2);
	assert_int_equal(a.npos, 1);
	qnm_args_free(&a);
	assert_int_equal(parse(&spec, &a, &err, "cmd", "x", "--watch=0.5", NULL), 0);
	assert_string_equal(qnm_args_get(&a, "--watch"), "0.5");
	qnm_args_free(&a);
}

static void test_rules(void **state)
{
	expect_usage(&spec, "--bogus", "unknown option '--bogus'", "cmd", "x", "--bogus", NULL);
	expect_usage(&spec, "-x", "unknown option '-x'", "cmd", "x", "-x", NULL);
	expect_usage(&spec, "-fx", "unknown option '-fx'", "cmd", "x", "-fx", NULL);
	expect_usage(&spec, "--dir", "--dir needs a value", "cmd", "x", "--dir", NULL);
	expect_usage(&spec, "--force", "--force takes no value", "cmd", "x", "--force=1", NULL);
	expect_usage(&spec, "--dir", "--dir may be given only once", "cmd", "x", "--dir", "a",
		     "--dir", "b", NULL);
	expect_usage(&spec, "--timeout", "--timeout must be a number of seconds, 1 to 3600", "cmd",
		     "x", "--timeout", "0", NULL);
	expect_usage(&spec, "--timeout", "--timeout must be a number of seconds, 1 to 3600", "cmd",
		     "x", "--timeout=soon", NULL);
	expect_usage(&spec, "--lines", "--lines must be 1 to 10", "cmd", "x", "--lines", "-3",
		     NULL);
	expect_usage(&spec, "", "give a name", "cmd", "--force", NULL);
	expect_usage(&spec, "", "unexpected argument 'c'", "cmd", "a", "b", "c", NULL);
}

static void test_wording(void **state)
{
	static const struct qnm_args_spec one = { .min = 1, .max = 1, .say.few = "give one VM" };
	static const struct qnm_args_spec own = {
		.opts = opts,
		.max = 0,
		.say = { .unknown = "unexpected argument '%s'",
			 .missing = "incomplete '%s' (see --help)",
			 .many = "too many arguments" },
	};
	static const struct qnm_args_spec kv = { .max = -1, .dash_args = true };
	static const struct qnm_args_spec dflt = { .max = 0 };
	struct qnm_args a;
	struct qnm_err err;

	/* exactly one: the same sentence for too many */
	expect_usage(&one, NULL, "give one VM", "cmd", NULL);
	expect_usage(&one, NULL, "give one VM", "cmd", "a", "b", NULL);
	/* a command's own wording, its %s filled (and only that: no printf) */
	expect_usage(&own, NULL, "unexpected argument '--bogus'", "cmd", "--bogus", NULL);
	expect_usage(&own, NULL, "incomplete '--dir' (see --help)", "cmd", "--dir", NULL);
	expect_usage(&own, NULL, "too many arguments", "cmd", "x", NULL);
	expect_usage(&dflt, NULL, "unexpected argument '%d'", "cmd", "%d", NULL);
	/* KEY=VALUE commands: unknown dash words are arguments */
	assert_int_equal(parse(&kv, &a, &err, "new", "vm", "--bogus", "memory=1", NULL), 0);
	assert_int_equal(a.npos, 3);
	assert_string_equal(a.pos[1], "--bogus");
	qnm_args_free(&a);
}

static void test_subcommands(void **state)
{
	static const struct qnm_opt json[] = { { .name = "--json", .help = "print JSON" },
					       { .name = NULL } };
	static const struct qnm_args_spec list = { .opts = json, .max = 0 };
	static const struct qnm_args_spec up = {
		.name = "net up", .min = 1, .max = 1, .say.few = "wrong number of arguments"
	};
	static const struct qnm_args_sub subs[] = { { "list", &list }, { "up", &up }, { 0 } };
	static const struct qnm_args_spec net = { .subs = subs };
	static const struct qnm_args_spec fwd = {
		.subs = subs,
		.say = { .no_sub = "give a subcommand: list or up", .bad_sub = "not '%s'" },
	};
	static const struct qnm_args_spec helper = {
		.opts = opts, .subs = subs, .sub_optional = true, .max = 0
	};
	struct qnm_args a;
	struct qnm_err err;

	assert_int_equal(parse(&net, &a, &err, "net", "--json", "list", NULL), 0);
	assert_string_equal(a.sub, "list");
	assert_ptr_equal(a.spec, &list);
	assert_int_equal(qnm_args_has(&a, "--json"), 1);
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[1], "list");
	assert_int_equal(a.npos, 0);
	qnm_args_free(&a);
	assert_int_equal(parse(&net, &a, &err, "net", "up", "lan", NULL), 0);
	assert_string_equal(a.pos[0], "lan");
	qnm_args_free(&a);

	expect_usage(&net, NULL, "give a subcommand", "net", NULL);
	expect_usage(&net, NULL, "give a subcommand", "net", "--json", NULL);
	expect_usage(&net, NULL, "unknown subcommand 'frob'", "net", "frob", NULL);
	expect_usage(&fwd, NULL, "give a subcommand: list or up", "fwd", NULL);
	expect_usage(&fwd, NULL, "not 'frob'", "fwd", "frob", NULL);
	/* the subcommand's own rules, and it says which spec failed */
	assert_int_equal(parse(&net, &a, &err, "net", "up", NULL), -EINVAL);
	assert_ptr_equal(a.spec, &up);
	assert_string_equal(err.msg, "wrong number of arguments");
	qnm_args_free(&a);
	expect_usage(&net, NULL, "unknown option '--force'", "net", "list", "--force", NULL);

	/* an optional subcommand: only the first word may name it */
	assert_int_equal(parse(&helper, &a, &err, "h", "--dir", "list", NULL), 0);
	assert_null(a.sub);
	assert_string_equal(qnm_args_get(&a, "--dir"), "list");
	qnm_args_free(&a);
	assert_int_equal(parse(&helper, &a, &err, "h", "list", "--json", NULL), 0);
	assert_string_equal(a.sub, "list");
	qnm_args_free(&a);
}

/* the "options:" text of @s */
static char *options_text(const struct qnm_args_spec *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	qnm_args_print_options(f, s);
	fclose(f);
	return buf;
}

static void test_help(void **state)
{
	static const struct qnm_opt a_opts[] = {
		{ .name = "--json", .help = "print JSON" },
		{ .name = "--secret" }, /* no help: not listed */
		{ .name = NULL },
	};
	static const struct qnm_opt b_opts[] = {
		{ .name = "--json", .help = "print JSON" },
		{ .name = "--force",
		  .help = "a long explanation that goes on and on until it no "
			  "longer fits on one line of eighty columns" },
		{ .name = NULL },
	};
	static const struct qnm_args_spec sa = { .opts = a_opts }, sb = { .opts = b_opts };
	static const struct qnm_args_sub subs[] = { { "show", &sa }, { "up", &sb }, { 0 } };
	static const struct qnm_args_spec parent = { .subs = subs };
	static const struct qnm_args_spec none = { .max = 0 };
	char *t;

	t = options_text(&spec);
	assert_string_equal(t, "\noptions:\n"
			       "  -f, --force    do it anyway\n"
			       "  --dir DIR      where\n"
			       "  --timeout SEC  how long\n"
			       "  --add X        one more (repeatable)\n"
			       "  --watch[=SEC]  again and again\n");
	free(t);
	t = options_text(&parent);
	assert_string_equal(
		t,
		"\noptions:\n"
		"  --json   print JSON\n"
		"  --force  (up) a long explanation that goes on and on until it no longer fits\n"
		"           on one line of eighty columns\n");
	free(t);
	t = options_text(&none);
	assert_string_equal(t, "");
	free(t);
}

/* every option of @s and its subcommands, for the check below */
static bool accepts(const struct qnm_args_spec *s, const char *name)
{
	const struct qnm_args_sub *sub;
	const struct qnm_opt *o;

	for (o = s->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return true;
	for (sub = s->subs; sub && sub->name; sub++)
		if (accepts(sub->spec, name))
			return true;
	return false;
}

/* each "--word" of @text must be an option of @cmd */
static void expect_known(const struct qnm_cli_cmd *cmd, const char *text)
{
	const char *p = text;

	while (p && (p = strstr(p, "--"))) {
		char name[40];
		size_t n = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		p += n;
		if (n == 2)
			continue;
		if (!accepts(cmd->args, name))
			fail_msg("qnm %s: its help names %s, which its table lacks", cmd->name,
				 name);
	}
}

static void test_commands(void **state)
{
	size_t i, n;
	const struct qnm_cli_cmd *const *cmds = qnm_cli_commands(&n);

	assert_true(n >= 24);
	for (i = 0; i < n; i++) {
		assert_non_null(cmds[i]->args);
		assert_ptr_equal(qnm_cli_find(cmds[i]->name), cmds[i]);
		expect_known(cmds[i], cmds[i]->usage);
		expect_known(cmds[i], cmds[i]->help);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),	cmocka_unit_test(test_rules),
		cmocka_unit_test(test_wording), cmocka_unit_test(test_subcommands),
		cmocka_unit_test(test_help),	cmocka_unit_test(test_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
