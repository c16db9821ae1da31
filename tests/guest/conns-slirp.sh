#!/bin/bash
# conns-slirp.sh - qnm conns on a slirp-helper NIC (see conns-common.sh).
GUEST_BACKEND=slirp exec /bin/bash "$(dirname "$0")/conns-common.sh"
