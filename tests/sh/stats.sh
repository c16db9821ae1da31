#!/bin/bash
# stats.sh - "qnm stats" (src/watch/sampler.c, src/cli/stats.c) against the kernel,
# in three network namespaces this test creates:
#   host:    bridge qsbr0 (network "lan") with ports qstap0 (a TAP, NIC n0 of
#            VM "web") and qsv0 (veth); uplink veth qsu0; dummy qsp0 (the port
#            of bridged network "phys")
#   guest:   qgtap, the "guest NIC" behind qstap0: two socat processes pass
#            frames between the TAP's file descriptor and qgtap over unix
#            datagram sockets, as QEMU would
#   outside: qsv1 and qsu1, the peers of the veths
# Checks: counters equal "ip -s -j link" (read before and after, either is
# accepted), rates > 0 while traffic flows, roles and VM/NIC/network mapping,
# the TAP's guest view equals the guest NIC's own counters, the totals rule
# (bridge not counted with its ports), --watch/--count, usage errors; and a
# slirp helper of a "running" VM fed frames by a fake QEMU: its counters
# under VM/NIC, matching the helper and the bytes sent; a running VM's
# missing TAP and a helper that is gone shown as unavailable.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd socat socat
need_cmd busybox busybox-static

new_netns sampler >/dev/null
NS=qnmtest-sampler-$$
new_netns samplerg >/dev/null
NSG=qnmtest-samplerg-$$
new_netns samplero >/dev/null
NSO=qnmtest-samplero-$$
# No IPv6: its spontaneous frames (router solicitations, MLD) on the TAP could
# reach the first socat before the second one exists, and socat exits on that
# failed sendto.
for n in "$NS" "$NSG" "$NSO"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
in_ns() { ip netns exec "$NS" "$@"; }
in_g() { ip netns exec "$NSG" "$@"; }
in_o() { ip netns exec "$NSO" "$@"; }
for n in "$NS" "$NSG" "$NSO"; do # no IPv6: no DAD or RS changing counters under us
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
q() { in_ns timeout 30 "$QNM" "$@"; }

# --- the host namespace ---
in_ns ip link add qsbr0 type bridge
in_ns ip link set qsbr0 type bridge stp_state 0 forward_delay 0
in_ns ip addr add 10.64.0.1/24 dev qsbr0
in_ns ip tuntap add dev qstap0 mode tap
in_ns ip link set qstap0 master qsbr0
in_ns ip link add qsv0 type veth peer name qsv1 netns "$NSO"
in_ns ip link set qsv0 master qsbr0
in_ns ip link add qsu0 type veth peer name qsu1 netns "$NSO"
in_ns ip addr add 10.66.0.1/24 dev qsu0
in_ns ip link add qsp0 type veth peer name qsp1 netns "$NSO"
for l in qsbr0 qstap0 qsv0 qsu0 qsp0; do in_ns ip link set "$l" up; done
in_o ip addr add 10.64.0.2/24 dev qsv1
in_o ip addr add 10.66.0.2/24 dev qsu1
in_o ip link set qsv1 up
in_o ip link set qsu1 up

# (background processes are started with "ip netns exec" itself, not through
# the functions, so that $! is their pid)
# --- the "guest": frames between qstap0's fd and qgtap, one datagram each ---
D=$(mktemp -d /tmp/qnmtest-stats-sock.XXXXXX)
at_exit "rm -rf '$D'"
# The guest side first: it sends nothing until the test pings, while the bridge
# side may get frames at once and socat exits when its peer socket is missing.
ip netns exec "$NSG" socat TUN:10.64.0.3/24,tun-type=tap,tun-name=qgtap,iff-no-pi,iff-up \
	"UNIX-SENDTO:$D/h.sock,bind=$D/g.sock" 2>"$T/socat-g.log" &
SG=$!
at_exit "kill $SG 2>/dev/null"
wait_for 5 test -S "$D/g.sock" || fatal "socat did not create qgtap: $(cat "$T/socat-g.log")"
ip netns exec "$NS" socat TUN,tun-type=tap,tun-name=qstap0,iff-no-pi,iff-up \
	"UNIX-SENDTO:$D/g.sock,bind=$D/h.sock" 2>"$T/socat-h.log" &
SH=$!
at_exit "kill $SH 2>/dev/null"
wait_for 5 test -S "$D/h.sock" || fatal "socat did not attach to qstap0: $(cat "$T/socat-h.log")"
wait_for 10 in_g busybox ping -q -c 1 -W 1 10.64.0.1 >/dev/null ||
	fatal "guest cannot reach the bridge through the TAP"
in_g busybox ping -q -c 1 -W 2 10.64.0.2 >/dev/null && ok "guest reaches outside through the bridge" ||
	fail "guest -> 10.64.0.2"

# --- the model: network lan (bridge, uplink), phys (port), VM web (tap NIC) ---
check "net add lan" q net add lan bridge=qsbr0 address=10.64.0.1/24 mode=nat uplink=qsu0
check "net add phys" q net add phys bridge=qsbr9 mode=bridged port=qsp0
check "new web" q new web
check "nic add web" q nic add web backend=tap ifname=qstap0 network=lan

# --- counters equal ip -s -j link ---
ipj() { in_ns ip -s -j link show | jq -S -c 'map({name: .ifname, rxb: .stats64.rx.bytes,
	txb: .stats64.tx.bytes, rxp: .stats64.rx.packets, txp: .stats64.tx.packets,
	rxe: .stats64.rx.errors, txe: .stats64.tx.errors, rxd: .stats64.rx.dropped,
	txd: .stats64.tx.dropped}) | sort_by(.name)'; }
oursj() { q stats --json --interval 0.2 | jq -S -c '[.interfaces[] | select(.ifindex != null) |
	{name, rxb: .stats.rx_bytes, txb: .stats.tx_bytes, rxp: .stats.rx_packets,
	txp: .stats.tx_packets, rxe: .stats.rx_errors, txe: .stats.tx_errors,
	rxd: .stats.rx_dropped, txd: .stats.tx_dropped}] | sort_by(.name)'; }
settle() { # until nothing moves in the host namespace
	local a b i
	for i in $(seq 20); do
		a=$(ipj); sleep 0.3; b=$(ipj)
		[ "$a" = "$b" ] && return 0
	done
}
same_as_ip() { # DESC: qnm's second reading (the counters-only refill) == ip -s -j link
	settle
	for i in 1 2 3 4 5; do
		before=$(ipj); ours=$(oursj); after=$(ipj)
		[ "$ours" = "$before" ] || [ "$ours" = "$after" ] && break
		sleep 0.5
	done
	if [ "$ours" = "$before" ] || [ "$ours" = "$after" ]; then
		ok "$1"
	else
		fail "$1"
		printf '  ip before: %s\n  qnm:       %s\n  ip after:  %s\n' "$before" "$ours" "$after"
	fi
}
same_as_ip "qnm stats == ip -s -j link (every link, all 8 counters)"
[ "$(echo "$ours" | jq '[.[] | select(.name == "qstap0") | .rxb] | .[0]')" -gt 0 ] &&
	ok "the TAP has counted traffic" || fail "no traffic on qstap0"
# with most links down (at most a quarter up, also after qsd0 and qse0 come
# up), the refill asks only the links that are up, one request each
# (src/host/links.c): the same numbers, the down links' included
for ((i = 0; i < 16; i++)); do echo "link add qsd$i type veth peer name qse$i"; done >"$T/veths"
in_ns ip -batch "$T/veths" || fatal "veths"
same_as_ip "with 32 more links down: qnm stats == ip -s -j link (only up links asked)"
# a link that comes up is read from then on (ARP requests out of qsd0)
in_ns ip link set qse0 up
in_ns ip link set qsd0 up
in_ns ip addr add 10.99.0.1/24 dev qsd0
in_ns busybox ping -c 2 -W 1 10.99.0.2 >/dev/null 2>&1
same_as_ip "a link that came up is counted (qsd0)"
[ "$(echo "$ours" | jq '[.[] | select(.name == "qsd0") | .txp] | .[0]')" -gt 0 ] &&
	ok "qsd0 counted its frames" || fail "qsd0 counted nothing"

# --- roles and mapping ---
J=$(q stats --json --interval 0.2)
role() { echo "$J" | jq -r --arg n "$1" '.interfaces[] | select(.name == $n) |
	"\(.role) \(.vm) \(.nic) \(.network) \(.master)"'; }
expect_eq "qstap0: tap of web/n0 on lan" "tap web n0 lan qsbr0" "$(role qstap0)"
expect_eq "qsbr0: bridge of lan" "bridge null null lan null" "$(role qsbr0)"
expect_eq "qsu0: uplink of lan" "uplink null null lan null" "$(role qsu0)"
expect_eq "qsp0: port of phys" "port null null phys null" "$(role qsp0)"
expect_eq "qsv0: a host link (port of qsbr0)" "host null null null qsbr0" "$(role qsv0)"
expect_eq "lo: host link" "host null null null null" "$(role lo)"
expect_eq "guest view only for guest-facing entries" "qstap0" \
	"$(echo "$J" | jq -r '[.interfaces[] | select(.guest != null) | .name] | join(" ")')"
expect_eq "qnm stats web: its NIC only" '["qstap0"]' \
	"$(q stats web --json --interval 0.1 | jq -c '[.interfaces[].name]')"
expect_eq "qnm stats web/n0" '["qstap0"]' \
	"$(q stats web/n0 --json --interval 0.1 | jq -c '[.interfaces[].name]')"

# --- the guest view of the TAP is the guest NIC's own view ---
gview() { q stats qstap0 --json --interval 0.1 | jq -c '.interfaces[0].guest.stats |
	[.rx_bytes, .rx_packets, .tx_bytes, .tx_packets]'; }
gown() { in_g ip -s -j link show qgtap | jq -c '.[0].stats64 |
	[.rx.bytes, .rx.packets, .tx.bytes, .tx.packets]'; }
for i in 1 2 3 4 5; do
	gb=$(gown); gv=$(gview); ga=$(gown)
	[ "$gv" = "$gb" ] || [ "$gv" = "$ga" ] && break
	sleep 0.5
done
if [ "$gv" = "$gb" ] || [ "$gv" = "$ga" ]; then ok "guest view of qstap0 == qgtap's own counters ($gv)"
else fail "guest view of qstap0 == qgtap's counters"; printf '  guest before %s  qnm %s  after %s\n' "$gb" "$gv" "$ga"; fi
expect_eq "guest view is the kernel view flipped" true "$(q stats qstap0 --json --interval 0.1 |
	jq '.interfaces[0] | .guest.stats.tx_bytes == .stats.rx_bytes and
	.guest.stats.rx_packets == .stats.tx_packets and .guest.stats.rx_dropped == .stats.tx_dropped')"

# --- rates while traffic flows: guest -> host through the TAP and the bridge ---
ip netns exec "$NSG" busybox ping -q -i 0.02 -c 150 -s 500 10.64.0.1 >/dev/null &
P=$!
at_exit "kill $P 2>/dev/null"
sleep 0.3
J=$(q stats --json --interval 0.5)
wait $P
rate() { echo "$J" | jq -r --arg n "$1" ".interfaces[] | select(.name == \$n) | $2"; }
pos() { awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }
check "qstap0: kernel rx rate > 0 ($(rate qstap0 .rates.rx_bytes) B/s)" pos "$(rate qstap0 .rates.rx_bytes)"
check "qstap0: guest tx rate > 0" pos "$(rate qstap0 .guest.rates.tx_bytes)"
expect_eq "qstap0: guest tx rate == kernel rx rate" "$(rate qstap0 .rates.rx_bytes)" \
	"$(rate qstap0 .guest.rates.tx_bytes)"
check "qstap0: packets/s > 0" pos "$(rate qstap0 .rates.rx_packets)"
check "qsbr0: rx rate > 0 (to the host)" pos "$(rate qsbr0 .rates.rx_bytes)"
# ~50 pings/s of 542-byte frames each way: the rate is in that range, not a whole counter
r=$(rate qstap0 .rates.rx_bytes)
check "qstap0: rx rate plausible (10 kB/s .. 100 kB/s: $r)" \
	awk -v v="$r" 'BEGIN { exit !(v > 10000 && v < 100000) }'

# --- totals: the bridge is not counted with its ports ---
expect_eq "qsbr0 not counted in the total (its ports are listed)" false \
	"$(rate qsbr0 .counted_in_total)"
expect_eq "qstap0 counted" true "$(rate qstap0 .counted_in_total)"
expect_eq "total rx == sum of the counted interfaces" true "$(echo "$J" | jq '.total.stats.rx_bytes ==
	([.interfaces[] | select(.counted_in_total) | .stats.rx_bytes] | add)')"
expect_eq "total skips exactly one" 1 "$(echo "$J" | jq .total.skipped)"
expect_eq "total's guest view: the TAP" true "$(echo "$J" | jq '.total.guest.counted == 1 and
	.total.guest.stats.tx_bytes == (.interfaces[] | select(.name == "qstap0") | .stats.rx_bytes)')"
J2=$(q stats qsbr0 qsu0 --json --interval 0.1)
expect_eq "bridge alone: counted" true \
	"$(echo "$J2" | jq '[.interfaces[] | select(.name == "qsbr0") | .counted_in_total][0]')"
expect_eq "bridge alone: total includes it" 2 "$(echo "$J2" | jq .total.counted)"

# --- text output ---
out=$(q stats web qsbr0 --interval 0.1)
expect_contains "text: the TAP row" "qstap0" "$out"
expect_contains "text: role and owner" "tap     web/n0" "$out"
expect_contains "text: guest view line" "guest view: rx" "$out"
expect_contains "text: bridge marked as not counted" "~qsbr0" "$out"
expect_contains "text: human units" "KiB" "$out"
expect_contains "text: explains the views" "a TAP's tx is the guest's rx" "$out"

# --- watch / count ---
W=$(q stats lo --json --watch=0.1 --count 3)
expect_eq "--watch --count 3: three JSON lines" 3 "$(echo "$W" | wc -l)"
expect_eq "--watch: ticks 2, 3, 4" "2 3 4" "$(echo "$W" | jq -r .tick | xargs)"
expect_eq "--watch: every line has rates" "true true true" \
	"$(echo "$W" | jq -r '.interfaces[0].rates != null' | xargs)"
expect_eq "text --count 2: two snapshots" 2 "$(q stats lo --count 2 --interval 0.1 | grep -c '^---')"

# --- usage errors: exit 2, nothing on stdout; unknown names: exit 1 ---
usage() {
	local out err st
	out=$(q stats "$@" 2>"$T/err"); st=$?
	err=$(cat "$T/err")
	expect_eq "usage error ($*): exit 2" 2 "$st"
	expect_eq "usage error ($*): no output" "" "$out"
	expect_contains "usage error ($*): message" "qnm: stats:" "$err"
}
usage --count 0
usage --count x
usage --watch=0
usage --interval
usage --frob
out=$(q stats nosuch0 2>"$T/err"); st=$?
expect_eq "unknown name: exit 1" 1 "$st"
expect_contains "unknown name: message" "no interface or VM named 'nosuch0'" "$(cat "$T/err")"
expect_eq "unknown name: no output" "" "$out"

# --- a "running" VM: slirp NIC (helper + fake QEMU) and a missing TAP ---
check "new sl" q new sl
check "nic add sl n0 (slirp)" q nic add sl backend=slirp ipv6=off
check "nic add sl n1 (tap, not there)" q nic add sl backend=tap ifname=qsmiss0
RD=$XDG_RUNTIME_DIR/qnm/sl
mkdir -p "$RD" && chmod 700 "$RD" "$XDG_RUNTIME_DIR/qnm"
bash -c 'sleep 60; :' fake-qemu "$RD/qmp.sock" &
FQ=$!
at_exit "kill $FQ 2>/dev/null"
printf 'status=running\nqemu_pid=%s\n' "$FQ" >"$RD/state"
expect_eq "qnm status: sl runs" running "$(q status sl --json | jq -r 'if type == "array" then .[0].status else .status end')"
ip netns exec "$NS" "$QNM" slirp-helper --socket "$RD/slirp-n0.sock" --control "$RD/slirp-n0.ctl" --id n0 \
	--ipv6 off --keep-listening --ready-fd 3 3>"$T/ready" 2>"$T/helper.log" &
HP=$!
at_exit "kill $HP 2>/dev/null"
wait_for 5 grep -q ok "$T/ready" || fatal "slirp helper did not start: $(cat "$T/helper.log")"
# A fake QEMU: one ARP request for 10.0.2.2 from 10.0.2.15 (42 bytes), length-prefixed.
ARP='\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34\x56\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01'
ARP+='\x52\x54\x00\x12\x34\x56\x0a\x00\x02\x0f\x00\x00\x00\x00\x00\x00\x0a\x00\x02\x02'
{ printf '\x00\x00\x00\x2a'"$ARP"; sleep 3; } | socat - "UNIX-CONNECT:$RD/slirp-n0.sock" >"$T/fromslirp.bin" &
FQEMU=$!
at_exit "kill $FQEMU 2>/dev/null"
hstat() { "$QNM" slirp-helper ctl "$RD/slirp-n0.ctl" stats --json; }
wait_for 5 bash -c "[ \"\$('$QNM' slirp-helper ctl '$RD/slirp-n0.ctl' stats --json | jq .rx_packets)\" -ge 1 ]" ||
	fail "the helper did not answer the ARP request"
H=$(hstat)
S=$(q stats sl --json --interval 0.2)
sl() { echo "$S" | jq -c --arg n "$1" ".interfaces[] | select(.name == \$n) | $2"; }
expect_eq "slirp NIC listed under VM/NIC" '"slirp" "sl" "n0" true' \
	"$(sl sl/n0 '.role, .vm, .nic, .available' | xargs -d '\n' echo)"
expect_eq "slirp: guest tx = the one frame the fake QEMU sent" "42 1" \
	"$(sl sl/n0 '.guest.stats | "\(.tx_bytes) \(.tx_packets)"' | tr -d '"')"
expect_eq "slirp: guest view == the helper's own counters" \
	"$(echo "$H" | jq -c '[.rx_bytes, .rx_packets, .tx_bytes, .tx_packets]')" \
	"$(sl sl/n0 '.guest.stats | [.rx_bytes, .rx_packets, .tx_bytes, .tx_packets]')"
expect_eq "slirp: host view flipped (rx = from the guest)" 42 "$(sl sl/n0 .stats.rx_bytes)"
rxlen=$(($(stat -c %s "$T/fromslirp.bin") - 4 * $(echo "$H" | jq .rx_packets)))
expect_eq "slirp: guest rx bytes == bytes the fake QEMU received (minus prefixes)" "$rxlen" \
	"$(sl sl/n0 .guest.stats.rx_bytes)"
expect_eq "slirp: QEMU connected" true "$(sl sl/n0 .up)"
expect_eq "missing TAP of a running VM: unavailable" '"tap" false' \
	"$(sl qsmiss0 '.role, .available' | xargs -d '\n' echo)"
expect_contains "missing TAP: why" "TAP qsmiss0 of sl/n1 does not exist" "$(sl qsmiss0 .error)"
expect_eq "missing TAP: no counters, not zeros" null "$(sl qsmiss0 .stats)"
expect_eq "unavailable entries are not in the total" 1 "$(echo "$S" | jq .total.unavailable)"
out=$(q stats sl --interval 0.1)
expect_contains "text: unavailable row" "!qsmiss0" "$out"
expect_contains "text: slirp row" "sl/n0" "$out"

# the --watch loop over links, a TAP, a slirp NIC and a missing TAP under valgrind
if command -v valgrind >/dev/null && ! grep -q __asan_init "$QNM"; then
	vg() { in_ns valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=3 "$QNM" "$@"; }
	out=$(vg stats --watch=0.2 --count 4 --json 2>"$T/vg.log"); st=$?
	expect_eq "valgrind: stats --watch --json: no leak, no memory error" 0 "$st"
	[ "$st" = 0 ] || cat "$T/vg.log"
	expect_eq "valgrind: 4 snapshots with the slirp NIC" 4 "$(echo "$out" | jq -c '.interfaces[] |
		select(.name == "sl/n0") | .available' | grep -c true)"
	out=$(vg stats --watch=0.2 --count 2 2>"$T/vg.log"); st=$?
	expect_eq "valgrind: stats --watch (text): no leak, no memory error" 0 "$st"
	[ "$st" = 0 ] || cat "$T/vg.log"
else
	echo "note: valgrind check skipped (no valgrind, or an ASan build)"
fi

# the helper goes away: shown as unavailable, not as zero
kill $HP; wait $HP 2>/dev/null
S=$(q stats sl/n0 --json --interval 0.1)
expect_eq "helper gone: unavailable" false "$(sl sl/n0 .available)"
expect_contains "helper gone: why" "slirp helper does not answer" "$(sl sl/n0 .error)"
expect_eq "helper gone: no counters" null "$(sl sl/n0 .stats)"
# the VM stops: its slirp NIC and missing TAP are no longer listed
kill $FQ; wait $FQ 2>/dev/null
expect_eq "stopped VM: nothing listed for it" '[]' "$(q stats sl --json --interval 0.1 | jq -c '[.interfaces[].name]')"
finish
