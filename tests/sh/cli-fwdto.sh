#!/bin/bash
# cli-fwdto.sh - forwards to a VM's NIC and the NICs' DHCP reservations
# (issue 15.3), config only (no network comes up): a TAP NIC saved on a qnm
# network with DHCP gets a reservation once (ip=), kept in its file; one the
# user gives is checked naming the field; "forward add --net lan --to web/n0"
# saves tcp::8080-web/n0:80; bad targets, a NIC taken off the network, and
# deleting a VM or NIC that forwards target are refused with nothing
# written; renaming the VM renames the targets; the range can run out; a
# NIC moved to another network gets an address there.
. "$QNM_SRCDIR/tests/lib.sh"

snap() { (cd "$XDG_CONFIG_HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
# refused DESC MSG CMD...: exit 1 or 2, MSG in the message, no file changed
refused() {
	local desc=$1 msg=$2 before out rc
	shift 2
	before=$(snap)
	out=$("$QNM" "$@" 2>&1)
	rc=$?
	if [ $rc = 1 ] || [ $rc = 2 ]; then ok "$desc: refused (exit $rc)"; else fail "$desc: exit $rc: $out"; fi
	expect_contains "$desc: says why" "$msg" "$out"
	expect_eq "$desc: nothing written" "$before" "$(snap)"
}
ipof() { sed -n 's/^ip = //p' "$XDG_CONFIG_HOME/qnm/vms/$1.conf"; }

"$QNM" net add lan bridge=qnmbrlan0 address=10.77.0.1/24 mode=nat \
	dhcp-start=10.77.0.100 dhcp-end=10.77.0.102 >/dev/null || fatal "net add lan"
"$QNM" net add iso bridge=qnmbriso0 address=10.78.0.1/24 mode=isolated >/dev/null ||
	fatal "net add iso"
"$QNM" new web >/dev/null || fatal "new web"
"$QNM" nic add web backend=tap network=lan >/dev/null || fatal "web n0"
"$QNM" nic add web backend=user >/dev/null || fatal "web n1"
"$QNM" nic add web backend=tap network=iso >/dev/null || fatal "web n2"
"$QNM" new db >/dev/null && "$QNM" nic add db backend=tap network=lan >/dev/null || fatal "db"
expect_eq "web/n0 reserved the range's first address" 10.77.0.100 "$(ipof web)"
expect_eq "db/n0 the next one" 10.77.0.101 "$(ipof db)"
expect_eq "no reservation without a DHCP range (web/n2 on iso)" 0 \
	"$(grep -c '^ip = 10.78' "$XDG_CONFIG_HOME/qnm/vms/web.conf")"

# reservations the user gives: checked at once, naming the field
refused "another NIC's address" "nic[n0].ip: 10.77.0.100 is already reserved for NIC web/n0" \
	nic set db n0 ip=10.77.0.100
refused "the bridge's address" "nic[n0].ip: 10.77.0.1 is the bridge's own address" \
	nic set db n0 ip=10.77.0.1
refused "outside the network" "nic[n0].ip: 10.99.0.5 is not a guest address of network lan" \
	nic set db n0 ip=10.99.0.5
refused "the broadcast address" "is not a guest address" nic set db n0 ip=10.77.0.255
refused "not an address" "nic[n0].ip: '10.77.0' is not an IPv4 address" nic set db n0 ip=10.77.0
check "an address outside the range but in the subnet is taken" \
	"$QNM" nic set db n0 ip=10.77.0.50
expect_eq "saved" 10.77.0.50 "$(ipof db)"

# forwards to a NIC
out=$("$QNM" forward add --net lan --to web/n0 tcp::8080-:80 2>&1)
expect_eq "forward --to web/n0 ($out)" 0 $?
expect_contains "says the address it goes to" "reserved address 10.77.0.100" "$out"
expect_contains "the file names the target" "forward = tcp::8080-web/n0:80" \
	"$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf")"
expect_contains "list: target and address" "web/n0 (10.77.0.100):80" "$("$QNM" forward list)"
expect_contains "list --json: target" '"target":"web/n0"' "$("$QNM" forward list --json | tr -d ' \n')"
check "the same in the file's syntax" "$QNM" forward add --net lan tcp::8081-db/n0:81
refused "unknown VM" "to: nope/n0 names no VM" forward add --net lan --to nope/n0 tcp::9000-:80
refused "unknown NIC" "to: VM 'web' has no NIC 'n9'" forward add --net lan --to web/n9 tcp::9000-:80
refused "a user NIC" "to: NIC web/n1 is not a TAP NIC on network lan" \
	forward add --net lan --to web/n1 tcp::9000-:80
refused "a NIC on another network" "to: NIC web/n2 is not a TAP NIC on network lan (it is on network iso)" \
	forward add --net lan --to web/n2 tcp::9000-:80
refused "no reservation (no DHCP range)" "to: NIC web/n2 has no reserved address on network iso" \
	forward add --net iso --to web/n2 tcp::9000-:80
refused "not VM/NIC" "to: 'web' must be VM/NIC" forward add --net lan --to web tcp::9000-:80
refused "an address and --to" "with --to give the guest side as :PORT" \
	forward add --net lan --to web/n0 tcp::9000-10.77.0.9:80
refused "--to without --net" "--to goes with add --net" forward add --vm web --to web/n0 tcp::9000-:80
refused "a hostfwd to a NIC" "is for network forwards" nic set web n1 hostfwd=tcp::9001-db/n0:80

# what the forwards hold on to
refused "delete the VM" "VM web is the target of forward tcp::8080-web/n0:80 of network lan" del web
refused "delete the NIC" "NIC web/n0 is the target of forward tcp::8080-web/n0:80 of network lan" \
	nic del web n0
refused "NIC off the network" "targets web/n0, which is not a TAP NIC on network lan" \
	nic set web n0 network=iso ip=
refused "NIC to another backend" "targets web/n0, which is not a TAP NIC on network lan" \
	nic set web n0 backend=user
check "another NIC of the VM may go" "$QNM" nic del web n2

# rename: the targets follow
check "rename web to www" "$QNM" set web name=www
expect_contains "the forward follows the rename" "forward = tcp::8080-www/n0:80" \
	"$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf")"
expect_contains "the other forward is untouched" "forward = tcp::8081-db/n0:81" \
	"$(cat "$XDG_CONFIG_HOME/qnm/networks/lan.conf")"
expect_eq "the reservation stays" 10.77.0.100 "$(ipof www)"
expect_contains "list after the rename" "www/n0 (10.77.0.100):80" "$("$QNM" forward list)"

# a new NIC takes the next free address; then the range is full
check "a NIC of a new VM" sh -c '"$QNM" new app >/dev/null && "$QNM" nic add app backend=tap network=lan'
expect_eq "its own address" 10.77.0.101 "$(ipof app)"
check "a second NIC takes the last address" "$QNM" nic add app backend=tap network=lan
# a full range: the rest of the subnet (dnsmasq serves a reservation outside its range)
check "a NIC after the range is full" "$QNM" nic add db backend=tap network=lan
expect_eq "it is reserved outside the range, in the subnet" "10.77.0.50 10.77.0.2" \
	"$(ipof db | tr '\n' ' ' | sed 's/ $//')"
check "that NIC goes again" "$QNM" nic del db n1
# a full subnet: refused, naming the network
"$QNM" net add tiny bridge=qnmbrtiny0 address=10.90.0.1/30 mode=isolated \
	dhcp-start=10.90.0.2 dhcp-end=10.90.0.2 >/dev/null || fatal "net add tiny"
check "the one guest address of a /30" "$QNM" nic add db backend=tap network=tiny
refused "the subnet is full" "no free address left on network tiny (10.90.0.1/30)" \
	nic add db backend=tap network=tiny
check "that NIC goes again" "$QNM" nic del db n1
# a NIC moved to another network gets an address there (the old one does not fit)
"$QNM" net add lab bridge=qnmbrlab0 address=10.80.0.1/24 mode=isolated \
	dhcp-start=10.80.0.10 dhcp-end=10.80.0.20 >/dev/null || fatal "net add lab"
check "app/n1 moves to lab" "$QNM" nic set app n1 network=lab
expect_eq "it has lab's first address" "10.77.0.101 10.80.0.10" "$(ipof app | tr '\n' ' ' | sed 's/ $//')"
refused "an address given with the move is checked" "is not a guest address of network lan" \
	nic set app n1 network=lan ip=10.80.0.11
check "remove the forward" "$QNM" forward del --net lan tcp::8080
check "then the VM can go" "$QNM" del www
finish
