#!/usr/bin/env python3
"""Compare libshim's SHIM_TRACE=calls output with strace's for the same program.

An LD_PRELOAD library sees the calls a program makes through libc's exported functions; strace also
sees the ones glibc and the dynamic loader make through internal aliases (rtld's close of each
library it maps, stdio's write). So the rules are:
  1. every line the shim printed is a line strace printed, in the same order (a subsequence);
  2. every line strace printed about a UDP/IPv4-or-other socket the program created (socket(), and
     any call whose first argument is one of those fds, followed through dup/fcntl/close) is a line
     the shim printed: nothing on the network path is missing;
  3. with --exact-after LINE: from the first occurrence of LINE on, both traces are identical
     (for test programs that make no libc-internal calls after main starts).
Prints the differences and exits 1 if any rule fails.
"""
import argparse
import re
import sys

GETNAME_PORT_RE = re.compile(r'(sin6?_port=)htons\(\d+\)')
CALL_RE = re.compile(r'^(?P<name>[a-z_0-9]+)\((?P<args>.*)\)\s+= (?P<ret>.*)$')
FD_CALLS = {'connect', 'bind', 'close', 'dup', 'dup2', 'dup3', 'fcntl', 'sendto', 'sendmsg',
            'sendmmsg', 'write', 'writev', 'setsockopt', 'getsockopt', 'getsockname',
            'getpeername', 'shutdown'}


def read_lines(path):
    out = []
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('+++ ') or line.startswith('--- ') or line.startswith('libshim: '):
                continue
            if line.startswith(('getsockname(', 'getpeername(')):
                # the port the kernel picked at autobind differs from run to run
                line = GETNAME_PORT_RE.sub(r'\1htons(*)', line)
            out.append(line)
    return out


def first_int(args):
    m = re.match(r'\s*(-?\d+)', args)
    return int(m.group(1)) if m else None


def ret_int(ret):
    m = re.match(r'(-?\d+)', ret)
    return int(m.group(1)) if m else None


def socket_lines(lines):
    """The lines about sockets the program made, following fds through dup and close."""
    live, picked = set(), []
    for line in lines:
        m = CALL_RE.match(line)
        if not m:
            continue
        name, args, ret = m.group('name'), m.group('args'), ret_int(m.group('ret'))
        fd = first_int(args)
        if name == 'socket':
            picked.append(line)
            if ret is not None and ret >= 0:
                live.add(ret)
            continue
        if name == 'close_range':
            nums = [int(x) for x in re.findall(r'\d+', args)[:2]]
            if any(nums[0] <= s <= nums[1] for s in live):
                picked.append(line)
                if ret == 0 and 'CLOSE_RANGE_CLOEXEC' not in args:
                    live = {s for s in live if not nums[0] <= s <= nums[1]}
            continue
        if name not in FD_CALLS or fd not in live:
            # dup2/dup3 onto a socket fd closes that socket
            if name in ('dup2', 'dup3') and ret is not None and ret in live:
                live.discard(ret)
            continue
        picked.append(line)
        if name == 'close' and (ret == 0 or 'EBADF' not in m.group('ret')):
            live.discard(fd)
        elif name in ('dup', 'dup2', 'dup3') and ret is not None and ret >= 0:
            live.add(ret)
        elif name == 'fcntl' and re.match(r'\s*\d+, F_DUPFD', args) and ret is not None and ret >= 0:
            live.add(ret)
    return picked


def is_subsequence(small, big):
    """Returns (True, None) or (False, index in small of the first line not found in order)."""
    j = 0
    for i, line in enumerate(small):
        while j < len(big) and big[j] != line:
            j += 1
        if j == len(big):
            return False, i
        j += 1
    return True, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('strace_out')
    ap.add_argument('shim_out')
    ap.add_argument('--exact-after', help='from this line on, the traces must be identical')
    ap.add_argument('--name', default='program')
    a = ap.parse_args()

    st, sh = read_lines(a.strace_out), read_lines(a.shim_out)
    ok = True
    if not sh:
        print(f'{a.name}: the shim printed no trace lines')
        ok = False

    good, idx = is_subsequence(sh, st)
    if not good:
        ok = False
        print(f'{a.name}: shim line {idx + 1} is not in the strace output (in order):')
        print(f'  shim:   {sh[idx]}')
        near = [l for l in st if l.split('(')[0] == sh[idx].split('(')[0]][:5]
        for l in near:
            print(f'  strace: {l}')

    st_sock, sh_sock = socket_lines(st), socket_lines(sh)
    if st_sock != sh_sock:
        ok = False
        print(f'{a.name}: the socket calls differ (strace {len(st_sock)} lines, shim {len(sh_sock)}):')
        for i in range(max(len(st_sock), len(sh_sock))):
            x = st_sock[i] if i < len(st_sock) else '<none>'
            y = sh_sock[i] if i < len(sh_sock) else '<none>'
            if x != y:
                print(f'  strace: {x}\n  shim:   {y}')
                break

    if a.exact_after:
        try:
            st_tail = st[st.index(a.exact_after):]
            sh_tail = sh[sh.index(a.exact_after):]
        except ValueError:
            print(f'{a.name}: marker line {a.exact_after!r} missing')
            ok = False
        else:
            if st_tail != sh_tail:
                ok = False
                for i in range(max(len(st_tail), len(sh_tail))):
                    x = st_tail[i] if i < len(st_tail) else '<none>'
                    y = sh_tail[i] if i < len(sh_tail) else '<none>'
                    if x != y:
                        print(f'{a.name}: line {i + 1} after the marker differs:\n'
                              f'  strace: {x}\n  shim:   {y}')
                        break

    print(f'{a.name}: {"same as strace" if ok else "DIFFERS from strace"} '
          f'({len(sh)} shim lines, {len(st)} strace lines, {len(st_sock)} socket lines)')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
