"""Every image boots in QEMU, shows the banner and the prompt, runs commands
typed over serial, and hands back to the BIOS on `exit`."""

import os
import re
import shutil
import tempfile

from lab import BIN, Guest, Lab, TestFailure

BANNER = r"dust \S+ -- network boot firmware"
# After `exit`, SeaBIOS either runs INT 18h or moves to its next device.
NEXT_DEVICE = r"enter handle_18|Booting from (Floppy|DVD/CD|Hard Disk|ROM)|No bootable device"


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def reach_prompt(g):
    """Boot to the banner and ask for the command line with Ctrl-B (with a
    NIC present dust would otherwise try to boot from the network)."""
    g.expect(BANNER, 90, "banner")
    g.expect(r"Press Ctrl-B", 30, "the Ctrl-B offer")
    g.send("\x02")
    g.expect(r"dust> ", 60, "prompt")


def use_shell(g, nic_id, image_kind):
    """The checks every image must pass once started."""
    reach_prompt(g)
    out = g.command("echo dust-echo-works")
    check(re.search(r"^dust-echo-works\r?$", out, re.M), "echo printed:\n" + out)
    out = g.command("version")
    check(image_kind in out, "version does not say %r:\n%s" % (image_kind, out))
    out = g.command("memmap")
    check("usable" in out and "(dust)" in out,
          "memmap shows no usable RAM or no dust range:\n" + out)
    out = g.command("pciscan")
    check(nic_id in out, "pciscan does not list the NIC %s:\n%s" % (nic_id, out))
    out = g.command("nosuchcommand")
    check("unknown command" in out, "unknown command not reported:\n" + out)
    mark = len(g.seabios_log())
    g.send("exit\r")
    g.expect_seabios(NEXT_DEVICE, 60, after=mark,
                     what="the BIOS trying its next boot device after exit")


def test_lkrn():
    with Guest(["-kernel", os.path.join(BIN, "dust.lkrn"),
                "-nic", "none", "-device", "e1000,romfile="]) as g:
        use_shell(g, "8086:100e", "Linux kernel format")


def test_iso_cdrom():
    with Guest(["-cdrom", os.path.join(BIN, "dust.iso"), "-boot", "d",
                "-nic", "none", "-device", "e1000,romfile="]) as g:
        use_shell(g, "8086:100e", "CD (El Torito)")


def usb_disk(path):
    return ["-device", "qemu-xhci",
            "-drive", "file=%s,format=raw,if=none,id=u,snapshot=on" % path,
            "-device", "usb-storage,drive=u,bootindex=1"]


def test_iso_as_usb_disk():
    with Guest(usb_disk(os.path.join(BIN, "dust.iso")) +
               ["-nic", "none", "-device", "e1000,romfile="]) as g:
        use_shell(g, "8086:100e", "disk image")


def test_usb_image():
    with Guest(usb_disk(os.path.join(BIN, "dust.usb")) +
               ["-nic", "none", "-device", "rtl8139,romfile="]) as g:
        use_shell(g, "10ec:8139", "disk image")


def rom_test(device, rom, nic_id):
    with Guest(["-nic", "none", "-device",
                "%s,romfile=%s" % (device, os.path.join(BIN, rom)),
                "-boot", "n"]) as g:
        use_shell(g, nic_id, "PCI option ROM")
        log = g.seabios_log()
        check("bad checksum" not in log, "SeaBIOS rejected the ROM:\n" + log[-800:])


def test_rom_e1000():
    rom_test("e1000", "e1000.rom", "8086:100e")


def test_rom_rtl8139():
    rom_test("rtl8139", "rtl8139.rom", "10ec:8139")


def test_rom_virtio():
    rom_test("virtio-net-pci", "virtio-net.rom", "1af4:1000")


def pxe_test(nbp, kind):
    """QEMU's own NIC ROM (a stock PXE ROM) fetches the program over TFTP."""
    with Lab("pxe") as lab:
        tap = lab.add_tap()
        # The stock ROM gets the program; dust (user class "dust") not.
        lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust",
                           "dhcp-boot=tag:!dust," + os.path.basename(nbp)],
                    tftp_files=[os.path.join(BIN, nbp)])
        with Guest(["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
                    "-device", "e1000,netdev=n0,mac=52:54:00:12:34:56",
                    "-boot", "n"], lab=lab) as g:
            use_shell(g, "8086:100e", kind)


def test_pxe_native():
    pxe_test("dust.pxe", "PXE program (native drivers)")


def test_pxe_undionly():
    pxe_test("undionly.kpxe", "PXE program (UNDI")


def damaged_lkrn(mutate):
    tmp = tempfile.mkdtemp(prefix="dust-bad-")
    path = os.path.join(tmp, "bad.lkrn")
    shutil.copy(os.path.join(BIN, "dust.lkrn"), path)
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        setup = (data[0x1f1] + 1) * 512
        data = mutate(data, setup)
        f.seek(0)
        f.truncate()
        f.write(data)
    return tmp, path


def bad_image_test(mutate, message):
    tmp, path = damaged_lkrn(mutate)
    try:
        with Guest(["-kernel", path, "-nic", "none"]) as g:
            g.expect(message, 60, "the error message")
            g.expect_seabios(NEXT_DEVICE, 60,
                             what="the BIOS trying its next boot device")
            check("network boot firmware" not in g.output,
                  "a damaged image started anyway:\n" + g.output)
    finally:
        shutil.rmtree(tmp)


def test_corrupt_image_is_caught():
    def flip(data, setup):
        data[setup + 4000] ^= 0x40
        return data
    bad_image_test(flip, r"dust: image is corrupt or truncated: payload checksum mismatch")


def test_truncated_image_is_caught():
    # A boot loader loads what the file holds; the rest of the payload the
    # header announces is whatever memory held, which the checksum catches.
    def cut(data, setup):
        return data[:setup + (len(data) - setup) // 2]
    bad_image_test(cut, r"dust: image is corrupt or truncated: payload checksum mismatch")
