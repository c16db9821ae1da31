#!/bin/bash
# bad-input.sh - a table of bad command lines for every CLI command: each
# gives its exact error and exit status (2 usage, 1 refused), and nothing is
# written (checksums of the config dir before/after) or applied (no VM
# runtime dir, no table inet qnm, no link but lo in the test's namespace).
# Runs every command inside a network namespace the test creates.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd nft nftables
new_netns bad >/dev/null
NS=qnmtest-bad-$$

"$QNM" new web memory=256 >/dev/null || fatal "new"
"$QNM" nic add web model=e1000 backend=user hostfwd=tcp:127.0.0.1:2222-:22 >/dev/null || fatal "nic add"
"$QNM" nic add web model=e1000 backend=tap ifname=qnmt0 create=no >/dev/null || fatal "nic add tap"
"$QNM" net add lan bridge=qnmbr0 address=10.77.0.1/24 mode=nat forward=tcp::8080-10.77.0.5:80 \
	>/dev/null || fatal "net add"

confsum() {
	(cd "$XDG_CONFIG_HOME" && find . -printf '%p %m %s\n' | sort && find . -type f -print0 |
		sort -z | xargs -0 sha256sum)
}
applied() {
	ip -n "$NS" -br link | awk '{print $1}' | grep -vx lo
	ip netns exec "$NS" nft list tables 2>&1 | grep -w qnm
	ls -A "$XDG_RUNTIME_DIR/qnm" 2>/dev/null | grep -v -e '^owned' -e '^models'
}
before=$(confsum)
[ -z "$(applied)" ] || fatal "namespace not clean before the table: $(applied)"

# EXIT | ERROR SUBSTRING | ARGUMENTS (shell words)
N=0
while IFS='|' read -r want msg args; do
	want=$(echo "$want" | tr -d ' ')
	[ -z "$want" ] || [ "${want:0:1}" = "#" ] && continue
	msg=$(echo "$msg" | sed 's/^ *//; s/ *$//')
	eval "set -- $args"
	N=$((N + 1))
	echo "$1" >>"$T/commands-covered"
	err=$(ip netns exec "$NS" timeout 20 "$QNM" "$@" 2>&1 >/dev/null)
	rc=$?
	desc="qnm$args"
	if [ "$rc" != "$want" ]; then
		fail "$desc: exit $rc, expected $want"
		echo "  stderr: $err"
	elif [[ "$err" != *"$msg"* ]]; then
		fail "$desc: error message"
		printf '  expected: %s\n  actual:   %s\n' "$msg" "$err"
	else
		ok "$desc -> $rc"
	fi
	after=$(confsum)
	[ "$after" = "$before" ] || { fail "$desc: config dir changed"; diff <(echo "$before") <(echo "$after") | head; before=$after; }
	[ ! -e "$T/s.sock" ] && [ ! -e "$T/s.ctl" ] || fail "$desc: a socket was created"
	a=$(applied)
	[ -z "$a" ] || fail "$desc: something was applied: $a"
done <<'TABLE'
2 | qnm: autostart: unexpected argument 'extra'        | autostart extra
2 | qnm: autostart: unknown option '--bogus'           | autostart --bogus
2 | qnm: autostart: --timeout must be a number of seconds, 1 to 3600 | autostart --timeout 0
2 | qnm: capture: give the VM's name                   | capture
2 | qnm: capture: give VM, NIC and FILE.pcap           | capture web n0
2 | qnm: capture: unknown option '--bogus'             | capture web n0 $T/x.pcap --bogus
2 | qnm: capture: --seconds needs a value              | capture web n0 $T/x.pcap --seconds
2 | qnm: capture: --seconds must be a number of seconds, 1 to 86400 | capture web n0 $T/x.pcap --seconds 0
2 | qnm: capture: --maxlen must be a number of bytes, 64 to 65536 | capture web n0 $T/x.pcap --maxlen 10
2 | qnm: capture: --list and --stop take only the VM's name | capture web n0 --list
2 | qnm: capture: give --list or --stop, not both      | capture web --list --stop x
1 | qnm: capture: no VM named 'nosuch'                 | capture nosuch n0 $T/x.pcap
1 | qnm: capture: VM 'web' has no NIC 'n9'             | capture web n9 $T/x.pcap
1 | qnm: capture: web is not running                   | capture web n0 $T/x.pcap
1 | is a directory                                     | capture web n0 $T
1 | file: directory /nonexistent does not exist        | capture web n0 /nonexistent/x.pcap
1 | 'a/b' is not a capture id                          | capture web --stop a/b
1 | web has no capture 'x' (and is not running)        | capture web --stop x
2 | qnm: shutdown-all: unexpected argument 'x'         | shutdown-all x
2 | qnm: shutdown-all: --timeout needs a value         | shutdown-all --timeout
2 | qnm: shutdown-all: --timeout must be a number of seconds, 1 to 3600 | shutdown-all --timeout 99999
2 | qnm: check: unexpected argument                    | check extra
2 | qnm: check: unexpected argument                    | check --bogus
2 | qnm: cmdline: give one VM name                     | cmdline
2 | qnm: cmdline: give one VM name                     | cmdline web extra
2 | qnm: cmdline: unknown option                       | cmdline web --bogus
1 | qnm: cmdline: no VM named 'nosuch'                 | cmdline nosuch
2 | qnm: conns: give the VM's name                     | conns
2 | qnm: conns: unknown option '--bogus'               | conns web --bogus
2 | qnm: conns: too many arguments                     | conns web extra
2 | qnm: conns: --nic needs a value                    | conns web --nic
1 | qnm: conns: no VM named 'nosuch'                   | conns nosuch
1 | qnm: conns: VM 'web' has no NIC 'n9'               | conns web --nic n9
1 | qnm: conns: nic[n1] is a tap NIC                   | conns web --nic n1
1 | qnm: conns: web is not running                     | conns web
2 | qnm: console: give one VM name                     | console
2 | qnm: console: --lines must be 1 to 100000          | console web --lines x
2 | qnm: console: --lines must be 1 to 100000          | console web --lines -3
1 | qnm: console: 'nosuch' is not running              | console nosuch
2 | qnm: del: give one VM name                         | del
2 | qnm: del: give one VM name                         | del web extra
1 | qnm: del: no VM named 'nosuch'                     | del nosuch
2 | qnm: demo: unknown option '--bogus'                | demo --bogus
2 | qnm: demo: --dir needs a value                     | demo --dir
2 | qnm: demo: too many arguments                      | demo extra
2 | qnm: forward: give a subcommand: list, add or del  | forward
2 | qnm: forward: the subcommand must be list, add or del | forward frob
2 | qnm: forward: give exactly one forward             | forward add
2 | qnm: forward: unknown option or missing value      | forward list --bogus
2 | qnm: forward: give either --vm or --net, not both  | forward add --vm web --net lan tcp::8081-10.77.0.3:80
2 | host port '99999' must be a number from 1 to 65535 | forward add --vm web tcp:127.0.0.1:99999-:22
2 | protocol 'sctp' must be tcp or udp                 | forward add --vm web sctp::80-:80
2 | guest address '10.77.0.300' is not an IPv4 address | forward add --net lan tcp::8081-10.77.0.300:80
1 | nic[n0].hostfwd: host port tcp/2222 is forwarded twice | forward add --vm web tcp:127.0.0.1:2222-:22
1 | needs the guest's IPv4 address                     | forward add --net lan tcp::8081-:80
1 | qnm: forward: no VM named 'nosuch'                 | forward add --vm nosuch tcp::80-:80
1 | qnm: forward: no network named 'nosuch'            | forward add --net nosuch tcp::80-10.0.0.1:80
1 | no forward has host side tcp :5555                 | forward del tcp::5555
2 | qnm: host: give a subcommand                      | host
2 | qnm: host: unknown subcommand 'frob'               | host frob
2 | qnm: host add: give a NAME and a destination       | host add x
1 | qnm: host add: host name 'x y' must be 1-32        | host add 'x y' h
1 | destination '-oX=y': the host must be a name       | host add x -- -oX=y
1 | destination 'h:0': the port must be 1 to 65535     | host add x h:0
1 | qnm: host add: --qnm must be a command or path     | host add x h --qnm 'q;id'
2 | qnm: host del: give one host name                  | host del
1 | qnm: host del: no host named 'nosuch'              | host del nosuch
2 | qnm: host list: unexpected argument 'extra'        | host list extra
2 | qnm: -H: give a host and a command                 | -H
1 | qnm: -H nosuch: no host named 'nosuch'             | -H nosuch list
2 | qnm: link: give VM, NIC and up or down             | link
2 | qnm: link: give VM, NIC and up or down             | link web n0
2 | qnm: link: the state must be 'up' or 'down'        | link web n0 sideways
1 | qnm: link: nosuch is not running                   | link nosuch n0 up
1 | qnm: link: VM 'web' has no NIC 'n9'                | link web n9 up
2 | qnm: links: unexpected argument                    | links extra
2 | qnm: links: unexpected argument                    | links --bogus
2 | qnm: list: unexpected argument                     | list extra
2 | qnm: list: unexpected argument                     | list --bogus
2 | qnm: models: unexpected argument '--bogus'         | models --bogus
2 | qnm: doctor: unknown option or missing value       | doctor --bogus
2 | qnm: doctor: unexpected argument                   | doctor extra
2 | no check named 'nosuch'; the checks are            | doctor --check nosuch
2 | qnm: ports: unknown option                         | ports --bogus
2 | qnm: ports: unexpected argument                    | ports x
2 | qnm: serve: give --stdio                           | serve
2 | qnm: serve: unknown option '--bogus'               | serve --bogus
2 | qnm: serve: unexpected argument 'x'                | serve --stdio x
2 | qnm: stats: unknown option '--bogus'               | stats --bogus
2 | --count 0: not a whole number >= 1                 | stats --count 0
2 | --interval abc: not a number of seconds            | stats --interval abc
1 | no interface or VM named 'nosuchif'                | stats nosuchif
2 | qnm: models: unexpected argument '--arch'          | models --arch
2 | 'x/y' is not a QEMU target name                    | models --arch x/y
2 | qnm: net: give a subcommand                        | net
2 | qnm: net: unknown subcommand 'frob'                | net frob
2 | qnm: net up: wrong number of arguments             | net up
2 | qnm: net up: unknown option '--bogus'              | net up lan --bogus
2 | qnm: net down: wrong number of arguments           | net down
1 | qnm: net: no network named 'nosuch'                | net up nosuch
1 | qnm: net: no network named 'nosuch'                | net set nosuch mode=nat
1 | qnm: net: no network named 'nosuch'                | net del nosuch
1 | name: a network named 'lan' already exists         | net add lan bridge=qnmbr1 address=10.78.0.1/24
1 | name: 'bad name' must be 1-32 letters              | net add 'bad name' bridge=qnmbr1
1 | bridge: networks 'lan' and 'lan2' both use bridge qnmbr0 | net add lan2 bridge=qnmbr0 address=10.78.0.1/24
1 | bridge: 'this-name-is-too-long' is too long (at most 15 characters) | net add lan2 bridge=this-name-is-too-long address=10.78.0.1/24
1 | address: '10.78.0.1/33' must be an IPv4 address with prefix | net add lan2 bridge=qnmbr1 address=10.78.0.1/33
1 | address: '10.78.0.300/24' must be an IPv4 address with prefix | net add lan2 bridge=qnmbr1 address=10.78.0.300/24
1 | mode: 'sideways' must be one of: nat, bridged, isolated | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 mode=sideways
1 | dhcp-end: 10.78.0.50 comes before dhcp-start 10.78.0.60 | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 dhcp-start=10.78.0.60 dhcp-end=10.78.0.50
1 | dhcp-start: 10.79.0.60 is outside the network 10.78.0.1/24 | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 dhcp-start=10.79.0.60 dhcp-end=10.79.0.70
1 | forward: host port tcp/8081 is forwarded twice | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 forward+=tcp::8081-10.78.0.5:80 forward+=tcp::8081-10.78.0.6:80
1 | host port tcp/8080 is forwarded by both network 'lan' and network 'lan2' | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 forward=tcp::8080-10.78.0.5:80
1 | colour: unknown key (known: bridge, address | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 colour=blue
1 | uplink: 'bad/if' is not a valid interface name | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 mode=nat uplink=bad/if
1 | bridge: 'up0,gv1' is not a valid interface name (1-15 letters, digits | net add lan2 bridge=up0,gv1 address=10.78.0.1/24 dhcp-start=10.78.0.10 dhcp-end=10.78.0.20
1 | uplink: 'eth*' is not a valid interface name | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 mode=nat uplink='eth*'
1 | dhcp-end: '' is not an IPv4 address | net add lan2 bridge=qnmbr1 address=10.78.0.1/24 dhcp-start=10.78.0.50
1 | port: a bridged network needs the physical interface to enslave | net set lan mode=bridged
1 | prefix: /31 is out of range (1 to 30) | net set lan address=10.77.0.1/31
1 | forward: host port tcp/8080 is forwarded twice | net set lan forward+=tcp::8080-10.77.0.6:80
2 | qnm: new: give the new VM's name                   | new
1 | qnm: new: name: a VM named 'web' already exists    | new web
1 | name: 'a b' must be 1-32 letters, digits           | new 'a b'
1 | memory: 'abc' must be a whole number from 16 to 4194304 | new vm2 memory=abc
1 | memory: '0' must be a whole number from 16 to 4194304 | new vm2 memory=0
1 | cpus: '-1' must be a whole number from 1 to 1024   | new vm2 cpus=-1
1 | accel: 'warp' must be one of: auto, kvm, tcg       | new vm2 accel=warp
1 | boot: 'floppy' must be one of: none, disk, cdrom, kernel | new vm2 boot=floppy
1 | colour: unknown key (known: arch, memory           | new vm2 colour=blue
1 | 'memory' must be KEY=VALUE                         | new vm2 memory
1 | '--bogus' must be KEY=VALUE                        | new vm2 --bogus
2 | qnm: nic: give a subcommand and a VM               | nic
2 | qnm: nic: subcommand must be list, add, set or del | nic frob web
1 | qnm: nic: no VM named 'nosuch'                     | nic list nosuch
1 | qnm: nic: VM 'web' has no NIC 'n9'                 | nic set web n9 link=down
1 | qnm: nic: VM 'web' has no NIC 'n9'                 | nic del web n9
1 | mac: 'zz:zz:zz:zz:zz:zz' is not a MAC address      | nic add web model=e1000 backend=user mac=zz:zz:zz:zz:zz:zz
1 | mac: '01:00:00:00:00:01' is a multicast MAC        | nic add web model=e1000 backend=user mac=01:00:00:00:00:01
1 | nic[n1].mac: the all-zero MAC cannot be used | nic set web n1 mac=00:00:00:00:00:00
1 | mac: '52:54:00:12:34:5' is not a MAC address | nic add web model=e1000 backend=user mac=52:54:00:12:34:5
1 | backend: 'warp' must be one of: user, slirp, tap, bridge, passt, private | nic add web model=e1000 backend=warp
1 | host port tcp/2222 is forwarded by both VM 'web' NIC 'n0' and VM 'web' NIC 'n2' | nic add web model=e1000 backend=user hostfwd=tcp:127.0.0.1:2222-:22
1 | hostfwd: host port '70000' must be a number from 1 to 65535 | nic add web model=e1000 backend=user hostfwd=tcp::70000-:22
1 | net: '10.0.2.0/40' must be an IPv4 network like 10.0.2.0/24 | nic add web model=e1000 backend=user net=10.0.2.0/40
1 | dhcpstart: 10.0.3.15 is outside the guest network 10.0.2.0/24 | nic add web model=e1000 backend=user net=10.0.2.0/24 dhcpstart=10.0.3.15
1 | dns: '10.0.2' is not an IPv4 address | nic add web model=e1000 backend=user dns=10.0.2
1 | ifname: 'this-name-is-way-too-long' is too long (at most 15 characters) | nic add web model=e1000 backend=tap ifname=this-name-is-way-too-long
1 | ifname: 'bad/name' is not a valid interface name | nic add web model=e1000 backend=tap ifname=bad/name
1 | ifname: 'tap0,vhost=on' is not a valid interface name | nic add web model=e1000 backend=tap ifname=tap0,vhost=on
1 | model: device model 'bad model!' may only hold letters | nic add web model='bad model!' backend=user
1 | link: 'sideways' must be up or down                | nic add web model=e1000 backend=user link=sideways
1 | restrict: 'maybe' must be yes or no                | nic add web model=e1000 backend=user restrict=maybe
1 | network: VM 'web' uses network 'nosuch', which does not exist | nic add web model=e1000 backend=tap network=nosuch
1 | nic[n2].frob: unknown key | nic add web model=e1000 backend=user frob=1
1 | nic[n2].segment: a private NIC needs the name of its segment (segment=NAME | nic add web model=e1000 backend=private
1 | nic[n2].segment: '../lab' is not a valid segment name (1-32 of | nic add web model=e1000 backend=private segment=../lab
1 | nic[n2].segment: 'a,b' is not a valid segment name | nic add web model=e1000 backend=private segment=a,b
1 | nic[n2].segment: 'abcdefghijabcdefghijabcdefghijabc' is too long (at most 32 characters) | nic add web model=e1000 backend=private segment=abcdefghijabcdefghijabcdefghijabc
1 | nic[n2].hostfwd: does not apply to this NIC's backend | nic add web model=e1000 backend=private segment=lab hostfwd=tcp::2222-:22
1 | nic[n2].segment: does not apply to this NIC's backend | nic add web model=e1000 backend=user segment=lab
1 | nic[n0].segment: a private NIC needs the name of its segment | nic set web n0 backend=private
2 | qnm: set: give a VM name and at least one KEY=VALUE | set
2 | qnm: set: give a VM name and at least one KEY=VALUE | set web
1 | qnm: set: no VM named 'nosuch'                     | set nosuch memory=1
1 | memory: 'lots' must be a whole number              | set web memory=lots
1 | name: '' must be 1-32 letters                      | set web name=
1 | name: 'x y' must be 1-32 letters                   | set web name='x y'
1 | cpus: '0' must be a whole number from 1 to 1024    | set web cpus=0
1 | frob: unknown key                                  | set web frob=1
1 | accel: 'warp' must be one of: auto, kvm, tcg       | set web accel=warp
1 | cpus: '0' must be a whole number from 1 to 1024 | set web memory=512 cpus=0
2 | qnm: show: give one VM name                        | show
2 | qnm: show: give one VM name                        | show web extra
1 | qnm: show: no VM named 'nosuch'                    | show nosuch
2 | qnm: slirp-helper: --socket and --control are required | slirp-helper
2 | qnm: slirp-helper: unknown or incomplete option '--socket' | slirp-helper --socket
2 | qnm: slirp-helper: unknown or incomplete option '--bogus' | slirp-helper --bogus
2 | nic[n0].net: '10.0.2.0/99' must be an IPv4 network | slirp-helper --socket $T/s.sock --control $T/s.ctl --net 10.0.2.0/99
2 | --ipv6: 'maybe' must be on or off                  | slirp-helper --socket $T/s.sock --control $T/s.ctl --ipv6 maybe
2 | nic[n0].hostfwd: host port tcp/7000 is forwarded twice | slirp-helper --socket $T/s.sock --control $T/s.ctl --hostfwd tcp::7000-:22 --hostfwd tcp::7000-:23
2 | qnm: slirp-helper: ctl needs a control socket and a request | slirp-helper ctl
2 | qnm: start: give one VM name                       | start
2 | qnm: start: --timeout must be a number of seconds, 1 to 3600 | start web --timeout x
2 | qnm: start: unknown option '--bogus'               | start web --bogus
1 | qnm: start: no VM named 'nosuch'                   | start nosuch
1 | nic[n1].ifname: TAP 'qnmt0' does not exist | start web
2 | qnm: status: not a VM name                         | status 'a b'
2 | qnm: status: unknown option '--bogus'              | status --bogus
2 | qnm: status: too many arguments                    | status web extra
2 | qnm: stop: give one VM name                        | stop
2 | qnm: stop: --timeout must be a number of seconds, 1 to 3600 | stop web --timeout -1
2 | qnm: stop: unknown option '--bogus'                | stop web --bogus
1 | qnm: stop: nosuch is not running                   | stop nosuch
TABLE
echo "$N bad command lines"
for c in $("$QNM" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
	n=$(grep -cx -- "$c" "$T/commands-covered")
	check "qnm $c: $n bad inputs (at least 2)" test "$n" -ge 2
done
finish
