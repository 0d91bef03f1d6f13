#!/usr/bin/env python3
"""Linux side of the interop check: answer each 48-byte request (length in
its first 4 bytes, big-endian) with that many bytes of the pattern
(i * 7) ^ (i >> 8) over the stream offset i."""
import socket
import struct
import sys
import time

SLOW = len(sys.argv) > 2 and sys.argv[2] == "slow"

PERIOD = 65536
PAT = bytes(((i * 7) ^ (i >> 8)) & 0xff for i in range(3 * PERIOD))


def serve(conn):
    off = 0
    buf = b""
    while True:
        d = conn.recv(4096)
        if not d:
            return
        buf += d
        while len(buf) >= 48:
            n = struct.unpack(">I", buf[:4])[0]
            if n & 0x80000000:
                # An upload of n bytes of the pattern follows; answer "K".
                n &= 0x7fffffff
                data = bytearray(buf[48:])
                while len(data) < n:
                    if SLOW:
                        time.sleep(0.02)      # a reader that lags behind
                    d = conn.recv(32768 if SLOW else 1 << 20)
                    if not d:
                        return
                    data += d
                buf = bytes(data[n:])
                ok = all(data[i] == ((i * 7) ^ (i >> 8)) & 0xff
                         for i in range(0, n, 997))
                conn.sendall(b"K" if ok else b"X")
                continue
            buf = buf[48:]
            while n:
                k = min(n, PERIOD)
                s = off % PERIOD
                conn.sendall(PAT[s:s + k])
                off += k
                n -= k


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if SLOW:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
srv.bind((sys.argv[1] if len(sys.argv) > 1 else "10.9.0.1", 3260))
srv.listen(4)
while True:
    c, _ = srv.accept()
    try:
        serve(c)
    except OSError:
        pass
    c.close()
