// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovn.c - ovn networks in the northbound database, guests' TAPs on the
 * integration bridge (see ovn.h). Every change is one OVSDB transaction:
 * it happens whole or not at all, so a qnm killed in between leaves
 * nothing half made in a database.
 */
#include "build-config.h"

#include "host/ovn.h"

#include "core/addr.h"
#include "core/config.h"
#include "host/ovsdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NB	   "OVN_Northbound"
#define VS	   "Open_vSwitch"
#define MARK	   "qnm-network"
#define GENEVE_MTU "1442" /* 1500 - Geneve over IPv4 with OVN's option */

/* ---- small helpers ---- */

/* [[external_ids includes {qnm-network: @name}]] */
static json_object *where_mark(const char *name)
{
	return qnm_ovsdb_where("external_ids", "includes", qnm_ovsdb_map1(MARK, name));
}

static json_object *where_name(const char *name)
{
	return qnm_ovsdb_where("name", "==", json_object_new_string(name));
}

/* [[name == @name], [external_ids includes {qnm-network: @net}]] */
static json_object *where_name_mark(const char *name, const char *net)
{
	json_object *w = where_name(name), *m = where_mark(net);

	json_object_array_add(w, json_object_get(json_object_array_get_idx(m, 0)));
	json_object_put(m);
	return w;
}

/*
 * the network's own switch (not its router's outside switch NAME-ext, which
 * carries the same mark)
 */
static json_object *where_switch(const char *name)
{
	return where_name_mark(name, name);
}

static json_object *str(const char *s)
{
	return json_object_new_string(s);
}

static int nb_open(const struct qnm_network *net, struct qnm_ovsdb **db, struct qnm_err *err)
{
	int r = qnm_ovsdb_connect(net->ovn_nb, QNM_OVN_TIMEOUT_MS, db, err);

	if (r)
		qnm_err_set(err, r, "ovn-nb", "ovn-nb: the OVN northbound database %s: %s",
			    net->ovn_nb, err ? err->msg : strerror(-r));
	return r;
}

/* the rows of @table matching @where (taken); 0 or -errno */
static int select_rows(struct qnm_ovsdb *db, const char *dbname, const char *table,
		       json_object *where, json_object **rows, struct qnm_err *err)
{
	return qnm_ovsdb_select1(db, dbname, table, where, rows, err);
}

/* the uuid of the first of @rows into @buf ("" when none) */
static void first_uuid(json_object *rows, char *buf, size_t size)
{
	const char *u = json_object_array_length(rows)
				? qnm_ovsdb_row_uuid(json_object_array_get_idx(rows, 0))
				: NULL;

	qnm_strlcpy(buf, u ? u : "", size);
}

/* a MAC of the network's own for @name + @salt (locally administered) */
static void salted_mac(const char *name, const char *salt, char *buf)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	for (; *salt; salt++)
		h = (h ^ (unsigned char)*salt) * 16777619u;
	snprintf(buf, QNM_MAC_LEN, "0a:00:%02x:%02x:%02x:%02x", h >> 24, (h >> 16) & 255,
		 (h >> 8) & 255, h & 255);
}

/* the switch's other_config: subnet and exclude_ips */
static json_object *switch_config(const struct qnm_network *net)
{
	uint32_t a = 0, mask, base, bcast, s, e;
	char cidr[QNM_CIDR_LEN], ex[128], x[16], y[16];
	const char *kv[4];

	qnm_parse_ipv4(net->address, &a);
	mask = net->prefix ? ~0u << (32 - net->prefix) : 0;
	base = a & mask;
	bcast = base | ~mask;
	qnm_format_ipv4(base, x);
	snprintf(cidr, sizeof(cidr), "%s/%u", x, net->prefix);
	snprintf(ex, sizeof(ex), "%s", net->address);
	if (net->dhcp_start[0] && !qnm_parse_ipv4(net->dhcp_start, &s) &&
	    !qnm_parse_ipv4(net->dhcp_end, &e)) {
		if (s > base + 1) {
			qnm_format_ipv4(base + 1, x);
			qnm_format_ipv4(s - 1, y);
			snprintf(ex + strlen(ex), sizeof(ex) - strlen(ex), " %s..%s", x, y);
		}
		if (e + 1 < bcast) {
			qnm_format_ipv4(e + 1, x);
			qnm_format_ipv4(bcast - 1, y);
			snprintf(ex + strlen(ex), sizeof(ex) - strlen(ex), " %s..%s", x, y);
		}
	}
	kv[0] = "subnet";
	kv[1] = cidr;
	kv[2] = "exclude_ips";
	kv[3] = ex;
	return qnm_ovsdb_map(kv, 2);
}

/* the DHCP_Options row of @net */
static json_object *dhcp_row(const struct qnm_network *net)
{
	char mac[QNM_MAC_LEN], cidr[QNM_CIDR_LEN], base[16];
	uint32_t a = 0, mask;
	json_object *row = json_object_new_object();
	const char *kv[10];

	qnm_parse_ipv4(net->address, &a);
	mask = net->prefix ? ~0u << (32 - net->prefix) : 0;
	qnm_format_ipv4(a & mask, base);
	snprintf(cidr, sizeof(cidr), "%s/%u", base, net->prefix);
	salted_mac(net->name, "", mac);
	kv[0] = "lease_time";
	kv[1] = "3600";
	kv[2] = "router";
	kv[3] = net->address;
	kv[4] = "server_id";
	kv[5] = net->address;
	kv[6] = "server_mac";
	kv[7] = mac;
	kv[8] = "mtu";
	kv[9] = GENEVE_MTU;
	json_object_object_add(row, "cidr", str(cidr));
	json_object_object_add(row, "options", qnm_ovsdb_map(kv, 5));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1(MARK, net->name));
	return row;
}

/* ---- the router of a network with a gateway host ---- */

/* ["set", [...strings]] of one string */
static json_object *set1(const char *s)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, str(s));
	return qnm_ovsdb_set(a);
}

/* the network's subnet "BASE/PREFIX" */
static void subnet_of(const char *addr, unsigned prefix, char *buf)
{
	uint32_t a = 0, mask = prefix ? ~0u << (32 - prefix) : 0;
	char base[16];

	qnm_parse_ipv4(addr, &a);
	qnm_format_ipv4(a & mask, base);
	snprintf(buf, QNM_CIDR_LEN, "%s/%u", base, prefix);
}

/* a router-type switch port @name for router port @rport, inserted as @named */
static void router_lsp(json_object *ops, const char *name, const char *rport, const char *mark,
		       const char *named)
{
	json_object *row = json_object_new_object();

	json_object_object_add(row, "name", str(name));
	json_object_object_add(row, "type", str("router"));
	json_object_object_add(row, "addresses", set1("router"));
	json_object_object_add(row, "options", qnm_ovsdb_map1("router-port", rport));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1(MARK, mark));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Logical_Switch_Port", row, named));
}

static void router_lrp(json_object *ops, const char *name, const char *mac, const char *cidr,
		       const char *named)
{
	json_object *row = json_object_new_object();

	json_object_object_add(row, "name", str(name));
	json_object_object_add(row, "mac", str(mac));
	json_object_object_add(row, "networks", set1(cidr));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Logical_Router_Port", row, named));
}

/* the load balancers of @net's forwards (one per protocol and port), named lbN */
static json_object *forward_lbs(const struct qnm_network *net, json_object *ops)
{
	json_object *names = json_object_new_array(), *row;
	static const char *const protos[] = { "tcp", "udp" };
	char vip[32], backend[32], named[16], lbname[QNM_NAME_MAX + 48];
	const char *kv[4];
	size_t i, n = 0;
	unsigned k, p;

	for (i = 0; i < net->nfwd; i++) {
		const struct qnm_fwd *f = &net->fwd[i];

		for (p = 0; p < 2; p++) {
			if ((f->proto == QNM_PROTO_TCP && p) || (f->proto == QNM_PROTO_UDP && !p))
				continue;
			for (k = 0; k <= f->span; k++) {
				snprintf(vip, sizeof(vip), "%s:%u", net->gw_address,
					 f->host_port + k);
				snprintf(backend, sizeof(backend), "%s:%u", f->guest_addr,
					 f->guest_port + k);
				snprintf(named, sizeof(named), "lb%zu", n++);
				snprintf(lbname, sizeof(lbname), "%s-%s-%u", net->name, protos[p],
					 f->host_port + k);
				kv[0] = MARK;
				kv[1] = net->name;
				row = json_object_new_object();
				json_object_object_add(row, "name", str(lbname));
				json_object_object_add(row, "protocol", set1(protos[p]));
				json_object_object_add(row, "vips", qnm_ovsdb_map1(vip, backend));
				json_object_object_add(row, "external_ids", qnm_ovsdb_map(kv, 1));
				json_object_array_add(
					ops, qnm_ovsdb_op_insert("Load_Balancer", row, named));
				json_object_array_add(names, qnm_ovsdb_named(named));
			}
		}
	}
	return qnm_ovsdb_set(names);
}

/* an ACL of network @name (@dir: from-lport or to-lport) inserted as @named, added to @acls */
static void acl_add(json_object *ops, json_object *acls, const char *name, const char *dir,
		    int prio, const char *match, const char *action, const char *named)
{
	json_object *row = json_object_new_object();

	json_object_object_add(row, "priority", json_object_new_int(prio));
	json_object_object_add(row, "direction", str(dir));
	json_object_object_add(row, "match", str(match));
	json_object_object_add(row, "action", str(action));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1(MARK, name));
	json_object_array_add(ops, qnm_ovsdb_op_insert("ACL", row, named));
	json_object_array_add(acls, qnm_ovsdb_named(named));
}

/* what the router of @net is made of, to know it unchanged: a digest */
static void router_conf(const struct qnm_network *net, char *buf, size_t size)
{
	uint32_t h = 2166136261u;
	char fwd[QNM_FWD_TEXT_LEN], *s;
	size_t i;

	snprintf(buf, size, "v2 %s %s/%u %s/%u %s", net->gateway_host, net->address, net->prefix,
		 net->gw_address, net->gw_prefix, net->uplink);
	for (i = 0; i < net->nfwd; i++) {
		qnm_fwd_format(&net->fwd[i], fwd, sizeof(fwd));
		for (s = fwd; *s; s++)
			h = (h ^ (unsigned char)*s) * 16777619u;
		h = (h ^ ' ') * 16777619u;
	}
	snprintf(buf + strlen(buf), size - strlen(buf), " %zu:%08x", net->nfwd, h);
}

/*
 * Replace the router of @net (ls: the uuid of its switch): the router bound
 * to the gateway host (options:chassis), its inside port on the switch and
 * its outside port on the switch NAME-ext, whose localnet port reaches the
 * gateway host's uplink through ovn-bridge-mappings NAME:BRIDGE; SNAT of
 * the subnet to the gateway address; a load balancer per forwarded port;
 * and the isolation of a local NAT network: what comes in from the uplink
 * addressed to the subnet itself (not a forward, not a reply) is dropped on
 * the outside switch. The network's switch has no ACL.
 */
static int router_up(struct qnm_ovsdb *db, const struct qnm_network *net, const char *ls,
		     struct qnm_err *err)
{
	char in[QNM_NAME_MAX + 8], out[QNM_NAME_MAX + 8], ext[QNM_NAME_MAX + 8],
		rlsp[QNM_NAME_MAX + 8], elsp[QNM_NAME_MAX + 16], llsp[QNM_NAME_MAX + 16],
		mac_in[QNM_MAC_LEN], mac_out[QNM_MAC_LEN], cidr_in[QNM_CIDR_LEN],
		cidr_out[QNM_CIDR_LEN], sub[QNM_CIDR_LEN], match[256];
	json_object *rows = NULL, *ops, *row, *a;
	char old[64] = "", conf[1024];
	const char *kv[4];
	bool same;
	int r;

	snprintf(in, sizeof(in), "%s-in", net->name);
	snprintf(out, sizeof(out), "%s-out", net->name);
	snprintf(ext, sizeof(ext), "%s-ext", net->name);
	snprintf(rlsp, sizeof(rlsp), "%s-rtr", net->name);
	snprintf(elsp, sizeof(elsp), "%s-ext-rtr", net->name);
	snprintf(llsp, sizeof(llsp), "%s-ext-uplink", net->name);
	salted_mac(net->name, "in", mac_in);
	salted_mac(net->name, "out", mac_out);
	snprintf(cidr_in, sizeof(cidr_in), "%s/%u", net->address, net->prefix);
	snprintf(cidr_out, sizeof(cidr_out), "%s/%u", net->gw_address, net->gw_prefix);
	subnet_of(net->address, net->prefix, sub);

	/* the same router already there (net up on another host): nothing to do */
	router_conf(net, conf, sizeof(conf));
	kv[0] = MARK;
	kv[1] = net->name;
	kv[2] = "qnm-config";
	kv[3] = conf;
	r = select_rows(db, NB, "Logical_Router",
			qnm_ovsdb_where("external_ids", "includes", qnm_ovsdb_map(kv, 2)), &rows,
			err);
	if (r)
		return r;
	same = json_object_array_length(rows) == 1;
	json_object_put(rows);
	if (same)
		return 0;
	r = select_rows(db, NB, "Logical_Switch_Port", where_name(rlsp), &rows, err);
	if (r)
		return r;
	first_uuid(rows, old, sizeof(old));
	json_object_put(rows);

	ops = json_object_new_array();
	/* the old router, its outside switch and balancers go (their ports with them) */
	if (old[0])
		json_object_array_add(ops, qnm_ovsdb_op_mutate("Logical_Switch",
							       qnm_ovsdb_where_uuid(ls), "ports",
							       "delete", qnm_ovsdb_uuid(old)));
	/*
	 * the outside switch by its name and the network's mark (its ports,
	 * NAME-ext-rtr and NAME-ext-uplink, go with it: were it left, their
	 * names, unique in OVN, would refuse the new ones)
	 */
	json_object_array_add(
		ops, qnm_ovsdb_op_delete("Logical_Switch", where_name_mark(ext, net->name)));
	json_object_array_add(ops, qnm_ovsdb_op_delete("Logical_Router", where_mark(net->name)));
	json_object_array_add(ops, qnm_ovsdb_op_delete("Load_Balancer", where_mark(net->name)));

	router_lrp(ops, in, mac_in, cidr_in, "lrpin");
	router_lrp(ops, out, mac_out, cidr_out, "lrpout");
	row = json_object_new_object();
	json_object_object_add(row, "type", str("snat"));
	json_object_object_add(row, "logical_ip", str(sub));
	json_object_object_add(row, "external_ip", str(net->gw_address));
	json_object_array_add(ops, qnm_ovsdb_op_insert("NAT", row, "snat"));
	/* no ACL on the network's switch (the isolation is on the outside switch, below) */
	row = json_object_new_object();
	json_object_object_add(row, "acls", qnm_ovsdb_set(json_object_new_array()));
	json_object_array_add(ops,
			      qnm_ovsdb_op_update("Logical_Switch", qnm_ovsdb_where_uuid(ls), row));

	row = json_object_new_object();
	json_object_object_add(row, "name", str(net->name));
	a = json_object_new_array();
	json_object_array_add(a, qnm_ovsdb_named("lrpin"));
	json_object_array_add(a, qnm_ovsdb_named("lrpout"));
	json_object_object_add(row, "ports", qnm_ovsdb_set(a));
	json_object_object_add(row, "nat", qnm_ovsdb_named("snat"));
	json_object_object_add(row, "load_balancer", forward_lbs(net, ops));
	json_object_object_add(row, "options", qnm_ovsdb_map1("chassis", net->gateway_host));
	kv[0] = MARK;
	kv[1] = net->name;
	kv[2] = "qnm-config";
	kv[3] = conf;
	json_object_object_add(row, "external_ids", qnm_ovsdb_map(kv, 2));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Logical_Router", row, NULL));

	/* inside: the router's port on the network's switch */
	router_lsp(ops, rlsp, in, net->name, "rlsp");
	json_object_array_add(ops, qnm_ovsdb_op_mutate("Logical_Switch", qnm_ovsdb_where_uuid(ls),
						       "ports", "insert", qnm_ovsdb_named("rlsp")));
	/* outside: a switch with the router's outside port and the uplink (localnet) */
	router_lsp(ops, elsp, out, net->name, "elsp");
	row = json_object_new_object();
	json_object_object_add(row, "name", str(llsp));
	json_object_object_add(row, "type", str("localnet"));
	json_object_object_add(row, "addresses", set1("unknown"));
	json_object_object_add(row, "options", qnm_ovsdb_map1("network_name", net->name));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1(MARK, net->name));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Logical_Switch_Port", row, "llsp"));
	row = json_object_new_object();
	json_object_object_add(row, "name", str(ext));
	a = json_object_new_array();
	json_object_array_add(a, qnm_ovsdb_named("elsp"));
	json_object_array_add(a, qnm_ovsdb_named("llsp"));
	json_object_object_add(row, "ports", qnm_ovsdb_set(a));
	/*
	 * Isolation (as a local NAT network's): what the uplink sends to the
	 * subnet itself is dropped as it comes in, stateless, before the
	 * router. Forwards and replies to SNAT are addressed to the gateway
	 * address and only become the subnet's in the router (DNAT, un-SNAT).
	 */
	a = json_object_new_array();
	snprintf(match, sizeof(match), "inport == \"%s\" && ip4.dst == %s", llsp, sub);
	acl_add(ops, a, net->name, "from-lport", 1000, match, "drop", "acl");
	json_object_object_add(row, "acls", qnm_ovsdb_set(a));
	kv[2] = "qnm-role";
	kv[3] = "outside";
	json_object_object_add(row, "external_ids", qnm_ovsdb_map(kv, 2));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Logical_Switch", row, NULL));
	return qnm_ovsdb_transact(db, NB, ops, NULL, err);
}

/* ---- the gateway host's uplink on a bridge of Open vSwitch ---- */

/* the provider bridge of @net on the gateway host: "qo-" + its name (15 bytes at most) */
static void uplink_bridge(const struct qnm_network *net, char *buf)
{
	snprintf(buf, QNM_IFNAME_MAX + 1, "qo-%.12s", net->name);
}

/* ovn-bridge-mappings without @physnet's entry (+ "physnet:bridge" when @bridge) */
static void mappings(const char *cur, const char *physnet, const char *bridge, char *buf,
		     size_t size)
{
	char tmp[512], *save = NULL, *t;
	size_t pl = strlen(physnet);

	buf[0] = '\0';
	qnm_strlcpy(tmp, cur ? cur : "", sizeof(tmp));
	for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!(strncmp(t, physnet, pl) == 0 && t[pl] == ':'))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "",
				 t);
	if (bridge)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s:%s", buf[0] ? "," : "",
			 physnet, bridge);
}

/*
 * On the gateway host: the uplink on a bridge of its own (datapath as
 * br-int's), marked qnm-network=NAME, and ovn-bridge-mappings NAME:BRIDGE;
 * or (@up false) both gone. One transaction on the local database.
 */
static int uplink_sync(const struct qnm_network *net, bool up, struct qnm_strv *notes,
		       struct qnm_err *err)
{
	char db[QNM_OVSDB_REMOTE_MAX + 32], br[QNM_IFNAME_MAX + 1], map[512];
	json_object *rows = NULL, *ops, *row, *v, *keys;
	const char *cur = NULL;
	char dp[32] = "";
	struct qnm_ovsdb *c = NULL;
	int r;

	uplink_bridge(net, br);
	qnm_ovs_local_db(db, sizeof(db));
	r = qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, err);
	if (r)
		return r;
	ops = json_object_new_array();
	r = select_rows(c, VS, "Open_vSwitch", NULL, &rows, err);
	if (r)
		goto out;
	if (json_object_array_length(rows) &&
	    json_object_object_get_ex(json_object_array_get_idx(rows, 0), "external_ids", &v))
		cur = qnm_ovsdb_map_get(v, "ovn-bridge-mappings");
	mappings(cur, net->name, up ? br : NULL, map, sizeof(map)); /* before @rows go */
	json_object_put(rows);
	rows = NULL;
	r = select_rows(c, VS, "Bridge", where_name(net->bridge), &rows, err);
	if (r)
		goto out;
	if (json_object_array_length(rows) &&
	    json_object_object_get_ex(json_object_array_get_idx(rows, 0), "datapath_type", &v))
		qnm_strlcpy(dp, json_object_get_string(v), sizeof(dp));
	json_object_put(rows);
	rows = NULL;
	r = select_rows(c, VS, "Bridge", where_mark(net->name), &rows, err);
	if (r)
		goto out;
	if (json_object_array_length(rows)) { /* the old bridge (and its ports) first */
		const char *u = qnm_ovsdb_row_uuid(json_object_array_get_idx(rows, 0));

		json_object_array_add(ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "bridges",
							       "delete", qnm_ovsdb_uuid(u)));
	}
	keys = json_object_new_array();
	json_object_array_add(keys, str("ovn-bridge-mappings"));
	json_object_array_add(ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "external_ids",
						       "delete", qnm_ovsdb_set(keys)));
	if (map[0])
		json_object_array_add(
			ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "external_ids", "insert",
						 qnm_ovsdb_map1("ovn-bridge-mappings", map)));
	if (up) {
		json_object *ports = json_object_new_array();

		row = json_object_new_object();
		json_object_object_add(row, "name", str(net->uplink));
		json_object_array_add(ops, qnm_ovsdb_op_insert("Interface", row, "ui"));
		row = json_object_new_object();
		json_object_object_add(row, "name", str(net->uplink));
		json_object_object_add(row, "interfaces", qnm_ovsdb_named("ui"));
		json_object_array_add(ops, qnm_ovsdb_op_insert("Port", row, "up"));
		row = json_object_new_object();
		json_object_object_add(row, "name", str(br));
		json_object_object_add(row, "type", str("internal"));
		json_object_array_add(ops, qnm_ovsdb_op_insert("Interface", row, "bi"));
		row = json_object_new_object();
		json_object_object_add(row, "name", str(br));
		json_object_object_add(row, "interfaces", qnm_ovsdb_named("bi"));
		json_object_array_add(ops, qnm_ovsdb_op_insert("Port", row, "bp"));
		json_object_array_add(ports, qnm_ovsdb_named("up"));
		json_object_array_add(ports, qnm_ovsdb_named("bp"));
		row = json_object_new_object();
		json_object_object_add(row, "name", str(br));
		json_object_object_add(row, "ports", qnm_ovsdb_set(ports));
		json_object_object_add(row, "datapath_type", str(dp));
		json_object_object_add(row, "external_ids", qnm_ovsdb_map1(MARK, net->name));
		json_object_array_add(ops, qnm_ovsdb_op_insert("Bridge", row, "br"));
		json_object_array_add(ops, qnm_ovsdb_op_mutate("Open_vSwitch", NULL, "bridges",
							       "insert", qnm_ovsdb_named("br")));
	}
	r = qnm_ovsdb_transact(c, VS, ops, NULL, err);
	ops = NULL;
	if (!r && notes)
		qnm_strv_addf(notes,
			      up ? "uplink %s on Open vSwitch bridge %s (%s:%s mapped)"
				 : "Open vSwitch bridge %s of %s removed",
			      up ? net->uplink : br, up ? br : net->name, net->name, br);
out:
	json_object_put(ops);
	json_object_put(rows);
	qnm_ovsdb_close(c);
	if (r)
		qnm_err_prefix(err, "uplink %s of network %s", net->uplink, net->name);
	return r;
}

/* this host is @net's gateway host: 1, 0, or -errno */
static int on_gateway(const struct qnm_network *net)
{
	char db[QNM_OVSDB_REMOTE_MAX + 32], id[QNM_NAME_MAX + 1];

	if (!net->gateway_host[0])
		return 0;
	qnm_ovs_local_db(db, sizeof(db));
	if (qnm_ovs_system_id(db, id, sizeof(id), NULL))
		return 0;
	return strcmp(id, net->gateway_host) == 0;
}

/* ---- networks ---- */

int qnm_ovn_net_up(const struct qnm_network *net, struct qnm_strv *notes, struct qnm_err *err)
{
	json_object *rows = NULL, *ops, *row, *ext;
	char ls[64] = "", dhcp[64] = "";
	struct qnm_ovsdb *db = NULL;
	const char *owner;
	bool made = false;
	int r;

	r = nb_open(net, &db, err);
	if (r)
		return r;
	r = select_rows(db, NB, "Logical_Switch", where_name(net->name), &rows, err);
	if (r)
		goto out;
	if (json_object_array_length(rows)) {
		json_object_object_get_ex(json_object_array_get_idx(rows, 0), "external_ids", &ext);
		owner = qnm_ovsdb_map_get(ext, MARK);
		if (!owner || strcmp(owner, net->name)) {
			r = qnm_err_set(err, -EEXIST, "name",
					"name: OVN already has a logical switch '%s' that is not "
					"qnm's (no external_ids:" MARK "=%s): rename the network",
					net->name, net->name);
			goto out;
		}
		first_uuid(rows, ls, sizeof(ls));
	}
	json_object_put(rows);
	rows = NULL;
	r = select_rows(db, NB, "DHCP_Options", where_mark(net->name), &rows, err);
	if (r)
		goto out;
	first_uuid(rows, dhcp, sizeof(dhcp));

	ops = json_object_new_array();
	row = json_object_new_object();
	json_object_object_add(row, "other_config", switch_config(net));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1(MARK, net->name));
	if (ls[0]) {
		json_object_array_add(
			ops, qnm_ovsdb_op_update("Logical_Switch", qnm_ovsdb_where_uuid(ls), row));
	} else {
		json_object_object_add(row, "name", str(net->name));
		json_object_array_add(ops, qnm_ovsdb_op_insert("Logical_Switch", row, "ls"));
	}
	if (net->dhcp_start[0] && dhcp[0])
		json_object_array_add(ops, qnm_ovsdb_op_update("DHCP_Options",
							       qnm_ovsdb_where_uuid(dhcp),
							       dhcp_row(net)));
	else if (net->dhcp_start[0])
		json_object_array_add(ops,
				      qnm_ovsdb_op_insert("DHCP_Options", dhcp_row(net), NULL));
	else if (dhcp[0])
		json_object_array_add(ops,
				      qnm_ovsdb_op_delete("DHCP_Options", where_mark(net->name)));
	r = qnm_ovsdb_transact(db, NB, ops, NULL, err);
	if (r)
		goto out;
	if (!ls[0]) {
		json_object_put(rows);
		rows = NULL;
		r = select_rows(db, NB, "Logical_Switch", where_name(net->name), &rows, err);
		if (r)
			goto out;
		first_uuid(rows, ls, sizeof(ls));
		made = true;
	}
	if (net->gateway_host[0])
		r = router_up(db, net, ls, err);
	if (!r && on_gateway(net) == 1)
		r = uplink_sync(net, true, notes, err);
	if (r)
		goto out;
	if (notes && net->gateway_host[0])
		qnm_strv_addf(notes, "router %s on chassis %s: SNAT to %s, %zu forward%s",
			      net->name, net->gateway_host, net->gw_address, net->nfwd,
			      net->nfwd == 1 ? "" : "s");
	if (notes)
		qnm_strv_addf(notes, "%s logical switch %s in %s%s", made ? "created" : "updated",
			      net->name, net->ovn_nb, net->dhcp_start[0] ? " with OVN's DHCP" : "");
out:
	json_object_put(rows);
	qnm_ovsdb_close(db);
	if (r)
		qnm_err_prefix(err, "network %s", net->name);
	return r;
}

int qnm_ovn_net_down(const struct qnm_network *net, struct qnm_strv *notes, struct qnm_err *err)
{
	static const char *const tables[] = { "Logical_Switch", "DHCP_Options", "Logical_Router",
					      "Load_Balancer" };
	json_object *ops, *res = NULL, *o, *c;
	struct qnm_ovsdb *db = NULL;
	size_t i;
	int r, n = 0;

	r = nb_open(net, &db, err);
	if (r)
		goto out;
	ops = json_object_new_array();
	for (i = 0; i < QNM_ARRAY_SIZE(tables); i++)
		json_object_array_add(ops, qnm_ovsdb_op_delete(tables[i], where_mark(net->name)));
	r = qnm_ovsdb_transact(db, NB, ops, &res, err);
	for (i = 0; !r && i < QNM_ARRAY_SIZE(tables); i++) {
		o = json_object_array_get_idx(res, i);
		if (o && json_object_object_get_ex(o, "count", &c))
			n += json_object_get_int(c);
	}
	if (!r && notes)
		qnm_strv_addf(notes, "removed %d row%s of network %s from %s", n, n == 1 ? "" : "s",
			      net->name, net->ovn_nb);
	if (!r && on_gateway(net) == 1)
		r = uplink_sync(net, false, notes, err);
out:
	json_object_put(res);
	qnm_ovsdb_close(db);
	if (r)
		qnm_err_prefix(err, "network %s", net->name);
	return r;
}

int qnm_ovn_net_exists(const struct qnm_network *net, struct qnm_err *err)
{
	struct qnm_ovsdb *db = NULL;
	json_object *rows = NULL;
	int r;

	r = nb_open(net, &db, err);
	if (r)
		return r;
	r = select_rows(db, NB, "Logical_Switch", where_switch(net->name), &rows, err);
	if (!r)
		r = json_object_array_length(rows) > 0;
	json_object_put(rows);
	qnm_ovsdb_close(db);
	return r;
}

/* ---- guest ports ---- */

int qnm_ovn_port_ensure(const char *nb, const char *net_name, const char *lsp, const char *mac,
			const char *ip, struct qnm_err *err)
{
	json_object *rows = NULL, *ops, *row, *addrs;
	char ls[64] = "", dhcp[64] = "", port[64] = "", a[QNM_MAC_LEN + QNM_IPV4_LEN + 8];
	struct qnm_ovsdb *db = NULL;
	const char *kv[6];
	int r;

	r = qnm_ovsdb_connect(nb, QNM_OVN_TIMEOUT_MS, &db, err);
	if (r)
		return r;
	r = select_rows(db, NB, "Logical_Switch", where_switch(net_name), &rows, err);
	if (r)
		goto out;
	first_uuid(rows, ls, sizeof(ls));
	json_object_put(rows);
	rows = NULL;
	if (!ls[0]) {
		r = qnm_err_set(err, -ENOENT, "network",
				"network %s is not up in OVN (%s has no switch of it): run 'qnm "
				"net up %s' first",
				net_name, nb, net_name);
		goto out;
	}
	r = select_rows(db, NB, "DHCP_Options", where_mark(net_name), &rows, err);
	if (r)
		goto out;
	first_uuid(rows, dhcp, sizeof(dhcp));
	json_object_put(rows);
	rows = NULL;
	r = select_rows(db, NB, "Logical_Switch_Port", where_name(lsp), &rows, err);
	if (r)
		goto out;
	first_uuid(rows, port, sizeof(port));

	snprintf(a, sizeof(a), "%s %s", mac, ip && ip[0] ? ip : "dynamic");
	addrs = json_object_new_array();
	json_object_array_add(addrs, str(a));
	row = json_object_new_object();
	json_object_object_add(row, "addresses", qnm_ovsdb_set(addrs));
	json_object_object_add(row, "dhcpv4_options",
			       dhcp[0] ? qnm_ovsdb_uuid(dhcp)
				       : qnm_ovsdb_set(json_object_new_array()));
	kv[0] = MARK;
	kv[1] = net_name;
	json_object_object_add(row, "external_ids", qnm_ovsdb_map(kv, 1));
	ops = json_object_new_array();
	if (port[0]) {
		json_object_array_add(ops, qnm_ovsdb_op_update("Logical_Switch_Port",
							       qnm_ovsdb_where_uuid(port), row));
		/* off any other switch (the NIC moved networks), onto this one */
		json_object_array_add(ops,
				      qnm_ovsdb_op_mutate("Logical_Switch",
							  qnm_ovsdb_where("ports", "includes",
									  qnm_ovsdb_uuid(port)),
							  "ports", "delete", qnm_ovsdb_uuid(port)));
		json_object_array_add(ops, qnm_ovsdb_op_mutate("Logical_Switch",
							       qnm_ovsdb_where_uuid(ls), "ports",
							       "insert", qnm_ovsdb_uuid(port)));
	} else {
		json_object_object_add(row, "name", str(lsp));
		json_object_array_add(ops, qnm_ovsdb_op_insert("Logical_Switch_Port", row, "p"));
		json_object_array_add(ops, qnm_ovsdb_op_mutate("Logical_Switch",
							       qnm_ovsdb_where_uuid(ls), "ports",
							       "insert", qnm_ovsdb_named("p")));
	}
	r = qnm_ovsdb_transact(db, NB, ops, NULL, err);
out:
	json_object_put(rows);
	qnm_ovsdb_close(db);
	if (r)
		qnm_err_prefix(err, "logical port %s", lsp);
	return r;
}

/* the first string of a set-or-atom column value @v, or NULL */
static const char *first_string(json_object *v)
{
	json_object *a;

	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2)
		return NULL;
	a = json_object_array_get_idx(v, 1);
	if (!json_object_is_type(a, json_type_array) || !json_object_array_length(a))
		return NULL;
	return json_object_get_string(json_object_array_get_idx(a, 0));
}

int qnm_ovn_port_addresses(const char *nb, const char *lsp, char *buf, size_t size,
			   struct qnm_err *err)
{
	struct qnm_ovsdb *db = NULL;
	json_object *rows = NULL, *row, *v;
	const char *s = NULL;
	int r;

	buf[0] = '\0';
	r = qnm_ovsdb_connect(nb, QNM_OVN_TIMEOUT_MS, &db, err);
	if (r)
		return r;
	r = select_rows(db, NB, "Logical_Switch_Port", where_name(lsp), &rows, err);
	if (!r && !json_object_array_length(rows))
		r = qnm_err_set(err, -ENOENT, "port", "OVN has no logical port %s", lsp);
	if (!r) {
		row = json_object_array_get_idx(rows, 0);
		if (json_object_object_get_ex(row, "dynamic_addresses", &v))
			s = first_string(v);
		if ((!s || !s[0]) && json_object_object_get_ex(row, "addresses", &v))
			s = first_string(v);
		qnm_strlcpy(buf, s ? s : "", size);
	}
	json_object_put(rows);
	qnm_ovsdb_close(db);
	return r;
}

/* ---- the local Open vSwitch ---- */

const char *qnm_ovs_local_db(char *buf, size_t size)
{
	const char *d = getenv("OVS_RUNDIR");

	snprintf(buf, size, "unix:%s/db.sock", d && d[0] == '/' ? d : "/var/run/openvswitch");
	return buf;
}

int qnm_ovn_controller_status(pid_t *pid, char *status, size_t size, struct qnm_err *err)
{
	const char *d = getenv("OVN_RUNDIR");
	char *path, *text = NULL, comm[32] = "";
	struct qnm_ovsdb *c = NULL;
	json_object *res = NULL;
	size_t len;
	long v = 0;
	int r;

	*pid = 0;
	status[0] = '\0';
	if (!d || d[0] != '/')
		d = "/var/run/ovn";
	path = xasprintf("%s/ovn-controller.pid", d);
	if (qnm_read_file(path, 64, &text, &len) == 0)
		v = strtol(text, NULL, 10);
	free(text);
	/* a pid file a crash left names a dead process, or by now another program */
	if (v <= 0 || qnm_proc_comm((pid_t)v, comm, sizeof(comm)) < 0 ||
	    strcmp(comm, "ovn-controller") != 0) {
		r = qnm_err_set(err, -ESRCH, "", "no ovn-controller runs (%s %s)", path,
				v > 0 ? "names a process that is gone" : "does not exist");
		free(path);
		return r;
	}
	free(path);
	*pid = (pid_t)v;
	path = xasprintf("unix:%s/ovn-controller.%ld.ctl", d, v);
	r = qnm_ovsdb_connect(path, QNM_OVN_TIMEOUT_MS, &c, err);
	if (!r)
		r = qnm_ovsdb_call(c, "connection-status", json_object_new_array(), &res, err);
	qnm_ovsdb_close(c);
	if (!r) {
		const char *t = json_object_get_string(res);

		qnm_strlcpy(status, t ? t : "", size);
		status[strcspn(status, "\n")] = '\0';
	}
	json_object_put(res);
	free(path);
	return r;
}

int qnm_ovs_system_id(const char *db, char *buf, size_t size, struct qnm_err *err)
{
	struct qnm_ovsdb *c = NULL;
	json_object *rows = NULL, *v;
	const char *id = NULL;
	int r;

	buf[0] = '\0';
	r = qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, err);
	if (r)
		return r;
	r = select_rows(c, VS, "Open_vSwitch", NULL, &rows, err);
	if (!r && json_object_array_length(rows) &&
	    json_object_object_get_ex(json_object_array_get_idx(rows, 0), "external_ids", &v))
		id = qnm_ovsdb_map_get(v, "system-id");
	if (!r && (!id || !id[0]))
		r = qnm_err_set(err, -ENOENT, "system-id",
				"Open vSwitch (%s) has no external_ids:system-id: this host is no "
				"OVN chassis (ovs-vsctl set open . external_ids:system-id=NAME, "
				"see 'qnm doctor')",
				db);
	if (!r)
		qnm_strlcpy(buf, id, size);
	json_object_put(rows);
	qnm_ovsdb_close(c);
	return r;
}

/* remove the ports of @rows from their bridges, in @ops */
static void del_ports(json_object *ops, json_object *rows)
{
	size_t i;

	for (i = 0; i < json_object_array_length(rows); i++) {
		const char *u = qnm_ovsdb_row_uuid(json_object_array_get_idx(rows, i));

		if (u)
			json_object_array_add(
				ops, qnm_ovsdb_op_mutate("Bridge",
							 qnm_ovsdb_where("ports", "includes",
									 qnm_ovsdb_uuid(u)),
							 "ports", "delete", qnm_ovsdb_uuid(u)));
	}
}

int qnm_ovs_port_add(const char *db, const char *bridge, const char *ifname, const char *iface_id,
		     struct qnm_err *err)
{
	json_object *rows = NULL, *ops, *row;
	struct qnm_ovsdb *c = NULL;
	const char *kv[4] = { "iface-id", iface_id, "qnm-owned", "yes" };
	int r;

	r = qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, err);
	if (r)
		return r;
	r = select_rows(c, VS, "Bridge", where_name(bridge), &rows, err);
	if (!r && !json_object_array_length(rows))
		r = qnm_err_set(
			err, -ENODEV, "bridge",
			"bridge: Open vSwitch (%s) has no bridge %s (the integration bridge "
			"ovn-controller makes: see 'qnm doctor')",
			db, bridge);
	json_object_put(rows);
	rows = NULL;
	if (!r)
		r = select_rows(c, VS, "Port", where_name(ifname), &rows, err);
	if (r)
		goto out;
	ops = json_object_new_array();
	del_ports(ops, rows); /* one a killed qnm left */
	row = json_object_new_object();
	json_object_object_add(row, "name", str(ifname));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map(kv, 2));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Interface", row, "i"));
	row = json_object_new_object();
	json_object_object_add(row, "name", str(ifname));
	json_object_object_add(row, "interfaces", qnm_ovsdb_named("i"));
	json_object_object_add(row, "external_ids", qnm_ovsdb_map1("qnm-owned", "yes"));
	json_object_array_add(ops, qnm_ovsdb_op_insert("Port", row, "p"));
	json_object_array_add(ops, qnm_ovsdb_op_mutate("Bridge", where_name(bridge), "ports",
						       "insert", qnm_ovsdb_named("p")));
	r = qnm_ovsdb_transact(c, VS, ops, NULL, err);
out:
	json_object_put(rows);
	qnm_ovsdb_close(c);
	if (r)
		qnm_err_prefix(err, "%s on %s", ifname, bridge);
	return r;
}

/* the stage of Interface row @row (qnm_ovs_port_wait()); -EIO with its error column */
static int port_stage(json_object *row, const char *ifname, struct qnm_err *err)
{
	json_object *v = NULL;
	const char *installed;

	if (json_object_object_get_ex(row, "error", &v) && json_object_is_type(v, json_type_string))
		return qnm_err_set(err, -EIO, "", "Open vSwitch cannot use %s: %s", ifname,
				   json_object_get_string(v));
	/* ofport: [] (an empty set) until ovs-vswitchd opened it, -1 when it failed */
	if (!json_object_object_get_ex(row, "ofport", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0)
		return QNM_OVS_PORT_ADDED;
	json_object_object_get_ex(row, "external_ids", &v);
	installed = qnm_ovsdb_map_get(v, "ovn-installed");
	return installed && strcmp(installed, "true") == 0 ? QNM_OVS_PORT_INSTALLED
							   : QNM_OVS_PORT_OPENED;
}

int qnm_ovs_port_wait(const char *db, const char *ifname, enum qnm_ovs_port_stage stage,
		      int timeout_ms, struct qnm_err *err)
{
	double deadline = qnm_mono_ms() + timeout_ms;
	struct qnm_ovsdb *c = NULL;
	json_object *rows = NULL;
	int r;

	r = qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, err);
	while (!r) {
		r = select_rows(c, VS, "Interface", where_name(ifname), &rows, err);
		if (r)
			break;
		if (!json_object_array_length(rows))
			r = qnm_err_set(err, -ENODEV, "", "%s is no longer in Open vSwitch (%s)",
					ifname, db);
		else
			r = port_stage(json_object_array_get_idx(rows, 0), ifname, err);
		json_object_put(rows);
		rows = NULL;
		if (r < 0 || r >= (int)stage || qnm_mono_ms() >= deadline)
			break;
		usleep(50 * 1000);
		r = 0;
	}
	qnm_ovsdb_close(c);
	return r;
}

int qnm_ovs_port_del(const char *db, const char *ifname, struct qnm_err *err)
{
	struct qnm_ovsdb *c = NULL;
	json_object *rows = NULL, *ops;
	int r;

	r = qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, err);
	if (r)
		return r;
	r = select_rows(c, VS, "Port", where_name(ifname), &rows, err);
	if (!r && json_object_array_length(rows)) {
		ops = json_object_new_array();
		del_ports(ops, rows);
		r = qnm_ovsdb_transact(c, VS, ops, NULL, err);
	}
	json_object_put(rows);
	qnm_ovsdb_close(c);
	return r;
}

int qnm_ovs_port_exists(const char *db, const char *ifname, struct qnm_err *err)
{
	struct qnm_ovsdb *c = NULL;
	json_object *rows = NULL;
	int r;

	r = qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, err);
	if (r)
		return r;
	r = select_rows(c, VS, "Port", where_name(ifname), &rows, err);
	if (!r)
		r = json_object_array_length(rows) > 0;
	json_object_put(rows);
	qnm_ovsdb_close(c);
	return r;
}
