// SPDX-License-Identifier: GPL-2.0-or-later
/* test-termsafe.c - guest output made safe for a terminal (src/core/termsafe.c). */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/termsafe.h"

static void expect_safe(const char *in, size_t n, const char *want)
{
	char *got = qnm_term_safe(in, n);

	if (strcmp(got, want))
		fail_msg("'%s' expected, got '%s'", want, got);
	free(got);
}

#define S(lit) lit, sizeof(lit) - 1

static void test_whole(void **state)
{
	/* text, newlines and tabs as they are */
	expect_safe(S("login: root\n\tok\n"), "login: root\n\tok\n");
	/* CR LF line ends lose the CR; a lone CR is shown */
	expect_safe(S("a\r\nb\rc\r"), "a\nb^Mc^M");
	/* ESC sequences: colours, a window title (OSC ... BEL), clear screen */
	expect_safe(S("\x1b[31mred\x1b[0m"), "^[[31mred^[[0m");
	expect_safe(S("\x1b]0;owned\x07x"), "^[]0;owned^Gx");
	expect_safe(S("\x1b[2J\x1b[H"), "^[[2J^[[H");
	/* NUL, DEL */
	expect_safe(S("a\0b\x7f"), "a^@b^?");
	/* UTF-8 kept; C1 controls (raw CSI, or encoded as UTF-8) and bad bytes shown */
	expect_safe(S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	expect_safe(S("\x9b"
		      "31m"),
		    "\\x9b31m");
	expect_safe(S("\xc2\x9b"
		      "31m"),
		    "\\xc2\\x9b31m");
	expect_safe(S("\xc0\xaf\xed\xa0\x80\xff"), "\\xc0\\xaf\\xed\\xa0\\x80\\xff");
	/* an unfinished character at the very end */
	expect_safe(S("x\xe2\x82"), "x\\xe2\\x82");
}

/* Cut into chunks at every byte, the output is the same as in one piece. */
static void test_chunks(void **state)
{
	static const char in[] = "a\r\nb\xe2\x82\xac\x1b[1m\r\n\xf0\x9f\x98\x80\rz\xc3";
	char *whole = qnm_term_safe(in, sizeof(in) - 1);
	size_t i, cut;

	for (cut = 1; cut < sizeof(in); cut++) {
		struct qnm_term_filter f;
		struct qnm_strbuf sb;

		qnm_term_filter_init(&f);
		qnm_sb_init(&sb);
		for (i = 0; i < sizeof(in) - 1; i += cut)
			qnm_term_filter_add(&f, in + i,
					    cut < sizeof(in) - 1 - i ? cut : sizeof(in) - 1 - i,
					    &sb);
		qnm_term_filter_flush(&f, &sb);
		qnm_sb_addc(&sb, '\0');
		if (strcmp(sb.s, whole))
			fail_msg("chunks of %zu: '%s', whole: '%s'", cut, sb.s, whole);
		qnm_sb_free(&sb);
	}
	assert_string_equal(whole, "a\nb\xe2\x82\xac^[[1m\n\xf0\x9f\x98\x80^Mz\\xc3");
	free(whole);
}

static void expect_utf8(const char *in, const char *want)
{
	char *got = qnm_utf8_copy(in);

	if (strcmp(got, want))
		fail_msg("'%s' expected, got '%s'", want, got);
	free(got);
}

/* text for JSON: UTF-8 kept, every other byte one U+FFFD */
static void test_utf8_copy(void **state)
{
	(void)state;
	expect_utf8("/boot/vmlinuz\ttab\n", "/boot/vmlinuz\ttab\n");
	expect_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* Latin-1, a lone continuation, an overlong form, a cut character */
	expect_utf8("caf\xe9", "caf\xef\xbf\xbd");
	expect_utf8("a\x80"
		    "b",
		    "a\xef\xbf\xbd"
		    "b");
	expect_utf8("\xc0\xafx", "\xef\xbf\xbd\xef\xbf\xbdx");
	expect_utf8("\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd");
	/* controls and C1 are not JSON-safe text for qnm either */
	expect_utf8("\x1b[2J\x7f\xc2\x9b", "\xef\xbf\xbd[2J\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(qnm_utf8_len("\xc3\xa9", 2), 2);
	assert_int_equal(qnm_utf8_len("\xc3", 1), 0);
	assert_int_equal(qnm_utf8_len("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_utf8_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
