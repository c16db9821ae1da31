#!/bin/bash
# ui-demo: with only the keys shown on screen, define the demo guest (D),
# start it (s), watch its traffic counters rise on the Traffic screen and on
# the topology, read its console (l), and stop it (x). Guest traffic stays
# on loopback (the forward is 127.0.0.1:PORT -> guest port 80).
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd wget wget

# never leave a guest behind, whatever happens
at_exit "timeout 30 '$QNM' stop demo --force >/dev/null 2>&1"
ui_start -x 100 -y 30
ui_wait "Press D to define the demo guest" 5 >/dev/null || fatal "UI did not start"
ui_expect "footer shows the Demo key" "D Demo"
ui_keys D
if ! ui_wait "VM 'demo' defined" 90 >/dev/null; then
	ui_keys 6
	sleep 0.5
	ui_screen
	skip "the demo guest could not be built here (see the messages above)"
fi
ok "demo guest defined"
ui_expect "demo in the list" "virtio-net-pci/slirp"
ui_keys s
ui_wait "demo started" 60 >/dev/null && ok "started from the VMs screen" || fail "not started"
ui_expect "state shows running" "running"
ui_demo_page "web page through the forward"
port=$DEMO_PORT

# Traffic: the demo's slirp NIC has a row whose totals rise
ui_keys 4
ui_wait "demo/n0" 10 >/dev/null && ok "Traffic lists demo/n0" || fail "no demo/n0 row"
ui_keys a
ui_wait "guests' only" 3 >/dev/null && ok "guests-only toggle" || fail "toggle"
ui_expect "guests-only keeps demo/n0" "demo/n0"
row1=$(ui_screen | grep "demo/n0" | head -1)
for ((i = 0; i < 5; i++)); do timeout 3 wget -qO- "http://127.0.0.1:$port/" >/dev/null 2>&1; done
sleep 2.5
row2=$(ui_screen | grep "demo/n0" | head -1)
rxtot() { awk '{print $6 $7}' <<<"$1"; }
echo "  before: $row1"
echo "  after:  $row2"
[ -n "$(rxtot "$row1")" ] && [ "$(rxtot "$row1")" != "$(rxtot "$row2")" ] &&
	ok "demo/n0 received total rose ($(rxtot "$row1") -> $(rxtot "$row2"))" || fail "rx total did not change"

# Traffic history lives in the UI's sampler, not in the screen: leave
# Traffic, come back, and the demo's row has its graph at once
spark='[▁▂▃▄▅▆▇█]'
ui_keys 1
sleep 2
ui_keys 4
sleep 0.3
row=$(ui_screen | grep "demo/n0" | head -1)
echo "  re-entered: $row"
grep -q "$spark" <<<"$row" && ok "history kept across leaving Traffic (sparkline right after re-entering)" ||
	fail "empty sparkline after re-entering Traffic"

# the VM list: a NIC row under the running demo with its sparklines
ui_keys 1
ui_wait "n0 slirp" 3 >/dev/null && ok "VM list shows demo's NIC row" || fail "no NIC row"
nicrow=$(ui_screen | grep "n0 slirp" | head -1)
echo "  NIC row: $nicrow"
grep -q "$spark" <<<"$nicrow" && ok "VM list: non-blank sparkline for demo/n0" ||
	fail "VM list: blank sparkline"

# the VMs and Traffic screens show the same counters (one sampler): the
# NIC row's totals are the guest's view "received/sent", Traffic's row the
# host's view (RX = what the guest sent)
agree=""
for ((i = 0; i < 3; i++)); do
	ui_keys 4
	ui_wait "demo/n0" 3 >/dev/null
	t1=$(ui_screen | grep "demo/n0" | head -1)
	ui_keys 1
	ui_wait "n0 slirp" 3 >/dev/null
	v=$(ui_screen | grep "n0 slirp" | head -1 | sed 's/.* \([0-9.]* [KMGT]*i*B\) rx, \([0-9.]* [KMGT]*i*B\) tx *$/\1|\2/')
	t="$(awk '{print $8" "$9"|"$6" "$7}' <<<"$t1")"
	echo "  VMs (guest rx|tx): $v  Traffic (tx|rx): $t"
	[ -n "$v" ] && [ "$v" = "$t" ] && agree=1 && break
	sleep 1
done
[ -n "$agree" ] && ok "VMs and Traffic screens agree on demo/n0's totals ($v)" ||
	fail "VMs and Traffic disagree on demo/n0's totals"

# Topology: live counters on the hops, the same numbers again
ui_keys 1 m
ui_wait "slirp helper" 5 >/dev/null && ok "topology of demo" || fail "no topology"
ui_wait "sent " 5 >/dev/null && ok "topology shows the guest's counters" || fail "no counters on topology"
got=$(ui_screen | grep -o "got [0-9.]* [KMGT]*i*B" | head -1)
[ "$got" = "got ${v%%|*}" ] && ok "topology agrees on what the guest got ($got)" ||
	fail "topology: '$got', VMs screen: '${v%%|*}'"

# console
ui_keys Escape l
ui_wait "Serial console of demo" 3 >/dev/null && ok "console log opens" || fail "console"
ui_expect "console shows the booted guest (its shell's greeting)" "built-in shell"
ui_keys Escape

# a forward added on the Forwards screen applies to the running guest at once
p2=$((port + 1000))
ui_keys 3 n
ui_wait "Guest port" 3 >/dev/null
for ((i = 0; i < 8; i++)); do ui_screen | grep -q "^ *>Host port" && break; ui_keys Tab; done
ui_type "$p2"
ui_keys Tab Tab
ui_type 80
ui_keys F2
ui_wait "applied live on demo NIC n0" 5 >/dev/null && ok "forward applied live" || fail "forward not applied live"
page=$(timeout 3 wget -qO- "http://127.0.0.1:$p2/" 2>/dev/null)
expect_contains "web page through the new forward" "demo guest" "$page"
ui_keys 1

# stop: x on a running guest asks first (issue 15.7)
ui_keys x
ui_wait "Stop VM 'demo'?" 5 >/dev/null && ok "x asks before stopping a running guest" ||
	fail "x did not ask"
ui_keys y
ui_wait "demo stopped" 40 >/dev/null && ok "stopped from the VMs screen" || fail "not stopped"
ui_expect "state back to stopped" "stopped"
ui_keys F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
