#!/bin/bash
# capture-user.sh - qnm capture on QEMU's user-mode NIC (see capture-common.sh).
GUEST_BACKEND=user exec /bin/bash "$(dirname "$0")/capture-common.sh"
