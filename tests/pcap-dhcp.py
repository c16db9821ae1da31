#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pcap-dhcp.py FILE.pcap MAC - read a classic pcap (Ethernet) and list its
DHCP messages; exit 0 when a DISCOVER sent by MAC and an OFFER to MAC are
both there, 1 when not, 2 when FILE is not a readable pcap.

Prints one line per DHCP message ("DISCOVER from 52:54:.. xid 0x..."), then
"packets=N". Standard library only.
"""
import struct
import sys

DHCP_TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
              7: "RELEASE", 8: "INFORM"}


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("shorter than a pcap header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xa1b2c3d4:
        end = "<"
    elif magic == 0xd4c3b2a1:
        end = ">"
    else:
        raise ValueError("bad magic 0x%08x" % magic)
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError("link type %d is not Ethernet" % linktype)
    off = 24
    while off + 16 <= len(data):
        _sec, _usec, incl, _orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break  # a record cut short (file still being written)
        yield data[off:off + incl]
        off += incl


def dhcp_of(frame):
    """(type, src_mac, chaddr, xid) of a DHCP frame, or None."""
    if len(frame) < 14:
        return None
    src = frame[6:12]
    etype = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if etype == 0x8100 and len(frame) >= 18:  # one VLAN tag
        etype = struct.unpack("!H", frame[16:18])[0]
        p = frame[18:]
    if etype != 0x0800 or len(p) < 20 or p[0] >> 4 != 4 or p[9] != 17:
        return None
    ihl = (p[0] & 15) * 4
    udp = p[ihl:]
    if len(udp) < 8:
        return None
    sport, dport = struct.unpack("!HH", udp[:4])
    if {sport, dport} != {67, 68}:
        return None
    b = udp[8:]
    if len(b) < 240 or b[236:240] != b"\x63\x82\x53\x63":
        return None
    xid = struct.unpack("!I", b[4:8])[0]
    chaddr = b[28:34]
    i, mtype = 240, None
    while i < len(b):
        code = b[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(b):
            break
        ln = b[i + 1]
        if code == 53 and ln >= 1 and i + 2 < len(b):
            mtype = b[i + 2]
        i += 2 + ln
    return mtype, src, chaddr, xid


def main():
    if len(sys.argv) != 3:
        print("usage: pcap-dhcp.py FILE.pcap MAC", file=sys.stderr)
        return 2
    path, mac = sys.argv[1], sys.argv[2].lower()
    try:
        frames = list(read_pcap(path))
    except (OSError, ValueError) as e:
        print("%s: not a readable pcap: %s" % (path, e), file=sys.stderr)
        return 2
    discover = offer = False
    for fr in frames:
        d = dhcp_of(fr)
        if not d:
            continue
        mtype, src, chaddr, xid = d
        name = DHCP_TYPES.get(mtype, "type-%s" % mtype)
        print("%s from %s for %s xid 0x%08x" % (name, mac_str(src), mac_str(chaddr), xid))
        if mtype == 1 and mac_str(src) == mac and mac_str(chaddr) == mac:
            discover = True
        if mtype == 2 and mac_str(chaddr) == mac:
            offer = True
    print("packets=%d" % len(frames))
    return 0 if discover and offer else 1


if __name__ == "__main__":
    sys.exit(main())
