#!/bin/bash
# fuzz-corpus.sh - replay every fuzz harness over its corpus (crashes and
# sanitizer reports fail the test).
. "$QNM_SRCDIR/tests/lib.sh"
n=0
for h in "$QNM_BUILDDIR"/tests/fuzz/fuzz-*; do
	[ -x "$h" ] || continue
	name=${h##*/fuzz-}
	corpus="$QNM_SRCDIR/tests/fuzz/corpus-$name"
	[ -d "$corpus" ] || { fail "no corpus for $name"; continue; }
	files=("$corpus"/*)
	if out=$("$h" "${files[@]}" 2>&1); then
		ok "$name: $out"
	else
		fail "$name crashed: $out"
	fi
	n=$((n + 1))
done
[ $n -gt 0 ] || fatal "no fuzz harness built"
finish
