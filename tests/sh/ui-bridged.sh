#!/bin/bash
# ui-bridged: a bridged network from the Networks screen (issue 14), in
# namespaces this test makes: up asks first, then "Keep these network
# settings? Reverting in N s" needs K; the outcome (kept, rolled back) is
# in Messages; the screen says where the host's address lives; Esc lets a
# down revert (the network comes back up); with the tmux session killed
# right after an up, the guard still rolls it back within the deadline + 2 s.
. "$QNM_SRCDIR/tests/lib.sh"
need_root
need_cmd jq jq
. "$QNM_SRCDIR/tests/ui-lib.sh"

H=$(new_netns uibh)
L=$(new_netns uibl)
ip -n "$H" link add qeth0 type veth peer name lan0 netns "$L"
ip -n "$H" addr add 10.93.0.5/24 dev qeth0
ip -n "$H" link set qeth0 up
ip -n "$L" addr add 10.93.0.1/24 dev lan0
ip -n "$L" link set lan0 up
ip -n "$H" route add default via 10.93.0.1 metric 100
"$QNM" net add phys bridge=qbr9 mode=bridged port=qeth0 >/dev/null || fatal "net add"
port_state() {
	ip -n "$H" -j addr show dev qeth0 | jq -c '.[0] | .addr_info |= map(select(.scope != "link"))'
	ip -n "$H" -j route show dev qeth0
}
master() { ip -n "$H" -j link show dev qeth0 | jq -r '.[0].master'; }
BEFORE=$(port_state)

UI_PREFIX=(ip netns exec "$H")
UI_ENV=(QNM_CONFIRM_SECS=6)
ui_start -x 110 -y 30
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
ui_keys 2
ui_wait "qbr9" 3 >/dev/null || fail "network not listed"
ui_wait "phys: port qeth0 in no bridge; host address 10.93.0.5/24 on qeth0" 5 >/dev/null &&
	ok "the screen says where the host's address lives" || fail "no host address line"

# up, kept with K
ui_keys u
ui_wait "Enslave a physical NIC" 3 >/dev/null || fail "no question before enslaving"
ui_keys y
ui_wait "Reverting in" 20 >/dev/null && ok "keep dialog with a countdown" || fail "no keep dialog"
ui_expect "the dialog asks to keep" "Keep these network settings? Reverting in"
ui_keys Enter
sleep 0.3
ui_expect "Enter does not keep" "Reverting in"
ui_keys K
ui_wait "network phys: kept: confirmed" 5 >/dev/null && ok "kept: in Messages" || fail "kept not logged"
sleep 6.5
expect_eq "kept: the port stays in the bridge past the deadline" qbr9 "$(master)"
ui_wait "host address 10.93.0.5/24 on qbr9" 5 >/dev/null && ok "the screen says the address is on the bridge" ||
	fail "address line not updated"

# down, Esc: the guard brings it back up
ui_keys u
ui_wait "Reverting in" 20 >/dev/null || fail "no keep dialog for down"
expect_eq "down applied: the port left the bridge" null "$(master)"
ui_keys Escape
ui_wait "network phys: rolled-back: not confirmed by the deadline" 12 >/dev/null &&
	ok "not kept: rolled back, in Messages" || fail "rollback not logged"
expect_eq "rolled back: the port is in the bridge again" qbr9 "$(master)"

# down, kept
ui_keys u
ui_wait "Reverting in" 20 >/dev/null || fail "no keep dialog for the second down"
ui_keys k
ui_wait "network phys: kept" 5 >/dev/null || fail "second down not kept"
expect_eq "down kept: the port as before" "$BEFORE" "$(port_state)"

# up, then the tmux session goes away with the dialog open
ui_keys u
ui_wait "Enslave a physical NIC" 3 >/dev/null
ui_keys y
t0=${EPOCHREALTIME/[.,]/}
ui_wait "Reverting in" 20 >/dev/null || fail "no keep dialog (last up)"
expect_eq "up applied" qbr9 "$(master)"
_ui kill-server
for ((i = 0; i < 120; i++)); do
	[ "$(port_state)" = "$BEFORE" ] && ! ip -n "$H" link show qbr9 >/dev/null 2>&1 && break
	sleep 0.1
done
ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
echo "tmux killed: rolled back $ms ms after the up was confirmed (deadline 6000 ms)"
expect_eq "tmux killed: the guard rolled back within the deadline + 2 s" yes \
	"$([ "$(port_state)" = "$BEFORE" ] && [ $ms -le 8000 ] && echo yes || echo "no after $ms ms")"
finish
