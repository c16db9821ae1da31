// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-bridgeconf.c - libFuzzer harness for the bridge.conf parser: any
 * bytes must parse without a crash or a read past the input; a success
 * leaves no problem, a failure exactly one "f:LINE: ..." problem equal to
 * the error; every rule is sane (bridge name short and terminated, line
 * number within the text); and the allow/deny decision agrees with the
 * helper's rule computed here independently (deny wins, default deny).
 */
#include "build-config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/bridgeconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool helper_decides(const struct qnm_bridge_acl *acl, const char *br)
{
	bool allowed = false, denied = false;
	size_t i;

	for (i = 0; i < acl->n; i++) {
		const struct qnm_acl_rule *r = &acl->rules[i];

		switch (r->type) {
		case QNM_ACL_ALLOW_ALL:
			allowed = true;
			break;
		case QNM_ACL_DENY_ALL:
			denied = true;
			break;
		case QNM_ACL_ALLOW:
			allowed |= strncmp(r->iface, br, 15) == 0;
			break;
		case QNM_ACL_DENY:
			denied |= strncmp(r->iface, br, 15) == 0;
			break;
		}
	}
	return allowed && !denied;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qnm_bridge_acl acl;
	struct qnm_err err;
	size_t i, lines = 1;
	char *buf = malloc(size ? size : 1); /* exactly @size bytes: ASan sees overreads */
	int r;

	memcpy(buf, data, size);
	for (i = 0; i < size; i++)
		lines += buf[i] == '\n';
	qnm_bridge_acl_init(&acl);
	acl.follow_includes = false;
	qnm_err_clear(&err);
	r = qnm_bridge_acl_parse(&acl, "f", buf, size, 0, &err);
	if (r == 0 && acl.problems.n != 0)
		abort();
	if (r != 0 && (r != -EINVAL || acl.problems.n != 1 || strncmp(err.msg, "f:", 2) != 0 ||
		       strcmp(acl.problems.v[0], err.msg) != 0))
		abort();
	for (i = 0; i < acl.n; i++) {
		const struct qnm_acl_rule *rule = &acl.rules[i];
		char why[512];

		if (memchr(rule->iface, '\0', sizeof(rule->iface)) == NULL)
			abort();
		if (rule->line < 1 || rule->line > lines || strcmp(rule->file, "f") != 0)
			abort();
		if (qnm_bridge_acl_allows(&acl, rule->iface, why, sizeof(why)) !=
		    helper_decides(&acl, rule->iface))
			abort();
	}
	if (qnm_bridge_acl_allows(&acl, "qnm-fuzz-br", NULL, 0) !=
	    helper_decides(&acl, "qnm-fuzz-br"))
		abort();
	qnm_bridge_acl_clear(&acl);
	free(buf);
	return 0;
}
