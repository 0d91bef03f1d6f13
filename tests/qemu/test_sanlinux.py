"""Linux over iSCSI, booted by dust with nobody at the keyboard: dust in
the e1000's option ROM gets a lease and a root-path from dnsmasq, logs in
to tgtd, hooks the LUN as drive 0x80 and boots its MBR; SYSLINUX loads a
Debian kernel and initramfs from the disk's FAT partition through INT 13h;
the initramfs checks the iBFT against the lease and the target, logs in
again itself from the iBFT (open-iscsi's iscsistart) and reads a marker
file written for this run (tests/qemu/sanlinux.py builds the disk)."""

import re
import secrets
import time

import sanlinux
from lab import Guest, Lab, TestFailure
from test_iscsi import Tgt

# Every check line the initramfs prints, in order.
CHECKS = ["ibft", "acpi", "initiator.flags", "initiator.name", "ethernet0.flags",
          "ethernet0.ip-addr", "ethernet0.subnet-mask", "ethernet0.origin",
          "ethernet0.gateway", "ethernet0.primary-dns", "ethernet0.dhcp",
          "ethernet0.mac", "ethernet0.hostname", "target0.flags",
          "target0.ip-addr", "target0.port", "target0.lun",
          "target0.target-name", "target0.nic-assoc", "target0.chap-type",
          "ethernet0.device", "net", "login", "disk", "mount", "marker"]


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def test_linux_over_iscsi():
    marker = "dust-sanlinux-" + secrets.token_hex(8)
    with Lab("sanlinux") as lab:
        disk = sanlinux.build_disk(lab.path("linux.img"), marker,
                                   sanlinux.expected())
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(sanlinux.TARGET, disk)
        lab.dnsmasq(extra=sanlinux.dnsmasq_options())
        t0 = time.time()
        with Guest(sanlinux.client_args(lab, "rom"), lab=lab,
                   memory=512) as g:
            g.expect(r"net0: %s/24 gateway 192\.0\.2\.1"
                     % re.escape(sanlinux.LEASE_IP), 120, "dust's lease")
            g.expect(r"iscsi\d: %s LUN 1 on 192\.0\.2\.1:3260"
                     % re.escape(sanlinux.TARGET), 120, "dust's iSCSI login")
            g.expect(r"Booting from SAN drive 0x80", 60, "the SAN boot")
            # SYSLINUX repeats its banner on the serial port (SERIAL 0).
            g.expect(r"SYSLINUX \d+\.\d+", 120, "SYSLINUX")
            g.expect(r"SANLINUX init: Linux", 300, "the initramfs")
            t_linux = time.time()
            for name in CHECKS:
                m = g.expect(r"SANLINUX (PASS|FAIL) %s: ([^\r\n]*)\r?\n"
                             % re.escape(name), 120,
                             "the %s check" % name)
                check(m.group(1) == "PASS", "check failed: %s\nserial "
                      "output ends with:\n%s" % (m.group(0).strip(),
                                                 g.output[-3000:]))
                if name == "marker":
                    check(m.group(2) == marker, "marker %r, this run wrote "
                          "%r" % (m.group(2), marker))
            m = g.expect(r"SANLINUX DONE (\d+) passed, (\d+) failed", 60,
                         "the summary")
            check(m.group(2) == "0" and int(m.group(1)) == len(CHECKS),
                  m.group(0))
            code = g.wait_exit(60)
            check(code == 0, "QEMU exit status %d after poweroff" % code)
        print("     (dust to Linux %.0fs, Linux to poweroff %.0fs)"
              % (t_linux - t0, time.time() - t_linux))
