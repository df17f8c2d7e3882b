#!/usr/bin/env python3
"""A tiny DNS responder for the e2e DNS client case: binds ADDR:PORT (UDP) in its namespace, prints
"ready", answers COUNT queries (an A question with 192.0.2.53, any other with the AAAA record
2001:db8:1::53),
printing each question, then "answered N queries from PEERS". Ends after 20 s at most.

  dns6_responder.py ADDR PORT COUNT"""
import socket
import struct
import sys

AAAA = socket.inet_pton(socket.AF_INET6, '2001:db8:1::53')
A = socket.inet_pton(socket.AF_INET, '192.0.2.53')


def main():
    addr, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(20)
    print('ready', flush=True)
    peers, n = set(), 0
    while n < count:
        try:
            q, peer = s.recvfrom(2048)
        except socket.timeout:
            break
        if len(q) < 17:
            continue
        qid = struct.unpack('!H', q[:2])[0]
        i = 12
        while i < len(q) and q[i]:  # the question's name, label by label
            i += 1 + q[i]
        question = q[12:i + 5]
        n += 1
        peers.add(peer[0])
        print(f'query {n} from {peer[0]}: {question!r}', flush=True)
        # header: the id, QR RD RA, one question, one answer; the answer points at the name
        reply = struct.pack('!HHHHHH', qid, 0x8180, 1, 1, 0, 0) + question
        qtype = struct.unpack('!H', question[-4:-2])[0]
        rdata = A if qtype == 1 else AAAA
        reply += b'\xc0\x0c' + struct.pack('!HHIH', 1 if qtype == 1 else 28, 1, 60,
                                            len(rdata)) + rdata
        s.sendto(reply, peer)
    print(f'answered {n} queries from {" ".join(sorted(peers))}', flush=True)
    return 0 if n == count else 1


if __name__ == '__main__':
    sys.exit(main())
