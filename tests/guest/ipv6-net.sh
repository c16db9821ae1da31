#!/bin/bash
# ipv6-net.sh - a user NIC and a slirp NIC (qnm's libslirp helper) with
# their own IPv6 prefix (ipv6-net=, issue 16.4): the guest forms a SLAAC
# address in each prefix from the router advertisements, and the host side
# answers at ::2 of it.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

cat >"$T/guest.sh" <<'EOF2'
ip link set eth0 up; ip link set eth1 up
for p in 2001:db8:1: fd12:3456:789a:; do
	n=0
	until ip -6 addr show scope global | grep "inet6 $p" | grep -qv tentative; do
		n=$((n + 1)); [ $n -gt 300 ] && break; sleep 0.1
	done
done
ip -6 addr show scope global | grep -o 'inet6 [^ ]*' | sed 's/^/guest-v6: /'
ping -6 -c 1 -W 3 2001:db8:1::2 >/dev/null 2>&1 && echo "ping6 user ok"
ping -6 -c 1 -W 3 fd12:3456:789a::2 >/dev/null 2>&1 && echo "ping6 slirp ok"
echo QNM-V6-DONE
sleep 600
EOF2
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=user ipv6-net=2001:db8:1::/64 >/dev/null ||
	fatal "nic add user"
"$QNM" nic add vm model=e1000 backend=slirp ipv6-net=fd12:3456:789a::/64 >/dev/null ||
	fatal "nic add slirp"
out=$("$QNM" start vm) || fatal "qnm start failed: $out"
check "the guest ran its IPv6 checks" wait_serial 60 vm QNM-V6-DONE
log=$(serial_log vm)
grep "guest-v6:\|ping6" "$log" | tr -d '\r' | sed 's/^/  /'
check "user NIC: SLAAC address in 2001:db8:1::/64" grep -q "guest-v6: inet6 2001:db8:1:0:.*/64" "$log"
check "slirp NIC: SLAAC address in fd12:3456:789a::/64" grep -q "guest-v6: inet6 fd12:3456:789a:0:.*/64" "$log"
check "user NIC: the host answers at 2001:db8:1::2" grep -q "ping6 user ok" "$log"
check "slirp NIC: the host answers at fd12:3456:789a::2" grep -q "ping6 slirp ok" "$log"
"$QNM" stop vm --timeout 30 >/dev/null 2>&1
finish
