#!/bin/bash
# link.sh - "qnm link VM NIC down" unplugs the cable live (the guest loses
# carrier, traffic stops) and "up" restores it; a NIC with link=down in its
# file starts unplugged.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

cat >"$T/guest.sh" <<'EOF'
. /etc/qnm/lib.sh
# /sys/.../carrier cannot be read while eth0 is down (EINVAL): bring it up
# first, and never report an unreadable value as a carrier state.
ip link set eth0 up
( last=x; while true; do
	c=$(cat /sys/class/net/eth0/carrier 2>/dev/null)
	[ -n "$c" ] && [ "$c" != "$last" ] && echo "QNM-CARRIER $c" && last=$c
	sleep 0.1
done ) &
qnm_dhcp eth0
echo pong > /www/ping.txt
httpd -p 80 -h /www
echo QNM-READY
sleep 600
EOF
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=user ipv6=off hostfwd=tcp:127.0.0.1:8201-:80 \
	>/dev/null || fatal "nic add failed"
"$QNM" start vm >/dev/null || fatal "start failed"
check "guest ready" wait_serial 30 vm QNM-READY
expect_eq "traffic with the cable in" pong "$(http_get http://127.0.0.1:8201/ping.txt)"
out=$("$QNM" link vm n0 down) || fail "qnm link down"
echo "$out"
check "guest sees carrier 0" wait_serial 5 vm "QNM-CARRIER 0"
expect_eq "no traffic with the cable out" "" "$(http_get http://127.0.0.1:8201/ping.txt)"
"$QNM" link vm n0 up >/dev/null || fail "qnm link up"
check "guest sees carrier 1 again" wait_serial 5 vm "QNM-CARRIER 1"
check "traffic restored" wait_for 10 bash -c \
	'[ "$(timeout 4 "$0" wget -q -O - http://127.0.0.1:8201/ping.txt 2>/dev/null)" = pong ]' "$BB"
check "bad NIC name refused" bash -c '! "$0" link vm nope down 2>/dev/null' "$QNM"
check "bad state refused (exit 2)" bash -c '"$0" link vm n0 sideways 2>/dev/null; [ $? = 2 ]' "$QNM"
"$QNM" stop vm --force >/dev/null

# Starting with the cable unplugged (link=down in the VM file).
"$QNM" nic set vm n0 link=down >/dev/null || fail "nic set link=down"
"$QNM" start vm >/dev/null || fail "start with link=down"
check "guest boots with the cable out" wait_serial 30 vm QNM-GUEST-UP
check "guest reports its carrier" wait_serial 10 vm "QNM-CARRIER"
check "first carrier seen is 0" bash -c 'grep -m1 QNM-CARRIER "$0" | grep -q "CARRIER 0"' \
	"$(serial_log vm)"
expect_eq "running (not left paused by -S)" running "$(guest_field vm qemu_state)"
"$QNM" link vm n0 up >/dev/null || fail "qnm link up"
check "guest gets its lease once plugged in" wait_serial 20 vm QNM-READY
expect_eq "traffic after plugging in" pong "$(http_get http://127.0.0.1:8201/ping.txt)"
finish
