#!/bin/bash
# macs.sh - two VMs whose NICs got no explicit MAC have different MACs, the
# guests really use them, and both run side by side; a hand-written VM file
# without a MAC gets one at start (saved).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

cat >"$T/guest.sh" <<'EOF'
. /etc/qnm/lib.sh
qnm_dhcp eth0
echo "guest-mac $(cat /sys/class/net/eth0/address)"
cat /sys/class/net/eth0/address > /www/mac.txt
httpd -p 80 -h /www
echo QNM-READY
sleep 600
EOF
guest_define a "$T/guest.sh"
guest_define b "$T/guest.sh"
"$QNM" nic add a model=virtio-net-pci backend=user ipv6=off hostfwd=tcp:127.0.0.1:8301-:80 \
	>/dev/null || fatal "nic add a"
"$QNM" nic add b model=rtl8139 backend=user ipv6=off hostfwd=tcp:127.0.0.1:8302-:80 \
	>/dev/null || fatal "nic add b"
mac() { "$QNM" nic list "$1" | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1; }
MA=$(mac a)
MB=$(mac b)
echo "  a: $MA  b: $MB"
check "both got a MAC" test -n "$MA" -a -n "$MB"
check "the MACs differ" test "$MA" != "$MB"
check "not QEMU's default" test "$MA" != 52:54:00:12:34:56 -a "$MB" != 52:54:00:12:34:56
"$QNM" start a >/dev/null || fail "start a"
"$QNM" start b >/dev/null || fail "start b"
check "a ready" wait_serial 30 a QNM-READY
check "b ready" wait_serial 30 b QNM-READY
expect_eq "guest a uses its MAC" "$MA" "$(http_get http://127.0.0.1:8301/mac.txt)"
expect_eq "guest b uses its MAC" "$MB" "$(http_get http://127.0.0.1:8302/mac.txt)"
"$QNM" stop a --force >/dev/null
"$QNM" stop b --force >/dev/null

# A VM file written by hand, NIC without mac=.
f="$XDG_CONFIG_HOME/qnm/vms/b.conf"
sed -i '/^ *mac *=/d' "$f"
check "MAC removed from b's file" bash -c '! grep -q "^ *mac *=" "$0"' "$f"
out=$("$QNM" start b) || fail "start b without MAC"
echo "$out"
expect_contains "start says it assigned a MAC" "a MAC" "$out"
MB2=$(mac b)
check "the new MAC is saved in b's file" bash -c '[ -n "$0" ] && grep -q "$0" "$1"' "$MB2" "$f"
check "and differs from a's" test -n "$MB2" -a "$MB2" != "$MA"
finish
