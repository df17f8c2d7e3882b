#!/usr/bin/env python3
"""tools.pcap: an unmodified python3 runs under `shim-run --pcap` in namespace A; tshark checks the
capture (format, record count, addresses, ports, payloads, checksums with tshark's own
validation, timestamps, the marked hand-offs to the kernel), and every frame the capture says the
shim sent must be, byte for byte, a frame that namespace B received. Then the file must stay
whole with threads and a forked child, with exit() called from a thread, with a fatal signal,
and across exec (one section per process image).

  run_pcap.py SHIM_RUN"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PYTHON, in_ns, main, shim_env, wait_for  # noqa: E402

SHIM_RUN = os.path.abspath(sys.argv[1])
SENDER = os.path.join(HERE, 'send_mix.py')
B_SIDE = os.path.join(HERE, 'b_side.py')
MAC_A, MAC_B, ZERO_MAC = '02:00:00:00:0a:01', '02:00:00:00:0b:02', '00:00:00:00:00:00'

FIELDS = ['frame.number', 'frame.time_epoch', 'frame.comment', 'frame.packet_flags_direction',
          'eth.src', 'eth.dst', 'ip.src', 'ip.dst', 'ip.flags.mf', 'ip.frag_offset',
          'ip.checksum.status', 'udp.srcport', 'udp.dstport', 'udp.length',
          'udp.checksum.status', 'data.data', 'frame.len', 'ipv6.src', 'ipv6.dst', 'ipv6.nxt',
          'ipv6.plen', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more', 'ipv6.fraghdr.ident']


def tshark_fields(path):
    argv = ['tshark', '-r', path, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
            '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f']
    for f in FIELDS:
        argv += ['-e', f]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    rows = [dict(zip(FIELDS, line.split('\t'))) for line in p.stdout.splitlines()]
    err = '\n'.join(line for line in p.stderr.splitlines()
                    if not line.startswith('Running as user "root"'))
    return p.returncode, err, rows


def pcapng_frames(path):
    """Each Enhanced Packet Block's bytes (hex), in file order, read without tshark."""
    import struct
    data = open(path, 'rb').read()
    frames, off = [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from('<II', data, off)
        if blen < 12 or off + blen > len(data):
            raise ValueError(f'bad block at {off}')
        if btype == 6:
            caplen = struct.unpack_from('<I', data, off + 20)[0]
            frames.append(data[off + 28:off + 28 + caplen].hex())
        off += blen
    return frames


def start_b(run, pair, count, out, timeout=20, ipv6=False):
    log = open(run.path('b.log'), 'w+')
    p = run.spawn(in_ns(f'{pair}-b', [PYTHON, B_SIDE, '--port', '9000', '--port', '9001',
                                      '--count', str(count), '--out', out,
                                      '--timeout', str(timeout), *(['--ipv6'] if ipv6 else [])]),
                  stdout=log, stderr=subprocess.STDOUT, text=True)

    def ready():
        log.seek(0)
        return 'ready' in log.read()
    if not wait_for(ready, 10):
        raise RuntimeError('B side did not start')
    return p


def shimmed(pair, args, **kw):
    return subprocess.run(in_ns(f'{pair}-a', [SHIM_RUN, *args]), env=shim_env(),
                          capture_output=True, text=True, **kw)


def case_capture(run):
    pair = run.pair_up()
    cap, exp_path, b_out = run.path('c.pcapng'), run.path('exp.json'), run.path('b.json')
    b = start_b(run, pair, 7, b_out)
    t0 = time.time_ns()
    p = shimmed(pair, ['--pcap', cap, PYTHON, SENDER, 'pcap', '--expect', exp_path], timeout=60)
    t1 = time.time_ns()
    b.wait(timeout=30)
    run.check('pcap: program ran under shim-run --pcap', p.returncode == 0,
              f'rc={p.returncode} {p.stderr[-800:]}')
    if p.returncode != 0:
        return
    exp = json.load(open(exp_path))['records']
    got_b = json.load(open(b_out))

    info = subprocess.run(['capinfos', cap], capture_output=True, text=True).stdout
    run.check('pcap: capinfos says pcapng, Ethernet, nanosecond timestamps',
              'File type:           Wireshark/... - pcapng' in info and
              'File encapsulation:  Ethernet' in info and
              'File timestamp precision:  nanoseconds (9)' in info, info)

    rc, err, rows = tshark_fields(cap)
    run.check('pcap: tshark reads the file without complaint', rc == 0 and err.strip() == '',
              f'rc={rc} {err}')

    # the records, in order
    want = []
    for r in exp:
        if r['kind'] == 'shim':
            want += [dict(r, part=i, of=r['frames']) for i in range(r['frames'])]
        else:
            want.append(r)
    run.check('pcap: record count (frames the shim sent + hand-offs to the kernel)',
              len(rows) == len(want), f'{len(rows)} records, want {len(want)}')

    bad = []
    for i, (row, w) in enumerate(zip(rows, want), 1):
        def expect(field, value):
            if row.get(field, '') != str(value):
                bad.append(f'record {i} {field}={row.get(field)!r}, want {value!r}')
        expect('ip.checksum.status', 1)  # Good
        if int(row.get('frame.packet_flags_direction') or '0', 0) != 2:  # outbound
            bad.append(f'record {i} direction {row.get("frame.packet_flags_direction")!r}')
        expect('ip.dst', w['dst'])
        last = w['kind'] == 'kernel' or w['part'] == w['of'] - 1
        if w['kind'] == 'shim':
            expect('eth.src', MAC_A)
            expect('eth.dst', MAC_B)
            expect('ip.src', w['src'])
            expect('frame.comment', '')
            expect('ip.flags.mf', 1 if not last else 0)
            if row.get('ip.frag_offset') not in (str(w['part'] * 185), str(w['part'] * 1480)):
                bad.append(f'record {i} frag_offset {row.get("ip.frag_offset")}')  # 8-byte units in 4.0
        else:
            expect('eth.src', ZERO_MAC)
            c = row.get('frame.comment', '')
            if not c.startswith(f'libshim: handed to the kernel socket ({w["reason"]}:'):
                bad.append(f'record {i} comment {c!r}')
        if last:  # the datagram (reassembled from its fragments by tshark)
            expect('udp.srcport', w['sport'])
            expect('udp.dstport', w['dport'])
            expect('udp.length', 8 + len(w['payload']) // 2)
            expect('udp.checksum.status', 1)
            expect('data.data', w['payload'])
    run.check('pcap: addresses, ports, fragments, payloads, valid IP and UDP checksums, '
              'marked hand-offs', not bad, '; '.join(bad[:8]))

    ts = [int(r['frame.time_epoch'].replace('.', '')) for r in rows if r['frame.time_epoch']]
    run.check('pcap: nanosecond timestamps within the run, in order',
              len(ts) == len(rows) and all(t0 <= t <= t1 for t in ts) and ts == sorted(ts) and
              any(t % 1000 for t in ts), f'{ts} not in [{t0}, {t1}]')

    raw = pcapng_frames(cap)
    shim_raw = [f for f, r in zip(raw, rows) if not r.get('frame.comment')]
    b_frames = got_b['frames']
    missing = [f[:80] for f in shim_raw if f not in b_frames]
    run.check('pcap: every frame the shim sent is byte for byte a frame B received',
              len(shim_raw) == sum(w['frames'] for w in exp if w['kind'] == 'shim') and
              not missing, f'{len(missing)} not seen in B: {missing[:2]}')
    # the kernel's own frames for the hand-offs: same ports and payload at B
    kernel_ok = True
    for w in (w for w in exp if w['kind'] == 'kernel'):
        udp_tail = (w['sport'].to_bytes(2, 'big') + w['dport'].to_bytes(2, 'big')).hex()
        kernel_ok &= any(udp_tail in f and f.endswith(w['payload']) for f in b_frames)
    run.check('pcap: the kernel sent the handed-off datagrams with those ports and payloads',
              kernel_ok)
    recv = sorted(d[3] for d in got_b['datagrams'])
    run.check('pcap: B received every datagram',
              recv == sorted(w['payload'] for w in exp), f'{len(recv)} received')


def case_ipv6(run):
    """IPv6 frames: the shim's (Ethernet type 0x86dd, IPv6 addresses, next header UDP, payload
    length, a valid UDP checksum; a datagram's fragments with their offsets and one
    identification) byte for byte as B received them, and the datagrams handed to the
    kernel socket recorded as IPv6 frames with their reason (a flow's first: flowlabel); a
    v4-mapped destination's datagram is an IPv4 frame of the shim's (a record of kind 'either'
    may be the shim's frame or a marked hand-off)."""
    pair = run.pair_up('--ipv6', '--arp', 'static')
    cap, exp_path, b_out = run.path('v6.pcapng'), run.path('exp6.json'), run.path('b6.json')
    b = start_b(run, pair, 8, b_out, ipv6=True)
    p = shimmed(pair, ['--pcap', cap, PYTHON, SENDER, 'pcap6', '--expect', exp_path], timeout=60)
    b.wait(timeout=30)
    if not run.check('pcap ipv6: program ran under shim-run --pcap', p.returncode == 0,
                     f'rc={p.returncode} {p.stderr[-800:]}'):
        return
    exp = json.load(open(exp_path))['records']
    got_b = json.load(open(b_out))
    rc, err, rows = tshark_fields(cap)
    run.check('pcap ipv6: tshark reads the file without complaint', rc == 0 and err.strip() == '',
              f'rc={rc} {err}')
    want = [dict(w, part=i) for w in exp for i in range(w['frames'])]
    run.check('pcap ipv6: record count', len(rows) == len(want), f'{len(rows)}, want {len(want)}')
    bad, shim_rows, idents = [], [], set()
    for i, (row, w) in enumerate(zip(rows, want), 1):
        def expect(field, value):
            if row.get(field, '') != str(value):
                bad.append(f'record {i} {field}={row.get(field, "")[:40]!r}, '
                           f'want {str(value)[:40]!r}')
        comment = row.get('frame.comment', '')
        kind = w['kind']
        if kind == 'either':  # the v4-mapped datagram: whoever sent it, the record says so
            kind = 'kernel' if comment else 'shim'
        mapped = w['dst'].startswith('::ffff:')
        if mapped:
            expect('ip.dst', w['dst'][7:])
            expect('ip.checksum.status', 1)
        elif w['frames'] > 1:  # a fragment: offset in 8-byte units, more but the last, one ID
            last = w['part'] == w['frames'] - 1
            expect('ipv6.dst', w['dst'])
            expect('ipv6.fraghdr.offset', w['part'] * 181)
            expect('ipv6.fraghdr.more', 0 if last else 1)
            idents.add(row.get('ipv6.fraghdr.ident'))
            if not last:
                shim_rows.append(i - 1)
                expect('eth.src', MAC_A)
                continue
        else:
            expect('ipv6.dst', w['dst'])
            expect('ipv6.nxt', 17)
            expect('ipv6.plen', 8 + len(w['payload']) // 2)
        if kind == 'shim':
            shim_rows.append(i - 1)
            expect('eth.src', MAC_A)
            expect('eth.dst', MAC_B)
            expect('frame.comment', '')
            if not mapped:
                expect('ipv6.src', w['src'])
        else:
            expect('eth.src', ZERO_MAC)
            expect('ip.src' if mapped else 'ipv6.src', w['src'])
            if not comment.startswith(f'libshim: handed to the kernel socket ({w["reason"]}:'):
                bad.append(f'record {i} comment {comment!r}')
        expect('udp.srcport', w['sport'])
        expect('udp.dstport', w['dport'])
        expect('udp.checksum.status', 1)
        expect('data.data', w['payload'])
    if len(idents) != 1 or '' in idents or None in idents:
        bad.append(f'fragment identifications {idents}')
    run.check('pcap ipv6: addresses, next header, payload length, ports, payloads, valid UDP '
              'checksums, fragments (offsets, more, one identification), marked hand-offs '
              '(flowlabel), a v4-mapped destination as IPv4', not bad, '; '.join(bad[:8]))
    raw = pcapng_frames(cap)
    missing = [raw[i][:80] for i in shim_rows if i < len(raw) and raw[i] not in got_b['frames']]
    run.check('pcap ipv6: every IPv6 frame the shim sent is byte for byte a frame B received',
              len(shim_rows) - sum(w['kind'] == 'either' for w in exp) <=
              sum(w['frames'] for w in exp if w['kind'] == 'shim') <= len(shim_rows) and
              not missing,
              f'{len(shim_rows)} frames, not in B: {missing}')
    recv = sorted(d[3] for d in got_b['datagrams'])
    run.check('pcap ipv6: B received every datagram', recv == sorted(w['payload'] for w in exp),
              f'{len(recv)} received')


def case_threads(run):
    pair = run.pair_up()
    cap, b_out = run.path('t.pcapng'), run.path('bt.json')
    nthreads, count = 4, 50
    total = 1 + nthreads * count + count
    b = start_b(run, pair, total, b_out)
    p = shimmed(pair, ['--pcap', cap, PYTHON, SENDER, 'threads', '--threads', str(nthreads),
                       '--count', str(count)], timeout=60)
    b.wait(timeout=30)
    rc, err, rows = tshark_fields(cap)
    tags = sorted(bytes.fromhex(r['data.data'])[:10].decode() for r in rows
                  if r.get('data.data', '').startswith('54') or
                  r.get('data.data', '').startswith('46'))
    want = sorted([f'T{t} {i:06d} ' for t in range(nthreads) for i in range(count)] +
                  [f'F0 {i:06d} ' for i in range(count)])
    good = all(r['ip.checksum.status'] == '1' and r['udp.checksum.status'] == '1' for r in rows)
    run.check(f'pcap: {nthreads} threads and a forked child, {total} records, each once, '
              'all valid',
              p.returncode == 0 and rc == 0 and not err.strip() and len(rows) == total and
              tags == want and good,
              f'rc={p.returncode}/{rc} records={len(rows)} tags={len(tags)} {err[:300]} '
              f'{p.stderr[-300:]}')


def case_abrupt(run, scenario, label, want_rc):
    pair = run.pair_up()
    cap = run.path(f'{scenario}.pcapng')
    p = shimmed(pair, ['--pcap', cap, PYTHON, SENDER, scenario], timeout=60)
    rc, err, rows = tshark_fields(cap)
    good = all(r['ip.checksum.status'] == '1' and r['udp.checksum.status'] == '1' for r in rows)
    run.check(f'pcap: {label}: the file is whole ({len(rows)} records, all valid)',
              p.returncode == want_rc and rc == 0 and not err.strip() and len(rows) > 1 and
              good, f'program rc={p.returncode} (want {want_rc}) tshark rc={rc} {err[:300]}')


def case_exec(run):
    pair = run.pair_up('--arp', 'static')
    cap = run.path('x.pcapng')
    one = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
           "s.sendto(b'from image %s', ('192.0.2.2', 9000))")
    script = f'{PYTHON} -c "{one % 1}"; {PYTHON} -c "{one % 2}"'
    p = shimmed(pair, ['--pcap', cap, '/bin/sh', '-c', script], timeout=60)
    rc, err, rows = tshark_fields(cap)
    payloads = [bytes.fromhex(r['data.data']) for r in rows if r.get('data.data')]
    info = subprocess.run(['capinfos', '-I', cap], capture_output=True, text=True).stdout
    run.check('pcap: exec: each process image appends its own section, the file reads as one',
              p.returncode == 0 and rc == 0 and not err.strip() and
              payloads == [b'from image 1', b'from image 2'],
              f'rc={p.returncode}/{rc} {payloads} {err[:200]} {info[:300]}')


def body(run):
    case_capture(run)
    case_ipv6(run)
    case_threads(run)
    case_abrupt(run, 'exit-thread', 'exit() from a thread while others send', 0)
    case_abrupt(run, 'signal', 'killed by SIGTERM while threads send', -15)
    case_exec(run)


if __name__ == '__main__':
    main('pcap', body)
