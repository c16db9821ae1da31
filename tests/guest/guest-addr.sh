#!/bin/bash
# guest-addr.sh - the guest's address qnm shows for each NIC equals what the
# guest itself reports (issue 15.2), for one guest with four NICs in the
# test's own namespaces: user (QEMU's info usernet), slirp (the helper's
# ARP table), TAP on a qnm NAT network (dnsmasq's lease) and the bridge
# helper on a bridge made here (the host's neighbour table). Also the TAP
# qemu-bridge-helper made is found by the NIC's MAC in the bridge's FDB and
# counted as the NIC's (issue 15.8), and the VM row of the UI at 80x24
# shows the first NIC's address.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
need_cmd dnsmasq dnsmasq-base
need_cmd nft nftables
need_cmd tmux tmux
[ -x /usr/lib/qemu/qemu-bridge-helper ] || skip "no /usr/lib/qemu/qemu-bridge-helper"
mkdir -p "$T/etc-up" "$T/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc ||
	skip "cannot overlay /etc in a private mount namespace"
at_exit "umount -l /etc"
mkdir -p /etc/qemu
echo "allow qnmbr1" >/etc/qemu/bridge.conf
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

guest_outside
"$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.50 >/dev/null || fatal "net add failed"
out=$(timeout 30 "$QNM" net up lan 2>&1) || fatal "net up failed: $out"
at_exit "timeout 30 \"$QNM\" net down lan >/dev/null 2>&1"
ip link add qnmbr1 type bridge && ip addr add 10.0.5.1/24 dev qnmbr1 && ip link set qnmbr1 up ||
	fatal "cannot make a bridge in the test netns"
# a host listener the guest keeps a connection to (QEMU's info usernet lists it)
"$BB" nc -ll -p 7000 -e cat &
at_exit "kill $! 2>/dev/null"

: >"$T/guest.sh"
guest_define vm "$T/guest.sh"
"$QNM" nic add vm backend=user ipv6=off >/dev/null || fatal "nic add user"
"$QNM" nic add vm backend=slirp ipv6=off net=10.0.3.0/24 >/dev/null || fatal "nic add slirp"
"$QNM" nic add vm backend=tap network=lan create=yes >/dev/null || fatal "nic add tap"
"$QNM" nic add vm backend=bridge br=qnmbr1 >/dev/null || fatal "nic add bridge"
mapfile -t NICS < <("$QNM" nic list vm | awk 'NR > 1 { print $1 }')
mapfile -t MACS < <("$QNM" nic list vm | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}')
[ "${#NICS[@]}" = 4 ] && [ "${#MACS[@]}" = 4 ] || fatal "nic list: ${NICS[*]} / ${MACS[*]}"
# The guest: DHCP on the first three (found by MAC), a fixed address on the
# bridged one, then it talks on each and prints what "ip -4 addr" says.
cat >"$T/guest.sh" <<EOS
. /etc/qnm/lib.sh
dev() { for i in /sys/class/net/eth*; do [ "\$(cat \$i/address)" = "\$1" ] && echo \${i##*/}; done; }
U=\$(dev ${MACS[0]}) S=\$(dev ${MACS[1]}) N=\$(dev ${MACS[2]}) B=\$(dev ${MACS[3]})
qnm_dhcp \$U; qnm_dhcp \$S; qnm_dhcp \$N
ip link set \$B up; ip addr add 10.0.5.11/24 dev \$B
(sleep 600 | nc 10.0.2.2 7000 >/dev/null) &
ping -c1 -W3 10.0.3.2 >/dev/null; ping -c1 -W3 10.77.0.1 >/dev/null; ping -c1 -W3 10.0.5.1 >/dev/null
for d in \$U \$S \$N \$B; do
	echo "GUEST-ADDR \$(cat /sys/class/net/\$d/address) \$(ip -4 -o addr show dev \$d | awk '{print \$4}' | cut -d/ -f1)"
done
echo QNM-ADDRS-DONE
sleep 600
EOS
out=$("$QNM" start vm 2>&1) || fatal "qnm start failed: $out"
check "the guest reported its addresses" wait_serial 90 vm QNM-ADDRS-DONE
guest_ip() { sed -n "s/^GUEST-ADDR $1 //p" "$(serial_log vm)" | tr -d '\r' | head -n1; }
# qnm's view: status --json's addresses of the NIC (first IPv4) and its source
shown() {
	"$QNM" status vm --json | python3 -c '
import json, sys
for a in json.load(sys.stdin).get("addresses", []):
    if a["nic"] == sys.argv[1]:
        print((a["ipv4"] or ["unknown"])[0], a["source"] or a["why"], sep="|")' "$1"
}
want_src=("QEMU info usernet" "slirp helper ARP/NDP" "dnsmasq lease on lan" "neighbours on qnmbr1")
kinds=(user slirp tap-nat bridge-helper)
deadline=$((SECONDS + 25)) # for all four: a NIC qnm cannot see fails fast
for i in 0 1 2 3; do
	g=$(guest_ip "${MACS[$i]}")
	[ -n "$g" ] || fail "${kinds[$i]}: the guest reported no IPv4 address"
	got=$(shown "${NICS[$i]}")
	while [ "${got%%|*}" != "$g" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.5
		got=$(shown "${NICS[$i]}")
	done
	expect_eq "${kinds[$i]}: the address qnm shows is the guest's own ($g)" "$g" "${got%%|*}"
	expect_contains "${kinds[$i]}: and says where it comes from" "${want_src[$i]}" "${got#*|}"
done
# qnm status in text, one line a NIC
out=$("$QNM" status vm)
expect_contains "status: the user NIC's line" "${NICS[0]}: $(guest_ip "${MACS[0]}") (from QEMU info usernet), gateway 10.0.2.2" "$out"
expect_contains "status: the NAT NIC's gateway is the network's" "gateway 10.77.0.1 (network lan (dnsmasq))" "$out"

# 15.8: the bridge helper's TAP, found by the NIC's MAC in the bridge's FDB
TAP=$(ip -o link show master qnmbr1 | awk -F': ' '{print $2}' | cut -d@ -f1 | head -n1)
check "the bridge helper made a TAP on qnmbr1 ($TAP)" test -n "$TAP"
expect_contains "status names that TAP" "TAP $TAP" "$out"
row=$("$QNM" stats --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for e in (d.get("interfaces", d) if isinstance(d, dict) else d):
    if e.get("name") == sys.argv[1]:
        print(e.get("role"), e.get("vm"), e.get("nic"))' "$TAP")
expect_eq "stats: the helper's TAP counts as the NIC's, like qnm's own TAPs" "tap vm ${NICS[3]}" "$row"

# The UI's VM row at 80x24 shows the first NIC's address.
. "$QNM_SRCDIR/tests/ui-lib.sh"
ui_start -x 80 -y 24
ui_wait "vm" 10 >/dev/null || fatal "UI did not start"
if ui_wait "$(guest_ip "${MACS[0]}")" 10 >/dev/null; then
	ok "UI: the VM row shows the guest's address"
else
	fail "UI: no $(guest_ip "${MACS[0]}") in the VM list:"
	ui_screen | sed 's/^/  | /'
fi
# What the addresses cost the UI: its CPU over 5 s on the VMs screen with
# this guest's four NICs shown (all four sources read once a second).
shell=$(_ui list-panes -t "$UI_TARGET" -F '#{pane_pid}')
UIPID=$(pgrep -P "$shell" | head -n1)
cpu() { awk '{print $14 + $15}' "/proc/$UIPID/stat"; }
if [ -n "$UIPID" ]; then
	c0=$(cpu)
	sleep 5
	ticks=$(($(cpu) - c0))
	echo "  the UI's CPU ($(cat /proc/$UIPID/comm) pid $UIPID) over 5 s with the addresses shown: $((ticks * 1000 / $(getconf CLK_TCK))) ms"
	check "the UI stays cheap with the addresses shown (< 1 s CPU in 5 s)" \
		test "$ticks" -lt "$(getconf CLK_TCK)"
fi
# The topology screen (m) says it with the gateway and the source.
ui_resize 132 43
ui_keys m
if ui_wait "${NICS[2]}: guest $(guest_ip "${MACS[2]}"), gateway 10.77.0.1 (dnsmasq lease on lan" 10 >/dev/null; then
	ok "UI: the topology shows the NAT NIC's address, gateway and source"
else
	fail "UI: topology:"
	ui_screen | sed 's/^/  | /'
fi
ui_quit
# What one refresh of every source costs (a UI asks at most once a second).
t0=$(date +%s%N)
"$QNM" status vm >/dev/null
echo "  one 'qnm status' with all four sources (QMP included): $((($(date +%s%N) - t0) / 1000000)) ms"
finish
