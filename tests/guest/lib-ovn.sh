# tests/guest/lib-ovn.sh - an OVN lab for tests of qnm's ovn networks (issue
# 18.2), sourced after lib-guest.sh (whose namespaces hold everything: a
# private /run is mounted here, so "ip netns add" leaves nothing outside):
#   central ns "ovnc": the OVN northbound and southbound ovsdb-servers
#            (tcp 192.168.50.1:6641 and :6642) and ovn-northd, and the
#            underlay: a Linux bridge ul0 192.168.50.1/24
#   host ns "ovnH" (H = a, b, c): its own ovsdb-server and ovs-vswitchd with
#            the userspace datapath (datapath_type=netdev), br-int, br-phy
#            carrying the underlay veth and the tunnel address
#            192.168.50.1N (N = 1 for a, 2 for b, 3 for c), ovn-controller
#            (chassis H, Geneve), and its own qnm config and runtime dirs
# Every daemon has a pidfile under $T/ovn/NS; teardown kills by pidfile, then
# whatever is left in the namespaces (ip netns pids), then deletes them.
#   ovn_lab_up H...     central, then hosts H... (chassis registered)
#   onc CMD...          CMD in the central namespace with its OVN dirs
#   onh H CMD...        CMD in host H's namespace with its OVS/OVN dirs
#   qh H QNM-ARGS...    qnm in host H's namespace with H's own dirs
#   ovn_nb_remote       the northbound remote the hosts reach (tcp:...)
#   ovn_guest H VM SCRIPT NIC-KEY=VALUE...  a TCG guest of the tiny image on host
#                       H running SCRIPT, its virtio TAP NIC with those keys;
#                       stopped at exit
need_cmd ovsdb-server openvswitch-switch
need_cmd ovs-vswitchd openvswitch-switch
need_cmd ovn-northd ovn-central
need_cmd ovn-controller ovn-host
need_cmd ethtool ethtool
need_cmd ip iproute2
[ -r /usr/share/ovn/ovn-nb.ovsschema ] || skip "needs the OVN schemas (Debian package ovn-common)"

mount -t tmpfs -o mode=755 tmpfs /run || fatal "cannot mount a private /run"
mkdir -p /run/netns
OVN_LAB=$T/ovn
declare -A HOST_IP HOST_N
HOST_N[a]=1
HOST_N[b]=2
HOST_N[c]=3
for _h in a b c; do HOST_IP[$_h]=192.168.50.1${HOST_N[$_h]}; done
ovn_nb_remote() { echo tcp:192.168.50.1:6641; }

# ovn_env NS - the environment of the OVS/OVN tools for namespace NS
ovn_env() {
	local d=$OVN_LAB/$1
	echo "OVS_RUNDIR=$d/run OVS_DBDIR=$d/db OVS_LOGDIR=$d/log OVS_SYSCONFDIR=$d/etc" \
		"OVN_RUNDIR=$d/run OVN_DBDIR=$d/db OVN_LOGDIR=$d/log OVN_SYSCONFDIR=$d/etc"
}
# inns NS CMD... - CMD in namespace NS with its OVS/OVN environment
inns() {
	local ns=$1
	shift
	# shellcheck disable=SC2046
	ip netns exec "ovn$ns" env $(ovn_env "$ns") "$@"
}
onc() { inns c "$@"; }
onh() { inns "$@"; }
# qh H QNM-ARGS... - qnm on host H (its namespace, its OVS socket, its own dirs)
qh() {
	local h=$1 d=$OVN_LAB/$1
	shift
	inns "$h" XDG_CONFIG_HOME="$d/config" XDG_RUNTIME_DIR="$d/xdg" XDG_DATA_HOME="$d/data" \
		XDG_CACHE_HOME="$XDG_CACHE_HOME" timeout 60 "$QNMABS" "$@"
}
QNMABS=$(readlink -f "$QNM")

ns_new() {
	local d=$OVN_LAB/$1
	ip netns add "ovn$1" || fatal "ip netns add ovn$1"
	echo "ovn$1" >>"$T/.netns"
	at_exit "ovn_ns_down $1"
	mkdir -p "$d/run" "$d/db" "$d/log" "$d/etc" "$d/config" "$d/xdg" "$d/data"
	chmod 700 "$d/xdg"
	ip -n "ovn$1" link set lo up
}
# ovn_ns_down NS - the daemons by pidfile, then what is left, then the namespace
ovn_ns_down() {
	local p pids
	for p in "$OVN_LAB/$1"/run/*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(ip netns pids "ovn$1" 2>/dev/null)
		[ -z "$pids" ] && break
		sleep 0.2
	done
	pids=$(ip netns pids "ovn$1" 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	ip netns del "ovn$1" 2>/dev/null
}

# ovsdb_start NS DB SCHEMA SOCK [REMOTE] - an ovsdb-server of NS
ovsdb_start() {
	local ns=$1 db=$2 schema=$3 sock=$4 remote=${5:-} d=$OVN_LAB/$1 base
	base=$(basename "$db" .db)
	inns "$ns" ovsdb-tool create "$d/db/$db" "$schema" || fatal "ovsdb-tool create $db in $ns"
	inns "$ns" ovsdb-server "$d/db/$db" --remote="punix:$d/run/$sock" \
		${remote:+--remote="$remote"} --pidfile="$d/run/$base.pid" \
		--unixctl="$d/run/$base.ctl" --detach --no-chdir -vconsole:off \
		--log-file="$d/log/$base.log" || fatal "ovsdb-server $db in $ns"
}

ovn_central_up() {
	local d=$OVN_LAB/c
	ns_new c
	ip -n ovnc link add ul0 type bridge || fatal "underlay bridge"
	ip -n ovnc addr add 192.168.50.1/24 dev ul0
	ip -n ovnc link set ul0 up
	ovsdb_start c ovnnb_db.db /usr/share/ovn/ovn-nb.ovsschema ovnnb_db.sock ptcp:6641:192.168.50.1
	ovsdb_start c ovnsb_db.db /usr/share/ovn/ovn-sb.ovsschema ovnsb_db.sock ptcp:6642:192.168.50.1
	onc ovn-nbctl --db="unix:$d/run/ovnnb_db.sock" init >/dev/null || fatal "ovn-nbctl init"
	onc ovn-sbctl --db="unix:$d/run/ovnsb_db.sock" init >/dev/null || fatal "ovn-sbctl init"
	onc ovn-northd --ovnnb-db="unix:$d/run/ovnnb_db.sock" --ovnsb-db="unix:$d/run/ovnsb_db.sock" \
		--pidfile="$d/run/ovn-northd.pid" --detach --no-chdir -vconsole:off \
		--log-file="$d/log/ovn-northd.log" || fatal "ovn-northd"
}
# nbctl/sbctl ARGS... - the tests' look at the central databases (never the product's way)
nbctl() { onc ovn-nbctl --db="unix:$OVN_LAB/c/run/ovnnb_db.sock" "$@"; }
sbctl() { onc ovn-sbctl --db="unix:$OVN_LAB/c/run/ovnsb_db.sock" "$@"; }
vsctl() {
	local h=$1
	shift
	onh "$h" ovs-vsctl "$@"
}

ovn_host_up() {
	local h=$1 d=$OVN_LAB/$1 ip=${HOST_IP[$1]}
	ns_new "$h"
	# the underlay: a veth from central's ul0 to the host's br-phy
	ip -n ovnc link add "ul-$h" type veth peer name ul netns "ovn$h" || fatal "underlay veth of $h"
	ip -n ovnc link set "ul-$h" master ul0 up
	ip netns exec ovnc ethtool -K "ul-$h" tx off >/dev/null 2>&1
	ip -n "ovn$h" link set ul up
	ovsdb_start "$h" conf.db /usr/share/openvswitch/vswitch.ovsschema db.sock
	vsctl "$h" --no-wait init || fatal "ovs-vsctl init on $h"
	vsctl "$h" --no-wait -- add-br br-int -- set bridge br-int datapath_type=netdev \
		fail-mode=secure other-config:disable-in-band=true \
		-- add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy ul \
		-- set open . external_ids:system-id="$h" \
		external_ids:ovn-remote=tcp:192.168.50.1:6642 external_ids:ovn-encap-type=geneve \
		external_ids:ovn-encap-ip="$ip" external_ids:ovn-bridge-datapath-type=netdev ||
		fatal "bridges of $h"
	onh "$h" ovs-vswitchd --pidfile="$d/run/ovs-vswitchd.pid" --detach --no-chdir \
		-vconsole:off --log-file="$d/log/ovs-vswitchd.log" || fatal "ovs-vswitchd on $h"
	wait_for 10 ip -n "ovn$h" link show br-phy >/dev/null 2>&1 || fatal "br-phy of $h"
	ip -n "ovn$h" addr add "$ip/24" dev br-phy
	ip -n "ovn$h" link set br-phy up
	ip -n "ovn$h" link set br-int up 2>/dev/null
	ip netns exec "ovn$h" ethtool -K br-phy tx off >/dev/null 2>&1
	onh "$h" ovn-controller "unix:$d/run/db.sock" --pidfile="$d/run/ovn-controller.pid" \
		--detach --no-chdir -vconsole:off --log-file="$d/log/ovn-controller.log" ||
		fatal "ovn-controller on $h"
}
chassis_up() { sbctl --bare --columns=name find chassis name="$1" | grep -q .; }

# host $1's OVS knows the underlay MAC of $2 (IP), for its Geneve tunnels
neigh_known() { onh "$1" ovs-appctl tnl/neigh/show | grep -qF "$2 "; }

# ovn_underlay_neigh H... - every host's OVS knows every other's underlay MAC.
# The userspace datapath pushes a Geneve header only with the peer's MAC in
# its tunnel neighbour cache, which it fills by snooping ARP on br-phy. Seen
# here: after a pinged b, a's OVS knew b but b's did not know a (b's kernel
# had learnt a from the request, so it never asked), and in some runs under
# load b's replies to a's guest never left b (a's tunnel rx_bytes stayed 0,
# "ga pings gb" failed). Each host asks every other itself (its kernel's
# entry flushed first), and the lab waits until each OVS knows each peer.
ovn_underlay_neigh() {
	local h p
	for h in "$@"; do
		for p in "$@"; do
			[ "$h" = "$p" ] && continue
			ip -n "ovn$h" neigh flush dev br-phy 2>/dev/null
			ip netns exec "ovn$h" "$BB" ping -c1 -W2 "${HOST_IP[$p]}" >/dev/null 2>&1
			wait_for 10 neigh_known "$h" "${HOST_IP[$p]}" ||
				fatal "OVS on $h did not learn $p's underlay MAC: $(onh "$h" ovs-appctl tnl/neigh/show)"
		done
	done
}

# ovn_lab_up H... - the central namespace, then hosts H..., each chassis
# registered and each host's tunnels able to reach every other
ovn_lab_up() {
	local h
	ovn_central_up
	for h in "$@"; do ovn_host_up "$h"; done
	for h in "$@"; do
		wait_for 20 chassis_up "$h" || fatal "chassis $h did not register: $(tail -5 "$OVN_LAB/$h/log/ovn-controller.log")"
	done
	ovn_underlay_neigh "$@"
}

# ovn_diag H PORT - what OVN made of host H's port PORT, for a failed check:
# the port's binding, the host's OpenFlow flow count, the end of its
# ovn-controller log and of the guest's serial console
ovn_diag() {
	local h=$1 port=$2
	echo "  -- diag of $port on host $h"
	sbctl --columns=logical_port,chassis,up find port_binding logical_port="$port" | sed 's/^/  sb: /'
	nbctl lsp-get-addresses "$port" | sed 's/^/  nb addresses: /'
	nbctl lsp-get-dhcpv4-options "$port" | sed 's/^/  nb dhcpv4: /'
	echo "  br-int flows on $h: $(onh "$h" ovs-ofctl dump-flows br-int 2>/dev/null | grep -c .)"
	vsctl "$h" --bare --columns=name,ofport,external_ids find interface external_ids:qnm-owned=yes |
		sed 's/^/  ovs: /'
	vsctl "$h" --bare --columns=statistics,link_state find interface external_ids:qnm-owned=yes |
		sed 's/^/  ovs stats: /'
	ip -n "ovn$h" -s link show | grep -A5 ": qt-" | sed 's/^/  kernel: /'
	onh "$h" ovs-appctl dpctl/dump-flows 2>&1 | sed 's/^/  dp flow: /'
	onh "$h" ovs-ofctl dump-flows br-int table=0 2>&1 | sed 's/^/  table 0: /'
	tail -n 15 "$OVN_LAB/$h/log/ovn-controller.log" | sed 's/^/  ovn-controller: /'
	tail -n 25 "$OVN_LAB/$h/log/ovs-vswitchd.log" | sed 's/^/  ovs-vswitchd: /'
	[ -f "$OVN_LAB/$h/linkmon.log" ] && grep -A1 "qt-" "$OVN_LAB/$h/linkmon.log" | sed 's/^/  link event: /'
}

# The guest's DHCP, as a line of its script: qnm_dhcp gives up after 5
# discovers 1 s apart; retried up to 8 times, as a real client keeps trying.
# (A start waits until ovn-controller has bound the port. A guest that got
# no lease in CI had its TAP set down by ovs-vswitchd: backend-ovn.c says
# how, and ovn_diag shows the TAP's flags and its link events.)
# shellcheck disable=SC2016 # expanded in the guest
OVN_DHCP='n=0; until qnm_dhcp eth0; do n=$((n + 1)); [ $n -ge 8 ] && break; done'

# ovn_guest H VM SCRIPT NIC-KEY=VALUE... - see the head
ovn_guest() {
	local h=$1 vm=$2 script=$3
	shift 3
	[ -n "${G_KERNEL:-}" ] || guest_image
	qh "$h" new "$vm" memory=256 accel=tcg boot=kernel kernel="$G_KERNEL" initrd="$G_INITRD" \
		append="$G_APPEND" extra+=-no-reboot extra+=-fw_cfg \
		extra+="name=opt/qnm/script,file=$script" >/dev/null || fatal "new $vm on $h"
	qh "$h" nic add "$vm" model=virtio-net-pci backend=tap create=yes "$@" >/dev/null ||
		fatal "nic add $vm on $h"
	at_exit "qh $h stop $vm --force >/dev/null 2>&1"
}
