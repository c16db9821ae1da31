#!/bin/bash
# ui-themes: every shipped theme loads; user themes come first; NO_COLOR and
# monochrome terminals keep selection visible; a broken theme file gives a
# clear FILE:LINE error; the UI works under several TERMs and, without a
# UTF-8 locale, draws with ASCII.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web >/dev/null || fatal "qnm new"
colour_sgr() { grep -cE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'; }
restart() {
	tmux -S "$UI_SOCK" kill-server 2>/dev/null
	sleep 0.1
	ui_start "$@"
}
stop() {
	ui_keys q
	wait_for 5 ui_dead || fail "$1: did not quit"
	expect_eq "$1: exit status" 0 "$(ui_status)"
}

for th in default dark light high-contrast mono; do
	restart --theme "$th"
	if ui_wait "NICS (model/backend)" 5 >/dev/null; then ok "theme $th starts"; else fail "theme $th"; fi
	ui_keys 6
	ui_wait "theme '$th'" 3 >/dev/null && ok "theme $th logged as loaded" || fail "theme $th not logged"
	ui_keys 1
	n=$(tmux -S "$UI_SOCK" capture-pane -e -p -t "$UI_TARGET" | colour_sgr)
	if [ "$th" = mono ]; then
		expect_eq "mono theme uses no colour" 0 "$n"
	else
		[ "$n" -gt 0 ] && ok "theme $th draws colours ($n)" || fail "theme $th: no colour"
	fi
	stop "theme $th"
done

# the theme picker (T): choose one from the list, it applies at once
restart
ui_wait "NICS (model/backend)" 5 >/dev/null
ui_keys T
ui_wait "Colour theme" 3 >/dev/null && ok "theme picker opens" || fail "no theme picker"
ui_expect "picker lists high-contrast" "high-contrast"
ui_type "li"
ui_keys Enter
ui_keys 6
ui_wait "theme 'light'" 3 >/dev/null && ok "picked theme applied" || fail "picked theme not applied"
stop "theme picker"

# NO_COLOR: no colours, but the selection is still reverse video
NO_COLOR=1 restart
ui_wait "NICS (model/backend)" 5 >/dev/null
screen=$(tmux -S "$UI_SOCK" capture-pane -e -p -t "$UI_TARGET")
expect_eq "NO_COLOR: no colour escapes" 0 "$(printf '%s' "$screen" | colour_sgr)"
printf '%s' "$screen" | grep -q $'\e\\[[0-9;]*7[;m]' && ok "NO_COLOR: selection in reverse video" ||
	fail "NO_COLOR: no reverse video"
stop "NO_COLOR"

# a user theme of the same name wins over the shipped one
mkdir -p "$XDG_CONFIG_HOME/qnm/themes"
printf '# mine\ntitle = red on green bold\nselection = black on yellow\n' >"$XDG_CONFIG_HOME/qnm/themes/default.theme"
restart
ui_keys 6
# (Messages shows the selected message whole, wrapped)
wait_for 5 ui_words "theme 'default' ($XDG_CONFIG_HOME/qnm/themes/default.theme)" &&
	ok "user theme found first" || { fail "user theme not used"; ui_screen | sed 's/^/  | /'; }
stop "user theme"

# a broken theme named on the command line: clear error, terminal untouched
printf 'title = white on blue\n\nselection = purple on cyan\n' >"$XDG_CONFIG_HOME/qnm/themes/broken.theme"
restart --theme broken
wait_for 5 ui_dead || fail "broken theme: qnm kept running"
expect_eq "broken theme: exit status" 1 "$(ui_status)"
out=$(ui_output)
expect_contains "broken theme: FILE:LINE error" "qnm: theme: $XDG_CONFIG_HOME/qnm/themes/broken.theme:3: selection:" "$out"
expect_contains "broken theme: says what is wrong" "'purple' is neither a colour nor an attribute" "$out"
restart --theme nosuch
wait_for 5 ui_dead || fail "missing theme: qnm kept running"
expect_contains "missing theme: clear error" "theme 'nosuch' not found" "$(ui_output)"

# a broken default theme does not stop the UI: built-in look, error shown
printf 'title = white on blue\nbogus-role = red\n' >"$XDG_CONFIG_HOME/qnm/themes/default.theme"
restart
ui_wait "NICS (model/backend)" 5 >/dev/null && ok "broken default theme: UI still starts" || fail "UI did not start"
# the status line is too narrow for the path: it says where the rest is
ui_expect "broken default theme: error on the status line, cut" "default.theme:2:"
ui_expect "broken default theme: the status line says where the rest is" "...(more: 6)"
ui_keys 6
wait_for 3 ui_words "default.theme:2: unknown role" &&
	ok "broken default theme: whole error in Messages" ||
	{ fail "broken default theme: error not in Messages"; ui_screen | sed 's/^/  | /'; }
ui_keys 6
ui_wait "bogus-role" 3 >/dev/null
ui_expect "broken default theme: whole error in Messages" "'bogus-role' (roles: normal, title,"
ui_keys 1
stop "broken default"
rm "$XDG_CONFIG_HOME/qnm/themes/default.theme"

# terminals
for term in xterm xterm-256color screen tmux linux vt100; do
	UI_TERM=$term
	TERM=$term restart
	if ui_wait "NICS (model/backend)" 5 >/dev/null; then ok "TERM=$term renders"; else fail "TERM=$term"; fi
	ui_keys d
	ui_wait "Delete VM" 3 >/dev/null && ok "TERM=$term dialog" || fail "TERM=$term dialog"
	ui_keys n
	stop "TERM=$term"
done

# no UTF-8 locale: ASCII line drawing
LANG=C LC_ALL=C restart
ui_wait "NICS (model/backend)" 5 >/dev/null
ui_keys d
ui_wait "Delete VM" 3 >/dev/null
ui_expect "C locale: ASCII frame" "+- Delete VM -"
ui_expect_not "C locale: no Unicode frame" "┌"
ui_keys n
stop "C locale"
LANG=C.UTF-8 LC_ALL=C.UTF-8 restart
ui_wait "NICS (model/backend)" 5 >/dev/null
ui_keys d
ui_wait "Delete VM" 3 >/dev/null
ui_expect "UTF-8 locale: Unicode frame" "┌─ Delete VM ─"
ui_keys n
stop "UTF-8 locale"
finish
