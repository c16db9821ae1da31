#!/bin/bash
# ovn-doctor.sh - "qnm doctor --check ovn_chassis" (issue 18.2) in the lab
# of lib-ovn.sh (central + host a): with an ovn network defined it finds
# Open vSwitch, the chassis keys, br-int and the chassis registered in the
# southbound database with its encapsulation, and ovn-controller running and
# connected; with ovn-controller cut off or gone, without Open vSwitch, or
# with a key missing, it fails with the fix line; without an ovn network it
# does not apply.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=60
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/guest/lib-ovn.sh"

ovn_lab_up a
out=$(qh a doctor --check ovn_chassis 2>&1)
check "no ovn network: the check does not apply" grep -q "no ovn network" <<<"$out"
qh a net add lan mode=ovn bridge=br-int address=10.80.0.1/24 ovn-nb="$(ovn_nb_remote)" \
	>/dev/null || fatal "net add"
out=$(qh a doctor --check ovn_chassis 2>&1)
echo "$out" | sed 's/^/  | /'
check "Open vSwitch found" grep -q "Open vSwitch answers at unix:" <<<"$out"
check "br-int found" grep -q "the integration bridge br-int exists" <<<"$out"
check "chassis registered with its encapsulation" \
	grep -q "chassis a is registered in tcp:192.168.50.1:6642 with 1 encapsulation" <<<"$out"
check "ovn-controller runs and is connected" \
	grep -q "ovn-controller runs (pid $(cat "$OVN_LAB/a/run/ovn-controller.pid")) and is connected" <<<"$out"
check "no failure" grep -q "1 ok, 0 skipped, 0 warning(s), 0 failed" <<<"$out"
qh a net up lan >/dev/null || fatal "net up"
out=$(qh a doctor 2>&1)
echo "$out" | grep -v "^ok" | sed 's/^/  # /'
check "the whole doctor: no check fails or warns about the ovn network" \
	eval '! grep -i -E -A4 "^(fail|warn)" <<<"$out" | grep -q "lan\|br-int"'
# ovn-controller cut off from the southbound database, then gone (its chassis
# stays registered: only asking ovn-controller itself tells)
vsctl a set open . external_ids:ovn-remote=tcp:192.168.50.1:6999 || fatal "set ovn-remote"
doctor_says() { qh a doctor --check ovn_chassis 2>&1 | grep -q "$1"; }
check "ovn-controller cut off from the southbound database fails" \
	wait_for 20 doctor_says "ovn-controller (pid [0-9]*) says 'not connected' about the southbound"
vsctl a set open . external_ids:ovn-remote=tcp:192.168.50.1:6642 || fatal "set ovn-remote back"
pid=$(cat "$OVN_LAB/a/run/ovn-controller.pid")
kill "$pid"
wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"
out=$(qh a doctor --check ovn_chassis 2>&1)
check "no ovn-controller fails" grep -q "no ovn-controller runs ($OVN_LAB/a/run/ovn-controller.pid" <<<"$out"
check "... although its chassis is still registered" grep -q "chassis a is registered" <<<"$out"
check "... with the fix" grep -q "systemctl start ovn-controller" <<<"$out"
vsctl a remove open . external_ids ovn-encap-ip || fatal "remove encap-ip"
out=$(qh a doctor --check ovn_chassis 2>&1)
check "a missing encapsulation address fails" grep -q "no external_ids:ovn-encap-ip" <<<"$out"
check "with its fix" grep -q "ovs-vsctl set open . external_ids:ovn-encap-ip=THIS_HOST_IP" <<<"$out"
out=$(inns a OVS_RUNDIR="$T/nowhere" XDG_CONFIG_HOME="$OVN_LAB/a/config" \
	XDG_RUNTIME_DIR="$OVN_LAB/a/xdg" "$QNMABS" doctor --check ovn_chassis 2>&1)
check "no Open vSwitch: fails" grep -q "Open vSwitch does not answer at unix:$T/nowhere/db.sock" <<<"$out"
check "with the fix" grep -q "systemctl start openvswitch-switch ovn-controller" <<<"$out"
finish
