// SPDX-License-Identifier: GPL-2.0-or-later
/* demo.c - the engine API for the demo guest (see demo.h). */
#include "build-config.h"

#include "api/demo.h"

#include "api/vm.h"
#include "core/backend.h"
#include "core/mac.h"
#include "guest/demo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* @d as the guest side's image (the strings are shared, not copied). */
static struct qnm_demo_image as_image(const struct qnm_api_demo *d)
{
	return (struct qnm_demo_image){
		.dir = d->dir, .kernel = d->kernel, .initrd = d->initrd, .kver = d->kver
	};
}

void qnm_api_demo_init(const struct qnm_ctx *ctx, const char *dir, struct qnm_api_demo *d)
{
	memset(d, 0, sizeof(*d));
	d->dir = dir ? xstrdup(dir) : xasprintf("%s/demo", ctx->paths.data_dir);
}

int qnm_api_demo_build(struct qnm_api_demo *d, struct qnm_err *err)
{
	struct qnm_demo_image img;
	int r = qnm_demo_build(d->dir, NULL, &img, err);

	if (r)
		return r;
	free(d->kernel);
	free(d->initrd);
	free(d->kver);
	d->kernel = img.kernel;
	d->initrd = img.initrd;
	d->kver = img.kver;
	d->built = img.built;
	free(img.dir); /* its own copy of d->dir */
	return 0;
}

const char *qnm_api_demo_append(void)
{
	return qnm_demo_append();
}

int qnm_api_demo_define(struct qnm_ctx *ctx, const struct qnm_api_demo *d, unsigned *port,
			struct qnm_err *err)
{
	const struct qnm_demo_image img = as_image(d);
	struct qnm_vm *vm;
	int r;

	*port = 0;
	r = qnm_ctx_begin(ctx, err); /* the model as on disk now, until saved */
	if (r)
		return r;
	if (qnm_model_find_vm(&ctx->model, QNM_DEMO_VM)) {
		qnm_ctx_unlock(ctx);
		return qnm_err_set(err, -EEXIST, "name", "a VM named '%s' exists already",
				   QNM_DEMO_VM);
	}
	*port = qnm_demo_free_port();
	/* slirp: user-mode NAT with live counters and live forwards, no root */
	vm = qnm_demo_vm(QNM_DEMO_VM, &img, (uint16_t)*port, &qnm_backend_slirp);
	r = qnm_model_assign_macs(&ctx->model, vm, NULL, NULL, err);
	if (!r)
		r = qnm_api_vm_save(ctx, vm, NULL, err);
	qnm_vm_free(vm);
	qnm_ctx_unlock(ctx);
	return r;
}

void qnm_api_demo_clear(struct qnm_api_demo *d)
{
	struct qnm_demo_image img = as_image(d);

	qnm_demo_image_clear(&img);
	memset(d, 0, sizeof(*d));
}
