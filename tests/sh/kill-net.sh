#!/bin/bash
# kill-net.sh - SIGKILL "qnm net up", "qnm net down" and "qnm forward add --net"
# at random moments (a delay in microseconds drawn uniformly over the measured
# duration of the command, not chosen points), all inside a network namespace
# this test makes, with real bridges, nftables and dnsmasq. After each kill:
#   - "qnm doctor --check networks" on the half-done state must say something
#     true of it (not "up" when it is not; a fix naming the network when half);
#   - the normal command (net up after up or forward add, net down after down)
#     must succeed and leave exactly its state: nothing left over (links,
#     table rules, dnsmasq, ip_forward, records), nothing pending;
# a second network ("side") stays up throughout and must never be touched.
# At the end both go down: no qnm link, no table inet qnm, no dnsmasq, ip_forward
# back to its value before, no record. Prints the counts.
#   KILLS=N (default 150) kills that land mid-command; SEED=N for a repeatable run.
. "$QNM_SRCDIR/tests/lib.sh"

need_root
need_cmd jq jq
need_cmd nft nftables
need_cmd dnsmasq dnsmasq-base
need_cmd timeout coreutils

KILLS=${KILLS:-150}
. "$QNM_SRCDIR/tests/kill-lib.sh"

# durations: the median of 5 runs each
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
ups=() downs=() adds=()
for ((i = 0; i < 5; i++)); do
	ups+=("$(timed net up lan)")
	adds+=("$(timed forward add --net lan "tcp::$((8000 + i))-10.81.0.60:80")")
	downs+=("$(timed net down lan)")
done
D_up=$(median "${ups[@]}") D_down=$(median "${downs[@]}") D_fwd=$(median "${adds[@]}")
echo "durations (us, median of 5): net up $D_up, net down $D_down, forward add $D_fwd; seed $SEED"
# a command that ended before its kill is a new sample: the duration follows the machine's load
sample() {
	case $OP in
	up) ups=("${ups[@]:1}" "$1"); D_up=$(median "${ups[@]}") ;;
	down) downs=("${downs[@]:1}" "$1"); D_down=$(median "${downs[@]}") ;;
	fwd) adds=("${adds[@]:1}" "$1"); D_fwd=$(median "${adds[@]}") ;;
	esac
}

# Each round kills the command that applies to lan's state: down -> net up;
# up -> net down or forward add (even odds). A round whose command ended
# before its kill counts apart; rounds go on until KILLS kills landed
# mid-command (at most 3 x KILLS rounds).
MID=0 AFTER=0 ROUND=0
declare -A BY_OP=() DECILE=()
while [ $MID -lt "$KILLS" ] && [ $ROUND -lt $((3 * KILLS)) ]; do
	ROUND=$((ROUND + 1))
	if ! rec_up; then
		OP=up D=$D_up ARGS=(net up lan)
	elif [ $((RANDOM % 2)) = 0 ]; then
		OP=down D=$D_down ARGS=(net down lan)
	else
		OP=fwd D=$D_fwd ARGS=(forward add --net lan "tcp::$((20000 + ROUND))-10.81.0.$((50 + ROUND % 10)):80")
	fi
	DELAY=$((((RANDOM << 15) | RANDOM) % D))
	t0=${EPOCHREALTIME//[.,]/}
	in_ns timeout --foreground -s KILL "$(printf '%d.%06d' $((DELAY / 1000000)) $((DELAY % 1000000)))" \
		"$QNM" "${ARGS[@]}" >/dev/null 2>&1
	rc=$?
	if [ $rc = 137 ]; then
		MID=$((MID + 1))
		BY_OP[$OP]=$((${BY_OP[$OP]:-0} + 1))
		DECILE[$((DELAY * 10 / D))]=$((${DECILE[$((DELAY * 10 / D))]:-0} + 1))
		check_doctor
	else
		AFTER=$((AFTER + 1))
		sample $((${EPOCHREALTIME//[.,]/} - t0))
		continue
	fi
	case $OP in
	up | fwd) lan_up; check_up ;;
	down) lan_down; check_down ;;
	esac
done

kill_end
