#!/bin/bash
# ui-screens: every screen of the text UI renders at 80x24 and at 132x43,
# with its footer keys, and nothing is cut off in a way that hides it.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web memory=256 >/dev/null || fatal "qnm new"
"$QNM" nic add web model=e1000 backend=user hostfwd=tcp:127.0.0.1:2222-:22 >/dev/null ||
	fatal "qnm nic add"
"$QNM" net add lab bridge=qnmlab0 address=10.77.0.1/24 mode=nat >/dev/null || fatal "qnm net add"
# a VM with one NIC of each kind the topology draws differently
"$QNM" new wlab memory=256 >/dev/null || fatal "qnm new wlab"
"$QNM" nic add wlab model=virtio-net-pci backend=slirp restrict=on >/dev/null ||
	fatal "qnm nic add slirp"
"$QNM" nic add wlab model=rtl8139 backend=tap network=lab >/dev/null || fatal "qnm nic add tap"

# topology_labels SIZE: every box label of web's and wlab's topology is on
# the screen whole (no box cuts its text); wlab's chains are scrolled into view
topology_labels() {
	local size=$1 label screen
	ui_keys 1 m
	ui_wait "Topology of web" 5 >/dev/null
	screen=$(ui_screen)
	for label in "guest n0" "e1000" "QEMU SLIRP" "NAT 10.0.2.0/24" "not available" "host sockets" \
		"1 forward in" "via host routes"; do
		grep -qF -- "$label" <<<"$screen" || { fail "$size topology of web: '$label' not whole"; echo "$screen" | sed 's/^/  | /'; return; }
	done
	ok "$size topology of web: every label whole"
	ui_keys Tab
	ui_wait "Topology of wlab" 5 >/dev/null
	screen=$(ui_screen)
	for label in "guest n0" "virtio-net-pci" "slirp helper" "0 forwards in" "none (restrict)" "guest n1" "rtl8139" \
		"TAP qt-wlab-1" "made by qnm" "bridge qnmlab0" "10.77.0.1/24" "via default route" \
		"masqueraded"; do
		grep -qF -- "$label" <<<"$screen" || { fail "$size topology of wlab: '$label' not whole"; echo "$screen" | sed 's/^/  | /'; return; }
	done
	ok "$size topology of wlab: every label whole"
	ui_keys Escape
}

# screen KEYS... EXPECT: press keys from the VMs list, wait for EXPECT
visit() {
	local desc=$1 expect=$2
	shift 2
	ui_keys 1
	[ $# -gt 0 ] && ui_keys "$@"
	if ui_wait "$expect" 5 >/dev/null; then ok "$desc"; else fail "$desc"; ui_screen | sed 's/^/  | /'; fi
	# the footer (last line) shows key hints of this screen
	if ui_screen | tail -n 1 | grep -q "F1 Help\|Esc"; then :; else fail "$desc: footer"; fi
}

for size in 80x24 132x43 80x24-ascii; do
	cols=${size%x*} rows=${size#*x}
	rows=${rows%-ascii}
	tmux -S "$UI_SOCK" kill-server 2>/dev/null
	# the last round: a terminal that is not UTF-8 (ASCII boxes and arrows)
	[ "$size" = 80x24-ascii ] && export LANG=C LC_ALL=C
	ui_start -x "$cols" -y "$rows"
	ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start at $size"
	expect_eq "$size: screen height" "$rows" "$(ui_screen | wc -l)"
	visit "$size VMs list" "e1000/user"
	visit "$size VM form" "Memory (MiB)" e
	ui_keys Escape
	visit "$size NIC form" "Device model" e F4
	ui_keys Escape Escape
	visit "$size command preview" "hostfwd=tcp:127.0.0.1:2222-:22" p
	ui_keys Escape
	visit "$size topology" "QEMU SLIRP" m
	ui_keys Escape
	topology_labels "$size"
	visit "$size networks" "qnmlab0" 2
	visit "$size network form" "Prefix length" 2 n
	ui_keys Escape
	visit "$size forwards" "127.0.0.1:2222" 3
	visit "$size forward form" "Guest port" 3 n
	ui_keys Escape
	visit "$size traffic" "INTERFACE" 4
	visit "$size traffic lists lo" " lo " 4
	visit "$size modes" "User mode (SLIRP" 5
	# the explanations go on below: the screen says so and PgDn gets there
	if [ "$rows" = 24 ]; then
		ui_expect "$size modes: more below" "(more: PgDn)"
		ui_keys NPage NPage NPage NPage
		# the last explanation is the last backend's (private)
		wait_for 3 ui_words "Counters per NIC come from the switch's ports." &&
			ok "$size modes: PgDn reaches the end" ||
			fail "$size modes: the last explanation not reached"
		ui_expect "$size modes: more above" "(more: PgUp)"
		ui_expect_not "$size modes: nothing more below at the end" "(more: PgDn)"
	fi
	visit "$size messages" "LEVEL" 6
	visit "$size help" "create a VM" F1
	# a description longer than the line wraps under itself, whole
	ui_words "D define the demo guest: a tiny Linux built once from the host's kernel, web server on a forwarded port" &&
		ok "$size help: long descriptions whole" || { fail "$size help: a description is cut"; ui_screen | sed 's/^/  | /'; }
	ui_keys End
	ui_wait "NO_COLOR=1 turns colours off." 3 >/dev/null && ok "$size help: End reaches the last line" ||
		{ fail "$size help: End"; ui_screen | sed "s/^/  | /"; }
	ui_keys Escape
	# a key sequence the terminfo entry does not list is dropped whole (not
	# Esc, '[', '4' = jump to Traffic, ...), and said once in Messages
	if [ "$size" = 80x24 ]; then
		ui_keys 1
		ui_type $'\e[4;9~'
		sleep 0.3
		ui_expect "$size: unknown key sequence ignored (still on VMs)" "NICS (model/backend)"
		ui_keys 6
		wait_for 3 ui_words "ignored a key the terminal sent as ESC [4;9~, which TERM=" &&
			ok "$size: unknown key sequence named in Messages" || fail "$size: no message for the unknown sequence"
	fi
	visit "$size help from a form" "Memory (MiB)" e
	ui_keys F1
	ui_wait "VM form" 5 >/dev/null && ok "$size help lists the form's keys" || fail "$size help in form"
	ui_keys Escape Escape
	ui_keys F10
	wait_for 5 ui_dead && ok "$size: quit" || fail "$size: quit"
	expect_eq "$size: exit status" 0 "$(ui_status)"
done
finish
