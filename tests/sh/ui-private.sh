#!/bin/bash
# ui-private: the topology (Modes) screen of a VM on a private segment
# (issue 16.2): its chain guest -> the segment's switch -> the other NICs on
# it -> no way out, and the private segment's explanation in use (no root,
# yours only, no DHCP: static addresses), the other backends beside it.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

for vm in web db; do
	"$QNM" new "$vm" memory=256 >/dev/null || fatal "qnm new $vm"
	"$QNM" nic add "$vm" model=e1000 backend=private segment=lab >/dev/null ||
		fatal "qnm nic add $vm"
done
ui_start -x 132 -y 60
ui_wait "web" 5 >/dev/null || fatal "the UI did not show the VM"
ui_keys 1 m
ui_wait "Topology of db" 5 >/dev/null || fatal "no topology screen"
sleep 0.3
ui_expect "the chain has the segment's switch" "switch lab"
ui_expect "... the other guest's NIC on it" "1 other NIC"
ui_expect "... and no way out" "no way out"
ui_words "In use: Private segment (between your guests)" &&
	ok "the private segment's explanation is the mode in use" ||
	fail "no 'In use: Private segment (between your guests)'"
ui_words "its sockets in your runtime dir (mode 0700: other users cannot join or listen)" &&
	ok "it says other users cannot join" || fail "no word on other users"
ui_words "No DHCP on it: give the guests static addresses" && ok "it says there is no DHCP" ||
	fail "no word on DHCP"
ui_words "Alternative: User mode (SLIRP, QEMU built-in)" && ok "SLIRP/user is beside it" ||
	fail "no SLIRP/user alternative"
ui_keys Escape
ui_quit
finish
