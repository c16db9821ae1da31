#!/bin/bash
# bridged-move.sh - a bridged network never locks the admin out (issue 14).
# Namespace H is the host, with a veth "qeth0" playing its physical NIC
# (static IPv4 and IPv6 addresses, a default route with metric for each,
# a route with gateway and source); namespace L is the LAN (the gateway,
# and 10.91.0.1 behind it, reachable from the host only by the default route).
#   - a TCP session from the LAN to the host's address, a line every 100 ms,
#     keeps flowing through bridged net up and net down: every line arrives,
#     and arrives while the bridge holds the address; the host reaches the LAN
#     through the moved default route;
#   - not confirmed, net up rolls back by itself within the deadline + 2 s,
#     also when the qnm that applied it is SIGKILLed right after; then the
#     port's 'ip -j addr' and 'ip -j route' equal the ones before;
#   - confirmed, it stays; a guarded net down not confirmed comes back up;
#   - a DHCP client (udhcpc, by name or as a busybox applet) on the port or
#     a route from DHCP: refused, naming the client and what to change;
#   - while up, what touches the port is refused naming it: its port, the
#     bridged network's address, another network taking its port (--force);
#     a net up that takes back a port that left the bridge is guarded;
#   - SIGKILL at KILLS_BRIDGED (default 50) random moments of net up / net
#     down (--no-guard): the next qnm command leaves the host fully before or
#     fully after, never between.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd socat socat
need_cmd timeout coreutils

H=$(new_netns bmh)
L=$(new_netns bml)
inh() { ip netns exec "$H" "$@"; }
inl() { ip netns exec "$L" "$@"; }
q() { inh timeout 30 "$QNM" "$@"; }

ip -n "$H" link add qeth0 type veth peer name lan0 netns "$L"
ip -n "$H" addr add 10.90.0.5/24 dev qeth0
ip -n "$H" addr add 10.90.0.6/24 brd + dev qeth0
ip -n "$H" addr add 2001:db8:90::5/64 dev qeth0 nodad
ip -n "$H" link set qeth0 up
ip -n "$L" addr add 10.90.0.1/24 dev lan0
ip -n "$L" addr add 2001:db8:90::1/64 dev lan0 nodad
ip -n "$L" addr add 10.91.0.1/32 dev lo
ip -n "$L" link set lan0 up
ip -n "$H" route add default via 10.90.0.1 metric 100
ip -n "$H" route add 10.92.0.0/24 via 10.90.0.1 src 10.90.0.5 metric 5
ip -n "$H" -6 route add default via 2001:db8:90::1 metric 300
"$QNM" net add phys bridge=qbr1 mode=bridged port=qeth0 >/dev/null || fatal "net add phys"

# the port as ip -j shows it (link-local addresses left out: the kernel makes those)
port_state() {
	ip -n "$H" -j addr show dev qeth0 | jq -c '.[0] | .addr_info |= map(select(.scope != "link"))'
	ip -n "$H" -j route show dev qeth0
	ip -n "$H" -6 -j route show dev qeth0 | jq -c 'map(select(.dst | startswith("fe80") | not))'
}
# what moves, as it reads on a link: addresses (without flags/label) and routes
moved_state() {
	ip -n "$H" -j addr show dev "$1" |
		jq -c '[.[0].addr_info[] | select(.scope != "link") | {family, local, prefixlen, broadcast}]'
	ip -n "$H" -j route show dev "$1"
	ip -n "$H" -6 -j route show dev "$1" | jq -c 'map(select(.dst | startswith("fe80") | not))'
}
mac() { ip -n "$H" -j link show dev "$1" 2>/dev/null | jq -r '.[0].address'; }
BEFORE=$(port_state)
MOVED=$(moved_state qeth0)
MAC=$(mac qeth0)
PORT_BARE=$(ip -n "$H" -j addr show dev qeth0 | jq -c '[.[0].addr_info[] | select(.scope != "link")]')
[ -n "$BEFORE" ] && [ "$MOVED" != "" ] || fatal "cannot read qeth0"

# fully_before / fully_after: true when the host is exactly there
pending() { grep -v '^#' "$XDG_RUNTIME_DIR/qnm/owned" 2>/dev/null | grep -q pending=; }
fully_before() {
	[ "$(port_state)" = "$BEFORE" ] && ! ip -n "$H" link show qbr1 >/dev/null 2>&1 && ! pending
}
fully_after() {
	[ "$(ip -n "$H" -j link show dev qeth0 | jq -r '.[0].master')" = qbr1 ] &&
		[ "$(moved_state qbr1)" = "$MOVED" ] && [ "$(mac qbr1)" = "$MAC" ] &&
		[ "$(ip -n "$H" -j addr show dev qeth0 | jq -c '[.[0].addr_info[] | select(.scope != "link")]')" = "[]" ] &&
		! pending
}
where() {
	if fully_before; then echo before; elif fully_after; then echo after; else echo between; fi
}
why_between() {
	echo "port: $(port_state | tr '\n' ' ')"
	echo "qbr1: $(moved_state qbr1 2>&1 | tr '\n' ' ') mac $(mac qbr1)"
	echo "records: $(grep -v '^#' "$XDG_RUNTIME_DIR/qnm/owned" 2>/dev/null | tr '\n' ';')"
}
# reach_lan - the host reaches 10.91.0.1 (only through the default route)
reach_lan() {
	inl timeout 5 socat -u TCP-LISTEN:7001,bind=10.91.0.1,reuseaddr OPEN:/dev/null &
	local l=$!
	wait_for 3 listening "$L" 7001
	inh timeout 3 socat -u OPEN:/dev/null TCP:10.91.0.1:7001,connect-timeout=2
	local r=$?
	wait "$l" 2>/dev/null
	return $r
}

# ---- 1. a TCP session over the port keeps flowing through up and down ----
out=$(q net confirm phys 2>&1)
expect_contains "nothing to confirm before any change" "network phys has no change waiting for confirmation" "$out"
GOT=$T/got
inh socat -u TCP-LISTEN:7000,bind=10.90.0.5,reuseaddr OPEN:"$GOT",creat,append &
SRV=$!
wait_for 5 listening "$H" 7000 || fatal "no listener"
N=50
(for ((i = 1; i <= N; i++)); do echo "$i"; sleep 0.1; done) |
	inl socat -u - TCP:10.90.0.5:7000,connect-timeout=2 &
CLI=$!
sleep 0.6
t0=$(($(wc -l <"$GOT")))
out=$(q net up phys --confirm-port --no-guard 2>&1)
expect_eq "net up (no guard)" 0 "$?"
expect_contains "net up says where the address went" \
	"qeth0 is now a port of qbr1: the host's address on qeth0 (10.90.0.5/24) moved to qbr1 with 3 routes and its MAC $MAC" "$out"
# the neighbours expire (in minutes on a real host): the host must resolve the
# LAN again, which works only from the link that holds its address and routes
ip -n "$H" neigh flush all
sleep 1.5
# lines sent while the bridge holds the address arrive then, not after net down
t1=$(($(wc -l <"$GOT")))
expect_eq "lines flow while up (at least 10 more after 1.5 s)" yes "$([ $((t1 - t0)) -ge 10 ] && echo yes || echo "no: $t0 -> $t1")"
expect_eq "up: the port's addresses and routes are on the bridge, same MAC" after "$(where)"
check "up: the host reaches the LAN through the moved default route" reach_lan
out=$(q net show phys)
expect_contains "net show: where the address lives" "# the host's address 10.90.0.5/24 is on qbr1 (moved there by qnm with its routes)" "$out"
expect_contains "net show: the enslaved port" "# port qeth0: qbr1" "$out"
out=$(q net down phys --no-guard 2>&1)
expect_eq "net down (no guard)" 0 "$?"
expect_contains "net down says the address is back" "the host's address 10.90.0.5/24 is back on qeth0 with 3 routes" "$out"
expect_eq "down: the port as before (ip -j addr/route)" before "$(where)"
wait "$CLI"
expect_eq "the LAN's client sent every line without an error" 0 "$?"
sleep 0.5
kill "$SRV" 2>/dev/null
wait "$SRV" 2>/dev/null
expect_eq "0 lines lost, in order" "$(seq 1 $N | tr '\n' ' ')" "$(tr '\n' ' ' <"$GOT")"
check "down: the host reaches the LAN" reach_lan

# ---- 2. not confirmed: rolled back within the deadline + 2 s ----
# wait_before SECONDS - poll until fully before; print the seconds it took
wait_before() {
	local t0=${EPOCHREALTIME/[.,]/} i
	for ((i = 0; i < $1 * 10; i++)); do
		fully_before && break
		sleep 0.1
	done
	echo $(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
}
t0=${EPOCHREALTIME/[.,]/}
out=$(q net up phys --confirm-port --confirm-in 3 2>&1)
expect_eq "guarded net up" 0 "$?"
expect_contains "net up says how to confirm, and the deadline" "keep these network settings: run 'qnm net confirm phys' within 3 s (by " "$out"
expect_eq "guarded up applied" after "$(where)"
out=$(q net show phys --json | jq -r '.guard.state + " " + .guard.undo + " " + .host_address.address_on')
ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
if [ $ms -lt 3000 ]; then
	expect_eq "net show --json: the guard is armed, the address on the bridge" "armed down qbr1" "$out"
else
	# a loaded host took the whole deadline to get here: the guard may act already
	echo "net show ran $ms ms after net up began (deadline 3000 ms): '$out'"
	case $out in
	"armed down qbr1" | "rolling-back down "* | "rolled-back down "*) ok "net show --json: the guard's state (late)" ;;
	*) fail "net show --json: the guard's state (late): '$out'" ;;
	esac
fi
wait_before 6 >/dev/null
ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
expect_eq "not confirmed: rolled back within 5 s (deadline 3 + 2)" yes "$([ "$(where)" = before ] && [ $ms -le 5000 ] && echo yes || echo "no: $(where) after $ms ms")"
echo "rolled back $ms ms after net up began (deadline 3000 ms)"
expect_eq "rolled back: ip -j addr and route of the port equal the recorded ones" "$BEFORE" "$(port_state)"
out=$(q net show phys --json | jq -r '.guard.state + ": " + .guard.reason')
expect_eq "net show --json: the outcome" "rolled-back: not confirmed by the deadline: rolled back (net down)" "$out"
out=$(q net show phys)
expect_contains "net show: the outcome" "# guard: rolled-back: not confirmed by the deadline" "$out"
out=$(q net confirm phys 2>&1)
expect_contains "confirm after the rollback: too late" "too late: network phys's change was rolled-back" "$out"

# the same with the qnm that applied it SIGKILLed right after the port moved
t0=${EPOCHREALTIME/[.,]/}
inh "$QNM" net up phys --confirm-port --confirm-in 2 >/dev/null 2>&1 &
UP=$!
for ((i = 0; i < 300; i++)); do
	[ "$(ip -n "$H" -j link show dev qeth0 | jq -r '.[0].master')" = qbr1 ] && break
	sleep 0.01
done
kill -9 "$UP" 2>/dev/null
wait "$UP" 2>/dev/null
killed=$([ $i -lt 300 ] && echo yes || echo no)
expect_eq "qnm SIGKILLed once the port was in the bridge" yes "$killed"
wait_before 6 >/dev/null
ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
expect_eq "qnm killed: the guard rolled back within 4 s" yes "$([ "$(where)" = before ] && [ $ms -le 4000 ] && echo yes || echo "no: $(where) after $ms ms")"
echo "qnm killed: rolled back $ms ms after net up began (deadline 2000 ms)"
expect_eq "killed, rolled back: ip -j addr and route equal the recorded ones" "$BEFORE" "$(port_state)"

# ---- 3. confirmed: it stays; a guarded down not confirmed comes back ----
q net up phys --confirm-port --confirm-in 2 >/dev/null 2>&1
out=$(q net confirm phys 2>&1)
expect_eq "net confirm" "network phys: the change is kept" "$out"
sleep 3
expect_eq "confirmed: still after the deadline" after "$(where)"
expect_eq "confirmed: net show --json says kept" kept "$(q net show phys --json | jq -r .guard.state)"
check "confirmed: the host reaches the LAN" reach_lan
out=$(q net confirm phys 2>&1)
expect_eq "a second confirm: still kept" "network phys: the change is kept" "$out"
q net down phys --confirm-in 2 >/dev/null 2>&1
expect_eq "guarded down applied" before "$(where)"
for ((i = 0; i < 40; i++)); do fully_after && break; sleep 0.1; done
expect_eq "down not confirmed: back up within 4 s" after "$(where)"
q net down phys --confirm-in 2 >/dev/null 2>&1
q net confirm phys >/dev/null 2>&1
sleep 2.5
expect_eq "down confirmed: stays down" before "$(where)"
out=$(q net confirm phys 2>&1)
expect_eq "confirmed twice: still kept" "network phys: the change is kept" "$out"

# ---- 4. a port another manager configures is refused ----
ip -n "$H" addr add 10.90.0.9/24 dev qeth0 valid_lft 600 preferred_lft 600
out=$(q net up phys --confirm-port --no-guard 2>&1)
expect_eq "dynamic address: refused" 1 "$?"
expect_contains "dynamic address: says which and what to do" "address 10.90.0.9/24 on qeth0 is dynamic (a lease): qnm does not move what another program gave" "$out"
expect_eq "dynamic address: nothing changed" "" "$(ip -n "$H" -j link show qbr1 2>/dev/null | jq -r '.[].ifname')"
ip -n "$H" addr del 10.90.0.9/24 dev qeth0
expect_eq "the port as before" before "$(where)"

# ---- 4b. a DHCP client on the port, a route a DHCP client set: refused, named ----
nothing_changed() {
	[ "$(where)" = before ] && ! ip -n "$H" link show qbr1 >/dev/null 2>&1
}
ln -s "$(command -v busybox)" "$T/udhcpc"
for how in link applet; do
	# ip netns exec becomes the client (same pid)
	if [ $how = link ]; then
		ip netns exec "$H" "$T/udhcpc" -i qeth0 -f -t 1000 -T 1 -s /bin/true >/dev/null 2>&1 &
	else
		ip netns exec "$H" busybox udhcpc -i qeth0 -f -t 1000 -T 1 -s /bin/true >/dev/null 2>&1 &
	fi
	DH=$! DHPID=$!
	wait_for 3 grep -q udhcpc "/proc/$DH/cmdline"
	out=$(q net up phys --confirm-port --no-guard 2>&1)
	expect_eq "udhcpc ($how) on the port: refused" 1 "$?"
	expect_contains "udhcpc ($how): says which client and what to change" \
		"qeth0 is configured by the DHCP client udhcpc (pid $DHPID): qnm does not move a leased address; run the DHCP client on qbr1 instead" "$out"
	check "udhcpc ($how): nothing changed" nothing_changed
	kill "$DH" 2>/dev/null
	wait "$DH" 2>/dev/null
done
ip -n "$H" route add 10.94.0.0/24 via 10.90.0.1 dev qeth0 proto dhcp
out=$(q net up phys --confirm-port --no-guard 2>&1)
expect_eq "a route from DHCP: refused" 1 "$?"
expect_contains "a route from DHCP: says which and what to do" \
	"route 10.94.0.0/24 on qeth0 comes from a DHCP client: qnm does not move what another program set; configure it on qbr1 there instead" "$out"
ip -n "$H" route del 10.94.0.0/24 via 10.90.0.1 dev qeth0 proto dhcp
check "a route from DHCP: nothing changed (that route still on qeth0 until removed)" nothing_changed

# ---- 4c. while up, what touches the port is refused, naming it ----
q net up phys --confirm-port --no-guard >/dev/null 2>&1 || fail "net up for 4c"
out=$(q net set phys port=qeth1 2>&1)
expect_eq "set port while up: refused" 1 "$?"
expect_contains "set port while up: says why" \
	"net set: port: network phys is up: its name, bridge, mode and port change only while it is down (qnm net down phys)" "$out"
out=$(q net set phys address=10.90.0.200/24 2>&1)
expect_eq "set a bridged network's address while up: refused" 1 "$?"
expect_contains "set address while up: says why" \
	"net set: address: network phys is up and bridged: its bridge carries the host's addresses from port qeth0, so its own address changes only while it is down (qnm net down phys)" "$out"
expect_eq "refused sets: the network unchanged" "port=qeth0 address=" \
	"$(q net show phys --json | jq -r '"port=" + .port + " address=" + (.address // "")')"
"$QNM" net add phys2 bridge=qbr2 mode=bridged port=qeth0 >/dev/null || fatal "net add phys2"
out=$(q net up phys2 --confirm-port --force --no-guard 2>&1)
expect_eq "another network taking the port of an up one: refused (even with --force)" 1 "$?"
expect_contains "another network taking the port: says whose it is" \
	"qeth0 is the port of network phys (up, bridge qbr1), whose bridge carries what was on qeth0: take phys down first (qnm net down phys)" "$out"
expect_eq "the port stays with phys, the address on qbr1" after "$(where)"
expect_eq "no bridge qbr2 left" "" "$(ip -n "$H" -j link show qbr2 2>/dev/null | jq -r '.[].ifname')"
"$QNM" net del phys2 >/dev/null || fail "net del phys2"
# the port taken out of the bridge by hand: net up takes it again, guarded like the first up
ip -n "$H" link set qeth0 nomaster
# 4 s to confirm: at load 12 reading the state (a dozen ip and jq runs) took
# long enough with 2 s that the guard had begun its rollback (seen once: between)
out=$(q net up phys --confirm-port --confirm-in 4 2>&1)
expect_contains "up again over a port that left the bridge: guarded" \
	"keep these network settings: run 'qnm net confirm phys' within 4 s" "$out"
state=$(where)
expect_eq "up again: the port back in the bridge" after "$state"
[ "$state" = after ] || why_between
for ((i = 0; i < 60; i++)); do fully_before && break; sleep 0.1; done
expect_eq "up again not confirmed: rolled back (net down) within 6 s" before "$(where)"
q net down phys --no-guard >/dev/null 2>&1
expect_eq "4c: down, the port as before" before "$(where)"

# ---- 5. SIGKILL at random moments: the next command leaves it fully before or after ----
KILLS=${KILLS_BRIDGED:-50}
SEED=${SEED:-$$}
RANDOM=$SEED
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
timed() {
	local t0=$(now_us)
	inh timeout --foreground -s KILL 30 "$QNM" "$@" >/dev/null 2>&1 || fatal "qnm $* failed"
	echo $(($(now_us) - t0))
}
D_up=$(timed net up phys --confirm-port --no-guard)
D_down=$(timed net down phys --no-guard)
echo "durations (us): net up $D_up, net down $D_down; seed $SEED"
MID=0 ROUND=0 BETWEEN=0 WRONG=0
while [ $MID -lt "$KILLS" ] && [ $ROUND -lt $((3 * KILLS)) ]; do
	ROUND=$((ROUND + 1))
	if grep -q '^net phys ' "$XDG_RUNTIME_DIR/qnm/owned" 2>/dev/null; then
		OP=down D=$D_down ARGS=(net down phys --no-guard)
	else
		OP=up D=$D_up ARGS=(net up phys --confirm-port --no-guard)
	fi
	DELAY=$((((RANDOM << 15) | RANDOM) % D))
	inh timeout --foreground -s KILL "$(printf '%d.%06d' $((DELAY / 1000000)) $((DELAY % 1000000)))" \
		"$QNM" "${ARGS[@]}" >/dev/null 2>&1
	[ $? = 137 ] || continue
	MID=$((MID + 1))
	# the next command: the same one again, or the other one (even odds)
	if [ $((RANDOM % 2)) = 0 ]; then NEXT=$OP; else NEXT=$([ $OP = up ] && echo down || echo up); fi
	if [ $NEXT = up ]; then
		q net up phys --confirm-port --no-guard >/dev/null 2>&1 || WRONG=$((WRONG + 1))
		want=after
	else
		q net down phys --no-guard >/dev/null 2>&1 || WRONG=$((WRONG + 1))
		want=before
	fi
	got=$(where)
	if [ "$got" != "$want" ]; then
		BETWEEN=$((BETWEEN + 1))
		[ $BETWEEN -le 5 ] && echo "round $ROUND: $OP killed after ${DELAY}us, then net $NEXT: $got" &&
			why_between
	fi
done
echo "kills: $MID mid-command in $ROUND rounds"
expect_eq "kills landed mid-command" "$KILLS" "$MID"
expect_eq "after each kill the next command left the host fully before or after" 0 "$BETWEEN"
expect_eq "the next command never failed" 0 "$WRONG"
q net down phys --no-guard >/dev/null 2>&1
expect_eq "end: the port as it was at the start" before "$(where)"
expect_eq "end: no address left on a bridge" "$PORT_BARE" "$(ip -n "$H" -j addr show dev qeth0 | jq -c '[.[0].addr_info[] | select(.scope != "link")]')"

finish
