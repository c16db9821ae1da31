/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridgeconf.h - QEMU's bridge helper access list (/etc/qemu/bridge.conf),
 * read the way qemu-bridge-helper reads it, so qnm can say in advance
 * whether "-nic bridge,br=BR" will be refused ("access denied by acl file");
 * and whether the helper's file capabilities let it create TAPs.
 *
 * The format (one command per line; '#' starts a comment line):
 *
 *   allow BR       the helper may attach TAPs to bridge BR
 *   allow all      ... to any bridge
 *   deny BR        never to BR (deny wins over allow, whatever the order)
 *   deny all       never to any bridge
 *   include FILE   read FILE too (errors in FILE are ignored by the helper:
 *                  the rules before the bad line still count)
 *
 * A command and its argument are separated by a space (or, when the line
 * has no space, a tab). Any other command, or a command without an
 * argument, is an error: in the main file it makes the helper refuse every
 * bridge.
 *
 * The path is /etc/qemu/bridge.conf; tests point $QNM_BRIDGE_CONF at a
 * temporary copy instead (never the real file).
 */
#ifndef QNM_BRIDGECONF_H
#define QNM_BRIDGECONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define QNM_BRIDGE_CONF_DEFAULT	  "/etc/qemu/bridge.conf"
#define QNM_BRIDGE_CONF_MAX_DEPTH 8 /* include nesting (the helper has no limit) */

/** enum qnm_acl_type - kind of one access list rule. */
enum qnm_acl_type {
	QNM_ACL_ALLOW,
	QNM_ACL_ALLOW_ALL,
	QNM_ACL_DENY,
	QNM_ACL_DENY_ALL,
};

/**
 * struct qnm_acl_rule - one allow/deny line.
 * @type:  what it does.
 * @iface: the bridge (truncated to 15 bytes like the helper), "" for *_ALL.
 * @file:  the file it came from (owned).
 * @line:  its line number (1-based).
 */
struct qnm_acl_rule {
	enum qnm_acl_type type;
	char iface[16];
	char *file;
	unsigned line;
};

/**
 * struct qnm_bridge_acl - the rules of a bridge.conf and its includes.
 * @rules:           the rules in file order, @n of them.
 * @main_failed:     the main file could not be read or has a bad line: the
 *                   helper then refuses every bridge.
 * @problems:        one "FILE:LINE: what is wrong" (or "FILE: why it cannot
 *                   be read") per problem, in the order met.
 * @follow_includes: read included files (default true after init; the fuzz
 *                   harness turns it off to stay in memory).
 */
struct qnm_bridge_acl {
	struct qnm_acl_rule *rules;
	size_t n;
	size_t cap;
	bool main_failed;
	struct qnm_strv problems;
	bool follow_includes;
};

/** qnm_bridge_acl_init() - an empty list that follows includes. */
void qnm_bridge_acl_init(struct qnm_bridge_acl *acl);

/** qnm_bridge_acl_clear() - free what @acl holds (it can be re-initialised). */
void qnm_bridge_acl_clear(struct qnm_bridge_acl *acl);

/**
 * qnm_bridge_conf_path() - the file the helper reads: $QNM_BRIDGE_CONF when
 * set (for tests), else /etc/qemu/bridge.conf.
 * Return: a static or environment string (not owned).
 */
const char *qnm_bridge_conf_path(void);

/**
 * qnm_bridge_acl_parse() - add the rules of one file's text to @acl.
 * @acl:   the list to extend.
 * @file:  the file's name, for messages and rules.
 * @text:  its contents (any bytes; need not be NUL-terminated).
 * @len:   their length.
 * @depth: 0 for the main file, +1 per include level.
 * @err:   filled with "FILE:LINE: ..." at the first bad line.
 *
 * Parsing stops at the first bad line (like the helper); the rules before
 * it are kept. Includes are read from disk when @acl->follow_includes is
 * set; their problems are appended to @acl->problems but do not fail this
 * file (the helper ignores them too).
 * Return: 0, or -EINVAL at a bad line.
 */
int qnm_bridge_acl_parse(struct qnm_bridge_acl *acl, const char *file, const char *text, size_t len,
			 unsigned depth, struct qnm_err *err);

/**
 * qnm_bridge_acl_load() - read @path as the main file into @acl (initialised
 * by the caller).
 * @path: the file (see qnm_bridge_conf_path()).
 * @err:  filled on failure.
 *
 * On failure @acl->main_failed is set and the problem is also in
 * @acl->problems.
 * Return: 0, -ENOENT/-EACCES/... when it cannot be read, or -EINVAL for a
 * bad line.
 */
int qnm_bridge_acl_load(struct qnm_bridge_acl *acl, const char *path, struct qnm_err *err);

/**
 * qnm_bridge_acl_allows() - would the helper attach to @bridge?
 * @acl:    the rules.
 * @bridge: the bridge name.
 * @why:    when not NULL, at least 256 bytes: the deciding rule
 *          ("FILE:LINE: deny br0") or what is missing.
 * @size:   size of @why.
 * Return: true when allowed (an allow rule matches and no deny rule does,
 * and the main file parsed).
 */
bool qnm_bridge_acl_allows(const struct qnm_bridge_acl *acl, const char *bridge, char *why,
			   size_t size);

/**
 * qnm_fcaps_net_admin() - whether a security.capability xattr value
 * grants CAP_NET_ADMIN (permitted and effective): what lets the bridge
 * helper create TAPs without being setuid root.
 * @val: the raw value (struct vfs_cap_data, v2 or v3).
 * @len: its length.
 */
bool qnm_fcaps_net_admin(const void *val, size_t len);

#endif
