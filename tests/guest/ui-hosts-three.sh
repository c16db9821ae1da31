#!/bin/bash
# ui-hosts-three.sh - issue 18's first acceptance line: one qnm UI at 80x24 in
# tmux manages three hosts over ssh (tests/guest/lib-hosts.sh: namespaces with
# their own sshd and qnm dirs). Each host has the demo guest; from the UI, s
# starts it on a, b and c (three real TCG guests, each in its host's dirs);
# t opens each one's console over ssh and a ping runs there; Traffic lists
# each host's guest interface under that host's line, and every one's totals
# rose with its ping; x stops each, and each host's own qnm agrees.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=300
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
. "$QNM_SRCDIR/tests/guest/lib-hosts.sh"
HOSTS="a b c"
hosts_ssh_up $HOSTS
guest_image
for h in $HOSTS; do
	"$QNM" host add $h host$h:${PORT[$h]} --qnm "$QNMABS" >/dev/null || fatal "host add $h"
	at_exit "on $h stop demo --force >/dev/null 2>&1"
	# each host's demo image: the build tree's shared one
	mkdir -p "$T/h$h/data/qnm" && ln -s "$GUEST_CACHE" "$T/h$h/data/qnm/demo"
	on $h demo >"$T/demo-$h.out" 2>&1 || { cat "$T/demo-$h.out"; skip "the demo guest could not be built here"; }
done

# count_rows STATE - demo rows in STATE on the screen
count_rows() { ui_screen | grep -c "$(printf '^ %-16s %-8s' demo "$1")"; }
at_least_running() { [ "$(count_rows running)" -ge "$1" ]; }
stopped_on() { [ "$(on $1 status demo --json | jq -r .status)" = absent ]; }
three_stopped() { [ "$(count_rows stopped)" -eq 3 ]; }

UI_ENV=("PATH=$PATH")
ui_start -x 80 -y 24
ui_wait "hostc:2203: qnm" 15 >/dev/null || fatal "the hosts did not answer"
for h in $HOSTS; do
	ui_expect "host $h's line" "── $h host$h:${PORT[$h]}: qnm "
done
expect_eq "three demo rows, one under each host" 3 "$(count_rows stopped)"
echo "--- the VMs screen at 80x24:"
ui_screen
echo "---"

# select_demo H - move the selection to host H's demo row (the hint names H)
select_demo() {
	local i
	ui_keys Home
	for ((i = 0; i < 12; i++)); do
		ui_words "On host $1 (over ssh): s start, x stop, t console" && return 0
		ui_keys Down
		sleep 0.2
	done
	return 1
}

# ---- start the demo guest on each host, from here ----
n=0
for h in $HOSTS; do
	select_demo $h && ok "$h's demo row selected: the hint names $h" || fail "cannot select $h's demo"
	ui_keys s
	n=$((n + 1))
	wait_for 60 at_least_running $n && ok "s started demo on $h ($n running)" || fail "demo did not run on $h"
done
for h in $HOSTS; do
	expect_eq "$h's own qnm says demo runs" running "$(on $h status demo --json | jq -r .status)"
done
echo "--- three guests running:"
ui_screen
echo "---"
for h in $HOSTS; do
	check "demo's shell is up on $h" wait_for 120 grep -q "built-in shell" "$T/h$h/run/qnm/demo/serial.log"
done

# ---- Traffic: each host's guest interface under that host's line ----
# rows HOST TX-TOTAL: the host's view, tx = what the guest received
traffic_rows() {
	ui_screen | awk '/^ *── [a-z] host/ { h = $2 } /^ demo\/n0 / { print h, $(NF-1) $NF }'
}
ui_keys 4
for h in $HOSTS; do
	ui_wait "── $h host$h:${PORT[$h]}: 1 guest interface(s), over ssh" 10 >/dev/null &&
		ok "Traffic: $h's line with its one guest interface" || fail "Traffic: no line for $h"
done
before=$(traffic_rows)
echo "  before: $(echo $before)"
expect_eq "Traffic: a demo/n0 row under each host" "a b c" "$(echo "$before" | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')"
ui_keys 1
ui_wait "── a hosta:2201" 5 >/dev/null || fail "VMs screen not back"

# ---- each guest's console over ssh: a ping there ----
for h in $HOSTS; do
	select_demo $h || fail "cannot select $h's demo for its console"
	ui_keys t
	ui_wait "demo on host $h (over ssh)" 10 >/dev/null && ok "t opens demo's console on $h" ||
		fail "no console of $h"
	ui_keys Enter
	ui_type "echo QNM-ON-$h; ping -c 8 -i 0.2 10.0.2.2"
	ui_keys Enter
	ui_wait "QNM-ON-$h" 20 >/dev/null && ok "$h's guest shell answers over ssh" || fail "no answer from $h's guest"
	ui_wait "8 packets received" 20 >/dev/null && ok "the ping in $h's guest was answered" ||
		fail "no ping answer in $h's guest"
	ui_keys C-]
	ui_wait "── a hosta:2201" 5 >/dev/null || fail "Ctrl-] did not return from $h's console"
done

# ---- Traffic again: every host's total rose ----
ui_keys 4
sleep 2.5 # two rounds of every host's counters
after=$(traffic_rows)
echo "  after:  $(echo $after)"
for h in $HOSTS; do
	b=$(echo "$before" | awk -v h=$h '$1 == h { print $2 }')
	a=$(echo "$after" | awk -v h=$h '$1 == h { print $2 }')
	check "Traffic: $h's demo/n0 total rose with its ping ($b -> $a)" test -n "$a" -a "$a" != "$b"
done
ui_expect "Traffic: its footer counts the other hosts' interfaces" "1 of 1 here, 3 on other hosts (all)  sort: name  every 1 s"
echo "--- Traffic at 80x24:"
ui_screen
echo "---"

# ---- stop each from here ----
ui_keys 1
ui_wait "── a hosta:2201" 5 >/dev/null || fail "VMs screen not back"
for h in $HOSTS; do
	select_demo $h || fail "cannot select $h's demo to stop it"
	ui_keys x
	ui_wait "Stop VM 'demo' on host $h?" 5 >/dev/null && ok "x asks before stopping $h's guest" ||
		fail "x did not ask for $h"
	ui_keys y
	wait_for 30 stopped_on $h && ok "x stopped demo on $h (its own qnm says so)" || fail "demo on $h did not stop"
done
wait_for 10 three_stopped && ok "the VMs screen shows the three stopped" || fail "the screen does not show three stopped"
ui_keys q
wait_for 5 ui_dead && ok "UI quit" || fail "UI did not quit"
finish
