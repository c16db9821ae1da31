// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * api/serve.c - "qnm serve --stdio": the engine API as JSON lines (serve.h).
 * Each op is one entry of a table: it reads its arguments from the request
 * and calls the same use case the CLI and the UI call.
 */
#include "build-config.h"

#include "api/forward.h"
#include "api/live.h"
#include "api/net.h"
#include "api/run.h"
#include "api/serve.h"
#include "api/stats.h"
#include "api/topo.h"
#include "api/vm.h"
#include "core/backend.h"
#include "core/config.h"
#include "core/progs.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* the most output a "cli" op returns of each stream */
#define CLI_OUT_MAX (8u << 20)

/**
 * struct serve - one connection's state.
 * @ctx:     the context.
 * @sampler: the "stats" op's sampler, opened at its first call.
 */
struct serve {
	struct qnm_ctx *ctx;
	struct qnm_sampler *sampler;
};

/**
 * struct serve_op - one op of the protocol.
 * @name: its name in requests.
 * @run:  does it: fills *@result (a new JSON value) or @err.
 */
struct serve_op {
	const char *name;
	int (*run)(struct serve *s, json_object *args, json_object **result, struct qnm_err *err);
};

/* the string member @key of @args, or NULL */
static const char *arg_str(json_object *args, const char *key)
{
	json_object *v;

	if (!args || !json_object_object_get_ex(args, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int arg_int(json_object *args, const char *key)
{
	json_object *v;

	if (!args || !json_object_object_get_ex(args, key, &v))
		return 0;
	return json_object_get_int(v);
}

static int need_name(json_object *args, const char **name, struct qnm_err *err)
{
	*name = arg_str(args, "name");
	if (!*name)
		return qnm_err_set(err, -EINVAL, "name", "the request has no \"name\"");
	return 0;
}

/* the hostfwd forwards of VM @name in @l, as QEMU hostfwd strings */
static json_object *vm_forwards(const struct qnm_api_fwd_list *l, const char *name)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < l->n; i++) {
		char buf[QNM_FWD_TEXT_LEN];

		if (l->v[i].kind != QNM_API_FWD_HOSTFWD || strcmp(l->v[i].ref.vm, name) != 0)
			continue;
		qnm_fwd_format(&l->v[i].fwd, buf, sizeof(buf));
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

json_object *qnm_api_vm_list_json(const struct qnm_ctx *ctx)
{
	json_object *a = json_object_new_array();
	struct qnm_api_fwd_list fl;
	size_t i, j;

	qnm_api_forward_list(ctx, false, &fl);

	for (i = 0; i < ctx->model.nvms; i++) {
		const struct qnm_vm *vm = ctx->model.vms[i];
		json_object *o = json_object_new_object(), *nics = json_object_new_array();
		struct qnm_run_info ri;

		qnm_api_vm_state(ctx, vm->name, &ri);
		json_object_object_add(o, "name", json_object_new_string(vm->name));
		json_object_object_add(o, "state",
				       json_object_new_string(qnm_run_status_name(ri.status)));
		json_object_object_add(o, "qemu_pid", json_object_new_int64(ri.qemu_pid));
		json_object_object_add(o, "memory_mb", json_object_new_int64(vm->memory_mb));
		json_object_object_add(o, "cpus", json_object_new_int64(vm->cpus));
		json_object_object_add(o, "autostart", json_object_new_boolean(vm->autostart));
		for (j = 0; j < vm->nnics; j++) {
			char buf[128];

			json_object_array_add(nics, json_object_new_string(qnm_nic_label(
							    &vm->nics[j], buf, sizeof(buf))));
		}
		json_object_object_add(o, "nics", nics);
		json_object_object_add(o, "forwards", vm_forwards(&fl, vm->name));
		json_object_array_add(a, o);
	}
	qnm_api_forward_list_clear(&fl);
	return a;
}

static int op_ping(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	json_object *o = json_object_new_object();
	struct qnm_strv names;

	(void)args;
	(void)err;
	qnm_strv_init(&names);
	qnm_api_vm_running(s->ctx, &names);
	json_object_object_add(o, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "protocol", json_object_new_int(QNM_PROTOCOL));
	json_object_object_add(o, "running", json_object_new_int64((int64_t)names.n));
	qnm_strv_free(&names);
	*result = o;
	return 0;
}

static int op_vm_list(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	(void)args;
	(void)err;
	*result = qnm_api_vm_list_json(s->ctx);
	return 0;
}

static int op_vm_start(struct serve *s, json_object *args, json_object **result,
		       struct qnm_err *err)
{
	const struct qnm_vm_job_result *res;
	struct qnm_vm_job *job;
	const char *name;
	json_object *o;
	int r = need_name(args, &name, err);

	if (r)
		return r;
	r = qnm_api_vm_start(s->ctx, name, arg_int(args, "timeout") * 1000, &job, NULL, err);
	if (r)
		return r;
	r = qnm_api_vm_job_run(job, err);
	res = qnm_api_vm_job_result(job);
	if (!r) {
		o = json_object_new_object();
		json_object_object_add(o, "status", json_object_new_string(res->start.status));
		json_object_object_add(o, "qemu_pid", json_object_new_int64(res->start.qemu_pid));
		json_object_object_add(o, "elapsed_ms",
				       json_object_new_double(res->start.elapsed_ms));
		json_object_object_add(o, "warnings", json_object_new_string(res->start.warnings));
		*result = o;
	}
	qnm_api_vm_job_free(job);
	return r;
}

static int op_vm_stop(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	struct qnm_vm_job *job = NULL;
	const char *name;
	json_object *o, *f;
	bool force = json_object_object_get_ex(args, "force", &f) && json_object_get_boolean(f);
	int r = need_name(args, &name, err);

	if (r)
		return r;
	r = qnm_api_vm_stop(s->ctx, name, force, arg_int(args, "timeout") * 1000, &job, err);
	if (!r)
		r = qnm_api_vm_job_run(job, err);
	if (!r) {
		o = json_object_new_object();
		json_object_object_add(o, "how",
				       json_object_new_string(qnm_api_vm_job_result(job)->how));
		*result = o;
	}
	qnm_api_vm_job_free(job);
	return r;
}

/* the VM @name of the model, or -ENOENT naming it */
static int need_vm(struct serve *s, const char *name, const struct qnm_vm **vm, struct qnm_err *err)
{
	*vm = qnm_model_find_vm(&s->ctx->model, name);
	if (!*vm)
		return qnm_err_set(err, -ENOENT, "name", "no VM named '%s' here", name);
	return 0;
}

static int op_vm_get(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	const struct qnm_vm *vm;
	struct qnm_run_info ri;
	const char *name;
	json_object *o;
	char *text;
	int r = need_name(args, &name, err);

	if (!r)
		r = need_vm(s, name, &vm, err);
	if (r)
		return r;
	text = qnm_vm_serialize(vm);
	qnm_api_vm_state(s->ctx, name, &ri);
	o = json_object_new_object();
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "running", json_object_new_boolean(ri.status == QNM_RUN_RUNNING));
	free(text);
	*result = o;
	return 0;
}

/*
 * "vm.save": the VM form's save of a VM of this host, made elsewhere. The
 * text is parsed (the VM's own rules), the VM must still be as "base" says
 * (else the form edited an old copy), then the one save path checks it
 * against the whole model and writes it, or writes nothing.
 */
static int op_vm_save(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	const char *text = arg_str(args, "text"), *old = arg_str(args, "old_name");
	const char *base = arg_str(args, "base"), *name;
	struct qnm_strv applied, pending;
	const struct qnm_vm *was = NULL;
	struct qnm_vm *vm = NULL, *based = NULL;
	struct qnm_err live;
	char *now, *note, *file;
	json_object *o;
	int r = need_name(args, &name, err);

	if (r)
		return r;
	if (!text)
		return qnm_err_set(err, -EINVAL, "text", "the request has no \"text\" (a VM)");
	if (old && *old) {
		r = need_vm(s, old, &was, err);
		if (r)
			return r;
		/* the VM as the form had it, read as its file would be */
		if (base) {
			struct qnm_err berr;

			qnm_err_clear(&berr);
			now = xasprintf("%s.conf", old);
			r = qnm_vm_parse(base, strlen(base), now, &based, &berr) ||
			    !qnm_vm_equal(based, was);
			free(now);
			qnm_vm_free(based);
		}
		if (r)
			return qnm_err_set(err, -ESTALE, "",
					   "VM %s was changed on this host since you opened the "
					   "form: reopen it",
					   old);
	}
	/* the VM's name is its file's: "NAME.conf" */
	file = xasprintf("%s.conf", name);
	r = qnm_vm_parse(text, strlen(text), file, &vm, err);
	free(file);
	if (!r && strcmp(vm->name, name) != 0)
		r = qnm_err_set(err, -EINVAL, "name", "name: '%s' is not a VM name", name);
	if (!r)
		r = qnm_api_vm_save(s->ctx, vm, old && *old ? old : NULL, err);
	if (r) {
		qnm_vm_free(vm);
		return r;
	}
	qnm_strv_init(&applied);
	qnm_strv_init(&pending);
	qnm_err_clear(&live);
	qnm_api_vm_apply_live(s->ctx, vm->name, &applied, &pending, &live);
	note = qnm_api_vm_apply_note(&applied, &pending);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(vm->name));
	json_object_object_add(o, "note", json_object_new_string(note ? note : ""));
	json_object_object_add(o, "live_error", json_object_new_string(live.msg));
	free(note);
	qnm_strv_free(&applied);
	qnm_strv_free(&pending);
	qnm_vm_free(vm);
	*result = o;
	return 0;
}

static int op_net_list(struct serve *s, json_object *args, json_object **result,
		       struct qnm_err *err)
{
	json_object *a = json_object_new_array();
	size_t i;

	(void)args;
	(void)err;
	for (i = 0; i < s->ctx->model.nnets; i++) {
		const struct qnm_network *n = s->ctx->model.nets[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(n->name));
		json_object_object_add(o, "mode",
				       json_object_new_string(qnm_net_mode_name(n->mode)));
		json_object_object_add(o, "bridge", json_object_new_string(n->bridge));
		json_object_object_add(o, "address", json_object_new_string(n->address));
		json_object_object_add(o, "prefix", json_object_new_int64(n->prefix));
		json_object_object_add(o, "up",
				       json_object_new_boolean(qnm_api_net_is_up(s->ctx, n->name)));
		json_object_array_add(a, o);
	}
	*result = a;
	return 0;
}

/* the serve's sampler, opened at its first use and read now */
static int sampler_tick(struct serve *s, struct qnm_err *err)
{
	int r;

	if (!s->sampler) {
		r = qnm_api_stats_open(s->ctx, &s->sampler, err);
		if (r)
			return r;
	}
	qnm_sampler_set_model(s->sampler, &s->ctx->model);
	return qnm_sampler_tick(s->sampler, err);
}

static int op_stats(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	json_object *a;
	size_t i;
	int r;

	(void)args;
	r = sampler_tick(s, err);
	if (r)
		return r;
	a = json_object_new_array();
	for (i = 0; i < s->sampler->n; i++) {
		const struct qnm_sample *e = s->sampler->v[i];
		json_object *o;

		if (!e->vm[0])
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(e->name));
		json_object_object_add(o, "vm", json_object_new_string(e->vm));
		json_object_object_add(o, "nic", json_object_new_string(e->nic));
		json_object_object_add(o, "network", json_object_new_string(e->network));
		json_object_object_add(o, "rx_bytes",
				       json_object_new_int64((int64_t)qnm_sample_stat(
					       e, QNM_STAT_RX_BYTES, true)));
		json_object_object_add(o, "tx_bytes",
				       json_object_new_int64((int64_t)qnm_sample_stat(
					       e, QNM_STAT_TX_BYTES, true)));
		json_object_object_add(
			o, "rx_rate",
			json_object_new_double(qnm_sample_rate(e, QNM_STAT_RX_BYTES, true)));
		json_object_object_add(
			o, "tx_rate",
			json_object_new_double(qnm_sample_rate(e, QNM_STAT_TX_BYTES, true)));
		json_object_array_add(a, o);
	}
	*result = a;
	return 0;
}

/* "vm.topology": the Modes screen's boxes of VM "name", this host's links and counters */
static int op_vm_topology(struct serve *s, json_object *args, json_object **result,
			  struct qnm_err *err)
{
	struct qnm_api_topo_cache cache = { .at = 0 };
	struct qnm_api_hop h[QNM_HOPS_MAX + 1];
	const struct qnm_vm *vm;
	struct qnm_run_info ri;
	const char *name;
	json_object *o, *nics;
	size_t i, k, n;
	int r = need_name(args, &name, err);

	if (!r)
		r = need_vm(s, name, &vm, err);
	if (!r)
		r = sampler_tick(s, err);
	if (r)
		return r;
	qnm_api_vm_state(s->ctx, name, &ri);
	o = json_object_new_object();
	nics = json_object_new_array();
	json_object_object_add(o, "name", json_object_new_string(vm->name));
	json_object_object_add(o, "state", json_object_new_string(qnm_run_status_name(ri.status)));
	for (i = 0; i < vm->nnics; i++) {
		json_object *nic = json_object_new_object(), *hops = json_object_new_array();

		n = qnm_api_topo_nic(s->ctx, s->sampler, vm, i, &cache, h);
		for (k = 0; k < n; k++) {
			json_object *b = json_object_new_object();

			json_object_object_add(b, "title", json_object_new_string(h[k].title));
			json_object_object_add(b, "detail", json_object_new_string(h[k].detail));
			json_object_object_add(b, "live", json_object_new_string(h[k].live));
			json_object_array_add(hops, b);
		}
		json_object_object_add(nic, "nic", json_object_new_string(vm->nics[i].id));
		json_object_object_add(nic, "hops", hops);
		json_object_array_add(nics, nic);
	}
	json_object_object_add(o, "nics", nics);
	*result = o;
	return 0;
}

/* "fwd.add" and "fwd.del": a hostfwd of VM "name" ("nic": which NIC, else its first user/slirp one) */
static int fwd_change(struct serve *s, json_object *args, bool add, json_object **result,
		      struct qnm_err *err)
{
	static const char *const live[] = { [QNM_API_FWD_LATER] = "later",
					    [QNM_API_FWD_LIVE] = "live",
					    [QNM_API_FWD_REFUSED] = "refused",
					    [QNM_API_FWD_NET_UP] = "net-up" };
	const char *name, *spec = arg_str(args, "fwd");
	struct qnm_api_fwd_owner to = { .nic = arg_str(args, "nic") };
	struct qnm_api_fwd_result res;
	struct qnm_fwd f;
	char *full = NULL, buf[QNM_FWD_TEXT_LEN];
	json_object *o;
	int r = need_name(args, &name, err);

	if (r)
		return r;
	if (!spec)
		return qnm_err_set(err, -EINVAL, "fwd", "the request has no \"fwd\"");
	to.vm = name;
	/* to remove, its host side is enough ("tcp::8080") */
	if (!add && !strchr(spec, '-'))
		full = xasprintf("%s-:1", spec);
	r = qnm_fwd_parse(full ? full : spec, &f, "fwd", err);
	free(full);
	if (!r)
		r = add ? qnm_api_forward_add(s->ctx, &to, &f, &res, err)
			: qnm_api_forward_remove(s->ctx, &to, &f, &res, err);
	if (r)
		return r;
	o = json_object_new_object();
	qnm_fwd_format(&res.fwd, buf, sizeof(buf));
	json_object_object_add(o, "fwd", json_object_new_string(buf));
	json_object_object_add(o, "live", json_object_new_string(live[res.live]));
	json_object_object_add(o, "why", json_object_new_string(res.why));
	*result = o;
	return 0;
}

static int op_fwd_add(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	return fwd_change(s, args, true, result, err);
}

static int op_fwd_del(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	return fwd_change(s, args, false, result, err);
}

/* read @fds[0..1] (stdout, stderr of a child) to their ends into @out[0..1] */
static void drain(int fds[2], struct qnm_strbuf out[2])
{
	struct pollfd p[2] = { { .fd = fds[0], .events = POLLIN },
			       { .fd = fds[1], .events = POLLIN } };
	char buf[65536];
	int open = 2, k;

	while (open > 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (k = 0; k < 2; k++) {
			ssize_t n;

			if (p[k].fd < 0 || !p[k].revents)
				continue;
			n = read(p[k].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(p[k].fd);
				p[k].fd = -1;
				open--;
				continue;
			}
			if (out[k].len < CLI_OUT_MAX)
				qnm_sb_addn(&out[k], buf, (size_t)n);
		}
	}
}

/* the command line of "qnm -H NAME CMD ...": this qnm runs CMD ... as a child */
static int op_cli(struct serve *s, json_object *args, json_object **result, struct qnm_err *err)
{
	int outp[2], errp[2], fds[2], status = 0;
	struct qnm_strbuf out[2];
	json_object *av, *o;
	char **argv;
	size_t i, n;
	pid_t pid;

	(void)s;
	if (!args || !json_object_object_get_ex(args, "argv", &av) ||
	    !json_object_is_type(av, json_type_array) || !(n = json_object_array_length(av)))
		return qnm_err_set(err, -EINVAL, "argv", "the request has no \"argv\" (a command)");
	argv = xcalloc(n + 2, sizeof(*argv));
	argv[0] = xstrdup("qnm");
	for (i = 0; i < n; i++)
		argv[i + 1] = xstrdup(json_object_get_string(json_object_array_get_idx(av, i)));
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		int e = -errno;

		for (i = 0; i <= n; i++)
			free(argv[i]);
		free(argv);
		return qnm_err_set(err, e, "", "pipe: %s", strerror(-e));
	}
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(outp[1], 1) < 0 ||
		    dup2(errp[1], 2) < 0)
			_exit(127);
		qnm_prog_exec(QNM_PROG_CLI, argv, NULL);
		_exit(127);
	}
	close(outp[1]);
	close(errp[1]);
	for (i = 0; i <= n; i++)
		free(argv[i]);
	free(argv);
	if (pid < 0) {
		close(outp[0]);
		close(errp[0]);
		return qnm_err_set(err, -EAGAIN, "", "fork: %s", strerror(errno));
	}
	qnm_sb_init(&out[0]);
	qnm_sb_init(&out[1]);
	fds[0] = outp[0];
	fds[1] = errp[0];
	drain(fds, out);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	o = json_object_new_object();
	json_object_object_add(o, "status",
			       json_object_new_int(WIFEXITED(status) ? WEXITSTATUS(status)
								     : 128 + WTERMSIG(status)));
	json_object_object_add(o, "stdout", json_object_new_string_len(out[0].s, (int)out[0].len));
	json_object_object_add(o, "stderr", json_object_new_string_len(out[1].s, (int)out[1].len));
	qnm_sb_free(&out[0]);
	qnm_sb_free(&out[1]);
	*result = o;
	return 0;
}

/* the ops, alphabetical */
static const struct serve_op ops[] = {
	{ "cli", op_cli },	     { "fwd.add", op_fwd_add }, { "fwd.del", op_fwd_del },
	{ "net.list", op_net_list }, { "ping", op_ping },	{ "stats", op_stats },
	{ "vm.get", op_vm_get },     { "vm.list", op_vm_list }, { "vm.save", op_vm_save },
	{ "vm.start", op_vm_start }, { "vm.stop", op_vm_stop }, { "vm.topology", op_vm_topology },
};

/* the op called @name, or NULL */
static const struct serve_op *find_op(const char *name)
{
	size_t i;

	for (i = 0; name && i < QNM_ARRAY_SIZE(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

int qnm_api_serve_call(struct qnm_ctx *ctx, const char *op, json_object *args, json_object **result,
		       struct qnm_err *err)
{
	const struct serve_op *o = find_op(op);
	struct serve s = { .ctx = ctx };
	int r;

	*result = NULL;
	if (!o)
		return qnm_err_set(err, -EOPNOTSUPP, "op", "unknown op '%s'", op);
	r = o->run(&s, args, result, err);
	qnm_sampler_free(s.sampler);
	return r;
}

/* write @o and a newline to @fd, then drop @o */
static int send_line(int fd, json_object *o, struct qnm_err *err)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s), off = 0;
	int r = 0;

	while (off <= len) {
		ssize_t n = off < len ? write(fd, s + off, len - off) : write(fd, "\n", 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = qnm_err_set(err, -errno ? -errno : -EIO, "", "cannot write a reply: %s",
					strerror(errno));
			break;
		}
		off += off < len ? (size_t)n : 1;
	}
	json_object_put(o);
	return r;
}

/* the reply to one request line */
static json_object *answer(struct serve *s, const char *line)
{
	json_object *req = json_tokener_parse(line), *id = NULL, *args = NULL, *res = NULL;
	json_object *rep = json_object_new_object();
	const struct serve_op *op = NULL;
	const char *name = NULL;
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	if (req && json_object_is_type(req, json_type_object)) {
		json_object_object_get_ex(req, "id", &id);
		json_object_object_get_ex(req, "args", &args);
		name = arg_str(req, "op");
	}
	op = find_op(name);
	json_object_object_add(rep, "id", id ? json_object_get(id) : NULL);
	if (!req || !json_object_is_type(req, json_type_object))
		r = qnm_err_set(&err, -EINVAL, "", "a request must be one JSON object a line");
	else if (!op)
		r = qnm_err_set(&err, -EOPNOTSUPP, "op", "unknown op '%s'", name ? name : "");
	else if ((r = qnm_ctx_lock(s->ctx, &err)) == 0) {
		r = qnm_ctx_refresh(s->ctx, &err);
		qnm_ctx_unlock(s->ctx);
		if (!r)
			r = op->run(s, args, &res, &err);
	}
	json_object_object_add(rep, "ok", json_object_new_boolean(r == 0));
	if (r) {
		json_object_object_add(rep, "error",
				       json_object_new_string(err.msg[0] ? err.msg : strerror(-r)));
		json_object_object_add(rep, "errno", json_object_new_int(-r));
		json_object_object_add(rep, "field", json_object_new_string(err.field));
		json_object_put(res);
	} else {
		json_object_object_add(rep, "result", res);
	}
	json_object_put(req);
	return rep;
}

int qnm_api_serve(struct qnm_ctx *ctx, int in_fd, int out_fd, struct qnm_err *err)
{
	struct serve s = { .ctx = ctx };
	json_object *hello = json_object_new_object();
	FILE *in = fdopen(dup(in_fd), "r");
	char *line = NULL;
	size_t cap = 0;
	int r;

	if (!in) {
		json_object_put(hello);
		return qnm_err_set(err, -errno, "", "cannot read the input: %s", strerror(errno));
	}
	signal(SIGPIPE, SIG_IGN);
	json_object_object_add(hello, "qnm", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(hello, "protocol", json_object_new_int(QNM_PROTOCOL));
	r = send_line(out_fd, hello, err);
	while (!r && getline(&line, &cap, in) > 0)
		r = send_line(out_fd, answer(&s, line), err);
	free(line);
	fclose(in);
	qnm_sampler_free(s.sampler);
	return r;
}
