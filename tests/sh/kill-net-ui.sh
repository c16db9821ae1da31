#!/bin/bash
# kill-net-ui.sh - SIGKILL qnm's text UI while it brings a network up (the u
# key on the Networks screen), at a random moment: a delay in microseconds
# drawn uniformly over the measured time from the key to the network being
# recorded up. Inside a network namespace this test makes (real bridges,
# nftables, dnsmasq), with the checks of kill-net.sh (tests/kill-lib.sh): after
# each kill doctor must be true to the half-done state, then "qnm net up"
# finishes it and "qnm net down" removes all of it: no leftovers.
#   KILLS=N (default 20) kills that land mid-change; SEED=N for a repeatable run.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base
. "$QNM_SRCDIR/tests/ui-lib.sh"

KILLS=${KILLS:-20}
. "$QNM_SRCDIR/tests/kill-lib.sh"
UI_PREFIX=(ip netns exec "$NS")

# the UI's qnm process: the child of the pane's shell
ui_pid() {
	local sh
	sh=$(_ui display -p -t "$UI_TARGET" '#{pane_pid}' 2>/dev/null) || return 1
	ps -o pid= --ppid "$sh" | tr -d ' '
}
# start the UI on the Networks screen with lan listed as down; print its pid
ui_ready() {
	_ui kill-server 2>/dev/null
	ui_start -x 100 -y 30
	ui_wait "NICS (model/backend)" 10 >/dev/null || fatal "UI did not start"
	ui_keys 2
	ui_wait " lan          down " 10 >/dev/null || fatal "lan not listed as down"
	ui_pid
}
# a pipe nobody writes to: "read -t" on it sleeps without a process
exec {NAP}<> <(:)
# wait until lan is recorded up (plain record), at most 30 s; 0 when it is
wait_up() {
	local t1=$((${EPOCHREALTIME//[.,]/} + 30000000)) line
	while [ "${EPOCHREALTIME//[.,]/}" -lt $t1 ]; do
		if [ -f "$OWNED" ]; then
			while read -r line; do
				[[ "$line" =~ ^net\ lan\ [0-9]+\ qkbr0$ ]] && return 0
			done <"$OWNED"
		fi
		read -r -t 0.001 -u "$NAP" _
	done
	return 1
}

# the duration: from the key to lan recorded up, median of 3
durs=()
for ((i = 0; i < 3; i++)); do
	ui_ready >/dev/null
	t0=${EPOCHREALTIME//[.,]/}
	_ui send-keys -t "$UI_TARGET" u
	wait_up || fatal "the UI did not bring lan up"
	durs+=($((${EPOCHREALTIME//[.,]/} - t0)))
	lan_down
done
D=$(printf '%s\n' "${durs[@]}" | sort -n | sed -n 2p)
echo "duration (us, key to recorded up, median of 3): $D; seed $SEED"

MID=0 AFTER=0 ROUND=0 OP=ui-up
declare -A BY_OP=() DECILE=()
# a loaded host makes the measured duration long for some rounds: up to 6 tries per kill
while [ $MID -lt "$KILLS" ] && [ $ROUND -lt $((6 * KILLS)) ]; do
	ROUND=$((ROUND + 1))
	pid=$(ui_ready)
	[ -n "$pid" ] || fatal "no UI process"
	DELAY=$((((RANDOM << 15) | RANDOM) % D))
	_ui send-keys -t "$UI_TARGET" u
	read -r -t "$(printf '%d.%06d' $((DELAY / 1000000)) $((DELAY % 1000000)))" -u "$NAP" _
	kill -9 "$pid"
	wait_for 5 ui_dead || fatal "the UI did not die"
	if rec_up; then
		AFTER=$((AFTER + 1)) # it had finished
	else
		MID=$((MID + 1))
		BY_OP[up]=$((${BY_OP[up]:-0} + 1))
		DECILE[$((DELAY * 10 / D))]=$((${DECILE[$((DELAY * 10 / D))]:-0} + 1))
		check_doctor
	fi
	lan_up
	check_up
	lan_down
	check_down
done
_ui kill-server 2>/dev/null
kill_end
