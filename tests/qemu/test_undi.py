"""UNDI: QEMU's own NIC ROM (a stock PXE ROM) loads undionly.kpxe, which
drives the NIC through that ROM's PXE stack; dust.pxe instead unloads the
stack.  The same undionly.kpxe must work on every NIC with a PXE ROM."""

import os
import re

from lab import BIN, Guest, Lab, TestFailure, to_prompt

MAC = "52:54:00:12:34:56"
BANNER = r"dust \S+ -- network boot firmware"
# After `exit`, SeaBIOS either runs INT 18h or moves to its next device.
NEXT_DEVICE = r"enter handle_18|Booting from (Floppy|DVD/CD|Hard Disk|ROM)|No bootable device"
# A PXE call that failed: "undi: UNDI_OPEN failed: status 0x6a (...)".
PXE_FAILURE = r"^(undi|pxe): (\S+) failed: status (0x[0-9a-f]+) \((\S+)\)"


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def pxe_guest(lab, nbp, device):
    tap = lab.add_tap()
    # The ROM gets the program; dust itself (user class "dust") gets no
    # boot file, so its autoboot cannot chain to itself.
    log = lab.dnsmasq(extra=["dhcp-userclass=set:dust,dust",
                             "dhcp-boot=tag:!dust," + nbp],
                      tftp_files=[os.path.join(BIN, nbp)])
    g = Guest(["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
               "-device", "%s,netdev=n0,mac=%s" % (device, MAC),
               "-boot", "n"], lab=lab)
    return g, log


def undi_test(device, nic_id):
    with Lab("undi") as lab:
        g, log = pxe_guest(lab, "undionly.kpxe", device)
        with g:
            m = g.expect(r"(net\d+): %s via UNDI \((!PXE|PXENV\+) entry "
                         r"[0-9a-f]{4}:[0-9a-f]{4}\), PCI 00:03\.0 %s, "
                         r"IRQ \d+" % (MAC, nic_id), 120, "the UNDI device")
            netdev = m.group(1)
            to_prompt(g)
            out = g.command("dhcp", timeout=90)
            m = re.search(r"^%s: (192\.0\.2\.\d+)/24 gateway 192\.0\.2\.1"
                          % netdev, out, re.M)
            check(m, "dhcp did not get a lease:\n" + out)
            addr = m.group(1)
            dhcplog = open(log).read()
            check(re.search(r"DHCPACK\(br0\) %s %s" % (re.escape(addr), MAC),
                            dhcplog),
                  "dnsmasq did not acknowledge %s:\n%s" % (addr, dhcplog[-2000:]))
            check("user class: dust" in dhcplog,
                  "dnsmasq saw no user class 'dust':\n" + dhcplog[-2000:])
            out = g.command("ping -c 3 192.0.2.1", timeout=60)
            check(re.search(r"^3 sent, 3 received", out, re.M),
                  "ping from dust lost replies:\n" + out)
            # The server pings dust while it sits at the prompt.
            r = lab.sh("ping -c 3 -W 5 %s" % addr, check=False)
            check(r.returncode == 0,
                  "dust did not answer the server's pings:\n" + r.stdout)
            out = g.command("echo still-here")
            check("still-here" in out, "dust stopped answering:\n" + out)
            failures = re.findall(PXE_FAILURE, g.output, re.M)
            check(not failures, "PXE calls failed: %r\n%s" % (failures, g.output))
            mark = len(g.seabios_log())
            g.send("exit\r")
            g.expect_seabios(NEXT_DEVICE, 60, after=mark,
                             what="the BIOS trying its next boot device after exit")


def test_undi_e1000():
    undi_test("e1000", "8086:100e")


def test_undi_rtl8139():
    undi_test("rtl8139", "10ec:8139")


def test_undi_virtio():
    undi_test("virtio-net-pci", "1af4:1000")


def test_pxe_unloads_stack():
    """dust.pxe takes the ROM's stack down and leaves by INT 18h."""
    with Lab("pxeunload") as lab:
        g, _ = pxe_guest(lab, "dust.pxe", "e1000")
        with g:
            to_prompt(g)
            out = g.output
            # Every step of taking the stack down but the last may only
            # fail by the stack asking to stay (KEEP_UNDI / KEEP_ALL).
            for who, call, status, name in re.findall(PXE_FAILURE, out, re.M):
                check(call in ("UNLOAD_STACK", "STOP_UNDI") and
                      name.startswith("KEEP_"),
                      "taking the PXE stack down failed:\n" + out)
            check(re.search(r"^pxe: (stack unloaded|the PXE stack stays in "
                            r"memory)", out, re.M),
                  "no word on the PXE stack:\n" + out)
            check(re.search(r"^pxe: exit goes to the BIOS \(INT 18h\)", out,
                            re.M), "exit is not INT 18h:\n" + out)
            check("via UNDI" not in out, "dust.pxe used UNDI:\n" + out)
            out = g.command("memmap")
            check("base memory" in out, "memmap:\n" + out)
            out = g.command("help")
            if re.search(r"^\s*ifstat\b", out, re.M):
                # Native drivers are in: the NIC is dust's own now.
                out = g.command("ifstat")
                check(re.search(r"net\d+: %s on PCI 00:03\.0" % MAC, out),
                      "no native driver took the NIC:\n" + out)
                # ...and it works after the stack let go of it.
                out = g.command("dhcp", timeout=90)
                check(re.search(r"^net\d+: 192\.0\.2\.\d+/24", out, re.M),
                      "dhcp over the native driver failed:\n" + out)
                out = g.command("ping -c 2 192.0.2.1", timeout=60)
                check(re.search(r"^2 sent, 2 received", out, re.M),
                      "ping over the native driver lost replies:\n" + out)
            mark = len(g.seabios_log())
            g.send("exit\r")
            g.expect_seabios(r"enter handle_18", 60, after=mark,
                             what="INT 18h after exit")


def test_undi_without_pxe_stack():
    """undionly.kpxe started by something that has no PXE stack to offer
    (here dust without a NIC, which passes null PXENV+ and !PXE pointers)
    says so and gives no device; exit returns to the caller."""
    with Guest(["-kernel", os.path.join(BIN, "dust.lkrn"), "-nic", "none",
                "-initrd", os.path.join(BIN, "undionly.kpxe")]) as g:
        to_prompt(g)
        g.send("boot initrd\r")
        g.expect(r"^initrd: no PXE API", 60, "the missing API reported")
        g.expect(r"^undi: no usable PXE stack: neither a valid !PXE nor "
                 r"a valid PXENV\+ structure", 120, "the missing stack "
                 "reported")
        to_prompt(g)
        out = g.command("ifstat")
        check("no network devices" in out,
              "a device without a PXE stack:\n" + out)
        out = g.command("exit", timeout=60)
        check(re.search(r"initrd returned \(status 0x?0+\)", out),
              "the chained dust did not return:\n" + out)
