#!/bin/bash
# ovn-lab.sh - the OVN lab of tests/guest/lib-ovn.sh works before qnm is
# asked anything: central + two hosts, both chassis registered with Geneve
# encapsulation; a logical switch with a port on each host (an OVS internal
# port bound by external_ids:iface-id, set up here with the OVS tools as
# an admin would) passes a first cross-host ping; teardown leaves no
# namespace and no process of the lab.
: "${QNM_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
GUEST_TIMEOUT=60
. "$QNM_SRCDIR/tests/guest/lib-guest.sh"
. "$QNM_SRCDIR/tests/guest/lib-ovn.sh"

t0=$(date +%s%N)
ovn_lab_up a b
echo "# lab up (central + 2 hosts, chassis registered): $((($(date +%s%N) - t0) / 1000000)) ms"
expect_eq "both chassis use geneve" "geneve geneve" \
	"$(sbctl --bare --columns=type list encap | grep . | tr '\n' ' ' | sed 's/ $//')"
nbctl ls-add lab -- lsp-add lab pa -- lsp-set-addresses pa "02:00:00:00:00:0a 10.90.0.10" \
	-- lsp-add lab pb -- lsp-set-addresses pb "02:00:00:00:00:0b 10.90.0.11" || fatal "nbctl"
for h in a b; do
	mac=02:00:00:00:00:0$h
	[ $h = a ] && ip=10.90.0.10 || ip=10.90.0.11
	vsctl $h add-port br-int lp -- set interface lp type=internal external_ids:iface-id=p$h ||
		fatal "port on $h"
	wait_for 5 ip -n ovn$h link show lp >/dev/null || fatal "lp on $h"
	ip -n ovn$h link set lp address $mac mtu 1400 up
	ip -n ovn$h addr add $ip/24 dev lp
	ip netns exec ovn$h ethtool -K lp tx off >/dev/null
done
nbctl --wait=hv --timeout=20 sync || fatal "nbctl sync"
check "cross-host ping a -> b over Geneve" wait_for 10 ip netns exec ovna "$BB" ping -c1 -W1 10.90.0.11
ovn_ns_down a
ovn_ns_down b
ovn_ns_down c
expect_eq "teardown: no lab namespace left" "" "$(ip netns list)"
finish
