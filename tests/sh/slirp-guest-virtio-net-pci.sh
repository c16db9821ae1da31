#!/bin/bash
# slirp backend with a virtio-net-pci guest: DHCP, forwards, guest -> host, counters (tests/slirp/guest-test.sh).
exec "$QNM_SRCDIR/tests/slirp/guest-test.sh" virtio-net-pci
