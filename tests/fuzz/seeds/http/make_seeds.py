#!/usr/bin/env python3
"""Write seed scripts for fuzz_http.c (see its operations and its
respond() for the six-byte response descriptions of generated mode):
ordinary downloads, chunked bodies, redirects, kept-alive reuse, ranges,
errors, truncation, interim responses, a stale connection, and raw server
byte streams split at awkward places.  Run from anywhere; writes next to
itself."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# The first byte: bit 0 raw mode, bits 1-3 the URI, bit 4 a range.
URI_PLAIN, URI_QUERY, URI_AUTH, URI_NAME, URI_ALIAS = 0, 1, 2, 3, 4


def cfg(uri=URI_PLAIN, raw=False, rng=False):
    return bytes([(1 if raw else 0) | uri << 1 | (0x10 if rng else 0)])


def deliver(n):
    """Generated mode: up to n bytes of the server's response."""
    shift = 0
    while (n - 1) >> shift > 255:
        shift += 1
    return bytes([0 | shift << 3, ((n - 1) >> shift) & 0xff])


ALL = bytes([0x38, 0xff])               # deliver up to 32 KiB


def raw(data, pieces=(7, 1, 30, 2)):
    """Raw mode: data as the server's bytes, cut into the given sizes
    (cycled) so lines straddle deliveries."""
    out, i, k = b"", 0, 0
    while i < len(data):
        n = min(pieces[k % len(pieces)], len(data) - i, 256)
        out += bytes([0, n - 1]) + data[i:i + n]
        i += n
        k += 1
    return out


def close(reset=False, other=False):
    return bytes([3 | (8 if other else 0) | (16 if reset else 0), 0])


def wait(ms):
    shift = 0
    while (ms - 1) >> shift > 255:
        shift += 1
    return bytes([4 | shift << 3, ((ms - 1) >> shift) & 0xff])


CANCEL = bytes([5, 0])
STEP = wait(1)                          # any operation steps first


def new(uri, rng=False):
    return bytes([6 | (8 if rng else 0), uri])


def cancel_after(n):
    """The consumer cancels inside the delivery that brings byte n."""
    return bytes([7 | 8, n - 1])


def spec(kind, f1=0, f2=0, cs=0, length=0):
    return bytes([kind, f1, f2, cs, length & 0xff, length >> 8])


# The response kinds (respond(): k % 16).
OK, CHUNKED, UNTIL_CLOSE, REDIRECT, E404, INTERIM, STALE, BAD = \
    0, 2, 4, 5, 7, 10, 11, 12

seeds = {
    # A length-delimited body in pieces.
    "len": cfg() + deliver(10) + spec(OK, length=300) + deliver(17) +
        deliver(200) + ALL,
    # Chunked, 16-byte chunks with extensions, trailers, upper-case hex.
    "chunked": cfg() + deliver(40) + spec(CHUNKED, f2=0xa0 | 0x40, cs=15,
                                          length=200) + deliver(33) + ALL,
    # Bare LF line ends, lower-case names, odd whitespace.
    "style": cfg() + deliver(5) + spec(OK, f1=0x01 | 0x02 | 0x08,
                                       f2=0x03, length=50) + ALL,
    # No length: the body runs until the server closes.
    "untilclose": cfg() + deliver(30) + spec(UNTIL_CLOSE, length=100) +
        ALL + STEP,
    # A redirect to /next, then the file.
    "redirect": cfg() + ALL + spec(REDIRECT, cs=1, length=20) + ALL +
        spec(OK, length=64) + ALL,
    # Two downloads, the second on the kept-alive connection.
    "keepalive": cfg() + ALL + spec(OK, length=10) + new(URI_QUERY) + ALL +
        spec(CHUNKED, cs=3, length=40) + ALL,
    # A byte range answered with 206.
    "range": cfg(rng=True) + ALL + spec(OK, length=100) + ALL,
    # Basic authentication refused: 401.
    "unauthorized": cfg(uri=URI_AUTH) + ALL + spec(8 + 16, length=12) + ALL,
    "notfound": cfg() + ALL + spec(E404, length=9) + ALL,
    # Truncated: half the body, then the connection resets.
    "truncated": cfg() + deliver(20) + spec(OK, length=1000) + deliver(500) +
        close(reset=True),
    # 100 Continue and 103 Early Hints before the response.
    "interim": cfg() + deliver(30) + spec(INTERIM | 0x10, length=20) + ALL,
    # The kept-alive connection went stale: retry on a fresh one.
    "stale": cfg() + ALL + spec(OK, length=10) + new(URI_ALIAS) + STEP +
        spec(STALE) + STEP + spec(OK, length=30) + ALL,
    # Many small chunks (a large chunked download in miniature).
    "manychunks": cfg() + ALL + spec(CHUNKED, cs=0, length=12000) + ALL,
    # Malformed: a bad chunk size.
    "badchunk": cfg() + ALL + spec(BAD, cs=7) + ALL,
    # Time passes with no data: the stall timeout.
    "stall": cfg() + deliver(20) + spec(OK, length=100) + wait(31000),
    # The consumer cancels mid-body, then downloads again.
    "cancel": cfg() + deliver(60) + spec(OK, length=1000) + CANCEL +
        new(URI_NAME) + ALL + spec(OK, length=5) + ALL,
    # Five servers' kept-alive connections: more than the pool holds.
    "pool": cfg() + ALL + spec(OK, length=3) +
        b"".join(new(u) + ALL + spec(OK, length=3) for u in (8, 9, 10, 11)) +
        new(URI_QUERY) + ALL + spec(OK, length=3) + wait(40000),
    # The consumer gives up inside a delivery.
    "cancelinside": cfg() + cancel_after(10) + spec(OK, length=100) +
        deliver(70) + ALL + new(URI_PLAIN) + ALL + spec(OK, length=1) + ALL,
    # Raw server streams.
    "raw-len": cfg(raw=True) + raw(b"HTTP/1.1 200 OK\r\nContent-Length: 11"
                                  b"\r\nServer: x\r\n\r\nhello world"),
    "raw-chunked": cfg(raw=True) + raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: y\r\n\r\n"),
    "raw-redirect": cfg(raw=True) + raw(
        b"HTTP/1.1 302 Found\r\nLocation: /other\r\nContent-Length: 4\r\n"
        b"\r\nmove") + STEP + raw(
        b"HTTP/1.0 200 OK\r\n\r\nuntil the end") + close(),
    "raw-keepalive": cfg(raw=True) + raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") +
        new(URI_ALIAS) + raw(
        b"HTTP/1.1 206 Partial Content\r\nContent-Length: 3\r\n\r\nabc"),
    "raw-trunc": cfg(raw=True) + raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"100\r\nshort") + close(),
}

for name, data in seeds.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
