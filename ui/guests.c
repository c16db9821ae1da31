// SPDX-License-Identifier: GPL-2.0-or-later
/* guests.c - run states of the guests and the UI's sampler (see guests.h). */
#include "build-config.h"

#include "guests.h"
#include "core/backend.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct qnm_guests *get(struct qnm_ui *ui)
{
	if (!ui->guests)
		ui->guests = xcalloc(1, sizeof(*ui->guests));
	return ui->guests;
}

void qnm_guests_free(struct qnm_guests *g)
{
	if (!g)
		return;
	qnm_sampler_free(g->sampler);
	free(g->sampler_error);
	free(g->vms);
	free(g->caps);
	free(g);
}

/*
 * The entry of @name in the last refresh: @hint first (the model's VMs keep
 * their order from one refresh to the next), else a search. O(1) per VM
 * while the model does not change (a search per VM made a refresh with
 * 10,000 VMs cost 0.1 s).
 */
static const struct qnm_guest *old_vm(const struct qnm_guests *g, size_t hint, const char *name)
{
	size_t i;

	if (hint < g->nvms && strcmp(g->vms[hint].name, name) == 0)
		return &g->vms[hint];
	for (i = 0; i < g->nvms; i++)
		if (strcmp(g->vms[i].name, name) == 0)
			return &g->vms[i];
	return NULL;
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

static bool same_info(const struct qnm_run_info *a, const struct qnm_run_info *b)
{
	return a->status == b->status && a->qemu_pid == b->qemu_pid &&
	       a->supervisor_pid == b->supervisor_pid &&
	       a->supervisor_alive == b->supervisor_alive && a->started == b->started &&
	       strcmp(a->reason, b->reason) == 0;
}

static bool same_cap(const struct qnm_guest_cap *a, const struct qnm_guest_cap *b)
{
	return strcmp(a->vm, b->vm) == 0 && strcmp(a->c.id, b->c.id) == 0 &&
	       strcmp(a->c.nic, b->c.nic) == 0 && strcmp(a->c.file, b->c.file) == 0 &&
	       a->c.owner == b->c.owner && a->c.started == b->c.started && a->size == b->size &&
	       a->mine == b->mine && a->alive == b->alive;
}

/* Append the captures recorded for @vm (with their files' sizes) to @caps. */
static void add_caps(struct qnm_ui *ui, const char *vm, struct qnm_guest_cap **caps, size_t *n)
{
	struct qnm_capture *v;
	size_t k, i;

	if (qnm_api_capture_list(ui->ctx, vm, &v, &k, NULL))
		return;
	*caps = xreallocarray(*caps, *n + k + 1, sizeof(**caps));
	for (i = 0; i < k; i++) {
		struct qnm_guest_cap *gc = &(*caps)[(*n)++];
		struct stat st;

		memset(gc, 0, sizeof(*gc));
		qnm_strlcpy(gc->vm, vm, sizeof(gc->vm));
		gc->c = v[i];
		gc->size = stat(v[i].file, &st) == 0 ? (unsigned long long)st.st_size : 0;
		gc->mine = v[i].owner == getpid();
		gc->alive = gc->mine || qnm_capture_owner_alive(&v[i]);
	}
	free(v);
}

bool qnm_guests_refresh(struct qnm_ui *ui)
{
	struct qnm_guests *g = get(ui);
	const struct qnm_model *m = &ui->ctx->model;
	struct qnm_guest *vms = xcalloc(m->nvms + 1, sizeof(*vms));
	struct qnm_guest_cap *caps = NULL;
	size_t ncaps = 0, i;
	struct qnm_strv dirs;
	bool changed = m->nvms != g->nvms;

	qnm_strv_init(&dirs);
	qnm_api_vm_running(ui->ctx, &dirs); /* sorted */
	for (i = 0; i < m->nvms; i++) {
		const struct qnm_vm *vm = m->vms[i];
		struct qnm_guest *gv = &vms[i];
		const struct qnm_guest *was = old_vm(g, i, vm->name);

		qnm_strlcpy(gv->name, vm->name, sizeof(gv->name));
		gv->busy = was && was->busy;
		gv->cap_busy = was && was->cap_busy;
		gv->info.status = QNM_RUN_ABSENT;
		if (dirs.n && bsearch(vm->name, dirs.v, dirs.n, sizeof(*dirs.v), cmp_name)) {
			qnm_api_vm_state(ui->ctx, vm->name, &gv->info);
			if (gv->info.status == QNM_RUN_RUNNING ||
			    gv->info.status == QNM_RUN_STARTING)
				add_caps(ui, vm->name, &caps, &ncaps);
		}
		if (!changed && (was != &g->vms[i] || !same_info(&gv->info, &was->info)))
			changed = true;
	}
	qnm_strv_free(&dirs);
	changed = changed || ncaps != g->ncaps;
	for (i = 0; i < ncaps && !changed; i++)
		changed = !same_cap(&caps[i], &g->caps[i]);
	free(g->vms);
	free(g->caps);
	g->vms = vms;
	g->nvms = m->nvms;
	g->caps = caps;
	g->ncaps = ncaps;
	g->last_ms = (long)qnm_mono_ms_int();
	return changed;
}

/* One sampler tick; a failed tick keeps the entries and says why. */
static void sample(struct qnm_ui *ui, struct qnm_guests *g)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	qnm_sampler_set_model(g->sampler, &ui->ctx->model);
	free(g->sampler_error);
	g->sampler_error = NULL;
	if (qnm_sampler_tick(g->sampler, &err))
		g->sampler_error = xasprintf("cannot read the interfaces: %s", err.msg);
	g->sampled_ms = (long)qnm_mono_ms_int();
}

struct qnm_sampler *qnm_ui_sampler(struct qnm_ui *ui, const char **error)
{
	struct qnm_guests *g = get(ui);

	if (!g->sampler && !g->sampler_error) {
		struct qnm_err err;

		qnm_err_clear(&err);
		if (qnm_api_stats_open(ui->ctx, &g->sampler, &err)) {
			g->sampler = NULL;
			g->sampler_error = xasprintf("cannot read the interfaces: %s", err.msg);
		} else {
			sample(ui, g);
		}
	}
	if (error)
		*error = g->sampler_error;
	return g->sampler;
}

/* FNV-1a over @len bytes at @p, continuing from @h. */
static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		h = (h ^ *c++) * 0x100000001b3ull;
	return h;
}

/*
 * Whether what the sampler shows changed at its last tick: a fingerprint of
 * its entries (names, state, counters) differs from the previous one, or
 * some entry's history still holds a non-zero rate (its sparkline moves).
 * An idle host's links, unchanged counters and flat histories: false.
 */
static bool sampler_changed(struct qnm_guests *g)
{
	const struct qnm_sampler *smp = g->sampler;
	uint64_t h = fnv(0xcbf29ce484222325ull, &smp->n, sizeof(smp->n));
	bool moving = false;
	size_t i;

	for (i = 0; i < smp->n; i++) {
		const struct qnm_sample *e = smp->v[i];
		unsigned k, j;

		h = fnv(h, e->name, strlen(e->name));
		h = fnv(h, &e->ifindex, sizeof(e->ifindex));
		h = fnv(h, &e->available, sizeof(e->available));
		h = fnv(h, &e->up, sizeof(e->up));
		h = fnv(h, e->stats, sizeof(e->stats));
		h = fnv(h, e->why, strlen(e->why));
		for (k = 0; k < e->hist_n && !moving; k++)
			for (j = 0; j < QNM_HIST__COUNT; j++)
				moving = moving || e->hist[k][j] != 0;
	}
	if (h == g->sampler_sig && !moving)
		return false;
	g->sampler_sig = h;
	return true;
}

bool qnm_guests_tick(struct qnm_ui *ui)
{
	struct qnm_guests *g = get(ui);
	long due = ui->interval_ms - 50, now = (long)qnm_mono_ms_int();
	bool changed = false;

	if (now - g->last_ms >= due)
		changed = qnm_guests_refresh(ui);
	if (!g->sampler && !g->sampler_error) {
		qnm_ui_sampler(ui, NULL);
		changed = true;
	} else if (g->sampler && now - g->sampled_ms >= due) {
		char *was = g->sampler_error ? xstrdup(g->sampler_error) : NULL;

		sample(ui, g);
		changed = sampler_changed(g) || changed ||
			  (was ? !g->sampler_error || strcmp(was, g->sampler_error) != 0
			       : g->sampler_error != NULL);
		free(was);
	}
	return changed;
}

const struct qnm_guest *qnm_guest_find(struct qnm_ui *ui, const char *name)
{
	static const struct qnm_guest absent = { .info.status = QNM_RUN_ABSENT };
	struct qnm_guests *g = get(ui);
	size_t i;

	for (i = 0; i < g->nvms; i++)
		if (strcmp(g->vms[i].name, name) == 0)
			return &g->vms[i];
	return &absent;
}

void qnm_guest_set_busy(struct qnm_ui *ui, const char *name, bool busy)
{
	struct qnm_guests *g = get(ui);
	size_t i;

	for (i = 0; i < g->nvms; i++)
		if (strcmp(g->vms[i].name, name) == 0)
			g->vms[i].busy = busy;
}

const struct qnm_sample *qnm_guest_nic_sample(struct qnm_ui *ui, const struct qnm_vm *vm, size_t i)
{
	struct qnm_guests *g = get(ui);
	const struct qnm_nic *n = &vm->nics[i];
	const struct qnm_backend_ops *b = qnm_nic_backend(n);
	char name[QNM_SAMPLE_NAME_MAX + 1];
	const struct qnm_sample *e;

	if (!g->sampler || i >= vm->nnics)
		return NULL;
	/* the sampler names a NIC's entry after its host interface, or "VM/NIC" for the helper's */
	if (b->slirp_helper)
		snprintf(name, sizeof(name), "%s/%s", vm->name, n->id);
	else if (!b->host_ifname || !b->host_ifname(vm, i, name))
		return NULL;
	e = qnm_sampler_find(g->sampler, name);
	/* a TAP of that name that the sampler does not map to this NIC is not its */
	if (e && (strcmp(e->vm, vm->name) != 0 || strcmp(e->nic, n->id) != 0))
		return NULL;
	return e;
}

void qnm_guest_set_cap_busy(struct qnm_ui *ui, const char *name, bool busy)
{
	struct qnm_guests *g = get(ui);
	size_t i;

	for (i = 0; i < g->nvms; i++)
		if (strcmp(g->vms[i].name, name) == 0)
			g->vms[i].cap_busy = busy;
}

const struct qnm_guest_cap *qnm_guest_caps(struct qnm_ui *ui, const char *vm, size_t *n)
{
	struct qnm_guests *g = get(ui);
	size_t i, first = g->ncaps;

	*n = 0;
	if (!vm) {
		*n = g->ncaps;
		return g->caps;
	}
	for (i = 0; i < g->ncaps; i++) {
		if (strcmp(g->caps[i].vm, vm) != 0)
			continue;
		if (first == g->ncaps)
			first = i;
		(*n)++;
	}
	return *n ? &g->caps[first] : NULL;
}
