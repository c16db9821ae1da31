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

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || skip "needs sshd (Debian package openssh-server)"
need_cmd ssh openssh-client
need_cmd ssh-keygen openssh-client
need_cmd socat
need_cmd nsenter util-linux
need_cmd jq
QNMABS=$(readlink -f "$QNM")

# sshd wants its privilege separation directory: a private /run (this mount namespace only).
mount -t tmpfs -o mode=755 tmpfs /run || fatal "cannot mount a private /run"
mkdir -p /run/sshd && chmod 755 /run/sshd

ssh-keygen -q -t ed25519 -N '' -f "$T/id" || fatal "ssh-keygen"
cp "$T/id.pub" "$T/authorized_keys"
mkdir -p "$T/bin"
: >"$T/known_hosts"
: >"$T/ssh_config"

declare -A NSPID SSHDPID PORT
PORT[a]=2201
PORT[b]=2202

# host_up H - namespace, dirs, host key, sshd of host H
host_up() {
	local h=$1 d="$T/h$1"
	unshare -n sleep 600 &
	NSPID[$h]=$!
	at_exit "kill ${NSPID[$h]} 2>/dev/null"
	wait_for 5 ns_ready "${NSPID[$h]}" || fatal "namespace of host $h did not come up"
	nsenter -t "${NSPID[$h]}" -n ip link set lo up || fatal "lo of host $h"
	mkdir -p "$d/config" "$d/run" "$d/data" "$d/cache"
	chmod 700 "$d/run"
	ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey" || fatal "host key of $h"
	cat >"$d/sshd_config" <<EOF
ListenAddress 127.0.0.1:${PORT[$h]}
HostKey $d/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
SetEnv XDG_CONFIG_HOME=$d/config XDG_RUNTIME_DIR=$d/run XDG_DATA_HOME=$d/data XDG_CACHE_HOME=$d/cache HOME=$d
EOF
	nsenter -t "${NSPID[$h]}" -n "$SSHD" -D -e -f "$d/sshd_config" 2>"$d/sshd.log" &
	SSHDPID[$h]=$!
	# at exit: sshd and its sessions (they outlive the listener)
	at_exit "t=\$(sshd_tree $h); kill -CONT \$t 2>/dev/null; kill \$t 2>/dev/null"
	echo "host$h $(cut -d' ' -f1,2 "$d/hostkey.pub")" >>"$T/known_hosts"
	cat >>"$T/ssh_config" <<EOF
Host host$h
  HostName 127.0.0.1
  HostKeyAlias host$h
  ProxyCommand nsenter -t ${NSPID[$h]} -n socat STDIO TCP:127.0.0.1:%p
EOF
	# the remote guests are stopped at exit with that host's own dirs
	at_exit "on $h stop g$h --force >/dev/null 2>&1"
	at_exit "ssh -O exit -o ControlPath=$XDG_RUNTIME_DIR/qnm/.ssh/$h host$h >/dev/null 2>&1"
}
ns_ready() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
# on H QNM-ARGS... - qnm run directly with host H's dirs (to check what -H did there)
on() {
	local d="$T/h$1"
	shift
	XDG_CONFIG_HOME=$d/config XDG_RUNTIME_DIR=$d/run XDG_DATA_HOME=$d/data \
		XDG_CACHE_HOME=$d/cache timeout 30 "$QNMABS" "$@"
}
sshd_listens() { nsenter -t "${NSPID[$1]}" -n ss -Hltn "sport = :${PORT[$1]}" | grep -q .; }
# sshd_tree H - the PIDs of host H's sshd and of its sessions
sshd_tree() { echo "${SSHDPID[$1]}" $(ps -o pid= --ppid "${SSHDPID[$1]}"); }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

host_up a
host_up b
cat >>"$T/ssh_config" <<EOF
Host *
  User root
  IdentityFile $T/id
  IdentitiesOnly yes
  UserKnownHostsFile $T/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
EOF
# qnm runs the system's ssh from PATH: this one reads the test's config (keys, known_hosts)
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$T/ssh_config" >"$T/bin/ssh"
chmod +x "$T/bin/ssh"
export PATH="$T/bin:$PATH"
wait_for 5 sshd_listens a && wait_for 5 sshd_listens b || fatal "sshd did not listen"

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
