// SPDX-License-Identifier: GPL-2.0-or-later
/* capture.c - pcap capture of a guest NIC through QEMU's filter-dump. See capture.h. */
#include "build-config.h"

#include "guest/capture.h"

#include "core/config.h"
#include "guest/qmp.h"
#include "guest/rundir.h"
#include "host/owner.h"
#include "guest/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_PREFIX	  "capture-"
#define CAPTURE_ID_PREFIX "qnm-cap-"
#define QMP_TIMEOUT_MS	  5000

/* Flags of every directory opened on the way to the file: no symlink is followed. */
#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/*
 * Open the directory of absolute path @file from "/", one component at a
 * time, never following a symbolic link (a user who can write to a
 * directory on the way could otherwise point qnm elsewhere). Sets @dirp (an
 * O_PATH descriptor the caller closes) and @namep (the last component, a
 * pointer into @file).
 */
static int open_parent(const char *file, int *dirp, const char **namep, struct qnm_err *err)
{
	char *copy = xstrdup(file), *last = strrchr(copy, '/'), *comp, *save = NULL;
	int dir, next, r = 0;

	*dirp = -1;
	*namep = file + (last - copy) + 1;
	*last = '\0';
	dir = open("/", DIR_FLAGS);
	if (dir < 0) {
		r = qnm_err_set(err, -errno, "file", "file: cannot open /: %s", strerror(errno));
		goto out;
	}
	for (comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		int e, len = (int)(comp - copy + (ptrdiff_t)strlen(comp));
		struct stat st;

		next = openat(dir, comp, DIR_FLAGS);
		if (next >= 0) {
			close(dir);
			dir = next;
			continue;
		}
		e = errno;
		if (fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			r = qnm_err_set(err, -ELOOP, "file",
					"file: %.*s is a symbolic link: a capture file's path "
					"must have none (give the real path)",
					len, file);
		else if (e == ENOENT)
			r = qnm_err_set(err, -ENOENT, "file", "file: directory %.*s does not exist",
					len, file);
		else if (e == ENOTDIR)
			r = qnm_err_set(err, -ENOTDIR, "file", "file: %.*s is not a directory", len,
					file);
		else
			r = qnm_err_set(err, -e, "file", "file: cannot open directory %.*s: %s",
					len, file, strerror(e));
		close(dir);
		dir = -1;
		goto out;
	}
	if (!**namep || strcmp(*namep, ".") == 0 || strcmp(*namep, "..") == 0) {
		r = qnm_err_set(err, -EISDIR, "file", "file: %s is a directory", file);
		close(dir);
		dir = -1;
	}
out:
	free(copy);
	*dirp = dir;
	return r;
}

/*
 * The rule for a file that exists already (@st, not following a symlink):
 * only a regular file of this user with a single name, and only with @force.
 */
static int check_existing(const char *file, const struct stat *st, bool force, struct qnm_err *err)
{
	if (S_ISDIR(st->st_mode))
		return qnm_err_set(err, -EISDIR, "file", "file: %s is a directory", file);
	if (!S_ISREG(st->st_mode))
		return qnm_err_set(err, -EEXIST, "file",
				   "file: %s exists and is not a regular file", file);
	if (!force)
		return qnm_err_set(err, -EEXIST, "file",
				   "file: %s already exists (use --force to overwrite it)", file);
	if (st->st_uid != geteuid())
		return qnm_err_set(err, -EPERM, "file",
				   "file: %s belongs to uid %lu, not to you (uid %lu): --force "
				   "overwrites only your own files",
				   file, (unsigned long)st->st_uid, (unsigned long)geteuid());
	if (st->st_nlink != 1)
		return qnm_err_set(err, -EPERM, "file",
				   "file: %s has %lu names (hard links): --force overwrites only "
				   "a file with one",
				   file, (unsigned long)st->st_nlink);
	return 0;
}

/* The rules on the path's text, before anything is opened. */
static int check_text(const char *file, struct qnm_err *err)
{
	if (qnm_str_empty(file) || file[0] != '/')
		return qnm_err_set(err, -EINVAL, "file",
				   "file: '%s' is not an absolute path (it is opened from /, "
				   "one directory at a time)",
				   file ? file : "");
	if (strlen(file) >= sizeof(((struct qnm_capture *)0)->file))
		return qnm_err_set(err, -ENAMETOOLONG, "file", "file: the path is too long");
	if (strchr(file, ','))
		/* QEMU gets a descriptor, but keep the HMP view of the record unambiguous. */
		return qnm_err_set(err, -EINVAL, "file", "file: '%s' contains a comma", file);
	return 0;
}

int qnm_capture_check_path(const char *file, bool force, struct qnm_err *err)
{
	const char *name;
	struct stat st;
	int dir, r;

	r = check_text(file, err);
	if (!r)
		r = open_parent(file, &dir, &name, err);
	if (r)
		return r;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		r = check_existing(file, &st, force, err);
	else if (errno != ENOENT)
		r = qnm_err_set(err, -errno, "file", "file: %s: %s", file, strerror(errno));
	close(dir);
	return r;
}

void qnm_capture_file_init(struct qnm_capture_file *cf)
{
	cf->dir = -1;
	cf->fd = -1;
	cf->name = NULL;
	cf->created = false;
}

/*
 * Opening @cf->name failed with @e: say which rule the name breaks (a
 * symlink, a directory, a file without --force), or what the system said.
 */
static int explain(const struct qnm_capture_file *cf, const char *file, bool force, int e,
		   struct qnm_err *err)
{
	struct stat st;
	int r = 0;

	if (fstatat(cf->dir, cf->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		r = check_existing(file, &st, force, err);
	if (!r)
		r = qnm_err_set(err, -e, "file", "file: cannot create %s: %s", file, strerror(e));
	return r;
}

/*
 * Open an existing @cf->name for --force: no symlink followed, checked
 * (fstat) before truncating. Return: 0, -ENOENT (gone meanwhile: try
 * creating it again, no message) or -errno with @err set.
 */
static int open_existing(struct qnm_capture_file *cf, const char *file, struct qnm_err *err)
{
	struct stat st;
	int r;

	cf->fd = openat(cf->dir, cf->name,
			O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (cf->fd < 0)
		return errno == ENOENT ? -ENOENT : explain(cf, file, true, errno, err);
	if (fstat(cf->fd, &st) < 0)
		return qnm_err_set(err, -errno, "file", "file: %s: %s", file, strerror(errno));
	r = check_existing(file, &st, true, err);
	if (!r && ftruncate(cf->fd, 0) < 0)
		r = qnm_err_set(err, -errno, "file", "file: cannot truncate %s: %s", file,
				strerror(errno));
	return r;
}

int qnm_capture_file_open(struct qnm_capture_file *cf, const char *file, bool force,
			  struct qnm_err *err)
{
	int r, tries;

	qnm_capture_file_init(cf);
	r = check_text(file, err);
	if (!r)
		r = open_parent(file, &cf->dir, &cf->name, err);
	if (r)
		return r;
	/* Created here, or (--force) opened as it is: a name that comes and goes is tried again. */
	for (tries = 0; tries < 8; tries++) {
		r = 0;
		cf->fd = openat(cf->dir, cf->name,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
				0600);
		if (cf->fd >= 0) {
			cf->created = true;
			break;
		}
		if (errno != EEXIST || !force)
			break;
		r = open_existing(cf, file, err);
		if (r != -ENOENT)
			break;
	}
	if (cf->fd < 0 && !r)
		r = explain(cf, file, force, errno, err);
	else if (cf->fd < 0 && r == -ENOENT)
		r = qnm_err_set(err, -EAGAIN, "file", "file: %s keeps being replaced; try again",
				file);
	if (!r && fchmod(cf->fd, 0600) < 0)
		r = qnm_err_set(err, -errno, "file", "file: cannot make %s mode 0600: %s", file,
				strerror(errno));
	if (!r && fcntl(cf->fd, F_SETFL, fcntl(cf->fd, F_GETFL) & ~O_NONBLOCK) < 0)
		r = qnm_err_set(err, -errno, "file", "file: %s: %s", file, strerror(errno));
	if (r)
		qnm_capture_file_close(cf, true);
	return r;
}

void qnm_capture_file_close(struct qnm_capture_file *cf, bool discard)
{
	struct stat mine, now;

	/* remove what was created here, if the name still is that file */
	if (discard && cf->created && cf->fd >= 0 && fstat(cf->fd, &mine) == 0 &&
	    fstatat(cf->dir, cf->name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    mine.st_dev == now.st_dev && mine.st_ino == now.st_ino)
		unlinkat(cf->dir, cf->name, 0);
	if (cf->fd >= 0)
		close(cf->fd);
	if (cf->dir >= 0)
		close(cf->dir);
	qnm_capture_file_init(cf);
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
		return qnm_proc_start_time(c->owner) == c->owner_start;
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

/* Whether capture @id is recorded in @v (@n) with its owner alive. */
static bool owned(const struct qnm_capture *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return qnm_capture_owner_alive(&v[i]);
	return false;
}

/*
 * Remove the fd sets a capture start left in QEMU (a qnm killed between
 * add-fd and remove-fd; QEMU drops them itself when the connection closes
 * only while the guest runs and no other monitor is connected): those whose
 * note names a capture that has no record or whose owner is gone.
 */
static void sweep_fdsets(struct qnm_qmp *q, const char *runtime_dir, const char *vm)
{
	json_object *ret = NULL, *set, *fds, *fd, *v;
	struct qnm_capture *caps = NULL;
	size_t ncaps = 0, i, k;

	if (qnm_qmp_execute(q, "query-fdsets", NULL, &ret, QMP_TIMEOUT_MS, NULL) ||
	    !json_object_is_type(ret, json_type_array)) {
		json_object_put(ret);
		return;
	}
	if (json_object_array_length(ret) && qnm_capture_list(runtime_dir, vm, &caps, &ncaps, NULL))
		ncaps = 0;
	for (i = 0; i < json_object_array_length(ret); i++) {
		const char *note = NULL;

		set = json_object_array_get_idx(ret, i);
		if (!json_object_object_get_ex(set, "fds", &fds) ||
		    !json_object_is_type(fds, json_type_array))
			continue;
		for (k = 0; k < json_object_array_length(fds) && !note; k++) {
			fd = json_object_array_get_idx(fds, k);
			if (json_object_object_get_ex(fd, "opaque", &v))
				note = json_object_get_string(v);
		}
		if (!note || strncmp(note, CAPTURE_ID_PREFIX, strlen(CAPTURE_ID_PREFIX)) != 0 ||
		    owned(caps, ncaps, note) || !json_object_object_get_ex(set, "fdset-id", &v))
			continue;
		qnm_qmp_remove_fd(q, json_object_get_int64(v), NULL);
	}
	free(caps);
	json_object_put(ret);
}

/*
 * Hand @fd to QEMU and add the filter-dump @c writing through it. The fd set
 * is removed again whatever happens (the filter keeps its own descriptor).
 */
static int add_filter(struct qnm_qmp *q, const struct qnm_capture *c, int fd,
		      const struct qnm_capture_opts *o, struct qnm_err *err)
{
	long long fdset;
	json_object *args;
	char path[64];
	int qfd, r;

	r = qnm_qmp_add_fd(q, fd, c->id, &fdset, &qfd, err);
	if (r)
		return r;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", qfd);
	args = json_object_new_object();
	json_object_object_add(args, "qom-type", json_object_new_string("filter-dump"));
	json_object_object_add(args, "id", json_object_new_string(c->id));
	json_object_object_add(args, "netdev", json_object_new_string(c->nic));
	json_object_object_add(args, "file", json_object_new_string(path));
	if (o && o->maxlen)
		json_object_object_add(args, "maxlen", json_object_new_int64(o->maxlen));
	r = qnm_qmp_execute(q, "object-add", args, NULL, QMP_TIMEOUT_MS, err);
	qnm_qmp_remove_fd(q, fdset, NULL);
	return r;
}

int qnm_capture_start(const char *runtime_dir, const char *vm, const char *nic, const char *file,
		      const struct qnm_capture_opts *o, struct qnm_capture *out,
		      struct qnm_err *err)
{
	static unsigned seq;
	struct qnm_capture c = { 0 };
	struct qnm_capture_file cf;
	struct qnm_qmp *q = NULL;
	int r;

	qnm_capture_file_init(&cf);
	r = qnm_capture_check_path(file, o && o->force, err);
	if (r)
		return r;
	if (qnm_str_empty(nic) || strlen(nic) >= sizeof(c.nic) || strchr(nic, '/'))
		return qnm_err_set(err, -EINVAL, "nic", "nic: '%s' is not a NIC id",
				   nic ? nic : "");
	r = qnm_runner_qmp(runtime_dir, vm, &q, err);
	if (r)
		return r;
	sweep_fdsets(q, runtime_dir, vm);
	snprintf(c.id, sizeof(c.id), CAPTURE_ID_PREFIX "%.32s-%ld-%u", nic, (long)getpid(), ++seq);
	qnm_strlcpy(c.nic, nic, sizeof(c.nic));
	qnm_strlcpy(c.file, file, sizeof(c.file));
	c.owner = getpid();
	c.owner_start = qnm_proc_start_time(c.owner);
	c.started = (long long)time(NULL);
	/* Recorded first: if we die right after object-add, a sweep still finds it. */
	r = record_write(runtime_dir, vm, &c, err);
	if (r)
		goto out;
	r = qnm_capture_file_open(&cf, file, o && o->force, err);
	if (!r) {
		r = add_filter(q, &c, cf.fd, o, err);
		if (r)
			qnm_err_prefix(err, "nic[%s]: starting the capture", nic);
	}
	if (r) {
		char *path = record_path(runtime_dir, vm, c.id);

		unlink(path);
		free(path);
		goto out;
	}
	if (out)
		*out = c;
out:
	qnm_capture_file_close(&cf, r != 0);
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
		if (r == -EREMOTEIO) {
			/* QEMU has no such filter: its qnm died before adding it */
			char *path = record_path(runtime_dir, vm, v[i].id);

			unlink(path);
			free(path);
			r = 0;
		}
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
