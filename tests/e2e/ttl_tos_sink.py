#!/usr/bin/env python3
"""A kernel UDP receiver for the shared-socket tests: binds ADDR on each PORT in its namespace,
prints "ready", receives until COUNT datagrams arrived or TIMEOUT seconds passed, then prints one
line per datagram, sorted: the port it arrived on, its payload, and the TTL and TOS of its IP
header (IP_RECVTTL, IP_RECVTOS)."""
import argparse
import select
import socket
import time

IP_RECVTTL = 12
IP_RECVTOS = 13
IP_TOS = 1
IP_TTL = 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('addr')
    ap.add_argument('count', type=int)
    ap.add_argument('ports', type=int, nargs='+')
    ap.add_argument('--timeout', type=float, default=10)
    a = ap.parse_args()
    socks = {}
    for port in a.ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
        s.bind((a.addr, port))
        socks[s] = port
    print('ready', flush=True)
    deadline = time.monotonic() + a.timeout
    lines = []
    while len(lines) < a.count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(list(socks), [], [], left)
        for s in ready:
            data, anc, _, peer = s.recvmsg(2048, 256)
            ttl = tos = None
            for level, kind, val in anc:
                if level == socket.IPPROTO_IP and kind == IP_TTL:
                    ttl = int.from_bytes(val[:4], 'little')
                elif level == socket.IPPROTO_IP and kind == IP_TOS:
                    tos = val[0]
            lines.append(f'port {socks[s]} from {peer[0]} {data.decode(errors="replace")!r} '
                         f'ttl {ttl} tos {tos:#x}')
    for line in sorted(lines):
        print(line)
    print(f'received {len(lines)}', flush=True)


if __name__ == '__main__':
    main()
