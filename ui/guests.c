// SPDX-License-Identifier: GPL-2.0-or-later
/* guests.c - run states and slirp counters of the guests (see guests.h). */
#include "build-config.h"

#include "guests.h"
#include "slirp-helper.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

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
	free(g->vms);
	free(g->nics);
	free(g->caps);
	free(g);
}

static struct qnm_guest_nic *old_nic(struct qnm_guest_nic *v, size_t n, const char *vm,
				     const char *nic)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].vm, vm) == 0 && strcmp(v[i].nic, nic) == 0)
			return &v[i];
	return NULL;
}

static const struct qnm_guest *old_vm(const struct qnm_guests *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nvms; i++)
		if (strcmp(g->vms[i].name, name) == 0)
			return &g->vms[i];
	return NULL;
}

/* Append the captures recorded for @vm (with their files' sizes) to @caps. */
static void add_caps(struct qnm_ui *ui, const char *vm, struct qnm_guest_cap **caps, size_t *n)
{
	struct qnm_capture *v;
	size_t k, i;

	if (qnm_capture_list(ui->ctx->paths.runtime_dir, vm, &v, &k, NULL))
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

void qnm_guests_refresh(struct qnm_ui *ui)
{
	struct qnm_guests *g = get(ui);
	const struct qnm_model *m = &ui->ctx->model;
	struct qnm_guest *vms = xcalloc(m->nvms + 1, sizeof(*vms));
	struct qnm_guest_nic *nics = NULL;
	struct qnm_guest_cap *caps = NULL;
	size_t nnics = 0, ncaps = 0, i, j, k;
	struct qnm_strv dirs;
	long now = mono_ms();
	double dt = g->last_ms ? (now - g->last_ms) / 1000.0 : 0;

	qnm_strv_init(&dirs);
	qnm_rundir_list(ui->ctx->paths.runtime_dir, &dirs);
	for (i = 0; i < m->nvms; i++) {
		const struct qnm_vm *vm = m->vms[i];
		struct qnm_guest *gv = &vms[i];
		const struct qnm_guest *was = old_vm(g, vm->name);
		bool has_dir = false;

		qnm_strlcpy(gv->name, vm->name, sizeof(gv->name));
		gv->busy = was && was->busy;
		gv->cap_busy = was && was->cap_busy;
		gv->info.status = QNM_RUN_ABSENT;
		for (k = 0; k < dirs.n && !has_dir; k++)
			has_dir = strcmp(dirs.v[k], vm->name) == 0;
		if (!has_dir)
			continue;
		{
			struct qnm_rundir rd;

			qnm_rundir_init(&rd, ui->ctx->paths.runtime_dir, vm->name);
			qnm_rundir_probe(&rd, &gv->info);
			if (gv->info.status == QNM_RUN_RUNNING ||
			    gv->info.status == QNM_RUN_STARTING)
				add_caps(ui, vm->name, &caps, &ncaps);
			for (j = 0; j < vm->nnics && gv->info.status == QNM_RUN_RUNNING; j++) {
				const struct qnm_nic *n = &vm->nics[j];
				struct qnm_guest_nic *gn, *old;
				struct qnm_slirpctl *c = NULL;
				char *path;

				if (n->backend != QNM_BACKEND_SLIRP)
					continue;
				nics = xreallocarray(nics, nnics + 1, sizeof(*nics));
				gn = &nics[nnics++];
				old = old_nic(g->nics, g->nnics, vm->name, n->id);
				if (old)
					*gn = *old;
				else
					memset(gn, 0, sizeof(*gn));
				qnm_strlcpy(gn->vm, vm->name, sizeof(gn->vm));
				qnm_strlcpy(gn->nic, n->id, sizeof(gn->nic));
				path = qnm_slirp_control_path(rd.path, n);
				if (qnm_slirpctl_open(path, 200, &c, NULL) == 0) {
					struct qnm_slirp_stats st;

					if (qnm_slirpctl_stats(c, &st, NULL) == 0) {
						/* the guest's view: tx = what it sent */
						if (gn->have && dt > 0) {
							gn->rate[0] = st.rx_bytes >= gn->st.rx_bytes
									      ? (st.rx_bytes -
										 gn->st.rx_bytes) /
											dt
									      : 0;
							gn->rate[1] = st.tx_bytes >= gn->st.tx_bytes
									      ? (st.tx_bytes -
										 gn->st.tx_bytes) /
											dt
									      : 0;
							if (gn->nh == QNM_GUEST_HIST) {
								memmove(gn->hist[0],
									gn->hist[0] + 1,
									(QNM_GUEST_HIST - 1) *
										sizeof(double));
								memmove(gn->hist[1],
									gn->hist[1] + 1,
									(QNM_GUEST_HIST - 1) *
										sizeof(double));
								gn->nh--;
							}
							gn->hist[0][gn->nh] = gn->rate[0];
							gn->hist[1][gn->nh] = gn->rate[1];
							gn->nh++;
						}
						gn->st = st;
						gn->have = true;
					}
				}
				qnm_slirpctl_free(c);
				free(path);
			}
			qnm_rundir_clear(&rd);
		}
	}
	qnm_strv_free(&dirs);
	free(g->vms);
	free(g->nics);
	free(g->caps);
	g->vms = vms;
	g->nvms = m->nvms;
	g->nics = nics;
	g->nnics = nnics;
	g->caps = caps;
	g->ncaps = ncaps;
	g->last_ms = now;
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

const struct qnm_guest_nic *qnm_guest_nic_find(struct qnm_ui *ui, const char *vm, const char *nic)
{
	struct qnm_guests *g = get(ui);

	return old_nic(g->nics, g->nnics, vm, nic);
}

void qnm_guest_set_busy(struct qnm_ui *ui, const char *name, bool busy)
{
	struct qnm_guests *g = get(ui);
	size_t i;

	for (i = 0; i < g->nvms; i++)
		if (strcmp(g->vms[i].name, name) == 0)
			g->vms[i].busy = busy;
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
