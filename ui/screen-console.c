// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-console.c - the serial console of a running VM, inside qnm's
 * screen: the guest's output goes through libvterm (the terminal emulator
 * Neovim uses) and its screen is drawn with curses under a title line with
 * the VM and its NICs' counters. Keys go to the guest, translated by
 * libvterm into what a VT100/xterm sends (arrows in the cursor mode the
 * guest asked for, Enter, Backspace, Tab, Ctrl-letters as they are), but
 * Ctrl-] (back to the list), PgUp/PgDn (scrollback), F1 (help) and F10
 * (quit qnm). The console (the serial port's pty) is polled by the UI's
 * main loop (no thread, no timer: idle costs nothing). A registered host's VM: its own
 * "qnm console VM" runs there on a terminal over ssh (api/console.h), the
 * same bytes both ways; its counters are in the VMs list.
 */
#include "build-config.h"

#include "api/console.h"
#include "api/run.h"
#include "core/backend.h"
#include "core/model.h"
#include "guests.h"
#include "uipriv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vterm.h>

/* lines kept above the screen */
#define SCROLLBACK_LINES 1000
/* of the log, replayed at attach: the last screens */
#define SEED_BYTES 16384
/* read per batch: a stream leaves time for keys */
#define READ_MAX (256 * 1024)
/* colour pairs made for the guest's colours */
#define MAX_PAIRS 128

/**
 * struct sb_line - one line that scrolled off the top.
 * @cols:  cells in @cells.
 * @cells: the cells as libvterm had them.
 */
struct sb_line {
	int cols;
	VTermScreenCell *cells;
};

/**
 * struct console - state of the console screen.
 * @vm:      the VM's name.
 * @host:    the registered host it runs on ("": this host).
 * @con:     the attached console, NULL once it closed.
 * @closed:  why it closed ("" while attached).
 * @vt:      the terminal emulator, @vs its screen.
 * @rows:    its size (the body less the title line).
 * @cols:    its width.
 * @sb:      scrollback ring, @sb_max slots, @sb_n used, newest at
 *           (@sb_head - 1) modulo @sb_max.
 * @scroll:  lines scrolled back (0: the live screen).
 * @page:    rows shown, for PgUp/PgDn.
 * @cursor_visible: the guest's cursor is on (DECTCEM).
 * @seeding: replaying the log: libvterm's answers (cursor reports) are not
 *           sent to the guest, which did not ask this time.
 * @pairs:   curses colour pairs made for (fg, bg), @npairs of them, from
 *           pair number @pair_base.
 */
struct console {
	char vm[QNM_NAME_MAX + 1];
	char host[QNM_NAME_MAX + 1];
	struct qnm_console *con;
	char closed[160];
	VTerm *vt;
	VTermScreen *vs;
	int rows, cols;
	struct sb_line *sb;
	int sb_max, sb_n, sb_head;
	int scroll, page;
	bool cursor_visible;
	bool seeding;
	struct {
		short fg, bg;
	} pairs[MAX_PAIRS];
	int npairs, pair_base;
	struct qnm_ui *ui;
};

/* ---- libvterm callbacks ---- */

/* What libvterm sends to the guest: keys, answers to the guest's queries. */
static void vt_output(const char *s, size_t len, void *user)
{
	struct console *c = user;
	int r;

	if (!c->con || c->seeding)
		return;
	r = qnm_api_console_write(c->con, s, len);
	if (r)
		qnm_ui_log(c->ui, QNM_MSG_WARN, "console of %s: the guest did not take a key: %s",
			   c->vm, strerror(-r));
}

static int vt_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct console *c = user;
	struct sb_line *l = &c->sb[c->sb_head];

	if (l->cols != cols) {
		free(l->cells);
		l->cells = xcalloc((size_t)cols, sizeof(*cells));
		l->cols = cols;
	}
	memcpy(l->cells, cells, (size_t)cols * sizeof(*cells));
	c->sb_head = (c->sb_head + 1) % c->sb_max;
	if (c->sb_n < c->sb_max)
		c->sb_n++;
	/* scrolled back: the view stays on the same lines */
	if (c->scroll && c->scroll < c->sb_n)
		c->scroll++;
	return 1;
}

static int vt_popline(int cols, VTermScreenCell *cells, void *user)
{
	struct console *c = user;
	struct sb_line *l;
	int i;

	if (!c->sb_n)
		return 0;
	c->sb_head = (c->sb_head + c->sb_max - 1) % c->sb_max;
	c->sb_n--;
	if (c->scroll > c->sb_n)
		c->scroll = c->sb_n;
	l = &c->sb[c->sb_head];
	for (i = 0; i < cols; i++) {
		if (i < l->cols) {
			cells[i] = l->cells[i];
		} else {
			memset(&cells[i], 0, sizeof(cells[i]));
			cells[i].width = 1;
			cells[i].fg = l->cols ? l->cells[0].fg : cells[i].fg;
			cells[i].bg = l->cols ? l->cells[0].bg : cells[i].bg;
		}
	}
	return 1;
}

static int vt_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct console *c = user;

	if (prop == VTERM_PROP_CURSORVISIBLE)
		c->cursor_visible = val->boolean;
	return 1;
}

static const VTermScreenCallbacks vt_callbacks = {
	.settermprop = vt_settermprop,
	.sb_pushline = vt_pushline,
	.sb_popline = vt_popline,
};

/* ---- setup ---- */

/* Replay the end of the serial log, so the screen opens with context (and the prompt). */
static void seed_from_log(struct qnm_ui *ui, struct console *c)
{
	struct qnm_err err;
	struct stat st;
	char *buf, *start;
	ssize_t n;
	int fd;

	qnm_err_clear(&err);
	if (qnm_api_vm_console_open(ui->ctx, c->vm, &fd, &err))
		return;
	if (fstat(fd, &st) == 0 && st.st_size > SEED_BYTES)
		lseek(fd, st.st_size - SEED_BYTES, SEEK_SET);
	buf = xmalloc(SEED_BYTES + 1);
	n = read(fd, buf, SEED_BYTES);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		/* from a line start: not in the middle of a character or a sequence */
		start = st.st_size > SEED_BYTES ? memchr(buf, '\n', (size_t)n) : buf;
		if (start) {
			c->seeding = true;
			vterm_input_write(c->vt, start, (size_t)(buf + n - start));
			c->seeding = false;
		}
	}
	free(buf);
}

static void *console_init(struct qnm_ui *ui, void *arg)
{
	const struct qnm_console_arg *a = arg;
	const char *name = a->vm;
	struct qnm_rect r = qnm_ui_body(ui);
	struct qnm_console *con;
	struct console *c;
	struct qnm_err err;

	qnm_err_clear(&err);
	if (a->host ? qnm_api_console_attach_remote(ui->ctx, a->host, name, &con, &err)
		    : qnm_api_console_attach(ui->ctx, name, &con, &err)) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "console: %s", err.msg);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->ui = ui;
	c->con = con;
	qnm_strlcpy(c->vm, name, sizeof(c->vm));
	qnm_strlcpy(c->host, a->host ? a->host : "", sizeof(c->host));
	c->rows = r.h - 1 > 1 ? r.h - 1 : 1;
	c->cols = r.w > 1 ? r.w : 1;
	c->sb_max = SCROLLBACK_LINES;
	c->sb = xcalloc((size_t)c->sb_max, sizeof(*c->sb));
	c->cursor_visible = true;
	c->pair_base = QNM_ROLE__COUNT + 1;
	c->vt = vterm_new(c->rows, c->cols);
	vterm_set_utf8(c->vt, 1);
	vterm_output_set_callback(c->vt, vt_output, c);
	c->vs = vterm_obtain_screen(c->vt);
	vterm_screen_set_callbacks(c->vs, &vt_callbacks, c);
	vterm_screen_enable_altscreen(c->vs, 1);
	vterm_screen_reset(c->vs, 1);
	if (!a->host)
		seed_from_log(ui, c);
	qnm_ui_log(ui, QNM_MSG_INFO,
		   "console of %s%s%s: keys go to the guest; Ctrl-] leaves, PgUp/PgDn scroll back",
		   name, a->host ? " on " : "", a->host ? a->host : "");
	return c;
}

static void console_free(void *st)
{
	struct console *c = st;
	int i;

	qnm_api_console_detach(c->con);
	vterm_free(c->vt);
	for (i = 0; i < c->sb_max; i++)
		free(c->sb[i].cells);
	free(c->sb);
	free(c);
}

/* ---- drawing ---- */

/* A libvterm colour as a curses colour number (-1: the terminal's default). */
static short curses_color(struct console *c, const VTermColor *col, bool fg, bool *bright)
{
	VTermColor rgb = *col;
	int idx;

	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(col) : VTERM_COLOR_IS_DEFAULT_BG(col))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(col)) {
		idx = col->indexed.idx;
		if (idx < 8)
			return (short)idx;
		if (idx < 16) {
			*bright = fg;
			return (short)(idx - 8);
		}
		if (COLORS >= 256)
			return (short)idx;
		vterm_screen_convert_color_to_rgb(c->vs, &rgb);
	}
	/* the nearest of the 8 basic colours (curses: red 1, green 2, blue 4) */
	return (short)((rgb.rgb.red > 127 ? 1 : 0) | (rgb.rgb.green > 127 ? 2 : 0) |
		       (rgb.rgb.blue > 127 ? 4 : 0));
}

/* The colour pair for (@fg, @bg), made on first use; 0 when none is left. */
static short color_pair(struct console *c, short fg, short bg)
{
	int i;

	if (fg == -1 && bg == -1)
		return 0;
	for (i = 0; i < c->npairs; i++)
		if (c->pairs[i].fg == fg && c->pairs[i].bg == bg)
			return (short)(c->pair_base + i);
	if (c->npairs == MAX_PAIRS || c->pair_base + c->npairs >= COLOR_PAIRS || fg >= COLORS ||
	    bg >= COLORS)
		return 0;
	c->pairs[c->npairs].fg = fg;
	c->pairs[c->npairs].bg = bg;
	init_pair((short)(c->pair_base + c->npairs), fg, bg);
	return (short)(c->pair_base + c->npairs++);
}

/* What stands for a character the terminal cannot show (no UTF-8 locale). */
static wchar_t ascii_of(uint32_t ch)
{
	if (ch == 0x2500 || ch == 0x2501 || ch == 0x2504 || ch == 0x2508)
		return L'-';
	if (ch == 0x2502 || ch == 0x2503 || ch == 0x2506 || ch == 0x250a)
		return L'|';
	if (ch >= 0x2500 && ch < 0x2580)
		return L'+';
	return L'?';
}

static void draw_cell(struct qnm_ui *ui, struct console *c, int y, int x,
		      const VTermScreenCell *cell)
{
	wchar_t wc[VTERM_MAX_CHARS_PER_CELL + 1];
	attr_t a = A_NORMAL;
	short pair = 0;
	bool bright = false;
	cchar_t cc;
	int i;

	for (i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell->chars[i]; i++)
		wc[i] = ui->utf8 || cell->chars[i] < 0x80 ? (wchar_t)cell->chars[i]
							  : ascii_of(cell->chars[i]);
	if (!i || wc[0] < 0x20)
		wc[i++] = L' ';
	if (!ui->utf8)
		i = 1; /* no combining characters either */
	wc[i] = L'\0';
	if (cell->attrs.bold)
		a |= A_BOLD;
	if (cell->attrs.underline)
		a |= A_UNDERLINE;
	if (cell->attrs.reverse)
		a |= A_REVERSE;
	if (cell->attrs.blink)
		a |= A_BLINK;
	if (cell->attrs.italic)
		a |= A_ITALIC;
	if (ui->color) {
		short fg = curses_color(c, &cell->fg, true, &bright);
		short bg = curses_color(c, &cell->bg, false, &bright);

		pair = color_pair(c, fg, bg);
		if (bright)
			a |= A_BOLD;
	}
	setcchar(&cc, wc, a, pair, NULL);
	mvwadd_wch(stdscr, y, x, &cc);
}

/* Line @v of the view: < 0 from the scrollback (-1 the newest), else a screen row. */
static void draw_line(struct qnm_ui *ui, struct console *c, int y, int x0, int w, int v)
{
	VTermScreenCell cell;
	int x;

	if (v < 0) {
		const struct sb_line *l = &c->sb[(c->sb_head + c->sb_max + v) % c->sb_max];

		for (x = 0; x < w && x < l->cols;) {
			draw_cell(ui, c, y, x0 + x, &l->cells[x]);
			x += l->cells[x].width > 1 ? 2 : 1;
		}
		return;
	}
	for (x = 0; x < w && x < c->cols;) {
		VTermPos pos = { .row = v, .col = x };

		vterm_screen_get_cell(c->vs, pos, &cell);
		draw_cell(ui, c, y, x0 + x, &cell);
		x += cell.width > 1 ? 2 : 1;
	}
}

/* The title line: VM, state, each NIC's counters (the guest's view, as the VM list shows). */
static void draw_title(struct qnm_ui *ui, struct console *c, const struct qnm_rect *r)
{
	/* another host's VM: its name and host (its counters are in the VMs list) */
	const struct qnm_vm *vm = c->host[0] ? NULL : qnm_model_find_vm(&ui->ctx->model, c->vm);
	const struct qnm_guest *g = qnm_guest_find(ui, c->vm);
	int x = r->x, right = r->x + r->w;
	char note[200] = "";
	size_t i;

	if (c->scroll)
		snprintf(note, sizeof(note), " [%d lines back: PgDn] ", c->scroll);
	else if (c->closed[0])
		snprintf(note, sizeof(note), " [%s] ", c->closed);
	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	if (note[0]) {
		right -= qnm_text_width(note);
		qnm_set_role(ui, stdscr, c->closed[0] ? QNM_ROLE_WARNING : QNM_ROLE_ACCENT);
		qnm_put(stdscr, r->y, right, r->w, note);
		qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	}
	if (c->host[0])
		x += qnm_putf(stdscr, r->y, x, right - x, " %s on host %s %s", c->vm, c->host,
			      c->closed[0] ? "(console closed)" : "(over ssh)");
	else
		x += qnm_putf(stdscr, r->y, x, right - x, " %s %s", c->vm,
			      c->closed[0] ? "(console closed)"
					   : qnm_run_status_name(g->info.status));
	for (i = 0; vm && i < vm->nnics && x < right; i++) {
		const struct qnm_sample *e = qnm_guest_nic_sample(ui, vm, i);
		char a[16], b[16], d[16], f[16], buf[128];

		if (!e || !e->available) {
			snprintf(buf, sizeof(buf), "  %s %s", vm->nics[i].id,
				 qnm_backend_name(vm->nics[i].backend));
		} else {
			snprintf(buf, sizeof(buf), "  %s rx %s %s tx %s %s", vm->nics[i].id,
				 qnm_fmt_rate(qnm_sample_rate(e, QNM_STAT_RX_BYTES, true), a,
					      sizeof(a)),
				 qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_RX_BYTES, true), b,
					       sizeof(b)),
				 qnm_fmt_rate(qnm_sample_rate(e, QNM_STAT_TX_BYTES, true), d,
					      sizeof(d)),
				 qnm_fmt_bytes(qnm_sample_stat(e, QNM_STAT_TX_BYTES, true), f,
					       sizeof(f)));
		}
		if (x + qnm_text_width(buf) > right)
			break; /* whole or not at all: a cut number reads as another one */
		x += qnm_put(stdscr, r->y, x, right - x, buf);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static void console_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct console *c = st;
	int rows = r->h - 1 > 1 ? r->h - 1 : 1, y;

	if (rows != c->rows || r->w != c->cols) {
		c->rows = rows;
		c->cols = r->w > 1 ? r->w : 1;
		vterm_set_size(c->vt, c->rows, c->cols);
	}
	c->page = rows;
	if (c->scroll > c->sb_n)
		c->scroll = c->sb_n;
	draw_title(ui, c, r);
	attrset(A_NORMAL);
	for (y = 0; y < rows; y++)
		draw_line(ui, c, r->y + 1 + y, r->x, r->w, y - c->scroll);
	attrset(A_NORMAL);
	if (!c->scroll && c->cursor_visible && !c->closed[0]) {
		VTermPos pos;

		vterm_state_get_cursorpos(vterm_obtain_state(c->vt), &pos);
		if (pos.row < rows && pos.col < r->w) {
			move(r->y + 1 + pos.row, r->x + pos.col);
			curs_set(1);
		}
	}
}

/* ---- input: the guest's output, the user's keys ---- */

static int console_io_fd(void *st)
{
	struct console *c = st;

	return c->con ? qnm_api_console_fd(c->con) : -1;
}

static unsigned console_io(struct qnm_ui *ui, void *st)
{
	struct console *c = st;
	char buf[65536];
	size_t total = 0;
	ssize_t n = 0;

	while (c->con && total < READ_MAX) {
		n = qnm_api_console_read(c->con, buf, sizeof(buf));
		if (n <= 0)
			break;
		vterm_input_write(c->vt, buf, (size_t)n);
		total += (size_t)n;
	}
	if (c->con && n <= 0 && n != -EAGAIN) {
		const char *why = n != 0       ? strerror((int)-n)
				  : c->host[0] ? "the session there ended"
					       : "the VM stopped";

		snprintf(c->closed, sizeof(c->closed), "%s: Ctrl-] to leave", why);
		qnm_ui_log(ui, n == 0 ? QNM_MSG_INFO : QNM_MSG_WARN, "console of %s closed (%s)",
			   c->vm, why);
		qnm_api_console_detach(c->con);
		c->con = NULL;
	}
	return QNM_H_REDRAW;
}

/* curses function keys and the VT100/xterm key libvterm sends for each. */
static const struct {
	int key;
	VTermKey vk;
	VTermModifier mod;
} fn_keys[] = {
	{ KEY_UP, VTERM_KEY_UP, VTERM_MOD_NONE },
	{ KEY_DOWN, VTERM_KEY_DOWN, VTERM_MOD_NONE },
	{ KEY_LEFT, VTERM_KEY_LEFT, VTERM_MOD_NONE },
	{ KEY_RIGHT, VTERM_KEY_RIGHT, VTERM_MOD_NONE },
	{ KEY_HOME, VTERM_KEY_HOME, VTERM_MOD_NONE },
	{ KEY_END, VTERM_KEY_END, VTERM_MOD_NONE },
	{ KEY_IC, VTERM_KEY_INS, VTERM_MOD_NONE },
	{ KEY_DC, VTERM_KEY_DEL, VTERM_MOD_NONE },
	{ KEY_BACKSPACE, VTERM_KEY_BACKSPACE, VTERM_MOD_NONE },
	{ KEY_ENTER, VTERM_KEY_ENTER, VTERM_MOD_NONE },
	{ KEY_BTAB, VTERM_KEY_TAB, VTERM_MOD_SHIFT },
	{ KEY_SR, VTERM_KEY_UP, VTERM_MOD_SHIFT },
	{ KEY_SF, VTERM_KEY_DOWN, VTERM_MOD_SHIFT },
	{ KEY_SLEFT, VTERM_KEY_LEFT, VTERM_MOD_SHIFT },
	{ KEY_SRIGHT, VTERM_KEY_RIGHT, VTERM_MOD_SHIFT },
};

/* Send @key to the guest as a terminal would. */
static void send_key(struct console *c, int key)
{
	size_t i;

	if (key >= QNM_KEY_FN) {
		int k = key - QNM_KEY_FN;

		if (k >= KEY_F(2) && k <= KEY_F(12)) {
			vterm_keyboard_key(c->vt, VTERM_KEY_FUNCTION(k - KEY_F(0)), VTERM_MOD_NONE);
			return;
		}
		for (i = 0; i < QNM_ARRAY_SIZE(fn_keys); i++) {
			if (fn_keys[i].key == k) {
				vterm_keyboard_key(c->vt, fn_keys[i].vk, fn_keys[i].mod);
				return;
			}
		}
		return; /* a key a serial terminal has no sequence for */
	}
	switch (key) {
	case '\n':
	case '\r':
		vterm_keyboard_key(c->vt, VTERM_KEY_ENTER, VTERM_MOD_NONE);
		return;
	case '\t':
		vterm_keyboard_key(c->vt, VTERM_KEY_TAB, VTERM_MOD_NONE);
		return;
	case 27:
		vterm_keyboard_key(c->vt, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
		return;
	default:
		break;
	}
	if (key < 0x20 || key == 0x7f) {
		char b = (char)key; /* Ctrl-letters and DEL, as the terminal sent them */

		vt_output(&b, 1, c);
		return;
	}
	vterm_keyboard_unichar(c->vt, (uint32_t)key, VTERM_MOD_NONE);
}

static unsigned console_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	struct console *c = st;
	enum qnm_screen_id id = QNM_SCR_CONSOLE;

	/* only the console's own bindings; every other key is the guest's */
	switch (qnm_keys_lookup_own(QNM_SCR_CONSOLE, key)) {
	case QNM_ACT_BACK:
		return QNM_H_HANDLED | QNM_H_CLOSE;
	case QNM_ACT_PAGE_UP:
		c->scroll += c->page > 2 ? c->page - 1 : 1;
		if (c->scroll > c->sb_n)
			c->scroll = c->sb_n;
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_PAGE_DOWN:
		c->scroll -= c->page > 2 ? c->page - 1 : 1;
		if (c->scroll < 0)
			c->scroll = 0;
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_HELP:
		qnm_ui_push(ui, &qnm_screen_help, &id);
		return QNM_H_HANDLED | QNM_H_REDRAW;
	case QNM_ACT_QUIT:
		return QNM_H_HANDLED | QNM_H_QUIT;
	default:
		break;
	}
	if (!c->con)
		return QNM_H_HANDLED; /* closed: nobody to send to */
	/* typing returns to the live screen */
	c->scroll = 0;
	send_key(c, key);
	return QNM_H_HANDLED | QNM_H_REDRAW;
}

const struct qnm_screen_ops qnm_screen_console = {
	.id = QNM_SCR_CONSOLE,
	.init = console_init,
	.free = console_free,
	.draw = console_draw,
	.key = console_key,
	.io_fd = console_io_fd,
	.io = console_io,
};
