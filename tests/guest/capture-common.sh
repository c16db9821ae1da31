#!/bin/bash
# capture-common.sh - qnm capture on a real guest: the guest boots with its
# cable unplugged (so it cannot start DHCP yet), a capture is attached to its
# NIC, the cable is plugged in, the guest gets its lease, the capture is
# stopped with Ctrl-C (SIGINT), and the pcap QEMU wrote must hold the guest's
# DHCP DISCOVER (from its MAC) and the OFFER. Run through capture-BACKEND.sh
# (GUEST_BACKEND=user|slirp).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
BE=${GUEST_BACKEND:?set GUEST_BACKEND}
M=${GUEST_MODEL:-virtio-net-pci}
need_cmd python3 python3

cat >"$T/guest.sh" <<'EOS'
. /etc/qnm/lib.sh
ip link set eth0 up
echo "guest-waiting-for-carrier"
n=0
while [ "$(cat /sys/class/net/eth0/carrier)" != 1 ] && [ $n -lt 600 ]; do
	n=$((n + 1)); sleep 0.1
done
qnm_dhcp eth0
echo QNM-DHCP-DONE
# Steady traffic (a refused TCP connection to 10.0.2.2:9 every 0.3 s), so a
# capture file that stops growing really means the capture is gone.
while true; do nc 10.0.2.2 9 </dev/null 2>/dev/null; sleep 0.3; done
EOS
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model="$M" backend="$BE" ipv6=off link=down >/dev/null || fatal "nic add failed"
MAC=$("$QNM" nic list vm | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1)
NIC=$("$QNM" nic list vm | awk 'NR > 1 { print $1; exit }')
[ -n "$MAC" ] && [ -n "$NIC" ] || fatal "no MAC/NIC id from qnm nic list: $("$QNM" nic list vm)"

# Refusals before anything runs.
"$QNM" capture vm "$NIC" "$T/x.pcap" >"$T/out" 2>&1
expect_eq "$BE: capture of a VM that is not running fails (1)" 1 $?
"$QNM" capture vm nosuchnic "$T/x.pcap" >"$T/out" 2>&1
expect_eq "$BE: capture of an unknown NIC fails (1)" 1 $?
expect_contains "$BE: ... and says so" "has no NIC 'nosuchnic'" "$(cat "$T/out")"

out=$("$QNM" start vm) || fatal "qnm start failed: $out"
check "$BE: guest is up, cable unplugged" wait_serial 30 vm guest-waiting-for-carrier

# An existing file is not overwritten without --force.
echo keep >"$T/exists.pcap"
"$QNM" capture vm "$NIC" "$T/exists.pcap" --seconds 1 >"$T/out" 2>&1
expect_eq "$BE: existing file refused (exit 1)" 1 $?
expect_contains "$BE: ... naming --force" "--force" "$(cat "$T/out")"
expect_eq "$BE: ... and left as it was" keep "$(cat "$T/exists.pcap")"

# The capture, with a relative path (made absolute for QEMU).
mkdir -p "$T/cap"
(cd "$T/cap" && exec "$QNM" capture vm "$NIC" dhcp.pcap >"$T/cap.out" 2>&1) &
CAP=$!
at_exit "kill $CAP 2>/dev/null"
check "$BE: capture attached" wait_for 10 grep -q '^capturing' "$T/cap.out"
expect_contains "$BE: relative file made absolute" "into $T/cap/dhcp.pcap" "$(cat "$T/cap.out")"
expect_contains "$BE: capture --list shows it" "$T/cap/dhcp.pcap" "$("$QNM" capture vm --list)"
"$QNM" link vm "$NIC" up >/dev/null || fail "qnm link up failed"
check "$BE: guest got its DHCP lease" wait_serial 30 vm QNM-DHCP-DONE
grep -q "eth0 got" "$(serial_log vm)" || fail "$BE: guest's udhcpc did not get a lease"
sleep 0.3
kill -INT $CAP
wait $CAP
expect_eq "$BE: capture ends with status 0 on Ctrl-C" 0 $?
cat "$T/cap.out" | sed 's/^/  | /'
expect_contains "$BE: capture says why it ended" "stopped by Interrupt" "$(cat "$T/cap.out")"
expect_eq "$BE: no capture left in QEMU's records" "no captures on vm" "$("$QNM" capture vm --list)"
# QEMU no longer writes to the file once the filter is gone.
s1=$(stat -c %s "$T/cap/dhcp.pcap")
sleep 1
expect_eq "$BE: file no longer grows after the capture" "$s1" "$(stat -c %s "$T/cap/dhcp.pcap")"
if out=$(python3 "$QNM_SRCDIR/tests/pcap-dhcp.py" "$T/cap/dhcp.pcap" "$MAC"); then
	ok "$BE: pcap holds the guest's DHCP DISCOVER (from $MAC) and OFFER"
else
	fail "$BE: pcap lacks the guest's DHCP DISCOVER/OFFER"
fi
echo "$out" | sed 's/^/  | /'

# A capture whose qnm is SIGKILLed stays in QEMU: listed as orphaned, removed by the next one.
"$QNM" capture vm "$NIC" "$T/orphan.pcap" >"$T/orphan.out" 2>&1 &
OC=$!
wait_for 10 grep -q '^capturing' "$T/orphan.out" || fail "$BE: second capture did not start"
kill -9 $OC
wait $OC 2>/dev/null
expect_contains "$BE: a capture whose qnm died is listed as such" "owner gone" \
	"$("$QNM" capture vm --list)"
s0=$(stat -c %s "$T/orphan.pcap")
sleep 1
check "$BE: ... and QEMU still writes its file" test "$(stat -c %s "$T/orphan.pcap")" -gt "$s0"

# --seconds and --json, with --force over the file just written.
out=$("$QNM" capture vm "$NIC" "$T/cap/dhcp.pcap" --force --seconds 1 --json 2>"$T/err")
expect_eq "$BE: --seconds 1 --force --json succeeds" 0 $?
expect_contains "$BE: ... and reports the end" 'time is up' "$out"
expect_contains "$BE: ... after removing the orphaned capture" "removed 1 capture(s) left by a qnm" \
	"$(cat "$T/err")"
expect_eq "$BE: no capture left after that" "no captures on vm" "$("$QNM" capture vm --list)"
s1=$(stat -c %s "$T/orphan.pcap")
sleep 1
expect_eq "$BE: the orphaned capture's file no longer grows" "$s1" "$(stat -c %s "$T/orphan.pcap")"

"$QNM" stop vm --force >/dev/null
finish
