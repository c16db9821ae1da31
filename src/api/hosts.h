/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hosts.h - the other hosts qnm manages over SSH (issue 18.1): a name, an
 * ssh destination ([user@]host[:port]) and the qnm command to run there,
 * saved in $XDG_CONFIG_HOME/qnm/hosts.conf (atomically, under the
 * configuration lock). qnm stores no secrets: ssh uses the user's own keys
 * and known_hosts (remote.h).
 */
#ifndef QNM_API_HOSTS_H
#define QNM_API_HOSTS_H

#include <stddef.h>

#include "core/context.h"

/* the remote qnm command when none is given */
#define QNM_HOST_QNM_DEFAULT "qnm"

/**
 * struct qnm_host - one registered host.
 * @name:        its name (qnm_valid_name()).
 * @destination: the ssh destination as given ([user@]host[:port]).
 * @qnm:         the qnm command run there ("qnm", or an absolute path).
 */
struct qnm_host {
	char name[QNM_NAME_MAX + 1];
	char *destination;
	char *qnm;
};

/**
 * struct qnm_hosts - the registered hosts, sorted by name.
 * @v: @n of them.
 * @n: see @v.
 */
struct qnm_hosts {
	struct qnm_host *v;
	size_t n;
};

/**
 * struct qnm_ssh_dest - a destination taken apart.
 * @user: the login name, or "" (ssh's default).
 * @host: the host name or address (brackets of an IPv6 address removed).
 * @port: the port, or 0 (ssh's default).
 */
struct qnm_ssh_dest {
	char user[64];
	char host[256];
	unsigned port;
};

/**
 * qnm_api_host_parse_dest() - check and take apart an ssh destination
 * "[user@]host[:port]" (an IPv6 address in brackets: "[fe80::1]:2222").
 * @s:   the destination.
 * @out: filled on success.
 * @err: on failure, which part breaks which rule (field "destination").
 * Nothing in it may start with '-' (ssh would read an option).
 * Return: 0 or -EINVAL.
 */
int qnm_api_host_parse_dest(const char *s, struct qnm_ssh_dest *out, struct qnm_err *err);

/**
 * qnm_api_host_list() - read the registered hosts.
 * @ctx: the context (paths).
 * @out: filled (empty when there is no hosts file); free with
 *       qnm_api_hosts_free().
 * @err: why the file could not be read ("FILE:LINE: ...").
 * Return: 0 or -errno.
 */
int qnm_api_host_list(const struct qnm_ctx *ctx, struct qnm_hosts *out, struct qnm_err *err);

/**
 * qnm_api_host_find() - the host @name of @hosts, or NULL.
 */
const struct qnm_host *qnm_api_host_find(const struct qnm_hosts *hosts, const char *name);

/**
 * qnm_api_host_add() - register host @name at @destination, saved at once.
 * @ctx:         the context (paths).
 * @name:        its name (1-32 of [A-Za-z0-9_.-]).
 * @destination: the ssh destination (qnm_api_host_parse_dest()).
 * @qnm:         the qnm command there: NULL for "qnm", or a path of
 *               [A-Za-z0-9/._+-] (it goes into the remote's command line).
 * @err:         the field at fault and the rule.
 * Holds the configuration lock over read, check and atomic write.
 * Return: 0, -EINVAL, -EEXIST (a host of that name exists) or -errno.
 */
int qnm_api_host_add(struct qnm_ctx *ctx, const char *name, const char *destination,
		     const char *qnm, struct qnm_err *err);

/**
 * qnm_api_host_del() - forget host @name and close its multiplexed ssh
 * connection (its guests are not touched).
 * Return: 0, -ENOENT (no such host) or -errno.
 */
int qnm_api_host_del(struct qnm_ctx *ctx, const char *name, struct qnm_err *err);

/** qnm_api_hosts_free() - free what qnm_api_host_list() filled; @h is empty after. */
void qnm_api_hosts_free(struct qnm_hosts *h);

#endif
