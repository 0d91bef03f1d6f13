#!/usr/bin/env python3
"""Seed inputs for fuzz_iscsi_pdu: well-formed target byte streams, so the
fuzzer starts from PDUs the initiator accepts.  Usage: make_seeds.py [DIR] (default: its own folder)

An input is a mode byte (see fuzz_iscsi_pdu.c) and what the target sends.
Task tags are the initiator's own (0 for the login, then 1, 2, 3 for the
three commands, in host byte order); everything else is big-endian."""
import os
import struct
import sys


def pdu(op, flags=0x80, b2=0, b3=0, data=b"", lun=0, itt=0, w20=0,
        statsn=1, expcmdsn=100, maxcmdsn=107, w36=0, w40=0, w44=0,
        raw12=None):
    dsl = len(data)
    hdr = struct.pack(">BBBBB", op, flags, b2, b3, 0) + dsl.to_bytes(3, "big")
    hdr += struct.pack(">Q", lun) + struct.pack("<I", itt)
    hdr += struct.pack(">IIII", w20, statsn, expcmdsn, maxcmdsn)
    hdr += raw12 if raw12 is not None else struct.pack(">III", w36, w40, w44)
    assert len(hdr) == 48
    return hdr + data + b"\0" * (-dsl % 4)


def keys(*kv):
    return b"".join(k.encode() + b"\0" for k in kv)


def login(flags, text, statsn, cls=0, detail=0):
    raw12 = bytes([cls, detail]) + b"\0" * 10
    return pdu(0x23, flags, data=keys(*text), statsn=statsn, raw12=raw12)


OPERATIONAL = ("HeaderDigest=None", "DataDigest=None", "InitialR2T=Yes",
               "ImmediateData=Yes", "MaxRecvDataSegmentLength=8192",
               "MaxBurstLength=262144", "FirstBurstLength=65536",
               "ErrorRecoveryLevel=0", "X-org.example.Unknown=1")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    seeds = {}
    seeds["login_none"] = bytes([0]) + login(
        0x81, ("AuthMethod=None", "TargetPortalGroupTag=1"), 1) + login(
        0x87, OPERATIONAL, 2)
    seeds["login_chap"] = bytes([2]) + login(
        0x00, ("AuthMethod=CHAP", "TargetPortalGroupTag=1"), 1) + login(
        0x00, ("CHAP_A=5", "CHAP_I=7",
               "CHAP_C=0x0123456789abcdef0123456789abcdef"), 2) + login(
        0x81, (), 3) + login(0x87, OPERATIONAL, 4)
    seeds["login_mutual"] = bytes([6]) + login(
        0x00, ("AuthMethod=CHAP",), 1) + login(
        0x00, ("CHAP_A=5", "CHAP_I=7", "CHAP_C=0bASNFZ4mrze8="), 2) + login(
        0x81, ("CHAP_N=target", "CHAP_R=0x00112233445566778899aabbccddeeff"),
        3)
    seeds["login_refused"] = bytes([0]) + login(0x00, (), 1, cls=2, detail=1)
    seeds["redirect"] = bytes([0]) + login(
        0x00, ("TargetAddress=192.0.2.9:3261,1",), 1, cls=1, detail=1)
    # Full feature phase: 1 reads 2 blocks, 2 writes 3, 3 reads 4.
    ffp = pdu(0x25, 0x81, data=bytes(1024), itt=1, statsn=10)
    ffp += pdu(0x31, itt=2, w20=0x77, statsn=11, w36=0, w40=0, w44=1536)
    ffp += pdu(0x21, itt=2, statsn=11)
    ffp += pdu(0x25, 0x00, data=bytes(1024), itt=3, w40=0)
    ffp += pdu(0x25, 0x00, data=bytes(1024), itt=3, w40=1024)
    sense = struct.pack(">H", 18) + bytes([0x70, 0, 6, 0, 0, 0, 0, 10, 0, 0,
                                           0, 0, 0x29, 0, 0, 0, 0, 0])
    ffp += pdu(0x21, b3=2, data=sense, itt=3, statsn=12)
    ffp += pdu(0x20, itt=0xffffffff, w20=0x1234, statsn=13)
    ffp += pdu(0x32, itt=0xffffffff, statsn=13, raw12=bytes([1, 0]) +
               b"\0" * 10)
    for mode in (1, 1 | 16 | 32, 1 | 8):
        seeds["ffp_%02x" % mode] = bytes([mode]) + ffp
    seeds["reject"] = bytes([1]) + pdu(
        0x3f, b2=9, data=pdu(0x01, itt=1)[:48], itt=0xffffffff, statsn=10)
    for name, data in seeds.items():
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
