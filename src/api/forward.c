// SPDX-License-Identifier: GPL-2.0-or-later
/* forward.c - port forwards: listing, and add/remove/replace, saved and live (see forward.h). */
#include "build-config.h"

#include "api/forward.h"

#include "core/backend.h"
#include "core/ipv6net.h"
#include "core/reserve.h"
#include "core/validate.h"
#include "guest/rundir.h"
#include "host/nft.h"
#include "host/owner.h"
#include "watch/fwdpath.h"
#include "watch/portowner.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a running guest's slirp helper may take to answer, in ms. */
#define SLIRP_TIMEOUT_MS 1000

/* A NIC whose backend forwards host ports (user, slirp, passt). */
static bool is_user_nic(const struct qnm_nic *n)
{
	return qnm_nic_backend(n)->has_hostfwd;
}

/* single forwards @a and @b (no range, tcp or udp) have one host side */
static bool same_host_side(const struct qnm_fwd *a, const struct qnm_fwd *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       strcmp(a->host_addr, b->host_addr) == 0;
}

/* the forward of @v whose host side @f names: its protocol, address and a port of its range */
static int find_in(const struct qnm_fwd *v, size_t n, const struct qnm_fwd *f)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].proto == f->proto && f->host_port >= v[i].host_port &&
		    (unsigned)f->host_port <= (unsigned)v[i].host_port + v[i].span &&
		    strcmp(v[i].host_addr, f->host_addr) == 0)
			return (int)i;
	return -1;
}

static bool given(const char *s)
{
	return s && s[0];
}

/* ---- listing ---- */

/* the live state of network forward @f, by what table inet qnm holds */
static const char *live_state(const struct qnm_api_fwd_list *l, const struct qnm_fwd *live,
			      size_t nlive, const struct qnm_fwd *f)
{
	size_t i, k, nk = qnm_fwd_count(f), found = 0, same = 0;
	struct qnm_fwd one;

	if (l->live_ret == -ENOENT)
		return "not applied";
	if (l->live_ret < 0)
		return "unknown";
	/* a range and tcp+udp are one map element per port and protocol */
	for (k = 0; k < nk; k++) {
		qnm_fwd_nth(f, k, &one);
		for (i = 0; i < nlive; i++)
			if (same_host_side(&live[i], &one)) {
				found++;
				same += strcmp(live[i].guest_addr, one.guest_addr) == 0 &&
					live[i].guest_port == one.guest_port;
				break;
			}
	}
	if (!found)
		return "not applied";
	return same == nk ? "active" : "differs in table";
}

static struct qnm_api_fwd_entry *list_add(struct qnm_api_fwd_list *l)
{
	struct qnm_api_fwd_entry *e;

	/* 10,000 forwards make a list of megabytes: grown by doubling, not by one */
	l->v = qnm_grow(l->v, l->n, sizeof(*l->v));
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

void qnm_api_forward_list(const struct qnm_ctx *ctx, bool read_live, struct qnm_api_fwd_list *out)
{
	const struct qnm_model *m = &ctx->model;
	struct qnm_fwd *live = NULL;
	size_t nlive = 0, i, j, k;
	bool any_net = false;
	struct qnm_fwdpath path;
	struct qnm_err err;

	memset(out, 0, sizeof(*out));
	qnm_fwdpath_init(&path);
	for (i = 0; i < m->nnets; i++)
		if (m->nets[i]->nfwd)
			any_net = true;
	qnm_err_clear(&err);
	out->live_ret = read_live && any_net ? qnm_nft_read_forwards(&live, &nlive, &err) : -ENOENT;
	if (out->live_ret < 0 && out->live_ret != -ENOENT)
		qnm_strlcpy(out->live_err, err.msg, sizeof(out->live_err));
	for (i = 0; i < m->nvms; i++) {
		const struct qnm_vm *vm = m->vms[i];

		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_nic *nic = &vm->nics[j];

			if (!is_user_nic(nic))
				continue;
			for (k = 0; k < nic->user.nfwd; k++) {
				struct qnm_api_fwd_entry *e = list_add(out);

				e->kind = QNM_API_FWD_HOSTFWD;
				qnm_strlcpy(e->ref.vm, vm->name, sizeof(e->ref.vm));
				qnm_strlcpy(e->ref.nic, nic->id, sizeof(e->ref.nic));
				e->ref.index = (int)k;
				e->backend = qnm_backend_name(nic->backend);
				e->fwd = nic->user.fwd[k];
				e->state = "at VM start";
			}
		}
	}
	for (i = 0; i < m->nnets; i++) {
		const struct qnm_network *net = m->nets[i];

		for (k = 0; k < net->nfwd; k++) {
			struct qnm_api_fwd_entry *e = list_add(out);

			e->kind = QNM_API_FWD_DNAT;
			qnm_strlcpy(e->ref.net, net->name, sizeof(e->ref.net));
			e->ref.index = (int)k;
			e->backend = "";
			qnm_strlcpy(e->bridge, net->bridge, sizeof(e->bridge));
			e->fwd = net->fwd[k];
			e->state = read_live ? live_state(out, live, nlive, &net->fwd[k]) : "";
			if (strcmp(e->state, "active") == 0 &&
			    !qnm_fwdpath_check(&path, net, &e->fwd, e->blocked, sizeof(e->blocked)))
				e->state = "blocked";
		}
	}
	qnm_fwdpath_clear(&path);
	free(live);
}

void qnm_api_forward_list_clear(struct qnm_api_fwd_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct qnm_api_fwd_ref *ref_add(struct qnm_api_fwd_ref *v, size_t *n)
{
	v = xreallocarray(v, *n + 1, sizeof(*v));
	memset(&v[*n], 0, sizeof(*v));
	v[(*n)++].index = -1;
	return v;
}

struct qnm_api_fwd_ref *qnm_api_forward_targets(const struct qnm_ctx *ctx, size_t *n)
{
	const struct qnm_model *m = &ctx->model;
	struct qnm_api_fwd_ref *v = NULL;
	size_t i, j;

	*n = 0;
	for (i = 0; i < m->nvms; i++) {
		for (j = 0; j < m->vms[i]->nnics; j++) {
			const struct qnm_nic *nic = &m->vms[i]->nics[j];

			if (!is_user_nic(nic))
				continue;
			v = ref_add(v, n);
			qnm_strlcpy(v[*n - 1].vm, m->vms[i]->name, sizeof(v->vm));
			qnm_strlcpy(v[*n - 1].nic, nic->id, sizeof(v->nic));
		}
	}
	for (i = 0; i < m->nnets; i++) {
		v = ref_add(v, n);
		qnm_strlcpy(v[*n - 1].net, m->nets[i]->name, sizeof(v->net));
	}
	return v;
}

struct qnm_api_fwd_nic *qnm_api_forward_nics(const struct qnm_ctx *ctx, size_t *n)
{
	const struct qnm_model *m = &ctx->model;
	struct qnm_api_fwd_nic *v = NULL;
	size_t i, j;

	*n = 0;
	for (i = 0; i < m->nvms; i++)
		for (j = 0; j < m->vms[i]->nnics; j++) {
			const struct qnm_nic *nic = &m->vms[i]->nics[j];
			const char *on = qnm_nic_network(nic);
			const struct qnm_network *net = on ? qnm_model_find_net(m, on) : NULL;
			struct qnm_api_fwd_nic *e;

			if (!net)
				continue;
			v = xreallocarray(v, *n + 1, sizeof(*v));
			e = &v[(*n)++];
			memset(e, 0, sizeof(*e));
			snprintf(e->target, sizeof(e->target), "%s/%s", m->vms[i]->name, nic->id);
			qnm_strlcpy(e->net, net->name, sizeof(e->net));
			if (qnm_reserve_fits(net, nic->tap.ip))
				qnm_strlcpy(e->ip, nic->tap.ip, sizeof(e->ip));
		}
	return v;
}

const struct qnm_fwd *qnm_api_forward_get(const struct qnm_ctx *ctx,
					  const struct qnm_api_fwd_ref *r)
{
	const struct qnm_model *m = &ctx->model;

	if (r->vm[0]) {
		struct qnm_vm *vm = qnm_model_find_vm(m, r->vm);
		struct qnm_nic *nic = vm ? qnm_vm_find_nic(vm, r->nic) : NULL;

		if (!nic || r->index < 0 || (size_t)r->index >= nic->user.nfwd)
			return NULL;
		return &nic->user.fwd[r->index];
	} else {
		struct qnm_network *net = qnm_model_find_net(m, r->net);

		if (!net || r->index < 0 || (size_t)r->index >= net->nfwd)
			return NULL;
		return &net->fwd[r->index];
	}
}

/* ---- changing ---- */

/**
 * struct side - one owner being changed: a copy of its VM (and the NIC in
 * it) or of its network, with the original to restore.
 * @kind:   hostfwd (@vm, @nic) or dnat (@net).
 * @vm:     copy of the owner VM; @orig the model's VM when it was copied.
 * @nic:    the NIC within @vm.
 * @net:    copy of the owner network; @orig_net likewise.
 * @shared: @vm or @net is the other side's copy (one object, one save).
 * @up:     dnat: the network is up (bridge and table inet qnm exist).
 */
struct side {
	enum qnm_api_fwd_kind kind;
	struct qnm_vm *vm, *orig_vm;
	struct qnm_nic *nic;
	struct qnm_network *net, *orig_net;
	bool shared;
	bool up;
};

static void side_clear(struct side *s)
{
	if (!s->shared) {
		qnm_vm_free(s->vm);
		qnm_vm_free(s->orig_vm);
		qnm_network_free(s->net);
		qnm_network_free(s->orig_net);
	}
	memset(s, 0, sizeof(*s));
}

static struct qnm_fwd **side_list(struct side *s, size_t **n)
{
	if (s->kind == QNM_API_FWD_DNAT) {
		*n = &s->net->nfwd;
		return &s->net->fwd;
	}
	*n = &s->nic->user.nfwd;
	return &s->nic->user.fwd;
}

static int pick_nic(struct side *s, const char *id, struct qnm_err *err)
{
	struct qnm_vm *vm = s->vm;
	size_t i;

	if (given(id)) {
		struct qnm_nic *n = qnm_vm_find_nic(vm, id);

		if (!n)
			return qnm_err_set(err, -ENOENT, "nic", "nic: VM '%s' has no NIC '%s'",
					   vm->name, id);
		if (!is_user_nic(n))
			return qnm_err_set(
				err, -EINVAL, "nic",
				"nic: NIC '%s' of VM '%s' uses backend %s; host forwards need a user "
				"or slirp NIC, or a passt one (for tap NICs forward on their network "
				"with --net)",
				id, vm->name, qnm_backend_name(n->backend));
		s->nic = n;
		return 0;
	}
	for (i = 0; i < vm->nnics; i++)
		if (is_user_nic(&vm->nics[i])) {
			s->nic = &vm->nics[i];
			return 0;
		}
	return qnm_err_set(
		err, -ENOENT, "nic",
		"VM '%s' has no user, slirp or passt NIC to forward to (add one with 'qnm nic "
		"add %s backend=user')",
		vm->name, vm->name);
}

/* Fill @s with a copy of the owner @o names; one of @other's when it is the same object. */
static int resolve(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *o, const struct side *other,
		   struct side *s, struct qnm_err *err)
{
	memset(s, 0, sizeof(*s));
	if (given(o->vm) && given(o->net))
		return qnm_err_set(err, -EINVAL, "", "give either a VM or a network, not both");
	if (given(o->net)) {
		struct qnm_network *net = qnm_model_find_net(&ctx->model, o->net);

		if (!net)
			return qnm_err_set(err, -ENOENT, "net", "no network named '%s'", o->net);
		s->kind = QNM_API_FWD_DNAT;
		if (other && other->net && strcmp(other->net->name, net->name) == 0) {
			s->net = other->net;
			s->shared = true;
		} else {
			s->net = qnm_network_copy(net);
			s->orig_net = qnm_network_copy(net);
		}
		return 0;
	}
	if (given(o->vm)) {
		struct qnm_vm *vm = qnm_model_find_vm(&ctx->model, o->vm);

		if (!vm)
			return qnm_err_set(err, -ENOENT, "vm",
					   "no VM named '%s' (qnm list shows them)", o->vm);
		s->kind = QNM_API_FWD_HOSTFWD;
		if (other && other->vm && strcmp(other->vm->name, vm->name) == 0) {
			s->vm = other->vm;
			s->shared = true;
		} else {
			s->vm = qnm_vm_copy(vm);
			s->orig_vm = qnm_vm_copy(vm);
		}
		return pick_nic(s, o->nic, err);
	}
	return qnm_err_set(err, -EINVAL, "", "give a VM (and NIC) or a network");
}

/* no owner named: the one owner of host side @f in the model */
static int find_owner(const struct qnm_ctx *ctx, const struct qnm_fwd *f,
		      struct qnm_api_fwd_owner *o, struct qnm_err *err)
{
	size_t i, j, found = 0;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < ctx->model.nvms; i++) {
		const struct qnm_vm *vm = ctx->model.vms[i];

		for (j = 0; j < vm->nnics; j++)
			if (is_user_nic(&vm->nics[j]) &&
			    find_in(vm->nics[j].user.fwd, vm->nics[j].user.nfwd, f) >= 0) {
				o->vm = vm->name;
				o->nic = vm->nics[j].id;
				found++;
			}
	}
	for (i = 0; i < ctx->model.nnets; i++)
		if (find_in(ctx->model.nets[i]->fwd, ctx->model.nets[i]->nfwd, f) >= 0) {
			o->net = ctx->model.nets[i]->name;
			o->vm = NULL;
			found++;
		}
	if (found == 1)
		return 0;
	if (found)
		return qnm_err_set(err, -EEXIST, "forward",
				   "host side %s %s:%u is forwarded more than once; name the owner "
				   "with --vm or --net",
				   qnm_proto_name(f->proto), f->host_addr, f->host_port);
	return qnm_err_set(err, -ENOENT, "forward",
			   "no forward has host side %s %s:%u (qnm forward list shows them)",
			   qnm_proto_name(f->proto), f->host_addr, f->host_port);
}

/*
 * Check the changed copies of @a and @b (either may be unused or shared)
 * on their own and against the rest of the model, as if each replaced the
 * model's object of its name (appended at the end, as qnm_ctx_check_vm()).
 */
static int check_model(const struct qnm_ctx *ctx, const struct side *a, const struct side *b,
		       struct qnm_err *err)
{
	const struct side *sides[2] = { a, b };
	struct qnm_model view = ctx->model;
	size_t i, k;
	int r = 0;

	for (k = 0; k < 2 && !r; k++) {
		const struct side *s = sides[k];

		if (s->shared)
			continue;
		if (s->vm)
			r = qnm_check_vm(s->vm, err);
		else if (s->net)
			r = qnm_check_network(s->net, err);
	}
	if (r)
		return r;
	view.vms = xreallocarray(NULL, ctx->model.nvms + 2, sizeof(*view.vms));
	view.nets = xreallocarray(NULL, ctx->model.nnets + 2, sizeof(*view.nets));
	view.nvms = view.nnets = 0;
	for (i = 0; i < ctx->model.nvms; i++) {
		const char *name = ctx->model.vms[i]->name;

		if (!((a->vm && strcmp(a->vm->name, name) == 0) ||
		      (b->vm && strcmp(b->vm->name, name) == 0)))
			view.vms[view.nvms++] = ctx->model.vms[i];
	}
	for (i = 0; i < ctx->model.nnets; i++) {
		const char *name = ctx->model.nets[i]->name;

		if (!((a->net && strcmp(a->net->name, name) == 0) ||
		      (b->net && strcmp(b->net->name, name) == 0)))
			view.nets[view.nnets++] = ctx->model.nets[i];
	}
	for (k = 0; k < 2; k++) {
		if (sides[k]->shared)
			continue;
		if (sides[k]->vm)
			view.vms[view.nvms++] = sides[k]->vm;
		else if (sides[k]->net)
			view.nets[view.nnets++] = sides[k]->net;
	}
	r = qnm_check_model(&view, err);
	free(view.vms);
	free(view.nets);
	return r;
}

/*
 * a network is up when its bridge exists and table inet qnm exists; an ovn
 * network never is here: its forwards are load balancers of its OVN router,
 * not elements of this host's table (see change_live())
 */
static int net_is_up(const struct qnm_network *net, struct qnm_err *err)
{
	if (net->mode == QNM_NET_OVN || !if_nametoindex(net->bridge))
		return 0;
	return qnm_nft_table_exists(err);
}

/* what became of a network's saved forward change: @up from net_is_up() */
static enum qnm_api_fwd_live change_live(const struct qnm_network *net, int up)
{
	if (net && net->mode == QNM_NET_OVN)
		return QNM_API_FWD_NET_UP;
	return up ? QNM_API_FWD_LIVE : QNM_API_FWD_LATER;
}

/**
 * struct live_log - the live table changes made so far, to undo.
 * @add: each was an add (else a delete), @f the forward; @n of them.
 */
struct live_log {
	bool add[2];
	struct qnm_fwd f[2];
	size_t n;
};

static int nft_change(struct live_log *log, bool add, const struct qnm_fwd *f, struct qnm_err *err)
{
	int r = add ? qnm_nft_add_forward(f, err) : qnm_nft_del_forward(f, err);

	if (r == -ENOENT && !add) {
		qnm_err_clear(err); /* not in the table: nothing to remove, nothing to undo */
		return 0;
	}
	if (r)
		return r;
	log->add[log->n] = add;
	log->f[log->n++] = *f;
	return 0;
}

/* undo @log in reverse order; the first failure's message goes to @res->undo_err */
static void nft_undo(struct live_log *log, struct qnm_api_fwd_result *res)
{
	struct qnm_err undo;

	while (log->n) {
		size_t i = --log->n;
		int r;

		qnm_err_clear(&undo);
		r = log->add[i] ? qnm_nft_del_forward(&log->f[i], &undo)
				: qnm_nft_add_forward(&log->f[i], &undo);
		if (r && !res->undo_err[0])
			qnm_strlcpy(res->undo_err, undo.msg, sizeof(res->undo_err));
	}
}

size_t qnm_api_forward_follow(struct qnm_ctx *ctx, const struct qnm_api_fwd_list *before)
{
	struct qnm_api_fwd_list now;
	size_t i, j, moved = 0;

	qnm_api_forward_list(ctx, false, &now);
	for (i = 0; i < now.n; i++) {
		const struct qnm_api_fwd_entry *e = &now.v[i];
		const struct qnm_network *net;
		struct live_log log = { 0 };
		struct qnm_err err;

		if (e->kind != QNM_API_FWD_DNAT || !e->fwd.target[0])
			continue;
		for (j = 0; j < before->n; j++) {
			const struct qnm_api_fwd_entry *b = &before->v[j];

			if (b->kind == QNM_API_FWD_DNAT && strcmp(b->ref.net, e->ref.net) == 0 &&
			    same_host_side(&b->fwd, &e->fwd))
				break;
		}
		if (j == before->n || strcmp(before->v[j].fwd.guest_addr, e->fwd.guest_addr) == 0)
			continue;
		net = qnm_model_find_net(&ctx->model, e->ref.net);
		qnm_err_clear(&err);
		if (!net || net_is_up(net, &err) != 1)
			continue;
		/* the old element goes (if it is there), the new one comes */
		if (nft_change(&log, false, &before->v[j].fwd, &err) == 0 &&
		    (!e->fwd.guest_addr[0] || nft_change(&log, true, &e->fwd, &err) == 0))
			moved++;
	}
	qnm_api_forward_list_clear(&now);
	return moved;
}

static int save_side(struct qnm_ctx *ctx, const struct side *s, bool orig, struct qnm_err *err)
{
	if (s->kind == QNM_API_FWD_DNAT) {
		const struct qnm_network *n = orig ? s->orig_net : s->net;

		return qnm_ctx_save_network(ctx, n, n->name, err);
	} else {
		const struct qnm_vm *vm = orig ? s->orig_vm : s->vm;

		return qnm_ctx_save_vm(ctx, vm, vm->name, err);
	}
}

/*
 * A NIC of a running VM whose backend takes forwards live (slirp: through
 * its helper's control socket): remove @old (when not NULL), then add @f
 * (when not NULL). Return: 1 applied, 0 not running / not live, -errno
 * when the backend refused (@err says why).
 */
static int slirp_live(const struct qnm_ctx *ctx, const struct side *s, const struct qnm_fwd *old,
		      const struct qnm_fwd *f, struct qnm_err *err)
{
	struct qnm_run_info info;
	struct qnm_rundir rd;
	int r;

	if (s->kind != QNM_API_FWD_HOSTFWD || !qnm_nic_backend(s->nic)->hostfwd_live)
		return 0;
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, s->vm->name);
	if (qnm_rundir_probe(&rd, &info) || info.status != QNM_RUN_RUNNING) {
		qnm_rundir_clear(&rd);
		return 0;
	}
	r = qnm_nic_backend(s->nic)->hostfwd_live(rd.path, s->nic, old, f, SLIRP_TIMEOUT_MS, err);
	if (!r) /* what runs now */
		qnm_rundir_running_fwd(&rd, s->nic->id, old, f);
	qnm_rundir_clear(&rd);
	return r ? r : 1;
}

static void fill_ref(const struct side *s, struct qnm_api_fwd_result *res)
{
	res->kind = s->kind;
	memset(&res->ref, 0, sizeof(res->ref));
	res->ref.index = -1;
	if (s->kind == QNM_API_FWD_DNAT) {
		qnm_strlcpy(res->ref.net, s->net->name, sizeof(res->ref.net));
	} else {
		qnm_strlcpy(res->ref.vm, s->vm->name, sizeof(res->ref.vm));
		qnm_strlcpy(res->ref.nic, s->nic->id, sizeof(res->ref.nic));
	}
}

/* one live step of side @s into @res (NIC sides only): the target's state, a refusal wins */
static void note_slirp(const struct side *s, int r, const struct qnm_err *e, bool target,
		       struct qnm_api_fwd_result *res)
{
	if (s->kind != QNM_API_FWD_HOSTFWD)
		return;
	if (r < 0) {
		res->live = QNM_API_FWD_REFUSED;
		qnm_strlcpy(res->why, e->msg, sizeof(res->why));
	} else if (target && res->live != QNM_API_FWD_REFUSED) {
		res->live = r ? QNM_API_FWD_LIVE : QNM_API_FWD_LATER;
	}
}

/*
 * A forward @f to a NIC ("VM/NIC", @f->target) going to side @s: the NIC
 * must be a TAP NIC on that network with a reservation, which becomes
 * @f's guest address.
 */
static int resolve_target(const struct qnm_ctx *ctx, const struct side *s, struct qnm_fwd *f,
			  struct qnm_err *err)
{
	const struct qnm_vm *vm;
	const struct qnm_nic *nic;
	const char *on;

	if (s->kind != QNM_API_FWD_DNAT)
		return qnm_err_set(err, -EINVAL, "to",
				   "to: a forward to VM/NIC (%s) goes on a network (--net); a "
				   "hostfwd goes to its own NIC's guest",
				   f->target);
	nic = qnm_model_find_target(&ctx->model, f->target, &vm);
	if (!vm)
		return qnm_err_set(err, -ENOENT, "to", "to: %s names no VM (qnm list shows them)",
				   f->target);
	if (!nic)
		return qnm_err_set(err, -ENOENT, "to",
				   "to: VM '%s' has no NIC '%s' (qnm nic list %s)", vm->name,
				   strchr(f->target, '/') + 1, vm->name);
	on = qnm_nic_network(nic);
	if (!on || strcmp(on, s->net->name) != 0)
		return qnm_err_set(err, -EINVAL, "to",
				   "to: NIC %s is not a TAP NIC on network %s (%s%s)", f->target,
				   s->net->name, on ? "it is on network " : "its backend is ",
				   on ? on : qnm_backend_name(nic->backend));
	if (!qnm_reserve_fits(s->net, nic->tap.ip))
		return qnm_err_set(
			err, -EINVAL, "to",
			"to: NIC %s has no reserved address on network %s%s: give it one "
			"with 'qnm nic set %s %s ip=ADDRESS'",
			f->target, s->net->name,
			s->net->dhcp_start[0] ? "" : " (the network has no DHCP range)", vm->name,
			nic->id);
	qnm_strlcpy(f->guest_addr, nic->tap.ip, sizeof(f->guest_addr));
	/* on a network with IPv6 the live table gets its IPv6 side too (core/reserve.h) */
	qnm_net_ipv6_guest(s->net, nic->mac, f->guest_addr6, sizeof(f->guest_addr6));
	return 0;
}

/*
 * The one flow behind add, remove and replace (see forward.h): take the
 * forward with @old's host side out of @from (when given) and put @f into
 * @to (when given).
 */
static int change(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *from,
		  const struct qnm_fwd *old, const struct qnm_api_fwd_owner *to,
		  const struct qnm_fwd *f, struct qnm_api_fwd_result *res, struct qnm_err *err)
{
	struct side a = { 0 }, b = { 0 };
	struct qnm_fwd removed, **v, fx;
	struct live_log log = { 0 };
	bool same_list = false, a_saved = false;
	const struct side *target;
	struct qnm_err e2;
	int r, idx = -1;
	size_t *n;

	memset(res, 0, sizeof(*res));
	memset(&removed, 0, sizeof(removed));
	/* 1. the changed copies */
	if (from) {
		r = resolve(ctx, from, NULL, &a, err);
		if (r)
			goto out;
		v = side_list(&a, &n);
		idx = find_in(*v, *n, old);
		if (idx < 0) {
			if (a.kind == QNM_API_FWD_DNAT)
				r = qnm_err_set(err, -ENOENT, "forward",
						"network %s has no forward for host side %s %s:%u",
						a.net->name, qnm_proto_name(old->proto),
						old->host_addr, old->host_port);
			else
				r = qnm_err_set(err, -ENOENT, "forward",
						"NIC %s/%s has no forward for host side %s %s:%u",
						a.vm->name, a.nic->id, qnm_proto_name(old->proto),
						old->host_addr, old->host_port);
			goto out;
		}
		removed = (*v)[idx];
	}
	if (to) {
		r = resolve(ctx, to, from ? &a : NULL, &b, err);
		if (r)
			goto out;
		same_list = from && (a.kind == b.kind) &&
			    (a.kind == QNM_API_FWD_DNAT ? a.net == b.net : a.nic == b.nic);
		if (f->target[0]) { /* to a NIC: its reservation is the guest address */
			fx = *f;
			r = resolve_target(ctx, &b, &fx, err);
			if (r)
				goto out;
			f = &fx;
		}
	}
	if (from && !same_list) {
		v = side_list(&a, &n);
		qnm_fwd_del(v, n, (size_t)idx);
	}
	if (to) {
		v = side_list(&b, &n);
		if (same_list)
			(*v)[idx] = *f; /* in place: the file keeps its order */
		else
			qnm_fwd_add(v, n, f);
	}
	target = to ? &b : &a;
	fill_ref(target, res);
	res->fwd = to ? *f : removed;

	/*
	 * 2. a new host port of a NIC must be free now (first: a port held
	 * outside is the more useful news), and the whole model must hold
	 */
	if (to && b.kind == QNM_API_FWD_HOSTFWD) {
		r = qnm_port_check_fwds(same_list ? &removed : NULL, same_list ? 1 : 0, f, 1,
					"hostfwd", err);
		if (r)
			goto out;
	}
	r = check_model(ctx, &a, &b, err);
	if (r)
		goto out;

	/* 3. networks that are up: the live table first */
	if (from && a.kind == QNM_API_FWD_DNAT) {
		r = net_is_up(a.net, err);
		if (r < 0)
			goto out;
		a.up = r;
	}
	if (to && b.kind == QNM_API_FWD_DNAT) {
		if (b.shared) {
			b.up = a.up;
		} else {
			r = net_is_up(b.net, err);
			if (r < 0)
				goto out;
			b.up = r;
		}
	}
	if (from && a.up) {
		r = nft_change(&log, false, &removed, err);
		if (r)
			goto undo;
	}
	if (to && b.up) {
		r = nft_change(&log, true, f, err);
		if (r)
			goto undo;
	}

	/* 4. the files: the side that loses the forward first (no duplicate on the way) */
	if (from && !a.shared) {
		r = save_side(ctx, &a, false, err);
		if (r)
			goto undo;
		a_saved = true;
	}
	if (to && !b.shared) {
		r = save_side(ctx, &b, false, err);
		if (r) {
			qnm_err_clear(&e2);
			if (a_saved && save_side(ctx, &a, true, &e2))
				qnm_strlcpy(res->undo_err, e2.msg, sizeof(res->undo_err));
			goto undo;
		}
	}

	/* 5. the running guests' slirp helpers */
	if (to && b.kind == QNM_API_FWD_DNAT && b.net->mode == QNM_NET_OVN)
		qnm_ovn_fwd_exposure(b.net, f, res->why, sizeof(res->why));
	if (to && b.kind == QNM_API_FWD_DNAT)
		res->live = change_live(b.net, b.up);
	else if (!to && a.kind == QNM_API_FWD_DNAT)
		res->live = change_live(a.net, a.up);
	if (same_list) {
		qnm_err_clear(&e2);
		note_slirp(&a, slirp_live(ctx, &a, &removed, f, &e2), &e2, true, res);
	} else {
		if (from) {
			qnm_err_clear(&e2);
			note_slirp(&a, slirp_live(ctx, &a, &removed, NULL, &e2), &e2, !to, res);
		}
		if (to) {
			qnm_err_clear(&e2);
			note_slirp(&b, slirp_live(ctx, &b, NULL, f, &e2), &e2, true, res);
		}
	}
	if (target->kind == QNM_API_FWD_DNAT && !target->up && res->live != QNM_API_FWD_NET_UP)
		res->table_missing =
			qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_NET, target->net->name);
	r = 0;
	goto out;
undo:
	nft_undo(&log, res);
out:
	side_clear(&b);
	side_clear(&a);
	return r;
}

/*
 * A forward to a guest address added to a network by a process that has
 * not loaded the model, when the index proves it holds
 * (qnm_ctx_fwd_add_begin()): the live element, then one line appended to
 * the network's file; else 1 (nothing done: the whole path).
 */
static int add_to_net_indexed(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *to,
			      const struct qnm_fwd *f, struct qnm_api_fwd_result *res,
			      struct qnm_err *err)
{
	struct live_log log = { 0 };
	struct qnm_network *net;
	int r, up;

	if (!given(to->net) || given(to->vm))
		return 1;
	r = qnm_ctx_fwd_add_begin(ctx, to->net, f, &net, err);
	if (r)
		return r;
	up = net_is_up(net, err);
	r = up < 0 ? up : 0;
	if (!r && up)
		r = nft_change(&log, true, f, err);
	if (!r) {
		r = qnm_ctx_fwd_add_commit(ctx, to->net, f, err);
		if (r)
			nft_undo(&log, res);
	}
	if (!r) {
		res->kind = QNM_API_FWD_DNAT;
		res->ref.index = -1;
		qnm_strlcpy(res->ref.net, net->name, sizeof(res->ref.net));
		res->fwd = *f;
		res->live = change_live(net, up);
		if (net->mode == QNM_NET_OVN)
			qnm_ovn_fwd_exposure(net, f, res->why, sizeof(res->why));
		if (!up && net->mode != QNM_NET_OVN)
			res->table_missing =
				qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_NET, net->name);
	}
	qnm_network_free(net);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_forward_add(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *to,
			const struct qnm_fwd *f, struct qnm_api_fwd_result *res,
			struct qnm_err *err)
{
	int r;

	memset(res, 0, sizeof(*res));
	r = to ? add_to_net_indexed(ctx, to, f, res, err) : 1;
	if (r <= 0)
		return r;
	r = qnm_ctx_begin(ctx, err);
	if (r)
		return r;
	r = change(ctx, NULL, NULL, to, f, res, err);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_forward_remove(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *from,
			   const struct qnm_fwd *host_side, struct qnm_api_fwd_result *res,
			   struct qnm_err *err)
{
	struct qnm_api_fwd_owner found;
	int r;

	memset(res, 0, sizeof(*res));
	r = qnm_ctx_begin(ctx, err);
	if (r)
		return r;
	if (!from || (!given(from->vm) && !given(from->net))) {
		r = find_owner(ctx, host_side, &found, err);
		from = &found;
	}
	if (!r)
		r = change(ctx, from, host_side, NULL, NULL, res, err);
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_forward_replace(struct qnm_ctx *ctx, const struct qnm_api_fwd_owner *from,
			    const struct qnm_fwd *old, const struct qnm_api_fwd_owner *to,
			    const struct qnm_fwd *f, struct qnm_api_fwd_result *res,
			    struct qnm_err *err)
{
	int r;

	memset(res, 0, sizeof(*res));
	r = qnm_ctx_begin(ctx, err);
	if (r)
		return r;
	r = change(ctx, from, old, to, f, res, err);
	qnm_ctx_unlock(ctx);
	return r;
}
