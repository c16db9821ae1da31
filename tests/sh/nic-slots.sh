#!/bin/bash
# nic-slots.sh - issue 13 item 8: a VM holds as many NICs as qnm accepts.
# 64 NICs of mixed models (virtio-net-pci, e1000, e1000e, rtl8139) start on
# q35 and on pc: QEMU has all 64 (their MACs in 'info qtree'), and SeaBIOS
# enumerates all of them (query-pci) without running out of I/O space (its
# debug console). Before, QEMU refused the 30th ("PCI: no slot/function
# available"). A machine that cannot hold a NIC refuses it when it is
# configured (nic add, set machine=), naming the field and the limit.
# User-mode NICs only: nothing touches the host's networking.
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd python3

# check_vm VM: start it paused, compare its NICs with the config over QMP, let
# SeaBIOS run, count the Ethernet functions it enumerated; stop it.
check_vm() {
	local vm=$1 out
	$QNM show "$vm" --json | python3 -c \
		'import json,sys; print("\n".join(n["mac"] for n in json.load(sys.stdin)["nics"]))' \
		>"$T/$vm.macs" || fatal "show $vm"
	$QNM set "$vm" extra=-S extra+=-chardev "extra+=file,id=sb,path=$T/$vm.bios" \
		extra+=-device extra+=isa-debugcon,iobase=0x402,chardev=sb >/dev/null || fatal "set extra"
	at_exit "timeout 30 $QNM stop $vm --force >/dev/null 2>&1"
	if ! out=$(timeout 60 $QNM start "$vm" 2>&1); then
		fail "$vm: 64 NICs start: $out"
		return
	fi
	ok "$vm: 64 NICs start"
	out=$(timeout 60 python3 - "$XDG_RUNTIME_DIR/qnm/$vm/qmp.sock" "$T/$vm.macs" "$T/$vm.bios" <<'PY'
import json, re, socket, sys, time
sock, macs, bios = sys.argv[1], open(sys.argv[2]).read().split(), sys.argv[3]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rw")
f.readline()
def q(cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r:
            return r["return"]
        if "error" in r:
            sys.exit("QMP %s: %s" % (cmd, r["error"]))
q("qmp_capabilities")
tree = q("human-monitor-command", **{"command-line": "info qtree"})
have = re.findall(r'mac = "([0-9a-f:]+)"', tree)
print("qtree: %d of %d" % (len(set(macs) & set(have)), len(macs)))
q("cont")
def eth(devs):
    return sum((d["class_info"].get("class") == 0x200) + eth(d.get("pci_bridge", {}).get("devices", []))
               for d in devs)
for _ in range(300):
    text = open(bios, errors="replace").read()
    if "out of" in text or "No bootable device" in text or "Booting from" in text:
        break
    time.sleep(0.1)
print("bios: %s" % ("; ".join(l for l in text.splitlines() if "out of" in l) or "ok"))
print("pci: %d" % sum(eth(b["devices"]) for b in q("query-pci")))
PY
	)
	expect_contains "$vm: QEMU has every NIC" "qtree: 64 of 64" "$out"
	expect_contains "$vm: SeaBIOS has the I/O space it needs" "bios: ok" "$out"
	expect_contains "$vm: SeaBIOS enumerates every NIC" "pci: 64" "$out"
	timeout 30 $QNM stop "$vm" --force >/dev/null 2>&1
}

models=(virtio-net-pci e1000 e1000e rtl8139)
for machine in q35 pc; do
	vm=many-$machine
	check "new $vm" $QNM new $vm machine=$machine accel=tcg memory=64
	# 16 virtio NICs (placed by QEMU, as before), then 48 of the four models
	for i in $(seq 0 63); do
		m=virtio-net-pci
		[ $i -ge 16 ] && m=${models[$((i % 4))]}
		$QNM nic add $vm model=$m >/dev/null || {
			fail "$vm: NIC $i ($m) refused"
			break
		}
	done
	check_vm $vm
done

# ---- beyond what a machine holds: refused when configured ----
sum=$(md5sum <"$XDG_CONFIG_HOME/qnm/vms/many-q35.conf")
err=$($QNM nic add many-q35 model=virtio-net-pci 2>&1 >/dev/null)
expect_eq "65th NIC refused" 1 $?
expect_contains "65th NIC: the limit named" "nics: a VM has at most 64 NICs" "$err"
err=$($QNM set many-q35 machine=isapc 2>&1 >/dev/null)
expect_eq "machine=isapc with PCI NICs refused" 1 $?
expect_contains "isapc: field, machine and limit named" \
	"nic[n0].model: an isapc VM holds at most 0 PCI NICs (it has no PCI bus); virtio-net-pci is a PCI NIC" "$err"
expect_eq "config untouched" "$sum" "$(md5sum <"$XDG_CONFIG_HOME/qnm/vms/many-q35.conf")"
check "new old" $QNM new old machine=isapc
check "ISA NIC on isapc" $QNM nic add old model=ne2k_isa
err=$($QNM nic add old model=e1000 2>&1 >/dev/null)
expect_eq "PCI NIC on isapc refused" 1 $?
expect_contains "PCI NIC on isapc: field and limit" \
	"nic[n1].model: an isapc VM holds at most 0 PCI NICs (it has no PCI bus); e1000 is a PCI NIC" "$err"

# A file written before the rule still loads (the VM does not vanish); its
# start says why it cannot.
sed 's/^model = ne2k_isa$/model = e1000/' "$XDG_CONFIG_HOME/qnm/vms/old.conf" >"$T/old.conf"
grep -q '^model = e1000$' "$T/old.conf" || fatal "old.conf: no 'model = ne2k_isa' line to edit"
cp "$T/old.conf" "$XDG_CONFIG_HOME/qnm/vms/old.conf"
out=$($QNM show old 2>&1)
expect_contains "an older file still loads" "model = e1000" "$out"
err=$(timeout 30 $QNM start old 2>&1 >/dev/null)
expect_eq "its start refused" 1 $?
expect_contains "its start says why" "nic[n0].model: an isapc VM holds at most 0 PCI NICs" "$err"
finish
