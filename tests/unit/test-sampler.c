// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-sampler.c - the sampler's logic without a host change: rates from
 * readings, counter resets (backwards, re-created interface), unavailable
 * readings, the history ring and its guest view, the rx/tx flip, the
 * totals rule (a bridge is not counted with its ports), human units; and,
 * reading this namespace's links only, role mapping from a model, and slirp
 * NICs of a "running" VM whose helper answers, does not answer in time,
 * or is not there.
 */
#include "build-config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "guest/rundir.h"
#include "watch/sampler.h"
#include "guest/slirp-helper.h"
#include "guest/slirpctl.h"

static void set(uint64_t *v, uint64_t rxb, uint64_t txb, uint64_t rxp, uint64_t txp)
{
	memset(v, 0, QNM_STAT__COUNT * sizeof(*v));
	v[QNM_STAT_RX_BYTES] = rxb;
	v[QNM_STAT_TX_BYTES] = txb;
	v[QNM_STAT_RX_PACKETS] = rxp;
	v[QNM_STAT_TX_PACKETS] = txp;
}

static void test_rates(void **state)
{
	struct qnm_sample e = { 0 };
	uint64_t v[QNM_STAT__COUNT];
	double h[4];

	(void)state;
	set(v, 1000, 500, 10, 5);
	qnm_sample_update(&e, v, 7, 100.0);
	assert_true(e.available);
	assert_false(e.rate_valid); /* one reading: no rate */
	assert_true(e.rate[QNM_STAT_RX_BYTES] == 0);
	assert_int_equal(qnm_sample_history_len(&e), 0); /* first reading records nothing */

	set(v, 3000, 1500, 30, 6);
	qnm_sample_update(&e, v, 7, 102.0);
	assert_true(e.rate_valid);
	assert_true(e.rate[QNM_STAT_RX_BYTES] == 1000.0);
	assert_true(e.rate[QNM_STAT_TX_BYTES] == 500.0);
	assert_true(e.rate[QNM_STAT_RX_PACKETS] == 10.0);
	assert_true(e.rate[QNM_STAT_TX_PACKETS] == 0.5);
	assert_true(e.interval == 2.0);
	assert_int_equal(e.resets, 0);
	assert_int_equal(qnm_sample_history(&e, QNM_HIST_RX_BYTES, false, h, 4), 1);
	assert_true(h[0] == 1000.0);
	assert_int_equal(qnm_sample_history(&e, QNM_HIST_TX_PACKETS, false, h, 4), 1);
	assert_true(h[0] == 0.5);

	/* two readings at the same instant: no rate, no reset */
	qnm_sample_update(&e, v, 7, 102.0);
	assert_false(e.rate_valid);
	assert_int_equal(e.resets, 0);
	qnm_sample_release(&e);
}

static void test_reset_backwards(void **state)
{
	struct qnm_sample e = { 0 };
	uint64_t v[QNM_STAT__COUNT];
	double h[8];
	int k;

	(void)state;
	set(v, 1000000, 1000000, 1000, 1000);
	qnm_sample_update(&e, v, 3, 1.0);
	set(v, 2000000, 1500000, 2000, 1500);
	qnm_sample_update(&e, v, 3, 2.0);
	assert_true(e.rate_valid);
	/* the interface was re-created: counters start again from small values */
	set(v, 100, 2000000, 1, 2000);
	qnm_sample_update(&e, v, 3, 3.0);
	assert_false(e.rate_valid);
	for (k = 0; k < QNM_STAT__COUNT; k++)
		assert_true(e.rate[k] == 0); /* never negative, never huge */
	assert_int_equal(e.resets, 1);
	assert_true(e.stats[QNM_STAT_RX_BYTES] == 100); /* the new baseline */
	/* the next reading has a rate against the new baseline */
	set(v, 1100, 2000100, 2, 2001);
	qnm_sample_update(&e, v, 3, 4.0);
	assert_true(e.rate_valid);
	assert_true(e.rate[QNM_STAT_RX_BYTES] == 1000.0);
	assert_true(e.rate[QNM_STAT_TX_BYTES] == 100.0);
	/* history: 1000000, 0 (reset), 1000 */
	assert_int_equal(qnm_sample_history(&e, QNM_HIST_RX_BYTES, false, h, 8), 3);
	assert_true(h[0] == 1000000.0 && h[1] == 0 && h[2] == 1000.0);
	qnm_sample_release(&e);
}

static void test_reset_ifindex(void **state)
{
	struct qnm_sample e = { 0 };
	uint64_t v[QNM_STAT__COUNT];

	(void)state;
	set(v, 10, 10, 1, 1);
	qnm_sample_update(&e, v, 5, 1.0);
	/* same name, new ifindex, counters higher than before: still a reset */
	set(v, 900000000, 10, 9, 1);
	qnm_sample_update(&e, v, 6, 2.0);
	assert_false(e.rate_valid);
	assert_true(e.rate[QNM_STAT_RX_BYTES] == 0);
	assert_int_equal(e.resets, 1);
	assert_int_equal(e.ifindex, 6);
	set(v, 900000500, 10, 10, 1);
	qnm_sample_update(&e, v, 6, 3.0);
	assert_true(e.rate_valid);
	assert_true(e.rate[QNM_STAT_RX_BYTES] == 500.0);
	qnm_sample_release(&e);
}

static void test_unavailable(void **state)
{
	struct qnm_sample e = { 0 };
	uint64_t v[QNM_STAT__COUNT];
	double h[8];

	(void)state;
	set(v, 100, 100, 1, 1);
	qnm_sample_update(&e, v, 0, 1.0);
	set(v, 200, 100, 2, 1);
	qnm_sample_update(&e, v, 0, 2.0);
	qnm_sample_unavailable(&e, "slirp helper does not answer: timeout");
	assert_false(e.available);
	assert_false(e.rate_valid);
	assert_string_equal(e.why, "slirp helper does not answer: timeout");
	/* back: a new baseline (maybe a new helper), not a rate over the gap, not a reset */
	set(v, 50, 60, 1, 1);
	qnm_sample_update(&e, v, 0, 10.0);
	assert_true(e.available);
	assert_string_equal(e.why, "");
	assert_false(e.rate_valid);
	assert_int_equal(e.resets, 0);
	set(v, 150, 60, 2, 1);
	qnm_sample_update(&e, v, 0, 11.0);
	assert_true(e.rate_valid);
	assert_true(e.rate[QNM_STAT_RX_BYTES] == 100.0);
	/* history: 100, 0 (unavailable), 0 (baseline), 100 */
	assert_int_equal(qnm_sample_history(&e, QNM_HIST_RX_BYTES, false, h, 8), 4);
	assert_true(h[0] == 100 && h[1] == 0 && h[2] == 0 && h[3] == 100);

	/* unavailable from the start: no history value for the first event */
	struct qnm_sample f = { 0 };

	qnm_sample_unavailable(&f, "x");
	assert_int_equal(qnm_sample_history_len(&f), 0);
	qnm_sample_unavailable(&f, "x");
	assert_int_equal(qnm_sample_history_len(&f), 1);
	qnm_sample_release(&e);
	qnm_sample_release(&f);
}

/* An idle link stores no ring; its zeros read back, and the first traffic after them. */
static void test_history_lazy(void **state)
{
	struct qnm_sample e = { 0 };
	uint64_t v[QNM_STAT__COUNT];
	double h[8];
	int i;

	(void)state;
	set(v, 10, 10, 1, 1);
	for (i = 0; i < 4; i++)
		qnm_sample_update(&e, v, 2, (double)i);
	assert_int_equal(qnm_sample_history_len(&e), 3);
	assert_null(e.hist);
	assert_int_equal(qnm_sample_history(&e, QNM_HIST_RX_BYTES, false, h, 8), 3);
	assert_true(h[0] == 0 && h[1] == 0 && h[2] == 0);
	v[QNM_STAT_TX_PACKETS] += 3;
	qnm_sample_update(&e, v, 2, 4.0);
	assert_non_null(e.hist);
	assert_int_equal(qnm_sample_history(&e, QNM_HIST_TX_PACKETS, false, h, 8), 4);
	assert_true(h[0] == 0 && h[1] == 0 && h[2] == 0 && h[3] == 3);
	qnm_sample_release(&e);
	assert_null(e.hist);
}

static void test_history_ring(void **state)
{
	struct qnm_sample *e = calloc(1, sizeof(*e));
	uint64_t v[QNM_STAT__COUNT];
	double h[QNM_SAMPLER_HISTORY + 10];
	size_t n, i;

	(void)state;
	/* reading i at time i; rx grows by i*10 bytes per step: rate i*10 */
	set(v, 0, 0, 0, 0);
	qnm_sample_update(e, v, 1, 0.0);
	for (i = 1; i <= QNM_SAMPLER_HISTORY + 10; i++) {
		v[QNM_STAT_RX_BYTES] += i * 10;
		v[QNM_STAT_TX_BYTES] += 1;
		qnm_sample_update(e, v, 1, (double)i);
	}
	assert_int_equal(qnm_sample_history_len(e), QNM_SAMPLER_HISTORY);
	n = qnm_sample_history(e, QNM_HIST_RX_BYTES, false, h, QNM_ARRAY_SIZE(h));
	assert_int_equal(n, QNM_SAMPLER_HISTORY);
	for (i = 0; i < n; i++) /* oldest first: samples 11 .. 130 */
		assert_true(h[i] == (double)((i + 11) * 10));
	/* fewer asked: the newest ones */
	n = qnm_sample_history(e, QNM_HIST_RX_BYTES, false, h, 3);
	assert_int_equal(n, 3);
	assert_true(h[0] == 1280 && h[1] == 1290 && h[2] == 1300);
	/* guest view: rx series is the host tx */
	n = qnm_sample_history(e, QNM_HIST_RX_BYTES, true, h, 2);
	assert_int_equal(n, 2);
	assert_true(h[0] == 1 && h[1] == 1);
	n = qnm_sample_history(e, QNM_HIST_TX_BYTES, true, h, 1);
	assert_true(n == 1 && h[0] == 1300);
	qnm_sample_release(e);
	free(e);
}

static void test_flip(void **state)
{
	struct qnm_sample e = { 0 };
	uint64_t v[QNM_STAT__COUNT];
	int k;

	(void)state;
	for (k = 0; k < QNM_STAT__COUNT; k++) {
		assert_int_not_equal(qnm_stat_flip(k), k);
		assert_int_equal(qnm_stat_flip(qnm_stat_flip(k)), k);
		/* rx_X <-> tx_X */
		assert_string_equal(qnm_links_stat_name(k) + 2,
				    qnm_links_stat_name(qnm_stat_flip(k)) + 2);
	}
	for (k = 0; k < QNM_STAT__COUNT; k++)
		v[k] = 100 + (uint64_t)k;
	v[QNM_STAT_TX_DROPPED] = 7; /* e.g. frames the kernel could not queue to the guest */
	qnm_sample_update(&e, v, 1, 1.0);
	e.role = QNM_IFROLE_TAP;
	/* a TAP's kernel tx is the guest's rx */
	assert_true(qnm_sample_stat(&e, QNM_STAT_RX_BYTES, true) == v[QNM_STAT_TX_BYTES]);
	assert_true(qnm_sample_stat(&e, QNM_STAT_TX_PACKETS, true) == v[QNM_STAT_RX_PACKETS]);
	assert_true(qnm_sample_stat(&e, QNM_STAT_RX_DROPPED, true) == 7);
	assert_true(qnm_sample_stat(&e, QNM_STAT_RX_BYTES, false) == v[QNM_STAT_RX_BYTES]);
	assert_true(qnm_if_role_guest_facing(QNM_IFROLE_TAP));
	assert_true(qnm_if_role_guest_facing(QNM_IFROLE_SLIRP));
	assert_false(qnm_if_role_guest_facing(QNM_IFROLE_BRIDGE));
	assert_false(qnm_if_role_guest_facing(QNM_IFROLE_HOST));
	assert_false(qnm_if_role_guest_facing(QNM_IFROLE_UPLINK));
	assert_string_equal(qnm_if_role_name(QNM_IFROLE_UPLINK), "uplink");
	assert_string_equal(qnm_if_role_label(QNM_IFROLE_TAP), "guest TAP");
}

/* A link entry for the totals tests. */
static struct qnm_sample *mk(const char *name, const char *master, enum qnm_if_role role,
			     uint64_t rxb, uint64_t txb, double rxr, double txr)
{
	struct qnm_sample *e = calloc(1, sizeof(*e));
	uint64_t v[QNM_STAT__COUNT];

	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->master, sizeof(e->master), "%s", master);
	e->role = role;
	set(v, rxb, txb, 1, 1);
	qnm_sample_update(e, v, 1, 1.0);
	e->rate[QNM_STAT_RX_BYTES] = rxr;
	e->rate[QNM_STAT_TX_BYTES] = txr;
	e->rate_valid = true;
	return e;
}

static void test_totals(void **state)
{
	/*
	 * A guest sends 1000 bytes to the host through tap0 (port of br0): tap0
	 * rx 1000, br0 rx 1000. The host sends 300 to a container on veth0
	 * (other port of br0): br0 tx 300, veth0 tx 300. tap0 -> veth0 forwarded
	 * frames: 50 (tap0 rx, veth0 tx, not on br0). eth0: unrelated host link.
	 */
	struct qnm_sample *br = mk("br0", "", QNM_IFROLE_BRIDGE, 1000, 300, 10, 3);
	struct qnm_sample *tap = mk("tap0", "br0", QNM_IFROLE_TAP, 1050, 0, 10.5, 0);
	struct qnm_sample *veth = mk("veth0", "br0", QNM_IFROLE_HOST, 0, 350, 0, 3.5);
	struct qnm_sample *eth = mk("eth0", "", QNM_IFROLE_UPLINK, 5, 7, 0.5, 0.7);
	struct qnm_sample *sl = calloc(1, sizeof(*sl));
	struct qnm_sample_total t;
	bool counted[5];

	(void)state;
	{
		const struct qnm_sample *sel[] = { br, tap, veth, eth };

		qnm_sample_total(sel, 4, &t, counted);
		assert_int_equal(t.counted, 3);
		assert_int_equal(t.skipped, 1);
		assert_false(counted[0]); /* the bridge: its ports are selected */
		assert_true(counted[1] && counted[2] && counted[3]);
		assert_true(t.stats[QNM_STAT_RX_BYTES] == 1055);
		assert_true(t.stats[QNM_STAT_TX_BYTES] == 357);
		assert_true(t.rate[QNM_STAT_RX_BYTES] == 11.0);
		assert_true(t.rate_valid);
		/* guest view: only tap0, flipped */
		assert_int_equal(t.guest_counted, 1);
		assert_true(t.guest_stats[QNM_STAT_RX_BYTES] == 0);
		assert_true(t.guest_stats[QNM_STAT_TX_BYTES] == 1050);
		assert_true(t.guest_rate[QNM_STAT_TX_BYTES] == 10.5);
	}
	{
		/* the bridge alone (no port selected) is counted */
		const struct qnm_sample *sel[] = { eth, br };

		qnm_sample_total(sel, 2, &t, counted);
		assert_int_equal(t.counted, 2);
		assert_int_equal(t.skipped, 0);
		assert_true(counted[0] && counted[1]);
		assert_true(t.stats[QNM_STAT_RX_BYTES] == 1005);
		assert_int_equal(t.guest_counted, 0);
	}
	{
		/* one port is enough to leave the bridge out; order does not matter */
		const struct qnm_sample *sel[] = { veth, br };

		qnm_sample_total(sel, 2, &t, NULL);
		assert_int_equal(t.counted, 1);
		assert_int_equal(t.skipped, 1);
		assert_true(t.stats[QNM_STAT_TX_BYTES] == 350);
	}
	{
		/* an unavailable entry is left out and counted as such; an unavailable
		 * port does not hide its bridge */
		const struct qnm_sample *sel[] = { br, tap, sl };

		snprintf(sl->name, sizeof(sl->name), "web/n1");
		sl->role = QNM_IFROLE_SLIRP;
		sl->is_slirp = true;
		qnm_sample_unavailable(sl, "slirp helper does not answer");
		tap->available = false;
		qnm_sample_total(sel, 3, &t, counted);
		assert_int_equal(t.unavailable, 2);
		assert_int_equal(t.counted, 1);
		assert_true(counted[0] && !counted[1] && !counted[2]);
		assert_true(t.stats[QNM_STAT_RX_BYTES] == 1000);
		tap->available = true;
	}
	{
		/* a rate missing on one counted entry makes the total's rate invalid */
		const struct qnm_sample *sel[] = { tap, eth };

		eth->rate_valid = false;
		qnm_sample_total(sel, 2, &t, NULL);
		assert_false(t.rate_valid);
		qnm_sample_total(sel, 0, &t, NULL);
		assert_int_equal(t.counted, 0);
		assert_false(t.rate_valid);
	}
	free(br);
	free(tap);
	free(veth);
	free(eth);
	free(sl);
}

static void test_units(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(qnm_fmt_bytes(0, b, sizeof(b)), "0 B");
	assert_string_equal(qnm_fmt_bytes(1023, b, sizeof(b)), "1023 B");
	assert_string_equal(qnm_fmt_bytes(1536, b, sizeof(b)), "1.50 KiB");
	assert_string_equal(qnm_fmt_bytes(50ull << 20, b, sizeof(b)), "50.0 MiB");
	assert_string_equal(qnm_fmt_bytes(UINT64_MAX, b, sizeof(b)), "16.0 EiB");
	assert_string_equal(qnm_fmt_rate(0, b, sizeof(b)), "0 B/s");
	assert_string_equal(qnm_fmt_rate(-5, b, sizeof(b)), "0 B/s");
	assert_string_equal(qnm_fmt_rate(999, b, sizeof(b)), "999 B/s");
	assert_string_equal(qnm_fmt_rate(12300, b, sizeof(b)), "12.3 KB/s");
	assert_string_equal(qnm_fmt_rate(1.5e6, b, sizeof(b)), "1.50 MB/s");
}

/* ---- with the sampler itself (reads this namespace's links; changes nothing) ---- */

static struct qnm_vm *vm_with(const char *name)
{
	return qnm_vm_new(name);
}

static void test_roles_from_model(void **state)
{
	struct qnm_model m;
	struct qnm_sampler_opts o = { 0 };
	struct qnm_sampler *s;
	struct qnm_sample *e;
	struct qnm_err err;
	struct qnm_vm *vm;
	struct qnm_nic *nic;
	struct qnm_network *net;
	size_t i;

	(void)state;
	qnm_model_init(&m);
	vm = vm_with("web");
	nic = qnm_vm_add_nic(vm);
	nic->backend = QNM_BACKEND_TAP;
	snprintf(nic->tap.ifname, sizeof(nic->tap.ifname), "lo"); /* a link that exists */
	qnm_model_add_vm(&m, vm);
	net = qnm_network_new("lan");
	snprintf(net->bridge, sizeof(net->bridge), "lo"); /* loses against the TAP */
	net->mode = QNM_NET_ISOLATED;
	qnm_model_add_net(&m, net);

	o.model = &m;
	assert_int_equal(qnm_sampler_new(&o, &s, &err), 0);
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	e = qnm_sampler_find(s, "lo");
	assert_non_null(e);
	assert_int_equal(e->role, QNM_IFROLE_TAP);
	assert_string_equal(e->vm, "web");
	assert_string_equal(e->nic, "n0");
	assert_true(e->available);
	assert_false(e->rate_valid);
	assert_int_equal(e->ifindex, 1);
	assert_string_equal(e->type, "loopback");
	/* sorted by name, links only (no runtime dir: no slirp NICs) */
	for (i = 1; i < s->n; i++)
		assert_true(strcmp(s->v[i - 1]->name, s->v[i]->name) < 0);
	assert_int_equal(s->n, s->links->n);

	/* the model changes: lo becomes the network's bridge */
	qnm_vm_free(qnm_model_remove_vm(&m, "web"));
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	e = qnm_sampler_find(s, "lo");
	assert_int_equal(e->role, QNM_IFROLE_BRIDGE);
	assert_string_equal(e->network, "lan");
	assert_string_equal(e->vm, "");
	assert_true(e->rate_valid); /* second reading of the same link */
	assert_true(e->rate[QNM_STAT_RX_BYTES] >= 0);
	assert_int_equal(e->resets, 0);
	assert_null(qnm_sampler_find(s, "no-such-link"));

	qnm_sampler_set_model(s, NULL);
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	assert_int_equal(qnm_sampler_find(s, "lo")->role, QNM_IFROLE_HOST);
	qnm_sampler_free(s);
	qnm_model_clear(&m);
}

/*
 * A fake slirp helper: a control socket answering "stats" the way the real
 * helper does (qnm_slirp_stats_to_json), or never answering (@mute).
 */
struct fake {
	int lfd;
	bool mute;
	struct qnm_slirp_stats st;
	int stop_pipe[2];
	pthread_t th;
};

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int cfd = -1;
	char buf[512];
	size_t have = 0;

	for (;;) {
		struct pollfd p[3] = { { f->stop_pipe[0], POLLIN, 0 },
				       { f->lfd, POLLIN, 0 },
				       { cfd, POLLIN, 0 } };

		if (poll(p, cfd >= 0 ? 3 : 2, -1) < 0)
			continue;
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			int c = accept(f->lfd, NULL, NULL);

			if (cfd >= 0)
				close(cfd);
			cfd = c;
			have = 0;
			continue;
		}
		if (cfd >= 0 && p[2].revents) {
			ssize_t r = read(cfd, buf + have, sizeof(buf) - 1 - have);
			char *nl;

			if (r <= 0) {
				close(cfd);
				cfd = -1;
				continue;
			}
			have += (size_t)r;
			buf[have] = '\0';
			while ((nl = strchr(buf, '\n'))) {
				*nl = '\0';
				if (!f->mute && strcmp(buf, "stats") == 0) {
					json_object *o = qnm_slirp_stats_to_json(&f->st);
					const char *s = json_object_to_json_string_ext(
						o, JSON_C_TO_STRING_PLAIN);

					assert_true(write(cfd, s, strlen(s)) > 0);
					assert_true(write(cfd, "\n", 1) == 1);
					json_object_put(o);
				}
				have -= (size_t)(nl + 1 - buf);
				memmove(buf, nl + 1, have + 1);
			}
		}
	}
	if (cfd >= 0)
		close(cfd);
	return NULL;
}

static void fake_start(struct fake *f, const char *path, bool mute)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	f->mute = mute;
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pipe(f->stop_pipe), 0);
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	assert_true(write(f->stop_pipe[1], "x", 1) == 1);
	pthread_join(f->th, NULL);
	close(f->stop_pipe[0]);
	close(f->stop_pipe[1]);
	close(f->lfd);
}

/* A process whose command line names @qmp, so the runtime dir looks running. */
static pid_t fake_qemu(const char *qmp)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "sleep 30; :", "fake-qemu", qmp, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_slirp_nics(void **state)
{
	char tmpl[] = "/tmp/qnm-test-sampler.XXXXXX";
	char *dir = mkdtemp(tmpl), *ctl0, *ctl1, *ctl2;
	struct qnm_sampler_opts o = { 0 };
	struct qnm_sampler *s;
	struct qnm_sample *e;
	struct qnm_rundir rd;
	struct qnm_model m;
	struct qnm_err err;
	struct fake f0 = { 0 }, f1 = { 0 };
	struct qnm_vm *vm;
	struct qnm_nic *nic;
	double t0, dt;
	pid_t qemu;
	int i;

	(void)state;
	assert_non_null(dir);
	qnm_model_init(&m);
	vm = vm_with("web");
	for (i = 0; i < 3; i++) {
		nic = qnm_vm_add_nic(vm);
		nic->backend = QNM_BACKEND_SLIRP;
	}
	qnm_model_add_vm(&m, vm);
	o.model = &m;
	o.runtime_dir = dir;
	o.slirp_timeout_ms = 200;
	assert_int_equal(qnm_sampler_new(&o, &s, &err), 0);

	/* not running: no slirp entries */
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	assert_null(qnm_sampler_find(s, "web/n0"));

	/* "running": a runtime dir whose QEMU pid names the QMP socket */
	qnm_rundir_init(&rd, dir, "web");
	assert_int_equal(qnm_rundir_create(&rd, &err), 0);
	qemu = fake_qemu(rd.qmp);
	for (i = 0; i < 50 && !qnm_pid_is_qemu_of(qemu, &rd); i++)
		usleep(20000);
	assert_int_equal(qnm_rundir_write_state(&rd, QNM_RUN_RUNNING, qemu, 0, NULL), 0);
	ctl0 = qnm_slirp_control_path(rd.path, &vm->nics[0]);
	ctl1 = qnm_slirp_control_path(rd.path, &vm->nics[1]);
	ctl2 = qnm_slirp_control_path(rd.path, &vm->nics[2]);
	/* n0 answers, n1 accepts but never answers, n2 has no helper at all */
	f0.st.rx_bytes = 5000; /* delivered to the guest */
	f0.st.rx_packets = 5;
	f0.st.tx_bytes = 700; /* sent by the guest */
	f0.st.tx_packets = 7;
	f0.st.rx_dropped = 2;
	f0.st.connected = true;
	fake_start(&f0, ctl0, false);
	fake_start(&f1, ctl1, true);

	t0 = now_s();
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	dt = now_s() - t0;
	e = qnm_sampler_find(s, "web/n0");
	assert_non_null(e);
	assert_int_equal(e->role, QNM_IFROLE_SLIRP);
	assert_string_equal(e->vm, "web");
	assert_string_equal(e->nic, "n0");
	assert_string_equal(e->type, "slirp");
	assert_true(e->available);
	assert_true(e->up);
	/* host view: rx = what the guest sent */
	assert_true(e->stats[QNM_STAT_RX_BYTES] == 700);
	assert_true(e->stats[QNM_STAT_TX_BYTES] == 5000);
	assert_true(e->stats[QNM_STAT_TX_DROPPED] == 2);
	/* guest view: as the helper counts */
	assert_true(qnm_sample_stat(e, QNM_STAT_RX_BYTES, true) == 5000);
	assert_true(qnm_sample_stat(e, QNM_STAT_TX_PACKETS, true) == 7);
	assert_true(qnm_sample_stat(e, QNM_STAT_RX_DROPPED, true) == 2);

	e = qnm_sampler_find(s, "web/n1");
	assert_non_null(e);
	assert_false(e->available);
	assert_non_null(strstr(e->why, "slirp helper does not answer"));
	assert_true(dt < 1.5); /* the mute helper cost about one timeout (200 ms) */
	e = qnm_sampler_find(s, "web/n2");
	assert_non_null(e);
	assert_false(e->available);
	assert_non_null(strstr(e->why, "slirp helper does not answer"));

	/* second tick: rates; the mute helper is not asked again (backoff) */
	f0.st.rx_bytes += 1000;
	f0.st.tx_bytes += 100;
	usleep(100000);
	t0 = now_s();
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	dt = now_s() - t0;
	assert_true(dt < 0.15);
	e = qnm_sampler_find(s, "web/n0");
	assert_true(e->rate_valid);
	assert_true(e->rate[QNM_STAT_TX_BYTES] > 0); /* to the guest */
	assert_true(qnm_sample_rate(e, QNM_STAT_RX_BYTES, true) > 0);
	assert_true(e->rate[QNM_STAT_RX_BYTES] > 0);
	assert_false(qnm_sampler_find(s, "web/n1")->available);

	/* the helper of n0 restarts: counters from zero, no negative rate */
	fake_stop(&f0);
	memset(&f0.st, 0, sizeof(f0.st));
	f0.st.rx_bytes = 10;
	fake_start(&f0, ctl0, false);
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	e = qnm_sampler_find(s, "web/n0");
	assert_false(e->available); /* the old connection broke */
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	assert_true(e->available);
	assert_false(e->rate_valid);
	assert_true(e->stats[QNM_STAT_TX_BYTES] == 10);
	usleep(50000);
	f0.st.rx_bytes = 110;
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	assert_true(e->rate_valid);
	assert_true(e->rate[QNM_STAT_TX_BYTES] > 0);

	/* the VM stops: its slirp entries go away */
	kill(qemu, SIGKILL);
	waitpid(qemu, NULL, 0);
	assert_int_equal(qnm_rundir_write_state(&rd, QNM_RUN_CRASHED, qemu, 0, "killed"), 0);
	assert_int_equal(qnm_sampler_tick(s, &err), 0);
	assert_null(qnm_sampler_find(s, "web/n0"));
	assert_null(qnm_sampler_find(s, "web/n1"));

	fake_stop(&f0);
	fake_stop(&f1);
	qnm_sampler_free(s);
	qnm_model_clear(&m);
	free(ctl0);
	free(ctl1);
	free(ctl2);
	assert_int_equal(qnm_rundir_clean(&rd, NULL, 0, &err), 0);
	qnm_rundir_clear(&rd);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),	      cmocka_unit_test(test_reset_backwards),
		cmocka_unit_test(test_reset_ifindex), cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_history_ring),  cmocka_unit_test(test_history_lazy),
		cmocka_unit_test(test_flip),	      cmocka_unit_test(test_totals),
		cmocka_unit_test(test_units),	      cmocka_unit_test(test_roles_from_model),
		cmocka_unit_test(test_slirp_nics),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
