/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mac.h - MAC addresses for guest NICs: generation and clash reports.
 *
 * Why qnm insists on a MAC per NIC: a NIC started without "mac=" gets
 * QEMU's default 52:54:00:12:34:56 (the next NIC of the same guest :57,
 * and so on). Every guest started that way has the same address, so two
 * guests on one bridge (or one tap network) fight over it: the bridge's
 * forwarding table flips between their ports, ARP answers go to the wrong
 * guest and connections stall. User-mode (SLIRP) guests are private to
 * their QEMU and do not notice, which is why the problem first shows up
 * when a user moves to bridged networking.
 *
 * qnm therefore gives every NIC without a MAC a random locally
 * administered unicast address (first octet xxxxxx10: bit 1 set, bit 0
 * clear), never one already used by another NIC in the model and never
 * one of QEMU's defaults 52:54:00:12:34:xx, and it reports every pair of
 * NICs that share a MAC.
 */
#ifndef QNM_MAC_H
#define QNM_MAC_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/util.h"

/**
 * struct qnm_mac_rng - where random bytes come from.
 * @fill: put @n random bytes into @buf; Return: 0 or -errno.
 * @data: passed to @fill.
 *
 * qnm uses getrandom(2) (pass NULL where a struct qnm_mac_rng is asked
 * for); tests pass their own to prove that clashes are avoided.
 */
struct qnm_mac_rng {
	int (*fill)(void *buf, size_t n, void *data);
	void *data;
};

/**
 * qnm_mac_random() - a random locally administered unicast MAC.
 * @rng: random source, or NULL for getrandom(2).
 * @out: the six octets.
 * Return: 0, or -errno from the random source.
 */
int qnm_mac_random(const struct qnm_mac_rng *rng, uint8_t out[6]);

/**
 * qnm_mac_format() - "xx:xx:xx:xx:xx:xx" in lower case.
 * @buf: at least QNM_MAC_LEN bytes.
 */
void qnm_mac_format(const uint8_t mac[6], char *buf);

/**
 * qnm_model_assign_macs() - give every NIC of @vm whose mac is "" a new
 * MAC, unique across all NICs of all VMs in @model, of @vm itself, and
 * the ones assigned in this call.
 * @model:     every configured VM (@vm may be one of them, or a copy
 *             being edited, or a new VM not in @model yet).
 * @vm:        the VM whose NICs get MACs.
 * @rng:       random source, or NULL for getrandom(2).
 * @nassigned: how many NICs got a MAC (may be NULL).
 * @err:       filled on failure.
 *
 * NICs that already have a MAC are left alone, even when it clashes (see
 * qnm_mac_clashes() to report that). On failure no NIC is changed.
 *
 * Return: 0, -EAGAIN when no unused MAC came out of 64 draws for one NIC
 * (a broken random source), or -errno from the random source.
 */
int qnm_model_assign_macs(const struct qnm_model *model, struct qnm_vm *vm,
			  const struct qnm_mac_rng *rng, size_t *nassigned, struct qnm_err *err);

/**
 * struct qnm_mac_clash - two NICs with the same MAC.
 * @mac:   the MAC, lower case.
 * @vm_a:  name of the first VM (in model order).
 * @nic_a: id of its NIC.
 * @vm_b:  name of the second VM (may equal @vm_a: two NICs of one VM).
 * @nic_b: id of its NIC.
 */
struct qnm_mac_clash {
	char mac[QNM_MAC_LEN];
	char vm_a[QNM_NAME_MAX + 1];
	char nic_a[QNM_NAME_MAX + 1];
	char vm_b[QNM_NAME_MAX + 1];
	char nic_b[QNM_NAME_MAX + 1];
};

/**
 * qnm_mac_clashes() - every pair of NICs in @model sharing a MAC
 * (compared as octets: case does not matter). Three NICs with one MAC
 * give three pairs. NICs without a MAC and malformed MACs are ignored.
 * @model: the VMs.
 * @out:   the pairs, ordered by MAC, then model order (caller frees with
 *         free()); NULL when there are none.
 * @n:     how many.
 */
void qnm_mac_clashes(const struct qnm_model *model, struct qnm_mac_clash **out, size_t *n);

/**
 * qnm_mac_clash_text() - "MAC 52:54:00:12:34:56 is used by both VM 'a'
 * NIC 'n0' and VM 'b' NIC 'n1'" for a report.
 * Return: new string, caller frees.
 */
char *qnm_mac_clash_text(const struct qnm_mac_clash *c);

#endif
