#!/bin/bash
# cli-script.sh - "qnm cmdline VM --script --wrap N": at every width from 20
# to 100 columns no line reaches N columns, and the QEMU command pasted into
# a shell gives exactly QEMU's argv (qnm cmdline --json, plus the terminal
# console), whatever the words hold: spaces, single quotes, backslashes,
# commas, words longer than a line. A private NIC's switch comes first, its
# directory made.
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd python3

"$QNM" new web boot=kernel kernel=/boot/vmlinuz append="console=ttyS0 quiet 'x y' a\\b" \
	extra+=-fw_cfg \
	extra+="name=opt/qnm/script,file=/tmp/a long path with spaces and 'quotes' and \\back\\slashes/and/more/segments/than/a/line.sh" \
	extra+=-device extra+="virtio-rng-pci,id=rng0,max-bytes=1024,period=1000,,odd" >/dev/null ||
	fatal "qnm new"
"$QNM" nic add web model=virtio-net-pci backend=slirp hostfwd=tcp:127.0.0.1:8080-:80 >/dev/null || fatal "nic slirp"
"$QNM" nic add web model=e1000 backend=user >/dev/null || fatal "nic user"
"$QNM" nic add web model=e1000 backend=private segment=lab >/dev/null || fatal "nic private"
want=$("$QNM" cmdline web --json | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin) + ["-serial", "mon:stdio"]))')
bad_width="" bad_argv=""
for w in $(seq 20 100); do
	"$QNM" cmdline web --script --wrap "$w" >"$T/s" || { fail "--wrap $w"; continue; }
	awk -v w="$w" 'length($0) >= w { bad = 1 } END { exit bad }' "$T/s" || bad_width+=" $w"
	got=$(bash -c "set -- $(sed -n '/^qemu-system/,$p' "$T/s")"'
printf "%s\n" "$@"')
	[ "$got" = "$want" ] || bad_argv+=" $w"
done
expect_eq "every line shorter than its width (20..100)" "" "$bad_width"
expect_eq "pasted QEMU command = QEMU's argv at every width (20..100)" "" "$bad_argv"
check "the script as a whole is shell" bash -n "$T/s"
out=$("$QNM" cmdline web --script)
expect_contains "the slirp helper comes first, in the background" "--hostfwd tcp:127.0.0.1:8080-:80 &" "$out"
expect_contains "its runtime directory is made" "mkdir -p -m 0700 $XDG_RUNTIME_DIR/qnm/web" "$out"
expect_contains "a private segment's switch: its directory made" \
	"mkdir -p -m 0700 $XDG_RUNTIME_DIR/qnm/.private/lab/ctl" "$out"
expect_contains "... the switch in the background" "--pidfile $XDG_RUNTIME_DIR/qnm/.private/lab/pid &" "$out"
expect_contains "... waited for" "until test -S $XDG_RUNTIME_DIR/qnm/.private/lab/ctl/ctl" "$out"
expect_contains "says what qnm start adds" "qnm start logs the console to a file" "$out"
finish
