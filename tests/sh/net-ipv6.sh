#!/bin/bash
# net-ipv6.sh - IPv6 on qnm networks (issue 16.4, ipv6=) on the host side,
# inside a network namespace this test makes (no guest: tests/guest/nat-ipv6.sh
# runs one): net up puts PREFIX::1/64 on the bridge, turns on
# net.ipv6.conf.all.forwarding with its value before recorded, writes the IPv6
# DNAT map and rule and masquerades a ULA (not a global prefix); dnsmasq sends
# RAs and DHCPv6 for the prefix; net down puts forwarding back. A qnm net up
# SIGKILLed at random moments leaves nothing that the next net down does not
# put back: forwarding 0 and no record. An isolated network never turns it on.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base
need_cmd timeout coreutils

NS=$(new_netns v6)
in_ns() { ip netns exec "$NS" "$@"; }
q() { in_ns timeout 30 "$QNM" "$@"; }
fwd6() { in_ns cat /proc/sys/net/ipv6/conf/all/forwarding; }
OWNED=$XDG_RUNTIME_DIR/qnm/owned
REC6=net.ipv6.conf.all.forwarding
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
in_ns sysctl -qw net.ipv6.conf.all.forwarding=0 net.ipv4.ip_forward=0
in_ns ip link add q6up0 type veth peer name q6up1
in_ns ip link set q6up0 up

"$QNM" net add lan bridge=q6br0 address=10.86.0.1/24 mode=nat uplink=q6up0 \
	dhcp-start=10.86.0.50 dhcp-end=10.86.0.60 ipv6=auto >/dev/null || fatal "net add lan"
"$QNM" new vm >/dev/null || fatal "new vm"
"$QNM" nic add vm backend=tap network=lan create=yes mac=52:54:00:12:34:56 >/dev/null ||
	fatal "nic add"
"$QNM" forward add --net lan --to vm/n0 tcp::8080-:80 >/dev/null 2>&1 || fatal "forward add"
out=$(q net up lan 2>&1)
expect_eq "net up ($out)" 0 $?
expect_eq "net up: IPv6 forwarding 1" 1 "$(fwd6)"
expect_contains "net up: the value before is recorded" "sysctl $REC6 " "$(cat "$OWNED")"
expect_contains "net up: the bridge has the auto ULA's ::1" "inet6 fd67:d36c:ce5f::1/64" \
	"$(in_ns ip -6 addr show dev q6br0)"
expect_contains "net up: names the uplink that stops taking RAs" "q6up0" "$out"
table=$(in_ns nft list table inet qnm)
expect_contains "IPv6 DNAT map: the forward to vm/n0's EUI-64 address" \
	"tcp . 8080 : fd67:d36c:ce5f:0:5054:ff:fe12:3456 . 80" "$table"
expect_contains "IPv6 DNAT rule" "dnat ip6 to meta l4proto . th dport map @fwd_any6" "$table"
expect_contains "the ULA is masqueraded out of the uplink" \
	'ip6 saddr fd67:d36c:ce5f::/64 oifname "q6up0"' "$table"
q forward add --net lan --to vm/n0 tcp::8081-:81 >/dev/null 2>&1 || fail "live forward add"
expect_contains "a live forward add puts its IPv6 side in the map" \
	"tcp . 8081 : fd67:d36c:ce5f:0:5054:ff:fe12:3456 . 81" "$(in_ns nft list map inet qnm fwd_any6)"
q forward del --net lan tcp::8081 >/dev/null 2>&1 || fail "live forward del"
expect_eq "a live forward del takes it out" "" \
	"$(in_ns nft list map inet qnm fwd_any6 | grep 8081)"
pid=$(cat "$XDG_RUNTIME_DIR/qnm/dnsmasq-lan.pid")
expect_contains "dnsmasq: RA with SLAAC and DHCPv6" \
	"--enable-ra --dhcp-range=fd67:d36c:ce5f::1000,fd67:d36c:ce5f::1fff,slaac,64,1h" \
	"$(tr '\0' ' ' <"/proc/$pid/cmdline")"
expect_contains "dnsmasq: vm/n0's reservation has its IPv6" \
	"--dhcp-host=52:54:00:12:34:56,10.86.0.50,[fd67:d36c:ce5f:0:5054:ff:fe12:3456]" \
	"$(tr '\0' ' ' <"/proc/$pid/cmdline")"
expect_contains "qnm show names the NIC's IPv6 address" \
	"# nic n0: IPv6 fd67:d36c:ce5f:0:5054:ff:fe12:3456 on network lan" "$("$QNM" show vm)"

# a global prefix is routed, not masqueraded
"$QNM" net set lan ipv6=2001:db8:86::/64 >/dev/null 2>&1 || fatal "net set ipv6"
q net up lan >/dev/null 2>&1 || fatal "net up (global prefix)"
table=$(in_ns nft list table inet qnm)
expect_eq "a global prefix: no IPv6 masquerade" "" "$(grep 'ip6 saddr' <<<"$table")"
expect_contains "a global prefix: the bridge's new address" "inet6 2001:db8:86::1/64" \
	"$(in_ns ip -6 addr show dev q6br0)"
expect_eq "the old prefix's address left the bridge" "" \
	"$(in_ns ip -6 addr show dev q6br0 | grep fd45)"
"$QNM" net set lan ipv6=auto >/dev/null 2>&1

out=$(q net down lan 2>&1)
expect_eq "net down ($out)" 0 $?
expect_eq "net down: IPv6 forwarding back to 0" 0 "$(fwd6)"
expect_eq "net down: no forwarding record" "" "$(grep "$REC6" "$OWNED")"

# SIGKILL net up at random moments: the next net down puts forwarding back
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
t0=$(now_us)
q net up lan >/dev/null 2>&1 || fatal "net up (timing)"
D=$(($(now_us) - t0))
q net down lan >/dev/null 2>&1 || fatal "net down (timing)"
SEED=${SEED:-$$}
RANDOM=$SEED
mid=0 bad=0
for ((i = 0; i < 12; i++)); do
	delay=$((((RANDOM << 15) | RANDOM) % D))
	in_ns timeout --foreground -s KILL "$(printf '%d.%06d' $((delay / 1000000)) $((delay % 1000000)))" \
		"$QNM" net up lan >/dev/null 2>&1
	[ $? = 137 ] && mid=$((mid + 1))
	if ! q net down lan >/dev/null 2>&1 || [ "$(fwd6)" != 0 ] || grep -q "$REC6" "$OWNED"; then
		bad=$((bad + 1))
		echo "  after a kill at ${delay} us of ${D} us: forwarding $(fwd6), records:"
		sed 's/^/    /' "$OWNED"
	fi
done
echo "  net up killed mid-command $mid of 12 times (seed $SEED)"
expect_eq "after every killed net up, net down leaves forwarding 0 and no record" 0 $bad

# isolated: no forwarding, RAs only on the link
"$QNM" net set lan mode=isolated >/dev/null 2>&1 || fatal "net set mode"
q net up lan >/dev/null 2>&1 || fatal "net up isolated"
expect_eq "isolated with IPv6: forwarding stays 0" 0 "$(fwd6)"
expect_contains "isolated: the bridge has ::1" "inet6 fd67:d36c:ce5f::1/64" \
	"$(in_ns ip -6 addr show dev q6br0)"
q net down lan >/dev/null 2>&1 || fatal "net down isolated"
finish
