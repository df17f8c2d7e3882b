#!/usr/bin/env python3
"""A kernel UDP receiver for the e2e tests: binds ADDR:PORT in its namespace, prints "ready", then
receives until COUNT datagrams arrived or TIMEOUT seconds passed, and prints a summary line:
  received N bytes B from P peers
With --threads T: checks the thread_sender payloads ("T<t> S<seq> " + pattern): every (t, seq) for
t < T and seq < COUNT/T exactly once and each pattern intact; prints "threads ok" or what is wrong.
With --dump: prints each datagram (length, peer, first 48 bytes; with --ttl its IP TTL)."""
import argparse
import socket
import sys
import time


def pattern_ok(data):
    head, _, _ = data.partition(b' S')
    try:
        t = int(head[1:])
        rest = data[len(head) + 2:]
        seq_txt, _, _ = rest.partition(b' ')
        seq = int(seq_txt)
    except ValueError:
        return None
    n = len(head) + 2 + len(seq_txt) + 1
    expect = bytes(ord('a') + (i * 31 + seq + t) % 26 for i in range(n, len(data)))
    want_len = n + 64 + (seq * 7 + t * 13) % 300
    if data[n:] != expect or len(data) != want_len:
        return (t, seq, False)
    return (t, seq, True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('addr')
    ap.add_argument('port', type=int)
    ap.add_argument('count', type=int)
    ap.add_argument('--timeout', type=float, default=20)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--dump', action='store_true')
    ap.add_argument('--ttl', action='store_true', help='with --dump: each datagram\'s IP TTL too')
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET6 if ':' in a.addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE: never drop a burst
    s.bind((a.addr, a.port))
    if a.ttl:
        s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL
    print('ready', flush=True)
    deadline = time.monotonic() + a.timeout
    got, nbytes, peers, seen, bad = 0, 0, set(), {}, []
    while got < a.count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, anc, _, peer = s.recvmsg(65535, socket.CMSG_SPACE(4))
        except socket.timeout:
            break
        ttl = ''.join(f' ttl {int.from_bytes(d[:4], sys.byteorder)}' for lvl, typ, d in anc
                      if lvl == socket.IPPROTO_IP and typ == 2)  # IP_TTL
        got += 1
        nbytes += len(data)
        peers.add(peer)
        if a.dump:
            print(f'datagram {len(data)} from {peer[0]}:{peer[1]} {data[:48]!r}{ttl}', flush=True)
        if a.threads:
            r = pattern_ok(data)
            if r is None or not r[2]:
                bad.append(data[:40])
            else:
                seen[(r[0], r[1])] = seen.get((r[0], r[1]), 0) + 1
    print(f'received {got} bytes {nbytes} from {len(peers)} peers', flush=True)
    if a.threads:
        per = a.count // a.threads
        missing = [(t, q) for t in range(a.threads) for q in range(per) if (t, q) not in seen]
        dup = [k for k, v in seen.items() if v > 1]
        if missing or dup or bad:
            print(f'threads BAD: missing {len(missing)} {missing[:5]}, duplicated {len(dup)}, '
                  f'corrupted {len(bad)} {bad[:2]}')
            return 1
        print('threads ok')
    return 0 if got == a.count else 1


if __name__ == '__main__':
    sys.exit(main())
