// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp.c - the internal slirp-helper entry (see slirp.h). */
#include "build-config.h"

#include "api/slirp.h"

#include "guest/slirpctl.h"

#include <errno.h>

/* the helper's loop, in qnm-slirp-helper only (NULL in qnm and qnm-ui) */
static qnm_api_slirp_run_fn *runner;

void qnm_api_slirp_set_runner(qnm_api_slirp_run_fn *run)
{
	runner = run;
}

int qnm_api_slirp_helper_run(const struct qnm_slirp_helper_cfg *cfg, struct qnm_err *err)
{
	if (!runner)
		return qnm_err_set(err, -ENOEXEC, "",
				   "this program has no slirp helper: qnm runs qnm-slirp-helper");
	return runner(cfg, err);
}

int qnm_api_slirp_ctl_check(const char *request, struct qnm_err *err)
{
	struct qnm_slirpctl_req req;

	return qnm_slirpctl_parse(request, &req, err);
}

int qnm_api_slirp_ctl(const char *control, const char *request, int timeout_ms,
		      struct json_object **reply, struct qnm_err *err)
{
	struct qnm_slirpctl *c = NULL;
	int r;

	r = qnm_slirpctl_open(control, timeout_ms, &c, err);
	if (r == 0)
		r = qnm_slirpctl_request(c, request, reply, err);
	qnm_slirpctl_free(c);
	return r;
}
