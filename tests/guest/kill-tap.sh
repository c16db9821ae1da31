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
#   (c) KILLS_TAP (default 12) more, at a random delay after the TAP appears
#       over the measured time from the TAP appearing to QEMU's exec: the
#       window where only the records know of the TAP.
# Where the kills landed is printed (what existed right after each kill).
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-420}
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base
need_cmd jq jq
KILLS=${KILLS:-50}
KILLS_TAP=${KILLS_TAP:-12}
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
# $T/killer.py MODE DELAY_US - run "qnm start VM" and SIGKILL it and the
# supervisor it forks DELAY_US microseconds after a moment MODE names:
#   start  the command's launch;
#   tap    the TAP appearing (the supervisor's pid is then in the state file).
# The supervisor lives in its own session: a loop watching /proc (about a
# millisecond per look) knows its pid by the deadline, so the kill lands
# where the delay says, not a look later. Prints "returned" when the command
# had ended by then, "killed" otherwise.
#   measure 0  no kill: prints the microseconds from the TAP appearing to
#              QEMU's exec (the window of "tap").
cat >"$T/killer.py" <<'PY'
import os, signal, subprocess, sys, time
mode, delay = sys.argv[1], int(sys.argv[2]) / 1e6
qnm, vm, rundir, tap = sys.argv[3:7]
want = [qnm.encode(), b"start", vm.encode()]
def cmdlines(after=0):
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) > after:
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    yield int(d), f.read().split(b"\0")[:-1]
            except OSError:
                pass
def starters():
    return {p for p, a in cmdlines() if a == want}
def qemu_up(after):
    return any(a and a[0].startswith(b"qemu-system") and rundir.encode() in b" ".join(a)
               for p, a in cmdlines(after))
def sup_pid():
    try:
        with open(rundir + "/state") as f:
            for line in f:
                if line.startswith("supervisor_pid="):
                    return {int(line.split("=")[1])}
    except (OSError, ValueError):
        pass
    return set()
tap_path = "/sys/class/net/" + tap
cli = subprocess.Popen([qnm, "start", vm], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t0 = time.monotonic()
seen = set()
if mode != "start":
    while not os.path.exists(tap_path):
        if cli.poll() is not None or time.monotonic() - t0 > 20:
            sys.exit("the TAP never appeared")
    t0 = time.monotonic()
    seen = sup_pid()
    if mode == "measure":
        # QEMU is the supervisor's child: a pid after it
        while not qemu_up(min(seen, default=0)):
            pass
        print(int((time.monotonic() - t0) * 1e6))
        cli.wait()
        sys.exit(0)
    # the supervisor is known: nothing to look for, the kill is on time
    while time.monotonic() - t0 < delay:
        pass
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
kill_start() { python3 "$T/killer.py" "$1" "$2" "$QNM" "$VM" "$R/$VM" "$TAP"; }
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

# kill_rounds PART N MODE SPAN - N rounds: SIGKILL "qnm start" at a random
# delay in [0, SPAN] microseconds after the moment MODE names (killer.py),
# then "qnm start" and "qnm stop"; counts where the kills landed (what
# existed right after) and what each round left.
kill_rounds() {
	local part=$1 n=$2 mode=$3 span=$4 k delay how where out left w
	local bad_start=0 bad_stop=0 dirty=0
	local -A landed=()
	for ((k = 1; k <= n; k++)); do
		delay=$(((RANDOM * 32768 + RANDOM) % (span + 1)))
		how=$(kill_start "$mode" "$delay") || fatal "$part kill $k: $how"
		if [ "$how" = returned ]; then
			where="after start returned (supervisor killed)"
		elif [ -n "$(qemus)" ]; then
			where="QEMU running"
		elif [ -e "/sys/class/net/$TAP" ]; then
			where="TAP made, no QEMU"
		elif [ -e "$R/$VM" ]; then
			where="runtime dir made, no TAP"
		else
			where="before the runtime dir"
		fi
		landed[$where]=$((${landed[$where]:-0} + 1))
		if ! out=$("$QNM" start "$VM" 2>&1); then
			case "$out" in
			*"is already running"*) [ -n "$(qemus)" ] ;;
			*) false ;;
			esac || {
				bad_start=$((bad_start + 1))
				echo "  $part kill $k ($where): start: $out"
			}
		fi
		out=$("$QNM" stop "$VM" --force 2>&1) || {
			bad_stop=$((bad_stop + 1))
			echo "  $part kill $k ($where): stop: $out"
		}
		left=$(leftovers | tr '\n' ' ')
		if [ -n "$left" ]; then
			dirty=$((dirty + 1))
			echo "  $part kill $k ($where, delay ${delay} us): left $left"
			reset
		fi
	done
	for w in "before the runtime dir" "runtime dir made, no TAP" "TAP made, no QEMU" \
		"QEMU running" "after start returned (supervisor killed)"; do
		printf '  %s kills landing %-42s %d\n' "$part" "$w:" "${landed[$w]:-0}"
	done
	expect_eq "$part $n kills: every following start worked" 0 "$bad_start"
	expect_eq "$part $n kills: every following stop worked" 0 "$bad_stop"
	expect_eq "$part $n kills: rounds that left something" 0 "$dirty"
	expect_eq "$part $n kills: leftovers at the end (links, records, processes, runtime dirs)" \
		"" "$(leftovers | tr '\n' ' ')"
}

# ---- (b) SIGKILL "qnm start" at random moments of its whole run ----
t0=$(now_us)
"$QNM" start "$VM" >/dev/null 2>&1 || fatal "timed start failed"
D=$(($(now_us) - t0))
"$QNM" stop "$VM" --force >/dev/null 2>&1
echo "(b) a start takes ${D} us; $KILLS kills at random delays in [0, $D] us"
kill_rounds "(b)" "$KILLS" start "$D"

# ---- (c) SIGKILL between the TAP's creation and QEMU running ----
W=$(kill_start measure 0) || fatal "measuring the TAP window: $W"
"$QNM" stop "$VM" --force >/dev/null 2>&1
echo "(c) QEMU is exec'd ${W} us after the TAP appears; $KILLS_TAP kills at random delays in [0, $W] us after it"
kill_rounds "(c)" "$KILLS_TAP" tap "$W"
finish
