#!/bin/bash
# tap-nat-virtio.sh - virtio-net-pci on a TAP in a qnm NAT network (see tap-nat-common.sh).
GUEST_MODEL=virtio-net-pci exec /bin/bash "$(dirname "$0")/tap-nat-common.sh"
