#!/bin/bash
# cli-one-vm.sh - a command about one VM reads that VM's file only (issue 16
# item 6: with 10,000 VMs it must not read them all): qnm show does not see
# a file it does not read; a save still reads and checks the whole model
# (MAC and host-port clashes, names) and says which files it skipped.
. "$(dirname "$0")/../lib.sh"

VMS=$XDG_CONFIG_HOME/qnm/vms
check "new web" $QNM new web memory=256
check "nic web" $QNM nic add web mac=52:54:00:00:00:01 hostfwd=tcp:127.0.0.1:2222-:22
check "new db" $QNM new db

# a file no one can read as a VM: every whole-model read warns about it
mkdir "$VMS/other.conf"
err=$($QNM list 2>&1 >/dev/null)
expect_contains "list warns about other.conf" "other.conf: cannot read" "$err"

out=$($QNM show web 2>"$T/err")
expect_contains "show web" "mac = 52:54:00:00:00:01" "$out"
expect_eq "show web reads web.conf only (no warning)" "" "$(cat "$T/err")"
$QNM show web --json 2>"$T/err" | jq -e '.name == "web"' >/dev/null && ok "show --json" ||
	fail "show --json"
expect_eq "show --json reads web.conf only" "" "$(cat "$T/err")"

# a VM it cannot find: the whole model, its warnings and the usual advice
err=$($QNM show nosuch 2>&1)
expect_contains "show nosuch: advice" "no VM named 'nosuch' (qnm list shows them)" "$err"
expect_contains "show nosuch: warning" "other.conf: cannot read" "$err"

# saves read every file under the lock: clashes with other VMs are still refused
err=$($QNM nic add db mac=52:54:00:00:00:01 2>&1)
expect_contains "MAC clash refused" "MAC clash: 52:54:00:00:00:01 is used by VM" "$err"
expect_contains "MAC clash: warning once" "other.conf: cannot read" "$err"
expect_eq "one warning" 1 "$(grep -c 'other.conf' <<<"$err")"
err=$($QNM nic add db hostfwd=tcp::2222-:22 2>&1)
expect_contains "port clash refused" "host port tcp/2222 is forwarded by both" "$err"
err=$($QNM set db memory=512 2>&1)
expect_contains "set warns once" "other.conf: cannot read" "$err"
expect_eq "set: one warning" 1 "$(grep -c 'other.conf' <<<"$err")"
grep -q '^memory = 512' "$VMS/db.conf" && ok "set saved" || fail "set saved"
err=$($QNM new web 2>&1)
expect_contains "new: name taken" "a VM named 'web' already exists" "$err"
out=$($QNM new app 2>"$T/err")
expect_contains "new app" "created VM 'app'" "$out"
expect_contains "new warns" "other.conf: cannot read" "$(cat "$T/err")"
check "del app" $QNM del app
[ ! -f "$VMS/app.conf" ] && ok "app.conf removed" || fail "app.conf removed"
err=$($QNM del nosuch 2>&1)
expect_contains "del nosuch" "no VM named 'nosuch'" "$err"

# a broken file of that name: read as a whole, with its warning
printf '[vm]\nmemory = lots\n' >"$VMS/bad.conf"
err=$($QNM show bad 2>&1)
expect_contains "show bad: warning" "bad.conf:2: memory: 'lots' must be a whole number" "$err"
expect_contains "show bad: not found" "no VM named 'bad'" "$err"
finish
