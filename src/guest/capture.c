// SPDX-License-Identifier: GPL-2.0-or-later
/* capture.c - pcap capture of a guest NIC through QEMU's filter-dump. See capture.h. */
#include "build-config.h"

#include "guest/capture.h"

#include "core/config.h"
#include "guest/qmp.h"
#include "guest/rundir.h"
#include "guest/runner.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_PREFIX  "capture-"
#define QMP_TIMEOUT_MS 5000

int qnm_capture_check_path(const char *file, bool force, struct qnm_err *err)
{
	struct stat st;
	char *dir, *slash;
	int r = 0;

	if (qnm_str_empty(file) || file[0] != '/')
		return qnm_err_set(err, -EINVAL, "file",
				   "file: '%s' is not an absolute path (QEMU writes it from its "
				   "own working directory, /)",
				   file ? file : "");
	if (strlen(file) >= sizeof(((struct qnm_capture *)0)->file))
		return qnm_err_set(err, -ENAMETOOLONG, "file", "file: the path is too long");
	if (strchr(file, ','))
		/* object-add takes it as a JSON string, but keep the HMP view unambiguous. */
		return qnm_err_set(err, -EINVAL, "file", "file: '%s' contains a comma", file);
	dir = xstrdup(file);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		r = qnm_err_set(err, -ENOENT, "file", "file: directory %s does not exist", dir);
	free(dir);
	if (r)
		return r;
	if (lstat(file, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return qnm_err_set(err, -EISDIR, "file", "file: %s is a directory", file);
		if (!S_ISREG(st.st_mode))
			return qnm_err_set(err, -EEXIST, "file",
					   "file: %s exists and is not a regular file", file);
		if (!force)
			return qnm_err_set(err, -EEXIST, "file",
					   "file: %s already exists (use --force to overwrite it)",
					   file);
	}
	return 0;
}

static char *record_path(const char *runtime_dir, const char *vm, const char *id)
{
	return xasprintf("%s/%s/" RECORD_PREFIX "%s", runtime_dir, vm, id);
}

static int record_write(const char *runtime_dir, const char *vm, const struct qnm_capture *c,
			struct qnm_err *err)
{
	char *path = record_path(runtime_dir, vm, c->id);
	char *text = xasprintf("owner=%ld\nowner_start=%llu\nnic=%s\nfile=%s\nstarted=%lld\n",
			       (long)c->owner, c->owner_start, c->nic, c->file, c->started);
	int r = qnm_atomic_write(path, text, strlen(text), 0600, err);

	free(text);
	free(path);
	return r;
}

/* Parse a record file's text into @c (its id is set by the caller). */
static void record_parse(char *text, struct qnm_capture *c)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "owner") == 0)
			c->owner = (pid_t)strtol(eq, NULL, 10);
		else if (strcmp(line, "owner_start") == 0)
			c->owner_start = strtoull(eq, NULL, 10);
		else if (strcmp(line, "nic") == 0)
			qnm_strlcpy(c->nic, eq, sizeof(c->nic));
		else if (strcmp(line, "file") == 0)
			qnm_strlcpy(c->file, eq, sizeof(c->file));
		else if (strcmp(line, "started") == 0)
			c->started = strtoll(eq, NULL, 10);
	}
}

bool qnm_capture_owner_alive(const struct qnm_capture *c)
{
	char path[64], *buf = NULL;
	size_t len, i;
	bool found = false;

	if (c->owner <= 0 || !qnm_pid_alive(c->owner))
		return false;
	if (c->owner_start)
		return qnm_pid_start_time(c->owner) == c->owner_start;
	/* A recycled pid runs something else: its arguments hold no "capture". */
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)c->owner);
	if (qnm_read_file(path, 1u << 20, &buf, &len))
		return false;
	for (i = 0; i + 7 <= len && !found; i++)
		found = memcmp(buf + i, "capture", 7) == 0;
	free(buf);
	return found;
}

static int cmp_capture(const void *a, const void *b)
{
	return strcmp(((const struct qnm_capture *)a)->id, ((const struct qnm_capture *)b)->id);
}

int qnm_capture_list(const char *runtime_dir, const char *vm, struct qnm_capture **v, size_t *n,
		     struct qnm_err *err)
{
	char *dirpath = xasprintf("%s/%s", runtime_dir, vm);
	struct qnm_rundir rd;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int r;

	*v = NULL;
	*n = 0;
	qnm_rundir_init(&rd, runtime_dir, vm);
	/* Records are believed only in a directory no other user can write. */
	r = access(dirpath, F_OK) == 0 ? qnm_rundir_check(&rd, err) : 0;
	if (r) {
		qnm_rundir_clear(&rd);
		free(dirpath);
		return r;
	}
	d = opendir(dirpath);
	if (!d) {
		int e = errno;

		free(dirpath);
		qnm_rundir_clear(&rd);
		if (e == ENOENT)
			return 0;
		return qnm_err_set(err, -e, "", "cannot read %s/%s: %s", runtime_dir, vm,
				   strerror(e));
	}
	while ((de = readdir(d))) {
		struct qnm_capture c = { 0 };
		char *path, *text = NULL;

		if (strncmp(de->d_name, RECORD_PREFIX, strlen(RECORD_PREFIX)) != 0 ||
		    strchr(de->d_name, '.') ||
		    strlen(de->d_name + strlen(RECORD_PREFIX)) > QNM_CAPTURE_ID_MAX)
			continue;
		qnm_strlcpy(c.id, de->d_name + strlen(RECORD_PREFIX), sizeof(c.id));
		path = xasprintf("%s/%s", dirpath, de->d_name);
		if (qnm_rundir_read(&rd, path, 1u << 16, &text) == 0) {
			record_parse(text, &c);
			if (*n == cap) {
				cap = cap ? cap * 2 : 4;
				*v = xreallocarray(*v, cap, sizeof(**v));
			}
			(*v)[(*n)++] = c;
		}
		free(text);
		free(path);
	}
	closedir(d);
	free(dirpath);
	qnm_rundir_clear(&rd);
	if (*n)
		qsort(*v, *n, sizeof(**v), cmp_capture);
	return 0;
}

static bool running(const char *runtime_dir, const char *vm)
{
	struct qnm_run_info info;
	struct qnm_rundir rd;

	qnm_rundir_init(&rd, runtime_dir, vm);
	qnm_rundir_probe(&rd, &info);
	qnm_rundir_clear(&rd);
	return info.status == QNM_RUN_RUNNING || info.status == QNM_RUN_STARTING;
}

/* object-del @id; a VM that is gone means the capture ended with it. */
static int del_filter(const char *runtime_dir, const char *vm, const char *id, struct qnm_err *err)
{
	json_object *args;
	struct qnm_qmp *q;
	int r;

	r = qnm_runner_qmp(runtime_dir, vm, &q, err);
	if (r == -ENOENT) {
		qnm_err_clear(err);
		return 0;
	}
	if (r)
		return r;
	args = json_object_new_object();
	json_object_object_add(args, "id", json_object_new_string(id));
	r = qnm_qmp_execute(q, "object-del", args, NULL, QMP_TIMEOUT_MS, err);
	if (r == -EPIPE) {
		qnm_err_clear(err);
		r = 0; /* QEMU exited meanwhile: so did the filter */
	}
	if (r)
		qnm_err_prefix(err, "removing capture %s", id);
	qnm_qmp_free(q);
	return r;
}

int qnm_capture_start(const char *runtime_dir, const char *vm, const char *nic, const char *file,
		      const struct qnm_capture_opts *o, struct qnm_capture *out,
		      struct qnm_err *err)
{
	static unsigned seq;
	struct qnm_capture c = { 0 };
	json_object *args;
	struct qnm_qmp *q = NULL;
	int r;

	r = qnm_capture_check_path(file, o && o->force, err);
	if (r)
		return r;
	if (qnm_str_empty(nic) || strlen(nic) >= sizeof(c.nic) || strchr(nic, '/'))
		return qnm_err_set(err, -EINVAL, "nic", "nic: '%s' is not a NIC id",
				   nic ? nic : "");
	r = qnm_runner_qmp(runtime_dir, vm, &q, err);
	if (r)
		return r;
	snprintf(c.id, sizeof(c.id), "qnm-cap-%.32s-%ld-%u", nic, (long)getpid(), ++seq);
	qnm_strlcpy(c.nic, nic, sizeof(c.nic));
	qnm_strlcpy(c.file, file, sizeof(c.file));
	c.owner = getpid();
	c.owner_start = qnm_pid_start_time(c.owner);
	c.started = (long long)time(NULL);
	/* Recorded first: if we die right after object-add, a sweep still finds it. */
	r = record_write(runtime_dir, vm, &c, err);
	if (r)
		goto out;
	if (o && o->force)
		unlink(file); /* QEMU truncates too; this also drops a file of another owner */
	args = json_object_new_object();
	json_object_object_add(args, "qom-type", json_object_new_string("filter-dump"));
	json_object_object_add(args, "id", json_object_new_string(c.id));
	json_object_object_add(args, "netdev", json_object_new_string(nic));
	json_object_object_add(args, "file", json_object_new_string(file));
	if (o && o->maxlen)
		json_object_object_add(args, "maxlen", json_object_new_int64(o->maxlen));
	r = qnm_qmp_execute(q, "object-add", args, NULL, QMP_TIMEOUT_MS, err);
	if (r) {
		char *path = record_path(runtime_dir, vm, c.id);

		qnm_err_prefix(err, "nic[%s]: starting the capture", nic);
		unlink(path);
		free(path);
		goto out;
	}
	if (out)
		*out = c;
out:
	qnm_qmp_free(q);
	return r;
}

int qnm_capture_stop(const char *runtime_dir, const char *vm, const char *id, struct qnm_err *err)
{
	char *path;
	int r;

	if (qnm_str_empty(id) || strchr(id, '/') || strlen(id) > QNM_CAPTURE_ID_MAX)
		return qnm_err_set(err, -EINVAL, "id", "'%s' is not a capture id", id ? id : "");
	path = record_path(runtime_dir, vm, id);
	if (access(path, F_OK) < 0 && !running(runtime_dir, vm)) {
		free(path);
		return qnm_err_set(err, -ENOENT, "id",
				   "%s has no capture '%s' (and is not running)", vm, id);
	}
	r = del_filter(runtime_dir, vm, id, err);
	if (!r)
		unlink(path);
	free(path);
	return r;
}

int qnm_capture_sweep(const char *runtime_dir, const char *vm, size_t *removed, struct qnm_err *err)
{
	struct qnm_capture *v;
	size_t n, i, k = 0;
	int r, first = 0;

	if (removed)
		*removed = 0;
	r = qnm_capture_list(runtime_dir, vm, &v, &n, err);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		struct qnm_err e2;

		if (qnm_capture_owner_alive(&v[i]))
			continue;
		qnm_err_clear(&e2);
		r = qnm_capture_stop(runtime_dir, vm, v[i].id, &e2);
		if (r && !first) {
			first = r;
			if (err)
				*err = e2;
		}
		if (!r)
			k++;
	}
	free(v);
	if (removed)
		*removed = k;
	return first;
}

static uint32_t rd32(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

int qnm_pcap_count(const char *file, unsigned long long *packets, unsigned long long *bytes)
{
	unsigned char hdr[24], rec[16];
	unsigned long long off = 24;
	struct stat st;
	bool swap;
	FILE *f;
	int r = 0;

	*packets = 0;
	*bytes = 0;
	f = fopen(file, "rbe");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0) {
		r = -errno;
		goto out;
	}
	*bytes = (unsigned long long)st.st_size;
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr)) {
		r = -EPROTO;
		goto out;
	}
	if (rd32(hdr, false) == 0xa1b2c3d4u)
		swap = false;
	else if (rd32(hdr, true) == 0xa1b2c3d4u)
		swap = true;
	else {
		r = -EPROTO;
		goto out;
	}
	while (fread(rec, 1, sizeof(rec), f) == sizeof(rec)) {
		uint32_t incl = rd32(rec + 8, swap);

		if (off + 16 + incl > *bytes || fseeko(f, (off_t)incl, SEEK_CUR) < 0) {
			r = -EPROTO; /* QEMU may be writing this very record */
			break;
		}
		off += 16 + incl;
		(*packets)++;
	}
out:
	fclose(f);
	return r;
}
