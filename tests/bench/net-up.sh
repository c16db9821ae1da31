#!/bin/bash
# net-up.sh - wall time of "qnm net up" (from down) of a NAT network with N
# DNAT forwards (N = 10, 1,000 and 10,000 by default), against "nft -f" of
# the very same table (listed back from the kernel after qnm's net up), in a
# network namespace created here, in the same run: for each N, REPS rounds
# (default 3) of qnm net up, nft -f replacing the table ("table inet qnm;
# delete table inet qnm; table inet qnm {...}", the idiom of an atomic
# replace) and nft -f creating it (the table absent, as qnm finds it). All
# commands run in one shell inside the namespace (no "ip netns exec" per
# command). qnm's whole command is timed: config load and checks, records
# and lock, bridge, address, ip_forward, the nftables batch. Its runtime
# directory is on tmpfs, as XDG_RUNTIME_DIR (/run/user/UID) is. Prints
# medians and ratios; never fails on time. Target (issue 16): <= 0.4x nft -f.
# For scale, the same done by hand in one sh (ip link add, ip addr add, ip
# link set up, sysctl, nft -f) is timed too.
#
# The floor (with strace installed): qnm's own kernel writes for that net up
# (bridge, address, up, /proc/sys, the nftables batch), captured once with
# strace (tests/bench/nlwrites.py) and replayed by tests/bench/netup-floor,
# which does nothing else. No program doing what net up does can spend less;
# "qnm - floor" is what qnm's own work (config, checks, lock, records) costs.
#
# Netfilter hooks, cold and warm: the kernel enables a hook type (a static
# key, patched into its code on every CPU) when the first chain of that type
# appears anywhere on the machine, and disables it when the last goes. On a
# host with no firewall (this CI machine) every net up and nft -f that
# creates the table pays that (replace does not: its new chains are hooked
# before the old ones go). On a host with any firewall the keys are on
# already. "warm" rounds hold chains of each type qnm uses in another
# namespace made here, as a firewall would; "cold" rounds hold none (cold
# only if nothing else on the machine holds them: the root ruleset is shown).
#
# With QNM_BASE set to another qnm binary (e.g. main's), it runs too, and
# its ratio is printed. Wall and CPU time (user + system of the command,
# tests/bench/timed.py) are both given: on a loaded machine wall time is
# mostly waiting for a CPU.
#
# Usage: [NET_BENCH_NS="10 1000 10000"] [NET_BENCH_REPS=3] [NET_BENCH_HOOKS="cold warm"]
#        [QNM_BASE=/path/to/qnm] tests/bench/net-up.sh
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
NS_LIST=${NET_BENCH_NS:-10 1000 10000}
REPS=${NET_BENCH_REPS:-3}
HOOKS=${NET_BENCH_HOOKS:-cold warm}
FLOOR=$QNM_BUILDDIR/tests/bench/netup-floor
[ -x "$FLOOR" ] || fatal "build it first: make tests/bench/netup-floor (make bench-net-up does)"
have_strace=$(command -v strace || true)
NS=$(new_netns bench-netup)
HOLD=$(new_netns bench-hooks)
RUN=$(mktemp -d /dev/shm/qnmtest-netup.XXXXXX) || fatal "no tmpfs at /dev/shm"
at_exit "rm -rf '$RUN'"
chmod 700 "$RUN"
export XDG_RUNTIME_DIR=$RUN

cat >"$T/round.sh" <<'EOF'
# round.sh NET LABEL=QNM... : one round inside the namespace; prints "label wall_ms cpu_ms"
net=$1
shift
for lq in "$@"; do
	label=${lq%%=*} q=${lq#*=}
	o=$(python3 "$TIMED" "$q" net up "$net") || { echo "FAIL $q net up"; exit 1; }
	echo "$label $o"
	[ -s "$DIR/table.nft" ] || nft -s list table inet qnm >"$DIR/table.nft"
	"$q" net down "$net" >/dev/null 2>&1 || { echo "FAIL $q net down"; exit 1; }
done
if [ -s "$DIR/writes.bin" ]; then
	o=$(python3 "$TIMED" "$FLOOR" "$DIR/writes.bin" "$BR") || { echo "FAIL floor replay"; exit 1; }
	echo "floor $o"
	ip link del "$BR"
	nft delete table inet qnm
fi
{ echo "table inet qnm"; echo "delete table inet qnm"; cat "$DIR/table.nft"; } >"$DIR/replace.nft"
o=$(python3 "$TIMED" nft -f "$DIR/replace.nft") || { echo "FAIL nft -f replace"; exit 1; }
echo "nft-replace $o"
nft delete table inet qnm
o=$(python3 "$TIMED" nft -f "$DIR/table.nft") || { echo "FAIL nft -f create"; exit 1; }
echo "nft-create $o"
nft delete table inet qnm
# the same by hand, as an admin's script would: bridge, address, up, sysctls, nft -f
o=$(python3 "$TIMED" sh -c "ip link add $BR type bridge && ip addr add $ADDR dev $BR &&
	ip link set $BR up && sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.$BR.route_localnet=1 &&
	nft -f '$DIR/table.nft'") || { echo "FAIL by hand"; exit 1; }
echo "by-hand $o"
nft delete table inet qnm
ip link del "$BR"
EOF
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
bins=("qnm=$QNM")
[ -n "${QNM_BASE:-}" ] && bins=("base=$QNM_BASE" "qnm=$QNM")

# warm: chains of each hook type qnm's table uses, in the namespace $HOLD
hold_hooks() {
	ip netns exec "$HOLD" nft -f - <<'NFT'
table inet hold {
	chain hforward { type filter hook forward priority filter; }
	chain hraw { type filter hook prerouting priority raw; }
	chain hpre { type nat hook prerouting priority dstnat; }
	chain hout { type nat hook output priority -100; }
	chain hpost { type nat hook postrouting priority srcnat; }
}
NFT
}
release_hooks() { ip netns exec "$HOLD" nft delete table inet hold 2>/dev/null || true; }

echo "== qnm net up of a NAT network with N forwards vs nft -f of the same table;"
echo "   medians of $REPS rounds, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(nft --version)"
floor_note="qnm's writes replayed by netup-floor"
[ -n "$have_strace" ] || floor_note="not measured (no strace)"
echo "   netfilter hooks: $HOOKS (root namespace ruleset: $(nft list ruleset 2>/dev/null | wc -l) lines); floor: $floor_note"
for n in $NS_LIST; do
	net=b$n
	fwds=()
	for ((i = 0; i < n; i++)); do
		fwds+=("forward+=tcp::$((10000 + i))-10.83.$((i / 250)).$((2 + i % 250)):80")
	done
	"$QNM" net add "$net" bridge=qbbr0 address=10.83.0.1/16 mode=nat "${fwds[@]}" >/dev/null 2>&1 ||
		fatal "net add $net"
	for h in $HOOKS; do
		d=$T/$n-$h
		mkdir -p "$d"
		release_hooks
		[ "$h" = warm ] && { hold_hooks || fatal "cannot hold the hooks in $HOLD"; }
		if [ -n "$have_strace" ]; then
			ip netns exec "$NS" strace -s 1000000 -o "$d/strace.log" \
				-e trace=socket,openat,sendto,sendmsg,write -e write=all \
				"$QNM" net up "$net" >/dev/null 2>&1 || fatal "net up $net under strace"
			ip netns exec "$NS" "$QNM" net down "$net" >/dev/null 2>&1 || fatal "net down $net"
			python3 "$QNM_SRCDIR/tests/bench/nlwrites.py" "$d/strace.log" "$d/writes.bin" >"$d/writes.txt" ||
				fatal "no writes captured: $(cat "$d/writes.txt")"
		fi
		for ((r = 0; r < REPS; r++)); do
			DIR=$d TIMED=$QNM_SRCDIR/tests/bench/timed.py FLOOR=$FLOOR BR=qbbr0 ADDR=10.83.0.1/16 \
				ip netns exec "$NS" \
				bash "$T/round.sh" "$net" "${bins[@]}" >>"$d/times" ||
				fatal "round failed: $(tail -1 "$d/times")"
		done
		grep -q FAIL "$d/times" && fatal "$(grep FAIL "$d/times")"
		get() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$d/times" | median; }
		for c in 2 3; do
			what=$([ $c = 2 ] && echo "wall" || echo "CPU ")
			rep=$(get nft-replace $c) cre=$(get nft-create $c) q=$(get qnm $c)
			tag=$(printf '%6d forwards, hooks %s, %s' "$n" "$h" "$what")
			printf '  %s: qnm net up %8.2f ms   nft -f replace %8.2f ms (ratio %s)   nft -f create %8.2f ms (ratio %s)\n' \
				"$tag" "$q" "$rep" "$(ratio "$q" "$rep")" "$cre" "$(ratio "$q" "$cre")"
			if [ -s "$d/writes.bin" ]; then
				fl=$(get floor $c)
				printf '  %s: floor (qnm'"'"'s writes replayed) %8.2f ms = %s x nft -f replace; qnm - floor %.2f ms\n' \
					"$tag" "$fl" "$(ratio "$fl" "$rep")" "$(awk -v a="$q" -v b="$fl" 'BEGIN { print a - b }')"
			fi
			hand=$(get by-hand $c)
			printf '  %s: by hand (ip link/addr, sysctl, nft -f in one sh) %8.2f ms (qnm net up: ratio %s)\n' \
				"$tag" "$hand" "$(ratio "$q" "$hand")"
			if [ -n "${QNM_BASE:-}" ]; then
				b=$(get base $c)
				printf '  %s: QNM_BASE net up %8.2f ms (ratio %s to nft -f replace, %s to nft -f create)\n' \
					"$tag" "$b" "$(ratio "$b" "$rep")" "$(ratio "$b" "$cre")"
			fi
			printf '  %s: target <= 0.4x nft -f (replace): %s\n' "$tag" \
				"$(awk -v a="$q" -v b="$rep" 'BEGIN { print (a <= 0.4 * b) ? "met" : "NOT met" }')"
		done
	done
	release_hooks
	"$QNM" net del "$net" >/dev/null 2>&1 || fatal "net del $net"
done
exit 0
