#!/usr/bin/env python3
# timed.py - run a command (stdout/stderr discarded) and print its wall time
# and its CPU time (user + system, from the kernel's accounting of the child
# and its children) in ms: "WALL CPU". Exit status is the command's.
# Used by the benchmarks where a loaded machine makes wall time noisy.
import resource
import subprocess
import sys
import time

r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t1 = time.monotonic()
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print("%.2f %.2f" % ((t1 - t0) * 1000, cpu * 1000))
sys.exit(rc)
