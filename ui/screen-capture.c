// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-capture.c - packet capture from the UI: the form that starts one
 * (which NIC, which file), the menu that stops one, and stopping this
 * process's captures when qnm quits. QEMU does the capturing (filter-dump,
 * through the engine's api/capture.h, as "qnm capture" does); the start and
 * the stop talk QMP, so they run in background jobs.
 */
#include "build-config.h"

#include "api/capture.h"
#include "api/ctx.h"
#include "core/config.h"
#include "guests.h"
#include "qform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { F_NIC = 1, F_FILE, F_MAXLEN, F_FORCE, F_START, F_CANCEL };

/**
 * struct capform - state of the capture form.
 * @form:   the rows.
 * @vm:     the VM whose NIC is captured.
 * @ids:    its NIC ids, @labels their descriptions, @n of them.
 * @dir:    the directory of the default file names.
 * @deflt:  the default file name proposed for the current NIC.
 */
struct capform {
	struct qnm_form form;
	char vm[QNM_NAME_MAX + 1];
	char **ids, **labels;
	size_t n;
	char *dir;
	char *deflt;
};

_Static_assert(offsetof(struct capform, form) == 0, "qnm_form_screen_*() take the form first");

/**
 * struct cap_job - a capture being started or stopped in the background.
 * @vm, @nic, @file, @id: which one.
 * @ctx:     a copy of the context.
 * @opts:    start options.
 * @swept:   orphaned captures removed before starting.
 * @packets, @bytes: what the file holds after a stop.
 */
struct cap_job {
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	char file[4096];
	char id[QNM_CAPTURE_ID_MAX + 1];
	struct qnm_ctx *ctx;
	struct qnm_capture_opts opts;
	size_t swept;
	unsigned long long packets, bytes;
};

static struct capform *of_form(struct qnm_form *f)
{
	return (struct capform *)((char *)f - offsetof(struct capform, form));
}

static char *default_file(const struct capform *s, const char *nic)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s/%s-%s-%s.pcap", s->dir, s->vm, nic, stamp);
}

static struct cap_job *cap_job_new(struct qnm_ui *ui, const char *vm)
{
	struct cap_job *j = xcalloc(1, sizeof(*j));

	qnm_strlcpy(j->vm, vm, sizeof(j->vm));
	j->ctx = qnm_api_ctx_copy(ui->ctx);
	return j;
}

static void cap_job_free(struct cap_job *j)
{
	qnm_api_ctx_free(j->ctx);
	free(j);
}

/* ---- starting ---- */

static int start_work(void *data, struct qnm_err *err)
{
	struct cap_job *j = data;
	struct qnm_capture c;
	int r;

	/* captures left by a qnm that died are removed first (they would write on) */
	r = qnm_api_capture_start(j->ctx, j->vm, j->nic, j->file, &j->opts, &c, &j->swept, err);
	if (!r)
		qnm_strlcpy(j->id, c.id, sizeof(j->id));
	return r;
}

static void start_done(struct qnm_ui *ui, void *data, int r, const struct qnm_err *err)
{
	struct cap_job *j = data;

	qnm_guest_set_cap_busy(ui, j->vm, false);
	if (j->swept)
		qnm_ui_log(ui, QNM_MSG_INFO,
			   "removed %zu capture(s) of %s left by a qnm that is gone", j->swept,
			   j->vm);
	if (r)
		qnm_ui_log(ui, QNM_MSG_ERROR, "capture %s %s: %s", j->vm, j->nic, err->msg);
	else
		qnm_ui_log(ui, QNM_MSG_OK, "capturing %s %s into %s (r on the VM stops it)", j->vm,
			   j->nic, j->file);
	qnm_guests_refresh(ui);
	cap_job_free(j);
}

/* Check the form; on success start the job and return true. */
static bool start(struct qnm_ui *ui, struct capform *s)
{
	struct qnm_form *f = &s->form;
	const char *file, *maxlen;
	struct qnm_err err;
	struct cap_job *j;
	unsigned long v = 0;
	int nic;

	qnm_form_clear_errors(f);
	qnm_form_sync(f);
	qnm_err_clear(&err);
	nic = qnm_form_row(f, F_NIC)->choice;
	file = qnm_form_text(f, F_FILE);
	maxlen = qnm_form_text(f, F_MAXLEN);
	if (maxlen[0] && qnm_parse_uint(maxlen, 64, 65536, &v))
		qnm_err_set(&err, -EINVAL, "maxlen",
			    "maxlen: '%s' is not a number of bytes from 64 to 65536 (empty: whole "
			    "packets)",
			    maxlen);
	else if (qnm_capture_check_path(file, qnm_form_row(f, F_FORCE)->on, &err) == -EEXIST &&
		 strstr(err.msg, "--force"))
		qnm_err_set(&err, -EEXIST, "file",
			    "file: %s already exists: choose another name, or set Overwrite to yes",
			    file);
	if (!err.msg[0] && file[0] == '/') {
		char *dir = xstrdup(file);

		*strrchr(dir, '/') = '\0';
		if (access(dir[0] ? dir : "/", W_OK) < 0)
			qnm_err_set(&err, -EACCES, "file", "file: directory %s is not writable: %s",
				    dir[0] ? dir : "/", strerror(errno));
		free(dir);
	}
	if (!err.msg[0] && qnm_guest_find(ui, s->vm)->info.status != QNM_RUN_RUNNING)
		qnm_err_set(&err, -ENOENT, "", "%s is not running any more", s->vm);
	if (!err.msg[0] && qnm_guest_find(ui, s->vm)->cap_busy)
		qnm_err_set(&err, -EBUSY, "",
			    "a capture of %s is being started or stopped; try again in a moment",
			    s->vm);
	if (err.msg[0]) {
		qnm_form_set_error(f, &err);
		return false;
	}
	j = cap_job_new(ui, s->vm);
	qnm_strlcpy(j->nic, s->ids[nic], sizeof(j->nic));
	qnm_strlcpy(j->file, file, sizeof(j->file));
	j->opts.maxlen = (unsigned)v;
	j->opts.force = qnm_form_row(f, F_FORCE)->on;
	if (qnm_ui_job(ui, start_work, start_done, j)) {
		qnm_err_set(&err, -EAGAIN, "", "cannot start a worker thread");
		qnm_form_set_error(f, &err);
		cap_job_free(j);
		return false;
	}
	qnm_guest_set_cap_busy(ui, s->vm, true);
	qnm_ui_log(ui, QNM_MSG_INFO, "starting a capture of %s %s ...", j->vm, j->nic);
	return true;
}

/* ---- the form ---- */

static void on_activate(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	struct capform *s = of_form(f);

	if (row->id == F_START)
		f->close = start(ui, s);
	else if (row->id == F_CANCEL)
		f->close = true;
}

static void save(struct qnm_ui *ui, struct qnm_form *f)
{
	f->close = start(ui, of_form(f));
}

/* Another NIC: propose a file named after it, unless the user typed one. */
static void on_change(struct qnm_ui *ui, struct qnm_form *f, struct qnm_row *row)
{
	struct capform *s = of_form(f);

	(void)ui;
	if (row->id != F_NIC)
		return;
	qnm_form_sync(f);
	if (strcmp(qnm_form_text(f, F_FILE), s->deflt) != 0)
		return;
	free(s->deflt);
	s->deflt = default_file(s, s->ids[row->choice]);
	qnm_form_set_text(f, F_FILE, s->deflt);
}

static void *capform_init(struct qnm_ui *ui, void *arg)
{
	const struct qnm_vm *vm = arg ? qnm_model_find_vm(&ui->ctx->model, arg) : NULL;
	struct capform *s;
	struct qnm_row *r;
	char cwd[4096];
	size_t i;

	if (!vm)
		return NULL;
	if (!vm->nnics) {
		qnm_ui_log(ui, QNM_MSG_WARN, "capture: %s has no network card", vm->name);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	qnm_strlcpy(s->vm, vm->name, sizeof(s->vm));
	s->n = vm->nnics;
	s->ids = xcalloc(s->n + 1, sizeof(char *));
	s->labels = xcalloc(s->n + 1, sizeof(char *));
	for (i = 0; i < s->n; i++) {
		s->ids[i] = xstrdup(vm->nics[i].id);
		s->labels[i] = xasprintf("%s (%s, %s)", vm->nics[i].id, vm->nics[i].model,
					 qnm_backend_name(vm->nics[i].backend));
	}
	/* qnm's own captures directory; the current one if it cannot be made */
	s->dir = xasprintf("%s/captures", ui->ctx->paths.data_dir);
	if (qnm_mkdir_p(s->dir, 0700) && getcwd(cwd, sizeof(cwd))) {
		free(s->dir);
		s->dir = xstrdup(strcmp(cwd, "/") ? cwd : "");
	}
	s->deflt = default_file(s, s->ids[0]);
	qnm_form_init(&s->form);
	s->form.on_activate = on_activate;
	s->form.on_change = on_change;
	s->form.on_save = save;
	s->form.data = s;
	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL, "Capture packets of VM", s->vm);
	qnm_form_add(&s->form, QNM_ROW_INFO, 0, NULL, "",
		     "QEMU copies each frame the card sends or receives into a pcap file: open "
		     "it in Wireshark or tcpdump -r.");
	r = qnm_form_add(&s->form, QNM_ROW_CHOICE, F_NIC, "nic", "Network card", NULL);
	r->choices = (const char *const *)s->labels;
	r->nchoices = s->n;
	r->hint = "The card to record (Left/Right or Enter to choose).";
	r = qnm_form_add(&s->form, QNM_ROW_TEXT, F_FILE, "file", "File", s->deflt);
	r->maxlen = 4000;
	r->hint = "Absolute path of the new pcap file; its directory must exist. No symlinks.";
	r = qnm_form_add(&s->form, QNM_ROW_TEXT, F_MAXLEN, "maxlen", "Bytes per packet", "");
	r->maxlen = 6;
	r->hint = "Keep at most this many bytes of each packet (64 to 65536); empty: all.";
	r = qnm_form_add(&s->form, QNM_ROW_BOOL, F_FORCE, "force", "Overwrite", NULL);
	r->hint = "Yes: replace the file if it exists. No: an existing file is an error.";
	qnm_form_add(&s->form, QNM_ROW_SECTION, 0, NULL, "", NULL);
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_START, NULL, NULL, "Start capture (F2)");
	r->hint =
		"Check the fields and start; r on the VMs screen stops it. Quitting qnm stops it.";
	r = qnm_form_add(&s->form, QNM_ROW_BUTTON, F_CANCEL, NULL, NULL, "Cancel (Esc)");
	r->hint = "Leave without capturing.";
	qnm_form_focus(&s->form, F_NIC);
	return s;
}

static void capform_free(void *st)
{
	struct capform *s = st;
	size_t i;

	qnm_form_clear(&s->form);
	for (i = 0; i < s->n; i++) {
		free(s->ids[i]);
		free(s->labels[i]);
	}
	free(s->ids);
	free(s->labels);
	free(s->dir);
	free(s->deflt);
	free(s);
}

const struct qnm_screen_ops qnm_screen_capform = {
	.id = QNM_SCR_CAPFORM,
	.init = capform_init,
	.free = capform_free,
	.draw = qnm_form_screen_draw,
	.key = qnm_form_screen_key,
	.resize = qnm_form_screen_resize,
};

/* ---- stopping ---- */

static int stop_work(void *data, struct qnm_err *err)
{
	struct cap_job *j = data;
	int r = qnm_api_capture_stop(j->ctx, j->vm, j->id, err);

	qnm_pcap_count(j->file, &j->packets, &j->bytes);
	return r;
}

static void stop_done(struct qnm_ui *ui, void *data, int r, const struct qnm_err *err)
{
	struct cap_job *j = data;
	char b[16];

	qnm_guest_set_cap_busy(ui, j->vm, false);
	if (r)
		qnm_ui_log(ui, QNM_MSG_ERROR, "stopping capture %s of %s: %s", j->id, j->vm,
			   err->msg);
	else
		qnm_ui_log(ui, QNM_MSG_OK, "capture of %s %s stopped: %llu packet(s), %s in %s",
			   j->vm, j->nic, j->packets, qnm_fmt_bytes((double)j->bytes, b, sizeof(b)),
			   j->file);
	qnm_guests_refresh(ui);
	cap_job_free(j);
}

/**
 * struct cap_menu - the choices of the capture menu of one VM.
 * @vm:   the VM.
 * @caps: copies of its captures, @n of them; the entry after them starts a
 *        new capture.
 */
struct cap_menu {
	char vm[QNM_NAME_MAX + 1];
	struct qnm_guest_cap *caps;
	size_t n;
};

static void stop_one(struct qnm_ui *ui, const struct qnm_guest_cap *gc)
{
	struct cap_job *j;

	if (qnm_guest_find(ui, gc->vm)->cap_busy) {
		qnm_ui_log(ui, QNM_MSG_WARN, "a capture of %s is being started or stopped already",
			   gc->vm);
		return;
	}
	j = cap_job_new(ui, gc->vm);
	qnm_strlcpy(j->nic, gc->c.nic, sizeof(j->nic));
	qnm_strlcpy(j->file, gc->c.file, sizeof(j->file));
	qnm_strlcpy(j->id, gc->c.id, sizeof(j->id));
	if (qnm_ui_job(ui, stop_work, stop_done, j)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "capture: cannot start a worker thread");
		cap_job_free(j);
		return;
	}
	qnm_guest_set_cap_busy(ui, gc->vm, true);
	qnm_ui_log(ui, QNM_MSG_INFO, "stopping the capture of %s %s ...", gc->vm, gc->c.nic);
}

static void menu_picked(struct qnm_ui *ui, void *data, int index)
{
	struct cap_menu *m = data;

	if (index >= 0 && (size_t)index == m->n) {
		qnm_ui_push(ui, &qnm_screen_capform, m->vm);
	} else if (index >= 0) {
		const struct qnm_guest_cap *gc = &m->caps[index];

		if (gc->alive && !gc->mine)
			qnm_ui_log(ui, QNM_MSG_WARN,
				   "capture %s belongs to qnm pid %ld (qnm capture): stop it there "
				   "(Ctrl-C)",
				   gc->c.id, (long)gc->c.owner);
		else
			stop_one(ui, gc);
	}
	free(m->caps);
	free(m);
}

void qnm_ui_cap_describe(const struct qnm_guest_cap *gc, bool with_vm, int cols, char *buf,
			 size_t size)
{
	char b[16], who[96] = "", file[sizeof(gc->c.file)];
	int head;

	qnm_fmt_bytes((double)gc->size, b, sizeof(b));
	/* the owner first: a long file name must not push it off the screen */
	if (!gc->alive)
		snprintf(who, sizeof(who),
			 "ORPHANED, its qnm (pid %ld) is gone, QEMU still writes: ",
			 (long)gc->c.owner);
	else if (!gc->mine)
		snprintf(who, sizeof(who),
			 with_vm ? "by qnm pid %ld: " : "pid %ld: ", (long)gc->c.owner);
	/* the file's name kept whole where its path is too long, and its size after it */
	head = snprintf(buf, size, "%s%s%s%s -> , %s", who, with_vm ? gc->vm : "",
			with_vm ? "/" : "", gc->c.nic, b);
	qnm_fit_path(gc->c.file, cols > 0 ? cols - head : (int)sizeof(file), file, sizeof(file));
	snprintf(buf, size, "%s%s%s%s -> %s, %s", who, with_vm ? gc->vm : "", with_vm ? "/" : "",
		 gc->c.nic, file, b);
}

void qnm_ui_capture(struct qnm_ui *ui, const char *vm)
{
	const struct qnm_guest *g = qnm_guest_find(ui, vm);
	const struct qnm_guest_cap *caps;
	struct cap_menu *m;
	char **items, line[4200];
	size_t n, i;

	if (g->info.status != QNM_RUN_RUNNING) {
		qnm_ui_log(ui, QNM_MSG_WARN,
			   "capture: %s is not running; start it first (s), then press r", vm);
		return;
	}
	caps = qnm_guest_caps(ui, vm, &n);
	if (!n) {
		qnm_ui_push(ui, &qnm_screen_capform, (void *)vm);
		return;
	}
	m = xcalloc(1, sizeof(*m));
	qnm_strlcpy(m->vm, vm, sizeof(m->vm));
	m->n = n;
	m->caps = xcalloc(n, sizeof(*m->caps));
	memcpy(m->caps, caps, n * sizeof(*caps));
	items = xcalloc(n + 2, sizeof(char *));
	for (i = 0; i < n; i++) {
		const char *act = caps[i].mine ? "Stop  " : caps[i].alive ? "(its qnm)" : "Remove";
		/* the menu's row: the dialog (COLS - 8, at most 72) less its frame,
		 * the mark and the action's word */
		int room = (COLS - 8 < 72 ? COLS - 8 : 72) - 4 - 1 - (int)strlen(act) - 1;

		qnm_ui_cap_describe(&caps[i], false, room, line, sizeof(line));
		items[i] = xasprintf("%s %s", act, line);
	}
	items[n] = xstrdup("Start another capture ...");
	qnm_pick(ui, "Captures of this VM (Enter: stop/remove; Esc: leave them)",
		 (const char *const *)items, NULL, n + 1, 0, menu_picked, m);
	for (i = 0; i <= n; i++)
		free(items[i]);
	free(items);
}

void qnm_ui_captures_stop_mine(struct qnm_ui *ui, FILE *report)
{
	const struct qnm_model *m = &ui->ctx->model;
	size_t i, k, n;

	for (i = 0; i < m->nvms; i++) {
		struct qnm_capture *v;

		if (qnm_api_capture_list(ui->ctx, m->vms[i]->name, &v, &n, NULL))
			continue;
		for (k = 0; k < n; k++) {
			unsigned long long packets = 0, bytes = 0;
			struct qnm_err err;

			if (v[k].owner != getpid())
				continue;
			qnm_err_clear(&err);
			if (qnm_api_capture_stop(ui->ctx, m->vms[i]->name, v[k].id, &err)) {
				fprintf(report, "qnm: stopping capture %s of %s: %s\n", v[k].id,
					m->vms[i]->name, err.msg);
				continue;
			}
			qnm_pcap_count(v[k].file, &packets, &bytes);
			fprintf(report,
				"qnm: capture of %s %s stopped: %llu packet(s), %llu bytes in %s\n",
				m->vms[i]->name, v[k].nic, packets, bytes, v[k].file);
		}
		free(v);
	}
}
