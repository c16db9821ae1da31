// SPDX-License-Identifier: GPL-2.0-or-later
/* net.c - the use cases of qnm's host networks (see net.h). */
#include "build-config.h"

#include "api/net.h"
#include "api/netguard.h"

#include "core/backend.h"
#include "core/ipv6net.h"
#include "core/reserve.h"
#include "core/validate.h"
#include "host/hostip.h"
#include "host/netctl.h"
#include "host/owner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool qnm_api_net_have_cap_net_admin(void)
{
	return qnm_have_cap_net_admin();
}

void qnm_api_nic_ipv6(const struct qnm_ctx *ctx, const struct qnm_nic *nic, char *buf, size_t size,
		      char *net)
{
	const char *on = qnm_nic_network(nic);
	const struct qnm_network *n = on ? qnm_model_find_net(&ctx->model, on) : NULL;
	struct qnm_problems problems = { 0 };
	struct qnm_model nets;

	buf[0] = '\0';
	if (net)
		net[0] = '\0';
	qnm_model_init(&nets);
	if (on && !n && ctx->one && /* a command about one VM: its network from the files */
	    qnm_config_load_networks(&ctx->paths, &nets, &problems, NULL) == 0)
		n = qnm_model_find_net(&nets, on);
	if (n && nic->mac[0] && qnm_net_ipv6_guest(n, nic->mac, buf, size) == 0 && net)
		qnm_strlcpy(net, n->name, QNM_NAME_MAX + 1);
	qnm_model_clear(&nets);
	qnm_problems_clear(&problems);
}

void qnm_api_net_ipv6(const struct qnm_network *net, char *buf, size_t size)
{
	qnm_net_ipv6_text(net, buf, size);
}

int qnm_api_net_new(const struct qnm_ctx *ctx, const char *name, struct qnm_network **out,
		    struct qnm_err *err)
{
	*out = NULL;
	if (!qnm_valid_name(name))
		return qnm_err_set(err, -EINVAL, "name",
				   "name: '%s' must be 1-%d letters, digits, '_', '-' or '.', "
				   "starting with a letter or digit",
				   name, QNM_NAME_MAX);
	if (qnm_model_find_net(&ctx->model, name))
		return qnm_err_set(err, -EEXIST, "name",
				   "name: a network named '%s' already exists", name);
	*out = qnm_network_new(name);
	return 0;
}

/*
 * What a network that is up cannot change in place: its name (its records),
 * its bridge, its mode and its port (what "down" must undo), and the address
 * of a bridged network (its bridge carries the host's addresses: a change
 * there could cut the admin off, and is not guarded). The rest (address,
 * DHCP range, uplink, forwards) a new "up" applies over it: none of it moves
 * the host's own addresses or routes (a NAT uplink only names the masquerade
 * rule's output interface).
 */
static int check_up_change(const struct qnm_ctx *ctx, const struct qnm_network *net,
			   const char *old_name, struct qnm_err *err)
{
	const char *name = old_name ? old_name : net->name;
	const struct qnm_network *o = qnm_model_find_net(&ctx->model, name);
	const char *key = NULL;

	if (!o || !qnm_api_net_is_up(ctx, name))
		return 0;
	if (strcmp(o->name, net->name) != 0)
		key = "name";
	else if (strcmp(o->bridge, net->bridge) != 0)
		key = "bridge";
	else if (o->mode != net->mode)
		key = "mode";
	else if (!qnm_streq(o->port, net->port))
		key = "port";
	if (!key && o->mode == QNM_NET_BRIDGED &&
	    (strcmp(o->address, net->address) != 0 || o->prefix != net->prefix))
		return qnm_err_set(err, -EBUSY, "address",
				   "address: network %s is up and bridged: its bridge carries the "
				   "host's addresses from port %s, so its own address changes only "
				   "while it is down (qnm net down %s)",
				   name, o->port, name);
	if (!key)
		return 0;
	return qnm_err_set(err, -EBUSY, key,
			   "%s: network %s is up: its name, bridge, mode and port change only "
			   "while it is down (qnm net down %s)",
			   key, name, name);
}

int qnm_api_net_save(struct qnm_ctx *ctx, const struct qnm_network *net, const char *old_name,
		     bool *is_up, struct qnm_err *err)
{
	int r = check_up_change(ctx, net, old_name, err);

	if (!r)
		r = qnm_ctx_save_network(ctx, net, old_name, err);

	if (is_up)
		*is_up = !r && qnm_api_net_is_up(ctx, net->name);
	return r;
}

int qnm_api_net_edit(struct qnm_ctx *ctx, const char *name, qnm_api_net_edit_fn fn, void *data,
		     bool *is_up, struct qnm_err *err)
{
	const struct qnm_network *orig;
	struct qnm_network *net = NULL;
	int r = qnm_ctx_begin(ctx, err);

	if (r)
		return r;
	orig = qnm_model_find_net(&ctx->model, name);
	r = orig ? 0
		 : qnm_err_set(err, -ENOENT, "", "no network named '%s' (qnm net list shows them)",
			       name);
	if (!r) {
		net = qnm_network_copy(orig);
		r = fn(net, data, err);
	}
	if (!r)
		r = qnm_api_net_save(ctx, net, name, is_up, err);
	qnm_network_free(net);
	qnm_ctx_unlock(ctx);
	return r;
}

/* a NIC joining network @name (its backend's network op), as "VM x NIC y" in @err */
static int check_unused(const struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	size_t i, j;

	for (i = 0; i < ctx->model.nvms; i++) {
		const struct qnm_vm *vm = ctx->model.vms[i];

		for (j = 0; j < vm->nnics; j++)
			if (qnm_streq(qnm_nic_network(&vm->nics[j]), name))
				return qnm_err_set(
					err, -EBUSY, "",
					"network %s is used by VM %s NIC %s: change that NIC first",
					name, vm->name, vm->nics[j].id);
	}
	return 0;
}

static int delete_locked(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	int r;

	if (!qnm_model_find_net(&ctx->model, name))
		return qnm_err_set(err, -ENOENT, "",
				   "no network named '%s' (qnm net list shows them)", name);
	if (qnm_api_net_is_up(ctx, name))
		return qnm_err_set(err, -EBUSY, "",
				   "network %s is up: take it down first (qnm net down %s)", name,
				   name);
	r = check_unused(ctx, name, err);
	if (r)
		return r;
	r = qnm_config_delete_network(&ctx->paths, name, err);
	if (r)
		return r;
	qnm_network_free(qnm_model_remove_net(&ctx->model, name));
	return 0;
}

int qnm_api_net_delete(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	int r = qnm_ctx_begin(ctx, err);

	if (r)
		return r;
	r = delete_locked(ctx, name, err);
	qnm_ctx_unlock(ctx);
	return r;
}

/* a change of @net that moves the host's addresses: a bridged network with a port */
static bool moves_host(const struct qnm_network *net)
{
	return net && net->mode == QNM_NET_BRIDGED && net->port[0];
}

/*
 * An up bridged network whose port left its bridge (by other means): a new
 * up takes the port again, a change to guard like the first up.
 */
static bool port_left(const struct qnm_ctx *ctx, const struct qnm_network *net)
{
	struct qnm_api_net_port p;

	return qnm_api_net_port(ctx, net->name, &p, NULL) == 0 &&
	       strcmp(p.master, net->bridge) != 0;
}

unsigned qnm_api_net_guard_secs(void)
{
	const char *e = getenv("QNM_CONFIRM_SECS");
	unsigned long v;

	return e && qnm_parse_uint(e, 1, 3600, &v) == 0 ? (unsigned)v : QNM_NET_GUARD_SECS;
}

/* start the guard of a change (before it is applied), or end an earlier one's wait */
static int guard_begin(struct qnm_ctx *ctx, const char *name, bool up, bool guarded,
		       const struct qnm_api_net_guard_opts *g, unsigned *secs, struct qnm_err *err)
{
	*secs = g && g->confirm_in ? g->confirm_in : qnm_api_net_guard_secs();
	if (!guarded) {
		if (moves_host(qnm_model_find_net(&ctx->model, name)))
			qnm_net_guard_end(ctx, name, "superseded",
					  up ? "net up followed (not guarded)"
					     : "net down followed (not guarded)");
		return 0;
	}
	return qnm_net_guard_start(ctx, name, up, *secs, err);
}

static void guard_note(struct qnm_ctx *ctx, const char *name, unsigned secs, struct qnm_strv *notes)
{
	time_t when = time(NULL) + (time_t)secs;
	struct tm tm;
	char hhmmss[16] = "";

	if (localtime_r(&when, &tm))
		strftime(hhmmss, sizeof(hhmmss), "%H:%M:%S", &tm);
	qnm_strv_addf(notes,
		      "keep these network settings: run 'qnm net confirm %s' within %u s (by %s), "
		      "or they are rolled back",
		      name, secs, hhmmss);
}

/* the names of the VMs with a NIC on network @name that has no reservation that fits */
static void unreserved(const struct qnm_model *m, const char *name, struct qnm_strv *names)
{
	size_t i, j;

	for (i = 0; i < m->nvms; i++)
		for (j = 0; j < m->vms[i]->nnics; j++) {
			const struct qnm_nic *nic = &m->vms[i]->nics[j];
			const char *on = qnm_nic_network(nic);
			const struct qnm_network *net = on ? qnm_model_find_net(m, on) : NULL;

			if (net && strcmp(on, name) == 0 && !qnm_reserve_fits(net, nic->tap.ip)) {
				qnm_strv_add(names, m->vms[i]->name);
				break;
			}
		}
}

/*
 * NICs on network @name that have no reservation that fits (saved before
 * qnm picked them, or before the network's address changed) get one now, saved with their VM, so that the network's
 * dnsmasq serves them; a VM that cannot have one is a note, not a failure.
 * When the model this command read has none, the lock and the second read
 * of the files are skipped (a VM saved meanwhile picked its reservation
 * itself); a front end's copy, read earlier, is always read again.
 */
static int reserve_nics(struct qnm_ctx *ctx, const char *name, struct qnm_strv *notes,
			struct qnm_err *err)
{
	struct qnm_strv names;
	size_t i;
	int r;

	qnm_strv_init(&names);
	if (ctx->loaded && !ctx->copied) {
		unreserved(&ctx->model, name, &names);
		r = names.n;
		qnm_strv_free(&names);
		if (!r)
			return 0;
	}
	r = qnm_ctx_begin(ctx, err);
	if (r)
		return r;
	unreserved(&ctx->model, name, &names);
	for (i = 0; i < names.n; i++) {
		const struct qnm_vm *vm = qnm_model_find_vm(&ctx->model, names.v[i]);
		struct qnm_vm *copy = vm ? qnm_vm_copy(vm) : NULL;
		struct qnm_err e;
		size_t n = 0;

		qnm_err_clear(&e);
		if (copy && (qnm_model_assign_ips(&ctx->model, copy, copy->name, &n, &e) ||
			     (n && qnm_ctx_save_vm(ctx, copy, copy->name, &e))))
			qnm_strv_addf(notes, "VM %s keeps no DHCP reservation: %s", names.v[i],
				      e.msg);
		qnm_vm_free(copy);
	}
	qnm_strv_free(&names);
	qnm_ctx_unlock(ctx);
	return 0;
}

int qnm_api_net_up(struct qnm_ctx *ctx, const char *name, const struct qnm_api_net_up_opts *o,
		   struct qnm_strv *notes, struct qnm_err *err)
{
	struct qnm_network *net;
	struct qnm_net_up_opts uo = { 0 };
	struct qnm_netctl nc;
	bool guarded;
	unsigned secs;
	int r;

	r = reserve_nics(ctx, name, notes, err);
	if (r)
		return r;
	net = qnm_model_find_net(&ctx->model, name);
	if (!net)
		return qnm_err_set(err, -ENOENT, "",
				   "no network named '%s' (qnm net list shows them)", name);
	if (o) {
		uo.force = o->force;
		uo.confirm_port = o->confirm_port;
	}
	/* only a change that takes the port over is guarded (without the agreement it is refused) */
	guarded = o && o->confirm_port && !o->guard.no_guard && moves_host(net) &&
		  (!qnm_api_net_is_up(ctx, name) || port_left(ctx, net));
	r = guard_begin(ctx, name, true, guarded, o ? &o->guard : NULL, &secs, err);
	if (r < 0)
		return r;
	r = qnm_netctl_open(&nc, ctx->paths.runtime_dir, err);
	if (r == 0) {
		r = qnm_net_up(&nc, &ctx->model, net, &uo, notes, err);
		qnm_netctl_close(&nc);
	}
	if (guarded && r < 0)
		qnm_net_guard_end(ctx, name, "cancelled", "net up failed: nothing changed");
	else if (guarded)
		guard_note(ctx, name, secs, notes);
	return r;
}

int qnm_api_net_down(struct qnm_ctx *ctx, const char *name, struct qnm_strv *notes,
		     struct qnm_err *err)
{
	static const struct qnm_api_net_guard_opts none = { .no_guard = true };

	return qnm_api_net_down_guarded(ctx, name, &none, notes, err);
}

int qnm_api_net_down_guarded(struct qnm_ctx *ctx, const char *name,
			     const struct qnm_api_net_guard_opts *g, struct qnm_strv *notes,
			     struct qnm_err *err)
{
	bool guarded = !(g && g->no_guard) && moves_host(qnm_model_find_net(&ctx->model, name)) &&
		       qnm_api_net_is_up(ctx, name);
	struct qnm_netctl nc;
	unsigned secs;
	int r;

	r = guard_begin(ctx, name, false, guarded, g, &secs, err);
	if (r < 0)
		return r;
	r = qnm_netctl_open(&nc, ctx->paths.runtime_dir, err);
	if (r == 0) {
		r = qnm_net_down(&nc, &ctx->model, name, notes, err);
		qnm_netctl_close(&nc);
	}
	/* a failed down leaves the records of what is still there: the guard puts it back up */
	if (guarded && r == 0)
		guard_note(ctx, name, secs, notes);
	return r;
}

bool qnm_api_net_is_up(const struct qnm_ctx *ctx, const char *name)
{
	return qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_NET, name);
}

int qnm_api_net_leases(const struct qnm_ctx *ctx, const char *name, struct qnm_lease **v, size_t *n,
		       struct qnm_err *err)
{
	return qnm_leases_read(ctx->paths.runtime_dir, name, v, n, err);
}

int qnm_api_net_links(bool want_addrs, struct qnm_links **out, struct qnm_err *err)
{
	return qnm_links_new(want_addrs, out, err);
}

int qnm_api_net_port(const struct qnm_ctx *ctx, const char *name, struct qnm_api_net_port *p,
		     struct qnm_err *err)
{
	const struct qnm_network *net = qnm_model_find_net(&ctx->model, name);
	struct qnm_link_info li;
	struct qnm_links *l;
	struct qnm_hostip *h;
	int r;

	memset(p, 0, sizeof(*p));
	if (!moves_host(net))
		return qnm_err_set(err, -ENOENT, "",
				   "network %s is not a bridged network with a port", name);
	qnm_strlcpy(p->port, net->port, sizeof(p->port));
	r = qnm_links_open(&l, err);
	if (r < 0)
		return r;
	if (qnm_links_exists(l, net->port, &li, NULL) == 1)
		qnm_strlcpy(p->master, li.master_name, sizeof(p->master));
	h = xcalloc(1, sizeof(*h));
	p->moved = qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_HOSTIP, net->port) &&
		   qnm_hostip_load(ctx->paths.runtime_dir, net->port, h, NULL) == 0;
	if (!p->moved)
		r = qnm_hostip_read(l, net->port, net->bridge, h, NULL);
	if (r == 0 && h->naddrs) {
		qnm_strlcpy(p->address, h->addrs[0].local, sizeof(p->address));
		qnm_hostip_where(l, h, p->where);
	}
	p->naddrs = h->naddrs;
	p->nroutes = h->nroutes;
	free(h);
	qnm_links_free(l);
	return 0;
}

/* ---- the view ---- */

/**
 * struct qnm_api_net_view - see net.h.
 * @runtime_dir: qnm's runtime directory (owned copy).
 * @own:         the ownership records, when @have_own.
 * @links:       the host's links, or NULL when they could not be read.
 */
struct qnm_api_net_view {
	char *runtime_dir;
	struct qnm_owner own;
	bool have_own;
	struct qnm_links *links;
};

static void view_read_records(struct qnm_api_net_view *v)
{
	if (v->have_own)
		qnm_owner_clear(&v->own);
	v->have_own = qnm_owner_open(&v->own, v->runtime_dir, NULL) == 0;
}

struct qnm_api_net_view *qnm_api_net_view_new(const struct qnm_ctx *ctx)
{
	struct qnm_api_net_view *v = xcalloc(1, sizeof(*v));

	v->runtime_dir = xstrdup_or_null(ctx->paths.runtime_dir);
	view_read_records(v);
	if (qnm_links_new(false, &v->links, NULL) < 0)
		v->links = NULL;
	return v;
}

void qnm_api_net_view_free(struct qnm_api_net_view *v)
{
	if (!v)
		return;
	if (v->have_own)
		qnm_owner_clear(&v->own);
	qnm_links_free(v->links);
	free(v->runtime_dir);
	free(v);
}

void qnm_api_net_view_reload(struct qnm_api_net_view *v)
{
	view_read_records(v);
	if (v->links)
		qnm_links_invalidate(v->links);
}

void qnm_api_net_view_refill(struct qnm_api_net_view *v)
{
	if (v->links)
		qnm_links_refill(v->links, NULL);
}

bool qnm_api_net_view_known(const struct qnm_api_net_view *v)
{
	return v->have_own;
}

bool qnm_api_net_view_is_up(const struct qnm_api_net_view *v, const char *name)
{
	return v->have_own && qnm_owner_find(&v->own, QNM_OWN_NET, name);
}

bool qnm_api_net_view_interrupted(const struct qnm_api_net_view *v, const char *name)
{
	return v->have_own && qnm_net_interrupted(&v->own, name);
}

const char *qnm_api_net_view_state(const struct qnm_api_net_view *v, const struct qnm_network *net)
{
	const struct qnm_link_info *li = qnm_api_net_view_bridge(v, net);

	if (qnm_api_net_view_interrupted(v, net->name))
		return "interrupted";
	if (qnm_api_net_view_is_up(v, net->name))
		return !li	? "broken" /* recorded up, bridge gone */
		       : li->up ? "up"
				: "bridge-down";
	return li ? "bridge-exists" : "down";
}

const struct qnm_link_info *qnm_api_net_view_bridge(const struct qnm_api_net_view *v,
						    const struct qnm_network *net)
{
	return v->links ? qnm_links_find(v->links, net->bridge) : NULL;
}

const struct qnm_links *qnm_api_net_view_links(const struct qnm_api_net_view *v)
{
	return v->links;
}
