// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - VM and network keyfiles: meaning of every key, loading,
 * atomic saving, directories.
 *
 * The keys themselves (names, types, where they live, help) are the
 * schema's (schema.h): the reader, the writer and the comments in written
 * files come from there.
 */
#include "build-config.h"

#include "core/config.h"

#include "core/addr.h"
#include "core/backend.h"
#include "core/index.h"
#include "core/keyfile.h"
#include "core/reserve.h"
#include "core/schema.h"
#include "core/validate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_BYTES (4u << 20)

/* ---- directories ---- */

static char *env_dir(const char *var, const char *home, const char *fallback)
{
	const char *v = getenv(var);

	if (v && v[0] == '/')
		return xasprintf("%s/qnm", v);
	return xasprintf("%s/%s/qnm", home, fallback);
}

int qnm_paths_init(struct qnm_paths *p, struct qnm_err *err)
{
	const char *home = getenv("HOME");
	const char *rt = getenv("XDG_RUNTIME_DIR");

	memset(p, 0, sizeof(*p));
	if (!home || home[0] != '/') {
		const char *x = getenv("XDG_CONFIG_HOME");

		if (!x || x[0] != '/')
			return qnm_err_set(
				err, -ENOENT, "HOME",
				"neither $HOME nor $XDG_CONFIG_HOME is set to an absolute path; qnm cannot find its config directory");
		home = "/nonexistent";
	}
	p->config_dir = env_dir("XDG_CONFIG_HOME", home, ".config");
	p->vms_dir = xasprintf("%s/vms", p->config_dir);
	p->nets_dir = xasprintf("%s/networks", p->config_dir);
	p->data_dir = env_dir("XDG_DATA_HOME", home, ".local/share");
	p->cache_dir = env_dir("XDG_CACHE_HOME", home, ".cache");
	if (rt && rt[0] == '/')
		p->runtime_dir = xasprintf("%s/qnm", rt);
	else if (geteuid() == 0)
		p->runtime_dir = xstrdup("/run/qnm");
	else
		p->runtime_dir = xasprintf("/tmp/qnm-%u", (unsigned)geteuid());
	return 0;
}

void qnm_paths_clear(struct qnm_paths *p)
{
	free(p->config_dir);
	free(p->vms_dir);
	free(p->nets_dir);
	free(p->runtime_dir);
	free(p->data_dir);
	free(p->cache_dir);
	memset(p, 0, sizeof(*p));
}

int qnm_dir_trusted(const char *path, struct qnm_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return qnm_err_set(err, -errno, "runtime_dir", "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return qnm_err_set(
			err, -ENOTDIR, "runtime_dir",
			"%s is not a directory (a symlink or a file): qnm does not read it", path);
	if (st.st_uid != geteuid())
		return qnm_err_set(
			err, -EPERM, "runtime_dir",
			"%s belongs to uid %u, not to you (uid %u): qnm does not trust what it holds "
			"(remove it, or set XDG_RUNTIME_DIR to a directory of your own)",
			path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 022)
		return qnm_err_set(
			err, -EPERM, "runtime_dir",
			"%s can be written by other users (mode %04o): qnm does not trust what it "
			"holds (remove it, or chmod 700 it if you know what is inside)",
			path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int qnm_open_owned(const char *path, int flags, struct qnm_err *err)
{
	struct stat st;
	int fd;

	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return -ENOENT;
		if (e == ELOOP)
			return qnm_err_set(err, -ELOOP, "",
					   "%s: it is a symlink: qnm does not use it", path);
		return qnm_err_set(err, -e, "", "cannot open %s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qnm_err_set(err, -EPERM, "", "%s is not a regular file: qnm does not use it",
				   path);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return qnm_err_set(err, -EPERM, "",
				   "%s belongs to uid %u, not to you (uid %u): qnm does not use it",
				   path, (unsigned)st.st_uid, (unsigned)geteuid());
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int qnm_mkdir_p(const char *path, mode_t mode)
{
	char *buf, *s;
	int r = 0;

	/* mostly it is there: one mkdir, not one per component */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	buf = xstrdup(path);

	for (s = buf + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(buf);
	return r;
}

/* ---- problems ---- */

void qnm_problems_copy(struct qnm_problems *to, const struct qnm_problems *from)
{
	size_t i;

	to->v = xreallocarray(NULL, from->n + 1, sizeof(*to->v));
	for (i = 0; i < from->n; i++) {
		to->v[i].file = xstrdup(from->v[i].file);
		to->v[i].line = from->v[i].line;
		to->v[i].msg = xstrdup(from->v[i].msg);
	}
	to->n = from->n;
}

void qnm_problems_clear(struct qnm_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].file);
		free(p->v[i].msg);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

bool qnm_problems_has_file(const struct qnm_problems *p, const char *file)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (strcmp(p->v[i].file, file) == 0)
			return true;
	return false;
}

static void problem_add(struct qnm_problems *p, const char *file, const char *msg)
{
	const char *c;
	unsigned long line = 0;

	if (!p)
		return;
	/* msg is "FILE:LINE: ..." when the problem has a line. */
	if (strncmp(msg, file, strlen(file)) == 0 && msg[strlen(file)] == ':') {
		c = msg + strlen(file) + 1;
		line = strtoul(c, NULL, 10);
	}
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n].file = xstrdup(file);
	p->v[p->n].line = (unsigned)line;
	p->v[p->n].msg = xstrdup(msg);
	p->n++;
}

/* Remember on which line each field was given, to point validation errors at it. */
struct field_line {
	char field[64];
	unsigned line;
};

struct field_lines {
	struct field_line *v;
	size_t n;
};

static void fl_add(struct field_lines *fl, const char *field, unsigned line)
{
	fl->v = qnm_grow(fl->v, fl->n, sizeof(*fl->v));
	qnm_strlcpy(fl->v[fl->n].field, field, sizeof(fl->v[fl->n].field));
	fl->v[fl->n].line = line;
	fl->n++;
}

static unsigned fl_find(const struct field_lines *fl, const char *field)
{
	size_t i;

	/* Last occurrence: the line most likely at fault for repeated keys. */
	for (i = fl->n; i-- > 0;)
		if (strcmp(fl->v[i].field, field) == 0)
			return fl->v[i].line;
	return 0;
}

/* Turn a validation error into "FILE:LINE: msg". */
static int located(struct qnm_err *err, const struct field_lines *fl, const char *fn,
		   unsigned fallback_line)
{
	unsigned line = err ? fl_find(fl, err->field) : 0;
	char msg[sizeof(err->msg)];

	if (!err)
		return -EINVAL;
	if (!line && strncmp(err->field, "nic[", 4) == 0) {
		/* nic[ID].x not given explicitly: point at the [nic ID] header. */
		char sec[64];
		const char *close = strchr(err->field, ']');

		if (close) {
			snprintf(sec, sizeof(sec), "%.*s]", (int)(close - err->field), err->field);
			line = fl_find(fl, sec);
		}
	}
	if (!line) {
		/* A missing key is reported at the key that requires it. */
		static const char *const needs[][2] = {
			{ "disk", "boot" }, { "cdrom", "boot" },   { "kernel", "boot" },
			{ "port", "mode" }, { "address", "mode" }, { "prefix", "address" },
		};

		for (size_t i = 0; i < QNM_ARRAY_SIZE(needs) && !line; i++)
			if (strcmp(err->field, needs[i][0]) == 0)
				line = fl_find(fl, needs[i][1]);
	}
	if (!line)
		line = fallback_line;
	qnm_strlcpy(msg, err->msg, sizeof(msg));
	if (line)
		snprintf(err->msg, sizeof(err->msg), "%s:%u: %.400s", fn, line, msg);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %.400s", fn, msg);
	return -EINVAL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* "dir/NAME.conf" -> NAME (into @buf); false when that is not a valid name. */
/* The object's name from "NAME.conf" into @buf (QNM_NAME_MAX + 1 bytes); -EINVAL naming the rule. */
static int name_from_file(const char *filename, char *buf, struct qnm_err *err)
{
	const char *b = base_name(filename);
	size_t n = strlen(b);

	if (n > 5 && strcmp(b + n - 5, ".conf") == 0)
		n -= 5;
	if (n <= QNM_NAME_MAX) {
		memcpy(buf, b, n);
		buf[n] = '\0';
		if (qnm_valid_name(buf))
			return 0;
	}
	return qnm_err_set(
		err, -EINVAL, "name",
		"%s: the file name must be NAME.conf where NAME is 1-%d letters, digits, '_', '-' or '.'",
		filename, QNM_NAME_MAX);
}

int qnm_vm_parse(const char *text, size_t len, const char *filename, struct qnm_vm **out,
		 struct qnm_err *err)
{
	struct field_lines fl = { 0 };
	struct qnm_keyfile kf;
	struct qnm_vm *vm = NULL;
	char name[QNM_NAME_MAX + 1];
	bool have_vm = false;
	size_t i, s;
	int r;

	*out = NULL;
	r = name_from_file(filename, name, err);
	if (r)
		return r;
	r = qnm_keyfile_parse(text, len, filename, &kf, err);
	if (r)
		goto out;
	vm = qnm_vm_new(name);
	vm->memory_mb = 512;
	for (s = 0; s < kf.nsections && !r; s++) {
		const struct qnm_kf_section *sec = &kf.sections[s];
		struct qnm_nic *nic = NULL;
		char field[64];

		if (strcmp(sec->type, "vm") == 0) {
			if (sec->name || have_vm) {
				r = qnm_err_set(
					err, -EINVAL, "", "%s:%u: %s", filename, sec->line,
					sec->name
						? "[vm] takes no name (the VM is named by its file)"
						: "a second [vm] section");
				break;
			}
			have_vm = true;
		} else if (strcmp(sec->type, "nic") == 0) {
			if (!sec->name) {
				r = qnm_err_set(err, -EINVAL, "",
						"%s:%u: a NIC section needs an id, like [nic n0]",
						filename, sec->line);
				break;
			}
			if (qnm_vm_find_nic(vm, sec->name)) {
				r = qnm_err_set(err, -EINVAL, "",
						"%s:%u: a second [nic %s] section", filename,
						sec->line, sec->name);
				break;
			}
			if (vm->nnics >= QNM_NICS_MAX) {
				r = qnm_err_set(err, -EINVAL, "", "%s:%u: more than %d NICs",
						filename, sec->line, QNM_NICS_MAX);
				break;
			}
			nic = qnm_vm_add_nic(vm);
			qnm_strlcpy(nic->id, sec->name, sizeof(nic->id));
			snprintf(field, sizeof(field), "nic[%s]", sec->name);
			fl_add(&fl, field, sec->line);
		} else {
			r = qnm_err_set(
				err, -EINVAL, "",
				"%s:%u: unknown section [%s] (a VM file has [vm] and [nic ID] sections)",
				filename, sec->line, sec->type);
			break;
		}
		/* Keys of this section; a NIC's backend first so key applicability is known. */
		for (int pass = 0; pass < 2 && !r; pass++) {
			const struct qnm_schema *ks = nic ? &qnm_nic_schema : &qnm_vm_schema;
			void *obj = nic ? (void *)nic : (void *)vm;

			for (i = 0; i < kf.nentries && !r; i++) {
				const struct qnm_kf_entry *e = &kf.entries[i];
				const struct qnm_key *k;
				bool first = ks->strict && strcmp(e->key, ks->selector) == 0;

				if (e->section != s || (pass == 0) != first)
					continue;
				k = qnm_schema_find(ks, e->key);
				if (nic)
					snprintf(field, sizeof(field), "nic[%s].%s", nic->id,
						 e->key);
				else
					qnm_strlcpy(field, e->key, sizeof(field));
				if (!k) {
					struct qnm_strbuf sb;

					qnm_sb_init(&sb);
					qnm_schema_list(ks, &sb);
					r = qnm_err_set(
						err, -EINVAL, field,
						"%s:%u: unknown key '%s' in [%s] (known: %s)",
						filename, e->line, e->key, sec->type, sb.s);
					qnm_sb_free(&sb);
					break;
				}
				if (!qnm_key_is_list(k) && fl_find(&fl, field)) {
					r = qnm_err_set(
						err, -EINVAL, field,
						"%s:%u: '%s' is given twice (first on line %u)",
						filename, e->line, e->key, fl_find(&fl, field));
					break;
				}
				if (!qnm_schema_key_in_use(ks, k, obj)) {
					char *sel = qnm_key_text(qnm_schema_find(ks, ks->selector),
								 obj);

					r = qnm_err_set(err, -EINVAL, field,
							"%s:%u: '%s' does not apply to %s %s",
							filename, e->line, e->key, ks->selector,
							sel);
					free(sel);
					break;
				}
				fl_add(&fl, field, e->line);
				r = qnm_key_set(k, obj, e->value, filename, e->line, field, err);
			}
		}
	}
	if (!r && !have_vm && kf.nsections == 0 && len > 0) {
		/* A file with only comments is an empty VM; that is fine. */
	}
	if (!r) {
		r = qnm_check_vm(vm, err);
		if (r)
			r = located(err, &fl, filename, 0);
	}
out:
	qnm_keyfile_free(&kf);
	free(fl.v);
	if (r) {
		qnm_vm_free(vm);
		return r;
	}
	*out = vm;
	return 0;
}

/* the lines from entry @i on that have its key (a list's run: forwards, mostly) */
static size_t run_of(const struct qnm_keyfile *kf, size_t i)
{
	size_t j = i + 1;

	while (j < kf->nentries && strcmp(kf->entries[j].key, kf->entries[i].key) == 0)
		j++;
	return j - i;
}

int qnm_network_parse(const char *text, size_t len, const char *filename, struct qnm_network **out,
		      struct qnm_err *err)
{
	struct field_lines fl = { 0 };
	const struct qnm_key *k = NULL;
	struct qnm_keyfile kf;
	struct qnm_network *net = NULL;
	char name[QNM_NAME_MAX + 1];
	size_t i;
	int r;

	*out = NULL;
	r = name_from_file(filename, name, err);
	if (r)
		return r;
	r = qnm_keyfile_parse(text, len, filename, &kf, err);
	if (r)
		goto out;
	net = qnm_network_new(name);
	for (i = 0; i < kf.nsections && !r; i++) {
		if (strcmp(kf.sections[i].type, "network") || kf.sections[i].name || i > 0)
			r = qnm_err_set(err, -EINVAL, "",
					"%s:%u: a network file has exactly one [network] section",
					filename, kf.sections[i].line);
	}
	for (i = 0; i < kf.nentries && !r; i++) {
		const struct qnm_kf_entry *e = &kf.entries[i];
		/* the key of the line before (a list, forwards mostly): found already */
		bool again = k && strcmp(kf.entries[i - 1].key, e->key) == 0;

		if (!again)
			k = qnm_schema_find(&qnm_net_schema, e->key);
		if (!k) {
			struct qnm_strbuf sb;

			qnm_sb_init(&sb);
			qnm_schema_list(&qnm_net_schema, &sb);
			r = qnm_err_set(err, -EINVAL, e->key,
					"%s:%u: unknown key '%s' in [network] (known: %s)",
					filename, e->line, e->key, sb.s);
			qnm_sb_free(&sb);
			break;
		}
		if (!qnm_key_is_list(k) && fl_find(&fl, e->key)) {
			r = qnm_err_set(err, -EINVAL, e->key,
					"%s:%u: '%s' is given twice (first on line %u)", filename,
					e->line, e->key, fl_find(&fl, e->key));
			break;
		}
		if (again) /* a list key: only its last line is ever looked up */
			fl.v[fl.n - 1].line = e->line;
		else
			fl_add(&fl, e->key, e->line);
		if (k->type == QNM_KEY_CIDR)
			fl_add(&fl, "prefix", e->line);
		if (!again)
			qnm_key_reserve(k, net, run_of(&kf, i));
		r = qnm_key_set(k, net, e->value, filename, e->line, e->key, err);
	}
	if (!r && kf.nsections == 0)
		r = qnm_err_set(err, -EINVAL, "", "%s: no [network] section", filename);
	if (!r) {
		r = qnm_check_network(net, err);
		if (r)
			r = located(err, &fl, filename, kf.nsections ? kf.sections[0].line : 0);
	}
out:
	qnm_keyfile_free(&kf);
	free(fl.v);
	if (r) {
		qnm_network_free(net);
		return r;
	}
	*out = net;
	return 0;
}

/* ---- writing ---- */

char *qnm_vm_serialize(const struct qnm_vm *vm)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	qnm_sb_addf(&sb,
		    "# qnm VM '%s' - edit by hand, with 'qnm set' or in the qnm UI.\n"
		    "# The VM is named by this file's name. Lines starting with # are comments.\n\n"
		    "[vm]\n",
		    vm->name);
	qnm_schema_write(&qnm_vm_schema, vm, &sb, true);
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *nic = &vm->nics[i];

		qnm_sb_addf(&sb, "\n# %s\n[nic %s]\n", qnm_backend_get(nic->backend)->summary,
			    nic->id);
		qnm_schema_write(&qnm_nic_schema, nic, &sb, i == 0);
	}
	return qnm_sb_steal(&sb);
}

char *qnm_network_serialize(const struct qnm_network *net)
{
	struct qnm_strbuf sb;

	qnm_sb_init(&sb);
	qnm_sb_addf(&sb,
		    "# qnm network '%s' - edit by hand, with 'qnm net set' or in the qnm UI.\n\n"
		    "[network]\n",
		    net->name);
	qnm_schema_write(&qnm_net_schema, net, &sb, true);
	return qnm_sb_steal(&sb);
}

/* ---- files ---- */

int qnm_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct qnm_strbuf sb;
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	qnm_sb_init(&sb);
	/* room for the whole file and the read that finds its end: no copy as it grows */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (size_t)st.st_size <= max &&
	    (size_t)st.st_size + 2 > sb.cap) {
		sb.cap = (size_t)st.st_size + 2;
		sb.s = xrealloc(sb.s, sb.cap);
	}
	for (;;) {
		if (sb.len + 1 >= sb.cap) {
			sb.cap *= 2;
			sb.s = xrealloc(sb.s, sb.cap);
		}
		n = read(fd, sb.s + sb.len, sb.cap - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > max) {
			r = -EFBIG;
			break;
		}
		sb.len += (size_t)n;
		sb.s[sb.len] = '\0';
	}
	close(fd);
	if (r) {
		qnm_sb_free(&sb);
		return r;
	}
	*len = sb.len;
	*out = qnm_sb_steal(&sb);
	return 0;
}

int qnm_atomic_write(const char *path, const char *data, size_t len, mode_t mode,
		     struct qnm_err *err)
{
	char *dir = xstrdup(path), *tmp;
	const char *d = dirname(dir);
	size_t off = 0;
	int fd, dfd, r = 0;

	tmp = xasprintf("%s/.%s.tmp.XXXXXX", d, base_name(path));
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot create a temporary file in %s: %s", d,
			    strerror(-r));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			qnm_err_set(err, r, "", "cannot write %s: %s%s", path, strerror(-r),
				    r == -ENOSPC ? " (disk full; the old file is unchanged)" : "");
			break;
		}
		off += (size_t)n;
	}
	if (!r && fchmod(fd, mode) < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot set the mode of %s: %s", path, strerror(-r));
	}
	if (!r && fsync(fd) < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot write %s to disk: %s", path, strerror(-r));
	}
	if (close(fd) < 0 && !r) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot write %s: %s", path, strerror(-r));
	}
	if (!r && rename(tmp, path) < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot replace %s: %s", path, strerror(-r));
	}
	if (r) {
		unlink(tmp);
		goto out;
	}
	dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	free(tmp);
	free(dir);
	return r;
}

/*
 * Load every *.conf of @dir into @m: VM files when @vms, else network files.
 * A file that cannot be read or parsed is recorded in @problems and skipped;
 * only a directory that cannot be read fails (a missing one is empty).
 */
static int load_dir(const char *dir, struct qnm_model *m, struct qnm_problems *problems, bool vms,
		    struct qnm_err *err)
{
	struct dirent **ents;
	int n, i;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return 0;
		return qnm_err_set(err, -errno, "", "cannot read %s: %s", dir, strerror(errno));
	}
	for (i = 0; i < n; i++) {
		const char *b = ents[i]->d_name;
		size_t bl = strlen(b);
		struct qnm_err e;
		char *path, *text;
		size_t len;
		int r;

		if (b[0] == '.' || bl <= 5 || strcmp(b + bl - 5, ".conf") != 0) {
			free(ents[i]);
			continue;
		}
		path = xasprintf("%s/%s", dir, b);
		free(ents[i]);
		qnm_err_clear(&e);
		r = qnm_read_file(path, CONF_MAX_BYTES, &text, &len);
		if (r) {
			char *msg = xasprintf("%s: cannot read: %s", path,
					      r == -EFBIG ? "larger than 4 MiB" : strerror(-r));

			problem_add(problems, path, msg);
			free(msg);
			free(path);
			continue;
		}
		if (vms) {
			struct qnm_vm *vm;

			r = qnm_vm_parse(text, len, path, &vm, &e);
			if (!r)
				qnm_model_add_vm(m, vm);
		} else {
			struct qnm_network *net;

			r = qnm_network_parse(text, len, path, &net, &e);
			if (!r)
				qnm_model_add_net(m, net);
		}
		if (r)
			problem_add(problems, path, e.msg);
		free(text);
		free(path);
	}
	free(ents);
	return 0;
}

int qnm_config_load_vm(const struct qnm_paths *p, const char *name, struct qnm_vm **out,
		       struct qnm_err *err)
{
	char *path, *text;
	size_t len;
	int r;

	if (!qnm_valid_name(name))
		return qnm_err_set(err, -EINVAL, "name", "name: '%s' is not a VM name", name);
	path = xasprintf("%s/%s.conf", p->vms_dir, name);
	r = qnm_read_file(path, CONF_MAX_BYTES, &text, &len);
	if (r) {
		qnm_err_set(err, r, "", "%s: cannot read: %s", path, strerror(-r));
	} else {
		r = qnm_vm_parse(text, len, path, out, err);
		free(text);
	}
	free(path);
	return r;
}

int qnm_config_load(const struct qnm_paths *p, struct qnm_model *m, struct qnm_problems *problems,
		    struct qnm_err *err)
{
	int r;

	r = load_dir(p->vms_dir, m, problems, true, err);
	if (!r)
		r = load_dir(p->nets_dir, m, problems, false, err);
	if (!r) /* forwards to a NIC: its reservation as loaded */
		qnm_model_resolve_targets(m);
	return r;
}

int qnm_config_load_networks(const struct qnm_paths *p, struct qnm_model *m,
			     struct qnm_problems *problems, struct qnm_err *err)
{
	return load_dir(p->nets_dir, m, problems, false, err);
}

/* Refuse to overwrite @path when it exists and does not parse. */
static int check_overwritable(const char *path, bool vm, struct qnm_err *err)
{
	struct qnm_err e;
	char *text;
	size_t len;
	int r;

	r = qnm_read_file(path, CONF_MAX_BYTES, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r)
		return qnm_err_set(err, r, "",
				   "%s exists but cannot be read (%s); qnm will not overwrite it",
				   path, strerror(-r));
	qnm_err_clear(&e);
	if (vm) {
		struct qnm_vm *v;

		r = qnm_vm_parse(text, len, path, &v, &e);
		qnm_vm_free(v);
	} else {
		struct qnm_network *n;

		r = qnm_network_parse(text, len, path, &n, &e);
		qnm_network_free(n);
	}
	free(text);
	if (r)
		return qnm_err_set(
			err, -EEXIST, "",
			"%s does not parse (%s); fix or remove it by hand - qnm never overwrites a file it cannot read",
			path, e.msg);
	return 0;
}

static int save_common(const char *dir, const char *name, const char *old_name, const char *text,
		       bool vm, struct qnm_err *err)
{
	char *path = xasprintf("%s/%s.conf", dir, name);
	char *old = NULL;
	int r;

	r = qnm_mkdir_p(dir, 0700);
	if (r) {
		qnm_err_set(err, r, "", "cannot create %s: %s", dir, strerror(-r));
		goto out;
	}
	if (!old_name || strcmp(old_name, name) != 0) {
		if (access(path, F_OK) == 0) {
			r = qnm_err_set(err, -EEXIST, "name",
					"name: a %s named '%s' already exists (%s)",
					vm ? "VM" : "network", name, path);
			goto out;
		}
	} else {
		r = check_overwritable(path, vm, err);
		if (r)
			goto out;
	}
	if (old_name && strcmp(old_name, name) != 0) {
		old = xasprintf("%s/%s.conf", dir, old_name);
		r = check_overwritable(old, vm, err);
		if (r)
			goto out;
	}
	r = qnm_atomic_write(path, text, strlen(text), 0600, err);
	if (!r && old && unlink(old) < 0 && errno != ENOENT) {
		r = -errno;
		qnm_err_set(err, r, "", "saved %s but cannot remove the old file %s: %s", path, old,
			    strerror(errno));
	}
out:
	free(old);
	free(path);
	return r;
}

/* A file that load_dir() would not read is never written (the schema's limits keep them apart). */
static int check_size(const char *text, const char *what, struct qnm_err *err)
{
	if (strlen(text) > CONF_MAX_BYTES)
		return qnm_err_set(
			err, -EFBIG, "",
			"the %s's file would be %zu bytes, more than the 4 MiB qnm reads", what,
			strlen(text));
	return 0;
}

/* qnm_config_save_vm(); @drop: remove the index first */
static int save_vm(const struct qnm_paths *p, const struct qnm_vm *vm, const char *old_name,
		   bool drop, struct qnm_err *err)
{
	char *text;
	int r;

	r = qnm_check_vm(vm, err);
	if (r)
		return r;
	text = qnm_vm_serialize(vm);
	r = check_size(text, "VM", err);
	if (!r) {
		if (drop)
			qnm_index_drop(p); /* never newer files than the index says without it */
		r = save_common(p->vms_dir, vm->name, old_name, text, true, err);
	}
	free(text);
	return r;
}

int qnm_config_save_vm(const struct qnm_paths *p, const struct qnm_vm *vm, const char *old_name,
		       struct qnm_err *err)
{
	return save_vm(p, vm, old_name, true, err);
}

int qnm_config_save_vm_same_index(const struct qnm_paths *p, const struct qnm_vm *vm,
				  struct qnm_err *err)
{
	return save_vm(p, vm, vm->name, false, err);
}

int qnm_config_save_network(const struct qnm_paths *p, const struct qnm_network *net,
			    const char *old_name, struct qnm_err *err)
{
	char *text;
	int r;

	r = qnm_check_network(net, err);
	if (r)
		return r;
	text = qnm_network_serialize(net);
	r = check_size(text, "network", err);
	if (!r) {
		qnm_index_drop(p);
		r = save_common(p->nets_dir, net->name, old_name, text, false, err);
	}
	free(text);
	return r;
}

static int delete_common(const char *dir, const char *name, const char *what, struct qnm_err *err)
{
	char *path;
	int r = 0;

	if (!qnm_valid_name(name))
		return qnm_err_set(err, -EINVAL, "name", "'%s' is not a valid %s name", name, what);
	path = xasprintf("%s/%s.conf", dir, name);
	if (unlink(path) < 0) {
		r = -errno;
		if (r == -ENOENT)
			qnm_err_set(err, r, "name", "no %s named '%s'", what, name);
		else
			qnm_err_set(err, r, "", "cannot remove %s: %s", path, strerror(-r));
	}
	free(path);
	return r;
}

int qnm_config_delete_vm(const struct qnm_paths *p, const char *name, struct qnm_err *err)
{
	qnm_index_drop(p);
	return delete_common(p->vms_dir, name, "VM", err);
}

int qnm_config_delete_network(const struct qnm_paths *p, const char *name, struct qnm_err *err)
{
	qnm_index_drop(p);
	return delete_common(p->nets_dir, name, "network", err);
}

/* ---- KEY=VALUE assignments (CLI "set"): the schema's, with the name and NIC id ---- */

int qnm_vm_assign(struct qnm_vm *vm, const char *assignment, struct qnm_err *err)
{
	if (strncmp(assignment, "name=", 5) == 0) {
		if (!qnm_valid_name(assignment + 5))
			return qnm_err_set(
				err, -EINVAL, "name",
				"name: '%s' must be 1-%d letters, digits, '_', '-' or '.', starting with a letter or digit",
				assignment + 5, QNM_NAME_MAX);
		qnm_strlcpy(vm->name, assignment + 5, sizeof(vm->name));
		return 0;
	}
	return qnm_schema_assign(&qnm_vm_schema, vm, assignment, "", err);
}

int qnm_nic_assign(struct qnm_nic *nic, const char *assignment, struct qnm_err *err)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "nic[%s].", nic->id);
	if (strncmp(assignment, "id=", 3) == 0) {
		if (!qnm_valid_name(assignment + 3))
			return qnm_err_set(err, -EINVAL, "id", "id: '%s' is not a valid NIC id",
					   assignment + 3);
		qnm_strlcpy(nic->id, assignment + 3, sizeof(nic->id));
		return 0;
	}
	return qnm_schema_assign(&qnm_nic_schema, nic, assignment, prefix, err);
}

int qnm_network_assign(struct qnm_network *net, const char *assignment, struct qnm_err *err)
{
	return qnm_schema_assign(&qnm_net_schema, net, assignment, "", err);
}
