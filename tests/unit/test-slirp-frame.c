// SPDX-License-Identifier: GPL-2.0-or-later
/* test-slirp-frame.c - reassembly of QEMU stream frames (4-byte big-endian length + frame). */
#include "build-config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/slirp-helper.h"

/* Append one frame of @len bytes, each byte (@seed + i) & 0xff, with its prefix. */
static size_t put_frame(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	for (i = 0; i < len; i++)
		p[4 + i] = (uint8_t)(seed + i);
	return 4 + len;
}

static void check_frame(const uint8_t *f, size_t flen, size_t len, uint8_t seed)
{
	size_t i;

	assert_int_equal(flen, len);
	for (i = 0; i < len; i++)
		assert_int_equal(f[i], (uint8_t)(seed + i));
}

static void test_empty_needs_more(void **state)
{
	struct qnm_frame_rx rx;
	const uint8_t *f;
	size_t len;

	qnm_frame_rx_init(&rx);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 0);
	qnm_frame_rx_feed(&rx, "\0\0", 2);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 0);
	qnm_frame_rx_free(&rx);
}

static void test_several_in_one_read(void **state)
{
	uint8_t buf[4096];
	struct qnm_frame_rx rx;
	const uint8_t *f;
	size_t n = 0, len;

	n += put_frame(buf + n, 60, 1);
	n += put_frame(buf + n, 1514, 2);
	n += put_frame(buf + n, 42, 3);
	qnm_frame_rx_init(&rx);
	qnm_frame_rx_feed(&rx, buf, n);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 1);
	check_frame(f, len, 60, 1);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 1);
	check_frame(f, len, 1514, 2);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 1);
	check_frame(f, len, 42, 3);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 0);
	qnm_frame_rx_free(&rx);
}

/* Every split point, including inside the prefix, gives the same frames. */
static void test_split_everywhere(void **state)
{
	uint8_t buf[512];
	size_t n = 0, cut, len;
	const uint8_t *f;

	n += put_frame(buf + n, 100, 7);
	n += put_frame(buf + n, 200, 9);
	for (cut = 0; cut <= n; cut++) {
		struct qnm_frame_rx rx;
		int got = 0;

		qnm_frame_rx_init(&rx);
		qnm_frame_rx_feed(&rx, buf, cut);
		while (qnm_frame_rx_next(&rx, &f, &len) == 1) {
			check_frame(f, len, got ? 200 : 100, got ? 9 : 7);
			got++;
		}
		qnm_frame_rx_feed(&rx, buf + cut, n - cut);
		while (qnm_frame_rx_next(&rx, &f, &len) == 1) {
			check_frame(f, len, got ? 200 : 100, got ? 9 : 7);
			got++;
		}
		assert_int_equal(got, 2);
		qnm_frame_rx_free(&rx);
	}
}

static void test_byte_by_byte(void **state)
{
	uint8_t buf[2048];
	struct qnm_frame_rx rx;
	size_t n = 0, i, len;
	const uint8_t *f;
	int got = 0;

	n += put_frame(buf + n, 1000, 5);
	n += put_frame(buf + n, 14, 6);
	qnm_frame_rx_init(&rx);
	for (i = 0; i < n; i++) {
		qnm_frame_rx_feed(&rx, buf + i, 1);
		while (qnm_frame_rx_next(&rx, &f, &len) == 1) {
			check_frame(f, len, got ? 14 : 1000, got ? 6 : 5);
			got++;
		}
	}
	assert_int_equal(got, 2);
	qnm_frame_rx_free(&rx);
}

static void test_zero_length_skipped(void **state)
{
	uint8_t buf[64];
	struct qnm_frame_rx rx;
	size_t n = 0, len;
	const uint8_t *f;

	n += put_frame(buf + n, 0, 0);
	n += put_frame(buf + n, 20, 4);
	qnm_frame_rx_init(&rx);
	qnm_frame_rx_feed(&rx, buf, n);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 1);
	check_frame(f, len, 20, 4);
	qnm_frame_rx_free(&rx);
}

static void test_oversize_is_protocol_error(void **state)
{
	const uint8_t max[4] = { 0, 1, 0x10, 0 };  /* 69632 = QNM_SLIRP_FRAME_MAX */
	const uint8_t over[4] = { 0, 1, 0x10, 1 }; /* one more */
	const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
	struct qnm_frame_rx rx;
	const uint8_t *f;
	size_t len;

	assert_int_equal(QNM_SLIRP_FRAME_MAX, 69632);
	qnm_frame_rx_init(&rx);
	qnm_frame_rx_feed(&rx, max, 4);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 0); /* allowed: waits for the body */
	qnm_frame_rx_free(&rx);

	qnm_frame_rx_init(&rx);
	qnm_frame_rx_feed(&rx, over, 4);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), -EPROTO);
	qnm_frame_rx_free(&rx);

	qnm_frame_rx_init(&rx);
	qnm_frame_rx_feed(&rx, huge, 4);
	assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), -EPROTO);
	qnm_frame_rx_free(&rx);
}

/* Many largest frames streamed through: the buffer compacts and never loses bytes. */
static void test_largest_frames_stream(void **state)
{
	const size_t flen = QNM_SLIRP_FRAME_MAX;
	uint8_t *buf = malloc(4 + flen);
	struct qnm_frame_rx rx;
	const uint8_t *f;
	size_t len, step, off;
	int i, got = 0;

	assert_non_null(buf);
	qnm_frame_rx_init(&rx);
	for (i = 0; i < 20; i++) {
		put_frame(buf, flen, (uint8_t)i);
		/* odd-sized pieces so frames straddle the compaction point */
		for (off = 0; off < 4 + flen; off += step) {
			step = 4 + flen - off < 7919 ? 4 + flen - off : 7919;
			qnm_frame_rx_feed(&rx, buf + off, step);
			while (qnm_frame_rx_next(&rx, &f, &len) == 1) {
				check_frame(f, len, flen, (uint8_t)got);
				got++;
			}
		}
	}
	assert_int_equal(got, 20);
	qnm_frame_rx_free(&rx);
	free(buf);
}

/* space() always offers room for one largest frame plus its prefix. */
static void test_space_room(void **state)
{
	uint8_t buf[128];
	struct qnm_frame_rx rx;
	size_t avail, len;
	const uint8_t *f;
	int i;

	qnm_frame_rx_init(&rx);
	for (i = 0; i < 10000; i++) {
		size_t n = put_frame(buf, 100, (uint8_t)i);

		qnm_frame_rx_feed(&rx, buf, n - 3); /* leave a partial frame behind */
		while (qnm_frame_rx_next(&rx, &f, &len) == 1)
			;
		qnm_frame_rx_space(&rx, &avail);
		assert_true(avail >= QNM_SLIRP_FRAME_MAX + 4);
		qnm_frame_rx_feed(&rx, buf + n - 3, 3);
		assert_int_equal(qnm_frame_rx_next(&rx, &f, &len), 1);
		check_frame(f, len, 100, (uint8_t)i);
	}
	qnm_frame_rx_free(&rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_needs_more),
		cmocka_unit_test(test_several_in_one_read),
		cmocka_unit_test(test_split_everywhere),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_zero_length_skipped),
		cmocka_unit_test(test_oversize_is_protocol_error),
		cmocka_unit_test(test_largest_frames_stream),
		cmocka_unit_test(test_space_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
