#!/bin/bash
# tests/pkg/deb.sh - the Debian package, from a copy of this tree:
# dpkg-buildpackage -us -uc -b builds qnm_*.deb; lintian reports no error or
# warning (overrides in debian/qnm.lintian-overrides, each with its reason);
# the package holds the programs (qnm, and qnm-ui and qnm-slirp-helper in
# /usr/libexec/qnm), man page, bash completion, themes, docs and
# both units in Debian's places; "dpkg -i" installs it (the system unit
# enabled, not started), the installed qnm runs --help and doctor --json and
# its man page renders, and "dpkg --purge" leaves none of its files or unit
# links behind. Run by tools/run-tests (stage "package") as root; it needs
# dpkg-dev, debhelper and lintian, and refuses to touch a qnm package that
# is already installed.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$QNM_SRCDIR/tests/lib.sh"
need_root
need_cmd dpkg-buildpackage dpkg-dev
need_cmd dh debhelper
need_cmd lintian lintian
dpkg -s qnm >/dev/null 2>&1 && skip "a qnm package is already installed on this host: not touching it"

ver=$(sed -n '1s/^qnm (\([^)]*\)).*/\1/p' "$QNM_SRCDIR/debian/changelog")
w=$T/build
mkdir -p "$w/qnm-$ver"
# the tree as it is (tracked and new files, not ignored ones), not the build trees in it
(cd "$QNM_SRCDIR" && git ls-files -co --exclude-standard -z) |
	(cd "$QNM_SRCDIR" && tar --null -T - -c) | tar -x -C "$w/qnm-$ver" || fatal "cannot copy the tree"
if (cd "$w/qnm-$ver" && dpkg-buildpackage -us -uc -b -j"${QNM_JOBS:-2}") >"$T/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	fail "dpkg-buildpackage"
	tail -30 "$T/build.log"
	finish
fi
deb=$w/qnm_${ver}_$(dpkg --print-architecture).deb
check "qnm_${ver}_*.deb built" test -s "$deb"

out=$(lintian --fail-on error,warning "$w"/qnm_"${ver}"_*.changes 2>&1 | grep -v '^running with root privileges')
expect_eq "lintian: no error or warning" "" "$(echo "$out" | grep -E '^[EW]:')"
[ -z "$out" ] || echo "$out" | sed 's/^/  lintian: /'

files=$(dpkg -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in /usr/bin/qnm /usr/libexec/qnm/qnm-ui /usr/libexec/qnm/qnm-slirp-helper /usr/share/man/man1/qnm.1.gz /usr/share/bash-completion/completions/qnm \
	/usr/share/qnm/themes/default.theme /usr/share/doc/qnm/copyright /usr/share/doc/qnm/README.md.gz \
	/lib/systemd/system/qnm-autostart.service /usr/lib/systemd/user/qnm-autostart.service; do
	check "package holds $f" grep -qx "$f" <<<"$files"
done
expect_contains "unit runs the installed binary" "ExecStart=/usr/bin/qnm autostart" \
	"$(dpkg --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/qnm-autostart.service)"
deps=$(dpkg -f "$deb" Depends)
for d in qemu-system-x86 dnsmasq-base nftables iproute2 libslirp0 libmnl0 libjson-c5; do
	expect_contains "Depends: $d" "$d" "$deps"
done
# libnl-3, libnl-route-3 and libnftnl are linked in (--with-static-netlink):
# no dependency on them, their sources named in Built-Using
expect_eq "Depends: no libnl or libnftnl (linked statically)" "" \
	"$(grep -oE 'libnl[^ ,]*|libnftnl[^ ,]*' <<<"$deps" | tr '\n' ' ')"
bu=$(dpkg -f "$deb" Built-Using)
for s in libnl3 libnftnl; do
	expect_contains "Built-Using: $s (= version)" "$s (= " "$bu"
done
expect_contains "Recommends: passt" passt "$(dpkg -f "$deb" Recommends)"

# install, run from the installed files, purge
wants=/etc/systemd/system/multi-user.target.wants/qnm-autostart.service
if dpkg -i "$deb" >"$T/install.log" 2>&1; then
	ok "dpkg -i"
	check "system unit enabled for the next boot" test -L "$wants"
	out=$(env -i PATH=/usr/bin:/bin HOME="$T/home" XDG_RUNTIME_DIR="$T/rt" /usr/bin/qnm --help 2>&1)
	expect_contains "installed qnm --help" "usage: qnm" "$out"
	# the helper programs are found where they are installed, not next to /usr/bin/qnm
	out=$(env -i PATH=/usr/bin:/bin HOME="$T/home" /usr/bin/qnm slirp-helper --help 2>&1)
	expect_contains "installed qnm runs the installed qnm-slirp-helper" "--socket" "$out"
	out=$(env -i PATH=/usr/bin:/bin HOME="$T/home" /usr/bin/qnm --theme mono </dev/null 2>&1)
	expect_contains "installed qnm runs the installed qnm-ui" "terminal" "$out"
	mkdir -p "$T/home" && chmod 700 "$T/home"
	out=$(env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME="$T/home" /usr/bin/qnm doctor --json 2>&1)
	check "installed qnm doctor --json is JSON with checks" python3 -c \
		'import json,sys; assert json.loads(sys.argv[1])["checks"]' "$out"
	check "installed man page renders" bash -c 'man -l /usr/share/man/man1/qnm.1.gz 2>/dev/null | grep -q autostart'
else
	fail "dpkg -i"
	tail -20 "$T/install.log"
fi
dpkg --purge qnm >"$T/purge.log" 2>&1 || { fail "dpkg --purge"; tail -20 "$T/purge.log"; }
left=""
for f in $files; do
	[ -f "$f" ] || [ -L "$f" ] && left="$left $f"
done
expect_eq "purge leaves none of its files" "" "$left"
check "purge removes the unit link" test ! -e "$wants" -a ! -L "$wants"
check "dpkg forgot qnm" bash -c '! dpkg -s qnm >/dev/null 2>&1'
finish
