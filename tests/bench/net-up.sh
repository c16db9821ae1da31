#!/bin/bash
# net-up.sh - wall time of "qnm net up" (from down) and "qnm net down" of a NAT
# network with 1,000 DNAT forwards, in a network namespace created here: the
# whole command (records, lock, bridge, address, ip_forward, nftables table).
# Medians of REPS runs. With QNM_BASE set to another qnm binary (e.g. main's),
# both are run alternately and the ratio printed (issue 13: the crash-safety
# intents must not make net up more than ~5 % slower).
#
# Usage: [NET_BENCH_N=1000] [NET_BENCH_REPS=15] [QNM_BASE=/path/to/qnm] tests/bench/net-up.sh
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
N=${NET_BENCH_N:-1000}
REPS=${NET_BENCH_REPS:-15}
NS=$(new_netns bench-netup)
in_ns() { ip netns exec "$NS" "$@"; }

fwds=()
for ((i = 0; i < N; i++)); do
	fwds+=("forward+=tcp::$((10000 + i))-10.83.$((i / 250)).$((2 + i % 250)):80")
done
"$QNM" net add big bridge=qbbr0 address=10.83.0.1/16 mode=nat "${fwds[@]}" >/dev/null 2>&1 ||
	fatal "net add"

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# run BIN ARGS in the namespace, print its wall time in ms
timed() {
	local t0=$EPOCHREALTIME
	in_ns "$@" >/dev/null || fatal "failed: $*"
	ms "$t0" "$EPOCHREALTIME"
}

bins=("$QNM")
[ -n "${QNM_BASE:-}" ] && bins=("$QNM_BASE" "$QNM")
declare -A up=() down=()
for ((r = 0; r < REPS; r++)); do
	for b in "${bins[@]}"; do
		up[$b]+="$(timed "$b" net up big) "
		down[$b]+="$(timed "$b" net down big) "
	done
done
echo "== net up / net down of a NAT network with $N forwards, median of $REPS, $(nproc) CPUs"
for b in "${bins[@]}"; do
	u=$(printf '%s\n' ${up[$b]} | median) d=$(printf '%s\n' ${down[$b]} | median)
	printf '  %-60s up %8s ms   down %8s ms\n' "$b" "$u" "$d"
done
if [ -n "${QNM_BASE:-}" ]; then
	ub=$(printf '%s\n' ${up[$QNM_BASE]} | median) un=$(printf '%s\n' ${up[$QNM]} | median)
	awk -v a="$ub" -v b="$un" 'BEGIN { printf "  net up: %+.1f %% against QNM_BASE\n", (b / a - 1) * 100 }'
fi
