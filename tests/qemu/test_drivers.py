"""NIC drivers on the wire: dust.lkrn with one NIC on a tap in a lab.

For each NIC model QEMU emulates: the driver claims the device (pciscan),
ifstat shows the MAC QEMU was given, ifopen brings the link up; frames
sent from the namespace come back through the link test responder
(`ifecho on`), which proves receive and transmit with the payload intact
and the counters moving; DHCP and ping work over the driver; bad frames (runts, giants, frames for another
host, requests to broadcast) are dropped without an answer and leave dust
responsive; ifclose and ifopen again work."""

import json
import os
import re
import time

from lab import BIN, SERVER_IP, Guest, Lab, TestFailure

BANNER = r"dust \S+ -- network boot firmware"
NEXT_DEVICE = r"enter handle_18|Booting from (Floppy|DVD/CD|Hard Disk|ROM)|No bootable device"
PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ethprobe.py")
ECHO_FRAMES = 180


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def probe(lab, mac, what, n, wait=""):
    out = lab.sh("python3 %s br0 %s %s %s %s" % (PROBE, mac, what, n, wait)).stdout
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise TestFailure("ethprobe printed:\n" + out)


def ifstat(g, name="net0"):
    out = g.command("ifstat " + name)
    m = re.search(r"^%s: (\S+) on PCI (\S+) \((open|closed)\) \[Link:(up|down), "
                  r"TX:(\d+) TXE:(\d+) RX:(\d+) RXE:(\d+) RXD:(\d+)\]" % name,
                  out, re.M)
    check(m, "ifstat printed:\n" + out)
    keys = ("mac", "pci", "state", "link", "tx", "txe", "rx", "rxe", "rxd")
    st = dict(zip(keys, m.groups()))
    for k in keys[4:]:
        st[k] = int(st[k])
    return st


def wait_link(g, timeout=30):
    deadline = time.time() + timeout
    while True:
        st = ifstat(g)
        if st["link"] == "up":
            return st
        if time.time() > deadline:
            raise TestFailure("link still down after %ds: %r" % (timeout, st))
        time.sleep(0.5)


def settle(g, timeout=30):
    """ifstat once the receive counters stop moving (the bad frames are
    all through, so none can disturb the next round)."""
    deadline = time.time() + timeout
    last = ifstat(g)
    while True:
        time.sleep(0.5)
        st = ifstat(g)
        if (st["rx"], st["rxe"]) == (last["rx"], last["rxe"]):
            return st
        check(time.time() < deadline, "receive counters never settle: %r" % st)
        last = st


def echo_round(lab, g, mac, n, min_ratio):
    res = probe(lab, mac, "echo", n)
    check(res["bad"] == 0, "corrupted replies: %r" % res)
    check(res["replies"] >= n * min_ratio,
          "too few replies: %r\nifstat: %r" % (res, ifstat(g)))
    return res


def nic_test(device, mac, pci_id, driver):
    with Lab("drv") as lab:
        tap = lab.add_tap()
        # Room on the wire for giant frames (the guest must drop them).
        lab.sh("ip link set %s mtu 9000 && ip link set br0 mtu 9000" % tap)
        with Guest(["-kernel", os.path.join(BIN, "dust.lkrn"),
                    "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
                    "-device", "%s,netdev=n0,mac=%s,romfile=" % (device, mac)],
                   lab=lab) as g:
            reach_prompt(g)
            out = g.command("pciscan")
            check(re.search(r"%s .* %s\s*$" % (pci_id, re.escape(driver)), out, re.M),
                  "pciscan does not show %s bound to %s:\n%s" % (pci_id, driver, out))

            # Ctrl-B may have stopped an autoboot that had opened it.
            g.command("ifclose")
            st = ifstat(g)
            check(st["mac"] == mac and st["state"] == "closed",
                  "before ifopen: %r" % st)
            out = g.command("ifopen")
            check(out.strip() == "ifopen", "ifopen printed:\n" + out)
            st = wait_link(g)
            check(st["state"] == "open" and st["mac"] == mac, "after ifopen: %r" % st)

            g.command("ifecho on")
            res = echo_round(lab, g, mac, ECHO_FRAMES, 0.9)
            st = ifstat(g)
            check(st["rx"] >= res["replies"] and st["tx"] >= res["replies"],
                  "counters do not show the traffic: %r after %r" % (st, res))

            junk = probe(lab, mac, "junk", 100)
            check(junk["answered"] == 0, "dust answered bad frames: %r" % junk)
            after = settle(g)
            # Frames that reached dust but no protocol: dropped and counted.
            check(after["rxd"] + after["rxe"] > st["rxd"] + st["rxe"],
                  "no drops counted for bad frames: %r -> %r" % (st, after))

            # Still responsive, and still passing traffic.
            out = g.command("echo still-here")
            check("still-here" in out, "no echo after bad frames:\n" + out)
            echo_round(lab, g, mac, 20, 1.0)

            # Closed, the NIC neither receives nor answers.
            g.command("ifclose net0")
            st = ifstat(g)
            check(st["state"] == "closed" and st["link"] == "down",
                  "after ifclose: %r" % st)
            res = probe(lab, mac, "echo", 10, 2)
            after = ifstat(g)
            check(res["replies"] == 0 and after["rx"] == st["rx"],
                  "closed NIC still passes traffic: %r, %r -> %r" % (res, st, after))

            # Open again.
            g.command("ifopen net0")
            wait_link(g)
            echo_round(lab, g, mac, 20, 1.0)

            out = g.command("ifopen net7")
            check(re.search(r"^ifopen: net7: No such device", out, re.M),
                  "unknown device not reported:\n" + out)

            # The IPv4 stack over this driver: a DHCP lease, then ping.
            lab.dnsmasq()
            out = g.command("dhcp net0", timeout=60)
            check(re.search(r"^net0: 192\.0\.2\.\d+/", out, re.M),
                  "no DHCP lease:\n" + out)
            out = g.command("ping -c 3 %s" % SERVER_IP, timeout=60)
            check("3 sent, 3 received" in out, "ping failed:\n" + out)

            # Leaving with the NIC open: it is shut down and dust hands
            # back to the BIOS.
            leave(g)


def reach_prompt(g):
    """Banner, then Ctrl-B for the command line (with a NIC present dust
    would otherwise try to boot from the network)."""
    g.expect(BANNER, 90, "banner")
    g.expect(r"Press Ctrl-B", 30, "the Ctrl-B offer")
    g.send("\x02")
    g.expect(r"dust> ", 60, "prompt")


def leave(g):
    mark = len(g.seabios_log())
    g.send("exit\r")
    g.expect_seabios(NEXT_DEVICE, 60, after=mark,
                     what="the BIOS trying its next boot device after exit")


def test_e1000():
    nic_test("e1000", "52:54:00:12:34:56", "8086:100e", "e1000")


def test_e1000e():
    nic_test("e1000e", "52:54:00:12:34:57", "8086:10d3", "e1000")


def test_rtl8139():
    nic_test("rtl8139", "52:54:00:12:34:58", "10ec:8139", "rtl8139")


def test_virtio_legacy():
    nic_test("virtio-net-pci,disable-modern=on", "52:54:00:12:34:59",
             "1af4:1000", "virtio-net")


def test_virtio_modern():
    nic_test("virtio-net-pci,disable-legacy=on", "52:54:00:12:34:5a",
             "1af4:1041", "virtio-net")


def test_virtio_transitional():
    # Both interfaces offered: the driver takes the virtio 1.0 one.
    nic_test("virtio-net-pci", "52:54:00:12:34:5b", "1af4:1000", "virtio-net")


def test_two_nics():
    """Two NICs of different kinds: net0 and net1, opened together by a
    bare ifopen, each answering on its own address."""
    macs = ("52:54:00:12:34:60", "52:54:00:12:34:61")
    with Lab("drv2") as lab:
        args = ["-kernel", os.path.join(BIN, "dust.lkrn")]
        for i, (dev, mac) in enumerate(zip(("e1000", "virtio-net-pci"), macs)):
            tap = lab.add_tap()
            args += ["-netdev", "tap,id=n%d,ifname=%s,script=no,downscript=no" % (i, tap),
                     "-device", "%s,netdev=n%d,mac=%s,romfile=" % (dev, i, mac)]
        with Guest(args, lab=lab) as g:
            reach_prompt(g)
            g.command("ifclose")
            out = g.command("ifstat")
            check(len(re.findall(r"^net[01]: .*\(closed\)", out, re.M)) == 2,
                  "ifstat does not list two closed devices:\n" + out)
            g.command("ifopen")
            g.command("ifecho on")
            for i, mac in enumerate(macs):
                name = "net%d" % i
                deadline = time.time() + 30
                while ifstat(g, name)["link"] != "up":
                    check(time.time() < deadline, "%s link still down" % name)
                    time.sleep(0.5)
                check(ifstat(g, name)["mac"] == mac, "%s has the wrong MAC" % name)
                echo_round(lab, g, mac, 30, 1.0)
            g.command("ifclose")
            out = g.command("ifstat")
            check(len(re.findall(r"^net[01]: .*\(closed\)", out, re.M)) == 2,
                  "bare ifclose did not close both:\n" + out)
            leave(g)
