#!/bin/bash
# ui-hosts: the Hosts screen (9) of the real UI: this host and two hosts
# reached through a stand-in ssh (tests/hosts-lib.sh), one answering (its
# version, latency, running guests) and one whose qnm never answers, marked
# unreachable within 5 s; meanwhile the UI answers keys at once (a round
# that waits for the mute host runs in a worker).
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"
. "$QNM_SRCDIR/tests/hosts-lib.sh"
fake_ssh_install
UI_ENV=("PATH=$PATH")
"$QNM" new web >/dev/null || fatal "new"
"$QNM" host add here h1 --qnm "$(readlink -f "$QNM")" >/dev/null || fatal "host add here"
"$QNM" host add mute h2:2222 --qnm "$T/mute" >/dev/null || fatal "host add mute"
on_screen() { ui_screen | grep -qF -- "$1"; }
version=$("$QNM" --version | cut -d' ' -f2)

ui_start -x 100 -y 24
ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start"
ui_expect "the tab bar shows 9 Hosts" "9 Hosts"
t0=$(date +%s%N)
ui_keys 9
# (not ui_wait: the screen is live, latencies change every second)
wait_for 2 on_screen "reachable"
ui_expect "the Hosts screen explains itself" "This host and the hosts of 'qnm host add"
wait_for 8 on_screen "unreachable"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "  mute host marked after ${ms} ms"
check "the mute host is marked within 5 s (${ms} ms)" test "$ms" -lt 5000
ui_expect "this host: reachable, its version" "$(printf ' %-16s %-11s %-10s' local reachable "$version")"
ui_expect "host here: reachable, its version" "$(printf ' %-16s %-11s %-10s' here reachable "$version")"
ui_expect "host mute: unreachable, why" "$(printf ' %-16s %-11s ' mute unreachable)host mute (h2:2222): no answer"
n=$(ui_screen | grep -cE '^ (local|here) +reachable +[^ ]+ +[0-9]+ ms +0$')
expect_eq "this host and here: latency, and no guest running" 2 "$n"

# a new round waits 3 s for the mute host: keys are answered meanwhile
ui_keys r
ui_expect "r asks again" "asking..."
t0=$(date +%s%N)
ui_keys 1
# (not ui_wait: the status line's spinner turns while the round goes on)
wait_for 2 on_screen "NICS (model/backend)"
ms=$((($(date +%s%N) - t0) / 1000000))
check "the VMs screen comes at once while a host is asked (${ms} ms)" test "$ms" -lt 1000
ui_keys 9
ui_wait "unreachable" 6 >/dev/null
ui_expect "back on Hosts, the rows are there" "$(printf ' %-16s %-11s' here reachable)"
ui_keys q
check "qnm quits" test "$(ui_status)" = 0
finish
