// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - VM and network keyfiles: meaning of every key, loading,
 * atomic saving, directories.
 *
 * Keys are described by tables (struct key_desc): one row per key with its
 * type and where it lives in the model, so the reader, the writer and the
 * comments in written files come from the same place.
 */
#include "build-config.h"

#include "core/config.h"

#include "core/backend.h"
#include "core/keyfile.h"
#include "core/validate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_BYTES (4u << 20)

/* ---- directories ---- */

static char *env_dir(const char *var, const char *home, const char *fallback)
{
	const char *v = getenv(var);

	if (v && v[0] == '/')
		return xasprintf("%s/qnm", v);
	return xasprintf("%s/%s/qnm", home, fallback);
}

int qnm_paths_init(struct qnm_paths *p, struct qnm_err *err)
{
	const char *home = getenv("HOME");
	const char *rt = getenv("XDG_RUNTIME_DIR");

	memset(p, 0, sizeof(*p));
	if (!home || home[0] != '/') {
		const char *x = getenv("XDG_CONFIG_HOME");

		if (!x || x[0] != '/')
			return qnm_err_set(
				err, -ENOENT, "HOME",
				"neither $HOME nor $XDG_CONFIG_HOME is set to an absolute path; qnm cannot find its config directory");
		home = "/nonexistent";
	}
	p->config_dir = env_dir("XDG_CONFIG_HOME", home, ".config");
	p->vms_dir = xasprintf("%s/vms", p->config_dir);
	p->nets_dir = xasprintf("%s/networks", p->config_dir);
	p->data_dir = env_dir("XDG_DATA_HOME", home, ".local/share");
	p->cache_dir = env_dir("XDG_CACHE_HOME", home, ".cache");
	if (rt && rt[0] == '/')
		p->runtime_dir = xasprintf("%s/qnm", rt);
	else if (geteuid() == 0)
		p->runtime_dir = xstrdup("/run/qnm");
	else
		p->runtime_dir = xasprintf("/tmp/qnm-%u", (unsigned)geteuid());
	return 0;
}

void qnm_paths_clear(struct qnm_paths *p)
{
	free(p->config_dir);
	free(p->vms_dir);
	free(p->nets_dir);
	free(p->runtime_dir);
	free(p->data_dir);
	free(p->cache_dir);
	memset(p, 0, sizeof(*p));
}

int qnm_mkdir_p(const char *path, mode_t mode)
{
	char *buf = xstrdup(path), *s;
	int r = 0;

	for (s = buf + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(buf);
	return r;
}

/* ---- problems ---- */

void qnm_problems_clear(struct qnm_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].file);
		free(p->v[i].msg);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

bool qnm_problems_has_file(const struct qnm_problems *p, const char *file)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (strcmp(p->v[i].file, file) == 0)
			return true;
	return false;
}

static void problem_add(struct qnm_problems *p, const char *file, const char *msg)
{
	const char *c;
	unsigned long line = 0;

	if (!p)
		return;
	/* msg is "FILE:LINE: ..." when the problem has a line. */
	if (strncmp(msg, file, strlen(file)) == 0 && msg[strlen(file)] == ':') {
		c = msg + strlen(file) + 1;
		line = strtoul(c, NULL, 10);
	}
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n].file = xstrdup(file);
	p->v[p->n].line = (unsigned)line;
	p->v[p->n].msg = xstrdup(msg);
	p->n++;
}

/* ---- key tables ---- */

enum key_type {
	K_STR,	  /* fixed char array: size in @size */
	K_PATH,	  /* heap char * */
	K_UINT,	  /* unsigned, range @min..@max */
	K_BOOL,	  /* yes/no */
	K_ENUM,	  /* int-sized enum via @parse/@name */
	K_FWD,	  /* repeated forward: struct qnm_fwd array at @offset, count at @count_off */
	K_ARGV,	  /* repeated string: char ** at @offset, count at @count_off */
	K_LINK,	  /* bool shown as up/down */
	K_CIDR_A, /* network "address = A.B.C.D/N": address + prefix */
};

/* Where a key applies: VM, NIC (all or some backends), network. */
#define ALL_BACKENDS 0xf
#define BE(k)	     (1u << (k))

struct key_desc {
	const char *key;
	enum key_type type;
	size_t offset;
	size_t size;
	size_t count_off;
	unsigned long min, max;
	int (*parse)(const char *s, int *out);
	const char *(*name)(int v);
	bool write_empty;  /* K_STR: write "key =" when empty (default is not empty) */
	unsigned backends; /* NIC keys only */
	const char *help;  /* comment written above the key */
};

/* Adapters so the enum parse/name functions fit one signature. */
static int p_accel(const char *s, int *o)
{
	enum qnm_accel v;
	int r = qnm_accel_parse(s, &v);

	*o = (int)v;
	return r;
}
static const char *n_accel(int v)
{
	return qnm_accel_name((enum qnm_accel)v);
}
static int p_boot(const char *s, int *o)
{
	enum qnm_boot v;
	int r = qnm_boot_parse(s, &v);

	*o = (int)v;
	return r;
}
static const char *n_boot(int v)
{
	return qnm_boot_name((enum qnm_boot)v);
}
static int p_backend(const char *s, int *o)
{
	enum qnm_backend_kind v;
	int r = qnm_backend_parse(s, &v);

	*o = (int)v;
	return r;
}
static const char *n_backend(int v)
{
	return qnm_backend_name((enum qnm_backend_kind)v);
}
static int p_mode(const char *s, int *o)
{
	enum qnm_net_mode v;
	int r = qnm_net_mode_parse(s, &v);

	*o = (int)v;
	return r;
}
static const char *n_mode(int v)
{
	return qnm_net_mode_name((enum qnm_net_mode)v);
}

#define VMF(f)	offsetof(struct qnm_vm, f)
#define NICF(f) offsetof(struct qnm_nic, f)
#define NETF(f) offsetof(struct qnm_network, f)

static const struct key_desc vm_keys[] = {
	{ "arch", K_STR, VMF(arch), sizeof(((struct qnm_vm *)0)->arch),
	  .help = "QEMU target: qemu-system-ARCH is run" },
	{ "memory", K_UINT, VMF(memory_mb), .min = 16, .max = 4194304, .help = "memory in MiB" },
	{ "cpus", K_UINT, VMF(cpus), .min = 1, .max = 1024, .help = "virtual CPUs" },
	{ "machine", K_STR, VMF(machine), QNM_MACHINE_MAX, .write_empty = true,
	  .help = "machine type (q35, pc, ...; empty = QEMU default)" },
	{ "accel", K_ENUM, VMF(accel), .parse = p_accel, .name = n_accel,
	  .help = "auto (KVM when /dev/kvm is usable, else TCG), kvm or tcg" },
	{ "boot", K_ENUM, VMF(boot), .parse = p_boot, .name = n_boot,
	  .help = "none, disk, cdrom or kernel" },
	{ "disk", K_PATH, VMF(disk), .help = "disk image" },
	{ "cdrom", K_PATH, VMF(cdrom), .help = "CD-ROM ISO image" },
	{ "kernel", K_PATH, VMF(kernel), .help = "kernel image (boot = kernel)" },
	{ "initrd", K_PATH, VMF(initrd), .help = "initial ramdisk (boot = kernel)" },
	{ "append", K_PATH, VMF(append), .help = "kernel command line (boot = kernel)" },
	{ "extra", K_ARGV, VMF(extra), .count_off = VMF(nextra),
	  .help = "extra QEMU argument, one per line, in order" },
};

static const struct key_desc nic_keys[] = {
	{ "model", K_STR, NICF(model), QNM_MODEL_MAX, .backends = ALL_BACKENDS,
	  .help = "device model (qnm models lists them)" },
	{ "mac", K_STR, NICF(mac), QNM_MAC_LEN, .backends = ALL_BACKENDS,
	  .help = "MAC address (generated when absent)" },
	{ "link", K_LINK, NICF(link_up), .backends = ALL_BACKENDS,
	  .help = "cable plugged at start: up or down" },
	{ "backend", K_ENUM, NICF(backend), .parse = p_backend, .name = n_backend,
	  .backends = ALL_BACKENDS, .help = "user, slirp, tap or bridge" },
	{ "net", K_STR, NICF(user.net), QNM_CIDR_LEN,
	  .backends = BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP),
	  .help = "guest network (default 10.0.2.0/24)" },
	{ "host", K_STR, NICF(user.host), QNM_IPV4_LEN,
	  .backends = BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP),
	  .help = "the host as seen by the guest (default .2)" },
	{ "dhcpstart", K_STR, NICF(user.dhcpstart), QNM_IPV4_LEN,
	  .backends = BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP),
	  .help = "first DHCP address (default .15)" },
	{ "dns", K_STR, NICF(user.dns), QNM_IPV4_LEN,
	  .backends = BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP),
	  .help = "DNS address seen by the guest (default .3)" },
	{ "restrict", K_BOOL, NICF(user.restrict_),
	  .backends = BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP),
	  .help = "yes: the guest cannot reach outside" },
	{ "ipv6", K_BOOL, NICF(user.ipv6), .backends = BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP),
	  .help = "IPv6 on the user network" },
	{ "hostfwd", K_FWD, NICF(user.fwd), .count_off = NICF(user.nfwd),
	  .backends = BE(QNM_BACKEND_USER) | BE(QNM_BACKEND_SLIRP),
	  .help = "port forward tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, one per line" },
	{ "smb", K_PATH, NICF(user.smb), .backends = BE(QNM_BACKEND_USER),
	  .help = "directory shared with the guest over SMB" },
	{ "ifname", K_STR, NICF(tap.ifname), QNM_IFNAME_MAX + 1, .backends = BE(QNM_BACKEND_TAP),
	  .help = "TAP interface name (empty = qnm picks one)" },
	{ "create", K_BOOL, NICF(tap.create), .backends = BE(QNM_BACKEND_TAP),
	  .help = "yes: qnm creates and removes the TAP; no: it exists already" },
	{ "network", K_STR, NICF(tap.network), QNM_NAME_MAX + 1, .backends = BE(QNM_BACKEND_TAP),
	  .help = "qnm network whose bridge the TAP joins" },
	{ "bridge", K_STR, NICF(tap.bridge), QNM_IFNAME_MAX + 1, .backends = BE(QNM_BACKEND_TAP),
	  .help = "existing host bridge to join (instead of a network)" },
	{ "vhost", K_BOOL, NICF(tap.vhost), .backends = BE(QNM_BACKEND_TAP),
	  .help = "vhost-net acceleration" },
	{ "br", K_STR, NICF(bridge.br), QNM_IFNAME_MAX + 1, .backends = BE(QNM_BACKEND_BRIDGE),
	  .help = "bridge the helper attaches to (must be allowed in /etc/qemu/bridge.conf)" },
	{ "helper", K_PATH, NICF(bridge.helper), .backends = BE(QNM_BACKEND_BRIDGE),
	  .help = "bridge helper path (default: QEMU's)" },
};

static const struct key_desc net_keys[] = {
	{ "bridge", K_STR, NETF(bridge), QNM_IFNAME_MAX + 1,
	  .help = "bridge interface qnm creates" },
	{ "address", K_CIDR_A, NETF(address),
	  .help = "host address on the bridge with prefix, e.g. 10.77.0.1/24" },
	{ "mode", K_ENUM, NETF(mode), .parse = p_mode, .name = n_mode,
	  .help = "nat, bridged or isolated" },
	{ "uplink", K_STR, NETF(uplink), QNM_IFNAME_MAX + 1,
	  .help = "nat: interface traffic leaves by (empty = any)" },
	{ "port", K_STR, NETF(port), QNM_IFNAME_MAX + 1,
	  .help = "bridged: physical interface enslaved to the bridge" },
	{ "dhcp-start", K_STR, NETF(dhcp_start), QNM_IPV4_LEN,
	  .help = "first address handed out by DHCP (empty = no DHCP)" },
	{ "dhcp-end", K_STR, NETF(dhcp_end), QNM_IPV4_LEN,
	  .help = "last address handed out by DHCP" },
	{ "forward", K_FWD, NETF(fwd), .count_off = NETF(nfwd),
	  .help = "port forward tcp|udp:[HOSTADDR]:HOSTPORT-GUESTADDR:GUESTPORT, one per line" },
};

static const struct key_desc *find_key(const struct key_desc *t, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return &t[i];
	return NULL;
}

static void list_keys(struct qnm_strbuf *sb, const struct key_desc *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			qnm_sb_add(sb, ", ");
		qnm_sb_add(sb, t[i].key);
	}
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/*
 * Store @value for key @d into the object at @base. @seen marks keys
 * already given (repeatable kinds excepted).
 */
static int set_key(void *base, const struct key_desc *d, const char *value, const char *fn,
		   unsigned line, const char *field, struct qnm_err *err)
{
	char *p = (char *)base + d->offset;

	switch (d->type) {
	case K_STR:
		if (strlen(value) >= d->size)
			return qnm_err_set(err, -EINVAL, field,
					   "%s:%u: %s: '%s' is too long (at most %zu characters)",
					   fn, line, field, value, d->size - 1);
		qnm_strlcpy(p, value, d->size);
		return 0;
	case K_PATH: {
		char **sp = (char **)(void *)p;

		free(*sp);
		*sp = value[0] ? xstrdup(value) : NULL;
		return 0;
	}
	case K_UINT: {
		unsigned long v;

		if (qnm_parse_uint(value, d->min, d->max, &v))
			return qnm_err_set(err, -EINVAL, field,
					   "%s:%u: %s: '%s' must be a whole number from %lu to %lu",
					   fn, line, field, value, d->min, d->max);
		*(unsigned *)(void *)p = (unsigned)v;
		return 0;
	}
	case K_BOOL:
		if (!parse_bool(value, (bool *)(void *)p))
			return qnm_err_set(err, -EINVAL, field, "%s:%u: %s: '%s' must be yes or no",
					   fn, line, field, value);
		return 0;
	case K_LINK:
		if (strcmp(value, "up") == 0)
			*(bool *)(void *)p = true;
		else if (strcmp(value, "down") == 0)
			*(bool *)(void *)p = false;
		else
			return qnm_err_set(err, -EINVAL, field,
					   "%s:%u: %s: '%s' must be up or down", fn, line, field,
					   value);
		return 0;
	case K_ENUM: {
		int v;

		if (d->parse(value, &v)) {
			struct qnm_strbuf sb;
			int i;

			qnm_sb_init(&sb);
			for (i = 0; i < 8 && strcmp(d->name(i), "?"); i++)
				qnm_sb_addf(&sb, "%s%s", i ? ", " : "", d->name(i));
			qnm_err_set(err, -EINVAL, field, "%s:%u: %s: '%s' must be one of: %s", fn,
				    line, field, value, sb.s);
			qnm_sb_free(&sb);
			return -EINVAL;
		}
		/* All qnm enums are int-sized. */
		*(int *)(void *)p = v;
		return 0;
	}
	case K_FWD: {
		struct qnm_fwd **v = (struct qnm_fwd **)(void *)p;
		size_t *n = (size_t *)(void *)((char *)base + d->count_off);
		struct qnm_fwd f;
		struct qnm_err e2;

		if (qnm_fwd_parse(value, &f, field, &e2))
			return qnm_err_set(err, -EINVAL, field, "%s:%u: %s", fn, line, e2.msg);
		qnm_fwd_add(v, n, &f);
		return 0;
	}
	case K_ARGV: {
		char ***v = (char ***)(void *)p;
		size_t *n = (size_t *)(void *)((char *)base + d->count_off);

		if (!value[0])
			return qnm_err_set(err, -EINVAL, field, "%s:%u: %s: empty argument", fn,
					   line, field);
		*v = xreallocarray(*v, *n + 1, sizeof(char *));
		(*v)[(*n)++] = xstrdup(value);
		return 0;
	}
	case K_CIDR_A: {
		struct qnm_network *net = base;
		uint32_t a;
		unsigned prefix;

		if (!value[0]) {
			net->address[0] = '\0';
			return 0;
		}
		if (qnm_parse_cidr(value, &a, &prefix))
			return qnm_err_set(
				err, -EINVAL, field,
				"%s:%u: %s: '%s' must be an IPv4 address with prefix, like 10.77.0.1/24",
				fn, line, field, value);
		qnm_format_ipv4(a, net->address);
		net->prefix = prefix;
		return 0;
	}
	}
	return -EINVAL;
}

static bool repeatable(const struct key_desc *d)
{
	return d->type == K_FWD || d->type == K_ARGV;
}

/* Remember on which line each field was given, to point validation errors at it. */
struct field_line {
	char field[64];
	unsigned line;
};

struct field_lines {
	struct field_line *v;
	size_t n;
};

static void fl_add(struct field_lines *fl, const char *field, unsigned line)
{
	fl->v = xreallocarray(fl->v, fl->n + 1, sizeof(*fl->v));
	qnm_strlcpy(fl->v[fl->n].field, field, sizeof(fl->v[fl->n].field));
	fl->v[fl->n].line = line;
	fl->n++;
}

static unsigned fl_find(const struct field_lines *fl, const char *field)
{
	size_t i;

	/* Last occurrence: the line most likely at fault for repeated keys. */
	for (i = fl->n; i-- > 0;)
		if (strcmp(fl->v[i].field, field) == 0)
			return fl->v[i].line;
	return 0;
}

/* Turn a validation error into "FILE:LINE: msg". */
static int located(struct qnm_err *err, const struct field_lines *fl, const char *fn,
		   unsigned fallback_line)
{
	unsigned line = err ? fl_find(fl, err->field) : 0;
	char msg[sizeof(err->msg)];

	if (!err)
		return -EINVAL;
	if (!line && strncmp(err->field, "nic[", 4) == 0) {
		/* nic[ID].x not given explicitly: point at the [nic ID] header. */
		char sec[64];
		const char *close = strchr(err->field, ']');

		if (close) {
			snprintf(sec, sizeof(sec), "%.*s]", (int)(close - err->field), err->field);
			line = fl_find(fl, sec);
		}
	}
	if (!line) {
		/* A missing key is reported at the key that requires it. */
		static const char *const needs[][2] = {
			{ "disk", "boot" }, { "cdrom", "boot" },   { "kernel", "boot" },
			{ "port", "mode" }, { "address", "mode" }, { "prefix", "address" },
		};

		for (size_t i = 0; i < QNM_ARRAY_SIZE(needs) && !line; i++)
			if (strcmp(err->field, needs[i][0]) == 0)
				line = fl_find(fl, needs[i][1]);
	}
	if (!line)
		line = fallback_line;
	qnm_strlcpy(msg, err->msg, sizeof(msg));
	if (line)
		snprintf(err->msg, sizeof(err->msg), "%s:%u: %.400s", fn, line, msg);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %.400s", fn, msg);
	return -EINVAL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* "dir/NAME.conf" -> NAME (into @buf); false when that is not a valid name. */
static bool name_from_file(const char *filename, char *buf, size_t size)
{
	const char *b = base_name(filename);
	size_t n = strlen(b);

	if (n > 5 && strcmp(b + n - 5, ".conf") == 0)
		n -= 5;
	if (n >= size)
		return false;
	memcpy(buf, b, n);
	buf[n] = '\0';
	return qnm_valid_name(buf);
}

int qnm_vm_parse(const char *text, size_t len, const char *filename, struct qnm_vm **out,
		 struct qnm_err *err)
{
	struct field_lines fl = { 0 };
	struct qnm_keyfile kf;
	struct qnm_vm *vm = NULL;
	char name[QNM_NAME_MAX + 1];
	bool have_vm = false;
	size_t i, s;
	int r;

	*out = NULL;
	if (!name_from_file(filename, name, sizeof(name)))
		return qnm_err_set(
			err, -EINVAL, "name",
			"%s: the file name must be NAME.conf where NAME is 1-%d letters, digits, '_', '-' or '.'",
			filename, QNM_NAME_MAX);
	r = qnm_keyfile_parse(text, len, filename, &kf, err);
	if (r)
		goto out;
	vm = qnm_vm_new(name);
	vm->memory_mb = 512;
	for (s = 0; s < kf.nsections && !r; s++) {
		const struct qnm_kf_section *sec = &kf.sections[s];
		struct qnm_nic *nic = NULL;
		char field[64];

		if (strcmp(sec->type, "vm") == 0) {
			if (sec->name || have_vm) {
				r = qnm_err_set(
					err, -EINVAL, "", "%s:%u: %s", filename, sec->line,
					sec->name
						? "[vm] takes no name (the VM is named by its file)"
						: "a second [vm] section");
				break;
			}
			have_vm = true;
		} else if (strcmp(sec->type, "nic") == 0) {
			if (!sec->name) {
				r = qnm_err_set(err, -EINVAL, "",
						"%s:%u: a NIC section needs an id, like [nic n0]",
						filename, sec->line);
				break;
			}
			if (qnm_vm_find_nic(vm, sec->name)) {
				r = qnm_err_set(err, -EINVAL, "",
						"%s:%u: a second [nic %s] section", filename,
						sec->line, sec->name);
				break;
			}
			if (vm->nnics >= 64) {
				r = qnm_err_set(err, -EINVAL, "", "%s:%u: more than 64 NICs",
						filename, sec->line);
				break;
			}
			nic = qnm_vm_add_nic(vm);
			qnm_strlcpy(nic->id, sec->name, sizeof(nic->id));
			snprintf(field, sizeof(field), "nic[%s]", sec->name);
			fl_add(&fl, field, sec->line);
		} else {
			r = qnm_err_set(
				err, -EINVAL, "",
				"%s:%u: unknown section [%s] (a VM file has [vm] and [nic ID] sections)",
				filename, sec->line, sec->type);
			break;
		}
		/* Keys of this section; backend first so key applicability is known. */
		for (int pass = 0; pass < 2 && !r; pass++) {
			for (i = 0; i < kf.nentries && !r; i++) {
				const struct qnm_kf_entry *e = &kf.entries[i];
				const struct key_desc *d;
				bool is_backend = strcmp(e->key, "backend") == 0;

				if (e->section != s || (pass == 0) != (nic && is_backend))
					continue;
				d = nic ? find_key(nic_keys, QNM_ARRAY_SIZE(nic_keys), e->key)
					: find_key(vm_keys, QNM_ARRAY_SIZE(vm_keys), e->key);
				if (nic)
					snprintf(field, sizeof(field), "nic[%s].%s", nic->id,
						 e->key);
				else
					qnm_strlcpy(field, e->key, sizeof(field));
				if (!d) {
					struct qnm_strbuf sb;

					qnm_sb_init(&sb);
					if (nic)
						list_keys(&sb, nic_keys, QNM_ARRAY_SIZE(nic_keys));
					else
						list_keys(&sb, vm_keys, QNM_ARRAY_SIZE(vm_keys));
					r = qnm_err_set(
						err, -EINVAL, field,
						"%s:%u: unknown key '%s' in [%s] (known: %s)",
						filename, e->line, e->key, sec->type, sb.s);
					qnm_sb_free(&sb);
					break;
				}
				if (!repeatable(d) && fl_find(&fl, field)) {
					r = qnm_err_set(
						err, -EINVAL, field,
						"%s:%u: '%s' is given twice (first on line %u)",
						filename, e->line, e->key, fl_find(&fl, field));
					break;
				}
				if (nic && !(d->backends & BE(nic->backend))) {
					r = qnm_err_set(err, -EINVAL, field,
							"%s:%u: '%s' does not apply to backend %s",
							filename, e->line, e->key,
							qnm_backend_name(nic->backend));
					break;
				}
				fl_add(&fl, field, e->line);
				r = set_key(nic ? (void *)nic : (void *)vm, d, e->value, filename,
					    e->line, field, err);
			}
		}
	}
	if (!r && !have_vm && kf.nsections == 0 && len > 0) {
		/* A file with only comments is an empty VM; that is fine. */
	}
	if (!r) {
		r = qnm_check_vm(vm, err);
		if (r)
			r = located(err, &fl, filename, 0);
	}
out:
	qnm_keyfile_free(&kf);
	free(fl.v);
	if (r) {
		qnm_vm_free(vm);
		return r;
	}
	*out = vm;
	return 0;
}

int qnm_network_parse(const char *text, size_t len, const char *filename, struct qnm_network **out,
		      struct qnm_err *err)
{
	struct field_lines fl = { 0 };
	struct qnm_keyfile kf;
	struct qnm_network *net = NULL;
	char name[QNM_NAME_MAX + 1];
	size_t i;
	int r;

	*out = NULL;
	if (!name_from_file(filename, name, sizeof(name)))
		return qnm_err_set(
			err, -EINVAL, "name",
			"%s: the file name must be NAME.conf where NAME is 1-%d letters, digits, '_', '-' or '.'",
			filename, QNM_NAME_MAX);
	r = qnm_keyfile_parse(text, len, filename, &kf, err);
	if (r)
		goto out;
	net = qnm_network_new(name);
	for (i = 0; i < kf.nsections && !r; i++) {
		if (strcmp(kf.sections[i].type, "network") || kf.sections[i].name || i > 0)
			r = qnm_err_set(err, -EINVAL, "",
					"%s:%u: a network file has exactly one [network] section",
					filename, kf.sections[i].line);
	}
	for (i = 0; i < kf.nentries && !r; i++) {
		const struct qnm_kf_entry *e = &kf.entries[i];
		const struct key_desc *d = find_key(net_keys, QNM_ARRAY_SIZE(net_keys), e->key);

		if (!d) {
			struct qnm_strbuf sb;

			qnm_sb_init(&sb);
			list_keys(&sb, net_keys, QNM_ARRAY_SIZE(net_keys));
			r = qnm_err_set(err, -EINVAL, e->key,
					"%s:%u: unknown key '%s' in [network] (known: %s)",
					filename, e->line, e->key, sb.s);
			qnm_sb_free(&sb);
			break;
		}
		if (!repeatable(d) && fl_find(&fl, e->key)) {
			r = qnm_err_set(err, -EINVAL, e->key,
					"%s:%u: '%s' is given twice (first on line %u)", filename,
					e->line, e->key, fl_find(&fl, e->key));
			break;
		}
		fl_add(&fl, e->key, e->line);
		if (d->type == K_CIDR_A)
			fl_add(&fl, "prefix", e->line);
		r = set_key(net, d, e->value, filename, e->line, e->key, err);
	}
	if (!r && kf.nsections == 0)
		r = qnm_err_set(err, -EINVAL, "", "%s: no [network] section", filename);
	if (!r) {
		r = qnm_check_network(net, err);
		if (r)
			r = located(err, &fl, filename, kf.nsections ? kf.sections[0].line : 0);
	}
out:
	qnm_keyfile_free(&kf);
	free(fl.v);
	if (r) {
		qnm_network_free(net);
		return r;
	}
	*out = net;
	return 0;
}

/* ---- writing ---- */

static void write_key(struct qnm_strbuf *sb, const void *base, const struct key_desc *d,
		      bool comments)
{
	const char *p = (const char *)base + d->offset;
	char buf[96];
	size_t i, n;

	switch (d->type) {
	case K_STR:
		if (!p[0] && !d->write_empty)
			return;
		break;
	case K_PATH:
		if (!*(char *const *)(const void *)p)
			return;
		break;
	case K_FWD:
	case K_ARGV:
		if (!*(const size_t *)(const void *)((const char *)base + d->count_off))
			return;
		break;
	case K_CIDR_A:
		if (!((const struct qnm_network *)base)->address[0])
			return;
		break;
	default:
		break;
	}
	if (comments && d->help)
		qnm_sb_addf(sb, "# %s\n", d->help);
	switch (d->type) {
	case K_STR:
		qnm_kf_write_value(sb, d->key, p);
		break;
	case K_PATH:
		qnm_kf_write_value(sb, d->key, *(char *const *)(const void *)p);
		break;
	case K_UINT:
		qnm_sb_addf(sb, "%s = %u\n", d->key, *(const unsigned *)(const void *)p);
		break;
	case K_BOOL:
		qnm_sb_addf(sb, "%s = %s\n", d->key, *(const bool *)(const void *)p ? "yes" : "no");
		break;
	case K_LINK:
		qnm_sb_addf(sb, "%s = %s\n", d->key,
			    *(const bool *)(const void *)p ? "up" : "down");
		break;
	case K_ENUM:
		qnm_sb_addf(sb, "%s = %s\n", d->key, d->name(*(const int *)(const void *)p));
		break;
	case K_FWD: {
		const struct qnm_fwd *v = *(struct qnm_fwd *const *)(const void *)p;

		n = *(const size_t *)(const void *)((const char *)base + d->count_off);
		for (i = 0; i < n; i++) {
			qnm_fwd_format(&v[i], buf, sizeof(buf));
			qnm_kf_write_value(sb, d->key, buf);
		}
		break;
	}
	case K_ARGV: {
		char *const *v = *(char **const *)(const void *)p;

		n = *(const size_t *)(const void *)((const char *)base + d->count_off);
		for (i = 0; i < n; i++)
			qnm_kf_write_value(sb, d->key, v[i]);
		break;
	}
	case K_CIDR_A: {
		const struct qnm_network *net = base;

		qnm_sb_addf(sb, "%s = %s/%u\n", d->key, net->address, net->prefix);
		break;
	}
	}
}

char *qnm_vm_serialize(const struct qnm_vm *vm)
{
	struct qnm_strbuf sb;
	size_t i, k;

	qnm_sb_init(&sb);
	qnm_sb_addf(&sb,
		    "# qnm VM '%s' - edit by hand, with 'qnm set' or in the qnm UI.\n"
		    "# The VM is named by this file's name. Lines starting with # are comments.\n\n"
		    "[vm]\n",
		    vm->name);
	for (k = 0; k < QNM_ARRAY_SIZE(vm_keys); k++)
		write_key(&sb, vm, &vm_keys[k], true);
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *nic = &vm->nics[i];

		qnm_sb_addf(&sb, "\n# %s\n[nic %s]\n", qnm_backend_get(nic->backend)->summary,
			    nic->id);
		for (k = 0; k < QNM_ARRAY_SIZE(nic_keys); k++) {
			const struct key_desc *d = &nic_keys[k];

			if (d->backends & BE(nic->backend))
				write_key(&sb, nic, d, i == 0);
		}
	}
	return qnm_sb_steal(&sb);
}

char *qnm_network_serialize(const struct qnm_network *net)
{
	struct qnm_strbuf sb;
	size_t k;

	qnm_sb_init(&sb);
	qnm_sb_addf(&sb,
		    "# qnm network '%s' - edit by hand, with 'qnm net set' or in the qnm UI.\n\n"
		    "[network]\n",
		    net->name);
	for (k = 0; k < QNM_ARRAY_SIZE(net_keys); k++)
		write_key(&sb, net, &net_keys[k], true);
	return qnm_sb_steal(&sb);
}

/* ---- files ---- */

int qnm_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct qnm_strbuf sb;
	char buf[8192];
	ssize_t n;
	int fd, r = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	qnm_sb_init(&sb);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > max) {
			r = -EFBIG;
			break;
		}
		qnm_sb_addn(&sb, buf, (size_t)n);
	}
	close(fd);
	if (r) {
		qnm_sb_free(&sb);
		return r;
	}
	*len = sb.len;
	*out = qnm_sb_steal(&sb);
	return 0;
}

int qnm_atomic_write(const char *path, const char *data, size_t len, mode_t mode,
		     struct qnm_err *err)
{
	char *dir = xstrdup(path), *tmp;
	const char *d = dirname(dir);
	size_t off = 0;
	int fd, dfd, r = 0;

	tmp = xasprintf("%s/.%s.tmp.XXXXXX", d, base_name(path));
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot create a temporary file in %s: %s", d,
			    strerror(-r));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			qnm_err_set(err, r, "", "cannot write %s: %s%s", path, strerror(-r),
				    r == -ENOSPC ? " (disk full; the old file is unchanged)" : "");
			break;
		}
		off += (size_t)n;
	}
	if (!r && fchmod(fd, mode) < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot set the mode of %s: %s", path, strerror(-r));
	}
	if (!r && fsync(fd) < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot write %s to disk: %s", path, strerror(-r));
	}
	if (close(fd) < 0 && !r) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot write %s: %s", path, strerror(-r));
	}
	if (!r && rename(tmp, path) < 0) {
		r = -errno;
		qnm_err_set(err, r, "", "cannot replace %s: %s", path, strerror(-r));
	}
	if (r) {
		unlink(tmp);
		goto out;
	}
	dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	free(tmp);
	free(dir);
	return r;
}

/* Load every *.conf of @dir through @load. */
static int load_dir(const char *dir, struct qnm_model *m, struct qnm_problems *problems, bool vms,
		    struct qnm_err *err)
{
	struct dirent **ents;
	int n, i;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return 0;
		return qnm_err_set(err, -errno, "", "cannot read %s: %s", dir, strerror(errno));
	}
	for (i = 0; i < n; i++) {
		const char *b = ents[i]->d_name;
		size_t bl = strlen(b);
		struct qnm_err e;
		char *path, *text;
		size_t len;
		int r;

		if (b[0] == '.' || bl <= 5 || strcmp(b + bl - 5, ".conf") != 0) {
			free(ents[i]);
			continue;
		}
		path = xasprintf("%s/%s", dir, b);
		free(ents[i]);
		qnm_err_clear(&e);
		r = qnm_read_file(path, CONF_MAX_BYTES, &text, &len);
		if (r) {
			char *msg = xasprintf("%s: cannot read: %s", path,
					      r == -EFBIG ? "larger than 4 MiB" : strerror(-r));

			problem_add(problems, path, msg);
			free(msg);
			free(path);
			continue;
		}
		if (vms) {
			struct qnm_vm *vm;

			r = qnm_vm_parse(text, len, path, &vm, &e);
			if (!r)
				qnm_model_add_vm(m, vm);
		} else {
			struct qnm_network *net;

			r = qnm_network_parse(text, len, path, &net, &e);
			if (!r)
				qnm_model_add_net(m, net);
		}
		if (r)
			problem_add(problems, path, e.msg);
		free(text);
		free(path);
	}
	free(ents);
	return 0;
}

int qnm_config_load(const struct qnm_paths *p, struct qnm_model *m, struct qnm_problems *problems,
		    struct qnm_err *err)
{
	int r;

	r = load_dir(p->vms_dir, m, problems, true, err);
	if (r)
		return r;
	return load_dir(p->nets_dir, m, problems, false, err);
}

/* Refuse to overwrite @path when it exists and does not parse. */
static int check_overwritable(const char *path, bool vm, struct qnm_err *err)
{
	struct qnm_err e;
	char *text;
	size_t len;
	int r;

	r = qnm_read_file(path, CONF_MAX_BYTES, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r)
		return qnm_err_set(err, r, "",
				   "%s exists but cannot be read (%s); qnm will not overwrite it",
				   path, strerror(-r));
	qnm_err_clear(&e);
	if (vm) {
		struct qnm_vm *v;

		r = qnm_vm_parse(text, len, path, &v, &e);
		qnm_vm_free(v);
	} else {
		struct qnm_network *n;

		r = qnm_network_parse(text, len, path, &n, &e);
		qnm_network_free(n);
	}
	free(text);
	if (r)
		return qnm_err_set(
			err, -EEXIST, "",
			"%s does not parse (%s); fix or remove it by hand - qnm never overwrites a file it cannot read",
			path, e.msg);
	return 0;
}

static int save_common(const char *dir, const char *name, const char *old_name, const char *text,
		       bool vm, struct qnm_err *err)
{
	char *path = xasprintf("%s/%s.conf", dir, name);
	char *old = NULL;
	int r;

	r = qnm_mkdir_p(dir, 0700);
	if (r) {
		qnm_err_set(err, r, "", "cannot create %s: %s", dir, strerror(-r));
		goto out;
	}
	if (!old_name || strcmp(old_name, name) != 0) {
		if (access(path, F_OK) == 0) {
			r = qnm_err_set(err, -EEXIST, "name",
					"name: a %s named '%s' already exists (%s)",
					vm ? "VM" : "network", name, path);
			goto out;
		}
	} else {
		r = check_overwritable(path, vm, err);
		if (r)
			goto out;
	}
	if (old_name && strcmp(old_name, name) != 0) {
		old = xasprintf("%s/%s.conf", dir, old_name);
		r = check_overwritable(old, vm, err);
		if (r)
			goto out;
	}
	r = qnm_atomic_write(path, text, strlen(text), 0600, err);
	if (!r && old && unlink(old) < 0 && errno != ENOENT) {
		r = -errno;
		qnm_err_set(err, r, "", "saved %s but cannot remove the old file %s: %s", path, old,
			    strerror(errno));
	}
out:
	free(old);
	free(path);
	return r;
}

int qnm_config_save_vm(const struct qnm_paths *p, const struct qnm_vm *vm, const char *old_name,
		       struct qnm_err *err)
{
	char *text;
	int r;

	r = qnm_check_vm(vm, err);
	if (r)
		return r;
	text = qnm_vm_serialize(vm);
	r = save_common(p->vms_dir, vm->name, old_name, text, true, err);
	free(text);
	return r;
}

int qnm_config_save_network(const struct qnm_paths *p, const struct qnm_network *net,
			    const char *old_name, struct qnm_err *err)
{
	char *text;
	int r;

	r = qnm_check_network(net, err);
	if (r)
		return r;
	text = qnm_network_serialize(net);
	r = save_common(p->nets_dir, net->name, old_name, text, false, err);
	free(text);
	return r;
}

static int delete_common(const char *dir, const char *name, const char *what, struct qnm_err *err)
{
	char *path;
	int r = 0;

	if (!qnm_valid_name(name))
		return qnm_err_set(err, -EINVAL, "name", "'%s' is not a valid %s name", name, what);
	path = xasprintf("%s/%s.conf", dir, name);
	if (unlink(path) < 0) {
		r = -errno;
		if (r == -ENOENT)
			qnm_err_set(err, r, "name", "no %s named '%s'", what, name);
		else
			qnm_err_set(err, r, "", "cannot remove %s: %s", path, strerror(-r));
	}
	free(path);
	return r;
}

int qnm_config_delete_vm(const struct qnm_paths *p, const char *name, struct qnm_err *err)
{
	return delete_common(p->vms_dir, name, "VM", err);
}

int qnm_config_delete_network(const struct qnm_paths *p, const char *name, struct qnm_err *err)
{
	return delete_common(p->nets_dir, name, "network", err);
}

/* ---- KEY=VALUE assignments (CLI "set", also usable by forms) ---- */

static int remove_repeated(void *base, const struct key_desc *d, const char *value,
			   const char *field, struct qnm_err *err)
{
	size_t *n = (size_t *)(void *)((char *)base + d->count_off);
	size_t i;

	if (d->type == K_FWD) {
		struct qnm_fwd **v = (struct qnm_fwd **)(void *)((char *)base + d->offset);
		struct qnm_fwd f;

		if (qnm_fwd_parse(value, &f, field, err))
			return -EINVAL;
		for (i = 0; i < *n; i++) {
			const struct qnm_fwd *g = &(*v)[i];

			if (g->proto == f.proto && g->host_port == f.host_port &&
			    (!f.host_addr[0] || strcmp(g->host_addr, f.host_addr) == 0))
				return qnm_fwd_del(v, n, i);
		}
	} else {
		char ***v = (char ***)(void *)((char *)base + d->offset);

		for (i = 0; i < *n; i++) {
			if (strcmp((*v)[i], value) == 0) {
				free((*v)[i]);
				memmove(&(*v)[i], &(*v)[i + 1], (*n - i - 1) * sizeof(char *));
				(*n)--;
				return 0;
			}
		}
	}
	return qnm_err_set(err, -ENOENT, field, "%s: '%s' is not in the list", field, value);
}

static void clear_repeated(void *base, const struct key_desc *d)
{
	size_t *n = (size_t *)(void *)((char *)base + d->count_off);
	void **v = (void **)(void *)((char *)base + d->offset);

	if (d->type == K_ARGV) {
		char **a = *v;

		for (size_t i = 0; i < *n; i++)
			free(a[i]);
	}
	free(*v);
	*v = NULL;
	*n = 0;
}

static int assign(void *base, const struct key_desc *t, size_t nt, const char *assignment,
		  const char *prefix, unsigned backend_mask, struct qnm_err *err)
{
	const char *eq = strchr(assignment, '=');
	const struct key_desc *d;
	char key[48], field[96];
	char op = '=';
	size_t klen;

	if (!eq || eq == assignment)
		return qnm_err_set(err, -EINVAL, "",
				   "'%s' must be KEY=VALUE (or KEY+=VALUE, KEY-=VALUE for lists)",
				   assignment);
	klen = (size_t)(eq - assignment);
	if (eq[-1] == '+' || eq[-1] == '-') {
		op = eq[-1];
		klen--;
	}
	if (klen >= sizeof(key))
		return qnm_err_set(err, -EINVAL, "", "unknown key in '%s'", assignment);
	memcpy(key, assignment, klen);
	key[klen] = '\0';
	snprintf(field, sizeof(field), "%s%s", prefix, key);
	d = find_key(t, nt, key);
	if (!d) {
		struct qnm_strbuf sb;

		qnm_sb_init(&sb);
		list_keys(&sb, t, nt);
		qnm_err_set(err, -EINVAL, field, "%s: unknown key (known: %s)", field, sb.s);
		qnm_sb_free(&sb);
		return -EINVAL;
	}
	if (backend_mask && !(d->backends & backend_mask))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: does not apply to this NIC's backend (set backend= first)",
				   field);
	if (op != '=' && !repeatable(d))
		return qnm_err_set(err, -EINVAL, field, "%s: '%c=' only works on list keys", field,
				   op);
	if (op == '-')
		return remove_repeated(base, d, eq + 1, field, err);
	if (repeatable(d) && op == '=')
		clear_repeated(base, d);
	if (repeatable(d) && !eq[1])
		return 0;
	{
		struct qnm_err e2;
		int r = set_key(base, d, eq + 1, "", 0, field, &e2);

		if (r) {
			/* set_key's messages start with "FILE:LINE: "; drop that. */
			const char *m = strstr(e2.msg, ": ");

			m = m && strncmp(e2.msg, ":0: ", 4) == 0 ? e2.msg + 4 : e2.msg;
			return qnm_err_set(err, r, field, "%s", m);
		}
	}
	return 0;
}

int qnm_vm_assign(struct qnm_vm *vm, const char *assignment, struct qnm_err *err)
{
	if (strncmp(assignment, "name=", 5) == 0) {
		if (!qnm_valid_name(assignment + 5))
			return qnm_err_set(
				err, -EINVAL, "name",
				"name: '%s' must be 1-%d letters, digits, '_', '-' or '.', starting with a letter or digit",
				assignment + 5, QNM_NAME_MAX);
		qnm_strlcpy(vm->name, assignment + 5, sizeof(vm->name));
		return 0;
	}
	return assign(vm, vm_keys, QNM_ARRAY_SIZE(vm_keys), assignment, "", 0, err);
}

int qnm_nic_assign(struct qnm_nic *nic, const char *assignment, struct qnm_err *err)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "nic[%s].", nic->id);
	if (strncmp(assignment, "id=", 3) == 0) {
		if (!qnm_valid_name(assignment + 3))
			return qnm_err_set(err, -EINVAL, "id", "id: '%s' is not a valid NIC id",
					   assignment + 3);
		qnm_strlcpy(nic->id, assignment + 3, sizeof(nic->id));
		return 0;
	}
	return assign(nic, nic_keys, QNM_ARRAY_SIZE(nic_keys), assignment, prefix, BE(nic->backend),
		      err);
}

int qnm_network_assign(struct qnm_network *net, const char *assignment, struct qnm_err *err)
{
	return assign(net, net_keys, QNM_ARRAY_SIZE(net_keys), assignment, "", 0, err);
}
