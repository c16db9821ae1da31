#!/bin/bash
# private-segment.sh - the private backend (issue 16.2), as nobody, no
# capabilities: guests a and b on private segment "lab" (static addresses:
# no DHCP on a segment) ping each other and fetch each other's page; guest c
# on segment "other", in the same subnet, reaches neither (a second segment
# is a second switch); each segment's switch runs as nobody with its sockets
# in a 0700 dir of nobody's runtime dir; per-NIC counters come from the
# switch's ports (what a sent is what b received); the switch of "lab" runs
# on while b is on it and stops with the last guest; a killed supervisor's
# switch is reclaimed by stop; another user can reach neither socket of a
# switch; nothing is created in the network namespace
# (the test runs in its own anyway).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
need_cmd vde_switch vde-switch
need_cmd jq jq
need_cmd socat socat
as_nobody
P=$XDG_RUNTIME_DIR/qnm/.private
# field VM KEY - a field of "qnm status VM --json" (as nobody: the runtime dir is nobody's)
field() { nob status "$1" --json | jq -r ".$2"; }
# gone PID - no such process, or a zombie
gone() { [ ! -d "/proc/$1" ] || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]; }
# the switches are daemons: whatever happens, none outlives the test
at_exit 'for f in "$P"/*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done'
for vm in a b c; do at_exit "nob stop $vm --force >/dev/null 2>&1"; done
links_before=$(ip -o link; ip -o addr)

guest_image
# guest_script NAME WAIT ADDR PEER... - static ADDR/24 on eth0, its page,
# then (WAIT=yes: after the first peer answers, or 40 s) ping and fetch
# every PEER.
guest_script() {
	local name=$1 wait=$2 addr=$3 p
	shift 3
	cat <<EOF
. /etc/qnm/lib.sh
ip link set eth0 up
ip addr add $addr/24 dev eth0
echo "private-token-$name" > /www/token.txt
httpd -p 80 -h /www
echo "guest-mac \$(cat /sys/class/net/eth0/address)"
EOF
	[ "$wait" = yes ] && cat <<EOF
n=0
until ping -c 1 -W 1 $1 >/dev/null 2>&1; do n=\$((n + 1)); [ \$n -gt 40 ] && break; done
EOF
	for p in "$@"; do
		echo "echo \"ping $p: \$(ping -c 3 -W 2 $p | grep -o '[0-9]* packets received')\""
		echo "echo \"fetch $p: \$(timeout 3 wget -q -O - http://$p/token.txt)\""
	done
	echo "echo QNM-PRIV-DONE"
	echo "sleep 600"
}
define() {
	local vm=$1 seg=$2
	shift 2
	guest_script "$vm" "$@" >"$T/$vm.sh"
	nob new "$vm" memory=256 accel=tcg boot=kernel kernel="$G_KERNEL" initrd="$G_INITRD" \
		append="$G_APPEND" extra+=-no-reboot extra+=-fw_cfg \
		extra+="name=opt/qnm/script,file=$T/$vm.sh" >/dev/null || fatal "qnm new $vm failed"
	nob nic add "$vm" model=e1000 backend=private segment="$seg" >/dev/null ||
		fatal "nic add $vm failed"
}
define a lab yes 10.10.0.1 10.10.0.2
define b lab yes 10.10.0.2 10.10.0.1
# c looks once a and b are up (it starts after them)
define c other no 10.10.0.3 10.10.0.1 10.10.0.2

expect_contains "the command line joins the segment's switch" \
	"-netdev vde,id=n0,sock=$P/lab/ctl" "$(nob cmdline a)"
# without a working vde_switch the start fails, says why, and leaves nothing
out=$(QNM_VDE_SWITCH=/nonexistent/vde_switch nob start a 2>&1)
expect_contains "no vde_switch: start refused with the package to install" \
	"nic[n0].backend: a private segment needs the program /nonexistent/vde_switch, which is not installed (apt-get install vde-switch)" "$out"
out=$(QNM_VDE_SWITCH=/bin/false nob start a 2>&1)
expect_contains "a vde_switch that does not start: start fails and says so" \
	"segment lab: /bin/false did not start" "$out"
expect_eq "nothing left after the failed starts" "absent, no switch" \
	"$(field a status), $(ls "$P"/*/pid 2>/dev/null || echo no switch)"
for vm in a b; do
	out=$(nob start "$vm") || fatal "qnm start $vm as nobody: $out"
done
expect_eq "QEMU runs as nobody" nobody "$(ps -o user= -p "$(field a qemu_pid)" | tr -d ' ')"
SW_LAB=$(cat "$P/lab/pid" 2>/dev/null)
check "a switch runs for segment lab (pid ${SW_LAB:-none})" test -n "$SW_LAB" -a -d "/proc/${SW_LAB:-0}"
expect_eq "the switch runs as nobody" nobody "$(ps -o user= -p "${SW_LAB:-0}" | tr -d ' ')"
expect_eq "its sockets are in a dir of nobody's, mode 0700" "nobody 700" \
	"$(stat -c '%U %a' "$P/lab/ctl" 2>/dev/null)"
# another user can neither join the switch nor read its counters
for sock in "$P/lab/ctl/ctl" "$P/lab/mgmt"; do
	out=$(setpriv --reuid=daemon --regid=daemon --clear-groups --inh-caps=-all \
		socat -u OPEN:/dev/null UNIX-CONNECT:"$sock" 2>&1) &&
		fail "user daemon connected to $sock" ||
		expect_contains "user daemon cannot connect to ${sock#"$P"/}" "Permission denied" "$out"
done
for vm in a b; do
	check "$vm finished its pings and fetches" wait_serial 90 "$vm" QNM-PRIV-DONE
done
out=$(nob start c) || fatal "qnm start c as nobody: $out"
SW_OTHER=$(cat "$P/other/pid" 2>/dev/null)
check "another switch runs for segment other (pid ${SW_OTHER:-none})" \
	test -n "$SW_OTHER" -a "${SW_OTHER:-0}" != "${SW_LAB:-0}" -a -d "/proc/${SW_OTHER:-0}"
check "c finished its pings and fetches" wait_serial 60 c QNM-PRIV-DONE
grep -a 'ping \|fetch ' "$(serial_log a)" "$(serial_log b)" "$(serial_log c)" | sed 's/^/  /'
check "a pings b on segment lab" grep -qF "ping 10.10.0.2: 3 packets received" "$(serial_log a)"
check "b pings a on segment lab" grep -qF "ping 10.10.0.1: 3 packets received" "$(serial_log b)"
check "a fetches b's page" grep -qF "fetch 10.10.0.2: private-token-b" "$(serial_log a)"
check "b fetches a's page" grep -qF "fetch 10.10.0.1: private-token-a" "$(serial_log b)"
check "c (segment other) does not reach a" grep -qF "ping 10.10.0.1: 0 packets received" "$(serial_log c)"
check "c (segment other) does not reach b" grep -qF "ping 10.10.0.2: 0 packets received" "$(serial_log c)"
check "c fetches nothing from a" grep -qxF "fetch 10.10.0.1: " <(tr -d '\r' <"$(serial_log c)")

# counters from the switch's ports: a's frames all go to b (two ports on lab)
J=$(nob stats a b --json --interval 0.2)
stat() { echo "$J" | jq -r --arg n "$1" ".interfaces[] | select(.name == \$n) | $2"; }
expect_eq "a/n0 is a private NIC of a, available" "private a n0 true" \
	"$(stat a/n0 '"\(.role) \(.vm) \(.nic) \(.available)"')"
[ "$(stat a/n0 .stats.rx_packets)" -gt 5 ] 2>/dev/null && ok "a sent frames: $(stat a/n0 .stats.rx_packets)" ||
	fail "a/n0 counted no frames from a ($(stat a/n0 .stats))"
expect_eq "what a sent is what the switch gave b (bytes, packets)" \
	"$(stat a/n0 '"\(.stats.rx_bytes) \(.stats.rx_packets)"')" \
	"$(stat b/n0 '"\(.stats.tx_bytes) \(.stats.tx_packets)"')"

# the switch stays for b, and goes with the last guest
nob stop a --timeout 30 >/dev/null || fail "stop a"
check "lab's switch runs on while b is on it" test -d "/proc/${SW_LAB:-0}"
nob stop b --timeout 30 >/dev/null || fail "stop b"
check "lab's switch stopped with its last guest" gone "${SW_LAB:-0}"
check "lab's directory is gone" test ! -e "$P/lab"

# a killed supervisor released nothing: stop reclaims the switch
kill -9 "$(field c supervisor_pid)" "$(field c qemu_pid)"
out=$(nob stop c 2>&1)
echo "  $out"
expect_contains "stop after the kill says it stopped the switch" \
	"stopped the switch of private segment other, pid $SW_OTHER" "$out"
check "other's switch is gone" gone "${SW_OTHER:-0}"

expect_eq "nothing was created in the network namespace" "$links_before" "$(ip -o link; ip -o addr)"
finish
