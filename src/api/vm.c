// SPDX-License-Identifier: GPL-2.0-or-later
/* vm.c - the engine API for VMs and NICs (see vm.h). */
#include "build-config.h"

#include "api/vm.h"

#include "api/forward.h"
#include "api/live.h"
#include "api/models.h"

#include "core/backend.h"
#include "core/mac.h"
#include "core/progs.h"
#include "core/reserve.h"
#include "core/validate.h"
#include "guest/cmdline.h"
#include "guest/rundir.h"
#include "watch/portowner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int qnm_api_vm_check_name(const struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	if (!qnm_valid_name(name))
		return qnm_err_set(
			err, -EINVAL, "name",
			"name: '%s' must be 1-%d letters, digits, '_', '-' or '.', starting with a letter or digit",
			name, QNM_NAME_MAX);
	if (qnm_model_find_vm(&ctx->model, name))
		return qnm_err_set(err, -EEXIST, "name", "name: a VM named '%s' already exists",
				   name);
	return 0;
}

/* How long QEMU may take to list its devices when the catalog is not cached. */
#define CATALOG_TIMEOUT_MS 5000

/* Whether @c can judge the model names of target @arch: qnm's built-in list is QEMU's x86 one. */
static bool catalog_judges(const struct qnm_catalog *c, const char *arch)
{
	return c->source != QNM_CATALOG_BUILTIN || strcmp(arch, "x86_64") == 0 ||
	       strcmp(arch, "i386") == 0;
}

/*
 * Check @nic's model against the device catalog of @arch (loaded into *@cat
 * on first use, freed by the caller): the model QEMU knows under that name,
 * an alias or libvirt's name, or -EINVAL naming the field "nic[ID].model"
 * with the closest names as advice. @out gets the catalog's own name (left
 * empty when the catalog cannot judge @arch).
 */
static int resolve_model(const struct qnm_ctx *ctx, const char *arch, const struct qnm_nic *nic,
			 struct qnm_catalog **cat, char *out, size_t size, struct qnm_err *err)
{
	const struct qnm_nic_model *m;
	struct qnm_err e;
	int r;

	out[0] = '\0';
	if (!*cat) {
		r = qnm_api_models_load(ctx, arch, CATALOG_TIMEOUT_MS, cat, err);
		if (r)
			return r;
	}
	if (!catalog_judges(*cat, arch))
		return 0;
	qnm_err_clear(&e);
	m = qnm_catalog_resolve(*cat, nic->model, &e);
	if (!m) {
		char field[64];

		snprintf(field, sizeof(field), "nic[%s].model", nic->id);
		return qnm_err_set(err, e.code, field, "%s: %s", field, e.msg);
	}
	qnm_strlcpy(out, m->name, size);
	return 0;
}

/*
 * Check @nic's props against the properties of its model (@model: the
 * catalog's name) as "-device MODEL,help" of @arch's QEMU lists them; a
 * model neither QEMU nor qnm's built-in list knows is not judged (its
 * props still passed qnm_check_props()).
 */
static int check_props(const struct qnm_ctx *ctx, const char *arch, const struct qnm_nic *nic,
		       const char *model, struct qnm_err *err)
{
	struct qnm_dev_props *p = NULL;
	char field[64];
	int r;

	if (!nic->props[0])
		return 0;
	r = qnm_catalog_props_load(arch, NULL, model, ctx->paths.cache_dir, CATALOG_TIMEOUT_MS, &p,
				   err);
	if (r || !p)
		return r;
	snprintf(field, sizeof(field), "nic[%s].props", nic->id);
	r = qnm_dev_props_check(p, nic->props, field, err);
	qnm_dev_props_free(p);
	return r;
}

/*
 * Give every NIC of @vm whose model is new or changed from @orig's NIC of
 * the same id (NULL: a new VM) the catalog's name for it ("virtio" and
 * "E1000" are saved as virtio-net-pci and e1000), or refuse a model QEMU
 * does not have; new or changed props are checked against the model's
 * properties. Unchanged models are not judged again: a saved file with
 * an unknown model is the doctor's to report, and stays editable.
 */
static int resolve_models(const struct qnm_ctx *ctx, struct qnm_vm *vm, const struct qnm_vm *orig,
			  struct qnm_err *err)
{
	struct qnm_catalog *cat = NULL;
	size_t i;
	int r = 0;

	for (i = 0; i < vm->nnics && !r; i++) {
		struct qnm_nic *nic = &vm->nics[i];
		const struct qnm_nic *o = orig ? qnm_vm_find_nic(orig, nic->id) : NULL;
		char name[sizeof(nic->model)];

		if (!nic->model[0])
			continue; /* an empty model is the NIC rules' error */
		if (o && strcmp(o->model, nic->model) == 0) {
			if (strcmp(o->props, nic->props) != 0)
				r = check_props(ctx, vm->arch, nic, nic->model, err);
			continue;
		}
		r = resolve_model(ctx, vm->arch, nic, &cat, name, sizeof(name), err);
		if (!r && name[0])
			qnm_strlcpy(nic->model, name, sizeof(nic->model));
		if (!r && name[0])
			r = check_props(ctx, vm->arch, nic, nic->model, err);
	}
	qnm_catalog_free(cat);
	return r;
}

/* how many network forwards name a NIC of VM @name (they follow its reservation) */
static size_t targeted_fwds(const struct qnm_model *m, const char *name)
{
	struct qnm_strbuf sb;
	size_t n;

	qnm_sb_init(&sb);
	n = qnm_model_targets_of(m, name, NULL, &sb);
	qnm_sb_free(&sb);
	return n;
}

/*
 * qnm_api_vm_save() on a VM it may change: NIC models get their catalog
 * names; forwards to its NICs follow its new reservation (the lists of
 * every forward before and after are made only when there are such).
 */
static int save_vm(struct qnm_ctx *ctx, struct qnm_vm *vm, const char *old_name,
		   struct qnm_err *err)
{
	int r = resolve_models(ctx, vm, old_name ? qnm_model_find_vm(&ctx->model, old_name) : NULL,
			       err);

	struct qnm_api_fwd_list before;

	/* a NIC on a qnm network with DHCP gets its reservation now (core/reserve.h) */
	if (!r)
		r = qnm_model_assign_ips(&ctx->model, vm, old_name, NULL, err);
	if (r)
		return r;
	if (!targeted_fwds(&ctx->model, old_name ? old_name : vm->name))
		return qnm_ctx_save_vm(ctx, vm, old_name, err);
	qnm_api_forward_list(ctx, false, &before);
	r = qnm_ctx_save_vm(ctx, vm, old_name, err);
	if (!r) /* forwards to its NICs follow a new reservation on up networks */
		qnm_api_forward_follow(ctx, &before);
	qnm_api_forward_list_clear(&before);
	return r;
}

int qnm_api_vm_save(struct qnm_ctx *ctx, const struct qnm_vm *vm, const char *old_name,
		    struct qnm_err *err)
{
	struct qnm_vm *copy = qnm_vm_copy(vm);
	int r = save_vm(ctx, copy, old_name, err);

	qnm_vm_free(copy);
	return r;
}

/* refuse to take NIC @nic of VM @vm (any NIC: NULL) from under network forwards to it */
static int check_not_target(const struct qnm_model *m, const char *vm, const char *nic,
			    struct qnm_err *err)
{
	struct qnm_strbuf sb;
	size_t n;
	int r = 0;

	qnm_sb_init(&sb);
	n = qnm_model_targets_of(m, vm, nic, &sb);
	if (n)
		r = qnm_err_set(err, -EBUSY, "forward",
				"%s %s%s%s is the target of %s %s: remove %s first ('qnm forward "
				"del --net NETWORK HOSTSIDE')",
				nic ? "NIC" : "VM", vm, nic ? "/" : "", nic ? nic : "",
				n == 1 ? "forward" : "forwards", sb.s, n == 1 ? "it" : "them");
	qnm_sb_free(&sb);
	return r;
}

int qnm_api_vm_delete(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	/* the lock and the networks as they are now (is it a forward's target?):
	 * no other check depends on a VM's being there */
	struct qnm_problems problems = { 0 };
	struct qnm_model nets;
	int r = qnm_ctx_lock(ctx, err);

	if (r)
		return r;
	qnm_model_init(&nets);
	r = qnm_config_load_networks(&ctx->paths, &nets, &problems, err);
	if (!r)
		r = check_not_target(&nets, name, NULL, err);
	qnm_model_clear(&nets);
	qnm_problems_clear(&problems);
	if (!r)
		r = qnm_ctx_delete_vm(ctx, name, err);
	qnm_ctx_unlock(ctx);
	return r;
}

/* qnm_api_vm_clone() with the configuration lock held and the model fresh */
static int clone_locked(struct qnm_ctx *ctx, const char *name, const char *new_name,
			struct qnm_err *err)
{
	const struct qnm_vm *src = qnm_model_find_vm(&ctx->model, name);
	struct qnm_vm *vm;
	size_t i;
	int r;

	if (!src)
		return qnm_err_set(err, -ENOENT, "", "no VM named '%s'", name);
	r = qnm_api_vm_check_name(ctx, new_name, err);
	if (r)
		return r;
	vm = qnm_vm_copy(src);
	qnm_strlcpy(vm->name, new_name, sizeof(vm->name));
	/* new MACs now, saved with the clone: its command line is the one it runs */
	for (i = 0; i < vm->nnics; i++) {
		vm->nics[i].mac[0] = '\0';
		vm->nics[i].tap.ip[0] = '\0'; /* its own reservation, picked at its save */
	}
	r = qnm_model_assign_macs(&ctx->model, vm, NULL, NULL, err);
	if (!r)
		r = qnm_api_vm_save(ctx, vm, NULL, err);
	qnm_vm_free(vm);
	return r;
}

int qnm_api_vm_clone(struct qnm_ctx *ctx, const char *name, const char *new_name,
		     struct qnm_err *err)
{
	int r = qnm_ctx_begin(ctx, err);

	if (r)
		return r;
	r = clone_locked(ctx, name, new_name, err);
	qnm_ctx_unlock(ctx);
	return r;
}

void qnm_api_nic_init(const struct qnm_vm *vm, struct qnm_nic *nic)
{
	struct qnm_vm *tmp = qnm_vm_copy(vm);

	qnm_nic_copy(nic, qnm_vm_add_nic(tmp));
	qnm_vm_free(tmp);
}

/* The VM @vm_name of the model, or NULL with @err set. */
static const struct qnm_vm *find_vm(const struct qnm_ctx *ctx, const char *vm_name,
				    struct qnm_err *err)
{
	const struct qnm_vm *vm = qnm_model_find_vm(&ctx->model, vm_name);

	if (!vm)
		qnm_err_set(err, -ENOENT, "", "no VM named '%s' (qnm list shows them)", vm_name);
	return vm;
}

/* NIC @nic_id of @vm, or NULL with @err set. */
static struct qnm_nic *find_nic(const struct qnm_vm *vm, const char *nic_id, struct qnm_err *err)
{
	struct qnm_nic *nic = qnm_vm_find_nic(vm, nic_id);

	if (!nic)
		qnm_err_set(err, -ENOENT, "", "VM '%s' has no NIC '%s' (qnm nic list %s)", vm->name,
			    nic_id, vm->name);
	return nic;
}

int qnm_api_vm_edit(struct qnm_ctx *ctx, const char *name, qnm_api_vm_edit_fn fn, void *data,
		    struct qnm_err *err)
{
	const struct qnm_vm *orig;
	struct qnm_vm *vm = NULL;
	int r = qnm_ctx_begin_vm(ctx, name, err); /* its file and the index, when that does */

	if (r)
		return r;
	orig = find_vm(ctx, name, err);
	r = orig ? 0 : -ENOENT;
	if (!r) {
		vm = qnm_vm_copy(orig);
		r = fn(vm, data, err);
	}
	if (!r)
		r = qnm_api_vm_save(ctx, vm, name, err);
	qnm_vm_free(vm);
	qnm_ctx_unlock(ctx);
	return r;
}

/*
 * qnm_port_check_nic() for NIC @nic of the VM @vm_name replacing @before:
 * a port the VM's running QEMU or slirp helper holds for one of its own
 * forwards is the VM's, not a conflict (it is freed and taken again at the
 * restart that applies the change).
 */
static int check_gained_ports(const struct qnm_ctx *ctx, const char *vm_name,
			      const struct qnm_nic *before, const struct qnm_nic *nic,
			      const char *field, struct qnm_err *err)
{
	struct qnm_vm *running = qnm_api_vm_running_config(ctx, vm_name);
	struct qnm_fwd *ours = NULL;
	size_t n = 0, i, k;
	int r;

	if (!running || !qnm_nic_backend(nic)->has_hostfwd) {
		qnm_vm_free(running);
		return qnm_port_check_nic(before, nic, field, err);
	}
	for (i = 0; before && qnm_nic_backend(before)->has_hostfwd && i < before->user.nfwd; i++)
		qnm_fwd_add(&ours, &n, &before->user.fwd[i]);
	for (k = 0; k < running->nnics; k++) {
		const struct qnm_nic *rn = &running->nics[k];

		for (i = 0; qnm_nic_backend(rn)->has_hostfwd && i < rn->user.nfwd; i++)
			qnm_fwd_add(&ours, &n, &rn->user.fwd[i]);
	}
	r = qnm_port_check_fwds(ours, n, nic->user.fwd, nic->user.nfwd, field, err);
	free(ours);
	qnm_vm_free(running);
	return r;
}

/*
 * Save @vm (a changed copy of the model's VM of the same name) whose NIC
 * @idx was added or changed from @before (NULL: added): MACs for the NICs
 * without one, the VM checked in the model, the host forwards the NIC gains
 * free now (named here rather than by QEMU's "Could not set up host
 * forwarding rule" at the next start), then the one save path. The NIC's
 * MAC is copied back to @out.
 */
static int save_nic(struct qnm_ctx *ctx, struct qnm_vm *vm, size_t idx,
		    const struct qnm_nic *before, struct qnm_nic *out, struct qnm_err *err)
{
	char field[64];
	int r;

	r = qnm_model_assign_macs(&ctx->model, vm, NULL, NULL, err);
	/* a NIC moved to another network gets an address there before the checks */
	if (!r)
		r = qnm_model_assign_ips(&ctx->model, vm, vm->name, NULL, err);
	if (!r)
		r = qnm_ctx_check_vm(ctx, vm, vm->name, err);
	if (!r) {
		snprintf(field, sizeof(field), "nic[%s].hostfwd", vm->nics[idx].id);
		r = check_gained_ports(ctx, vm->name, before, &vm->nics[idx], field, err);
	}
	if (!r)
		r = save_vm(ctx, vm, vm->name, err);
	if (!r) {
		qnm_strlcpy(out->mac, vm->nics[idx].mac, sizeof(out->mac));
		qnm_strlcpy(out->model, vm->nics[idx].model, sizeof(out->model));
	}
	return r;
}

static int nic_add_locked(struct qnm_ctx *ctx, const char *vm_name, struct qnm_nic *nic,
			  struct qnm_err *err)
{
	const struct qnm_vm *orig = find_vm(ctx, vm_name, err);
	struct qnm_vm *vm;
	struct qnm_nic *added;
	int r;

	if (!orig)
		return -ENOENT;
	vm = qnm_vm_copy(orig);
	added = qnm_vm_add_nic(vm);
	qnm_nic_clear(added);
	qnm_nic_copy(added, nic);
	r = save_nic(ctx, vm, vm->nnics - 1, NULL, nic, err);
	qnm_vm_free(vm);
	return r;
}

static int nic_set_locked(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
			  struct qnm_nic *nic, struct qnm_err *err)
{
	const struct qnm_vm *orig = find_vm(ctx, vm_name, err);
	const struct qnm_nic *before = orig ? find_nic(orig, nic_id, err) : NULL;
	struct qnm_vm *vm;
	size_t idx;
	int r;

	if (!before)
		return -ENOENT;
	idx = (size_t)(before - orig->nics);
	vm = qnm_vm_copy(orig);
	qnm_nic_clear(&vm->nics[idx]);
	qnm_nic_copy(&vm->nics[idx], nic);
	r = save_nic(ctx, vm, idx, before, nic, err);
	qnm_vm_free(vm);
	return r;
}

static int nic_del_locked(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
			  struct qnm_err *err)
{
	const struct qnm_vm *orig = find_vm(ctx, vm_name, err);
	const struct qnm_nic *nic = orig ? find_nic(orig, nic_id, err) : NULL;
	struct qnm_vm *vm;
	int r;

	if (!nic)
		return -ENOENT;
	r = check_not_target(&ctx->model, vm_name, nic_id, err);
	if (r)
		return r;
	vm = qnm_vm_copy(orig);
	qnm_vm_del_nic(vm, (size_t)(nic - orig->nics));
	r = qnm_api_vm_save(ctx, vm, vm->name, err);
	qnm_vm_free(vm);
	return r;
}

int qnm_api_nic_add(struct qnm_ctx *ctx, const char *vm_name, struct qnm_nic *nic,
		    struct qnm_err *err)
{
	int r = qnm_ctx_begin(ctx, err);

	if (r)
		return r;
	r = nic_add_locked(ctx, vm_name, nic, err);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_nic_set(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
		    struct qnm_nic *nic, struct qnm_err *err)
{
	int r = qnm_ctx_begin(ctx, err);

	if (r)
		return r;
	r = nic_set_locked(ctx, vm_name, nic_id, nic, err);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_nic_del(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
		    struct qnm_err *err)
{
	int r = qnm_ctx_begin(ctx, err);

	if (r)
		return r;
	r = nic_del_locked(ctx, vm_name, nic_id, err);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_nic_edit(struct qnm_ctx *ctx, const char *vm_name, const char *nic_id,
		     qnm_api_nic_edit_fn fn, void *data, struct qnm_nic *out, struct qnm_err *err)
{
	const struct qnm_vm *vm;
	const struct qnm_nic *cur;
	int r;

	memset(out, 0, sizeof(*out));
	r = qnm_ctx_begin(ctx, err);
	if (r)
		return r;
	vm = find_vm(ctx, vm_name, err);
	cur = vm && nic_id ? find_nic(vm, nic_id, err) : NULL;
	if (!vm || (nic_id && !cur)) {
		qnm_ctx_unlock(ctx);
		return -ENOENT;
	}
	if (cur)
		qnm_nic_copy(out, cur);
	else
		qnm_api_nic_init(vm, out);
	r = fn(out, data, err);
	if (!r)
		r = cur ? nic_set_locked(ctx, vm_name, nic_id, out, err)
			: nic_add_locked(ctx, vm_name, out, err);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_nic_check(const struct qnm_ctx *ctx, const struct qnm_vm *vm, int index,
		      const struct qnm_nic *nic, struct qnm_err *err)
{
	size_t i;
	int r;

	/* only the NIC rules matter here; VM fields are the VM's save's business */
	r = qnm_check_nic(nic, err);
	if (!r && (index < 0 || (size_t)index >= vm->nnics ||
		   strcmp(vm->nics[index].model, nic->model) != 0)) {
		struct qnm_catalog *cat = NULL;
		char name[sizeof(nic->model)];

		r = resolve_model(ctx, vm->arch, nic, &cat, name, sizeof(name), err);
		qnm_catalog_free(cat);
		if (!r && name[0])
			r = check_props(ctx, vm->arch, nic, name, err);
	} else if (!r && strcmp(vm->nics[index].props, nic->props) != 0) {
		r = check_props(ctx, vm->arch, nic, nic->model, err);
	}
	for (i = 0; i < vm->nnics && !r; i++) {
		const struct qnm_nic *o = &vm->nics[i];

		if ((int)i == index)
			continue;
		if (strcmp(o->id, nic->id) == 0)
			r = qnm_err_set(err, -EINVAL, "id",
					"id: NIC '%s' already exists in this VM", o->id);
		else if (nic->mac[0] && strcasecmp(o->mac, nic->mac) == 0)
			r = qnm_err_set(err, -EINVAL, "mac",
					"mac: NIC '%s' of this VM already uses %s", o->id, o->mac);
	}
	/* new host ports of a user/slirp NIC must be free now: the process holding
	 * one is named at the field, not by QEMU at the next start (the NIC's
	 * own forwards may be held by its running guest) */
	if (!r)
		r = check_gained_ports(ctx, vm->name, index >= 0 ? &vm->nics[index] : NULL, nic,
				       "hostfwd", err);
	return r;
}

int qnm_api_vm_cmdline(const struct qnm_ctx *ctx, const struct qnm_vm *vm, bool nic_form,
		       struct qnm_strv *argv, struct qnm_err *err)
{
	struct qnm_cmdline_opts o = { .style = nic_form ? QNM_STYLE_NIC : QNM_STYLE_NETDEV,
				      .kvm = QNM_KVM_PROBE,
				      .cache_dir = ctx->paths.cache_dir,
				      .model = &ctx->model };
	struct qnm_rundir rd;
	int r;

	/* the helpers' sockets where qnm start puts them: the VM's runtime directory */
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, vm->name);
	o.slirp_dir = rd.path;
	r = qnm_vm_argv(vm, &o, argv, err);
	qnm_rundir_clear(&rd);
	return r;
}

/* @text as shell comment lines of at most @width - 1 columns (0: one line), words kept whole. */
static void add_comment(struct qnm_strbuf *sb, const char *text, size_t width)
{
	size_t max = width ? width - 1 : SIZE_MAX, col = 0;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (col && col + 1 + n > max) {
			qnm_sb_addc(sb, '\n');
			col = 0;
		}
		qnm_sb_add(sb, col ? " " : "# ");
		qnm_sb_addn(sb, p, n);
		col += (col ? 1 : 2) + n;
		p += n;
		p += strspn(p, " ");
	}
	qnm_sb_addc(sb, '\n');
}

/*
 * The path of qnm's CLI (the slirp helper is "qnm slirp-helper"); or "qnm"
 * from PATH, with a comment in @sb saying why.
 */
static char *self_exe(struct qnm_strbuf *sb, size_t width)
{
	struct qnm_err e = { 0 };
	char *path = qnm_prog_path(QNM_PROG_CLI, &e), *why;

	if (path)
		return path;
	why = xasprintf("qnm's own path is unknown (%s): this runs the qnm in PATH", e.msg);
	add_comment(sb, why, width);
	free(why);
	return xstrdup("qnm");
}

/* @argv as lines of @width (0: one line) appended to @sb, a line per option when @options. */
static void add_command(struct qnm_strbuf *sb, char *const *argv, size_t width, bool options)
{
	char *text = qnm_argv_to_shell_lines(argv, width ? width : SIZE_MAX / 2, options);

	qnm_sb_add(sb, text);
	free(text);
}

char *qnm_api_vm_script(const struct qnm_ctx *ctx, const struct qnm_vm *vm, bool nic_form,
			size_t width, struct qnm_err *err)
{
	struct qnm_strbuf sb;
	struct qnm_strv argv;
	struct qnm_rundir rd;
	char *exe = NULL, *text;
	size_t i;

	qnm_strv_init(&argv);
	if (qnm_api_vm_cmdline(ctx, vm, nic_form, &argv, err)) {
		qnm_strv_free(&argv);
		return NULL;
	}
	qnm_sb_init(&sb);
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, vm->name);
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_backend_ops *b = qnm_nic_backend(&vm->nics[i]);
		struct qnm_strv h;
		char line[128], *sockpath, *sockdir;

		if (!b || !b->helper_argv)
			continue;
		qnm_strv_init(&h);
		if (!exe) {
			add_comment(&sb, "the runtime directory (qnm start makes it):", width);
			qnm_strv_add(&h, "mkdir");
			qnm_strv_add(&h, "-p");
			qnm_strv_add(&h, "-m");
			qnm_strv_add(&h, "0700");
			qnm_strv_add(&h, rd.path);
			add_command(&sb, h.v, width, false);
			qnm_strv_free(&h);
			qnm_strv_init(&h);
			exe = self_exe(&sb, width);
		}
		snprintf(line, sizeof(line),
			 "NIC %s's %s runs in a %s process; start it before QEMU:", vm->nics[i].id,
			 b->has_hostfwd ? "user-mode network" : "network", b->helper_name);
		add_comment(&sb, line, width);
		sockpath = b->helper_argv(exe, vm, &vm->nics[i], rd.path, &h);
		/* a socket outside the runtime dir (a private segment's): its dir too */
		sockdir = xstrdup(sockpath);
		*strrchr(sockdir, '/') = '\0';
		if (strcmp(sockdir, rd.path) != 0) {
			struct qnm_strv md;

			qnm_strv_init(&md);
			qnm_strv_add(&md, "mkdir");
			qnm_strv_add(&md, "-p");
			qnm_strv_add(&md, "-m");
			qnm_strv_add(&md, "0700");
			qnm_strv_add(&md, sockdir);
			add_command(&sb, md.v, width, false);
			qnm_strv_free(&md);
		}
		free(sockdir);
		text = qnm_argv_to_shell_lines(h.v, width ? width - 2 : SIZE_MAX / 2, true);
		/* run in the background: " &" after the last line */
		text[strlen(text) - 1] = '\0';
		qnm_sb_add(&sb, text);
		qnm_sb_add(&sb, " &\n");
		free(text);
		qnm_strv_free(&h);
		/* QEMU connects once, at start: the helper must listen by then */
		add_comment(&sb,
			    "wait until it listens (QEMU connects once, when it starts):", width);
		qnm_strv_init(&h);
		qnm_strv_add(&h, "until");
		qnm_strv_add(&h, "test");
		qnm_strv_add(&h, "-S");
		qnm_strv_take(&h, sockpath);
		add_command(&sb, h.v, width, false);
		qnm_sb_add(&sb, "do sleep 0.1\ndone\n");
		qnm_strv_free(&h);
	}
	/* by hand, the guest's console is this terminal: without a -serial, QEMU
	 * puts it on a display-less console and a guest printing to it stalls */
	for (i = 0; i < vm->nextra; i++)
		if (strcmp(vm->extra[i], "-serial") == 0 || strcmp(vm->extra[i], "-nographic") == 0)
			break;
	if (i == vm->nextra) {
		qnm_strv_add(&argv, "-serial");
		qnm_strv_add(&argv, "mon:stdio");
		add_comment(
			&sb,
			"QEMU, with the guest's console in this terminal (Ctrl-A X quits QEMU, "
			"Ctrl-A C its monitor); qnm start logs the console to a file instead and "
			"adds a QMP socket and a pid file in the runtime directory, to supervise it:",
			width);
	} else {
		add_comment(
			&sb,
			"QEMU (qnm start also adds a QMP socket, a pid file and the serial log in "
			"the runtime directory, to supervise it):",
			width);
	}
	add_command(&sb, argv.v, width, true);
	free(exe);
	qnm_rundir_clear(&rd);
	qnm_strv_free(&argv);
	return qnm_sb_steal(&sb);
}
