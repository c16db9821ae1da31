#!/bin/bash
# slirp-virtio.sh - virtio-net-pci on qnm's own libslirp helper, started by
# the runner before QEMU (see user-common.sh).
GUEST_MODEL=virtio-net-pci GUEST_BACKEND=slirp exec /bin/bash "$(dirname "$0")/user-common.sh"
