#!/bin/bash
# ui-unprivileged.sh - the text UI run as an ordinary user (nobody, no
# capabilities), in this test's own network namespace: the Networks screen
# says that up/down needs CAP_NET_ADMIN and why, and u on a network refuses
# with that reason and creates nothing; the NIC form says which backends
# need it. User-mode networking works without root: the demo guest is
# defined (D), started (s) - its QEMU and slirp helper run as nobody -,
# serves its web page through its forward on this namespace's loopback,
# shows rising counters, and stops (x). The terminal is restored at quit.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
need_cmd wget wget

# nobody owns the XDG dirs and may walk into the test's scratch dir
as_nobody
at_exit "nob stop demo --force >/dev/null 2>&1"

nob net add lan bridge=qnmunpriv0 address=10.81.0.1/24 mode=isolated >/dev/null ||
	fatal "qnm net add as nobody"
UI_PREFIX=("${AS_USER[@]}")
ui_start -x 80 -y 24
ui_wait "Press D to define the demo guest" 5 >/dev/null || fatal "UI did not start as nobody"
# the pane's shell runs setpriv, which becomes qnm
uipid=$(pgrep -P "$(_ui display-message -p -t "$UI_TARGET" '#{pane_pid}')" | head -1)
expect_eq "the UI runs as nobody" "nobody" "$(ps -o user= -p "$uipid" | tr -d ' ')"

# Networks: the reason is on the screen, and u refuses with it
ui_keys 2
ui_wait "lan" 5 >/dev/null || fail "Networks screen"
ui_expect "Networks: why up/down is unavailable" "it needs CAP_NET_ADMIN (run qnm as root)"
ui_keys u
ui_wait "network lan: bringing it up needs CAP_NET_ADMIN (run qnm as root)" 3 >/dev/null &&
	ok "u refused with the reason (status line, 80 columns)" || fail "u: no CAP_NET_ADMIN message"
ui_keys 6
wait_for 3 ui_words "it changes host networking (bridges, addresses, nftables)" &&
	ok "Messages shows the whole refusal" || { fail "refusal not in Messages"; ui_screen | sed 's/^/  | /'; }
ip link show qnmunpriv0 >/dev/null 2>&1 && fail "bridge created without CAP_NET_ADMIN" ||
	ok "no bridge created"
nft list table inet qnm >/dev/null 2>&1 && fail "nft table created" || ok "no nft table created"

# Demo guest on user-mode networking (slirp helper), no root anywhere
ui_keys 1 D
ui_wait "VM 'demo' defined" 90 >/dev/null && ok "demo defined as nobody" ||
	{ ui_keys 6; sleep 0.5; ui_screen; fatal "demo not defined as nobody"; }

# The NIC form tells which backends need CAP_NET_ADMIN
ui_keys e
ui_wait "Memory (MiB)" 5 >/dev/null || fail "VM form"
ui_goto_field ".*\[ virtio-net-pci" && ui_keys Enter
ui_wait "Device model" 3 >/dev/null || fail "NIC form"
ui_goto_field "Backend" >/dev/null
for ((i = 0; i < 4; i++)); do
	ui_screen | grep -q "Backend *< tap >" && break
	ui_keys Right
done
if wait_for 3 ui_words "You run qnm without CAP_NET_ADMIN: start it as root, or use a TAP an admin made for you"; then
	ok "NIC form: tap says this user lacks CAP_NET_ADMIN and the ways out"
else
	fail "NIC form: no CAP_NET_ADMIN note for tap"
	ui_screen | sed 's/^/  | /'
fi
ui_keys Escape Escape 1

ui_keys s
ui_wait "demo started" 60 >/dev/null && ok "demo started as nobody" ||
	{ ui_keys 6; sleep 0.5; ui_screen; fatal "demo did not start as nobody"; }
qpid=$(ui_output | sed -n 's/.*demo started: QEMU pid \([0-9]*\).*/\1/p' | tail -1)
expect_eq "QEMU runs as nobody" nobody "$(ps -o user= -p "$qpid" | tr -d ' ')"
helper=$(pgrep -f "slirp-helper --socket $XDG_RUNTIME_DIR/" | head -1)
[ -n "$helper" ] && expect_eq "slirp helper runs as nobody" nobody "$(ps -o user= -p "$helper" | tr -d ' ')" ||
	fail "no slirp helper process for demo"
ui_demo_page "web page through the unprivileged forward"
port=$DEMO_PORT

ui_keys 4
ui_wait "demo/n0" 10 >/dev/null && ok "Traffic lists demo/n0" || fail "no demo/n0 row"
row1=$(ui_screen | grep "demo/n0" | head -1)
for ((i = 0; i < 5; i++)); do timeout 3 wget -qO- "http://127.0.0.1:$port/" >/dev/null 2>&1; done
sleep 2.5
row2=$(ui_screen | grep "demo/n0" | head -1)
rxtot() { awk '{print $6 $7}' <<<"$1"; }
[ -n "$(rxtot "$row1")" ] && [ "$(rxtot "$row1")" != "$(rxtot "$row2")" ] &&
	ok "counters rise ($(rxtot "$row1") -> $(rxtot "$row2"))" || fail "counters did not rise: '$row1' / '$row2'"

ui_keys 1 x
ui_wait "Stop VM 'demo'?" 5 >/dev/null || fail "x did not ask"
ui_keys y
ui_wait "demo stopped" 40 >/dev/null && ok "demo stopped as nobody" || fail "not stopped"
kill -0 "$qpid" 2>/dev/null && fail "QEMU $qpid still runs" || ok "QEMU gone"
ui_keys F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
