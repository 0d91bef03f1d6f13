#!/usr/bin/env python3
"""Write seed scripts for fuzz_tftp.c (see its operations): transfers with
and without options, windows with loss, duplicates and reordering, block
numbers that wrap, errors, timeouts, a second server port, a size that
disagrees, refused options.  Run from anywhere; writes next to itself."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TID, TID2, OTHER = 0, 2, 3                     # packet sources


def cfg(mtu=7, uri=0, no_socket=False):
    return bytes([mtu | uri << 3 | (0xc0 if no_socket else 0)])


def data(length="full", delta=0, src=TID, b=0):
    """A DATA packet: the expected block (plus delta) of some length."""
    lsel = {"full": 0, "short": 16, "empty": 24, "over": 25, "512": 27}
    d = 0 if delta == 0 else delta + 40
    assert 0 <= d < 64
    return bytes([0 | lsel[length] << 3, src << 6 | d, b])


def short(n):
    return data("short", b=n)


def oack(opts, src=TID, flags=0):
    """opts: (name index, value) pairs; value an int or a kind 5-7."""
    out = bytes([2 | src << 3, len(opts) | flags])
    for name, value in opts:
        if value in ("abc", "", "huge"):
            kind = {"abc": 5, "": 6, "huge": 7}[value]
            out += bytes([name | kind << 3, 0, 0])
        else:
            out += bytes([name]) + struct.pack("<H", value)
    return out


BLKSIZE, TSIZE, WINDOW, TIMEOUT = 0, 1, 2, 3


def error(code, src=TID):
    return bytes([3 | src << 3, code | 0x10])


def wait(ms):
    shift = 0
    while (ms - 1) >> shift > 255:
        shift += 1
    return bytes([4 | shift << 3, ((ms - 1) >> shift) & 0xff])


def raw(pkt, src=TID):
    return bytes([6 | src << 3, len(pkt)]) + pkt


def burst(n):
    assert n <= 32768
    shift = 0
    while (n - 1) >> shift > 255:
        shift += 1
    return bytes([7 | shift << 3 | 0xc0, ((n - 1) >> shift) & 0xff])


seeds = {
    # RFC 1350: no options, 512-byte blocks, lock-step.
    "plain": cfg() + data() + data() + data() + short(100),
    # Options: 1024-byte blocks, a window of 4, the size announced.
    "oack": cfg() + oack([(BLKSIZE, 1024), (TSIZE, 2148), (WINDOW, 4)]) +
        data() + data() + short(100),
    # A window of 8 with a duplicate, a block ahead and a late one.
    "window": cfg() + oack([(BLKSIZE, 512), (WINDOW, 8)]) + data() +
        data(delta=1) + data() + data(delta=-1) + data() + data() +
        data() + data() + data() + data() + short(1),
    # Loss: a block missing, the gap ACKed, a timeout, the rest again.
    "loss": cfg() + oack([(WINDOW, 4), (TSIZE, 612)]) + data(delta=1) +
        data(delta=2) + wait(1200) + data() + short(100),
    "error": cfg() + error(1),
    "errorlate": cfg() + data() + error(3),
    # The server announced 5000 bytes and sent fewer.
    "sizeshort": cfg() + oack([(TSIZE, 5000)]) + data() + short(10),
    # Nobody answers.
    "timeout": cfg() + wait(20000),
    # A second transfer of the server answers first; the first one's
    # packets are then another transfer's.
    "tid": cfg() + data(src=TID2) + data(src=TID) + data(src=TID2) +
        data(src=OTHER) + short(3),
    # The request is repeated; the answer to the repeat comes from a new
    # port.
    "retry": cfg() + wait(1100) + oack([(BLKSIZE, 600)], src=TID2) +
        short(5),
    # Something that is not DATA or OACK comes first.
    "garbagefirst": cfg() + raw(b"\x00\x04\x00\x00") + data() + data() +
        short(7),
    "lateoack": cfg() + data() + oack([(BLKSIZE, 1024)]) + short(1),
    "oversize": cfg() + oack([(BLKSIZE, 700)]) + data("over"),
    "badoption": cfg() + oack([(BLKSIZE, 4)]),
    "notanumber": cfg() + oack([(TSIZE, "abc")]),
    "wrapping": cfg() + oack([(BLKSIZE, "huge")]) + data() + short(1),
    "unterminated": cfg() + oack([(BLKSIZE, 512)], flags=8),
    # Block numbers past 65535 (8-byte blocks).
    "rollover": cfg() + oack([(BLKSIZE, 8), (WINDOW, 64)]) +
        burst(32768) + burst(32768) + burst(500) + short(3),
    "cancel": cfg() + bytes([5, 1]) + data(),
    "nosocket": cfg(no_socket=True) + wait(10),
    "port": cfg(uri=1, mtu=0) + data() + short(0),
    "nxdomain": cfg(uri=3) + wait(10),
}

for name, d in seeds.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(d)
