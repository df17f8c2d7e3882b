#!/usr/bin/env python3
"""tools.stat_watch: shim-stat --watch, --json and --all against running senders.

rate_sender.py runs under shim-run in namespace A of a pair the test makes, sending bursts every
10 ms and logging its own count against CLOCK_MONOTONIC. `shim-stat --watch --json` samples it:
each round's datagram rate times its interval must be the sender's own count over the same
window, within 10% and two bursts. The text --watch table has its heading, the process's row and
the hand-off and errno lines; one-shot --json parses and says what the text report says; --all
lists a second sender too; --watch with a PID ends by itself when the process ends, its last
round marked ended.

  run_stat_watch.py SHIM_RUN SHIM_STAT"""
import bisect
import json
import os
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PYTHON, in_ns, main, shim_env  # noqa: E402

SHIM_RUN = os.path.abspath(sys.argv[1])
SHIM_STAT = os.path.abspath(sys.argv[2])
SENDER = os.path.join(HERE, 'rate_sender.py')
BURST = 20


def stat(*args, timeout=30):
    return subprocess.run([SHIM_STAT, *args], capture_output=True, text=True, timeout=timeout,
                          env=shim_env())


def start_sender(run, ns, log, seconds, hold):
    p = run.spawn(in_ns(ns, [SHIM_RUN, PYTHON, SENDER, '--seconds', str(seconds), '--hold',
                             str(hold), '--burst', str(BURST), '--log', log]),
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=shim_env())
    r, _, _ = select.select([p.stdout], [], [], 30)
    line = p.stdout.readline().strip() if r else ''
    return p, line == 'started'


def wait_line(p, want, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], max(0, deadline - time.monotonic()))
        if not r:
            break
        line = p.stdout.readline()
        if not line or line.strip() == want:
            return line.strip() == want
    return False


def count_at(log, t):
    """The sender's own count at monotonic time t (linear between its log lines)."""
    times = [x[0] for x in log]
    i = bisect.bisect_right(times, t)
    if i == 0:
        return 0.0
    if i == len(log):
        return float(log[-1][1])
    (t0, c0), (t1, c1) = log[i - 1], log[i]
    return c0 + (c1 - c0) * (t - t0) / (t1 - t0)


def text_blocks(text):
    vals = {}
    for line in text.splitlines():
        m = re.match(r'^ {2,4}(\S+)\s+(\d+)\s', line)
        if m:
            vals[m.group(1)] = int(m.group(2))
    return vals


def body(run):
    pair = run.pair_up()
    a = f'{pair}-a'
    log_path = run.path('rate.log')
    p, ok = start_sender(run, a, log_path, seconds=5, hold=6)
    if not run.check('stat_watch: the sender started under the shim', ok, p.stderr.read()
                     if p.poll() is not None else ''):
        return

    w = stat('--watch', '--json', '-n', '3', str(p.pid))
    rounds = []
    try:
        rounds = [json.loads(line) for line in w.stdout.splitlines()]
    except ValueError as e:
        run.check('stat_watch: --watch --json prints JSON lines', False, f'{e}: {w.stdout[:300]}')
    run.check('stat_watch: --watch --json -n 3 prints three rounds, one JSON object each',
              w.returncode == 0 and len(rounds) == 3 and
              all(r['processes'][0]['pid'] == p.pid for r in rounds), w.stdout[:500] + w.stderr)

    text = stat('--watch', '-i', '0.5', '-n', '2', str(p.pid))
    rows = [ln for ln in text.stdout.splitlines() if re.match(rf'^\s*{p.pid} python3\s', ln)]
    run.check('stat_watch: the --watch table: a heading per round, the process\'s row with its '
              'rates, its hand-off and errno lines',
              text.returncode == 0 and text.stdout.count('under libshim, per second over') == 2
              and len(rows) == 2 and float(rows[-1].split()[2]) > 0 and
              'kernel.not_unicast' in text.stdout and 'errno.EMSGSIZE' in text.stdout,
              text.stdout[:800] + text.stderr)

    if not wait_line(p, 'done', 20):
        run.check('stat_watch: the sender finished its loop', False)
        return
    log = [tuple(map(float, ln.split())) for ln in open(log_path)]
    for i, r in enumerate(rounds):
        proc = r['processes'][0]
        secs = proc['rates']['seconds']
        end = proc['sampled']
        own = count_at(log, end) - count_at(log, end - secs)
        seen = proc['rates']['dgrams_sent'] * secs
        run.check(f'stat_watch: round {i + 1}: the rate ({proc["rates"]["dgrams_sent"]:.0f}/s over '
                  f'{secs:.2f} s) is the sender\'s own ({own / secs:.0f}/s)',
                  own > 0 and abs(seen - own) <= 0.1 * own + 2 * BURST,
                  f'shim-stat {seen:.0f} sender {own:.0f} in the window')
        # (the counters are read one after the other while the sender runs, and its first
        # datagram's frame left when ARP answered: a datagram or two apart)
        rt = proc['rates']
        run.check(f'stat_watch: round {i + 1}: frames and bytes follow the datagrams',
                  abs(rt['frames_sent'] - rt['dgrams_sent']) * secs <= 2.01 and
                  abs(rt['bytes_sent'] - 4 * rt['dgrams_sent']) * secs <= 8.01, str(rt))

    # the sender holds: its counters no longer change
    one = stat('--json', str(p.pid))
    txt = stat(str(p.pid))
    try:
        d = json.loads(one.stdout)
        proc = d['processes'][0]
        want = text_blocks(txt.stdout)
        got = dict(proc['counters'])
        got.update({f'kernel.{k}': v for k, v in proc['kernel'].items() if v})
        got.update({f'errno.{k}': v for k, v in proc['errnos'].items()})
        run.check('stat_watch: --json parses and says what the text report says',
                  one.returncode == 0 and got == want and proc['counters']['dgrams_sent'] ==
                  int(log[-1][1]) and proc['kernel']['not_unicast'] == 1 and
                  proc['errnos'] == {'EMSGSIZE': 1}, f'{got} vs {want}')
    except (ValueError, KeyError, IndexError) as e:
        run.check('stat_watch: --json parses', False, f'{e}: {one.stdout[:300]} {one.stderr}')

    p2, ok = start_sender(run, a, run.path('rate2.log'), seconds=0.2, hold=4)
    lots = stat('--all', '--json')
    try:
        pids = {x['pid'] for x in json.loads(lots.stdout)['processes']}
    except (ValueError, KeyError) as e:
        pids = set()
        print(e, lots.stdout[:300])
    run.check('stat_watch: --all lists both senders', ok and {p.pid, p2.pid} <= pids,
              f'{pids} {lots.stderr}')
    bad = stat('--all', str(p.pid))
    run.check('stat_watch: --all with a PID is a usage error', bad.returncode == 2 and
              bad.stderr.startswith('shim-stat: --all reads every process'), bad.stderr)

    # --watch on a PID ends by itself when the process ends
    t0 = time.monotonic()
    w = stat('--watch', '--json', '-i', '0.5', str(p2.pid), timeout=30)
    lines = w.stdout.splitlines()
    last = json.loads(lines[-1])['processes'][0] if lines else {}
    run.check('stat_watch: --watch PID ends when the process ends, its last round marked ended',
              w.returncode == 0 and last.get('ended') is True and time.monotonic() - t0 < 15,
              w.stdout[-300:] + w.stderr)
    p.wait(timeout=30)
    p2.wait(timeout=30)


main('statw', body)
