#!/bin/bash
# kill-tap.sh - SIGKILLs around a guest whose TAP qnm creates on a qnm NAT
# network (issue 13 item 2), in the test's own network namespace, real QEMU
# under TCG:
#   (a) the supervisor killed while the guest runs: status, doctor's words,
#       "qnm stop" removes the TAP; the supervisor and then QEMU killed: the
#       TAP stays, doctor explains it, the next "qnm start" reclaims it; QEMU
#       alone killed: the supervisor cleans up; a TAP of that name qnm did not
#       make is never touched ("already exists").
#   (b) KILLS (default 50) SIGKILLs of "qnm start" (the command and the
#       supervisor it forks) at a random moment: a random delay in
#       microseconds over the measured duration of a start. Each is followed
#       by "qnm start" (which works, or says the guest already runs when QEMU
#       survived its supervisor) and "qnm stop". Counted at the end:
#       leftover links, ownership records, processes, runtime dirs = 0.
# Where the kills landed is printed (what existed right after each kill).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-280}
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base
need_cmd jq jq
KILLS=${KILLS:-50}
VM=tapvm
TAP=qt-$VM-0
R=$XDG_RUNTIME_DIR/qnm
OWNED=$R/owned

sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link add qup0 type veth peer name qup1 && ip link set qup1 up && ip addr add 10.99.0.1/24 dev qup0 && ip link set qup0 up ||
	fatal "cannot make the uplink"
"$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat uplink=qup0 \
	dhcp-start=10.77.0.50 dhcp-end=10.77.0.60 >/dev/null || fatal "net add failed"
out=$(timeout 30 "$QNM" net up lan 2>&1) || fatal "net up failed: $out"
at_exit "timeout 30 \"$QNM\" net down lan >/dev/null 2>&1"

cat >"$T/guest.sh" <<'EOS'
echo QNM-READY
sleep 600
EOS
guest_define "$VM" "$T/guest.sh"
"$QNM" nic add "$VM" model=virtio-net-pci backend=tap network=lan create=yes >/dev/null ||
	fatal "nic add failed"
at_exit "kill_ours"

links() { ls /sys/class/net | sort | tr '\n' ' '; }
base_links=$(links)

# The processes of this test's qnm: each process whose command line is
# "$QNM start $VM" (the command, and the supervisor forked from it) and each
# QEMU whose command line names this test's runtime dir.
starters() {
	local f a
	for f in /proc/[0-9]*/cmdline; do
		{ mapfile -d '' a <"$f"; } 2>/dev/null || continue
		[ "${#a[@]}" = 3 ] && [ "${a[0]}" = "$QNM" ] && [ "${a[1]}" = start ] &&
			[ "${a[2]}" = "$VM" ] && { f=${f#/proc/}; echo "${f%/cmdline}"; }
	done
}
qemus() {
	local f a
	for f in /proc/[0-9]*/cmdline; do
		{ mapfile -d '' a <"$f"; } 2>/dev/null || continue
		case "${a[0]:-} ${a[*]:1}" in
		qemu-system-*"$R/$VM/"*) f=${f#/proc/}; echo "${f%/cmdline}" ;;
		esac
	done
}
# kill_start DELAY_US - run "qnm start VM" and SIGKILL it and the supervisor
# it forks DELAY_US microseconds later. The supervisor lives in its own
# session: a loop watching /proc (about a millisecond per look) knows its pid
# by the deadline, so the kill lands where the delay says, not a look later.
# Prints "returned" when the command had ended by then.
kill_start() {
	python3 - "$1" "$QNM" "$VM" <<'PY'
import os, signal, subprocess, sys, time
delay, qnm, vm = int(sys.argv[1]) / 1e6, sys.argv[2], sys.argv[3]
want = [qnm.encode(), b"start", vm.encode()]
def starters():
    found = set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    if f.read().split(b"\0")[:-1] == want:
                        found.add(int(d))
            except OSError:
                pass
    return found
t0 = time.monotonic()
cli = subprocess.Popen([qnm, "start", vm], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seen = set()
while time.monotonic() - t0 < delay:
    seen |= starters()
returned = cli.poll() is not None
for p in seen | {cli.pid}:
    try:
        os.kill(p, signal.SIGKILL)
    except OSError:
        pass
for _ in range(400):
    left = starters()
    if not left:
        break
    for p in left:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.002)
else:
    sys.exit("qnm start processes survive SIGKILL")
cli.wait()
print("returned" if returned else "killed")
PY
}
# kill_ours - at exit: whatever this test's qnm left running.
kill_ours() {
	local p
	for p in $(starters) $(qemus); do kill -9 "$p" 2>/dev/null; done
	return 0
}
# leftovers - one word per leftover: links not there before, TAP records,
# processes, the VM's runtime dir.
leftovers() {
	local l
	for l in $(links); do case " $base_links " in *" $l "*) ;; *) echo "link:$l" ;; esac; done
	[ -f "$OWNED" ] && grep '^tap ' "$OWNED" | awk '{ print "record:" $1 "/" $2 }'
	for l in $(starters); do echo "supervisor:$l"; done
	for l in $(qemus); do echo "qemu:$l"; done
	[ -e "$R/$VM" ] && echo "rundir:$VM"
	return 0
}
# reset - the test's own cleanup after a round that left something (so each
# round is judged alone): its QEMU, the TAP, the runtime dir, the records.
reset() {
	kill_ours
	sleep 0.2
	ip link del "$TAP" 2>/dev/null
	rm -rf "${R:?}/$VM"
	[ -f "$OWNED" ] && sed -i '/^tap /d' "$OWNED"
	return 0
}
status_of() { "$QNM" status "$VM" --json 2>/dev/null | jq -r ".$1 // empty"; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
gone() { ! alive "$1"; }
now_us() { local t; t=$(date +%s%N); echo $((t / 1000)); }

# ---- (a) the supervisor killed, QEMU killed ----
out=$("$QNM" start "$VM" 2>&1) || fatal "first start failed: $out"
check "(a) started: the TAP $TAP is on the bridge" test -e "/sys/class/net/qnmbr0/brif/$TAP"
check "(a) the TAP is recorded as qnm's before QEMU runs" grep -q "^tap $TAP " "$OWNED"
sup=$(status_of supervisor_pid)
qpid=$(status_of qemu_pid)
kill -9 "$sup"
wait_for 3 gone "$sup"
expect_eq "(a) supervisor killed: QEMU still runs" running "$(status_of status)"
doc=$("$QNM" doctor --check guest_leftovers 2>&1)
echo "$doc" | sed 's/^/  | /'
expect_contains "(a) doctor: the guest runs without its supervisor" \
	"VM '$VM' runs without its supervisor (pid $sup is gone)" "$doc"
out=$("$QNM" stop "$VM" --force 2>&1)
expect_eq "(a) supervisor killed: qnm stop works ($out)" 0 $?
expect_contains "(a) qnm stop says it removed the TAP" "removed TAP $TAP" "$out"
expect_eq "(a) supervisor killed, stopped: no leftovers" "" "$(leftovers | tr '\n' ' ')"

out=$("$QNM" start "$VM" 2>&1) || fail "(a) start after the killed supervisor: $out"
sup=$(status_of supervisor_pid)
qpid=$(status_of qemu_pid)
kill -9 "$sup"
wait_for 3 gone "$sup"
kill -9 "$qpid"
wait_for 3 gone "$qpid"
check "(a) supervisor and QEMU killed: the TAP is left" test -e "/sys/class/net/$TAP"
doc=$("$QNM" doctor --check guest_leftovers 2>&1)
echo "$doc" | sed 's/^/  | /'
expect_contains "(a) doctor names the leftover TAP and whose it was" \
	"TAP $TAP was made by qnm for VM '$VM'; its supervisor (pid $sup) and QEMU (pid $qpid) are gone" \
	"$doc"
expect_contains "(a) doctor gives the fix" "fix: qnm stop $VM" "$doc"
out=$("$QNM" start "$VM" 2>&1)
expect_eq "(a) the next start works ($out)" 0 $?
expect_contains "(a) start says it reclaimed the TAP" "removed TAP $TAP" "$out"
check "(a) the new TAP is on the bridge" test -e "/sys/class/net/qnmbr0/brif/$TAP"
check "(a) guest boots" wait_serial 30 "$VM" QNM-READY
qpid=$(status_of qemu_pid)
kill -9 "$qpid"
check "(a) QEMU killed: its supervisor records the crash" \
	wait_for 5 bash -c "[ \"\$(\"$QNM\" status $VM --json | jq -r .status)\" = crashed ]"
check "(a) QEMU killed: the supervisor removed the TAP" wait_for 3 test ! -e "/sys/class/net/$TAP"
out=$("$QNM" stop "$VM" 2>&1)
expect_eq "(a) QEMU killed: qnm stop cleans the runtime dir ($out)" 0 $?
expect_eq "(a) QEMU killed, stopped: no leftovers" "" "$(leftovers | tr '\n' ' ')"

# An interface of that name that qnm did not make stays untouched.
reset
ip tuntap add dev "$TAP" mode tap || fatal "cannot make a foreign TAP"
out=$("$QNM" start "$VM" 2>&1)
expect_eq "(a) foreign TAP: start fails" 1 $?
expect_contains "(a) foreign TAP: the clear error" "an interface named $TAP already exists" "$out"
check "(a) foreign TAP: still there" test -e "/sys/class/net/$TAP"
ip tuntap del dev "$TAP" mode tap
"$QNM" stop "$VM" >/dev/null 2>&1
expect_eq "(a) foreign TAP: nothing else left" "" "$(leftovers | tr '\n' ' ')"
reset

# ---- (b) SIGKILL "qnm start" at random moments ----
t0=$(now_us)
"$QNM" start "$VM" >/dev/null 2>&1 || fatal "timed start failed"
D=$(($(now_us) - t0))
"$QNM" stop "$VM" --force >/dev/null 2>&1
echo "a start takes ${D} us; $KILLS kills at random delays in [0, $D] us"
declare -A landed=()
bad_start=0 bad_stop=0 dirty=0
for ((k = 1; k <= KILLS; k++)); do
	delay=$(((RANDOM * 32768 + RANDOM) % (D + 1)))
	how=$(kill_start "$delay") || fatal "kill $k: $how"
	[ "$how" = returned ] && where="after start returned (supervisor killed)"
	if [ -z "${where:-}" ]; then
		if [ -n "$(qemus)" ]; then
			where="QEMU running"
		elif [ -e "/sys/class/net/$TAP" ]; then
			where="TAP made, no QEMU"
		elif [ -e "$R/$VM" ]; then
			where="runtime dir made, no TAP"
		else
			where="before the runtime dir"
		fi
	fi
	landed[$where]=$((${landed[$where]:-0} + 1))
	out=$("$QNM" start "$VM" 2>&1)
	rc=$?
	if [ $rc != 0 ]; then
		case "$out" in
		*"is already running"*) [ -n "$(qemus)" ] || { bad_start=$((bad_start + 1)); echo "  kill $k ($where): start: $out"; } ;;
		*) bad_start=$((bad_start + 1)); echo "  kill $k ($where): start: $out" ;;
		esac
	fi
	out=$("$QNM" stop "$VM" --force 2>&1) || {
		bad_stop=$((bad_stop + 1))
		echo "  kill $k ($where): stop: $out"
	}
	left=$(leftovers | tr '\n' ' ')
	if [ -n "$left" ]; then
		dirty=$((dirty + 1))
		echo "  kill $k ($where, delay ${delay} us): left $left"
		reset
	fi
	unset where
done
for w in "before the runtime dir" "runtime dir made, no TAP" "TAP made, no QEMU" "QEMU running" \
	"after start returned (supervisor killed)"; do
	printf '  kills landing %-42s %d\n' "$w:" "${landed[$w]:-0}"
done
left=$(leftovers | tr '\n' ' ')
expect_eq "(b) $KILLS kills: every following start worked" 0 "$bad_start"
expect_eq "(b) $KILLS kills: every following stop worked" 0 "$bad_stop"
expect_eq "(b) $KILLS kills: rounds that left something" 0 "$dirty"
expect_eq "(b) $KILLS kills: leftovers at the end (links, records, processes, runtime dirs)" "" "$left"
finish
