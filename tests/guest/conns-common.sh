#!/bin/bash
# conns-common.sh - qnm conns on a real guest: the guest holds a TCP
# connection open to 10.0.2.2:9000 (a listener on the loopback of the test's
# own namespace), and the host holds one open to the guest through a host
# forward (127.0.0.1:8001 -> guest port 5000). Both must appear in
# "qnm conns VM" (table and --json), with the right direction and ends.
# Run through conns-BACKEND.sh (GUEST_BACKEND=user|slirp).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
BE=${GUEST_BACKEND:?set GUEST_BACKEND}
M=${GUEST_MODEL:-virtio-net-pci}
need_cmd python3 python3

# hold_listen PORT FILE - accept one connection on 127.0.0.1:PORT, note it in FILE, hold it.
hold_listen() {
	python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2] + ".ready", "w").close()
c, a = s.accept(); open(sys.argv[2], "w").write("%s:%d\n" % a); time.sleep(120)' "$1" "$2" &
	at_exit "kill $! 2>/dev/null"
}
# hold_connect PORT FILE - connect to 127.0.0.1:PORT, note the local port in FILE, hold it.
hold_connect() {
	python3 -c '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
open(sys.argv[2], "w").write("%d\n" % c.getsockname()[1]); time.sleep(120)' "$1" "$2" &
	at_exit "kill $! 2>/dev/null"
}
# conns_has PROTO DIR STATE GUEST_PORT REMOTE_ADDR REMOTE_PORT - a matching row in
# "qnm conns vm --json" (an empty field matches anything).
conns_has() {
	"$QNM" conns vm --json | python3 -c '
import json, sys
want = sys.argv[1:]
keys = ["proto", "dir", "state", "guest_port", "remote_addr", "remote_port"]
for row in json.load(sys.stdin):
    if all(w == "" or str(row[k]) == w for k, w in zip(keys, want)):
        sys.exit(0)
sys.exit(1)' "$@"
}

cat >"$T/guest.sh" <<'EOS'
. /etc/qnm/lib.sh
qnm_dhcp eth0
(sleep 600 | nc -l -p 5000 >/dev/null) &
(sleep 600 | nc 10.0.2.2 9000) &
echo QNM-CONNS-READY
sleep 600
EOS
hold_listen 9000 "$T/accepted"
wait_for 5 test -e "$T/accepted.ready" || fatal "host listener did not start"
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model="$M" backend="$BE" ipv6=off hostfwd=tcp:127.0.0.1:8001-:5000 >/dev/null ||
	fatal "nic add failed"

out=$("$QNM" start vm) || fatal "qnm start failed: $out"
check "$BE: guest got a lease and started its connections" wait_serial 40 vm QNM-CONNS-READY
check "$BE: the host listener accepted the guest's connection" wait_for 10 test -s "$T/accepted"
check "$BE: guest -> 10.0.2.2:9000 shows as tcp out ESTABLISHED" \
	wait_for 10 conns_has tcp out ESTABLISHED "" 10.0.2.2 9000
check "$BE: the host forward shows as tcp listen 127.0.0.1:8001 -> guest :5000" \
	conns_has tcp listen HOST_FORWARD 5000 127.0.0.1 8001
hold_connect 8001 "$T/connected"
check "$BE: host connected through the forward" wait_for 5 test -s "$T/connected"
check "$BE: host -> forward -> guest:5000 shows as tcp in ESTABLISHED" \
	wait_for 10 conns_has tcp in ESTABLISHED 5000 127.0.0.1 8001
out=$("$QNM" conns vm)
echo "$out" | sed 's/^/  | /'
expect_contains "$BE: table has a header" "PROTO" "$out"
expect_contains "$BE: table shows the guest's connection" "10.0.2.2:9000" "$out"
# Only user/slirp NICs have a table; a VM that is not running is an error.
"$QNM" stop vm --force >/dev/null
"$QNM" conns vm >"$T/out" 2>&1
expect_eq "$BE: conns of a stopped VM fails (1)" 1 $?
expect_contains "$BE: ... saying it is not running" "not running" "$(cat "$T/out")"
"$QNM" conns >/dev/null 2>&1
expect_eq "$BE: conns without a VM is a usage error (2)" 2 $?
finish
