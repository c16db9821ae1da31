// SPDX-License-Identifier: GPL-2.0-or-later
/* index.c - the index of VMs' names, MACs and host ports (see index.h). */
#include "build-config.h"

#include "core/index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/backend.h"

#define INDEX_MAGIC "qnm-index 2\n"
/* the stamp line follows the magic: "stamp HEX16 HEX16\n", re-stamped in place */
#define STAMP_FMT "stamp %016llx %016llx\n"
#define STAMP_LEN 40
/* a bit a port, TCP's then UDP's; in the file a hex digit per four ports */
#define PORT_BYTES 8192
#define PORT_HEX   (PORT_BYTES * 2)
static const char *const port_tag[2] = { "ports tcp ", "ports udp " };
/* an index larger than this is not read (64 bytes a VM: a million VMs) */
#define INDEX_MAX_BYTES (64u << 20)

/* ---- stamps of the disk ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ull;
	return h;
}

/* @h with @v mixed in: a bijection of @h for each @v, so one field that differs changes it */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* @st's identity and times */
static uint64_t stat_hash(uint64_t h, const struct stat *st)
{
	h = mix(h, (uint64_t)st->st_dev);
	h = mix(h, (uint64_t)st->st_ino);
	h = mix(h, (uint64_t)st->st_size);
	h = mix(h, (uint64_t)st->st_ctim.tv_sec);
	h = mix(h, (uint64_t)st->st_ctim.tv_nsec);
	h = mix(h, (uint64_t)st->st_mtim.tv_sec);
	return mix(h, (uint64_t)st->st_mtim.tv_nsec);
}

/* the VM directory: a file made, renamed or removed in it changes its times */
static uint64_t vms_stamp(const struct qnm_paths *p)
{
	struct stat st = { 0 };

	if (stat(p->vms_dir, &st))
		return fnv(0xcbf29ce484222325ull, "none", 4);
	return stat_hash(0xcbf29ce484222325ull, &st);
}

/* the network directory and each network file (few: each is stat()ed) */
static uint64_t nets_stamp(const struct qnm_paths *p)
{
	uint64_t h = 0xcbf29ce484222325ull, sum = 0;
	struct dirent *e;
	struct stat st = { 0 };
	DIR *d;

	if (stat(p->nets_dir, &st))
		return fnv(h, "none", 4);
	h = stat_hash(h, &st);
	d = opendir(p->nets_dir);
	if (!d)
		return h ^ 1;
	while ((e = readdir(d))) {
		uint64_t f;

		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		f = fnv(0xcbf29ce484222325ull, e->d_name, strlen(e->d_name));
		sum += stat_hash(f, &st); /* in any order */
	}
	closedir(d);
	return mix(h, sum);
}

static char *index_path(const struct qnm_paths *p)
{
	return xasprintf("%s/.index", p->config_dir);
}

/* ---- records ---- */

void qnm_index_clear(struct qnm_index *idx)
{
	if (idx->text_owned)
		free(idx->text);
	free(idx->ov_ins);
	free(idx->nets);
	free(idx->ports);
	if (idx->map) {
		munmap(idx->map, idx->map_len);
		close(idx->fd);
	}
	qnm_problems_clear(&idx->problems);
	memset(idx, 0, sizeof(*idx));
}

/* @idx's records in memory of its own, its pending change applied, before a change */
static void own_text(struct qnm_index *idx)
{
	size_t len;
	char *t;

	if (idx->text_owned && !idx->ov)
		return;
	len = idx->ov ? idx->len - idx->ov_del + idx->ov_len : idx->len;
	t = xmalloc(len + 1);
	if (!idx->ov) {
		memcpy(t, idx->text, idx->len);
	} else {
		memcpy(t, idx->text, idx->ov_at);
		if (idx->ov_len) /* a record cut has nothing to insert (ov_ins NULL) */
			memcpy(t + idx->ov_at, idx->ov_ins, idx->ov_len);
		memcpy(t + idx->ov_at + idx->ov_len, idx->text + idx->ov_at + idx->ov_del,
		       idx->len - idx->ov_at - idx->ov_del);
		free(idx->ov_ins);
		idx->ov_ins = NULL;
		idx->ov = false;
	}
	if (idx->text_owned)
		free(idx->text);
	idx->text = t;
	idx->len = len;
	idx->text_owned = true;
}

/*
 * Record the change of the mapped records' bytes [@at, @at + @del) into
 * @ins (@ins_len bytes, taken) as pending: applied by the save, nothing
 * copied (every page a process touches first costs; the records are most).
 */
static void pend(struct qnm_index *idx, size_t at, size_t del, char *ins, size_t ins_len)
{
	idx->ov = true;
	idx->ov_at = at;
	idx->ov_del = del;
	idx->ov_ins = ins;
	idx->ov_len = ins_len;
}

/* the end of the record line at @at of @idx's records */
static size_t line_end(const struct qnm_index *idx, size_t at)
{
	return (size_t)((char *)memchr(idx->text + at, '\n', idx->len - at) - idx->text) + 1;
}

/* ---- the port map ---- */

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* the offset in the file of protocol @k's hex digits (fixed: the header before them is) */
static size_t ports_off(int k)
{
	return strlen(INDEX_MAGIC) + STAMP_LEN + strlen("ok 1\n") +
	       (size_t)k * (strlen(port_tag[0]) + PORT_HEX + 1) + strlen(port_tag[k]);
}

/* the four ports of hex digit @i of protocol @k: from @idx->ports or the file's digits */
static int port_nibble(const struct qnm_index *idx, int k, size_t i)
{
	if (idx->ports) {
		uint8_t b = idx->ports[k * PORT_BYTES + i / 2];

		return i % 2 ? b >> 4 : b & 15;
	}
	if (!idx->map)
		return 0;
	return hex_val(idx->map[ports_off(k) + i]);
}

/* decode the file's port map into @idx->ports (a change is coming) */
static void own_ports(struct qnm_index *idx)
{
	size_t i;
	int k;

	if (idx->ports)
		return;
	idx->ports = xmalloc(2 * PORT_BYTES);
	memset(idx->ports, 0, 2 * PORT_BYTES);
	for (k = 0; idx->map && k < 2; k++)
		for (i = 0; i < PORT_HEX; i += 2) {
			int lo = hex_val(idx->map[ports_off(k) + i]);
			int hi = hex_val(idx->map[ports_off(k) + i + 1]);

			/* a digit not understood: its four ports taken (the whole check decides) */
			idx->ports[k * PORT_BYTES + i / 2] =
				(uint8_t)((lo < 0 ? 15u : (unsigned)lo) |
					  (hi < 0 ? 15u : (unsigned)hi) << 4);
		}
}

/* host ports [@lo, @hi] of @f, clamped to 65535 */
static void fwd_ports(const struct qnm_fwd *f, unsigned *lo, unsigned *hi)
{
	*lo = f->host_port;
	*hi = (unsigned)f->host_port + f->span;
	if (*hi > 65535)
		*hi = 65535;
}

/* the bits of hex digit @i (ports 4i..4i+3) that ports [@lo, @hi] take */
static unsigned nibble_mask(size_t i, unsigned lo, unsigned hi)
{
	unsigned first = i == lo / 4 ? lo % 4 : 0, last = i == hi / 4 ? hi % 4 : 3;

	return ((2u << last) - 1) & ~((1u << first) - 1);
}

/* mark @f's host ports in @idx->ports (decoded) */
static void ports_add(struct qnm_index *idx, const struct qnm_fwd *f)
{
	unsigned lo, hi, port;
	int k;

	fwd_ports(f, &lo, &hi);
	for (k = 0; k < 2; k++) {
		if (!qnm_fwd_has_proto(f, k ? QNM_PROTO_UDP : QNM_PROTO_TCP))
			continue;
		for (port = lo; port <= hi; port++) {
			size_t nib = port / 4;
			unsigned bit = 1u << (port % 4);

			idx->ports[k * PORT_BYTES + nib / 2] |= (uint8_t)(nib % 2 ? bit << 4 : bit);
		}
	}
}

/* the name of the record at @l ("v NAME ..."), its length in *@n */
static const char *rec_name(const char *l, const char *end, size_t *n)
{
	const char *s = l + 2, *e = s;

	while (e < end && *e != ' ' && *e != '\n')
		e++;
	*n = (size_t)(e - s);
	return s;
}

static int name_cmp(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/*
 * The offset of the record of VM @name in @idx (*@found), or of the first
 * record after it (where it would go), by bisection on the lines.
 */
static size_t find_pos(const struct qnm_index *idx, const char *name, bool *found)
{
	size_t lo = 0, hi = idx->len; /* line starts in [lo, hi) */

	*found = false;
	while (lo < hi) {
		const char *t = idx->text, *l = t + lo + (hi - lo) / 2, *nl, *rn;
		size_t nn = 0;
		int c;

		while (l > t + lo && l[-1] != '\n')
			l--;
		nl = memchr(l, '\n', (size_t)(t + idx->len - l));
		rn = rec_name(l, nl, &nn);
		c = name_cmp(rn, nn, name);
		if (c == 0) {
			*found = true;
			return (size_t)(l - t);
		}
		if (c < 0)
			lo = (size_t)(nl + 1 - t);
		else
			hi = (size_t)(l - t);
	}
	return lo;
}

bool qnm_index_has(const struct qnm_index *idx, const char *name)
{
	bool found;

	find_pos(idx, name, &found);
	return found;
}

/* " fPROTO,PORT,SPAN,ADDRESS": host side @f as a token */
static void add_fwd_token(struct qnm_strbuf *sb, const struct qnm_fwd *f)
{
	qnm_sb_addf(sb, " f%d,%u,%u,%s", (int)f->proto, (unsigned)f->host_port, (unsigned)f->span,
		    f->host_addr);
}

/* @vm's record line into @sb */
static void add_record(struct qnm_strbuf *sb, const struct qnm_vm *vm)
{
	size_t i, k;

	qnm_sb_add(sb, "v ");
	qnm_sb_add(sb, vm->name);
	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *n = &vm->nics[i];
		const struct qnm_backend_ops *b = qnm_nic_backend(n);

		if (n->mac[0]) {
			qnm_sb_add(sb, " m");
			qnm_sb_add(sb, n->mac);
		}
		for (k = 0; b && b->has_hostfwd && k < n->user.nfwd; k++)
			add_fwd_token(sb, &n->user.fwd[k]);
	}
	qnm_sb_addc(sb, '\n');
}

/* mark the host ports of @vm's forwards in @idx->ports (decoded when it has some) */
static void vm_ports_add(struct qnm_index *idx, const struct qnm_vm *vm)
{
	size_t i, k;

	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *n = &vm->nics[i];
		const struct qnm_backend_ops *b = qnm_nic_backend(n);

		for (k = 0; b && b->has_hostfwd && k < n->user.nfwd; k++) {
			own_ports(idx);
			ports_add(idx, &n->user.fwd[k]);
		}
	}
}

void qnm_index_del_vm(struct qnm_index *idx, const char *name)
{
	bool found;
	size_t at, end;

	if (idx->ov)
		own_text(idx);
	at = find_pos(idx, name, &found);
	if (!found)
		return;
	end = line_end(idx, at);
	idx->n--;
	if (!idx->text_owned) {
		pend(idx, at, end - at, NULL, 0);
		return;
	}
	memmove(idx->text + at, idx->text + end, idx->len - end);
	idx->len -= end - at;
}

void qnm_index_put_vm(struct qnm_index *idx, const struct qnm_vm *vm, const char *old_name)
{
	struct qnm_strbuf sb;
	bool found;
	size_t at, len;

	vm_ports_add(idx, vm);
	qnm_sb_init(&sb);
	add_record(&sb, vm);
	if (!idx->text_owned && !idx->ov && (!old_name || strcmp(old_name, vm->name) == 0)) {
		at = find_pos(idx, vm->name, &found);
		idx->n += found ? 0 : 1;
		len = sb.len;
		pend(idx, at, found ? line_end(idx, at) - at : 0, qnm_sb_steal(&sb), len);
		return;
	}
	if (old_name)
		qnm_index_del_vm(idx, old_name);
	qnm_index_del_vm(idx, vm->name);
	own_text(idx);
	at = find_pos(idx, vm->name, &found);
	idx->text = xrealloc(idx->text, idx->len + sb.len + 1);
	memmove(idx->text + at + sb.len, idx->text + at, idx->len - at);
	memcpy(idx->text + at, sb.s, sb.len);
	idx->len += sb.len;
	idx->n++;
	qnm_sb_free(&sb);
}

/* lines [@l, @nl) of a network file: a forward line ("forward" then ' ' or '=')? */
static bool fwd_line(const char *l, const char *nl)
{
	while (l < nl && (*l == ' ' || *l == '\t'))
		l++;
	return nl - l > 7 && strncmp(l, "forward", 7) == 0 && (l[7] == ' ' || l[7] == '=');
}

/*
 * Network file @path's longest run of forward lines, [*@a, *@b), and its
 * size *@e: its settings are the rest. False when it cannot be read or
 * does not end with a line end (an append would join its last line).
 */
static bool fwd_run(const char *path, size_t *a, size_t *b, size_t *e)
{
	const char *l, *end;
	char *text = NULL;
	size_t len = 0, start = 0;

	if (qnm_read_file(path, 4u << 20, &text, &len) || !len || text[len - 1] != '\n') {
		free(text);
		return false;
	}
	*a = *b = 0;
	for (l = text, end = text + len; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t at = (size_t)(l - text);

		if (!fwd_line(l, nl))
			start = (size_t)(nl + 1 - text);
		else if (at + (size_t)(nl + 1 - l) - start > *b - *a)
			*a = start, *b = (size_t)(nl + 1 - text);
		l = nl + 1;
	}
	*e = len;
	free(text);
	return true;
}

void qnm_index_from_model(struct qnm_index *idx, const struct qnm_paths *p,
			  const struct qnm_model *m, const struct qnm_problems *problems, bool ok)
{
	struct qnm_strbuf sb;
	size_t i;

	memset(idx, 0, sizeof(*idx));
	idx->ports = xmalloc(2 * PORT_BYTES);
	memset(idx->ports, 0, 2 * PORT_BYTES);
	qnm_sb_init(&sb);
	for (i = 0; i < m->nvms; i++) { /* the model is sorted by name */
		add_record(&sb, m->vms[i]);
		vm_ports_add(idx, m->vms[i]);
	}
	idx->len = sb.len;
	idx->text = qnm_sb_steal(&sb);
	idx->text_owned = true;
	idx->n = m->nvms;
	qnm_sb_init(&sb);
	for (i = 0; i < m->nnets; i++) {
		char *path = xasprintf("%s/%s.conf", p->nets_dir, m->nets[i]->name);
		size_t a, b, e;

		if (fwd_run(path, &a, &b, &e))
			qnm_sb_addf(&sb, "n %s %zu %zu %zu\n", m->nets[i]->name, a, b, e);
		else
			qnm_sb_addf(&sb, "n %s -\n", m->nets[i]->name);
		free(path);
		for (size_t k = 0; k < m->nets[i]->nfwd; k++)
			ports_add(idx, &m->nets[i]->fwd[k]);
	}
	idx->nets_len = sb.len;
	idx->nets = qnm_sb_steal(&sb);
	qnm_problems_copy(&idx->problems, problems);
	idx->ok = ok;
}

/* ---- clashes ---- */

/* the host side of a "fPROTO,PORT,SPAN,ADDRESS" token [@s, @e) into @f; false: malformed */
static bool token_fwd(const char *s, const char *e, struct qnm_fwd *f)
{
	unsigned long v[3];
	char *end;
	size_t i, n;

	for (i = 0, s++; i < 3; i++) {
		v[i] = strtoul(s, &end, 10);
		if (end == s || end >= e || *end != ',' || v[i] > 65535)
			return false;
		s = end + 1;
	}
	n = (size_t)(e - s);
	if (v[0] > QNM_PROTO_BOTH || n >= sizeof(f->host_addr))
		return false;
	f->proto = (enum qnm_proto)v[0];
	f->host_port = (uint16_t)v[1];
	f->span = (uint16_t)v[2];
	memcpy(f->host_addr, s, n);
	f->host_addr[n] = '\0';
	return true;
}

/* token [@s, @e) of another VM's record against @vm's MACs and forwards */
static bool token_clash(const char *s, const char *e, const struct qnm_vm *vm, struct qnm_fwd *f)
{
	size_t i, k, n = (size_t)(e - s - 1);

	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *nic = &vm->nics[i];
		const struct qnm_backend_ops *b;

		if (*s == 'm') {
			if (nic->mac[0] && strlen(nic->mac) == n &&
			    strncasecmp(nic->mac, s + 1, n) == 0)
				return true;
			continue;
		}
		b = qnm_nic_backend(nic);
		for (k = 0; b && b->has_hostfwd && k < nic->user.nfwd; k++)
			if (qnm_fwd_overlap(f, &nic->user.fwd[k], NULL, NULL))
				return true;
	}
	return false;
}

/* whether @vm's record is VM @old_name's as indexed (same name, MACs and ports) */
static bool same_record(const struct qnm_index *idx, const struct qnm_vm *vm, const char *old_name)
{
	struct qnm_strbuf sb;
	const char *l, *nl;
	bool found, same;
	size_t at;

	if (!old_name || strcmp(old_name, vm->name) != 0)
		return false;
	at = find_pos(idx, old_name, &found);
	if (!found)
		return false;
	l = idx->text + at;
	nl = memchr(l, '\n', idx->len - at);
	qnm_sb_init(&sb);
	add_record(&sb, vm);
	same = (size_t)(nl + 1 - l) == sb.len && memcmp(l, sb.s, sb.len) == 0;
	qnm_sb_free(&sb);
	return same;
}

bool qnm_index_record_is(const struct qnm_index *idx, const struct qnm_vm *vm)
{
	return same_record(idx, vm, vm->name);
}

/* whether a host port of @vm's forwards is marked in @idx's port map */
static bool vm_ports_marked(const struct qnm_index *idx, const struct qnm_vm *vm)
{
	size_t i, k;

	for (i = 0; i < vm->nnics; i++) {
		const struct qnm_nic *n = &vm->nics[i];
		const struct qnm_backend_ops *b = qnm_nic_backend(n);

		for (k = 0; b && b->has_hostfwd && k < n->user.nfwd; k++)
			if (qnm_index_fwd_may_clash(idx, &n->user.fwd[k]))
				return true;
	}
	return false;
}

bool qnm_index_may_clash(const struct qnm_index *idx, const struct qnm_vm *vm, const char *old_name)
{
	const char *t = idx->text, *end = t + idx->len;
	struct qnm_fwd f;
	bool ports; /* some port of @vm marked: the other VMs' forwards are read */

	if (same_record(idx, vm, old_name))
		return false; /* the same MACs and ports as when the model held */
	ports = vm_ports_marked(idx, vm);
	memset(&f, 0, sizeof(f));
	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t)), *s;
		size_t nn = 0;
		const char *name = rec_name(t, nl, &nn);

		if (name_cmp(name, nn, vm->name) == 0 ||
		    (old_name && name_cmp(name, nn, old_name) == 0)) {
			t = nl + 1;
			continue;
		}
		for (s = name + nn; s < nl;) {
			const char *e;

			s++; /* the space */
			e = memchr(s, ' ', (size_t)(nl - s));
			e = e ? e : nl;
			if (*s == 'f' && !ports) {
				s = e; /* no port of @vm is any indexed forward's */
				continue;
			}
			if (*s == 'f' && !token_fwd(s, e, &f))
				return true; /* not understood: the whole check decides */
			if ((*s == 'm' || *s == 'f') && token_clash(s, e, vm, &f))
				return true;
			s = e;
		}
		t = nl + 1;
	}
	return false;
}

bool qnm_index_fwd_may_clash(const struct qnm_index *idx, const struct qnm_fwd *f)
{
	unsigned lo, hi;
	size_t i;
	int k;

	fwd_ports(f, &lo, &hi);
	for (k = 0; k < 2; k++) {
		if (!qnm_fwd_has_proto(f, k ? QNM_PROTO_UDP : QNM_PROTO_TCP))
			continue;
		for (i = lo / 4; i <= hi / 4; i++) {
			int v = port_nibble(idx, k, i);

			if (v < 0 || ((unsigned)v & nibble_mask(i, lo, hi)))
				return true; /* taken, or not understood: the whole check decides */
		}
	}
	return false;
}

bool qnm_index_net_settings(const struct qnm_index *idx, const char *name, size_t at[3])
{
	const char *t = idx->nets, *end = t + idx->nets_len;

	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t)), *s;
		size_t nn, k;
		const char *rn = rec_name(t, nl, &nn);

		if (name_cmp(rn, nn, name) != 0) {
			t = nl + 1;
			continue;
		}
		for (k = 0, s = rn + nn; k < 3; k++) {
			char *e;

			if (s >= nl || *s != ' ' || s[1] < '0' || s[1] > '9')
				return false;
			at[k] = (size_t)strtoull(s + 1, &e, 10);
			s = e;
		}
		return s == nl && at[0] <= at[1] && at[1] <= at[2];
	}
	return false;
}

/* pwrite() all of [@s, @s + @len) at @off */
static int pwrite_all(int fd, const char *s, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, s, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		s += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* whether @idx's mapping is of the index file @p has now (not one a save replaced) */
static bool same_file(const struct qnm_paths *p, const struct qnm_index *idx)
{
	char *path = index_path(p);
	struct stat a, b;
	bool same = idx->map && fstat(idx->fd, &a) == 0 && lstat(path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino;

	free(path);
	return same;
}

int qnm_index_mark_fwd(const struct qnm_paths *p, struct qnm_index *idx, const struct qnm_fwd *f)
{
	static const char hex[] = "0123456789abcdef";
	unsigned lo, hi;
	int k, r = 0;

	if (!same_file(p, idx))
		return -ESTALE;
	fwd_ports(f, &lo, &hi);
	for (k = 0; !r && k < 2; k++) {
		size_t i, a = lo / 4, b = hi / 4;
		char *digits;

		if (!qnm_fwd_has_proto(f, k ? QNM_PROTO_UDP : QNM_PROTO_TCP))
			continue;
		digits = xmalloc(b - a + 1);
		for (i = a; i <= b; i++) { /* the digit as it is, with @f's ports in it */
			int v = port_nibble(idx, k, i);

			digits[i - a] = hex[(v < 0 ? 15u : (unsigned)v) | nibble_mask(i, lo, hi)];
		}
		/* one write of the digits that change: all of it or none (the mapping sees it) */
		r = pwrite_all(idx->fd, digits, b - a + 1, (off_t)(ports_off(k) + a));
		free(digits);
	}
	if (idx->ports)
		ports_add(idx, f);
	return r;
}

int qnm_index_restamp(const struct qnm_paths *p, const struct qnm_index *idx)
{
	char line[STAMP_LEN + 1];
	int r;

	if (!same_file(p, idx)) {
		qnm_index_drop(p);
		return -ESTALE;
	}
	snprintf(line, sizeof(line), STAMP_FMT, (unsigned long long)vms_stamp(p),
		 (unsigned long long)nets_stamp(p));
	r = pwrite_all(idx->fd, line, STAMP_LEN, (off_t)strlen(INDEX_MAGIC));
	if (r)
		qnm_index_drop(p);
	return r;
}

/* ---- the file ---- */

/* @s with tabs and line ends as spaces, into @sb */
static void add_flat(struct qnm_strbuf *sb, const char *s)
{
	for (; *s; s++)
		qnm_sb_addc(sb, *s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s);
}

static int write_all(int fd, const char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	return 0;
}

/* the port map's two lines, at the offsets ports_off() says */
static void add_ports(struct qnm_strbuf *sb, const struct qnm_index *idx)
{
	static const char hex[] = "0123456789abcdef";
	char *digits = xmalloc(PORT_HEX + 1);
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		qnm_sb_add(sb, port_tag[k]);
		if (!idx->ports && idx->map) { /* as loaded */
			qnm_sb_addn(sb, idx->map + ports_off(k), PORT_HEX);
		} else {
			for (i = 0; i < PORT_HEX; i++)
				digits[i] = hex[idx->ports ? port_nibble(idx, k, i) : 0];
			qnm_sb_addn(sb, digits, PORT_HEX);
		}
		qnm_sb_addc(sb, '\n');
	}
	free(digits);
}

int qnm_index_save(const struct qnm_paths *p, const struct qnm_index *idx)
{
	struct qnm_strbuf head, tail;
	char *path = index_path(p), *tmp;
	size_t i;
	int fd, r;

	qnm_sb_init(&head);
	qnm_sb_add(&head, INDEX_MAGIC);
	qnm_sb_addf(&head, STAMP_FMT "ok %d\n", (unsigned long long)vms_stamp(p),
		    (unsigned long long)nets_stamp(p), idx->ok ? 1 : 0);
	add_ports(&head, idx);
	for (i = 0; i < idx->problems.n; i++) {
		qnm_sb_addf(&head, "p %u ", idx->problems.v[i].line);
		add_flat(&head, idx->problems.v[i].file);
		qnm_sb_addc(&head, '\t');
		add_flat(&head, idx->problems.v[i].msg);
		qnm_sb_addc(&head, '\n');
	}
	qnm_sb_init(&tail);
	qnm_sb_addf(&tail, "end %zu\n", idx->n);
	/* a temporary file and a rename: a reader sees the old index or this one */
	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	r = fd < 0 ? -errno : 0;
	if (!r) {
		r = write_all(fd, head.s, head.len);
		if (!r && idx->nets_len)
			r = write_all(fd, idx->nets, idx->nets_len);
		if (!r && idx->ov) { /* the records with the pending change */
			r = write_all(fd, idx->text, idx->ov_at);
			if (!r)
				r = write_all(fd, idx->ov_ins, idx->ov_len);
			if (!r)
				r = write_all(fd, idx->text + idx->ov_at + idx->ov_del,
					      idx->len - idx->ov_at - idx->ov_del);
		} else if (!r && idx->len) {
			r = write_all(fd, idx->text, idx->len);
		}
		if (!r)
			r = write_all(fd, tail.s, tail.len);
		if (close(fd) && !r)
			r = -errno;
		if (!r && rename(tmp, path))
			r = -errno;
		if (r)
			unlink(tmp);
	}
	free(tmp);
	free(path);
	qnm_sb_free(&head);
	qnm_sb_free(&tail);
	return r;
}

void qnm_index_drop(const struct qnm_paths *p)
{
	char *path = index_path(p);

	unlink(path);
	free(path);
}

/* the next line of [*@s, @end): its start, its length in *@n (without the line end) */
static const char *next_line(const char **s, const char *end, size_t *n)
{
	const char *l = *s, *nl;

	if (l >= end)
		return NULL;
	nl = memchr(l, '\n', (size_t)(end - l));
	if (!nl)
		return NULL; /* a last line without its end: cut short */
	*n = (size_t)(nl - l);
	*s = nl + 1;
	return l;
}

/* one "p LINE FILE<TAB>MSG" line [@l, @l + @n) into @idx's problems */
static int parse_problem(struct qnm_index *idx, const char *l, size_t n)
{
	struct qnm_problems *p = &idx->problems;
	char *c = xmalloc(n + 1), *file, *tab, *end;
	unsigned long line;

	memcpy(c, l, n);
	c[n] = '\0';
	line = strtoul(c + 2, &end, 10);
	if (end == c + 2 || *end != ' ' || !(tab = strchr(end + 1, '\t'))) {
		free(c);
		return -EINVAL;
	}
	file = end + 1;
	*tab = '\0';
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n].file = xstrdup(file);
	p->v[p->n].line = (unsigned)line;
	p->v[p->n].msg = xstrdup(tab + 1);
	p->n++;
	free(c);
	return 0;
}

/* whether line [@l, @l + @n) is @want exactly */
static bool line_is(const char *l, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(l, want, n) == 0;
}

/*
 * The header, the port map and the problems, the network lines, then the
 * records left where they are in the mapping: each a line "v ...", and
 * "end N" with N their count as the last line (read, not recounted: the
 * file is only ever written whole and renamed into place).
 */
static int parse(struct qnm_index *idx, const char *buf, const char *end, const struct qnm_paths *p)
{
	const char *s = buf, *l, *last, *nets;
	unsigned long long vs, ns;
	char stamp[STAMP_LEN + 1], *e;
	size_t n = 0;
	int k;

	if (!(l = next_line(&s, end, &n)) || !line_is(l, n, "qnm-index 2"))
		return -EINVAL;
	if (!(l = next_line(&s, end, &n)) || n != STAMP_LEN - 1)
		return -EINVAL;
	memcpy(stamp, l, n);
	stamp[n] = '\0';
	if (sscanf(stamp, "stamp %llx %llx", &vs, &ns) != 2)
		return -EINVAL;
	if (vs != vms_stamp(p) || ns != nets_stamp(p))
		return -ESTALE;
	if (!(l = next_line(&s, end, &n)) || !(line_is(l, n, "ok 1") || line_is(l, n, "ok 0")))
		return -EINVAL;
	idx->ok = l[3] == '1';
	for (k = 0; k < 2; k++) /* at the fixed offsets ports_off() says */
		if (!(l = next_line(&s, end, &n)) || n != strlen(port_tag[k]) + PORT_HEX ||
		    (size_t)(l - buf) + strlen(port_tag[k]) != ports_off(k) ||
		    memcmp(l, port_tag[k], strlen(port_tag[k])) != 0)
			return -EINVAL;
	while (s + 2 < end && s[0] == 'p' && s[1] == ' ')
		if (!(l = next_line(&s, end, &n)) || parse_problem(idx, l, n))
			return -EINVAL;
	for (nets = s; s + 2 < end && s[0] == 'n' && s[1] == ' ';)
		if (!next_line(&s, end, &n))
			return -EINVAL;
	if (s > nets) {
		idx->nets_len = (size_t)(s - nets);
		idx->nets = xmalloc(idx->nets_len + 1);
		memcpy(idx->nets, nets, idx->nets_len);
	}
	if (end == s || end[-1] != '\n')
		return -EINVAL;
	for (last = end - 1; last > s && last[-1] != '\n'; last--)
		;
	if (strncmp(last, "end ", 4) != 0 || (last > s && (s[0] != 'v' || s[1] != ' ')))
		return -EINVAL;
	idx->n = (size_t)strtoull(last + 4, &e, 10);
	if (e == last + 4 || *e != '\n' || (idx->n == 0) != (last == s))
		return -EINVAL;
	idx->len = (size_t)(last - s);
	idx->text = (char *)s;
	return 0;
}

int qnm_index_load(const struct qnm_paths *p, struct qnm_index *idx)
{
	char *path = index_path(p);
	struct stat st = { 0 };
	void *map;
	int fd, r;

	memset(idx, 0, sizeof(*idx));
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > INDEX_MAX_BYTES) {
		close(fd);
		return -EINVAL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return -EINVAL;
	}
	idx->map = map;
	idx->map_len = (size_t)st.st_size;
	idx->fd = fd;
	r = parse(idx, idx->map, idx->map + idx->map_len, p);
	if (r)
		qnm_index_clear(idx);
	return r;
}
