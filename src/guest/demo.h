/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * demo.h - a tiny bootable guest built from the host's Debian packages.
 *
 * The image is two files in a directory (qnm's data dir "demo/" for
 * `qnm demo`, a shared cache dir for the tests):
 *   vmlinux    the uncompressed kernel of linux-image-amd64 (PVH entry, so
 *              QEMU boots it directly: ~2.6 s faster than the bzImage);
 *   initrd.gz  busybox-static, the NIC driver modules (e1000, 8139cp,
 *              virtio_net, ...), qemu_fw_cfg and an /init that runs a
 *              script and powers off.
 *
 * The guest's /init mounts proc/sys/devtmpfs, loads the drivers, starts
 * acpid (so system_powerdown works), then runs the script found in fw_cfg
 * "opt/qnm/script" (QEMU: -fw_cfg name=opt/qnm/script,file=F) or, without
 * one, the demo script (DHCP on eth0, busybox httpd on port 80, a
 * banner of what to try, then a busybox shell on the serial console, again
 * after each exit). Markers on the serial console:
 *   "QNM-GUEST-UP"              drivers loaded, script about to run
 *   "QNM-SCRIPT-END rc=N"       the script returned N
 * after which the guest powers off. Scripts may source /etc/qnm/lib.sh for
 * qnm_dhcp IFACE (wait for carrier, udhcpc; prints "qnm-guest: IFACE got
 * ADDR/PREFIX ...").
 *
 * Building is done once: a stamp file records the kernel version and the
 * image layout version, and a lock (flock on DIR/.lock) lets parallel
 * callers share one build. External programs are run with argv arrays
 * (never a shell): xz/zstd/gzip to unpack the kernel and compress the
 * initrd.
 */
#ifndef QNM_DEMO_H
#define QNM_DEMO_H

#include <stdbool.h>

#include <stdint.h>

#include "core/backend.h"
#include "core/model.h"
#include "core/util.h"

/**
 * struct qnm_demo_src - where the host's parts are (NULL = the default).
 * @boot_dir:    directory with vmlinuz-VER ("/boot").
 * @modules_dir: directory with VER/modules.dep ("/lib/modules").
 * @busybox:     a statically linked busybox ("/bin/busybox").
 * @kver:        kernel version to use (NULL: the running kernel when it is
 *               installed, else the newest /boot/vmlinuz-* with modules).
 */
struct qnm_demo_src {
	const char *boot_dir;
	const char *modules_dir;
	const char *busybox;
	const char *kver;
};

/**
 * struct qnm_demo_image - a built image (all strings owned).
 * @dir:    the directory it lives in.
 * @kernel: @dir/vmlinux.
 * @initrd: @dir/initrd.gz.
 * @kver:   kernel version it was built from.
 * @built:  true when this call built it, false when it was already there.
 */
struct qnm_demo_image {
	char *dir;
	char *kernel;
	char *initrd;
	char *kver;
	bool built;
};

/**
 * qnm_demo_build() - make sure a tiny guest image exists in @dir.
 * @dir: target directory (created 0755 with parents when missing).
 * @src: where the host's parts are, or NULL for the defaults.
 * @out: filled on success; release with qnm_demo_image_clear().
 * @err: on failure, says what is missing, naming the Debian package to
 *       install (linux-image-amd64, busybox-static, xz-utils).
 *
 * Safe to call from parallel processes: one builds, the others wait on the
 * lock and then use the result.
 * Return: 0 or -errno.
 */
int qnm_demo_build(const char *dir, const struct qnm_demo_src *src, struct qnm_demo_image *out,
		   struct qnm_err *err);

/** qnm_demo_image_clear() - free what @img owns. */
void qnm_demo_image_clear(struct qnm_demo_image *img);

/**
 * qnm_demo_append() - the kernel command line the image is meant to boot
 * with (serial console on ttyS0, quiet). Static string.
 */
const char *qnm_demo_append(void);

/**
 * qnm_demo_free_port() - the first TCP port from 8080 up (to 8179) that is
 * free on 127.0.0.1, for the demo's web forward; 8180 when none is.
 */
unsigned qnm_demo_free_port(void);

/**
 * qnm_demo_vm() - the demo VM: Linux + busybox from @img, 256 MiB, TCG, one
 * virtio NIC on user-mode networking (@backend: &qnm_backend_user for
 * QEMU's own, &qnm_backend_slirp for qnm's helper with live counters: a
 * backend with host forwards), and host 127.0.0.1:@port forwarded to the
 * guest's web server on port 80.
 * @name: the VM's name.
 * Return: a new VM (no MAC yet); free with qnm_vm_free().
 */
struct qnm_vm *qnm_demo_vm(const char *name, const struct qnm_demo_image *img, uint16_t port,
			   const struct qnm_backend_ops *backend);

#endif
