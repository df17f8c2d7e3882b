#!/usr/bin/env python3
"""tools.man: the manual pages, the --help texts and the README say what the code does, from the
one source (docs/man/settings.txt).

- every SHIM_* variable the code reads (a "SHIM_..." string in src/, preload/, tools/, include/,
  or a SHIM_ variable in scripts/shim-run) is documented, and every documented one is read;
- every hand-off reason the counters name (src/core/stats.c) is documented, and no other;
- `gen-doc check`: README.md, scripts/shim-run and tools/*.c hold what settings.txt makes;
- the built tools' --help print the generated option blocks;
- build/pkgconfig/libshim-uninstalled.pc gives the build tree's library as `preload`;
- each page renders with `man --warnings -l` and `groff -ww` without a warning, has its sections,
  and names every variable and option it must.

  run_man.py BUILD_DIR"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import TOP, main  # noqa: E402

BUILD = os.path.abspath(sys.argv[1])
GEN = os.path.join(TOP, 'docs', 'man', 'gen-doc')
PAGES = {'shim-run.1': ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'ENVIRONMENT',
                        'EXIT STATUS', 'EXAMPLES', 'SEE ALSO'],
         'shim-stat.1': ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS', 'SEE ALSO'],
         'shim-netraw.8': ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'SECURITY',
                           'EXIT STATUS', 'SEE ALSO'],
         'libshim.7': ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'ENVIRONMENT', 'WHAT IS INTERCEPTED',
                       'WHAT GOES TO THE KERNEL, AND WHY', 'SECURITY MODEL', 'EXIT STATUS',
                       'FILES', 'SEE ALSO']}


def gen(*args):
    r = subprocess.run(['/usr/bin/python3', GEN, *args], capture_output=True, text=True,
                       timeout=60)
    return r.returncode, r.stdout, r.stderr


def code_variables():
    """The SHIM_* variables the code reads."""
    found = {}
    for sub in ('src', 'preload', 'tools', 'include'):
        for dirpath, _, files in os.walk(os.path.join(TOP, sub)):
            for f in files:
                if not f.endswith(('.c', '.h')):
                    continue
                path = os.path.join(dirpath, f)
                for m in re.finditer(r'"(SHIM_[A-Z0-9_]+)"', open(path, errors='replace').read()):
                    found.setdefault(m.group(1), os.path.relpath(path, TOP))
    script = open(os.path.join(TOP, 'scripts', 'shim-run')).read()
    for m in re.finditer(r'\$\{?(SHIM_[A-Z0-9_]+)', script):
        found.setdefault(m.group(1), 'scripts/shim-run')
    return found


def render(page):
    env = dict(os.environ, LC_ALL='C.UTF-8', MANWIDTH='80')
    r = subprocess.run(['man', '--warnings', '-l', page], capture_output=True, text=True, env=env,
                       timeout=60)
    g = subprocess.run(['groff', '-man', '-ww', '-z', '-Tutf8', page], capture_output=True,
                       text=True, timeout=60)
    return r.stdout, (r.stderr + g.stderr).strip()


def body(run):
    rc, out, err = gen('variables')
    documented = set(out.split())
    in_code = code_variables()
    run.check('man: every SHIM_* variable the code reads is in docs/man/settings.txt',
              rc == 0 and set(in_code) <= documented,
              ', '.join(f'{v} ({in_code[v]})' for v in sorted(set(in_code) - documented)) + err)
    run.check('man: every variable settings.txt documents is read by the code',
              documented <= set(in_code), ', '.join(sorted(documented - set(in_code))))

    # every setting of the library has its shim-run option (issue 15: shim-run covers them all)
    out = open(os.path.join(TOP, 'docs', 'man', 'settings.txt')).read()
    unset = [m.group(1) for m in re.finditer(r'^Variable: (\S+)\nRead-by: library\n(?:(?!\n\n).)*',
                                             out, re.M | re.S) if '\nSet-by: ' not in m.group(0)]
    run.check('man: every variable of the library names the shim-run option that sets it (Set-by)',
              not unset, ', '.join(unset))

    stats_c = open(os.path.join(TOP, 'src', 'core', 'stats.c')).read()
    code_reasons = re.findall(r'\[KR_[A-Z0-9_]+\] = \{"([a-z0-9_]+)"', stats_c)
    rc, out, err = gen('reasons')
    run.check('man: the hand-off reasons documented are those src/core/stats.c counts',
              code_reasons and out.split() == code_reasons, f'{out.split()} vs {code_reasons}')

    rc, out, err = gen('check')
    run.check('man: README.md, scripts/shim-run and tools/*.c hold what settings.txt makes '
              '(gen-doc check)', rc == 0, out + err)

    for tool, path in (('shim-run', os.path.join(BUILD, 'shim-run')),
                       ('shim-stat', os.path.join(BUILD, 'shim-stat')),
                       ('shim-netraw', os.path.join(BUILD, 'shim-netraw'))):
        rc, block, err = gen('help', tool)
        h = subprocess.run([path, '--help'], capture_output=True, text=True, timeout=30)
        run.check(f'man: {tool} --help prints the options of settings.txt',
                  rc == 0 and h.returncode == 0 and block.strip() and block in h.stdout,
                  h.stdout[:400] + h.stderr)

    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(BUILD, 'pkgconfig'))
    pc = subprocess.run(['pkg-config', '--variable=preload', 'libshim'], capture_output=True,
                        text=True, env=env, timeout=30)
    run.check('man: in the build tree, pkg-config --variable=preload libshim (the uninstalled .pc) '
              'names build/libshim.so', pc.returncode == 0 and
              os.path.realpath(pc.stdout.strip()) == os.path.realpath(os.path.join(BUILD,
                                                                                  'libshim.so')),
              pc.stdout + pc.stderr)

    readme = open(os.path.join(TOP, 'README.md')).read()
    for v in sorted(documented):
        if not run.check(f'man: README.md documents {v}', f'`{v}`' in readme):
            break

    for page, sections in PAGES.items():
        path = os.path.join(BUILD, 'man', page)
        text, warnings = render(path)
        heads = [ln.strip() for ln in text.splitlines() if ln and not ln[0].isspace()]
        run.check(f'man: {page} renders without warnings', text and not warnings, warnings[:800])
        run.check(f'man: {page} has its sections', all(s in heads for s in sections),
                  f'missing {[s for s in sections if s not in heads]}')
        flat = ' '.join(text.replace('\u2010\n', '').replace('-\n', '-').split())
        if page == 'libshim.7':
            rc, out, _ = gen('variables', 'library')
            must = out.split() + code_reasons + gen('interposed')[1].split()
        elif page == 'shim-run.1':
            rc, out, _ = gen('help', 'shim-run')
            must = re.findall(r'^  (--?[a-z][-a-z]*)', out, re.M)
            must += gen('variables', 'shim-run')[1].split()
        else:
            rc, out, _ = gen('help', page.split('.')[0])
            must = re.findall(r'^  (--?[a-z][-a-z]*)', out, re.M)
        missing = [m for m in must if m not in flat]
        run.check(f'man: {page} names every variable, option and reason it must ({len(must)})',
                  must and not missing, f'missing {missing}')


main('man', body)
