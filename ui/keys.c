// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys.c - the one key table: actions, footer hints and help text.
 *
 * Order matters: the first binding that matches a screen and a key wins,
 * so screen-specific lines come before the global ones. The footer shows
 * the labelled lines of a screen in table order.
 */
#include "build-config.h"

#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <wctype.h>

#define FN(k)	(QNM_KEY_FN + (k))
#define CTRL(c) ((c)&0x1f)
#define ESC	27
#define S(id)	QNM_SCR_BIT(QNM_SCR_##id)

static const struct qnm_binding table[] = {
	/* dialogs (confirmations) */
	{ S(DIALOG), QNM_ACT_YES, { 'y', 'Y' }, "Yes", "answer yes" },
	{ S(DIALOG), QNM_ACT_NO, { 'n', 'N', ESC }, "No", "answer no / close" },
	{ S(DIALOG),
	  QNM_ACT_ENTER,
	  { '\n', '\r', FN(KEY_ENTER) },
	  "OK",
	  "choose the selected entry" },
	{ S(DIALOG), QNM_ACT_UP, { FN(KEY_UP), 'k' }, NULL, "previous entry" },
	{ S(DIALOG), QNM_ACT_DOWN, { FN(KEY_DOWN), 'j' }, NULL, "next entry" },
	{ S(DIALOG), QNM_ACT_PAGE_UP, { FN(KEY_PPAGE) }, NULL, "page up" },
	{ S(DIALOG), QNM_ACT_PAGE_DOWN, { FN(KEY_NPAGE) }, NULL, "page down" },

	/* forms */
	{ S(CAPFORM),
	  QNM_ACT_SAVE,
	  { FN(KEY_F(2)), CTRL('s') },
	  "Start",
	  "check every field and start the capture; nothing starts on error" },
	{ QNM_SCR_FORMS & ~S(CAPFORM),
	  QNM_ACT_SAVE,
	  { FN(KEY_F(2)), CTRL('s') },
	  "Save",
	  "check every field and save (VM, network, rule) or keep (NIC); nothing is written on error" },
	{ QNM_SCR_FORMS, QNM_ACT_CANCEL, { ESC }, "Cancel", "leave the form, changing nothing" },
	{ QNM_SCR_FORMS, QNM_ACT_NEXT_FIELD, { '\t', FN(KEY_DOWN) }, "Next", "next field" },
	{ QNM_SCR_FORMS, QNM_ACT_PREV_FIELD, { FN(KEY_BTAB), FN(KEY_UP) }, NULL, "previous field" },
	{ QNM_SCR_FORMS,
	  QNM_ACT_PAGE_UP,
	  { FN(KEY_PPAGE) },
	  NULL,
	  "first field of the page above" },
	{ QNM_SCR_FORMS, QNM_ACT_PAGE_DOWN, { FN(KEY_NPAGE) }, NULL, "field a page further down" },
	{ QNM_SCR_FORMS,
	  QNM_ACT_PREV_CHOICE,
	  { FN(KEY_LEFT) },
	  NULL,
	  "choice fields: previous value; text fields: move the cursor" },
	{ QNM_SCR_FORMS,
	  QNM_ACT_NEXT_CHOICE,
	  { FN(KEY_RIGHT), ' ' },
	  NULL,
	  "choice fields: next value; yes/no fields: toggle" },
	{ QNM_SCR_FORMS,
	  QNM_ACT_ENTER,
	  { '\n', '\r', FN(KEY_ENTER) },
	  "Pick",
	  "open a list to pick from / press a button / next field" },
	{ S(NICFORM),
	  QNM_ACT_GEN_MAC,
	  { FN(KEY_F(3)), CTRL('g') },
	  "GenMAC",
	  "generate a new unique MAC address" },
	{ S(VMFORM), QNM_ACT_ADD_NIC, { FN(KEY_F(4)), CTRL('n') }, "AddNIC", "add a network card" },
	{ S(VMFORM),
	  QNM_ACT_DELETE,
	  { FN(KEY_DC), CTRL('d') },
	  "DelNIC",
	  "remove the selected network card (asks first)" },

	/* the console: every key not listed here goes to the guest */
	{ S(CONSOLE),
	  QNM_ACT_BACK,
	  { CTRL(']') },
	  "Back",
	  "leave the console, back to the VM list (the guest keeps running). Every key "
	  "not listed here goes to the guest, Esc, Ctrl-C, q and the keys under Everywhere "
	  "included" },
	{ S(CONSOLE),
	  QNM_ACT_PAGE_UP,
	  { FN(KEY_PPAGE) },
	  "Scroll",
	  "scroll back through what the guest printed (any key for the guest returns to the live screen)" },
	{ S(CONSOLE), QNM_ACT_PAGE_DOWN, { FN(KEY_NPAGE) }, NULL, "scroll forward" },
	{ S(CONSOLE), QNM_ACT_HELP, { FN(KEY_F(1)) }, "Help", "this help" },
	{ S(CONSOLE),
	  QNM_ACT_QUIT,
	  { FN(KEY_F(10)) },
	  "Quit",
	  "quit qnm (running guests keep running)" },

	/* VMs */
	{ S(VMS), QNM_ACT_NEW, { 'n' }, "New", "create a VM" },
	{ S(VMS),
	  QNM_ACT_EDIT,
	  { 'e', '\n', '\r', FN(KEY_ENTER) },
	  "Edit",
	  "edit the selected VM" },
	{ S(VMS), QNM_ACT_START, { 's' }, "Start", "start the selected VM in the background" },
	{ S(VMS),
	  QNM_ACT_STOP,
	  { 'x' },
	  "Stop",
	  "stop the selected running VM (asks first; ACPI power-down, then quit)" },
	{ S(VMS), QNM_ACT_PREVIEW, { 'p' }, "Cmdline", "show the QEMU command line of the VM" },
	{ S(VMS), QNM_ACT_MODES, { 'm' }, "Topology", "network topology and modes of the VM" },
	{ S(VMS),
	  QNM_ACT_DEMO,
	  { 'D' },
	  "Demo",
	  "define the demo guest: a tiny Linux built once from the host's kernel, web server on a forwarded port" },
	{ S(VMS),
	  QNM_ACT_CONNS,
	  { 'C' },
	  "Conns",
	  "live TCP/UDP connections of the selected running VM's user-mode NICs" },
	{ S(VMS),
	  QNM_ACT_CAPTURE,
	  { 'r' },
	  "Capture",
	  "record a NIC of the selected running VM into a pcap file, or stop a capture" },
	{ S(VMS), QNM_ACT_CLONE, { 'c' }, NULL, "clone the selected VM (new name, new MACs)" },
	{ S(VMS),
	  QNM_ACT_DELETE,
	  { 'd', FN(KEY_DC) },
	  NULL,
	  "delete the selected VM (asks first)" },
	{ S(VMS),
	  QNM_ACT_ATTACH,
	  { 't' },
	  "Console",
	  "the selected running VM's serial console: type into the guest (its shell on the "
	  "demo guest), Ctrl-] to come back; one client at a time (qnm console VM is the same)" },
	{ S(VMS), QNM_ACT_CONSOLE, { 'l' }, "Log", "show the end of the VM's serial console log" },

	/* networks and forwards */
	{ S(NETWORKS) | S(FORWARDS), QNM_ACT_NEW, { 'n' }, "New", "create one" },
	{ S(NETWORKS) | S(FORWARDS),
	  QNM_ACT_EDIT,
	  { 'e', '\n', '\r', FN(KEY_ENTER) },
	  "Edit",
	  "edit the selected one" },
	{ S(NETWORKS) | S(FORWARDS),
	  QNM_ACT_DELETE,
	  { 'd', FN(KEY_DC) },
	  "Delete",
	  "delete the selected one (asks first)" },
	{ S(NETWORKS),
	  QNM_ACT_UPDOWN,
	  { 'u' },
	  "Up/Down",
	  "bring the selected network up or down (down asks first while guests run on it)" },

	/* traffic */
	{ S(TRAFFIC), QNM_ACT_SORT, { 'o' }, "Sort", "sort by the next column" },
	{ S(TRAFFIC),
	  QNM_ACT_GUESTS_ONLY,
	  { 'a' },
	  "All/Guests",
	  "show every interface, or only guests' ones" },
	{ S(TRAFFIC), QNM_ACT_FASTER, { '+' }, "Faster", "refresh more often" },
	{ S(TRAFFIC), QNM_ACT_SLOWER, { '-' }, "Slower", "refresh less often" },

	/* command preview and topology */
	{ S(PREVIEW),
	  QNM_ACT_STYLE,
	  { 'y', '\t' },
	  "Style",
	  "switch between -netdev/-device and -nic style" },
	{ S(PREVIEW), QNM_ACT_WRITE, { 'w' }, "Write", "write the command line to a file" },
	{ S(MODES) | S(CONNS), QNM_ACT_NEXT_CHOICE, { '\t' }, "NextVM", "show the next VM" },
	{ S(CONNS),
	  QNM_ACT_SORT,
	  { 'o' },
	  "Sort",
	  "order by the next column (guest port, remote end, state, queued bytes)" },

	/* diagnostics and host ports */
	{ S(DOCTOR),
	  QNM_ACT_REFRESH,
	  { 'r' },
	  "Re-run",
	  "run every check again (in the background)" },
	{ S(HOSTS),
	  QNM_ACT_REFRESH,
	  { 'r' },
	  "Refresh",
	  "ask every host again now (also done every 5 s)" },
	{ S(PORTS),
	  QNM_ACT_REFRESH,
	  { 'r' },
	  "Refresh",
	  "look at the ports again now (also done every refresh interval)" },
	{ S(DOCTOR) | S(PORTS),
	  QNM_ACT_ENTER,
	  { '\n', '\r', FN(KEY_ENTER) },
	  "Details",
	  "show the selected line in full (what was found, how to fix it)" },

	/* moving around in lists and text */
	{ QNM_SCR_ALL, QNM_ACT_UP, { FN(KEY_UP), 'k' }, NULL, "move up" },
	{ QNM_SCR_ALL, QNM_ACT_DOWN, { FN(KEY_DOWN), 'j' }, NULL, "move down" },
	{ QNM_SCR_ALL, QNM_ACT_PAGE_UP, { FN(KEY_PPAGE), CTRL('b') }, NULL, "page up" },
	{ QNM_SCR_ALL, QNM_ACT_PAGE_DOWN, { FN(KEY_NPAGE), CTRL('f') }, NULL, "page down" },
	{ QNM_SCR_ALL, QNM_ACT_HOME, { FN(KEY_HOME), 'g' }, NULL, "first line" },
	{ QNM_SCR_ALL, QNM_ACT_END, { FN(KEY_END), 'G' }, NULL, "last line" },
	{ QNM_SCR_LISTS | S(CONNS),
	  QNM_ACT_FILTER,
	  { '/' },
	  "Filter",
	  "filter the list by a word (Esc clears)" },

	/* switching screens */
	{ QNM_SCR_LISTS, QNM_ACT_GO_VMS, { '1' }, NULL, "VMs" },
	{ QNM_SCR_LISTS, QNM_ACT_GO_NETWORKS, { '2' }, NULL, "networks and bridges" },
	{ QNM_SCR_LISTS, QNM_ACT_GO_FORWARDS, { '3' }, NULL, "forwarding rules" },
	{ QNM_SCR_LISTS, QNM_ACT_GO_TRAFFIC, { '4' }, NULL, "traffic" },
	{ QNM_SCR_LISTS, QNM_ACT_GO_MODES, { '5' }, NULL, "network modes and topology" },
	{ QNM_SCR_LISTS, QNM_ACT_GO_MESSAGES, { '6' }, NULL, "messages log" },
	{ QNM_SCR_LISTS,
	  QNM_ACT_GO_DOCTOR,
	  { '7' },
	  NULL,
	  "diagnostics: is this host ready for your VMs (qnm doctor)" },
	{ QNM_SCR_LISTS,
	  QNM_ACT_GO_PORTS,
	  { '8' },
	  NULL,
	  "host ports qnm forwards, and who holds each (qnm ports)" },
	{ QNM_SCR_LISTS,
	  QNM_ACT_GO_HOSTS,
	  { '9' },
	  NULL,
	  "hosts over ssh: reachable, qnm version, latency, running guests (qnm host)" },
	{ QNM_SCR_LISTS & ~S(MODES), QNM_ACT_NEXT_SCREEN, { '\t' }, NULL, "next screen" },
	{ QNM_SCR_LISTS,
	  QNM_ACT_THEME,
	  { 'T' },
	  NULL,
	  "choose the colour theme (applies at once)" },

	/* everywhere */
	{ QNM_SCR_ALL & ~QNM_SCR_FORMS & ~S(DIALOG) & ~S(CONSOLE),
	  QNM_ACT_BACK,
	  { ESC },
	  NULL,
	  "back" },
	{ QNM_SCR_ALL & ~S(DIALOG) & ~S(CONSOLE),
	  QNM_ACT_HELP,
	  { FN(KEY_F(1)), '?' },
	  "Help",
	  "this help" },
	{ QNM_SCR_ALL & ~S(DIALOG) & ~S(CONSOLE),
	  QNM_ACT_QUIT,
	  { FN(KEY_F(10)), 'q', CTRL('c') },
	  "Quit",
	  "quit qnm (running guests keep running)" },
};

const struct qnm_binding *qnm_keys_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

enum qnm_action qnm_keys_lookup(enum qnm_screen_id scr, int key)
{
	size_t i, k;

	if (key == QNM_KEY_NONE)
		return QNM_ACT_NONE;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (!(table[i].screens & QNM_SCR_BIT(scr)))
			continue;
		for (k = 0; k < 4 && table[i].keys[k]; k++)
			if (table[i].keys[k] == key)
				return table[i].action;
	}
	return QNM_ACT_NONE;
}

enum qnm_action qnm_keys_lookup_own(enum qnm_screen_id scr, int key)
{
	size_t i, k;

	if (key == QNM_KEY_NONE)
		return QNM_ACT_NONE;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].screens != QNM_SCR_BIT(scr))
			continue;
		for (k = 0; k < 4 && table[i].keys[k]; k++)
			if (table[i].keys[k] == key)
				return table[i].action;
	}
	return QNM_ACT_NONE;
}

static const struct {
	int key;
	const char *name;
} key_names[] = {
	{ '\n', "Enter" },	   { '\r', "Enter" },	       { FN(KEY_ENTER), "Enter" },
	{ '\t', "Tab" },	   { FN(KEY_BTAB), "S-Tab" },  { ESC, "Esc" },
	{ ' ', "Space" },	   { FN(KEY_UP), "Up" },       { FN(KEY_DOWN), "Down" },
	{ FN(KEY_LEFT), "Left" },  { FN(KEY_RIGHT), "Right" }, { FN(KEY_PPAGE), "PgUp" },
	{ FN(KEY_NPAGE), "PgDn" }, { FN(KEY_HOME), "Home" },   { FN(KEY_END), "End" },
	{ FN(KEY_DC), "Del" },	   { FN(KEY_IC), "Ins" },      { FN(KEY_BACKSPACE), "BkSp" },
};

const char *qnm_key_name(int key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (key_names[i].key == key) {
			snprintf(buf, size, "%s", key_names[i].name);
			return buf;
		}
	}
	if (key >= FN(KEY_F(1)) && key <= FN(KEY_F(24)))
		snprintf(buf, size, "F%d", key - FN(KEY_F(0)));
	else if (key > 0 && key < 32)
		snprintf(buf, size, "^%c", key + '@');
	else if (key < QNM_KEY_FN && key > 0 && key < 128)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "#%d", key);
	return buf;
}

static const char *const screen_names[QNM_SCR__COUNT] = {
	[QNM_SCR_VMS] = "VMs",
	[QNM_SCR_VMFORM] = "VM form",
	[QNM_SCR_NICFORM] = "NIC form",
	[QNM_SCR_NETWORKS] = "Networks",
	[QNM_SCR_NETFORM] = "Network form",
	[QNM_SCR_FORWARDS] = "Forwards",
	[QNM_SCR_FWDFORM] = "Forward form",
	[QNM_SCR_TRAFFIC] = "Traffic",
	[QNM_SCR_PREVIEW] = "Command line",
	[QNM_SCR_MODES] = "Modes",
	[QNM_SCR_HELP] = "Help",
	[QNM_SCR_MESSAGES] = "Messages",
	[QNM_SCR_DOCTOR] = "Diagnostics",
	[QNM_SCR_PORTS] = "Ports",
	[QNM_SCR_HOSTS] = "Hosts",
	[QNM_SCR_DIALOG] = "Dialog",
	[QNM_SCR_CONNS] = "Connections",
	[QNM_SCR_CAPFORM] = "Capture",
	[QNM_SCR_CONSOLE] = "Console",
};

const char *qnm_screen_name(enum qnm_screen_id scr)
{
	return (unsigned)scr < QNM_SCR__COUNT ? screen_names[scr] : "?";
}

bool qnm_key_is_text(int key)
{
	return key >= 32 && key < QNM_KEY_FN && key != 127 && iswprint((wint_t)key);
}
