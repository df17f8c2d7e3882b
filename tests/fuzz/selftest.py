#!/usr/bin/env python3
"""The fuzzer's parts that need no root: generation is deterministic and every generated sequence
parses (scenario_runner --check), the minimiser finds the calls that matter, the marker frame is
recognised, and the classification of known differences works on synthetic reports.

    selftest.py RUNNER [COUNT]
"""

import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bench"))

import fuzz  # noqa: E402
import gen  # noqa: E402
import known  # noqa: E402

failed = 0


def check(ok, what):
    global failed
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        failed += 1


def main():
    runner = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 400

    # determinism: a sequence is named by SEED:INDEX
    a = [gen.generate(7, i) for i in range(50)]
    b = [gen.generate(7, i) for i in range(50)]
    c = [gen.generate(8, i) for i in range(50)]
    check(a == b, "the same seed and index give the same sequence")
    check(a != c, "another seed gives other sequences")
    check(len({tuple(x) for x in a}) == 50, "50 indexes give 50 different sequences")

    # every generated sequence is a valid bench scenario
    bad = []
    calls = set()
    # a sanitizer build's runner: its leaks at exit are the test tool's, not the shim's
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    with tempfile.TemporaryDirectory() as d:
        for i in range(count):
            lines = gen.generate(1, i)
            for line in lines:
                w = line.split()
                calls.add(w[1] if w[0] == "fork" else w[0])
            path = os.path.join(d, f"{i}.scn")
            with open(path, "w") as f:
                f.write(gen.scenario_text(lines))
            p = subprocess.run([runner, "--check", path], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
            if p.returncode != 0:
                bad.append(f"1:{i}: {p.stdout.strip()}")
    check(not bad, f"{count} generated sequences parse" + (f" ({bad[:3]})" if bad else ""))
    want = {"socket", "setsockopt", "getsockopt", "bind", "connect", "shutdown", "send",
            "sendto", "sendmsg", "sendmmsg", "write", "writev", "dup", "close", "fcntl"}
    check(want <= calls, f"every call kind is generated (missing: {sorted(want - calls)})")
    check(any(line.startswith("fork ") for i in range(count) for line in gen.generate(1, i)),
          "fork steps are generated")
    six = sum("domain=inet6" in gen.generate(1, i)[0] for i in range(count))
    check(0.3 * count < six < 0.7 * count, f"both families are generated ({six} of {count} "
          "sequences on AF_INET6 sockets)")
    saved = gen.V6_SHARE
    gen.V6_SHARE = 0.0
    v4only = [gen.generate(1, i) for i in range(count)]
    gen.V6_SHARE = saved
    check(all(a == b for a, b in zip(v4only, (gen.generate(1, i) for i in range(count)))
              if "domain=inet6" not in b[0]),
          "an IPv4 sequence is the same whatever the IPv6 share")

    # minimiser: the "bug" needs lines 'socket s0', 'b' and 'd'
    seq = ["socket s0", "a s0", "b s0 x=1", "c s0", "d s0 y=2 z=3", "e s0", "f s0"]

    def label_of(lines):
        names = [ln.split()[0] for ln in lines]
        return "bug" if {"socket", "b", "d"} <= set(names) else None
    small = fuzz.minimise(seq, "bug", label_of)
    check(small == ["socket s0", "b s0", "d s0"], f"minimiser keeps the calls that matter: {small}")

    # marker frames
    ip = bytes([0x45, 0, 0, 38, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 99])
    udp = struct.pack("!HHHH", 40000, 7, 18, 0) + b"FUZZ-MARK 12"
    frame = b"\x02\0\0\0\x0b\x02\x02\0\0\0\x0a\x01\x08\x00" + ip + udp
    check(fuzz.is_marker(frame) == 12, "a marker frame is recognised with its number")
    check(fuzz.is_marker(frame[:30] + bytes([3]) + frame[31:]) is None,
          "a datagram to another address is no marker")

    # classification on synthetic reports
    lines = ["socket s0", "connect s0 addr=192.0.2.2:9999", "send s0 len=1", "send s0 len=1"]
    nat = ["1 socket ret=4 errno=0", "2 connect ret=0 errno=0", "3 send ret=1 errno=0",
           "4 send ret=-1 errno=ECONNREFUSED fd=s0", "exit 0"]
    shim = nat[:3] + ["4 send ret=1 errno=0 fd=s0", "exit 0"]
    rep = ["results: 5 native / 5 shim lines, 1 differ",
           "result line 4: ret: native=-1 shim=1; errno: native=ECONNREFUSED shim=0",
           "    native: " + nat[3], "    shim:   " + shim[3], "frames: 1 native / 2 shim"]
    check(known.classify(lines, nat, shim, rep)[0] == "pending-error",
          "ECONNREFUSED after a send to a closed port: pending-error")
    rep2 = ["results: 2 native / 2 shim lines, identical",
            "frames: 1 native / 1 shim compared, 1 difference(s)",
            "frame 1 (IPv4 192.0.2.1 > 192.0.2.2 proto 17 len 29 udp 5000 > 9000)",
            "  @0x0016 ip.ttl: native=64 (0x40) shim=63 (0x3f)", "DIFFERENT"]
    lab = known.classify(["socket s0", "sendto s0 len=1 to=192.0.2.2:9000"],
                         ["1 socket ret=4", "2 sendto ret=1", "exit 0"],
                         ["1 socket ret=4", "2 sendto ret=1", "exit 0"], rep2)[0]
    check(lab == "new:ip.ttl", f"a TTL difference is new ({lab})")
    # route-exception-gw: a frame to a destination other than B that natively went to B's MAC
    # (seed 50 index 367121); the reverse (50:270371, the shim's frame to B's MAC) stays new
    rl = ["socket s0", "sendto s0 len=100 to=192.0.2.2:5000 flags=more",
          "connect s0 addr=224.0.0.1:9000", "send s0 len=10"]
    res = ["1 socket ret=3", "2 sendto ret=100", "3 connect ret=0", "4 send ret=10", "exit 0"]

    def eth_rep(nat_mac, shim_mac, dst="224.0.0.1"):
        return ["results: 5 native / 5 shim lines, identical",
                "frames: 1 native / 1 shim compared, 1 difference(s)",
                f"frame 1 (IPv4 192.0.2.1 > {dst} proto 17 len 138 udp 5000 > 9000)",
                f"  @0x0000 eth.dst: native={nat_mac} shim={shim_mac}", "DIFFERENT"]
    lab = known.classify(rl, res, res, eth_rep("02:00:00:00:0b:02", "01:00:5e:00:00:01"))[0]
    check(lab == "route-exception-gw", f"a multicast frame to B's MAC natively ({lab})")
    lab = known.classify(rl, res, res, eth_rep("01:00:5e:00:00:01", "02:00:00:00:0b:02"))[0]
    check(lab == "new:eth.dst", f"a multicast frame to B's MAC under the shim is new ({lab})")
    lab = known.classify(rl[:2] + rl[3:], res, res,
                         eth_rep("02:00:00:00:0b:02", "01:00:5e:00:00:01"))[0]
    check(lab == "new:eth.dst", f"without a connect it is new ({lab})")
    rep3 = ["results: 5 native / 5 shim lines, identical",
            "frames: 1 native / 0 shim compared, 1 difference(s)",
            "frame count: native=1 shim=0; only in native (at the end; the frames before are "
            "compared in order):",
            "  frame 1: IPv4 192.0.2.1 > 127.0.0.1 proto 17 len 38 udp 5000 > 0", "DIFFERENT"]
    lab = known.classify(rl, res, res, rep3)[0]
    check(lab == "route-exception-gw", f"a native frame to 127.0.0.1 on the wire ({lab})")
    rep3[3] = "  frame 1: IPv4 192.0.2.1 > 192.0.2.2 proto 17 len 38 udp 5000 > 9000"
    lab = known.classify(rl, res, res, rep3)[0]
    check(lab == "new:frame count (native sends more)", f"a native frame to B is new ({lab})")
    for label in known.KNOWN:
        check(not label.startswith("new:"), f"known label {label}")
    print(f"{'all passed' if not failed else f'{failed} failed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
