#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu-check.py - start the real QEMU on a generated argv and check over QMP
that the NICs are what the config said.

  qemu-check.py --argv FILE --expect JSON [--listen PATH]... [--timeout S]

FILE holds the argv qnm generated, NUL-separated (argv[0] is the binary).
"-S -qmp unix:SOCK,server=on,wait=off" is appended, so the guest never runs
a single instruction. JSON:

  {"nics": [{"model": "e1000", "mac": "52:54:..", "type": "user",
             "id": "n0",                       # netdev id (-netdev style only)
             "peer": {"restrict": "on", ...},  # key=value in 'info network'
             "qtree": {"rx_queue_size": "512"}}], # device (or child) props in 'info qtree'
   "usernet": ["TCP[HOST_FORWARD] 127.0.0.1 2222 10.0.2.15 22"],
   "pidfile": PATH,       # holds QEMU's pid while it runs
   "sockets": [PATH...]}  # unix sockets QEMU listens on

Checks, per NIC: 'info network' lists a NIC of that model with that MAC
whose peer (the netdev) has that type, id and options; 'info qtree' has a
device of that model with that MAC, and query-pci shows the PCI vendor and
device ID of that model at the device's address. Also: 'info usernet'
lists the expected host forwards, the VM is paused ('prelaunch'), and QEMU
exits on 'quit'. --listen PATH listens on a unix socket first (the slirp
backend's -netdev stream connects to it). Exit 0 pass, 1 fail, 99 error.
"""
import argparse
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

# PCI (vendor, device) IDs per model, as QEMU 7.2 presents them.
PCI_IDS = {
    "e1000": {(0x8086, 0x100E)},
    "e1000e": {(0x8086, 0x10D3)},
    "rtl8139": {(0x10EC, 0x8139)},
    "virtio-net-pci": {(0x1AF4, 0x1000), (0x1AF4, 0x1041)},
    "i82559er": {(0x8086, 0x1209)},
    "pcnet": {(0x1022, 0x2000)},
    "ne2k_pci": {(0x10EC, 0x8029)},
    "vmxnet3": {(0x15AD, 0x07B0)},
}

FAILS = []


def ok(msg):
    print("ok: " + msg)


def fail(msg):
    print("FAIL: " + msg)
    FAILS.append(msg)


def check(cond, msg):
    if cond:
        ok(msg)
    else:
        fail(msg)
    return cond


class QMP:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.f = self.sock.makefile("rw")
        # QEMU 7.2 may emit an event (e.g. NETDEV_STREAM_CONNECTED) on a new
        # monitor connection before its greeting: skip events until it.
        for _ in range(100):
            greeting = json.loads(self.f.readline())
            if "QMP" in greeting:
                break
            if "event" not in greeting:
                raise RuntimeError("no QMP greeting: %r" % greeting)
        else:
            raise RuntimeError("no QMP greeting after 100 events")
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError("QMP connection closed during %s" % name)
            r = json.loads(line)
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"]))
            if "return" in r:
                return r["return"]

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})


def parse_info_network(text):
    """[(nic_name, {model, macaddr}, peer_name, {peer options})]"""
    out = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\S+): index=\d+,type=nic,(.*)$", line)
        if not m:
            continue
        opts = dict(kv.split("=", 1) for kv in m.group(2).split(",") if "=" in kv)
        peer, popts = None, {}
        if i + 1 < len(lines):
            p = re.match(r"^ \\ (\S+): (.*)$", lines[i + 1])
            if p:
                peer = p.group(1)
                popts = dict(kv.split("=", 1) for kv in p.group(2).split(",") if "=" in kv)
        out.append((m.group(1), opts, peer, popts))
    return out


def parse_qtree(text):
    """Every 'dev:' with its own properties and its child devices:
    [{"type": ..., "props": {...}, "children": [...]}]"""
    devs, stack = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        s = line.strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if s.startswith("dev: "):
            rec = {"type": s[5:].split(",")[0], "props": {}, "children": []}
            for _, up in reversed(stack):
                if up is not None:
                    up["children"].append(rec)
                    break
            devs.append(rec)
            stack.append((indent, rec))
        elif s.startswith("bus: "):
            stack.append((indent, None))
        else:
            m = re.match(r"^([\w.-]+) = (.*)$", s)
            if m and stack and stack[-1][1] is not None:
                stack[-1][1]["props"][m.group(1)] = m.group(2).strip('"')
    return devs


def dev_prop(dev, name):
    """Property @name of a device or, failing that, of its children (virtio-net-pci
    keeps the virtio-net properties on its virtio-net-device child)."""
    if name in dev["props"]:
        return dev["props"][name]
    for c in dev["children"]:
        v = dev_prop(c, name)
        if v is not None:
            return v
    return None


def dev_mac(dev):
    """The MAC of a NIC device; virtio-net-pci keeps it on its virtio-net-device child."""
    if "mac" in dev["props"]:
        return dev["props"]["mac"].lower()
    for c in dev["children"]:
        m = dev_mac(c)
        if m:
            return m
    return ""


def pci_devices(qmp):
    out = {}
    for bus in qmp.cmd("query-pci"):
        for d in bus["devices"]:
            out[(d["bus"], d["slot"], d["function"])] = d
    return out


def run(args):
    with open(args.argv, "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0") if a]
    expect = json.loads(args.expect)
    tmp = tempfile.mkdtemp(prefix="qnm-qemu-check.")
    qmp_path = os.path.join(tmp, "qmp.sock")
    listeners = []
    for path in args.listen:
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(path)
        ls.listen(4)
        listeners.append(ls)
    full = argv + ["-S", "-qmp", "unix:%s,server=on,wait=off" % qmp_path.replace(",", ",,")]
    print("running: " + " ".join(full))
    errlog = open(os.path.join(tmp, "stderr"), "w+")
    proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=errlog, stderr=errlog,
                            start_new_session=True)

    def on_alarm(signum, frame):
        raise TimeoutError("QEMU check took more than %d s" % args.timeout)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.timeout)
    try:
        qmp = None
        while qmp is None:
            if proc.poll() is not None:
                errlog.seek(0)
                fail("QEMU refused the command line (exit %d): %s"
                     % (proc.returncode, errlog.read().strip()))
                return
            try:
                qmp = QMP(qmp_path)
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
            except (ValueError, OSError):
                # QEMU opens its QMP socket before it checks -netdev, so a
                # refused argv can close the connection under us: wait for
                # the exit and report it as a refusal (loop above).
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    raise
                qmp = None
        ok("QEMU accepted the command line and answers QMP")
        status = qmp.cmd("query-status")
        check(status["status"] == "prelaunch" and not status["running"],
              "guest is paused before its first instruction (%s)" % status["status"])
        if "pidfile" in expect:
            try:
                with open(expect["pidfile"]) as f:
                    pid = f.read().strip()
            except OSError as e:
                pid = str(e)
            check(pid == str(proc.pid), "pid file %s holds QEMU's pid %d (%s)"
                  % (expect["pidfile"], proc.pid, pid))
        for path in expect.get("sockets", []):
            check(os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode),
                  "QEMU listens on %s" % path)
        net = parse_info_network(qmp.hmp("info network"))
        qtree = parse_qtree(qmp.hmp("info qtree"))
        pci = pci_devices(qmp)
        check(len(net) == len(expect["nics"]),
              "%d NIC(s) in 'info network' (expected %d)" % (len(net), len(expect["nics"])))
        for e in expect["nics"]:
            mac = e["mac"].lower()
            what = "%s %s" % (e["model"], mac)
            found = [n for n in net if n[1].get("model") == e["model"]
                     and n[1].get("macaddr", "").lower() == mac]
            if not check(len(found) == 1, "%s: NIC present in 'info network'" % what):
                continue
            _, _, peer, popts = found[0]
            check(popts.get("type") == e["type"],
                  "%s: backend type %s (QEMU says %s)" % (what, e["type"], popts.get("type")))
            if "id" in e:
                check(peer == e["id"], "%s: netdev id %s (QEMU says %s)" % (what, e["id"], peer))
            for k, v in e.get("peer", {}).items():
                check(popts.get(k) == v, "%s: netdev %s=%s (QEMU says %s)"
                      % (what, k, v, popts.get(k)))
            devs = [d for d in qtree if d["type"] == e["model"] and dev_mac(d) == mac]
            if not check(len(devs) == 1, "%s: device in 'info qtree'" % what):
                continue
            for k, v in e.get("qtree", {}).items():
                got = dev_prop(devs[0], k)
                got = got.split(" (0x")[0] if got else got  # "512 (0x200)"
                check(got == v, "%s: 'info qtree' %s = %s (QEMU says %s)" % (what, k, v, got))
            if e["model"] in PCI_IDS:
                addr = devs[0]["props"].get("addr", "")
                m = re.match(r"^([0-9a-f]+)\.([0-7])$", addr)
                if not check(m is not None, "%s: PCI address %s" % (what, addr)):
                    continue
                d = pci.get((0, int(m.group(1), 16), int(m.group(2))))
                ids = (d["id"]["vendor"], d["id"]["device"]) if d else None
                check(ids in PCI_IDS[e["model"]] and d["class_info"]["class"] == 0x200,
                      "%s: query-pci shows an Ethernet controller %s at %s"
                      % (what, "%04x:%04x" % ids if ids else "nothing", addr))
        if "usernet" in expect:
            un = qmp.hmp("info usernet")
            norm = [" ".join([r.split()[0]] + r.split()[2:6]) for r in un.splitlines()
                    if "HOST_FORWARD" in r]
            for fw in expect["usernet"]:
                check(fw in norm, "host forward '%s' in 'info usernet' (%s)" % (fw, norm))
        try:
            qmp.cmd("quit")
        except RuntimeError:
            pass  # the connection may close before the answer
        try:
            proc.wait(timeout=10)
            check(True, "QEMU exited on 'quit'")
        except subprocess.TimeoutExpired:
            fail("QEMU did not exit on 'quit'")
    finally:
        signal.alarm(0)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        for ls in listeners:
            ls.close()
        for name in ("qmp.sock", "stderr"):
            try:
                os.unlink(os.path.join(tmp, name))
            except FileNotFoundError:
                pass
        os.rmdir(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--argv", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--listen", action="append", default=[])
    ap.add_argument("--timeout", type=int, default=30)
    args = ap.parse_args()
    try:
        run(args)
    except Exception as e:  # a broken harness is an error, not a failure
        print("ERROR: %s: %s" % (type(e).__name__, e))
        return 99
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
