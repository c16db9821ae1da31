#!/bin/bash
# layers.sh - the tree keeps its layers (doc/architecture.md):
#   core -> host -> guest -> watch -> api -> front ends (src/cli, ui)
# 1. every #include "..." of a file points at its own layer or one below it;
#    the front ends include only core/ and api/ headers (and their own);
# 2. src/ never includes curses;
# 3. no QNM_BACKEND_* test outside the backend files, the model's enum and
#    the field schema: whatever differs per backend is a backend op;
# and, so that it can fail, each rule is shown to catch a planted breach.
. "$QNM_SRCDIR/tests/lib.sh"

# allowed FOLDER - the include prefixes a file in FOLDER may use.
allowed() {
	case $1 in
	src/core) echo "core/" ;;
	src/host) echo "core/ host/" ;;
	src/guest) echo "core/ host/ guest/" ;;
	src/watch) echo "core/ host/ guest/ watch/" ;;
	src/api) echo "core/ host/ guest/ watch/ api/" ;;
	src/cli) echo "core/ api/ cli/" ;;
	src) echo "core/ api/ cli/ ui.h" ;; # main.c: picks a front end
	ui) echo "core/ api/ LOCAL" ;;
	*) echo "?" ;;
	esac
}

# check_includes ROOT - print every include that breaks the layer rule.
check_includes() {
	local root=$1 f dir inc ok a
	while IFS= read -r f; do
		dir=${f%/*}
		while IFS= read -r inc; do
			[ "$inc" = build-config.h ] && continue
			ok=0
			for a in $(allowed "$dir"); do
				case $a in
				LOCAL) [[ $inc != */* ]] && [ -f "$root/$dir/$inc" ] && ok=1 ;;
				*/) [[ $inc == "$a"* ]] && ok=1 ;;
				*) [ "$inc" = "$a" ] && ok=1 ;;
				esac
			done
			[ $ok = 1 ] || echo "$f includes \"$inc\""
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$root/$f")
	done < <(cd "$root" && find src ui -name '*.[ch]' | sort)
}

# check_curses ROOT - files under src/ that include curses.
check_curses() {
	(cd "$1" && grep -lE '^#include <(n?curses|form|menu|panel)\.h>' -r src) || true
}

# Files that may name a backend kind: the backends and their table, the
# interface, the enum and its names (core/model.{c,h}), the field schema
# (which backends a key belongs to).
BACKEND_FILES='^src/(guest/backend[a-z-]*\.c|core/backend\.h|core/model\.[ch]|core/schema\.[ch]):'
check_backend_kinds() {
	(cd "$1" && grep -rnE 'QNM_BACKEND_[A-Z]' src ui | grep -vE "$BACKEND_FILES" |
		grep -v 'QNM_BACKEND__COUNT') || true
}

out=$(check_includes "$QNM_SRCDIR")
expect_eq "every include points at its own layer or one below" "" "$out"
out=$(check_curses "$QNM_SRCDIR")
expect_eq "src/ never includes curses" "" "$out"
out=$(check_backend_kinds "$QNM_SRCDIR")
expect_eq "no backend kind tested outside the backends and the schema" "" "$out"

# The rules catch a breach: a copy of the tree with one planted in each.
cp -r "$QNM_SRCDIR/src" "$QNM_SRCDIR/ui" "$T/"
printf '#include "host/links.h"\n' >>"$T/ui/draw.c"
printf '#include "api/vm.h"\n' >>"$T/src/core/util.c"
printf '#include <curses.h>\n' >>"$T/src/guest/qmp.c"
printf 'int x = QNM_BACKEND_TAP;\n' >>"$T/src/watch/sampler.c"
out=$(check_includes "$T")
expect_contains "a front end including host/ is caught" 'ui/draw.c includes "host/links.h"' "$out"
expect_contains "core including api/ is caught" 'src/core/util.c includes "api/vm.h"' "$out"
expect_contains "curses in src/ is caught" "src/guest/qmp.c" "$(check_curses "$T")"
expect_contains "a backend kind in the sampler is caught" "src/watch/sampler.c" \
	"$(check_backend_kinds "$T")"
finish
