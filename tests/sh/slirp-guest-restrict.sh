#!/bin/bash
# slirp backend with --restrict: the guest reaches neither the host nor the outside,
# forwards still work (tests/slirp/guest-test.sh).
exec "$QNM_SRCDIR/tests/slirp/guest-test.sh" virtio-net-pci restrict
