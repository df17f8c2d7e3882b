#!/usr/bin/env python3
"""Self-test of compare.py on synthetic runs (no root, no namespaces needed).

Builds pairs of result files and pcaps in a temporary directory, each pair differing in one
way, and checks that compare.py accepts what is random by design and names every other
difference. Prints one line per case and "N passed, M failed"; exit status 0 iff all passed.
"""

import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "compare.py")

MAC_A = bytes.fromhex("020000000a01")
MAC_B = bytes.fromhex("020000000b02")
SRC = bytes([192, 0, 2, 1])
DST = bytes([192, 0, 2, 2])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_header(total, ident, df, mf, off, ttl=64, proto=17):
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, flags, ttl, proto, 0, SRC, DST)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def udp_datagram(sport, dport, payload, zero_csum=False):
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = 0
    if not zero_csum:
        c = csum(SRC + DST + struct.pack("!BBH", 0, 17, length) + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def frames_for(sport, payload, ident, mtu=1500, dport=9000, ttl=64, zero_csum=False, df=None):
    """Ethernet frames of one UDP datagram, fragmented like the kernel does."""
    udp = udp_datagram(sport, dport, payload, zero_csum)
    eth = MAC_B + MAC_A + b"\x08\x00"
    if 20 + len(udp) <= mtu:
        return [eth + ip_header(20 + len(udp), ident, True if df is None else df, False, 0, ttl)
                + udp]
    step = (mtu - 20) & ~7
    out = []
    for off in range(0, len(udp), step):
        chunk = udp[off:off + step]
        mf = off + step < len(udp)
        out.append(eth + ip_header(20 + len(chunk), ident, False, mf, off, ttl) + chunk)
    return out


def arp_request():
    return (b"\xff" * 6 + MAC_A + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) +
            MAC_A + SRC + b"\0" * 6 + DST)


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def write_run(d, results, frames):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "results.txt"), "w") as f:
        if not results or not results[-1].startswith("exit "):
            results = results + ["exit 0"]
        f.write("\n".join(results) + "\n")
    write_pcap(os.path.join(d, "capture.pcap"), frames)


def flip(frame, off, xor=1):
    b = bytearray(frame)
    b[off] ^= xor
    return bytes(b)


def set_ip_id(frame, ident):
    b = bytearray(frame)
    b[18:20] = struct.pack("!H", ident)
    b[24:26] = b"\0\0"
    b[24:26] = struct.pack("!H", csum(bytes(b[14:34])))
    return bytes(b)


def unconnected_results(port):
    return [f"1 socket ret=3 errno=0 fd=s local=0.0.0.0:0 peer=none",
            f"2 sendto ret=100 errno=0 fd=s local=0.0.0.0:{port} peer=none",
            f"3 sendto ret=100 errno=0 fd=s local=0.0.0.0:{port} peer=none"]


def connected_results(port, n):
    r = ["1 socket ret=3 errno=0 fd=s local=0.0.0.0:0 peer=none",
         f"2 connect ret=0 errno=0 fd=s local=192.0.2.1:{port} peer=192.0.2.2:9000"]
    for i in range(n):
        r.append(f"{3 + i} send ret=100 errno=0 fd=s local=192.0.2.1:{port} "
                 f"peer=192.0.2.2:9000")
    return r


P = bytes(range(100))
BIG = bytes(i & 0xFF for i in range(3000))


def base_pair():
    """Two unconnected datagrams (one fragmented), random-by-design fields all different."""
    nat = frames_for(40001, P, 1111) + frames_for(40001, BIG, 1112)
    shim = frames_for(50002, P, 7777) + frames_for(50002, BIG, 7778)
    return unconnected_results(40001), nat, unconnected_results(50002), shim


CASES = []


def case(name, expect_rc, *needles, args=()):
    def deco(fn):
        CASES.append((name, fn, expect_rc, needles, args))
        return fn
    return deco


@case("identical apart from masked fields", 0, "IDENTICAL", "masked: ip.id", "masked: udp.sport",
      "masked: ip.checksum", "masked: udp.checksum", "40001->50002")
def c_identical():
    return base_pair()


@case("payload byte flipped", 1, "udp.payload[5]: 1 byte differs")
def c_payload():
    rn, fn, rs, fs = base_pair()
    fs[0] = flip(fs[0], 42 + 5)
    return rn, fn, rs, fs


@case("byte in a later fragment", 1, "ip.fragment_data[100] (UDP payload byte 1572)")
def c_fragdata():
    rn, fn, rs, fs = base_pair()
    fs[2] = flip(fs[2], 34 + 100)
    return rn, fn, rs, fs


@case("TTL 63", 1, "ip.ttl: native=64 (0x40) shim=63 (0x3f)",
      "ip.checksum: differs as a consequence")
def c_ttl():
    rn, _, rs, _ = base_pair()
    return (rn, frames_for(40001, P, 1111), rs, frames_for(50002, P, 7777, ttl=63))


@case("fragments with different IDs", 1, "fragments of one datagram carry different IDs")
def c_frag_ids():
    rn, fn, rs, fs = base_pair()
    fs[2] = set_ip_id(fs[2], 9999)
    return rn, fn, rs, fs


@case("repeated ID in an unconnected flow", 1, "pattern of equal/distinct IDs")
def c_pattern():
    rn, fn, rs, fs = base_pair()
    fs = frames_for(50002, P, 7777) + frames_for(50002, BIG, 7777)
    return rn, fn, rs, fs


def three_results(port):
    return unconnected_results(port) + [
        f"4 sendto ret=100 errno=0 fd=s local=0.0.0.0:{port} peer=none"]


SEG = bytes(i & 0xFF for i in range(1472))


@case("GSO overlap in one run, a jiffy's skip in the other", 0, "IDENTICAL", args=("--gso-ids",))
def c_gso_overlap():
    # two segments (IDs n, n+1) then a datagram reusing n+1 as the kernel does within one jiffy
    nat = frames_for(40001, SEG, 1111) + frames_for(40001, SEG, 1112) + \
        frames_for(40001, P, 1115)
    shim = frames_for(50002, SEG, 7777) + frames_for(50002, SEG, 7778) + \
        frames_for(50002, P, 7778)
    return three_results(40001), nat, three_results(50002), shim


def four_results(port):
    return three_results(port) + [
        f"5 sendto ret=100 errno=0 fd=s local=0.0.0.0:{port} peer=none"]


@case("three GSO segments, the next datagram repeats the second's ID", 0, "IDENTICAL",
      args=("--gso-ids",))
def c_gso_overlap3():
    nat = frames_for(40001, SEG, 1111) + frames_for(40001, SEG, 1112) + \
        frames_for(40001, P, 1113) + frames_for(40001, P, 1120)
    shim = frames_for(50002, SEG, 7777) + frames_for(50002, SEG, 7778) + \
        frames_for(50002, P, 7779) + frames_for(50002, P, 7778)
    return four_results(40001), nat, four_results(50002), shim


def gso_two_sends():
    # two GSO datagrams of three segments each, natively a jiffy apart (distinct), in the shim
    # within one: the second one's segments repeat the first one's second and third
    nat = frames_for(40001, SEG, 1111) + frames_for(40001, SEG, 1112) + \
        frames_for(40001, SEG, 1113) + frames_for(40001, SEG, 1117) + \
        frames_for(40001, SEG, 1118) + frames_for(40001, SEG, 1119)
    shim = frames_for(50002, SEG, 7777) + frames_for(50002, SEG, 7778) + \
        frames_for(50002, SEG, 7779) + frames_for(50002, SEG, 7778) + \
        frames_for(50002, SEG, 7779) + frames_for(50002, SEG, 7780)
    res = four_results(40001), four_results(50002)
    res = [r + [f"{6 + i} sendto ret=100 errno=0 fd=s local=0.0.0.0:{p} peer=none"
                for i in range(2)] for r, p in zip(res, (40001, 50002))]
    return res[0], nat, res[1], shim


@case("GSO sends overlapping further on: a difference without --gso-ids", 1,
      "pattern of equal/distinct IDs")
def c_gso_two_sends():
    return gso_two_sends()


@case("GSO sends overlapping further on: not compared with --gso-ids", 0, "IDENTICAL",
      args=("--gso-ids",))
def c_gso_two_sends_flag():
    return gso_two_sends()


@case("repeated ID after a shorter datagram (no GSO run)", 1, "pattern of equal/distinct IDs")
def c_overlap_not_gso():
    nat = frames_for(40001, P, 1111) + frames_for(40001, SEG, 1112) + frames_for(40001, P, 1113)
    shim = frames_for(50002, P, 7777) + frames_for(50002, SEG, 7778) + \
        frames_for(50002, P, 7778)
    return three_results(40001), nat, three_results(50002), shim


@case("DF datagram: ID 0 natively, not in the shim", 1, "has ID 0 iff")
def c_zero():
    rn, _, rs, _ = base_pair()
    return (rn, frames_for(40001, P, 0) + frames_for(40001, P, 0),
            rs, frames_for(50002, P, 0) + frames_for(50002, P, 5))


@case("connected socket: ID increments differ", 1, "connected socket, the differences")
def c_connected():
    rn = connected_results(40001, 3)
    rs = connected_results(50002, 3)
    fn = frames_for(40001, P, 100) + frames_for(40001, P, 101) + frames_for(40001, P, 102)
    fs = frames_for(50002, P, 500) + frames_for(50002, P, 501) + frames_for(50002, P, 503)
    return rn, fn, rs, fs


@case("connected socket: same increments", 0, "IDENTICAL")
def c_connected_ok():
    rn = connected_results(40001, 3)
    rs = connected_results(50002, 3)
    fn = frames_for(40001, P, 65535) + frames_for(40001, P, 0) + frames_for(40001, P, 1)
    fs = frames_for(50002, P, 500) + frames_for(50002, P, 501) + frames_for(50002, P, 502)
    return rn, fn, rs, fs


@case("invalid UDP checksum", 1, "shim checksum invalid")
def c_udp_csum():
    rn, fn, rs, fs = base_pair()
    fs[0] = flip(fs[0], 40)
    return rn, fn, rs, fs


def csum_partial_frame(frame):
    """The one-frame datagram's UDP checksum left to the device: the pseudo-header sum alone
    (CHECKSUM_PARTIAL, udp4_hwcsum), as a capture behind a veth with TX checksum offload sees it."""
    b = bytearray(frame)
    length = struct.unpack("!H", b[38:40])[0]
    b[40:42] = struct.pack("!H", ~csum(SRC + DST + struct.pack("!BBH", 0, 17, length)) & 0xFFFF)
    return bytes(b)


@case("UDP checksum left to the device on both sides", 0, "IDENTICAL", "masked: udp.sport")
def c_csum_partial_both():
    rn, fn, rs, fs = base_pair()
    fn[0] = csum_partial_frame(fn[0])
    fs[0] = csum_partial_frame(fs[0])
    return rn, fn, rs, fs


@case("UDP checksum left to the device vs computed", 1,
      "native=0x", "left to the device (the pseudo-header sum), shim=0x",
      "computed (checksum offload)")
def c_csum_partial_native():
    rn, fn, rs, fs = base_pair()
    fn[0] = csum_partial_frame(fn[0])
    return rn, fn, rs, fs


@case("UDP checksum 0 vs computed", 1, "0 means no checksum")
def c_no_check():
    rn, _, rs, _ = base_pair()
    return (rn, frames_for(40001, P, 1, zero_csum=True), rs, frames_for(50002, P, 2))


@case("invalid IP header checksum", 1, "shim header checksum invalid")
def c_ip_csum():
    rn, fn, rs, fs = base_pair()
    fs[0] = flip(fs[0], 25)
    return rn, fn, rs, fs


@case("inconsistent port mapping (frames)", 1, "inconsistent")
def c_ports():
    rn, _, rs, _ = base_pair()
    return (rn, frames_for(40001, P, 1) + frames_for(40001, P, 2),
            rs, frames_for(50002, P, 7) + frames_for(50003, P, 8))


@case("non-ephemeral source port differs", 1, "not an ephemeral port")
def c_fixed_port():
    r = ["1 bind ret=0 errno=0 fd=s local=192.0.2.1:5000 peer=none"]
    return r, frames_for(5000, P, 1), r, frames_for(5001, P, 2)


@case("result line errno differs", 1, "errno: native=EMSGSIZE shim=ENOBUFS")
def c_errno():
    rn, fn, rs, fs = base_pair()
    rn = rn + ["4 sendto ret=-1 errno=EMSGSIZE fd=s local=0.0.0.0:40001 peer=none"]
    rs = rs + ["4 sendto ret=-1 errno=ENOBUFS fd=s local=0.0.0.0:50002 peer=none"]
    return rn, fn, rs, fs


@case("recv from= ephemeral port masked, sum compared", 1, "sum: native=0000000a shim=0000000b")
def c_recv_from():
    rn, fn, rs, fs = base_pair()
    rn = rn + ["4 recv ret=100 errno=0 fd=l local=0.0.0.0:9000 peer=none "
               "from=192.0.2.1:40001 got=100 sum=0000000a"]
    rs = rs + ["4 recv ret=100 errno=0 fd=l local=0.0.0.0:9000 peer=none "
               "from=192.0.2.1:50002 got=100 sum=0000000b"]
    return rn, fn, rs, fs


@case("recv from= port mapped consistently", 0)
def c_recv_from_same():
    rn, fn, rs, fs = base_pair()
    rn = rn + ["4 recv ret=100 errno=0 fd=l local=0.0.0.0:9000 peer=none "
               "from=192.0.2.1:40001 got=100 sum=0000000a"]
    rs = rs + ["4 recv ret=100 errno=0 fd=l local=0.0.0.0:9000 peer=none "
               "from=192.0.2.1:50002 got=100 sum=0000000a"]
    return rn, fn, rs, fs


@case("missing result line", 1, "result line 3 only in the native run")
def c_missing_line():
    rn, fn, rs, fs = base_pair()
    return rn, fn, rs[:-1], fs


@case("runner killed in the shim run", 1, "shim=139 (killed by SIGSEGV)")
def c_exit():
    rn, fn, rs, fs = base_pair()
    return rn, fn, rs + ["exit 139"], fs


@case("extra frame in the shim run", 1, "frame count: native=4 shim=5; only in shim")
def c_extra():
    rn, fn, rs, fs = base_pair()
    return rn, fn, rs, fs + frames_for(50002, P, 7779)


@case("ARP ignored by default", 0, "ignored, native/shim: arp 1/0")
def c_arp_ignored():
    rn, fn, rs, fs = base_pair()
    return rn, [arp_request()] + fn, rs, fs


@case("ARP compared with --arp", 1, "frame count", args=("--arp",))
def c_arp_compared():
    rn, fn, rs, fs = base_pair()
    return rn, [arp_request()] + fn, rs, fs


@case("frame length differs", 1, "frame length: native=", "ip.total_length")
def c_length():
    rn, _, rs, _ = base_pair()
    return rn, frames_for(40001, P, 1), rs, frames_for(50002, P + b"x", 2)


def ts_frame(sport, ident, ms, proto=17):
    """One datagram with a timestamp option (flag 0, two slots, the first filled with ms) and a
    router alert, as a sender writes it."""
    opts = bytes([0x44, 12, 9, 0]) + struct.pack("!I", ms) + b"\0" * 4 + bytes([0x94, 4, 0, 0])
    udp = udp_datagram(sport, 9000, P)
    total = 20 + len(opts) + len(udp)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | (20 + len(opts)) // 4, 0, total, ident, 0x4000, 64,
                    proto, 0, SRC, DST) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return MAC_B + MAC_A + b"\x08\x00" + h + udp


# write_pcap stamps frame i at 1000 + i seconds: 1000000 + 1000 i ms after midnight
@case("IP timestamp option: time slots masked", 0, "IDENTICAL", "masked: ip.timestamp",
      "masked: ip.checksum")
def c_timestamp():
    rn, _, rs, _ = base_pair()
    return (rn, [ts_frame(40001, 1, 1000003), ts_frame(40001, 2, 1001004)],
            rs, [ts_frame(50002, 1, 1000450), ts_frame(50002, 2, 1000999)])


@case("IP timestamp option: implausible time", 1, "ip.timestamp: native=1000003 shim=3600000")
def c_timestamp_bad():
    rn, _, rs, _ = base_pair()
    return (rn, [ts_frame(40001, 1, 1000003)], rs, [ts_frame(50002, 1, 3600000)])


@case("IP timestamp option: other option byte", 1, "ip.options[12]: 1 byte differs")
def c_timestamp_opt():
    rn, _, rs, _ = base_pair()
    return (rn, [ts_frame(40001, 1, 1000003)], rs, [flip(ts_frame(50002, 1, 1000003), 34 + 12)])


# ------------------------------------------------------------------------------------------
# IPv6

SRC6 = bytes.fromhex("20010db8000100000000000000000001")
DST6 = bytes.fromhex("20010db8000100000000000000000002")


def udp6(sport, dport, payload, proto=17, cscov=0, zero_csum=False, src=SRC6, dst=DST6):
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, cscov if proto == 136 else length, 0)
    c = 0
    if not zero_csum:
        cover = cscov if proto == 136 and cscov else length
        c = csum(src + dst + struct.pack("!I3xB", length, proto) + (hdr + payload)[:cover])
        c = c or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def ip6_frames(sport, payload, flow=0, ident=1, mtu=1500, hop=64, tclass=0, ext=b"",
               ext_nh=None, proto=17, zero_csum=False, dport=9000, cscov=0):
    """Ethernet frames of one UDP datagram over IPv6, fragmented as ip6_fragment does (ext: the
    unfragmentable extension headers, whose first type is ext_nh)."""
    udp = udp6(sport, dport, payload, proto, cscov, zero_csum)
    eth = MAC_B + MAC_A + b"\x86\xdd"
    vtf = struct.pack("!I", (6 << 28) | (tclass << 20) | flow)
    first_nh = ext_nh if ext else proto
    if 40 + len(ext) + len(udp) <= mtu:
        return [eth + vtf + struct.pack("!HBB", len(ext) + len(udp), first_nh, hop) + SRC6 +
                DST6 + ext + udp]
    step = (mtu - 40 - len(ext) - 8) & ~7
    if ext:  # the last unfragmentable header now points to the fragment header
        ext = bytes([44]) + ext[1:]
    out = []
    for off in range(0, len(udp), step):
        chunk = udp[off:off + step]
        m = 1 if off + step < len(udp) else 0
        fh = struct.pack("!BBHI", proto, 0, off | m, ident)
        out.append(eth + vtf + struct.pack("!HBB", len(ext) + 8 + len(chunk),
                                           ext_nh if ext else 44, hop) + SRC6 + DST6 + ext +
                   fh + chunk)
    return out


def ndp_ns():
    """A neighbour solicitation for DST6 (ICMPv6 135), as A sends it."""
    body = struct.pack("!BBHI", 135, 0, 0, 0) + DST6
    return (bytes.fromhex("3333ff000002") + MAC_A + b"\x86\xdd" +
            struct.pack("!IHBB", 6 << 28, len(body), 58, 255) + SRC6 +
            bytes.fromhex("ff0200000000000000000001ff000002") + body)


def mld_report():
    """An MLDv2 report (ICMPv6 143 after a hop-by-hop router alert)."""
    hbh = bytes([58, 0, 5, 2, 0, 0, 1, 0])
    body = struct.pack("!BBHHH", 143, 0, 0, 0, 0)
    return (bytes.fromhex("333300000016") + MAC_A + b"\x86\xdd" +
            struct.pack("!IHBB", 6 << 28, len(hbh) + len(body), 0, 1) + SRC6 +
            bytes.fromhex("ff020000000000000000000000000016") + hbh + body)


def v6_results(port):
    return [f"1 socket ret=3 errno=0 fd=s local=[::]:0 peer=none",
            f"2 sendto ret=100 errno=0 fd=s local=[::]:{port} peer=none",
            f"3 sendto ret=3000 errno=0 fd=s local=[::]:{port} peer=none"]


def base6():
    """Two unconnected IPv6 datagrams (the second fragmented): ephemeral port, automatic flow
    label and fragment identification all differ."""
    nat = ip6_frames(40001, P, flow=0x1234) + ip6_frames(40001, BIG, flow=0x1234, ident=0x1111)
    shim = ip6_frames(50002, P, flow=0xABCDE) + ip6_frames(50002, BIG, flow=0xABCDE,
                                                           ident=0x7777)
    return v6_results(40001), nat, v6_results(50002), shim


def set6(frame, off, data):
    b = bytearray(frame)
    b[off:off + len(data)] = data
    return bytes(b)


@case("IPv6: identical apart from masked fields", 0, "IDENTICAL", "masked: ip6.flowlabel",
      "masked: ip6.frag.id", "masked: udp.sport", "masked: udp.checksum", "40001->50002")
def c6_identical():
    return base6()


@case("IPv6: several datagrams per flow, fragmented and not", 0, "IDENTICAL",
      "masked: ip6.frag.id")
def c6_flow_many():
    nat, shim = [], []
    for k in range(4):
        nat += ip6_frames(40001, P, flow=0x1234) + ip6_frames(40001, BIG, flow=0x1234, ident=10 + k)
        shim += ip6_frames(50002, P, flow=0x4321) + ip6_frames(50002, BIG, flow=0x4321,
                                                               ident=90 + 7 * k)
    rn = v6_results(40001) + [f"{4 + k} sendto ret=100 errno=0 fd=s local=[::]:40001 peer=none"
                              for k in range(6)]
    rs = v6_results(50002) + [f"{4 + k} sendto ret=100 errno=0 fd=s local=[::]:50002 peer=none"
                              for k in range(6)]
    return rn, nat, rs, shim


@case("IPv6: hop limit differs", 1, "ip6.hop_limit: native=64 (0x40) shim=63 (0x3f)")
def c6_hop():
    rn, _, rs, _ = base6()
    return rn, ip6_frames(40001, P), rs, ip6_frames(50002, P, hop=63)


@case("IPv6: traffic class differs", 1, "ip6.tclass: native=0x0 shim=0x4")
def c6_tclass():
    rn, _, rs, _ = base6()
    return rn, ip6_frames(40001, P), rs, ip6_frames(50002, P, tclass=4)


@case("IPv6: flow label 0 on one side", 1, "a label is 0 on one side only")
def c6_flow_zero():
    rn, _, rs, _ = base6()
    return rn, ip6_frames(40001, P, flow=0x55), rs, ip6_frames(50002, P, flow=0)


@case("IPv6: flow labels of two flows equal in the shim only", 1,
      "pattern of equal/distinct labels")
def c6_flow_pattern():
    rn, _, rs, _ = base6()
    return (rn, ip6_frames(40001, P, flow=0x11) + ip6_frames(40003, P, flow=0x22),
            rs, ip6_frames(50002, P, flow=0x33) + ip6_frames(50004, P, flow=0x33))


@case("IPv6: flow labels compared exactly on request", 1, "ip6.flowlabel: native=0x12345 "
      "shim=0x12344", args=("--flowlabel-exact",))
def c6_flow_exact():
    rn, _, rs, _ = base6()
    return rn, ip6_frames(40001, P, flow=0x12345), rs, ip6_frames(50002, P, flow=0x12344)


@case("IPv6: fragments of one datagram with different labels", 1,
      "frames of one datagram carry different labels")
def c6_flow_frags():
    rn, fn, rs, fs = base6()
    fs[2] = set6(fs[2], 15, bytes([fs[2][15] ^ 1]))
    return rn, fn, rs, fs


@case("IPv6: fragments with different identifications", 1,
      "fragments of one datagram carry different IDs")
def c6_frag_ids():
    rn, fn, rs, fs = base6()
    fs[2] = set6(fs[2], 58, struct.pack("!I", 0x9999))
    return rn, fn, rs, fs


@case("IPv6: one identification for two datagrams", 1, "pattern of equal/distinct IDs")
def c6_frag_repeat():
    rn, _, rs, _ = base6()
    return (rn, ip6_frames(40001, BIG, ident=5) + ip6_frames(40001, BIG, ident=6),
            rs, ip6_frames(50002, BIG, ident=9) + ip6_frames(50002, BIG, ident=9))


@case("IPv6: identification 0", 1, "identification is never 0")
def c6_frag_zero():
    rn, _, rs, _ = base6()
    return rn, ip6_frames(40001, BIG, ident=5), rs, ip6_frames(50002, BIG, ident=0)


@case("IPv6: fragment size differs", 1, "ip6.payload_length", "ip6.frag.offset_flags")
def c6_frag_size():
    rn, _, rs, _ = base6()
    return rn, ip6_frames(40001, BIG, mtu=1500), rs, ip6_frames(50002, BIG, mtu=1400)


@case("IPv6: byte in a later fragment", 1, "ip6.fragment_data[100] (fragmentable part byte 1548)")
def c6_fragdata():
    rn, fn, rs, fs = base6()
    fs[2] = flip(fs[2], 62 + 100)
    return rn, fn, rs, fs


@case("IPv6: invalid UDP checksum", 1, "shim checksum invalid")
def c6_udp_csum():
    rn, fn, rs, fs = base6()
    fs[0] = flip(fs[0], 61)
    return rn, fn, rs, fs


@case("IPv6: UDP checksum 0 (UDP_NO_CHECK6_TX) vs computed", 1, "0 means no checksum")
def c6_no_check():
    rn, _, rs, _ = base6()
    return rn, ip6_frames(40001, P, zero_csum=True), rs, ip6_frames(50002, P)


HBH = bytes([17, 0, 5, 2, 0, 0, 1, 0])  # hop-by-hop: router alert, PadN


@case("IPv6: hop-by-hop header byte differs", 1, "ip6.hopopts[6]: 1 byte differs")
def c6_hbh():
    rn, _, rs, _ = base6()
    return (rn, ip6_frames(40001, P, ext=HBH, ext_nh=0), rs,
            [flip(ip6_frames(50002, P, ext=HBH, ext_nh=0)[0], 54 + 6)])


@case("IPv6: hop-by-hop header and fragments, identical", 0, "IDENTICAL", "masked: ip6.frag.id")
def c6_hbh_frag():
    rn, _, rs, _ = base6()
    return (rn, ip6_frames(40001, BIG, ext=HBH, ext_nh=0, ident=3), rs,
            ip6_frames(50002, BIG, ext=HBH, ext_nh=0, ident=4))


@case("IPv6: UDP-Lite coverage checksum valid", 0, "IDENTICAL")
def c6_udplite():
    rn, _, rs, _ = base6()
    return (rn, ip6_frames(40001, P, proto=136, cscov=20), rs,
            ip6_frames(50002, P, proto=136, cscov=20))


@case("IPv6: NDP ignored by default", 0, "ignored, native/shim: ndp 1/0")
def c6_ndp():
    rn, fn, rs, fs = base6()
    return rn, [ndp_ns()] + fn, rs, fs


@case("IPv6: NDP compared with --ndp", 1, "frame count", args=("--ndp",))
def c6_ndp_cmp():
    rn, fn, rs, fs = base6()
    return rn, [ndp_ns()] + fn, rs, fs


@case("IPv6: MLD ignored by default", 0, "ignored, native/shim: mld 0/2")
def c6_mld():
    rn, fn, rs, fs = base6()
    return rn, fn, rs, [mld_report()] + fs + [mld_report()]


@case("IPv6: MLD compared with --mld", 1, "frame count", args=("--mld",))
def c6_mld_cmp():
    rn, fn, rs, fs = base6()
    return rn, fn, rs, [mld_report()] + fs


def icmp6_unreach():
    """An ICMPv6 destination unreachable (port, code 4) quoting a datagram, as a router or host
    sends it (compared byte-wise like an ICMP error)."""
    quoted = ip6_frames(4000, P[:20])[0][14:]
    body = struct.pack("!BBHI", 1, 4, 0, 0) + quoted
    return (MAC_B + MAC_A + b"\x86\xdd" + struct.pack("!IHBB", 6 << 28, len(body), 58, 64) +
            SRC6 + DST6 + body)


@case("IPv6: ICMPv6 error frames compared byte-wise", 1, "icmp6[8]: 1 byte differs")
def c6_icmp6():
    rn, fn, rs, fs = base6()
    return rn, fn + [icmp6_unreach()], rs, fs + [flip(icmp6_unreach(), 54 + 8)]


@case("IPv6: identical ICMPv6 error frames", 0, "IDENTICAL")
def c6_icmp6_same():
    rn, fn, rs, fs = base6()
    return rn, fn + [icmp6_unreach()], rs, fs + [icmp6_unreach()]


@case("IPv6 result lines: [addr]:port ephemeral ports mapped", 1,
      "local: native=[2001:db8:1::1]:5000 shim=[2001:db8:1::2]:5000")
def c6_results():
    rn, fn, rs, fs = base6()
    rn = rn + ["4 bind ret=0 errno=0 fd=t local=[2001:db8:1::1]:5000 peer=none"]
    rs = rs + ["4 bind ret=0 errno=0 fd=t local=[2001:db8:1::2]:5000 peer=none"]
    return rn, fn, rs, fs


def main():
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, fn, rc_want, needles, args) in enumerate(CASES):
            rn, fn_, rs, fs = fn()
            dn = os.path.join(tmp, f"{i}n")
            ds = os.path.join(tmp, f"{i}s")
            write_run(dn, rn, fn_)
            write_run(ds, rs, fs)
            p = subprocess.run([sys.executable, COMPARE, *args, dn, ds], capture_output=True,
                               text=True, timeout=60)
            missing = [n for n in needles if n not in p.stdout]
            if p.returncode == rc_want and not missing:
                passed += 1
                print(f"PASS {name}")
            else:
                failed += 1
                print(f"FAIL {name}: exit {p.returncode} (want {rc_want}), missing {missing}")
                print("  " + p.stdout.replace("\n", "\n  ") + p.stderr)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
