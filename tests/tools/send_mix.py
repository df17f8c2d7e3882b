#!/usr/bin/env python3
"""The sending programs of the tools tests: an unmodified python3 that runs under shim-run in
namespace A (192.0.2.1), with B at 192.0.2.2.

  send_mix.py pcap   --expect FILE   unicast datagrams of known payloads (one fragmented, one
                                     empty, one of odd length) and two that the shim hands to the
                                     kernel (a control message; a broadcast)
  send_mix.py pcap6  --expect FILE   the same over IPv6 (B at 2001:db8:1::2): a dual-stack socket's
                                     datagrams (the flow's first handed to the kernel), one to a
                                     v4-mapped address, a connected socket's
  send_mix.py stats  --expect FILE [--hold]
                                     datagrams of known sizes: unicast, fragmented, a gather
                                     list, a connected socket, a cold neighbour, a neighbour that
                                     never answers, four hand-offs to the kernel and three errors
  send_mix.py threads --threads T --count N
                                     T threads send N datagrams each, then a forked child sends N
  send_mix.py exit-thread            threads send while one calls exit() (libc's) mid-stream
  send_mix.py signal                 threads send while the process kills itself with SIGTERM

--expect writes what the shim should have done, derived from what was sent (the test compares
the shim's counters or capture with it). --hold prints "sent" and waits (at most 30 s) for a
line on standard input before exiting, so the test can read the counters while it runs."""
import argparse
import ctypes
import json
import os
import select
import signal
import socket
import sys
import threading
import time

A, B, BCAST = '192.0.2.1', '192.0.2.2', '192.0.2.255'
MTU = 1500
# A control message the shim leaves to the kernel by design: a transmit timestamp request
# (SO_TIMESTAMPING with SOF_TIMESTAMPING_TX_SOFTWARE) cannot be produced for a frame sent over
# AF_PACKET. (IP_TOS, IP_TTL, IP_PKTINFO cmsgs the shim applies itself.)
TX_TIMESTAMP = (socket.SOL_SOCKET, 37, (1 << 1).to_bytes(4, 'little'))


def frames_for(n):
    """Ethernet frames for a UDP payload of n bytes at MTU 1500."""
    ip_payload = 8 + n
    if 20 + ip_payload <= MTU:
        return 1
    per = (MTU - 20) & ~7
    return (ip_payload + per - 1) // per


def pattern(n, seed):
    return bytes((i * 7 + seed) % 251 for i in range(n))


def wait_neighbour(ip, timeout=3.0):
    """Until the kernel's ARP entry for ip is complete (flags 0x2), then a little longer so the
    shim's listener has flushed what waited for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open('/proc/net/arp') as f:
            for line in f.readlines()[1:]:
                p = line.split()
                if p[0] == ip and int(p[2], 16) & 2:
                    time.sleep(0.2)
                    return True
        time.sleep(0.02)
    return False


class Expect:
    """Route lookups: the first of a key asks the kernel (miss); the same key again right after
    is answered from the cache (hit). The scenarios repeat a key only back to back, so the
    counts do not depend on which keys share a cache slot."""
    def __init__(self):
        self.c = dict(dgrams_sent=0, bytes_sent=0, frames_sent=0, fragmented=0, neigh_miss=0,
                      neigh_queue_drop=0, route_hit=0, route_miss=0, to_kernel=0, errors=0)
        self.kernel = {}
        self.errnos = {}
        self.keys = set()
        self.records = []  # pcap: what each record should show

    def lookup(self, key):
        if key in self.keys:
            self.c['route_hit'] += 1
        else:
            self.keys.add(key)
            self.c['route_miss'] += 1

    def shim(self, n, key, neigh_miss=False, dropped=False):
        self.c['dgrams_sent'] += 1
        self.c['bytes_sent'] += n
        if key is not None:
            self.lookup(key)
        if neigh_miss:
            self.c['neigh_miss'] += 1
        if dropped:
            self.c['neigh_queue_drop'] += 1
            return
        self.c['frames_sent'] += frames_for(n)
        if frames_for(n) > 1:
            self.c['fragmented'] += 1

    def to_kernel(self, reason, key=None):
        self.c['to_kernel'] += 1
        self.kernel[reason] = self.kernel.get(reason, 0) + 1
        if key is not None:
            self.lookup(key)

    def error(self, name, key=None):
        self.c['errors'] += 1
        self.errnos[name] = self.errnos.get(name, 0) + 1
        if key is not None:
            self.lookup(key)

    def dump(self, path):
        with open(path, 'w') as f:
            json.dump({'counters': self.c, 'kernel': self.kernel, 'errnos': self.errnos,
                       'records': self.records}, f)


def udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', port))
    return s


def scenario_pcap(exp):
    s = udp(40010)
    sp = 40010

    def shim_send(data, dst=B, dport=9000):
        assert s.sendto(data, (dst, dport)) == len(data)
        exp.records.append(dict(kind='shim', src=A, dst=dst, sport=sp, dport=dport,
                                payload=data.hex(), frames=frames_for(len(data))))

    shim_send(b'pcap one: hello from libshim')
    if not wait_neighbour(B):
        raise SystemExit('ARP for B did not complete')
    shim_send(pattern(3000, 1))
    shim_send(b'')
    shim_send(pattern(1471, 2))  # odd length: the checksum's last byte is padded
    data = b'pcap kernel: with a control message'
    assert s.sendmsg([data], [TX_TIMESTAMP], 0, (B, 9000)) == len(data)
    exp.records.append(dict(kind='kernel', reason='cmsg', dst=B, sport=sp, dport=9000,
                            payload=data.hex()))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    data = b'pcap kernel: broadcast'
    assert s.sendto(data, (BCAST, 9000)) == len(data)
    exp.records.append(dict(kind='kernel', reason='not_unicast', dst=BCAST, sport=sp,
                            dport=9000, payload=data.hex()))
    shim_send(b'pcap last: after the hand-offs', dport=9001)


A6, B6 = '2001:db8:1::1', '2001:db8:1::2'


def scenario_pcap6(exp):
    """IPv6 (netns-pair --ipv6): a dual-stack socket's datagrams to B's IPv6 address (the flow's
    first is the kernel's: its flow label is learnt), one to B's v4-mapped address (the IPv4 path,
    the shim's: an IPv4 frame),
    and a connected socket's (its first the kernel's too, with the source chosen at connect); one
    datagram of 3000 bytes leaves as 3 fragments."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(('::', 40020))

    def send(sock, data, kind, dst, dport, src, reason=None, connected=False):
        if connected:
            assert sock.send(data) == len(data)
        else:
            assert sock.sendto(data, (dst, dport)) == len(data)
        # the shim's fragments: (1500 - 40 - 8) & ~7 = 1448 bytes of the UDP datagram each
        frames = -(-(8 + len(data)) // 1448) if kind == 'shim' and 48 + len(data) > 1500 else 1
        exp.records.append(dict(kind=kind, reason=reason, src=src, dst=dst,
                                sport=sock.getsockname()[1], dport=dport, payload=data.hex(),
                                frames=frames))

    send(s, b'pcap6 first: the kernel learns its flow label', 'kernel', B6, 9000, '::', 'flowlabel')
    send(s, b'pcap6 two: from libshim', 'shim', B6, 9000, A6)
    send(s, pattern(1231, 3), 'shim', B6, 9000, A6)
    send(s, b'', 'shim', B6, 9000, A6)
    send(s, pattern(3000, 4), 'shim', B6, 9000, A6)  # 3 fragments
    send(s, b'pcap6 v4-mapped', 'shim', '::ffff:' + B, 9000, '0.0.0.0')
    c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    c.connect((B6, 9001))
    send(c, b'pcap6 connected first', 'kernel', B6, 9001, A6, 'flowlabel', connected=True)
    send(c, b'pcap6 connected: from libshim', 'shim', B6, 9001, A6, connected=True)


def scenario_stats(exp):
    s1 = udp(40001)

    def key(dst, sport, dport):
        return (dst, sport, dport)

    # a cold neighbour: the first datagram waits for ARP
    assert s1.sendto(b'a' * 100, (B, 9000)) == 100
    exp.shim(100, key(B, 40001, 9000), neigh_miss=True)
    if not wait_neighbour(B):
        raise SystemExit('ARP for B did not complete')
    for n in (0, 1, 1472, 1473, 4000):  # 1473 and 4000 are fragmented (2 and 3 frames)
        assert s1.sendto(pattern(n, n % 7), (B, 9000)) == n
        exp.shim(n, key(B, 40001, 9000))
    parts = [b'a' * 10, b'b' * 20, b'c' * 30]
    assert s1.sendmsg(parts, [], 0, (B, 9000)) == 60
    exp.shim(60, key(B, 40001, 9000))

    # a connected socket: one route lookup at connect, then the socket's own cached route
    s2 = udp(40002)
    s2.connect((B, 9001))
    exp.lookup(('connect', B, 40002, 9001))
    for _ in range(2):
        assert s2.send(b'x' * 200) == 200
        exp.shim(200, None)

    # handed to the kernel
    assert s1.sendmsg([b'k' * 50], [TX_TIMESTAMP], 0, (B, 9000)) == 50
    exp.to_kernel('cmsg')
    assert s1.sendto(b'd' * 40, socket.MSG_DONTROUTE, (B, 9000)) == 40
    exp.to_kernel('dontroute')
    s1.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    assert s1.sendto(b'b' * 20, (BCAST, 9000)) == 20
    exp.to_kernel('not_unicast', key(BCAST, 40001, 9000))
    assert s1.sendto(b'l' * 10, ('127.0.0.1', 9)) == 10
    exp.to_kernel('local_route', key('127.0.0.1', 40001, 9))

    # errors the shim answers itself
    try:
        s1.sendto(b'x' * 70000, (B, 9000))
        raise SystemExit('70000 bytes were sent')
    except OSError as e:
        assert e.errno == 90, e
        exp.error('EMSGSIZE')
    s3 = udp(40003)
    try:
        s3.sendto(b'e' * 10, (BCAST, 9000))
        raise SystemExit('broadcast without SO_BROADCAST was sent')
    except PermissionError:
        exp.error('EACCES', key(BCAST, 40003, 9000))
    # a bad buffer: the shim routes and builds the frame; the kernel's copy of the payload
    # into the packet socket fails (a socket of its own, so its route lookup is a fresh key)
    s4 = udp(40004)
    libc = ctypes.CDLL(None, use_errno=True)
    sin = (ctypes.c_ubyte * 16)(2, 0, 0x23, 0x28, 192, 0, 2, 2)
    r = libc.sendto(s4.fileno(), ctypes.c_void_p(8), ctypes.c_size_t(10), 0, sin, 16)
    assert r == -1 and ctypes.get_errno() == 14, (r, ctypes.get_errno())
    exp.error('EFAULT', key(B, 40004, 9000))

    # a neighbour that never answers: queued, then dropped when resolution fails
    assert s1.sendto(b'n' * 33, ('192.0.2.99', 9000)) == 33
    exp.shim(33, key('192.0.2.99', 40001, 9000), neigh_miss=True, dropped=True)


def sender_thread(tag, count, stop=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(count):
        if stop is not None and stop.is_set():
            break
        s.sendto(f'{tag} {i:06d} '.encode() + b'p' * (i % 300), (B, 9000))


def scenario_threads(nthreads, count):
    wait_neighbour_first()
    ts = [threading.Thread(target=sender_thread, args=(f'T{t}', count)) for t in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    pid = os.fork()
    if pid == 0:
        sender_thread('F0', count)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert status == 0


def wait_neighbour_first():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b'warm-up', (B, 9000))
    if not wait_neighbour(B):
        raise SystemExit('ARP for B did not complete')


def scenario_exit_thread():
    wait_neighbour_first()
    for t in range(3):
        threading.Thread(target=sender_thread, args=(f'X{t}', 100000), daemon=True).start()
    time.sleep(0.2)
    libc = ctypes.CDLL(None)
    th = threading.Thread(target=lambda: libc.exit(0))
    th.start()
    th.join(5)
    os._exit(9)  # not reached: exit() ended the process


def scenario_signal():
    wait_neighbour_first()
    for t in range(3):
        threading.Thread(target=sender_thread, args=(f'S{t}', 100000), daemon=True).start()
    time.sleep(0.2)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('scenario')
    ap.add_argument('--expect')
    ap.add_argument('--hold', action='store_true')
    ap.add_argument('--threads', type=int, default=4)
    ap.add_argument('--count', type=int, default=50)
    a = ap.parse_args()
    exp = Expect()
    if a.scenario == 'pcap':
        scenario_pcap(exp)
    elif a.scenario == 'pcap6':
        scenario_pcap6(exp)
    elif a.scenario == 'stats':
        scenario_stats(exp)
    elif a.scenario == 'threads':
        scenario_threads(a.threads, a.count)
    elif a.scenario == 'exit-thread':
        scenario_exit_thread()
    elif a.scenario == 'signal':
        scenario_signal()
    else:
        raise SystemExit(f'unknown scenario {a.scenario}')
    if a.expect:
        exp.dump(a.expect)
    if a.hold:
        print('sent', flush=True)
        select.select([sys.stdin], [], [], 30)


if __name__ == '__main__':
    main()
