// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach.c - `qnm console VM` on a terminal: the guest's serial console,
 * interactive (virsh console style). The terminal is in raw mode while
 * attached and restored on every way out: the escape key, the VM going
 * away, an error, SIGTERM, SIGHUP, SIGINT, SIGQUIT (signals only write to a
 * self-pipe; the loop restores and returns). SIGKILL cannot be caught:
 * after it, `stty sane` (or `reset`) restores the terminal.
 */
#include "build-config.h"

#include "api/console.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_KEY 0x1d /* Ctrl-] */

static int sig_fd = -1;

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int e = errno;

	if (sig_fd >= 0 && write(sig_fd, &b, 1) < 0) {
		/* the pipe is full: a signal is already pending */
	}
	errno = e;
}

static const int caught[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };

/* Catch @caught into the self-pipe (@on) or put back the saved handlers. */
static void signals(bool on, struct sigaction *saved)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < QNM_ARRAY_SIZE(caught); i++) {
		if (on)
			sigaction(caught[i], &sa, &saved[i]);
		else
			sigaction(caught[i], &saved[i], NULL);
	}
}

/* Write all of @buf to @fd; 0 or -errno. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/**
 * enum leave - why the attached loop ended.
 */
enum leave {
	LEAVE_ESCAPE,	/* the user pressed Ctrl-] */
	LEAVE_VM_GONE,	/* the console closed: the VM stopped */
	LEAVE_SIGNAL,	/* a caught signal */
	LEAVE_ERROR,	/* reading or writing failed */
	LEAVE_TERMINAL, /* the terminal went away */
};

/* Pass bytes both ways until one of enum leave happens; *@sig for LEAVE_SIGNAL. */
static enum leave relay(struct qnm_console *con, int sig_rd, int *sig, struct qnm_err *err)
{
	char buf[16384];

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = qnm_api_console_fd(con), .events = POLLIN },
			{ .fd = sig_rd, .events = POLLIN },
		};
		ssize_t n;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			qnm_err_set(err, -errno, "", "poll: %s", strerror(errno));
			return LEAVE_ERROR;
		}
		if (pfd[2].revents & POLLIN) {
			unsigned char b = 0;

			if (read(sig_rd, &b, 1) == 1)
				*sig = b;
			return LEAVE_SIGNAL;
		}
		if (pfd[1].revents) {
			n = qnm_api_console_read(con, buf, sizeof(buf));
			if (n == 0)
				return LEAVE_VM_GONE;
			if (n < 0 && n != -EAGAIN) {
				qnm_err_set(err, (int)n, "", "reading the console: %s",
					    strerror((int)-n));
				return LEAVE_ERROR;
			}
			/* the user asked for a terminal session: the guest's bytes as they are */
			if (n > 0 && write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				return LEAVE_TERMINAL;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char *esc;
			int r;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return LEAVE_TERMINAL;
			esc = memchr(buf, ESCAPE_KEY, (size_t)n);
			r = qnm_api_console_write(con, buf, esc ? (size_t)(esc - buf) : (size_t)n);
			if (r) {
				qnm_err_set(err, r, "", "writing to the console: %s", strerror(-r));
				return LEAVE_ERROR;
			}
			if (esc)
				return LEAVE_ESCAPE;
		}
	}
}

int qnm_cli_console_attach(struct qnm_ctx *ctx, const char *name)
{
	struct sigaction saved[QNM_ARRAY_SIZE(caught)];
	struct termios orig, raw;
	struct qnm_console *con;
	struct qnm_err err;
	enum leave why;
	int pipefd[2], sig = 0, r;

	qnm_err_clear(&err);
	r = qnm_api_console_attach(ctx, name, &con, &err);
	if (r)
		return qnm_cli_error(ctx, "console", &err);
	if (tcgetattr(STDIN_FILENO, &orig) < 0 || pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0) {
		qnm_err_set(&err, -errno, "", "cannot set up the terminal: %s", strerror(errno));
		qnm_api_console_detach(con);
		return qnm_cli_error(ctx, "console", &err);
	}
	sig_fd = pipefd[1];
	signals(true, saved);
	fprintf(ctx->out, "Connected to %s (escape character is ^])\n", name);
	fflush(ctx->out);
	raw = orig;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0) {
		qnm_err_set(&err, -errno, "", "cannot put the terminal in raw mode: %s",
			    strerror(errno));
		why = LEAVE_ERROR;
	} else {
		why = relay(con, pipefd[0], &sig, &err);
	}
	/* every way out passes here */
	tcsetattr(STDIN_FILENO, TCSADRAIN, &orig);
	signals(false, saved);
	sig_fd = -1;
	close(pipefd[0]);
	close(pipefd[1]);
	qnm_api_console_detach(con);
	fputc('\n', ctx->out);
	fflush(ctx->out);
	switch (why) {
	case LEAVE_ESCAPE:
		return 0;
	case LEAVE_VM_GONE:
		fprintf(ctx->errout, "qnm: console: %s stopped (its console closed)\n", name);
		return 0;
	case LEAVE_SIGNAL:
		fprintf(ctx->errout, "qnm: console: left on %s (terminal restored)\n",
			strsignal(sig));
		return 128 + sig;
	case LEAVE_TERMINAL:
		return 1;
	case LEAVE_ERROR:
	default:
		return qnm_cli_error(ctx, "console", &err);
	}
}
