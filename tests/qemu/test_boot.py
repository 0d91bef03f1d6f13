"""Downloads and boots: a Debian kernel and initramfs fetched by a script
that chains another script, over TFTP from dnsmasq (and over HTTP when
TCP is there); large files over TFTP with windowsize, checked inside dust
with sha256sum."""

import hashlib
import os
import random
import re
import shutil

import assets
from lab import BIN, Lab, TestFailure, dust_guest, to_prompt

KERNEL_ARGS = "console=ttyS0 panic=-1 quiet"


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def stage_boot_files(lab, marker):
    """kernel, initramfs and two scripts in the lab's TFTP root."""
    tftp = lab.path("tftp")
    os.makedirs(tftp, exist_ok=True)
    os.chmod(tftp, 0o755)
    shutil.copy(assets.kernel(), os.path.join(tftp, "vmlinuz"))
    assets.initramfs(os.path.join(tftp, "initrd.img"), assets.MARKER_INIT)
    with open(os.path.join(tftp, "boot.ipxe"), "w") as f:
        f.write("#!ipxe\necho first script\nchain kernel.ipxe\n")
    with open(os.path.join(tftp, "kernel.ipxe"), "w") as f:
        f.write("#!ipxe\nkernel vmlinuz %s marker=%s\ninitrd initrd.img\nboot\n"
                % (KERNEL_ARGS, marker))
    for name in os.listdir(tftp):
        os.chmod(os.path.join(tftp, name), 0o644)


def boot_chained(lab, kernel_uri, marker):
    """dust boots by itself: the first script, the kernel download (its
    URI as a pattern), the boot, and the initramfs with its marker."""
    with dust_guest(lab, memory=256) as g:
        g.expect(r"first script", 120, "the first script running")
        g.expect(kernel_uri + r"\.\.\. .*ok", 240, "the kernel download")
        g.expect(r"Booting vmlinuz", 120, "the boot")
        g.expect(r"DUST-INITRAMFS-OK cmdline: .*marker=" + marker, 600,
                 "the initramfs marker")


def test_tftp_kernel_via_chained_scripts():
    with Lab("tftpboot") as lab:
        stage_boot_files(lab, "tftp-chain")
        lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust",
                           "dhcp-boot=tag:dust,boot.ipxe"])
        boot_chained(lab, r"vmlinuz", "tftp-chain")


def make_file(path, size, seed):
    rnd = random.Random(seed)
    h = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            block = rnd.randbytes(n)
            f.write(block)
            h.update(block)
            left -= n
    os.chmod(path, 0o644)
    return h.hexdigest()


def fetch_and_check(lab, uri, digest, nic="e1000"):
    """dust fetches uri (big.bin) and its sha256sum must be digest;
    returns the frames received (ifstat's RX count)."""
    with dust_guest(lab, nic=nic, memory=256) as g:
        to_prompt(g)
        g.command("dhcp", timeout=60)
        out = g.command("imgfetch " + uri, timeout=900)
        check("ok (" in out, "download failed:\n" + out[-800:])
        out = g.command("sha256sum big.bin", timeout=300)
        check(digest in out, "digest %s not in:\n%s" % (digest, out))
        out = g.command("ifstat net0", timeout=30)
        m = re.search(r"RX:(\d+) ", out)
        check(m, "no RX count in:\n" + out)
        return int(m.group(1))


def stage_big(lab, seed):
    """A lab with DHCP and a directory holding big.bin (64 MiB of the
    seed's bytes); returns the directory and big.bin's sha256."""
    root = lab.path("big")
    os.makedirs(root)
    os.chmod(root, 0o755)
    lab.dnsmasq()
    return root, make_file(os.path.join(root, "big.bin"), 64 << 20, seed)


def test_tftp_64mib_windowsize():
    """atftpd implements RFC 7440 windowsize (dnsmasq does not)."""
    with Lab("tftpbig") as lab:
        root, digest = stage_big(lab, 64)
        lab.atftpd(root, port=1069)
        fetch_and_check(lab, "tftp://192.0.2.1:1069/big.bin", digest)


def test_http_kernel_via_chained_scripts():
    """The same over HTTP from Python's HTTP/1.1 server: DHCP names the
    first script by URL, the second is named relative to it, and so are
    the kernel and initramfs."""
    with Lab("httpboot") as lab:
        stage_boot_files(lab, "http-chain")
        lab.http_server(lab.path("tftp"))
        lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust",
                           "dhcp-boot=tag:dust,"
                           "http://192.0.2.1:8080/boot.ipxe"])
        boot_chained(lab, r"http://192\.0\.2\.1:8080/vmlinuz", "http-chain")


def test_http_64mib():
    """64 MiB over HTTP, checked inside dust."""
    with Lab("httpbig") as lab:
        root, digest = stage_big(lab, 65)
        lab.http_server(root)
        fetch_and_check(lab, "http://192.0.2.1:8080/big.bin", digest)


def test_http_64mib_virtio_offloads():
    """The same over virtio-net, whose driver takes the receive offloads
    (GUEST_CSUM, GUEST_TSO4) on both of its interfaces: the host then
    hands over segments of up to 64 KiB with checksums it vouches for.
    The digest shows they were put together right; the frame count that
    they were big (1448-byte segments would be over 46000 frames)."""
    with Lab("httpvirtio") as lab:
        root, digest = stage_big(lab, 66)
        lab.http_server(root)
        for nic in ("virtio-net-pci", "virtio-net-pci,disable-modern=on"):
            frames = fetch_and_check(lab, "http://192.0.2.1:8080/big.bin",
                                     digest, nic)
            check(frames < (64 << 20) // 1448 // 4,
                  "%s: %d frames received for 64 MiB: no large segments"
                  % (nic, frames))
