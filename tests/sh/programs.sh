#!/bin/bash
# programs: qnm is three programs (core/progs.h, doc/architecture.md), so a
# one-shot command starts cheaply:
#   - qnm, the CLI, links none of the text UI's libraries (curses, libvterm)
#     nor the slirp helper's (libslirp, glib), directly or through another;
#   - qnm-ui and qnm-slirp-helper sit next to it in the build tree and link
#     those;
#   - qnm without a command on a terminal still runs the text UI, in the same
#     process (exec, argv kept); "qnm slirp-helper" runs the helper program;
#   - a qnm whose parts are missing says which one and where it looked.
# No root, no tmux: about a second.
. "$QNM_SRCDIR/tests/lib.sh"
need_cmd readelf binutils
need_cmd python3 python3

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
HEAVY='curses|tinfo|libform|libmenu|libpanel|vterm|slirp|glib|pcre'

cli=$(needed "$QNM")
check "qnm: readelf lists its libraries" test -n "$cli"
expect_eq "qnm links no curses, libvterm, libslirp or glib (NEEDED)" "" \
	"$(grep -iE "$HEAVY" <<<"$cli" | tr '\n' ' ')"
expect_eq "qnm loads none of them through another library (ldd)" "" \
	"$(ldd "$QNM" | grep -iE "$HEAVY" | awk '{print $1}' | tr '\n' ' ')"
# configure --with-static-netlink (the default when the archives are there):
# the kernel-only netlink parsers are inside qnm, json-c and libmnl are shared
if grep -q '^#define QNM_STATIC_NETLINK 1' "$QNM_BUILDDIR/build-config.h"; then
	expect_eq "static netlink: qnm loads no libnl-3, libnl-route-3 or libnftnl (ldd)" "" \
		"$(ldd "$QNM" | grep -E 'libnl-|libnftnl' | awk '{print $1}' | tr '\n' ' ')"
	expect_contains "static netlink: json-c stays a shared library" libjson-c "$cli"
	expect_contains "static netlink: libmnl stays a shared library" libmnl "$cli"
	expect_contains "static netlink: libnftnl's own code is in qnm" nftnl_batch_begin \
		"$(nm "$QNM" 2>/dev/null || true)"
else
	expect_contains "shared netlink: qnm links libnl-route-3" libnl-route-3 "$cli"
fi

dir=$(dirname "$QNM")
for p in qnm-ui qnm-slirp-helper; do
	check "$p is next to qnm" test -x "$dir/$p"
done
expect_contains "qnm-ui links curses" ncurses "$(needed "$dir/qnm-ui")"
expect_contains "qnm-slirp-helper links libslirp" libslirp "$(needed "$dir/qnm-slirp-helper")"

# qnm on a terminal: the same process becomes qnm-ui and draws the VMs screen
out=$(TERM=xterm python3 - "$QNM" <<'PY'
import os, pty, select, signal, sys, time
qnm = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(qnm, [qnm])
buf, exe, end = b"", "", time.time() + 10
while time.time() < end:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            buf += os.read(fd, 65536)
        except OSError:
            break
    try:
        exe = os.readlink("/proc/%d/exe" % pid)
    except OSError:
        pass
    if exe.endswith("/qnm-ui") and b"NICS" in buf:
        break
os.kill(pid, signal.SIGTERM)
os.waitpid(pid, 0)
print(os.path.basename(exe), "alternate-screen" if b"\x1b[?1049h" in buf else "-",
      "vms-screen" if b"NICS" in buf else "-")
PY
)
expect_eq "qnm on a terminal: its process runs qnm-ui, which draws the VMs screen" \
	"qnm-ui alternate-screen vms-screen" "$out"

# without a terminal: the help (no command), the UI's own message (a theme)
expect_contains "qnm without a terminal: the help" "usage: qnm" "$("$QNM" </dev/null 2>&1)"
out=$("$QNM" --theme mono </dev/null 2>&1)
expect_contains "qnm --theme without a terminal: qnm-ui says it needs one" "terminal" "$out"

# qnm slirp-helper is the helper program's; its ctl client stays in qnm
expect_contains "qnm slirp-helper --help: the helper's options" "--socket" \
	"$("$QNM" slirp-helper --help 2>&1)"
out=$("$dir/qnm-slirp-helper" list 2>&1)
expect_contains "qnm-slirp-helper runs only the helper" 'qnm slirp-helper ...' "$out"

# a qnm without its parts: copied alone, with no installed ones to fall back on
mkdir -p "$T/bin" && cp "$QNM" "$T/bin/qnm"
libexec=$(strings "$QNM" | grep -m1 '/libexec/qnm$' || true)
if [ -n "$libexec" ] && [ ! -e "$libexec/qnm-slirp-helper" ]; then
	out=$("$T/bin/qnm" slirp-helper --socket "$T/s" --control "$T/c" 2>&1)
	expect_contains "a missing helper is named with where qnm looked" \
		"qnm-slirp-helper is missing: not in $T/bin nor in $libexec" "$out"
	expect_contains "the CLI itself still works" "usage: qnm" "$("$T/bin/qnm" --help 2>&1)"
else
	ok "skipped the missing-part check: qnm's parts are installed in ${libexec:-?}"
fi
finish
