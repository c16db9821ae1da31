#!/bin/bash
# ui-passt: the topology (Modes) screen of a VM on the passt backend (issue
# 16.1): its chain guest -> passt -> host sockets -> outside, counters shown
# as not available (never zero), and passt's explanation in use, SLIRP/user
# and qnm's slirp helper beside it as the alternatives.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web memory=256 >/dev/null || fatal "qnm new"
"$QNM" nic add web model=e1000 backend=passt hostfwd=tcp:127.0.0.1:8001-:80 >/dev/null ||
	fatal "qnm nic add"
ui_start -x 132 -y 60
ui_wait "web" 5 >/dev/null || fatal "the UI did not show the VM"
ui_keys 1 m
ui_wait "Topology of web" 5 >/dev/null || fatal "no topology screen"
sleep 0.3
ui_expect "the chain has passt's box" "passt"
ui_expect "... with what the guest gets" "host's addresses"
ui_expect "... counters not available, not zero" "not available"
ui_expect "... the forward in" "1 forward in"
ui_expect_not "... no zero rates" "out 0"
ui_words "In use: User mode through passt" && ok "passt's explanation is the mode in use" ||
	fail "no 'In use: User mode through passt'"
ui_words "forwards are fixed at start (a change applies after a restart)" &&
	ok "it says live forward changes need a restart" || fail "no word on restarts"
ui_words "Alternative: User mode (SLIRP, QEMU built-in)" && ok "SLIRP/user is beside it" ||
	fail "no SLIRP/user alternative"
ui_keys Escape
ui_quit
finish
