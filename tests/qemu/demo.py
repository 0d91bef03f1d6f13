#!/usr/bin/env python3
"""make demo: the seed article's scenario in one command.

A private network namespace holds the server side: dnsmasq hands the
client a fixed address and an iSCSI root-path (DHCP option 17), tgtd
serves a disk image as LUN 1 of a target.  The disk (tests/qemu/
sanlinux.py) holds SYSLINUX, a Debian kernel and an initramfs.  A QEMU
client with no disk of its own starts dust (by default from its NIC's
option ROM), which gets the lease, logs in to the target, hooks it as
BIOS drive 0x80 and boots it; Linux then finds the target again through
the iBFT dust left and mounts the disk.  The client's serial console is
shown here live until it powers off; everything is torn down afterwards,
also on Ctrl-C, and after a time limit.

    python3 tests/qemu/demo.py [--via rom|iso|lkrn] [--timeout SECONDS]

Needs root (network namespaces, taps) and the images in bin/.
"""

import argparse
import os
import re
import secrets
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sanlinux  # noqa: E402
from lab import Guest, Lab, SERVER_IP  # noqa: E402
from test_iscsi import Tgt  # noqa: E402

VIA = {
    "rom": "from the e1000 NIC's option ROM (QEMU -boot n)",
    "iso": "from a CD (bin/dust.iso)",
    "lkrn": "as a Linux-format kernel (bin/dust.lkrn)",
}

WELCOME = """Hello from the iSCSI disk!

This Linux runs on a machine with no disk of its own.  dust, started
{via},
got an address and the root-path from DHCP, logged in to the iSCSI
target, made the LUN BIOS drive 0x80 and booted its MBR.  SYSLINUX
loaded the kernel and this initramfs through dust's INT 13h; the
initramfs found the target again from the iBFT that dust left in base
memory, logged in with open-iscsi and mounted the disk you are reading.
"""


def say(text):
    sys.stdout.write("\033[1m==> %s\033[0m\n" % text if sys.stdout.isatty()
                     else "==> %s\n" % text)
    sys.stdout.flush()


class Stop(Exception):
    pass


def stop(signum, frame):
    raise Stop("interrupted (%s)" % signal.Signals(signum).name
               if signum != signal.SIGALRM else "out of time")


def show_console(g, timeout):
    """Copy the client's serial output to stdout until QEMU exits or the
    time is up; returns whether it exited by itself."""
    shown = 0
    deadline = time.time() + timeout
    while True:
        alive = g._pump(0.2)
        if len(g.output) > shown:
            sys.stdout.write(g.output[shown:])
            sys.stdout.flush()
            shown = len(g.output)
        if not alive and g.proc.poll() is not None:
            return True
        if time.time() > deadline:
            return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--via", choices=sorted(VIA), default="rom",
                    help="how the client starts dust (default: rom)")
    ap.add_argument("--timeout", type=float, default=300,
                    help="stop the client after this many seconds")
    opts = ap.parse_args()
    if os.geteuid() != 0:
        print("make demo needs root (it makes a network namespace)")
        return 2
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
        signal.signal(sig, stop)
    # The whole run, disk building and lab set-up included, is bounded
    # too; the client's own time limit is checked while it runs.
    signal.alarm(int(opts.timeout) + 300)

    marker = "booted-via-dust-" + secrets.token_hex(4)
    say("building the client's disk: SYSLINUX, Debian kernel, initramfs "
        "(cached in build/assets)")
    t0 = time.time()
    lab = None
    try:
        lab = Lab("demo")
        disk = sanlinux.build_disk(
            lab.path("client1.img"), marker,
            dict(sanlinux.expected(), **{"sl.demo": "1"}),
            welcome=WELCOME.format(via=VIA[opts.via]))
        say("server side, in network namespace %s (%s/24 on a bridge):"
            % (lab.ns, SERVER_IP))
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(sanlinux.TARGET, disk)
        print("    tgtd:    %s LUN 1 = %s (%d MiB)"
              % (sanlinux.TARGET, disk, os.path.getsize(disk) >> 20))
        lab.dnsmasq(extra=sanlinux.dnsmasq_options())
        print("    dnsmasq: %s gets %s, host name %s,\n"
              "             root-path %s"
              % (sanlinux.MAC, sanlinux.LEASE_IP, sanlinux.HOSTNAME,
                 sanlinux.ROOT_PATH))
        say("booting the diskless client, dust %s; its serial console "
            "follows"
            % VIA[opts.via])
        with Guest(sanlinux.client_args(lab, opts.via), lab=lab,
                   memory=512) as g:
            exited = show_console(g, opts.timeout)
        if not exited:
            say("the client did not power off within %ds: stopped it"
                % opts.timeout)
            return 1
        m = re.search(r"SANLINUX DONE (\d+) passed, (\d+) failed", g.output)
        if m and m.group(2) == "0" and marker in g.output:
            say("the client powered off after %.0fs: %s checks passed, "
                "tearing the lab down" % (time.time() - t0, m.group(1)))
            return 0
        say("something went wrong (see above); tearing the lab down")
        return 1
    except Stop as e:
        print()
        say("%s: tearing the lab down" % e)
        return 130
    finally:
        # A second Ctrl-C must not leave half a lab behind.
        signal.alarm(0)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        if lab:
            lab.close()


if __name__ == "__main__":
    sys.exit(main())
