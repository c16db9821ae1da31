#!/bin/bash
# ui-capture.sh - packet capture from the real UI (tmux) on a real guest.
# The guest boots with its cable unplugged; r on the VMs screen opens the
# capture form: bad input (relative path, missing directory, existing file,
# bad byte count) shows the error at the field and starts nothing; a good
# file starts the capture (REC on the VMs screen, the file size growing);
# the cable is plugged in, the guest gets its DHCP lease; r stops the
# capture from the menu and the pcap must hold the guest's DISCOVER and the
# OFFER (tests/pcap-dhcp.py). A capture whose "qnm capture" was SIGKILLed is
# shown as orphaned and removed from the same menu. 80x24, then 132x43.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
need_cmd python3 python3

cat >"$T/guest.sh" <<'EOS'
. /etc/qnm/lib.sh
ip link set eth0 up
echo "guest-waiting-for-carrier"
n=0
while [ "$(cat /sys/class/net/eth0/carrier)" != 1 ] && [ $n -lt 600 ]; do
	n=$((n + 1)); sleep 0.1
done
qnm_dhcp eth0
echo QNM-DHCP-DONE
while true; do nc 10.0.2.2 9 </dev/null 2>/dev/null; sleep 0.3; done
EOS
guest_define vm "$T/guest.sh"
"$QNM" nic add vm model=virtio-net-pci backend=slirp ipv6=off link=down >/dev/null ||
	fatal "nic add failed"
MAC=$("$QNM" nic list vm | grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | head -n1)
[ -n "$MAC" ] || fatal "no MAC from qnm nic list"

# set_field LABEL TEXT: replace the text of a field
set_field() {
	ui_goto_field "$1" || return 1
	ui_keys C-u
	ui_type "$2"
}
no_capture() { [ "$("$QNM" capture vm --list)" = "no captures on vm" ]; }

ui_start -x 80 -y 24
ui_wait "virtio-net-pci/sl" 10 >/dev/null || fatal "UI did not start"
ui_keys r
ui_wait "is not running" 3 >/dev/null && ok "r on a stopped VM says it must run first" ||
	fail "r on a stopped VM"
ui_keys s
ui_wait "vm started" 60 >/dev/null || fatal "guest did not start from the UI"
check "guest is up, cable unplugged" wait_serial 30 vm guest-waiting-for-carrier

ui_keys r
ui_wait "Capture packets of VM" 5 >/dev/null || fatal "r did not open the capture form"
ui_expect "form explains what a capture is" "QEMU copies each frame the card sends or receives"
ui_expect "NIC picked from the VM's NICs" "n0 (virtio-net-pci, slirp)"
ui_expect "default file under qnm's data dir" "$XDG_DATA_HOME/qnm/captures/vm-n0-"
echo keep >"$T/exists.pcap"
set_field "File" "rel.pcap"
ui_keys F2
ui_error_at "relative path: error at the File field" "File" "is not an absolute path"
set_field "File" "$T/nodir/x.pcap"
ui_keys F2
ui_error_at "missing directory: error at the File field" "File" "directory $T/nodir does not exist"
set_field "File" "$T/exists.pcap"
ui_keys F2
ui_error_at "existing file: error at the File field" "File" "already exists"
set_field "File" "$T/ui.pcap"
set_field "Bytes per packet" "12"
ui_keys F2
ui_error_at "bad byte count: error at its field" "Bytes per packet" "from 64 to 65536"
ui_expect "still on the form after errors" "Capture packets of VM"
check "nothing started on bad input" no_capture
expect_eq "existing file untouched" keep "$(cat "$T/exists.pcap")"
check "no file made on bad input" test ! -e "$T/ui.pcap"

set_field "Bytes per packet" ""
ui_keys F2
ui_wait "capturing vm n0 into $T/ui.pcap" 10 >/dev/null && ok "capture started from the form" ||
	fail "capture did not start"
ui_expect "the VMs row shows the capture" "[REC]"
ui_expect "a capture line names the file" "REC vm/n0 -> $T/ui.pcap"
list=$("$QNM" capture vm --list)
echo "$list" | sed 's/^/  | /'
expect_contains "qnm capture --list shows the UI's capture" "$T/ui.pcap" "$list"
case $list in
*"owner gone"*) fail "the UI's capture looks orphaned to qnm capture --list" ;;
*) ok "qnm capture --list sees the UI as a live owner" ;;
esac

"$QNM" link vm n0 up >/dev/null || fail "qnm link up failed"
check "guest got its DHCP lease" wait_serial 30 vm QNM-DHCP-DONE
sz() { ui_screen | grep -o "REC vm/n0 -> $T/ui.pcap, [^ ]* [A-Za-z]*" | head -n1; }
s1=$(sz)
sleep 2.5
s2=$(sz)
echo "  size on screen: '$s1' then '$s2'"
[ -n "$s1" ] && [ "$s1" != "$s2" ] && ok "the file size on screen grows" || fail "size did not change"
ui_screen | sed 's/^/  | /'

ui_resize 132 43
ui_wait "r Capture" 3 >/dev/null && ok "132x43: footer shows r Capture" || fail "132x43 footer"
ui_expect "132x43: capture line" "REC vm/n0 -> $T/ui.pcap"
ui_keys r
ui_wait "Start another capture" 5 >/dev/null || fail "r did not open the capture menu"
ui_expect "menu offers to stop the UI's capture" "Stop   n0 -> $T/ui.pcap"
ui_screen | sed 's/^/  | /'
ui_keys Enter
ui_wait "capture of vm n0 stopped" 10 >/dev/null && ok "stopped from the menu" || fail "not stopped"
ui_screen | grep "stopped:" | sed 's/^/  | /'
check "no capture left" no_capture
ui_wait_gone "[REC]" 5 && ok "REC mark gone" || fail "REC mark still shown"
s1=$(stat -c %s "$T/ui.pcap")
sleep 1
expect_eq "file no longer grows after the stop" "$s1" "$(stat -c %s "$T/ui.pcap")"
if out=$(python3 "$QNM_SRCDIR/tests/pcap-dhcp.py" "$T/ui.pcap" "$MAC"); then
	ok "pcap holds the guest's DHCP DISCOVER (from $MAC) and OFFER"
else
	fail "pcap lacks the guest's DHCP DISCOVER/OFFER"
fi
echo "$out" | sed 's/^/  | /'

# An orphaned capture (its qnm capture killed) is shown as such and can be removed.
"$QNM" capture vm n0 "$T/orphan.pcap" >"$T/orphan.out" 2>&1 &
OC=$!
wait_for 10 grep -q '^capturing' "$T/orphan.out" || fail "qnm capture did not start"
ui_wait "REC by qnm pid $OC: vm/n0 -> $T/orphan.pcap" 5 >/dev/null && ok "another qnm's capture shown with its pid" ||
	fail "foreign capture not shown"
kill -9 $OC
wait $OC 2>/dev/null
ui_wait "ORPHANED" 5 >/dev/null && ok "orphaned capture shown honestly" || fail "no ORPHANED"
ui_screen | sed 's/^/  | /'
ui_resize 80 24
ui_keys r
ui_wait "Remove ORPHANED" 5 >/dev/null && ok "menu offers to remove it" ||
	fail "no Remove entry"
ui_keys Enter
ui_wait "capture of vm n0 stopped" 10 >/dev/null
check "orphaned capture removed" wait_for 5 no_capture
ui_wait_gone "ORPHANED" 5 || fail "ORPHANED still shown"

# A long path at 80 columns: the file's name stays whole (the path's middle
# gives way) and its size after it, on the VMs screen and in r's menu.
LONGDIR=$T/captures-of-the-lab/long-directory-name-for-testing
mkdir -p "$LONGDIR"
"$QNM" capture vm n0 "$LONGDIR/vm-n0-2026-12-07-morning.pcap" >"$T/long.out" 2>&1 &
LC=$!
wait_for 10 grep -q '^capturing' "$T/long.out" || fail "qnm capture (long path) did not start"
if ui_wait "/vm-n0-2026-12-07-morning.pcap, " 5 >/dev/null; then
	ok "80x24: a long capture path keeps its file name and size"
else
	fail "80x24: the capture's file name is cut"
fi
ui_screen | grep "REC by" | sed 's/^/  | /'
ui_keys r
ui_wait "vm-n0-2026-12-07-morning.pcap" 5 >/dev/null && ok "80x24: r's menu keeps the file name" ||
	fail "80x24: r's menu cuts the file name"
ui_screen | grep "its qnm" | sed 's/^/  | /'
ui_keys Escape
kill $LC
wait $LC 2>/dev/null
check "the long-path capture stopped" wait_for 5 no_capture
ui_wait_gone "REC by" 5 || fail "the long-path capture still shown"

# A capture left running is stopped when qnm quits (nobody else would).
ui_keys r
ui_wait "Capture packets of VM" 5 >/dev/null || fail "form again"
set_field "File" "$T/quit.pcap"
ui_keys F2
ui_wait "capturing vm n0 into $T/quit.pcap" 10 >/dev/null || fail "third capture"
ui_keys F10
wait_for 10 ui_dead || fail "did not quit"
expect_eq "exit status" 0 "$(ui_status)"
check "quitting stopped the UI's capture" no_capture
expect_contains "... and said so" "capture of vm n0 stopped" "$(ui_output)"
finish
