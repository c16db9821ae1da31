#!/bin/bash
# fault-guest.sh - a guest with a TAP qnm creates and a slirp NIC, in the
# test's own network namespace:
#   QEMU killed (SIGKILL)  -> status "crashed" with how and the serial tail,
#                             the TAP qnm made and the helper are gone,
#                             qnm start works again;
#   slirp helper killed    -> status and stop say so; stop leaves nothing.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

cat >"$T/guest.sh" <<'G'
. /etc/qnm/lib.sh
echo QNM-READY
sleep 600
G
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=slirp ipv6=off >/dev/null || fatal "nic add slirp"
"$QNM" nic add vm model=virtio-net-pci backend=tap create=yes >/dev/null || fatal "nic add tap"
R=$XDG_RUNTIME_DIR/qnm/vm
links() { ip -j link show | jq -r '[.[].ifname] | sort | join(" ")'; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
gone() { ! alive "$1"; }
base=$(links)

# --- QEMU killed ---
"$QNM" start vm >/dev/null || fatal "start"
check "guest boots" wait_serial 30 vm QNM-READY
tap=$(ip -j link show type tun 2>/dev/null | jq -r '.[0].ifname // empty')
[ -n "$tap" ] || tap=$(ip -j -d link show | jq -r '[.[] | select(.linkinfo.info_kind == "tun")][0].ifname // empty')
check "qnm made a TAP ($tap)" test -n "$tap"
hpid=$(cat "$R/slirp-n0.pid" 2>/dev/null)
qpid=$(guest_field vm qemu_pid)
kill -9 "$qpid"
wait_for 3 bash -c "[ \"\$(\"$QNM\" status vm --json | jq -r .status)\" = crashed ]"
out=$("$QNM" status vm)
echo "$out" | sed 's/^/  | /'
expect_contains "QEMU killed: status crashed, killed by signal 9" "crashed   QEMU was killed by signal 9" "$out"
expect_contains "QEMU killed: status shows the serial tail" "| QNM-READY" "$out"
expect_contains "QEMU killed: says how to clean up" "qnm stop vm removes the leftover runtime files" "$out"
check "QEMU killed: the TAP qnm made is gone" wait_for 3 bash -c "! ip link show $tap >/dev/null 2>&1"
check "QEMU killed: the slirp helper is gone" wait_for 5 gone "$hpid"
expect_eq "QEMU killed: links as before start" "$base" "$(links)"
out=$("$QNM" start vm 2>&1)
expect_eq "QEMU killed: qnm start works again" 0 "$?"
expect_contains "QEMU killed: start says it cleaned the stale dir" "removed the runtime dir" "$out"
check "guest boots again" wait_serial 30 vm QNM-READY

# --- slirp helper killed while the guest runs ---
hpid=$(cat "$R/slirp-n0.pid" 2>/dev/null)
qpid=$(guest_field vm qemu_pid)
check "helper runs ($hpid)" alive "$hpid"
kill -9 "$hpid"
wait_for 3 gone "$hpid"
out=$("$QNM" status vm)
echo "$out" | sed 's/^/  | /'
expect_contains "helper killed: status says the guest still runs" "running" "$out"
expect_contains "helper killed: status names the dead helper" \
	"problem: the slirp helper of NIC n0 (pid $hpid) is gone: that NIC has no network until the VM is restarted" "$out"
expect_contains "helper killed: status --json lists the problem" "slirp helper of NIC n0" \
	"$("$QNM" status vm --json | jq -r '.problems[]?')"
check "helper killed: QEMU still runs" alive "$qpid"
out=$("$QNM" stop vm --force 2>&1)
expect_eq "helper killed: stop succeeds" 0 "$?"
echo "$out" | sed 's/^/  | /'
expect_contains "helper killed: stop mentions the dead helper" "slirp helper of NIC n0 (pid $hpid) is gone" "$out"
check "helper killed: QEMU gone after stop" wait_for 3 gone "$qpid"
expect_eq "helper killed: status absent after stop" absent "$(guest_field vm status)"
check "helper killed: runtime dir removed" test ! -e "$R"
expect_eq "helper killed: links as before start (TAP removed)" "$base" "$(links)"
check "qnm start works after that" "$QNM" start vm
check "and boots" wait_serial 30 vm QNM-READY
"$QNM" stop vm --force >/dev/null
finish
