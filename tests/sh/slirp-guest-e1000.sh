#!/bin/bash
# slirp backend with a e1000 guest: DHCP, forwards, guest -> host, counters (tests/slirp/guest-test.sh).
exec "$QNM_SRCDIR/tests/slirp/guest-test.sh" e1000
