// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovnview.c - an ovn network seen from this host, read-only (ovnview.h):
 * selects on the local Open vSwitch, the northbound and the southbound
 * databases, each bounded by the caller's timeout.
 */
#include "build-config.h"

#include "host/ovnview.h"
#include "host/ovsdb.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* column @col of @row as a string ("" when absent or not a string) */
static const char *col_str(json_object *row, const char *col)
{
	json_object *v;

	if (!json_object_object_get_ex(row, col, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* the atoms of a set value: ["set", [...]] or one atom (e.g. ["uuid", U]) */
static size_t set_len(json_object *v)
{
	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 2 &&
	    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)), "set") == 0)
		return json_object_array_length(json_object_array_get_idx(v, 1));
	return v ? 1 : 0;
}

/* the uuid string of atom @i of set @v, or "" */
static const char *set_uuid(json_object *v, size_t i)
{
	json_object *a = v;

	if (set_len(v) &&
	    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)), "set") == 0)
		a = json_object_array_get_idx(json_object_array_get_idx(v, 1), i);
	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) != 2)
		return "";
	return json_object_get_string(json_object_array_get_idx(a, 1));
}

/* one statistics key the view keeps, by name */
static const struct {
	const char *key;
	size_t off;
} stat_keys[] = {
	{ "rx_bytes", offsetof(struct qnm_ovs_stats, rx_bytes) },
	{ "rx_packets", offsetof(struct qnm_ovs_stats, rx_packets) },
	{ "tx_bytes", offsetof(struct qnm_ovs_stats, tx_bytes) },
	{ "tx_packets", offsetof(struct qnm_ovs_stats, tx_packets) },
};

int qnm_ovs_stats_parse(json_object *map, struct qnm_ovs_stats *st)
{
	json_object *a;
	unsigned seen = 0;
	size_t i, j, n;

	memset(st, 0, sizeof(*st));
	if (!json_object_is_type(map, json_type_array) || json_object_array_length(map) != 2 ||
	    strcmp(json_object_get_string(json_object_array_get_idx(map, 0)), "map") != 0)
		return -EINVAL;
	a = json_object_array_get_idx(map, 1);
	if (!json_object_is_type(a, json_type_array))
		return -EINVAL;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(a, i), *k, *v;

		if (!json_object_is_type(p, json_type_array) || json_object_array_length(p) != 2)
			return -EINVAL;
		k = json_object_array_get_idx(p, 0);
		v = json_object_array_get_idx(p, 1);
		if (!json_object_is_type(k, json_type_string) ||
		    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
			return -EINVAL;
		for (j = 0; j < QNM_ARRAY_SIZE(stat_keys); j++)
			if (strcmp(json_object_get_string(k), stat_keys[j].key) == 0) {
				*(uint64_t *)((char *)st + stat_keys[j].off) =
					(uint64_t)json_object_get_int64(v);
				seen |= 1u << j;
			}
	}
	/* rx_bytes (bit 0) and tx_bytes (bit 2) at least */
	if ((seen & 5u) != 5u) {
		memset(st, 0, sizeof(*st));
		return -ENOENT;
	}
	st->ok = true;
	return 0;
}

/* the first of a comma-separated list of remotes, into @buf */
static void first_remote(const char *list, char *buf, size_t size)
{
	size_t n = list ? strcspn(list, ",") : 0;

	if (n >= size)
		n = size - 1;
	memcpy(buf, list ? list : "", n);
	buf[n] = '\0';
}

/* the local OVS: system-id, ovn-remote, the TAP's and the tunnels' statistics */
static int read_ovs(const char *ifname, int timeout_ms, struct qnm_ovn_view *v, char *sb,
		    size_t sbsize)
{
	char db[QNM_OVSDB_REMOTE_MAX + 16];
	struct qnm_ovsdb *c = NULL;
	json_object *rows = NULL, *st;
	struct qnm_err err = { 0 };
	size_t i, n;
	int r;

	qnm_ovs_local_db(db, sizeof(db));
	r = qnm_ovsdb_connect(db, timeout_ms, &c, &err);
	if (!r)
		r = qnm_ovsdb_select1(c, "Open_vSwitch", "Open_vSwitch", NULL, &rows, &err);
	if (!r && json_object_array_length(rows) &&
	    json_object_object_get_ex(json_object_array_get_idx(rows, 0), "external_ids", &st)) {
		const char *id = qnm_ovsdb_map_get(st, "system-id");

		qnm_strlcpy(v->chassis, id ? id : "", sizeof(v->chassis));
		first_remote(qnm_ovsdb_map_get(st, "ovn-remote"), sb, sbsize);
	}
	json_object_put(rows);
	rows = NULL;
	if (!r)
		r = qnm_ovsdb_select1(c, "Open_vSwitch", "Interface", NULL, &rows, &err);
	n = r ? 0 : json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i), *opt = NULL;
		const char *type = col_str(row, "type");
		struct qnm_ovn_tunnel *t;

		json_object_object_get_ex(row, "statistics", &st);
		if (strcmp(col_str(row, "name"), ifname) == 0) {
			qnm_ovs_stats_parse(st, &v->port);
			continue;
		}
		if (strcmp(type, "geneve") != 0 && strcmp(type, "vxlan") != 0 &&
		    strcmp(type, "stt") != 0)
			continue;
		if (v->ntunnels == QNM_OVN_VIEW_TUNNELS)
			continue;
		t = &v->tunnels[v->ntunnels++];
		qnm_strlcpy(t->name, col_str(row, "name"), sizeof(t->name));
		qnm_strlcpy(t->type, type, sizeof(t->type));
		json_object_object_get_ex(row, "options", &opt);
		type = qnm_ovsdb_map_get(opt, "remote_ip");
		qnm_strlcpy(t->remote_ip, type ? type : "", sizeof(t->remote_ip));
		qnm_ovs_stats_parse(st, &t->st);
	}
	json_object_put(rows);
	qnm_ovsdb_close(c);
	if (r)
		snprintf(v->why, sizeof(v->why), "Open vSwitch: %.100s", err.msg);
	v->ovs_ok = !r;
	return r;
}

/* the northbound: the other ports of the switch */
static int read_nb(const char *nb, const char *lswitch, int timeout_ms, struct qnm_ovn_view *v)
{
	json_object *sw = NULL, *ports = NULL, *set = NULL;
	struct qnm_ovsdb *c = NULL;
	struct qnm_err err = { 0 };
	size_t i, j, n;
	int r;

	r = qnm_ovsdb_connect(nb, timeout_ms, &c, &err);
	if (!r)
		r = qnm_ovsdb_select1(
			c, "OVN_Northbound", "Logical_Switch",
			qnm_ovsdb_where("name", "==", json_object_new_string(lswitch)), &sw, &err);
	if (!r)
		r = qnm_ovsdb_select1(c, "OVN_Northbound", "Logical_Switch_Port", NULL, &ports,
				      &err);
	if (!r && json_object_array_length(sw))
		json_object_object_get_ex(json_object_array_get_idx(sw, 0), "ports", &set);
	n = r ? 0 : json_object_array_length(ports);
	for (i = 0; i < n && v->npeers < QNM_OVN_VIEW_PEERS; i++) {
		json_object *row = json_object_array_get_idx(ports, i);
		const char *u = qnm_ovsdb_row_uuid(row);

		for (j = 0; u && j < set_len(set); j++) {
			if (strcmp(set_uuid(set, j), u) != 0)
				continue;
			qnm_strlcpy(v->peers[v->npeers].lsp, col_str(row, "name"),
				    sizeof(v->peers->lsp));
			v->peers[v->npeers++].router = strcmp(col_str(row, "type"), "router") == 0;
			break;
		}
	}
	json_object_put(sw);
	json_object_put(ports);
	qnm_ovsdb_close(c);
	if (r && !v->why[0])
		snprintf(v->why, sizeof(v->why), "northbound %.40s: %.80s", nb, err.msg);
	v->nb_ok = !r;
	return r;
}

/* the chassis name of Chassis row uuid @u in @chassis, or NULL */
static const char *chassis_name(json_object *chassis, const char *u)
{
	size_t i, n = json_object_array_length(chassis);

	for (i = 0; u && u[0] && i < n; i++) {
		json_object *row = json_object_array_get_idx(chassis, i);
		const char *ru = qnm_ovsdb_row_uuid(row);

		if (ru && strcmp(ru, u) == 0)
			return col_str(row, "name");
	}
	return NULL;
}

/* the southbound: where each peer is bound, whose each tunnel is */
static int read_sb(const char *sb, int timeout_ms, struct qnm_ovn_view *v)
{
	json_object *pb = NULL, *ch = NULL, *en = NULL;
	struct qnm_ovsdb *c = NULL;
	struct qnm_err err = { 0 };
	size_t i, j;
	int r;

	if (!sb[0])
		return -ENOENT;
	r = qnm_ovsdb_connect(sb, timeout_ms, &c, &err);
	if (!r)
		r = qnm_ovsdb_select1(c, "OVN_Southbound", "Port_Binding", NULL, &pb, &err);
	if (!r)
		r = qnm_ovsdb_select1(c, "OVN_Southbound", "Chassis", NULL, &ch, &err);
	if (!r)
		r = qnm_ovsdb_select1(c, "OVN_Southbound", "Encap", NULL, &en, &err);
	for (i = 0; !r && i < json_object_array_length(pb); i++) {
		json_object *row = json_object_array_get_idx(pb, i), *cv = NULL;
		const char *name;

		json_object_object_get_ex(row, "chassis", &cv);
		name = set_len(cv) ? chassis_name(ch, set_uuid(cv, 0)) : NULL;
		for (j = 0; name && j < v->npeers; j++)
			if (strcmp(v->peers[j].lsp, col_str(row, "logical_port")) == 0)
				qnm_strlcpy(v->peers[j].chassis, name, sizeof(v->peers->chassis));
	}
	for (i = 0; !r && i < json_object_array_length(en); i++) {
		json_object *row = json_object_array_get_idx(en, i);

		for (j = 0; j < v->ntunnels; j++)
			if (strcmp(v->tunnels[j].remote_ip, col_str(row, "ip")) == 0)
				qnm_strlcpy(v->tunnels[j].chassis, col_str(row, "chassis_name"),
					    sizeof(v->tunnels->chassis));
	}
	json_object_put(pb);
	json_object_put(ch);
	json_object_put(en);
	qnm_ovsdb_close(c);
	if (r && !v->why[0])
		snprintf(v->why, sizeof(v->why), "southbound %.40s: %.80s", sb, err.msg);
	v->sb_ok = !r;
	return r;
}

int qnm_ovn_view_read(const char *nb, const char *lswitch, const char *ifname, int timeout_ms,
		      struct qnm_ovn_view *v)
{
	char sb[QNM_OVSDB_REMOTE_MAX + 16] = "";
	int r;

	memset(v, 0, sizeof(*v));
	r = read_ovs(ifname, timeout_ms, v, sb, sizeof(sb));
	read_nb(nb, lswitch, timeout_ms, v);
	if (v->nb_ok && (v->ntunnels || v->npeers))
		read_sb(sb, timeout_ms, v);
	return r;
}
