#!/bin/bash
# host-links.sh - the host facilities one operation at a time (src/host/links.c,
# tuntap.c, sysctl.c, owner.c through tests/host-driver), inside network
# namespaces this test creates. The kernel state is read back independently
# with "ip -j" and compared: bridge create/address/up/enslave/release/delete,
# TAP create/owner/delete, ip_forward per namespace, ownership records per
# namespace, "qnm links --json" against "ip -j -s link", and the EPERM path
# as an unprivileged user (message names the action; nothing changed).
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd setpriv util-linux
need_cmd busybox busybox-static
DRV=${QNM_BUILDDIR:-.}/tests/host-driver
[ -x "$DRV" ] || fatal "missing $DRV (make check builds it)"

# not NS=$(new_netns ...): at_exit inside a $(...) subshell would be lost
new_netns links >/dev/null
NS=qnmtest-links-$$
new_netns links2 >/dev/null
NS2=qnmtest-links2-$$
in_ns() { ip netns exec "$NS" "$@"; }
drv() { in_ns "$DRV" "$@"; }
nobody() { in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
# IPv6 off: no DAD or neighbour discovery changing state and counters under us.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
jl() { in_ns ip -j -d link show "$1" 2>/dev/null | jq -r ".[0]$2"; }
addrs() { in_ns ip -j -4 addr show dev "$1" | jq -r '[.[0].addr_info[]? | "\(.local)/\(.prefixlen)"] | join(" ")'; }

# --- bridge create, twice ---
check "create bridge" drv bridge-add qbr0
expect_eq "kernel: qbr0 is a bridge" bridge "$(jl qbr0 .linkinfo.info_kind)"
expect_eq "kernel: qbr0 starts down" false "$(jl qbr0 '.flags | index("UP") != null')"
err=$(drv bridge-add qbr0 2>&1)
expect_eq "second create fails" 1 "$?"
expect_contains "second create: message" "create bridge qbr0: an interface named qbr0 already exists" "$err"

# --- address, idempotent ---
expect_eq "add address" added "$(drv addr-add qbr0 10.61.0.1 24)"
expect_eq "same address again is fine" present "$(drv addr-add qbr0 10.61.0.1 24)"
expect_eq "kernel: exactly one address" "10.61.0.1/24" "$(addrs qbr0)"
expect_eq "kernel: broadcast" 10.61.0.255 \
	"$(in_ns ip -j -4 addr show dev qbr0 | jq -r '.[0].addr_info[0].broadcast')"
check "remove address" drv addr-del qbr0 10.61.0.1 24
expect_eq "kernel: no address" "" "$(addrs qbr0)"
check "remove absent address is fine" drv addr-del qbr0 10.61.0.1 24
drv addr-add qbr0 10.61.0.1 24 >/dev/null

# --- up / down ---
check "set up" drv up qbr0
expect_eq "kernel: qbr0 UP" true "$(jl qbr0 '.flags | index("UP") != null')"
check "set down" drv down qbr0
expect_eq "kernel: qbr0 not UP" false "$(jl qbr0 '.flags | index("UP") != null')"
drv up qbr0

# --- enslave / release a veth ---
in_ns ip link add qv0 type veth peer name qv1
check "enslave qv0" drv enslave qv0 qbr0
expect_eq "kernel: qv0 master" qbr0 "$(jl qv0 .master)"
check "release qv0" drv release qv0
expect_eq "kernel: qv0 has no master" null "$(jl qv0 .master)"
err=$(drv enslave nosuch0 qbr0 2>&1)
expect_contains "enslave missing port" "add nosuch0 to bridge qbr0: no interface named nosuch0" "$err"

# --- TAP with an owner ---
nob_uid=$(id -u nobody)
nob_gid=$(getent group nogroup | cut -d: -f3)
check "create tap owned by nobody" drv tap-add qtap0 "$nob_uid" "$nob_gid" vnet
expect_eq "kernel: tun kind" tun "$(jl qtap0 .linkinfo.info_kind)"
expect_eq "kernel: tap type" tap "$(jl qtap0 .linkinfo.info_data.type)"
expect_eq "kernel: persistent" true "$(jl qtap0 .linkinfo.info_data.persist)"
expect_eq "kernel: owner" "$nob_uid" "$(in_ns ip -j -d link show qtap0 | jq -r '.[0].linkinfo.info_data.user' | xargs id -u 2>/dev/null)"
check "the owner (no capabilities) can attach" nobody "$DRV" tap-attach qtap0
check "create tap without owner" drv tap-add qtap1
expect_eq "kernel: a tap without owner gets the creator's uid" root "$(jl qtap1 .linkinfo.info_data.user)"
err=$(nobody "$DRV" tap-attach qtap1 2>&1)
expect_contains "others cannot attach to a root-only tap" "Operation not permitted" "$err"
check "enslave tap" drv enslave qtap0 qbr0
expect_eq "qnm sees type tap" "qtap0 tap 0 qbr0" "$(drv links | awk '$1=="qtap0"{print $1,$2,$3,$4}')"
err=$(drv tap-add qtap0 2>&1)
expect_contains "tap create on existing name fails" "already exists" "$err"

# --- EPERM as an unprivileged user: message names the action, nothing changes ---
state() { in_ns ip -j addr show | jq -S -c .; }
before=$(state)
perm() { # DESC EXPECTED-ACTION ARGS...
	local desc=$1 action=$2 e
	shift 2
	e=$(nobody "$DRV" "$@" 2>&1)
	expect_contains "EPERM $desc" "$action needs CAP_NET_ADMIN (run as root or grant the capability)" "$e"
}
perm "create bridge" "create bridge qbr9" bridge-add qbr9
perm "delete" "delete interface qbr0" delete qbr0
perm "address" "add address 10.62.0.1/24 to qbr0" addr-add qbr0 10.62.0.1 24
perm "down" "set qbr0 down" down qbr0
perm "enslave" "add qv1 to bridge qbr0" enslave qv1 qbr0
perm "release" "release qv0 from its bridge" release qv0
perm "tap" "create tap qtap9" tap-add qtap9
perm "ip_forward" "set net.ipv4.ip_forward=1" forward-set 1
after=$(state)
expect_eq "EPERM: kernel state unchanged" "$before" "$after"

# --- qnm links --json against ip -j -s link ---
in_ns ip addr add 10.63.0.1/24 dev qv1
in_ns ip link set qv1 up
in_ns ip link set qv0 netns "$NS2"
ip netns exec "$NS2" ip addr add 10.63.0.2/24 dev qv0
ip netns exec "$NS2" ip link set qv0 up
in_ns busybox ping -q -c 3 -i 0.2 -W 2 10.63.0.2 >/dev/null && ok "traffic over the veth" || fail "traffic over the veth"
ours_j() { in_ns "$QNM" links --json | jq -S -c 'map({name, mac, master: (if .master == "" then null else .master end), rx: .stats.rx_bytes, txp: .stats.tx_packets, rxd: .stats.rx_dropped}) | sort_by(.name)'; }
theirs_j() { in_ns ip -j -s link show | jq -S -c 'map({name: .ifname, mac: .address, master, rx: .stats64.rx.bytes, txp: .stats64.tx.packets, rxd: .stats64.rx.dropped}) | sort_by(.name)'; }
for i in 1 2 3 4 5; do # a stray packet between the two reads: read again
	ours=$(ours_j); theirs=$(theirs_j)
	[ "$ours" = "$theirs" ] && [ "$ours" = "$(ours_j)" ] && break
	sleep 0.5
done
expect_eq "qnm links == ip -j -s link (names, MACs, masters, counters)" "$theirs" "$ours"
expect_eq "qnm links shows addresses" '["10.63.0.1/24"]' \
	"$(in_ns "$QNM" links --json | jq -c '.[] | select(.name == "qv1") | .addresses')"
expect_eq "qnm links types" "lo:loopback qbr0:bridge qtap0:tap qtap1:tap qv1:veth" \
	"$(in_ns "$QNM" links --json | jq -r 'map("\(.name):\(.type)") | sort | join(" ")')"
[ "$(in_ns ip -j -s link show qv1 | jq '.[0].stats64.tx.packets')" -gt 0 ] && ok "traffic was counted" || fail "no traffic counted on qv1"
ours_s() { in_ns "$QNM" links --json | jq -S -c 'map({name, mtu, up, operstate}) | sort_by(.name)'; }
theirs_s() { in_ns ip -j link show | jq -S -c 'map({name: .ifname, mtu, up: (.flags | index("UP") != null), operstate: (.operstate | ascii_downcase)}) | sort_by(.name)'; }
expect_eq "qnm links == ip -j link (MTU, up, operstate)" "$(theirs_s)" "$(ours_s)"
# "links --json" is printed directly (not by json-c): a name with JSON's special characters
in_ns ip link add 'q"x\y' type bridge
idx=$(in_ns ip -j link show 'q"x\y' | jq '.[0].ifindex')
expect_eq "qnm links --json escapes a name with a quote and a backslash" 'q"x\y' \
	"$(in_ns "$QNM" links --json | jq -r ".[] | select(.ifindex == $idx) | .name")"
in_ns ip link del 'q"x\y'

# --- per-tick refresh: counters only, unless links changed ---
coproc FOLLOW { in_ns "$DRV" follow qv1; }
at_exit "kill $FOLLOW_PID 2>/dev/null"
tick() { echo >&"${FOLLOW[1]}"; read -r -t 5 line <&"${FOLLOW[0]}"; echo "$line"; }
ipstat() { in_ns ip -j -s link show qv1 | jq -r '"\(.[0].stats64.rx.bytes) \(.[0].stats64.tx.packets)"'; }
settle() { # wait until qv1's counters stop moving (late ARP and the like)
	local a b i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		a=$(ipstat); sleep 0.3; b=$(ipstat)
		[ "$a" = "$b" ] && return 0
	done
}
# match: the tick's counters equal ip's, read just before or just after the
# tick (a stray late frame may land between the two reads).
match() { # DESC BEFORE TICK AFTER
	local got
	got=$(echo "$3" | cut -d' ' -f1,2)
	if [ "$got" = "$2" ] || [ "$got" = "$4" ]; then ok "$1"; else
		fail "$1"; printf '  ip before: %s  tick: %s  ip after: %s\n' "$2" "$got" "$4"; fi
}
settle
b1=$(ipstat); t1=$(tick); a1=$(ipstat)
match "tick 1 (full): counters as ip shows them" "$b1" "$t1" "$a1"
in_ns busybox ping -q -c 2 -i 0.2 -W 2 10.63.0.2 >/dev/null
settle
b2=$(ipstat); t2=$(tick); a2=$(ipstat)
match "tick 2: new counters as ip shows them" "$b2" "$t2" "$a2"
expect_eq "tick 2: counters only, no full refill" "1 2" "$(echo "$t2" | cut -d' ' -f4,5)"
[ "$(echo "$t2" | cut -d' ' -f1)" -gt "$(echo "$t1" | cut -d' ' -f1)" ] && ok "tick 2: counters grew" || fail "tick 2: counters did not grow ($t1 -> $t2)"
in_ns ip link set qv1 down
t3=$(tick)
expect_eq "tick 3: a link change means a full refill, and qv1 is down" "0 2 2" "$(echo "$t3" | cut -d' ' -f3,4,5)"
in_ns ip link set qv1 up
in_ns ip link add qv8 type veth peer name qv9
t4=$(tick)
[ "$(echo "$t4" | cut -d' ' -f4)" -ge 3 ] && ok "tick 4: new links seen through a full refill" || fail "tick 4: $t4"
in_ns ip link del qv8
exec {FOLLOW[1]}>&-

# --- delete ---
check "delete tap" drv tap-del qtap0
check "delete root-only tap" drv tap-del qtap1
expect_eq "kernel: taps gone" "" "$(in_ns ip -j link show type tun | jq -r '.[].ifname')"
err=$(drv tap-del qv1 2>&1)
expect_contains "tap-del refuses a veth" "qv1 is not a TAP device" "$err"
check "delete bridge" drv delete qbr0
expect_eq "kernel: qbr0 gone" "" "$(in_ns ip -j link show qbr0 2>/dev/null | jq -r '.[].ifname')"
err=$(drv delete qbr0 2>&1)
expect_contains "delete missing" "delete interface qbr0: no interface named qbr0" "$err"

# --- ip_forward is per namespace ---
root_before=$(cat /proc/sys/net/ipv4/ip_forward)
expect_eq "ip_forward starts 0 in a new netns" 0 "$(drv forward-get)"
check "set ip_forward" drv forward-set 1
expect_eq "kernel: ip_forward 1 in the netns" 1 "$(in_ns cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "other netns untouched" 0 "$(ip netns exec "$NS2" cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "root netns untouched" "$root_before" "$(cat /proc/sys/net/ipv4/ip_forward)"

# --- ownership records are per namespace ---
RUN=$T/run/qnm
check "record a bridge" drv own-add "$RUN" bridge qbr5 lan
check "qnm may delete what it made" drv own-may "$RUN" bridge qbr5
err=$(drv own-may "$RUN" bridge eth0 2>&1)
expect_contains "refuses what it did not make" "refusing to eth0: qnm did not create eth0 (add --force" "$err"
check "force overrides" drv own-may "$RUN" bridge eth0 force
err=$(ip netns exec "$NS2" "$DRV" own-may "$RUN" bridge qbr5 2>&1)
expect_contains "a record gives no right in another netns" "qnm did not create qbr5" "$err"
check "forget it" drv own-del "$RUN" bridge qbr5
err=$(drv own-may "$RUN" bridge qbr5 2>&1)
expect_contains "forgotten" "qnm did not create qbr5" "$err"
expect_eq "records file is owner-only" 600 "$(stat -c %a "$RUN/owned")"
expect_eq "runtime dir is owner-only" 700 "$(stat -c %a "$RUN")"

finish
