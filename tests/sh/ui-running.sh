#!/bin/bash
# ui-running: a running VM's screens show what runs, not what is saved
# (issue 15.4), and forms and keys say things once and ask first (15.7).
# At 80x24, in a network namespace this test creates, with a real diskless
# QEMU (TCG, boot=none: it starts in a fraction of a second):
# - the model and backend of the running VM's NIC are changed in the NIC
#   form; the VMs row, its NIC row and the topology keep showing the running
#   virtio-net-pci on slirp with "restart to apply: n0 model virtio-net-pci
#   -> e1000; n0 backend slirp -> tap" (no "TAP ... does not exist" while
#   the slirp helper serves); qnm show --json has both; after a restart the
#   screens show e1000 on tap and nothing pending;
# - the NIC form states the rule of what a save applies live; a cable
#   toggled there is applied to the running guest by the save and said so;
# - a forward the VM's own slirp helper holds is not a conflict;
# - a VM form with two bad fields shows both errors at once, each in the
#   CLI's words for the same value; an edited field's error goes at once;
# - x on a running guest and s on a boot=none VM ask first (also when its
#   QEMU was killed and its directory still says crashed).
. "$QNM_SRCDIR/tests/lib.sh"
need_root
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd jq jq
. "$QNM_SRCDIR/tests/ui-lib.sh"

NS=$(new_netns running)
q() { ip netns exec "$NS" timeout 60 "$QNM" "$@"; }
PORT=18123
ip -n "$NS" link set lo up

check "VM" q new rv memory=64 accel=tcg
check "slirp NIC" q nic add rv model=virtio-net-pci backend=slirp hostfwd=tcp:127.0.0.1:$PORT-:80
at_exit "ip netns exec $NS timeout 30 $QNM stop rv --force >/dev/null 2>&1"
out=$(q start rv 2>&1) || fatal "start: $out"

# ---- the CLI's words for two bad values (the UI must say the same) ----
mem_msg=$(q set rv memory=abc 2>&1 | sed -n 's/^qnm: set: //p')
cpu_msg=$(q set rv cpus=lots 2>&1 | sed -n 's/^qnm: set: //p')
[ -n "$mem_msg" ] && [ -n "$cpu_msg" ] || fatal "CLI gave no messages: '$mem_msg' '$cpu_msg'"

UI_PREFIX=(ip netns exec "$NS")
ui_start -x 80 -y 24
ui_wait "virtio-net-pci/sl" 10 >/dev/null || fatal "UI did not start"

# ---- x on a running guest asks first; n leaves it running ----
ui_keys x
ui_wait "Stop VM 'rv'?" 3 >/dev/null && ok "x on a running guest asks first" || fail "x did not ask"
ui_keys n
sleep 0.3
expect_eq "n: the guest still runs" running "$(q show rv --json | jq -r 'if .running then "running" else "no" end')"

# ---- the NIC form: the rule, then model and backend changed ----
ui_keys e
ui_wait "Memory (MiB)" 5 >/dev/null || fatal "VM form"
ui_goto_field ".*\[ virtio-net-pci" >/dev/null && ui_keys Enter
ui_wait "Device model" 3 >/dev/null || fatal "NIC form"
wait_for 3 ui_words "Saving applies the cable and slirp forwards to a running guest at once; other changes wait for its restart." &&
	ok "NIC form states what a save applies live" || { fail "no live rule in the NIC form"; ui_screen | sed 's/^/  | /'; }
ui_goto_field "Link up" >/dev/null
ui_keys Space
ui_goto_field "Device model" >/dev/null
ui_keys C-u
ui_type e1000
ui_goto_field "Backend" >/dev/null
for ((i = 0; i < 4; i++)); do
	ui_screen | grep -q "Backend *< tap >" && break
	ui_keys Right
done
ui_keys F2
ui_wait "Edit VM rv" 3 >/dev/null || fail "NIC form did not close"
ui_keys F2
ui_wait "VM rv saved" 5 >/dev/null || fail "VM not saved"
ui_keys 6
wait_for 3 ui_words "applied to the running guest: n0: cable unplugged" &&
	ok "the cable is applied live by the save, and said so" || { fail "cable not said"; ui_screen | sed 's/^/  | /'; }
ui_words "restart to apply: n0 model virtio-net-pci -> e1000; n0 backend slirp -> tap" &&
	ok "the save says what waits for a restart" || fail "no restart note"
expect_eq "the running guest's cable is down" down \
	"$(q show rv --json | jq -r '.running.nics[0].link')"
ui_keys 1
pending="restart to apply: n0 model virtio-net-pci -> e1000; n0 backend slirp -> tap"
wait_for 3 ui_words "$pending" && ok "VMs: pending change marked under the row" ||
	{ fail "VMs: no pending mark"; ui_screen | sed 's/^/  | /'; }
ui_expect "VMs: the row shows the running model and backend" "virtio-net-pci/sl"
ui_expect "VMs: the NIC row shows the running backend" "n0 slirp"
ui_expect_not "VMs: no missing TAP while slirp serves" "does not exist"
ui_keys m
ui_wait "Topology of rv" 3 >/dev/null || fail "topology"
wait_for 3 ui_words "$pending" && ok "topology: pending change marked" || fail "topology: no pending mark"
ui_expect "topology: the guest box has the running model" "│virtio-net-pci"
ui_expect "topology: the slirp helper still serves" "slirp helper"
ui_expect_not "topology: no missing TAP" "does not exist"
ui_keys 1

js=$(q show rv --json)
expect_eq "show --json: saved model" e1000 "$(echo "$js" | jq -r '.nics[0].model')"
expect_eq "show --json: running model" virtio-net-pci "$(echo "$js" | jq -r '.running.nics[0].model')"
expect_eq "show --json: running backend" slirp "$(echo "$js" | jq -r '.running.nics[0].backend')"
expect_eq "show --json: pending" "n0 model virtio-net-pci -> e1000,n0 backend slirp -> tap" \
	"$(echo "$js" | jq -r '.pending | join(",")')"
expect_contains "show: the running line" "# running: $pending" "$(q show rv)"

# ---- a port the VM's own slirp helper holds is not a conflict ----
out=$(q nic set rv n0 backend=slirp hostfwd=tcp:127.0.0.1:$PORT-:80 2>&1)
expect_eq "own helper's port: accepted" 0 "$?"
case "$out" in *"in use by"*) fail "own port blamed: $out" ;; *) ok "own port not blamed" ;; esac
# the new backend: a TAP on a network (up), which the restart brings
check "network" q net add lan bridge=qnmrun0 address=10.79.0.1/24 mode=isolated
check "network up" q net up lan
q nic set rv n0 backend=tap network=lan link=up >/dev/null || fail "back to tap"

# ---- VM form: two bad fields, both errors at once, the CLI's words ----
ui_keys e
ui_wait "Memory (MiB)" 5 >/dev/null || fatal "VM form"
ui_goto_field "Memory (MiB)" >/dev/null
ui_keys C-u
ui_type abc
ui_goto_field "CPUs" >/dev/null
ui_keys C-u
ui_type lots
ui_keys F2
ui_error_at "two bad fields: memory's error, in the CLI's words" "Memory (MiB)" "$mem_msg"
ui_error_at "two bad fields: cpus' error at the same time, in the CLI's words" "CPUs" "$cpu_msg"
ui_keys BTab
ui_screen | grep -q "^ *>Memory" || ui_goto_field "Memory (MiB)" >/dev/null
ui_keys C-u
ui_type 64
sleep 0.2
ui_words "$mem_msg" && fail "an edited field's error stays" || ok "an edited field's error goes at once"
ui_words "$cpu_msg" && ok "the other field's error stays" || fail "the other field's error went"
ui_keys Escape
ui_wait "your changes were not saved" 3 >/dev/null && ok "Esc says the edits were not saved" ||
	fail "Esc message"

# ---- restart: the new model and backend run, nothing pending ----
q stop rv --force >/dev/null 2>&1
ui_wait "stopped" 5 >/dev/null
ui_keys s
ui_wait "Start VM 'rv'? boot=none: it has nothing to boot from" 3 >/dev/null &&
	ok "s on a boot=none VM asks first" || { fail "no boot=none question"; ui_screen | sed 's/^/  | /'; }
ui_keys y
ui_wait "e1000/tap" 30 >/dev/null && ok "after restart: the row shows e1000 on tap" ||
	{ ui_keys 6; sleep 0.3; ui_screen; fatal "after restart: no e1000/tap row"; }
ui_expect_not "after restart: nothing pending" "restart to apply"
# u (down) on a network with a running guest asks first
ui_keys 2
ui_wait "qnmrun0" 3 >/dev/null
ui_keys u
ui_wait "Take network lan down?" 3 >/dev/null && ok "u down with a running guest asks first" ||
	{ fail "u did not ask"; ui_screen | sed 's/^/  | /'; }
ui_words "1 running guest on it (rv) loses its network" && ok "the question names the guest" ||
	fail "the guest is not named"
ui_keys n
sleep 0.3
ip -n "$NS" link show qnmrun0 >/dev/null 2>&1 && ok "n: the network stays up" || fail "network went down"
ui_keys 1
ui_keys m
ui_wait "Topology of rv" 3 >/dev/null
ui_expect "after restart: topology shows e1000" "│e1000"
ui_expect_not "after restart: topology has nothing pending" "restart to apply"
expect_eq "after restart: show --json pending empty" 0 "$(q show rv --json | jq '.pending | length')"
# its QEMU killed: the directory stays (crashed) until a command reclaims it;
# s would start a new QEMU that boots nothing, so it asks first there too
ui_keys Escape
ui_keys 1
pid=$(q status rv --json | jq -r '.qemu_pid')
[ -n "$pid" ] && [ "$pid" != 0 ] && kill -9 "$pid"
ui_wait "crashed" 10 >/dev/null && ok "a killed QEMU: the list says crashed" ||
	{ fail "no crashed state"; ui_screen | sed 's/^/  | /'; }
ui_keys s
ui_wait "Start VM 'rv'? boot=none: it has nothing to boot from" 3 >/dev/null &&
	ok "s on a crashed boot=none VM asks first" ||
	{ fail "no boot=none question on a crashed VM"; ui_screen | sed 's/^/  | /'; }
ui_keys n
ui_keys F10
wait_for 5 ui_dead || fail "UI did not quit"
finish
