#!/bin/bash
# ui-hosts-edit.sh - the VM form and the NIC form on another host's VM, in
# one qnm UI at 80x24 in tmux over real ssh (issue 18.1; host a is a network
# namespace with its own sshd and qnm dirs, tests/guest/lib-hosts.sh). This
# host and host a each have a VM named web, with other settings: e on a's
# web opens the form with a's settings, its save writes a's web and never
# this host's; what only a can refuse (a rename onto a's other VM, a MAC
# a's other VM uses) is shown at the field it names and nothing is written
# there, not even the fields that were fine; a save after a's web changed
# behind the form is refused. The NIC form picks among a's networks. m on
# a's web draws a's topology (a's TAP and bridge, computed there), never
# this host's web's, and says so when a stops answering (nothing kept). The
# capture key, not done for another host's VM, says so and opens nothing of
# this host's web.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=120
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
. "$QNM_SRCDIR/tests/guest/lib-hosts.sh"
hosts_ssh_up a
"$QNM" host add a hosta:2201 --qnm "$QNMABS" >/dev/null || fatal "host add a"
# same name on both hosts, other settings
"$QNM" new web memory=64 cpus=1 >/dev/null || fatal "new web here"
"$QNM" nic add web model=e1000 backend=user >/dev/null || fatal "nic add web here"
"$QNM" net add lnet bridge=qnmlnet0 address=10.71.0.1/24 mode=nat >/dev/null || fatal "net lnet"
on a net add anet bridge=qnmanet0 address=10.72.0.1/24 mode=nat >/dev/null || fatal "net anet on a"
on a new web memory=128 cpus=2 >/dev/null || fatal "new web on a"
on a nic add web model=virtio-net-pci backend=tap network=anet >/dev/null || fatal "nic add web on a"
on a new other memory=96 >/dev/null || fatal "new other on a"
on a nic add other model=virtio-net-pci backend=user mac=52:54:00:aa:bb:01 >/dev/null ||
	fatal "nic add other on a"
snap() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
here_before=$(snap "$XDG_CONFIG_HOME")
aweb() { sha256sum <"$T/ha/config/qnm/vms/web.conf"; }

UI_ENV=("PATH=$PATH")
ui_start -x 80 -y 24
ui_wait "hosta:2201: qnm" 10 >/dev/null || fatal "host a did not answer"
# rows: local's line, web, a's line, other, web
ui_keys Down Down Down Down
ui_wait "On host a (over ssh)" 3 >/dev/null || fatal "a's web not selected"

# ---- m: a's topology, as a computes it; never this host's web's ----
ui_keys m
ui_wait "Topology of web on host a (hosta:2201)" 5 >/dev/null &&
	ok "m on a's web: the topology of web on host a" || fail "m: no topology of a's web"
wait_for 5 ui_words "bridge qnmanet0" && ok "... a's bridge (qnmanet0)" || fail "... no a's bridge"
ui_expect "... a's TAP, from a's side" "TAP qt-web-0"
ui_expect "... a's NIC model" "virtio-net-pci"
ui_expect_not "... not this host's web's NIC (user/SLIRP)" "SLIRP"
ui_expect_not "... nor its model" "e1000"
echo "--- the topology of a's web at 80x24:"
ui_screen
echo "---"
tree=$(sshd_tree a)
kill -STOP $tree
wait_for 8 ui_words "does not answer" && ok "a frozen: the topology says a does not answer" ||
	fail "a frozen: the topology did not say so"
ui_expect_not "... and drops a's boxes (nothing stale)" "bridge qnmanet0"
ui_expect_not "... nor draws this host's web" "SLIRP"
kill -CONT $tree
wait_for 12 ui_words "bridge qnmanet0" && ok "... a's boxes again once a answers" ||
	fail "a's topology did not come back"
ui_keys Escape Escape 1
ui_wait "── a hosta:2201" 5 >/dev/null
ui_keys Down Down Down Down

# ---- the capture key, not done for another host's VM, says so ----
ui_keys r
wait_for 3 ui_words "a packet capture is not done from here" &&
	ok "r (capture) on a's web says so" || fail "r said nothing"
ui_expect_not "... no capture menu of this host's web" "Capture on"

# ---- e: the form with a's web as a has it ----
open_aweb() {
	ui_keys Escape Escape 1
	ui_wait "── a hosta:2201" 5 >/dev/null
	ui_keys Down Down Down Down e
	ui_wait "web on a: edit, forwards" 5 >/dev/null || { fail "no menu on a's web"; return 1; }
	ui_keys Enter
	ui_wait "Edit VM web on host a" 8 >/dev/null || { fail "no VM form of a's web"; return 1; }
}
open_aweb && ok "e, Edit: the VM form names a's web"
ui_expect "... a's memory (128), not this host's (64)" "128"
ui_expect "... a's NIC (virtio-net-pci), not this host's (e1000)" "virtio-net-pci"
ui_expect_not "... no e1000 (this host's web's NIC)" "e1000"
echo "--- the VM form of a's web at 80x24:"
ui_screen
echo "---"
ui_goto_field "Memory (MiB)"
ui_keys C-u
ui_type 256
ui_keys F2
ui_wait "VM web saved on a" 10 >/dev/null && ok "F2 saves on a" || fail "not saved on a"
expect_eq "a's web has the new memory" 256 "$(on a show web --json | jq -r .memory)"
expect_eq "this host's web is untouched" 64 "$("$QNM" show web --json | jq -r .memory)"

# ---- what only a refuses: a rename onto a's other VM, shown at Name; nothing written ----
open_aweb
before=$(aweb)
ui_goto_field "Memory (MiB)"
ui_keys C-u
ui_type 300
ui_goto_field "Name"
ui_keys C-u
ui_type other
ui_keys F2
ui_error_at "a refuses the rename onto its VM other, shown at Name" "Name" \
	"a VM named 'other' already exists"
ui_expect "... the status line says a did not save" "VM other not saved on a"
expect_eq "... nothing written on a (not even the memory)" "$before" "$(aweb)"

# ---- a MAC a's other VM uses: the NIC form takes it, a refuses it at the save ----
ui_goto_field "Name"
ui_keys C-u
ui_type web
for ((i = 0; i < 30; i++)); do
	ui_screen | grep -q ">.*virtio-net-pci" && break
	ui_keys Tab
done
ui_keys Enter
ui_wait "Network card of VM web on host a" 5 >/dev/null && ok "the NIC form names a's web" ||
	fail "no NIC form of a's web"
ui_goto_field "qnm network"
ui_keys Enter
ui_wait "qnm network on host a" 3 >/dev/null && ok "the network picker lists a's networks" ||
	fail "no picker of a's networks"
ui_expect "... anet (a's)" "anet"
ui_expect_not "... not lnet (this host's)" "lnet"
ui_keys Escape
echo "--- the NIC form of a's web at 80x24:"
ui_screen
echo "---"
ui_goto_field "MAC address"
ui_keys C-u
ui_type 52:54:00:aa:bb:01
ui_keys F2
ui_wait "Edit VM web on host a" 3 >/dev/null || fail "back in the VM form"
ui_keys F2
wait_for 10 ui_words "MAC clash" && ok "a refuses the MAC its VM other uses, in the form" ||
	fail "no MAC clash from a"
ui_expect "... the status line names a" "VM web not saved on a"
expect_eq "... nothing written on a (memory 300 neither)" "$before" "$(aweb)"
echo "--- a's refusal in the form at 80x24:"
ui_screen
echo "---"

# ---- a's web changed behind the form: the save is refused ----
ui_keys Escape
open_aweb
on a set web cpus=3 >/dev/null || fail "set on a"
ui_goto_field "Memory (MiB)"
ui_keys C-u
ui_type 320
ui_keys F2
wait_for 10 ui_words "was changed on this host since you opened the form" &&
	ok "a refuses a save of a VM changed since the form opened" || fail "stale save not refused"
expect_eq "... a keeps what was set there" "3 256" "$(on a show web --json | jq -r '"\(.cpus) \(.memory)"')"
ui_keys Escape Escape
expect_eq "this host's configuration is byte for byte the same" "$here_before" "$(snap "$XDG_CONFIG_HOME")"
ui_keys q
wait_for 5 ui_dead && ok "UI quit" || fail "UI did not quit"
finish
