#!/bin/bash
# fault-sighup.sh - the terminal of the text UI hangs up (SIGHUP to qnm in a
# private tmux server) while a guest runs: the UI exits, the terminal is
# restored (normal screen, cursor visible), the guest keeps running; then
# a new UI whose terminal really goes away (tmux server killed) exits too.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

cat >"$T/guest.sh" <<'G'
. /etc/qnm/lib.sh
echo QNM-READY
sleep 600
G
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=user ipv6=off >/dev/null || fatal "nic add"
"$QNM" start vm >/dev/null || fatal "start"
check "guest boots" wait_serial 30 vm QNM-READY
qpid=$(guest_field vm qemu_pid)

# Like ui_start, but the pane lives on after qnm exits, so the terminal
# state qnm leaves behind can be read (a dead pane reports no cursor).
_ui -f "$UI_CONF" new-session -d -s "$UI_TARGET" -x 100 -y 30 \
	"env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' HOME='$HOME' \
	XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CACHE_HOME='$XDG_CACHE_HOME' '$QNM'; echo QNM-UI-EXIT=\$?; sleep 60" ||
	fatal "tmux new-session failed"
ui_wait "virtio-net-pci/user" 10 >/dev/null || fail "UI shows the VM"
pane=$(tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{pane_pid}')
uipid=$(ps -o pid= --ppid "$pane" | tr -d ' ' | head -n 1)
expect_contains "the UI process is qnm" "qnm" "$(tr '\0' ' ' <"/proc/$uipid/cmdline" 2>/dev/null)"
expect_eq "the UI is on the alternate screen" 1 \
	"$(tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{alternate_on}')"

kill -HUP "$uipid"
check "SIGHUP: the UI exits" ui_wait "QNM-UI-EXIT=" 5
ui_screen | grep "QNM-UI-EXIT=" | sed 's/^/  /'
expect_eq "SIGHUP: the shell got its terminal back (prompt line at the top)" "QNM-UI-EXIT=" \
	"$(ui_screen | head -n 1 | cut -c1-12)"
check "SIGHUP: the UI process is gone" bash -c "! kill -0 $uipid 2>/dev/null"
expect_eq "SIGHUP: terminal back on the normal screen" 0 \
	"$(tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{alternate_on}')"
expect_eq "SIGHUP: cursor visible again" 1 \
	"$(tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{cursor_flag}')"
expect_eq "SIGHUP: keypad mode off again" 0 \
	"$(tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{keypad_cursor_flag}')"
check "SIGHUP: the guest's QEMU still runs" kill -0 "$qpid"
expect_eq "SIGHUP: status still running" running "$(guest_field vm status)"
expect_eq "SIGHUP: same QEMU" "$qpid" "$(guest_field vm qemu_pid)"

tmux -S "$UI_SOCK" kill-server 2>/dev/null
sleep 0.2
UI_SOCK="$T/tmux2.sock"
at_exit "tmux -S '$UI_SOCK' kill-server 2>/dev/null"
ui_start -x 100 -y 30
ui_wait "virtio-net-pci/user" 10 >/dev/null
ui_expect "a new UI starts and shows the guest" "virtio-net-pci/user"
# A real hangup: the terminal (tmux's pty) goes away under the UI.
pane=$(tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{pane_pid}')
uipid=$(ps -o pid= --ppid "$pane" | tr -d ' ' | head -n 1)
[ -n "$uipid" ] || uipid=$pane
tmux -S "$UI_SOCK" kill-server
check "pty closed: the UI exits (does not spin on a dead terminal)" \
	wait_for 5 bash -c "! kill -0 $uipid 2>/dev/null"
check "pty closed: the guest's QEMU still runs" kill -0 "$qpid"
expect_eq "pty closed: status still running" running "$(guest_field vm status)"
"$QNM" stop vm --force >/dev/null
finish
