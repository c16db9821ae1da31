#!/bin/bash
# user-e1000.sh - e1000 on QEMU's user-mode network (see user-common.sh).
GUEST_MODEL=e1000 exec /bin/bash "$(dirname "$0")/user-common.sh"
