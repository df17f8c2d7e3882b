#!/usr/bin/env python3
"""tools.package: the Debian package builds (scripts/package, lintian clean but for the explained
overrides), installs with dpkg, works from its installed paths, and is removed without a trace.

The install goes into a throwaway root: an overlay of / in a private mount namespace (its upper
layer a tmpfs), chrooted into, so dpkg, its database, setcap and man are the machine's own but
nothing reaches the machine. In it: dpkg -i runs the postinst (shim-netraw gets cap_net_raw+ep),
`man` renders the four pages, `pkg-config --variable=preload libshim` names the installed library,
the installed shim-run sends datagrams from namespace A of a pair the test makes (B receives them,
the path trace shows the shim's transmit), as root and as an unprivileged user through the helper;
then dpkg -P, after which nothing the package put anywhere is left (only dpkg's own records).

  run_package.py BUILD_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PYTHON, TOP, in_ns, main, wait_for  # noqa: E402

BUILD = os.path.abspath(sys.argv[1])
B_SIDE = os.path.join(HERE, 'b_side.py')
COUNT = 20

# Runs as root in a private mount namespace: $ROOT is the overlay, $UPPER its upper layer.
INSIDE = r'''
set -u
mount --make-rprivate /
mount -t tmpfs -o mode=0755 h7pkg "$LAYER"
mkdir "$LAYER/upper" "$LAYER/work" "$LAYER/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$LAYER/upper,workdir=$LAYER/work" "$LAYER/root"
ROOT=$LAYER/root
for m in proc sys dev run tmp; do mount --rbind "/$m" "$ROOT/$m"; done
in_root() { chroot "$ROOT" "$@"; }
echo "== dpkg -i"
in_root dpkg -i "$DEB" 2>&1; echo "rc.install=$?"
echo "getcap=$(in_root getcap /usr/libexec/libshim/shim-netraw)"
echo "preload=$(in_root pkg-config --variable=preload libshim)"
echo "shim_run_pc=$(in_root pkg-config --variable=shim_run libshim)"
for page in shim-run shim-stat shim-netraw libshim; do
	path=$(in_root man -w "$page" 2>&1)
	warn=$(in_root env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$path" 2>&1 >/dev/null)
	lines=$(in_root env LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$path" 2>/dev/null | wc -l)
	echo "man.$page=$path lines=$lines warnings=[$warn]"
done
echo "== as root"
nsenter --net="/run/netns/$NS_A" chroot "$ROOT" /usr/bin/shim-run --stats --trace=path \
	--trace-file "$WORK/root.trace" "$PYTHON" -c "$SENDER" root 2>&1
echo "rc.root=$?"
echo "== unprivileged"
nsenter --net="/run/netns/$NS_A" chroot "$ROOT" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups /usr/bin/shim-run --unprivileged --trace=path --trace-file "$WORK/nobody.trace" \
	"$PYTHON" -c "$SENDER" nobody 2>&1
echo "rc.nobody=$?"
echo "== shim-stat"
in_root /usr/bin/shim-stat --help >/dev/null; echo "rc.stat_help=$?"
echo "== dpkg -P"
in_root dpkg -P libshim 2>&1; echo "rc.purge=$?"
echo "status=$(in_root dpkg-query -W -f='${db:Status-Abbrev}' libshim 2>&1)"
echo "== left"
# what the package left in the throwaway root, besides dpkg's own records, logs and caches
(cd "$LAYER/upper" && find . -mindepth 1 \( -path ./var/lib/dpkg -o -path ./var/log \
	-o -path ./var/cache -o -path ./tmp -o -path ./run \) -prune -o -printf '%y %P\n')
echo "== end"
'''

# The sender: COUNT datagrams to B, then what it saw of its own process.
SENDER = r'''
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(%d):
    s.sendto(b"%%s %%d" %% (sys.argv[1].encode(), i), ("192.0.2.2", 9000))
caps = {l.split(":")[0]: l.split()[1] for l in open("/proc/self/status") if l.startswith("Cap")}
print("sender", sys.argv[1], "LD_PRELOAD=" + os.environ.get("LD_PRELOAD", ""), "CapEff=" + caps["CapEff"])
''' % COUNT


def field(out, key):
    m = re.search(rf'^{re.escape(key)}=(.*)$', out, re.M)
    return m.group(1) if m else None


def body(run):
    os.chmod(run.work, 0o755)
    pkg = subprocess.run([os.path.join(TOP, 'scripts', 'package'), '--build-dir',
                          os.path.join(BUILD, 'package')], capture_output=True, text=True,
                         timeout=900)
    deb = pkg.stdout.strip().splitlines()[-1] if pkg.stdout.strip() else ''
    if not run.check('package: scripts/package builds the .deb, lintian has no error or warning',
                     pkg.returncode == 0 and deb.endswith('.deb') and os.path.exists(deb),
                     pkg.stderr[-1500:]):
        return
    contents = subprocess.run(['dpkg-deb', '-c', deb], capture_output=True, text=True).stdout
    info = subprocess.run(['dpkg-deb', '-I', deb], capture_output=True, text=True).stdout
    want = ['./usr/bin/shim-run', './usr/bin/shim-stat', './usr/libexec/libshim/shim-netraw',
            '/libshim/libshim.so', '/pkgconfig/libshim.pc', './usr/share/man/man1/shim-run.1.gz',
            './usr/share/man/man1/shim-stat.1.gz', './usr/share/man/man8/shim-netraw.8.gz',
            './usr/share/man/man7/libshim.7.gz', './usr/share/doc/libshim/README.md',
            './usr/share/doc/libshim/copyright', './usr/share/doc/libshim/changelog.Debian.gz',
            # shim-run --selfcheck's battery
            './usr/libexec/libshim/selfcheck/selfcheck', './usr/libexec/libshim/selfcheck/run-diff',
            './usr/libexec/libshim/selfcheck/compare.py',
            './usr/libexec/libshim/selfcheck/netns-pair',
            './usr/libexec/libshim/selfcheck/scenario_runner',
            './usr/libexec/libshim/selfcheck/capture',
            './usr/libexec/libshim/selfcheck/scenarios/sendto_1.scn']
    run.check('package: it holds the library, the tools, the pages, the docs, the selfcheck',
              all(w in contents for w in want),
              ', '.join(w for w in want if w not in contents))
    run.check('package: it depends on libcap2-bin (setcap) and has a postinst',
              re.search(r'^ Depends:.*libcap2-bin', info, re.M) and 'postinst' in info, info)

    pair = run.pair_up()
    b_out = run.path('b.json')
    blog = open(run.path('b.log'), 'w+')
    b = run.spawn(in_ns(f'{pair}-b', [PYTHON, B_SIDE, '--port', '9000', '--count',
                                      str(2 * COUNT), '--timeout', '60', '--out', b_out]),
                  stdout=blog, stderr=subprocess.STDOUT)
    wait_for(lambda: (blog.seek(0), 'ready' in blog.read())[1], 10)
    open(run.path('nobody.trace'), 'w').close()
    os.chmod(run.path('nobody.trace'), 0o666)  # the unprivileged user's trace file
    layer = run.path('layer')
    os.mkdir(layer)
    # the .deb where the throwaway root sees it whatever file system the build tree is on
    # (/tmp is bound into it)
    local_deb = run.path(os.path.basename(deb))
    shutil.copyfile(deb, local_deb)
    env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LAYER': layer, 'DEB': local_deb,
           'WORK': run.work,
           'NS_A': f'{pair}-a', 'PYTHON': PYTHON, 'SENDER': SENDER}
    r = subprocess.run(['unshare', '--mount', '--propagation', 'private', 'bash', '-c', INSIDE],
                       capture_output=True, text=True, env=env, timeout=300)
    out = r.stdout + r.stderr
    print(out[-4000:])
    b.wait(timeout=70)
    recv = json.load(open(b_out))['datagrams'] if os.path.exists(b_out) else []

    run.check('package: dpkg -i installs it', field(out, 'rc.install') == '0', out[:1500])
    run.check('package: the postinst gave shim-netraw cap_net_raw+ep',
              'cap_net_raw=ep' in (field(out, 'getcap') or ''), field(out, 'getcap'))
    preload = field(out, 'preload') or ''
    run.check('package: pkg-config --variable=preload libshim names the installed library',
              re.fullmatch(r'/usr/lib/[^/]+/libshim/libshim\.so', preload) and
              field(out, 'shim_run_pc') == '/usr/bin/shim-run', preload)
    for page, sec in (('shim-run', 1), ('shim-stat', 1), ('shim-netraw', 8), ('libshim', 7)):
        line = field(out, f'man.{page}') or ''
        m = re.match(r'(\S+) lines=(\d+) warnings=\[(.*)\]$', line)
        run.check(f'package: man {page} finds /usr/share/man/man{sec}/{page}.{sec}.gz and '
                  'renders it without warnings',
                  m and m.group(1) == f'/usr/share/man/man{sec}/{page}.{sec}.gz' and
                  int(m.group(2)) > 20 and m.group(3) == '', line)

    root_trace = open(run.path('root.trace')).read() if os.path.exists(run.path('root.trace')) \
        else ''
    nobody_trace = open(run.path('nobody.trace')).read() \
        if os.path.exists(run.path('nobody.trace')) else ''
    run.check('package: the installed shim-run preloads the installed library (as root)',
              field(out, 'rc.root') == '0' and
              re.search(rf'^sender root LD_PRELOAD={re.escape(preload)} ', out, re.M), out[-1500:])
    run.check('package: as root, each datagram took the shim\'s transmit, and the report counts them',
              root_trace.count('dev_queue_xmit(veth-a)') + root_trace.count('queued until resolved')
              == COUNT and re.search(rf'dgrams_sent +{COUNT} ', root_trace), root_trace[-1500:])
    run.check('package: an unprivileged user sends through the installed helper, holding no '
              'capability',
              field(out, 'rc.nobody') == '0' and
              re.search(r'^sender nobody LD_PRELOAD=\S+ CapEff=0000000000000000$', out, re.M) and
              nobody_trace.count('dev_queue_xmit(veth-a)') == COUNT, nobody_trace[-1000:])
    got = sorted(bytes.fromhex(d[3]).decode() for d in recv)
    sent = sorted(f'{who} {i}' for who in ('root', 'nobody') for i in range(COUNT))
    run.check(f'package: B received the {2 * COUNT} datagrams', got == sent, str(got[:6]))
    run.check('package: the installed shim-stat runs', field(out, 'rc.stat_help') == '0')
    run.check('package: dpkg -P removes it', field(out, 'rc.purge') == '0' and
              (field(out, 'status') or '').strip() in ('', 'un',
                                                      'dpkg-query: no packages found matching '
                                                      'libshim'), out[-1500:])
    # directories copied up because something beneath them changed are the machine's own
    left = [x.split(' ', 1)[1] for x in
            out.split('== left\n', 1)[-1].split('== end', 1)[0].splitlines()
            if x[:2] != 'd ' or not os.path.isdir('/' + x[2:])]
    run.check('package: nothing of it is left after dpkg -P (but dpkg\'s own records)',
              '== left' in out and '== end' in out and not left, ' '.join(left[:20]))


main('pkg', body)
