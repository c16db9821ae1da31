#!/bin/bash
# cli-limits.sh - whatever qnm writes it reads back: a value longer than the
# schema's limit is refused when it is set (the key and the limit named, the
# file untouched, the VM still listed); values with special characters that
# are accepted come back exactly; lists stop at their number of entries.
. "$QNM_SRCDIR/tests/lib.sh"

VMS="$XDG_CONFIG_HOME/qnm/vms"

$QNM new inj boot=kernel kernel=/boot/vmlinuz append=console=ttyS0 >/dev/null || fatal "new VM"
sum=$(md5sum <"$VMS/inj.conf")

# issue 13 item 4: 9,000 characters made the file unreadable and the VM vanish.
long=$(head -c 9000 /dev/zero | tr '\0' a)
err=$($QNM set inj "append=$long" 2>&1 >/dev/null)
expect_eq "9,000-character append refused" 1 $?
expect_contains "the key and the limit named" "append: at most 4096 characters" "$err"
expect_eq "file untouched" "$sum" "$(md5sum <"$VMS/inj.conf")"
out=$($QNM list 2>&1)
expect_contains "VM still listed" "inj" "$out"
case "$out" in *warning*) fail "list warns: $out" ;; *) ok "list has no warning" ;; esac
$QNM show inj >/dev/null 2>&1 && ok "VM still shown" || fail "VM still shown"

# Every path key and extra arguments: the same limit.
for kv in disk kernel initrd cdrom extra+; do
	err=$($QNM set inj "$kv=/$long" 2>&1 >/dev/null)
	expect_contains "${kv%+} longer than 4096 refused" "${kv%+}: at most 4096 characters" "$err"
done
expect_eq "file still untouched" "$sum" "$(md5sum <"$VMS/inj.conf")"

# The longest value, every byte one the file format escapes, reads back.
max=$(head -c 4096 /dev/zero | tr '\0' '\\')
check "4096 backslashes accepted" $QNM set inj "append=$max"
got=$($QNM show inj --json 2>&1 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["append"]))')
expect_eq "4096 backslashes read back" 4096 "$got"

# Special characters come back exactly (JSON of what was loaded from the file).
while IFS= read -r v; do
	v=$(printf '%b' "$v")
	if ! $QNM set inj "append=$v" >/dev/null 2>&1; then
		fail "append='$v' refused"
		continue
	fi
	got=$($QNM show inj --json 2>/dev/null | python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["append"] + "|")')
	expect_eq "append round trip: $(printf '%q' "$v")" "$v|" "$got"
done <<'VALUES'
# not a comment
a=b c==d
  leading and trailing  
"quoted" and \\backslash
two\nlines
tab\there
;semicolon
[section]
VALUES
# Bytes that are not UTF-8 (a Latin-1 path): stored and read back as they are.
check "Latin-1 path accepted" $QNM set inj "$(printf 'initrd=/boot/caf\xe9')"
grep -q "$(printf 'initrd = /boot/caf\xe9')" "$VMS/inj.conf" && ok "Latin-1 bytes written as they are" ||
	fail "Latin-1 bytes written as they are"
# --json stays JSON (strict UTF-8) with such a path: its bad byte is U+FFFD there.
got=$($QNM show inj --json 2>/dev/null | python3 -c '
import json, sys
print(json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))["initrd"])' 2>&1)
expect_eq "--json of a Latin-1 path is UTF-8" "/boot/caf$(printf '\xef\xbf\xbd')" "$got"
out=$($QNM list 2>&1)
case "$out" in *warning*) fail "list warns after the special values: $out" ;; *) ok "still loads" ;; esac

# Values a user gives must be text: control characters (terminal escapes) and
# bytes that are not UTF-8 are refused, naming the field and the byte; nothing
# is written. A path may hold another character set's bytes (above).
before=$(cat "$VMS/inj.conf")
err=$($QNM set inj "$(printf 'append=a\x1b[2Jb')" 2>&1 >/dev/null)
expect_contains "escape in append refused" "append: byte 0x1b at position 2 is a control character" "$err"
err=$($QNM set inj "$(printf 'append=caf\xe9')" 2>&1 >/dev/null)
expect_contains "Latin-1 in append refused" "append: byte 0xe9 at position 4 is not UTF-8 text" "$err"
err=$($QNM set inj "$(printf 'extra=-name\x9b')" 2>&1 >/dev/null)
expect_contains "C1 byte in extra refused" "extra: byte 0x9b at position 6 is not UTF-8 text" "$err"
err=$($QNM set inj "$(printf 'initrd=/boot/a\nb')" 2>&1 >/dev/null)
expect_contains "newline in a path refused" "initrd: byte 0x0a at position 8 is a control character" "$err"
expect_eq "nothing written by the refused values" "$before" "$(cat "$VMS/inj.conf")"
check "UTF-8 text accepted" $QNM set inj "append=console=ttyS0 msg=héllo€"

# Lists stop at their number of entries.
args=()
for i in $(seq 257); do args+=("extra+=-a$i"); done
err=$($QNM set inj "${args[@]}" 2>&1 >/dev/null)
expect_contains "257 extra arguments refused" "extra: at most 256 entries" "$err"
finish
