// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.c - the messages log: every action and error, newest on the status
 * line, all of them on the Messages screen.
 */
#include "build-config.h"

#include "uipriv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qnm_ui_log(struct qnm_ui *ui, enum qnm_msg_level level, const char *fmt, ...)
{
	struct qnm_msg *m;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (ui->nlog == QNM_LOG_MAX) {
		free(ui->log[0].text);
		memmove(ui->log, ui->log + 1, (ui->nlog - 1) * sizeof(*ui->log));
		ui->nlog--;
		if (ui->log_seen)
			ui->log_seen--;
	}
	if (!ui->log)
		ui->log = xcalloc(QNM_LOG_MAX, sizeof(*ui->log));
	m = &ui->log[ui->nlog++];
	m->when = time(NULL);
	m->level = level;
	m->text = text;
	ui->redraw = true;
}

void qnm_ui_log_lines(struct qnm_ui *ui, enum qnm_msg_level level, const char *prefix,
		      const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		qnm_ui_log(ui, level, "%s: %.*s", prefix, len, p);
		p += len + (nl ? 1 : 0);
	}
}

void qnm_ui_log_free(struct qnm_ui *ui)
{
	size_t i;

	for (i = 0; i < ui->nlog; i++)
		free(ui->log[i].text);
	free(ui->log);
	ui->log = NULL;
	ui->nlog = 0;
}
