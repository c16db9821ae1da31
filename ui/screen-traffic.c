// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen-traffic.c - live counters of every interface.
 *
 * The counters come from the engine's link statistics (src/links.h, over
 * libnl-route), which has not landed in this build: the screen says so
 * instead of showing made-up numbers.
 */
#include "build-config.h"

#include "uipriv.h"

#include <stdlib.h>

static void *traffic_init(struct qnm_ui *ui, void *arg)
{
	return xcalloc(1, 1);
}

static void traffic_free(void *st)
{
	free(st);
}

static void traffic_draw(struct qnm_ui *ui, void *st, const struct qnm_rect *r)
{
	struct qnm_rect t = { r->y + 2, r->x + 2, r->h - 3, r->w - 4 };

	qnm_set_role(ui, stdscr, QNM_ROLE_HEADER);
	qnm_fill(stdscr, r->y, r->x, r->w);
	qnm_putf(stdscr, r->y, r->x, r->w, " %-15s %10s %10s %9s %9s  %s", "INTERFACE", "RX/s",
		 "TX/s", "RX total", "TX total", "HISTORY");
	qnm_set_role(ui, stdscr, QNM_ROLE_WARNING);
	qnm_wrap(stdscr, &t, 0,
		 "Traffic counters are not available in this build: they come from the engine's "
		 "link statistics (libnl-route), which has not been merged yet. Nothing is shown "
		 "rather than made-up numbers.");
	qnm_set_role(ui, stdscr, QNM_ROLE_NORMAL);
}

static unsigned traffic_key(struct qnm_ui *ui, void *st, enum qnm_action act, int key)
{
	return QNM_H_IGNORED;
}

const struct qnm_screen_ops qnm_screen_traffic = {
	.id = QNM_SCR_TRAFFIC,
	.init = traffic_init,
	.free = traffic_free,
	.draw = traffic_draw,
	.key = traffic_key,
};
