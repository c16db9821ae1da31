#!/bin/bash
# ui-quit: every way out restores the terminal: F10, q, SIGTERM, SIGHUP.
# Checked from tmux's view of the pane (alternate screen left, cursor shown,
# keypad mode off) and from the tty itself (stty settings as before).
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web >/dev/null || fatal "qnm new"
flags() { tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{alternate_on} #{cursor_flag} #{keypad_cursor_flag}'; }

# run_qnm: qnm inside a shell that records the tty settings around it
run_qnm() {
	tmux -S "$UI_SOCK" kill-server 2>/dev/null
	sleep 0.1
	rm -f "$T/before" "$T/after" "$UI_STATUS"
	tmux -S "$UI_SOCK" -f "$UI_CONF" new-session -d -s "$UI_TARGET" -x 80 -y 24 \
		"env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' XDG_CACHE_HOME='$XDG_CACHE_HOME' HOME='$HOME' LANG='$LANG' TERM='$TERM' bash -c 'stty -g >$T/before; \"\$0\"; echo \$? >$T/st; stty -g >$T/after; echo QNM-RETURNED; mv $T/st $UI_STATUS; sleep 60' '$QNM'" ||
		fatal "tmux"
	ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
	expect_eq "$1: alternate screen while running" "1" "$(flags | cut -d' ' -f1)"
}

after() {
	local desc=$1 status=$2
	wait_for 5 ui_dead || { fail "$desc: qnm did not exit"; return; }
	ui_wait "QNM-RETURNED" 3 >/dev/null
	expect_eq "$desc: exit status" "$status" "$(cat "$UI_STATUS")"
	expect_eq "$desc: alternate screen left, cursor on, keypad off" "0 1 0" "$(flags)"
	expect_eq "$desc: tty settings restored" "$(cat "$T/before")" "$(cat "$T/after")"
	ui_expect "$desc: shell output visible again" "QNM-RETURNED"
}

qnm_pid() {
	local sh
	sh=$(tmux -S "$UI_SOCK" display -p -t "$UI_TARGET" '#{pane_pid}')
	pgrep -P "$sh" | head -1
}

run_qnm F10
ui_keys F10
after F10 0

run_qnm q
ui_keys q
after q 0

# quitting from inside a form and a dialog
run_qnm "F10 in a form"
ui_keys e
ui_wait "Memory (MiB)" 3 >/dev/null
ui_keys F10
after "F10 in a form" 0

for sig in TERM HUP INT; do
	run_qnm "SIG$sig"
	ui_keys e
	ui_wait "Memory (MiB)" 3 >/dev/null
	pid=$(qnm_pid)
	[ -n "$pid" ] || fatal "no qnm pid"
	kill -"$sig" "$pid"
	after "SIG$sig" 0
done
finish
