#!/bin/bash
# slirp backend with a rtl8139 guest: DHCP, forwards, guest -> host, counters (tests/slirp/guest-test.sh).
exec "$QNM_SRCDIR/tests/slirp/guest-test.sh" rtl8139
