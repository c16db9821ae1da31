// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-forward.c - "qnm forward list|add|del": one list of every port
 * forward, whatever the mechanism underneath:
 *   hostfwd  on a user/slirp NIC of a VM (QEMU's hostfwd=, at VM start);
 *   dnat     on a host network (an element of table inet qnm's maps).
 *
 * add/del change the configuration (validated as a whole first; nothing is
 * written on error). For a network that is up (its bridge exists and table
 * inet qnm exists) the forward is also added to / removed from the live
 * table, as one small atomic batch; if saving the file then fails, the live
 * change is undone so that file and kernel agree.
 */
#include "build-config.h"

#include "cli/cli.h"
#include "guest/slirpctl.h"
#include "guest/slirp-helper.h"
#include "guest/rundir.h"
#include "host/nft.h"
#include "host/owner.h"
#include "watch/portowner.h"
#include "core/validate.h"

#include <errno.h>
#include <json-c/json.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_user_nic(const struct qnm_nic *n)
{
	return n->backend == QNM_BACKEND_USER || n->backend == QNM_BACKEND_SLIRP;
}

static bool same_host_side(const struct qnm_fwd *a, const struct qnm_fwd *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       strcmp(a->host_addr, b->host_addr) == 0;
}

static void addr_port(char *buf, size_t size, const char *addr, unsigned port, const char *any)
{
	snprintf(buf, size, "%s:%u", addr[0] ? addr : any, port);
}

/* ---- live state of network forwards ---- */

/**
 * struct live - what table inet qnm holds.
 * @ret:  0 (read), -ENOENT (no table) or another -errno (e.g. -EPERM).
 * @v:    the forwards in the table, @n of them.
 */
struct live {
	int ret;
	struct qnm_fwd *v;
	size_t n;
};

static const char *live_state(const struct live *l, const struct qnm_fwd *f)
{
	size_t i;

	if (l->ret == -ENOENT)
		return "not applied";
	if (l->ret < 0)
		return "unknown";
	for (i = 0; i < l->n; i++)
		if (same_host_side(&l->v[i], f))
			return strcmp(l->v[i].guest_addr, f->guest_addr) == 0 &&
					       l->v[i].guest_port == f->guest_port
				       ? "active"
				       : "differs in table";
	return "not applied";
}

/* a network is up when its bridge exists and table inet qnm exists */
static int net_is_up(const struct qnm_network *net, struct qnm_err *err)
{
	if (!if_nametoindex(net->bridge))
		return 0;
	return qnm_nft_table_exists(err);
}

/* ---- list ---- */

static json_object *fwd_json(const char *kind, const struct qnm_fwd *f)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "proto", json_object_new_string(qnm_proto_name(f->proto)));
	json_object_object_add(o, "host_addr", json_object_new_string(f->host_addr));
	json_object_object_add(o, "host_port", json_object_new_int(f->host_port));
	json_object_object_add(o, "guest_addr", json_object_new_string(f->guest_addr));
	json_object_object_add(o, "guest_port", json_object_new_int(f->guest_port));
	return o;
}

static void print_row(struct qnm_ctx *ctx, const char *kind, const char *owner,
		      const struct qnm_fwd *f, const char *any, const char *state)
{
	char h[48], g[48];

	addr_port(h, sizeof(h), f->host_addr, f->host_port, any);
	addr_port(g, sizeof(g), f->guest_addr, f->guest_port, "(guest)");
	fprintf(ctx->out, "%-8s %-20s %-5s %-21s %-21s %s\n", kind, owner, qnm_proto_name(f->proto),
		h, g, state);
}

static int cmd_list(struct qnm_ctx *ctx)
{
	struct live l = { 0 };
	struct qnm_err err;
	json_object *arr = NULL;
	size_t i, j, k, rows = 0;
	bool any_net = false;

	for (i = 0; i < ctx->model.nnets; i++)
		if (ctx->model.nets[i]->nfwd)
			any_net = true;
	qnm_err_clear(&err);
	l.ret = any_net ? qnm_nft_read_forwards(&l.v, &l.n, &err) : -ENOENT;
	if (ctx->json)
		arr = json_object_new_array();
	else
		fprintf(ctx->out, "%-8s %-20s %-5s %-21s %-21s %s\n", "KIND", "OWNER", "PROTO",
			"HOST", "GUEST", "STATE");

	for (i = 0; i < ctx->model.nvms; i++) {
		const struct qnm_vm *vm = ctx->model.vms[i];

		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_nic *nic = &vm->nics[j];
			char owner[80];

			if (!is_user_nic(nic))
				continue;
			snprintf(owner, sizeof(owner), "%s/%s", vm->name, nic->id);
			for (k = 0; k < nic->user.nfwd; k++, rows++) {
				const struct qnm_fwd *f = &nic->user.fwd[k];

				if (arr) {
					json_object *o = fwd_json("hostfwd", f);

					json_object_object_add(o, "vm",
							       json_object_new_string(vm->name));
					json_object_object_add(o, "nic",
							       json_object_new_string(nic->id));
					json_object_object_add(
						o, "backend",
						json_object_new_string(
							qnm_backend_name(nic->backend)));
					json_object_object_add(
						o, "state", json_object_new_string("at VM start"));
					json_object_array_add(arr, o);
				} else {
					print_row(ctx, "hostfwd", owner, f, "*", "at VM start");
				}
			}
		}
	}
	for (i = 0; i < ctx->model.nnets; i++) {
		const struct qnm_network *net = ctx->model.nets[i];
		char owner[80];

		snprintf(owner, sizeof(owner), "net %s", net->name);
		for (k = 0; k < net->nfwd; k++, rows++) {
			const struct qnm_fwd *f = &net->fwd[k];
			const char *st = live_state(&l, f);

			if (arr) {
				json_object *o = fwd_json("dnat", f);

				json_object_object_add(o, "network",
						       json_object_new_string(net->name));
				json_object_object_add(o, "bridge",
						       json_object_new_string(net->bridge));
				json_object_object_add(o, "state", json_object_new_string(st));
				json_object_array_add(arr, o);
			} else {
				print_row(ctx, "dnat", owner, f, "*", st);
			}
		}
	}
	if (arr) {
		qnm_cli_print_json(ctx, arr);
	} else {
		if (!rows)
			fprintf(ctx->out, "(no forwards; add one with 'qnm forward add')\n");
		if (l.ret < 0 && l.ret != -ENOENT)
			fprintf(ctx->out, "state unknown: %s\n", err.msg);
	}
	free(l.v);
	return 0;
}

/* ---- add / del ---- */

/**
 * struct target - where a forward goes.
 * @vm:  VM name, or NULL.
 * @nic: NIC id within @vm, or NULL for its first user/slirp NIC.
 * @net: network name, or NULL.
 */
struct target {
	const char *vm;
	const char *nic;
	const char *net;
};

/* "tcp:[ADDR]:PORT-[GADDR]:GPORT", or for del only the host side "[tcp|udp]:[ADDR]:PORT" */
static int parse_fwd_arg(const char *s, bool host_side_ok, struct qnm_fwd *f, struct qnm_err *err)
{
	char *full;
	int r;

	if (strchr(s, '-') || !host_side_ok)
		return qnm_fwd_parse(s, f, "forward", err);
	full = xasprintf("%s-:1", s);
	r = qnm_fwd_parse(full, f, "forward", err);
	free(full);
	if (r)
		qnm_err_set(
			err, r, "forward",
			"forward: '%s' must look like tcp:[HOSTADDR]:HOSTPORT (or a whole forward)",
			s);
	return r;
}

static struct qnm_nic *pick_nic(struct qnm_ctx *ctx, struct qnm_vm *vm, const char *id)
{
	size_t i;

	if (id) {
		struct qnm_nic *n = qnm_vm_find_nic(vm, id);

		if (!n) {
			fprintf(ctx->errout, "qnm: forward: nic: VM '%s' has no NIC '%s'\n",
				vm->name, id);
			return NULL;
		}
		if (!is_user_nic(n)) {
			fprintf(ctx->errout,
				"qnm: forward: nic: NIC '%s' of VM '%s' uses backend %s; host "
				"forwards need a user or slirp NIC (for tap NICs forward on their "
				"network with --net)\n",
				id, vm->name, qnm_backend_name(n->backend));
			return NULL;
		}
		return n;
	}
	for (i = 0; i < vm->nnics; i++)
		if (is_user_nic(&vm->nics[i]))
			return &vm->nics[i];
	fprintf(ctx->errout,
		"qnm: forward: VM '%s' has no user or slirp NIC to forward to (add one with "
		"'qnm nic add %s backend=user')\n",
		vm->name, vm->name);
	return NULL;
}

/* validate @vm (replacing its old entry) against the whole model, then save it */
static int save_vm(struct qnm_ctx *ctx, struct qnm_vm *vm, struct qnm_err *err)
{
	return qnm_ctx_save_vm(ctx, vm, vm->name, err);
}

static int check_net(struct qnm_ctx *ctx, struct qnm_network *net, struct qnm_err *err)
{
	return qnm_ctx_check_network(ctx, net, net->name, err);
}

static int find_in(const struct qnm_fwd *v, size_t n, const struct qnm_fwd *f)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_host_side(&v[i], f))
			return (int)i;
	return -1;
}

/*
 * A slirp NIC of a running VM takes forwards live through its helper's
 * control socket. Return: 1 applied, 0 not running / not slirp, -errno when
 * the helper refused (@err says why).
 */
static int apply_live(struct qnm_ctx *ctx, const struct qnm_vm *vm, const struct qnm_nic *nic,
		      const struct qnm_fwd *f, bool add, struct qnm_err *err)
{
	struct qnm_slirpctl *c = NULL;
	struct qnm_run_info info;
	struct qnm_rundir rd;
	char *path;
	int r;

	if (nic->backend != QNM_BACKEND_SLIRP)
		return 0;
	qnm_rundir_init(&rd, ctx->paths.runtime_dir, vm->name);
	if (qnm_rundir_probe(&rd, &info) || info.status != QNM_RUN_RUNNING) {
		qnm_rundir_clear(&rd);
		return 0;
	}
	path = qnm_slirp_control_path(rd.path, nic);
	r = qnm_slirpctl_open(path, 1000, &c, err);
	if (!r)
		r = add ? qnm_slirpctl_hostfwd_add(c, f, err)
			: qnm_slirpctl_hostfwd_remove(c, f, err);
	qnm_slirpctl_free(c);
	free(path);
	qnm_rundir_clear(&rd);
	return r ? r : 1;
}

static int vm_change(struct qnm_ctx *ctx, bool add, const struct target *t, const struct qnm_fwd *f)
{
	struct qnm_vm *orig = qnm_model_find_vm(&ctx->model, t->vm), *vm;
	struct qnm_fwd removed;
	struct qnm_nic *nic;
	struct qnm_err err;
	char d[64];
	int r = 1, idx, live;

	if (!orig) {
		fprintf(ctx->errout, "qnm: forward: no VM named '%s' (qnm list shows them)\n",
			t->vm);
		return 1;
	}
	vm = qnm_vm_copy(orig);
	nic = pick_nic(ctx, vm, t->nic);
	if (!nic)
		goto out;
	qnm_err_clear(&err);
	qnm_fwd_format(f, d, sizeof(d));
	idx = find_in(nic->user.fwd, nic->user.nfwd, f);
	if (add) {
		qnm_fwd_add(&nic->user.fwd, &nic->user.nfwd, f);
	} else if (idx < 0) {
		fprintf(ctx->errout,
			"qnm: forward: NIC %s/%s has no forward for host side %s %s:%u\n", vm->name,
			nic->id, qnm_proto_name(f->proto), f->host_addr[0] ? f->host_addr : "",
			f->host_port);
		goto out;
	} else {
		removed = nic->user.fwd[idx];
		qnm_fwd_format(&nic->user.fwd[idx], d, sizeof(d));
		qnm_fwd_del(&nic->user.fwd, &nic->user.nfwd, (size_t)idx);
	}
	/* a new host port must be free now: name the process holding it, not QEMU's
	 * "Could not set up host forwarding rule" at the next start */
	if (add && (qnm_ctx_check_vm(ctx, vm, vm->name, &err) ||
		    qnm_port_check(f->proto, f->host_addr, f->host_port, &err))) {
		r = qnm_cli_error(ctx, "forward", &err);
		goto out;
	}
	if (save_vm(ctx, vm, &err)) {
		r = qnm_cli_error(ctx, "forward", &err);
		goto out;
	}
	live = apply_live(ctx, vm, nic, add ? f : &removed, add, &err);
	if (live < 0) {
		fprintf(ctx->errout,
			"qnm: forward: saved, but the running guest's slirp helper refused it: %s "
			"(it applies at the next start)\n",
			err.msg);
		live = 0;
	}
	fprintf(ctx->out, "%s hostfwd %s %s NIC %s/%s (%s)\n", add ? "added" : "removed", d,
		add ? "to" : "from", vm->name, nic->id,
		live ? "applied live to the running guest" : "takes effect at the next VM start");
	r = 0;
out:
	qnm_vm_free(vm);
	return r;
}

static int net_change(struct qnm_ctx *ctx, bool add, const struct target *t,
		      const struct qnm_fwd *f)
{
	struct qnm_network *orig = qnm_model_find_net(&ctx->model, t->net), *net;
	struct qnm_fwd old;
	struct qnm_err err;
	char d[64];
	int r = 1, idx, up;

	if (!orig) {
		fprintf(ctx->errout, "qnm: forward: no network named '%s'\n", t->net);
		return 1;
	}
	net = qnm_network_copy(orig);
	qnm_err_clear(&err);
	idx = find_in(net->fwd, net->nfwd, f);
	if (add) {
		qnm_fwd_add(&net->fwd, &net->nfwd, f);
		old = *f;
	} else if (idx < 0) {
		fprintf(ctx->errout,
			"qnm: forward: network %s has no forward for host side %s %s:%u\n",
			net->name, qnm_proto_name(f->proto), f->host_addr[0] ? f->host_addr : "",
			f->host_port);
		goto out;
	} else {
		old = net->fwd[idx];
		qnm_fwd_del(&net->fwd, &net->nfwd, (size_t)idx);
	}
	qnm_fwd_format(&old, d, sizeof(d));
	if (check_net(ctx, net, &err)) {
		r = qnm_cli_error(ctx, "forward", &err);
		goto out;
	}
	up = net_is_up(net, &err);
	if (up < 0) {
		r = qnm_cli_error(ctx, "forward", &err);
		goto out;
	}
	if (up) {
		int lr = add ? qnm_nft_add_forward(&old, &err) : qnm_nft_del_forward(&old, &err);

		if (lr && !(lr == -ENOENT && !add)) {
			r = qnm_cli_error(ctx, "forward", &err);
			goto out;
		}
	}
	if (qnm_config_save_network(&ctx->paths, net, net->name, &err)) {
		struct qnm_err undo;

		qnm_err_clear(&undo);
		if (up &&
		    (add ? qnm_nft_del_forward(&old, &undo) : qnm_nft_add_forward(&old, &undo)))
			fprintf(ctx->errout,
				"qnm: forward: undoing the live change failed too: %s\n", undo.msg);
		r = qnm_cli_error(ctx, "forward", &err);
		goto out;
	}
	if (!up && qnm_owner_recorded(ctx->paths.runtime_dir, QNM_OWN_NET, net->name))
		fprintf(ctx->errout,
			"qnm: forward: note: network %s is up but table inet qnm is "
			"missing (deleted outside qnm?): 'qnm net up %s' re-creates it\n",
			net->name, net->name);
	fprintf(ctx->out, "%s forward %s %s network %s (%s)\n", add ? "added" : "removed", d,
		add ? "to" : "from", net->name,
		up ? "applied to the live table" : "network is down: applied when it comes up");
	r = 0;
out:
	qnm_network_free(net);
	return r;
}

/* del without a target: find the one owner of this host side */
static int find_owner(struct qnm_ctx *ctx, const struct qnm_fwd *f, struct target *t)
{
	size_t i, j, found = 0;

	for (i = 0; i < ctx->model.nvms; i++) {
		const struct qnm_vm *vm = ctx->model.vms[i];

		for (j = 0; j < vm->nnics; j++)
			if (is_user_nic(&vm->nics[j]) &&
			    find_in(vm->nics[j].user.fwd, vm->nics[j].user.nfwd, f) >= 0) {
				t->vm = vm->name;
				t->nic = vm->nics[j].id;
				found++;
			}
	}
	for (i = 0; i < ctx->model.nnets; i++)
		if (find_in(ctx->model.nets[i]->fwd, ctx->model.nets[i]->nfwd, f) >= 0) {
			t->net = ctx->model.nets[i]->name;
			t->vm = NULL;
			found++;
		}
	if (found == 1)
		return 0;
	fprintf(ctx->errout,
		found ? "qnm: forward: host side %s %s:%u is forwarded more than once; name the "
			"owner with --vm or --net\n"
		      : "qnm: forward: no forward has host side %s %s:%u (qnm forward list shows "
			"them)\n",
		qnm_proto_name(f->proto), f->host_addr, f->host_port);
	return 1;
}

/* the wording of unknown options is kept: tests/sh/bad-input.sh greps it */
#define UNKNOWN "unknown option or missing value: '%s'"

static const struct qnm_opt list_opts[] = {
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

static const struct qnm_opt change_opts[] = {
	{ .name = "--vm",
	  .type = QNM_OPT_STRING,
	  .arg = "VM",
	  .help = "a hostfwd on the VM's user/slirp NIC (first one when no --nic): applied live "
		  "on a running slirp NIC, else at the next VM start" },
	{ .name = "--nic", .type = QNM_OPT_STRING, .arg = "ID", .help = "the NIC of --vm to use" },
	{ .name = "--net",
	  .type = QNM_OPT_STRING,
	  .arg = "NETWORK",
	  .help = "a DNAT forward into a host network (GUESTADDR required): applied to the live "
		  "nftables table inet qnm when the network is up (needs CAP_NET_ADMIN)" },
	{ .name = NULL },
};

static const struct qnm_args_spec list_args = {
	.opts = list_opts,
	.max = 0,
	.say = { .unknown = UNKNOWN, .many = "list takes only --json" },
};

static const struct qnm_args_spec change_args = {
	.opts = change_opts,
	.min = 1,
	.max = 1,
	.say = { .unknown = UNKNOWN, .few = "give exactly one forward" },
};

static const struct qnm_args_sub forward_subs[] = {
	{ "list", &list_args },
	{ "add", &change_args },
	{ "del", &change_args },
	{ NULL, NULL },
};

static const struct qnm_args_spec forward_args = {
	.subs = forward_subs,
	.say = { .no_sub = "give a subcommand: list, add or del",
		 .bad_sub = "the subcommand must be list, add or del" },
};

static int cmd_forward(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct target t = { 0 };
	struct qnm_fwd f;
	struct qnm_err err;
	bool add = strcmp(args->sub, "add") == 0;

	if (strcmp(args->sub, "list") == 0)
		return qnm_cli_load(ctx, "forward") ? 1 : cmd_list(ctx);
	t.vm = qnm_args_get(args, "--vm");
	t.nic = qnm_args_get(args, "--nic");
	t.net = qnm_args_get(args, "--net");
	if (t.vm && t.net)
		return qnm_cli_usage_error(ctx, &qnm_cmd_forward,
					   "give either --vm or --net, not both");
	if (t.nic && !t.vm)
		return qnm_cli_usage_error(ctx, &qnm_cmd_forward, "--nic needs --vm");
	if (add && !t.vm && !t.net)
		return qnm_cli_usage_error(ctx, &qnm_cmd_forward,
					   "add needs --vm VM [--nic ID] or --net NETWORK");
	qnm_err_clear(&err);
	if (parse_fwd_arg(args->pos[0], !add, &f, &err)) {
		fprintf(ctx->errout, "qnm: forward: %s\n", err.msg);
		return 2;
	}
	if (qnm_cli_load(ctx, "forward"))
		return 1;
	if (!add && !t.vm && !t.net && find_owner(ctx, &f, &t))
		return 1;
	return t.net ? net_change(ctx, add, &t, &f) : vm_change(ctx, add, &t, &f);
}

const struct qnm_cli_cmd qnm_cmd_forward = {
	.name = "forward",
	.usage = "forward list [--json] | add (--vm VM [--nic ID] | --net NETWORK) FWD | "
		 "del [--vm VM [--nic ID] | --net NETWORK] HOSTSIDE",
	.summary = "list, add or remove port forwards (hostfwd on user NICs, DNAT on networks)",
	.help = "FWD is [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (QEMU hostfwd syntax);\n"
		"HOSTSIDE is [tcp|udp]:[HOSTADDR]:HOSTPORT (or a whole FWD).\n"
		"del without --vm/--net finds the one forward with that host side.\n"
		"Examples: qnm forward add --vm web tcp:127.0.0.1:2222-:22\n"
		"          qnm forward add --net lan tcp::8080-10.77.0.5:80\n"
		"          qnm forward del tcp::8080\n",
	.args = &forward_args,
	.run = cmd_forward,
};
