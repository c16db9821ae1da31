// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-slirpctl.c - libFuzzer harness for what the slirp helper reads from its sockets:
 *  - every line of the input goes through the control request parser; an accepted
 *    request must format back to a line that parses to the same request;
 *  - the whole input also goes through the QEMU stream frame reassembler, in uneven
 *    pieces; every frame it returns must lie inside what was fed and be at most
 *    QNM_SLIRP_FRAME_MAX bytes, and the frames plus their prefixes never exceed the input.
 */
#include "build-config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/slirp-helper.h"
#include "guest/slirpctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(const char *line)
{
	struct qnm_slirpctl_req req, back;
	struct qnm_err err;
	char *text;

	qnm_err_clear(&err);
	if (qnm_slirpctl_parse(line, &req, &err) != 0) {
		if (!err.msg[0])
			abort(); /* a refusal always says why */
		return;
	}
	text = qnm_slirpctl_format(&req);
	if (qnm_slirpctl_parse(text, &back, &err) != 0 || back.op != req.op ||
	    memcmp(&back.fwd, &req.fwd, sizeof(back.fwd)) != 0)
		abort();
	free(text);
}

static void frames(const uint8_t *data, size_t size)
{
	struct qnm_frame_rx rx;
	size_t off = 0, used = 0, step = 1, len;
	const uint8_t *f;
	int r = 0;

	qnm_frame_rx_init(&rx);
	while (off < size && r >= 0) {
		size_t n = size - off < step ? size - off : step;

		qnm_frame_rx_feed(&rx, data + off, n);
		off += n;
		step = step * 3 + 1;
		while ((r = qnm_frame_rx_next(&rx, &f, &len)) == 1) {
			if (len == 0 || len > QNM_SLIRP_FRAME_MAX || f < rx.buf ||
			    f + len > rx.buf + rx.len)
				abort();
			used += 4 + len;
		}
	}
	if (used > size || (r < 0 && r != -EPROTO))
		abort();
	qnm_frame_rx_free(&rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *line, *nl;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		one_line(line);
	}
	free(buf);
	frames(data, size);
	return 0;
}
