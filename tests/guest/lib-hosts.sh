# tests/guest/lib-hosts.sh - "hosts" for tests of qnm over SSH (issue 18.1),
# sourced after lib-guest.sh: each host H is a network namespace of its own
# with its own sshd (own config, host key and port 22xx, started by PID with
# -D) and its own qnm config and runtime dirs (set by that sshd's SetEnv);
# a key made here; ssh in PATH reaches host H as "hostH" through a
# ProxyCommand that enters its namespace. Only the test namespaces'
# loopbacks are configured.
#   hosts_ssh_up H...   bring hosts up (port 2201 for a, 2202 for b, 2203 for c)
#   on H QNM-ARGS...    qnm run directly with host H's dirs
#   sshd_start H        (re)start H's sshd (after killing its tree)
#   sshd_tree H         the PIDs of H's sshd and of its sessions
#   ms_since T0         ms since date +%s%N T0
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
PORT[c]=2203

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
	sshd_start "$h"
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
# sshd_start H - (re)start host H's sshd
sshd_start() {
	nsenter -t "${NSPID[$1]}" -n "$SSHD" -D -e -f "$T/h$1/sshd_config" 2>>"$T/h$1/sshd.log" &
	SSHDPID[$1]=$!
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

# hosts_ssh_up H... - hosts H... (each a namespace with its own sshd and
# qnm dirs), then ssh in PATH configured for them
hosts_ssh_up() {
	local h
	for h in "$@"; do host_up "$h"; done
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
	for h in "$@"; do wait_for 5 sshd_listens "$h" || fatal "sshd of $h did not listen"; done
}
