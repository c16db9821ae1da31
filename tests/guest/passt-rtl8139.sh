#!/bin/bash
# passt-rtl8139.sh - rtl8139 on the passt backend (see passt-common.sh).
GUEST_MODEL=rtl8139 exec /bin/bash "$(dirname "$0")/passt-common.sh"
