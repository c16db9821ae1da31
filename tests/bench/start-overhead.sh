#!/bin/bash
# start-overhead.sh - time qnm adds between "qnm start" and QEMU running,
# against spawning the same QEMU argv directly (tests/bench/start-overhead.c).
# Runs in a private network namespace with private XDG dirs; needs root.
set -eu
: "${QNM_BUILDDIR:?}" "${QNM_SRCDIR:?}"
ROUNDS=${ROUNDS:-7}
if [ -z "${QNM_BENCH_NS:-}" ]; then
	export QNM_BENCH_NS=1
	exec timeout 300 unshare -n /bin/bash "$0" "$@"
fi
ip link set lo up
T=$(mktemp -d /tmp/qnm-bench-start.XXXXXX)
trap 'rm -rf "$T"' EXIT
export XDG_CONFIG_HOME=$T/config XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data HOME=$T
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
Q=$QNM_BUILDDIR/qnm
img=$("$Q" demo --build-only --dir "$QNM_BUILDDIR/tests/guest-cache")
k=$(printf '%s\n' "$img" | sed -n 's/^kernel=//p')
i=$(printf '%s\n' "$img" | sed -n 's/^initrd=//p')
a=$(printf '%s\n' "$img" | sed -n 's/^append=//p')
"$Q" new b memory=256 accel=tcg boot=kernel kernel="$k" initrd="$i" append="$a" >/dev/null
"$Q" nic add b model=virtio-net-pci backend=user ipv6=off hostfwd=tcp:127.0.0.1:8401-:80 >/dev/null
"$QNM_BUILDDIR/tests/bench/start-overhead" "$Q" b "$ROUNDS"
