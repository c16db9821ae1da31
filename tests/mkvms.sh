#!/bin/bash
# mkvms.sh DIR N - write N VM files (vm0 ... vmN-1, one user-mode e1000 NIC
# with a host port forward each) into DIR (a qnm vms/ directory), as fast as
# the shell can: "qnm new" loads every VM at each call. For the idle-cost
# test and benchmark of the UI with thousands of VMs.
set -e
mkdir -p "$1"
for ((i = 0; i < $2; i++)); do
	printf '[vm]\narch = x86_64\nmemory = 256\ncpus = 1\nmachine = q35\naccel = tcg\nboot = none\n\n[nic n0]\nmodel = e1000\nmac = 52:54:%02x:%02x:%02x:01\nbackend = user\nhostfwd = tcp:127.0.0.1:%d-:22\n' \
		$((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)) $((20000 + i % 40000)) >"$1/vm$i.conf"
done
