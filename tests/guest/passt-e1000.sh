#!/bin/bash
# passt-e1000.sh - e1000 on the passt backend (see passt-common.sh).
GUEST_MODEL=e1000 exec /bin/bash "$(dirname "$0")/passt-common.sh"
