#!/bin/bash
# fwd-range.sh - issue 16.5 end to end: one TCG guest with a TAP NIC on a qnm
# NAT network (eth0), a user NIC (eth1) and a slirp NIC (eth2). Each carries a
# TCP port range (3 ports, shifted: host 18000-18002 -> guest 8000-8002) and a
# tcp+udp entry (host x5353 -> guest 5353) in one forward each; a range is
# also added live to the running slirp NIC and to the up network. TCP: the
# guest's httpd on each port answers with the port's own page. UDP: the
# guest has no UDP server in busybox, so its kernel counts the datagram as
# Udp NoPorts (/proc/net/snmp), printed on its console as it grows.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
guest_nat_needs
TOKEN="rng-$$-$RANDOM"
guest_outside
"$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.50 forward=tcp::38000-38002-10.77.0.50:8000-8002 \
	forward+='tcp+udp::35353-10.77.0.50:5353 desc="dns, both"' >/dev/null ||
	fatal "net add failed"
guest_net_up lan

cat >"$T/guest.sh" <<EOS
. /etc/qnm/lib.sh
qnm_dhcp eth0
qnm_dhcp eth1
qnm_dhcp eth2
for p in 8000 8001 8002 5353; do
	mkdir -p /www/\$p
	echo "port-\$p-$TOKEN" > /www/\$p/t.txt
	httpd -p \$p -h /www/\$p
done
echo QNM-RANGE-READY
last=
while sleep 0.2; do
	n=\$(awk '/^Udp:/ { if (h) { print \$3; exit } h = 1 }' /proc/net/snmp)
	[ "\$n" != "\$last" ] && echo "udp-noports \$n"
	last=\$n
done
EOS
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=tap network=lan create=yes >/dev/null ||
	fatal "nic add tap failed"
"$QNM" nic add vm model=virtio-net-pci backend=user ipv6=off \
	hostfwd=tcp:127.0.0.1:18000-18002-:8000-8002 hostfwd+=tcp+udp:127.0.0.1:15353-:5353 \
	>/dev/null || fatal "nic add user failed"
"$QNM" nic add vm model=virtio-net-pci backend=slirp ipv6=off net=10.0.3.0/24 \
	hostfwd=tcp:127.0.0.1:28000-28002-:8000-8002 hostfwd+=both:127.0.0.1:25353-:5353 \
	>/dev/null || fatal "nic add slirp failed"

out=$("$QNM" start vm 2>&1) || fatal "qnm start failed: $out"
check "guest up on its three NICs" wait_serial 60 vm QNM-RANGE-READY
grep -F 'got 10.' "$(serial_log vm)" | sed 's/^/  /'

# udp NS HOST PORT PATH - one datagram; the guest's Udp NoPorts count must grow
noports() { grep -o 'udp-noports [0-9]*' "$(serial_log vm)" | tail -n1 | cut -d' ' -f2; }
grew() { [ "$(noports)" -gt "$1" ]; }
udp() {
	local before
	wait_for 5 test -n "$(noports)" || fatal "the guest prints no Udp counter"
	before=$(noports)
	echo "udp-$TOKEN" | $1 socat -u - "UDP:$2:$3"
	check "$4: a UDP datagram to $2:$3 reached the guest (Udp NoPorts $before -> more)" \
		wait_for 5 grew "$before"
}
page() { expect_eq "$1: TCP $2 -> guest port $3" "port-$3-$TOKEN" "$(${4:-} timeout 4 "$BB" wget -q -O - "http://$2/t.txt" 2>/dev/null)"; }

for i in 0 1 2; do
	page user "127.0.0.1:1800$i" "800$i"
	page slirp "127.0.0.1:2800$i" "800$i"
	page "NAT network (from outside)" "10.99.0.1:3800$i" "800$i" ino
done
page "user tcp+udp" 127.0.0.1:15353 5353
page "slirp tcp+udp" 127.0.0.1:25353 5353
page "NAT tcp+udp" 10.99.0.1:35353 5353 ino
udp "" 127.0.0.1 15353 user
udp "" 127.0.0.1 25353 slirp
udp ino 10.99.0.1 35353 "NAT network"

# live: a range added to the running slirp NIC (its helper) and to the up network (its map)
out=$("$QNM" forward add --vm vm --nic n2 --desc live tcp:127.0.0.1:28010-28011-:8001-8002 2>&1)
expect_contains "slirp: range added live" "applied live to the running guest" "$out"
page "slirp live range" 127.0.0.1:28011 8002
out=$("$QNM" forward add --net lan tcp::38010-38011-10.77.0.50:8000-8001 2>&1)
expect_contains "network: range added live" "applied to the live table" "$out"
page "NAT live range" 10.99.0.1:38011 8001 ino
check "slirp: range removed live" "$QNM" forward del --vm vm --nic n2 tcp:127.0.0.1:28010
expect_eq "slirp: the removed range answers no more" "" \
	"$(timeout 4 "$BB" wget -q -O - http://127.0.0.1:28011/t.txt 2>/dev/null)"
finish
