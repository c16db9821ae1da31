#!/bin/bash
# links-json.sh - 2,001 links (1,000 veth pairs in a network namespace
# created here), qnm against the usual tools in the same run:
#  1. "qnm links --json" (one process: dumps, JSON) vs "ip -s -j link",
#     REPS rounds (default 3) of 5 calls each, interleaved, all in one shell
#     inside the namespace; the median of the per-round medians.
#     Wall and CPU time (tests/bench/timed.py). Target (issue 16): <= 1.0x.
#  2. RSS of the UI on its Traffic screen vs bmon's (curses), SECS seconds
#     (default 10) each, REPS rounds, links down as created and then all up.
#     Target (issue 16): <= 0.25x bmon.
# Prints figures, the reference's and the ratios; never fails on time.
#
# Usage: [REPS=3] [SECS=10] tests/bench/links-json.sh
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
REPS=${REPS:-3}
SECS=${SECS:-10}
PTY="$QNM_SRCDIR/tests/bench/ui-pty.py"
NS=$(new_netns bench-links)
for ((i = 0; i < 1000; i++)); do echo "link add qb$i type veth peer name qc$i"; done >"$T/batch"
ip -n "$NS" -batch "$T/batch" || fatal "creating veths failed"
nl=$(ip -n "$NS" -o link show | wc -l)
nq=$(ip netns exec "$NS" "$QNM" links --json | jq length)
[ "$nq" = "$nl" ] || fatal "qnm links --json lists $nq links, ip $nl"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cat >"$T/round.sh" <<'EOF'
for i in 1 2 3 4 5; do
	o=$(python3 "$TIMED" "$QNM" links --json) || exit 1
	echo "qnm $o"
	o=$(python3 "$TIMED" ip -s -j link) || exit 1
	echo "ip $o"
done
EOF
echo "== $nl links, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(ip -V)"
for ((r = 0; r < REPS; r++)); do
	QNM=$QNM TIMED=$QNM_SRCDIR/tests/bench/timed.py ip netns exec "$NS" bash "$T/round.sh" \
		>"$T/r$r" || fatal "round failed"
	for c in 2 3; do
		awk -v c=$c '$1 == "qnm" { print $c }' "$T/r$r" | median >>"$T/qnm$c"
		awk -v c=$c '$1 == "ip" { print $c }' "$T/r$r" | median >>"$T/ip$c"
	done
done
for c in 2 3; do
	q=$(median <"$T/qnm$c") p=$(median <"$T/ip$c")
	printf 'qnm links --json: %s ms, ip -s -j link: %s ms (%s), ratio %s (target <= 1.0: %s)\n' "$q" "$p" \
		"$([ $c = 2 ] && echo wall || echo CPU)" "$(ratio "$q" "$p")" \
		"$(awk -v a="$q" -v b="$p" 'BEGIN { print (a <= b) ? "met" : "NOT met" }')"
done

# 2. RSS on the Traffic screen vs bmon
command -v bmon >/dev/null || { echo "SKIP RSS: needs bmon"; exit 0; }
export LANG=C.UTF-8 TERM=xterm-256color
rss() { awk '$1 == "rss_kb" { print $2 }'; }
rss_round() { # LABEL: REPS rounds of qnm and bmon, medians and ratio
	local r qr=() br=()
	for ((r = 0; r < REPS; r++)); do
		qr+=("$(ip netns exec "$NS" python3 "$PTY" cpu "$SECS" "4" '\x1b[21~' -- "$QNM" | rss)")
		br+=("$(ip netns exec "$NS" python3 "$PTY" cpu "$SECS" "" "q" -- bmon -r 1 | rss)")
	done
	q=$(printf '%s\n' "${qr[@]}" | median) b=$(printf '%s\n' "${br[@]}" | median)
	printf 'Traffic screen RSS after %s s, %s: qnm %s kB, bmon %s kB, ratio %s (target <= 0.25: %s)\n' \
		"$SECS" "$1" "$q" "$b" "$(ratio "$q" "$b")" \
		"$(awk -v a="$q" -v b="$b" 'BEGIN { print (a <= 0.25 * b) ? "met" : "NOT met" }')"
}
rss_round "links down"
for ((i = 0; i < 1000; i++)); do echo "link set qb$i up"; echo "link set qc$i up"; done >"$T/up"
ip -n "$NS" -batch "$T/up" || fatal "setting links up failed"
rss_round "links up"
exit 0
