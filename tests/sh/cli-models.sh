#!/bin/bash
# cli-models.sh - "qnm models": table, --json, --arch, the cache, the built-in
# fallback without QEMU, and usage errors.
. "$QNM_SRCDIR/tests/lib.sh"

"$QNM" models --help 2>/dev/null | grep -q "usage: qnm models" ||
	skip "qnm does not dispatch commands yet (src/main.c)"
need_cmd python3

# Without QEMU in PATH: the built-in list, saying why.
out=$(PATH=/nonexistent "$QNM" models 2>&1)
expect_contains "built-in list without QEMU" "built-in list" "$out"
expect_contains "says why" "qemu-system-x86_64 was not found" "$out"
expect_contains "built-in has e1000" "e1000" "$out"
json=$(PATH=/nonexistent "$QNM" models --json --arch aarch64)
expect_eq "json source builtin" "builtin aarch64" \
	"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["source"], d["arch"])' <<<"$json")"

if command -v qemu-system-x86_64 >/dev/null; then
	json=$("$QNM" models --json)
	expect_eq "first run asks QEMU" "qemu" \
		"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["source"])' <<<"$json")"
	check "cache written" test -s "$XDG_CACHE_HOME/qnm/models-x86_64"
	json=$("$QNM" models --json)
	expect_eq "second run uses the cache; models and advice" \
		"cache virtio-net-pci e1000 True True" \
		"$(python3 -c 'import json,sys
d = json.load(sys.stdin)
names = {m["name"] for m in d["models"]}
print(d["source"], d["recommended"]["linux"], d["recommended"]["windows"],
      "rtl8139" in names, all(m["bus"] for m in d["models"]))' <<<"$json")"
	out=$("$QNM" models)
	expect_contains "table header" "MODEL" "$out"
	expect_contains "table row" "Intel Gigabit Ethernet (alias e1000-82540em)" "$out"
	expect_contains "advice" "recommended: virtio-net-pci for Linux guests" "$out"
fi

# Usage errors: exit 2, message on stderr, nothing on stdout.
out=$("$QNM" models --bogus 2>"$T/err")
expect_eq "unknown option exits 2" 2 $?
expect_eq "nothing on stdout" "" "$out"
expect_contains "names the command" "qnm: models:" "$(cat "$T/err")"
"$QNM" models --arch ../x >/dev/null 2>"$T/err"
expect_eq "bad arch exits 2" 2 $?
expect_contains "bad arch message" "not a QEMU target name" "$(cat "$T/err")"
finish
