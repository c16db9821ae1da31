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
	/* the intent first: a kill after the port exists finds its record */
	rec = rec_path(rd, ifname);
	r = qnm_atomic_write(rec, db, strlen(db), 0600, err);
	if (r) {
		free(rec);
		return r;
	}
	r = qnm_ovs_port_add(db, h->bridge, ifname, lsp, err);
	if (!r) {
		h->ovn_port = true;
		r = qnm_links_new(false, &l, err);
		if (!r)
			r = qnm_links_set_up(l, ifname, true, err);
		qnm_links_free(l);
		if (r) {
			qnm_ovs_port_del(db, ifname, NULL);
			h->ovn_port = false;
		}
	}
	if (r)
		unlink(rec);
	free(rec);
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
