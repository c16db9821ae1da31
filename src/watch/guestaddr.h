/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guestaddr.h - the addresses a running guest uses on each of its NICs, as
 * the host side knows them, with where each fact came from. qnm never asks
 * the guest; it reads what the NIC's host side saw:
 *
 *   - NICs on a qnm network (its dnsmasq): the network's DHCP lease of the
 *     NIC's MAC (lease file in qnm's runtime dir, read only when that dir
 *     and file are qnm's own), plus the host's neighbour table;
 *   - slirp NICs: the slirp helper's ARP/NDP table (its "neigh" request):
 *     the addresses the guest used on the wire;
 *   - user NICs (QEMU's built-in slirp): QEMU's "info usernet" over QMP:
 *     the guest's address of the connections it opened (QEMU shows no
 *     lease), asked at most every QNM_GUESTADDR_QMP_MS per VM;
 *   - every NIC with a host-side link (TAPs, bridge-helper TAPs): the
 *     kernel's neighbour table (ARP/NDP) entries of the NIC's MAC, and
 *     for a bridge-helper NIC the bridge port where the bridge's FDB
 *     learned the MAC (the TAP qemu-bridge-helper made).
 *
 * Where no source knows, the NIC's entry has no address and says why.
 *
 * Cost: one refresh reads one neighbour dump, the lease files of the
 * networks with running NICs, one helper request per running slirp NIC
 * and (every QNM_GUESTADDR_QMP_MS) one QMP round trip per VM with user
 * NICs; qnm_guestaddr_refresh() does nothing when the last refresh is
 * younger than QNM_GUESTADDR_TTL_MS, so a UI may call it every frame.
 */
#ifndef QNM_GUESTADDR_H
#define QNM_GUESTADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/util.h"
#include "host/neigh.h"

/* A refresh younger than this is reused, in ms. */
#define QNM_GUESTADDR_TTL_MS 1000
/* QEMU's "info usernet" is asked at most this often per VM, in ms. */
#define QNM_GUESTADDR_QMP_MS 5000
/* Addresses kept per family and NIC. */
#define QNM_GUESTADDR_MAX 4

/**
 * struct qnm_nic_addrs - what the host knows of one running NIC's guest
 * side.
 * @vm, @nic:   the VM and NIC id.
 * @mac:        the NIC's MAC.
 * @v4, @n4:    IPv4 addresses (dotted), @n4 of them.
 * @v6, @n6:    IPv6 addresses, @n6 of them (link-local ones included).
 * @gateway:    the gateway the guest is given (by qnm's dnsmasq or
 *              libslirp's DHCP), "" when qnm does not know one.
 * @gw_source:  where @gateway comes from ("network lan (dnsmasq)",
 *              "user net 10.0.2.0/24").
 * @source:     where the addresses come from ("dnsmasq lease on lan",
 *              "slirp helper ARP/NDP", "QEMU info usernet", "neighbours
 *              on qnmbr0"; several joined by ", "), "" when none.
 * @why:        when no address is known: why (one sentence).
 * @tap:        for a NIC whose TAP qnm did not name (bridge helper): the
 *              bridge port where the bridge's FDB saw @mac, "" if unseen.
 */
struct qnm_nic_addrs {
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	char mac[QNM_MAC_LEN];
	char v4[QNM_GUESTADDR_MAX][QNM_IPV4_LEN];
	size_t n4;
	char v6[QNM_GUESTADDR_MAX][QNM_NEIGH_ADDR_LEN];
	size_t n6;
	char gateway[QNM_NEIGH_ADDR_LEN];
	char gw_source[64];
	char source[96];
	char why[160];
	char tap[QNM_IFNAME_MAX + 1];
};

/**
 * struct qnm_guestaddr - the cache of every running NIC's addresses.
 * @v, @n:      the entries of the last refresh (running VMs' NICs, in
 *              model order); valid until the next refresh.
 * @refreshes:  how many refreshes really read the sources.
 * @qmp_calls:  how many QMP round trips they made.
 * Other members are private to guestaddr.c.
 */
struct qnm_guestaddr {
	struct qnm_nic_addrs *v;
	size_t n;
	unsigned long refreshes;
	unsigned long qmp_calls;

	/* private */
	char *runtime_dir;
	int64_t at_ms;
	bool have;
	struct qnm_guestaddr_qmp *qmp;
	size_t nqmp;
};

/**
 * qnm_guestaddr_new() - an empty cache for the VMs of @runtime_dir.
 * Return: the cache (never NULL); free with qnm_guestaddr_free().
 */
struct qnm_guestaddr *qnm_guestaddr_new(const char *runtime_dir);

/** qnm_guestaddr_free() - free @g (NULL is fine). */
void qnm_guestaddr_free(struct qnm_guestaddr *g);

/**
 * qnm_guestaddr_refresh() - read the sources again for the running VMs of
 * @model, unless the last refresh is younger than QNM_GUESTADDR_TTL_MS and
 * @force is false.
 * @err: why the neighbour table could not be read (the entries are still
 *       filled from the other sources).
 * Needs no privilege. Return: 0, or -errno of the neighbour dump.
 */
int qnm_guestaddr_refresh(struct qnm_guestaddr *g, const struct qnm_model *model, bool force,
			  struct qnm_err *err);

/** qnm_guestaddr_find() - the entry of @vm / @nic, or NULL (not running). */
const struct qnm_nic_addrs *qnm_guestaddr_find(const struct qnm_guestaddr *g, const char *vm,
					       const char *nic);

/**
 * qnm_nic_addrs_text() - the addresses of @a as one line for lists:
 * "10.0.2.15" (the first IPv4 and "+N" for more), "fe80::1" when only
 * IPv6 is known, "unknown" when nothing is.
 * Return: @buf.
 */
const char *qnm_nic_addrs_text(const struct qnm_nic_addrs *a, char *buf, size_t size);

/**
 * qnm_slirp_neigh_parse() - the addresses of @mac in libslirp's neighbour
 * table @text ("  ARP  MAC  IPV4" / "  NDP  MAC  IPV6" rows, a header).
 * Fills @a's v4/v6 lists (appending, without duplicates).
 * Return: how many addresses were added.
 */
size_t qnm_slirp_neigh_parse(const char *text, const char *mac, struct qnm_nic_addrs *a);

#endif
