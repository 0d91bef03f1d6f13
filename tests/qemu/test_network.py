"""The networking core on every driver: DHCP lease with the dust user
class, ping both ways, DNS through dnsmasq, root-path from DHCP."""

import re
import time

from lab import Lab, TestFailure, dust_guest, to_prompt

# QEMU device name, the id pciscan shows.
NICS = [
    ("e1000", "8086:100e"),
    ("e1000e", "8086:10d3"),
    ("rtl8139", "10ec:8139"),
    ("virtio-net-pci,disable-modern=on", "1af4:1000"),
    ("virtio-net-pci,disable-legacy=on", "1af4:1041"),
]

MAC = "52:54:00:12:34:56"
ROOT_PATH = "iscsi:192.0.2.1::::iqn.2026-11.test.dust:disk1"


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def lab_with_dnsmasq(name):
    lab = Lab(name)
    log = lab.dnsmasq(extra=[
        "dhcp-host=%s,set:client1" % MAC,
        "dhcp-option=tag:client1,17,\"%s\"" % ROOT_PATH,
        "address=/bootserver.lab.test/192.0.2.77",
        "domain=lab.test",
        "dhcp-option=option:domain-search,lab.test",
        "dhcp-userclass=set:dust,dust",
    ])
    return lab, log


def network_checks(nic, pci_id):
    lab, log = lab_with_dnsmasq("net")
    try:
        with dust_guest(lab, nic=nic, mac=MAC) as g:
            to_prompt(g)
            out = g.command("dhcp", timeout=60)
            m = re.search(r"net0: (192\.0\.2\.\d+)/24 gateway 192\.0\.2\.1 "
                          r"\(DHCP from 192\.0\.2\.1, (\d+) ms\)", out)
            check(m, "no lease:\n" + out)
            ip = m.group(1)
            out = g.command("show root-path")
            check(ROOT_PATH in out, "root-path not from DHCP:\n" + out)
            out = g.command("ping -c 3 192.0.2.1", timeout=60)
            check("3 sent, 3 received" in out, "ping from dust failed:\n" + out)
            # The server pings dust.
            r = lab.sh("ping -c 3 -W 5 %s" % ip, check=False)
            check(r.returncode == 0, "dust does not answer ping:\n" + r.stdout)
            out = g.command("nslookup bootserver.lab.test", timeout=60)
            check("bootserver.lab.test is 192.0.2.77" in out,
                  "DNS lookup failed:\n" + out)
            # A short name: the search domain from DHCP completes it.
            out = g.command("nslookup bootserver", timeout=60)
            check("is 192.0.2.77" in out, "search domain not used:\n" + out)
            out = g.command("pciscan")
            check(pci_id in out, "pciscan lacks the NIC:\n" + out)
            out = g.command("ifstat")
            check("Link:up" in out, "ifstat:\n" + out)
        with open(log) as f:
            dlog = f.read()
        check(re.search(r"user class: dust", dlog),
              "dnsmasq did not see user class dust:\n" + dlog[-2000:])
    finally:
        lab.close()


def test_e1000():
    network_checks(*NICS[0])


def test_e1000e():
    network_checks(*NICS[1])


def test_rtl8139():
    network_checks(*NICS[2])


def test_virtio_legacy():
    network_checks(*NICS[3])


def test_virtio_modern():
    network_checks(*NICS[4])


def test_no_dhcp_server():
    """No server: bounded retries, a clear message, then back to the BIOS."""
    lab = Lab("nodhcp")
    try:
        with dust_guest(lab) as g:
            g.expect(r"net0: DHCP", 90, "DHCP start")
            g.expect(r"net0: no DHCP offer after 5 attempts", 90,
                     "the no-offer message")
            g.expect(r"handing back to the BIOS", 30, "hand-back")
            g.expect_seabios(r"enter handle_18|Booting from", 30,
                             what="the BIOS moving on")
    finally:
        lab.close()
