#!/usr/bin/env python3
"""tools.summary: `shim-run --summary` counts what a program did. summary_sender (tests/progs) sends
COUNT datagrams, 3 on a closed fd (EBADF), 2 too long (EMSGSIZE), 1 broadcast (handed to the
kernel), then 4 send, 2 write and 3 sendmsg on a connected socket, to namespace B of a pair the test
makes. The same program runs natively under `strace -c -f`: the calls and errors of each system
call in the shim's table must be strace's; the shim's own columns (answered by the shim, handed to
the kernel, passed to libc) and the lines under the table must be what the program did. Without
--summary, no table. In passthrough mode every send is passed to libc.

  run_summary.py SHIM_RUN SUMMARY_SENDER"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PYTHON, in_ns, main, shim_env, wait_for  # noqa: E402

SHIM_RUN = os.path.abspath(sys.argv[1])
SENDER = os.path.abspath(sys.argv[2])
B_SIDE = os.path.join(HERE, 'b_side.py')
COUNT = 50
ROW = re.compile(r'^\s*([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d*)\s+(\S+)$')
# the shim's table: % time, seconds, usecs/call, calls, then four columns that may be blank
SHIM_ROW = re.compile(r'^\s*([\d.]+) +([\d.]+) +(\d+) +(\d+)(.{10})(.{10})(.{10})(.{10}) (\S+)$')


def strace_table(text):
    """{syscall: (calls, errors)} of `strace -c` output."""
    rows = {}
    for line in text.splitlines():
        m = ROW.match(line)
        if m and m.group(6) != 'total':
            rows[m.group(6)] = (int(m.group(4)), int(m.group(5) or 0))
    return rows


def shim_table(text):
    """{syscall: dict} of the summary block, and the lines after it."""
    rows, tail, inside = {}, [], False
    for line in text.splitlines():
        if line.startswith('libshim summary, pid'):
            inside = True
            continue
        if not inside:
            continue
        m = SHIM_ROW.match(line)
        if m:
            def num(s):
                return int(s.strip() or 0)
            rows[m.group(9)] = {'pct': float(m.group(1)), 'usecs': int(m.group(3)),
                                'calls': int(m.group(4)), 'errors': num(m.group(5)),
                                'shim': num(m.group(6)), 'kernel': num(m.group(7)),
                                'libc': num(m.group(8))}
        elif line.startswith('  '):
            tail.append(line.strip())
        elif rows and not line.startswith(('-', '%')):
            inside = False
    return rows, tail


def body(run):
    pair = run.pair_up()
    a, b = f'{pair}-a', f'{pair}-b'
    b_out = run.path('b.json')
    blog = open(run.path('b.log'), 'w+')
    # a receiver in B, so that the connected socket gets no ICMP port unreachable (ended by pid
    # at the end)
    run.spawn(in_ns(b, [PYTHON, B_SIDE, '--port', '9000', '--count', '100000',
                        '--timeout', '120', '--out', b_out]),
                      stdout=blog, stderr=subprocess.STDOUT)
    wait_for(lambda: (blog.seek(0), 'ready' in blog.read())[1], 10)
    argv = [SENDER, '192.0.2.2', '192.0.2.255', str(COUNT)]

    native = subprocess.run(in_ns(a, ['strace', '-c', '-f', '-o', run.path('strace.txt'),
                                      *argv]), capture_output=True, text=True, timeout=60,
                            env=shim_env())  # (an ASan build's leak check cannot run under ptrace)
    want = strace_table(open(run.path('strace.txt')).read())
    run.check('summary: the program does what it should natively (strace -c)',
              native.returncode == 0 and want.get('sendto') == (COUNT + 10, 5), f'{want} '
              f'{native.stderr}')

    r = subprocess.run(in_ns(a, [SHIM_RUN, '--summary', *argv]), capture_output=True, text=True,
                       timeout=60, env=shim_env())
    rows, tail = shim_table(r.stderr)
    run.check('summary: the program does what it should under the shim, and prints one table',
              r.returncode == 0 and r.stderr.count('libshim summary, pid') == 1, r.stderr[-2000:])
    print(r.stderr)
    for call in ('sendto', 'sendmsg', 'socket', 'connect', 'setsockopt', 'dup'):
        got = rows.get(call, {})
        run.check(f'summary: {call}: calls and errors as strace -c counts them natively '
                  f'({want.get(call)})',
                  want.get(call) and (got.get('calls'), got.get('errors')) == want[call],
                  f'{got} vs {want.get(call)}')
    # write: strace also counts libc's own writes (stdio); the program's are 2
    run.check('summary: write: the 2 calls of the program', rows.get('write', {}).get('calls') == 2,
              str(rows.get('write')))
    s = rows.get('sendto', {})
    run.check('summary: sendto: answered by the shim (sent, and the 2 EMSGSIZE), 1 handed to the '
              'kernel (broadcast), 3 passed to libc (closed fd)',
              (s.get('shim'), s.get('kernel'), s.get('libc')) == (COUNT + 4 + 2, 1, 3), str(s))
    run.check('summary: sendmsg and write: answered by the shim',
              rows.get('sendmsg', {}).get('shim') == 3 and rows.get('write', {}).get('shim') == 2,
              f"{rows.get('sendmsg')} {rows.get('write')}")
    pct = sum(x['pct'] for k, x in rows.items() if k != 'total')
    run.check('summary: time: the shares add up to 100%, sendto has a time per call',
              99.0 <= pct <= 101.0 and s.get('usecs', 0) >= 0 and 'sendto' in rows, f'{pct}')
    sent = COUNT + 4 + 2 + 3
    run.check('summary: under the table: what the shim sent, its hand-offs and its errors',
              f'sent by the shim: {sent} datagrams, ' in ' '.join(tail) and
              'handed to the kernel socket: 1 (not_unicast 1)' in tail and
              'failed by the shim: 2 (EMSGSIZE 2)' in tail, '\n'.join(tail))

    r = subprocess.run(in_ns(a, [SHIM_RUN, '--stats', *argv]), capture_output=True, text=True,
                       timeout=60, env=shim_env())
    run.check('summary: without --summary, no table', r.returncode == 0 and
              'libshim summary' not in r.stderr and 'libshim statistics' in r.stderr,
              r.stderr[-500:])

    r = subprocess.run(in_ns(a, [SHIM_RUN, '--summary', '--passthrough', *argv]),
                       capture_output=True, text=True, timeout=60, env=shim_env())
    rows, _ = shim_table(r.stderr)
    s = rows.get('sendto', {})
    run.check('summary: in passthrough mode every sendto is passed to libc, and counted as strace '
              'counts it',
              r.returncode == 0 and (s.get('calls'), s.get('errors'), s.get('libc'), s.get('shim'))
              == (COUNT + 10, 5, COUNT + 10, 0), f'{s} {r.stderr[-800:]}')

    r = subprocess.run(in_ns(a, [SHIM_RUN, '--summary', '--trace', '--trace-file',
                                 run.path('t.log'), *argv]),
                       capture_output=True, text=True, timeout=60, env=shim_env())
    text = open(run.path('t.log')).read() if os.path.exists(run.path('t.log')) else ''
    rows, _ = shim_table(text)
    run.check('summary: with --trace too, the table goes to the trace file with the same counts',
              r.returncode == 0 and rows.get('sendto', {}).get('calls') == COUNT + 10 and
              text.count('sendto(') == COUNT + 10, text[-800:])


main('summary', body)
