// SPDX-License-Identifier: GPL-2.0-or-later
/* live.c - a running VM's configuration beside its saved one (see live.h). */
#include "build-config.h"

#include "api/live.h"

#include "core/backend.h"
#include "core/schema.h"
#include "guest/rundir.h"
#include "guest/runner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* How long a slirp helper may take to change a forward, in ms. */
#define LIVE_FWD_TIMEOUT_MS 2000

struct qnm_vm *qnm_api_vm_running_config(const struct qnm_ctx *ctx, const char *name)
{
	struct qnm_run_info ri;
	struct qnm_rundir rd;
	struct qnm_vm *vm = NULL;

	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	if (qnm_rundir_probe(&rd, &ri) == 0 &&
	    (ri.status == QNM_RUN_RUNNING || ri.status == QNM_RUN_STARTING))
		qnm_rundir_read_running(&rd, &vm);
	qnm_rundir_clear(&rd);
	return vm;
}

/* a NIC key that a save changes in the running guest (not a restart) */
static bool key_live(const struct qnm_key *k, const struct qnm_nic *a, const struct qnm_nic *b)
{
	if (strcmp(k->name, "link") == 0)
		return true;
	return strcmp(k->name, "hostfwd") == 0 && a->backend == b->backend &&
	       qnm_nic_backend(a)->hostfwd_live;
}

/* "PREFIXKEY FROM -> TO" for each key of @s in use in @a or @b whose text differs */
static void diff_keys(const struct qnm_schema *s, const void *a, const void *b, const char *prefix,
		      const struct qnm_nic *na, const struct qnm_nic *nb, struct qnm_strv *out)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct qnm_key *k = &s->keys[i];
		char *ta, *tb;

		if (!qnm_schema_key_in_use(s, k, a) && !qnm_schema_key_in_use(s, k, b))
			continue;
		/* another backend: its options are the new backend's, not a change of each */
		if (na && na->backend != nb->backend &&
		    (!qnm_schema_key_in_use(s, k, a) || !qnm_schema_key_in_use(s, k, b)))
			continue;
		if (na && key_live(k, na, nb))
			continue;
		if (!na && strcmp(k->name, "autostart") == 0)
			continue; /* the host's boot, not the guest's */
		ta = qnm_schema_key_in_use(s, k, a) ? qnm_key_text(k, a) : xstrdup("");
		tb = qnm_schema_key_in_use(s, k, b) ? qnm_key_text(k, b) : xstrdup("");
		if (strcmp(ta, tb) != 0)
			qnm_strv_addf(out, "%s%s %s -> %s", prefix, k->name, ta[0] ? ta : "-",
				      tb[0] ? tb : "-");
		free(ta);
		free(tb);
	}
}

void qnm_api_vm_pending(const struct qnm_vm *running, const struct qnm_vm *saved,
			struct qnm_strv *out)
{
	size_t i;

	if (!running || !saved)
		return;
	diff_keys(&qnm_vm_schema, running, saved, "", NULL, NULL, out);
	for (i = 0; i < saved->nnics; i++) {
		const struct qnm_nic *b = &saved->nics[i];
		const struct qnm_nic *a = qnm_vm_find_nic(running, b->id);
		char prefix[QNM_NAME_MAX + 2];

		if (!a) {
			qnm_strv_addf(out, "%s added", b->id);
			continue;
		}
		snprintf(prefix, sizeof(prefix), "%s ", b->id);
		diff_keys(&qnm_nic_schema, a, b, prefix, a, b, out);
	}
	for (i = 0; i < running->nnics; i++)
		if (!qnm_vm_find_nic(saved, running->nics[i].id))
			qnm_strv_addf(out, "%s removed", running->nics[i].id);
}

static char *join(const char *head, const struct qnm_strv *v)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	qnm_sb_add(&sb, head);
	for (i = 0; i < v->n; i++)
		qnm_sb_addf(&sb, "%s%s", i ? "; " : "", v->v[i]);
	return qnm_sb_steal(&sb);
}

char *qnm_api_vm_pending_line(const struct qnm_strv *pending)
{
	return pending->n ? join("restart to apply: ", pending) : NULL;
}

char *qnm_api_vm_apply_note(const struct qnm_strv *applied, const struct qnm_strv *pending)
{
	char *a = applied->n ? join("applied to the running guest: ", applied) : NULL;
	char *p = qnm_api_vm_pending_line(pending), *r;

	if (a && p)
		r = xasprintf("%s. %s", a, p);
	else
		r = a ? xstrdup(a) : p ? xstrdup(p) : NULL;
	free(a);
	free(p);
	return r;
}

static bool same_fwd(const struct qnm_fwd *a, const struct qnm_fwd *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       strcmp(a->host_addr, b->host_addr) == 0 &&
	       strcmp(a->guest_addr, b->guest_addr) == 0 && a->guest_port == b->guest_port &&
	       a->span == b->span && strcmp(a->desc, b->desc) == 0;
}

static bool has_fwd(const struct qnm_nic *n, const struct qnm_fwd *f)
{
	size_t i;

	for (i = 0; i < n->user.nfwd; i++)
		if (same_fwd(&n->user.fwd[i], f))
			return true;
	return false;
}

/* keep the first failure in @err, go on with the rest */
static int note_fail(int r, struct qnm_err *e, struct qnm_err *err, int first)
{
	if (r && !first && err)
		*err = *e;
	return first ? first : r;
}

/*
 * The forwards of @from that @to lacks, each removed (@add false) from or
 * added to the running slirp NIC @nic through its helper, and recorded as
 * running. Return: the first failure (in @err), or 0.
 */
static int fwd_diff(const struct qnm_rundir *rd, const struct qnm_nic *nic,
		    const struct qnm_nic *from, const struct qnm_nic *to, bool add,
		    struct qnm_strv *applied, struct qnm_err *err)
{
	struct qnm_err e;
	char text[QNM_FWD_TEXT_LEN];
	size_t i;
	int r, first = 0;

	for (i = 0; i < from->user.nfwd; i++) {
		const struct qnm_fwd *f = &from->user.fwd[i];
		const struct qnm_fwd *del = add ? NULL : f, *put = add ? f : NULL;

		if (has_fwd(to, f))
			continue;
		qnm_err_clear(&e);
		r = qnm_nic_backend(nic)->hostfwd_live(rd->path, nic, del, put, LIVE_FWD_TIMEOUT_MS,
						       &e);
		qnm_fwd_format(f, text, sizeof(text));
		if (!r) {
			qnm_rundir_running_fwd(rd, nic->id, del, put);
			qnm_strv_addf(applied, "%s: forward %s %s", nic->id, text,
				      add ? "added" : "removed");
		}
		first = note_fail(r, &e, err, first);
	}
	return first;
}

/* the forwards of slirp NIC @b that differ from the running @a: the old out, the new in */
static int apply_fwds(const struct qnm_rundir *rd, const struct qnm_nic *a, const struct qnm_nic *b,
		      struct qnm_strv *applied, struct qnm_err *err)
{
	struct qnm_err e;
	int first;

	qnm_err_clear(&e);
	first = fwd_diff(rd, a, a, b, false, applied, err);
	return note_fail(fwd_diff(rd, b, b, a, true, applied, &e), &e, err, first);
}

int qnm_api_vm_apply_live(struct qnm_ctx *ctx, const char *name, struct qnm_strv *applied,
			  struct qnm_strv *pending, struct qnm_err *err)
{
	const struct qnm_vm *saved = qnm_model_find_vm(&ctx->model, name);
	struct qnm_vm *running = qnm_api_vm_running_config(ctx, name);
	struct qnm_rundir rd;
	struct qnm_err e;
	size_t i;
	int r, first = 0;

	if (!saved || !running) {
		qnm_vm_free(running);
		return 0;
	}
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, name);
	for (i = 0; i < saved->nnics; i++) {
		const struct qnm_nic *b = &saved->nics[i];
		const struct qnm_nic *a = qnm_vm_find_nic(running, b->id);

		if (!a)
			continue; /* a new NIC starts as saved */
		if (a->link_up != b->link_up) {
			qnm_err_clear(&e);
			r = qnm_runner_set_link(ctx->paths.runtime_dir, name, b->id, b->link_up,
						&e);
			if (!r)
				qnm_strv_addf(applied, "%s: cable %s", b->id,
					      b->link_up ? "plugged in" : "unplugged");
			first = note_fail(r, &e, err, first);
		}
		/* forwards of the backend that runs (a NIC given another waits for a restart) */
		if (a->backend == b->backend && qnm_nic_backend(b)->hostfwd_live)
			first = note_fail(apply_fwds(&rd, a, b, applied, &e), &e, err, first);
	}
	qnm_rundir_clear(&rd);
	qnm_vm_free(running);
	running = qnm_api_vm_running_config(ctx, name);
	qnm_api_vm_pending(running, saved, pending);
	qnm_vm_free(running);
	return first;
}
