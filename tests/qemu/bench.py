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
sys.path.insert(0, os.path.join(HERE, "disk"))

from lab import BIN, Guest, Lab  # noqa: E402
import santest  # noqa: E402
import test_boot  # noqa: E402
from test_iscsi import TARGET, Tgt  # noqa: E402
from test_tcp import drop_tcp  # noqa: E402

IPXE_LKRN = "/usr/lib/ipxe/ipxe.lkrn"
# Downloads and SAN boots are measured on both (the lossy SAN reads on
# e1000 only): e1000, with frames cut to the MTU and every checksum the
# guest's work, and virtio-net, where dust takes the receive offloads and
# iPXE does not.
NICS = {"e1000": "e1000", "virtio-net": "virtio-net-pci"}  # name: device
# Option ROMs for the SAN boots, per NIC: (ROM, QEMU device) for dust
# and for iPXE.  iPXE's virtio ROM names the modern-only device (1af4:1041),
# dust's the transitional one (1af4:1000); both drive its virtio 1.0
# interface.
SAN_ROMS = {
    "e1000": ((os.path.join(BIN, "e1000.rom"), "e1000"),
              ("/usr/lib/ipxe/qemu/pxe-e1000.rom", "e1000")),
    "virtio-net": ((os.path.join(BIN, "virtio-net.rom"), "virtio-net-pci"),
                   ("/usr/lib/ipxe/qemu/pxe-virtio.rom",
                    "virtio-net-pci,disable-legacy=on")),
}
MAC = "52:54:00:12:34:56"
# IPv6 router advertisements on the segment: iPXE waits for IPv6
# autoconfiguration as well as DHCP and, with no router on the link,
# stalls ~13 s more; the benchmark does not measure that.
RA = ["enable-ra", "dhcp-range=::,constructor:br0,ra-only"]
SAN_MIB = 64
SAN_LOSSY_MIB = 16
BIG = 64 << 20
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1bc")


def run_script(lab, lkrn, script, markers, nic, timeout=900):
    """Boot lkrn on a NIC of QEMU device type nic with the script as
    initrd; return {marker: seconds since QEMU started} for each marker
    as it appeared on the serial line."""
    path = lab.path("bench-%d.ipxe" % int(time.time() * 1000))
    with open(path, "w") as f:
        f.write(script)
    tap = lab.add_tap()
    args = ["-kernel", lkrn, "-initrd", path,
            "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
            "-device", "%s,netdev=n0,mac=%s,romfile=" % (nic, MAC)]
    seen = {}
    t0 = time.time()
    with Guest(args, lab=lab, memory=512, nographic=True) as g:
        for m in markers:
            # With -nographic, SeaBIOS mirrors the screen onto the serial
            # line: cursor moves may land inside a marker.
            g.expect(("(?:%s)*" % ANSI.pattern).join(map(re.escape, m))
                     + r"\b", timeout, m)
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


def measure(lab, lkrn, steps, runs, nic):
    script, markers = script_for(steps)
    results = {name: [] for name, _ in steps}
    for _ in range(runs):
        seen = run_script(lab, lkrn, script, markers, nic)
        prev = markers[0]
        for name, _ in steps:
            m = "BENCH-" + name
            results[name].append(seen[m] - seen[prev])
            prev = m
    return {k: statistics.median(v) for k, v in results.items()}


def san_once(lab, rom, device):
    """One unattended SAN boot of the (non-checking) test disk from the
    NIC's option ROM; returns (seconds from QEMU start to the disk's
    boot sector, seconds for the reads)."""
    tap = lab.add_tap()
    args = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
            "-device", "%s,netdev=n0,mac=%s,romfile=%s" % (device, MAC, rom),
            "-boot", "n"]
    t0 = time.time()
    with Guest(args, lab=lab, memory=256, nographic=True) as g:
        g.expect(r"SANTEST boot", 300, "the SAN disk's boot sector")
        t_boot = time.time() - t0
        g.expect(r"SANTEST read-start", 120, "the reads starting")
        t1 = time.time()
        g.expect(r"SANTEST read-end", 1800, "the reads ending")
        t_read = time.time() - t1
        m = g.expect(r"SANTEST (OK|FAIL)[^\r\n]*", 120, "the verdict")
        if m.group(1) != "OK":
            raise RuntimeError(m.group(0))
    return t_boot, t_read


def san_bench(runs, lossy, nic="e1000"):
    """dust's option ROM for nic against iPXE's (ipxe-qemu) in one lab;
    returns {name: (handoff s, read MB/s)} as medians."""
    mib = SAN_LOSSY_MIB if lossy else SAN_MIB
    out = {}
    with Lab("bench-san") as lab:
        lab.dnsmasq(extra=RA + [
            "dhcp-host=%s,set:c1" % MAC,
            "dhcp-option=tag:c1,17,\"iscsi:192.0.2.1:::1:%s\"" % TARGET])
        disk = santest.build(lab.path("bench.img"), mib,
                             ["NOCHECK", "READ_SECTORS=127"])
        data = (mib << 20) - santest.PROG_SECTORS * 512
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, disk)
        if lossy:
            drop_tcp(lab, 10)
        for name, (rom, device) in zip(("dust", "iPXE"), SAN_ROMS[nic]):
            boots, rates = [], []
            for _ in range(runs):
                b, r = san_once(lab, rom, device)
                boots.append(b)
                rates.append(data / r / 1e6)
            out[name] = (statistics.median(boots), statistics.median(rates))
    return out


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
    with Lab("bench") as lab:
        root = lab.path("atftp")
        os.makedirs(root)
        os.chmod(root, 0o755)
        test_boot.make_file(os.path.join(root, "big.bin"), BIG, 64)
        # A boot file name in every offer: neither firmware then waits for
        # ProxyDHCP offers (the dhcp command does not boot it).
        lab.dnsmasq(extra=["dhcp-boot=nothing.ipxe"] + RA)
        lab.atftpd(root, port=1069)
        lab.http_server(root)
        dl = {}
        for nic, device in NICS.items():
            dl[nic] = (measure(lab, os.path.join(BIN, "dust.lkrn"), steps,
                               runs, device),
                       measure(lab, IPXE_LKRN, steps, runs, device))
    san = {nic: san_bench(runs, False, nic) for nic in NICS}
    lossy = san_bench(runs, True)
    print("benchmark (median of %d runs, QEMU TCG)" % runs)
    print("%-43s %12s %12s %8s" % ("", "dust", "iPXE", "ratio"))

    def secs(what, d, i):
        print("%-43s %10.2f s %10.2f s %7.2fx" % (what, d, i, i / d))

    def rate(what, d, i):
        print("%-43s %7.1f MB/s %7.1f MB/s %7.2fx" % (what, d, i, d / i))

    for nic in NICS:
        dust, ipxe = dl[nic]
        secs("%s: DHCP (open to lease)" % nic, dust["DHCP"], ipxe["DHCP"])
        rate("%s: TFTP 64 MiB (atftpd)" % nic,
             BIG / dust["TFTP"] / 1e6, BIG / ipxe["TFTP"] / 1e6)
        rate("%s: HTTP 64 MiB (http.server)" % nic,
             BIG / dust["HTTP"] / 1e6, BIG / ipxe["HTTP"] / 1e6)
        d, i = san[nic]["dust"], san[nic]["iPXE"]
        secs("%s: SAN, QEMU start to boot sector" % nic, d[0], i[0])
        rate("%s: SAN, INT 13h reads, %d MiB" % (nic, SAN_MIB), d[1], i[1])
    d, i = lossy["dust"], lossy["iPXE"]
    rate("e1000: SAN reads, %d MiB, 10%% loss" % SAN_LOSSY_MIB, d[1], i[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
