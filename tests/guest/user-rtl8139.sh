#!/bin/bash
# user-rtl8139.sh - rtl8139 on QEMU's user-mode network (see user-common.sh).
GUEST_MODEL=rtl8139 exec /bin/bash "$(dirname "$0")/user-common.sh"
