#!/usr/bin/env python3
"""tools.stats: the counters are exact. An unmodified python3 under `shim-run --stats` in namespace A
sends datagrams of known sizes (unicast, fragmented, a gather list, a connected socket, a cold
neighbour, a neighbour that never answers), four datagrams the shim hands to the kernel (control
message, MSG_DONTROUTE, broadcast with SO_BROADCAST, a local destination) and three calls the
shim fails (EMSGSIZE, EACCES, EFAULT); the sender writes down what each should count. While it
runs, `shim-stat PID` must show exactly that; at exit, so must the report of SHIM_STATS=1. Also:
shim-stat's listing, repeat mode and error messages, and a forked child's own counters.

  run_stats.py SHIM_RUN SHIM_STAT"""
import json
import os
import re
import select
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PYTHON, in_ns, main, shim_env, wait_for  # noqa: E402

SHIM_RUN = os.path.abspath(sys.argv[1])
SHIM_STAT = os.path.abspath(sys.argv[2])
SENDER = os.path.join(HERE, 'send_mix.py')
B_SIDE = os.path.join(HERE, 'b_side.py')
LINE = re.compile(r'^ {2,4}(\S+)\s+(\d+)\s')


def parse_blocks(text):
    """{pid: {name: value}} of every report block in text."""
    blocks, cur = {}, None
    for line in text.splitlines():
        m = re.match(r'^libshim statistics, pid (\d+) \((.*)\):$', line)
        if m:
            cur = blocks.setdefault(int(m.group(1)), {})
            continue
        m = LINE.match(line)
        if m and cur is not None:
            cur[m.group(1)] = int(m.group(2))
        elif not line.startswith('  (process'):
            cur = None
    return blocks


def expected(exp):
    want = dict(exp['counters'])
    want.update({f'kernel.{k}': v for k, v in exp['kernel'].items()})
    want.update({f'errno.{k}': v for k, v in exp['errnos'].items()})
    return want


def diff(got, want):
    keys = sorted(set(got) | set(want))
    return ', '.join(f'{k}={got.get(k, 0)} want {want.get(k, 0)}' for k in keys
                     if got.get(k, 0) != want.get(k, 0))


def stat(pid, *opts):
    return subprocess.run([SHIM_STAT, *opts, *([str(pid)] if pid else [])], capture_output=True,
                          text=True, timeout=30, env=shim_env())


def case_exact(run):
    pair = run.pair_up()
    a = f'{pair}-a'
    # a neighbour that never answers fails after one probe of 200 ms, not 3 s
    subprocess.run(in_ns(a, ['sysctl', '-qw', 'net.ipv4.neigh.veth-a.mcast_solicit=1',
                             'net.ipv4.neigh.veth-a.retrans_time_ms=200']), check=True)
    exp_path, trace, b_out = run.path('exp.json'), run.path('trace'), run.path('b.json')
    blog = open(run.path('b.log'), 'w+')
    b = run.spawn(in_ns(f'{pair}-b', [PYTHON, B_SIDE, '--port', '9000', '--port', '9001',
                                      '--count', '12', '--out', b_out]),
                  stdout=blog, stderr=subprocess.STDOUT)
    wait_for(lambda: (blog.seek(0), 'ready' in blog.read())[1], 10)

    p = run.spawn(in_ns(a, [SHIM_RUN, '--stats', '--trace-file', trace, PYTHON, SENDER, 'stats',
                            '--expect', exp_path, '--hold']),
                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                  env=shim_env(), text=True)
    r, _, _ = select.select([p.stdout], [], [], 30)
    line = p.stdout.readline() if r else ''
    if not run.check('stats: the sender ran', line.strip() == 'sent',
                     f'{line!r} {p.poll()} {open(trace).read()[-500:] if os.path.exists(trace) else ""}'):
        p.kill()
        print(p.stderr.read()[-1000:])
        return
    want = expected(json.load(open(exp_path)))

    # live: wait for the never-answering neighbour's datagram to be dropped
    def live():
        s = stat(p.pid)
        got = parse_blocks(s.stdout).get(p.pid, {})
        return got if got.get('neigh_queue_drop') == want['neigh_queue_drop'] else None
    got = wait_for(live, 10, 0.1) or parse_blocks(stat(p.pid).stdout).get(p.pid, {})
    run.check('stats: shim-stat PID while the program runs: every counter exact',
              got and not diff(got, want), diff(got, want) or 'no block')

    listing = stat(None)
    run.check('stats: shim-stat without PID lists the process',
              listing.returncode == 0 and p.pid in parse_blocks(listing.stdout),
              listing.stdout[:300] + listing.stderr)
    rep = stat(p.pid, '-i', '0.1', '-n', '3')
    run.check('stats: shim-stat -i 0.1 -n 3 prints three reports',
              rep.returncode == 0 and rep.stdout.count('libshim statistics, pid') == 3,
              rep.stdout[:200] + rep.stderr)

    p.stdin.write('exit\n')
    p.stdin.flush()
    rc = p.wait(timeout=30)
    b.wait(timeout=30)
    text = open(trace).read()
    blocks = parse_blocks(text)
    got = blocks.get(p.pid, {})
    run.check('stats: the exit report (SHIM_STATS=1) is exact',
              rc == 0 and got and not diff(got, want), diff(got, want) or text[-800:])
    start = text.find(f'libshim statistics, pid {p.pid} ')
    block = text[start:].splitlines()[:1 + len(got)]
    run.check('stats: the exit report is one block', start >= 0 and all(
        LINE.match(x) for x in block[1:]), '\n'.join(block))
    recv = json.load(open(b_out))['datagrams']
    run.check('stats: B received the 12 datagrams that had somewhere to go', len(recv) == 12,
              f'{len(recv)}')

    gone = stat(p.pid)
    run.check('stats: shim-stat on an ended process says so',
              gone.returncode == 1 and gone.stderr.strip() == f'shim-stat: no process {p.pid}',
              gone.stderr)


def case_errors(run):
    s = subprocess.Popen(['sleep', '30'])
    run.procs.append(s)
    r = stat(s.pid)
    run.check('stats: shim-stat on a program not under libshim says so',
              r.returncode == 1 and f'process {s.pid} (sleep) is not running under libshim' in
              r.stderr, r.stderr)
    r = stat(None, 'abc')
    run.check('stats: shim-stat with a bad PID is a usage error', r.returncode == 2 and
              r.stderr.strip() == "shim-stat: 'abc' is not a process id", r.stderr)
    r = stat(None, '--bogus')
    run.check('stats: shim-stat with an unknown option is a usage error', r.returncode == 2 and
              "unknown option '--bogus'" in r.stderr, r.stderr)
    r = stat(None, '--help')
    run.check('stats: shim-stat --help', r.returncode == 0 and 'usage: shim-stat' in r.stdout and
              '--interval' in r.stdout)


def case_fork(run):
    pair = run.pair_up('--arp', 'static')
    trace = run.path('fork-trace')
    prog = ("import os, socket\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "for i in range(3): s.sendto(b'p' * 10, ('192.0.2.2', 9000))\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    for i in range(2): s.sendto(b'c' * 7, ('192.0.2.2', 9000))\n"
            "    raise SystemExit(0)\n"
            "os.waitpid(pid, 0)\n"
            "print(pid)\n")
    p = subprocess.run(in_ns(f'{pair}-a', [SHIM_RUN, '--stats', '--trace-file', trace, PYTHON,
                                           '-c', prog]),
                       capture_output=True, text=True, env=shim_env(), timeout=60)
    blocks = parse_blocks(open(trace).read()) if os.path.exists(trace) else {}
    child = int(p.stdout.strip() or 0)
    parent = [k for k in blocks if k != child]
    ok = (p.returncode == 0 and len(blocks) == 2 and blocks.get(child, {}).get('dgrams_sent') == 2
          and blocks.get(child, {}).get('bytes_sent') == 14 and len(parent) == 1 and
          blocks[parent[0]].get('dgrams_sent') == 3 and blocks[parent[0]].get('bytes_sent') == 30)
    run.check('stats: a forked child counts on its own, from zero', ok, f'{blocks} {p.stderr}')


def case_queued_fragments(run):
    """A datagram large enough to be fragmented that waits for ARP is still a fragmented one."""
    pair = run.pair_up()
    trace = run.path('queued-trace')
    prog = ("import socket\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "s.sendto(b'q' * 3000, ('192.0.2.2', 9000))\n")
    p = subprocess.run(in_ns(f'{pair}-a', [SHIM_RUN, '--stats', '--trace-file', trace, PYTHON,
                                           '-c', prog]),
                       capture_output=True, text=True, env=shim_env(), timeout=60)
    blocks = parse_blocks(open(trace).read()) if os.path.exists(trace) else {}
    got = next(iter(blocks.values()), {})
    want = {'dgrams_sent': 1, 'bytes_sent': 3000, 'frames_sent': 3, 'fragmented': 1,
            'neigh_miss': 1, 'route_miss': 1}
    run.check('stats: a fragmented datagram that waited for ARP counts as fragmented',
              p.returncode == 0 and len(blocks) == 1 and not diff(got, want),
              diff(got, want) or f'{blocks} {p.stderr}')


def body(run):
    case_exact(run)
    case_errors(run)
    case_fork(run)
    case_queued_fragments(run)


if __name__ == '__main__':
    main('stats', body)
