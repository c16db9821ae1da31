#!/bin/bash
# nic-props.sh - a NIC's props= (more QEMU device properties) is checked
# when it is set against '-device MODEL,help' of the configured QEMU
# (cached), or qnm's built-in list without QEMU: unknown names get advice,
# bad values the rule of their type, properties qnm sets itself and mq=on
# the reason; nothing is written. What is accepted reaches QEMU's -device
# and shows in 'info qtree' of a real QEMU. Also ipv6-net= of user/slirp
# NICs: refused unless a ULA or global prefix of length 1-126 without host
# bits, with advice; given to QEMU and the slirp helper.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd python3
CHECK=$QNM_SRCDIR/tests/qemu-check.py
snap() { (cd "$XDG_CONFIG_HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

"$QNM" new pv accel=tcg memory=128 >/dev/null || fatal "qnm new"
"$QNM" nic add pv model=virtio backend=user props=rx_queue_size=1024,tx_queue_size=256 \
	>/dev/null 2>&1 || fail "virtio-net-pci rx/tx_queue_size refused"
"$QNM" nic add pv model=e1000 props=mitigation=off,autonegotiation=on >/dev/null 2>&1 ||
	fail "e1000 props refused"
"$QNM" nic add pv model=rtl8139 >/dev/null 2>&1 || fail "rtl8139 without props refused"
expect_eq "props saved" "props = rx_queue_size=1024,tx_queue_size=256 props = mitigation=off,autonegotiation=on " \
	"$(grep '^props' "$XDG_CONFIG_HOME/qnm/vms/pv.conf" | tr '\n' ' ')"
[ -f "$XDG_CACHE_HOME/qnm/props-x86_64-virtio-net-pci" ] && ok "QEMU's answer cached" ||
	fail "no props cache"

# Refused with the field and the rule; nothing written (nic set and nic add).
before=$(snap)
bad() { # NIC PROPS MESSAGE
	local out
	out=$("$QNM" nic set pv "$1" props="$2" 2>&1) && fail "props=$2 accepted on $1"
	expect_contains "props=$2 refused" "nic[$1].props: $3" "$out"
}
bad n0 rx_queu_size=512 "virtio-net-pci has no property 'rx_queu_size'; did you mean rx_queue_size?"
bad n0 rx_queue_size=500 "rx_queue_size=500: rx_queue_size must be a power of 2 from 256 to 1024"
bad n0 rx_queue_size=512,tx_queue_size=1024 "tx_queue_size=1024: tx_queue_size must be 256: QEMU keeps the TX ring at 256"
bad n0 host_mtu=70000 "host_mtu=70000: host_mtu must be a whole number from 0 to 65535"
bad n0 csum=maybe "csum=maybe: csum must be on or off"
bad n0 mq=on "mq=on needs a multi-queue netdev"
bad n0 queues=4 "queues cannot be set here: queues=N is an option of the netdev"
bad n0 netdev=x "netdev cannot be set here: qnm connects the card"
bad n0 mac=02:00:00:00:00:01 "mac cannot be set here: set the NIC's mac key instead"
bad n0 addr=06.0 "addr cannot be set here: qnm places every NIC"
bad n0 "tx=timer,,x" "an empty property"
bad n1 rx_queue_size=512 "e1000 has no property 'rx_queue_size'"
bad n1 mitigation=2 "mitigation=2: mitigation must be on or off"
out=$("$QNM" nic set pv n0 model=rtl8139 2>&1) && fail "model change kept props rtl8139 lacks"
expect_contains "model change re-checks props" "rtl8139 has no property 'rx_queue_size'" "$out"
out=$("$QNM" nic add pv model=e1000 props=speed=100 2>&1) && fail "nic add: bad props accepted"
expect_contains "nic add refused" "nic[n3].props: e1000 has no property 'speed'" "$out"
expect_eq "nothing written by refused props" "$before" "$(snap)"

# Without QEMU (and no cache), qnm's built-in list judges the common models.
out=$(XDG_CACHE_HOME="$T/nocache" PATH=/nonexistent "$QNM" nic set pv n2 props=rx_queue_size=512 2>&1) &&
	fail "built-in list accepted rx_queue_size on rtl8139"
expect_contains "built-in list judges" "rtl8139 has no property 'rx_queue_size'" "$out"
XDG_CACHE_HOME="$T/nocache" PATH=/nonexistent "$QNM" nic set pv n2 props=romfile= >/dev/null 2>&1 &&
	fail "empty value accepted"
XDG_CACHE_HOME="$T/nocache" PATH=/nonexistent "$QNM" nic set pv n2 props=acpi-index=3 >/dev/null 2>&1 ||
	fail "built-in list refused rtl8139 acpi-index"

# JSON shows it; the command line carries it (always -netdev + -device).
expect_contains "JSON has props" '"props":"rx_queue_size=1024,tx_queue_size=256"' \
	"$("$QNM" nic list pv --json | tr -d ' \n')"
line=$("$QNM" cmdline pv --nic-form)
expect_contains "-nic form: props need -device" \
	"virtio-net-pci,netdev=n0,mac=" "$line"

# A real QEMU accepts it and 'info qtree' shows the values.
"$QNM" nic list pv --json >"$T/nics.json"
expect=$(python3 - "$T/nics.json" <<'PY'
import json, sys
want = {"n0": {"rx_queue_size": "1024", "tx_queue_size": "256"},
        "n1": {"mitigation": "false", "autonegotiation": "true"},
        "n2": {"acpi-index": "3"}}
print(json.dumps({"nics": [{"model": n["model"], "mac": n["mac"], "type": "user", "id": n["id"],
                            "qtree": want[n["id"]]} for n in json.load(open(sys.argv[1]))]}))
PY
)
"$QNM" cmdline pv --json | python3 -c 'import json, sys
sys.stdout.write("".join(a + "\0" for a in json.load(sys.stdin)))' >"$T/pv.argv"
if out=$(timeout 60 python3 "$CHECK" --timeout 40 --argv "$T/pv.argv" --expect "$expect" 2>&1); then
	ok "QEMU accepts the props and 'info qtree' shows them"
else
	fail "QEMU with props"
	printf '%s\n' "$out" | sed 's/^/    /'
fi

# ipv6-net: the IPv6 prefix of a user or slirp NIC.
"$QNM" new v6 >/dev/null || fatal "qnm new v6"
"$QNM" nic add v6 model=e1000 ipv6-net=2001:db8::/64 >/dev/null 2>&1 || fail "ipv6-net global refused"
"$QNM" nic add v6 model=e1000 backend=slirp ipv6-net=fd12:3456:789a::/48 >/dev/null 2>&1 ||
	fail "ipv6-net ULA refused"
before=$(snap)
bad6() { # VALUE MESSAGE [KEYS...]
	local v=$1 msg=$2 out
	shift 2
	out=$("$QNM" nic add v6 model=e1000 "$@" ipv6-net="$v" 2>&1) && fail "ipv6-net=$v accepted"
	expect_contains "ipv6-net=$v refused" "nic[n2].ipv6-net: $msg" "$out"
}
bad6 fe80::/64 "'fe80::/64' is neither a unique local (fc00::/7) nor a global (2000::/3) prefix; use a ULA"
bad6 fec0::/64 "'fec0::/64' is site-local (fec0::/10, deprecated by RFC 3879"
bad6 fd00::1/64 "'fd00::1/64' has host bits set beyond /64: did you mean fd00::/64?"
bad6 fd00::/127 "the prefix length of 'fd00::/127' must be from 1 to 126"
bad6 fd00:: "'fd00::' is not an IPv6 prefix with its length"
bad6 10.0.2.0/24 "'10.0.2.0/24' is not an IPv6 prefix"
bad6 fd00::/64 "an IPv6 prefix needs ipv6=yes" ipv6=no
out=$("$QNM" nic add v6 model=e1000 backend=passt ipv6-net=fd00::/64 2>&1) && fail "passt took ipv6-net"
expect_contains "passt: ipv6-net does not apply" "nic[n2].ipv6-net: does not apply" "$out"
expect_eq "nothing written by refused prefixes" "$before" "$(snap)"
expect_contains "user: QEMU's ipv6-net=" "-netdev user,id=n0,ipv6-net=2001:db8::/64 " \
	"$("$QNM" cmdline v6) "
expect_contains "JSON has ipv6_net" '"ipv6_net":"fd12:3456:789a::/48"' \
	"$("$QNM" nic list v6 --json | tr -d ' \n')"
"$QNM" del v6 >/dev/null 2>&1 || fail "qnm del v6"

# NIC form at 80x24: the row is there, a typo is refused at the field with
# advice and nothing written, a good value is saved.
ui_start
ui_wait "virtio-net-pci/user" 5 >/dev/null || fatal "UI did not start"
before=$(snap)
ui_nic_form virtio-net-pci "Device props" && ui_type "rx_queue_siz=512" && ui_keys F2
ui_error_at "form: unknown property refused at the field" "Device props" "did you mean rx_queue_size?"
expect_eq "form: nothing written" "$before" "$(snap)"
ui_keys Escape Escape Escape
ui_nic_form virtio-net-pci "Device props" && ui_type "rx_queue_size=512,csum=off" && ui_keys F2
ui_wait "NIC n0 set" 3 >/dev/null || fail "form: good props not accepted"
ui_keys F2
ui_wait "VM pv saved" 3 >/dev/null || fail "form: VM not saved"
wait_for 5 grep -q "^props = rx_queue_size=512,csum=off$" "$XDG_CONFIG_HOME/qnm/vms/pv.conf" &&
	ok "form: props saved" || fail "form: props not saved"
ui_keys F10
wait_for 5 ui_dead || fail "UI did not quit"
finish
