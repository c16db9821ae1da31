#!/bin/bash
# nft-table.sh - qnm's nftables table "inet qnm" (src/host/nft.c), ruleset level.
#
# Everything runs inside a network namespace this test creates; the kernel
# state is read back independently with "nft -j list ruleset" and jq.
# Covers: content, idempotence (3x apply), atomic failure (invalid rule in
# the batch; bad input refused before sending), remove, foreign tables
# untouched and their policy-drop forward chain warned about, single
# forward add/del, EPERM as an unprivileged user.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
need_cmd jq jq
need_cmd setpriv util-linux
DRV=${QNM_BUILDDIR:-.}/tests/nft-driver
[ -x "$DRV" ] || fatal "missing $DRV (make check builds it)"

# not NS=$(new_netns ...): at_exit inside a $(...) subshell would be lost
new_netns nft >/dev/null
NS=qnmtest-nft-$$
in_ns() { ip netns exec "$NS" "$@"; }
drv() { in_ns "$DRV" "$@"; }

# the ruleset (or one table) without handles and counters, maps' elements sorted
ruleset() {
	in_ns nft -s -j list ruleset | jq -S -c '[.nftables[] | select(has("metainfo") | not)]
		| walk(if type == "object" then del(.handle) else . end)
		| walk(if type == "object" and has("elem") then .elem |= sort else . end)'
}
table_json() { # FAMILY NAME
	in_ns nft -s -j list table "$1" "$2" 2>/dev/null | jq -S -c '[.nftables[] | select(has("metainfo") | not)]
		| walk(if type == "object" then del(.handle) else . end)'
}
nrules() { in_ns nft -j list table inet qnm | jq '[.nftables[] | select(has("rule"))] | length'; }

cat >"$T/spec1" <<'EOF'
net a qnmbr0 nat 10.77.0.1/24 veth-up
fwd tcp::8080-10.77.0.5:80
fwd udp::5353-10.77.0.5:53
fwd tcp:10.1.1.1:2222-10.77.0.6:22
net b qnmbr1 isolated 10.78.0.1/24
fwd tcp::9090-10.78.0.7:90
net c qnmbr2 nat 10.79.0.1/24
EOF
cat >"$T/spec2" <<'EOF'
net a qnmbr0 nat 10.77.0.1/24 veth-up
fwd tcp::8081-10.77.0.9:81
EOF

# --- a foreign table that must never change, with a policy-drop forward chain
in_ns nft -f - <<'EOF' || fatal "cannot create the foreign table"
table inet other {
	chain forward_in {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
	}
	chain keep { ip daddr 192.0.2.1 counter drop; }
}
table ip legacyish {
	chain FORWARD { type filter hook forward priority 0; policy accept; }
}
EOF
other_before=$(table_json inet other)
legacy_before=$(table_json ip legacyish)
[ -n "$other_before" ] || fatal "cannot read back the foreign table"

# --- apply: content
check "apply succeeds" drv apply "$T/spec1"
expect_eq "table exists (driver)" yes "$(drv exists)"
rs1=$(ruleset)
q() { in_ns nft -j list table inet qnm | jq -c "$1"; }
expect_eq "chain types/hooks/prios" \
	'[["forward","filter","forward",0,"accept"],["localnet","filter","prerouting",-300,"accept"],["output","nat","output",-100,"accept"],["postrouting","nat","postrouting",100,"accept"],["prerouting","nat","prerouting",-100,"accept"]]' \
	"$(q '[.nftables[] | .chain? // empty | [.name,.type,.hook,.prio,.policy]] | sort')"
expect_eq "fwd_any elements" \
	'[[{"concat":["tcp",8080]},{"concat":["10.77.0.5",80]}],[{"concat":["tcp",9090]},{"concat":["10.78.0.7",90]}],[{"concat":["udp",5353]},{"concat":["10.77.0.5",53]}]]' \
	"$(q '[.nftables[] | .map? // empty | select(.name == "fwd_any") | .elem[]] | sort')"
expect_eq "fwd_addr elements" \
	'[[{"concat":["10.1.1.1","tcp",2222]},{"concat":["10.77.0.6",22]}]]' \
	"$(q '[.nftables[] | .map? // empty | select(.name == "fwd_addr") | .elem[]] | sort')"
text=$(in_ns nft list table inet qnm)
expect_contains "masquerade out of the uplink" 'ip saddr 10.77.0.0/24 oifname "veth-up"' "$text"
expect_contains "masquerade any uplink but the bridge" 'ip saddr 10.79.0.0/24 oifname != "qnmbr2"' "$text"
expect_contains "forward accept from bridge" 'iifname "qnmbr0" counter packets 0 bytes 0 accept' "$text"
expect_contains "forward replies accepted" 'ct state established,related counter packets 0 bytes 0 accept' "$text"
expect_contains "forward to bridge: DNAT'ed accepted" 'oifname "qnmbr0" ct status dnat counter packets 0 bytes 0 accept' "$text"
expect_contains "forward to bridge: the rest from elsewhere dropped" 'iifname != "qnmbr0" oifname "qnmbr0" counter packets 0 bytes 0 drop' "$text"
expect_contains "isolated bridge dropped" 'iifname "qnmbr1" counter packets 0 bytes 0 drop' "$text"
expect_eq "DNAT in prerouting and output (2 rules each)" 2,2 \
	"$(q '[.nftables[] | .rule? // empty | select(.chain == "prerouting")] | length'),$(q '[.nftables[] | .rule? // empty | select(.chain == "output")] | length')"
expect_contains "dnat via the map, local addresses only" \
	'fib daddr type local counter packets 0 bytes 0 dnat ip to meta l4proto . th dport map @fwd_any' "$text"
expect_eq "no masquerade for the isolated network" "" "$(grep 10.78.0.0 <<<"$text")"
# forwards on 127.0.0.1 (issue 13 item 6): never DNAT'ed from outside; each
# bridge with an address masquerades the host's 127.0.0.0/8 and lets none in
expect_contains "prerouting: no DNAT to 127.0.0.0/8 from outside" \
	'ip daddr != 127.0.0.0/8 counter packets 0 bytes 0 dnat ip to ip daddr . meta l4proto . th dport map @fwd_addr' "$(in_ns nft list chain inet qnm prerouting)"
expect_eq "output: 127.0.0.0/8 DNAT'ed like any address" "" \
	"$(in_ns nft list chain inet qnm output | grep 127.0.0.0)"
for br in qnmbr0 qnmbr1 qnmbr2; do
	expect_contains "$br: localnet masquerade" \
		"ip saddr 127.0.0.0/8 oifname \"$br\" counter packets 0 bytes 0 masquerade comment \"localnet $br\"" "$text"
	expect_contains "$br: 127.0.0.0/8 source dropped" "iifname \"$br\" ip saddr 127.0.0.0/8 counter packets 0 bytes 0 drop" "$text"
	expect_contains "$br: 127.0.0.0/8 destination dropped" "iifname \"$br\" ip daddr 127.0.0.0/8 counter packets 0 bytes 0 drop" "$text"
done

# --- idempotence: apply 3x, same ruleset, same number of rules
n1=$(nrules)
drv apply "$T/spec1" && drv apply "$T/spec1"
expect_eq "apply 3x: same ruleset" "$rs1" "$(ruleset)"
expect_eq "apply 3x: no duplicate rules" "$n1" "$(nrules)"
expect_eq "apply 3x: one qnm table" 1 "$(in_ns nft -j list tables | jq '[.nftables[] | .table? // empty | select(.name == "qnm")] | length')"

# --- atomic failure: an invalid rule at the end of the batch -> nothing changes
out=$(drv apply "$T/spec2" bogus 2>&1)
rc=$?
expect_eq "batch with an invalid rule fails" 1 "$rc"
expect_contains "error names the failing message" "adding rule" "$out"
expect_eq "failed batch: previous ruleset intact" "$rs1" "$(ruleset)"
# one ack is asked, of the last message: an error before it is still read,
# names its own message (not the last one), and the batch changes nothing
out=$(drv apply "$T/spec2" bogus-mid 2>&1)
rc=$?
expect_eq "batch with an invalid rule before a valid one fails" 1 "$rc"
expect_contains "its error names the invalid rule's message" "(chain prerouting)" "$out"
expect_eq "not the valid rule after it" "" "$(grep -o 'chain postrouting' <<<"$out")"
expect_eq "failed batch (middle): previous ruleset intact" "$rs1" "$(ruleset)"
# bad input is refused before anything is sent
out=$(drv apply "$T/spec2" uplink=an-uplink-name-far-too-long 2>&1)
expect_eq "uplink too long refused" 1 $?
expect_contains "message names the uplink rule" "uplink" "$out"
expect_eq "too-long uplink: previous ruleset intact" "$rs1" "$(ruleset)"
printf 'net x qnmbr5 nat 10.80.0.1/24\nfwd tcp::8080-10.80.0.5:80\n' >>"$T/spec1-dup"
cat "$T/spec1" "$T/spec1-dup" >"$T/spec-dup"
out=$(drv apply "$T/spec-dup" 2>&1)
expect_eq "same host port twice refused" 1 $?
expect_contains "message names both networks" "forwarded twice (networks a and x)" "$out"
expect_eq "duplicate port: previous ruleset intact" "$rs1" "$(ruleset)"

# --- another valid apply replaces everything
check "apply spec2" drv apply-api "$T/spec2"
expect_eq "spec2: only its forward" '[[{"concat":["tcp",8081]},{"concat":["10.77.0.9",81]}]]' \
	"$(q '[.nftables[] | .map? // empty | select(.name == "fwd_any") | .elem[]]')"
expect_eq "spec2: old bridges gone" "" "$(in_ns nft list table inet qnm | grep -E 'qnmbr[12]')"

# --- one forward among the others
check "add one forward" drv add-fwd tcp::7000-10.77.0.10:70
expect_contains "added forward present" '"tcp",7000]},{"concat":["10.77.0.10",70]}' \
	"$(q '[.nftables[] | .map? // empty | select(.name == "fwd_any") | .elem[]]')"
check "adding the identical forward again is fine" drv add-fwd tcp::7000-10.77.0.10:70
out=$(drv add-fwd tcp::7000-10.77.0.11:71 2>&1)
expect_eq "same host port to another guest refused" 1 $?
expect_contains "EEXIST" "errno=17" "$out"
check "add one forward on a host address" drv add-fwd udp:10.1.1.2:6000-10.77.0.12:60
check "delete it" drv del-fwd udp:10.1.1.2:6000-10.77.0.12:60
check "delete the any-address one" drv del-fwd tcp::7000-10.77.0.10:70
out=$(drv del-fwd tcp::7000-10.77.0.10:70 2>&1)
expect_eq "deleting a missing forward fails" 1 $?
expect_contains "ENOENT" "errno=2" "$out"
expect_eq "back to spec2's forwards" '[[{"concat":["tcp",8081]},{"concat":["10.77.0.9",81]}]]' \
	"$(q '[.nftables[] | .map? // empty | select(.name == "fwd_any") | .elem[]]')"

# --- foreign drop warnings (read only)
out=$(drv check "$T/spec1")
expect_contains "policy drop warned for qnmbr0" "table inet other, chain forward_in (hook forward) has policy drop and no rule accepting bridge qnmbr0" "$out"
expect_contains "policy drop warned for qnmbr2" "accepting bridge qnmbr2" "$out"
expect_eq "isolated network not warned" "" "$(grep qnmbr1 <<<"$out")"
expect_eq "policy-accept chain not warned" "" "$(grep legacyish <<<"$out")"
expect_eq "own table not warned" "" "$(grep 'inet qnm' <<<"$out")"
in_ns nft add rule inet other forward_in iifname qnmbr0 accept
in_ns nft add rule inet other forward_in oifname qnmbr0 accept
out=$(drv check "$T/spec1")
expect_eq "accepted bridge no longer warned" "" "$(grep 'bridge qnmbr0' <<<"$out")"
expect_contains "other bridge still warned" "bridge qnmbr2" "$out"
in_ns nft add rule ip legacyish FORWARD oifname qnmbr2 drop
in_ns nft add rule ip legacyish FORWARD counter drop
out=$(drv check "$T/spec1")
expect_contains "drop rule naming the bridge warned" "table ip legacyish, chain FORWARD (hook forward): rule handle" "$out"
expect_contains "unconditional drop warned" "drops all forwarded traffic, so network a (bridge qnmbr0)" "$out"
in_ns nft delete table ip legacyish
in_ns nft delete rule inet other forward_in handle "$(in_ns nft -a list chain inet other forward_in | awk '/iifname "qnmbr0"/ {print $NF}')"
in_ns nft delete rule inet other forward_in handle "$(in_ns nft -a list chain inet other forward_in | awk '/oifname "qnmbr0"/ {print $NF}')"
expect_eq "foreign table untouched by apply/check (after undoing the test's own edits)" \
	"$other_before" "$(table_json inet other)"

# --- EPERM: an unprivileged user changes nothing
chmod 755 "$T"
chmod 644 "$T/spec1"
before=$(ruleset)
out=$(in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$DRV" apply "$T/spec1" 2>&1)
expect_eq "unprivileged apply fails" 1 $?
expect_contains "EPERM message" "writing nftables table inet qnm needs CAP_NET_ADMIN (run as root or grant the capability)" "$out"
out=$(in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$DRV" remove 2>&1)
expect_contains "unprivileged remove: EPERM message" "needs CAP_NET_ADMIN" "$out"
out=$(in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$DRV" add-fwd tcp::7001-10.77.0.10:70 2>&1)
expect_contains "unprivileged add-fwd: EPERM message" "needs CAP_NET_ADMIN" "$out"
expect_eq "unprivileged: nothing applied" "$before" "$(ruleset)"

# --- remove: no qnm table, others intact; removing twice is fine
check "remove" drv remove
expect_eq "no qnm table after remove" "" "$(in_ns nft list tables | grep -w qnm)"
expect_eq "driver agrees" no "$(drv exists)"
check "remove again (no table) is fine" drv remove
out=$(drv add-fwd tcp::7000-10.77.0.10:70 2>&1)
expect_contains "add-fwd without table explains" "does not exist" "$out"
expect_eq "foreign table untouched by apply/remove" "$other_before" "$(table_json inet other)"

finish
