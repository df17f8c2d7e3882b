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


@case("GSO overlap in one run, a jiffy's skip in the other", 0, "IDENTICAL")
def c_gso_overlap():
    # two segments (IDs n, n+1) then a datagram reusing n+1 as the kernel does within one jiffy
    nat = frames_for(40001, SEG, 1111) + frames_for(40001, SEG, 1112) + \
        frames_for(40001, P, 1115)
    shim = frames_for(50002, SEG, 7777) + frames_for(50002, SEG, 7778) + \
        frames_for(50002, P, 7778)
    return three_results(40001), nat, three_results(50002), shim


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
