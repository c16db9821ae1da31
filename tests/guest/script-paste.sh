#!/bin/bash
# script-paste.sh - what the preview shows (qnm cmdline --script: the same
# text; tests/sh/ui-create-vm.sh ties the screen to it), run by hand in a
# shell, starts the guest as qnm start does: a slirp NIC (its helper started
# by the script; its own guest network 10.0.3.0/24, so that the guest sends
# each NIC's replies back through it) and a user NIC both serve the guest's
# page through their host forwards; then the same check through qnm start.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=240
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
TOKEN="paste-$$-$RANDOM"

cat >"$T/guest.sh" <<EOF
. /etc/qnm/lib.sh
qnm_dhcp eth0
qnm_dhcp eth1
echo "$TOKEN" > /www/token.txt
httpd -p 80 -h /www
echo QNM-READY
sleep 600
EOF
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=slirp ipv6=off net=10.0.3.0/24 hostfwd=tcp:127.0.0.1:8301-:80 \
	>/dev/null || fatal "nic add slirp"
"$QNM" nic add vm model=e1000 backend=user ipv6=off hostfwd=tcp:127.0.0.1:8302-:80 \
	>/dev/null || fatal "nic add user"

"$QNM" cmdline vm --script >"$T/run.sh" || fatal "cmdline --script"
check "the script is shell" bash -n "$T/run.sh"
check "the script starts the slirp helper" grep -q "slirp-helper" "$T/run.sh"
# run it as a user would paste it: its own process group, stopped by pid at the end
setsid bash "$T/run.sh" >"$T/run.out" 2>&1 </dev/null &
PG=$!
at_exit "kill -- -$PG 2>/dev/null"
at_exit "tail -5 $T/run.out"
check "pasted: page through the slirp NIC's forward" wait_for 90 \
	bash -c '[ "$(timeout 4 "$0" wget -q -O - http://127.0.0.1:8301/token.txt 2>/dev/null)" = "$1" ]' \
	"$BB" "$TOKEN"
expect_eq "pasted: page through the user NIC's forward" "$TOKEN" \
	"$(http_get http://127.0.0.1:8302/token.txt)"
[ "$FAILS" -eq 0 ] || { echo "--- the script's start:"; head -12 "$T/run.sh"; }
kill -- -$PG 2>/dev/null
wait_for 10 bash -c '! kill -0 -- -$0 2>/dev/null' "$PG" || fail "pasted guest did not stop"

"$QNM" start vm >/dev/null || fatal "qnm start"
check "qnm start: guest ready" wait_serial 60 vm QNM-READY
expect_eq "qnm start: page through the slirp NIC's forward" "$TOKEN" \
	"$(http_get http://127.0.0.1:8301/token.txt)"
expect_eq "qnm start: page through the user NIC's forward" "$TOKEN" \
	"$(http_get http://127.0.0.1:8302/token.txt)"
"$QNM" stop vm --force >/dev/null
finish
