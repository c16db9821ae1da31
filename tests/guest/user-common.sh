#!/bin/bash
# user-common.sh - one device model on the user backend, end to end:
# DHCP, guest -> host via 10.0.2.2, host -> guest via hostfwd, the MAC the
# guest sees, powerdown. Run through user-MODEL.sh (GUEST_MODEL=...) or
# slirp-MODEL.sh (GUEST_BACKEND=slirp: qnm's libslirp helper, started by the runner).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
M=${GUEST_MODEL:?set GUEST_MODEL}
BE=${GUEST_BACKEND:-user}
TOKEN="host-$$-$RANDOM"

mkdir -p "$T/www"
echo "$TOKEN" >"$T/www/hello.txt"
host_httpd 8000 "$T/www" hello.txt

guest_script_serve "$TOKEN" 10.0.2.2 >"$T/guest.sh"
cat >>"$T/guest.sh" <<EOF
echo QNM-G2H-DONE
sleep 600
EOF
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model="$M" backend="$BE" ipv6=off hostfwd=tcp:127.0.0.1:8001-:80 >/dev/null ||
	fatal "nic add failed"
MAC=$("$QNM" nic list vm | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1)

t0=$(date +%s%N)
out=$("$QNM" start vm) || fatal "qnm start failed: $out"
echo "$out"
check "$M/$BE: guest got a DHCP lease" wait_serial 30 vm "eth0 got 10.0.2.15/24"
check "$M/$BE: guest finished its fetch" wait_serial 20 vm QNM-G2H-DONE
echo "  boot to traffic: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "$M/$BE: guest -> host (10.0.2.2:8000 = host 127.0.0.1:8000)" \
	grep -qF "g2h: $TOKEN" "$(serial_log vm)"
expect_eq "$M/$BE: host -> guest through hostfwd 127.0.0.1:8001" "guest-token-$TOKEN" \
	"$(http_get http://127.0.0.1:8001/token.txt)"
check "$M/$BE: the guest sees the configured MAC $MAC" grep -qF "guest-mac $MAC" "$(serial_log vm)"
# keep what the console printed: stop removes the VM's runtime directory
tail -F -n +1 "$(serial_log vm)" >"$T/serial.copy" 2>/dev/null &
tailpid=$!
out=$("$QNM" stop vm --timeout 45)
sleep 0.3
kill "$tailpid" 2>/dev/null
wait "$tailpid" 2>/dev/null
echo "  $out"
expect_contains "$M/$BE: stop by ACPI power button" "powered off" "$out"
case $out in
*"powered off"*) ;;
*) echo "  serial console, last lines:"; tail -n 25 "$T/serial.copy" | sed 's/^/  | /' ;;
esac
expect_eq "$M/$BE: nothing left after stop" absent "$(guest_field vm status)"
if [ "$BE" = slirp ]; then
	expect_eq "$M/$BE: no slirp helper left running" 0 "$(pgrep -fc "slirp-helper.*$T/run")"
fi
finish
