/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * demo.h - the engine API for the demo guest (qnm demo, the UI's D key): a
 * tiny Linux built once from the host's kernel and busybox, and the VM
 * "demo" that boots it with one virtio NIC on qnm's slirp helper and a
 * host port on 127.0.0.1 forwarded to its web server.
 *
 * Building takes seconds the first time, so it is its own step that uses
 * only its struct (a UI runs it in a worker thread); defining the VM is a
 * use case on the context.
 */
#ifndef QNM_API_DEMO_H
#define QNM_API_DEMO_H

#include <stdbool.h>

#include "core/context.h"

/** QNM_DEMO_VM - the name of the demo VM. */
#define QNM_DEMO_VM "demo"

/**
 * struct qnm_api_demo - the demo image (all strings owned).
 * @dir:    where it is built.
 * @kernel: @dir/vmlinux, once built.
 * @initrd: @dir/initrd.gz, once built.
 * @kver:   the kernel version it was built from, once built.
 * @built:  true when this build made it, false when it was already there.
 */
struct qnm_api_demo {
	char *dir;
	char *kernel;
	char *initrd;
	char *kver;
	bool built;
};

/**
 * qnm_api_demo_init() - where the demo image goes.
 * @dir: the directory, or NULL for qnm's data dir + "/demo".
 * Release with qnm_api_demo_clear().
 */
void qnm_api_demo_init(const struct qnm_ctx *ctx, const char *dir, struct qnm_api_demo *d);

/**
 * qnm_api_demo_build() - make sure the image exists in @d->dir (built
 * once; parallel callers share one build). Uses only @d.
 * @err: on failure, what is missing, naming the Debian package to install.
 * Return: 0 or -errno.
 */
int qnm_api_demo_build(struct qnm_api_demo *d, struct qnm_err *err);

/** qnm_api_demo_append() - the kernel command line the image boots with (static). */
const char *qnm_api_demo_append(void);

/**
 * qnm_api_demo_define() - define the VM QNM_DEMO_VM for the built image @d:
 * 256 MiB, one virtio NIC on qnm's slirp helper (user-mode NAT with live
 * counters and live forwards, no root), the first free host port from 8080
 * on 127.0.0.1 forwarded to the guest's port 80; saved with qnm_api_vm_save().
 * @port: the forwarded host port.
 * Return: 0, -EEXIST when a VM of that name exists (left as it is), or -errno.
 */
int qnm_api_demo_define(struct qnm_ctx *ctx, const struct qnm_api_demo *d, unsigned *port,
			struct qnm_err *err);

/** qnm_api_demo_clear() - free what @d holds. */
void qnm_api_demo_clear(struct qnm_api_demo *d);

#endif
