#!/bin/bash
# console-cpu.sh - the UI's console screen while the guest prints a lot
# (make bench-console): the demo guest (TCG) writes SIZE bytes (default
# 1 MiB) of text to its serial console with qnm's console screen open at
# 80x24; prints qnm's CPU time over it (all threads, /proc/PID/task/*/
# schedstat; issue 15 target <= 0.5 s), the guest's serial throughput, and
# qnm's CPU over as long a time idle on the same screen. Never fails on
# time. Runs in a private network namespace (root; re-executes itself
# through unshare -n); the guest's forward binds that namespace's loopback.
# usage: console-cpu.sh [SIZE]
set -u
SIZE=${1:-1048576}
: "${QNM_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
QNM=$QNM_BUILDDIR/qnm
[ -x "$QNM" ] || { echo "ERROR: build qnm first ($QNM)"; exit 99; }
if [ -z "${QNM_BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (private network namespace)"; exit 77; }
	export QNM_BENCH_NS=1
	exec unshare -n /bin/bash "$0" "$@"
fi
ip link set lo up
T=$(mktemp -d /tmp/qnmtest-consolebench.XXXXXX)
SOCK=$T/tmux.sock
cleanup() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	timeout 30 "$QNM" stop demo --force >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$T/config XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data \
	XDG_CACHE_HOME=$T/cache HOME=$T/home LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color
mkdir -p "$XDG_RUNTIME_DIR" "$HOME" && chmod 700 "$XDG_RUNTIME_DIR"
LOG=$XDG_RUNTIME_DIR/qnm/demo/serial.log

"$QNM" demo >"$T/demo.out" 2>&1 || { cat "$T/demo.out"; echo "SKIP: no demo guest"; exit 77; }
# a log that holds the whole stream (no rotation): its growth is what the guest printed
"$QNM" set demo log-max=$(((SIZE / 1024) * 4 + 1024)) >/dev/null || exit 99
"$QNM" start demo >>"$T/demo.out" 2>&1 || { cat "$T/demo.out"; exit 99; }
for ((i = 0; i < 900; i++)); do grep -q "built-in shell" "$LOG" 2>/dev/null && break; sleep 0.1; done
printf 'set -g status off\nset -g escape-time 0\nset -g default-terminal xterm-256color\n' >"$T/tmux.conf"
tmux -S "$SOCK" -f "$T/tmux.conf" new-session -d -s b -x 80 -y 24 \
	"env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' HOME='$HOME' '$QNM'" ||
	exit 99
sleep 1
tmux -S "$SOCK" send-keys -t b t
sleep 1
PID=$(pgrep -P "$(tmux -S "$SOCK" display-message -p -t b '#{pane_pid}')" -x qnm | head -1)
[ -z "$PID" ] && PID=$(tmux -S "$SOCK" display-message -p -t b '#{pane_pid}')
cpu_ns() { cat /proc/"$PID"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%d", s}'; }
tmux -S "$SOCK" capture-pane -p -t b | grep -q "Ctrl-] leaves" || { echo "ERROR: console screen did not open"; exit 99; }

# the stream: lines of 75 characters, then a marker
line=0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwx
size0=$(stat -c %s "$LOG")
c0=$(cpu_ns)
t0=$(date +%s.%N)
tmux -S "$SOCK" send-keys -t b -l "yes $line | head -c $SIZE; echo; echo BENCH-\"DONE\""
tmux -S "$SOCK" send-keys -t b Enter
for ((i = 0; i < 6000; i++)); do grep -aq "BENCH-DONE" "$LOG" && break; sleep 0.1; done
t1=$(date +%s.%N)
sleep 0.3
c1=$(cpu_ns)
size1=$(stat -c %s "$LOG")
wall=$(echo "$t1 - $t0" | bc)
# idle on the same screen for as long
c2=$(cpu_ns)
sleep "$wall"
c3=$(cpu_ns)
echo "--- the console screen after the stream (80x24):"
tmux -S "$SOCK" capture-pane -p -t b
echo "---"
printf 'guest printed %d bytes in %.1f s (%.1f KB/s through the emulated 16550 under TCG)\n' \
	$((size1 - size0)) "$wall" "$(echo "($size1 - $size0) / $wall / 1000" | bc -l)"
printf 'qnm CPU while it streamed, console screen open: %.3f s (target <= 0.5 s)\n' \
	"$(echo "($c1 - $c0) / 1000000000" | bc -l)"
printf 'qnm CPU idle on the console screen for as long:  %.3f s\n' \
	"$(echo "($c3 - $c2) / 1000000000" | bc -l)"
