#!/bin/bash
# ui-network: bring a qnm network up and down from the Networks screen, in
# a network namespace this test creates (never the host's), and see the
# host's own bridges with their ports.
. "$QNM_SRCDIR/tests/lib.sh"
need_root
. "$QNM_SRCDIR/tests/ui-lib.sh"

NS=$(new_netns uinet)
ip -n "$NS" link add hostbr0 type bridge || fatal "bridge"
ip -n "$NS" link add dum0 type veth peer name dum1 || fatal "veth"
ip -n "$NS" link set dum0 master hostbr0 || fatal "enslave"
"$QNM" net add lab bridge=qnmlab0 address=10.77.0.1/24 mode=isolated >/dev/null || fatal "net add"
UI_PREFIX=(ip netns exec "$NS")
ui_start -x 100 -y 30
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
ui_keys 2
ui_wait "qnmlab0" 3 >/dev/null || fail "network not listed"
ui_expect "network starts down" " lab          down "
ui_wait "hostbr0" 3 >/dev/null && ok "host bridge listed" || fail "host bridge not listed"
ui_expect "host bridge ports shown" "ports: dum0"
ui_keys u
ui_wait "network lab is up" 20 >/dev/null && ok "up from the UI" || fail "not up"
ui_expect "state up" " lab          up "
check "bridge exists in the namespace" ip -n "$NS" link show qnmlab0
check "bridge has its address" sh -c "ip -n '$NS' -4 addr show qnmlab0 | grep -q 10.77.0.1/24"
# a forward added while the network is up is applied at once (nftables DNAT)
ui_keys 3 n
ui_wait "Guest port" 3 >/dev/null
ui_expect "forward target is the network" "< network lab >"
for ((i = 0; i < 8; i++)); do ui_screen | grep -q "^ *>Host port" && break; ui_keys Tab; done
ui_type 8080
ui_keys Tab
ui_type 10.77.0.10
ui_keys Tab
ui_type 80
ui_keys F2
ui_keys 6
ui_wait "applied to the live table of network lab" 5 >/dev/null &&
	ok "forward on an up network is applied" || fail "not applied"
if ip netns exec "$NS" nft list table inet qnm 2>/dev/null | grep -q "8080 : 10.77.0.10 . 80"; then
	ok "DNAT rule for port 8080 in the namespace"
else
	fail "no DNAT rule for port 8080"
	ip netns exec "$NS" nft list table inet qnm 2>&1 | head -30
fi
ui_keys 2
ui_wait "qnmlab0" 3 >/dev/null
ui_keys u
ui_wait "network lab is down" 20 >/dev/null && ok "down from the UI" || fail "not down"
ui_expect "state down" " lab          down "
if ip -n "$NS" link show qnmlab0 >/dev/null 2>&1; then fail "bridge left behind"; else ok "bridge removed"; fi
check "host bridge untouched" ip -n "$NS" link show hostbr0
ui_keys F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
