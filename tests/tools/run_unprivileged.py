#!/usr/bin/env python3
"""tools.unprivileged: the least-privilege path. The build is installed into a temporary prefix
(`cmake --install`, which gives the installed shim-netraw cap_net_raw+ep); a user created for the
test runs an unmodified python3 through the installed `shim-run --unprivileged` in namespace A.
The program must hold no capability (CapEff, CapPrm, CapInh, CapAmb all zero, NoNewPrivs 1, no
AF_PACKET socket of its own) and its datagrams must still go through the shim (SHIM_TRACE=path
shows dev_queue_xmit) and arrive in B. Without --unprivileged the same user gets the kernel path
and a clear message. The helper's sockets keep their locked filters; without its capability the
helper says what is missing. The user, the namespaces and the prefix are removed at the end.

  run_unprivileged.py BUILD_DIR SHIM_NETRAW"""
import json
import os
import pwd
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PYTHON, in_ns, main, shim_env, wait_for  # noqa: E402

BUILD = os.path.abspath(sys.argv[1])
NETRAW = os.path.abspath(sys.argv[2])
B_SIDE = os.path.join(HERE, 'b_side.py')

PROGRAM = r'''
import json, os, socket
status = dict(l.split(':\t', 1) for l in open('/proc/self/status').read().splitlines()
              if l.startswith(('Cap', 'NoNewPrivs')))
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    packet = 'opened'
except PermissionError:
    packet = 'EPERM'
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for data in (b'unprivileged one', b'u' * 3000, b'unprivileged three'):
    assert s.sendto(data, ('192.0.2.2', 9000)) == len(data)
print(json.dumps({'uid': os.getuid(), 'status': {k: v.strip() for k, v in status.items()},
                  'packet': packet}))
'''

# Run by the helper directly (no libshim): what the inherited sockets allow.
PROBE = r'''
import json, os, socket
fds = dict(x.split(':') for x in os.environ['SHIM_PRIV_FDS'].split(','))
out = {'fds': sorted(fds), 'ld_preload': os.environ.get('LD_PRELOAD', ''),
       'tmpdir': os.environ.get('TMPDIR', '')}
for name in ('packet', 'icmp', 'icmp6'):
    s = socket.socket(fileno=int(fds[name]))
    try:
        s.setsockopt(socket.SOL_SOCKET, 27, 0)  # SO_DETACH_FILTER
        out[name] = 'detached'
    except OSError as e:
        out[name] = os.strerror(e.errno)
    s.detach()
status = dict(l.split(':\t', 1) for l in open('/proc/self/status').read().splitlines()
              if l.startswith(('CapEff', 'CapPrm', 'NoNewPrivs')))
out['status'] = {k: v.strip() for k, v in status.items()}
print(json.dumps(out))
'''


def as_user(user, argv, ns=None, **kw):
    cmd = ['setpriv', '--reuid', user, '--regid', user, '--clear-groups', '--', *argv]
    if ns:
        cmd = in_ns(ns, cmd)
    return subprocess.run(cmd, capture_output=True, text=True, env=shim_env(), timeout=60, **kw)


def body(run):
    os.chmod(run.work, 0o755)
    prefix = run.path('prefix')
    inst = subprocess.run(['cmake', '--install', BUILD, '--prefix', prefix], capture_output=True,
                          text=True, timeout=120)
    helper = os.path.join(prefix, 'libexec', 'libshim', 'shim-netraw')
    shim_run = os.path.join(prefix, 'bin', 'shim-run')
    caps = subprocess.run(['getcap', helper], capture_output=True, text=True).stdout
    installed = open(shim_run).read() if os.path.exists(shim_run) else ''
    if not run.check('unprivileged: cmake --install gives the helper cap_net_raw+ep and tells '
                     'shim-run where things are',
                     inst.returncode == 0 and 'cap_net_raw=ep' in caps and
                     f'installed_library="{prefix}/lib/libshim/libshim.so"' in installed and
                     f'installed_helper="{helper}"' in installed,
                     f'{inst.stdout[-500:]} {inst.stderr[-500:]} getcap: {caps!r}'):
        return

    user = f'shimtest{os.getpid() % 100000}'
    subprocess.run(['userdel', user], capture_output=True)
    subprocess.run(['useradd', '--system', '--user-group', '--no-create-home', '--home-dir',
                    '/nonexistent', '--shell', '/usr/sbin/nologin', user], check=True)

    def remove_user():
        subprocess.run(['userdel', user], capture_output=True)
        subprocess.run(['groupdel', user], capture_output=True)
    run.cleanups.append(remove_user)
    pw = pwd.getpwnam(user)
    udir = run.path('user')
    os.mkdir(udir)
    os.chown(udir, pw.pw_uid, pw.pw_gid)

    pair = run.pair_up('--arp', 'static')
    a = f'{pair}-a'

    def start_b(out, count):
        log = open(out + '.log', 'w+')
        p = run.spawn(in_ns(f'{pair}-b', [PYTHON, B_SIDE, '--port', '9000', '--count',
                                          str(count), '--out', out]),
                      stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: (log.seek(0), 'ready' in log.read())[1], 10)
        return p

    # through the helper
    b_out, trace = run.path('b1.json'), os.path.join(udir, 'trace')
    b = start_b(b_out, 3)
    p = as_user(user, [shim_run, '--unprivileged', '--trace=path', '--trace-file', trace,
                       '--stats', PYTHON, '-c', PROGRAM], ns=a)
    b.wait(timeout=30)
    try:
        out = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        out = {}
    st = out.get('status', {})
    zero = '0000000000000000'
    run.check('unprivileged: the program runs as the new user and holds no capability',
              p.returncode == 0 and out.get('uid') == pw.pw_uid and
              all(st.get(k) == zero for k in ('CapEff', 'CapPrm', 'CapInh', 'CapAmb')) and
              st.get('NoNewPrivs') == '1' and out.get('packet') == 'EPERM',
              f'rc={p.returncode} {out} {p.stderr[-600:]}')
    text = open(trace).read() if os.path.exists(trace) else ''
    paths = [ln for ln in text.splitlines() if ln.startswith('libshim path: __sys_sendto')]
    run.check('unprivileged: its datagrams went through the shim (dev_queue_xmit), '
              'fragments too',
              len(paths) == 3 and all('dev_queue_xmit(veth-a)' in ln for ln in paths) and
              'ip_do_fragment' in paths[1] and 'cannot open an AF_PACKET' not in text,
              text[-800:])
    run.check('unprivileged: the exit report counts them',
              '  dgrams_sent                   3' in text and
              '  bytes_sent                 3034' in text, text[-800:])
    got = json.load(open(b_out))['datagrams'] if os.path.exists(b_out) else []
    run.check('unprivileged: B received the three datagrams',
              sorted(bytes.fromhex(d[3]) for d in got) ==
              sorted([b'unprivileged one', b'u' * 3000, b'unprivileged three']), f'{got}')

    # the same user without the helper: the kernel's path, and a clear message
    b_out, trace = run.path('b2.json'), os.path.join(udir, 'trace2')
    b = start_b(b_out, 3)
    p = as_user(user, [shim_run, '--trace=path', '--trace-file', trace, PYTHON, '-c', PROGRAM],
                ns=a)
    b.wait(timeout=30)
    text = open(trace).read() if os.path.exists(trace) else ''
    run.check('unprivileged: without --unprivileged the user gets the kernel path and is told',
              p.returncode == 0 and 'shim-run --unprivileged runs the program through' in
              p.stderr and 'libshim: cannot open an AF_PACKET socket (Operation not permitted: '
              'CAP_NET_RAW is needed); every call goes to the kernel' in text and
              'dev_queue_xmit' not in text and len(json.load(open(b_out))['datagrams']) == 3,
              f'rc={p.returncode} {p.stderr[-400:]} {text[-400:]}')

    # the helper's sockets: filters locked; privileges gone; variables put back
    p = as_user(user, [helper, '--preload', '', '--env', 'TMPDIR=/tmp/kept', '--', PYTHON, '-c',
                       PROBE], ns=a)
    try:
        out = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        out = {}
    run.check('unprivileged: the helper hands over packet, icmp, icmp6 and tap; the packet, icmp '
              'and icmp6 filters are locked',
              p.returncode == 0 and out.get('fds') == ['icmp', 'icmp6', 'packet', 'tap'] and
              out.get('packet') == 'Operation not permitted' and
              out.get('icmp') == 'Operation not permitted' and
              out.get('icmp6') == 'Operation not permitted' and
              out.get('tmpdir') == '/tmp/kept' and
              out.get('status', {}).get('CapEff') == zero and
              out.get('status', {}).get('NoNewPrivs') == '1',
              f'rc={p.returncode} {out} {p.stderr[-400:]}')
    p = as_user(user, [helper, '--no-tap', '--no-icmp', '--', PYTHON, '-c',
                       'import os; print(os.environ["SHIM_PRIV_FDS"])'], ns=a)
    run.check('unprivileged: --no-tap --no-icmp hand over the packet socket only',
              p.returncode == 0 and p.stdout.startswith('packet:') and ',' not in p.stdout,
              p.stdout + p.stderr)

    nocap = run.path('nocap')
    os.mkdir(nocap)
    shutil.copy(NETRAW, nocap)
    os.chmod(nocap, 0o755)
    p = as_user(user, [os.path.join(nocap, 'shim-netraw'), '--', 'true'], ns=a)
    run.check('unprivileged: a helper without cap_net_raw says what is missing',
              p.returncode == 1 and 'cannot open the packet socket: Operation not permitted; '
              'this helper needs the cap_net_raw file capability (as root: setcap '
              f'cap_net_raw+ep {nocap}/shim-netraw)' in p.stderr, p.stderr)
    p = subprocess.run([helper], capture_output=True, text=True)
    q = subprocess.run([helper, '--bogus', 'x'], capture_output=True, text=True)
    h = subprocess.run([helper, '--help'], capture_output=True, text=True)
    run.check('unprivileged: helper usage errors and --help',
              p.returncode == 2 and 'no program given' in p.stderr and q.returncode == 2 and
              "unknown option '--bogus'" in q.stderr and h.returncode == 0 and
              '--preload LIST' in h.stdout, p.stderr + q.stderr)


if __name__ == '__main__':
    main('unpriv', body)
