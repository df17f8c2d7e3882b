#!/usr/bin/env python3
"""tools.shim_run_flags: shim-run's command line. --help names every option and its variable;
unknown options, missing or bad values and a missing program are refused with one clear line
(exit 2); a program is found by path or on PATH, options become the SHIM_* variables and
LD_PRELOAD names the library shim-run was built with (absolute paths, so a program that changes
directory keeps them); programs that cannot take LD_PRELOAD (statically linked, setuid, with file
capabilities) are named in a warning and still run with their own exit status.

  run_flags.py SHIM_RUN STATIC_PROGRAM LIBSHIM"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import main, shim_env  # noqa: E402

SHIM_RUN = os.path.abspath(sys.argv[1])
STATIC = os.path.abspath(sys.argv[2])
LIB = os.path.realpath(sys.argv[3])


def sr(*args, cwd=None, env=None, user=None):
    argv = [SHIM_RUN, *args]
    if user:
        argv = ['setpriv', '--reuid', str(user), '--regid', str(user), '--clear-groups', '--',
                *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=cwd,
                          env=env or shim_env())


def env_of(out):
    return dict(line.split('=', 1) for line in out.splitlines() if '=' in line)


def body(run):
    h = sr('--help')
    names = ['--trace[=calls|path]', 'SHIM_TRACE', '--trace-file FILE', 'SHIM_TRACE_FILE',
             '--pcap FILE', 'SHIM_PCAP', '--stats', 'SHIM_STATS=1', '--passthrough',
             'SHIM_MODE=passthrough', '--mode MODE', '--unprivileged', 'SHIM_PRIV_FDS',
             '--library FILE', 'SHIM_LIBRARY', 'SHIM_PRELOAD_PREFIX', f'library: {LIB}']
    run.check('flags: --help lists every option with its variable, and the library in use',
              h.returncode == 0 and all(n in h.stdout for n in names),
              str([n for n in names if n not in h.stdout]))

    refused = [
        (['--bogus', 'true'], "shim-run: unknown option '--bogus' (shim-run --help lists the "
         "options)"),
        (['-x', 'true'], "shim-run: unknown option '-x' (shim-run --help lists the options)"),
        (['--pcap'], 'shim-run: --pcap needs a value (shim-run --help lists the options)'),
        (['--pcap', '--stats', 'true'], "shim-run: --pcap needs a value (got the option "
         "'--stats') (shim-run --help lists the options)"),
        (['--trace-file='], 'shim-run: --trace-file needs a non-empty value (shim-run --help '
         'lists the options)'),
        (['--mode', 'fast', 'true'], 'shim-run: --mode fast: the mode is bypass or passthrough '
         '(shim-run --help lists the options)'),
        (['--trace=everything', 'true'], 'shim-run: --trace=everything: the value is one of '
         'calls, path, off (shim-run --help lists the options)'),
        (['--stats=yes', 'true'], 'shim-run: --stats takes no value (shim-run --help lists the '
         'options)'),
        (['--stats'], 'shim-run: no program given (usage: shim-run [options] [--] program '
         '[args...]) (shim-run --help lists the options)'),
    ]
    bad = []
    for args, msg in refused:
        r = sr(*args)
        if r.returncode != 2 or r.stderr.strip() != msg or r.stdout:
            bad.append(f'{args}: rc={r.returncode} {r.stderr.strip()!r}')
    run.check('flags: bad options are refused with one clear line and status 2', not bad,
              '; '.join(bad))

    tmp = run.work
    plain = os.path.join(tmp, 'plain')
    open(plain, 'w').write('not a program\n')
    cases = [
        (['no-such-program-xyz'], 127, "shim-run: 'no-such-program-xyz': not found on PATH"),
        (['./no-such-file'], 127, "shim-run: './no-such-file': no such file"),
        ([tmp], 126, f"shim-run: '{tmp}' is a directory"),
        ([plain], 126, f"shim-run: '{plain}' is not executable"),
        (['--library', '/nonexistent/libshim.so', 'true'], 1,
         "shim-run: library '/nonexistent/libshim.so' not found"),
    ]
    bad = []
    for args, rc, msg in cases:
        r = sr(*args)
        if r.returncode != rc or r.stderr.strip() != msg:
            bad.append(f'{args}: rc={r.returncode} {r.stderr.strip()!r}')
    run.check('flags: programs that cannot be run are named (127, 126), a missing library too',
              not bad, '; '.join(bad))

    lone = os.path.join(tmp, 'lone')
    os.mkdir(lone)
    shutil.copy(SHIM_RUN, lone)
    env = shim_env()
    env.pop('SHIM_LIBRARY', None)
    r = subprocess.run([os.path.join(lone, 'shim-run'), 'true'], capture_output=True, text=True,
                       env=env)
    run.check('flags: a shim-run with no library to find says where it looked',
              r.returncode == 1 and r.stderr.startswith('shim-run: cannot find libshim.so '
                                                        f'(looked for: {lone}/libshim.so'),
              r.stderr)

    # options become the environment; by PATH and by path; relative files made absolute
    sub = os.path.join(tmp, 'sub')
    os.mkdir(sub)
    r = sr('--trace=path', '--trace-file', 't.log', '--pcap', 'c.pcapng', '--stats', '--mode',
           'passthrough', 'env', cwd=sub)
    e = env_of(r.stdout)
    preload = e.get('LD_PRELOAD', '').split()
    run.check('flags: options set SHIM_TRACE, SHIM_TRACE_FILE, SHIM_PCAP, SHIM_STATS, SHIM_MODE '
              'and LD_PRELOAD (program found on PATH)',
              r.returncode == 0 and preload[-1:] == [LIB] and e.get('SHIM_TRACE') == 'path' and
              e.get('SHIM_TRACE_FILE') == f'{sub}/t.log' and
              e.get('SHIM_PCAP') == f'{sub}/c.pcapng' and e.get('SHIM_STATS') == '1' and
              e.get('SHIM_MODE') == 'passthrough' and os.path.exists(f'{sub}/c.pcapng'),
              f'rc={r.returncode} {r.stderr} {e}')
    r = sr('--passthrough', '--', '/usr/bin/env')
    e = env_of(r.stdout)
    run.check('flags: program given by path after --; --passthrough',
              r.returncode == 0 and e.get('SHIM_MODE') == 'passthrough' and
              e.get('LD_PRELOAD', '').split()[-1:] == [LIB], r.stderr)
    # the settings of coalescing, the fast path and the ring (issue 15)
    keys = ('SHIM_COALESCE', 'SHIM_COALESCE_FRAMES', 'SHIM_COALESCE_USEC', 'SHIM_COALESCE_GSO',
            'SHIM_FASTPATH', 'SHIM_TX_RING', 'SHIM_UFO', 'SHIM_ROUTE_BPF', 'SHIM_DEV',
            'SHIM_ERR_RING')
    clean = shim_env()
    for k in keys:
        clean.pop(k, None)
    no = [None] * 5
    for args, want in ((['--coalesce=16,20', '--no-coalesce-gso', '--no-fastpath', '--no-tx-ring',
                         '--no-ufo', '--no-route-bpf', '--dev', 'af_xdp', '--no-err-ring'],
                        ['1', '16', '20', '0', '0', '0', '0', '0', 'af_xdp', '0']),
                       (['--coalesce'], ['1', None, None] + no + [None, None]),
                       (['--coalesce=,300'], ['1', None, '300'] + no + [None, None]),
                       (['--coalesce=64'], ['1', '64', None] + no + [None, None]),
                       (['--dev=packet'], [None] * 8 + ['packet', None])):
        r = sr('--passthrough', *args, 'env', env=clean)
        e = env_of(r.stdout)
        run.check(f'flags: {" ".join(args)} sets {", ".join(f"{k}={v}" for k, v in zip(keys, want) if v)}',
                  r.returncode == 0 and [e.get(k) for k in keys] == want,
                  f'{r.stderr} {[e.get(k) for k in keys]}')
    for bad, msg in (('--coalesce=0', '--coalesce=0: FRAMES is a number from 1 to 64'),
                     ('--coalesce=65', '--coalesce=65: FRAMES is a number from 1 to 64'),
                     ('--coalesce=8,0', '--coalesce=8,0: USEC is a number from 1 to 1000000'),
                     ('--coalesce=8,1000001',
                      '--coalesce=8,1000001: USEC is a number from 1 to 1000000'),
                     ('--coalesce=', '--coalesce=: give FRAMES, FRAMES,USEC or ,USEC'),
                     ('--no-fastpath=1', '--no-fastpath takes no value'),
                     ('--no-err-ring=1', '--no-err-ring takes no value'),
                     ('--dev=xdp', '--dev xdp: the device is packet or af_xdp')):
        r = sr(bad, 'true')
        run.check(f'flags: {bad} is a usage error',
                  r.returncode == 2 and r.stderr == f'shim-run: {msg} (shim-run --help lists '
                  'the options)\n', f'rc={r.returncode} {r.stderr!r}')
    r = sr('--trace', 'sh', '-c', 'echo "$0 $1 $SHIM_TRACE"; exit 7', 'zero', 'one')
    run.check('flags: arguments and the exit status pass through; --trace alone means calls',
              r.returncode == 7 and r.stdout.strip() == 'zero one calls',
              f'rc={r.returncode} {r.stdout!r}')

    # programs LD_PRELOAD cannot reach
    r = sr('--passthrough', STATIC)
    run.check('flags: a statically linked program: a clear warning, and it runs',
              r.returncode == 3 and r.stdout == 'static hello\n' and
              r.stderr.strip() == f"shim-run: warning: '{STATIC}' is statically linked: "
              'LD_PRELOAD cannot apply to it, so it runs without the shim (its datagrams go '
              'through the kernel)', f'rc={r.returncode} {r.stderr!r}')
    script = os.path.join(tmp, 'via-static')
    open(script, 'w').write(f'#!{STATIC}\n')
    os.chmod(script, 0o755)
    r = sr('--passthrough', script)
    run.check('flags: a script whose interpreter is static: named too',
              r.returncode == 3 and f"'{script}' (a script run by {STATIC}) is statically "
              'linked' in r.stderr, r.stderr)
    r = sr('--passthrough', 'true')
    run.check('flags: a dynamic program: no warning', r.returncode == 0 and r.stderr == '',
              r.stderr)

    os.chmod(tmp, 0o755)
    suid = os.path.join(tmp, 'suid-true')
    shutil.copy('/usr/bin/true', suid)
    os.chmod(suid, 0o4755)
    capped = os.path.join(tmp, 'cap-true')
    shutil.copy('/usr/bin/true', capped)
    os.chmod(capped, 0o755)
    subprocess.run(['setcap', 'cap_net_raw+ep', capped], check=True)
    r1 = sr('--passthrough', suid, user=65534)
    r2 = sr('--passthrough', capped, user=65534)
    run.check('flags: setuid and setcap programs: a clear warning, and they run',
              r1.returncode == 0 and r1.stderr.strip() ==
              f"shim-run: warning: '{suid}' is setuid: the loader runs it in secure-execution "
              'mode and ignores LD_PRELOAD, so it runs without the shim' and
              r2.returncode == 0 and r2.stderr.strip() ==
              f"shim-run: warning: '{capped}' has file capabilities (cap_net_raw=ep): the "
              'loader runs it in secure-execution mode and ignores LD_PRELOAD, so it runs '
              'without the shim', f'{r1.stderr!r} {r2.stderr!r}')
    r = sr('true', user=65534)
    run.check('flags: bypass mode without CAP_NET_RAW: shim-run points to --unprivileged',
              r.returncode == 0 and 'shim-run: warning: you hold no CAP_NET_RAW' in r.stderr and
              'shim-run --unprivileged' in r.stderr, r.stderr)


if __name__ == '__main__':
    main('flags', body)
