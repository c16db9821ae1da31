#!/bin/bash
# passt-common.sh - one device model on the passt backend (issue 16.1), end
# to end: the runner starts passt before QEMU; DHCP gives the guest the
# host's address; guest -> host over IPv4 and over IPv6 (TCP to the
# gateway's addresses, which passt maps to the host's loopback); host ->
# guest through a forward (passt -t 127.0.0.1/8001:80); the MAC the guest
# sees; stop releases passt. Run through passt-MODEL.sh (GUEST_MODEL=...).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
M=${GUEST_MODEL:?set GUEST_MODEL}
need_cmd passt passt
TOKEN="host-$$-$RANDOM"
host_uplink

mkdir -p "$T/www" "$T/www6"
echo "$TOKEN" >"$T/www/hello.txt"
echo "v6-$TOKEN" >"$T/www6/hello6.txt"
host_httpd 8000 "$T/www" hello.txt
"$BB" httpd -f -p "[::1]:8002" -h "$T/www6" &
at_exit "kill $! 2>/dev/null"
wait_for 5 http_get "http://[::1]:8002/hello6.txt" >/dev/null || fatal "host httpd on ::1 did not start"

guest_script_serve "$TOKEN" 10.1.0.1 >"$T/guest.sh"
cat >>"$T/guest.sh" <<EOF
n=0
# SLAAC from passt's router advertisement; usable once duplicate address detection is over
until ip -6 addr show dev eth0 scope global | grep 'inet6 2001:db8:' | grep -qv tentative; do
	n=\$((n + 1)); [ \$n -gt 150 ] && break; sleep 0.1
done
echo "guest-v6: \$(ip -6 addr show dev eth0 scope global | grep -o 'inet6 [^ ]*' | head -n1), \$(ip -6 route | grep default)"
for try in 1 2 3; do
	v6=\$(timeout 5 wget -q -O - 'http://[2001:db8::1]:8002/hello6.txt' 2>&1) && break
	echo "g2h6 try \$try: \$v6"; sleep 1
done
echo "g2h6: \$v6"
echo QNM-G2H-DONE
sleep 600
EOF
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model="$M" backend=passt hostfwd=tcp:127.0.0.1:8001-:80 >/dev/null ||
	fatal "nic add failed"
MAC=$("$QNM" nic list vm | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1)
R=$XDG_RUNTIME_DIR/qnm/vm

t0=$(date +%s%N)
out=$("$QNM" start vm) || fatal "qnm start failed: $out"
echo "$out"
PASST_PID=$(cat "$R/passt-n0.pid" 2>/dev/null)
check "$M/passt: passt runs for n0 (pid ${PASST_PID:-none})" test -n "$PASST_PID" -a -d "/proc/$PASST_PID"
check "$M/passt: the guest got the host's address by DHCP" wait_serial 30 vm "eth0 got 10.1.0.2/24 router 10.1.0.1"
check "$M/passt: guest finished its fetches" wait_serial 30 vm QNM-G2H-DONE
echo "  boot to traffic: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
grep -a 'guest-v6:\|g2h6 try' "$(serial_log vm)" | sed 's/^/  /'
check "$M/passt: guest -> host over IPv4 (10.1.0.1:8000 = host 127.0.0.1:8000)" \
	grep -qF "g2h: $TOKEN" "$(serial_log vm)"
check "$M/passt: guest -> host over IPv6 TCP ([2001:db8::1]:8002 = host [::1]:8002)" \
	grep -qF "g2h6: v6-$TOKEN" "$(serial_log vm)"
expect_eq "$M/passt: host -> guest through the forward 127.0.0.1:8001 (passt -t)" \
	"guest-token-$TOKEN" "$(http_get http://127.0.0.1:8001/token.txt)"
expect_contains "$M/passt: qnm ports names passt as the forward's holder" \
	"VM vm (its passt, pid $PASST_PID)" "$("$QNM" ports | grep ':8001')"
check "$M/passt: the guest sees the configured MAC $MAC" grep -qF "guest-mac $MAC" "$(serial_log vm)"
out=$("$QNM" stop vm --timeout 45)
echo "  $out"
expect_contains "$M/passt: stop by ACPI power button" "powered off" "$out"
expect_eq "$M/passt: nothing left after stop" absent "$(guest_field vm status)"

check "$M/passt: stop released passt (pid $PASST_PID)" test ! -d "/proc/${PASST_PID:-0}"
finish
