#!/bin/bash
# serial-log-cap.sh - a guest printing without pause to its console leaves
# at most about twice its log-max on disk (serial.log and the rotated
# serial.log.1; the supervisor looks every 50 ms while the log grows, every
# 250 ms when it does not), and the console
# (qnm console --lines, --follow, qnm status) still shows the newest lines.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=200
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

cat >"$T/guest.sh" <<'EOF'
. /etc/qnm/lib.sh
echo QNM-PRINT-START
i=0
while [ $i -lt 12000 ]; do
	echo "line $i 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
	i=$((i + 1))
done
echo QNM-PRINT-END
sleep 600
EOF
guest_define vm "$T/guest.sh"
"$QNM" set vm log-max=64 >/dev/null || fatal "set log-max"
check "log-max out of range refused" bash -c '! "$0" set vm log-max=1 2>/dev/null' "$QNM"
"$QNM" start vm >/dev/null || fatal "start"
log=$(serial_log vm)
"$QNM" console vm --follow >"$T/follow.out" 2>&1 &
FOL=$!
at_exit "kill $FOL 2>/dev/null"
cap=$((64 * 1024)) max=0
wait_serial 60 vm QNM-PRINT-START >/dev/null || fatal "guest did not start printing"
t0=$(date +%s%N)
for ((i = 0; i < 1500; i++)); do
	a=$(stat -c %s "$log" 2>/dev/null || echo 0)
	b=$(stat -c %s "$log.1" 2>/dev/null || echo 0)
	[ $((a + b)) -gt "$max" ] && max=$((a + b))
	grep -q QNM-PRINT-END "$log" "$log.1" 2>/dev/null && break
	sleep 0.1
done
t1=$(date +%s%N)
check "the guest printed its ~1 MB" grep -q QNM-PRINT-END "$log" "$log.1"
printed=$((12000 * 84))
ms=$(((t1 - t0) / 1000000))
rate=$((printed * 1000 / (ms > 0 ? ms : 1)))
echo "  guest printed $printed bytes in $ms ms ($rate B/s); most on disk at once: $max bytes (cap $cap)"
# between two looks (250 ms at most) the log may pass the cap by that much output
check "on disk at most 2 x log-max + 0.3 s of output ($max <= $((2 * cap + rate * 3 / 10)))" \
	test "$max" -le $((2 * cap + rate * 3 / 10))
sleep 2
a=$(stat -c %s "$log") b=$(stat -c %s "$log.1" 2>/dev/null || echo 0)
check "after a pause: serial.log within the cap ($a <= $cap)" test "$a" -le "$cap"
check "a rotated serial.log.1 exists" test -f "$log.1"
expect_contains "console --lines shows the newest line" "QNM-PRINT-END" "$("$QNM" console vm --lines 3)"
expect_contains "console --lines reaches back into serial.log.1" "line 11999" \
	"$("$QNM" console vm --lines 400)"
check "console --follow kept following across rotations" wait_for 5 grep -q QNM-PRINT-END "$T/follow.out"
# what it printed, in order; lost are only lines the guest printed between
# a rotation's copy and its truncation (copytruncate: a few at most)
# a copytruncate loss, and a reader starved (a loaded host) past two
# rotations loses at most one rotated file (< 2 x log-max), saying so
seen=$(grep -c '^line [0-9]* 0123' "$T/follow.out")
gaps=$(grep -c 'rotated away' "$T/follow.out")
echo "  --follow printed $seen of 12000 lines; $gaps gap notice(s)"
least=$((12000 - 120 - gaps * 2 * cap / 84))
check "console --follow printed all lines but 1% and its gaps ($seen >= $least)" \
	test "$seen" -ge "$least"
in_order() {
	# whole lines only: a line cut by a rotation's loss starts a longer one
	grep -x 'line [0-9]* 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz' "$1" |
		awk 'BEGIN { p = -1 } { if ($2 + 0 <= p) { print "  line " $2 " after line " p; exit 1 }; p = $2 + 0 }'
}
check "console --follow printed them once each, in order" in_order "$T/follow.out"
"$QNM" stop vm --force >/dev/null
finish
