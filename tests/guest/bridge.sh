#!/bin/bash
# bridge.sh - guests on a bridge made by the test inside its namespace:
# two VMs through QEMU's bridge helper (ACL checked first, /etc/qemu
# replaced only inside a private overlay of /etc) and one on an existing
# TAP (create = no). Traffic host <-> guests and guest <-> guest.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=120
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
[ -x /usr/lib/qemu/qemu-bridge-helper ] || skip "no /usr/lib/qemu/qemu-bridge-helper"

# /etc/qemu as found on the host, to prove it is left alone.
host_etc_qemu() { ls -la --time-style=+%s /proc/1/root/etc/qemu 2>&1; cat /proc/1/root/etc/qemu/* 2>&1; }
BEFORE=$(host_etc_qemu)
mkdir -p "$T/etc-up" "$T/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc ||
	skip "cannot overlay /etc in a private mount namespace"
at_exit "umount -l /etc"

BR=qnmbr0
ip link add "$BR" type bridge && ip addr add 10.0.5.1/24 dev "$BR" && ip link set "$BR" up ||
	fatal "cannot make a bridge in the test netns"
mkdir -p "$T/www"
echo "from-host-$$" >"$T/www/host.txt"
"$BB" httpd -f -p 10.0.5.1:8000 -h "$T/www" &
at_exit "kill $! 2>/dev/null"

guest_script() { # NAME ADDR PEER
	cat <<EOF
ip link set eth0 up
ip addr add $2/24 dev eth0
echo "$1" > /www/name.txt
cat /sys/class/net/eth0/address > /www/mac.txt
httpd -p 80 -h /www
echo "to-host: \$(timeout 5 wget -q -O - http://10.0.5.1:8000/host.txt)"
echo QNM-READY
n=0; while [ \$n -lt 100 ]; do
	p=\$(timeout 3 wget -q -O - http://$3/name.txt 2>/dev/null)
	[ -n "\$p" ] && echo "peer: \$p" && break
	n=\$((n + 1)); sleep 0.2
done
sleep 600
EOF
}
guest_script a 10.0.5.11 10.0.5.12 >"$T/a.sh"
guest_script b 10.0.5.12 10.0.5.11 >"$T/b.sh"
guest_script c 10.0.5.13 10.0.5.11 >"$T/c.sh"
guest_script d 10.0.5.14 10.0.5.11 >"$T/d.sh"
guest_define a "$T/a.sh"
guest_define b "$T/b.sh"
guest_define c "$T/c.sh"
guest_define d "$T/d.sh"
"$QNM" nic add a model=virtio-net-pci backend=bridge br=$BR >/dev/null || fatal "nic add a"
"$QNM" nic add b model=e1000 backend=bridge br=$BR >/dev/null || fatal "nic add b"
"$QNM" nic add c model=virtio-net-pci backend=tap ifname=qnmtap0 create=no >/dev/null ||
	fatal "nic add c"
"$QNM" nic add d model=e1000 backend=tap create=yes bridge=$BR >/dev/null || fatal "nic add d"

# The checks before start say exactly what is wrong.
rm -rf /etc/qemu
out=$("$QNM" start a 2>&1) && fail "start without bridge.conf should fail"
expect_contains "missing bridge.conf named, with the line to add" \
	"/etc/qemu/bridge.conf is missing: create it with the line 'allow $BR'" "$out"
mkdir -p /etc/qemu
echo "allow otherbr" >/etc/qemu/bridge.conf
out=$("$QNM" start a 2>&1) && fail "start without the ACL line should fail"
expect_contains "missing ACL line named" "no 'allow $BR' or 'allow all' line" "$out"
printf 'allow otherbr\nallow %s\n' "$BR" >/etc/qemu/bridge.conf
out=$("$QNM" start c 2>&1) && fail "start on a missing TAP should fail"
expect_contains "missing TAP named" "TAP 'qnmtap0' does not exist" "$out"
ip tuntap add dev qnmtap0 mode tap && ip link set qnmtap0 master "$BR" && ip link set qnmtap0 up ||
	fatal "cannot make a TAP in the test netns"

for v in a b c d; do "$QNM" start $v >/dev/null || fail "start $v"; done
for v in a b c d; do check "$v ready" wait_serial 40 $v QNM-READY; done
for v in a b c d; do
	check "$v -> host over the bridge" grep -qF "to-host: from-host-$$" "$(serial_log $v)"
done
expect_eq "host -> a (bridge helper)" a "$(http_get http://10.0.5.11/name.txt)"
expect_eq "host -> b (bridge helper, e1000)" b "$(http_get http://10.0.5.12/name.txt)"
expect_eq "host -> c (existing TAP)" c "$(http_get http://10.0.5.13/name.txt)"
expect_eq "host -> d (TAP made by qnm)" d "$(http_get http://10.0.5.14/name.txt)"
check "d's TAP qt-d-0 is on the bridge" bash -c 'ip -o link show master "$0" | grep -q "qt-d-0"' "$BR"
check "d -> a" wait_serial 20 d "peer: a"
dpid=$(guest_field d qemu_pid)
kill -9 "$dpid"
check "SIGKILL of d's QEMU: its TAP is removed" wait_for 2 bash -c '! ip link show qt-d-0 >/dev/null 2>&1'
expect_eq "d shows as crashed" crashed "$(guest_field d status)"
"$QNM" stop d >/dev/null
check "a <-> b on one bridge" wait_serial 20 a "peer: b"
check "b <-> a" wait_serial 20 b "peer: a"
check "c -> a" wait_serial 20 c "peer: a"
ma=$(http_get http://10.0.5.11/mac.txt)
mb=$(http_get http://10.0.5.12/mac.txt)
check "a and b (no explicit MACs) differ on the bridge ($ma / $mb)" test -n "$ma" -a "$ma" != "$mb"
ports=$(ip -o link show master "$BR" | wc -l)
expect_eq "bridge has 3 guest ports" 3 "$ports"
for v in a b c; do "$QNM" stop $v --force >/dev/null || fail "stop $v"; done
expect_eq "the helper's TAPs are gone, the admin's TAP stays" qnmtap0 \
	"$(ip -o link show master "$BR" | awk -F': ' '{print $2}' | cut -d@ -f1 | tr -d '\n')"
expect_eq "host /etc/qemu unchanged" "$BEFORE" "$(host_etc_qemu)"
finish
