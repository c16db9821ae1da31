// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * api/hosts.c - the registry of other hosts: $XDG_CONFIG_HOME/qnm/hosts.conf,
 * one "[host NAME]" section each with "destination" and "qnm".
 */
#include "build-config.h"

#include "api/hosts.h"
#include "api/remote.h"
#include "core/addr.h"
#include "core/config.h"
#include "core/keyfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HOSTS_FILE_MAX (1024 * 1024)

/* true when every byte of @s is in @set (and @s is not empty) */
static bool only_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

#define ALNUM	   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define USER_SET   ALNUM "._-"
#define HOST_SET   ALNUM ".-_"
#define IPV6_SET   "0123456789abcdefABCDEF:.%" ALNUM
#define QNM_CMDSET ALNUM "/._+-"

int qnm_api_host_parse_dest(const char *s, struct qnm_ssh_dest *out, struct qnm_err *err)
{
	const char *at = strchr(s, '@'), *h = at ? at + 1 : s, *port = NULL, *end;
	unsigned long p = 0;
	size_t hl;

	memset(out, 0, sizeof(*out));
	if (at) {
		size_t ul = (size_t)(at - s);

		if (!ul || ul >= sizeof(out->user) || *s == '-') {
			return qnm_err_set(err, -EINVAL, "destination",
					   "destination '%s': the user before '@' must be 1-63 "
					   "characters, not starting with '-'",
					   s);
		}
		memcpy(out->user, s, ul);
		if (!only_of(out->user, USER_SET))
			return qnm_err_set(err, -EINVAL, "destination",
					   "destination '%s': the user may hold only letters, "
					   "digits, '.', '_' and '-'",
					   s);
	}
	if (*h == '[') {
		end = strchr(h, ']');
		if (!end)
			return qnm_err_set(err, -EINVAL, "destination",
					   "destination '%s': '[' without ']'", s);
		hl = (size_t)(end - h - 1);
		if (hl && hl < sizeof(out->host))
			memcpy(out->host, h + 1, hl);
		if (!hl || hl >= sizeof(out->host) || !only_of(out->host, IPV6_SET))
			return qnm_err_set(err, -EINVAL, "destination",
					   "destination '%s': not an address in brackets", s);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return qnm_err_set(err, -EINVAL, "destination",
					   "destination '%s': only ':PORT' may follow ']'", s);
	} else {
		end = strchr(h, ':');
		hl = end ? (size_t)(end - h) : strlen(h);
		if (hl && hl < sizeof(out->host))
			memcpy(out->host, h, hl);
		if (!hl || hl >= sizeof(out->host) || !only_of(out->host, HOST_SET) ||
		    out->host[0] == '-' || out->host[0] == '.')
			return qnm_err_set(
				err, -EINVAL, "destination",
				"destination '%s': the host must be a name or an address "
				"of letters, digits, '.', '_' and '-', not starting with "
				"'-' (an IPv6 address goes in brackets)",
				s);
		if (end)
			port = end + 1;
	}
	if (port) {
		if (qnm_parse_uint(port, 1, 65535, &p))
			return qnm_err_set(err, -EINVAL, "destination",
					   "destination '%s': the port must be 1 to 65535", s);
		out->port = (unsigned)p;
	}
	return 0;
}

const struct qnm_host *qnm_api_host_find(const struct qnm_hosts *hosts, const char *name)
{
	size_t i;

	for (i = 0; i < hosts->n; i++)
		if (strcmp(hosts->v[i].name, name) == 0)
			return &hosts->v[i];
	return NULL;
}

void qnm_api_hosts_free(struct qnm_hosts *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].destination);
		free(h->v[i].qnm);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

static char *hosts_path(const struct qnm_ctx *ctx)
{
	return xasprintf("%s/hosts.conf", ctx->paths.config_dir);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct qnm_host *)a)->name, ((const struct qnm_host *)b)->name);
}

/* one "key = value" of a [host] section into @h */
static int host_key(struct qnm_host *h, const struct qnm_kf_entry *e, const char *file,
		    struct qnm_err *err)
{
	struct qnm_ssh_dest d;

	if (strcmp(e->key, "destination") == 0) {
		if (qnm_api_host_parse_dest(e->value, &d, err)) {
			qnm_err_prefix(err, "%s:%u", file, e->line);
			return -EINVAL;
		}
		free(h->destination);
		h->destination = xstrdup(e->value);
		return 0;
	}
	if (strcmp(e->key, "qnm") == 0) {
		if (!only_of(e->value, QNM_CMDSET))
			return qnm_err_set(
				err, -EINVAL, "qnm",
				"%s:%u: qnm must be a command or path of letters, digits "
				"and '/._+-'",
				file, e->line);
		free(h->qnm);
		h->qnm = xstrdup(e->value);
		return 0;
	}
	return qnm_err_set(err, -EINVAL, e->key, "%s:%u: unknown key '%s' (destination, qnm)", file,
			   e->line, e->key);
}

/* parse @text (the hosts file @file) into @out */
static int parse_hosts(const char *text, size_t len, const char *file, struct qnm_hosts *out,
		       struct qnm_err *err)
{
	struct qnm_keyfile kf;
	size_t i;
	int r = qnm_keyfile_parse(text, len, file, &kf, err);

	if (r) {
		qnm_keyfile_free(&kf);
		return r;
	}
	out->v = xcalloc(kf.nsections + 1, sizeof(*out->v));
	for (i = 0; i < kf.nsections; i++) {
		const struct qnm_kf_section *s = &kf.sections[i];

		if (strcmp(s->type, "host") != 0 || !s->name || !qnm_valid_name(s->name) ||
		    qnm_api_host_find(out, s->name)) {
			r = qnm_err_set(err, -EINVAL, "host",
					"%s:%u: expected a [host NAME] section with a new valid "
					"name",
					file, s->line);
			goto out;
		}
		snprintf(out->v[out->n].name, sizeof(out->v[out->n].name), "%s", s->name);
		out->n++;
	}
	for (i = 0; i < kf.nentries; i++) {
		const struct qnm_kf_entry *e = &kf.entries[i];

		r = host_key(&out->v[e->section], e, file, err);
		if (r)
			goto out;
	}
	for (i = 0; i < out->n; i++) {
		if (!out->v[i].destination) {
			r = qnm_err_set(err, -EINVAL, "destination",
					"%s: host %s has no destination", file, out->v[i].name);
			goto out;
		}
		if (!out->v[i].qnm)
			out->v[i].qnm = xstrdup(QNM_HOST_QNM_DEFAULT);
	}
	qsort(out->v, out->n, sizeof(*out->v), by_name);
out:
	qnm_keyfile_free(&kf);
	if (r)
		qnm_api_hosts_free(out);
	return r;
}

int qnm_api_host_list(const struct qnm_ctx *ctx, struct qnm_hosts *out, struct qnm_err *err)
{
	char *path = hosts_path(ctx), *text = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = qnm_read_file(path, HOSTS_FILE_MAX, &text, &len);
	if (r == -ENOENT) {
		r = 0;
	} else if (r) {
		qnm_err_set(err, r, "", "cannot read %s: %s", path, strerror(-r));
	} else {
		r = parse_hosts(text, len, path, out, err);
	}
	free(text);
	free(path);
	return r;
}

/* write @h to the hosts file atomically */
static int save_hosts(const struct qnm_ctx *ctx, const struct qnm_hosts *h, struct qnm_err *err)
{
	struct qnm_strbuf sb;
	char *path = hosts_path(ctx);
	size_t i;
	int r;

	qnm_sb_init(&sb);
	qnm_sb_add(&sb, "# qnm's other hosts (qnm host add/del): ssh destinations, no secrets.\n"
			"# ssh uses your own keys and known_hosts.\n");
	for (i = 0; i < h->n; i++) {
		qnm_sb_addf(&sb, "\n[host %s]\n", h->v[i].name);
		qnm_kf_write_value(&sb, "destination", h->v[i].destination);
		qnm_kf_write_value(&sb, "qnm", h->v[i].qnm);
	}
	r = qnm_mkdir_p(ctx->paths.config_dir, 0700);
	if (r)
		qnm_err_set(err, r, "", "cannot create %s: %s", ctx->paths.config_dir,
			    strerror(-r));
	else
		r = qnm_atomic_write(path, sb.s, sb.len, 0600, err);
	qnm_sb_free(&sb);
	free(path);
	return r;
}

int qnm_api_host_add(struct qnm_ctx *ctx, const char *name, const char *destination,
		     const char *qnm, struct qnm_err *err)
{
	struct qnm_ssh_dest d;
	struct qnm_hosts h;
	struct qnm_host *n;
	int r;

	if (!qnm_valid_name(name))
		return qnm_err_set(err, -EINVAL, "name",
				   "host name '%s' must be 1-32 of [A-Za-z0-9_.-], starting with a "
				   "letter or digit",
				   name);
	r = qnm_api_host_parse_dest(destination, &d, err);
	if (r)
		return r;
	if (qnm && !only_of(qnm, QNM_CMDSET))
		return qnm_err_set(err, -EINVAL, "qnm",
				   "--qnm must be a command or path of letters, digits and "
				   "'/._+-'");
	r = qnm_ctx_lock(ctx, err);
	if (r)
		return r;
	r = qnm_api_host_list(ctx, &h, err);
	if (r)
		goto out;
	if (qnm_api_host_find(&h, name)) {
		r = qnm_err_set(err, -EEXIST, "name",
				"a host named '%s' exists (qnm host del %s first)", name, name);
		goto free;
	}
	h.v = xreallocarray(h.v, h.n + 1, sizeof(*h.v));
	n = &h.v[h.n++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->destination = xstrdup(destination);
	n->qnm = xstrdup(qnm ? qnm : QNM_HOST_QNM_DEFAULT);
	qsort(h.v, h.n, sizeof(*h.v), by_name);
	r = save_hosts(ctx, &h, err);
free:
	qnm_api_hosts_free(&h);
out:
	qnm_ctx_unlock(ctx);
	return r;
}

int qnm_api_host_del(struct qnm_ctx *ctx, const char *name, struct qnm_err *err)
{
	struct qnm_host gone;
	struct qnm_hosts h;
	size_t i;
	int r = qnm_ctx_lock(ctx, err);

	if (r)
		return r;
	r = qnm_api_host_list(ctx, &h, err);
	if (r)
		goto out;
	for (i = 0; i < h.n && strcmp(h.v[i].name, name) != 0; i++)
		;
	if (i == h.n) {
		r = qnm_err_set(err, -ENOENT, "name",
				"no host named '%s' (qnm host list shows them)", name);
		goto free;
	}
	gone = h.v[i];
	memmove(&h.v[i], &h.v[i + 1], (h.n - i - 1) * sizeof(*h.v));
	h.n--;
	r = save_hosts(ctx, &h, err);
	if (!r)
		qnm_api_remote_disconnect(ctx, &gone);
	free(gone.destination);
	free(gone.qnm);
free:
	qnm_api_hosts_free(&h);
out:
	qnm_ctx_unlock(ctx);
	return r;
}
