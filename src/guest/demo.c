// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * demo.c - build the tiny demo/test guest from the host's packages: the
 * uncompressed kernel cut out of /boot/vmlinuz-VER and a busybox initramfs
 * (cpio "newc" written here, compressed by gzip). See demo.h.
 */
#include "build-config.h"

#include "guest/demo.h"

#include "core/config.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

extern char **environ;

/* Bump when the initramfs layout or scripts change: cached images are rebuilt. */
#define DEMO_LAYOUT 9

static const char demo_append[] = "console=ttyS0 quiet cryptomgr.notests panic=-1";

const char *qnm_demo_append(void)
{
	return demo_append;
}

/* ---- the guest's files ---- */

static const char guest_init[] =
	"#!/bin/sh\n"
	"# /init of qnm's tiny guest (built by qnm demo; see src/demo.h)\n"
	"export PATH=/bin:/sbin:/usr/bin:/usr/sbin\n"
	"/bin/busybox --install -s\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev\n"
	"echo \"qnm-guest: kernel $(uname -r), loading drivers\"\n"
	"while read -r m; do insmod \"/lib/modules/$m.ko\" 2>/dev/null; done < /etc/qnm/modules\n"
	"ip link set lo up\n"
	"hostname qnm-guest\n"
	"# acpid opens /dev/input/event* once: wait (up to 30 s: a guest under\n"
	"# TCG on a busy host boots slowly) for the power button and for a node of\n"
	"# every input device (devtmpfs may create them after init has started;\n"
	"# a missed button leaves 'qnm stop' waiting)\n"
	"_n=0\n"
	"while ! grep -qs 'Power Button' /sys/class/input/input*/name ||\n"
	"\t[ \"$(ls /sys/class/input | grep -c '^event')\" != \"$(ls /dev/input | grep -c '^event')\" ]; do\n"
	"\t_n=$((_n + 1)); [ $_n -gt 300 ] && break; sleep 0.1\n"
	"done\n"
	"acpid -c /etc/acpi -l /var/log/acpid.log\n"
	"S=/sys/firmware/qemu_fw_cfg/by_name/opt/qnm/script/raw\n"
	"if [ -r $S ]; then\n"
	"\tcat $S > /tmp/script.sh\n"
	"\techo 'qnm-guest: running the script from fw_cfg opt/qnm/script'\n"
	"else\n"
	"\tcp /etc/qnm/demo.sh /tmp/script.sh\n"
	"fi\n"
	"echo \"qnm-guest: interfaces: $(ls /sys/class/net | tr '\\n' ' ')\"\n"
	"echo QNM-GUEST-UP\n"
	"sh /tmp/script.sh\n"
	"echo \"QNM-SCRIPT-END rc=$?\"\n"
	"poweroff -f\n";

static const char guest_lib[] =
	"# /etc/qnm/lib.sh - helpers for guest scripts\n"
	"# qnm_dhcp [IFACE]: bring IFACE up, wait for its carrier, get a DHCP lease\n"
	"qnm_dhcp() {\n"
	"\t_i=${1:-eth0}\n"
	"\tip link set \"$_i\" up || return 1\n"
	"\t_n=0\n"
	"\twhile [ \"$(cat /sys/class/net/$_i/carrier 2>/dev/null)\" != 1 ]; do\n"
	"\t\t_n=$((_n + 1)); [ $_n -gt 100 ] && break; sleep 0.1\n"
	"\tdone\n"
	"\tudhcpc -i \"$_i\" -f -q -n -t 5 -T 1 -s /etc/qnm/udhcpc.sh\n"
	"}\n";

static const char guest_udhcpc[] =
	"#!/bin/sh\n"
	"# udhcpc event script of qnm's tiny guest\n"
	"case \"$1\" in\n"
	"# IPv4 only is flushed: the link-local IPv6 address (and SLAAC) stay\n"
	"deconfig)\n"
	"\tip -4 addr flush dev \"$interface\"\n"
	"\tip link set \"$interface\" up\n"
	"\t;;\n"
	"bound|renew)\n"
	"\tip -4 addr flush dev \"$interface\"\n"
	"\tip addr add \"$ip/${mask:-24}\" dev \"$interface\"\n"
	"\tfor r in $router; do ip route add default via \"$r\" dev \"$interface\"; break; done\n"
	"\t: > /etc/resolv.conf\n"
	"\tfor d in $dns; do echo \"nameserver $d\" >> /etc/resolv.conf; done\n"
	"\techo \"qnm-guest: $interface got $ip/${mask:-24} router ${router:-none} dns ${dns:-none}\"\n"
	"\t;;\n"
	"esac\n"
	"exit 0\n";

static const char guest_demo[] =
	"# demo.sh - what qnm's demo guest does when no script is given\n"
	". /etc/qnm/lib.sh\n"
	"echo 'qnm-demo: hello! I am a tiny Linux guest started by qnm.'\n"
	"echo 'qnm-demo: asking for an address on eth0 with DHCP (udhcpc)...'\n"
	"qnm_dhcp eth0 || echo 'qnm-demo: no DHCP answer on eth0'\n"
	"echo 'qnm-demo: serving http on port 80 (busybox httpd) and echo on tcp port 7 (nc)'\n"
	"httpd -p 80 -h /www\n"
	"(while true; do nc -l -p 7 -e cat; done) &\n"
	"port=$(sed -n 's/.*qnm.port=\\([0-9]*\\).*/\\1/p' /proc/cmdline)\n"
	"gw=$(ip route | awk '/^default/ {print $3; exit}')\n"
	"echo \"qnm-demo: from the host: wget -qO- http://127.0.0.1:${port:-HOSTPORT}/  (see: qnm show demo)\"\n"
	"echo 'qnm-demo: a shell runs on this console (qnm console demo; in qnm, t on the VM). Try:'\n"
	"echo 'qnm-demo:   ip addr       my addresses (eth0)'\n"
	"echo \"qnm-demo:   ip route      my gateway: ${gw:-none}\"\n"
	"if [ -n \"$gw\" ]; then\n"
	"\techo \"qnm-demo:   ping -c1 $gw\"\n"
	"\techo \"qnm-demo:   wget -qO- http://$gw:${port:-PORT}/\"\n"
	"fi\n"
	"case $gw in\n"
	"10.0.2.2) echo 'qnm-demo: user-mode NAT: 10.0.2.2 is the host (its 127.0.0.1), so the wget\n"
	"qnm-demo: comes back to me through my own forward; only ping 10.0.2.2 answers, and\n"
	"qnm-demo: nothing outside reaches me except through a forward' ;;\n"
	"'') echo 'qnm-demo: no gateway: this network is isolated (or the cable is out)' ;;\n"
	"*) echo \"qnm-demo: $gw is the host's side of this network: the host and other guests on\n"
	"qnm-demo: it reach me directly at my address (ip addr)\" ;;\n"
	"esac\n"
	"echo 'qnm-demo: ip -s link shows my traffic counters; qnm stop demo powers me off'\n"
	"export HOME=/ TERM=vt100 PS1='qnm-guest# '\n"
	"# a shell on the console, again after each exit (setsid + cttyhack: with\n"
	"# the console as its terminal, so Ctrl-C interrupts a command)\n"
	"while true; do setsid cttyhack sh; sleep 1; done\n";

static const char guest_index[] =
	"<html><body><h1>Hello from qnm's demo guest</h1>\n"
	"<p>This page came from busybox httpd inside a tiny QEMU guest.</p></body></html>\n";

/* busybox acpid: the power button event runs /etc/acpi/PWRF/00000080. */
static const char guest_pwrf[] =
	"#!/bin/sh\n"
	"echo 'qnm-guest: power button pressed, powering off' > /dev/console\n"
	"poweroff -f\n";

/* Drivers, in load order of their roots (dependencies come first, from modules.dep). */
static const char *const guest_modules[] = {
	"e1000", "8139cp", "8139too", "virtio_net", "virtio_pci", "qemu_fw_cfg", "button", "evdev",
};

/* ---- running tools (argv only, never a shell) ---- */

/**
 * struct tool - an external program demo.c may run.
 * @name:    executable (looked up in $PATH).
 * @package: Debian package that provides it.
 */
struct tool {
	const char *name;
	const char *package;
};

static const struct tool tools[] = {
	{ "xz", "xz-utils" },
	{ "zstd", "zstd" },
	{ "gzip", "gzip" },
};

static const char *tool_package(const char *name)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(tools); i++)
		if (strcmp(tools[i].name, name) == 0)
			return tools[i].package;
	return name;
}

/* Start argv with stdin from @in_fd and stdout to @out_fd; stderr is kept. */
static int spawn_tool(char *const argv[], int in_fd, int out_fd, pid_t *pid, struct qnm_err *err)
{
	posix_spawn_file_actions_t fa;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	r = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r == ENOENT)
		return qnm_err_set(err, -ENOENT, "",
				   "'%s' is not installed: install the Debian package '%s'",
				   argv[0], tool_package(argv[0]));
	if (r)
		return qnm_err_set(err, -r, "", "cannot run %s: %s", argv[0], strerror(r));
	return 0;
}

static int wait_tool(const char *name, pid_t pid, struct qnm_err *err)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return qnm_err_set(err, -errno, "", "waiting for %s: %s", name,
					   strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return qnm_err_set(err, -EIO, "", "%s failed (status %d)", name,
				   WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

/* Run argv with stdin from file @in and stdout to file @out. */
static int run_tool_files(char *const argv[], const char *in, const char *out, struct qnm_err *err)
{
	int ifd, ofd, r;
	pid_t pid;

	ifd = open(in, O_RDONLY | O_CLOEXEC);
	if (ifd < 0)
		return qnm_err_set(err, -errno, "", "cannot read %s: %s", in, strerror(errno));
	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (ofd < 0) {
		r = qnm_err_set(err, -errno, "", "cannot write %s: %s", out, strerror(errno));
		close(ifd);
		return r;
	}
	r = spawn_tool(argv, ifd, ofd, &pid, err);
	close(ifd);
	close(ofd);
	if (r)
		return r;
	return wait_tool(argv[0], pid, err);
}

/* ---- small file helpers ---- */

static int read_all(const char *path, size_t max, char **buf, size_t *len, struct qnm_err *err)
{
	int r = qnm_read_file(path, max, buf, len);

	if (r)
		return qnm_err_set(err, r, "", "cannot read %s: %s", path, strerror(-r));
	return 0;
}

static int write_all_fd(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len, struct qnm_err *err)
{
	int fd, r;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return qnm_err_set(err, -errno, "", "cannot write %s: %s", path, strerror(errno));
	r = write_all_fd(fd, data, len);
	if (close(fd) && !r)
		r = -errno;
	if (r)
		return qnm_err_set(err, r, "", "cannot write %s: %s", path, strerror(-r));
	return 0;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- picking the kernel ---- */

static bool kver_usable(const struct qnm_demo_src *s, const char *kver)
{
	char *a = xasprintf("%s/vmlinuz-%s", s->boot_dir, kver);
	char *b = xasprintf("%s/%s/modules.dep", s->modules_dir, kver);
	bool ok = file_exists(a) && file_exists(b);

	free(a);
	free(b);
	return ok;
}

static int pick_kver(const struct qnm_demo_src *s, char **out, struct qnm_err *err)
{
	struct utsname u;
	struct dirent *de;
	char *best = NULL;
	DIR *d;

	if (s->kver) {
		if (!kver_usable(s, s->kver))
			return qnm_err_set(err, -ENOENT, "kernel",
					   "kernel %s: %s/vmlinuz-%s or its modules are missing",
					   s->kver, s->boot_dir, s->kver);
		*out = xstrdup(s->kver);
		return 0;
	}
	if (uname(&u) == 0 && kver_usable(s, u.release)) {
		*out = xstrdup(u.release);
		return 0;
	}
	d = opendir(s->boot_dir);
	if (d) {
		while ((de = readdir(d))) {
			const char *v;

			if (strncmp(de->d_name, "vmlinuz-", 8) != 0)
				continue;
			v = de->d_name + 8;
			if (!kver_usable(s, v))
				continue;
			if (!best || strverscmp(v, best) > 0) {
				free(best);
				best = xstrdup(v);
			}
		}
		closedir(d);
	}
	if (!best)
		return qnm_err_set(
			err, -ENOENT, "kernel",
			"no kernel with modules found (%s/vmlinuz-* and %s/VER/modules.dep): "
			"install the Debian package 'linux-image-amd64'",
			s->boot_dir, s->modules_dir);
	*out = best;
	return 0;
}

/* ---- the uncompressed kernel ---- */

/**
 * struct kcomp - a compression a bzImage payload may use.
 * @magic, @mlen: the stream's first bytes.
 * @argv:         decompressor reading stdin, writing stdout, ignoring what
 *                follows the first stream.
 */
struct kcomp {
	const char *name;
	unsigned char magic[6];
	size_t mlen;
	const char *argv[5];
};

static const struct kcomp kcomps[] = {
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, { "xz", "-dc", "--single-stream", NULL } },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, { "zstd", "-dcq", NULL } },
	{ "gzip", { 0x1f, 0x8b, 0x08 }, 3, { "gzip", "-dcq", NULL } },
};

static bool is_elf64(const char *path)
{
	unsigned char h[EI_NIDENT];
	bool ok = false;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, h, sizeof(h)) == (ssize_t)sizeof(h))
		ok = memcmp(h, ELFMAG, SELFMAG) == 0 && h[EI_CLASS] == ELFCLASS64;
	close(fd);
	return ok;
}

static int extract_vmlinux(const char *bz, const char *out, const char *tmpdir, struct qnm_err *err)
{
	char *payload = xasprintf("%s/payload.tmp", tmpdir);
	char *data = NULL;
	size_t len, i, off;
	int r = 0;
	bool tried = false;

	r = read_all(bz, 256u << 20, &data, &len, err);
	if (r)
		goto out;
	/* The compressed payload follows the real-mode setup; try each magic at each offset. */
	for (off = 512; off + 6 < len; off++) {
		for (i = 0; i < QNM_ARRAY_SIZE(kcomps); i++) {
			const struct kcomp *k = &kcomps[i];

			if (memcmp(data + off, k->magic, k->mlen) != 0)
				continue;
			r = write_file(payload, data + off, len - off, err);
			if (r)
				goto out;
			tried = true;
			r = run_tool_files((char *const *)k->argv, payload, out, err);
			if (r == -ENOENT)
				goto out;
			if (r == 0 && is_elf64(out))
				goto out;
		}
	}
	r = qnm_err_set(err, -EINVAL, "kernel", "%s: %s", bz,
			tried ? "no compressed stream in it decompressed to an ELF vmlinux"
			      : "no xz, zstd or gzip stream found (not a bzImage?)");
out:
	unlink(payload);
	free(payload);
	free(data);
	return r;
}

/* ---- busybox ---- */

static int check_static(const char *path, struct qnm_err *err)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return qnm_err_set(err, -ENOENT, "busybox",
				   "%s is missing: install the Debian package 'busybox-static'",
				   path);
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64) {
		r = qnm_err_set(err, -EINVAL, "busybox", "%s is not an x86-64 program", path);
		goto out;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP) {
			r = qnm_err_set(err, -EINVAL, "busybox",
					"%s is dynamically linked: install the Debian package "
					"'busybox-static' (it replaces 'busybox')",
					path);
			goto out;
		}
	}
out:
	close(fd);
	return r;
}

/* ---- modules.dep ---- */

/* Module name of a path like "kernel/drivers/net/virtio_net.ko[.xz]", '-' folded to '_'. */
static void mod_name(const char *path, size_t n, char *buf, size_t size)
{
	const char *b = path, *p;
	size_t k = 0;

	for (p = path; p < path + n; p++)
		if (*p == '/')
			b = p + 1;
	for (p = b; p < path + n && *p != '.' && k + 1 < size; p++)
		buf[k++] = *p == '-' ? '_' : *p;
	buf[k] = '\0';
}

/* The line of modules.dep describing module @name, or NULL. */
static const char *dep_line(const char *dep, const char *name)
{
	const char *l = dep;
	char buf[64];

	while (l && *l) {
		const char *colon = strchr(l, ':');
		const char *nl = strchr(l, '\n');

		if (colon && (!nl || colon < nl)) {
			mod_name(l, (size_t)(colon - l), buf, sizeof(buf));
			if (strcmp(buf, name) == 0)
				return l;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* Append @name and (first) its dependencies to @order as paths, without repeats. */
static void mod_resolve(const char *dep, const char *name, struct qnm_strv *order, int depth)
{
	const char *l = dep_line(dep, name), *colon, *end, *p;
	struct qnm_strv deps;
	size_t i;

	if (!l || depth > 16)
		return;
	colon = strchr(l, ':');
	end = strchr(l, '\n');
	if (!end)
		end = l + strlen(l);
	for (i = 0; i < order->n; i++) {
		if (strncmp(order->v[i], l, (size_t)(colon - l)) == 0 &&
		    order->v[i][colon - l] == '\0')
			return;
	}
	/* modules.dep lists the deepest dependency last: load in reverse. */
	qnm_strv_init(&deps);
	for (p = colon + 1; p < end;) {
		const char *q;
		char buf[64];

		while (p < end && *p == ' ')
			p++;
		q = p;
		while (q < end && *q != ' ')
			q++;
		if (q > p) {
			mod_name(p, (size_t)(q - p), buf, sizeof(buf));
			qnm_strv_add(&deps, buf);
		}
		p = q;
	}
	for (i = deps.n; i-- > 0;)
		mod_resolve(dep, deps.v[i], order, depth + 1);
	qnm_strv_free(&deps);
	qnm_strv_take(order, strndup(l, (size_t)(colon - l)));
	if (!order->v[order->n - 1])
		qnm_oom();
}

/* ---- cpio newc ---- */

struct cpio {
	int fd;
	unsigned ino;
	int err;
};

static void cpio_write(struct cpio *c, const void *data, size_t len)
{
	if (!c->err)
		c->err = write_all_fd(c->fd, data, len);
}

static void cpio_pad(struct cpio *c, size_t len)
{
	static const char zeros[4];

	if (len % 4)
		cpio_write(c, zeros, 4 - len % 4);
}

static void cpio_entry(struct cpio *c, const char *name, unsigned mode, const void *data,
		       size_t len, unsigned rmaj, unsigned rmin)
{
	char hdr[111];
	size_t nlen = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 c->ino++, mode, 0u, 0u, (mode & S_IFMT) == S_IFDIR ? 2u : 1u, 0u, (unsigned)len,
		 0u, 0u, rmaj, rmin, (unsigned)nlen, 0u);
	cpio_write(c, hdr, 110);
	cpio_write(c, name, nlen);
	cpio_pad(c, 110 + nlen);
	if (len) {
		cpio_write(c, data, len);
		cpio_pad(c, len);
	}
}

static void cpio_dir(struct cpio *c, const char *name)
{
	cpio_entry(c, name, S_IFDIR | 0755, NULL, 0, 0, 0);
}

static void cpio_file(struct cpio *c, const char *name, unsigned perm, const char *text)
{
	cpio_entry(c, name, S_IFREG | perm, text, strlen(text), 0, 0);
}

/* Load a module file, decompressing .ko.xz/.ko.zst through a temp file. */
static int load_module(const char *path, const char *tmpdir, char **buf, size_t *len,
		       struct qnm_err *err)
{
	static const char *const xz[] = { "xz", "-dc", NULL };
	static const char *const zst[] = { "zstd", "-dcq", NULL };
	const char *const *argv = NULL;
	size_t n = strlen(path);
	char *tmp;
	int r;

	if (n > 3 && strcmp(path + n - 3, ".xz") == 0)
		argv = xz;
	else if (n > 4 && strcmp(path + n - 4, ".zst") == 0)
		argv = zst;
	if (!argv)
		return read_all(path, 64u << 20, buf, len, err);
	tmp = xasprintf("%s/module.tmp", tmpdir);
	r = run_tool_files((char *const *)argv, path, tmp, err);
	if (!r)
		r = read_all(tmp, 64u << 20, buf, len, err);
	unlink(tmp);
	free(tmp);
	return r;
}

static int write_initrd(const struct qnm_demo_src *s, const char *kver, const char *out,
			const char *tmpdir, struct qnm_err *err)
{
	static const char *const dirs[] = {
		"bin",	       "sbin", "usr",	  "usr/bin",  "usr/sbin",      "proc",	  "sys",
		"dev",	       "etc",  "etc/qnm", "etc/acpi", "etc/acpi/PWRF", "tmp",	  "lib",
		"lib/modules", "www",  "root",	  "var",      "var/run",       "var/log",
	};
	static const char *const gzip_argv[] = { "gzip", "-1", "-n", NULL };
	char *moddir = xasprintf("%s/%s", s->modules_dir, kver);
	char *deppath = xasprintf("%s/modules.dep", moddir);
	struct qnm_strbuf list;
	struct qnm_strv order;
	struct cpio c = { 0 };
	char *dep = NULL, *bb = NULL;
	size_t deplen, bblen, i;
	int pfd[2] = { -1, -1 }, ofd = -1, r;
	unsigned nics = 0;
	pid_t pid = -1;

	qnm_strv_init(&order);
	qnm_sb_init(&list);
	r = read_all(deppath, 64u << 20, &dep, &deplen, err);
	if (r)
		goto out;
	r = read_all(s->busybox, 64u << 20, &bb, &bblen, err);
	if (r)
		goto out;
	for (i = 0; i < QNM_ARRAY_SIZE(guest_modules); i++) {
		size_t before = order.n;

		mod_resolve(dep, guest_modules[i], &order, 0);
		if (i < 4 && order.n > before)
			nics++;
	}
	if (!nics) {
		r = qnm_err_set(err, -ENOENT, "kernel",
				"%s has none of the NIC drivers e1000, 8139cp, virtio_net: "
				"install the Debian package 'linux-image-amd64'",
				deppath);
		goto out;
	}

	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (ofd < 0) {
		r = qnm_err_set(err, -errno, "", "cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		r = qnm_err_set(err, -errno, "", "pipe: %s", strerror(errno));
		goto out;
	}
	r = spawn_tool((char *const *)gzip_argv, pfd[0], ofd, &pid, err);
	close(pfd[0]);
	pfd[0] = -1;
	if (r)
		goto out;
	c.fd = pfd[1];
	c.ino = 1;

	for (i = 0; i < QNM_ARRAY_SIZE(dirs); i++)
		cpio_dir(&c, dirs[i]);
	cpio_entry(&c, "dev/console", S_IFCHR | 0600, NULL, 0, 5, 1);
	cpio_entry(&c, "bin/busybox", S_IFREG | 0755, bb, bblen, 0, 0);
	cpio_entry(&c, "bin/sh", S_IFLNK | 0777, "busybox", 7, 0, 0);
	cpio_file(&c, "init", 0755, guest_init);
	cpio_file(&c, "etc/qnm/lib.sh", 0644, guest_lib);
	cpio_file(&c, "etc/qnm/udhcpc.sh", 0755, guest_udhcpc);
	cpio_file(&c, "etc/qnm/demo.sh", 0644, guest_demo);
	cpio_file(&c, "etc/acpi/PWRF/00000080", 0755, guest_pwrf);
	cpio_file(&c, "www/index.html", 0644, guest_index);
	cpio_file(&c, "etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n");
	cpio_file(&c, "etc/group", 0644, "root:x:0:\n");
	for (i = 0; i < order.n && !c.err; i++) {
		char *mpath = xasprintf("%s/%s", moddir, order.v[i]);
		char name[64], *cname, *mod = NULL;
		size_t mlen;

		mod_name(order.v[i], strlen(order.v[i]), name, sizeof(name));
		r = load_module(mpath, tmpdir, &mod, &mlen, err);
		free(mpath);
		if (r)
			goto out;
		cname = xasprintf("lib/modules/%s.ko", name);
		cpio_entry(&c, cname, S_IFREG | 0644, mod, mlen, 0, 0);
		free(cname);
		free(mod);
		qnm_sb_addf(&list, "%s\n", name);
	}
	cpio_file(&c, "etc/qnm/modules", 0644, list.s);
	cpio_entry(&c, "TRAILER!!!", 0, NULL, 0, 0, 0);
	close(pfd[1]);
	pfd[1] = -1;
	if (c.err) {
		r = qnm_err_set(err, c.err, "", "writing the initramfs to gzip: %s",
				strerror(-c.err));
		waitpid(pid, NULL, 0);
		pid = -1;
		goto out;
	}
	r = wait_tool("gzip", pid, err);
	pid = -1;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (ofd >= 0)
		close(ofd);
	qnm_strv_free(&order);
	qnm_sb_free(&list);
	free(dep);
	free(bb);
	free(deppath);
	free(moddir);
	return r;
}

/* ---- the whole build ---- */

static char *stamp_text(const char *kver)
{
	return xasprintf("qnm-demo layout %d kernel %s\n", DEMO_LAYOUT, kver);
}

static bool stamp_ok(const char *dir, const char *kver)
{
	char *path = xasprintf("%s/stamp", dir), *want = stamp_text(kver), *have = NULL;
	char *k = xasprintf("%s/vmlinux", dir), *i = xasprintf("%s/initrd.gz", dir);
	size_t len;
	bool ok;

	ok = qnm_read_file(path, 4096, &have, &len) == 0 && strcmp(have, want) == 0 &&
	     file_exists(k) && file_exists(i);
	free(have);
	free(want);
	free(path);
	free(k);
	free(i);
	return ok;
}

static int build_locked(const char *dir, const struct qnm_demo_src *s, const char *kver,
			struct qnm_err *err)
{
	char *bz = xasprintf("%s/vmlinuz-%s", s->boot_dir, kver);
	char *ktmp = xasprintf("%s/vmlinux.tmp", dir), *k = xasprintf("%s/vmlinux", dir);
	char *itmp = xasprintf("%s/initrd.gz.tmp", dir), *i = xasprintf("%s/initrd.gz", dir);
	char *stamp = xasprintf("%s/stamp", dir), *st = stamp_text(kver);
	int r;

	unlink(stamp);
	r = check_static(s->busybox, err);
	if (!r)
		r = extract_vmlinux(bz, ktmp, dir, err);
	if (!r)
		r = write_initrd(s, kver, itmp, dir, err);
	if (!r && (rename(ktmp, k) || rename(itmp, i)))
		r = qnm_err_set(err, -errno, "", "cannot rename into %s: %s", dir, strerror(errno));
	if (!r)
		r = write_file(stamp, st, strlen(st), err);
	unlink(ktmp);
	unlink(itmp);
	free(bz);
	free(ktmp);
	free(k);
	free(itmp);
	free(i);
	free(stamp);
	free(st);
	return r;
}

int qnm_demo_build(const char *dir, const struct qnm_demo_src *src, struct qnm_demo_image *out,
		   struct qnm_err *err)
{
	struct qnm_demo_src s = { "/boot", "/lib/modules", "/bin/busybox", NULL };
	char *lock, *kver = NULL;
	int fd, r;

	memset(out, 0, sizeof(*out));
	if (src) {
		if (src->boot_dir)
			s.boot_dir = src->boot_dir;
		if (src->modules_dir)
			s.modules_dir = src->modules_dir;
		if (src->busybox)
			s.busybox = src->busybox;
		s.kver = src->kver;
	}
	r = pick_kver(&s, &kver, err);
	if (r)
		return r;
	r = qnm_mkdir_p(dir, 0755);
	if (r) {
		free(kver);
		return qnm_err_set(err, r, "", "cannot create %s: %s", dir, strerror(-r));
	}
	lock = xasprintf("%s/.lock", dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(lock);
	if (fd < 0) {
		r = qnm_err_set(err, -errno, "", "cannot lock %s: %s", dir, strerror(errno));
		free(kver);
		return r;
	}
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	if (!stamp_ok(dir, kver)) {
		r = build_locked(dir, &s, kver, err);
		out->built = r == 0;
	}
	close(fd);
	if (r) {
		free(kver);
		return r;
	}
	out->dir = xstrdup(dir);
	out->kernel = xasprintf("%s/vmlinux", dir);
	out->initrd = xasprintf("%s/initrd.gz", dir);
	out->kver = kver;
	return 0;
}

void qnm_demo_image_clear(struct qnm_demo_image *img)
{
	free(img->dir);
	free(img->kernel);
	free(img->initrd);
	free(img->kver);
	memset(img, 0, sizeof(*img));
}

/* ---- the demo VM definition (shared by "qnm demo" and the text UI) ---- */

static bool tcp_port_free(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	bool ok;

	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

unsigned qnm_demo_free_port(void)
{
	unsigned port;

	for (port = 8080; port < 8180 && !tcp_port_free(port); port++)
		;
	return port;
}

struct qnm_vm *qnm_demo_vm(const char *name, const struct qnm_demo_image *img, uint16_t port,
			   const struct qnm_backend_ops *backend)
{
	struct qnm_vm *vm = qnm_vm_new(name);
	struct qnm_fwd f = { .proto = QNM_PROTO_TCP,
			     .host_addr = "127.0.0.1",
			     .host_port = port,
			     .guest_port = 80 };
	struct qnm_nic *nic;

	vm->memory_mb = 256;
	/* TCG: boots in ~3 s everywhere; a broken /dev/kvm (nested hosts) would abort QEMU. */
	vm->accel = QNM_ACCEL_TCG;
	vm->boot = QNM_BOOT_KERNEL;
	vm->kernel = xstrdup(img->kernel);
	vm->initrd = xstrdup(img->initrd);
	/* qnm.port: the demo script tells the user the host port of the forward */
	vm->append = xasprintf("%s qnm.port=%u", qnm_demo_append(), (unsigned)port);
	qnm_vm_add_extra(vm, "-no-reboot");
	nic = qnm_vm_add_nic(vm);
	qnm_strlcpy(nic->model, "virtio-net-pci", sizeof(nic->model));
	nic->backend = backend->kind;
	nic->user.ipv6 = false;
	qnm_fwd_add(&nic->user.fwd, &nic->user.nfwd, &f);
	return vm;
}
