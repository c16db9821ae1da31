// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * argv-gen.c - test helper: build one VM with the model API and print the
 * QEMU argv qnm generates for it, NUL-separated, on stdout.
 *
 *   argv-gen [--style netdev|nic] [--qemu PATH] [--name VM] [--accel A] [--rundir DIR]
 *            [--slirp-dir DIR] [--paused] [--macs-out FILE]
 *            [--nic KEY=VALUE...]...
 *
 * NIC keys: id, model, mac (a MAC, or "auto" for qnm_model_assign_macs()),
 * backend (user|slirp|tap|bridge), net, host, dhcpstart, dns, restrict=on,
 * ipv6=off, hostfwd=SPEC (repeatable), smb=DIR, ifname, bridge (tap),
 * br (bridge helper), helper, vhost=on.
 * --macs-out writes "ID MAC" per NIC after MACs are assigned.
 *
 * Used by tests/sh/qemu-accepts.sh until "qnm cmdline" can be driven with a
 * config; exit 1 with the validation message on stderr on bad input.
 */
#include "build-config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/cmdline.h"
#include "core/mac.h"
#include "core/model.h"
#include "core/util.h"

static int die(const char *what, const char *arg)
{
	fprintf(stderr, "argv-gen: %s: %s\n", what, arg);
	return 2;
}

static void set(char *dst, size_t size, const char *val)
{
	if (qnm_strlcpy(dst, val, size) >= size)
		fprintf(stderr, "argv-gen: warning: '%s' truncated\n", val);
}

/* Apply KEY=VALUE to @n; Return: 0 or 2 on an unknown key. */
static int nic_option(struct qnm_nic *n, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[32];
	const char *v;

	if (!eq || (size_t)(eq - kv) >= sizeof(key))
		return die("NIC option must be KEY=VALUE", kv);
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	v = eq + 1;
	if (!strcmp(key, "id")) {
		set(n->id, sizeof(n->id), v);
	} else if (!strcmp(key, "model")) {
		set(n->model, sizeof(n->model), v);
	} else if (!strcmp(key, "mac")) {
		set(n->mac, sizeof(n->mac), strcmp(v, "auto") ? v : "");
	} else if (!strcmp(key, "backend")) {
		if (qnm_backend_parse(v, &n->backend))
			return die("unknown backend", v);
	} else if (!strcmp(key, "net")) {
		set(n->user.net, sizeof(n->user.net), v);
	} else if (!strcmp(key, "host")) {
		set(n->user.host, sizeof(n->user.host), v);
	} else if (!strcmp(key, "dhcpstart")) {
		set(n->user.dhcpstart, sizeof(n->user.dhcpstart), v);
	} else if (!strcmp(key, "dns")) {
		set(n->user.dns, sizeof(n->user.dns), v);
	} else if (!strcmp(key, "restrict")) {
		n->user.restrict_ = !strcmp(v, "on");
	} else if (!strcmp(key, "ipv6")) {
		n->user.ipv6 = strcmp(v, "off") != 0;
	} else if (!strcmp(key, "hostfwd")) {
		struct qnm_err err;
		struct qnm_fwd f;

		if (qnm_fwd_parse(v, &f, "hostfwd", &err))
			return die("bad hostfwd", err.msg);
		qnm_fwd_add(&n->user.fwd, &n->user.nfwd, &f);
	} else if (!strcmp(key, "smb")) {
		free(n->user.smb);
		n->user.smb = xstrdup(v);
	} else if (!strcmp(key, "ifname")) {
		set(n->tap.ifname, sizeof(n->tap.ifname), v);
	} else if (!strcmp(key, "bridge")) {
		set(n->tap.bridge, sizeof(n->tap.bridge), v);
	} else if (!strcmp(key, "br")) {
		set(n->bridge.br, sizeof(n->bridge.br), v);
	} else if (!strcmp(key, "helper")) {
		free(n->bridge.helper);
		n->bridge.helper = xstrdup(v);
	} else if (!strcmp(key, "vhost")) {
		n->tap.vhost = !strcmp(v, "on");
	} else {
		return die("unknown NIC option", kv);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct qnm_cmdline_opts o = { .style = QNM_STYLE_NETDEV, .kvm = QNM_KVM_PROBE };
	const char *macs_out = NULL, *name = "accept";
	struct qnm_nic *nic = NULL;
	struct qnm_model model;
	struct qnm_strv sv;
	struct qnm_err err;
	struct qnm_vm *vm;
	int i, r = 0;
	size_t k;

	qnm_model_init(&model);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
	vm = qnm_vm_new(name);
	vm->memory_mb = 128;
	for (i = 1; i < argc && !r; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--nic")) {
			nic = qnm_vm_add_nic(vm);
		} else if (!strcmp(a, "--paused")) {
			o.start_paused = true;
		} else if (!next && a[0] == '-' && a[1] == '-') {
			r = die("option needs a value", a);
		} else if (!strcmp(a, "--name")) {
			i++;
		} else if (!strcmp(a, "--style")) {
			o.style = !strcmp(next, "nic") ? QNM_STYLE_NIC : QNM_STYLE_NETDEV;
			i++;
		} else if (!strcmp(a, "--accel")) {
			if (qnm_accel_parse(next, &vm->accel))
				r = die("accel must be auto, kvm or tcg", next);
			i++;
		} else if (!strcmp(a, "--qemu")) {
			o.qemu = argv[++i];
		} else if (!strcmp(a, "--rundir")) {
			o.rundir = argv[++i];
		} else if (!strcmp(a, "--slirp-dir")) {
			o.slirp_dir = argv[++i];
		} else if (!strcmp(a, "--macs-out")) {
			macs_out = argv[++i];
		} else if (nic) {
			r = nic_option(nic, a);
		} else {
			r = die("unexpected argument (NIC options follow --nic)", a);
		}
	}
	if (!r && qnm_model_assign_macs(&model, vm, NULL, NULL, &err)) {
		fprintf(stderr, "argv-gen: %s\n", err.msg);
		r = 1;
	}
	if (!r && macs_out) {
		FILE *f = fopen(macs_out, "w");

		if (!f) {
			perror(macs_out);
			r = 1;
		} else {
			for (k = 0; k < vm->nnics; k++)
				fprintf(f, "%s %s\n", vm->nics[k].id, vm->nics[k].mac);
			fclose(f);
		}
	}
	qnm_strv_init(&sv);
	if (!r && qnm_vm_argv(vm, &o, &sv, &err)) {
		fprintf(stderr, "argv-gen: %s\n", err.msg);
		r = 1;
	}
	for (k = 0; !r && k < sv.n; k++)
		fwrite(sv.v[k], 1, strlen(sv.v[k]) + 1, stdout);
	qnm_strv_free(&sv);
	qnm_vm_free(vm);
	qnm_model_clear(&model);
	return r;
}
