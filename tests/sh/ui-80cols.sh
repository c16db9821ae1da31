#!/bin/bash
# ui-80cols: issue 15.6 - at 80x24 the key facts are whole: the Forwards
# screen's GUEST column keeps its port (192.168.100.153:443), its owners
# are short (db/n0, net lan) and the selected forward is spelled out in
# full under the list; the Ports screen's HOST PORT and TO keep address and
# port (tcp 127.0.0.1:15432, lan 192.168.100.153:443); a longer value is
# cut with a '~' mark, never silently; Doctor says which of its checks are
# shown (N-M of 19) and marks cut titles and findings (a status message cut
# with "(more: 6)" is read by ui-themes.sh). Also at 132x43 (nothing cut
# there). No root: nothing is brought up.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web >/dev/null || fatal "new web"
"$QNM" nic add web model=e1000 backend=user hostfwd=udp:0.0.0.0:5353-:53 >/dev/null 2>&1 ||
	fatal "nic add web"
"$QNM" new db >/dev/null || fatal "new db"
"$QNM" nic add db model=virtio-net-pci backend=slirp hostfwd=tcp:127.0.0.1:15432-:5432 \
	>/dev/null || fatal "nic add db"
"$QNM" net add lan mode=isolated bridge=qnmbr-lan address=192.168.100.1/24 >/dev/null ||
	fatal "net add"
"$QNM" forward add --net lan tcp:127.0.0.1:8443-192.168.100.153:443 >/dev/null ||
	fatal "forward add"
# a network whose name is longer than the OWNER column
"$QNM" net add a-network-with-a-long-name mode=isolated bridge=qnmbr-long \
	address=192.168.101.1/24 >/dev/null || fatal "net add long"
"$QNM" forward add --net a-network-with-a-long-name tcp:127.0.0.1:8444-192.168.101.254:65535 \
	>/dev/null || fatal "forward add long"

# every line of the screen at most COLS wide (nothing wraps or spills)
fits() {
	ui_screen | python3 -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > int(sys.argv[1]) for l in sys.stdin))' "$1"
}

for size in 80x24 132x43; do
	cols=${size%x*} rows=${size#*x}
	tmux -S "$UI_SOCK" kill-server 2>/dev/null
	ui_start -x "$cols" -y "$rows"
	ui_wait "NICS (model/backend)" 5 >/dev/null || fatal "UI did not start at $size"

	ui_keys 3
	ui_wait "GUEST" 5 >/dev/null || fail "$size: no Forwards screen"
	ui_expect_words "$size: Forwards: a DNAT target whole, port included" \
		"net lan DNAT tcp 127.0.0.1:8443 192.168.100.153:443"
	ui_expect_words "$size: Forwards: hostfwd owner as VM/NIC" "db/n0 hostfwd tcp 127.0.0.1:15432 (guest):5432"
	ui_expect_words "$size: Forwards: the longest target whole" "192.168.101.254:65535"
	if [ "$cols" = 80 ]; then
		# the owner gets the room HOST (as wide as its longest) leaves
		ui_expect "$size: Forwards: a cut owner is marked" "net a-network-with-a-long~"
	else
		ui_expect "$size: Forwards: the owner whole when it fits" "net a-network-with-a-long-name"
	fi
	ui_keys Down Down
	ui_expect_words "$size: Forwards: the selected one spelled out under the list" \
		"network a-network-with-a-long-name: tcp:127.0.0.1:8444-192.168.101.254:65535"
	check "$size: Forwards: nothing wider than the terminal" fits "$cols"

	ui_keys 8
	ui_wait "HELD BY" 5 >/dev/null || fail "$size: no Ports screen"
	ui_expect_words "$size: Ports: host address and port whole" "tcp 127.0.0.1:15432 this host"
	ui_expect_words "$size: Ports: target address and port whole" "lan 192.168.100.153:443"
	check "$size: Ports: nothing wider than the terminal" fits "$cols"

	ui_keys 7
	ui_wait "ok," 15 >/dev/null || fail "$size: Doctor did not finish"
	if [ "$cols" = 80 ]; then
		n=$("$QNM" doctor --json | jq '.checks | length')
		ui_wait " of $n " 5 >/dev/null && ok "$size: Doctor says which of its $n checks show" ||
			fail "$size: Doctor has no scroll mark"
		ui_expect "$size: Doctor: a cut title is marked" "QEMU binary with user-mode networki~"
	fi
	check "$size: Doctor: nothing wider than the terminal" fits "$cols"
	ui_quit
done

finish
