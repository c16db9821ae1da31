/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sampler.h - live counters of every host link and of every interface that
 * belongs to a guest, turned into rates and short histories.
 *
 * One struct qnm_sampler owns one struct qnm_links (links.h). Each call of
 * qnm_sampler_tick() reads every counter once: all links with one netlink
 * stats dump, and the slirp helper of every slirp NIC of every running VM
 * over its control socket (slirpctl.h, short timeout). Each interface is an
 * entry (struct qnm_sample) with its role, the VM / NIC / network it
 * belongs to, its counters, per-second rates computed from a monotonic
 * clock, and a ring of the last QNM_SAMPLER_HISTORY rates.
 *
 * Views. Every entry's @stats are the host's view, the end of the wire
 * that the host owns: for a link exactly what the kernel counts ("ip -s
 * link"), for a slirp NIC the helper's end (rx = frames from the guest).
 * For a guest's TAP the kernel's rx is what the guest transmitted, so the
 * entries that face a guest (role tap or slirp; qnm_if_role_guest_facing())
 * also have a guest view: the same counters with every rx/tx pair swapped
 * (qnm_stat_flip(), qnm_sample_stat()), i.e. what "ip -s link" inside the
 * guest would show (for a TAP: minus what QEMU drops on its side).
 *
 * Rates. A rate needs two readings of the same incarnation of a counter
 * source. There is no rate (rate_valid false, rates 0) after the first
 * reading, after a reading that was unavailable, when a link's ifindex
 * changed (interface re-created under the same name), and when any counter
 * went backwards (re-created, reset or a new slirp helper); such a reading
 * counts as a reset and starts a new baseline. So a rate is never negative
 * and never the size of a whole counter.
 *
 * History. One value per tick and series (rx/tx bytes/s, rx/tx packets/s,
 * host view), oldest first, at most QNM_SAMPLER_HISTORY; a tick without a
 * valid rate records 0. The first reading of a new entry records nothing.
 *
 * Totals (qnm_sample_total()). Summing every interface would count a frame
 * several times: a frame from a guest into its bridge is counted by the
 * TAP (a port) and, when it is for the host, by the bridge device too; a
 * frame forwarded between two ports is counted by both ports but not by
 * the bridge. Every frame the bridge device sends or receives crosses one
 * of its ports, so the ports' counters already hold the bridge's traffic.
 * The rule: an entry is left out of a total when another entry of the same
 * selection names it as its master (a bridge, or a bond, with one of its
 * ports selected); a bridge with none of its ports selected is counted.
 * Unavailable entries are left out too (and counted as such). The guest
 * view of a total sums the guest view of the guest-facing entries only.
 *
 * From the UI: one sampler for the whole program (Traffic, VMs and topology
 * screens then show the same rates and histories), made with .model =
 * &ctx->model and .runtime_dir = ctx->paths.runtime_dir and ticked once
 * per timer tick. A screen walks @v (or qnm_sampler_find() by name or
 * "VM/NIC"), shows @rate / @stats (qnm_sample_stat() with guest=true for a
 * VM's own view), draws qnm_sample_history() as a sparkline, filters
 * "guests only" as role != QNM_IFROLE_HOST, and sums with
 * qnm_sample_total(). Costs measured with 2,001 links: about 9 ms per tick
 * including printing a table (qnm stats). A tick whose links and plan did
 * not change (no link event, no model or run-state change) looks no name
 * up: 0.25 ms of CPU for 2,001 entries, besides reading the counters
 * (links.h: ~2 ms for one dump of 2,001 veths, nearly all of it the
 * kernel's; nothing for links that are down).
 */
#ifndef QNM_SAMPLER_H
#define QNM_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/links.h"
#include "core/model.h"
#include "core/util.h"

struct qnm_slirpctl;

/* Samples kept per interface and series (2 minutes at one tick per second). */
#define QNM_SAMPLER_HISTORY 120
/* Default timeout of one slirp helper request during a tick, in ms. */
#define QNM_SAMPLER_SLIRP_TIMEOUT_MS 250
/* After a helper timed out, it is not asked again for this long, in ms. */
#define QNM_SAMPLER_SLIRP_BACKOFF_MS 5000
/* Longest entry name: "VM/NIC" for slirp NICs, else an interface name. */
#define QNM_SAMPLE_NAME_MAX (2 * QNM_NAME_MAX + 2)

/**
 * enum qnm_if_role - what an interface is to qnm (first match wins, in
 * this order: tap, slirp, bridge, uplink, port, host).
 * @QNM_IFROLE_HOST:   a host link the model does not name.
 * @QNM_IFROLE_TAP:    the TAP of a VM's tap NIC (its ifname, or
 *                     qnm_tap_default_ifname()), or the TAP
 *                     qemu-bridge-helper made for a running bridge NIC
 *                     (the port where the bridge's FDB saw the NIC's MAC).
 * @QNM_IFROLE_SLIRP:  a slirp NIC of a running VM (counted by its helper).
 * @QNM_IFROLE_BRIDGE: the bridge of a qnm network, or a host bridge that a
 *                     tap NIC (bridge=) or bridge-helper NIC (br=) joins.
 * @QNM_IFROLE_UPLINK: the uplink of a NAT network (named, or the default
 *                     route's interface when the network names none).
 * @QNM_IFROLE_PORT:   the physical port of a bridged network.
 * @QNM_IFROLE_SEGMENT: a private NIC of a running VM (counted by its
 *                     segment's switch, the backend's @nic_stats; named
 *                     "VM/NIC" like a slirp NIC).
 */
enum qnm_if_role {
	QNM_IFROLE_HOST,
	QNM_IFROLE_TAP,
	QNM_IFROLE_SLIRP,
	QNM_IFROLE_BRIDGE,
	QNM_IFROLE_UPLINK,
	QNM_IFROLE_PORT,
	QNM_IFROLE_SEGMENT,
	QNM_IFROLE__COUNT
};

/** qnm_if_role_name() - short name for JSON and tables: "host", "tap", "slirp", ... */
const char *qnm_if_role_name(enum qnm_if_role r);

/** qnm_if_role_label() - words for people: "host link", "guest TAP", "slirp NIC", ... */
const char *qnm_if_role_label(enum qnm_if_role r);

/** qnm_if_role_guest_facing() - true for roles whose other end is a guest (tap, slirp). */
bool qnm_if_role_guest_facing(enum qnm_if_role r);

/** enum qnm_hist_series - the series of the history ring (host view). */
enum qnm_hist_series {
	QNM_HIST_RX_BYTES,   /* rx bytes/s */
	QNM_HIST_TX_BYTES,   /* tx bytes/s */
	QNM_HIST_RX_PACKETS, /* rx packets/s */
	QNM_HIST_TX_PACKETS, /* tx packets/s */
	QNM_HIST__COUNT
};

/**
 * qnm_stat_flip() - the counter of the other direction: rx_bytes <->
 * tx_bytes, rx_packets <-> tx_packets, and so on (the guest view of a
 * counter of a guest-facing entry).
 */
enum qnm_link_stat qnm_stat_flip(enum qnm_link_stat s);

/**
 * struct qnm_sample - one interface as of the last tick.
 * @name:       the interface name; for a slirp NIC "VM/NIC".
 * @role:       see enum qnm_if_role.
 * @ifindex:    kernel index (0 for slirp NICs and absent TAPs).
 * @type:       link type as in struct qnm_link_info, "slirp" for slirp NICs.
 * @master:     name of the bridge (or bond) this link is a port of, or "".
 * @vm:         the VM it belongs to, "" when none (tap, slirp roles only).
 * @nic:        the NIC id in @vm, "" when none.
 * @network:    the qnm network (bridge, uplink, port roles, and tap NICs
 *              with network=), "" when none.
 * @up:         administratively up (links); for slirp NICs: QEMU connected.
 * @available:  the counters were read at the last tick. When false, @why
 *              says why (e.g. "slirp helper does not answer: ...", "TAP
 *              qt-web-0 does not exist"), and @stats keep their last values
 *              but must not be shown as current.
 * @why:        see @available; "" when available.
 * @stats:      host view counters, indexed by enum qnm_link_stat.
 * @rate:       per-second change of each of @stats since the previous
 *              reading (0 when !@rate_valid).
 * @rate_valid: @rate is a real rate (see "Rates" in the file comment).
 * @resets:     how many readings started a new baseline after a counter
 *              went backwards or the ifindex changed.
 * @interval:   seconds between the two readings behind @rate (0 if none).
 *
 * Other members (@seen, @started, @have_prev, @is_slirp, @hist*, @prev_t,
 * @ctl, @retry_at) are private to sampler.c (but qnm_sample_update() and
 * the history functions work on any zero-initialised struct, for tests;
 * qnm_sample_release() frees what they allocated). The history ring
 * (QNM_SAMPLER_HISTORY x QNM_HIST__COUNT floats, 1.9 KB) is allocated at
 * the first non-zero rate: until then every value of it is 0 and none is
 * stored (of 2,001 idle links, none has one).
 * The members every tick writes come first, so that a tick over thousands
 * of links touches few cache lines per entry.
 */
struct qnm_sample {
	/* what every tick writes, together (a tick walks thousands of entries) */
	bool seen;
	bool started;
	bool have_prev;
	bool rate_valid;
	bool available;
	bool is_slirp;
	enum qnm_if_role role;
	int ifindex;
	unsigned hist_head;
	unsigned hist_n;
	double prev_t;
	double interval;
	uint64_t stats[QNM_STAT__COUNT];
	double rate[QNM_STAT__COUNT];
	float (*hist)[QNM_HIST__COUNT];

	char name[QNM_SAMPLE_NAME_MAX + 1];
	char type[16];
	char master[QNM_IFNAME_MAX + 1];
	char vm[QNM_NAME_MAX + 1];
	char nic[QNM_NAME_MAX + 1];
	char network[QNM_NAME_MAX + 1];
	bool up;
	char why[192];
	unsigned long resets;
	struct qnm_slirpctl *ctl;
	double retry_at;
};

/**
 * qnm_sample_update() - feed one reading into @e: compute rates against the
 * previous reading and push one history value (the rate logic of the file
 * comment, without any I/O).
 * @e:       the entry (zero-initialised for a new one).
 * @stats:   the counters read now (host view), QNM_STAT__COUNT of them.
 * @ifindex: the source's identity: a link's ifindex (a change means the
 *           interface was re-created), 0 for slirp NICs.
 * @now:     monotonic time of the reading, in seconds.
 */
void qnm_sample_update(struct qnm_sample *e, const uint64_t *stats, int ifindex, double now);

/**
 * qnm_sample_unavailable() - record that @e could not be read now: no rate,
 * a 0 in the history (when the entry has one), @why kept for display, and
 * the next reading starts a new baseline.
 */
void qnm_sample_unavailable(struct qnm_sample *e, const char *why);

/** qnm_sample_release() - free the history of @e (it stays usable, as zeroed). */
void qnm_sample_release(struct qnm_sample *e);

/**
 * qnm_sample_stat() - a counter in the host view (@guest false) or the
 * guest view (@guest true: the flipped counter; only meaningful when
 * qnm_if_role_guest_facing(@e->role)).
 */
uint64_t qnm_sample_stat(const struct qnm_sample *e, enum qnm_link_stat s, bool guest);

/** qnm_sample_rate() - like qnm_sample_stat() for the per-second rate. */
double qnm_sample_rate(const struct qnm_sample *e, enum qnm_link_stat s, bool guest);

/**
 * qnm_sample_history() - copy a history series, oldest first.
 * @e:     the entry.
 * @which: the series (host view).
 * @guest: give the guest view: rx series become tx and the other way.
 * @out:   room for @max values; the newest @max are copied when there are more.
 * Return: how many values were written.
 */
size_t qnm_sample_history(const struct qnm_sample *e, enum qnm_hist_series which, bool guest,
			  double *out, size_t max);

/** qnm_sample_history_len() - how many values the history holds (<= QNM_SAMPLER_HISTORY). */
size_t qnm_sample_history_len(const struct qnm_sample *e);

/**
 * struct qnm_sample_total - the sum of a selection (the rule is in the file
 * comment).
 * @counted:       entries summed.
 * @skipped:       entries left out because a port of theirs is selected.
 * @unavailable:   entries left out because they could not be read.
 * @stats, @rate:  host view sums.
 * @rate_valid:    every counted entry had a valid rate.
 * @guest_counted: guest-facing entries summed into the guest view.
 * @guest_stats, @guest_rate: guest view sums over those.
 */
struct qnm_sample_total {
	size_t counted;
	size_t skipped;
	size_t unavailable;
	uint64_t stats[QNM_STAT__COUNT];
	double rate[QNM_STAT__COUNT];
	bool rate_valid;
	size_t guest_counted;
	uint64_t guest_stats[QNM_STAT__COUNT];
	double guest_rate[QNM_STAT__COUNT];
};

/**
 * qnm_sample_total() - sum the selection @sel of @n entries into @out by
 * the rule of the file comment.
 * @counted: when not NULL, room for @n flags: set to whether each entry
 *           was summed (so a table can mark the rows behind the total).
 */
void qnm_sample_total(const struct qnm_sample *const *sel, size_t n, struct qnm_sample_total *out,
		      bool *counted);

/**
 * struct qnm_sampler_opts - what the sampler maps and how.
 * @model:       the configured VMs and networks (borrowed; read at every
 *               tick, so edits are picked up; may be NULL: host links only).
 * @runtime_dir: qnm's runtime dir (paths.runtime_dir), to find running VMs
 *               and their slirp helpers; NULL: no slirp NICs.
 * @slirp_timeout_ms: per helper request (0: QNM_SAMPLER_SLIRP_TIMEOUT_MS).
 */
struct qnm_sampler_opts {
	const struct qnm_model *model;
	const char *runtime_dir;
	int slirp_timeout_ms;
};

/**
 * struct qnm_sampler - the sampler.
 * @v:      the entries, sorted by name (links first, then slirp NICs),
 *          @n of them. An entry (the pointer) stays valid as long as its
 *          interface exists: a tick removes (frees) the entries whose
 *          interface went away and may add new ones, so keep names, not
 *          indexes, across ticks, or look pointers up again after a tick.
 * @links:  the link view behind the entries (its @v is valid until the
 *          next tick); also usable for addresses, MACs and the like.
 * @ticks:  completed ticks.
 * @now:    monotonic time of the last tick, in seconds.
 *
 * Other members are private to sampler.c.
 */
struct qnm_sampler {
	struct qnm_sample **v;
	size_t n;
	struct qnm_links *links;
	unsigned long ticks;
	double now;

	/* private */
	size_t cap;
	struct qnm_sample **bylink;
	size_t nbylink;
	unsigned long bylink_fills;
	char *plan_key;
	const struct qnm_model *model;
	char *runtime_dir;
	int slirp_timeout_ms;
	char default_uplink[QNM_IFNAME_MAX + 1];
	unsigned long uplink_fills;
	double uplink_t;
	struct qnm_strv helper_taps; /* "VM/NIC", TAP name pairs (bridge helper) */
	double helper_t;	     /* when the FDB was last read for them */
};

/**
 * qnm_sampler_new() - open the link view; no reading yet (call
 * qnm_sampler_tick()).
 * @o:   options (copied, except the model, which is borrowed).
 * @out: the new sampler on success; free with qnm_sampler_free().
 * @err: why the link view could not be opened.
 * Needs no privilege. Return: 0 or -errno.
 */
int qnm_sampler_new(const struct qnm_sampler_opts *o, struct qnm_sampler **out,
		    struct qnm_err *err);

/** qnm_sampler_free() - close everything and free every entry (NULL is fine). */
void qnm_sampler_free(struct qnm_sampler *s);

/**
 * qnm_sampler_set_model() - map against @model from the next tick on
 * (borrowed; NULL: host links only).
 */
void qnm_sampler_set_model(struct qnm_sampler *s, const struct qnm_model *model);

/**
 * qnm_sampler_tick() - read every counter once, map every entry to its
 * role / VM / NIC / network, update rates and histories, drop the entries
 * that went away. A helper that does not answer makes its entry
 * unavailable, not the tick fail.
 * Return: 0, or -errno when the links could not be read (@err says why;
 * the entries keep their previous state).
 */
int qnm_sampler_tick(struct qnm_sampler *s, struct qnm_err *err);

/**
 * qnm_sampler_find() - the entry named @name ("VM/NIC" for slirp NICs).
 * Return: pointer valid until the tick that removes it, or NULL.
 */
struct qnm_sample *qnm_sampler_find(const struct qnm_sampler *s, const char *name);

/**
 * qnm_fmt_bytes() - "1.50 MiB" style (binary units); @buf >= 16 bytes.
 * Return: @buf.
 */
const char *qnm_fmt_bytes(uint64_t v, char *buf, size_t size);

/**
 * qnm_fmt_rate() - "12.3 KB/s" style (decimal units: 1 KB = 1000 B, bytes per second);
 * @buf >= 16 bytes. Return: @buf.
 */
const char *qnm_fmt_rate(double bps, char *buf, size_t size);

#endif
