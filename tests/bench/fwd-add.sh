#!/bin/bash
# fwd-add.sh - "qnm forward add --net" per call (one process each, the network
# up: the model saved and the DNAT map element added) with 10 / 1,000 / 10,000
# forwards in place, beside "nft add rule" of one DNAT rule in the same
# namespace (issue 16 item 6: <= 1.0x nft add rule, flat with the count).
# Each figure: the median of REPS calls (wall and CPU time, in ms; qnm and
# nft alternate, one call each per round); each forward added is removed
# again (untimed) so the count stays put.
#
# With QNM_BASE set to another qnm binary (e.g. main's), it runs too, in a
# namespace and a configuration of its own (the same forwards; their indexes
# may differ), alternated with the others, and its figures are printed.
#
# Usage: [FWD_BENCH_COUNTS="10 1000 10000"] [FWD_BENCH_REPS=9] [QNM_BASE=/path/to/qnm] tests/bench/fwd-add.sh
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
COUNTS=${FWD_BENCH_COUNTS:-10 1000 10000}
REPS=${FWD_BENCH_REPS:-9}
NS=$(new_netns bench-fwdadd)
in_ns() { ip netns exec "$NS" "$@"; }
if [ -n "${QNM_BASE:-}" ]; then
	NSB=$(new_netns bench-fwdadd-base)
	mkdir -p "$T/base-config" "$T/base-run" && chmod 700 "$T/base-run"
fi
# base ARGS: QNM_BASE ARGS in its namespace and configuration
base() {
	XDG_CONFIG_HOME=$T/base-config XDG_RUNTIME_DIR=$T/base-run ip netns exec "$NSB" "$QNM_BASE" "$@"
}

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# run ARGS in the namespace, print its wall time and its CPU time (user +
# system, which the load of a shared machine moves less) in ms
timed() {
	local TIMEFORMAT='%3R %3U %3S' t
	t=$({ time in_ns "$@" >/dev/null 2>&1; } 2>&1) || fatal "failed: $*"
	awk '{ printf "%.2f %.2f\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t"
}
# timed for QNM_BASE ARGS (base())
timed_base() {
	local TIMEFORMAT='%3R %3U %3S' t
	t=$({ time base "$@" >/dev/null 2>&1; } 2>&1) || fatal "base failed: $*"
	awk '{ printf "%.2f %.2f\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t"
}
# column K's median of the lines on stdin
median_of() { cut -d' ' -f"$1" | median; }

# the reference: nft add rule of one DNAT rule, one process per call
in_ns nft -f - <<'EOF' || fatal "nft reference table"
table ip bench {
	chain pre {
		type nat hook prerouting priority dstnat;
	}
}
EOF

echo "== qnm forward add --net vs nft add rule, namespace $NS, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-10s %22s %22s %16s\n' "forwards" "qnm wall / CPU (ms)" "nft wall / CPU (ms)" "ratio wall / CPU"
n=0
for want in $COUNTS; do
	args=()
	for ((i = n; i < want; i++)); do
		args+=("forward+=tcp:127.0.0.1:$((10000 + i))-10.84.$((i / 250)).$((2 + i % 250)):80")
	done
	if ((n == 0)); then
		"$QNM" net add big bridge=qbbr1 address=10.84.0.1/16 mode=nat "${args[@]}" \
			>/dev/null || fatal "net add"
		in_ns "$QNM" net up big >/dev/null || fatal "net up"
		if [ -n "${QNM_BASE:-}" ]; then
			base net add big bridge=qbbr1 address=10.84.0.1/16 mode=nat "${args[@]}" \
				>/dev/null || fatal "base net add"
			base net up big >/dev/null || fatal "base net up"
		fi
	elif ((${#args[@]})); then
		in_ns "$QNM" net set big "${args[@]}" >/dev/null 2>&1 || fatal "net set (to $want)"
		in_ns "$QNM" net up big >/dev/null || fatal "net up (to $want)"
		if [ -n "${QNM_BASE:-}" ]; then
			base net set big "${args[@]}" >/dev/null 2>&1 || fatal "base net set (to $want)"
			base net up big >/dev/null || fatal "base net up (to $want)"
		fi
	fi
	n=$want
	got=$(in_ns nft -j list table inet qnm | jq '[.nftables[] | .map? // empty | .elem // [] | length] | add')
	((got >= want)) || fatal "the table holds $got forwards, expected $want"
	# alternated, one call of each per round: both meet the same load
	in_ns nft flush chain ip bench pre || fatal "nft flush"
	: >"$T/nft" && : >"$T/qnm" && : >"$T/base"
	for ((i = 0; i < REPS; i++)); do
		timed nft add rule ip bench pre tcp dport $((5000 + i)) dnat to 10.84.0.2:80 >>"$T/nft"
		timed "$QNM" forward add --net big "tcp:127.0.0.1:$((3000 + i))-10.84.0.2:80" >>"$T/qnm"
		in_ns "$QNM" forward del --net big "tcp:127.0.0.1:$((3000 + i))" >/dev/null 2>&1 ||
			fatal "forward del"
		[ -n "${QNM_BASE:-}" ] || continue
		timed_base forward add --net big "tcp:127.0.0.1:$((3000 + i))-10.84.0.2:80" >>"$T/base"
		base forward del --net big "tcp:127.0.0.1:$((3000 + i))" >/dev/null 2>&1 ||
			fatal "base forward del"
	done
	qw=$(median_of 1 <"$T/qnm") qc=$(median_of 2 <"$T/qnm")
	nw=$(median_of 1 <"$T/nft") nc=$(median_of 2 <"$T/nft")
	printf '  %-10s %22s %22s %16s\n' "$want" "$qw / $qc" "$nw / $nc" \
		"$(ratio "$qw" "$nw") / $(ratio "$qc" "$nc")"
	if [ -n "${QNM_BASE:-}" ]; then
		bw=$(median_of 1 <"$T/base") bc=$(median_of 2 <"$T/base")
		printf '  %-10s %22s %22s %16s\n' "  QNM_BASE" "$bw / $bc" "" \
			"$(ratio "$bw" "$nw") / $(ratio "$bc" "$nc")"
	fi
done
echo "  (load at the end $(cut -d' ' -f1-3 /proc/loadavg))"
in_ns "$QNM" net down big >/dev/null 2>&1
[ -z "${QNM_BASE:-}" ] || base net down big >/dev/null 2>&1
exit 0
