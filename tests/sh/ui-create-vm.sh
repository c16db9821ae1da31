#!/bin/bash
# ui-create-vm: a newcomer's path with only the keys shown on screen:
# create a VM, add a NIC, pick its model from QEMU's catalog, user backend
# with a host forward, save, and see the command line in both styles.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

ui_start
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
ui_keys n
ui_wait "New VM" 5 >/dev/null || fatal "no VM form"
ui_type "demo1"
ui_keys Tab
ui_keys C-u
ui_type "384"
ui_keys F4
ui_wait "Device model" 5 >/dev/null || fatal "no NIC form"
ui_expect "a new NIC defaults to user mode" "< user >"
# the catalog loads in the background; Enter opens it when it is there
for i in $(seq 1 60); do
	ui_keys Enter
	if ui_wait "from QEMU's catalog" 1 >/dev/null 2>&1; then break; fi
	ui_keys Escape 2>/dev/null
	sleep 0.25
done
ui_expect "model picker lists the catalog" "rtl8139"
ui_expect "virtio is suggested for Linux" "suggested: Linux"
ui_type rtl
ui_keys Enter
ui_wait_gone "from QEMU's catalog" 3
ui_expect "rtl8139 picked" "Device model   rtl8139"
ui_keys F3
ui_wait "new MAC" 3 >/dev/null
mac=$(ui_screen | sed -n 's/.*new MAC \([0-9a-f:]*\).*/\1/p' | head -1)
[ -n "$mac" ] && ok "MAC generated ($mac)" || fail "no MAC generated"
ui_expect "MAC shown in its field" "MAC address    $mac"
# Port forwards: tab to it (user backend is already selected)
for i in $(seq 1 24); do
	ui_screen | grep -q ">Port forwards" && break
	ui_keys Tab
done
ui_type "tcp:127.0.0.1:2222-:22"
ui_keys F2
ui_wait "NIC n0 set" 3 >/dev/null || fail "NIC not accepted"
ui_expect "NIC row in the VM form" "rtl8139"
[ ! -e "$XDG_CONFIG_HOME/qnm/vms/demo1.conf" ] && ok "nothing written before Save" || fail "file written early"
ui_keys F2
ui_wait "VM demo1 saved" 3 >/dev/null || fail "VM not saved"
ui_expect "VM in the list" "rtl8139/user"
check "config file written" test -f "$XDG_CONFIG_HOME/qnm/vms/demo1.conf"
show=$("$QNM" show demo1 2>&1)
expect_contains "saved memory" "384" "$show"
expect_contains "saved model" "rtl8139" "$show"
expect_contains "saved MAC" "$mac" "$show"
expect_contains "saved hostfwd" "tcp:127.0.0.1:2222-:22" "$show"
ui_keys p
ui_wait "-netdev/-device style" 3 >/dev/null || fail "no preview"
ui_expect "preview: netdev" "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22"
ui_expect "preview: device" "-device rtl8139,netdev=n0,mac=$mac"
# the screen's lines, pasted into a shell, are QEMU's argv (as qnm cmdline --json says)
pasted_argv() { # the preview's lines from the QEMU command on -> one argument per line
	ui_screen | sed -n '/^qemu-system/,/[^\\]$/p' >"$T/pasted.sh"
	bash -c "set -- $(cat "$T/pasted.sh")"'
printf "%s\n" "$@"'
}
# (by hand, with the guest's console on the terminal: -serial mon:stdio)
json_argv() { "$QNM" cmdline demo1 --json "$@" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin) + ["-serial", "mon:stdio"]))'; }
expect_eq "preview pasted into a shell = QEMU's argv" "$(json_argv)" "$(pasted_argv)"
ui_keys y
ui_wait "-nic style: y switches" 3 >/dev/null || fail "y did not switch the style"
expect_eq "-nic preview pasted into a shell = QEMU's argv" "$(json_argv --nic-form)" "$(pasted_argv)"
ui_keys y
# write it to a file
ui_keys w
ui_wait "File to write" 3 >/dev/null || fail "no file prompt"
ui_keys C-u
ui_type "$T/demo1.sh"
ui_keys Enter
ui_wait "command line written" 3 >/dev/null || fail "not written"
check "script holds the forward" grep -q "hostfwd=tcp:127.0.0.1:2222-:22" "$T/demo1.sh"
check "script is a shell script" bash -n "$T/demo1.sh"
expect_eq "script is the CLI's script" "$("$QNM" cmdline demo1 --script)" "$(tail -n +3 "$T/demo1.sh")"
ui_keys Escape F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
finish
