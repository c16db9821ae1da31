#!/bin/bash
# rundir-comma.sh - issue 13: a ',' in the runtime dir ($XDG_RUNTIME_DIR)
# reaches QEMU doubled in every option string that names a path there (QMP,
# the events monitor's -chardev, slirp sockets), so the guest starts, is
# found running, answers QMP and stops; and what the guest prints on its
# serial console reaches a terminal with its control sequences made visible.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
command -v script >/dev/null || skip "needs script (Debian package bsdutils)"

export XDG_RUNTIME_DIR="$T/run,time"
mkdir -m 700 "$XDG_RUNTIME_DIR"
ESC=$(printf '\033')

cat >"$T/guest.sh" <<'EOF2'
. /etc/qnm/lib.sh
printf '\033]0;guest-title\007\033[31mRED-TEXT\033[0m\n'
echo QNM-READY
sleep 600
EOF2
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=user ipv6=off >/dev/null || fatal "nic add user"
"$QNM" nic add vm model=e1000 backend=slirp >/dev/null || fatal "nic add slirp"

"$QNM" start vm >"$T/start.out" 2>&1 || { cat "$T/start.out"; fatal "start with a ',' in the runtime dir"; }
check "guest boots" wait_serial 30 vm QNM-READY
pid=$(guest_field vm qemu_pid)
expect_eq "status: running (the QEMU of the dir is recognised)" running "$(guest_field vm status)"
expect_eq "QMP answers over the socket in the ',' dir" running "$(guest_field vm qemu_state)"
check "the events monitor listens where qnm asked" test -S "$XDG_RUNTIME_DIR/qnm/vm/events.sock"
tr '\0' '\n' <"/proc/$pid/cmdline" >"$T/cmdline"
expect_contains "-chardev has the path with ',' doubled" \
	"socket,id=qnm-events,path=$T/run,,time/qnm/vm/events.sock,server=on" "$(cat "$T/cmdline")"
expect_contains "-qmp too" "unix:$T/run,,time/qnm/vm/qmp.sock,server=on" "$(cat "$T/cmdline")"
expect_contains "the serial console's -chardev too (its log)" \
	"pty,id=qnm-serial0,logfile=$T/run,,time/qnm/vm/serial.log" \
	"$(cat "$T/cmdline")"
check "link down and up over QMP" bash -c '"$0" link vm n0 down >/dev/null && "$0" link vm n0 up >/dev/null' "$QNM"

# The guest's escape sequences: raw in the log and to a pipe, visible on a tty.
check "the log holds the raw sequence" grep -q "${ESC}\[31mRED-TEXT" "$(serial_log vm)"
script -qec "$QNM console vm </dev/null" /dev/null >"$T/tty.out" </dev/null
expect_eq "tty: no ESC reaches the terminal" 0 "$(grep -c "$ESC" "$T/tty.out")"
expect_contains "tty: the sequence is shown" '^[]0;guest-title^G^[[31mRED-TEXT^[[0m' "$(cat "$T/tty.out")"
check "pipe: the log as the guest wrote it" bash -c '"$0" console vm | grep -q "$1\[31mRED-TEXT"' "$QNM" "$ESC"

"$QNM" stop vm >/dev/null || fail "stop"
expect_eq "stopped: QEMU gone" no "$(kill -0 "$pid" 2>/dev/null && echo yes || echo no)"
expect_eq "status after stop" absent "$(guest_field vm status)"
finish
