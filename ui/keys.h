/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys.h - every key binding of the UI, in one table (keys.c).
 *
 * The same table maps keys to actions, draws the footer hints and writes
 * the help screen, so what the screen says is what the keys do.
 */
#ifndef QNM_UI_KEYS_H
#define QNM_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Keys are ints: a character is its Unicode code point, a curses function
 * key (KEY_UP, KEY_F(1), ...) is QNM_KEY_FN + its code, so the two never
 * collide.
 */
#define QNM_KEY_FN   0x200000
#define QNM_KEY_NONE 0

/** enum qnm_screen_id - every screen; bit (1 << id) in a binding's mask. */
enum qnm_screen_id {
	QNM_SCR_VMS,
	QNM_SCR_VMFORM,
	QNM_SCR_NICFORM,
	QNM_SCR_NETWORKS,
	QNM_SCR_NETFORM,
	QNM_SCR_FORWARDS,
	QNM_SCR_FWDFORM,
	QNM_SCR_TRAFFIC,
	QNM_SCR_PREVIEW,
	QNM_SCR_MODES,
	QNM_SCR_HELP,
	QNM_SCR_MESSAGES,
	QNM_SCR_DOCTOR,
	QNM_SCR_PORTS,
	QNM_SCR_DIALOG,
	QNM_SCR_CONNS,
	QNM_SCR_CAPFORM,
	QNM_SCR_CONSOLE,
	QNM_SCR_HOSTS,
	QNM_SCR__COUNT
};

#define QNM_SCR_BIT(id) (1u << (id))
#define QNM_SCR_ALL	0xffffffffu
#define QNM_SCR_LISTS                                                                              \
	(QNM_SCR_BIT(QNM_SCR_VMS) | QNM_SCR_BIT(QNM_SCR_NETWORKS) |                                \
	 QNM_SCR_BIT(QNM_SCR_FORWARDS) | QNM_SCR_BIT(QNM_SCR_TRAFFIC) |                            \
	 QNM_SCR_BIT(QNM_SCR_MESSAGES) | QNM_SCR_BIT(QNM_SCR_MODES) |                              \
	 QNM_SCR_BIT(QNM_SCR_DOCTOR) | QNM_SCR_BIT(QNM_SCR_PORTS) | QNM_SCR_BIT(QNM_SCR_HOSTS))
#define QNM_SCR_FORMS                                                                              \
	(QNM_SCR_BIT(QNM_SCR_VMFORM) | QNM_SCR_BIT(QNM_SCR_NICFORM) |                              \
	 QNM_SCR_BIT(QNM_SCR_NETFORM) | QNM_SCR_BIT(QNM_SCR_FWDFORM) |                             \
	 QNM_SCR_BIT(QNM_SCR_CAPFORM))

/** enum qnm_action - what a key means. */
enum qnm_action {
	QNM_ACT_NONE,
	/* global */
	QNM_ACT_QUIT,
	QNM_ACT_HELP,
	QNM_ACT_BACK,
	QNM_ACT_GO_VMS,
	QNM_ACT_GO_NETWORKS,
	QNM_ACT_GO_FORWARDS,
	QNM_ACT_GO_TRAFFIC,
	QNM_ACT_GO_MODES,
	QNM_ACT_GO_MESSAGES,
	QNM_ACT_GO_DOCTOR,
	QNM_ACT_GO_PORTS,
	QNM_ACT_GO_HOSTS,
	QNM_ACT_NEXT_SCREEN,
	QNM_ACT_THEME,
	/* moving around */
	QNM_ACT_UP,
	QNM_ACT_DOWN,
	QNM_ACT_PAGE_UP,
	QNM_ACT_PAGE_DOWN,
	QNM_ACT_HOME,
	QNM_ACT_END,
	QNM_ACT_NEXT_FIELD,
	QNM_ACT_PREV_FIELD,
	QNM_ACT_ENTER,
	QNM_ACT_FILTER,
	/* lists */
	QNM_ACT_NEW,
	QNM_ACT_EDIT,
	QNM_ACT_DELETE,
	QNM_ACT_CLONE,
	QNM_ACT_START,
	QNM_ACT_STOP,
	QNM_ACT_PREVIEW,
	QNM_ACT_MODES,
	QNM_ACT_CONSOLE,
	QNM_ACT_UPDOWN, /* bring a network up/down */
	QNM_ACT_DEMO,
	QNM_ACT_CONNS,	 /* the connections of a VM's user-mode NICs */
	QNM_ACT_CAPTURE, /* start/stop a packet capture */
	QNM_ACT_ATTACH,	 /* the interactive serial console */
	/* forms */
	QNM_ACT_SAVE,
	QNM_ACT_CANCEL,
	QNM_ACT_PREV_CHOICE,
	QNM_ACT_NEXT_CHOICE,
	QNM_ACT_PICK,
	QNM_ACT_GEN_MAC,
	QNM_ACT_ADD_NIC,
	/* traffic */
	QNM_ACT_SORT,
	QNM_ACT_GUESTS_ONLY,
	QNM_ACT_FASTER,
	QNM_ACT_SLOWER,
	/* preview */
	QNM_ACT_STYLE,
	QNM_ACT_WRITE,
	/* diagnostics and ports */
	QNM_ACT_REFRESH,
	/* dialogs */
	QNM_ACT_YES,
	QNM_ACT_NO,
	QNM_ACT__COUNT
};

/**
 * struct qnm_binding - one line of the key table.
 * @screens: QNM_SCR_BIT() mask of the screens it applies to.
 * @action:  what it does.
 * @keys:    up to 4 keys, 0-terminated.
 * @label:   short footer label ("Start"), or NULL to keep it off the footer.
 * @help:    one line for the help screen.
 */
struct qnm_binding {
	unsigned screens;
	enum qnm_action action;
	int keys[4];
	const char *label;
	const char *help;
};

/** qnm_keys_table() - the whole table; *@n gets its length. */
const struct qnm_binding *qnm_keys_table(size_t *n);

/**
 * qnm_keys_lookup() - the action of @key on screen @scr (screen-specific
 * bindings come before global ones in the table), or QNM_ACT_NONE.
 */
enum qnm_action qnm_keys_lookup(enum qnm_screen_id scr, int key);

/**
 * qnm_keys_lookup_own() - the action of @key among the bindings made for
 * screen @scr alone (not shared with other screens), or QNM_ACT_NONE: for a
 * screen that passes every other key on (the console, to the guest).
 */
enum qnm_action qnm_keys_lookup_own(enum qnm_screen_id scr, int key);

/**
 * qnm_key_name() - a readable name for @key ("F1", "Enter", "^S", "q").
 * @buf: at least 16 bytes.
 * Return: @buf.
 */
const char *qnm_key_name(int key, char *buf, size_t size);

/** qnm_screen_name() - human name of a screen ("VMs", "VM form", ...). */
const char *qnm_screen_name(enum qnm_screen_id scr);

/** qnm_key_is_text() - @key is a printable character (form text input). */
bool qnm_key_is_text(int key);

#endif
