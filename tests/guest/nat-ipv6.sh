#!/bin/bash
# nat-ipv6.sh - IPv6 on a qnm NAT network (issue 16.4, ipv6=auto): a real
# guest on a TAP forms its SLAAC address from the router advertisements of
# qnm's dnsmasq (PREFIX + EUI-64 of its MAC, what qnm show reports), pings
# the bridge's PREFIX::1 and opens a TCP connection to it; the guest reaches
# the outside over IPv6, masqueraded to the uplink's address (a ULA); from
# the outside a forwarded port reaches the guest over IPv6, an unforwarded
# one and the guest's own address do not; net.ipv6.conf.all.forwarding goes
# back to 0 after net down and after shutdown-all.
#   test ns - bridge qnmbr0 10.77.0.1/24 + PREFIX::1/64, uplink qup0
#             10.99.0.1/24 + fd99::1/64
#   outside - qout0 10.99.0.2/24 + fd99::2/64, a route to PREFIX via fd99::1
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
guest_nat_needs
sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
sysctl -qw net.ipv6.conf.all.forwarding=0
TOKEN="guest6-$$-$RANDOM"
guest_outside
ip -6 addr add fd99::1/64 dev qup0 nodad
ino ip -6 addr add fd99::2/64 dev qout0 nodad
nsenter -t "$OUT_PID" -n socat -T 10 TCP6-LISTEN:7000,reuseaddr,fork \
	SYSTEM:'echo peer=$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
# the host side: a listener on the bridge's IPv6 address (any address here)
socat -T 10 TCP6-LISTEN:7001,reuseaddr,fork SYSTEM:'echo host6 peer=$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
wait_for 5 ino sh -c 'ss -ltn | grep -q ":7000 "' || fatal "outside listener did not start"

"$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.60 ipv6=auto >/dev/null || fatal "net add failed"
PREFIX=$("$QNM" net show lan --json | python3 -c '
import json, sys; print(json.load(sys.stdin).get("ipv6_prefix", ""))')
case "$PREFIX" in fd*::/64) ;; *) fatal "net show --json has no ULA ipv6_prefix: '$PREFIX'" ;; esac
P=${PREFIX%/64} # "fdxx:xxxx:xxxx::"
ino ip -6 route add "$PREFIX" via fd99::1
# socat prints [fd00:0000:...]: the short form, to compare
norm6() { python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1].strip("[]")))' "$1" 2>/dev/null; }

cat >"$T/guest.sh" <<EOS
. /etc/qnm/lib.sh
qnm_dhcp eth0
n=0
until ip -6 addr show dev eth0 scope global | grep "inet6 ${P%:}" | grep -qv tentative; do
	n=\$((n + 1)); [ \$n -gt 300 ] && break; sleep 0.1
done
ip -6 addr show dev eth0 scope global | grep -o 'inet6 [^ ]*' | sed 's/^/guest-v6: /'
ping -6 -c 1 -W 3 ${P}1 >/dev/null 2>&1 && echo "ping6 bridge ok"
echo "g2h6: \$(sleep 2 | timeout 5 nc ${P}1 7001)"
echo "g2o6: \$(sleep 2 | timeout 5 nc fd99::2 7000)"
echo "$TOKEN" > /www/token.txt
httpd -p 80 -h /www
httpd -p 81 -h /www
echo QNM-V6-DONE
sleep 600
EOS
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=tap network=lan create=yes >/dev/null ||
	fatal "nic add failed"
"$QNM" net set lan forward=tcp::8080-vm/n0:80 >/dev/null || fatal "forward to vm/n0"
guest_net_up lan
expect_eq "net up: IPv6 forwarding on" 1 "$(cat /proc/sys/net/ipv6/conf/all/forwarding)"
check "net up: the bridge has ${P}1/64" sh -c "ip -6 addr show dev qnmbr0 | grep -q 'inet6 ${P}1/64'"
out=$("$QNM" start vm 2>&1) || fatal "qnm start failed: $out"
check "the guest ran its IPv6 checks" wait_serial 60 vm QNM-V6-DONE
log=$(serial_log vm)
grep "guest-v6:\|ping6\|g2h6\|g2o6" "$log" | tr -d '\r' | sed 's/^/  /'
G6=$("$QNM" show vm --json | python3 -c '
import json, sys
for n in json.load(sys.stdin).get("nics", []):
    if n.get("ipv6_addr"): print(n["ipv6_addr"])')
check "qnm show names the guest's IPv6 address ($G6) in $PREFIX" python3 -c '
import ipaddress, sys
sys.exit(ipaddress.ip_address(sys.argv[1]) not in ipaddress.ip_network(sys.argv[2]))' "$G6" "$PREFIX"
check "SLAAC: the guest formed $G6/64" grep -q "guest-v6: inet6 $G6/64" "$log"
check "the guest pings the bridge ${P}1" grep -q "ping6 bridge ok" "$log"
expect_eq "TCP from the guest to the host side over IPv6 (the host saw the guest's address)" \
	"$G6" "$(norm6 "$(tr -d '\r' <"$log" | sed -n 's/^g2h6: host6 peer=//p')")"
expect_eq "the guest reaches the outside over IPv6, masqueraded to fd99::1" \
	fd99::1 "$(norm6 "$(tr -d '\r' <"$log" | sed -n 's/^g2o6: peer=//p')")"
got=$(ino timeout 5 "$BB" wget -q -O - "http://[fd99::1]:8080/token.txt" 2>/dev/null)
expect_eq "outside -> [fd99::1]:8080 reaches the guest's port 80 over IPv6" "$TOKEN" "$got"
got=$(ino timeout 2 "$BB" wget -q -O - "http://[fd99::1]:81/token.txt" 2>/dev/null)
expect_eq "outside -> [fd99::1]:81 (not forwarded) reaches nothing" "" "$got"
got=$(ino timeout 2 "$BB" wget -q -O - "http://[$G6]:81/token.txt" 2>/dev/null)
expect_eq "outside -> the guest's own [$G6]:81 is dropped (routed to it, not forwarded)" "" "$got"
got=$(ino timeout 2 "$BB" wget -q -O - "http://[$G6]:80/token.txt" 2>/dev/null)
expect_eq "outside -> the guest's own [$G6]:80 is dropped too (forwards only via the host)" "" "$got"

"$QNM" stop vm --timeout 30 >/dev/null 2>&1
out=$(timeout 30 "$QNM" net down lan 2>&1)
expect_eq "net down ($out)" 0 $?
expect_eq "net down: IPv6 forwarding back to 0" 0 "$(cat /proc/sys/net/ipv6/conf/all/forwarding)"
expect_eq "net down: IPv4 forwarding back to 0" 0 "$(cat /proc/sys/net/ipv4/ip_forward)"
out=$(timeout 30 "$QNM" net up lan 2>&1) || fatal "net up (third): $out"
expect_eq "net up again: IPv6 forwarding on" 1 "$(cat /proc/sys/net/ipv6/conf/all/forwarding)"
out=$(timeout 60 "$QNM" shutdown-all 2>&1)
expect_eq "shutdown-all ($out)" 0 $?
expect_eq "shutdown-all: IPv6 forwarding back to 0" 0 "$(cat /proc/sys/net/ipv6/conf/all/forwarding)"
check "shutdown-all: no bridge" test ! -e /sys/class/net/qnmbr0
finish
