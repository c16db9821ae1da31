// SPDX-License-Identifier: GPL-2.0-or-later
/* args.c - the command line's one option parser, driven by each command's table (args.h). */
#include "build-config.h"

#include "cli/args.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HELP_WIDTH 79 /* help lines wrap before this column */
#define HELP_LABEL 24 /* longest option label that keeps its help on the same line */

/*
 * Fill @err with @say (the command's own sentence) or @dflt, its one "%s"
 * replaced by @word. The sentences come from tables, never from the user,
 * and are not printf formats (no other conversion is expanded).
 */
static int usage(struct qnm_err *err, const char *field, const char *say, const char *dflt,
		 const char *word)
{
	const char *text = say ? say : dflt, *at = strstr(text, "%s");

	if (!at)
		return qnm_err_set(err, -EINVAL, field, "%s", text);
	return qnm_err_set(err, -EINVAL, field, "%.*s%s%s", (int)(at - text), text,
			   word ? word : "", at + 2);
}

/* the option of @spec that @word ("--name", "--name=VALUE" or "-f") names, or NULL */
static const struct qnm_opt *find_opt(const struct qnm_args_spec *spec, const char *word)
{
	const struct qnm_opt *o;
	size_t len;

	if (!spec->opts)
		return NULL;
	if (word[1] != '-') {
		if (!word[1] || word[2])
			return NULL;
		for (o = spec->opts; o->name; o++)
			if (o->alias && o->alias == word[1])
				return o;
		return NULL;
	}
	len = strcspn(word, "=");
	for (o = spec->opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, word, len) == 0)
			return o;
	return NULL;
}

/* the subcommand of @spec named @word, or NULL */
static const struct qnm_args_sub *find_sub(const struct qnm_args_spec *spec, const char *word)
{
	const struct qnm_args_sub *s;

	for (s = spec->subs; s->name; s++)
		if (strcmp(s->name, word) == 0)
			return s;
	return NULL;
}

/*
 * The index in @argv of the word naming the subcommand: the first word that
 * is not an option (options may come before it: "nic --json list VM"), or
 * only the first word when the subcommand is optional. 0: none.
 */
static int sub_word(const struct qnm_args_spec *spec, int argc, char **argv)
{
	int i;

	if (spec->sub_optional)
		return argc > 1 && find_sub(spec, argv[1]) ? 1 : 0;
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-' || !argv[i][1])
			return i;
	return 0;
}

/* Take option @o from argv[*i] (and its value, advancing *@i) into @a. */
static int take_opt(const struct qnm_opt *o, int argc, char **argv, int *i, struct qnm_args *a,
		    struct qnm_err *err)
{
	const char *word = argv[*i], *eq = strchr(word, '=');
	struct qnm_args_hit *h = &a->hits[a->nhits];
	size_t k;

	/* "-f=x" is not a form of anything */
	if (eq && word[1] != '-')
		eq = NULL;
	h->opt = o;
	h->value = NULL;
	h->num = 0;
	if (o->type == QNM_OPT_FLAG) {
		if (eq)
			return qnm_err_set(err, -EINVAL, o->name, "%s takes no value", o->name);
	} else if (eq) {
		h->value = eq + 1;
	} else if (!(o->flags & QNM_OPT_OPTIONAL)) {
		if (*i + 1 >= argc)
			return usage(err, o->name, a->spec->say.missing, "%s needs a value",
				     o->name);
		h->value = argv[++*i];
	}
	if (o->type != QNM_OPT_FLAG && !(o->flags & QNM_OPT_REPEAT))
		for (k = 0; k < a->nhits; k++)
			if (a->hits[k].opt == o)
				return qnm_err_set(err, -EINVAL, o->name,
						   "%s may be given only once", o->name);
	if (o->type == QNM_OPT_UINT && qnm_parse_uint(h->value, o->min, o->max, &h->num)) {
		if (o->what)
			return qnm_err_set(err, -EINVAL, o->name, "%s must be %s, %lu to %lu",
					   o->name, o->what, o->min, o->max);
		return qnm_err_set(err, -EINVAL, o->name, "%s must be %lu to %lu", o->name, o->min,
				   o->max);
	}
	a->nhits++;
	return 0;
}

/* the positional argument count of @a against its spec */
static int check_count(const struct qnm_args *a, struct qnm_err *err)
{
	const struct qnm_args_spec *s = a->spec;

	if (a->npos < s->min)
		return usage(err, "", s->say.few, "too few arguments", NULL);
	if (s->max >= 0 && a->npos > s->max) {
		if (!s->say.many && s->say.few && s->min == s->max)
			return usage(err, "", s->say.few, "too few arguments", NULL);
		return usage(err, "", s->say.many, "unexpected argument '%s'", a->pos[s->max]);
	}
	return 0;
}

int qnm_args_parse(const struct qnm_args_spec *spec, int argc, char **argv, struct qnm_args *a,
		   struct qnm_err *err)
{
	const struct qnm_args_sub *sub;
	bool options = true;
	int i, first, at = 0;

	memset(a, 0, sizeof(*a));
	a->spec = spec;
	a->argv = xcalloc((size_t)argc + 1, sizeof(*a->argv));
	a->hits = xcalloc((size_t)argc + 1, sizeof(*a->hits));
	a->argv[a->argc++] = argv[0];
	if (spec->subs) {
		at = sub_word(spec, argc, argv);
		sub = at ? find_sub(spec, argv[at]) : NULL;
		if (sub) {
			a->sub = sub->name;
			a->spec = sub->spec;
			a->argv[a->argc++] = argv[at];
		} else if (!at && !spec->sub_optional) {
			return usage(err, "", spec->say.no_sub, "give a subcommand", NULL);
		} else if (!spec->sub_optional) {
			return usage(err, "", spec->say.bad_sub, "unknown subcommand '%s'",
				     argv[at]);
		}
	}
	first = a->argc;
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];
		const struct qnm_opt *o;
		int r;

		if (i == at)
			continue;
		if (options && strcmp(w, "--") == 0) {
			options = false;
			continue;
		}
		if (options && w[0] == '-' && w[1]) {
			o = find_opt(a->spec, w);
			if (o) {
				r = take_opt(o, argc, argv, &i, a, err);
				if (r)
					return r;
				continue;
			}
			if (!a->spec->dash_args)
				return usage(err, w, a->spec->say.unknown, "unknown option '%s'",
					     w);
		}
		a->argv[a->argc++] = argv[i];
	}
	a->pos = a->argv + first;
	a->npos = a->argc - first;
	return check_count(a, err);
}

void qnm_args_free(struct qnm_args *a)
{
	free(a->argv);
	free(a->hits);
	memset(a, 0, sizeof(*a));
}

/* the table entry of option @name; asking for an option the spec lacks is a bug */
static const struct qnm_opt *known(const struct qnm_args *a, const char *name)
{
	const struct qnm_opt *o = find_opt(a->spec, name);

	assert(o && strcmp(o->name, name) == 0);
	return o;
}

unsigned qnm_args_has(const struct qnm_args *a, const char *name)
{
	const struct qnm_opt *o = known(a, name);
	unsigned n = 0;
	size_t k;

	for (k = 0; k < a->nhits; k++)
		if (a->hits[k].opt == o)
			n++;
	return n;
}

/* the last hit of option @name, or NULL */
static const struct qnm_args_hit *last(const struct qnm_args *a, const char *name)
{
	const struct qnm_opt *o = known(a, name);
	size_t k;

	for (k = a->nhits; k-- > 0;)
		if (a->hits[k].opt == o)
			return &a->hits[k];
	return NULL;
}

const char *qnm_args_get(const struct qnm_args *a, const char *name)
{
	const struct qnm_args_hit *h = last(a, name);

	return h ? h->value : NULL;
}

const char *qnm_args_nth(const struct qnm_args *a, const char *name, size_t i)
{
	const struct qnm_opt *o = known(a, name);
	size_t k;

	for (k = 0; k < a->nhits; k++)
		if (a->hits[k].opt == o && i-- == 0)
			return a->hits[k].value;
	return NULL;
}

unsigned long qnm_args_uint(const struct qnm_args *a, const char *name, unsigned long dflt)
{
	const struct qnm_args_hit *h = last(a, name);

	return h ? h->num : dflt;
}

/* ---- help ---- */

/* "  -f, --follow", "  --timeout SEC", "  --watch[=SECONDS]" */
static void label(const struct qnm_opt *o, char *buf, size_t size)
{
	char alias[8] = "";

	if (o->alias)
		snprintf(alias, sizeof(alias), "-%c, ", o->alias);
	if (o->type == QNM_OPT_FLAG)
		snprintf(buf, size, "  %s%s", alias, o->name);
	else if (o->flags & QNM_OPT_OPTIONAL)
		snprintf(buf, size, "  %s%s[=%s]", alias, o->name, o->arg);
	else
		snprintf(buf, size, "  %s%s %s", alias, o->name, o->arg);
}

/* Print @text from column @col (the cursor is there), wrapped at HELP_WIDTH. */
static void wrap(FILE *f, const char *text, size_t col)
{
	size_t at = col;

	while (*text) {
		size_t n = strcspn(text, " ");

		if (at > col && at + 1 + n > HELP_WIDTH) {
			fprintf(f, "\n%*s", (int)col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fprintf(f, "%.*s", (int)n, text);
		at += n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

/* each visible option of @spec and its subcommands once, in table order */
struct opt_list {
	const struct qnm_opt *v[64];
	const struct qnm_args_spec *in[64]; /* first spec that has it */
	size_t n;
};

static void collect(struct opt_list *l, const struct qnm_args_spec *spec)
{
	const struct qnm_opt *o;
	size_t k;

	for (o = spec->opts; o && o->name; o++) {
		if (!o->help)
			continue;
		for (k = 0; k < l->n; k++)
			if (strcmp(l->v[k]->name, o->name) == 0)
				break;
		if (k < l->n || l->n == QNM_ARRAY_SIZE(l->v))
			continue;
		l->in[l->n] = spec;
		l->v[l->n++] = o;
	}
}

/*
 * "(list, show) ": the subcommands of @spec that take option @name, when not
 * all of them do (or when @spec itself runs without one); "" otherwise.
 */
static void which_subs(const struct qnm_args_spec *spec, const char *name, char *buf, size_t size)
{
	const struct qnm_args_sub *s;
	struct qnm_strbuf sb;
	size_t have = 0, all = 0;

	qnm_sb_init(&sb);
	for (s = spec->subs; s->name; s++, all++)
		if (find_opt(s->spec, name))
			qnm_sb_addf(&sb, "%s%s", have++ ? ", " : "", s->name);
	if (have < all || spec->sub_optional)
		snprintf(buf, size, "(%s) ", sb.s);
	else
		buf[0] = '\0';
	qnm_sb_free(&sb);
}

void qnm_args_print_options(FILE *f, const struct qnm_args_spec *spec)
{
	struct opt_list l = { .n = 0 };
	const struct qnm_args_sub *s;
	size_t k, col = 0;

	collect(&l, spec);
	for (s = spec->subs; s && s->name; s++)
		collect(&l, s->spec);
	if (!l.n)
		return;
	for (k = 0; k < l.n; k++) {
		char lab[96];

		label(l.v[k], lab, sizeof(lab));
		if (strlen(lab) <= HELP_LABEL && strlen(lab) + 2 > col)
			col = strlen(lab) + 2;
	}
	fputs("\noptions:\n", f);
	for (k = 0; k < l.n; k++) {
		const struct qnm_opt *o = l.v[k];
		char lab[96], subs[160], *text;

		label(o, lab, sizeof(lab));
		subs[0] = '\0';
		if (l.in[k] != spec)
			which_subs(spec, o->name, subs, sizeof(subs));
		text = xasprintf("%s%s%s", subs, o->help,
				 o->flags & QNM_OPT_REPEAT ? " (repeatable)" : "");
		if (strlen(lab) + 2 > col)
			fprintf(f, "%s\n%*s", lab, (int)col, "");
		else
			fprintf(f, "%-*s", (int)col, lab);
		wrap(f, text, col);
		free(text);
	}
}
