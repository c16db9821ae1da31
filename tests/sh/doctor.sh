#!/bin/bash
# doctor.sh - "qnm doctor": each broken condition is built for real, inside a
# network namespace this test creates (sysctls, nftables, iptables, bridges,
# neighbours) or in a temporary file pointed at through the environment
# (bridge.conf, bridge helper, /dev/kvm, dnsmasq, a fake QEMU on $PATH), and
# the finding and its fix are checked. Nothing outside the namespace or $T
# is changed; the real /etc/qemu is never touched.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd iptables iptables
need_cmd setpriv util-linux

NS=$(new_netns doctor)
in_ns() { ip netns exec "$NS" "$@"; }
q() { in_ns timeout 60 "$QNM" "$@"; }
# status ID [ENV=VAL...] - the status of one check
status() {
	local id=$1
	shift
	in_ns timeout 60 env "$@" "$QNM" doctor --json --check "$id" | jq -r '.checks[0].status'
}
# text ID [ENV=VAL...] - findings and fix of one check, as printed
text() {
	local id=$1
	shift
	in_ns timeout 60 env "$@" "$QNM" doctor --check "$id"
}

# ---- command line ----
out=$(q doctor --check nosuch 2>&1); rc=$?
expect_eq "unknown check exits 2" 2 "$rc"
expect_contains "unknown check lists the checks" "the checks are: qemu kvm tun" "$out"
out=$(q doctor extra 2>&1); rc=$?
expect_eq "extra argument exits 2" 2 "$rc"
js=$(q doctor --json)
expect_eq "json: 22 checks (the passt, private and tap (ovn) backends bring one each)" 22 "$(echo "$js" | jq '.checks | length')"
expect_eq "json: every check has a status" 0 \
	"$(echo "$js" | jq '[.checks[] | select(.status | IN("ok","skip","warn","fail") | not)] | length')"
expect_eq "json: every check has a finding" 0 \
	"$(echo "$js" | jq '[.checks[] | select(.findings | length == 0)] | length')"

# ---- QEMU: a fake binary on $PATH, built without user networking ----
mkdir -p "$T/bin"
printf '#!/bin/sh\nprintf "Available netdev backend types:\\nsocket\\nstream\\ntap\\nbridge\\n"\n' \
	>"$T/bin/qemu-system-x86_64"
chmod +x "$T/bin/qemu-system-x86_64"
check "new VM" q new vm1
check "user NIC" q nic add vm1 backend=user
out=$(text qemu PATH="$T/bin:/usr/bin:/bin")
expect_contains "qemu: no user networking named" "was built without user-mode networking (libslirp): '-netdev help' does not list 'user'" "$out"
expect_eq "qemu: fails with a user NIC configured" fail "$(status qemu PATH="$T/bin:/usr/bin:/bin")"
out=$(text qemu PATH="$T/empty")
expect_contains "qemu: missing binary" "qemu-system-x86_64 is not in \$PATH" "$out"
expect_contains "qemu: package to install" "fix: apt-get install qemu-system-x86" "$out"
if command -v qemu-system-x86_64 >/dev/null; then
	expect_eq "qemu: the real one offers user networking" ok "$(status qemu)"
fi

# ---- /dev/kvm ----
out=$(text kvm QNM_DEV_KVM="$T/nokvm")
expect_contains "kvm: missing device" "$T/nokvm cannot be opened (No such file or directory)" "$out"
expect_eq "kvm: only a warning with accel=auto" warn "$(status kvm QNM_DEV_KVM="$T/nokvm")"
check "accel=kvm" q set vm1 accel=kvm
expect_eq "kvm: a failure with accel=kvm" fail "$(status kvm QNM_DEV_KVM="$T/nokvm")"
check "accel=auto again" q set vm1 accel=auto

# ---- ping_group_range excluding the user ----
in_ns sysctl -qw net.ipv4.ping_group_range="1 0"
out=$(text ping_group_range)
expect_contains "ping: range excludes us" "net.ipv4.ping_group_range is 1-0 (nobody), which excludes your groups" "$out"
expect_contains "ping: the fix" 'fix: sysctl -w net.ipv4.ping_group_range="0 0"' "$out"
expect_eq "ping: warn with a user NIC" warn "$(status ping_group_range)"
in_ns sysctl -qw net.ipv4.ping_group_range="0 2147483647"
expect_eq "ping: ok once the range includes us" ok "$(status ping_group_range)"

# ---- bridge.conf, through QNM_BRIDGE_CONF (a temp file; never /etc/qemu) ----
check "bridge NIC" q nic add vm1 backend=bridge br=qbr0
BC=$T/qemu/bridge.conf
mkdir -p "$T/qemu"
out=$(text bridge_conf QNM_BRIDGE_CONF="$BC")
expect_contains "bridge.conf: missing file" "$BC does not exist, so QEMU's bridge helper refuses every bridge" "$out"
expect_contains "bridge.conf: the fix for a missing file" "fix: mkdir -p $T/qemu && echo 'allow qbr0' >> $BC" "$out"
printf '# qnm test\nallow other0\n' >"$BC"
out=$(text bridge_conf QNM_BRIDGE_CONF="$BC")
expect_contains "bridge.conf: bridge not allowed" "bridge qbr0 (VM 'vm1' NIC 'n1') is not allowed in $BC: no 'allow qbr0' or 'allow all' line" "$out"
expect_eq "bridge.conf: missing allow fails" fail "$(status bridge_conf QNM_BRIDGE_CONF="$BC")"
printf 'allow other0\nallow qbr0\n' >"$BC"
out=$(text bridge_conf QNM_BRIDGE_CONF="$BC")
expect_contains "bridge.conf: allowed, with the line" "bridge qbr0 (VM 'vm1' NIC 'n1') is allowed: $BC:2: 'allow qbr0'" "$out"
expect_eq "bridge.conf: allow line ok" ok "$(status bridge_conf QNM_BRIDGE_CONF="$BC")"
printf 'allow all\ndeny qbr0\n' >"$BC"
out=$(text bridge_conf QNM_BRIDGE_CONF="$BC")
expect_contains "bridge.conf: deny wins over allow all" "$BC:2: 'deny qbr0' refuses it" "$out"
printf 'allow qbr0\n\n  allw br1\n' >"$BC"
out=$(text bridge_conf QNM_BRIDGE_CONF="$BC")
expect_contains "bridge.conf: parse error with file:line" "$BC:3: unknown command 'allw'" "$out"
expect_eq "bridge.conf: parse error fails" fail "$(status bridge_conf QNM_BRIDGE_CONF="$BC")"
printf 'allow\n' >"$BC"
out=$(text bridge_conf QNM_BRIDGE_CONF="$BC")
expect_contains "bridge.conf: command without argument" "$BC:1: 'allow' has no argument" "$out"
printf 'allow qbr0\n' >"$T/qemu/inc.conf"
printf 'include %s\ninclude %s\n' "$T/qemu/inc.conf" "$T/qemu/missing.conf" >"$BC"
out=$(text bridge_conf QNM_BRIDGE_CONF="$BC")
expect_contains "bridge.conf: allowed through an include" "is allowed: $T/qemu/inc.conf:1: 'allow qbr0'" "$out"
expect_contains "bridge.conf: missing include warned" "$T/qemu/missing.conf: cannot be read" "$out"
expect_eq "bridge.conf: missing include is a warning" warn "$(status bridge_conf QNM_BRIDGE_CONF="$BC")"

# ---- the bridge of a bridge NIC must exist ----
out=$(text bridge_exists)
expect_contains "bridge_exists: missing bridge" "bridge qbr0 (VM 'vm1' NIC 'n1') does not exist on this host: the VM cannot start until it does" "$out"
expect_contains "bridge_exists: fix" "fix: create it (ip link add qbr0 type bridge && ip link set qbr0 up)" "$out"
in_ns ip link add qbr0 type bridge
expect_eq "bridge_exists: ok once it exists" ok "$(status bridge_exists)"
in_ns ip link del qbr0

# ---- bridge helper: a copy, plain / with a file capability / as nobody ----
HELPER=/usr/lib/qemu/qemu-bridge-helper
[ -x "$HELPER" ] || HELPER=/usr/libexec/qemu-bridge-helper
if [ -x "$HELPER" ] && command -v setcap >/dev/null; then
	cp "$HELPER" "$T/helper"
	chmod 755 "$T/helper"
	chmod 711 "$T"
	# nobody cannot read root's config dir (it would see no bridge NIC): a copy
	mkdir -p "$T/nob/qnm/vms"
	cp "$XDG_CONFIG_HOME/qnm/vms/vm1.conf" "$T/nob/qnm/vms/"
	chown -R 65534:65534 "$T/nob"
	nobdoc() {
		in_ns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			env XDG_CONFIG_HOME="$T/nob" XDG_RUNTIME_DIR="$T/nob/run" HOME="$T/nob" \
			QNM_BRIDGE_HELPER="$T/helper" "$QNM" doctor --check bridge_helper 2>&1
	}
	out=$(nobdoc)
	expect_contains "helper: neither setuid nor capable, as a user" "$T/helper is neither setuid root nor granted cap_net_admin" "$out"
	expect_contains "helper: the fix" "fix: setcap cap_net_admin+ep $T/helper" "$out"
	out=$(text bridge_helper QNM_BRIDGE_HELPER="$T/helper")
	expect_contains "helper: fine as root" "but qnm runs as root, so it works" "$out"
	if setcap cap_net_admin+ep "$T/helper" 2>/dev/null; then
		out=$(nobdoc)
		expect_contains "helper: file capability seen" "$T/helper is granted cap_net_admin (file capability)" "$out"
	else
		echo "note: setcap failed on $T (no xattr support?); file capability case not run"
	fi
	out=$(text bridge_helper QNM_BRIDGE_HELPER="$T/nohelper")
	expect_contains "helper: missing" "the bridge helper $T/nohelper does not exist" "$out"
else
	echo "note: no qemu-bridge-helper or setcap; helper cases not run"
fi

# ---- ip_forward 0 with a NAT network ----
check "NAT network" q net add lan bridge=qnmdoc0 address=10.78.0.1/24 mode=nat \
	dhcp-start=10.78.0.10 dhcp-end=10.78.0.50
in_ns sysctl -qw net.ipv4.ip_forward=0
out=$(text ip_forward)
expect_contains "ip_forward: 0 with a NAT network that is down" "net.ipv4.ip_forward is 0: NAT network lan routes nothing until it is 1" "$out"
expect_eq "ip_forward: warn while down" warn "$(status ip_forward)"
in_ns ip link add qnmdoc0 type bridge
in_ns ip link set qnmdoc0 up
out=$(text ip_forward)
expect_contains "ip_forward: 0 with the NAT network up" "net.ipv4.ip_forward is 0 while NAT network lan is up (bridge qnmdoc0)" "$out"
expect_contains "ip_forward: the fix" "fix: sysctl -w net.ipv4.ip_forward=1" "$out"
expect_eq "ip_forward: fail while up" fail "$(status ip_forward)"
in_ns sysctl -qw net.ipv4.ip_forward=1
expect_eq "ip_forward: ok at 1" ok "$(status ip_forward)"

# ---- dnsmasq missing, with a DHCP network ----
out=$(text dnsmasq QNM_DNSMASQ="$T/nodnsmasq")
expect_contains "dnsmasq: missing, named" "dnsmasq-base" "$out"
expect_eq "dnsmasq: fail with a DHCP range" fail "$(status dnsmasq QNM_DNSMASQ="$T/nodnsmasq")"

# ---- a foreign nftables table whose forward chain drops ----
expect_eq "forward_drop: clean namespace" ok "$(status forward_drop)"
in_ns nft add table inet other
in_ns nft add chain inet other fwdchain '{ type filter hook forward priority 0; policy drop; }'
out=$(text forward_drop)
expect_contains "forward_drop: foreign table named" "another nftables table: table inet other, chain fwdchain (hook forward) has policy drop and no rule accepting bridge qnmdoc0" "$out"
expect_contains "forward_drop: nft fix" "iifname qnmdoc0 accept" "$out"
expect_eq "forward_drop: fail" fail "$(status forward_drop)"
in_ns nft delete table inet other
# ---- iptables -P FORWARD DROP (Docker's), read from iptables-nft's table ip filter ----
if in_ns iptables -P FORWARD DROP 2>/dev/null && in_ns nft list table ip filter >/dev/null 2>&1; then
	out=$(text forward_drop)
	expect_contains "forward_drop: iptables FORWARD policy explained" "iptables' FORWARD chain (iptables-nft; Docker sets its policy to DROP" "$out"
	expect_contains "forward_drop: iptables fix" "fix: iptables -I FORWARD -i qnmdoc0 -j ACCEPT && iptables -I FORWARD -o qnmdoc0 -j ACCEPT" "$out"
	# br_netfilter: built in or loadable? bridge-nf-call-iptables is per namespace.
	if in_ns test -e /proc/sys/net/bridge/bridge-nf-call-iptables ||
		modprobe br_netfilter 2>/dev/null; then
		in_ns sysctl -qw net.bridge.bridge-nf-call-iptables=1
		out=$(text br_netfilter)
		expect_contains "br_netfilter: explained" "frames between guests on the same bridge also go through the iptables/nftables FORWARD chains" "$out"
		expect_contains "br_netfilter: with the drop policy" "guests on one bridge cannot even reach each other" "$out"
		expect_eq "br_netfilter: fail with a drop policy" fail "$(status br_netfilter)"
		in_ns iptables -P FORWARD ACCEPT
		expect_eq "br_netfilter: warn without a drop" warn "$(status br_netfilter)"
		in_ns sysctl -qw net.bridge.bridge-nf-call-iptables=0
		expect_eq "br_netfilter: ok at 0" ok "$(status br_netfilter)"
	else
		echo "SKIP (case): br_netfilter is neither built in nor loadable here"
	fi
	in_ns iptables -P FORWARD ACCEPT
	expect_eq "forward_drop: ok again after ACCEPT" ok "$(status forward_drop)"
	# legacy x_tables cannot be read through nftables: said so, with the command to look
	if command -v iptables-legacy >/dev/null && in_ns iptables-legacy -P FORWARD DROP 2>/dev/null; then
		out=$(text forward_drop)
		expect_contains "forward_drop: legacy iptables named" "legacy iptables (x_tables) has a filter table here, which qnm cannot read" "$out"
		expect_contains "forward_drop: legacy fix" "fix: iptables-legacy -S FORWARD" "$out"
		expect_eq "forward_drop: legacy is a warning" warn "$(status forward_drop)"
	else
		echo "SKIP (case): iptables-legacy cannot make a filter table in the namespace"
	fi
else
	echo "SKIP (case): iptables-nft cannot set the FORWARD policy in the namespace"
fi

# ---- MAC clashes among configured VMs ----
check "second VM" q new vm2
check "NIC with a fixed MAC" q nic add vm2 backend=user mac=52:54:00:12:99:01
# qnm refuses to save a clash: write the file by hand, as an admin editing files would
sed 's/^name *=.*/name = vm3/' "$XDG_CONFIG_HOME/qnm/vms/vm2.conf" >"$XDG_CONFIG_HOME/qnm/vms/vm3.conf"
out=$(text mac_config)
expect_contains "mac_config: clash named" "MAC 52:54:00:12:99:01 is used by both VM 'vm2' NIC 'n0' and VM 'vm3' NIC 'n0'" "$out"
expect_eq "mac_config: fail" fail "$(status mac_config)"
q del vm3 >/dev/null

# ---- MAC clash with the live bridge: a neighbour entry and an fdb entry ----
check "tap NIC on network lan" q nic add vm2 backend=tap network=lan mac=52:54:00:12:99:02
check "bridge NIC on qnmdoc0" q nic add vm2 backend=bridge br=qnmdoc0 mac=52:54:00:12:99:03
expect_eq "mac_live: nothing on the bridge yet" ok "$(status mac_live)"
in_ns ip link del qnmdoc0
out=$(text bridge_exists)
expect_contains "bridge_exists: a network's bridge, down" "bridge qnmdoc0 (VM 'vm2' NIC 'n2') does not exist on this host (it is the bridge of a network that is down)" "$out"
expect_contains "bridge_exists: fix is net up" "fix: qnm net up lan" "$out"
in_ns ip link add qnmdoc0 type bridge
in_ns ip link set qnmdoc0 up
# ports first: a bridge that changes its MAC (first port) flushes its neighbours
in_ns ip link add qdv0 type veth peer name qdv1
in_ns ip link set qdv0 master qnmdoc0
in_ns ip link set qdv0 up
in_ns ip link set qdv1 up
in_ns bridge fdb add 52:54:00:12:99:03 dev qdv0 master static
in_ns ip addr add 10.78.0.1/24 dev qnmdoc0
in_ns ip neigh add 10.78.0.9 lladdr 52:54:00:12:99:02 dev qnmdoc0
out=$(text mac_live)
expect_contains "mac_live: neighbour entry" "MAC 52:54:00:12:99:02 of VM 'vm2' NIC 'n1' is already on bridge qnmdoc0: neighbour 10.78.0.9 (permanent)" "$out"
expect_contains "mac_live: fdb entry" "MAC 52:54:00:12:99:03 of VM 'vm2' NIC 'n2' is already on bridge qnmdoc0: bridge fdb entry on port qdv0 (static)" "$out"
expect_eq "mac_live: warn" warn "$(status mac_live)"
# cross-check with the kernel's own view
expect_contains "ip neigh agrees" "52:54:00:12:99:02" "$(in_ns ip neigh show dev qnmdoc0)"

# ---- exit status ----
in_ns env QNM_DNSMASQ="$T/nodnsmasq" "$QNM" doctor >/dev/null 2>&1
expect_eq "doctor exits 1 when a check fails" 1 "$?"
out=$(in_ns "$QNM" doctor --check tun 2>&1); rc=$?
expect_eq "doctor exits 0 when nothing fails" 0 "$rc"
expect_contains "summary line" "1 ok, 0 skipped, 0 warning(s), 0 failed" "$out"

finish
