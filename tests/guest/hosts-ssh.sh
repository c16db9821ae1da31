#!/bin/bash
# hosts-ssh.sh - several hosts over SSH (issue 18.1): two "hosts", each a
# network namespace of its own with its own sshd (own config, host key and
# port, started by PID with -D) and its own qnm config and runtime dirs (set
# by that sshd's SetEnv); a key made here. "qnm -H HOST ..." defines, starts
# and stops a real TCG guest on host a; "qnm list --all-hosts" lists both
# hosts with a HOST column; a frozen sshd (SIGSTOP) and a killed one are
# each reported within 5 s while the other host still lists. Versions are
# checked at connect. Only the test namespaces' loopbacks are configured:
# ssh reaches each host's sshd through a ProxyCommand that enters its
# namespace.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

. "$QNM_SRCDIR/tests/guest/lib-hosts.sh"
hosts_ssh_up a b

# ---- the registry ----
check "host add a" "$QNM" host add a root@hosta:2201 --qnm "$QNMABS"
check "host add b" "$QNM" host add b hostb:2202 --qnm "$QNMABS"
out=$("$QNM" host add c -- -oProxyCommand=x 2>&1)
expect_contains "a destination that ssh would read as an option is refused" \
	"must be a name or an address" "$out"
out=$("$QNM" host list)
expect_contains "host list shows a" "root@hosta:2201" "$out"
expect_contains "host list shows b" "hostb:2202" "$out"

# ---- one host: define, start, list, stop a real guest over ssh ----
out=$("$QNM" -H a list 2>&1)
expect_contains "qnm -H a list runs on a (no VMs there)" "No VMs yet" "$out"
check "the multiplexed connection of a stays (ControlPersist)" \
	ssh -O check -o ControlPath="$XDG_RUNTIME_DIR/qnm/.ssh/a" hosta
guest_image
printf 'echo QNM-HOSTS-UP\nsleep 600\n' >"$T/guest.sh"
check "qnm -H a new ga (a TCG guest) " "$QNM" -H a new ga memory=256 accel=tcg boot=kernel \
	kernel="$G_KERNEL" initrd="$G_INITRD" append="$G_APPEND" extra+=-no-reboot extra+=-fw_cfg \
	extra+="name=opt/qnm/script,file=$T/guest.sh"
check "ga is in a's config, not here" test -f "$T/ha/config/qnm/vms/ga.conf" -a \
	! -e "$XDG_CONFIG_HOME/qnm/vms/ga.conf"
check "qnm -H b new gb" "$QNM" -H b new gb memory=128
out=$("$QNM" -H a start ga 2>&1)
expect_contains "qnm -H a start ga" "started 'ga'" "$out"
check "ga boots on a" wait_for 60 grep -q QNM-HOSTS-UP "$T/ha/run/qnm/ga/serial.log"
expect_eq "ga runs on a (its own qnm says)" running \
	"$(on a status ga --json | jq -r .status)"
out=$("$QNM" -H a start ga 2>&1)
rc=$?
expect_eq "a second start over -H fails with the remote's exit status" 1 "$rc"
expect_contains "... and the remote engine's message" "ga is already running" "$out"

# ---- every host ----
"$QNM" new here memory=128 >/dev/null
out=$("$QNM" list --all-hosts 2>&1)
echo "$out" | sed 's/^/  | /'
expect_contains "list --all-hosts has a HOST column" "HOST " "$out"
expect_contains "... this host's VM" "$(printf '%-12s %-20s' local here)" "$out"
expect_contains "... a's running guest" "$(printf '%-12s %-20s %-8s' a ga running)" "$out"
expect_contains "... b's VM" "$(printf '%-12s %-20s' b gb)" "$out"
out=$("$QNM" list --all-hosts --json | jq -r '.[] | .host + ":" + (.vms | map(.name) | join(","))' |
	tr '\n' ' ')
expect_eq "list --all-hosts --json says which host has which VM" "local:here a:ga b:gb " "$out"

# ---- versions are checked at connect ----
printf '#!/bin/sh\necho %s\n' "'{\"qnm\":\"9.9\",\"protocol\":99}'" >"$T/fakeqnm"
chmod +x "$T/fakeqnm"
"$QNM" host add old hosta:2201 --qnm "$T/fakeqnm" >/dev/null
out=$("$QNM" -H old list 2>&1)
expect_contains "a host with another protocol is refused, naming both versions" \
	"runs qnm 9.9 (protocol 99); this qnm" "$out"
"$QNM" host add none hosta:2201 --qnm /nonexistent/qnm >/dev/null
out=$("$QNM" -H none list 2>&1)
expect_contains "a host without qnm serve is named" "does not answer 'serve --stdio'" "$out"
check "host del old" "$QNM" host del old
check "... closes its multiplexed connection" \
	bash -c "! ssh -O check -o ControlPath=$XDG_RUNTIME_DIR/qnm/.ssh/old hosta 2>/dev/null"
check "host del none" "$QNM" host del none
expect_eq "host del forgets it" "" "$("$QNM" host list | grep -w old)"

# ---- a host that stops answering: frozen sshd (and its sessions) ----
tree=$(sshd_tree b)
kill -STOP $tree
t0=$(date +%s%N)
out=$("$QNM" list --all-hosts 2>&1)
ms=$(ms_since "$t0")
kill -CONT $tree
echo "  frozen host b reported after ${ms} ms"
expect_contains "a frozen host is reported" "host b (hostb:2202): no answer" "$out"
expect_contains "... while a still lists" "$(printf '%-12s %-20s %-8s' a ga running)" "$out"
check "... within 5 s (${ms} ms)" test "$ms" -lt 5000

# ---- stop over -H ----
pid=$(on a status ga --json | jq -r .qemu_pid)
check "ga's QEMU runs" kill -0 "${pid:-0}"
out=$("$QNM" -H a stop ga --force 2>&1)
expect_contains "qnm -H a stop ga" "stopped 'ga'" "$out"
check "ga's QEMU is gone" bash -c "! kill -0 ${pid:-0} 2>/dev/null"

# ---- a killed sshd ----
kill $(sshd_tree b)
t0=$(date +%s%N)
out=$("$QNM" list --all-hosts 2>&1)
rc=$?
ms=$(ms_since "$t0")
echo "  host b with its sshd killed reported after ${ms} ms"
expect_contains "a host whose sshd is gone is reported unreachable" "host b (hostb:2202): unreachable" \
	"$out"
expect_contains "... while a still lists" "$(printf '%-12s %-20s' a ga)" "$out"
expect_eq "... and the exit status says a host failed" 1 "$rc"
check "... within 5 s (${ms} ms)" test "$ms" -lt 5000
finish
