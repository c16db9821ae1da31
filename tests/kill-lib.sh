# tests/kill-lib.sh - what the kill tests (kill-net.sh, kill-net-ui.sh) share:
# a namespace with an uplink, network "lan" (nat, DHCP, 40 forwards) and
# network "side" (isolated, DHCP, up throughout), one snapshot of the host
# (few processes: the machine may be busy), the checks after the normal
# command, the doctor check on a half-done state, and the closing tally.
# Sourced after tests/lib.sh; the test sets KILLS before.
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
	dhcp-start=10.81.0.50 dhcp-end=10.81.0.60 "${fwds[@]}" >/dev/null 2>&1 || fatal "net add lan"
"$QNM" net add side bridge=qkbr1 address=10.82.0.1/24 mode=isolated \
	dhcp-start=10.82.0.50 dhcp-end=10.82.0.60 >/dev/null || fatal "net add side"

# ---- reading the host: one snapshot (few processes: the machine may be busy) ----
# snap: LINKS (ip -o link), TABLE (nft list table inet qnm, "" when none),
# FWD (ip_forward), DNS_lan/DNS_side (pids of the processes whose command line
# names that network's pid file), RECS (sorted "kind name" of the records),
# NPEND (pending records), REC_UP (lan recorded up), NLAN (records of lan),
# LIVE/CONF (lan's forwards in the table / in its file, as port:guest:port).
snap() {
	local p comm args line k n rest e
	LINKS=$(ip -n "$NS" -o link show 2>/dev/null)
	TABLE=$(in_ns nft list table inet qnm 2>/dev/null)
	FWD=$(in_ns cat /proc/sys/net/ipv4/ip_forward)
	DNS_lan="" DNS_side=""
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[ "$comm" = dnsmasq ] || continue
		mapfile -d "" args 2>/dev/null <"$p/cmdline"
		case " ${args[*]} " in
		*" --pid-file=$RUN/dnsmasq-lan.pid "*) DNS_lan+="${p#/proc/} " ;;
		*" --pid-file=$RUN/dnsmasq-side.pid "*) DNS_side+="${p#/proc/} " ;;
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
side_intact() {
	[ "$(count "$DNS_side")" = 1 ] || leftover side "side: dnsmasq '$DNS_side'"
	table_has qkbr1 || leftover side "side: its rules left table inet qnm"
	link_exists qkbr1 || leftover side "side: bridge qkbr1 gone"
}
check_up() {
	snap
	link_exists qkbr0 || leftover bridge "lan up: no bridge"
	[ "$(count "$DNS_lan")" = 1 ] || leftover dnsmasq "lan up: dnsmasq for lan: '$DNS_lan'"
	table_has qkbr0 || leftover table "lan up: no rules in table inet qnm"
	[ "$FWD" = 1 ] || leftover ip_forward "lan up: ip_forward $FWD"
	[ "$NPEND" = 0 ] || leftover records "lan up: pending records: $(grep pending= "$OWNED")"
	local want="bridge qkbr0 bridge qkbr1 dnsmasq lan dnsmasq side net lan net side nft inet-qnm sysctl net.ipv4.conf.qkbr0.route_localnet sysctl net.ipv4.conf.qkbr1.route_localnet sysctl net.ipv4.ip_forward "
	[ "$RECS" = "$want" ] || leftover records "lan up: records '$RECS'"
	[ "$LIVE" = "$CONF" ] || leftover forwards "lan up: live forwards '$LIVE' differ from the configuration '$CONF'"
	side_intact
}
check_down() {
	snap
	link_exists qkbr0 && leftover bridge "lan down: bridge qkbr0 left"
	[ -z "$DNS_lan" ] || leftover dnsmasq "lan down: dnsmasq left: $DNS_lan"
	table_has qkbr0 && leftover table "lan down: its rules left in table inet qnm"
	[ "$FWD" = "$FWD0" ] || leftover ip_forward "lan down: ip_forward $FWD, was $FWD0"
	[ "$NPEND" = 0 ] || leftover records "lan down: pending records: $(grep pending= "$OWNED")"
	[ "$RECS" = "bridge qkbr1 dnsmasq side net side nft inet-qnm sysctl net.ipv4.conf.qkbr1.route_localnet " ] || leftover records "lan down: records '$RECS'"
	side_intact
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

q net up side >/dev/null || fatal "net up side"

# kill_end - both networks go down; nothing of qnm's may stay; print the tally.
kill_end() {
	OP=end DELAY=-
	lan_down
	q net down side >/dev/null 2>&1 || leftover failed "net down side failed"
	snap
	link_exists qkbr0 && leftover bridge "end: bridge qkbr0 left"
	link_exists qkbr1 && leftover bridge "end: bridge qkbr1 left"
	[ -z "$TABLE" ] || leftover table "end: table inet qnm left"
	[ -z "$DNS_lan$DNS_side" ] || leftover dnsmasq "end: dnsmasq left: $DNS_lan $DNS_side"
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
}
