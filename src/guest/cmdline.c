// SPDX-License-Identifier: GPL-2.0-or-later
/* cmdline.c - the exact QEMU argv of a VM, in -netdev/-device or -nic style. */
#include "build-config.h"

#include "guest/cmdline.h"
#include "guest/rundir.h"

#include "core/backend.h"
#include "core/nicslot.h"
#include "core/validate.h"
#include "guest/kvmprobe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void qnm_qemu_escape(struct qnm_strbuf *sb, const char *val)
{
	for (; *val; val++) {
		if (*val == ',')
			qnm_sb_addc(sb, ',');
		qnm_sb_addc(sb, *val);
	}
}

bool qnm_kvm_usable(const char *qemu, const char *cache_dir)
{
	struct qnm_kvm_probe p;

	if (!qnm_kvm_probe_cached(qemu, cache_dir, &p))
		return p.verdict != QNM_KVM_NO_DEVICE; /* no probe yet: the device decides */
	return p.verdict == QNM_KVM_RUNS;
}

char *qnm_slirp_socket_path(const struct qnm_vm *vm, const struct qnm_nic *nic,
			    const struct qnm_cmdline_opts *o)
{
	if (o && o->rundir)
		return xasprintf("%s/slirp-%s.sock", o->rundir, nic->id);
	if (o && o->slirp_dir)
		return xasprintf("%s/slirp-%s.sock", o->slirp_dir, nic->id);
	return xasprintf("/run/user/%u/qnm/%s/slirp-%s.sock", (unsigned)getuid(), vm->name,
			 nic->id);
}

int qnm_nic_args(const struct qnm_vm *vm, size_t index, const struct qnm_cmdline_opts *o,
		 struct qnm_strv *argv, struct qnm_err *err)
{
	const struct qnm_nic *nic = &vm->nics[index];
	const struct qnm_backend_ops *be = qnm_backend_get(nic->backend);
	struct qnm_nic_place place;
	struct qnm_strbuf opts, sb;
	int r;

	if (!be)
		return qnm_err_set(err, -EINVAL, "backend", "nic[%s].backend: unknown backend",
				   nic->id);
	qnm_sb_init(&opts);
	r = be->netdev_opts(vm, nic, o, &opts, err);
	if (r) {
		qnm_sb_free(&opts);
		return r;
	}
	qnm_nic_place(vm, index, &place);
	for (unsigned d = 0; d < place.ndev; d++) {
		qnm_strv_add(argv, "-device");
		qnm_strv_add(argv, place.dev[d]);
	}
	qnm_sb_init(&sb);
	/*
	 * -nic cannot say which bus nor carry device properties: a NIC behind
	 * a port or with props is always -netdev + -device.
	 */
	if (o->style == QNM_STYLE_NIC && be->nic_form_ok(nic) && !place.bus[0] && !nic->props[0]) {
		qnm_sb_add(&sb, be->netdev_type);
		qnm_sb_add(&sb, opts.s);
		qnm_sb_add(&sb, ",model=");
		qnm_qemu_escape(&sb, nic->model);
		if (nic->mac[0]) {
			qnm_sb_add(&sb, ",mac=");
			qnm_sb_add(&sb, nic->mac);
		}
		qnm_strv_add(argv, "-nic");
		qnm_strv_take(argv, qnm_sb_steal(&sb));
	} else {
		qnm_sb_add(&sb, be->netdev_type);
		qnm_sb_add(&sb, ",id=");
		qnm_qemu_escape(&sb, nic->id);
		qnm_sb_add(&sb, opts.s);
		qnm_strv_add(argv, "-netdev");
		qnm_strv_take(argv, qnm_sb_steal(&sb));
		qnm_sb_init(&sb);
		qnm_qemu_escape(&sb, nic->model);
		qnm_sb_add(&sb, ",netdev=");
		qnm_qemu_escape(&sb, nic->id);
		if (nic->mac[0]) {
			qnm_sb_add(&sb, ",mac=");
			qnm_sb_add(&sb, nic->mac);
		}
		if (place.bus[0]) {
			qnm_sb_add(&sb, ",bus=");
			qnm_sb_add(&sb, place.bus);
		}
		if (nic->props[0]) { /* qnm_check_props(): no commas inside values */
			qnm_sb_addc(&sb, ',');
			qnm_sb_add(&sb, nic->props);
		}
		qnm_strv_add(argv, "-device");
		qnm_strv_take(argv, qnm_sb_steal(&sb));
	}
	qnm_sb_free(&opts);
	return 0;
}

static void add_kv(struct qnm_strv *argv, const char *opt, const char *prefix, const char *val,
		   const char *suffix)
{
	struct qnm_strbuf sb;

	qnm_sb_init(&sb);
	qnm_sb_add(&sb, prefix);
	qnm_qemu_escape(&sb, val);
	qnm_sb_add(&sb, suffix);
	qnm_strv_add(argv, opt);
	qnm_strv_take(argv, qnm_sb_steal(&sb));
}

int qnm_vm_argv(const struct qnm_vm *vm, const struct qnm_cmdline_opts *o, struct qnm_strv *argv,
		struct qnm_err *err)
{
	struct qnm_strbuf sb;
	bool kvm;
	size_t i;
	int r;

	r = qnm_check_vm(vm, err);
	if (!r)
		r = qnm_check_nic_slots(vm, err);
	if (r)
		return r;
	if (o->qemu)
		qnm_strv_add(argv, o->qemu);
	else
		qnm_strv_addf(argv, "qemu-system-%s", vm->arch);
	add_kv(argv, "-name", "", vm->name, "");
	if (vm->machine[0])
		add_kv(argv, "-machine", "", vm->machine, "");
	switch (vm->accel) {
	case QNM_ACCEL_KVM:
		kvm = true;
		break;
	case QNM_ACCEL_TCG:
		kvm = false;
		break;
	default:
		kvm = o->kvm == QNM_KVM_YES ||
		      (o->kvm == QNM_KVM_PROBE && qnm_kvm_usable(argv->v[0], o->cache_dir));
		break;
	}
	qnm_strv_add(argv, "-accel");
	/*
	 * No "-cpu host" with KVM: on hosts whose KVM cannot set every MSR of
	 * the host CPU (seen here: "failed to set MSR 0x10a"), QEMU aborts.
	 * QEMU's default CPU model works everywhere; "extra" can ask for more.
	 */
	qnm_strv_add(argv, kvm ? "kvm" : "tcg");
	qnm_strv_add(argv, "-m");
	qnm_strv_addf(argv, "%u", vm->memory_mb);
	qnm_strv_add(argv, "-smp");
	qnm_strv_addf(argv, "%u", vm->cpus);
	switch (vm->boot) {
	case QNM_BOOT_DISK:
		add_kv(argv, "-drive", "file=", vm->disk, ",media=disk");
		break;
	case QNM_BOOT_CDROM:
		if (!qnm_str_empty(vm->disk))
			add_kv(argv, "-drive", "file=", vm->disk, ",media=disk");
		add_kv(argv, "-drive", "file=", vm->cdrom, ",media=cdrom");
		qnm_strv_add(argv, "-boot");
		qnm_strv_add(argv, "d");
		break;
	case QNM_BOOT_KERNEL:
		qnm_strv_add(argv, "-kernel");
		qnm_strv_add(argv, vm->kernel);
		if (!qnm_str_empty(vm->initrd)) {
			qnm_strv_add(argv, "-initrd");
			qnm_strv_add(argv, vm->initrd);
		}
		if (!qnm_str_empty(vm->append)) {
			qnm_strv_add(argv, "-append");
			qnm_strv_add(argv, vm->append);
		}
		break;
	case QNM_BOOT_NONE:
		break;
	}
	if (!vm->nnics) {
		qnm_strv_add(argv, "-nic");
		qnm_strv_add(argv, "none");
	}
	for (i = 0; i < vm->nnics; i++) {
		r = qnm_nic_args(vm, i, o, argv, err);
		if (r) {
			qnm_strv_free(argv);
			qnm_strv_init(argv);
			return r;
		}
	}
	qnm_strv_add(argv, "-display");
	qnm_strv_add(argv, "none");
	if (o->rundir) {
		add_kv(argv, "-qmp", "unix:", o->rundir, "/qmp.sock,server=on,wait=off");
		qnm_strv_add(argv, "-pidfile");
		qnm_strv_addf(argv, "%s/qemu.pid", o->rundir);
		/*
		 * The serial port on a pty qnm's console opens (one client at a
		 * time; the start records its path in console.pty, see
		 * rundir.h), everything the guest prints kept in serial.log
		 * whether or not a client is attached. logappend=on: QEMU
		 * writes at the end whatever the file's size, so the supervisor
		 * may truncate it (at start, and when it rotates it beyond the
		 * VM's log-max).
		 */
		qnm_sb_init(&sb);
		qnm_sb_add(&sb, "pty,id=" QNM_SERIAL_CHARDEV ",logfile=");
		qnm_qemu_escape(&sb, o->rundir);
		qnm_sb_add(&sb, "/serial.log,logappend=on");
		qnm_strv_add(argv, "-chardev");
		qnm_strv_take(argv, qnm_sb_steal(&sb));
		qnm_strv_add(argv, "-serial");
		qnm_strv_add(argv, "chardev:" QNM_SERIAL_CHARDEV);
	}
	if (o->start_paused)
		qnm_strv_add(argv, "-S");
	for (i = 0; i < vm->nextra; i++)
		qnm_strv_add(argv, vm->extra[i]);
	return 0;
}
