#!/bin/bash
# fwd-range.sh - issue 16.5: port ranges (tcp::8000-8010-:9000-9010), tcp+udp
# in one entry and a description per forward. Bad input through the CLI
# writes nothing; a network's DNAT map gets one element per port and
# protocol, added and removed live in one transaction (read back with nft -j);
# a port held inside a range is a conflict. Host changes only inside a
# namespace made here.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
need_cmd jq jq
need_cmd python3 python3
DRV=${QNM_BUILDDIR:-.}/tests/nft-driver
[ -x "$DRV" ] || fatal "missing $DRV"

NS=$(new_netns fwdrange)
q() { ip netns exec "$NS" "$QNM" "$@"; }
# the elements of a map as "proto port -> addr port" lines, sorted
elems() {
	ip netns exec "$NS" nft -j list map inet qnm "$1" 2>/dev/null |
		jq -r '.nftables[] | .map? // empty | .elem // [] | .[] |
			"\(.[0].concat | map(tostring) | join(" ")) -> \(.[1].concat | map(tostring) | join(" "))"' |
		sort -V
}

q new web >/dev/null || fatal "qnm new failed"
q nic add web backend=user >/dev/null || fatal "nic add failed"
q net add lan bridge=qnmbr-lan address=10.78.0.1/24 mode=nat >/dev/null || fatal "net add failed"
vmconf=$XDG_CONFIG_HOME/qnm/vms/web.conf
netconf=$XDG_CONFIG_HOME/qnm/networks/lan.conf

# --- bad input: a field error, exit 2 (syntax) or 1 (model), nothing written
before_vm=$(cat "$vmconf")
before_net=$(cat "$netconf")
bad() { # WANT_RC MESSAGE ARGS...
	local want=$1 msg=$2 out
	shift 2
	out=$(q forward add "$@" 2>&1)
	expect_eq "refused ($*): exit $want" "$want" $?
	expect_contains "refused ($*): says why" "$msg" "$out"
}
bad 2 "must be as many" --vm web tcp::8000-8010-:9000-9005
bad 2 "must be as many" --vm web tcp::8000-8010-:9000
bad 2 "ends before it starts" --vm web tcp::8010-8000-:8010-8000
bad 2 "at most 1024" --vm web tcp::2000-3024-:2000-3024
bad 2 "tcp or udp, or tcp+udp for both" --vm web sctp::8000-:80
bad 2 "printable ASCII" --vm web --desc 'say "hi"' tcp::8000-:80
bad 2 "at most 48" --vm web --desc "$(printf '%049d' 0)" tcp::8000-:80
bad 1 "listening sockets" --vm web tcp+udp::20000-20300-:20000-20300
check "a range on the VM" q forward add --vm web --desc "web farm" tcp::8000-8010-:8000-8010
before_vm=$(cat "$vmconf")
bad 1 "tcp/8005 is forwarded twice" --vm web tcp:127.0.0.1:8005-:80
bad 1 "tcp/8010 is forwarded by both" --net lan tcp+udp::8010-8012-10.78.0.5:8010-8012
bad 1 "tcp/8000 is forwarded by both" --net lan tcp::7990-8000-10.78.0.5:7990-8000
expect_eq "VM file unchanged" "$before_vm" "$(cat "$vmconf")"
expect_eq "network file unchanged" "$before_net" "$(cat "$netconf")"
out=$(q forward del --desc x tcp::8000 2>&1)
expect_eq "--desc with del: usage error" 2 $?

# --- written and read back
expect_contains "saved with its range and description" \
	'hostfwd = tcp::8000-8010-:8000-8010 desc="web farm"' "$(cat "$vmconf")"
expect_eq "listed: range, description" '["tcp",8000,8010,8000,8010,"web farm"]' \
	"$(q forward list --json | jq -c '.[] | select(.kind == "hostfwd") |
		[.proto, .host_port, .host_port_last, .guest_port, .guest_port_last, .desc]')"
expect_contains "QEMU gets one hostfwd per port" \
	"hostfwd=tcp::8000-:8000,hostfwd=tcp::8001-:8001" "$(q cmdline web)"
expect_eq "QEMU gets 11 hostfwds" 11 "$(q cmdline web | grep -o 'hostfwd=' | wc -l)"

# --- a port held inside the range: a conflict, named
ip netns exec "$NS" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9005)); s.listen(1); time.sleep(60)' &
holder=$!
at_exit "kill $holder 2>/dev/null"
wait_for 5 listening "$NS" 9005 || fatal "listener did not start"
out=$(q forward add --vm web tcp::9000-9010-:9000-9010 2>&1)
expect_eq "held port inside a range: refused" 1 $?
expect_contains "held port named" "host port tcp/9005 is already in use by python3" "$out"
q forward add --vm web --nic n0 tcp+udp::8500-:8500 >/dev/null 2>&1 # a second one, free
cat >>"$vmconf" <<'EOF'
hostfwd = tcp::9003-9006-:9003-9006
EOF
expect_eq "ports: the range 9003-9006 is held, at 9005, by python3" "python3 9005" \
	"$(q ports --json | jq -r '.[] | select(.host_port == 9003) | "\(.held_by.comm) \(.held_by.port)"')"
kill "$holder" 2>/dev/null
sed -i '/9003-9006/d' "$vmconf"

# --- the network up (a bridge and the table, as netctl makes them), then live edits
ip -n "$NS" link add qnmbr-lan type bridge
ip -n "$NS" link set qnmbr-lan up
cat >"$T/spec" <<'EOF'
net lan qnmbr-lan nat 10.78.0.1/24
fwd tcp::7000-7002-10.78.0.5:9000-9002
EOF
ip netns exec "$NS" "$DRV" apply "$T/spec" || fatal "driver apply failed"
expect_eq "a range at apply: one element per port, shifted" \
	"tcp 7000 -> 10.78.0.5 9000
tcp 7001 -> 10.78.0.5 9001
tcp 7002 -> 10.78.0.5 9002" "$(elems fwd_any)"
# the config the driver applied (so that the live adds below agree with it)
q net set lan forward+=tcp::7000-7002-10.78.0.5:9000-9002 >/dev/null 2>&1 ||
	fatal "net set forward failed"
expect_eq "listed active" active \
	"$(q forward list --json | jq -r '.[] | select(.kind == "dnat") | .state')"

out=$(q forward add --net lan --desc dns tcp+udp:10.78.0.1:5300-5301-10.78.0.6:53-54)
expect_eq "tcp+udp range added live" 0 $?
expect_contains "applied live" "applied to the live table" "$out"
expect_eq "both protocols, each port, in the address map" \
	"10.78.0.1 tcp 5300 -> 10.78.0.6 53
10.78.0.1 tcp 5301 -> 10.78.0.6 54
10.78.0.1 udp 5300 -> 10.78.0.6 53
10.78.0.1 udp 5301 -> 10.78.0.6 54" "$(elems fwd_addr)"
expect_contains "description saved" 'desc="dns"' "$(cat "$netconf")"
expect_eq "ports: live" "true true" \
	"$(q ports --json | jq -r '[.[] | select(.network == "lan") | .live] | map(tostring) | join(" ")')"
out=$(q forward add --net lan tcp::7002-7003-10.78.0.7:80-81 2>&1)
expect_eq "overlapping range refused" 1 $?
expect_eq "refused: map unchanged" 3 "$(elems fwd_any | wc -l)"
check "del by a port inside the range" q forward del --net lan tcp+udp:10.78.0.1:5301
expect_eq "all four elements gone" "" "$(elems fwd_addr)"
expect_eq "the other range kept" 3 "$(elems fwd_any | wc -l)"
check "del the first range by its first port" q forward del tcp::7000
expect_eq "map empty" "" "$(elems fwd_any)"

# --- the rules around the maps are intact: one lookup per map, and NAT isolation
rules=$(ip netns exec "$NS" nft list table inet qnm)
expect_contains "forward chain: connections a forward rewrote" "ct status dnat" "$rules"
expect_eq "one DNAT lookup per map and hook" 4 "$(grep -c 'dnat ip to' <<<"$rules")"
finish
