"""Test assets built on demand and cached in build/assets: a Debian kernel
(downloaded as a package, unpacked, never installed) and small initramfs
images made of busybox and an /init script."""

import glob
import os
import shutil
import stat
import subprocess
import tempfile

from lab import ROOT

ASSETS = os.path.join(ROOT, "build", "assets")
KERNEL_PKG = "linux-image-6.1.0-56-amd64"
BUSYBOX = "/bin/busybox"


def _run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.STDOUT, **kw)


def kernel_tree():
    """The unpacked kernel package (vmlinuz and modules)."""
    tree = os.path.join(ASSETS, "kernel")
    if os.path.isdir(os.path.join(tree, "boot")):
        return tree
    os.makedirs(ASSETS, exist_ok=True)
    dl = tempfile.mkdtemp(dir=ASSETS)
    os.chmod(dl, 0o777)   # apt's download user must be able to write
    try:
        pkg = os.environ.get("DUST_KERNEL_PKG", KERNEL_PKG)
        r = subprocess.run(["apt-get", "download", pkg], cwd=dl,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        debs = glob.glob(os.path.join(dl, "*.deb"))
        if not debs:
            # The exact version may have left the archive: take the
            # current one behind the meta-package.
            out = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                                 stdout=subprocess.PIPE, text=True).stdout
            for line in out.splitlines():
                if "Depends: linux-image-" in line:
                    pkg = line.split()[-1]
            subprocess.run(["apt-get", "download", pkg], cwd=dl, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            debs = glob.glob(os.path.join(dl, "*.deb"))
        if not debs:
            raise RuntimeError("cannot download a Debian kernel: " + r.stdout)
        tmp = tree + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        _run(["dpkg", "-x", debs[0], tmp])
        os.rename(tmp, tree)
    finally:
        shutil.rmtree(dl, ignore_errors=True)
    return tree


def kernel():
    return glob.glob(os.path.join(kernel_tree(), "boot", "vmlinuz-*"))[0]


def module(name):
    """Path of a kernel module by file name (e.g. "iscsi_ibft.ko")."""
    found = glob.glob(os.path.join(kernel_tree(), "lib", "modules", "*",
                                   "**", name), recursive=True)
    if not found:
        raise RuntimeError("kernel module %s not found" % name)
    return found[0]


def _newc(entries):
    """An uncompressed cpio archive in "newc" format from
    (name, mode, data) entries (data None for directories), optionally
    (name, mode, data, (major, minor)) for device nodes."""
    out = bytearray()
    ino = 1

    def pad4(n):
        return (4 - n % 4) % 4

    for entry in entries + [("TRAILER!!!", 0, b"")]:
        name, mode, data = entry[:3]
        rdev = entry[3] if len(entry) > 3 else (0, 0)
        body = data or b""
        fields = [ino, mode, 0, 0, 1, 0, len(body), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0]
        hdr = "070701" + "".join("%08x" % f for f in fields)
        out += hdr.encode() + name.encode() + b"\0"
        out += b"\0" * pad4(len(hdr) + len(name) + 1)
        out += body + b"\0" * pad4(len(body))
        ino += 1
    return bytes(out)


def initramfs(path, init, modules=(), files=()):
    """Write an initramfs: busybox, /init (shell text), modules under
    /modules, and extra (name, bytes) files."""
    with open(BUSYBOX, "rb") as f:
        busybox = f.read()
    entries = [("bin", stat.S_IFDIR | 0o755, None),
               ("dev", stat.S_IFDIR | 0o755, None),
               ("proc", stat.S_IFDIR | 0o755, None),
               ("sys", stat.S_IFDIR | 0o755, None),
               ("mnt", stat.S_IFDIR | 0o755, None),
               ("modules", stat.S_IFDIR | 0o755, None),
               ("bin/busybox", stat.S_IFREG | 0o755, busybox),
               ("init", stat.S_IFREG | 0o755,
                ("#!/bin/busybox sh\n/bin/busybox --install -s /bin\n"
                 "export PATH=/bin\n" + init).encode())]
    for m in modules:
        with open(module(m), "rb") as f:
            entries.append(("modules/" + m, stat.S_IFREG | 0o644, f.read()))
    for name, data in files:
        entries.append((name, stat.S_IFREG | 0o644, data))
    with open(path, "wb") as f:
        f.write(_newc(entries))
    return path


# An /init that reports and powers the machine off.
MARKER_INIT = """mount -t proc proc /proc
echo "DUST-INITRAMFS-OK cmdline: $(cat /proc/cmdline)" > /dev/console
poweroff -f
"""
