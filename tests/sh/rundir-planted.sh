#!/bin/bash
# rundir-planted.sh - issue 13: the non-root fallback runtime dir /tmp/qnm-UID
# is not believed when another user made it or can write to it (a planted
# state file showed as "crashed", a planted serial log reached the terminal
# raw through "qnm console"); and the serial log of a VM of one's own is
# shown with its control characters made visible when printed to a tty.
#
# Runs in a private mount namespace with its own /tmp (a tmpfs), as two
# unprivileged users: the victim (uid 4242, no XDG_RUNTIME_DIR, so qnm uses
# /tmp/qnm-4242) and the planter (nobody).
if [ -z "${QNM_PLANT_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (to act as two users)"; exit 77; }
	command -v unshare >/dev/null && command -v setpriv >/dev/null && command -v script >/dev/null ||
		{ echo "SKIP: needs unshare, setpriv and script (util-linux, bsdutils)"; exit 77; }
	export QNM_PLANT_NS=1
	# The new /tmp hides the real one: a source or build tree that lives there (a CI clone in
	# /tmp/X) is bound back in from a view of the real /tmp kept on a private tmpfs at /mnt
	# (both mounts exist only in this mount namespace).
	exec unshare -m --propagation private /bin/bash -c '
		mount -t tmpfs tmpfs /mnt && mkdir /mnt/tmp && mount --bind /tmp /mnt/tmp &&
			mount -t tmpfs -o mode=1777 tmpfs /tmp || exit 77
		for p in "$QNM_SRCDIR" "$QNM_BUILDDIR" "$(dirname "$0")"; do
			case $p in
			/mnt/*) echo "ERROR: cannot run from under /mnt"; exit 99 ;;
			/tmp/?*)
				top=${p#/tmp/} top=${top%%/*}
				[ -e "/tmp/$top" ] && continue
				mkdir "/tmp/$top" && mount --bind "/mnt/tmp/$top" "/tmp/$top" || exit 99
				;;
			esac
		done
		exec /bin/bash "$0" "$@"' "$0" "$@"
fi
. "$QNM_SRCDIR/tests/lib.sh"

QNM=$(readlink -f "$QNM")
VUID=4242
chmod 755 "$T"
V=$T/victim
mkdir -p "$V/config" "$V/home"
chown -R $VUID:$VUID "$V"
as_victim() {
	setpriv --reuid=$VUID --regid=$VUID --clear-groups env -u XDG_RUNTIME_DIR HOME="$V/home" \
		XDG_CONFIG_HOME="$V/config" XDG_DATA_HOME="$V/home" XDG_CACHE_HOME="$V/home" "$@"
}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
ESC=$(printf '\033')

as_victim "$QNM" new vm memory=128 >/dev/null || fatal "qnm new as uid $VUID"

# plant DIR - nobody fills DIR/vm with a state file and a serial log with escape sequences.
plant() {
	as_nobody sh -c 'umask 0; mkdir -p "$1/vm" &&
		printf "status=crashed\nreason=PLANTED\n" >"$1/vm/state" &&
		printf "\033]0;owned\007\033[2J\033[31mPLANTED-LOG\n" >"$1/vm/serial.log"' sh "$1" ||
		fatal "nobody could not plant in $1"
}

# ---- 1. /tmp/qnm-4242 made by another user first ----
plant /tmp/qnm-$VUID
out=$(as_victim "$QNM" status vm 2>&1)
printf '%s\n' "$out" | sed 's/^/  | /'
expect_eq "status: the planted state is not believed" "" "$(printf '%s\n' "$out" | grep -e crashed -e PLANTED)"
expect_contains "status: says why" "/tmp/qnm-$VUID belongs to uid 65534, not to you (uid $VUID)" "$out"
out=$(as_victim "$QNM" status vm --json 2>&1)
expect_eq "status --json: not crashed" "" "$(printf '%s\n' "$out" | grep -e crashed -e PLANTED)"
err=$(as_victim "$QNM" console vm 2>&1 >"$T/console.out")
rc=$?
expect_eq "console: refused" 1 "$rc"
expect_contains "console: says why" "belongs to uid 65534, not to you" "$err"
expect_eq "console: nothing of the planted log printed" "" "$(cat "$T/console.out")"
err=$(as_victim "$QNM" start vm 2>&1)
expect_contains "start: refused" "/tmp/qnm-$VUID belongs to uid 65534, not to you" "$err"
# Ownership records say what qnm may delete (links, tables, dnsmasq): planted
# ones are not read either.
as_nobody sh -c 'printf "bridge qnmbr-planted %s\n" "$(stat -Lc %i /proc/self/ns/net)" >"$1/owned"' \
	sh /tmp/qnm-$VUID || fatal "nobody could not plant records"
out=$(as_victim "$QNM" net add lan bridge=qnmbr-pl address=10.77.0.1/24 2>&1) || fatal "net add as uid $VUID: $out"
out=$(as_victim "$QNM" doctor --check networks 2>&1)
printf '%s\n' "$out" | sed 's/^/  | /'
expect_contains "doctor: planted ownership records not read" \
	"cannot read what qnm recorded: /tmp/qnm-$VUID belongs to uid 65534, not to you" "$out"
rm -rf /tmp/qnm-$VUID

# ---- 2. the victim's own /tmp/qnm-4242, but writable by everyone ----
as_victim sh -c "mkdir /tmp/qnm-$VUID && chmod 777 /tmp/qnm-$VUID" || fatal "victim mkdir"
plant /tmp/qnm-$VUID
out=$(as_victim "$QNM" status vm 2>&1)
expect_eq "loose dir: the planted state is not believed" "" "$(printf '%s\n' "$out" | grep -e crashed -e PLANTED)"
expect_contains "loose dir: says why" "/tmp/qnm-$VUID can be written by other users (mode 0777)" "$out"
err=$(as_victim "$QNM" console vm 2>&1 >"$T/console.out")
expect_contains "loose dir: console refused" "can be written by other users" "$err"
expect_eq "loose dir: nothing printed" "" "$(cat "$T/console.out")"
# Made private again by its owner, the planted files inside are still another user's.
as_victim chmod 700 /tmp/qnm-$VUID
err=$(as_victim "$QNM" console vm 2>&1 >"$T/console.out")
expect_contains "tightened dir: planted VM dir still refused" "/tmp/qnm-$VUID/vm belongs to uid 65534" "$err"
rm -rf /tmp/qnm-$VUID

# ---- 3. a VM dir of one's own: escape sequences shown, not sent, on a tty ----
as_victim sh -c "umask 077; mkdir -p /tmp/qnm-$VUID/vm &&
	printf 'status=stopped\nreason=test\n' >/tmp/qnm-$VUID/vm/state &&
	printf 'boot\r\n\033]0;owned\007\033[2J\033[31mred\033[0m\r\nend\r\n' >/tmp/qnm-$VUID/vm/serial.log" ||
	fatal "victim's own runtime dir"
out=$(as_victim "$QNM" status vm 2>&1)
expect_eq "own dir: the state is believed" stopped "$(printf '%s\n' "$out" | awk '$1 == "vm" {print $2}')"
# On a terminal (script gives qnm a pty): visible, no ESC reaches it.
as_victim script -qec "$QNM console vm </dev/null" /dev/null >"$T/tty.out" </dev/null
tr -d '\r' <"$T/tty.out" >"$T/tty.txt"
expect_eq "tty: no ESC or BEL sent" 0 "$(grep -c "[$ESC$(printf '\007')]" "$T/tty.txt")"
expect_contains "tty: sequences shown" '^[]0;owned^G^[[2J^[[31mred^[[0m' "$(cat "$T/tty.txt")"
expect_contains "tty: lines intact" "boot" "$(head -n1 "$T/tty.txt")"
as_victim script -qec "$QNM console vm --lines 2" /dev/null >"$T/tty2.out" </dev/null
expect_eq "tty --lines: no ESC sent" 0 "$(grep -c "$ESC" "$T/tty2.out")"
expect_contains "tty --lines: shown" '^[[31mred' "$(cat "$T/tty2.out")"
# To a pipe or file: the log as the guest wrote it.
as_victim "$QNM" console vm >"$T/pipe.out"
cmp -s "$T/pipe.out" /tmp/qnm-$VUID/vm/serial.log && ok "pipe: the log byte for byte" ||
	fail "pipe: the log changed"
# qnm status's tail of a stopped VM is safe too.
out=$(as_victim "$QNM" status vm 2>&1)
expect_eq "status tail: no ESC" 0 "$(printf '%s\n' "$out" | grep -c "$ESC")"
rm -rf /tmp/qnm-$VUID

finish
