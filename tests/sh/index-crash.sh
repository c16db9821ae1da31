#!/bin/bash
# index-crash.sh - the index of VMs' names, MACs and host ports
# ($XDG_CONFIG_HOME/qnm/.index, core/index.h; issue 16 item 6) that lets
# "qnm set" and "qnm new" check a save without reading every VM file:
#   - set and new read their own file only when the index is current;
#   - the index is never trusted over the files: a file added by hand (a
#     MAC clash) is seen by the next save, which refuses as before;
#   - SIGKILL at random moments of set, new and del leaves the files and
#     the index consistent: after each kill, the next command sees the
#     truth (a name a killed new wrote is taken), and the index it leaves
#     is the one a whole read of the files makes;
#   - two "qnm new" of one name at once: exactly one wins;
#   - "qnm forward add --net" (one line appended to the network's file)
#     killed at random moments: the next add of that host side is refused
#     exactly when the file has it, and the index is the files'.
# No root needed: all under a scratch $XDG_CONFIG_HOME.
. "$(dirname "$0")/../lib.sh"

need_cmd jq jq

N=${QNM_INDEX_VMS:-100}
ROUNDS=${QNM_INDEX_ROUNDS:-30}
CFG=$XDG_CONFIG_HOME/qnm
VMS=$CFG/vms
IDX=$CFG/.index
bash "$QNM_SRCDIR/tests/mkvms.sh" "$VMS" "$N" || fatal "mkvms failed"

# the records of the index (its "v" lines), sorted
records() { grep '^[vn] ' "$1" | sort; }
# rebuild the index from the files (a save with no index reads them all) into $T/rebuilt
rebuilt() {
	rm -f "$IDX"
	$QNM set vm0 "memory=$((256 + RANDOM % 64))" >/dev/null 2>&1 || fail "set vm0 (rebuild)"
	[ -f "$IDX" ] || { fail "a save with no index wrote none"; return; }
	records "$IDX" >"$T/rebuilt"
}

# --- 1. the index is made by a save, and set and new read their own file only
check "set (builds the index)" $QNM set vm1 memory=300
[ -f "$IDX" ] && ok "index written" || fail "no index after a save"
expect_eq "one record per VM" "$N" "$(grep -c '^v ' "$IDX")"
grep -q '^v vm7 m52:54:00:00:07:01 f0,20007,0,127.0.0.1$' "$IDX" && ok "vm7's record" ||
	fail "vm7's record: $(grep '^v vm7 ' "$IDX")"
# vm9's file rewritten in place (its directory unchanged): a read of every
# file warns about it, a save through the index does not read it
cp "$VMS/vm9.conf" "$T/vm9.conf"
printf '[vm]\nmemory = lots\n' >>"$VMS/vm9.conf"
err=$($QNM set vm2 memory=320 2>&1)
expect_eq "set vm2 reads vm2.conf only (no warning about vm9)" "" "$err"
grep -q '^memory = 320' "$VMS/vm2.conf" && ok "set saved" || fail "set saved"
out=$($QNM new fresh 2>&1)
expect_eq "new reads its own file only" "created VM 'fresh' ($VMS/fresh.conf)" "$out"
grep -q '^v fresh$' "$IDX" && ok "new VM indexed" || fail "new VM indexed"
check "del fresh" $QNM del fresh
grep -q '^v fresh$' "$IDX" && fail "deleted VM still indexed" || ok "deleted VM unindexed"
err=$($QNM list 2>&1 >/dev/null)
expect_contains "a whole read still sees vm9" "vm9.conf:" "$err"
cat "$T/vm9.conf" >"$VMS/vm9.conf"

# --- 2. never trusted over the files: a VM added by hand is seen
sed 's/^mac = .*/mac = 52:54:00:00:03:01/; s/20003/39999/' "$VMS/vm3.conf" >"$VMS/hand.conf"
err=$($QNM set vm4 memory=330 2>&1)
expect_contains "a MAC clash added by hand refuses the save" \
	"MAC clash: 52:54:00:00:03:01 is used by VM 'hand' NIC 'n0' and VM 'vm3' NIC 'n0'" "$err"
grep -q '^memory = 330' "$VMS/vm4.conf" && fail "set saved over a clash" || ok "nothing saved"
rm "$VMS/hand.conf"
check "set after the clash is gone" $QNM set vm4 memory=330

# --- 3. SIGKILL at random moments of set, new and del
kills=0 bad=0
for i in $(seq 1 "$ROUNDS"); do
	case $((i % 3)) in
	0) args=(set "vm$((RANDOM % N))" "memory=$((256 + i))") ;;
	1) args=(new "k$i") ;;
	2) args=(del "k$((i - 1))") ;;
	esac
	$QNM "${args[@]}" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 40))"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	# the next command sees the truth about a name the killed one touched
	name=k$((i - i % 3 + 1))
	if [ -f "$VMS/$name.conf" ]; then
		out=$($QNM new "$name" 2>&1) && { fail "round $i: new $name took a name on disk"; bad=$((bad + 1)); }
		case $out in *"a VM named '$name' already exists"*) ;; *) fail "round $i: $out" ;; esac
	else
		out=$($QNM new "$name" 2>&1) || { fail "round $i: new $name: $out"; bad=$((bad + 1)); }
		$QNM del "$name" >/dev/null 2>&1 || fail "round $i: del $name"
	fi
	# what it left is what a whole read makes
	if [ -f "$IDX" ]; then
		records "$IDX" >"$T/left"
		rebuilt
		if ! cmp -s "$T/left" "$T/rebuilt"; then
			fail "round $i (${args[*]}): index differs from the files: $(diff "$T/left" "$T/rebuilt" | head -4)"
			bad=$((bad + 1))
		fi
	fi
done
ok "$kills of $ROUNDS commands killed"
expect_eq "every round consistent" 0 "$bad"
ls "$VMS"/.*.tmp.* >/dev/null 2>&1 && ok "(a killed save left a temporary file: ignored)"
expect_eq "no partial VM file" "" "$(grep -L '^\[vm\]' "$VMS"/*.conf)"

# --- 4. two "qnm new" of one name at once: exactly one wins
both=0 none=0
for i in $(seq 1 20); do
	$QNM new "twin$i" memory=300 >/dev/null 2>"$T/a.err" &
	a=$!
	$QNM new "twin$i" memory=400 >/dev/null 2>"$T/b.err" &
	b=$!
	wait $a
	ra=$?
	wait $b
	rb=$?
	[ $ra = 0 ] && [ $rb = 0 ] && both=$((both + 1))
	[ $ra != 0 ] && [ $rb != 0 ] && none=$((none + 1))
	grep -hq "already exists" "$T/a.err" "$T/b.err" || [ $ra != 0 ] || [ $rb != 0 ] ||
		fail "twin$i: neither was refused"
done
expect_eq "never both won" 0 "$both"
expect_eq "never neither" 0 "$none"
expect_eq "twenty twins" 20 "$(ls "$VMS"/twin*.conf | wc -l)"
records "$IDX" >"$T/left"
rebuilt
cmp -s "$T/left" "$T/rebuilt" && ok "index of the twins is the files'" || fail "twins' index differs"

# --- 5. forward add --net killed at random moments (the network is down: files only)
NET=$CFG/networks/fw.conf
check "network with a forward" $QNM net add fw bridge=qbidx0 address=10.93.0.1/24 mode=nat \
	forward+=tcp:127.0.0.1:5000-10.93.0.2:80
$QNM set vm0 memory=300 >/dev/null 2>&1 # a save: the index again
grep -q '^n fw f0,5000,0,127.0.0.1$' "$IDX" && ok "network's host sides indexed" ||
	fail "network record: $(grep '^n ' "$IDX")"
check "forward add through the index" $QNM forward add --net fw tcp:127.0.0.1:4999-10.93.0.3:80
grep -q '^n fw f0,5000,0,127.0.0.1 f0,4999,0,127.0.0.1$' "$IDX" && ok "indexed at once" ||
	fail "not indexed: $(grep '^n ' "$IDX")"
err=$($QNM forward add --net fw tcp:127.0.0.1:4999-10.93.0.4:80 2>&1)
expect_contains "a host side taken is refused as before" "host port tcp/4999 is forwarded twice" "$err"
bad=0
for i in $(seq 1 20); do
	port=$((5000 + i))
	$QNM forward add --net fw "tcp:127.0.0.1:$port-10.93.0.2:80" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 40))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if grep -q "^forward = tcp:127.0.0.1:$port-" "$NET"; then
		$QNM forward add --net fw "tcp:127.0.0.1:$port-10.93.0.5:80" >/dev/null 2>&1 &&
			{ fail "round $i: port $port added twice"; bad=$((bad + 1)); }
	else
		$QNM forward add --net fw "tcp:127.0.0.1:$port-10.93.0.5:80" >/dev/null 2>&1 ||
			{ fail "round $i: port $port refused"; bad=$((bad + 1)); }
	fi
	if [ -f "$IDX" ]; then
		records "$IDX" >"$T/left"
		rebuilt
		cmp -s "$T/left" "$T/rebuilt" ||
			{ fail "round $i: index differs: $(diff "$T/left" "$T/rebuilt" | head -4)"; bad=$((bad + 1)); }
	fi
done
expect_eq "forward adds consistent" 0 "$bad"
expect_eq "each port once in the file" 22 "$(grep -c '^forward = ' "$NET")"
$QNM net show fw --json | jq -e '.forwards | length == 22' >/dev/null && ok "the file reads back" ||
	fail "net show fw: $($QNM net show fw 2>&1 | tail -2)"
finish
