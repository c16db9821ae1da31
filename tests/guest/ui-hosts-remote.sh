#!/bin/bash
# ui-hosts-remote.sh - one qnm UI at 80x24 in tmux with two hosts over ssh
# (issue 18.1; tests/guest/lib-hosts.sh: namespaces with their own sshd and
# qnm dirs). The VMs screen lists this host, then each host under a line
# naming it; s starts the demo guest on host a (a real TCG guest there), its
# NIC's counters come from a's qnm and rise with traffic; t opens its console
# over ssh and the guest's shell answers there; x stops it. Host b's sshd
# killed, then frozen: b is marked UNREACHABLE within 5 s, its rows kept,
# while a still answers and keys are answered at once; b's sshd started
# again (resumed): b answers again by itself. e adds a forward to the
# running guest on a (its page through it in a's namespace) and removes it.
# Traffic (4) lists a's guest interface under a's line with its counters
# from a's qnm; a's sshd frozen: a's line says UNREACHABLE and its row
# keeps its totals with no rate. Hosts (9): each host reachable, its
# version, latency and running guests, the selected host's VMs below.
# qnm -H a console demo on a terminal, with --follow, and without a terminal.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=200
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
. "$QNM_SRCDIR/tests/guest/lib-hosts.sh"
hosts_ssh_up a b
"$QNM" host add a hosta:2201 --qnm "$QNMABS" >/dev/null || fatal "host add a"
"$QNM" host add b hostb:2202 --qnm "$QNMABS" >/dev/null || fatal "host add b"
at_exit "on a stop demo --force >/dev/null 2>&1"
# a's demo image: the build tree's shared one (built once for every guest test)
guest_image
mkdir -p "$T/ha/data/qnm" && ln -s "$GUEST_CACHE" "$T/ha/data/qnm/demo"
on a demo >"$T/demo.out" 2>&1 || { cat "$T/demo.out"; skip "the demo guest could not be built here"; }
on b new gb memory=128 >/dev/null || fatal "new gb on b"
"$QNM" new here memory=64 >/dev/null || fatal "new here"

UI_ENV=("PATH=$PATH")
ui_start -x 80 -y 24
ui_wait "hostb:2202: qnm" 10 >/dev/null || fatal "the hosts did not answer"
ui_expect "this host first, under its own line" "── local (this host): 1 VM(s)"
ui_expect "host a's line: its destination, version, VMs" "── a hosta:2201: qnm "
ui_expect "host b's line" "── b hostb:2202: qnm "
ui_expect "a's demo VM under a" "$(printf ' %-16s %-8s' demo stopped)"
ui_expect "b's VM under b" "$(printf ' %-16s %-8s' gb stopped)"
n=$(ui_screen | grep -n -e "── local" -e "^ here " -e "── a " -e "^ demo " -e "── b " -e "^ gb " |
	cut -d: -f1 | tr '\n' ' ')
expect_eq "rows 3-8: local's line, here, a's line, demo, b's line, gb" "3 4 5 6 7 8 " "$n"
echo "--- the VMs screen at 80x24:"
ui_screen
echo "---"

# ---- start a's demo guest from here ----
ui_keys Down Down Down
ui_wait "On host a (over ssh): s start, x stop, t console" 3 >/dev/null &&
	ok "the demo row of a is selected: the hint names a" || fail "demo of a not selected"
ui_keys s
ui_wait "$(printf ' %-16s %-8s' demo running)" 60 >/dev/null && ok "s starts demo on a; its row says running" ||
	fail "demo did not run on a"
ui_wait "demo started on a: QEMU pid" 5 >/dev/null && ok "the outcome is on the status line" ||
	fail "no outcome message"
expect_eq "a's own qnm says demo runs" running "$(on a status demo --json | jq -r .status)"
check "demo's shell is up on a's serial console" wait_for 90 grep -q "built-in shell" "$T/ha/run/qnm/demo/serial.log"

# ---- its counters, from a's qnm ----
nicline() { ui_screen | grep -E "^ +[└\`] n0 +[^ ]* +rx "; }
wait_for 5 nicline && ok "demo's NIC row with counters from a" || fail "no NIC row for demo"
before=$(nicline)
echo "  before: $before"

# ---- its console over ssh ----
ui_keys t
ui_wait "demo on host a (over ssh)" 10 >/dev/null && ok "t opens demo's console on a" || fail "no remote console"
ui_keys Enter
ui_type 'echo QNM$((6*7))REMOTE; ping -c 10 -i 0.2 10.0.2.2'
ui_keys Enter
ui_wait "QNM42REMOTE" 20 >/dev/null && ok "the guest's shell answers over ssh (QNM42REMOTE)" ||
	fail "no answer from the guest's shell"
ui_wait "10 packets received" 20 >/dev/null && ok "ping from the guest on a answered" ||
	fail "no ping answer"
echo "--- the remote console at 80x24:"
ui_screen
echo "---"
ui_keys C-]
ui_wait "── a hosta:2201" 5 >/dev/null && ok "Ctrl-] returns to the VMs screen" || fail "VMs screen not back"
# the rx total (after "rx RATE"): what the guest received, as a's qnm sampled it
rx_total() { sed -n 's/.* rx *[0-9.]* [KMG]*B\/s *\([0-9.]* [KMG]*i*B\) .*/\1/p'; }
rose() { [ -n "$(nicline | rx_total)" ] && [ "$(nicline | rx_total)" != "$(echo "$before" | rx_total)" ]; }
wait_for 5 rose && ok "demo's rx total rose with the traffic ($(echo "$before" | rx_total) -> $(nicline | rx_total))" ||
	fail "counters did not change"
echo "  after:  $(nicline)"

# ---- Traffic: a's guest interface under a's line, its counters from a ----
ui_keys 4
ui_wait "── a hosta:2201: 1 guest interface(s), over ssh" 5 >/dev/null &&
	ok "Traffic: a's line, its one guest interface" || fail "Traffic has no line for a"
ui_expect "Traffic: this host's line first" "── local (this host):"
ui_expect "Traffic: b's line (no guest runs there)" "── b hostb:2202: 0 guest interface(s), over ssh"
trow() { ui_screen | grep -E "^ demo/n0 "; }
# the guest received the ping answers: in the host's view that is tx (rx = guest's tx)
tx_tot() { trow | awk '{print $(NF-1), $NF}'; }
check "Traffic: demo/n0 of a with a rate and totals ($(trow))" \
	bash -c '[[ "$0" =~ ^\ [^\ ]+\ +[0-9.]+\ [KMG]?B/s\ +[0-9.]+\ [KMG]?B/s\ +[0-9.]+\ [KMG]?i?B\ +[0-9.]+\ [KMG]?i?B$ ]]' "$(trow)"
t=$(tx_tot)
[ -n "$t" ] && [ "$t" != "0 B" ] && ok "Traffic: its tx total is the guest's received bytes, not zero ($(tx_tot))" ||
	fail "Traffic: demo/n0's total is zero"
echo "--- Traffic at 80x24:"
ui_screen
echo "---"
ui_keys End Up
ui_wait "demo/n0 on host a" 3 >/dev/null && ok "Traffic: the detail of a's interface names host a" ||
	fail "no detail for a's interface"
tree=$(sshd_tree a)
kill -STOP $tree
t0=$(date +%s%N)
wait_for 8 ui_words "a hosta:2201: UNREACHABLE since"
ms=$(ms_since "$t0")
check "Traffic: a (sshd frozen) marked unreachable within 5 s (${ms} ms)" test "$ms" -lt 5000
row=$(trow)
check "Traffic: a's row kept, no rate, its last totals ($row)" \
	bash -c '[[ "$0" =~ ^\ [^\ ]+\ +-\ +-\ +[0-9.]+\ [KMG]?i?B\ +[0-9.]+\ [KMG]?i?B$ ]]' "$row"
ui_expect "Traffic: the detail says a does not answer" "host a does not answer (since"
echo "--- Traffic with a frozen:"
ui_screen
echo "---"
kill -CONT $tree
wait_for 15 ui_words "a hosta:2201: 1 guest interface(s)" && ok "Traffic: a answers again after SIGCONT" ||
	fail "a did not come back on Traffic"

# ---- Hosts: reachable, version, latency, running guests ----
version=$("$QNM" --version | cut -d' ' -f2)
ui_keys 9
wait_for 5 ui_words "a reachable $version" || true
ui_expect "Hosts: a reachable, its version, latency, 1 guest running" \
	"$(printf ' %-16s %-11s %-10s' a reachable "$version")"
n=$(ui_screen | grep -cE "^ a +reachable +$version +[0-9]+ ms +1$")
expect_eq "Hosts: a's row ends with its latency and 1 running guest" 1 "$n"
n=$(ui_screen | grep -cE "^ b +reachable +$version +[0-9]+ ms +0$")
expect_eq "Hosts: b reachable, no guest running" 1 "$n"
ui_keys Down
ui_wait "a: ssh hosta:2201" 3 >/dev/null && ok "Hosts: the selected host's details" || fail "no details of a"
ui_expect "Hosts: a's VMs and running guests" "running: demo"
echo "--- Hosts at 80x24:"
ui_screen
echo "---"
ui_keys 1
ui_wait "── a hosta:2201" 5 >/dev/null || fail "VMs screen not back"
ui_keys Down Down Down
ui_wait "On host a (over ssh)" 3 >/dev/null || fail "demo of a not selected again"

# ---- its forwards, from here: e lists them, adds one (live on the running guest), removes it ----
demo_port=$(sed -n 's/^hostfwd = tcp:127.0.0.1:\([0-9]*\)-:80$/\1/p' "$T/ha/config/qnm/vms/demo.conf")
ui_keys e
ui_wait "demo on a: edit, forwards" 5 >/dev/null && ok "e on a's demo: its forwards" || fail "no forwards menu"
ui_expect "... its demo forward listed" "Remove tcp:127.0.0.1:$demo_port-:80"
ui_keys Down Enter
ui_wait "Forward to demo on a" 3 >/dev/null && ok "Add asks for the forward" || fail "Add did not ask"
ui_keys Enter
ui_wait "forward tcp:127.0.0.1:8081-:80 added (applied to the running guest)" 15 >/dev/null &&
	ok "the forward is added on a, live" || fail "forward not added"
expect_contains "a's own qnm lists it" "8081" "$(on a forward list)"
page() {
	timeout 4 nsenter -t "${NSPID[a]}" -n "$BB" wget -q -O - http://127.0.0.1:8081/ 2>/dev/null |
		grep -q "demo guest"
}
wait_for 20 page && ok "the guest's page through the new forward, in a's namespace" ||
	fail "no page through a:8081"
ui_keys e
ui_wait "Remove tcp:127.0.0.1:8081-:80" 5 >/dev/null
ui_keys Down Down Down Enter
ui_wait "forward tcp:127.0.0.1:8081-:80 removed" 15 >/dev/null && ok "e removes it again" ||
	fail "forward not removed"
expect_eq "a's own qnm no longer has it" "" "$(on a forward list | grep 8081)"

# ---- the same console from the command line: qnm -H a console demo ----
need_cmd script util-linux
out=$( (sleep 3; printf 'echo QNM$((7*5))CLI\r'; sleep 3; printf '\035') |
	timeout 20 script -qec "'$QNM' -H a console demo" /dev/null 2>&1)
expect_contains "qnm -H a console demo on a terminal: attached there (so the UI let go)" \
	"Connected to demo" "$out"
expect_contains "... typed keys reach the guest's shell, its answer comes back" "QNM35CLI" "$out"
out=$(timeout 5 "$QNM" -H a console demo --follow </dev/null 2>&1)
expect_eq "qnm -H a console demo --follow streams until interrupted" 124 "$?"
expect_contains "... the guest's console log" "QNM42REMOTE" "$out"
out=$("$QNM" -H a console demo </dev/null 2>&1)
expect_contains "qnm -H a console demo (not a terminal): the log" "QNM35CLI" "$out"

# ---- a host that stops answering, and comes back ----
t0=$(date +%s%N)
kill $(sshd_tree b)
wait_for 8 ui_words "b hostb:2202: UNREACHABLE since"
ms=$(ms_since "$t0")
echo "  host b marked after ${ms} ms"
check "b (sshd killed) is marked unreachable within 5 s (${ms} ms)" test "$ms" -lt 5000
ui_expect "b's last rows are kept" "$(printf ' %-16s %-8s' gb stopped)"
ui_expect "a still answers" "── a hosta:2201: qnm "
echo "--- with b unreachable:"
ui_screen
echo "---"
t0=$(date +%s%N)
ui_keys Down
wait_for 2 ui_words "Host b: its VMs below"
ms=$(ms_since "$t0")
check "keys are answered meanwhile: Down selects b's line (${ms} ms)" test "$ms" -lt 1000
sshd_start b
wait_for 10 sshd_listens b || fail "b's sshd did not listen again"
t0=$(date +%s%N)
wait_for 10 ui_words "b hostb:2202: qnm"
ms=$(ms_since "$t0")
check "b answers again by itself (${ms} ms after its sshd listened)" ui_words "b hostb:2202: qnm"
ui_expect "the messages say so" "host b answers again"
# frozen (SIGSTOP): its requests time out, the UI does not wait for them
tree=$(sshd_tree b)
kill -STOP $tree
t0=$(date +%s%N)
wait_for 8 ui_words "b hostb:2202: UNREACHABLE since"
ms=$(ms_since "$t0")
echo "  host b (sshd frozen) marked after ${ms} ms"
check "b (sshd frozen) is marked unreachable within 5 s (${ms} ms)" test "$ms" -lt 5000
t0=$(date +%s%N)
ui_keys Up
wait_for 2 ui_words "On host a (over ssh)"
ms=$(ms_since "$t0")
check "keys are answered meanwhile: Up selects demo (${ms} ms)" test "$ms" -lt 1000
kill -CONT $tree
wait_for 15 ui_words "b hostb:2202: qnm" && ok "b answers again after SIGCONT" ||
	fail "b did not come back after SIGCONT"

# ---- stop demo on a ----
ui_keys x
ui_wait "Stop VM 'demo' on host a?" 5 >/dev/null && ok "x asks before stopping a's guest" || fail "x did not ask"
ui_keys y
ui_wait "$(printf ' %-16s %-8s' demo stopped)" 30 >/dev/null && ok "x stops demo on a" || fail "demo did not stop"
expect_eq "a's own qnm says demo stopped" absent "$(on a status demo --json | jq -r .status)"
ui_keys q
wait_for 5 ui_dead && ok "UI quit" || fail "UI did not quit"
finish
