"""TCP in the firmware: HTTP downloads through the driver, IPv4 and TCP
from a Linux server, checked by SHA-256, with the time taken; also with
10 % of TCP packets dropped each way (nftables in the lab namespace)."""

import hashlib
import os
import re
import time

from lab import Lab, TestFailure, dust_guest, to_prompt

MAC = "52:54:00:12:34:56"


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def drop_tcp(lab, percent, gso=False):
    """Drop percent % of TCP packets to and from the server, at random, on
    the bridge: below IP, where the server's TCP does not hear of it (an
    IP output drop is reported back and simply sent again).  By default
    the server sends single segments (no GSO), so a drop loses one; with
    gso=True it may send up to 64 KiB at once, and a drop loses it all."""
    n = 100 // percent
    if not gso:
        lab.sh("ip link set dev br0 gso_max_segs 1")
    lab.sh("nft add table bridge lossy")
    for hook in ("input", "output"):
        lab.sh("nft add chain bridge lossy %s '{ type filter hook %s "
               "priority 0; }'" % (hook, hook))
        lab.sh("nft add rule bridge lossy %s ip protocol tcp "
               "numgen random mod %d == 0 drop" % (hook, n))


def http_download(nic, size, loss=0, gso=False):
    lab = Lab("tcp")
    try:
        lab.dnsmasq()
        if loss:
            drop_tcp(lab, loss, gso)
        www = lab.path("www")
        os.makedirs(www)
        os.chmod(www, 0o755)
        data = os.urandom(size)
        with open(os.path.join(www, "blob.bin"), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(www, "blob.bin"), 0o644)
        want = hashlib.sha256(data).hexdigest()
        lab.http_server(www)
        with dust_guest(lab, nic=nic, mac=MAC) as g:
            to_prompt(g)
            out = g.command("dhcp", timeout=60)
            check("DHCP from 192.0.2.1" in out, "no lease:\n" + out)
            t = time.time()
            out = g.command("imgfetch http://192.0.2.1:8080/blob.bin",
                            timeout=300)
            took = time.time() - t
            check("rror" not in out, "download failed:\n" + out)
            out = g.command("sha256sum blob.bin", timeout=120)
            m = re.search(r"([0-9a-f]{64})  blob.bin", out)
            check(m and m.group(1) == want,
                  "wrong data: %s, want %s" % (out, want))
            print("    %s, %d%% loss each way: %d bytes in %.2f s"
                  % (nic, loss, size, took))
    finally:
        lab.close()


def test_http_e1000():
    http_download("e1000", 16 << 20)


def test_http_virtio():
    http_download("virtio-net-pci,disable-legacy=on", 4 << 20)


def test_http_lossy_e1000():
    http_download("e1000", 16 << 20, loss=10)


def test_http_lossy_virtio_offloads():
    """virtio-net with receive offloads, the server free to send 64 KiB
    segments: each drop loses one whole, and what arrives after a gap
    waits in the out-of-order queue in 64 KiB buffers."""
    http_download("virtio-net-pci", 16 << 20, loss=10, gso=True)
