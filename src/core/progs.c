// SPDX-License-Identifier: GPL-2.0-or-later
/* progs.c - qnm's programs and where each one is (see progs.h). */
#include "build-config.h"

#include "core/progs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/**
 * struct prog - one of qnm's programs.
 * @name: its file name.
 * @dir:  the directory it is installed in.
 */
struct prog {
	const char *name;
	const char *dir;
};

static const struct prog progs[QNM_PROG__COUNT] = {
	[QNM_PROG_CLI] = { "qnm", QNM_BINDIR },
	[QNM_PROG_UI] = { "qnm-ui", QNM_PKGLIBEXECDIR },
	[QNM_PROG_SLIRP_HELPER] = { "qnm-slirp-helper", QNM_PKGLIBEXECDIR },
};

const char *qnm_prog_name(enum qnm_prog p)
{
	return progs[p].name;
}

char *qnm_prog_path(enum qnm_prog p, struct qnm_err *err)
{
	char self[PATH_MAX], *slash = NULL, *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	/* readlink() does not end the text: end it before looking in it */
	if (n > 0 && (size_t)n < sizeof(self) - 1) {
		self[n] = '\0';
		slash = strrchr(self, '/');
	}
	if (slash) {
		if (strcmp(slash + 1, progs[p].name) == 0)
			return xstrdup(self);
		*slash = '\0';
		path = xasprintf("%s/%s", self, progs[p].name);
		if (access(path, X_OK) == 0)
			return path;
		free(path);
	} else {
		qnm_strlcpy(self, "(unknown: /proc/self/exe is unreadable)", sizeof(self));
	}
	path = xasprintf("%s/%s", progs[p].dir, progs[p].name);
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	qnm_err_set(err, -ENOENT, "",
		    "%s is missing: not in %s nor in %s (is qnm installed whole?)", progs[p].name,
		    self, progs[p].dir);
	return NULL;
}

int qnm_prog_exec(enum qnm_prog p, char *const *argv, struct qnm_err *err)
{
	char *path = qnm_prog_path(p, err);
	int e;

	if (!path)
		return -ENOENT;
	execv(path, argv);
	e = -errno;
	qnm_err_set(err, e, "", "cannot run %s: %s", path, strerror(-e));
	free(path);
	return e;
}
