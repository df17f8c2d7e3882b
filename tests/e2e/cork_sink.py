#!/usr/bin/env python3
"""Receiver for the e2e corking test (tests/progs/cork_threads.c): binds ADDR:PORT, prints "ready",
and receives until every piece (t, seq) for t < THREADS, seq < COUNT arrived or TIMEOUT passed.
Checks that every datagram is a whole number of intact 100-byte pieces, that each piece arrived
exactly once, and that each thread's pieces arrived in order. Prints "cork ok" and a summary, or
what is wrong."""
import argparse
import re
import socket
import sys
import time

PIECE = 100
HEAD = re.compile(rb'T(\d+) S(\d+) ')


def parse(piece):
    m = HEAD.match(piece)
    if not m:
        return None
    t, seq = int(m.group(1)), int(m.group(2))
    want = bytes(ord('a') + (i * 7 + seq * 3 + t) % 26 for i in range(m.end(), PIECE))
    return (t, seq) if piece[m.end():] == want else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('addr')
    ap.add_argument('port', type=int)
    ap.add_argument('threads', type=int)
    ap.add_argument('count', type=int)
    ap.add_argument('--timeout', type=float, default=30)
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE: never drop a burst
    s.bind((a.addr, a.port))
    print('ready', flush=True)
    deadline = time.monotonic() + a.timeout
    total = a.threads * a.count
    seen, last, bad, dgrams, sizes = set(), {}, [], 0, {}
    while len(seen) < total and not bad:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data = s.recv(65535)
        except socket.timeout:
            break
        dgrams += 1
        n = len(data) // PIECE
        sizes[n] = sizes.get(n, 0) + 1
        if len(data) == 0 or len(data) % PIECE:
            bad.append(f'datagram of {len(data)} bytes')
            break
        for k in range(n):
            p = parse(data[k * PIECE:(k + 1) * PIECE])
            if p is None:
                bad.append(f'piece {k} of a {len(data)}-byte datagram is corrupt')
            elif p in seen:
                bad.append(f'piece {p} twice')
            elif p[1] <= last.get(p[0], -1):
                bad.append(f'piece {p} after seq {last[p[0]]} of its thread')
            else:
                seen.add(p)
                last[p[0]] = p[1]
    multi = sum(v for k, v in sizes.items() if k > 1)
    big = sum(v for k, v in sizes.items() if k * PIECE + 28 > 1500)
    print(f'{len(seen)} of {total} pieces in {dgrams} datagrams ({multi} of several pieces, '
          f'{big} fragmented, largest {max(sizes) if sizes else 0} pieces)')
    if bad:
        print('\n'.join(bad[:10]))
    elif len(seen) == total:
        print('cork ok')
    else:
        print('missing pieces')
    return 0 if not bad and len(seen) == total else 1


if __name__ == '__main__':
    sys.exit(main())
