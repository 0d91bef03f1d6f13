/* libFuzzer harness for the TFTP client (src/net/udp/tftp.c): a transfer
 * is opened through its URI opener, as the downloader does; the UDP socket
 * it opens is a stand-in here (udp_open()), so what the client sends is
 * inspected and what the server sends is delivered with its source
 * address, as UDP does; names resolve from the main loop (dust_host.c);
 * timers run as time passes.  Built and run by `make fuzz`
 * (tests/fuzz/run.sh).
 *
 * The input's first byte picks the MTU (so the blksize asked for), the
 * URI, and whether the socket can be opened.  Then comes a script of
 * server packets and time: DATA with a block number near the expected one
 * and a length that is full, short, empty, one too long or the RFC 1350
 * 512; OACKs built from options (blksize, windowsize, tsize, timeout,
 * unknown ones) with values in range, out of range, not numbers, empty,
 * too large for any integer, or cut short; ERRORs; packets of any bytes;
 * each from the server's transfer port, another of its ports (a second
 * transfer the server started for a retransmitted request), or another
 * host; bursts of full blocks (enough for block numbers to wrap).  And time
 * passes, the consumer cancels, or cancels from inside a delivery.
 *
 * The harness keeps its own model of the transfer (RFC 1350 with RFC
 * 2347-2349 and 7440): which packets count (from the transfer's port once
 * the first DATA, OACK or ERROR fixed it), the block size and window in
 * force, the next block, the size announced.  Against it, for every
 * packet: data reaches the consumer exactly when the expected block
 * arrives, at the next offset and with the packet's bytes; a block longer
 * than the block size, a refused option and a server ERROR end the
 * transfer with the matching error, and nothing else ends it but time;
 * the transfer succeeds exactly on the short last block, and not when an
 * announced size disagrees; an accepted OACK is acknowledged with ACK 0, a
 * completed window and the last block with their ACK; every ACK names the
 * last block received and goes to the transfer's port; requests are
 * well-formed and only repeated before the server answered; a timeout
 * comes only after 15 s without progress and surely after a minute of it.
 * At the end the socket is closed and every block dust allocated freed. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <byteswap.h>
#include <dust/image.h>
#include <dust/iobuf.h>
#include <dust/tcpip.h>
#include <dust/timer.h>
#include <dust/udp.h>
#include <dust/uri.h>
#include <dust/xfer.h>
#include "dust_host.h"

/* The harness's own copying and comparing: the C library's (dust's byte
 * loops, instrumented for the fuzzer, are for dust's code). */
#undef memcpy
#undef memset
#undef memcmp
#undef memmove
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *dst, const void *src, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
char *getenv(const char *name);

static int tracing;
#define TRACE(...) do {                                                   \
		if (tracing)                                               \
			dprintf(2, __VA_ARGS__);                           \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tracing = getenv("FUZZ_TRACE") != NULL;
	return 0;
}

#define SERVER     0xc0000201u  /* 192.0.2.1 */
#define OTHER_HOST 0xc0000209u
#define TID        40000        /* the server's transfer port */
#define TID2       40001        /* a second transfer of the same server */
#define MAX_WINDOW 64           /* what tftp.c asks for */
#define NO_PROGRESS_MIN_MS 15000 /* 1+2+4+4+4 s of RRQ retries */
#define NO_PROGRESS_MAX_MS 60000

static const uint8_t *in_data;
static size_t in_size, in_pos;

static size_t in_left(void)
{
	return in_size - in_pos;
}

static uint8_t in_byte(void)
{
	return in_pos < in_size ? in_data[in_pos++] : 0;
}

/* ---- the harness's model of the transfer */

static struct {
	int active;               /* the consumer has not seen its end */
	int closed, rc;
	int cancelled;
	int open_failed;          /* udp_open() refused (the input said so) */
	uint16_t rrq_port;        /* where requests go */
	const char *file;         /* the name the request must carry */
	int started;              /* a DATA or OACK counted */
	int tid;                  /* the server's port, -1 before */
	size_t blksize;
	unsigned int window;
	uint32_t blocks;          /* received in order */
	uint32_t window_end;      /* an ACK is due when blocks gets here */
	size_t got;
	int size_known;
	size_t size;
	size_t asked;             /* blksize the request asked for */
	uint32_t progress_ms;     /* the request, or the last OACK or block */
	unsigned int rrqs, acks;
	int last_ack;             /* block number, -1 before any */
} m;

/* What the packet being delivered must do. */
enum { E_NOTHING, E_DATA, E_OACK, E_FAIL };
static struct {
	int what;
	const uint8_t *payload;
	size_t len;
	size_t offset;
	int final;
	int want;                 /* E_FAIL: errno kind */
	unsigned int deliveries;
	int injecting;
} e;

static size_t cancel_at;

/* ---- the consumer */

static struct xfer consumer;

static int consumer_deliver(struct xfer *x, struct io_buffer *iob,
			    const struct xfer_meta *meta)
{
	size_t len = iob_len(iob);

	(void)x;
	FUZZ_CHECK(m.active, "data after the end");
	FUZZ_CHECK(e.injecting && e.what == E_DATA && !e.deliveries,
		   "data that no packet brought");
	FUZZ_CHECK(meta && (meta->flags & XFER_ABSOLUTE) &&
		   meta->offset == e.offset,
		   "data at offset %zu, %zu expected",
		   meta ? meta->offset : (size_t)-1, e.offset);
	FUZZ_CHECK(len == e.len && !memcmp(iob->data, e.payload, len),
		   "data other than the block's (%zu bytes, %zu expected)",
		   len, e.len);
	e.deliveries++;
	free_iob(iob);
	if (cancel_at && m.got >= cancel_at) {
		/* The consumer gives up inside a delivery (the downloader
		 * does when memory runs out). */
		cancel_at = 0;
		m.active = 0;
		m.cancelled = 1;
		xfer_close(&consumer, -ECANCELED);
		return -ECANCELED;
	}
	return 0;
}

static size_t consumer_window(struct xfer *x)
{
	(void)x;
	return 1 << 20;
}

static void consumer_size_known(struct xfer *x, size_t size)
{
	(void)x;
	FUZZ_CHECK(m.active && e.injecting && e.what == E_OACK,
		   "a size announced but not by an accepted OACK");
	FUZZ_CHECK(!m.got, "a size announced after data");
	TRACE("size %zu announced\n", size);
	m.size_known = 1;
	m.size = size;
}

static void consumer_close(struct xfer *x, int rc)
{
	(void)x;
	FUZZ_CHECK(m.active, "closed twice");
	TRACE("transfer closed: rc %#x after %zu bytes\n", (unsigned int)-rc,
	      m.got);
	m.active = 0;
	m.closed = 1;
	m.rc = rc;
}

static const struct xfer_ops consumer_ops = {
	.deliver = consumer_deliver,
	.window = consumer_window,
	.close = consumer_close,
	.size_known = consumer_size_known,
};

/* ---- the UDP socket tftp.c opens, and what it sends */

static struct {
	struct xfer xfer;
	int open;
	int used;
} sock;
static int refuse_socket;

static void sent_rrq(const uint8_t *p, size_t len)
{
	const char *want[] = { m.file, "octet", "blksize", NULL, "tsize", "0",
			       "timeout", "1", "windowsize", "64" };
	size_t pos = 2, i, n;
	unsigned long v = 0;

	FUZZ_CHECK(!m.started, "a request after the server answered");
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const char *s = (const char *)p + pos;

		n = strnlen(s, len - pos);
		FUZZ_CHECK(pos + n < len, "request field %zu unterminated", i);
		if (want[i])
			FUZZ_CHECK(!strcmp(s, want[i]),
				   "request field %zu is \"%s\", not \"%s\"",
				   i, s, want[i]);
		else
			v = strtoul(s, NULL, 10);
		pos += n + 1;
	}
	FUZZ_CHECK(pos == len, "request with %zu bytes more", len - pos);
	FUZZ_CHECK(v >= 8 && v <= 65464, "blksize %lu asked for", v);
	m.asked = v;
	m.rrqs++;
	/* A new request: the first answer to it fixes the port afresh. */
	m.tid = -1;
}

static int sock_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	const struct sockaddr_in *to =
		meta ? (const struct sockaddr_in *)meta->dest : NULL;
	const uint8_t *p = iob->data;
	size_t len = iob_len(iob);

	(void)x;
	FUZZ_CHECK(sock.open, "sent on a closed socket");
	FUZZ_CHECK(to && to->sin_family == AF_INET &&
		   to->sin_addr.s_addr == htonl(SERVER),
		   "sent somewhere other than the server");
	FUZZ_CHECK(len >= 4 && p[0] == 0, "sent a runt or an odd opcode");
	if (p[1] == 1) {
		FUZZ_CHECK(ntohs(to->sin_port) == m.rrq_port,
			   "request to port %u", ntohs(to->sin_port));
		TRACE("RRQ\n");
		sent_rrq(p, len);
	} else {
		uint16_t block = (uint16_t)(p[2] << 8 | p[3]);

		FUZZ_CHECK(p[1] == 4 && len == 4, "sent neither RRQ nor ACK");
		TRACE("ACK %u\n", block);
		FUZZ_CHECK(m.tid >= 0 && ntohs(to->sin_port) == m.tid,
			   "ACK to port %u, the transfer's is %d",
			   ntohs(to->sin_port), m.tid);
		FUZZ_CHECK(m.started, "ACK before the server answered");
		FUZZ_CHECK(block == (uint16_t)m.blocks,
			   "ACK %u after block %u", block,
			   (unsigned int)(uint16_t)m.blocks);
		m.acks++;
		m.last_ack = block;
		m.window_end = m.blocks + m.window;
	}
	free_iob(iob);
	return 0;
}

static void sock_close(struct xfer *x, int rc)
{
	(void)x;
	(void)rc;
	FUZZ_CHECK(sock.open, "socket closed twice");
	sock.open = 0;
}

static const struct xfer_ops sock_ops = {
	.deliver = sock_deliver,
	.close = sock_close,
};

int udp_open(struct xfer *up, const struct sockaddr *peer,
	     const struct sockaddr *local)
{
	(void)peer;
	(void)local;
	FUZZ_CHECK(!sock.used, "a second socket");
	if (refuse_socket) {
		m.open_failed = 1;
		return -ENOBUFS;
	}
	sock.used = 1;
	sock.open = 1;
	xfer_init(&sock.xfer, &sock_ops, NULL);
	xfer_plug(&sock.xfer, up);
	m.progress_ms = fuzz_now_ms;
	return 0;
}

static size_t mtu;

size_t tcpip_max_segment(const struct sockaddr *dst)
{
	(void)dst;
	return mtu - 20;
}

const char *inet_ntoa(struct in_addr in)
{
	static char buf[16];
	uint32_t a = ntohl(in.s_addr);

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
	return buf;
}

/* ---- what a packet should do */

/* A TFTP option value: decimal digits, no more than max. */
static int option_value(const char *s, unsigned long long max,
			unsigned long long *v)
{
	unsigned long long x = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (max - (unsigned)(*s - '0')) / 10)
			return 0;
		x = x * 10 + (unsigned)(*s - '0');
	}
	*v = x;
	return 1;
}

/* An OACK's options: 1 if acceptable, with what they set. */
static int parse_oack(const uint8_t *p, size_t len, size_t *blksize,
		      unsigned int *window, int *has_size, size_t *size)
{
	size_t pos = 0;

	*blksize = 512;
	*window = 1;
	*has_size = 0;
	while (pos < len) {
		const char *name = (const char *)p + pos, *value;
		size_t n = strnlen(name, len - pos);
		unsigned long long v;

		if (pos + n == len)
			return 0;             /* name unterminated */
		pos += n + 1;
		value = (const char *)p + pos;
		n = strnlen(value, len - pos);
		if (pos + n == len)
			return 0;             /* value missing or unterminated */
		pos += n + 1;
		if (!option_value(value, (size_t)-1, &v))
			return 0;
		if (!strcasecmp(name, "blksize")) {
			if (v < 8 || v > m.asked)
				return 0;
			*blksize = (size_t)v;
		} else if (!strcasecmp(name, "windowsize")) {
			if (v < 1 || v > MAX_WINDOW)
				return 0;
			*window = (unsigned int)v;
		} else if (!strcasecmp(name, "tsize")) {
			*has_size = 1;
			*size = (size_t)v;
		}
	}
	return 1;
}

static int error_kind(unsigned int code)
{
	switch (code) {
	case 1: return ENOENT_K;
	case 2: return EACCES_K;
	case 8: return ENOTSUP_K;
	default: return EIO_K;
	}
}

/* Work out what pkt from addr:port must do, and move the model on as if
 * it did (checks afterwards compare). */
static void predict(const uint8_t *p, size_t len, uint32_t addr,
		    uint16_t port)
{
	uint16_t op, block;

	memset(&e, 0, sizeof(e));
	e.what = E_NOTHING;
	if (!m.active || len < 4 || addr != SERVER)
		return;
	op = (uint16_t)(p[0] << 8 | p[1]);
	if (op != 3 && op != 5 && op != 6)
		return;                       /* not for a client: ignored */
	if (m.tid >= 0 && port != m.tid)
		return;                       /* another transfer's */
	m.tid = port;
	if (op == 5) {
		e.what = E_FAIL;
		e.want = error_kind((unsigned int)(p[2] << 8 | p[3]));
		return;
	}
	if (op == 6) {
		size_t blksize, size;
		unsigned int window;
		int has_size;

		if (m.blocks) {
			m.started = 1;
			return;               /* late: data is flowing */
		}
		if (!parse_oack(p + 2, len - 2, &blksize, &window, &has_size,
				&size)) {
			e.what = E_FAIL;
			e.want = EPROTO_K;
			return;
		}
		m.started = 1;
		m.blksize = blksize;
		m.window = window;
		m.progress_ms = fuzz_now_ms;
		e.what = E_OACK;
		return;
	}
	/* DATA */
	if (!m.started) {
		/* No OACK: RFC 1350 as it was. */
		m.started = 1;
		m.blksize = 512;
		m.window = 1;
		m.window_end = 1;
	}
	block = (uint16_t)(p[2] << 8 | p[3]);
	if (block != (uint16_t)(m.blocks + 1))
		return;                       /* a duplicate or a gap */
	if (len - 4 > m.blksize) {
		e.what = E_FAIL;
		e.want = EPROTO_K;
		return;
	}
	e.what = E_DATA;
	e.payload = p + 4;
	e.len = len - 4;
	e.offset = m.got;
	e.final = e.len < m.blksize;
	m.blocks++;
	m.got += e.len;
	m.progress_ms = fuzz_now_ms;
	if (e.final && m.size_known && m.size && m.got != m.size) {
		/* The file is not the size the server announced. */
		e.what = E_DATA;
		e.want = EIO_K;
	}
}

/* Deliver a packet from the server (or whoever) and check its effect. */
static void inject(const uint8_t *p, size_t len, uint32_t addr, uint16_t port)
{
	struct sockaddr_in from;
	struct xfer_meta meta;
	unsigned int acks = m.acks;
	uint32_t window_end;
	int was_active = m.active;

	if (!sock.open)
		return;
	TRACE("packet from %s:%u, %zu bytes, opcode %u\n",
	      addr == SERVER ? "server" : "other", port, len,
	      len >= 2 ? (unsigned int)(p[0] << 8 | p[1]) : 0);
	window_end = m.window_end;
	predict(p, len, addr, port);
	if (!window_end)
		window_end = m.window_end;    /* the first block's window */
	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(addr);
	from.sin_port = htons(port);
	memset(&meta, 0, sizeof(meta));
	meta.src = (struct sockaddr *)&from;
	e.injecting = 1;
	xfer_deliver_raw(&sock.xfer, p, len, &meta);
	e.injecting = 0;
	if (!was_active || m.cancelled)
		return;
	switch (e.what) {
	case E_NOTHING:
		FUZZ_CHECK(m.active, "the transfer ended (%#x) on a packet "
			   "that should change nothing", (unsigned int)-m.rc);
		break;
	case E_FAIL:
		FUZZ_CHECK(m.closed && m.rc && rc_is(m.rc, e.want),
			   "a packet that must end the transfer with kind %d "
			   "gave %s %#x", e.want,
			   m.closed ? "rc" : "nothing,", (unsigned int)-m.rc);
		break;
	case E_OACK:
		FUZZ_CHECK(m.active, "an acceptable OACK ended the transfer");
		FUZZ_CHECK(m.acks > acks && m.last_ack == 0,
			   "an accepted OACK was not acknowledged");
		break;
	case E_DATA:
		FUZZ_CHECK(e.deliveries == (e.len ? 1u : 0u),
			   "a block delivered %u times", e.deliveries);
		if (!e.final) {
			FUZZ_CHECK(m.active, "the transfer ended (%#x) before "
				   "its last block", (unsigned int)-m.rc);
			if (m.blocks == window_end)
				FUZZ_CHECK(m.acks > acks, "a complete window "
					   "was not acknowledged");
			break;
		}
		FUZZ_CHECK(m.acks > acks && m.last_ack == (uint16_t)m.blocks,
			   "the last block was not acknowledged");
		if (e.want)
			FUZZ_CHECK(m.closed && rc_is(m.rc, e.want),
				   "%zu bytes where %zu were announced, yet "
				   "rc %#x", m.got, m.size,
				   (unsigned int)-m.rc);
		else
			FUZZ_CHECK(m.closed && !m.rc, "the last block did not "
				   "end the transfer well (rc %#x)",
				   (unsigned int)-m.rc);
		break;
	}
}

/* ---- building packets from the input */

static uint16_t source_port(unsigned int sel, uint32_t *addr)
{
	*addr = sel == 3 ? OTHER_HOST : SERVER;
	return sel == 2 ? TID2 : TID;
}

static void op_data(uint8_t op)
{
	uint8_t a = in_byte(), b = in_byte();
	uint8_t pkt[4 + 1500];
	unsigned int sel = a >> 6, lsel = op >> 3, d = a & 0x3f;
	size_t blksize = m.started ? m.blksize : 512, len, i;
	uint16_t block;
	uint32_t addr;
	uint16_t port = source_port(sel, &addr);

	/* Mostly the expected block; else one near it. */
	block = (uint16_t)(m.blocks + 1 + (d < 32 ? 0 : (int)d - 40));
	if (lsel < 16)
		len = blksize;
	else if (lsel < 24)
		len = b % blksize;
	else if (lsel == 24)
		len = 0;
	else if (lsel == 25)
		len = blksize + 1;
	else if (lsel == 26)
		len = b;
	else if (lsel == 27)
		len = 512;
	else
		len = blksize;
	if (len > sizeof(pkt) - 4)
		len = sizeof(pkt) - 4;
	pkt[0] = 0;
	pkt[1] = 3;
	pkt[2] = (uint8_t)(block >> 8);
	pkt[3] = (uint8_t)block;
	for (i = 0; i < len; i++)
		pkt[4 + i] = (uint8_t)(block * 31u + i * 7u + b);
	inject(pkt, 4 + len, addr, port);
}

static void op_oack(uint8_t op)
{
	static const char *const names[] = {
		"blksize", "tsize", "windowsize", "timeout", "BlkSize",
		"multicast", "WINDOWSIZE", "TSize",
	};
	uint8_t a = in_byte(), pkt[600];
	unsigned int n = a & 7, i;
	size_t len = 2;
	uint32_t addr;
	uint16_t port = source_port((op >> 3) & 3, &addr);

	pkt[0] = 0;
	pkt[1] = 6;
	for (i = 0; i < n && in_left() >= 3; i++) {
		uint8_t sel = in_byte(), v0 = in_byte(), v1 = in_byte();
		const char *name = names[sel & 7];
		unsigned int kind = (sel >> 3) & 7;
		char value[32];

		if (name == names[5])
			kind = 0;             /* unknown: a number, at least */
		switch (kind) {
		case 0: case 1: case 2: case 3:
			snprintf(value, sizeof(value), "%u", v0 | v1 << 8);
			break;
		case 4:
			snprintf(value, sizeof(value), "%u", v0);
			break;
		case 5:
			strcpy(value, "abc");
			break;
		case 6:
			value[0] = 0;
			break;
		default:
			/* 2^64 + 1024: fits no integer (wrapped, 1024). */
			strcpy(value, "18446744073709552640");
			break;
		}
		len += (size_t)snprintf((char *)pkt + len, sizeof(pkt) - len,
					"%s", name) + 1;
		len += (size_t)snprintf((char *)pkt + len, sizeof(pkt) - len,
					"%s", value) + 1;
	}
	if (a & 8)
		len--;                        /* the last NUL missing */
	if (a & 16)
		pkt[len++] = 'x';             /* a name with nothing after */
	inject(pkt, len, addr, port);
}

static void op_error(uint8_t op)
{
	uint8_t a = in_byte();
	uint8_t pkt[64] = { 0, 5, 0, (uint8_t)(a % 10) };
	size_t len = 4;
	uint32_t addr;
	uint16_t port = source_port((op >> 3) & 3, &addr);

	if (a & 0x10) {
		memcpy(pkt + 4, "File not found\0", 15);
		len += 15;
	} else if (a & 0x20) {
		memcpy(pkt + 4, "no NUL \x01\x7f", 9);
		len += 9;
	}
	inject(pkt, len, addr, port);
}

static void op_raw(uint8_t op)
{
	size_t len = in_byte(), n;
	uint8_t pkt[256];
	uint32_t addr;
	uint16_t port = source_port((op >> 3) & 3, &addr);

	n = len < in_left() ? len : in_left();
	memcpy(pkt, in_data + in_pos, n);
	in_pos += n;
	inject(pkt, n, addr, port);
}

/* Many full blocks in order, quickly (block numbers wrap at 65536): up to
 * 256 at once, up to 32768 when the operation's top bits are set.  For the
 * fuzzer's speed, no more than BURST_MAX blocks and BURST_BYTES of data in
 * one input: enough for the block numbers to wrap with blocks of up to
 * 64 bytes. */
#define BURST_MAX 66000
#define BURST_BYTES (66000u * 64)
static uint32_t burst_left, burst_bytes_left;

static void op_burst(uint8_t op)
{
	uint32_t n = ((uint32_t)in_byte() + 1) <<
		     ((op >> 6) == 3 ? (op >> 3) & 7 : 0), i;
	uint8_t pkt[4 + 1500];
	size_t blksize = m.started ? m.blksize : 512, k;

	if (n > burst_left)
		n = burst_left;
	if (blksize > sizeof(pkt) - 4)
		return;
	if (n > burst_bytes_left / blksize)
		n = burst_bytes_left / blksize;
	for (k = 0; k < blksize; k++)
		pkt[4 + k] = (uint8_t)(op + k);
	for (i = 0; i < n && m.active && sock.open; i++) {
		uint16_t block = (uint16_t)(m.blocks + 1);

		pkt[0] = 0;
		pkt[1] = 3;
		pkt[2] = (uint8_t)(block >> 8);
		pkt[3] = (uint8_t)block;
		inject(pkt, 4 + blksize, SERVER, m.tid >= 0 ? (uint16_t)m.tid :
		       TID);
		burst_left--;
		burst_bytes_left -= blksize;
	}
}

static void time_passes(uint32_t ms)
{
	/* The main loop runs timers often: in steps of at most 250 ms. */
	while (ms) {
		uint32_t step = ms < 250 ? ms : 250;

		fuzz_now_ms += step;
		ms -= step;
		timers_run();
		if (m.closed && rc_is(m.rc, ETIMEDOUT_K))
			FUZZ_CHECK(fuzz_now_ms - m.progress_ms >=
				   NO_PROGRESS_MIN_MS, "gave up after %u ms "
				   "without progress",
				   fuzz_now_ms - m.progress_ms);
		else if (m.closed && m.rc)
			FUZZ_FAIL("time ended the transfer with %#x",
				  (unsigned int)-m.rc);
		if (!m.active)
			return;
		FUZZ_CHECK(fuzz_now_ms - m.progress_ms <= NO_PROGRESS_MAX_MS,
			   "still waiting after %u ms without progress",
			   fuzz_now_ms - m.progress_ms);
	}
}

static const char *const uris[] = {
	"tftp://192.0.2.1/boot/pxelinux.0",
	"tftp://192.0.2.1:6969/kernel",
	"tftp://alias.test/%41file",
	"tftp://nx.test/missing",
	"tftp:///nohost",
	"tftp://192.0.2.1/",
};
static const char *const files[] = {
	"boot/pxelinux.0", "kernel", "Afile", NULL, NULL, "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct uri_opener *op, *tftp = NULL;
	struct uri *uri;
	unsigned int sel;
	int rc;

	if (size < 1)
		return 0;
	for_each_table_entry(op, struct uri_opener, "uri_openers")
		if (!strcmp(op->scheme, "tftp"))
			tftp = op;
	if (!tftp)
		__builtin_trap();
	in_data = data;
	in_size = size;
	in_pos = 1;
	fuzz_now_ms = 0x7ffff000;
	fuzz_console_clear();
	fuzz_resolve_failed = 0;
	memset(&m, 0, sizeof(m));
	memset(&sock, 0, sizeof(sock));
	cancel_at = 0;
	burst_left = BURST_MAX;
	burst_bytes_left = BURST_BYTES;
	m.tid = -1;
	m.last_ack = -1;
	mtu = 576 + (data[0] & 7) * 132;
	refuse_socket = (data[0] & 0xc0) == 0xc0;
	sel = (data[0] >> 3) & 7;
	sel %= ARRAY_SIZE(uris);
	m.file = files[sel];
	m.rrq_port = sel == 1 ? 6969 : 69;
	uri = parse_uri(uris[sel]);
	if (!uri)
		__builtin_trap();
	TRACE("transfer %s, MTU %zu\n", uris[sel], mtu);
	xfer_init(&consumer, &consumer_ops, NULL);
	m.active = 1;
	rc = tftp->open(&consumer, uri);
	free(uri);
	if (rc) {
		FUZZ_CHECK(!consumer.peer && !m.closed,
			   "a refused open plugged or closed");
		FUZZ_CHECK(sel == 4, "open refused (%#x)", (unsigned int)-rc);
		m.active = 0;
	}
	while (in_left() >= 2 && m.active) {
		uint8_t o = in_byte();

		fuzz_run_resolves();
		if (m.closed) {
			FUZZ_CHECK(m.open_failed || fuzz_resolve_failed,
				   "the transfer ended (%#x) before it began",
				   (unsigned int)-m.rc);
			break;
		}
		switch (o & 7) {
		case 0:
		case 1:
			op_data(o);
			break;
		case 2:
			op_oack(o);
			break;
		case 3:
			op_error(o);
			break;
		case 4:
			time_passes(((uint32_t)in_byte() + 1) << ((o >> 3) & 15));
			break;
		case 5:
			if (in_byte() & 1) {
				cancel_at = m.got + 1;
			} else if (m.active) {
				m.active = 0;
				m.cancelled = 1;
				xfer_close(&consumer, -ECANCELED);
			}
			break;
		case 6:
			op_raw(o);
			break;
		case 7:
			op_burst(o);
			break;
		}
	}
	/* Whatever state it is in, the transfer must go away. */
	if (m.active) {
		m.active = 0;
		m.cancelled = 1;
		xfer_close(&consumer, -ECANCELED);
	}
	fuzz_run_resolves();
	FUZZ_CHECK(!sock.open, "the socket was left open");
	iob_cache_flush();
	FUZZ_CHECK(fuzz_live_blocks == 0, "%ld blocks not freed",
		   fuzz_live_blocks);
	return 0;
}
