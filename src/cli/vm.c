// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/vm.c - VM commands: list, show, new, set, del, nic, cmdline.
 *
 * Every command that changes a VM works on a copy, applies all the
 * requested changes, validates the whole model, and only then saves; on
 * any error nothing is written.
 */
#include "build-config.h"

#include "api/guestaddr.h"
#include "api/live.h"
#include "api/net.h"
#include "api/ovnview.h"
#include "api/remote.h"
#include "api/vm.h"
#include "core/backend.h"
#include "cli/cli.h"
#include "core/schema.h"
#include "core/validate.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct qnm_vm *find_vm(struct qnm_ctx *ctx, const char *cmd, const char *name)
{
	struct qnm_vm *vm = qnm_model_find_vm(&ctx->model, name);

	if (!vm)
		fprintf(ctx->errout, "qnm: %s: no VM named '%s' (qnm list shows them)\n", cmd,
			name);
	return vm;
}

/*
 * After a save of the VM @name: what applies to its running guest at once,
 * and what waits for a restart (live.h), said on one line.
 */
static int live_note(struct qnm_ctx *ctx, const char *cmd, const char *name)
{
	struct qnm_strv applied, pending;
	struct qnm_err err;
	char *note;
	int r = 0;

	qnm_strv_init(&applied);
	qnm_strv_init(&pending);
	qnm_err_clear(&err);
	if (qnm_api_vm_apply_live(ctx, name, &applied, &pending, &err)) {
		qnm_err_prefix(&err, "saved, but not applied to the running guest");
		r = qnm_cli_error(ctx, cmd, &err);
	}
	note = qnm_api_vm_apply_note(&applied, &pending);
	if (note)
		fprintf(ctx->out, "%s: %s\n", name, note);
	free(note);
	qnm_strv_free(&applied);
	qnm_strv_free(&pending);
	return r;
}

/* ---- JSON ---- */

static json_object *nic_json(const struct qnm_nic *n)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(n->id));
	qnm_schema_json(&qnm_nic_schema, n, o);
	return o;
}

static json_object *vm_json(const struct qnm_vm *vm)
{
	json_object *o = json_object_new_object(), *a;
	size_t i;

	json_object_object_add(o, "name", json_object_new_string(vm->name));
	qnm_schema_json(&qnm_vm_schema, vm, o);
	a = json_object_new_array();
	for (i = 0; i < vm->nnics; i++)
		json_object_array_add(a, nic_json(&vm->nics[i]));
	json_object_object_add(o, "nics", a);
	return o;
}

/* ---- options (args.h) ---- */

static const struct qnm_opt json_opts[] = {
	{ .name = "--json", .help = "print JSON" },
	{ .name = NULL },
};

/* ---- list ---- */

static const struct qnm_opt list_opts[] = {
	{ .name = "--json", .help = "print JSON" },
	{ .name = "--all-hosts",
	  .help = "this host's and every registered host's VMs, with a HOST column (qnm host)" },
	{ .name = NULL },
};

static const struct qnm_args_spec list_args = {
	.opts = list_opts,
	.max = 0,
	.say.unknown = "unexpected argument '%s'", /* tests/sh/bad-input.sh greps it */
};

/* one host's VMs as rows of "list --all-hosts" */
static void all_hosts_rows(struct qnm_ctx *ctx, const struct qnm_host_answer *a)
{
	size_t i, j, n;

	n = json_object_array_length(a->result);
	for (i = 0; i < n; i++) {
		json_object *vm = json_object_array_get_idx(a->result, i), *v, *nics = NULL;
		char mem[16];

		json_object_object_get_ex(vm, "memory_mb", &v);
		snprintf(mem, sizeof(mem), "%dM", json_object_get_int(v));
		json_object_object_get_ex(vm, "name", &v);
		fprintf(ctx->out, "%-12s %-20s ", a->host, json_object_get_string(v));
		json_object_object_get_ex(vm, "state", &v);
		fprintf(ctx->out, "%-8s %7s ", json_object_get_string(v), mem);
		json_object_object_get_ex(vm, "cpus", &v);
		fprintf(ctx->out, "%4d  ", json_object_get_int(v));
		json_object_object_get_ex(vm, "nics", &nics);
		for (j = 0; nics && j < json_object_array_length(nics); j++)
			fprintf(ctx->out, "%s%s", j ? ", " : "",
				json_object_get_string(json_object_array_get_idx(nics, j)));
		fputs(nics && json_object_array_length(nics) ? "\n" : "(none)\n", ctx->out);
	}
}

/* "list --all-hosts": every host at once; one that does not answer is reported, not waited for */
static int list_all_hosts(struct qnm_ctx *ctx)
{
	struct qnm_host_answer *v;
	struct qnm_err err;
	size_t i, n;
	int bad = 0;

	qnm_err_clear(&err);
	if (qnm_api_hosts_call_all(ctx, "vm.list", QNM_HOST_TIMEOUT_MS, &v, &n, &err))
		return qnm_cli_error(ctx, "list", &err);
	if (ctx->json) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "host", json_object_new_string(v[i].host));
			json_object_object_add(o, "reachable", json_object_new_boolean(!v[i].r));
			if (v[i].r)
				json_object_object_add(o, "error",
						       json_object_new_string(v[i].err.msg));
			else
				json_object_object_add(o, "vms", json_object_get(v[i].result));
			json_object_array_add(arr, o);
		}
		qnm_cli_print_json(ctx, arr);
	} else {
		fprintf(ctx->out, "%-12s %-20s %-8s %7s %4s  %s\n", "HOST", "NAME", "STATE",
			"MEMORY", "CPUS", "NICS (model/backend)");
		for (i = 0; i < n; i++)
			if (!v[i].r)
				all_hosts_rows(ctx, &v[i]);
	}
	for (i = 0; i < n; i++) {
		if (!v[i].r)
			continue;
		fprintf(ctx->errout, "qnm: list: %s\n", v[i].err.msg);
		bad = 1;
	}
	qnm_api_host_answers_free(v, n);
	return bad;
}

static int cmd_list(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	size_t i, j;

	if (qnm_cli_load(ctx, "list"))
		return 1;
	if (qnm_args_has(args, "--all-hosts"))
		return list_all_hosts(ctx);
	if (ctx->json) {
		json_object *a = json_object_new_array();

		for (i = 0; i < ctx->model.nvms; i++)
			json_object_array_add(a, vm_json(ctx->model.vms[i]));
		qnm_cli_print_json(ctx, a);
		return 0;
	}
	if (!ctx->model.nvms) {
		fprintf(ctx->out,
			"No VMs yet. Create one with 'qnm new NAME' or try 'qnm demo'.\n");
		return 0;
	}
	fprintf(ctx->out, "%-20s %7s %4s %-4s  %s\n", "NAME", "MEMORY", "CPUS", "AUTO",
		"NICS (model/backend)");
	for (i = 0; i < ctx->model.nvms; i++) {
		const struct qnm_vm *vm = ctx->model.vms[i];
		char mem[16];

		snprintf(mem, sizeof(mem), "%uM", vm->memory_mb);
		fprintf(ctx->out, "%-20s %7s %4u %-4s  ", vm->name, mem, vm->cpus,
			vm->autostart ? "yes" : "no");
		if (!vm->nnics)
			fputs("(none)", ctx->out);
		for (j = 0; j < vm->nnics; j++) {
			char buf[128];

			fprintf(ctx->out, "%s%s", j ? ", " : "",
				qnm_nic_label(&vm->nics[j], buf, sizeof(buf)));
		}
		fputc('\n', ctx->out);
	}
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_list = {
	.name = "list",
	.usage = "list [--all-hosts] [--json]",
	.summary = "list the configured VMs and their NICs",
	.args = &list_args,
	.run = cmd_list,
};

/* ---- show ---- */

static const struct qnm_args_spec show_args = {
	.opts = json_opts,
	.min = 1,
	.max = 1,
	.say.few = "give one VM name",
};

/* each NIC's "ipv6_addr" on a qnm network with IPv6 ("" elsewhere) */
static void show_ipv6_json(struct qnm_ctx *ctx, const struct qnm_vm *vm, json_object *o)
{
	json_object *nics = NULL;
	char v6[QNM_IPV6_ADDR_LEN];
	size_t i;

	if (!json_object_object_get_ex(o, "nics", &nics))
		return;
	for (i = 0; i < vm->nnics && i < json_object_array_length(nics); i++) {
		qnm_api_nic_ipv6(ctx, &vm->nics[i], v6, sizeof(v6), NULL);
		json_object_object_add(json_object_array_get_idx(nics, i), "ipv6_addr",
				       json_object_new_string(v6));
	}
}

static void show_ipv6_text(struct qnm_ctx *ctx, const struct qnm_vm *vm)
{
	char v6[QNM_IPV6_ADDR_LEN], net[QNM_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < vm->nnics; i++) {
		qnm_api_nic_ipv6(ctx, &vm->nics[i], v6, sizeof(v6), net);
		if (v6[0])
			fprintf(ctx->out, "# nic %s: IPv6 %s on network %s (SLAAC, DHCPv6)\n",
				vm->nics[i].id, v6, net);
	}
}

/* " rx_bytes=N tx_bytes=N" of @st, or n/a: OVS did not give them */
static void show_ovs_stats(struct qnm_ctx *ctx, const struct qnm_ovs_stats *st)
{
	if (st->ok)
		fprintf(ctx->out, " rx_bytes=%" PRIu64 " tx_bytes=%" PRIu64 "\n", st->rx_bytes,
			st->tx_bytes);
	else
		fprintf(ctx->out, " rx_bytes=n/a tx_bytes=n/a\n");
}

/*
 * The topology of each NIC on an ovn network (the Modes screen's facts):
 * its port on the integration bridge, each tunnel with the host at its
 * other end and that host's guests on the switch, their OVS counters.
 */
static void show_ovn_text(struct qnm_ctx *ctx, const struct qnm_vm *vm)
{
	struct qnm_api_ovn_req req;
	struct qnm_ovn_view v;
	size_t i, j, k;

	for (i = 0; i < vm->nnics; i++) {
		const char *id = vm->nics[i].id;

		if (qnm_api_vm_ovn_req(ctx, vm, i, &req, NULL))
			continue;
		qnm_api_ovn_view_read(&req, QNM_API_OVN_VIEW_TIMEOUT_MS, &v);
		if (!v.ovs_ok || !v.nb_ok || !v.sb_ok)
			fprintf(ctx->out, "# nic %s: ovn: not available: %s\n", id, v.why);
		fprintf(ctx->out, "# nic %s: ovn switch %s, chassis %s, port on %s:", id,
			req.lswitch, v.chassis[0] ? v.chassis : "?", req.bridge);
		show_ovs_stats(ctx, &v.port);
		for (j = 0; j < v.ntunnels; j++) {
			const struct qnm_ovn_tunnel *t = &v.tunnels[j];

			fprintf(ctx->out, "# nic %s: tunnel %s %s to %s (host %s:", id, t->type,
				t->name, t->remote_ip, t->chassis[0] ? t->chassis : "?");
			for (k = 0; k < v.npeers; k++)
				if (t->chassis[0] && !v.peers[k].router &&
				    strcmp(v.peers[k].chassis, t->chassis) == 0)
					fprintf(ctx->out, " %s", v.peers[k].lsp);
			fprintf(ctx->out, ")");
			show_ovs_stats(ctx, &t->st);
		}
	}
}

static int cmd_show(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	const struct qnm_vm *vm;
	struct qnm_vm *running;
	struct qnm_strv pending;
	char *text, *line;
	size_t i;

	if (qnm_cli_load_vm(ctx, "show", args->pos[0]) ||
	    !(vm = find_vm(ctx, "show", args->pos[0])))
		return 1;
	running = qnm_api_vm_running_config(ctx, vm->name);
	qnm_strv_init(&pending);
	qnm_api_vm_pending(running, vm, &pending);
	if (ctx->json) {
		struct qnm_guestaddr *g = qnm_api_guestaddr_open(ctx);
		json_object *o = vm_json(vm), *a = json_object_new_array();
		struct qnm_err err;

		/* the running NICs' guest addresses ([] when the VM does not run) */
		if (qnm_api_guestaddr_refresh(ctx, g, true, &err) < 0)
			fprintf(ctx->errout, "qnm: show: %s\n", err.msg);
		json_object_object_add(o, "addresses", qnm_cli_addrs_json(g, vm->name));
		qnm_guestaddr_free(g);
		show_ipv6_json(ctx, vm, o);
		/* what runs beside what is saved: "running" is null when it does not run */
		json_object_object_add(o, "running", running ? vm_json(running) : NULL);
		for (i = 0; i < pending.n; i++)
			json_object_array_add(a, json_object_new_string(pending.v[i]));
		json_object_object_add(o, "pending", a);
		qnm_cli_print_json(ctx, o);
	} else {
		text = qnm_vm_serialize(vm);
		fputs(text, ctx->out);
		free(text);
		show_ipv6_text(ctx, vm);
		show_ovn_text(ctx, vm);
		line = qnm_api_vm_pending_line(&pending);
		if (running)
			fprintf(ctx->out, "\n# running: %s\n", line ? line : "as saved above");
		free(line);
	}
	qnm_strv_free(&pending);
	qnm_vm_free(running);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_show = {
	.name = "show",
	.usage = "show VM [--json]",
	.summary = "show every setting of a VM",
	.args = &show_args,
	.run = cmd_show,
};

/* ---- cmdline ---- */

static const struct qnm_opt cmdline_opts[] = {
	{ .name = "--nic-form",
	  .help = "write NICs in the short -nic TYPE,...,model=MODEL,mac=MAC form where it can "
		  "express them (the slirp backend always needs -netdev)" },
	{ .name = "--json", .help = "print the argv array as JSON" },
	{ .name = "--script",
	  .help = "print what to paste into a shell to run the VM by hand: the commands of "
		  "the NICs' helpers (slirp helper, passt) first, then QEMU's, in lines with backslash continuations" },
	{ .name = "--wrap",
	  .type = QNM_OPT_UINT,
	  .arg = "COLS",
	  .min = 20,
	  .max = 100000,
	  .what = "a number of columns",
	  .help = "with --script: lines of fewer than COLS columns (default 80)" },
	{ .name = NULL },
};

static const struct qnm_args_spec cmdline_args = {
	.opts = cmdline_opts,
	.min = 1,
	.max = 1,
	.say.few = "give one VM name",
};

static int cmd_cmdline(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	const struct qnm_vm *vm;
	struct qnm_strv argv_q;
	struct qnm_err err;
	if (qnm_cli_load(ctx, "cmdline") || !(vm = find_vm(ctx, "cmdline", args->pos[0])))
		return 1;
	qnm_err_clear(&err);
	if (qnm_args_has(args, "--script")) {
		char *text = qnm_api_vm_script(ctx, vm, qnm_args_has(args, "--nic-form"),
					       qnm_args_uint(args, "--wrap", 80), &err);

		if (!text)
			return qnm_cli_error(ctx, "cmdline", &err);
		fputs(text, ctx->out);
		free(text);
		return 0;
	}
	qnm_strv_init(&argv_q);
	if (qnm_api_vm_cmdline(ctx, vm, qnm_args_has(args, "--nic-form"), &argv_q, &err)) {
		qnm_strv_free(&argv_q);
		return qnm_cli_error(ctx, "cmdline", &err);
	}
	if (ctx->json) {
		json_object *a = json_object_new_array();

		for (size_t k = 0; k < argv_q.n; k++)
			json_object_array_add(a, json_object_new_string(argv_q.v[k]));
		qnm_cli_print_json(ctx, a);
	} else {
		char *line = qnm_argv_to_shell(argv_q.v);

		fprintf(ctx->out, "%s\n", line);
		free(line);
	}
	qnm_strv_free(&argv_q);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_cmdline = {
	.name = "cmdline",
	.usage = "cmdline VM [--nic-form] [--json]",
	.summary = "print the exact QEMU command line of a VM (shell-quoted)",
	.help = "By default NICs are written as -netdev TYPE,id=ID,... -device MODEL,netdev=ID,mac=MAC.\n",
	.args = &cmdline_args,
	.run = cmd_cmdline,
};

/* ---- new ---- */

static int apply_assignments(struct qnm_ctx *ctx, const char *cmd, int argc, char **argv,
			     int (*fn)(void *obj, const char *a, struct qnm_err *e), void *obj)
{
	struct qnm_err err;
	int i;

	for (i = 0; i < argc; i++) {
		qnm_err_clear(&err);
		if (fn(obj, argv[i], &err))
			return qnm_cli_error(ctx, cmd, &err);
	}
	return 0;
}

static int vm_assign_cb(void *obj, const char *a, struct qnm_err *e)
{
	return qnm_vm_assign(obj, a, e);
}

/* KEY=VALUE words: a bad one (even "--bogus") is named by the key parser */
static const struct qnm_args_spec new_args = {
	.min = 1,
	.max = -1,
	.dash_args = true,
	.say.few = "give the new VM's name",
};

static int cmd_new(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	int argc = args->argc;
	char **argv = args->argv;
	struct qnm_vm *vm;
	struct qnm_err err;
	bool one;
	int r;

	if (argv[1][0] == '-')
		return qnm_cli_usage_error(ctx, &qnm_cmd_new, "give the new VM's name");
	/*
	 * A file of that name only (its VM makes the name taken); the save
	 * reads the whole model under the lock. A file that does not load
	 * gets the whole model now, with its warning, as before.
	 */
	qnm_err_clear(&err);
	r = qnm_ctx_load_vm(ctx, argv[1], &err);
	if (r && r != -ENOENT && qnm_cli_load(ctx, "new"))
		return 1;
	one = !ctx->loaded;
	qnm_err_clear(&err);
	if (qnm_api_vm_check_name(ctx, argv[1], &err))
		return qnm_cli_error(ctx, "new", &err);
	vm = qnm_vm_new(argv[1]);
	r = apply_assignments(ctx, "new", argc - 2, argv + 2, vm_assign_cb, vm);
	if (!r && strcmp(vm->name, argv[1]) != 0) {
		qnm_err_set(&err, -EINVAL, "name",
			    "name: give the name as the first argument only");
		r = qnm_cli_error(ctx, "new", &err);
	}
	if (!r) {
		qnm_err_clear(&err);
		r = qnm_api_vm_save(ctx, vm, NULL, &err);
		if (one && (ctx->loaded || ctx->indexed))
			qnm_cli_warn_problems(ctx);
		if (r)
			r = qnm_cli_error(ctx, "new", &err);
	}
	if (!r)
		fprintf(ctx->out, "created VM '%s' (%s/%s.conf)\n", vm->name, ctx->paths.vms_dir,
			vm->name);
	qnm_vm_free(vm);
	return r;
}

const struct qnm_cli_cmd qnm_cmd_new = {
	.name = "new",
	.usage = "new VM [KEY=VALUE...]",
	.summary =
		"create a VM (keys as in the VM file: memory=, cpus=, boot=, disk=, kernel=, ...)",
	.help = "Example: qnm new web memory=1024 boot=disk disk=/srv/web.qcow2\n"
		"Add NICs with 'qnm nic add VM'.\n",
	.args = &new_args,
	.keys = &qnm_vm_schema,
	.run = cmd_new,
};

/* ---- set ---- */

static const struct qnm_args_spec set_args = {
	.min = 2,
	.max = -1,
	.dash_args = true,
	.say.few = "give a VM name and at least one KEY=VALUE",
};

/* the KEY=VALUE words of a command, applied by qnm_api_vm/nic/net_edit() to the object on disk */
struct words {
	int argc;
	char **argv;
};

static int set_words(struct qnm_vm *vm, void *data, struct qnm_err *err)
{
	const struct words *w = data;
	int i, r = 0;

	for (i = 0; i < w->argc && !r; i++)
		r = qnm_vm_assign(vm, w->argv[i], err);
	return r;
}

static int cmd_set(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct words w = { args->argc - 2, args->argv + 2 };
	char **argv = args->argv;
	struct qnm_err err;
	bool one;
	int r;

	if (argv[1][0] == '-')
		return qnm_cli_usage_error(ctx, &qnm_cmd_set,
					   "give a VM name and at least one KEY=VALUE");
	/* its file only: the edit reads the whole model under the lock */
	if (qnm_cli_load_vm(ctx, "set", argv[1]) || !find_vm(ctx, "set", argv[1]))
		return 1;
	one = ctx->one;
	/* applied to the VM as it is on disk now, under the configuration lock */
	qnm_err_clear(&err);
	r = qnm_api_vm_edit(ctx, argv[1], set_words, &w, &err);
	if (one && (ctx->loaded || ctx->indexed))
		qnm_cli_warn_problems(ctx);
	if (r)
		return qnm_cli_error(ctx, "set", &err);
	return qnm_model_find_vm(&ctx->model, argv[1]) ? live_note(ctx, "set", argv[1]) : 0;
}

const struct qnm_cli_cmd qnm_cmd_set = {
	.name = "set",
	.usage = "set VM KEY=VALUE... ",
	.summary = "change VM settings (name= renames; extra+=ARG appends)",
	.help = "name= renames the VM (and its file).\n"
		"List keys: KEY=V replaces, KEY+=V appends, KEY-=V removes, KEY= empties.\n"
		"All changes are checked together; on any error nothing is written.\n",
	.args = &set_args,
	.keys = &qnm_vm_schema,
	.run = cmd_set,
};

/* ---- del ---- */

static const struct qnm_args_spec del_args = {
	.min = 1,
	.max = 1,
	.say.few = "give one VM name",
};

static int cmd_del(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	char **argv = args->argv;
	struct qnm_err err;

	bool one;
	int r;

	if (qnm_cli_load_vm(ctx, "del", argv[1]) || !find_vm(ctx, "del", argv[1]))
		return 1;
	one = ctx->one;
	qnm_err_clear(&err);
	r = qnm_api_vm_delete(ctx, argv[1], &err);
	if (one && ctx->loaded)
		qnm_cli_warn_problems(ctx);
	if (r)
		return qnm_cli_error(ctx, "del", &err);
	fprintf(ctx->out, "deleted VM '%s'\n", argv[1]);
	return 0;
}

const struct qnm_cli_cmd qnm_cmd_del = {
	.name = "del",
	.usage = "del VM",
	.summary = "delete a VM's configuration",
	.args = &del_args,
	.run = cmd_del,
};

/* ---- nic ---- */

static int nic_list(struct qnm_ctx *ctx, const struct qnm_vm *vm)
{
	size_t i;

	if (ctx->json) {
		json_object *a = json_object_new_array();

		for (i = 0; i < vm->nnics; i++)
			json_object_array_add(a, nic_json(&vm->nics[i]));
		qnm_cli_print_json(ctx, a);
		return 0;
	}
	fprintf(ctx->out, "%-8s %-16s %-17s %-5s %s\n", "ID", "MODEL", "MAC", "LINK", "BACKEND");
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *n = &vm->nics[i];

		fprintf(ctx->out, "%-8s %-16s %-17s %-5s %s\n", n->id, n->model,
			n->mac[0] ? n->mac : "(auto)", n->link_up ? "up" : "down",
			qnm_backend_name(n->backend));
	}
	return 0;
}

/*
 * nic SUB VM [NIC] [KEY=VALUE...]: KEY=VALUE words, a bad one (even
 * "--bogus") named by the key parser; a missing NIC or KEY=VALUE is said
 * once the VM is found.
 */
static const struct qnm_args_spec nic_list_args = {
	.opts = json_opts,
	.min = 1,
	.max = 1,
	.dash_args = true,
	.say = { .few = "give a subcommand and a VM", .many = "nic list takes only a VM" },
};

static const struct qnm_args_spec nic_add_set_args = {
	.opts = json_opts,
	.min = 1,
	.max = -1,
	.dash_args = true,
	.say.few = "give a subcommand and a VM",
};

static const struct qnm_args_spec nic_del_args = {
	.opts = json_opts,
	.min = 1,
	.max = 2,
	.dash_args = true,
	.say = { .few = "give a subcommand and a VM", .many = "nic del takes VM and NIC" },
};

static const struct qnm_args_sub nic_subs[] = {
	{ "list", &nic_list_args },
	{ "add", &nic_add_set_args },
	{ "set", &nic_add_set_args },
	{ "del", &nic_del_args },
	{ NULL, NULL },
};

static const struct qnm_args_spec nic_args = {
	.subs = nic_subs,
	.say = { .no_sub = "give a subcommand and a VM",
		 .bad_sub = "subcommand must be list, add, set or del" },
};

/* nic add's words: backend= first, so that backend-specific keys are accepted in any order */
static int nic_add_words(struct qnm_nic *nic, void *data, struct qnm_err *err)
{
	const struct words *w = data;
	int i, k, r = 0;

	for (i = 0; i < w->argc; i++)
		if (strncmp(w->argv[i], "backend=", 8) == 0)
			break;
	if (i < w->argc)
		r = qnm_nic_assign(nic, w->argv[i], err);
	for (k = 0; k < w->argc && !r; k++)
		if (k != i)
			r = qnm_nic_assign(nic, w->argv[k], err);
	return r;
}

/* nic set's words: every backend= first, then the rest */
static int nic_set_words(struct qnm_nic *nic, void *data, struct qnm_err *err)
{
	const struct words *w = data;
	int i, r = 0;

	for (i = 0; i < w->argc && !r; i++)
		if (strncmp(w->argv[i], "backend=", 8) == 0)
			r = qnm_nic_assign(nic, w->argv[i], err);
	for (i = 0; i < w->argc && !r; i++)
		if (strncmp(w->argv[i], "backend=", 8) != 0)
			r = qnm_nic_assign(nic, w->argv[i], err);
	return r;
}

/* does one of the KEY=VALUE words set (=, +=) key @key? */
static bool sets_key(int argc, char **argv, const char *key)
{
	size_t kl = strlen(key);
	int i;

	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], key, kl) == 0 &&
		    (argv[i][kl] == '=' || (argv[i][kl] == '+' && argv[i][kl + 1] == '=')))
			return true;
	return false;
}

/* Say on stderr when the model= the user typed is saved under another name ("virtio"). */
static void note_model(struct qnm_ctx *ctx, const char *cmd, const struct words *w,
		       const struct qnm_nic *nic)
{
	const char *typed = NULL;
	int i;

	for (i = 0; i < w->argc; i++)
		if (strncmp(w->argv[i], "model=", 6) == 0)
			typed = w->argv[i] + 6;
	if (typed && strcmp(typed, nic->model) != 0)
		fprintf(ctx->errout, "qnm: %s: model '%s' is QEMU's %s: saved under that name\n",
			cmd, typed, nic->model);
}

static int cmd_nic(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	int argc = args->argc;
	char **argv = args->argv;
	const char *sub = args->sub, *name = argv[2];
	struct qnm_vm *orig;
	struct qnm_nic nic, *found;
	struct qnm_err err;
	int r;

	if (qnm_cli_load(ctx, "nic") || !(orig = find_vm(ctx, "nic", name)))
		return 1;
	if (strcmp(sub, "list") == 0)
		return nic_list(ctx, orig);
	/* the save replaces the model's VM: from here on it is known by @name */
	memset(&nic, 0, sizeof(nic));
	qnm_err_clear(&err);
	if (strcmp(sub, "add") == 0) {
		struct words w = { argc - 3, argv + 3 };

		/* to the VM as on disk now (its NIC ids too), under the configuration lock */
		r = 0;
		if (qnm_api_nic_edit(ctx, name, NULL, nic_add_words, &w, &nic, &err))
			r = qnm_cli_error(ctx, "nic add", &err);
		if (!r) {
			note_model(ctx, "nic add", &w, &nic);
			fprintf(ctx->out, "added NIC '%s' to VM '%s' (%s, MAC %s, backend %s)\n",
				nic.id, name, nic.model, nic.mac, qnm_backend_name(nic.backend));
			qnm_cli_note_exposure(ctx, "nic add", nic.user.fwd, nic.user.nfwd, false);
		}
	} else if (strcmp(sub, "set") == 0 || strcmp(sub, "del") == 0) {
		if (argc < 4)
			return qnm_cli_usage_error(ctx, &qnm_cmd_nic, "give the NIC id");
		found = qnm_vm_find_nic(orig, argv[3]);
		if (!found) {
			fprintf(ctx->errout,
				"qnm: nic: VM '%s' has no NIC '%s' (qnm nic list %s)\n", name,
				argv[3], name);
			return 1;
		}
		if (strcmp(sub, "del") == 0) {
			r = argc == 4 ? 0
				      : qnm_cli_usage_error(ctx, &qnm_cmd_nic,
							    "nic del takes VM and NIC");
			if (!r && qnm_api_nic_del(ctx, name, argv[3], &err))
				r = qnm_cli_error(ctx, "nic del", &err);
		} else {
			r = argc > 4 ? 0
				     : qnm_cli_usage_error(ctx, &qnm_cmd_nic,
							   "give KEY=VALUE settings");
			/* to the NIC as on disk now (hostfwd+= appends there) */
			struct words w = { argc - 4, argv + 4 };

			if (!r &&
			    qnm_api_nic_edit(ctx, name, argv[3], nic_set_words, &w, &nic, &err))
				r = qnm_cli_error(ctx, "nic set", &err);
			else if (!r)
				note_model(ctx, "nic set", &w, &nic);
			if (!r && sets_key(w.argc, w.argv, "hostfwd"))
				qnm_cli_note_exposure(ctx, "nic set", nic.user.fwd, nic.user.nfwd,
						      false);
		}
	} else {
		r = qnm_cli_usage_error(ctx, &qnm_cmd_nic,
					"subcommand must be list, add, set or del");
	}
	if (!r)
		r = live_note(ctx, "nic", name);
	qnm_nic_clear(&nic);
	return r;
}

const struct qnm_cli_cmd qnm_cmd_nic = {
	.name = "nic",
	.usage = "nic list|add|set|del VM [NIC] [KEY=VALUE...] [--json]",
	.summary = "list, add, change or remove a VM's network cards",
	.help = "A NIC without mac= gets a random locally administered MAC, unique among your VMs.\n"
		"Examples:\n"
		"  qnm nic add web model=e1000 backend=user hostfwd=tcp:127.0.0.1:2222-:22\n"
		"  qnm nic set web n0 hostfwd+=tcp::8080-:80\n"
		"  qnm nic set web n0 backend=bridge br=br0\n",
	.args = &nic_args,
	.keys = &qnm_nic_schema,
	.run = cmd_nic,
};
