#!/bin/bash
# ovn-net.sh - two guests on different hosts on one qnm "ovn" network
# (issue 18.2), in the lab of lib-ovn.sh (central + hosts a and b, each
# with its own qnm dirs): "qnm net up" on each host writes the logical
# switch and OVN's DHCP options into the northbound database (qnm's own
# OVSDB client); "qnm start" puts each guest's TAP on its host's br-int
# with its logical port; the guests get their addresses from OVN's DHCP,
# ping each other and fetch each other's page across the Geneve tunnel.
# Then: stop takes the TAP off br-int and keeps the logical port (and its
# address); a killed supervisor's port is reclaimed by the next command;
# bad keys are refused naming the field; "net down" removes every row of
# the network from the northbound database.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-200}
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/guest/lib-ovn.sh"

ovn_lab_up a b
NB=$(ovn_nb_remote)
TOKEN="ovn-$$-$RANDOM"
declare -A IP PEER
IP[a]=10.80.0.11
IP[b]=10.80.0.12
PEER[a]=b
PEER[b]=a
serial() { echo "$OVN_LAB/$1/xdg/qnm/g$1/serial.log"; }
wait_serial_h() { wait_for "$2" grep -qF "$3" "$(serial "$1")"; }

# bad input first: each names its field and rule
out=$(qh a net add bad mode=ovn bridge=br-int address=10.81.0.1/24 2>&1)
check "ovn without ovn-nb refused, naming the field" grep -q "ovn-nb: an ovn network needs" <<<"$out"
out=$(qh a net add bad mode=ovn bridge=br-int address=10.81.0.1/24 ovn-nb=tcp:nowhere:6641 2>&1)
check "a bad ovn-nb refused with its rule" grep -q "ovn-nb: 'tcp:nowhere:6641' is not unix:PATH" <<<"$out"
out=$(qh a net add bad mode=ovn bridge=br-int address=10.81.0.1/24 ovn-nb=$NB forward=tcp::8080-10.81.0.5:80 2>&1)
check "forwards without a gateway host refused" grep -q "forward: forwards into an ovn network need a gateway host" <<<"$out"

for h in a b; do
	qh $h net add lan mode=ovn bridge=br-int address=10.80.0.1/24 dhcp-start=10.80.0.10 \
		dhcp-end=10.80.0.99 ovn-nb="$NB" >/dev/null || fatal "net add on $h"
	at_exit "qh $h net down lan >/dev/null 2>&1"
done
t0=$(date +%s%N)
out=$(qh a net up lan 2>&1) || fatal "net up on a: $out"
out=$(qh b net up lan 2>&1) || fatal "net up on b: $out"
expect_eq "net up made the logical switch, marked qnm's" lan \
	"$(nbctl --bare --columns=name find logical_switch external_ids:qnm-network=lan)"
check "and OVN's DHCP options for 10.80.0.0/24" \
	grep -q "10.80.0.0/24" <<<"$(nbctl --bare --columns=cidr list dhcp_options)"

for h in a b; do
	cat >"$T/g$h.sh" <<EOS
. /etc/qnm/lib.sh
$OVN_DHCP
ip link set eth0 mtu 1400
echo "$TOKEN-$h" > /www/token.txt
httpd -p 80 -h /www
n=0
until ping -c1 -W1 ${IP[${PEER[$h]}]} >/dev/null 2>&1; do n=\$((n + 1)); [ \$n -gt 60 ] && break; done
echo "ping-peer: \$(ping -c3 -W2 ${IP[${PEER[$h]}]} | grep -c 'bytes from')"
sleep 1
echo "page-peer: \$(timeout 10 wget -q -O - http://${IP[${PEER[$h]}]}/token.txt)"
echo QNM-OVN-DONE
sleep 600
EOS
	ovn_guest $h g$h "$T/g$h.sh" network=lan ip=${IP[$h]}
done
for h in a b; do
	# the TAPs' flags as they change, for ovn_diag (the monitor is in the namespace: killed with it)
	ip -n "ovn$h" -ts monitor link >"$OVN_LAB/$h/linkmon.log" 2>&1 &
	out=$(qh $h start g$h 2>&1) || fatal "start g$h: $out"
	echo "$out" | sed "s/^/  g$h: /"
done
for h in a b; do
	expect_eq "g$h: its TAP is on br-int of host $h with its logical port" "\"$h/g$h/n0\"" \
		"$(vsctl $h get interface qt-g$h-0 external_ids:iface-id)"
done
for h in a b; do
	# ovs-vswitchd's userspace datapath once set a TAP down behind qnm (backend-ovn.c)
	check "g$h: its TAP is up after the start" \
		grep -q "[<,]UP[,>]" <<<"$(ip -n "ovn$h" link show qt-g$h-0)"
done
for h in a b; do
	if wait_serial_h $h 60 "eth0 got ${IP[$h]}/24 router 10.80.0.1"; then
		ok "g$h: OVN's DHCP gave ${IP[$h]}"
	else
		fail "g$h: OVN's DHCP gave ${IP[$h]}"
		ovn_diag $h $h/g$h/n0
		tail -n 20 "$(serial $h)" | sed 's/^/  serial: /'
	fi
done
for h in a b; do
	check "g$h: done talking to its peer" wait_serial_h $h 90 QNM-OVN-DONE
	check "g$h: pings its peer on the other host" grep -q "ping-peer: [1-3]" "$(serial $h)"
	check "g$h: fetched its peer's page" grep -qF "page-peer: $TOKEN-${PEER[$h]}" "$(serial $h)"
done
ms=$(($(date +%s%N) - t0))
echo "# net up to both guests done (boot under TCG included): $((ms / 1000000)) ms"

# stop: off br-int, the logical port (and its address) kept
out=$(qh a stop ga 2>&1)
expect_eq "stop ga ($out)" 0 $?
expect_eq "stop: ga's TAP is off br-int" "" \
	"$(vsctl a --bare --columns=name find interface external_ids:qnm-owned=yes)"
MAC=$(qh a nic list ga | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1)
expect_eq "stop: its logical port stays, with its address" "$MAC 10.80.0.11" \
	"$(nbctl lsp-get-addresses a/ga/n0)"

# a killed supervisor: the next start reclaims its port on br-int
out=$(qh a start ga 2>&1) || fatal "start ga again: $out"
sup=$(qh a status ga --json | jq -r '.supervisor_pid // empty')
qemu=$(qh a status ga --json | jq -r '.qemu_pid // .pid // empty')
if [ -n "$sup" ] && [ -n "$qemu" ]; then
	kill -9 "$sup" "$qemu"
	wait_for 5 sh -c "! kill -0 $qemu 2>/dev/null"
	expect_eq "killed: the port is still on br-int" 1 \
		"$(vsctl a --bare --columns=name find interface external_ids:qnm-owned=yes | grep -c .)"
	out=$(qh a stop ga 2>&1)
	expect_eq "the next command took the port off br-int ($out)" "" \
		"$(vsctl a --bare --columns=name find interface external_ids:qnm-owned=yes)"
else
	fail "no supervisor/qemu pid in status --json"
fi

# without ovn-controller the port is never bound: the start waits for it,
# then starts the guest anyway and says why it may have no network
qh b stop gb >/dev/null 2>&1
kill "$(cat "$OVN_LAB/b/run/ovn-controller.pid")"
wait_for 5 sh -c "! kill -0 $(cat "$OVN_LAB/b/run/ovn-controller.pid") 2>/dev/null"
out=$(qh b start gb 2>&1)
expect_eq "no ovn-controller: the guest starts ($out)" 0 $?
check "with a warning that names the port and the daemon" \
	grep -q "warning: nic\[n0\]: no network yet: ovn-controller did not bind logical port b/gb/n0 in 10 s" <<<"$out"
qh b stop gb >/dev/null 2>&1
out=$(qh a net down lan 2>&1)
expect_eq "net down ($out)" 0 $?
expect_eq "down: no switch, port, DHCP options of qnm's left in the northbound database" "" \
	"$(nbctl --bare --columns=_uuid find logical_switch external_ids:qnm-network=lan; nbctl --bare --columns=_uuid find dhcp_options external_ids:qnm-network=lan; nbctl --bare --columns=name list logical_switch_port)"
finish
