#!/usr/bin/env python3
"""Raw Ethernet traffic for the driver tests, run inside a lab namespace.

    ethprobe.py IFACE DEST_MAC echo COUNT [WAIT]  # link test requests, count replies
    ethprobe.py IFACE DEST_MAC junk COUNT    # bad frames: runts, giants, others'

Link test frames use EtherType 0x88b5 (IEEE 802 local experimental): the
payload is 'Q' (request) or 'R' (reply), a 4-byte sequence number and a
pattern derived from it, so a reply proves the frame went through the
guest's receive and transmit paths intact.  Prints one JSON object.
"""

import json
import os
import random
import select
import socket
import struct
import sys
import time

ETHERTYPE = 0x88B5


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def payload(seq, length):
    body = bytes((seq * 7 + i) & 0xFF for i in range(length - 5))
    return struct.pack(">I", seq) + body


def frame_len(seq):
    # Every size class from the minimum to a full frame.
    sizes = [60, 64, 100, 128, 256, 512, 1000, 1400, 1514]
    return sizes[seq % len(sizes)]


def open_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    return s


def recv_all(s, until, want):
    """Frames received until time `until`, stopping early at `want`."""
    got = []
    while time.time() < until and len(got) < want:
        r, _, _ = select.select([s], [], [], max(0.0, until - time.time()))
        if r:
            got.append(s.recv(65536))
    return got


def echo(iface, dest, count, wait=None):
    s = open_sock(iface)
    me = open(os.path.join("/sys/class/net", iface, "address")).read().strip()
    src = mac_bytes(me)
    expect = {}
    replies = bad = 0
    seen = set()
    deadline = time.time() + (30 + count * 0.1 if wait is None else wait)
    # A fresh sequence range per run: replies to frames of an earlier run
    # (QEMU may hold frames while the guest's NIC is closed) are ignored.
    base = random.getrandbits(30)
    for seq in range(base, base + count):
        n = frame_len(seq)
        body = payload(seq, n - 14)
        s.send(dest + src + struct.pack(">H", ETHERTYPE) + b"Q" + body)
        expect[seq] = body
        # A short pause every few frames: bursts, but no flood.
        if seq % 8 == 7:
            time.sleep(0.02)
        for f in recv_all(s, time.time(), 1 << 30):
            replies, bad = tally(f, dest, src, expect, seen, replies, bad)
    while replies < count and time.time() < deadline:
        for f in recv_all(s, min(deadline, time.time() + 0.5), count):
            replies, bad = tally(f, dest, src, expect, seen, replies, bad)
    return {"sent": count, "replies": replies, "bad": bad}


def tally(f, dest, src, expect, seen, replies, bad):
    if len(f) < 19 or f[0:6] != src or f[6:12] != dest:
        return replies, bad
    if struct.unpack(">H", f[12:14])[0] != ETHERTYPE or f[14:15] != b"R":
        return replies, bad
    seq = struct.unpack(">I", f[15:19])[0]
    body = expect.get(seq)
    if body is None:
        return replies, bad
    # The guest pads short frames; the payload must match up to its size.
    if f[15:15 + len(body)] != body or seq in seen:
        return replies, bad + 1
    seen.add(seq)
    return replies + 1, bad


def junk(iface, dest, count):
    s = open_sock(iface)
    src = mac_bytes(open(os.path.join("/sys/class/net", iface, "address")).read().strip())
    other = bytes([0x02, 0x00, 0x5e, 0x10, 0x20, 0x30])
    kinds = {"runt": 0, "giant": 0, "other_dest": 0, "bcast_request": 0,
             "unknown_type": 0}
    for i in range(count):
        k = i % 5
        if k == 0:      # a bare header: a runt on the wire, no payload
            f = dest + src + struct.pack(">H", ETHERTYPE)
            name = "runt"
        elif k == 1:    # longer than any standard frame
            f = dest + src + struct.pack(">H", ETHERTYPE) + b"Q" + bytes(3999)
            name = "giant"
        elif k == 2:    # for somebody else
            f = other + src + struct.pack(">H", ETHERTYPE) + b"Q" + bytes(50)
            name = "other_dest"
        elif k == 3:    # a request to everybody: must not be answered
            f = b"\xff" * 6 + src + struct.pack(">H", ETHERTYPE) + b"Q" + bytes(50)
            name = "bcast_request"
        else:           # a protocol nobody handles
            f = dest + src + b"\x88\xb6" + bytes(46)
            name = "unknown_type"
        try:
            s.send(f)
            kinds[name] += 1
        except OSError:
            pass
        if i % 8 == 7:
            time.sleep(0.02)
    # Anything the guest says back to the junk is wrong.
    answered = [f for f in recv_all(s, time.time() + 1.0, 1 << 30)
                if f[0:6] == src and len(f) >= 15 and f[12:14] == b"\x88\xb5"]
    return {"sent": kinds, "answered": len(answered)}


def main():
    iface, mac, what, n = sys.argv[1], mac_bytes(sys.argv[2]), sys.argv[3], sys.argv[4]
    if what == "echo":
        out = echo(iface, mac, int(n),
                   float(sys.argv[5]) if len(sys.argv) > 5 else None)
    elif what == "junk":
        out = junk(iface, mac, int(n))
    else:
        sys.exit("unknown action " + what)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
