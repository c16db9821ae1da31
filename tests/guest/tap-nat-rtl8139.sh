#!/bin/bash
# tap-nat-rtl8139.sh - rtl8139 on a TAP in a qnm NAT network (see tap-nat-common.sh).
GUEST_MODEL=rtl8139 exec /bin/bash "$(dirname "$0")/tap-nat-common.sh"
