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

# the records of the index (its "v" lines and its "n" lines' names), sorted
records() { grep '^[vn] ' "$1" | sed 's/^\(n [^ ]*\) .*/\1/' | sort; }
# net_rec_true: the index's record of network fw says where its settings
# are (around a run of forward lines, up to a size; after it only forward
# lines), and its file has only forward lines outside them
net_rec_true() {
	local rec
	rec=($(grep '^n fw ' "$IDX")) || return 1
	((${#rec[@]} == 5)) || return 1
	[[ "${rec[2]} ${rec[3]} ${rec[4]}" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]] || return 1
	head -c "${rec[3]}" "$NET" | tail -c +$((rec[2] + 1)) | grep -qv '^forward = ' && return 1
	tail -c +$((rec[4] + 1)) "$NET" | grep -qv '^forward = ' && return 1
	return 0
}
# port_marked PORT: whether TCP port PORT is marked in the index's port map
port_marked() {
	local hex
	hex=$(grep '^ports tcp ' "$IDX" | cut -c11-)
	(((0x${hex:$(($1 / 4)):1} >> ($1 % 4)) & 1))
}
# ports_cover LEFT REBUILT: every port REBUILT's map marks, LEFT's does too
# (a change marks its ports before it writes them: a superset is right)
ports_cover() {
	python3 - "$1" "$2" <<'PY'
import sys
def maps(path):
    return [l.split()[2] for l in open(path) if l.startswith("ports ")]
for a, b in zip(maps(sys.argv[1]), maps(sys.argv[2])):
    if len(a) != len(b) or any(int(y, 16) & ~int(x, 16) for x, y in zip(a, b)):
        sys.exit(1)
PY
}
# rebuild the index from the files (a save with no index reads them all) into $T/rebuilt
rebuilt() {
	rm -f "$IDX"
	$QNM set vm0 "memory=$((256 + RANDOM % 64))" >/dev/null 2>&1 || fail "set vm0 (rebuild)"
	[ -f "$IDX" ] || { fail "a save with no index wrote none"; return; }
	records "$IDX" >"$T/rebuilt"
	cp "$IDX" "$T/rebuilt.index"
}

# --- 1. the index is made by a save, and set and new read their own file only
check "set (builds the index)" $QNM set vm1 memory=300
[ -f "$IDX" ] && ok "index written" || fail "no index after a save"
expect_eq "one record per VM" "$N" "$(grep -c '^v ' "$IDX")"
grep -q '^v vm7 m52:54:00:00:07:01 f0,20007,0,127.0.0.1$' "$IDX" && ok "vm7's record" ||
	fail "vm7's record: $(grep '^v vm7 ' "$IDX")"
port_marked 20007 && ok "vm7's host port in the port map" || fail "port 20007 not marked"
port_marked 19999 && fail "port 19999 marked (no forward has it)" || ok "a free port unmarked"
# a save that keeps the VM's name, MACs and ports: the index stays, re-stamped in place
# a hard link keeps the file it had alive: its inode number cannot come back
ln -f "$IDX" "$T/idx.link"
check "set memory (record unchanged)" $QNM set vm1 memory=310
expect_eq "index kept in place (the same file)" "$(stat -c %i "$T/idx.link")" "$(stat -c %i "$IDX")"
rm -f "$T/idx.link"
cp "$IDX" "$T/kept"
strace_ok=0
if command -v strace >/dev/null; then
	strace_ok=1
	strace -f -e trace=openat,rename -o "$T/st" $QNM set vm1 memory=311 >/dev/null 2>&1
	grep -q 'vms/vm[02-9][0-9]*\.conf"' "$T/st" && fail "set read another VM's file" ||
		ok "set read no other VM's file (the re-stamped index was current)"
fi
((strace_ok)) || $QNM set vm1 memory=311 >/dev/null 2>&1
cmp -s <(records "$T/kept") <(records "$IDX") && ok "records unchanged" || fail "records changed"
# a MAC changed: the record changes, the index is written anew
check "set a new MAC" $QNM nic set vm1 n0 mac=52:54:00:00:77:01
grep -q '^v vm1 m52:54:00:00:77:01 ' "$IDX" && ok "the new MAC indexed" ||
	fail "vm1's record: $(grep '^v vm1 ' "$IDX")"
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
		cp "$IDX" "$T/left.index"
		rebuilt
		if ! cmp -s "$T/left" "$T/rebuilt"; then
			fail "round $i (${args[*]}): index differs from the files: $(diff "$T/left" "$T/rebuilt" | head -4)"
			bad=$((bad + 1))
		fi
		ports_cover "$T/left.index" "$T/rebuilt.index" ||
			{ fail "round $i (${args[*]}): a port in use unmarked"; bad=$((bad + 1)); }
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
# where its settings are: the bytes around its run of forward lines, up to its size
settings=$(grep -v '^forward = ' "$NET" | wc -c)
rec=($(grep '^n fw ' "$IDX"))
if net_rec_true; then
	ok "network's record true of its file"
	expect_eq "network's record: its size" "$(stat -c %s "$NET")" "${rec[4]}"
	expect_eq "network's record: its settings around its forwards" "$settings" \
		"$((rec[4] - (rec[3] - rec[2])))"
else
	fail "network's record: ${rec[*]}"
fi
port_marked 5000 && ok "network's host port in the port map" || fail "port 5000 not marked"
ln -f "$IDX" "$T/idx.link"
check "forward add through the index" $QNM forward add --net fw tcp:127.0.0.1:4999-10.93.0.3:80
port_marked 4999 && ok "marked at once" || fail "port 4999 not marked"
net_rec_true && ok "network's record still true after the append" || fail "network's record"
expect_eq "index changed in place (the same file)" "$(stat -c %i "$T/idx.link")" \
	"$(stat -c %i "$IDX" 2>/dev/null)"
rm -f "$T/idx.link"
# the index stays current: the next add reads the network's settings only
if ((strace_ok)); then
	strace -f -e trace=openat,read,pread64 -o "$T/st" \
		$QNM forward add --net fw tcp:127.0.0.1:4998-10.93.0.3:80 >/dev/null 2>&1
	grep -q 'vms/vm' "$T/st" && fail "forward add read a VM file (index not current)" ||
		ok "forward add read no VM file"
	expect_eq "the network's file read but its forward lines" "$settings" \
		"$(grep -A2 'networks/fw.conf' "$T/st" | grep -o 'pread64(.*) = [0-9]*' |
			sed 's/.* = //' | awk '{ s += $1 } END { print s }')"
	check "forward del 4998" $QNM forward del --net fw tcp:127.0.0.1:4998
fi
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
		cp "$IDX" "$T/left.index"
		rebuilt
		cmp -s "$T/left" "$T/rebuilt" ||
			{ fail "round $i: index differs: $(diff "$T/left" "$T/rebuilt" | head -4)"; bad=$((bad + 1)); }
		ports_cover "$T/left.index" "$T/rebuilt.index" ||
			{ fail "round $i: a port in use unmarked"; bad=$((bad + 1)); }
		IDX=$T/left.index net_rec_true ||
			{ fail "round $i: the network's record is not its file's"; bad=$((bad + 1)); }
	fi
done
expect_eq "forward adds consistent" 0 "$bad"
expect_eq "each port once in the file" 22 "$(grep -c '^forward = ' "$NET")"
$QNM net show fw --json | jq -e '.forwards | length == 22' >/dev/null && ok "the file reads back" ||
	fail "net show fw: $($QNM net show fw 2>&1 | tail -2)"
finish
