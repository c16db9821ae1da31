/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwdpath.h - can a DNAT forward of a network carry traffic right now?
 *
 * A forward in table inet qnm's maps is only half of it: the network's
 * bridge must exist and be up, and a forward on 127.0.0.1 (reached by the
 * host's own connections, DNAT'ed in the output hook) also needs
 *   - net.ipv4.conf.BRIDGE.route_localnet = 1 (else the kernel refuses to
 *     route a packet with source 127.0.0.1 out of the bridge),
 *   - the "localnet BRIDGE" masquerade in table inet qnm (nft.h).
 * "qnm net up NETWORK" puts each of them back. The Ports screen, "qnm
 * ports", "qnm forward list" and the doctor ask here before calling a
 * forward live.
 */
#ifndef QNM_FWDPATH_H
#define QNM_FWDPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

struct qnm_links;

/**
 * struct qnm_fwdpath - what the checks read, each once per use.
 * @links:        rtnetlink, opened on the first check (NULL until then).
 * @links_ret:    0, or the -errno of opening it.
 * @localnet_ret: 1 before the table was read, then 0 or the -errno of reading it.
 * @localnet:     the bridges whose localnet masquerade is in table inet qnm.
 */
struct qnm_fwdpath {
	struct qnm_links *links;
	int links_ret;
	int localnet_ret;
	struct qnm_strv localnet;
};

/** qnm_fwdpath_init() - an empty @p (nothing read yet). */
void qnm_fwdpath_init(struct qnm_fwdpath *p);

/** qnm_fwdpath_clear() - free what @p read. */
void qnm_fwdpath_clear(struct qnm_fwdpath *p);

/**
 * qnm_fwdpath_check() - whether DNAT forward @f of network @net, already in
 * the live table, can carry traffic now.
 * @p:    the reads, shared between checks.
 * @net:  the forward's network.
 * @f:    the forward.
 * @why:  when it cannot: what is missing and how to put it back (at least
 *        256 bytes); "" otherwise.
 * Return: true when nothing the forward needs is missing (also when it
 * cannot be told: a check that cannot read says nothing).
 */
bool qnm_fwdpath_check(struct qnm_fwdpath *p, const struct qnm_network *net,
		       const struct qnm_fwd *f, char *why, size_t size);

#endif
