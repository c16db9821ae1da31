// SPDX-License-Identifier: GPL-2.0-or-later
/* guests.c - run states of the guests and the UI's sampler (see guests.h). */
#include "build-config.h"

#include "guests.h"

#include "api/live.h"
#include "api/topo.h"
#include "core/backend.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct qnm_guests *get(struct qnm_ui *ui)
{
	if (!ui->guests) {
		ui->guests = xcalloc(1, sizeof(*ui->guests));
		/* no counter moved yet: the (empty) histories are still */
		ui->guests->still_ticks = QNM_SAMPLER_HISTORY + 1;
	}
	return ui->guests;
}

static void free_vms(struct qnm_guest *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		qnm_vm_free(v[i].live);
	free(v);
}

void qnm_guests_free(struct qnm_guests *g)
{
	if (!g)
		return;
	qnm_sampler_free(g->sampler);
	qnm_guestaddr_free(g->addrs);
	free(g->sampler_error);
	free_vms(g->vms, g->nvms);
	free(g->caps);
	free(g);
}

/* The entry of @name, or NULL: the array holds only VMs with a runtime dir or a job. */
static struct qnm_guest *entry(const struct qnm_guests *g, const char *name)
{
	size_t i;

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

static bool same_guest(const struct qnm_guest *a, const struct qnm_guest *b)
{
	return strcmp(a->name, b->name) == 0 && a->busy == b->busy && a->cap_busy == b->cap_busy &&
	       same_info(&a->info, &b->info) && !a->live == !b->live &&
	       (!a->live || qnm_vm_equal(a->live, b->live));
}

bool qnm_guests_refresh(struct qnm_ui *ui)
{
	struct qnm_guests *g = get(ui);
	const struct qnm_model *m = &ui->ctx->model;
	struct qnm_guest *vms, *gv;
	struct qnm_guest_cap *caps = NULL;
	size_t ncaps = 0, n = 0, i;
	struct qnm_strv dirs;
	bool changed;

	qnm_strv_init(&dirs);
	qnm_api_vm_running(ui->ctx, &dirs); /* sorted */
	vms = xcalloc(dirs.n + g->nvms + 1, sizeof(*vms));
	/* the configured VMs that have a runtime dir: nothing to walk when none has */
	for (i = 0; dirs.n && i < m->nvms; i++) {
		const struct qnm_vm *vm = m->vms[i];
		const struct qnm_guest *was;

		if (!bsearch(vm->name, dirs.v, dirs.n, sizeof(*dirs.v), cmp_name))
			continue;
		gv = &vms[n++];
		was = entry(g, vm->name);
		qnm_strlcpy(gv->name, vm->name, sizeof(gv->name));
		gv->busy = was && was->busy;
		gv->cap_busy = was && was->cap_busy;
		qnm_api_vm_state(ui->ctx, vm->name, &gv->info);
		if (gv->info.status == QNM_RUN_RUNNING || gv->info.status == QNM_RUN_STARTING) {
			add_caps(ui, vm->name, &caps, &ncaps);
			gv->live = qnm_api_vm_running_config(ui->ctx, vm->name);
		}
	}
	qnm_strv_free(&dirs);
	/* jobs on VMs without a runtime dir (a start under way) */
	for (i = 0; i < g->nvms; i++) {
		const struct qnm_guest *was = &g->vms[i];
		size_t k;

		if (!was->busy && !was->cap_busy)
			continue;
		for (k = 0; k < n && strcmp(vms[k].name, was->name) != 0; k++)
			;
		if (k < n || !qnm_model_find_vm(m, was->name))
			continue;
		gv = &vms[n++];
		*gv = *was;
		gv->live = NULL;
		gv->info = (struct qnm_run_info){ .status = QNM_RUN_ABSENT };
	}
	changed = n != g->nvms || ncaps != g->ncaps;
	for (i = 0; i < n && !changed; i++)
		changed = !same_guest(&vms[i], &g->vms[i]);
	for (i = 0; i < ncaps && !changed; i++)
		changed = !same_cap(&caps[i], &g->caps[i]);
	free_vms(g->vms, g->nvms);
	free(g->caps);
	g->vms = vms;
	g->nvms = n;
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

/* Mix @v into the fingerprint @h (FNV-1a style, one word at a time). */
static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

/*
 * Whether what the sampler shows changed at its last tick. Cheap: a word
 * or two per entry, no history walked (2,001 links cost ~30 us).
 * - The set of entries or their state (entry identity, up, available,
 *   ifindex, resets, the reason of an unavailable one): a fingerprint
 *   differs from the last one.
 * - Counters: a counter that moved has a non-zero rate; once no rate moved
 *   for QNM_SAMPLER_HISTORY ticks, every sparkline is flat and still.
 * An idle host's links, unchanged: false.
 */
static bool sampler_changed(struct qnm_guests *g)
{
	const struct qnm_sampler *smp = g->sampler;
	uint64_t h = mix(0xcbf29ce484222325ull, smp->n);
	bool moving = false;
	size_t i;

	for (i = 0; i < smp->n; i++) {
		const struct qnm_sample *e = smp->v[i];
		unsigned k;

		h = mix(h, (uintptr_t)e);
		h = mix(h, (uint64_t)e->ifindex << 3 | (uint64_t)e->up << 2 |
				   (uint64_t)e->available << 1 | e->rate_valid);
		h = mix(h, e->resets);
		for (k = 0; !e->available && e->why[k]; k++)
			h = mix(h, (unsigned char)e->why[k]);
		for (k = 0; k < QNM_STAT__COUNT && !moving; k++)
			moving = e->rate[k] != 0;
	}
	g->still_ticks = moving ? 0 : g->still_ticks + 1;
	if (h == g->sampler_sig && g->still_ticks > QNM_SAMPLER_HISTORY)
		return false;
	g->sampler_sig = h;
	return true;
}

/* Refresh the address cache (when a screen uses it); true when it changed. */
static bool addrs_tick(struct qnm_ui *ui, struct qnm_guests *g)
{
	const unsigned char *p;
	uint64_t h = 1469598103934665603ULL;
	struct qnm_err err;
	size_t i;

	if (!g->addrs || (!g->nvms && !g->addrs->n))
		return false;
	qnm_api_guestaddr_refresh(ui->ctx, g->addrs, false, &err);
	p = (const unsigned char *)g->addrs->v;
	for (i = 0; i < g->addrs->n * sizeof(*g->addrs->v); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	if (h == g->addrs_sig)
		return false;
	g->addrs_sig = h;
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
	changed = addrs_tick(ui, g) || changed;
	return changed;
}

const struct qnm_nic_addrs *qnm_guest_nic_addrs(struct qnm_ui *ui, const struct qnm_vm *vm,
						size_t i)
{
	struct qnm_guests *g = get(ui);
	struct qnm_err err;

	if (i >= vm->nnics)
		return NULL;
	if (!g->addrs) {
		g->addrs = qnm_api_guestaddr_open(ui->ctx);
		qnm_api_guestaddr_refresh(ui->ctx, g->addrs, false, &err);
	}
	return qnm_guestaddr_find(g->addrs, vm->name, vm->nics[i].id);
}

const struct qnm_guest *qnm_guest_find(struct qnm_ui *ui, const char *name)
{
	static const struct qnm_guest absent = { .info.status = QNM_RUN_ABSENT };
	const struct qnm_guest *e = entry(get(ui), name);

	return e ? e : &absent;
}

const struct qnm_vm *qnm_guest_shown(struct qnm_ui *ui, const struct qnm_vm *vm)
{
	const struct qnm_guest *g = qnm_guest_find(ui, vm->name);

	return g->live && g->info.status == QNM_RUN_RUNNING ? g->live : vm;
}

char *qnm_guest_pending(struct qnm_ui *ui, const struct qnm_vm *vm)
{
	const struct qnm_vm *live = qnm_guest_shown(ui, vm);
	struct qnm_strv v;
	char *line;

	if (live == vm)
		return NULL;
	qnm_strv_init(&v);
	qnm_api_vm_pending(live, vm, &v);
	line = qnm_api_vm_pending_line(&v);
	qnm_strv_free(&v);
	return line;
}

/* The entry of @name, added (not running) when it has none. */
static struct qnm_guest *entry_add(struct qnm_guests *g, const char *name)
{
	struct qnm_guest *e = entry(g, name);

	if (e)
		return e;
	g->vms = xreallocarray(g->vms, g->nvms + 1, sizeof(*g->vms));
	e = &g->vms[g->nvms++];
	memset(e, 0, sizeof(*e));
	qnm_strlcpy(e->name, name, sizeof(e->name));
	e->info.status = QNM_RUN_ABSENT;
	return e;
}

void qnm_guest_set_busy(struct qnm_ui *ui, const char *name, bool busy)
{
	struct qnm_guests *g = get(ui);
	struct qnm_guest *e = busy ? entry_add(g, name) : entry(g, name);

	if (e)
		e->busy = busy;
}

const struct qnm_sample *qnm_guest_nic_sample(struct qnm_ui *ui, const struct qnm_vm *vm, size_t i)
{
	return qnm_api_stats_nic_sample(get(ui)->sampler, vm, i);
}

void qnm_guest_set_cap_busy(struct qnm_ui *ui, const char *name, bool busy)
{
	struct qnm_guests *g = get(ui);
	struct qnm_guest *e = busy ? entry_add(g, name) : entry(g, name);

	if (e)
		e->cap_busy = busy;
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
