#!/bin/bash
# fwd-add.sh - "qnm forward add --net" per call (one process each, the network
# up: the model saved and the DNAT map element added) with 10 / 1,000 / 10,000
# forwards in place, beside "nft add rule" of one DNAT rule in the same
# namespace (issue 16 item 6: <= 1.0x nft add rule, flat with the count).
# Each figure: the median of REPS calls, in ms; each forward added is removed
# again (untimed) so the count stays put.
#
# Usage: [FWD_BENCH_COUNTS="10 1000 10000"] [FWD_BENCH_REPS=9] tests/bench/fwd-add.sh
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
COUNTS=${FWD_BENCH_COUNTS:-10 1000 10000}
REPS=${FWD_BENCH_REPS:-9}
NS=$(new_netns bench-fwdadd)
in_ns() { ip netns exec "$NS" "$@"; }

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# run ARGS in the namespace, print its wall time in ms
timed() {
	local t0=$EPOCHREALTIME
	in_ns "$@" >/dev/null 2>&1 || fatal "failed: $*"
	ms "$t0" "$EPOCHREALTIME"
}

# the reference: nft add rule of one DNAT rule, one process per call
in_ns nft -f - <<'EOF' || fatal "nft reference table"
table ip bench {
	chain pre {
		type nat hook prerouting priority dstnat;
	}
}
EOF
# nft add rule's median of REPS calls, now (measured beside each count: the load moves)
nft_median() {
	in_ns nft flush chain ip bench pre || fatal "nft flush"
	for ((i = 0; i < REPS; i++)); do
		timed nft add rule ip bench pre tcp dport $((5000 + i)) dnat to 10.84.0.2:80
	done | median
}

echo "== qnm forward add --net vs nft add rule, namespace $NS, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-28s %10s %16s %8s\n' "forwards in the network" "qnm (ms)" "nft add rule (ms)" "ratio"
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
	elif ((${#args[@]})); then
		in_ns "$QNM" net set big "${args[@]}" >/dev/null 2>&1 || fatal "net set (to $want)"
		in_ns "$QNM" net up big >/dev/null || fatal "net up (to $want)"
	fi
	n=$want
	got=$(in_ns nft -j list table inet qnm | jq '[.nftables[] | .map? // empty | .elem // [] | length] | add')
	((got >= want)) || fatal "the table holds $got forwards, expected $want"
	nft_ms=$(nft_median)
	q=$(for ((i = 0; i < REPS; i++)); do
		timed "$QNM" forward add --net big "tcp:127.0.0.1:$((3000 + i))-10.84.0.2:80"
		in_ns "$QNM" forward del --net big "tcp:127.0.0.1:$((3000 + i))" >/dev/null 2>&1 ||
			fatal "forward del"
	done | median)
	printf '  %-28s %10s %16s %7sx\n' "$want" "$q" "$nft_ms" "$(ratio "$q" "$nft_ms")"
done
echo "  (load at the end $(cut -d' ' -f1-3 /proc/loadavg))"
in_ns "$QNM" net down big >/dev/null 2>&1
exit 0
