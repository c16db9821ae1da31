#!/bin/bash
# net-set-up: issue 16.8 - "qnm net set" on a network that is up says what
# is true: "qnm net up NET" applies an address or DHCP change over the
# running network (the old address leaves the bridge, dnsmasq serves the new
# range, a guest's port stays on the bridge), while the name, bridge, mode
# and port change only while it is down (refused, naming the field, nothing
# saved); a VM's reservation that the new address leaves out is picked anew
# by net up. In a namespace this test creates.
. "$QNM_SRCDIR/tests/lib.sh"
need_root
NS=$(new_netns netset)
q() { ip netns exec "$NS" "$QNM" "$@"; }
in_ns() { ip netns exec "$NS" "$@"; }
addrs() { in_ns ip -4 -br addr show dev qnmset0 | awk '{ $1 = $2 = ""; print }' | xargs; }

q net add lan mode=nat bridge=qnmset0 address=10.77.0.1/24 dhcp-start=10.77.0.100 \
	dhcp-end=10.77.0.200 >/dev/null || fatal "net add"
q net up lan >/dev/null || fatal "net up"
at_exit "ip netns exec $NS $QNM net down lan >/dev/null 2>&1"
# a guest's TAP stands in as a veth port of the bridge
in_ns ip link add gst0 type veth peer name gst1 || fatal "veth"
in_ns ip link set gst0 master qnmset0 up || fatal "enslave veth"
expect_eq "up: the bridge has the address" "10.77.0.1/24" "$(addrs)"

q new g1 >/dev/null && q nic add g1 backend=tap network=lan >/dev/null || fatal "VM g1 on lan"
vmip() { sed -n 's/^ip = //p' "$XDG_CONFIG_HOME/qnm/vms/g1.conf"; }
expect_eq "VM g1's reservation on the first range" 10.77.0.100 "$(vmip)"
out=$(q net set lan address=10.78.0.1/24 dhcp-start=10.78.0.100 dhcp-end=10.78.0.200 2>&1)
expect_contains "set while up: says net up applies it now" \
	"network lan is up: 'qnm net up lan' applies the change now" "$out"
out=$(q net up lan 2>&1) || fail "net up again: $out"
expect_contains "up again: says the old address left" \
	"removed the old address 10.77.0.1/24 from qnmset0 (now 10.78.0.1/24)" "$out"
expect_eq "up again: only the new address on the bridge" "10.78.0.1/24" "$(addrs)"
expect_eq "up again: VM g1 has a reservation in the new range" 10.78.0.100 "$(vmip)"
ours() { pgrep -a -x dnsmasq | grep -F -- '--interface=qnmset0'; }
expect_contains "up again: dnsmasq serves the new range" "10.78.0.100,10.78.0.200" "$(ours)"
expect_eq "up again: one dnsmasq, none left with the old range" 1 "$(ours | grep -c .)"
expect_eq "up again: the guest's port is still on the bridge" qnmset0 \
	"$(in_ns ip -j link show gst0 | jq -r '.[0].master')"
check "up again: the masquerade follows the new subnet" \
	bash -c "ip netns exec $NS nft list table inet qnm | grep -q 'ip saddr 10.78.0.0/24'"

before=$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf" 2>/dev/null || q net show lan)
for kv in bridge=qnmset1 mode=isolated; do
	key=${kv%%=*}
	out=$(q net set lan "$kv" 2>&1) && fail "set $key while up was accepted"
	expect_contains "set $key while up: refused, naming the field" \
		"net set: $key: network lan is up: its name, bridge, mode and port change only while it is down (qnm net down lan)" "$out"
done
after=$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf" 2>/dev/null || q net show lan)
expect_eq "refused changes: nothing saved" "$before" "$after"
q net down lan >/dev/null || fail "net down"
out=$(q net set lan bridge=qnmset1 2>&1)
expect_eq "down: the bridge changes" "" "$out"
finish
