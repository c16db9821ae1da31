#!/bin/bash
# qemu-accepts.sh - the real qemu-system-x86_64 accepts every command line qnm
# generates, and QMP confirms the NIC model, MAC and backend the config asked for.
#
# Each case: tests/argv-gen builds a VM with the model API and prints qnm's argv;
# tests/qemu-check.py starts QEMU on it paused (-S, plus a QMP socket) and checks
# 'info network', 'info qtree', query-pci and 'info usernet', then quits.
# Unprivileged cases (user, slirp/stream) run as they are; tap and the bridge
# helper run as root inside a namespace this test creates (never the root one),
# with /etc/qemu/bridge.conf provided by an overlay in a private mount namespace.
. "$QNM_SRCDIR/tests/lib.sh"

need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd python3
GEN=${QNM_BUILDDIR:-.}/tests/argv-gen
CHECK=$QNM_SRCDIR/tests/qemu-check.py
QEMU=$(command -v qemu-system-x86_64)
[ -x "$GEN" ] || fatal "$GEN not built (make check builds it)"
CASES=0

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# check_argv NAME EXPECT_JSON ARGV_FILE [--listen PATH]...
# Have QEMU + QMP check a NUL-separated argv. Runs under $RUN (e.g. a netns).
check_argv() {
	local name=$1 expect=$2 argvf=$3 out
	shift 3
	CASES=$((CASES + 1))
	if out=$(timeout 60 ${RUN:-} python3 "$CHECK" --timeout 40 --argv "$argvf" \
		--expect "$expect" "$@" 2>&1); then
		ok "$name"
	else
		fail "$name"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
}

# accept NAME EXPECT_JSON [--listen PATH]... -- GEN_ARGS...
# Generate the argv with tests/argv-gen and check it.
accept() {
	local name=$1 expect=$2 listen=() argvf="$T/$1.argv"
	shift 2
	while [ "$1" != -- ]; do listen+=("$1" "$2"); shift 2; done
	shift
	if ! "$GEN" --qemu "$QEMU" --accel tcg "$@" >"$argvf"; then
		CASES=$((CASES + 1))
		fail "$name: qnm refused to generate the command line"
		return
	fi
	check_argv "$name" "$expect" "$argvf" "${listen[@]}"
}

# ---- user mode: every model, both styles, the user options ----
P1=$(free_port)
P2=$(free_port)
for style in netdev nic; do
	id=n0
	[ "$style" = nic ] && idj='' || idj='"id": "n0",'
	accept "user-$style-e1000" \
		"{\"nics\": [{\"model\": \"e1000\", \"mac\": \"52:54:98:76:54:32\", \"type\": \"user\", $idj
		  \"peer\": {\"restrict\": \"on\", \"net\": \"10.0.2.0\"}}],
		  \"usernet\": [\"TCP[HOST_FORWARD] 127.0.0.1 $P1 10.0.2.15 22\"]}" -- \
		--style $style --nic id=$id model=e1000 mac=52:54:98:76:54:32 \
		hostfwd=tcp:127.0.0.1:$P1-:22 restrict=on ipv6=off
	accept "user-$style-rtl8139" \
		"{\"nics\": [{\"model\": \"rtl8139\", \"mac\": \"02:00:00:0a:0b:0c\", \"type\": \"user\", $idj
		  \"peer\": {\"restrict\": \"off\", \"net\": \"10.9.8.0\"}}],
		  \"usernet\": [\"TCP[HOST_FORWARD] 127.0.0.1 $P2 10.9.8.50 8080\"]}" -- \
		--style $style --nic id=$id model=rtl8139 mac=02:00:00:0a:0b:0c net=10.9.8.0/24 \
		host=10.9.8.2 dhcpstart=10.9.8.50 dns=10.9.8.3 hostfwd=tcp:127.0.0.1:$P2-10.9.8.50:8080
	# No MAC in the config: qnm generates one; QEMU must show exactly that one.
	"$GEN" --accel tcg --macs-out "$T/macs" --nic model=virtio-net-pci >/dev/null ||
		fail "argv-gen with a generated MAC"
	mac=$(awk '{print $2}' "$T/macs")
	accept "user-$style-virtio-net-pci-generated-mac" \
		"{\"nics\": [{\"model\": \"virtio-net-pci\", \"mac\": \"$mac\", \"type\": \"user\", $idj
		  \"peer\": {\"restrict\": \"off\"}}]}" -- \
		--style $style --nic model=virtio-net-pci mac=$mac
done

# The seed guide's example, and the same NIC with two udp forwards.
accept "seed-netdev-user-mynic0" \
	'{"nics": [{"model": "e1000", "mac": "52:54:98:76:54:32", "type": "user", "id": "mynic0"}]}' -- \
	--nic id=mynic0 model=e1000 mac=52:54:98:76:54:32
P3=$(free_port)
accept "user-udp-forwards" \
	"{\"nics\": [{\"model\": \"e1000\", \"mac\": \"02:00:00:00:00:21\", \"type\": \"user\"}],
	  \"usernet\": [\"UDP[HOST_FORWARD] 127.0.0.1 $P3 10.0.2.15 53\"]}" -- \
	--style nic --nic model=e1000 mac=02:00:00:00:00:21 hostfwd=udp:127.0.0.1:$P3-:53

# SMB needs smbd on the host; QEMU refuses smb= without it.
if command -v smbd >/dev/null 2>&1 || [ -x /usr/sbin/smbd ]; then
	mkdir -p "$T/share,dir"
	accept "user-smb" \
		'{"nics": [{"model": "e1000", "mac": "02:00:00:00:00:31", "type": "user"}]}' -- \
		--nic model=e1000 mac=02:00:00:00:00:31 "smb=$T/share,dir"
else
	echo "skip: user-smb (no smbd: Debian package samba)"
fi

# ---- slirp helper backend: -netdev stream to a unix socket (a listener stands in) ----
for style in netdev nic; do
	mkdir -p "$T/slirp-$style"
	accept "slirp-$style-virtio" \
		'{"nics": [{"model": "virtio-net-pci", "mac": "02:00:00:00:00:41", "type": "stream", "id": "n0"}]}' \
		--listen "$T/slirp-$style/slirp-n0.sock" -- \
		--style $style --slirp-dir "$T/slirp-$style" --nic model=virtio-net-pci mac=02:00:00:00:00:41 \
		backend=slirp
done

# ---- several NICs of different models and backends in one VM, -nic style ----
mkdir -p "$T/mixed"
accept "mixed-three-nics" \
	'{"nics": [
	  {"model": "e1000", "mac": "02:00:00:00:00:51", "type": "user"},
	  {"model": "rtl8139", "mac": "02:00:00:00:00:52", "type": "stream", "id": "n1"},
	  {"model": "virtio-net-pci", "mac": "02:00:00:00:00:53", "type": "user", "peer": {"restrict": "on"}}]}' \
	--listen "$T/mixed/slirp-n1.sock" -- \
	--style nic --slirp-dir "$T/mixed" \
	--nic model=e1000 mac=02:00:00:00:00:51 \
	--nic model=rtl8139 mac=02:00:00:00:00:52 backend=slirp \
	--nic model=virtio-net-pci mac=02:00:00:00:00:53 restrict=on

# ---- qnm's own runtime arguments (-qmp, -pidfile, the serial -chardev, -S), comma in the path ----
mkdir -p "$T/run,dir"
accept "runtime-args" \
	"{\"nics\": [{\"model\": \"e1000\", \"mac\": \"02:00:00:00:00:61\", \"type\": \"user\", \"id\": \"n0\"}],
	  \"pidfile\": \"$T/run,dir/qemu.pid\", \"sockets\": [\"$T/run,dir/qmp.sock\"]}" -- \
	--rundir "$T/run,dir" --paused --nic model=e1000 mac=02:00:00:00:00:61
[ -f "$T/run,dir/serial.log" ] && ok "QEMU opened the serial log qnm asked for" ||
	fail "no serial.log in $T/run,dir"

# ---- through the real CLI: qnm new / nic add, then qnm cmdline (JSON argv and the
# shell-quoted line, evaluated by bash as a user would paste it) ----
P4=$(free_port)
if "$QNM" new clivm accel=tcg memory=128 >/dev/null &&
	"$QNM" nic add clivm model=e1000 hostfwd=tcp:127.0.0.1:$P4-:22 >/dev/null &&
	"$QNM" nic add clivm model=rtl8139 restrict=on ipv6=off >/dev/null &&
	"$QNM" nic add clivm model=virtio-net-pci mac=02:76:7d:d7:1e:3f >/dev/null; then
	# Expectations from the configuration as qnm reports it (MACs were generated).
	"$QNM" nic list clivm --json >"$T/cli-nics.json"
	cli_expect() {
		python3 - "$T/cli-nics.json" "$1" <<'PY'
import json, sys
types = {"user": "user", "slirp": "stream", "tap": "tap", "bridge": "tap"}
nics = []
for n in json.load(open(sys.argv[1])):
    e = {"model": n["model"], "mac": n["mac"], "type": types[n["backend"]],
         "peer": {"restrict": "on" if n["restrict"] else "off"}}
    if sys.argv[2] == "netdev":
        e["id"] = n["id"]
    nics.append(e)
print(json.dumps({"nics": nics}))
PY
	}
	"$QNM" cmdline clivm --json | python3 -c 'import json, sys
sys.stdout.write("".join(a + "\0" for a in json.load(sys.stdin)))' >"$T/cli-netdev.argv"
	check_argv "cli-cmdline-json-netdev" "$(cli_expect netdev)" "$T/cli-netdev.argv"
	line=$("$QNM" cmdline clivm --nic-form)
	eval "words=($line)"
	printf '%s\0' "${words[@]}" >"$T/cli-nic.argv"
	check_argv "cli-cmdline-shell-line-nic-form" "$(cli_expect nic)" "$T/cli-nic.argv"
	grep -q "mac=02:76:7d:d7:1e:3f" "$T/cli-nic.argv" && grep -q "127.0.0.1:$P4-:22" "$T/cli-nic.argv" ||
		fail "the pasted line lost an option"
else
	fail "qnm new / nic add failed"
fi

# ---- the checker itself can fail: wrong MAC, wrong model, wrong backend, bad argv ----
"$GEN" --accel tcg --qemu "$QEMU" --nic model=e1000 mac=02:00:00:00:00:71 >"$T/neg.argv"
for wrong in '"model": "e1000", "mac": "02:00:00:00:00:72", "type": "user"' \
	'"model": "rtl8139", "mac": "02:00:00:00:00:71", "type": "user"' \
	'"model": "e1000", "mac": "02:00:00:00:00:71", "type": "tap"'; do
	if timeout 60 python3 "$CHECK" --argv "$T/neg.argv" --expect "{\"nics\": [{$wrong}]}" >/dev/null; then
		fail "checker accepted a wrong expectation ($wrong)"
	else
		ok "checker rejects a wrong expectation ($wrong)"
	fi
done
printf '%s\0' "$QEMU" -netdev user,id=n0,bogus=1 -device e1000,netdev=n0 -display none >"$T/bad.argv"
timeout 60 python3 "$CHECK" --argv "$T/bad.argv" --expect '{"nics": []}' >"$T/bad.out"
rc=$?
[ $rc = 1 ] && grep -q "QEMU refused" "$T/bad.out" && ok "checker reports an argv QEMU refuses" ||
	fail "checker on a refused argv: exit $rc"

# ---- root only: tap and the bridge helper, inside a namespace made here ----
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! [ -c /dev/net/tun ]; then
	echo "skip: tap and bridge cases (need root, iproute2 and /dev/net/tun)"
else
	ETC_QEMU_BEFORE=$(ls -la --time-style=full-iso /etc/qemu 2>&1)
	NS=$(new_netns catalog)
	ip -n "$NS" link add qnmbr0 type bridge || fatal "bridge in $NS"
	ip -n "$NS" link set qnmbr0 up
	ip -n "$NS" tuntap add dev qnmtap0 mode tap || fatal "tap in $NS"
	# /etc/qemu/bridge.conf only inside a private mount namespace (overlay on /etc).
	mkdir -p "$T/etc-up/qemu" "$T/etc-work"
	echo "allow qnmbr0" >"$T/etc-up/qemu/bridge.conf"
	cat >"$T/in-ns.sh" <<EOF
mount --make-rprivate / && mount -t overlay overlay -o lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work /etc || exit 99
exec "\$@"
EOF
	RUN="ip netns exec $NS unshare -m bash $T/in-ns.sh"
	for style in netdev nic; do
		accept "tap-$style-existing" \
			'{"nics": [{"model": "virtio-net-pci", "mac": "02:00:00:00:00:81", "type": "tap",
			   "peer": {"ifname": "qnmtap0", "script": "no", "downscript": "no"}}]}' -- \
			--style $style --nic model=virtio-net-pci mac=02:00:00:00:00:81 backend=tap \
			ifname=qnmtap0
		# No ifname: qnm's default name; QEMU (root) creates the TAP itself.
		accept "tap-$style-default-name" \
			'{"nics": [{"model": "e1000", "mac": "02:00:00:00:00:82", "type": "tap",
			   "peer": {"ifname": "qt-accept-0"}}]}' -- \
			--style $style --nic model=e1000 mac=02:00:00:00:00:82 backend=tap
	done
	# The seed guide's bridge example, exactly, and the -netdev form with rtl8139.
	accept "bridge-nic-seed" \
		'{"nics": [{"model": "virtio-net-pci", "mac": "02:76:7d:d7:1e:3f", "type": "tap",
		   "peer": {"br": "qnmbr0"}}]}' -- \
		--style nic --nic model=virtio-net-pci mac=02:76:7d:d7:1e:3f backend=bridge br=qnmbr0
	accept "bridge-netdev-rtl8139" \
		'{"nics": [{"model": "rtl8139", "mac": "02:00:00:00:00:91", "type": "tap", "id": "n0",
		   "peer": {"br": "qnmbr0", "helper": "/usr/lib/qemu/qemu-bridge-helper"}}]}' -- \
		--nic model=rtl8139 mac=02:00:00:00:00:91 backend=bridge br=qnmbr0 \
		helper=/usr/lib/qemu/qemu-bridge-helper
	RUN=
	expect_eq "the host's /etc/qemu is as it was" "$ETC_QEMU_BEFORE" "$(ls -la --time-style=full-iso /etc/qemu 2>&1)"
fi

echo "$CASES QEMU command lines checked"
finish
