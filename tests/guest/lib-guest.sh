# tests/guest/lib-guest.sh - helpers for tests that boot real guests (sourced).
#
# Source this first (instead of tests/lib.sh): it re-runs the test inside
# its own network namespace (and mount namespace, so /etc/qemu can be
# replaced privately) with a hard timeout, then sources tests/lib.sh.
# Nothing on the host changes: even loopback is the test's own.
#
#   GUEST_TIMEOUT  seconds the whole test may take (default 90)

if [ -z "${QNM_GUEST_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (private network namespace)"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: needs unshare (util-linux)"; exit 77; }
	command -v qemu-system-x86_64 >/dev/null ||
		{ echo "SKIP: needs qemu-system-x86_64 (Debian package qemu-system-x86)"; exit 77; }
	export QNM_GUEST_NS=1
	exec timeout -k 5 "${GUEST_TIMEOUT:-90}" unshare -n -m --propagation private \
		/bin/bash "$0" "$@"
fi

. "$QNM_SRCDIR/tests/lib.sh"
# timeout(1) sends TERM: run the EXIT cleanups (stop guests) then too.
trap 'echo "ERROR: test timed out or was interrupted"; exit 99' TERM INT
ip link set lo up || fatal "cannot bring up lo in the private netns"
# A fresh sysfs, so /sys/class/net shows this namespace (as "ip netns exec" does).
mount -t sysfs sysfs /sys || fatal "cannot mount sysfs in the private mount namespace"

BB=$(command -v busybox) || skip "needs busybox on the host (Debian package busybox-static)"
GUEST_CACHE="${QNM_BUILDDIR:-$T}/tests/guest-cache"

# as_nobody - hand the test's XDG dirs to nobody (who may walk into $T);
# sets AS_USER (setpriv to nobody:nogroup, no groups, no capabilities) and
# defines "nob ARGS", qnm run as nobody with the test's XDG dirs (and
# $QNM_VDE_SWITCH when set).
as_nobody() {
	need_cmd setpriv util-linux
	chmod 755 "$T"
	chown -R nobody:nogroup "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" \
		"$XDG_CACHE_HOME" "$HOME"
	AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all)
}
nob() {
	"${AS_USER[@]}" env ${QNM_VDE_SWITCH:+QNM_VDE_SWITCH=$QNM_VDE_SWITCH} \
		XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
		XDG_DATA_HOME="$XDG_DATA_HOME" XDG_CACHE_HOME="$XDG_CACHE_HOME" HOME="$HOME" "$QNM" "$@"
}

# guest_image - build (once per build tree, shared by parallel tests) the
# tiny guest; sets G_KERNEL, G_INITRD, G_APPEND.
guest_image() {
	local out
	out=$("$QNM" demo --build-only --dir "$GUEST_CACHE") || fatal "qnm demo --build-only failed"
	G_KERNEL=$(printf '%s\n' "$out" | sed -n 's/^kernel=//p')
	G_INITRD=$(printf '%s\n' "$out" | sed -n 's/^initrd=//p')
	G_APPEND=$(printf '%s\n' "$out" | sed -n 's/^append=//p')
	[ -f "$G_KERNEL" ] && [ -f "$G_INITRD" ] || fatal "guest image missing after build"
}

# guest_define VM SCRIPT - a TCG guest booting the tiny image and running
# SCRIPT (a file) from fw_cfg. Add NICs with "$QNM" nic add.
guest_define() {
	local vm=$1 script=$2
	[ -n "${G_KERNEL:-}" ] || guest_image
	"$QNM" new "$vm" memory=256 accel=tcg boot=kernel kernel="$G_KERNEL" initrd="$G_INITRD" \
		append="$G_APPEND" extra+=-no-reboot extra+=-fw_cfg \
		extra+="name=opt/qnm/script,file=$script" >/dev/null || fatal "qnm new $vm failed"
	at_exit "guest_kill $vm"
}

# guest_field VM KEY - a number field of "qnm status VM --json".
guest_field() {
	"$QNM" status "$1" --json | sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p"
}

# guest_kill VM - cleanup: stop it, and kill its QEMU by pid if that fails.
guest_kill() {
	local pid
	pid=$(guest_field "$1" qemu_pid 2>/dev/null)
	"$QNM" stop "$1" --force >/dev/null 2>&1
	if [ -n "$pid" ] && [ "$pid" != 0 ] && kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
	fi
}

# serial_log VM - path of VM's serial log.
serial_log() { echo "$XDG_RUNTIME_DIR/qnm/$1/serial.log"; }

# wait_serial SECONDS VM TEXT - wait until TEXT appears on VM's console.
wait_serial() {
	local t=$1 vm=$2 text=$3 i
	for ((i = 0; i < t * 10; i++)); do
		grep -qF -- "$text" "$(serial_log "$vm")" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "  (no '$text' on $vm's console after ${t}s; last lines:)"
	tail -n 8 "$(serial_log "$vm")" 2>/dev/null | sed 's/^/  | /'
	return 1
}

# demo_shell [BACKEND] - define the demo guest (qnm demo; its NIC on BACKEND,
# default the demo's), start it and wait for the shell on its serial console;
# skips when the image cannot be built here. Stopped at exit.
demo_shell() {
	at_exit "timeout 30 '$QNM' stop demo --force >/dev/null 2>&1"
	"$QNM" demo >"$T/demo.out" 2>&1 || { cat "$T/demo.out"; skip "the demo guest could not be built here"; }
	if [ -n "${1:-}" ]; then
		"$QNM" nic set demo n0 backend="$1" >/dev/null || fatal "demo's NIC on backend $1"
	fi
	"$QNM" start demo >/dev/null || fatal "qnm start demo"
	check "the demo guest's shell is up on its console" wait_serial 90 demo "built-in shell"
}

# http_get URL - fetch URL with busybox wget (4 s limit; busybox wget -T crashes); prints the body.
http_get() { timeout 4 "$BB" wget -q -O - "$1" 2>/dev/null; }

# host_httpd PORT DIR FILE - serve DIR on 127.0.0.1:PORT (in the test's netns);
# waits until DIR/FILE can be fetched.
host_httpd() {
	"$BB" httpd -f -p "127.0.0.1:$1" -h "$2" &
	at_exit "kill $! 2>/dev/null"
	wait_for 5 http_get "http://127.0.0.1:$1/$3" >/dev/null || fatal "host httpd did not start"
}

# guest_nat_needs - what a guest on a qnm NAT network needs here (skips
# without it), and IPv4 only in the test's namespace.
guest_nat_needs() {
	need_cmd nft nftables
	need_cmd socat socat
	need_cmd dnsmasq dnsmasq-base
	need_cmd nsenter util-linux
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# guest_net_up NET - "qnm net up NET" (fatal when it fails), and down at exit.
guest_net_up() {
	local out
	out=$(timeout 30 "$QNM" net up "$1" 2>&1) || fatal "net up failed: $out"
	at_exit "timeout 30 \"$QNM\" net down $1 >/dev/null 2>&1"
}

# guest_outside - a second network namespace standing for the world outside
# the host (held by a sleeping process, OUT_PID), joined by a veth: the
# host's uplink qup0 10.99.0.1/24 here, qout0 10.99.0.2/24 there. "ino CMD"
# runs CMD in it.
guest_outside() {
	unshare -n sleep 300 &
	OUT_PID=$!
	at_exit "kill $OUT_PID 2>/dev/null"
	wait_for 5 outside_ready || fatal "outside namespace did not come up"
	ip link add qup0 type veth peer name qout0 netns "$OUT_PID" ||
		fatal "cannot make the uplink veth"
	ip addr add 10.99.0.1/24 dev qup0
	ip link set qup0 up
	ino ip link set lo up
	ino ip addr add 10.99.0.2/24 dev qout0
	ino ip link set qout0 up
}
ino() { nsenter -t "$OUT_PID" -n "$@"; }
outside_ready() { [ "$(readlink "/proc/$OUT_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }

# host_uplink - give the test's namespace what passt copies: an uplink
# (a veth, qup0, peer qup1) with 10.1.0.2/24 and 2001:db8::2/64, default
# routes via 10.1.0.1 and 2001:db8::1 (nothing answers there: passt maps
# the gateway addresses to the host's loopback).
host_uplink() {
	ip link add qup0 type veth peer name qup1 && ip link set qup1 up && ip link set qup0 up &&
		ip addr add 10.1.0.2/24 dev qup0 && ip -6 addr add 2001:db8::2/64 dev qup0 nodad &&
		ip route add default via 10.1.0.1 && ip -6 route add default via 2001:db8::1 ||
		fatal "cannot make the uplink and default routes"
}

# guest_script_serve TOKEN HOSTADDR - the start of a guest script (printed):
# DHCP on eth0, the MAC it sees ("guest-mac ..."), guest-token-TOKEN served at
# http://GUEST/token.txt, HOSTADDR:8000/hello.txt fetched ("g2h: ...").
guest_script_serve() {
	cat <<EOF
. /etc/qnm/lib.sh
qnm_dhcp eth0
echo "guest-mac \$(cat /sys/class/net/eth0/address)"
echo "guest-token-$1" > /www/token.txt
httpd -p 80 -h /www
echo "g2h: \$(timeout 5 wget -q -O - http://$2:8000/hello.txt)"
EOF
}
