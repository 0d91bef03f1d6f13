#!/usr/bin/env python3
"""make bench: dust against iPXE (Debian's ipxe package) on the same lab,
in the same run.  Only ratios mean something on a shared machine.

Each firmware runs the same iPXE-style script, handed over as the initrd
of its .lkrn (QEMU -kernel/-initrd); the script prints markers and the
time between markers, taken on this side of the serial line, is the
figure.  Every measurement is the median of RUNS runs.

    python3 tests/qemu/bench.py [RUNS]
"""

import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lab import BIN, Guest, Lab  # noqa: E402
import test_boot  # noqa: E402

IPXE_LKRN = "/usr/lib/ipxe/ipxe.lkrn"
BIG = 64 << 20
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1bc")


def run_script(lab, lkrn, script, markers, timeout=900):
    """Boot lkrn with the script as initrd; return {marker: seconds since
    QEMU started} for each marker as it appeared on the serial line."""
    path = lab.path("bench-%d.ipxe" % int(time.time() * 1000))
    with open(path, "w") as f:
        f.write(script)
    tap = lab.add_tap()
    args = ["-kernel", lkrn, "-initrd", path,
            "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
            "-device", "e1000,netdev=n0,mac=52:54:00:12:34:56,romfile="]
    seen = {}
    t0 = time.time()
    with Guest(args, lab=lab, memory=512, nographic=True) as g:
        for m in markers:
            g.expect(re.escape(m) + r"\b", timeout, m)
            seen[m] = time.time() - t0
    return seen


def script_for(steps):
    lines = ["#!ipxe", "echo BENCH-BEGIN"]
    markers = ["BENCH-BEGIN"]
    for name, cmd in steps:
        lines.append(cmd)
        lines.append("echo BENCH-%s" % name)
        markers.append("BENCH-%s" % name)
    return "\n".join(lines) + "\n", markers


def measure(lab, lkrn, steps, runs):
    script, markers = script_for(steps)
    results = {name: [] for name, _ in steps}
    for _ in range(runs):
        seen = run_script(lab, lkrn, script, markers)
        prev = markers[0]
        for name, _ in steps:
            m = "BENCH-" + name
            results[name].append(seen[m] - seen[prev])
            prev = m
    return {k: statistics.median(v) for k, v in results.items()}


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if os.geteuid() != 0:
        print("make bench needs root (network namespaces)")
        return 2
    steps = [
        ("DHCP", "dhcp"),
        ("TFTP", "imgfetch tftp://192.0.2.1:1069/big.bin"),
        ("FREE", "imgfree"),
        ("HTTP", "imgfetch http://192.0.2.1:8080/big.bin"),
        ("FREE2", "imgfree"),
    ]
    rows = []
    with Lab("bench") as lab:
        root = lab.path("atftp")
        os.makedirs(root)
        os.chmod(root, 0o755)
        test_boot.make_file(os.path.join(root, "big.bin"), BIG, 64)
        # A boot file name in every offer: neither firmware then waits for
        # ProxyDHCP offers (the dhcp command does not boot it).
        lab.dnsmasq(extra=["dhcp-boot=nothing.ipxe"])
        lab.atftpd(root, port=1069)
        lab.http_server(root)
        dust = measure(lab, os.path.join(BIN, "dust.lkrn"), steps, runs)
        ipxe = measure(lab, IPXE_LKRN, steps, runs)
    print("benchmark (median of %d runs, QEMU TCG, e1000)" % runs)
    print("%-34s %10s %10s %8s" % ("", "dust", "iPXE", "ratio"))
    print("%-34s %9.2fs %9.2fs %7.2fx" % (
        "DHCP (dhcp command: open to lease)", dust["DHCP"], ipxe["DHCP"],
        ipxe["DHCP"] / dust["DHCP"]))
    dmb = BIG / dust["TFTP"] / 1e6
    imb = BIG / ipxe["TFTP"] / 1e6
    print("%-34s %8.1fMB/s %8.1fMB/s %7.2fx" % (
        "TFTP 64 MiB (atftpd, windowsize)", dmb, imb, dmb / imb))
    dmb = BIG / dust["HTTP"] / 1e6
    imb = BIG / ipxe["HTTP"] / 1e6
    print("%-34s %8.1fMB/s %8.1fMB/s %7.2fx" % (
        "HTTP 64 MiB (Python http.server)", dmb, imb, dmb / imb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
