#!/bin/bash
# fwd-to.sh - a forward to a VM's NIC, not to an address (issue 15.3), with a
# real guest on a TAP in a qnm NAT network, all in the test's namespaces
# (lib-guest.sh; the outside is a second namespace, as tap-nat-common.sh):
#   - a NIC saved on the network gets a reservation once (ip= in its file),
#     the first free address of the range (another VM's NIC holds the first);
#     then one the user gives (far from where dnsmasq's own pick lands);
#   - the network is up before the NIC is added: "qnm start" makes its
#     dnsmasq serve the new reservation (--dhcp-host), so the guest gets
#     exactly that address;
#   - "qnm forward add --net lan --to web/n0 tcp::8080-:80" on the up network
#     carries a fetch from the outside to the guest's port 80, and again
#     after the VM restarts; a new reservation moves the live DNAT; "net up"
#     over the up network replaces dnsmasq for it, and then keeps it.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base
need_cmd nsenter util-linux
TOKEN="fwdto-$$-$RANDOM"

sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
guest_outside

"$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.250 >/dev/null || fatal "net add failed"
# another VM's NIC on the network first: it holds the range's first address
"$QNM" new other >/dev/null && "$QNM" nic add other backend=tap network=lan >/dev/null ||
	fatal "the other VM"
expect_eq "a NIC saved on the network gets the range's first address" "ip = 10.77.0.50" \
	"$(grep '^ip =' "$XDG_CONFIG_HOME/qnm/vms/other.conf")"
out=$(timeout 30 "$QNM" net up lan 2>&1) || fatal "net up failed: $out"
at_exit "timeout 30 \"$QNM\" net down lan >/dev/null 2>&1"
dpid=$(cat "$XDG_RUNTIME_DIR/qnm/dnsmasq-lan.pid")
check "dnsmasq serves the other NIC's reservation" \
	grep -qaF -- "--dhcp-host=" "/proc/$dpid/cmdline"

# DHCP, guest-token-TOKEN served on port 80 (the host fetch it makes fails: nothing listens)
{ guest_script_serve "$TOKEN" 10.77.0.1; printf 'echo QNM-SERVING\nsleep 600\n'; } >"$T/guest.sh"
guest_define web "$T/guest.sh"
"$QNM" nic add web model=e1000 backend=tap network=lan >/dev/null || fatal "nic add failed"
expect_eq "web/n0 gets the next free address, saved" "ip = 10.77.0.51" \
	"$(grep '^ip =' "$XDG_CONFIG_HOME/qnm/vms/web.conf")"
# one the user gives, far from where dnsmasq's own pick would land
out=$("$QNM" nic set web n0 ip=10.77.0.200 2>&1)
expect_eq "web/n0's reservation set to 10.77.0.200 ($out)" 0 $?
out=$("$QNM" forward add --net lan --to web/n0 tcp::8080-:80 2>&1)
expect_eq "forward --to web/n0 added ($out)" 0 $?
expect_contains "applied to the live table" "applied to the live table" "$out"
expect_contains "the forward names its target in the file" "forward = tcp::8080-web/n0:80" \
	"$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf")"
check "the live DNAT goes to the reservation" sh -c \
	"nft list map inet qnm fwd_any | grep -q '8080 : 10.77.0.200 . 80'"

fetch_token() { [ "$(ino timeout 5 "$BB" wget -q -O - http://10.99.0.1:8080/token.txt 2>/dev/null)" = "guest-token-$TOKEN" ]; }
for round in 1 2; do
	out=$("$QNM" start web 2>&1) || fatal "qnm start web ($round) failed: $out"
	check "round $round: the guest got exactly its reservation" \
		wait_serial 60 web "eth0 got 10.77.0.200/24 router 10.77.0.1"
	check "round $round: the guest serves" wait_serial 20 web QNM-SERVING
	check "round $round: outside -> 10.99.0.1:8080 reaches web/n0's port 80" wait_for 10 fetch_token
	list=$("$QNM" forward list)
	expect_contains "round $round: forward list shows the target and its address" \
		"web/n0 (10.77.0.200):80" "$list"
	expect_contains "round $round: the forward is active" "active" "$list"
	out=$("$QNM" stop web 2>&1)
	expect_eq "round $round: qnm stop ($out)" 0 $?
done
check "dnsmasq was restarted with web/n0's reservation" grep -qaF -- \
	"--dhcp-host=$("$QNM" nic list web | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1),10.77.0.200" \
	"/proc/$(cat "$XDG_RUNTIME_DIR/qnm/dnsmasq-lan.pid")/cmdline"
# a new reservation while the network is up: the live DNAT follows it
out=$("$QNM" nic set web n0 ip=10.77.0.201 2>&1)
expect_eq "web/n0's reservation moved to 10.77.0.201 ($out)" 0 $?
check "the live DNAT followed it" sh -c \
	"nft list map inet qnm fwd_any | grep -q '8080 : 10.77.0.201 . 80'"
expect_contains "the forward is active at its new address" "web/n0 (10.77.0.201):80" \
	"$("$QNM" forward list | grep active)"
dpid=$(cat "$XDG_RUNTIME_DIR/qnm/dnsmasq-lan.pid")
out=$(timeout 30 "$QNM" net up lan 2>&1)
expect_eq "net up over the up network ($out)" 0 $?
expect_eq "it replaced dnsmasq for the new reservation" 1 \
	"$(grep -caF -- "10.77.0.201" "/proc/$(cat "$XDG_RUNTIME_DIR/qnm/dnsmasq-lan.pid")/cmdline")"
dpid=$(cat "$XDG_RUNTIME_DIR/qnm/dnsmasq-lan.pid")
out=$(timeout 30 "$QNM" net up lan 2>&1)
expect_eq "net up again ($out)" 0 $?
expect_eq "it keeps the dnsmasq that serves the reservations" "$dpid" \
	"$(cat "$XDG_RUNTIME_DIR/qnm/dnsmasq-lan.pid")"
finish
