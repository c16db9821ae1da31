#!/bin/bash
# user-virtio.sh - virtio-net-pci on QEMU's user-mode network (see user-common.sh).
GUEST_MODEL=virtio-net-pci exec /bin/bash "$(dirname "$0")/user-common.sh"
