// SPDX-License-Identifier: GPL-2.0-or-later
/* nicslot.c - where a VM's NICs plug in (root bus, root ports, bridges) and the machine's limits. */
#include "build-config.h"

#include "core/nicslot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* First chassis number of qnm's ports: far from the 1, 2, ... of hand-written ones. */
#define CHASSIS_BASE 128

/* What a place callback remembers while it walks a VM's NICs in order. */
struct walk {
	unsigned ports;	    /* ports or bridges added so far */
	unsigned bridge;    /* port number of the bridge being filled */
	unsigned in_bridge; /* NICs on it (0: none open) */
};

/**
 * struct machine_layout - how one family of machines holds NICs.
 * @family:     its name in messages ("q35").
 * @name:       the machine's short name.
 * @prefix:     prefix of its versioned names ("pc-q35-"), or NULL.
 * @is_default: QEMU runs it when no machine is given (x86 targets).
 * @max_pci:    PCI NICs it holds.
 * @why:        why @max_pci, for the message ("" when the count says it all).
 * @place:      places the next PCI NIC after the first QNM_NICS_DIRECT (@p
 *              is zeroed; fill bus and the devices to add), or NULL when
 *              QEMU places every NIC itself.
 */
struct machine_layout {
	const char *family;
	const char *name;
	const char *prefix;
	bool is_default;
	unsigned max_pci;
	const char *why;
	void (*place)(const struct qnm_nic *nic, struct walk *w, struct qnm_nic_place *p);
};

/* NICs on one bridge: a pci-bridge measured holding 32; 31 leaves its slot 0 alone. */
#define BRIDGE_NICS 31

static void add_dev(struct qnm_nic_place *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_dev(struct qnm_nic_place *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->dev[p->ndev++], sizeof(p->dev[0]), fmt, ap);
	va_end(ap);
}

/* q35: pcie-root-port @n, eight per slot, as the functions of slots 0x1e, 0x1d, ... */
static void q35_root_port(struct qnm_nic_place *p, unsigned n)
{
	unsigned fn = n % 8;

	add_dev(p, "pcie-root-port,id=qnm-rp%u,bus=pcie.0,chassis=%u,addr=0x%x.0x%x%s", n,
		CHASSIS_BASE + n, 0x1e - n / 8, fn, fn ? "" : ",multifunction=on");
}

/*
 * Models that are PCI Express devices without I/O ports when on a PCIe bus
 * (virtio in modern mode): one root port each. Every other model (e1000,
 * rtl8139, ... and e1000e, whose I/O BAR needs a 4 KiB I/O window per root
 * port: SeaBIOS ran out of I/O space at the 13th and halted) goes on a
 * pcie-pci-bridge behind a root port, 31 per bridge, one I/O window for all.
 */
static const char *const pcie_native[] = { "virtio-net-pci", "virtio-net",
					   "virtio-net-pci-non-transitional" };

/* @model is one of the @n names of @v. */
static bool model_in(const char *model, const char *const *v, size_t n)
{
	while (n--)
		if (strcmp(model, v[n]) == 0)
			return true;
	return false;
}

static bool is_pcie_native(const struct qnm_nic *nic)
{
	return model_in(nic->model, pcie_native, sizeof(pcie_native) / sizeof(pcie_native[0]));
}

static void q35_place(const struct qnm_nic *nic, struct walk *w, struct qnm_nic_place *p)
{
	if (is_pcie_native(nic)) {
		q35_root_port(p, w->ports);
		snprintf(p->bus, sizeof(p->bus), "qnm-rp%u", w->ports++);
		return;
	}
	if (!w->in_bridge || w->in_bridge == BRIDGE_NICS) {
		w->bridge = w->ports++;
		w->in_bridge = 0;
		q35_root_port(p, w->bridge);
		add_dev(p, "pcie-pci-bridge,id=qnm-pb%u,bus=qnm-rp%u", w->bridge, w->bridge);
	}
	w->in_bridge++;
	snprintf(p->bus, sizeof(p->bus), "qnm-pb%u", w->bridge);
}

/* pc (i440fx): pci-bridges in slots 0x1f, 0x1e, ...; QEMU places the NICs on them. */
static void pc_place(const struct qnm_nic *nic, struct walk *w, struct qnm_nic_place *p)
{
	(void)nic;
	if (!w->in_bridge || w->in_bridge == BRIDGE_NICS) {
		w->bridge = w->ports++;
		w->in_bridge = 0;
		add_dev(p, "pci-bridge,id=qnm-br%u,bus=pci.0,chassis_nr=%u,addr=0x%x", w->bridge,
			CHASSIS_BASE + w->bridge, 0x1f - w->bridge);
	}
	w->in_bridge++;
	snprintf(p->bus, sizeof(p->bus), "qnm-br%u", w->bridge);
}

static const struct machine_layout layouts[] = {
	{ "q35", "q35", "pc-q35-", false, QNM_NICS_MAX, "", q35_place },
	{ "pc", "pc", "pc-i440fx-", true, QNM_NICS_MAX, "", pc_place },
	{ "isapc", "isapc", NULL, false, 0, " (it has no PCI bus)", NULL },
	{ "microvm", "microvm", NULL, false, 0, " (it has no PCI bus)", NULL },
};

/* Models that are not PCI devices: they take no PCI slot. */
static const char *const not_pci[] = { "ne2k_isa", "usb-net", "virtio-net-device" };

static bool machine_is(const struct machine_layout *l, const char *machine)
{
	if (!machine[0])
		return l->is_default;
	return strcmp(machine, l->name) == 0 ||
	       (l->prefix && strncmp(machine, l->prefix, strlen(l->prefix)) == 0);
}

static const struct machine_layout *layout_of(const struct qnm_vm *vm)
{
	size_t i;

	if (strcmp(vm->arch, "x86_64") != 0 && strcmp(vm->arch, "i386") != 0)
		return NULL;
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (machine_is(&layouts[i], vm->machine))
			return &layouts[i];
	return NULL;
}

static bool is_pci(const struct qnm_nic *nic)
{
	return !model_in(nic->model, not_pci, sizeof(not_pci) / sizeof(not_pci[0]));
}

void qnm_nic_place(const struct qnm_vm *vm, size_t index, struct qnm_nic_place *p)
{
	const struct machine_layout *l = layout_of(vm);
	struct walk w = { 0 };
	size_t i, k = 0;

	memset(p, 0, sizeof(*p));
	if (!l || !l->place || !is_pci(&vm->nics[index]))
		return;
	/* Walk the NICs before @index: the ports they opened decide this one's. */
	for (i = 0; i <= index; i++) {
		if (!is_pci(&vm->nics[i]) || k++ < QNM_NICS_DIRECT)
			continue;
		memset(p, 0, sizeof(*p));
		l->place(&vm->nics[i], &w, p);
	}
}

int qnm_check_nic_slots(const struct qnm_vm *vm, struct qnm_err *err)
{
	const struct machine_layout *l = layout_of(vm);
	unsigned k = 0;
	size_t i;

	if (!l)
		return 0;
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *nic = &vm->nics[i];
		char field[64];

		if (!is_pci(nic) || ++k <= l->max_pci)
			continue;
		snprintf(field, sizeof(field), "nic[%s].model", nic->id);
		return qnm_err_set(err, -EINVAL, field,
				   "%s: a%s %s VM holds at most %u PCI NICs%s; %s is a PCI NIC",
				   field, strchr("aeiou", l->family[0]) ? "n" : "", l->family,
				   l->max_pci, l->why, nic->model);
	}
	return 0;
}
