#!/bin/bash
# nft-forwards.sh - 1,000 port forwards (DNAT in prerouting and output, plus
# forward accept and masquerade) written five ways, all inside a network
# namespace created here:
#   qnm      one libnftnl batch (tests/nft-driver bench), forwards as map elements
#   nft -f   the very same table, listed back and loaded with nft -f
#   nft -f   classic: one DNAT rule per forward (prerouting + output)
#   iptables-restore (iptables-nft), one rule per forward
#   iptables -A (iptables-nft), one process per rule
# and adding/removing one forward when 1,000 exist.
# Targets (issue 3): qnm apply <= 0.5x nft -f; one forward <= 5 ms.
#
# Usage: NFT_BENCH_N=1000 NFT_BENCH_IPT_A=1 tests/bench/nft-forwards.sh
# (NFT_BENCH_IPT_A=0 skips the slow one-process-per-rule iptables run)
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
need_cmd iptables-nft iptables
need_cmd iptables-nft-restore iptables
DRV=${QNM_BUILDDIR:-.}/tests/nft-driver
[ -x "$DRV" ] || fatal "missing $DRV (run: make tests/nft-driver)"
N=${NFT_BENCH_N:-1000}
IPT_A=${NFT_BENCH_IPT_A:-1}
REPS=7

new_netns bench-nft >/dev/null
NS=qnmtest-bench-nft-$$
in_ns() { ip netns exec "$NS" "$@"; }

# time_ms CMD... - run CMD, print its wall time in ms
time_ms() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null || fatal "failed: $*"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", a / b }'; }
row() { printf '  %-52s %10s ms  %s\n' "$1" "$2" "${3:-}"; }

guest() { echo "10.99.$(((1 + $1 / 250) & 255)).$((2 + $1 % 250))"; }

echo "== $N port forwards, namespace $NS, $(nproc) CPUs, kernel $(uname -r)"
echo "   $(nft --version), $(iptables-nft --version)"

# --- qnm (its own repetitions; leaves the table with N forwards in place)
res=$(in_ns "$DRV" bench "$N") || fatal "driver bench failed: $res"
get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$res"; }
q_apply=$(get apply) q_apply_kept=$(get apply_kept)
q_add=$(get add1) q_del=$(get del1) q_add_kept=$(get add1_kept) q_del_kept=$(get del1_kept)
nrules=$(in_ns nft -j list table inet qnm | jq '[.nftables[] | select(has("rule"))] | length')
nelem=$(in_ns nft -j list table inet qnm | jq '[.nftables[] | .map? // empty | .elem // [] | length] | add')
[ "$nelem" = "$N" ] || fatal "qnm table holds $nelem forwards, expected $N"

# --- nft -f of the same table (listed back), replacing it each time
{
	echo "table inet qnm"
	echo "delete table inet qnm"
	in_ns nft -s list table inet qnm
} >"$T/map.nft"
for ((i = 0; i < REPS; i++)); do time_ms in_ns nft -f "$T/map.nft"; done >"$T/t-nftmap"
# the cost of "ip netns exec" itself, subtracted from every external command
for ((i = 0; i < REPS; i++)); do time_ms in_ns true; done >"$T/t-exec"
exec_ms=$(median <"$T/t-exec")
sub() { awk -v a="$1" -v b="$exec_ms" 'BEGIN { printf "%.3f", a - b }'; }
nft_map=$(sub "$(median <"$T/t-nftmap")")
[ "$(in_ns nft -j list table inet qnm | jq '[.nftables[] | .map? // empty | .elem // [] | length] | add')" = "$N" ] ||
	fatal "nft -f did not load the same table"

# nft one element add/del on the same table
for ((i = 0; i < REPS; i++)); do
	time_ms in_ns nft add element inet qnm fwd_any '{ udp . 5353 : 10.99.9.9 . 53 }' >>"$T/t-nftadd"
	time_ms in_ns nft delete element inet qnm fwd_any '{ udp . 5353 }' >>"$T/t-nftdel"
done
nft_add=$(sub "$(median <"$T/t-nftadd")") nft_del=$(sub "$(median <"$T/t-nftdel")")
in_ns nft delete table inet qnm

# --- nft -f, one rule per forward
{
	echo "table inet bench"
	echo "delete table inet bench"
	echo "table inet bench {"
	echo " chain forward { type filter hook forward priority 0; policy accept;"
	echo "  iifname \"qnmbr-bench\" counter accept; oifname \"qnmbr-bench\" counter accept; }"
	for ch in prerouting output; do
		echo " chain $ch { type nat hook $ch priority -100; policy accept;"
		for ((i = 0; i < N; i++)); do
			echo "  fib daddr type local tcp dport $((10000 + i)) counter dnat ip to $(guest $i):80"
		done
		echo " }"
	done
	echo " chain postrouting { type nat hook postrouting priority 100; policy accept;"
	echo "  ip saddr 10.99.0.0/16 oifname \"veth-up\" counter masquerade; }"
	echo "}"
} >"$T/rules.nft"
for ((i = 0; i < REPS; i++)); do time_ms in_ns nft -f "$T/rules.nft"; done >"$T/t-nftrules"
nft_rules=$(sub "$(median <"$T/t-nftrules")")
in_ns nft delete table inet bench

# --- iptables-restore (iptables-nft), the same rules, tables replaced each time
{
	echo "*nat"
	echo ":PREROUTING ACCEPT [0:0]"
	echo ":OUTPUT ACCEPT [0:0]"
	echo ":POSTROUTING ACCEPT [0:0]"
	for ch in PREROUTING OUTPUT; do
		for ((i = 0; i < N; i++)); do
			echo "-A $ch -m addrtype --dst-type LOCAL -p tcp --dport $((10000 + i)) -j DNAT --to-destination $(guest $i):80"
		done
	done
	echo "-A POSTROUTING -s 10.99.0.0/16 -o veth-up -j MASQUERADE"
	echo "COMMIT"
	echo "*filter"
	echo ":FORWARD ACCEPT [0:0]"
	echo "-A FORWARD -i qnmbr-bench -j ACCEPT"
	echo "-A FORWARD -o qnmbr-bench -j ACCEPT"
	echo "COMMIT"
} >"$T/ipt.rules"
for ((i = 0; i < REPS; i++)); do time_ms in_ns iptables-nft-restore "$T/ipt.rules"; done >"$T/t-iptr"
ipt_restore=$(sub "$(median <"$T/t-iptr")")
[ "$(in_ns iptables-nft -t nat -S PREROUTING | grep -c DNAT)" = "$N" ] || fatal "iptables-restore did not load $N rules"

# one forward = 2 rules (PREROUTING + OUTPUT) with 2N present
one_ipt() {
	in_ns iptables-nft -t nat "$1" PREROUTING -p udp --dport 5353 -j DNAT --to-destination 10.99.9.9:53 &&
		in_ns iptables-nft -t nat "$1" OUTPUT -p udp --dport 5353 -j DNAT --to-destination 10.99.9.9:53
}
for ((i = 0; i < REPS; i++)); do
	time_ms one_ipt -A >>"$T/t-iptadd"
	time_ms one_ipt -D >>"$T/t-iptdel"
done
ipt_add=$(awk -v a="$(median <"$T/t-iptadd")" -v b="$exec_ms" 'BEGIN { printf "%.3f", a - 2 * b }')
ipt_del=$(awk -v a="$(median <"$T/t-iptdel")" -v b="$exec_ms" 'BEGIN { printf "%.3f", a - 2 * b }')

# --- iptables -A, one process per rule (2N + 3 rules), once
ipt_a="skipped"
if [ "$IPT_A" = 1 ]; then
	in_ns iptables-nft -t nat -F
	in_ns iptables-nft -F FORWARD
	# all in one process inside the namespace, so only iptables itself is timed
	cat >"$T/ipt-a.sh" <<EOF
for ch in PREROUTING OUTPUT; do
	for ((i = 0; i < $N; i++)); do
		iptables-nft -t nat -A \$ch -m addrtype --dst-type LOCAL -p tcp --dport \$((10000 + i)) -j DNAT --to-destination 10.99.\$(((1 + i / 250) & 255)).\$((2 + i % 250)):80
	done
done
iptables-nft -t nat -A POSTROUTING -s 10.99.0.0/16 -o veth-up -j MASQUERADE
iptables-nft -A FORWARD -i qnmbr-bench -j ACCEPT
iptables-nft -A FORWARD -o qnmbr-bench -j ACCEPT
EOF
	ipt_a=$(sub "$(time_ms in_ns bash "$T/ipt-a.sh")")
	[ "$(in_ns iptables-nft -t nat -S OUTPUT | grep -c DNAT)" = "$N" ] || fatal "iptables -A did not add $N rules"
fi

echo
echo "apply $N forwards (whole ruleset, one transaction unless noted)"
row "qnm, one batch (open, commit, close socket)" "$q_apply" "= $(ratio "$q_apply" "$nft_map")x nft -f (same table)"
row "qnm, one batch on a kept socket" "$q_apply_kept" "= $(ratio "$q_apply_kept" "$nft_map")x nft -f (same table)"
row "nft -f, same table (map)" "$nft_map"
row "nft -f, one rule per forward ($((2 * N)) DNAT rules)" "$nft_rules" "(qnm = $(ratio "$q_apply" "$nft_rules")x)"
row "iptables-nft-restore ($((2 * N)) DNAT rules)" "$ipt_restore" "(qnm = $(ratio "$q_apply" "$ipt_restore")x)"
if [ "$IPT_A" = 1 ]; then
	row "iptables-nft -A, one process per rule ($((2 * N + 3)))" "$ipt_a" \
		"($(awk -v a="$ipt_a" -v n=$((2 * N + 3)) 'BEGIN { printf "%.2f ms/rule", a / n }'); qnm = $(ratio "$q_apply" "$ipt_a")x)"
else
	row "iptables-nft -A, one process per rule" "skipped"
fi
echo
echo "one forward when $N exist"
row "qnm add (open, commit, close socket)" "$q_add"
row "qnm del (open, commit, close socket)" "$q_del"
row "qnm add on a kept socket" "$q_add_kept"
row "qnm del on a kept socket" "$q_del_kept"
row "nft add element" "$nft_add"
row "nft delete element" "$nft_del"
row "iptables-nft -A PREROUTING + -A OUTPUT" "$ipt_add"
row "iptables-nft -D PREROUTING + -D OUTPUT" "$ipt_del"
echo
echo "qnm ruleset: $nrules rules + $nelem map elements; medians of 21 (qnm) / $REPS (others) runs;"
echo "external commands: minus $exec_ms ms for 'ip netns exec' itself."
echo "Closing a netfilter socket right after a deletion waits for the kernel's deferred"
echo "cleanup (an RCU grace period); a kept socket does not pay it per change (see src/host/nft.h)."
echo
t1=$(awk -v a="$q_apply" -v b="$nft_map" 'BEGIN { print (a <= 0.5 * b) ? "met" : "NOT met" }')
t1k=$(awk -v a="$q_apply_kept" -v b="$nft_map" 'BEGIN { print (a <= 0.5 * b) ? "met" : "NOT met" }')
t2=$(awk -v a="$q_add" -v b="$q_del" 'BEGIN { print (a <= 5 && b <= 5) ? "met" : "NOT met" }')
t2k=$(awk -v a="$q_add_kept" -v b="$q_del_kept" 'BEGIN { print (a <= 5 && b <= 5) ? "met" : "NOT met" }')
echo "target apply <= 0.5x nft -f: $t1 (per call), $t1k (kept socket)"
echo "target one forward <= 5 ms:  $t2 (per call), $t2k (kept socket)"
exit 0
