#!/usr/bin/env python3
"""ICMP echo from the lab's server side, without the ping package:

    pinger.py ADDRESS COUNT TIMEOUT_SECONDS

Run inside the lab's namespace (ip netns exec NS python3 pinger.py ...).
Prints one line per reply and "N sent, M received"; exits 0 if every
request was answered.
"""

import os
import select
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def echo_request(ident, seq):
    payload = b"dust-lab-ping" + bytes(43)
    head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    return struct.pack("!BBHHH", 8, 0, checksum(head + payload), ident,
                       seq) + payload


def wait_reply(sock, addr, ident, seq, deadline):
    while True:
        left = deadline - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            return False
        data, (src, _) = sock.recvfrom(2048)
        ihl = (data[0] & 0x0f) * 4
        if src != addr or len(data) < ihl + 8:
            continue
        typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
        if typ == 0 and rid == ident and rseq == seq:
            return True


def main():
    addr, count, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                         socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xffff
    got = 0
    for seq in range(count):
        t0 = time.time()
        sock.sendto(echo_request(ident, seq), (addr, 0))
        if wait_reply(sock, addr, ident, seq, t0 + timeout):
            got += 1
            print("reply from %s seq=%d time=%.1f ms"
                  % (addr, seq, (time.time() - t0) * 1000))
        else:
            print("no reply from %s seq=%d" % (addr, seq))
    print("%d sent, %d received" % (count, got))
    return 0 if got == count else 1


if __name__ == "__main__":
    sys.exit(main())
