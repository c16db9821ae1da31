// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/stats.c - "qnm stats": live counters and rates of host links and of
 * the interfaces of guests, from the engine's sampler (sampler.h).
 */
#include "build-config.h"

#include "cli/cli.h"
#include "api/stats.h"

#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD	    "stats"
#define MAX_SECONDS 3600.0

/**
 * struct stats_opts - what the command line asked for.
 * @json:     print JSON.
 * @watch:    repeat until interrupted (or @count snapshots).
 * @interval: seconds between two readings.
 * @count:    snapshots to print (0: unlimited).
 * @pos:      names (interface, VM, or VM/NIC), @npos of them.
 */
struct stats_opts {
	bool json;
	bool watch;
	double interval;
	unsigned long count;
	char **pos;
	int npos;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int usage_error(struct qnm_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(struct qnm_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->errout, "qnm: %s: ", CMD);
	va_start(ap, fmt);
	vfprintf(ctx->errout, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->errout);
	qnm_cli_usage(ctx->errout, &qnm_cmd_stats);
	return 2;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.05 && v <= MAX_SECONDS))
		return -EINVAL;
	*out = v;
	return 0;
}

static const struct qnm_opt stats_opts[] = {
	{ .name = "--json",
	  .help = "one object {time, tick, interfaces: [...], total: {...}} with raw numbers "
		  "(bytes, packets, per second); \"stats\" is the host view, \"guest\" the guest "
		  "view (null for other roles), \"rates\" null when no rate could be computed. "
		  "With --watch or --count > 1 each snapshot is one line (JSON Lines)" },
	{ .name = "--watch",
	  .type = QNM_OPT_STRING,
	  .arg = "SECONDS",
	  .flags = QNM_OPT_OPTIONAL,
	  .help = "repeat every interval (=SECONDS sets it) until interrupted" },
	{ .name = "--interval",
	  .type = QNM_OPT_STRING,
	  .arg = "SECONDS",
	  .help = "seconds between the two readings of a snapshot (default 1)" },
	{ .name = "--count", .type = QNM_OPT_STRING, .arg = "N", .help = "stop after N snapshots" },
	{ .name = NULL },
};

static const struct qnm_args_spec stats_args = {
	.opts = stats_opts,
	.max = -1,
};

/* the options' values (their wording is stats' own: tests/sh/bad-input.sh greps it) */
static int parse_args(struct qnm_ctx *ctx, const struct qnm_args *a, struct stats_opts *o)
{
	const char *watch = qnm_args_get(a, "--watch"), *interval = qnm_args_get(a, "--interval");
	const char *count = qnm_args_get(a, "--count");

	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	o->json = ctx->json;
	o->watch = qnm_args_has(a, "--watch");
	o->npos = a->npos;
	o->pos = xcalloc((size_t)a->npos + 1, sizeof(*o->pos));
	memcpy(o->pos, a->pos, (size_t)a->npos * sizeof(*o->pos));
	if (watch && parse_seconds(watch, &o->interval))
		return usage_error(ctx, "--watch=%s: not a number of seconds in [0.05, 3600]",
				   watch);
	if (interval && parse_seconds(interval, &o->interval))
		return usage_error(ctx, "--interval %s: not a number of seconds in [0.05, 3600]",
				   interval);
	if (interval && watch)
		return usage_error(ctx, "%s: give --watch=SECONDS or --interval, not both",
				   "--interval");
	if (count && qnm_parse_uint(count, 1, 1000000000, &o->count))
		return usage_error(ctx, "--count %s: not a whole number >= 1", count);
	if (!o->count && !o->watch)
		o->count = 1;
	return 0;
}

/* ---- selection ---- */

/* Entry @e is selected by name @p: its own name, its VM, or "VM/NIC". */
static bool matches(const struct qnm_sample *e, const char *p)
{
	const char *slash;

	if (strcmp(e->name, p) == 0 || (e->vm[0] && strcmp(e->vm, p) == 0))
		return true;
	slash = strchr(p, '/');
	return slash && e->vm[0] && strncmp(e->vm, p, (size_t)(slash - p)) == 0 &&
	       !e->vm[slash - p] && strcmp(e->nic, slash + 1) == 0;
}

static size_t select_entries(const struct qnm_sampler *s, const struct stats_opts *o,
			     const struct qnm_sample **sel)
{
	size_t n = 0, i;
	int k;

	for (i = 0; i < s->n; i++) {
		bool take = o->npos == 0;

		for (k = 0; !take && k < o->npos; k++)
			take = matches(s->v[i], o->pos[k]);
		if (take)
			sel[n++] = s->v[i];
	}
	return n;
}

/* Every name must be an interface, a VM with interfaces, or a configured VM. */
static int check_names(struct qnm_ctx *ctx, const struct qnm_sampler *s, const struct stats_opts *o)
{
	size_t i;
	int k;

	for (k = 0; k < o->npos; k++) {
		bool found = qnm_model_find_vm(&ctx->model, o->pos[k]) != NULL;

		for (i = 0; !found && i < s->n; i++)
			found = matches(s->v[i], o->pos[k]);
		if (!found) {
			struct qnm_err err;

			qnm_err_set(&err, -ENOENT, "",
				    "no interface or VM named '%s' "
				    "(qnm links lists interfaces, qnm list VMs)",
				    o->pos[k]);
			return qnm_cli_error(ctx, CMD, &err);
		}
	}
	return 0;
}

/* ---- JSON ---- */

static json_object *stats_obj(const uint64_t *v)
{
	json_object *o = json_object_new_object();
	int k;

	for (k = 0; k < QNM_STAT__COUNT; k++)
		json_object_object_add(o, qnm_links_stat_name(k),
				       json_object_new_int64((int64_t)v[k]));
	return o;
}

static json_object *rates_obj(const double *v)
{
	json_object *o = json_object_new_object();
	int k;

	for (k = 0; k < QNM_STAT__COUNT; k++)
		json_object_object_add(o, qnm_links_stat_name(k), json_object_new_double(v[k]));
	return o;
}

static json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static json_object *entry_json(const struct qnm_sample *e, bool counted)
{
	json_object *o = json_object_new_object();
	uint64_t gs[QNM_STAT__COUNT];
	double gr[QNM_STAT__COUNT];
	int k;

	json_object_object_add(o, "name", json_object_new_string(e->name));
	json_object_object_add(o, "role", json_object_new_string(qnm_if_role_name(e->role)));
	json_object_object_add(o, "role_label", json_object_new_string(qnm_if_role_label(e->role)));
	json_object_object_add(o, "type", json_object_new_string(e->type));
	json_object_object_add(o, "ifindex", e->ifindex ? json_object_new_int(e->ifindex) : NULL);
	json_object_object_add(o, "master", str_or_null(e->master));
	json_object_object_add(o, "vm", str_or_null(e->vm));
	json_object_object_add(o, "nic", str_or_null(e->nic));
	json_object_object_add(o, "network", str_or_null(e->network));
	json_object_object_add(o, "up", json_object_new_boolean(e->up));
	json_object_object_add(o, "available", json_object_new_boolean(e->available));
	json_object_object_add(o, "error", str_or_null(e->available ? "" : e->why));
	json_object_object_add(o, "counted_in_total", json_object_new_boolean(counted));
	json_object_object_add(o, "resets", json_object_new_int64((int64_t)e->resets));
	json_object_object_add(o, "interval", json_object_new_double(e->interval));
	json_object_object_add(o, "stats", e->available ? stats_obj(e->stats) : NULL);
	json_object_object_add(o, "rates",
			       e->available && e->rate_valid ? rates_obj(e->rate) : NULL);
	if (e->available && qnm_if_role_guest_facing(e->role)) {
		json_object *g = json_object_new_object();

		for (k = 0; k < QNM_STAT__COUNT; k++) {
			gs[k] = qnm_sample_stat(e, k, true);
			gr[k] = qnm_sample_rate(e, k, true);
		}
		json_object_object_add(g, "stats", stats_obj(gs));
		json_object_object_add(g, "rates", e->rate_valid ? rates_obj(gr) : NULL);
		json_object_object_add(o, "guest", g);
	} else {
		json_object_object_add(o, "guest", NULL);
	}
	return o;
}

static json_object *total_json(const struct qnm_sample_total *t)
{
	json_object *o = json_object_new_object(), *g = json_object_new_object();

	json_object_object_add(o, "counted", json_object_new_int64((int64_t)t->counted));
	json_object_object_add(o, "skipped", json_object_new_int64((int64_t)t->skipped));
	json_object_object_add(o, "unavailable", json_object_new_int64((int64_t)t->unavailable));
	json_object_object_add(o, "stats", stats_obj(t->stats));
	json_object_object_add(o, "rates", t->rate_valid ? rates_obj(t->rate) : NULL);
	json_object_object_add(g, "counted", json_object_new_int64((int64_t)t->guest_counted));
	json_object_object_add(g, "stats", stats_obj(t->guest_stats));
	json_object_object_add(g, "rates", t->rate_valid ? rates_obj(t->guest_rate) : NULL);
	json_object_object_add(o, "guest", g);
	return o;
}

static void print_json(struct qnm_ctx *ctx, const struct qnm_sampler *s,
		       const struct qnm_sample **sel, size_t n, const bool *counted,
		       const struct qnm_sample_total *t, bool lines)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	struct timespec ts;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_object_add(o, "time",
			       json_object_new_double((double)ts.tv_sec + ts.tv_nsec / 1e9));
	json_object_object_add(o, "tick", json_object_new_int64((int64_t)s->ticks));
	for (i = 0; i < n; i++)
		json_object_array_add(arr, entry_json(sel[i], counted[i]));
	json_object_object_add(o, "interfaces", arr);
	json_object_object_add(o, "total", total_json(t));
	fprintf(ctx->out, "%s\n",
		json_object_to_json_string_ext(
			o, (lines ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY) |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* ---- text ---- */

static void print_row(struct qnm_ctx *ctx, char mark, const char *name, const char *role,
		      const char *owner, const double *rate, bool rate_valid, const uint64_t *v)
{
	char a[16], b[16], c[16], d[16];

	if (rate_valid) {
		qnm_fmt_rate(rate[QNM_STAT_RX_BYTES], a, sizeof(a));
		qnm_fmt_rate(rate[QNM_STAT_TX_BYTES], b, sizeof(b));
	} else {
		snprintf(a, sizeof(a), "-");
		snprintf(b, sizeof(b), "-");
	}
	qnm_fmt_bytes(v[QNM_STAT_RX_BYTES], c, sizeof(c));
	qnm_fmt_bytes(v[QNM_STAT_TX_BYTES], d, sizeof(d));
	fprintf(ctx->out, "%c%-16s %-7s %-18s %11s %11s ", mark, name, role, owner, a, b);
	if (rate_valid)
		fprintf(ctx->out, "%8.0f %8.0f ", rate[QNM_STAT_RX_PACKETS],
			rate[QNM_STAT_TX_PACKETS]);
	else
		fprintf(ctx->out, "%8s %8s ", "-", "-");
	fprintf(ctx->out, "%10s %10s %6llu %6llu\n", c, d,
		(unsigned long long)v[QNM_STAT_RX_ERRORS] + v[QNM_STAT_TX_ERRORS],
		(unsigned long long)v[QNM_STAT_RX_DROPPED] + v[QNM_STAT_TX_DROPPED]);
}

static void print_text(struct qnm_ctx *ctx, const struct qnm_sample **sel, size_t n,
		       const bool *counted, const struct qnm_sample_total *t, bool header_time)
{
	char owner[2 * QNM_NAME_MAX + 8], a[16], b[16], c[16], d[16];
	bool any_skipped = false, any_guest = false;
	size_t i;

	if (header_time) {
		char when[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
		fprintf(ctx->out, "--- %s\n", when);
	}
	fprintf(ctx->out, " %-16s %-7s %-18s %11s %11s %8s %8s %10s %10s %6s %6s\n", "INTERFACE",
		"ROLE", "VM/NIC or NETWORK", "RX/s", "TX/s", "RX pk/s", "TX pk/s", "RX total",
		"TX total", "ERRS", "DROPS");
	for (i = 0; i < n; i++) {
		const struct qnm_sample *e = sel[i];
		char mark = counted[i] ? ' ' : '~';

		if (e->vm[0])
			snprintf(owner, sizeof(owner), "%s/%s", e->vm, e->nic);
		else
			snprintf(owner, sizeof(owner), "%s", e->network[0] ? e->network : "-");
		if (!e->available) {
			fprintf(ctx->out, "!%-16s %-7s %-18s unavailable: %s\n", e->name,
				qnm_if_role_name(e->role), owner, e->why);
			continue;
		}
		if (!counted[i])
			any_skipped = true;
		print_row(ctx, mark, e->name, qnm_if_role_name(e->role), owner, e->rate,
			  e->rate_valid, e->stats);
		if (qnm_if_role_guest_facing(e->role)) {
			any_guest = true;
			if (e->rate_valid) {
				qnm_fmt_rate(qnm_sample_rate(e, QNM_STAT_RX_BYTES, true), a,
					     sizeof(a));
				qnm_fmt_rate(qnm_sample_rate(e, QNM_STAT_TX_BYTES, true), b,
					     sizeof(b));
			} else {
				snprintf(a, sizeof(a), "-");
				snprintf(b, sizeof(b), "-");
			}
			qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_RX_BYTES, true), c, sizeof(c));
			qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_TX_BYTES, true), d, sizeof(d));
			fprintf(ctx->out, "   guest view: rx %s, tx %s (totals rx %s, tx %s)\n", a,
				b, c, d);
		}
	}
	print_row(ctx, ' ', "TOTAL", "", "", t->rate, t->rate_valid, t->stats);
	fprintf(ctx->out, "RX/TX: the host's side (as ip -s link counts it).");
	if (any_guest)
		fprintf(ctx->out,
			" Guest view: the guest's own rx/tx (a TAP's tx is the guest's rx).");
	fputc('\n', ctx->out);
	fprintf(ctx->out, "Total: %zu interface%s", t->counted, t->counted == 1 ? "" : "s");
	if (t->skipped || any_skipped)
		fprintf(ctx->out, "; ~ not counted: a bridge whose ports are listed (their "
				  "counters already hold its traffic)");
	if (t->unavailable)
		fprintf(ctx->out, "; ! unavailable: not counted");
	fprintf(ctx->out, ".\n");
}

/* ---- the command ---- */

static void sleep_seconds(double sec)
{
	struct timespec ts = { (time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9) };

	/* interrupted by SIGINT/SIGTERM: stop_flag is set, the caller stops */
	nanosleep(&ts, NULL);
}

static int tick(struct qnm_ctx *ctx, struct qnm_sampler *s)
{
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_sampler_tick(s, &err) < 0)
		return qnm_cli_error(ctx, CMD, &err);
	return 0;
}

static int run_stats(struct qnm_ctx *ctx, struct qnm_sampler *s, const struct stats_opts *o)
{
	const struct qnm_sample **sel = NULL;
	bool *counted = NULL;
	unsigned long done = 0;
	int r;

	r = tick(ctx, s);
	if (r)
		return r;
	r = check_names(ctx, s, o);
	if (r)
		return r;
	while (!stop_flag && (!o->count || done < o->count)) {
		struct qnm_sample_total t;
		size_t n;

		sleep_seconds(o->interval);
		if (stop_flag)
			break;
		r = tick(ctx, s);
		if (r)
			break;
		sel = xreallocarray(sel, s->n + 1, sizeof(*sel));
		counted = xreallocarray(counted, s->n + 1, sizeof(*counted));
		n = select_entries(s, o, sel);
		qnm_sample_total(sel, n, &t, counted);
		if (o->json)
			print_json(ctx, s, sel, n, counted, &t, o->watch || o->count > 1);
		else
			print_text(ctx, sel, n, counted, &t, o->watch || o->count > 1);
		fflush(ctx->out);
		done++;
	}
	free(sel);
	free(counted);
	return r;
}

static int cmd_stats(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct sigaction sa, old_int, old_term;
	struct qnm_sampler *s;
	struct stats_opts o;
	struct qnm_err err;
	int r;

	r = parse_args(ctx, args, &o);
	if (r) {
		free(o.pos);
		return r;
	}
	if (qnm_cli_load(ctx, CMD)) {
		free(o.pos);
		return 1;
	}
	qnm_err_clear(&err);
	if (qnm_api_stats_open(ctx, &s, &err) < 0) {
		free(o.pos);
		return qnm_cli_error(ctx, CMD, &err);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stop_flag = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	r = run_stats(ctx, s, &o);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	qnm_sampler_free(s);
	free(o.pos);
	return r;
}

const struct qnm_cli_cmd qnm_cmd_stats = {
	.name = "stats",
	.usage = "stats [IFACE|VM|VM/NIC...] [--json] [--watch[=SECONDS]] [--interval SECONDS] "
		 "[--count N]",
	.summary = "live counters and rates of host links and of guests' interfaces",
	.help = "Every host link, every guest TAP, the bridge and uplink of each qnm network,\n"
		"the slirp NICs of running VMs (counted by their helper) and their private NICs\n"
		"(counted by their segment's switch), each with its role and the VM/NIC or\n"
		"network it belongs to. Names select interfaces, or all interfaces of a VM, or\n"
		"one NIC (VM/NIC); none selects everything.\n"
		"\n"
		"Rates need two readings: qnm reads, waits --interval seconds (default 1), reads\n"
		"again and prints one snapshot.\n"
		"\n"
		"RX/TX are the host's side, as \"ip -s link\" counts them. For a guest's TAP the\n"
		"kernel's rx is what the guest sent, so guest-facing interfaces (tap, slirp,\n"
		"private) also show the guest view, rx and tx swapped. The total never counts a\n"
		"bridge together with its ports: a bridge is left out (marked ~) when one of its\n"
		"ports is listed, since every frame of the bridge device crosses a port. An\n"
		"interface that cannot be read (a slirp helper or a switch that does not answer,\n"
		"a running VM's missing TAP) is shown as unavailable (marked !), never as zero.\n",
	.args = &stats_args,
	.run = cmd_stats,
};
