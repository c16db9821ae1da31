#!/bin/bash
# capture-slirp.sh - qnm capture on a slirp-helper NIC (see capture-common.sh).
GUEST_BACKEND=slirp exec /bin/bash "$(dirname "$0")/capture-common.sh"
