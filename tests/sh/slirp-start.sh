#!/bin/bash
# The slirp backend through "qnm start"/"qnm stop": the runner starts qnm slirp-helper before
# QEMU, the demo guest's web page is reachable through the helper's forward, a forward
# added while the guest runs works, the counters move, and stopping the VM (or QEMU dying)
# leaves no helper process and no runtime files. In a private network namespace.
if [ -z "${QNM_SLIRP_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -n)"; exit 77; }
	unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
	QNM_SLIRP_NETNS=1 exec timeout -k 5 120 unshare -n "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd qemu-system-x86_64 qemu-system-x86
ip link set lo up

out=$("$QNM" demo 2>&1) || { echo "$out"; skip "qnm demo could not build the demo guest"; }
check "switch the demo NIC to the slirp backend" "$QNM" nic set demo n0 backend=slirp
R=$XDG_RUNTIME_DIR/qnm/demo
CTL=$R/slirp-n0.ctl
ctl() { "$QNM" slirp-helper ctl "$CTL" "$@"; }
# http PORT - the first line of the demo's web page response through 127.0.0.1:PORT.
http() {
	timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 &&
		head -n 1 <&3" 2>/dev/null | tr -d '\r'
}
page_ok() { [ "$(http "$1")" = "HTTP/1.1 200 OK" ]; }
port_of() { "$QNM" show demo | sed -n 's/^hostfwd = tcp:127.0.0.1:\([0-9]*\)-:80$/\1/p'; }

# 1. start: the helper listens before QEMU, QEMU connects to it
at_exit "\"$QNM\" stop --force demo >/dev/null 2>&1"
check "qnm start" "$QNM" start demo
HPID=$(cat "$R/slirp-n0.pid" 2>/dev/null)
check "helper pid recorded" test -n "$HPID"
expect_contains "it is qnm slirp-helper" "slirp-helper" "$(tr '\0' ' ' <"/proc/$HPID/cmdline" 2>/dev/null)"
expect_eq "helper pid file is owner-only" "-rw-------" "$(stat -c %A "$R/slirp-n0.pid")"
expect_contains "QEMU connected to the helper" "connected true" "$(ctl stats)"

# 2. the web page through the forward the VM was started with
PORT=$(port_of)
wait_for 40 page_ok "$PORT"
expect_eq "demo page through the start-up forward" "HTTP/1.1 200 OK" "$(http "$PORT")"
rx=$(ctl stats | awk '$1 == "rx_bytes" { print $2 }')
check "counters moved ($rx bytes to the guest)" test "${rx:-0}" -gt 0

# 3. a forward added while the guest runs
check "hostfwd-add on the running VM" ctl hostfwd-add tcp:127.0.0.1:18080-:80
expect_eq "demo page through the live forward" "HTTP/1.1 200 OK" "$(http 18080)"
# ... and through the CLI: saved in the VM file and applied to the running helper
out=$("$QNM" forward add --vm demo tcp:127.0.0.1:18082-:80 2>&1)
expect_contains "qnm forward add applies live" "applied live to the running guest" "$out"
expect_eq "demo page through the CLI's live forward" "HTTP/1.1 200 OK" "$(http 18082)"
check "the forward is in the VM file" grep -q "hostfwd = tcp:127.0.0.1:18082-:80" "$XDG_CONFIG_HOME/qnm/vms/demo.conf"
out=$("$QNM" forward del --vm demo tcp:127.0.0.1:18082 2>&1)
expect_contains "qnm forward del removes it live" "applied live to the running guest" "$out"
check "port 18082 closed after the live removal" bash -c "! exec 3<>/dev/tcp/127.0.0.1/18082" 2>/dev/null

# 4. stop: no helper left, runtime directory gone
check "qnm stop" "$QNM" stop demo
wait_for 5 bash -c "! kill -0 $HPID 2>/dev/null" || fail "helper $HPID still runs after stop"
check "helper gone after stop" bash -c "! kill -0 $HPID 2>/dev/null"
check "runtime directory removed" test ! -e "$R/slirp-n0.sock"

# 5. QEMU killed: the helper notices the disconnect and exits, the supervisor reaps it
check "qnm start again" "$QNM" start demo
HPID=$(cat "$R/slirp-n0.pid")
kill -KILL "$(cat "$R/qemu.pid")"
wait_for 10 bash -c "! kill -0 $HPID 2>/dev/null" || true
check "helper gone after QEMU was killed" bash -c "! kill -0 $HPID 2>/dev/null"
finish
