#!/bin/bash
# cli-forward.sh - "qnm forward list|add|del": hostfwd on user NICs and DNAT
# on networks in one list; config changes checked and saved; for an up
# network (bridge present + table inet qnm) the live table follows, read
# back with nft -j. Host changes only inside a namespace made here.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
need_cmd jq jq
DRV=${QNM_BUILDDIR:-.}/tests/nft-driver
[ -x "$DRV" ] || fatal "missing $DRV"

new_netns fwdcli >/dev/null
NS=qnmtest-fwdcli-$$
q() { ip netns exec "$NS" "$QNM" "$@"; }
live() { ip netns exec "$NS" nft -j list map inet qnm fwd_any 2>/dev/null |
	jq -c '[.nftables[] | .map? // empty | .elem // [] | .[]] | sort'; }

# --- usage errors: exit 2, nothing written
q forward >/dev/null 2>&1
expect_eq "no subcommand: exit 2" 2 $?
q forward add tcp::80-:8 >/dev/null 2>&1
expect_eq "add without target: exit 2" 2 $?
q forward add --vm a --net b tcp::80-:8 >/dev/null 2>&1
expect_eq "--vm and --net: exit 2" 2 $?
out=$(q forward add --vm a nonsense 2>&1)
expect_eq "bad forward: exit 2" 2 $?
expect_contains "bad forward explained" "must look like" "$out"
expect_eq "nothing written" "" "$(ls "$XDG_CONFIG_HOME/qnm" 2>/dev/null)"

# --- a VM with a user NIC, a tap NIC; a network
q new web >/dev/null || fatal "qnm new failed"
q nic add web backend=tap >/dev/null || fatal "nic add tap failed"
q nic add web backend=user >/dev/null || fatal "nic add user failed"
mkdir -p "$XDG_CONFIG_HOME/qnm/networks"
cat >"$XDG_CONFIG_HOME/qnm/networks/lan.conf" <<'EOF'
[network]
bridge=qnmbr-lan
address=10.77.0.1/24
mode=nat
uplink=
EOF

check "add hostfwd to the VM's user NIC" q forward add --vm web tcp:127.0.0.1:2222-:22
out=$(q forward add --vm web --nic n0 tcp::2223-:22 2>&1)
expect_eq "hostfwd on a tap NIC refused" 1 $?
expect_contains "tap refusal explains" "need a user or slirp NIC" "$out"
expect_contains "saved in the VM file" "2222" "$(cat "$XDG_CONFIG_HOME/qnm/vms/web.conf")"

# network down (no bridge, no table): config only
out=$(q forward add --net lan tcp::8080-10.77.0.5:80)
expect_eq "add DNAT (network down)" 0 $?
expect_contains "says when it applies" "network is down" "$out"
expect_eq "no table created" "" "$(ip netns exec "$NS" nft list tables)"
out=$(q forward add --net lan tcp::8080-10.77.0.9:81 2>&1)
expect_eq "same host port twice refused" 1 $?
out=$(q forward add --net lan tcp::9090-:90 2>&1)
expect_eq "DNAT without guest address refused" 1 $?

# --- list, text and JSON
out=$(q forward list)
expect_contains "list shows hostfwd" "hostfwd  web/n1" "$out"
expect_contains "list shows dnat" "dnat     net lan" "$out"
expect_contains "dnat not applied" "not applied" "$out"
js=$(q forward list --json)
expect_eq "json kinds" '["dnat","hostfwd"]' "$(jq -c '[.[].kind] | sort' <<<"$js")"
expect_eq "json hostfwd" '{"guest_port":22,"host_addr":"127.0.0.1","host_port":2222,"nic":"n1","proto":"tcp","vm":"web"}' \
	"$(jq -c -S '.[] | select(.kind == "hostfwd") | {guest_port,host_addr,host_port,nic,proto,vm}' <<<"$js")"

# --- bring the network "up" the way netctl would: bridge (up: a forward into a
# bridge that is down is "blocked") + the table
ip -n "$NS" link add qnmbr-lan type bridge
ip -n "$NS" link set qnmbr-lan up
cat >"$T/spec" <<'EOF'
net lan qnmbr-lan nat 10.77.0.1/24
fwd tcp::8080-10.77.0.5:80
EOF
ip netns exec "$NS" "$DRV" apply "$T/spec" || fatal "driver apply failed"
expect_eq "list: dnat active" active "$(q forward list --json | jq -r '.[] | select(.kind == "dnat") | .state')"
out=$(q forward add --net lan udp::5353-10.77.0.5:53)
expect_eq "add DNAT (network up)" 0 $?
expect_contains "applied live" "applied to the live table" "$out"
expect_eq "live table has both" \
	'[[{"concat":["tcp",8080]},{"concat":["10.77.0.5",80]}],[{"concat":["udp",5353]},{"concat":["10.77.0.5",53]}]]' "$(live)"
check "del by host side only" q forward del udp::5353
expect_eq "live table back to one" '[[{"concat":["tcp",8080]},{"concat":["10.77.0.5",80]}]]' "$(live)"
expect_eq "config back to one forward" 1 "$(grep -c '^forward = ' "$XDG_CONFIG_HOME/qnm/networks/lan.conf")"

# save fails -> live change undone
# root ignores directory modes: make the directory immutable instead (when possible)
mv "$XDG_CONFIG_HOME/qnm/networks" "$XDG_CONFIG_HOME/qnm/networks.real"
ln -s "$XDG_CONFIG_HOME/qnm/networks.real" "$XDG_CONFIG_HOME/qnm/networks"
if command -v chattr >/dev/null && chattr +i "$XDG_CONFIG_HOME/qnm/networks.real" 2>/dev/null; then
	at_exit "chattr -i '$XDG_CONFIG_HOME/qnm/networks.real' 2>/dev/null"
	out=$(q forward add --net lan tcp::7070-10.77.0.7:70 2>&1)
	expect_eq "save failure reported" 1 $?
	expect_eq "save failure: live change undone" '[[{"concat":["tcp",8080]},{"concat":["10.77.0.5",80]}]]' "$(live)"
	chattr -i "$XDG_CONFIG_HOME/qnm/networks.real"
else
	echo "note: chattr +i not possible here; save-failure undo not exercised"
fi

# --- unprivileged: live change refused with the CAP_NET_ADMIN message, config untouched
chmod -R a+rX "$T"
before=$(cat "$XDG_CONFIG_HOME/qnm/networks.real/lan.conf")
out=$(ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	env XDG_CONFIG_HOME="$XDG_CONFIG_HOME" HOME="$HOME" XDG_RUNTIME_DIR="$T" "$QNM" forward list 2>&1)
expect_contains "unprivileged list: state unknown" "needs CAP_NET_ADMIN" "$out"
expect_eq "config untouched" "$before" "$(cat "$XDG_CONFIG_HOME/qnm/networks.real/lan.conf")"

# --- hostfwd del
check "del hostfwd" q forward del --vm web tcp:127.0.0.1:2222
out=$(q forward del tcp:127.0.0.1:2222 2>&1)
expect_eq "del missing: exit 1" 1 $?
expect_contains "del missing explains" "no forward has host side" "$out"
expect_eq "only the dnat left" '["dnat"]' "$(q forward list --json | jq -c '[.[].kind]')"
finish
