// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-bridge.c - QEMU's setuid/capable bridge helper:
 * -netdev bridge,id=ID,br=BRIDGE[,helper=PATH]
 * The helper creates a TAP on BRIDGE for an unprivileged QEMU, when
 * /etc/qemu/bridge.conf has "allow BRIDGE".
 */
#include "build-config.h"

#include "core/backend.h"
#include "core/docresult.h"
#include "guest/cmdline.h"
#include "guest/rundir.h"
#include "guest/runner.h"
#include "host/bridgeconf.h"
#include "core/validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static int bridge_validate(const struct qnm_nic *nic, struct qnm_err *err)
{
	char field[64];

	snprintf(field, sizeof(field), "nic[%s].br", nic->id);
	if (!qnm_valid_ifname(nic->bridge.br))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: the bridge helper needs a bridge name ('%s' is not a valid interface name: " QNM_IFNAME_RULE
			")",
			field, nic->bridge.br);
	if (nic->bridge.helper && nic->bridge.helper[0] != '/') {
		snprintf(field, sizeof(field), "nic[%s].helper", nic->id);
		return qnm_err_set(err, -EINVAL, field, "%s: '%s' must be an absolute path", field,
				   nic->bridge.helper);
	}
	return 0;
}

static int bridge_netdev_opts(const struct qnm_vm *vm, const struct qnm_nic *nic,
			      const struct qnm_cmdline_opts *o, struct qnm_strbuf *sb,
			      struct qnm_err *err)
{
	qnm_sb_add(sb, ",br=");
	qnm_qemu_escape(sb, nic->bridge.br);
	if (nic->bridge.helper) {
		qnm_sb_add(sb, ",helper=");
		qnm_qemu_escape(sb, nic->bridge.helper);
	}
	return 0;
}

static bool bridge_nic_form_ok(const struct qnm_nic *nic)
{
	return true;
}

static void bridge_label(const struct qnm_nic *nic, char *buf, size_t size)
{
	snprintf(buf, size, "bridge:%s", nic->bridge.br);
}

static const char *bridge_own_bridge(const struct qnm_nic *nic)
{
	return nic->bridge.br;
}

static const char *bridge_live_bridge(const struct qnm_model *model, const struct qnm_nic *nic)
{
	return nic->bridge.br[0] ? nic->bridge.br : NULL;
}

/* ---- the host side: checked before start (QEMU's helper does the rest) ---- */

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The helper can attach TAPs: it is setuid root or has cap_net_admin+ep. */
static bool helper_capable(const char *helper, const struct stat *st)
{
	unsigned char caps[64];
	ssize_t n;

	if (st->st_mode & S_ISUID)
		return true;
	n = getxattr(helper, "security.capability", caps, sizeof(caps));
	return n > 0 && qnm_fcaps_net_admin(caps, (size_t)n);
}

static int bridge_host_check(const struct qnm_vm *vm, const struct qnm_nic *nic,
			     const struct qnm_runner_opts *o, struct qnm_err *err)
{
	const char *conf = o && o->bridge_conf ? o->bridge_conf : qnm_bridge_conf_path();
	const char *helper =
		nic->bridge.helper ? nic->bridge.helper : "/usr/lib/qemu/qemu-bridge-helper";
	struct qnm_bridge_acl acl;
	struct qnm_err e2;
	bool allowed;
	struct stat st;
	char field[64], why[256], *p;
	bool br_ok;

	snprintf(field, sizeof(field), "nic[%s].br", nic->id);
	if (stat(helper, &st) < 0)
		return qnm_err_set(err, -ENOENT, field,
				   "%s: the bridge helper %s is missing (Debian package "
				   "'qemu-system-common')",
				   field, helper);
	if (geteuid() != 0 && !helper_capable(helper, &st))
		return qnm_err_set(
			err, -EPERM, field,
			"%s: %s is neither setuid root nor has cap_net_admin, so it cannot "
			"attach TAPs for you: an admin must run 'chmod u+s %s' or "
			"'setcap cap_net_admin+ep %s' (or start qnm as root)",
			field, helper, helper, helper);
	p = xasprintf("/sys/class/net/%s/bridge", nic->bridge.br);
	br_ok = is_dir(p);
	free(p);
	if (!br_ok)
		return qnm_err_set(err, -ENODEV, field, "%s: there is no bridge '%s' on this host",
				   field, nic->bridge.br);
	qnm_bridge_acl_init(&acl);
	if (qnm_bridge_acl_load(&acl, conf, &e2) < 0) {
		qnm_bridge_acl_clear(&acl);
		if (e2.code == -ENOENT)
			return qnm_err_set(err, -ENOENT, field,
					   "%s: %s is missing: create it with the line 'allow %s'",
					   field, conf, nic->bridge.br);
		return qnm_err_set(err, e2.code ? e2.code : -EINVAL, field,
				   "%s: qemu-bridge-helper cannot use %s: %s", field, conf, e2.msg);
	}
	allowed = qnm_bridge_acl_allows(&acl, nic->bridge.br, why, sizeof(why));
	qnm_bridge_acl_clear(&acl);
	if (!allowed)
		return qnm_err_set(
			err, -EACCES, field,
			"%s: qemu-bridge-helper will not attach this VM to %s: %s (%s needs "
			"a line 'allow %s' and no deny rule for it)",
			field, nic->bridge.br, why, conf, nic->bridge.br);
	return 0;
}

/* ---- its doctor checks: the helper binary and its access list ---- */

static const char *const helper_defaults[] = {
	"/usr/lib/qemu/qemu-bridge-helper",
	"/usr/libexec/qemu-bridge-helper",
};

/* the helper QEMU runs for a NIC without helper=: $QNM_BRIDGE_HELPER, else the first that exists */
static const char *default_helper(void)
{
	const char *env_path = getenv("QNM_BRIDGE_HELPER");
	size_t k;

	if (!qnm_str_empty(env_path))
		return env_path;
	for (k = 0; k < QNM_ARRAY_SIZE(helper_defaults); k++)
		if (access(helper_defaults[k], F_OK) == 0)
			return helper_defaults[k];
	return helper_defaults[0];
}

void qnm_doctor_bridge_helper(const char *path, struct qnm_doc_result *r)
{
	unsigned char caps[64];
	struct stat st;
	ssize_t n;
	bool setuid, fcaps;

	if (!path)
		path = default_helper();

	if (stat(path, &st) < 0) {
		qnm_doc_finding(r, QNM_DOC_FAIL,
				"the bridge helper %s does not exist: bridge NICs cannot "
				"start",
				path);
		qnm_doc_fix(r, "apt-get install qemu-system-common   (it ships the helper)");
		return;
	}
	setuid = (st.st_mode & S_ISUID) && st.st_uid == 0;
	n = getxattr(path, "security.capability", caps, sizeof(caps));
	fcaps = n > 0 && qnm_fcaps_net_admin(caps, (size_t)n);
	if (setuid || fcaps) {
		qnm_doc_finding(r, QNM_DOC_OK,
				"%s is %s: users can attach guests to allowed bridges", path,
				setuid ? "setuid root" : "granted cap_net_admin (file capability)");
		return;
	}
	if (geteuid() == 0) {
		qnm_doc_finding(r, QNM_DOC_OK,
				"%s is neither setuid nor capable, but qnm runs as root, so "
				"it works (for other users it would not)",
				path);
		qnm_doc_fix(r, "for other users: setcap cap_net_admin+ep %s   (or chmod u+s %s)",
			    path, path);
		return;
	}
	qnm_doc_finding(
		r, QNM_DOC_FAIL,
		"%s is neither setuid root nor granted cap_net_admin: as a normal user, QEMU fails "
		"with 'failed to create tun device: Operation not permitted'",
		path);
	qnm_doc_fix(r, "setcap cap_net_admin+ep %s   (or: chmod u+s %s)", path, path);
}

static void check_bridge_helper(const struct qnm_model *model, struct qnm_doc_result *r)
{
	struct qnm_strv paths;
	size_t i, j;

	if (!qnm_model_uses_backend(model, QNM_BACKEND_BRIDGE)) {
		qnm_doc_finding(r, QNM_DOC_SKIP, "no VM uses a bridge NIC (backend=bridge)");
		return;
	}
	qnm_strv_init(&paths);
	for (i = 0; i < model->nvms; i++)
		for (j = 0; j < model->vms[i]->nnics; j++) {
			const struct qnm_nic *nic = &model->vms[i]->nics[j];
			size_t k;

			if (nic->backend != QNM_BACKEND_BRIDGE)
				continue;
			const char *p = !qnm_str_empty(nic->bridge.helper) ? nic->bridge.helper
									   : default_helper();

			for (k = 0; k < paths.n; k++)
				if (strcmp(paths.v[k], p) == 0)
					break;
			if (k == paths.n)
				qnm_strv_add(&paths, p);
		}
	for (i = 0; i < paths.n; i++)
		qnm_doctor_bridge_helper(paths.v[i], r);
	qnm_strv_free(&paths);
}

static void check_bridge_conf(const struct qnm_model *model, struct qnm_doc_result *r)
{
	const char *path = qnm_bridge_conf_path();
	struct qnm_bridge_acl acl;
	struct qnm_err err;
	struct qnm_strv seen;
	char dir[256];
	size_t i, j;
	int ret;

	qnm_strlcpy(dir, path, sizeof(dir));
	if (strrchr(dir, '/') && strrchr(dir, '/') != dir)
		*strrchr(dir, '/') = '\0';
	else
		qnm_strlcpy(dir, ".", sizeof(dir));
	qnm_bridge_acl_init(&acl);
	qnm_err_clear(&err);
	ret = qnm_bridge_acl_load(&acl, path, &err);
	if (!qnm_model_uses_backend(model, QNM_BACKEND_BRIDGE)) {
		if (ret == -ENOENT)
			qnm_doc_finding(r, QNM_DOC_SKIP,
					"%s does not exist; no VM uses a bridge NIC, so "
					"none is needed",
					path);
		else if (ret < 0)
			qnm_doc_finding(r, QNM_DOC_WARN,
					"%s (no VM uses a bridge NIC yet, but the bridge "
					"helper would refuse every bridge)",
					err.msg);
		else
			qnm_doc_finding(r, QNM_DOC_SKIP,
					"%s parses (%zu rule(s)); no VM uses a bridge NIC", path,
					acl.n);
		goto out;
	}
	if (ret == -ENOENT) {
		qnm_doc_finding(
			r, QNM_DOC_FAIL,
			"%s does not exist, so QEMU's bridge helper refuses every bridge ('access "
			"denied by acl file')",
			path);
	} else if (ret < 0) {
		qnm_doc_finding(r, QNM_DOC_FAIL,
				"%s: the bridge helper cannot use the file and refuses "
				"every bridge",
				err.msg);
		if (ret == -EINVAL)
			qnm_doc_fix(r,
				    "edit %s and correct the line named above (each line is "
				    "'allow BRIDGE', 'deny BRIDGE' or 'include FILE')",
				    path);
		else
			qnm_doc_fix(r, "chmod 0644 %s", path);
	}
	for (i = 0; i < acl.problems.n; i++) {
		/* problems of included files (the main file's own failure is said above) */
		if (ret < 0 && strcmp(acl.problems.v[i], err.msg) == 0)
			continue;
		qnm_doc_finding(r, QNM_DOC_WARN,
				"%s (the bridge helper skips the rest of that included "
				"file)",
				acl.problems.v[i]);
	}
	qnm_strv_init(&seen);
	for (i = 0; i < model->nvms; i++)
		for (j = 0; j < model->vms[i]->nnics; j++) {
			const struct qnm_nic *nic = &model->vms[i]->nics[j];
			char why[512];
			size_t k;

			if (nic->backend != QNM_BACKEND_BRIDGE || !nic->bridge.br[0])
				continue;
			for (k = 0; k < seen.n; k++)
				if (strcmp(seen.v[k], nic->bridge.br) == 0)
					break;
			if (k < seen.n)
				continue;
			qnm_strv_add(&seen, nic->bridge.br);
			if (qnm_bridge_acl_allows(&acl, nic->bridge.br, why, sizeof(why))) {
				qnm_doc_finding(r, QNM_DOC_OK,
						"bridge %s (VM '%s' NIC '%s') is allowed: %s",
						nic->bridge.br, model->vms[i]->name, nic->id, why);
				continue;
			}
			if (ret < 0 && ret != -ENOENT)
				continue; /* already said: every bridge is refused */
			qnm_doc_finding(
				r, QNM_DOC_FAIL,
				"bridge %s (VM '%s' NIC '%s') is not allowed in %s: %s; QEMU would "
				"fail with 'access denied by acl file'",
				nic->bridge.br, model->vms[i]->name, nic->id, path, why);
			if (strstr(why, "deny"))
				qnm_doc_fix(r, "remove the deny line named above from %s", path);
			else
				qnm_doc_fix(r, "mkdir -p %s && echo 'allow %s' >> %s", dir,
					    nic->bridge.br, path);
		}
	qnm_strv_free(&seen);
out:
	qnm_bridge_acl_clear(&acl);
}

static const struct qnm_backend_check bridge_checks[] = {
	{ "bridge_helper", "QEMU bridge helper present and privileged", check_bridge_helper },
	{ "bridge_conf", "bridge.conf allows the bridges of bridge NICs", check_bridge_conf },
};

/* ---- explaining it ---- */

static size_t bridge_hops(const struct qnm_model *model, const struct qnm_vm *vm, size_t idx,
			  struct qnm_hop *h)
{
	const struct qnm_nic *n = &vm->nics[idx];
	size_t k = 0, i;

	snprintf(h[k].title, sizeof(h[k].title), "TAP by helper");
	h[k].live = QNM_HOP_LIVE_NIC_LINK;
	snprintf(h[k++].detail, sizeof(h->detail), "qemu-bridge-helper");
	/* the bridge of a qnm network: that network's way out */
	for (i = 0; model && i < model->nnets; i++)
		if (strcmp(model->nets[i]->bridge, n->bridge.br) == 0)
			return k + qnm_net_hops(model->nets[i], h + k);
	snprintf(h[k].title, sizeof(h[k].title), "bridge %s", n->bridge.br);
	h[k].live = QNM_HOP_LIVE_LINK;
	qnm_strlcpy(h[k].link, n->bridge.br, sizeof(h->link));
	snprintf(h[k++].detail, sizeof(h->detail), "set up beforehand");
	snprintf(h[k].title, sizeof(h[k].title), "outside");
	snprintf(h[k++].detail, sizeof(h->detail), "as the bridge is");
	return k;
}

const struct qnm_backend_ops qnm_backend_bridge = {
	.kind = QNM_BACKEND_BRIDGE,
	.name = "bridge",
	.netdev_type = "bridge",
	.summary =
		"QEMU's bridge helper puts a TAP on an existing bridge for you: no root for QEMU, but /etc/qemu/bridge.conf must allow the bridge",
	.mode_title = "QEMU bridge helper",
	.mode_text =
		"qemu-bridge-helper (a small privileged program shipped with QEMU) creates the "
		"TAP and attaches it to an existing bridge for you, so QEMU itself runs without "
		"root. The admin must allow the bridge in /etc/qemu/bridge.conf ('allow br0') "
		"and make the helper setuid or give it CAP_NET_ADMIN. The bridge and whatever "
		"connects it to the outside are set up beforehand (e.g. a qnm network).",
	.conns_label = "bridge helper",
	.needs_net_admin = false,
	.on_bridge = true,
	.validate = bridge_validate,
	.netdev_opts = bridge_netdev_opts,
	.nic_form_ok = bridge_nic_form_ok,
	.label = bridge_label,
	.own_bridge = bridge_own_bridge,
	.live_bridge = bridge_live_bridge,
	.host_check = bridge_host_check,
	.hops = bridge_hops,
	.checks = bridge_checks,
	.nchecks = QNM_ARRAY_SIZE(bridge_checks),
};
