"""SAN boot over iSCSI against tgtd: dust logs in (without CHAP, with
one-way and mutual CHAP), hooks the LUN as drive 0x80 and boots its boot
sector (tests/qemu/iscsi_mbr.asm), which reads and writes the disk through
INT 13h, checks the iBFT and reports on the serial port.  Also: the
option ROM booting from DHCP's root-path, the verifying disk of
tests/qemu/disk, the target restarting or stopping under the reads, and
login errors."""

import os
import random
import re
import signal
import struct
import subprocess
import time

import sys

from lab import (BIN, Guest, Lab, TestFailure, dust_guest, run, to_prompt,
                 SERVER_IP)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "disk"))
import santest  # noqa: E402
from test_tcp import drop_tcp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = "iqn.2026-11.test.dust:disk1"
MAC = "52:54:00:12:34:56"
DISK_MB = 8
WRITE_LBA = 4000


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


class Tgt:
    """tgtd inside a lab, with its own control port, serving one target
    whose LUN 1 is a file (LUN 0 is tgt's controller)."""

    ports = 0

    def __init__(self, lab):
        Tgt.ports += 1
        self.lab = lab
        self.ctl = 1000 + (os.getpid() * 7 + Tgt.ports) % 20000
        self.proc = None
        self.targets = []

    def adm(self, args, check=True):
        r = self.lab.sh("tgtadm -C %d --lld iscsi %s" % (self.ctl, args),
                        check=False)
        if check and r.returncode:
            raise TestFailure("tgtadm %s: %s" % (args, r.stdout))
        return r

    def start(self):
        self.proc = self.lab.spawn(
            ["tgtd", "-f", "-C", str(self.ctl), "--iscsi",
             "portal=%s:3260" % SERVER_IP],
            log=self.lab.path("tgtd-%d.log" % self.ctl))
        deadline = time.time() + 20
        while self.adm("--op show --mode target", check=False).returncode:
            if time.time() > deadline or self.proc.poll() is not None:
                raise TestFailure("tgtd did not start: " +
                                  open(self.lab.path("tgtd-%d.log" %
                                                     self.ctl)).read())
            time.sleep(0.2)
        for t in self.targets:
            self._create(*t)

    def _create(self, name, backing, accounts):
        self.adm("--op new --mode target --tid 1 -T %s" % name)
        self.adm("--op new --mode logicalunit --tid 1 --lun 1 -b %s" % backing)
        self.adm("--op bind --mode target --tid 1 -I ALL")
        for user, password, outgoing in accounts:
            self.adm("--op new --mode account --user %s --password %s"
                     % (user, password))
            self.adm("--op bind --mode account --tid 1 --user %s%s"
                     % (user, " --outgoing" if outgoing else ""))

    def target(self, name, backing, accounts=()):
        self.targets.append((name, backing, list(accounts)))
        self._create(name, backing, accounts)

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def make_disk(lab, passes=1, read_sectors=512):
    """An 8 MiB disk: the test boot sector, then pseudo-random data.
    Returns its path and the sum the boot sector will print."""
    src = lab.path("mbr.asm")
    with open(os.path.join(HERE, "iscsi_mbr.asm")) as f:
        open(src, "w").write(f.read())
    mbr = lab.path("mbr.bin")
    run(["nasm", "-f", "bin", "-DPASSES=%d" % passes,
         "-DREAD_SECTORS=%d" % read_sectors, "-DWRITE_LBA=%d" % WRITE_LBA,
         "-o", mbr, src])
    data = bytearray(random.Random(7).randbytes(DISK_MB << 20))
    data[:512] = open(mbr, "rb").read()
    region = bytes(data[512:512 + read_sectors * 512])
    total = sum(struct.unpack("<%dI" % (len(region) // 4), region)) & 0xffffffff
    path = lab.path("disk.img")
    with open(path, "wb") as f:
        f.write(data)
    return path, "%08x" % total


def written_ok(path):
    with open(path, "rb") as f:
        f.seek(WRITE_LBA * 512)
        got = f.read(64 * 512)
    want = b"".join(struct.pack("<I", 0x5a000000 + i)
                    for i in range(64 * 512 // 4))
    return got == want


def lab_for_san(name, root_path="iscsi:%s:::1:%s" % (SERVER_IP, TARGET),
                chain=None):
    """A lab whose DHCP gives the client's MAC the root-path; with chain,
    a PXE ROM that is not dust (no user class "dust") gets that program
    over TFTP instead (the seed's chainloading setup)."""
    lab = Lab(name)
    # Chainloading, only dust (user class "dust") is given the root-path:
    # the stock ROM must take the program, not boot the disk itself.
    tags = "tag:client1,tag:dust" if chain else "tag:client1"
    extra = ["dhcp-host=%s,set:client1" % MAC,
             "dhcp-option=%s,17,\"%s\"" % (tags, root_path),
             "dhcp-userclass=set:dust,dust"]
    files = []
    if chain:
        # Router advertisements spare the stock ROM (iPXE) its wait for
        # IPv6 autoconfiguration.
        extra += ["dhcp-boot=tag:!dust,%s" % chain, "enable-ra",
                  "dhcp-range=::,constructor:br0,ra-only"]
        files.append(os.path.join(BIN, chain))
    lab.dnsmasq(extra=extra, tftp_files=files)
    return lab


def santest_verdict(g, timeout):
    """The verifying test disk (tests/qemu/disk) starts, reports OK
    within timeout seconds and ends QEMU with its exit status 3."""
    g.expect(r"SANTEST boot", 120, "the test disk's program")
    m = g.expect(r"SANTEST (OK|FAIL)[^\r\n]*", timeout, "its verdict")
    check(m.group(1) == "OK", m.group(0))
    check(g.wait_exit(60) == 3, "exit status")


def boot_and_check(g, total, extra_cmds=()):
    """dhcp, settings, sanboot; the boot sector's report."""
    to_prompt(g)
    out = g.command("dhcp", timeout=60)
    check("net0: 192.0.2." in out, "no DHCP lease:\n" + out)
    for cmd in extra_cmds:
        g.command(cmd)
    g.send("sanboot\r")
    m = g.expect(r"iscsi\d: %s LUN 1 on 192\.0\.2\.1:3260: (.*)\r?\n" %
                 re.escape(TARGET), 120, "the iSCSI login")
    check("VIRTUAL-DISK" in m.group(1), "INQUIRY model: " + m.group(1))
    g.expect(r"\r\nMBR\r\n", 60, "the boot sector")
    m = g.expect(r"SUM=([0-9a-f]{8})", 300, "the read sum")
    check(m.group(1) == total,
          "boot sector read sum %s, expected %s" % (m.group(1), total))
    g.expect(r"WRITE OK", 120, "the write check")
    g.expect(r"IBFT", 30, "the iBFT")
    code = g.wait_exit(60)
    check(code == 33, "exit status %d" % code)


def test_sanboot():
    lab = lab_for_san("iscsi")
    try:
        path, total = make_disk(lab)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        with dust_guest(lab, mac=MAC) as g:
            boot_and_check(g, total)
        check(written_ok(path), "the written sectors are not in the file")
    finally:
        lab.close()


def test_sanboot_lossy():
    """10 % of TCP packets lost each way: slower, still right."""
    lab = lab_for_san("iscsi-lossy")
    try:
        path, total = make_disk(lab, passes=4, read_sectors=1024)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        drop_tcp(lab, 10)
        with dust_guest(lab, mac=MAC) as g:
            boot_and_check(g, total)
        check(written_ok(path), "the written sectors are not in the file")
    finally:
        lab.close()


def test_sanboot_mutual_chap():
    lab = lab_for_san("iscsi-chap")
    try:
        path, total = make_disk(lab)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path, [("alice", "alice-secret-12", False),
                                  ("target1", "target-secret-9", True)])
        with dust_guest(lab, mac=MAC) as g:
            to_prompt(g)
            out = g.command("dhcp", timeout=60)
            # Without credentials, and with wrong ones: clear refusals.
            out = g.command("sanhook", timeout=120)
            check("login refused: status 0201" in out, out)
            g.command("set username alice")
            g.command("set password wrong-password")
            out = g.command("sanhook", timeout=120)
            check("authentication failed (check username and password)"
                  in out, out)
            g.command("set password alice-secret-12")
            g.command("set reverse-username target1")
            g.command("set reverse-password not-the-target-secret")
            out = g.command("sanhook", timeout=120)
            check("the target failed mutual CHAP" in out, out)
            g.command("set reverse-password target-secret-9")
            g.send("sanboot\r")
            m = g.expect(r"iscsi\d: %s LUN 1 on" % re.escape(TARGET), 120,
                         "the iSCSI login")
            g.expect(r"SUM=%s" % total, 300, "the read sum")
            g.expect(r"WRITE OK", 120, "the write check")
            g.expect(r"IBFT", 30, "the iBFT")
            check(g.wait_exit(60) == 33, "exit status")
        check(written_ok(path), "the written sectors are not in the file")
    finally:
        lab.close()


def test_rom_autoboot_unsolicited_writes():
    """dust in the NIC's option ROM boots from the root-path DHCP gives,
    with nobody at the keyboard; the target takes unsolicited data
    (InitialR2T=No) in small PDUs, so writes use immediate data, then
    Data-Out PDUs up to FirstBurstLength, then R2Ts."""
    lab = lab_for_san("iscsi-rom")
    try:
        path, total = make_disk(lab, passes=2, read_sectors=1024)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        for key, value in (("InitialR2T", "No"), ("FirstBurstLength", 16384),
                           ("MaxRecvDataSegmentLength", 4096)):
            tgt.adm("--op update --mode target --tid 1 -n %s -v %s"
                    % (key, value))
        tap = lab.add_tap()
        args = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no"
                % tap, "-device", "e1000,netdev=n0,mac=%s,romfile=%s"
                % (MAC, os.path.join(BIN, "e1000.rom")), "-boot", "n"]
        with Guest(args, lab=lab) as g:
            g.expect(r"iscsi\d: %s LUN 1 on" % re.escape(TARGET), 120,
                     "the iSCSI login")
            g.expect(r"SUM=%s" % total, 300, "the read sum")
            g.expect(r"WRITE OK", 120, "the write check")
            g.expect(r"IBFT", 30, "the iBFT")
            check(g.wait_exit(60) == 33, "exit status")
        check(written_ok(path), "the written sectors are not in the file")
    finally:
        lab.close()


def test_target_restart():
    """tgtd is killed while the boot sector reads, and comes back: the
    reads go on after a new login."""
    lab = lab_for_san("iscsi-restart")
    try:
        path, total = make_disk(lab, passes=30, read_sectors=256)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        with dust_guest(lab, mac=MAC) as g:
            to_prompt(g)
            g.command("dhcp", timeout=60)
            g.send("sanboot\r")
            g.expect(r"\r\nMBR\r\n", 120, "the boot sector")
            g.expect(r"\.\.", 120, "reads going on")
            tgt.kill()
            time.sleep(3)
            tgt.start()
            g.expect(r"connection to the target lost", 60,
                     "the lost connection noticed")
            g.expect(r"logged in again", 60, "the new login")
            g.expect(r"SUM=%s" % total, 300, "the read sum")
            g.expect(r"WRITE OK", 120, "the write check")
            check(g.wait_exit(60) == 33, "exit status")
        check(written_ok(path), "the written sectors are not in the file")
    finally:
        lab.close()


def test_target_stall():
    """tgtd stops (SIGSTOP) under the reads for 20 s: the connection
    stays up but nothing answers; dust pings, gives the connection up
    after 15 s of silence, and its new login is answered once tgtd
    runs again."""
    lab = lab_for_san("iscsi-stall")
    try:
        path, total = make_disk(lab, passes=30, read_sectors=256)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        with dust_guest(lab, mac=MAC) as g:
            to_prompt(g)
            g.command("dhcp", timeout=60)
            g.send("sanboot\r")
            g.expect(r"\r\nMBR\r\n", 120, "the boot sector")
            g.expect(r"\.\.", 120, "reads going on")
            os.killpg(tgt.proc.pid, signal.SIGSTOP)
            g.expect(r"no answer from the target for 15 s", 60,
                     "the silence noticed")
            time.sleep(3)
            os.killpg(tgt.proc.pid, signal.SIGCONT)
            g.expect(r"logged in again", 60, "the new login")
            g.expect(r"SUM=%s" % total, 300, "the read sum")
            g.expect(r"WRITE OK", 120, "the write check")
            check(g.wait_exit(60) == 33, "exit status")
        check(written_ok(path), "the written sectors are not in the file")
    finally:
        lab.close()


def test_santest_disk():
    """The verifying test disk (tests/qemu/disk): its boot program reads
    every sector with EDD and CHS calls and checks each dword."""
    lab = lab_for_san("iscsi-santest")
    try:
        path = santest.build(lab.path("santest.img"), 32)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        with dust_guest(lab, mac=MAC) as g:
            to_prompt(g)
            g.command("dhcp", timeout=60)
            g.send("sanboot\r")
            santest_verdict(g, 600)
    finally:
        lab.close()


def test_login_errors():
    lab = lab_for_san("iscsi-err")
    try:
        path, total = make_disk(lab)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        with dust_guest(lab, mac=MAC) as g:
            to_prompt(g)
            g.command("dhcp", timeout=60)
            out = g.command("sanhook iscsi:192.0.2.1::::%s" % TARGET,
                            timeout=120)
            check("LUN 0 is not a disk (SCSI device type 0x0c)" in out, out)
            out = g.command("sanhook iscsi:192.0.2.1:::1:%s:typo" % TARGET,
                            timeout=120)
            check("status 0203: no such target" in out, out)
            out = g.command("sanhook iscsi:192.0.2.1:::7:%s" % TARGET,
                            timeout=120)
            # REPORT LUNS: tgt lists its controller and the disk.
            check("has no LUN 7 (it has: 0 1)" in out, out)
            out = g.command("sanhook iscsi:192.0.2.1::3261:1:%s" % TARGET,
                            timeout=120)
            check("Connection refused" in out, out)
            out = g.command("sanhook iscsi:192.0.2.1::x:1:%s" % TARGET)
            check('port field "x" is not a number' in out, out)
            # And then it works.
            out = g.command("sanhook", timeout=120)
            check("LUN 1 on 192.0.2.1:3260" in out, out)
    finally:
        lab.close()


def test_rom_wrong_lun():
    """The root-path asks for LUN 3 of a target with LUNs 0 (tgt's
    controller) and 1: dust in the virtio option ROM names the LUNs the
    target has (REPORT LUNS) and hands back to the BIOS."""
    lab = lab_for_san("iscsi-lun", root_path="iscsi:%s:::3:%s" %
                      (SERVER_IP, TARGET))
    try:
        path, total = make_disk(lab)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        tap = lab.add_tap()
        args = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no"
                % tap, "-device", "virtio-net-pci,netdev=n0,mac=%s,romfile=%s"
                % (MAC, os.path.join(BIN, "virtio-net.rom")), "-boot", "n"]
        with Guest(args, lab=lab) as g:
            g.expect(r"iscsi\d: %s has no LUN 3 \(it has: 0 1\)\r?\n"
                     % re.escape(TARGET), 120, "the missing LUN named")
            mark = len(g.seabios_log())
            g.expect(r"dust: handing back to the BIOS", 60, "the hand-back")
            g.expect_seabios(r"enter handle_18|Booting from|No bootable "
                             r"device", 60, after=mark,
                             what="the BIOS going on after dust")
    finally:
        lab.close()


def santest_boot(name, device, boot_args, chain=None):
    """Unattended SAN boot of the verifying test disk with dust started
    from one image: DHCP gives the root-path, dust boots the disk, the
    disk's program reads it all through INT 13h and exits QEMU."""
    lab = lab_for_san("iscsi-" + name, chain=chain)
    try:
        path = santest.build(lab.path("santest.img"), 8)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        tap = lab.add_tap()
        args = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no"
                % tap, "-device", "%s,netdev=n0,mac=%s" % (device, MAC)]
        with Guest(args + boot_args, lab=lab) as g:
            g.expect(r"iscsi\d: %s LUN 1 on" % re.escape(TARGET), 120,
                     "the iSCSI login")
            santest_verdict(g, 300)
    finally:
        lab.close()


def test_santest_from_iso():
    santest_boot("iso", "e1000,romfile=",
                 ["-cdrom", os.path.join(BIN, "dust.iso"), "-boot", "d"])


def test_santest_from_usb():
    """dust on a USB stick: the stick (BIOS disk 80h) moves to 81h."""
    santest_boot("usb", "e1000,romfile=", [
        "-device", "qemu-xhci", "-drive", "file=%s,format=raw,if=none,"
        "id=u,snapshot=on" % os.path.join(BIN, "dust.usb"),
        "-device", "usb-storage,drive=u,bootindex=1"])


def test_santest_from_rtl8139_rom():
    santest_boot("rtl", "rtl8139,romfile=" +
                 os.path.join(BIN, "rtl8139.rom"), ["-boot", "n"])


def test_santest_from_virtio_rom():
    santest_boot("virtio", "virtio-net-pci,romfile=" +
                 os.path.join(BIN, "virtio-net.rom"), ["-boot", "n"])


def test_santest_chained_undionly():
    """QEMU's own NIC ROM (a stock PXE ROM) gets undionly.kpxe over TFTP;
    dust asks DHCP again as "dust", gets the root-path and SAN-boots
    through the ROM's UNDI."""
    santest_boot("undionly", "e1000", ["-boot", "n"], chain="undionly.kpxe")


def test_santest_chained_dust_pxe():
    """The same with dust.pxe, which unloads the ROM's stack and drives
    the NIC itself."""
    santest_boot("dustpxe", "e1000", ["-boot", "n"], chain="dust.pxe")
