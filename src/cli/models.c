// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/models.c - "qnm models": the NIC device models QEMU offers (see catalog.h). */
#include "build-config.h"

#include "api/models.h"
#include "cli/cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define QEMU_HELP_TIMEOUT_MS 20000

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void print_json(struct qnm_ctx *ctx, const struct qnm_catalog *c)
{
	json_object *root = json_object_new_object(), *models = json_object_new_array();
	json_object *rec = json_object_new_object();
	size_t i;

	json_object_object_add(root, "arch", json_object_new_string(c->arch));
	json_object_object_add(root, "source",
			       json_object_new_string(qnm_catalog_source_name(c->source)));
	json_object_object_add(root, "qemu", str_or_null(c->qemu));
	json_object_object_add(root, "note", str_or_null(c->note));
	json_object_object_add(rec, "linux",
			       str_or_null(qnm_catalog_recommended(c, QNM_GUEST_LINUX)));
	json_object_object_add(rec, "windows",
			       str_or_null(qnm_catalog_recommended(c, QNM_GUEST_WINDOWS)));
	json_object_object_add(root, "recommended", rec);
	for (i = 0; i < c->n; i++) {
		const struct qnm_nic_model *m = &c->models[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(m->name));
		json_object_object_add(o, "bus", json_object_new_string(m->bus));
		json_object_object_add(o, "alias", str_or_null(m->alias));
		json_object_object_add(o, "desc", str_or_null(m->desc));
		json_object_object_add(o, "no_user", json_object_new_boolean(m->no_user));
		json_object_object_add(o, "hint", str_or_null(m->hint));
		json_object_array_add(models, o);
	}
	json_object_object_add(root, "models", models);
	qnm_cli_print_json(ctx, root);
}

static void print_table(FILE *f, const struct qnm_catalog *c)
{
	const char *lin = qnm_catalog_recommended(c, QNM_GUEST_LINUX);
	const char *win = qnm_catalog_recommended(c, QNM_GUEST_WINDOWS);
	size_t i, w = 5, bw = 3;

	for (i = 0; i < c->n; i++) {
		if (c->models[i].no_user)
			continue;
		if (strlen(c->models[i].name) > w)
			w = strlen(c->models[i].name);
		if (strlen(c->models[i].bus) > bw)
			bw = strlen(c->models[i].bus);
	}
	fprintf(f, "%-*s  %-*s  %s\n", (int)w, "MODEL", (int)bw, "BUS", "DESCRIPTION");
	for (i = 0; i < c->n; i++) {
		const struct qnm_nic_model *m = &c->models[i];

		if (m->no_user) /* cannot be used with -device */
			continue;
		fprintf(f, "%-*s  %-*s  %s", (int)w, m->name, (int)bw, m->bus[0] ? m->bus : "-",
			m->desc ? m->desc : "-");
		if (m->alias)
			fprintf(f, " (alias %s)", m->alias);
		fputc('\n', f);
		if (m->hint)
			fprintf(f, "%-*s    %s\n", (int)w, "", m->hint);
	}
	fputc('\n', f);
	if (lin)
		fprintf(f, "recommended: %s for Linux guests", lin);
	if (win)
		fprintf(f, "%s%s for Windows installers and old guests",
			lin ? ", " : "recommended: ", win);
	if (lin || win)
		fputc('\n', f);
	switch (c->source) {
	case QNM_CATALOG_QEMU:
		fprintf(f, "source: %s -device help\n", c->qemu);
		break;
	case QNM_CATALOG_CACHE:
		fprintf(f, "source: %s -device help (cached)\n", c->qemu);
		break;
	case QNM_CATALOG_BUILTIN:
		fprintf(f, "source: qnm's built-in list of common x86 models, because %s\n",
			c->note ? c->note : "QEMU could not be asked");
		break;
	}
}

static const struct qnm_opt models_opts[] = {
	{ .name = "--json",
	  .help = "print JSON: arch, source (qemu|cache|builtin), qemu, note, recommended {linux, "
		  "windows}, models [{name, bus, alias, desc, no_user, hint}]" },
	{ .name = "--arch",
	  .type = QNM_OPT_STRING,
	  .arg = "ARCH",
	  .help = "QEMU target, e.g. aarch64 (default " QNM_QEMU_DEFAULT_ARCH ")" },
	{ .name = NULL },
};

/* every usage error says "unexpected argument" (tests/sh/bad-input.sh greps it) */
static const struct qnm_args_spec models_args = {
	.opts = models_opts,
	.max = 0,
	.say = { .unknown = "unexpected argument '%s'", .missing = "unexpected argument '%s'" },
};

static int models_run(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	const char *arch = qnm_args_get(args, "--arch");
	bool json = ctx->json;
	struct qnm_catalog *c;
	struct qnm_err err;

	if (!arch)
		arch = QNM_QEMU_DEFAULT_ARCH;
	qnm_err_clear(&err);
	if (qnm_api_models_load(ctx, arch, QEMU_HELP_TIMEOUT_MS, &c, &err)) {
		qnm_cli_error(ctx, "models", &err);
		return 2; /* only a malformed --arch fails */
	}
	if (json)
		print_json(ctx, c);
	else
		print_table(ctx->out, c);
	qnm_catalog_free(c);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_models = {
	.name = "models",
	.usage = "models [--json] [--arch ARCH]",
	.summary = "list the NIC device models QEMU offers, with advice",
	.help = "Asks qemu-system-ARCH (default " QNM_QEMU_DEFAULT_ARCH
		") for its network devices ('-device help'),\n"
		"caches the answer in $XDG_CACHE_HOME/qnm/models-ARCH until the QEMU binary changes,\n"
		"and falls back to a built-in list of common models when QEMU is not installed.\n",
	.args = &models_args,
	.run = models_run,
};
