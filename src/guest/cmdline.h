/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline.h - the exact QEMU argv for a VM.
 *
 * Always an argv array, never a shell string; qnm_argv_to_shell() (util.h)
 * makes the copy-pasteable preview. Option values are escaped for QEMU's
 * option parser (',' doubled).
 */
#ifndef QNM_CMDLINE_H
#define QNM_CMDLINE_H

#include <stdbool.h>

#include "core/model.h"
#include "core/util.h"

/** enum qnm_nic_style - how NICs are written. */
enum qnm_nic_style {
	QNM_STYLE_NETDEV, /* -netdev TYPE,id=ID,... -device MODEL,netdev=ID,mac=... */
	QNM_STYLE_NIC,	  /* -nic TYPE,...,model=MODEL,mac=... where it can express the NIC */
};

/** enum qnm_kvm - what the host offers for accel=auto. */
enum qnm_kvm {
	QNM_KVM_PROBE, /* /dev/kvm opens and no cached probe says it runs no guest */
	QNM_KVM_YES,
	QNM_KVM_NO,
};

/**
 * struct qnm_cmdline_opts - how to render a VM.
 * @style:       NIC style.
 * @kvm:         how accel=auto resolves.
 * @qemu:        QEMU binary (NULL = "qemu-system-" + vm->arch).
 * @rundir:      the VM's runtime directory; when non-NULL the runtime
 *               arguments are added (QMP socket, pid file, serial console socket and log) and
 *               slirp sockets are placed there. NULL for a plain preview,
 *               where slirp sockets use "$XDG_RUNTIME_DIR/qnm/VM/" style
 *               placeholders from @slirp_dir.
 * @slirp_dir:   directory of slirp helper sockets when @rundir is NULL
 *               (NULL = "/run/user/UID/qnm/VM").
 * @cache_dir:   qnm's cache directory, where a KVM probe's answer is kept
 *               (guest/kvmprobe.h), or NULL.
 * @start_paused: add -S (QMP "cont" starts the guest; used to apply
 *               link-down NICs before the first instruction).
 * @model:       the model the VM is part of (its networks), or NULL.
 */
struct qnm_cmdline_opts {
	enum qnm_nic_style style;
	enum qnm_kvm kvm;
	const char *qemu;
	const char *rundir;
	const char *slirp_dir;
	const char *cache_dir;
	bool start_paused;
	const struct qnm_model *model;
};

/**
 * qnm_qemu_escape() - append @val to @sb with every ',' doubled, as QEMU's
 * option parser wants.
 */
void qnm_qemu_escape(struct qnm_strbuf *sb, const char *val);

/**
 * qnm_slirp_socket_path() - where the slirp helper of NIC @nic listens.
 * Return: new string, caller frees.
 */
char *qnm_slirp_socket_path(const struct qnm_vm *vm, const struct qnm_nic *nic,
			    const struct qnm_cmdline_opts *o);

/**
 * qnm_nic_args() - the arguments of one NIC ("-netdev", "...", "-device",
 * "..." or "-nic", "...") appended to @argv. A NIC that goes behind a port
 * (see core/nicslot.h) is always -netdev + -device with "bus=", preceded by
 * the port's own -device when it is the first NIC behind it.
 * Return: 0 or -EINVAL (@err names the field).
 */
int qnm_nic_args(const struct qnm_vm *vm, size_t index, const struct qnm_cmdline_opts *o,
		 struct qnm_strv *argv, struct qnm_err *err);

/**
 * qnm_vm_argv() - the whole QEMU argv of @vm (validated first).
 * @argv: initialised, empty strv; filled on success, left empty on error.
 * Return: 0 or -EINVAL (@err names the field).
 */
int qnm_vm_argv(const struct qnm_vm *vm, const struct qnm_cmdline_opts *o, struct qnm_strv *argv,
		struct qnm_err *err);

/**
 * qnm_kvm_usable() - accel=auto may use KVM: the device opens and is KVM,
 * and no probe cached in @cache_dir found that it runs no guest with @qemu
 * (nothing is run here: see qnm_kvm_probe()).
 */
bool qnm_kvm_usable(const char *qemu, const char *cache_dir);

#endif
