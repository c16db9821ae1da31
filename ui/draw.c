// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * draw.c - drawing helpers: roles to curses attributes, clipped UTF-8
 * text, frames, word wrap and sparklines (human units: qnm_fmt_*() in sampler.h).
 */
#include "build-config.h"

#include "uipriv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

attr_t qnm_attr(const struct qnm_ui *ui, enum qnm_role role)
{
	return (unsigned)role < QNM_ROLE__COUNT ? ui->attr[role] : A_NORMAL;
}

void qnm_set_role(struct qnm_ui *ui, WINDOW *w, enum qnm_role role)
{
	wattrset(w, qnm_attr(ui, role));
}

static attr_t curses_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & QNM_ATTR_BOLD)
		r |= A_BOLD;
	if (a & QNM_ATTR_DIM)
		r |= A_DIM;
	if (a & QNM_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & QNM_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & QNM_ATTR_STANDOUT)
		r |= A_STANDOUT;
	if (a & QNM_ATTR_ITALIC)
		r |= A_ITALIC;
	if (a & QNM_ATTR_BLINK)
		r |= A_BLINK;
	return r;
}

/*
 * Fold a 256-colour index into what the terminal has. Returns the colour
 * and sets *bold when an 8-colour terminal needs bold for a bright colour.
 */
static short fold_colour(int c, bool *bold)
{
	int basic;

	if (c < 0)
		return -1;
	if (c < COLORS)
		return (short)c;
	if (c >= 232) {
		int level = c - 232;

		basic = level < 6 ? 0 : level < 12 ? 8 : level < 18 ? 7 : 15;
	} else if (c >= 16) {
		int v = c - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
		int hi = r > g ? (r > b ? r : b) : (g > b ? g : b);

		basic = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0);
		if (!basic && hi >= 2)
			basic = (r >= 2 ? 1 : 0) | (g >= 2 ? 2 : 0) | (b >= 2 ? 4 : 0);
		if (hi >= 5)
			basic += 8;
	} else {
		basic = c;
	}
	if (basic < COLORS)
		return (short)basic;
	if (basic >= 8 && bold)
		*bold = true;
	return (short)(basic % 8);
}

void qnm_colors_apply(struct qnm_ui *ui)
{
	const char *nc = getenv("NO_COLOR");
	size_t i;

	static bool started;

	ui->color = false;
	if (has_colors() && qnm_str_empty(nc)) {
		/* COLORS and COLOR_PAIRS are only known after start_color() */
		if (!started) {
			start_color();
			use_default_colors();
			started = true;
		}
		ui->color = COLORS >= 8 && COLOR_PAIRS > QNM_ROLE__COUNT;
	}
	for (i = 0; i < QNM_ROLE__COUNT; i++) {
		const struct qnm_style *s = &ui->theme.styles[i];
		unsigned mono = qnm_role_mono_attrs((enum qnm_role)i);

		if (!ui->color || !s->set) {
			/* No colours (or the theme left the role out): attributes only. */
			ui->attr[i] = curses_attrs(mono | (s->set ? s->attrs : 0));
			ui->pair[i] = 0;
			continue;
		}
		{
			bool bold = false;
			short fg = fold_colour(s->fg, &bold), bg = fold_colour(s->bg, NULL);

			init_pair((short)(i + 1), fg, bg);
			ui->pair[i] = (short)(i + 1);
			ui->attr[i] =
				COLOR_PAIR(i + 1) | curses_attrs(s->attrs) | (bold ? A_BOLD : 0);
		}
	}
	if (ui->color)
		bkgdset(' ' | ui->attr[QNM_ROLE_NORMAL]);
	else
		bkgdset(' ');
}

/* next_wc() - decode the character at @s (@n bytes left) into *@wc; a byte
 * that starts no valid character reads as '?'. Return: bytes used, 0 at a NUL. */
static size_t next_wc(const char *s, size_t n, mbstate_t *ps, wchar_t *wc)
{
	size_t k = mbrtowc(wc, s, n, ps);

	if (k == (size_t)-1 || k == (size_t)-2) {
		memset(ps, 0, sizeof(*ps));
		*wc = '?';
		return 1;
	}
	return k;
}

int qnm_text_width(const char *s)
{
	mbstate_t ps;
	size_t n = strlen(s);
	int w = 0;

	memset(&ps, 0, sizeof(ps));
	while (n) {
		wchar_t wc;
		size_t k = next_wc(s, n, &ps, &wc);
		int cw;

		if (k == 0)
			break;
		cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += k;
		n -= k;
	}
	return w;
}

int qnm_put(WINDOW *w, int y, int x, int maxw, const char *s)
{
	wchar_t buf[512];
	mbstate_t ps;
	size_t n = strlen(s), nb = 0;
	int used = 0;

	if (maxw <= 0)
		return 0;
	memset(&ps, 0, sizeof(ps));
	while (n && nb < QNM_ARRAY_SIZE(buf) - 1) {
		wchar_t wc;
		size_t k = next_wc(s, n, &ps, &wc);
		int cw;

		if (k == 0)
			break;
		if (wc < 32 || wc == 127)
			wc = ' ';
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 1, wc = '?';
		if (used + cw > maxw)
			break;
		buf[nb++] = wc;
		used += cw;
		s += k;
		n -= k;
	}
	buf[nb] = 0;
	mvwaddnwstr(w, y, x, buf, (int)nb);
	return used;
}

void qnm_put_cut(WINDOW *w, int y, int x, int maxw, const char *s)
{
	if (maxw <= 0)
		return;
	if (qnm_text_width(s) <= maxw) {
		qnm_put(w, y, x, maxw, s);
		return;
	}
	qnm_put(w, y, x, maxw - 1, s);
	mvwaddch(w, y, x + maxw - 1, '~');
}

void qnm_fit_path(const char *path, int cols, char *buf, size_t size)
{
	size_t len = strlen(path), room = cols > 3 ? (size_t)cols : 3;
	const char *base = strrchr(path, '/');
	size_t tail = base ? len - (size_t)(base - path) : len;

	if (len <= room) {
		snprintf(buf, size, "%s", path);
		return;
	}
	if (tail + 3 < room) /* the start that fits, "...", "/name" */
		snprintf(buf, size, "%.*s...%s", (int)(room - 3 - tail), path, path + len - tail);
	else
		snprintf(buf, size, "...%s", path + len - (room - 3));
}

int qnm_putf(WINDOW *w, int y, int x, int maxw, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return qnm_put(w, y, x, maxw, buf);
}

void qnm_fill(WINDOW *w, int y, int x, int n)
{
	if (n > 0)
		mvwhline(w, y, x, ' ', n);
}

void qnm_hline(struct qnm_ui *ui, WINDOW *w, int y, int x, int n)
{
	int i;

	for (i = 0; i < n; i++)
		qnm_put(w, y, x + i, 1, ui->g->hline);
}

void qnm_box(struct qnm_ui *ui, WINDOW *w, const struct qnm_rect *r, const char *title)
{
	int i;

	if (r->h < 2 || r->w < 2)
		return;
	qnm_put(w, r->y, r->x, 1, ui->g->tl);
	qnm_hline(ui, w, r->y, r->x + 1, r->w - 2);
	qnm_put(w, r->y, r->x + r->w - 1, 1, ui->g->tr);
	for (i = 1; i < r->h - 1; i++) {
		qnm_put(w, r->y + i, r->x, 1, ui->g->vline);
		qnm_put(w, r->y + i, r->x + r->w - 1, 1, ui->g->vline);
	}
	qnm_put(w, r->y + r->h - 1, r->x, 1, ui->g->bl);
	qnm_hline(ui, w, r->y + r->h - 1, r->x + 1, r->w - 2);
	qnm_put(w, r->y + r->h - 1, r->x + r->w - 1, 1, ui->g->br);
	if (title && *title)
		qnm_putf(w, r->y, r->x + 2, r->w - 4, " %s ", title);
}

int qnm_wrap(WINDOW *w, const struct qnm_rect *r, int skip, const char *s)
{
	int line = 0, col = 0;
	const char *p = s;

	while (*p) {
		const char *e = p;
		char word[256];
		int ww;
		size_t n;

		if (*p == '\n') {
			line++;
			col = 0;
			p++;
			continue;
		}
		while (*e && *e != ' ' && *e != '\n')
			e++;
		n = (size_t)(e - p) < sizeof(word) - 1 ? (size_t)(e - p) : sizeof(word) - 1;
		memcpy(word, p, n);
		word[n] = '\0';
		ww = qnm_text_width(word);
		if (col > 0 && col + 1 + ww > r->w) {
			line++;
			col = 0;
		} else if (col > 0) {
			col++;
		}
		if (w && line >= skip && line - skip < r->h)
			qnm_put(w, r->y + line - skip, r->x + col, r->w - col, word);
		col += ww;
		p = e;
		while (*p == ' ')
			p++;
	}
	return line + 1;
}

void qnm_sparkline(struct qnm_ui *ui, WINDOW *w, int y, int x, int width, const double *v, size_t n,
		   double max)
{
	int i;

	for (i = 0; i < width; i++) {
		/* column i shows sample n - width + i (the newest at the right) */
		long idx = (long)n - width + i;
		int level = 0;

		if (idx >= 0 && max > 0) {
			double f = v[idx] / max;

			level = f <= 0 ? 0 : (int)(f * 8 + 0.999);
			if (level > 8)
				level = 8;
			if (level < 1 && v[idx] > 0)
				level = 1;
		}
		qnm_put(w, y, x + i, 1, ui->g->spark[level]);
	}
}

void qnm_draw_more(struct qnm_ui *ui, const struct qnm_rect *r, int top, int total)
{
	qnm_set_role(ui, stdscr, QNM_ROLE_DIM);
	if (top > 0)
		qnm_put(stdscr, r->y, r->x + r->w - 14, 13, " (more: PgUp)");
	if (total - top > r->h)
		qnm_put(stdscr, r->y + r->h - 1, r->x + r->w - 14, 13, " (more: PgDn)");
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}
