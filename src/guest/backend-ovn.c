// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend-ovn.c - a TAP NIC on an ovn network: the TAP backend's NIC whose
 * network has mode ovn (backend-tap.c calls these instead of the Linux
 * bridge's steps).
 *
 * At start the supervisor makes the TAP as for any network, then makes
 * sure the NIC's logical switch port CHASSIS/VM/NIC exists in the
 * northbound database (host/ovn.h), records its intent in the VM's runtime
 * dir (RUNDIR/ovs-port-TAP holds the local OVS database), and puts the TAP
 * on the integration bridge with external_ids:iface-id = that port. After
 * QEMU it takes the port off the bridge and removes the record; the
 * logical port stays, with its address. A killed supervisor leaves the
 * record: @reclaim (the next start, stop or status of the VM) takes the
 * port off the bridge.
 *
 * QEMU's TAP runs with vnet_hdr=off on an ovn network: the userspace
 * datapath reads the TAP's frames as they are, and a frame whose checksum
 * a virtio guest left to the host would leave unfinished (TCP dies).
 */
#include "build-config.h"

#include "core/backend.h"
#include "core/config.h"
#include "guest/backend-ovn.h"
#include "guest/rundir.h"
#include "host/links.h"
#include "host/ovn.h"
#include "host/ovsdb.h"
#include "core/docresult.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REC_PREFIX "ovs-port-"

const struct qnm_network *qnm_ovn_nic_net(const struct qnm_model *model, const struct qnm_nic *nic)
{
	const struct qnm_network *net;

	if (!model || !nic->tap.network[0])
		return NULL;
	net = qnm_model_find_net(model, nic->tap.network);
	return net && net->mode == QNM_NET_OVN ? net : NULL;
}

void qnm_ovn_nic_plan(const struct qnm_model *model, const struct qnm_nic *nic,
		      struct qnm_nic_host *h)
{
	const struct qnm_network *net = qnm_ovn_nic_net(model, nic);

	if (!net)
		return;
	qnm_strlcpy(h->ovn_nb, net->ovn_nb, sizeof(h->ovn_nb));
	qnm_strlcpy(h->ovn_net, net->name, sizeof(h->ovn_net));
	qnm_strlcpy(h->bridge, net->bridge, sizeof(h->bridge));
}

/* the logical port of NIC @nic of @vm on this chassis */
static int port_name(const char *db, const struct qnm_vm *vm, const struct qnm_nic *nic, char *buf,
		     size_t size, struct qnm_err *err)
{
	char chassis[QNM_NAME_MAX + 1];
	int r = qnm_ovs_system_id(db, chassis, sizeof(chassis), err);

	if (r)
		return r;
	snprintf(buf, size, "%s/%s/%s", chassis, vm->name, nic->id);
	return 0;
}

int qnm_ovn_nic_check(const struct qnm_vm *vm, const struct qnm_nic *nic,
		      const struct qnm_network *net, struct qnm_err *err)
{
	char db[QNM_OVSDB_REMOTE_MAX + 16], lsp[QNM_OVN_LSP_MAX], field[64];
	int r;

	snprintf(field, sizeof(field), "nic[%s].network", nic->id);
	qnm_ovs_local_db(db, sizeof(db));
	r = port_name(db, vm, nic, lsp, sizeof(lsp), err);
	if (r)
		return qnm_err_set(err, r, field,
				   "%s: network %s is an ovn network and this host's Open vSwitch "
				   "does not serve it: %s",
				   field, net->name, err ? err->msg : strerror(-r));
	r = qnm_ovn_net_exists(net, err);
	if (r == 0)
		return qnm_err_set(err, -ENETDOWN, field,
				   "%s: network '%s' is not up in OVN (%s has no switch of it): "
				   "run 'qnm net up %s' first",
				   field, net->name, net->ovn_nb, net->name);
	if (r < 0)
		return qnm_err_set(err, r, field, "%s: %s", field, err ? err->msg : strerror(-r));
	return 0;
}

static char *rec_path(const struct qnm_rundir *rd, const char *ifname)
{
	return xasprintf("%s/" REC_PREFIX "%s", rd->path, ifname);
}

/*
 * After the port is on br-int: wait until ovs-vswitchd opened the TAP, make
 * sure it is still up, then wait until ovn-controller installed its flows,
 * so that the guest's first DHCP request is answered. Time running out is
 * no failure (ovn-controller may come later): @h->warning says so.
 */
static int port_settle(const char *db, const char *ifname, const char *lsp, struct qnm_links *l,
		       struct qnm_nic_host *h, struct qnm_err *err)
{
	double t0 = qnm_mono_ms();
	struct qnm_link_info info;
	int st, r = 0;

	st = qnm_ovs_port_wait(db, ifname, QNM_OVS_PORT_OPENED, QNM_OVN_SETTLE_MS, err);
	if (st < 0)
		return st;
	if (st < QNM_OVS_PORT_OPENED) {
		snprintf(h->warning, sizeof(h->warning),
			 "no network yet: ovs-vswitchd did not open TAP %s in %d s (is it "
			 "running? qnm doctor checks it)",
			 ifname, QNM_OVN_SETTLE_MS / 1000);
		return 0;
	}
	/*
	 * Seen here (ovn-net.sh under busy loops, 3 runs of 20; CI once): the
	 * userspace datapath turned promiscuous mode on from flags it had read
	 * before qnm set the TAP up, and so set it down again 0.1 ms later (ip
	 * monitor link); the guest's DHCP went nowhere ("error sending Ethernet
	 * packet on qt-gb-0: Network is down"). The TAP is now up before the
	 * port exists (0 of 20 runs since); this puts it up again if anything
	 * still took it down.
	 */
	if (qnm_links_exists(l, ifname, &info, err) == 1 && !info.up)
		r = qnm_links_set_up(l, ifname, true, err);
	if (r)
		return r;
	st = qnm_ovs_port_wait(db, ifname, QNM_OVS_PORT_INSTALLED,
			       QNM_OVN_SETTLE_MS - (int)(qnm_mono_ms() - t0), err);
	if (st < 0)
		return st;
	if (st < QNM_OVS_PORT_INSTALLED)
		snprintf(h->warning, sizeof(h->warning),
			 "no network yet: ovn-controller did not bind logical port %s in %d s (is "
			 "it running and connected? qnm doctor checks it)",
			 lsp, QNM_OVN_SETTLE_MS / 1000);
	return 0;
}

int qnm_ovn_nic_attach(const struct qnm_vm *vm, size_t idx, const struct qnm_rundir *rd,
		       struct qnm_nic_host *h, const char *ifname, struct qnm_err *err)
{
	const struct qnm_nic *nic = &vm->nics[idx];
	char db[QNM_OVSDB_REMOTE_MAX + 16], lsp[QNM_OVN_LSP_MAX];
	struct qnm_links *l = NULL;
	char *rec;
	int r;

	qnm_ovs_local_db(db, sizeof(db));
	r = port_name(db, vm, nic, lsp, sizeof(lsp), err);
	if (!r)
		r = qnm_ovn_port_ensure(h->ovn_nb, h->ovn_net, lsp, nic->mac, nic->tap.ip, err);
	if (r)
		return r;
	/* up before ovs-vswitchd opens it (port_settle() says why) */
	r = qnm_links_open(&l, err);
	if (!r)
		r = qnm_links_set_up(l, ifname, true, err);
	if (r)
		goto out;
	/* the intent first: a kill after the port exists finds its record */
	rec = rec_path(rd, ifname);
	r = qnm_atomic_write(rec, db, strlen(db), 0600, err);
	if (!r)
		r = qnm_ovs_port_add(db, h->bridge, ifname, lsp, err);
	if (!r) {
		h->ovn_port = true;
		r = port_settle(db, ifname, lsp, l, h, err);
		if (r) {
			qnm_ovs_port_del(db, ifname, NULL);
			h->ovn_port = false;
		}
	}
	if (r)
		unlink(rec);
	free(rec);
out:
	qnm_links_free(l);
	return r;
}

void qnm_ovn_nic_detach(const struct qnm_rundir *rd, struct qnm_nic_host *h, const char *ifname)
{
	char db[QNM_OVSDB_REMOTE_MAX + 16], *rec;

	if (!h->ovn_port)
		return;
	qnm_ovs_local_db(db, sizeof(db));
	if (qnm_ovs_port_del(db, ifname, NULL) == 0) {
		rec = rec_path(rd, ifname);
		unlink(rec);
		free(rec);
	}
	h->ovn_port = false;
}

int qnm_ovn_reclaim(const struct qnm_rundir *rd, struct qnm_strbuf *report)
{
	char *buf, *p;
	struct dirent *de;
	size_t len;
	int n = 0;
	DIR *d = opendir(rd->path);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, REC_PREFIX, strlen(REC_PREFIX)))
			continue;
		p = xasprintf("%s/%s", rd->path, de->d_name);
		buf = NULL;
		if (qnm_read_file(p, 4096, &buf, &len) == 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (qnm_ovs_port_del(buf, de->d_name + strlen(REC_PREFIX), NULL) == 0) {
				unlink(p);
				qnm_sb_addf(report, "%stook %s off the integration bridge",
					    report->len ? "; " : "",
					    de->d_name + strlen(REC_PREFIX));
				n++;
			}
		}
		free(buf);
		free(p);
	}
	closedir(d);
	return n;
}

/* ---- its doctor check ---- */

/* the first remote of a comma-separated ovn-remote ("tcp:a:6642,tcp:b:6642") */
static void first_remote(const char *list, char *buf, size_t size)
{
	qnm_strlcpy(buf, list ? list : "", size);
	buf[strcspn(buf, ",")] = '\0';
}

/* Open vSwitch's external_ids of this host (@ext is a reference the caller puts) */
static int ovs_ext(const char *db, json_object **rows, json_object **ext, struct qnm_err *err)
{
	struct qnm_ovsdb *c = NULL;
	int r = qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, err);

	*rows = NULL;
	*ext = NULL;
	if (!r)
		r = qnm_ovsdb_select1(c, "Open_vSwitch", "Open_vSwitch", NULL, rows, err);
	qnm_ovsdb_close(c);
	if (!r && json_object_array_length(*rows))
		json_object_object_get_ex(json_object_array_get_idx(*rows, 0), "external_ids", ext);
	return r;
}

/* one external_ids key that must be set, with its fix */
static bool need_key(json_object *ext, const char *key, const char *what, const char *fix,
		     struct qnm_doc_result *r)
{
	const char *v = qnm_ovsdb_map_get(ext, key);

	if (v && v[0])
		return true;
	qnm_doc_finding(r, QNM_DOC_FAIL, "Open vSwitch has no external_ids:%s (%s)", key, what);
	qnm_doc_fix(r, "ovs-vsctl set open . external_ids:%s=%s", key, fix);
	return false;
}

/* the chassis @id is in the southbound database @sb, with an encapsulation */
static void check_chassis(const char *sb, const char *id, struct qnm_doc_result *r)
{
	struct qnm_ovsdb *c = NULL;
	json_object *rows = NULL, *v = NULL;
	struct qnm_err err = { 0 };
	size_t n = 0;

	if (qnm_ovsdb_connect(sb, QNM_OVN_TIMEOUT_MS, &c, &err) == 0 &&
	    qnm_ovsdb_select1(c, "OVN_Southbound", "Chassis",
			      qnm_ovsdb_where("name", "==", json_object_new_string(id)), &rows,
			      &err) == 0 &&
	    json_object_array_length(rows) &&
	    json_object_object_get_ex(json_object_array_get_idx(rows, 0), "encaps", &v)) {
		/* ["uuid", U] for one, ["set", [...]] for several */
		json_object *t = json_object_array_get_idx(v, 0),
			    *s = json_object_array_get_idx(v, 1);

		n = strcmp(json_object_get_string(t), "uuid") == 0 ? 1
								   : json_object_array_length(s);
	}
	qnm_ovsdb_close(c);
	json_object_put(rows);
	if (err.msg[0]) {
		qnm_doc_finding(r, QNM_DOC_FAIL, "the OVN southbound database %s: %s", sb, err.msg);
		qnm_doc_fix(r, "start ovn-central there, or fix external_ids:ovn-remote");
	} else if (!v) {
		qnm_doc_finding(r, QNM_DOC_FAIL,
				"chassis %s is not registered in %s: ovn-controller does not run "
				"here or does not reach it",
				id, sb);
		qnm_doc_fix(r, "systemctl restart ovn-controller");
		qnm_doc_fix(r, "ovn-appctl -t ovn-controller connection-status");
	} else if (!n) {
		qnm_doc_finding(r, QNM_DOC_FAIL, "chassis %s has no encapsulation in %s", id, sb);
		qnm_doc_fix(r, "ovs-vsctl set open . external_ids:ovn-encap-type=geneve");
	} else {
		qnm_doc_finding(r, QNM_DOC_OK,
				"chassis %s is registered in %s with %zu "
				"encapsulation%s",
				id, sb, n, n == 1 ? "" : "s");
	}
}

/*
 * this host's ovn-controller runs and is connected to @sb: a chassis stays
 * registered after its ovn-controller is gone, and then no port is bound
 */
static void check_controller(const char *sb, struct qnm_doc_result *r)
{
	struct qnm_err err = { 0 };
	char status[64];
	pid_t pid;
	int e = qnm_ovn_controller_status(&pid, status, sizeof(status), &err);

	if (e == -ESRCH) {
		qnm_doc_finding(r, QNM_DOC_FAIL,
				"%s: no guest port on an ovn network is bound on this host",
				err.msg);
		qnm_doc_fix(r, "systemctl start ovn-controller");
	} else if (e) {
		qnm_doc_finding(r, QNM_DOC_WARN, "ovn-controller (pid %ld) does not answer: %s",
				(long)pid, err.msg);
		qnm_doc_fix(r, "ovn-appctl -t ovn-controller connection-status");
	} else if (strcmp(status, "connected") != 0) {
		qnm_doc_finding(r, QNM_DOC_FAIL,
				"ovn-controller (pid %ld) says '%s' about the southbound database "
				"%s: no guest port on an ovn network is bound on this host",
				(long)pid, status, sb[0] ? sb : "(none set)");
		qnm_doc_fix(r, "ovs-vsctl get open . external_ids:ovn-remote");
	} else {
		qnm_doc_finding(r, QNM_DOC_OK,
				"ovn-controller runs (pid %ld) and is connected to the southbound "
				"database",
				(long)pid);
	}
}

void qnm_ovn_doctor(const struct qnm_model *model, struct qnm_doc_result *r)
{
	char db[QNM_OVSDB_REMOTE_MAX + 16], sb[QNM_OVSDB_REMOTE_MAX + 16];
	const struct qnm_network *net = NULL;
	json_object *rows = NULL, *ext = NULL;
	struct qnm_err err = { 0 };
	struct qnm_ovsdb *c = NULL;
	const char *id;
	size_t i;
	bool ok;

	for (i = 0; !net && model && i < model->nnets; i++)
		if (model->nets[i]->mode == QNM_NET_OVN)
			net = model->nets[i];
	if (!net) {
		qnm_doc_finding(r, QNM_DOC_SKIP, "no ovn network (mode=ovn) is defined");
		return;
	}
	qnm_ovs_local_db(db, sizeof(db));
	if (ovs_ext(db, &rows, &ext, &err)) {
		qnm_doc_finding(r, QNM_DOC_FAIL,
				"Open vSwitch does not answer at %s (%s): ovn network %s cannot "
				"attach guests on this host",
				db, err.msg, net->name);
		qnm_doc_fix(r, "apt-get install openvswitch-switch ovn-host");
		qnm_doc_fix(r, "systemctl start openvswitch-switch ovn-controller");
		return;
	}
	qnm_doc_finding(r, QNM_DOC_OK, "Open vSwitch answers at %s", db);
	ok = need_key(ext, "system-id", "this host's chassis name", "$(hostname)", r);
	ok &= need_key(ext, "ovn-remote", "OVN's southbound database", "tcp:CENTRAL_IP:6642", r);
	ok &= need_key(ext, "ovn-encap-type", "the tunnel type", "geneve", r);
	ok &= need_key(ext, "ovn-encap-ip", "this host's tunnel address", "THIS_HOST_IP", r);
	id = qnm_ovsdb_map_get(ext, "system-id");
	first_remote(qnm_ovsdb_map_get(ext, "ovn-remote"), sb, sizeof(sb));
	if (qnm_ovsdb_connect(db, QNM_OVN_TIMEOUT_MS, &c, NULL) == 0) {
		json_object *br = NULL;

		if (qnm_ovsdb_select1(
			    c, "Open_vSwitch", "Bridge",
			    qnm_ovsdb_where("name", "==", json_object_new_string(net->bridge)), &br,
			    NULL) == 0 &&
		    json_object_array_length(br)) {
			qnm_doc_finding(r, QNM_DOC_OK, "the integration bridge %s exists",
					net->bridge);
		} else {
			qnm_doc_finding(r, QNM_DOC_FAIL,
					"the integration bridge %s does not exist (ovn-controller "
					"makes it)",
					net->bridge);
			qnm_doc_fix(r, "systemctl start ovn-controller");
		}
		json_object_put(br);
		qnm_ovsdb_close(c);
	}
	check_controller(sb, r);
	if (ok && id && sb[0])
		check_chassis(sb, id, r);
	json_object_put(rows);
	for (i = 0; i < model->nnets; i++) {
		net = model->nets[i];
		if (net->mode != QNM_NET_OVN)
			continue;
		qnm_err_clear(&err);
		if (qnm_ovsdb_connect(net->ovn_nb, QNM_OVN_TIMEOUT_MS, &c, &err)) {
			qnm_doc_finding(r, QNM_DOC_FAIL,
					"network %s: the OVN northbound database %s does not "
					"answer (%s)",
					net->name, net->ovn_nb, err.msg);
			qnm_doc_fix(r, "on the central host: ovn-nbctl set-connection ptcp:6641");
			continue;
		}
		qnm_ovsdb_close(c);
	}
}
