#!/bin/bash
# tests/bench/slirp-throughput.sh - guest download throughput on the slirp backend (qnm
# slirp-helper over -netdev stream) against QEMU's built-in user networking, same guest,
# same device model, runs interleaved (slirp, user, slirp, user, ...).
# The guest downloads BENCH_MB MiB from a listener on the host's loopback through
# 10.0.2.2 and times it with /proc/uptime; the figure is the median of BENCH_RUNS runs.
# Env: BENCH_MODEL (virtio-net-pci), BENCH_MB (32), BENCH_RUNS (3).
# Runs inside its own network namespace (unshare -n); needs root.
if [ -z "${QNM_SLIRP_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -n)"; exit 77; }
	QNM_SLIRP_NETNS=1 exec timeout -k 5 600 unshare -n "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd busybox busybox-static
"$QNM" slirp-helper --help 2>/dev/null | grep -q -- '--socket' ||
	skip "$QNM does not dispatch the slirp-helper command"
# The tiny guest from qnm's own builder (src/guest/demo.c), cached for all tests of the build.
cache=${QNM_BUILDDIR:-$T}/tests/guest-cache
out=$("$QNM" demo --build-only --dir "$cache" 2>&1) || skip "cannot build the test guest: $out"
ip link set lo up

MODEL=${BENCH_MODEL:-virtio-net-pci}
MB=${BENCH_MB:-32}
RUNS=${BENCH_RUNS:-3}
BYTES=$((MB * 1024 * 1024))

cat >"$T/guest.sh" <<EOF
cat >/tmp/udhcpc.sh <<'DHCP'
#!/bin/sh
case "\$1" in
deconfig) ip addr flush dev "\$interface"; ip link set "\$interface" up ;;
bound|renew)
	ip addr add "\$ip/\${mask:-24}" dev "\$interface"
	[ -n "\$router" ] && ip route add default via "\$router"
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
n=\$(nc 10.0.2.2 5001 <&9 | wc -c)
b=\$(cut -d' ' -f1 /proc/uptime)
echo "QNM-DL \$n \$a \$b"
EOF

dev=$MODEL
[ "$MODEL" = e1000 ] && dev=e1000,autonegotiation=off

# run MODE - one boot + download; prints MB/s (or "fail").
run() {
	local mode=$1 netdev helper= line
	rm -f "$T/serial" "$T/s" "$T/c"
	head -c $BYTES /dev/zero | busybox nc -l -p 5001 >/dev/null &
	local srv=$!
	if [ "$mode" = slirp ]; then
		"$QNM" slirp-helper --socket "$T/s" --control "$T/c" --ipv6 off --keep-listening \
			2>>"$T/helper.log" &
		helper=$!
		wait_for 5 test -S "$T/c" || { echo fail; return; }
		netdev="stream,id=n0,server=off,addr.type=unix,addr.path=$T/s"
	else
		netdev="user,id=n0,ipv6=off"
	fi
	timeout 120 qemu-system-x86_64 -accel tcg -machine q35 -cpu qemu64 -smp 1 -m 256 \
		-nodefaults -no-user-config -display none -serial "file:$T/serial" -no-reboot \
		-kernel "$cache/vmlinux" -initrd "$cache/initrd.gz" \
		-append 'console=ttyS0 quiet cryptomgr.notests panic=-1' \
		-fw_cfg "name=opt/qnm/script,file=$T/guest.sh" \
		-netdev "$netdev" -device "$dev,netdev=n0,mac=52:54:00:12:34:56" >/dev/null 2>&1
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	if [ -n "$helper" ]; then
		# --keep-listening keeps it alive after QEMU left: read its CPU time (utime +
		# stime, clock ticks), then stop it.
		awk '{ print $14 + $15 }' "/proc/$helper/stat" >>"$T/helper-ticks.txt"
		kill $helper 2>/dev/null
		wait $helper 2>/dev/null
	fi
	line=$(grep QNM-DL "$T/serial" | tr -d '\r')
	set -- $line
	if [ "${2:-0}" != $BYTES ]; then
		echo fail
		return
	fi
	awk -v n="$2" -v a="$3" -v b="$4" 'BEGIN { printf "%.2f\n", n / 1048576 / (b - a) }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "guest download of $MB MiB, $MODEL, TCG, $RUNS interleaved runs per backend"
: >"$T/slirp.txt"
: >"$T/user.txt"
for ((i = 1; i <= RUNS; i++)); do
	for mode in slirp user; do
		r=$(run $mode)
		printf '  run %d %-5s %s MB/s\n' $i $mode "$r"
		[ "$r" = fail ] && fatal "$mode run $i failed (serial: $(tr -d '\r' <"$T/serial" | tail -n 3))"
		echo "$r" >>"$T/$mode.txt"
	done
done
s=$(median <"$T/slirp.txt")
u=$(median <"$T/user.txt")
ratio=$(awk -v s="$s" -v u="$u" 'BEGIN { printf "%.2f", s / u }')
echo "median: slirp helper $s MB/s, built-in user $u MB/s, ratio slirp/user ${ratio}x (target >= 1.0x)"
awk -v hz="$(getconf CLK_TCK)" -v mb="$MB" '{ t += $1; n++ }
	END { printf "helper CPU time: %.2f s per run (%.1f ms per MiB downloaded)\n", t / n / hz, t / n / hz * 1000 / mb }' \
	"$T/helper-ticks.txt"
exit 0
