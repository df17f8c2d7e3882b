#!/usr/bin/env python3
"""A steady sender for tools.stat_watch: one broadcast (the shim hands it to the kernel) and one
datagram too long for UDP (EMSGSIZE), then bursts of --burst datagrams to --dest every 10 ms for
--seconds, writing after each burst "MONOTONIC COUNT" (its own count of datagrams sent, the clock
shim-stat uses) to --log; then it holds (sends nothing) for --hold seconds, and exits.
Prints "started" when the loop begins."""
import argparse
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument('--dest', default='192.0.2.2')
ap.add_argument('--seconds', type=float, default=5)
ap.add_argument('--burst', type=int, default=20)
ap.add_argument('--hold', type=float, default=2)
ap.add_argument('--log', required=True)
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b'to all', ('192.0.2.255', 9000))
try:
    s.sendto(b'x' * 70000, (a.dest, 9000))
except OSError:
    pass
log = open(a.log, 'w')
count = 0
print('started', flush=True)
end = time.monotonic() + a.seconds
while time.monotonic() < end:
    for _ in range(a.burst):
        s.sendto(b'rate', (a.dest, 9000))
    count += a.burst
    log.write(f'{time.monotonic():.6f} {count}\n')
    time.sleep(0.01)
log.close()
print('done', flush=True)
time.sleep(a.hold)
