// SPDX-License-Identifier: GPL-2.0-or-later
/* bridgeconf.c - QEMU's bridge helper access list, read like the helper does. */
#include "build-config.h"

#include "host/bridgeconf.h"
#include "core/config.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_HELPER 4095 /* the helper reads lines with fgets(line, 4096) */
#define FILE_MAX	(1024 * 1024)

void qnm_bridge_acl_init(struct qnm_bridge_acl *acl)
{
	memset(acl, 0, sizeof(*acl));
	qnm_strv_init(&acl->problems);
	acl->follow_includes = true;
}

void qnm_bridge_acl_clear(struct qnm_bridge_acl *acl)
{
	size_t i;

	for (i = 0; i < acl->n; i++)
		free(acl->rules[i].file);
	free(acl->rules);
	qnm_strv_free(&acl->problems);
	memset(acl, 0, sizeof(*acl));
}

const char *qnm_bridge_conf_path(void)
{
	const char *p = getenv("QNM_BRIDGE_CONF");

	return qnm_str_empty(p) ? QNM_BRIDGE_CONF_DEFAULT : p;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void add_rule(struct qnm_bridge_acl *acl, enum qnm_acl_type type, const char *arg,
		     const char *file, unsigned line)
{
	struct qnm_acl_rule *r;

	if (acl->n == acl->cap) {
		acl->cap = acl->cap ? acl->cap * 2 : 8;
		acl->rules = xreallocarray(acl->rules, acl->cap, sizeof(*acl->rules));
	}
	r = &acl->rules[acl->n++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	if (type == QNM_ACL_ALLOW || type == QNM_ACL_DENY)
		qnm_strlcpy(r->iface, arg, sizeof(r->iface));
	r->file = xstrdup(file);
	r->line = line;
}

static int __attribute__((format(printf, 5, 6)))
bad_line(struct qnm_bridge_acl *acl, struct qnm_err *err, const char *file, unsigned line,
	 const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	qnm_strv_addf(&acl->problems, "%s:%u: %s", file, line, what);
	return qnm_err_set(err, -EINVAL, "bridge.conf", "%s:%u: %s", file, line, what);
}

static int load_file(struct qnm_bridge_acl *acl, const char *path, unsigned depth,
		     struct qnm_err *err);

/* one line, without its newline, NUL-terminated, no NUL inside */
static int parse_line(struct qnm_bridge_acl *acl, const char *file, unsigned lineno, char *line,
		      unsigned depth, struct qnm_err *err)
{
	static const struct {
		const char *cmd;
		enum qnm_acl_type one, all;
	} cmds[] = {
		{ "allow", QNM_ACL_ALLOW, QNM_ACL_ALLOW_ALL },
		{ "deny", QNM_ACL_DENY, QNM_ACL_DENY_ALL },
	};
	char *p = line, *cmd, *arg, *end;
	size_t i;

	while (is_space(*p))
		p++;
	if (*p == '#' || *p == '\0')
		return 0;
	cmd = p;
	/* the helper splits at the first space, or at the first tab when there is no space */
	arg = strchr(cmd, ' ');
	if (!arg)
		arg = strchr(cmd, '\t');
	if (!arg)
		return bad_line(acl, err, file, lineno,
				"'%s' has no argument (write e.g. 'allow br0'); the bridge helper "
				"stops at this line",
				cmd);
	*arg++ = '\0';
	while (is_space(*arg))
		arg++;
	end = arg + strlen(arg);
	while (end > arg && is_space(end[-1]))
		end--;
	*end = '\0';
	for (i = 0; i < QNM_ARRAY_SIZE(cmds); i++) {
		if (strcmp(cmd, cmds[i].cmd) == 0) {
			add_rule(acl, strcmp(arg, "all") == 0 ? cmds[i].all : cmds[i].one, arg,
				 file, lineno);
			return 0;
		}
	}
	if (strcmp(cmd, "include") == 0) {
		struct qnm_err ierr;

		if (!acl->follow_includes)
			return 0;
		if (depth + 1 > QNM_BRIDGE_CONF_MAX_DEPTH) {
			qnm_strv_addf(&acl->problems,
				      "%s:%u: include %s: nested more than %d deep (an include "
				      "loop?); not followed",
				      file, lineno, arg, QNM_BRIDGE_CONF_MAX_DEPTH);
			return 0;
		}
		/* the helper ignores errors of included files; their problems are recorded */
		qnm_err_clear(&ierr);
		load_file(acl, arg, depth + 1, &ierr);
		return 0;
	}
	if (strchr(cmd, '\t')) {
		char shown[64];
		size_t k, o = 0;

		for (k = 0; cmd[k] && o + 3 < sizeof(shown); k++) {
			if (cmd[k] == '\t') {
				shown[o++] = '\\';
				shown[o++] = 't';
			} else {
				shown[o++] = cmd[k];
			}
		}
		shown[o] = '\0';
		return bad_line(
			acl, err, file, lineno,
			"unknown command '%s': the line has a tab and then a space, and the "
			"bridge helper splits at the space; separate command and argument "
			"with one space (the helper stops at this line)",
			shown);
	}
	return bad_line(acl, err, file, lineno,
			"unknown command '%s' (the bridge helper knows allow, deny and include, "
			"and stops at this line)",
			cmd);
}

int qnm_bridge_acl_parse(struct qnm_bridge_acl *acl, const char *file, const char *text, size_t len,
			 unsigned depth, struct qnm_err *err)
{
	size_t pos = 0;
	unsigned lineno = 0;
	int r = 0;

	while (pos < len && !r) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *line;

		lineno++;
		if (memchr(text + pos, '\0', n))
			return bad_line(acl, err, file, lineno, "contains a NUL byte");
		if (n > LINE_MAX_HELPER)
			return bad_line(acl, err, file, lineno,
					"is longer than 4095 bytes (the bridge helper would cut it "
					"in pieces)");
		line = xmalloc(n + 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		r = parse_line(acl, file, lineno, line, depth, err);
		free(line);
		pos += n + (nl ? 1 : 0);
	}
	return r;
}

static int load_file(struct qnm_bridge_acl *acl, const char *path, unsigned depth,
		     struct qnm_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int r = qnm_read_file(path, FILE_MAX, &text, &len);

	if (r < 0) {
		qnm_strv_addf(&acl->problems, "%s: cannot be read: %s", path, strerror(-r));
		return qnm_err_set(err, r, "bridge.conf", "%s: cannot be read: %s", path,
				   strerror(-r));
	}
	r = qnm_bridge_acl_parse(acl, path, text, len, depth, err);
	free(text);
	return r;
}

int qnm_bridge_acl_load(struct qnm_bridge_acl *acl, const char *path, struct qnm_err *err)
{
	int r = load_file(acl, path, 0, err);

	if (r < 0)
		acl->main_failed = true;
	return r;
}

bool qnm_bridge_acl_allows(const struct qnm_bridge_acl *acl, const char *bridge, char *why,
			   size_t size)
{
	const struct qnm_acl_rule *allow = NULL, *deny = NULL;
	char br[16];
	size_t i;

	if (acl->main_failed) {
		if (why)
			snprintf(why, size,
				 "the main file is unreadable or has a bad line, so the "
				 "helper refuses every bridge");
		return false;
	}
	qnm_strlcpy(br, bridge, sizeof(br));
	for (i = 0; i < acl->n; i++) {
		const struct qnm_acl_rule *r = &acl->rules[i];
		bool match = r->type == QNM_ACL_ALLOW_ALL || r->type == QNM_ACL_DENY_ALL ||
			     strcmp(r->iface, br) == 0;

		if (!match)
			continue;
		if ((r->type == QNM_ACL_DENY || r->type == QNM_ACL_DENY_ALL) && !deny)
			deny = r;
		if ((r->type == QNM_ACL_ALLOW || r->type == QNM_ACL_ALLOW_ALL) && !allow)
			allow = r;
	}
	if (deny) {
		if (why)
			snprintf(why, size, "%s:%u: 'deny %s' refuses it (deny wins over allow)",
				 deny->file, deny->line,
				 deny->type == QNM_ACL_DENY_ALL ? "all" : br);
		return false;
	}
	if (!allow) {
		if (why)
			snprintf(why, size, "no 'allow %s' or 'allow all' line", br);
		return false;
	}
	if (why)
		snprintf(why, size, "%s:%u: 'allow %s'", allow->file, allow->line,
			 allow->type == QNM_ACL_ALLOW_ALL ? "all" : br);
	return true;
}

bool qnm_fcaps_net_admin(const void *val, size_t len)
{
	const unsigned char *b = val;
	uint32_t magic, permitted;

	if (len < 12)
		return false;
	magic = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	permitted =
		(uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
	switch (magic & VFS_CAP_REVISION_MASK) {
	case VFS_CAP_REVISION_1:
	case VFS_CAP_REVISION_2:
	case VFS_CAP_REVISION_3:
		break;
	default:
		return false;
	}
	return (magic & VFS_CAP_FLAGS_EFFECTIVE) && (permitted & (1u << CAP_NET_ADMIN));
}
