/* libFuzzer harness for the HTTP client (src/net/tcp/http.c), driven the
 * way the firmware drives it: a consumer opens downloads with http_open(),
 * connections are made through the http_connect seam (as in
 * tests/unit/test_http.c) to fake servers kept here, names resolve through
 * a stand-in for resolv_start() that answers from the main loop as dust's
 * does (dust_host.c), and timers run when the input lets time pass.  Built and run by
 * `make fuzz` (tests/fuzz/run.sh).
 *
 * The input is a script.  Its first byte picks the mode and the first
 * download; then come two-byte operations: deliver bytes on the request's
 * connection (or on an idle one) in a size the input picks, so lines,
 * chunks and bodies straddle deliveries at every place; the server closes
 * a connection, cleanly or with an error; time passes; the consumer
 * cancels, between deliveries or from inside one; a new download starts
 * (kept-alive connections are reused); the next connect is refused.
 *
 * Raw mode: the bytes delivered are the input's own, a server byte stream
 * the fuzzer writes directly.  Only invariants that hold whatever a server
 * sends are checked (below).
 *
 * Generated mode: when a request arrives, the fake server reads a
 * six-byte response description from the input and renders it (status,
 * header spellings and whitespace, Content-Length, chunked with
 * extensions and trailers, bodies up to 64 KiB, redirects, interim 1xx
 * responses, errors, deliberately malformed framing, a stale kept-alive
 * connection).  The harness then knows what a correct client must make of
 * every prefix of what it delivered: success exactly when a good response
 * is complete (with exactly its body), the error the response calls for,
 * and a failure only when something excuses it (the connection closed
 * early, 30 s without data, a refused connect, a name that does not
 * resolve, the consumer cancelling).
 *
 * Always checked: body bytes reach the consumer in order at contiguous
 * absolute offsets, only from the connection the request is on, never
 * beyond an announced size; the size is announced once and before any
 * data; success is reported only while that connection delivers or
 * closes, and never short of the announced size; "until close" success
 * only on a clean close; nothing reaches the consumer after its end; each
 * request is well-formed and carries Range exactly when asked; no request
 * is sent on a connection whose response said it would not persist; at
 * the end of every input all connections are closed and every block dust
 * allocated is freed. */
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <byteswap.h>
#include <dust/dns.h>
#include <dust/http.h>
#include <dust/iobuf.h>
#include <dust/timer.h>
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
/* The C library's (dust has none). */
void *memmem(const void *hay, size_t hlen, const void *needle, size_t nlen);
char *getenv(const char *name);

/* FUZZ_TRACE=1 in the environment: say what happens (to run one input). */
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

#define STALL_MS 30000          /* http.c's HTTP_STALL_MS */
#define MAX_CONNS 16
#define MAX_RESPS 48
#define MAX_DOWNLOADS 6
#define MAX_REQUESTS 20         /* per download: 5 redirects and retries */

/* ---- the input */

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

/* ---- the world */

struct resp;

struct conn {
	struct xfer xfer;
	int used;
	int open;                 /* plugged to dust and not closed */
	int server_closed;
	int window_opened;
	int close_pending;        /* server closes at the next step */
	int close_when_drained;   /* ... once everything is delivered */
	int no_reuse;             /* its last response forbade another request */
	struct sockaddr_in peer;
	char req[4096];
	size_t req_len;
	unsigned int requests;
	uint8_t *out;             /* generated mode: what the server sends */
	size_t out_len, out_cap, out_pos;
};

enum kind {
	K_NONE,                   /* no response (the input ran out) */
	K_OK_LEN,                 /* 200/206 with Content-Length */
	K_OK_CHUNKED,
	K_OK_CLOSE,               /* body until the server closes */
	K_REDIRECT,
	K_ERROR,                  /* a well-formed failure status */
	K_BAD,                    /* malformed: must fail by fail_at */
	K_STALE,                  /* the server closes instead */
};

struct resp {
	enum kind kind;
	struct conn *conn;
	size_t start;             /* offsets in conn->out */
	size_t hdr_end;           /* after the final header block */
	size_t done_at;           /* complete (OK) or failure due (ERROR, BAD) */
	size_t fail_from;         /* ERROR, BAD: where the trouble starts */
	size_t body_len;
	uint8_t seed;
	int want;                 /* ERROR/BAD: errno kind, 0 any */
	int follow;               /* REDIRECT: 1 dust follows the Location,
				     0 refuses it, -1 fails on it somehow */
	int counted;              /* REDIRECT: counted in the download */
	int fresh;                /* first request on its connection */
	int tainted;              /* bytes of nothing came before it */
};

struct download {
	int active;               /* opened, the consumer not yet closed */
	int raw;
	uint64_t range_start, range_len;
	int closed, rc;
	size_t got;
	int size_known;
	size_t size;
	unsigned int requests, redirects;
	int refused, stall;
	uint32_t last_data_ms;
	struct conn *conn;        /* of its latest request */
	struct resp *resp;        /* to its latest request */
};

static struct conn conns[MAX_CONNS];
static struct resp resps[MAX_RESPS];
static unsigned int nresps;
static struct download dl;
static struct xfer consumer;
static int raw_mode;
static int refuse_next;
static size_t cancel_at;

/* What the harness is doing to a connection right now. */
static struct conn *delivering, *closing;
static const uint8_t *chunk;
static size_t chunk_len;
static int closing_rc;

/* Body byte i of a generated response. */
static uint8_t body_byte(uint8_t seed, size_t i)
{
	return (uint8_t)(seed * 7u + i * 13u + (i >> 8));
}

/* ---- the consumer of a download */

static void judge_close(int rc);

static int consumer_deliver(struct xfer *x, struct io_buffer *iob,
			    const struct xfer_meta *meta)
{
	const uint8_t *p = iob->data;
	size_t len = iob_len(iob), i;
	struct resp *r = dl.resp;

	(void)x;
	FUZZ_CHECK(dl.active && !dl.closed, "data after the end");
	FUZZ_CHECK(meta && (meta->flags & XFER_ABSOLUTE) &&
		   meta->offset == dl.got,
		   "body bytes at offset %zu, %zu expected",
		   meta ? meta->offset : (size_t)-1, dl.got);
	FUZZ_CHECK(delivering && delivering == dl.conn && delivering->open,
		   "body bytes while the request's connection is not "
		   "delivering");
	FUZZ_CHECK(len && len <= chunk_len &&
		   memmem(chunk, chunk_len, p, len),
		   "body bytes that the server did not send");
	FUZZ_CHECK(!dl.size_known || dl.got + len <= dl.size,
		   "%zu body bytes beyond the announced %zu",
		   dl.got + len, dl.size);
	if (!dl.raw) {
		FUZZ_CHECK(r && (r->kind == K_OK_LEN ||
				 r->kind == K_OK_CHUNKED ||
				 r->kind == K_OK_CLOSE || r->tainted ||
				 (r->kind == K_BAD && r->body_len)),
			   "body bytes from a response that has none (kind %d)",
			   r ? (int)r->kind : -1);
		if (!r->tainted) {
			FUZZ_CHECK(dl.got + len <= r->body_len,
				   "more body than the response has");
			for (i = 0; i < len; i++)
				FUZZ_CHECK(p[i] == body_byte(r->seed,
							     dl.got + i),
					   "body byte %zu wrong", dl.got + i);
		}
	}
	dl.got += len;
	free_iob(iob);
	if (cancel_at && dl.got >= cancel_at) {
		/* The consumer gives up from inside a delivery (as dust's
		 * downloader does when memory runs out). */
		cancel_at = 0;
		dl.active = 0;
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
	FUZZ_CHECK(dl.active && !dl.closed, "size after the end");
	FUZZ_CHECK(!dl.size_known, "size announced twice");
	FUZZ_CHECK(!dl.got, "size announced after data");
	dl.size_known = 1;
	dl.size = size;
}

static void consumer_close(struct xfer *x, int rc)
{
	(void)x;
	FUZZ_CHECK(dl.active && !dl.closed, "closed twice");
	TRACE("download closed: rc %#x, %zu bytes\n", (unsigned int)-rc,
	      dl.got);
	dl.closed = 1;
	dl.rc = rc;
	if (!rc) {
		FUZZ_CHECK(!dl.size_known || dl.got == dl.size,
			   "success with %zu of %zu announced bytes",
			   dl.got, dl.size);
		FUZZ_CHECK((delivering && delivering == dl.conn) ||
			   (closing && closing == dl.conn),
			   "success while its connection did nothing");
		FUZZ_CHECK(!closing || (!dl.size_known && !closing_rc),
			   "success when the connection closed (%s)",
			   closing_rc ? "with an error" :
			   "body length was known");
	}
	if (!dl.raw)
		judge_close(rc);
	dl.active = 0;
}

static const struct xfer_ops consumer_ops = {
	.deliver = consumer_deliver,
	.window = consumer_window,
	.close = consumer_close,
	.size_known = consumer_size_known,
};

/* ---- the generated server's responses */

static struct conn *out_conn;

static void out_add(const void *p, size_t n)
{
	struct conn *c = out_conn;

	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap * 2;

		if (cap < c->out_len + n)
			cap = c->out_len + n + 4096;
		c->out = realloc(c->out, cap);
		if (!c->out)
			__builtin_trap();
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

static void out_str(const char *s)
{
	out_add(s, strlen(s));
}

static void out_fmt(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		__builtin_trap();
	out_add(buf, (size_t)n);
}

static void out_fill(char ch, size_t n)
{
	char buf[256];

	memset(buf, ch, sizeof(buf));
	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		out_add(buf, k);
		n -= k;
	}
}

/* How header lines are spelt in one response. */
struct style {
	const char *eol;
	int name_case;            /* 0 as usual, 1 lower, 2 upper, 3 mixed */
	const char *pre, *post;   /* whitespace around values */
};

static void out_header(const struct style *st, const char *name,
		       const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	size_t i;
	int n;

	for (i = 0; name[i]; i++) {
		char ch = name[i];

		if ((st->name_case == 1 || (st->name_case == 3 && (i & 1))) &&
		    ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		else if ((st->name_case == 2 ||
			  (st->name_case == 3 && !(i & 1))) &&
			 ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 32);
		out_add(&ch, 1);
	}
	out_str(":");
	out_str(st->pre);
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		__builtin_trap();
	out_add(buf, (size_t)n);
	out_str(st->post);
	out_str(st->eol);
}

static const char *const junk_headers[][2] = {
	{ "Server", "fuzz/1.0 (like nginx)" },
	{ "Date", "Thu, 01 Jan 1970 00:00:00 GMT" },
	{ "Content-Type", "application/octet-stream; charset=\"x:y\"" },
	{ "ETag", "\"5f3e-1a2b3c\"" },
	{ "Set-Cookie", "a=b: c; Path=/; HttpOnly" },
	{ "X-Colons", "::::" },
	{ "Location-Hint", "/not/a/location" },
	{ "Accept-Ranges", "bytes" },
};

/* Where redirects point, and whether dust is to follow them (1), refuse
 * them as unsupported (0) or fail on them in some way (-1). */
static const struct {
	const char *where;
	int follow;
} locations[] = {
	{ "/next", 1 },
	{ "next?x=1", 1 },
	{ "http://192.0.2.1/b", 1 },
	{ "http://boot.test:8080/c", 1 },
	{ "//alias.test/d", 1 },
	{ "https://192.0.2.1/e", 0 },
	{ "ftp://192.0.2.1/f", 0 },
	{ "http://nx.test/g", 1 },           /* does not resolve */
	{ "http://user:pw@192.0.2.1/h", 1 },
	{ "", 1 },                           /* this same URI again */
	{ "../up/./x/../y", 1 },
	{ "HTTP://192.0.2.1:80/i", 1 },
	{ "mailto:root@example.com", 0 },
	{ "http:///nohost", -1 },
};

/* A body of len bytes, plain or chunked. */
static void out_body(const struct style *st, uint8_t seed, size_t len,
		     int chunked, size_t csize, uint8_t f2)
{
	size_t i, n;
	uint8_t b[256];

	if (!chunked) {
		for (i = 0; i < len; i += n) {
			size_t k;

			n = len - i < sizeof(b) ? len - i : sizeof(b);
			for (k = 0; k < n; k++)
				b[k] = body_byte(seed, i + k);
			out_add(b, n);
		}
		return;
	}
	for (i = 0; i < len; i += n) {
		size_t k;

		n = len - i < csize ? len - i : csize;
		out_fmt((f2 & 0x40) ? "%04zX" : "%zx", n);
		if (f2 & 0x20)
			out_str((i & 1) ? " ;name=\"quoted;value\"" : ";e");
		out_str(st->eol);
		for (k = 0; k < n; k += sizeof(b)) {
			size_t m = n - k < sizeof(b) ? n - k : sizeof(b), j;

			for (j = 0; j < m; j++)
				b[j] = body_byte(seed, i + k + j);
			out_add(b, m);
		}
		out_str(st->eol);
	}
	out_str((f2 & 0x40) ? "000" : "0");
	if (f2 & 0x20)
		out_str(";last");
	out_str(st->eol);
	if (f2 & 0x80) {
		out_str("X-Checksum: abc");
		out_str(st->eol);
		out_str("Expires: never");
		out_str(st->eol);
	}
	out_str(st->eol);
}

/* Render the response the next six input bytes describe on c. */
static struct resp *respond(struct conn *c, struct resp *r)
{
	static const unsigned int redirect_codes[] = { 301, 302, 303, 307,
						       308 };
	static const unsigned int error_codes[] = { 404, 401, 403, 416, 500,
						    503, 304, 204, 302 };
	static const char *const connection[] = {
		NULL, "keep-alive", "close", "TE, CLOSE",
	};
	uint8_t k, f1, f2, cs, l0, l1;
	struct style st;
	unsigned int code;
	size_t len, csize;
	int http10, closes, sel;

	if (in_left() < 6) {
		r->kind = K_NONE;
		return r;
	}
	k = in_byte();
	f1 = in_byte();
	f2 = in_byte();
	cs = in_byte();
	l0 = in_byte();
	l1 = in_byte();
	out_conn = c;
	TRACE("respond on conn %d: kind %u f1 %#x f2 %#x cs %#x len %u\n",
	      (int)(c - conns), k % 16, f1, f2, cs, l0 | (l1 & 0x3f) << 8);
	st.eol = (f1 & 1) ? "\n" : "\r\n";
	st.name_case = (f1 >> 1) & 3;
	st.pre = (f1 & 8) ? " \t " : " ";
	st.post = (f1 & 0x10) ? " \t" : "";
	http10 = !!(f1 & 0x20);
	closes = http10 || (f1 >> 6) >= 2;
	len = (size_t)l0 | (size_t)(l1 & 0x3f) << 8;
	csize = ((size_t)(cs & 0x3f) + 1) << ((cs >> 6) * 3);
	r->seed = l0 ^ cs;
	sel = k % 16;
	if (sel <= 5 && (l1 & 0x40) && sel != 2 && sel != 3)
		len <<= 2;

	if (sel == 11) {                      /* the connection was stale */
		r->kind = K_STALE;
		c->close_pending = 1;
		return r;
	}
	if (sel == 10) {                      /* interim responses first */
		out_fmt("HTTP/1.1 %s%s", (k & 0x10) ? "103 Early Hints" :
			"100 Continue", st.eol);
		if (k & 0x10)
			out_header(&st, "Link", "</style.css>; rel=preload");
		out_str(st.eol);
		if (k & 0x20) {
			out_fmt("HTTP/1.1 100 Continue%s%s", st.eol, st.eol);
		}
		sel = 0;
	}
	if (sel >= 12) {
		/* Malformed: the variant says how, and what it must give. */
		int v = cs % 16;
		const char *status = dl.range_len ? "HTTP/1.1 206 Partial" :
				     "HTTP/1.1 200 OK";

		r->kind = K_BAD;
		r->want = EPROTO_K;
		if (v == 0)
			status = "HTTP/2 200 OK";
		else if (v == 1)
			status = "ICY 200 OK";
		else if (v == 2)
			status = "HTTP/1.1 20 OK";
		else if (v == 3)
			status = "HTTP/1.1 200OK";
		r->fail_from = c->out_len;
		out_str(status);
		out_str(st.eol);
		if (v <= 3) {
			r->done_at = c->out_len;
			out_fmt("Content-Length: 3%sabc", st.eol);
			return r;
		}
		out_header(&st, "Server", "x");
		r->fail_from = c->out_len;
		switch (v) {
		case 4:
			out_header(&st, "Content-Length", "12abc");
			break;
		case 5:
			out_header(&st, "Transfer-Encoding", "gzip");
			r->want = ENOTSUP_K;
			break;
		case 6:
			out_str("Bogus header line");
			out_str(st.eol);
			break;
		case 7:
		case 8:
		case 11: {
			/* A good chunk, then a bad one: the first chunk's
			 * bytes are the body so far. */
			uint8_t b[8];
			size_t i;

			for (i = 0; i < sizeof(b); i++)
				b[i] = body_byte(r->seed, i);
			out_header(&st, "Transfer-Encoding", "chunked");
			out_str(st.eol);
			out_fmt("3%s", st.eol);
			out_add(b, 3);
			out_str(st.eol);
			r->body_len = 3;
			r->fail_from = c->out_len;
			if (v == 7) {
				out_str("zz");
			} else if (v == 8) {
				out_fmt("5%s", st.eol);
				out_add(b + 3, 5);
				r->fail_from = c->out_len;
				out_str("X");
				r->body_len = 8;
			} else {
				out_str("fffffffffffffffffffff");
			}
			out_str(st.eol);
			r->done_at = c->out_len;
			out_fmt("0%s%s", st.eol, st.eol);
			return r;
		}
		case 9:
			out_str("X-Big: ");
			out_fill('a', 9000);
			out_str(st.eol);
			r->want = E2BIG_K;
			break;
		case 10: {
			int i;

			for (i = 0; i < 40; i++) {
				out_fmt("X-Many-%d: ", i);
				out_fill('m', 1000);
				out_str(st.eol);
			}
			r->want = E2BIG_K;
			r->done_at = c->out_len;
			out_str(st.eol);
			return r;
		}
		case 12:
			out_header(&st, "Content-Length", "-5");
			break;
		case 13:
			out_header(&st, "Content-Length",
				   "18446744073709551621");
			r->want = EFBIG_K;
			break;
		case 14:
			out_header(&st, "Content-Length", "5");
			r->fail_from = c->out_len;
			out_header(&st, "Content-Length", "7");
			break;
		default:
			out_header(&st, "Content-Length", "");
			break;
		}
		r->done_at = c->out_len;
		out_str(st.eol);
		out_str("hello, world");
		return r;
	}

	/* A well-formed response: status line and headers. */
	if (sel <= 1 || sel == 4) {
		int wrong = !!(k & 0x20);

		code = (dl.range_len != 0) != wrong ? 206 : 200;
		r->kind = sel == 4 ? K_OK_CLOSE : K_OK_LEN;
	} else if (sel <= 3) {
		code = dl.range_len ? 206 : 200;
		r->kind = K_OK_CHUNKED;
	} else if (sel <= 6) {
		code = redirect_codes[cs % 5];
		r->kind = K_REDIRECT;
	} else {
		code = error_codes[(k >> 4) % ARRAY_SIZE(error_codes)];
		r->kind = K_ERROR;
	}
	out_fmt("HTTP/1.%c %u%s%s", http10 ? '0' : '1', code,
		(f2 & 0x80) ? " Some Reason: with spaces" :
		(k & 0x40) ? "" : " OK", st.eol);
	{
		unsigned int i, n = f2 & 7;

		for (i = 0; i < n; i++)
			out_header(&st, junk_headers[(i + k) % 8][0], "%s",
				   junk_headers[(i + k) % 8][1]);
	}
	if (connection[f1 >> 6])
		out_header(&st, "Connection", "%s", connection[f1 >> 6]);
	if (r->kind == K_REDIRECT) {
		unsigned int li = (unsigned int)(cs >> 3) % ARRAY_SIZE(locations);

		out_header(&st, "Location", "%s", locations[li].where);
		r->follow = locations[li].follow;
		if (r->follow == 0)
			r->want = ENOTSUP_K;
	}
	if (r->kind == K_ERROR) {
		r->want = code == 404 ? ENOENT_K :
			  (code == 401 || code == 403) ? EACCES_K :
			  code == 416 ? ERANGE_K : EIO_K;
	}
	if ((r->kind == K_OK_LEN || r->kind == K_OK_CLOSE) && dl.range_len &&
	    code == 200) {
		/* The server ignored the range: the client must refuse. */
		r->kind = K_ERROR;
		r->want = ENOTSUP_K;
	}
	if (r->kind == K_OK_LEN || r->kind == K_ERROR ||
	    r->kind == K_REDIRECT) {
		if (r->kind != K_OK_LEN)
			len &= 0x1ff;
		if (r->kind != K_OK_LEN && (f2 & 0x40)) {
			out_header(&st, "Transfer-Encoding", "chunked");
			r->hdr_end = c->out_len + strlen(st.eol);
			out_str(st.eol);
			out_body(&st, r->seed, len, 1, 64, f2);
			goto rendered;
		}
		out_header(&st, "Content-Length", (f2 & 0x20) ? "%06zu" :
			   "%zu", len);
	} else if (r->kind == K_OK_CHUNKED) {
		out_header(&st, "Transfer-Encoding", (k & 0x20) ? "Chunked" :
			   "chunked");
		if (f1 & 0x40)
			out_header(&st, "Content-Length", "%zu", len + 3);
	}
	r->hdr_end = c->out_len + strlen(st.eol);
	out_str(st.eol);
	out_body(&st, r->seed, len, r->kind == K_OK_CHUNKED, csize, f2);
rendered:
	r->body_len = len;
	r->done_at = r->kind == K_OK_LEN || r->kind == K_OK_CHUNKED ?
		     c->out_len : r->hdr_end;
	r->fail_from = r->hdr_end - 1;
	if (r->kind == K_OK_CLOSE || (f2 & 0x08))
		c->close_when_drained = 1;
	if ((f2 & 0x10) && r->kind != K_OK_CLOSE)
		out_str("\r\njunk after the response\r\n");
	c->no_reuse = closes || r->kind == K_OK_CLOSE;
	return r;
}

/* ---- the fake connections (what TCP would be) */

static int conn_request(struct conn *c)
{
	char *end = strstr(c->req, "\r\n\r\n"), *range;
	size_t n;

	if (!end)
		return 0;
	n = (size_t)(end + 4 - c->req);
	TRACE("request on conn %d: %.*s\n", (int)(c - conns),
	      (int)strcspn(c->req, "\r"), c->req);
	FUZZ_CHECK(!strncmp(c->req, "GET /", 5) &&
		   strstr(c->req, " HTTP/1.1\r\nHost: ") &&
		   strstr(c->req, " HTTP/1.1\r\n") < end,
		   "malformed request: %.60s", c->req);
	range = strstr(c->req, "\r\nRange: ");
	if (range && range > end)
		range = NULL;
	if (dl.range_len) {
		char want[80];

		snprintf(want, sizeof(want), "\r\nRange: bytes=%llu-%llu\r\n",
			 (unsigned long long)dl.range_start,
			 (unsigned long long)(dl.range_start +
					      dl.range_len - 1));
		FUZZ_CHECK(range && !strncmp(range, want, strlen(want)),
			   "request without the right Range: %.80s", c->req);
	} else {
		FUZZ_CHECK(!range, "Range asked for no reason");
	}
	memmove(c->req, c->req + n, c->req_len - n + 1);
	c->req_len -= n;
	return 1;
}

static int conn_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	struct conn *c = container_of(x, struct conn, xfer);
	size_t len = iob_len(iob);

	(void)meta;
	FUZZ_CHECK(c->open && c->window_opened,
		   "sent on a connection that is not open");
	FUZZ_CHECK(c->req_len + len < sizeof(c->req), "request too long");
	memcpy(c->req + c->req_len, iob->data, len);
	c->req_len += len;
	c->req[c->req_len] = 0;
	free_iob(iob);
	while (conn_request(c)) {
		struct resp *r;

		FUZZ_CHECK(dl.active && !dl.closed,
			   "a request after its download ended");
		FUZZ_CHECK(!c->no_reuse, "a request on a connection the "
			   "server's last response said would not persist");
		FUZZ_CHECK(++dl.requests <= MAX_REQUESTS, "too many requests");
		c->requests++;
		dl.conn = c;
		if (dl.raw)
			continue;
		FUZZ_CHECK(nresps < MAX_RESPS, "too many responses");
		r = &resps[nresps++];
		memset(r, 0, sizeof(*r));
		r->conn = c;
		r->start = c->out_len;
		r->fresh = c->requests == 1;
		r->tainted = c->out_pos < c->out_len;
		dl.resp = respond(c, r);
	}
	return 0;
}

static void conn_close(struct xfer *x, int rc)
{
	struct conn *c = container_of(x, struct conn, xfer);

	(void)rc;
	FUZZ_CHECK(c->open, "closed twice");
	c->open = 0;
}

static const struct xfer_ops conn_ops = {
	.deliver = conn_deliver,
	.close = conn_close,
};

static int fake_connect(struct xfer *up, const struct sockaddr *peer)
{
	struct conn *c = NULL;
	unsigned int i;

	FUZZ_CHECK(dl.active && !dl.closed, "a connection for nothing");
	if (refuse_next) {
		refuse_next = 0;
		dl.refused = 1;
		return -ECONNREFUSED;
	}
	for (i = 0; i < MAX_CONNS && !c; i++)
		if (!conns[i].used)
			c = &conns[i];
	if (!c) {
		dl.refused = 1;       /* the harness's limit: a refusal */
		return -ENOBUFS;
	}
	memset(c, 0, sizeof(*c));
	c->used = 1;
	c->open = 1;
	memcpy(&c->peer, peer, sizeof(c->peer));
	FUZZ_CHECK(c->peer.sin_family == AF_INET && c->peer.sin_port,
		   "connect to a strange address");
	xfer_init(&c->xfer, &conn_ops, NULL);
	xfer_plug(&c->xfer, up);
	return 0;
}

/* ---- what the generated-mode judge expects */

/* A redirect whose headers are complete counts once. */
static void count_redirect(struct resp *r)
{
	if (r && r->kind == K_REDIRECT && !r->counted && r->follow == 1 &&
	    r->conn->out_pos >= r->hdr_end) {
		r->counted = 1;
		if (++dl.redirects > HTTP_MAX_REDIRECTS)
			r->want = ELOOP_K;
	}
}

static void judge_close(int rc)
{
	struct resp *r = dl.resp;
	size_t at;
	int excused;

	count_redirect(r);
	if (!rc) {
		FUZZ_CHECK(r && !r->tainted, "success without a response");
		at = r->conn->out_pos;
		switch (r->kind) {
		case K_OK_LEN:
		case K_OK_CHUNKED:
			FUZZ_CHECK(at >= r->done_at, "success %zu bytes before "
				   "the response is complete",
				   r->done_at - at);
			FUZZ_CHECK(dl.got == r->body_len,
				   "success with %zu of %zu body bytes",
				   dl.got, r->body_len);
			break;
		case K_OK_CLOSE:
			FUZZ_CHECK(closing == r->conn && !closing_rc &&
				   at >= r->hdr_end &&
				   dl.got == at - r->hdr_end,
				   "until-close body: success without a clean "
				   "close after it");
			break;
		default:
			FUZZ_FAIL("success on a response of kind %d",
				  (int)r->kind);
		}
		return;
	}
	/* A failure: something must excuse it. */
	excused = dl.refused || fuzz_resolve_failed || dl.stall;
	if (!r) {
		excused |= dl.conn && dl.conn->server_closed;
	} else if (r->tainted || r->kind == K_NONE) {
		excused = 1;
	} else if (r->kind == K_STALE) {
		excused |= r->fresh;
	} else {
		at = r->conn->out_pos;
		switch (r->kind) {
		case K_ERROR:
		case K_BAD:
			/* The error it calls for, once the trouble has
			 * begun; before the response is all there, other
			 * things may end it first. */
			if (at > r->fail_from &&
			    (!r->want || rc_is(rc, r->want)))
				excused = 1;
			else
				FUZZ_CHECK(at < r->done_at, "failed with %#x "
					   "where kind %d was due",
					   (unsigned int)-rc, r->want);
			break;
		case K_REDIRECT:
			if (at >= r->hdr_end && (r->want || r->follow < 0)) {
				FUZZ_CHECK(!r->want || rc_is(rc, r->want),
					   "redirect failed with %#x where "
					   "kind %d was due",
					   (unsigned int)-rc, r->want);
				excused = 1;
			}
			break;
		default:
			break;
		}
		excused |= r->conn->server_closed;
	}
	FUZZ_CHECK(excused, "download failed (%#x) with nothing to excuse it "
		   "(response kind %d)", (unsigned int)-rc,
		   r ? (int)r->kind : -1);
}

/* After a delivery: what a complete response must have caused by now. */
static void judge_progress(struct conn *c)
{
	struct resp *r = dl.resp;

	if (dl.raw || !r || r->conn != c || r->tainted)
		return;
	switch (r->kind) {
	case K_OK_LEN:
	case K_OK_CHUNKED:
	case K_ERROR:
	case K_BAD:
		FUZZ_CHECK(!dl.active || c->out_pos < r->done_at,
			   "a %s response is not reported (kind %d)",
			   r->kind == K_ERROR || r->kind == K_BAD ?
			   "failed" : "complete", (int)r->kind);
		break;
	case K_REDIRECT:
		FUZZ_CHECK(c->out_pos < r->hdr_end || !c->open,
			   "a redirect's connection is kept");
		break;
	default:
		break;
	}
}

/* ---- the harness's operations */

static void deliver(struct conn *c, size_t n)
{
	const uint8_t *p;

	if (!c || !c->open || !c->window_opened)
		return;
	if (dl.raw) {
		if (n > in_left())
			n = in_left();
		p = in_data + in_pos;
		in_pos += n;
	} else {
		if (n > c->out_len - c->out_pos)
			n = c->out_len - c->out_pos;
		if (!n)
			return;
		p = c->out + c->out_pos;
		c->out_pos += n;
	}
	if (!n)
		return;
	if (c == dl.conn && dl.active)
		dl.last_data_ms = fuzz_now_ms;
	TRACE("deliver %zu bytes on conn %d\n", n, (int)(c - conns));
	delivering = c;
	chunk = p;
	chunk_len = n;
	xfer_deliver_raw(&c->xfer, p, n, NULL);
	delivering = NULL;
	chunk = NULL;
	if (dl.resp && dl.resp->conn == c)
		count_redirect(dl.resp);
	if (c->open)
		judge_progress(c);
}

static void server_close(struct conn *c, int rc)
{
	if (!c || !c->open)
		return;
	TRACE("server closes conn %d (%d)\n", (int)(c - conns), rc);
	c->server_closed = 1;
	c->open = 0;
	closing = c;
	closing_rc = rc;
	xfer_close(&c->xfer, rc);
	closing = NULL;
}

/* The main loop's share: resolutions, connections coming up, servers
 * closing as they said they would. */
static void step(void)
{
	unsigned int i;

	fuzz_run_resolves();
	for (i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &conns[i];

		if (!c->used || !c->open)
			continue;
		if (c->close_pending ||
		    (c->close_when_drained && c->out_pos == c->out_len)) {
			server_close(c, 0);
			continue;
		}
		if (!c->window_opened) {
			c->window_opened = 1;
			xfer_window_open(&c->xfer);
		}
	}
}

static const char *const uris[] = {
	"http://192.0.2.1/boot.ipxe",
	"http://192.0.2.1/vmlinuz?arch=x86_64",
	"http://user:secret@192.0.2.1/private",
	"http://boot.test:8080/initrd.img",
	"http://alias.test/a/b/c",
	"http://nx.test/missing",
	"http://192.0.2.1:80/x",
	"http:///nohost",
	/* More servers, so that idle connections fill the pool. */
	"http://192.0.2.3/three",
	"http://192.0.2.4:8000/four",
	"http://192.0.2.5/five",
	"http://192.0.2.6/six",
};

static void start_download(uint8_t sel, uint8_t how)
{
	struct uri *uri = parse_uri(uris[sel % ARRAY_SIZE(uris)]);
	int rc;

	if (!uri)
		__builtin_trap();
	memset(&dl, 0, sizeof(dl));
	fuzz_resolve_failed = 0;
	TRACE("download %s%s\n", uris[sel % ARRAY_SIZE(uris)],
	      (how & 1) ? " (range)" : "");
	dl.raw = raw_mode;
	if (how & 1) {
		dl.range_start = (uint64_t)sel * 37;
		dl.range_len = ((uint64_t)(how >> 1) + 1) * 100;
	}
	dl.active = 1;
	dl.last_data_ms = fuzz_now_ms;
	xfer_init(&consumer, &consumer_ops, NULL);
	rc = http_open(&consumer, uri, dl.range_start, dl.range_len);
	free(uri);
	if (rc) {
		FUZZ_CHECK(!dl.closed && !consumer.peer,
			   "a refused open still plugged or closed");
		dl.active = 0;
	}
}

static struct conn *other_conn(uint8_t pick)
{
	struct conn *list[MAX_CONNS];
	unsigned int i, n = 0;

	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i].used && conns[i].open && &conns[i] != dl.conn)
			list[n++] = &conns[i];
	return n ? list[pick % n] : NULL;
}

static void end_of_input(void)
{
	unsigned int i;

	if (dl.active) {
		dl.active = 0;
		xfer_close(&consumer, -ECANCELED);
	}
	http_pool_flush();
	fuzz_run_resolves();
	for (i = 0; i < MAX_CONNS; i++) {
		FUZZ_CHECK(!conns[i].used || !conns[i].open,
			   "connection %u left open", i);
		free(conns[i].out);
	}
	memset(conns, 0, sizeof(conns));
	iob_cache_flush();
	FUZZ_CHECK(fuzz_live_blocks == 0, "%ld blocks not freed",
		   fuzz_live_blocks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int downloads = 1;

	if (size < 1)
		return 0;
	in_data = data;
	in_size = size;
	in_pos = 1;
	nresps = 0;
	refuse_next = 0;
	cancel_at = 0;
	fuzz_now_ms = 0x40000000;
	fuzz_console_clear();
	http_connect = fake_connect;
	raw_mode = data[0] & 1;
	start_download((uint8_t)(data[0] >> 1 & 7), (uint8_t)(data[0] >> 4 & 1));
	while (in_left() >= 2) {
		uint8_t op = in_byte(), arg = in_byte();

		step();
		switch (op & 7) {
		case 0:
		case 1:                         /* the server sends */
			deliver(dl.conn ? dl.conn : other_conn(0),
				dl.raw ? (size_t)arg + 1 :
				((size_t)arg + 1) << ((op >> 3) & 7));
			break;
		case 2:                         /* ... on an idle connection */
			deliver(other_conn(arg), (size_t)(op >> 3) + 1);
			break;
		case 3:                         /* the server closes */
			server_close((op & 8) ? other_conn(arg) : dl.conn,
				     (op & 16) ? -ECONNRESET : 0);
			break;
		case 4:                         /* time passes */
			fuzz_now_ms += ((uint32_t)arg + 1) << ((op >> 3) & 15);
			TRACE("time passes: %u ms\n",
			      ((uint32_t)arg + 1) << ((op >> 3) & 15));
			if (dl.active &&
			    fuzz_now_ms - dl.last_data_ms >= STALL_MS)
				dl.stall = 1;
			timers_run();
			break;
		case 5:                         /* the consumer gives up */
			if (dl.active) {
				dl.active = 0;
				xfer_close(&consumer, -ECANCELED);
			}
			break;
		case 6:                         /* the next download */
			if (!dl.active && downloads < MAX_DOWNLOADS) {
				downloads++;
				start_download(arg, op >> 3);
			}
			break;
		case 7:
			if (op & 8)             /* cancel inside a delivery */
				cancel_at = dl.got + arg + 1;
			else                    /* refuse the next connect */
				refuse_next = 1;
			break;
		}
	}
	step();
	end_of_input();
	return 0;
}
