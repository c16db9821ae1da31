#!/bin/bash
# ui-resize: resizing at any time keeps what was typed in a form, a too
# small terminal gets a clear message, and the form still saves after.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

ui_start -x 132 -y 43
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
ui_keys n
ui_wait "New VM" 5 >/dev/null || fatal "no VM form"
ui_type "resized-vm"
ui_keys Tab C-u
ui_type "777"
ui_expect "typed at 132x43" "777"
ui_resize 100 30
ui_wait "777" 3 >/dev/null
ui_expect "name kept at 100x30" "resized-vm"
ui_expect "memory kept at 100x30" "Memory (MiB)     777"
ui_resize 60 20
ui_wait "Terminal too small" 3 >/dev/null
ui_expect "too small: clear message" "Terminal too small: 60x20"
ui_expect "too small: says what is needed" "at least 80x24"
ui_resize 80 24
ui_wait "Memory (MiB)" 3 >/dev/null
ui_expect "name kept at 80x24" "resized-vm"
ui_expect "memory kept at 80x24" "Memory (MiB)     777"
# keep typing in the same field after the resize: the cursor is still there
ui_type "1"
ui_expect "editing continues after resize" "Memory (MiB)     7771"
ui_keys BSpace
# a dialog survives a resize too
ui_keys F4
ui_wait "Device model" 3 >/dev/null
ui_keys Escape
ui_keys F2
ui_wait "VM resized-vm saved" 3 >/dev/null || fail "save after resizes"
show=$("$QNM" show resized-vm 2>&1)
expect_contains "saved with the typed memory" "777" "$show"
# resize while a picker is open, on a list screen
ui_keys 2 n
ui_wait "Mode" 3 >/dev/null
for ((i = 0; i < 5; i++)); do ui_screen | grep -q "^ *>Mode" && break; ui_keys Tab; done
ui_keys Enter
ui_wait "isolated" 3 >/dev/null
ui_resize 132 43
ui_wait "isolated" 3 >/dev/null && ok "picker redrawn after resize" || fail "picker after resize"
ui_keys Escape Escape F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
