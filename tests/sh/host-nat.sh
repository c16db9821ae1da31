#!/bin/bash
# host-nat.sh - a NAT network end to end without guests, in three network
# namespaces this test creates:
#   host    - runs "qnm net up": bridge qnmbr0 10.77.0.1/24, uplink qup0 10.99.0.1/24
#   outside - qout0 10.99.0.2/24 on the other end of the uplink veth
#   guest   - qg0, a veth whose peer the test puts into qnmbr0; address by DHCP
# Checks: dnsmasq hands the guest a lease (busybox udhcpc) and qnm reads it
# back by MAC; masquerade (the outside listener sees 10.99.0.1, not the
# guest); DNAT from outside and from the host itself (output chain);
# ip_forward off -> no traffic; down -> nothing left, no traffic.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd socat socat
need_cmd busybox busybox-static
need_cmd dnsmasq dnsmasq-base

new_netns nath >/dev/null
H=qnmtest-nath-$$
new_netns nato >/dev/null
O=qnmtest-nato-$$
new_netns natg >/dev/null
G=qnmtest-natg-$$
for ns in "$H" "$O" "$G"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
inh() { ip netns exec "$H" "$@"; }
ino() { ip netns exec "$O" "$@"; }
ing() { ip netns exec "$G" "$@"; }
q() { inh timeout 30 "$QNM" "$@"; }

# uplink: host qup0 <-> outside qout0
ip link add qup0 netns "$H" type veth peer name qout0 netns "$O"
inh ip addr add 10.99.0.1/24 dev qup0
inh ip link set qup0 up
ino ip addr add 10.99.0.2/24 dev qout0
ino ip link set qout0 up

check "net add" "$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.50 forward=tcp::8080-10.77.0.50:80
# a foreign firewall table with a policy-drop forward chain: qnm warns and
# leaves it alone; the test allows the bridge there, as the warning suggests
echo 'table inet fw { chain forward_in { type filter hook forward priority 10; policy drop; }; }' >"$T/fw.nft"
inh nft -f "$T/fw.nft"
out=$(q net up lan 2>&1)
expect_eq "net up" 0 "$?"
expect_contains "warns about the foreign drop policy" "table inet fw, chain forward_in (hook forward) has policy drop and no rule accepting bridge qnmbr0" "$out"
inh nft add rule inet fw forward_in iifname qnmbr0 accept
inh nft add rule inet fw forward_in oifname qnmbr0 accept

# guest: qg0 in the guest netns, its peer qgp0 on the bridge
ip link add qgp0 netns "$H" type veth peer name qg0 netns "$G"
inh ip link set qgp0 master qnmbr0
inh ip link set qgp0 up
ing ip link set qg0 up
cat >"$T/udhcpc.sh" <<'EOF'
#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
	echo "$ip" >"$(dirname "$0")/leased"
	;;
esac
exit 0
EOF
chmod +x "$T/udhcpc.sh"
check "guest gets a DHCP lease" ing timeout 30 busybox udhcpc -i qg0 -f -q -n -t 10 -T 1 -s "$T/udhcpc.sh"
expect_eq "guest address" 10.77.0.50 "$(cat "$T/leased" 2>/dev/null)"
gmac=$(ing ip -j link show qg0 | jq -r '.[0].address')
lease=$(q net show lan --json | jq -r --arg m "$gmac" '.leases[] | select(.mac == $m) | .ip')
expect_eq "qnm reads the lease back by MAC" 10.77.0.50 "$lease"
expect_eq "guest default route via the bridge" 10.77.0.1 \
	"$(ing ip -j route show default | jq -r '.[0].gateway')"

# listeners: outside prints the peer address it sees; guest answers on 80
ino socat -T 10 TCP-LISTEN:7000,reuseaddr,fork SYSTEM:'echo peer=$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
ing socat -T 10 TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo guest-hello' &
at_exit "kill $! 2>/dev/null"
wait_for 5 ino sh -c 'ss -ltn | grep -q ":7000 "' || fatal "outside listener did not start"
wait_for 5 ing sh -c 'ss -ltn | grep -q ":80 "' || fatal "guest listener did not start"
talk() { "$@" timeout 5 socat -T 3 - "TCP:$HOSTPORT,connect-timeout=3" </dev/null 2>/dev/null; }

HOSTPORT=10.99.0.2:7000
expect_eq "masquerade: outside sees the uplink address" peer=10.99.0.1 "$(talk ing)"
HOSTPORT=10.99.0.1:8080
expect_eq "DNAT from outside reaches the guest" guest-hello "$(talk ino)"
expect_eq "DNAT from the host itself reaches the guest" guest-hello "$(talk inh)"
HOSTPORT=10.77.0.1:8080
expect_eq "DNAT from the host via the bridge address" guest-hello "$(talk inh)"

# ip_forward off: nothing passes; back on: it does again
inh sysctl -qw net.ipv4.ip_forward=0
HOSTPORT=10.99.0.2:7000
expect_eq "ip_forward off: guest cannot get out" "" "$(talk ing)"
HOSTPORT=10.99.0.1:8080
expect_eq "ip_forward off: DNAT from outside fails" "" "$(talk ino)"
inh sysctl -qw net.ipv4.ip_forward=1
HOSTPORT=10.99.0.2:7000
expect_eq "ip_forward on again: guest gets out" peer=10.99.0.1 "$(talk ing)"

# down: nothing of qnm's is left, and traffic stops
inh ip link set qgp0 nomaster
check "net down" q net down lan
expect_eq "down: no bridge" "" "$(inh ip -j link show qnmbr0 2>/dev/null | jq -r '.[].ifname')"
expect_eq "down: no table" no "$(inh nft list table inet qnm >/dev/null 2>&1 && echo yes || echo no)"
expect_eq "down: the foreign table untouched (its 2 rules)" 2 \
	"$(inh nft -j list table inet fw | jq '[.nftables[] | select(has("rule"))] | length')"
expect_eq "down: ip_forward restored" 0 "$(inh cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "down: no dnsmasq of ours" "" "$(ip netns pids "$H" 2>/dev/null | xargs -r -I{} cat /proc/{}/cmdline 2>/dev/null | tr '\0' ' ' | grep -o 'dnsmasq-lan.pid' || true)"
HOSTPORT=10.99.0.1:8080
expect_eq "down: DNAT gone" "" "$(talk ino)"

finish
