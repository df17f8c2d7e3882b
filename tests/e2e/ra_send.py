#!/usr/bin/env python3
"""ra_send.py DEV MTU: one ICMPv6 router advertisement to ff02::1 out DEV (hop limit 255, from
DEV's link-local address), router lifetime 0 (no default route), with an MTU option: the hosts on
the link that accept RAs take MTU as their IPv6 MTU on that link (ndisc_router_discovery)."""
import socket
import struct
import sys

dev, mtu = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
idx = socket.if_nametoindex(dev)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
# type 134, code 0, checksum 0 (the kernel fills it), current hop limit 0, flags 0, router
# lifetime 0, reachable time 0, retransmission timer 0; option 5 (MTU), length 1 (8 bytes)
ra = struct.pack("!BBHBBHII", 134, 0, 0, 0, 0, 0, 0, 0) + struct.pack("!BBHI", 5, 1, 0, mtu)
s.sendto(ra, ("ff02::1", 0, 0, idx))
