#!/bin/bash
# valgrind-ui.sh - the real text UI under valgrind memcheck (the "tui" part of
# tools/valgrind, ~20 s): in tmux and a private network namespace it starts
# the demo guest from the VMs screen, fetches the guest's web page through
# the slirp helper's port forward, watches the Traffic counters rise, opens
# the Modes screen, stops the guest and quits. Fails on any memory error or
# definite/indirect leak in qnm, the guest's supervisor or the slirp helper
# (which runs under valgrind too). "make valgrind" runs all of tools/valgrind.
. "$QNM_SRCDIR/tests/lib.sh"
need_root
need_cmd valgrind valgrind
need_cmd tmux tmux
need_cmd qemu-system-x86_64 qemu-system-x86
# valgrind cannot run a binary built with AddressSanitizer
grep -qa __asan_init "$QNM" && skip "qnm is built with ASan (--enable-asan)"

out=$(QNM_VG_PARTS=tui "$QNM_SRCDIR/tools/valgrind" "$QNM" 2>&1)
st=$?
echo "$out"
case $st in
0) ok "text UI session under valgrind: no error, no definite or indirect leak" ;;
77) skip "tools/valgrind could not run here (see above)" ;;
*) fail "tools/valgrind exited $st" ;;
esac
finish
