/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serve.h - the engine API as JSON lines ("qnm serve --stdio"), what
 * another host's qnm reaches over ssh (remote.h).
 *
 * The protocol, one JSON object a line each way:
 *   server, first:  {"qnm": "VERSION", "protocol": QNM_PROTOCOL}
 *   client:         {"id": N, "op": "vm.list", "args": {...}}
 *   server:         {"id": N, "ok": true, "result": ...}
 *              or   {"id": N, "ok": false, "error": "the engine's message",
 *                    "errno": E, "field": "..."}
 * Ops (args, result):
 *   ping      -                      {"version", "protocol", "running": N}
 *   vm.list   -                      [{"name", "state", "qemu_pid", "memory_mb",
 *                                      "cpus", "autostart", "nics": ["label"],
 *                                      "forwards": ["tcp:127.0.0.1:8080-:80"]}]
 *   vm.start  {"name", "timeout"}    {"status", "qemu_pid", "elapsed_ms", "warnings"}
 *   vm.stop   {"name", "force", "timeout"}  {"how"}
 *   vm.get    {"name"}               {"text", "running"}: the VM as its file
 *                                      says it (core/config.h's keyfile text)
 *   vm.save   {"name", "old_name", "text", "base"}  {"name", "note", "live_error"}:
 *                                      the edited VM through qnm_api_vm_save() there
 *                                      (the whole model checked; all or nothing),
 *                                      then applied live; -ESTALE when the VM is
 *                                      no longer as "base" (vm.get's text) says
 *   fwd.add   {"name", "fwd", "nic"}  {"fwd", "live": "live"|"later"|"refused",
 *                                      "why"}: a hostfwd on the VM's user/slirp NIC
 *                                      (the first when no "nic"), live when it runs
 *   fwd.del   {"name", "fwd", "nic"}  the same; "fwd" may be its host side only
 *   net.list  -                      [{"name", "mode", "bridge", "address",
 *                                      "prefix", "up"}]
 *   stats     -                      [{"name", "vm", "nic", "network", "rx_bytes",
 *                                      "tx_bytes", "rx_rate", "tx_rate"}] (guest
 *                                      interfaces; rates from the previous call)
 *   vm.topology {"name"}             {"name", "state", "nics": [{"nic", "hops":
 *                                      [{"title", "detail", "live"}]}]}: the
 *                                      Modes screen's boxes (api/topo.h) of the
 *                                      VM's NICs, this host's links and counters
 *   cli       {"argv": ["list", ...]}  {"status", "stdout", "stderr"}: qnm's own
 *                                      command line run there (qnm -H NAME CMD)
 * The connection ends at end of input.
 */
#ifndef QNM_API_SERVE_H
#define QNM_API_SERVE_H

#include "core/context.h"

struct json_object;

/* the protocol's version: a client refuses a server that speaks another */
#define QNM_PROTOCOL 1

/**
 * qnm_api_serve() - answer requests read from @in_fd on @out_fd until end
 * of input (one request at a time, in order).
 * @ctx:    the context (the model is re-read from disk for each request).
 * @in_fd:  where requests come from.
 * @out_fd: where the handshake and the replies go (nothing else is written
 *          there).
 * @err:    why serving stopped early (the output could not be written).
 * Return: 0 at end of input, or -errno.
 */
int qnm_api_serve(struct qnm_ctx *ctx, int in_fd, int out_fd, struct qnm_err *err);

/**
 * qnm_api_serve_call() - run one op of the protocol here, as a request
 * would (for "this host" beside remote ones).
 * @ctx:    the context (model loaded).
 * @op:     the op's name.
 * @args:   its arguments (borrowed; NULL: none).
 * @result: on success its result (the caller owns it), else NULL.
 * @err:    the engine's message.
 * Return: 0 or -errno (-EOPNOTSUPP: no such op).
 */
int qnm_api_serve_call(struct qnm_ctx *ctx, const char *op, struct json_object *args,
		       struct json_object **result, struct qnm_err *err);

/**
 * qnm_api_vm_list_json() - the "vm.list" result for this host: every
 * configured VM with its run state.
 * @ctx: the context (model loaded).
 * Return: a new JSON array (the caller owns it).
 */
struct json_object *qnm_api_vm_list_json(const struct qnm_ctx *ctx);

#endif
