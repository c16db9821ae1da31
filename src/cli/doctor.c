// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/doctor.c - "qnm doctor [--json] [--check ID]": is this host ready for
 * the configured VMs and networks? Each finding in plain language, with the
 * exact fix (checks in doctor.c).
 */
#include "build-config.h"

#include "cli/cli.h"
#include "api/doctor.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* print each line of @text indented by @indent and led by @lead */
static void print_lines(FILE *f, const char *indent, const char *lead, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(f, "%s%s%.*s\n", indent, lead, n, p);
		p = nl ? nl + 1 : p + n;
	}
}

static void print_text(struct qnm_ctx *ctx, const struct qnm_doctor_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		const struct qnm_doctor_item *it = &rep->v[i];
		char st[8];
		size_t k;

		/* FAIL and WARN stand out in capitals */
		snprintf(st, sizeof(st), "%s", qnm_doc_status_name(it->res.status));
		if (it->res.status >= QNM_DOC_WARN)
			for (k = 0; st[k]; k++)
				st[k] = (char)(st[k] - 'a' + 'A');
		fprintf(ctx->out, "%-5s %-17s %s\n", st, it->check->id, it->check->title);
		print_lines(ctx->out, "        ", "", it->res.finding.s);
		if (it->res.fix.len)
			print_lines(ctx->out, "        ", "fix: ", it->res.fix.s);
	}
	fprintf(ctx->out, "\n%zu ok, %zu skipped, %zu warning(s), %zu failed\n",
		rep->count[QNM_DOC_OK], rep->count[QNM_DOC_SKIP], rep->count[QNM_DOC_WARN],
		rep->count[QNM_DOC_FAIL]);
}

static json_object *lines_json(const char *text)
{
	json_object *a = json_object_new_array();
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		json_object_array_add(a, json_object_new_string_len(p, (int)n));
		p = nl ? nl + 1 : p + n;
	}
	return a;
}

static void print_json(struct qnm_ctx *ctx, const struct qnm_doctor_report *rep)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array(), *c;
	size_t i;

	for (i = 0; i < rep->n; i++) {
		const struct qnm_doctor_item *it = &rep->v[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "id", json_object_new_string(it->check->id));
		json_object_object_add(e, "title", json_object_new_string(it->check->title));
		json_object_object_add(e, "status",
				       json_object_new_string(qnm_doc_status_name(it->res.status)));
		json_object_object_add(e, "findings", lines_json(it->res.finding.s));
		json_object_object_add(e, "fix", lines_json(it->res.fix.s));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "checks", a);
	c = json_object_new_object();
	for (i = 0; i < QNM_DOC__COUNT; i++)
		json_object_object_add(c, qnm_doc_status_name((enum qnm_doc_status)i),
				       json_object_new_int((int)rep->count[i]));
	json_object_object_add(o, "counts", c);
	qnm_cli_print_json(ctx, o);
}

static const struct qnm_opt doctor_opts[] = {
	{ .name = "--json",
	  .help = "print JSON {checks: [{id, title, status, findings, fix}], counts}" },
	{ .name = "--check", .type = QNM_OPT_STRING, .arg = "ID", .help = "run one check only" },
	{ .name = NULL },
};

static const struct qnm_args_spec doctor_args = {
	.opts = doctor_opts,
	.max = 0,
	.say.unknown = "unknown option or missing value: '%s'", /* tests/sh/bad-input.sh greps it */
};

static int cmd_doctor(struct qnm_ctx *ctx, const struct qnm_args *args)
{
	struct qnm_doctor_report rep;
	const char *only = qnm_args_get(args, "--check");
	size_t i;
	int c;

	if (qnm_cli_load(ctx, "doctor"))
		return 1;
	if (qnm_api_doctor_run(ctx, only, &rep) == -ENOENT) {
		size_t n;
		const struct qnm_doc_check *t = qnm_doctor_checks(&n);

		fprintf(ctx->errout, "qnm: doctor: no check named '%s'; the checks are:", only);
		for (i = 0; i < n; i++)
			fprintf(ctx->errout, " %s", t[i].id);
		fputc('\n', ctx->errout);
		return 2;
	}
	if (ctx->json)
		print_json(ctx, &rep);
	else
		print_text(ctx, &rep);
	c = rep.count[QNM_DOC_FAIL] ? 1 : 0;
	qnm_doctor_report_clear(&rep);
	return c;
}

const struct qnm_cli_cmd qnm_cmd_doctor = {
	.name = "doctor",
	.usage = "doctor [--json] [--check ID]",
	.summary = "check this host against your VMs and networks; each problem with its fix",
	.help = "Looks (never changes anything) at: the QEMU binary and its user networking,\n"
		"/dev/kvm (does a test guest run with it? asked once, cached a day),\n"
		"/dev/net/tun, CAP_NET_ADMIN, QEMU's bridge helper and\n"
		"/etc/qemu/bridge.conf (each bridge of a bridge NIC allowed; bad lines named with\n"
		"FILE:LINE), the bridges NICs name exist, each network against what qnm\n"
		"recorded (half up after a killed net up/down, leftovers, forwards not live),\n"
		"net.ipv4.ip_forward (NAT networks),\n"
		"net.ipv4.ping_group_range (guest ping on user networking), other nftables\n"
		"tables or iptables' FORWARD policy dropping forwarded traffic (e.g. Docker's),\n"
		"br_netfilter with bridge-nf-call-iptables, dnsmasq (DHCP), MAC clashes among VMs\n"
		"and with the neighbour table / fdb of live bridges, forwarded host ports\n"
		"already in use, network forwards on 127.0.0.1 (their rule, the bridge's\n"
		"route_localnet and masquerade), and TAPs qnm made that a killed guest\n"
		"supervisor left behind.\n"
		"Results: ok, skip (does not apply / cannot look), warn, fail.\n"
		"Exit status: 0 when nothing failed, 1 when a check failed, 2 on usage errors.\n",
	.args = &doctor_args,
	.run = cmd_doctor,
};
