#!/bin/bash
# tests/slirp/mkguest.sh OUTDIR - build (once) a tiny test guest for the slirp tests:
#   OUTDIR/vmlinux    the host's Debian kernel, uncompressed (PVH entry: boots ~2.6 s faster)
#   OUTDIR/initrd.gz  busybox-static + the NIC driver modules + an /init that runs the
#                     script QEMU passes as -fw_cfg name=opt/qnm/script,file=SCRIPT,
#                     prints "QNM-GUEST-END" on the serial console and powers off.
# Test-local stand-in until qnm's own demo-guest builder (src/demo.c) is merged; see
# /work/shared/TESTING-NOTES.md. Parallel callers are serialised with flock.
# Exit: 0 built or already there, 77 when a needed Debian package is missing.
set -eu
out=$1
mkdir -p "$out"
exec 8>"$out/.lock"
flock 8
[ -s "$out/vmlinux" ] && [ -s "$out/initrd.gz" ] && exit 0

missing() { echo "SKIP: needs $1 (Debian package: $2)"; exit 77; }
kver=$(ls /lib/modules 2>/dev/null | sort -V | tail -n 1)
[ -n "$kver" ] && [ -r "/boot/vmlinuz-$kver" ] || missing "a kernel in /boot" linux-image-amd64
bb=/bin/busybox
command -v readelf >/dev/null || missing readelf binutils
# a dynamic busybox has an ELF interpreter; the initramfs has no libraries
[ -x "$bb" ] && ! readelf -l "$bb" 2>/dev/null | grep -q INTERP || missing "a static busybox" busybox-static
for c in xz cpio gzip modprobe; do
	command -v $c >/dev/null || missing "$c" "xz-utils cpio gzip kmod"
done

tmp=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The vmlinux is the XZ stream inside the bzImage.
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "/boot/vmlinuz-$kver" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || { echo "ERROR: no XZ stream in /boot/vmlinuz-$kver"; exit 99; }
tail -c +$((off + 1)) "/boot/vmlinuz-$kver" | xz -dc --single-stream > "$tmp/vmlinux" 2>/dev/null || true
[ -s "$tmp/vmlinux" ] || { echo "ERROR: could not unpack /boot/vmlinuz-$kver"; exit 99; }

r=$tmp/root
mkdir -p "$r"/{bin,dev,proc,sys,tmp,mod,etc}
cp "$bb" "$r/bin/busybox"
n=0
for m in e1000 8139cp virtio_net virtio_pci qemu_fw_cfg; do
	modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	n=$((n + 1))
	# Keep the load order in the file name.
	cp "$ko" "$r/mod/$(printf '%02d' $n)-$(basename "$ko")"
done
cat > "$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /mod/*.ko; do insmod "$m" 2>/dev/null; done
ip link set lo up
s=/sys/firmware/qemu_fw_cfg/by_name/opt/qnm/script/raw
if [ -r "$s" ]; then cp "$s" /tmp/script.sh && sh /tmp/script.sh; else echo "QNM-NO-SCRIPT"; fi
echo "QNM-GUEST-END"
poweroff -f
INIT
cat > "$r/etc/udhcpc.sh" <<'DHCP'
#!/bin/sh
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route add default via "$router"
	echo "QNM-DHCP ip=$ip router=$router dns=$dns"
	;;
esac
DHCP
chmod +x "$r/init" "$r/etc/udhcpc.sh"
(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"
mv "$tmp/vmlinux" "$out/vmlinux"
mv "$tmp/initrd.gz" "$out/initrd.gz"
