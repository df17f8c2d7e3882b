#!/usr/bin/env python3
"""ra_mtu_send.py GOFILE: 1,400-byte datagrams to [2001:db8:1::2]:9000 from an unconnected and a
connected IPv6 socket, once before and once after GOFILE appears (the test's router advertisement
lowered the link's MTU in between). Prints each call's result and the connected socket's
IPV6_MTU."""
import os
import socket
import sys
import time

IPV6_MTU = 24
go = sys.argv[1]
dst = ("2001:db8:1::2", 9000)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.connect(dst)


def step(name, fn):
    try:
        print(name, fn(), flush=True)
    except OSError as e:
        print(name, "errno", e.errno, flush=True)


def sends(tag):
    step(tag + " sendto", lambda: u.sendto(b"u" * 1400, dst))
    step(tag + " send", lambda: c.send(b"c" * 1400))
    step(tag + " mtu", lambda: c.getsockopt(socket.IPPROTO_IPV6, IPV6_MTU))


sends("before")
print("sent", flush=True)
for _ in range(100):  # at most 10 s
    if os.path.exists(go):
        break
    time.sleep(0.1)
time.sleep(0.2)  # the shim's ICMPv6 watch reads the advertisement on its listener thread
sends("after")
