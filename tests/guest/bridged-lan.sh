#!/bin/bash
# bridged-lan.sh - a real guest on a bridged network (issue 14), in
# namespaces this test makes:
#   host (lib-guest.sh's unshare -n) - veth qeth0 plays the physical NIC:
#        10.88.0.5/24, default route via 10.88.0.1
#   LAN  - a second namespace (held by a sleep): lan0 10.88.0.1/24, the
#        gateway, dnsmasq as the LAN's DHCP server, an httpd
# "qnm net up phys --confirm-port" is guarded (net show counts down), then
# confirmed: the state stays past the deadline. A guest on the bridge (TAP
# NIC on network phys) gets its lease from the LAN's dnsmasq (its lease
# file and the guest's own address), is reachable from the LAN, and the
# host still reaches the LAN. The topology screen (80x24 and 132x43) reads
# guest -> TAP -> bridge qbr1 (with the host's address) -> port qeth0 ->
# LAN, and the TAP's, the bridge's and the port's counters rise while
# traffic flows.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=240
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
need_cmd dnsmasq dnsmasq-base
need_cmd nsenter util-linux
need_cmd python3 python3
TOKEN="guest-$$-$RANDOM"
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# ---- the LAN: a namespace with the gateway, DHCP and a web page ----
unshare -n sleep 300 &
LAN_PID=$!
at_exit "kill $LAN_PID 2>/dev/null"
lan_ready() { [ "$(readlink "/proc/$LAN_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
wait_for 5 lan_ready || fatal "LAN namespace did not come up"
inl() { nsenter -t "$LAN_PID" -n "$@"; }
ip link add qeth0 type veth peer name lan0 netns "$LAN_PID" || fatal "veth"
ip addr add 10.88.0.5/24 dev qeth0
ip link set qeth0 up
ip route add default via 10.88.0.1 metric 100
inl ip link set lo up
inl ip addr add 10.88.0.1/24 dev lan0
inl ip link set lan0 up
mkdir -p "$T/lanwww"
echo "lan-$$" >"$T/lanwww/hello.txt"
nsenter -t "$LAN_PID" -n "$BB" httpd -f -p 10.88.0.1:8000 -h "$T/lanwww" &
at_exit "kill $! 2>/dev/null"
nsenter -t "$LAN_PID" -n dnsmasq -k --conf-file=/dev/null --port=0 --interface=lan0 \
	--bind-interfaces --dhcp-range=10.88.0.100,10.88.0.100,255.255.255.0,1h \
	--dhcp-option=option:router,10.88.0.1 --dhcp-leasefile="$T/lan.leases" \
	--pid-file="$T/lan-dnsmasq.pid" &
at_exit "kill $! 2>/dev/null"
wait_for 5 http_get "http://10.88.0.1:8000/hello.txt" >/dev/null || fatal "the LAN's httpd"

# ---- bridged net up, guarded, then confirmed ----
"$QNM" net add phys bridge=qbr1 mode=bridged port=qeth0 >/dev/null || fatal "net add phys"
at_exit "timeout 30 '$QNM' net down phys --no-guard >/dev/null 2>&1"
out=$(timeout 30 "$QNM" net up phys --confirm-port --confirm-in 30 2>&1)
expect_eq "bridged net up with a guard" 0 "$?"
expect_contains "net up says how to confirm" "run 'qnm net confirm phys' within 30 s" "$out"
out=$("$QNM" net show phys)
expect_contains "net show: the guard counts down" "# guard: reverting (net down) in " "$out"
expect_contains "net show: where the host's address lives" \
	"# the host's address 10.88.0.5/24 is on qbr1 (moved there by qnm with its routes)" "$out"
expect_contains "net show: the enslaved port" "# port qeth0: qbr1" "$out"
out=$("$QNM" net show phys --json | python3 -c '
import json, sys
j = json.load(sys.stdin); h = j["host_address"]; g = j["guard"]
print(h["port"], h["port_master"], h["address"], h["address_on"], g["state"], g["remaining"] > 0)')
expect_eq "net show --json: port, its bridge, the address and where, the armed guard" \
	"qeth0 qbr1 10.88.0.5/24 qbr1 armed True" "$out"
out=$(timeout 30 "$QNM" net confirm phys 2>&1)
expect_eq "net confirm" "network phys: the change is kept" "$out"
check "the host reaches the LAN through the bridge" \
	test "$(http_get http://10.88.0.1:8000/hello.txt)" = "lan-$$"

# ---- a guest on the bridge: the LAN's lease, reachable from the LAN ----
cat >"$T/guest.sh" <<EOS
. /etc/qnm/lib.sh
qnm_dhcp eth0
echo "$TOKEN" > /www/token.txt
dd if=/dev/zero of=/www/big bs=1k count=192 2>/dev/null
httpd -p 80 -h /www
echo "g2lan: \$(timeout 5 wget -q -O - http://10.88.0.1:8000/hello.txt)"
echo QNM-GUEST-READY
sleep 600
EOS
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=tap network=phys create=yes >/dev/null ||
	fatal "nic add"
MAC=$("$QNM" nic list vm | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1)
TAP=qt-vm-0
out=$("$QNM" start vm 2>&1) || fatal "qnm start: $out"
check "the guest's TAP is a port of qbr1" test -e "/sys/class/net/qbr1/brif/$TAP"
check "the guest got its lease from the LAN's DHCP" \
	wait_serial 40 vm "eth0 got 10.88.0.100/24 router 10.88.0.1"
check "the LAN's dnsmasq leased 10.88.0.100 to the guest's MAC" \
	grep -q "$MAC 10.88.0.100 " "$T/lan.leases"
check "the guest reached the LAN" wait_serial 20 vm "g2lan: lan-$$"
got=$(inl timeout 5 "$BB" wget -q -O - http://10.88.0.100/token.txt 2>/dev/null)
expect_eq "the guest is reachable from the LAN" "$TOKEN" "$got"
check "confirmed: the port stays in the bridge past the deadline's check" \
	test "$(cat /sys/class/net/qeth0/master/ifindex 2>/dev/null)" = "$(cat /sys/class/net/qbr1/ifindex)"
expect_eq "the guard says kept" kept "$("$QNM" net show phys --json | python3 -c '
import json, sys; print(json.load(sys.stdin)["guard"]["state"])')"
check "the host still reaches the LAN" test "$(http_get http://10.88.0.1:8000/hello.txt)" = "lan-$$"
expect_eq "the host reaches the guest on the bridge" "$TOKEN" "$(http_get http://10.88.0.100/token.txt)"

# ---- the topology screen ----
# box TITLE - the text inside the box whose first line holds TITLE (joined)
box() {
	ui_screen | python3 -c '
import sys
title = sys.argv[1]
lines = sys.stdin.read().split("\n")
for y, l in enumerate(lines):
    c = l.find(title)
    if c < 0:
        continue
    left, right = l.rfind("\u2502", 0, c), l.find("\u2502", c)
    if left < 0 or right < 0:
        continue
    out = []
    for l2 in lines[y:]:
        if len(l2) <= right or l2[left] != "\u2502":
            break
        out.append(l2[left + 1:right].strip())
    print(" ".join(out))
    break' "$1"
}
# bytes TEXT - rx + tx bytes of a box's "rx N UNIT tx N UNIT"
bytes() {
	python3 -c '
import re, sys
u = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
v = [float(n) * u[s] for n, s in re.findall(r"(?:rx|tx) ([0-9.]+) (B|KiB|MiB|GiB)", sys.argv[1])]
print(int(sum(v)) if len(v) == 2 else -1)' "$1"
}
traffic() {
	local i
	inl timeout 5 "$BB" wget -q -O /dev/null http://10.88.0.100/big
	for i in 1 2 3; do http_get http://10.88.0.1:8000/hello.txt >/dev/null; done
}
# topology COLS ROWS - read the hops at that size, see their counters rise
topology() {
	local cols=$1 rows=$2 hop b0 b1 tap0 br0 port0
	ui_resize "$cols" "$rows"
	ui_keys Home
	ui_wait "port qeth0" 5 >/dev/null || fail "${cols}x$rows: no port box"
	for hop in "guest " "TAP $TAP" "bridge qbr1" "port qeth0" "LAN"; do
		[ -n "$(box "$hop")" ] && ok "${cols}x$rows: the chain has the box '$hop'" ||
			{ fail "${cols}x$rows: no box '$hop'"; ui_screen | sed 's/^/  | /'; }
	done
	expect_contains "${cols}x$rows: the bridge holds the host's address" "host 10.88.0.5/24" "$(box "bridge qbr1")"
	expect_contains "${cols}x$rows: the port is the enslaved NIC" "enslaved NIC" "$(box "port qeth0")"
	expect_contains "${cols}x$rows: the LAN box" "guest has own IP" "$(box "LAN")"
	ui_expect "${cols}x$rows: the guest's address, as the host saw it" "n0: guest 10.88.0.100"
	tap0=$(bytes "$(box "TAP $TAP")") br0=$(bytes "$(box "bridge qbr1")") port0=$(bytes "$(box "port qeth0")")
	traffic
	sleep 2.5
	echo "--- the topology at ${cols}x$rows after the traffic:"
	ui_screen | sed 's/^/  | /'
	for hop in "TAP $TAP:$tap0" "bridge qbr1:$br0" "port qeth0:$port0"; do
		b0=${hop##*:}
		b1=$(bytes "$(box "${hop%:*}")")
		expect_eq "${cols}x$rows: ${hop%:*}'s counters rise while traffic flows ($b0 -> $b1 bytes)" yes \
			"$([ "$b0" -ge 0 ] && [ "$b1" -gt "$b0" ] && echo yes || echo "no: $(box "${hop%:*}")")"
	done
}
ui_start -x 80 -y 24
ui_wait "m Topology" 10 || fatal "UI did not start"
ui_keys m
ui_wait "Topology of vm" 5 >/dev/null || fatal "no topology screen"
topology 80 24
topology 132 43
ui_keys Escape
ui_keys q
finish
