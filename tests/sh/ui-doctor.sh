#!/bin/bash
# ui-doctor: the Diagnostics screen (7) of the real UI, run inside a network
# namespace this test creates, shows broken conditions built for real, each
# with its fix: ip_forward=0 with a NAT network, a bridge.conf (a private
# copy, through QNM_BRIDGE_CONF as tests/sh/doctor.sh does) that does not
# allow the bridge of a bridge NIC, and dnsmasq missing (QNM_DNSMASQ points
# at nothing: the engine also looks in /usr/sbin, so $PATH cannot hide it).
# Re-running (r) after fixing one shows it ok. At 80x24, 132x43 and LANG=C.
. "$QNM_SRCDIR/tests/lib.sh"
need_root
. "$QNM_SRCDIR/tests/ui-lib.sh"

NS=$(new_netns uidoc)
in_ns() { ip netns exec "$NS" "$@"; }
BC=$T/qemu/bridge.conf
mkdir -p "$T/qemu"
printf '# qnm test\nallow other0\n' >"$BC"
"$QNM" new vm1 >/dev/null || fatal "new"
"$QNM" nic add vm1 backend=bridge br=qbr0 >/dev/null || fatal "bridge NIC"
"$QNM" net add lan bridge=qnmdoc0 address=10.78.0.1/24 mode=nat \
	dhcp-start=10.78.0.10 dhcp-end=10.78.0.50 >/dev/null || fatal "net add"
in_ns sysctl -qw net.ipv4.ip_forward=0 || fatal "sysctl in the namespace"
UI_PREFIX=(ip netns exec "$NS")
UI_ENV=(QNM_BRIDGE_CONF="$BC" QNM_DNSMASQ="$T/nodnsmasq")

# sel WORD: filter the list down to the check(s) matching WORD
sel() {
	ui_keys /
	ui_type "$1"
	ui_keys Enter
	sleep 0.2
}
unsel() { ui_keys / Escape; }

for size in 80x24 132x43; do
	cols=${size%x*} rows=${size#*x}
	tmux -S "$UI_SOCK" kill-server 2>/dev/null
	in_ns sysctl -qw net.ipv4.ip_forward=0
	ui_start -x "$cols" -y "$rows"
	ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start at $size"
	ui_keys 7
	ui_wait "failed (" 30 >/dev/null && ok "$size: checks ran in the background" ||
		fail "$size: no summary"
	ui_expect "$size: one-line explanation" "Is this host ready for your VMs?"
	tab="7 Diagnostics"
	[ "$cols" -lt 100 ] && tab="7 Doctor" # brief labels at 80 columns
	ui_screen | head -n 1 | grep -qF "$tab" && ok "$size: tab bar shows '$tab'" ||
		fail "$size: tab bar: $(ui_screen | head -n 1)"
	ui_screen | head -n 1 | grep -qF "9 Hosts" && ok "$size: the last tab fits" ||
		fail "$size: tab bar cut: $(ui_screen | head -n 1)"
	expect_eq "$size: screen height" "$rows" "$(ui_screen | wc -l)"
	# the summary agrees with qnm doctor run the same way
	js=$(in_ns env QNM_BRIDGE_CONF="$BC" QNM_DNSMASQ="$T/nodnsmasq" "$QNM" doctor --json)
	nfail=$(echo "$js" | jq '.counts.fail')
	ui_expect "$size: summary counts as qnm doctor" "$nfail failed"

	sel bridge.conf
	ui_expect "$size: bridge.conf check failed" "[FAIL] bridge.conf allows the bridges"
	ui_expect "$size: bridge.conf finding" "is not allowed in"
	ui_expect "$size: bridge.conf fix" "echo 'allow qbr0' >>"
	unsel
	sel ip_forward
	ui_expect "$size: ip_forward warned" "[WARN] IPv4 forwarding for NAT networks"
	ui_expect "$size: ip_forward finding" "net.ipv4.ip_forward is 0: NAT network lan"
	ui_expect "$size: ip_forward fix" "sysctl -w net.ipv4.ip_forward=1"
	# fix it for real, re-run
	in_ns sysctl -qw net.ipv4.ip_forward=1
	ui_keys r
	ui_wait "[ok]   IPv4 forwarding" 30 >/dev/null && ok "$size: re-run shows ip_forward ok" ||
		fail "$size: ip_forward still not ok after r"
	unsel
	sel dnsmasq
	ui_expect "$size: dnsmasq failed" "[FAIL] dnsmasq for DHCP on networks"
	ui_expect "$size: dnsmasq fix" "apt-get install dnsmasq-base"
	# Enter: the whole text in a box
	ui_keys Enter
	ui_wait "Enter or Esc: close" 5 >/dev/null && ok "$size: Enter shows the details" ||
		fail "$size: no details box"
	ui_expect "$size: details box has the fix" "Fix:"
	ui_keys Escape
	ui_wait_gone "Enter or Esc: close" 5 || fail "$size: details box did not close"
	unsel
	ui_keys F10
	wait_for 5 ui_dead && ok "$size: quit" || fail "$size: quit"
	expect_eq "$size: exit status" 0 "$(ui_status)"
done

# Input never waits for the checks: a QEMU that takes 2 s to answer '-netdev help'
# (a wrapper around the real one, first on $PATH) keeps the job running while
# the spinner turns and another screen opens at once.
mkdir -p "$T/slow"
printf '#!/bin/sh\nsleep 2\nexec %s "$@"\n' "$(command -v qemu-system-x86_64 || echo /bin/false)" \
	>"$T/slow/qemu-system-x86_64"
chmod +x "$T/slow/qemu-system-x86_64"
tmux -S "$UI_SOCK" kill-server 2>/dev/null
UI_ENV=(QNM_BRIDGE_CONF="$BC" QNM_DNSMASQ="$T/nodnsmasq" PATH="$T/slow:/usr/bin:/bin")
ui_start -x 80 -y 24
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start (slow QEMU)"
# seen TEXT: TEXT shows within 2 s (no waiting for a still screen: the spinner turns)
seen() { wait_for 2 sh -c "tmux -S '$UI_SOCK' capture-pane -p -t '$UI_TARGET' | grep -qF -- '$1'"; }
ui_keys 7
seen "Running the checks..." && ok "slow: the screen says the checks run" ||
	fail "slow: no running note"
ui_expect "slow: the spinner turns on the status line" "working (1)"
t0=$(date +%s%N)
ui_keys 1
seen "NICS (model/backend)" || fail "slow: VMs screen did not open"
t1=$(date +%s%N)
ui_expect "slow: the job still runs meanwhile" "working (1)"
echo "measured: switching screens during the checks took $(((t1 - t0) / 1000000)) ms"
[ $(((t1 - t0) / 1000000)) -lt 1500 ] && ok "slow: input answered before the checks ended" ||
	fail "slow: input waited for the checks"
ui_keys 7
ui_wait "failed (" 30 >/dev/null && ok "slow: results arrive" || fail "slow: no results"
ui_keys q
wait_for 5 ui_dead || fail "slow: did not quit"
UI_ENV=(QNM_BRIDGE_CONF="$BC" QNM_DNSMASQ="$T/nodnsmasq")

# ASCII: LANG=C, TERM=vt100
tmux -S "$UI_SOCK" kill-server 2>/dev/null
in_ns sysctl -qw net.ipv4.ip_forward=0
LANG=C LC_ALL=C TERM=vt100 ui_start -x 80 -y 24
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start under LANG=C"
ui_keys 7
ui_wait "failed (" 30 >/dev/null && ok "C: checks ran" || fail "C: no summary"
ui_expect "C: status words, not colour alone" "[FAIL]"
ui_expect "C: ASCII separator" "-- "
if ui_screen | LC_ALL=C grep -q '[^ -~]'; then
	fail "C: non-ASCII on screen"
	ui_screen | sed 's/^/  | /'
else
	ok "C: only ASCII on screen"
fi
ui_keys q
wait_for 5 ui_dead || fail "C: did not quit"
finish
