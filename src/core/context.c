// SPDX-License-Identifier: GPL-2.0-or-later
/* context.c - the process-wide context. */
#include "build-config.h"

#include "core/context.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/backend.h"
#include "core/index.h"
#include "core/keyfile.h"
#include "core/nicslot.h"
#include "core/reserve.h"
#include "core/validate.h"

/* how long a lock held by another process is waited for, unless $QNM_LOCK_TIMEOUT_MS */
#define LOCK_TIMEOUT_MS 10000

int qnm_ctx_init(struct qnm_ctx *ctx, struct qnm_err *err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out = stdout;
	ctx->errout = stderr;
	ctx->lock_fd = -1;
	qnm_model_init(&ctx->model);
	return qnm_paths_init(&ctx->paths, err);
}

int qnm_ctx_load(struct qnm_ctx *ctx, struct qnm_err *err)
{
	int r;

	if (ctx->loaded)
		return 0;
	if (ctx->one) {
		qnm_model_clear(&ctx->model);
		ctx->one = false;
	}
	r = qnm_config_load(&ctx->paths, &ctx->model, &ctx->problems, err);
	if (r == 0)
		ctx->loaded = true;
	return r;
}

int qnm_ctx_load_vm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	struct qnm_vm *vm;
	int r;

	if (ctx->loaded || qnm_model_find_vm(&ctx->model, name))
		return 0;
	r = qnm_config_load_vm(&ctx->paths, name, &vm, err);
	if (r)
		return r;
	qnm_model_add_vm(&ctx->model, vm);
	ctx->one = true;
	return 0;
}

void qnm_ctx_clear(struct qnm_ctx *ctx)
{
	if (ctx->lock_depth) {
		ctx->lock_depth = 1;
		qnm_ctx_unlock(ctx);
	}
	qnm_model_clear(&ctx->model);
	qnm_problems_clear(&ctx->problems);
	qnm_paths_clear(&ctx->paths);
}

/* ---- the configuration lock ---- */

/* the index is good while the lock is held: forget it (and @part) */
static void index_forget(struct qnm_ctx *ctx)
{
	if (ctx->idx) {
		qnm_index_clear(ctx->idx);
		free(ctx->idx);
		ctx->idx = NULL;
	}
	ctx->part = false;
}

/* "pid N (its command line)" of the process /proc/locks says holds a flock on @fd's file */
static void lock_holder(int fd, char *buf, size_t size)
{
	char line[256], path[64], cmd[128];
	struct stat st;
	FILE *f;

	qnm_strlcpy(buf, "another process", size);
	if (fstat(fd, &st) || !(f = fopen("/proc/locks", "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long ino;
		int pid;
		size_t len, i;
		FILE *c;

		if (strstr(line, "->") || !strstr(line, "FLOCK") ||
		    sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &pid, &maj, &min, &ino) != 4 ||
		    ino != (unsigned long)st.st_ino || makedev(maj, min) != st.st_dev || pid <= 0)
			continue;
		cmd[0] = '\0';
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		if ((c = fopen(path, "re"))) {
			len = fread(cmd, 1, sizeof(cmd) - 1, c);
			fclose(c);
			cmd[len] = '\0';
			for (i = 0; len && i < len - 1; i++)
				if (cmd[i] == '\0')
					cmd[i] = ' ';
		}
		snprintf(buf, size, "pid %d%s%s%s", pid, cmd[0] ? " (" : "", cmd,
			 cmd[0] ? ")" : "");
		break;
	}
	fclose(f);
}

static long lock_timeout_ms(void)
{
	const char *s = getenv("QNM_LOCK_TIMEOUT_MS"); /* tests */
	char *end;
	long v;

	if (!s || !*s)
		return LOCK_TIMEOUT_MS;
	v = strtol(s, &end, 10);
	return *end || v < 0 ? LOCK_TIMEOUT_MS : v;
}

int qnm_ctx_lock(struct qnm_ctx *ctx, struct qnm_err *err)
{
	long waited = 0, timeout = lock_timeout_ms(), step = 1;
	char *path, holder[200];
	int fd, r;

	if (ctx->lock_depth) {
		ctx->lock_depth++;
		return 0;
	}
	r = qnm_mkdir_p(ctx->paths.config_dir, 0700);
	if (r)
		return qnm_err_set(err, r, "", "cannot create %s: %s", ctx->paths.config_dir,
				   strerror(-r));
	path = xasprintf("%s/.lock", ctx->paths.config_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = qnm_err_set(err, -errno, "", "cannot open the configuration lock %s: %s", path,
				strerror(errno));
		free(path);
		return r;
	}
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		struct timespec ts;

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			r = qnm_err_set(err, -errno, "", "cannot lock %s: %s", path,
					strerror(errno));
			goto fail;
		}
		if (waited >= timeout) {
			lock_holder(fd, holder, sizeof(holder));
			r = qnm_err_set(err, -EBUSY, "",
					"the configuration is locked by %s for more than %ld ms "
					"(%s): nothing changed, try again when it is done",
					holder, timeout, path);
			goto fail;
		}
		/* short waits first: the lock is held for one read-check-write */
		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		waited += step;
		if (step < 20)
			step *= 2;
	}
	free(path);
	ctx->lock_fd = fd;
	ctx->lock_depth = 1;
	ctx->fresh = false;
	return 0;
fail:
	close(fd);
	free(path);
	return r;
}

void qnm_ctx_unlock(struct qnm_ctx *ctx)
{
	if (!ctx->lock_depth || --ctx->lock_depth)
		return;
	close(ctx->lock_fd); /* releases the flock */
	ctx->lock_fd = -1;
	ctx->fresh = false;
	index_forget(ctx); /* another process may write from now on */
}

/*
 * Put @fresh's objects in @have (both sorted by name): an equal object
 * keeps its address, a changed one gets the new contents at the same
 * address, the rest come and go. @fresh is emptied.
 */
static void merge_vms(struct qnm_model *have, struct qnm_model *fresh)
{
	struct qnm_vm **v = xreallocarray(NULL, fresh->nvms + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < fresh->nvms; i++) {
		struct qnm_vm *n = fresh->vms[i];
		struct qnm_vm *o = qnm_model_remove_vm(have, n->name);

		if (o && !qnm_vm_equal(o, n)) {
			struct qnm_vm tmp = *o;

			*o = *n;
			*n = tmp;
		}
		if (o)
			qnm_vm_free(n);
		v[i] = o ? o : n;
	}
	for (i = 0; i < have->nvms; i++)
		qnm_vm_free(have->vms[i]);
	free(have->vms);
	have->vms = v;
	have->nvms = fresh->nvms;
	free(fresh->vms);
	fresh->vms = NULL;
	fresh->nvms = 0;
}

static void merge_nets(struct qnm_model *have, struct qnm_model *fresh)
{
	struct qnm_network **v = xreallocarray(NULL, fresh->nnets + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < fresh->nnets; i++) {
		struct qnm_network *n = fresh->nets[i];
		struct qnm_network *o = qnm_model_remove_net(have, n->name);

		if (o && !qnm_network_equal(o, n)) {
			struct qnm_network tmp = *o;

			*o = *n;
			*n = tmp;
		}
		if (o)
			qnm_network_free(n);
		v[i] = o ? o : n;
	}
	for (i = 0; i < have->nnets; i++)
		qnm_network_free(have->nets[i]);
	free(have->nets);
	have->nets = v;
	have->nnets = fresh->nnets;
	free(fresh->nets);
	fresh->nets = NULL;
	fresh->nnets = 0;
}

/* the model on disk now, in @m and @problems (empty) */
static int read_disk(struct qnm_ctx *ctx, struct qnm_model *m, struct qnm_problems *problems,
		     struct qnm_err *err)
{
	int r;

	if (!ctx->lock_depth)
		return qnm_err_set(err, -ENOLCK, "", "the configuration lock is not held");
	qnm_model_init(m);
	memset(problems, 0, sizeof(*problems));
	r = qnm_config_load(&ctx->paths, m, problems, err);
	if (r) {
		qnm_model_clear(m);
		qnm_problems_clear(problems);
	}
	return r;
}

/* install @m and @problems (read by read_disk()) as @ctx's */
static void install(struct qnm_ctx *ctx, struct qnm_model *m, struct qnm_problems *problems)
{
	merge_vms(&ctx->model, m);
	merge_nets(&ctx->model, m);
	qnm_model_clear(m);
	qnm_problems_clear(&ctx->problems);
	ctx->problems = *problems;
	ctx->loaded = true;
	ctx->fresh = true;
	ctx->one = false;
	ctx->indexed = false;
	index_forget(ctx);
}

int qnm_ctx_refresh(struct qnm_ctx *ctx, struct qnm_err *err)
{
	struct qnm_problems problems;
	struct qnm_model m;
	int r = read_disk(ctx, &m, &problems, err);

	if (!r)
		install(ctx, &m, &problems);
	return r;
}

int qnm_ctx_begin(struct qnm_ctx *ctx, struct qnm_err *err)
{
	int r = qnm_ctx_lock(ctx, err);

	if (r)
		return r;
	r = ctx->fresh ? 0 : qnm_ctx_refresh(ctx, err);
	if (r)
		qnm_ctx_unlock(ctx);
	return r;
}

/* a NIC of @vm joins a qnm network (its reservation is among every VM's) */
static bool on_network(const struct qnm_vm *vm)
{
	size_t i;

	for (i = 0; i < vm->nnics; i++)
		if (qnm_nic_network(&vm->nics[i]))
			return true;
	return false;
}

/*
 * With the lock held and the whole model not loaded: when the index is
 * current, read the networks and VM @name's file (when it has one) into
 * @ctx->model, and the index's problems; @ctx is then @part.
 * Return: 0, or -errno: nothing changed, read the whole model.
 */
static int begin_part(struct qnm_ctx *ctx, const char *name)
{
	struct qnm_index *idx = xmalloc(sizeof(*idx));
	struct qnm_problems problems = { 0 };
	struct qnm_vm *vm = NULL;
	struct qnm_model m;
	struct qnm_err e;
	int r;

	if (ctx->loaded || !ctx->lock_depth || qnm_index_load(&ctx->paths, idx)) {
		free(idx);
		return -ESTALE;
	}
	qnm_model_init(&m);
	r = idx->ok ? qnm_config_load_networks(&ctx->paths, &m, &problems, &e) : -ESTALE;
	qnm_problems_clear(&problems);
	if (!r) {
		r = qnm_config_load_vm(&ctx->paths, name, &vm, &e);
		/* the index knows a VM exactly when its file loads */
		if (r == -ENOENT && !qnm_index_has(idx, name))
			r = 0;
		else if (!r && (!qnm_index_has(idx, name) || on_network(vm)))
			r = -ESTALE;
	}
	if (r) {
		qnm_vm_free(vm);
		qnm_model_clear(&m);
		qnm_index_clear(idx);
		free(idx);
		return r;
	}
	if (vm)
		qnm_model_add_vm(&m, vm);
	merge_vms(&ctx->model, &m);
	merge_nets(&ctx->model, &m);
	qnm_model_clear(&m);
	qnm_problems_clear(&ctx->problems);
	qnm_problems_copy(&ctx->problems, &idx->problems);
	ctx->one = false;
	ctx->indexed = true;
	ctx->part = true;
	ctx->idx = idx;
	return 0;
}

int qnm_ctx_begin_vm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	int r = qnm_ctx_lock(ctx, err);

	if (r)
		return r;
	if (ctx->fresh || ctx->part || begin_part(ctx, name) == 0)
		return 0;
	r = qnm_ctx_refresh(ctx, err);
	if (r)
		qnm_ctx_unlock(ctx);
	return r;
}

/* with the lock held and @ctx->model whole and as on disk: index it anew */
static void index_rebuild(struct qnm_ctx *ctx, bool ok)
{
	struct qnm_index idx;

	index_forget(ctx);
	qnm_index_from_model(&idx, &ctx->paths, &ctx->model, &ctx->problems, ok);
	qnm_index_save(&ctx->paths, &idx);
	qnm_index_clear(&idx);
}

/*
 * Whether the save of @vm (replacing @old_name, NULL: new) on a @part
 * context provably holds without reading the other VMs: the index held
 * with the whole model, @vm's name is free (or its own), it is valid, no
 * NIC joins a qnm network, no network forward targets it, and neither the
 * index nor the networks' forwards share a MAC or a host port with it.
 * False: read and check the whole model (same checks, same messages).
 */
static bool save_provable(const struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name)
{
	const struct qnm_index *idx = ctx->idx;
	struct qnm_strbuf sb;
	struct qnm_err e;
	size_t i, j, k, l, n;

	if (!idx->ok || (old_name && strcmp(old_name, vm->name) != 0))
		return false;
	if (old_name ? !qnm_index_has(idx, old_name) || !qnm_model_find_vm(&ctx->model, old_name)
		     : qnm_index_has(idx, vm->name) || qnm_model_find_vm(&ctx->model, vm->name))
		return false;
	if (qnm_check_vm(vm, &e) || qnm_check_nic_slots(vm, &e) || on_network(vm))
		return false;
	qnm_sb_init(&sb);
	n = qnm_model_targets_of(&ctx->model, vm->name, NULL, &sb);
	qnm_sb_free(&sb);
	if (n || qnm_index_may_clash(idx, vm, old_name))
		return false;
	/* its host ports against the networks' and against each other NIC's */
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *a = &vm->nics[i];

		if (!qnm_nic_backend(a)->has_hostfwd)
			continue;
		for (k = 0; k < a->user.nfwd; k++) {
			for (j = 0; j < ctx->model.nnets; j++)
				for (l = 0; l < ctx->model.nets[j]->nfwd; l++)
					if (qnm_fwd_overlap(&a->user.fwd[k],
							    &ctx->model.nets[j]->fwd[l], NULL,
							    NULL))
						return false;
			for (j = i + 1; j < vm->nnics; j++) {
				const struct qnm_nic *b = &vm->nics[j];

				for (l = 0; qnm_nic_backend(b)->has_hostfwd && l < b->user.nfwd;
				     l++)
					if (qnm_fwd_overlap(&a->user.fwd[k], &b->user.fwd[l], NULL,
							    NULL))
						return false;
			}
		}
	}
	return true;
}

/* the save of a provable @copy (save_provable()): its file, the model, the index */
static int save_part(struct qnm_ctx *ctx, struct qnm_vm *copy, const char *old_name,
		     struct qnm_err *err)
{
	/* its name, MACs and ports as indexed: the index stays, re-stamped */
	bool same = old_name && qnm_index_record_is(ctx->idx, copy);
	int r = same ? qnm_config_save_vm_same_index(&ctx->paths, copy, err)
		     : qnm_config_save_vm(&ctx->paths, copy, old_name, err); /* drops the index */

	if (r)
		return r;
	if (old_name)
		qnm_vm_free(qnm_model_remove_vm(&ctx->model, old_name));
	qnm_model_add_vm(&ctx->model, copy);
	qnm_model_resolve_targets(&ctx->model);
	if (same) {
		qnm_index_restamp(&ctx->paths, ctx->idx); /* else removed: rebuilt later */
		return 0;
	}
	qnm_index_put_vm(ctx->idx, copy, old_name);
	/* else the next command rebuilds it; the lookups read it as saved */
	if (qnm_index_save(&ctx->paths, ctx->idx)) {
		index_forget(ctx); /* the next save reads the whole model */
		return 0;
	}
	qnm_index_clear(ctx->idx);
	if (qnm_index_load(&ctx->paths, ctx->idx))
		index_forget(ctx); /* the next save reads the whole model */
	return 0;
}

/* append bytes [@from, @to) of @fd to @sb; -errno, -EINVAL when shorter */
static int pread_to(int fd, size_t from, size_t to, struct qnm_strbuf *sb)
{
	char *buf = xmalloc(to - from + 1);
	size_t len = 0;
	int r = 0;

	while (!r && from + len < to) {
		ssize_t n = pread(fd, buf + len, to - from - len, (off_t)(from + len));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EINVAL; /* shorter than the index says */
		else
			len += (size_t)n;
	}
	if (!r)
		qnm_sb_addn(sb, buf, len);
	free(buf);
	return r;
}

/*
 * Network @name's settings, as the index says where they are (@at, see
 * qnm_index_net_settings(): the bytes around its run of forward lines),
 * as the network they hold without forward lines, in *@out; -errno when
 * the file is shorter or has a section other than [network].
 */
static int read_net_settings(const struct qnm_paths *p, const char *name, const size_t at[3],
			     struct qnm_network **out)
{
	char *path = xasprintf("%s/%s.conf", p->nets_dir, name);
	struct qnm_strbuf text, sb;
	const char *l, *end;
	struct qnm_err e;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r = fd < 0 ? -errno : 0;

	qnm_sb_init(&text);
	qnm_sb_init(&sb);
	if (!r)
		r = pread_to(fd, 0, at[0], &text);
	if (!r)
		r = pread_to(fd, at[1], at[2], &text);
	if (fd >= 0)
		close(fd);
	if (!r && (!text.len || text.s[text.len - 1] != '\n'))
		r = -EINVAL;
	for (l = text.s, end = l + text.len; !r && l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l)), *k = l;

		while (k < nl && (*k == ' ' || *k == '\t'))
			k++;
		if (*k == '[' && strncmp(k, "[network]", 9) != 0)
			r = -EINVAL;
		else if (!(strncmp(k, "forward", 7) == 0 && (k[7] == ' ' || k[7] == '=')))
			qnm_sb_addn(&sb, l, (size_t)(nl + 1 - l));
		l = nl + 1;
	}
	if (!r)
		r = qnm_network_parse(sb.s, sb.len, path, out, &e);
	qnm_sb_free(&text);
	qnm_sb_free(&sb);
	free(path);
	return r;
}

int qnm_ctx_fwd_add_begin(struct qnm_ctx *ctx, const char *net_name, const struct qnm_fwd *f,
			  struct qnm_network **net, struct qnm_err *err)
{
	struct qnm_index *idx;
	struct qnm_network *n = NULL, *with;
	struct qnm_err e;
	size_t at[3];
	int r;

	*net = NULL;
	if (ctx->loaded || ctx->lock_depth || f->target[0])
		return 1;
	r = qnm_ctx_lock(ctx, err);
	if (r)
		return r;
	idx = xmalloc(sizeof(*idx));
	if (qnm_index_load(&ctx->paths, idx)) {
		free(idx);
		qnm_ctx_unlock(ctx);
		return 1;
	}
	r = idx->ok && qnm_index_net_settings(idx, net_name, at) ? 0 : 1;
	if (!r)
		r = read_net_settings(&ctx->paths, net_name, at, &n) ? 1 : 0;
	if (!r) {
		with = qnm_network_copy(n);
		qnm_fwd_add(&with->fwd, &with->nfwd, f);
		r = qnm_check_network(with, &e) || qnm_index_fwd_may_clash(idx, f) ? 1 : 0;
		qnm_network_free(with);
	}
	if (r) {
		qnm_network_free(n);
		qnm_index_clear(idx);
		free(idx);
		qnm_ctx_unlock(ctx);
		return 1;
	}
	qnm_problems_clear(&ctx->problems);
	qnm_problems_copy(&ctx->problems, &idx->problems);
	ctx->indexed = true;
	ctx->part = true;
	ctx->idx = idx;
	*net = n;
	return 0;
}

int qnm_ctx_fwd_add_commit(struct qnm_ctx *ctx, const char *net_name, const struct qnm_fwd *f,
			   struct qnm_err *err)
{
	char *path = xasprintf("%s/%s.conf", ctx->paths.nets_dir, net_name);
	char text[QNM_FWD_TEXT_LEN];
	struct qnm_strbuf line;
	struct stat st;
	int fd, r = 0;

	if (!ctx->part || !ctx->idx) {
		free(path);
		return qnm_err_set(err, -EINVAL, "", "no forward add begun");
	}
	qnm_fwd_format(f, text, sizeof(text));
	qnm_sb_init(&line);
	qnm_kf_write_value(&line, "forward", text); /* as the whole file writes it */
	/* its ports marked first: the index stays a superset whenever this is killed */
	if (qnm_index_mark_fwd(&ctx->paths, ctx->idx, f))
		qnm_index_drop(&ctx->paths); /* no index newer than the file says without it */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st)) {
		r = -errno;
	} else {
		ssize_t n = write(fd, line.s, line.len); /* one write: all of it or none */

		if (n != (ssize_t)line.len) {
			r = n < 0 ? -errno : -EIO;
			if (ftruncate(fd, st.st_size)) /* back to the file as it was */
				r = -errno;
		} else if (fsync(fd)) {
			r = -errno;
		}
	}
	if (fd >= 0)
		close(fd);
	if (r) {
		qnm_err_set(err, r, "", "cannot write %s: %s", path, strerror(-r));
	} else {
		/* the file grew: the stamps moved, the index is stale until this */
		qnm_index_restamp(&ctx->paths, ctx->idx);
	}
	qnm_sb_free(&line);
	free(path);
	return r;
}

int qnm_ctx_delete_vm(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	struct qnm_index idx;
	bool have;
	int r;

	if (!ctx->lock_depth)
		return qnm_err_set(err, -ENOLCK, "", "the configuration lock is not held");
	have = qnm_index_load(&ctx->paths, &idx) == 0;
	r = qnm_config_delete_vm(&ctx->paths, name, err); /* drops the index */
	if (!r)
		qnm_vm_free(qnm_model_remove_vm(&ctx->model, name));
	/* a VM gone takes no clash with it: the model holds as it did */
	if (!r && have) {
		qnm_index_del_vm(&idx, name);
		qnm_index_save(&ctx->paths, &idx);
	}
	if (have)
		qnm_index_clear(&idx);
	return r;
}

/**
 * struct kind - what the save of a VM and of a network differ in.
 * @what:   "VM" or "network".
 * @find:   the object @name of a model, or NULL.
 * @equal:  the objects are the same.
 */
struct kind {
	const char *what;
	const void *(*find)(const struct qnm_model *m, const char *name);
	bool (*equal)(const void *a, const void *b);
};

static const void *find_vm(const struct qnm_model *m, const char *name)
{
	return qnm_model_find_vm(m, name);
}

static bool equal_vm(const void *a, const void *b)
{
	return qnm_vm_equal(a, b);
}

static const void *find_net(const struct qnm_model *m, const char *name)
{
	return qnm_model_find_net(m, name);
}

static bool equal_net(const void *a, const void *b)
{
	return qnm_network_equal(a, b);
}

static const struct kind kind_vm = { "VM", find_vm, equal_vm };
static const struct kind kind_net = { "network", find_net, equal_net };

/*
 * With the lock held: make @ctx->model what is on disk unless it already
 * is; the object @old_name the caller's copy derives from must be on disk
 * as @ctx->model had it; the object may take @name only if no other has it.
 */
static int sync_for_save(struct qnm_ctx *ctx, const struct kind *k, const char *name,
			 const char *old_name, struct qnm_err *err)
{
	struct qnm_problems problems;
	struct qnm_model m;
	const void *base, *disk;
	int r = 0;

	if (!ctx->fresh) {
		r = read_disk(ctx, &m, &problems, err);
		if (r)
			return r;
		base = old_name ? k->find(&ctx->model, old_name) : NULL;
		disk = old_name ? k->find(&m, old_name) : NULL;
		if (base && !disk)
			r = qnm_err_set(err, -ESTALE, "",
					"%s %s was deleted by another qnm since you opened this "
					"form: nothing saved",
					k->what, old_name);
		else if (base && !k->equal(base, disk))
			r = qnm_err_set(err, -ESTALE, "",
					"%s %s was changed by another qnm since you opened this "
					"form: reopen it",
					k->what, old_name);
		install(ctx, &m, &problems);
		if (r)
			return r;
	}
	if ((!old_name || strcmp(old_name, name) != 0) && k->find(&ctx->model, name))
		r = qnm_err_set(err, -EEXIST, "name", "name: a %s named '%s' already exists",
				k->what, name);
	return r;
}

/*
 * qnm_ctx_check_vm() with @nets (@n of them) in place of the model's
 * networks of their names: a rename's networks with their forwards' targets
 * renamed too.
 */
static int check_vm_with(const struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
			 struct qnm_network *const *nets, size_t n, struct qnm_err *err)
{
	struct qnm_model view = ctx->model;
	size_t i, k;
	int r;

	r = qnm_check_vm(vm, err);
	/* Not in qnm_check_vm(): a file written before this rule still loads. */
	if (!r)
		r = qnm_check_nic_slots(vm, err);
	if (r)
		return r;
	/* A shallow view of the model with @vm in place of @old_name. */
	view.vms = xreallocarray(NULL, ctx->model.nvms + 1, sizeof(*view.vms));
	view.nvms = 0;
	for (i = 0; i < ctx->model.nvms; i++)
		if (!old_name || strcmp(ctx->model.vms[i]->name, old_name) != 0)
			view.vms[view.nvms++] = ctx->model.vms[i];
	view.vms[view.nvms++] = (struct qnm_vm *)vm;
	view.nets = xreallocarray(NULL, ctx->model.nnets + 1, sizeof(*view.nets));
	for (i = 0; i < ctx->model.nnets; i++) {
		view.nets[i] = ctx->model.nets[i];
		for (k = 0; k < n; k++)
			if (strcmp(nets[k]->name, view.nets[i]->name) == 0)
				view.nets[i] = nets[k];
	}
	r = qnm_check_model(&view, err);
	if (!r)
		r = qnm_check_reservations(&view, vm, err);
	free(view.vms);
	free(view.nets);
	return r;
}

int qnm_ctx_check_vm(const struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		     struct qnm_err *err)
{
	return check_vm_with(ctx, vm, old_name, NULL, 0, err);
}

int qnm_ctx_check_network(const struct qnm_ctx *ctx, const struct qnm_network *net,
			  const char *old_name, struct qnm_err *err)
{
	struct qnm_model view = ctx->model;
	size_t i;
	int r;

	r = qnm_check_network(net, err);
	if (r)
		return r;
	view.nets = xreallocarray(NULL, ctx->model.nnets + 1, sizeof(*view.nets));
	view.nnets = 0;
	for (i = 0; i < ctx->model.nnets; i++)
		if (!old_name || strcmp(ctx->model.nets[i]->name, old_name) != 0)
			view.nets[view.nnets++] = ctx->model.nets[i];
	view.nets[view.nnets++] = (struct qnm_network *)net;
	r = qnm_check_model(&view, err);
	free(view.nets);
	return r;
}

/** struct netv - networks, @n of them. */
struct netv {
	struct qnm_network **v;
	size_t n;
};

/* copies of the networks whose forwards target a NIC of VM @old, retargeted to VM @new */
static void renamed_nets(const struct qnm_ctx *ctx, const char *old, const char *new,
			 struct netv *out)
{
	size_t i;

	for (i = 0; i < ctx->model.nnets; i++) {
		struct qnm_network *c = qnm_network_copy(ctx->model.nets[i]);

		if (!qnm_network_rename_targets(c, old, new)) {
			qnm_network_free(c);
			continue;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = c;
	}
}

/*
 * Write @nets (a rename's, qnm_ctx_save_vm()) and put them in the model;
 * when one cannot be written, the VM's file goes back to @old_name (the
 * networks written keep their new targets only if that fails too).
 */
static int save_renamed_nets(struct qnm_ctx *ctx, struct netv *nets, const struct qnm_vm *vm,
			     const char *old_name, struct qnm_err *err)
{
	const struct qnm_vm *orig = old_name ? qnm_model_find_vm(&ctx->model, old_name) : NULL;
	size_t i, k;
	int r = 0;

	for (i = 0; i < nets->n && !r; i++)
		r = qnm_config_save_network(&ctx->paths, nets->v[i], nets->v[i]->name, err);
	if (r) {
		for (k = 0; k + 1 < i; k++)
			qnm_config_save_network(&ctx->paths,
						qnm_model_find_net(&ctx->model, nets->v[k]->name),
						nets->v[k]->name, NULL);
		if (orig)
			qnm_config_save_vm(&ctx->paths, orig, vm->name, NULL);
		return r;
	}
	for (i = 0; i < nets->n; i++) {
		qnm_network_free(qnm_model_remove_net(&ctx->model, nets->v[i]->name));
		qnm_model_add_net(&ctx->model, nets->v[i]);
	}
	nets->n = 0;
	return 0;
}

int qnm_ctx_save_vm(struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		    struct qnm_err *err)
{
	struct qnm_vm *copy = qnm_vm_copy(vm); /* @vm may be the model's own */
	struct netv nets = { NULL, 0 };
	size_t i;
	int r = qnm_ctx_lock(ctx, err);

	if (r) {
		qnm_vm_free(copy);
		return r;
	}
	/* a new VM of a command that read its file only: the index may do */
	if (!ctx->fresh && !ctx->part && !old_name)
		begin_part(ctx, copy->name);
	if (ctx->part && save_provable(ctx, copy, old_name)) {
		r = save_part(ctx, copy, old_name, err);
		if (!r)
			copy = NULL;
		goto out;
	}
	r = sync_for_save(ctx, &kind_vm, copy->name, old_name, err);
	if (!r && old_name && strcmp(old_name, copy->name) != 0)
		renamed_nets(ctx, old_name, copy->name, &nets);
	if (!r)
		r = check_vm_with(ctx, copy, old_name, (struct qnm_network *const *)nets.v, nets.n,
				  err);
	if (!r)
		r = qnm_config_save_vm(&ctx->paths, copy, old_name, err);
	if (!r)
		r = save_renamed_nets(ctx, &nets, copy, old_name, err);
	if (!r) {
		if (old_name)
			qnm_vm_free(qnm_model_remove_vm(&ctx->model, old_name));
		qnm_model_add_vm(&ctx->model, copy);
		copy = NULL;
		qnm_model_resolve_targets(&ctx->model);
		index_rebuild(ctx, true); /* the whole model was checked */
	}
out:
	for (i = 0; i < nets.n; i++)
		qnm_network_free(nets.v[i]);
	free(nets.v);
	qnm_vm_free(copy);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_ctx_save_network(struct qnm_ctx *ctx, const struct qnm_network *net, const char *old_name,
			 struct qnm_err *err)
{
	struct qnm_network *copy = qnm_network_copy(net);
	int r = qnm_ctx_lock(ctx, err);

	if (r) {
		qnm_network_free(copy);
		return r;
	}
	r = sync_for_save(ctx, &kind_net, copy->name, old_name, err);
	if (!r)
		r = qnm_ctx_check_network(ctx, copy, old_name, err);
	if (!r)
		r = qnm_config_save_network(&ctx->paths, copy, old_name, err);
	if (!r) {
		if (old_name)
			qnm_network_free(qnm_model_remove_net(&ctx->model, old_name));
		qnm_model_add_net(&ctx->model, copy);
		copy = NULL;
		qnm_model_resolve_targets(&ctx->model);
		index_rebuild(ctx, true);
	}
	qnm_network_free(copy);
	qnm_ctx_unlock(ctx);
	return r;
}
