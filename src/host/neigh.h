/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * neigh.h - the kernel's neighbour tables (ARP, NDP) and the bridges'
 * forwarding databases (FDB), read in one netlink dump (libnl-route-3), to
 * tell which addresses and which bridge port a guest's MAC is seen at.
 */
#ifndef QNM_NEIGH_H
#define QNM_NEIGH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

/* Longest text of an address (IPv6), with its '\0'. */
#define QNM_NEIGH_ADDR_LEN 46

/**
 * struct qnm_neigh - one neighbour (family AF_INET or AF_INET6) or one FDB
 * entry (family AF_BRIDGE).
 * @family:  AF_INET, AF_INET6 or AF_BRIDGE.
 * @ifindex: the device the entry is on: for a neighbour the interface the
 *           host reaches it through (a bridge for guests on a bridge); for
 *           an FDB entry the bridge port.
 * @master:  for an FDB entry the bridge (0 when the kernel does not say).
 * @addr:    the neighbour's IP address ("" for FDB entries).
 * @mac:     the MAC address, lower case "52:54:00:..".
 * @state:   the NUD state (NUD_REACHABLE, NUD_STALE, NUD_PERMANENT...).
 * @local:   an FDB entry for an address of the port itself (permanent).
 */
struct qnm_neigh {
	int family;
	int ifindex;
	int master;
	char addr[QNM_NEIGH_ADDR_LEN];
	char mac[18];
	int state;
	bool local;
};

/**
 * qnm_neigh_dump() - read every neighbour and FDB entry of this network
 * namespace. Neighbours whose state says the address is not there
 * (incomplete, failed, noarp) are left out.
 * @out: set to a new array (free()), @n entries.
 * @err: why netlink could not be read.
 * Needs no privilege. Return: 0 or -errno.
 */
int qnm_neigh_dump(struct qnm_neigh **out, size_t *n, struct qnm_err *err);

/**
 * qnm_neigh_fdb_port() - the bridge port at which bridge @master (ifindex)
 * learned @mac (any case), from the entries of qnm_neigh_dump().
 * Return: the port's ifindex, or 0 when the bridge has not seen @mac.
 */
int qnm_neigh_fdb_port(const struct qnm_neigh *v, size_t n, int master, const char *mac);

#endif
