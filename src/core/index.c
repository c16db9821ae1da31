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
#include <sys/stat.h>
#include <unistd.h>

#include "core/backend.h"

#define INDEX_MAGIC "qnm-index 1\n"
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
	free(idx->text);
	free(idx->nets);
	qnm_problems_clear(&idx->problems);
	memset(idx, 0, sizeof(*idx));
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

void qnm_index_del_vm(struct qnm_index *idx, const char *name)
{
	bool found;
	size_t at = find_pos(idx, name, &found), end;

	if (!found)
		return;
	end = (size_t)((char *)memchr(idx->text + at, '\n', idx->len - at) - idx->text) + 1;
	memmove(idx->text + at, idx->text + end, idx->len - end);
	idx->len -= end - at;
	idx->n--;
}

void qnm_index_put_vm(struct qnm_index *idx, const struct qnm_vm *vm, const char *old_name)
{
	struct qnm_strbuf sb;
	bool found;
	size_t at;

	if (old_name)
		qnm_index_del_vm(idx, old_name);
	qnm_index_del_vm(idx, vm->name);
	at = find_pos(idx, vm->name, &found);
	qnm_sb_init(&sb);
	add_record(&sb, vm);
	idx->text = xrealloc(idx->text, idx->len + sb.len + 1);
	memmove(idx->text + at + sb.len, idx->text + at, idx->len - at);
	memcpy(idx->text + at, sb.s, sb.len);
	idx->len += sb.len;
	idx->n++;
	qnm_sb_free(&sb);
}

void qnm_index_from_model(struct qnm_index *idx, const struct qnm_model *m,
			  const struct qnm_problems *problems, bool ok)
{
	struct qnm_strbuf sb;
	size_t i;

	memset(idx, 0, sizeof(*idx));
	qnm_sb_init(&sb);
	for (i = 0; i < m->nvms; i++) /* the model is sorted by name */
		add_record(&sb, m->vms[i]);
	idx->len = sb.len;
	idx->text = qnm_sb_steal(&sb);
	idx->n = m->nvms;
	qnm_sb_init(&sb);
	for (i = 0; i < m->nnets; i++) {
		qnm_sb_addf(&sb, "n %s", m->nets[i]->name);
		for (size_t k = 0; k < m->nets[i]->nfwd; k++)
			add_fwd_token(&sb, &m->nets[i]->fwd[k]);
		qnm_sb_addc(&sb, '\n');
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

bool qnm_index_may_clash(const struct qnm_index *idx, const struct qnm_vm *vm, const char *old_name)
{
	const char *t = idx->text, *end = t + idx->len;
	struct qnm_fwd f;

	if (same_record(idx, vm, old_name))
		return false; /* the same MACs and ports as when the model held */
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

/* whether a "f..." token of the lines [@t, @end) overlaps @f (or is not understood) */
static bool lines_clash(const char *t, const char *end, const struct qnm_fwd *f)
{
	struct qnm_fwd g;

	memset(&g, 0, sizeof(g));
	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t)), *s = t + 2, *e;

		/* past "v NAME" or "n NAME" */
		for (; (s = memchr(s, ' ', (size_t)(nl - s))); s = e) {
			s++;
			e = memchr(s, ' ', (size_t)(nl - s));
			e = e ? e : nl;
			if (*s != 'f')
				continue;
			if (!token_fwd(s, e, &g) || qnm_fwd_overlap(&g, f, NULL, NULL))
				return true;
		}
		t = nl + 1;
	}
	return false;
}

bool qnm_index_fwd_may_clash(const struct qnm_index *idx, const struct qnm_fwd *f)
{
	return lines_clash(idx->nets, idx->nets + idx->nets_len, f) ||
	       lines_clash(idx->text, idx->text + idx->len, f);
}

bool qnm_index_has_net(const struct qnm_index *idx, const char *name)
{
	const char *t = idx->nets, *end = t + idx->nets_len;

	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		size_t nn;
		const char *rn = rec_name(t, nl, &nn);

		if (name_cmp(rn, nn, name) == 0)
			return true;
		t = nl + 1;
	}
	return false;
}

void qnm_index_net_add_fwd(struct qnm_index *idx, const char *name, const struct qnm_fwd *f)
{
	const char *t = idx->nets, *end = t + idx->nets_len;
	struct qnm_strbuf sb;
	size_t at = idx->nets_len;

	while (t < end) { /* the end of network @name's line, else the end */
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		size_t nn;
		const char *rn = rec_name(t, nl, &nn);

		if (name_cmp(rn, nn, name) == 0) {
			at = (size_t)(nl - idx->nets);
			break;
		}
		t = nl + 1;
	}
	qnm_sb_init(&sb);
	if (at == idx->nets_len)
		qnm_sb_addf(&sb, "n %s", name);
	add_fwd_token(&sb, f);
	if (at == idx->nets_len)
		qnm_sb_addc(&sb, '\n');
	idx->nets = xrealloc(idx->nets, idx->nets_len + sb.len + 1);
	memmove(idx->nets + at + sb.len, idx->nets + at, idx->nets_len - at);
	memcpy(idx->nets + at, sb.s, sb.len);
	idx->nets_len += sb.len;
	qnm_sb_free(&sb);
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

int qnm_index_save(const struct qnm_paths *p, const struct qnm_index *idx)
{
	struct qnm_strbuf head, tail;
	char *path = index_path(p), *tmp;
	size_t i;
	int fd, r;

	qnm_sb_init(&head);
	qnm_sb_add(&head, INDEX_MAGIC);
	qnm_sb_addf(&head, "stamp %016llx %016llx\nok %d\n", (unsigned long long)vms_stamp(p),
		    (unsigned long long)nets_stamp(p), idx->ok ? 1 : 0);
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
		if (!r && idx->len)
			r = write_all(fd, idx->text, idx->len);
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

/* the next line of [*@s, @end) as a NUL-terminated string (the header's lines only) */
static char *next_line(char **s, char *end)
{
	char *l = *s, *nl;

	if (l >= end)
		return NULL;
	nl = memchr(l, '\n', (size_t)(end - l));
	if (!nl)
		return NULL; /* a last line without its end: cut short */
	*nl = '\0';
	*s = nl + 1;
	return l;
}

/* one "p LINE FILE<TAB>MSG" line into @idx's problems */
static int parse_problem(struct qnm_index *idx, char *l)
{
	struct qnm_problems *p = &idx->problems;
	char *file, *tab, *end;
	unsigned long line = strtoul(l + 2, &end, 10);

	if (end == l + 2 || *end != ' ' || !(tab = strchr(end + 1, '\t')))
		return -EINVAL;
	file = end + 1;
	*tab = '\0';
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n].file = xstrdup(file);
	p->v[p->n].line = (unsigned)line;
	p->v[p->n].msg = xstrdup(tab + 1);
	p->n++;
	return 0;
}

/*
 * The header and the problems, then the records kept as they are: each a
 * line "v ..." (counted), then "end N" with N the count as the last line.
 */
static int parse(struct qnm_index *idx, char *buf, char *end, const struct qnm_paths *p)
{
	char *s = buf;
	unsigned long long vs, ns;
	char *l, *recs, *last, *nets;
	size_t n = 0;
	int ok;

	if (!(l = next_line(&s, end)) || strcmp(l, "qnm-index 1") != 0)
		return -EINVAL;
	if (!(l = next_line(&s, end)) || sscanf(l, "stamp %llx %llx", &vs, &ns) != 2)
		return -EINVAL;
	if (vs != vms_stamp(p) || ns != nets_stamp(p))
		return -ESTALE;
	if (!(l = next_line(&s, end)) || sscanf(l, "ok %d", &ok) != 1)
		return -EINVAL;
	idx->ok = ok == 1;
	while (s + 2 < end && s[0] == 'p' && s[1] == ' ')
		if (!(l = next_line(&s, end)) || parse_problem(idx, l))
			return -EINVAL;
	for (nets = s; s + 2 < end && s[0] == 'n' && s[1] == ' ';) {
		s = memchr(s, '\n', (size_t)(end - s));
		if (!s)
			return -EINVAL;
		s++;
	}
	if (s > nets) {
		idx->nets_len = (size_t)(s - nets);
		idx->nets = xmalloc(idx->nets_len + 1);
		memcpy(idx->nets, nets, idx->nets_len);
	}
	if (end == s || end[-1] != '\n')
		return -EINVAL;
	for (last = end - 1; last > s && last[-1] != '\n'; last--)
		;
	if (strncmp(last, "end ", 4) != 0)
		return -EINVAL;
	for (recs = s; s < last; s++) {
		if (s[0] != 'v' || s[1] != ' ')
			return -EINVAL;
		s = memchr(s, '\n', (size_t)(last - s));
		n++;
	}
	if (strtoull(last + 4, NULL, 10) != n)
		return -EINVAL;
	idx->len = (size_t)(last - recs);
	idx->n = n;
	/* the records to the start of the buffer, which @idx keeps */
	memmove(buf, recs, idx->len);
	idx->text = buf;
	return 0;
}
/* the whole of @path in one read (its size known first): *@out (caller frees), *@len */
static int read_whole(const char *path, char **out, size_t *len)
{
	struct stat st = { 0 };
	size_t off = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > INDEX_MAX_BYTES) {
		close(fd);
		return -EINVAL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = -EINVAL; /* shorter than its size: being replaced? not used */
			break;
		}
		off += (size_t)n;
	}
	close(fd);
	if (r) {
		free(buf);
		return r;
	}
	buf[off] = '\0';
	*out = buf;
	*len = off;
	return 0;
}

int qnm_index_load(const struct qnm_paths *p, struct qnm_index *idx)
{
	char *path = index_path(p), *text = NULL;
	size_t len = 0;
	int r;

	memset(idx, 0, sizeof(*idx));
	r = read_whole(path, &text, &len);
	free(path);
	if (r)
		return r == -ENOENT ? r : -EINVAL;
	r = parse(idx, text, text + len, p);
	if (r) {
		free(text);
		qnm_index_clear(idx);
	}
	return r;
}
