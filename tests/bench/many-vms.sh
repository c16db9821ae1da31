#!/bin/bash
# many-vms.sh - commands about one VM with N VMs defined (issue 16 item 6:
# target <= 5 ms each with 10,000), beside what reading one file costs: a
# plain `cat` of one VM file and `qnm --version` (qnm's own start-up, the
# floor of any qnm command). No root needed: all under a scratch $XDG_*.
# Each figure is the median of REPS runs, in ms: wall time and CPU time
# (user + system); ratios are of wall times.
#
# Usage: MANY_VMS_N=10000 MANY_VMS_REPS=11 [QNM_BASE=/path/to/qnm] tests/bench/many-vms.sh
# (QNM=/path/to/other/qnm measures another build, e.g. main's). With
# QNM_BASE, set / new / del of it and of QNM then run alternated, each on its
# own copy of the files (their indexes may differ), and the CPU each adds to
# its own --version is printed for both (tests/bench/timed.py: the kernel's
# accounting, finer than the shell's).
. "$QNM_SRCDIR/tests/lib.sh"

N=${MANY_VMS_N:-10000}
REPS=${MANY_VMS_REPS:-11}
VMS=$XDG_CONFIG_HOME/qnm/vms
[ -x "$QNM" ] || fatal "missing $QNM"

bash "$QNM_SRCDIR/tests/mkvms.sh" "$VMS" "$N" || fatal "mkvms failed"
mid=vm$((N / 2))

# time_ms CMD... - run CMD once, print its wall time and its CPU time
# (user + system, which the load of a shared machine moves less), in ms
time_ms() {
	local TIMEFORMAT='%3R %3U %3S'
	{ time "$@" >/dev/null 2>&1; } 2>&1 | awk '{ printf "%.1f %.1f\n", $1 * 1000, ($2 + $3) * 1000 }'
}
# the medians of the two columns on stdin: "WALL CPU"
median() {
	local in
	in=$(cat)
	echo "$(mid1 1 <<<"$in") $(mid1 2 <<<"$in")"
}
mid1() { cut -d' ' -f"$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# med CMD... - the medians of REPS runs of CMD
med() {
	local i
	for ((i = 0; i < REPS; i++)); do time_ms "$@"; done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# row LABEL "WALL CPU"
row() {
	set -- "$1" $2
	printf '  %-38s %8s ms %7s ms  %6s x cat %6s x start-up\n' "$1" "$2" "$3" \
		"$(ratio "$2" "$cat_ms")" "$(ratio "$2" "$ver_ms")"
}

# new then del of one name, each timed apart
new_del() {
	local i
	for ((i = 0; i < REPS; i++)); do
		time_ms "$QNM" new bench-x >>"$T/new.ms"
		[ -f "$VMS/bench-x.conf" ] || fatal "qnm new bench-x wrote nothing"
		time_ms "$QNM" del bench-x >>"$T/del.ms"
		[ ! -f "$VMS/bench-x.conf" ] || fatal "qnm del bench-x left its file"
	done
}

echo "== $N VMs defined, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $QNM"
"$QNM" show "$mid" | grep -q '^memory = 256' || fatal "qnm show $mid failed"
cat_r=$(med cat "$VMS/$mid.conf")
ver_r=$(med "$QNM" --version)
cat_ms=${cat_r% *} ver_ms=${ver_r% *}
printf '  %-38s %8s %10s   (median of %d, ms)\n' "" wall cpu "$REPS"
printf '  %-38s %8s ms %7s ms\n' "cat one VM file (reference)" $cat_r
printf '  %-38s %8s ms %7s ms\n' "qnm --version (start-up)" $ver_r
row "qnm show $mid" "$(med "$QNM" show "$mid")"
row "qnm show $mid --json" "$(med "$QNM" show "$mid" --json)"
row "qnm set $mid memory=512" "$(med "$QNM" set "$mid" memory=512)"
grep -q '^memory = 512' "$VMS/$mid.conf" || fatal "qnm set did not save"
new_del
row "qnm new bench-x" "$(median <"$T/new.ms")"
row "qnm del bench-x" "$(median <"$T/del.ms")"
row "qnm new $mid (name taken: refused)" "$(med "$QNM" new "$mid")"
row "qnm list (every VM)" "$(med "$QNM" list)"

if [ -n "${QNM_BASE:-}" ]; then
	mkdir -p "$T/base" && cp -a "$XDG_CONFIG_HOME/qnm" "$T/base/" && rm -f "$T/base/qnm/.index"
	# tm WHO BIN CFG ARGS... - timed.py's "WALL CPU" of BIN ARGS on CFG, to $T/WHO.ARGS[0]
	tm() {
		local who=$1 bin=$2 cfg=$3
		shift 3
		XDG_CONFIG_HOME=$cfg python3 "$QNM_SRCDIR/tests/bench/timed.py" "$bin" "$@" \
			>>"$T/$who.$1" || fatal "$who $*"
	}
	for who in base qnm; do # each builds its index first
		[ $who = base ] && set -- "$QNM_BASE" "$T/base" || set -- "$QNM" "$XDG_CONFIG_HOME"
		XDG_CONFIG_HOME=$2 "$1" set "$mid" memory=300 >/dev/null 2>&1 || fatal "$who set"
	done
	for ((i = 0; i < REPS; i++)); do
		for who in base qnm; do
			[ $who = base ] && set -- "$QNM_BASE" "$T/base" || set -- "$QNM" "$XDG_CONFIG_HOME"
			tm $who "$1" "$2" --version
			tm $who "$1" "$2" set "$mid" "memory=$((300 + i))"
			tm $who "$1" "$2" new bench-y
			tm $who "$1" "$2" del bench-y
		done
	done
	echo "  alternated with QNM_BASE, medians of $REPS, CPU ms above the binary's own --version:"
	for who in base qnm; do
		v=$(mid1 2 <"$T/$who.--version")
		printf '  %-6s --version %6.2f ms   set %6.2f   new %6.2f   del %6.2f\n' "$who" "$v" \
			"$(awk -v a="$(mid1 2 <"$T/$who.set")" -v b="$v" 'BEGIN { print a - b }')" \
			"$(awk -v a="$(mid1 2 <"$T/$who.new")" -v b="$v" 'BEGIN { print a - b }')" \
			"$(awk -v a="$(mid1 2 <"$T/$who.del")" -v b="$v" 'BEGIN { print a - b }')"
	done
fi
exit 0
