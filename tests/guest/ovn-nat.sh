#!/bin/bash
# ovn-nat.sh - an ovn network with a gateway host (issue 18.2): hosts a and
# b of lib-ovn.sh's lab, the network's router on chassis a, whose uplink
# up0 (a veth to the namespace "ovnout", the LAN: 10.99.0.2/24) qnm puts on
# an Open vSwitch bridge of its own with ovn-bridge-mappings; the router's
# address there is 10.99.0.5/24. A guest on host b (not the gateway):
#   - the forward tcp 10.99.0.5:8080 -> guest:80 reaches it from the LAN;
#   - it reaches out through SNAT (the LAN sees 10.99.0.5);
#   - an unforwarded port of the router is not reachable, nor is the guest
#     directly when the LAN routes the subnet to the router (the isolation
#     of local NAT networks).
# The isolation is a stateless drop on the outside switch's localnet port
# of what the LAN sends to the subnet itself (src/host/ovn.c, router_up()).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-200}
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/guest/lib-ovn.sh"

ovn_lab_up a b
ns_new out
ip -n ovnout link add out0 type veth peer name up0 netns ovna || fatal "LAN veth"
ip -n ovnout addr add 10.99.0.2/24 dev out0
ip -n ovnout link set out0 up
ip netns exec ovnout ethtool -K out0 tx off >/dev/null
ip -n ovna link set up0 up
ino() { ip netns exec ovnout "$@"; }
ino socat -T 10 TCP-LISTEN:7000,reuseaddr,fork SYSTEM:'echo peer=$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
TOKEN="ovn-nat-$$-$RANDOM"

out=$(qh a net add bad mode=ovn bridge=br-int address=10.81.0.1/24 ovn-nb=$(ovn_nb_remote) gateway-host=a 2>&1)
check "a gateway host without uplink refused" grep -q "uplink: a gateway host needs" <<<"$out"
out=$(qh a net add bad mode=ovn bridge=br-int address=10.81.0.1/24 ovn-nb=$(ovn_nb_remote) gateway-host=a uplink=up0 2>&1)
check "a gateway host without gateway-address refused" grep -q "gateway-address: a gateway host needs" <<<"$out"

for h in a b; do
	out=$(qh $h net add lan mode=ovn bridge=br-int address=10.80.0.1/24 dhcp-start=10.80.0.10 \
		dhcp-end=10.80.0.99 ovn-nb="$(ovn_nb_remote)" gateway-host=a uplink=up0 \
		gateway-address=10.99.0.5/24 forward=tcp::8080-10.80.0.12:80 2>&1 >/dev/null) ||
		fatal "net add on $h: $out"
	at_exit "qh $h net down lan >/dev/null 2>&1"
done
expect_contains "net add's note names where an ovn forward answers" \
	"note: tcp:10.99.0.5:8080 answers on the gateway address 10.99.0.5 only" "$out"
expect_eq "and not a local NAT network's 'every host address'" "" "$(grep -F "every host" <<<"$out")"
out=$(qh a net up lan 2>&1) || fatal "net up on a: $out"
echo "$out"
out=$(qh b net up lan 2>&1) || fatal "net up on b: $out"
check "the gateway host's uplink is on qnm's OVS bridge" \
	grep -qx qo-lan <<<"$(vsctl a port-to-br up0)"
expect_eq "and mapped for OVN" "lan:qo-lan" "$(vsctl a get open . external_ids:ovn-bridge-mappings | tr -d '"')"
nbctl --wait=hv --timeout=20 sync || fatal "nbctl sync"
t0=$(date +%s%N)
check "the router answers on the LAN (10.99.0.5)" wait_for 30 ino "$BB" ping -c1 -W1 10.99.0.5
echo "# router reachable from the LAN $((($(date +%s%N) - t0) / 1000000)) ms after sync"

cat >"$T/gb.sh" <<EOS
. /etc/qnm/lib.sh
$OVN_DHCP
ip link set eth0 mtu 1400
echo "$TOKEN" > /www/token.txt
httpd -p 80 -h /www
n=0
until ping -c1 -W1 10.99.0.2 >/dev/null 2>&1; do n=\$((n + 1)); [ \$n -gt 60 ] && break; done
echo "g2o: \$(sleep 3 | timeout 5 nc 10.99.0.2 7000)"
echo QNM-OVN-DONE
sleep 600
EOS
ovn_guest b gb "$T/gb.sh" network=lan ip=10.80.0.12
out=$(qh b start gb 2>&1) || fatal "start gb: $out"
LOG=$OVN_LAB/b/xdg/qnm/gb/serial.log
# on the network's own switch, not the router's outside one (lan-ext, same mark)
expect_contains "gb's logical port is on switch lan" "(lan)" "$(nbctl lsp-get-ls b/gb/n0)"
check "gb (host b) got 10.80.0.12 from OVN's DHCP" wait_for 60 grep -qF "eth0 got 10.80.0.12/24 router 10.80.0.1" "$LOG"
check "gb talked to the LAN" wait_for 90 grep -qF QNM-OVN-DONE "$LOG"
check "SNAT: the LAN saw the gateway address 10.99.0.5" grep -qF "g2o: peer=10.99.0.5" "$LOG"
got=$(ino timeout 8 "$BB" wget -q -O - http://10.99.0.5:8080/token.txt 2>/dev/null)
expect_eq "forward: LAN -> 10.99.0.5:8080 reaches gb's port 80 on host b" "$TOKEN" "$got"
got=$(ino timeout 5 "$BB" wget -q -O - http://10.99.0.5:8081/token.txt 2>/dev/null)
expect_eq "an unforwarded port of the router is not reachable" "" "$got"
ino ip route add 10.80.0.0/24 via 10.99.0.5
got=$(ino timeout 5 "$BB" wget -q -O - http://10.80.0.12/token.txt 2>/dev/null)
expect_eq "isolation: the guest's port 80 is not reachable directly from the LAN" "" "$got"
got=$(ino timeout 8 "$BB" wget -q -O - http://10.99.0.5:8080/token.txt 2>/dev/null)
expect_eq "the forward still works with that route" "$TOKEN" "$got"
# a forward added to the up network: OVN's router takes it at net up, and
# nothing goes into host a's own nftables (it did: a local DNAT element)
out=$(qh a forward add --net lan tcp::8082-10.80.0.12:80 2>&1)
expect_contains "forward add on an up ovn network: saved for its router's next net up" \
	"(an ovn network: 'qnm net up lan' gives its OVN router the change)" "$out"
expect_contains "forward add: its note names the gateway address" \
	"answers on the gateway address 10.99.0.5 only" "$out"
expect_eq "forward add: nothing in host a's nftables" "" \
	"$(ip netns exec ovna nft list ruleset 2>/dev/null | grep -F 8082)"
out=$(qh a net up lan 2>&1) || fail "net up after forward add: $out"
nbctl --wait=hv --timeout=20 sync >/dev/null
got=$(ino timeout 8 "$BB" wget -q -O - http://10.99.0.5:8082/token.txt 2>/dev/null)
expect_eq "after net up the added forward reaches gb" "$TOKEN" "$got"

qh b stop gb >/dev/null 2>&1
out=$(qh a net down lan 2>&1)
expect_eq "net down on the gateway host ($out)" 0 $?
expect_eq "down: the uplink is off Open vSwitch, no mapping" "no" \
	"$(vsctl a port-to-br up0 >/dev/null 2>&1 && echo yes || echo no)$(vsctl a get open . external_ids:ovn-bridge-mappings 2>/dev/null)"
expect_eq "down: no router, no balancer left" "" \
	"$(nbctl --bare --columns=_uuid list logical_router; nbctl --bare --columns=_uuid list load_balancer)"
finish
