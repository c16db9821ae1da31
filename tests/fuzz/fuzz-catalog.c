// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-catalog.c - libFuzzer harness for the "-device help" parser: any
 * bytes must parse without a crash or a read past the input, keep only
 * sane models (names usable on a QEMU command line unescaped, printable
 * bus and description), and survive a format -> parse round trip unchanged.
 */
#include "build-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, bool name)
{
	size_t n = strlen(s);

	if (name &&
	    (n < 1 || n > 47 ||
	     strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n))
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Names are unique: sorted, no two neighbours are equal (n log n; asking
 * qnm_catalog_find() for every name was n^2 and most of the harness's time).
 * Then the first and the last model are found by name.
 */
static void check_unique(const struct qnm_catalog *c)
{
	char **names;
	size_t i;

	if (!c->n)
		return;
	names = malloc(c->n * sizeof(*names));
	for (i = 0; i < c->n; i++)
		names[i] = c->models[i].name;
	qsort(names, c->n, sizeof(*names), cmp_name);
	for (i = 1; i < c->n; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			abort();
	free(names);
	if (qnm_catalog_find(c, c->models[0].name) != &c->models[0] ||
	    qnm_catalog_find(c, c->models[c->n - 1].name) != &c->models[c->n - 1])
		abort();
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qnm_catalog *c = qnm_catalog_new("x86_64"), *back;
	struct qnm_err err;
	char *text;
	size_t i;

	/* A copy of exactly @size bytes: ASan sees any read past the end. */
	char *buf = malloc(size ? size : 1);

	memcpy(buf, data, size);
	qnm_catalog_parse(c, buf, size, &err);
	for (i = 0; i < c->n; i++) {
		check_text(c->models[i].name, true);
		if (c->models[i].alias)
			check_text(c->models[i].alias, true);
		check_text(c->models[i].bus, false);
		if (c->models[i].desc)
			check_text(c->models[i].desc, false);
	}
	check_unique(c);
	text = qnm_catalog_format(c);
	back = qnm_catalog_new("x86_64");
	if (qnm_catalog_parse(back, text, strlen(text), &err) != 0 || back->n != c->n)
		abort();
	for (i = 0; i < c->n; i++) {
		const struct qnm_nic_model *a = &c->models[i], *b = &back->models[i];

		if (strcmp(a->name, b->name) || strcmp(a->bus, b->bus) ||
		    !same(a->alias, b->alias) || !same(a->desc, b->desc) ||
		    a->no_user != b->no_user)
			abort();
	}
	free(text);
	qnm_catalog_free(back);
	qnm_catalog_free(c);
	free(buf);
	return 0;
}
