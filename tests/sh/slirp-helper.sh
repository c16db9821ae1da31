#!/bin/bash
# qnm slirp-helper without a guest: options, sockets, ready reporting, control requests
# through "qnm slirp-helper ctl", port clashes, connect timeout, clean exit on SIGTERM.
# Runs in a private network namespace so its ports cannot clash with anything.
if [ -z "${QNM_SLIRP_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -n)"; exit 77; }
	unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
	QNM_SLIRP_NETNS=1 exec timeout -k 5 60 unshare -n "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd busybox busybox-static
"$QNM" slirp-helper --help 2>/dev/null | grep -q -- '--socket' ||
	skip "$QNM does not dispatch the slirp-helper command"
ip link set lo up

S=$T/run/s.sock
C=$T/run/c.ctl
ctl() { "$QNM" slirp-helper ctl "$C" "$@"; }
ctl_quiet() { ctl "$@" >/dev/null; }

# port_listens PORT - a TCP socket listens on PORT (state 0A in /proc/net/tcp*).
port_listens() {
	awk -v p="$(printf ':%04X' "$1")" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6
}
not_connect() { ! bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# usage errors: exit 2, a message naming the problem, nothing created
expect_status() {
	local want=$1 desc=$2 out
	shift 2
	out=$("$@" 2>&1)
	local got=$?
	expect_eq "$desc: exit status" "$want" "$got"
	[ -n "${NEEDLE:-}" ] && expect_contains "$desc: message" "$NEEDLE" "$out"
	NEEDLE=
}
NEEDLE="--socket and --control are required" \
	expect_status 2 "no sockets" "$QNM" slirp-helper
NEEDLE="protocol 'sctp'" \
	expect_status 2 "bad --hostfwd" "$QNM" slirp-helper --socket "$S" --control "$C" --hostfwd sctp::1-:2
NEEDLE="nic[n0].net" \
	expect_status 2 "bad --net" "$QNM" slirp-helper --socket "$S" --control "$C" --net 10.0.2.0/31
NEEDLE="outside the guest network" \
	expect_status 2 "--dns outside --net" "$QNM" slirp-helper --socket "$S" --control "$C" --dns 192.168.0.3
NEEDLE="must be on or off" \
	expect_status 2 "bad --ipv6" "$QNM" slirp-helper --socket "$S" --control "$C" --ipv6 maybe
NEEDLE="unknown or incomplete option" \
	expect_status 2 "unknown option" "$QNM" slirp-helper --socket "$S" --control "$C" --frob
NEEDLE="unknown request 'frob'" expect_status 2 "ctl: unknown request" "$QNM" slirp-helper ctl "$C" frob
check "nothing created on bad input" test -z "$(ls -A "$T/run")"

# start, report ready on a descriptor, answer requests
"$QNM" slirp-helper --socket "$S" --control "$C" --net 10.7.0.0/24 --ipv6 off \
	--hostfwd tcp:127.0.0.1:2222-:22 --ready-fd 3 3>"$T/ready" 2>"$T/helper.log" &
H=$!
at_exit "kill $H 2>/dev/null"
wait_for 5 grep -q . "$T/ready" || fatal "helper did not report ready"
expect_eq "ready report" "ok" "$(cat "$T/ready")"
expect_eq "QEMU socket is owner-only" "srw-------" "$(stat -c %A "$S")"
expect_eq "control socket is owner-only" "srw-------" "$(stat -c %A "$C")"
info=$(ctl info)
expect_contains "info: net" "net 10.7.0.0/24" "$info"
expect_contains "info: host defaults to .2" "host 10.7.0.2" "$info"
expect_contains "info: dhcpstart defaults to .15" "dhcpstart 10.7.0.15" "$info"
expect_contains "info: pid" "pid $H" "$info"
expect_contains "stats before QEMU" "connected false" "$(ctl stats)"
json=$(ctl stats --json)
expect_contains "stats --json" '"rx_bytes": 0' "$json"
expect_eq "start-up forward listed" "tcp:127.0.0.1:2222-:22" "$(ctl hostfwd-list)"

# a port in use, named in the error; the helper keeps running
busybox nc -l -p 3334 </dev/zero >/dev/null &
N=$!
at_exit "kill $N 2>/dev/null"
wait_for 5 port_listens 3334 || fatal "nc did not listen"
out=$(ctl hostfwd-add tcp::3334-:80 2>&1)
expect_eq "port in use: exit status" 1 $?
expect_contains "port in use: message names the port" "host port 3334 (tcp) on all addresses is already in use" "$out"
check "add on a free port" ctl hostfwd-add tcp:127.0.0.1:4444-:80
check "its port listens" bash -c 'exec 3<>/dev/tcp/127.0.0.1/4444'
out=$(ctl hostfwd-remove tcp:127.0.0.1:4445 2>&1)
expect_contains "remove of an unknown forward" "no forward from host port 4445" "$out"
check "remove" ctl hostfwd-remove tcp:127.0.0.1:4444
expect_contains "conns shows the start-up forward" "HOST_FORWARD" "$(ctl conns)"

# a second helper on the same sockets is refused, the first one untouched
out=$("$QNM" slirp-helper --socket "$S" --control "$T/run/other.ctl" 2>&1)
expect_eq "second helper on a live socket: exit status" 1 $?
expect_contains "second helper: message" "another process is listening there" "$out"
check "first helper still answers" ctl_quiet info

# SIGTERM: exit 0, sockets removed
kill -TERM $H
wait $H
expect_eq "exit status after SIGTERM" 0 $?
check "QEMU socket removed" test ! -e "$S"
check "control socket removed" test ! -e "$C"
check "forward port closed" not_connect 2222

# a stale socket file (nobody listening) is replaced; QEMU never connecting times out
"$QNM" slirp-helper --socket "$S" --control "$C" --connect-timeout 1 2>"$T/h2.log" &
H2=$!
wait_for 5 test -S "$C" || fatal "second helper did not start"
kill -KILL $H2
wait $H2 2>/dev/null
check "stale socket left behind by SIGKILL" test -S "$S"
start=$(date +%s%N)
"$QNM" slirp-helper --socket "$S" --control "$C" --connect-timeout 1 2>"$T/h3.log"
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "connect timeout: exit status" 1 "$st"
expect_contains "connect timeout: message" "QEMU did not connect to $S within 1 s" "$(cat "$T/h3.log")"
check "connect timeout after about 1 s ($ms ms)" test "$ms" -ge 900 -a "$ms" -lt 3000
check "stale socket was replaced, then removed" test ! -e "$S"
finish
