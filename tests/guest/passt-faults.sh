#!/bin/bash
# passt-faults.sh - the passt backend when things go wrong (issue 16.1), in
# the test's own network namespace, no guest boot needed:
#   (a) passt that never listens: this Debian passt, started as root without
#       --runas, switches to "nobody" before binding its socket in the 0700
#       runtime dir, fails with EACCES and still logs "bound". Reproduced with
#       a wrapper that runs the real passt that way: the start must fail with
#       a clear message, start no QEMU and leave no passt.
#   (b) passt not installed: start refused with the package to install, and
#       the doctor's passt check fails; no default route: the check fails and
#       the start says what passt said.
#   (d) the pasted script (qnm cmdline --script) starts passt as qnm does
#       and waits for its socket before QEMU.
#   (c) the supervisor SIGKILLed after passt listens, with QEMU (a stand-in
#       that never connects) killed too: passt is left, waiting for a QEMU
#       that will never come; the next command (qnm stop) stops it and says so.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
need_cmd passt passt
need_cmd jq jq
host_uplink
R=$XDG_RUNTIME_DIR/qnm/vm
"$QNM" new vm memory=64 accel=tcg >/dev/null || fatal "qnm new failed"
"$QNM" nic add vm model=virtio-net-pci backend=passt hostfwd=tcp:127.0.0.1:8001-:80 >/dev/null ||
	fatal "nic add failed"
at_exit "'$QNM' stop vm --force >/dev/null 2>&1"
passts() { pgrep -f "passt.*$R/passt-n0.sock" | wc -l; }

# (a) the trap: passt as nobody in a directory nobody cannot write
cat >"$T/passt-nobody" <<'EOF'
#!/bin/bash
# the real passt, as root without --runas (so it runs as nobody)
a=()
while [ $# -gt 0 ]; do
	case $1 in --runas) shift 2 ;; *) a+=("$1"); shift ;; esac
done
exec passt "${a[@]}"
EOF
chmod +x "$T/passt-nobody"
out=$(QNM_PASST="$T/passt-nobody" "$QNM" start vm 2>&1)
rc=$?
echo "  $out"
expect_eq "(a) a passt that never listens fails the start" 1 "$([ $rc != 0 ] && echo 1)"
expect_contains "(a) ... saying passt did not listen on its socket" "passt did not listen on $R/passt-n0.sock" "$out"
expect_contains "(a) ... and that QEMU would have had no network" "QEMU would have no network" "$out"
expect_eq "(a) no passt left" 0 "$(passts)"
expect_eq "(a) no QEMU started, nothing left" absent "$(guest_field vm status)"

# (b) no passt
out=$(QNM_PASST=/nonexistent/passt "$QNM" start vm 2>&1)
rc=$?
echo "  $out"
expect_eq "(b) no passt: start refused" 1 "$([ $rc != 0 ] && echo 1)"
expect_contains "(b) ... naming the package" "apt-get install passt" "$out"
doc=$(QNM_PASST=/nonexistent/passt "$QNM" doctor --json 2>/dev/null)
expect_eq "(b) doctor's passt check fails" fail \
	"$(printf '%s' "$doc" | jq -r '.checks[] | select(.id == "passt") | .status')"
doc=$("$QNM" doctor --json 2>/dev/null)
expect_eq "(b) with passt installed and a default route it passes" ok \
	"$(printf '%s' "$doc" | jq -r '.checks[] | select(.id == "passt") | .status')"
ip route del default && ip -6 route del default
doc=$("$QNM" doctor --json 2>/dev/null)
expect_eq "(b) without a default route it fails (passt would exit)" fail \
	"$(printf '%s' "$doc" | jq -r '.checks[] | select(.id == "passt") | .status')"
out=$("$QNM" start vm 2>&1)
echo "  $out"
expect_contains "(b) ... and start says what passt said" "External interface not usable" "$out"
ip route add default via 10.1.0.1 && ip -6 route add default via 2001:db8::1 || fatal "routes back"

# (d) by hand: the script starts passt first, as qnm would
# one line per command: the continuations joined
script=$("$QNM" cmdline vm --script --wrap 100000 | sed -e ':a' -e '/\\$/N; s/ *\\\n */ /; ta')
expect_contains "(d) the script starts passt" \
	"passt --foreground --log-file $R/passt-n0.log --runas $(id -u):$(id -g) --one-off" "$script"
expect_contains "(d) ... with the forward as a passt spec" "-t 127.0.0.1/8001:80" "$script"
expect_contains "(d) ... and waits for its socket" "until test -S $R/passt-n0.sock" "$script"

# (c) a killed supervisor's passt
cat >"$T/qemu-stub" <<'EOF'
#!/bin/sh
# stands in for QEMU: never connects to passt, never answers QMP
exec sleep 300
EOF
chmod +x "$T/qemu-stub"
QNM_QEMU="$T/qemu-stub" "$QNM" start vm >"$T/start.out" 2>&1 &
startpid=$!
qemu_recorded() { grep -q '^qemu_pid=[1-9]' "$R/state" 2>/dev/null; }
wait_for 10 qemu_recorded ||
	fatal "the supervisor never started the QEMU stand-in"
sup=$(sed -n 's/^supervisor_pid=//p' "$R/state")
qemu=$(sed -n 's/^qemu_pid=//p' "$R/state")
ppid=$(cat "$R/passt-n0.pid")
echo "  supervisor $sup, QEMU stand-in $qemu, passt $ppid"
kill -9 "$sup" "$qemu" "$startpid" 2>/dev/null
wait "$startpid" 2>/dev/null
sleep 0.3
check "(c) passt outlives its killed supervisor" test -d "/proc/$ppid"
out=$("$QNM" stop vm 2>&1)
echo "  $out"
expect_contains "(c) the next command stops it and says so" "stopped passt pid $ppid of NIC n0" "$out"
wait_for 3 test ! -d "/proc/$ppid" && ok "(c) the leftover passt is gone" || fail "(c) passt $ppid still runs"
expect_eq "(c) no passt left" 0 "$(passts)"
finish
