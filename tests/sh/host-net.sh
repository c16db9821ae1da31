#!/bin/bash
# host-net.sh - "qnm net up/down" and "qnm check" inside network namespaces
# this test creates; kernel state read back with ip -j, nft -j, /proc.
# Covers: up (bridge, address, ip_forward, inet qnm table, dnsmasq), up again
# is idempotent, down removes exactly what up made; a foreign bridge is
# refused (and with --force used but never deleted); records are per netns;
# bridged mode refuses to take a port without --confirm-port and says why;
# a failure midway (dnsmasq failing) undoes everything; missing dnsmasq is
# named; EPERM as an unprivileged user changes nothing; qnm check.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd setpriv util-linux
need_cmd dnsmasq dnsmasq-base

new_netns net >/dev/null
NS=qnmtest-net-$$
new_netns net2 >/dev/null
NS2=qnmtest-net2-$$
in_ns() { ip netns exec "$NS" "$@"; }
q() { in_ns timeout 30 "$QNM" "$@"; }
jl() { in_ns ip -j -d link show "$1" 2>/dev/null | jq -r ".[0]$2"; }
addrs() { in_ns ip -j -4 addr show dev "$1" 2>/dev/null | jq -r '[.[0].addr_info[]? | "\(.local)/\(.prefixlen)"] | join(" ")'; }
fwd() { in_ns cat /proc/sys/net/ipv4/ip_forward; }
has_table() { in_ns nft list table inet qnm >/dev/null 2>&1 && echo yes || echo no; }
OWNED=$XDG_RUNTIME_DIR/qnm/owned
records() { grep -v '^#' "$OWNED" 2>/dev/null | awk '{print $1, $2}' | sort | tr '\n' ' '; }
state() { # everything net up may touch, as one string
	in_ns ip -j addr show | jq -S -c 'map({ifname, flags, master, addr: [.addr_info[]? | .local]})'
	in_ns nft -j list ruleset | jq -S -c '[.nftables[] | select(has("metainfo") | not)] | walk(if type == "object" then del(.handle) else . end)'
	fwd
	records
}
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
in_ns ip link add qup0 type veth peer name qup1
in_ns ip addr add 10.99.0.1/24 dev qup0
in_ns ip link set qup0 up

# --- CLI input handling (no host change): usage errors exit 2, bad values 1, nothing written ---
"$QNM" net >/dev/null 2>&1; expect_eq "net without subcommand: exit 2" 2 "$?"
"$QNM" net frob >/dev/null 2>&1; expect_eq "unknown subcommand: exit 2" 2 "$?"
"$QNM" net up >/dev/null 2>&1; expect_eq "up without name: exit 2" 2 "$?"
"$QNM" net up lan --bogus >/dev/null 2>&1; expect_eq "unknown option: exit 2" 2 "$?"
err=$("$QNM" net add bad bridge=qnmbr7 address=10.5.0.1/24 mode=nat dhcp-start=10.6.0.5 dhcp-end=10.6.0.9 2>&1)
expect_eq "bad DHCP range: exit 1" 1 "$?"
expect_contains "bad DHCP range: names the key" "dhcp-start: 10.6.0.5 is outside the network 10.5.0.1/24" "$err"
expect_eq "bad input: nothing written" "" "$(ls "$XDG_CONFIG_HOME/qnm/networks" 2>/dev/null)"
err=$("$QNM" net show nosuch 2>&1)
expect_contains "show unknown network" "no network named 'nosuch'" "$err"

check "net add" "$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.60 forward=tcp::8080-10.77.0.50:80
expect_eq "net list: down" down "$(q net list --json | jq -r '.[0].state')"
pristine=$(state)

# --- up ---
out=$(q net up lan 2>&1)
expect_eq "net up" 0 "$?"
expect_contains "net up says so" "network lan is up (bridge qnmbr0)" "$out"
expect_eq "kernel: qnmbr0 is a bridge" bridge "$(jl qnmbr0 .linkinfo.info_kind)"
expect_eq "kernel: qnmbr0 up" true "$(jl qnmbr0 '.flags | index("UP") != null')"
expect_eq "kernel: address" 10.77.0.1/24 "$(addrs qnmbr0)"
expect_eq "kernel: ip_forward on" 1 "$(fwd)"
expect_eq "kernel: table inet qnm" yes "$(has_table)"
expect_contains "table names the bridge" '"qnmbr0"' "$(in_ns nft -j list table inet qnm)"
expect_contains "table masquerades out of the uplink" '"qup0"' "$(in_ns nft -j list table inet qnm)"
pid=$(awk '$1=="dnsmasq" && $2=="lan" {print $4}' "$OWNED")
[ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--interface=qnmbr0 " &&
	ok "dnsmasq $pid runs on qnmbr0" || fail "no dnsmasq recorded/running ($pid)"
expect_eq "records (route_localnet of the bridge: forwards on 127.0.0.1)" "bridge qnmbr0 dnsmasq lan net lan nft inet-qnm sysctl net.ipv4.conf.qnmbr0.route_localnet sysctl net.ipv4.ip_forward " "$(records)"
expect_eq "net list: up" up "$(q net list --json | jq -r '.[0].state')"
expect_eq "root netns has no qnm table" no "$(nft list table inet qnm >/dev/null 2>&1 && echo yes || echo no)"

# --- up again: nothing changes ---
s1=$(state)
check "net up again" q net up lan
expect_eq "up twice: same state" "$s1" "$(state)"
expect_eq "up twice: same dnsmasq" "$pid" "$(awk '$1=="dnsmasq" && $2=="lan" {print $4}' "$OWNED")"
err=$(q net del lan 2>&1)
expect_contains "del refused while up" "network lan is up: take it down first" "$err"
check "config still there" test -f "$XDG_CONFIG_HOME/qnm/networks/lan.conf"
out=$(q net show lan --json)
expect_eq "show --json: state and bridge counters" "up true" "$(echo "$out" | jq -r '"\(.state) \(.bridge_link.up)"')"

# --- down: exactly what up made is gone ---
check "net down" q net down lan
expect_eq "down: back to the start" "$pristine" "$(state)"
expect_eq "down: dnsmasq stopped" no "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q dnsmasq && echo yes || echo no)"
out=$(q net down lan 2>&1)
expect_contains "down again: not up" "network lan is not up" "$out"

# --- a failure midway undoes everything this call did ---
err=$(QNM_DNSMASQ=/bin/false q net up lan 2>&1)
expect_eq "up with failing dnsmasq fails" 1 "$?"
expect_contains "failing dnsmasq: message" "network lan: start dnsmasq for network lan" "$err"
expect_eq "failing dnsmasq: nothing left" "$pristine" "$(state)"
err=$(QNM_DNSMASQ=/nonexistent/dnsmasq q net up lan 2>&1)
expect_contains "missing dnsmasq: names the package" "install the Debian package dnsmasq-base" "$err"
expect_eq "missing dnsmasq: nothing left" "$pristine" "$(state)"

# --- EPERM as an unprivileged user: message, nothing changed ---
U=$(mktemp -d /tmp/qnmtest-net-nobody.XXXXXX)
at_exit "rm -rf $U"
cp -r "$XDG_CONFIG_HOME" "$U/config"
mkdir -p "$U/run" && chmod 700 "$U/run"
chown -R nobody "$U"
nob() { in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	env XDG_CONFIG_HOME="$U/config" XDG_RUNTIME_DIR="$U/run" HOME="$U" timeout 30 "$QNM" "$@"; }
err=$(nob net up lan 2>&1)
expect_eq "EPERM: exit 1" 1 "$?"
expect_contains "EPERM: message" "qnm: net up: network lan: create bridge qnmbr0 needs CAP_NET_ADMIN (run as root or grant the capability)" "$err"
expect_eq "EPERM: nothing changed" "$pristine" "$(state)"
out=$(nob check)
expect_contains "check as nobody: no CAP_NET_ADMIN, and why" "NO   cap_net_admin     no CAP_NET_ADMIN: qnm net up/down and TAP NICs are unavailable" "$out"
check "up as root still works after" q net up lan
q net up lan >/dev/null
# the EPERM path on the second step (bridge exists, address needs adding):
in_ns ip addr del 10.77.0.1/24 dev qnmbr0
cp "$OWNED" "$U/run/qnm/owned" 2>/dev/null || { mkdir -p "$U/run/qnm"; cp "$OWNED" "$U/run/qnm/owned"; }
chown -R nobody "$U/run"
s1=$(in_ns ip -j addr show | jq -S -c 'map({ifname, flags, addr: [.addr_info[]? | .local]})')
err=$(nob net up lan 2>&1)
expect_contains "EPERM on the address step" "add address 10.77.0.1/24 to qnmbr0 needs CAP_NET_ADMIN" "$err"
expect_eq "EPERM on the address step: nothing changed" "$s1" \
	"$(in_ns ip -j addr show | jq -S -c 'map({ifname, flags, addr: [.addr_info[]? | .local]})')"
check "up puts the address back" q net up lan
expect_eq "address back" 10.77.0.1/24 "$(addrs qnmbr0)"
check "down" q net down lan
expect_eq "down: back to the start" "$pristine" "$(state)"

# --- a bridge qnm did not create ---
in_ns ip link add qnmbr0 type bridge
err=$(q net up lan 2>&1)
expect_eq "foreign bridge: refused" 1 "$?"
expect_contains "foreign bridge: message" "bridge qnmbr0 exists and qnm did not create it (add --force" "$err"
expect_eq "foreign bridge: no address added" "" "$(addrs qnmbr0)"
expect_eq "foreign bridge: no table, no forwarding" "no 0" "$(has_table) $(fwd)"
out=$(q net up lan --force 2>&1)
expect_eq "--force uses it" 0 "$?"
expect_contains "--force: says it stays" "using existing bridge qnmbr0, which qnm did not create" "$out"
expect_eq "--force: address on it" 10.77.0.1/24 "$(addrs qnmbr0)"
out=$(q net down lan 2>&1)
expect_contains "down: the foreign bridge stays" "bridge qnmbr0 was not created by qnm and stays" "$out"
expect_eq "down: foreign bridge still there, without our address" "bridge ." \
	"$(jl qnmbr0 .linkinfo.info_kind) .$(addrs qnmbr0)"
expect_eq "down: no table, forwarding restored" "no 0" "$(has_table) $(fwd)"
in_ns ip link del qnmbr0

# --- records belong to their namespace ---
check "up in netns 1" q net up lan
ip netns exec "$NS2" ip link add qnmbr0 type bridge
out=$(ip netns exec "$NS2" timeout 30 "$QNM" net down lan 2>&1)
expect_contains "down in netns 2: not up there" "network lan is not up" "$out"
expect_eq "netns 2's bridge of the same name untouched" bridge \
	"$(ip netns exec "$NS2" ip -j -d link show qnmbr0 | jq -r '.[0].linkinfo.info_kind')"
expect_eq "netns 1's network still up" up "$(q net list --json | jq -r '.[0].state')"
check "down in netns 1" q net down lan

# --- bridged mode: the port is taken over only when confirmed ---
in_ns ip link add qeth0 type veth peer name qeth1
in_ns ip addr add 10.88.0.5/24 dev qeth0
in_ns ip link set qeth0 up
check "net add bridged" "$QNM" net add wire bridge=qnmbr1 mode=bridged port=qeth0
before=$(state)
err=$(q net up wire 2>&1)
expect_eq "bridged without --confirm-port: refused" 1 "$?"
expect_contains "bridged: says the host address moves" \
	"adding qeth0 to bridge qnmbr1 takes qeth0 over: the host's address on qeth0 (10.88.0.5/24) moves to qnmbr1 with its routes (0) and MAC; add --confirm-port" "$err"
expect_eq "bridged refused: nothing applied" "$before" "$(state)"
out=$(q net up wire --confirm-port --no-guard 2>&1)
expect_eq "bridged with --confirm-port" 0 "$?"
expect_contains "bridged: says where the address went" "qeth0 is now a port of qnmbr1: the host's address on qeth0 (10.88.0.5/24) moved to qnmbr1 with 0 routes" "$out"
expect_eq "kernel: qeth0 in qnmbr1" qnmbr1 "$(jl qeth0 .master)"
expect_eq "kernel: the address on qnmbr1, not on qeth0" "10.88.0.5/24 " "$(addrs qnmbr1) $(addrs qeth0)"
check "down bridged" q net down wire --no-guard
expect_eq "kernel: qeth0 released, keeps its address" "null 10.88.0.5/24" "$(jl qeth0 .master) $(addrs qeth0)"
expect_eq "kernel: qnmbr1 gone" "" "$(in_ns ip -j link show qnmbr1 2>/dev/null | jq -r '.[].ifname')"
expect_eq "bridged down: back to the start" "$before" "$(state)"

# --- qnm check ---
out=$(q check)
expect_contains "check: ip_forward 0 here" "NO   ip_forward        net.ipv4.ip_forward = 0" "$out"
expect_contains "check: root has CAP_NET_ADMIN" "ok   cap_net_admin" "$out"
mkdir -p "$T/sys/net/ipv4"
printf '1\t0\n' >"$T/sys/net/ipv4/ping_group_range"
out=$(QNM_PROC_SYS=$T/sys q check --json | jq -r '.[] | select(.name == "ping_group_range") | "\(.ok) \(.detail)"')
expect_contains "check: ping range 1-0 explained" "false net.ipv4.ping_group_range is 1-0 (nobody)" "$out"
expect_contains "check: ping range fix" 'sysctl -w net.ipv4.ping_group_range="0 0"' "$out"
printf '0\t2147483647\n' >"$T/sys/net/ipv4/ping_group_range"
out=$(QNM_PROC_SYS=$T/sys q check --json | jq -r '.[] | select(.name == "ping_group_range") | .ok')
expect_eq "check: ping range 0-2147483647 ok" true "$out"
out=$(QNM_DNSMASQ=/nonexistent q check --json | jq -r '.[] | select(.name == "dnsmasq") | "\(.ok) \(.detail)"')
expect_contains "check: missing dnsmasq" "false dnsmasq not found at \$QNM_DNSMASQ=/nonexistent (install the Debian package dnsmasq-base" "$out"
# the bridge helper is judged by doctor's bridge_helper check (same helper, same words)
out=$(QNM_BRIDGE_HELPER=$T/no-helper q check --json | jq -r '.[] | select(.name == "bridge_helper") | "\(.ok) \(.detail)"')
expect_contains "check: missing bridge helper" "false the bridge helper $T/no-helper does not exist" "$out"
expect_contains "check: missing bridge helper fix" "apt-get install qemu-system-common" "$out"

# --- set and del ---
check "net set" "$QNM" net set wire port=qeth1
expect_eq "set written" qeth1 "$("$QNM" net list --json | jq -r '.[] | select(.name == "wire") | .port')"
check "net del" "$QNM" net del wire
expect_eq "del: file gone" no "$(test -f "$XDG_CONFIG_HOME/qnm/networks/wire.conf" && echo yes || echo no)"

finish
