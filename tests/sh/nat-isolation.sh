#!/bin/bash
# nat-isolation.sh - a NAT network exposes only its forwards (issue 13 item 1),
# in four network namespaces this test creates:
#   host    - runs "qnm net up": bridge qnmbr-iso 10.77.0.1/24, uplink qup1 10.99.0.1/24
#   outside - qout1 10.99.0.2/24, with a route to 10.77.0.0/24 via the host
#   guest1  - qg1 10.77.0.50 on the bridge (veth), listeners on 80 (forwarded
#             as host port 8080) and 5555 (not forwarded)
#   guest2  - qg2 10.77.0.51 on the bridge
#   guest3  - qg3 10.78.0.60 on bridge qnmbr-iso2 of an isolated network, forward 8090 -> 80
# Checks: from outside only the forward's host port reaches guest1 (direct
# connections to the guest's address, forwarded port or not, are dropped by
# qnm's rule, whose counter says so, while the host itself answers there);
# guest1 reaches out (masqueraded); guest2 reaches guest1 on the bridge
# (with br_netfilter's bridge-nf-call-iptables off and on, when the kernel
# has it) and routed back through the host into the same bridge; the forward
# chain, read with nft -j, holds exactly the ct state / ct status rules.
# Beside it an isolated network: only its forward in, nothing out, and no
# traffic between the two networks' guests.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd socat socat

new_netns isoh >/dev/null
H=qnmtest-isoh-$$
new_netns isoo >/dev/null
O=qnmtest-isoo-$$
new_netns isog1 >/dev/null
G1=qnmtest-isog1-$$
new_netns isog2 >/dev/null
G2=qnmtest-isog2-$$
for ns in "$H" "$O" "$G1" "$G2"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
inh() { ip netns exec "$H" "$@"; }
ino() { ip netns exec "$O" "$@"; }
q() { inh timeout 30 "$QNM" "$@"; }
BR=qnmbr-iso

# uplink: host qup1 <-> outside qout1; the outside routes the NAT subnet to the host
ip link add qup1 netns "$H" type veth peer name qout1 netns "$O" || fatal "veth"
inh ip addr add 10.99.0.1/24 dev qup1
inh ip link set qup1 up
ino ip addr add 10.99.0.2/24 dev qout1
ino ip link set qout1 up
ino ip route add 10.77.0.0/24 via 10.99.0.1

check "net add" "$QNM" net add lan bridge=$BR address=10.77.0.1/24 mode=nat uplink=qup1 \
	forward=tcp::8080-10.77.0.50:80
check "net up" q net up lan

# guests: a veth each, the host end on the bridge, a static address, the bridge as router
n=1
for g in "$G1" "$G2"; do
	ip link add "qg${n}p" netns "$H" type veth peer name "qg$n" netns "$g" || fatal "veth"
	inh ip link set "qg${n}p" master $BR
	inh ip link set "qg${n}p" up
	ip -n "$g" addr add "10.77.0.$((49 + n))/24" dev "qg$n"
	ip -n "$g" link set "qg$n" up
	ip -n "$g" route add default via 10.77.0.1
	n=$((n + 1))
done

# listeners that answer with what they are and whom they see
ip netns exec "$G1" socat -T 10 TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo fwd-port' &
at_exit "kill $! 2>/dev/null"
ip netns exec "$G1" socat -T 10 TCP-LISTEN:5555,reuseaddr,fork SYSTEM:'echo open-port-from-$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
ino socat -T 10 TCP-LISTEN:7000,reuseaddr,fork SYSTEM:'echo peer=$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
inh socat -T 10 TCP-LISTEN:7001,bind=10.77.0.1,reuseaddr,fork SYSTEM:'echo host' &
at_exit "kill $! 2>/dev/null"
wait_for 5 listening "$G1" 80 || fatal "guest listener 80 did not start"
wait_for 5 listening "$G1" 5555 || fatal "guest listener 5555 did not start"
wait_for 5 listening "$O" 7000 || fatal "outside listener did not start"
wait_for 5 listening "$H" 7001 || fatal "host listener did not start"

# (fetch NS ADDR PORT, from tests/lib.sh: the listener's answer, or "fail")

# the forward chain, one line per rule: its matches and verdict, e.g.
# "oifname=qnmbr-iso ct.state=established,related accept"
SIG='[.expr[] | if .match then "\(.match.left | .meta.key // ("ct." + .ct.key))\(
	if .match.op == "!=" then "!=" else "=" end)\(.match.right |
	if type == "array" then join(",") else tostring end)"
	elif has("accept") then "accept" elif has("drop") then "drop" else empty end] | join(" ")'
fw_rules() { inh nft -j list chain inet qnm forward | jq -r ".nftables[] | .rule? // empty | $SIG"; }
# packets RULE - the counter of the forward-chain rule printed as RULE by fw_rules
packets() {
	inh nft -j list chain inet qnm forward | jq -r --arg sig "$1" \
		".nftables[] | .rule? // empty | select($SIG == \$sig) | .expr[] | .counter? // empty | .packets"
}

# --- the ruleset: exactly these rules, in this order
DROP="iifname!=$BR oifname=$BR drop"
OUT="iifname=$BR accept"
expect_eq "forward chain: replies, DNAT'ed in, the rest in from elsewhere dropped, out" \
	"ct.state=established,related accept
oifname=$BR ct.status=dnat accept
$DROP
$OUT" "$(fw_rules)"

# --- from outside: only through the forward
expect_eq "control: the outside reaches the host's bridge address (route in place)" host \
	"$(fetch "$O" 10.77.0.1 7001)"
expect_eq "outside -> forward's host port reaches the guest" fwd-port "$(fetch "$O" 10.99.0.1 8080)"
expect_eq "outside -> guest's unforwarded port: dropped" fail "$(fetch "$O" 10.77.0.50 5555)"
expect_eq "outside -> guest's forwarded port, not through the forward: dropped" fail \
	"$(fetch "$O" 10.77.0.50 80)"
d=$(packets "$DROP")
check "the drops were qnm's rule (counter $d)" test "${d:-0}" -ge 2
expect_eq "outside -> the other guest: dropped" fail "$(fetch "$O" 10.77.0.51 5555)"

# --- guests reach out (replies come back through the established rule)
expect_eq "guest1 -> outside, masqueraded to the uplink address" peer=10.99.0.1 \
	"$(fetch "$G1" 10.99.0.2 7000)"
expect_eq "guest2 -> outside, masqueraded" peer=10.99.0.1 "$(fetch "$G2" 10.99.0.2 7000)"
r=$(packets "ct.state=established,related accept")
check "replies passed the established rule (counter $r)" test "${r:-0}" -ge 1

# --- guests reach each other: on the bridge, and routed back into it
NF=/proc/sys/net/bridge/bridge-nf-call-iptables
if inh test -e $NF; then
	for v in 0 1; do
		inh sysctl -qw net.bridge.bridge-nf-call-iptables=$v
		w0=$(packets "$OUT") d0=$(packets "$DROP")
		expect_eq "guest2 -> guest1 on the bridge (bridge-nf-call-iptables=$v)" \
			open-port-from-10.77.0.51 "$(fetch "$G2" 10.77.0.50 5555)"
		w1=$(packets "$OUT")
		if [ $v = 1 ]; then
			check "bridged frames passed qnm's chain ($w0 -> $w1)" test "$w1" -gt "$w0"
		fi
		expect_eq "none of them dropped" "$d0" "$(packets "$DROP")"
	done
	inh sysctl -qw net.bridge.bridge-nf-call-iptables=0
else
	echo "note: no br_netfilter here; guests on the bridge checked without it"
	expect_eq "guest2 -> guest1 on the bridge" open-port-from-10.77.0.51 \
		"$(fetch "$G2" 10.77.0.50 5555)"
fi
# guest2 sends to guest1 through the host (a /32 route via the bridge address,
# no redirects taken): in and out of the same bridge, routed
ip netns exec "$G2" sysctl -qw net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.qg2.accept_redirects=0
ip -n "$G2" route add 10.77.0.50/32 via 10.77.0.1
w0=$(packets "$OUT") d0=$(packets "$DROP")
expect_eq "guest2 -> guest1 routed back into the bridge" open-port-from-10.77.0.51 \
	"$(fetch "$G2" 10.77.0.50 5555)"
w1=$(packets "$OUT")
check "routed guest-to-guest traffic passed qnm's chain ($w0 -> $w1)" test "$w1" -gt "$w0"
expect_eq "and none of it was dropped" "$d0" "$(packets "$DROP")"
expect_eq "still dropped from outside afterwards" fail "$(fetch "$O" 10.77.0.50 5555)"
check "and counted by the drop rule" test "$(packets "$DROP")" -gt "$d0"

# --- an isolated network beside it: nothing in or out but its forward, in
# whatever order the two networks' rules come
new_netns isog3 >/dev/null
G3=qnmtest-isog3-$$
ip netns exec "$G3" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ino ip route add 10.78.0.0/24 via 10.99.0.1
check "net add (isolated)" "$QNM" net add iso bridge=qnmbr-iso2 address=10.78.0.1/24 mode=isolated \
	forward=tcp::8090-10.78.0.60:80
check "net up (isolated)" q net up iso
ip link add qg3p netns "$H" type veth peer name qg3 netns "$G3" || fatal "veth"
inh ip link set qg3p master qnmbr-iso2
inh ip link set qg3p up
ip -n "$G3" addr add 10.78.0.60/24 dev qg3
ip -n "$G3" link set qg3 up
ip -n "$G3" route add default via 10.78.0.1
ip netns exec "$G3" socat -T 10 TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo iso-fwd-port' &
at_exit "kill $! 2>/dev/null"
ip netns exec "$G3" socat -T 10 TCP-LISTEN:5555,reuseaddr,fork SYSTEM:'echo iso-open-port' &
at_exit "kill $! 2>/dev/null"
wait_for 5 listening "$G3" 80 || fatal "isolated guest listener 80 did not start"
wait_for 5 listening "$G3" 5555 || fatal "isolated guest listener 5555 did not start"
expect_eq "isolated: outside -> its forward reaches the guest" iso-fwd-port "$(fetch "$O" 10.99.0.1 8090)"
expect_eq "isolated: outside -> the guest directly: dropped" fail "$(fetch "$O" 10.78.0.60 5555)"
expect_eq "isolated: the guest cannot reach out" fail "$(fetch "$G3" 10.99.0.2 7000)"
expect_eq "isolated: a NAT guest cannot reach into it" fail "$(fetch "$G1" 10.78.0.60 5555)"
expect_eq "NAT: an isolated guest cannot reach into it" fail "$(fetch "$G3" 10.77.0.50 5555)"
expect_eq "NAT: its forward still works" fwd-port "$(fetch "$O" 10.99.0.1 8080)"

inh ip link set qg1p nomaster
inh ip link set qg2p nomaster
inh ip link set qg3p nomaster
check "net down (isolated)" q net down iso
check "net down" q net down lan
expect_eq "down: no table" no "$(inh nft list table inet qnm >/dev/null 2>&1 && echo yes || echo no)"

finish
