/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ovsdb.h - a small OVSDB client: RFC 7047 JSON-RPC over json-c.
 *
 * qnm talks to Open vSwitch's local database (the integration bridge's
 * ports) and to OVN's northbound database (logical switches, routers,
 * DHCP options) with this client, never by running ovs-vsctl or
 * ovn-nbctl. One connection, one request at a time: "transact" sends an
 * array of operations and waits (bounded by the connection's timeout) for
 * its answer, answering the server's "echo" meanwhile.
 *
 * Why not the ovsdb IDL of Open vSwitch's C library: Debian 12 packages
 * no libopenvswitch-dev, and the IDL (as linked into ovs-vsctl, 2.4 MB)
 * drags in libssl, libcap-ng, libunbound, libbpf, libxdp and libnuma and
 * replicates whole tables before its first transaction; qnm already links
 * json-c for QMP. The figures are in the commit that added this file.
 *
 * Operations are json-c objects built with the qnm_ovsdb_op_*() helpers
 * and values with qnm_ovsdb_*() below, then handed (owned) to
 * qnm_ovsdb_transact().
 */
#ifndef QNM_OVSDB_H
#define QNM_OVSDB_H

#include <json-c/json.h>

#include "core/util.h"

struct qnm_ovsdb;

/**
 * qnm_ovsdb_connect() - connect to the OVSDB server at @remote.
 * @remote:     "unix:PATH", "tcp:IPV4:PORT", or an absolute socket path.
 * @timeout_ms: the bound of the connect and of every later request.
 * @out:        the connection; free with qnm_ovsdb_close().
 * Return: 0, or -errno with @err naming "remote" and what failed
 * (-EINVAL for a remote qnm cannot read).
 */
int qnm_ovsdb_connect(const char *remote, int timeout_ms, struct qnm_ovsdb **out,
		      struct qnm_err *err);

/** qnm_ovsdb_close() - close @db (NULL is fine). */
void qnm_ovsdb_close(struct qnm_ovsdb *db);

/**
 * qnm_ovsdb_remote_check() - whether @remote is a remote qnm can connect to
 * (qnm_valid_ovsdb_remote(): "unix:PATH", "tcp:IPV4:PORT" or an absolute path).
 * Return: 0, or -EINVAL with @err naming @field and the rule.
 */
int qnm_ovsdb_remote_check(const char *remote, const char *field, struct qnm_err *err);

/**
 * qnm_ovsdb_transact() - run one transaction on database @dbname.
 * @ops:    a json array of operations (taken over, freed here).
 * @result: the "result" array (the caller puts it with json_object_put()),
 *          or NULL when the caller wants none.
 * Return: 0; -EIO when an operation failed (@err holds the server's error
 * and details), -ETIMEDOUT, -EPROTO, or -errno of the socket.
 */
int qnm_ovsdb_transact(struct qnm_ovsdb *db, const char *dbname, json_object *ops,
		       json_object **result, struct qnm_err *err);

/**
 * qnm_ovsdb_call() - one JSON-RPC request @method with @params (a json
 * array, taken over) on @db: also the control socket ("unixctl") of an
 * OVS or OVN daemon, which speaks the same protocol.
 * @result: the "result" (the caller puts it), or NULL when unwanted.
 * Return: 0, -EIO when the server answered an error (@err holds it), or
 * -errno as qnm_ovsdb_transact().
 */
int qnm_ovsdb_call(struct qnm_ovsdb *db, const char *method, json_object *params,
		   json_object **result, struct qnm_err *err);

/**
 * qnm_ovsdb_select1() - the rows of @table matching @where ("" column
 * list: all columns), in one transaction of its own.
 * @where:  a json array of conditions (taken over); NULL for every row.
 * @rows:   the "rows" array (caller puts it).
 * Return: 0 or -errno as qnm_ovsdb_transact().
 */
int qnm_ovsdb_select1(struct qnm_ovsdb *db, const char *dbname, const char *table,
		      json_object *where, json_object **rows, struct qnm_err *err);

/* ---- operations (each returns a new object) ---- */

/**
 * qnm_ovsdb_op_insert() - insert @row (taken over) into @table; @uuid_name
 * (or NULL) names the new row for later operations ("named-uuid").
 */
json_object *qnm_ovsdb_op_insert(const char *table, json_object *row, const char *uuid_name);
/** qnm_ovsdb_op_update() - set the columns of @row on the rows matching @where. */
json_object *qnm_ovsdb_op_update(const char *table, json_object *where, json_object *row);
/** qnm_ovsdb_op_delete() - delete the rows matching @where. */
json_object *qnm_ovsdb_op_delete(const char *table, json_object *where);
/**
 * qnm_ovsdb_op_mutate() - one mutation @mutator ("insert", "delete", "+=")
 * of @column by @value on the rows matching @where (all taken over).
 */
json_object *qnm_ovsdb_op_mutate(const char *table, json_object *where, const char *column,
				 const char *mutator, json_object *value);
/**
 * qnm_ovsdb_op_wait() - fail the transaction unless, within @timeout_ms,
 * the rows matching @where have (@until "==") or have not ("!=") @rows in
 * @columns (a json array of names).
 */
json_object *qnm_ovsdb_op_wait(const char *table, json_object *where, json_object *columns,
			       const char *until, json_object *rows, int timeout_ms);
/** qnm_ovsdb_op_select() - the rows matching @where (NULL: all). */
json_object *qnm_ovsdb_op_select(const char *table, json_object *where);

/* ---- conditions and values ---- */

/**
 * qnm_ovsdb_where() - a one-condition array [[@column, @fn, @value]]
 * (@value taken over).
 */
json_object *qnm_ovsdb_where(const char *column, const char *fn, json_object *value);
/** qnm_ovsdb_where_uuid() - [["_uuid", "==", ["uuid", @uuid]]]. */
json_object *qnm_ovsdb_where_uuid(const char *uuid);
/** qnm_ovsdb_uuid() - ["uuid", @uuid]. */
json_object *qnm_ovsdb_uuid(const char *uuid);
/** qnm_ovsdb_named() - ["named-uuid", @name]. */
json_object *qnm_ovsdb_named(const char *name);
/** qnm_ovsdb_set() - ["set", @items] (@items: a json array, taken over). */
json_object *qnm_ovsdb_set(json_object *items);
/**
 * qnm_ovsdb_map() - ["map", [[k, v], ...]] from @n string pairs @kv
 * (k0, v0, k1, v1, ...).
 */
json_object *qnm_ovsdb_map(const char *const *kv, size_t n);
/** qnm_ovsdb_map1() - a map of one string pair. */
json_object *qnm_ovsdb_map1(const char *k, const char *v);

/**
 * qnm_ovsdb_map_get() - the string value of key @key in column value @map
 * (["map", [[k, v], ...]]), or NULL.
 */
const char *qnm_ovsdb_map_get(json_object *map, const char *key);
/**
 * qnm_ovsdb_row_uuid() - the uuid of @row (its "_uuid" column), or NULL.
 */
const char *qnm_ovsdb_row_uuid(json_object *row);
/**
 * qnm_ovsdb_result_uuid() - the uuid an insert at index @i of a transaction's
 * @result made, or NULL.
 */
const char *qnm_ovsdb_result_uuid(json_object *result, size_t i);

#endif
