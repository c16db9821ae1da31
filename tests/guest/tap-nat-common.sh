#!/bin/bash
# tap-nat-common.sh - a real guest on a TAP in a qnm NAT network, all inside
# the test's own namespaces:
#   test ns (lib-guest.sh's unshare -n) - "qnm net up": bridge qnmbr0
#            10.77.0.1/24, nftables masquerade + DNAT, dnsmasq; uplink qup0
#            10.99.0.1/24; "qnm start" makes the guest's TAP and puts it on
#            the bridge
#   outside - a second namespace (held by a sleep), qout0 10.99.0.2/24
# Checks: the guest's DHCP lease comes from qnm's dnsmasq; guest -> outside
# is masqueraded (the outside sees 10.99.0.1); outside -> 10.99.0.1:8080
# reaches the guest's port 80 (DNAT); "qnm stop" removes the TAP qnm made;
# "qnm net down" leaves no bridge, table, dnsmasq or ip_forward change.
# Run through tap-nat-MODEL.sh (GUEST_MODEL=...).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
M=${GUEST_MODEL:?set GUEST_MODEL}
guest_nat_needs
TOKEN="guest-$$-$RANDOM"
fwd_before=$(cat /proc/sys/net/ipv4/ip_forward)
# The outside: a namespace of its own, held by a sleeping process.
guest_outside
# nsenter itself, not the ino function: a function run with & is a subshell, and killing
# that subshell left socat running in the outside namespace after the test.
nsenter -t "$OUT_PID" -n socat -T 10 TCP-LISTEN:7000,reuseaddr,fork \
	SYSTEM:'echo peer=$SOCAT_PEERADDR' &
at_exit "kill $! 2>/dev/null"
wait_for 5 ino sh -c 'ss -ltn | grep -q ":7000 "' || fatal "outside listener did not start"

"$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.50 forward=tcp::8080-10.77.0.50:80 >/dev/null ||
	fatal "net add failed"
guest_net_up lan

cat >"$T/guest.sh" <<EOS
. /etc/qnm/lib.sh
qnm_dhcp eth0
echo "$TOKEN" > /www/token.txt
httpd -p 80 -h /www
echo "g2o: \$(sleep 3 | timeout 5 nc 10.99.0.2 7000)"
echo QNM-G2O-DONE
sleep 600
EOS
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model="$M" backend=tap network=lan create=yes >/dev/null || fatal "nic add failed"
MAC=$("$QNM" nic list vm | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1)
ports_before=$(ls /sys/class/net/qnmbr0/brif | tr '\n' ' ')

out=$("$QNM" start vm 2>&1) || fatal "qnm start failed: $out"
ports=$(ls /sys/class/net/qnmbr0/brif | tr '\n' ' ')
TAP=$(for p in $ports; do case " $ports_before " in *" $p "*) ;; *) echo "$p" ;; esac; done)
check "$M: qnm start made a TAP on the bridge ($TAP)" test -n "$TAP" -a -e "/sys/class/net/$TAP/tun_flags"
check "$M: guest got a DHCP lease from qnm's dnsmasq" wait_serial 40 vm "eth0 got 10.77.0.50/24 router 10.77.0.1"
lease=$("$QNM" net show lan --json | python3 -c '
import json, sys
for l in json.load(sys.stdin).get("leases", []):
    if l.get("mac") == sys.argv[1]: print(l.get("ip"))' "$MAC")
expect_eq "$M: dnsmasq's lease is the guest's MAC" 10.77.0.50 "$lease"
check "$M: guest talked to the outside" wait_serial 20 vm QNM-G2O-DONE
check "$M: masquerade: the outside saw the uplink address 10.99.0.1" \
	grep -qF "g2o: peer=10.99.0.1" "$(serial_log vm)"
# A capture on the TAP NIC while the outside fetches through the DNAT forward.
NIC=$("$QNM" nic list vm | awk 'NR > 1 { print $1; exit }')
"$QNM" capture vm "$NIC" "$T/tap.pcap" --json >"$T/cap.json" 2>&1 &
CAP=$!
at_exit "kill $CAP 2>/dev/null"
wait_for 5 test -s "$T/tap.pcap" || fail "$M: capture did not start: $(cat "$T/cap.json")"
got=$(ino timeout 5 "$BB" wget -q -O - http://10.99.0.1:8080/token.txt 2>/dev/null)
expect_eq "$M: DNAT: outside -> 10.99.0.1:8080 reaches the guest's port 80" "$TOKEN" "$got"
kill -INT $CAP
wait $CAP
expect_eq "$M: capture on the TAP NIC ends cleanly" 0 $?
check "$M: the TAP capture holds the guest's HTTP answer" grep -qaF "$TOKEN" "$T/tap.pcap"

out=$("$QNM" stop vm)
expect_eq "$M: qnm stop ($out)" 0 $?
check "$M: qnm stop removed the TAP it made" test ! -e "/sys/class/net/$TAP"
out=$(timeout 30 "$QNM" net down lan 2>&1)
expect_eq "$M: net down" 0 $?
check "$M: down: no bridge" test ! -e /sys/class/net/qnmbr0
expect_eq "$M: down: no nftables table inet qnm" no \
	"$(nft list table inet qnm >/dev/null 2>&1 && echo yes || echo no)"
expect_eq "$M: down: ip_forward restored" "$fwd_before" "$(cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "$M: down: no dnsmasq left in the runtime dir" 0 \
	"$(pgrep -fc "dnsmasq.*$XDG_RUNTIME_DIR")"
expect_eq "$M: down: only lo and the uplink left" "lo qup0" "$(ls /sys/class/net | sort | tr '\n' ' ' | sed 's/ $//')"
finish
