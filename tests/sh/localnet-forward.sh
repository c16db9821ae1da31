#!/bin/bash
# localnet-forward.sh - who can reach a forward, and 127.0.0.1 forwards on
# networks that work (issue 13 item 6), in namespaces this test creates:
#   host    - runs "qnm net up": bridge qnmbr-loc 10.76.0.1/24, uplink qup1 10.98.0.1/24
#   outside - qout1 10.98.0.2/24 on the uplink side
#   guest   - qg1 10.76.0.50 on the bridge (veth), a listener on 80, forwarded
#             as 127.0.0.1:8080 (this host only) and :8081 (every address)
# Checks: the host's own curl to 127.0.0.1:8080 reaches the guest (output-hook
# DNAT, route_localnet on the bridge, masquerade to the bridge's address);
# from outside the same port on the host's uplink address reaches nothing,
# nor does a packet to 127.0.0.1 sent to the host's MAC; the unaddressed
# forward is reached from both; a guest cannot reach the host's loopback
# services through route_localnet; the CLI says who can reach a forward
# (stderr on add, --json); a forward whose route_localnet was reset is
# "blocked", not live, and doctor explains it; net down restores
# route_localnet to its recorded value.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd socat socat

netns_trio loc
BR=qnmbr-loc
RL=/proc/sys/net/ipv4/conf/$BR/route_localnet

ip link add qup1 netns "$H" type veth peer name qout1 netns "$O" || fatal "veth"
inh ip addr add 10.98.0.1/24 dev qup1
inh ip link set qup1 up
ino ip addr add 10.98.0.2/24 dev qout1
ino ip link set qout1 up
ino ip route add 10.76.0.0/24 via 10.98.0.1

check "net add" "$QNM" net add lan bridge=$BR address=10.76.0.1/24 mode=nat uplink=qup1 \
	forward=tcp:127.0.0.1:8080-10.76.0.50:80

# --- the CLI says who can reach a forward, where it is set
out=$(q forward add --net lan tcp::8081-10.76.0.50:80 2>"$T/err")
expect_eq "add an unaddressed forward" 0 $?
expect_contains "stderr: every host address, all networks" \
	"tcp::8081 answers on every host address (reachable from all networks); give 127.0.0.1 (tcp:127.0.0.1:8081) to keep it on this host" \
	"$(cat "$T/err")"
expect_eq "stdout unchanged by the note" "added forward tcp::8081-10.76.0.50:80 to network lan (network is down: applied when it comes up)" "$out"
q new v >/dev/null || fatal "new"
q nic add v backend=user hostfwd=tcp::18080-:80 >/dev/null 2>"$T/err"
expect_contains "nic add: stderr too" \
	"qnm: nic add: note: tcp::18080 listens on every host address (reachable from all networks)" "$(cat "$T/err")"
q forward add --net lan tcp:127.0.0.1:8082-10.76.0.50:80 >/dev/null 2>"$T/err"
expect_eq "no note for 127.0.0.1" "" "$(cat "$T/err")"
q forward del tcp:127.0.0.1:8082 >/dev/null
expect_eq "forward list --json: reachable_from" '[["",18080,"all networks"],["127.0.0.1",8080,"this host only"],["",8081,"all networks"]]' \
	"$(q forward list --json | jq -c '[.[] | [.host_addr, .host_port, .reachable_from]]')"
q nic del v n0 >/dev/null

check "net up" q net up lan
expect_eq "route_localnet on the bridge" 1 "$(inh cat $RL)"
expect_eq "route_localnet elsewhere untouched (all)" 0 "$(inh cat /proc/sys/net/ipv4/conf/all/route_localnet)"
expect_eq "route_localnet elsewhere untouched (uplink)" 0 "$(inh cat /proc/sys/net/ipv4/conf/qup1/route_localnet)"

ip link add qg1p netns "$H" type veth peer name qg1 netns "$G" || fatal "veth"
inh ip link set qg1p master $BR
inh ip link set qg1p up
ip -n "$G" addr add 10.76.0.50/24 dev qg1
ip -n "$G" link set qg1 up
ip -n "$G" route add default via 10.76.0.1
ing socat -T 10 TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo guest-sees-$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
# a service of the host's own on its loopback
inh socat -T 10 TCP-LISTEN:7002,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo host-loopback' &
at_exit "kill $! 2>/dev/null"
wait_for 5 listening "$G" 80 || fatal "guest listener did not start"
wait_for 5 listening "$H" 7002 || fatal "host listener did not start"
# every SYN the guest gets from the outside, counted
ing nft -f - <<'EOF' || fatal "guest counter"
table inet cnt {
	chain in { type filter hook input priority 0; ip saddr 10.98.0.2 tcp dport 80 tcp flags syn counter; }
}
EOF
outside_syns() { ing nft -j list chain inet cnt in | jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add'; }

# --- this host reaches the guest through 127.0.0.1
expect_eq "host -> 127.0.0.1:8080 reaches the guest (from the bridge's address)" \
	guest-sees-10.76.0.1 "$(fetch "$H" 127.0.0.1 8080)"
expect_eq "host -> 127.0.0.1:8081 (unaddressed) reaches the guest" \
	guest-sees-10.76.0.1 "$(fetch "$H" 127.0.0.1 8081)"
# --- the outside: only the unaddressed forward
expect_eq "outside -> uplink address:8081 (unaddressed) reaches the guest" \
	guest-sees-10.98.0.2 "$(fetch "$O" 10.98.0.1 8081)"
s0=$(outside_syns)
expect_eq "outside -> uplink address:8080 (127.0.0.1 forward): nothing" fail "$(fetch "$O" 10.98.0.1 8080)"
# the outside sends to 127.0.0.1:8080 itself, to the host's MAC: its packets
# to 10.98.0.1:8080 leave with the destination rewritten (and 127.0.0.1's
# neighbour entry is the host's uplink MAC)
ino ip neigh replace 127.0.0.1 lladdr "$(inh cat /sys/class/net/qup1/address)" dev qout1 nud permanent
ino nft -f - <<'EOF' || fatal "outside rewrite"
table ip atk {
	chain out { type filter hook output priority 0; ip daddr 10.98.0.1 tcp dport 8080 ip daddr set 127.0.0.1; }
}
EOF
expect_eq "outside -> 127.0.0.1:8080 at the host's MAC: nothing" fail "$(fetch "$O" 10.98.0.1 8080)"
ino nft delete table ip atk
expect_eq "the guest got no connection from outside on the 127.0.0.1 forward" "$s0" "$(outside_syns)"

# --- a guest cannot reach the host's loopback through the bridge (the guest
# controls its kernel: it rewrites its packets to 127.0.0.1 and the answers back)
expect_eq "control: the host's loopback service answers there" host-loopback "$(fetch "$H" 127.0.0.1 7002)"
ip -n "$G" neigh replace 127.0.0.1 lladdr "$(inh cat /sys/class/net/$BR/address)" dev qg1 nud permanent
ing nft -f - <<'EOF' || fatal "guest rewrite"
table ip atk {
	chain out { type filter hook output priority 0; ip daddr 10.76.0.1 tcp dport 7002 ip daddr set 127.0.0.1; }
	chain in { type filter hook prerouting priority -300; ip saddr 127.0.0.1 tcp sport 7002 ip saddr set 10.76.0.1; }
}
EOF
expect_eq "guest -> 127.0.0.1:7002 at the host's MAC: nothing" fail "$(fetch "$G" 10.76.0.1 7002)"
ing nft delete table ip atk
drops=$(inh nft -j list chain inet qnm localnet | jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add')
check "dropped by qnm's localnet chain (counter $drops)" test "${drops:-0}" -ge 1

# --- qnm ports: reachable from, live
js=$(q ports --json)
expect_eq "ports --json: reachable_from and state" '[[8080,"this host only","live"],[8081,"all networks","live"]]' \
	"$(jq -c '[.[] | [.host_port, .reachable_from, .state]] | sort' <<<"$js")"
out=$(q doctor --check localnet_forwards)
expect_contains "doctor: ok" "forward tcp:127.0.0.1:8080-10.76.0.50:80 of network lan: this host reaches 10.76.0.50:80" "$out"

# --- someone resets route_localnet: not live any more, and said so
inh sh -c "echo 0 >$RL"
expect_eq "now it really does not work" fail "$(fetch "$H" 127.0.0.1 8080)"
js=$(q ports --json)
expect_eq "ports --json: blocked" blocked "$(jq -r '.[] | select(.host_port == 8080) | .state' <<<"$js")"
expect_contains "ports --json: why" "net.ipv4.conf.$BR.route_localnet is 0" \
	"$(jq -r '.[] | select(.host_port == 8080) | .blocked' <<<"$js")"
expect_eq "ports --json: the unaddressed one still live" live "$(jq -r '.[] | select(.host_port == 8081) | .state' <<<"$js")"
if command -v tmux >/dev/null; then
	. "$QNM_SRCDIR/tests/ui-lib.sh"
	UI_PREFIX=(ip netns exec "$H")
	ui_start -x 80 -y 24
	ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
	ui_keys 8
	ui_wait "HELD BY" 5 >/dev/null || fail "UI: no ports screen"
	ui_expect_words "UI: the 127.0.0.1 forward blocked" "[BLOCKED] tcp 127.0.0.1:8080 this host"
	ui_expect_words "UI: the unaddressed one not" "[free] tcp *:8081 all nets"
	ui_expect "UI: the reason under the list" "BLOCKED: net.ipv4.conf.$BR.route_localnet is 0"
	ui_keys F10
	wait_for 5 ui_dead || fail "UI: quit"
else
	echo "note: no tmux; the Ports screen's BLOCKED not read"
fi
expect_eq "forward list: blocked" blocked "$(q forward list --json | jq -r '.[] | select(.host_port == 8080) | .state')"
out=$(q doctor --check localnet_forwards)
expect_contains "doctor: explains" "forward tcp:127.0.0.1:8080-10.76.0.50:80 of network lan cannot carry traffic: net.ipv4.conf.$BR.route_localnet is 0" "$out"
expect_contains "doctor: fix" "qnm net up lan" "$out"
check "net up again" q net up lan
expect_eq "route_localnet set again" 1 "$(inh cat $RL)"
expect_eq "and it works again" guest-sees-10.76.0.1 "$(fetch "$H" 127.0.0.1 8080)"
# the masquerade gone (someone flushed it): blocked too
h=$(inh nft -a list chain inet qnm postrouting | sed -n "s/.*comment \"localnet $BR\".*# handle \([0-9]*\)/\1/p")
inh nft delete rule inet qnm postrouting handle "$h" || fatal "cannot delete the masquerade"
expect_contains "ports: masquerade missing" "lacks the masquerade of 127.0.0.0/8 out of $BR" \
	"$(q ports --json | jq -r '.[] | select(.host_port == 8080) | .blocked')"
check "net up again (masquerade)" q net up lan
# the bridge set down: every forward into it is blocked, the unaddressed one too
inh ip link set $BR down
expect_eq "bridge down: both blocked" '[[8080,"blocked"],[8081,"blocked"]]' \
	"$(q ports --json | jq -c '[.[] | [.host_port, .state]] | sort')"
expect_contains "bridge down: why" "bridge $BR is down" \
	"$(q ports --json | jq -r '.[] | select(.host_port == 8081) | .blocked')"
check "net up again (bridge)" q net up lan
expect_eq "bridge up again: live" '[[8080,"live"],[8081,"live"]]' \
	"$(q ports --json | jq -c '[.[] | [.host_port, .state]] | sort')"

inh ip link set qg1p nomaster
check "net down" q net down lan
expect_eq "down: no bridge" no "$(inh test -e $RL && echo yes || echo no)"

# --- a bridge qnm did not create: route_localnet back to its value on down
inh ip link add qnmbr-adp type bridge
inh sh -c "echo 0 >/proc/sys/net/ipv4/conf/qnmbr-adp/route_localnet"
check "net add (adopted bridge)" "$QNM" net add adp bridge=qnmbr-adp address=10.75.0.1/24 mode=isolated \
	forward=tcp:127.0.0.1:8090-10.75.0.5:80
check "net up --force" q net up adp --force
expect_eq "adopted: route_localnet 1 while up" 1 "$(inh cat /proc/sys/net/ipv4/conf/qnmbr-adp/route_localnet)"
check "net down (adopted)" q net down adp
expect_eq "adopted: the bridge stays" yes "$(inh test -e /sys/class/net/qnmbr-adp && echo yes || echo no)"
expect_eq "adopted: route_localnet restored to 0" 0 "$(inh cat /proc/sys/net/ipv4/conf/qnmbr-adp/route_localnet)"

finish
