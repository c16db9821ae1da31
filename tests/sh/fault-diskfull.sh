#!/bin/bash
# fault-diskfull.sh - the disk fills up while qnm saves a config: "qnm set",
# "qnm nic add", "qnm net set" fail naming the file and "disk full", the old
# file stays intact byte for byte and no temporary file is left behind.
# The "disk" is a tiny tmpfs mounted as XDG_CONFIG_HOME inside a private
# mount namespace (unshare -m), so the host's mounts never change.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
if [ -z "${QNM_FAULT_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (private mount namespace)"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: needs unshare (util-linux)"; exit 77; }
	export QNM_FAULT_MNTNS=1
	exec timeout -k 5 60 unshare -m --propagation private /bin/bash "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"

mount -t tmpfs -o size=256k,mode=0700 qnmtest-full "$XDG_CONFIG_HOME" ||
	skip "cannot mount a tmpfs in a private mount namespace"
at_exit "umount -l '$XDG_CONFIG_HOME'"

"$QNM" new vm memory=256 >/dev/null || fatal "qnm new"
"$QNM" nic add vm model=e1000 backend=user >/dev/null || fatal "nic add"
"$QNM" net add lan bridge=qnmdf0 address=10.79.0.1/24 mode=isolated >/dev/null || fatal "net add"
VMF=$XDG_CONFIG_HOME/qnm/vms/vm.conf
NETF=$XDG_CONFIG_HOME/qnm/networks/lan.conf
sum() { sha256sum "$VMF" "$NETF" | awk '{print $1}' | tr '\n' ' '; }
listing() { ls -A "$XDG_CONFIG_HOME/qnm/vms" "$XDG_CONFIG_HOME/qnm/networks" | tr '\n' ' '; }
before=$(sum)
files=$(listing)

# The index of names, MACs and ports (.index, a cache of the files) is
# removed before every write of a VM or network file: on a full disk that
# alone frees room for the write, and the saves succeed (rightly). Remove it
# first, so the disk is full when the saves below write.
rm -f "$XDG_CONFIG_HOME/qnm/.index"
# Fill the disk: one big file until ENOSPC, then single bytes until nothing fits.
dd if=/dev/zero of="$XDG_CONFIG_HOME/filler" bs=4k 2>/dev/null
for i in $(seq 1 64); do printf x >"$XDG_CONFIG_HOME/fill-$i" 2>/dev/null || break; done
df -h "$XDG_CONFIG_HOME" | tail -1 | sed 's/^/  df: /'

err=$("$QNM" set vm memory=512 machine=q35 2>&1)
expect_eq "set on a full disk: exit 1" 1 "$?"
expect_contains "set: names the file" "cannot write $VMF" "$err"
expect_contains "set: says disk full" "disk full" "$err"
echo "  $err"

err=$("$QNM" nic add vm model=virtio-net-pci backend=user hostfwd=tcp:127.0.0.1:2222-:22 2>&1)
expect_eq "nic add on a full disk: exit 1" 1 "$?"
expect_contains "nic add: names the file" "cannot write $VMF" "$err"
expect_contains "nic add: says disk full" "disk full" "$err"

err=$("$QNM" net set lan dhcp-start=10.79.0.50 dhcp-end=10.79.0.60 2>&1)
expect_eq "net set on a full disk: exit 1" 1 "$?"
expect_contains "net set: names the file" "cannot write $NETF" "$err"
expect_contains "net set: says disk full" "disk full" "$err"

err=$("$QNM" new vm2 memory=256 2>&1)
expect_eq "new on a full disk: exit 1" 1 "$?"
expect_contains "new: says disk full" "disk full" "$err"

expect_eq "old files intact byte for byte" "$before" "$(sum)"
expect_eq "no temporary or new files left behind" "$files" "$(listing)"
expect_eq "the VM still loads with its old settings" 256 \
	"$("$QNM" show vm --json | jq -r '.memory' 2>/dev/null || "$QNM" show vm | sed -n 's/^memory *= *//p')"

# Space again: the same change now works.
rm -f "$XDG_CONFIG_HOME"/filler "$XDG_CONFIG_HOME"/fill-*
check "set works once there is space again" "$QNM" set vm memory=512
finish
