#!/usr/bin/env python3
"""What namespace B sees: a kernel UDP receiver on 0.0.0.0:PORT for each --port (so broadcasts
arrive too and no port-unreachable goes back), and an AF_PACKET tap on --dev recording every
IPv4 frame it receives (with --ipv6: dual-stack receivers on [::]:PORT, and IPv6 frames too).
Prints "ready" once both are open, then runs until --count datagrams arrived (and --linger
seconds more for late frames) or --timeout seconds passed, and writes one JSON object to --out: {"datagrams": [[port, peer_ip, peer_port, hex], ...], "frames": [hex, ...]}."""
import argparse
import json
import select
import socket
import time

ETH_P_ALL = 3
PACKET_OUTGOING = 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, action='append', required=True)
    ap.add_argument('--dev', default='veth-b')
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--timeout', type=float, default=20)
    ap.add_argument('--linger', type=float, default=0.3)
    ap.add_argument('--out', required=True)
    ap.add_argument('--ipv6', action='store_true')
    a = ap.parse_args()

    socks = {}
    for port in a.port:
        s = socket.socket(socket.AF_INET6 if a.ipv6 else socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
        if a.ipv6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(('::' if a.ipv6 else '0.0.0.0', port))
        socks[s.fileno()] = (s, port)
    tap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    tap.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)
    tap.bind((a.dev, ETH_P_ALL))
    print('ready', flush=True)

    datagrams, frames = [], []
    deadline = time.monotonic() + a.timeout
    done_at = None
    while True:
        now = time.monotonic()
        end = deadline if done_at is None else min(deadline, done_at + a.linger)
        if now >= end:
            break
        r, _, _ = select.select([tap, *[v[0] for v in socks.values()]], [], [], end - now)
        for s in r:
            if s is tap:
                data, addr = tap.recvfrom(70000)
                if addr[2] != PACKET_OUTGOING and (data[12:14] == b'\x08\x00' or
                                                   a.ipv6 and data[12:14] == b'\x86\xdd'):
                    frames.append(data.hex())
            else:
                data, peer = s.recvfrom(70000)
                datagrams.append([socks[s.fileno()][1], peer[0], peer[1], data.hex()])
        if done_at is None and len(datagrams) >= a.count:
            done_at = time.monotonic()
    with open(a.out, 'w') as f:
        json.dump({'datagrams': datagrams, 'frames': frames}, f)


if __name__ == '__main__':
    main()
