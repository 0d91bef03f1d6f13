/* Tests of the HTTP client against a fake server plugged in place of TCP:
 * lengths, chunks, redirects, keep-alive, errors, truncation, limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/http.h>
#include <dust/image.h>
#include <dust/iobuf.h>
#include <dust/process.h>
#include <dust/umalloc.h>
#include <dust/xfer.h>
#include "unit.h"

#define BODY_LEN 100000

struct fake_conn {
	struct refcnt refcnt;
	struct xfer xfer;
	struct process proc;
	char req[4096];
	size_t req_len;
	char *out;                   /* response still to send */
	size_t out_len, out_pos;
	int connected, close_after;
	int active;
};

static struct {
	unsigned int connects, requests;
	char last_auth[64];
	char last_range[64];
	uint8_t body[BODY_LEN];
} fs;

static void fc_respond(struct fake_conn *c, const char *path);

/* "GET /path HTTP/1.1" -> path */
static int sscanf_path(const char *req, char *path, size_t len)
{
	const char *p = strchr(req, ' '), *e;

	if (!p)
		return -1;
	e = strchr(p + 1, ' ');
	if (!e || (size_t)(e - p) >= len)
		return -1;
	memcpy(path, p + 1, (size_t)(e - p - 1));
	path[e - p - 1] = 0;
	return 0;
}


static void fc_step(struct process *p)
{
	struct fake_conn *c = container_of(p, struct fake_conn, proc);
	size_t n;

	if (!c->connected) {
		c->connected = 1;
		xfer_window_open(&c->xfer);
		return;
	}
	if (c->out && c->out_pos < c->out_len) {
		/* Odd-sized pieces, so lines and chunks straddle them. */
		n = c->out_len - c->out_pos;
		if (n > 1237)
			n = 1237;
		/* The peer may close us from inside the delivery: keep our
		 * object alive until we are done with it. */
		ref_get(&c->refcnt);
		xfer_deliver_raw(&c->xfer, c->out + c->out_pos, n, NULL);
		if (!c->active || !c->out) {
			ref_put(&c->refcnt);
			return;
		}
		ref_put(&c->refcnt);
		c->out_pos += n;
		if (c->out_pos == c->out_len) {
			free(c->out);
			c->out = NULL;
			if (c->close_after) {
				xfer_close(&c->xfer, 0);
				process_del(&c->proc);
				c->active = 0;
				ref_put(&c->refcnt);
			}
		}
	}
}

static int fc_deliver(struct xfer *x, struct io_buffer *iob,
		      const struct xfer_meta *meta)
{
	struct fake_conn *c = container_of(x, struct fake_conn, xfer);
	char *end, path[256];

	(void)meta;
	if (c->req_len + iob_len(iob) < sizeof(c->req)) {
		memcpy(c->req + c->req_len, iob->data, iob_len(iob));
		c->req_len += iob_len(iob);
		c->req[c->req_len] = 0;
	}
	free_iob(iob);
	end = strstr(c->req, "\r\n\r\n");
	if (!end)
		return 0;
	fs.requests++;
	if (sscanf_path(c->req, path, sizeof(path)))
		strcpy(path, "/");
	{
		char *a = strstr(c->req, "Authorization: ");
		char *r = strstr(c->req, "Range: ");

		fs.last_auth[0] = fs.last_range[0] = 0;
		if (a)
			strlcpy(fs.last_auth, a + 15,
				strcspn(a + 15, "\r") + 1 < sizeof(fs.last_auth) ?
				strcspn(a + 15, "\r") + 1 : sizeof(fs.last_auth));
		if (r)
			strlcpy(fs.last_range, r + 7,
				strcspn(r + 7, "\r") + 1 < sizeof(fs.last_range) ?
				strcspn(r + 7, "\r") + 1 : sizeof(fs.last_range));
	}
	memmove(c->req, end + 4, strlen(end + 4) + 1);
	c->req_len = strlen(c->req);
	fc_respond(c, path);
	return 0;
}

static void fc_close(struct xfer *x, int rc)
{
	struct fake_conn *c = container_of(x, struct fake_conn, xfer);

	(void)rc;
	if (c->active) {
		c->active = 0;
		process_del(&c->proc);
		free(c->out);
		c->out = NULL;
		ref_put(&c->refcnt);
	}
}

static const struct xfer_ops fc_ops = {
	.deliver = fc_deliver,
	.close = fc_close,
};

static void fc_free(struct refcnt *r)
{
	free(container_of(r, struct fake_conn, refcnt));
}

static int fake_connect(struct xfer *up, const struct sockaddr *peer)
{
	struct fake_conn *c = zalloc(sizeof(*c));

	(void)peer;
	fs.connects++;
	ref_init(&c->refcnt, fc_free);
	xfer_init(&c->xfer, &fc_ops, &c->refcnt);
	c->proc.step = fc_step;
	c->active = 1;
	process_add(&c->proc);
	xfer_plug(&c->xfer, up);
	return 0;
}

static void fc_send(struct fake_conn *c, const char *head, const void *body,
		    size_t blen, int close_after)
{
	size_t hlen = strlen(head);

	free(c->out);
	c->out = malloc(hlen + blen + 1);
	memcpy(c->out, head, hlen);
	memcpy(c->out + hlen, body, blen);
	c->out_len = hlen + blen;
	c->out_pos = 0;
	c->close_after = close_after;
}

static void fc_respond(struct fake_conn *c, const char *path)
{
	char head[512];

	if (!strcmp(path, "/file")) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
			 "Content-Length: %u\r\nX-Junk: x\r\n\r\n", BODY_LEN);
		fc_send(c, head, fs.body, BODY_LEN, 0);
	} else if (!strcmp(path, "/chunked")) {
		/* Three chunks (one with an extension) and a trailer. */
		static char buf[BODY_LEN + 200];
		size_t n = 0;

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%x;name=v\r\n", 40000);
		memcpy(buf + n, fs.body, 40000);
		n += 40000;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n%X\r\n", 60000);
		memcpy(buf + n, fs.body + 40000, 60000);
		n += 60000;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "\r\n0\r\nTrailer: yes\r\n\r\n");
		fc_send(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
			buf, n, 0);
	} else if (!strcmp(path, "/smallchunks")) {
		/* 8-byte chunks: more chunk-size lines than the header bound
		 * allows for a header block, and nothing wrong with that. */
		static char buf[BODY_LEN / 8 * 13 + 100];
		size_t n = 0, i;

		for (i = 0; i < BODY_LEN; i += 8) {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "8\r\n");
			memcpy(buf + n, fs.body + i, 8);
			n += 8;
			memcpy(buf + n, "\r\n", 2);
			n += 2;
		}
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "0\r\n\r\n");
		fc_send(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
			buf, n, 0);
	} else if (!strcmp(path, "/interim")) {
		fc_send(c, "HTTP/1.1 100 Continue\r\n\r\n"
			"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n"
			"Content-Length: 99\r\n\r\n"
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", "ok", 2, 0);
	} else if (!strcmp(path, "/ows")) {
		/* Whitespace after values, which is no part of them. */
		fc_send(c, "HTTP/1.1 200 OK\r\nContent-Length:\t2 \t\r\n"
			"Server: x  \r\n\r\n", "ok", 2, 0);
	} else if (!strcmp(path, "/twolengths")) {
		fc_send(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
			"Content-Length: 7\r\n\r\n", "hello, world", 12, 0);
	} else if (!strcmp(path, "/negative")) {
		fc_send(c, "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
			"hello, world", 12, 1);
	} else if (!strcmp(path, "/closing")) {
		/* The connection will not persist; the server says so in
		 * capitals and then keeps it open a while. */
		fc_send(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
			"Connection: TE, CLOSE\r\n\r\n", "ok", 2, 0);
	} else if (!strcmp(path, "/redirect")) {
		fc_send(c, "HTTP/1.1 302 Found\r\nLocation: /file\r\n"
			"Content-Length: 0\r\n\r\n", "", 0, 0);
	} else if (!strcmp(path, "/redirbody")) {
		/* A redirect with a body (no newline at its end) that arrives
		 * in the same delivery as its headers. */
		fc_send(c, "HTTP/1.1 302 Found\r\nLocation: /file\r\n"
			"Content-Length: 14\r\n\r\nMoved to /file", "", 0, 0);
	} else if (!strcmp(path, "/loop")) {
		fc_send(c, "HTTP/1.1 301 Moved\r\nLocation: loop\r\n"
			"Content-Length: 0\r\n\r\n", "", 0, 0);
	} else if (!strcmp(path, "/trunc")) {
		fc_send(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
			fs.body, 500, 1);
	} else if (!strcmp(path, "/badchunk")) {
		fc_send(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"zz\r\nhello\r\n0\r\n\r\n", "", 0, 0);
	} else if (!strcmp(path, "/hugeheader")) {
		static char big[10000];

		memset(big, 'a', sizeof(big) - 3);
		memcpy(big + sizeof(big) - 3, "\r\n", 3);
		fc_send(c, "HTTP/1.1 200 OK\r\nX-Big: ", big, strlen(big), 0);
	} else if (!strcmp(path, "/auth")) {
		if (!strcmp(fs.last_auth, "Basic dXNlcjpwYXNz"))
			fc_send(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
				"ok", 2, 0);
		else
			fc_send(c, "HTTP/1.1 401 Unauthorized\r\n"
				"Content-Length: 0\r\n\r\n", "", 0, 0);
	} else if (!strcmp(path, "/noLength")) {
		fc_send(c, "HTTP/1.0 200 OK\r\n\r\n", fs.body, 3000, 1);
	} else {
		fc_send(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n",
			"not found", 9, 0);
	}
}

static uint8_t arena[2 << 20] __attribute__((aligned(4096)));
static int arena_given;

static int get(const char *uri, struct image **image, const char **out)
{
	int rc;

	if (!arena_given) {
		arena_given = 1;
		umalloc_add(arena, sizeof(arena));
	}
	host_capture_start();
	rc = imgdownload(uri, image);
	*out = host_capture_stop();
	return rc;
}

static void cleanup(void)
{
	struct image *image, *tmp;

	list_for_each_entry_safe(image, tmp, &images, list)
		unregister_image(image);
	http_pool_flush();
	step();
}

UNIT_TEST(http_bodies)
{
	struct image *img;
	const char *out;
	unsigned int connects;
	size_t i;

	for (i = 0; i < BODY_LEN; i++)
		fs.body[i] = (uint8_t)(i ^ (i >> 7));
	http_connect = fake_connect;
	fs.connects = fs.requests = 0;
	check_eq(get("http://192.0.2.1/file", &img, &out), 0);
	check(img && img->len == BODY_LEN && !memcmp(img->data, fs.body, BODY_LEN));
	/* The next request reuses the kept-alive connection. */
	check_eq(get("http://192.0.2.1/chunked", &img, &out), 0);
	check(img && img->len == BODY_LEN && !memcmp(img->data, fs.body, BODY_LEN));
	check_eq(fs.connects, 1);
	check_eq(fs.requests, 2);
	/* A large chunked body in small chunks. */
	check_eq(get("http://192.0.2.1/smallchunks", &img, &out), 0);
	check(img && img->len == BODY_LEN && !memcmp(img->data, fs.body, BODY_LEN));
	/* Interim responses before the final one are passed over. */
	check_eq(get("http://192.0.2.1/interim", &img, &out), 0);
	check(img && img->len == 2 && !memcmp(img->data, "ok", 2));
	check_eq(get("http://192.0.2.1/ows", &img, &out), 0);
	check(img && img->len == 2 && !memcmp(img->data, "ok", 2));
	/* "Connection: close" in any case: no next request on it. */
	check_eq(get("http://192.0.2.1/closing", &img, &out), 0);
	connects = fs.connects;
	check_eq(get("http://192.0.2.1/file", &img, &out), 0);
	check_eq(fs.connects, connects + 1);
	/* A redirect, relative, on the same connection. */
	check_eq(get("http://192.0.2.1/redirect", &img, &out), 0);
	check(img && img->len == BODY_LEN);
	/* The redirect's unread body is no part of the next response. */
	check_eq(get("http://192.0.2.1/redirbody", &img, &out), 0);
	check(img && img->len == BODY_LEN);
	/* No length at all: the body ends with the connection (HTTP/1.0). */
	check_eq(get("http://192.0.2.1/noLength", &img, &out), 0);
	check(img && img->len == 3000);
	/* Basic authentication from the URI. */
	check_eq(get("http://user:pass@192.0.2.1/auth", &img, &out), 0);
	check_str(fs.last_auth, "Basic dXNlcjpwYXNz");
	cleanup();
	http_connect = NULL;
}

UNIT_TEST(http_errors)
{
	struct image *img;
	const char *out;
	int rc;

	http_connect = fake_connect;
	rc = get("http://192.0.2.1/missing", &img, &out);
	check(rc_is(rc, ENOENT_K));
	check(strstr(out, "server answered 404 Not Found") != NULL);
	check(img == NULL);
	rc = get("http://192.0.2.1/auth", &img, &out);
	check(rc_is(rc, EACCES_K));
	rc = get("http://192.0.2.1/loop", &img, &out);
	check(rc_is(rc, ELOOP_K));
	check(strstr(out, "more than 5 redirects") != NULL);
	rc = get("http://192.0.2.1/trunc", &img, &out);
	check(rc < 0);
	check(strstr(out, "connection closed 500 bytes into the body") != NULL);
	check(img == NULL);
	rc = get("http://192.0.2.1/badchunk", &img, &out);
	check(rc_is(rc, EPROTO_K));
	check(strstr(out, "bad chunk size") != NULL);
	rc = get("http://192.0.2.1/hugeheader", &img, &out);
	check(rc_is(rc, E2BIG_K));
	/* Framing that cannot be trusted (RFC 9112 section 6.3). */
	rc = get("http://192.0.2.1/twolengths", &img, &out);
	check(rc_is(rc, EPROTO_K));
	check(img == NULL);
	rc = get("http://192.0.2.1/negative", &img, &out);
	check(rc_is(rc, EPROTO_K));
	check(strstr(out, "bad Content-Length \"-5\"") != NULL);
	check(img == NULL);
	cleanup();
	http_connect = NULL;
}

UNIT_TEST(http_parsers)
{
	unsigned int code;
	const char *reason;
	size_t size;
	uint64_t len;

	check_eq(http_parse_status("HTTP/1.1 200 OK", &code, &reason), 0);
	check_eq(code, 200);
	check_str(reason, "OK");
	check_eq(http_parse_status("HTTP/1.0 404", &code, &reason), 0);
	check(http_parse_status("HTTP/2 200 OK", &code, &reason) < 0);
	check(http_parse_status("HTTP/1.1 20 OK", &code, &reason) < 0);
	check(http_parse_status("SSH-2.0", &code, &reason) < 0);
	check_eq(http_parse_length("0", &len), 0);
	check_eq(len, 0);
	check_eq(http_parse_length("000123", &len), 0);
	check_eq(len, 123);
	check_eq(http_parse_length("9223372036854775807", &len), 0);
	check(len == 9223372036854775807ull);
	check(rc_is(http_parse_length("9223372036854775808", &len), EFBIG_K));
	/* strtoull would wrap this one to 5. */
	check(rc_is(http_parse_length("18446744073709551621", &len), EFBIG_K));
	check(rc_is(http_parse_length("", &len), EPROTO_K));
	check(rc_is(http_parse_length("-5", &len), EPROTO_K));
	check(rc_is(http_parse_length("+5", &len), EPROTO_K));
	check(rc_is(http_parse_length(" 5", &len), EPROTO_K));
	check(rc_is(http_parse_length("5x", &len), EPROTO_K));
	check(rc_is(http_parse_length("5, 5", &len), EPROTO_K));
	check_eq(http_parse_chunk_size("1a", &size), 0);
	check_eq(size, 26);
	check_eq(http_parse_chunk_size("FF ; ext=1", &size), 0);
	check_eq(size, 255);
	check(http_parse_chunk_size("", &size) < 0);
	check(http_parse_chunk_size("-1", &size) < 0);
	check(http_parse_chunk_size("12x", &size) < 0);
	check(rc_is(http_parse_chunk_size("fffffffffffffffffffffff", &size),
		    EFBIG_K));
}
