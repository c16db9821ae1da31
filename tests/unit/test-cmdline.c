// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-cmdline.c - golden tests of the QEMU argv (src/guest/cmdline.c and the
 * backends' netdev options): the seed guide's examples exactly, every
 * backend in both styles, escaping, boot sources, accelerators, runtime
 * arguments and the shell-quoted preview.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/backend.h"
#include "guest/cmdline.h"
#include "guest/passt.h"
#include "guest/segment.h"
#include "core/model.h"
#include "core/util.h"

static const struct qnm_cmdline_opts netdev_style = {
	.style = QNM_STYLE_NETDEV,
	.kvm = QNM_KVM_NO,
	.qemu = "qemu-system-x86_64",
};
static const struct qnm_cmdline_opts nic_style = {
	.style = QNM_STYLE_NIC,
	.kvm = QNM_KVM_NO,
	.qemu = "qemu-system-x86_64",
};

/* argv joined with single spaces (no quoting): what the golden strings compare against. */
static char *join(const struct qnm_strv *sv, size_t from)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	for (i = from; i < sv->n; i++) {
		if (i > from)
			qnm_sb_addc(&sb, ' ');
		qnm_sb_add(&sb, sv->v[i]);
	}
	return qnm_sb_steal(&sb);
}

/* The NIC arguments of NIC @index alone. */
static void expect_nic(const struct qnm_vm *vm, size_t index, const struct qnm_cmdline_opts *o,
		       const char *golden)
{
	struct qnm_strv sv;
	struct qnm_err err;
	char *s;

	qnm_strv_init(&sv);
	qnm_err_clear(&err);
	assert_int_equal(qnm_nic_args(vm, index, o, &sv, &err), 0);
	s = join(&sv, 0);
	assert_string_equal(s, golden);
	free(s);
	qnm_strv_free(&sv);
}

/* The whole argv. */
static void expect_argv(const struct qnm_vm *vm, const struct qnm_cmdline_opts *o,
			const char *golden)
{
	struct qnm_strv sv;
	struct qnm_err err;
	char *s;

	qnm_strv_init(&sv);
	qnm_err_clear(&err);
	if (qnm_vm_argv(vm, o, &sv, &err))
		fail_msg("qnm_vm_argv: %s", err.msg);
	assert_null(sv.v[sv.n]);
	s = join(&sv, 0);
	assert_string_equal(s, golden);
	free(s);
	qnm_strv_free(&sv);
}

static struct qnm_nic *add_nic(struct qnm_vm *vm, const char *id, const char *model,
			       const char *mac)
{
	struct qnm_nic *n = qnm_vm_add_nic(vm);

	if (id)
		qnm_strlcpy(n->id, id, sizeof(n->id));
	qnm_strlcpy(n->model, model, sizeof(n->model));
	qnm_strlcpy(n->mac, mac, sizeof(n->mac));
	return n;
}

static void add_fwd(struct qnm_nic *n, const char *spec)
{
	struct qnm_fwd f;

	assert_int_equal(qnm_fwd_parse(spec, &f, "hostfwd", NULL), 0);
	qnm_fwd_add(&n->user.fwd, &n->user.nfwd, &f);
}

/* ---- the seed guide's examples, exactly ---- */

static void test_seed_netdev_user(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("seed");

	add_nic(vm, "mynic0", "e1000", "52:54:98:76:54:32");
	expect_nic(vm, 0, &netdev_style,
		   "-netdev user,id=mynic0 -device e1000,netdev=mynic0,mac=52:54:98:76:54:32");
	expect_argv(vm, &netdev_style,
		    "qemu-system-x86_64 -name seed -machine q35 -accel tcg -m 512 -smp 1 "
		    "-netdev user,id=mynic0 -device e1000,netdev=mynic0,mac=52:54:98:76:54:32 "
		    "-display none");
	qnm_vm_free(vm);
}

static void test_seed_nic_user(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("seed");

	add_nic(vm, "mynic0", "e1000", "52:54:98:76:54:32");
	expect_nic(vm, 0, &nic_style, "-nic user,model=e1000,mac=52:54:98:76:54:32");
	expect_argv(vm, &nic_style,
		    "qemu-system-x86_64 -name seed -machine q35 -accel tcg -m 512 -smp 1 "
		    "-nic user,model=e1000,mac=52:54:98:76:54:32 -display none");
	qnm_vm_free(vm);
}

static void test_seed_nic_bridge(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("seed");
	struct qnm_nic *n = add_nic(vm, NULL, "virtio-net-pci", "02:76:7d:d7:1e:3f");

	n->backend = QNM_BACKEND_BRIDGE;
	qnm_strlcpy(n->bridge.br, "br0", sizeof(n->bridge.br));
	expect_nic(vm, 0, &nic_style,
		   "-nic bridge,br=br0,model=virtio-net-pci,mac=02:76:7d:d7:1e:3f");
	expect_nic(
		vm, 0, &netdev_style,
		"-netdev bridge,id=n0,br=br0 -device virtio-net-pci,netdev=n0,mac=02:76:7d:d7:1e:3f");
	/* An explicit helper path. */
	n->bridge.helper = xstrdup("/usr/lib/qemu/qemu-bridge-helper");
	expect_nic(
		vm, 0, &nic_style,
		"-nic bridge,br=br0,helper=/usr/lib/qemu/qemu-bridge-helper,model=virtio-net-pci,"
		"mac=02:76:7d:d7:1e:3f");
	qnm_vm_free(vm);
}

static void test_seed_hostfwd(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("seed");
	struct qnm_nic *n = add_nic(vm, NULL, "e1000", "");

	add_fwd(n, "tcp:127.0.0.1:2222-:22");
	expect_nic(vm, 0, &netdev_style,
		   "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22 -device e1000,netdev=n0");
	expect_nic(vm, 0, &nic_style, "-nic user,hostfwd=tcp:127.0.0.1:2222-:22,model=e1000");
	/* More forwards, udp, a guest address, the default protocol written out. */
	add_fwd(n, "udp::5353-10.0.2.15:53");
	add_fwd(n, ":8080-:80");
	expect_nic(
		vm, 0, &netdev_style,
		"-netdev user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::5353-10.0.2.15:53,"
		"hostfwd=tcp::8080-:80 -device e1000,netdev=n0");
	qnm_vm_free(vm);

	/* a range and tcp+udp (issue 16.5): one QEMU rule per port and protocol, no description */
	vm = qnm_vm_new("seed");
	n = add_nic(vm, NULL, "e1000", "");
	add_fwd(n, "tcp+udp:127.0.0.1:8000-8001-:9000-9001 desc=\"two\"");
	expect_nic(vm, 0, &netdev_style,
		   "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:8000-:9000,"
		   "hostfwd=tcp:127.0.0.1:8001-:9001,hostfwd=udp:127.0.0.1:8000-:9000,"
		   "hostfwd=udp:127.0.0.1:8001-:9001 -device e1000,netdev=n0");
	qnm_vm_free(vm);
}

static void test_seed_smb(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("seed");
	struct qnm_nic *n = add_nic(vm, NULL, "e1000", "");

	n->user.smb = xstrdup("/srv/DIR");
	expect_nic(vm, 0, &netdev_style, "-netdev user,id=n0,smb=/srv/DIR -device e1000,netdev=n0");
	qnm_vm_free(vm);
}

/* ---- every user option, in their fixed order ---- */

static void test_user_options(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("u");
	struct qnm_nic *n = add_nic(vm, NULL, "rtl8139", "02:00:00:00:00:01");

	qnm_strlcpy(n->user.net, "10.9.8.0/24", sizeof(n->user.net));
	qnm_strlcpy(n->user.host, "10.9.8.1", sizeof(n->user.host));
	qnm_strlcpy(n->user.dhcpstart, "10.9.8.100", sizeof(n->user.dhcpstart));
	qnm_strlcpy(n->user.dns, "10.9.8.53", sizeof(n->user.dns));
	n->user.restrict_ = true;
	n->user.ipv6 = false;
	add_fwd(n, "tcp:127.0.0.1:2222-10.9.8.100:22");
	n->user.smb = xstrdup("/srv/share");
	expect_nic(vm, 0, &netdev_style,
		   "-netdev user,id=n0,net=10.9.8.0/24,host=10.9.8.1,dhcpstart=10.9.8.100,"
		   "dns=10.9.8.53,restrict=on,ipv6=off,hostfwd=tcp:127.0.0.1:2222-10.9.8.100:22,"
		   "smb=/srv/share -device rtl8139,netdev=n0,mac=02:00:00:00:00:01");
	expect_nic(vm, 0, &nic_style,
		   "-nic user,net=10.9.8.0/24,host=10.9.8.1,dhcpstart=10.9.8.100,"
		   "dns=10.9.8.53,restrict=on,ipv6=off,hostfwd=tcp:127.0.0.1:2222-10.9.8.100:22,"
		   "smb=/srv/share,model=rtl8139,mac=02:00:00:00:00:01");
	qnm_vm_free(vm);
}

/* ---- tap ---- */

static void test_tap(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("web.server-01");
	struct qnm_nic *n;

	add_nic(vm, NULL, "e1000", "02:00:00:00:00:01");
	n = add_nic(vm, NULL, "virtio-net-pci", "02:00:00:00:00:02");
	n->backend = QNM_BACKEND_TAP;
	/* No ifname: qt- + 8 chars of the VM name ('.' -> '_') + - + NIC index. */
	expect_nic(vm, 1, &netdev_style,
		   "-netdev tap,id=n1,ifname=qt-web_serv-1,script=no,downscript=no "
		   "-device virtio-net-pci,netdev=n1,mac=02:00:00:00:00:02");
	qnm_strlcpy(n->tap.ifname, "tap0", sizeof(n->tap.ifname));
	n->tap.vhost = true;
	expect_nic(vm, 1, &netdev_style,
		   "-netdev tap,id=n1,ifname=tap0,script=no,downscript=no,vhost=on "
		   "-device virtio-net-pci,netdev=n1,mac=02:00:00:00:00:02");
	expect_nic(vm, 1, &nic_style,
		   "-nic tap,ifname=tap0,script=no,downscript=no,vhost=on,model=virtio-net-pci,"
		   "mac=02:00:00:00:00:02");
	qnm_vm_free(vm);
}

/* ---- slirp helper over -netdev stream ---- */

static void test_slirp(void **state)
{
	struct qnm_cmdline_opts o = netdev_style;
	struct qnm_vm *vm = qnm_vm_new("s");
	struct qnm_nic *n = add_nic(vm, NULL, "virtio-net-pci", "02:00:00:00:00:03");
	char want[256];

	n->backend = QNM_BACKEND_SLIRP;
	o.slirp_dir = "/tmp/preview";
	expect_nic(
		vm, 0, &o,
		"-netdev stream,id=n0,server=off,addr.type=unix,addr.path=/tmp/preview/slirp-n0.sock "
		"-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:03");
	/* -nic cannot carry addr.*: the -netdev form is used even in -nic style. */
	o.style = QNM_STYLE_NIC;
	expect_nic(
		vm, 0, &o,
		"-netdev stream,id=n0,server=off,addr.type=unix,addr.path=/tmp/preview/slirp-n0.sock "
		"-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:03");
	/* The runtime directory wins over the preview directory. */
	o.rundir = "/run/qnm/s";
	expect_nic(
		vm, 0, &o,
		"-netdev stream,id=n0,server=off,addr.type=unix,addr.path=/run/qnm/s/slirp-n0.sock "
		"-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:03");
	/* Neither: the per-user runtime path. */
	o.rundir = NULL;
	o.slirp_dir = NULL;
	snprintf(
		want, sizeof(want),
		"-netdev stream,id=n0,server=off,addr.type=unix,addr.path=/run/user/%u/qnm/s/slirp-n0.sock "
		"-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:03",
		(unsigned)getuid());
	expect_nic(vm, 0, &o, want);
	qnm_vm_free(vm);
}

/* ---- passt over -netdev stream, and passt's own command line ---- */

static void test_passt(void **state)
{
	struct qnm_cmdline_opts o = netdev_style;
	struct qnm_vm *vm = qnm_vm_new("p");
	struct qnm_nic *n = add_nic(vm, NULL, "e1000", "02:00:00:00:00:04");
	struct qnm_fwd f[3] = {
		{ .proto = QNM_PROTO_TCP,
		  .host_addr = "127.0.0.1",
		  .host_port = 8001,
		  .guest_port = 80 },
		{ .proto = QNM_PROTO_UDP, .host_port = 5353, .guest_port = 53 },
		{ .proto = QNM_PROTO_TCP, .host_port = 2222, .guest_port = 22 },
	};
	struct qnm_strv argv;
	struct qnm_err err;
	char *line, want[512];

	n->backend = QNM_BACKEND_PASST;
	o.rundir = "/run/qnm/p,x";
	expect_nic(
		vm, 0, &o,
		"-netdev stream,id=n0,server=off,addr.type=unix,"
		"addr.path=/run/qnm/p,,x/passt-n0.sock -device e1000,netdev=n0,mac=02:00:00:00:00:04");
	o.style = QNM_STYLE_NIC; /* -nic cannot say addr.*: -netdev even so */
	expect_nic(
		vm, 0, &o,
		"-netdev stream,id=n0,server=off,addr.type=unix,"
		"addr.path=/run/qnm/p,,x/passt-n0.sock -device e1000,netdev=n0,mac=02:00:00:00:00:04");

	n->user.fwd = xcalloc(3, sizeof(*f));
	memcpy(n->user.fwd, f, sizeof(f));
	n->user.nfwd = 3;
	n->user.ipv6 = false;
	unsetenv("QNM_PASST");
	qnm_strv_init(&argv);
	qnm_passt_argv(vm, n, "/run/qnm/p", &argv);
	line = qnm_argv_to_shell(argv.v);
	snprintf(want, sizeof(want),
		 "passt --foreground --log-file /run/qnm/p/passt-n0.log --runas %u:%u --one-off "
		 "--socket /run/qnm/p/passt-n0.sock --ipv4-only -t 127.0.0.1/8001:80 -u 5353:53 "
		 "-t 2222:22",
		 (unsigned)geteuid(), (unsigned)getegid());
	assert_string_equal(line, want);
	free(line);
	qnm_strv_free(&argv);

	/* a range and tcp+udp: passt's own range spec, once for -t and once for -u */
	n->user.fwd[1].proto = QNM_PROTO_BOTH;
	n->user.fwd[1].span = 10;
	qnm_strv_init(&argv);
	qnm_passt_argv(vm, n, "/run/qnm/p", &argv);
	line = qnm_argv_to_shell(argv.v);
	assert_non_null(strstr(line, " -t 5353-5363:53-63 -u 5353-5363:53-63 -t 2222:22"));
	free(line);
	qnm_strv_free(&argv);
	n->user.fwd[1].proto = QNM_PROTO_UDP;
	n->user.fwd[1].span = 0;

	/* the guest's own address only: a guest address is refused */
	qnm_err_clear(&err);
	assert_int_equal(qnm_nic_backend(n)->validate(n, &err), 0);
	qnm_strlcpy(n->user.fwd[2].guest_addr, "10.0.2.15", sizeof(n->user.fwd[2].guest_addr));
	assert_int_equal(qnm_nic_backend(n)->validate(n, &err), -EINVAL);
	assert_string_equal(err.field, "nic[n0].hostfwd");
	assert_non_null(strstr(err.msg, "leave the guest address empty"));
	qnm_vm_free(vm);
}

/* ---- a private segment: -netdev vde on the segment's switch, and the switch's command ---- */

static void test_private(void **state)
{
	struct qnm_cmdline_opts o = netdev_style;
	struct qnm_vm *vm = qnm_vm_new("p");
	struct qnm_nic *n = add_nic(vm, NULL, "e1000", "02:00:00:00:00:05");
	struct qnm_strv argv;
	struct qnm_err err;
	char *line;

	n->backend = QNM_BACKEND_PRIVATE;
	qnm_strlcpy(n->priv.segment, "lab", sizeof(n->priv.segment));
	o.rundir = "/run/q,n/p";
	expect_nic(vm, 0, &o,
		   "-netdev vde,id=n0,sock=/run/q,,n/.private/lab/ctl -device "
		   "e1000,netdev=n0,mac=02:00:00:00:00:05");
	o.style = QNM_STYLE_NIC;
	expect_nic(vm, 0, &o,
		   "-nic vde,sock=/run/q,,n/.private/lab/ctl,model=e1000,mac=02:00:00:00:00:05");

	unsetenv("QNM_VDE_SWITCH");
	qnm_strv_init(&argv);
	qnm_segment_argv("/run/qnm", "lab", &argv);
	line = qnm_argv_to_shell(argv.v);
	assert_string_equal(line,
			    "vde_switch --sock /run/qnm/.private/lab/ctl --dirmode 0700 --mode "
			    "0600 --mgmt /run/qnm/.private/lab/mgmt --mgmtmode 0600 --rcfile "
			    "/dev/null --daemon --pidfile /run/qnm/.private/lab/pid");
	free(line);
	qnm_strv_free(&argv);

	/* a segment is named like a VM */
	qnm_err_clear(&err);
	assert_int_equal(qnm_nic_backend(n)->validate(n, &err), 0);
	qnm_strlcpy(n->priv.segment, "../x", sizeof(n->priv.segment));
	assert_int_equal(qnm_nic_backend(n)->validate(n, &err), -EINVAL);
	assert_string_equal(err.field, "nic[n0].segment");
	n->priv.segment[0] = '\0';
	assert_int_equal(qnm_nic_backend(n)->validate(n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "needs the name of its segment"));
	qnm_vm_free(vm);
}

/* ---- escaping ',' as ',,' ---- */

static void test_escaping(void **state)
{
	struct qnm_cmdline_opts o = netdev_style;
	struct qnm_strbuf sb;
	struct qnm_vm *vm = qnm_vm_new("esc");
	struct qnm_nic *n;

	qnm_sb_init(&sb);
	qnm_qemu_escape(&sb, "a,b,,c,");
	assert_string_equal(sb.s, "a,,b,,,,c,,");
	qnm_sb_free(&sb);
	qnm_sb_init(&sb);
	qnm_qemu_escape(&sb, "");
	assert_string_equal(sb.s, "");
	qnm_sb_free(&sb);

	n = add_nic(vm, NULL, "e1000", "02:00:00:00:00:01");
	n->user.smb = xstrdup("/srv/a,b");
	expect_nic(
		vm, 0, &o,
		"-netdev user,id=n0,smb=/srv/a,,b -device e1000,netdev=n0,mac=02:00:00:00:00:01");
	n = add_nic(vm, NULL, "e1000", "02:00:00:00:00:02");
	n->backend = QNM_BACKEND_BRIDGE;
	qnm_strlcpy(n->bridge.br, "br,x", sizeof(n->bridge.br));
	n->bridge.helper = xstrdup("/opt/q,emu/helper");
	expect_nic(
		vm, 1, &nic_style,
		"-nic bridge,br=br,,x,helper=/opt/q,,emu/helper,model=e1000,mac=02:00:00:00:00:02");
	n = add_nic(vm, NULL, "e1000", "02:00:00:00:00:03");
	n->backend = QNM_BACKEND_SLIRP;
	o.slirp_dir = "/tmp/a,b";
	expect_nic(
		vm, 2, &o,
		"-netdev stream,id=n2,server=off,addr.type=unix,addr.path=/tmp/a,,b/slirp-n2.sock "
		"-device e1000,netdev=n2,mac=02:00:00:00:00:03");

	/* Disk and CD paths go into -drive options: escaped. The runtime dir in -qmp too;
	 * -pidfile takes the path as it is; -chardev (the serial pty's log) escaped. */
	qnm_vm_del_nic(vm, 2);
	qnm_vm_del_nic(vm, 1);
	vm->boot = QNM_BOOT_CDROM;
	vm->disk = xstrdup("/img/a,b.qcow2");
	vm->cdrom = xstrdup("/iso/x,y.iso");
	o.rundir = "/run/r,1";
	expect_argv(
		vm, &o,
		"qemu-system-x86_64 -name esc -machine q35 -accel tcg -m 512 -smp 1 "
		"-drive file=/img/a,,b.qcow2,media=disk -drive file=/iso/x,,y.iso,media=cdrom -boot d "
		"-netdev user,id=n0,smb=/srv/a,,b -device e1000,netdev=n0,mac=02:00:00:00:00:01 "
		"-display none -qmp unix:/run/r,,1/qmp.sock,server=on,wait=off "
		"-pidfile /run/r,1/qemu.pid -chardev pty,id=qnm-serial0,"
		"logfile=/run/r,,1/serial.log,logappend=on -serial chardev:qnm-serial0");
	qnm_vm_free(vm);
}

/* ---- boot sources ---- */

static void test_boot(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("b");

	vm->memory_mb = 256;
	vm->cpus = 2;
	vm->machine[0] = '\0';
	vm->boot = QNM_BOOT_KERNEL;
	vm->kernel = xstrdup("/boot/vmlinuz");
	vm->initrd = xstrdup("/boot/initrd.img");
	vm->append = xstrdup("console=ttyS0 quiet");
	expect_argv(vm, &netdev_style,
		    "qemu-system-x86_64 -name b -accel tcg -m 256 -smp 2 -kernel /boot/vmlinuz "
		    "-initrd /boot/initrd.img -append console=ttyS0 quiet -nic none -display none");
	free(vm->initrd);
	free(vm->append);
	vm->initrd = vm->append = NULL;
	expect_argv(vm, &netdev_style,
		    "qemu-system-x86_64 -name b -accel tcg -m 256 -smp 2 -kernel /boot/vmlinuz "
		    "-nic none -display none");

	free(vm->kernel);
	vm->kernel = NULL;
	vm->boot = QNM_BOOT_CDROM;
	vm->cdrom = xstrdup("/iso/debian.iso");
	expect_argv(vm, &netdev_style,
		    "qemu-system-x86_64 -name b -accel tcg -m 256 -smp 2 "
		    "-drive file=/iso/debian.iso,media=cdrom -boot d -nic none -display none");
	vm->disk = xstrdup("/img/disk.qcow2");
	expect_argv(
		vm, &netdev_style,
		"qemu-system-x86_64 -name b -accel tcg -m 256 -smp 2 "
		"-drive file=/img/disk.qcow2,media=disk -drive file=/iso/debian.iso,media=cdrom "
		"-boot d -nic none -display none");
	vm->boot = QNM_BOOT_DISK;
	expect_argv(vm, &netdev_style,
		    "qemu-system-x86_64 -name b -accel tcg -m 256 -smp 2 "
		    "-drive file=/img/disk.qcow2,media=disk -nic none -display none");
	vm->boot = QNM_BOOT_NONE;
	expect_argv(vm, &netdev_style,
		    "qemu-system-x86_64 -name b -accel tcg -m 256 -smp 2 -nic none -display none");
	qnm_vm_free(vm);
}

/* ---- accelerators ---- */

static void test_accel(void **state)
{
	struct qnm_cmdline_opts o = netdev_style;
	struct qnm_vm *vm = qnm_vm_new("a");
	const char *tcg = "qemu-system-x86_64 -name a -machine q35 -accel tcg -m 512 -smp 1 "
			  "-nic none -display none";
	const char *kvm = "qemu-system-x86_64 -name a -machine q35 -accel kvm -m 512 "
			  "-smp 1 -nic none -display none";

	vm->accel = QNM_ACCEL_AUTO;
	o.kvm = QNM_KVM_NO;
	expect_argv(vm, &o, tcg);
	o.kvm = QNM_KVM_YES;
	expect_argv(vm, &o, kvm);
	o.kvm = QNM_KVM_PROBE;
	expect_argv(vm, &o, qnm_kvm_usable("qemu-system-x86_64", NULL) ? kvm : tcg);
	vm->accel = QNM_ACCEL_KVM;
	o.kvm = QNM_KVM_NO;
	expect_argv(vm, &o, kvm);
	vm->accel = QNM_ACCEL_TCG;
	o.kvm = QNM_KVM_YES;
	expect_argv(vm, &o, tcg);
	qnm_vm_free(vm);
}

/* ---- runtime arguments, -S, extra arguments, the binary's name ---- */

static void test_runtime_and_extra(void **state)
{
	struct qnm_cmdline_opts o = netdev_style;
	struct qnm_vm *vm = qnm_vm_new("r");

	o.qemu = NULL;
	o.rundir = "/run/qnm/r";
	o.start_paused = true;
	qnm_strlcpy(vm->arch, "aarch64", sizeof(vm->arch));
	qnm_strlcpy(vm->machine, "virt", sizeof(vm->machine));
	qnm_vm_add_extra(vm, "-serial");
	qnm_vm_add_extra(vm, "mon:stdio");
	add_nic(vm, NULL, "virtio-net-pci", "02:00:00:00:00:01");
	expect_argv(vm, &o,
		    "qemu-system-aarch64 -name r -machine virt -accel tcg -m 512 -smp 1 "
		    "-netdev user,id=n0 -device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:01 "
		    "-display none -qmp unix:/run/qnm/r/qmp.sock,server=on,wait=off "
		    "-pidfile /run/qnm/r/qemu.pid -chardev pty,id=qnm-serial0,"
		    "logfile=/run/qnm/r/serial.log,logappend=on "
		    "-serial chardev:qnm-serial0 -S "
		    "-serial mon:stdio");
	qnm_vm_free(vm);
}

/* Two NICs of different backends in -nic style: each as it can be expressed. */
static void test_mixed(void **state)
{
	struct qnm_cmdline_opts o = nic_style;
	struct qnm_vm *vm = qnm_vm_new("mix");
	struct qnm_nic *n;

	add_nic(vm, NULL, "e1000", "02:00:00:00:00:01");
	n = add_nic(vm, NULL, "rtl8139", "02:00:00:00:00:02");
	n->backend = QNM_BACKEND_SLIRP;
	n = add_nic(vm, NULL, "virtio-net-pci", "02:00:00:00:00:03");
	n->backend = QNM_BACKEND_TAP;
	qnm_strlcpy(n->tap.ifname, "tap7", sizeof(n->tap.ifname));
	o.slirp_dir = "/tmp/p";
	expect_argv(
		vm, &o,
		"qemu-system-x86_64 -name mix -machine q35 -accel tcg -m 512 -smp 1 "
		"-nic user,model=e1000,mac=02:00:00:00:00:01 "
		"-netdev stream,id=n1,server=off,addr.type=unix,addr.path=/tmp/p/slirp-n1.sock "
		"-device rtl8139,netdev=n1,mac=02:00:00:00:00:02 "
		"-nic tap,ifname=tap7,script=no,downscript=no,model=virtio-net-pci,mac=02:00:00:00:00:03 "
		"-display none");
	qnm_vm_free(vm);
}

/* An invalid VM gives no argv and an error naming the field. */
static void test_invalid(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("bad");
	struct qnm_strv sv;
	struct qnm_err err;
	struct qnm_nic *n;

	n = add_nic(vm, NULL, "e1000", "01:00:00:00:00:01");
	qnm_strv_init(&sv);
	assert_int_equal(qnm_vm_argv(vm, &netdev_style, &sv, &err), -EINVAL);
	assert_int_equal(sv.n, 0);
	assert_string_equal(err.field, "nic[n0].mac");
	qnm_strlcpy(n->mac, "02:00:00:00:00:01", sizeof(n->mac));
	n->backend = QNM_BACKEND_BRIDGE; /* no bridge name */
	assert_int_equal(qnm_vm_argv(vm, &netdev_style, &sv, &err), -EINVAL);
	assert_int_equal(sv.n, 0);
	assert_string_equal(err.field, "nic[n0].br");
	vm->boot = QNM_BOOT_KERNEL;
	assert_int_equal(qnm_vm_argv(vm, &netdev_style, &sv, &err), -EINVAL);
	assert_string_equal(err.field, "kernel");
	qnm_strv_free(&sv);
	qnm_vm_free(vm);
}

/* ---- the shell preview ---- */

/* Run the preview through /bin/sh and collect what argv the shell really builds. */
static char *shell_roundtrip(const char *line)
{
	struct qnm_strbuf out;
	char buf[4096], *cmd;
	FILE *p;
	size_t n;

	cmd = xasprintf("printf '%%s\\n' %s", line);
	p = popen(cmd, "r");
	assert_non_null(p);
	qnm_sb_init(&out);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		qnm_sb_addn(&out, buf, n);
	assert_int_equal(pclose(p), 0);
	free(cmd);
	return qnm_sb_steal(&out);
}

static void test_shell_quote(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("q");
	struct qnm_strv sv;
	struct qnm_err err;
	struct qnm_nic *n;
	char *line, *back, *expect;

	vm->boot = QNM_BOOT_KERNEL;
	vm->kernel = xstrdup("/boot/it's here/vmlinuz");
	vm->append = xstrdup("console=ttyS0 quiet init=/bin/sh $HOME `id` \"x\" \\");
	n = add_nic(vm, NULL, "e1000", "52:54:98:76:54:32");
	add_fwd(n, "tcp:127.0.0.1:2222-:22");
	n->user.smb = xstrdup("/srv/a b,c");
	qnm_strv_init(&sv);
	assert_int_equal(qnm_vm_argv(vm, &nic_style, &sv, &err), 0);
	line = qnm_argv_to_shell(sv.v);
	assert_string_equal(line,
			    "qemu-system-x86_64 -name q -machine q35 -accel tcg -m 512 -smp 1 "
			    "-kernel '/boot/it'\\''s here/vmlinuz' "
			    "-append 'console=ttyS0 quiet init=/bin/sh $HOME `id` \"x\" \\' "
			    "-nic 'user,hostfwd=tcp:127.0.0.1:2222-:22,smb=/srv/a b,,c,model=e1000,"
			    "mac=52:54:98:76:54:32' -display none");
	/* A real shell turns the preview back into exactly the argv. */
	back = shell_roundtrip(line);
	{
		struct qnm_strbuf sb;
		size_t i;

		qnm_sb_init(&sb);
		for (i = 0; i < sv.n; i++) {
			qnm_sb_add(&sb, sv.v[i]);
			qnm_sb_addc(&sb, '\n');
		}
		expect = qnm_sb_steal(&sb);
	}
	assert_string_equal(back, expect);
	free(back);
	free(expect);
	free(line);
	qnm_strv_free(&sv);

	/* Single words: quoted only when needed; the empty word is ''. */
	line = qnm_shell_quote("plain-word_1.2/x:y,z=w+v@u%t");
	assert_string_equal(line, "plain-word_1.2/x:y,z=w+v@u%t");
	free(line);
	line = qnm_shell_quote("");
	assert_string_equal(line, "''");
	free(line);
	line = qnm_shell_quote("a;b|c&d>e<f*g?h[i]~j#k!l");
	assert_string_equal(line, "'a;b|c&d>e<f*g?h[i]~j#k!l'");
	free(line);
	qnm_vm_free(vm);
}

/* ---- issue 13 item 8: NICs after the 16th go behind ports qnm adds ---- */

static void add_nics(struct qnm_vm *vm, const char *model, size_t n)
{
	char mac[18];

	while (n--) {
		snprintf(mac, sizeof(mac), "52:54:00:00:01:%02zx", vm->nnics);
		add_nic(vm, NULL, model, mac);
	}
}

static void test_nic_slots_q35(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("many");

	(void)state;
	add_nics(vm, "virtio-net-pci", 16);
	/* The 16th NIC: placed by QEMU, as ever. */
	expect_nic(vm, 15, &netdev_style,
		   "-netdev user,id=n15 -device virtio-net-pci,netdev=n15,mac=52:54:00:00:01:0f");
	add_nics(vm, "virtio-net-pci", 1);
	add_nics(vm, "e1000", 2);
	add_nics(vm, "virtio-net-pci", 7);
	/* A virtio NIC: its own root port, function 0 of slot 0x1e. */
	expect_nic(
		vm, 16, &netdev_style,
		"-device pcie-root-port,id=qnm-rp0,bus=pcie.0,chassis=128,addr=0x1e.0x0,multifunction=on "
		"-netdev user,id=n16 -device virtio-net-pci,netdev=n16,mac=52:54:00:00:01:10,bus=qnm-rp0");
	/* The first e1000: a root port and a pcie-pci-bridge on it; the second shares it. */
	expect_nic(
		vm, 17, &netdev_style,
		"-device pcie-root-port,id=qnm-rp1,bus=pcie.0,chassis=129,addr=0x1e.0x1 "
		"-device pcie-pci-bridge,id=qnm-pb1,bus=qnm-rp1 "
		"-netdev user,id=n17 -device e1000,netdev=n17,mac=52:54:00:00:01:11,bus=qnm-pb1");
	expect_nic(
		vm, 18, &netdev_style,
		"-netdev user,id=n18 -device e1000,netdev=n18,mac=52:54:00:00:01:12,bus=qnm-pb1");
	/* -nic cannot name a bus: NICs behind a port are -netdev + -device. */
	expect_nic(
		vm, 18, &nic_style,
		"-netdev user,id=n18 -device e1000,netdev=n18,mac=52:54:00:00:01:12,bus=qnm-pb1");
	/* The ninth root port opens the next slot down. */
	expect_nic(
		vm, 25, &netdev_style,
		"-device pcie-root-port,id=qnm-rp8,bus=pcie.0,chassis=136,addr=0x1d.0x0,multifunction=on "
		"-netdev user,id=n25 -device virtio-net-pci,netdev=n25,mac=52:54:00:00:01:19,bus=qnm-rp8");
	/* Versioned q35 names too. */
	qnm_strlcpy(vm->machine, "pc-q35-7.2", sizeof(vm->machine));
	expect_nic(
		vm, 18, &netdev_style,
		"-netdev user,id=n18 -device e1000,netdev=n18,mac=52:54:00:00:01:12,bus=qnm-pb1");
	qnm_vm_free(vm);
}

static void test_nic_slots_pc(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("many");

	(void)state;
	qnm_strlcpy(vm->machine, "pc", sizeof(vm->machine));
	add_nics(vm, "ne2k_isa", 1); /* not PCI: takes no slot */
	add_nics(vm, "rtl8139", 16 + 32);
	expect_nic(vm, 16, &netdev_style,
		   "-netdev user,id=n16 -device rtl8139,netdev=n16,mac=52:54:00:00:01:10");
	expect_nic(
		vm, 17, &netdev_style,
		"-device pci-bridge,id=qnm-br0,bus=pci.0,chassis_nr=128,addr=0x1f "
		"-netdev user,id=n17 -device rtl8139,netdev=n17,mac=52:54:00:00:01:11,bus=qnm-br0");
	/* 31 NICs per bridge: the 32nd behind it opens the next. */
	expect_nic(
		vm, 47, &netdev_style,
		"-netdev user,id=n47 -device rtl8139,netdev=n47,mac=52:54:00:00:01:2f,bus=qnm-br0");
	expect_nic(
		vm, 48, &netdev_style,
		"-device pci-bridge,id=qnm-br1,bus=pci.0,chassis_nr=129,addr=0x1e "
		"-netdev user,id=n48 -device rtl8139,netdev=n48,mac=52:54:00:00:01:30,bus=qnm-br1");
	/* No machine given: QEMU's default for x86 is pc. */
	vm->machine[0] = '\0';
	expect_nic(
		vm, 48, &netdev_style,
		"-device pci-bridge,id=qnm-br1,bus=pci.0,chassis_nr=129,addr=0x1e "
		"-netdev user,id=n48 -device rtl8139,netdev=n48,mac=52:54:00:00:01:30,bus=qnm-br1");
	/* Another target: left to QEMU. */
	qnm_strlcpy(vm->arch, "aarch64", sizeof(vm->arch));
	qnm_strlcpy(vm->machine, "virt", sizeof(vm->machine));
	expect_nic(vm, 48, &netdev_style,
		   "-netdev user,id=n48 -device rtl8139,netdev=n48,mac=52:54:00:00:01:30");
	qnm_vm_free(vm);
}

static void test_nic_slots_refused(void **state)
{
	struct qnm_vm *vm = qnm_vm_new("old");
	struct qnm_strv sv;
	struct qnm_err err;

	(void)state;
	qnm_strlcpy(vm->machine, "isapc", sizeof(vm->machine));
	add_nics(vm, "ne2k_isa", 1);
	add_nic(vm, "pci0", "e1000", "52:54:00:00:02:01");
	qnm_strv_init(&sv);
	qnm_err_clear(&err);
	assert_int_equal(qnm_vm_argv(vm, &netdev_style, &sv, &err), -EINVAL);
	assert_string_equal(err.field, "nic[pci0].model");
	assert_string_equal(
		err.msg,
		"nic[pci0].model: an isapc VM holds at most 0 PCI NICs (it has no PCI bus); e1000 is a PCI NIC");
	assert_int_equal(sv.n, 0);
	qnm_strv_free(&sv);
	qnm_vm_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_netdev_user),
		cmocka_unit_test(test_seed_nic_user),
		cmocka_unit_test(test_seed_nic_bridge),
		cmocka_unit_test(test_seed_hostfwd),
		cmocka_unit_test(test_seed_smb),
		cmocka_unit_test(test_user_options),
		cmocka_unit_test(test_tap),
		cmocka_unit_test(test_slirp),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_accel),
		cmocka_unit_test(test_runtime_and_extra),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_passt),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_nic_slots_q35),
		cmocka_unit_test(test_nic_slots_pc),
		cmocka_unit_test(test_nic_slots_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
