#!/bin/bash
# start-mac-clash: "qnm start" (CLI and UI) warns, naming the MAC, the bridge
# and where it was seen, when a NIC's MAC is already in the neighbour table
# or fdb of the live bridge it joins - and still starts the guest (a
# warning, like libvirt, not a refusal). Everything in a network namespace
# this test creates; the guest is a real diskless QEMU (TCG), stopped after.
. "$QNM_SRCDIR/tests/lib.sh"
need_root
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd bridge iproute2
need_cmd jq jq
. "$QNM_SRCDIR/tests/ui-lib.sh"

NS=$(new_netns macclash)
in_ns() { ip netns exec "$NS" "$@"; }
q() { in_ns timeout 60 "$QNM" "$@"; }
MAC=52:54:00:12:aa:01

# a live bridge with a fixed MAC: a bridge whose MAC changes (a port with a lower
# one joins - the VM's TAP at each start) flushes its neighbours, permanent ones too
in_ns ip link add qnmmac0 address 02:00:00:00:00:01 type bridge || fatal "bridge"
in_ns ip link add qmv0 type veth peer name qmv1 || fatal "veth"
in_ns ip link set qmv0 master qnmmac0
in_ns ip link set qmv0 up
in_ns ip link set qmv1 up
in_ns ip addr add 10.80.0.1/24 dev qnmmac0
in_ns ip link set qnmmac0 up
check "network on that bridge" q net add lan bridge=qnmmac0 address=10.80.0.1/24 mode=isolated
check "VM" q new mvm
q set mvm accel=tcg memory=64 >/dev/null
check "tap NIC on the network" q nic add mvm backend=tap network=lan mac=$MAC
at_exit "ip netns exec $NS timeout 30 $QNM stop mvm --force >/dev/null 2>&1"

# ---- no clash: no warning ----
out=$(q start mvm 2>&1) || fatal "start without a clash failed: $out"
case "$out" in *"is already on bridge"*) fail "no clash, yet a warning: $out" ;; *) ok "no clash: no MAC warning" ;; esac
# the VM boots nothing (boot=none): said before it starts (issue 15.7), and it starts
expect_contains "boot=none warned" \
	"qnm: start: warning: boot=none: it has nothing to boot from" "$out"
q stop mvm --force >/dev/null 2>&1

# ---- a neighbour entry with the VM's MAC ----
in_ns ip neigh replace 10.80.0.9 lladdr $MAC dev qnmmac0 nud permanent || fatal "neigh add"
out=$(q start mvm 2>&1); rc=$?
expect_eq "start goes on despite the clash (warning, not refusal)" 0 "$rc"
expect_contains "warning names MAC, bridge and neighbour" \
	"qnm: start: warning: MAC $MAC of VM 'mvm' NIC 'n0' is already on bridge qnmmac0: neighbour 10.80.0.9 (permanent)" "$out"
expect_contains "warning says what to do" "give NIC n0 a new MAC" "$out"
expect_contains "the guest started" "started 'mvm'" "$out"
q stop mvm --force >/dev/null 2>&1
# stdout stays clean for scripts: the warning is on stderr only
out=$(q start mvm 2>/dev/null)
case "$out" in *warning*) fail "warning on stdout" ;; *) ok "warning only on stderr" ;; esac
q stop mvm --force >/dev/null 2>&1

# --json carries the warnings too
js=$(q start mvm --json 2>"$T/json.err")
expect_contains "start --json: warnings array" "is already on bridge qnmmac0: neighbour 10.80.0.9 (permanent)" \
	"$(echo "$js" | jq -r '.warnings[0]')"
expect_eq "start --json: the guest runs" running "$(echo "$js" | jq -r '.status')" ||
	cat "$T/json.err"
q stop mvm --force >/dev/null 2>&1

# ---- a stale entry (e.g. this VM's last run) is called out as possibly harmless ----
in_ns ip neigh replace 10.80.0.9 lladdr $MAC dev qnmmac0 nud stale
out=$(q start mvm 2>&1)
expect_contains "stale neighbour named" "neighbour 10.80.0.9 (stale)" "$out"
expect_contains "stale entry explained" "an old entry, e.g. from this VM's last run, is harmless" "$out"
q stop mvm --force >/dev/null 2>&1
in_ns ip neigh del 10.80.0.9 dev qnmmac0 2>/dev/null

# ---- an fdb entry on another port ----
in_ns bridge fdb add $MAC dev qmv0 master static || fatal "fdb add"
out=$(q start mvm 2>&1)
expect_contains "fdb entry named with its port" \
	"is already on bridge qnmmac0: bridge fdb entry on port qmv0 (static)" "$out"
q stop mvm --force >/dev/null 2>&1

# ---- the UI: start from the VMs screen, the warning on the status line and in Messages ----
UI_PREFIX=(ip netns exec "$NS")
ui_start -x 100 -y 30
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
ui_keys s
# boot=none asks first (issue 15.7)
ui_wait "boot=none: it has nothing to boot from" 5 >/dev/null && ok "UI: boot=none asks before the start" ||
	fail "UI: no boot=none question"
ui_keys y
ui_wait "is already on bridge qnmmac0" 30 >/dev/null && ok "UI: warning on the status line" ||
	fail "UI: no warning shown"
ui_keys 6
ui_wait "LEVEL" 5 >/dev/null
ui_expect "UI: Messages has the warning" "warn  mvm: MAC $MAC of VM 'mvm' NIC 'n0'"
ui_expect "UI: the start itself went on" "mvm started"
ui_keys F10
wait_for 5 ui_dead || fail "UI did not quit"
q stop mvm --force >/dev/null 2>&1
finish
