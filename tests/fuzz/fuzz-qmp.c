// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-qmp.c - libFuzzer harness for what qnm reads from QEMU's QMP socket:
 *  - the input is written into a socketpair in two pieces (the first byte picks
 *    where to split, so lines straddle reads) and read by the QMP client
 *    (qnm_qmp_new_fd() + qnm_qmp_read()); every queued event must have a
 *    terminated name, every reply (ids 0..63 and the one of a command sent
 *    meanwhile) is taken: 0 with a return, or an error with a message;
 *  - the whole input also goes through the connection-table parsers of
 *    "info usernet" / the slirp helper's "conns" (conns.h): a table that
 *    parses must have sane rows.
 */
#include "build-config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/conns.h"
#include "guest/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stays below a socketpair's buffer, so writing never blocks. */
#define MAX_INPUT (64 * 1024)

static void put(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			abort();
		p += w;
		n -= (size_t)w;
	}
}

static void qmp(const uint8_t *data, size_t size)
{
	struct qnm_qmp_event ev;
	struct qnm_err err;
	struct qnm_qmp *q;
	size_t split;
	unsigned id, i;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	q = qnm_qmp_new_fd(sv[0]);
	split = size ? data[0] % (size + 1) : 0;
	qnm_err_clear(&err);
	put(sv[1], data, split);
	r = qnm_qmp_read(q, &err);
	if (r < 0 && !err.msg[0])
		abort();
	if (qnm_qmp_send(q, "query-status", NULL, &id, &err) != 0)
		abort(); /* the peer is open: sending cannot fail */
	put(sv[1], data + split, size - split);
	close(sv[1]);
	while ((r = qnm_qmp_read(q, &err)) > 0)
		;
	if (r < 0 && r != -EPIPE && r != -EPROTO)
		abort();
	while (qnm_qmp_next_event(q, &ev)) {
		if (memchr(ev.name, '\0', sizeof(ev.name)) == NULL)
			abort();
		qnm_qmp_event_clear(&ev);
	}
	for (i = 0; i < 64; i++) {
		json_object *ret = NULL;
		unsigned want = i == 63 ? id : i;

		qnm_err_clear(&err);
		while ((r = qnm_qmp_take_reply(q, want, &ret, &err)) != -EAGAIN) {
			if (r == 0)
				json_object_put(ret);
			else if ((r != -EREMOTEIO && r != -EPROTO) || !err.msg[0])
				abort();
			ret = NULL;
		}
	}
	qnm_qmp_free(q);
}

static void conns(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *table;
	struct qnm_conn *v;
	struct qnm_err err;
	size_t n, i;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	table = qnm_conns_usernet_table(text, "n0");
	qnm_err_clear(&err);
	if (qnm_conns_parse(table ? table : text, NULL, &v, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			if (!v[i].proto[0] || !v[i].state[0] || v[i].guest_port > 65535 ||
			    v[i].remote_port > 65535 || !v[i].guest_addr[0] || !v[i].remote_addr[0])
				abort();
		free(v);
	} else if (!err.msg[0]) {
		abort();
	}
	free(table);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		size = MAX_INPUT;
	qmp(data, size);
	conns(data, size);
	return 0;
}
