#!/bin/bash
# ui-ports: the Ports screen (8) of the real UI, inside a network namespace
# this test creates: a VM's hostfwd port held by a socat started here is a
# CONFLICT naming socat and its pid (cross-checked with ss -p), and shows
# free once that socat is stopped (refresh tick and r); a network's DNAT
# forward is listed with who can reach it (REACH FROM); a privileged port
# gets its explanation. At 80x24,
# 132x43 and LANG=C. The forward and NIC forms name the holder of a port
# before anything is saved.
. "$QNM_SRCDIR/tests/lib.sh"
need_root
need_cmd socat socat
need_cmd ss iproute2
. "$QNM_SRCDIR/tests/ui-lib.sh"

NS=$(new_netns uiports)
in_ns() { ip netns exec "$NS" "$@"; }
"$QNM" new web >/dev/null || fatal "new"
"$QNM" nic add web backend=user hostfwd=tcp::8080-:80 >/dev/null || fatal "nic add"
"$QNM" net add lan bridge=qnmport0 address=10.79.0.1/24 mode=isolated >/dev/null || fatal "net add"
"$QNM" forward add --net lan tcp::9090-10.79.0.10:90 >/dev/null || fatal "forward add"
UI_PREFIX=(ip netns exec "$NS")

bound() { in_ns ss -H -lnt "sport = :$1" | grep -q .; }
# socat_start: a socat holding tcp 8080 in the namespace; sets SOCAT (its pid)
socat_start() {
	in_ns socat TCP-LISTEN:8080,reuseaddr,fork /dev/null &
	at_exit "kill $! 2>/dev/null"
	wait_for 10 bound 8080 || fatal "socat did not listen"
	# "ip netns exec" may fork: the holder's pid as ss sees it (an independent view)
	SOCAT=$(in_ns ss -H -lntp "sport = :8080" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
	expect_eq "ss: socat holds 8080" socat "$(cat "/proc/$SOCAT/comm" 2>/dev/null)"
	at_exit "kill $SOCAT 2>/dev/null"
}
socat_stop() {
	kill "$SOCAT"
	wait_for 10 sh -c "! ip netns exec '$NS' ss -H -lnt 'sport = :8080' | grep -q ." ||
		fail "socat still holds 8080"
}

for size in 80x24 132x43; do
	cols=${size%x*} rows=${size#*x}
	tmux -S "$UI_SOCK" kill-server 2>/dev/null
	socat_start
	ui_start -x "$cols" -y "$rows"
	ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start at $size"
	ui_keys 8
	ui_wait "HELD BY" 5 >/dev/null && ok "$size: ports screen" || fail "$size: no ports screen"
	ui_expect "$size: one-line explanation" "Host ports forwarded to guests"
	ui_wait "socat (pid $SOCAT)" 5 >/dev/null && ok "$size: socat named as the holder" ||
		fail "$size: holder not named"
	ui_expect "$size: conflict state" "[CONFLICT] tcp *:8080"
	ui_expect "$size: detail says what it blocks" "so VM web cannot start"
	ui_expect "$size: DNAT forward listed" "lan 10.79.0.10:90"
	# who can reach each port (issue 13 item 6): short words when narrow
	if [ "$cols" -lt 100 ]; then
		ui_expect "$size: reach column" "REACH FROM TO"
		ui_expect_words "$size: unaddressed hostfwd reachable from all networks" "tcp *:8080 all nets"
	else
		ui_expect "$size: reach column" "REACHABLE FROM"
		ui_expect_words "$size: unaddressed hostfwd reachable from all networks" "tcp *:8080 all networks"
	fi
	ui_expect_not "$size: no privileged note without a low port" "are privileged"
	expect_eq "$size: screen height" "$rows" "$(ui_screen | wc -l)"
	socat_stop
	wait_for 5 ui_words "[free] tcp *:8080" && ok "$size: free after socat stopped (tick)" ||
		fail "$size: still held after socat stopped"
	ui_expect_not "$size: socat gone from the screen" "socat (pid"
	ui_keys F10
	wait_for 5 ui_dead && ok "$size: quit" || fail "$size: quit"
	expect_eq "$size: exit status" 0 "$(ui_status)"
done

# The forms name the holder before saving: a new forward (Forwards tab) and a
# new user NIC whose hostfwd wants 8080, held by socat, get the error at their
# port field, and nothing is written. The VM's own existing 8080 forward is
# not held against it when its NIC is edited.
snap() { (cd "$XDG_CONFIG_HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(snap)
socat_start
tmux -S "$UI_SOCK" kill-server 2>/dev/null
ui_start -x 80 -y 24
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start (forms)"
ui_keys 3 n
ui_wait "Guest port" 5 >/dev/null || fail "forward form did not open"
ui_goto_field "Host address" &&
	ui_expect "forward form: the host address's hint says who reaches it" "127.0.0.1: reachable from this host only"
ui_goto_field "Host port" && ui_type 8080
ui_goto_field "Guest port" && ui_type 8000
ui_keys F2
ui_error_at "forward form: held host port names socat at the field" "Host port" \
	"host port tcp/127.0.0.1:8080 is already in use by socat (pid $SOCAT)"
ui_keys Escape Escape Escape 1 e
ui_wait "Memory (MiB)" 5 >/dev/null || fail "VM form did not open"
ui_goto_field ".*\[ virtio-net-pci" && ui_keys Enter
ui_wait "Device model" 3 >/dev/null || fail "NIC form of n0 did not open"
ui_keys F2
ui_wait_gone "Device model" 3 && ok "NIC form: its own existing 8080 forward is accepted" ||
	fail "NIC form refused its own existing forward"
ui_keys Escape
ui_keys Escape Escape 1 e
ui_wait "Memory (MiB)" 5 >/dev/null || fail "VM form did not open again"
ui_keys F4
ui_wait "Device model" 3 >/dev/null || fail "new NIC form did not open"
ui_goto_field "Port forwards" && ui_type "tcp::8080-:22"
ui_keys F2
ui_error_at "NIC form: held hostfwd port names socat at the field" "Port forwards" \
	"already in use by socat (pid $SOCAT)"
ui_keys Escape Escape Escape
ui_keys F10
wait_for 5 ui_dead || fail "did not quit (forms)"
expect_eq "held ports: no config file changed" "$before" "$(snap)"
socat_stop

# r refreshes at once; a privileged port is explained
"$QNM" forward add --vm web tcp:127.0.0.1:80-:8000 >/dev/null || fatal "forward add 80"
tmux -S "$UI_SOCK" kill-server 2>/dev/null
LANG=C LC_ALL=C TERM=vt100 ui_start -x 80 -y 24
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start under LANG=C"
ui_keys 8
ui_wait "HELD BY" 5 >/dev/null || fail "C: no ports screen"
ui_expect "C: privileged ports explained" "Ports below 1024 are privileged"
ui_expect "C: the low port listed" "tcp 127.0.0.1:80"
ui_expect_words "C: 127.0.0.1 reachable from this host" "tcp 127.0.0.1:80 this host"
socat_start
ui_keys r
ui_expect "C: r refreshed at once (its log line)" "3 forwarded host port(s), looked up in"
ui_wait "socat (pid $SOCAT)" 3 >/dev/null && ok "C: r shows the new holder" || fail "C: r did not refresh"
ui_expect "C: conflict as a word" "[CONFLICT]"
if ui_screen | LC_ALL=C grep -q '[^ -~]'; then
	fail "C: non-ASCII on screen"
	ui_screen | sed 's/^/  | /'
else
	ok "C: only ASCII on screen"
fi
socat_stop
ui_keys q
wait_for 5 ui_dead || fail "C: did not quit"

# A running VM's own forwards are fine: its QEMU holds the hostfwd port, its
# slirp helper the slirp one (a real diskless QEMU under TCG, in the namespace).
if command -v qemu-system-x86_64 >/dev/null; then
	q() { in_ns timeout 60 "$QNM" "$@"; }
	q new run >/dev/null && q set run accel=tcg memory=64 >/dev/null || fatal "new run"
	q nic add run backend=user hostfwd=tcp:127.0.0.1:2300-:22 >/dev/null || fatal "user NIC"
	q nic add run backend=slirp hostfwd=tcp:127.0.0.1:2301-:22 >/dev/null || fatal "slirp NIC"
	out=$(q start run 2>&1) || fatal "qnm start failed: $out"
	at_exit "ip netns exec $NS timeout 30 $QNM stop run --force >/dev/null 2>&1"
	qpid=$(echo "$out" | sed -n 's/.*QEMU pid \([0-9]*\).*/\1/p')
	wait_for 10 bound 2300 || fail "QEMU did not bind 2300"
	wait_for 10 bound 2301 || fail "the helper did not bind 2301"
	hpid=$(in_ns ss -H -lntp "sport = :2301" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
	tmux -S "$UI_SOCK" kill-server 2>/dev/null
	ui_start -x 132 -y 43
	ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start (running VM)"
	ui_keys 8
	ui_wait "HELD BY" 5 >/dev/null
	ui_expect "running VM: its QEMU named, fine" "VM run's QEMU (pid $qpid)"
	ui_expect_words "running VM: hostfwd port fine" "[fine] tcp 127.0.0.1:2300"
	ui_expect "running VM: its slirp helper named (pid from ss)" "VM run's slirp helper (pid $hpid)"
	ui_expect_words "running VM: slirp port fine" "[fine] tcp 127.0.0.1:2301"
	ui_keys q
	wait_for 5 ui_dead || fail "did not quit (running VM)"
	out=$(q ports)
	expect_contains "qnm ports names the helper too" "VM run (its slirp helper, pid $hpid)" "$out"
	q stop run --force >/dev/null 2>&1
else
	echo "note: no qemu-system-x86_64; the running-VM case was not run"
fi
finish
