#!/bin/bash
# console-cli.sh - `qnm console demo` in a tmux pane at 80x24 (issue 15.1):
# on a terminal it attaches (virsh style: "Connected to demo (escape
# character is ^])", the terminal raw meanwhile); typed commands reach the
# demo guest's shell (ip addr, ping -c1 10.0.2.2, here over QEMU's own
# user-mode network) and the answers come back; a second client is refused
# with a clear message naming the first; Ctrl-] returns to the shell with
# the terminal restored (icanon echo), and so do SIGTERM and SIGHUP (exit
# status 128+N). SIGKILL cannot be caught: nothing can restore the terminal
# then (`stty sane` does). --lines on a terminal still prints the log.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
need_cmd script util-linux
demo_shell user

# The serial port is QEMU's pty (a socket cost a buffer per byte: make
# bench-console), named in console.pty and made 0600 at start: nobody else
# (group tty's wall or write) can type into the guest.
PTY=$(cat "$XDG_RUNTIME_DIR/qnm/demo/console.pty" 2>/dev/null)
case $PTY in /dev/pts/[0-9]*) ok "console.pty names a pty ($PTY)" ;; *) fail "console.pty: '$PTY'" ;; esac
expect_eq "the pty is the user's alone" "600 $(id -u)" "$(stat -c '%a %u' "$PTY" 2>&1)"
if setpriv --reuid=65534 --regid=5 --clear-groups sh -c 'echo x >"$1"' sh "$PTY" 2>/dev/null; then
	fail "group tty can write into the guest's console"
else
	ok "group tty cannot write into the guest's console"
fi

# a shell in a pane; --noediting: bash leaves the terminal's modes alone, so
# what stty reports is what qnm left
_ui -f "$UI_CONF" new-session -d -s sh -x 80 -y 24 \
	"env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' HOME='$HOME' \
	 PS1='host\$ ' bash --norc --noprofile --noediting -i" || fatal "tmux"
pane() { _ui capture-pane -p -t sh; }
pane_has() { pane | grep -qF -- "$1"; }
pane_wait() { wait_for "${2:-10}" pane_has "$1" || { echo "--- no '$1' in the pane:"; pane; echo "---"; return 1; }; }
run() { _ui send-keys -t sh -l -- "$1"; _ui send-keys -t sh Enter; }
TTY=$(_ui display-message -p -t sh '#{pane_tty}')
SHPID=$(_ui display-message -p -t sh '#{pane_pid}')
modes() { stty -a -F "$TTY" | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig|icrnl)' | tr '\n' ' '; }
console_pid() { pgrep -P "$SHPID" -x qnm | head -1; }
pane_wait 'host$' 5 >/dev/null || fatal "no shell prompt in the pane"
expect_eq "the pane's terminal starts cooked" "icrnl isig icanon echo " "$(modes)"

run "clear; '$QNM' console demo"
pane_wait "Connected to demo (escape character is ^])" 5 && ok "attached, virsh's greeting" ||
	fail "no greeting"
expect_eq "raw while attached" "-icrnl -isig -icanon -echo " "$(modes)"
_ui send-keys -t sh Enter
run "ip addr"
pane_wait "inet 10.0.2.15/24 scope global eth0" 20 && ok "ip addr: the guest's answer (eth0 10.0.2.15)" ||
	fail "no ip addr answer"
run "ping -c1 10.0.2.2"
pane_wait "1 packets received" 20 && ok "ping -c1 10.0.2.2 over user-mode networking: answered" ||
	fail "no ping answer"
echo "--- the pane at 80x24:"
pane
echo "---"

# a second client: refused, naming the first
first=$(console_pid)
out=$(script -qec "'$QNM' console demo" /dev/null </dev/null 2>&1)
expect_contains "a second client is refused with a clear message" \
	"the console of 'demo' is in use by another client (pid $first)" "$out"

# Ctrl-] leaves: back at the shell prompt, the terminal restored
_ui send-keys -t sh C-]
wait_for 5 bash -c '! kill -0 "$0" 2>/dev/null' "$first" && ok "Ctrl-] ends qnm console" ||
	fail "qnm console still runs after Ctrl-]"
run "echo rc=\$?"
pane_wait "rc=0" 5 >/dev/null && ok "Ctrl-]: back at the shell, status 0" || fail "no status 0 after Ctrl-]"
expect_eq "Ctrl-]: terminal restored (icanon echo)" "icrnl isig icanon echo " "$(modes)"

# SIGTERM and SIGHUP restore it too
for sig in TERM HUP; do
	run "clear; '$QNM' console demo; echo rc=\$?"
	pane_wait "Connected to demo" 5 >/dev/null || fail "SIG$sig: not attached"
	wait_for 3 bash -c '[ "$(stty -a -F "$0" | grep -c -- -icanon)" = 1 ]' "$TTY"
	pid=$(console_pid)
	[ -n "$pid" ] && kill -"$sig" "$pid"
	want=$((128 + $(kill -l "$sig")))
	pane_wait "rc=$want" 5 >/dev/null && ok "SIG$sig: qnm console ends (status $want)" ||
		fail "SIG$sig: no status $want"
	expect_contains "SIG$sig: says so" "terminal restored" "$(pane)"
	expect_eq "SIG$sig: terminal restored (icanon echo)" "icrnl isig icanon echo " "$(modes)"
done

# on a terminal, --lines still prints the log (and the session is in it)
run "clear; '$QNM' console demo --lines 40; echo log-done"
pane_wait "log-done" 5 >/dev/null
expect_contains "--lines on a terminal prints the log, with the session" "packets received" "$(pane)"
expect_eq "--lines on a terminal does not attach" 0 "$(pane | grep -c Connected)"
"$QNM" console demo </dev/null >"$T/log.out"
expect_contains "the log kept the boot lines" "QNM-GUEST-UP" "$(cat "$T/log.out")"
exit $((FAILS > 0))
