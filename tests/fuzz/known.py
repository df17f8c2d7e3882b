"""Classification of the divergences the fuzzer finds: each known difference of the shim
(docs/conformance.md "Differs", issue 14 item 3) has a rule here that recognises it from the
sequence, the two runs' result lines and compare.py's report. A divergence no rule recognises
is NEW: the fuzzer minimises it and prints it as a bench scenario.

classify(lines, native, shim, report) -> (label, first) where label is the name of a known
difference, or "new:<what differs first>", and first the first difference in one line.
Rules look at the FIRST difference (result line or frame), since later ones usually follow from
it.
"""

import re

# name -> what it is (and where it is documented)
KNOWN = {
    "pending-error": "an ICMP error that arrives during a send and that the shim's error ring "
                     "does not show at once (io_uring unavailable; a sendmmsg batch of a peer "
                     "known quiet that answers mid-batch): the kernel's next send fails "
                     "(ECONNREFUSED, EHOSTUNREACH...), the shim's sends (conformance.md "
                     "Differs: a pending socket error ...; issue 14 item 3)",
    "blocked-send": "a blocking socket whose send buffer is full of datagrams waiting for the "
                    "neighbour waits in the kernel (the runner's alarm ends it); the shim sends "
                    "(conformance.md Differs: send buffer accounting)",
    "sndbuf": "send-buffer accounting: with a small SO_SNDBUF the kernel refuses a large "
              "datagram with ENOBUFS/EAGAIN, the shim sends it (conformance.md Differs: send "
              "buffer accounting)",
    "ip.id-connected": "a connected socket's IP ID increments differ: a datagram handed to "
                       "the kernel socket takes the kernel's counter, or the socket is shared "
                       "across fork (conformance.md Differs: IP ID of a connected socket ...)",
    "fork-cork": "a corked datagram pending at fork, or corked by a forked child: one in the "
                 "kernel socket, one per process under the shim (conformance.md Differs: a "
                 "corked datagram pending at fork)",
    "ip.id-fork": "IP IDs of a socket shared across fork: the kernel's generator or counter "
                  "is one, the shim's state is copied into the child, so parent and child "
                  "can send the same ID (conformance.md Differs: IP ID of a connected socket "
                  "shared across fork)",
    "fork-shared-state": "a socket changed by a forked child (shutdown, connect, options): "
                         "seen by the parent's next send natively (conformance.md Differs: a "
                         "socket shared with another process)",
    "sndbuf-in-flight": "a non-blocking socket's send buffer full of its own datagrams still "
                        "queued in the kernel (for a neighbour that never answers: a failed "
                        "connect's inet->cork.fl, an unanswered address): the kernel answers "
                        "EAGAIN, or a sendmmsg stops short, the shim's frames are never charged "
                        "to the socket (conformance.md Differs: send buffer accounting with "
                        "datagrams in flight)",
}

# IPv6 differences found by the fuzzer and reported (reproducers kept as
# tests/bench/scenarios/fuzz_v6_*.scn.pending, conformance.md Differs): shim bugs in the IPv6 send
# path that the IPv6 helpers own. Remove a rule when its reproducer passes.
KNOWN.update({
    "v6-flowlabel-reconnect": "an IPv6 socket connected again after a large sendmmsg: the "
                              "kernel's datagrams carry the new connection's automatic label, "
                              "the shim's the old one (and another to a named destination) "
                              "(fuzz_v6_flowlabel_reconnect_batch.scn.pending)",
})

# IPv4 differences found by the second long run (seed 50), reproducers kept as .scn.pending
# (conformance.md Differs). Remove a rule when its reproducer passes.
KNOWN.update({
    "cork-df-push-icmp": "a corked datagram pushed under a DF mode set after its first piece "
                         "and larger than the MTU: the kernel's ip_fragment sends ICMP "
                         "fragmentation-needed to itself, a pending EMSGSIZE for the connected "
                         "socket and a PMTU exception; the shim's next send leaves "
                         "(fuzz_cork_df_push_icmp.scn.pending)",
})

CORKED = re.compile(r"flags=\S*more|msg_flags=\S*more|name=cork int=[1-9]")

# A route exception for B (192.0.2.2) on one side: the kernel makes one (mtu 1500, 600 s) when it
# refuses a DF datagram larger than the MTU at the push of a cork (cork-df-push-icmp above:
# ip_fragment's ICMP "fragmentation needed" to itself, udp_err's ipv4_sk_update_pmtu); the shim
# refuses the same push itself and makes none. A route bound to an exception has its destination
# as gateway (rt_bind_exception: rt_gw4 = daddr), so a datagram whose IP destination is another
# but whose route is that one (a corked datagram re-targeted by connect: __ip4_datagram_connect
# writes inet->cork.fl, the cork keeps its route; a connected socket's kept route after a failed
# connect) leaves natively for B's MAC, not for its own next hop (a multicast or broadcast MAC,
# an ARP nothing answers). The exception outlives the sequence in the fuzzer's long-lived
# namespaces: seen mostly in later sequences, which do not differ when run alone
# (tests/fuzz/README.md "State left by an earlier sequence"; docs/conformance.md Differs;
# tests/bench/scenarios/fuzz_route_exception_cork.scn.pending).
KNOWN["route-exception-gw"] = (
    "a route exception for B made by the kernel's own ICMP 'fragmentation needed' at a refused DF "
    "push (cork-df-push-icmp), in this sequence or an earlier one on the same side, that the "
    "shim's refused push does not make: a datagram re-targeted by connect leaves for B's MAC "
    "natively (rt_gw4 = 192.0.2.2), for its destination's next hop under the shim (conformance.md "
    "Differs; fuzz_route_exception_cork.scn.pending; with the exception on both sides the same: "
    "bench:fuzz_route_exception_gw)")

MAC_B = "02:00:00:00:0b:02"
# destinations A reaches on veth-a through no gateway but B's exception route: its own address,
# loopback, and those with no route or a reject route in gen.TOPOLOGY
VIA_B_ONLY_RE = re.compile(r"^(192\.0\.2\.1|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|"
                           r"198\.51\.100\.\d+|203\.0\.113\.\d+)$")


def route_exception_state(lines, fd):
    """A frame difference only a route to B bound to an exception explains: a native frame whose
    IP destination is not B sent to B's MAC (where the shim's goes to its destination's next
    hop, or is not sent), or a native frame on the wire to a destination A cannot reach there
    but through B (its own address, loopback, no route, a reject route)."""
    if not any(line.startswith("connect ") for line in lines):
        return False
    for m in re.finditer(r"(?m)^frame \d+ \(IPv4 \S+ > (\S+) [^\n]*\n((?:  [^\n]*\n?)*)", fd):
        dst, body = m.group(1), m.group(2)
        md = re.search(r"ip\.dst: native=(\S+)", body)
        if md:
            dst = md.group(1)
        if VIA_B_ONLY_RE.match(dst):
            return True
        me = re.search(r"eth\.dst: native=(\S+) shim=(\S+)", body)
        if me and me.group(1) == MAC_B and me.group(2) != MAC_B and \
                dst not in ("192.0.2.2", "192.0.2.99"):
            return True
    # frames of different families side by side (a dual-stack socket's IPv4 path)
    for dst in re.findall(r"(?m)^frame \d+: native IPv4 \S+ > (\S+) ", fd):
        if VIA_B_ONLY_RE.match(dst):
            return True
    if re.search(r"frame count: native=\d+ shim=\d+; only in native", fd):
        only = fd.split("only in native", 1)[1].split("\nframe ", 1)[0]
        dsts = re.findall(r"(?m)^  frame \d+: IPv4 \S+ > (\S+) ", only)
        return any(VIA_B_ONLY_RE.match(d) for d in dsts)
    return False


RESULT_RE = re.compile(r"^result line (\d+): (.*)$")
ERRNO_RE = re.compile(r"errno: native=(\S+) shim=(\S+)")
RET_RE = re.compile(r"ret: native=(\S+) shim=(\S+)")
SEND_CALLS = {"send", "sendto", "sendmsg", "sendmmsg", "write", "writev"}
ICMP_ERRNOS = {"ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EPROTO", "EHOSTDOWN"}


def _first_result_diff(report):
    for i, line in enumerate(report):
        m = RESULT_RE.match(line)
        if m:
            nat = report[i + 1].strip()[len("native:"):].strip() if i + 1 < len(report) else ""
            shim = report[i + 2].strip()[len("shim:"):].strip() if i + 2 < len(report) else ""
            return int(m.group(1)), m.group(2), nat, shim
        if line.startswith("result line") and "only in the" in line:
            return None, line, "", ""
    return None


def _first_frame_diff(report):
    started = False
    for line in report:
        if line.startswith("frames:"):
            started = True
            continue
        if started and line and not line.startswith("masked:") and \
                not line.startswith("ephemeral ports") and line not in ("DIFFERENT",
                                                                        "IDENTICAL"):
            return line
    return None


def _frame_diff_text(report):
    started = False
    out = []
    for line in report:
        if line.startswith("frames:"):
            started = True
            continue
        if started:
            out.append(line)
    return "\n".join(out)


def _errno(line):
    m = re.search(r"\berrno=(\S+)", line)
    return m.group(1) if m else None


def _ret(line):
    m = re.search(r"\bret=(-?\d+)", line)
    return int(m.group(1)) if m else None


PORT_RE = re.compile(r"(?:to|addr)=(?:\d+\.\d+\.\d+\.\d+|\[[^\]]*\]):(\d+)")


def closed_port(text):
    """A destination port where nothing listens (B's sinks are 9000 and 9001, UDP only: every
    port answers a UDP-Lite datagram with an ICMP error): ICMP errors."""
    ports = PORT_RE.findall(text)
    if "proto=udplite" in text and ports:
        return True
    return any(int(p) not in (9000, 9001) for p in ports)


def fork_while_corked(text):
    """A forked child sends on a socket that is corked (MSG_MORE or UDP_CORK before or in it)."""
    corked = False
    for line in text.splitlines():
        if re.search(r"flags=\S*more|msg_flags=\S*more|name=cork int=[1-9]", line):
            corked = True
        if corked and re.match(r"fork (send|sendto|sendmsg|sendmmsg|write|writev) ", line):
            return True
    return False


def failed_connect(lines, native, before=None):
    """A connect (in the parent or a forked child) that failed natively (before step `before`)."""
    for r in native:
        t = r.split()
        if len(t) > 2 and t[1] == "connect" and t[2] == "ret=-1" and \
                (before is None or (t[0].isdigit() and int(t[0]) < before)):
            return True
    return False


def nonblocking(prior, here):
    """The call is non-blocking: MSG_DONTWAIT, or a socket made or set O_NONBLOCK before."""
    return bool(re.search(r"flags=\S*dontwait", here) or
                re.search(r"type=dgram,nonblock|fcntl \S+ nonblock=1", prior))


def classify(lines, native, shim, report):
    """lines: the sequence; native/shim: result lines; report: compare_runs' report lines."""
    text = "\n".join(lines)
    corked = bool(re.search(r"flags=\S*more|msg_flags=\S*more|name=cork int=[1-9]", text))
    forks = "fork " in text
    rd = _first_result_diff(report)
    if rd is not None and rd[0] is not None:
        step, why, nat, sh = rd
        call = nat.split()[1] if len(nat.split()) > 1 else "?"
        en, es = _errno(nat), _errno(sh)
        rn, rs = _ret(nat), _ret(sh)
        first = f"step {step} {call}: {why}"
        before = lines[:step - 1] if step and step <= len(lines) else lines
        prior = "\n".join(before)
        inet6 = "domain=inet6" in text
        here = lines[step - 1] if step and step <= len(lines) else ""
        if call in SEND_CALLS and en == "EMSGSIZE" and es == "0" and CORKED.search(prior) and \
                re.search(r"name=mtu_discover int=[2-5]\b", prior):
            return "cork-df-push-icmp", first
        if fork_while_corked(prior) and call in SEND_CALLS:
            return "fork-cork", first
        if call == "sendmmsg" and rn is not None and rs is not None and 0 <= rn < rs and \
                closed_port(prior + "\n" + lines[step - 1] if step <= len(lines) else prior):
            # the kernel stops at the entry the ICMP error of an earlier one fails
            return "pending-error", first
        if (en in ICMP_ERRNOS and es == "0") or (es in ICMP_ERRNOS and en == "0"):
            # no ICMP error of the fuzzer's topology makes ENETUNREACH (a route's answer):
            # the shim answering it where the kernel sent is something else
            if es == "ENETUNREACH":
                pass
            elif en != "ENETUNREACH" or closed_port(prior):
                return "pending-error", first
        if ((en in ("ENOBUFS", "EAGAIN") or es in ("ENOBUFS", "EAGAIN")) and en != es or
                call == "sendmmsg" and rn is not None and rs is not None and 0 <= rn < rs) and \
                re.search(r"name=sndbuf", prior):
            return "sndbuf", first
        if forks and re.search(r"(?m)^fork (shutdown|connect|close|setsockopt)", prior):
            return "fork-shared-state", first
        if call in SEND_CALLS and nonblocking(prior, here) and \
                (en == "EAGAIN" and es == "0" or
                 call == "sendmmsg" and rn is not None and rs is not None and 0 < rn < rs and
                 en == "0" and re.search(r"\bvlen=\d{3,}", here)):
            return "sndbuf-in-flight", first
        return f"new:{call} {why.split(';')[0]}", first
    if rd is not None:
        if "only in the shim run" in rd[1] and "SIGALRM" in rd[1]:
            return "blocked-send", rd[1]
        return f"new:{rd[1][:60]}", rd[1]
    # results identical: a frame difference
    fd = _frame_diff_text(report)
    first = _first_frame_diff(report) or "frames differ"
    first_detail = first
    flines = [x for x in fd.splitlines() if x.startswith("  ")]
    if flines:
        first_detail = first + " |" + flines[0]
    v6label = "ip6.flowlabel: the pattern of equal/distinct labels differs" in fd and \
        "domain=inet6" in text
    if v6label and re.search(r"(?m)^connect \S+ addr=unspec(\n.*)*\nconnect \S+ addr=\[", text) \
            and re.search(r"(?m)^sendmmsg .*vlen=\d{3,}", text):
        return "v6-flowlabel-reconnect", first_detail
    if "connected socket, the differences between consecutive IDs differ" in fd:
        return "ip.id-connected", first_detail
    if "ip.id: the pattern of equal/distinct IDs" in fd and forks:
        return "ip.id-fork", first_detail
    if fork_while_corked(text):
        return "fork-cork", first_detail
    if corked and forks and re.search(r"(?m)^fork (shutdown|connect|close|setsockopt)", text):
        # a child changed the socket of a corked datagram (conformance.md Differs: another
        # process changes the socket while this one holds a corked datagram)
        return "fork-shared-state", first_detail
    if forks and failed_connect(lines, native):
        # the route a failed connect dropped is set again by a child's send (the kernel
        # socket's), which the parent's shim does not see
        return "fork-shared-state", first_detail
    if "pattern of equal/distinct IDs" in fd:
        mp = re.search(r"differs: native (\[[\d, ]*\]) shim (\[[\d, ]*\])", fd)
        if mp:
            ids_s = [int(x) for x in re.findall(r"\d+", mp.group(2))]
            if len(set(ids_s)) < len(ids_s) and re.search(r"(?m)^(fork )?connect ", text):
                return "ip.id-connected", first_detail
    if route_exception_state(lines, fd):
        return "route-exception-gw", first_detail
    field = "frames"
    m = re.search(r"@0x[0-9a-f]+ (\S+?):", fd)
    mc = re.search(r"frame count: native=(\d+) shim=(\d+)", fd)
    if mc:
        n, sh = int(mc.group(1)), int(mc.group(2))
        field = f"frame count ({'shim' if sh > n else 'native'} sends more)"
    elif m:
        field = m.group(1)
    elif "ip.id:" in fd:
        field = "ip.id " + ("pattern" if "pattern" in fd else "other")
        mp = re.search(r"pattern of equal/distinct IDs in this flow differs: native (\[[\d, ]*\]) "
                       r"shim (\[[\d, ]*\])", fd)
        if mp:
            ids_n = [int(x) for x in re.findall(r"\d+", mp.group(1))]
            ids_s = [int(x) for x in re.findall(r"\d+", mp.group(2))]
            rep_n = len(set(ids_n)) < len(ids_n)
            rep_s = len(set(ids_s)) < len(ids_s)
            field += (" (both repeat IDs differently)" if rep_n and rep_s else
                      " (native repeats an ID)" if rep_n else " (shim repeats an ID)")
    return f"new:{field}", first_detail
