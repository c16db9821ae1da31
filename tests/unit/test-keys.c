// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-keys.c - the key table (ui/keys.c): no screen-specific binding is
 * hidden by another one for the same key, every binding has help text,
 * footer labels are short, and the keys of the help screen's promises work.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curses.h>
#include <locale.h>
#include <string.h>

#include "keys.h"

static void test_no_hidden_bindings(void **state)
{
	const struct qnm_binding *t;
	size_t n, i, k;
	int s;

	t = qnm_keys_table(&n);
	for (i = 0; i < n; i++) {
		if (t[i].screens == QNM_SCR_ALL)
			continue; /* generic defaults may be overridden per screen */
		for (s = 0; s < QNM_SCR__COUNT; s++) {
			if (!(t[i].screens & QNM_SCR_BIT(s)))
				continue;
			for (k = 0; k < 4 && t[i].keys[k]; k++) {
				enum qnm_action a =
					qnm_keys_lookup((enum qnm_screen_id)s, t[i].keys[k]);
				char kn[16];

				if (a != t[i].action)
					fail_msg(
						"screen %s: key %s of '%s' is taken by another binding",
						qnm_screen_name((enum qnm_screen_id)s),
						qnm_key_name(t[i].keys[k], kn, sizeof(kn)),
						t[i].help);
			}
		}
	}
}

static void test_help_and_labels(void **state)
{
	const struct qnm_binding *t;
	size_t n, i;

	t = qnm_keys_table(&n);
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].help);
		assert_true(t[i].help[0]);
		assert_true(t[i].keys[0] != 0);
		if (t[i].label && strlen(t[i].label) > 10)
			fail_msg("footer label '%s' is too long", t[i].label);
	}
}

static void test_promises(void **state)
{
	char kn[16];

	/* what the issue promises: F1/? help, F10/q quit, Esc back, / filter, vi keys */
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMS, QNM_KEY_FN + KEY_F(1)), QNM_ACT_HELP);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_TRAFFIC, '?'), QNM_ACT_HELP);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMFORM, QNM_KEY_FN + KEY_F(10)), QNM_ACT_QUIT);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMS, 'q'), QNM_ACT_QUIT);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_PREVIEW, 27), QNM_ACT_BACK);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_NICFORM, 27), QNM_ACT_CANCEL);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_NETWORKS, '/'), QNM_ACT_FILTER);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMS, 'j'), QNM_ACT_DOWN);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMS, 'k'), QNM_ACT_UP);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMFORM, '\t'), QNM_ACT_NEXT_FIELD);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMFORM, QNM_KEY_FN + KEY_BTAB),
			 QNM_ACT_PREV_FIELD);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_DIALOG, 'q'), QNM_ACT_NONE);
	/* connections and capture: reached from the VMs list, forms keep F2/Esc */
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMS, 'C'), QNM_ACT_CONNS);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMS, 'r'), QNM_ACT_CAPTURE);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_CONNS, 27), QNM_ACT_BACK);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_CONNS, '\t'), QNM_ACT_NEXT_CHOICE);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_CONNS, 'o'), QNM_ACT_SORT);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_CAPFORM, QNM_KEY_FN + KEY_F(2)), QNM_ACT_SAVE);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_CAPFORM, 27), QNM_ACT_CANCEL);
	/* the console passes every key on to the guest but its own: Ctrl-], PgUp/PgDn, F1, F10 */
	assert_int_equal(qnm_keys_lookup(QNM_SCR_VMS, 't'), QNM_ACT_ATTACH);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, 0x1d), QNM_ACT_BACK);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, QNM_KEY_FN + KEY_PPAGE),
			 QNM_ACT_PAGE_UP);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, QNM_KEY_FN + KEY_F(1)), QNM_ACT_HELP);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, QNM_KEY_FN + KEY_F(10)),
			 QNM_ACT_QUIT);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, 27), QNM_ACT_NONE);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, 'q'), QNM_ACT_NONE);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, 3), QNM_ACT_NONE);
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, 2), QNM_ACT_NONE); /* Ctrl-B */
	assert_int_equal(qnm_keys_lookup_own(QNM_SCR_CONSOLE, '?'), QNM_ACT_NONE);
	assert_int_equal(qnm_keys_lookup(QNM_SCR_CONSOLE, 27), QNM_ACT_NONE);
	assert_string_equal(qnm_key_name(0x1d, kn, sizeof(kn)), "^]");
	assert_string_equal(qnm_key_name(QNM_KEY_FN + KEY_F(10), kn, sizeof(kn)), "F10");
	assert_string_equal(qnm_key_name(19, kn, sizeof(kn)), "^S");
	assert_string_equal(qnm_key_name('\r', kn, sizeof(kn)), "Enter");
	assert_true(qnm_key_is_text('a'));
	assert_true(qnm_key_is_text(0xe9));
	assert_false(qnm_key_is_text(27));
	assert_false(qnm_key_is_text(QNM_KEY_FN + KEY_UP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_hidden_bindings),
		cmocka_unit_test(test_help_and_labels),
		cmocka_unit_test(test_promises),
	};

	/* the UI runs in the user's locale; é is text in a UTF-8 one */
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
