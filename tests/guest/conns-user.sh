#!/bin/bash
# conns-user.sh - qnm conns on QEMU's user-mode NIC (see conns-common.sh).
GUEST_BACKEND=user exec /bin/bash "$(dirname "$0")/conns-common.sh"
