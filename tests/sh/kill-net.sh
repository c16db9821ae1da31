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
# a second network ("iso") stays up throughout and must never be touched.
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
SEED=${SEED:-$$}
RANDOM=$SEED
NS=$(new_netns kill)
in_ns() { ip netns exec "$NS" "$@"; }
q() { in_ns timeout 30 "$QNM" "$@"; }
OWNED=$XDG_RUNTIME_DIR/qnm/owned
RUN=$XDG_RUNTIME_DIR/qnm
FWD0=0

in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
in_ns sysctl -qw net.ipv4.ip_forward=$FWD0
in_ns ip link add qkup0 type veth peer name qkup1
in_ns ip addr add 10.80.0.1/24 dev qkup0
in_ns ip link set qkup0 up
fwds=()
for ((i = 0; i < 40; i++)); do fwds+=("forward+=tcp::$((9000 + i))-10.81.0.$((50 + i % 10)):80"); done
"$QNM" net add lan bridge=qkbr0 address=10.81.0.1/24 mode=nat uplink=qkup0 \
	dhcp-start=10.81.0.50 dhcp-end=10.81.0.60 "${fwds[@]}" >/dev/null || fatal "net add lan"
"$QNM" net add iso bridge=qkbr1 address=10.82.0.1/24 mode=isolated \
	dhcp-start=10.82.0.50 dhcp-end=10.82.0.60 >/dev/null || fatal "net add iso"

# ---- reading the host: one snapshot (few processes: the machine may be busy) ----
# snap: LINKS (ip -o link), TABLE (nft list table inet qnm, "" when none),
# FWD (ip_forward), DNS_lan/DNS_iso (pids of the processes whose command line
# names that network's pid file), RECS (sorted "kind name" of the records),
# NPEND (pending records), REC_UP (lan recorded up), NLAN (records of lan),
# LIVE/CONF (lan's forwards in the table / in its file, as port:guest:port).
snap() {
	local p comm args line k n rest e
	LINKS=$(ip -n "$NS" -o link show 2>/dev/null)
	TABLE=$(in_ns nft list table inet qnm 2>/dev/null)
	FWD=$(in_ns cat /proc/sys/net/ipv4/ip_forward)
	DNS_lan="" DNS_iso=""
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[ "$comm" = dnsmasq ] || continue
		mapfile -d "" args 2>/dev/null <"$p/cmdline"
		case " ${args[*]} " in
		*" --pid-file=$RUN/dnsmasq-lan.pid "*) DNS_lan+="${p#/proc/} " ;;
		*" --pid-file=$RUN/dnsmasq-iso.pid "*) DNS_iso+="${p#/proc/} " ;;
		esac
	done
	local -a recs=()
	NPEND=0 REC_UP=no NLAN=0
	if [ -f "$OWNED" ]; then
		while read -r k n _ rest; do
			case "$k" in '#'* | '') continue ;; esac
			recs+=("$k $n")
			case "$rest" in *pending=*) NPEND=$((NPEND + 1)) ;; esac
			[ "$k $n $rest" = "net lan qkbr0" ] && REC_UP=yes
			case "$n" in lan | qkbr0) NLAN=$((NLAN + 1)) ;; esac
		done <"$OWNED"
	fi
	RECS=$(printf '%s\n' "${recs[@]}" | sort | tr '\n' ' ')
	RECS=${RECS# }
	LIVE=""
	line=${TABLE#*map fwd_any*elements = \{ }
	[ "$line" != "$TABLE" ] && line=${line%%\}*} || line=""
	line=${line//$'\n'/ }
	IFS=, read -ra args <<<"$line"
	for e in "${args[@]}"; do # "tcp . 8081 : 10.81.0.50 . 81"
		read -r _ _ k _ n _ p <<<"$e"
		[ -n "$k" ] && LIVE+="$k:$n:$p "
	done
	CONF=""
	while read -r k _ rest; do
		[ "$k" = forward ] || continue
		for e in $rest; do # tcp::8081-10.81.0.50:81
			e=${e#tcp::}
			CONF+="${e%%-*}:${e#*-} "
		done
	done <"$XDG_CONFIG_HOME/qnm/networks/lan.conf"
	LIVE=$(printf '%s\n' $LIVE | sort | tr '\n' ' ')
	CONF=$(printf '%s\n' $CONF | sort | tr '\n' ' ')
}
link_exists() { case "$LINKS" in *": $1: "* | *": $1@"*) return 0 ;; *) return 1 ;; esac; }
table_has() { case "$TABLE" in *"\"$1\""*) return 0 ;; *) return 1 ;; esac; }
count() { set -- $1; echo $#; }

LEFT=0 LEFT_ROUNDS=0 LAST_LEFT=-1
declare -A LEFT_KIND=()
# leftover KIND TEXT - one thing found that should not be there (KIND: for the tally)
leftover() {
	LEFT=$((LEFT + 1))
	LEFT_KIND[$1]=$((${LEFT_KIND[$1]:-0} + 1))
	[ "$LAST_LEFT" != "$ROUND" ] && LEFT_ROUNDS=$((LEFT_ROUNDS + 1)) && LAST_LEFT=$ROUND
	[ "$LEFT" -le 15 ] && echo "LEFTOVER (round $ROUND, $OP killed after ${DELAY}us): $2"
}
iso_intact() {
	[ "$(count "$DNS_iso")" = 1 ] || leftover iso "iso: dnsmasq '$DNS_iso'"
	table_has qkbr1 || leftover iso "iso: its rules left table inet qnm"
	link_exists qkbr1 || leftover iso "iso: bridge qkbr1 gone"
}
check_up() {
	snap
	link_exists qkbr0 || leftover bridge "lan up: no bridge"
	[ "$(count "$DNS_lan")" = 1 ] || leftover dnsmasq "lan up: dnsmasq for lan: '$DNS_lan'"
	table_has qkbr0 || leftover table "lan up: no rules in table inet qnm"
	[ "$FWD" = 1 ] || leftover ip_forward "lan up: ip_forward $FWD"
	[ "$NPEND" = 0 ] || leftover records "lan up: pending records: $(grep pending= "$OWNED")"
	local want="bridge qkbr0 bridge qkbr1 dnsmasq iso dnsmasq lan net iso net lan nft inet-qnm sysctl net.ipv4.ip_forward "
	[ "$RECS" = "$want" ] || leftover records "lan up: records '$RECS'"
	[ "$LIVE" = "$CONF" ] || leftover forwards "lan up: live forwards '$LIVE' differ from the configuration '$CONF'"
	iso_intact
}
check_down() {
	snap
	link_exists qkbr0 && leftover bridge "lan down: bridge qkbr0 left"
	[ -z "$DNS_lan" ] || leftover dnsmasq "lan down: dnsmasq left: $DNS_lan"
	table_has qkbr0 && leftover table "lan down: its rules left in table inet qnm"
	[ "$FWD" = "$FWD0" ] || leftover ip_forward "lan down: ip_forward $FWD, was $FWD0"
	[ "$NPEND" = 0 ] || leftover records "lan down: pending records: $(grep pending= "$OWNED")"
	[ "$RECS" = "bridge qkbr1 dnsmasq iso net iso nft inet-qnm " ] || leftover records "lan down: records '$RECS'"
	iso_intact
}

# doctor on the half-done state: true to what the host has
LIES=0
lie() { LIES=$((LIES + 1)); [ "$LIES" -le 15 ] && echo "DOCTOR (round $ROUND, $OP killed after ${DELAY}us): $*"; }
check_doctor() {
	local out b=no d r=no
	out=$(q doctor --check networks 2>/dev/null)
	snap
	d=$(count "$DNS_lan")
	link_exists qkbr0 && b=yes
	table_has qkbr0 && r=yes
	if [ $REC_UP = yes ] && [ $b = yes ] && [ "$d" = 1 ] && [ $r = yes ]; then
		case "$out" in *"network lan is up"*) ;; *) lie "all of lan is up, doctor: $out" ;; esac
	elif [ $b = no ] && [ "$d" = 0 ] && [ $r = no ] && [ "$NLAN" = 0 ]; then
		case "$out" in *"network lan is down: nothing of it"*) ;; *) lie "nothing of lan left, doctor: $out" ;; esac
	else
		case "$out" in *"network lan is up"*) lie "half (bridge $b, dnsmasq $d, rules $r, recorded up $REC_UP, $NLAN records) called up: $out" ;; esac
		case "$out" in *"qnm net up lan"* | *"qnm net down lan"*) ;; *) lie "half (bridge $b, dnsmasq $d, rules $r, recorded up $REC_UP) without a fix: $out" ;; esac
	fi
	if [ "$FWD" != "$FWD0" ] && [ $REC_UP = no ]; then
		case "$out" in *"net.ipv4.ip_forward"*) ;; *) lie "ip_forward $FWD with lan not up, doctor silent: $out" ;; esac
	fi
	if [ $REC_UP = yes ] && [ $r = yes ] && [ "$LIVE" != "$CONF" ]; then
		case "$out" in *"in no network's configuration"* | *"not in table inet qnm"*) ;; *) lie "live forwards differ, doctor silent: $out" ;; esac
	fi
}
rec_up() { [ -f "$OWNED" ] && grep -q '^net lan [0-9]* qkbr0$' "$OWNED"; }

now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
# run "qnm ARGS" under timeout (as the kills do), print its wall time in us
timed() {
	local t0=$(now_us)
	in_ns timeout --foreground -s KILL 30 "$QNM" "$@" >/dev/null 2>&1 || fatal "qnm $* failed"
	echo $(($(now_us) - t0))
}
lan_up() { q net up lan >/dev/null 2>&1 || { leftover failed "net up lan failed: $(q net up lan 2>&1)"; }; }
lan_down() { q net down lan >/dev/null 2>&1 || { leftover failed "net down lan failed: $(q net down lan 2>&1)"; }; }

q net up iso >/dev/null || fatal "net up iso"
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
# mid-command (at most 2 x KILLS rounds).
MID=0 AFTER=0 ROUND=0
declare -A BY_OP=() DECILE=()
while [ $MID -lt "$KILLS" ] && [ $ROUND -lt $((2 * KILLS)) ]; do
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

# ---- the end: everything goes ----
OP=end DELAY=-
lan_down
q net down iso >/dev/null 2>&1 || leftover failed "net down iso failed"
snap
link_exists qkbr0 && leftover bridge "end: bridge qkbr0 left"
link_exists qkbr1 && leftover bridge "end: bridge qkbr1 left"
[ -z "$TABLE" ] || leftover table "end: table inet qnm left"
[ -z "$DNS_lan$DNS_iso" ] || leftover dnsmasq "end: dnsmasq left: $DNS_lan $DNS_iso"
[ "$FWD" = "$FWD0" ] || leftover ip_forward "end: ip_forward $FWD, was $FWD0"
[ -z "$RECS" ] || leftover records "end: records left: $RECS"

dist=""
for ((i = 0; i < 10; i++)); do dist+="${DECILE[$i]:-0} "; done
echo "kills: $ROUND rounds, $MID landed mid-command (up ${BY_OP[up]:-0}, down ${BY_OP[down]:-0}, forward add ${BY_OP[fwd]:-0}), $AFTER after the command had ended"
echo "kill moments by tenth of the command's duration: $dist"
kinds=""
for k in "${!LEFT_KIND[@]}"; do kinds+=" $k ${LEFT_KIND[$k]},"; done
echo "leftovers found: $LEFT in $LEFT_ROUNDS rounds${kinds:+ (by kind:${kinds%,})}; doctor untrue or silent: $LIES"
expect_eq "kills landed mid-command" "$KILLS" "$MID"
expect_eq "leftovers after the normal commands" 0 "$LEFT"
expect_eq "doctor true on every half-done state" 0 "$LIES"
finish
