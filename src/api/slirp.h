/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp.h - the internal "qnm slirp-helper" entry: run the helper that
 * hosts one slirp NIC (the runner starts it; guest/slirp-helper.h), and
 * ask a helper's control socket one request (for tests and debugging).
 */
#ifndef QNM_API_SLIRP_H
#define QNM_API_SLIRP_H

#include "core/util.h"
/* re-exported: struct qnm_slirp_helper_cfg, the helper's configuration
 * (plain data the command line fills) */
#include "guest/slirp-helper.h"

struct json_object;

/*
 * qnm_api_slirp_run_fn - what runs one helper: qnm_slirp_helper_run(), whose
 * libslirp and glib are linked only into the program qnm-slirp-helper
 * (core/progs.h), which hands it over with qnm_api_slirp_set_runner().
 */
typedef int qnm_api_slirp_run_fn(const struct qnm_slirp_helper_cfg *cfg, struct qnm_err *err);

/**
 * qnm_api_slirp_set_runner() - let qnm_api_slirp_helper_run() run helpers
 * in this program, with @run (qnm-slirp-helper's main does, before it runs
 * the command line).
 * @run: the helper's loop.
 */
void qnm_api_slirp_set_runner(qnm_api_slirp_run_fn *run);

/**
 * qnm_api_slirp_helper_run() - run the helper described by @cfg until QEMU
 * disconnects (or SIGTERM).
 * Return: 0, -EINVAL (a bad option value), -ENOEXEC in a program that has
 * no helper (qnm and qnm-ui exec qnm-slirp-helper instead), or another
 * -errno (@err).
 */
int qnm_api_slirp_helper_run(const struct qnm_slirp_helper_cfg *cfg, struct qnm_err *err);

/**
 * qnm_api_slirp_ctl_check() - whether @request is a control request the
 * helper knows ("stats", "hostfwd-add SPEC", ...).
 * Return: 0 or -EINVAL (@err says what is wrong).
 */
int qnm_api_slirp_ctl_check(const char *request, struct qnm_err *err);

/**
 * qnm_api_slirp_ctl() - send @request to the helper listening on control
 * socket @control and take its reply.
 * @timeout_ms: how long the helper may take (<= 0: the default, 2 s).
 * @reply:      set to the reply object on success (json_object_put() it).
 * Return: 0 or -errno (the helper refused: its reason in @err).
 */
int qnm_api_slirp_ctl(const char *control, const char *request, int timeout_ms,
		      struct json_object **reply, struct qnm_err *err);

#endif
