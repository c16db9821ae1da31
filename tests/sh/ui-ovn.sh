#!/bin/bash
# ui-ovn: at 80x24, the topology (Modes) screen of a VM whose TAP NIC is on
# an ovn network (issue 18.2): the chain TAP -> OVS br-int -> the logical
# switch (Geneve to other hosts) -> the router on the gateway host, and the
# TAP mode's explanation of ovn; the Networks screen lists it with mode ovn;
# its form has the ovn rows (northbound database, gateway host and address).
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" net add lan mode=ovn bridge=br-int address=10.80.0.1/24 ovn-nb=tcp:192.0.2.1:6641 \
	gateway-host=gw1 uplink=eth1 gateway-address=192.0.2.50/24 >/dev/null || fatal "net add"
"$QNM" new web memory=256 >/dev/null || fatal "qnm new web"
"$QNM" nic add web model=virtio-net-pci backend=tap network=lan >/dev/null || fatal "nic add"
ui_start -x 80 -y 24
ui_wait "web" 5 >/dev/null || fatal "the UI did not show the VM"
ui_keys 1 m
ui_wait "Topology of web" 5 >/dev/null || fatal "no topology screen"
sleep 0.3
ui_expect "the chain has br-int" "OVS br-int"
ui_expect "... the logical switch" "switch lan"
ui_expect "... and the router on the gateway host" "router + NAT"
ui_keys NPage
sleep 0.3
ui_words "OVN (mode ovn, across hosts): the TAP joins Open vSwitch's br-int" &&
	ok "the TAP mode explains ovn" || fail "no word on ovn in the explanation"
ui_keys 2
ui_wait "lan" 5 >/dev/null || fail "no network on the Networks screen"
ui_words "ovn" && ok "the Networks screen shows mode ovn" || fail "no mode ovn on Networks"
ui_keys e
ui_wait "Edit network lan" 5 >/dev/null || fail "no network form"
ui_expect_words "the form has the northbound database" "OVN northbound tcp:192.0.2.1:6641"
ui_expect_words "... the gateway host" "Gateway host gw1"
ui_expect_words "... and the gateway address" "Gateway address 192.0.2.50/24"
ui_quit
finish
