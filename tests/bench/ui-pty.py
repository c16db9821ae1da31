#!/usr/bin/env python3
# ui-pty.py - run a full-screen program in a pseudo-terminal and measure it
# (helper of tests/bench/ui-bench.sh).
#
#   ui-pty.py frame  MARK -- CMD...         ms until MARK is on the screen,
#                                           then idle RSS after 3 s
#   ui-pty.py count MARK KEYS MARK2 N -- CMD...
#                                           ms until MARK is on the screen,
#                                           then ms until MARK2 was written
#                                           N times after typing KEYS
#   ui-pty.py cpu SECS KEYS QUITKEYS -- CMD...
#                                           CPU seconds used over SECS after
#                                           typing KEYS (2 s to settle first)
import fcntl, os, pty, select, signal, struct, sys, termios, time

def spawn(cmd, rows=24, cols=80):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = os.environ.get("TERM", "xterm-256color")
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return pid, fd

def drain(fd, secs, until=None):
    """Read output for up to secs; stop early when until (bytes) was seen."""
    buf = b""
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return buf, False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return buf, False
            if not data:
                return buf, False
            buf += data
            if until is not None and until in buf:
                return buf, True

def cpu_of(pid):
    """CPU seconds of all threads of pid, in ns resolution (schedstat: time on
    CPU), not the 10 ms ticks of /proc/PID/stat."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total / 1e9

def rss_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

def finish(pid, fd, keys):
    os.write(fd, keys)
    drain(fd, 2)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)

def main():
    args = sys.argv[1:]
    sep = args.index("--")
    opts, cmd = args[:sep], args[sep + 1:]
    if opts[0] == "frame":
        mark = opts[1].encode()
        t0 = time.monotonic()
        pid, fd = spawn(cmd)
        buf, seen = drain(fd, 10, mark)
        t1 = time.monotonic()
        if not seen:
            print("error: mark not seen; output:", buf[-400:], file=sys.stderr)
            finish(pid, fd, b"\x1b[21~")
            return 1
        drain(fd, 3)
        print("first_frame_ms %.1f" % ((t1 - t0) * 1000))
        print("idle_rss_kb %d" % rss_of(pid))
        c0 = cpu_of(pid)
        drain(fd, 5)
        print("idle_cpu_5s %.4f" % (cpu_of(pid) - c0))
        finish(pid, fd, b"\x1b[21~")
        return 0
    if opts[0] == "count":
        mark, keys, mark2, n = opts[1].encode(), opts[2].encode(), opts[3].encode(), int(opts[4])
        t0 = time.monotonic()
        pid, fd = spawn(cmd)
        buf, seen = drain(fd, 10, mark)
        t1 = time.monotonic()
        os.write(fd, keys)
        after = b""
        end = time.monotonic() + 20
        while seen and after.count(mark2) < n and time.monotonic() < end:
            more, _ = drain(fd, 0.05)
            after += more
        t2 = time.monotonic()
        if not seen or after.count(mark2) < n:
            print("error: marks not seen; output:", (buf + after)[-400:], file=sys.stderr)
            finish(pid, fd, b"q")
            return 1
        print("first_frame_ms %.1f" % ((t1 - t0) * 1000))
        print("count_ms %.1f" % ((t2 - t0) * 1000))
        finish(pid, fd, b"q")
        return 0
    if opts[0] == "cpu":
        secs = float(opts[1])
        keys = opts[2].encode().decode("unicode_escape").encode()
        quit_keys = opts[3].encode().decode("unicode_escape").encode()
        pid, fd = spawn(cmd)
        drain(fd, 2)
        os.write(fd, keys)
        drain(fd, 2)
        c0 = cpu_of(pid)
        drain(fd, secs)
        c1 = cpu_of(pid)
        print("cpu_seconds %.4f" % (c1 - c0))
        print("rss_kb %d" % rss_of(pid))
        finish(pid, fd, quit_keys)
        return 0
    return 2

sys.exit(main())
