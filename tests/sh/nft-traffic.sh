#!/bin/bash
# nft-traffic.sh - traffic through table inet qnm, end to end, without guests:
#
#   outside ns  --veth--  host ns (bridge qnmbr-t 10.77.0.1/24, uplink 10.200.0.1)  --veth--  guest ns
#   10.200.0.2                                                                                10.77.0.5
#
# DNAT from outside and from the host itself (prerouting + output chains),
# by any local address and by one given address, masquerade seen by the
# outside listener, a forward added/removed live, and nothing after remove.
# All three namespaces are created here.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd socat socat
need_cmd nft nftables
DRV=${QNM_BUILDDIR:-.}/tests/nft-driver
[ -x "$DRV" ] || fatal "missing $DRV"

new_netns th >/dev/null
new_netns to >/dev/null
new_netns tg >/dev/null
H=qnmtest-th-$$ O=qnmtest-to-$$ G=qnmtest-tg-$$
h() { ip netns exec "$H" "$@"; }

# links
ip link add tv-up netns "$H" type veth peer name tv-out netns "$O" || fatal "veth"
ip link add tv-br netns "$H" type veth peer name tv-g netns "$G" || fatal "veth"
h ip link add qnmbr-t type bridge
h ip link set tv-br master qnmbr-t
h ip addr add 10.77.0.1/24 dev qnmbr-t
h ip addr add 10.200.0.1/24 dev tv-up
for l in qnmbr-t tv-br tv-up; do h ip link set "$l" up; done
ip -n "$O" addr add 10.200.0.2/24 dev tv-out
ip -n "$O" link set tv-out up
ip -n "$G" addr add 10.77.0.5/24 dev tv-g
ip -n "$G" link set tv-g up
ip -n "$G" route add default via 10.77.0.1
h sysctl -qw net.ipv4.ip_forward=1
# the outside has no route to 10.77.0.0/24: replies to a guest only come back masqueraded

# listeners that answer with the address they see the client as
ip netns exec "$G" socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo guest-sees-$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
ip netns exec "$O" socat TCP-LISTEN:9000,reuseaddr,fork SYSTEM:'echo outside-sees-$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
wait_for 5 listening "$G" 80 || fatal "guest listener did not start"
wait_for 5 listening "$O" 9000 || fatal "outside listener did not start"

# (fetch NS ADDR PORT, from tests/lib.sh: the listener's answer, or "fail")

cat >"$T/spec" <<'EOF'
net t qnmbr-t nat 10.77.0.1/24 tv-up
fwd tcp::8080-10.77.0.5:80
fwd tcp:10.200.0.1:8082-10.77.0.5:80
EOF

expect_eq "before qnm: no DNAT" fail "$(fetch "$O" 10.200.0.1 8080)"
check "apply" h "$DRV" apply "$T/spec"
expect_eq "DNAT from outside (prerouting)" guest-sees-10.200.0.2 "$(fetch "$O" 10.200.0.1 8080)"
expect_eq "DNAT from the host itself (output)" guest-sees-10.200.0.1 "$(fetch "$H" 10.200.0.1 8080)"
expect_eq "DNAT to the host's bridge address too" guest-sees-10.77.0.1 "$(fetch "$H" 10.77.0.1 8080)"
expect_eq "DNAT by host address" guest-sees-10.200.0.2 "$(fetch "$O" 10.200.0.1 8082)"
got=$(fetch "$G" 10.200.0.2 9000)
expect_eq "guest -> outside is masqueraded to the uplink address" outside-sees-10.200.0.1 "$got"
expect_eq "a port without forward is not DNATed" fail "$(fetch "$O" 10.200.0.1 8081)"

# one forward live
check "add one forward live" h "$DRV" add-fwd tcp::8081-10.77.0.5:80
expect_eq "new forward works" guest-sees-10.200.0.2 "$(fetch "$O" 10.200.0.1 8081)"
check "remove it live" h "$DRV" del-fwd tcp::8081-10.77.0.5:80
expect_eq "removed forward is gone" fail "$(fetch "$O" 10.200.0.1 8081)"
expect_eq "the others still work" guest-sees-10.200.0.2 "$(fetch "$O" 10.200.0.1 8080)"

# ip_forward off: DNAT'ed traffic from outside cannot be forwarded
h sysctl -qw net.ipv4.ip_forward=0
expect_eq "ip_forward off: no traffic from outside" fail "$(fetch "$O" 10.200.0.1 8080)"
h sysctl -qw net.ipv4.ip_forward=1

# remove: nothing forwarded or masqueraded any more
check "remove" h "$DRV" remove
expect_eq "after remove: no DNAT" fail "$(fetch "$O" 10.200.0.1 8080)"
expect_eq "after remove: no masquerade (outside cannot answer 10.77.0.5)" fail "$(fetch "$G" 10.200.0.2 9000)"

finish
