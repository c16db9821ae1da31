#!/usr/bin/env python3
# nlwrites.py STRACE_LOG BLOB - what a command changed in the kernel, from
# "strace -s 1000000 -e trace=socket,openat,sendto,sendmsg,write -e write=all":
# its netlink requests that change something (RTM_NEWLINK, RTM_NEWADDR, an
# nfnetlink batch; not the GET requests it checks state with) and its writes
# to /proc/sys, in order, as records for netup-floor: u32 kind (the netlink
# protocol, or 0xffffffff for a /proc/sys write), u32 length, the bytes (for
# /proc/sys: the path, a NUL, the value). Prints one line per record.
import re
import struct
import sys

SYSCTL = 0xFFFFFFFF
RTM_GETS = (18, 22, 26)  # RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE
NFNL_MSG_BATCH_BEGIN = 16
PROTO = {"NETLINK_ROUTE": 0, "NETLINK_NETFILTER": 12}

fd_proto, fd_path, out, cur = {}, {}, [], None
for line in open(sys.argv[1]):
    m = re.match(r"socket\(AF_NETLINK, [^,]+, (NETLINK_\w+)\) = (\d+)", line)
    if m:
        fd_proto[int(m.group(2))] = PROTO[m.group(1)]
        fd_path.pop(int(m.group(2)), None)
        cur = None
        continue
    m = re.match(r'openat\(AT_FDCWD, "(/proc/sys/[^"]+)", O_WRONLY[^)]*\) = (\d+)', line)
    if m:
        fd_path[int(m.group(2))] = m.group(1)
        fd_proto.pop(int(m.group(2)), None)
        cur = None
        continue
    m = re.match(r"(sendto|sendmsg|write)\((\d+),", line)
    if m:
        fd = int(m.group(2))
        if m.group(1) == "write" and fd in fd_path:
            cur = [SYSCTL, bytearray(fd_path[fd].encode() + b"\0")]
        elif m.group(1) != "write" and fd in fd_proto:
            cur = [fd_proto[fd], bytearray()]
        else:
            cur = None
            continue
        out.append(cur)
        continue
    if cur is not None and line.startswith(" | "):
        cur[1] += bytes.fromhex(line[10:59].replace(" ", ""))
    elif cur is not None and line.startswith(" * "):
        continue
    else:
        cur = None

kept = 0
with open(sys.argv[2], "wb") as f:
    for kind, b in out:
        if kind != SYSCTL:
            t = struct.unpack_from("<H", b, 4)[0]
            if (kind == 0 and t in RTM_GETS) or (kind == 12 and t != NFNL_MSG_BATCH_BEGIN):
                continue
            print("netlink %d type %d, %d bytes" % (kind, t, len(b)))
        else:
            print("sysctl %s" % b.split(b"\0")[0].decode())
        f.write(struct.pack("<II", kind, len(b)) + b)
        kept += 1
if kept == 0:
    sys.exit("nlwrites: no netlink or /proc/sys write in " + sys.argv[1])
