#!/bin/bash
# links-refresh.sh - counter refresh with 2,000 interfaces (1,000 veth pairs
# in a network namespace this script creates): time per "qnm links" refresh
# (libnl link cache refill + walk of every counter, tests/host-driver bench),
# and CPU over SECONDS (default 30) at 1 Hz side by side with bmon watching
# the same namespace. Prints figures and ratios; never fails on time.
# Targets: <= 20 ms per refresh, <= 0.1x bmon's CPU.
#
# usage: links-refresh.sh [PAIRS [SECONDS]]   (needs root: network namespaces)
set -u
PAIRS=${1:-1000}
SECS=${2:-30}
: "${QNM_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
DRV=$QNM_BUILDDIR/tests/host-driver
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
[ -x "$DRV" ] || { echo "ERROR: missing $DRV (make check TESTS= builds it)"; exit 99; }
command -v bmon >/dev/null || { echo "SKIP: needs bmon (Debian package bmon)"; exit 77; }

NS=qnmtest-bench-$$
T=$(mktemp -d /tmp/qnmtest-bench.XXXXXX)
BMON_PID=
cleanup() {
	[ -n "$BMON_PID" ] && kill "$BMON_PID" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$NS" || { echo "ERROR: cannot create netns"; exit 99; }
for ((i = 0; i < PAIRS; i++)); do
	echo "link add qb$i type veth peer name qc$i"
done >"$T/batch"
t0=$(date +%s.%N)
ip -n "$NS" -batch "$T/batch" || { echo "ERROR: creating veths failed"; exit 99; }
t1=$(date +%s.%N)
n=$(ip -n "$NS" -o link show | wc -l)
printf 'links in namespace: %d (created in %.1f s)\n' "$n" "$(echo "$t1 - $t0" | bc)"

# 1. time per refresh: 200 refreshes back to back
ip netns exec "$NS" "$DRV" bench 200 0 >"$T/fast" || exit 99
ms=$(awk '$1=="ms_per_refresh"{print $2}' "$T/fast")
best=$(awk '$1=="ms_best"{print $2}' "$T/fast")
full=$(awk '$1=="ms_per_full_refill"{print $2}' "$T/fast")
printf 'qnm refresh, counters of every link (RTM_GETSTATS dump): %s ms mean, %s ms best over 200\n' "$ms" "$best"
printf 'qnm full refill after a link change (nl_cache_refill links + addresses): %s ms mean\n' "$full"

# 2. CPU over SECS at 1 Hz, qnm and bmon side by side in the same namespace
ip netns exec "$NS" bmon -p 'q*' -r 1 -o 'format:fmt=$(element:name) $(attr:rx:bytes)\n' \
	>/dev/null 2>&1 &
BMON_PID=$!
ip netns exec "$NS" "$DRV" bench 1 "$SECS" >"$T/slow" || exit 99
read -r bu bs < <(awk '{print $14, $15}' "/proc/$BMON_PID/stat")
bmon_rss=$(awk '/VmRSS/{print $2}' "/proc/$BMON_PID/status")
kill "$BMON_PID"
BMON_PID=
hz=$(getconf CLK_TCK)
qcpu=$(awk '$1=="cpu_seconds_1hz"{print $2}' "$T/slow")
bcpu=$(echo "scale=3; ($bu + $bs) / $hz" | bc)
printf 'CPU over %s s at 1 Hz: qnm %.3f s (%.2f%% of a core), bmon %.3f s (%.2f%% of a core, RSS %s kB)\n' \
	"$SECS" "$qcpu" "$(echo "100 * $qcpu / $SECS" | bc -l)" "$bcpu" \
	"$(echo "100 * $bcpu / $SECS" | bc -l)" "$bmon_rss"
if [ "$(echo "$bcpu > 0" | bc)" = 1 ]; then
	printf 'ratio qnm/bmon CPU: %.3f (target <= 0.1)\n' "$(echo "$qcpu / $bcpu" | bc -l)"
fi
printf 'refresh target <= 20 ms: %s\n' "$(echo "$ms <= 20" | bc | sed 's/1/met/;s/0/NOT met/')"
exit 0
