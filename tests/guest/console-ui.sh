#!/bin/bash
# console-ui.sh - the interactive serial console in the text UI at 80x24
# (issue 15.1): t on the running demo guest opens its console (libvterm
# inside qnm's screen, a title line with the VM and its NIC's counters);
# typed commands reach the guest's shell (ip addr, ping -c1 10.0.2.2 over
# the slirp helper) and their answers are read on the screen; PgUp scrolls
# back; Ctrl-] returns to the VM list, the guest still running. The serial
# log keeps filling all along (the l box, non-interactive qnm console), and
# a second client is refused while the UI holds the console.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
need_cmd script util-linux
demo_shell

ui_start -x 80 -y 24
ui_wait "demo" 5 >/dev/null || fatal "UI did not start"
ui_wait "running" 5 >/dev/null
ui_expect "the VMs screen hints at t for the console" "t console"
ui_keys t
ui_wait "Ctrl-] leaves" 5 >/dev/null && ok "t opens the console" || fail "no console screen"
# the counters come from the UI's sampler, started at its first tick
title_counters() { ui_screen | sed -n 2p | grep -Eq "n0 rx [0-9.]+ [KMG]?B/s [0-9.]+ [KMG]?i?B tx "; }
wait_for 5 title_counters && ok "title line: n0's counters" || fail "title line: no counters for n0"
title=$(ui_screen | sed -n 2p)
echo "  title: $title"
expect_contains "title line: the VM and its state" " demo running" "$title"
ui_expect "footer: the escape key" "^] Back"
ui_expect "the log's end is replayed (the guest's banner)" "ping -c1 10.0.2.2"

ui_keys Enter
ui_type "ip addr"
ui_keys Enter
ui_wait "inet 10.0.2.15/24 scope global eth0" 20 >/dev/null &&
	ok "ip addr: the guest's answer on the screen (eth0 10.0.2.15)" || fail "no ip addr answer"
ui_type "ping -c1 10.0.2.2"
ui_keys Enter
ui_wait "1 packets received" 20 >/dev/null && ok "ping -c1 10.0.2.2: answered, read on the screen" ||
	fail "no ping answer"
echo "--- the console screen at 80x24:"
ui_screen
echo "---"

# a second client while the UI holds it: refused, naming the holder
uipid=$(pgrep -P "$(_ui display-message -p -t "$UI_TARGET" '#{pane_pid}')" | head -1)
out=$(script -qec "'$QNM' console demo" /dev/null </dev/null 2>&1)
expect_contains "a second client is refused with a clear message" \
	"the console of 'demo' is in use by another client (pid $uipid)" "$out"

# scrollback: PgUp shows older lines, typing returns to the live screen
ui_keys PPage
ui_wait "lines back: PgDn" 3 >/dev/null && ok "PgUp scrolls back" || fail "no scrollback"
ui_keys NPage
ui_wait_gone "lines back" 3 && ok "PgDn returns to the live screen" || fail "still scrolled back"

# Ctrl-] leaves: the VM list is back, the guest still runs
ui_keys C-]
ui_wait "NAME" 5 >/dev/null && ok "Ctrl-] returns to the VM list" || fail "VM list not back"
ui_expect "the guest still runs" "running"
ui_expect_not "the console screen is gone" "^] Back"
# the UI let go of the console: another client attaches (in a second tmux window)
_ui new-window -d -n again "env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' '$QNM' console demo; sleep 30"
again() { _ui capture-pane -p -t "$UI_TARGET:again" | grep -q "Connected to demo"; }
wait_for 5 again && ok "after leaving, the console can be attached again" ||
	{ fail "the console could not be attached again"; _ui capture-pane -p -t "$UI_TARGET:again"; }
_ui kill-window -t "$UI_TARGET:again"

# the log kept filling: boot lines and the session
"$QNM" console demo >"$T/log.out" </dev/null
expect_contains "qnm console (not a terminal): the boot lines" "QNM-GUEST-UP" "$(cat "$T/log.out")"
expect_contains "qnm console (not a terminal): the session typed in the UI" \
	"1 packets received" "$(cat "$T/log.out")"
ui_keys l
ui_wait "Serial console of demo" 3 >/dev/null && ok "l opens the log box" || fail "no log box"
ui_expect "the l box shows the session's last lines" "packets received"
ui_keys Escape

ui_keys q
wait_for 5 ui_dead && ok "UI quit" || fail "UI did not quit"
exit $((FAILS > 0))
