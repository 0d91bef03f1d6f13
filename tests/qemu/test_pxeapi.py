"""The PXE API dust offers the programs it chainloads: Debian's PXELINUX
(UDP API) and lpxelinux (raw UNDI) boot a Debian kernel through it; dust's
own undionly.kpxe drives the NIC through it; and the chainload loop guard
stops dust from starting itself again when a server hands everyone the
same boot file."""

import os
import re
import shutil
import subprocess

import assets
from lab import BIN, Guest, Lab, TestFailure, dust_guest, to_prompt

MAC = "52:54:00:12:34:56"
PXELINUX = "/usr/lib/PXELINUX"
SYSLINUX_MODULES = "/usr/lib/syslinux/modules/bios"
KERNEL_ARGS = "console=ttyS0 panic=-1 quiet"
# A PXE call dust made that failed: "undi: UNDI_OPEN failed: status ...".
PXE_FAILURE = r"^(undi|pxe): (\S+) failed: status (0x[0-9a-f]+) \((\S+)\)"


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def stage_pxelinux(lab, loader, marker):
    """The loader, ldlinux.c32, pxelinux.cfg/default, kernel and initramfs
    in the lab's TFTP root."""
    tftp = lab.path("tftp")
    os.makedirs(os.path.join(tftp, "pxelinux.cfg"), exist_ok=True)
    shutil.copy(os.path.join(PXELINUX, loader), tftp)
    shutil.copy(os.path.join(SYSLINUX_MODULES, "ldlinux.c32"), tftp)
    shutil.copy(assets.kernel(), os.path.join(tftp, "vmlinuz"))
    assets.initramfs(os.path.join(tftp, "initrd.img"), assets.MARKER_INIT)
    with open(os.path.join(tftp, "pxelinux.cfg", "default"), "w") as f:
        f.write("SERIAL 0 115200\nPROMPT 0\nDEFAULT linux\nLABEL linux\n"
                "  KERNEL vmlinuz\n  APPEND initrd=initrd.img %s marker=%s\n"
                % (KERNEL_ARGS, marker))
    for root, dirs, files in os.walk(tftp):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def chain_loader(loader, nic="e1000"):
    """dust.lkrn boots by itself: DHCP (user class dust) names the loader,
    which reads its configuration and the kernel through dust's PXE API
    and boots the kernel after unloading the stack."""
    marker = loader.replace(".", "-")
    with Lab("pxeapi") as lab:
        stage_pxelinux(lab, loader, marker)
        log = lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust",
                                 "dhcp-boot=tag:dust," + loader])
        with dust_guest(lab, nic=nic, memory=256) as g:
            g.expect(r"Starting %s as a PXE program" % re.escape(loader),
                     120, "dust starting " + loader)
            g.expect(r"PXELINUX 6\.\d+", 60, "the loader's banner")
            g.expect(r"^pxe: stack unloaded, NICs closed",
                     300, "the loader unloading dust's stack")
            g.expect(r"DUST-INITRAMFS-OK cmdline: .*marker=%s" % marker,
                     600, "the initramfs marker")
            served = open(log).read()
            for name in ("ldlinux.c32", "pxelinux.cfg/default", "vmlinuz",
                         "initrd.img"):
                check(re.search(r"sent \S*/%s to 192\.0\.2\.\d+"
                                % re.escape(name), served),
                      "%s did not fetch %s:\n%s" % (loader, name,
                                                    served[-2000:]))
            check(not re.search(PXE_FAILURE, g.output, re.M),
                  "a PXE call failed:\n" + g.output)


def test_pxelinux_udp_api():
    """pxelinux.0 does its own TFTP over PXENV_UDP_*."""
    chain_loader("pxelinux.0")


def test_lpxelinux_raw_undi():
    """lpxelinux.0 runs lwIP on PXENV_UNDI_TRANSMIT and polled UNDI_ISR."""
    chain_loader("lpxelinux.0")


def test_lpxelinux_raw_undi_virtio():
    """The same on virtio-net, whose driver takes receive offloads for
    dust's own stack: the first UNDI call reopens it without them, as
    lwIP must see frames as they were on the wire (finished checksums,
    no segment longer than the MTU)."""
    chain_loader("lpxelinux.0", "virtio-net-pci")


def test_undionly_on_dust():
    """dust's own UNDI driver (undionly.kpxe) on dust's UNDI services:
    DHCP and ping through them; on exit the outer dust has its NIC back."""
    with Lab("pxeundi") as lab:
        script = lab.path("outer.ipxe")
        with open(script, "w") as f:
            f.write("#!ipxe\ndhcp\nchain tftp://192.0.2.1/undionly.kpxe\n"
                    "echo outer dust is back\n")
        lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust"],
                    tftp_files=[os.path.join(BIN, "undionly.kpxe")])
        with dust_guest(lab, memory=256, extra=["-initrd", script]) as g:
            g.expect(r"Starting undionly\.kpxe as a PXE program", 120,
                     "the outer dust starting undionly.kpxe")
            m = g.expect(r"(net\d+): %s via UNDI \(!PXE entry "
                         r"[0-9a-f]{4}:[0-9a-f]{4}\), PCI 00:03\.0 "
                         r"8086:100e, IRQ 0" % MAC, 120,
                         "the inner dust's UNDI device")
            netdev = m.group(1)
            to_prompt(g)
            out = g.command("dhcp", timeout=90)
            check(re.search(r"^%s: 192\.0\.2\.\d+/24 gateway 192\.0\.2\.1"
                            % netdev, out, re.M),
                  "DHCP over the UNDI services failed:\n" + out)
            out = g.command("ping -c 3 192.0.2.1", timeout=60)
            check(re.search(r"^3 sent, 3 received", out, re.M),
                  "ping over the UNDI services lost replies:\n" + out)
            check(not re.search(PXE_FAILURE, g.output, re.M),
                  "a PXE call failed:\n" + g.output)
            g.send("exit\r")
            g.expect(r"undionly\.kpxe returned \(status 0+\)", 60,
                     "the inner dust returning")
            g.expect(r"outer dust is back", 30, "the outer script going on")
            g.expect(r"dust> ", 30, "the outer prompt")
            out = g.command("ping -c 2 192.0.2.1", timeout=60)
            check(re.search(r"^2 sent, 2 received", out, re.M),
                  "the outer dust lost its NIC:\n" + out)


def test_chainload_loop_guard():
    """A server that hands every client undionly.kpxe, dust included:
    QEMU's PXE ROM starts it, dust gets undionly.kpxe again and stops with
    one clear line instead of starting itself over and over."""
    with Lab("pxeloop") as lab:
        tap = lab.add_tap()
        lab.dnsmasq(extra=["dhcp-boot=undionly.kpxe"],
                    tftp_files=[os.path.join(BIN, "undionly.kpxe")])
        with Guest(["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no"
                    % tap, "-device", "e1000,netdev=n0,mac=%s" % MAC,
                    "-boot", "n"], lab=lab) as g:
            g.expect(r"dust \S+ -- network boot firmware", 120, "dust")
            g.expect(r"^undionly\.kpxe is this very dust: not chaining it "
                     r"again \(DHCP must answer user class \"dust\" "
                     r"differently\)\r?$", 120, "the loop guard")
            g.expect(r"dust: nothing booted", 30, "autoboot giving up")
            g.expect(r"dust: handing back to the BIOS", 30, "dust leaving")
            check("Starting undionly.kpxe" not in g.output,
                  "dust started itself:\n" + g.output)
            check(len(re.findall(r"-- network boot firmware", g.output)) == 1,
                  "dust ran more than once:\n" + g.output)


def stage_pxetest(tftp):
    """pxetest.0 (built from pxetest.asm) and the file it reads; returns
    what its report lines must say."""
    os.makedirs(tftp, exist_ok=True)
    os.chmod(tftp, 0o755)
    here = os.path.dirname(os.path.abspath(__file__))
    r = subprocess.run(["nasm", "-f", "bin", "-o",
                        os.path.join(tftp, "pxetest.0"),
                        os.path.join(here, "pxetest.asm")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    check(r.returncode == 0, "nasm failed:\n" + r.stdout)
    data = bytes((i * 7 + i // 251) & 0xff for i in range(60000))
    with open(os.path.join(tftp, "pxetest.bin"), "wb") as f:
        f.write(data)
    for name in os.listdir(tftp):
        os.chmod(os.path.join(tftp, name), 0o644)
    size, total = len(data), sum(data) & 0xffff
    return {
        "int1a": "ax=564E cf=0 same=1",
        "sums": "pxenv=00 ppxe=00",
        "cached": "status=0000 op=02 server=010200C0",
        "fsize": "status=0000 size=%08X" % size,
        "read": "status=0000 packets=%04X bytes=%04X sum=%04X"
                % (size // 512 + 1, size & 0xffff, total),
        "readfile": "status=0000 size=%08X sum=%04X" % (size, total),
        "missing": "status=003B",
        "unknown": "ax=0001 status=0003",
        "badptr": "ax=0001 cf=1 kept=1",
    }


def check_pxetest(g, want, unload="ax=0000 status=0000"):
    """The program's report; by default it took the stack down."""
    want = dict(want, unload=unload)
    g.expect(r"PXETEST done", 180, "the test program finishing")
    g.expect(r"pxetest\.0 returned \(status 0+\)", 30,
             "the program returning to dust")
    if unload.endswith("0000"):
        g.expect(r"pxetest\.0 unloaded the stack: dust leaves", 30,
                 "dust leaving after the unload")
    lines = dict(re.findall(r"^PXETEST (\w+) (.*?)\r?$", g.output, re.M))
    for key, value in want.items():
        check(lines.get(key) == value,
              "%s: %r, not %r\n%s" % (key, lines.get(key), value,
                                      g.output[-3000:]))


def test_pxe_calls_from_real_mode():
    """A small PXE program of our own (pxetest.asm) finds the stack three
    ways, checks the structures, and calls GET_CACHED_INFO, the TFTP
    services, an unknown opcode and a block in the interrupt table
    through both entry points; then it returns to dust."""
    with Lab("pxecalls") as lab:
        want = stage_pxetest(lab.path("tftp"))
        lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust",
                           "dhcp-boot=tag:dust,pxetest.0"])
        with dust_guest(lab) as g:
            check_pxetest(g, want)
            check(re.search(r"^pxe: stack unloaded, NICs closed", g.output,
                            re.M), "no word of the unload:\n" + g.output)


# The README's ISC dhcpd host block, with a boot file for dust instead of
# an iSCSI root-path.
ISC_HOST = """next-server 192.0.2.1;
host client-1 {
        hardware ethernet %s;
        if exists user-class and option user-class = "dust" {
                filename "pxetest.0";
        } else {
                filename "undionly.kpxe";
        }
}
""" % MAC


def test_isc_dhcpd_user_class_chain():
    """The README's ISC dhcpd setup: QEMU's PXE ROM gets undionly.kpxe,
    dust (on the ROM's UNDI) gets the program meant for it, and serves
    that program the PXE API in turn."""
    with Lab("pxeisc") as lab:
        tftp = lab.path("tftp")
        want = stage_pxetest(tftp)
        shutil.copy(os.path.join(BIN, "undionly.kpxe"), tftp)
        os.chmod(os.path.join(tftp, "undionly.kpxe"), 0o644)
        lab.atftpd(tftp)
        log = lab.isc_dhcpd(ISC_HOST)
        tap = lab.add_tap()
        with Guest(["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no"
                    % tap, "-device", "e1000,netdev=n0,mac=%s" % MAC,
                    "-boot", "n"], lab=lab) as g:
            g.expect(r"net\d+: %s via UNDI" % MAC, 120, "dust on the ROM")
            g.expect(r"Starting pxetest\.0 as a PXE program", 120,
                     "dust starting the file dhcpd named for it")
            check_pxetest(g, want)
            check(len(re.findall(r"-- network boot firmware", g.output)) == 1,
                  "dust ran more than once:\n" + g.output)
            check(re.search(r"DHCPACK on 192\.0\.2\.\d+ to %s" % MAC,
                            open(log).read()),
                  "dhcpd gave no lease:\n" + open(log).read()[-2000:])


def test_unload_keeps_san_disk():
    """With a SAN disk hooked, a program that shuts the UNDI down and
    unloads the stack is told KEEP_ALL, and the disk still answers INT 13h
    afterwards (dust kept its NIC open)."""
    from test_iscsi import TARGET, Tgt
    with Lab("pxesan") as lab:
        want = stage_pxetest(lab.path("tftp"))
        disk = bytearray(1 << 20)
        disk[510:512] = b"\x55\xaa"
        path = lab.path("disk.img")
        with open(path, "wb") as f:
            f.write(disk)
        tgt = Tgt(lab)
        tgt.start()
        tgt.target(TARGET, path)
        lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust"])
        script = lab.path("san.ipxe")
        with open(script, "w") as f:
            f.write("#!ipxe\ndhcp\nsanhook iscsi:192.0.2.1:::1:%s\n"
                    "chain tftp://192.0.2.1/pxetest.0\n" % TARGET)
        with dust_guest(lab, extra=["-initrd", script]) as g:
            want["disk"] = "cf=0 sig=AA55"
            check_pxetest(g, want, unload="ax=0001 status=0005")
            check(re.search(r"^pxe: dust stays \(SAN disk", g.output, re.M),
                  "no word of dust staying:\n" + g.output)
