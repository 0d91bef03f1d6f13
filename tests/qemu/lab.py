"""The QEMU lab: network namespaces with real servers, and QEMU guests whose
serial console a test reads and types into.

Everything a test creates (namespace, bridge, taps, server processes,
temporary folders) is torn down when the test ends, whether it passed or
not, so one failure cannot poison the next test or the next run.

Addresses come only from the documentation ranges 192.0.2.0/24 and
2001:db8::/32, inside namespaces made here.
"""

import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "bin")

# Software emulation on a busy 2-core machine can be several times slower
# than on a quiet one: waits are generous and scale with DUST_TEST_SLOW.
SLOW = float(os.environ.get("DUST_TEST_SLOW", "1"))

SERVER_IP = "192.0.2.1"
SERVER_IP6 = "2001:db8:0:1::1"


class TestFailure(Exception):
    pass


def run(cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


class Lab:
    """One private network: namespace, bridge with the server addresses,
    and one tap per guest.  Servers run inside the namespace."""

    counter = 0

    def __init__(self, name):
        Lab.counter += 1
        self.ns = "dust-%d-%d-%s" % (os.getpid(), Lab.counter, name)[:60]
        self.ns = self.ns[:40]
        self.tmp = tempfile.mkdtemp(prefix="dust-lab-")
        os.chmod(self.tmp, 0o755)   # servers drop privileges to nobody
        self.procs = []
        self.taps = 0
        run(["ip", "netns", "add", self.ns])
        self.sh("ip link set lo up")
        self.sh("ip link add br0 type bridge forward_delay 0 stp_state 0")
        self.sh("ip addr add %s/24 dev br0" % SERVER_IP)
        self.sh("ip -6 addr add %s/64 dev br0 nodad" % SERVER_IP6)
        self.sh("ip link set br0 up")

    def sh(self, cmd, check=True):
        return run(["ip", "netns", "exec", self.ns, "sh", "-c", cmd], check=check)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def add_tap(self):
        name = "tap%d" % self.taps
        self.taps += 1
        self.sh("ip tuntap add %s mode tap && ip link set %s master br0 up"
                % (name, name))
        return name

    def spawn(self, argv, log=None):
        out = open(log, "w") if log else subprocess.DEVNULL
        p = subprocess.Popen(["ip", "netns", "exec", self.ns] + argv,
                             stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def dnsmasq(self, extra=(), tftp_files=()):
        """Start dnsmasq for DHCP, TFTP and DNS on br0; returns the log path."""
        tftp = self.path("tftp")
        os.makedirs(tftp, exist_ok=True)
        os.chmod(tftp, 0o755)
        for f in tftp_files:
            shutil.copy(f, tftp)
            os.chmod(os.path.join(tftp, os.path.basename(f)), 0o644)
        log = self.path("dnsmasq.log")
        conf = self.path("dnsmasq.conf")
        lines = [
            "interface=br0", "bind-dynamic", "no-resolv", "no-hosts",
            "log-dhcp", "log-queries", "log-facility=" + log,
            # Offer at once instead of pinging the address first (3 s).
            "no-ping",
            "dhcp-range=192.0.2.100,192.0.2.199,255.255.255.0,1h",
            "dhcp-option=option:router,%s" % SERVER_IP,
            "enable-tftp", "tftp-root=" + tftp,
            "dhcp-leasefile=" + self.path("leases"),
            "pid-file=" + self.path("dnsmasq.pid"),
        ] + list(extra)
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        open(log, "w").close()
        os.chmod(log, 0o666)
        self.spawn(["dnsmasq", "--keep-in-foreground", "--conf-file=" + conf,
                    "--user=nobody"], log=self.path("dnsmasq.out"))
        # Wait until it listens (DHCP socket bound).
        deadline = time.time() + 10
        while time.time() < deadline:
            if "started" in open(log).read() or "started" in open(self.path("dnsmasq.out")).read():
                return log
            time.sleep(0.1)
        raise TestFailure("dnsmasq did not start: " + open(self.path("dnsmasq.out")).read())

    def atftpd(self, root, port=69):
        """atftpd (RFC 7440 windowsize) serving root on 192.0.2.1:port."""
        log = self.path("atftpd.log")
        open(log, "w").close()
        os.chmod(log, 0o666)
        self.spawn(["atftpd", "--daemon", "--no-fork", "--port", str(port),
                    "--bind-address", SERVER_IP, "--user", "nobody.nogroup",
                    "--logfile", log, "--verbose=5", root],
                   log=self.path("atftpd.out"))
        deadline = time.time() + 10
        while time.time() < deadline:
            r = self.sh("ss -uln | grep -q '%s:%d '" % (SERVER_IP, port),
                        check=False)
            if r.returncode == 0:
                return log
            time.sleep(0.1)
        raise TestFailure("atftpd did not start: " +
                          open(self.path("atftpd.out")).read())

    def isc_dhcpd(self, conf):
        """ISC dhcpd on br0 with the given configuration text (a subnet
        declaration for 192.0.2.0/24 is added); returns the log path."""
        path = self.path("dhcpd.conf")
        with open(path, "w") as f:
            f.write("ddns-update-style none;\nauthoritative;\n"
                    "subnet 192.0.2.0 netmask 255.255.255.0 {\n"
                    "  range 192.0.2.100 192.0.2.199;\n"
                    "  option routers %s;\n}\n" % SERVER_IP + conf)
        leases = self.path("dhcpd.leases")
        open(leases, "w").close()
        log = self.path("dhcpd.log")
        self.spawn(["dhcpd", "-f", "-d", "-4", "-cf", path, "-lf", leases,
                    "-pf", self.path("dhcpd.pid"), "br0"], log=log)
        deadline = time.time() + 10
        while time.time() < deadline:
            if "Sending on" in open(log).read():
                return log
            time.sleep(0.1)
        raise TestFailure("dhcpd did not start: " + open(log).read())

    def http_server(self, root, port=8080):
        """Python's HTTP/1.1 server (threaded) serving root on
        192.0.2.1:port; returns once it listens."""
        self.spawn(["python3", "-m", "http.server", "--protocol", "HTTP/1.1",
                    "--bind", SERVER_IP, "--directory", root, str(port)],
                   log=self.path("http-%d.log" % port))
        deadline = time.time() + 10
        while self.sh("ss -tln | grep -q '%s:%d '" % (SERVER_IP, port),
                      check=False).returncode:
            if time.time() > deadline:
                raise TestFailure("HTTP server did not start: " + open(
                    self.path("http-%d.log" % port)).read())
            time.sleep(0.1)

    def close(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        run(["ip", "netns", "del", self.ns], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Guest:
    """A QEMU guest: serial console on stdio (read and typed into), SeaBIOS
    debug output in a log, optional tap networking in a lab."""

    def __init__(self, args, lab=None, name="guest", memory=128,
                 nographic=False):
        self.tmp = tempfile.mkdtemp(prefix="dust-guest-")
        self.debuglog = os.path.join(self.tmp, "seabios.log")
        self.output = ""
        self.consumed = 0
        self.lab = lab
        # -nographic: SeaBIOS copies the screen to the serial line (how
        # iPXE, which has no serial console of its own, can be read).
        console = (["-nographic"] if nographic else
                   ["-display", "none", "-vga", "std", "-serial", "stdio",
                    "-monitor", "none"])
        cmd = ["qemu-system-x86_64"] + console + ["-no-reboot",
               "-m", str(memory),
               "-chardev", "file,id=dbg,path=" + self.debuglog,
               "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=4"] + list(args)
        if lab:
            cmd = ["ip", "netns", "exec", lab.ns] + cmd
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)

    def _pump(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if r:
            data = self.proc.stdout.read()
            if data:
                self.output += data.decode("latin-1")
                return True
            if self.proc.poll() is not None:
                return False
        return self.proc.poll() is None

    def expect(self, pattern, timeout=30, what=None):
        """Wait for a regular expression in the serial output after what was
        matched before; returns the match."""
        rx = re.compile(pattern, re.M)
        deadline = time.time() + timeout * SLOW
        while True:
            m = rx.search(self.output, self.consumed)
            if m:
                self.consumed = m.end()
                return m
            left = deadline - time.time()
            if left <= 0 or not self._pump(min(left, 0.2)):
                m = rx.search(self.output, self.consumed)
                if m:
                    self.consumed = m.end()
                    return m
                raise TestFailure("missing %s (pattern %r) after %ds; serial "
                                  "output ends with:\n%s" % (
                                      what or "output", pattern, timeout,
                                      self.output[-1500:]))

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def command(self, line, prompt="dust> ", timeout=30):
        """Type a command at the prompt; returns what it printed."""
        self.send(line + "\r")
        start = self.consumed
        m = self.expect(re.escape(prompt), timeout, "prompt after %r" % line)
        return self.output[start:m.start()]

    def seabios_log(self):
        try:
            with open(self.debuglog, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def expect_seabios(self, pattern, timeout=30, after=0, what=None):
        """Wait for a pattern in SeaBIOS's debug log, past offset `after`."""
        rx = re.compile(pattern, re.M)
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            self._pump(0.2)
            log = self.seabios_log()
            m = rx.search(log, after)
            if m:
                return m
        raise TestFailure("missing %s in SeaBIOS log (pattern %r); log ends "
                          "with:\n%s" % (what or "message", pattern,
                                         self.seabios_log()[-1500:]))

    def wait_exit(self, timeout=30):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            if not self._pump(0.2) and self.proc.poll() is not None:
                return self.proc.returncode
        raise TestFailure("guest did not exit; serial output ends with:\n%s"
                          % self.output[-1500:])

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def dust_guest(lab, nic="e1000", mac="52:54:00:12:34:56", image="dust.lkrn",
               extra=(), memory=128):
    """dust.lkrn (or another image via -kernel) with one NIC on a tap of
    the lab.  nic is a QEMU device name; its own ROM is left out."""
    tap = lab.add_tap()
    args = ["-kernel", os.path.join(BIN, image),
            "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
            "-device", "%s,netdev=n0,mac=%s,romfile=" % (nic, mac)]
    return Guest(args + list(extra), lab=lab, memory=memory)


def to_prompt(g):
    """Wait for the banner, press Ctrl-B, wait for the prompt."""
    g.expect(r"dust \S+ -- network boot firmware", 90, "banner")
    g.expect(r"Press Ctrl-B", 30, "the Ctrl-B offer")
    g.send("\x02")
    g.expect(r"dust> ", 60, "prompt")
