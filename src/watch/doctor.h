/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * doctor.h - "qnm doctor": is this host ready for the configured VMs and
 * networks? One const struct per check, in a table (doctor.c); each check
 * looks at the host (never changes it) and says, in plain language, what
 * it found and the exact fix.
 *
 * Every check reads real state; for tests, the paths it reads can be
 * pointed elsewhere through the environment (never needed in normal use):
 *
 *   QNM_PROC_SYS       /proc/sys           (sysctl.h: ip_forward, ping_group_range,
 *                                           bridge-nf-call-iptables, ip_unprivileged_port_start)
 *   QNM_BRIDGE_CONF    /etc/qemu/bridge.conf (bridgeconf.h)
 *   QNM_BRIDGE_HELPER  the qemu-bridge-helper binary (else the NIC's helper=, else
 *                      /usr/lib/qemu/qemu-bridge-helper, /usr/libexec/qemu-bridge-helper)
 *   QNM_DEV_KVM        /dev/kvm
 *   QNM_DNSMASQ        the dnsmasq binary (dnsmasq.h)
 *   PATH               where qemu-system-ARCH is looked for (catalog.h)
 *
 * The network-namespace-bound checks (sysctls, nftables, neighbours, ports)
 * look at the namespace qnm runs in, so tests run qnm inside a namespace
 * they built ("ip netns exec NS qnm doctor").
 */
#ifndef QNM_DOCTOR_H
#define QNM_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/backend.h"   /* re-exported: qnm_doctor_bridge_helper(), a backend's own check */
#include "core/docresult.h" /* re-exported: a check's result (status, findings, fixes) */
#include "core/model.h"
#include "core/util.h"

struct qnm_doc_env;

/**
 * struct qnm_doc_check - one check.
 * @id:    short stable name ("bridge_conf"), for scripts and --json.
 * @title: what it checks, for people.
 * @run:   looks at the host and fills @res (initialised: status ok, empty).
 */
struct qnm_doc_check {
	const char *id;
	const char *title;
	void (*run)(struct qnm_doc_env *env, struct qnm_doc_result *res);
};

/**
 * qnm_doctor_checks() - the table of checks, in the order they run.
 * @n: set to its length.
 * Return: the static table.
 */
const struct qnm_doc_check *qnm_doctor_checks(size_t *n);

/**
 * struct qnm_doctor_item - one check and its result.
 * @check:  the check (static).
 * @res:    its result.
 */
struct qnm_doctor_item {
	const struct qnm_doc_check *check;
	struct qnm_doc_result res;
};

/**
 * struct qnm_doctor_report - all results.
 * @v:     in table order, @n of them.
 * @count: how many of each status.
 */
struct qnm_doctor_report {
	struct qnm_doctor_item *v;
	size_t n;
	size_t count[QNM_DOC__COUNT];
};

/**
 * qnm_doctor_run() - run every check (or only @only) against @model.
 * @model:       the configuration (VMs and networks).
 * @runtime_dir: qnm's runtime directory (ownership records), or NULL.
 * @cache_dir:   qnm's cache directory (device catalogs), or NULL.
 * @only:        run just the check with this id, or NULL for all.
 * @rep:         filled; free with qnm_doctor_report_clear().
 * Return: 0, or -ENOENT when @only names no check.
 */
int qnm_doctor_run(const struct qnm_model *model, const char *runtime_dir, const char *cache_dir,
		   const char *only, struct qnm_doctor_report *rep);

/** qnm_doctor_report_clear() - free what @rep holds. */
void qnm_doctor_report_clear(struct qnm_doctor_report *rep);

/**
 * qnm_doc_netdev_has() - whether QEMU's "-netdev help" output lists @type
 * (one backend name per line after the heading).
 * @text: the output (NUL-terminated).
 * @type: "user", "tap", "bridge", "stream", ...
 */
bool qnm_doc_netdev_has(const char *text, const char *type);

#endif
