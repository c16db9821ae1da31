/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uipriv.h - what the UI's files share: the UI state, the screen
 * interface, drawing helpers, the messages log, background jobs.
 *
 * Layout of the terminal (rows):
 *   0        tab bar: screens and the current one
 *   1..H-3   the body, drawn by the top screen
 *   H-2      status line: last message, spinner of running jobs
 *   H-1      footer: key hints of the current screen (from keys.c)
 */
#ifndef QNM_UI_UIPRIV_H
#define QNM_UI_UIPRIV_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/context.h"
#include "keys.h"
#include "api/stats.h" /* qnm_fmt_bytes(), qnm_fmt_rate() */
#include "theme.h"
#include "core/util.h"

#define QNM_UI_MIN_COLS 80
#define QNM_UI_MIN_ROWS 24

struct qnm_ui;

/* Results of a screen's key handler (bits, like htop's HandlerResult). */
#define QNM_H_IGNORED 0u
#define QNM_H_HANDLED 1u /* the key was used */
#define QNM_H_REDRAW  2u /* draw the screen again */
#define QNM_H_QUIT    4u /* leave qnm */
#define QNM_H_CLOSE   8u /* pop this screen off the stack */

/** struct qnm_rect - a part of the terminal a screen draws in. */
struct qnm_rect {
	int y, x, h, w;
};

/**
 * struct qnm_screen_ops - one screen (one file per screen).
 * @id:      the screen's id (keys.h), selects its key bindings.
 * @overlay: draws over the screen below it (dialogs).
 * @init:    make the state; @arg is screen-specific (e.g. a VM name).
 *           Return NULL to refuse opening (having logged why).
 * @free:    free the state.
 * @draw:    draw into @r of stdscr (or a panel for overlays).
 * @key:     handle @key, whose meaning in the key table is @act;
 *           return QNM_H_* bits.
 * @resize:  the terminal changed size (optional; draw is called after).
 * @tick:    the refresh timer fired (optional); return true to redraw.
 * @io_fd:   a descriptor the main loop polls for reading for this screen
 *           while it is on the stack (optional; -1: none now).
 * @io:      @io_fd is readable or hung up; return QNM_H_REDRAW when the
 *           screen changed. A stream arriving byte by byte is read in
 *           batches and drawn at a few frames a second: after a read the
 *           loop leaves the descriptors alone for QNM_IO_REST_MS (short: a
 *           writer of one byte at a time fills a socket's buffer with a few
 *           hundred bytes, and a longer rest would slow the guest down), and
 *           what they change is drawn QNM_IO_FRAME_MS after the last such
 *           frame, the gap doubling while the stream goes on up to
 *           QNM_IO_FRAME_MAX_MS. Idle costs nothing; a key ends the rest
 *           and the gap, so what answers it (a guest's echo) shows at once.
 */
struct qnm_screen_ops {
	enum qnm_screen_id id;
	bool overlay;
	void *(*init)(struct qnm_ui *ui, void *arg);
	void (*free)(void *st);
	void (*draw)(struct qnm_ui *ui, void *st, const struct qnm_rect *r);
	unsigned (*key)(struct qnm_ui *ui, void *st, enum qnm_action act, int key);
	void (*resize)(struct qnm_ui *ui, void *st, const struct qnm_rect *r);
	bool (*tick)(struct qnm_ui *ui, void *st);
	int (*io_fd)(void *st);
	unsigned (*io)(struct qnm_ui *ui, void *st);
};

#define QNM_IO_REST_MS	    10
#define QNM_IO_FRAME_MS	    50
#define QNM_IO_FRAME_MAX_MS 400

extern const struct qnm_screen_ops qnm_screen_vms;
extern const struct qnm_screen_ops qnm_screen_vmform;
extern const struct qnm_screen_ops qnm_screen_nicform;
extern const struct qnm_screen_ops qnm_screen_networks;
extern const struct qnm_screen_ops qnm_screen_netform;
extern const struct qnm_screen_ops qnm_screen_forwards;
extern const struct qnm_screen_ops qnm_screen_fwdform;
extern const struct qnm_screen_ops qnm_screen_traffic;
extern const struct qnm_screen_ops qnm_screen_preview;
extern const struct qnm_screen_ops qnm_screen_modes;
extern const struct qnm_screen_ops qnm_screen_help;
extern const struct qnm_screen_ops qnm_screen_messages;
extern const struct qnm_screen_ops qnm_screen_doctor;
extern const struct qnm_screen_ops qnm_screen_ports;
extern const struct qnm_screen_ops qnm_screen_dialog;
extern const struct qnm_screen_ops qnm_screen_conns;
extern const struct qnm_screen_ops qnm_screen_capform;
extern const struct qnm_screen_ops qnm_screen_console;
extern const struct qnm_screen_ops qnm_screen_hosts;

/**
 * struct qnm_console_arg - what the console screen opens.
 * @host: a registered host's name, or NULL for this host.
 * @vm:   the VM.
 */
struct qnm_console_arg {
	const char *host;
	const char *vm;
};

/** enum qnm_msg_level - severity of a log line. */
enum qnm_msg_level {
	QNM_MSG_INFO,
	QNM_MSG_OK,
	QNM_MSG_WARN,
	QNM_MSG_ERROR,
};

/** struct qnm_msg - one line of the messages log. */
struct qnm_msg {
	time_t when;
	enum qnm_msg_level level;
	char *text;
};

#define QNM_LOG_MAX 500

/** struct qnm_glyphs - line drawing, Unicode or ASCII. */
struct qnm_glyphs {
	const char *hline, *vline, *tl, *tr, *bl, *br, *arrow, *sep, *bullet;
	const char *const *spark; /* 9 levels: empty .. full */
	const char *spinner[4];
};

struct qnm_stack_entry {
	const struct qnm_screen_ops *ops;
	void *st;
};

#define QNM_STACK_MAX 16

/**
 * struct qnm_ui - the UI's state, one per process.
 * @ctx:        the engine context (model, paths).
 * @theme:      the loaded theme.
 * @attr:       curses attributes per role, computed from @theme.
 * @color:      colours are in use (false: mono/NO_COLOR).
 * @utf8:       the locale is UTF-8: Unicode line drawing.
 * @g:          glyphs in use.
 * @rows:       terminal height.
 * @cols:       terminal width.
 * @too_small:  below QNM_UI_MIN_COLS x QNM_UI_MIN_ROWS.
 * @stack:      screens, [0] the top-level one, [@depth-1] the active one.
 * @depth:      how many.
 * @log:        messages, oldest first, @nlog of them.
 * @log_seen:   count of messages already shown on the Messages screen.
 * @redraw:     the screen must be drawn again.
 * @quit:       leave the main loop.
 * @interval_ms: refresh timer period (Traffic screen adjusts it).
 * @jobs:       background jobs running (spinner when > 0).
 * @spin:       spinner frame.
 * @job_pipe:   worker threads write a byte here when a job is done.
 * @sig_pipe:   signal handlers write the signal number here.
 * @done:       finished jobs waiting for their callback (guarded).
 * @catalog:    NIC device models of one QEMU target, or NULL (loaded in
 *              the background: it may run QEMU).
 * @catalog_loading: a catalog job is running.
 * @guests:     run states and live counters of the guests (guests.h).
 * @io_rest_until: monotonic ms until which screens' @io_fd are not polled
 *              (the rest after a read, see struct qnm_screen_ops).
 * @io_dirty:   screens' reads changed what they show: draw at @io_draw_at.
 * @io_draw_at: monotonic ms of the next frame for @io_dirty.
 * @io_last_draw: monotonic ms of the last such frame.
 * @io_streak:  such frames in a row, each within twice its gap of the last.
 * @quiet_jobs: background jobs that turn no spinner (hosts asked every
 *              second, remotes.h).
 * @remotes:    the registered hosts' VMs, networks and counters (remotes.h).
 */
struct qnm_ui {
	struct qnm_ctx *ctx;
	struct qnm_theme theme;
	attr_t attr[QNM_ROLE__COUNT];
	short pair[QNM_ROLE__COUNT];
	bool color;
	bool utf8;
	const struct qnm_glyphs *g;
	int rows, cols;
	bool too_small;
	struct qnm_stack_entry stack[QNM_STACK_MAX];
	int depth;
	struct qnm_msg *log;
	size_t nlog;
	size_t log_seen;
	bool redraw;
	bool quit;
	int interval_ms;
	int jobs;
	unsigned spin;
	int job_pipe[2];
	int sig_pipe[2];
	struct qnm_job *done;
	struct qnm_catalog *catalog;
	bool catalog_loading;
	struct qnm_guests *guests;
	long io_rest_until;
	long io_draw_at;
	long io_last_draw;
	int io_streak;
	bool io_dirty;
	int quiet_jobs;
	struct qnm_remotes *remotes;
};

/* ---- ui.c ---- */

/**
 * qnm_ui_push() - open screen @ops on top of the current one.
 * @arg: passed to its init().
 * Return: 0, or -1 when init() refused (it logged why) or the stack is full.
 */
int qnm_ui_push(struct qnm_ui *ui, const struct qnm_screen_ops *ops, void *arg);

/** qnm_ui_pop() - close the top screen (never the last one). */
void qnm_ui_pop(struct qnm_ui *ui);

/** qnm_ui_pop_all() - close every screen (leaving the UI). */
void qnm_ui_pop_all(struct qnm_ui *ui);

/** qnm_ui_switch() - replace the whole stack with top-level screen @ops. */
void qnm_ui_switch(struct qnm_ui *ui, const struct qnm_screen_ops *ops);

/** qnm_ui_top() - the state of the active screen if it is @ops, else NULL. */
void *qnm_ui_find(struct qnm_ui *ui, const struct qnm_screen_ops *ops);

/** qnm_ui_body() - the rectangle screens draw in. */
struct qnm_rect qnm_ui_body(const struct qnm_ui *ui);

/** qnm_ui_set_theme() - load theme @name and recompute colours; logs errors. */
int qnm_ui_set_theme(struct qnm_ui *ui, const char *name);

/* ---- log.c ---- */

/** qnm_ui_log() - append a message to the log (shown on the status line). */
void qnm_ui_log(struct qnm_ui *ui, enum qnm_msg_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** qnm_ui_log_lines() - one message per line of @text, each led by "@prefix: ". */
void qnm_ui_log_lines(struct qnm_ui *ui, enum qnm_msg_level level, const char *prefix,
		      const char *text);
void qnm_ui_log_free(struct qnm_ui *ui);

/* ---- job.c: background work, results back through the poll loop ---- */

/**
 * qnm_ui_job() - run @work(@data, &err) in a worker thread; when it returns,
 * @done(@ui, @data, result, &err) runs on the main loop (the spinner turns
 * meanwhile). @work must not touch curses or the UI state.
 * Return: 0 or -errno (thread could not start: nothing ran).
 */
int qnm_ui_job(struct qnm_ui *ui, int (*work)(void *data, struct qnm_err *err),
	       void (*done)(struct qnm_ui *ui, void *data, int result, const struct qnm_err *err),
	       void *data);
/**
 * qnm_ui_job_quiet() - qnm_ui_job() for work repeated in the background
 * (a host asked every second): no spinner, no redraw unless @done asks.
 */
int qnm_ui_job_quiet(struct qnm_ui *ui, int (*work)(void *data, struct qnm_err *err),
		     void (*done)(struct qnm_ui *ui, void *data, int result,
				  const struct qnm_err *err),
		     void *data);
/** qnm_ui_jobs_collect() - run the callbacks of finished jobs (main loop). */
void qnm_ui_jobs_collect(struct qnm_ui *ui);
/** qnm_ui_jobs_wait() - wait for all jobs (at exit). */
void qnm_ui_jobs_wait(struct qnm_ui *ui);

/**
 * qnm_ui_catalog() - the device catalog of @arch if it is loaded; else NULL
 * and a background load is started (@ready(ui) runs when it is there).
 */
struct qnm_catalog *qnm_ui_catalog(struct qnm_ui *ui, const char *arch,
				   void (*ready)(struct qnm_ui *ui));

/* ---- draw.c ---- */

/** qnm_attr() - the curses attributes of @role. */
attr_t qnm_attr(const struct qnm_ui *ui, enum qnm_role role);
/** qnm_set_role() - use @role for what stdscr draws next. */
void qnm_set_role(struct qnm_ui *ui, WINDOW *w, enum qnm_role role);
/**
 * qnm_put() - draw UTF-8 @s at (@y, @x) clipped to @maxw columns.
 * Return: columns used.
 */
int qnm_put(WINDOW *w, int y, int x, int maxw, const char *s);
/** qnm_putf() - qnm_put() of a printf result. */
/**
 * qnm_put_cut() - @s in @maxw columns at (@y, @x), its last column '~' when
 * it was cut: a cut address, port or name must not read as another one.
 */
void qnm_put_cut(WINDOW *w, int y, int x, int maxw, const char *s);
/**
 * qnm_fit_path() - @path in at most @cols bytes into @buf: whole when it
 * fits, else its start and its file name with "..." between them
 * ("/var/tmp/.../demo-n0.pcap"), else "..." and the end of the file name.
 */
void qnm_fit_path(const char *path, int cols, char *buf, size_t size);
int qnm_putf(WINDOW *w, int y, int x, int maxw, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/** qnm_fill() - @n spaces at (@y, @x) in the current attributes. */
void qnm_fill(WINDOW *w, int y, int x, int n);
/**
 * qnm_draw_more() - "(more: PgUp)" at the top right of @r when @top > 0 and
 * "(more: PgDn)" at its bottom right when text of @total lines goes on below.
 */
void qnm_draw_more(struct qnm_ui *ui, const struct qnm_rect *r, int top, int total);
/** qnm_hline() - a horizontal line of @n columns. */
void qnm_hline(struct qnm_ui *ui, WINDOW *w, int y, int x, int n);
/** qnm_box() - a frame around @r with an optional @title. */
void qnm_box(struct qnm_ui *ui, WINDOW *w, const struct qnm_rect *r, const char *title);
/** qnm_text_width() - display columns of UTF-8 @s. */
int qnm_text_width(const char *s);
/**
 * qnm_wrap() - draw @s word-wrapped inside @r starting at line @skip.
 * Return: lines the whole text needs.
 */
int qnm_wrap(WINDOW *w, const struct qnm_rect *r, int skip, const char *s);
/**
 * qnm_sparkline() - draw @n samples (oldest first) scaled to @max as one
 * row of block glyphs at (@y, @x), @w columns (the newest at the right).
 */
void qnm_sparkline(struct qnm_ui *ui, WINDOW *w, int y, int x, int width, const double *v, size_t n,
		   double max);
/** qnm_colors_apply() - compute @ui->attr from @ui->theme for this terminal. */
void qnm_colors_apply(struct qnm_ui *ui);

/* ---- list helpers (list.c) ---- */

/**
 * struct qnm_list - cursor, scrolling and filter of a list screen.
 * @sel:      selected index into the filtered rows.
 * @top:      first visible row.
 * @n:        rows after filtering.
 * @filter:   the filter text ("" = none).
 * @editing:  the filter is being typed.
 */
struct qnm_list {
	int sel, top, n;
	char filter[64];
	bool editing;
};

/** qnm_list_key() - move the cursor / edit the filter; QNM_H_* bits. */
unsigned qnm_list_key(struct qnm_list *l, enum qnm_action act, int key, int page);
/** qnm_list_fix() - clamp @sel and scroll so it is visible in @page rows. */
void qnm_list_fix(struct qnm_list *l, int page);
/** qnm_list_match() - @s contains the filter (case-insensitive). */
bool qnm_list_match(const struct qnm_list *l, const char *s);
/**
 * qnm_list_draw_scroll() - when @l has more rows than its @page shows, say
 * which at the right end of the @w columns at (@y, @x): " 1-10 of 19 v "
 * (v: more below, ^: more above). Return: the columns used (0: all shown).
 */
int qnm_list_draw_scroll(struct qnm_ui *ui, const struct qnm_list *l, int page, int y, int x,
			 int w);
/** qnm_list_draw_filter() - the filter line at (@y, @x) when set or editing. */
void qnm_list_draw_filter(struct qnm_ui *ui, const struct qnm_list *l, int y, int x, int w);

/* ---- dialog.c ---- */

/** qnm_confirm() - ask yes/no; @cb(ui, data, yes) runs with the answer. */
void qnm_confirm(struct qnm_ui *ui, const char *title, const char *text,
		 void (*cb)(struct qnm_ui *ui, void *data, bool yes), void *data);
/**
 * qnm_pick() - choose one of @n @items (copied) in a menu; @cb(ui, data,
 * index) runs with the choice, or index -1 when cancelled.
 * @descr: optional second column per item (copied), or NULL.
 * @cur:   initially selected index.
 */
void qnm_pick(struct qnm_ui *ui, const char *title, const char *const *items,
	      const char *const *descr, size_t n, int cur,
	      void (*cb)(struct qnm_ui *ui, void *data, int index), void *data);
/**
 * qnm_ask() - ask for a line of text; @cb(ui, data, text) runs with it, or
 * with NULL when cancelled.
 */
void qnm_ask(struct qnm_ui *ui, const char *title, const char *prompt, const char *initial,
	     void (*cb)(struct qnm_ui *ui, void *data, const char *text), void *data);
/**
 * qnm_keep_or_revert() - "Keep these network settings? Reverting in N s"
 * after @text, counting down to @deadline; only K keeps. @cb(ui, data, keep)
 * runs once: true for K, false for Esc or when the deadline passes (the box
 * then says the settings revert, until closed).
 */
void qnm_keep_or_revert(struct qnm_ui *ui, const char *title, const char *text, time_t deadline,
			void (*cb)(struct qnm_ui *ui, void *data, bool keep), void *data);
/** qnm_message_box() - show @text until a key is pressed. */
void qnm_message_box(struct qnm_ui *ui, const char *title, const char *text);

/* ---- packet captures (screen-capture.c) ---- */

struct qnm_guest_cap;

/**
 * qnm_ui_capture() - the capture key on VM @vm: the capture form when it has
 * no capture, else a menu to stop one (or remove an orphaned one) or start
 * another. Warns when @vm is not running.
 */
void qnm_ui_capture(struct qnm_ui *ui, const char *vm);
/**
 * qnm_ui_cap_describe() - one line about capture @gc into @buf: its owner
 * when it is not this qnm (another qnm's pid, or ORPHANED), then
 * "[VM/]NIC -> FILE, SIZE" (@with_vm: with the VM's name).
 */
void qnm_ui_cap_describe(const struct qnm_guest_cap *gc, bool with_vm, int cols, char *buf,
			 size_t size);
/**
 * qnm_ui_captures_stop_mine() - stop every capture this process started
 * (at quit: nobody would stop them otherwise); one line per capture to
 * @report.
 */
void qnm_ui_captures_stop_mine(struct qnm_ui *ui, FILE *report);

#endif
