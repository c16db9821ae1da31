// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor.c - host readiness checks, one const struct each, in one table. */
#include "build-config.h"

#include "watch/doctor.h"
#include "core/backend.h"
#include "core/ipv6net.h"
#include "guest/catalog.h"
#include "guest/kvmprobe.h"
#include "guest/leftover.h"
#include "host/dnsmasq.h"
#include "core/mac.h"
#include "host/maclive.h"
#include "host/netctl.h"
#include "host/nft.h"
#include "watch/fwdpath.h"
#include "watch/portowner.h"
#include "host/sysctl.h"
#include "host/tuntap.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define QEMU_TIMEOUT_MS 10000
#define QEMU_OUTPUT_MAX (256 * 1024)

/**
 * struct qnm_doc_env - what the checks share: the model, facts derived
 * from it once, and results one check computes for another.
 * @model:        the configuration.
 * @runtime_dir:  qnm's runtime directory, or NULL.
 * @cache_dir:    qnm's cache directory (the device catalogs), or NULL.
 * @ping_nics:    some NIC's guest pings through the host's ICMP sockets
 *                (user-mode networking: user, slirp).
 * @tun_nics:     QEMU opens /dev/net/tun for some NIC (tap).
 * @admin_nics:   some NIC's host side needs CAP_NET_ADMIN (tap).
 * @bridged_nics: some NIC's host side may sit on a bridge (tap, bridge).
 * @backend_check: the backend's check that runs now (qnm_doctor_run()).
 * @dhcp_nets:    some network has a DHCP range.
 * @nat_nets:     some network is in nat mode.
 * @fwd_nets:     the nat and bridged networks (their traffic is forwarded).
 * @nfwd_nets:    how many.
 * @drop_done:    @drop_ret/@drops were computed.
 * @drop_ret:     result of qnm_nft_check_foreign_drop() (or -errno).
 * @drop_err:     its message on failure.
 * @drops:        the warnings it returned.
 */
struct qnm_doc_env {
	const struct qnm_model *model;
	const char *runtime_dir;
	const char *cache_dir;
	bool ping_nics, tun_nics, admin_nics, bridged_nics;
	const struct qnm_backend_check *backend_check;
	bool dhcp_nets, nat_nets;
	struct qnm_network **fwd_nets;
	size_t nfwd_nets;
	bool drop_done;
	int drop_ret;
	char drop_err[512];
	struct qnm_strv drops;
};

/* ---- building a result (core/docresult.h) ---- */

/* finding() - add a sentence; the result's status becomes the worse of both */
static void __attribute__((format(printf, 3, 4)))
finding(struct qnm_doc_result *r, enum qnm_doc_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qnm_doc_vfinding(r, st, fmt, ap);
	va_end(ap);
}

/* fix() - add one line of the fix (duplicates are dropped) */
static void __attribute__((format(printf, 2, 3)))
fix(struct qnm_doc_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qnm_doc_vfix(r, fmt, ap);
	va_end(ap);
}

/* ---- small helpers ---- */

static bool bridge_exists(const char *name)
{
	return name[0] && if_nametoindex(name) != 0;
}

/*
 * Run @argv (no shell), stdin /dev/null, stdout and stderr captured together;
 * killed after @timeout_ms. Return: 0 (exit status in *@status), or -errno.
 */
static int run_capture(char *const *argv, int timeout_ms, char **out, int *status)
{
	posix_spawn_file_actions_t fa;
	struct qnm_strbuf sb;
	long long deadline = qnm_mono_ms_int() + timeout_ms;
	int fds[2], r;
	pid_t pid;

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	r = -posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		return r;
	}
	qnm_sb_init(&sb);
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		long long left = deadline - qnm_mono_ms_int();
		char buf[4096];
		ssize_t n;

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (sb.len + (size_t)n > QEMU_OUTPUT_MAX) {
			r = -EFBIG;
			break;
		}
		qnm_sb_addn(&sb, buf, (size_t)n);
	}
	close(fds[0]);
	if (r)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (r) {
		qnm_sb_free(&sb);
		return r;
	}
	*out = qnm_sb_steal(&sb);
	return 0;
}

bool qnm_doc_netdev_has(const char *text, const char *type)
{
	size_t n = strlen(type);
	const char *p = text;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len == n && memcmp(p, type, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* ---- the checks ---- */

/* The Debian package that has qemu-system-ARCH. */
static const struct {
	const char *arch_prefix;
	const char *package;
} qemu_packages[] = {
	{ "x86_64", "qemu-system-x86" },  { "i386", "qemu-system-x86" },
	{ "aarch64", "qemu-system-arm" }, { "arm", "qemu-system-arm" },
	{ "ppc", "qemu-system-ppc" },	  { "riscv", "qemu-system-misc" },
	{ "s390x", "qemu-system-s390x" }, { "mips", "qemu-system-mips" },
};

static const char *qemu_package(const char *arch)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(qemu_packages); i++)
		if (strncmp(arch, qemu_packages[i].arch_prefix,
			    strlen(qemu_packages[i].arch_prefix)) == 0)
			return qemu_packages[i].package;
	return "qemu-system-misc";
}

/* Whether a NIC of a VM of @arch uses the backend @b. */
static bool arch_uses(const struct qnm_model *model, const char *arch,
		      const struct qnm_backend_ops *b)
{
	size_t i, j;

	for (i = 0; i < model->nvms; i++) {
		const struct qnm_vm *vm = model->vms[i];

		if (strcmp(vm->arch, arch) != 0)
			continue;
		for (j = 0; j < vm->nnics; j++)
			if (vm->nics[j].backend == b->kind)
				return true;
	}
	return false;
}

static void check_qemu_arch(struct qnm_doc_env *env, const char *arch, struct qnm_doc_result *r)
{
	char *path = qnm_catalog_find_qemu(arch), *text = NULL;
	const char *pkg = qemu_package(arch);
	char *argv[4];
	const struct qnm_backend_ops *b;
	bool needs_slirp = false, any_vm = false;
	size_t i;
	int st = 0, ret;

	for (i = 0; i < env->model->nvms; i++)
		if (strcmp(env->model->vms[i]->arch, arch) == 0)
			any_vm = true;
	for (i = 0; (b = qnm_backend_get(i)); i++)
		if (b->needs_qemu_slirp && arch_uses(env->model, arch, b))
			needs_slirp = true;
	if (!path) {
		finding(r, any_vm ? QNM_DOC_FAIL : QNM_DOC_WARN,
			"qemu-system-%s is not in $PATH: %s", arch,
			any_vm ? "VMs of this architecture cannot start"
			       : "no VM can be started (qnm's default architecture)");
		fix(r, "apt-get install %s", pkg);
		return;
	}
	argv[0] = path;
	argv[1] = (char *)"-netdev";
	argv[2] = (char *)"help";
	argv[3] = NULL;
	ret = run_capture(argv, QEMU_TIMEOUT_MS, &text, &st);
	if (ret < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		finding(r, QNM_DOC_FAIL, "'%s -netdev help' %s", path,
			ret == -ETIMEDOUT ? "did not finish within 10 s"
			: ret < 0	  ? strerror(-ret)
					  : "failed: the binary is broken or not QEMU");
		fix(r, "apt-get install --reinstall %s", pkg);
		free(text);
		free(path);
		return;
	}
	if (!qnm_doc_netdev_has(text, "user")) {
		finding(r, needs_slirp ? QNM_DOC_FAIL : QNM_DOC_WARN,
			"%s was built without user-mode networking (libslirp): '-netdev help' does "
			"not list 'user', so backend=user NICs cannot work (backend=slirp, "
			"qnm's own helper, still can)",
			path);
		fix(r,
		    "install a QEMU built with libslirp: apt-get install %s (Debian's has it), "
		    "or use backend=slirp NICs",
		    pkg);
	} else {
		finding(r, QNM_DOC_OK,
			"%s offers user-mode networking ('-netdev help' lists 'user')", path);
	}
	/* the other backends' netdev types (user-mode networking is said above) */
	for (i = 0; (b = qnm_backend_get(i)); i++) {
		if (b->needs_qemu_slirp || !arch_uses(env->model, arch, b) ||
		    qnm_doc_netdev_has(text, b->netdev_type))
			continue;
		finding(r, QNM_DOC_FAIL,
			"%s does not offer '-netdev %s', which backend=%s NICs need", path,
			b->netdev_type, b->name);
		fix(r, "apt-get install %s", pkg);
	}
	free(text);
	free(path);
}

static void check_qemu(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_strv arches;
	size_t i, j;

	qnm_strv_init(&arches);
	for (i = 0; i < env->model->nvms; i++) {
		for (j = 0; j < arches.n; j++)
			if (strcmp(arches.v[j], env->model->vms[i]->arch) == 0)
				break;
		if (j == arches.n)
			qnm_strv_add(&arches, env->model->vms[i]->arch);
	}
	if (!arches.n)
		qnm_strv_add(&arches, QNM_QEMU_DEFAULT_ARCH);
	for (i = 0; i < arches.n; i++)
		check_qemu_arch(env, arches.v[i], r);
	qnm_strv_free(&arches);
}

static void check_kvm(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	const char *path = qnm_kvm_device();
	struct qnm_kvm_probe p;
	bool wants = false;
	enum qnm_doc_status bad;
	size_t i;
	int fd;

	for (i = 0; i < env->model->nvms; i++)
		if (env->model->vms[i]->accel == QNM_ACCEL_KVM)
			wants = true;
	bad = wants ? QNM_DOC_FAIL : QNM_DOC_WARN;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		finding(r, bad,
			"%s cannot be opened (%s): guests run without KVM, under TCG "
			"emulation (many times slower)%s",
			path, strerror(e), wants ? "; VMs with accel=kvm cannot start" : "");
		if (e == EACCES || e == EPERM) {
			fix(r, "usermod -aG kvm $USER   (then log in again)");
		} else {
			fix(r, "modprobe kvm_intel   (or kvm_amd on AMD)");
			fix(r, "enable virtualization (VT-x / AMD-V) in the firmware; inside a VM, "
			       "enable nested virtualization on its host");
		}
		return;
	}
	close(fd);
	/* opening is not running: boot a test guest with it once (cached) */
	qnm_kvm_probe("qemu-system-" QNM_QEMU_DEFAULT_ARCH, env->cache_dir, QNM_KVM_PROBE_MS, false,
		      &p);
	switch (p.verdict) {
	case QNM_KVM_RUNS:
		finding(r, QNM_DOC_OK, "%s runs guests (%s%s): accel=auto uses KVM", path, p.detail,
			p.cached ? ", cached" : "");
		return;
	case QNM_KVM_HANGS:
	case QNM_KVM_FAILS:
		finding(r, bad,
			"%s opens, but a test guest does not run with it: %s%s (as on a nested "
			"hypervisor without the features KVM needs); accel=auto uses TCG%s",
			path, p.detail, p.cached ? " (cached for a day)" : "",
			wants ? "; VMs with accel=kvm will not run" : "");
		if (wants)
			fix(r, "qnm set VM accel=auto   (or accel=tcg) for the VMs with accel=kvm");
		fix(r, "inside a VM: enable nested virtualization with the CPU features KVM "
		       "needs on its host (e.g. a host-passthrough CPU)");
		return;
	case QNM_KVM_UNTESTED:
		break;
	case QNM_KVM_NO_DEVICE:
		finding(r, bad, "%s", p.detail);
		fix(r, "modprobe kvm_intel   (or kvm_amd on AMD)");
		return;
	}
	finding(r, QNM_DOC_OK, "%s is usable (not tried with a guest: %s): accel=auto uses KVM",
		path, p.detail);
}

static bool needs_host_admin(const struct qnm_doc_env *env)
{
	return env->admin_nics || env->model->nnets;
}

static void check_tun(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	char why[512];

	if (qnm_tun_available(why, sizeof(why))) {
		finding(r, QNM_DOC_OK, "/dev/net/tun can be opened: TAP devices work");
		return;
	}
	finding(r, env->tun_nics ? QNM_DOC_FAIL : QNM_DOC_WARN, "%s%s", why,
		env->tun_nics ? "; tap NICs cannot start" : " (only tap and bridge NICs need it)");
	fix(r, "modprobe tun");
	fix(r, "run qnm as root, or give your user access to /dev/net/tun (mode 0666 is "
	       "Debian's default)");
}

static void check_cap(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	if (qnm_have_cap_net_admin()) {
		finding(r, QNM_DOC_OK,
			"qnm has CAP_NET_ADMIN: it can create bridges, TAPs, NAT "
			"rules and run DHCP");
		return;
	}
	if (!needs_host_admin(env)) {
		finding(r, QNM_DOC_OK,
			"no CAP_NET_ADMIN, and none needed: your VMs use user-mode "
			"or bridge-helper NICs only");
		return;
	}
	finding(r, QNM_DOC_FAIL,
		"no CAP_NET_ADMIN: 'qnm net up/down' and tap NICs need it (you have %zu "
		"network(s)%s); user-mode NICs still work",
		env->model->nnets, env->admin_nics ? " and tap NICs" : "");
	fix(r, "run qnm as root (sudo qnm ...)");
	fix(r, "or use backend=bridge NICs on a bridge the admin set up (QEMU's bridge helper)");
}

static void check_bridge_exists(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_strv seen;
	size_t i, j, k;

	qnm_strv_init(&seen);
	for (i = 0; i < env->model->nvms; i++)
		for (j = 0; j < env->model->vms[i]->nnics; j++) {
			const struct qnm_vm *vm = env->model->vms[i];
			const struct qnm_nic *nic = &vm->nics[j];
			const struct qnm_backend_ops *b = qnm_nic_backend(nic);
			const struct qnm_network *owner = NULL;
			const char *br;

			/* bridge NICs need it at start; a tap on a network gets it from net up */
			br = b->own_bridge ? b->own_bridge(nic) : NULL;
			if (!br || !br[0])
				continue;
			for (k = 0; k < seen.n && strcmp(seen.v[k], br) != 0; k++)
				;
			if (k < seen.n)
				continue;
			qnm_strv_add(&seen, br);
			if (bridge_exists(br)) {
				finding(r, QNM_DOC_OK, "bridge %s exists", br);
				continue;
			}
			for (k = 0; k < env->model->nnets && !owner; k++)
				if (strcmp(env->model->nets[k]->bridge, br) == 0)
					owner = env->model->nets[k];
			finding(r, QNM_DOC_WARN,
				"bridge %s (VM '%s' NIC '%s') does not exist on this host%s: "
				"the VM cannot start until it does",
				br, vm->name, nic->id,
				owner ? " (it is the bridge of a network that is down)" : "");
			if (owner)
				fix(r, "qnm net up %s", owner->name);
			else
				fix(r,
				    "create it (ip link add %s type bridge && ip link set %s up), "
				    "or point the NIC at an existing bridge",
				    br, br);
		}
	if (!seen.n)
		finding(r, QNM_DOC_SKIP, "no bridge or tap NIC names a bridge of its own");
	qnm_strv_free(&seen);
}

static void check_ip_forward(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_err err;
	bool on;
	size_t i;

	if (!env->nat_nets) {
		finding(r, QNM_DOC_SKIP, "no NAT network configured: forwarding is not needed");
		return;
	}
	qnm_err_clear(&err);
	if (qnm_ip_forward_get(&on, &err) < 0) {
		finding(r, QNM_DOC_WARN, "%s", err.msg);
		return;
	}
	if (on) {
		finding(r, QNM_DOC_OK, "net.ipv4.ip_forward is 1: NAT networks can route");
		return;
	}
	for (i = 0; i < env->model->nnets; i++) {
		const struct qnm_network *net = env->model->nets[i];

		if (net->mode != QNM_NET_NAT)
			continue;
		if (bridge_exists(net->bridge)) {
			finding(r, QNM_DOC_FAIL,
				"net.ipv4.ip_forward is 0 while NAT network %s is up (bridge %s): "
				"its guests cannot reach anything beyond this host",
				net->name, net->bridge);
			fix(r, "sysctl -w net.ipv4.ip_forward=1");
		} else {
			finding(r, QNM_DOC_WARN,
				"net.ipv4.ip_forward is 0: NAT network %s routes nothing until "
				"it is 1 ('qnm net up %s' sets it, as root)",
				net->name, net->name);
			fix(r, "qnm net up %s   (or: sysctl -w net.ipv4.ip_forward=1)", net->name);
		}
	}
}

static void check_ping(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	char path[512], buf[64];
	unsigned long lo, hi;
	gid_t gids[256];
	ssize_t n;
	int fd, ng;

	snprintf(path, sizeof(path), "%s/net/ipv4/ping_group_range", qnm_sysctl_dir());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		finding(r, QNM_DOC_SKIP, "%s cannot be read: %s", path, strerror(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (qnm_ping_range_parse(buf, &lo, &hi) < 0) {
		finding(r, QNM_DOC_WARN, "%s reads '%s', not two group ids", path, buf);
		return;
	}
	gids[0] = getegid();
	ng = getgroups((int)QNM_ARRAY_SIZE(gids) - 1, gids + 1);
	ng = ng < 0 ? 1 : ng + 1;
	if (qnm_ping_range_allows(lo, hi, gids, (size_t)ng)) {
		finding(r, QNM_DOC_OK,
			"net.ipv4.ping_group_range %lu-%lu includes your group %u: guests on "
			"user-mode networking can ping",
			lo, hi, (unsigned)getegid());
		return;
	}
	finding(r, env->ping_nics ? QNM_DOC_WARN : QNM_DOC_SKIP,
		"net.ipv4.ping_group_range is %lu-%lu%s, which excludes your groups: guests on "
		"user-mode networking (user, slirp) cannot ping outside; TCP and UDP work%s",
		lo, hi, lo > hi ? " (nobody)" : "",
		env->ping_nics ? "" : " (no user-mode NIC is configured)");
	fix(r, "sysctl -w net.ipv4.ping_group_range=\"%u %u\"", (unsigned)getegid(),
	    (unsigned)getegid());
}

static void compute_drops(struct qnm_doc_env *env)
{
	struct qnm_err err;

	if (env->drop_done)
		return;
	env->drop_done = true;
	qnm_err_clear(&err);
	env->drop_ret = env->nfwd_nets ? qnm_nft_check_foreign_drop(env->fwd_nets, env->nfwd_nets,
								    &env->drops, &err)
				       : 0;
	if (env->drop_ret < 0)
		qnm_strlcpy(env->drop_err, err.msg, sizeof(env->drop_err));
}

static void fix_iptables(struct qnm_doc_result *r, const char *br)
{
	fix(r,
	    "iptables -I FORWARD -i %s -j ACCEPT && iptables -I FORWARD -o %s -j ACCEPT   "
	    "(with Docker: insert them into chain DOCKER-USER instead)",
	    br, br);
}

static void fix_nft(struct qnm_doc_result *r, const char *br)
{
	fix(r,
	    "in that chain: nft insert rule FAMILY TABLE CHAIN iifname %s accept, and the "
	    "same with oifname %s",
	    br, br);
}

/* what each foreign drop looks like, and how to fix it (first match wins) */
static const struct {
	const char *match;
	const char *what;
	void (*fix)(struct qnm_doc_result *r, const char *br);
} drop_kinds[] = {
	{ "table ip filter, chain FORWARD ",
	  "iptables' FORWARD chain (iptables-nft; Docker sets its policy to DROP with "
	  "'iptables -P FORWARD DROP')",
	  fix_iptables },
	{ "table ", "another nftables table", fix_nft },
};

static void check_forward_drop(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	char names[256];
	size_t i, k;
	int fd;

	if (!env->nfwd_nets) {
		finding(r, QNM_DOC_SKIP,
			"no nat or bridged network configured: no forwarded "
			"traffic to drop");
		return;
	}
	compute_drops(env);
	if (env->drop_ret < 0) {
		finding(r, QNM_DOC_SKIP, "cannot read the firewall: %s", env->drop_err);
		fix(r, "run qnm doctor as root to check this");
		return;
	}
	for (i = 0; i < env->drops.n; i++) {
		const char *w = env->drops.v[i], *br = NULL;
		size_t j;

		for (k = 0; k < QNM_ARRAY_SIZE(drop_kinds); k++)
			if (strncmp(w, drop_kinds[k].match, strlen(drop_kinds[k].match)) == 0)
				break;
		if (k == QNM_ARRAY_SIZE(drop_kinds))
			k = QNM_ARRAY_SIZE(drop_kinds) - 1;
		finding(r, QNM_DOC_FAIL, "%s: %s", drop_kinds[k].what, w);
		for (j = 0; j < env->nfwd_nets && !br; j++)
			if (strstr(w, env->fwd_nets[j]->bridge))
				br = env->fwd_nets[j]->bridge;
		if (br)
			drop_kinds[k].fix(r, br);
	}
	if (!env->drops.n)
		finding(r, QNM_DOC_OK,
			"no other nftables table (iptables-nft included) drops the "
			"forwarded traffic of your networks");
	/* the legacy x_tables backend is invisible to nftables */
	fd = open("/proc/net/ip_tables_names", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, names, sizeof(names) - 1);

		close(fd);
		names[n > 0 ? n : 0] = '\0';
		if (strstr(names, "filter")) {
			finding(r, QNM_DOC_WARN,
				"legacy iptables (x_tables) has a filter table here, "
				"which qnm cannot read: its FORWARD policy may drop "
				"your networks' traffic too");
			fix(r, "iptables-legacy -S FORWARD   (look for '-P FORWARD DROP')");
		}
	}
}

static void check_br_netfilter(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	char path[512], buf[16];
	bool bridges = env->model->nnets || env->bridged_nics;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/net/bridge/bridge-nf-call-iptables", qnm_sysctl_dir());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		finding(r, QNM_DOC_OK,
			"br_netfilter is not loaded: frames switched inside a "
			"bridge do not pass through iptables");
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (buf[0] != '1') {
		finding(r, QNM_DOC_OK,
			"br_netfilter is loaded but net.bridge.bridge-nf-call-"
			"iptables is 0: bridged frames bypass iptables");
		return;
	}
	if (!bridges) {
		finding(r, QNM_DOC_SKIP,
			"br_netfilter is loaded with bridge-nf-call-iptables=1; "
			"no VM uses a bridge, so it does not matter here");
		return;
	}
	compute_drops(env);
	finding(r, env->drops.n ? QNM_DOC_FAIL : QNM_DOC_WARN,
		"br_netfilter is loaded and net.bridge.bridge-nf-call-iptables=1: frames between "
		"guests on the same bridge also go through the iptables/nftables FORWARD chains "
		"(not only routed traffic)%s",
		env->drops.n ? ", and a FORWARD chain here drops traffic (see forward_drop), so "
			       "guests on one bridge cannot even reach each other"
			     : "; a FORWARD policy of DROP (Docker) would cut guests off from each "
			       "other");
	fix(r, "sysctl -w net.bridge.bridge-nf-call-iptables=0   (when nothing else on this host "
	       "needs bridged frames filtered, e.g. Docker or Kubernetes do)");
}

static void check_dnsmasq(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	char path[4096];
	struct qnm_err err;

	qnm_err_clear(&err);
	if (qnm_dnsmasq_find(path, sizeof(path), &err) == 0) {
		finding(r, QNM_DOC_OK, "%s: networks can hand out addresses (DHCP)", path);
		return;
	}
	finding(r, env->dhcp_nets ? QNM_DOC_FAIL : QNM_DOC_SKIP, "%s%s", err.msg,
		env->dhcp_nets ? "; networks with a DHCP range cannot come up"
			       : " (no network has a DHCP range)");
	fix(r, "apt-get install dnsmasq-base");
}

/* Whether qnm's built-in list (QEMU's x86 models) can judge a model name of @arch. */
static bool builtin_judges(const char *arch)
{
	return strcmp(arch, "x86_64") == 0 || strcmp(arch, "i386") == 0;
}

/* The NICs of VMs of @arch whose saved model QEMU of @arch does not have (hand-edited files). */
static void check_models_arch(struct qnm_doc_env *env, const char *arch, size_t *nnics,
			      struct qnm_doc_result *r)
{
	struct qnm_catalog *cat = NULL;
	struct qnm_err err;
	size_t i, j;

	if (qnm_catalog_load(arch, NULL, env->cache_dir, QEMU_TIMEOUT_MS, &cat, &err)) {
		finding(r, QNM_DOC_WARN, "NIC models of %s VMs not checked: %s", arch, err.msg);
		return;
	}
	if (cat->source == QNM_CATALOG_BUILTIN && !builtin_judges(arch)) {
		finding(r, QNM_DOC_SKIP, "NIC models of %s VMs not checked: %s", arch,
			cat->note ? cat->note : "no catalog of this target");
		qnm_catalog_free(cat);
		return;
	}
	for (i = 0; i < env->model->nvms; i++) {
		const struct qnm_vm *vm = env->model->vms[i];

		if (strcmp(vm->arch, arch) != 0)
			continue;
		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_nic *nic = &vm->nics[j];
			const struct qnm_nic_model *m;

			(*nnics)++;
			if (qnm_catalog_find(cat, nic->model))
				continue; /* a name or alias QEMU takes as it is */
			qnm_err_clear(&err);
			m = qnm_catalog_resolve(cat, nic->model, &err);
			if (m) {
				finding(r, QNM_DOC_FAIL,
					"VM %s NIC %s: QEMU knows model '%s' as %s; its -device "
					"takes no other spelling, the VM cannot start",
					vm->name, nic->id, nic->model, m->name);
			} else {
				finding(r, QNM_DOC_FAIL, "VM %s NIC %s: %s; the VM cannot start",
					vm->name, nic->id, err.msg);
			}
			if (!m)
				m = qnm_catalog_closest(cat, nic->model);
			fix(r, "qnm nic set %s %s model=%s", vm->name, nic->id,
			    m ? m->name : "MODEL   ('qnm models' lists them)");
		}
	}
	qnm_catalog_free(cat);
}

static void check_models(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_strv arches;
	size_t i, j, nnics = 0;

	qnm_strv_init(&arches);
	for (i = 0; i < env->model->nvms; i++) {
		for (j = 0; j < arches.n; j++)
			if (strcmp(arches.v[j], env->model->vms[i]->arch) == 0)
				break;
		if (j == arches.n && env->model->vms[i]->nnics)
			qnm_strv_add(&arches, env->model->vms[i]->arch);
	}
	for (i = 0; i < arches.n; i++)
		check_models_arch(env, arches.v[i], &nnics, r);
	if (!arches.n)
		finding(r, QNM_DOC_SKIP, "no VM has a NIC");
	else if (r->status == QNM_DOC_OK)
		finding(r, QNM_DOC_OK, "the %zu configured NICs use models QEMU has", nnics);
	qnm_strv_free(&arches);
}

static void check_mac_config(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_mac_clash *c;
	size_t n, i;

	qnm_mac_clashes(env->model, &c, &n);
	for (i = 0; i < n; i++) {
		char *t = qnm_mac_clash_text(&c[i]);

		finding(r, QNM_DOC_FAIL,
			"%s: on one bridge the two guests steal each other's "
			"traffic",
			t);
		fix(r, "qnm nic set %s %s mac=   (empty: qnm picks a new unique MAC)", c[i].vm_b,
		    c[i].nic_b);
		free(t);
	}
	free(c);
	if (!n)
		finding(r, QNM_DOC_OK, "every configured NIC has its own MAC");
}

static void check_mac_live(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	size_t i, j, total = 0;
	bool any = false;

	for (i = 0; i < env->model->nvms; i++) {
		const struct qnm_vm *vm = env->model->vms[i];
		struct qnm_mac_live_clash *c;
		struct qnm_err err;
		struct qnm_strv own;
		size_t n;

		if (qnm_vm_running_pid(env->runtime_dir, vm->name)) {
			for (j = 0; j < vm->nnics; j++)
				if (qnm_nic_live_bridge(env->model, &vm->nics[j]))
					any = true;
			finding(r, QNM_DOC_OK,
				"VM '%s' is running: its MACs on its bridges are its "
				"own, not a clash",
				vm->name);
			continue;
		}
		/* its own configured TAPs (in case it runs without qnm knowing) */
		qnm_strv_init(&own);
		for (j = 0; j < vm->nnics; j++) {
			const struct qnm_backend_ops *b = qnm_nic_backend(&vm->nics[j]);
			char ifname[QNM_IFNAME_MAX + 1];

			if (qnm_nic_live_bridge(env->model, &vm->nics[j]))
				any = true;
			if (b->host_ifname && b->host_ifname(vm, j, ifname))
				qnm_strv_add(&own, ifname);
		}
		qnm_err_clear(&err);
		if (qnm_mac_live_clashes(env->model, vm, (const char *const *)own.v, own.n, &c, &n,
					 &err) < 0) {
			finding(r, QNM_DOC_SKIP, "VM '%s': %s", vm->name, err.msg);
			qnm_strv_free(&own);
			continue;
		}
		for (j = 0; j < n; j++) {
			char *t = qnm_mac_live_clash_text(&c[j]);

			finding(r, QNM_DOC_WARN,
				"%s: if another machine uses it, starting '%s' makes "
				"them fight over it",
				t, vm->name);
			fix(r, "qnm nic set %s %s mac=   (a new unique MAC)", vm->name, c[j].nic);
			free(t);
		}
		total += n;
		free(c);
		qnm_strv_free(&own);
	}
	if (!any)
		finding(r, QNM_DOC_SKIP, "no VM has a NIC on a bridge");
	else if (!total)
		finding(r, QNM_DOC_OK,
			"no MAC of a bridged NIC is in the neighbour table or fdb of "
			"its bridge");
}

static void check_ports(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_port_table t;
	size_t i, held = 0, own = 0;

	qnm_port_table_build(env->model, env->runtime_dir, false, &t);
	if (!t.n) {
		finding(r, QNM_DOC_SKIP, "no host port is forwarded");
		goto out;
	}
	if (t.socks_ret < 0) {
		finding(r, QNM_DOC_SKIP, "%s", t.socks_err);
		goto out;
	}
	for (i = 0; i < t.n; i++) {
		const struct qnm_port_entry *e = &t.v[i];
		char who[128];

		if (!e->holder.found)
			continue;
		if (e->holder_vm[0] && strcmp(e->holder_vm, e->vm) == 0) {
			finding(r, QNM_DOC_OK,
				"host port %s/%u is held by VM '%s' itself (running)",
				qnm_proto_name(e->holder.sock.proto), e->holder.sock.port, e->vm);
			own++;
			continue;
		}
		held++;
		qnm_port_holder_text(&e->holder, who, sizeof(who));
		if (e->kind == QNM_PORT_DNAT) {
			finding(r, QNM_DOC_WARN,
				"host port %s/%u (DNAT into network %s) is also held by %s: "
				"connections to it on this host go to the guest, not to it",
				qnm_proto_name(e->holder.sock.proto), e->holder.sock.port, e->net,
				who);
			continue;
		}
		if (e->holder_vm[0])
			snprintf(who, sizeof(who), "VM '%s' (its QEMU, pid %d)", e->holder_vm,
				 (int)e->holder.pid);
		finding(r, QNM_DOC_WARN,
			"host port %s/%u of VM '%s' NIC '%s' is in use by %s: the VM will not "
			"start with this forward",
			qnm_proto_name(e->holder.sock.proto), e->holder.sock.port, e->vm, e->nic,
			who);
		fix(r, "stop %s, or move the forward: qnm forward del --vm %s %s:%s:%u", who, e->vm,
		    qnm_proto_name(e->fwd.proto), e->fwd.host_addr, e->fwd.host_port);
	}
	if (!held && own < t.n)
		finding(r, QNM_DOC_OK, "%s %zu forwarded host port(s) are free",
			own ? "the other" : "all", t.n - own);
out:
	qnm_port_table_clear(&t);
}

/* is single forward @one (host side and target) among @live? */
static bool single_in(const struct qnm_fwd *live, size_t n, const struct qnm_fwd *one)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (live[i].proto == one->proto && live[i].host_port == one->host_port &&
		    strcmp(live[i].host_addr, one->host_addr) == 0 &&
		    strcmp(live[i].guest_addr, one->guest_addr) == 0 &&
		    live[i].guest_port == one->guest_port)
			return true;
	return false;
}

/* is forward @f among @live: every port of a range, each protocol of tcp+udp? */
static bool fwd_in(const struct qnm_fwd *live, size_t n, const struct qnm_fwd *f)
{
	size_t k, nk = qnm_fwd_count(f);
	struct qnm_fwd one;

	for (k = 0; k < nk; k++) {
		qnm_fwd_nth(f, k, &one);
		if (!single_in(live, n, &one))
			return false;
	}
	return true;
}

/* one network's forwards on 127.0.0.0/8, the network being up (its bridge exists) */
static void check_localnet_net(const struct qnm_network *net, const struct qnm_fwd *live,
			       size_t nlive, struct qnm_fwdpath *p, struct qnm_doc_result *r)
{
	char d[QNM_FWD_TEXT_LEN], why[256];
	size_t k;

	for (k = 0; k < net->nfwd; k++) {
		const struct qnm_fwd *f = &net->fwd[k];

		if (qnm_fwd_reach(f) != QNM_REACH_HOST)
			continue;
		qnm_fwd_format(f, d, sizeof(d));
		if (!fwd_in(live, nlive, f)) {
			finding(r, QNM_DOC_FAIL,
				"forward %s of network %s is not in table inet qnm: connections "
				"to %s:%u on this host reach nothing",
				d, net->name, f->host_addr, (unsigned)f->host_port);
			fix(r, "qnm net up %s", net->name);
		} else if (!qnm_fwdpath_check(p, net, f, why, sizeof(why))) {
			finding(r, QNM_DOC_FAIL,
				"forward %s of network %s cannot carry traffic: %s", d, net->name,
				why);
			fix(r, "qnm net up %s", net->name);
		} else {
			finding(r, QNM_DOC_OK,
				"forward %s of network %s: this host reaches %s:%u through it (rule, "
				"route_localnet on %s and its masquerade in place)",
				d, net->name, f->guest_addr, (unsigned)f->guest_port, net->bridge);
		}
	}
}

static bool has_localnet_fwd(const struct qnm_network *net)
{
	size_t k;

	for (k = 0; k < net->nfwd; k++)
		if (qnm_fwd_reach(&net->fwd[k]) == QNM_REACH_HOST)
			return true;
	return false;
}

/*
 * Forwards on 127.0.0.1 into networks that are up: each needs its map
 * element, the bridge up, route_localnet on the bridge and the bridge's
 * localnet masquerade (watch/fwdpath.h).
 */
static void check_localnet(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_fwd *live = NULL;
	struct qnm_fwdpath p;
	struct qnm_err err;
	size_t nlive = 0, i, seen = 0;
	int ret = 1;

	qnm_fwdpath_init(&p);
	for (i = 0; i < env->model->nnets; i++) {
		const struct qnm_network *net = env->model->nets[i];

		if (!has_localnet_fwd(net))
			continue;
		seen++;
		if (!bridge_exists(net->bridge)) {
			finding(r, QNM_DOC_SKIP,
				"network %s is down: its forwards on 127.0.0.1 apply when it is up",
				net->name);
			continue;
		}
		if (ret == 1) {
			qnm_err_clear(&err);
			ret = qnm_nft_read_forwards(&live, &nlive, &err);
			if (ret < 0 && ret != -ENOENT) {
				finding(r, QNM_DOC_WARN, "%s", err.msg);
				break;
			}
		}
		check_localnet_net(net, live, nlive, &p, r);
	}
	if (!seen)
		finding(r, QNM_DOC_SKIP, "no network forward on 127.0.0.1");
	free(live);
	qnm_fwdpath_clear(&p);
}

/* a TAP record whose owner is not all there (leftover.h), in words */
static void tap_record_finding(struct qnm_doc_result *r, const struct qnm_tap_record *t)
{
	char where[64] = "";

	if (t->bridge[0])
		snprintf(where, sizeof(where), " (on bridge %s)", t->bridge);
	if (t->state == QNM_TAP_OWNER_ORPHAN) {
		finding(r, QNM_DOC_WARN,
			"VM '%s' runs without its supervisor (pid %ld is gone): when its QEMU "
			"(pid %ld) ends, nothing records how or removes TAP %s%s",
			t->vm, (long)t->sup, (long)t->qemu, t->ifname, where);
		fix(r, "qnm stop %s   (stops the guest and removes what its supervisor would have)",
		    t->vm);
		return;
	}
	if (!t->link)
		finding(r, QNM_DOC_WARN,
			"qnm's record of TAP %s (made for VM '%s') is left over: the TAP itself "
			"is gone",
			t->ifname, t->vm[0] ? t->vm : "?");
	else if (!t->is_tap)
		finding(r, QNM_DOC_WARN,
			"qnm's record of TAP %s (made for VM '%s') is left over, and an "
			"interface of that name that is not a TAP exists now: qnm leaves it alone",
			t->ifname, t->vm[0] ? t->vm : "?");
	else
		finding(r, QNM_DOC_WARN,
			"TAP %s was made by qnm for VM '%s'; its supervisor (pid %ld) and QEMU "
			"(pid %ld) are gone: the TAP%s is left over (a supervisor killed before it "
			"could remove it)",
			t->ifname, t->vm[0] ? t->vm : "?", (long)t->sup, (long)t->qemu, where);
	if (t->vm[0])
		fix(r, "qnm stop %s   (or its next qnm start) removes it", t->vm);
}

static void check_leftovers(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_tap_record *v = NULL;
	size_t i, n = 0, alive = 0;

	if (!env->runtime_dir) {
		finding(r, QNM_DOC_SKIP, "no runtime directory to look in");
		return;
	}
	if (qnm_tap_records(env->runtime_dir, &v, &n) < 0) {
		finding(r, QNM_DOC_SKIP, "qnm's ownership records in %s cannot be read",
			env->runtime_dir);
		return;
	}
	for (i = 0; i < n; i++) {
		if (v[i].state == QNM_TAP_OWNER_ALIVE)
			alive++;
		else
			tap_record_finding(r, &v[i]);
	}
	if (alive == n)
		finding(r, QNM_DOC_OK,
			"no TAP qnm made is left over by a killed guest (%zu in use by running "
			"guests)",
			alive);
	free(v);
}

/* ---- networks: what qnm recorded against what the host has (crash leftovers) ---- */

/**
 * struct net_seen - what the host has of one network, for check_networks().
 * @has:   the parts found, as words for a sentence ("bridge qnmbr0 (qnm's)").
 * @nhas:  how many parts of the network's own (not counting the uplink).
 */
struct net_seen {
	struct qnm_strv has;
	size_t nhas;
};

/* @v joined with ", " (caller frees) */
static char *strv_join(const struct qnm_strv *v, const char *sep)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	qnm_sb_add(&sb, "");
	for (i = 0; i < v->n; i++)
		qnm_sb_addf(&sb, "%s%s", i ? sep : "", v->v[i]);
	return qnm_sb_steal(&sb);
}

/* live element @b (one port, tcp or udp) is one of configured forward @a's, both sides */
static bool fwd_same(const struct qnm_fwd *a, const struct qnm_fwd *b)
{
	return qnm_fwd_covers(a, b->proto, b->host_port) &&
	       b->guest_port - a->guest_port == b->host_port - a->host_port &&
	       strcmp(a->host_addr, b->host_addr) == 0 && strcmp(a->guest_addr, b->guest_addr) == 0;
}

static bool strv_has(const struct qnm_strv *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return true;
	return false;
}

static void seen_add(struct net_seen *sn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void seen_add(struct net_seen *sn, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	qnm_strv_add(&sn->has, buf);
	sn->nhas++;
}

/* the parts of @net on this host: its bridge, its dnsmasq, its rules, its records */
static void net_look(const struct qnm_network *net, const struct qnm_owner *o, const char *rundir,
		     const struct qnm_strv *ifnames, struct net_seen *sn)
{
	const struct qnm_own_rec *rec;
	pid_t pids[8];
	size_t i, n;

	qnm_strv_init(&sn->has);
	sn->nhas = 0;
	rec = qnm_owner_find(o, QNM_OWN_BRIDGE, net->bridge);
	if (!rec)
		rec = qnm_owner_find_pending(o, QNM_OWN_BRIDGE, net->bridge);
	if (bridge_exists(net->bridge) && rec)
		seen_add(sn, "bridge %s (qnm's)", net->bridge);
	else if (rec)
		seen_add(sn, "a record of bridge %s, which does not exist", net->bridge);
	if (strv_has(ifnames, net->bridge))
		seen_add(sn, "its rules in table inet qnm");
	n = qnm_dnsmasq_scan(rundir, net->name, pids, QNM_ARRAY_SIZE(pids));
	rec = qnm_owner_find(o, QNM_OWN_DNSMASQ, net->name);
	for (i = 0; i < n && i < QNM_ARRAY_SIZE(pids); i++)
		seen_add(sn, "dnsmasq pid %d%s", (int)pids[i],
			 rec && atoi(rec->extra) == pids[i] ? "" : " (not recorded)");
	if (!n && rec)
		seen_add(sn, "a record of a dnsmasq that no longer runs");
	else if (!n && qnm_owner_find_pending(o, QNM_OWN_DNSMASQ, net->name))
		seen_add(sn, "a dnsmasq about to be started or stopped (none runs)");
	rec = qnm_owner_find(o, QNM_OWN_ADDR, net->bridge);
	if (rec)
		seen_add(sn, "address %s qnm put on %s", rec->extra, net->bridge);
	if (net->port[0] && qnm_owner_find(o, QNM_OWN_PORT, net->port))
		seen_add(sn, "port %s in %s", net->port, net->bridge);
	if (net->port[0] && qnm_owner_find(o, QNM_OWN_HOSTIP, net->port))
		seen_add(sn, "the host's addresses and routes of %s on %s (moved by qnm)",
			 net->port, net->bridge);
	else if (net->port[0] && qnm_owner_find_pending(o, QNM_OWN_HOSTIP, net->port))
		seen_add(sn,
			 "a move of the host's addresses between %s and %s cut short (the next "
			 "qnm net up or down first puts them back on %s as recorded)",
			 net->port, net->bridge, net->port);
}

/* every part of an up network is there */
static bool net_complete(const struct qnm_network *net, const struct qnm_owner *o,
			 const char *rundir, const struct qnm_strv *ifnames,
			 struct qnm_strv *missing)
{
	const struct qnm_own_rec *rec = qnm_owner_find(o, QNM_OWN_DNSMASQ, net->name);

	if (net->mode == QNM_NET_OVN)
		return true; /* nothing of it on the host: its databases (check ovn_chassis) */
	if (!bridge_exists(net->bridge))
		qnm_strv_addf(missing, "bridge %s is gone", net->bridge);
	if (!strv_has(ifnames, net->bridge))
		qnm_strv_add(missing, "table inet qnm has no rules for it");
	if (net->mode != QNM_NET_BRIDGED && net->dhcp_start[0] &&
	    !(rec && qnm_own_rec_proc_alive(rec) &&
	      qnm_dnsmasq_is_ours((pid_t)atoi(rec->extra), rundir, net->name)))
		qnm_strv_add(missing, "its dnsmasq does not run");
	return missing->n == 0;
}

static void fwd_text(const struct qnm_fwd *f, char *buf, size_t size)
{
	char hp[16], gp[16];

	qnm_ports_text(f->host_port, f->span, hp, sizeof(hp));
	qnm_ports_text(f->guest_port, f->span, gp, sizeof(gp));
	snprintf(buf, size, "%s %s:%s -> %s:%s", qnm_proto_name(f->proto),
		 f->host_addr[0] ? f->host_addr : "", hp, f->guest_addr, gp);
}

/* the live DNAT forwards against the configured forwards of the networks that are up */
static void check_net_forwards(struct qnm_doc_env *env, const struct qnm_owner *o,
			       struct qnm_doc_result *r)
{
	const struct qnm_network *first = NULL;
	struct qnm_fwd *live = NULL;
	size_t nlive = 0, i, j, k;
	char t[160];

	for (i = 0; i < env->model->nnets && !first; i++)
		if (qnm_owner_find(o, QNM_OWN_NET, env->model->nets[i]->name))
			first = env->model->nets[i];
	if (!first || qnm_nft_read_forwards(&live, &nlive, NULL) < 0)
		return;
	for (k = 0; k < nlive; k++) {
		bool found = false;

		for (i = 0; i < env->model->nnets && !found; i++) {
			const struct qnm_network *net = env->model->nets[i];

			for (j = 0; net && j < net->nfwd && !found; j++)
				found = fwd_same(&net->fwd[j], &live[k]);
		}
		if (found)
			continue;
		fwd_text(&live[k], t, sizeof(t));
		finding(r, QNM_DOC_WARN,
			"forward %s is in table inet qnm but in no network's configuration (a "
			"'qnm forward add' or 'del' that did not finish)",
			t);
		fix(r, "qnm net up %s   (rewrites table inet qnm from the configuration)",
		    first->name);
	}
	for (i = 0; i < env->model->nnets; i++) {
		const struct qnm_network *net = env->model->nets[i];

		if (!net || !qnm_owner_find(o, QNM_OWN_NET, net->name))
			continue;
		for (j = 0; j < net->nfwd; j++) {
			if (fwd_in(live, nlive, &net->fwd[j]))
				continue;
			fwd_text(&net->fwd[j], t, sizeof(t));
			finding(r, QNM_DOC_WARN,
				"forward %s of network %s is configured but not in table inet qnm",
				t, net->name);
			fix(r, "qnm net up %s", net->name);
		}
	}
	free(live);
}

static void check_networks(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	struct qnm_strv ifnames, missing;
	const struct qnm_own_rec *rec;
	const char *nat = NULL;
	struct qnm_owner o;
	struct qnm_err err;
	/* the forwarding switches net up records, each needed by NAT networks (with IPv6) */
	static const char *const fwd_recs[] = { "net.ipv4.ip_forward",
						"net.ipv6.conf.all.forwarding" };
	bool nat_up = false, any_up = false, table, needs[2] = { false, false };
	size_t i;

	if (!env->runtime_dir || !env->model->nnets) {
		finding(r, QNM_DOC_SKIP, "no network configured");
		return;
	}
	qnm_err_clear(&err);
	if (qnm_owner_open(&o, env->runtime_dir, &err) < 0) {
		finding(r, QNM_DOC_WARN, "cannot read what qnm recorded: %s", err.msg);
		return;
	}
	qnm_strv_init(&ifnames);
	table = qnm_nft_table_exists(NULL) == 1;
	if (table && qnm_nft_read_ifnames(&ifnames, &err) < 0)
		finding(r, QNM_DOC_SKIP, "cannot read table inet qnm: %s", err.msg);
	for (i = 0; i < env->model->nnets; i++) {
		const struct qnm_network *net = env->model->nets[i];
		struct net_seen sn;
		char *has;

		if (net->mode == QNM_NET_NAT && !nat)
			nat = net->name;
		net_look(net, &o, env->runtime_dir, &ifnames, &sn);
		has = strv_join(&sn.has, ", ");
		rec = qnm_owner_find_pending(&o, QNM_OWN_NET, net->name);
		if (rec && !qnm_own_rec_abandoned(rec)) {
			finding(r, QNM_DOC_OK,
				"network %s is being brought up or down right now (qnm pid %d)",
				net->name, rec->pending);
		} else if (rec) {
			finding(r, QNM_DOC_WARN,
				"network %s is half up: a qnm bringing it up or down (pid %d) was killed "
				"before it finished; on the host now: %s",
				net->name, rec->pending, sn.nhas ? has : "nothing of it");
			fix(r, "qnm net up %s   (finishes bringing it up)", net->name);
			fix(r, "qnm net down %s   (undoes it)", net->name);
		} else if (qnm_owner_find(&o, QNM_OWN_NET, net->name)) {
			any_up = true;
			nat_up |= net->mode == QNM_NET_NAT;
			needs[1] |= net->mode == QNM_NET_NAT && qnm_net_has_ipv6(net);
			qnm_strv_init(&missing);
			if (net_complete(net, &o, env->runtime_dir, &ifnames, &missing)) {
				finding(r, QNM_DOC_OK, "network %s is up: %s", net->name, has);
			} else {
				char *m = strv_join(&missing, "; ");

				finding(r, QNM_DOC_WARN, "network %s is recorded up but %s",
					net->name, m);
				fix(r, "qnm net up %s   (puts back what is missing)", net->name);
				free(m);
			}
			qnm_strv_free(&missing);
		} else if (sn.nhas) {
			finding(r, QNM_DOC_WARN,
				"network %s is down, but left on the host: %s (a qnm net up or down of "
				"it that did not finish)",
				net->name, has);
			fix(r, "qnm net down %s", net->name);
		} else {
			finding(r, QNM_DOC_OK, "network %s is down: nothing of it on this host",
				net->name);
		}
		free(has);
		qnm_strv_free(&sn.has);
	}
	needs[0] = nat_up;
	for (i = 0; i < QNM_ARRAY_SIZE(fwd_recs); i++) {
		rec = qnm_owner_find(&o, QNM_OWN_SYSCTL, fwd_recs[i]);
		if (!rec)
			rec = qnm_owner_find_pending(&o, QNM_OWN_SYSCTL, fwd_recs[i]);
		if (!rec || needs[i])
			continue;
		finding(r, QNM_DOC_WARN,
			"qnm set %s to 1 (it was %s) and no NAT network%s is up: it stays 1 "
			"until a qnm net down",
			fwd_recs[i], rec->extra, i ? " with IPv6" : "");
		fix(r, "qnm net down %s   (puts back %s)", nat ? nat : env->model->nets[0]->name,
		    rec->extra);
	}
	if (table && !any_up) {
		bool recorded = qnm_owner_find(&o, QNM_OWN_NFT, "inet-qnm") ||
				qnm_owner_find_pending(&o, QNM_OWN_NFT, "inet-qnm");

		finding(r, QNM_DOC_WARN, "table inet qnm exists while no qnm network is up%s",
			recorded ? "" : " (and qnm has no record of making it)");
		if (recorded)
			fix(r, "qnm net down %s", env->model->nets[0]->name);
		else
			fix(r, "nft delete table inet qnm");
	}
	if (table)
		check_net_forwards(env, &o, r);
	qnm_strv_free(&ifnames);
	qnm_owner_clear(&o);
}

static const struct qnm_doc_check checks[] = {
	{ "qemu", "QEMU binary with user-mode networking", check_qemu },
	{ "kvm", "/dev/kvm usable", check_kvm },
	{ "tun", "/dev/net/tun access", check_tun },
	{ "cap_net_admin", "privilege for host networking (CAP_NET_ADMIN)", check_cap },
	{ NULL, NULL, NULL }, /* here: the backends' own checks (struct qnm_backend_check) */
	{ "bridge_exists", "bridges named by NICs exist", check_bridge_exists },
	{ "networks", "networks as qnm recorded them (nothing half up or left behind)",
	  check_networks },
	{ "ip_forward", "IPv4 forwarding for NAT networks", check_ip_forward },
	{ "ping_group_range", "guest ping on user-mode networking", check_ping },
	{ "forward_drop", "other firewall tables dropping forwarded traffic", check_forward_drop },
	{ "br_netfilter", "bridged frames sent through iptables", check_br_netfilter },
	{ "dnsmasq", "dnsmasq for DHCP on networks", check_dnsmasq },
	{ "nic_models", "NIC models QEMU has", check_models },
	{ "mac_config", "MAC clashes among configured VMs", check_mac_config },
	{ "mac_live", "MAC clashes with the live bridges", check_mac_live },
	{ "host_ports", "forwarded host ports free", check_ports },
	{ "localnet_forwards", "network forwards on 127.0.0.1 reach their guests", check_localnet },
	{ "guest_leftovers", "what killed guest supervisors left behind (TAPs)", check_leftovers },
};

/* a backend's own check: the one qnm_doctor_run() put in @env */
static void run_backend_check(struct qnm_doc_env *env, struct qnm_doc_result *r)
{
	env->backend_check->run(env->model, r);
}

/* How many checks all backends bring, at most. */
#define BACKEND_CHECKS_MAX 16

/*
 * The whole table: checks[] with the backends' checks (in backend table
 * order) at its NULL entry; @be[i] is the backend check of entry i, or NULL.
 * Built once (the backends are static).
 */
static const struct qnm_doc_check *all_checks(size_t *n, const struct qnm_backend_check *const **be)
{
	static struct qnm_doc_check table[QNM_ARRAY_SIZE(checks) + BACKEND_CHECKS_MAX];
	static const struct qnm_backend_check *table_be[QNM_ARRAY_SIZE(table)];
	static size_t len;
	static bool built;
	const struct qnm_backend_ops *b;
	size_t i, j, k;

	for (i = 0; !built && i < QNM_ARRAY_SIZE(checks); i++) {
		if (checks[i].run) {
			table[len++] = checks[i];
			continue;
		}
		for (k = 0; (b = qnm_backend_get(k)); k++)
			for (j = 0; j < b->nchecks; j++) {
				assert(len < QNM_ARRAY_SIZE(table));
				table[len].id = b->checks[j].id;
				table[len].title = b->checks[j].title;
				table[len].run = run_backend_check;
				table_be[len++] = &b->checks[j];
			}
	}
	built = true;
	*n = len;
	if (be)
		*be = table_be;
	return table;
}

const struct qnm_doc_check *qnm_doctor_checks(size_t *n)
{
	return all_checks(n, NULL);
}

static void env_init(struct qnm_doc_env *env, const struct qnm_model *model,
		     const char *runtime_dir, const char *cache_dir)
{
	size_t i, j;

	memset(env, 0, sizeof(*env));
	env->model = model;
	env->runtime_dir = runtime_dir;
	env->cache_dir = cache_dir;
	qnm_strv_init(&env->drops);
	for (i = 0; i < model->nvms; i++)
		for (j = 0; j < model->vms[i]->nnics; j++) {
			const struct qnm_backend_ops *b = qnm_nic_backend(&model->vms[i]->nics[j]);

			if (!b)
				continue;
			env->ping_nics |= b->needs_ping_group;
			env->tun_nics |= b->opens_tun;
			env->admin_nics |= b->needs_net_admin;
			env->bridged_nics |= b->on_bridge;
		}
	env->fwd_nets = xcalloc(model->nnets + 1, sizeof(*env->fwd_nets));
	for (i = 0; i < model->nnets; i++) {
		struct qnm_network *net = model->nets[i];

		env->dhcp_nets |= net->dhcp_start[0] != '\0';
		env->nat_nets |= net->mode == QNM_NET_NAT;
		if (net->mode != QNM_NET_ISOLATED)
			env->fwd_nets[env->nfwd_nets++] = net;
	}
}

static void env_clear(struct qnm_doc_env *env)
{
	free(env->fwd_nets);
	qnm_strv_free(&env->drops);
}

int qnm_doctor_run(const struct qnm_model *model, const char *runtime_dir, const char *cache_dir,
		   const char *only, struct qnm_doctor_report *rep)
{
	const struct qnm_backend_check *const *be;
	const struct qnm_doc_check *table;
	struct qnm_doc_env env;
	size_t i, n;

	memset(rep, 0, sizeof(*rep));
	table = all_checks(&n, &be);
	for (i = 0; only && i < n; i++)
		if (strcmp(table[i].id, only) == 0)
			break;
	if (only && i == n)
		return -ENOENT;
	env_init(&env, model, runtime_dir, cache_dir);
	rep->v = xcalloc(n, sizeof(*rep->v));
	for (i = 0; i < n; i++) {
		struct qnm_doctor_item *it;

		if (only && strcmp(table[i].id, only) != 0)
			continue;
		it = &rep->v[rep->n++];
		it->check = &table[i];
		qnm_doc_result_init(&it->res);
		env.backend_check = be[i];
		table[i].run(&env, &it->res);
		rep->count[it->res.status]++;
	}
	env_clear(&env);
	return 0;
}

void qnm_doctor_report_clear(struct qnm_doctor_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		qnm_doc_result_clear(&rep->v[i].res);
	free(rep->v);
	memset(rep, 0, sizeof(*rep));
}
