#!/usr/bin/env python3
"""Where dust's instructions go while it serves INT 13h reads from an
iSCSI disk: a guest instruction profile under QEMU (util/qemuprof), not a
timing, so it means the same on a busy machine.

The option ROM SAN-boots the (non-checking) test disk twice, with a small
and a large disk; the per-function difference of instruction counts is
the cost of the extra reads.  Idle polling shows up too (waiting is
spinning): read it as "the CPU had time to spare", not as work.

    python3 tests/qemu/profile.py [--rom bin/e1000.rom] [--lossy] [--top N]
"""

import argparse
import bisect
import collections
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "disk"))

from lab import BIN, Guest, Lab  # noqa: E402
import santest  # noqa: E402
from test_iscsi import TARGET, Tgt  # noqa: E402
from test_tcp import drop_tcp  # noqa: E402

MAC = "52:54:00:12:34:56"
PLUGIN = os.path.join(ROOT, "build", "tools", "libqemuhot.so")
ELF = {"e1000.rom": "core-e1000.elf", "rtl8139.rom": "core-rtl8139.elf",
       "virtio-net.rom": "core-virtio.elf"}
DEVICE = {"e1000.rom": "e1000", "rtl8139.rom": "rtl8139",
          "virtio-net.rom": "virtio-net-pci"}


def build_plugin():
    src = os.path.join(ROOT, "util", "qemuprof", "hot.c")
    os.makedirs(os.path.dirname(PLUGIN), exist_ok=True)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-Werror",
                    "-o", PLUGIN, src], check=True)


def profile_once(rom, mib, lossy, out):
    name = os.path.basename(rom)
    with Lab("prof") as lab:
        lab.dnsmasq(extra=["dhcp-host=%s,set:c1" % MAC,
                           "dhcp-option=tag:c1,17,\"iscsi:192.0.2.1:::1:%s\""
                           % TARGET])
        disk = santest.build(lab.path("prof.img"), mib,
                             ["NOCHECK", "READ_SECTORS=127"])
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, disk)
        if lossy:
            drop_tcp(lab, 10)
        tap = lab.add_tap()
        os.environ["HOT_OUT"] = out
        args = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
                "-device", "%s,netdev=n0,mac=%s,romfile=%s"
                % (DEVICE[name], MAC, rom),
                "-boot", "n", "-plugin", PLUGIN]
        with Guest(args, lab=lab, memory=256, nographic=True) as g:
            g.expect(r"SANTEST read-end", 1800, "the reads ending")
            g.expect(r"SANTEST (OK|FAIL)", 120, "the verdict")
            # SIGTERM: QEMU exits cleanly and the plugin writes its counts.
            os.kill(g.proc.pid, signal.SIGTERM)
            g.proc.wait(timeout=60)


def load(path):
    counts = {}
    with open(path) as f:
        for line in f:
            pc, n = line.split()
            counts[int(pc, 16)] = int(n)
    return counts


def functions(elf):
    out = subprocess.run(["nm", "-n", "-S", elf], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tTwW":
            syms.append((int(f[0], 16), int(f[1], 16), f[3]))
    return syms


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rom", default=os.path.join(BIN, "e1000.rom"))
    ap.add_argument("--elf", help="the core ELF the ROM was built from")
    ap.add_argument("--lossy", action="store_true",
                    help="drop 10%% of TCP packets each way")
    ap.add_argument("--small", type=int, default=8, help="MiB")
    ap.add_argument("--large", type=int, default=64, help="MiB")
    ap.add_argument("--top", type=int, default=30)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("the QEMU lab needs root (network namespaces, taps)")
        return 2
    elf = a.elf or os.path.join(ROOT, "build",
                                ELF[os.path.basename(a.rom)])
    build_plugin()
    outs = []
    for mib in (a.small, a.large):
        out = os.path.join(ROOT, "build", "prof-%d.txt" % mib)
        profile_once(a.rom, mib, a.lossy, out)
        outs.append(load(out))
    small, large = outs
    diff = {pc: large.get(pc, 0) - small.get(pc, 0)
            for pc in set(small) | set(large)}
    syms = functions(elf)
    starts = [s[0] for s in syms]
    text_end = max(s[0] + s[1] for s in syms)
    # The core is linked at 0 and moved at install: its load address is
    # where most of the executed blocks above 1 MiB start to cluster.
    high = sorted(pc for pc in large if pc >= 0x100000)
    base = next(pc for pc in high
                if sum(1 for q in high if pc <= q < pc + text_end)
                > len(high) // 2)
    by_fn = collections.Counter()
    for pc, n in diff.items():
        off = pc - base
        if 0 <= off < text_end:
            i = bisect.bisect_right(starts, off) - 1
            name = syms[i][2] if i >= 0 else "?"
        elif pc < 0x100000:
            name = "(real mode: BIOS, resident block, boot sector)"
        else:
            name = "(elsewhere above 1 MiB)"
        by_fn[name] += n
    total = sum(diff.values())
    print("%d MiB more read: %.1fM guest instructions (core at %#x)"
          % (a.large - a.small, total / 1e6, base))
    for name, n in by_fn.most_common(a.top):
        print("%9.2fM %5.1f%%  %s" % (n / 1e6, 100.0 * n / total, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
