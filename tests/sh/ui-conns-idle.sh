#!/bin/bash
# ui-conns-idle: the Connections screen and the capture key without a running
# guest, on a plain vt100 in the C locale (ASCII line drawing), at 80x24 and
# 132x43: a stopped VM says the table needs a running guest, a VM with only a
# TAP NIC says it has no user-mode NIC, r on a stopped VM starts nothing.
# (tests/guest/ui-conns.sh and ui-capture.sh do the same with real guests.)
UI_TERM=vt100 UI_LANG=C
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web memory=256 >/dev/null || fatal "qnm new web"
"$QNM" nic add web model=e1000 backend=user >/dev/null || fatal "nic add web"
"$QNM" new tapvm memory=128 >/dev/null || fatal "qnm new tapvm"
"$QNM" nic add tapvm model=e1000 backend=tap >/dev/null || fatal "nic add tapvm"

# only NAME's row left in the list (filter), then KEYS
on_vm() {
	local name=$1
	shift
	ui_keys Escape Escape 1 /
	ui_type "$name"
	ui_keys Enter "$@"
}

ui_start -x 80 -y 24
ui_wait "e1000/user" 5 >/dev/null || fatal "UI did not start"
on_vm web C
ui_wait "Connections of web (stopped)" 3 >/dev/null && ok "C opens the Connections screen" ||
	fail "no Connections screen"
ui_expect "beginner's line: what the rows are" "Host sockets that user-mode networking (SLIRP)"
ui_expect "stopped VM: the table needs a running guest" "The VM is not running"
ui_expect "footer: the screen's keys" "o Sort"
ui_keys F1
ui_wait "Connections" 3 >/dev/null
ui_expect "help: the Connections keys" "order by the next column"
ui_keys Escape
ui_resize 132 43
ui_wait "The VM is not running: the table exists only while the guest runs. Start it" 3 >/dev/null &&
	ok "132x43: the message uses the width" || fail "132x43 layout"
ui_keys Tab
ui_wait "Connections of tapvm" 3 >/dev/null && ok "Tab: the next VM" || fail "Tab to the next VM"
ui_expect "TAP-only VM: no user-mode NIC, said plainly" "This VM has no user-mode NIC"
ui_resize 80 24
ui_wait "has no user-mode NIC" 3 >/dev/null && ok "80x24 after resize" || fail "80x24 after resize"
on_vm web r
ui_wait "is not running; start it first" 3 >/dev/null && ok "r on a stopped VM starts nothing" ||
	fail "r on a stopped VM"
ui_expect_not "no capture form for a stopped VM" "Capture packets of VM"
ui_keys Escape F1
ui_wait "VMs" 3 >/dev/null
# the VMs keys go on below the first page at 80x24 ("(more: PgDn)"; TERM=vt100
# here has no PgDn key, arrows scroll too)
help_scroll_to() {
	local i
	for ((i = 0; i < 20; i++)); do
		ui_screen | grep -qF "$1" && return
		ui_keys Down
	done
}
help_scroll_to "live TCP/UDP connections of the selected running VM"
ui_expect "VMs help: C for connections" "live TCP/UDP connections of the selected running VM"
help_scroll_to "record a NIC of the selected running VM"
ui_expect "VMs help: r for capture" "record a NIC of the selected running VM"
ui_keys Escape
ui_keys q
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
