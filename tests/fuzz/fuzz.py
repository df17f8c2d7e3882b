#!/usr/bin/env python3
"""Differential fuzzer: random call sequences run natively and under a preload library, every
result and every frame compared under the bench's rules (tests/bench/compare.py).

    fuzz.py --shim LIB.so --runner scenario_runner --capture capture [options]

Two topologies are built once (scripts/netns-pair, the header in gen.TOPOLOGY), one per side;
in each, one capture process records B's ingress into a FIFO and one scenario_runner --serve
process in A runs sequence after sequence (closing the sockets of each at its end and sending
a marker datagram with raw system calls, which cuts the capture per sequence). The native
runner has no preload, the other LD_PRELOAD=LIB.so; each is pinned to one CPU, so its frames
and its marker reach B's backlog in order. Sequences run in batches, both sides at once.

Every sequence's results and frames go through compare.compare_runs; a divergence is classified
(known.py: a known difference, or NEW) and logged; with --minimise each new kind is shrunk to
the few calls that still show it (ddmin over the lines, each candidate run on the live
topologies) and printed as a bench scenario (tests/bench/README.md), which
tests/bench/run-diff runs as it is (--verify checks that it does show the difference there).

Options:
  --seed N           sequences are SEED:0, SEED:1, ... (gen.generate; default: random, printed)
  --start I          first index (default 0)
  --sequences N      how many (default 1000)
  --time SEC         stop starting batches after SEC seconds (default: no limit)
  --batch N          sequences per batch (default 16)
  --max-calls N      at most N calls per sequence (default 24)
  --v6-share F       the share of sequences on AF_INET6 sockets (default gen.V6_SHARE, 0.5); a
                     sequence's family is drawn apart from its calls, so an IPv4 sequence is the
                     same whatever F
  --minimise         shrink each new kind of divergence and print it as a scenario
  --minimise-known   minimise known kinds too (one example each)
  --minimise-max N   minimise at most N divergences (default 5)
  --minimise-time S  at most S seconds per minimisation (default 120; a sequence that times out
                     costs --seq-timeout per run)
  --verify           run each minimised scenario through tests/bench/run-diff too
  --out DIR          write the log, every divergence's sequence and report there
  --expect-diff      negative control: exit 0 only if a NEW divergence was found
  --only I[,I...]    run only these indexes (reproduce a logged divergence)
  --again DIR        run again the divergences an earlier run wrote to DIR/divergences (those of
                     --seed, in index order; DIR as its --out): how a long run's divergences
                     classify after the shim or known.py changed (several DIRs: repeat it)
  --no-confirm       do not run a new kind of divergence twice more to confirm it (an
                     unconfirmed one is reported as "unconfirmed:...", and fails nothing)
  --progress SEC     progress line every SEC seconds (default 10)
  -q                 fewer lines: no line per known divergence
Exit: 0 no new divergence, 1 new divergence(s), 2 usage or harness error, 77 not root.
"""

import argparse
import os
import queue
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
sys.path.insert(0, HERE)

import compare  # noqa: E402
import gen  # noqa: E402
import known  # noqa: E402

NETNS_PAIR = os.path.join(ROOT, "scripts", "netns-pair")
RUN_DIFF = os.path.join(ROOT, "tests", "bench", "run-diff")
MARK_ADDR = "192.0.2.99"
MARK_PORT = 7
MAC_B = "02:00:00:00:0b:02"


class HarnessError(Exception):
    pass


def topo_options(topology):
    """netns-pair options and capture sink options from a '# topology:' value."""
    net, sinks = [], ["9000"]
    for kv in topology.split():
        k, _, v = kv.partition("=")
        if k == "arp":
            net += ["--arp", v]
        elif k in ("route", "mark-route", "mtu", "mtu2"):
            net += ["--" + k, v]
        elif k == "router":
            net.append("--router")
        elif k == "a-tx-csum":
            net.append("--a-tx-csum")
        elif k == "ipv6":
            net.append("--ipv6")
        elif k == "sink":
            sinks = [] if v == "none" else v.split(",")
        else:
            raise HarnessError(f"topology word {kv} not supported by the fuzzer")
    cap = []
    for p in sinks:
        cap += ["-u", p]
    return net, cap


def is_marker(fr):
    """A marker frame: UDP to MARK_ADDR:MARK_PORT with 'FUZZ-MARK <k>'; returns k or None."""
    if len(fr) < 42 or fr[12:14] != b"\x08\x00" or fr[23] != 17:
        return None
    if fr[30:34] != bytes(int(x) for x in MARK_ADDR.split(".")):
        return None
    ihl = (fr[14] & 15) * 4
    if struct.unpack("!H", fr[14 + ihl + 2:14 + ihl + 4])[0] != MARK_PORT:
        return None
    data = bytes(fr[14 + ihl + 8:])
    if not data.startswith(b"FUZZ-MARK "):
        return None
    try:
        return int(data[10:].split(b"\0")[0])
    except ValueError:
        return None


class Side:
    """One topology with its capture and its runner (native, or under the preload)."""

    def __init__(self, mode, ns, cpu, work, args):
        self.mode, self.ns, self.cpu, self.work, self.args = mode, ns, cpu, work, args
        self.runner = None
        self.capture = None
        self.segments = queue.Queue()  # (marker k, [frames]) in capture order; None at EOF
        self.reader = None
        self.since_restart = 0

    # topology and capture
    def up(self, net_opts, cap_opts):
        log = os.path.join(self.work, f"{self.mode}-netns.log")
        with open(log, "w") as f:
            rc = subprocess.call([NETNS_PAIR, "up", self.ns] + net_opts, stdout=f, stderr=f)
        if rc != 0:
            raise HarnessError(f"netns-pair up {self.ns} failed: {open(log).read()}")
        subprocess.check_call(["ip", "-n", f"{self.ns}-a", "neigh", "replace", MARK_ADDR,
                               "lladdr", MAC_B, "dev", "veth-a", "nud", "permanent"])
        fifo = os.path.join(self.work, f"{self.mode}.pcap.fifo")
        os.mkfifo(fifo)
        ready = os.path.join(self.work, f"{self.mode}.ready")
        self.caplog = open(os.path.join(self.work, f"{self.mode}-capture.log"), "w")
        self.capture = subprocess.Popen(
            ["ip", "netns", "exec", f"{self.ns}-b", self.args.capture, "-i", "veth-b", "-w",
             fifo, "-r", ready, "-t", str(24 * 3600 * 1000), "-c", "100000000", "-q", "0"]
            + cap_opts, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.caplog, preexec_fn=self._pin)
        self.reader = threading.Thread(target=self._read_pcap, args=(fifo,), daemon=True)
        self.reader.start()
        for _ in range(200):
            if os.path.exists(ready):
                break
            if self.capture.poll() is not None:
                break
            time.sleep(0.02)
        if not os.path.exists(ready):
            raise HarnessError(f"capture in {self.ns}-b did not start")

    def _pin(self):
        try:
            os.sched_setaffinity(0, {self.cpu})
        except OSError:
            pass

    def _read_pcap(self, fifo):
        frames = []
        try:
            with open(fifo, "rb", buffering=1 << 20) as f:
                hdr = f.read(24)
                if len(hdr) < 24:
                    self.segments.put(None)
                    return
                nsec = struct.unpack("<I", hdr[:4])[0] == 0xA1B23C4D
                div = 1e9 if nsec else 1e6
                while True:
                    rh = f.read(16)
                    if len(rh) < 16:
                        break
                    sec, frac, incl, _orig = struct.unpack("<IIII", rh)
                    data = f.read(incl)
                    if len(data) < incl:
                        break
                    k = is_marker(data)
                    if k is not None:
                        self.segments.put((k, frames))
                        frames = []
                        continue
                    fr = compare.RawFrame(data)
                    fr.ts = sec + frac / div
                    frames.append(fr)
        finally:
            self.segments.put(None)

    # runner
    def start_runner(self):
        env = {k: v for k, v in os.environ.items()
               if k != "LD_PRELOAD" and not (self.mode == "native" and k.startswith("SHIM_"))}
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        cmd = ["ip", "netns", "exec", f"{self.ns}-a"]
        if self.mode == "shim":
            pre = os.environ.get("SHIM_PRELOAD_PREFIX", "")
            cmd += ["env", "LD_PRELOAD=" + (pre + " " if pre else "") + self.args.shim]
        cmd += [self.args.runner, "--serve", f"{MARK_ADDR}:{MARK_PORT}", "--seq-timeout",
                str(self.args.seq_timeout)]
        self.errlog = open(os.path.join(self.work, f"{self.mode}-runner.err"), "a")
        self.runner = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=self.errlog, env=env, preexec_fn=self._pin,
                                       text=True, bufsize=1 << 16)
        self.since_restart = 0

    def stop_runner(self):
        p = self.runner
        self.runner = None
        if p is None:
            return None
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            rc = p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        p.stdout.close()
        return rc

    def next_segment(self, timeout=10):
        try:
            seg = self.segments.get(timeout=timeout)
        except queue.Empty:
            raise HarnessError(f"{self.mode}: no marker frame within {timeout} s (capture "
                               f"lost frames?)")
        if seg is None:
            raise HarnessError(f"{self.mode}: the capture ended")
        return seg[1]

    def run_batch(self, seqs, out):
        """Runs seqs (lists of lines) in order; out[i] = (result lines, exit status, frames)."""
        i = 0
        while i < len(seqs):
            if self.runner is not None and self.since_restart >= self.args.restart_every:
                self.stop_runner()  # every marker was seen: nothing is left in the capture
            if self.runner is None:
                self.start_runner()
            todo = seqs[i:]
            data = "".join("\n".join(s) + "\n%% end\n" for s in todo)
            w = threading.Thread(target=self._write, args=(self.runner, data), daemon=True)
            w.start()
            for s in todo:
                lines, dead = [], False
                while True:
                    line = self.runner.stdout.readline()
                    if not line:
                        dead = True
                        break
                    line = line.rstrip("\n")
                    if line.startswith("%% done"):
                        break
                    if line.startswith("%% marker-error"):
                        raise HarnessError(f"{self.mode}: {line}")
                    lines.append(line)
                if dead:
                    rc = self.stop_runner()
                    w.join(timeout=5)
                    # the frames the dead sequence sent: up to the marker of an empty block
                    self.start_runner()
                    frames = self.sync()
                    out[i] = (lines, str(rc if rc is not None and rc >= 0 else 128 - rc),
                              frames)
                    i += 1
                    break
                out[i] = (lines, "0", self.next_segment())
                i += 1
                self.since_restart += 1
            else:
                w.join(timeout=5)

    def sync(self):
        """An empty block on a fresh runner: returns the frames captured before its marker."""
        if self.runner is None:
            self.start_runner()
        self.runner.stdin.write("%% end\n")
        self.runner.stdin.flush()
        while True:
            line = self.runner.stdout.readline()
            if not line:
                raise HarnessError(f"{self.mode}: runner died in an empty block")
            if line.startswith("%% done"):
                break
        self.since_restart += 1
        return self.next_segment()

    @staticmethod
    def _write(p, data):
        try:
            p.stdin.write(data)
            p.stdin.flush()
        except (OSError, ValueError):
            pass

    def down(self):
        self.stop_runner()
        if self.capture is not None:
            try:
                self.capture.terminate()
                self.capture.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.capture.kill()
            self.capture = None
        subprocess.call([NETNS_PAIR, "down", self.ns], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)


class _Async:
    """fn(*args) in a thread of its own; result() waits for it and returns it or raises."""

    def __init__(self, fn, *args):
        self.value = self.error = None
        self.thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self.thread.start()

    def _run(self, fn, args):
        try:
            self.value = fn(*args)
        except BaseException as e:  # noqa: B902 (re-raised in the caller's thread)
            self.error = e

    def result(self):
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.value


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="libshim-fuzz.")
        cpus = sorted(os.sched_getaffinity(0))
        tag = f"fuzz{os.getpid()}"
        self.sides = [Side("native", f"{tag}-native", cpus[0], self.work, args),
                      Side("shim", f"{tag}-shim", cpus[1 % len(cpus)], self.work, args)]
        self.counts = {}
        self.examples = {}
        self.new_kinds = {}
        self.ndiv = 0
        self.nrun = 0
        self.minimised = 0
        self.log = None
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            self.log = open(os.path.join(args.out, "fuzz.log"), "a")

    def say(self, text):
        print(text, flush=True)
        if self.log:
            self.log.write(text + "\n")
            self.log.flush()

    @staticmethod
    def remove_leftovers():
        """Namespaces of an earlier fuzz.py killed without cleaning up (SIGKILL, a ctest
        timeout): fuzz<pid>-native/shim-... whose process is gone. Removed by name."""
        try:
            names = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True).stdout.split()
        except OSError:
            return
        for ns in names:
            m = re.match(r"^(fuzz(\d+)-(native|shim))-[abr]$", ns)
            if not m:
                continue
            try:
                with open(f"/proc/{m.group(2)}/cmdline", "rb") as f:
                    alive = b"fuzz.py" in f.read()
            except OSError:
                alive = False
            if not alive:
                print(f"fuzz: removing leftover namespaces {m.group(1)}", file=sys.stderr)
                subprocess.call([NETNS_PAIR, "down", m.group(1)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def up(self):
        self.remove_leftovers()
        net, cap = topo_options(gen.TOPOLOGY)
        for s in self.sides:
            s.up(net, cap)

    def down(self):
        for s in self.sides:
            s.down()
        shutil.rmtree(self.work, ignore_errors=True)

    def run_seqs(self, seqs):
        """Both sides run seqs; returns [(native, shim)] with (lines, status, frames) each."""
        outs = [[None] * len(seqs), [None] * len(seqs)]
        errs = []

        def work(side, out):
            try:
                side.run_batch(seqs, out)
            except HarnessError as e:
                errs.append(str(e))
            except (AttributeError, OSError, ValueError) as e:
                # the runner was taken away under the batch (interrupted: down() ran)
                errs.append(f"{side.mode}: {e!r}")
        ts = [threading.Thread(target=work, args=(s, o)) for s, o in zip(self.sides, outs)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errs:
            raise HarnessError("; ".join(errs))
        return list(zip(outs[0], outs[1]))

    @staticmethod
    def compare(nat, shim, gso_ids):
        rn = nat[0] + [f"exit {nat[1]}"]
        rs = shim[0] + [f"exit {shim[1]}"]
        total, report = compare.compare_runs(rn, rs, nat[2], shim[2], gso_ids=gso_ids)
        return total, report, rn, rs

    def judge(self, lines, nat, shim):
        """None if identical, else (label, first difference, report)."""
        # UDP_SEGMENT in the sequence: IDs repeated across datagrams are not compared, as
        # run-diff does for such a scenario (compare.py --gso-ids)
        gso = any(re.search(r"name=segment|udp:segment", line) for line in lines)
        total, report, rn, rs = self.compare(nat, shim, gso)
        if total == 0:
            return None
        label, first = known.classify(lines, rn, rs, report)
        return label, first, report

    def run(self):
        a = self.args
        seed = a.seed
        indexes = a.only if a.only else range(a.start, a.start + a.sequences)
        if a.again:
            indexes = again_indexes(a.again, seed)
            if not indexes:
                self.say(f"fuzz: no divergence of seed {seed} in {', '.join(a.again)}")
                return 0
        t0 = time.time()
        last = t0
        pending = list(indexes)
        self.say(f"fuzz: seed {seed}, {len(pending)} sequences from index {pending[0]}, "
                 f"shim {a.shim}, kernel {os.uname().release}")
        # Pipelined: while the runners run batch k (a thread of its own, which mostly waits on
        # the runners' pipes and the captures), this thread generates batch k+1 and compares
        # batch k-1. What needs the runners again (a new kind confirmed or minimised) waits
        # until batch k is in.
        done = None  # (indexes, sequences, results) of the batch run last, not yet judged
        while pending or done:
            running = None
            if pending and not (a.time and time.time() - t0 >= a.time):
                batch, pending = pending[:a.batch], pending[a.batch:]
                seqs = [gen.generate(seed, i, a.max_calls) for i in batch]
                running = _Async(self.run_seqs, seqs)
            elif pending:
                self.say(f"fuzz: time budget of {a.time} s reached")
                pending = []
            found = []
            if done is not None:
                for idx, lines, (nat, shim) in zip(*done):
                    self.nrun += 1
                    v = self.judge(lines, nat, shim)
                    if v is not None:
                        found.append((idx, lines, v))
            done = None
            if running is not None:
                done = (batch, seqs, running.result())
            for idx, lines, v in found:
                self.divergence(seed, idx, lines, v)
            now = time.time()
            if now - last >= a.progress:
                last = now
                self.progress(now - t0)
        self.progress(time.time() - t0, final=True)
        return self.summary()

    def progress(self, dt, final=False):
        rate = self.nrun / dt if dt > 0 else 0.0
        nnew = sum(n for k, n in self.counts.items() if k.startswith("new:"))
        nunc = sum(n for k, n in self.counts.items() if k.startswith("unconfirmed:"))
        nknown = self.ndiv - nnew - nunc
        self.say(f"fuzz: {'done: ' if final else ''}{self.nrun} sequences in {dt:.0f} s "
                 f"({rate:.1f}/s), {self.ndiv} divergent ({nknown} known, {nnew} new, "
                 f"{nunc} unconfirmed)")

    def divergence(self, seed, idx, lines, v):
        label, first, report = v
        if label.startswith("new:") and self.args.confirm:
            # a new kind must show again when the sequence is run again (timing-dependent
            # divergences are reported as unconfirmed, and do not fail the run)
            again = [self.label_of(lines) for _ in range(2)]
            if label not in again:
                label = "unconfirmed:" + label[4:]
        self.ndiv += 1
        self.counts[label] = self.counts.get(label, 0) + 1
        self.examples.setdefault(label, []).append(f"{seed}:{idx}")
        isnew = label.startswith("new:")
        unconfirmed = label.startswith("unconfirmed:")
        if isnew or unconfirmed or not self.args.quiet:
            kind = "NEW" if isnew else "unconfirmed" if unconfirmed else "known"
            self.say(f"fuzz: {seed}:{idx} {kind} {label}: {first}")
        if self.args.out:
            d = os.path.join(self.args.out, "divergences")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{seed}-{idx}.scn"), "w") as f:
                f.write(gen.scenario_text(lines, f"fuzz {seed}:{idx}: {label}"))
            with open(os.path.join(d, f"{seed}-{idx}.txt"), "w") as f:
                f.write("\n".join(report) + "\n")
        if (isnew and self.args.minimise or self.args.minimise_known) and \
                label not in self.new_kinds and self.minimised < self.args.minimise_max:
            self.minimised += 1
            small = self.minimise(lines, label)
            self.new_kinds[label] = small
            self.report_minimised(seed, idx, label, small)
        elif isnew:
            self.new_kinds.setdefault(label, None)

    # ------------------------------------------------------------------------------------------
    # minimiser

    def label_of(self, lines):
        (nat, shim), = self.run_seqs([lines])
        v = self.judge(lines, nat, shim)
        return v[0] if v else None

    def minimise(self, lines, label):
        deadline = time.time() + self.args.minimise_time

        def label_of(cand):
            if time.time() > deadline:
                return None  # out of time: no further reduction is accepted
            return self.label_of(cand)
        return minimise(lines, label, label_of, self.args.minimise_tries)


    def report_minimised(self, seed, idx, label, small):
        reps = sum(1 for _ in range(3) if self.label_of(small) == label)
        title = (f"fuzz {seed}:{idx} minimised: {label} (reproduced {reps} of 3 runs on the "
                 f"fuzzer's topologies)")
        text = gen.scenario_text(small, title)
        orig = len(gen.generate(seed, idx, self.args.max_calls))
        self.say(f"fuzz: minimised {seed}:{idx} from {orig} to {len(small)} calls, "
                 f"reproduced {reps}/3:")
        for line in text.splitlines():
            self.say("  | " + line)
        path = os.path.join(self.args.out or self.work, f"min-{seed}-{idx}.scn")
        with open(path, "w") as f:
            f.write(text)
        if self.args.verify:
            self.verify(path)

    def verify(self, path):
        cmd = [RUN_DIFF, "--shim", self.args.shim, "--runner", self.args.runner, "--capture",
               self.args.capture, path]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = p.stdout.strip().splitlines()
        verdict = ("FAILS (the bench shows the difference)" if p.returncode == 1
                   else f"exit {p.returncode}")
        self.say(f"fuzz: run-diff on the minimised scenario: {verdict}")
        for line in out[1:12]:
            self.say("  > " + line)
        self.verified = getattr(self, "verified", 0) + (p.returncode == 1)

    def summary(self):
        self.say(f"fuzz: {self.nrun} sequences, {self.ndiv} divergent")
        for label, n in sorted(self.counts.items(), key=lambda kv: -kv[1]):
            ex = ", ".join(self.examples[label][:3])
            what = known.KNOWN.get(label, "NEW: not a known difference" if label.startswith(
                "new:") else "did not show again in 2 more runs (timing)")
            self.say(f"  {n:6d}  {label}  (e.g. {ex}) {what[:90]}")
        nnew = sum(n for k, n in self.counts.items() if k.startswith("new:"))
        return nnew


def minimise(lines, label, label_of, max_tries=400):
    """ddmin over the lines, then over the optional key=value words of each remaining line:
    the smallest sequence found for which label_of(sequence) is still `label`."""
    tries = 0
    cur = list(lines)
    n = 2
    while len(cur) >= 2 and tries < max_tries:
        chunk = max(1, len(cur) // n)
        reduced = False
        for start in range(0, len(cur), chunk):
            cand = cur[:start] + cur[start + chunk:]
            if not cand:
                continue
            tries += 1
            if label_of(cand) == label:
                cur = cand
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if chunk == 1:
                break
            n = min(n * 2, len(cur))
    # simplify words: drop optional key=value words one at a time
    i = 0
    while i < len(cur) and tries < max_tries:
        words = cur[i].split()
        j = len(words) - 1
        while j >= 2 and tries < max_tries:
            if "=" in words[j] and not words[j].startswith(("level=", "name=", "addr=")):
                cand_line = " ".join(words[:j] + words[j + 1:])
                cand = cur[:i] + [cand_line] + cur[i + 1:]
                tries += 1
                if label_of(cand) == label:
                    cur = cand
                    words = cand_line.split()
            j -= 1
        i += 1
    return cur



def again_indexes(dirs, seed):
    """The indexes of seed's divergences an earlier run wrote (DIR/divergences/SEED-INDEX.scn)."""
    found = set()
    for d in dirs:
        for name in os.listdir(os.path.join(d, "divergences")):
            m = re.fullmatch(rf"{seed}-(\d+)\.scn", name)
            if m:
                found.add(int(m.group(1)))
    return sorted(found)

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--runner", required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--sequences", type=int, default=1000)
    ap.add_argument("--time", type=float, default=0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-calls", type=int, default=24)
    ap.add_argument("--v6-share", type=float, default=None)
    ap.add_argument("--minimise", "--minimize", action="store_true")
    ap.add_argument("--minimise-known", action="store_true")
    ap.add_argument("--minimise-max", type=int, default=5)
    ap.add_argument("--minimise-tries", type=int, default=400)
    ap.add_argument("--minimise-time", type=float, default=120)
    ap.add_argument("--verify", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--expect-diff", action="store_true")
    ap.add_argument("--no-confirm", dest="confirm", action="store_false")
    ap.add_argument("--only", type=lambda s: [int(x) for x in s.split(",")])
    ap.add_argument("--again", action="append")
    ap.add_argument("--progress", type=float, default=10)
    ap.add_argument("--restart-every", type=int, default=5000)
    ap.add_argument("--seq-timeout", type=int, default=10)
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    if args.v6_share is not None:
        gen.V6_SHARE = args.v6_share
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    for k in ("shim", "runner", "capture"):
        p = getattr(args, k)
        if not os.path.exists(p):
            print(f"fuzz: {k} {p} does not exist", file=sys.stderr)
            return 2
        setattr(args, k, os.path.realpath(p))
    if os.geteuid() != 0:
        print("fuzz: needs root (network namespaces); skipped")
        return 77
    os.environ.pop("LD_PRELOAD", None)
    fz = Fuzzer(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    rc = 2
    try:
        fz.up()
        nnew = fz.run()
        if args.expect_diff:
            ok = nnew > 0 and (not args.verify or getattr(fz, "verified", 0) > 0)
            fz.say("fuzz: expect-diff: " + ("the broken library was caught" if ok else
                                            "NOT caught"))
            rc = 0 if ok else 1
        else:
            rc = 1 if nnew else 0
    except HarnessError as e:
        fz.say(f"fuzz: harness error: {e}")
        rc = 2
    except KeyboardInterrupt:
        fz.say("fuzz: interrupted")
        fz.progress(1, final=True) if fz.nrun == 0 else fz.summary()
        rc = 130
    finally:
        fz.down()
    return rc


if __name__ == "__main__":
    sys.exit(main())
