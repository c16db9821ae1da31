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
ui_keys u
ui_wait "network lab is down" 20 >/dev/null && ok "down from the UI" || fail "not down"
ui_expect "state down" " lab          down "
if ip -n "$NS" link show qnmlab0 >/dev/null 2>&1; then fail "bridge left behind"; else ok "bridge removed"; fi
check "host bridge untouched" ip -n "$NS" link show hostbr0
ui_keys F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
