#!/bin/bash
# ui-bench.sh - the text UI's benchmarks (make bench-ui). Prints figures and
# whether targets are met; never fails on time.
#  1. first frame with 100 VMs configured (target <= 50 ms), measured from
#     exec until the footer of the first frame reached the terminal;
#  2. idle RSS on the VMs screen (target <= 8 MB) and idle CPU;
#  3. the Traffic screen refreshing 2,000 interfaces at 1 Hz, CPU side by
#     side with bmon (curses) in the same network namespace (target <= 0.1x
#     bmon). Needs root for the namespace; skipped otherwise. Also: the
#     same UI on the VMs screen (the sampler keeps ticking for the Traffic
#     history), and the Traffic ratio again with every link up.
# CPU is the time on CPU of all threads (/proc/PID/task/*/schedstat, ns).
# usage: ui-bench.sh [SECONDS]   (CPU sampling time, default 20)
set -u
SECS=${1:-20}
: "${QNM_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
QNM=$QNM_BUILDDIR/qnm
PTY="$QNM_SRCDIR/tests/bench/ui-pty.py"
[ -x "$QNM" ] || { echo "ERROR: build qnm first ($QNM)"; exit 99; }
T=$(mktemp -d /tmp/qnmtest-uibench.XXXXXX)
NS=qnmtest-uibench-$$
cleanup() {
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$T/config XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data \
	XDG_CACHE_HOME=$T/cache HOME=$T/home LANG=C.UTF-8 TERM=xterm-256color
mkdir -p "$XDG_RUNTIME_DIR" "$HOME" && chmod 700 "$XDG_RUNTIME_DIR"

# 1 + 2: 100 VMs, each with a user NIC and a forward
for ((i = 0; i < 100; i++)); do
	"$QNM" new "vm$i" memory=256 >/dev/null || exit 99
	"$QNM" nic add "vm$i" model=e1000 backend=user "hostfwd=tcp:127.0.0.1:$((20000 + i))-:22" \
		>/dev/null || exit 99
done
best=
for run in 1 2 3 4 5; do
	out=$(python3 "$PTY" frame "F10" -- "$QNM") || exit 99
	ms=$(awk '$1=="first_frame_ms"{print $2}' <<<"$out")
	echo "run $run: first frame ${ms} ms"
	if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; fi
	last=$out
done
rss=$(awk '$1=="idle_rss_kb"{print $2}' <<<"$last")
idle=$(awk '$1=="idle_cpu_5s"{print $2}' <<<"$last")
printf 'first frame with 100 VMs: best %s ms of 5 (target <= 50 ms: %s)\n' "$best" \
	"$(echo "$best <= 50" | bc | sed 's/1/met/;s/0/NOT met/')"
printf 'idle RSS on the VMs screen: %s kB (target <= 8192 kB: %s); idle CPU %s s over 5 s\n' \
	"$rss" "$(echo "$rss <= 8192" | bc | sed 's/1/met/;s/0/NOT met/')" "$idle"

# 3: Traffic with 2,000 interfaces vs bmon
if [ "$(id -u)" != 0 ]; then
	echo "SKIP traffic CPU: needs root (network namespaces)"
	exit 0
fi
command -v bmon >/dev/null || { echo "SKIP traffic CPU: needs bmon"; exit 0; }
ip netns add "$NS" || { echo "ERROR: cannot create netns"; exit 99; }
for ((i = 0; i < 1000; i++)); do echo "link add qb$i type veth peer name qc$i"; done >"$T/batch"
ip -n "$NS" -batch "$T/batch" || { echo "ERROR: creating veths failed"; exit 99; }
echo "links in namespace: $(ip -n "$NS" -o link show | wc -l)"
q=$(ip netns exec "$NS" python3 "$PTY" cpu "$SECS" "4" '\x1b[21~' -- "$QNM") || exit 99
b=$(ip netns exec "$NS" python3 "$PTY" cpu "$SECS" "" "q" -- bmon -r 1) || exit 99
qc=$(awk '$1=="cpu_seconds"{print $2}' <<<"$q")
bc_=$(awk '$1=="cpu_seconds"{print $2}' <<<"$b")
printf 'Traffic screen, 2,000 links at 1 Hz over %s s: qnm %s s CPU (RSS %s kB), bmon %s s CPU (RSS %s kB)\n' \
	"$SECS" "$qc" "$(awk '$1=="rss_kb"{print $2}' <<<"$q")" "$bc_" "$(awk '$1=="rss_kb"{print $2}' <<<"$b")"
if [ "$(echo "$bc_ > 0" | bc)" = 1 ]; then
	printf 'ratio qnm/bmon CPU: %.3f (target <= 0.1)\n' "$(echo "$qc / $bc_" | bc -l)"
fi
v=$(ip netns exec "$NS" python3 "$PTY" cpu "$SECS" "" '\x1b[21~' -- "$QNM") || exit 99
printf 'VMs screen in the same namespace (sampler in the background): qnm %s s CPU over %s s (RSS %s kB)\n' \
	"$(awk '$1=="cpu_seconds"{print $2}' <<<"$v")" "$SECS" "$(awk '$1=="rss_kb"{print $2}' <<<"$v")"
# every link up: none can be skipped as down (and bmon also reads their qdiscs)
for ((i = 0; i < 1000; i++)); do echo "link set qb$i up"; echo "link set qc$i up"; done >"$T/up"
ip -n "$NS" -batch "$T/up" || { echo "ERROR: setting links up failed"; exit 99; }
q=$(ip netns exec "$NS" python3 "$PTY" cpu "$SECS" "4" '\x1b[21~' -- "$QNM") || exit 99
b=$(ip netns exec "$NS" python3 "$PTY" cpu "$SECS" "" "q" -- bmon -r 1) || exit 99
qc=$(awk '$1=="cpu_seconds"{print $2}' <<<"$q")
bc_=$(awk '$1=="cpu_seconds"{print $2}' <<<"$b")
printf 'Traffic screen, 2,000 links up: qnm %s s CPU, bmon %s s CPU over %s s; ratio %.3f\n' "$qc" "$bc_" \
	"$SECS" "$(echo "$qc / $bc_" | bc -l)"
exit 0
