#!/bin/bash
# doc.sh - the manual lists every command (it is generated from their
# --help), renders without groff warnings; bash completion completes
# commands, subcommands and VM names; make install/uninstall honour DESTDIR.
. "$QNM_SRCDIR/tests/lib.sh"

man=$QNM_BUILDDIR/qnm.1
[ -f "$man" ] || fatal "qnm.1 was not built"
for c in $($QNM --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
	grep -qF ".B qnm ${c//-/\\-}" "$man" && ok "manual has '$c'" || fail "manual lacks '$c'"
done
if command -v groff >/dev/null; then
	w=$(groff -man -ww -z -Tutf8 "$man" 2>&1)
	expect_eq "groff renders the manual without warnings" "" "$w"
fi

# Bash completion, with qnm on PATH and one VM configured.
mkdir -p "$T/bin" && ln -s "$QNM" "$T/bin/qnm"
$QNM new alpha >/dev/null && $QNM new beta >/dev/null
complete_words() { # WORDS... -> completions
	PATH="$T/bin:$PATH" bash -c '
		. "$0"
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_qnm; printf "%s\n" "${COMPREPLY[@]}"' "$QNM_SRCDIR/contrib/qnm.bash-completion" "$@" 2>&1 | sort | tr '\n' ' '
}
expect_eq "completes commands" "link links list " "$(complete_words qnm li)"
expect_eq "completes net subcommands" "del down " "$(complete_words qnm net d)"
expect_eq "completes VM names" "alpha " "$(complete_words qnm show al)"
expect_contains "completes options" "--nic-form" "$(complete_words qnm cmdline --n)"

# make install / uninstall into a DESTDIR.
d=$T/dest
if make -C "$QNM_BUILDDIR" install DESTDIR="$d" >"$T/install.log" 2>&1; then
	ok "make install DESTDIR"
	for f in bin/qnm share/man/man1/qnm.1 share/bash-completion/completions/qnm \
		lib/systemd/system/qnm-autostart.service lib/systemd/user/qnm-autostart.service; do
		[ -n "$(find "$d" -path "*/$f" -print -quit)" ] && ok "installed $f" || fail "installed $f"
	done
	n=$(find "$d" -path '*/qnm/themes/*.theme' | wc -l)
	[ "$n" -ge 5 ] && ok "installed $n themes" || fail "themes installed: $n"
	make -C "$QNM_BUILDDIR" uninstall DESTDIR="$d" >>"$T/install.log" 2>&1 && ok "make uninstall" || fail "make uninstall"
	left=$(find "$d" -type f)
	expect_eq "uninstall leaves no file behind" "" "$left"
else
	fail "make install DESTDIR"
	tail -20 "$T/install.log"
fi
finish
