#!/bin/bash
# ui-idle.sh - what the text UI costs while nobody touches it (make
# bench-ui-idle): CPU of the UI on the VMs screen at 80x24, over SECONDS
# after it settled, with 8, 1,000 and 10,000 VMs configured (none running).
# Target (issue 13 item 8): an idle screen whose data did not change costs
# ~nothing, whatever the number of VMs. Before: 0.0044 / 0.024 / 1.03 s of
# CPU per 10 s (every tick matched each VM's name against every other).
# CPU is the time on CPU of all threads (/proc/PID/task/*/schedstat).
# Prints figures; never fails on time.
# usage: ui-idle.sh [SECONDS [COUNT...]]   (default 10 s; 8 1000 10000)
set -u
SECS=${1:-10}
shift 2>/dev/null
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(8 1000 10000)
: "${QNM_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
QNM=$QNM_BUILDDIR/qnm
PTY="$QNM_SRCDIR/tests/bench/ui-pty.py"
[ -x "$QNM" ] || { echo "ERROR: build qnm first ($QNM)"; exit 99; }
T=$(mktemp -d /tmp/qnmtest-uiidle.XXXXXX)
trap 'rm -rf "$T"' EXIT
export XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data XDG_CACHE_HOME=$T/cache HOME=$T/home \
	LANG=C.UTF-8 TERM=xterm-256color
mkdir -p "$XDG_RUNTIME_DIR" "$HOME" && chmod 700 "$XDG_RUNTIME_DIR"

printf '%-8s %-14s %s\n' VMS "CPU/${SECS}s" "RSS"
for n in "${COUNTS[@]}"; do
	export XDG_CONFIG_HOME=$T/config-$n
	"$QNM_SRCDIR/tests/mkvms.sh" "$XDG_CONFIG_HOME/qnm/vms" "$n" || exit 99
	# ui-pty.py waits 2 s, types nothing, waits 2 s more, then measures
	out=$(python3 "$PTY" cpu "$SECS" "" '\x1b[21~' -- "$QNM") || exit 99
	printf '%-8s %-14s %s kB\n' "$n" "$(awk '$1=="cpu_seconds"{print $2 " s"}' <<<"$out")" \
		"$(awk '$1=="rss_kb"{print $2}' <<<"$out")"
	rm -rf "$XDG_CONFIG_HOME"
done
