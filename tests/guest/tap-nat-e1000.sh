#!/bin/bash
# tap-nat-e1000.sh - e1000 on a TAP in a qnm NAT network (see tap-nat-common.sh).
GUEST_MODEL=e1000 exec /bin/bash "$(dirname "$0")/tap-nat-common.sh"
