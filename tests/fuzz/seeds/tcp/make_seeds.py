#!/usr/bin/env python3
"""Write seed scripts for fuzz_tcp.c (see its op codes): a handshake, data
both ways, out-of-order arrivals, SACKs, timeouts and closes, so the
fuzzer starts from deep states.  Run from anywhere; writes next to itself."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08


def seg(seq, ack, flags, win=0xffff, opts=b"", data=b""):
    opts += b"\x01" * (-len(opts) % 4)
    hdr = struct.pack(">HHIIBBHHH", 0, 0, seq & 0xffffffff, ack & 0xffffffff,
                      (20 + len(opts)) // 4 << 4, flags, win, 0, 0)
    body = hdr + opts + data
    assert 20 <= len(body) <= 275
    return bytes([0, len(body) - 20]) + body


def wait(ms):
    shift = 0
    while ms > 255:
        ms >>= 1
        shift += 1
    return bytes([3 | shift << 4, ms])


def send(n):
    return bytes([4 | 3 << 5, n // 8])       # n bytes (multiple of 8)


def sack(*blocks):
    o = b"\x01\x01" + bytes([5, 2 + 8 * len(blocks)])
    for l, r in blocks:
        o += struct.pack(">II", l & 0xffffffff, r & 0xffffffff)
    return o


SYNACK = seg(0, 1, SYN | ACK, 0x2000,
             b"\x02\x04\x05\xb4\x01\x03\x03\x07\x01\x01\x04\x02")
D = bytes(range(200))

seeds = {
    "established": bytes([0x3a, 0]) + SYNACK + seg(1, 1, ACK | PSH, data=D[:100]),
    "ooo": bytes([0x3a, 0]) + SYNACK + seg(101, 1, ACK, data=D[:100]) +
        seg(301, 1, ACK, data=D[:50]) + seg(1, 1, ACK, data=D[:100]) +
        seg(201, 1, ACK, data=D[:100]) + seg(351, 1, ACK | FIN, data=D[:10]),
    "sack": bytes([0x3a, 0]) + SYNACK + send(1600) + send(1600) +
        seg(1, 1, ACK, opts=sack((1 + 1460, 1 + 2920))) +
        seg(1, 1, ACK, opts=sack((1 + 1460, 1 + 3200))) +
        seg(1, 1461, ACK, opts=sack((2921, 3201))) + wait(50) +
        seg(1, 3201, ACK),
    "dupacks": bytes([0x3a, 0]) + seg(0, 1, SYN | ACK, 0x4000,
                                     b"\x02\x04\x03\xe8") + send(2000) +
        seg(1, 1, ACK, 0x4000) + seg(1, 1, ACK, 0x4000) +
        seg(1, 1, ACK, 0x4000) + seg(1, 1, ACK, 0x4000) +
        seg(1, 1001, ACK, 0x4000) + seg(1, 2001, ACK, 0x4000),
    "timeouts": bytes([0x3a, 0]) + SYNACK + send(800) + wait(300) +
        wait(600) + wait(1200) + seg(1, 801, ACK, 0) + send(80) +
        wait(2000) + wait(4000) + seg(1, 801, ACK, 100),
    "close": bytes([0x3a, 0]) + SYNACK + send(80) + bytes([5, 0]) +
        seg(1, 81, ACK) + seg(1, 82, ACK) + seg(1, 82, ACK | FIN) +
        wait(2000),
    "peerfin": bytes([0x3a, 1 | 8 << 1]) + SYNACK + seg(1, 1, ACK, data=D) +
        bytes([6 | 2 << 4, 255]) + seg(201, 1, ACK | FIN) + seg(202, 2, ACK),
    "rst": bytes([0x3a, 0]) + SYNACK + seg(5, 1, RST) + seg(1, 1, RST),
}
for name, data in seeds.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
