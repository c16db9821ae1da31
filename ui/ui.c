// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ui.c - the text UI's main loop: terminal setup and restore, the screen
 * stack, one poll() over the terminal, the signal self-pipe, the job pipe
 * and the refresh timer.
 */
#include "build-config.h"

#include "api/models.h"
#include "guests.h"
#include "remotes.h"
#include "ui.h"
#include "uipriv.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <panel.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static const char *const spark_utf8[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const spark_ascii[] = { " ", ".", "_", "-", "~", "=", "+", "*", "#" };

static const struct qnm_glyphs glyphs_utf8 = {
	.hline = "─",
	.vline = "│",
	.tl = "┌",
	.tr = "┐",
	.bl = "└",
	.br = "┘",
	.arrow = "→",
	.sep = "│",
	.bullet = "•",
	.spark = spark_utf8,
	.spinner = { "◐", "◓", "◑", "◒" },
};
static const struct qnm_glyphs glyphs_ascii = {
	.hline = "-",
	.vline = "|",
	.tl = "+",
	.tr = "+",
	.bl = "+",
	.br = "+",
	.arrow = "->",
	.sep = "|",
	.bullet = "*",
	.spark = spark_ascii,
	.spinner = { "|", "/", "-", "\\" },
};

/*
 * Top-level screens, in tab order ('1'..'8', Tab). @tab is the label, @brief
 * the one used when the full labels do not fit (80 columns).
 */
static const struct {
	const struct qnm_screen_ops *ops;
	const char *tab;
	const char *brief;
	enum qnm_action go;
} tabs[] = {
	{ &qnm_screen_vms, "1 VMs", "1 VMs", QNM_ACT_GO_VMS },
	{ &qnm_screen_networks, "2 Networks", "2 Nets", QNM_ACT_GO_NETWORKS },
	{ &qnm_screen_forwards, "3 Forwards", "3 Fwds", QNM_ACT_GO_FORWARDS },
	{ &qnm_screen_traffic, "4 Traffic", "4 Traffic", QNM_ACT_GO_TRAFFIC },
	{ &qnm_screen_modes, "5 Modes", "5 Modes", QNM_ACT_GO_MODES },
	{ &qnm_screen_messages, "6 Messages", "6 Msgs", QNM_ACT_GO_MESSAGES },
	{ &qnm_screen_doctor, "7 Diagnostics", "7 Doctor", QNM_ACT_GO_DOCTOR },
	{ &qnm_screen_ports, "8 Ports", "8 Ports", QNM_ACT_GO_PORTS },
	{ &qnm_screen_hosts, "9 Hosts", "9 Hosts", QNM_ACT_GO_HOSTS },
};

/* The signal handlers' only link to the loop: the write end of the self-pipe. */
static volatile sig_atomic_t sig_fd = -1;
static bool curses_active;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (sig_fd >= 0)
		(void)!write(sig_fd, &b, 1);
	errno = saved;
}

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = false;
		endwin();
	}
}

static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int qnm_ui_set_theme(struct qnm_ui *ui, const char *name)
{
	struct qnm_theme t;
	struct qnm_err err;
	int r;

	qnm_err_clear(&err);
	qnm_theme_init_builtin(&t);
	r = qnm_theme_load(name, &t, &err);
	if (r) {
		qnm_ui_log(ui, QNM_MSG_ERROR, "%s", err.msg);
		return r;
	}
	qnm_theme_clear(&ui->theme);
	ui->theme = t;
	if (curses_active)
		qnm_colors_apply(ui);
	qnm_ui_log(ui, QNM_MSG_INFO, "theme '%s' (%s)", ui->theme.name, ui->theme.path);
	ui->redraw = true;
	return 0;
}

/* The theme picker ("settings"): every theme found, the current one selected. */
static void theme_picked(struct qnm_ui *ui, void *data, int index)
{
	char **names = data;

	if (index >= 0 && names[index])
		qnm_ui_set_theme(ui, names[index]);
	qnm_theme_dirs_free(names);
}

static void pick_theme(struct qnm_ui *ui)
{
	char **dirs = qnm_theme_dirs();
	char **names = qnm_theme_list((const char *const *)dirs);
	size_t i, n = 0;
	int cur = 0;

	while (names[n])
		n++;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], ui->theme.name) == 0)
			cur = (int)i;
	if (n)
		qnm_pick(ui, "Colour theme (yours in $XDG_CONFIG_HOME/qnm/themes)",
			 (const char *const *)names, NULL, n, cur, theme_picked, names);
	else
		qnm_theme_dirs_free(names);
	qnm_theme_dirs_free(dirs);
}

/* ---- drawing the frame around the screens ---- */

static enum qnm_screen_id top_id(const struct qnm_ui *ui)
{
	return ui->stack[ui->depth - 1].ops->id;
}

/* columns of tab @i: its label after a space (and one after it unless @tight), a gap after it (@gap) */
static int tab_width(size_t i, bool brief, bool gap, bool tight)
{
	return qnm_text_width(brief ? tabs[i].brief : tabs[i].tab) + (tight ? 1 : 2) +
	       (gap ? 1 : 0);
}

/*
 * The tab bar: the full labels when they fit, else without the gaps, else
 * the brief labels, else those with one space each. That takes 75 columns,
 * so every tab shows at the minimum of 80 (tests/sh/ui-doctor.sh and
 * ui-80cols.sh check it): a new tab must keep it so.
 */
static void draw_tabs(struct qnm_ui *ui)
{
	static const struct {
		bool brief, gap, tight;
	} styles[] = { { false, true, false },
		       { false, false, false },
		       { true, true, false },
		       { true, false, false },
		       { true, false, true } };
	const struct qnm_screen_ops *base = ui->stack[0].ops;
	const int lead = 5; /* " qnm " */
	size_t i, st;
	int x = 0, w;

	for (st = 0; st + 1 < QNM_ARRAY_SIZE(styles); st++) {
		for (i = 0, w = lead; i < QNM_ARRAY_SIZE(tabs); i++)
			w += tab_width(i, styles[st].brief, styles[st].gap, styles[st].tight);
		if (w <= ui->cols)
			break;
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_TITLE);
	qnm_fill(stdscr, 0, 0, ui->cols);
	x += qnm_put(stdscr, 0, x, ui->cols - x, " qnm ");
	for (i = 0; i < QNM_ARRAY_SIZE(tabs) && x < ui->cols; i++) {
		qnm_set_role(ui, stdscr, tabs[i].ops == base ? QNM_ROLE_SELECTION : QNM_ROLE_TITLE);
		x += qnm_putf(stdscr, 0, x, ui->cols - x, styles[st].tight ? " %s" : " %s ",
			      styles[st].brief ? tabs[i].brief : tabs[i].tab);
		qnm_set_role(ui, stdscr, QNM_ROLE_TITLE);
		if (styles[st].gap && x < ui->cols)
			x += qnm_put(stdscr, 0, x, 1, " ");
	}
	if (ui->depth > 1 && top_id(ui) != QNM_SCR_DIALOG) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s %s ", ui->g->arrow, qnm_screen_name(top_id(ui)));
		w = qnm_text_width(buf);
		if (x + w <= ui->cols)
			qnm_put(stdscr, 0, ui->cols - w, w, buf);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static void draw_status(struct qnm_ui *ui)
{
	int y = ui->rows - 2, x = 0;

	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
	qnm_fill(stdscr, y, 0, ui->cols);
	if (ui->jobs > 0) {
		qnm_set_role(ui, stdscr, QNM_ROLE_ACCENT);
		x += qnm_putf(stdscr, y, 0, ui->cols, "%s working (%d) ",
			      ui->g->spinner[ui->spin % 4], ui->jobs);
	}
	if (ui->nlog) {
		const struct qnm_msg *m = &ui->log[ui->nlog - 1];
		static const enum qnm_role roles[] = { QNM_ROLE_NORMAL, QNM_ROLE_OK,
						       QNM_ROLE_WARNING, QNM_ROLE_ERROR };

		/* too long for the line: cut it where it says so, and where to read it all */
		static const char more[] = " ...(more: 6)";
		int room = ui->cols - x;

		qnm_set_role(ui, stdscr, roles[m->level]);
		if (qnm_text_width(m->text) <= room || room < 2 * (int)sizeof(more)) {
			qnm_put(stdscr, y, x, room, m->text);
		} else {
			x += qnm_put(stdscr, y, x, room - (int)sizeof(more) + 1, m->text);
			qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
			qnm_put(stdscr, y, x, (int)sizeof(more) - 1, more);
		}
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

/* Help and Quit always show, at the right; the screen's own keys fill the rest. */
static bool footer_fixed(const struct qnm_binding *b)
{
	return b->action == QNM_ACT_HELP || b->action == QNM_ACT_QUIT;
}

static int footer_item(struct qnm_ui *ui, int y, int x, const struct qnm_binding *b, bool draw)
{
	char kn[16];
	int w;

	qnm_key_name(b->keys[0], kn, sizeof(kn));
	w = qnm_text_width(kn) + qnm_text_width(b->label) + 2;
	if (!draw)
		return w;
	qnm_set_role(ui, stdscr, QNM_ROLE_FOOTER_KEY);
	qnm_put(stdscr, y, x, ui->cols - x, kn);
	qnm_set_role(ui, stdscr, QNM_ROLE_FOOTER);
	qnm_putf(stdscr, y, x + qnm_text_width(kn), ui->cols - x - qnm_text_width(kn), " %s ",
		 b->label);
	return w;
}

static void draw_footer(struct qnm_ui *ui)
{
	enum qnm_screen_id id = top_id(ui);
	const struct qnm_binding *t;
	size_t n, i;
	int y = ui->rows - 1, x = 0, right = 0, rx;

	t = qnm_keys_table(&n);
	qnm_set_role(ui, stdscr, QNM_ROLE_FOOTER);
	qnm_fill(stdscr, y, 0, ui->cols);
	for (i = 0; i < n; i++)
		if (t[i].label && (t[i].screens & QNM_SCR_BIT(id)) && footer_fixed(&t[i]))
			right += footer_item(ui, y, 0, &t[i], false);
	rx = ui->cols - right;
	for (i = 0; i < n; i++) {
		if (!t[i].label || !(t[i].screens & QNM_SCR_BIT(id)))
			continue;
		if (footer_fixed(&t[i])) {
			rx += footer_item(ui, y, rx, &t[i], true);
			continue;
		}
		if (x + footer_item(ui, y, x, &t[i], false) > ui->cols - right)
			continue; /* does not fit: F1 help lists it */
		x += footer_item(ui, y, x, &t[i], true);
	}
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static void draw_too_small(struct qnm_ui *ui)
{
	struct qnm_rect r = { 0, 0, ui->rows, ui->cols };
	char buf[256];

	erase();
	qnm_set_role(ui, stdscr, QNM_ROLE_ERROR);
	snprintf(
		buf, sizeof(buf),
		"Terminal too small: %dx%d. qnm needs at least %dx%d. Enlarge the window, or press q to quit.",
		ui->cols, ui->rows, QNM_UI_MIN_COLS, QNM_UI_MIN_ROWS);
	qnm_wrap(stdscr, &r, 0, buf);
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static void draw(struct qnm_ui *ui)
{
	struct qnm_rect body = qnm_ui_body(ui);
	int i, base;

	ui->redraw = false;
	if (ui->too_small) {
		draw_too_small(ui);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	erase();
	curs_set(0);
	/* Draw from the last full screen up through the overlays on top of it. */
	for (base = ui->depth - 1; base > 0 && ui->stack[base].ops->overlay; base--)
		;
	draw_tabs(ui);
	draw_status(ui);
	draw_footer(ui);
	for (i = base; i < ui->depth; i++) {
		qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
		ui->stack[i].ops->draw(ui, ui->stack[i].st, &body);
	}
	wnoutrefresh(stdscr);
	update_panels();
	doupdate();
}

/* ---- input ---- */

static void check_size(struct qnm_ui *ui)
{
	struct qnm_rect body;
	int i;

	getmaxyx(stdscr, ui->rows, ui->cols);
	ui->too_small = ui->rows < QNM_UI_MIN_ROWS || ui->cols < QNM_UI_MIN_COLS;
	body = qnm_ui_body(ui);
	for (i = 0; i < ui->depth; i++)
		if (ui->stack[i].ops->resize)
			ui->stack[i].ops->resize(ui, ui->stack[i].st, &body);
	ui->redraw = true;
}

static void handle_resize_signal(struct qnm_ui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	check_size(ui);
}

static void global_action(struct qnm_ui *ui, enum qnm_action act)
{
	size_t i;

	switch (act) {
	case QNM_ACT_QUIT:
		ui->quit = true;
		return;
	case QNM_ACT_HELP:
		if (top_id(ui) != QNM_SCR_HELP) {
			enum qnm_screen_id from = top_id(ui);

			qnm_ui_push(ui, &qnm_screen_help, &from); /* copied by help's init */
		}
		return;
	case QNM_ACT_BACK:
		qnm_ui_pop(ui);
		return;
	case QNM_ACT_THEME:
		pick_theme(ui);
		return;
	case QNM_ACT_NEXT_SCREEN:
		for (i = 0; i < QNM_ARRAY_SIZE(tabs); i++)
			if (tabs[i].ops == ui->stack[0].ops)
				break;
		qnm_ui_switch(ui, tabs[(i + 1) % QNM_ARRAY_SIZE(tabs)].ops);
		return;
	default:
		break;
	}
	for (i = 0; i < QNM_ARRAY_SIZE(tabs); i++)
		if (tabs[i].go == act)
			qnm_ui_switch(ui, tabs[i].ops);
}

static void handle_key(struct qnm_ui *ui, int key)
{
	struct qnm_stack_entry *e;
	enum qnm_action act;
	unsigned r;

	if (key == QNM_KEY_FN + KEY_RESIZE) {
		check_size(ui);
		return;
	}
	if (ui->too_small) {
		if (key == 'q' || key == QNM_KEY_FN + KEY_F(10) || key == 3)
			ui->quit = true;
		return;
	}
	e = &ui->stack[ui->depth - 1];
	act = qnm_keys_lookup(e->ops->id, key);
	r = e->ops->key(ui, e->st, act, key);
	if (r & QNM_H_REDRAW)
		ui->redraw = true;
	if (r & QNM_H_QUIT)
		ui->quit = true;
	if (r & QNM_H_CLOSE) {
		/* the screen may have pushed another one: close the one that asked */
		int i;

		for (i = ui->depth - 1; i > 0; i--) {
			if (ui->stack[i].st == e->st) {
				struct qnm_stack_entry closing = ui->stack[i];

				memmove(&ui->stack[i], &ui->stack[i + 1],
					(size_t)(ui->depth - i - 1) * sizeof(ui->stack[0]));
				ui->depth--;
				closing.ops->free(closing.st);
				break;
			}
		}
		ui->redraw = true;
	}
	if (r & QNM_H_HANDLED)
		return;
	global_action(ui, act);
	ui->redraw = true;
}

/*
 * Home and End as the common terminals send them (xterm, rxvt, screen/tmux,
 * linux), taught to curses where the terminfo entry of TERM lacks them (End
 * is ESC [ 4 ~ under tmux even when TERM says xterm-256color).
 */
static void define_home_end(void)
{
	static const struct {
		const char *seq;
		int key;
	} keys[] = {
		{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME }, { "\033[H", KEY_HOME },
		{ "\033OH", KEY_HOME },	 { "\033[4~", KEY_END },  { "\033[8~", KEY_END },
		{ "\033[F", KEY_END },	 { "\033OF", KEY_END },
	};
	size_t i;

	for (i = 0; i < QNM_ARRAY_SIZE(keys); i++)
		if (key_defined(keys[i].seq) == 0)
			define_key(keys[i].seq, keys[i].key);
}

/*
 * After an Esc: is it the start of a key's escape sequence curses does not
 * know (ESC [ ... or ESC O x: the terminal is not the one TERM names)? Then
 * the whole sequence is read and dropped, rather than taken as Esc (closing
 * a screen) followed by '[', '4' (a jump to screen 4) and '~'. Any other key
 * after Esc is put back.
 * Return: true when a sequence was dropped.
 */
static bool drop_unknown_sequence(struct qnm_ui *ui)
{
	static bool told;
	char seq[20];
	size_t n = 0;
	wint_t c;
	int r = get_wch(&c);

	if (r == ERR)
		return false;
	if (r != OK || (c != '[' && c != 'O')) {
		if (r == KEY_CODE_YES)
			ungetch((int)c);
		else
			unget_wch((wchar_t)c);
		return false;
	}
	seq[n++] = (char)c;
	/* CSI: parameter and intermediate bytes, then one final byte; SS3: one byte */
	while (n < sizeof(seq) - 1 && get_wch(&c) == OK) {
		seq[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		if (c < 0x20 || c > 0x3f || seq[0] == 'O')
			break;
	}
	seq[n] = '\0';
	if (!told) {
		told = true;
		qnm_ui_log(
			ui, QNM_MSG_WARN,
			"ignored a key the terminal sent as ESC %s, which TERM=%s does not list: "
			"set TERM to match the terminal (arrows, F-keys and vi keys still work)",
			seq, getenv("TERM") ? getenv("TERM") : "(unset)");
	}
	return true;
}

static void read_keys(struct qnm_ui *ui)
{
	wint_t wc;
	int r;

	while ((r = get_wch(&wc)) != ERR) {
		if (r == OK && wc == 27 && drop_unknown_sequence(ui))
			continue;
		handle_key(ui, r == KEY_CODE_YES ? QNM_KEY_FN + (int)wc : (int)wc);
		if (ui->quit)
			return;
		/*
		 * Lay the screen out before the next key: a form opens its text
		 * editor where the active field is drawn, so typed-ahead keys
		 * land in the right field.
		 */
		if (ui->redraw)
			draw(ui);
	}
}

static void tick(struct qnm_ui *ui)
{
	int i;

	if (ui->jobs > 0) {
		ui->spin++;
		ui->redraw = true;
	}
	/* guests' states and the sampler, once per refresh interval */
	if (qnm_guests_tick(ui))
		ui->redraw = true;
	/* the registered hosts, each in its own background round */
	if (qnm_remotes_tick(ui))
		ui->redraw = true;
	for (i = 0; i < ui->depth; i++)
		if (ui->stack[i].ops->tick && ui->stack[i].ops->tick(ui, ui->stack[i].st))
			ui->redraw = true;
}

static void handle_signals(struct qnm_ui *ui)
{
	unsigned char buf[32];
	ssize_t n, i;

	while ((n = read(ui->sig_pipe[0], buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			switch (buf[i]) {
			case SIGWINCH:
				handle_resize_signal(ui);
				break;
			case SIGTERM:
			case SIGHUP:
			case SIGINT:
				ui->quit = true;
				break;
			case SIGCHLD:
				/* a guest or helper changed state: let screens refresh */
				tick(ui);
				break;
			default:
				break;
			}
		}
	}
}

/* Screens' descriptors into @pfd (from index 3); the stack index of each into @owner. */
static int screen_fds(struct qnm_ui *ui, struct pollfd *pfd, int *owner)
{
	int i, n = 0;

	for (i = 0; i < ui->depth; i++) {
		int fd = ui->stack[i].ops->io_fd ? ui->stack[i].ops->io_fd(ui->stack[i].st) : -1;

		if (fd < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
		owner[n++] = i;
	}
	return n;
}

/* Screen descriptors that polled ready: let their screens read. */
static void screen_io(struct qnm_ui *ui, const struct pollfd *pfd, const int *owner, int n)
{
	void *st[QNM_STACK_MAX];
	bool ready = false, changed = false;
	long now, gap;
	int k;

	/* a screen's io may close screens: look each up by its state again */
	for (k = 0; k < n; k++)
		st[k] = ui->stack[owner[k]].st;
	for (k = 0; k < n; k++) {
		int i;

		if (!pfd[k].revents)
			continue;
		for (i = 0; i < ui->depth && ui->stack[i].st != st[k]; i++)
			;
		/* gone (closed by a key read in the same round), or no longer this descriptor */
		if (i == ui->depth || !ui->stack[i].ops->io ||
		    ui->stack[i].ops->io_fd(st[k]) != pfd[k].fd)
			continue;
		if (ui->stack[i].ops->io(ui, st[k]) & QNM_H_REDRAW)
			changed = true;
		ready = true;
	}
	now = (long)qnm_mono_ms_int();
	if (ready)
		ui->io_rest_until = now + QNM_IO_REST_MS;
	if (!changed || ui->io_dirty)
		return;
	/* the next frame: soon after a pause, later while the stream goes on */
	if (now - ui->io_last_draw > 2 * QNM_IO_FRAME_MAX_MS)
		ui->io_streak = 0;
	gap = QNM_IO_FRAME_MS << (ui->io_streak < 3 ? ui->io_streak : 3);
	if (gap > QNM_IO_FRAME_MAX_MS)
		gap = QNM_IO_FRAME_MAX_MS;
	ui->io_dirty = true;
	ui->io_draw_at = ui->io_last_draw + gap;
}

/* The frame screens' reads asked for, when its time has come. */
static void screen_io_frame(struct qnm_ui *ui)
{
	long now = (long)qnm_mono_ms_int();

	if (!ui->io_dirty || now < ui->io_draw_at)
		return;
	ui->io_dirty = false;
	ui->io_last_draw = now;
	ui->io_streak++;
	ui->redraw = true;
}

static int main_loop(struct qnm_ui *ui)
{
	long next_tick = (long)qnm_mono_ms_int() + ui->interval_ms;

	while (!ui->quit) {
		struct pollfd pfd[3 + QNM_STACK_MAX] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = ui->sig_pipe[0], .events = POLLIN },
			{ .fd = ui->job_pipe[0], .events = POLLIN },
		};
		int owner[QNM_STACK_MAX], nio = 0;
		long now, wait;
		int interval = ui->jobs > 0 ? 150 : ui->interval_ms;

		screen_io_frame(ui);
		if (ui->redraw) {
			draw(ui);
			ui->io_dirty = false; /* the frame showed what reads changed */
		}
		now = (long)qnm_mono_ms_int();
		if (next_tick > now + interval)
			next_tick = now + interval;
		wait = next_tick - now;
		if (ui->io_dirty && ui->io_draw_at - now < wait)
			wait = ui->io_draw_at - now;
		if (now >= ui->io_rest_until)
			nio = screen_fds(ui, pfd + 3, owner);
		else if (ui->io_rest_until - now < wait)
			wait = ui->io_rest_until - now;
		if (wait < 0)
			wait = 0;
		if (poll(pfd, (nfds_t)3 + (nfds_t)nio, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[1].revents)
			handle_signals(ui);
		if (pfd[2].revents)
			qnm_ui_jobs_collect(ui);
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return -EIO; /* the terminal went away */
		if (pfd[0].revents & POLLIN) {
			read_keys(ui);
			/* the answer to a key: at once */
			ui->io_rest_until = 0;
			ui->io_last_draw = 0;
			ui->io_streak = 0;
		}
		if (nio && !ui->quit)
			screen_io(ui, pfd + 3, owner, nio);
		if ((long)qnm_mono_ms_int() >= next_tick) {
			tick(ui);
			next_tick = (long)qnm_mono_ms_int() + interval;
		}
	}
	return 0;
}

/* ---- setup ---- */

static void usage(FILE *f)
{
	fputs("usage: qnm [--theme NAME]\n\n"
	      "Start the text UI. NAME is a theme from $XDG_CONFIG_HOME/qnm/themes or the\n"
	      "installed themes (default, dark, light, high-contrast, mono), or a path to a\n"
	      ".theme file. NO_COLOR=1 turns colours off. Press F1 in the UI for help.\n",
	      f);
}

static int parse_args(int argc, char **argv, const char **theme)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--theme") == 0 && i + 1 < argc) {
			*theme = argv[++i];
		} else if (strncmp(argv[i], "--theme=", 8) == 0) {
			*theme = argv[i] + 8;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 1;
		} else {
			fprintf(stderr, "qnm: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

static void set_signals(void (*h)(int))
{
	static const int sigs[] = { SIGWINCH, SIGCHLD, SIGTERM, SIGHUP, SIGINT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < QNM_ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void ui_free(struct qnm_ui *ui)
{
	qnm_ui_pop_all(ui);
	qnm_catalog_free(ui->catalog);
	ui->catalog = NULL;
	qnm_guests_free(ui->guests);
	ui->guests = NULL;
	qnm_remotes_free(ui);
	qnm_ui_log_free(ui);
	qnm_theme_clear(&ui->theme);
	if (ui->sig_pipe[0] >= 0) {
		close(ui->sig_pipe[0]);
		close(ui->sig_pipe[1]);
	}
	if (ui->job_pipe[0] >= 0) {
		close(ui->job_pipe[0]);
		close(ui->job_pipe[1]);
	}
}

int qnm_ui_main(struct qnm_ctx *ctx, int argc, char **argv)
{
	const char *theme_name = NULL;
	char *theme_err = NULL;
	struct qnm_ui ui;
	struct qnm_err err;
	size_t i;
	int r;

	memset(&ui, 0, sizeof(ui));
	ui.ctx = ctx;
	ui.sig_pipe[0] = ui.sig_pipe[1] = ui.job_pipe[0] = ui.job_pipe[1] = -1;
	ui.interval_ms = 1000;
	qnm_theme_init_builtin(&ui.theme);
	qnm_err_clear(&err);

	r = parse_args(argc, argv, &theme_name);
	if (r)
		return r == 1 ? 0 : 2;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"qnm: the text UI needs a terminal (see qnm --help for commands)\n");
		return 1;
	}
	setlocale(LC_ALL, "");
	ui.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	ui.g = ui.utf8 ? &glyphs_utf8 : &glyphs_ascii;

	/* An explicit --theme must load, or we say why before touching the terminal. */
	if (theme_name) {
		r = qnm_theme_load(theme_name, &ui.theme, &err);
		if (r) {
			fprintf(stderr, "qnm: theme: %s\n", err.msg);
			return 1;
		}
	} else if (qnm_theme_load("default", &ui.theme, &err)) {
		theme_err = xstrdup(err.msg);
	}
	if (make_pipe(ui.sig_pipe) || make_pipe(ui.job_pipe)) {
		fprintf(stderr, "qnm: cannot create a pipe: %s\n", strerror(errno));
		ui_free(&ui);
		return 1;
	}
	sig_fd = ui.sig_pipe[1];
	set_signals(on_signal); /* before initscr: ncurses then leaves SIGWINCH to us */
	qnm_set_oom_hook(restore_terminal);
	atexit(restore_terminal);
	set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "qnm: cannot initialise the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		ui_free(&ui);
		return 1;
	}
	curses_active = true;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	define_home_end();
	nodelay(stdscr, TRUE);
	curs_set(0);
	qnm_colors_apply(&ui);
	qnm_ui_log(&ui, QNM_MSG_INFO, "theme '%s' (%s); terminal %s %dx%d, %s, %s line drawing",
		   ui.theme.name, ui.theme.path ? ui.theme.path : "no file", termname(), COLS,
		   LINES,
		   ui.color ? (COLORS >= 256  ? "256 colours"
			       : COLORS >= 16 ? "16 colours"
					      : "8 colours")
			    : (qnm_str_empty(getenv("NO_COLOR")) ? "no colours"
								 : "no colours (NO_COLOR)"),
		   ui.utf8 ? "Unicode" : "ASCII");
	if (theme_err) {
		qnm_ui_log(&ui, QNM_MSG_WARN, "%s; using the built-in monochrome look", theme_err);
		free(theme_err);
	}
	if (!ctx->loaded && qnm_ctx_load(ctx, &err))
		qnm_ui_log(&ui, QNM_MSG_ERROR, "cannot load the configuration: %s", err.msg);
	for (i = 0; i < ctx->problems.n; i++)
		qnm_ui_log(&ui, QNM_MSG_ERROR, "%s (file skipped, never overwritten)",
			   ctx->problems.v[i].msg);

	qnm_ui_switch(&ui, &qnm_screen_vms);
	if (ui.depth == 0) {
		restore_terminal();
		fprintf(stderr, "qnm: cannot open the VMs screen\n");
		ui_free(&ui);
		return 1;
	}
	qnm_guests_refresh(&ui);
	qnm_remotes_tick(&ui);
	check_size(&ui);
	r = main_loop(&ui);
	qnm_ui_jobs_wait(&ui);
	restore_terminal();
	qnm_ui_captures_stop_mine(&ui, stderr);
	set_signals(SIG_DFL);
	sig_fd = -1;
	qnm_set_oom_hook(NULL);
	ui_free(&ui);
	if (r) {
		fprintf(stderr, "qnm: %s\n", r == -EIO ? "the terminal went away" : strerror(-r));
		return 1;
	}
	return 0;
}
