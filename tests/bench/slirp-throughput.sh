#!/bin/bash
# tests/bench/slirp-throughput.sh - guest download throughput and CPU cost of user-mode
# networking (issue 16.7): qnm's slirp helper (libslirp over -netdev stream), passt (over
# -netdev stream) and QEMU's built-in user networking; same guest, same device model, runs
# alternated (slirp, user, passt, slirp, user, passt, ...).
# The guest downloads BENCH_MB MiB from a listener on the host's loopback through its DHCP
# router address and times it with /proc/uptime. The host's listener (python3) reads the CPU
# time of the helper process (slirp helper or passt) and of QEMU (all threads, from
# /proc/PID/task/*/schedstat) when the guest connects and once the guest has read everything
# and closed: CPU-seconds per GiB are for the download only, not the boot.
# Figures are medians of BENCH_RUNS runs per backend; ratios are to QEMU's user.
# Env: BENCH_MODEL (virtio-net-pci), BENCH_MB (200), BENCH_RUNS (3), BENCH_MODES
# ("slirp user passt"; passt is left out when it is not installed); BENCH_BASE_QNM=PATH adds
# mode "base", the slirp helper of another qnm binary (before/after a change, alternated
# with the others under the same load).
# Runs inside its own network namespace (unshare -n); needs root.
if [ -z "${QNM_SLIRP_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -n)"; exit 77; }
	QNM_SLIRP_NETNS=1 exec timeout -k 5 3000 unshare -n "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd busybox busybox-static
need_cmd python3 python3
"$QNM" slirp-helper --help 2>/dev/null | grep -q -- '--socket' ||
	skip "$QNM does not dispatch the slirp-helper command"
# The tiny guest from qnm's own builder (src/guest/demo.c), cached for all tests of the build.
cache=${QNM_BUILDDIR:-$T}/tests/guest-cache
out=$("$QNM" demo --build-only --dir "$cache" 2>&1) || skip "cannot build the test guest: $out"
ip link set lo up
# passt copies the host's uplink and maps its gateway address to the host's loopback: give
# the namespace one (a veth whose peer nobody answers on), as tests/guest/passt-common.sh does.
ip link add qup0 type veth peer name qup1 && ip link set qup1 up && ip link set qup0 up &&
	ip addr add 10.1.0.2/24 dev qup0 && ip route add default via 10.1.0.1 ||
	fatal "cannot make the uplink"

MODEL=${BENCH_MODEL:-virtio-net-pci}
MB=${BENCH_MB:-200}
RUNS=${BENCH_RUNS:-3}
MODES=${BENCH_MODES:-slirp user passt}
[ -n "${BENCH_BASE_QNM:-}" ] && MODES="base $MODES"
BYTES=$((MB * 1024 * 1024))
if ! command -v passt >/dev/null 2>&1; then
	MODES=${MODES//passt/}
	echo "passt is not installed (Debian package: passt): left out"
fi

# The listener: one connection, BYTES zeros; CPU time of the processes named in $T/pids
# ("NAME PIDFILE" lines) at accept and after the guest closed, written to $T/cpu (µs).
cat >"$T/srv.py" <<'EOF'
import os, socket, sys

def cpu_ns(pid):
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total

def snapshot(listfile):
    out = {}
    with open(listfile) as f:
        for line in f:
            name, pidfile = line.split()
            with open(pidfile) as p:
                out[name] = cpu_ns(int(p.read().split()[0]))
    return out

port, nbytes, listfile, result = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(1)
open(result + ".ready", "w").close()
c, _ = s.accept()
before = snapshot(listfile)
chunk = memoryview(bytes(1 << 20))
left = nbytes
while left:
    left -= c.send(chunk[: min(left, len(chunk))])
c.shutdown(socket.SHUT_WR)
while c.recv(65536):
    pass
after = snapshot(listfile)
with open(result, "w") as f:
    for name in before:
        b, a = before[name], after[name]
        f.write(f"{name} {(a - b) // 1000 if a is not None and b is not None else -1}\n")
EOF

cat >"$T/guest.sh" <<EOF
cat >/tmp/udhcpc.sh <<'DHCP'
#!/bin/sh
case "\$1" in
deconfig) ip addr flush dev "\$interface"; ip link set "\$interface" up ;;
bound|renew)
	ip addr add "\$ip/\${mask:-24}" dev "\$interface"
	[ -n "\$router" ] && ip route add default via "\$router"
	echo "\$router" >/tmp/router
	echo "QNM-DHCP ip=\$ip router=\$router dns=\$dns"
	;;
esac
DHCP
chmod +x /tmp/udhcpc.sh
ip link set eth0 up
i=0
while [ "\$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ \$i -lt 100 ]; do
	sleep 0.1; i=\$((i + 1))
done
udhcpc -i eth0 -f -q -n -t 5 -T 1 -s /tmp/udhcpc.sh >/dev/null 2>&1
mkfifo /tmp/hold
exec 9<>/tmp/hold
a=\$(cut -d' ' -f1 /proc/uptime)
n=\$(nc "\$(cat /tmp/router)" 5001 <&9 | wc -c)
b=\$(cut -d' ' -f1 /proc/uptime)
echo "QNM-DL \$n \$a \$b"
EOF

dev=$MODEL
[ "$MODEL" = e1000 ] && dev=e1000,autonegotiation=off

# run MODE - one boot + download; prints "MiB/s helper-us qemu-us total-us" (CPU in µs) or "fail".
run() {
	local mode=$1 netdev helper= line
	rm -f "$T/serial" "$T/s" "$T/c" "$T/p" "$T/cpu" "$T/cpu.ready" "$T/qemu.pid" "$T/helper.pid"
	echo "qemu $T/qemu.pid" >"$T/pids"
	python3 "$T/srv.py" 5001 $BYTES "$T/pids" "$T/cpu" &
	local srv=$!
	wait_for 5 test -e "$T/cpu.ready" || { echo fail; return; }
	case $mode in
	slirp | base)
		local exe=$QNM
		[ "$mode" = base ] && exe=$BENCH_BASE_QNM
		"$exe" slirp-helper --socket "$T/s" --control "$T/c" --ipv6 off --keep-listening \
			2>>"$T/helper.log" &
		helper=$!
		wait_for 5 test -S "$T/c" || { echo fail; return; }
		netdev="stream,id=n0,server=off,addr.type=unix,addr.path=$T/s"
		;;
	passt)
		passt --foreground --one-off --ipv4-only --runas 0:0 --socket "$T/p" \
			--log-file "$T/passt.log" >>"$T/helper.log" 2>&1 &
		helper=$!
		wait_for 5 test -S "$T/p" || { echo fail; return; }
		netdev="stream,id=n0,server=off,addr.type=unix,addr.path=$T/p"
		;;
	user)
		netdev="user,id=n0,ipv6=off"
		;;
	esac
	if [ -n "$helper" ]; then
		echo "$helper" >"$T/helper.pid"
		echo "helper $T/helper.pid" >>"$T/pids"
	fi
	timeout 600 qemu-system-x86_64 -accel tcg -machine q35 -cpu qemu64 -smp 1 -m 256 \
		-nodefaults -no-user-config -display none -serial "file:$T/serial" -no-reboot \
		-pidfile "$T/qemu.pid" -kernel "$cache/vmlinux" -initrd "$cache/initrd.gz" \
		-append 'console=ttyS0 quiet cryptomgr.notests panic=-1' \
		-fw_cfg "name=opt/qnm/script,file=$T/guest.sh" \
		-netdev "$netdev" -device "$dev,netdev=n0,mac=52:54:00:12:34:56" >/dev/null 2>&1
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	if [ -n "$helper" ]; then
		kill $helper 2>/dev/null
		wait $helper 2>/dev/null
	fi
	line=$(grep QNM-DL "$T/serial" | tr -d '\r')
	set -- $line
	if [ "${2:-0}" != $BYTES ] || [ ! -s "$T/cpu" ]; then
		echo fail
		return
	fi
	awk -v n="$2" -v a="$3" -v b="$4" -v mode="$mode" '
		{ ns[$1] = $2 }
		END {
			h = mode == "user" ? 0 : ns["helper"]
			printf "%.1f %.0f %.0f %.0f\n", n / 1048576 / (b - a), h, ns["qemu"], h + ns["qemu"]
		}' \
		"$T/cpu"
}

median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# per GiB: CPU-seconds for BYTES
per_gib() { awk -v us="$1" -v b=$BYTES 'BEGIN { printf "%.2f", us / 1e6 * 1073741824 / b }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
echo "guest download of $MB MiB, $MODEL, TCG, $RUNS alternated runs per backend ($MODES)"
for mode in $MODES; do : >"$T/$mode.txt"; done
for ((i = 1; i <= RUNS; i++)); do
	for mode in $MODES; do
		r=$(run $mode)
		[ "$r" = fail ] && fatal "$mode run $i failed (serial: $(tr -d '\r' <"$T/serial" | tail -n 3); $(tail -n 3 "$T/helper.log" 2>/dev/null))"
		set -- $r
		printf '  run %d %-5s %7s MiB/s  helper %5s CPU-s/GiB  QEMU %5s CPU-s/GiB  (load %s)\n' \
			$i $mode $1 "$(per_gib $2)" "$(per_gib $3)" "$(cut -d' ' -f1 /proc/loadavg)"
		echo "$r" >>"$T/$mode.txt"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A speed helper qemu total
for mode in $MODES; do
	total[$mode]=$(awk '{ print $4 }' "$T/$mode.txt" | median)
	speed[$mode]=$(awk '{ print $1 }' "$T/$mode.txt" | median)
	helper[$mode]=$(awk '{ print $2 }' "$T/$mode.txt" | median)
	qemu[$mode]=$(awk '{ print $3 }' "$T/$mode.txt" | median)
done
declare -A label=([user]="QEMU user" [slirp]="qnm slirp helper" [passt]="passt" [base]="slirp helper, base")
printf '\nmedians of %d runs (CPU-s per GiB downloaded; helper = the slirp helper or passt process):\n' $RUNS
printf '%-19s %8s %7s %12s %12s %12s %7s\n' backend "MiB/s" "x user" "helper CPU" "QEMU CPU" "total CPU" "x user"
for mode in $MODES; do
	tot=${total[$mode]}
	ur=- cr=-
	if [ -n "${speed[user]:-}" ]; then
		ur=$(awk -v a="${speed[$mode]}" -v b="${speed[user]}" 'BEGIN { printf "%.2f", a / b }')
		cr=$(awk -v a="$tot" -v b="${total[user]}" 'BEGIN { printf "%.2f", a / b }')
	fi
	hs=$(per_gib "${helper[$mode]}")
	[ "$mode" = user ] && hs=-
	printf '%-19s %8s %7s %12s %12s %12s %7s\n' "${label[$mode]}" "${speed[$mode]}" "$ur" "$hs" \
		"$(per_gib "${qemu[$mode]}")" "$(per_gib $tot)" "$cr"
done
if [ -n "${speed[user]:-}" ] && [ -n "${speed[slirp]:-}" ]; then
	echo "slirp helper / user: $(awk -v a="${speed[slirp]}" -v b="${speed[user]}" 'BEGIN { printf "%.2f", a / b }')x (target >= 1.0x)"
fi
if [ -n "${speed[base]:-}" ] && [ -n "${speed[slirp]:-}" ]; then
	echo "slirp helper / base: $(awk -v a="${speed[slirp]}" -v b="${speed[base]}" 'BEGIN { printf "%.2f", a / b }')x MiB/s, $(awk -v a="${helper[slirp]}" -v b="${helper[base]}" 'BEGIN { printf "%.2f", a / b }')x helper CPU per GiB"
fi
exit 0
