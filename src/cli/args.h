/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.h - the command line's one option parser.
 *
 * Each command (and each subcommand) declares what it accepts in a table,
 * a struct qnm_args_spec: its options (struct qnm_opt: name, short form,
 * value or not, repeatable, number limits, help line), how many positional
 * arguments it takes and, where a test or a script reads them, its own
 * wording of the usage errors. qnm_args_parse() checks argv against it and
 * fills a struct qnm_args, which the command reads with qnm_args_has(),
 * qnm_args_get() and friends. The "options:" part of "qnm CMD --help" is
 * printed from the same table (qnm_args_print_options()), so the help, the
 * man page made from it and the bash completion that reads it list exactly
 * the options the parser accepts. (The model is tmux's cmd_entry .args
 * template with args_has()/args_get().)
 *
 * Syntax, the same for every command:
 *   --name VALUE or --name=VALUE     an option with a value (the next word is
 *                                    taken whatever it looks like: --lines -3)
 *   --name[=VALUE]                   an option whose value is optional
 *   -f                               the short form of an option
 *   --                               ends the options: every later word is an
 *                                    argument
 *   -                                an argument (stdin, by convention)
 * Options and arguments may come in any order. A subcommand (net up, nic
 * add, forward list, slirp-helper ctl) is the first word after the command.
 */
#ifndef QNM_CLI_ARGS_H
#define QNM_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/util.h"

/**
 * enum qnm_opt_type - what an option carries.
 * @QNM_OPT_FLAG:   nothing (--force); it may be given more than once.
 * @QNM_OPT_STRING: a word (--dir DIR), checked by the command.
 * @QNM_OPT_UINT:   a whole number in [min, max], checked by the parser.
 */
enum qnm_opt_type {
	QNM_OPT_FLAG,
	QNM_OPT_STRING,
	QNM_OPT_UINT,
};

/* struct qnm_opt.flags */
#define QNM_OPT_REPEAT	 (1u << 0) /* a value option that may be given more than once */
#define QNM_OPT_OPTIONAL (1u << 1) /* the value is optional and only given as --name=VALUE */

/**
 * struct qnm_opt - one option of a command.
 * @name:  its long form with the dashes, "--timeout".
 * @alias: its short form ('f' for -f), or 0.
 * @type:  what it carries.
 * @arg:   the value's name in the help ("SEC"); unused for a flag.
 * @flags: QNM_OPT_REPEAT, QNM_OPT_OPTIONAL.
 * @min:   QNM_OPT_UINT: the smallest value accepted.
 * @max:   QNM_OPT_UINT: the largest value accepted.
 * @what:  QNM_OPT_UINT: what the number is, for the error ("a number of
 *         seconds" gives "--timeout must be a number of seconds, 1 to 3600";
 *         NULL gives "--lines must be 1 to 100000").
 * @help:  one line for "qnm CMD --help"; NULL leaves the option out of the help.
 */
struct qnm_opt {
	const char *name;
	char alias;
	enum qnm_opt_type type;
	const char *arg;
	unsigned flags;
	unsigned long min;
	unsigned long max;
	const char *what;
	const char *help;
};

struct qnm_args_sub;

/**
 * struct qnm_args_say - a command's own wording of its usage errors. Each is
 * one sentence that may hold one "%s" (the option, argument or subcommand at
 * fault); NULL keeps the default shown after the field. A command sets one
 * only where its wording is part of its interface (a test or a script reads
 * it), and says so.
 * @unknown: an option it does not know: "unknown option '%s'".
 * @missing: an option without its value: "%s needs a value".
 * @few:     fewer arguments than @min: "too few arguments". A spec whose
 *           @min equals its @max says it for too many arguments too (it is
 *           the rule: "give one VM name").
 * @many:    more arguments than @max: "unexpected argument '%s'".
 * @no_sub:  no subcommand: "give a subcommand".
 * @bad_sub: a subcommand it does not have: "unknown subcommand '%s'".
 */
struct qnm_args_say {
	const char *unknown;
	const char *missing;
	const char *few;
	const char *many;
	const char *no_sub;
	const char *bad_sub;
};

/**
 * struct qnm_args_spec - what a command (or one subcommand) accepts.
 * @name:      the command as errors name it ("net up"); NULL: the top
 *             command's name.
 * @opts:      its options, ended by an entry whose @name is NULL; NULL: none.
 * @min:       the fewest positional arguments (after the command and
 *             subcommand words).
 * @max:       the most; -1: no limit.
 * @dash_args: a word that starts with '-' but is none of @opts is an
 *             argument, not an error (commands that take KEY=VALUE words,
 *             whose own parser names a bad word).
 * @subs:      subcommands, chosen by the first word; ended by an entry whose
 *             @name is NULL. NULL: none.
 * @sub_optional: a first word that names no subcommand is parsed by this
 *             spec (slirp-helper, whose "ctl" is the only subcommand).
 * @say:       the command's own wording of usage errors.
 */
struct qnm_args_spec {
	const char *name;
	const struct qnm_opt *opts;
	int min;
	int max;
	bool dash_args;
	const struct qnm_args_sub *subs;
	bool sub_optional;
	struct qnm_args_say say;
};

/**
 * struct qnm_args_sub - one subcommand.
 * @name: the word that selects it.
 * @spec: what it accepts.
 */
struct qnm_args_sub {
	const char *name;
	const struct qnm_args_spec *spec;
};

/**
 * struct qnm_args_hit - one option as given.
 * @opt:   its table entry.
 * @value: its value (NULL for a flag, or an optional value not given).
 * @num:   QNM_OPT_UINT: the value as a number.
 */
struct qnm_args_hit {
	const struct qnm_opt *opt;
	const char *value;
	unsigned long num;
};

/**
 * struct qnm_args - a parsed command line (filled by qnm_args_parse()).
 * @spec:  the spec that parsed it (the subcommand's, when one was named).
 * @sub:   the subcommand's name, or NULL.
 * @argc:  the words that are not options, as main() gets them: @argv[0] is
 *         the command word, then the subcommand word (if any), then the
 *         positional arguments; @argv[@argc] is NULL.
 * @argv:  see @argc (the strings are the caller's).
 * @npos:  the positional arguments alone: @pos[0] .. @pos[@npos - 1].
 * @pos:   points into @argv.
 * @hits:  the options in the order given, @nhits of them.
 * @nhits: see @hits.
 */
struct qnm_args {
	const struct qnm_args_spec *spec;
	const char *sub;
	int argc;
	char **argv;
	int npos;
	char **pos;
	struct qnm_args_hit *hits;
	size_t nhits;
};

/**
 * qnm_args_parse() - check @argv against @spec and fill @a.
 * @spec: what the command accepts.
 * @argc: number of words in @argv.
 * @argv: the words; @argv[0] is the command word.
 * @a:    filled; release it with qnm_args_free() whatever the result.
 * @err:  on failure, the usage error (its field names the option).
 *
 * Return: 0, or -EINVAL when @argv breaks a rule of @spec; @a->spec is then
 * the spec whose rule it broke (name errors after it).
 */
int qnm_args_parse(const struct qnm_args_spec *spec, int argc, char **argv, struct qnm_args *a,
		   struct qnm_err *err);

/** qnm_args_free() - release what qnm_args_parse() allocated in @a. */
void qnm_args_free(struct qnm_args *a);

/**
 * qnm_args_has() - how many times option @name ("--force") was given.
 * @a:    the parsed command line.
 * @name: an option of @a->spec (asking for another one is a bug).
 */
unsigned qnm_args_has(const struct qnm_args *a, const char *name);

/**
 * qnm_args_get() - the value of option @name, the last one when it was
 * given more than once; NULL when it was not given (or given without its
 * optional value). The string is the caller's argv.
 */
const char *qnm_args_get(const struct qnm_args *a, const char *name);

/**
 * qnm_args_nth() - the @i-th value of a repeatable option @name, in the
 * order given (from 0); NULL past the last one.
 */
const char *qnm_args_nth(const struct qnm_args *a, const char *name, size_t i);

/**
 * qnm_args_uint() - the number given to QNM_OPT_UINT option @name (already
 * checked against its limits), or @dflt when it was not given.
 */
unsigned long qnm_args_uint(const struct qnm_args *a, const char *name, unsigned long dflt);

/**
 * qnm_args_print_options() - print the "options:" part of a command's help
 * from @spec's table (every subcommand's options once, each marked with the
 * subcommands that take it when not all do); nothing when no option has a
 * help line.
 * @f:    where to print.
 * @spec: the command's spec.
 */
void qnm_args_print_options(FILE *f, const struct qnm_args_spec *spec);

#endif
