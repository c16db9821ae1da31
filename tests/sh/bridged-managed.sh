#!/bin/bash
# bridged-managed.sh - a bridged network's port that NetworkManager or
# systemd-networkd manages is refused, naming the manager and what to change
# there (issue 14.1). Both run in the host's first namespaces and publish
# what they manage by interface index: NetworkManager a device state file
# /run/NetworkManager/devices/IFINDEX, systemd-networkd a link state file
# /run/systemd/netif/links/IFINDEX naming its .network file (NETWORK_FILE=).
# The test re-runs itself in new network, mount and PID namespaces: it is
# PID 1 there (the namespace qnm treats as the managers' own) with a private
# /run holding such files for its veth "qeth0". Nothing changes on refusal;
# a networkd link without a .network file is not managed (net up proceeds).
if [ -z "${QNM_MANAGED_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (private namespaces)"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: needs unshare (util-linux)"; exit 77; }
	export QNM_MANAGED_NS=1
	exec timeout -k 5 60 unshare -n -m -p --fork --mount-proc --propagation private \
		/bin/bash "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd jq jq

[ $$ = 1 ] || fatal "not PID 1 of a new PID namespace"
ip link set lo up
mount -t sysfs sysfs /sys || fatal "cannot mount sysfs"
mount -t tmpfs tmpfs /run || fatal "cannot mount a private /run"
ip link add qeth0 type veth peer name lan0 || fatal "veth"
ip addr add 10.95.0.5/24 dev qeth0
ip link set qeth0 up
ip link set lan0 up
ip route add default via 10.95.0.1 metric 100
IDX=$(cat /sys/class/net/qeth0/ifindex)
"$QNM" net add phys bridge=qbr1 mode=bridged port=qeth0 >/dev/null || fatal "net add phys"
state() {
	ip -j addr show dev qeth0 | jq -c '.[0] | {master, addr_info: [.addr_info[] | select(.scope != "link")]}'
	ip -j route
}
BEFORE=$(state)
up() { timeout 30 "$QNM" net up phys --confirm-port --no-guard 2>&1; }

mkdir -p /run/NetworkManager/devices
: >"/run/NetworkManager/devices/$IDX"
out=$(up)
expect_eq "NetworkManager's device: refused" 1 "$?"
expect_contains "NetworkManager: named, with what to change there" \
	"NetworkManager manages qeth0: make the bridge there instead (nmcli connection add type bridge ifname qbr1, and qeth0 as its port), or 'nmcli device set qeth0 managed no' before qnm takes it" "$out"
expect_eq "NetworkManager: nothing changed" "$BEFORE" "$(state)"
rm -r /run/NetworkManager

mkdir -p /run/systemd/netif/links
printf 'ADMIN_STATE=configured\nOPER_STATE=routable\nNETWORK_FILE=/etc/systemd/network/10-qeth0.network\n' \
	>"/run/systemd/netif/links/$IDX"
out=$(up)
expect_eq "systemd-networkd's link: refused" 1 "$?"
expect_contains "systemd-networkd: named, with what to change there" \
	"systemd-networkd manages qeth0: declare bridge qbr1 in a .netdev file and make qeth0 its port in the .network file that matches qeth0 (or remove that file) before qnm takes it" "$out"
expect_eq "systemd-networkd: nothing changed" "$BEFORE" "$(state)"

printf 'ADMIN_STATE=unmanaged\nOPER_STATE=routable\nNETWORK_FILE=\n' >"/run/systemd/netif/links/$IDX"
out=$(up)
expect_eq "a link networkd leaves alone (no .network file): net up proceeds" 0 "$?"
expect_eq "it moved the address to the bridge" qbr1 "$(ip -j addr show dev qeth0 | jq -r '.[0].master')"
out=$(timeout 30 "$QNM" net down phys --no-guard 2>&1)
expect_eq "net down" 0 "$?"
expect_eq "down: as before" "$BEFORE" "$(state)"
finish
