#!/bin/bash
# tests/bench/ovn-throughput.sh - issue 18.2's figures in the lab of
# tests/guest/lib-ovn.sh: (1) from "qnm net up" of an ovn network to the
# first cross-host ping between two guests (hosts a and b; the guests are
# started right after net up, so TCG's boot is in it), and to both
# logical ports up in OVN; (2) TCP throughput between the two guests
# across hosts (Geneve, userspace datapath, MTU 1400) against the same
# two guests' images on one qnm NAT network of host a (a Linux bridge):
# the guest downloads BENCH_MB MiB from its peer's busybox httpd, timed
# with /proc/uptime, BENCH_RUNS runs, median.
# Env: BENCH_MB (32), BENCH_RUNS (3). Needs root; real QEMU under TCG.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=600
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/guest/lib-ovn.sh"
MB=${BENCH_MB:-32}
RUNS=${BENCH_RUNS:-3}

# guest_script PEER MTU - serve MB MiB, wait for the peer, download its file RUNS times
guest_script() {
	cat <<EOS
. /etc/qnm/lib.sh
qnm_dhcp eth0
ip link set eth0 mtu $2
dd if=/dev/zero of=/www/big bs=1048576 count=$MB 2>/dev/null
httpd -p 80 -h /www
until ping -c1 -W1 $1 >/dev/null 2>&1; do :; done
echo "first-ping-at \$(cut -d' ' -f1 /proc/uptime)"
sleep 3
for i in \$(seq $RUNS); do
	s=\$(cut -d' ' -f1 /proc/uptime)
	wget -q -O /dev/null http://$1/big
	e=\$(cut -d' ' -f1 /proc/uptime)
	echo "tput \$s \$e"
done
echo QNM-BENCH-DONE
sleep 600
EOS
}
slog() { echo "$OVN_LAB/$1/xdg/qnm/$2/serial.log"; }
median_mbit() { # LOG - median Mbit/s of its "tput S E" lines
	awk -v mb="$MB" '/^tput / { print mb * 8 * 1.048576 / ($3 - $2) }' "$1" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.0f", v[int((NR + 1) / 2)] }'
}

ovn_lab_up a b
for h in a b; do
	qh $h net add lan mode=ovn bridge=br-int address=10.80.0.1/24 dhcp-start=10.80.0.10 \
		dhcp-end=10.80.0.99 ovn-nb="$(ovn_nb_remote)" >/dev/null || fatal "net add on $h"
done
guest_script 10.80.0.12 1400 >"$T/ga.sh"
guest_script 10.80.0.11 1400 >"$T/gb.sh"
ovn_guest a ga "$T/ga.sh" network=lan ip=10.80.0.11
ovn_guest b gb "$T/gb.sh" network=lan ip=10.80.0.12
t0=$(date +%s%N)
qh a net up lan >/dev/null || fatal "net up a"
qh b net up lan >/dev/null || fatal "net up b"
tup=$(($(date +%s%N) - t0))
qh a start ga >/dev/null || fatal "start ga"
qh b start gb >/dev/null || fatal "start gb"
both_up() { [ "$(nbctl lsp-get-up a/ga/n0)" = up ] && [ "$(nbctl lsp-get-up b/gb/n0)" = up ]; }
wait_for 30 both_up ||
	fatal "ports not up"
tports=$(($(date +%s%N) - t0))
wait_for 120 grep -q first-ping-at "$(slog a ga)" || fatal "no cross-host ping"
tping=$(($(date +%s%N) - t0))
wait_for 300 grep -q QNM-BENCH-DONE "$(slog a ga)" || fatal "ga did not finish: $(tail -3 "$(slog a ga)")"
ovn=$(median_mbit "$(slog a ga)")
qh a stop ga >/dev/null
qh b stop gb >/dev/null

# the same on one host, a qnm NAT network (Linux bridge, no tunnel)
qh a net add lnat bridge=qnmbr0 address=10.77.0.1/24 mode=nat dhcp-start=10.77.0.50 \
	dhcp-end=10.77.0.60 >/dev/null || fatal "net add lnat"
qh a net up lnat >/dev/null || fatal "net up lnat"
at_exit "qh a net down lnat >/dev/null 2>&1"
guest_script 10.77.0.52 1500 >"$T/la.sh"
guest_script 10.77.0.51 1500 >"$T/lb.sh"
ovn_guest a la "$T/la.sh" network=lnat ip=10.77.0.51
ovn_guest a lb "$T/lb.sh" network=lnat ip=10.77.0.52
qh a start la >/dev/null || fatal "start la"
qh a start lb >/dev/null || fatal "start lb"
wait_for 300 grep -q QNM-BENCH-DONE "$(slog a la)" || fatal "la did not finish: $(tail -3 "$(slog a la)")"
nat=$(median_mbit "$(slog a la)")

echo "net up (both hosts, NB transactions): $((tup / 1000000)) ms"
echo "net up -> both logical ports up in OVN (guests started after net up): $((tports / 1000000)) ms"
echo "net up -> first cross-host ping seen (TCG boot included): $((tping / 1000000)) ms"
echo "TCP, guest downloads $MB MiB from its peer (median of $RUNS, TCG guests, virtio-net):"
echo "  across hosts on ovn (Geneve, userspace datapath): $ovn Mbit/s"
echo "  same host on a qnm NAT network (Linux bridge):    $nat Mbit/s"
finish
