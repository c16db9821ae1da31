#!/bin/bash
# ui-fwdto: a forward to a VM's NIC from the UI's forward form (issue 15.3),
# read at 80x24: the form's "Guest NIC" row lists the TAP NICs on qnm
# networks with their reservations; picking web/n0 (and only the ports)
# saves "tcp:127.0.0.1:8080-web/n0:80" on web/n0's network; the Forwards and Ports
# screens show the target as "web/n0 (ADDRESS)"; a guest address given with
# a guest NIC is refused at the field, nothing written. The network stays
# down (no host change: only files).
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" net add lan bridge=qnmfwdto0 address=10.79.5.1/24 mode=isolated \
	dhcp-start=10.79.5.100 dhcp-end=10.79.5.120 >/dev/null || fatal "net add"
"$QNM" new web >/dev/null && "$QNM" nic add web backend=tap network=lan >/dev/null ||
	fatal "web on lan"
expect_eq "web/n0 got a reservation" "ip = 10.79.5.100" \
	"$(grep '^ip =' "$XDG_CONFIG_HOME/qnm/vms/web.conf")"
snap() { (cd "$XDG_CONFIG_HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(snap)

ui_start -x 80 -y 24
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
# fill_form GUESTADDR: a new forward to web/n0, host port 8080, guest port 80
fill_form() {
	ui_keys Escape Escape 3 n
	ui_wait "Guest NIC" 5 >/dev/null || { fail "forward form did not open"; return 1; }
	ui_goto_field "Guest NIC" || return 1
	ui_keys Right
	ui_wait "web/n0 on lan (10.79.5.100)" 3 >/dev/null || fail "Guest NIC lists web/n0"
	ui_goto_field "Host port" && ui_type 8080
	ui_goto_field "Guest address" && ui_keys C-u && ui_type "$1"
	ui_goto_field "Guest port" && ui_type 80
	ui_keys F2
}

fill_form 10.79.5.7
ui_error_at "a guest address with a guest NIC is refused at the field" "Guest address" \
	"leave it empty with a guest NIC"
expect_eq "nothing written" "$before" "$(snap)"

ui_keys Escape
fill_form ""
ui_wait "tcp:127.0.0.1:8080-web/n0:80" 5 >/dev/null || fail "the forward was not saved"
expect_contains "saved on the NIC's network, with its target" "forward = tcp:127.0.0.1:8080-web/n0:80" \
	"$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf")"
ui_keys Escape Escape 3
ui_wait "web/n0 (10.79.5.100):80" 5 >/dev/null &&
	ok "Forwards at 80x24: the target with its address" ||
	{ fail "Forwards: no web/n0 (10.79.5.100):80"; ui_screen | sed 's/^/  | /'; }
ui_expect "Forwards: the detail line names the reservation" "reservation 10.79.5.100"
ui_keys 8
ui_wait "HELD BY" 5 >/dev/null || fail "no Ports screen"
ui_expect_words "Ports at 80x24: the target with its address" "lan web/n0 (10.79.5.100):80"
ui_keys F10
wait_for 5 ui_dead || fail "did not quit"
finish
