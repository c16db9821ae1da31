#!/bin/bash
# tests/slirp/guest-test.sh MODEL [restrict] - boot the tiny guest under TCG on the slirp
# backend (qnm slirp-helper + QEMU -netdev stream) and check, end to end:
#   - the guest gets its address by DHCP from the helper (router 10.0.2.2, or none when
#     restricted);
#   - host -> guest through a forward given at start (--hostfwd);
#   - host -> guest through a forward added while the guest runs (ctl hostfwd-add);
#   - guest -> 10.0.2.2 (a listener on the host's loopback);
#   - guest -> an "outside" address (198.51.100.1 on the namespace's lo);
#   - the counters match the bytes actually sent (tolerance below);
#   - restrict: the guest reaches neither 10.0.2.2 nor the outside, forwards still work;
#   - the helper exits with status 0 when QEMU goes away and removes its sockets.
# Everything runs inside a private network namespace (unshare -n) with its own loopback.
#
# Counter tolerance: over a window that holds one bulk TCP transfer of N payload bytes
# (plus at most one tiny trigger connection), the counter of that direction must be in
# [N, N * 1.08 + 8192] bytes: Ethernet + IPv4 + TCP headers with timestamps are 66 bytes
# per <= 1448-byte segment (4.6 %), the rest is handshake, FIN and ARP frames.

MODEL=$1
MODE=${2:-open}
if [ -z "${QNM_SLIRP_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -n)"; exit 77; }
	unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
	QNM_SLIRP_NETNS=1 exec timeout -k 5 150 unshare -n "$0" "$@"
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
ip addr add 198.51.100.1/32 dev lo

SOCK=$T/run/slirp-n0.sock
CTL=$T/run/slirp-n0.ctl
SERIAL=$T/serial.log
UP_BYTES=400000
F1_BYTES=300000
F2_BYTES=100000

# Host listeners; stdin is a FIFO that never ends (busybox nc stops at stdin EOF).
mkfifo "$T/hold"
exec 9<>"$T/hold"
busybox nc -l -p 5001 <&9 >"$T/up.out" &
L1=$!
busybox nc -l -p 5002 <&9 >"$T/out.out" &
L2=$!
at_exit "kill $L1 $L2 2>/dev/null"

restrict_opt=()
[ "$MODE" = restrict ] && restrict_opt=(--restrict)
# QNM_SLIRP_HELPER_WRAP: a command prefix for the helper, e.g. valgrind (see valgrind-slirp
# in mk/slirp.am); word-split on purpose.
# shellcheck disable=SC2086
${QNM_SLIRP_HELPER_WRAP:-} "$QNM" slirp-helper --socket "$SOCK" --control "$CTL" --id n0 --ipv6 off "${restrict_opt[@]}" \
	--hostfwd tcp:127.0.0.1:6001-:7001 --hostfwd tcp:127.0.0.1:6003-:7003 \
	--hostfwd tcp:127.0.0.1:6004-:7004 \
	2>"$T/helper.log" &
HELPER=$!
at_exit "kill $HELPER 2>/dev/null"
ctl() { "$QNM" slirp-helper ctl "$CTL" "$@"; }
wait_for 20 ctl stats >/dev/null || { cat "$T/helper.log"; fatal "helper did not start"; }

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
udhcpc -i eth0 -f -q -n -t 5 -T 1 -s /tmp/udhcpc.sh 2>/dev/null || echo QNM-DHCP-FAILED
# stdin that never ends (busybox nc stops at stdin EOF); no pipeline, so wait sees nc alone
mkfifo /tmp/hold
exec 9<>/tmp/hold
nc -l -p 7001 <&9 >/tmp/f1 &
P1=\$!
nc -l -p 7002 <&9 >/tmp/f2 &
P2=\$!
nc -l -p 7003 <&9 >/dev/null &
P3=\$!
nc -l -p 7004 <&9 >/dev/null &
P4=\$!
sleep 0.5
echo QNM-READY
wait \$P1; echo "QNM-F1 \$(wc -c </tmp/f1)"
wait \$P2; echo "QNM-F2 \$(wc -c </tmp/f2)"
wait \$P3
head -c $UP_BYTES /dev/zero | nc -w 3 10.0.2.2 5001; echo "QNM-UP \$?"
# Without a router from DHCP (restricted) route by hand: the helper itself must refuse.
ip route | grep -q default || ip route add default via 10.0.2.2 dev eth0
echo outside | nc -w 3 198.51.100.1 5002; echo "QNM-OUT \$?"
wait \$P4
EOF

dev=$MODEL
[ "$MODEL" = e1000 ] && dev=e1000,autonegotiation=off
timeout 100 qemu-system-x86_64 -accel tcg -machine q35 -cpu qemu64 -smp 1 -m 256 -nodefaults \
	-no-user-config -display none -serial "file:$SERIAL" -no-reboot \
	-kernel "$cache/vmlinux" -initrd "$cache/initrd.gz" \
	-append 'console=ttyS0 quiet cryptomgr.notests panic=-1' \
	-fw_cfg "name=opt/qnm/script,file=$T/guest.sh" \
	-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK" \
	-device "$dev,netdev=n0,mac=52:54:00:12:34:56" >"$T/qemu.log" 2>&1 &
QEMU=$!
at_exit "kill $QEMU 2>/dev/null"
START=$(date +%s.%N)

dump() {
	echo "--- serial"; cat "$SERIAL"
	echo "--- helper"; cat "$T/helper.log"
	echo "--- qemu"; cat "$T/qemu.log"
}
# wait_serial SECONDS PATTERN - wait for a line on the guest console.
wait_serial() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		grep -q "$2" "$SERIAL" 2>/dev/null && return 0
		kill -0 $QEMU 2>/dev/null || break
		sleep 0.1
	done
	grep -q "$2" "$SERIAL" 2>/dev/null && return 0
	dump
	fatal "guest did not print '$2'"
}
serial_val() { sed -n "s/^$1 //p" "$SERIAL" | tr -d '\r' | head -n 1; }
# stat NAME - one counter from the helper.
stat() { ctl stats | awk -v k="$1" '$1 == k { print $2 }'; }
# in_range DESC VALUE LOW HIGH
in_range() {
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		ok "$1 ($2 in [$3, $4])"
	else
		fail "$1: $2 not in [$3, $4]"
	fi
}
not_grep() { ! grep -q "$1" "$2"; }
hi() { echo $(($1 * 108 / 100 + 8192)); }
send_to() { timeout 20 bash -c "head -c $2 /dev/zero >/dev/tcp/127.0.0.1/$1"; }

wait_serial 60 QNM-READY
READY=$(date +%s.%N)
awk -v a="$START" -v b="$READY" 'BEGIN { printf "guest ready after %.1f s\n", b - a }'
dhcp=$(grep QNM-DHCP "$SERIAL" | tr -d '\r' | head -n 1)
if [ "$MODE" = restrict ]; then
	expect_eq "DHCP lease from the helper, no router or DNS when restricted" \
		"QNM-DHCP ip=10.0.2.15 router= dns=" "$dhcp"
else
	expect_eq "DHCP lease from the helper" "QNM-DHCP ip=10.0.2.15 router=10.0.2.2 dns=10.0.2.3" \
		"$dhcp"
fi
expect_eq "helper sees QEMU connected" "true" "$(stat connected)"
expect_eq "one QEMU connection" "1" "$(stat connections)"

# 1. host -> guest through the forward given at start.
rx1=$(stat rx_bytes)
tx1=$(stat tx_bytes)
rxp1=$(stat rx_packets)
send_to 6001 $F1_BYTES || fail "send to forward 6001"
wait_serial 30 QNM-F1
expect_eq "host -> guest via start-up hostfwd: bytes received" "$F1_BYTES" "$(serial_val QNM-F1)"
rx2=$(stat rx_bytes)
tx2=$(stat tx_bytes)
rxp2=$(stat rx_packets)
in_range "rx_bytes grew by what the host sent" $((rx2 - rx1)) $F1_BYTES "$(hi $F1_BYTES)"
in_range "rx_packets grew by at least one frame per 1514 bytes" $((rxp2 - rxp1)) \
	$((F1_BYTES / 1514)) $((F1_BYTES / 100))
in_range "tx_bytes (the guest's ACKs) stayed small" $((tx2 - tx1)) 1 $((F1_BYTES / 10))

# 2. a forward added while the guest runs.
check "hostfwd-add while running" ctl hostfwd-add tcp:127.0.0.1:6002-:7002
expect_contains "hostfwd-list shows it" "tcp:127.0.0.1:6002-:7002" "$(ctl hostfwd-list)"
out=$(ctl hostfwd-add tcp:127.0.0.1:6002-:7009 2>&1)
expect_contains "second forward on the same port is refused, naming it" "host port 6002" "$out"
send_to 6002 $F2_BYTES || fail "send to live forward 6002"
wait_serial 30 QNM-F2
expect_eq "host -> guest via live hostfwd: bytes received" "$F2_BYTES" "$(serial_val QNM-F2)"

# 3. guest -> 10.0.2.2 (and the counters of that direction), then guest -> outside.
tx3=$(stat tx_bytes)
send_to 6003 0 || fail "trigger through forward 6003"
wait_serial 30 QNM-OUT
tx4=$(stat tx_bytes)
up=$(wc -c <"$T/up.out")
outside=$(tr -d '\r\n' <"$T/out.out")
if [ "$MODE" = restrict ]; then
	check "restricted: guest -> 10.0.2.2 fails in the guest" test "$(serial_val QNM-UP)" != 0
	expect_eq "restricted: nothing reached the host listener" 0 "$up"
	check "restricted: guest -> 198.51.100.1 fails in the guest" test "$(serial_val QNM-OUT)" != 0
	expect_eq "restricted: nothing reached the outside listener" "" "$outside"
	check "restricted: refused by the helper, not by the guest's routing" \
		not_grep "Network is unreachable" "$SERIAL"
else
	expect_eq "guest -> 10.0.2.2: nc status" 0 "$(serial_val QNM-UP)"
	expect_eq "guest -> 10.0.2.2: bytes at the host listener" $UP_BYTES "$up"
	in_range "tx_bytes grew by what the guest sent" $((tx4 - tx3)) $UP_BYTES "$(hi $UP_BYTES)"
	expect_eq "guest -> outside address: data arrived" "outside" "$outside"
fi

# 4. removing a forward closes its host port.
check "hostfwd-remove" ctl hostfwd-remove tcp:127.0.0.1:6002
if timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6002' 2>/dev/null; then
	fail "port 6002 still accepts after hostfwd-remove"
else
	ok "port 6002 closed after hostfwd-remove"
fi

# 5. the guest powers off (told through forward 6004); the helper notices and exits cleanly.
send_to 6004 0 || fail "trigger through forward 6004"
wait_serial 30 QNM-SCRIPT-END
wait $QEMU
wait $HELPER
expect_eq "helper exit status after QEMU left" 0 $?
check "helper removed its QEMU socket" test ! -e "$SOCK"
check "helper removed its control socket" test ! -e "$CTL"
[ "$FAILS" -eq 0 ] || dump
finish
