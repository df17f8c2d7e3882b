"""Random call sequences for the differential fuzzer, written in the bench's scenario language
(tests/bench/README.md), one call per line.

A sequence is a list of lines. `generate(seed, index)` gives the same lines for the same seed
and index on every machine (random.Random is seeded with both; nothing else is read), so a
sequence is named by "SEED:INDEX" and can be regenerated from that alone.

The addresses come from a Family object: the generator asks it for local addresses, peers,
broadcast and multicast groups, unroutable destinations, and the socket() words. Inet (AF_INET)
and Inet6 (AF_INET6 sockets: the topology's IPv6 addresses, v4-mapped destinations on the
dual-stack socket, IPv6 options and control messages) are listed in FAMILIES; which one a
sequence uses is drawn from a generator of its own (V6_SHARE), so an IPv4 sequence of a seed is
the same as before IPv6 existed.
"""

import random

# The topology the fuzzer's namespaces are built with (scripts/netns-pair, the bench's header
# syntax): a minimised sequence is printed with this header and runs as a bench scenario.
#   A veth-a 192.0.2.1/24 <-> B veth-b 192.0.2.2/24, static neighbours (no ARP), sinks on
#   9000 and 9001 (9999 answers port unreachable), multicast routed through veth-a, route types
#   for 203.0.113.0/24, and a policy rule: fwmark 7 makes 198.51.100.0/24 unreachable (without
#   the mark there is no route to it). veth-a's TX checksum offload is on (a-tx-csum): B sees
#   which UDP checksums A's kernel left to the device (the pseudo-header sum) and which it summed.
#   IPv6 too (the bench's `ipv6`: A 2001:db8:1::1/64 <-> B 2001:db8:1::2/64, link-local
#   fe80::ff:fe00:a01 / fe80::ff:fe00:b02, no DAD, static neighbours, sinks on [::]:9000/9001),
#   with the same route types for 2001:db8:3::/64 (unreachable), 2001:db8:4::/64 (prohibit),
#   2001:db8:5::/64 (blackhole) and fwmark 7 making 2001:db8:6::/64 unreachable.
TOPOLOGY = ("ipv6 arp=static sink=9000,9001 a-tx-csum route=dev:224.0.0.0/4 "
            "route=unreachable:203.0.113.0/25 route=prohibit:203.0.113.128/26 "
            "route=blackhole:203.0.113.192/27 mark-route=7:unreachable:198.51.100.0/24 "
            "route=unreachable:2001:db8:3::/64 route=prohibit:2001:db8:4::/64 "
            "route=blackhole:2001:db8:5::/64 mark-route=7:unreachable:2001:db8:6::/64")

SINK = 9000
SIZES_COMMON = [0, 1, 2, 7, 8, 9, 64, 100, 512, 1000, 1400, 1464, 1471, 1472, 1473, 1474,
                1480, 1500, 2000, 2952, 2953, 3000, 4000]
SIZES_BIG = [8000, 9000, 16384, 32768, 65499, 65506, 65507, 65508, 65515, 65527, 65535,
             65536, 70000]

FLAG_WORDS = ["more", "dontwait", "confirm", "probe", "dontroute", "oob", "nosignal", "eor",
              "zerocopy", "fastopen", "trunc", "waitall", "errqueue", "batch", "cmsg_cloexec"]


class Inet:
    """AF_INET addresses of the fuzzer's topology."""
    domain = "inet"
    any = "0.0.0.0"
    local = "192.0.2.1"
    peer = "192.0.2.2"
    loopback = "127.0.0.1"
    subnet_bcast = "192.0.2.255"
    limited_bcast = "255.255.255.255"
    mcast = "239.1.2.3"
    mcast_local = "224.0.0.1"
    nonlocal_src = "192.0.2.77"
    # (address, what the topology does with it)
    unrouted = ["203.0.113.1",  # unreachable route
                "203.0.113.130",  # prohibit
                "203.0.113.200",  # blackhole
                "198.51.100.1",  # no route; with SO_MARK 7: unreachable
                "10.9.9.9"]  # no route

    def addr(self, host, port):
        return f"{host}:{port}"

    def bind_hosts(self):
        return [self.any, self.any, self.local, self.loopback, self.subnet_bcast,
                self.limited_bcast, self.mcast, self.nonlocal_src, "203.0.113.1"]

    def dest_hosts(self):
        # weighted: the sink's host most often
        return ([self.peer] * 10 + [self.subnet_bcast, self.limited_bcast, self.mcast,
                                    self.mcast_local, self.loopback, self.local, self.any]
                + self.unrouted)


class Inet6:
    """AF_INET6 addresses of the fuzzer's topology, v4-mapped ones included (a dual-stack
    socket sends those the IPv4 way)."""
    domain = "inet6"
    any = "::"
    local = "2001:db8:1::1"
    peer = "2001:db8:1::2"
    loopback = "::1"
    mapped_peer = "::ffff:192.0.2.2"
    mapped_local = "::ffff:192.0.2.1"
    subnet_bcast = "::ffff:192.0.2.255"
    limited_bcast = "::ffff:255.255.255.255"
    mcast = "ff0e::1:2:3"
    mcast_local = "ff02::1"
    mapped_mcast = "::ffff:239.1.2.3"
    link_local_peer = "fe80::ff:fe00:b02"
    link_local = "fe80::ff:fe00:a01"
    nonlocal_src = "2001:db8:1::77"
    unrouted = ["2001:db8:3::1",  # unreachable route
                "2001:db8:4::1",  # prohibit
                "2001:db8:5::1",  # blackhole
                "2001:db8:6::1",  # no route; with SO_MARK 7: unreachable
                "2001:db8:99::1",  # no route
                "::ffff:203.0.113.1",  # the IPv4 routes, mapped
                "::ffff:198.51.100.1"]

    def addr(self, host, port):
        return f"[{host}]:{port}"

    def bind_hosts(self):
        return [self.any, self.any, self.any, self.local, self.loopback, self.mapped_local,
                "::ffff:0.0.0.0", self.mcast, self.nonlocal_src, self.link_local,
                self.link_local + "%veth-a", "2001:db8:3::1", self.subnet_bcast]

    def dest_hosts(self):
        return ([self.peer] * 10 + [self.mapped_peer] * 3
                + [self.subnet_bcast, self.limited_bcast, self.mcast, self.mcast_local,
                   self.mcast_local + "%veth-a", self.mapped_mcast, self.loopback, self.local,
                   self.any, "::ffff:127.0.0.1", self.link_local_peer,
                   self.link_local_peer + "%veth-a", self.link_local_peer + "%lo"]
                + self.unrouted)


FAMILIES = [Inet(), Inet6()]
V6_SHARE = 0.5  # of the sequences (a generator of its own draws it: see Gen)

IFINDEX_VETH = 2  # in namespace A: lo is 1, veth-a 2


def hexb(b):
    return bytes(b).hex()


def le32(v):
    return (v & 0xFFFFFFFF).to_bytes(4, "little")


def be32(v):
    return (v & 0xFFFFFFFF).to_bytes(4, "big")


def ip_bytes(a):
    return bytes(int(x) for x in a.split("."))


def ip6_bytes(a):
    import ipaddress
    return ipaddress.IPv6Address(a.split("%")[0]).packed


_OPTIONS = {}  # domain -> Gen.options() table


class Gen:
    def __init__(self, seed, index, max_calls=24):
        self.r = random.Random(f"libshim-fuzz:{seed}:{index}")
        self.r.randrange(1)  # the draw of the family when there was one: sequences stay as they were
        v6 = random.Random(f"libshim-fuzz-family:{seed}:{index}").random() < V6_SHARE
        self.fam = FAMILIES[1 if v6 else 0]
        self.max_calls = max_calls
        self.lines = []
        self.names = []  # socket names defined so far (open or not)
        self.open = []  # names the generator believes open
        self.udplite = set()
        self.nextname = 0

    # -- helpers ------------------------------------------------------------------------------
    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p):
        return self.r.random() < p

    def sock(self):
        """A socket reference: mostly an open name, sometimes a closed name or a bad number."""
        x = self.r.random()
        if self.open and x < 0.93:
            return self.pick(self.open)
        if self.names and x < 0.97:
            return self.pick(self.names)
        return self.pick(["999", "-1", "0"])

    def port(self):
        return self.pick([SINK] * 6 + [9001, 9999, 9999, 0, 5000, 65535])

    def dest(self):
        fam = self.fam
        x = self.r.random()
        if x < 0.04:
            return "unspec"
        if x < 0.06:
            return self.pick(["null", "bad", "kernel"])
        if x < 0.08:
            if fam.domain == "inet6":
                # sockaddr_in6 variants: family only, 24 bytes (no scope id), a flow label and
                # a scope id, AF_INET (16 bytes) on the IPv6 socket, AF_UNSPEC
                peer = ip6_bytes(fam.peer).hex()
                return "hex:" + self.pick(["0a00", "0a002328" + "00" * 4 + peer,
                                           "0a002328" + "00012345" + peer + "00000000",
                                           "0a002328" + "00000000" + peer + "02000000",
                                           "02002328c0000202" + "00" * 8,
                                           "00002328" + "00" * 4 + peer + "00" * 4])
            # short or odd raw sockaddrs: family only, AF_INET6 in a 16-byte buffer, AF_UNSPEC
            return "hex:" + self.pick(["0200", "02002328c0000202", "0a002328" + "00" * 12,
                                       "00002328c0000202" + "00" * 8,
                                       "02002328c0000202" + "ff" * 8])
        a = fam.addr(self.pick(fam.dest_hosts()), self.port())
        if fam.domain == "inet6" and self.chance(0.05):
            a += "@" + self.pick(["0x12345", "0xfffff", "0x100000", "0x0ff00000"])  # flowinfo
        return a

    def size(self):
        x = self.r.random()
        if x < 0.55:
            return self.pick(SIZES_COMMON)
        if x < 0.75:
            return self.r.randrange(0, 3000)
        if x < 0.85:
            return self.pick(SIZES_BIG)
        return self.r.randrange(0, 256)

    def flags(self, allow_more=True):
        x = self.r.random()
        if x < 0.6:
            return None
        words = []
        for _ in range(1 + (self.r.random() < 0.2)):
            w = self.pick(FLAG_WORDS[:4] + ["more"] * (3 if allow_more else 0) + FLAG_WORDS)
            if w == "more" and not allow_more:
                continue
            if w not in words:
                words.append(w)
        return ",".join(words) if words else None

    def payload(self, big_ok=True):
        n = self.size()
        if not big_ok:
            n = min(n, 3000)
        parts = [f"len={n}"]
        x = self.r.random()
        if x < 0.03 and n > 0:
            parts.append("buf=" + self.pick(["null", "bad", "kernel"]))
        elif x < 0.05 and 0 < n < 100000:
            parts.append("buf=partial")
        elif x < 0.15:
            parts.append(f"fill=rand:{self.r.randrange(1000)}")
        return parts

    def cmsg6(self):
        fam = self.fam
        return self.pick([
            lambda: f"ipv6:hoplimit:int:{self.pick([-2, -1, 0, 1, 64, 255, 256])}",
            lambda: f"ipv6:hoplimit:u16:{self.pick([5])}",
            lambda: f"ipv6:tclass:int:{self.pick([-2, -1, 0, 0x10, 0xb8, 0xff, 256])}",
            lambda: f"ipv6:dontfrag:int:{self.pick([-1, 0, 1, 2])}",
            lambda: "ipv6:pktinfo:" + hexb(ip6_bytes(self.pick([fam.any, fam.any, fam.local,
                                                                fam.loopback, fam.nonlocal_src,
                                                                fam.link_local,
                                                                fam.mapped_local]))
                                          + le32(self.pick([0, 0, IFINDEX_VETH, 1, 77]))),
            lambda: "ipv6:pktinfo:" + self.pick(["", "00" * 8]),
            lambda: "ipv6:" + self.pick(["hopopts", "dstopts", "rthdrdstopts"]) + ":"
                    + self.pick(["0000010400000000", "0001010c000000000000000000000000",
                                 "0000800400000000", "00", "0000c20400000000"]),
            lambda: "ipv6:flowinfo:" + self.pick(["00012345", "000fffff", "00100000", "00"]),
            lambda: "ipv6:rthdr:" + self.pick(["000404010100000020010db8000500000000000000000009"
                                               "20010db8000100000000000000000002",
                                               "0002020100000000" + "00" * 16, "00"]),
            lambda: f"ipv6:{self.pick([99, 2, 8])}:int:1",  # unknown, RFC 2292 types
        ])()

    def cmsg(self):
        fam = self.fam
        if fam.domain == "inet6":
            if self.chance(0.7):
                return self.cmsg6()
            return self.pick([
                lambda: f"ip:ttl:int:{self.pick([0, 1, 64, 256])}",
                lambda: f"ip:tos:int:{self.pick([0, 0x10, 256])}",
                lambda: f"socket:mark:int:{self.pick([0, 7, 1])}",
                lambda: f"socket:priority:int:{self.pick([0, 1, 6, 7])}",
                lambda: f"udp:segment:u16:{self.pick([0, 100, 1000, 1452, 1453, 65535])}",
                lambda: "socket:txtime:" + hexb((self.r.randrange(1 << 40)).to_bytes(8,
                                                                                     "little")),
                lambda: f"socket:37:int:{self.pick([0, 1, 2, 0x80])}",  # SO_TIMESTAMPING
            ])()
        c = self.pick([
            lambda: f"ip:ttl:int:{self.pick([0, 1, 2, 64, 255, 256, -1])}",
            lambda: f"ip:tos:int:{self.pick([0, 0x10, 0xb8, 0xff, 256, -1])}",
            lambda: f"ip:tos:u8:{self.pick([0, 0x28, 0xfc])}",
            lambda: "ip:pktinfo:" + hexb(le32(self.pick([0, 0, IFINDEX_VETH, 1, 77]))
                                         + ip_bytes(self.pick([fam.any, fam.local,
                                                               fam.loopback,
                                                               fam.nonlocal_src]))
                                         + ip_bytes(fam.any)),
            lambda: "ip:retopts:" + self.pick(["01010101", "94040000", "070701000000",
                                               "44080500" + "00000000", "", "ff"]),
            lambda: f"socket:mark:int:{self.pick([0, 7, 1])}",
            lambda: f"socket:priority:int:{self.pick([0, 1, 6, 7])}",
            lambda: f"udp:segment:u16:{self.pick([0, 100, 1000, 1472, 1473, 65535])}",
            lambda: "socket:txtime:" + hexb((self.r.randrange(1 << 40)).to_bytes(8, "little")),
            lambda: f"socket:37:int:{self.pick([0, 1, 2, 0x80])}",  # SO_TIMESTAMPING
            lambda: f"ip:{self.pick([99, 7, 20])}:int:1",  # unknown / not for sending
            lambda: f"socket:{self.pick([99, 2])}:int:1",
        ])()
        return c

    def msg(self, big_ok=True):
        parts = []
        x = self.r.random()
        if x < 0.2:
            segs = []
            for _ in range(self.r.randrange(0, 5)):
                y = self.r.random()
                if y < 0.1:
                    segs.append(f"{self.pick(['null', 'bad'])}:{self.r.randrange(0, 9)}")
                else:
                    segs.append(str(self.pick([0, 1, 8, 100, 700, 1472, 1473])))
            parts.append("iov=" + (",".join(segs) if segs else "none"))
        else:
            parts += self.payload(big_ok)
        if self.chance(0.6):
            parts.append("to=" + self.dest())
            if self.chance(0.05):
                parts.append(f"tolen={self.pick([0, 1, 8, 15, 16, 17, 28, 128, -1])}")
        if self.chance(0.3):
            for _ in range(1 + (self.r.random() < 0.3)):
                parts.append("cmsg=" + self.cmsg())
        elif self.chance(0.03):
            parts.append("control=" + self.pick(["null", "bad", "kernel", "0000"]))
            if self.chance(0.5):
                parts.append(f"controllen={self.pick([0, 1, 16, 17, 100])}")
        return parts

    # -- calls --------------------------------------------------------------------------------
    def c_socket(self, name=None):
        if name is None:
            name = f"s{self.nextname}"
            self.nextname += 1
        words = [f"socket {name}"]
        if self.fam.domain != "inet":
            words.append(f"domain={self.fam.domain}")
        x = self.r.random()
        if x < 0.2:
            words.append("proto=udplite")
            self.udplite.add(name)
        else:
            self.udplite.discard(name)
            if x < 0.3:
                words.append("proto=udp")
        if self.chance(0.1):
            words.append("type=dgram,nonblock")
        self.lines.append(" ".join(words))
        if name not in self.names:
            self.names.append(name)
        if name not in self.open:
            self.open.append(name)

    def optvalue(self, spec):
        """spec: ('int', values) | ('hex', values) | ('str', values)"""
        kind, values = spec
        v = self.pick(values)
        if kind == "int":
            return f"int={v}"
        if kind == "hex":
            return f"hex={v}" if v else "hex="
        return f"str={v}"

    def options(self):
        """The option table of the sequence's family (the same for every sequence: built once)."""
        t = _OPTIONS.get(self.fam.domain)
        if t is None:
            t = _OPTIONS[self.fam.domain] = (self.options6() if self.fam.domain == "inet6"
                                             else self.options4())
        return t

    def options6(self):
        fam = self.fam
        mreq6 = hexb(ip6_bytes(fam.mcast) + le32(IFINDEX_VETH))
        # struct in6_flowlabel_req: dst, label (network order), action (GET 0, PUT 1, RENEW 2),
        # share (EXCL 1, ANY 255), flags (CREATE 1, EXCL 2), expires, linger, pad
        def flr(label, action, share, flags):
            return hexb(ip6_bytes(fam.peer) + be32(label) + bytes([action, share])
                        + flags.to_bytes(2, "little") + bytes(8))
        flr6 = [flr(0x12345, 0, 1, 1), flr(0x12345, 0, 255, 1), flr(0x12345, 0, 255, 3),
                flr(0x12345, 1, 0, 0), flr(0x12345, 2, 0, 0), flr(0xfffff, 0, 1, 1),
                flr(0x12345, 0, 255, 1)[:62]]
        # routing headers: a segment routing header to the peer (type 4, segments_left 1: the
        # one IPV6_RTHDR takes), one with segments_left 0, type 0 (EINVAL)
        srh = bytes([0, 4, 4, 1, 1, 0, 0, 0]) + ip6_bytes("2001:db8:5::9") + ip6_bytes(fam.peer)
        rthdr6 = ["", hexb(srh), hexb(srh[:3] + b"\0" + srh[4:]),
                  hexb(bytes([0, 2, 0, 1, 0, 0, 0, 0]) + ip6_bytes(fam.peer))]
        pkt6 = [hexb(ip6_bytes(a) + le32(i)) for a, i in
                ((fam.any, 0), (fam.local, 0), (fam.local, IFINDEX_VETH), (fam.any, 99),
                 (fam.nonlocal_src, 0), (fam.link_local, IFINDEX_VETH))]
        return [
            ("socket", "broadcast", ("int", [0, 1])),
            ("socket", "priority", ("int", [0, 1, 6, 7, 8, -1])),
            ("socket", "mark", ("int", [0, 7, 7, 1, -1])),
            ("socket", "bindtodevice", ("str", ["veth-a", "lo", "nosuchdev"])),
            ("socket", "bindtodevice", ("hex", ["", "00"])),
            ("socket", "bindtoifindex", ("int", [0, 1, IFINDEX_VETH, 99, -1])),
            ("socket", "dontroute", ("int", [0, 1])),
            ("socket", "no_check", ("int", [0, 1])),
            ("socket", "sndbuf", ("int", [0, 1, 1024, 2304, 4608, 8192, 65536, 212992, -1])),
            ("socket", "zerocopy", ("int", [0, 1])),
            ("socket", "txtime", ("hex", ["0000000000000000", "0b00000003000000"])),
            ("socket", "timestamping", ("int", [0, 1, 2, 0x80, 0x880])),
            ("socket", "reuseaddr", ("int", [0, 1])),
            ("ipv6", "unicast_hops", ("int", [-2, -1, 0, 1, 2, 63, 64, 255, 256])),
            ("ipv6", "tclass", ("int", [-2, -1, 0, 0x10, 0x28, 0xb8, 0xff, 256])),
            ("ipv6", "v6only", ("int", [0, 1, 1, 2])),
            ("ipv6", "mtu_discover", ("int", [0, 1, 2, 3, 4, 5, 6, -1])),
            ("ipv6", "mtu", ("int", [0, 1, 1279, 1280, 1281, 1400, 1500, 9000, 65535, -1])),
            ("ipv6", "dontfrag", ("int", [0, 1, 2, -1])),
            ("ipv6", "recverr", ("int", [0, 1])),
            ("ipv6", "autoflowlabel", ("int", [0, 1])),
            ("ipv6", "flowinfo_send", ("int", [0, 1])),
            ("ipv6", "flowinfo", ("int", [0, 1])),
            ("ipv6", "flowlabel_mgr", ("hex", flr6)),
            ("ipv6", "multicast_hops", ("int", [-2, -1, 0, 1, 2, 255, 256])),
            ("ipv6", "multicast_loop", ("int", [-1, 0, 1, 2])),
            ("ipv6", "multicast_if", ("int", [0, 1, IFINDEX_VETH, 99, -1])),
            ("ipv6", "multicast_all", ("int", [0, 1])),
            ("ipv6", "unicast_if", ("hex", [hexb(be32(0)), hexb(be32(1)), hexb(be32(2)),
                                            hexb(be32(99))])),
            ("ipv6", "pktinfo", ("hex", pkt6 + [""])),
            ("ipv6", "recvpktinfo", ("int", [0, 1])),
            ("ipv6", "hopopts", ("hex", ["", "0000010400000000", "00"])),
            ("ipv6", "dstopts", ("hex", ["", "0000010400000000",
                                         "0001010c000000000000000000000000"])),
            ("ipv6", "rthdr", ("hex", rthdr6)),
            ("ipv6", "rthdrdstopts", ("hex", ["", "0000010400000000"])),
            ("ipv6", "addr_preferences", ("int", [0, 1, 2, 0x100, 0x400])),
            ("ipv6", "transparent", ("int", [0, 1])),
            ("ipv6", "freebind", ("int", [0, 1])),
            ("ipv6", "join_group", ("hex", [mreq6, hexb(ip6_bytes("ff02::1:3") + le32(0)),
                                            hexb(ip6_bytes(fam.peer) + le32(0))])),
            ("ipv6", "leave_group", ("hex", [mreq6])),
            ("ipv6", "addrform", ("int", [2, 10])),
            # the IPv4 options of a dual-stack socket (its v4-mapped sends read them)
            ("ip", "ttl", ("int", [-1, 0, 1, 63, 256])),
            ("ip", "tos", ("int", [0, 0x10, 0xb8])),
            ("ip", "mtu_discover", ("int", [0, 2, 3])),
            ("ip", "options", ("hex", ["", "01010101"])),
            ("ip", "multicast_ttl", ("int", [0, 1, 2])),
            ("udp", "cork", ("int", [0, 1, 1, 2])),
            ("udp", "segment", ("int", [0, 1, 100, 1000, 1232, 1452, 1453, 65535, -1])),
            ("udp", "no_check6_tx", ("int", [0, 1])),
            ("udp", "no_check6_rx", ("int", [0, 1])),
            ("udp", "gro", ("int", [0, 1])),
            ("udplite", "send_cscov", ("int", [0, 1, 7, 8, 9, 20, 100, 65535, -1])),
            ("udplite", "recv_cscov", ("int", [0, 8, 20])),
        ]

    def options4(self):
        fam = self.fam
        mreqn = hexb(ip_bytes(fam.mcast) + ip_bytes(fam.any) + le32(IFINDEX_VETH))
        return [
            ("socket", "broadcast", ("int", [0, 1, 1, 2, -1])),
            ("socket", "priority", ("int", [0, 1, 6, 7, 8, -1, 0x7fffffff])),
            ("socket", "mark", ("int", [0, 7, 7, 1, -1])),
            ("socket", "bindtodevice", ("str", ["veth-a", "lo", "nosuchdev", "veth-a:1"])),
            ("socket", "bindtodevice", ("hex", ["", "00", "766574682d61"])),
            ("socket", "bindtoifindex", ("int", [0, 1, IFINDEX_VETH, 99, -1])),
            ("socket", "dontroute", ("int", [0, 1])),
            ("socket", "no_check", ("int", [0, 1, 2])),
            ("socket", "sndbuf", ("int", [0, 1, 1024, 2304, 2305, 4608, 8192, 65536, 212992,
                                          -1, 0x7fffffff])),
            ("socket", "sndbufforce", ("int", [0, 4608, 100000, -1])),
            ("socket", "zerocopy", ("int", [0, 1])),
            ("socket", "txtime", ("hex", ["0000000000000000", "0100000000000000",
                                          "0b00000003000000", "0b00000004000000"])),
            ("socket", "timestamping", ("int", [0, 1, 2, 0x80, 0x880, 0x1800, 0x8000,
                                                1 << 20])),
            ("socket", "reuseaddr", ("int", [0, 1])),
            ("ip", "ttl", ("int", [-1, 0, 1, 2, 63, 64, 255, 256])),
            ("ip", "tos", ("int", [0, 0x10, 0x28, 0xb8, 0xff, -1, 256])),
            ("ip", "options", ("hex", ["", "01010101", "94040000", "0703040000000000",
                                       "44080500" + "00000000", "ff", "0101", "86060000"
                                       "0000"])),
            ("ip", "mtu_discover", ("int", [0, 1, 2, 3, 4, 5, 6, -1])),
            ("ip", "multicast_ttl", ("int", [-1, 0, 1, 2, 255, 256])),
            ("ip", "multicast_if", ("hex", [mreqn, hexb(ip_bytes(fam.local)),
                                            hexb(ip_bytes(fam.mcast) + ip_bytes(fam.local)),
                                            hexb(ip_bytes(fam.any)), "00",
                                            hexb(ip_bytes(fam.any) * 2 + le32(99))])),
            ("ip", "multicast_loop", ("int", [0, 1, 2])),
            ("ip", "multicast_all", ("int", [0, 1])),
            ("ip", "pktinfo", ("int", [0, 1])),
            ("ip", "freebind", ("int", [0, 1])),
            ("ip", "transparent", ("int", [0, 1])),
            ("ip", "bind_address_no_port", ("int", [0, 1])),
            ("ip", "recverr", ("int", [0, 1])),
            ("ip", "unicast_if", ("hex", [hexb(be32(0)), hexb(be32(1)), hexb(be32(2)),
                                          hexb(be32(99))])),
            ("ip", "add_membership", ("hex", [mreqn])),
            ("udp", "cork", ("int", [0, 1, 1, 2])),
            ("udp", "segment", ("int", [0, 1, 100, 1000, 1472, 1473, 65535, -1])),
            ("udp", "no_check6_tx", ("int", [0, 1])),
            ("udp", "gro", ("int", [0, 1])),
            ("udplite", "send_cscov", ("int", [0, 1, 7, 8, 9, 20, 100, 65535, 65536, -1])),
            ("udplite", "recv_cscov", ("int", [0, 8, 20])),
        ]

    def c_setsockopt(self):
        level, name, spec = self.pick(self.options())
        s = self.sock()
        words = [f"setsockopt {s} level={level} name={name}"]
        x = self.r.random()
        if x < 0.04:
            words.append("val=" + self.pick(["null", "bad", "kernel"]))
            words.append(f"optlen={self.pick([0, 4])}")
        else:
            words.append(self.optvalue(spec))
            if x < 0.14:
                words.append(f"optlen={self.pick([0, 1, 2, 3, 5, 8, 16, 40, -1])}")
        self.lines.append(" ".join(words))

    def c_getsockopt(self):
        level, name, _ = self.pick(self.options())
        if name in ("add_membership", "join_group", "leave_group"):
            name = "multicast_if"
        elif name == "addrform" or (self.fam.domain == "inet6" and self.chance(0.1)):
            level, name = "ipv6", self.pick(["mtu", "unicast_hops", "v6only"])  # IPV6_MTU
        s = self.sock()
        words = [f"getsockopt {s} level={level} name={name}"]
        x = self.r.random()
        if x < 0.04:
            words.append("val=null")
        elif x < 0.15:
            words.append(f"optlen={self.pick([0, 1, 2, 3, 8, 40])}")
        self.lines.append(" ".join(words))

    def c_bind(self):
        fam = self.fam
        s = self.sock()
        x = self.r.random()
        if x < 0.05:
            a = self.pick(["unspec", "null", "bad"])
        else:
            a = fam.addr(self.pick(fam.bind_hosts()), self.pick([0, 0, 0, 5000, 5001, 5002]))
        words = [f"bind {s} addr={a}"]
        if self.chance(0.05):
            words.append(f"addrlen={self.pick([0, 8, 15, 16, 17, 128])}")
        self.lines.append(" ".join(words))

    def c_connect(self):
        s = self.sock()
        if self.chance(0.15):
            a = "unspec"
        else:
            a = self.dest()
        words = [f"connect {s} addr={a}"]
        if self.chance(0.05):
            words.append(f"addrlen={self.pick([0, 2, 8, 15, 16, 17, 128])}")
        self.lines.append(" ".join(words))

    def send_words(self, s):
        """One send-family call on s (a list of words; no newline)."""
        kind = self.pick(["send", "sendto", "sendto", "sendmsg", "sendmsg", "sendmmsg",
                          "write", "writev"])
        if kind == "send":
            words = [f"send {s}"] + self.payload()
            f = self.flags()
            if f:
                words.append(f"flags={f}")
        elif kind == "sendto":
            words = [f"sendto {s}"] + self.payload()
            if self.chance(0.85):
                words.append("to=" + self.dest())
            if self.chance(0.04):
                words.append(f"tolen={self.pick([0, 8, 15, 16, 17, 128])}")
            f = self.flags()
            if f:
                words.append(f"flags={f}")
        elif kind == "sendmsg":
            words = [f"sendmsg {s}"] + self.msg()
            f = self.flags()
            if f:
                words.append(f"flags={f}")
            if self.chance(0.02):
                words.append("msg=" + self.pick(["null", "bad"]))
        elif kind == "sendmmsg":
            words = [f"sendmmsg {s}"]
            f = self.flags()
            if f:
                words.append(f"flags={f}")
            if self.chance(0.08):
                words.append(f"vlen={self.pick([0, 1, 2, 1025])}")
            if self.chance(0.5):
                words.append(f"n={self.r.randrange(1, 5)}")
                words += self.msg(big_ok=False)
            else:
                for _ in range(self.r.randrange(1, 4)):
                    words.append("|")
                    words += self.msg(big_ok=False)
                    if self.chance(0.1):
                        words.append("msg_flags=" + self.pick(["more", "dontwait"]))
        elif kind == "write":
            words = [f"write {s}"] + self.payload()
        else:
            segs = []
            for _ in range(self.r.randrange(0, 5)):
                segs.append(str(self.pick([0, 1, 8, 100, 700, 1472, 1473, 4000])))
            if self.chance(0.05):
                segs = [self.pick(["1025x1", "1024x1", "bad:4", "null:0"])]
            words = [f"writev {s} iov=" + (",".join(segs) if segs else "none")]
        return words

    def c_send(self):
        self.lines.append(" ".join(self.send_words(self.sock())))

    def c_fork(self):
        s = self.sock()
        x = self.r.random()
        if x < 0.6:
            words = self.send_words(s)
        elif x < 0.75:
            words = [f"setsockopt {s} level=ip name=ttl int={self.pick([1, 7, 200])}"]
        elif x < 0.85:
            words = [f"connect {s} addr={self.dest()}"]
        elif x < 0.93:
            words = [f"shutdown {s} how={self.pick(['wr', 'rdwr'])}"]
        else:
            words = [f"close {s}"]
        self.lines.append("fork " + " ".join(words))

    def c_shutdown(self):
        self.lines.append(f"shutdown {self.sock()} how={self.pick(['rd', 'wr', 'rdwr', '7'])}")

    def c_dup(self):
        if not self.open:
            return
        old = self.pick(self.open)
        name = f"s{self.nextname}"
        self.nextname += 1
        self.lines.append(f"dup {name} {old}")
        self.names.append(name)
        self.open.append(name)
        if old in self.udplite:
            self.udplite.add(name)

    def c_close(self):
        s = self.sock()
        self.lines.append(f"close {s}")
        if s in self.open:
            self.open.remove(s)
        if not self.open or self.chance(0.3):
            self.c_socket()

    def c_fcntl(self):
        self.lines.append(f"fcntl {self.sock()} nonblock={self.pick([0, 1])}")

    def c_sleep(self):
        self.lines.append(f"sleep-ms {self.pick([1, 2, 5])}")

    def generate(self):
        for _ in range(1 + (self.r.random() < 0.3) + (self.r.random() < 0.1)):
            self.c_socket()
        ops = [(self.c_setsockopt, 22), (self.c_getsockopt, 8), (self.c_bind, 5),
               (self.c_connect, 7), (self.c_send, 34), (self.c_fork, 3), (self.c_shutdown, 2),
               (self.c_dup, 2), (self.c_close, 2), (self.c_fcntl, 1), (self.c_sleep, 1)]
        total = sum(w for _, w in ops)
        n = self.r.randrange(2, self.max_calls)
        for _ in range(n):
            x = self.r.randrange(total)
            for fn, w in ops:
                if x < w:
                    fn()
                    break
                x -= w
        return self.lines


def generate(seed, index, max_calls=24):
    """The lines of sequence INDEX of SEED (deterministic)."""
    return Gen(seed, index, max_calls).generate()


def scenario_text(lines, title="", extra_headers=()):
    """A bench scenario file for these lines (tests/bench/README.md)."""
    out = []
    if title:
        out.append(f"# {title}")
    out.append(f"# topology: {TOPOLOGY}")
    out += list(extra_headers)
    out += lines
    return "\n".join(out) + "\n"
