# tests/ui-lib.sh - drive the real qnm text UI in a private tmux server.
# Sourced after tests/lib.sh. Every test gets its own tmux socket and
# config; the server is killed at exit.
#
#   ui_start [-x COLS] [-y ROWS] [ARGS...]  start "qnm ARGS" in a new session
#   ui_screen                               print the current screen
#   ui_output                               all output (history, joined lines)
#   ui_wait TEXT [SECONDS]                  wait until TEXT is on screen and
#                                           the screen stopped changing
#   ui_wait_gone TEXT [SECONDS]             wait until TEXT is gone
#   ui_keys KEY...                          tmux key names (Down, Enter, F2, C-s)
#   ui_type TEXT                            literal text
#   ui_resize COLS ROWS                     resize the window
#   ui_dead                                 true when qnm has exited
#   ui_status                               its exit status (after ui_dead)
#   ui_expect DESC TEXT                     check TEXT is on the screen
#   ui_expect_not DESC TEXT                 check TEXT is not on the screen
#   ui_words TEXT                           TEXT is on the screen, wrapped or not

need_cmd tmux tmux
unset TMUX TMUX_PANE
export LANG=${UI_LANG:-C.UTF-8} LC_ALL=${UI_LANG:-C.UTF-8} TERM=${UI_TERM:-xterm-256color}
UI_SOCK="$T/tmux.sock"
UI_CONF="$T/tmux.conf"
UI_TARGET=qnm
UI_STATUS="$T/ui-status"
printf 'set -g remain-on-exit on\nset -g status off\nset -g default-terminal "%s"\nset -g escape-time 0\nset -g history-limit 100\n' \
	"$TERM" >"$UI_CONF"
at_exit "tmux -S '$UI_SOCK' kill-server 2>/dev/null"

_ui() { tmux -S "$UI_SOCK" "$@"; }

ui_start() {
	local cols=80 rows=24 cmd q a
	while [ $# -gt 0 ]; do
		case $1 in
		-x) cols=$2; shift 2 ;;
		-y) rows=$2; shift 2 ;;
		*) break ;;
		esac
	done
	cmd=""
	# UI_PREFIX: a command to run qnm under, e.g. (ip netns exec NS)
	for a in "${UI_PREFIX[@]:-}"; do [ -n "$a" ] && cmd+="$(printf '%q' "$a") "; done
	cmd+="env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR'"
	cmd+=" XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CACHE_HOME='$XDG_CACHE_HOME' HOME='$HOME'"
	cmd+=" LANG='$LANG' LC_ALL='$LC_ALL' TERM='$TERM'"
	[ -n "${NO_COLOR:-}" ] && cmd+=" NO_COLOR=1"
	for a in "${UI_ENV[@]:-}"; do [ -n "$a" ] && cmd+=" $(printf '%q' "$a")"; done
	cmd+=" $(printf '%q' "$QNM")"
	for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
	# A shell waits for qnm and records its status: tmux 3.3a sometimes
	# leaves a dead pane's process unreaped, without a status.
	rm -f "$UI_STATUS"
	cmd="$cmd; echo \$? >'$UI_STATUS'"
	_ui -f "$UI_CONF" new-session -d -s "$UI_TARGET" -x "$cols" -y "$rows" "$cmd" ||
		fatal "tmux new-session failed"
}

ui_screen() { _ui capture-pane -p -t "$UI_TARGET" 2>/dev/null; }
# ui_output: everything the pane printed, history included, wrapped lines joined
ui_output() { _ui capture-pane -p -J -S -200 -t "$UI_TARGET" 2>/dev/null; }

# ui_wait TEXT [SECONDS]: TEXT shows up, then two captures 0.2 s apart agree.
ui_wait() {
	local text=$1 t=${2:-10} i a b
	for ((i = 0; i < t * 20; i++)); do
		if ui_screen | grep -qF -- "$text"; then
			a=$(ui_screen)
			for ((; i < t * 20; i++)); do
				sleep 0.2
				b=$(ui_screen)
				[ "$a" = "$b" ] && return 0
				a=$b
			done
			return 0
		fi
		sleep 0.05
	done
	echo "--- screen while waiting for '$text':"
	ui_screen
	echo "---"
	return 1
}

ui_wait_gone() {
	local text=$1 t=${2:-10} i
	for ((i = 0; i < t * 20; i++)); do
		ui_screen | grep -qF -- "$text" || return 0
		sleep 0.05
	done
	return 1
}

ui_keys() { _ui send-keys -t "$UI_TARGET" "$@"; sleep 0.05; }
ui_type() { _ui send-keys -t "$UI_TARGET" -l -- "$1"; sleep 0.05; }
ui_resize() { _ui resize-window -t "$UI_TARGET" -x "$1" -y "$2"; sleep 0.1; }
ui_dead() { [ -s "$UI_STATUS" ]; }
ui_status() {
	wait_for 5 ui_dead
	cat "$UI_STATUS" 2>/dev/null
}

ui_expect() {
	if ui_screen | grep -qF -- "$2"; then
		ok "$1"
	else
		fail "$1"
		echo "  missing: $2"
		ui_screen | sed 's/^/  | /'
	fi
}

# ui_expect_words DESC TEXT: TEXT on the screen, runs of blanks counting as one
# (for columns whose width follows their content).
ui_expect_words() {
	if ui_words "$2"; then
		ok "$1"
	else
		fail "$1"
		echo "  missing (blanks collapsed): $2"
		ui_screen | sed 's/^/  | /'
	fi
}

ui_expect_not() {
	if ui_screen | grep -qF -- "$2"; then
		fail "$1"
		echo "  unexpected: $2"
		ui_screen | sed 's/^/  | /'
	else
		ok "$1"
	fi
}

# ui_goto_field LABEL: Tab through a form until the active-row marker is on LABEL.
ui_goto_field() {
	local i
	for ((i = 0; i < 40; i++)); do
		ui_screen | grep -q "^ *>$1" && return 0
		ui_keys Tab
	done
	echo "field '$1' not reached"
	return 1
}

# ui_error_at DESC LABEL MSG: MSG is on the 1-3 lines right under LABEL's line
# (a form shows a field's error there).
ui_error_at() {
	local desc=$1 label=$2 msg=$3
	wait_for 3 ui_words "$msg" # wrapped at the form's width, or not
	if ui_screen | grep -A3 "^ *>\?$label" | tail -n +2 | tr -s ' \n' ' ' | grep -qF -- "$msg"; then
		ok "$desc"
	else
		fail "$desc"
		echo "  expected under '$label': $msg"
		ui_screen | sed 's/^/  | /'
	fi
}

# ui_demo_page DESC: check the demo guest serves its web page through its
# forward (127.0.0.1:PORT, from demo.conf; the guest gets its address by DHCP
# a few seconds after boot); sets DEMO_PORT.
ui_demo_page() {
	local page="" i
	DEMO_PORT=$(sed -n 's/^hostfwd = tcp:127.0.0.1:\([0-9]*\)-:80$/\1/p' "$XDG_CONFIG_HOME/qnm/vms/demo.conf")
	[ -n "$DEMO_PORT" ] || { fail "$1: no forward in demo.conf"; return; }
	for ((i = 0; i < 60; i++)); do
		page=$(timeout 3 wget -qO- "http://127.0.0.1:$DEMO_PORT/" 2>/dev/null) && [ -n "$page" ] && break
		sleep 0.5
	done
	expect_contains "$1" "demo guest" "$page"
}

# ui_words TEXT: TEXT is on the screen wherever it wraps (each run of spaces
# and line ends counts as one space); wait_for 3 ui_words TEXT waits for it.
ui_words() { ui_screen | tr -s ' \n' ' ' | grep -qF -- "$1"; }

# ui_nic_form ROW FIELD: from any screen, open the first VM's form, Enter on
# its NIC row matching "[ ROW" (e.g. the model), go to FIELD of the NIC form
# and clear it.
ui_nic_form() {
	local i
	ui_keys Escape Escape Escape 1 e
	ui_wait "Memory (MiB)" 5 >/dev/null || { fail "VM form did not open"; return 1; }
	for ((i = 0; i < 30; i++)); do
		ui_screen | grep -q ">.*\[ $1" && break
		ui_keys Tab
	done
	ui_keys Enter
	ui_wait "$2" 3 >/dev/null || { fail "NIC form did not open, or has no $2 row"; return 1; }
	ui_goto_field "$2"
	ui_keys C-u
}

# ui_quit: press q and wait for qnm to exit.
ui_quit() {
	ui_keys q
	wait_for 5 ui_dead
}
