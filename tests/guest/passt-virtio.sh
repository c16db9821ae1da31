#!/bin/bash
# passt-virtio.sh - virtio-net-pci on the passt backend (see passt-common.sh).
GUEST_MODEL=virtio-net-pci exec /bin/bash "$(dirname "$0")/passt-common.sh"
