#!/usr/bin/env python3
"""Compare a native run and a shim run of one bench scenario.

    compare.py [--arp] [--igmp] [--ndp] [--mld] [--all-frames] [--flowlabel-exact] [--gso-ids]
               [--ephemeral LO-HI] [--max-diffs N] NATIVE_DIR SHIM_DIR

Each directory holds results.txt (the scenario runner's result lines, then "exit N") and
capture.pcap (the frames received in namespace B). Result lines must be identical; frames are
compared frame by frame and byte by byte, except for fields that are random by design, which
are named, with the reason, and checked by a rule instead:

  ip.id        value not reproducible (kernel-private generator, or a per-socket counter
               seeded randomly at connect); checked: equal across the fragments of one
               datagram, the same equal/distinct pattern per flow, zero iff zero (DF frames of
               unconnected sockets), and for sockets connected at every send the same
               differences between consecutive datagrams (within one connect epoch:
               a reconnect reseeds the counter).
  ip.checksum  compared byte-wise when the rest of the header is equal; when only ip.id
               differs it is recomputed and must be valid on both sides.
  udp.sport    an autobound (ephemeral) port is random: ports in the ephemeral range are
               mapped native->shim, and the mapping must be one-to-one and consistent
               across the result lines (local=/peer=/from=) and every frame.
  udp.checksum compared byte-wise when the datagram is otherwise equal; when only masked
               fields (udp.sport) differ it must be valid on both sides (computed over the
               reassembled datagram for fragments); 0 ("no checksum") must match exactly; a
               checksum left to the device (the pseudo-header sum alone, CHECKSUM_PARTIAL, seen
               behind a veth with TX checksum offload: topology word a-tx-csum) must be left
               to it on both sides.
  ip.timestamp the time slots of an IP timestamp option (0x44) up to its pointer: milliseconds
               since midnight UTC when the frame was built; checked: below 86400000 and within
               2 s of the frame's capture time on both sides (all other option bytes compared).

  ip6.flowlabel  an automatic IPv6 flow label (a hash of the flow, or of a random per-socket
               value once connected); checked: 0 iff 0, one label per datagram, the same
               equal/distinct pattern over all IPv6 datagrams (exact with --flowlabel-exact).
  ip6.frag.id  the IPv6 fragment identification (ipv6_select_ident); checked: equal across the
               fragments of a datagram, the same equal/distinct pattern per flow, never 0.

IPv6 frames are decoded like IPv4 ones (header fields, extension headers, fragment header, UDP);
neighbour discovery and MLD frames are ignored unless --ndp / --mld.
ARP frames are ignored unless --arp, IGMP frames (the kernel's membership reports, sent after
random delays when a socket joins a group) unless --igmp; frames that are neither IPv4 nor ARP
are ignored unless --all-frames (they are compared byte-wise then). Exit status: 0 identical,
1 different, 2 unusable input.
"""

import argparse
import os
import struct
import sys

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
ETH_IPV6 = 0x86DD
PROTO_UDP = 17
PROTO_UDPLITE = 136
PROTO_ICMPV6 = 58
# IPv6 extension headers a sender may put before the upper layer (RFC 8200 order): hop-by-hop,
# routing, destination options; the fragment header (44) is handled on its own.
EXT6_NAMES = {0: "ip6.hopopts", 43: "ip6.rthdr", 60: "ip6.dstopts"}
NDP_TYPES = {133, 134, 135, 136, 137}  # router/neighbour solicitation/advertisement, redirect
MLD_TYPES = {130, 131, 132, 143}  # listener query/report/done, MLDv2 report


class Unusable(Exception):
    pass


class RawFrame(bytes):
    """A captured frame's bytes, with its capture time (seconds since the epoch) in .ts."""
    ts = None


# ------------------------------------------------------------------------------------------
# pcap


def read_pcap(path):
    """Returns a list of frames (bytes). Classic pcap, micro- or nanosecond, either byte order."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Unusable(f"{path}: {e.strerror}")
    if len(data) < 24:
        raise Unusable(f"{path}: no pcap header ({len(data)} bytes)")
    magic_le = struct.unpack("<I", data[:4])[0]
    if magic_le in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif struct.unpack(">I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D):
        e = ">"
    else:
        raise Unusable(f"{path}: not a pcap file (magic {data[:4].hex()})")
    nsec = struct.unpack(e + "I", data[:4])[0] == 0xA1B23C4D
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype != 1:
        raise Unusable(f"{path}: link type {linktype}, expected 1 (Ethernet)")
    frames = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise Unusable(f"{path}: truncated record header at offset {off}")
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            raise Unusable(f"{path}: truncated record at offset {off}")
        if incl != orig:
            raise Unusable(f"{path}: frame {len(frames) + 1} truncated by the capture "
                           f"({incl} of {orig} bytes)")
        fr = RawFrame(data[off:off + incl])
        fr.ts = sec + frac / (1e9 if nsec else 1e6)
        frames.append(fr)
        off += incl
    return frames


# ------------------------------------------------------------------------------------------
# decoding


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ip4(a):
    return ".".join(str(b) for b in a)


def ip6(a):
    """RFC 5952 text of 16 bytes (the longest run of zero groups shortened)."""
    g = [struct.unpack("!H", a[i:i + 2])[0] for i in range(0, 16, 2)]
    best, cur = (0, 0), None
    for i, v in enumerate(g + [1]):
        if v == 0 and cur is None:
            cur = i
        elif v != 0 and cur is not None:
            if i - cur > best[1] - best[0] and i - cur > 1:
                best = (cur, i)
            cur = None
    h = ["%x" % v for v in g]
    if best[1] > best[0]:
        return ":".join(h[:best[0]]) + "::" + ":".join(h[best[1]:])
    return ":".join(h)


def ipaddr(a):
    return ip4(a) if len(a) == 4 else ip6(a)


TS_SLACK_MS = 2000
DAY_MS = 86400000


def timestamp_slots(raw, start, end):
    """(start, end, "ip.timestamp") for each filled time slot of a timestamp option (RFC 791:
    flag 0 = times only, 1 and 3 = address and time pairs; filled = before the pointer)."""
    out = []
    i = start
    while i < end:
        t = raw[i]
        if t == 0:
            break
        if t == 1:
            i += 1
            continue
        if i + 1 >= end or raw[i + 1] < 2 or i + raw[i + 1] > end:
            break
        olen = raw[i + 1]
        if t == 0x44 and olen >= 4:
            ptr, flag = raw[i + 2], raw[i + 3] & 15
            step, toff = (4, 0) if flag == 0 else (8, 4)
            for s in range(4, olen, step):
                if s + toff + 4 <= min(olen, ptr - 1):
                    out.append((i + s + toff, i + s + toff + 4, "ip.timestamp"))
        i += olen
    return out


def timestamp_plausible(value, capture_ts):
    """The kernel's timestamp (inet_current_timestamp): ms since midnight UTC, taken when the
    frame was built; so below one day and close to the capture time."""
    if value >= DAY_MS:
        return False
    if capture_ts is None:
        return True
    d = abs(int(capture_ts % 86400 * 1000) - value)
    return min(d, DAY_MS - d) <= TS_SLACK_MS


class Frame:
    """One captured frame, with the decoded fields this comparison needs."""

    def __init__(self, index, raw):
        self.index = index  # 1-based position among the compared frames
        self.raw = raw
        self.ethertype = struct.unpack("!H", raw[12:14])[0] if len(raw) >= 14 else None
        self.ip = None  # dict when this is a parseable IPv4 or IPv6 frame ("v": 4 or 6)
        self.fields = []  # (start, end, name)
        if len(raw) >= 14:
            self.fields += [(0, 6, "eth.dst"), (6, 12, "eth.src"), (12, 14, "eth.type")]
        if self.ethertype == ETH_IPV4:
            self._decode_ip()
        elif self.ethertype == ETH_IPV6:
            self._decode_ip6()
        elif self.ethertype == ETH_ARP:
            self.fields.append((14, len(raw), "arp"))
        elif len(raw) > 14:
            self.fields.append((14, len(raw), "eth.payload"))

    def _decode_ip(self):
        raw = self.raw
        if len(raw) < 34 or raw[14] >> 4 != 4 or (raw[14] & 15) < 5:
            self.fields.append((14, len(raw), "ip.malformed"))
            return
        ihl = (raw[14] & 15) * 4
        tot = struct.unpack("!H", raw[16:18])[0]
        ip = {
            "v": 4,
            "ihl": ihl,
            "tot": tot,
            "id": struct.unpack("!H", raw[18:20])[0],
            "df": bool(raw[20] & 0x40),
            "mf": bool(raw[20] & 0x20),
            "off": (struct.unpack("!H", raw[20:22])[0] & 0x1FFF) * 8,
            "proto": raw[23],
            "src": raw[26:30],
            "dst": raw[30:34],
            "hdr": raw[14:14 + ihl],
            "data": raw[14 + ihl:14 + tot],
        }
        self.ip = ip
        f = self.fields
        f += [(14, 15, "ip.version_ihl"), (15, 16, "ip.tos"), (16, 18, "ip.total_length"),
              (18, 20, "ip.id"), (20, 22, "ip.flags_fragoff"), (22, 23, "ip.ttl"),
              (23, 24, "ip.protocol"), (24, 26, "ip.checksum"), (26, 30, "ip.src"),
              (30, 34, "ip.dst")]
        if ihl > 20:
            f += timestamp_slots(raw, 34, 14 + ihl)
            f.append((34, 14 + ihl, "ip.options"))
        base = 14 + ihl
        end = 14 + tot
        ip["sport"] = ip["dport"] = None
        ip["gkey"] = (ip["src"], ip["dst"], ip["proto"])
        ip["udp_skip"] = 0
        if ip["off"] == 0 and ip["proto"] in (PROTO_UDP, PROTO_UDPLITE) and tot >= ihl + 8:
            ip["sport"], ip["dport"], ip["ulen"], ip["ucsum"] = struct.unpack(
                "!HHHH", raw[base:base + 8])
            f += [(base, base + 2, "udp.sport"), (base + 2, base + 4, "udp.dport"),
                  (base + 4, base + 6, "udp.length"), (base + 6, base + 8, "udp.checksum"),
                  (base + 8, end, "udp.payload")]
        elif ip["off"] == 0:
            f.append((base, end, "ip.payload"))
        else:
            f.append((base, end, "ip.fragment_data"))
        if len(raw) > end:
            f.append((end, len(raw), "eth.padding"))

    def _decode_ip6(self):
        """IPv6 header, extension headers (hop-by-hop, routing, destination options), fragment
        header, then UDP / UDP-Lite / ICMPv6 or fragment data. ip["ihl"] is the length from the
        IPv6 header to the UDP header, ip["data"] the fragmentable part (after the fragment
        header) for fragments, else from the UDP header."""
        raw = self.raw
        if len(raw) < 54 or raw[14] >> 4 != 6:
            self.fields.append((14, len(raw), "ip6.malformed"))
            return
        plen = struct.unpack("!H", raw[18:20])[0]
        end = min(54 + plen, len(raw))
        vtf = struct.unpack("!I", raw[14:18])[0]
        f = self.fields
        f += [(14, 18, "ip6.vtf"), (18, 20, "ip6.payload_length"), (20, 21, "ip6.next_header"),
              (21, 22, "ip6.hop_limit"), (22, 38, "ip6.src"), (38, 54, "ip6.dst")]
        ip = {"v": 6, "tclass": (vtf >> 20) & 0xFF, "flow": vtf & 0xFFFFF, "tot": 40 + plen,
              "src": raw[22:38], "dst": raw[38:54], "df": False, "mf": False, "off": 0,
              "id": None, "hop": raw[21], "exts": []}
        nh, pos, data_start, frag_nh = raw[20], 54, None, None
        while True:
            if nh in EXT6_NAMES and pos + 2 <= end:
                hl = (raw[pos + 1] + 1) * 8
                if pos + hl > end:
                    f.append((pos, end, "ip6.malformed"))
                    pos = end
                    break
                f.append((pos, pos + hl, EXT6_NAMES[nh]))
                ip["exts"].append(nh)
                if nh == 43 and hl >= 24:
                    # the final destination, which the UDP checksum's pseudo-header takes (RFC
                    # 8200 8.1): a segment routing header's segments[0] (RFC 8754), a type 0 or
                    # 2 header's last address
                    at = pos + 8 if raw[pos + 2] == 4 else pos + hl - 16
                    ip["final_dst"] = raw[at:at + 16]
                nh = raw[pos]
                pos += hl
                continue
            if nh == 44 and pos + 8 <= end and data_start is None:
                fo = struct.unpack("!H", raw[pos + 2:pos + 4])[0]
                f += [(pos, pos + 1, "ip6.frag.next_header"), (pos + 1, pos + 2, "ip6.frag.reserved"),
                      (pos + 2, pos + 4, "ip6.frag.offset_flags"), (pos + 4, pos + 8, "ip6.frag.id")]
                ip["off"] = fo & ~7
                ip["mf"] = bool(fo & 1)
                ip["id"] = struct.unpack("!I", raw[pos + 4:pos + 8])[0]
                ip["exts"].append(44)
                frag_nh = nh = raw[pos]
                pos += 8
                data_start = pos
                if ip["off"]:
                    break  # the rest is fragment data
                continue
            break
        ip["proto"] = nh
        ip["gkey"] = (ip["src"], ip["dst"], frag_nh if frag_nh is not None else nh)
        ip["ihl"] = pos - 14
        ip["data"] = raw[(data_start if data_start is not None else pos):end]
        ip["udp_skip"] = pos - data_start if data_start is not None and ip["off"] == 0 else 0
        ip["sport"] = ip["dport"] = None
        self.ip = ip
        if ip["off"] == 0 and nh in (PROTO_UDP, PROTO_UDPLITE) and end - pos >= 8:
            ip["sport"], ip["dport"], ip["ulen"], ip["ucsum"] = struct.unpack(
                "!HHHH", raw[pos:pos + 8])
            f += [(pos, pos + 2, "udp.sport"), (pos + 2, pos + 4, "udp.dport"),
                  (pos + 4, pos + 6, "udp.length"), (pos + 6, pos + 8, "udp.checksum"),
                  (pos + 8, end, "udp.payload")]
        elif ip["off"] == 0 and nh == PROTO_ICMPV6:
            f.append((pos, end, "icmp6"))
        elif ip["off"] == 0:
            f.append((pos, end, "ip6.payload"))
        else:
            f.append((pos, end, "ip6.fragment_data"))
        if len(raw) > end:
            f.append((end, len(raw), "eth.padding"))

    def field_at(self, off):
        for start, end, name in self.fields:
            if start <= off < end:
                return start, end, name
        return len(self.raw), len(self.raw) + 65536, "frame.extra"

    def ip_header_valid(self):
        return csum16(self.ip["hdr"]) == 0xFFFF

    def summary(self):
        if self.ip is None:
            kind = {ETH_ARP: "ARP"}.get(self.ethertype, "ethertype 0x%04x" % (self.ethertype or 0))
            return f"{kind}, {len(self.raw)} bytes"
        ip = self.ip
        if ip["v"] == 6:
            s = f"IPv6 {ip6(ip['src'])} > {ip6(ip['dst'])} nh {ip['proto']} len {ip['tot']}"
        else:
            s = f"IPv4 {ip4(ip['src'])} > {ip4(ip['dst'])} proto {ip['proto']} len {ip['tot']}"
        if ip["sport"] is not None:
            s += f" udp {ip['sport']} > {ip['dport']}"
        if ip["off"] or ip["mf"]:
            s += f" frag off {ip['off']}{' MF' if ip['mf'] else ''}"
        return s


class Datagram:
    """The frames (fragments) of one IPv4 or IPv6 datagram, first fragment first."""

    def __init__(self, first):
        self.frames = [first]
        self.next_off = first.ip["off"] + len(first.ip["data"])
        self.complete = not first.ip["mf"]

    @property
    def first(self):
        return self.frames[0]

    def payload(self):
        return b"".join(f.ip["data"] for f in self.frames)

    def udp_checksum_kind(self):
        """None: not checkable (not UDP, incomplete); "valid" (0 counts as valid); "partial":
        a one-frame UDP datagram whose checksum field holds the pseudo-header sum alone, the
        seed a device completes (CHECKSUM_PARTIAL, udp4_hwcsum / udp6_hwcsum): on a veth whose
        TX checksum offload is on (topology word a-tx-csum) the receiver sees it so; "invalid"
        otherwise."""
        ip = self.first.ip
        if ip["proto"] not in (PROTO_UDP, PROTO_UDPLITE) or ip["sport"] is None:
            return None
        if not self.complete or self.first.ip["off"] != 0:
            return None
        data = self.payload()[ip["udp_skip"]:]
        if ip["ucsum"] == 0 and ip["proto"] == PROTO_UDP:
            return "valid"  # no checksum (IPv4; IPv6 with UDP_NO_CHECK6_TX); 0 must match anyway
        length = len(data)
        cover = length
        if ip["proto"] == PROTO_UDPLITE and 0 < ip["ulen"] < length:
            cover = ip["ulen"]
        if ip["v"] == 6:
            pseudo = ip["src"] + ip.get("final_dst", ip["dst"]) + struct.pack("!I3xB", length,
                                                                              ip["proto"])
        else:
            pseudo = ip["src"] + ip["dst"] + struct.pack("!BBH", 0, ip["proto"], length)
        if csum16(pseudo + data[:cover]) == 0xFFFF:
            return "valid"
        if ip["proto"] == PROTO_UDP and len(self.frames) == 1 and ip["ucsum"] == csum16(pseudo):
            return "partial"
        return "invalid"

    def udp_checksum_valid(self):
        """None: not checkable (not UDP, incomplete); True/False otherwise (a checksum left to
        the device counts as valid: the device completes it)."""
        kind = self.udp_checksum_kind()
        return None if kind is None else kind != "invalid"


def group_datagrams(frames):
    """Fragments join the open datagram of the same src/dst/proto whose data they continue."""
    dgrams = []
    open_ = {}
    orphans = []
    for f in frames:
        ip = f.ip
        if ip is None:
            continue
        key = ip["gkey"]
        if ip["off"] == 0:
            d = Datagram(f)
            dgrams.append(d)
            f.dgram = d
            if ip["mf"]:
                open_[key] = d
            else:
                open_.pop(key, None)
            continue
        d = open_.get(key)
        if d is None or d.next_off != ip["off"]:
            orphans.append(f)
            f.dgram = None
            continue
        d.frames.append(f)
        f.dgram = d
        d.next_off = ip["off"] + len(ip["data"])
        if not ip["mf"]:
            d.complete = True
            del open_[key]
    return dgrams, orphans


# ------------------------------------------------------------------------------------------
# results


def read_results(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n") for line in f]
    except OSError as e:
        raise Unusable(f"{path}: {e.strerror}")


def addr_port(value):
    """'1.2.3.4:567' or '[::1]:567' -> (host, port); None otherwise."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host, int(port)


class PortMap:
    """Native ephemeral port -> shim ephemeral port, one-to-one."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi
        self.fwd = {}
        self.rev = {}
        self.uses = 0

    def ephemeral(self, port):
        return self.lo <= port <= self.hi

    def check(self, native, shim):
        """Returns None if consistent, else a reason."""
        if native == shim and not self.ephemeral(native):
            return None
        if not self.ephemeral(native) or not self.ephemeral(shim):
            if native != shim:
                return "differs (not an ephemeral port, so not masked)"
            return None
        self.uses += 1
        if native in self.fwd and self.fwd[native] != shim:
            return f"inconsistent: native {native} was mapped to shim {self.fwd[native]}"
        if shim in self.rev and self.rev[shim] != native:
            return f"inconsistent: shim {shim} already stands for native {self.rev[shim]}"
        self.fwd[native] = shim
        self.rev[shim] = native
        return None


SEND_CALLS = {"send", "sendto", "sendmsg", "sendmmsg", "write", "writev"}


def exit_meaning(status):
    try:
        n = int(status)
    except ValueError:
        return status
    if n == 124:
        return f"{n} (timed out)"
    if n > 128:
        try:
            import signal
            return f"{n} (killed by {signal.Signals(n - 128).name})"
        except ValueError:
            return f"{n} (killed by signal {n - 128})"
    return str(n)


def split_exit(lines):
    """Result lines without the final 'exit N' line (added by run-diff), and N (or None)."""
    if lines and lines[-1].startswith("exit "):
        return lines[:-1], lines[-1][5:].strip()
    return lines, None


def compare_line(i, a, b, ports, out):
    ta, tb = a.split(), b.split()
    reasons = []
    if len(ta) != len(tb):
        reasons.append("different number of fields")
    for x, y in zip(ta, tb):
        if x == y and "=" not in x:
            continue
        kx, _, vx = x.partition("=")
        ky, _, vy = y.partition("=")
        if kx != ky:
            reasons.append(f"field '{x}' vs '{y}'")
            continue
        if kx in ("local", "peer", "from"):
            px, py = addr_port(vx), addr_port(vy)
            if px and py and px[0] == py[0]:
                why = ports.check(px[1], py[1])
                if why:
                    reasons.append(f"{kx} port {px[1]} vs {py[1]}: {why}")
                continue
        if x != y:
            reasons.append(f"{kx}: native={vx} shim={vy}")
    if reasons:
        out.append(f"result line {i + 1}: {'; '.join(reasons)}")
        out.append(f"    native: {a}")
        out.append(f"    shim:   {b}")
        return 1
    return 0


def compare_results(nat, shim, ports, out):
    """Compares result lines; fills ports; returns the number of differences."""
    ndiff = 0
    na, ea = split_exit(nat)
    nb, eb = split_exit(shim)
    for i in range(min(len(na), len(nb))):
        ndiff += compare_line(i, na[i], nb[i], ports, out)
    if len(na) != len(nb):
        ndiff += 1
        longer, who, other, oexit = ((na, "native", "shim", eb) if len(na) > len(nb)
                                     else (nb, "shim", "native", ea))
        first = min(len(na), len(nb))
        span = (f"line {first + 1}" if len(longer) == first + 1
                else f"lines {first + 1}-{len(longer)}")
        out.append(f"result {span} only in the {who} run (the {other} "
                   f"run stopped after {first} line(s), exit {exit_meaning(oexit)}):")
        for line in longer[first:first + 5]:
            out.append(f"    {who}: {line}")
        if len(longer) - first > 5:
            out.append(f"    ... and {len(longer) - first - 5} more")
    if ea != eb:
        ndiff += 1
        out.append(f"runner exit status: native={exit_meaning(ea)} shim={exit_meaning(eb)}")
    return ndiff


def connected_ports(lines):
    """Local ports whose every successful send happened while the socket had a peer."""
    state = {}
    for line in lines:
        t = line.split()
        if len(t) < 4 or t[1] not in SEND_CALLS or not t[2].startswith("ret="):
            continue
        try:
            if int(t[2][4:]) < 0:
                continue
        except ValueError:
            continue
        kv = dict(x.split("=", 1) for x in t[3:] if "=" in x)
        lp = addr_port(kv.get("local", ""))
        if not lp or lp[1] == 0:
            continue
        connected = kv.get("peer", "none") != "none"
        state[lp[1]] = state.get(lp[1], True) and connected
    return {p for p, c in state.items() if c}


def connect_epochs(lines):
    """Per local port: the connect epoch of every datagram its successful sends should have put
    on the wire, in order. connect() reseeds a socket's IP ID counter (docs/udp4-send-path.md 5.2), so ID increments
    are only comparable between datagrams of one epoch. A send counts one datagram (sendmmsg: its
    return value; writev returning 0: none); a connect that succeeds starts a new epoch."""
    epochs = {}
    cur = {}
    for line in lines:
        t = line.split()
        if len(t) < 4 or not t[2].startswith("ret="):
            continue
        try:
            ret = int(t[2][4:])
        except ValueError:
            continue
        kv = dict(x.split("=", 1) for x in t[3:] if "=" in x)
        lp = addr_port(kv.get("local", ""))
        if ret < 0 or not lp or lp[1] == 0:
            continue
        port = lp[1]
        if t[1] == "connect":
            cur[port] = cur.get(port, 0) + 1
        elif t[1] in SEND_CALLS:
            n = ret if t[1] == "sendmmsg" else (0 if t[1] == "writev" and ret == 0 else 1)
            epochs.setdefault(port, []).extend([cur.get(port, 0)] * n)
    return epochs


# ------------------------------------------------------------------------------------------
# frames


def fmt_val(name, b):
    if len(b) == 0:
        return "(none)"
    if name in ("ip.src", "ip.dst") and len(b) == 4:
        return ip4(b)
    if name in ("ip6.src", "ip6.dst") and len(b) == 16:
        return ip6(b)
    if name in ("eth.src", "eth.dst") and len(b) == 6:
        return ":".join("%02x" % x for x in b)
    if len(b) <= 2:
        v = int.from_bytes(b, "big")
        return f"{v} (0x{v:0{len(b) * 2}x})"
    if len(b) > 16:
        return b[:16].hex() + "..."
    return b.hex()


class FrameCompare:
    def __init__(self, ports, max_diffs, allowed=(), flowlabel_exact=False, gso_ids=False):
        self.ports = ports
        self.gso_ids = gso_ids
        self.flowlabel_exact = flowlabel_exact
        self.max_diffs = max_diffs
        self.allowed = set(allowed)
        self.known_lines = []
        self.lines = []
        self.ndiff = 0
        self.masked = {}  # field -> count
        self.shown = 0

    def note_masked(self, field):
        self.masked[field] = self.masked.get(field, 0) + 1

    def known(self, name, text):
        """A difference the scenario declares known (--known-difference NAME): reported, not
        counted."""
        if name in self.allowed:
            self.known_lines.append(f"known difference ({name}: {KNOWN_DIFFERENCES[name]}): "
                                    f"{text}")
        else:
            self.diff(text)

    def diff(self, text):
        self.ndiff += 1
        if self.shown < self.max_diffs:
            self.lines.append(text)
        self.shown += 1

    def compare_pair(self, fa, fb):
        """Byte comparison of one frame pair; masked fields are left to the datagram checks."""
        a, b = fa.raw, fb.raw
        head = f"frame {fa.index} ({fa.summary()})"
        problems = []
        if len(a) != len(b):
            problems.append((-1, f"  frame length: native={len(a)} shim={len(b)}"))
        masked_diff = set()
        other_diff_ip = False
        # Group differing bytes by the native frame's field.
        diffs = {}
        for off in range(min(len(a), len(b))):
            if a[off] != b[off]:
                diffs.setdefault(fa.field_at(off), []).append(off)
        for (start, end, name), offs in sorted(diffs.items()):
            if name in ("ip.id", "ip6.frag.id"):
                masked_diff.add(name)
                continue
            if name == "ip6.vtf":
                va = struct.unpack("!I", a[start:end])[0]
                vb = struct.unpack("!I", b[start:end])[0]
                for fname, shift, mask in (("ip6.version", 28, 0xF), ("ip6.tclass", 20, 0xFF),
                                           ("ip6.flowlabel", 0, 0xFFFFF)):
                    xa, xb = (va >> shift) & mask, (vb >> shift) & mask
                    if xa == xb:
                        continue
                    if fname == "ip6.flowlabel" and not self.flowlabel_exact:
                        masked_diff.add(fname)  # checked by rule (flow_labels)
                        continue
                    other_diff_ip = True
                    problems.append((start, f"  @0x{start:04x} {fname}: native={xa:#x} "
                                            f"shim={xb:#x}"))
                continue
            if name == "ip.timestamp":
                va = struct.unpack("!I", a[start:end])[0]
                vb = struct.unpack("!I", b[start:end])[0]
                if timestamp_plausible(va, getattr(a, "ts", None)) and \
                        timestamp_plausible(vb, getattr(b, "ts", None)):
                    masked_diff.add(name)
                else:
                    problems.append((start, f"  @0x{start:04x} ip.timestamp: native={va} "
                                            f"shim={vb} (ms since midnight UTC; must lie "
                                            f"within {TS_SLACK_MS} ms of the capture time)"))
                continue
            if name == "udp.sport" and fb.ip and fb.ip["sport"] is not None:
                why = self.ports.check(fa.ip["sport"], fb.ip["sport"])
                if why is None:
                    masked_diff.add(name)
                    continue
                problems.append((start, f"  @0x{start:04x} udp.sport: native={fa.ip['sport']} "
                                        f"shim={fb.ip['sport']}: {why}"))
                continue
            if name in ("ip.checksum", "udp.checksum"):
                continue  # decided below
            if name.startswith("ip.") or name.startswith("eth.") or name.startswith("ip6."):
                other_diff_ip = True
            if name in ("udp.payload", "ip.payload", "ip.fragment_data", "arp", "eth.payload",
                        "eth.padding", "ip.options", "frame.extra", "ip6.payload",
                        "ip6.fragment_data", "icmp6", "ip6.hopopts", "ip6.dstopts", "ip6.rthdr",
                        "ip6.malformed"):
                first, last = offs[0], offs[-1]
                rel = first - start
                n = min(last + 1, len(a), len(b)) - first
                shown = min(n, 16)
                where = ""
                if name == "ip.fragment_data" and fa.ip["proto"] in (PROTO_UDP, PROTO_UDPLITE):
                    where = f" (UDP payload byte {fa.ip['off'] + rel - 8})"
                elif name == "ip6.fragment_data":
                    where = f" (fragmentable part byte {fa.ip['off'] + rel})"
                if len(offs) == 1:
                    what = f"{name}[{rel}]{where}: 1 byte differs"
                else:
                    what = (f"{name}[{rel}..{last - start}]{where}: {len(offs)} bytes differ "
                            f"in this range")
                problems.append(
                    (first, f"  @0x{first:04x} {what}: native={a[first:first + shown].hex()}"
                            f"{'...' if n > shown else ''} shim={b[first:first + shown].hex()}"
                            f"{'...' if n > shown else ''}"))
            else:
                problems.append((start, f"  @0x{start:04x} {name}: native="
                                        f"{fmt_val(name, a[start:end])} "
                                        f"shim={fmt_val(name, b[start:end])}"))
        # IP header checksum (IPv6 has none)
        if fa.ip and fb.ip and fa.ip["v"] == 4 and fb.ip["v"] == 4:
            cs = 24
            if a[cs:cs + 2] != b[cs:cs + 2]:
                if not other_diff_ip and masked_diff & {"ip.id", "ip.timestamp"} and \
                        fa.ip_header_valid() \
                        and fb.ip_header_valid():
                    masked_diff.add("ip.checksum")
                elif not fb.ip_header_valid():
                    problems.append((cs, f"  @0x{cs:04x} ip.checksum: shim header checksum "
                                         f"invalid (native={fmt_val('', a[cs:cs + 2])} "
                                         f"shim={fmt_val('', b[cs:cs + 2])})"))
                elif not other_diff_ip:
                    problems.append((cs, f"  @0x{cs:04x} ip.checksum: native="
                                         f"{fmt_val('', a[cs:cs + 2])} "
                                         f"shim={fmt_val('', b[cs:cs + 2])}"))
                else:
                    problems.append((cs, f"  @0x{cs:04x} ip.checksum: differs as a consequence "
                                         f"of the other header differences (valid on both "
                                         f"sides)"))
            elif not fb.ip_header_valid():
                problems.append((cs, f"  @0x{cs:04x} ip.checksum: invalid on both sides"))
        for m in masked_diff:
            self.note_masked(m)
        fa.udp_csum_differs = bool(fa.ip and fb.ip and fa.ip["sport"] is not None and
                                   fb.ip["sport"] is not None and
                                   a[14 + fa.ip["ihl"] + 6:14 + fa.ip["ihl"] + 8] !=
                                   b[14 + fb.ip["ihl"] + 6:14 + fb.ip["ihl"] + 8])
        fa.has_problems = bool(problems)
        fa.sport_masked = "udp.sport" in masked_diff
        if problems:
            problems.sort(key=lambda p: p[0])
            self.diff("\n".join([head] + [p[1] for p in problems]))

    def udp_checksums(self, pairs):
        """Decides udp.checksum per datagram pair (needs the whole datagram). A checksum left to
        the device (the pseudo-header sum alone: CHECKSUM_PARTIAL, seen on a link with TX
        checksum offload) must be left to it on both sides."""
        for da, db in pairs:
            fa, fb = da.first, db.first
            if not getattr(fa, "udp_csum_differs", False):
                if db.udp_checksum_valid() is False and not any(
                        f.has_problems for f in da.frames):
                    self.diff(f"frame {fa.index} ({fa.summary()})\n  udp.checksum: invalid on "
                              f"both sides")
                continue
            va, vb = da.udp_checksum_valid(), db.udp_checksum_valid()
            ka, kb = da.udp_checksum_kind(), db.udp_checksum_kind()
            other = any(f.has_problems for f in da.frames)
            ca, cb = fa.ip["ucsum"], fb.ip["ucsum"]
            off = 14 + fa.ip["ihl"] + 6
            if va and vb and (ka == "partial") != (kb == "partial") and ka and kb:
                what = {"partial": "left to the device (the pseudo-header sum)",
                        "valid": "computed"}
                self.diff(f"frame {fa.index} ({fa.summary()})\n  @0x{off:04x} udp.checksum: "
                          f"native={ca:#06x} {what[ka]}, shim={cb:#06x} {what[kb]} "
                          f"(checksum offload)")
                continue
            if (ca == 0) != (cb == 0):
                self.diff(f"frame {fa.index} ({fa.summary()})\n  @0x{off:04x} udp.checksum: "
                          f"native={fmt_val('', ca.to_bytes(2, 'big'))} "
                          f"shim={fmt_val('', cb.to_bytes(2, 'big'))} (0 means no checksum)")
            elif vb is False:
                self.diff(f"frame {fa.index} ({fa.summary()})\n  @0x{off:04x} udp.checksum: "
                          f"shim checksum invalid (native={ca:#06x} shim={cb:#06x})")
            elif other:
                pass  # explained by the differences already reported
            elif fa.sport_masked and va and vb:
                self.note_masked("udp.checksum")
            else:
                self.diff(f"frame {fa.index} ({fa.summary()})\n  @0x{off:04x} udp.checksum: "
                          f"native={ca:#06x} shim={cb:#06x}")

    def ip_ids(self, pairs, conn_ports, epochs=None):
        """Property checks of IP IDs over datagram pairs (native, shim)."""
        # equal across fragments
        for side, idx in (("native", 0), ("shim", 1)):
            for p in pairs:
                d = p[idx]
                ids = {f.ip["id"] for f in d.frames}
                if len(ids) > 1:
                    self.diff(f"frame {d.first.index} ({d.first.summary()})\n  ip.id: {side} "
                              f"fragments of one datagram carry different IDs "
                              f"{sorted(ids)}")
        # flows: (src, dst, proto, sport, dport) by the native datagram
        flows = {}
        for da, db in pairs:
            ip = da.first.ip
            flows.setdefault((ip["src"], ip["dst"], ip["proto"], ip["sport"], ip["dport"]),
                             []).append((da, db))
        def tokens(side):
            ids = [p[side].first.ip["id"] for p in plist]
            # an IPv6 datagram without a fragment header has no ID: it equals no other; IPv6
            # fragment IDs have no GSO overlap (one random ID per datagram)
            out = [("none", k) if v is None else v for k, v in enumerate(ids)]
            if None in ids or any(p[side].first.ip["v"] != 4 for p in plist):
                return out
            if self.gso_ids:
                # a run with UDP_SEGMENT datagrams: one ID is reserved per GSO datagram
                # (__ip_make_skb) and its segments count up from it, so they overlap the IDs of
                # the datagrams after it -- unless a jiffy passed in between (ip_idents_reserve
                # then skips ahead at random): the pattern differs from run to run, the kernel's
                # own included; only repeats within one datagram (its fragments, checked above)
                # are compared there
                return [("dgram", k) for k in range(len(ids))]
            return out
        for key, plist in flows.items():
            by_nat = {}
            by_shim = {}
            tok_a, tok_b = tokens(0), tokens(1)
            for k in range(len(plist)):
                by_nat.setdefault(tok_a[k], set()).add(k)
                by_shim.setdefault(tok_b[k], set()).add(k)
            pat_a = sorted(sorted(s) for s in by_nat.values())
            pat_b = sorted(sorted(s) for s in by_shim.values())
            if pat_a != pat_b:
                da = plist[0][0]
                self.diff(f"frame {da.first.index} ({da.first.summary()})\n  ip.id: the pattern "
                          f"of equal/distinct IDs in this flow differs: native "
                          f"{[d.first.ip['id'] for d, _ in plist]} shim "
                          f"{[d.first.ip['id'] for _, d in plist]}")
        # zero iff zero, for DF frames of sockets that are not connected; a generator counter
        # passes through 0 now and then (after 65535, or a random step): such a 0 between its
        # neighbours is no mode difference
        def wrapped(side, k, flat):
            ids = [p[side].first.ip["id"] for p in flat]
            prev = ids[k - 1] if k > 0 else None
            nxt = ids[k + 1] if k + 1 < len(ids) else None
            return ids[k] == 0 and (prev not in (None, 0) or nxt not in (None, 0))
        for k, (da, db) in enumerate(pairs):
            fa, fb = da.first, db.first
            if fa.ip["v"] == 6 and fb.ip["v"] == 6:
                # ipv6_select_ident never gives 0: a fragment ID of 0 is wrong on any side
                if fa.ip["id"] is not None and fb.ip["id"] is not None and \
                        (fa.ip["id"] == 0) != (fb.ip["id"] == 0):
                    self.diff(f"frame {fa.index} ({fa.summary()})\n  ip6.frag.id: native="
                              f"{fa.ip['id']} shim={fb.ip['id']} (the kernel's fragment "
                              f"identification is never 0)")
                continue
            if fa.ip["v"] != 4 or fa.ip["sport"] in conn_ports or not fa.ip["df"]:
                continue
            if (fa.ip["id"] == 0) != (fb.ip["id"] == 0) and not (
                    wrapped(0, k, pairs) or wrapped(1, k, pairs)):
                self.diff(f"frame {fa.index} ({fa.summary()})\n  ip.id: native={fa.ip['id']} "
                          f"shim={fb.ip['id']} (a DF datagram of an unconnected socket has ID 0 "
                          f"iff IP_MTU_DISCOVER is DO or PROBE)")
        # connected sockets: same differences between consecutive datagrams
        seqs = {}
        for da, db in pairs:
            sp = da.first.ip["sport"]
            if sp is not None and sp in conn_ports and da.first.ip["v"] == 4:
                seqs.setdefault((da.first.ip["src"], sp), []).append((da, db))
        for (_, sp), plist in seqs.items():
            na = [d.first.ip["id"] for d, _ in plist]
            nb = [d.first.ip["id"] for _, d in plist]
            # Only increments within one connect epoch are comparable (a reconnect reseeds the
            # counter randomly). When the datagrams on the wire cannot be matched to the sends
            # of the result lines (e.g. MSG_PROBE, local destinations) and the socket was
            # reconnected between sends, the increments are not checked at all.
            ep = (epochs or {}).get(sp)
            if ep is not None and len(ep) == len(plist):
                keep = [i for i in range(len(plist) - 1) if ep[i] == ep[i + 1]]
            elif ep is not None and len(set(ep)) > 1:
                keep = []
            else:
                keep = list(range(len(plist) - 1))
            da_ = [(na[i + 1] - na[i]) & 0xFFFF for i in keep]
            db_ = [(nb[i + 1] - nb[i]) & 0xFFFF for i in keep]
            if da_ != db_:
                f0 = plist[0][0].first
                self.known("ip.id-connected", f"frame {f0.index} ({f0.summary()})\n  ip.id: connected socket, the "
                          f"differences between consecutive IDs differ: native {da_} "
                          f"(IDs {na}) shim {db_} (IDs {nb})")

    def flow_labels(self, pairs):
        """Rules for IPv6 flow labels, which the kernel derives from a flow hash (keyed by a
        per-boot secret and the ports, or a random per-socket hash once connected) when
        auto_flowlabels applies: 0 iff 0; one label across the frames of a datagram; and over all
        IPv6 datagrams the same pattern of equal/distinct labels (equal within a flow, distinct
        between flows and sockets, as the hash makes them)."""
        six = [(da, db) for da, db in pairs if da.first.ip["v"] == 6 and db.first.ip["v"] == 6]
        for side, idx in (("native", 0), ("shim", 1)):
            for p in six:
                labels = {f.ip["flow"] for f in p[idx].frames}
                if len(labels) > 1:
                    f0 = p[idx].first
                    self.diff(f"frame {f0.index} ({f0.summary()})\n  ip6.flowlabel: {side} "
                              f"frames of one datagram carry different labels "
                              f"{sorted(hex(x) for x in labels)}")
        for da, db in six:
            la, lb = da.first.ip["flow"], db.first.ip["flow"]
            if (la == 0) != (lb == 0):
                self.diff(f"frame {da.first.index} ({da.first.summary()})\n  ip6.flowlabel: "
                          f"native={la:#x} shim={lb:#x} (a label is 0 on one side only)")
        if self.flowlabel_exact:
            return
        groups = [{}, {}]
        for k, p in enumerate(six):
            for idx in (0, 1):
                lab = p[idx].first.ip["flow"]
                if lab:
                    groups[idx].setdefault(lab, []).append(k)
        pa = sorted(groups[0].values())
        pb = sorted(groups[1].values())
        if pa != pb:
            f0 = six[0][0].first
            self.diff(f"frame {f0.index} ({f0.summary()})\n  ip6.flowlabel: the pattern of "
                      f"equal/distinct labels differs: native "
                      f"{[hex(p[0].first.ip['flow']) for p in six]} shim "
                      f"{[hex(p[1].first.ip['flow']) for p in six]}")


def icmp6_type(raw):
    """The ICMPv6 type of an IPv6 frame (after hop-by-hop / destination options), or None."""
    if len(raw) < 54:
        return None
    nh, pos = raw[20], 54
    while nh in EXT6_NAMES and pos + 2 <= len(raw):
        nh, pos = raw[pos], pos + (raw[pos + 1] + 1) * 8
    if nh == PROTO_ICMPV6 and pos < len(raw):
        return raw[pos]
    return None


def frame_kind(raw):
    if len(raw) < 14:
        return "runt"
    t = struct.unpack("!H", raw[12:14])[0]
    if t == ETH_IPV4 and len(raw) >= 24 and raw[23] == 2:
        return "igmp"  # the kernel's membership reports: sent after random delays
    if t == ETH_IPV6:
        ty = icmp6_type(raw)
        if ty in NDP_TYPES:
            return "ndp"  # neighbour discovery: timing-dependent, like ARP
        if ty in MLD_TYPES:
            return "mld"  # listener reports: random delays, like IGMP
        return "ipv6"
    return {ETH_IPV4: "ipv4", ETH_ARP: "arp"}.get(t, "other")


# Differences a scenario may declare with "# known-difference: NAME" (run-diff passes them for the
# shim's bypass mode only). Each one is listed in docs/conformance.md with its cause.
KNOWN_DIFFERENCES = {
    "ip.id-connected": "a connected socket's datagram that the shim hands to the kernel socket "
                       "takes the kernel's ID counter, which the shim's own datagrams did not "
                       "advance",
}

MASK_REASONS = {
    "ip.id": "random by design (unconnected: kernel-private per-destination generator; "
             "connected: per-socket counter seeded randomly at connect); checked by property: "
             "equal across fragments, same equal/distinct pattern per flow, zero iff zero, "
             "same increments on connected sockets",
    "ip.checksum": "differs only because ip.id or ip.timestamp differs; valid on both sides",
    "ip.timestamp": "time slot of an IP timestamp option (ms since midnight UTC when the frame "
                    "was built); checked: below one day and within 2 s of the capture time",
    "udp.sport": "ephemeral port of an autobound socket (random free port); mapped one-to-one, "
                 "consistent with the result lines and all frames",
    "udp.checksum": "differs only because udp.sport differs; verified valid on both sides",
    "ip6.frag.id": "fragment identification: keyed-hash generator per (destination, source), "
                   "not reproducible; checked: equal across the fragments of a datagram, the same "
                   "equal/distinct pattern per flow, never 0",
    "ip6.flowlabel": "automatic flow label (auto_flowlabels): a hash of the flow with a per-boot "
                     "secret, or a random per-socket hash once connected; checked: 0 iff 0, one "
                     "label per datagram, the same equal/distinct pattern over all IPv6 "
                     "datagrams (exact with --flowlabel-exact)",
}


def compare_runs(rn, rs, pn, ps, lo=32768, hi=60999, arp=False, igmp=False, ndp=False, mld=False,
                 all_frames=False, known_differences=(), max_diffs=30, flowlabel_exact=False,
                 gso_ids=False):
    """Compares two runs given as result lines (with the final "exit N") and frames (bytes or
    RawFrame); returns (number of differences, report lines). The fuzzer (tests/fuzz) calls this
    for every sequence; main() for the files of one bench scenario."""
    report = []

    def say(text=""):
        report.append(text)

    out = []
    ports = PortMap(lo, hi)
    rdiff = compare_results(rn, rs, ports, out)

    keep = {"ipv4", "ipv6"}
    if arp or all_frames:
        keep.add("arp")
    if igmp or all_frames:
        keep.add("igmp")
    if ndp or all_frames:
        keep.add("ndp")
    if mld or all_frames:
        keep.add("mld")
    if all_frames:
        keep |= {"other", "runt"}
    ignored = {}  # kind -> [native count, shim count]
    sel = []
    for side, frames in enumerate((pn, ps)):
        s = []
        for raw in frames:
            k = frame_kind(raw)
            if k in keep:
                s.append(raw)
            else:
                ignored.setdefault(k, [0, 0])[side] += 1
        sel.append(s)
    fn = [Frame(i + 1, raw) for i, raw in enumerate(sel[0])]
    fs = [Frame(i + 1, raw) for i, raw in enumerate(sel[1])]

    fc = FrameCompare(ports, max_diffs, known_differences, flowlabel_exact, gso_ids)
    npairs = min(len(fn), len(fs))
    if len(fn) != len(fs):
        longer, name = (fn, "native") if len(fn) > len(fs) else (fs, "shim")
        extra = longer[npairs:]
        lines = [f"frame count: native={len(fn)} shim={len(fs)}; only in {name} (at the end; "
                 f"the frames before are compared in order):"]
        for f in extra[:10]:
            lines.append(f"  frame {f.index}: {f.summary()}")
        if len(extra) > 10:
            lines.append(f"  ... and {len(extra) - 10} more")
        fc.diff("\n".join(lines))
    for i in range(npairs):
        fa, fb = fn[i], fs[i]
        if (fa.ip is None) != (fb.ip is None) or fa.ethertype != fb.ethertype:
            fc.diff(f"frame {i + 1}: native {fa.summary()} / shim {fb.summary()}")
            fa.has_problems = True
            continue
        fc.compare_pair(fa, fb)

    # Datagram-level rules over the frames that pair up structurally.
    dn, on = group_datagrams([f for f in fn[:npairs] if f.ip])
    ds, os_ = group_datagrams([f for f in fs[:npairs] if f.ip])
    for side, orph in (("native", on), ("shim", os_)):
        for f in orph:
            fc.diff(f"frame {f.index} ({f.summary()})\n  {side}: fragment that continues no "
                    f"earlier fragment (different ID, src, dst or offset)")
    pairs = []
    if len(dn) == len(ds) and all(len(a.frames) == len(b.frames) for a, b in zip(dn, ds)):
        pairs = list(zip(dn, ds))
    elif fc.ndiff == 0:
        fc.diff("datagram structure differs (fragments do not line up)")
    for f in fn[:npairs]:
        f.has_problems = getattr(f, "has_problems", False)
        f.udp_csum_differs = getattr(f, "udp_csum_differs", False)
        f.sport_masked = getattr(f, "sport_masked", False)
    fc.udp_checksums(pairs)
    fc.ip_ids(pairs, connected_ports(rn), connect_epochs(rn))
    fc.flow_labels(pairs)

    # Report
    total = rdiff + fc.ndiff
    say(f"results: {len(rn)} native / {len(rs)} shim lines, "
        f"{'identical' if rdiff == 0 else f'{rdiff} differ'}")
    for line in out:
        say(line)
    ign = ", ".join(f"{k} {n[0]}/{n[1]}" for k, n in sorted(ignored.items()))
    say(f"frames: {len(fn)} native / {len(fs)} shim compared"
        f"{' (ignored, native/shim: ' + ign + ')' if ign else ''}, "
        f"{'identical' if fc.ndiff == 0 else f'{fc.ndiff} difference(s)'}")
    for line in fc.lines:
        say(line)
    if fc.shown > fc.max_diffs:
        say(f"... {fc.shown - fc.max_diffs} more difference(s) not shown")
    for line in fc.known_lines:
        say(line)
    for field, n in sorted(fc.masked.items()):
        say(f"masked: {field} in {n} frame(s): {MASK_REASONS[field]}")
    if ports.fwd:
        m = ", ".join(f"{a}->{b}" for a, b in sorted(ports.fwd.items()))
        say(f"ephemeral ports (native->shim): {m}")
    say("IDENTICAL" if total == 0 else "DIFFERENT")
    return total, report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("native")
    ap.add_argument("shim")
    ap.add_argument("--arp", action="store_true", help="also compare ARP frames")
    ap.add_argument("--igmp", action="store_true",
                    help="also compare IGMP frames (membership reports, random delays)")
    ap.add_argument("--ndp", action="store_true",
                    help="also compare IPv6 neighbour discovery frames (ICMPv6 133-137)")
    ap.add_argument("--mld", action="store_true",
                    help="also compare MLD frames (ICMPv6 130-132, 143: listener reports)")
    ap.add_argument("--flowlabel-exact", action="store_true",
                    help="compare IPv6 flow labels byte for byte (labels the scenario sets)")
    ap.add_argument("--all-frames", action="store_true",
                    help="compare every frame (IPv4, ARP and anything else)")
    ap.add_argument("--gso-ids", action="store_true",
                    help="the run sends UDP_SEGMENT datagrams: IPv4 IDs repeated across "
                         "datagrams are not compared (run-diff sets it for such scenarios)")
    ap.add_argument("--ephemeral", default="32768-60999",
                    help="ephemeral port range LO-HI of namespace A (default 32768-60999)")
    ap.add_argument("--known-difference", action="append", default=[],
                    choices=sorted(KNOWN_DIFFERENCES),
                    help="report this difference but do not count it (repeatable)")
    ap.add_argument("--max-diffs", type=int, default=30,
                    help="print at most this many frame differences (default 30)")
    args = ap.parse_args()
    try:
        lo, hi = (int(x) for x in args.ephemeral.split("-"))
    except ValueError:
        print(f"compare.py: bad --ephemeral '{args.ephemeral}'", file=sys.stderr)
        return 2

    try:
        rn = read_results(os.path.join(args.native, "results.txt"))
        rs = read_results(os.path.join(args.shim, "results.txt"))
        pn = read_pcap(os.path.join(args.native, "capture.pcap"))
        ps = read_pcap(os.path.join(args.shim, "capture.pcap"))
    except Unusable as e:
        print(f"compare.py: {e}")
        return 2

    total, report = compare_runs(rn, rs, pn, ps, lo, hi, args.arp, args.igmp, args.ndp, args.mld,
                                 args.all_frames, args.known_difference, args.max_diffs,
                                 args.flowlabel_exact, args.gso_ids)
    for line in report:
        print(line)
    return 0 if total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
