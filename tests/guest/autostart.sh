#!/bin/bash
# autostart.sh - the host's boot and shutdown, all in the test's namespaces:
# two NAT networks and a third whose bridge name is taken by a link qnm did
# not make (it cannot come up); VMs a (lan1) and b (lan2) are autostart, c
# (lan1) is not, d (broken network) is. "qnm autostart" brings up the
# networks, starts exactly a and b (each serves its page through its
# network's DNAT forward, fetched from an outside namespace), reports d with
# the reason and still starts the others; a second run finds it all done.
# "qnm shutdown-all" stops every guest at once and takes the networks down:
# no QEMU, TAP, bridge, nftables table or dnsmasq is left and ip_forward is
# back to what it was.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=240
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base
need_cmd nsenter util-linux
need_cmd python3 python3

sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
fwd_before=$(cat /proc/sys/net/ipv4/ip_forward)
guest_outside
# the third network's bridge name, taken by a link that is not qnm's
ip link add qnmbr3 type veth peer name qnmbr3p || fatal "cannot make the squatting veth"
links_before=$(ls /sys/class/net | sort | tr '\n' ' ')

"$QNM" net add lan1 bridge=qnmbr1 address=10.77.0.1/24 mode=nat uplink=qup0 autostart=yes \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.50 forward=tcp::8081-10.77.0.50:80 >/dev/null ||
	fatal "net add lan1"
"$QNM" net add lan2 bridge=qnmbr2 address=10.78.0.1/24 mode=nat uplink=qup0 autostart=yes \
	dhcp-start=10.78.0.50 dhcp-end=10.78.0.50 forward=tcp::8082-10.78.0.50:80 >/dev/null ||
	fatal "net add lan2"
"$QNM" net add lan3 bridge=qnmbr3 address=10.79.0.1/24 mode=nat uplink=qup0 autostart=yes \
	>/dev/null || fatal "net add lan3"
at_exit "for n in lan1 lan2 lan3; do timeout 30 \"$QNM\" net down \$n >/dev/null 2>&1; done"

for vm in a b c d; do
	cat >"$T/$vm.sh" <<EOS
. /etc/qnm/lib.sh
qnm_dhcp eth0
echo "vm-$vm" > /www/who.txt
httpd -p 80 -h /www
echo QNM-READY
sleep 600
EOS
	guest_define "$vm" "$T/$vm.sh"
done
"$QNM" nic add a model=virtio-net-pci backend=tap network=lan1 create=yes >/dev/null || fatal "nic a"
"$QNM" nic add b model=e1000 backend=tap network=lan2 create=yes >/dev/null || fatal "nic b"
"$QNM" nic add c model=virtio-net-pci backend=tap network=lan1 create=yes >/dev/null || fatal "nic c"
"$QNM" nic add d model=virtio-net-pci backend=tap network=lan3 create=yes >/dev/null || fatal "nic d"
for vm in a b d; do "$QNM" set "$vm" autostart=yes >/dev/null || fatal "set $vm autostart"; done
expect_eq "list --json carries autostart" "true true false true" \
	"$(for vm in a b c d; do "$QNM" show "$vm" --json | python3 -c 'import json,sys; print(str(json.load(sys.stdin)["autostart"]).lower())'; done | tr '\n' ' ' | sed 's/ $//')"

out=$(timeout 120 "$QNM" autostart --json 2>"$T/err")
expect_eq "autostart exits 1 (one failure)" 1 $?
steps=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%s:%s:%s" % (s["kind"], s["name"], s["outcome"]) for s in d["steps"]))
print(d["counts"]["done"], d["counts"]["failed"])' <<<"$out")
expect_eq "autostart: networks first, then VMs; lan3 and d fail" \
	"network:lan1:done network:lan2:done network:lan3:failed vm:a:done vm:b:done vm:d:failed
4 2" "$steps"
expect_contains "lan3's failure names the link that is not qnm's" "qnmbr3" "$out"
expect_contains "d's failure names its network and why" "NIC n0: network lan3 did not come up" "$out"
running=$("$QNM" status --json | python3 -c '
import json, sys
print(" ".join(sorted(v["name"] for v in json.load(sys.stdin) if v["status"] == "running")))')
expect_eq "exactly the autostart VMs with working networks run" "a b" "$running"
check "a booted" wait_serial 60 a QNM-READY
check "b booted" wait_serial 60 b QNM-READY
expect_eq "a serves through lan1's forward" vm-a \
	"$(ino timeout 5 "$BB" wget -q -O - http://10.99.0.1:8081/who.txt 2>/dev/null)"
expect_eq "b serves through lan2's forward" vm-b \
	"$(ino timeout 5 "$BB" wget -q -O - http://10.99.0.1:8082/who.txt 2>/dev/null)"

out=$(timeout 60 "$QNM" autostart 2>&1)
expect_contains "second run: a already running" "already  vm       a " "$out"
expect_contains "second run: lan1 already up" "already  network  lan1 " "$out"
expect_contains "second run: summary" "autostart: 0 done, 4 already so, 2 failed" "$out"

# c is started by hand, so shutdown-all has three guests to stop
"$QNM" start c >/dev/null 2>&1 || fail "start c by hand"
t0=$(date +%s)
out=$(timeout 120 "$QNM" shutdown-all --timeout 3 --json)
expect_eq "shutdown-all exits 0" 0 $?
t1=$(date +%s)
steps=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%s:%s:%s" % (s["kind"], s["name"], s["outcome"]) for s in d["steps"]))' <<<"$out")
expect_eq "shutdown-all: the three guests, then the two networks that are up" \
	"vm:a:done vm:b:done vm:c:done network:lan1:done network:lan2:done" "$steps"
# in parallel: three guests that ignore the power button take one timeout, not three
check "guests stopped at once ($((t1 - t0)) s for three with a 3 s timeout)" test $((t1 - t0)) -lt 9
expect_eq "no VM left running" "" "$("$QNM" status --json | python3 -c '
import json, sys
print(" ".join(v["name"] for v in json.load(sys.stdin) if v["status"] != "absent"))')"
expect_eq "no QEMU left" 0 "$(pgrep -c -f "qemu-system.*$XDG_RUNTIME_DIR" || true)"
expect_eq "no dnsmasq left" 0 "$(pgrep -c -f "dnsmasq.*$XDG_RUNTIME_DIR" || true)"
expect_eq "links as before (no bridge, no TAP)" "$links_before" "$(ls /sys/class/net | sort | tr '\n' ' ')"
expect_eq "no nftables table inet qnm" no "$(nft list table inet qnm >/dev/null 2>&1 && echo yes || echo no)"
expect_eq "ip_forward restored" "$fwd_before" "$(cat /proc/sys/net/ipv4/ip_forward)"
out=$(timeout 60 "$QNM" shutdown-all 2>&1)
expect_contains "shutdown-all again: nothing to do" "shutdown-all: 0 done, 0 already so, 0 failed" "$out"
finish
