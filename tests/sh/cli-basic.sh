#!/bin/bash
# cli-basic.sh - the VM commands end to end through the real binary:
# create, NICs, cmdline, show/list (text and JSON), bad input rejected with
# the field named and nothing written, broken files reported and untouched.
# As root, run in a private network namespace: qnm checks that forwarded host
# ports are free, and the host's own listeners must not decide the result.
if [ "$(id -u)" = 0 ] && [ -z "${QNM_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	exec env QNM_IN_NETNS=1 unshare -n "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"

VMS="$XDG_CONFIG_HOME/qnm/vms"

out=$($QNM list)
expect_contains "empty list explains what to do" "qnm new NAME" "$out"

check "new VM" $QNM new web memory=1024 cpus=2 accel=tcg
check "add user NIC with hostfwd" $QNM nic add web model=e1000 mac=52:54:98:76:54:32 \
	hostfwd=tcp:127.0.0.1:2222-:22
expect_eq "netdev style" \
	"qemu-system-x86_64 -name web -machine q35 -accel tcg -m 1024 -smp 2 -netdev user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22 -device e1000,netdev=n0,mac=52:54:98:76:54:32 -display none" \
	"$($QNM cmdline web)"
expect_eq "nic style" \
	"qemu-system-x86_64 -name web -machine q35 -accel tcg -m 1024 -smp 2 -nic user,hostfwd=tcp:127.0.0.1:2222-:22,model=e1000,mac=52:54:98:76:54:32 -display none" \
	"$($QNM cmdline web --nic-form)"

# A second NIC without a MAC gets a generated, locally administered one.
check "add bridge NIC" $QNM nic add web backend=bridge br=br0 model=virtio-net-pci
mac=$($QNM nic list web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["mac"])')
case "$mac" in
[0-9a-f][26ae]:??:??:??:??:??) ok "generated MAC $mac is locally administered unicast" ;;
*) fail "generated MAC '$mac' is not locally administered unicast" ;;
esac

# Bad input: exit status 1, the field and the rule named, the file unchanged.
before=$(cat "$VMS/web.conf")
bad() {
	local desc=$1 expect=$2
	shift 2
	local err
	err=$("$@" 2>&1 >/dev/null)
	local rc=$?
	if [ $rc -eq 0 ]; then fail "$desc: accepted"; return; fi
	expect_contains "$desc: message" "$expect" "$err"
	expect_eq "$desc: file unchanged" "$before" "$(cat "$VMS/web.conf")"
}
bad "memory too small" "memory: '1' must be a whole number from 16" $QNM set web memory=1
bad "unknown key" "memroy: unknown key" $QNM set web memroy=5
bad "multicast MAC" "nic[n0].mac: '01:00:00:00:00:00' is a multicast MAC" $QNM nic set web n0 mac=01:00:00:00:00:00
bad "port out of range" "host port '70000' must be a number from 1 to 65535" $QNM nic set web n0 hostfwd+=tcp::70000-:22
bad "ifname too long" "ifname: 'abcdefghijklmnopq' is too long (at most 15 characters)" \
	$QNM nic add web backend=tap ifname=abcdefghijklmnopq
bad "MAC clash within VM" "MAC 52:54:98:76:54:32 is also used by NIC 'n0'" $QNM nic set web n1 mac=52:54:98:76:54:32
bad "all-or-nothing set" "cpus: '0' must be a whole number" $QNM set web memory=2048 cpus=0
bad "bad name" "name: 'no/slash' must be" $QNM set web name=no/slash

# Cross-VM rules.
check "second VM" $QNM new db
check "db NIC" $QNM nic add db hostfwd=tcp::8080-:80
err=$($QNM nic add db hostfwd=tcp:127.0.0.1:2222-:22 2>&1)
expect_contains "host port clash across VMs" "host port tcp/2222 is forwarded by both VM 'web' NIC 'n0' and VM 'db'" "$err"
err=$($QNM nic set db n0 mac=52:54:98:76:54:32 2>&1)
expect_contains "MAC clash across VMs" "MAC clash: 52:54:98:76:54:32" "$err"
err=$($QNM new web 2>&1)
expect_contains "duplicate VM name" "a VM named 'web' already exists" "$err"

# Rename keeps one file.
check "rename" $QNM set db name=database
[ -f "$VMS/database.conf" ] && [ ! -f "$VMS/db.conf" ] && ok "renamed file" || fail "renamed file"

# A broken file is reported with file:line, skipped, and never overwritten.
printf '[vm]\nmemory = lots\n' > "$VMS/broken.conf"
sum=$(md5sum < "$VMS/broken.conf")
err=$($QNM list 2>&1 >/dev/null)
expect_contains "broken file reported with line" "broken.conf:2: memory: 'lots' must be a whole number" "$err"
out=$($QNM list 2>/dev/null)
expect_contains "other VMs still listed" "database" "$out"
$QNM new broken >/dev/null 2>&1
expect_eq "broken file untouched" "$sum" "$(md5sum < "$VMS/broken.conf")"

# JSON output parses.
$QNM list --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [v["name"] for v in d]==["database","web"], d' \
	&& ok "list --json" || fail "list --json"
$QNM cmdline web --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert a[0]=="qemu-system-x86_64" and "-netdev" in a' \
	&& ok "cmdline --json" || fail "cmdline --json"

# Usage errors exit 2; --help works everywhere.
$QNM nic frobnicate web >/dev/null 2>&1; expect_eq "usage error status" 2 $?
$QNM bogus >/dev/null 2>&1; expect_eq "unknown command status" 2 $?
for c in list show cmdline new set del nic; do
	$QNM $c --help | grep -q "usage: qnm $c" && ok "$c --help" || fail "$c --help"
done

check "delete" $QNM del database
[ ! -f "$VMS/database.conf" ] && ok "file removed" || fail "file removed"
finish
