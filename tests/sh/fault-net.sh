#!/bin/bash
# fault-net.sh - host-network faults, all inside a namespace this test makes:
#   dnsmasq missing     -> "net up" names the package, nothing half-applied;
#   bridge deleted      -> links/net show/net down say so, records cleaned;
#   nft table deleted   -> net down and forward add --net say so; net up
#                          re-creates the table.
# Kernel state is read back with ip -j and nft -j.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base

new_netns fnet >/dev/null
NS=qnmtest-fnet-$$
in_ns() { ip netns exec "$NS" "$@"; }
q() { in_ns timeout 30 "$QNM" "$@"; }
OWNED=$XDG_RUNTIME_DIR/qnm/owned
records() { grep -v '^#' "$OWNED" 2>/dev/null | awk '{print $1, $2}' | sort | tr '\n' ' '; }
has_table() { in_ns nft list table inet qnm >/dev/null 2>&1 && echo yes || echo no; }
dnsmasq_pids() { ip netns pids "$NS" | while read -r p; do
	[ "$(cat /proc/"$p"/comm 2>/dev/null)" = dnsmasq ] && echo "$p"; done; }
# everything "net up" may touch, as one string
state() {
	in_ns ip -j addr show | jq -S -c 'map({ifname, flags, master, addr: [.addr_info[]? | .local]})'
	in_ns nft -j list ruleset | jq -S -c '[.nftables[] | select(has("metainfo") | not)]'
	in_ns cat /proc/sys/net/ipv4/ip_forward
	records
	dnsmasq_pids
}

"$QNM" net add lan bridge=qnmfb0 address=10.78.0.1/24 mode=nat \
	dhcp-start=10.78.0.50 dhcp-end=10.78.0.60 forward=tcp::8080-10.78.0.50:80 >/dev/null ||
	fatal "net add"
pristine=$(state)

# --- dnsmasq missing ---
err=$(in_ns env QNM_DNSMASQ="$T/no/such/dnsmasq" timeout 30 "$QNM" net up lan 2>&1)
expect_eq "dnsmasq missing: net up fails (exit 1)" 1 "$?"
expect_contains "dnsmasq missing: names the path" "dnsmasq not found at \$QNM_DNSMASQ=$T/no/such/dnsmasq" "$err"
expect_contains "dnsmasq missing: names the Debian package" "dnsmasq-base" "$err"
expect_eq "dnsmasq missing: nothing half-applied (links, addresses, nft, ip_forward, records)" \
	"$pristine" "$(state)"
expect_eq "dnsmasq missing: no bridge" "[]" "$(in_ns ip -j link show type bridge | jq -c .)"

# --- the bridge deleted by someone else while qnm shows it ---
q net up lan >/dev/null || fatal "net up"
[ -n "$(dnsmasq_pids)" ] || fail "dnsmasq runs after net up"
in_ns ip link del qnmfb0 || fatal "ip link del"
out=$(q links 2>&1)
expect_eq "bridge gone: links still works" 0 "$?"
case "$out" in *qnmfb0*) fail "links no longer lists the deleted bridge" ;; *) ok "links no longer lists the deleted bridge" ;; esac
expect_eq "bridge gone: net list says broken" broken "$(q net list --json | jq -r '.[0].state')"
out=$(q net show lan 2>&1)
expect_contains "bridge gone: net show says the bridge is gone and how to clean up" \
	"bridge qnmfb0 is gone (removed outside qnm?); 'qnm net down lan' cleans up" "$out"
out=$(q net down lan 2>&1)
expect_eq "bridge gone: net down succeeds" 0 "$?"
expect_contains "bridge gone: net down says the bridge was already gone" \
	"bridge qnmfb0 was already gone (removed outside qnm)" "$out"
expect_eq "bridge gone: records cleaned, table and dnsmasq gone, ip_forward restored" \
	"$pristine" "$(state)"
expect_eq "bridge gone: net list says down" down "$(q net list --json | jq -r '.[0].state')"
q net up lan >/dev/null
expect_eq "bridge gone: net up works again" up "$(q net list --json | jq -r '.[0].state')"
q net down lan >/dev/null
expect_eq "bridge gone: and down again leaves nothing" "$pristine" "$(state)"

# --- table inet qnm deleted behind qnm's back ---
q net up lan >/dev/null || fatal "net up"
in_ns nft delete table inet qnm || fatal "nft delete table"
cfg=$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf")
out=$(q forward add --net lan tcp::9090-10.78.0.51:80 2>&1)
expect_eq "table gone: forward add --net exits 0 (saved)" 0 "$?"
expect_contains "table gone: forward add says the table is missing and how to recover" \
	"table inet qnm is missing (deleted outside qnm?): 'qnm net up lan' re-creates it" "$out"
expect_eq "table gone: forward add did not re-create a partial table" no "$(has_table)"
expect_contains "table gone: the forward is saved" "tcp::9090-10.78.0.51:80" \
	"$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf")"
out=$(q net up lan 2>&1)
expect_eq "table gone: net up again succeeds" 0 "$?"
expect_eq "table gone: net up re-creates the table" yes "$(has_table)"
expect_eq "table gone: both forwards are in the re-created table" "8080 9090" \
	"$(in_ns nft -j list map inet qnm fwd_any | jq -r '[.nftables[].map.elem? // empty | .[] | .[0].concat[1]] | sort | map(tostring) | join(" ")')"
in_ns nft delete table inet qnm || fatal "nft delete table"
out=$(q net down lan 2>&1)
expect_eq "table gone: net down succeeds" 0 "$?"
expect_contains "table gone: net down says the table was already gone" \
	"table inet qnm was already gone (deleted outside qnm)" "$out"
expect_eq "table gone: down leaves nothing" "$pristine" "$(state)"
finish
