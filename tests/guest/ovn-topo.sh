#!/bin/bash
# ovn-topo.sh - the topology of a guest on an ovn network (issue 18.3), in
# the lab of lib-ovn.sh: guests ga (host a) and gb (host b) on one ovn
# network ping each other. On host a, in the real UI at 80x24, the Modes
# screen of ga shows guest -> TAP -> br-int -> switch, then the Geneve
# tunnel to host b's encap address (192.168.50.12) -> host b with its guest
# gb/n0 (from NB's switch ports and SB's Port_Binding), with OVS counters;
# "qnm show ga" gives the same facts as text, and the tunnel's rx_bytes
# (OVS Interface statistics) rise while the guests ping. Without the local
# OVS the counters are "not available", never zero.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-200}
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/guest/lib-ovn.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

ovn_lab_up a b
NB=$(ovn_nb_remote)
# each guest's address and its peer's (on the other host)
declare -A ADDR=([a]=10.82.0.11 [b]=10.82.0.12) OTHER=([a]=b [b]=a)

# host b is the network's gateway: its uplink up0 (a veth whose peer stays
# in b's namespace: no traffic goes out in this test) carries the router
ip -n ovnb link add up0 type veth peer name up0p || fatal "b's uplink veth"
ip -n ovnb link set up0 up && ip -n ovnb link set up0p up
for h in a b; do
	qh $h net add lan mode=ovn bridge=br-int address=10.82.0.1/24 dhcp-start=10.82.0.10 \
		dhcp-end=10.82.0.99 ovn-nb="$NB" gateway-host=b uplink=up0 \
		gateway-address=10.99.0.5/24 >/dev/null || fatal "net add on $h"
	at_exit "qh $h net down lan >/dev/null 2>&1"
	out=$(qh $h net up lan 2>&1) || fatal "net up on $h: $out"
done
for h in a b; do
	cat >"$T/g$h.sh" <<EOS
. /etc/qnm/lib.sh
$OVN_DHCP
ip link set eth0 mtu 1400
until ping -c1 -W1 ${ADDR[${OTHER[$h]}]} >/dev/null 2>&1; do :; done
echo QNM-OVN-PINGS
while :; do ping -c1 -W1 -s 1000 ${ADDR[${OTHER[$h]}]} >/dev/null 2>&1; sleep 0.2; done
EOS
	ovn_guest $h g$h "$T/g$h.sh" network=lan ip=${ADDR[$h]}
	out=$(qh $h start g$h 2>&1) || fatal "start g$h: $out"
done
# OVN's DHCP serves the ports' addresses: starting a guest with a reservation
# (ip=) ran a dnsmasq of qnm's on br-int, which net down then left running
comms() { for p in $(ip netns pids "ovn$1"); do cat /proc/$p/comm 2>/dev/null; done; }
expect_eq "no dnsmasq on host a or b (OVN's DHCP serves the reservations)" "" \
	"$( (comms a; comms b) | grep dnsmasq)"
# the UI at 80x24 on host a
UI_PREFIX=(ip netns exec ovna env OVS_RUNDIR="$OVN_LAB/a/run")
XDG_CONFIG_HOME=$OVN_LAB/a/config XDG_RUNTIME_DIR=$OVN_LAB/a/xdg XDG_DATA_HOME=$OVN_LAB/a/data
ui_start -x 80 -y 24
ui_wait "ga" 10 >/dev/null || fatal "the UI did not show ga"
ui_keys 1 m
ui_wait "Topology of ga" 5 >/dev/null || fatal "no topology screen"
check "ga pings gb across hosts" wait_for "$GUEST_TIMEOUT" grep -qF QNM-OVN-PINGS "$OVN_LAB/a/xdg/qnm/ga/serial.log"

# the text form: qnm show (read-only selects on OVS, NB and SB)
tun() { qh a show ga | grep "^# nic n0: tunnel geneve"; }
out=$(tun)
check "show: the Geneve tunnel to host b's encap address, with gb's port ($out)" \
	grep -qE "tunnel geneve [^ ]+ to 192\.168\.50\.12 \(host b: b/gb/n0\) rx_bytes=[0-9]+ tx_bytes=[0-9]+$" <<<"$out"
out=$(qh a show ga | grep "^# nic n0: ovn switch")
check "show: ga's port on br-int of chassis a, with its counters ($out)" \
	grep -qE "ovn switch lan, chassis a, port on br-int: rx_bytes=[0-9]+ tx_bytes=[0-9]+$" <<<"$out"
rx0=$(tun | sed -n 's/.* rx_bytes=\([0-9]*\) .*/\1/p')
# OVS writes statistics into its database every 5 s
rises() { [ "$(tun | sed -n 's/.* rx_bytes=\([0-9]*\) .*/\1/p')" -gt "${rx0:-0}" ]; }
# no OVS: not available, never zero
out=$(inns a env OVS_RUNDIR="$T/none" XDG_CONFIG_HOME="$OVN_LAB/a/config" \
	XDG_RUNTIME_DIR="$OVN_LAB/a/xdg" XDG_DATA_HOME="$OVN_LAB/a/data" timeout 20 "$QNMABS" show ga)
check "show without OVS: not available" grep -q "^# nic n0: ovn: not available: Open vSwitch" <<<"$out"
check "... and no zero counters" grep -q "port on br-int: rx_bytes=n/a tx_bytes=n/a" <<<"$out"

# the whole chain: host b's side is read from NB and SB (each request bounded
# by 3 s), its router last; a round that timed out on a loaded machine says
# "not available" until the next round (once a second) answers
ui_wait "router + NAT" 30 >/dev/null
ui_wait_gone "not available" 10
ui_expect "the chain: ga's TAP" "TAP qt-ga-0"
ui_expect "... br-int" "OVS br-int"
ui_expect "... the switch" "switch lan"
ui_expect "... the Geneve tunnel" "tunnel geneve"
ui_expect "... to host b's encap address" "192.168.50.12"
ui_expect "... host b" "host b"
ui_expect "... its guest gb" "gb/n0"
ui_expect "... the switch says who of it is on this host" "here: ga/n0"
ui_expect "... host b is the gateway: its router" "router + NAT"
ui_expect_not "... and everything answered" "not available"
echo "--- ga's topology at 80x24:"
ui_screen
echo "---"
# at 80x24 the last box of the gateway's chain is below: scroll to it
for ((i = 0; i < 12; i++)); do ui_words "uplink up0" && break; ui_keys Down; sleep 0.2; done
ui_expect "... and the gateway's uplink after it (scrolled down)" "up0"
ui_expect "the guest's address: its OVN port's (it was 'unknown, no DHCP lease')" \
	"n0: guest 10.82.0.11, gateway 10.82.0.1 (OVN port address)"
echo "--- scrolled:"
ui_screen
echo "---"
ui_keys Home
ui_wait "Topology of ga" 3 >/dev/null
ui_screen >"$T/screen1"
# the tunnel box's rx counter: the text under "tunnel geneve", at its column
tunnel_rx() {
	python3 -c '
import sys
rows = open(sys.argv[1]).read().split("\n")
for y, r in enumerate(rows):
    x = r.find("tunnel geneve")
    if x >= 0:
        for r2 in rows[y + 1:y + 6]:
            cell = r2[x:x + 15].strip()
            if cell.startswith("rx "):
                print(cell); break
        break' "$1"
}
rx1=$(tunnel_rx "$T/screen1")
check "the tunnel box shows OVS's rx counter ($rx1)" test -n "$rx1"
ui_changed() { ui_screen >"$T/screen2"; [ "$(tunnel_rx "$T/screen2")" != "$rx1" ]; }
[ -n "$rx1" ] && wait_for 12 ui_changed
check "... which changes while the guests ping ($rx1 -> $(tunnel_rx "$T/screen2"))" ui_changed
check "the tunnel's rx_bytes rise while the guests ping (from $rx0)" \
	eval '[ -n "$rx0" ] && wait_for 12 rises'
ui_quit
finish
