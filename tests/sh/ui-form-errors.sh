#!/bin/bash
# ui-form-errors: bad input in the form fields shows the error AT the field
# (on the lines right under it) and writes nothing: the config files are
# byte-for-byte the same afterwards.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

"$QNM" new web memory=256 >/dev/null || fatal "qnm new"
"$QNM" nic add web model=e1000 backend=user >/dev/null || fatal "qnm nic add"
"$QNM" net add lab bridge=qnmlab0 address=10.77.0.1/24 mode=nat >/dev/null || fatal "qnm net add"
snap() { (cd "$XDG_CONFIG_HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(snap)

ui_start -x 100 -y 30
ui_wait "e1000/user" 5 >/dev/null || fatal "UI did not start"

# open_form KEYS... WAIT: go to the VMs list, then press KEYS until WAIT shows
open_form() {
	local wait=${*: -1}
	ui_keys Escape Escape Escape
	ui_keys 1
	ui_keys "${@:1:$#-1}"
	ui_wait "$wait" 5 || fail "form with '$wait' did not open"
}

# bad FORMKEYS... -- LABEL VALUE MSG
vm_bad() {
	open_form e "Memory (MiB)"
	ui_goto_field "$1" || { fail "$1"; return; }
	ui_keys C-u
	ui_type "$2"
	ui_keys F2
	ui_error_at "VM form: $1 = '$2'" "$1" "$3"
}
vm_bad "Name" "bad name!" "must be 1-32 letters"
# the engine's one message for each rule, as the CLI says it (issue 15.7)
vm_bad "Memory (MiB)" "abc" "must be a whole number from 16 to 4194304 MiB"
vm_bad "Memory (MiB)" "8" "must be a whole number from 16"
vm_bad "CPUs" "0" "must be a whole number from 1 to 1024"
vm_bad "CPUs" "lots" "must be a whole number"
vm_bad "Architecture" "x/y" "is not a QEMU target name"
vm_bad "Machine" "q 35" "may only hold"

# a new VM may not take an existing VM's name
open_form n "New VM"
ui_type "web"
ui_keys F2
ui_error_at "VM form: name of an existing VM" "Name" "already exists"

# leaving a field checks it at once (before saving)
open_form e "Memory (MiB)"
ui_goto_field "CPUs"
ui_keys C-u
ui_type "2000"
ui_keys Tab
ui_error_at "VM form: CPUs checked when leaving the field" "CPUs" "must be a whole number from 1 to 1024"

# boot = disk without a disk path
open_form e "Memory (MiB)"
ui_goto_field "Boot from"
ui_keys Right
ui_wait "Disk image" 2 >/dev/null
ui_keys F2
ui_error_at "VM form: boot disk needs a path" "Disk image" "needs a disk path"

# NIC form: open the NIC of web (first NIC row) and break one field at a time
nic_bad() {
	local label=$1 value=$2 msg=$3 backend=${4:-}
	open_form e "Memory (MiB)"
	for ((i = 0; i < 30; i++)); do
		ui_screen | grep -q ">.*\[ e1000" && break
		ui_keys Tab
	done
	ui_keys Enter
	ui_wait "Device model" 3 >/dev/null || { fail "NIC form did not open"; return; }
	if [ -n "$backend" ]; then
		ui_goto_field "Backend"
		for ((i = 0; i < 4; i++)); do
			ui_screen | grep -q "Backend *< $backend >" && break
			ui_keys Right
		done
	fi
	if [ -n "${PREFILL:-}" ]; then
		ui_goto_field "${PREFILL%%=*}" && ui_keys C-u && ui_type "${PREFILL#*=}"
	fi
	ui_goto_field "$label" || { fail "$label"; return; }
	ui_keys C-u
	ui_type "$value"
	ui_keys F2
	ui_error_at "NIC form ($backend): $label = '$value'" "$label" "$msg"
}
nic_bad "NIC id" "a b" "must be 1-32 letters"
nic_bad "Device model" "bad model" "may only hold letters"
nic_bad "MAC address" "zz:00" "is not a MAC address"
nic_bad "MAC address" "01:00:00:00:00:01" "multicast"
nic_bad "Guest network" "10.0.2.0/40" "must be an IPv4 network"
nic_bad "Host address" "1.2.3" "is not an IPv4 address"
nic_bad "DHCP start" "192.168.9.9" "is outside the guest network"
nic_bad "DNS address" "dns" "is not an IPv4 address"
nic_bad "Port forwards" "tcp:abc" "hostfwd"
nic_bad "SMB share" "relative/dir" "must be an absolute directory path"
nic_bad "TAP name" "a/b" "is not a valid interface name" tap
nic_bad "Bridge" "" "needs a bridge name" bridge
PREFILL=Bridge=br0 nic_bad "Helper path" "helper" "must be an absolute path" bridge

# Network form
net_bad() {
	open_form 2 e "Prefix length"
	if [ -n "${PREFILL:-}" ]; then
		ui_goto_field "${PREFILL%%=*}" && ui_keys C-u && ui_type "${PREFILL#*=}"
	fi
	ui_goto_field "$1" || { fail "$1"; return; }
	ui_keys C-u
	ui_type "$2"
	ui_keys F2
	ui_error_at "network form: $1 = '$2'" "$1" "$3"
}
net_bad "Name" "-lab" "must be 1-32 letters"
net_bad "Bridge" "br/0" "bridge"
net_bad "Host address" "10.77.0" "address"
net_bad "Prefix length" "40" "prefix"
PREFILL="DHCP last=10.77.0.200" net_bad "DHCP first" "10.99.0.10" "dhcp-start"
net_bad "Port forwards" "tcp::80" "forward"

# Forward form
fwd_bad() {
	open_form 3 n "Guest port"
	ui_goto_field "Host port" && ui_type 8080
	ui_goto_field "Guest port" && ui_type 80
	ui_goto_field "$1" || { fail "$1"; return; }
	ui_keys C-u
	ui_type "$2"
	ui_keys F2
	ui_error_at "forward form: $1 = '$2'" "$1" "$3"
}
fwd_bad "Host port" "0" "is not a port"
fwd_bad "Guest port" "99999" "is not a port"
fwd_bad "Host address" "localhost" "is not an IPv4 address"

ui_keys Escape Escape Escape F10
wait_for 5 ui_dead || fail "did not quit"
expect_eq "no config file changed" "$before" "$(snap)"
finish
