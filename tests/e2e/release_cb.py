#!/usr/bin/env python3
"""release_cb: which calls on a connected UDP socket make the kernel keep a stale cached route
(ip4_datagram_release_cb, src/inet/ip4_datagram_release.c). Run in namespace A of
`scripts/netns-pair up NAME --arp static --route dev:224.0.0.0/4` with sinks on 192.0.2.2:9000/9001.

For each call: a socket connected to 192.0.2.2:9000 whose connect to 192.0.2.255 then failed
(EACCES: inet->cork.fl points at the broadcast address, or a corked send to port 9001 pointed it
there), one send (the route is cached), a group
join by another socket (a flush: the cached route goes stale), the call, and a send whose
destination is read from an AF_PACKET socket on veth-a: the broadcast address when the call took
the socket lock (release_sock looked the peer up again and kept the route; the send then follows
inet->cork.fl), the peer when the send dropped the stale route and looked up itself. One line per
call; run natively and under the shim, the lines must be equal (run-release-cb). Makes no
getsockname/getpeername call of its own except the probes that are one.
"""
import ctypes
import fcntl
import os
import select
import socket
import struct

IP_MTU = 14
SOL_UDP = 17
UDP_CORK = 1
UDP_SEGMENT = 103
UDP_GRO = 104
SO_ZEROCOPY = 60
SO_TIMESTAMPING = 37
IP_UNICAST_IF = 50
IP_BIND_ADDRESS_NO_PORT = 24
IP_TRANSPARENT = 19
IP_FREEBIND = 15
IP_MULTICAST_ALL = 49
SO_NO_CHECK = 11
SO_TXTIME = 61
IP_RECVERR = 11
IP_PKTINFO = 8
SO_MARK = 36
libc = ctypes.CDLL(None, use_errno=True)


def si(s, level, name, v):
    s.setsockopt(level, name, v)


def connect_raw(s, b):
    buf = ctypes.create_string_buffer(b, len(b))
    libc.connect(s.fileno(), buf, len(b))


def shutdown_raw(s, how):
    libc.shutdown(s.fileno(), how)


probes = {
 "none": lambda s: None,
 "setsockopt ip ttl": lambda s: si(s,0,socket.IP_TTL,9),
 "setsockopt ip ttl optlen0": lambda s: s.setsockopt(0,socket.IP_TTL,b""),
 "setsockopt ip tos": lambda s: si(s,0,socket.IP_TOS,16),
 "setsockopt ip tos unchanged": lambda s: si(s,0,socket.IP_TOS,0),
 "setsockopt socket mark unchanged": lambda s: si(s,1,SO_MARK,0),
 "setsockopt ip options empty": lambda s: s.setsockopt(0,socket.IP_OPTIONS,b""),
 "setsockopt ip mtu_discover": lambda s: si(s,0,10,2),
 "setsockopt ip recverr": lambda s: si(s,0,IP_RECVERR,1),
 "setsockopt ip pktinfo": lambda s: si(s,0,IP_PKTINFO,1),
 "setsockopt ip multicast_ttl": lambda s: si(s,0,socket.IP_MULTICAST_TTL,2),
 "setsockopt ip multicast_loop": lambda s: si(s,0,socket.IP_MULTICAST_LOOP,1),
 "setsockopt ip multicast_if": lambda s: s.setsockopt(0,socket.IP_MULTICAST_IF,b"\0"*4),
 "setsockopt ip multicast_all": lambda s: si(s,0,IP_MULTICAST_ALL,1),
 "setsockopt ip unicast_if": lambda s: s.setsockopt(0,IP_UNICAST_IF,b"\0"*4),
 "setsockopt ip freebind": lambda s: si(s,0,IP_FREEBIND,0),
 "setsockopt ip transparent": lambda s: si(s,0,IP_TRANSPARENT,0),
 "setsockopt ip bind_address_no_port": lambda s: si(s,0,IP_BIND_ADDRESS_NO_PORT,0),
 "setsockopt ip 99 (unknown)": lambda s: si(s,0,99,0),
 "setsockopt udp cork 0": lambda s: si(s,SOL_UDP,UDP_CORK,0),
 "setsockopt udp segment": lambda s: si(s,SOL_UDP,UDP_SEGMENT,0),
 "setsockopt udp gro": lambda s: si(s,SOL_UDP,UDP_GRO,0),
 "setsockopt socket priority": lambda s: si(s,1,socket.SO_PRIORITY,1),
 "setsockopt socket sndbuf": lambda s: si(s,1,socket.SO_SNDBUF,65536),
 "setsockopt socket sndbuf optlen2": lambda s: s.setsockopt(1,socket.SO_SNDBUF,b"\0\0"),
 "setsockopt socket broadcast": lambda s: si(s,1,socket.SO_BROADCAST,0),
 "setsockopt socket reuseaddr": lambda s: si(s,1,socket.SO_REUSEADDR,1),
 "setsockopt socket dontroute": lambda s: si(s,1,socket.SO_DONTROUTE,0),
 "setsockopt socket no_check": lambda s: si(s,1,SO_NO_CHECK,0),
 "setsockopt socket zerocopy": lambda s: si(s,1,SO_ZEROCOPY,1),
 "setsockopt socket timestamping": lambda s: si(s,1,SO_TIMESTAMPING,0),
 "setsockopt socket txtime": lambda s: s.setsockopt(1,SO_TXTIME,b"\0"*8),
 "setsockopt socket 999": lambda s: si(s,1,999,0),
 "getsockopt ip ttl": lambda s: s.getsockopt(0,socket.IP_TTL),
 "getsockopt ip options": lambda s: s.getsockopt(0,socket.IP_OPTIONS,40),
 "getsockopt ip mtu": lambda s: s.getsockopt(0,IP_MTU),
 "getsockopt ip multicast_if": lambda s: s.getsockopt(0,socket.IP_MULTICAST_IF),
 "getsockopt ip pktoptions": lambda s: s.getsockopt(0,9,40),
 "getsockopt socket sndbuf": lambda s: s.getsockopt(1,socket.SO_SNDBUF),
 "getsockopt socket error": lambda s: s.getsockopt(1,socket.SO_ERROR),
 "getsockopt udp cork": lambda s: s.getsockopt(SOL_UDP,UDP_CORK),
 "getsockname": lambda s: s.getsockname(),
 "getpeername": lambda s: s.getpeername(),
 "bind local (EINVAL)": lambda s: s.bind(("192.0.2.1",0)),
 "bind nonlocal (EADDRNOTAVAIL)": lambda s: s.bind(("192.0.2.77",0)),
 "shutdown rd": lambda s: s.shutdown(socket.SHUT_RD),
 "shutdown wr": lambda s: s.shutdown(socket.SHUT_WR),
 "shutdown bad": lambda s: shutdown_raw(s, 7),
 "connect short (EINVAL)": lambda s: connect_raw(s, b"\x02\x00\x23\x28\xc0\x00\x02\x02"),
 "connect af_inet6 len16": lambda s: connect_raw(s, b"\x0a\x00"+b"\0"*14),
 "sendto other": lambda s: s.sendto(b"zz", ("192.0.2.2",9001)),
 "sendto other more": lambda s: s.sendto(b"zz", socket.MSG_MORE, ("192.0.2.2",9001)),
 "sendto other more, send": lambda s: (s.sendto(b"zz", socket.MSG_MORE, ("192.0.2.2",9001)), s.send(b"w")),
 "sendto other, send more, send": lambda s: (s.sendto(b"zz", ("192.0.2.2",9001)), s.send(b"v", socket.MSG_MORE), s.send(b"w")),
 "send probe": lambda s: s.send(b"", 0x10),
 "fcntl nonblock": lambda s: fcntl.fcntl(s.fileno(), fcntl.F_SETFL, os.O_NONBLOCK),
 "ioctl SIOCOUTQ": lambda s: fcntl.ioctl(s.fileno(), 0x5411, b"\0"*4),
 "recv dontwait": lambda s: s.recv(10, socket.MSG_DONTWAIT),
 "poll": lambda s: select.select([s],[s],[],0),
}

def main():
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    cap.bind(("veth-a", 3))

    def drain():
        cap.setblocking(False)
        try:
            while True:
                cap.recv(65535)
        except BlockingIOError:
            pass
        cap.settimeout(0.5)

    def dest_of(n):
        while True:
            try:
                f = cap.recv(65535)
            except socket.timeout:
                return "-"
            if f[12:14] == b"\x08\x00" and f[23] == 17 and \
                    struct.unpack("!H", f[38:40])[0] - 8 == n:
                return ".".join(map(str, f[30:34])) + ":%d" % struct.unpack("!H", f[36:38])[0]

    for i, (name, fn) in enumerate(probes.items()):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("192.0.2.2", 9000))
        try:
            s.connect(("192.0.2.255", 9000))
        except PermissionError:
            pass
        s.send(b"x")
        m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        drain()
        m.setsockopt(0, socket.IP_ADD_MEMBERSHIP,
                     bytes([239, 1, 2, 10 + i]) + b"\0" * 4 + struct.pack("<i", 2))
        try:
            fn(s)
        except OSError:
            pass
        n = 300 + i
        err = ""
        try:
            s.send(b"y" * n)
        except OSError as e:
            err = " (" + errno_name(e.errno) + ")"
        d = dest_of(n)
        # the peer's flow (looked up by the send), or inet->cork.fl's (the route kept)
        what = "none" if d == "-" else "lookup" if d == "192.0.2.2:9000" else "kept"
        print(f"{what:6s} {name}{err}", flush=True)
        s.close()
        m.close()


def errno_name(e):
    import errno
    return errno.errorcode.get(e, str(e))


if __name__ == "__main__":
    main()
