// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * catalog.c - NIC device models from "qemu-system-ARCH -device help",
 * cached per QEMU binary, with a built-in fallback list.
 */
#include "build-config.h"

#include "guest/catalog.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MODEL_NAME_MAX	   47 /* fits struct qnm_nic.model with its NUL */
#define CATALOG_MAX_MODELS 1024
#define QEMU_OUTPUT_MAX	   (4u << 20)
#define CACHE_MAX	   (1u << 20)
#define CACHE_MAGIC	   "qnm-models 1"

/* qnm's advice per model: shown next to QEMU's own description. */
struct model_hint {
	const char *name;
	const char *hint;
};

static const struct model_hint hints[] = {
	{ "virtio-net-pci",
	  "paravirtual and fastest; recommended for Linux guests (driver built in); Windows needs the virtio-win drivers" },
	{ "virtio-net-pci-non-transitional",
	  "virtio-net-pci without the legacy interface: modern guests only" },
	{ "virtio-net-pci-transitional", "virtio-net-pci with both legacy and modern interfaces" },
	{ "virtio-net-device",
	  "virtio on a virtio-mmio bus (microvm, ARM virt); not for PC machines" },
	{ "e1000",
	  "Intel 82540EM; recommended for Windows installers and old guests: every OS since 2000 has its driver" },
	{ "e1000e", "Intel 82574L PCIe; Windows 8 and later have its driver; suits q35 machines" },
	{ "rtl8139",
	  "Realtek RTL8139 10/100; for very old guests (Windows 9x/XP, DOS packet drivers)" },
	{ "i82559er", "Intel EtherExpress PRO/100 family; for old guests" },
	{ "ne2k_pci", "NE2000 clone; for ancient guests and DOS" },
	{ "ne2k_isa", "NE2000 on the ISA bus; for DOS-era guests (pc machine only)" },
	{ "pcnet", "AMD PCnet-PCI II; for old guests, Solaris and some BSDs" },
	{ "vmxnet3", "VMware paravirtual NIC; for images built on VMware" },
	{ "usb-net", "USB network adapter (CDC); needs a USB controller; slow" },
	{ "tulip", "DEC 21143 Tulip; for old guests" },
};

/* The built-in list: QEMU 7.2's x86 models, with its descriptions where it has one. */
struct builtin_model {
	const char *name;
	const char *bus;
	const char *alias;
	const char *desc;
};

static const struct builtin_model builtin_models[] = {
	{ "e1000", "PCI", "e1000-82540em", "Intel Gigabit Ethernet" },
	{ "e1000-82544gc", "PCI", NULL, "Intel Gigabit Ethernet" },
	{ "e1000-82545em", "PCI", NULL, "Intel Gigabit Ethernet" },
	{ "e1000e", "PCI", NULL, "Intel 82574L GbE Controller" },
	{ "i82550", "PCI", NULL, "Intel i82550 Ethernet" },
	{ "i82551", "PCI", NULL, "Intel i82551 Ethernet" },
	{ "i82557a", "PCI", NULL, "Intel i82557A Ethernet" },
	{ "i82557b", "PCI", NULL, "Intel i82557B Ethernet" },
	{ "i82557c", "PCI", NULL, "Intel i82557C Ethernet" },
	{ "i82558a", "PCI", NULL, "Intel i82558A Ethernet" },
	{ "i82558b", "PCI", NULL, "Intel i82558B Ethernet" },
	{ "i82559a", "PCI", NULL, "Intel i82559A Ethernet" },
	{ "i82559b", "PCI", NULL, "Intel i82559B Ethernet" },
	{ "i82559c", "PCI", NULL, "Intel i82559C Ethernet" },
	{ "i82559er", "PCI", NULL, "Intel i82559ER Ethernet" },
	{ "i82562", "PCI", NULL, "Intel i82562 Ethernet" },
	{ "i82801", "PCI", NULL, "Intel i82801 Ethernet" },
	{ "ne2k_isa", "ISA", NULL, "NE2000 on the ISA bus" },
	{ "ne2k_pci", "PCI", NULL, "NE2000-compatible Ethernet (Realtek RTL8029)" },
	{ "pcnet", "PCI", NULL, "AMD PCnet-PCI II (Am79C970A) Ethernet" },
	{ "rtl8139", "PCI", NULL, "Realtek RTL8139 Fast Ethernet" },
	{ "tulip", "PCI", NULL, "DEC 21143 Tulip Ethernet" },
	{ "usb-net", "usb-bus", NULL, "USB CDC Ethernet adapter" },
	{ "virtio-net-pci", "PCI", "virtio-net", "Virtio network device (paravirtual)" },
	{ "virtio-net-pci-non-transitional", "PCI", NULL, NULL },
	{ "virtio-net-pci-transitional", "PCI", NULL, NULL },
	{ "vmxnet3", "PCI", NULL, "VMWare Paravirtualized Ethernet v3" },
};

/*
 * libvirt's NIC model names that are not QEMU device names (the type of its
 * <model>; QEMU's legacy -nic/-net accepts "virtio" too): users bring them
 * from libvirt XML and virt-install command lines.
 */
struct model_alias {
	const char *name;
	const char *device;
};

static const struct model_alias libvirt_names[] = {
	{ "virtio", "virtio-net-pci" },
	{ "virtio-transitional", "virtio-net-pci-transitional" },
	{ "virtio-non-transitional", "virtio-net-pci-non-transitional" },
};

static const char *const source_names[] = {
	[QNM_CATALOG_QEMU] = "qemu",
	[QNM_CATALOG_CACHE] = "cache",
	[QNM_CATALOG_BUILTIN] = "builtin",
};

const char *qnm_catalog_source_name(enum qnm_catalog_source s)
{
	return (unsigned)s < QNM_ARRAY_SIZE(source_names) ? source_names[s] : "?";
}

static const char *hint_of(const char *name)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(hints); i++)
		if (strcmp(hints[i].name, name) == 0)
			return hints[i].hint;
	return NULL;
}

struct qnm_catalog *qnm_catalog_new(const char *arch)
{
	struct qnm_catalog *c = xcalloc(1, sizeof(*c));

	qnm_strlcpy(c->arch, arch ? arch : "", sizeof(c->arch));
	return c;
}

static void models_clear(struct qnm_catalog *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->models[i].name);
		free(c->models[i].bus);
		free(c->models[i].alias);
		free(c->models[i].desc);
	}
	free(c->models);
	c->models = NULL;
	c->n = 0;
}

void qnm_catalog_free(struct qnm_catalog *c)
{
	if (!c)
		return;
	models_clear(c);
	free(c->qemu);
	free(c->note);
	free(c);
}

const struct qnm_nic_model *qnm_catalog_find(const struct qnm_catalog *c, const char *name)
{
	size_t i;

	if (!c || !name)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->models[i].name, name) == 0)
			return &c->models[i];
	for (i = 0; i < c->n; i++)
		if (c->models[i].alias && strcmp(c->models[i].alias, name) == 0)
			return &c->models[i];
	return NULL;
}

/* The last component of @path. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* qnm_catalog_find() without regard to case. */
static const struct qnm_nic_model *find_nocase(const struct qnm_catalog *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->models[i].name, name) == 0)
			return &c->models[i];
	for (i = 0; i < c->n; i++)
		if (c->models[i].alias && strcasecmp(c->models[i].alias, name) == 0)
			return &c->models[i];
	return NULL;
}

/* Edit distance of @a and @b ignoring case, capped at @cap (enough for advice). */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[MODEL_NAME_MAX + 2];

	if (la > MODEL_NAME_MAX || lb > MODEL_NAME_MAX)
		return cap;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost =
				tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
					? 0
					: 1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb] < cap ? row[lb] : cap;
}

/* How far @name is from model @m: a name that starts the model's ("virtio-net") counts as 1. */
static size_t model_distance(const struct qnm_nic_model *m, const char *name, size_t cap)
{
	size_t d = distance(name, m->name, cap);
	size_t n = strlen(name);

	if (m->alias) {
		size_t da = distance(name, m->alias, cap);

		d = da < d ? da : d;
	}
	if (n >= 3 && strncasecmp(m->name, name, n) == 0 && d > 1)
		d = 1;
	return d;
}

/* The smallest distance of a usable model from @name, or @cap when none is close. */
static size_t closest_distance(const struct qnm_catalog *c, const char *name, size_t cap)
{
	size_t best = cap, i;

	for (i = 0; i < c->n; i++) {
		size_t d = model_distance(&c->models[i], name, cap);

		if (!c->models[i].no_user && d < best)
			best = d;
	}
	return best;
}

/* The cap on distances worth advising for @name: about a third of its letters wrong. */
static size_t advice_cap(const char *name)
{
	return strlen(name) / 3 + 2;
}

const struct qnm_nic_model *qnm_catalog_closest(const struct qnm_catalog *c, const char *name)
{
	size_t cap = advice_cap(name), best = closest_distance(c, name, cap), i;

	for (i = 0; i < c->n && best < cap; i++)
		if (!c->models[i].no_user && model_distance(&c->models[i], name, cap) == best)
			return &c->models[i];
	return NULL;
}

/* Append "did you mean A, B? " to @sb for the closest models to @name, if any is close. */
static void advise(const struct qnm_catalog *c, const char *name, struct qnm_strbuf *sb)
{
	size_t cap = advice_cap(name), best = closest_distance(c, name, cap), i, shown = 0;

	if (best >= cap)
		return;
	for (i = 0; i < c->n && shown < 3; i++) {
		if (c->models[i].no_user || model_distance(&c->models[i], name, cap) != best)
			continue;
		qnm_sb_addf(sb, "%s%s", shown ? ", " : "did you mean ", c->models[i].name);
		shown++;
	}
	qnm_sb_add(sb, "? ");
}

const struct qnm_nic_model *qnm_catalog_resolve(const struct qnm_catalog *c, const char *name,
						struct qnm_err *err)
{
	const struct qnm_nic_model *m = NULL;
	struct qnm_strbuf sb;
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(libvirt_names) && name; i++)
		if (strcasecmp(libvirt_names[i].name, name) == 0)
			m = qnm_catalog_find(c, libvirt_names[i].device);
	if (!m && name)
		m = find_nocase(c, name);
	if (m && m->no_user) {
		qnm_err_set(
			err, -EINVAL, "model",
			"'%s' cannot be added with -device (QEMU marks it no-user); 'qnm models' lists the NIC models",
			m->name);
		return NULL;
	}
	if (m)
		return m;
	qnm_sb_init(&sb);
	advise(c, name ? name : "", &sb);
	qnm_err_set(err, -EINVAL, "model",
		    "'%s' is not a NIC model of %s (%s'qnm models' lists them)", name ? name : "",
		    c->source == QNM_CATALOG_BUILTIN ? "qnm's built-in list"
		    : c->qemu			     ? base_name(c->qemu)
						     : "QEMU",
		    sb.len ? sb.s : "");
	qnm_sb_free(&sb);
	return NULL;
}

static struct qnm_nic_model *add_model(struct qnm_catalog *c, const char *name, const char *bus,
				       const char *alias, const char *desc, bool no_user)
{
	struct qnm_nic_model *m;

	/* The array doubles when @n reaches a power of two: no realloc per model. */
	if ((c->n & (c->n - 1)) == 0)
		c->models = xreallocarray(c->models, c->n ? 2 * c->n : 1, sizeof(*c->models));
	m = &c->models[c->n++];
	m->name = xstrdup(name);
	m->bus = xstrdup(bus ? bus : "");
	m->alias = xstrdup_or_null(alias);
	m->desc = xstrdup_or_null(desc);
	m->no_user = no_user;
	m->hint = hint_of(name);
	return m;
}

/*
 * The names and aliases already taken while parsing: an open-addressing hash
 * set (at most half full) of pointers to the models' own strings, so a parse
 * stays linear in the number of models where one qnm_catalog_find() per line
 * made it quadratic.
 */
struct name_set {
	const char **v;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

static size_t name_hash(const char *s)
{
	size_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot holding @s, or the empty slot where it would go. */
static size_t set_slot(const struct name_set *set, const char *s)
{
	size_t i = name_hash(s) & (set->cap - 1);

	while (set->v[i] && strcmp(set->v[i], s) != 0)
		i = (i + 1) & (set->cap - 1);
	return i;
}

static bool set_has(const struct name_set *set, const char *s)
{
	return set->cap && set->v[set_slot(set, s)];
}

static void set_add(struct name_set *set, const char *s)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct name_set big = { xcalloc(set->cap ? 2 * set->cap : 64, sizeof(*big.v)),
					set->cap ? 2 * set->cap : 64, set->n };

		for (i = 0; i < set->cap; i++)
			if (set->v[i])
				big.v[set_slot(&big, set->v[i])] = set->v[i];
		free(set->v);
		*set = big;
	}
	i = set_slot(set, s);
	if (!set->v[i]) {
		set->v[i] = s;
		set->n++;
	}
}

static void set_add_model(struct name_set *set, const struct qnm_nic_model *m)
{
	set_add(set, m->name);
	if (m->alias)
		set_add(set, m->alias);
}

/* ---- parsing ---- */

/* A bounded view of one line. */
struct span {
	const char *p;
	size_t n;
};

static bool span_starts(const struct span *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s->n >= n && memcmp(s->p, prefix, n) == 0;
}

static void span_skip(struct span *s, size_t n)
{
	s->p += n;
	s->n -= n;
}

/* The span as a NUL-terminated string, or false when it is too long. */
static bool span_str(const char *p, size_t n, char *buf, size_t size)
{
	if (n >= size || memchr(p, '\0', n))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

static bool valid_model_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return n >= 1 && n <= MODEL_NAME_MAX;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/*
 * Read a quoted value at s->p (just after the opening quote). Names and
 * aliases end at the first quote; a description, printed last by QEMU
 * without escaping, ends at the last quote of the line.
 */
static bool take_quoted(struct span *s, bool to_last, char *buf, size_t size)
{
	const char *end = NULL;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->p[i] == '"') {
			end = s->p + i;
			if (!to_last)
				break;
		}
	}
	if (!end)
		return false;
	if (!span_str(s->p, (size_t)(end - s->p), buf, size)) {
		span_skip(s, (size_t)(end - s->p) + 1);
		return false;
	}
	span_skip(s, (size_t)(end - s->p) + 1);
	return true;
}

/* Skip to just after the next ", " (or to the end). */
static void skip_attr(struct span *s)
{
	size_t i;

	for (i = 0; i + 1 < s->n; i++) {
		if (s->p[i] == ',' && s->p[i + 1] == ' ') {
			span_skip(s, i + 2);
			return;
		}
	}
	span_skip(s, s->n);
}

static void parse_line(struct qnm_catalog *c, struct name_set *taken, struct span line)
{
	char name[MODEL_NAME_MAX + 2], alias[MODEL_NAME_MAX + 2], bus[64], desc[256];
	bool have_alias = false, have_desc = false, have_bus = false, no_user = false;

	if (!span_starts(&line, "name \""))
		return;
	span_skip(&line, 6);
	if (!take_quoted(&line, false, name, sizeof(name)) || !valid_model_name(name))
		return;
	while (line.n) {
		if (span_starts(&line, ", ")) {
			span_skip(&line, 2);
		} else if (span_starts(&line, "bus ")) {
			size_t i;

			span_skip(&line, 4);
			for (i = 0; i < line.n && line.p[i] != ','; i++)
				;
			have_bus = span_str(line.p, i, bus, sizeof(bus)) && printable(bus);
			span_skip(&line, i);
		} else if (span_starts(&line, "alias \"")) {
			span_skip(&line, 7);
			have_alias = take_quoted(&line, false, alias, sizeof(alias)) &&
				     valid_model_name(alias);
		} else if (span_starts(&line, "desc \"")) {
			span_skip(&line, 6);
			have_desc = take_quoted(&line, true, desc, sizeof(desc)) && printable(desc);
		} else if (span_starts(&line, "no-user") && (line.n == 7 || line.p[7] == ',')) {
			no_user = true;
			span_skip(&line, 7);
		} else {
			skip_attr(&line);
		}
	}
	if (set_has(taken, name) || c->n >= CATALOG_MAX_MODELS)
		return; /* the first model of a name (or alias) wins */
	set_add_model(taken, add_model(c, name, have_bus ? bus : "", have_alias ? alias : NULL,
				       have_desc ? desc : NULL, no_user));
}

/* Next line of [*pos, end), without its "\n" or "\r\n". */
static bool next_line(const char **pos, const char *end, struct span *line)
{
	const char *p = *pos, *nl;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	line->p = p;
	line->n = (size_t)((nl ? nl : end) - p);
	*pos = nl ? nl + 1 : end;
	if (line->n && line->p[line->n - 1] == '\r')
		line->n--;
	return true;
}

static bool is_section_header(const struct span *l)
{
	return l->n && l->p[l->n - 1] == ':' && !span_starts(l, "name ");
}

int qnm_catalog_parse(struct qnm_catalog *c, const char *text, size_t len, struct qnm_err *err)
{
	const char *pos = text, *end = text + len;
	bool found = false, in_section = false;
	struct name_set taken = { NULL, 0, 0 };
	struct span line;
	size_t i;

	for (i = 0; i < c->n; i++)
		set_add_model(&taken, &c->models[i]);
	while (next_line(&pos, end, &line)) {
		if (!in_section) {
			if (line.n == 16 && memcmp(line.p, "Network devices:", 16) == 0)
				found = in_section = true;
			continue;
		}
		if (line.n == 0 || is_section_header(&line)) {
			in_section = false;
			continue;
		}
		parse_line(c, &taken, line);
	}
	free(taken.v);
	if (!found)
		return qnm_err_set(
			err, -ENOENT, "models",
			"models: the output of '-device help' has no 'Network devices:' section");
	return 0;
}

char *qnm_catalog_format(const struct qnm_catalog *c)
{
	struct qnm_strbuf sb;
	size_t i;

	qnm_sb_init(&sb);
	qnm_sb_add(&sb, "Network devices:\n");
	for (i = 0; i < c->n; i++) {
		const struct qnm_nic_model *m = &c->models[i];

		qnm_sb_addf(&sb, "name \"%s\"", m->name);
		if (m->bus[0])
			qnm_sb_addf(&sb, ", bus %s", m->bus);
		if (m->alias)
			qnm_sb_addf(&sb, ", alias \"%s\"", m->alias);
		if (m->desc)
			qnm_sb_addf(&sb, ", desc \"%s\"", m->desc);
		if (m->no_user)
			qnm_sb_add(&sb, ", no-user");
		qnm_sb_addc(&sb, '\n');
	}
	qnm_sb_addc(&sb, '\n');
	return qnm_sb_steal(&sb);
}

struct qnm_catalog *qnm_catalog_builtin(const char *arch, const char *note)
{
	struct qnm_catalog *c = qnm_catalog_new(arch);
	size_t i;

	c->source = QNM_CATALOG_BUILTIN;
	c->note = xstrdup_or_null(note);
	for (i = 0; i < QNM_ARRAY_SIZE(builtin_models); i++) {
		const struct builtin_model *b = &builtin_models[i];

		add_model(c, b->name, b->bus, b->alias, b->desc, false);
	}
	return c;
}

const char *qnm_catalog_recommended(const struct qnm_catalog *c, enum qnm_guest_os os)
{
	static const char *const linux_order[] = { "virtio-net-pci", "e1000e", "e1000" };
	static const char *const windows_order[] = { "e1000", "e1000e", "rtl8139" };
	const char *const *order = os == QNM_GUEST_WINDOWS ? windows_order : linux_order;
	size_t i;

	for (i = 0; i < 3; i++) {
		const struct qnm_nic_model *m;

		if (!c)
			return order[i];
		m = qnm_catalog_find(c, order[i]);
		if (m && !m->no_user)
			return order[i];
	}
	return NULL;
}

/* ---- running QEMU ---- */

static int reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int spawn_qemu(const char *qemu, const char *what, int out_fd, pid_t *pid)
{
	char *const argv[] = { (char *)qemu, (char *)"-device", (char *)what, NULL };

	return qnm_spawn(qemu, argv, out_fd, -1, pid);
}

/* "QEMU -device @what" ("help", "e1000,help"): its stdout, as qnm_catalog_run_qemu(). */
static int run_device_help(const char *qemu, const char *what, int timeout_ms, char **out,
			   size_t *len, struct qnm_err *err)
{
	struct qnm_strbuf sb;
	long long deadline = qnm_mono_ms_int() + timeout_ms;
	int fds[2], status, r = 0;
	pid_t pid;

	*out = NULL;
	*len = 0;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return qnm_err_set(err, -errno, "qemu", "qemu: cannot make a pipe: %s",
				   strerror(errno));
	r = spawn_qemu(qemu, what, fds[1], &pid);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		return qnm_err_set(err, r, "qemu", "qemu: cannot run %s: %s", qemu, strerror(-r));
	}
	qnm_sb_init(&sb);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		long long left = deadline - qnm_mono_ms_int();
		char buf[8192];
		ssize_t n;

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		n = poll(&pfd, 1, (int)(left > 1000000 ? 1000000 : left));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			continue;
		n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
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
	if (reap(pid, &status) == 0 && !r && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = -EIO;
	if (r) {
		qnm_sb_free(&sb);
		if (r == -ETIMEDOUT)
			return qnm_err_set(err, r, "qemu",
					   "qemu: '%s -device %s' did not finish within %d ms",
					   qemu, what, timeout_ms);
		if (r == -EFBIG)
			return qnm_err_set(err, r, "qemu",
					   "qemu: '%s -device %s' printed more than %u bytes", qemu,
					   what, QEMU_OUTPUT_MAX);
		if (r == -EIO)
			return qnm_err_set(err, r, "qemu", "qemu: '%s -device %s' failed (%s %d)",
					   qemu, what, WIFEXITED(status) ? "exit status" : "signal",
					   WIFEXITED(status) ? WEXITSTATUS(status)
							     : WTERMSIG(status));
		return qnm_err_set(err, r, "qemu", "qemu: reading from %s: %s", qemu, strerror(-r));
	}
	*len = sb.len;
	*out = qnm_sb_steal(&sb);
	return 0;
}

int qnm_catalog_run_qemu(const char *qemu, int timeout_ms, char **out, size_t *len,
			 struct qnm_err *err)
{
	return run_device_help(qemu, "help", timeout_ms, out, len, err);
}

static bool plain_arch(const char *arch)
{
	size_t n = 0;

	for (; arch && arch[n]; n++) {
		unsigned char ch = (unsigned char)arch[n];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return n >= 1 && n <= 15;
}

char *qnm_catalog_find_qemu(const char *arch)
{
	char *prog, *path;

	if (!plain_arch(arch))
		return NULL;
	prog = xasprintf("qemu-system-%s", arch);
	path = qnm_which(prog);
	free(prog);
	return path;
}

/* ---- the cache ---- */

static char *cache_key(const char *qemu, const struct stat *st)
{
	return xasprintf(CACHE_MAGIC "\nqemu %s\nmtime %lld.%09ld\nsize %lld\n", qemu,
			 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
			 (long long)st->st_size);
}

static int mkdir_parents(const char *dir)
{
	char *copy = xstrdup(dir), *p;
	int r = 0;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			r = -errno;
		*p = '/';
		if (r)
			break;
	}
	if (!r && mkdir(copy, 0700) < 0 && errno != EEXIST)
		r = -errno;
	free(copy);
	return r;
}

/* The cache's text after the key, or NULL when it is missing or stale. */
static char *cache_read(const char *file, const char *key, size_t *len)
{
	size_t klen = strlen(key), n = 0;
	char *buf;
	ssize_t got;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	buf = xmalloc(CACHE_MAX + 1);
	while (n < CACHE_MAX && (got = read(fd, buf + n, CACHE_MAX - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (n < klen || memcmp(buf, key, klen) != 0) {
		free(buf);
		return NULL;
	}
	memmove(buf, buf + klen, n - klen);
	*len = n - klen;
	buf[*len] = '\0';
	return buf;
}

/* Write @key then @text to @file in @dir, atomically; failures leave no file. */
static void cache_write_text(const char *dir, const char *file, const char *key, const char *text)
{
	size_t klen = strlen(key), tlen = strlen(text);
	char *tmp;
	bool ok;
	int fd;

	if (mkdir_parents(dir))
		return;
	tmp = xasprintf("%s.XXXXXX", file);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return;
	}
	ok = write(fd, key, klen) == (ssize_t)klen && write(fd, text, tlen) == (ssize_t)tlen;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, file) < 0)
		unlink(tmp);
	free(tmp);
}

static void cache_write(const char *dir, const char *file, const char *key,
			const struct qnm_catalog *c)
{
	char *text = qnm_catalog_format(c);

	cache_write_text(dir, file, key, text);
	free(text);
}

int qnm_catalog_load(const char *arch, const char *qemu, const char *cache_dir, int timeout_ms,
		     struct qnm_catalog **out, struct qnm_err *err)
{
	char *path = NULL, *key = NULL, *file = NULL, *text = NULL;
	struct qnm_catalog *c = NULL;
	struct qnm_err e;
	struct stat st;
	size_t len;
	int r;

	*out = NULL;
	qnm_err_clear(err);
	qnm_err_clear(&e);
	if (!plain_arch(arch))
		return qnm_err_set(err, -EINVAL, "arch",
				   "arch: '%s' is not a QEMU target name (e.g. x86_64, aarch64)",
				   arch ? arch : "");
	path = qemu ? xstrdup(qemu) : qnm_catalog_find_qemu(arch);
	if (!path) {
		qnm_err_set(&e, -ENOENT, "qemu", "qemu-system-%s was not found in PATH", arch);
		goto builtin;
	}
	if (stat(path, &st) < 0) {
		qnm_err_set(&e, -errno, "qemu", "%s: %s", path, strerror(errno));
		goto builtin;
	}
	if (cache_dir && !strchr(path, '\n')) {
		key = cache_key(path, &st);
		file = xasprintf("%s/models-%s", cache_dir, arch);
		text = cache_read(file, key, &len);
		if (text) {
			c = qnm_catalog_new(arch);
			if (qnm_catalog_parse(c, text, len, NULL) == 0 && c->n) {
				c->source = QNM_CATALOG_CACHE;
				goto done;
			}
			qnm_catalog_free(c);
			c = NULL;
			free(text);
			text = NULL;
		}
	}
	r = qnm_catalog_run_qemu(path, timeout_ms, &text, &len, &e);
	if (r)
		goto builtin;
	c = qnm_catalog_new(arch);
	r = qnm_catalog_parse(c, text, len, &e);
	if (r || !c->n) {
		if (!r)
			qnm_err_set(&e, -ENOENT, "qemu", "%s lists no network devices", path);
		else
			qnm_err_set(&e, r, "qemu",
				    "%s: its '-device help' has no network devices section", path);
		qnm_catalog_free(c);
		c = NULL;
		goto builtin;
	}
	c->source = QNM_CATALOG_QEMU;
	if (key)
		cache_write(cache_dir, file, key, c);
	goto done;
builtin:
	c = qnm_catalog_builtin(arch, e.msg);
	free(path);
	path = NULL;
done:
	if (path)
		c->qemu = path;
	free(key);
	free(file);
	free(text);
	*out = c;
	return 0;
}

/* ---- the properties of one model: "-device MODEL,help" ---- */

#define PROPS_CACHE_MAGIC "qnm-props 1"
#define PROPS_MAX	  512

/*
 * qnm's built-in properties of the common models ("name=type ..."), from
 * QEMU 7.2, used when QEMU cannot be asked; x- (experimental) ones left out.
 */
struct builtin_props {
	const char *model;
	const char *props;
};

#define PCI_PROPS                                                                                  \
	"acpi-index=uint32 addr=int32 bootindex=int32 failover_pair_id=str mac=str "               \
	"multifunction=bool netdev=str rombar=uint32 romfile=str romsize=uint32 "

static const struct builtin_props builtin_props[] = {
	{ "virtio-net-pci", PCI_PROPS
	  "aer=bool any_layout=bool ats=bool csum=bool ctrl_guest_offloads=bool "
	  "ctrl_mac_addr=bool ctrl_rx=bool ctrl_rx_extra=bool ctrl_vlan=bool ctrl_vq=bool "
	  "disable-legacy=OnOffAuto disable-modern=bool duplex=str event_idx=bool "
	  "failover=bool gso=bool guest_announce=bool guest_csum=bool guest_ecn=bool "
	  "guest_rsc_ext=bool guest_tso4=bool guest_tso6=bool guest_ufo=bool hash=bool "
	  "host_ecn=bool host_mtu=uint16 host_tso4=bool host_tso6=bool host_ufo=bool "
	  "indirect_desc=bool ioeventfd=bool iommu_platform=bool migrate-extra=bool "
	  "modern-pio-notify=bool mq=bool mrg_rxbuf=bool notify_on_empty=bool packed=bool "
	  "page-per-vq=bool queue_reset=bool rsc_interval=uint32 rss=bool "
	  "rx_queue_size=uint16 speed=int32 status=bool tx=str tx_queue_size=uint16 "
	  "use-disabled-flag=bool use-started=bool vectors=uint32" },
	{ "e1000", PCI_PROPS "autonegotiation=bool extra_mac_registers=bool init-vet=bool "
			     "migrate_tso_props=bool mitigation=bool" },
	{ "e1000e", PCI_PROPS "disable_vnet_hdr=uint8 init-vet=bool subsys=uint16 "
			      "subsys_ven=uint16" },
	{ "rtl8139", PCI_PROPS },
};

void qnm_dev_props_free(struct qnm_dev_props *p)
{
	if (!p)
		return;
	free(p->qemu);
	free(p->v);
	free(p);
}

static struct qnm_dev_props *props_new(const char *model)
{
	struct qnm_dev_props *p = xcalloc(1, sizeof(*p));

	qnm_strlcpy(p->model, model, sizeof(p->model));
	return p;
}

static void props_add(struct qnm_dev_props *p, const char *name, size_t nlen, const char *type,
		      size_t tlen)
{
	struct qnm_dev_prop *d;

	if (p->n >= PROPS_MAX || !nlen || nlen >= sizeof(d->name) || tlen >= sizeof(d->type))
		return;
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	d = &p->v[p->n++];
	memcpy(d->name, name, nlen);
	d->name[nlen] = '\0';
	memcpy(d->type, type, tlen);
	d->type[tlen] = '\0';
}

int qnm_dev_props_parse(struct qnm_dev_props *p, const char *text, size_t len)
{
	const char *pos = text, *end = text + len;
	struct span line;
	size_t before = p->n;

	while (next_line(&pos, end, &line)) {
		const char *s = line.p, *e = line.p + line.n, *eq, *lt, *gt;

		if (line.n < 3 || s[0] != ' ')
			continue; /* "MODEL options:" and anything that is not a property */
		while (s < e && *s == ' ')
			s++;
		eq = memchr(s, '=', (size_t)(e - s));
		if (!eq || eq + 1 >= e || eq[1] != '<')
			continue;
		lt = eq + 1;
		gt = memchr(lt, '>', (size_t)(e - lt));
		if (!gt)
			continue;
		props_add(p, s, (size_t)(eq - s), lt + 1, (size_t)(gt - lt - 1));
	}
	return p->n > before ? 0 : -ENOENT;
}

struct qnm_dev_props *qnm_dev_props_builtin(const char *model)
{
	struct qnm_dev_props *p;
	struct qnm_strbuf sb;
	const char *t;
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(builtin_props); i++)
		if (strcmp(builtin_props[i].model, model) == 0)
			break;
	if (i == QNM_ARRAY_SIZE(builtin_props))
		return NULL;
	/* the table in QEMU's own format, so there is one parser */
	qnm_sb_init(&sb);
	qnm_sb_addf(&sb, "%s options:\n  ", model);
	for (t = builtin_props[i].props; *t; t++) {
		if (*t == '=')
			qnm_sb_add(&sb, "=<");
		else if (*t == ' ')
			qnm_sb_add(&sb, ">\n  ");
		else
			qnm_sb_addc(&sb, *t);
	}
	qnm_sb_add(&sb, ">\n");
	p = props_new(model);
	p->source = QNM_CATALOG_BUILTIN;
	qnm_dev_props_parse(p, sb.s, sb.len);
	qnm_sb_free(&sb);
	return p;
}

int qnm_catalog_props_load(const char *arch, const char *qemu, const char *model,
			   const char *cache_dir, int timeout_ms, struct qnm_dev_props **out,
			   struct qnm_err *err)
{
	char *path = NULL, *key = NULL, *file = NULL, *text = NULL, *what = NULL;
	struct qnm_dev_props *p = NULL;
	struct stat st;
	size_t len;

	*out = NULL;
	qnm_err_clear(err);
	if (!plain_arch(arch))
		return qnm_err_set(err, -EINVAL, "arch",
				   "arch: '%s' is not a QEMU target name (e.g. x86_64, aarch64)",
				   arch ? arch : "");
	if (!valid_model_name(model) || model[0] == '.')
		return qnm_err_set(err, -EINVAL, "model", "model: '%s' is not a device model name",
				   model);
	path = qemu ? xstrdup(qemu) : qnm_catalog_find_qemu(arch);
	if (!path || stat(path, &st) < 0)
		goto builtin;
	if (cache_dir && !strchr(path, '\n')) {
		char *k = cache_key(path, &st);

		key = xasprintf(PROPS_CACHE_MAGIC "\n%s", k);
		free(k);
		file = xasprintf("%s/props-%s-%s", cache_dir, arch, model);
		text = cache_read(file, key, &len);
		if (text) {
			p = props_new(model);
			if (qnm_dev_props_parse(p, text, len) == 0) {
				p->source = QNM_CATALOG_CACHE;
				goto done;
			}
			qnm_dev_props_free(p);
			p = NULL;
			free(text);
			text = NULL;
		}
	}
	what = xasprintf("%s,help", model);
	if (run_device_help(path, what, timeout_ms, &text, &len, NULL) || !text)
		goto builtin;
	p = props_new(model);
	if (qnm_dev_props_parse(p, text, len)) {
		qnm_dev_props_free(p);
		p = NULL;
		goto builtin;
	}
	p->source = QNM_CATALOG_QEMU;
	if (key)
		cache_write_text(cache_dir, file, key, text);
	goto done;
builtin:
	free(path);
	path = NULL;
	p = qnm_dev_props_builtin(model); /* NULL: nobody can judge this model's props */
done:
	if (p && path)
		p->qemu = path;
	else
		free(path);
	free(key);
	free(file);
	free(text);
	free(what);
	*out = p;
	return 0;
}

const struct qnm_dev_prop *qnm_dev_props_find(const struct qnm_dev_props *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	return NULL;
}

/* ---- property values by type ---- */

/* A value check: 0, or -EINVAL with the rule in @why. */
struct prop_type {
	const char *type;
	bool (*ok)(const char *value, const struct prop_type *t);
	unsigned long long max;
	const char *rule;
};

static bool bool_ok(const char *v, const struct prop_type *t)
{
	(void)t;
	return !strcmp(v, "on") || !strcmp(v, "off") || !strcmp(v, "true") || !strcmp(v, "false") ||
	       !strcmp(v, "yes") || !strcmp(v, "no");
}

static bool onoffauto_ok(const char *v, const struct prop_type *t)
{
	(void)t;
	return !strcmp(v, "on") || !strcmp(v, "off") || !strcmp(v, "auto");
}

static bool uint_ok(const char *v, const struct prop_type *t)
{
	unsigned long long x = 0;

	if (!*v || strlen(v) > 20)
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return false;
		if (x > (t->max - (unsigned)(*v - '0')) / 10)
			return false;
		x = x * 10 + (unsigned)(*v - '0');
	}
	return true;
}

static bool int_ok(const char *v, const struct prop_type *t)
{
	return uint_ok(*v == '-' ? v + 1 : v, t);
}

static const struct prop_type prop_types[] = {
	{ "bool", bool_ok, 0, "on or off" },
	{ "OnOffAuto", onoffauto_ok, 0, "on, off or auto" },
	{ "uint8", uint_ok, 255, "a whole number from 0 to 255" },
	{ "uint16", uint_ok, 65535, "a whole number from 0 to 65535" },
	{ "uint32", uint_ok, 4294967295ULL, "a whole number from 0 to 4294967295" },
	{ "uint64", uint_ok, 18446744073709551615ULL, "a whole number from 0 to 2^64-1" },
	{ "int32", int_ok, 2147483647, "a whole number from -2147483647 to 2147483647" },
};

/* Rules QEMU applies at start, checked now: the virtio-net ring sizes. */
struct prop_rule {
	const char *name;
	bool (*ok)(const char *value);
	const char *rule;
};

static bool ring_size_ok(const char *v)
{
	unsigned long x = strtoul(v, NULL, 10);

	return x >= 256 && x <= 1024 && !(x & (x - 1));
}

/*
 * QEMU 7.2 keeps the TX ring at 256 unless the peer is vhost-user or
 * vDPA (virtio_net_max_tx_queue_size()), which qnm's backends never are:
 * a larger tx_queue_size is accepted and silently ignored ('info qtree'
 * shows 256), so it is refused with that reason.
 */
static bool tx_ring_size_ok(const char *v)
{
	return ring_size_ok(v) && strtoul(v, NULL, 10) == 256;
}

static const struct prop_rule prop_rules[] = {
	{ "rx_queue_size", ring_size_ok, "a power of 2 from 256 to 1024" },
	{ "tx_queue_size", tx_ring_size_ok,
	  "256: QEMU keeps the TX ring at 256 except on vhost-user and vDPA backends, which qnm "
	  "does not use, so a larger value would be silently ignored" },
};

/* Append "did you mean A, B? " for the properties of @p closest to @name. */
static void advise_prop(const struct qnm_dev_props *p, const char *name, struct qnm_strbuf *sb)
{
	size_t cap = advice_cap(name), best = cap, i, shown = 0;

	for (i = 0; i < p->n; i++) {
		size_t d = distance(name, p->v[i].name, cap);

		best = d < best ? d : best;
	}
	if (best >= cap)
		return;
	for (i = 0; i < p->n && shown < 3; i++) {
		if (distance(name, p->v[i].name, cap) != best)
			continue;
		qnm_sb_addf(sb, "%s%s", shown ? ", " : "did you mean ", p->v[i].name);
		shown++;
	}
	qnm_sb_add(sb, "? ");
}

static int check_value(const struct qnm_dev_prop *d, const char *value, const char *field,
		       struct qnm_err *err)
{
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(prop_types); i++)
		if (strcmp(prop_types[i].type, d->type) == 0 &&
		    !prop_types[i].ok(value, &prop_types[i]))
			return qnm_err_set(err, -EINVAL, field, "%s: %s=%s: %s must be %s", field,
					   d->name, value, d->name, prop_types[i].rule);
	for (i = 0; i < QNM_ARRAY_SIZE(prop_rules); i++)
		if (strcmp(prop_rules[i].name, d->name) == 0 && !prop_rules[i].ok(value))
			return qnm_err_set(err, -EINVAL, field, "%s: %s=%s: %s must be %s", field,
					   d->name, value, d->name, prop_rules[i].rule);
	return 0;
}

int qnm_dev_props_check(const struct qnm_dev_props *p, const char *props, const char *field,
			struct qnm_err *err)
{
	char name[QNM_PROP_NAME_MAX], value[QNM_PROP_VALUE_MAX];
	const char *pos = props;

	while (qnm_props_next(&pos, name, value)) {
		const struct qnm_dev_prop *d = qnm_dev_props_find(p, name);

		if (!d) {
			struct qnm_strbuf sb;
			int r;

			qnm_sb_init(&sb);
			advise_prop(p, name, &sb);
			r = qnm_err_set(
				err, -EINVAL, field,
				"%s: %s has no property '%s'; %s'-device %s,help' lists them",
				field, p->model, name, sb.len ? sb.s : "", p->model);
			qnm_sb_free(&sb);
			return r;
		}
		if (check_value(d, value, field, err))
			return -EINVAL;
	}
	return 0;
}
