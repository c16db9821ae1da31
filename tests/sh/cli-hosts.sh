#!/bin/bash
# cli-hosts.sh - other hosts without ssh (issue 18.1): the registry (qnm host
# add/list/del: checks, the file), "qnm serve --stdio" spoken to directly (the
# handshake, replies, the engine's errors), and the client with a stand-in
# "ssh" in PATH that runs the remote command here: the ssh argv qnm builds,
# qnm -H's exit status and output, the version check, a host that never
# answers reported within the deadline.
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd jq

# ---- the registry ----
check "host add a" "$QNM" host add a root@h1.example:2222
check "host add b (IPv6 in brackets)" "$QNM" host add b "[fe80::1]:22"
out=$("$QNM" host add a other 2>&1)
expect_contains "a second host a is refused" "a host named 'a' exists" "$out"
for bad in "-oProxyCommand=x" "u@-x" "h:0" "h:70000" "a b" "h;id" "@h" "[::1"; do
	out=$("$QNM" host add bad -- "$bad" 2>&1)
	expect_contains "destination '$bad' is refused" "destination" "$out"
done
out=$("$QNM" host add bad h --qnm 'qnm;rm' 2>&1)
expect_contains "a qnm command with shell characters is refused" "--qnm must be" "$out"
out=$("$QNM" host add 'b/x' h 2>&1)
expect_contains "a bad host name is refused" "host name 'b/x'" "$out"
out=$("$QNM" host list --json | jq -r '.[] | .name + "=" + .destination' | tr '\n' ' ')
expect_eq "host list --json" "a=root@h1.example:2222 b=[fe80::1]:22 " "$out"
expect_contains "hosts.conf holds the hosts" "[host a]" "$(cat "$XDG_CONFIG_HOME/qnm/hosts.conf")"
check "host del b" "$QNM" host del b
out=$("$QNM" host del b 2>&1)
expect_contains "host del of an unknown host" "no host named 'b'" "$out"

# ---- the protocol, spoken directly ----
"$QNM" new web memory=128 >/dev/null
out=$(printf '%s\n' '{"id":1,"op":"vm.list"}' '{"id":2,"op":"vm.stop","args":{"name":"web"}}' \
	'{"id":3,"op":"nope"}' 'not json' '{"id":4,"op":"cli","args":{"argv":["list"]}}' \
	'{"id":5,"op":"ping"}' '{"id":6,"op":"net.list"}' | "$QNM" serve --stdio)
expect_eq "the handshake comes first" "1" "$(echo "$out" | head -1 | jq -r .protocol)"
expect_eq "vm.list" "web absent 128" \
	"$(echo "$out" | jq -r 'select(.id == 1) | .result[0] | "\(.name) \(.state) \(.memory_mb)"')"
expect_eq "vm.stop of a VM that does not run: the engine's message" "web is not running" \
	"$(echo "$out" | jq -r 'select(.id == 2) | .error')"
expect_eq "an unknown op" "false unknown op 'nope'" \
	"$(echo "$out" | jq -r 'select(.id == 3) | "\(.ok) \(.error)"')"
expect_contains "a line that is not JSON gets an error reply" "one JSON object a line" "$out"
expect_contains "cli runs qnm's command line there" "web " \
	"$(echo "$out" | jq -r 'select(.id == 4) | .result.stdout')"
expect_eq "ping" "1" "$(echo "$out" | jq -r 'select(.id == 5) | .result.protocol')"
expect_eq "net.list" "[]" "$(echo "$out" | jq -c 'select(.id == 6) | .result')"

# vm.topology: the Modes screen's boxes of a VM, this host's links and counters
"$QNM" net add tnet bridge=qnmt0 address=10.73.0.1/24 mode=nat >/dev/null
"$QNM" nic add web model=virtio-net-pci backend=tap network=tnet >/dev/null
out=$(printf '%s\n' '{"id":1,"op":"vm.topology","args":{"name":"web"}}' \
	'{"id":2,"op":"vm.topology","args":{"name":"nope"}}' | "$QNM" serve --stdio)
expect_eq "vm.topology: the NIC's boxes, guest, TAP, bridge" "n0: guest n0|TAP qt-web-0|bridge qnmt0" \
	"$(echo "$out" | jq -r 'select(.id == 1) | .result.nics[0] |
		"\(.nic): \(.hops[0].title)|\(.hops[1].title)|\(.hops[2].title)"')"
expect_eq "... with this host's counters (no such link here yet)" "absent" \
	"$(echo "$out" | jq -r 'select(.id == 1) | .result.nics[0].hops[2].live')"
expect_eq "vm.topology of an unknown VM: refused at name" "false name no VM named 'nope' here" \
	"$(echo "$out" | jq -r 'select(.id == 2) | "\(.ok) \(.field) \(.error)"')"
"$QNM" nic del web n0 >/dev/null

# vm.get and vm.save: the VM form's save of a VM here, made on another host
get=$(printf '%s\n' '{"id":1,"op":"vm.get","args":{"name":"web"}}' | "$QNM" serve --stdio |
	jq -r 'select(.id == 1) | .result.text')
expect_contains "vm.get: the VM's file text" "memory = 128" "$get"
save() { # TEXT BASE [NAME]: vm.save of web; prints the reply
	jq -cn --arg t "$1" --arg b "$2" --arg n "${3:-web}" \
		'{id: 1, op: "vm.save", args: {name: $n, old_name: "web", text: $t, base: $b}}' |
		"$QNM" serve --stdio | jq -c 'select(.id == 1)'
}
before=$(sha256sum <"$XDG_CONFIG_HOME/qnm/vms/web.conf")
out=$(save "${get/memory = 128/memory = 8}" "$get")
expect_eq "vm.save of a bad value: refused, naming the field" "false memory" \
	"$(echo "$out" | jq -r '"\(.ok) \(.field)"')"
expect_contains "... and the rule" "must be a whole number from 16" "$out"
out=$(save "${get/memory = 128/memory = 256}" "$get" "new name")
expect_eq "vm.save under a name that is none: refused at name" "false name" \
	"$(echo "$out" | jq -r '"\(.ok) \(.field)"')"
out=$(save "${get/memory = 128/memory = 256}" "${get/memory = 128/memory = 64}")
expect_contains "vm.save of a VM changed since vm.get: refused" "changed on this host since" "$out"
expect_eq "... nothing written by any of them" "$before" "$(sha256sum <"$XDG_CONFIG_HOME/qnm/vms/web.conf")"
out=$(save "${get/memory = 128/memory = 256}" "$get")
expect_eq "vm.save: saved" "true web" "$(echo "$out" | jq -r '"\(.ok) \(.result.name)"')"
expect_eq "... the VM has it" 256 "$("$QNM" show web --json | jq -r .memory)"

# ---- the client, with a stand-in ssh that runs the remote command here ----
. "$QNM_SRCDIR/tests/hosts-lib.sh"
fake_ssh_install
"$QNM" host del a >/dev/null
"$QNM" host add here u@h1:2222 --qnm "$(readlink -f "$QNM")" >/dev/null
out=$("$QNM" -H here list)
expect_contains "qnm -H here list" "web " "$out"
argv=$(head -1 "$T/ssh.argv")
for want in "-T" "-o BatchMode=yes" "-o ControlMaster=auto" "-o ControlPath=$XDG_RUNTIME_DIR/qnm/.ssh/here" \
	"-o ControlPersist=" "-p 2222" "-l u" "-- h1 $(readlink -f "$QNM") serve --stdio"; do
	expect_contains "ssh gets $want" " $want" " $argv"
done
"$QNM" -H here show nosuch >"$T/o" 2>"$T/e"
expect_eq "qnm -H: the remote command's exit status" 1 "$?"
expect_contains "qnm -H: its stderr" "no VM named 'nosuch'" "$(cat "$T/e")"
# what streams runs there itself (ssh in place of qnm), over a connection of its own without a terminal
"$QNM" -H here console nosuch </dev/null >"$T/o" 2>"$T/e"
expect_eq "qnm -H here console (it streams): the remote command's exit status" 1 "$?"
expect_contains "... its stderr" "'nosuch' is not running" "$(cat "$T/e")"
expect_contains "... ssh runs it there, not serve, on a connection of its own" \
	"-o ControlMaster=no -o ControlPath=none -p 2222 -l u -- h1 $(readlink -f "$QNM") console nosuch" \
	"$(tail -1 "$T/ssh.argv")"
out=$("$QNM" -H nosuch list 2>&1)
expect_contains "qnm -H with an unknown host" "no host named 'nosuch'" "$out"

printf '#!/bin/sh\necho %s\ncat >/dev/null\n' "'{\"qnm\":\"9.9\",\"protocol\":99}'" >"$T/fake"
chmod +x "$T/fake"
"$QNM" host add old h1 --qnm "$T/fake" >/dev/null
"$QNM" host add mute h1 --qnm "$T/mute" >/dev/null
out=$("$QNM" -H old list 2>&1)
expect_contains "another protocol is refused at connect" "runs qnm 9.9 (protocol 99); this qnm" "$out"
t0=$(date +%s%N)
out=$("$QNM" list --all-hosts 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
expect_contains "list --all-hosts: a host that never answers" "host mute (h1): no answer" "$out"
expect_contains "... another protocol" "host old (h1) runs qnm 9.9" "$out"
expect_contains "... while the one that answers lists" "$(printf '%-12s %-20s' here web)" "$out"
expect_contains "... and this host too" "$(printf '%-12s %-20s' local web)" "$out"
check "... all within 5 s (${ms} ms)" test "$ms" -lt 5000
finish
