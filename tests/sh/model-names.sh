#!/bin/bash
# model-names.sh - NIC models are checked against the device catalog when
# they are set: libvirt's names and other spellings are saved as QEMU's
# name, unknown names are refused with advice and nothing is written (CLI
# and NIC form), and the doctor flags a hand-edited file QEMU would refuse.
. "$QNM_SRCDIR/tests/lib.sh"
. "$QNM_SRCDIR/tests/ui-lib.sh"

cfg() { grep '^model' "$XDG_CONFIG_HOME/qnm/vms/web.conf" | tr '\n' ' '; }
snap() { (cd "$XDG_CONFIG_HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

"$QNM" new web memory=256 >/dev/null || fatal "qnm new"

# Aliases and case: saved under QEMU's name, said on stderr.
out=$("$QNM" nic add web model=virtio backend=user 2>"$T/err") || fail "model=virtio refused"
expect_contains "stdout names the saved model" "(virtio-net-pci," "$out"
expect_contains "stderr says the alias" "model 'virtio' is QEMU's virtio-net-pci" "$(cat "$T/err")"
"$QNM" nic add web model=E1000 backend=user >/dev/null 2>&1 || fail "model=E1000 refused"
"$QNM" nic add web model=RTL8139 backend=user >/dev/null 2>&1 || fail "model=RTL8139 refused"
"$QNM" nic set web n0 model=virtio-net >/dev/null 2>&1 || fail "QEMU's alias virtio-net refused"
expect_eq "file holds QEMU's names" "model = virtio-net-pci model = e1000 model = rtl8139 " "$(cfg)"

# Unknown names: refused with the field, advice, and nothing written.
before=$(snap)
bad() { # MODEL ADVICE
	local out rc
	out=$("$QNM" nic add web model="$1" backend=user 2>&1)
	rc=$?
	expect_eq "model=$1 refused (exit 1)" 1 "$rc"
	expect_contains "model=$1: field and rule" "nic[n3].model: '$1' is not a NIC model of" "$out"
	expect_contains "model=$1: advice" "$2" "$out"
	out=$("$QNM" nic set web n1 model="$1" 2>&1) && fail "nic set model=$1 accepted"
	expect_contains "nic set model=$1 refused" "nic[n1].model: '$1' is not a NIC model" "$out"
}
bad e1001 "did you mean e1000?"
bad rtl8193 "did you mean rtl8139?"
bad virtio-ne "did you mean virtio-net-device, virtio-net-pci"
bad floppy "'qnm models' lists them"
expect_eq "nothing written by refused models" "$before" "$(snap)"

# Without QEMU, qnm's built-in list (QEMU 7.2's x86 models) still judges.
out=$(PATH=/nonexistent "$QNM" nic add web model=e1001 backend=user 2>&1) &&
	fail "built-in list accepted e1001"
expect_contains "built-in list judges" "is not a NIC model of qnm's built-in list" "$out"
PATH=/nonexistent "$QNM" nic add web model=i82551 backend=user >/dev/null 2>&1 ||
	fail "built-in list refused i82551"
"$QNM" nic del web n3 >/dev/null || fail "nic del"

# Doctor: a hand-edited file with a name QEMU's -device refuses.
sed -i '0,/^model = e1000$/s//model = e1001/; 0,/^model = rtl8139$/s//model = virtio/' \
	"$XDG_CONFIG_HOME/qnm/vms/web.conf"
out=$("$QNM" doctor --check nic_models)
expect_contains "doctor: unknown model" "VM web NIC n1: 'e1001' is not a NIC model" "$out"
expect_contains "doctor: libvirt's name" "VM web NIC n2: QEMU knows model 'virtio' as virtio-net-pci" "$out"
expect_contains "doctor: fix for the typo" "fix: qnm nic set web n1 model=e1000" "$out"
expect_contains "doctor: fix for the alias" "fix: qnm nic set web n2 model=virtio-net-pci" "$out"
expect_contains "doctor: status fail" "FAIL  nic_models" "$out"
# a saved unknown model does not block other edits of the VM
"$QNM" set web memory=300 >/dev/null 2>&1 || fail "editing a VM with a bad saved model"
"$QNM" nic set web n1 model=e1000 >/dev/null 2>&1 || fail "fixing the model"
"$QNM" nic set web n2 model=rtl8139 >/dev/null 2>&1 || fail "fixing the model"
out=$("$QNM" doctor --check nic_models)
expect_contains "doctor: ok once fixed" "the 3 configured NICs use models QEMU has" "$out"

# NIC form: an alias is saved as QEMU's name, a typo is refused at the field.
ui_start
ui_wait "e1000/user" 5 >/dev/null || fatal "UI did not start"
before=$(snap)
ui_nic_form rtl8139 "Device model" && ui_type "e1001" && ui_keys F2
ui_error_at "form: typo refused at the field" "Device model" "did you mean e1000?"
expect_eq "form: nothing written" "$before" "$(snap)"
ui_keys Escape Escape Escape
ui_nic_form rtl8139 "Device model" && ui_type "VIRTIO" && ui_keys F2
ui_wait "NIC n2 set" 3 >/dev/null || fail "form: NIC with model VIRTIO not accepted"
ui_keys F2
ui_wait "VM web saved" 3 >/dev/null || fail "form: VM not saved"
ui_wait "virtio-net-pci/user" 5 >/dev/null
wait_for 5 bash -c '[ "$(grep -c "^model = virtio-net-pci$" "$0")" = 2 ]' \
	"$XDG_CONFIG_HOME/qnm/vms/web.conf" || fail "form: VIRTIO not saved as virtio-net-pci"
ok "form: VIRTIO saved as virtio-net-pci"
ui_screen | grep -q "rtl8139" && fail "list still shows the old model"
ui_keys F10
wait_for 5 ui_dead || fail "did not quit"
finish
