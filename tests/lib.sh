# tests/lib.sh - shared helpers for qnm's shell tests (sourced, not run).
#
# Exit codes follow automake: 0 pass, 77 skip, 99 hard error, else fail.
# Every test gets its own scratch dir and XDG dirs, so tests run in
# parallel without seeing each other's VMs.
set -u

: "${QNM:=${QNM_BUILDDIR:-.}/qnm}"
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/qnmtest-$TEST_NAME.XXXXXX")
export XDG_CONFIG_HOME="$T/config" XDG_RUNTIME_DIR="$T/run" XDG_DATA_HOME="$T/data" \
	XDG_CACHE_HOME="$T/cache" HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
FAILS=0
CLEANUPS=()

# at_exit CMD... - run CMD when the test ends (last registered runs first).
at_exit() { CLEANUPS+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[$i]}" || true; done
	if [ -f "$T/.netns" ]; then
		while read -r ns; do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$ns" 2>/dev/null
		done <"$T/.netns"
	fi
	rm -rf "$T"
}
trap _run_cleanups EXIT

skip() { echo "SKIP: $*"; exit 77; }
fatal() { echo "ERROR: $*"; exit 99; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

# check DESC CMD... - run CMD, count a failure when it fails.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		printf '  expected: %s\n  actual:   %s\n' "$2" "$3"
	fi
}

# expect_contains DESC NEEDLE HAYSTACK
expect_contains() {
	case "$3" in
	*"$2"*) ok "$1" ;;
	*) fail "$1"; printf '  missing: %s\n  in: %s\n' "$2" "$3" ;;
	esac
}

# finish - exit with the right status.
finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	exit 0
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs '$1' (Debian package: ${2:-$1})"; }

# new_netns NAME - create namespace qnmtest-NAME-PID, deleted at exit; prints its name.
new_netns() {
	local ns="qnmtest-$1-$$"
	ip netns add "$ns" || fatal "cannot create netns $ns"
	# Listed in a file, not with at_exit: "NS=$(new_netns x)" runs in a subshell,
	# where an at_exit registration would be lost and the namespace leaked.
	echo "$ns" >>"$T/.netns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

# netns_trio NAME - namespaces qnmtest-NAMEh (the host), NAMEo (outside, on
# the uplink side) and NAMEg (a guest), IPv6 off in each; sets H, O and G and
# defines inh, ino, ing (run a command in each) and q (qnm in the host one).
netns_trio() {
	local ns
	new_netns "$1h" >/dev/null
	new_netns "$1o" >/dev/null
	new_netns "$1g" >/dev/null
	H=qnmtest-$1h-$$ O=qnmtest-$1o-$$ G=qnmtest-$1g-$$
	for ns in "$H" "$O" "$G"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	inh() { ip netns exec "$H" "$@"; }
	ino() { ip netns exec "$O" "$@"; }
	ing() { ip netns exec "$G" "$@"; }
	q() { inh timeout 30 "$QNM" "$@"; }
}

# listening NS PORT - a TCP listener on PORT in namespace NS.
listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# fetch NS ADDR PORT - what a TCP listener at ADDR:PORT sends, from NS; "fail" when none answers.
fetch() {
	timeout 10 ip netns exec "$1" socat -T 3 -u TCP:"$2:$3",connect-timeout=2 STDOUT 2>/dev/null || echo fail
}

# wait_for SECONDS CMD... - poll CMD every 0.1 s until it succeeds.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
