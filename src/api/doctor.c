// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor.c - the doctor and the host check (see doctor.h). */
#include "build-config.h"

#include "api/doctor.h"

#include "host/bridgeconf.h"
#include "host/dnsmasq.h"
#include "host/netctl.h"
#include "host/nft.h"
#include "host/sysctl.h"
#include "host/tuntap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int qnm_api_doctor_run(const struct qnm_ctx *ctx, const char *only, struct qnm_doctor_report *rep)
{
	return qnm_doctor_run(&ctx->model, ctx->paths.runtime_dir, ctx->paths.cache_dir, only, rep);
}

/* ---- the host check ---- */

struct host_item {
	const char *name;
	bool (*probe)(char *why, size_t size);
};

static bool probe_cap(char *why, size_t size)
{
	bool ok = qnm_have_cap_net_admin();

	snprintf(why, size, "%s",
		 ok ? "CAP_NET_ADMIN: qnm can create bridges and TAPs, NAT rules, DHCP"
		    : "no CAP_NET_ADMIN: qnm net up/down and TAP NICs are unavailable; user-mode "
		      "(user, slirp) NICs work, bridge NICs work through QEMU's bridge helper "
		      "when it is set up (run as root or grant the capability for the rest)");
	return ok;
}

static bool probe_tun(char *why, size_t size)
{
	if (!qnm_tun_available(why, size))
		return false;
	snprintf(why, size, "/dev/net/tun can be opened%s",
		 qnm_have_cap_net_admin() ? ""
					  : " (creating TAPs still needs CAP_NET_ADMIN; opening an "
					    "existing TAP you own does not)");
	return true;
}

static bool probe_forward(char *why, size_t size)
{
	struct qnm_err err;
	bool on;

	qnm_err_clear(&err);
	if (qnm_ip_forward_get(&on, &err) < 0) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	snprintf(why, size, "net.ipv4.ip_forward = %d%s", on ? 1 : 0,
		 on ? ""
		    : ": NAT networks need 1; 'qnm net up' sets it (and restores it when the "
		      "last NAT network goes down)");
	return on;
}

static bool probe_ping(char *why, size_t size)
{
	struct qnm_err err;
	bool ok;

	qnm_err_clear(&err);
	if (qnm_ping_check(&ok, why, size, &err) < 0) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	return ok;
}

static bool probe_dnsmasq(char *why, size_t size)
{
	char path[4096];
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_dnsmasq_find(path, sizeof(path), &err) < 0) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	snprintf(why, size, "%s: DHCP on nat/isolated networks is available", path);
	return true;
}

/* doctor's bridge_helper check on the helper QEMU runs by default, and the ACL file it reads */
static bool probe_helper(char *why, size_t size)
{
	const char *conf = qnm_bridge_conf_path();
	bool ok, conf_ok = access(conf, R_OK) == 0;
	struct qnm_doc_result res;

	qnm_doc_result_init(&res);
	qnm_doctor_bridge_helper(NULL, &res);
	ok = res.status == QNM_DOC_OK;
	if (!ok)
		snprintf(why, size, "%s; fix: %s", res.finding.s, res.fix.s);
	else if (!conf_ok)
		snprintf(why, size,
			 "%s; but %s is missing or unreadable: it must say 'allow BRIDGE' for each "
			 "bridge QEMU may join",
			 res.finding.s, conf);
	else
		snprintf(why, size, "%s; bridges must be allowed in %s", res.finding.s, conf);
	qnm_doc_result_clear(&res);
	return ok && conf_ok;
}

static bool probe_nft(char *why, size_t size)
{
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	r = qnm_nft_table_exists(&err);
	if (r < 0) {
		snprintf(why, size, "cannot read nftables: %s", err.msg);
		return false;
	}
	snprintf(why, size, "nftables readable; table inet qnm %s", r ? "present" : "absent");
	return true;
}

static const struct host_item host_items[] = {
	{ "cap_net_admin", probe_cap },	 { "dev_net_tun", probe_tun },
	{ "ip_forward", probe_forward }, { "ping_group_range", probe_ping },
	{ "dnsmasq", probe_dnsmasq },	 { "bridge_helper", probe_helper },
	{ "nftables", probe_nft },
};

struct qnm_api_host_check *qnm_api_doctor_host(const struct qnm_ctx *ctx, size_t *n)
{
	struct qnm_api_host_check *v = xcalloc(QNM_ARRAY_SIZE(host_items), sizeof(*v));
	size_t i;

	(void)ctx;
	for (i = 0; i < QNM_ARRAY_SIZE(host_items); i++) {
		v[i].name = host_items[i].name;
		v[i].detail[0] = '\0';
		v[i].ok = host_items[i].probe(v[i].detail, sizeof(v[i].detail));
	}
	*n = QNM_ARRAY_SIZE(host_items);
	return v;
}
