#!/bin/bash
# kvm-probe.sh - issue 15.9: a KVM that opens but does not run guests.
# This machine has no KVM at all, so KVM is stood in for (the only mock
# here, as no real part can run): QNM_DEV_KVM names a regular file (it
# opens as /dev/kvm would), and qemu-system-x86_64 in PATH is a wrapper
# around the real QEMU that, when asked for -accel kvm, behaves as the
# three kinds of host do: "hangs" (the real QEMU with its vCPU never
# started: no BIOS output, as a nested KVM that spins), "runs" (the real
# QEMU under TCG), "fails" (QEMU's abort on this machine's KVM: MSR 0x10a).
# Checks: doctor says which, with the cause; the answer is cached (a second
# doctor does not wait) and probed again when QEMU changes; accel=auto
# starts a real guest under TCG with a warning where KVM hangs, and the
# preview shows the accelerator each case gets.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=150
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"

REAL=$(command -v qemu-system-x86_64)
mkdir -p "$T/bin"
: >"$T/fakekvm"
export QNM_DEV_KVM=$T/fakekvm
echo hangs >"$T/mode"
cat >"$T/bin/qemu-system-x86_64" <<EOF
#!/bin/bash
# stand-in KVM: see kvm-probe.sh
args=() kvm=0
for a in "\$@"; do
	if [ "\$a" = kvm ] && [ "\${args[-1]:-}" = -accel ]; then kvm=1; a=tcg; fi
	args+=("\$a")
done
[ \$kvm = 0 ] && exec "$REAL" "\$@"
case \$(cat "$T/mode") in
hangs) exec "$REAL" "\${args[@]}" -S ;;
runs) exec "$REAL" "\${args[@]}" ;;
fails) echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x2000000ff" >&2; exit 1 ;;
esac
EOF
chmod +x "$T/bin/qemu-system-x86_64"
export PATH=$T/bin:$PATH

# doctor_kvm - the kvm check of doctor --json: "STATUS|FINDING"
doctor_kvm() {
	"$QNM" doctor --json --check kvm | python3 -c '
import json, sys
for c in json.load(sys.stdin)["checks"]:
    if c["id"] == "kvm":
        print(c["status"] + "|" + " ".join(f["text"] if isinstance(f, dict) else str(f) for f in c.get("findings", [])))'
}
# accel_of VM - the accelerator in VM's preview
accel_of() { "$QNM" cmdline "$1" | tr ' ' '\n' | grep -A1 -x -- -accel | tail -n1; }

guest_image
cat >"$T/guest.sh" <<'EOF'
echo QNM-KVMTEST-UP
sleep 600
EOF
"$QNM" new vm memory=128 accel=auto boot=kernel kernel="$G_KERNEL" initrd="$G_INITRD" \
	append="$G_APPEND" extra+=-no-reboot extra+=-fw_cfg \
	extra+="name=opt/qnm/script,file=$T/guest.sh" >/dev/null || fatal "qnm new failed"
at_exit "guest_kill vm"
expect_eq "before any probe: the preview trusts a device that opens" kvm "$(accel_of vm)"

# --- hangs: the BIOS never runs
t0=$(date +%s%N)
d=$(doctor_kvm)
ms=$((($(date +%s%N) - t0) / 1000000))
echo "  doctor (probe of a hanging KVM): ${ms} ms: $d"
expect_contains "hangs: doctor warns" "warn|" "$d"
expect_contains "hangs: doctor says it opens but runs no guest" \
	"opens, but a test guest does not run with it" "$d"
expect_contains "hangs: doctor names what was seen" "ran no instruction of its BIOS" "$d"
check "hangs: the probe gave up after its 10 s, not much later ($ms ms)" test "$ms" -lt 16000
check "hangs: the answer is cached" test -s "$XDG_CACHE_HOME/qnm/kvm-probe"
expect_contains "hangs: the second doctor answers from the cache (no second wait)" \
	"(cached for a day)" "$(doctor_kvm)"
expect_eq "hangs: the preview falls back to TCG" tcg "$(accel_of vm)"
out=$("$QNM" start vm 2>&1) || fatal "start failed: $out"
echo "$out" | sed 's/^/  | /'
expect_contains "hangs: start says why the guest runs under TCG" \
	"opens but does not run guests" "$out"
check "hangs: the guest runs (under TCG)" wait_serial 60 vm QNM-KVMTEST-UP
pid=$(guest_field vm qemu_pid)
check "hangs: its QEMU has -accel tcg" grep -qz -x tcg "/proc/$pid/cmdline"
"$QNM" stop vm --force >/dev/null

# --- runs: a changed QEMU binary is probed again
echo runs >"$T/mode"
touch -d '1 minute ago' "$T/bin/qemu-system-x86_64"
d=$(doctor_kvm)
echo "  doctor: $d"
expect_contains "runs: QEMU changed: probed again, KVM runs guests" "ok|" "$d"
expect_contains "runs: doctor says how it knows" "a test guest ran its BIOS in" "$d"
expect_eq "runs: accel=auto uses KVM" kvm "$(accel_of vm)"

# --- fails: QEMU's own error is the reason
echo fails >"$T/mode"
touch -d '2 minutes ago' "$T/bin/qemu-system-x86_64"
d=$(doctor_kvm)
echo "  doctor: $d"
expect_contains "fails: doctor quotes QEMU" "failed to set MSR 0x10a" "$d"
expect_eq "fails: accel=auto uses TCG" tcg "$(accel_of vm)"
"$QNM" set vm accel=kvm >/dev/null
expect_contains "fails: with a VM that insists on accel=kvm it is a failure" "fail|" \
	"$(doctor_kvm)"
"$QNM" set vm accel=auto >/dev/null

# --- no device: nothing is probed
export QNM_DEV_KVM=$T/nonexistent
expect_eq "no device: accel=auto uses TCG" tcg "$(accel_of vm)"
expect_contains "no device: doctor says it cannot be opened" "cannot be opened" "$(doctor_kvm)"
finish
