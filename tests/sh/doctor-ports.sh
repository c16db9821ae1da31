#!/bin/bash
# doctor-ports.sh - "who owns this host port": real listeners (python3) in a
# network namespace this test creates hold ports; "qnm ports" names their
# comm and pid (cross-checked with ss -p), and "qnm forward add" / "qnm nic
# add|set" refuse a busy host port naming the process, while an IPv6-only
# listener, a port on another address and a VM's existing forwards are not
# held against it. Privileged ports are explained for an unprivileged user.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd python3 python3
need_cmd jq jq
need_cmd ss iproute2
need_cmd setpriv util-linux

NS=$(new_netns ports)
in_ns() { ip netns exec "$NS" "$@"; }
q() { in_ns timeout 30 "$QNM" "$@"; }

# listen PROTO ADDR PORT [v6only] - a python3 listener in the namespace; prints
# its pid (python's own: "ip netns exec" forks)
listen() {
	rm -f "$T/pid.$3"
	PIDFILE=$T/pid.$3 in_ns python3 -c '
import os, socket, sys, time
proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
if fam == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if len(sys.argv) > 4 else 0)
s.bind((addr, port))
if proto == "tcp":
    s.listen()
open(os.environ["PIDFILE"] + ".tmp", "w").write(str(os.getpid()))
os.rename(os.environ["PIDFILE"] + ".tmp", os.environ["PIDFILE"])
time.sleep(120)
' "$@" >/dev/null 2>&1 &
	at_exit "kill $! 2>/dev/null"
	wait_for 10 test -s "$T/pid.$3" || fatal "listener on $3 did not start"
	cat "$T/pid.$3"
}
bound() { in_ns ss -H -lntu "sport = :$1" | grep -q .; }

P8080=$(listen tcp :: 8080)            # dual-stack: holds IPv4 8080 too
P5353=$(listen udp 127.0.0.1 5353)
P9090=$(listen tcp :: 9090 v6only)      # IPv6 only: IPv4 9090 stays free
wait_for 10 bound 8080 || fatal "listener on 8080 did not start"
wait_for 10 bound 5353 || fatal "listener on 5353 did not start"
wait_for 10 bound 9090 || fatal "listener on 9090 did not start"

# independent view of who holds 8080
ss_pid=$(in_ns ss -H -lntp "sport = :8080" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
expect_eq "ss agrees on the holder of 8080" "$P8080" "$ss_pid"

check "new VM" q new web
check "user NIC with a free port" q nic add web backend=user hostfwd=tcp::2222-:22
before=$(cat "$XDG_CONFIG_HOME/qnm/vms/web.conf")

# ---- refusals name the process ----
err=$(q forward add --vm web tcp::8080-:80 2>&1); rc=$?
expect_eq "forward add on a busy port fails" 1 "$rc"
expect_contains "forward add names comm and pid" \
	"host port tcp/8080 is already in use by python3 (pid $P8080)" "$err"
expect_contains "forward add says what to do" "choose another port" "$err"
expect_eq "nothing written after the refusal" "$before" "$(cat "$XDG_CONFIG_HOME/qnm/vms/web.conf")"

err=$(q forward add --vm web tcp:127.0.0.1:8080-:80 2>&1)
expect_contains "a specific address still clashes with a wildcard listener" \
	"already in use by python3 (pid $P8080)" "$err"

err=$(q nic add web backend=user hostfwd=udp::5353-:53 2>&1); rc=$?
expect_eq "nic add with a busy udp port fails" 1 "$rc"
expect_contains "nic add names the udp holder and its address" \
	"host port udp/5353 is already in use by python3 (pid $P5353) on 127.0.0.1; choose another port" "$err"

err=$(q nic set web n0 hostfwd+=tcp::8080-:80 2>&1); rc=$?
expect_eq "nic set adding a busy port fails" 1 "$rc"
expect_contains "nic set names the holder" "python3 (pid $P8080)" "$err"
expect_eq "still nothing written" "$before" "$(cat "$XDG_CONFIG_HOME/qnm/vms/web.conf")"

# ---- what is not a clash ----
check "udp 5353 on another address is free" q forward add --vm web udp:127.0.0.2:5353-:53
check "IPv4 9090 is free next to an IPV6_V6ONLY listener" q forward add --vm web tcp::9090-:90

# A VM's existing forward is not held against it (it may be its own running QEMU).
P2222=$(listen tcp 0.0.0.0 2222)
wait_for 10 bound 2222 || fatal "listener on 2222 did not start"
check "nic set of another key with a held existing forward" q nic set web n0 model=e1000

# ---- qnm ports ----
out=$(q ports)
echo "$out"
expect_contains "ports: header" "HELD BY" "$out"
expect_contains "ports: 2222 held by the listener" "python3 (pid $P2222)" "$out"
line=$(echo "$out" | grep ':9090')
expect_contains "ports: 9090 free" "free" "$line"
js=$(q ports --json)
expect_eq "ports --json: holder pid of 2222" "$P2222" \
	"$(echo "$js" | jq -r '.[] | select(.host_port == 2222) | .held_by.pid')"
expect_eq "ports --json: holder comm of 2222" "python3" \
	"$(echo "$js" | jq -r '.[] | select(.host_port == 2222) | .held_by.comm')"
expect_eq "ports --json: free port has held_by null" "null" \
	"$(echo "$js" | jq -r '.[] | select(.host_port == 9090) | .held_by')"
expect_eq "ports --json: kind" "hostfwd" "$(echo "$js" | jq -r '.[0].kind')"

# doctor's host_ports check sees it too
out=$(q doctor --check host_ports)
expect_contains "doctor: held forward port" "host port tcp/2222 of VM 'web' NIC 'n0' is in use by python3 (pid $P2222)" "$out"

# ---- a running VM's own QEMU is named as such ----
if command -v qemu-system-x86_64 >/dev/null; then
	check "VM to run" q new run
	q set run accel=tcg memory=64 >/dev/null
	check "its user NIC" q nic add run backend=user hostfwd=tcp:127.0.0.1:2300-:22
	out=$(q start run) || fatal "qnm start failed: $out"
	at_exit "ip netns exec $NS timeout 30 $QNM stop run --force >/dev/null 2>&1"
	qpid=$(echo "$out" | sed -n 's/.*QEMU pid \([0-9]*\).*/\1/p')
	wait_for 10 bound 2300 || fatal "QEMU did not bind 2300"
	out=$(q ports)
	expect_contains "ports: the running VM's QEMU named" "VM run (its QEMU, pid $qpid)" "$(echo "$out" | grep ':2300')"
	out=$(q doctor --check host_ports)
	expect_contains "doctor: the VM's own port is fine" "host port tcp/2300 is held by VM 'run' itself (running)" "$out"
	check "nic set on the running VM keeps its forward" q nic set run n0 model=e1000
	err=$(q forward add --vm web tcp:127.0.0.1:2300-:22 2>&1)
	expect_contains "another VM cannot take the port" "2300" "$err"
	check "stop the VM" q stop run --force
else
	echo "note: no qemu-system-x86_64; running-VM case not run"
fi

# ---- usage errors ----
out=$(q ports --bogus 2>&1); rc=$?
expect_eq "ports: unknown option exits 2" 2 "$rc"
out=$(q ports extra 2>&1); rc=$?
expect_eq "ports: extra argument exits 2" 2 "$rc"

# ---- privileged ports, as an unprivileged user ----
chmod 711 "$T"
U=$T/nobody
mkdir -p "$U/config" "$U/run" "$U/home"
chown -R 65534:65534 "$U"
chmod 700 "$U/run"
nob() {
	in_ns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		env XDG_CONFIG_HOME="$U/config" XDG_RUNTIME_DIR="$U/run" HOME="$U/home" \
		timeout 30 "$QNM" "$@"
}
nob new low >/dev/null || fatal "nobody: new failed"
nob nic add low backend=user >/dev/null || fatal "nobody: nic add failed"
in_ns sysctl -qw net.ipv4.ip_unprivileged_port_start=1024
err=$(nob forward add --vm low tcp::80-:80 2>&1); rc=$?
expect_eq "nobody: port 80 refused" 1 "$rc"
expect_contains "nobody: privileged port explained" \
	"host port tcp/80 is a privileged port: ports below 1024 (net.ipv4.ip_unprivileged_port_start) need root or CAP_NET_BIND_SERVICE" "$err"
expect_contains "nobody: the sysctl way out" "sysctl -w net.ipv4.ip_unprivileged_port_start=80" "$err"
in_ns sysctl -qw net.ipv4.ip_unprivileged_port_start=80
check "nobody: port 80 allowed once the sysctl says so" nob forward add --vm low tcp::80-:80
check "root: privileged port fine" q forward add --vm web tcp::81-:81

finish
