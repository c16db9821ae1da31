/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nicslot.h - where a VM's NICs plug in, and how many its machine holds.
 *
 * A PC machine's root PCI bus has 32 slots, of which QEMU's own devices take
 * a few: measured with QEMU 7.2, 29 NICs fit on q35 and 29 on pc, the 30th
 * fails at start ("PCI: no slot/function available"). So qnm lets QEMU place
 * the first QNM_NICS_DIRECT PCI NICs on the root bus (the command line those
 * VMs always had) and puts the later ones behind ports it adds, as libvirt
 * does: on q35 a virtio NIC gets a pcie-root-port of its own (eight root
 * ports as the functions of one multifunction slot) and the other models,
 * which need I/O ports, share pcie-pci-bridges of 31 NICs, each on a root
 * port (e1000e too: SeaBIOS halts "out of I/O address space" past about a
 * dozen root ports holding an I/O BAR); on pc pci-bridges of 31 NICs each.
 * The ports take the root bus's highest slots (q35 from 0x1e down, pc from
 * 0x1f down), so QEMU's automatic placement of the first NICs and of
 * devices in "extra" (lowest free slot first) never meets them. 64 NICs of
 * every PCI model of QEMU 7.2's catalog, and mixes of them, were measured
 * to start and to be enumerated by SeaBIOS this way.
 *
 * A machine without a PCI bus (isapc, microvm) holds no PCI NIC: such a
 * configuration is refused when it is made, not when the VM starts.
 * Machines qnm does not know (other targets, other machine types) are left
 * to QEMU, as before.
 */
#ifndef QNM_NICSLOT_H
#define QNM_NICSLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

/* PCI NICs QEMU places itself on the root bus; later ones go behind ports. */
#define QNM_NICS_DIRECT 16

/**
 * struct qnm_nic_place - where one NIC of a VM plugs in.
 * @bus:  id of the port or bridge the NIC sits behind ("qnm-rp0"); "" when
 *        QEMU places the NIC itself (nothing is added).
 * @dev:  -device arguments of the ports or bridges to create before this NIC
 *        (it is the first behind them), @ndev of them.
 * @ndev: 0, 1 or 2 (a q35 root port and the pcie-pci-bridge on it).
 */
struct qnm_nic_place {
	char bus[16];
	char dev[2][128];
	unsigned ndev;
};

/**
 * qnm_nic_place() - where NIC @index of @vm plugs in.
 * @vm:    the VM (its arch, machine and NIC models decide).
 * @index: the NIC, < @vm->nnics.
 * @p:     filled with the place.
 *
 * Pure: the same VM gives the same places. NICs before @index keep their
 * place when NICs are appended.
 */
void qnm_nic_place(const struct qnm_vm *vm, size_t index, struct qnm_nic_place *p);

/**
 * qnm_check_nic_slots() - refuse NICs @vm's machine cannot hold.
 * @vm:  the VM.
 * @err: filled on failure: field "nic[ID].model", message naming the
 *       machine, the model and the limit ("nic[n0].model: an isapc VM holds
 *       at most 0 PCI NICs (it has no PCI bus); e1000 is a PCI NIC").
 *
 * Called where a VM is saved (qnm_ctx_check_vm()) and started
 * (qnm_vm_argv()), not where a file is loaded: a VM written before this
 * rule still loads, and its start says why it cannot.
 *
 * Return: 0, or -EINVAL.
 */
int qnm_check_nic_slots(const struct qnm_vm *vm, struct qnm_err *err);

#endif
