#!/bin/bash
# ui-conns.sh - the Connections screen on a real guest, in the real UI (tmux).
# The guest (slirp NIC) opens a TCP connection (its port read from its
# /proc/net/tcp) to a
# listener on 10.0.2.2:9000 (the loopback of this test's own namespace); the
# screen opened with C on the VMs screen must list it (both ports checked),
# at 80x24 and at 132x43, and drop it once the guest closes it. A second VM
# with only a TAP NIC gets the "no user-mode NIC" explanation; the stopped
# guest gets "not running".
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
# 27 s alone under ASan here; in CI's asan stage, two tests at a time, one
# run passed 90 s while the guest booted (killed with nothing logged)
GUEST_TIMEOUT=${GUEST_TIMEOUT:-180}
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
need_cmd python3 python3
# GUEST_BACKEND=user runs the same through QEMU's own SLIRP ("info usernet" over QMP)
BE=${GUEST_BACKEND:-slirp}

# The host side: accept one connection on 127.0.0.1:9000; when $T/close
# appears, tell the guest "close"; the guest hangs up first (so SLIRP's socket
# closes without a TIME_WAIT), then the host.
python3 -c '
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9000)); s.listen(1)
open(sys.argv[1] + "/ready", "w").close()
c, a = s.accept(); open(sys.argv[1] + "/accepted", "w").write("%s:%d\n" % a)
while not os.path.exists(sys.argv[1] + "/close"): time.sleep(0.1)
c.sendall(b"close\n"); c.settimeout(30)
while c.recv(100): pass
c.close(); open(sys.argv[1] + "/hungup", "w").close(); time.sleep(60)' "$T" &
at_exit "kill $! 2>/dev/null"
wait_for 5 test -e "$T/ready" || fatal "host listener did not start"

cat >"$T/guest.sh" <<'EOS'
. /etc/qnm/lib.sh
qnm_dhcp eth0
sleep 600 | nc 10.0.2.2 9000 >/tmp/got &
NC=$!
# the guest's own port of the connection, from /proc/net/tcp (10.0.2.2:9000 = 0202000A:2328)
n=0
while [ -z "$hex" ] && [ $n -lt 100 ]; do
	hex=$(awk '$3 == "0202000A:2328" && $4 == "01" { split($2, a, ":"); print a[2] }' /proc/net/tcp)
	n=$((n + 1)); sleep 0.1
done
echo "QNM-CONN-OPEN port=$(printf '%d' "0x$hex")"
n=0
while ! grep -q close /tmp/got 2>/dev/null && [ $n -lt 600 ]; do n=$((n + 1)); sleep 0.1; done
kill $NC
echo QNM-CONN-CLOSED
sleep 600
EOS
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend="$BE" ipv6=off >/dev/null || fatal "nic add failed"
"$QNM" new taponly memory=128 >/dev/null || fatal "qnm new taponly"
"$QNM" nic add taponly model=e1000 backend=tap >/dev/null || fatal "nic add tap"

ui_start -x 80 -y 24
ui_wait "e1000/tap" 10 || fatal "UI did not start"
# a VM without user-mode NIC: said plainly, whether it runs or not
ui_keys /
ui_type taponly
ui_keys Enter C
ui_wait "Connections of taponly" 5 >/dev/null || fail "C did not open the Connections screen"
ui_expect "TAP-only VM: no user-mode NIC, said plainly" "has no user-mode NIC"
ui_expect "one-line explanation for beginners" "Host sockets that user-mode networking"
ui_keys Escape Escape
ui_wait_gone "Filter:" 3 || fail "filter not cleared"
ui_keys /
ui_type "virtio"
ui_keys Enter

ui_keys s
ui_wait "vm started" 60 >/dev/null || fatal "guest did not start from the UI"
check "guest opened its connection" wait_serial 40 vm QNM-CONN-OPEN
GP=$(sed -n 's/.*QNM-CONN-OPEN port=\([0-9][0-9]*\).*/\1/p' "$(serial_log vm)" | head -n1)
[ -n "$GP" ] && [ "$GP" != 0 ] || fatal "no guest port on the console"
echo "  the guest's port: $GP"
check "the host listener accepted it" wait_for 10 test -s "$T/accepted"
ui_expect "VMs screen hints at the new keys for a running VM" "C its connections"
ui_keys C
ui_wait "Connections of vm (running)" 5 >/dev/null || fail "Connections screen of vm"
if ui_wait "10.0.2.2:9000" 10 >/dev/null; then
	ok "80x24: the guest's connection is listed"
else
	fail "80x24: no row for 10.0.2.2:9000"
fi
row=$(ui_screen | grep "10.0.2.2:9000" | head -n1)
echo "  row: $row"
expect_contains "80x24: protocol and state" "tcp   out    ESTABLISHED" "$row"
expect_contains "80x24: guest end with its port $GP" "10.0.2.15:$GP" "$row"
ui_expect "80x24: NIC heading with its backend" "NIC n0 ($BE: "
ui_screen | sed 's/^/  | /'

ui_resize 132 43
ui_wait "RECVQ" 5 >/dev/null && ok "132x43: queue columns shown" || fail "132x43: no RECVQ column"
row=$(ui_screen | grep "10.0.2.2:9000" | head -n1)
expect_contains "132x43: the same connection" "10.0.2.15:$GP" "$row"
echo "$row" | grep -Eq "10\.0\.2\.2:9000 +[0-9]+ +[0-9]+" && ok "132x43: queued bytes shown" ||
	fail "132x43: no queued bytes after the remote end: $row"
echo "  $BE table query: $(ui_screen | grep -o 'asked in [0-9]* ms')"
ui_keys o
ui_wait "sorted by remote end" 3 >/dev/null && ok "o changes the order" || fail "sort key"
ui_keys /
ui_type "$GP"
ui_keys Enter
ui_wait "Filter: $GP" 3 >/dev/null && ok "filter by port" || fail "filter"
ui_expect "filter keeps the row" "10.0.2.15:$GP"
ui_keys Escape
ui_resize 80 24

touch "$T/close"
t0=$SECONDS
check "guest closed its connection" wait_serial 20 vm QNM-CONN-CLOSED
check "the host saw the guest hang up" wait_for 10 test -e "$T/hungup"
if ui_wait_gone "10.0.2.2:9000" 30; then
	ok "the closed connection is gone from the screen (after $((SECONDS - t0)) s)"
else
	fail "the closed connection is still listed"
	ui_screen | sed 's/^/  | /'
fi
ui_expect "an empty table says so" "(no connections right now)"

# keys still answer while the screen refreshes
ui_keys F1
ui_wait "Connections" 3 >/dev/null
ui_expect "help lists the Connections keys" "order by the next column"
ui_keys Escape

# stopped: say it
"$QNM" stop vm --force >/dev/null
ui_wait "not running" 10 >/dev/null && ok "stopped VM: says the table needs a running guest" ||
	fail "no 'not running' after stopping"
ui_keys Escape F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
