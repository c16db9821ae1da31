#!/bin/bash
# systemd-units.sh - the shipped units (root's qnm-autostart.service and the
# user unit) pass "systemd-analyze verify" with no warning, run the built
# qnm's autostart and shutdown-all, and order root's unit after the network.
# (This machine does not run systemd as PID 1: the commands the units run are
# tested directly by tests/guest/autostart.sh.)
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd systemd-analyze systemd

bindir=$(cd "$(dirname "$QNM")" && pwd)
mkdir -p "$T/units" "$T/rt"
chmod 700 "$T/rt"
sed "s|@bindir@|$bindir|g" "$QNM_SRCDIR/contrib/systemd/qnm-autostart.service.in" \
	>"$T/units/qnm-autostart.service"
sed "s|@bindir@|$bindir|g" "$QNM_SRCDIR/contrib/systemd/qnm-autostart-user.service.in" \
	>"$T/units/qnm-user-autostart.service"
out=$(systemd-analyze verify --man=no "$T/units/qnm-autostart.service" 2>&1)
expect_eq "system unit: verify exits 0" 0 $?
expect_eq "system unit: no warning" "" "$out"
out=$(XDG_RUNTIME_DIR=$T/rt systemd-analyze --user verify --man=no \
	"$T/units/qnm-user-autostart.service" 2>&1)
expect_eq "user unit: verify exits 0" 0 $?
expect_eq "user unit: no warning" "" "$out"

# a broken unit is caught (the check can fail)
printf '[Service]\nExecStart=%s/qnm autostart\nExecStrat=x\n' "$bindir" >"$T/units/bad.service"
out=$(systemd-analyze verify --man=no "$T/units/bad.service" 2>&1)
expect_contains "a misspelt key is reported" "Unknown key 'ExecStrat'" "$out"

u=$T/units/qnm-autostart.service
expect_contains "ExecStart runs qnm autostart" "ExecStart=$bindir/qnm autostart" "$(cat "$u")"
expect_contains "ExecStop runs qnm shutdown-all" "ExecStop=$bindir/qnm shutdown-all" "$(cat "$u")"
expect_contains "after the network is online" "After=network-online.target" "$(cat "$u")"
# the commands exist and take the options the units give them
"$QNM" autostart --help >/dev/null 2>&1 || fail "qnm autostart --help"
"$QNM" shutdown-all --timeout 60 --help >/dev/null 2>&1 || fail "qnm shutdown-all --help"

# the built units are what make install puts in the unit directories
make -C "$QNM_BUILDDIR" qnm-autostart.service qnm-autostart-user.service >/dev/null 2>&1 ||
	fail "make builds the units"
check "built system unit has no @bindir@ left" bash -c '! grep -q @bindir@ "$0"' \
	"$QNM_BUILDDIR/qnm-autostart.service"
finish
