/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remote.h - another host's engine, reached over ssh: the system's ssh
 * (argv only, no local shell; BatchMode, one multiplexed connection per
 * host under $XDG_RUNTIME_DIR/qnm/.ssh/, the user's own keys and
 * known_hosts) runs "qnm serve --stdio" there (serve.h), whose handshake
 * is checked at connect. Every wait has a deadline: a host that does not
 * answer is an error after it, never a hang.
 */
#ifndef QNM_API_REMOTE_H
#define QNM_API_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "api/hosts.h"
#include "core/context.h"
#include "core/util.h"

struct json_object;

/* how long a host may take to connect and answer a quick request (ms) */
#define QNM_HOST_TIMEOUT_MS 3000

/** struct qnm_remote - one connection to a host's qnm (opaque). */
struct qnm_remote;

/**
 * qnm_api_remote_open() - connect to @h and check its handshake.
 * @ctx:        the context (its runtime dir holds the ssh control sockets).
 * @h:          the host.
 * @timeout_ms: how long connecting and the handshake may take.
 * @out:        the connection on success (close with qnm_api_remote_close()).
 * @err:        "host NAME (DEST): ..." with ssh's own words, or the versions
 *              when the host speaks another protocol.
 * Return: 0, -ETIMEDOUT, -EHOSTUNREACH (ssh failed), -EPROTO (no or another
 * protocol there) or -errno.
 */
int qnm_api_remote_open(const struct qnm_ctx *ctx, const struct qnm_host *h, int timeout_ms,
			struct qnm_remote **out, struct qnm_err *err);

/**
 * qnm_api_remote_call() - one request and its reply.
 * @r:          the connection.
 * @op:         the op ("vm.list", serve.h).
 * @args:       its arguments (taken over; NULL: none).
 * @timeout_ms: how long the reply may take (-1: no limit).
 * @result:     on success, the result (the caller owns it).
 * @err:        the remote engine's message, or why no reply came.
 * After a timeout or a broken connection, later calls fail at once.
 * Return: 0 or -errno (the remote's errno for its own errors).
 */
int qnm_api_remote_call(struct qnm_remote *r, const char *op, struct json_object *args,
			int timeout_ms, struct json_object **result, struct qnm_err *err);

/** qnm_api_remote_version() - the qnm version the host announced. */
const char *qnm_api_remote_version(const struct qnm_remote *r);

/** qnm_api_remote_close() - end the connection (NULL: nothing). */
void qnm_api_remote_close(struct qnm_remote *r);

/**
 * qnm_api_remote_disconnect() - close @h's multiplexed ssh connection, if
 * one stays open ("ssh -O exit"; waits up to 2 s).
 * @ctx: the context (runtime dir).
 * @h:   the host.
 */
void qnm_api_remote_disconnect(const struct qnm_ctx *ctx, const struct qnm_host *h);

/**
 * qnm_api_remote_cli() - "qnm -H NAME CMD ...": run qnm's command line on
 * host @name and copy what it printed to @out and @errout.
 * @ctx:    the context (the hosts file).
 * @name:   the registered host.
 * @argc:   words of the command line (@argv[0] is the command).
 * @argv:   see @argc.
 * @out:    where its standard output goes.
 * @errout: where its standard error goes.
 * @status: its exit status.
 * @err:    why it could not be run there.
 * Return: 0 (the command ran; see @status) or -errno.
 */
int qnm_api_remote_cli(const struct qnm_ctx *ctx, const char *name, int argc, char **argv,
		       FILE *out, FILE *errout, int *status, struct qnm_err *err);

/**
 * qnm_api_remote_spawn() - run "QNM ARGV..." on host @h over its
 * multiplexed ssh connection with the given descriptors (no handshake: the
 * caller checked the versions, or runs a command whose own output tells).
 * @ctx:    the context (runtime dir: the control socket).
 * @h:      the host.
 * @argc:   words of qnm's command line there.
 * @argv:   see @argc (each quoted for the remote's shell where it needs it).
 * @tty:    ask for a terminal there (ssh -tt): what is interactive on a
 *          terminal (qnm console) is interactive over it.
 * @in_fd:  ssh's stdin (-1: /dev/null).
 * @out_fd: its stdout (-1: /dev/null).
 * @err_fd: its stderr (-1: /dev/null).
 * @pid:    set to ssh's pid (the caller reaps it).
 * @err:    why ssh could not be run.
 * Return: 0 or -errno.
 */
int qnm_api_remote_spawn(const struct qnm_ctx *ctx, const struct qnm_host *h, int argc,
			 char *const *argv, bool tty, int in_fd, int out_fd, int err_fd, pid_t *pid,
			 struct qnm_err *err);

/**
 * struct qnm_remote_cmd - the ssh command line of qnm_api_remote_command().
 * @ssh:  ssh's path.
 * @argv: its argv, NULL-terminated (@argv.v).
 */
struct qnm_remote_cmd {
	char *ssh;
	struct qnm_strv argv;
};

/**
 * qnm_api_remote_command() - "qnm -H NAME CMD ..." for what streams
 * (console, --follow, --watch): the versions are checked, then the ssh
 * command line that runs CMD there (over the same multiplexed connection)
 * with the caller's stdin, stdout and stderr; the caller executes it in
 * place of itself, so a signal to it reaches ssh and ends the command there.
 * @ctx:  the context (the hosts file).
 * @name: the registered host.
 * @argc: words of the command line.
 * @argv: see @argc.
 * @tty:  the user is at a terminal: the command gets one there (ssh -tt).
 * @out:  the command line (free with qnm_api_remote_command_free()).
 * @err:  why it cannot be run there.
 * Return: 0 or -errno.
 */
int qnm_api_remote_command(const struct qnm_ctx *ctx, const char *name, int argc, char **argv,
			   bool tty, struct qnm_remote_cmd *out, struct qnm_err *err);

/** qnm_api_remote_command_free() - free what qnm_api_remote_command() filled. */
void qnm_api_remote_command_free(struct qnm_remote_cmd *c);

/**
 * struct qnm_host_answer - one host's answer to a request sent to all.
 * @host:    the host's name ("local" for this one).
 * @version: the qnm version it announced.
 * @r:       0, or why it did not answer (-errno, @err).
 * @err:     see @r.
 * @result:  the op's result when @r is 0 (owned by the answer).
 * @ms:      how long it took (connect and reply).
 */
struct qnm_host_answer {
	char host[QNM_NAME_MAX + 1];
	char version[32];
	int r;
	struct qnm_err err;
	struct json_object *result;
	double ms;
};

/**
 * qnm_api_hosts_call_all() - send @op to this host and every registered
 * host at once; each has @timeout_ms, so one that does not answer delays
 * nothing else and is reported when its time is up.
 * @ctx:        the context (model loaded: this host answers from it).
 * @op:         "vm.list", "net.list", "ping" (this host answers these
 *              itself, without ssh).
 * @timeout_ms: each host's deadline (connect and reply).
 * @out:        this host first, then the others by name; free with
 *              qnm_api_host_answers_free().
 * @n:          how many.
 * @err:        why the hosts file could not be read.
 * Return: 0 (each answer says how it went) or -errno.
 */
int qnm_api_hosts_call_all(struct qnm_ctx *ctx, const char *op, int timeout_ms,
			   struct qnm_host_answer **out, size_t *n, struct qnm_err *err);

/** qnm_api_host_answers_free() - free what qnm_api_hosts_call_all() returned. */
void qnm_api_host_answers_free(struct qnm_host_answer *v, size_t n);

#endif
