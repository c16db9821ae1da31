#!/bin/bash
# ui-fwd-range: port ranges, tcp+udp and descriptions (issue 16.5) in the real
# UI at 80x24. Forwards (3): a range and tcp+udp in the row, the description
# whole in the detail line under the list; Ports (8): the description in the
# detail; the forward form: a range of another length is refused at the guest
# port (nothing written), then a tcp+udp range with a description is saved.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web >/dev/null || fatal "new"
"$QNM" nic add web backend=user hostfwd='tcp+udp:127.0.0.1:8000-8010-:8000-8010 desc="web farm, eleven ports"' \
	>/dev/null || fatal "nic add"
"$QNM" net add lan bridge=qnmrng0 address=10.79.0.1/24 mode=isolated >/dev/null || fatal "net add"
"$QNM" forward add --net lan --desc "dns of the lab" udp::5300-5301-10.79.0.10:53-54 >/dev/null ||
	fatal "forward add"
vmconf=$XDG_CONFIG_HOME/qnm/vms/web.conf

ui_start -x 80 -y 24
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
ui_keys 3
ui_wait "GUEST" 5 >/dev/null || fatal "no Forwards screen"
ui_expect_words "Forwards: tcp+udp and the host range in the row" "hostfwd tcp+udp 127.0.0.1:8000-8010"
ui_expect_words "Forwards: the guest range in the row" "(guest):8000-8010"
ui_expect_words "Forwards: the description whole under the list" \
	"(QEMU hostfwd) - web farm, eleven ports"
ui_keys Down
ui_expect_words "Forwards: the network's description" "(nftables DNAT) - dns of the lab"
ui_keys 8
ui_wait "HELD BY" 5 >/dev/null || fail "no Ports screen"
ui_expect_words "Ports: the range in the row" "tcp+udp 127.0.0.1:8000-8010"
ui_expect_words "Ports: the description in the detail" '"web farm, eleven ports": tcp+udp ports 8000-8010'
expect_eq "Ports: screen height" 24 "$(ui_screen | wc -l)"

# the form: a range of another length is refused at the guest port
before=$(cat "$vmconf")
ui_keys 3 n
ui_wait "Guest port" 5 >/dev/null || fatal "forward form did not open"
ui_goto_field "Host port" && ui_type 9000-9010
ui_goto_field "Guest port" && ui_type 9000-9005
ui_keys F2
ui_error_at "form: ranges of different lengths refused at the guest port" "Guest port" \
	"6 port(s) here but 11 on the host"
expect_eq "form: nothing written" "$before" "$(cat "$vmconf")"
ui_goto_field "Guest port" && ui_keys C-u && ui_type 9100-9110
ui_goto_field "Protocol"
for ((i = 0; i < 3; i++)); do
	ui_screen | grep -q "Protocol *< tcp+udp >" && break
	ui_keys Right
done
ui_goto_field "Description" && ui_type "form made"
ui_keys F2
ui_wait_gone "Guest port" 3 && ok "form: saved" || fail "form: not saved"
expect_contains "form: tcp+udp range and description written" \
	'hostfwd = tcp+udp:127.0.0.1:9000-9010-:9100-9110 desc="form made"' "$(cat "$vmconf")"
# edit it again: the fields show the ranges and the description
ui_keys Home Down e # NIC forwards come first, in their order
ui_wait "Guest port" 5 >/dev/null || fail "edit form did not open"
ui_expect_words "edit form: the host range" "Host port 9000-9010"
ui_expect_words "edit form: the description" "Description form made"
ui_keys Escape
ui_keys F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
