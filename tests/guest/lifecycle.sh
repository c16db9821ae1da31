#!/bin/bash
# lifecycle.sh - a guest outlives the qnm (and the session) that started it,
# a new qnm reattaches; SIGKILL of QEMU is noticed within 1 s and shown as
# crashed with the serial tail; stale runtime dirs are cleaned on start.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

cat >"$T/guest.sh" <<'EOF'
. /etc/qnm/lib.sh
qnm_dhcp eth0
echo alive > /www/alive.txt
httpd -p 80 -h /www
echo QNM-READY
sleep 600
EOF
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=user ipv6=off hostfwd=tcp:127.0.0.1:8101-:80 \
	>/dev/null || fatal "nic add failed"

# Start from a throw-away session, then hang that whole session up (as an
# SSH disconnect would).
setsid bash -c '"$0" start vm > "$1"; kill -HUP -- -$$' "$QNM" "$T/start.out"
cat "$T/start.out"
pid=$(guest_field vm qemu_pid)
check "QEMU runs after its starter's session was hung up" kill -0 "${pid:-0}"
check "guest boots" wait_serial 30 vm QNM-READY
qsid=$(ps -o sid= -p "$pid" | tr -d ' ')
expect_eq "QEMU is in a session of its own (not ours)" yes \
	"$([ -n "$qsid" ] && [ "$qsid" != "$(ps -o sid= -p $$ | tr -d ' ')" ] && echo yes)"

# A new qnm finds it.
expect_eq "new qnm: status running" running "$(guest_field vm status)"
expect_eq "new qnm: same QEMU pid" "$pid" "$(guest_field vm qemu_pid)"
expect_eq "new qnm: QMP reattached (query-status)" running "$(guest_field vm qemu_state)"
expect_eq "guest still reachable" alive "$(http_get http://127.0.0.1:8101/alive.txt)"
check "second start refused while running" bash -c '! "$0" start vm 2>/dev/null' "$QNM"

# SIGKILL: noticed within a second.
t0=$(date +%s%N)
kill -9 "$pid"
st=""
for ((i = 0; i < 40; i++)); do
	st=$(guest_field vm status)
	[ "$st" = crashed ] && break
	sleep 0.025
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "SIGKILL of QEMU shows as crashed" crashed "$st"
echo "  crash noticed after ${ms} ms"
check "crash noticed within 1 s (${ms} ms)" test "$ms" -le 1000
out=$("$QNM" status vm)
echo "$out"
expect_contains "status says how it died" "killed by signal 9" "$out"
expect_contains "status shows the serial tail" "| QNM-READY" "$out"
expect_contains "JSON has the serial tail" "QNM-READY" "$("$QNM" status vm --json)"
out=$("$QNM" stop vm)
expect_contains "stop on a crashed VM cleans up" "removed the runtime dir" "$out"
expect_eq "clean after stop" absent "$(guest_field vm status)"

# Supervisor and QEMU both gone without a record: start cleans the stale dir.
"$QNM" start vm >/dev/null || fail "restart after crash"
check "guest boots again" wait_serial 30 vm QNM-READY
sup=$(guest_field vm supervisor_pid)
pid=$(guest_field vm qemu_pid)
kill -9 "$sup" "$pid"
sleep 0.2
expect_eq "vanished QEMU shows as crashed" crashed "$(guest_field vm status)"
out=$("$QNM" start vm)
expect_contains "start reports the stale dir it removed" "removed the runtime dir" "$out"
expect_eq "running again" running "$(guest_field vm status)"
out=$("$QNM" stop vm --force)
expect_contains "forced stop" "forced stop" "$out"
finish
