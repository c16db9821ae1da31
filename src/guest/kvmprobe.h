/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvmprobe.h - does KVM run a guest here, not only open?
 *
 * On some hosts /dev/kvm opens and answers KVM_GET_API_VERSION, yet a guest
 * never runs: a software nested hypervisor leaves the vCPU spinning (an
 * empty console, 99 % CPU), or QEMU aborts setting up the vCPU. The probe
 * runs QEMU with -accel kvm and no disk, and watches its firmware (SeaBIOS)
 * print to the ISA debug console: a KVM that runs guests gets through the
 * whole BIOS to "No bootable device" in well under a second; one that does
 * not prints nothing. The answer is cached per QEMU binary, host kernel and
 * device (a day at most), so accel=auto asks it at no cost after the first.
 */
#ifndef QNM_GUEST_KVMPROBE_H
#define QNM_GUEST_KVMPROBE_H

#include <stdbool.h>
#include <time.h>

/* how long the first probe of a host may take (its answer is cached) */
#define QNM_KVM_PROBE_MS 10000

/**
 * enum qnm_kvm_verdict - what the probe found.
 * @QNM_KVM_NO_DEVICE: the device does not open or is not KVM.
 * @QNM_KVM_RUNS:      a guest ran (its BIOS finished).
 * @QNM_KVM_HANGS:     QEMU started, the guest did not get through its BIOS.
 * @QNM_KVM_FAILS:     QEMU with -accel kvm ended with an error.
 * @QNM_KVM_UNTESTED:  no probe could be made (no QEMU for it, no cache).
 */
enum qnm_kvm_verdict {
	QNM_KVM_NO_DEVICE,
	QNM_KVM_RUNS,
	QNM_KVM_HANGS,
	QNM_KVM_FAILS,
	QNM_KVM_UNTESTED,
};

/**
 * struct qnm_kvm_probe - a probe's answer.
 * @verdict: see enum qnm_kvm_verdict.
 * @detail:  a sentence: what was seen (QEMU's error, how far the BIOS got).
 * @ms:      how long the probe took (when it ran, not from the cache).
 * @when:    when the probe ran (wall clock).
 * @cached:  the answer came from the cache.
 */
struct qnm_kvm_probe {
	enum qnm_kvm_verdict verdict;
	char detail[256];
	double ms;
	time_t when;
	bool cached;
};

/** The KVM device: $QNM_DEV_KVM when set (a stand-in, for tests), else /dev/kvm. */
const char *qnm_kvm_device(void);

/**
 * qnm_kvm_probe() - does KVM run guests here? Opens the device (and asks
 * its API version: a regular file given as QNM_DEV_KVM is taken as a KVM
 * stand-in), then answers from the cache in @cache_dir, or runs the probe
 * (at most @timeout_ms) and caches what it found.
 * @qemu:      the QEMU binary (qemu-system-x86_64 or i386 via PATH, or a path).
 * @cache_dir: qnm's cache directory (created when missing); NULL: no cache.
 * @fresh:     probe again even when the cache has an answer.
 * @out:       filled.
 */
void qnm_kvm_probe(const char *qemu, const char *cache_dir, int timeout_ms, bool fresh,
		   struct qnm_kvm_probe *out);

/**
 * qnm_kvm_probe_cached() - the cached answer for @qemu, without running
 * anything (the command preview, the UI). Return: true when there is one.
 */
bool qnm_kvm_probe_cached(const char *qemu, const char *cache_dir, struct qnm_kvm_probe *out);

/** qnm_kvm_verdict_name() - "runs", "hangs", "fails", "no device", "untested". */
const char *qnm_kvm_verdict_name(enum qnm_kvm_verdict v);

#endif
