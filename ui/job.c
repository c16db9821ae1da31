// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * job.c - background jobs: long operations (starting a guest, netlink,
 * nftables, building the demo guest) run in a worker thread; the main
 * loop learns they finished through a pipe and runs their callback, so
 * input never blocks.
 */
#include "build-config.h"

#include "api/ctx.h"
#include "api/models.h"
#include "uipriv.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/**
 * struct qnm_job - one background job.
 * @work/@done/@data: see qnm_ui_job().
 * @result: what @work returned.
 * @err:    the error @work filled.
 * @thread: the worker.
 * @ui:     the UI (only its job_pipe and done list are touched by workers).
 * @next:   next finished job.
 * @quiet:  counted in @ui->quiet_jobs (no spinner), not @ui->jobs.
 */
struct qnm_job {
	int (*work)(void *data, struct qnm_err *err);
	void (*done)(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err);
	void *data;
	int result;
	struct qnm_err err;
	pthread_t thread;
	struct qnm_ui *ui;
	struct qnm_job *next;
	bool quiet;
};

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;

static void *job_thread(void *arg)
{
	struct qnm_job *j = arg;
	char b = 'j';

	j->result = j->work(j->data, &j->err);
	pthread_mutex_lock(&done_lock);
	j->next = j->ui->done;
	j->ui->done = j;
	pthread_mutex_unlock(&done_lock);
	while (write(j->ui->job_pipe[1], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* qnm_ui_job() and qnm_ui_job_quiet() */
static int job_start(struct qnm_ui *ui, int (*work)(void *data, struct qnm_err *err),
		     void (*done)(struct qnm_ui *ui, void *data, int result,
				  const struct qnm_err *err),
		     void *data, bool quiet)
{
	struct qnm_job *j = xcalloc(1, sizeof(*j));
	int r;

	j->quiet = quiet;
	j->work = work;
	j->done = done;
	j->data = data;
	j->ui = ui;
	r = pthread_create(&j->thread, NULL, job_thread, j);
	if (r) {
		free(j);
		return -r;
	}
	if (quiet) {
		ui->quiet_jobs++;
		return 0;
	}
	ui->jobs++;
	ui->redraw = true;
	return 0;
}

int qnm_ui_job(struct qnm_ui *ui, int (*work)(void *data, struct qnm_err *err),
	       void (*done)(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err),
	       void *data)
{
	return job_start(ui, work, done, data, false);
}

int qnm_ui_job_quiet(struct qnm_ui *ui, int (*work)(void *data, struct qnm_err *err),
		     void (*done)(struct qnm_ui *ui, void *data, int result,
				  const struct qnm_err *err),
		     void *data)
{
	return job_start(ui, work, done, data, true);
}

void qnm_ui_jobs_collect(struct qnm_ui *ui)
{
	struct qnm_job *list, *j;
	char buf[64];

	while (read(ui->job_pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&done_lock);
	list = ui->done;
	ui->done = NULL;
	pthread_mutex_unlock(&done_lock);
	while ((j = list)) {
		list = j->next;
		pthread_join(j->thread, NULL);
		if (j->quiet)
			ui->quiet_jobs--;
		else
			ui->jobs--;
		if (j->done)
			j->done(ui, j->data, j->result, &j->err);
		if (!j->quiet)
			ui->redraw = true;
		free(j);
	}
}

void qnm_ui_jobs_wait(struct qnm_ui *ui)
{
	while (ui->jobs > 0 || ui->quiet_jobs > 0) {
		usleep(10000);
		qnm_ui_jobs_collect(ui);
	}
}

/* ---- the device catalog, loaded in the background (it may run QEMU) ---- */

struct catalog_job {
	char arch[16];
	struct qnm_ctx *ctx;
	struct qnm_catalog *out;
	void (*ready)(struct qnm_ui *ui);
};

static int catalog_work(void *data, struct qnm_err *err)
{
	struct catalog_job *j = data;

	return qnm_api_models_load(j->ctx, j->arch, 15000, &j->out, err);
}

static void catalog_done(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err)
{
	struct catalog_job *j = data;

	ui->catalog_loading = false;
	if (result) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "device catalog: %s", err->msg);
	} else {
		qnm_catalog_free(ui->catalog);
		ui->catalog = j->out;
		qnm_ui_log(ui, QNM_MSG_INFO, "device catalog of %s: %zu NIC models (%s)%s%s",
			   ui->catalog->arch, ui->catalog->n,
			   qnm_catalog_source_name(ui->catalog->source),
			   ui->catalog->note ? ": " : "",
			   ui->catalog->note ? ui->catalog->note : "");
		if (j->ready)
			j->ready(ui);
	}
	qnm_api_ctx_free(j->ctx);
	free(j);
}

struct qnm_catalog *qnm_ui_catalog(struct qnm_ui *ui, const char *arch,
				   void (*ready)(struct qnm_ui *ui))
{
	struct catalog_job *j;

	if (ui->catalog && strcmp(ui->catalog->arch, arch) == 0)
		return ui->catalog;
	if (ui->catalog_loading)
		return NULL;
	j = xcalloc(1, sizeof(*j));
	qnm_strlcpy(j->arch, arch, sizeof(j->arch));
	j->ctx = qnm_api_ctx_copy(ui->ctx);
	j->ready = ready;
	if (qnm_ui_job(ui, catalog_work, catalog_done, j)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "device catalog: cannot start a worker thread");
		qnm_api_ctx_free(j->ctx);
		free(j);
		return NULL;
	}
	ui->catalog_loading = true;
	qnm_ui_log(ui, QNM_MSG_INFO, "loading the device catalog of %s (asking QEMU)...", arch);
	return NULL;
}
