# A plain UDP client for the trace test: run natively under strace and under libshim's trace.
import fcntl
import os
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_IP, socket.IP_TTL, 7)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(('127.0.0.1', 0))
s.sendto(b'hello from python', ('127.0.0.1', 9))
s.sendmsg([b'abc', b'\x00\xffdef'], [(socket.SOL_IP, socket.IP_TTL, (5).to_bytes(4, 'little'))], 0,
          ('127.0.0.1', 9))
d = os.dup(s.fileno())
try:
    os.write(d, b'not connected')
except OSError as e:
    assert e.errno == 89, e  # EDESTADDRREQ
s.connect(('127.0.0.1', 9))
s.send(b'x' * 100)
flags = fcntl.fcntl(s.fileno(), fcntl.F_GETFL)
fcntl.fcntl(s.fileno(), fcntl.F_SETFL, flags | os.O_NONBLOCK)
os.close(d)
s.close()
print('done')
