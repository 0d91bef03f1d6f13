"""A Linux system that boots diskless over iSCSI from dust, as the seed
article sets one up: a disk image whose MBR chains SYSLINUX on an active
FAT partition, which loads a Debian kernel and an initramfs.  The
initramfs checks the iBFT dust left, brings the NIC up and logs in to the
same target from it with open-iscsi's iscsistart, mounts the disk's FAT
partition and compares a marker file; it reports one line per check on
the serial console and powers the machine off.

Used by tests/qemu/test_sanlinux.py and by `make demo` (tests/qemu/demo.py).

The parts that do not change between runs (initramfs, and the partition
with SYSLINUX, kernel and initramfs on it) are cached in build/assets,
named after a hash of everything they are made from; each run copies the
partition and adds its own syslinux.cfg and marker file, so a stale disk
cannot pass.

Lines the initramfs prints:

    SANLINUX PASS <check>: <value>
    SANLINUX FAIL <check>: got '<value>' want '<value>'
    SANLINUX DONE <passed> passed, <failed> failed
"""

import glob
import gzip
import hashlib
import os
import shutil
import stat
import struct
import subprocess

import assets
from lab import BIN, SERVER_IP

MBR_BIN = "/usr/lib/syslinux/mbr/mbr.bin"
ISCSISTART = "/usr/sbin/iscsistart"

# The client and its target, as DHCP and tgtd are set up for them.
MAC = "52:54:00:d5:00:01"
LEASE_IP = "192.0.2.150"
NETMASK = "255.255.255.0"
HOSTNAME = "client1"
TARGET = "iqn.2026-11.test.dust:linux1"
ROOT_PATH = "iscsi:%s:::1:%s" % (SERVER_IP, TARGET)
# dust's initiator name when DHCP gave a host name (README: initiator-iqn).
INITIATOR = "iqn.2010-04.org.dust:" + HOSTNAME

PART_START = 2048          # sectors: the partition starts at 1 MiB
PART_SECTORS = 65536       # 32 MiB, FAT16

# Kernel modules by phase of the /init below; their dependencies are
# added from the modules' own depends= (see _module_closure).
MODULE_GROUPS = [
    ("ibft", ["iscsi_ibft"]),
    ("nic", ["e1000"]),
    # crc32c_generic: without it the iSCSI connection set-up fails with
    # ENOMEM (libiscsi_tcp asks the crypto API for crc32c).
    ("iscsi", ["crc32c_generic", "iscsi_tcp", "sd_mod"]),
    ("fat", ["vfat", "nls_cp437", "nls_ascii"]),
]

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
CMDLINE=$(cat /proc/cmdline)
passed=0
failed=0

arg() {
	for w in $CMDLINE; do
		case "$w" in "$1="*) echo "${w#*=}"; return ;; esac
	done
}
ok() { echo "SANLINUX PASS $1: $2"; passed=$((passed + 1)); }
bad() { echo "SANLINUX FAIL $1: $2"; failed=$((failed + 1)); }
same() {
	if [ "$2" = "$3" ]; then ok "$1" "$2"
	else bad "$1" "got '$2' want '$3'"; fi
}
# Load a group of modules (dependencies first), each once.
load() {
	while read -r m; do
		n=$(echo ${m%.ko} | tr - _)
		[ -d /sys/module/$n ] || insmod /lib/modules/$m ||
			echo "SANLINUX note: insmod $m failed"
	done < /lib/modules/$1.list
}
finish() {
	echo "SANLINUX DONE $passed passed, $failed failed"
	sync
	poweroff -f
	sleep 10
}
ibft() { cat /sys/firmware/ibft/$1 2>/dev/null; }

echo "SANLINUX init: Linux $(uname -r) running from the initramfs"

# 1. The iBFT dust left in base memory, as Linux parses it.
load ibft
if [ -d /sys/firmware/ibft/initiator ] && [ -d /sys/firmware/ibft/ethernet0 ] &&
   [ -d /sys/firmware/ibft/target0 ]; then
	ok ibft "initiator, ethernet0, target0 in /sys/firmware/ibft"
else
	bad ibft "got '$(ls /sys/firmware/ibft 2>&1 | tr '\n' ' ')' want 'initiator ethernet0 target0'"
	finish
fi
# The same table listed in the ACPI RSDT (the kernel shows each table
# it finds there).
if [ -e /sys/firmware/acpi/tables/iBFT ]; then
	ok acpi "iBFT listed in the ACPI RSDT"
else
	bad acpi "no /sys/firmware/acpi/tables/iBFT: '$(ls /sys/firmware/acpi/tables 2>&1 | tr '\n' ' ')'"
fi
# Flags: 1 block valid, 2 selected for boot, 4 (NIC) global address.
same initiator.flags "$(ibft initiator/flags)" 3
same initiator.name "$(ibft initiator/initiator-name)" "$(arg sl.iname)"
same ethernet0.flags "$(ibft ethernet0/flags)" 7
same ethernet0.ip-addr "$(ibft ethernet0/ip-addr)" "$(arg sl.ip)"
same ethernet0.subnet-mask "$(ibft ethernet0/subnet-mask)" "$(arg sl.mask)"
# Origin 3: the address came from DHCP.
same ethernet0.origin "$(ibft ethernet0/origin)" 3
same ethernet0.gateway "$(ibft ethernet0/gateway)" "$(arg sl.gw)"
same ethernet0.primary-dns "$(ibft ethernet0/primary-dns)" "$(arg sl.dns)"
same ethernet0.dhcp "$(ibft ethernet0/dhcp)" "$(arg sl.dhcp)"
same ethernet0.mac "$(ibft ethernet0/mac)" "$(arg sl.mac)"
same ethernet0.hostname "$(ibft ethernet0/hostname)" "$(arg sl.host)"
same target0.flags "$(ibft target0/flags)" 3
same target0.ip-addr "$(ibft target0/ip-addr)" "$(arg sl.tip)"
same target0.port "$(ibft target0/port)" "$(arg sl.tport)"
same target0.lun "$(ibft target0/lun)" "$(arg sl.tlun)"
same target0.target-name "$(ibft target0/target-name)" "$(arg sl.tname)"
same target0.nic-assoc "$(ibft target0/nic-assoc)" 0
same target0.chap-type "$(ibft target0/chap-type)" 0

# 2. The NIC, configured from the iBFT.
load nic
i=0
while ! ip link show eth0 >/dev/null 2>&1 && [ $i -lt 20 ]; do
	sleep 1; i=$((i + 1))
done
# The iBFT's PCI location of the NIC: Linux links ethernet0 to the device.
same ethernet0.device "$(ls /sys/firmware/ibft/ethernet0/device/net 2>/dev/null)" eth0
timeout 60 iscsistart -N > /tmp/net.log 2>&1
rc=$?
addr=$(ip -4 addr show 2>/dev/null | grep -o "inet $(arg sl.ip)/[0-9]*")
if [ -n "$addr" ]; then
	ok net "$addr (iscsistart -N exit $rc)"
else
	bad net "got '$(ip -4 -o addr show | tr '\n' ' ')' want '$(arg sl.ip)' (iscsistart -N exit $rc)"
	cat /tmp/net.log
fi

# 3. Log in to the target the iBFT names.
load iscsi
i=0
while :; do
	timeout 60 iscsistart -b > /tmp/login.log 2>&1
	rc=$?
	[ $rc -eq 0 ] || [ $i -ge 2 ] && break
	i=$((i + 1)); sleep 3
done
if [ $rc -eq 0 ]; then
	ok login "iscsistart -b (tries: $((i + 1)))"
else
	bad login "iscsistart -b exit $rc"
	cat /tmp/login.log
	finish
fi

# 4. The disk: wait (bounded) for the SCSI disk and its partition.
dev=
i=0
while [ -z "$dev" ] && [ $i -lt 60 ]; do
	for d in /sys/block/sd*; do
		[ -e "$d/${d##*/}1" ] && dev=${d##*/}
	done
	[ -n "$dev" ] || { sleep 1; i=$((i + 1)); }
done
if [ -n "$dev" ]; then
	what=$(echo $(cat /sys/block/$dev/device/vendor /sys/block/$dev/device/model))
	ok disk "$dev: $what, $(($(cat /sys/block/$dev/size) / 2048)) MiB after ${i}s"
else
	bad disk "no SCSI disk with a partition after ${i}s"
	finish
fi

# 5. Its FAT partition, read-only, and the marker.
load fat
if mount -t vfat -o ro /dev/${dev}1 /mnt; then
	ok mount "/dev/${dev}1 on /mnt"
else
	bad mount "mount -t vfat -o ro /dev/${dev}1 /mnt failed"
	finish
fi
same marker "$(cat /mnt/MARKER.TXT 2>/dev/null)" "$(arg sl.marker)"

if [ "$(arg sl.demo)" = 1 ]; then
	echo
	echo "---- iscsistart -f: the boot firmware table, as open-iscsi reads it"
	iscsistart -f 2>&1 | grep -v -e '^#' -e '= *$' -e '<empty>'
	echo "---- the iSCSI disk's FAT partition (mounted read-only on /mnt)"
	ls -l /mnt
	echo "---- /mnt/WELCOME.TXT"
	cat /mnt/WELCOME.TXT
	echo "----"
fi
umount /mnt
finish
"""


def _elf_modinfo(path):
    """The key=value strings of a kernel module's .modinfo section."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise RuntimeError("%s: not a 64-bit ELF module" % path)
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)

    def section(i):
        base = shoff + i * shentsize
        name, = struct.unpack_from("<I", elf, base)
        off, size = struct.unpack_from("<QQ", elf, base + 0x18)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = elf.index(b"\0", stroff + name)
        if elf[stroff + name:end] == b".modinfo":
            return [s.decode(errors="replace")
                    for s in elf[off:off + size].split(b"\0") if s]
    return []


def _modules_by_name():
    tree = assets.kernel_tree()
    found = {}
    for path in glob.glob(os.path.join(tree, "lib", "modules", "*", "kernel",
                                       "**", "*.ko"), recursive=True):
        found[os.path.basename(path)[:-3].replace("-", "_")] = path
    return found


def _builtin_modules():
    """Names of the modules built into the kernel (modules.builtin)."""
    names = set()
    for path in glob.glob(os.path.join(assets.kernel_tree(), "lib", "modules",
                                       "*", "modules.builtin")):
        with open(path) as f:
            for line in f:
                base = os.path.basename(line.strip())
                if base.endswith(".ko"):
                    names.add(base[:-3].replace("-", "_"))
    return names


def _module_closure(names, index, loaded):
    """Module file paths for names, each after its dependencies, leaving
    out those in `loaded` (which it extends).  Debian's kernel package
    carries no modules.dep (depmod writes it when the package is
    installed), so the dependencies come from each module's depends=."""
    order = []

    def visit(name, path_to):
        name = name.replace("-", "_")
        if name in loaded:
            return
        if name in path_to:
            raise RuntimeError("module dependency loop: " + " ".join(path_to))
        if name not in index:
            raise RuntimeError("kernel module %s not found (is it built in?)"
                               % name)
        for info in _elf_modinfo(index[name]):
            if info.startswith("depends="):
                for dep in filter(None, info[8:].split(",")):
                    visit(dep, path_to + [name])
        loaded.add(name)
        order.append(index[name])

    for n in names:
        visit(n, [])
    return order


def _shared_libs(binary):
    """(path in the image, real file) for the dynamic loader and every
    library ldd names for binary."""
    out = subprocess.run(["ldd", binary], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    libs = []
    for line in out.splitlines():
        line = line.strip()
        if "=>" in line:
            path = line.split("=>")[1].split("(")[0].strip()
        elif line.startswith("/"):
            path = line.split("(")[0].strip()   # the dynamic loader
        else:
            continue                            # linux-vdso
        if not path:
            raise RuntimeError("ldd %s: %s" % (binary, line))
        libs.append((path, os.path.realpath(path)))
    return libs


def _file_digest(h, path):
    h.update(path.encode() + b"\0")
    with open(path, "rb") as f:
        h.update(hashlib.sha256(f.read()).digest())


def _inputs_key(extra=()):
    """A hash of everything the cached parts are made of."""
    h = hashlib.sha256()
    _file_digest(h, os.path.abspath(__file__))
    _file_digest(h, assets.kernel())
    _file_digest(h, assets.BUSYBOX)
    _file_digest(h, ISCSISTART)
    for _, real in _shared_libs(ISCSISTART):
        _file_digest(h, real)
    for path in extra:
        _file_digest(h, path)
    return h.hexdigest()[:16]


def _cached(prefix, key, suffix, make):
    """build/assets/<prefix>-<key><suffix>, made by make(tmp_path) if
    missing; older versions of it are removed."""
    os.makedirs(assets.ASSETS, exist_ok=True)
    path = os.path.join(assets.ASSETS, "%s-%s%s" % (prefix, key, suffix))
    if os.path.exists(path):
        return path
    for old in glob.glob(os.path.join(assets.ASSETS, prefix + "-*" + suffix)):
        os.unlink(old)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        make(tmp)
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _make_initramfs(path):
    dirs = set()
    entries = []

    def add_dirs(name):
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.add(d)
                entries.append((d, stat.S_IFDIR | 0o755, None))

    def add(name, mode, data, rdev=None):
        add_dirs(name)
        entries.append((name, mode, data) + ((rdev,) if rdev else ()))

    def add_file(name, real, mode=0o755):
        with open(real, "rb") as f:
            add(name, stat.S_IFREG | mode, f.read())

    for d in ("bin", "sbin", "dev", "proc", "sys", "mnt", "tmp", "run",
              "etc/iscsi", "var/lock/iscsi", "var/lib/iscsi"):
        add_dirs(d + "/x")
    add("dev/console", stat.S_IFCHR | 0o600, None, (5, 1))
    add_file("bin/busybox", assets.BUSYBOX)
    add_file("sbin/iscsistart", ISCSISTART)
    for name, real in _shared_libs(ISCSISTART):
        add_file(name.lstrip("/"), real)
    index = _modules_by_name()
    loaded = _builtin_modules()     # nothing to load for those
    for group, names in MODULE_GROUPS:
        order = _module_closure(names, index, loaded)
        for p in order:
            add_file("lib/modules/" + os.path.basename(p), p, 0o644)
        add("lib/modules/%s.list" % group, stat.S_IFREG | 0o644,
            "".join(os.path.basename(p) + "\n" for p in order).encode())
    add("init", stat.S_IFREG | 0o755, INIT.encode())
    with open(path, "wb") as f:
        f.write(gzip.compress(assets._newc(entries), 9, mtime=0))


def initramfs():
    """The gzip-compressed initramfs (cached)."""
    return _cached("sanlinux-initrd", _inputs_key(), ".gz", _make_initramfs)


def _mtools(args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="0")
    r = subprocess.run(args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stdout))


def _make_partition(path):
    """The FAT partition with SYSLINUX, the kernel and the initramfs."""
    with open(path, "wb") as f:
        f.truncate(PART_SECTORS * 512)
    # Geometry as dust reports it for CHS callers (255 heads, 63 sectors);
    # hidden sectors: where the partition starts on the disk.
    _mtools(["mformat", "-i", path, "-T", str(PART_SECTORS), "-h", "255",
             "-s", "63", "-H", str(PART_START), "-v", "DUSTSAN",
             "-N", "d0575a11", "::"])
    _mtools(["syslinux", "--install", path])
    _mtools(["mcopy", "-i", path, assets.kernel(), "::/VMLINUZ"])
    _mtools(["mcopy", "-i", path, initramfs(), "::/INITRD.GZ"])


def partition():
    syslinux = subprocess.run(["sh", "-c", "command -v syslinux"],
                              stdout=subprocess.PIPE, text=True).stdout.strip()
    key = _inputs_key([MBR_BIN, syslinux or "/usr/bin/syslinux"])
    return _cached("sanlinux-part", key, ".img", _make_partition)


def _chs(lba):
    """CHS bytes of a partition table entry, 255 heads of 63 sectors."""
    cyl, rest = divmod(lba, 255 * 63)
    head, sect = divmod(rest, 63)
    if cyl > 1023:
        cyl, head, sect = 1023, 254, 62
    return bytes([head, ((cyl >> 2) & 0xc0) | (sect + 1), cyl & 0xff])


def mbr():
    """SYSLINUX's MBR with one active FAT16 (LBA) partition."""
    with open(MBR_BIN, "rb") as f:
        code = f.read()
    if len(code) > 440:
        raise RuntimeError("%s: %d bytes, expected at most 440"
                           % (MBR_BIN, len(code)))
    last = PART_START + PART_SECTORS - 1
    entry = (b"\x80" + _chs(PART_START) + b"\x0e" + _chs(last) +
             struct.pack("<II", PART_START, PART_SECTORS))
    sector = (code.ljust(440, b"\0") + b"dust" + b"\0\0" + entry +
              b"\0" * 48 + b"\x55\xaa")
    assert len(sector) == 512
    return sector


def expected(ip=LEASE_IP, mac=MAC, host=HOSTNAME, initiator=INITIATOR,
             target=TARGET, lun=1):
    """What the initramfs compares the iBFT with: kernel parameters.
    Linux prints the iBFT's LUN one byte at a time with %x, so LUN 1
    (00 01 00 00 00 00 00 00) reads "01000000"."""
    if not 0 <= lun < 256:
        raise ValueError("LUN %d: only single-level LUNs below 256" % lun)
    lun_bytes = struct.pack(">HHHH", lun, 0, 0, 0)
    return {
        # dnsmasq names itself as router and DNS server.
        "sl.ip": ip, "sl.mask": NETMASK, "sl.gw": SERVER_IP,
        "sl.dns": SERVER_IP, "sl.dhcp": SERVER_IP, "sl.mac": mac, "sl.host": host,
        "sl.iname": initiator, "sl.tip": SERVER_IP, "sl.tport": "3260",
        "sl.tlun": "".join("%x" % b for b in lun_bytes), "sl.tname": target,
    }


def syslinux_cfg(params, quiet=True):
    args = ["console=ttyS0,115200", "panic=-1"]
    if quiet:
        args += ["quiet", "loglevel=3"]
    args += ["%s=%s" % kv for kv in params.items()]
    return ("SERIAL 0 115200\n"
            "PROMPT 0\nTIMEOUT 0\nDEFAULT linux\n"
            "LABEL linux\n  KERNEL VMLINUZ\n  INITRD INITRD.GZ\n"
            "  APPEND %s\n" % " ".join(args))


def build_disk(path, marker, params, welcome=None, quiet=True):
    """Write the disk image to path: MBR, 1 MiB gap, the FAT partition
    (a copy of the cached one) with this run's syslinux.cfg, marker file
    (and welcome text).  params: the kernel parameters (expected());
    the marker goes in as sl.marker too."""
    if any(c.isspace() for c in marker):
        raise ValueError("the marker must be one word")
    params = dict(params, **{"sl.marker": marker})
    part = path + ".part"
    shutil.copyfile(partition(), part)
    try:
        files = [("SYSLINUX.CFG", syslinux_cfg(params, quiet)),
                 ("MARKER.TXT", marker + "\n")]
        if welcome:
            files.append(("WELCOME.TXT", welcome))
        for name, text in files:
            src = path + "." + name
            with open(src, "w") as f:
                f.write(text)
            try:
                _mtools(["mcopy", "-o", "-i", part, src, "::/" + name])
            finally:
                os.unlink(src)
        with open(path, "wb") as out, open(part, "rb") as f:
            out.write(mbr())
            out.write(b"\0" * (PART_START * 512 - 512))
            shutil.copyfileobj(f, out, 1 << 20)
    finally:
        os.unlink(part)
    os.chmod(path, 0o644)
    return path


def dnsmasq_options(mac=MAC, ip=LEASE_IP, host=HOSTNAME, root_path=ROOT_PATH):
    """dnsmasq lines: a fixed lease and host name, and the root-path."""
    return ["dhcp-host=%s,set:sanlinux,%s,%s" % (mac, ip, host),
            "dhcp-option=tag:sanlinux,17,\"%s\"" % root_path,
            "dhcp-userclass=set:dust,dust"]


def client_args(lab, via="rom", mac=MAC):
    """QEMU arguments for a diskless client on a new tap of the lab, with
    dust started from the e1000's option ROM (-boot n), a CD (dust.iso)
    or as a Linux kernel (dust.lkrn); QEMU's own NIC ROM is left out."""
    tap = lab.add_tap()
    rom = os.path.join(BIN, "e1000.rom") if via == "rom" else ""
    args = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
            "-device", "e1000,netdev=n0,mac=%s,romfile=%s" % (mac, rom)]
    if via == "rom":
        return args + ["-boot", "n"]
    if via == "iso":
        return args + ["-cdrom", os.path.join(BIN, "dust.iso"), "-boot", "d"]
    if via == "lkrn":
        return args + ["-kernel", os.path.join(BIN, "dust.lkrn")]
    raise ValueError("via: rom, iso or lkrn, not %r" % via)
